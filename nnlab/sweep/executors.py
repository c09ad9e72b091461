"""Executors run units of trials: one after another in this process, in local worker
processes, or on a Dask cluster (``nnlab.sweep.dask``, imported only when asked for).

Every worker pins BLAS to one thread, and so does the serial path, so ``--jobs 1`` and
``--jobs N`` give bit-identical metrics.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from nnlab import runs, signals
from nnlab.errors import ConfigError, OptionError, not_one_of
from nnlab.limits import check_open_files, no_semaphores
from nnlab.sweep.trial import (
    Row,
    Unit,
    failed_rows,
    row_from_folder,
    run_unit,
    run_unit_in_worker,
)


class Executor(Protocol):
    """Runs units of trials (``run_unit(unit) -> rows``); calls ``on_row`` in the calling
    process for each trial of a unit as the unit finishes, units in any order. Interrupting
    ``run`` (KeyboardInterrupt) must stop the work promptly."""

    @property
    def workers(self) -> int: ...  # how many units run at once (to give every worker one)
    def check(self, tasks: int) -> None: ...  # before a folder: what the workers that start
    # for ``tasks`` trials need (ConfigError, OptionError); called before ``workers``
    def start(self, n_units: int) -> None: ...  # get ready (workers up) for n_units units
    def run(self, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None: ...
    def describe(self) -> str: ...
    def close(self) -> None: ...


def executor_options(executor: Executor) -> dict[str, Any]:
    """What a sweep's (or tune's) meta.json records of ``executor``: its description
    (``executor``), and the ``--executor`` and ``--scheduler`` that made it, for its resume to
    use again (``executor_kind``, ``scheduler``)."""
    return {
        "executor": executor.describe(),
        "executor_kind": getattr(executor, "kind", "local"),
        "scheduler": getattr(executor, "scheduler", None),
    }


def resumed_options(meta: dict[str, Any], given: Collection[str]) -> dict[str, Any]:
    """The options of how a sweep (or tune) runs that its resume takes from its meta.json
    ``meta``, by name: each that the command line leaves out (``given``: those it, or the
    environment, sets), ``jobs``, ``stack``, and ``executor`` with ``scheduler`` (a pair:
    ``executor_options``), is the one the folder recorded as it started, not the default (a
    sweep started with ``--stack 1`` was resumed in stacks of 8, one on a Dask cluster on
    local processes). One given is the resume's own (the numbers are the same for any). An
    older folder's unrecorded option: none (the default, as before)."""
    recorded = {"jobs": meta.get("jobs"), "stack": meta.get("stack")}
    kept = {key: value for key, value in recorded.items() if key not in given and value}
    if not set(given) & {"executor", "scheduler"} and meta.get("executor_kind") is not None:
        kept |= {"executor": meta["executor_kind"], "scheduler": meta.get("scheduler")}
    return kept


class SerialExecutor:
    """Units one after another in this process (BLAS pinned to 1 thread, as the workers)."""

    kind = "local"  # (the --executor that makes it)
    workers = 1

    def describe(self) -> str:
        return "serial"

    def check(self, tasks: int) -> None:
        pass  # (no worker: the command's own open files are ``runs.start``'s to check)

    def start(self, n_units: int) -> None:
        pass

    def close(self) -> None:
        pass

    def run(self, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None:
        for unit in units:
            for row in run_unit(unit):
                on_row(row)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _worker_init(parent: int, quiet_numerics: bool = False) -> None:
    """Worker set-up: one BLAS thread, Ctrl-C left to the parent, exit if the parent dies;
    ``quiet_numerics``: NumPy's RuntimeWarnings (overflow in a diverging trial) silenced, as in
    the command that started it."""
    from threadpoolctl import threadpool_limits

    if quiet_numerics:
        warnings.simplefilter("ignore", RuntimeWarning)

    threadpool_limits(limits=1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for stop in signals.handled():  # (a forked worker inherits its parent's; a trial's
        signal.signal(stop, signal.SIG_DFL)  # lifecycle sets its own while it runs)
    signals.release()  # (held while it was forked: a signal sent since arrives now, here)
    with contextlib.suppress(RuntimeError):  # ("can't start new thread", ulimit -u: a worker
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()  # whose
    # parent is killed then ends as its pipe closes, at its next unit)


def _numerics_quiet() -> bool:
    """RuntimeWarnings are ignored here (the command line does so unless --debug)."""
    return any(
        action == "ignore" and category is RuntimeWarning and message is None
        for action, message, category, *_ in warnings.filters
    )


def default_start_method() -> str:
    """``fork`` where ``fork_is_safe()``, else ``spawn``."""
    return "fork" if fork_is_safe() else "spawn"


def fork_is_safe() -> bool:
    """True where worker processes can be forked from this one: Linux (macOS's system
    libraries are not fork-safe), with no other Python thread running (a thread holding a lock
    at the fork would leave it locked forever in the child)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def process_pool(jobs: int, start_method: str | None = None) -> Any:
    """A ``ProcessPoolExecutor`` of ``jobs`` workers set up as a sweep's (BLAS pinned to one
    thread, Ctrl-C left to this process, exit when it dies), forked where ``fork_is_safe()``
    (else spawned), its workers started now. Also used by ``compare-optimizers --jobs``."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    method = start_method or default_start_method()
    if method == "fork" and not fork_is_safe():
        method = "spawn"
    sys.stdout.flush()  # a child must not inherit (and flush again) buffered output
    sys.stderr.flush()
    try:
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=mp.get_context(method),
            initializer=_worker_init,
            initargs=(os.getpid(), _numerics_quiet()),
        )
    except OSError as exc:  # (its queues' semaphores, made in /dev/shm: read-only, missing,
        raise no_semaphores(jobs, exc) from None  # full; it was 'Read-only file system')
    pool.start_method = method  # type: ignore[attr-defined]
    try:
        # its workers started now (forked ones before any other thread, holding stop signals
        # until each has set its own handlers), and the pool's thread: either may fail here
        with signals.held_while_forking() if method == "fork" else contextlib.nullcontext():
            done = pool.submit(int)
        done.result()
    except BaseException as exc:  # (a stop signal as the workers start: the caller never
        stop_pool(pool)  # holds the pool to stop it, whose thread then woke at exit on closed
        # pipes, 'Exception ignored in threading._shutdown ... Bad file descriptor')
        if isinstance(exc, OSError) and exc.errno in (errno.EAGAIN, errno.ENOMEM):
            raise no_workers(jobs, exc.strerror or str(exc)) from None
        if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
            raise no_workers(jobs, str(exc)) from None
        raise
    return pool


