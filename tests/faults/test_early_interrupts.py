"""Stop signals before a command's folder work begins: while nnlab's own signal handling loads,
and while a resume finds and checks its folder. Each is an interrupt like any other (exit 130,
one ``interrupted`` line, no traceback), and a resume's line says the command that continues it
(the folder is as it was)."""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys

import pytest

from nnlab import runs

from .helpers import Row, invoke
from .test_after_folder import COMMANDS
from .test_resume_every import interrupt

# ``python -c LOADING ARGS...``: the nnlab entry point, SIGTERM arriving as nnlab.signals (whose
# handler the entry point imports when a signal comes) begins to load: there, not made yet
LOADING = """\
import importlib.machinery as machinery, signal, sys

class Loader(machinery.SourceFileLoader):
    def exec_module(self, module):
        signal.raise_signal(signal.SIGTERM)
        super().exec_module(module)

class Finder:
    def find_spec(self, name, path, target=None):
        if name != "nnlab.signals":
            return None
        spec = machinery.PathFinder.find_spec(name, path)
        spec.loader = Loader(spec.loader.name, spec.loader.path)
        return spec

sys.meta_path.insert(0, Finder())
sys.argv = ["nnlab", *sys.argv[1:]]
from nnlab.__main__ import main
main()
"""


@pytest.mark.parametrize(
    "args, line",
    [
        (["runs", "list"], "interrupted (SIGTERM)"),
        (
            ["train", "--resume", "runs/a b"],
            "interrupted (SIGTERM) before the resume began; continue with: "
            "nnlab train --resume 'runs/a b'",
        ),
    ],
)
def test_a_stop_signal_as_the_signal_handling_loads_is_an_interrupt(tmp_path, args, line):
    # (the entry point's handler imported nnlab.signals, half made: ImportError, a traceback
    # and exit 1; met by a SIGTERM 0.1 s into 'nnlab train --resume' on a busy machine)
    done = subprocess.run([sys.executable, "-c", LOADING, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (done.returncode, done.stderr) == (130, line + "\n")


RESUME_STOPPED = Row(
    "SIGTERM (or SIGHUP, or Ctrl-C) while a resume finds and checks its folder, in every command "
    "that resumes",
    "`nnlab train --resume runs/<run>`",
    130,
    ("interrupted (SIGTERM) before the resume began; continue with: nnlab train --resume {run}",),
)


def signal_at_check(monkeypatch) -> None:
    """SIGTERM as a resume checks that its folder has work left (every resume does, once it
    has found the folder and before it changes anything)."""
    real = runs.refuse_finished

    def checking(run, *args, **kwargs):
        signal.raise_signal(signal.SIGTERM)
        return real(run, *args, **kwargs)

    monkeypatch.setattr(runs, "refuse_finished", checking)


@pytest.mark.slow
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_resume_stopped_before_it_began_says_the_command_that_continues_it(
    case, monkeypatch, command
):
    # (it said only 'interrupted (SIGTERM)', naming neither the folder nor what to do)
    top, resume = interrupt(case, monkeypatch, command)
    with monkeypatch.context() as patched:
        signal_at_check(patched)
        stopped = invoke(*shlex.split(resume)[1:])
    assert stopped.exit_code == 130, stopped.output
    assert "Traceback" not in stopped.stderr
    last = stopped.stderr.splitlines()[-1]
    assert last in (  # (a sweep's resume has claimed its folder then: let go, it is said)
        f"interrupted (SIGTERM) before the resume began; continue with: {resume}",
        f"interrupted (SIGTERM): {top.path} is INTERRUPTED; continue with: {resume}",
    )
    assert top.status == "INTERRUPTED" and "resumes" not in top.meta
    if command == "train":
        assert [last] == RESUME_STOPPED.expect(case / "runs", top.path)
    again = invoke(*shlex.split(last.split("; continue with: ", 1)[1])[1:])
    assert again.exit_code == 0, again.output
    assert top.status == "COMPLETED"


def test_a_dry_run_of_a_resume_is_not_offered_again(case, monkeypatch):
    top, resume = interrupt(case, monkeypatch, "sweep")
    with monkeypatch.context() as patched:
        signal_at_check(patched)
        stopped = invoke(*shlex.split(resume)[1:], "--dry-run")
    assert stopped.exit_code == 130, stopped.output
    assert stopped.stderr.splitlines()[-1] == "interrupted (SIGTERM)"
