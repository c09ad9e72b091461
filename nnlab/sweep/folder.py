"""Reading a sweep folder: the plan its sweep.yaml stores (``load_sweep``) and its trials as
their folders say now (``sweep_rows``, the one reader of a sweep's trials: the summary
written at a sweep's end, ``runs show``, ``runs list``, ``runs compare``, a tune's rounds).

A trial's folder is the truth: what the sweep's summary recorded of a trial is never shown
for it (a trial completed since by ``train --resume`` is COMPLETED; one whose folder cannot
be read DAMAGED, one whose folder is gone MISSING, each with the ``reason``). A trial without
a folder is as the sweep recorded it, the one record there is of it (``runs.absent_trial``):
PENDING, or FAILED with its error (a unit can fail before its folders are made).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from nnlab import runs
from nnlab.errors import RunError
from nnlab.sweep.definition import (
    SweepDef,
    Trial,
    check_colour_by,
    resolve_trial,
    sweep_seed,
)
from nnlab.sweep.spec import parse_spec
from nnlab.sweep.trial import Row, trial_row, trials_dir


def is_sweep(run: runs.RunDir) -> bool:
    return run.file("sweep.yaml").exists()


def load_sweep(run: runs.RunDir) -> tuple[SweepDef, list[Trial]]:
    """The definition and planned trials a sweep folder stores (``sweep.yaml``)."""
    data = run.plan()  # (checked: ``plans.plan_problem``)
    if data is None:
        raise RunError(f"{run.path}: not a sweep folder (no sweep.yaml)")
    source = str(run.file("sweep.yaml"))
    defn = SweepDef(
        name=data["name"],
        base=data["base"],
        spec=parse_spec(data["spec"], f"{source}: spec"),
        overrides=tuple(data.get("overrides") or ()),
        preset=data.get("preset"),
        source=source,
    )
    planned = data["trials"]
    seed0 = sweep_seed(defn)
    trials = []
    for item in planned:
        trial = resolve_trial(defn, item["values"], seed0)
        if (trial.id, trial.seed) != (item["id"], item["seed"]):  # keep the recorded identity
            # (a changed schema default, or a seed an earlier version derived otherwise: a
            # sweep made with eval_batch_size set, before it left the seed, or with a key its
            # trials never read, model.init_std under model.init: he, before that did)
            config = trial.config.model_copy(update={"seed": item["seed"]})
            trial = Trial(item["id"], item["seed"], trial.values, config)
        trials.append(trial)
    return defn, trials


def with_colour_by(run: runs.RunDir, defn: SweepDef, given: str | None = None) -> SweepDef:
    """``defn`` (``run``'s, as ``load_sweep`` reads it) with the key its figure colours by:
    ``given`` (a resume's ``--colour-by``), else the one its meta.json recorded; checked
    (``check_colour_by``)."""
    recorded = run.meta.get("colour_by")
    key = given if given is not None else recorded if isinstance(recorded, str) else None
    defn = dataclasses.replace(defn, colour_by=key)
    check_colour_by(defn)
    return defn


def sweep_rows(run: runs.RunDir, files: bool = True) -> list[Row]:
    """One row per planned trial of a sweep folder, in its plan's order, as the trial's folder
    says now (``trial_states``): ``trial_row``'s fields (``stacked`` from its meta.json, the
    ``error`` of a FAILED one), without a folder as the sweep recorded it (PENDING, FAILED
    with its ``error``), DAMAGED or MISSING with the ``reason``. ``files``: every file of a
    trial checked (``runs show``), else meta.json and summary.json, the rest as
    ``outline.looks_whole`` tells it (``runs list``, a sweep's writers: read whole where it
    looks off)."""
    return [
        trial_row(t.id, t.values, t.seed, state, state.get("error"))
        | ({"reason": state["reason"]} if "reason" in state else {})
        for t, state in trial_states(run, files)
    ]


def tune_rows(run: runs.RunDir, files: bool = False) -> list[Row]:
    """A tune's trials, round by round as its tune.json records them, each row as its folder
    says now (``sweep_rows`` of the round's sweep) with its ``round``; a round whose folder
    is gone (``runs.absent_round``) or cannot be read has none: its MISSING or DAMAGED is
    said with the damage (``listing.trial_damage``)."""
    rows: list[Row] = []
    for entry in run.rounds():
        folder = runs.RunDir(run.path / entry["sweep"]) if "sweep" in entry else None
        if folder is None or runs.absent_round(folder) is not None:
            continue
        try:
            rows += [{**row, "round": entry["round"]} for row in sweep_rows(folder, files)]
        except RunError:
            continue
    return rows


def tune_metric(run: runs.RunDir) -> str:
    """The metric a tune ranks its trials by (its tune.json's settings)."""
    settings = run.read_json_object("tune.json").get("settings")
    metric = settings.get("metric") if isinstance(settings, dict) else None
    return metric if isinstance(metric, str) else "final_val_acc"


def trial_states(run: runs.RunDir, files: bool = True) -> list[tuple[Trial, dict[str, Any]]]:
    """Each planned trial of a sweep folder with what its folder says now, for the commands
    that show a sweep: its status and summary (``describe_folder``: DAMAGED with the
    ``reason`` when a file cannot be read); without a folder, PENDING, FAILED with the
    ``error`` the sweep's summary recorded (it failed before its folder was made), or
    MISSING with the reason when the summary recorded a result and its folder is gone. What the
    sweep's own summary recorded of a trial is never shown for it: the folder is the truth.
    ``files``: every file of a trial checked (``runs show``), else meta.json and summary.json,
    the rest as ``outline.looks_whole`` tells it, read whole where it looks off (``runs list``)."""
    _, trials = load_sweep(run)
    recorded = _recorded(run)
    return [(trial, _trial_state(run, _planned(trial), recorded, files)) for trial in trials]


def unsound_trials(run: runs.RunDir, files: bool = False) -> tuple[int, list[Row]]:
    """(how many trials the sweep planned, those of them DAMAGED or MISSING as ``trial``,
    ``status``, ``reason`` rows), as ``runs list`` checks a sweep: quickly, each trial
    folder's meta.json and summary.json and its other files as ``outline.looks_whole`` tells
    them, read whole where one looks off (``files``: every file, as ``runs show`` does) and
    whether a folder the sweep recorded is gone. The plan is sweep.yaml's trial ids, not its
    resolved configs."""
    planned = (run.config("sweep.yaml") or {}).get("trials", [])
    recorded = _recorded(run)
    states = ((p["id"], _trial_state(run, p, recorded, files=files)) for p in planned)
    bad = [
        {"trial": tid, "status": s["status"], "reason": s["reason"]}
        for tid, s in states
        if s["status"] in (*runs.UNUSABLE, runs.MISSING)
    ]
    stray = runs.unplanned_folders(run, [p["id"] for p in planned])
    bad += [{"trial": p.name, "status": runs.DAMAGED, "reason": runs.unplanned(p)} for p in stray]
    return len(planned) + len(stray), bad


def _planned(trial: Trial) -> dict[str, Any]:
    """A planned trial as sweep.yaml records it (id, seed, values)."""
    return {"id": trial.id, "seed": trial.seed, "values": trial.values}


def _recorded(run: runs.RunDir) -> dict[Any, Any]:
    """Each trial's row as the sweep's summary recorded it (none before it wrote one)."""
    rows = run.summary().get("trials")
    return {r.get("trial"): r for r in rows} if isinstance(rows, list) else {}


def _trial_state(
    run: runs.RunDir, planned: dict[str, Any], recorded: dict[Any, Any], files: bool
) -> dict[str, Any]:
    """What the folder of the ``planned`` trial (sweep.yaml's id, seed, values) says now (see
    ``trial_states``); ``files``: check every file of it (``describe_folder``), not only
    meta.json and summary.json (and the rest where it looks off: ``outline``). A folder of run
    files without its meta.json says so (``runs.is_run_folder``). Another trial's folder in its place is DAMAGED."""
    trial_id = planned["id"]
    folder = runs.RunDir(trials_dir(run) / trial_id)
    foreign = runs.foreign_folder(trials_dir(run)) or runs.foreign_folder(folder.path)
    if foreign is not None:
        return {"status": runs.DAMAGED, "reason": foreign}
    try:  # (a trial folder that cannot be looked into, no permission: said so)
        # (a folder of run files without its meta.json: 'meta.json: missing', as at the top)
        info = runs.describe_folder(folder, files=files) if runs.is_run_folder(folder.path) else {}
    except RunError as exc:
        return {"status": runs.error_status(exc), "reason": str(exc)}
    if "reason" in info and os.path.lexists(folder.path):
        return {"status": info["status"], "reason": info["reason"]}
    if info and "reason" not in info:
        seed, values = planned.get("seed"), planned.get("values")
        other = runs.foreign_trial(run, folder, trial_id, seed, values, info["meta"])
        if other is not None:
            return {"status": runs.DAMAGED, "reason": other}
        return {**info["summary"], **_recorded_by_meta(info["meta"]), "status": info["status"]}
    # (no folder; or one removed as it was read, by a resume that runs the trial again)
    return runs.absent_trial(folder.path, recorded.get(trial_id))


def _recorded_by_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """What a trial's row takes from its meta.json: ``stacked`` (the nets it trained beside,
    1 if it does not say) and a FAILED trial's ``error``."""
    error = meta.get("error") if meta.get("status") == "FAILED" else None
    return {"stacked": meta.get("stacked", 1), **({"error": error} if error is not None else {})}
