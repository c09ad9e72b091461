"""How a config's numbers are read (docs/config.md says the same): as PyYAML (YAML 1.1) and
pydantic read them, except where that reading is another number than the text seems to be
(``010``, ``1:30``: refused) or hides a difference that is none (``-0.0``: 0.0)."""

from __future__ import annotations

import pytest

from nnlab.config import config_hash, load_config, to_yaml
from nnlab.errors import ConfigError


def load(tmp_path, text):
    path = tmp_path / "cfg.yaml"
    path.write_text(text)
    return load_config(path)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1.0", 1),
        ("3.", 3),
        ("1.0e+3", 1000),
        ("0x10", 16),
        ("0b11", 3),
        ("1_000", 1000),
        ("+3", 3),
        ("-0.0", 0),
        ("-0", 0),
    ],
)
def test_an_integer_key_takes_yaml_11_integers_and_whole_floats_as_integers(
    tmp_path, written, value
):
    cfg = load(tmp_path, f"epochs: {written}\n")
    assert cfg.epochs == value and type(cfg.epochs) is int
    assert f"\nepochs: {value}\n" in to_yaml(cfg)  # (the resolved config says the integer)
    if value:  # (a layer of 0 units is refused)
        hidden = load_config(None, [f"model.hidden=[{written}, 4]"]).model.hidden
        assert hidden == [value, 4] and type(hidden[0]) is int


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("1.5", "epochs: input should be a whole number, got 1.5"),
        ("010", "010 has a leading 0: an octal number in YAML 1.1, read as 8"),
        ("1:30", "1:30 is a base-60 (sexagesimal) number in YAML 1.1, read as 90"),
        ("1e3", "epochs: input should be an integer in digits, such as 1000, got '1e3'"),
        ("0o7", "epochs: input should be a valid integer"),  # (YAML 1.2's octal: text in 1.1)
    ],
)
def test_an_integer_key_refuses_what_reads_as_another_number(tmp_path, written, says):
    with pytest.raises(ConfigError, match=says.replace("(", r"\(").replace(")", r"\)")):
        load(tmp_path, f"epochs: {written}\n")


@pytest.mark.parametrize(
    ("key", "bound"),
    [("seed", "4294967295"), ("epochs", "1000000"), ("dataset.n_train", "10000000")],
)
def test_a_whole_float_past_an_integer_keys_bound_is_said_past_the_bound(key, bound):
    # (1.0e+19 said 'unable to parse input string as an integer, exceeded maximum size')
    with pytest.raises(ConfigError) as caught:
        load_config(None, [f"{key}=1.0e+19"])
    assert f"{key}: input should be less than or equal to {bound}, got " in str(caught.value)
    with pytest.raises(ConfigError, match=r"model.hidden.0: input should be less than or equal"):
        load_config(None, ["model.hidden=[1.0e+19]"])


@pytest.mark.parametrize("key", ["weight_decay", "model.dropout", "model.init_std"])
def test_minus_zero_is_zero_in_the_resolved_config_and_its_hash(key):
    # (it was kept: 'dropout: -0.0' in config.yaml, and a hash other than 0.0's)
    negative, zero = load_config(None, [f"{key}=-0.0"]), load_config(None, [f"{key}=0.0"])
    assert to_yaml(negative) == to_yaml(zero) and "-0.0" not in to_yaml(negative)
    assert config_hash(negative) == config_hash(zero)


def test_a_float_key_reads_an_exponent_without_a_dot_and_keeps_a_whole_float():
    cfg = load_config(None, ["weight_decay=1e3", "optimizer.lr=1"])
    assert cfg.weight_decay == 1000.0 and cfg.optimizer.lr == 1.0
