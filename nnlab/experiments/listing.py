"""The run folders as ``nnlab runs list`` reads them: one row per folder (a damaged one
DAMAGED with the reason, never an exception), its columns and its table. One folder's view,
``runs show``'s, is ``nnlab.experiments.showing``'s."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nnlab import runs, times
from nnlab.config import apply_overrides
from nnlab.describe import identified, one_reading  # (runs re-exports the rest)
from nnlab.errors import ConfigError, RunError, not_one_of
from nnlab.experiments.trials import (  # (TRIAL_COUNTS re-exported: a sweep's, a tune's)
    TRIAL_COUNTS,
    trial_counts,
    trial_damage_row,
    trial_outcomes,
    trials_text,
)
from nnlab.experiments.where import LIST_STATUSES, Kept, Where, kept_trials
from nnlab.kinds import whole
from nnlab.summary import best_trial as summary_best, epochs_of


def list_runs(
    root: Path,
    kind: str | None = None,
    status: str | None = None,
    last: int | None = None,
    vanished: list[Path] | None = None,
    where: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One row per folder under ``root`` (of ``kind``, of ``status``, if given), oldest first:
    id, kind, name, status, epochs_done (the epochs it trained: ``epochs`` is a config key's
    name, as ``runs compare`` gives it) and final accuracies. A folder that cannot be read is listed
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
        "epochs_done": summary.get("epochs", meta.get("epochs_done")),
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


LIST_COLUMNS = ("run", "kind", "name", "dataset", "status", "epochs_done", "epochs_planned",
                *TRIAL_COUNTS, "final_train_acc", "final_val_acc", "final_test_acc")  # fmt: skip
# (a table's: the folder's id holds its name; the epochs_done column its planned epochs, or a
# sweep's or tune's trials: ``trials_text``)
TABLE_LEFT_OUT = ("name", "best_trial", "trials_kept", "epochs_planned", *TRIAL_COUNTS)
# (--where's trials_kept: the table's title says its best is of the trials --where keeps)


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
    if kind in ("sweep", "tune") and isinstance(dataset or {}, dict):  # (a base as written:
        dataset = {"name": default_dataset(), **(dataset or {})}  # none named is the default)
    name = dataset.get("name") if isinstance(dataset, dict) else None
    facts: dict[str, Any] = {"dataset": name if isinstance(name, str) else None}
    if kind == "train" and whole(base.get("epochs")):
        facts["epochs_planned"] = base["epochs"]
    return facts


def default_dataset() -> str:
    """The dataset a config that names none trains on (a sweep's row read 'sweep', with no
    dataset, where its runs' rows read 'train/digits')."""
    from nnlab.config_model import Config

    return str(Config.model_fields["dataset"].default.name)


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


def list_columns(rows: list[dict[str, Any]], table: bool = False, where: bool = False) -> list[str]:
    """``runs list``'s columns, in one order for every format: for CSV the same header
    whatever the folders hold (a script reads them by name), ``LIST_COLUMNS`` then any other
    split's final accuracy, ``best_trial``, with ``where`` (``--where`` given) ``trials_kept``
    (as JSON gives it: CSV lacked it), ``started`` and ``reason`` (empty fields where a folder
    has none); for a ``table``, those some row has (``started`` only when a folder's name does
    not begin with it: ``_named_by_start``)."""
    finals = sorted({k for r in rows for k in r if k.startswith("final_")} - set(LIST_COLUMNS))
    kept = ["trials_kept"] if where else []
    columns = [*LIST_COLUMNS, *finals, "best_trial", *kept, "started", "reason"]
    if not table:
        return columns
    named = all(_named_by_start(r) for r in rows if r.get("started"))  # (a DAMAGED: none)
    left_out = (*TABLE_LEFT_OUT, *(["started"] if named else []))
    return [c for c in columns if c not in left_out and any(c in r for r in rows)]


# a table's short headers (its title's second line says what they are; json and csv keep the
# full names a script reads)
TABLE_HEADERS = {"final_train_acc": "train", "final_val_acc": "val", "final_test_acc": "test",
                 "epochs_done": "done"}  # fmt: skip
# a table's title's second line: what its accuracy columns hold (named by the splits it has:
# it named val beside none), what its done column holds (the epochs trained: a column headed
# 'epochs' read as the config key runs compare names so) and, with a sweep's or a tune's row,
# what both hold of it
LEGENDS = {
    (False, False): "done: epochs trained",
    (True, False): "{splits}: final accuracy (of a sweep or a tune: {best}); done: epochs trained",
    (False, True): "done: epochs trained; of a sweep or a tune: its trials ended/planned",
    (True, True): "{splits}: final accuracy; done: epochs trained; of a sweep or a tune: {best}, "
    "its trials ended/planned",
}


def list_table(
    rows: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[str], str, list[str]]:
    """``runs list``'s table: (its rows, its columns, a legend for its title, the notes under
    it) made to fit a 120-column terminal for a typical runs folder (it was ~146 columns wide,
    and fell back to one record per folder): the columns ``list_columns`` gives a table,
    without those no row has a value in, the folder's kind and dataset in one column
    (``train/mnist``), the final accuracies headed by their split (``TABLE_HEADERS``), the
    start to the second, a sweep's or tune's trials ended of those planned in the epochs_done
    column (``trials_text``); a folder's reason (DAMAGED, trials damaged or gone) and how many
    of a sweep's trials FAILED or DIVERGED (``trial_outcomes``) a note under the table,
    ``<run>: <reason>`` (a column of them, a path and a sentence each, made every listing with
    one damaged folder one record per folder)."""
    notes = [
        f"{r['run']}: {said}" for r in rows for said in (r.get("reason"), trial_outcomes(r)) if said
    ]
    rows = [{**r, "epochs_done": trials_text(r) or r.get("epochs_done")} for r in rows]
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
            done, planned = row.get("epochs_done"), row.get("epochs_planned")
            row["epochs_done"] = epochs_of(done, planned, row["status"])
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
    splits = [TABLE_HEADERS[c] for c in ACCURACIES if TABLE_HEADERS[c] in columns]
    trials = any("trials_done" in r for r in rows)
    kept = any("trials_kept" in r for r in rows)  # (--where: its best of the trials it keeps)
    best = "the best of the trials --where keeps" if kept else "its best trial's"
    legend = LEGENDS[bool(splits), trials].format(splits=", ".join(splits), best=best)
    if "done" not in columns:  # (no folder trained: its legend says nothing of the column)
        legend = legend.replace("; done: epochs trained", "").replace("done: epochs trained", "")
        legend = legend.removeprefix("; ")
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
