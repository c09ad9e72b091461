"""Optimizer paths on 2-D (and 1-D) test functions: every optimizer x every learning rate x
every (start, steps) pair, each path recorded in full. A path that overflows or turns NaN is
marked diverged at that step and stops there (divergence is a result, not a warning).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.errors import ConfigError
from nnlab.experiments.optimizers.specs import (
    DEFAULT_FUNCTION_OPTIMIZERS,
    MAX_PATH_STEPS,
    MAX_PATHS,
    MAX_START,
    MAX_TOTAL_PATH_STEPS,
    OptimizerSpec,
    resolve_optimizers,
)
from nnlab.experiments.testfuncs import Objective, get_objective
from nnlab.fileio import as_written
from nnlab.numbers import config_number, in_one_format
from nnlab.output import counted


# ----------------------------------------------------------------------------- paths
@dataclass
class PathResult:
    """One optimizer's path on a function: every point and value, and how it ended."""

    spec: OptimizerSpec
    start: tuple[float, ...]
    steps: int
    path: np.ndarray  # (k + 1, d): the start, then the point after each finished step
    values: np.ndarray  # (k + 1,)
    diverged_at: int | None
    steps_to_tol: int | None
    outcome: str

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def final(self) -> tuple[list[float] | None, float | None]:
        """The final point and value; none for a diverged path (``nnlab.summary``'s rule: its
        last finite point, the start if it diverged at step 1, is where it stopped, not where
        it ended)."""
        if self.diverged:
            return None, None
        return self.path[-1].tolist(), float(self.values[-1])

    def row(self) -> dict[str, Any]:
        """The table row (``path_rows`` of what result.json holds of the path)."""
        return as_written(path_rows([self.to_json()])[0])

    def to_json(self) -> dict[str, Any]:
        return {
            "optimizer": self.spec.label,
            "rule": self.spec.name,
            "hyperparameters": dict(self.spec.hyperparameters),
            "start": list(self.start),
            "steps": self.steps,
            "final_point": self.final()[0],
            "final_value": self.final()[1],
            "steps_to_tol": self.steps_to_tol,
            "diverged": self.diverged,
            "diverged_at": self.diverged_at,
            "outcome": self.outcome,
            "path": self.path.tolist(),
            "values": self.values.tolist(),
        }


