"""The Dask executor: the same trials, seeds, folders and numbers as a local sweep.

Runs on an in-process ``LocalCluster`` (worker threads of this process); skipped when the dask
extra is not installed.
"""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")

from nnlab import (
    runs,  # noqa: E402
    sweep as sw,  # noqa: E402
)
from nnlab.sweep.dask import DaskExecutor  # noqa: E402

BASE = {
    "name": "tiny",
    "dataset": {"name": "digits", "n_train": 300},
    "model": {"hidden": [32, 32], "init": "std"},
    "optimizer": {"name": "sgd", "lr": 0.1},
    "batch_size": 50,
    "epochs": 3,
    "eval": ["train", "test"],
}
PARAMS = {"model.init_std": [1.0, 0.1, 0.01], "model.batchnorm": [True, False]}


def defn() -> sw.SweepDef:
    spec = sw.SweepSpec(params=PARAMS, seed=3, share_seed=["model.batchnorm"])
    return sw.SweepDef("dask", BASE, spec)


def strip(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("seconds", "stacked")} for r in rows]


def trial_metrics(result: sw.SweepResult) -> dict[str, list[dict]]:
    out = {}
    for row in result.rows:
        folder = runs.RunDir(result.run.path / "trials" / row["trial"])
        out[row["trial"]] = strip(folder.metrics())
    return out


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> sw.SweepResult:
    return sw.run_sweep(defn(), runs_dir=tmp_path_factory.mktemp("local"), stack=1)


@pytest.fixture
def dask_executor():
    executor = DaskExecutor(jobs=2, processes=False)
    yield executor
    executor.close()


@pytest.mark.slow  # (a local cluster's start and 6 trials: over 1 s)
def test_a_dask_sweep_gives_the_local_sweeps_trials_and_numbers(local, dask_executor, tmp_path):
    result = sw.run_sweep(defn(), runs_dir=tmp_path, stack=2, executor=dask_executor)
    assert result.status == "COMPLETED" and len(result.rows) == 6
    assert strip(result.rows) == strip(local.rows)  # same ids, seeds, values, metrics
    assert trial_metrics(result) == trial_metrics(local)
    assert result.run.meta["executor"] == "dask (LocalCluster of 2)"
    assert dask_executor.workers == 2


@pytest.mark.slow  # (a local cluster's start and 6 trials: over 1 s)
def test_a_sweep_interrupted_locally_is_resumed_on_dask_to_the_same_summary(
    local, dask_executor, tmp_path, monkeypatch
):
    real = sw.run_unit
    calls = {"n": 0}

    def second_unit_interrupted(unit):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(unit)

    monkeypatch.setattr(sw.executors, "run_unit", second_unit_interrupted)
    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(defn(), runs_dir=tmp_path, stack=2)
    monkeypatch.setattr(sw.executors, "run_unit", real)
    (run,) = runs.iter_runs(tmp_path)
    assert run.status == "INTERRUPTED"
    resumed = sw.resume_sweep(run, stack=2, executor=dask_executor)
    assert resumed.status == "COMPLETED" and len(resumed.skipped) == 2
    assert strip(resumed.rows) == strip(local.rows)
    assert trial_metrics(resumed) == trial_metrics(local)


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_clear_error_before_any_folder(tmp_path):
    from nnlab.errors import ConfigError

    executor = DaskExecutor("tcp://127.0.0.1:9", timeout=1)
    with pytest.raises(ConfigError, match="--scheduler: 'tcp://127.0.0.1:9': cannot connect"):
        sw.run_sweep(defn(), runs_dir=tmp_path / "runs", executor=executor)
    assert not (tmp_path / "runs").exists()


