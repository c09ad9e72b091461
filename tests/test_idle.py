"""Settings that change nothing (``nnlab.idle``): a key set whose value the run never reads is
said in a warning, and a sweep over one is said to change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab.config import load_config
from nnlab.config_model import Config
from nnlab.idle import idle_keys, sweep_warnings, uses_std
from nnlab.nn.registry import INITS
from tests.conftest import invoke

CFG = """\
name: tiny
dataset: {name: digits, n_train: 100, n_test: 50}
model: {hidden: [8]}
optimizer: {name: sgd, lr: 0.1}
batch_size: 50
epochs: 1
"""


def config(**model) -> Config:
    return Config.model_validate({"model": model})


def test_only_the_initialisers_that_read_init_std_use_it():
    assert {name for name in INITS if uses_std(name)} == {"std"}


@pytest.mark.parametrize(
    ("model", "idle"),
    [
        ({"init": "he", "init_std": 0.5}, {"model.init_std"}),
        ({"init": "xavier", "init_std": 0.5}, {"model.init_std"}),
        ({"init": "std", "init_std": 0.5}, set()),
        ({"init": "he", "init_std": 0.01}, set()),  # (the default, written out: no surprise)
        ({"init": "he"}, set()),
        (
            {"hidden": [], "dropout": 0.3, "batchnorm": True, "activation": "tanh"},
            {"model.dropout", "model.batchnorm", "model.activation"},
        ),  # fmt: skip
        ({"hidden": [], "dropout": 0.0, "batchnorm": False, "activation": "relu"}, set()),
        ({"hidden": [4], "dropout": 0.3, "batchnorm": True, "activation": "tanh"}, set()),
    ],
)
def test_idle_keys_names_each_key_given_that_its_run_never_reads(model, idle):
    found = idle_keys(config(**model))
    assert set(found) == idle
    if "model.init_std" in found:
        assert found["model.init_std"].startswith(f"model.init is {model['init']},")


def test_a_sweep_over_an_idle_key_is_said_to_change_nothing_unless_what_decides_is_swept():
    def config_of(model: dict):
        return lambda: Config.model_validate({"model": model})

    (line,) = sweep_warnings(["model.init_std"], config_of({"init": "he"}))
    assert line.startswith("warning: varying model.init_std changes nothing: model.init is he")
    assert sweep_warnings(["model.init_std", "model.init"], config_of({"init": "he"})) == []
    assert sweep_warnings(["model.init_std"], config_of({"init": "std"})) == []
    (line,) = sweep_warnings(["optimizer.lr"], config_of({"init": "he", "init_std": 0.3}))
    assert line.startswith("warning: model.init_std has no effect: model.init is he")
    assert sweep_warnings(["model.init"], config_of({"init": "he", "init_std": 0.3})) == []
    assert sweep_warnings(["model.init_std"], lambda: Config.model_validate({"epochs": -1})) == []


def test_train_warns_of_a_key_with_no_effect_and_runs(tmp_path):
    (tmp_path / "cfg.yaml").write_text(CFG)
    result = invoke("train", tmp_path / "cfg.yaml", "model.init_std=0.5", "-q", runs_dir=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "warning: model.init_std has no effect: model.init is he, which does not read it "
        "(only model.init=std does)"
    )
    cfg = load_config(Path(tmp_path / "cfg.yaml"), ["model.init=std", "model.init_std=0.5"])
    assert idle_keys(cfg) == {}


def test_a_sweep_says_before_its_trials_that_an_axis_changes_nothing(tmp_path):
    (tmp_path / "cfg.yaml").write_text(CFG)
    args = ("sweep", "grid", tmp_path / "cfg.yaml", "model.init_std=1,0.1", "--dry-run", "-q")
    result = invoke(*args, runs_dir=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "warning: varying model.init_std changes nothing" in result.stderr.splitlines()[0]
    result = invoke(*args, "model.init=std", runs_dir=tmp_path)
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_a_tune_says_before_its_search_that_a_range_changes_nothing(tmp_path):
    (tmp_path / "cfg.yaml").write_text(CFG)
    args = ("tune", tmp_path / "cfg.yaml", "model.init_std=loguniform:1e-3:1", "-n", "2",
            "--epochs", "1", "--dry-run")  # fmt: skip
    result = invoke(*args, runs_dir=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("warning: varying model.init_std changes nothing")
    result = invoke(*args, "model.init=std", runs_dir=tmp_path)
    assert result.exit_code == 0 and "warning" not in result.stderr
