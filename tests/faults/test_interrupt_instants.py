"""Ctrl-C at any instant of a command: exit 130, one ``interrupted`` line, and every folder
INTERRUPTED or COMPLETED (or no folder yet).

Deterministic: the interrupt raised inside code run from text (``exec``/``eval`` of a string, as
dataclasses, namedtuple and pydantic build methods while a command imports them), before a
folder exists and once one does. CPython notes a KeyboardInterrupt escaping such code and ends a
``python -m`` process by SIGINT (exit -2) after its exit code is set, however the interrupt was
handled: ~1 in 5 early Ctrl-C's to ``nnlab landscape`` exited -2.

Real signals (slow): SIGINT to the process group, as a terminal sends it, at a spread of
instants from the command line's loading to the run's end, to a few commands.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import argv, assert_settled, case_dir, one_line, statuses

# ``python -m ctrlc_in_text WHERE ARGS...``: the nnlab entry point, with Ctrl-C raised inside an
# ``exec`` of text while the arguments are parsed ("parse") or as a train run's epochs begin
# ("run", its folder RUNNING).
DRIVER = """\
import os, signal, sys

def ctrl_c_in_text():
    exec("os.kill(os.getpid(), signal.SIGINT)\\nfor _ in range(1000): pass",
         {"os": os, "signal": signal})

where, *args = sys.argv[1:]
if where == "parse":
    import nnlab.cli
    real = nnlab.cli.OneLineErrors.make_context
    def parsing(self, *a, **k):
        ctrl_c_in_text()
        return real(self, *a, **k)
    nnlab.cli.OneLineErrors.make_context = parsing
else:
    import nnlab.experiments.train as tr
    real = tr.fit_group
    def fitting(*a, **k):
        ctrl_c_in_text()
        return real(*a, **k)
    tr.fit_group = fitting
sys.argv = ["nnlab", *args]
from nnlab.__main__ import main
main()
"""


@pytest.mark.parametrize("where", ["parse", "run"])
def test_ctrl_c_inside_code_run_from_text_exits_130_not_by_sigint(case, where):
    driver = case / "ctrlc_in_text"
    driver.mkdir()
    (driver / "__main__.py").write_text(DRIVER)
    proc = subprocess.run(
        [sys.executable, "-m", "ctrlc_in_text", where, "train", "cfg.yaml", "--runs-dir", "runs",
         "-q"],
        cwd=case, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    line = one_line(proc.stderr)
    if where == "parse":
        assert line == "interrupted"
        assert not (case / "runs").exists()
    else:
        assert line.startswith("interrupted: ") and " is INTERRUPTED; continue with: " in line
        assert_settled(case / "runs", ("INTERRUPTED",))


# ----------------------------------------------------------------------------- real Ctrl-C's
SPREAD = (0.0, 0.01, 0.03, 0.06, 0.1, 0.18, 0.3, 0.45, 0.65, 0.9, 1.2)  # seconds after the
# entry point set its handlers: its imports, the arguments, the folder made, the work, the end
INSTANT_COMMANDS = {
    "train": ["train", "cfg.yaml", "-q"],
    "landscape": ["landscape", "cfg.yaml", "--points", "5", "--samples", "20", "-q"],
    "lr-scan": ["lr-scan", "cfg.yaml", "--num", "2", "--epochs", "1", "-q"],
}


def entered(pid: int) -> bool:
    """Whether nnlab's entry point has begun (it catches SIGTERM first thing; Linux /proc).
    Before, the interpreter itself is starting, which is Python's to answer."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True  # (ended already)
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


def ctrl_c_after(case: Path, args: list[str], delay: float) -> subprocess.CompletedProcess:
    # (PYTHONFAULTHANDLER: a fatal error at the interpreter's exit, which CI saw twice in
    # lr-scan, 'Fatal Python error: ... finalizing', exit -6, prints every thread's stack)
    proc = subprocess.Popen(argv(*args, "--runs-dir", case / "runs"), cwd=case,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            env={**os.environ, "PYTHONFAULTHANDLER": "1"})  # fmt: skip
    deadline = time.monotonic() + 30
    while not entered(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)  # (as a terminal sends it: painters too)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("command", list(INSTANT_COMMANDS))
