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


@pytest.mark.parametrize("width", [80, 100, 200])
def test_the_bar_is_one_line_on_a_terminal_80_or_more_wide(terminal, monkeypatch, width):
    # (at 80 columns it took two: '12 s elapsed,' above '~48 s left', the bar 40 wide)
    from rich.console import Console

    monkeypatch.setenv("COLUMNS", str(width))
    terminal()
    with sweep_progress.SweepProgress() as progress:
        progress.start(RUN, 0, 16)
        progress.failed = 2
        progress.trial(3, 16, {"trial": "4c7bdfe9", "status": "COMPLETED"})
        shown = Console(width=width, record=True, file=io.StringIO())
        shown.print(progress.bar.make_tasks_table(progress.bar.tasks))
        lines = shown.export_text().splitlines()
    assert len(lines) == 1 and "3/16" in lines[0] and " left" in lines[0], lines
    assert "last: 4c7bdfe9 COMPLETED" in lines[0]
