"""``nnlab gradcheck``: exit codes, the table, JSON/CSV, a planted bug named, --compare-differences,
config mode and the error paths."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import (
    invoke,
    plant_affine_without_bias_gradient,
    plant_sigmoid_without_one_minus_y,
)

ROOT = Path(__file__).resolve().parents[2]


def gradcheck(*args: str):
    return invoke("gradcheck", *args)


def test_default_invocation_passes_every_row_and_explains_the_thresholds():
    result = gradcheck()
    assert result.exit_code == 0, result.output
    assert "0 warn, 0 fail" in result.stdout
    assert "1e-7" in result.stdout and "1e-4" in result.stdout and "kinks" in result.stdout
    for name in ("BatchNorm/train", "Dropout/mask", "softmax_ce", "net relu batchnorm"):
        assert name in result.stdout


def test_each_table_heads_its_first_column_by_what_its_rows_are():
    """The losses' rows are losses: their table's first column is 'loss', not 'layer'."""
    lines = gradcheck().stdout.splitlines()

    def header_after(title: str) -> str:
        start = lines.index(title)
        return next(line for line in lines[start:] if "┃" in line)

    assert header_after("losses, on their scores").split("┃")[1].strip() == "loss"
    assert header_after("net relu softmax").split("┃")[1].strip() == "layer"
    layers = next(line for line in lines if line.startswith("layers in isolation"))
    assert header_after(layers).split("┃")[1].strip() == "layer"


def test_every_table_fits_an_80_column_terminal_with_its_abbreviation_explained():
    # (the layers' table, headed max_rel_error, was 83 columns wide: records at 80)
    import re

    env = {"TTY_COMPATIBLE": "1", "COLUMNS": "80"}
    result = invoke("gradcheck", "--max-entries", "3", env=env)
    assert result.exit_code == 0, result.output
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout).splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    heads = [line for line in lines if line.startswith("┃")]
    assert len(heads) == 9 and all("┃     error ┃" in head for head in heads)  # (no records)
    assert any(line.startswith("error: the relative error max|analytic") for line in lines)
    assert "max_rel_error in -f json and csv" in " ".join(" ".join(lines).split())


@pytest.mark.parametrize(
    "args", [[], ["configs/digits-quickstart.yaml"]], ids=["built-in", "config"]
)
def test_gradcheck_reports_progress_on_stderr_and_quiet_silences_it(monkeypatch, args):
    # (gradcheck had no -q/--quiet, which the other commands have)
    monkeypatch.chdir(ROOT)
    loud = gradcheck(*args)
    assert loud.exit_code == 0, loud.output
    first = (
        "layers and losses: 20 rows, all pass"
        if not args
        else "config digits-quickstart: affine1.W pass"
    )
    assert loud.stderr.splitlines()[0] == first, loud.stderr
    for flag in ("-q", "--quiet"):
        quiet = gradcheck(*args, flag)
        assert quiet.exit_code == 0 and quiet.stderr == "", quiet.output
        assert quiet.stdout == loud.stdout


def test_compare_differences_reports_progress_and_quiet_silences_it(tmp_path):
    loud = gradcheck("--compare-differences", "--runs-dir", tmp_path / "a")
    assert loud.exit_code == 0, loud.output
    assert loud.stderr.splitlines()[0].endswith(
        "forward and centred differences at 10 steps, 42 entries"
    )
    quiet = gradcheck("--compare-differences", "-q", "--runs-dir", tmp_path / "b")
    assert quiet.exit_code == 0, quiet.output
    lines = quiet.stderr.splitlines()  # (the folder, as every command that makes one says it)
    (folder,) = (tmp_path / "b").iterdir()
    assert lines == [f"run folder: {folder}  (figure: differences.png)"]


def test_the_plain_check_refuses_report_but_not_the_environment_asking_every_command(tmp_path):
    # (--report is --compare-differences' only, as --out and --png; NNLAB_REPORT=1, which asks
    # it of every command that makes a folder, leaves the plain check, which makes none, alone)
    result = gradcheck("--report", "--runs-dir", tmp_path)
    assert (
        result.exit_code == 2
        and "error: --report: goes with --compare-differences" in result.stderr
    )
    result = invoke("gradcheck", "-q", "--runs-dir", tmp_path, env={"NNLAB_REPORT": "1"})
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_json_schema(tmp_path):
    result = gradcheck("--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["dtype"] == "float64" and doc["differences"] == "centred" and doc["eps"] == 1e-5
    assert doc["thresholds"] == {"pass_below": 1e-7, "fail_above": 1e-4}
    assert doc["summary"]["ok"] is True and doc["summary"]["fail"] == 0
    assert doc["summary"]["rows"] == len(doc["rows"]) > 50
    keys = {"group", "layer", "param", "shape", "checked", "size", "max_rel_error", "kinks"}
    for row in doc["rows"]:
        assert set(row) == keys | {"verdict"}
        assert isinstance(row["shape"], list) and row["checked"] <= row["size"]
        assert row["verdict"] == "pass" and 0 <= row["max_rel_error"] < 1e-7


def test_csv_has_one_line_per_row():
    result = gradcheck("--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "group,layer,param,shape,checked,size,max_rel_error,kinks,verdict"
    assert "layer,Affine,W,5x4,20,20," in result.stdout
    assert len(lines) > 50


def test_planted_sigmoid_bug_exits_1_and_names_layer_and_parameter(monkeypatch):
    plant_sigmoid_without_one_minus_y(monkeypatch)
    result = gradcheck()
    assert result.exit_code == 1
    assert "FAIL layer: Sigmoid x" in result.stdout
    assert "FAIL net sigmoid svm: affine1 W" in result.stdout
    assert "Affine" not in "".join(
        line for line in result.stdout.splitlines() if line.startswith("FAIL")
    )


def test_planted_missing_bias_gradient_exits_1_in_json_too(monkeypatch):
    plant_affine_without_bias_gradient(monkeypatch)
    result = gradcheck("-f", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    failed = {(r["group"], r["layer"], r["param"]) for r in doc["rows"] if r["verdict"] == "fail"}
    assert ("layer", "Affine", "b") in failed and ("net tanh bce", "affine3", "b") in failed
    assert all(p == "b" for _, _, p in failed)
    assert doc["summary"]["ok"] is False
    assert "FAIL layer: Affine b" in result.stderr


@pytest.mark.parametrize("eps", ["0", "-1e-5", "nan"])
def test_bad_eps_exits_2_with_one_line(eps):
    result = gradcheck(f"--eps={eps}")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --eps:")


def test_a_step_far_from_1e5_is_flagged_as_a_possible_cause():
    result = gradcheck("--eps", "1e-2")
    assert "note: eps 0.01 is far from 1e-5; truncation error" in result.stdout
    assert "note: eps" not in gradcheck().stdout


def test_a_large_step_crosses_relu_kinks_in_networks_and_they_are_counted():
    doc = json.loads(gradcheck("--eps", "1e-2", "-f", "json").stdout)
    kinked = [r for r in doc["rows"] if r["kinks"] > 0]
    assert kinked and all("relu" in r["group"] for r in kinked)
    smooth = [r for r in doc["rows"] if r["group"] in ("net tanh bce", "net sigmoid svm")]
    assert smooth and all(r["kinks"] == 0 for r in smooth)


def test_compare_differences_shows_centred_beating_forward_and_the_u_shape(tmp_path):
    png = tmp_path / "diff.png"
    result = gradcheck(
        "--compare-differences", "--png", str(png), "--runs-dir", str(tmp_path / "r"), "-f", "json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    steps = [r["step"] for r in doc["steps"]]
    assert steps == [10.0**-k for k in range(1, 11)]
    fwd = [r["forward"] for r in doc["steps"]]
    cen = [r["centred"] for r in doc["steps"]]
    i5 = steps.index(1e-5)
    assert cen[i5] < fwd[i5]
    for errors in (fwd, cen):
        best = int(np.argmin(errors))
        assert errors[0] > errors[best] < errors[-1] and 0 < best < 9
    assert doc["param"] == "affine1.W"
    assert doc["timing"]["ratio"] > 1 and doc["timing"]["numeric_s"] > 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_differences_table_and_default_output_into_the_runs_dir(tmp_path):
    result = gradcheck("--compare-differences", "--param", "affine2.b", "--runs-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "best step: forward" in result.stdout and "ratio" in result.stdout
    (folder,) = list(tmp_path.iterdir())
    assert "gradcheck-differences" in folder.name
    assert (folder / "differences.png").is_file()
    saved = json.loads((folder / "differences.json").read_text())
    assert saved["param"] == "affine2.b" and len(saved["steps"]) == 10
    # (the ratio read 7882.0479, a timing's noise in 4 decimals, and said not of what)
    assert "vs analytic (ratio: numeric_s / analytic_s)" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.startswith("│ affine2.b"))
    ratio = saved["timing"]["ratio"]
    shown = str(round(ratio)) if ratio >= 10 else f"{round(ratio, 2):.4f}"
    assert row.split("│")[-2].strip() == shown, row
    # (a best step's error read 4.5e-11 under its table's 4.464e-11, the times 0.000402 s and
    # 4.017e-04 beside each other; the step, written :g, as the table's config values are)
    from nnlab.numbers import config_number, number
    from nnlab.times import duration

    best = saved["best"]["centred"]
    line = f"centred {config_number(best['step'])} ({number(best['error'])})"
    assert line in result.stdout
    timing = saved["timing"]
    assert row.split("│")[5].strip() == duration(timing["analytic_s"]), row
    assert f"analytic: {duration(timing['analytic_s'])} (one forward" in result.stdout


def test_compare_differences_unknown_param_exits_2():
    result = gradcheck("--compare-differences", "--param", "nope.W", "--out", "unused.png")
    assert result.exit_code == 2
    assert (
        "--param: expected one of affine1.W, " in result.stderr and "got 'nope.W'" in result.stderr
    )


@pytest.mark.parametrize("option", [["--param", "affine1.W"], ["--png", "x.png"], ["--out", "o"]])
def test_an_option_of_compare_differences_without_it_is_refused_not_ignored(option):
    result = gradcheck(*option)
    assert result.exit_code == 2
    assert f"error: {option[0]}: goes with --compare-differences" in result.stderr


def write_tiny_config(tmp_path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "name: tiny\n"
        "dataset: {name: blobs, n_per_class: 10, n_classes: 3, dim: 3}\n"
        "model: {hidden: [5], batchnorm: true, dropout: 0.25}\n"
        "weight_decay: 0.001\n"
    )
    return path


def test_config_mode_checks_the_configs_network(tmp_path):
    result = gradcheck(str(write_tiny_config(tmp_path)), "loss=svm", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    got = [(r["group"], r["layer"], r["param"]) for r in doc["rows"]]
    assert ("config tiny", "bn1", "gamma") in got and ("config tiny", "affine2", "W") in got
    assert doc["summary"]["ok"] is True


def test_config_mode_with_batchnorm_and_a_batch_of_one_exits_2(tmp_path):
    result = gradcheck(str(write_tiny_config(tmp_path)), "--batch", "1")
    assert result.exit_code == 2
    assert "BatchNorm needs a batch of at least 2" in result.stderr


def test_config_mode_bad_override_exits_2(tmp_path):
    result = gradcheck(str(write_tiny_config(tmp_path)), "model.hiden=[3]")
    assert result.exit_code == 2
    assert "model.hidden" in result.stderr  # the did-you-mean from the config schema


def test_overrides_without_a_config_exit_2():
    result = gradcheck("model.batchnorm=true")
    assert result.exit_code == 2
    assert "needs a config file first" in result.stderr


def test_digits_quickstart_config_checks_a_subset_of_large_layers():
    config = ROOT / "configs" / "digits-quickstart.yaml"
    if not config.is_file():
        pytest.skip(f"{config} is absent")
    result = gradcheck(str(config), "--max-entries", "50")
    assert result.exit_code == 0, result.output
    assert "50/6,400" in result.stdout and "a random subset of at most 50" in result.stdout


def test_help_says_which_options_only_compare_differences_reads():
    # (-h gave --out and --png the shared help of every command; only the error said so)
    text = " ".join(invoke("gradcheck", "-h", env={"COLUMNS": "200"}).stdout.split())
    for option in ("--param", "--out", "--png", "--runs-dir"):
        after = text[text.index(f" {option} ") :]
        assert "With --compare-differences only:" in after[:80], (option, after[:80])


def test_compare_differences_writes_each_step_as_an_eps_is_written(tmp_path):
    # (the steps 1e-1..1e-10 read 0.1000, 0.0100, 0.001000, 1.000e-04: a measured number's
    # digits on values chosen as powers of ten)
    result = gradcheck("--compare-differences", "--runs-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    table = result.stdout.split("numeric (centred")[0]
    steps = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    assert steps == ["0.1", "0.01", "0.001", "0.0001", *(f"1e-{k:02d}" for k in range(5, 11))]
