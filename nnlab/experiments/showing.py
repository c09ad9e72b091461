"""One run folder as ``nnlab runs show`` reads it: its header (kind, status, times, command,
how it resumes, its trials' counts), its config, its summary table (a sweep's or a tune's as its
trial folders say now; a kind in ``STORED_TABLES`` drawn from the file that stores it) and its
key epochs. ``runs list``'s rows are ``nnlab.experiments.listing``'s."""

from __future__ import annotations

import collections
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnlab import runs, times
from nnlab.describe import one_reading
from nnlab.experiments.listing import best_trial
from nnlab.experiments.trials import TRIAL_COUNTS, trial_damage, trials_said
from nnlab.output import command_line, counted
from nnlab.redo import resume_offer
from nnlab.summary import DIVERGED
from nnlab.train import Record

AT_END = ("counts",)  # what a sweep's meta.json records of its trials at its end (finish_sweep)


@dataclass
class RunView:
    """What ``nnlab runs show`` prints of a folder: header lines, the resolved config, the
    summary table, the metric records (``shown``: all, or the first, best and last)."""

    run: runs.RunDir
    header: list[str]
    config: str | None
    summary: str | None
    metrics: list[Record]
    shown: list[Record]
    metrics_title: str
    meta: dict[str, Any]
    bad_trials: list[dict[str, Any]]  # a sweep's or tune's trials DAMAGED or MISSING since
    result: dict[str, Any] | None = None  # its checked result file (``RunDir.result``), read once
    table: Any = None  # the table of a kind in ``STORED_TABLES`` (``stored_table``)
    trials: dict[str, int] | None = None  # a sweep's or tune's ``trial_counts`` (as runs list)

    def to_json(self) -> dict[str, Any]:
        """The view as ``-f json`` prints it: what the table says, damaged trials included. A
        sweep's or a tune's trials, and their ``counts``, are as their folders say now: one
        answer, the current one. The counts a sweep's meta.json recorded at its end are left
        out (``AT_END``); a tune's summary.json ``trials`` (its counts at its end) is now's."""
        out: dict[str, Any] = {
            "run": str(self.run.path),
            "status": self.header[1].split()[-1],
            "meta": self.meta,
            "config": self.config,
            "summary": self.run.summary(),
            "metrics": self.metrics,
        }
        if resume := resume_command(self.run, out["status"], self.meta):  # (as the table)
            out["resume"] = resume
        if self.result is not None:  # (a compare-optimizers' result.json, a gradcheck's
            out["result"] = self.result  # differences.json: checked, as every reader reads them)
        if self.run.kind == "sweep":  # (its trials as their folders say now: sweep_rows)
            from nnlab import sweep

            rows = sweep.sweep_rows(self.run)
            out["summary"] = {**out["summary"], "counts": _counts(rows), "trials": rows}
        elif self.run.kind == "tune" and self.run.file("tune.json").exists():
            from nnlab import sweep

            rows = sweep.tune_rows(self.run, files=True)  # (as their folders say now)
            now = _counts(rows)
            summary = out["summary"]
            if isinstance(summary.get("trials"), dict):  # (a tune's counts at its end)
                summary = {**summary, "trials": now}
            out["summary"] = {**summary, "counts": now, "trial_rows": rows}
        if self.run.kind in ("sweep", "tune"):
            out["meta"] = {k: v for k, v in self.meta.items() if k not in AT_END}
        if self.trials:  # (its trials ended of those planned, as runs list gives them)
            out.update(self.trials)
        return {**out, "bad_trials": self.bad_trials} if self.bad_trials else out


def resume_command(run: runs.RunDir, status: str, meta: dict[str, Any]) -> str | None:
    """The command that continues ``run``, a folder that ended unfinished (``redo.resume_offer``:
    as the report offers it), else None."""
    offer = resume_offer(run.kind, status, meta)
    return f"{offer[1]} {shlex.quote(str(run.path))}" if offer else None


def show_run(run: runs.RunDir, every: bool = False) -> RunView:
    """A folder's view (see ``RunView``); a damaged file raises DamagedError naming it (every
    file ``runs list`` checks, shown or not: a folder listed DAMAGED is not shown as sound).
    Read as of one state of the folder (``RunDir.settled``): a writer moving on meanwhile is
    no damage."""
    with one_reading():  # (a sweep's trials: read for its damage and for its table)
        return run.settled(lambda: _view(run, every))


def _local(value: Any) -> str:
    """A recorded time as ``runs list`` shows it, in this zone to the second (the raw ISO text
    read 2026-12-07T01:25:01.986+00:00); ``-`` for none (not None)."""
    return times.local_text(value) or "-"