def test_a_tune_with_an_unreachable_scheduler_is_refused_before_its_folder(tmp_path):
    # (the tune made its folder, then its first round asked the scheduler: exit 2 and a
    # folder left behind, RUNNING then FAILED)
    from nnlab.errors import ConfigError
    from nnlab.experiments import tune as tn

    config = tmp_path / "cfg.yaml"
    config.write_text("dataset: {name: digits, n_train: 200, n_test: 100}\nmodel: {hidden: [8]}\n")
    executor = DaskExecutor("nope", timeout=1)
    with pytest.raises(ConfigError, match="--scheduler: 'nope': cannot connect"):
        tn.run_tune(config, [], runs_dir=tmp_path / "runs", executor=executor, trials=2, epochs=1)
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow  # (a local cluster's start and 6 trials: over 1 s)
def test_trials_running_on_workers_when_the_sweep_is_interrupted_stop_and_resume(
    dask_executor, tmp_path
):
    import time

    long = sw.SweepDef(  # a short trial, and a long one (seconds) that is mid-run at the cut
        "dask-long", BASE, sw.SweepSpec(params={"epochs": [2, 400]}, seed=3)
    )

    def cut(done, total, row, ended):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(long, runs_dir=tmp_path, stack=1, executor=dask_executor, on_trial=cut)
    (run,) = runs.iter_runs(tmp_path)
    folders = [runs.RunDir(p) for p in (run.path / "trials").iterdir()]
    deadline = time.monotonic() + 30  # the worker thread stops after its current epoch
    while any(f.status == "RUNNING" for f in folders) and time.monotonic() < deadline:
        time.sleep(0.05)
    statuses = sorted(f.status for f in folders)
    assert statuses == ["COMPLETED", "INTERRUPTED"], statuses
    stopped = next(f for f in folders if f.status == "INTERRUPTED")
    assert stopped.meta["epochs_done"] < 400  # it stopped, it did not run to the end
    resumed = sw.resume_sweep(run, executor=dask_executor)
    assert resumed.status == "COMPLETED" and resumed.resumed == [stopped.id]


def test_a_refused_scheduler_leaves_no_half_made_client_for_the_garbage_collector(tmp_path):
    # (distributed left the Client of a refused address 'connecting', its IO-loop thread running;
    # the garbage collector's Client.__del__ took LoopRunner's lock later, and a collection while
    # the next LocalCluster's start held it deadlocked: this module's last test hung, or failed
    # 'assert loop is not None' after 10 s)
    import gc
    import threading

    from distributed import Client

    from nnlab.errors import ConfigError

    threads = threading.active_count()
    with pytest.raises(ConfigError, match="--scheduler: 'nope': cannot connect"):
        DaskExecutor("nope", timeout=1).start(1)
    half_made = [c for c in gc.get_objects() if type(c) is Client and c.status != "closed"]
    assert not half_made
    assert threading.active_count() == threads  # its IO-loop thread stopped


def _refused_in_one_line(start, error, match: str) -> None:
    """``start`` raises ``error`` (its message matching ``match``) and leaves no thread of its
    own running (a half-made client's or cluster's IO loop)."""
    import gc
    import threading

    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(error, match=match) as caught:
        start()
    assert "\n" not in str(caught.value)
    gc.collect()
    left = [t.name for t in threading.enumerate() if t.ident not in before]
    assert not left, left


def test_a_scheduler_address_that_refuses_leaves_no_thread():
    # (distributed's client, timed out, closed itself but not its IO-loop thread: one more
    # 'IO loop' thread for every address tried, for the life of the process)
    from nnlab.errors import ConfigError

    executor = DaskExecutor("tcp://127.0.0.1:9", timeout=0.2)  # (the discard port: refused)
    _refused_in_one_line(lambda: executor.start(1), ConfigError, "cannot connect")


def test_a_scheduler_address_is_checked_beside_a_running_event_loop_too():
    # (a Python caller in Jupyter, whose loop runs in the main thread: asyncio.run refuses
    # to start another there)
    import asyncio

    from nnlab.errors import ConfigError

    async def in_a_notebook():
        DaskExecutor("tcp://127.0.0.1:9", timeout=0.2).start(1)

    _refused_in_one_line(  # (refused at once, or, on a loaded machine, no answer in 0.2 s)
        lambda: asyncio.run(in_a_notebook()),
        ConfigError,
        "cannot connect \\((Timed out|no Dask scheduler answered within)",
    )


