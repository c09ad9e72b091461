"""Units of work: the trials an executor runs together (one trial, or one stack of trials that
train side by side) as plain data, and ``run_unit``, what a worker does with one; before any
runs, ``check_trials``: every trial trainable on its data.
"""

from __future__ import annotations

import collections
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from nnlab import runs, signals
from nnlab.build import stack_key
from nnlab.config import validate
from nnlab.config_model import Config
from nnlab.errors import ConfigError, NnlabError, RunError
from nnlab.output import counted
from nnlab.sweep.definition import SweepDef, Trial, base_config, trial_error

Row = dict[str, Any]


def trials_dir(run: runs.RunDir) -> Path:
    """Where a sweep folder keeps its trials' folders."""
    return run.file(runs.TRIALS)


@dataclass(frozen=True)
class TrialTask:
    """A unit of work for an executor: plain data, so it can travel to another process/host.

    ``action``: ``run`` (a fresh folder ``<trials_dir>/<trial_id>``) or ``resume`` (continue the
    interrupted run in that folder from its checkpoint).
    """

    trial_id: str
    seed: int
    values: dict[str, Any]
    config: dict[str, Any]
    trials_dir: str
    data_dir: str | None
    action: Literal["run", "resume"] = "run"
    sweep: str = ""
    overrides: tuple[str, ...] = ()


_DATA_CACHE: dict[tuple[str, str, str], Any] = {}


def cached_dataset(cfg: Config, data_dir: Path | str | None) -> Any:
    """The dataset ``cfg`` needs, loaded once per process (workers reuse it across trials)."""
    from nnlab.data import load_dataset

    key = (cfg.dataset.model_dump_json(), str(data_dir or ""), cfg.dtype)
    if key not in _DATA_CACHE:
        _DATA_CACHE[key] = load_dataset(cfg.dataset, data_dir, cfg.dtype)
    return _DATA_CACHE[key]


def check_trials(
    defn: SweepDef,
    trials: list[Trial],
    data_dir: Path | None,
    stack: int = 1,
    jobs: int = 1,
    rounds: int | None = None,
    root: Path | None = None,
    done: dict[str, int] | None = None,
    resume: bool = False,
) -> None:
    """Load each distinct dataset once up front and check every trial of ``defn`` against its
    data (batch size, loss and classes, splits, the memory its nets need: a stack of up to
    ``stack`` in each of ``jobs`` workers at once), and the trials' work together, ``rounds``
    times for a tune's rounds of such sweeps (None: a sweep's), and the space their folders take under ``root``
    (where the sweep's folder goes; None: not checked): a missing file or a trial that cannot
    train is one error before the folder exists, not N FAILED trials after it (``done``: the
    epochs a resumed trial, by id, has done, whose work is not counted again; ``resume``: the
    work limit's advice is a resume's). An error the
    base config has as well is said as ``train`` says it, not blamed on a trial
    (``trial_error``)."""
    from nnlab.experiments.checks import (
        check_compatible,
        check_net_before_data,
        check_total_disk,
        check_total_work,
    )

    keys = {t.id: stack_key(t.config) if stack > 1 else None for t in trials}
    group = collections.Counter(keys.values())  # trials that may share a stack
    workers = max(1, min(jobs, len(trials)))
    for trial in trials:
        stacked = keys[trial.id]
        nets = (min(stack, group[stacked]) if stacked else 1) * workers  # (each worker: one)
        try:
            check_net_before_data(trial.config, nets)
            data = cached_dataset(trial.config, data_dir)
            check_compatible(trial.config, data, nets=nets, resume=resume)
        except ConfigError as exc:
            text = str(exc)
            key = text.split(":")[0].split(" ")[0]  # ("batch_size: ...", "training <net> ...")
            base = functools.partial(_base_data_error, defn, text, data_dir, nets, resume)
            raise trial_error(defn, trial.values, key, text, base) from None
    runs_of = [(t.config, cached_dataset(t.config, data_dir)) for t in trials]
    what = f"the sweep ({counted(len(trials), 'trial')})"
    if rounds is not None:  # (a tune of one round is a tune too)
        what = f"the tune ({counted(rounds, 'round')} of {counted(len(trials), 'trial')})"
    epochs = [(done or {}).get(t.id, 0) for t in trials]
    check_total_work(what, runs_of, times=rounds or 1, done=epochs, resume=resume)
    if root is not None:
        check_total_disk(what, runs_of, root, times=rounds or 1)


def _base_data_error(
    defn: SweepDef, text: str, data_dir: Path | None, nets: int, resume: bool = False
) -> str | None:
    """``text`` when the base config (without the swept values), checked against its data as
    the trials are (``resume``: as a resume's), fails with this very error; else None (valid,
    or another error)."""
    from nnlab.experiments.checks import check_compatible, check_net_before_data

    try:
        cfg = validate(base_config(defn))
        check_net_before_data(cfg, nets)
        check_compatible(cfg, cached_dataset(cfg, data_dir), nets=nets, resume=resume)
    except NnlabError as exc:
        return text if str(exc) == text else None
    return None


