"""``nnlab.sweep.executors``: what a sweep's (or tune's) meta.json records of how it ran, and
what of it a resume takes back."""

from __future__ import annotations

import pytest

from nnlab.errors import ConfigError
from nnlab.sweep import executors
from nnlab.sweep.executors import SerialExecutor, executor_options, resumed_options

META = {"jobs": 2, "stack": 1, "executor_kind": "dask", "scheduler": "tcp://host:8786"}
OPTIONS = {"jobs": 2, "stack": 1, "executor": "dask", "scheduler": "tcp://host:8786"}


def test_a_resume_takes_every_option_of_how_it_ran_that_is_not_given_again():
    assert resumed_options(META, set()) == OPTIONS
    assert resumed_options(META, {"stack"}) == {k: v for k, v in OPTIONS.items() if k != "stack"}
    assert resumed_options(META, {"jobs", "quiet"}) == {
        "stack": 1, "executor": "dask", "scheduler": "tcp://host:8786"
    }  # fmt: skip


def test_the_executor_and_its_scheduler_are_one_pair_kept_or_given_together():
    for given in ({"executor"}, {"scheduler"}):
        assert resumed_options(META, given) == {"jobs": 2, "stack": 1}


def test_an_older_folder_without_the_options_keeps_the_defaults():
    assert resumed_options({"kind": "sweep"}, set()) == {}
    assert resumed_options({"jobs": None, "stack": 0}, set()) == {}


def test_what_a_folder_records_of_its_executor_reads_back_as_its_options():
    recorded = executor_options(SerialExecutor())
    assert recorded == {"executor": "serial", "executor_kind": "local", "scheduler": None}
    assert resumed_options(recorded, set()) == {"executor": "local", "scheduler": None}


def test_check_executor_makes_the_checks_of_a_run_with_nothing_started(monkeypatch):
    """``check_executor``: a dry run's checks of ``--jobs``, ``--executor`` and its workers
    (the executor made and closed unstarted), as a Python caller makes them too."""
    executors.check_executor(1)  # (serial: nothing to check)
    executors.check_executor(2, tasks=2)
    with pytest.raises(ConfigError, match=r"^--executor: .*'nope'"):
        executors.check_executor(1, "nope")
    with pytest.raises(ConfigError, match=r"^--jobs: expected a positive number"):
        executors.check_executor(0)
    checked, closed = [], []
    monkeypatch.setattr(executors.SerialExecutor, "check", lambda self, n: checked.append(n))
    monkeypatch.setattr(executors.SerialExecutor, "close", lambda self: closed.append(True))
    executors.check_executor(1, tasks=5)
    assert checked == [5] and closed == [True]
