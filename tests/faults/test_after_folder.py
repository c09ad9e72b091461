"""Faults after a run or sweep folder exists: an allocation that fails (MemoryError), a full disk
(ENOSPC), a file that cannot be written (EACCES), SIGTERM, SIGHUP and SIGINT, injected into
every command that makes a folder, at a write after the folder's meta.json. Each ends with its
folders FAILED (with the error) or INTERRUPTED, never RUNNING, and ONE line on stderr.

The fault is injected at ``nnlab.fileio.replacing``, the temp file behind every atomic write
(every run file but the appended metrics: ``RunDir.append_metric``, injected on its own): as
root, chmod cannot make a folder read-only, so the OS errors are raised where the OS would
raise them.
"""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import signal
from pathlib import Path

import pytest

from nnlab import fileio, runs

from .helpers import Row, assert_settled, invoke, no_probe_in, only, refused, set_meta, statuses

# command -> (arguments, exit code when a trial / the run fails, the fault's write: the n-th
# write of a file other than meta.json)
COMMANDS = {
    "train": (["train", "cfg.yaml", "-q"], 1, 2),
    "sweep": (["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "-q"], 3, 2),
    "lr-scan": (["lr-scan", "cfg.yaml", "--num", "2", "--epochs", "1", "-q"], 1, 2),
    # (its config.yaml and landscape.h5 are written before it is RUNNING: a failure there
    # leaves no folder, test_runs; the fault is at the next write)
    "landscape": (["landscape", "cfg.yaml", "--points", "3", "--samples", "20", "-q"], 1, 3),
    "tune": (["tune", "cfg.yaml", "--trials", "2", "--epochs", "1", "-q"], 1, 2),
    "activations": (
        ["activations", "--layers", "1", "--units", "4", "--samples", "10", "-q"],
        1,
        2,
    ),
    "compare-optimizers": (["compare-optimizers", "--steps", "5", "-o", "sgd"], 1, 2),
    "gradcheck": (["gradcheck", "--compare-differences", "-q"], 1, 1),
}

ALLOCATION = "Unable to allocate 8.00 GiB for an array with shape (1000, 1000000)"
ERRORS = {
    "MemoryError": (
        lambda path: MemoryError(ALLOCATION),
        f"MemoryError: out of memory: {ALLOCATION}",
    ),
    "ENOSPC": (
        lambda path: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)),
        "No space left on device",
    ),
    "EACCES": (
        lambda path: PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path)),
        "Permission denied",
    ),
    "EFBIG": (  # (a file past ``ulimit -f``: Python ignores SIGXFSZ, so the write fails)
        lambda path: OSError(errno.EFBIG, os.strerror(errno.EFBIG), str(path)),
        "File too large",
    ),
}
ONCE = {
    "ENOSPC": "there is room",
    "EFBIG": "files may be that large (ulimit -f)",
    "EACCES": "the permission is given",  # (a run folder made read-only as it trained)
}
SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP, "SIGINT": signal.SIGINT}


