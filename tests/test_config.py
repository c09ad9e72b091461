"""The config schema: defaults, dotted overrides, YAML scalars, to_yaml round trip, hashes, errors."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pydantic
import pytest
import yaml

from nnlab.config import (
    apply_overrides,
    config_hash,
    load_config,
    parse_override,
    read_yaml,
    to_data,
    to_yaml,
    validate,
)
from nnlab.config_model import Config, optimizer_settings
from nnlab.data.datasets import BlobsData, DigitsData, Hdf5Data, SpiralData
from nnlab.errors import ConfigError

CONFIGS = Path(__file__).resolve().parents[1] / "configs"

MOMENTUM_FILE = """\
name: quick
optimizer:
  name: momentum
  lr: 0.05
  momentum: 0.8
epochs: 4
"""


def write(tmp_path: Path, text: str, name: str = "cfg.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(raw: dict) -> str:
    with pytest.raises(ConfigError) as info:
        validate(raw, source="cfg.yaml")
    return str(info.value)


# ----------------------------------------------------------------------------- defaults
def test_no_file_and_no_overrides_gives_the_schema_defaults():
    cfg = load_config(None)
    assert cfg == Config()
    assert cfg.name == "run" and cfg.seed == 0 and cfg.dtype == "float32"
    assert cfg.dataset == DigitsData() and cfg.dataset.n_test == 297
    assert cfg.optimizer == optimizer_settings("sgd")(lr=0.1)
    assert cfg.model.hidden == [100] and cfg.model.activation == "relu" and cfg.model.init == "he"
    assert cfg.loss == "softmax_ce" and cfg.weight_decay == 0.0
    assert cfg.batch_size == 100 and cfg.epochs == 10 and cfg.eval == ["train", "test"]


def test_a_file_names_only_what_it_changes(tmp_path):
    cfg = load_config(write(tmp_path, "epochs: 3\nmodel:\n  dropout: 0.5\n"))
    assert cfg.epochs == 3 and cfg.model.dropout == 0.5
    assert cfg.model.hidden == [100] and cfg.optimizer == Config().optimizer


def test_an_empty_mapping_is_all_defaults_and_an_empty_file_is_refused(tmp_path):
    """'{}' asks for every default; a file with no document (a truncated or unsaved one, or
    comments only) is refused: it trained every default and exited 0."""
    assert load_config(write(tmp_path, "{}  # every default\n")) == Config()
    with pytest.raises(ConfigError, match="empty .blanks, comments or null only.; expected a"):
        load_config(write(tmp_path, "# nothing but a comment\n"))


def test_config_is_frozen():
    with pytest.raises(pydantic.ValidationError):
        Config().epochs = 3  # type: ignore[misc]


def test_dataset_variants_have_their_own_split_defaults():
    assert DigitsData().n_test == 297
    assert SpiralData().n_test is None and SpiralData().normalize == "none"  # a fifth held out
    assert BlobsData().n_test is None
    with pytest.raises(pydantic.ValidationError):
        Hdf5Data()  # train_file is required


# ----------------------------------------------------------------------------- overrides
def test_overrides_set_nested_keys_and_parse_values_as_yaml(tmp_path):
    cfg = load_config(
        write(tmp_path, MOMENTUM_FILE),
        ["optimizer.lr=0.2", "model.hidden=[50, 20]", "model.batchnorm=true", "batch_size=full"],
    )
    assert cfg.optimizer == optimizer_settings("momentum")(lr=0.2, momentum=0.8)
    assert cfg.model.hidden == [50, 20] and cfg.model.batchnorm is True
    assert cfg.batch_size == "full"


def test_overrides_create_keys_the_file_does_not_have(tmp_path):
    cfg = load_config(write(tmp_path, "epochs: 2\n"), ["model.dropout=0.25", "dataset.n_val=100"])
    assert cfg.model.dropout == 0.25
    assert cfg.dataset == DigitsData(n_val=100)  # a missing dataset starts from the default


def test_override_into_a_default_optimizer_keeps_the_default_variant():
    cfg = load_config(None, ["optimizer.lr=0.5"])
    assert cfg.optimizer == optimizer_settings("sgd")(lr=0.5)


def test_switching_optimizer_name_starts_from_the_new_optimizers_defaults(tmp_path):
    path = write(tmp_path, MOMENTUM_FILE)
    cfg = load_config(path, ["optimizer.name=adam"])
    assert (
        cfg.optimizer == optimizer_settings("adam")()
    )  # momentum's 'momentum' key is not carried over


@pytest.mark.parametrize(
    "overrides",
    [["optimizer.name=adam", "optimizer.lr=0.003"], ["optimizer.lr=0.003", "optimizer.name=adam"]],
)
def test_switching_optimizer_applies_other_overrides_on_top_in_any_order(tmp_path, overrides):
    cfg = load_config(write(tmp_path, MOMENTUM_FILE), overrides)
    assert cfg.optimizer == optimizer_settings("adam")(lr=0.003)


def test_naming_the_same_optimizer_keeps_the_files_hyperparameters(tmp_path):
    cfg = load_config(write(tmp_path, MOMENTUM_FILE), ["optimizer.name=momentum"])
    assert cfg.optimizer == optimizer_settings("momentum")(lr=0.05, momentum=0.8)


def test_switching_dataset_name_starts_from_the_new_datasets_defaults():
    cfg = load_config(None, ["dataset.n_test=100", "dataset.name=spiral", "dataset.noise=0.1"])
    assert cfg.dataset == SpiralData(n_test=100, noise=0.1)


def test_the_last_override_of_a_key_wins():
    assert load_config(None, ["epochs=3", "epochs=5"]).epochs == 5


def test_apply_overrides_does_not_modify_its_input():
    raw = {"model": {"hidden": [10]}, "epochs": 2}
    out = apply_overrides(raw, ["model.hidden=[20]", "epochs=3"])
    assert raw == {"model": {"hidden": [10]}, "epochs": 2}
    assert out["model"]["hidden"] == [20] and out["epochs"] == 3


def test_overrides_are_validated_like_the_file():
    with pytest.raises(ConfigError, match="optimizer.lr"):
        load_config(None, ["optimizer.lr=-1"])


# ----------------------------------------------------------------------------- YAML scalars
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a=0.1", 0.1),
        ("a=3", 3),
        ("a=-2", -2),
        ("a=true", True),
        ("a=false", False),
        ("a=null", None),
        ("a=", None),
        ("a=full", "full"),
        ("a='3'", "3"),
        ("a=[1, 2]", [1, 2]),
        ("a=[]", []),
        ("a={x: 1}", {"x": 1}),
        ("a=hello world", "hello world"),
        ("a=x=y", "x=y"),  # only the first '=' separates key from value
    ],
)
def test_override_values_are_parsed_as_yaml_scalars(text, value):
    assert parse_override(text) == (["a"], value)


def test_override_keys_are_split_on_dots_and_stripped():
    assert parse_override(" optimizer.lr =0.5") == (["optimizer", "lr"], 0.5)


def test_exponent_without_a_dot_still_validates_as_a_float():
    # PyYAML (YAML 1.1) reads 1e-3 as a string; pydantic turns it into the float it means.
    assert parse_override("weight_decay=1e-3")[1] == "1e-3"
    cfg = load_config(None, ["weight_decay=1e-3", "optimizer.lr=5e-2"])
    assert cfg.weight_decay == pytest.approx(1e-3) and cfg.optimizer.lr == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epochs: true", "epochs: expected an integer, not a boolean"),
        ("seed: false", "seed: expected an integer, not a boolean"),
        ("weight_decay: yes", "weight_decay: expected a number, not a boolean"),
        ("optimizer: {name: adam, beta2: true}", "optimizer.beta2: expected a number"),
        ("model: {hidden: [100, true]}", "model.hidden: expected a list of integers, not booleans"),
        ("model: {dropout: on}", "model.dropout: expected a number, not a boolean"),
        ("dataset: {name: digits, n_train: true}", "dataset.n_train: expected an integer"),
        ("dataset: {name: spiral, noise: true}", "dataset.noise: expected a number"),
        ("eval_batch_size: true", "eval_batch_size: expected an integer, not a boolean"),
    ],
)
def test_a_boolean_where_a_number_goes_is_refused_naming_the_key(tmp_path, text, message):
    # (pydantic alone reads true as 1: epochs: true trained one epoch)
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text + "\n"))
    key, value = text.split(": ", 1)
    if not value.startswith("{"):  # the same as an override
        with pytest.raises(ConfigError, match=message):
            load_config(None, [f"{key}={value}"])


def test_a_number_for_a_boolean_key_and_booleans_for_boolean_keys_stay_accepted():
    assert load_config(None, ["model.batchnorm=1"]).model.batchnorm is True
    assert load_config(None, ["model.batchnorm=yes"]).model.batchnorm is True
    assert load_config(None, ["batch_size=full"]).batch_size == "full"


def test_a_boolean_in_a_sweep_spec_number_is_refused():
    from nnlab.sweep.spec import parse_spec

    with pytest.raises(ConfigError, match="trials: expected an integer, not a boolean"):
        parse_spec({"kind": "random", "params": {"optimizer.lr": "loguniform:-3:-1"},
                    "trials": True})  # fmt: skip
    with pytest.raises(ConfigError, match="seed: expected an integer, not a boolean"):
        parse_spec({"params": {"optimizer.lr": [0.1]}, "seed": False})


@pytest.mark.parametrize("text", ["epochs", "=3", "a..b=1", ".a=1", "a.=1", "a=[1"])
def test_bad_override_syntax_names_the_override(text):
    with pytest.raises(ConfigError, match="override"):
        parse_override(text)


def test_override_into_a_scalar_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"'epochs.x=1': epochs is a value"):
        load_config(write(tmp_path, "epochs: 2\n"), ["epochs.x=1"])


# ----------------------------------------------------------------------------- to_yaml
ROUND_TRIP = [
    [],
    ["dtype=float64", "batch_size=full", "model.hidden=[]", "loss=bce"],
    ["optimizer.name=adam", "optimizer.beta2=0.99", "optimizer.eps=1e-7"],
    ["optimizer.name=nesterov", "optimizer.lr=1e-5"],
    ["optimizer.name=adagrad"],
    ["optimizer.name=rmsprop", "optimizer.alpha=0.9"],
    ["dataset.name=spiral", "dataset.noise=0.3", "eval=[train]"],
    ["dataset.name=blobs", "dataset.dim=5", "dataset.n_val=30", "eval=[train, val, test]"],
    ["dataset.name=mnist", "dataset.n_train=1000", "dataset.normalize=standardize"],
    ["dataset.name=hdf5", "dataset.train_file=cat/train.h5", "dataset.test_file=null"],
    ["name='yes'", "seed=123", "model.init=std", "model.init_std=0.001", "weight_decay=0.0001"],
    ["name=1e3", "model.activation=tanh", "model.dropout=0.5", "eval_batch_size=7"],
]


@pytest.mark.parametrize("overrides", ROUND_TRIP, ids=lambda o: " ".join(o) or "defaults")
def test_to_yaml_output_loads_back_to_the_same_config(tmp_path, overrides):
    cfg = load_config(None, overrides)
    again = load_config(write(tmp_path, to_yaml(cfg)))
    assert again == cfg
    assert config_hash(again) == config_hash(cfg)


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_load_and_round_trip(tmp_path, path):
    if "sweep" in yaml.safe_load(path.read_text()):  # (a sweep's file: its trials' configs)
        from nnlab.sweep import plan, sweep_from_file

        trials = plan(sweep_from_file(path))
        sizes = {
            "digits-lr-sweep.yaml": (8, 4),
            "digits-shape-sweep.yaml": (6, 6),
            "init-compare-mnist.yaml": (3, 1),
        }  # (BN pairs; the inits share one seed)
        assert (len(trials), len({t.seed for t in trials})) == sizes[path.name]
        return
    cfg = load_config(path)
    assert load_config(write(tmp_path, to_yaml(cfg))) == cfg


def test_to_yaml_writes_every_key_with_the_variant_name_first():
    data = yaml.safe_load(to_yaml(load_config(None, ["optimizer.name=adam"])))
    assert list(data) == list(Config.model_fields)
    assert list(data["optimizer"]) == ["name", "lr", "beta1", "beta2", "eps"]
    assert list(data["dataset"])[0] == "name"
    assert set(data["model"]) == set(Config.model_fields["model"].annotation.model_fields)


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["optimizer.name=adam", "optimizer.eps=1e-12"],
        ["dataset.name=spiral", "model.hidden=[]", "seed=8"],
    ],
)
def test_to_data_is_the_config_as_its_yaml_holds_it(overrides):
    """``to_data``: config.yaml's data (what ``train --print-config -f json`` prints), in its
    order, a section's name first: the YAML read back, to the key and the value."""
    cfg = load_config(None, overrides)
    data = to_data(cfg)
    assert data == yaml.safe_load(to_yaml(cfg))
    assert json.dumps(data) == json.dumps(yaml.safe_load(to_yaml(cfg)))  # (the order too)
    assert list(data["optimizer"])[0] == list(data["dataset"])[0] == "name"


