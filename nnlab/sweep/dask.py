"""The Dask executor: units of trials as tasks on a Dask distributed cluster (the ``dask`` extra)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nnlab.errors import ConfigError, OptionError
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
    """Close the ``Client`` or ``LocalCluster`` whose start raised ``exc``, and stop its IO-loop
    thread, at once. distributed (2026.8) leaves them half-made: refused an address ('nope': a
    ValueError) a client stays 'connecting', its IO-loop thread running, and the garbage
    collector's ``Client.__del__`` closes it later, taking ``LoopRunner``'s class-wide lock (a
    collection while the next ``LocalCluster``'s start held that lock deadlocked); timed out
    (an address where nothing answers) it closes itself but leaves its IO-loop thread running,
    as a ``LocalCluster`` whose scheduler failed to start does: a thread for every failed start,
    for as long as the process lives. They are only in the traceback (the constructor raised)."""
    import contextlib

    from distributed import Client
    from distributed.deploy import Cluster

    seen: set[int] = set()
    tb = exc.__traceback__
    while tb is not None:
        made = tb.tb_frame.f_locals.get("self")
        if isinstance(made, (Client, Cluster)) and id(made) not in seen:
            seen.add(id(made))
            with contextlib.suppress(Exception):  # (the refusal is what the user needs)
                made.close()  # (one that closed itself: nothing to do, its thread left)
            with contextlib.suppress(Exception):
                made._loop_runner.stop()  # (stopped already: nothing to do)
        tb = tb.tb_next


def _reason(exc: BaseException) -> str:
    """What went wrong, in the words of each exception of ``exc``'s chain that adds any
    ('Cluster failed to start: Scheduler failed to start.: [Errno 98] ...')."""
    words: list[str] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        said = str(exc) or type(exc).__name__
        if not any(said in w for w in words):
            words.append(said)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return ": ".join(words)


def _answers(address: str, timeout: float) -> None:
    """Raise unless a Dask scheduler at ``address`` answers distributed's handshake within
    ``timeout`` seconds. distributed's ``Client`` waits for the handshake without a limit: at
    an address where something listens and says nothing (a firewall's proxy, a server
    waiting for a request) it waited for ever, its ``timeout`` notwithstanding, and where
    something else answers (an HTTP server, a proxy) it read the reply's first bytes as a
    length, 'Unable to allocate 3.07 EiB' (a MemoryError, with its traceback). Run on an event
    loop of its own, closed when it returns, in this thread (or, beside a running loop, in one
    joined before it returns): it leaves no thread."""
    import asyncio
    import concurrent.futures

    from distributed.comm import connect
    from distributed.security import Security

    async def handshake() -> None:
        comm = await asyncio.wait_for(
            connect(address, timeout=timeout, **Security().get_connection_args("client")),
            timeout,  # (connect's own covers the connection, not the handshake)
        )
        await comm.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # (none in this thread: the command line's case)
        running = False
    else:  # (a caller's running loop, Jupyter's: asyncio.run refuses to start one beside it)
        running = True
    try:
        if running:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:  # (its thread joined)
                pool.submit(asyncio.run, handshake()).result()
        else:
            asyncio.run(handshake())
    except asyncio.TimeoutError:
        raise OSError(f"no Dask scheduler answered within {timeout:g} s") from None
    except MemoryError:
        raise OSError("what answers there is not a Dask scheduler") from None


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
            self._start_cluster(LocalCluster, Client)
            return self._client
        try:
            _answers(self.scheduler, self.timeout)
            self._client = Client(self.scheduler, timeout=self.timeout)
        except Exception as exc:  # (unreachable; not an address; no scheduler there)
            _close_half_made(exc)
            raise ConfigError(
                f"--scheduler: {brief(repr(self.scheduler))}: cannot connect ({exc}); "
                "give the address of a running Dask scheduler, such as tcp://host:8786"
            ) from None
        return self._client

    def _start_cluster(self, local_cluster: Any, client: Any) -> None:
        """Start a local cluster of ``n_workers`` and a client of it, or, if either fails
        (its scheduler cannot listen, a worker process dies as it starts), leave nothing of them
        running and say why in one line (``OptionError``: exit 2, as workers ``--jobs`` cannot
        start are). distributed's own tracebacks of the failure (logged as errors in this
        process) are left out: its words end the line (``--debug`` shows the traceback)."""
        import logging

        quiet = logging.root.manager.disable
        logging.disable(logging.ERROR)
        try:
            self._cluster = local_cluster(
                n_workers=self.n_workers,
                threads_per_worker=1,
                processes=self.processes,
                dashboard_address=None,
            )
            self._client = client(self._cluster)
        except Exception as exc:
            _close_half_made(exc)
            self.close()
            workers = f"{self.n_workers} worker{'s' if self.n_workers != 1 else ''}"
            raise OptionError(
                "--executor",
                f"dask: a local cluster of {workers} failed to start ({_reason(exc)}); give "
                "--executor local, or the --scheduler of a running cluster",
            ) from exc
        finally:
            logging.disable(quiet)

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