def no_workers(jobs: int, why: str) -> OptionError:
    """The error of a pool whose workers (or its thread) could not be started (EAGAIN: the
    limit on processes, ``ulimit -u``, which counts threads too, reached; ENOMEM). It was the OS's words alone,
    'error: Resource temporarily unavailable', naming neither --jobs nor the limit."""
    limit = ""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        limit = (
            ""
            if soft == resource.RLIM_INFINITY
            else f"; the limit on processes (ulimit -u) is {soft}"
        )
    return OptionError(
        "--jobs",
        f"cannot start {jobs} worker processes ({why}{limit}); give fewer --jobs "
        "(--jobs 1: none), or raise the limit",
    )


def stop_pool(pool: Any, grace: float = 5.0) -> None:
    """Cancel what ``pool`` has not started and stop its workers now (an interrupt): SIGTERM
    (the trials a worker runs record INTERRUPTED, then it exits), and after ``grace`` seconds
    SIGKILL for any still there. Every worker is gone when this returns, so what a killed one
    left RUNNING reads STALE and can be settled (``runs.settle_stale``). A stop signal meanwhile
    waits until then (``signals.deferred``): a second Ctrl-C, or ``timeout``, which signals the
    command and then its whole process group, no longer leaves workers running."""
    with signals.deferred():
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.terminate()
        deadline = time.monotonic() + grace
        for proc in processes:
            proc.join(timeout=max(0.0, deadline - time.monotonic()))
        for proc in processes:
            if proc.exitcode is None:
                proc.kill()
                proc.join(timeout=5)


