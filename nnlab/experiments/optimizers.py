"""Compare optimizers: their paths on test functions, and their loss curves on a dataset.

Every update rule is the one in ``nnlab.nn.optim`` (``make_optimizer``); this module only runs
them. ``gd`` is accepted as another name for ``sgd`` (plain gradient descent on a function).

Hyperparameters, lowest precedence first: the optimizer's schema defaults (``nnlab.config``),
the function's defaults (``testfuncs``, e.g. DLFS's SGD lr 0.95 on ``book``), ``--lr``, and
``name.key=value`` overrides (``adam.lr=0.3``). Overrides are validated against the schema: an
unknown optimizer or hyperparameter, or a value out of range, is a one-line ``ConfigError``.

A function comparison runs every optimizer x every learning rate x every (start, steps) pair
and records each path in full. A path that overflows or turns NaN is marked diverged at that
step and stops there (NumPy's warnings are silenced: divergence is a result, not a warning).

The cs231n baselines (random search, random local search) live here too; they use the loss
only, no gradient, and take part in the dataset comparison under the names ``random-search``
and ``random-local-search``.
"""

from __future__ import annotations

import difflib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import numpy as np
from pydantic import BaseModel, TypeAdapter, ValidationError

from nnlab import runs
from nnlab.config import Config, OptimizerConfig, parse_override, to_yaml, validate
from nnlab.data import Dataset, load_dataset
from nnlab.errors import ConfigError
from nnlab.experiments.testfuncs import OBJECTIVES, Objective, get_objective
from nnlab.nn.model import MLP
from nnlab.nn.optim import Optimizer, make_optimizer
from nnlab.output import table_text
from nnlab.train import RNG_STREAMS, build_model, evaluate, fit, make_rngs, minibatches

ALIASES = {"gd": "sgd"}
SCHEMAS: dict[str, type[BaseModel]] = {
    get_args(cls.model_fields["name"].annotation)[0]: cls
    for cls in get_args(get_args(OptimizerConfig)[0])
}
# gradient-free baselines (cs231n "Optimization", strategies 1 and 2) and their defaults
BASELINES: dict[str, dict[str, float]] = {
    "random-search": {"scale": 0.3},
    "random-local-search": {"step_size": 0.03},
}
MAX_PATH_STEPS = 100_000  # every point is kept (and written to result.json)
DEFAULT_FUNCTION_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


# ----------------------------------------------------------------------------- parsing
def parse_floats(text: str, option: str) -> list[float]:
    """``"0.1,1.0"`` -> [0.1, 1.0], or a ConfigError naming ``option``."""
    items = [t.strip() for t in text.split(",")]
    try:
        values = [float(t) for t in items]
    except ValueError:
        raise ConfigError(
            f"{option}: expected comma-separated numbers (e.g. 0.1,0.5), got {text!r}"
        ) from None
    if not values or any(not np.isfinite(v) for v in values):
        raise ConfigError(f"{option}: expected finite numbers, got {text!r}")
    return values


def parse_ints(text: str, option: str, minimum: int = 1) -> list[int]:
    """``"5,20"`` -> [5, 20] (each >= ``minimum``), or a ConfigError naming ``option``."""
    try:
        values = [int(t.strip()) for t in text.split(",")]
    except ValueError:
        raise ConfigError(
            f"{option}: expected comma-separated whole numbers (e.g. 5,20), got {text!r}"
        ) from None
    if any(v < minimum for v in values):
        raise ConfigError(f"{option}: every value must be >= {minimum}, got {text!r}")
    return values