def trial_row(
    trial_id: str,
    values: dict[str, Any],
    seed: int,
    summary: dict[str, Any],
    error: str | None = None,
) -> Row:
    """A summary row: trial, swept values, seed, status, ``epochs_done`` (the epochs it trained,
    as ``runs list`` and ``runs compare`` name them: ``epochs`` is the config key, which a sweep
    of ``epochs`` swept and the row read as the epochs done), ``diverged_epoch`` (a DIVERGED
    trial), final/best metrics as its summary has them (``nnlab.summary``'s rule: a diverged
    trial's finals are null), seconds (the trial's share of its stack's time) and ``stacked``
    (the nets in that stack)."""
    row: Row = {"trial": trial_id, **values, "seed": seed, "status": summary.get("status")}
    row["epochs_done"] = summary.get("epochs")
    if "diverged_epoch" in summary:
        row["diverged_epoch"] = summary["diverged_epoch"]
    for prefix in ("final_", "best_"):
        row.update({k: v for k, v in summary.items() if k.startswith(prefix)})
    if "seconds" in summary:
        row["seconds"] = summary["seconds"]
    if "stacked" in summary:
        row["stacked"] = summary["stacked"]
    if error is not None:
        row["error"] = error
    return row


Unit = tuple[TrialTask, ...]  # trials an executor runs together: one, or one stack


def row_from_folder(trial_id: str, values: dict[str, Any], seed: int, folder: runs.RunDir) -> Row:
    """A trial's row as its run folder tells it: its status and summary,
    the error of a FAILED one; FAILED with the reason if the folder cannot be read."""
    try:
        status, summary, meta = folder.status, folder.summary(), folder.meta
    except RunError as exc:
        return trial_row(trial_id, values, seed, {"status": "FAILED"}, str(exc))
    error = meta.get("error") if status == "FAILED" else None
    summary = {**summary, "status": status, "stacked": meta.get("stacked", 1)}
    return trial_row(trial_id, values, seed, summary, error)


def failed_rows(unit: Unit, error: str | BaseException) -> list[Row]:
    """The rows of a ``unit`` that failed: FAILED with the ``error`` (an exception: as each
    trial's folder records it, ``runs.error_in``), ``stacked`` as the unit's folders record it
    (``run_trainings``: the nets trained side by side)."""
    failed = {"status": "FAILED", "stacked": len(unit)}
    return [
        trial_row(t.trial_id, t.values, t.seed, failed,
                  error if isinstance(error, str)
                  else runs.error_in(Path(t.trials_dir) / t.trial_id, error))
        for t in unit
    ]  # fmt: skip


STOP_FILE = "STOP"  # in a sweep folder: an interrupted sweep asks its remote trials to stop
RESUMED_BY_SWEEP = "sweep"  # a trial's ``resumes`` entry: its sweep's worker resumed it


def watches_stop(meta: dict[str, Any]) -> bool:
    """A RUNNING trial (its meta.json ``meta``) stops at its sweep's STOP file: its sweep's
    worker runs it (started, or last resumed, by the sweep: ``run_unit``), not a ``train
    --resume`` of it alone, which trains it to its end whatever the sweep asks."""
    resumes = meta.get("resumes") or []
    last = resumes[-1] if isinstance(resumes, list) and resumes else None
    return last is None or (isinstance(last, dict) and last.get("by") == RESUMED_BY_SWEEP)


class StopRequested(KeyboardInterrupt):
    """The sweep folder holds ``STOP_FILE``: a trial stops after its epoch, as if interrupted."""


def _stop_check(sweep_dir: Path) -> Callable[[Any, Any], None]:
    """A ``progress`` callback for the training driver (after every epoch's record and
    checkpoint): raises ``StopRequested`` once ``sweep_dir/STOP`` exists."""
    marker = sweep_dir / STOP_FILE

    def check(record: Any, cfg: Any) -> None:
        if marker.exists():
            raise StopRequested

    return check


