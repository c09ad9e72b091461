"""Gradient checks: analytic gradients against centred finite differences, a row per array.

This module is the check itself: a row and its verdict (``Row``, ``verdict``), how a check runs
(``CheckSettings``), the comparison at chosen entries that counts kink crossings (``compare``),
and the checks of one layer, one loss and one network (``check_layer``, ``check_loss``,
``check_model``). What ``nnlab gradcheck`` checks with them: without a config, each layer type,
each loss and a small network of each kind (``gradcheck_builtin``); with a config, the network
it builds on a small batch of its data (``gradcheck_config``). ``--compare-differences``
(``differences``) shows why the check uses centred differences and a step near 1e-5; the
command's report and entry point: ``gradcheck_report``.

Everything runs in float64 (in float32 the round-off of f, ~1e-7 relative, divided by the step
swamps the comparison) and with a batch of at least 2 when BatchNorm is present (with one sample
the batch variance is 0 and the output does not depend on x).

How to read a row (cs231n's thresholds, on ``nnlab.nn.gradcheck.rel_error``):

- relative error below 1e-7: **pass**, the analytic gradient is right;
- 1e-7 .. 1e-4: **warn**, suspicious; acceptable when the row crossed kinks;
- above 1e-4: **fail**, the backward pass is wrong - unless every entry that errs that much
  crossed a kink, in which case the row is a **warn** too.

A kink is a point where the objective is not differentiable: a ReLU input or an SVM margin at 0.
When x +- eps lands on the other side of one, the finite difference mixes two slopes and can be
off by O(1) although the analytic gradient is right. ``kinks`` counts the checked entries whose
+-eps evaluations changed any ReLU mask or the set of active SVM margins: the kink crossings
that can explain a larger error. Inputs are drawn away from kinks where we choose them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from nnlab.errors import NnlabError
from nnlab.nn.gradcheck import numeric_gradient_at, rel_error
from nnlab.nn.layers import BatchNorm, Layer, ReLU
from nnlab.nn.model import MLP
from nnlab.nn.registry import LOSSES
from nnlab.numbers import config_number

PASS_BELOW = 1e-7
FAIL_ABOVE = 1e-4
DEFAULT_EPS = 1e-5
DEFAULT_BATCH = 8
DEFAULT_MAX_ENTRIES = 200

THRESHOLDS_NOTE = """\
error: the relative error max|analytic - numeric| / max(|analytic| + |numeric|) over the
  checked entries (max_rel_error in -f json and csv; the absolute error when the whole gradient
  is ~0, e.g. an Affine bias just before BatchNorm).