def parse_starts(text: str, dim: int, function: str) -> list[tuple[float, ...]]:
    """Start points: ``"x,y"`` or ``"x1,y1;x2,y2"``; for a 1-D function ``"0.5,-1.0"`` is two."""
    groups = [g for g in text.split(";") if g.strip()]
    if not groups:
        raise ConfigError(f"--start: expected a point, got {text!r}")
    points: list[tuple[float, ...]] = []
    for group in groups:
        values = parse_floats(group, "--start")
        if dim == 1:
            points.extend((v,) for v in values)
        elif len(values) != dim:
            raise ConfigError(
                f"--start: function {function!r} is {dim}-D, so each point needs {dim} numbers "
                f"(points separated by ';'), got {group.strip()!r}"
            )
        else:
            points.append(tuple(values))
    return points


def parse_names(text: str) -> list[str]:
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    if not names:
        raise ConfigError("--optimizers: expected at least one optimizer name")
    return names


# ----------------------------------------------------------------------------- hyperparameters
@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer to run: ``label`` as the user named it, ``name`` the rule it uses."""

    label: str
    name: str
    hyperparameters: dict[str, float]

    @property
    def is_baseline(self) -> bool:
        return self.name in BASELINES

    def build(self) -> Optimizer:
        """A fresh ``nnlab.nn.optim`` optimizer (state empty)."""
        return make_optimizer(self.name, **self.hyperparameters)

    def describe(self) -> str:
        """``lr=0.1, momentum=0.8``: lr, and the others only where they differ from the schema
        default (the JSON output has them all)."""
        schema = SCHEMAS.get(self.name)
        shown = []
        for key, value in self.hyperparameters.items():
            default = schema.model_fields[key].default if schema is not None else None
            if key == "lr" or schema is None or value != default:
                shown.append(f"{key}={value:.10g}")
        return ", ".join(shown)


def _rule(label: str, allow_baselines: bool) -> str:
    name = ALIASES.get(label, label)
    if name in SCHEMAS or (allow_baselines and name in BASELINES):
        return name
    if name in BASELINES:
        raise ConfigError(
            f"optimizer {label!r} is a baseline for --dataset comparisons, not for --function"
        )
    choices = [*SCHEMAS, *ALIASES, *(BASELINES if allow_baselines else ())]
    close = difflib.get_close_matches(label, choices, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(f"unknown optimizer {label!r}{hint}; expected one of {', '.join(choices)}")


def _keys(name: str) -> list[str]:
    if name in BASELINES:
        return list(BASELINES[name])
    return [k for k in SCHEMAS[name].model_fields if k != "name"]


def _validate(
    name: str, label: str, values: dict[str, Any], sources: dict[str, str]
) -> dict[str, float]:
    """Schema-checked hyperparameters for rule ``name`` (ranges as in training configs).

    ``sources`` says where a key's value came from ("override", "--lr"), for the message.
    """
    if name in BASELINES:
        out = {}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                where = sources.get(key, "default")
                raise ConfigError(f"{where}: {label}.{key} must be a number > 0, got {value!r}")
            out[key] = float(value)
        return out
    try:
        model = TypeAdapter(OptimizerConfig).validate_python({"name": name, **values})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][-1]) if err["loc"] else "?"
        msg = err["msg"][0].lower() + err["msg"][1:]
        where = sources.get(key, "default")
        raise ConfigError(f"{where}: {label}.{key}: {msg}, got {err.get('input')!r}") from None
    return {k: float(v) for k, v in model.model_dump().items() if k != "name"}


def resolve_optimizers(
    labels: Sequence[str],
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    defaults: dict[str, dict[str, float]] | None = None,
    allow_baselines: bool = False,
) -> list[OptimizerSpec]:
    """One spec per optimizer label x learning rate, hyperparameters resolved and validated.

    ``overrides`` are ``label.key=value`` strings (``adam.lr=0.3``, ``gd.lr=0.1``); each must
    name an optimizer in ``labels`` and a hyperparameter of its rule.
    """
    labels = list(dict.fromkeys(labels))
    rules = {label: _rule(label, allow_baselines) for label in labels}
    per_label: dict[str, dict[str, Any]] = {label: {} for label in labels}
    for text in overrides:
        parts, value = parse_override(text)
        if len(parts) != 2:
            raise ConfigError(
                f"override {text!r}: expected optimizer.hyperparameter=value (e.g. adam.lr=0.3)"
            )
        label, key = parts[0].lower(), parts[1]
        if label not in rules:
            _rule(label, allow_baselines=True)  # unknown name: says so, with the choices
            raise ConfigError(
                f"override {text!r}: optimizer {label!r} is not among --optimizers "
                f"({', '.join(labels)})"
            )
        keys = _keys(rules[label])
        if key not in keys:
            close = difflib.get_close_matches(key, keys, n=1)
            hint = f" (did you mean {label}.{close[0]}?)" if close else ""
            raise ConfigError(
                f"override {text!r}: {label} has no hyperparameter {key!r}{hint}; "
                f"it has {', '.join(keys)}"
            )
        per_label[label][key] = value
    specs = []
    defaults = defaults or {}
    for label in labels:
        name = rules[label]
        base = dict(BASELINES.get(name, {}))
        base.update(defaults.get(name, {}))
        lr_values: list[float | None] = list(lrs) if lrs and name not in BASELINES else [None]
        for lr in lr_values:
            values = dict(base)
            if lr is not None:
                values["lr"] = lr
            values.update(per_label[label])
            sources = {"lr": "--lr"} if lr is not None else {}
            sources.update({k: "override" for k in per_label[label]})
            specs.append(OptimizerSpec(label, name, _validate(name, label, values, sources)))
    return specs


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

    def row(self) -> dict[str, Any]:
        """The table row: final point and value, steps to tolerance, diverged, outcome."""
        final = self.path[-1]
        return {
            "optimizer": self.spec.label,
            "hyperparameters": self.spec.describe(),
            "start": _point_text(self.start),
            "steps": self.steps,
            "final point": _point_text(final),
            "final value": float(self.values[-1]),
            "steps to tol": self.steps_to_tol,
            "diverged": "yes" if self.diverged else "no",
            "outcome": self.outcome,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "optimizer": self.spec.label,
            "rule": self.spec.name,
            "hyperparameters": dict(self.spec.hyperparameters),
            "start": list(self.start),
            "steps": self.steps,
            "final_point": self.path[-1].tolist(),
            "final_value": float(self.values[-1]),
            "steps_to_tol": self.steps_to_tol,
            "diverged": self.diverged,
            "diverged_at": self.diverged_at,
            "outcome": self.outcome,
            "path": self.path.tolist(),
            "values": self.values.tolist(),
        }


def _point_text(p: Sequence[float] | np.ndarray) -> str:
    return "(" + ", ".join(f"{float(v):.4g}" for v in p) + ")"


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

    def rows(self) -> list[dict[str, Any]]:
        return [r.row() for r in self.results]

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
    for s in starts:
        if len(s) != objective.dim:
            raise ConfigError(
                f"--start: function {function!r} is {objective.dim}-D, got the point {s}"
            )
    steps = list(steps or [objective.steps])
    if any(not 1 <= n <= MAX_PATH_STEPS for n in steps):
        raise ConfigError(f"--steps: each value must be in 1..{MAX_PATH_STEPS}, got {steps}")
    if len(steps) == 1:
        steps = steps * len(starts)
    elif len(steps) != len(starts):
        raise ConfigError(
            f"--steps: got {len(steps)} values for {len(starts)} start points; give one value "
            "for all, or one per start"
        )
    specs = resolve_optimizers(
        optimizers or DEFAULT_FUNCTION_OPTIMIZERS, overrides, lrs, objective.defaults
    )
    comparison = FunctionComparison(objective, tol)
    for spec, (start, n) in itertools.product(specs, zip(starts, steps)):
        comparison.results.append(run_path(objective, spec, start, n, tol))
    return comparison


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


def plot_function_comparison(comparison: FunctionComparison, path: Path) -> Path:
    """Draw the comparison: contours with one panel per path (2-D), or the curve (1-D)."""
    from nnlab import plots

    o = comparison.objective
    panels = []
    for r in comparison.results:
        title = (
            r.spec.label if not r.spec.hyperparameters else f"{r.spec.label} ({r.spec.describe()})"
        )
        if len(comparison.results) > 1 and len({x.start for x in comparison.results}) > 1:
            title += f"\nstart {_point_text(r.start)}, {r.steps} steps"
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
        return plots.optimizer_paths_1d(grid["x"], grid["y"], panels, minima, suptitle, path)
    return plots.optimizer_paths_2d(grid["x"], grid["y"], grid["z"], panels, minima, suptitle, path)


# ----------------------------------------------------------------------------- datasets
# DLFS ch. 6 (optimizer_compare_mnist.py): SGD 0.01, Momentum 0.01, AdaGrad 0.01, Adam 0.001
DATASET_DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {"lr": 0.01},
    "momentum": {"lr": 0.01, "momentum": 0.9},
    "nesterov": {"lr": 0.01, "momentum": 0.9},
    "adagrad": {"lr": 0.01},
    "rmsprop": {"lr": 0.001},
    "adam": {"lr": 0.001},
}
DEFAULT_DATASET_OPTIMIZERS = ("sgd", "momentum", "adagrad", "adam")
DLFS_HIDDEN = (100, 100, 100, 100, 100)


def parse_hidden(text: str) -> list[int]:
    """``"100,100"`` -> [100, 100]; ``"none"`` or ``""`` -> [] (a linear classifier)."""
    if text.strip().lower() in ("", "none", "linear", "0"):
        return []
    return parse_ints(text, "--hidden")


def smooth_curve(values: Sequence[float] | np.ndarray, window: int = 11) -> np.ndarray:
    """DLFS's ``smooth_curve``: a Kaiser-window (beta 2) moving average, ends mirrored.

    Same length as ``values``; fewer than ``window`` values come back unchanged.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.size < window:
        return x.copy()
    half = window // 2
    padded = np.r_[x[window - 1 : 0 : -1], x, x[-1:-window:-1]]
    w = np.kaiser(window, 2)
    y = np.convolve(w / w.sum(), padded, mode="valid")
    return y[half : half + x.size]


