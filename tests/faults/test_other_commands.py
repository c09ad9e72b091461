"""Faults in the commands other than ``train`` and ``sweep`` at the points the cases of
``test_after_folder`` do not reach: the write that records how the run ended (its last
meta.json), the figures a report copies, and real signals sent to ``lr-scan``, ``landscape``,
``activations``, ``compare-optimizers``, ``gradcheck``, ``tune`` and ``report`` processes.

After each, the command exits 1 (failed) or 130 (interrupted) with one line and no traceback;
every folder says how it ended (FAILED with the error, INTERRUPTED, or COMPLETED if it had),
none is left RUNNING by a process that is gone; no temp file is left; the readers (``runs
list``, ``runs show``, ``report``) read the folders.
"""

from __future__ import annotations

import errno
import json
import os
import signal
from pathlib import Path

import pytest

from nnlab import fileio, runs

from .helpers import Row, assert_settled, copy_runs, invoke, one_line, only, refused
from .test_after_folder import COMMANDS, SIGNALS, inject


def fail_the_end(monkeypatch, case: Path, every: bool = False) -> None:
    """ENOSPC for the write of the top folder's last status, COMPLETED (``every``: for
    every status written after it too, as a disk that stays full refuses them)."""
    real = runs._write_status
    failing = []

    def write_status(run, status, fields):
        if run.path.parent == case / "runs" and (status == "COMPLETED" or failing):
            failing.append(status)
            if every or len(failing) == 1:
                path = run.file("meta.json")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(run, status, fields)

    monkeypatch.setattr(runs, "_write_status", write_status)


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def readers_read(root: Path) -> None:
    """``runs list`` and ``runs show`` (table and json) of every top folder exit 0."""
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    assert listed.exit_code == 0, listed.output
    for row in json.loads(listed.stdout):
        assert row["status"] != "DAMAGED", row
        for fmt in ("table", "json"):
            shown = invoke("runs", "show", row["run"], "-f", fmt, "--runs-dir", root)
            assert shown.exit_code == 0, shown.output


@pytest.mark.slow
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_full_disk_as_the_end_is_recorded_fails_the_run_and_says_so(case, monkeypatch, command):
    """The work done, the write of COMPLETED fails: the run is FAILED with that error (it was
    left RUNNING, and the line said only 'error: <run>/meta.json: No space left on device')."""
    args, _, _ = COMMANDS[command]
    fail_the_end(monkeypatch, case)
    result = invoke(*args, "--runs-dir", case / "runs")
    top = only(case / "runs")
    expected = ENDS[0].expect(case / "runs", top.path)  # (each command resumes its own)
    refused(result, 1, *[p.replace("nnlab lr-scan", f"nnlab {command}") for p in expected])
    assert top.meta["status"] == "FAILED"
    assert top.meta["error"] == f"{top.file('meta.json')}: No space left on device"
    assert_settled(case / "runs", ("FAILED", "COMPLETED"))
    assert temp_files(case / "runs") == []
    readers_read(case / "runs")


@pytest.mark.parametrize("command", ["lr-scan", "tune"])
def test_a_disk_that_stays_full_as_the_end_is_recorded_says_the_folder_reads_stale(
    case, monkeypatch, command
):
    args, _, _ = COMMANDS[command]
    fail_the_end(monkeypatch, case, every=True)
    result = invoke(*args, "--runs-dir", case / "runs")
    top = only(case / "runs")
    refused(
        result,
        1,
        f"error: {top.file('meta.json')}: No space left on device (run folder {top.path} "
        f"could not record FAILED: {top.file('meta.json')}: No space left on device; "
        "it reads STALE; once there is room, continue with: ",
    )
    assert top.meta["status"] == "RUNNING"  # (this process is alive: STALE once it is gone)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SIGNALS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_signal_while_the_end_is_recorded_leaves_the_status_it_ended_with(
    case, monkeypatch, command, name
):
    """A stop signal as the last status is being written waits for it; the line says the
    folder's status, not 'is INTERRUPTED' of a COMPLETED folder (nor a folder left RUNNING:
    caught before the write began, it left the lifecycle without a status)."""
    args, _, _ = COMMANDS[command]
    real = runs._write_status

    def write_status(run, status, fields):
        if run.path.parent == case / "runs" and status == "COMPLETED":
            os.kill(os.getpid(), SIGNALS[name])  # (before the write: it must wait for it)
        return real(run, status, fields)

    monkeypatch.setattr(runs, "_write_status", write_status)
    result = invoke(*args, "--runs-dir", case / "runs")
    top = only(case / "runs")
    (expected,) = ENDS[1].expect(case / "runs", top.path)
    word = "interrupted" if name == "SIGINT" else f"interrupted ({name})"
    line = refused(result, 130, expected.replace("interrupted (SIGTERM)", word))
    assert "continue with" not in line
    assert_settled(case / "runs", ("COMPLETED",))
    assert temp_files(case / "runs") == []


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_as_the_result_is_printed_names_the_folder_as_it_ended(case, monkeypatch, name):
    """The folder COMPLETED, the signal came as the table was printed: the line said only
    'interrupted', as if no folder existed or it had been interrupted."""
    import nnlab.cli.experiments as cli_experiments

    real = cli_experiments.emit_table

    def emit_table(*args, **kwargs):
        os.kill(os.getpid(), SIGNALS[name])
        return real(*args, **kwargs)

    monkeypatch.setattr(cli_experiments, "emit_table", emit_table)
    result = invoke("lr-scan", "cfg.yaml", "--num", "2", "--epochs", "1", "-q",
                    "--runs-dir", case / "runs")  # fmt: skip
    top = only(case / "runs")
    (expected,) = ENDS[1].expect(case / "runs", top.path)
    word = "interrupted" if name == "SIGINT" else f"interrupted ({name})"
    refused(result, 130, expected.replace("interrupted (SIGTERM)", word))
    assert_settled(case / "runs", ("COMPLETED",))


