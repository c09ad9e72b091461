"""A landscape.h5's grid as every reader checks it: its axis, and the line's and the plane's
losses and accuracies (``experiments.landscape_file`` writes them).

A point is evaluated once its loss is stored (NaN: not yet); its accuracy is stored first.
So at every evaluated point both are there, a loss >= 0 (+inf: not finite there) and an
accuracy in [0, 1], and the axis is the one the file's settings give. What breaks that (a file
edited, or torn by an nnlab that stored a row's losses first) is damage for every reader, the
listing and the report too, not only for ``landscape --resume``, which evaluated the missing
points of such a file and mixed them with the rest.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab.output import counted, is_number

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
