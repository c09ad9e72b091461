"""Upper limits on the memory and the work a command may ask for, checked before any work
starts.

Sizes in a config or an option have fixed upper limits (the schema's and the options'); what
they multiply to is checked here: the bytes a model with its optimizer state and activations,
a generated dataset or a set of activation histograms needs, against ``memory_limit()``: 80 %
of this machine's memory (of its cgroup's limit, of what ``ulimit -v`` leaves, where less), or
``NNLAB_MAX_MEMORY_GB``; and the hours a training run (or a whole
sweep) would take at nominal rates (``training_hours``: its matrix products and its steps),
against ``work_limit()``: a day, or ``NNLAB_MAX_HOURS`` (epochs, samples and batch sizes each
within their bounds multiply to years: a million epochs of batch 1). A request over either is
one ConfigError that names what needs it, how much, the limit and how to change it.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from nnlab.costs import (
    BASE_DEPTH,
    MEMORY_GBPS,
    NOMINAL_GFLOPS,
    STEP_SECONDS,
    fixed_seconds as fixed_seconds,  # (as ``sweep.preview`` imports it)
    parameters,
    training_hours,
)
from nnlab.errors import ConfigError, OptionError
from nnlab.output import brief, counted

MEMORY_ENV = "NNLAB_MAX_MEMORY_GB"
SHARE_OF_RAM = 0.8
WORK_ENV = "NNLAB_MAX_HOURS"
DEFAULT_MAX_HOURS = 24.0  # of work at the nominal rates below


def physical_memory() -> int:
    """Bytes of memory this machine has (a large default where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 16 * 2**30


CGROUPS = Path("/sys/fs/cgroup")  # where the control groups are mounted (v2; v1: one per kind)
PROC_SELF = Path("/proc/self")  # this process's ``cgroup`` and ``status``
NO_LIMIT = 2**60  # a cgroup v1 limit this large is none (unset, it reads 2**63 less a page)


def _number(path: Path) -> int | None:
    """The number ``path`` holds (a cgroup's limit), None for "max", a number past
    ``NO_LIMIT``, or a file that cannot be read."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None
    return int(text) if text.isdigit() and int(text) < NO_LIMIT else None


_groups: dict[tuple[Path, Path], int | None] = {}  # ``cgroup_memory`` by where it was read


def cgroup_memory() -> int | None:
    """``read_cgroup_memory()``, read once a process (~0.25 ms: a sweep's plan checks every
    trial's memory)."""
    key = (CGROUPS, PROC_SELF)
    if key not in _groups:
        _groups[key] = read_cgroup_memory()
    return _groups[key]


def read_cgroup_memory() -> int | None:
    """The memory limit of this process's control group (a container's ``--memory``, a
    systemd unit's ``MemoryMax``): the least of its own and its ancestors' that can be read,
    cgroup v2's ``memory.max`` or v1's ``memory.limit_in_bytes``; None where there is none.
    (Inside a container the group's path may be mounted as the root: the root is read too.)"""
    try:
        lines = (PROC_SELF / "cgroup").read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return None
    found = []
    for line in lines:
        _, kinds, group = (line.split(":", 2) + ["", ""])[:3]
        if kinds == "":
            base, name = CGROUPS, "memory.max"
        elif "memory" in kinds.split(","):
            base, name = CGROUPS / "memory", "memory.limit_in_bytes"
        else:
            continue
        folder = base / group.strip("/")
        for level in (folder, *folder.parents):
            if level == base or base in level.parents:
                found.append(_number(level / name))
    limits = [n for n in found if n is not None]
    return min(limits) if limits else None


def address_space_left() -> tuple[int, int] | None:
    """(bytes this process may still map, its address-space limit) under ``ulimit -v``
    (RLIMIT_AS: the limit less the process's ``VmSize``), None where there is no such limit.
    NumPy and OpenBLAS map ~150 MB as they load; an array past the rest is a MemoryError."""
    try:
        import resource
    except ImportError:  # (not on Windows)
        return None
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    if soft == resource.RLIM_INFINITY:
        return None
    blas_buffer()
    mapped = 0
    try:
        for line in (PROC_SELF / "status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmSize:"):
                mapped = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return max(soft - mapped, 0), soft


def blas_buffer() -> None:
    """Have OpenBLAS map its work buffer now (a product too large for its small-matrix path
    maps it), so that what this process maps includes it. Where it cannot be mapped (under
    ``ulimit -v``) OpenBLAS prints 'Memory allocation still failed' and exits the process: here,
    before any folder is made, not at a run's first training step, which left it STALE."""
    import numpy as np

    for dtype in (np.float32, np.float64):
        square = np.ones((64, 64), dtype=dtype)
        square.T @ square


def memory_bound() -> tuple[int, str]:
    """(the most bytes this process may use, what sets it): this machine's RAM, the memory
    limit of its control group, or what it may still map under ``ulimit -v``, the least.
    A container's limit below the machine's RAM was not seen: a model it could not hold
    passed the check and the kernel killed the run (SIGKILL: no word, the folder STALE)."""
    bound = (physical_memory(), "this machine's RAM")
    group = cgroup_memory()
    if group is not None and group < bound[0]:
        bound = (group, f"the memory limit of this process's cgroup, {_size(group)}")
    left = address_space_left()
    if left is not None and left[0] < bound[0]:
        bound = (
            left[0],
            f"the {_size(left[0])} left of its address-space limit (ulimit -v), {_size(left[1])}",
        )
    return bound


# A number in ASCII decimal digits, as an environment variable gives an amount: Python's
# float() also takes other scripts' digits ('٣' is 3), '1_000', ' 3 ', 'nan' and 'inf'.
ENV_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def env_amount(name: str, unit: str) -> float | None:
    """The amount environment variable ``name`` sets (a positive number of ``unit`` in ASCII
    decimal digits: ``ENV_NUMBER``), None where it is unset or empty; a ConfigError naming it
    for anything else. Every numeric NNLAB_* variable is read here."""
    value = os.environ.get(name)
    if not value:
        return None
    expected = f"a positive number of {unit} in digits 0-9 below 2**40"
    if not ENV_NUMBER.fullmatch(value):
        raise ConfigError(f"{name}: expected {expected}, got {brief(repr(value))}")
    amount = float(value)
    if not 0 < amount < 2**40:  # (a finite amount: 1e309 is infinity)
        raise ConfigError(f"{name}: expected {expected}, got {brief(repr(value))}")
    return amount


def memory_limit() -> int:
    """The most bytes one command may plan to use: ``$NNLAB_MAX_MEMORY_GB``, or 80 % of
    ``memory_bound()``."""
    gb = env_amount(MEMORY_ENV, "GB")
    if gb is not None:
        return int(gb * 2**30)
    return int(SHARE_OF_RAM * memory_bound()[0])


def memory_source() -> str:
    """What sets ``memory_limit()``, as its errors say: ``$NNLAB_MAX_MEMORY_GB``, or ``80% of
    this machine's RAM`` (of a cgroup's limit, of the room left under ``ulimit -v``)."""
    if os.environ.get(MEMORY_ENV):
        return f"${MEMORY_ENV}"
    return f"{SHARE_OF_RAM:.0%} of {memory_bound()[1]}"


def _gb(nbytes: float) -> str:
    """``nbytes`` in GB (3 significant digits), or in MB below 10 MB (under ``ulimit -v``
    a tiny run's needs and limit read '0.000315 GB')."""
    return f"{nbytes / 2**30:.3g} GB" if nbytes >= 10 * 2**20 else f"{nbytes / 2**20:.3g} MB"


def _size(nbytes: float) -> str:
    """``nbytes`` in MB below a GB, else in GB (3 significant digits)."""
    return f"{nbytes / 2**20:.3g} MB" if nbytes < 2**30 else _gb(nbytes)


def check_memory(what: str, nbytes: float, parts: Mapping[str, float] | None = None) -> None:
    """ConfigError if ``what`` needs more than ``memory_limit()`` bytes. ``parts`` (bytes by
    what they are for, named by the key that sets them: ``training_parts``): the largest is
    named, so that the error says what to make smaller."""
    limit = memory_limit()
    if nbytes > limit:
        source = memory_source()
        most = ""
        if parts:
            name, size = max(parts.items(), key=lambda kv: kv[1])
            most = f" ({_gb(size * nbytes / sum(parts.values()))} of it is {name})"
        raise ConfigError(
            f"{what} needs at least {_gb(nbytes)} of memory, over the limit of {_gb(limit)} "
            f"({source}); make it smaller{most}, or set {MEMORY_ENV} to raise the limit"
        )


def training_parts(
    cfg: Any, input_dim: int, n_classes: int, n_train: int, n_eval: int
) -> dict[str, int]:
    """Bytes one net of ``cfg`` needs to train, by what they are for, each named with the key
    that sets it: parameters with their gradients, optimizer state and a checkpoint copy,
    and the temporaries of the update of the largest weights (``model.hidden``); a minibatch's activations kept for backward (``batch_size``); an
    evaluation batch's activations (``eval_batch_size``)."""
    widths = [input_dim, *cfg.model.hidden, n_classes]
    params, slots = parameters(cfg, input_dim, n_classes)
    batch = n_train if cfg.batch_size == "full" else min(int(cfg.batch_size), n_train)
    evaluation = min(cfg.eval_batch_size, max(n_eval, 1))
    itemsize = 8 if cfg.dtype == "float64" else 4
    layers = sum(widths)
    largest = max(a * b for a, b in zip(widths, widths[1:]))  # (its update's temporaries:
    # 2 a slot, as adam's step makes them: 10,000 x 2 units peaked at 3.6 GB, 2.0 counted)
    return {
        "model.hidden's weights with their gradients and optimizer state": (
            itemsize * (params * (3 + slots) + largest * 2 * slots)
        ),
        f"the activations of a minibatch of batch_size={cfg.batch_size}": (
            itemsize * 6 * batch * layers
        ),
        f"the activations of an evaluation batch of {counted(f'{evaluation:,}', 'row')}, set by "
        "eval_batch_size": (itemsize * 3 * evaluation * layers),
    }


DISK_SHARE = 0.9  # of the free space where the folders go, the most a command may plan to write
FOLDER_FILES = 200_000  # bytes of a run folder's files besides its checkpoint and metrics
METRICS_LINE = 400  # bytes of an epoch's record in metrics.jsonl (with every split: ~300)


def folder_bytes(cfg: Any, input_dim: int, n_classes: int) -> int:
    """About how many bytes a training run of ``cfg`` leaves in its folder: its checkpoint
    (the parameters, BatchNorm's running statistics and the optimizer's state), a record per
    epoch, and its other files (config, meta, summaries, curves.png: ``FOLDER_FILES``)."""
    params, slots = parameters(cfg, input_dim, n_classes)
    itemsize = 8 if cfg.dtype == "float64" else 4
    return itemsize * params * (1 + slots) + METRICS_LINE * (int(cfg.epochs) + 1) + FOLDER_FILES


def free_space(root: Path) -> int | None:
    """Bytes free on the file system ``root`` is on (or would be made on: its nearest existing
    parent), None where that cannot be told: an error, or a file system of no size (/proc,
    /sys: nothing can be written there, and the write says so, not a count of free bytes)."""
    path = Path(root).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return None
    return usage.free if usage.total > 0 else None


def check_disk(what: str, nbytes: float, root: Path, smaller: str | None = None) -> None:
    """ConfigError if ``what`` would write ``nbytes`` (``folder_bytes``) under ``root``, more
    than ``DISK_SHARE`` of the space free there: refused before it starts, not a full disk
    (and a sweep of FAILED trials) hours into it. ``smaller``: how to make it smaller
    (``SMALLER``: a training run's; "": a folder of a fixed size)."""
    free = free_space(root)
    smaller = SMALLER if smaller is None else smaller
    if free is not None and nbytes > DISK_SHARE * free:
        raise ConfigError(
            f"{what} would write about {_size(nbytes)} into {root}, which has {_size(free)} "
            f"free; {f'make it smaller ({smaller}), or ' if smaller else ''}free some space "
            "(or give another --runs-dir)"
        )


SMALLER = "fewer trials or epochs, a smaller net"


OPEN_FILES = 16  # files a command that makes a folder has open at most, about: Python's own
# (its streams, an import's), a run file or two, a painter's pipes, matplotlib's fonts
WORKER_FILES = 3  # and each worker process more (its pipes), past a pool's own (``FILES_POOL``)
FILES_POOL = 20


def open_files_needed(jobs: int = 1, workers: int | None = None) -> int:
    """About how many files a command of ``jobs`` worker processes keeps open at once, of
    which ``workers`` start (default: all; a sweep of two trials starts two of ``--jobs
    64``'s, in a pool all the same) (a sweep's or a tune's ``--jobs 2`` needed 22 to end,
    ``--jobs 4`` 26; without workers a tune's trials failed under 10, a training run's
    painter under 8)."""
    return OPEN_FILES if jobs <= 1 else FILES_POOL + WORKER_FILES * (workers or jobs)


def check_open_files(
    jobs: int = 1,
    option: str = "--jobs",
    needed: Callable[[int, int], int] | None = None,
    workers: int | None = None,
    tasks: str = "trial",
) -> None:
    """ConfigError where the limit on open files (``ulimit -n``; the soft limit, which the
    command raised towards the hard one as it began) is below ``open_files_needed(jobs,
    workers)`` (or ``needed(jobs, workers)``: a local Dask cluster's): refused before the
    folder is made, not 'Too many open files' once the work began (a sweep under ``ulimit -n
    16`` failed as its pool started and could not record it: STALE). ``workers``: how many
    of the ``jobs`` workers start, one for each of as many ``tasks`` (default: ``jobs``):
    ``--jobs 64`` for two trials was refused as if 64 started."""
    needed = needed or open_files_needed
    try:
        import resource
    except ImportError:  # (not on Windows)
        return
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    started = jobs if workers is None else max(1, min(jobs, workers))
    need = needed(jobs, started)
    if limit == resource.RLIM_INFINITY or limit >= need:
        return
    fit = max((j for j in range(2, started) if needed(j, j) <= limit), default=1)
    what = f"{option} {jobs} needs" if jobs > 1 else "a command that makes a folder needs"
    if 1 < jobs and started < jobs:  # (a worker for each task: no more start)
        what = f"{option} {jobs} ({counted(started, 'worker')} for {counted(started, tasks)}) needs"
    fewer = f"give {option} {fit}, or " if jobs > 1 and limit >= needed(1, 1) else ""
    raise ConfigError(
        f"{what} about {need} open files, over the limit of {limit} (ulimit -n); "
        f"{fewer}raise the limit (ulimit -n {need})"
    )


SEMAPHORES = "/dev/shm"  # where Linux makes the named semaphores of a pool's queues


def no_semaphores(jobs: int, exc: OSError, fewer: str = "--jobs 1") -> OptionError:
    """The error of a pool whose queues' semaphores could not be made (``SEMAPHORES``
    read-only, missing or full: a container's, a sandbox's): the OS's words alone before.
    ``fewer``: the options that start no worker (a local Dask cluster's always has one)."""
    return OptionError(
        "--jobs",
        f"cannot start {jobs} worker processes: their semaphores cannot be made in "
        f"{SEMAPHORES} ({exc.strerror or exc}); give {fewer} (no workers), or make "
        f"{SEMAPHORES} a writable tmpfs",
    )


def work_limit() -> float:
    """The most hours of work (``training_hours``) one run or sweep may plan:
    ``$NNLAB_MAX_HOURS`` or ``DEFAULT_MAX_HOURS``."""
    hours = env_amount(WORK_ENV, "hours")
    return DEFAULT_MAX_HOURS if hours is None else hours


SHORTER = (
    "fewer epochs, samples or trials, larger batches (batch_size, eval_batch_size), a smaller net"
)


def check_work(
    what: str,
    flop: float,
    steps: float,
    shorter: str = SHORTER,
    calls: tuple[str, str] = ("step", "steps"),
    evaluations: float = 0,
    fixed: float | None = None,
    resume: bool = False,
    moved: float = 0.0,
) -> None:
    """ConfigError if ``what`` (``steps`` training steps, or evaluation batches: calls of a
    step's fixed cost; ``evaluations`` evaluation batches besides, each as costly; or
    ``fixed`` seconds for all of them, ``fixed_seconds``; ``flop`` operations; ``moved`` bytes
    of elementwise passes, ``costs.elementwise_bytes``) would take more than ``work_limit()``
    hours (``training_hours``); ``shorter`` says how to make it
    shorter, ``calls`` what a step is (singular, plural; "call": a small layer's, of
    ``fixed`` seconds, no deeper net's). A ``resume`` continues the work its
    folder was started with, which it cannot shorten: its advice is what can be done then
    (raise the limit, or start anew with less)."""
    limit, hours = work_limit(), training_hours(flop, steps + evaluations, fixed, moved)
    if hours > limit:
        source = f"${WORK_ENV}" if os.environ.get(WORK_ENV) else "a day"
        article = "an" if calls[0][0] in "aeiou" else "a"
        cost = f"{article} {calls[0]}"
        counts = counted(f"{steps:,.0f}", *calls)
        if evaluations:
            batches = ("evaluation batch", "evaluation batches")
            counts += f", {counted(f'{evaluations:,.0f}', *batches)}"
            cost += " or evaluation batch"
        each = STEP_SECONDS if fixed is None else fixed / max(steps + evaluations, 1)
        if not math.isclose(each, STEP_SECONDS) and calls[0] != "call":  # (``step_seconds``)
            cost += f" on average (a step of over {BASE_DEPTH} hidden layers costs more)"
        products, rates = (
            f"{flop / 1e12:,.3g} TFLOP of matrix products",
            f"{NOMINAL_GFLOPS:g} GFLOP/s",
        )
        if moved:  # (``costs.elementwise_bytes``)
            counts += f", {products}" if flop else ""
            products = f"{moved / 1e12:,.3g} TB of elementwise passes (parameters, activations)"
            rates += f", {MEMORY_GBPS:g} GB/s"
        raise ConfigError(
            f"{what} is {counts} and {products}: about "
            f"{_duration(hours)} at {rates} and {each * 1e3:.3g} ms "
            f"{cost}, over the limit of {counted(f'{limit:g}', 'hour')} ({source}); "
            + (
                f"a resume continues the work as it was started: set {WORK_ENV} to raise the "
                f"limit, or start a new run with {shorter}"
                if resume
                else f"make it shorter ({shorter}), or set {WORK_ENV} to raise it"
            )
        )


def _duration(hours: float) -> str:
    days = hours / 24
    if hours < 48:
        return counted(f"{hours:.3g}", "hour")
    return counted(f"{days:,.3g}", "day") if days < 730 else counted(f"{days / 365:,.3g}", "year")


def check_at_least(*counts: tuple[str, int, int]) -> None:
    """ConfigError naming the first of ``counts`` (option, value, lowest allowed) below its
    lowest: the counts a command checks before any work (``--trials``, ``--layers``, ...)."""
    for name, value, low in counts:
        if value < low:
            raise ConfigError(f"{name}: expected at least {low}, got {value}")
