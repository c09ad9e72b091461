"""A sweep's dry run: what ``run_sweep`` (or ``resume_sweep``) would do, checked as they check
it, with nothing written.

``preview_sweep`` plans a new sweep's trials, checks each against its data and the work and
memory limits (``check_trials``, the very checks a run makes before its folder exists) and
groups them into the units they would train in (``make_units``: stacks of up to ``stack``
nets, split until each of ``jobs`` workers has one). ``preview_resume`` says what a resume
would do with each trial of a stopped sweep (keep, resume from its checkpoint, run again, run)
after the resume's own checks, without claiming the folder or removing anything.
"""

from __future__ import annotations

import collections
import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from nnlab import runs
from nnlab.build import stack_key
from nnlab.limits import (
    BASE_DEPTH,
    MEMORY_GBPS,
    NOMINAL_GFLOPS,
    STEP_SECONDS,
    fixed_seconds,
    training_hours,
    work_limit,
)
from nnlab.output import Table, counted
from nnlab.sweep.definition import SweepDef, Trial, check_colour_by, plan
from nnlab.sweep.executors import check_stack
from nnlab.sweep.resume_plan import resume_actions, resumed_epochs
from nnlab.sweep.trial import Row, cached_dataset, check_trials, make_units
from nnlab.sweep.variants import override_key_of, partial

ACTIONS = {  # what a resume does with a trial (``resume_plan.resume_action``), as a dry run says it
    "keep": "kept (finished)",
    "resume": "resume from its checkpoint",
    "rerun": "run again (its folder is removed)",
    "run": "run (not started)",
}


@dataclass(frozen=True)
class Preview:
    """A sweep's trials as a dry run shows them (``rows``: trial, swept values, seed, the stack
    it trains in, and for a resume what happens to it: an ``ACTIONS`` key), the sizes of the units the trials to
    run train in, and their work: the matrix products' floating-point operations and the
    training steps and evaluation batches (``limits.training_work``; a resumed trial: the
    epochs after its checkpoint). ``rounds``: a tune's first round, which the work limit counts that many
    times (``tune.preview_tune``)."""

    defn: SweepDef
    rows: list[Row]
    units: list[int]
    flop: float
    steps: int
    evaluations: int = 0  # evaluation batches (each costed as a step by the work limit)
    folder: Path | None = None  # (a resume's sweep folder)
    rounds: int = 1
    fixed: float | None = None  # the steps' and batches' fixed cost (``limits.fixed_seconds``)
    moved: float = 0.0  # bytes of their elementwise passes (``costs.elementwise_bytes``)

    @property
    def hours(self) -> float:
        """The work at the nominal rates of the work limit (``limits.training_hours``), all
        ``rounds`` of it."""
        work = (self.flop, self.steps + self.evaluations, self.fixed, self.moved)
        return training_hours(*work) * self.rounds

    def summary(self, jobs: int) -> str:
        """One line: how many trials train in which stacks on how many workers, their work."""
        running = sum(self.units)
        if not running:
            return f"{counted(len(self.rows), 'trial')}, all finished: nothing to run"
        sizes = collections.Counter(self.units)
        stacks = [f"{counted(n, 'stack')} of {size}" for size, n in sorted(sizes.items(),
                  reverse=True) if size > 1]  # fmt: skip
        alone = sizes.get(1, 0)
        parts = stacks + ([f"{alone} alone"] if alone else [])
        workers = min(jobs, len(self.units))
        return (
            f"{counted(running, 'trial')} to train ({', '.join(parts)}) on "
            f"{counted(workers, 'worker')}: {self.flop / 1e9:,.1f} GFLOP of matrix products and "
            f"{counted(f'{self.steps:,}', 'training step')} (and "
            f"{counted(f'{self.evaluations:,}', 'evaluation batch', 'evaluation batches')}); "
            f"{counted(self.rounds, 'round') + ' of such work: ' if self.rounds > 1 else ''}the work limit counts it as "
            f"{_seconds(self.hours * 3600)} of its {_seconds(work_limit() * 3600)} (nominal "
            f"rates: {NOMINAL_GFLOPS:g} GFLOP/s, {MEMORY_GBPS:g} GB/s of elementwise passes, "
            f"{STEP_SECONDS * 1e3:g} ms a step or evaluation batch"
            f"{self._deeper}; a lower bound)"
        )

    @property
    def _deeper(self) -> str:
        """What the summary adds when deep nets' steps cost more (``limits.step_seconds``)."""
        plain = (self.steps + self.evaluations) * STEP_SECONDS
        deep = self.fixed is not None and not math.isclose(self.fixed, plain)
        return f", more past {BASE_DEPTH} hidden layers" if deep else ""


def preview_sweep(
    defn: SweepDef,
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    jobs: int = 1,
    stack: int = 8,
    rounds: int | None = None,
) -> Preview:
    """What ``run_sweep(defn, ...)`` would run: its trials checked as it checks them (a
    ConfigError or DataError as it raises it), their stacks and work; ``rounds``: a tune's
    first round, checked as ``rounds`` such sweeps (as ``tune`` checks it; None: a sweep)."""
    check_stack(stack)
    runs.check_new_root(runs_dir)
    check_colour_by(defn)
    trials = plan(defn)
    check_trials(defn, trials, data_dir, stack, jobs, rounds=rounds, root=runs_dir)
    preview = _preview(defn, trials, dict.fromkeys((t.id for t in trials), "run"), data_dir,
                       jobs, stack)  # fmt: skip
    return dataclasses.replace(preview, rounds=rounds or 1)


