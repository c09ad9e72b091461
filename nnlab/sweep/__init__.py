"""Sweeps: many training runs that differ in a few config keys, gathered in one folder.

A sweep is a base config, fixed overrides and a ``SweepSpec`` (a grid, or random draws) over
dotted config keys; every trial is an ordinary training run in the sweep folder. The parts,
one file each:

    spec.py       what varies: the ``sweep:`` spec, ranges, distributions, ``key=...`` axes
    definition.py the definition and its trials (ids and seeds independent of execution order)
    source.py     a definition from a config file or a preset name
    presets/      named sweeps shipped with nnlab (weight-scale), one registry
    trial.py      units of work (one trial, or a stack of trials trained side by side), and
                  the check that every trial can train on its data
    executors.py  where units run: this process, local worker processes (dask.py: a cluster)
    folder.py     reading a sweep folder: its plan, its trials as their folders say now
    run.py        the sweep folder: run, resume
    resume_plan.py what a resume does with each trial, and its checks before anything changes
    preview.py    a dry run: what a run or a resume would do, checked, with nothing written
    finish.py     its end: summary files and figures

Trials that differ only in what sets their initial weights (seed, ``model.init``,
``model.init_std``), their learning rate or their weight decay (equal
``nnlab.build.stack_key``) train side by side in stacks of up to ``stack``
(``nnlab.nn.stacked``), with the numbers each would have alone.
"""

from __future__ import annotations

import importlib
from typing import Any

MAX_TRIALS = 100_000  # trials of one sweep (here: the command line reads it without NumPy)

# name -> the submodule that defines it; imported on first use (PEP 562), so that importing
# the package (the preset registry, for ``nnlab --help``) does not import NumPy and pydantic.
_WHERE = {
    **dict.fromkeys(
        ("Executor", "ProcessExecutor", "SerialExecutor", "check_stack", "executor_options",
         "fork_is_safe", "make_executor", "process_pool", "stop_pool"),
        "executors",
    ),
    **dict.fromkeys(
        ("SweepDef", "Trial", "base_name", "fixed_shape", "merge_spec", "plan", "read_sweep_args",
         "resolve_trial", "sweep_seed"),
        "definition",
    ),
    "check_draws": "draws",
    **dict.fromkeys(
        ("DEFAULT_STACK", "SweepResult", "resume_sweep", "run_sweep", "summary_row",
         "tune_children"),
        "run",
    ),
    **dict.fromkeys(
        ("check_trial_data", "check_trial_folders", "check_trial_writes", "resume_action",
         "resume_actions"),
        "resume_plan",
    ),
    **dict.fromkeys(
        ("is_sweep", "load_sweep", "sweep_rows", "trial_states", "tune_metric", "tune_rows",
         "unsound_trials"),
        "folder",
    ),
    **dict.fromkeys(
        ("finish_sweep", "plot_sweep", "prepare_figures", "summary_columns", "summary_title", "table_rows",
         "trial_curves"),
        "finish",
    ),
    "sweep_from_file": "source",
    **dict.fromkeys(
        ("SweepSpec", "expand", "parse_spec", "parse_sweep_args"), "spec"
    ),
    **dict.fromkeys(
        ("STOP_FILE", "Row", "TrialTask", "cached_dataset", "check_trials", "make_units",
         "run_unit", "trials_dir"),
        "trial",
    ),
}  # fmt: skip

__all__ = sorted(_WHERE)


_MODULES = (
    "spec", "definition", "source", "presets", "trial", "executors", "dask", "folder", "run",
    "resume_plan", "finish", "preview", "draws", "variants", "shape", "outcome",
)  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"nnlab.sweep.{_WHERE[name]}"), name)
    if name in _MODULES:
        return importlib.import_module(f"nnlab.sweep.{name}")
    raise AttributeError(f"module 'nnlab.sweep' has no attribute {name!r}")
