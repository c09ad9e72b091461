"""A system call that fails (fault injection, round 6): strace's ``-e inject`` makes one call
of a real ``nnlab`` process fail (EIO, ENOSPC, EINTR: ``when=N``, the N-th call of its kind),
at the calls that touch the runs folder: writes, fsyncs, renames, opens, reads and closes of the
run files, the folders' mkdirs, the temp files' unlinks.

Each ends with exit 1 (the run failed) or 2 (refused before any folder), ONE line naming the
file and what failed, the folder FAILED (or not made), no temp file or hidden folder left, and
a ``--resume`` of the failed run ends with the uninterrupted run's records (bit for bit, but
the seconds). EINTR, which Python retries for most calls (PEP 475) but not for rename, unlink
or mkdir, is one such failure too.

A run file read back as the run ended (metrics.jsonl, summary.json: EIO) ended the run with
exit 2, the code of a folder refused before it is used, and without a word of the folder,
which said FAILED: an error of nnlab's own kind (``RunError``) that ends a folder's lifecycle
is now said as any other failure of a run, exit 1 and the folder named. A record whose
append failed (EIO) was written all the same as the buffered file closed, and again by the
resume's end: the folder DAMAGED (``fileio.append_whole`` now writes it whole or not at all).

The fast cases are one instance of a few kinds (more are ``slow``); ``NNLAB_EXHAUSTIVE=1``
tries every instance of every kind in a training run (an hour or more). Skipped where
strace is missing or cannot trace (a container without ptrace).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nnlab import runs

from .helpers import TINY, Row, argv, one_line, statuses, without_seconds

STRACE = shutil.which("strace")


@functools.cache
def _traceable() -> str | None:
    """Why strace cannot be used here, else None."""
    if STRACE is None:
        return "no strace"
    done = subprocess.run([STRACE, "-qq", "-o", os.devnull, "true"], capture_output=True)
    return None if done.returncode == 0 else f"strace cannot trace: {done.stderr[:80]!r}"


pytestmark = pytest.mark.skipif(_traceable() is not None, reason=str(_traceable()))
exhaustive = pytest.mark.skipif(
    not os.environ.get("NNLAB_EXHAUSTIVE"), reason="set NNLAB_EXHAUSTIVE=1: an hour or more"
)

SYSCALLS = [
    Row(
        "a run file that cannot be read back as the run ends (EIO), in every command: the run "
        "failed (it exited 2, as a folder refused, without a word of the folder)",
        "`nnlab train cfg.yaml` (EIO reading metrics.jsonl)",
        1,
        ("error: {run}/metrics.jsonl: cannot read: Input/output error (run folder {run} says "
         "FAILED)",),
    ),
    Row(
        "a full disk as a resume begins (its first write, meta.json's RUNNING), in every "
        "command's resume: the folder as it was, and how to continue it (it said only "
        "'meta.json: No space left on device')",
        "`nnlab train --resume RUN` (ENOSPC writing meta.json)",
        1,
        ("error: {run}/meta.json: No space left on device (run folder {run} says FAILED; once "
         "there is room, continue with: nnlab train --resume {run})",),
    ),
]  # fmt: skip

TRAIN = ("train", "cfg.yaml", "-q")
RUN_FILE = r"/runs/|\"runs/"  # (a call on the runs folder or a file in it, as strace -y says)


def run(case: Path, args: tuple[str, ...], *strace: str) -> subprocess.CompletedProcess:
    """``nnlab ARGS --runs-dir runs`` in ``case``, under ``strace STRACE`` if given."""
    prefix = [STRACE, "-f", "-qq", "-o", os.devnull, *strace] if strace else []
    return subprocess.run(
        [*prefix, *argv(*args, "--runs-dir", "runs")],
        cwd=case,
        capture_output=True,
        text=True,
        timeout=600,
    )


_CALLS: dict[tuple[tuple[str, ...], str], list[str]] = {}


def calls(case: Path, args: tuple[str, ...], syscall: str) -> list[str]:
    """The command's own calls of ``syscall``, in order, each as ``strace -y`` prints it (the
    files behind descriptors named); its runs folder removed after. Traced once a session:
    the calls up to the run folder's, and their order, are the same every time."""
    if (args, syscall) not in _CALLS:
        _CALLS[args, syscall] = _trace(case, args, syscall)
    return _CALLS[args, syscall]


