"""``nnlab activations``: the table, JSON, the figure copy and the error exit."""

from __future__ import annotations

import json

import pytest

from nnlab.numbers import number
from tests.conftest import invoke


def test_activations_prints_the_table_and_copies_the_figure(tmp_path):
    png = tmp_path / "docs" / "activations.png"
    png.parent.mkdir()
    args = ["activations", "-a", "sigmoid", "-i", "std1,xavier", "--layers", "3"]
    result = invoke(*[*args, "--runs-dir", str(tmp_path / "runs"), "--png", str(png)])
    assert result.exit_code == 0, result.output
    assert "saturated" in result.stdout and "xavier" in result.stdout
    assert png.stat().st_size > 1000
    (run,) = (tmp_path / "runs").iterdir()
    assert (run / "summary.txt").exists()


def test_activations_json_lists_rows(tmp_path):
    args = ["activations", "-a", "relu", "-i", "he", "--samples", "50", "--units", "10"]
    result = invoke(*[*args, "--runs-dir", str(tmp_path), "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [r["layer"] for r in doc["rows"]] == [1, 2, 3, 4, 5]
    assert doc["rows"][0]["zero"] is not None and doc["rows"][0]["saturated"] is None


def test_activations_unknown_init_exits_2_without_a_folder(tmp_path):
    result = invoke(*["activations", "--init", "huge", "--runs-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--init: expected one of std1, std0.01, xavier, he, got 'huge'" in result.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_help_names_every_activation_and_init_it_takes():
    from nnlab.experiments.activations import ACTIVATION_NAMES, INITS

    text = " ".join(invoke("activations", "--help", env={"COLUMNS": "250"}).stdout.split())
    for name in [*ACTIVATION_NAMES, *INITS]:
        assert name in text, name


@pytest.mark.slow
def test_activations_reports_progress_on_stderr_and_quiet_silences_it(tmp_path):
    # (activations had no -q/--quiet, which every other command that makes a folder has, and
    # said nothing while it drew its figure, most of its time)
    args = ["activations", "-a", "relu", "-i", "he,xavier", "--samples", "50", "--units", "10"]
    loud = invoke(*args, runs_dir=tmp_path / "loud")
    assert loud.exit_code == 0, loud.output
    # (counted and timed as every progress line, its numbers as every progress line's: it read
    # 'relu / he (1/2): layer 5 std 0.79, zero 55%' beside the table's 0.7912 and 0.5513)
    line = next(x for x in loud.stderr.splitlines() if x.startswith("setting 1/2, "))
    summary = json.loads(next((tmp_path / "loud").iterdir()).joinpath("summary.json").read_text())
    last = next(r for r in summary["rows"] if r["init"] == "he" and r["layer"] == 5)
    assert line.endswith(
        f": relu / he: layer 5 std {number(last['std'])}, zero {number(last['zero'])}"
    ), line
    assert "drawing activations.png: 10 histograms" in loud.stderr
    for flag in ("-q", "--quiet"):
        quiet = invoke(*args, flag, runs_dir=tmp_path / flag)
        assert quiet.exit_code == 0, quiet.output
        assert quiet.stdout == loud.stdout.replace(str(tmp_path / "loud"), str(tmp_path / flag))
        (line,) = quiet.stderr.splitlines()  # (the folder, as train -q says it)
        assert line.startswith(f"run folder: {tmp_path / flag}"), quiet.stderr
        assert line.endswith("  (figure: activations.png)")  # (its figure, as a sweep's)


def test_the_lowest_counts_help_gives_are_the_ones_it_takes(tmp_path):
    """--help's ranges are the command's: each count at the lowest its help says trains a
    setting, and one below is refused with that range (--samples said 1<=x, and 1 was refused
    by the library: 'expected at least 2')."""
    import typer.main

    from nnlab.cli import app

    command = typer.main.get_command(app).commands["activations"]
    low = {p.name: p.min for p in command.params if p.name in ("layers", "units", "samples")}
    args = ["activations", "-a", "relu", "-i", "he", "-q", "--runs-dir", str(tmp_path)]
    counts = [f"--{name}={value}" for name, value in low.items()]
    result = invoke(*args, *counts)
    assert result.exit_code == 0, result.output
    for name, value in low.items():
        result = invoke(*args, f"--{name}={value - 1}")
        assert result.exit_code == 2
        assert f"--{name}: expected an integer from {value} to" in result.output, result.output


def test_the_table_says_what_saturated_zero_and_dead_units_count(tmp_path):
    # (the terminal's table left them to the figure's caption: 'saturated' named no threshold)
    args = ["activations", "-i", "he", "--samples", "50", "--units", "10", "--layers", "2"]
    result = invoke(*args, "-a", "tanh,relu", runs_dir=tmp_path / "a")
    assert result.exit_code == 0, result.output
    notes = result.stdout.split("┏")[0].splitlines()[1:]
    assert notes == [
        "  mean, std    of the layer's outputs a, over every input and unit",
        "  saturated    share of outputs at a flat end (tanh |a| > 0.99)",
        "  zero         share of ReLU outputs exactly 0 (the unit off for that input)",
        "  dead_units   share of ReLU units 0 for every input (no gradient passes them)",
    ]
    result = invoke(*args, "-a", "sigmoid", runs_dir=tmp_path / "b")
    assert (
        "(sigmoid a < 0.01 or a > 0.99)" in result.stdout and "dead_units   " not in result.stdout
    )
    (run,) = (tmp_path / "b").iterdir()  # (summary.txt and runs show: the same title)
    assert (run / "summary.txt").read_text().startswith(result.stdout.split("┏")[0])
    shown = invoke("runs", "show", run).stdout
    assert result.stdout.split("┏")[0] in shown


def test_a_column_no_activation_of_the_run_has_is_left_out(tmp_path):
    # (a tanh-only run kept zero and dead_units, every cell '-'; a relu-only one saturated)
    args = ["activations", "-i", "xavier", "--samples", "50", "--units", "10", "--layers", "2"]
    for activation, gone, kept in (
        ("tanh", ["zero", "dead_units"], "saturated"),
        ("relu", ["saturated"], "dead_units"),
    ):
        result = invoke(*args, "-a", activation, runs_dir=tmp_path / activation)
        assert result.exit_code == 0, result.output
        header = next(line for line in result.stdout.splitlines() if "┃ activation" in line)
        assert kept in header and not any(f" {c} " in header for c in gone), header
        (run,) = (tmp_path / activation).iterdir()
        assert header in (run / "summary.txt").read_text()


@pytest.mark.slow
def test_batchnorm_is_an_option_the_folder_and_the_title_record(tmp_path):
    args = ["activations", "-a", "tanh", "-i", "std0.01", "--layers", "2", "--units", "10"]
    args += ["--samples", "50", "--runs-dir", str(tmp_path)]
    result = invoke(*args, "--batchnorm", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["batchnorm"] is True and all(r["std"] > 0.3 for r in doc["rows"])
    plain = json.loads(invoke(*args, "-f", "json").stdout)
    assert plain["batchnorm"] is False and plain["rows"][-1]["std"] < 0.01
    table = invoke(*args, "--batchnorm").stdout
    assert "BatchNorm on" in table.splitlines()[0]