def batch_stream(
    n: int, batch_size: int, rng: np.random.Generator, steps: int
) -> Iterator[np.ndarray]:
    """``steps`` minibatches of index arrays, epoch after epoch, exactly as ``fit`` draws them."""
    done = 0
    while done < steps:
        for idx in minibatches(n, batch_size, rng):
            yield idx
            done += 1
            if done >= steps:
                return


def _objective(model: MLP, x: np.ndarray, y: np.ndarray) -> float:
    """The training objective on (x, y) in evaluation mode (no dropout), L2 term included."""
    loss, _ = model.loss_fn(model.forward(x, train=False), y)
    return float(loss) + model.l2_penalty()


def _set_params(model: MLP, values: dict[str, np.ndarray]) -> None:
    for k, v in values.items():
        model.params[k][...] = v


def random_search(
    model: MLP,
    x: np.ndarray,
    y: np.ndarray,
    batches: Iterable[np.ndarray],
    scale: float,
    rng: np.random.Generator,
    on_step: Callable[[int, float], None] | None = None,
) -> int:
    """cs231n strategy 1: keep the best of N random parameter draws, ``W ~ scale * N(0, 1)``.

    One draw per minibatch; the draw replaces the incumbent when its objective on that batch is
    lower than the incumbent's on the same batch (two forward passes, no gradient). The model
    ends holding the incumbent. ``on_step(step, loss)`` gets the incumbent's loss on the batch
    before the comparison (as ``fit`` reports the loss before its update). Returns the steps.
    """
    best = {k: v.copy() for k, v in model.params.items()}
    step = 0
    for step, idx in enumerate(batches, start=1):
        xb, yb = x[idx], y[idx]
        _set_params(model, best)
        best_loss = _objective(model, xb, yb)
        draw = {k: (scale * rng.standard_normal(v.shape)).astype(v.dtype) for k, v in best.items()}
        _set_params(model, draw)
        if _objective(model, xb, yb) < best_loss:
            best = draw
        if on_step is not None:
            on_step(step, best_loss)
    _set_params(model, best)
    return step