def _view(run: runs.RunDir, every: bool) -> RunView:
    run.check_files()
    meta, metrics = run.meta, run.metrics()
    run.summary()  # (summary.txt is shown; a damaged summary.json is reported, not hidden)
    # ("key   value" lines, the values aligned: on a narrow terminal a value folds under itself;
    # a second pair on a line two spaces after the first, as 'ended' is: 'status' was four)
    fields = [
        ("run", run.path),
        ("kind", f"{run.kind}  status {run.status}"),
        ("started", f"{_local(meta.get('started'))}  ended {_local(meta.get('ended'))}"),
        ("command", command_line(meta.get("argv"))),
    ]
    if meta.get("versions"):  # (what made the numbers: a BLAS of other kernels, other last digits)
        fields.append(("versions", ", ".join(f"{k} {v}" for k, v in meta["versions"].items())))
    if meta.get("error"):
        fields.append(("error", meta["error"]))
    if meta.get("extended_from"):  # (``train --extend``: its first epochs are that run's, a
        # path as the run's own is shown: below this folder, relative to it, not /home/...)
        source = Path(str(meta["extended_from"]))
        try:
            here = source.relative_to(Path.cwd())
        except (OSError, ValueError):  # (elsewhere, or no folder to be in: removed)
            here = source
        fields.append(("extends", f"{here} (after its epoch {meta.get('from_epoch')})"))
    if resume := resume_command(run, run.status, meta):  # (unfinished: how it goes on)
        fields.append(("resume", resume))
    counts = {k: v for k, v in best_trial(run, run.kind).items() if k in TRIAL_COUNTS}
    if said := trials_said(counts):  # (a sweep's, a tune's: as runs list counts them)
        fields.append(("trials", said))
    # (a sweep's or a tune's summary is of its end: a trial damaged or gone since is said)
    bad = trial_damage(run, files=True)[1]
    header = [f"{key:<8}  {value}" for key, value in fields]
    header += [f"{b['status']} {b['reason']}" for b in bad]
    run.config()  # (shown as written; a damaged config.yaml is reported, not shown)
    result = run.result()  # (read once: a comparison's can be large)
    table = stored_table(run, result) if run.kind in STORED_TABLES else None
    config, summary = run.text("config.yaml"), _summary_text(run, metrics, table)
    shown, title = epochs_view(metrics, run.status, every)
    return RunView(run, header, config, summary, metrics, shown, title, meta, bad, result, table,
                   counts)  # fmt: skip


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return dict(collections.Counter(row["status"] for row in rows))


def _summary_text(run: runs.RunDir, records: list[Record], table: Any = None) -> str | None:
    """summary.txt; a training run's as its records give it (``RunDir.summary``: its file
    is of its last end, and a run killed since, in a resume, has records past it); a sweep's
    as its trial folders say (``sweep.sweep_rows``); a kind in ``STORED_TABLES``, its ``table``."""
    if run.kind == "sweep" and run.plan() is not None:
        from nnlab import sweep
        from nnlab.output import table_text

        rows, spec = sweep.sweep_rows(run), sweep.load_sweep(run)[0].spec
        keys = list(spec.params)
        title = sweep.summary_title(run.id, str(run.status), rows)
        rows = [{k: v for k, v in row.items() if k != "reason"} for row in rows]
        rows = sweep.table_rows(rows, spec)  # (a key a trial leaves out: '-', not null)
        return table_text(rows, sweep.summary_columns(rows, keys), title=title)
    if run.kind == "tune" and run.file("tune.json").exists():
        return _tune_text(run)
    if run.kind in STORED_TABLES:
        return _table_text(table)
    if run.kind != "train" or not (records or run.file("summary.txt").exists()):
        return run.text("summary.txt")
    from nnlab.experiments.train import load_run_config, summary_text

    return summary_text(run.id, run.summary(records), load_run_config(run))


# the kinds whose table ``runs show`` draws from the file that stores it (summary.txt is its
# rendering, which an edit, a deletion or another folder's copy would make say other numbers)
STORED_TABLES = ("lr-scan", "landscape", "activations", "compare-optimizers", "gradcheck")


