"""The experiment config as a command reads it: YAML loading and Hydra-style dotted overrides,
validated into the schema (``nnlab.config_model``).

A validation error becomes one line that names the key and what was expected
(``nnlab.config_errors``), and the source that set it (the file, or the override).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ValidationError

from nnlab.config_errors import blame, describe_error
from nnlab.config_model import (
    VARIANT_FIELDS,
    Config,
    is_config_key,
    is_list_key,
    is_variant_switch,
    key_names,
    one_value_key,
)
from nnlab.errors import ConfigError, SweepConfigError
from nnlab.output import brief
from nnlab.overrides import (  # noqa: F401 (re-exported: the config API reads overrides)
    keys_overlap,
    not_yaml_why,
    overridden,
    override_key,
    refuse_several,
    refuse_spaced,
    repeated_key,
)
from nnlab.yamlio import (  # noqa: F401 (re-exported: the config API reads YAML)
    glued_error,
    read_yaml,
    yaml_value,
)

if TYPE_CHECKING:
    from nnlab.sweep.spec import SweepSpec


# ----------------------------------------------------------------------------- loading
def parse_override(text: str, example: str | None = None) -> tuple[list[str], Any]:
    """``"optimizer.lr=0.1"`` -> (["optimizer", "lr"], 0.1); the value is parsed as a YAML scalar
    (a text that sets no key: refused with ``example``, ``override_key``)."""
    key, _, raw = text.partition("=")
    parts = override_key(text, example=example).split(".")
    try:
        value = yaml_value(raw, overridden(key.strip())) if raw.strip() else None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None)  # (reason:
        # a character the reader refuses, a control character)
        why = not_yaml_why(text, glued_error(exc, raw) or problem)
        raise ConfigError(
            f"{overridden(text)}: the value {brief(repr(raw))} is not valid YAML{why}"
        ) from None
    return [p.strip() for p in parts], value


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """A copy of ``raw`` with each ``key.sub=value`` override set (creating mappings as needed).

    ``optimizer`` and ``dataset`` are choices among variants: an override into one the file does
    not set starts from the default (``optimizer.lr=0.5`` tunes the default SGD), and switching
    the variant (``optimizer.name=adam``) starts afresh from the new variant's defaults, since
    the old one's keys (e.g. ``momentum``) may not exist there. Switches are applied first, so
    ``optimizer.lr=0.001 optimizer.name=adam`` keeps the lr whatever the order.
    """
    refuse_spaced(overrides)
    refuse_several(overrides, is_list_key)
    refuse_lone_keys(overrides)
    out = copy.deepcopy(raw)
    parsed = [(text, *parse_override(text)) for text in overrides]
    parsed.sort(key=lambda p: not is_variant_switch(p[1]))  # stable: switches first
    for text, parts, value in parsed:
        if is_variant_switch(parts):
            current = out.get(parts[0])
            if current is None:
                current = _default_variant(parts[0])
            if not isinstance(current, dict) or current.get("name") != value:
                out[parts[0]] = {"name": value}
            continue
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = _default_variant(part) if node is out else {}
            if not isinstance(child, dict):
                where = ".".join(parts[: i + 1])
                raise ConfigError(f"{overridden(text)}: {where} is a value, not a mapping of keys")
            node = child
        node[parts[-1]] = value
    return out


def check_once(overrides: list[str]) -> None:
    """ConfigError for a key given twice among a command line's ``overrides``: the last one
    won without a word (a config file's key written twice is refused, and so is a sweep's).
    (Code that builds overrides may give a key again on purpose: ``apply_overrides`` lets the
    last one win.) A ``key=value`` that does not parse is left for its reader to refuse."""
    repeat = repeated_key(overrides)
    if repeat is not None:
        key, first, text = repeat
        raise ConfigError(
            f"{overridden(text)}: {key} given twice ({first!r} and {text!r}); give it once"
        )


def _default_variant(key: str) -> dict[str, Any]:
    """The default mapping of a top-level variant key (``{}`` for any other key)."""
    if key not in VARIANT_FIELDS:
        return {}
    return Config.model_fields[key].default.model_dump(mode="json")


def validate(
    raw: dict[str, Any], source: str = "config", overrides: list[str] | None = None
) -> Config:
    """Validate a raw mapping into a Config, or raise a one-line ConfigError naming the key
    and its source: ``source`` (a file), or the override among ``overrides`` that set it."""
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        key, text = describe_error(exc, raw, overrides or [])
        raise ConfigError(f"{blame(key, overrides or [], source)}: {text}") from None


def read_config(path: Path) -> tuple[dict[str, Any], SweepSpec | None]:
    """A config file: its mapping without the ``sweep:`` section, and that section validated
    (None when there is none). Every command reads a config file here, so a malformed section
    is the same one line (naming the file and the key's path) whichever command reads it."""
    from nnlab.sweep.spec import check_section, parse_spec

    raw = read_yaml(path, empty=False)
    if "sweep" not in raw:
        return raw, None
    where = f"{path}: sweep"
    return raw, check_section(parse_spec(raw.pop("sweep"), where), where, key_names())


def load_config(path: Path | None, overrides: list[str] | None = None) -> Config:
    """Read ``path`` (or start from the defaults), apply overrides, validate."""
    raw, section = read_config(path) if path is not None else ({}, None)
    if section is not None:
        raise SweepConfigError(path, overrides or [])
    overrides = list(overrides or [])
    raw = apply_overrides(raw, overrides)
    return validate(raw, str(path) if path is not None else "config", overrides)


def to_data(cfg: Config) -> dict[str, Any]:
    """The resolved config as config.yaml holds it (every key, defaults filled in, a section's
    name first), as plain data: what ``train --print-config -f json`` prints."""
    data = cfg.model_dump(mode="json")
    for key in VARIANT_FIELDS:  # the discriminating name first, for the reader
        data[key] = {"name": data[key].pop("name"), **data[key]}
    return data


def to_yaml(cfg: Config) -> str:
    """The resolved config as YAML (every key, defaults filled in), loadable by ``load_config``."""
    return yaml.safe_dump(to_data(cfg), sort_keys=False, default_flow_style=None)


# Top-level keys added after config hashes were first recorded, with their defaults: a hash
# leaves such a key out while it holds its default, so every earlier id (sweep trial folders,
# ``--resume``, landscape files) stays what it was.
ADDED_KEYS: dict[str, Any] = {"final_eval": []}


def config_hash(cfg: Config | dict[str, Any], length: int = 8) -> str:
    """A short stable hash of the resolved config (keys sorted), for ids (``ADDED_KEYS`` at
    their defaults left out)."""
    data = cfg.model_dump(mode="json") if isinstance(cfg, BaseModel) else cfg
    data = {k: v for k, v in data.items() if k not in ADDED_KEYS or v != ADDED_KEYS[k]}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def lone_key(text: str) -> str | None:
    """The key an override or sweep argument without '=' names, its value left out (``epochs``;
    ``optimizer``: ``optimizer.name``), else None. (Its example was 'optimizer.lr=0.1'.)"""
    bare = one_value_key(text.strip()) if "=" not in text else None
    return bare if bare and is_config_key(bare) else None


def refuse_lone_keys(
    texts: list[str], what: str = "override", expected: str = "{key}=<value>"
) -> None:
    """ConfigError for a config key given alone among ``texts`` (overrides; a sweep's
    arguments, ``what``): with its value where the next word is one, the shell having split
    ``epochs 5`` at its space (it said 'no value; expected epochs=<value>', the 5 unsaid), the
    argument meant, ``epochs=5``; else ``expected``, its ``{key}`` the key."""
    for i, text in enumerate(texts):
        if (bare := lone_key(text)) is None:
            continue
        after = texts[i + 1].strip() if i + 1 < len(texts) else ""
        if after and "=" not in after and lone_key(after) is None:
            raise ConfigError(
                f"{overridden(f'{text} {after}', what)}: a key and its value are one argument, "
                f"joined by '=' without spaces: {bare}={after}"
            )
        raise ConfigError(
            f"{overridden(text, what)}: no value; expected {expected.format(key=bare)}"
        )
