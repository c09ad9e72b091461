"""Sweep presets shipped with nnlab: YAML configs with a ``sweep:`` section (package data).

``nnlab sweep weight-scale`` runs ``weight-scale.yaml``; ``nnlab sweep run <file>`` runs any file
of the same shape.
"""

from __future__ import annotations

from pathlib import Path

from nnlab.errors import ConfigError

PRESET_DIR = Path(__file__).resolve().parent


def names() -> list[str]:
    """The preset names (file stems)."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def path(name: str) -> Path:
    """The YAML file of preset ``name``, or a ConfigError listing the presets."""
    found = PRESET_DIR / f"{name}.yaml"
    if not found.is_file():
        raise ConfigError(f"preset {name!r}: unknown; presets: {', '.join(names())}")
    return found
