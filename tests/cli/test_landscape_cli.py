"""``nnlab landscape``: from a config and from a run, --resume, the figure copy, error exits."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from tests.conftest import RESUME, invoke

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "digits-quickstart.yaml")
SMALL = ["dataset.n_train=200", "model.hidden=[16]"]
GRID = ["--range", "-0.5:0.5", "--points", "5"]


def test_landscape_of_a_trained_run_then_resume(tmp_path):
    runs = str(tmp_path / "runs")
    trained = invoke(*["train", CONFIG, *SMALL, "epochs=2", "--runs-dir", runs, "-q"])
    assert trained.exit_code == 0, trained.output
    png = tmp_path / "docs" / "landscape-2d.png"
    (tmp_path / "docs").mkdir()  # (--png writes into a folder that exists)
    (tmp_path / "elsewhere").mkdir()
    out = str(tmp_path / "elsewhere" / "land")  # the source is found in --runs-dir, not here
    args = ["landscape", "latest", *GRID, "--runs-dir", runs, "--out", out, "--png", str(png)]
    args += ["-f", "json"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["grid"]["computed"] == 25 and doc["source"].startswith("run ")
    assert doc["run"] == out
    assert png.stat().st_size > 1000
    # (both figures: the 1-D one beside the 2-D one, as docs/ shows them)
    assert (tmp_path / "docs" / "landscape-1d.png").read_bytes() == (
        Path(out) / "landscape-1d.png"
    ).read_bytes()
    h5 = Path(doc["run"]) / "landscape.h5"
    with h5py.File(h5, "r+") as f:
        f["grid/loss"][1, 1] = np.nan
    resumed = invoke(*["landscape", "--resume", doc["run"], "--runs-dir", runs])
    assert resumed.exit_code == 0, resumed.output
    assert "plane" in resumed.stdout
    # (its figures named as every command's last line names them; the points evaluated on
    # the line before: 'evaluated 1 point; run folder: ...' was folded as no folder line is)
    last = f"run folder: {out}  (figures: landscape-1d.png, landscape-2d.png)"
    assert resumed.stderr.splitlines()[-2:] == ["evaluated 1 point", last]


def test_landscape_of_a_config_with_overrides_and_plain_directions(tmp_path):
    args = ["landscape", CONFIG, *SMALL, *GRID, "--normalize", "none", "--samples", "50"]
    result = invoke(*[*args, "--out", str(tmp_path / "land")])
    assert result.exit_code == 0, result.output
    assert "line" in result.stdout and (tmp_path / "land" / "landscape-1d.png").exists()
    summary = json.loads((tmp_path / "land" / "summary.json").read_text())
    assert summary["normalize"] == "none" and summary["samples"] == 50


def test_landscape_error_paths_exit_2(tmp_path):
    runs = str(tmp_path)
    cases = [
        (["landscape", CONFIG, "--range", "1:-1", "--runs-dir", runs], "--range"),
        (["landscape", CONFIG, "--normalize", "layer", "--runs-dir", runs], "--normalize"),
        (["landscape", "no-such-run", "--runs-dir", runs], "no-such-run"),
        (["landscape", "--runs-dir", runs], "give a run or a config"),
        (["landscape", CONFIG, "--resume", "x", "--runs-dir", runs], "--resume takes no source"),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert not any(tmp_path.iterdir())


def test_the_table_says_what_the_landscape_is_centred_on(tmp_path):
    # (landscape latest did not say which run it took, nor that an interrupted run's centre is
    # its last checkpoint, not its last record)
    from nnlab.experiments.landscape import table_title

    base = {"normalize": "filter", "lo": -1, "hi": 1, "points": 5, "split": "train"}
    title = table_title({**base, "source": "run r (INTERRUPTED: its checkpoint, epoch 3)"})
    assert title.splitlines()[1] == "around run r (INTERRUPTED: its checkpoint, epoch 3)"
    assert "\n" not in table_title(base)


def test_a_resume_is_refused_up_front_when_its_missing_points_are_over_the_work_limit(tmp_path):
    # (a resume, and --out into a landscape folder, evaluated the missing points whatever the
    # limit: a 1001-point grid started with NNLAB_MAX_HOURS raised resumed without it)
    from tests.conftest import one_error_line

    runs = tmp_path / "runs"
    out = tmp_path / "land"
    made = invoke("landscape", CONFIG, *SMALL, *GRID, "--out", out, "-q", runs_dir=runs)
    assert made.exit_code == 0, made.output
    h5 = out / "landscape.h5"
    with h5py.File(h5, "r+") as f:
        f["grid/loss"][1, 1:4] = np.nan
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    env = {"NNLAB_MAX_HOURS": "1e-12"}
    for args in (["--resume", out], [CONFIG, *SMALL, *GRID, "--out", out]):
        line = one_error_line(invoke("landscape", *args, runs_dir=runs, env=env))
        assert "error: a landscape of 30 losses (3 left to evaluate) on 200 samples" in line
        assert "is 3 evaluation batches" in line and "make it shorter" not in line
        assert line.endswith(f"{RESUME}fewer --points or --samples")  # (what a resume can do)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.slow
def test_landscape_of_a_config_warns_of_a_key_with_no_effect_as_train_does(tmp_path):
    """`train`, `lr-scan`, `gradcheck`, sweeps and tune said 'model.init_std has no effect'
    of a config; `landscape` of the same config said nothing. Now it says the same line (even
    with -q), once; of a run trained with that config it says nothing (`train` said it)."""
    idle = ["model.init_std=0.5", "model.dropout=0.2", "model.hidden=[]"]
    trained = invoke("train", CONFIG, *SMALL[:1], *idle, "epochs=1", "-q", runs_dir=tmp_path)
    assert trained.exit_code == 0, trained.stderr
    said = [line for line in trained.stderr.splitlines() if line.startswith("warning:")]
    assert len(said) == 2 and said[0].startswith("warning: model.init_std has no effect")
    args = [*GRID, "--samples", "20", "-q"]
    of_config = invoke("landscape", CONFIG, *SMALL[:1], *idle, *args, runs_dir=tmp_path)
    assert of_config.exit_code == 0, of_config.stderr
    assert [line for line in of_config.stderr.splitlines() if line.startswith("warning")] == said
    of_run = invoke("landscape", "latest", *args, runs_dir=tmp_path)
    assert of_run.exit_code == 0 and "warning" not in of_run.stderr, of_run.stderr


def test_landscape_of_a_run_reads_the_data_folder_the_run_was_trained_on(tmp_path):
    # (the README's 'nnlab landscape latest' after an MNIST run trained with --data-dir: without
    # it again, 'MNIST not found in ~/.cache/nnlab/mnist', as a resume of the run would not say)
    from tests.data.conftest import write_mnist_part

    write_mnist_part(tmp_path / "data" / "mnist", "t10k", 200)
    runs = str(tmp_path / "runs")
    args = ["dataset.name=mnist", "dataset.n_train=100", "dataset.n_test=50", "model.hidden=[8]"]
    args += ["epochs=1"]
    trained = invoke(
        "train", CONFIG, *args, "--data-dir", tmp_path / "data", "--runs-dir", runs, "-q"
    )
    assert trained.exit_code == 0, trained.output
    result = invoke("landscape", "latest", *GRID, "--runs-dir", runs, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["grid"]["computed"] == 25
