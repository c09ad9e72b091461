"""Helpers every test module shares: a fabricated run folder and the CLI runner."""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
from pathlib import Path
from typing import Any

import pytest

from nnlab.runs import RunDir

# Ctrl-C as the tests send it (SIGINT to a command they started) needs SIGINT not ignored where
# the suite runs. A shell that starts a command in the background without job control (``cmd &``
# in a script, ``nohup``) sets SIGINT to ignored, the children inherit that, and Python installs
# no handler for a signal it finds ignored: every command the tests start would let Ctrl-C pass
# (21 tests failed so). nnlab, like Python, leaves a background job's ignored SIGINT ignored; the
# suite puts Python's own handler back, so that the commands it starts begin with the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
# So with SIGHUP, which ``nohup`` sets to ignored and nnlab leaves ignored too (its caller's
# choice: the run outlives its terminal): the commands the tests hang up begin with the default.
if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def fake_run(root: Path, folder: str, status: str = "COMPLETED", **meta: Any) -> RunDir:
    """A run folder ``root/folder`` with a ``meta.json`` as a run of this process writes it
    (``status``, ``meta`` fields on top), and the summary.json an ended one wrote: for tests
    of reading, finding and refusing runs (a folder a reader finds is checked whole,
    ``lookup.usable``)."""
    path = Path(root) / folder
    path.mkdir(parents=True, exist_ok=True)
    data = {
        "run_id": folder,
        "kind": "train",
        "status": status,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": "2025-01-01T00:00:00.000+00:00",
        "ended": None if status == "RUNNING" else "2025-01-01T00:00:01.000+00:00",
        **meta,
    }
    (path / "meta.json").write_text(json.dumps(data))
    if status in ("COMPLETED", "DIVERGED"):  # (written before such an end: no damage)
        (path / "summary.json").write_text("{}")
    return RunDir(path)


def invoke(*args: Any, runs_dir: Path | None = None, env: dict[str, str] | None = None) -> Any:
    """nnlab's command line in this process (``typer.testing.CliRunner``): ``args``
    stringified, ``--runs-dir`` appended when given; stdout and stderr kept apart."""
    from typer.testing import CliRunner

    from nnlab.cli import app

    extra = ["--runs-dir", str(runs_dir)] if runs_dir is not None else []
    return CliRunner().invoke(app, [*(str(a) for a in args), *extra], env=env)


@functools.cache
def _command() -> Any:
    import typer

    from nnlab.cli import app

    return typer.main.get_command(app)


def invoke_many(*args: Any) -> Any:
    """``invoke`` with the command tree built once, not on every call (typer's runner rebuilds
    it, ~0.07 s): for the tests that run the command line hundreds of times (fuzzing). (Through
    typer's runner: click is not a dependency, typer carries its own copy. Where a typer names
    its builder otherwise, the tree is built per call: slower, the same results.)"""
    from unittest import mock

    import typer.testing

    from nnlab.cli import app

    argv = [str(a) for a in args]
    if not hasattr(typer.testing, "_get_command"):
        return typer.testing.CliRunner().invoke(app, argv)
    with mock.patch.object(typer.testing, "_get_command", lambda _: _command()):
        return typer.testing.CliRunner().invoke(app, argv)


def one_error_line(result: Any) -> str:
    """The single ``error:`` line of a refused command (exit 2): not a traceback, not an
    'unexpected' error, nothing on stdout."""
    lines = result.stderr.splitlines()
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "unexpected" not in lines[0] and not result.stdout, result.output
    return lines[0]


def plant_sigmoid_without_one_minus_y(monkeypatch) -> None:
    """A planted bug for the gradient checks: ``Sigmoid.backward`` forgets the (1 - y) of
    dy/dx = y (1 - y)."""
    from nnlab.nn.layers import Sigmoid

    monkeypatch.setattr(Sigmoid, "backward", lambda self, dout: dout * self.out)