def run_unit(unit: Unit) -> list[Row]:
    """Run (or resume) the trials of ``unit`` into their run folders; their summary rows.

    A unit is one trial (``run`` or ``resume``) or several fresh trials with one stack key,
    trained side by side (``run_trainings``: the same numbers as one by one). BLAS is pinned to
    one thread. Any exception becomes FAILED rows carrying the error; a KeyboardInterrupt
    propagates (the training driver marks the folders INTERRUPTED). A trial whose sweep was
    interrupted while it ran on a worker the sweep cannot terminate (a Dask cluster's) sees the
    sweep's ``STOP`` file after its next epoch and stops the same way: its folder says
    INTERRUPTED, with its checkpoint, and ``--resume`` continues it. A unit that begins once
    the ``STOP`` file is there does not start: its trials stay as they were (PENDING, or
    INTERRUPTED to resume), with no folder made for a stop to cut short.
    """
    from threadpoolctl import threadpool_limits

    from nnlab.experiments.train import resume_training, run_trainings

    first = unit[0]
    data_dir = Path(first.data_dir) if first.data_dir else None
    if (Path(first.trials_dir).parent / STOP_FILE).exists():
        status = "INTERRUPTED" if first.action == "resume" else "PENDING"
        return [trial_row(t.trial_id, t.values, t.seed, {"status": status}) for t in unit]
    stop = _stop_check(Path(first.trials_dir).parent)
    with threadpool_limits(limits=1):
        try:
            cfgs = [validate(t.config, source=f"trial {t.trial_id}") for t in unit]
            data = cached_dataset(cfgs[0], data_dir)
            if first.action == "resume":
                (task,) = unit
                run = runs.RunDir(Path(task.trials_dir) / task.trial_id)
                results = [  # (one thread, as the trial began, whatever its folder says)
                    resume_training(run, data_dir=data_dir, data=data, plot=False, progress=stop,
                                    threads=1, by=RESUMED_BY_SWEEP)
                ]  # fmt: skip
            else:
                results = run_trainings(
                    cfgs, data_dir=data_dir, runs_dir=Path(first.trials_dir),
                    overrides=[list(t.overrides) for t in unit],
                    folders=[t.trial_id for t in unit], data=data, plot=False, progress=stop,
                    extra_meta=[{"trial": _identity(t), "blas_threads": 1} for t in unit],
                )  # fmt: skip
        except StopRequested:  # the folders say INTERRUPTED (the driver marked them)
            return [
                trial_row(t.trial_id, t.values, t.seed, {"status": "INTERRUPTED"}) for t in unit
            ]
        except Exception as exc:  # (as the trial's folder records it: runs.describe_error)
            interrupt = signals.as_interrupt(exc)  # (an interrupt a library raised as its
            if interrupt is not exc:  # own error: it stops the sweep, as one raised as itself)
                raise interrupt from exc
            return failed_rows(unit, exc)
    stacked = len(results)
    return [
        trial_row(t.trial_id, t.values, t.seed, {**r.summary, "stacked": stacked})
        for t, r in zip(unit, results)
    ]


def _identity(task: TrialTask) -> dict[str, Any]:
    """What a trial's meta.json records of its place in the sweep."""
    return {"id": task.trial_id, "sweep": task.sweep, "seed": task.seed, "values": task.values}


def run_unit_in_worker(unit: Unit) -> list[Row]:
    """``run_unit`` in a pool worker: terminated by the sweep (SIGTERM, an interrupt), the
    trials' lifecycles record INTERRUPTED, then the worker exits at once. The stop signals
    interrupt the whole unit, not only its lifecycles' blocks (a folder being made is removed)."""
    try:
        with signals.SignalsAsInterrupts():
            return run_unit(unit)
    except KeyboardInterrupt:
        os._exit(130)


class Planned(Protocol):
    """What the grouping into units reads of a task: its trial's id and what it does."""

    @property
    def trial_id(self) -> str: ...

    @property
    def action(self) -> str: ...


T = TypeVar("T", bound=Planned)


def make_units(
    tasks: Sequence[T], keys: dict[str, str | None], stack: int, jobs: int
) -> list[tuple[T, ...]]:
    """Group ``tasks`` (``TrialTask``s, or anything with their ``trial_id`` and ``action``: a
    dry run's) into units: fresh trials with the same stack key (``keys[trial id]``,
    None: cannot stack) in stacks of at most ``stack``, sized evenly; resumed trials alone.
    Stacks are split further until every one of ``jobs`` workers has a unit, when possible.
    Largest units first, so that the single trials fill in at the end."""
    groups: dict[str, list[T]] = {}
    units: list[list[T]] = []
    for task in tasks:
        key = keys.get(task.trial_id)
        if task.action == "run" and key is not None and stack > 1:
            groups.setdefault(key, []).append(task)
        else:
            units.append([task])
    for group in groups.values():
        units.extend(deal(group, -(-len(group) // stack)))
    while len(units) < jobs:
        biggest = max(units, key=len, default=[])
        if len(biggest) < 2:
            break
        units.remove(biggest)
        units.extend(deal(biggest, 2))
    return [tuple(u) for u in sorted(units, key=len, reverse=True)]


def deal(items: list[T], parts: int) -> list[list[T]]:
    """``items`` dealt round-robin into ``parts`` stacks whose lengths differ by at most one
    (item i to stack i mod parts). Trials come in the order of the swept values, and the nets
    that stop early (they diverge at the largest scales or rates) sit at one end: dealt, every
    stack gets its share of them and the stacks take about as long, where consecutive runs
    would give one stack all the short-lived nets and leave a worker idle at the end."""
    return [items[i::parts] for i in range(min(parts, len(items)))]
