"""Prose on a terminal narrower than its lines (a header, a legend, a note on stderr): folded
at its spaces, a "key: value" line's continued lines indented to its value, no word broken;
into a pipe or a file, as it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnlab.folding import fold_line, fold_text
from nnlab.output import TABLE_LINE, fit_text, record_lines
from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "digits-quickstart.yaml")
SMALL = ["dataset.n_train=300", "model.hidden=[20]", "epochs=1"]
WIDTHS = [40, 60, 80, 100]
# (numbers, run ids, timings with their unit, which changes with the time taken: 0.63 ms in one
# run, 0.1 s in the next; a word check of the text around them)
STAMPED = r"\S*\d\S*(?: (?:ms|s|min|h)(?=\s|$))?"


def terminal(width: int, runs: Path) -> dict[str, str]:
    """The environment of a terminal ``width`` columns wide (rich: stdout is a terminal)."""
    return {"TTY_COMPATIBLE": "1", "COLUMNS": str(width), "NNLAB_RUNS_DIR": str(runs)}


def test_a_key_value_line_continues_under_its_value():
    line = "run folder: " + " ".join(["word"] * 20)
    lines = fold_line(line, 40)
    assert all(len(f) <= 40 for f in lines) and lines[1].startswith(" " * 12 + "word")
    assert " ".join(" ".join(lines).split()) == " ".join(line.split())
    aligned = fold_line("command   nnlab sweep grid configs/x.yaml optimizer.lr=0.1,0.5", 30)
    assert aligned == ["command   nnlab sweep grid", "          configs/x.yaml",
                       "          optimizer.lr=0.1,0.5"]  # fmt: skip


def test_prose_without_a_key_continues_indented_by_two_and_keeps_its_own_indent():
    assert fold_line("(L: a b c d e f g h)", 12) == ["(L: a b c d", "  e f g h)"]
    assert fold_line("    a b c d e f g h", 12) == ["    a b c d", "    e f g h"]


def test_a_word_is_never_broken_and_one_too_long_for_the_indent_starts_at_the_left_edge():
    path = "/a/" + "x" * 30
    lines = fold_line(f"run folder: {path} (and more)", 40)
    assert lines == ["run folder:", f"{path} (and", "            more)"]
    longer = "/b/" + "y" * 50  # (wider than the terminal: on a line of its own, left to it)
    assert fold_line(f"figure: {longer} ok", 40) == ["figure:", f"        {longer}", "        ok"]


def test_a_legend_wrapped_by_hand_folds_as_one_line_and_fits_as_it_is():
    legend = ("kinks: checked entries whose +-eps evaluations crossed a kink (a ReLU input or\n"
              "  changed sign); the finite difference there mixes two slopes.\n"
              "exit code: 0 when no row fails.\n")  # fmt: skip
    assert fold_text(legend, 200) == legend and fit_text(legend, 200) == legend
    folded = fold_text(legend, 50).splitlines()
    assert folded[0].startswith("kinks: ") and folded[1].startswith(" " * 7 + "crossed")
    assert "input or changed sign);" in " ".join(" ".join(folded).split())
    assert folded[-1] == "exit code: 0 when no row fails." and all(len(f) <= 50 for f in folded)
    assert fit_text(legend, 50).splitlines() == folded


def test_a_record_whose_id_is_longer_than_the_width_folds_it_at_its_spaces():
    # (data list's hdf5 row: its two file paths, on one line past the terminal's edge)
    where = "/data/catvnoncat/train_catvnoncat.h5, /data/catvnoncat/test_catvnoncat.h5"
    lines = record_lines([{"location": where, "dataset": "hdf5"}], width=60)
    assert lines == ["/data/catvnoncat/train_catvnoncat.h5,",
                     "  /data/catvnoncat/test_catvnoncat.h5", "    dataset hdf5"]  # fmt: skip


def assert_folded(text: str, piped: str, width: int) -> None:
    """Each line of ``text`` fits ``width`` or is one word that cannot; no word is broken
    (every word is one of the words the pipe got)."""
    words = set(re.sub(STAMPED, "", piped).split())
    for line in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines():
        if line.startswith(TABLE_LINE):  # (a table's lines: drawn as wide as it fits)
            continue
        assert len(line) <= width or len(line.split()) == 1, (width, line)
        assert all(w in words for w in re.sub(STAMPED, "", line).split()), (width, line)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """A runs folder with a training run and an lr-scan (whose legend is wrapped by hand)."""
    root = tmp_path_factory.mktemp("narrow") / "runs"
    for args in (["train", CONFIG, *SMALL, "-q"],
                 ["lr-scan", CONFIG, *SMALL[:2], "--num", "2", "--epochs", "1", "-q"]):  # fmt: skip
        assert invoke(*args, "--runs-dir", root).exit_code == 0
    return root


COMMANDS = {
    "runs show train": ["runs", "show", "digits-quickstart"],
    "runs show lr-scan": ["runs", "show", "lr-scan"],
    "gradcheck": ["gradcheck", "--max-entries", "3"],
    "sweep dry run": ["sweep", "grid", CONFIG, "optimizer.lr=0.1,0.5", "--dry-run"],
    "data list": ["data", "list"],
    "train": ["train", CONFIG, *SMALL],
}


@pytest.fixture
def every_line(monkeypatch) -> None:
    """Progress lines are not held back: into a pipe ``common.Lines`` prints a few at growing
    intervals, so on a slow machine the narrow run printed a line the piped one had held back."""
    from nnlab.cli import common

    init = common.Lines.__init__
    monkeypatch.setattr(common.Lines, "__init__", lambda self, quiet=False, interval=1.0: init(self, quiet, 0.0))  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_folds_its_prose_at_spaces_on_a_narrow_terminal(
    runs, name, width, every_line
):
    # (runs show's versions and command lines, gradcheck's legend, the dry run's line on
    # stderr ran past the terminal's edge, which broke them inside words)
    args = COMMANDS[name]
    if name.startswith("runs show"):
        args = ["runs", "show", next(p.name for p in runs.iterdir() if args[2] in p.name)]
    shown = invoke(*args, env=terminal(width, runs))
    piped = invoke(*args, env={"NNLAB_RUNS_DIR": str(runs)})
    assert shown.exit_code == piped.exit_code == 0, shown.output
    wide = max(len(line) for line in (piped.stdout + piped.stderr).splitlines())
    assert wide > width or width == 100  # (the pipe's lines are longer: something to fold)
    assert_folded(shown.stdout, piped.stdout + piped.stderr, width)
    assert_folded(shown.stderr, piped.stdout + piped.stderr, width)


def test_runs_show_continues_the_command_and_versions_under_their_values(runs):
    run = next(p.name for p in runs.iterdir() if "lr-scan" not in p.name)
    lines = invoke("runs", "show", run, env=terminal(60, runs)).stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("versions  "))
    assert lines[at + 1].startswith(" " * 10) and lines[at + 1][10] != " "
    piped = invoke("runs", "show", run, env={"NNLAB_RUNS_DIR": str(runs)}).stdout
    assert any(line.startswith("versions  ") and len(line) > 60 for line in piped.splitlines())


def test_a_terminal_width_of_0_is_no_width(tmp_path):
    """``COLUMNS=0`` (or ``LINES=0``) gives no size, as an unset one: rich took it for a
    terminal 0 columns wide, and ``runs list`` printed nothing at all on a terminal (the
    terminal's own width is asked instead; here none: 80)."""
    made = invoke("train", CONFIG, *SMALL, "-q", "--runs-dir", tmp_path / "runs")
    assert made.exit_code == 0, made.output
    for env in ({"COLUMNS": "0"}, {"COLUMNS": "0", "LINES": "0"}):
        shown = invoke("runs", "list", env={**terminal(80, tmp_path / "runs"), **env})
        assert shown.exit_code == 0, shown.output
        wide = invoke("runs", "list", env=terminal(80, tmp_path / "runs"))
        assert shown.stdout == wide.stdout and "train/digits" in shown.stdout


def test_a_tables_legend_continued_by_hand_folds_with_the_line_it_continues(monkeypatch):
    # (lr-scan's legend at 60 columns: its 'step_change' line folded, the line continuing it
    # by hand left as it was under it: "step (float64, so" / "tiny steps register); close...")
    import io

    from nnlab.output import print_table

    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "60")
    title = ("scan: initial loss 2.5\n"
             "  step_change  step_loss - L(W): the actual change over that step (float64, so\n"
             "               tiny steps register); close to -lr*|g|^2 only while lr is small")  # fmt: skip
    out = io.StringIO()
    print_table([{"lr": 0.1}], title=title, file=out)
    lines = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()).splitlines()
    legend = lines[1 : lines.index(next(line for line in lines if line.startswith("┏")))]
    assert legend == [
        "  step_change  step_loss - L(W): the actual change over that",
        "               step (float64, so tiny steps register); close",
        "               to -lr*|g|^2 only while lr is small",
    ]