# ----------------------------------------------------------------------------- config_hash
def test_config_hash_is_stable_and_short():
    cfg = load_config(None, ["epochs=3"])
    assert config_hash(cfg) == config_hash(load_config(None, ["epochs=3"]))
    assert len(config_hash(cfg)) == 8 and int(config_hash(cfg), 16) >= 0
    assert len(config_hash(cfg, length=12)) == 12


def test_config_hash_is_sha256_of_the_key_sorted_json():
    data = {"b": 1, "a": [1, 2]}
    expected = hashlib.sha256(json.dumps({"a": [1, 2], "b": 1}).replace(" ", "").encode())
    assert config_hash(data) == expected.hexdigest()[:8]
    assert config_hash({"a": [1, 2], "b": 1}) == config_hash(data)


def test_config_hash_ignores_how_the_config_was_written(tmp_path):
    from_file = load_config(write(tmp_path, "epochs: 3\noptimizer:\n  name: sgd\n  lr: 0.1\n"))
    from_overrides = load_config(None, ["epochs=3"])
    assert config_hash(from_file) == config_hash(from_overrides)


@pytest.mark.parametrize(
    "change", ["seed=1", "optimizer.lr=0.2", "model.hidden=[100, 10]", "name=x"]
)
def test_config_hash_changes_with_any_key(change):
    assert config_hash(load_config(None, [change])) != config_hash(Config())


