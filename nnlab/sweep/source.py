"""Where a sweep's definition comes from: a config file with a ``sweep:`` section, a plain
config with axes on the command line, or the name of a preset."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from nnlab.errors import ConfigError
from nnlab.sweep import presets
from nnlab.sweep.definition import SweepDef, define


def sweep_from_file(
    path: Path | str,
    args: Sequence[str] = (),
    *,
    kind: Literal["grid", "random"] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    name: str | None = None,
    share_seed: Sequence[str] = (),
) -> SweepDef:
    """A sweep from a config file (its ``sweep:`` section, if any) and command-line ``args``.

    ``path`` may also name a preset (``weight-scale``): its file, as it is (``nnlab sweep
    <preset>`` also sets the preset's dataset). ``kind`` forces grid or random; without it
    the file's section decides, and a file without one is an error. ``share_seed``: swept
    keys added to the spec's ``share_seed`` (``--share-seed``).
    """
    path = Path(path)
    preset = None
    if not path.exists() and str(path) in presets.names():
        preset = str(path)
        path = presets.get(preset).file
    elif Path(os.path.realpath(path)).parent == presets.PRESET_DIR:  # (resolve: a loop raised)
        preset = path.stem
    elif not path.exists() and not path.suffix and len(path.parts) == 1:  # (meant a preset?)
        import difflib

        names = presets.names()
        close = difflib.get_close_matches(str(path), names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"{path}: no such config file or preset ({hint}presets: {', '.join(names)})"
        )
    if preset is not None:
        presets.get(preset).check_args(args)
    return define(
        path, args, kind=kind, trials=trials, seed=seed, name=name, preset=preset,
        share_seed=share_seed,
    )  # fmt: skip
