"""Every command's progress into a pipe (a log file, CI) follows one rule, ``common.Lines``: a
few lines at growing intervals, the last one always, and the lines that end or begin a part of
the work whatever the wait."""

from __future__ import annotations

from functools import partial

import pytest

from nnlab.cli import common
from tests.conftest import invoke


@pytest.fixture
def clock(monkeypatch):
    """``common``'s clock, moved by hand; stderr no terminal; what ``note`` says, kept."""
    now = [0.0]
    said: list[str] = []
    monkeypatch.setattr(common.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(common, "note", said.append)
    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: False, raising=False)
    return now, said


def test_a_log_gets_a_few_lines_at_growing_intervals_and_the_last(clock):
    # (compare-optimizers --dataset mnist logged 132 step lines, one a second)
    now, said = clock
    with common.Lines() as lines:
        for step in range(1, 1321):  # a step line every 0.1 s for 132 s
            now[0] = step / 10
            lines(f"step {step}")
    assert len(said) <= 10, said
    assert said[0] == "step 1" and said[-1] == "step 1320"
    shown = [int(line.split()[1]) for line in said[:-1]]  # (in tenths of a second)
    gaps = [b - a for a, b in zip(shown, shown[1:], strict=False)]
    assert gaps == sorted(gaps) and max(gaps) <= 10 * common.PIPE_MOST_SECONDS  # (growing, capped)


def test_a_long_log_gets_a_line_a_minute_at_most(clock):
    now, said = clock
    with common.Lines() as lines:
        for second in range(3600):
            now[0] = float(second)
            lines(f"second {second}")
    assert 60 <= len(said) <= 70  # (an hour: a minute apart once the wait has grown)


def test_a_terminal_gets_every_line(clock, monkeypatch):
    now, said = clock
    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: True, raising=False)
    with common.Lines() as lines:
        for step in range(50):
            now[0] = step / 10
            lines(f"step {step}")
    assert len(said) == 50


def test_outcomes_and_headings_are_logged_whatever_the_wait(clock):
    now, said = clock
    with common.Lines() as lines:
        lines("step 1")
        now[0] = 0.5
        lines("step 2 of run 1")  # (held back)
        lines.outcome("run 1 ended")  # (in place of its last step line)
        lines("step 1 of run 2")  # (held back)
        lines.heading("round 2")  # (after the line held back)
        lines.outcome("run 2 ended")
    assert said == ["step 1", "run 1 ended", "step 1 of run 2", "round 2", "run 2 ended"]


def test_quiet_says_nothing(clock):
    now, said = clock
    with common.Lines(quiet=True) as lines:
        lines("step")
        lines.heading("round")
        lines.outcome("ended")
    assert said == []


def test_compare_optimizers_logs_each_optimizers_outcome(tmp_path, monkeypatch):
    # (a log kept the last step line of each optimizer now and then, and its outcome only if
    # it came a second after the line before: 'run 1/4 ... COMPLETED' was lost from the log)
    from nnlab.cli import optimizers

    monkeypatch.setattr(optimizers, "Lines", partial(common.Lines, interval=3600.0))
    args = ["--dataset", "digits", "-o", "sgd,adam", "--hidden", "none", "--steps", "20"]
    result = invoke("compare-optimizers", *args, "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    ended = [line for line in result.stderr.splitlines() if line.startswith("run ")]
    assert [line.split(",")[0] for line in ended[:2]] == ["run 1/2", "run 2/2"], result.stderr