def random_local_search(
    model: MLP,
    x: np.ndarray,
    y: np.ndarray,
    batches: Iterable[np.ndarray],
    step_size: float,
    rng: np.random.Generator,
    on_step: Callable[[int, float], None] | None = None,
) -> int:
    """cs231n strategy 2: from the model's current (initial) parameters, try
    ``W_try = W + step_size * N(0, 1)`` and move only if the objective on the minibatch falls.

    Both W and W_try are scored on the same batch. ``on_step`` as in ``random_search``.
    """
    current = {k: v.copy() for k, v in model.params.items()}
    step = 0
    for step, idx in enumerate(batches, start=1):
        xb, yb = x[idx], y[idx]
        _set_params(model, current)
        loss = _objective(model, xb, yb)
        trial = {
            k: v + (step_size * rng.standard_normal(v.shape)).astype(v.dtype)
            for k, v in current.items()
        }
        _set_params(model, trial)
        if _objective(model, xb, yb) < loss:
            current = trial
        if on_step is not None:
            on_step(step, loss)
    _set_params(model, current)
    return step


@dataclass
class DatasetRun:
    """One optimizer trained on the dataset: per-step losses and the final evaluation."""

    spec: OptimizerSpec
    losses: np.ndarray  # objective on each step's minibatch, before that step's update
    status: str  # COMPLETED or DIVERGED
    final: dict[str, Any]  # train_loss, train_acc, test_loss, test_acc (those evaluated)
    seconds: float

    @property
    def diverged(self) -> bool:
        return self.status == "DIVERGED"

    def row(self) -> dict[str, Any]:
        smoothed = smooth_curve(self.losses)
        row: dict[str, Any] = {
            "optimizer": self.spec.label,
            "hyperparameters": self.spec.describe(),
            "steps": int(self.losses.size),
            "batch loss (smoothed)": float(smoothed[-1]) if smoothed.size else None,
        }
        for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
            if key in self.final:
                row[key.replace("_", " ")] = self.final[key]
        row["diverged"] = "yes" if self.diverged else "no"
        row["seconds"] = round(self.seconds, 2)
        return row

    def to_json(self) -> dict[str, Any]:
        return {
            "optimizer": self.spec.label,
            "rule": self.spec.name,
            "hyperparameters": dict(self.spec.hyperparameters),
            "status": self.status,
            "diverged": self.diverged,
            "steps": int(self.losses.size),
            "final": dict(self.final),
            "seconds": self.seconds,
            "losses": self.losses.tolist(),
            "losses_smoothed": smooth_curve(self.losses).tolist(),
        }


