"""The Dask executor: units of trials as tasks on a Dask distributed cluster (the ``dask`` extra)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nnlab.errors import ConfigError
from nnlab.output import brief
from nnlab.sweep.trial import Row, Unit, failed_rows, run_unit

# Files a local cluster's processes keep open: the scheduler's and the client's sockets in
# this process, and each worker's and its nanny's links to them. Measured (distributed
# 2026.8, ``sweep grid ... --executor dask`` under a hard ``ulimit -n``): --jobs 1 ran at 36,
# 2 at 48, 4 at 72, 8 at 120 and failed a few below each; under 16 the scheduler looped on
# 'Too many open files' for ever, and between 'Nanny failed to start' in a traceback.
CLUSTER_FILES, CLUSTER_WORKER_FILES = 28, 12


def cluster_files_needed(jobs: int) -> int:
    """About how many open files a local Dask cluster of ``jobs`` workers needs."""
    return CLUSTER_FILES + CLUSTER_WORKER_FILES * max(1, jobs)


class DaskExecutor:
    """Units as tasks on a Dask distributed cluster (``pip install 'nnlab[dask]'``).

    ``scheduler``: the address of a running scheduler (``tcp://host:8786``); None starts a
    ``LocalCluster`` of ``jobs`` single-threaded worker processes on this machine for the sweep
    (``processes=False``: threads of this process, as the tests use). A task is ``run_unit`` of
    one unit, exactly what a local worker runs: the same trial ids, seeds, folders and numbers.
    Workers must see this machine's paths (a shared file system holding the sweep folder and
    ``--data-dir``) and run the same nnlab version. An interrupted sweep cancels its pending
    tasks and writes the sweep folder's ``STOP`` file: trials already running on a worker stop
    after their current epoch (``run_unit``), INTERRUPTED and resumable.
    """

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
        self._client: Any = None
        self._cluster: Any = None

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
                n_workers=self.jobs,
                threads_per_worker=1,
                processes=self.processes,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(self.scheduler, timeout=self.timeout)
            except (OSError, ValueError, TypeError) as exc:  # (unreachable; not an address)
                raise ConfigError(
                    f"--scheduler: {brief(repr(self.scheduler))}: cannot connect ({exc}); give "
                    "the address of a running Dask scheduler, such as tcp://host:8786"
                ) from None
        return self._client

    @property
    def workers(self) -> int:
        return max(1, len(self._connect().scheduler_info()["workers"]))

    def describe(self) -> str:
        return f"dask ({self.scheduler or f'LocalCluster of {self.jobs}'})"

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
