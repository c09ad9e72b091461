"""A loss landscape's settings and its file, ``landscape.h5``: written, read and checked.

The file holds the settings (attributes), the axis ``alphas``, the ``line`` and ``grid`` losses
and accuracies (NaN: a point not evaluated yet; a loss +inf: not finite there), and the
``centre`` (params, buffers) and ``directions`` (d1, d2) as one array per parameter. A resume
reads it back and evaluates what is missing, so ``check_content`` holds it to what nnlab
writes before a point is added: an edited or damaged file is refused, naming the array.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnlab import runs
from nnlab.errors import ConfigError, RunError, not_one_of
from nnlab.experiments.directions import Directions
from nnlab.fileio import atomic_write
from nnlab.landscape_grid import (
    GRIDS,
    LANDSCAPE_SETTINGS,
    axis as axis,  # (re-exported)
    centre_problem,
    grid_problem,
)
from nnlab.nn.model import MLP
from nnlab.numbers import read_number
from nnlab.signals import deferred

NORMALIZE = ("filter", "none")
SPLITS = ("train", "val", "test")  # (the data's; a config without val has none)
FILE = "landscape.h5"
SETTING_KEYS = LANDSCAPE_SETTINGS  # (the attributes its reader checks: ``fileio``)
MAX_RANGE = 1000.0  # the grid's reach in multiples of a direction (Li et al. plot -1..1)


@dataclass(frozen=True)
class Settings:
    """What the grid is: its directions, range, resolution and the data it is evaluated on."""

    normalize: str = "filter"
    lo: float = -1.0
    hi: float = 1.0
    points: int = 51
    split: str = "train"
    samples: int = 0  # 0: the whole split
    seed: int = 0
    batch: int = 0  # 0: the config's eval_batch_size

    def check(self) -> None:
        if self.normalize not in NORMALIZE:
            raise ConfigError(not_one_of("--normalize", self.normalize, NORMALIZE))
        if not (math.isfinite(self.lo) and math.isfinite(self.hi)) or self.lo >= self.hi:
            raise ConfigError(f"--range: expected LO:HI with LO < HI, got {self.lo:g}:{self.hi:g}")
        if max(abs(self.lo), abs(self.hi)) > MAX_RANGE:
            raise ConfigError(
                f"--range: LO and HI must be within -{MAX_RANGE:g}..{MAX_RANGE:g} (multiples of "
                f"a direction), got {self.lo:g}:{self.hi:g}"
            )
        if self.split not in SPLITS:
            raise ConfigError(not_one_of("--split", self.split, SPLITS))
        if self.points < 2:
            raise ConfigError(f"--points: expected at least 2, got {self.points}")
        for name, value in (("samples", self.samples), ("batch", self.batch), ("seed", self.seed)):
            if value < 0:
                raise ConfigError(f"--{name}: expected 0 or more, got {value}")

    def check_new(self) -> None:
        """``check``, and that the grid evaluates the centre W (``centre_problem``): a new
        grid's settings. (A folder's grid made before nnlab refused the rest stays readable
        and resumable: its settings are checked by ``check``.)"""
        self.check()
        found = centre_problem(self.lo, self.hi, self.points)
        if found is not None:
            raise ConfigError(found)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in SETTING_KEYS}


def parse_range(text: str) -> tuple[float, float]:
    """``"-1:1"`` -> (-1.0, 1.0)."""
    lo, sep, hi = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return read_number(lo), read_number(hi)
    except ValueError:
        raise ConfigError(f"--range: expected LO:HI such as -1:1, got {text!r}") from None


def write_new_file(
    path: Path,
    settings: Settings,
    model: MLP,
    centre: dict[str, np.ndarray],
    d1: Directions,
    d2: Directions,
    source: str,
    cfg_hash: str,
) -> None:
    """A fresh landscape.h5: settings, axis, NaN grids, centre and directions (atomically).

    Built in memory, then written as bytes (``atomic_write``): HDF5 writing to a disk that
    fills up failed in ``File.close`` with screens of errors, and could crash the process,
    leaving the folder RUNNING; the bytes' write fails as any file's does, in one line."""
    import h5py

    n = settings.points
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.attrs.update({**settings.as_dict(), "source": source, "config_hash": cfg_hash})
        f["alphas"] = axis(settings.lo, settings.hi, n)
        for name, shape in (("line", (n,)), ("grid", (n, n))):
            for what in ("loss", "acc"):
                f.create_dataset(f"{name}/{what}", data=np.full(shape, np.nan))
        for group, arrays in (
            ("centre/params", centre),
            ("centre/buffers", model.buffers),
            ("directions/d1", d1),
            ("directions/d2", d2),
        ):
            g = f.require_group(group)
            for key, value in arrays.items():
                g[key] = value
    atomic_write(path, buffer.getbuffer())


def read_file(path: Path) -> dict[str, Any]:
    """Everything in a landscape.h5 as plain arrays and a Settings."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            attrs = dict(f.attrs)
            out = {
                "settings": Settings(**{k: _plain(attrs[k]) for k in SETTING_KEYS}),
                "source": str(attrs.get("source", "")),
                "config_hash": str(attrs.get("config_hash", "")),
                "alphas": f["alphas"][()],
            }
            for name in ("line", "grid"):
                for what in ("loss", "acc"):
                    out[f"{name}_{what}"] = f[f"{name}/{what}"][()]
            for group in ("centre/params", "centre/buffers", "directions/d1", "directions/d2"):
                out[group] = {k: v[()] for k, v in f[group].items()}
    except (OSError, KeyError) as exc:
        raise RunError(f"{path}: not a readable landscape file ({exc})") from None
    try:
        out["settings"].check()
    except (ConfigError, TypeError) as exc:  # (attributes edited: ``points`` a text, ...)
        raise runs.DamagedError(f"{path}: its settings are not a landscape's ({exc})") from None
    return out