def test_config_hash_leaves_out_a_later_key_at_its_default_only():
    """Keys added after ids were first recorded (``final_eval``) keep earlier hashes."""
    data = Config().model_dump(mode="json")
    assert data["final_eval"] == []
    before = {k: v for k, v in data.items() if k != "final_eval"}
    assert config_hash(Config()) == config_hash(before) == config_hash(data)
    assert config_hash(load_config(None, ["final_eval=[test]", "eval=[train]"])) != config_hash(
        load_config(None, ["eval=[train]"])
    )


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"epoch": 5}, "unknown key 'epoch' (did you mean 'epochs'?)"),
        (
            {"optimizer": {"name": "sgd", "lrr": 0.1}},
            "unknown key 'optimizer.lrr' (did you mean 'optimizer.lr'?)",
        ),
        ({"model": {"hiden": [10]}}, "unknown key 'model.hiden' (did you mean 'model.hidden'?)"),
        (
            {"dataset": {"name": "digits", "n_trian": 10}},
            "unknown key 'dataset.n_trian' (did you mean 'dataset.n_train'?)",
        ),
        ({"weightdecay": 0.1}, "unknown key 'weightdecay' (did you mean 'weight_decay'?)"),
        (
            {"optimizer": {"name": "adama"}},
            "optimizer.name: unknown 'adama' (did you mean 'adam'?)",
        ),
        ({"dataset": {"name": "mnits"}}, "dataset.name: unknown 'mnits' (did you mean 'mnist'?)"),
    ],
)
def test_typos_get_a_did_you_mean(raw, expected):
    assert error_of(raw).startswith(f"cfg.yaml: {expected}")


