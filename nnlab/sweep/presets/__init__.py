"""The sweep presets shipped with nnlab, by name (``nnlab sweep <name>``).

To add one: a ``<name>.yaml`` here (a config with a ``sweep:`` section), a ``Preset``
subclass in a module of this package, and one entry in ``PRESETS`` below.
"""

from __future__ import annotations

from nnlab.errors import ConfigError
from nnlab.sweep.presets.base import PRESET_DIR, Preset
from nnlab.sweep.presets.weight_scale import WeightScale

PRESETS: dict[str, Preset] = {p.name: p for p in (WeightScale(),)}


def names() -> list[str]:
    return sorted(PRESETS)


def get(name: str) -> Preset:
    """The preset ``name``, or a ConfigError listing the presets."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"preset {name!r}: unknown; presets: {', '.join(names())}") from None


__all__ = ["PRESETS", "PRESET_DIR", "Preset", "get", "names"]
