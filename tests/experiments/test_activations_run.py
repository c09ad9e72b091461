"""``activations --run``: a training run's hidden layers with its initial and trained weights,
checked against a plain NumPy forward pass of its checkpoint's weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnlab.errors import ConfigError
from nnlab.experiments import activations as act
from nnlab.experiments.activations_run import init_label, resume_histograms, run_histograms
from tests.conftest import invoke

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "digits-quickstart.yaml"
TRAIN = ["epochs=2", "model.hidden=[30,20]", "model.activation=tanh", "model.init=xavier"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    done = invoke("train", CONFIG, *TRAIN, "-q", runs_dir=root)
    assert done.exit_code == 0, done.output
    (run,) = root.iterdir()
    return root, run


@pytest.mark.slow
def test_a_runs_trained_layers_are_numpys_forward_pass_of_its_checkpoint(trained):
    root, run = trained
    result = run_histograms(run.name, samples=300, runs_dir=root)
    assert [(r["weights"], r["layer"]) for r in result.rows] == [
        ("initial", 1), ("initial", 2), ("trained", 1), ("trained", 2)
    ]  # fmt: skip
    assert {(r["activation"], r["init"]) for r in result.rows} == {("tanh", "xavier")}
    from nnlab.data import load_dataset
    from nnlab.experiments.train import load_run_config

    cfg = load_run_config(act.runs.RunDir(run))
    x = load_dataset(cfg.dataset, None, cfg.dtype).split("train")[0][:300]
    state = np.load(run / "checkpoint.npz")
    a, want = x, []
    for i in (1, 2):
        a = np.tanh(a @ state[f"param/affine{i}.W"] + state[f"param/affine{i}.b"])
        want.append(a.astype(np.float64))
    got = result.activations[("tanh", "xavier, trained")]
    for layer, (g, w) in enumerate(zip(got, want, strict=True)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)  # (float32, as it trained)
        row = result.rows[2 + layer]
        assert row["mean"] == pytest.approx(w.mean(), abs=1e-6)
        assert row["std"] == pytest.approx(w.std(), rel=1e-5)
    initial = result.activations[("tanh", "xavier, initial")]
    assert initial[0].shape == (300, 30) and not np.allclose(initial[0], got[0])
    summary = json.loads(result.run.file("summary.json").read_text())
    assert summary["hidden"] == [30, 20] and summary["source"].startswith(
        f"run {run.name} (epoch 2"
    )
    assert result.run.meta["source_run"] == str(run)
    title = result.run.file("summary.txt").read_text().splitlines()[0]
    assert title == (
        f"activations of run {run.name} (epoch 2): 2 hidden layers (units 30, 20), "
        "its first 300 train inputs"
    )


@pytest.mark.slow
def test_an_interrupted_runs_histograms_are_redone_from_its_recipe(trained, monkeypatch):
    root, run = trained
    whole = run_histograms(str(run), samples=100, runs_dir=root / "whole")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr("nnlab.experiments.activations_run.write_results", interrupted)
        with pytest.raises(KeyboardInterrupt):
            run_histograms(str(run), samples=100, runs_dir=root / "cut")
    (cut,) = (root / "cut").iterdir()
    again = resume_histograms(str(cut), runs_dir=root / "cut")
    assert again.run.path == cut and again.run.status == "COMPLETED"
    assert again.rows == whole.rows


@pytest.mark.slow
def test_a_config_file_or_a_run_without_hidden_layers_is_refused(trained, tmp_path):
    root, _ = trained
    with pytest.raises(ConfigError, match="is a config file; expected a training run"):
        run_histograms(str(CONFIG), runs_dir=root)
    flat = invoke("train", CONFIG, "epochs=1", "model.hidden=[]", "-q", runs_dir=tmp_path)
    assert flat.exit_code == 0, flat.output
    with pytest.raises(ConfigError, match=r"has no hidden layer \(model.hidden: \[\]\)"):
        run_histograms("latest", runs_dir=tmp_path)


def test_a_configs_init_is_named_as_the_commands_settings():
    assert init_label("std", 1.0) == "std1" and init_label("std", 0.01) == "std0.01"
    assert init_label("he", 0.01) == "he"


@pytest.mark.parametrize(
    ("args", "option"),
    [(["--run", "latest", "--init", "he"], "--init"), (["--run", "x", "--batchnorm"], "--batchnorm"),
     (["--run", "x", "--layers", "3"], "--layers"), (["--data-dir", "."], "--data-dir")],
)  # fmt: skip
def test_options_of_the_net_beside_run_and_data_dir_without_it_are_refused(tmp_path, args, option):
    result = invoke("activations", *args, runs_dir=tmp_path)
    assert result.exit_code == 2
    assert f"error: {option}: " in result.stderr and not any(tmp_path.iterdir())


@pytest.mark.slow  # (its figure drawn twice: 1-4 s)
def test_run_activations_redoes_a_resumed_folder_in_it_saying_so(tmp_path):
    from nnlab import redo
    from nnlab.experiments.activations_run import run_activations
    from tests.test_resumes import interrupted

    first = run_activations(["relu"], ["he"], layers=1, units=4, samples=4, runs_dir=tmp_path)
    interrupted(first.run.path)
    said: list[str] = []
    again = run_activations(resume="latest", runs_dir=tmp_path, say=said.append)
    assert again.run.path == first.run.path and again.run.status == "COMPLETED"
    assert said == [redo.again_line(again.run)] and again.rows == first.rows
    with pytest.raises(ConfigError, match="--run: not with --resume"):
        run_activations(resume="latest", run="latest", runs_dir=tmp_path)


def test_run_activations_writes_a_new_folder_exactly_at_out(tmp_path):
    from nnlab.experiments.activations_run import run_activations

    result = run_activations(["tanh"], ["xavier"], layers=1, units=4, samples=4,
                             runs_dir=tmp_path / "unused", out=tmp_path / "here")  # fmt: skip
    assert result.run.path == tmp_path / "here" and not (tmp_path / "unused").exists()