def stored_table(run: runs.RunDir, result: dict[str, Any] | None) -> Any:
    """The table of a folder of a kind in ``STORED_TABLES`` (an ``output.Table``; gradcheck's:
    its blocks of lines and tables), drawn from its checked summary.json or result file
    (``RunDir.summary``, ``RunDir.result``) by the function its command printed it with at
    the end; None where the folder holds none yet (it is running, or ended before writing it).
    ``result``: its ``RunDir.result()``, as the caller read it."""
    kind = run.kind
    stored = result or run.summary()  # (a kind's result file, else its summary.json)
    if not stored:
        return None
    if kind == "lr-scan":
        from nnlab.experiments.lr_scan import summary_table

        return summary_table(run.id, stored)
    if kind == "landscape":
        from nnlab.experiments.landscape import summary_table as landscape_table

        return landscape_table(stored)
    if kind == "activations":
        from nnlab.experiments.activations import summary_table as activations_table

        return activations_table(stored)
    if kind == "compare-optimizers":
        from nnlab.experiments.optimizers import comparison_table

        return comparison_table(stored)
    from nnlab.experiments.differences import summary_blocks  # (gradcheck's)

    return summary_blocks(stored)


def _table_text(table: Any) -> str | None:
    """A ``stored_table`` as text: what ``runs show`` prints as the folder's summary."""
    from nnlab.output import Table, blocks_text

    if table is None:
        return None
    return table.text() if isinstance(table, Table) else blocks_text(table)


def _tune_text(run: runs.RunDir) -> str:
    """A tune's summary as its trial folders say now: a table per round (``sweep.tune_rows``:
    a trial completed since by ``train --resume`` COMPLETED, a removed one MISSING, a damaged
    one DAMAGED), then the ranges its summary recorded at its end (searched, best so far,
    proposed next: what its rounds were planned from)."""
    from nnlab import sweep
    from nnlab.experiments.tune_report import ranges_table
    from nnlab.output import table_text

    rows, metric = sweep.tune_rows(run, files=True), sweep.tune_metric(run)
    keys = list((run.read_json_object("tune.json").get("settings") or {}).get("ranges") or {})
    text = ""
    for index in dict.fromkeys(r["round"] for r in rows):
        held = [{k: v for k, v in r.items() if k != "reason"} for r in rows if r["round"] == index]
        said = ", ".join(f"{n} {status}" for status, n in _counts(held).items())
        columns = sweep.summary_columns(held, keys)
        if metric not in columns:
            columns.append(metric)
        text += table_text(held, columns, title=f"{run.id}: round {index} ({said})")
    ranges = run.summary().get("ranges")
    if isinstance(ranges, list) and ranges:
        text += ranges_table(ranges).text()
    return text


def epochs_view(
    metrics: list[Record], status: str | None, every: bool = False
) -> tuple[list[Record], str]:
    """The records ``runs show`` prints (every one, or ``key_epochs``) and their title, which
    says why each is there. A DIVERGED run's last record shows no accuracies: they are of
    non-finite outputs (the summary's ``-``), not results."""
    picks = {i: ["every epoch"] for i in range(len(metrics))} if every else key_epochs(
        metrics, status
    )  # fmt: skip
    shown = [metrics[i] for i in sorted(picks)]
    if status == DIVERGED and shown and shown[-1] is metrics[-1]:
        shown[-1] = {k: (None if k.endswith("_acc") else v) for k, v in metrics[-1].items()}
    if every or len(shown) == len(metrics):
        title = "every epoch"
    else:
        why = "; ".join(f"{metrics[i]['epoch']} {', '.join(picks[i])}" for i in sorted(picks))
        title = f"{len(shown)} of {counted(len(metrics), 'epoch')}: {why} (--all for every epoch)"
    if status == DIVERGED and metrics:
        title += f"; diverged at epoch {metrics[-1]['epoch']}: no accuracies there"
    return shown, title


def key_epochs(records: list[Record], status: str | None = None) -> dict[int, list[str]]:
    """Which records to show, by index, and why: the first, the best by each accuracy (else
    each loss), and the last. A DIVERGED run's bests are over the epochs before the one it
    diverged in (``nnlab.summary``'s rule)."""
    if len(records) <= 3:
        return {i: [] for i in range(len(records))}
    keys = [k for k in records[-1] if k.endswith("_acc")] or [
        k for k in records[-1] if k.endswith("_loss")
    ]
    picked: dict[int, list[str]] = {0: ["first"]}
    before = records[:-1] if status == DIVERGED else records
    for key in keys:
        values = [(v, i) for i, r in enumerate(before) if (v := r.get(key)) is not None]
        if values:
            pick = max if key.endswith("_acc") else min
            picked.setdefault(pick(values, key=lambda v: v[0])[1], []).append(f"best {key}")
    picked.setdefault(len(records) - 1, []).append("last")
    return picked
