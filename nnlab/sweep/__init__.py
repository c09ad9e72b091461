"""Sweeps: many training runs that differ in a few config keys, gathered in one folder.

A sweep is a base config, fixed overrides and a ``SweepSpec`` (a grid, or random draws) over
dotted config keys; every trial is an ordinary training run in the sweep folder. The parts,
one file each:

    spec.py       what varies: the ``sweep:`` spec, ranges, distributions, ``key=...`` axes
    plan.py       the definition and its trials (ids and seeds independent of execution order)
    source.py     a definition from a config file or a preset name
    presets/      named sweeps shipped with nnlab (weight-scale), one registry
    trial.py      units of work (one trial, or a stack of trials trained side by side)
    executors.py  where units run: this process, local worker processes (dask.py: a cluster)
    run.py        the sweep folder: run, resume, summary, figures

Trials that differ only in what sets their initial weights (seed, ``model.init``,
``model.init_std``), their learning rate or their weight decay (equal
``nnlab.train.stack_key``) train side by side in stacks of up to ``stack``
(``nnlab.nn.stacked``), with the numbers each would have alone.
"""

from __future__ import annotations

from nnlab.sweep.executors import (
    Executor,
    ProcessExecutor,
    SerialExecutor,
    check_stack,
    fork_is_safe,
    make_executor,
    process_pool,
    stop_pool,
)
from nnlab.sweep.plan import SweepDef, Trial, plan, resolve_trial, sweep_seed
from nnlab.sweep.run import (
    DEFAULT_STACK,
    SweepResult,
    folder_row,
    is_sweep,
    load_sweep,
    resume_sweep,
    run_sweep,
    summary_columns,
    sweep_rows,
    trials_dir,
)
from nnlab.sweep.source import sweep_from_file
from nnlab.sweep.spec import SweepSpec, expand, merge_spec, parse_spec, parse_sweep_args
from nnlab.sweep.trial import STOP_FILE, Row, TrialTask, cached_dataset, make_units, run_unit

__all__ = [
    "DEFAULT_STACK",
    "STOP_FILE",
    "Executor",
    "ProcessExecutor",
    "Row",
    "SerialExecutor",
    "SweepDef",
    "SweepResult",
    "SweepSpec",
    "Trial",
    "TrialTask",
    "cached_dataset",
    "check_stack",
    "expand",
    "folder_row",
    "fork_is_safe",
    "is_sweep",
    "load_sweep",
    "make_executor",
    "make_units",
    "merge_spec",
    "parse_spec",
    "parse_sweep_args",
    "plan",
    "process_pool",
    "resolve_trial",
    "resume_sweep",
    "run_sweep",
    "run_unit",
    "stop_pool",
    "summary_columns",
    "sweep_from_file",
    "sweep_rows",
    "sweep_seed",
    "trials_dir",
]