def test_a_choice_in_capitals_is_suggested_for_a_typo_in_any_case():
    # (runs list --status complete said only "expected one of RUNNING, COMPLETED, ...", where
    # --kind swep was told 'sweep': the suggestion compared lower case with capitals)
    from nnlab.errors import did_you_mean, not_one_of
    from nnlab.experiments.listing import LIST_STATUSES

    assert not_one_of("--status", "complete", LIST_STATUSES).endswith(
        ", got 'complete' (did you mean 'COMPLETED'?)"
    )
    assert did_you_mean("diverge", ["COMPLETED", "DIVERGED"]) == " (did you mean 'DIVERGED'?)"
    assert did_you_mean("adama", ["sgd", "adam"]) == " (did you mean 'adam'?)"
    assert did_you_mean("xyz", ["COMPLETED"]) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"model": {"use_batchnorm": True}},
            "unknown key 'model.use_batchnorm' (did you mean 'model.batchnorm'?)",
        ),
        ({"optimizer": {"name": "sgd", "learning_rate": 0.1}}, "(did you mean 'optimizer.lr'?)"),
        ({"learning_rate": 0.1}, "unknown key 'learning_rate' (did you mean 'optimizer.lr'?)"),
        ({"weight_init_std": 0.01}, "(did you mean 'model.init_std'?)"),
        ({"model": {"hidden_size_list": [100]}}, "(did you mean 'model.hidden'?)"),
        ({"model": {"dropout_ration": 0.5}}, "(did you mean 'model.dropout'?)"),
        ({"weight_decay_lambda": 0.1}, "(did you mean 'weight_decay'?)"),
        ({"model": {"bn": True}}, "(did you mean 'model.batchnorm'?)"),
    ],
)
def test_the_books_names_for_keys_are_answered_with_ours(raw, expected):
    # DLFS's MultiLayerNetExtend(hidden_size_list, weight_init_std, use_batchnorm, ...): the
    # line listed the section's valid keys, or suggested none, for a name a reader of the book
    # tries first
    assert expected in error_of(raw)


def test_a_torch_key_nnlab_has_none_of_is_answered_with_what_it_has_instead():
    # (betas was told 'did you mean optimizer.beta2?', half of it; nesterov, scheduler and
    # device only the section's valid keys, leaving a torch user to guess)
    betas = error_of({"optimizer": {"name": "sgd", "betas": [0.9, 0.99]}})
    assert betas.endswith("(torch's betas=(b1, b2) are adam's optimizer.beta1 and optimizer.beta2)")
    nesterov = error_of({"optimizer": {"name": "momentum", "nesterov": True}})
    assert nesterov.endswith("(torch's SGD(nesterov=True) is the optimizer named nesterov)")
    for raw in (
        {"scheduler": {"name": "step"}},
        {"optimizer": {"name": "sgd", "lr_scheduler": "cosine"}},
    ):
        said = "(nnlab has no learning-rate schedule: the rate is constant through a run)"
        assert error_of(raw).endswith(said)
    dampening = error_of({"optimizer": {"name": "momentum", "dampening": 0.1}})
    assert dampening.endswith("(nnlab's momentum is torch's at its default dampening, 0)")
    assert error_of({"device": "cuda"}).endswith(
        "(nnlab has no device: it trains with NumPy on the CPU)"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"model": {"init": "kaiming"}}, "got 'kaiming' ('he' is nnlab's name for 'kaiming')"),
        ({"model": {"init": "kaiming_normal_"}}, "('he' is nnlab's name for 'kaiming_normal_')"),
        ({"model": {"init": "glorot_uniform"}}, "('glorot' is nnlab's name for 'glorot_uniform')"),
        # (torch's xavier_normal_ is Glorot's sqrt(2 / (n_in + n_out)): it was told 'xavier',
        # nnlab's name for the book's sqrt(1 / n_in), 0.0357 against 0.0476 for 784 x 100)
        ({"model": {"init": "xavier_normal_"}}, "('glorot' is nnlab's name for 'xavier_normal_')"),
        ({"model": {"init": "xavier_uniform"}}, "('glorot' is nnlab's name for 'xavier_uniform')"),
        ({"model": {"activation": "logistic"}}, "('sigmoid' is nnlab's name for 'logistic')"),
        ({"loss": "Cross Entropy"}, "('softmax_ce' is nnlab's name for 'Cross Entropy')"),
        ({"model": {"init": "He"}}, "got 'He' (did you mean 'he'?)"),  # (in lower case)
    ],
)
def test_a_name_another_library_gives_is_answered_with_ours(raw, expected):
    assert expected in error_of(raw)


def test_unknown_key_without_a_close_match_lists_the_valid_keys_and_the_variants_that_take_it():
    # (the valid keys alone left the optimizer that has a momentum unsaid)
    message = error_of({"optimizer": {"name": "sgd", "momentum": 0.9}})
    assert message == (
        "cfg.yaml: unknown key 'optimizer.momentum'; valid keys here: name, lr "
        "(momentum is a key of optimizer.name=momentum or nesterov)"
    )
    message = error_of({"optimizer": {"name": "sgd", "eps": 1e-6}})
    assert message.endswith("(eps is a key of optimizer.name=adagrad, rmsprop or adam)")
    message = error_of({"dataset": {"name": "digits", "noise": 0.1}})
    assert message.endswith("; valid keys here: n_train, n_val, n_test, normalize, split_seed, "
                            "name (noise is a key of dataset.name=spiral)")  # fmt: skip
    message = error_of({"optimizer": {"name": "sgd", "foo": 1}})
    assert message == "cfg.yaml: unknown key 'optimizer.foo'; valid keys here: name, lr"


@pytest.mark.parametrize(
    ("raw", "meant"),
    [
        ({"model": {"weight_decay": 0.1}}, "weight_decay"),  # (DLFS's MultiLayerNet's argument)
        ({"optimizer": {"name": "sgd", "weight_decay": 0.1}}, "weight_decay"),  # (torch.optim's)
        ({"model": {"lr": 0.1}}, "optimizer.lr"),
        ({"optimizer": {"name": "adam", "batch_size": 32}}, "batch_size"),
        ({"model": {"epochs": 3}}, "epochs"),
        ({"dataset": {"name": "digits", "hidden": [10]}}, "model.hidden"),
    ],
)
def test_a_key_given_in_another_section_than_its_own_is_answered_with_its_place(raw, meant):
    # (it listed the section's valid keys, which do not hold it: 'unknown key
    # 'model.weight_decay'; valid keys here: hidden, activation, ...')
    assert error_of(raw).endswith(f" (did you mean {meant!r}?)")