def test_a_scheduler_address_where_something_else_answers_is_one_clear_error():
    # (an HTTP server, or a proxy, there: the client read its reply as a frame's length,
    # 'MemoryError: Unable to allocate 3.07 EiB', with a traceback and its thread left)
    import socket
    import threading

    from nnlab.errors import ConfigError

    server = socket.create_server(("127.0.0.1", 0))

    def answer_as_http():
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\n\r\n" * 4)

    http = threading.Thread(target=answer_as_http, daemon=True)
    http.start()
    executor = DaskExecutor(f"tcp://127.0.0.1:{server.getsockname()[1]}", timeout=2)
    try:
        _refused_in_one_line(
            lambda: executor.start(1), ConfigError, "cannot connect .*not a Dask scheduler"
        )
    finally:
        http.join(5)
        server.close()


def test_a_scheduler_address_where_nothing_answers_is_refused_within_the_timeout():
    # (something listens and says nothing, a firewall's proxy: the client waited for the
    # handshake for ever, its timeout notwithstanding)
    import socket
    import threading

    from nnlab.errors import ConfigError

    silent = socket.create_server(("127.0.0.1", 0))  # (accepts: the kernel's backlog)
    executor = DaskExecutor(f"tcp://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3)
    said: list[BaseException] = []

    def start():
        try:
            executor.start(1)
        except BaseException as exc:
            said.append(exc)

    try:
        waiting = threading.Thread(target=start, daemon=True)
        waiting.start()
        waiting.join(10)
        assert not waiting.is_alive(), "still waiting for the scheduler's handshake"
    finally:
        silent.close()
    assert isinstance(said[0], ConfigError), said
    assert "no Dask scheduler answered within 0.3 s" in str(said[0])


def _a_scheduler_that_cannot_listen(monkeypatch) -> None:
    import errno

    from distributed.scheduler import Scheduler

    async def cannot_listen(self):
        raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")

    monkeypatch.setattr(Scheduler, "start_unsafe", cannot_listen)


def test_a_local_cluster_that_fails_to_start_is_one_line_and_leaves_no_thread(monkeypatch):
    # (its scheduler failed: 'RuntimeError: Cluster failed to start', an 'unexpected' error
    # after distributed's logged traceback, exit 1, and its IO-loop thread left running)
    from nnlab.errors import OptionError

    _a_scheduler_that_cannot_listen(monkeypatch)
    executor = DaskExecutor(jobs=2, processes=False)
    try:
        _refused_in_one_line(
            lambda: executor.start(1),
            OptionError,
            r"--executor: dask: a local cluster of 2 workers failed to start \(Cluster failed "
            r"to start: Scheduler failed to start.: .*Cannot assign requested address\)",
        )
    finally:
        executor.close()


@pytest.mark.slow  # (the command line, its config and data loaded: over 1 s cold)
def test_a_sweep_whose_local_cluster_fails_to_start_says_so_in_one_line(monkeypatch, tmp_path):
    import multiprocessing
    import threading

    from tests.conftest import invoke, one_error_line

    _a_scheduler_that_cannot_listen(monkeypatch)
    (tmp_path / "cfg.yaml").write_text(
        "dataset: {name: digits, n_train: 200, n_test: 100}\nmodel: {hidden: [8]}\n"
    )
    threads = threading.active_count()
    result = invoke(
        "sweep", "grid", tmp_path / "cfg.yaml", "optimizer.lr=0.1,0.2", "--executor", "dask",
        "--jobs", "2", runs_dir=tmp_path / "runs",
    )  # fmt: skip
    line = one_error_line(result)  # (exit 2)
    assert line.startswith("error: --executor: dask: a local cluster of 2 workers failed")
    assert threading.active_count() == threads
    assert not multiprocessing.active_children()  # (no nanny nor worker process left)
    assert not (tmp_path / "runs").exists()