def preview_resume(
    run: runs.RunDir,
    *,
    data_dir: Path | None = None,
    jobs: int = 1,
    stack: int = 8,
    colour_by: str | None = None,
) -> Preview:
    """What ``resume_sweep(run, ...)`` would do with each trial, after the checks it makes
    before it changes anything (damaged trial folders, the pending trials against their data,
    each resumed trial's checkpoint); the folder is not claimed, nothing is removed."""
    check_stack(stack)
    runs.own(run)
    runs.refuse_running(run, "sweep ")  # (as the resume's take_over, without claiming it)
    defn, trials, actions, data_dir = resume_actions(run, data_dir, stack, jobs, colour_by)
    runs.refuse_finished(run, sum(action != "keep" for action in actions.values()))
    done = resumed_epochs(run, actions)
    preview = _preview(defn, trials, actions, data_dir, jobs, stack, done, resume=True)
    return dataclasses.replace(preview, folder=run.path)


def _preview(
    defn: SweepDef,
    trials: list[Trial],
    actions: dict[str, str],
    data_dir: Path | None,
    jobs: int,
    stack: int,
    done: dict[str, int] | None = None,
    resume: bool = False,
) -> Preview:
    """The rows, units and work of ``trials`` given what happens to each (``actions``: "run"
    for every trial of a new sweep; ``done``: the epochs a resumed trial has done, whose work
    is not counted); a ``resume``'s rows say each trial's action, whatever they are (every
    trial "run", its folder gone, too: the dry run's table has an action column)."""
    from nnlab.experiments.checks import run_elementwise, run_work

    todo = [_Planned(t.id, "resume" if actions[t.id] == "resume" else "run")
            for t in trials if actions[t.id] != "keep"]  # fmt: skip
    keys = {t.id: stack_key(t.config) for t in trials}
    units = make_units(todo, keys, stack, jobs) if todo else []
    unit_of = {task.trial_id: i for i, unit in enumerate(units, start=1) for task in unit}
    rows: list[Row] = []
    flop, steps, evaluations, fixed, moved = 0.0, 0, 0, 0.0, 0.0
    for trial in trials:
        row: Row = {"trial": trial.id, **trial.values, "seed": trial.seed}
        row["stack"] = unit_of.get(trial.id)
        if resume:
            row["action"] = actions[trial.id]
        rows.append(row)
        if trial.id in unit_of:
            data = cached_dataset(trial.config, data_dir)
            epochs = (done or {}).get(trial.id, 0)
            f, s, e = run_work(trial.config, data, epochs)
            flop, steps, evaluations = flop + f, steps + s, evaluations + e
            fixed += fixed_seconds(trial.config, s, e)
            moved += run_elementwise(trial.config, data, epochs)
    sizes = [len(u) for u in units]
    return Preview(defn, rows, sizes, flop, steps, evaluations, fixed=fixed, moved=moved)


class _Planned(NamedTuple):
    """A trial to run as ``make_units`` reads it (``trial.Planned``): its id and action."""

    trial_id: str
    action: str


def _seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:,.3g} h"


def fixed_said(defn: SweepDef) -> str | None:
    """The fixed overrides a dry run's table of swept values does not show, as given: those
    every trial has, and those only the trials that take them have (``variants.partial``);
    None where there are none."""
    every = [t for t in defn.overrides if partial(defn.spec, override_key_of(t)) is None]
    some = [t for t in defn.overrides if t not in every]
    parts = [f"every trial has {' '.join(every)}"] if every else []
    parts += [f"the trials that take it have {' '.join(some)}"] if some else []
    return f"dry run: {'; '.join(parts)}" if parts else None


def preview_table(preview: Preview, table: bool, what: str | None = None) -> Table:
    """A dry run's trials as a table (``table``: for a terminal, a trial's action in words,
    ``ACTIONS``, and a swept key it does not take '-'; else for CSV, as the rows hold them):
    trial, swept values, seed, stack and, for a resume, the action; titled ``dry run: <what>,
    <n> trials`` (``what`` default: the sweep, or the resume of its folder)."""
    from nnlab.sweep.finish import table_rows

    rows = preview.rows
    resume = preview.folder is not None
    columns = ["trial", *preview.defn.spec.params, "seed", "stack", *(["action"] if resume else [])]
    columns = list(dict.fromkeys(columns))  # (a swept seed is the trial's: one column, not two)
    if resume and table:  # (the table says it in words)
        rows = [{**row, "action": ACTIONS[row["action"]]} for row in rows]
    if table:  # (a key a trial leaves out: '-', not null)
        rows = table_rows(rows, preview.defn.spec)
    what = what or (f"resume of {preview.folder}" if resume else f"sweep {preview.defn.name}")
    return Table(rows, columns, f"dry run: {what}, {counted(len(rows), 'trial')}")


def preview_object(preview: Preview, jobs: int) -> dict[str, Any]:
    """The dry run as one JSON object (``--format json``)."""
    return {
        "dry_run": True,
        "sweep": preview.defn.name,
        "overrides": list(preview.defn.overrides),  # (fixed, as given: not in the trials' rows)
        **({"folder": str(preview.folder)} if preview.folder is not None else {}),
        "trials": preview.rows,
        "stack_sizes": preview.units,  # (trials[i]["stack"]: the 1-based stack it is in)
        "workers": min(jobs, len(preview.units)),
        "gflop": round(preview.flop / 1e9, 3),
        "training_steps": preview.steps,
        "evaluation_batches": preview.evaluations,
        "nominal_hours": preview.hours,
        **({"rounds": preview.rounds} if preview.rounds > 1 else {}),
    }