def test_unknown_optimizer_lists_the_choices():
    message = error_of({"optimizer": {"name": "lbfgs"}})
    assert "optimizer.name: unknown 'lbfgs'" in message
    assert "expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam" in message


@pytest.mark.parametrize(
    ("raw", "key", "shown"),
    [
        ({"epochs": "abc"}, "epochs", "'abc'"),
        ({"seed": -1}, "seed", "-1"),
        ({"optimizer": {"name": "sgd", "lr": -0.1}}, "optimizer.lr", "-0.1"),
        ({"optimizer": {"name": "adam", "beta1": 1.0}}, "optimizer.beta1", "1.0"),
        ({"model": {"dropout": 1.0}}, "model.dropout", "1.0"),
        ({"model": {"hidden": [10, 0]}}, "model.hidden.1", "0"),
        ({"model": {"activation": "gelu"}}, "model.activation", "'gelu'"),
        ({"dtype": "float16"}, "dtype", "'float16'"),
        ({"batch_size": "huge"}, "batch_size", "'huge'"),
        ({"batch_size": 0}, "batch_size", "0"),
        ({"dataset": {"name": "digits", "n_train": 0}}, "dataset.n_train", "0"),
        ({"model": 3}, "model", "3"),
    ],
)
def test_wrong_values_name_the_key_and_show_the_input(raw, key, shown):
    message = error_of(raw)
    assert message.startswith(f"cfg.yaml: {key}:"), message
    assert shown in message
    assert "\n" not in message


def test_eval_val_without_a_val_split_is_explained():
    message = error_of({"eval": ["train", "val"]})
    assert message == "cfg.yaml: eval: 'val' is listed but dataset.n_val is 0"


def test_final_eval_is_checked_like_eval_and_a_split_in_both_is_evaluated_every_epoch():
    assert error_of({"final_eval": ["val"]}) == (
        "cfg.yaml: final_eval: 'val' is listed but dataset.n_val is 0"
    )
    assert error_of({"final_eval": ["test", "test"]}) == (
        "cfg.yaml: final_eval: a split is listed twice"
    )
    assert "final_eval" in error_of({"final_eval": ["tests"]})
    cfg = load_config(None, ["eval=[train]", "final_eval=[train, test]"])
    assert cfg.final_only == ["test"] and cfg.splits == ["train", "test"]


def test_malformed_yaml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "epochs: 3\nmodel: [1, 2\n")
    with pytest.raises(ConfigError) as info:
        read_yaml(path)
    assert str(info.value).startswith(f"{path}: line ")
    assert "malformed YAML" in str(info.value)


def test_yaml_that_is_not_a_mapping_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match="expected a mapping of config keys, got list"):
        read_yaml(write(tmp_path, "- epochs\n- 3\n"))


def test_missing_config_file_and_folder_are_named(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("override", "hint"),
    [
        ("dataset.name=MNIST", "(did you mean 'mnist'?)"),
        ("model.activation=ReLU", "(did you mean 'relu'?)"),
        ("model.init=He", "(did you mean 'he'?)"),
        ("optimizer.name=Adam", "(did you mean 'adam'?)"),
    ],
)
def test_a_name_in_other_case_is_answered_with_the_name(override, hint):
    with pytest.raises(ConfigError) as info:
        load_config(None, [override])
    assert hint in str(info.value)


def test_an_empty_value_between_commas_of_a_sweep_axis_is_refused():
    # (optimizer.lr=0.1, made a trial with optimizer.lr=None, refused later as "not a number")
    from nnlab.sweep.spec import parse_sweep_args

    for text in ("optimizer.lr=0.1,", "optimizer.lr=0.1,,0.2", "optimizer.lr=,0.1"):
        with pytest.raises(ConfigError, match="has an empty value between commas"):
            parse_sweep_args([text])
    assert parse_sweep_args(["optimizer.lr=0.1,null"])[0] == {"optimizer.lr": [0.1, None]}


def test_a_random_sweep_file_without_trials_names_the_key_to_set():
    from nnlab.sweep.spec import parse_spec

    with pytest.raises(ConfigError, match=r"sweep.trials in a sweep file, --trials N"):
        parse_spec({"kind": "random", "params": {"optimizer.lr": "loguniform:-3:-1"}})


# ----------------------------------------------------------------------------- fuzz
# wrong YAML at a key: a list where a mapping or number goes, a mapping where a number goes,
# null, text, a float for an integer, a boolean, and a variant's name that is not a name
WRONG = [[1, 2], {"a": 1}, None, "text", 1.5, True, [], [{"a": 1}], {"name": [1]}]