class ProcessExecutor:
    """``jobs`` local worker processes, BLAS pinned to 1 thread each.

    Start method: ``fork`` where ``fork_is_safe()``, else ``spawn``. Forked workers start in
    milliseconds with nnlab, NumPy and the preloaded datasets already in memory; spawned ones
    each start a fresh interpreter and import and load them again. ``start`` forks
    the workers before the caller starts any thread of its own (a progress bar's).

    On an interrupt the workers are terminated at once; the trials they were running stay in
    their folders (checkpointed up to the last finished epoch) for ``resume_sweep``.
    """

    kind = "local"

    def __init__(self, jobs: int, start_method: str | None = None) -> None:
        self.jobs = self.workers = jobs
        self.start_method = start_method or default_start_method()
        self._pool: Any = None

    def describe(self) -> str:
        return f"processes ({self.jobs}, {self.start_method})"

    def check(self, tasks: int) -> None:
        """Before a folder is made: what the workers ``start`` starts for ``tasks`` trials
        need (``check_workers``)."""
        check_workers(self.jobs, tasks)

    def start(self, n_units: int) -> None:
        """Start the pool for ``n_units`` units (forked workers: all of them, now)."""
        if self._pool is not None or not n_units:
            return
        self._pool = process_pool(min(self.jobs, n_units), self.start_method)
        self.start_method = self._pool.start_method

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def run(self, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None:
        """Run ``units`` in the pool. A worker that dies (killed, out of memory) breaks the
        pool: every unit not finished fails with it, though only the trials it ran were lost.
        Then the pool starts again with what is left (``recover``): the trials that never
        started, those the broken pool stopped (INTERRUPTED) and the ones the dead worker was
        running (settled INTERRUPTED, its checkpoint kept), both resumed; a trial lost twice
        FAILS. So one worker's death costs its trials' epochs since their checkpoints."""
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        todo, restarts = list(units), 0
        lost: set[str] = set()
        try:
            while todo:
                self.start(len(todo))
                futures = {self._pool.submit(run_unit_in_worker, unit): unit for unit in todo}
                broken = []
                for future in as_completed(futures):
                    try:
                        rows = future.result()
                    except BrokenProcessPool:  # (the unit may have run, or not: its folders say)
                        broken.append(futures[future])
                        continue
                    except Exception as exc:
                        rows = failed_rows(futures[future], f"{type(exc).__name__}: {exc}")
                    for row in rows:
                        on_row(row)
                todo = []
                if broken:
                    pool, self._pool = self._pool, None
                    pool.shutdown(wait=True)  # (its workers gone: their folders are final)
                    restarts += 1  # (each trial dies at most twice: this bounds the rest)
                    limit = 2 * sum(len(unit) for unit in units) + 1
                    todo = recover(broken, lost, on_row, give_up=restarts > limit)
        except BaseException:
            pool, self._pool = self._pool, None
            if pool is not None:
                stop_pool(pool)
            raise
        self.close()


def recover(broken: list[Unit], lost: set[str], on_row: Callable[[Row], None],
            give_up: bool = False) -> list[Unit]:  # fmt: skip
    """The units to run again after a worker died and broke the pool, trial by trial as its
    folder says: none yet (the unit never started): run as it was; INTERRUPTED (stopped by
    the broken pool) or left RUNNING by the dead worker (``runs.settle_stale``: INTERRUPTED,
    its checkpoint kept): resumed, alone; ended (COMPLETED, DIVERGED, FAILED) before the break:
    its row, from the folder. A trial lost twice (in ``lost``, which this updates), any trial
    once ``give_up``, or a folder that cannot be read: a FAILED row."""
    died = "its worker process died (killed, or out of memory?)"
    again: list[Unit] = []
    for unit in broken:
        fresh = []
        for task in unit:
            folder = runs.RunDir(Path(task.trials_dir) / task.trial_id)
            if not folder.file("meta.json").exists():
                fresh.append(task)
                continue
            settled = runs.settle_stale(folder)
            row = row_from_folder(task.trial_id, task.values, task.seed, folder)
            if row["status"] != "INTERRUPTED":  # (ended before the break, or unreadable)
                on_row(row)
            elif give_up or (settled and task.trial_id in lost):
                runs.settle_failed(folder, f"{died} while it ran, twice")
                on_row(row_from_folder(task.trial_id, task.values, task.seed, folder))
            else:
                lost.update([task.trial_id] if settled else [])
                again.append((replace(task, action="resume"),))
        if fresh and give_up:
            for row in failed_rows(tuple(fresh), died):
                on_row(row)
        elif fresh:
            again.append(tuple(fresh))
    return again


EXECUTORS = ("local", "dask")


def make_executor(jobs: int, kind: str = "local", scheduler: str | None = None) -> Executor:
    """``local``: serial for ``jobs == 1``, else up to ``jobs`` worker processes; ``dask``: the
    cluster at ``scheduler`` (or a local one of up to ``jobs`` workers). What the workers
    need is checked once the trials are known (``Executor.check``), before any folder."""
    if jobs < 1:
        raise ConfigError(f"--jobs: expected a positive number of workers, got {jobs}")
    if scheduler is not None:
        kind = "dask"
    if kind == "dask":
        from nnlab.sweep.dask import DaskExecutor

        return DaskExecutor(scheduler, jobs)
    if kind != "local":
        raise ConfigError(not_one_of("--executor", kind, EXECUTORS))
    return SerialExecutor() if jobs == 1 else ProcessExecutor(jobs)


def check_executor(
    jobs: int, kind: str = "local", scheduler: str | None = None, tasks: int | None = None
) -> None:
    """The checks a run makes of its executor as it makes it (``make_executor``: ``jobs``,
    ``kind``, ``scheduler``), and, given the ``tasks`` (trials) it would run, what the workers
    that start for them need (``Executor.check``), with nothing started: a dry run's. The
    executor is made and closed unstarted (no worker, no connection)."""
    executor = make_executor(jobs, kind, scheduler)
    try:
        if tasks is not None:
            executor.check(tasks)
    finally:
        executor.close()


def check_workers(jobs: int, tasks: int | None = None, noun: str = "trial") -> None:
    """Before a folder is made: the open files the workers of ``--jobs jobs`` need
    (``check_open_files``), counting those that start: one for each of ``tasks`` (``noun``s)
    at most (None: ``jobs``), not ``jobs`` (``--jobs 64`` for two trials was refused under
    ``ulimit -n 100``); and, for a pool, that their queues' semaphores can be made
    (``no_semaphores``)."""
    workers = jobs if tasks is None else max(1, min(jobs, tasks))
    check_open_files(jobs, workers=workers, tasks=noun)
    if jobs > 1:
        import multiprocessing as mp

        try:
            mp.get_context().Lock()  # (a named semaphore, unlinked at once)
        except OSError as exc:
            raise no_semaphores(workers, exc) from None


def check_stack(stack: int) -> None:
    if stack < 1:
        raise ConfigError(f"--stack: expected a positive number of trials per stack, got {stack}")
