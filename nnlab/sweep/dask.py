"""The Dask executor: units of trials as tasks on a Dask distributed cluster (the ``dask`` extra)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nnlab.errors import ConfigError
from nnlab.limits import check_open_files, no_semaphores
from nnlab.output import brief
from nnlab.sweep.trial import Row, Unit, failed_rows, run_unit

# Files a local cluster's processes keep open: the scheduler's and the client's sockets in
# this process, and each worker's and its nanny's links to them. Measured (distributed
# 2026.8, ``sweep grid ... --executor dask`` under a hard ``ulimit -n``): --jobs 1 ran at 36,
# 2 at 48, 4 at 72, 8 at 120 and failed a few below each; under 16 the scheduler looped on
# 'Too many open files' for ever, and between 'Nanny failed to start' in a traceback.
CLUSTER_FILES, CLUSTER_WORKER_FILES = 28, 12


def cluster_files_needed(jobs: int, workers: int | None = None) -> int:
    """About how many open files a local Dask cluster of ``jobs`` workers needs, ``workers``
    of them started (default: all)."""
    return CLUSTER_FILES + CLUSTER_WORKER_FILES * max(1, workers or jobs)


def _close_half_made(exc: BaseException) -> None:
    """Close the ``Client`` whose start raised ``exc``, at once. distributed (2026.8) leaves it
    half-made: refused an address ('nope': a ValueError) it stays 'connecting', its IO-loop
    thread running, and the garbage collector's ``Client.__del__`` closes it later, taking
    ``LoopRunner``'s class-wide lock. A collection while a ``LoopRunner`` start holds that lock
    (the next ``LocalCluster`` of the process) deadlocked: the main thread for ever, or the new
    IO-loop thread, the start giving up after 10 s (``assert loop is not None``). Closed, it
    stops its thread and its ``__del__`` does nothing. The client is only in the traceback
    (the constructor raised)."""
    import contextlib

    from distributed import Client

    tb = exc.__traceback__
    while tb is not None:
        client = tb.tb_frame.f_locals.get("self")
        if isinstance(client, Client):
            with contextlib.suppress(Exception):  # (the refusal is what the user needs)
                client.close()  # (one that closed itself, unreachable: nothing to do)
            return
        tb = tb.tb_next


class DaskExecutor:
    """Units as tasks on a Dask distributed cluster (``pip install 'nnlab[dask]'``).

    ``scheduler``: the address of a running scheduler (``tcp://host:8786``); None starts a
    ``LocalCluster`` of ``jobs`` single-threaded worker processes on this machine for the sweep,
    no more than it has trials to run (``check``) (``processes=False``: threads of this
    process, as the tests use). A task is ``run_unit`` of
    one unit, exactly what a local worker runs: the same trial ids, seeds, folders and numbers.
    Workers must see this machine's paths (a shared file system holding the sweep folder and
    ``--data-dir``) and run the same nnlab version. An interrupted sweep cancels its pending
    tasks and writes the sweep folder's ``STOP`` file: trials already running on a worker stop
    after their current epoch (``run_unit``), INTERRUPTED and resumable.
    """

    kind = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        jobs: int = 1,
        processes: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self.scheduler, self.jobs, self.processes, self.timeout = (
            scheduler,
            jobs,
            processes,
            timeout,
        )
        self.n_workers = jobs  # (a local cluster's: ``check`` counts them)
        self._client: Any = None
        self._cluster: Any = None

    def check(self, tasks: int) -> None:
        """Before a folder is made, for ``tasks`` trials to run: a local cluster starts a
        worker for each, ``jobs`` at most (it started ``jobs`` for two trials), checked as
        ``--jobs``' workers are (``executors.check_workers``): the open files it needs
        (``cluster_files_needed``), and that its nannies' queues can make their semaphores in
        /dev/shm (read-only, each nanny failed: 'unexpected RuntimeError: Nanny failed to
        start' after a traceback). A cluster at ``scheduler`` runs its workers elsewhere: only
        this process's floor applies (``runs.start``)."""
        import multiprocessing as mp

        if self.scheduler is not None or self._client is not None:
            return
        self.n_workers = max(1, min(self.jobs, tasks))
        check_open_files(self.jobs, needed=cluster_files_needed, workers=self.n_workers)
        try:
            mp.get_context("spawn").Lock()  # (a named semaphore, unlinked at once)
        except OSError as exc:
            raise no_semaphores(self.n_workers, exc, fewer="--executor local --jobs 1") from None

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError(
                "--executor dask needs the dask extra: pip install 'nnlab[dask]'"
            ) from None
        if self.scheduler is None:
            self._cluster = LocalCluster(
                n_workers=self.n_workers,
                threads_per_worker=1,
                processes=self.processes,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(self.scheduler, timeout=self.timeout)
            except (OSError, ValueError, TypeError) as exc:  # (unreachable; not an address)
                _close_half_made(exc)
                raise ConfigError(
                    f"--scheduler: {brief(repr(self.scheduler))}: cannot connect ({exc}); give "
                    "the address of a running Dask scheduler, such as tcp://host:8786"
                ) from None
        return self._client

    @property
    def workers(self) -> int:
        return max(1, len(self._connect().scheduler_info()["workers"]))

    def describe(self) -> str:
        return f"dask ({self.scheduler or f'LocalCluster of {self.n_workers}'})"

    def start(self, n_units: int) -> None:
        self._connect()

    def run(self, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None:
        if not units:
            return
        client = self._connect()
        with self._one_blas_thread():
            self._gather(client, units, on_row)

    def _one_blas_thread(self) -> Any:
        """Trials on the threads of this process (``processes=False``) share one BLAS: each
        trial's ``threadpool_limits(1)`` restores the old count when it ends, under the feet
        of a trial still running on another thread (other thread counts sum in another order:
        other bits). Held for the whole run, the count stays 1 for every trial."""
        import contextlib

        from threadpoolctl import threadpool_limits

        if self._cluster is not None and not self.processes:
            return threadpool_limits(limits=1)
        return contextlib.nullcontext()

    def _gather(self, client: Any, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None:
        from distributed import as_completed

        futures = {client.submit(run_unit, unit, pure=False): unit for unit in units}
        try:
            for future in as_completed(futures):
                try:
                    rows = future.result()
                except Exception as exc:  # the worker died or could not run the task
                    rows = failed_rows(futures[future], f"{type(exc).__name__}: {exc}")
                for row in rows:
                    on_row(row)
        except BaseException:
            client.cancel(list(futures))
            raise

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