verdict (cs231n's thresholds):  < 1e-7 fine: pass  |  1e-7..1e-4 suspicious: warn
  |  > 1e-4 wrong: fail, unless only entries that crossed a kink err that much (then warn).
kinks: checked entries whose +-eps evaluations crossed a kink (a ReLU input or an SVM margin
  changed sign); the finite difference there mixes two slopes, which can explain a larger error.
exit code: 0 when no row fails (warn rows pass), 1 when any row fails."""

KinkPattern = list[np.ndarray]
Objective = Callable[[], tuple[float, KinkPattern]]
Progress = Callable[[str], None]  # a progress line (the command prints it on stderr)


@dataclass(frozen=True)
class Row:
    """One checked array: where it lives, how well the gradients agree, the verdict."""

    group: str  # "layer", "loss", "net <kind>" or "config <name>"
    layer: str
    param: str
    shape: tuple[int, ...]
    checked: int  # entries compared
    size: int  # entries in the array
    max_rel_error: float
    kinks: int
    verdict: str  # pass | warn | fail

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["shape"] = list(self.shape)
        return d


def verdict(error: float, error_off_kinks: float) -> str:
    """pass / warn / fail from the error over all entries and over kink-free entries only."""
    if error < PASS_BELOW:
        return "pass"
    if error <= FAIL_ABOVE or error_off_kinks <= FAIL_ABOVE:
        return "warn"
    return "fail"


VERDICTS = ("pass", "warn", "fail")


def verdict_counts(rows: Sequence[Row]) -> dict[str, int]:
    """How many ``rows`` have each verdict, in the order of ``VERDICTS``."""
    return {v: sum(r.verdict == v for r in rows) for v in VERDICTS}


def check_settings(eps: float, batch: int = DEFAULT_BATCH, max_entries: int = 1) -> None:
    """Raise a one-line NnlabError for settings a gradient check cannot run with."""
    if not eps > 0:
        raise NnlabError(f"--eps: expected a positive step, got {eps:g}")
    if eps >= 1:
        raise NnlabError(f"--eps: a step of {eps:g} is far too large; try 1e-5")
    if batch < 1:
        raise NnlabError(f"--batch: expected at least 1 sample, got {batch}")
    if max_entries < 1:
        raise NnlabError(f"--max-entries: expected at least 1, got {max_entries}")


@dataclass(frozen=True)
class CheckSettings:
    """How a check runs: the centred-difference step, the batch, how many entries of each
    parameter (a random subset past ``max_entries``) and the seed of batch and subsets."""

    eps: float = DEFAULT_EPS
    batch: int = DEFAULT_BATCH
    max_entries: int = DEFAULT_MAX_ENTRIES
    seed: int = 0

    def __post_init__(self) -> None:
        check_settings(self.eps, self.batch, self.max_entries)


def eps_note(eps: float) -> str | None:
    """A warning when ``eps`` is far from the step where centred differences are most exact."""
    if 1e-6 <= eps <= 1e-4:
        return None
    cause = "truncation error O(eps^2)" if eps > 1e-4 else "round-off error O(1e-16 / eps)"
    return (
        f"note: eps {config_number(eps)} is far from 1e-5; {cause} alone can exceed the thresholds "
        "(see --compare-differences)"
    )


# ----------------------------------------------------------------------------- core check
class _KinkProbe:
    """Wraps an objective returning (value, kink pattern) as a plain f() for numeric gradients.

    Records, for every call, whether the kink pattern differs from the one at the base point.
    """

    def __init__(self, objective: Objective) -> None:
        self.objective = objective
        _, self.base = objective()
        self.crossed: list[bool] = []

    def __call__(self) -> float:
        value, pattern = self.objective()
        self.crossed.append(
            any(not np.array_equal(p, b) for p, b in zip(pattern, self.base, strict=True))
        )
        return value


def pick_entries(shape: tuple[int, ...], max_entries: int, rng: np.random.Generator) -> list:
    """All multi-indices of ``shape``, or a random subset of ``max_entries`` of them (sorted)."""
    size = int(np.prod(shape))
    if size <= max_entries:
        return list(np.ndindex(shape))
    flat = np.sort(rng.choice(size, size=max_entries, replace=False))
    return [tuple(int(i) for i in idx) for idx in zip(*np.unravel_index(flat, shape))]


def compare(
    objective: Objective,
    x: np.ndarray,
    analytic: np.ndarray,
    entries: Sequence[tuple[int, ...]],
    eps: float,
) -> tuple[float, int, float]:
    """(max rel error, kink crossings, max rel error over kink-free entries) at ``entries``."""
    probe = _KinkProbe(objective)
    numeric = numeric_gradient_at(probe, x, entries, eps=eps, centred=True)
    crossed = np.array(probe.crossed, dtype=bool).reshape(len(entries), 2).any(axis=1)
    picked = analytic[tuple(np.array(entries).T)] if entries else np.zeros(0)
    error = rel_error(picked, numeric)
    clean = ~crossed
    error_off = rel_error(picked[clean], numeric[clean]) if clean.any() else 0.0
    return error, int(crossed.sum()), error_off


def _row(
    group: str,
    layer: str,
    param: str,
    objective: Objective,
    x: np.ndarray,
    analytic: np.ndarray,
    eps: float,
    max_entries: int,
    rng: np.random.Generator,
) -> Row:
    entries = pick_entries(x.shape, max_entries, rng)
    error, kinks, error_off = compare(objective, x, analytic, entries, eps)
    return Row(
        group,
        layer,
        param,
        tuple(x.shape),
        len(entries),
        int(x.size),
        error,
        kinks,
        verdict(error, error_off),
    )


def svm_active(scores: np.ndarray, y: np.ndarray, margin: float = 1.0) -> np.ndarray:
    """Which SVM margins s_j - s_y + margin (j != y) are positive: the loss's kink pattern."""
    n = scores.shape[0]
    active = scores - scores[np.arange(n), y][:, None] + margin > 0
    active[np.arange(n), y] = False
    return active


# ----------------------------------------------------------------------------- layers, losses
def check_layer(
    layer: Layer,
    x: np.ndarray,
    *,
    name: str | None = None,
    train: bool = True,
    eps: float = DEFAULT_EPS,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    rng: np.random.Generator | None = None,
    group: str = "layer",
) -> list[Row]:
    """Rows for dL/dx and dL/dparam of one layer, with L = sum(layer(x) * dout), dout random."""
    rng = rng if rng is not None else np.random.default_rng(0)
    name = name or type(layer).__name__
    out = layer.forward(x, train)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    analytic = {"x": dx.copy(), **{k: g.copy() for k, g in layer.grads.items()}}

    def objective() -> tuple[float, KinkPattern]:
        value = float(np.sum(layer.forward(x, train) * dout))
        return value, [layer.x > 0] if isinstance(layer, ReLU) else []

    arrays = {"x": x, **layer.params}
    return [
        _row(group, name, k, objective, arr, analytic[k], eps, max_entries, rng)
        for k, arr in arrays.items()
    ]


def check_loss(
    loss: str,
    scores: np.ndarray,
    y: np.ndarray,
    *,
    eps: float = DEFAULT_EPS,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    rng: np.random.Generator | None = None,
) -> Row:
    """The row for dL/dscores of loss ``loss`` (a key of ``nnlab.nn.registry.LOSSES``)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    fn = LOSSES[loss]
    _, dscores = fn(scores, y)

    def objective() -> tuple[float, KinkPattern]:
        value, _ = fn(scores, y)
        return value, [svm_active(scores, y)] if loss == "svm" else []

    return _row("loss", loss, "scores", objective, scores, dscores, eps, max_entries, rng)


# ----------------------------------------------------------------------------- networks
def net_objective(model: MLP, x: np.ndarray, y: np.ndarray) -> Objective:
    """f() = data loss + L2 penalty in training mode, with the model's kink pattern."""
    relus = [layer for layer in model.layers.values() if isinstance(layer, ReLU)]

    def objective() -> tuple[float, KinkPattern]:
        scores = model.forward(x, train=True)
        loss, _ = model.loss_fn(scores, y)
        pattern = [r.x > 0 for r in relus]
        if model.loss_name == "svm":
            pattern.append(svm_active(scores, y))
        return loss + model.l2_penalty(), pattern

    return objective


def fix_dropout_masks(model: MLP, x: np.ndarray) -> None:
    """Freeze every dropout mask (``Dropout.keep_mask``) at the one drawn for batch ``x``."""
    for layer in model.dropout_layers():
        layer.keep_mask = True
    model.forward(x, train=True)


def check_model(
    model: MLP,
    x: np.ndarray,
    y: np.ndarray,
    *,
    group: str,
    eps: float = DEFAULT_EPS,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    rng: np.random.Generator | None = None,
    progress: Progress | None = None,
) -> list[Row]:
    """One row per parameter of ``model`` on batch (x, y); dropout masks are fixed first.
    ``progress`` gets a line per parameter checked."""
    rng = rng if rng is not None else np.random.default_rng(0)
    if model.dtype != np.float64:
        raise NnlabError(f"gradient checks need a float64 model, got {model.dtype}")
    if any(isinstance(layer, BatchNorm) for layer in model.layers.values()) and x.shape[0] < 2:
        raise NnlabError("--batch: BatchNorm needs a batch of at least 2 samples")
    fix_dropout_masks(model, x)
    model.loss_and_grads(x, y, train=True)
    analytic = {k: g.copy() for k, g in model.grads.items()}
    objective = net_objective(model, x, y)
    rows = []
    for key, arr in model.params.items():
        layer, _, param = key.partition(".")
        rows.append(_row(group, layer, param, objective, arr, analytic[key], eps, max_entries, rng))
        if progress is not None:
            progress(f"{group}: {key} {rows[-1].verdict}")
    return rows


def single_thread_blas() -> Any:
    """A context limiting BLAS to one thread: a check is thousands of tiny forward passes, for
    which thread start-up costs more than it saves (10x slower on a busy 2-core machine)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)