def test_ctrl_c_at_any_instant_exits_130_and_leaves_every_folder_ended(tmp_path, command):
    """Each instant in its own folder: exit 130 with one ``interrupted`` line (or 0, done
    before the signal), no folder or every folder INTERRUPTED or COMPLETED, the line naming
    the top folder when there is one; the printed resume of an interrupted one completes."""
    resumed = False
    for i, delay in enumerate(SPREAD):
        case = case_dir(tmp_path / str(i))
        done = ctrl_c_after(case, INSTANT_COMMANDS[command], delay)
        what = (command, delay, done.returncode, done.stderr)
        assert done.returncode in (0, 130), f"{what[:3]}; its whole stderr:\n{done.stderr}"
        found = statuses(case / "runs") if (case / "runs").exists() else {}
        assert set(found.values()) <= {"INTERRUPTED", "COMPLETED"}, (what, found)
        if done.returncode == 0:
            assert set(found.values()) == {"COMPLETED"} and "interrupted" not in done.stderr
            continue
        line = one_line(done.stderr)
        assert line.startswith("interrupted"), what
        if "continue with: " in line and not resumed:
            again = subprocess.run(argv(*shlex.split(line.split("continue with: ")[1])[1:]),
                                   cwd=case, capture_output=True, text=True, timeout=120)  # fmt: skip
            assert again.returncode == 0, (what, again.stderr)
            assert_settled(case / "runs", ("COMPLETED",))
            resumed = True


# ----------------------------------------------------------------------------- kill -9 at birth
# ``python -c KILLED_AT_BIRTH ARGS...``: nnlab killed (SIGKILL) as it writes a new folder's
# first meta.json, its first files (config.yaml, a sweep's plan, a landscape's file) written
KILLED_AT_BIRTH = """\
import os, signal, sys
from pathlib import Path
from nnlab import fileio
real = fileio.atomic_write
def atomic_write(path, *args, **kwargs):
    if Path(path).name == "meta.json":
        os.kill(os.getpid(), signal.SIGKILL)
    return real(path, *args, **kwargs)
fileio.atomic_write = atomic_write
sys.argv = ["nnlab", *sys.argv[1:]]
from nnlab.__main__ import main
main()
"""
BIRTHS = {
    "train": ["train", "cfg.yaml", "-q"],
    "sweep": ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "-q"],
    "landscape": ["landscape", "cfg.yaml", "--points", "3", "--samples", "20", "-q"],
}


@pytest.mark.slow
@pytest.mark.parametrize("command", list(BIRTHS))
def test_a_kill_as_a_folder_is_made_leaves_no_folder_a_reader_sees(case, command):
    """A new folder's first files are written in a hidden folder that takes its name with its
    meta.json: killed before, a sweep's or a landscape's folder was DAMAGED in every reader
    ('meta.json: missing'), a training run's a folder with a config.yaml that ``runs list``
    passed over and the report showed. Now no reader sees one, and the command runs again,
    removing the hidden folder the kill left once it is 10 minutes old (it stayed for ever)."""
    proc = subprocess.run([sys.executable, "-c", KILLED_AT_BIRTH, *BIRTHS[command],
                           "--runs-dir", "runs"], cwd=case, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert [p.name for p in (case / "runs").iterdir() if not p.name.startswith(".")] == []
    listed = subprocess.run(argv("runs", "list", "-f", "json", "--runs-dir", "runs"), cwd=case,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert listed.returncode == 0 and json.loads(listed.stdout) == [], listed
    report = subprocess.run(argv("report", "--runs-dir", "runs"), cwd=case,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert report.returncode == 0 and "0 folders" in report.stderr, report.stderr
    (left,) = (case / "runs").glob(".*.new")  # (the hidden one: gone once old, next command)
    old = time.time() - 11 * 60
    os.utime(left, (old, old))
    again = subprocess.run(argv(*BIRTHS[command], "--runs-dir", "runs"), cwd=case,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert_settled(case / "runs", ("COMPLETED",))
    assert not left.exists() and not any(p.name.startswith(".") for p in (case / "runs").iterdir())
