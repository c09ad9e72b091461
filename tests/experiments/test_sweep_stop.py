"""A sweep's stop path: every trial that was running ends INTERRUPTED, whoever stops it and
however often the stop signal comes (``timeout -s INT`` signals the command, then its process
group: the sweep may see two SIGINTs, the second while it stops its workers)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from nnlab import runs, signals, sweep as sw
from nnlab.sweep.executors import SerialExecutor
from tests.experiments.test_sweep import tiny_sweep

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")


def _busy(marker: str, deaf: bool = False) -> None:
    """A worker's task: say it started, then work for a minute (``deaf``: deaf to SIGTERM)."""
    if deaf:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    Path(marker).touch()
    time.sleep(60)


def busy_pool(tmp_path: Path, jobs: int, deaf: bool = False) -> tuple[object, list]:
    """A sweep's pool of ``jobs`` workers, each busy with a task; (pool, its processes)."""
    pool = sw.process_pool(jobs, "fork")
    for i in range(jobs):
        pool.submit(_busy, str(tmp_path / f"busy-{i}"), deaf)
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("busy-*"))) < jobs and time.monotonic() < deadline:
        time.sleep(0.01)
    procs = list(pool._processes.values())
    if len(list(tmp_path.glob("busy-*"))) < jobs:  # (one still starting holds its signals)
        sw.stop_pool(pool)
        pytest.fail(f"the workers did not start their tasks in 30 s: {len(procs)} processes")
    return pool, procs


def exit_codes(procs: list, wait: float = 5.0) -> list:
    """The workers' exit codes. The pool's own manager thread also joins a worker that ends
    (a terminated worker breaks the pool): when it reaps one first, the exit code is None here
    for the moment it takes that thread to record it."""
    deadline = time.monotonic() + wait
    while any(p.exitcode is None for p in procs) and time.monotonic() < deadline:
        time.sleep(0.01)
    return [p.exitcode for p in procs]


def test_a_terminated_worker_records_its_trials_interrupted_itself(
    tmp_path, monkeypatch, fork_allowed
):
    # Forked inside the command's open SignalsAsInterrupts, a worker took its trials'
    # lifecycles for nested ones and set no handler: SIGTERM killed it mid-write, its trials
    # left RUNNING (and temp files) for the sweep to settle after it.
    def terminated(record, cfg):  # (after the first epoch: what stop_pool sends the worker)
        signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(sw.trial, "_stop_check", lambda sweep_dir: terminated)
    defn = tiny_sweep({"optimizer.lr": [0.5, 0.1]})  # (one stack of two trials)
    trials = sw.plan(defn)
    sweep = runs.RunDir(tmp_path / "sweep")
    unit = tuple(sw.run._task(sweep, defn, t, None, "run") for t in trials)
    with signals.SignalsAsInterrupts():  # (the command line's, when the sweep forks)
        pool = sw.process_pool(1, "fork")
        try:
            with pytest.raises(BrokenProcessPool):  # (the worker exits 130 once they are settled)
                pool.submit(sw.trial.run_unit_in_worker, unit).result(timeout=60)
        finally:
            pool.shutdown()
    for trial in trials:
        meta = runs.RunDir(sweep.path / "trials" / trial.id).meta
        assert meta["status"] == "INTERRUPTED" and "note" not in meta  # (not settled by another)
    assert not list(sweep.path.rglob("*.tmp"))


def test_a_second_stop_signal_while_the_pool_stops_still_stops_every_worker(
    tmp_path, monkeypatch, fork_allowed
):
    # What counts is that stop_pool itself signals every worker: the pool's own thread also
    # terminates the rest of a pool broken by a worker's end (calling the patched terminate
    # too), and a worker may outlast the grace under load (then SIGKILL). The test read only
    # the exit codes, -SIGTERM each within 5 s, and raised the second signal on every call.
    with signals.SignalsAsInterrupts():
        pool, procs = busy_pool(tmp_path, 2)
        signalled: list = []  # (the workers stop_pool terminated, in its order)
        try:
            for proc in procs:
                monkeypatch.setattr(proc, "terminate", _recorded(proc, signalled, procs[0]))
            with pytest.raises(KeyboardInterrupt):  # (the second signal, once all are gone)
                sw.stop_pool(pool)
            assert signalled == procs
            assert set(exit_codes(procs, wait=30)) <= {-signal.SIGTERM, -signal.SIGKILL}
        finally:
            for proc in procs:
                proc.kill()


def _recorded(proc, signalled: list, first) -> object:
    """``proc.terminate`` that records a call from the main thread (stop_pool's) in
    ``signalled``, the first one's (``first``'s) followed by a second stop signal."""
    terminate = proc.terminate

    def recorded() -> None:
        terminate()
        if threading.current_thread() is not threading.main_thread():
            return  # (the pool's thread, terminating a broken pool's workers)
        signalled.append(proc)
        if proc is first and signalled == [proc]:
            signal.raise_signal(signal.SIGINT)

    return recorded