def inject(monkeypatch, nth: int, fault) -> list[Path]:
    """``fault(path)`` at the ``nth`` atomic write of a file other than meta.json; the paths
    written so far are returned (as a list that fills in)."""
    real = fileio.replacing
    written: list[Path] = []

    def replacing(path, *args, **kwargs):
        if Path(path).name != "meta.json":
            written.append(Path(path))
            if len(written) == nth:
                fault(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(fileio, "replacing", replacing)
    return written


def raising(make):
    def fault(path):
        raise make(path)

    return fault


def signalling(signum):
    def fault(path):
        os.kill(os.getpid(), signum)  # (the handler raises at the next bytecode, right here)

    return fault


@pytest.mark.slow
@pytest.mark.parametrize("error", list(ERRORS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_error_after_the_folder_exists_leaves_it_failed_with_the_error(
    case, monkeypatch, command, error
):
    args, code, nth = COMMANDS[command]
    make, reason = ERRORS[error]
    inject(monkeypatch, nth, raising(make))
    result = invoke(*args, "--runs-dir", case / "runs")
    line = refused(result, code, reason)
    found = assert_settled(case / "runs", ("FAILED", "COMPLETED"))
    top = only(case / "runs")
    assert top.meta["status"] == "FAILED" and "FAILED" in found.values()
    assert reason in top.meta["error"] or "trials FAILED" in top.meta["error"]
    assert f"run folder {top.path} says FAILED" in line or "trials FAILED" in line


@pytest.mark.parametrize("name", list(SIGNALS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_signal_after_the_folder_exists_leaves_it_interrupted_exit_130(
    case, monkeypatch, command, name
):
    args, _, nth = COMMANDS[command]
    inject(monkeypatch, nth, signalling(SIGNALS[name]))
    result = invoke(*args, "--runs-dir", case / "runs")
    top = only(case / "runs")
    word = "interrupted" if name == "SIGINT" else f"interrupted ({name})"
    line = refused(result, 130, f"{word}: {top.path} is INTERRUPTED")
    assert_settled(case / "runs", ("INTERRUPTED", "COMPLETED"))
    assert top.meta["status"] == "INTERRUPTED" and "error" not in top.meta
    if command in ("train", "sweep", "landscape", "tune"):  # the kinds that can be continued
        assert line.endswith(f"; continue with: nnlab {command} --resume {top.path}")


def test_a_full_disk_while_appending_metrics_fails_the_run_naming_the_file(case, monkeypatch):
    def append_metric(self, record):
        path = self.file("metrics.jsonl")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(runs.RunDir, "append_metric", append_metric)
    result = invoke("train", "cfg.yaml", "--runs-dir", case / "runs")
    run = only(case / "runs")
    expected = FAULTS[1].expect(case / "runs", run.path)
    refused(result, 1, *expected)
    assert run.meta["status"] == "FAILED"
    assert run.meta["error"] == f"{run.file('metrics.jsonl')}: No space left on device"


@pytest.mark.slow
@pytest.mark.parametrize("error", list(ONCE))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_run_failed_by_a_full_disk_says_how_to_continue_and_that_completes_it(
    case, monkeypatch, command, error
):
    """A full disk is nothing wrong with the run: the line says the command that continues
    it once there is room (as an interrupted run's does, and a sweep's failed trials'), and
    that command completes it. It said only 'says FAILED'. So is a file size limit
    (``ulimit -f``), which said only 'says FAILED' too."""
    args, code, nth = COMMANDS[command]
    inject(monkeypatch, nth, raising(ERRORS[error][0]))
    result = invoke(*args, "--runs-dir", case / "runs")
    monkeypatch.undo()
    top = only(case / "runs")
    if code == 3:  # (a sweep: its trials FAILED, which its resume runs again)
        line = refused(result, 3, f"rerun them with: nnlab sweep --resume {top.path}")
    else:
        resume = f"nnlab {command} --resume {top.path}"
        line = refused(result, 1, f"says FAILED; once {ONCE[error]}, continue with: {resume})")
    again = invoke(*shlex.split(line.rsplit("with: ", 1)[1].rstrip(")"))[1:])
    assert again.exit_code == 0, again.output
    assert_settled(case / "runs", ("COMPLETED",))


def no_space(*args, **kwargs):
    """ENOSPC as the OS reports a write that does not fit: naming no file."""
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["checkpoint.npz", "metrics.jsonl"])
def test_a_full_disk_names_the_file_though_the_os_names_none(case, monkeypatch, where):
    # (a real ENOSPC inside a write carries no file name: the line said only "error: No space
    # left on device", and meta.json's error the same; the injected faults above name theirs)
    import numpy as np

    from nnlab import rundir

    if where == "checkpoint.npz":
        monkeypatch.setattr(np, "savez", no_space)
    else:
        monkeypatch.setattr(rundir, "dumps", no_space)
    result = invoke("train", "cfg.yaml", "--runs-dir", case / "runs")
    run = only(case / "runs")
    refused(result, 1, f"error: {run.file(where)}: No space left on device")
    assert run.meta["status"] == "FAILED"
    assert run.meta["error"] == f"{run.file(where)}: No space left on device"


def test_an_allocation_that_fails_in_training_fails_the_run(case, monkeypatch):
    from nnlab.experiments import train as tr

    def build_group(*args, **kwargs):
        raise MemoryError(ALLOCATION)

    monkeypatch.setattr(tr, "build_group", build_group)
    result = invoke("train", "cfg.yaml", "--runs-dir", case / "runs")
    run = only(case / "runs")
    refused(result, 1, *FAULTS[0].expect(case / "runs", run.path))
    assert statuses(case / "runs") == {run.id: "FAILED"}
    assert run.meta["error"] == f"MemoryError: out of memory: {ALLOCATION}"


def test_a_status_that_cannot_be_written_is_not_claimed(case, monkeypatch):
    inject(  # (from the write after config.yaml, which comes before the folder is RUNNING)
        monkeypatch,
        2,
        lambda path: monkeypatch.setattr(fileio, "replacing", refuse_every_write),
    )
    result = invoke("train", "cfg.yaml", "-q", "--runs-dir", case / "runs")
    run = only(case / "runs")
    line = refused(result, 1, *FAULTS[2].expect(case / "runs", run.path))
    assert run.meta["status"] == "RUNNING"  # (this process is alive: STALE once it is gone)
    assert runs.status_of({**run.meta, "pid": 2**22 + 1}) == "STALE"
    monkeypatch.undo()  # (room on the disk again)
    set_meta(run, pid=2**22 + 1)  # (and the process gone: as the line says, it continues)
    again = invoke(*shlex.split(line.rsplit("with: ", 1)[1].rstrip(")"))[1:])
    assert again.exit_code == 0, again.output
    assert_settled(case / "runs", ("COMPLETED",))


def refuse_every_write(path, *args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


# ----------------------------------------------------------------------------- the runs folder
def test_a_runs_dir_that_is_a_file_is_one_line_naming_it(case):
    (case / "runs").write_text("not a folder\n")
    for args in (["train", "cfg.yaml"], ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2"]):
        result = invoke(*args, "--runs-dir", case / "runs")
        refused(result, 2, *FAULTS[4].expect(case / "runs"))
    refused(
        invoke("runs", "list", "--runs-dir", case / "runs"), 2, f"'{case / 'runs'}' is not a folder"
    )
    assert (case / "runs").read_text() == "not a folder\n"


def test_a_runs_dir_under_a_file_is_one_line_naming_it(case):
    # (refused when the run folder was made, after the scan's checks: "cannot create run
    # folder: Not a directory")
    (case / "file").write_text("")
    result = invoke("lr-scan", "cfg.yaml", "--runs-dir", case / "file" / "runs")
    refused(
        result,
        2,
        f"error: --runs-dir: '{case / 'file' / 'runs'}': '{case / 'file'}' is not a folder; "
        "give another --runs-dir (see nnlab lr-scan -h)",
    )


MAKERS = {  # every command that makes a folder in the runs folder
    "train": ["train", "cfg.yaml"],
    "sweep grid": ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2"],
    "sweep grid --dry-run": ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--dry-run"],
    "tune": ["tune", "cfg.yaml", "optimizer.lr=loguniform:0.01:1", "--trials", "2"],
    "lr-scan": ["lr-scan", "cfg.yaml", "--num", "2"],
    "landscape": ["landscape", "cfg.yaml", "--points", "3"],
    "activations": ["activations", "--layers", "1"],
    "compare-optimizers": ["compare-optimizers", "--steps", "5"],
    "gradcheck": ["gradcheck", "--compare-differences"],
}


@pytest.mark.parametrize("missing", [False, True], ids=["runs folder", "its parent"])
@pytest.mark.parametrize("command", list(MAKERS))
def test_a_runs_dir_that_cannot_be_written_is_refused_before_any_work(
    case, monkeypatch, command, missing
):
    # (found only when the run folder was made: after the data was loaded and the run checked)
    from nnlab.data import digits

    where = case / "ro"
    where.mkdir()
    root = where / "runs" if missing else where  # (a runs folder not made yet: its parent)
    no_probe_in(monkeypatch, where)
    loaded = []
    monkeypatch.setattr(digits, "_arrays", lambda: loaded.append(1) or [][0])
    result = invoke(*MAKERS[command], "--runs-dir", root)
    refused(
        result,
        2,
        f"error: --runs-dir: '{root}': cannot write in folder '{where}' (Permission denied); "
        f"give another --runs-dir (see nnlab {command.removesuffix(' --dry-run')} -h)",
    )
    assert loaded == [] and list(where.iterdir()) == []


def test_a_read_only_runs_dir_is_one_line_naming_it_and_no_folder(case, monkeypatch):
    no_probe_in(monkeypatch, case / "runs")  # (every command: the test above)
    (case / "runs").mkdir()
    refused(
        invoke("train", "cfg.yaml", "--runs-dir", case / "runs"),
        2,
        *FAULTS[3].expect(case / "runs"),
    )
    assert list((case / "runs").iterdir()) == []


def test_a_runs_dir_that_refuses_its_run_folder_is_one_line_and_no_folder(case, monkeypatch):
    # (what the probe cannot foresee: the folder refused when it is made)
    real = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if Path(case / "runs") in [self, *self.parents]:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    for args in (["train", "cfg.yaml"], ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2"]):
        refused(
            invoke(*args, "--runs-dir", case / "runs"),
            2,
            f"error: {case / 'runs'}/",
            ": cannot create run folder: Permission denied",
        )
    assert not (case / "runs").exists()


FAULTS = [
    Row(
        "an allocation that fails after the run folder exists",
        "`nnlab train cfg.yaml` (NumPy raises MemoryError)",
        1,
        ("error: MemoryError: out of memory: Unable to allocate", "(run folder {run} says FAILED)"),
    ),
    Row(
        "a full disk while training (a file past `ulimit -f` alike: 'once files may be that "
        "large (ulimit -f), continue with: ...')",
        "`nnlab train cfg.yaml` (ENOSPC appending a record)",
        1,
        (
            "error: {run}/metrics.jsonl: No space left on device (run folder {run} says FAILED; "
            "once there is room, continue with: nnlab train --resume {run})",
        ),
    ),
    Row(
        "a disk so full that the status cannot be written either",
        "`nnlab train cfg.yaml` (ENOSPC for every file)",
        1,
        (
            "(run folder {run} could not record FAILED: {run}/meta.json: No space left on device; "
            "it reads STALE; once there is room, continue with: nnlab train --resume {run})",
        ),
    ),  # fmt: skip
    Row(
        "a runs folder that cannot be written (or, not made yet, its parent), in every command "
        "that makes a folder",
        "`nnlab train cfg.yaml --runs-dir runs` (EACCES)",
        2,
        (
            "error: --runs-dir: '{runs}': cannot write in folder '{runs}' (Permission denied); "
            "give another --runs-dir (see nnlab train -h)",
        ),
    ),
    Row(
        "`--runs-dir` that is a file",
        "`nnlab train cfg.yaml --runs-dir runs`",
        2,
        ("error: --runs-dir: '{runs}' is not a folder",),
    ),
]


@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_while_a_checkpoint_is_written_ends_interrupted_with_a_whole_checkpoint(
    case, monkeypatch, name
):
    """Caught in the middle of np.savez (zipfile has an entry open): the checkpoint is finished,
    then the run ends INTERRUPTED (not FAILED with zipfile's "Can't close the ZIP file"), and
    the printed resume completes it to the uninterrupted run's metrics."""
    import numpy.lib.format as npy_format

    real = npy_format.write_array
    calls = []

    def write_array(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # (inside the second array of the first checkpoint)
            os.kill(os.getpid(), SIGNALS[name])
        return real(*args, **kwargs)

    monkeypatch.setattr(npy_format, "write_array", write_array)
    result = invoke("train", "cfg.yaml", "--runs-dir", case / "runs")
    top = only(case / "runs")
    word = "interrupted" if name == "SIGINT" else f"interrupted ({name})"
    refused(result, 130, f"{word}: {top.path} is INTERRUPTED")
    assert top.meta["status"] == "INTERRUPTED" and "error" not in top.meta
    assert top.load_checkpoint()[0] == 0  # (whole: the epoch-0 state)
    assert not [p for p in top.path.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setattr(npy_format, "write_array", real)
    resumed = invoke("train", "--resume", top.path)
    assert resumed.exit_code == 0, resumed.output
    again = invoke("train", case / "cfg.yaml", "--runs-dir", case / "other")
    assert again.exit_code == 0
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in top.metrics()]
    other = only(case / "other")
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in other.metrics()]


def test_a_sweep_trial_is_found_by_its_id_as_sweep_tables_print_it(case, done):
    # (runs show c41c5f75, the id the sweep's table printed, found no folder)
    root = case / "runs"
    holder = root / "20260101-000000-sweep-x-abcdef"
    shutil.copytree(done.path, holder)
    shutil.copytree(done.path, holder / "trials" / "c41c5f75")
    for ref in ("c41c5f75", "c41c", "20260101-000000-sweep-x-abcdef/trials/c41c5f75"):
        result = invoke("runs", "show", ref, "--runs-dir", root)
        assert result.exit_code == 0, (ref, result.output)
        assert "trials/c41c5f75" in result.stdout
    shutil.copytree(holder, root / "20260102-000000-sweep-x-fedcba")  # the same trial twice
    refused(
        invoke("runs", "show", "c41c5f75", "--runs-dir", root),
        2,
        "ambiguous, names 2 folders inside sweeps or tunes",
    )
    refused(invoke("runs", "show", "c41", "--runs-dir", root), 2, "no run folder under")