@dataclass
class DatasetComparison:
    """Every optimizer on the same net, init and minibatch sequence (``cfg`` minus optimizer)."""

    cfg: Config
    data_source: str
    iterations: int
    results: list[DatasetRun] = field(default_factory=list)

    def describe(self) -> str:
        hidden = self.cfg.model.hidden
        net = f"{len(hidden)}x{hidden[0]} {self.cfg.model.activation} MLP" if hidden else "linear"
        return (
            f"{net}, {self.cfg.loss}, batch {self.cfg.batch_size}, {self.iterations} iterations, "
            f"seed {self.cfg.seed}"
        )

    def rows(self) -> list[dict[str, Any]]:
        return [r.row() for r in self.results]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "dataset",
            "dataset": self.cfg.dataset.name,
            "data_source": self.data_source,
            "setup": self.describe(),
            "config": self.cfg.model_dump(mode="json", exclude={"optimizer"}),
            "iterations": self.iterations,
            "runs": [r.to_json() for r in self.results],
        }


def dataset_config(
    dataset: str,
    hidden: Sequence[int] = DLFS_HIDDEN,
    loss: str = "softmax_ce",
    batch_size: int = 128,
    seed: int = 0,
    dtype: str = "float32",
    epochs: int = 1,
) -> Config:
    """The training config shared by every optimizer (He init, ReLU, no weight decay)."""
    if loss not in ("softmax_ce", "svm"):
        raise ConfigError(f"--loss: expected softmax_ce or svm, got {loss!r}")
    raw = {
        "name": "compare-optimizers",
        "seed": seed,
        "dtype": dtype,
        "dataset": {"name": dataset},
        "model": {"hidden": list(hidden)},
        "loss": loss,
        "batch_size": batch_size,
        "epochs": epochs,
        "eval": ["train"],
    }
    return validate(raw, source="compare-optimizers")


