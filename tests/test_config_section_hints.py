"""A section (model, optimizer, dataset) given a value: the hint names only keys whose type
takes the value (one: 'did you mean'; several: named, no guess; none: the section's keys), in
the form of where the value was written: an override, a config file's line, a sweep's axis."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab.config_errors import section_hint
from tests.conftest import invoke, one_error_line

KEYS = "model is a section of keys: hidden, activation, init, init_std, batchnorm, dropout"
QUICK = Path(__file__).resolve().parents[1] / "configs" / "digits-quickstart.yaml"


@pytest.mark.parametrize(
    ("key", "value", "hint"),
    [
        ("model", "relu", f" ({KEYS}; did you mean model.activation=relu?)"),
        ("model", "xavier", f" ({KEYS}; did you mean model.init=xavier?)"),
        ("model", True, f" ({KEYS}; did you mean model.batchnorm=true?)"),
        ("model", [100, 100], f" ({KEYS}; did you mean model.hidden=[100, 100]?)"),
        # (a number: the keys of numbers, none guessed; 5 and -1 out of one's range or both's)
        ("model", 5, f" ({KEYS}; init_std and dropout take a number: model.KEY=5)"),
        ("model", -1, f" ({KEYS}; init_std and dropout take a number: model.KEY=-1)"),
        ("model", "foo", f" ({KEYS}; give one as model.KEY=VALUE)"),
        ("optimizer", 0.1, " (optimizer is a section of keys: name, lr; did you mean "
         "optimizer.lr=0.1?)"),
        ("optimizer", "adam", " (by name: optimizer.name=adam)"),
        ("optimizer", True, " (optimizer is a section of keys: name, lr; give one as "
         "optimizer.KEY=VALUE)"),
        ("dataset", "mnist", " (by name: dataset.name=mnist)"),
        ("dataset", 1.5, " (dataset is a section of keys: n_train, n_val, n_test, normalize, "
         "split_seed, name; give one as dataset.KEY=VALUE)"),  # (whole numbers only)
        ("epochs", 5, ""),  # (no section)
    ],
)  # fmt: skip
def test_an_overrides_hint_names_only_keys_whose_type_takes_the_value(key, value, hint):
    assert section_hint(key, value, True) == hint


def test_a_config_files_hint_is_a_line_of_a_file():
    assert section_hint("model", "relu", False).endswith("did you mean model: {activation: relu}?)")
    assert section_hint("model", 5, False).endswith("take a number: model: {KEY: 5})")


def test_a_sweep_axis_hint_is_an_axis_every_value_of_it_taken():
    hint = section_hint("model", None, True, axis=["relu", "tanh"])
    assert hint == f" ({KEYS}; did you mean model.activation=relu,tanh?)"
    assert section_hint("model", None, True, axis=[[10], [20]]).endswith("model.hidden=[10],[20]?)")
    assert section_hint("optimizer", None, True, axis=["sgd", "adam"]) == (
        " (by name: optimizer.name=sgd,adam)"
    )
    # (values no one key takes all of: the section's keys)
    assert section_hint("model", None, True, axis=["relu", "he"]).endswith("model.KEY=VALUE)")
    # (a file's sweep: params entry)
    assert section_hint("model", None, False, axis=["relu", "tanh"]).endswith(
        "did you mean model.activation: [relu, tanh]?)"
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        # (it was each trial's: 'sweep trial (model=relu): ... did you mean model.activation=relu?')
        (["sweep", "grid", QUICK, "model=relu,tanh"],
         f"error: 'model=relu,tanh': model: expected a mapping of keys, got 'relu', 'tanh' "
         f"({KEYS}; did you mean model.activation=relu,tanh?)"),
        (["sweep", "random", QUICK, "-n", "2", "model=relu,tanh"],
         "did you mean model.activation=relu,tanh?)"),
        (["sweep", "grid", QUICK, "optimizer=sgd,adam"], "(by name: optimizer.name=sgd,adam)"),
        # (it said 'a range gives numbers, but this key takes a ModelConfig; ... (model=A,B)')
        (["sweep", "grid", QUICK, "model=linspace:1:3:3"], "give one as model.KEY=VALUE)"),
    ],
)  # fmt: skip
def test_a_section_swept_is_refused_before_any_trial_with_the_axis_meant(args, line, tmp_path):
    result = invoke(*args, runs_dir=tmp_path / "runs")
    assert result.exit_code == 2, result.output
    assert line in one_error_line(result)
    assert not (tmp_path / "runs").exists()


def test_a_files_sweep_section_over_a_section_names_the_params_entry_meant(tmp_path):
    config = tmp_path / "cfg.yaml"
    config.write_text(QUICK.read_text() + "sweep:\n  params:\n    model: [relu, tanh]\n")
    result = invoke("sweep", "run", config, runs_dir=tmp_path / "runs")
    assert result.exit_code == 2, result.output
    assert "did you mean model.activation: [relu, tanh]?)" in one_error_line(result)
