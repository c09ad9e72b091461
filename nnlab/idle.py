"""Settings that change nothing: a key a config sets whose value its run never reads, because
another key's value leaves it out (``model.init_std`` under ``model.init: he``; ``model.dropout``
in a model with no hidden layer). The config is valid (a key may be set for a variant that an
override switches off), but a user who set the key expects an effect: the commands say so in a
warning (``idle_keys``), and a sweep over such a key is trials that differ by their seeds alone
(``sweep_warnings``)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nnlab.config_model import Config
from nnlab.nn.registry import INITS


def uses_std(init: str) -> bool:
    """Whether initialiser ``init`` reads ``model.init_std`` (its std changes with it)."""
    std_of = INITS[init]
    return std_of(10, 10, 1.0) != std_of(10, 10, 2.0)


def _init_std(cfg: Config) -> str | None:
    if uses_std(cfg.model.init):
        return None
    users = " or ".join(f"model.init={name}" for name in INITS if uses_std(name))
    return f"model.init is {cfg.model.init}, which does not read it (only {users} does)"


def _hidden(cfg: Config) -> str | None:
    return None if cfg.model.hidden else "model.hidden is [], no hidden layer for it to act on"


# key -> (the key whose value decides, why the key is idle in ``cfg`` or None)
IDLE_WHEN: dict[str, tuple[str, Callable[[Config], str | None]]] = {
    "model.init_std": ("model.init", _init_std),
    "model.batchnorm": ("model.hidden", _hidden),
    "model.dropout": ("model.hidden", _hidden),
    "model.activation": ("model.hidden", _hidden),
}


def _chosen(cfg: Config, key: str) -> bool:
    """Whether ``key`` (``section.name``) was given to ``cfg`` (by its file or an override) a
    value other than its default: one a user expects to act."""
    section, _, name = key.partition(".")
    part = getattr(cfg, section)
    default = type(part).model_fields[name].default
    return name in part.model_fields_set and getattr(part, name) != default


def idle_keys(cfg: Config, keys: Iterable[str] | None = None) -> dict[str, str]:
    """Each key of ``IDLE_WHEN`` that ``cfg`` was given a value other than its default (or each
    of ``keys``, however set) whose value its run never reads, with why: ``{"model.init_std": "model.init is he, ..."}``."""
    asked = list(IDLE_WHEN) if keys is None else [k for k in keys if k in IDLE_WHEN]
    found = {}
    for key in asked:
        why = IDLE_WHEN[key][1](cfg)
        if why is not None and (keys is not None or _chosen(cfg, key)):
            found[key] = why
    return found


def as_read(cfg: Config, data: dict[str, Any], keep: Iterable[str] = ()) -> dict[str, Any]:
    """``data`` (``cfg`` as a mapping, or what is left of it) with each key of ``IDLE_WHEN``
    that ``cfg``'s run never reads set to its default, but those in ``keep``: the config as its
    training sees it. A sweep's trial seed is drawn from it (``sweep.definition``), so a key
    said to have no effect has none: a sweep whose config set ``model.init_std: 0.05`` under
    ``model.init: he`` trained other nets than the same sweep without it (every trial's seed
    moved). A swept key is kept (``keep``): its trials differ by their seeds, as said."""
    out = copy.deepcopy(data)
    for key, (_, why) in IDLE_WHEN.items():
        section, _, name = key.partition(".")
        part = out.get(section)
        if key in keep or not isinstance(part, dict) or name not in part or why(cfg) is None:
            continue
        part[name] = type(getattr(cfg, section)).model_fields[name].default
    return out


def sweep_warnings(axes: Iterable[str], base_config: Callable[[], Config]) -> list[str]:
    """The warnings for a sweep (or a search) over ``axes``, whose base config (the config with
    the fixed overrides, no swept value) ``base_config()`` gives: a key the base sets that no trial reads, and a
    swept key no trial reads (its trials differ by their seeds alone). A key is idle in every
    trial when it is idle in the base and the key that decides (``IDLE_WHEN``) is not swept."""
    swept = set(axes)
    try:
        base = base_config()
    except Exception:  # (a base valid only with the swept values: the trials' checks say why)
        return []
    settled = [key for key, (by, _) in IDLE_WHEN.items() if by not in swept]
    fixed = {k: why for k, why in idle_keys(base).items() if k in settled and k not in swept}
    axes_idle = idle_keys(base, [key for key in settled if key in swept])
    return warnings_of(fixed) + warnings_of(axes_idle, swept=True)


def warnings_of(idle: dict[str, str], swept: bool = False) -> list[str]:
    """The warning lines the commands print for ``idle`` (``idle_keys``): a key that has no
    effect, or (``swept``) a swept key that changes nothing."""
    if swept:
        return [
            f"warning: varying {key} changes nothing: {why}; the trials differ by their seeds alone"
            for key, why in idle.items()
        ]
    return [f"warning: {key} has no effect: {why}" for key, why in idle.items()]


def load_config_warned(
    config: Path, overrides: list[str] | None, warn: Callable[[str], None]
) -> Config:
    """``config.load_config``, then ``warn`` of each key it sets that changes nothing in its run
    (``idle_keys``: ``model.init_std`` under ``model.init: he``, ...) and of each override
    that replaced a section the file gave keys (``overrides.replaced_sections``): a config as
    a command that trains it reads it."""
    from nnlab.config import load_config
    from nnlab.overrides import replaced_sections
    from nnlab.yamlio import read_yaml

    cfg = load_config(config, overrides or [])
    raw = read_yaml(config) if config is not None and overrides else {}
    for line in replaced_sections(raw, overrides or []) + warnings_of(idle_keys(cfg)):
        warn(line)
    return cfg