def test_a_legend_of_listed_keys_below_a_long_title_stays_a_line_of_its_own():
    # (runs show of a run's activations at 80 columns: '... its first 1,000 train inputs
    # mean, std    of the layer's outputs a, ...', its title and legend run together)
    title = "activations of run 20261208-004911-mnist-1000-9d49c5 (epoch 2): " + "word " * 10
    legend = "  mean, std    of the layer's outputs a, over every input and unit"
    folded = fold_text(f"{title.strip()}\n{legend}\n  zero         share of zeros", 80)
    assert legend in folded.splitlines() and "zero         share" in folded
    assert fold_line(legend + " and more" * 3, 60)[1].startswith(" " * 15 + "and unit")


def test_the_words_after_a_wide_gap_fold_together_onto_the_next_line():
    # (runs show at 40 columns: 'started   2026-12-08 00:51:24  ended' over its time, and
    # compare-optimizers' folder line at 80: 'run folder: ...  (figure:' over 'losses.png)')
    started = "started   2026-12-08 00:51:24  ended 2026-12-08 00:51:26"
    assert fold_line(started, 40) == [
        "started   2026-12-08 00:51:24",
        " " * 10 + "ended 2026-12-08 00:51:26",
    ]
    folder = "run folder: /r/20261208-005008-compare-optimizers-ef3e90  (figure: losses.png)"
    assert fold_line(folder, 70) == [folder.split("  ")[0], " " * 12 + "(figure: losses.png)"]
    pairs = "    train loss 0.175279   train acc 0.9527   test loss 0.1865"
    assert fold_line(pairs, 44) == [
        "    train loss 0.175279   train acc 0.9527",
        "    test loss 0.1865",
    ]
    # (a key's own gap is no group: its value stays beside it)
    assert fold_line("kind      train  status COMPLETED", 20) == [
        "kind      train",
        "  status COMPLETED",
    ]