def _trace(case: Path, args: tuple[str, ...], syscall: str) -> list[str]:
    """(The trace's files are written outside ``case``, the command's working folder: as
    ``-ff`` made one there for each process the command started (its painter, git), the
    folder changed, and Python's importer, which lists it (``python -m`` puts it first on
    sys.path), listed it again at the next import: one more openat and close in the traced
    run than in the injected one, whose N-th call was then another one.)"""
    out = tracing(case) / "trace"
    subprocess.run(
        [STRACE, "-ff", "-y", "-qq", "-e", f"trace={syscall}", "-o", out,
         *argv(*args, "--runs-dir", "runs")],
        cwd=case, capture_output=True, timeout=600, check=True,
    )  # fmt: skip
    files = sorted(out.parent.glob("trace.*"), key=lambda p: int(p.suffix[1:]))
    lines = files[0].read_text(errors="replace").splitlines()  # (the command's; not a child's)
    for file in files:
        file.unlink()
    shutil.rmtree(case / "runs", ignore_errors=True)
    return [line for line in lines if line.startswith(f"{syscall}(")]


def tracing(case: Path) -> Path:
    """A folder beside ``case`` for a trace's files (outside the command's working folder)."""
    folder = case.parent / f"{case.name}-trace"
    folder.mkdir(exist_ok=True)
    return folder


def instances(case: Path, args: tuple[str, ...], syscall: str, pattern: str) -> list[int]:
    """The numbers (from 1, as strace's ``when=`` counts) of the calls matching ``pattern``."""
    found = calls(case, args, syscall)
    return [n for n, line in enumerate(found, 1) if re.search(pattern, line)]


def inject(case: Path, args: tuple[str, ...], syscall: str, error: str, n: int):
    return run(
        case, args, "-e", f"trace={syscall}", "-e", f"inject={syscall}:error={error}:when={n}"
    )


def assert_one_failure(case: Path, result: subprocess.CompletedProcess) -> str:
    """One line (after a resume's 'resuming ...'), exit 1 or 2 (0 if the call's failure was harmless, as an unlink of a file
    already gone); every folder ended, or STALE where the line says its end could not be
    recorded; no temp file or hidden folder left. The line."""
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr)
    said = result.stderr.splitlines()  # (a resume says first where it resumes from)
    line = one_line("\n".join(said[1:] if said[0].startswith("resuming ") else said))
    found = statuses(case / "runs") if (case / "runs").is_dir() else {}
    for folder, status in found.items():
        stale = status == "STALE" and "could not record" in line
        assert status in ("COMPLETED", "FAILED") or stale, (folder, status, line)
    hidden = [p.name for p in (case / "runs").rglob(".*")] if found else []
    assert hidden == [], (hidden, line)
    return line


def assert_resumes(case: Path, straight: list[dict]) -> None:
    """A failed run's ``--resume`` completes with the uninterrupted run's records."""
    (failed,) = [r for r in runs.iter_runs(case / "runs") if r.status == "FAILED"]
    resumed = run(case, ("train", "--resume", str(failed.path), "-q"))
    assert resumed.returncode == 0, resumed.stderr
    assert without_seconds(runs.RunDir(failed.path).metrics()) == straight


@pytest.fixture
def case(tmp_path) -> Path:
    (tmp_path / "cfg.yaml").write_text(TINY)
    return tmp_path


@pytest.fixture(scope="module")
def straight(tmp_path_factory) -> list[dict]:
    folder = tmp_path_factory.mktemp("straight")
    (folder / "cfg.yaml").write_text(TINY)
    assert run(folder, TRAIN).returncode == 0
    return without_seconds(next(runs.iter_runs(folder / "runs")).metrics())