def key_paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every key and list item under ``node``, as a path of keys and indexes."""
    if isinstance(node, dict):
        items = list(node.items())
    else:
        items = list(enumerate(node)) if isinstance(node, list) else []
    return [p for k, v in items for p in [(*prefix, k), *key_paths(v, (*prefix, k))]]


def with_value(raw: dict, path: tuple, value: object) -> dict:
    out = json.loads(json.dumps(raw))
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


@pytest.mark.slow
def test_wrong_yaml_at_any_key_of_a_config_is_one_error_line_in_train_and_sweep(
    tmp_path, monkeypatch
):
    """Every key and list item of the quick-start config (and a new key at the top and in a
    section), set to each of ``WRONG``: either accepted, or refused by ``train`` and by
    ``sweep grid`` in one line naming the key (exit 2), before any folder exists; never an
    'unexpected' error (a list or mapping as ``optimizer.name`` was: 'unhashable type')."""
    import contextlib

    from tests.conftest import invoke_many, one_error_line

    monkeypatch.setattr("nnlab.cli.sweep.early_painters", lambda n: contextlib.nullcontext())
    base = yaml.safe_load((CONFIGS / "digits-quickstart.yaml").read_text())
    paths = [*key_paths(base), ("extra",), ("model", "extra")]
    cfg, runs_dir, refused = tmp_path / "cfg.yaml", tmp_path / "runs", 0
    for path in paths:
        for value in WRONG:
            cfg.write_text(yaml.safe_dump(with_value(base, path, value)))
            result = invoke_many("train", cfg, "--print-config")
            if result.exit_code == 0:  # (e.g. a name that is text)
                continue
            refused += 1
            where = (path, value)
            assert str(path[0]) in one_error_line(result), where
            result = invoke_many(
                "sweep", "grid", cfg, "weight_decay=0,0.001", "--runs-dir", runs_dir
            )
            assert str(path[0]) in one_error_line(result), where
            assert not runs_dir.exists(), where
    assert refused > 150


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("model.init_std=null", "model.init_std: input should be a valid number, got null"),
        ("model.hidden=true", "e.g. model.hidden=[true], got true"),
        ("model.batchnorm=[1]", "model.batchnorm: input should be a valid boolean, got [1]"),
    ],
)
def test_an_error_quotes_the_value_as_the_config_spells_it(override, message):
    with pytest.raises(ConfigError) as err:
        load_config(None, [override])
    assert message in str(err.value) and "None" not in str(err.value)


@pytest.mark.parametrize(
    ("override", "why"),
    [
        ("name=@x", "(found character that cannot start any token; text that starts with it, "
         "'@', is written in quotes)"),
        ("epochs=*a", "(found undefined alias; text that starts with it, '*', is written in "
         "quotes)"),
        ("name=a\x01b", "(control characters are not allowed)"),
        ("epochs=1:30", "(1:30 is a base-60 (sexagesimal) number in YAML 1.1, read as 90; write "
         "the number meant, or '1:30' in quotes for text)"),
        ("model.hidden=[100,100", "(a '[' without its ']')"),
    ],
)  # fmt: skip
def test_an_override_that_is_not_yaml_says_why(override, why):
    # (it said only "the value '@x' is not valid YAML", a control character likewise)
    with pytest.raises(ConfigError) as err:
        load_config(None, [override])
    assert str(err.value).endswith(f"is not valid YAML {why}"), str(err.value)


HUGE = "9" * 5000  # more digits than Python reads as an integer (sys.get_int_max_str_digits)


@pytest.mark.parametrize(
    "args, says",
    [
        (["seed=" + HUGE], "is not valid YAML (an integer of more than 4,300 digits)"),
        (["seed=" + HUGE[:400]], "seed: input should be less than or equal to 4294967295"),
        (["model.init=" + "x" * 400], "model.init: input should be 'zeros', 'std'"),
        (["dataset.name=" + "x" * 400], "dataset.name: unknown 'xxxx"),
    ],
)
def test_a_huge_value_is_one_short_line_naming_the_key_and_quoting_its_start(args, says):
    """A value thousands of characters long (a pasted array, a runaway script) is quoted by its
    start and length: the error is still one readable line, not a screenful."""
    from tests.conftest import invoke

    result = invoke("train", "configs/digits-quickstart.yaml", *args)
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert "\n" not in line and len(line) < 400, line
    assert says in line and "characters)" in line and "Traceback" not in line


def test_an_integer_too_long_to_read_in_a_file_names_the_file_line_and_column(tmp_path):
    from tests.conftest import invoke

    path = tmp_path / "c.yaml"
    path.write_text(f"name: t\ndataset: {{name: digits}}\nseed: {HUGE}\n")
    for args in (["train", path], ["sweep", "grid", path, "seed=1,2"]):
        result = invoke(*args, "--runs-dir", tmp_path / "r")
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == (
            f"error: {path}: line 3, column 7: malformed YAML: an integer of more than 4,300 digits"
        )
    assert not (tmp_path / "r").exists()


def test_a_huge_swept_value_is_quoted_by_its_start_in_the_trials_error(tmp_path):
    from tests.conftest import invoke

    args = ("sweep", "grid", "configs/digits-quickstart.yaml", "model.init=he," + "x" * 500)
    result = invoke(*args, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert line.startswith("error: sweep trial (model.init=xxx") and len(line) < 300, line
    assert "(500 characters)" in line and "input should be 'zeros'" in line


def test_a_yaml_set_is_refused_not_read_as_a_sorted_list(tmp_path):
    # (!!set {20, 10, 30} became [10, 20, 30]: the layers in another order, without a word)
    path = tmp_path / "set.yaml"
    path.write_text("model:\n  hidden: !!set {20, 10, 30}\n")
    with pytest.raises(ConfigError, match=r"a set \(!!set\) has no order; give a list"):
        load_config(path)
    with pytest.raises(ConfigError, match="model.hidden"):
        load_config(None, ["model.hidden=!!set {20, 10, 30}"])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("epochs: 1e3", "epochs: input should be an integer in digits, such as 1000, got '1e3' "
         "(YAML reads it as text, not as a number)"),
        ("dataset: {name: digits, n_train: 1.0e3}", "dataset.n_train: input should be an "
         "integer in digits, such as 1000, got '1.0e3'"),
        ("epochs: 1e-3", "epochs: input should be a whole number, got '1e-3'"),
        ("epochs: abc", "unable to parse string as an integer, got 'abc'"),
    ],
)  # fmt: skip
def test_an_integer_key_given_a_number_yaml_reads_as_text_says_how_to_write_it(
    tmp_path, text, says
):
    # (YAML 1.1 reads 1e3 and 1.0e3 as text: a float key takes it, an integer key said
    # 'input should be a valid integer, unable to parse string as an integer, got '1e3'')
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_config(write(tmp_path, text + "\n"))
    key = text.split(":")[0] if "{" not in text else "dataset.n_train"
    if key == "epochs":
        with pytest.raises(ConfigError, match=re.escape(says)):
            load_config(None, [f"epochs={text.split(': ')[1]}"])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("null: 2\n", "null: expected a key name (text), got null"),
        ("model: {true: 2}\n", "model.true: expected a key name (text), got true"),
        ("1: 2\n", "1: expected a key name (text), got 1"),
    ],
)
def test_a_key_that_is_not_text_is_named_as_written(tmp_path, text, says):
    """pydantic names a key null 'None' and a key true 1: the line said 'None: keys should be
    strings, got null' and 'model.1: ..., got true'."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert str(info.value).endswith(f"cfg.yaml: {says}"), str(info.value)


