"""A sweep whose process is gone (killed) while its trials ran: listed STALE, with no best
trial (it named a trial still running as the best, of an earlier epoch's accuracies)."""

from __future__ import annotations

import json

import pytest

from nnlab import runs
from tests.cli.test_sweep_cli import sweep_dir, write_config
from tests.conftest import invoke
from tests.faults.helpers import set_meta

GONE = 2**22 + 12345  # (above pid_max's default: no such process)


@pytest.mark.slow
def test_a_killed_sweep_is_listed_stale_with_a_best_of_its_completed_trials_only(tmp_path):
    cfg = write_config(tmp_path, epochs=1)
    result = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "-q", runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    run = sweep_dir(tmp_path)
    set_meta(run, status="RUNNING", pid=GONE, ended=None)
    trials = [runs.RunDir(p) for p in sorted(run.path.glob("trials/*"))]
    ended = trials[1].file("summary.json").read_bytes()
    for trial in trials:  # (each one killed mid-way: still RUNNING, its summary not written)
        set_meta(trial, status="RUNNING", pid=GONE, ended=None)
        trial.file("summary.json").unlink()
    (row,) = json.loads(invoke("runs", "list", "-f", "json", runs_dir=tmp_path).stdout)
    assert row["status"] == "STALE" and row["trials_done"] == 0, row
    assert row.get("best_trial") is None and "final_test_acc" not in row, row  # (it named one)
    set_meta(trials[1], status="COMPLETED", pid=GONE)  # (one ended before the kill)
    trials[1].file("summary.json").write_bytes(ended)
    (row,) = json.loads(invoke("runs", "list", "-f", "json", runs_dir=tmp_path).stdout)
    assert row["trials_done"] == 1 and row["best_trial"] == trials[1].id, row