def test_a_run_file_that_cannot_be_read_back_fails_the_run(case, straight):
    (n, *_) = instances(case, TRAIN, "read", r"metrics\.jsonl>")
    result = inject(case, TRAIN, "read", "EIO", n)
    assert result.returncode == SYSCALLS[0].code
    line = assert_one_failure(case, result)
    (failed,) = runs.iter_runs(case / "runs")
    assert line == SYSCALLS[0].expect("runs", Path("runs") / failed.id)[0]
    assert_resumes(case, straight)


@pytest.mark.parametrize(
    ("syscall", "pattern", "error"),
    [
        ("write", r"metrics\.jsonl>", "EIO"),  # a record
        ("write", r"\.checkpoint\.npz\.", "ENOSPC"),  # a checkpoint, half written
        ("fsync", r"\.summary\.json\.", "EIO"),
        pytest.param("close", r"\.checkpoint\.npz\.", "EIO", marks=pytest.mark.slow),
        pytest.param("openat", r"summary\.txt", "EACCES", marks=pytest.mark.slow),
        ("rename", r"meta\.json\"", "EINTR"),  # (not retried by Python)
        pytest.param("rename", r"checkpoint\.npz\"", "EXDEV", marks=pytest.mark.slow),
    ],
)
def test_a_failing_call_as_the_run_writes_fails_it_in_one_line(
    case, straight, syscall, pattern, error
):
    numbers = instances(case, TRAIN, syscall, pattern)
    result = inject(case, TRAIN, syscall, error, numbers[-1])  # (the last: after a record)
    assert result.returncode == 1, result.stderr
    line = assert_one_failure(case, result)
    assert re.search(r"runs/[^/ ]+/\S+: .*\(run folder runs/\S+ says FAILED", line), line
    named = pattern.replace("\\", "").strip('.>"')  # (the file of the call traced, not of
    assert f"/{named}: " in line, (named, line)  # the one beside it)
    assert_resumes(case, straight)


@pytest.fixture
def failed(case) -> Path:
    """A run FAILED as it appended its epoch 2 record (ENOSPC): records 0-1, a checkpoint of
    epoch 0 (the first; the next comes CHECKPOINT_SECONDS later), so its resume replays
    epoch 1. Made in ``case``: the path of its folder."""
    n = instances(case, TRAIN, "write", r"metrics\.jsonl>")[2]
    assert inject(case, TRAIN, "write", "ENOSPC", n).returncode == 1
    (run,) = runs.iter_runs(case / "runs")
    assert [r["epoch"] for r in run.metrics()] == [0, 1] and run.status == "FAILED"
    return run.path


def test_a_record_a_resume_cannot_append_is_not_appended_again(case, straight, failed):
    """The replayed epoch 1's record failed (EIO), but a buffered file wrote it again as it
    closed; the resume's end put back the records it had not replayed, epoch 1 among them: the
    folder was DAMAGED, 'line 3: epoch 1 follows epoch 1', and its resume refused."""
    resume = ("train", "--resume", str(failed), "-q")
    before = failed.parent.parent / "before"
    shutil.copytree(failed.parent, before)
    (n, *_) = instances(
        case, resume, "write", r"/metrics\.jsonl>"
    )  # (the appends, not the rewrite)
    shutil.rmtree(case / "runs", ignore_errors=True)  # (the trace's)
    before.rename(case / "runs")
    result = inject(case, resume, "write", "EIO", n)
    assert result.returncode == 1, result.stderr
    line = assert_one_failure(case, result)
    assert line.endswith(f"metrics.jsonl: Input/output error (run folder {failed} says FAILED)")
    assert [r["epoch"] for r in runs.RunDir(failed).metrics()] == [0, 1]
    assert_resumes(case, straight)


@pytest.mark.parametrize("error", ["EIO", "EINTR"])
def test_a_failing_mkdir_of_the_run_folder_is_one_line_and_leaves_nothing(case, error):
    (n, *_) = instances(case, TRAIN, "mkdir", RUN_FILE)
    line = assert_one_failure(case, inject(case, TRAIN, "mkdir", error, n))
    assert "cannot create run folder" in line and list((case / "runs").glob("*")) == []


