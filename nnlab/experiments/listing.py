"""The run folders as ``nnlab runs list`` and ``nnlab runs show`` read them: one row per
folder (a damaged one DAMAGED with the reason, never an exception), and one folder's view
(its header, config, summary and key epochs)."""

from __future__ import annotations

import collections
import os
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnlab import runs, times
from nnlab.config import apply_overrides
from nnlab.errors import ConfigError, RunError, not_one_of
from nnlab.experiments.trials import (  # (re-exported: a sweep's and a tune's trial facts)
    TRIAL_COUNTS,
    trial_counts,
    trial_damage,
    trial_damage_row,
    trial_outcomes,
    trials_said,
    trials_text,
)
from nnlab.experiments.where import Kept, Where, kept_trials
from nnlab.kinds import whole
from nnlab.lookup import identified, one_reading  # (finding folders: runs re-exports the rest)
from nnlab.output import command_line, counted
from nnlab.redo import resume_offer
from nnlab.summary import DIVERGED, best_trial as summary_best, epochs_of
from nnlab.train import Record


def list_runs(
    root: Path,
    kind: str | None = None,
    status: str | None = None,
    last: int | None = None,
    vanished: list[Path] | None = None,
    where: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One row per folder under ``root`` (of ``kind``, of ``status``, if given), oldest first:
    id, kind, name, status, epochs and final accuracies. A folder that cannot be read is listed
    as DAMAGED with the reason; it never stops the listing. A folder holding trials (a sweep, a
    tune's rounds) some of which are DAMAGED or MISSING keeps its status and says so
    (``trial_damage_row``). ``last``: only the ``last`` folders that started last (of those
    ``kind`` and ``status`` keep), the rest not read beyond their meta.json. A folder gone
    as it was read (removed or renamed meanwhile) is no row, and is added to ``vanished``.
    ``where``: only the folders whose runs have these config values (``nnlab.experiments.where``:
    a sweep's or a tune's, one of its trials', and its row's best trial is the best of those:
    ``trials_kept`` counts them)."""
    from nnlab.experiments.where import check_keys, parse_where

    if kind is not None:
        runs.check_kind(kind)
    if status is not None:
        status = check_status(status)
    wanted = parse_where(where)
    check_keys(wanted)
    rows: list[dict[str, Any]] = []
    with one_reading():  # (a sweep's trials: read for its best trial and their damage)
        for run in reversed(
            by_start(runs.iter_runs(runs.check_root(root), halves=True))
        ):  # newest first
            row = _row(run, kind, wanted)
            if row is not None and row["status"] == runs.DAMAGED and not os.path.lexists(run.path):
                if vanished is not None:  # (gone since the listing began, removed or renamed:
                    vanished.append(run.path)  # not damage)
                continue
            if row is not None and (status is None or row["status"] == status):
                if wanted and not _kept(run, row, wanted):
                    continue
                rows.append(row)
                if last is not None and len(rows) == last:
                    break
    return rows[::-1]  # oldest first


def by_start(folders: Iterable[runs.RunDir]) -> list[runs.RunDir]:
    """``folders`` oldest first: by the instant their meta.json records as their start (one
    that cannot be read, or records none, before all others), then by name."""
    keyed = []
    for run in folders:
        started = identified(run)["meta"] or {}
        keyed.append((times.instant(started.get("started")), run.id, run))
    return [run for *_, run in sorted(keyed, key=lambda k: k[:2])]


def list_title(
    root: Path, kind: str | None, status: str | None, last: int | None, found: int | None = None
) -> str:
    """``runs list``'s title: 'folders in runs', 'the last 5 FAILED train folders in runs';
    ``--last`` beyond the ``found`` folders listed: 'all 3 folders in runs', 'the one train
    folder in runs' (it said 'the last 5 folders' above three rows)."""
    fewer = bool(last) and found is not None and found < last  # type: ignore[operator]
    if fewer:
        at_end = f"all {found:,}" if found != 1 else "the one"
    else:
        at_end = "" if not last else "the last" if last == 1 else f"the last {last:,}"
    words = [at_end, status.upper() if status else "", kind or ""]
    noun = "folder" if (found if fewer else last) == 1 else "folders"
    return " ".join([w for w in words if w] + [noun, "in", str(root)])


LIST_STATUSES = (*runs.STATUSES, runs.STALE, *runs.UNUSABLE)  # (what ``runs list`` may show)


def check_status(status: str) -> str:
    """``status`` (any case) as ``runs list`` shows it, else a ConfigError naming --status."""
    if status.upper() not in LIST_STATUSES:
        raise ConfigError(not_one_of("--status", status, LIST_STATUSES))
    return status.upper()


def folder_row(run: runs.RunDir) -> dict[str, Any]:
    """``runs list``'s row of one folder (``runs remove`` lists what it removes so)."""
    with one_reading():
        return _row(run, None)  # type: ignore[return-value]  # (of any kind: never None)


def _kept(run: runs.RunDir, row: dict[str, Any], wanted: Where) -> bool:
    """Whether ``--where`` keeps a listed folder: a sweep or tune if one of its trials holds
    every key (``trials_kept``), another by its config (``folder_values``)."""
    from nnlab.experiments.where import folder_values, holds

    if "trials_kept" in row:
        return bool(row["trials_kept"])
    return holds({**folder_values(run, row["kind"]), "status": [row["status"]]}, wanted)


def _row(run: runs.RunDir, kind: str | None, where: Where | None = None) -> dict[str, Any] | None:
    """``list_runs``'s row of one folder; None if it is not of ``kind``. ``where``: a sweep's
    or a tune's best trial is of the trials it keeps (``where.kept_trials``), counted in
    ``trials_kept``."""
    info = runs.describe_folder(run, files=True, again=False)  # (asked for once: its row)
    if kind is not None and info["kind"] != kind:
        return None
    meta, summary = info["meta"] or {}, info["summary"]
    row: dict[str, Any] = {
        "run": run.id,
        "kind": info["kind"] or "?",
        "name": meta.get("name"),
        "status": info["status"],
        "epochs": summary.get("epochs", meta.get("epochs_done")),
    }
    sound = info["status"] not in runs.UNUSABLE
    facts = config_facts(run, row["kind"]) if sound else {}
    if "epochs_planned" in facts:  # (a table: 1831/2000 for a run that did not complete)
        row["epochs_planned"] = facts["epochs_planned"]
    row.update({k: v for k, v in summary.items() if k.startswith("final_") and k.endswith("_acc")})
    if sound:
        row["dataset"] = facts["dataset"]
        kept = kept_trials(run, row["kind"], info["status"], where) if where else None
        row.update(best_trial(run, row["kind"], kept))
        if kept is not None:
            row["trials_kept"] = len(kept)
    row["started"] = meta.get("started")
    if "reason" in info:
        row["reason"] = info["reason"]
    if info["meta"] is not None:  # (a sweep, a tune: any folder that holds trials)
        row.update(trial_damage_row(run))
    return row


LIST_COLUMNS = ("run", "kind", "name", "dataset", "status", "epochs", "epochs_planned",
                *TRIAL_COUNTS, "final_train_acc", "final_val_acc", "final_test_acc")  # fmt: skip
# (a table's: the folder's id holds its name; the epochs column its planned epochs, or a
# sweep's or tune's trials: ``trials_text``)
TABLE_LEFT_OUT = ("name", "best_trial", "epochs_planned", *TRIAL_COUNTS)


def config_facts(run: runs.RunDir, kind: str) -> dict[str, Any]:
    """What a listing's row gives of a folder's config, read once: ``dataset``, the dataset its
    runs train on (its config's ``dataset.name``, a sweep's base config's with its fixed
    overrides (the values, where the sweep varies it), a tune's base config's; None where a
    folder has none (activations) or it cannot be read: the listing says DAMAGED elsewhere),
    and a training run's ``epochs_planned``, its config's ``epochs`` (where it has them)."""
    try:
        if kind == "sweep":
            plan = run.plan() or {}
            varied = (plan.get("spec") or {}).get("params", {}).get("dataset.name")
            if isinstance(varied, list):
                return {"dataset": ",".join(str(v) for v in varied)}
            base = plan.get("base")
            fixed = plan.get("overrides") or []  # (a preset's --dataset: dataset.name=mnist)
            if isinstance(base, dict) and isinstance(fixed, list):
                base = apply_overrides(base, [str(o) for o in fixed])
        elif kind == "tune":
            base = (run.read_json_object("tune.json").get("settings") or {}).get("base")
        else:
            base = run.config()
    except (RunError, ConfigError, OSError, AttributeError):
        return {"dataset": None}
    base = base if isinstance(base, dict) else {}
    dataset = base.get("dataset")
    name = dataset.get("name") if isinstance(dataset, dict) else None
    facts: dict[str, Any] = {"dataset": name if isinstance(name, str) else None}
    if kind == "train" and whole(base.get("epochs")):
        facts["epochs_planned"] = base["epochs"]
    return facts


ACCURACIES = ("final_train_acc", "final_val_acc", "final_test_acc")


def best_trial(run: runs.RunDir, kind: str, kept: Kept | None = None) -> dict[str, Any]:
    """A sweep's or tune's row's numbers: its trials ended of those planned, and how many
    FAILED and DIVERGED (``trial_counts``), its best trial's id (``best_trial``) and final
    accuracies, of its trials as their folders say now (``sweep.sweep_rows``,
    ``sweep.tune_rows``), as ``runs show`` and the report give them: a trial completed since
    the end (``train --resume``) counts, one gone or damaged does not. The best is
    ``summary.best_trial``'s (a tune's by its metric); {} for other kinds. No epochs: one
    trial's epochs say nothing of the sweep (a row read ``INTERRUPTED │ 699``). ``kept``: the
    best of these trials only (``runs list --where``'s), by (round, id); the counts are of all."""
    from nnlab import sweep

    try:
        if kind == "sweep" and run.plan() is not None:
            rows = sweep.sweep_rows(run, files=False)
            best, counts = summary_best(rows), trial_counts(rows, len(rows))
        elif kind == "tune":
            rows = sweep.tune_rows(run)
            best, counts = summary_best(rows, sweep.tune_metric(run)), trial_counts(rows, run)
        else:
            return {}
    except (RunError, ConfigError):  # (said DAMAGED elsewhere; the listing goes on)
        return {}
    if kept is not None:
        rows = [r for r in rows if (r.get("round", 0), r.get("trial")) in kept]
        best = summary_best(rows, sweep.tune_metric(run) if kind == "tune" else None)
    if best is None:
        return counts
    picked = {k: best[k] for k in ACCURACIES if k in best}
    return {**counts, "best_trial": best.get("trial"), **picked}


def list_columns(rows: list[dict[str, Any]], table: bool = False) -> list[str]:
    """``runs list``'s columns, in one order for every format: for CSV the same header
    whatever the folders hold (a script reads them by name), ``LIST_COLUMNS`` then any other
    split's final accuracy, ``started`` and ``reason`` (empty fields where a folder has none);
    for a ``table``, those some row has (``started`` only when a folder's name does not begin
    with it: ``_named_by_start``)."""
    finals = sorted({k for r in rows for k in r if k.startswith("final_")} - set(LIST_COLUMNS))
    columns = [*LIST_COLUMNS, *finals, "best_trial", "started", "reason"]
    if not table:
        return columns
    named = all(_named_by_start(r) for r in rows if r.get("started"))  # (a DAMAGED: none)
    left_out = (*TABLE_LEFT_OUT, *(["started"] if named else []))
    return [c for c in columns if c not in left_out and any(c in r for r in rows)]


# a table's short headers (its title's second line says what they are; json and csv keep the
# full names a script reads)
TABLE_HEADERS = {"final_train_acc": "train", "final_val_acc": "val", "final_test_acc": "test"}
# a table's title's second line: what its accuracy columns hold (named by the splits it has:
# it named val beside none) and, with a sweep's or a tune's row, what its epochs column holds
LEGENDS = {
    (False, False): "",
    (True, False): "{splits}: final accuracy (of a sweep or a tune: {best})",
    (False, True): "epochs of a sweep or a tune: its trials ended/planned",
    (True, True): "{splits}: final accuracy; of a sweep or a tune: {best}, and in "
    "epochs its trials ended/planned",
}


def list_table(
    rows: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[str], str, list[str]]:
    """``runs list``'s table: (its rows, its columns, a legend for its title, the notes under
    it) made to fit a 120-column terminal for a typical runs folder (it was ~146 columns wide,
    and fell back to one record per folder): the columns ``list_columns`` gives a table,
    without those no row has a value in, the folder's kind and dataset in one column
    (``train/mnist``), the final accuracies headed by their split (``TABLE_HEADERS``), the
    start to the second, a sweep's or tune's trials ended of those planned in the epochs
    column (``trials_text``); a folder's reason (DAMAGED, trials damaged or gone) and how many
    of a sweep's trials FAILED or DIVERGED (``trial_outcomes``) a note under the table,
    ``<run>: <reason>`` (a column of them, a path and a sentence each, made every listing with
    one damaged folder one record per folder)."""
    notes = [
        f"{r['run']}: {said}" for r in rows for said in (r.get("reason"), trial_outcomes(r)) if said
    ]
    rows = [{**r, "epochs": trials_text(r) or r.get("epochs")} for r in rows]
    columns = [
        c
        for c in list_columns(rows, table=True)
        if c != "reason" and any(r.get(c) is not None for r in rows)
    ]
    merged = "kind" in columns and "dataset" in columns
    out = []
    for row in rows:
        row = {**row, "started": times.local_text(row.get("started"))}  # (in this TZ)
        if "trials_done" not in row:  # (a sweep's or tune's says its trials: trials_text)
            row["epochs"] = epochs_of(row.get("epochs"), row.get("epochs_planned"), row["status"])
        if merged:  # (a kind with no dataset, activations: its kind alone)
            dataset = row.get("dataset")
            row["kind"] = f"{row['kind']}/{dataset}" if dataset is not None else row["kind"]
        out.append({TABLE_HEADERS.get(k, k): v for k, v in row.items()})
    if merged:
        columns = [c for c in columns if c != "dataset"]
        out = [{("kind/dataset" if k == "kind" else k): v for k, v in r.items()} for r in out]
    columns = [
        ("kind/dataset" if merged and c == "kind" else TABLE_HEADERS.get(c, c)) for c in columns
    ]
    splits = [c for c in TABLE_HEADERS.values() if c in columns]
    trials = any("trials_done" in r for r in rows)
    kept = any("trials_kept" in r for r in rows)  # (--where: its best of the trials it keeps)
    best = "the best of the trials --where keeps" if kept else "its best trial's"
    legend = LEGENDS[bool(splits), trials].format(splits=", ".join(splits), best=best)
    return out, columns, legend, notes


def _named_by_start(row: dict[str, Any]) -> bool:
    """Whether ``row``'s folder name begins with the time it started (``runs``' stamp,
    ``YYYYmmdd-HHMMSS``, taken a moment before meta.json's ``started``; a folder nnlab named),
    so that a table's ``started`` column would say it again (a folder given by ``--out``
    keeps it; one without a start, a DAMAGED folder, has nothing to say in it). Run ids are
    never cut to fit, so the table leaves it out."""
    import datetime as dt

    try:
        named = dt.datetime.strptime(str(row["run"])[:15], "%Y%m%d-%H%M%S")
        started = dt.datetime.fromisoformat(str(row.get("started"))[:19])
    except ValueError:
        return False
    return abs((started - named).total_seconds()) <= 5


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
    # ("key   value" lines, the values aligned: on a narrow terminal a value folds under itself)
    fields = [
        ("run", run.path),
        ("kind", f"{run.kind}    status {run.status}"),
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
        said = ", ".join(f"{n} {status}" for status, n in _counts(rows).items())
        rows = [{k: v for k, v in row.items() if k != "reason"} for row in rows]
        rows = sweep.table_rows(rows, spec)  # (a key a trial leaves out: '-', not null)
        title = f"{run.id}: {run.status} ({said})"
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
