"""A landscape.h5 as every reader checks it (``check_landscape``: its arrays and attributes),
and its grid: its axis, and the line's and the plane's losses and accuracies
(``experiments.landscape_file`` writes them).

A point is evaluated once its loss is stored (NaN: not yet); its accuracy is stored first.
So at every evaluated point both are there, a loss >= 0 (+inf: not finite there) and an
accuracy in [0, 1], and the axis is the one the file's settings give. What breaks that (a file
edited, or torn by an nnlab that stored a row's losses first) is damage for every reader, the
listing and the report too, not only for ``landscape --resume``, which evaluated the missing
points of such a file and mixed them with the rest.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.filestate import DamagedError, WrongKindError, read_failure, refuse_all_but_a_file
from nnlab.output import brief, counted, is_number

# the grid's arrays besides "alphas", in the order a reader reads them: each slice's losses
# before its accuracies, the reverse of the writer's order, so a row stored meanwhile is read
# whole or as not evaluated, never as losses without their accuracies
GRIDS = ("line/loss", "line/acc", "grid/loss", "grid/acc")


def axis(lo: float, hi: float, points: int) -> np.ndarray:
    """``points`` evenly spaced values from lo to hi; a value within rounding of 0 is exactly 0."""
    values = np.linspace(lo, hi, points)
    values[np.abs(values) < 1e-12 * (hi - lo)] = 0.0
    return values


MAX_POINTS = 1001  # (--points: at most this many per axis, as cli.experiments bounds it)


def centre_problem(lo: float, hi: float, points: int) -> str | None:
    """Why a new grid of ``points`` from ``lo`` to ``hi`` would not evaluate the centre W
    (a = b = 0), which the figures mark with their star and the table's centre_loss reads:
    a range that leaves 0 out, or a count that puts no point on it (--points 50 of -1:1: the
    two middle points are -0.0204 and 0.0204). None when the axis holds an exact 0."""
    if lo > 0 or hi < 0:
        return f"--range: {lo:g}:{hi:g} leaves out the centre W (0); expected LO <= 0 <= HI"
    if (axis(lo, hi, points) == 0.0).any():
        return None
    counts = sorted(range(2, max(points, MAX_POINTS) + 1), key=lambda n: (abs(n - points), -n))
    fits = next((n for n in counts if (axis(lo, hi, n) == 0.0).any()), None)
    if fits is None:
        hint = f"; no count up to {MAX_POINTS} has one: give a range such as -1:1"
    elif lo == -hi:
        hint = f" (an odd one: its middle point), e.g. --points {fits}"
    else:
        hint = f", e.g. --points {fits}"
    return (
        f"--points: {counted(points, 'point')} from {lo:g} to {hi:g} leave out the centre W (0); "
        f"expected a count that puts a point at 0{hint}"
    )


def span_problem(lo: Any, hi: Any, points: Any) -> str | None:
    """Why the settings ``lo``, ``hi`` and ``points`` give no axis (an attribute edited)."""
    numbers = all(is_number(v) for v in (lo, hi))
    if not (numbers and math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        return f"its span {lo!r}:{hi!r} is not a range; expected two finite numbers, LO < HI"
    if not isinstance(points, int) or isinstance(points, bool) or points < 2:
        return f"its points {points!r} are not a count; expected an integer of at least 2"
    return None


def grid_problem(lo: Any, hi: Any, points: Any, arrays: dict[str, np.ndarray]) -> str | None:
    """What is wrong with a landscape's grid (``arrays``: "alphas" and ``GRIDS``), as
    "'<array>' <what>; expected <what nnlab writes>", or None."""
    found = span_problem(lo, hi, points)
    if found is not None:
        return found
    alphas = arrays["alphas"]
    if alphas.shape != (points,) or not np.array_equal(alphas, axis(lo, hi, points)):
        return (
            f"'alphas' is not the axis of its settings; expected {counted(points, 'point')} "
            f"from {lo:g} to {hi:g}"
        )
    for name, shape in (("line", (points,)), ("grid", (points, points))):
        loss, acc = arrays[f"{name}/loss"], arrays[f"{name}/acc"]
        for what, values in (("loss", loss), ("acc", acc)):
            if values.dtype.kind != "f" or values.shape != shape:
                return (
                    f"'{name}/{what}' is {values.dtype}{list(values.shape)}; expected floats "
                    f"of shape {list(shape)}"
                )
        done = ~np.isnan(loss)  # (a NaN loss: not evaluated yet, whatever its accuracy)
        if np.isnan(acc[done]).any():
            return (
                f"'{name}/acc' has no accuracy at a point '{name}/loss' holds; expected both "
                "at every evaluated point"
            )
        if (loss[done] < 0).any():
            return f"'{name}/loss' holds a negative loss; expected losses >= 0 (or +inf)"
        if not ((acc[done] >= 0) & (acc[done] <= 1)).all():
            return f"'{name}/acc' holds a value outside [0, 1]; expected accuracies in [0, 1]"
    return None


# what a landscape.h5 holds (``experiments.landscape_file``): its axis, its two slices' losses
# and accuracies, its centre and its directions; and as attributes, its settings (the grid's
# span, resolution, data and how its directions are normalised), its source and config's hash
LANDSCAPE_ARRAYS = ("alphas", "line/loss", "line/acc", "grid/loss", "grid/acc", "centre/params",
                    "directions/d1", "directions/d2")  # fmt: skip
LANDSCAPE_SETTINGS = ("normalize", "lo", "hi", "points", "split", "samples", "seed", "batch")
LANDSCAPE_ATTRS = (*LANDSCAPE_SETTINGS, "source", "config_hash")


def check_landscape(
    path: Path, recorded: Callable[[dict[str, Any]], str | None] = lambda attrs: None
) -> dict[str, Any] | None:
    """The attributes of the landscape.h5 at ``path`` (``LANDSCAPE_ATTRS``, as plain values;
    None if there is no file), or DamagedError if it is not an HDF5 file holding the arrays
    and attributes a landscape writes, if ``recorded(attrs)`` (what the folder recorded of
    them: ``RunDir.check_landscape``) says what differs, or if its grid is not one nnlab
    writes (``landscape_grid.grid_problem``: its axis, losses and accuracies; its centre and
    directions are ``landscape --resume``'s to check against the model). A truncated or
    garbled landscape.h5 was listed and shown as sound, and refused by ``--resume`` only; so
    was one whose grid held losses without their accuracies (a kill between a row's writes)."""
    if not os.path.lexists(path):
        return None
    try:
        refuse_all_but_a_file(path, path.stat().st_mode)  # (a pipe: h5py would wait)
        import h5py  # (loaded when a folder holds a landscape)

        with h5py.File(path, "r") as f:
            absent = [k for k in LANDSCAPE_ARRAYS if k not in f]
            attrs = {k: _plain(v) for k, v in f.attrs.items()}
            grids = {} if absent else {k: np.asarray(f[k][()]) for k in ("alphas", *GRIDS)}
    except WrongKindError as exc:
        raise read_failure(path, exc) from None
    except Exception as exc:  # (h5py's OSError of a file that is no HDF5, a loop)
        detail = one_line_reason(exc)
        raise DamagedError(f"{path}: not a readable landscape file ({detail})") from None
    absent += [f"attribute {k!r}" for k in LANDSCAPE_ATTRS if k not in attrs]
    if absent:
        raise DamagedError(
            f"{path}: not a landscape file as nnlab writes one (no {', '.join(absent)})"
        )
    stray = [k for k in attrs if k not in LANDSCAPE_ATTRS]
    if stray:
        raise DamagedError(
            f"{path}: has an attribute {stray[0]!r}, which nnlab does not write there "
            f"(expected {', '.join(LANDSCAPE_ATTRS)})"
        )
    found = recorded(attrs) or grid_problem(attrs["lo"], attrs["hi"], attrs["points"], grids)
    if found is not None:
        raise DamagedError(f"{path}: {found}")
    return attrs


def one_line_reason(exc: BaseException) -> str:
    """What a library's exception says, in one line: an OSError's reason (h5py's of a folder
    where a landscape.h5 should be runs over five lines, naming the path, a buffer address and
    the time: it broke every reader's one error line), else its first line, else its type."""
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    text = str(exc).strip()
    return brief(text.splitlines()[0], 200) if text else type(exc).__name__


def _plain(value: Any) -> Any:
    """An HDF5 attribute as the value it was written from (text, a number)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value.item() if isinstance(value, np.generic) else value