@exhaustive
@pytest.mark.parametrize(
    "syscall", ["write", "fsync", "rename", "openat", "mkdir", "unlink", "close", "read"]
)
@pytest.mark.parametrize("error", ["EIO", "ENOSPC", "EINTR"])
def test_every_failing_call_of_a_training_run(case, straight, syscall, error):
    for n in instances(case, TRAIN, syscall, RUN_FILE):
        shutil.rmtree(case / "runs", ignore_errors=True)
        result = inject(case, TRAIN, syscall, error, n)
        assert_one_failure(case, result)
        if result.returncode == 1 and any(runs.iter_runs(case / "runs")):
            assert_resumes(case, straight)


def test_a_resume_whose_first_write_finds_the_disk_full_says_how_to_continue(
    case, straight, failed
):
    """The resume's first write, meta.json's RUNNING, fails (ENOSPC): the folder is as it was,
    and the line says so and how to go on, as a failed write later in the run says. It said
    only 'meta.json: No space left on device'."""
    resume = ("train", "--resume", str(failed), "-q")
    before = failed.parent.parent / "before"
    shutil.copytree(failed.parent, before)
    (n, *_) = instances(case, resume, "write", r"/\.meta\.json\.")
    shutil.rmtree(case / "runs", ignore_errors=True)  # (the trace's)
    before.rename(case / "runs")
    result = inject(case, resume, "write", "ENOSPC", n)
    assert result.returncode == 1, result.stderr
    line = assert_one_failure(case, result)
    assert result.returncode == SYSCALLS[1].code
    assert line == SYSCALLS[1].expect("runs", failed)[0]
    assert [r["epoch"] for r in runs.RunDir(failed).metrics()] == [0, 1]
    assert_resumes(case, straight)


def test_a_parallel_sweeps_workers_make_only_their_trials_folders(case):
    """trials/ was made by whichever worker found it missing first, as it made its first
    trial's folder: which worker made which mkdir call, and how many, changed from run to
    run, as did the call a fault injected at a worker's N-th mkdir hit. The sweep makes it
    before its workers start; each worker makes its trial's folder, in one call (its hidden
    beginning, renamed to the trial's name whole: nothing is made at that name before)."""
    args = ("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.01", "--jobs", "2", "-q")
    out = tracing(case) / "trace"
    subprocess.run(
        [STRACE, "-ff", "-qq", "-e", "trace=mkdir", "-o", out, *argv(*args, "--runs-dir", "runs")],
        cwd=case, capture_output=True, timeout=600, check=True,
    )  # fmt: skip
    (sweep, *others) = sorted(out.parent.glob("trace.*"), key=lambda p: int(p.suffix[1:]))
    made = [line for line in sweep.read_text().splitlines() if line.startswith("mkdir(")]
    assert any(re.search(r'/trials", .*= 0$', line) for line in made), made
    made = [line for other in others for line in other.read_text().splitlines()]
    trials = [line for line in made if re.match(r'mkdir\(".*/trials/[^/"]+",', line)]
    assert len(trials) == 2 and all(line.endswith("= 0") for line in trials), trials
    assert all(re.match(r'mkdir\(".*/trials/\.\w+-[0-9a-f]{8}\.new",', line) for line in trials)
    assert not any(re.match(r'mkdir\(".*/trials",', line) for line in made), made


def test_a_new_folder_that_cannot_be_held_says_it_was_not_made(case):
    """The open of the new folder's hidden name, to hold it, failed (EACCES): the line named
    that hidden folder, removed, and not the run folder it was to become, as a failed write
    of its first files says it."""
    (n, *_) = instances(case, TRAIN, "openat", r'\.new", O_RDONLY\|O_CLOEXEC\|O_DIRECTORY')
    result = inject(case, TRAIN, "openat", "EACCES", n)
    assert result.returncode == 2, result.stderr
    line = assert_one_failure(case, result)
    assert re.fullmatch(
        r"error: runs/\.\S+\.new: cannot open: Permission denied \(run folder runs/\S+ not made\)",
        line,
    ), line
    assert list((case / "runs").iterdir()) == []
