"""The hidden layers' shape as two sweep keys: ``model.depth`` (how many hidden layers) and
``model.width`` (the units of each), which set ``model.hidden`` to ``[width] * depth``.

``nnlab sweep grid cfg.yaml model.depth=1,2,3 model.width=50,100`` is six nets, tabulated (and
drawn) by both keys. They are keys of a sweep, not of a config: a trial's config holds its
``model.hidden``, so its id, its seed and its numbers are those of the same net swept as
``model.hidden=[50],[50,50],...`` or trained alone (a config file and ``train`` do not take
them; ``tune`` searches them as a random sweep draws them, ``randint:1:4``). One key alone keeps the other from the config: ``model.depth=1,2,3`` layers
as wide as the config's (whose layers must then be of one width), ``model.width=50,100`` as
many layers as it has. A depth of 0 is a linear classifier (no hidden layer: no width).
"""

from __future__ import annotations

import copy
from typing import Any

from nnlab.config_model import MAX_LAYERS, MAX_UNITS
from nnlab.errors import ConfigError

DEPTH, WIDTH = "model.depth", "model.width"
SHAPE_KEYS = (DEPTH, WIDTH)


# (least, most, what): the most are the schema's, model.hidden's length and units
BOUNDS = {DEPTH: (0, MAX_LAYERS, "hidden layers"), WIDTH: (1, MAX_UNITS, "units a layer")}


def check_value(key: str, value: Any) -> int:
    """``value`` of a shape key as the whole number it must be, within the schema's bounds,
    else ConfigError naming it. (The most was left to the config's check of ``model.hidden``:
    ``model.depth=100000`` made a list of 100,000 layers first, 20 s, and was refused as
    'model.hidden holds more than 100,000 values', naming no depth.)"""
    low, high, what = BOUNDS[key]
    whole = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, float) and value.is_integer():
        value, whole = int(value), True
    if not whole or not low <= value <= high:
        raise ConfigError(
            f"{key}: expected a whole number of {what} from {low} to {high:,}, got {value!r}"
        )
    return int(value)


def check_params(params: dict[str, Any], hidden: Any, where: str = "sweep") -> None:
    """ConfigError if the sweep's ``params`` give shape keys that cannot say the trials'
    ``model.hidden`` (``hidden``: the base config's): with ``model.hidden`` swept too (two
    ways of saying one key), a depth alone over layers of several widths, a width alone over
    no hidden layer."""
    given = [k for k in SHAPE_KEYS if k in params]
    if not given:
        return
    if "model.hidden" in params:
        raise ConfigError(
            f"{where}: model.hidden and {' and '.join(given)} both set the hidden layers; sweep "
            "model.hidden=[..],[..] or model.depth/model.width, not both"
        )
    layers = hidden if isinstance(hidden, list) else []
    if given == [DEPTH] and len(set(layers)) > 1:
        raise ConfigError(
            f"{where}: model.depth alone keeps the config's width, but its model.hidden "
            f"{layers} has layers of several widths; give the width too (model.width=N)"
        )
    if given == [WIDTH] and not layers:
        raise ConfigError(
            f"{where}: model.width alone keeps the config's depth, but its model.hidden is [] "
            "(no hidden layer to widen); give the depth too (model.depth=N)"
        )


def hidden_of(values: dict[str, Any], hidden: list[int]) -> list[int]:
    """The ``model.hidden`` of a trial with swept ``values`` (its shape keys), the config's
    ``hidden`` giving the key the sweep does not vary."""
    depth = check_value(DEPTH, values[DEPTH]) if DEPTH in values else len(hidden)
    if depth == 0:
        return []
    width = check_value(WIDTH, values[WIDTH]) if WIDTH in values else hidden[0]
    return [width] * depth


def shape_of(hidden: list[int]) -> dict[str, int | None]:
    """A trial's shape keys as its ``model.hidden`` says them (no width without a layer)."""
    return {DEPTH: len(hidden), WIDTH: hidden[0] if hidden else None}


def shared_identity(identity: dict[str, Any], shared: list[str]) -> dict[str, Any]:
    """A trial's seed identity (its config) with the ``shared`` shape keys (``share_seed``)
    left out: ``model.hidden`` stands for the shape key still in it, or goes."""
    shared = [k for k in shared if k in SHAPE_KEYS]
    if not shared:
        return identity
    out = copy.deepcopy(identity)
    model = out.get("model")
    if isinstance(model, dict):
        kept = {k: v for k, v in shape_of(model.pop("hidden", [])).items() if k not in shared}
        if kept:
            model["hidden"] = {k.partition(".")[2]: v for k, v in kept.items()}
    return out
