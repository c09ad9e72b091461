"""A config file's bytes and the YAML in them, fuzzed: each bad one is one ConfigError naming
the file and line, nothing read as another value than the file shows (``nnlab.yamlio``)."""

from __future__ import annotations

import socket

import pytest

from nnlab.config import load_config
from nnlab.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "says"),
    [
        # (read as bytes, the schema took them as the text they decode to: a run named
        # 'hello', trained at lr 0.1, from values the file does not show)
        ("name: !!binary aGVsbG8=\n", "line 1, column 7: malformed YAML: binary data (!!binary) "
         "is no config value; write the value itself"),
        ("optimizer: {name: sgd, lr: !!binary MC4x}\n", "line 1, column 28: malformed YAML: "
         "binary data (!!binary)"),
        # (PyYAML's 'could not determine a constructor for the tag ...'; nothing ran before)
        ("epochs: !!python/object/apply:os.system ['false']\n", "line 1, column 9: malformed "
         "YAML: a Python object (!!python/object/apply:os.system) is no config value"),
        # (it said 'unknown key 'config'' and 'unknown key 'model.'')
        ("'': 3\n", "line 1, column 1: malformed YAML: a key of no text (''); expected a key name"),
        ("model: {'': 3}\n", "line 1, column 9: malformed YAML: a key of no text ('')"),
        ("epochs: 3\n'  ': 3\n", "line 2, column 1: malformed YAML: a key of no text ('  ')"),
        # (a duplicate named as Python spells it: 'duplicate key None', 'duplicate key True')
        ("~: 1\nnull: 2\n", "line 2, column 1: malformed YAML: duplicate key null"),
        ("true: 1\nyes: 2\n", "line 2, column 1: malformed YAML: duplicate key true"),
        ("epochs: 3\nepochs: 4\n", "line 2, column 1: malformed YAML: duplicate key 'epochs'"),
        # (PyYAML's 'did not find expected <document start>' alone)
        ("epochs: 3\n...\nseed: 4\n", "line 3, column 1: malformed YAML: text after '...', "
         "which ends the YAML document; a config is one document: remove the '...' line"),
    ],
)  # fmt: skip
def test_a_file_whose_yaml_is_no_config_is_refused_at_its_line(tmp_path, text, says):
    path = tmp_path / "cfg.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: {says}"), info.value


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ("optimizer.lr=!!binary MC4x", "binary data (!!binary) is no config value"),
        ("model={'': 3}", "a key of no text ('')"),
    ],
)
def test_an_override_whose_yaml_is_no_config_value_is_refused(override, says):
    with pytest.raises(ConfigError) as info:
        load_config(None, [override])
    assert f"is not valid YAML ({says}" in str(info.value), info.value


def test_a_socket_for_a_config_is_said_to_be_one(tmp_path):
    # (it opened with ENXIO: 'cannot read: No such device or address')
    path = tmp_path / "cfg.yaml"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        with pytest.raises(ConfigError) as info:
            load_config(path)
    assert str(info.value) == f"{path}: cannot read: is a socket, not a file"
