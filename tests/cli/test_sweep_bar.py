"""A sweep's progress bar on a terminal: cleared once every trial has ended (the summary and
the folder line take its place), left where it stopped by a sweep stopped short."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest

from nnlab.cli import sweep_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    """stderr a terminal (set in the test itself: pytest's capture sets sys.stderr anew as
    the test's call begins)."""
    stream = Terminal()
    monkeypatch.setattr(sweep_progress, "note", lambda line: stream.write(line + "\n"))
    return lambda: monkeypatch.setattr(sweep_progress.sys, "stderr", stream) or stream


RUN = SimpleNamespace(meta={}, plan=lambda: None, path=Path("runs/a-sweep"))
ROW = {"trial": "4c7bdfe9", "status": "COMPLETED"}


def test_the_bar_is_cleared_once_every_trial_has_ended(terminal):
    # (it stayed: 'trial ━━━ 2/2 1.9 s elapsed last: ...' above the summary)
    stream = terminal()
    with sweep_progress.SweepProgress() as progress:
        progress.start(RUN, 0, 2)
        progress.trial(1, 2, ROW)
        progress.trial(2, 2, ROW)
    shown = stream.getvalue()
    assert "2/2" in shown and shown.endswith("\x1b[2K")  # (its lines erased, none after)


def test_a_sweep_stopped_short_leaves_its_bar_where_it_stopped(terminal):
    stream = terminal()
    with pytest.raises(KeyboardInterrupt):
        with sweep_progress.SweepProgress() as progress:
            progress.start(RUN, 0, 3)
            progress.trial(1, 3, ROW)
            raise KeyboardInterrupt
    shown = stream.getvalue()
    assert "1/3" in shown.rsplit("\r", 1)[-1] and shown.removesuffix("\x1b[?25h").endswith("\n")