ENDS = [
    Row(
        "a full disk as the run's end is recorded, in every command that makes a folder",
        "`nnlab lr-scan cfg.yaml` (ENOSPC writing meta.json's COMPLETED)",
        1,
        (
            "error: {run}/meta.json: No space left on device (run folder {run} says FAILED; "
            "once there is room, continue with: nnlab lr-scan --resume {run})",
        ),
    ),
    Row(
        "a stop signal as the run's end is recorded (the status is written first), or after it, "
        "as the command prints its result",
        "`nnlab lr-scan cfg.yaml` (SIGTERM, SIGHUP or Ctrl-C)",
        130,
        ("interrupted (SIGTERM): {run} is COMPLETED",),
    ),
]


# ----------------------------------------------------------------------------- the report
@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EIO], ids=["ENOSPC", "EIO"])
def test_a_figure_the_report_cannot_write_fails_the_report_naming_it(
    case, monkeypatch, planned, error
):
    """The figures' copies were written in a block that skipped a figure it could not read:
    one that could not be written (a full disk) was skipped too, and the report said it was
    built (exit 0, 'N figures'), its pages showing broken images."""
    copy_runs(planned["lr-scan"], case / "runs")
    real = fileio.replacing

    def replacing(path, *args, **kwargs):
        if Path(path).suffix == ".png":
            raise OSError(error, os.strerror(error), str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(fileio, "replacing", replacing)
    result = invoke("report", "--runs-dir", case / "runs")
    run = only(case / "runs")
    figure = case / "runs" / "report" / run.id / "lr-scan.png"
    refused(result, 1, f"error: {figure}: {os.strerror(error)}")
    assert temp_files(case / "runs") == []


# ----------------------------------------------------------------------------- wrapped interrupts
def interrupt_made_an_error(signum: int, chained: bool):
    """A fault that takes a stop signal and raises a library's own error for it: chained to
    the interrupt (a class made while Ctrl-C came: RuntimeError('Error calling __set_name__'))
    or naming it only in its text (pydantic's SchemaError, raised by Rust code)."""

    def fault(path=None):
        caught = None
        try:
            os.kill(os.getpid(), signum)  # (the handler raises at the next bytecode, here)
        except KeyboardInterrupt as exc:
            caught = exc
        message = f"Error building 'literal' validator: {type(caught).__name__}: {caught}"
        if chained:
            raise RuntimeError(message) from caught
        raise RuntimeError(message)  # (outside the except block: no chain at all)

    return fault


@pytest.mark.slow
@pytest.mark.parametrize("chained", [True, False], ids=["chained", "in its text"])
@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_interrupt_a_library_raises_as_its_own_error_ends_interrupted(
    case, monkeypatch, command, name, chained
):
    """It exited 1 with 'error: unexpected RuntimeError: ...' and the folder said FAILED."""
    args, _, nth = COMMANDS[command]
    nth += 2 if command in ("sweep", "tune") else 0  # (their second write is a file the
    # folder is made with, a stop signal waiting for it: a trial's)
    inject(monkeypatch, nth, interrupt_made_an_error(SIGNALS[name], chained))
    result = invoke(*args, "--runs-dir", case / "runs")
    top = only(case / "runs")
    (expected,) = WRAPPED_INTERRUPT.expect(case / "runs", top.path)
    word = "interrupted" if name == "SIGINT" else f"interrupted ({name})"
    refused(result, 130, expected.replace("interrupted (SIGTERM)", word))
    assert_settled(case / "runs", ("INTERRUPTED", "COMPLETED"))
    assert top.meta["status"] == "INTERRUPTED" and "error" not in top.meta
    assert temp_files(case / "runs") == []


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_an_interrupt_a_library_raises_as_its_own_error_checking_overrides_ends_interrupted(
    case, monkeypatch, name
):
    """The overrides are checked (nnlab.config's first use: pydantic builds its schema) before
    the command's function runs, outside what took a library's error for the interrupt behind
    it: a SIGTERM there exited 1, 'error: unexpected SchemaError: Error building "model"
    validator: ... Interrupted: SIGTERM' (found by killing 'nnlab train cfg.yaml epochs=8' at
    random moments)."""
    from nnlab import config

    fault = interrupt_made_an_error(SIGNALS[name], chained=False)
    monkeypatch.setattr(config, "check_once", lambda overrides: fault())
    result = invoke("train", "cfg.yaml", "epochs=2", "--runs-dir", case / "runs")
    word = "interrupted" if name == "SIGINT" else f"interrupted ({name})"
    assert one_line(result.stderr) == word and result.exit_code == 130, result.stderr
    assert not (case / "runs").exists() or not list((case / "runs").iterdir())


WRAPPED_INTERRUPT = Row(
    "a stop signal that a library turns into its own error (RuntimeError, pydantic's "
    "SchemaError), in every command",
    "`nnlab lr-scan cfg.yaml` (SIGTERM, SIGHUP or Ctrl-C)",
    130,
    ("interrupted (SIGTERM): {run} is INTERRUPTED",),
)


# ``python -c WRAPPED ARGS...``: the nnlab entry point, taking a Ctrl-C while it
# imports ``nnlab.cli`` that an import turns into its own error
WRAPPED = """\
import builtins, os, signal, sys
real = builtins.__import__
def importing(module, *a, **k):
    if module == "nnlab.cli" and not getattr(importing, "done", False):
        importing.done = True
        caught = None
        try:
            os.kill(os.getpid(), signal.SIGINT)
            real("time").sleep(5)
        except KeyboardInterrupt as exc:
            caught = exc
        raise RuntimeError("Error calling __set_name__ on 'cached_property'") from caught
    return real(module, *a, **k)
builtins.__import__ = importing
sys.argv = ["nnlab", *sys.argv[1:]]
from nnlab.__main__ import main
main()
"""


def test_an_interrupt_an_import_raises_as_its_own_error_is_interrupted_130(case):
    """Ctrl-C while the command line loads, turned by the import it hit into its own error (a
    class made meanwhile: RuntimeError('Error calling __set_name__ ...') from it): it printed
    that error's traceback and exited 1."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", WRAPPED, "lr-scan", "cfg.yaml",
         "--runs-dir", "runs"],
        cwd=case, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert one_line(proc.stderr) == "interrupted"
    assert not (case / "runs").exists()


def test_a_stop_signal_as_a_landscape_row_is_stored_waits_for_the_whole_row(case, monkeypatch):
    # (landscape.h5 is updated in place, a row's losses, then its accuracies: a SIGTERM
    # between the two left losses without their accuracies, and the folder read DAMAGED)
    import h5py

    real, calls = h5py.Dataset.__setitem__, []

    def set_then_signal(self, key, value):
        real(self, key, value)
        calls.append(self.name)
        if len(calls) == 3:  # (the line's two writes, then a grid row's first)
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(h5py.Dataset, "__setitem__", set_then_signal)
    result = invoke("landscape", "cfg.yaml", "--points", "3", "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 130, result.output
    monkeypatch.undo()
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == "INTERRUPTED", row
    resumed = invoke("landscape", "--resume", row["run"], "-q", "--runs-dir", case / "runs")
    assert resumed.exit_code == 0, resumed.output


# ``python -m nnlab`` that is killed (SIGKILL) once the first of a landscape grid row's two
# writes has reached landscape.h5, before the second: what a kill -9 at that instant leaves.
KILLED_MID_ROW = """\
import os, signal, sys
import h5py
real, calls = h5py.Dataset.__setitem__, []
def set_then_die(self, key, value):
    real(self, key, value)
    calls.append(self.name)
    if len(calls) == 3:  # (the line's two writes, then a grid row's first)
        self.file.flush()
        os.kill(os.getpid(), signal.SIGKILL)
h5py.Dataset.__setitem__ = set_then_die
sys.argv = ["nnlab", *sys.argv[1:]]
from nnlab.__main__ import main
main()
"""


@pytest.mark.slow
def test_a_kill_between_a_landscape_rows_two_writes_leaves_a_file_that_resumes(case):
    """The row's losses reached the file before its accuracies: killed between, the file held
    losses without accuracies, and ``landscape --resume`` refused the folder as damaged
    ('grid/acc' has no accuracy at a point 'grid/loss' holds). The accuracies go first now: the
    row reads as not evaluated, the resume evaluates it and ends with the straight run's grid."""
    import subprocess
    import sys

    import h5py
    import numpy as np

    args = ["landscape", "cfg.yaml", "--points", "3", "--samples", "20", "-q"]
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_MID_ROW, *args, "--runs-dir", "runs"],
        cwd=case, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == "STALE", row
    resumed = invoke("landscape", "--resume", row["run"], "-q", "--runs-dir", case / "runs")
    assert resumed.exit_code == 0, resumed.output
    straight = invoke(*args, "--runs-dir", case / "straight")
    assert straight.exit_code == 0, straight.output
    grids = []
    for run in (only(case / "runs"), only(case / "straight")):
        with h5py.File(run.file("landscape.h5"), "r") as f:
            grids.append([f[k][()] for k in ("line/loss", "line/acc", "grid/loss", "grid/acc")])
    for resumed_grid, straight_grid in zip(*grids):
        np.testing.assert_array_equal(resumed_grid, straight_grid)
