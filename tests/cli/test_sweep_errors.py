"""Whose error it is: a sweep's config error in its base config (the file, or a fixed override)
is named as ``nnlab train`` names it, in every way a sweep starts (grid, random, a file's
``sweep:`` section, a preset, ``--resume``, ``tune``); only an error a swept value makes is
blamed on a trial, by its values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from nnlab.plans import content_hash
from tests.cli.test_sweep_cli import TINY as SWEEP_TINY
from tests.conftest import invoke, one_error_line

TINY = {**SWEEP_TINY, "epochs": 1}  # (the sweep tests' tiny config, one epoch)
TINY.pop("eval")
BAD_INIT = "model.init: input should be 'zeros', 'std', 'xavier', 'glorot' or 'he', got 'bogus'"


def write(tmp_path: Path, name: str = "base.yaml", **changes) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({**TINY, **changes}))
    return path


def refused(tmp_path: Path, *args) -> str:
    """The one error line of ``nnlab ARGS``, which must have made no folder."""
    line = one_error_line(invoke(*args, runs_dir=tmp_path / "runs"))
    assert not (tmp_path / "runs").exists()
    return line


def train_says(tmp_path: Path, config: Path, *overrides: str) -> str:
    return refused(tmp_path, "train", config, *overrides)


@pytest.mark.parametrize(
    "sweep",
    [
        ["grid", "optimizer.lr=0.1,0.2"],
        ["random", "optimizer.lr=uniform:0.1:0.2", "--trials", "2"],
    ],
    ids=["grid", "random"],
)
def test_a_bad_key_in_the_base_file_is_named_by_the_file_as_train_names_it(tmp_path, sweep):
    base = write(tmp_path, model={"hidden": [16], "init": "bogus"})
    kind, *args = sweep
    line = refused(tmp_path, "sweep", kind, base, *args)
    assert line == f"error: {base}: {BAD_INIT}" == train_says(tmp_path, base)


def test_a_misspelt_key_in_the_base_file_is_the_files(tmp_path):
    base = write(tmp_path, modle={"hidden": [16]})
    line = refused(tmp_path, "sweep", "grid", base, "optimizer.lr=0.1,0.2")
    assert line == f"error: {base}: unknown key 'modle' (did you mean 'model'?)"
    assert line == train_says(tmp_path, base)


def test_a_bad_key_in_a_files_sweep_section_run_is_the_files(tmp_path):
    spec = {"kind": "grid", "params": {"optimizer.lr": [0.1, 0.2]}}
    config = write(tmp_path, model={"hidden": [16], "init": "bogus"}, sweep=spec)
    assert refused(tmp_path, "sweep", "run", config) == f"error: {config}: {BAD_INIT}"


def test_a_bad_fixed_override_is_named_as_train_names_it(tmp_path):
    base = write(tmp_path)
    line = refused(tmp_path, "sweep", "grid", base, "optimizer.lr=0.1,0.2", "model.init=bogus")
    assert line == f"error: override 'model.init=bogus': {BAD_INIT}"
    assert line == train_says(tmp_path, base, "model.init=bogus")


def test_a_hint_is_written_as_its_source_writes_it_as_train_writes_it(tmp_path):
    # (the base file's hidden: 7 was told 'e.g. model.hidden=[7]', which is no line of a file)
    base = write(tmp_path, model={"hidden": 7})
    line = refused(tmp_path, "sweep", "grid", base, "optimizer.lr=0.1,0.2")
    said = "model.hidden: expected a list in brackets, e.g. {}, got 7"
    assert line == f"error: {base}: {said.format('hidden: [7]')}" == train_says(tmp_path, base)
    base = write(tmp_path)
    line = refused(tmp_path, "sweep", "grid", base, "optimizer.lr=0.1,0.2", "model.hidden=7")
    assert line == f"error: override 'model.hidden=7': {said.format('model.hidden=[7]')}"
    assert line == train_says(tmp_path, base, "model.hidden=7")


def test_a_bad_override_of_a_preset_is_the_overrides(tmp_path):
    line = refused(tmp_path, "sweep", "weight-scale", "model.activation=rleu", "epochs=1")
    assert line.startswith("error: override 'model.activation=rleu': model.activation: ")
    assert "sweep trial" not in line


def test_a_bad_swept_value_is_the_trials_even_when_the_file_has_it_too(tmp_path):
    base = write(tmp_path, model={"hidden": [16], "init": "bogus"})
    line = refused(tmp_path, "sweep", "grid", base, "model.init=bogus,he")
    assert line == f"error: sweep trial (model.init=bogus): {BAD_INIT}"


def test_an_error_a_swept_value_makes_in_another_key_is_the_trials(tmp_path):
    """``eval: [val]`` is fine in the file (n_val 30) and wrong with the swept n_val 0."""
    base = write(tmp_path, dataset={**TINY["dataset"], "n_val": 30}, eval=["train", "val"])
    line = refused(tmp_path, "sweep", "grid", base, "dataset.n_val=30,0")
    assert (
        line == "error: sweep trial (dataset.n_val=0): eval: 'val' is listed but dataset.n_val is 0"
    )


def test_a_base_complete_only_once_a_swept_key_is_applied_runs(tmp_path):
    """The file alone is invalid (``eval`` lists val, n_val is 0) and so is its init; every
    trial sets both."""
    base = write(tmp_path, model={"hidden": [16], "init": "bogus"}, eval=["train", "val"])
    result = invoke(
        "sweep", "grid", base, "dataset.n_val=20,30", "model.init=he,xavier", "-q",
        runs_dir=tmp_path / "runs",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_a_base_that_cannot_train_on_its_data_is_said_as_train_says_it(tmp_path):
    base = write(tmp_path, batch_size=1000)
    line = refused(tmp_path, "sweep", "grid", base, "optimizer.lr=0.1,0.2")
    assert line == train_says(tmp_path, base)
    assert line.startswith("error: batch_size: 1000 is larger than the training split")
    line = refused(tmp_path, "sweep", "grid", base, "batch_size=30,1000")
    assert line.startswith("error: sweep trial (batch_size=1000): batch_size: 1000 is larger")


def test_tune_with_a_fixed_override_its_data_refuses_is_said_as_train_says_it(tmp_path):
    base = write(tmp_path)
    line = refused(tmp_path, "tune", base, "batch_size=1000", "--trials", "2")
    assert line.startswith("error: batch_size: 1000 is larger than the training split")


def test_resume_of_a_folder_whose_base_is_now_invalid_names_its_sweep_yaml(tmp_path):
    base = write(tmp_path)
    result = invoke("sweep", "grid", base, "optimizer.lr=0.1,0.2", "-q", runs_dir=tmp_path / "r")
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "r").iterdir()
    stored = yaml.safe_load((folder / "sweep.yaml").read_text())
    stored["base"]["model"]["init"] = "bogus"  # (as a name a later nnlab no longer knows)
    (folder / "sweep.yaml").write_text(yaml.safe_dump(stored, sort_keys=False))
    meta = json.loads((folder / "meta.json").read_text())  # (the plan it was made with)
    meta["plan_hash"] = content_hash(stored)
    (folder / "meta.json").write_text(json.dumps(meta))
    line = one_error_line(invoke("sweep", "--resume", folder))
    assert line == f"error: {folder / 'sweep.yaml'}: {BAD_INIT}"


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (  # (every draw was a fraction its validation refused, trial by trial)
            "batch_size=uniform:16:128",
            "batch_size: 'uniform:16:128': its draws are fractions, but this key takes whole "
            "numbers; draw them with randint:16:128 (whole numbers, both ends included)",
        ),
        (
            "dataset.n_train=loguniform:100.5:500",
            "dataset.n_train: 'loguniform:100.5:500': its draws are fractions, but this key "
            "takes whole numbers; draw them with randint:101:500 (whole numbers, both ends "
            "included)",
        ),
        (  # (its hint read: model.hidden=[56.0639462230231])
            "model.hidden=uniform:10:100",
            "model.hidden: 'uniform:10:100': a range gives numbers, but this key takes a list of "
            "int; list the values to try instead, in a sweep (model.hidden=[A],[B])",
        ),
        (
            "model.batchnorm=randint:0:1",
            "model.batchnorm: 'randint:0:1': a range gives numbers, but this key takes a bool; "
            "list the values to try instead, in a sweep (model.batchnorm=A,B)",
        ),
    ],
)
def test_a_draw_its_key_cannot_take_is_refused_naming_what_to_give(tmp_path, param, message):
    base = write(tmp_path)
    line = refused(tmp_path, "sweep", "random", base, param, "--trials", "2")
    assert line == f"error: {message}"
    assert refused(tmp_path, "tune", base, param, "--trials", "2") == line  # (as written)


def test_a_grid_range_over_a_list_key_is_refused_naming_what_to_give(tmp_path):
    # (its trials said: model.hidden: expected a list in brackets, e.g. model.hidden=[10.0])
    base = write(tmp_path)
    line = refused(tmp_path, "sweep", "grid", base, "model.hidden=logspace:1:2:3")
    assert line == (
        "error: model.hidden: 'logspace:1:2:3': a range gives numbers, but this key takes a list "
        "of int; list the values to try instead, in a sweep (model.hidden=[A],[B])"
    )
    ok = invoke("sweep", "grid", base, "batch_size=linspace:16:128:3", "--dry-run")
    assert ok.exit_code == 0, ok.output  # (an integer key's whole values: 16, 72, 128)


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (  # (each trial refused its fraction: sweep trial (batch_size=53.333333333333336): ...)
            "batch_size=linspace:16:128:4",
            "batch_size: 'linspace:16:128:4' (16, 53.33, 90.67, 128): not all whole numbers, but "
            "this key takes whole numbers; give the values batch_size=16,53,91,128 or "
            "linspace:16:128:5 (steps of 28)",
        ),
        (
            "dataset.n_train=logspace:1:2:3",
            "dataset.n_train: 'logspace:1:2:3' (10, 31.62, 100): not all whole numbers, but this "
            "key takes whole numbers; give the values dataset.n_train=10,32,100",
        ),
        (
            "epochs=linspace:1:2:40",
            "epochs: 'linspace:1:2:40' (1, 1.026, 1.051, 1.077, 1.103, 1.128, 1.154, 1.179, ... "
            "(40 values)): not all whole numbers, but this key takes whole numbers; give "
            "linspace:1:2:2 (steps of 1)",
        ),
        (
            "batch_size=16,53.5",
            "batch_size: 16, 53.5: not all whole numbers, but this key takes whole numbers; give "
            "the values batch_size=16,54",
        ),
    ],
)
def test_a_grid_of_fractions_for_an_integer_key_is_refused_naming_whole_values(
    tmp_path, param, message
):
    base = write(tmp_path)
    line = refused(tmp_path, "sweep", "grid", base, param)
    assert line == f"error: {message}"
    assert refused(tmp_path, "sweep", "grid", base, param, "--dry-run") == line
    whole = invoke("sweep", "grid", base, "batch_size=linspace:16:128:8", "--dry-run")
    assert whole.exit_code == 0, whole.output  # (16, 32, ..., 128: its steps are whole)


@pytest.mark.parametrize(
    ("command", "axis", "hint"),
    [
        ("sweep grid", "optimizer.lrr=0.1,0.2", "'optimizer.lr'"),
        ("sweep grid", "model.hiden=[10],[20]", "'model.hidden'"),
        ("sweep grid", "model.use_batchnorm=true,false", "'model.batchnorm'"),
        ("sweep grid", "lr=logspace:-3:-1:3", "'optimizer.lr'"),
        ("sweep random --trials 3", "optimizer.lrr=loguniform:1e-4:1", "'optimizer.lr'"),
        ("tune --trials 3", "optimizer.lrr=loguniform:1e-4:1", "'optimizer.lr'"),
    ],
)
def test_a_swept_key_no_config_has_is_named_by_its_argument_not_blamed_on_a_trial(
    tmp_path, command, axis, hint
):
    # (it read 'sweep trial (optimizer.lrr=0.011150298626945476): unknown key ...', a random
    # draw's value named as if it were the cause)
    words = command.split()
    where = 2 if words[0] == "sweep" else 1  # (the config follows the command's name)
    args = [*words[:where], write(tmp_path), axis, *words[where:]]
    line = refused(tmp_path, *args)
    key = axis.partition("=")[0]
    assert line == f"error: '{axis}': unknown key '{key}' (did you mean {hint}?)"
    assert one_error_line(invoke(*args, "--dry-run")) == line


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "grid", "{cfg}", "lr=0.1,0.2"],
        ["sweep", "random", "{cfg}", "lr=loguniform:1e-4:1", "--trials", "2"],
        ["tune", "{cfg}", "lr=loguniform:1e-4:1", "--trials", "2"],
    ],
    ids=["grid", "random", "tune"],
)
def test_an_unknown_swept_key_is_the_arguments_not_a_trials(tmp_path, args):
    # (it read 'sweep trial (lr=0.035305856304085934): unknown key 'lr'': a value drawn for a
    # key no trial can take, blamed on the first trial)
    cfg = write(tmp_path)
    line = refused(tmp_path, *[str(cfg) if a == "{cfg}" else a for a in args])
    given = next(a for a in args if a.startswith("lr="))
    assert line == f"error: '{given}': unknown key 'lr' (did you mean 'optimizer.lr'?)"
    assert train_says(tmp_path, cfg, "lr=0.1").endswith(line.split(": ", 2)[-1])


def test_a_swept_key_of_another_variant_or_into_a_value_is_the_arguments(tmp_path):
    # (every trial refused 'optimizer.momentum' over sgd, blamed on the first: 'sweep trial
    # (optimizer.momentum=0.5): unknown key ...'; 'epochs.x=1,2' was named as an override
    # 'epochs.x=0' nobody wrote)
    cfg = write(tmp_path, optimizer={"name": "sgd", "lr": 0.1})
    line = refused(tmp_path, "sweep", "grid", cfg, "optimizer.momentum=0.5,0.9")
    assert line == (
        "error: 'optimizer.momentum=0.5,0.9': unknown key 'optimizer.momentum'; valid keys here: "
        "name, lr (momentum is a key of optimizer.name=momentum or nesterov)"
    )
    line = refused(tmp_path, "tune", cfg, "optimizer.beta1=uniform:0.5:0.9", "--trials", "2")
    assert line.startswith("error: 'optimizer.beta1=uniform:0.5:0.9': unknown key")
    line = refused(tmp_path, "sweep", "grid", cfg, "epochs.x=1,2")
    assert line == "error: 'epochs.x=1,2': epochs is a value, not a mapping of keys"
    args = ["sweep", "grid", cfg, "optimizer.name=sgd,adam", "optimizer.momentum=0.5"]
    assert refused(tmp_path, *args) == (  # (no trial takes it: it was sgd's, by its value)
        "error: override 'optimizer.momentum=0.5': no trial of the sweep takes it: unknown key "
        "'optimizer.momentum'; valid keys here: name, lr (momentum is a key of "
        "optimizer.name=momentum or nesterov)"
    )


@pytest.mark.parametrize(
    ("axis", "override"),
    [
        ("optimiser.lr=0.1,0.2", "optimiser.lr=0.1"),
        ("modle.hidden=[10],[20]", "modle.hidden=[10]"),
        ("foo.bar=1,2", "foo.bar=1"),
    ],
)
def test_a_swept_key_with_its_section_misspelled_gets_the_hint_train_gives(
    tmp_path, axis, override
):
    # (it read "'optimiser.lr=0.1,0.2': unknown key 'optimiser.lr'" with no hint: the error
    # of a misspelled section names the section, 'optimiser', which the check passed over)
    cfg = write(tmp_path)
    said = train_says(tmp_path, cfg, override).split(": ", 2)[-1]
    assert said.startswith("unknown key") and ("did you mean" in said or "valid keys" in said)
    assert refused(tmp_path, "sweep", "grid", cfg, axis) == f"error: '{axis}': {said}"
    drawn = axis.partition("=")[0] + "=uniform:0.1:0.2"
    assert refused(tmp_path, "tune", cfg, drawn, "--trials", "2") == f"error: '{drawn}': {said}"


def test_a_sweep_sections_key_of_another_optimizer_is_named_by_the_file(tmp_path):
    # (it was named as an argument nobody gave: "'optimizer.momentum=0.5,0.9': unknown key")
    section = {"kind": "grid", "params": {"optimizer.momentum": [0.5, 0.9]}}
    cfg = write(tmp_path, optimizer={"name": "sgd", "lr": 0.1}, sweep=section)
    assert refused(tmp_path, "sweep", "run", cfg, "--dry-run") == (
        f"error: {cfg}: sweep.params: unknown key 'optimizer.momentum'; valid keys here: "
        "name, lr (momentum is a key of optimizer.name=momentum or nesterov)"
    )
    switched = invoke("sweep", "run", cfg, "optimizer.name=momentum", "--dry-run")
    assert switched.exit_code == 0, switched.output  # (a fixed override makes it a key)
