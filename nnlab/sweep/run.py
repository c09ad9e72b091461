"""A sweep's folder: planning it, running its units on an executor, resuming it, its summary.

    runs/<stamp>-sweep-<name>-<id>/
        sweep.yaml            the spec, base config, fixed overrides and the planned trials
        meta.json             kind sweep, status (RUNNING / COMPLETED / FAILED / INTERRUPTED)
        trials/<trial id>/    one run folder per trial (config.yaml, metrics.jsonl, ...)
        summary.json          one row per trial: swept values, seed, status, final/best metrics
        summary.csv, summary.txt, curves.png (or a preset's own figures)

A failed trial is recorded as FAILED and the sweep goes on; a killed or interrupted sweep is
continued by ``resume_sweep``, which runs only what is missing.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from nnlab import runs, signals
from nnlab.build import stack_key
from nnlab.output import counted
from nnlab.plans import content_hash
from nnlab.run_errors import own_failure
from nnlab.sweep.definition import (
    SweepDef,
    Trial,
    check_colour_by,
    plan,
    sweep_seed,
    trial_overrides,
)
from nnlab.sweep.executors import Executor, check_stack, executor_options, make_executor
from nnlab.sweep.finish import (
    finish_sweep,
    get_ready,
    painters_for,
    prepare_figures,
)
from nnlab.sweep.folder import (  # (re-exported: reading a sweep folder)
    load_sweep as load_sweep,
    sweep_rows,
    tune_rows,
)
from nnlab.sweep.resume_plan import resume_actions
from nnlab.sweep.trial import (
    STOP_FILE,
    Row,
    TrialTask,
    check_trials,
    make_units,
    trials_dir,
)

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_STACK = 8  # trials per stack: past ~8 the stacked arrays outgrow the caches


@dataclass
class SweepResult:
    """How a sweep (or a resume) ended: folder, status, one row per trial, and what ran now."""

    run: runs.RunDir
    defn: SweepDef
    status: str
    rows: list[Row]
    ran: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.get("status") == "FAILED"]


StartFn = Callable[[runs.RunDir, int, int], None]  # (sweep folder, trials already done, total)
# (done, total, the finished trial's row, trials ended by now: done and the rest of its
# unit, a stack's trials ending together, whose rows come next)
TrialFn = Callable[[int, int, Row, int], None]


def sweep_yaml(defn: SweepDef, trials: list[Trial]) -> str:
    data = {
        "name": defn.name,
        "preset": defn.preset,
        "spec": defn.spec.model_dump(exclude={"colour_by"}),  # (meta.json records it)
        "base": defn.base,
        "overrides": list(defn.overrides),
        "trials": [{"id": t.id, "seed": t.seed, "values": t.values} for t in trials],
    }
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)


def _task(
    run: runs.RunDir, defn: SweepDef, trial: Trial, data_dir: Path | None, action: str
) -> TrialTask:
    return TrialTask(
        trial_id=trial.id,
        seed=trial.seed,
        values=trial.values,
        config=trial.config.model_dump(mode="json"),
        trials_dir=str(trials_dir(run).resolve()),  # absolute: workers may run elsewhere
        data_dir=str(Path(data_dir).resolve()) if data_dir else None,
        action=action,  # type: ignore[arg-type]
        sweep=run.id,
        overrides=tuple(trial_overrides(defn, trial.values)),  # (as its config was made)
    )


def summary_row(row: Row) -> Row:
    """A trial's row (``sweep_rows``: as its folder says now) as the sweep's summary records it
    at the sweep's end, in the statuses a summary holds: a folder that cannot be read is a
    FAILED trial with the reason as its error, one not there PENDING (the sweep's own
    summary is being written: nothing it recorded before is missing from it)."""
    plain = {k: v for k, v in row.items() if k != "reason"}
    if row["status"] in runs.UNUSABLE:
        return {**plain, "status": "FAILED", "error": row.get("reason")}
    return {**plain, "status": "PENDING"} if row["status"] == runs.MISSING else plain


def end_rows(run: runs.RunDir, reported: dict[str, Row]) -> list[Row]:
    """The rows of the summary written at the end of the sweep ``run``, one path for every
    trial: a trial with a folder as its folder says (``sweep_rows``, ``summary_row``),
    whatever its worker ``reported`` of it (a trial that stopped at the sweep's STOP file
    reported INTERRUPTED with no epochs, its folder has them and its metrics), but one that
    FAILED unrecorded (``as_reported``); a trial without one as its worker reported it (a unit
    that FAILED before its folders were made), else as the reader says (PENDING, or FAILED as
    the sweep recorded it before)."""
    out = []
    for row in sweep_rows(run, files=False):
        has_folder = (trials_dir(run) / row["trial"] / "meta.json").exists()
        mine = reported.get(row["trial"])
        if not has_folder and mine and mine["status"] == "FAILED":
            out.append(mine)
        else:
            out.append(as_reported(summary_row(row), mine))
    return out


def as_reported(row: Row, reported: Row | None) -> Row:
    """A trial's ``row`` as its folder says, or as its worker ``reported`` it: FAILED, where
    the folder could not record that (a full disk: it still says RUNNING, STALE once its
    process is gone), or where its resume failed before it began (the folder is as the
    interruption left it: INTERRUPTED, to resume again). Its sweep (or tune) took it for a
    trial not ended: INTERRUPTED, exit 130, with no signal sent."""
    ended_unrecorded = ("RUNNING", runs.STALE, "INTERRUPTED")
    if row["status"] in ended_unrecorded and reported and reported["status"] == "FAILED":
        return reported
    return row


def tune_children(run: runs.RunDir, reported: list[Row]) -> dict[str, str]:
    """The status of each trial of the tune ``run`` (its ``Lifecycle.children``) as its
    folder says, or as its round ``reported`` it (``as_reported``)."""
    mine = {row["trial"]: row for row in reported}
    return {
        f"{row['round']}/{row['trial']}": as_reported(row, mine.get(row["trial"]))["status"]
        for row in tune_rows(run)
    }


SWEEP_RESUME = "nnlab sweep --resume {path}"


def _execute(
    life: runs.Lifecycle,
    defn: SweepDef,
    trials: list[Trial],
    todo: list[TrialTask],
    rows: dict[str, Row],
    executor: Executor,
    workers: int,
    stack: int,
    on_start: StartFn | None,
    on_trial: TrialFn | None,
    painters: list[Any],
) -> SweepResult:
    """Run the ``todo`` trials in the open sweep folder; its summary is written however the
    sweep ends (its figures by ``painters``, where there are)."""
    run = life.run
    t0 = time.perf_counter()
    keys = {t.id: stack_key(t.config) for t in trials}
    units = make_units(todo, keys, stack, workers)
    total = len(trials)
    done = total - len(todo)
    skipped = [t.id for t in trials if t.id in rows]

    ordered = _ending(life, defn, rows, painters)
    # (trials/ made here, not by whichever worker makes its first trial folder: two made it
    # at once, the one to find it missing first, so which worker made which mkdir call, and
    # how many, changed from run to run, as did a fault injected at a worker's N-th mkdir)
    trials_dir(run).mkdir(exist_ok=True)
    executor.start(len(units))  # (forks local workers before on_start starts a progress bar)
    # the figures' parts that need no results: now, on a core left idle from the start, else
    # on the idle time the workers leave (built at the latest as they end, not after)
    idle = workers >= (os.cpu_count() or 1)
    prepare_figures(defn, trials, painters, idle=idle)
    ready = functools.partial(get_ready, painters)
    if on_start is not None:
        on_start(run, done, total)

    try:
        executor.run(units, _Tally(rows, units, workers, done, total, on_trial, ready))
    except KeyboardInterrupt:
        with signals.deferred():  # (a second stop signal, as ``timeout`` sends, waits for this)
            run.write_text(STOP_FILE, "interrupted: trials still running elsewhere stop here\n")
            for task in todo:  # trials whose worker was killed before it could record its end
                runs.settle_stale(runs.RunDir(trials_dir(run) / task.trial_id))
        raise
    final = ordered()
    failed = [r for r in final if r["status"] == "FAILED"]
    if failed:  # the folder says why, as a run that FAILED does
        first = own_failure(failed)
        error = f"{len(failed)} of {counted(len(final), 'trial')} FAILED (e.g. {first['trial']}: "
        life.end_as("FAILED", error=f"{error}{first.get('error')})")
    status = "FAILED" if failed else "COMPLETED"
    ran = [t.trial_id for t in todo if t.action == "run"]
    resumed = [t.trial_id for t in todo if t.action == "resume"]
    return SweepResult(
        run, defn, status, final, ran, resumed, skipped, seconds=time.perf_counter() - t0
    )


def _ending(
    life: runs.Lifecycle, defn: SweepDef, rows: dict[str, Row], painters: list[Any]
) -> Callable[[], list[Row]]:
    """How the open sweep folder ends, however it ends: its summary and figures written from
    its trials' rows (``end_rows``, read once: as the sweep ends, its trials have ended), and
    the trials are its children (``Lifecycle.children``: one stopped at the STOP file, or not
    begun, and the sweep ends INTERRUPTED, not COMPLETED). The function giving the rows."""
    ended: list[Row] = []

    def ordered() -> list[Row]:
        if not ended:
            ended.extend(end_rows(life.run, rows))
        return ended

    life.on_end(lambda status: finish_sweep(life, defn, ordered(), status, painters))
    life.children(lambda: {row["trial"]: row["status"] for row in ordered()})
    return ordered


class _Tally:
    """Each finished trial's row as it comes (``on_row``): kept in ``rows``, counted, passed to
    ``on_trial``; when the units left leave a worker idle, ``on_idle`` (the finish gets ready
    on that core: ``finish.get_ready``)."""

    def __init__(
        self, rows: dict[str, Row], units: list[Any], workers: int, done: int, total: int,
        on_trial: TrialFn | None, on_idle: Callable[[], Any] | None,
    ) -> None:  # fmt: skip
        self.rows, self.workers, self.done, self.total = rows, workers, done, total
        self.on_trial, self.on_idle = on_trial, on_idle
        self.unit_of = {t.trial_id: i for i, unit in enumerate(units) for t in unit}
        self.open_units = {i: len(unit) for i, unit in enumerate(units)}

    def __call__(self, row: Row) -> None:
        self.rows[row["trial"]] = row
        self.done += 1
        unit = self.unit_of.get(row["trial"])
        if unit in self.open_units:
            self.open_units[unit] -= 1
            if not self.open_units[unit]:
                del self.open_units[unit]
                if len(self.open_units) == self.workers - 1 and self.on_idle is not None:
                    self.on_idle()  # (from now on a worker is idle)
        if self.on_trial is not None:
            rest = self.open_units.get(unit, 0) if unit is not None else 0
            self.on_trial(self.done, self.total, row, self.done + rest)


def with_executor(fn: F) -> F:
    """``run_sweep`` / ``resume_sweep`` with the stack size checked and, when no executor is
    given, one made for ``jobs`` workers and closed at the end."""

    @functools.wraps(fn)
    def wrapper(target: Any, **kwargs: Any) -> Any:
        check_stack(kwargs.get("stack", DEFAULT_STACK))
        if kwargs.get("executor") is not None:
            return fn(target, **kwargs)
        with closing(make_executor(kwargs.get("jobs", 1))) as own:
            return fn(target, **{**kwargs, "executor": own})

    return wrapper  # type: ignore[return-value]


@with_executor
def run_sweep(
    defn: SweepDef,
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    folder: str | None = None,
    jobs: int = 1,
    stack: int = DEFAULT_STACK,
    executor: Executor | None = None,
    on_start: StartFn | None = None,
    on_trial: TrialFn | None = None,
    painters: list[Any] | None = None,
    nested: bool = False,
) -> SweepResult:
    """Plan the sweep, create its folder and run every trial.

    ``folder``: the folder's name under ``runs_dir`` (default: a stamp, the name and an id).
    ``runs_dir`` may not be inside a run folder (``runs.check_new_root``) unless ``nested``:
    the sweep is a part of that run (a tune's round).

    ``stack``: trials that differ only in seed, initial weights, learning rate and weight decay
    train side by side in stacks of up to this many (1: each alone; the numbers are the same
    either way).
    ``painters``: the figures' painters (``plots.painters``) if the caller started them.
    Config errors (any trial's config invalid) and data errors raise before the folder exists.
    """
    assert executor is not None  # (given by with_executor)
    if not nested:
        runs.check_new_root(runs_dir)
    check_colour_by(defn)
    trials = plan(defn)
    check_trials(defn, trials, data_dir, stack, jobs, root=runs_dir)
    executor.check(len(trials))  # (the workers that start for them: --jobs 64 for 2 trials, 2)
    workers = executor.workers  # (asks a Dask scheduler, once: failing before the folder)
    plan_text = sweep_yaml(defn, trials)
    with (
        painters_for(defn, painters) as painters,
        runs.start(
            runs_dir,
            f"sweep-{defn.name}",
            "sweep",
            folder=folder,
            resume=SWEEP_RESUME,
            name=defn.name,
            preset=defn.preset,
            seed=sweep_seed(defn),
            axes=list(defn.spec.params),
            colour_by=defn.colour_by,  # (a resume colours its figure by it too)
            n_trials=len(trials),
            jobs=jobs,
            stack=stack,
            **executor_options(executor),  # (what it ran on; a resume not told otherwise too)
            data_dir=runs.data_dir_text(data_dir),
            plan_hash=content_hash(yaml.safe_load(plan_text)),  # (as its readers will see it)
            files={"sweep.yaml": plan_text},
        ) as life,
    ):
        todo = [_task(life.run, defn, t, data_dir, "run") for t in trials]
        return _execute(life, defn, trials, todo, {}, executor, workers, stack, on_start, on_trial,
                        painters)  # fmt: skip


@with_executor
def resume_sweep(
    run: runs.RunDir,
    *,
    data_dir: Path | None = None,
    jobs: int = 1,
    stack: int = DEFAULT_STACK,
    executor: Executor | None = None,
    on_start: StartFn | None = None,
    on_trial: TrialFn | None = None,
    painters: list[Any] | None = None,
    colour_by: str | None = None,
) -> SweepResult:
    """Continue a sweep: only the missing trials run (fresh ones in stacks of ``stack``);
    ``colour_by``: the swept key its figure colours by from now on (default: the one it was
    started with, if any).

    COMPLETED and DIVERGED trials are kept; INTERRUPTED and STALE (killed) trials continue from
    their checkpoint; FAILED trials, folders without a checkpoint or without meta are removed and
    run again; trials not started run. A trial folder that cannot be read as written (DAMAGED)
    refuses the resume before anything changes (``check_trial_folders``).
    """
    assert executor is not None  # (given by with_executor)
    with runs.released(run):  # (refused once claimed, or nothing to do: the folder is let go)
        runs.take_over(run, "sweep ")  # before any trial folder is removed: one at a time
        return _resume_sweep(
            run, data_dir, stack, executor, on_start, on_trial, painters, jobs, colour_by
        )


def _resume_sweep(
    run: runs.RunDir,
    data_dir: Path | None,
    stack: int,
    executor: Executor,
    on_start: StartFn | None,
    on_trial: TrialFn | None,
    painters: list[Any] | None,
    jobs: int,
    colour_by: str | None,
) -> SweepResult:
    defn, trials, actions, data_dir = resume_actions(run, data_dir, stack, jobs, colour_by)
    kept = (row for row in sweep_rows(run, files=False) if actions[row["trial"]] == "keep")
    rows = {row["trial"]: summary_row(row) for row in kept}
    pending = [t for t in trials if actions[t.id] != "keep"]
    runs.refuse_finished(run, len(pending))  # (before any folder is removed)
    executor.check(len(pending))  # (the workers that start for them, as ``run_sweep``'s)
    todo = []
    for trial in pending:
        action = actions[trial.id]
        if action == "rerun":
            runs.RunDir(trials_dir(run) / trial.id).remove()
        todo.append(_task(run, defn, trial, data_dir, "resume" if action == "resume" else "run"))
    workers = executor.workers  # (asks a Dask scheduler, once: failing before any change)
    run.file(STOP_FILE).unlink(missing_ok=True)  # every trial has stopped: none must see it now
    with (
        painters_for(defn, painters) as painters,
        runs.reopen(
            run,
            resume=SWEEP_RESUME,
            jobs=jobs,
            stack=stack,
            executor=executor.describe(),
            todo=len(todo),
        ) as life,
    ):
        if colour_by is not None:  # (the next resume's, too)
            life.note(colour_by=colour_by)
        return _execute(life, defn, trials, todo, rows, executor, workers, stack, on_start,
                        on_trial, painters)  # fmt: skip
