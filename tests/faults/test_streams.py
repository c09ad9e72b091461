"""Standard streams that cannot be written (fault injection, round 4): a stderr on a full disk
(``2> /dev/full``: ENOSPC) or closed (``2>&-``: Python has no ``sys.stderr``), a stdout on a
full disk, in real processes of every command that makes a folder.

A progress line that cannot be printed is lost, not the run: every folder ends COMPLETED and
the command exits as it would have (it ended FAILED after its first record, or exited 1 without
a word and without a folder with stderr closed). A stdout that loses the command's results to
an error (not a reader gone away: ``test_processes``) makes the command exit 1 with one line
saying so, its folder COMPLETED.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import Row, argv, assert_settled, one_line
from .test_after_folder import COMMANDS

FULL = Path("/dev/full")
needs_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")

STREAMS = [
    Row(
        "a stderr that cannot be written (a full disk: `2> /dev/full`; closed: `2>&-`), in "
        "every command: its lines are lost, its folders end as they would have",
        "`nnlab train cfg.yaml 2> /dev/full`",
        0,
        (": COMPLETED after 3 epochs",),
    ),
    Row(
        "a stdout that cannot be written (a full disk: `> /dev/full`), in every command",
        "`nnlab runs list > /dev/full`",
        1,
        ("error: stdout: No space left on device; the command's output is incomplete",),
    ),
]


def run(case: Path, args: list[str], stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    return subprocess.run(
        argv(*args, "--runs-dir", case / "runs"),
        cwd=case,
        stdout=stdout,
        stderr=stderr,
        timeout=300,
    )


def loud(command: str) -> list[str]:
    """The command's arguments of ``test_after_folder`` without ``-q``: its progress lines."""
    return [a for a in COMMANDS[command][0] if a != "-q"]


@pytest.mark.slow
@needs_full
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_stderr_on_a_full_disk_loses_its_lines_not_the_run(case, command):
    with FULL.open("wb") as full:
        done = run(case, loud(command), stderr=full)
    assert done.returncode == 0, done.stdout
    assert_settled(case / "runs", ("COMPLETED",))
    if command == "train":
        assert done.stdout.decode().splitlines()[0].endswith(STREAMS[0].parts[0])


@pytest.mark.slow
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_closed_stderr_loses_its_lines_not_the_run(case, command):
    done = subprocess.run(
        ["bash", "-c", 'exec "$@" 2>&-', "-", *argv(*loud(command), "--runs-dir", case / "runs")],
        cwd=case,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout
    assert_settled(case / "runs", ("COMPLETED",))


def test_a_closed_stderr_is_taken_by_no_file():
    """With descriptor 2 closed, the first file a process opens gets its number, and whatever
    is written to stderr then (a library's message, a child process's) lands in that file: the
    guard puts /dev/null there first, and a stream to print on."""
    script = (
        "import os, sys; from nnlab import streams; streams.guard(); "
        "print(os.readlink('/proc/self/fd/2'), sys.stderr.isatty(), file=sys.stdout)"
    )
    shell = 'exec "$@" 2>&-'
    done = subprocess.run(
        ["bash", "-c", shell, "-", sys.executable, "-c", script], capture_output=True, text=True
    )
    assert done.stdout.split() == [os.devnull, "False"], done


@pytest.mark.slow
@needs_full
def test_a_stdout_on_a_full_disk_says_so(case):
    with FULL.open("wb") as full:
        trained = run(case, ["train", "cfg.yaml", "-q"], stdout=full)
        listed = run(case, ["runs", "list", "--format", "json"], stdout=full)
    for done in (trained, listed):
        assert done.returncode == STREAMS[1].code
    assert trained.stderr.decode().splitlines()[-1] == STREAMS[1].parts[0]  # (after 'run folder')
    assert one_line(listed.stderr.decode()) == STREAMS[1].parts[0]
    assert_settled(case / "runs", ("COMPLETED",))
    rows = run(case, ["runs", "list", "--format", "json"])
    assert [r["status"] for r in json.loads(rows.stdout)] == ["COMPLETED"]


@needs_full
def test_a_stdout_on_a_full_disk_after_a_failure_keeps_its_code(case):
    """A command that failed on its own says its own line (one), with its own code."""
    with FULL.open("wb") as full:
        done = run(case, ["runs", "show", "nope"], stdout=full)
    assert done.returncode == 2
    assert one_line(done.stderr.decode()).endswith(
        "no such runs folder (no runs yet, or give the folder nnlab wrote runs into as --runs-dir)"
    )


@pytest.mark.slow
def test_a_stdout_another_process_made_non_blocking_gets_all_the_output(case):
    """A pipe left non-blocking (O_NONBLOCK, set by another program sharing it) refuses a
    write while it is full (EAGAIN): the output was cut short at the pipe's size, exit 0
    (1,965 of 26,541 bytes of ``config keys``); the write waits for room instead."""
    import fcntl
    import time

    whole = subprocess.run(argv("config", "keys"), capture_output=True, timeout=120).stdout
    read, write = os.pipe()
    with contextlib.suppress(OSError):
        fcntl.fcntl(write, 1031, 4096)  # (F_SETPIPE_SZ: a small pipe fills sooner)
    fcntl.fcntl(write, fcntl.F_SETFL, fcntl.fcntl(write, fcntl.F_GETFL) | os.O_NONBLOCK)
    proc = subprocess.Popen(argv("config", "keys"), stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    time.sleep(1.5)  # (it fills the pipe, then waits)
    with os.fdopen(read, "rb") as out:
        got = out.read()
    assert proc.wait(timeout=120) == 0 and proc.stderr.read() == b""
    assert got == whole and len(whole) > 8192


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_the_guard_keeps_the_streams_buffering(unbuffered):
    """The guarded streams buffer as Python's own did: under ``PYTHONUNBUFFERED=1`` (``-u``,
    set in many a container image) every write goes out at once, so stdout and stderr on one
    pipe keep their order; both were block-buffered there (stderr too), the order of a log
    changed, and a line without a newline waited for the exit."""
    script = (
        "import sys; guard = sys.argv[1] == 'guard'\n"
        "if guard: from nnlab import streams; streams.guard()\n"
        "for i in range(4): (sys.stdout, sys.stderr)[i % 2].write(str(i))\n"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    outs = [
        subprocess.run(
            [sys.executable, "-c", script, which], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=60,
        ).stdout
        for which in ("plain", "guard")
    ]  # fmt: skip
    assert outs[1] == outs[0]
    assert outs[0] == ("0123" if unbuffered else "0213")  # (buffered: each flushed at exit)
