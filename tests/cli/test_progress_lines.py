"""Every command's progress into a pipe (a log file, CI) follows one rule, ``common.Lines``: a
few lines at growing intervals, the last one always, and the lines that end or begin a part of
the work whatever the wait."""

from __future__ import annotations

import io
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


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    """stderr a terminal 80 wide (set in the test itself: pytest's capture sets sys.stderr
    anew as the test's call begins)."""
    monkeypatch.setenv("COLUMNS", "80")
    stream = Terminal()
    return lambda: monkeypatch.setattr(common.sys, "stderr", stream) or stream


def test_a_terminal_draws_transient_steps_in_place_and_keeps_the_outcomes(terminal):
    # (compare-optimizers printed a step line a second on a terminal, scrolling the runs away)
    stream = terminal()
    with common.Lines(transient=True) as lines:
        lines.heading("net and data")
        for step in range(1, 4):
            lines(f"step {step}/3 " + "x" * 100)  # (wider than the terminal: cut, not wrapped)
        lines.outcome("run 1/1: COMPLETED")
    shown = stream.getvalue()
    steps = shown.split(common.CLEAR_LINE)
    assert steps[0] == "net and data\n" and "\n" not in "".join(steps[1:4])
    assert all(len(s) < 80 and s.endswith("...") for s in steps[1:4])
    assert steps[4] == "run 1/1: COMPLETED\n"  # (the last step erased, the outcome in its place)
    assert shown.endswith("COMPLETED\n")  # (nothing left drawn once it ended)


def test_a_transient_step_stays_where_the_work_stopped_short(terminal):
    stream = terminal()
    with pytest.raises(KeyboardInterrupt), common.Lines(transient=True) as lines:
        lines("step 7/9")
        raise KeyboardInterrupt
    assert stream.getvalue() == common.CLEAR_LINE + "step 7/9\n"
    assert not common.state["status"]


def test_a_pipe_gets_transient_steps_as_paced_lines(clock):
    now, said = clock
    with common.Lines(transient=True) as lines:
        for step in range(1, 51):
            now[0] = step / 10
            lines(f"step {step}")
    assert said[0] == "step 1" and said[-1] == "step 50" and len(said) < 10


def test_compare_optimizers_draws_its_steps_in_place_on_a_terminal(terminal, monkeypatch, tmp_path):
    import typer

    from nnlab.cli import app
    from nnlab.experiments.optimizers import training

    monkeypatch.setattr(training, "STEP_LINE_SECONDS", 0.0)  # (every step said)
    args = ["compare-optimizers", "--dataset", "digits", "--steps", "20", "-o", "sgd,adam"]
    stream = terminal()
    typer.main.get_command(app).main([*args, "--runs-dir", str(tmp_path)], standalone_mode=False)
    shown = stream.getvalue()
    assert shown.startswith("5x100 relu MLP")  # (the heading stays above the steps)
    assert shown.count("step ") >= 38 and shown.count("step ") == shown.count("\x1b[2Kstep ")
    ended = [line for line in shown.split("\n") if "COMPLETED after 20 steps" in line]
    assert len(ended) == 2  # (each run's outcome in place of its last step, on a line of its own)
    assert all(line.rsplit(common.CLEAR_LINE, 1)[-1].startswith("run ") for line in ended)


def test_a_landscape_draws_its_grid_rows_in_place_on_a_terminal(terminal, tmp_path):
    import typer

    from nnlab.cli import app

    config = tmp_path / "small.yaml"
    config.write_text("model: {hidden: [8]}\ndataset: {name: digits, n_train: 200}\n")
    args = ["landscape", str(config), "--points", "21", "--runs-dir", str(tmp_path / "runs")]
    stream = terminal()
    typer.main.get_command(app).main(args, standalone_mode=False)
    shown = stream.getvalue()
    assert shown.count("grid row ") == shown.count("\x1b[2Kgrid row ") == 3  # (10, 20, 21)
    rows = [s for s in shown.split(common.CLEAR_LINE) if s.startswith("grid row")]
    assert len(rows) == 3 and not any("\n" in row for row in rows)  # (the last erased too)