def config_models() -> list[type[pydantic.BaseModel]]:
    """Every model a config kind is made of: the run config and its sections, each dataset
    and each optimizer variant, a sweep's section."""
    from nnlab.config_model import Config, ModelConfig, optimizer_settings
    from nnlab.data.registry import DATASETS
    from nnlab.nn.registry import OPTIMIZERS
    from nnlab.sweep.spec import SweepSpec

    optimizers = [optimizer_settings(name) for name in OPTIMIZERS]
    return [Config, ModelConfig, *DATASETS.values(), *optimizers, SweepSpec]


def test_every_number_or_flag_key_of_every_config_kind_refuses_it_quoted():
    # (pydantic's lax mode read epochs: '5' as 5, lr: "0.1" as 0.1, batchnorm: 'yes' as true,
    # silently: the file says text, the key takes a number or a flag)
    from nnlab.schema import numeric, takes_text

    checked = []
    for model in config_models():
        for name, field in model.model_fields.items():
            leaves = repr(field.annotation)
            if takes_text(field.annotation):
                continue
            if numeric(field.annotation):
                quoted = "1"
            elif "bool" in leaves:
                quoted = "yes"
            else:
                continue
            with pytest.raises(pydantic.ValidationError) as caught:
                model.model_validate({name: quoted})
            refused = [e for e in caught.value.errors() if e["loc"][:1] == (name,)]
            assert refused and refused[0]["type"] == "text_for_value", (model, name, refused)
            checked.append(name)
    assert {"epochs", "lr", "batchnorm", "n_train", "trials", "momentum"} <= set(checked)


@pytest.mark.parametrize(
    "text", ["epochs: 1e3", "optimizer: {name: sgd, lr: 1e-3}", "batch_size: full", "name: '5'"]
)
def test_text_yaml_reads_as_text_unquoted_too_keeps_its_reading(tmp_path, text):
    # (YAML 1.1 reads 1e-3 as text, quoted or not: pydantic's reading is the one meant; a key
    # of text takes quoted digits)
    path = tmp_path / "cfg.yaml"
    path.write_text(text + "\n")
    if text.startswith("epochs"):  # (an integer key: said in digits, as before)
        with pytest.raises(ConfigError, match="an integer in digits, such as 1000"):
            load_config(path)
        return
    cfg = load_config(path)
    assert cfg.optimizer.lr == 1e-3 if "lr" in text else cfg.name == "5" or cfg.batch_size == "full"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("adamw", "(AdamW, decoupled weight decay, is not in nnlab; nearest: adam with "
         "weight_decay, an L2 penalty coupled to the gradient, as torch.optim.Adam's "
         "weight_decay)"),
        ("AdamW", "(AdamW, decoupled weight decay, is not in nnlab; nearest: adam with"),
        ("adam_w", "(AdamW, decoupled weight decay, is not in nnlab; nearest: adam with"),
        ("sgdw", "(SGDW, decoupled weight decay, is not in nnlab; nearest: sgd with weight_decay"),
        ("L-BFGS", "(L-BFGS, quasi-Newton with line searches, is not in nnlab; nearest: adam"),
        ("nadam", "(NAdam, Adam with Nesterov momentum, is not in nnlab; nearest: adam, or nesterov)"),
        ("adadelta", "(Adadelta is not in nnlab; nearest: rmsprop, or adagrad)"),
        ("nag", "('nesterov' is nnlab's name for 'nag')"),
    ],
)  # fmt: skip
def test_an_optimizer_nnlab_does_not_offer_is_told_its_nearest_not_a_name_spelt_alike(name, says):
    # (adamw was told 'did you mean adam?': Adam's weight_decay is coupled L2, not AdamW's
    # decoupled decay, so the hint misled a user from torch.optim)
    from nnlab.errors import NOT_OFFERED
    from nnlab.experiments.optimizers.specs import resolve_optimizers
    from nnlab.nn.registry import OPTIMIZERS

    line = error_of({"optimizer": {"name": name}})
    assert line.startswith(f"cfg.yaml: optimizer.name: unknown {name!r} {says}"), line
    assert "did you mean" not in line
    for nearest in (n.split()[0].rstrip(",") for _, n in NOT_OFFERED.values()):
        assert nearest in OPTIMIZERS  # (each names one nnlab has)
    with pytest.raises(ConfigError) as exc:
        resolve_optimizers([name], [], None, {})
    assert f"unknown optimizer {name!r} {says}" in str(exc.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"optimizer": {"name": "sgd", "lr:0.1": None}},
         "unknown key 'optimizer.lr:0.1' (a key is followed by ': ', a colon and a space: lr: 0.1)"),
        ({"model": {"activation:tanh": None}}, "unknown key 'model.activation:tanh' (a key is "
         "followed by ': ', a colon and a space: activation: tanh)"),
        ({"dataset": {"name:mnist": None}}, "dataset.name: missing; expected one of digits, "
         "mnist, hdf5, spiral, blobs ('name:mnist' is one key: a key is followed by ': ', a "
         "colon and a space: name: mnist)"),
        ({"eval": {"train:1": None}}, "eval: input should be a valid list, got {train:1: null} "
         "('train:1' is one key: a key is followed by ': ', a colon and a space: train: 1)"),
    ],
)  # fmt: skip
def test_a_key_glued_to_its_value_in_braces_is_told_the_space_it_lacks(raw, expected):
    # (YAML reads {lr:0.1} as one key 'lr:0.1' of no value: it was an unknown key alone)
    assert error_of(raw) == f"cfg.yaml: {expected}"