def test_a_worker_still_there_after_the_grace_is_killed(tmp_path, fork_allowed):
    pool, (proc,) = busy_pool(tmp_path, 1, deaf=True)
    t0 = time.monotonic()
    sw.stop_pool(pool, grace=0.2)
    assert time.monotonic() - t0 < 5 and exit_codes([proc]) == [-signal.SIGKILL]


class _WorkersKilled(SerialExecutor):
    """An executor whose workers were killed after writing their trials RUNNING, then Ctrl-C."""

    def __init__(self, pid: int) -> None:
        self.pid = pid  # (a process that has ended)

    def describe(self) -> str:
        return "killed workers"

    def run(self, units, on_row) -> None:
        for task in (task for unit in units for task in unit):
            folder = Path(task.trials_dir) / task.trial_id
            folder.mkdir(parents=True)
            meta = {"run_id": task.trial_id, "kind": "train", "status": "RUNNING",
                    "pid": self.pid, "host": socket.gethostname()}  # fmt: skip
            (folder / "meta.json").write_text(json.dumps(meta))
        raise KeyboardInterrupt


def test_a_second_stop_signal_while_the_sweep_settles_its_trials_leaves_none_running(
    tmp_path, monkeypatch
):
    gone = subprocess.Popen(["true"])
    gone.wait()
    settle = runs.settle_stale

    def settle_signalled_again(run: runs.RunDir) -> bool:
        signal.raise_signal(signal.SIGINT)
        return settle(run)

    monkeypatch.setattr(runs, "settle_stale", settle_signalled_again)
    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(tiny_sweep(), runs_dir=tmp_path, executor=_WorkersKilled(gone.pid))
    (run,) = runs.iter_runs(tmp_path)
    assert run.status == "INTERRUPTED"
    trials = [runs.RunDir(path).status for path in runs.trial_folders(run)]
    assert trials == ["INTERRUPTED"] * 4


@pytest.mark.slow
def test_a_worker_killed_mid_trial_costs_only_that_trial_s_epochs_since_its_checkpoint(
    tmp_path, monkeypatch, fork_allowed
):
    # (a worker killed by SIGKILL or the OOM killer broke the pool: every trial not finished
    # was recorded FAILED, those never started read MISSING, the dead worker's one STALE)
    import os

    import nnlab.experiments.train as train_mod
    from tests.experiments.test_sweep import results

    reference = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "ref", stack=1)
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    real, marker = train_mod.fit_group, tmp_path / "killed"

    def killed_at_epoch_2(*args, on_epoch, **kwargs):
        def record(net, rec, state):
            on_epoch(net, rec, state)
            if rec["epoch"] == 2 and not marker.exists():
                marker.touch()
                os.kill(os.getpid(), signal.SIGKILL)  # (in a worker: the sweep runs none here)

        return real(*args, on_epoch=record, **kwargs)

    monkeypatch.setattr(train_mod, "fit_group", killed_at_epoch_2)
    result = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "cut", stack=1, jobs=2)
    assert marker.exists() and result.status == "COMPLETED"
    assert results(result) == results(reference)
    assert {t.status for t in runs.iter_runs(result.run.file("trials"))} == {"COMPLETED"}


@pytest.mark.slow
def test_a_trial_whose_worker_dies_each_time_fails_alone(tmp_path, monkeypatch, fork_allowed):
    import os

    import nnlab.experiments.train as train_mod

    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    real = train_mod.fit_group

    def killed_at_epoch_2(*args, on_epoch, **kwargs):
        def record(net, rec, state):
            on_epoch(net, rec, state)
            if rec["epoch"] >= 1 and rec.get("lr") == 0.5:  # (resumed: killed again)
                os.kill(os.getpid(), signal.SIGKILL)

        return real(*args, on_epoch=record, **kwargs)

    monkeypatch.setattr(train_mod, "fit_group", killed_at_epoch_2)
    defn = tiny_sweep({"optimizer.lr": [0.5, 0.1], "model.hidden": [[16], [8, 8]], "epochs": [9]})
    result = sw.run_sweep(defn, runs_dir=tmp_path / "cut", stack=1, jobs=2)
    statuses = {r["optimizer.lr"]: set() for r in result.rows}
    for r in result.rows:
        statuses[r["optimizer.lr"]].add(r["status"])
    assert statuses == {0.5: {"FAILED"}, 0.1: {"COMPLETED"}}
    failed = [r for r in result.rows if r["status"] == "FAILED"]
    assert all("worker process died" in r["error"] for r in failed)
    assert {t.status for t in runs.iter_runs(result.run.file("trials"))} == {"COMPLETED", "FAILED"}