def read_run(run: runs.RunDir) -> dict[str, Any]:
    """``read_file`` of a landscape folder's file, once its reader's checks pass
    (``RunDir.check_landscape``: its index, and its attributes those meta.json recorded)."""
    run.check_landscape()
    return read_file(run.file(FILE))


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


def store(path: Path, name: str, index: Any, loss: np.ndarray, acc: np.ndarray) -> None:
    """The losses and accuracies at ``index`` of the ``name`` slice (the line, a grid row),
    written into landscape.h5 in place, as one step: a stop signal meanwhile waits for both
    (``deferred``; losses without their accuracies were damage a resume refused).

    The accuracies reach the file first, then the losses (a flush between): a point counts as
    evaluated once its loss is there, so a kill -9 between the two writes leaves accuracies
    of points still to evaluate, which a resume evaluates again, not losses without their
    accuracies, which every reader refuses as damage. (Only the grid's bytes change in
    place: the file's HDF5 structure is written whole, by ``write_new_file``.)"""
    import h5py

    with deferred(), h5py.File(path, "r+") as f:
        f[f"{name}/acc"][index] = acc
        f.flush()
        f[f"{name}/loss"][index] = loss
        f.flush()


def check_content(path: Path, content: dict[str, Any], model: MLP) -> None:
    """DamagedError naming the first array of ``content`` (``read_file``'s) that is not what
    nnlab writes for ``model``: the axis its settings give, the line's and grid's losses (NaN,
    >= 0 or +inf) and accuracies (NaN or in [0, 1]) of their shapes, evaluated at the same
    points, and a centre and directions of the model's parameters, finite. A resume evaluated
    the missing points of an edited file and mixed them with the rest (or failed half-way)."""

    def damaged(what: str, expected: str) -> runs.DamagedError:
        return runs.DamagedError(f"{path}: {what}; expected {expected}")

    settings: Settings = content["settings"]
    grids = {k: content[k.replace("/", "_")] for k in ("alphas", *GRIDS)}
    found = grid_problem(settings.lo, settings.hi, settings.points, grids)
    if found is not None:
        raise runs.DamagedError(f"{path}: {found}")
    for group, like in (("centre/params", model.params), ("centre/buffers", model.buffers),
                        ("directions/d1", model.params), ("directions/d2", model.params)):  # fmt: skip
        arrays = content[group]
        if set(arrays) != set(like):
            raise damaged(f"'{group}' holds {', '.join(sorted(arrays)) or 'nothing'}",
                          f"the model's {', '.join(sorted(like))}")  # fmt: skip
        for key, want in like.items():
            got = arrays[key]
            if got.dtype.kind != "f" or got.shape != want.shape:
                raise damaged(f"'{group}/{key}' is {got.dtype}{list(got.shape)}",
                              f"floats of shape {list(want.shape)}")  # fmt: skip
            if not np.isfinite(got).all():
                raise damaged(f"'{group}/{key}' holds non-finite values", "finite numbers")