@pytest.mark.parametrize(
    "text, word",
    [
        ("model: {hidden:[4]}\n", "hidden:[4]"),
        ("epochs: 1\nmodel: {hidden: [4], batchnorm: true}\ndataset: {n_train:[30]}\n",
         "n_train:[30]"),
        ("optimizer: {name: sgd, lr:{a: 1}}\n", "lr:{a: 1}"),
        ("sweep: {params: {seed:[1, 2]}}\n", "seed:[1, 2]"),
        ("model: {hidden:[4, [5]], activation: relu}\n", "hidden:[4, [5]]"),
    ],
)  # fmt: skip
def test_a_key_glued_to_a_bracket_in_braces_is_told_the_space_it_lacks_in_any_section(
    tmp_path, text, word
):
    # (PyYAML stops at the colon, 'found unexpected ':'', where {name:adam} reads as one key)
    (path := tmp_path / "cfg.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, [])
    key, value = word.split(":", 1)
    assert str(info.value).endswith(
        f"malformed YAML: {word!r} has no space after its colon (a key is "
        f"followed by ': ', a colon and a space: {key}: {value})"
    ), info.value
    with pytest.raises(ConfigError) as info:  # (an override's value: the same words)
        load_config(None, [f"model={{{word}}}"])
    assert f"{word!r} has no space after its colon" in str(info.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_a_config_in_utf16_or_utf32_is_said_so(tmp_path, encoding):
    # (with a byte-order mark it was 'not a text file', without one 'unacceptable character
    # #x0000'); a binary file is still not a text file
    (path := tmp_path / "cfg.yaml").write_bytes("epochs: 1\nname: caf\u00e9\n".encode(encoding))
    width = "UTF-32" if "32" in encoding else "UTF-16"
    with pytest.raises(ConfigError) as info:
        load_config(path, [])
    assert (
        str(info.value) == f"{path}: {width} text; expected YAML in UTF-8 (save the file as UTF-8)"
    )
    (path := tmp_path / "bin.yaml").write_bytes(b"\x89HDF\r\n\x1a\n\x00\x00\x00\x00\xff\xfe")
    with pytest.raises(ConfigError, match="not a text file"):
        load_config(path, [])


@pytest.mark.parametrize("key", ["include", "defaults", "$ref", "extends", "imports"])
def test_a_key_that_would_take_keys_from_another_file_says_a_config_is_one_file(key):
    assert error_of({key: "base.yaml"}).startswith(
        f"cfg.yaml: unknown key {key!r} (a config includes no other file: give the keys here"
    )


@pytest.mark.parametrize("text", ["-q", "--threads", "--threads=2", "-j2"])
def test_an_option_among_overrides_or_sweep_arguments_is_said_to_be_one(text):
    # (given after '--': 'expected key.sub=value', or 'unknown key '--threads'')
    from nnlab.sweep.spec import parse_sweep_args

    with pytest.raises(ConfigError, match=f"override '{text}': an option after '--'"):
        apply_overrides({}, [text])
    with pytest.raises(ConfigError, match=f"argument '{text}': an option after '--'"):
        parse_sweep_args(["seed=1,2", text])
    with pytest.raises(ConfigError, match="expected key.sub=value"):
        apply_overrides({}, ["-1"])  # (a number, not an option)


@pytest.mark.parametrize(
    "override, warning",
    [
        ("model={}", "the file's hidden and activation take their defaults"),
        ("model={activation: relu}", "the file's hidden takes its default"),
        ("optimizer={name: sgd}", "the file's lr takes its default"),
        ("optimizer={name: adam}", None),  # (a switch starts afresh, as optimizer.name=adam)
        ("model={hidden: [8], activation: relu}", None),
        ("model.hidden=[8]", None),
    ],
)
def test_an_override_that_replaces_a_section_the_file_set_says_which_keys_it_drops(
    tmp_path, override, warning
):
    # (model={} silently put the file's hidden [4] and tanh back to [100] and relu)
    from nnlab.idle import load_config_warned

    path = write(
        tmp_path, "model: {hidden: [4], activation: tanh}\noptimizer: {name: sgd, lr: 0.5}\n"
    )
    said: list[str] = []
    load_config_warned(path, [override], said.append)
    section = override.partition("=")[0].partition(".")[0]
    assert said == (
        []
        if warning is None
        else [
            f"warning: override {override!r}: replaces the whole {section} section: {warning} "
            f"({section}.KEY=VALUE sets one key and keeps the others)"
        ]
    )
