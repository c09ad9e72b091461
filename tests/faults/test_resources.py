"""Resources and OS facilities a command needs (fault injection, round 5): memory that is
not there (a control group's limit, ``ulimit -v``), processes and open files that cannot be
had (``ulimit -u``, a hard ``ulimit -n``), and signals other than the stop signals.

The memory limit a command plans against was 80 % of the machine's RAM whatever the process
could have: in a container of 2 GB on a machine of 24 GB a model of 15 GB passed the check
and the kernel killed the run (SIGKILL: no word, its folder STALE), and under ``ulimit -v``
it began, made its folder and failed on its first large array.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from nnlab import limits

from .helpers import Row, argv, assert_settled, invoke, one_line, only, refused, statuses

BIG = "model.hidden=[8192,8192]"  # (~0.8 GB to train with sgd)

RESOURCES = [
    Row(
        "a memory limit below the machine's RAM (a container's cgroup, `ulimit -v`), in every "
        "command: the model is held to it",
        "`nnlab train cfg.yaml model.hidden=[8192,8192]` (cgroup memory.max 1G)",
        2,
        (
            "error: training tiny (64 -> 8192 x 2 -> out) needs at least 0.812 GB of memory, over "
            "the limit of 0.8 GB (80% of the memory limit of this process's cgroup, 1 GB)",
        ),
    ),
    Row(
        "too little memory for nnlab's libraries to load (`ulimit -v`), in every command",
        "`nnlab runs list` (`ulimit -v 60000`)",
        1,
        ("error: out of memory loading ", "; the address-space limit (ulimit -v) is 58.6 MB"),
    ),
    Row(
        "a hard limit on open files below what the command needs (`ulimit -n 16`), in every "
        "command that makes a folder: refused before it is made",
        "`nnlab sweep grid cfg.yaml optimizer.lr=0.1,0.2 --jobs 2` (`ulimit -n 16`)",
        2,
        (
            "error: --jobs 2 needs about 26 open files, over the limit of 16 (ulimit -n); give "
            "--jobs 1, or raise the limit (ulimit -n 26) (see nnlab sweep grid -h)",
        ),
    ),
    Row(
        "a limit on processes that leaves none to start (`ulimit -u`, which counts threads), in "
        "every command: its figures drawn in the command; workers of `--jobs` refused",
        "`nnlab sweep grid cfg.yaml optimizer.lr=0.1,0.2 --jobs 2` (`ulimit -u 1`, not root)",
        2,
        (
            "error: --jobs: cannot start 2 worker processes (Resource temporarily unavailable; "
            "the limit on processes (ulimit -u) is 1); give fewer --jobs (--jobs 1: none), or "
            "raise the limit (see nnlab sweep grid -h)",
        ),
    ),
    Row(
        "a /dev/shm where no semaphore can be made (read-only, missing, full), in every command "
        "with `--jobs`: refused before any folder",
        "`nnlab sweep grid cfg.yaml optimizer.lr=0.1,0.2 --jobs 2` (/dev/shm read-only)",
        2,
        (
            "error: --jobs: cannot start 2 worker processes: their semaphores cannot be made in "
            "/dev/shm (Read-only file system); give --jobs 1 (no workers), or make /dev/shm a "
            "writable tmpfs (see nnlab sweep grid -h)",
        ),
    ),
    Row(
        "SIGXCPU (past a soft `ulimit -t`), SIGUSR1 or SIGUSR2, in every command: a stop signal "
        "as SIGTERM is (SIGQUIT keeps its default: quit at once, as kill -9; the folder reads "
        "STALE and `--resume` continues it)",
        "`nnlab train cfg.yaml` (`prlimit --cpu=2:60`)",
        130,
        ("interrupted (SIGXCPU): {run} is INTERRUPTED; continue with: nnlab train --resume {run}",),
    ),
]


def fake_cgroups(monkeypatch, tmp: Path, own: str, limits_by_level: dict[str, str]) -> None:
    """``/proc/self/cgroup`` of one line ``own`` and a cgroup file system under ``tmp`` whose
    files ``limits_by_level`` gives (relative path -> text)."""
    proc = tmp / "proc"
    proc.mkdir()
    (proc / "cgroup").write_text(own + "\n")
    (proc / "status").write_text("VmSize:\t  100 kB\n")
    for rel, text in limits_by_level.items():
        (tmp / "cg" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "cg" / rel).write_text(text + "\n")
    monkeypatch.setattr(limits, "PROC_SELF", proc)
    monkeypatch.setattr(limits, "CGROUPS", tmp / "cg")
    monkeypatch.delenv(limits.MEMORY_ENV, raising=False)


@pytest.mark.parametrize(
    ("own", "files", "expected"),
    [
        ("0::/box", {"box/memory.max": str(2**30)}, 2**30),
        ("0::/box/inner", {"box/memory.max": str(2**30), "box/inner/memory.max": "max"}, 2**30),
        ("0::/", {"memory.max": "max"}, None),
        ("4:memory:/docker/abc", {"memory/docker/abc/memory.limit_in_bytes": str(2**31)}, 2**31),
        ("4:memory:/docker/abc", {"memory/memory.limit_in_bytes": str(2**31)}, 2**31),  # (ns)
        ("4:memory:/", {"memory/memory.limit_in_bytes": "9223372036854771712"}, None),
        ("1:cpu:/x", {}, None),
    ],
    ids=["v2", "v2 ancestor", "v2 none", "v1", "v1 as root of a namespace", "v1 none", "none"],
)
def test_the_memory_limit_of_the_cgroup_is_read(monkeypatch, tmp_path, own, files, expected):
    fake_cgroups(monkeypatch, tmp_path, own, files)
    assert limits.cgroup_memory() == expected


def test_a_model_over_the_cgroups_limit_is_refused_naming_it(case, tmp_path, monkeypatch):
    fake_cgroups(monkeypatch, tmp_path, "0::/box", {"box/memory.max": str(2**30)})
    monkeypatch.setattr(limits, "address_space_left", lambda: None)
    result = invoke("train", "cfg.yaml", BIG, "--runs-dir", case / "runs")
    refused(result, RESOURCES[0].code, *RESOURCES[0].parts)
    assert not (case / "runs").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["train", "cfg.yaml", BIG],
        ["landscape", "cfg.yaml", BIG],
        ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", BIG],
        ["lr-scan", "cfg.yaml", BIG],
    ],
    ids=lambda c: c[0] if c[0] != "sweep" else "sweep",
)
def test_a_model_past_what_ulimit_v_leaves_is_refused_before_any_work(case, command):
    """A real process under ``ulimit -v`` (RLIMIT_AS) of 600 MB: ~150 MB are NumPy's and
    OpenBLAS's as they load. It made its folder and failed with MemoryError in training."""

    def low() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20, resource.RLIM_INFINITY))

    done = subprocess.run(
        argv(*command, "-q", "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=low,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    line = one_line(done.stderr)
    assert "left of its address-space limit (ulimit -v), 600 MB)" in line, line
    assert not (case / "runs").exists()


@pytest.mark.parametrize("mb", [18, 20, 30, 40, 60000 / 1024, 80])
@pytest.mark.parametrize(
    "command", [["train", "cfg.yaml", "-q"], ["runs", "list"]], ids=["train", "runs list"]
)
def test_too_little_memory_to_load_is_one_line_naming_the_limit(case, command, mb):
    """Under ``ulimit -v`` too low for nnlab's libraries to load (pydantic's, NumPy's,
    OpenBLAS's), whichever import runs short. It was a traceback of 20 to 60 lines (two chained
    where the handler imported a module and ran short again), or 'unexpected ImportError' with
    NumPy's 25 lines of advice."""

    def low() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (int(mb * 2**20), resource.RLIM_INFINITY))

    done = subprocess.run(
        argv(*command, "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=low,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    line = one_line(done.stderr)
    assert line.startswith("error: ") and "out of memory" in line, line
    assert line.endswith(f"; the address-space limit (ulimit -v) is {mb:.3g} MB"), line
    if mb == 60000 / 1024:  # (the README's row)
        assert line.startswith(RESOURCES[1].parts[0]), line
        assert line.endswith(RESOURCES[1].parts[1]), line
    assert not (case / "runs").exists()


NUMPYS = "\n\nIMPORTANT: PLEASE READ THIS\n\nmany lines\n\nOriginal error was: lib.so: failed "


def test_a_library_that_cannot_be_mapped_in_a_command_is_one_line(case, monkeypatch):
    """NumPy's ImportError as it loads inside a command: 'unexpected ImportError' and 25 lines."""

    def short(*args, **kwargs):
        raise ImportError(NUMPYS + "to map segment from shared object\n")

    monkeypatch.setattr("nnlab.experiments.list_view.list_runs", short)  # (as runs list calls it)
    result = invoke("runs", "list", "--runs-dir", case)
    refused(result, 1, "error: out of memory loading a module (lib.so: failed to map segment")


def hard_files(n: int):
    """A ``preexec_fn``: the limit on open files ``n``, soft and hard (``ulimit -n n``)."""

    def low() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))

    return low


@pytest.mark.parametrize(
    ("limit", "command", "says"),
    [
        (16, ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--jobs", "2"],
         RESOURCES[2].parts[0]),
        (26, ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2,0.3,0.4", "--jobs", "4"],
         "error: --jobs 4 needs about 32 open files, over the limit of 26 (ulimit -n); give "
         "--jobs 2, or raise the limit"),
        (16, ["tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "--trials", "2", "--rounds",
              "1", "--epochs", "1", "--jobs", "2"], "error: --jobs 2 needs about 26 open files"),
        (16, ["compare-optimizers", "--dataset", "digits", "--steps", "20", "--jobs", "2"],
         "error: --jobs 2 needs about 26 open files"),
        (12, ["train", "cfg.yaml"], "error: a command that makes a folder needs about 16 open "
         "files, over the limit of 12 (ulimit -n); raise the limit (ulimit -n 16)"),
        (12, ["lr-scan", "cfg.yaml"], "error: a command that makes a folder needs about 16"),
    ],
    ids=["sweep", "sweep --jobs 4", "tune", "compare-optimizers", "train", "lr-scan"],
)  # fmt: skip
def test_a_hard_limit_on_open_files_too_low_is_refused_before_any_folder(
    case, limit, command, says
):
    """Under a hard ``ulimit -n 16`` a sweep with ``--jobs 2`` failed as its pool started,
    'error: Too many open files', and could not record it (STALE); with 20 one trial of three
    FAILED; under 10 a tune's trials all failed, under 8 it was left STALE."""
    done = subprocess.run(
        argv(*command, "-q", "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=hard_files(limit),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert one_line(done.stderr).startswith(says), done.stderr
    assert not (case / "runs").exists()


@pytest.mark.slow
def test_with_the_open_files_it_needs_a_parallel_sweep_runs(case):
    done = subprocess.run(
        argv("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2,0.3", "--jobs", "2", "-q",
             "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=hard_files(26),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert only(case / "runs").meta["status"] == "COMPLETED"


@pytest.mark.parametrize(
    "command",
    [
        ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--jobs", "64"],
        ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--jobs", "64", "--dry-run"],
        ["tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "--trials", "2", "--epochs", "1",
         "--jobs", "64"],
        ["compare-optimizers", "--dataset", "digits", "--steps", "20", "--optimizers",
         "sgd,adam", "--jobs", "64"],
    ],
    ids=["sweep", "sweep --dry-run", "tune", "compare-optimizers"],
)  # fmt: skip
def test_the_open_files_counted_are_those_of_the_workers_that_start(case, command):
    """A pool starts a worker for each trial, ``--jobs`` at most: ``--jobs 64`` for two trials
    was refused under ``ulimit -n 100`` ('--jobs 64 needs about 212 open files') though the
    two workers it starts need about 26."""
    done = subprocess.run(
        argv(*command, "-q", "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=hard_files(40),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_refusal_of_open_files_names_the_workers_that_would_start(case):
    """Three trials under ``--jobs 64`` start three workers: the refusal counts them."""
    done = subprocess.run(
        argv("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2,0.3", "--jobs", "64", "-q",
             "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=hard_files(25),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert one_line(done.stderr) == (
        "error: --jobs 64 (3 workers for 3 trials) needs about 29 open files, over the limit of "
        "25 (ulimit -n); give --jobs 1, or raise the limit (ulimit -n 29) (see nnlab sweep "
        "grid -h)"
    )
    assert not (case / "runs").exists()


def no_fork(monkeypatch) -> None:
    """No process can be forked (EAGAIN, as at the limit on processes, ``ulimit -u``), nor a
    thread started ("can't start new thread"): that limit counts threads too."""
    import errno
    import threading

    def fork():
        raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN))

    def start(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(threading.Thread, "start", start)


@pytest.mark.parametrize(
    "command",
    [
        ["train", "cfg.yaml"],
        ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2"],
        ["tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "--trials", "2", "--rounds", "1",
         "--epochs", "1"],
        ["lr-scan", "cfg.yaml"],
        ["landscape", "cfg.yaml", "--points", "5"],
    ],
    ids=["train", "sweep", "tune", "lr-scan", "landscape"],
)  # fmt: skip
def test_without_processes_or_threads_a_command_draws_its_figures_itself(
    case, monkeypatch, command
):
    """``train`` under ``ulimit -u 1`` failed as it forked its painter, 'error: Resource
    temporarily unavailable'; a sweep and a tune ran their trials and failed at the end,
    'unexpected RuntimeError: can't start new thread' (the background import of matplotlib).
    The painter and those threads only save time: without them the figures are drawn here."""
    no_fork(monkeypatch)
    result = invoke(*command, "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    (folder,) = (case / "runs").iterdir()
    assert list(folder.glob("*.png")), sorted(p.name for p in folder.iterdir())
    assert_settled(case / "runs", ("COMPLETED",))


@pytest.mark.parametrize(
    ("command", "help_of"),
    [
        (["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--jobs", "2"], "sweep grid"),
        (["compare-optimizers", "--dataset", "digits", "--steps", "20", "--jobs", "2"],
         "compare-optimizers"),
    ],
    ids=["sweep", "compare-optimizers"],
)  # fmt: skip
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_that_cannot_be_forked_are_one_line_naming_jobs(
    case, monkeypatch, command, help_of, method
):
    """It was the OS's words alone: 'error: Resource temporarily unavailable'; spawned (where
    forking is not safe: another thread running), 'unexpected RuntimeError: can't start new
    thread', the pool's own thread."""
    from nnlab.sweep import executors

    no_fork(monkeypatch)
    monkeypatch.setattr(executors, "fork_is_safe", lambda: method == "fork")
    result = invoke(*command, "-q", "--runs-dir", case / "runs")
    why = "Resource temporarily unavailable" if method == "fork" else "can't start new thread"
    refused(
        result,
        2,
        f"error: --jobs: cannot start 2 worker processes ({why}",
        f"); give fewer --jobs (--jobs 1: none), or raise the limit (see nnlab {help_of} -h)",
    )
    assert_settled(case / "runs", ("FAILED",))


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
          "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("prlimit"),
    reason="needs root, setpriv and prlimit: the limit on processes does not hold for root",
)
def test_a_real_limit_on_processes(case):
    """``ulimit -u 1`` for a user other than root (the limit does not hold for root; the
    capability to read any folder is kept so that Python and the project can be read)."""
    case.chmod(0o777)
    env = {**os.environ, "HOME": str(case)}
    ran = {}
    for name, args in {
        "train": ["train", "cfg.yaml"],
        "jobs": ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--jobs", "2"],
    }.items():
        ran[name] = subprocess.run(
            [*NOBODY, "prlimit", "--nproc=1:1", *argv(*args, "-q", "--runs-dir", case / "runs")],
            cwd=case, capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
    assert ran["train"].returncode == 0, ran["train"].stderr
    assert ran["jobs"].returncode == 2, ran["jobs"].stderr
    assert one_line(ran["jobs"].stderr) == RESOURCES[3].parts[0]
    assert sorted(statuses(case / "runs").values()) == ["COMPLETED", "FAILED"]


@pytest.mark.parametrize(
    "command",
    [
        ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--jobs", "2"],
        ["tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "--trials", "2", "--rounds", "1",
         "--epochs", "1", "--jobs", "2"],
        ["compare-optimizers", "--dataset", "digits", "--steps", "20", "--jobs", "2"],
    ],
    ids=["sweep", "tune", "compare-optimizers"],
)  # fmt: skip
def test_a_dev_shm_where_no_semaphore_can_be_made_refuses_jobs_before_any_folder(
    case, monkeypatch, command
):
    """A pool's queues make named semaphores in /dev/shm: read-only, missing or full (a
    container's, a sandbox's), the folder was made and FAILED, 'error: Read-only file system'."""
    import errno
    import multiprocessing.synchronize

    def refuse(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(multiprocessing.synchronize.SemLock, "__init__", refuse)
    result = invoke(*command, "-q", "--runs-dir", case / "runs")
    refused(result, 2, RESOURCES[4].parts[0].split(" (see")[0])
    assert not (case / "runs").exists()


DASK = ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--executor", "dask", "--jobs", "2"]


@pytest.mark.slow
def test_a_local_dask_cluster_short_of_open_files_is_refused_before_any_folder(case):
    """``--executor dask`` skipped the open-files check of ``--jobs N``: under a hard
    ``ulimit -n 16`` its local cluster's scheduler looped on 'Too many open files' for ever
    (megabytes of tracebacks a minute), and under 24-44 a traceback ended in 'unexpected
    RuntimeError: Nanny failed to start'."""
    pytest.importorskip("distributed")
    done = subprocess.run(
        argv(*DASK, "-q", "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=120, preexec_fn=hard_files(16),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert one_line(done.stderr) == (
        "error: --jobs 2 needs about 52 open files, over the limit of 16 (ulimit -n); raise the "
        "limit (ulimit -n 52) (see nnlab sweep grid -h)"
    )
    assert not (case / "runs").exists()


def test_a_local_dask_cluster_counts_the_workers_it_starts(case):
    """Its cluster started ``--jobs`` workers whatever the trials: ``--jobs 64`` for two was
    refused as 796 open files' worth; it starts two, and is refused (or not) for those."""
    pytest.importorskip("distributed")
    wide = [*DASK[:-1], "64"]
    done = subprocess.run(
        argv(*wide, "-q", "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=120, preexec_fn=hard_files(16),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert one_line(done.stderr).startswith(
        "error: --jobs 64 (2 workers for 2 trials) needs about 52 open files, over the limit "
        "of 16 (ulimit -n); raise the limit (ulimit -n 52)"
    )
    assert not (case / "runs").exists()


def test_a_local_dask_cluster_without_semaphores_is_refused_before_any_folder(case, monkeypatch):
    """Its nannies' queues make semaphores in /dev/shm: read-only, each nanny failed, a
    traceback and 'unexpected RuntimeError: Nanny failed to start', exit 1."""
    import errno
    import multiprocessing.synchronize

    pytest.importorskip("distributed")

    def refuse(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(multiprocessing.synchronize.SemLock, "__init__", refuse)
    result = invoke(*DASK, "-q", "--runs-dir", case / "runs")
    refused(result, 2, "error: --jobs: cannot start 2 worker processes: their semaphores cannot "
            "be made in /dev/shm (Read-only file system); give --executor local --jobs 1 (no "
            "workers), or make /dev/shm a writable tmpfs (see nnlab sweep grid -h)")  # fmt: skip
    assert not (case / "runs").exists()


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare"),
    reason="needs root and unshare to mount a read-only /dev/shm in a mount namespace",
)
def test_a_real_read_only_dev_shm(case):
    script = "mount -t tmpfs -o ro,size=1m tmpfs /dev/shm && exec " + " ".join(
        f"'{a}'" for a in argv(*RESOURCES[4].command.split("`")[1].split()[1:], "-q")
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], cwd=case, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    if "mount" in done.stderr and done.returncode != 2:
        pytest.skip(f"no tmpfs could be mounted: {done.stderr.strip()}")
    assert done.returncode == RESOURCES[4].code, done.stderr
    assert one_line(done.stderr) == RESOURCES[4].parts[0]
    assert not (case / "runs").exists()


OTHER_SIGNALS = ["SIGUSR1", "SIGUSR2", "SIGXCPU"]


@pytest.mark.slow
@pytest.mark.parametrize("name", OTHER_SIGNALS)
def test_another_signal_that_would_kill_is_a_stop_signal(case, name):
    """SIGXCPU (past the soft limit on CPU time), SIGUSR1 and SIGUSR2 (a scheduler's warning
    that a job's time is up) killed the command by their default action: no word, exit -10,
    -12 or -24 (SIGXCPU: 152 from a shell), the folder left RUNNING (STALE)."""
    from .test_processes import LONG, records, start, survivors, wait_for

    (case / "long.yaml").write_text(LONG)
    proc = start(case, "train", "long.yaml", session=True)
    wait_for(proc, lambda: max(records(case, "*/metrics.jsonl"), default=0) >= 4)
    proc.send_signal(getattr(signal, name))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert survivors(case) == []
    run = only(case / "runs")
    assert one_line(err) == (
        f"interrupted ({name}): {run.path} is INTERRUPTED; continue with: "
        f"nnlab train --resume {run.path}"
    )
    assert_settled(case / "runs", ("INTERRUPTED",))


@pytest.mark.slow
def test_a_soft_limit_on_cpu_time_ends_the_run_interrupted(case):
    """A real ``ulimit -St 2`` (SIGKILL only at the hard limit, 60 s): the README's row."""
    from .test_processes import LONG

    (case / "long.yaml").write_text(LONG.replace("epochs: 40", "epochs: 2000"))

    def low() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (2, 60))

    done = subprocess.run(
        argv("train", "long.yaml", "-q", "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=low,
    )  # fmt: skip
    assert done.returncode == RESOURCES[5].code, done.stderr
    run = only(case / "runs")
    assert one_line(done.stderr) == RESOURCES[5].expect(case / "runs", run.path)[0]
    assert_settled(case / "runs", ("INTERRUPTED",))


@pytest.mark.slow
def test_sigusr1_to_a_parallel_sweeps_group_stops_every_trial_and_worker(case):
    from .test_processes import LONG, TRIALS, records, start, survivors, wait_for

    (case / "long.yaml").write_text(LONG)
    proc = start(case, "sweep", "grid", "long.yaml", *TRIALS, "--jobs", "2", session=True)
    wait_for(proc, lambda: sum(n >= 3 for n in records(case, "*/trials/*/metrics.jsonl")) >= 2)
    os.killpg(proc.pid, signal.SIGUSR1)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert survivors(case) == []
    assert one_line(err).startswith("interrupted (SIGUSR1): ")
    assert_settled(case / "runs", ("INTERRUPTED", "COMPLETED"))


@pytest.mark.slow
def test_sigquit_keeps_its_default_quit_at_once_and_the_run_resumes(case):
    """SIGQUIT (Ctrl-\\) is the user's 'quit now': it is left to its default action, as kill
    -9: the folder reads STALE and ``--resume`` continues it (README, Faults)."""
    from .test_processes import LONG, records, start, wait_for

    (case / "long.yaml").write_text(LONG)
    proc = start(case, "train", "long.yaml", session=True)
    wait_for(proc, lambda: max(records(case, "*/metrics.jsonl"), default=0) >= 4)
    proc.send_signal(signal.SIGQUIT)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGQUIT
    assert_settled(case / "runs", ("STALE",))
    resumed = invoke("train", "--resume", "latest", "-q", "--runs-dir", case / "runs")
    assert resumed.exit_code == 0, resumed.output
    assert_settled(case / "runs", ("COMPLETED",))


@pytest.mark.parametrize("stdin", ["closed", "/dev/null", "a pipe"])
def test_runs_remove_without_a_terminal_to_ask_on_is_one_line_and_removes_nothing(
    case, done, stdin
):
    """stdin closed (``<&-``), /dev/null or a pipe (not a terminal): no prompt waited on."""
    kwargs: dict = {"stdin": subprocess.DEVNULL}
    if stdin == "closed":
        kwargs = {"preexec_fn": lambda: os.close(0)}
    elif stdin == "a pipe":
        kwargs = {"input": "y\n"}
    ran = subprocess.run(
        argv("runs", "remove", "latest", "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=120, **kwargs,
    )  # fmt: skip
    assert ran.returncode == 2, ran.stderr
    assert one_line(ran.stderr) == (
        "error: nnlab runs remove: give --yes to remove without asking (no terminal to ask on)"
    )
    assert done.path.exists()


@pytest.mark.slow
def test_runs_remove_at_the_end_of_a_terminals_input_removes_nothing(case, done):
    """A terminal (stdin and stdout a pty) whose input ends (Ctrl-D) as the prompt waits:
    'aborted', exit 130, the folder stays, no hang."""
    import pty

    main, other = pty.openpty()
    proc = subprocess.Popen(
        argv("runs", "remove", "latest", "--runs-dir", case / "runs"),
        cwd=case, stdin=other, stdout=other, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(other)
    time.sleep(1.0)
    os.write(main, b"\x04")  # (Ctrl-D: end of input)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(main)
    assert proc.returncode == 130, err  # (as click's Abort: 'aborted')
    assert err.split() == ["aborted"], err  # (the prompt's last space: on stderr, readline's)
    assert done.path.exists()


def test_a_figure_that_runs_out_of_memory_fails_the_run_in_one_line(case, monkeypatch):
    """matplotlib's std::bad_alloc under ``ulimit -v`` (~165 MB for a tiny run): it was
    'error: unexpected RuntimeError: drawing curves.png: MemoryError: std::bad_alloc'."""
    from nnlab.plots import base

    def short(self):
        raise MemoryError("std::bad_alloc")

    monkeypatch.setattr(base.Drawing, "draw", short)
    monkeypatch.setattr(base, "_fork_painters", lambda n: [(None, None, False)] * n)
    result = invoke("train", "cfg.yaml", "-q", "--runs-dir", case / "runs")
    run = only(case / "runs")
    refused(
        result,
        1,
        "error: MemoryError: out of memory: drawing curves.png: std::bad_alloc (run folder "
        f"{run.path} says FAILED",
    )
    assert_settled(case / "runs", ("FAILED",))


@pytest.mark.slow
def test_openblas_short_of_memory_ends_the_command_before_any_folder(case):
    """Under ``ulimit -v`` just above what NumPy maps as it loads, OpenBLAS could not map its
    work buffer at a run's first training step: it printed 'Memory allocation still failed'
    and exited the process from C (exit 1, no handler runs), the folder left RUNNING (STALE)
    after epoch 0. The limit's check now has it map the buffer first (``limits.blas_buffer``):
    it ends there, before any folder, or the run is refused or runs."""
    for kb in range(140_000, 190_001, 10_000):

        def low(kb: int = kb) -> None:
            resource.setrlimit(resource.RLIMIT_AS, (kb * 1024, resource.RLIM_INFINITY))

        done = subprocess.run(
            argv("train", "cfg.yaml", "-q", "--runs-dir", case / "runs"),
            cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=low,
        )  # fmt: skip
        assert done.returncode in (0, 1, 2), (kb, done.stderr)
        assert "Traceback" not in done.stderr, (kb, done.stderr)
        if (case / "runs").exists():
            assert "STALE" not in statuses(case / "runs").values(), (kb, done.stderr)