def plant_affine_without_bias_gradient(monkeypatch) -> None:
    """A planted bug for the gradient checks: ``Affine.backward`` leaves db at 0 (dW and dx
    as before)."""
    from nnlab.nn.layers import Affine

    original = Affine.backward

    def no_db(self, dout, **kwargs):
        dx = original(self, dout, **kwargs)
        self.grads["b"][...] = 0
        return dx

    monkeypatch.setattr(Affine, "backward", no_db)


def numeric_gradient_array(f: Any, x: Any, dout: Any, eps: float = 1e-5) -> Any:
    """Centred-difference gradient of sum(f() * dout) w.r.t. x, for array-valued f (a layer):
    the layer tests' check of every backward pass."""
    import numpy as np

    from nnlab.nn.gradcheck import numeric_gradient

    return numeric_gradient(lambda: float(np.sum(f() * dout)), x, eps)


def pytest_addoption(parser):
    parser.addoption(
        "--slow",
        action="store_true",
        help="run the slow integration tests too (marked slow; `-m slow` runs them alone)",
    )


def pytest_collection_modifyitems(config, items):
    """A run of the suite, or of folders in it, leaves out the tests marked ``slow`` (slower
    integration tests: CI runs them, ``-m slow``), unless ``--slow`` or a marker expression is
    given, or the run names files or tests: ``pytest tests/faults/test_processes.py`` runs
    every test of that file."""
    named = any(arg.partition("::")[0].endswith(".py") for arg in config.args)
    if config.getoption("--slow") or config.option.markexpr or named:
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
        config.stash[_SLOW_LEFT_OUT] = len(slow)


_SLOW_LEFT_OUT = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, config):
    left_out = config.stash.get(_SLOW_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"slow integration tests left out: {left_out} (`python -m pytest -m slow` runs"
            " them, `--slow` runs them with the rest; CI runs both)"
        )


@pytest.fixture
def fork_allowed(monkeypatch):
    """Processes fork (painters, sweep workers) even if an earlier test left a thread running
    (dask's, where it is installed): for tests about those processes, not about when forking
    is safe (``threading.active_count`` is what both checks read)."""
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)


@pytest.fixture(autouse=True, scope="session")
def _inflated_copies_in_a_temp_folder(tmp_path_factory):
    """The tests' MNIST files (and the commands they start) keep their inflated copies
    (``nnlab.data.inflated``) in a folder of this session's, not in the user's cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NNLAB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_terminal_forced_by_the_environment():
    """The tests' commands write to pipes and captured streams, which nnlab folds to no width:
    a ``FORCE_COLOR``, ``TTY_COMPATIBLE`` (...) in the shell or CI that runs the suite makes
    rich, and so nnlab, take them for a terminal ``COLUMNS`` wide (``output.terminal_width``),
    and with ``FORCE_COLOR=1 COLUMNS=40`` 34 tests of four files failed on folded lines. Left
    out here (for the commands the tests start too); a test of a terminal sets its own."""
    from nnlab.output import TERMINAL_ENV

    with pytest.MonkeyPatch.context() as mp:
        for name in TERMINAL_ENV:
            mp.delenv(name, raising=False)
        yield


def interrupted_at_epoch(fit, epoch: int, call: int | None = None):
    """``fit`` (the training loop) raising KeyboardInterrupt once a net's ``epoch`` is recorded
    (and checkpointed, where due), in any run or in its ``call``-th only (a sweep whose units
    are one trial each calls it once per trial): a run stopped there."""
    calls = {"n": 0}

    def fit_until(*args, on_epoch, **kwargs):
        calls["n"] += 1
        now = calls["n"]

        def record(net, rec, state):
            on_epoch(net, rec, state)
            if call in (None, now) and rec["epoch"] == epoch:
                raise KeyboardInterrupt

        return fit(*args, on_epoch=record, **kwargs)

    return fit_until


# A work-limit refusal's advice on a resume (limits.check_work): what a resume can do.
RESUME = (
    "a resume continues the work as it was started: set NNLAB_MAX_HOURS to raise the limit, "
    "or start a new run with "
)