def path_rows(stored: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The paths' table rows from their entries in result.json (``PathResult.to_json``):
    final point and value, steps to tolerance, diverged (the step where it did: the ``steps``
    asked are not the steps a diverged path made), outcome. The one rendering of a path: the
    command's table, summary.txt and ``runs show`` draw it from the same entries. The final
    points' coordinates are in one format (``numbers.in_one_format``), as a column of numbers
    is: each in its own ``.4g`` read ``(-0.3504, 0.08478)`` over ``(-5.351e-06, 1.509e-11)``;
    a start, chosen, as it was given (``config_number``)."""
    points = [p["final_point"] for p in stored]
    coordinates = iter(in_one_format([v for p in points if p is not None for v in p]))
    rows = []
    for path, point in zip(stored, points):
        spec = OptimizerSpec(path["optimizer"], path["rule"], path["hyperparameters"])
        shown = None if point is None else _point_text([next(coordinates) for _ in point])
        rows.append({
            "optimizer": path["optimizer"],
            "hyperparameters": spec.describe(),
            "start": _point_text(path["start"]),
            "steps": path["steps"],
            "final point": shown,
            "final value": path["final_value"],
            "steps to tol": path["steps_to_tol"],
            "diverged": f"at step {path['diverged_at']}" if path["diverged"] else "no",
            "outcome": path["outcome"],
        })  # fmt: skip
    return rows


def _point_text(coordinates: Sequence[Any]) -> str:
    """A point as ``(x, y)``: each coordinate given as text as it is, a number as a value the
    user chose (``config_number``: a start, ``(-7, 2)``, ``(0.5)``)."""
    texts = (c if isinstance(c, str) else config_number(float(c)) for c in coordinates)
    return "(" + ", ".join(texts) + ")"


def classify(objective: Objective, point: np.ndarray, diverged: bool, tol: float) -> str:
    """Where a path ended: ``diverged``; the label of a critical point within ``tol`` ("global
    min", "local min", "saddle point"); ``left plot box``; else ``not converged``."""
    if diverged:
        return "diverged"
    for where, label in objective.points:
        if np.linalg.norm(point - np.asarray(where)) <= tol:
            return label
    box = np.asarray(objective.domain)
    if np.any(point < box[:, 0]) or np.any(point > box[:, 1]):
        return "left plot box"
    return "not converged"


def run_path(
    objective: Objective,
    spec: OptimizerSpec,
    start: Sequence[float],
    steps: int,
    tol: float = 1e-2,
) -> PathResult:
    """Run ``spec``'s optimizer for ``steps`` steps on ``objective`` from ``start``.

    The point is one float64 parameter array ``{"p": p}`` stepped in place by the optimizer with
    the analytic gradient; after each step a copy is recorded. A non-finite point, gradient or
    value stops the path and marks it diverged at that step (the bad point is not recorded).
    ``steps_to_tol`` is the first step at which the point is within ``tol`` (Euclidean) of the
    function's global minimum, or None.
    """
    optimizer = spec.build()
    p = np.array(start, dtype=np.float64)
    points, values = [p.copy()], [objective.value(p)]
    diverged_at = None
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            g = objective.grad(p)
            if not np.all(np.isfinite(g)):
                diverged_at = k
                break
            optimizer.step({"p": p}, {"p": g})
            value = objective.value(p)
            if not (np.all(np.isfinite(p)) and np.isfinite(value)):
                diverged_at = k
                break
            points.append(p.copy())
            values.append(value)
    path = np.array(points)
    steps_to_tol = None
    if objective.minimum is not None:
        dist = np.linalg.norm(path - np.asarray(objective.minimum), axis=1)
        hits = np.flatnonzero(dist <= tol)
        steps_to_tol = int(hits[0]) if hits.size else None
    outcome = classify(objective, path[-1], diverged_at is not None, tol)
    return PathResult(
        spec, tuple(float(v) for v in start), steps, path, np.array(values), diverged_at,
        steps_to_tol, outcome,
    )  # fmt: skip


@dataclass
class FunctionComparison:
    """All paths of one ``compare-optimizers --function`` call, and the curve/surface to draw."""

    objective: Objective
    tol: float
    results: list[PathResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        o = self.objective
        return {
            "kind": "function",
            "function": o.name,
            "formula": o.formula,
            "minimum": list(o.minimum) if o.minimum is not None else None,
            "tol": self.tol,
            "runs": [r.to_json() for r in self.results],
        }


def compare_on_function(
    function: str,
    optimizers: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    starts: Sequence[Sequence[float]] | None = None,
    steps: Sequence[int] | None = None,
    tol: float = 1e-2,
) -> FunctionComparison:
    """Every optimizer x lr x (start, steps) on a built-in function (see ``testfuncs``).

    ``steps`` is one count for all starts, or one per start (paired in order).
    """
    objective = get_objective(function)
    if not tol > 0:
        raise ConfigError(f"--tol: must be > 0, got {tol}")
    starts = [tuple(float(v) for v in s) for s in (starts or [objective.start])]
    check_starts(objective, starts)
    steps = list(steps or [objective.steps])
    if any(not 1 <= n <= MAX_PATH_STEPS for n in steps):
        raise ConfigError(f"--steps: each value must be in 1..{MAX_PATH_STEPS}, got {steps}")
    if len(steps) == 1:
        steps = steps * len(starts)
    elif len(steps) != len(starts):
        raise ConfigError(
            f"--steps: got {counted(len(steps), 'value')} for {counted(len(starts), 'start point')}; "
            "give one value "
            "for all, or one per start"
        )
    specs = resolve_optimizers(
        optimizers or DEFAULT_FUNCTION_OPTIMIZERS, overrides, lrs, objective.defaults
    )
    check_paths(len(specs), len(starts), sum(steps))
    comparison = FunctionComparison(objective, tol)
    for spec, (start, n) in itertools.product(specs, zip(starts, steps)):
        comparison.results.append(run_path(objective, spec, start, n, tol))
    return comparison


def check_starts(objective: Objective, starts: Sequence[Sequence[float]]) -> None:
    """ConfigError naming --start unless every start is a point of ``objective``'s dimension
    with coordinates within +-``MAX_START`` (finite: ``parse_floats``)."""
    for s in starts:
        if len(s) != objective.dim:
            raise ConfigError(
                f"--start: function {objective.name!r} is {objective.dim}-D, got the point {s}"
            )
        if not all(abs(v) <= MAX_START for v in s):
            raise ConfigError(
                f"--start: coordinates must be within -{MAX_START:,.0f}..{MAX_START:,.0f} "
                f"(further out a path overflows in its first steps), got {_point_text(s)}"
            )


def check_paths(pairs: int, starts: int, steps: int) -> None:
    """ConfigError unless the paths, ``pairs`` (optimizer, rate) x ``starts``, are at most
    ``MAX_PATHS`` (the figure has a panel for each: thousands of them took hours and
    gigabytes to draw) and their ``steps`` (the starts' together) for every pair are at most
    ``MAX_TOTAL_PATH_STEPS`` (every point is kept and written to result.json; each --steps
    value is bounded alone: ``MAX_PATH_STEPS``)."""
    options = "--optimizers/--lr/--start"
    if pairs * starts > MAX_PATHS:
        raise ConfigError(
            f"{options}: {counted(pairs, 'optimizer-rate pair')} x {counted(starts, 'start')} "
            f"= {counted(f'{pairs * starts:,}', 'path')}; at most {MAX_PATHS} (the figure draws a panel for "
            "each); give fewer optimizers, --lr values or --start points"
        )
    if pairs * steps > MAX_TOTAL_PATH_STEPS:
        raise ConfigError(
            f"{options}/--steps: {counted(pairs, 'optimizer-rate pair')} x "
            f"{counted(f'{steps:,}', 'step')} from {counted(starts, 'start')} = "
            f"{counted(f'{pairs * steps:,}', 'path step')}; at most {MAX_TOTAL_PATH_STEPS:,} (every point is "
            "kept and written to result.json); give fewer optimizers, --lr values, --start "
            "points or --steps"
        )


def surface(objective: Objective, resolution: int = 300) -> dict[str, np.ndarray]:
    """The function on a grid over its plot box: ``x``, ``y``, ``z`` (2-D) or ``x``, ``y`` (1-D)."""
    (x0, x1), *rest = objective.domain
    xs = np.linspace(x0, x1, resolution)
    if objective.dim == 1:
        return {"x": xs, "y": objective.f(xs[None, :])}
    (y0, y1) = rest[0]
    ys = np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(xs, ys)
    return {"x": X, "y": Y, "z": objective.f(np.stack([X, Y]))}


def plot_function_comparison(comparison: FunctionComparison, path: Path, run: str = "") -> Path:
    """Draw the comparison: contours with one panel per path (2-D), or the curve (1-D)."""
    from nnlab import plots

    o = comparison.objective
    panels = []
    for r in comparison.results:
        title = r.spec.title
        if len(comparison.results) > 1 and len({x.start for x in comparison.results}) > 1:
            title += f"\nstart {_point_text(r.start)}"  # (the figure counts the steps)
        panels.append(
            {
                "title": title,
                "path": r.path,
                "values": r.values,
                "outcome": r.outcome if not r.diverged else f"diverged at step {r.diverged_at}",
            }
        )
    grid = surface(o)
    minima = [(list(p), label) for p, label in o.points]
    suptitle = f"{o.name}: {o.formula}"
    if o.dim == 1:
        suptitle += "  (iterates coloured red at the start to yellow at the end)"
        figure = plots.optimizer_paths_1d_figure(
            grid["x"], grid["y"], panels, minima, suptitle, run=run
        )
    else:
        figure = plots.optimizer_paths_2d_figure(
            grid["x"], grid["y"], grid["z"], panels, minima, suptitle, run=run
        )
    return plots.save(figure, path)