def compare_on_dataset(
    dataset: str,
    optimizers: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    *,
    iterations: int = 2000,
    hidden: Sequence[int] = DLFS_HIDDEN,
    loss: str = "softmax_ce",
    batch_size: int = 128,
    seed: int = 0,
    data_dir: Path | None = None,
    data: Dataset | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> DatasetComparison:
    """Train the same net from the same init on the same minibatch sequence with each optimizer.

    Gradient optimizers go through ``nnlab.train.fit`` (``max_steps=iterations``); the
    baselines (``random-search``, ``random-local-search``) through the search loops above, on
    the batches ``fit`` would draw. Each run starts from ``make_rngs(seed)``, so the weights at
    step 0 and the batch order are identical across optimizers. Train and test (if the dataset
    has one) are evaluated at the end.
    ``jobs`` > 1 trains the optimizers in that many worker processes (``sweep.process_pool``:
    one BLAS thread each, as here), with the same numbers.
    """
    if iterations < 1:
        raise ConfigError(f"--steps: iterations must be >= 1, got {iterations}")
    if jobs < 1:
        raise ConfigError(f"--jobs: expected a positive number of workers, got {jobs}")
    cfg = dataset_config(dataset, hidden, loss, batch_size, seed)
    specs = resolve_optimizers(
        optimizers or DEFAULT_DATASET_OPTIMIZERS, overrides, lrs, DATASET_DEFAULTS,
        allow_baselines=True,
    )  # fmt: skip
    if data is None:
        data = load_dataset(cfg.dataset, data_dir, cfg.dtype)
    n_train = data.splits["train"][0].shape[0]
    if batch_size > n_train:
        raise ConfigError(
            f"--batch-size: {batch_size} is larger than the training split ({n_train} samples)"
        )
    per_epoch = -(-n_train // batch_size)
    has_test = "test" in data.splits and len(data.splits["test"][1]) > 0
    eval_names = ["train", "test"] if has_test else ["train"]
    cfg = cfg.model_copy(update={"epochs": -(-iterations // per_epoch), "eval": eval_names})
    comparison = DatasetComparison(cfg, data.source, iterations)
    if progress is not None:
        progress(f"{comparison.describe()}; data: {data.source}")

    def report(r: DatasetRun) -> None:
        if progress is not None:
            accs = ", ".join(f"{k} {v:.4f}" for k, v in r.final.items() if k.endswith("_acc"))
            progress(f"{r.spec.label}: {r.losses.size} steps, {r.status.lower()}, {accs} "
                     f"({r.seconds:.1f}s)")  # fmt: skip

    if jobs > 1 and len(specs) > 1:
        from concurrent.futures import as_completed

        from nnlab.sweep import process_pool, stop_pool

        pool = process_pool(min(jobs, len(specs)))
        try:
            futures = {
                pool.submit(_train_one, spec, cfg, data, iterations, eval_names): i
                for i, spec in enumerate(specs)
            }
            done: dict[int, DatasetRun] = {}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                report(done[futures[future]])
        except BaseException:
            stop_pool(pool)
            raise
        pool.shutdown(wait=True)
        comparison.results.extend(done[i] for i in range(len(specs)))
        return comparison

    from threadpoolctl import threadpool_limits

    for spec in specs:
        # one BLAS thread: with 128-row batches the thread pool costs more than it saves
        # (200 steps of the DLFS net on digits: 13.7 s with OpenBLAS's default, 2.9 s with 1)
        with threadpool_limits(limits=1):
            comparison.results.append(_train_one(spec, cfg, data, iterations, eval_names))
        report(comparison.results[-1])
    return comparison


def _train_one(
    spec: OptimizerSpec, cfg: Config, data: Dataset, iterations: int, eval_names: list[str]
) -> DatasetRun:
    rngs = make_rngs(cfg.seed)
    model = build_model(cfg, data.input_dim, data.n_classes, rngs)
    losses: list[float] = []

    def on_step(step: int, loss: float) -> None:
        losses.append(loss)

    t0 = time.perf_counter()
    if spec.is_baseline:
        x, y = data.splits["train"]
        batches = batch_stream(x.shape[0], int(cfg.batch_size), rngs["order"], iterations)
        # a stream of its own: the child after make_rngs' (init, order, dropout)
        child = np.random.SeedSequence(cfg.seed).spawn(len(RNG_STREAMS) + 1)[-1]
        search_rng = np.random.default_rng(child)
        with np.errstate(all="ignore"):
            if spec.name == "random-search":
                random_search(model, x, y, batches, spec.hyperparameters["scale"], search_rng,
                              on_step)  # fmt: skip
            else:
                random_local_search(model, x, y, batches, spec.hyperparameters["step_size"],
                                    search_rng, on_step)  # fmt: skip
            final = evaluate(model, data.splits, eval_names, cfg.eval_batch_size)
        status = "COMPLETED"
    else:
        # only the final numbers are reported: no evaluation after each of the ~100s of epochs
        run_cfg = cfg.model_copy(
            update={"optimizer": SCHEMAS[spec.name](**spec.hyperparameters), "eval": []}
        )
        result = fit(model, spec.build(), data.splits, run_cfg, rngs, on_step=on_step,
                     max_steps=iterations)  # fmt: skip
        with np.errstate(all="ignore"):
            final = evaluate(model, data.splits, eval_names, cfg.eval_batch_size)
        status = result.status
    seconds = time.perf_counter() - t0
    return DatasetRun(spec, np.asarray(losses, dtype=np.float64), status, final, seconds)


def plot_dataset_comparison(comparison: DatasetComparison, path: Path) -> Path:
    """Smoothed per-step training loss of every optimizer in one figure (DLFS fig. 6-9)."""
    from nnlab import plots

    curves = [
        {
            "label": f"{r.spec.label} ({r.spec.describe()})",
            "loss": r.losses,
            "smoothed": smooth_curve(r.losses),
        }
        for r in comparison.results
    ]
    title = f"{comparison.cfg.dataset.name}: {comparison.describe()}"
    return plots.optimizer_loss_curves(curves, title, path)


# ----------------------------------------------------------------------------- run folders
def open_run(runs_dir: Path, out: Path | None, **fields: Any) -> runs.Lifecycle:
    """A new folder's lifecycle: exactly ``out`` if given, else ``<runs_dir>/<stamp>-<name>-<id>``."""
    name, kind = "compare-optimizers", "compare-optimizers"
    if out is not None:
        out = Path(out)
        return runs.start(out.parent, name, kind, folder=out.name, **fields)
    return runs.start(runs_dir, name, kind, **fields)


def _copy_figure(src: Path, dest: Path | None) -> Path | None:
    return None if dest is None else runs.copy_file(src, dest)


@dataclass
class ComparisonRun:
    """A finished comparison and the folder it was written to (``figure``: the PNG in it)."""

    comparison: Any
    run: runs.RunDir
    figure: Path
    figure_copy: Path | None = None

    def rows(self) -> list[dict[str, Any]]:
        return self.comparison.rows()

    def to_json(self) -> dict[str, Any]:
        files = {"run": str(self.run.path), "figure": str(self.figure)}
        if self.figure_copy is not None:
            files["figure_copy"] = str(self.figure_copy)
        return {**self.comparison.to_json(), **files}


def run_function_comparison(
    function: str,
    optimizers: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    starts: Sequence[Sequence[float]] | str | None = None,
    steps: Sequence[int] | None = None,
    tol: float = 1e-2,
    *,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    figure: Path | None = None,
) -> ComparisonRun:
    """``compare_on_function`` into a run folder: result.json (every path), summary.txt, paths.png.

    ``starts`` may be the ``--start`` text (``"-7,2"``, ``"0.5,-1.0"`` for 1-D, ``"a,b;c,d"``).
    ``figure`` also writes a copy of the PNG there (e.g. docs/optimizer-paths.png).
    Bad arguments raise ConfigError before any folder is created.
    """
    if isinstance(starts, str):
        starts = parse_starts(starts, get_objective(function).dim, function)
    comparison = compare_on_function(function, optimizers, overrides, lrs, starts, steps, tol)
    with open_run(runs_dir, out, function=function, tol=tol) as life:
        run = life.run
        run.write_json("result.json", comparison.to_json())
        title = f"compare-optimizers on {function}: {comparison.objective.formula}"
        run.write_text("summary.txt", table_text(comparison.rows(), title=title))
        png = plot_function_comparison(comparison, run.file("paths.png"))
        copy = _copy_figure(png, figure)
    return ComparisonRun(comparison, run, png, copy)


def run_dataset_comparison(
    dataset: str,
    optimizers: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    *,
    iterations: int = 2000,
    hidden: Sequence[int] = DLFS_HIDDEN,
    loss: str = "softmax_ce",
    batch_size: int = 128,
    seed: int = 0,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    figure: Path | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> ComparisonRun:
    """``compare_on_dataset`` into a run folder: config.yaml (shared part), result.json (every
    loss curve), summary.txt, losses.png. Bad arguments and data errors raise before any
    folder is created."""
    if jobs < 1:
        raise ConfigError(f"--jobs: expected a positive number of workers, got {jobs}")
    cfg = dataset_config(dataset, hidden, loss, batch_size, seed)
    resolve_optimizers(
        optimizers or DEFAULT_DATASET_OPTIMIZERS, overrides, lrs, DATASET_DEFAULTS,
        allow_baselines=True,
    )  # fmt: skip
    data = load_dataset(cfg.dataset, data_dir, cfg.dtype)
    with open_run(runs_dir, out, dataset=dataset, seed=seed, data_source=data.source) as life:
        run = life.run
        comparison = compare_on_dataset(
            dataset, optimizers, overrides, lrs, iterations=iterations, hidden=hidden,
            loss=loss, batch_size=batch_size, seed=seed, data=data, progress=progress,
            jobs=jobs,
        )  # fmt: skip
        run.write_text("config.yaml", to_yaml(comparison.cfg))
        run.write_json("result.json", comparison.to_json())
        title = f"compare-optimizers on {dataset}: {comparison.describe()}"
        run.write_text("summary.txt", table_text(comparison.rows(), title=title))
        png = plot_dataset_comparison(comparison, run.file("losses.png"))
        copy = _copy_figure(png, figure)
        life.note(diverged=[r.spec.label for r in comparison.results if r.diverged])
    return ComparisonRun(comparison, run, png, copy)


__all__ = [
    "BASELINES",
    "OBJECTIVES",
    "FunctionComparison",
    "OptimizerSpec",
    "PathResult",
    "compare_on_function",
    "resolve_optimizers",
    "run_path",
]
