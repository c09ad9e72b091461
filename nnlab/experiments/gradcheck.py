"""Gradient checks: every analytic gradient nnlab computes, against centred finite differences.

``nnlab gradcheck`` with no config checks each layer type in isolation (on its input and every
parameter), each loss (on its scores) and a small network of each kind; with a config it checks
the network that config builds on a small batch of its data. ``--compare-differences`` shows
why the check uses centred differences and a step near 1e-5.

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
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.costs import (
    CALL_SECONDS,
    fixed_seconds,
    numeric_check_work,
    numeric_gradient_bytes,
    numeric_gradient_work,
    parameter_sizes,
)
from nnlab.errors import ConfigError, NnlabError
from nnlab.limits import check_work
from nnlab.nn.gradcheck import numeric_gradient_at, rel_error
from nnlab.nn.layers import Affine, BatchNorm, Dropout, Layer, ReLU
from nnlab.nn.model import MLP, build_mlp
from nnlab.nn.registry import ACTIVATIONS, LOSSES
from nnlab.nn.stacked import StackedAffine, StackedDropout
from nnlab.output import counted

PASS_BELOW = 1e-7
FAIL_ABOVE = 1e-4
DEFAULT_EPS = 1e-5
DEFAULT_BATCH = 8
DEFAULT_MAX_ENTRIES = 200

THRESHOLDS_NOTE = """\
max_rel_error: max|analytic - numeric| / max(|analytic| + |numeric|) over the checked entries
  (the absolute error when the whole gradient is ~0, e.g. an Affine bias just before BatchNorm).
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


def eps_note(eps: float) -> str | None:
    """A warning when ``eps`` is far from the step where centred differences are most exact."""
    if 1e-6 <= eps <= 1e-4:
        return None
    cause = "truncation error O(eps^2)" if eps > 1e-4 else "round-off error O(1e-16 / eps)"
    return (
        f"note: eps {eps:g} is far from 1e-5; {cause} alone can exceed the thresholds "
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


def _away_from_zero(a: np.ndarray, gap: float = 0.1) -> np.ndarray:
    """Push every entry at least ``gap`` away from 0 (keeps ReLU inputs off the kink)."""
    return a + np.where(a >= 0, gap, -gap)


def _svm_scores(
    rng: np.random.Generator, n: int, c: int, gap: float = 0.05, draws: int = 1000
) -> np.ndarray:
    """Scores (n, c) whose SVM margins are all at least ``gap`` away from the kink at 0: the
    first of up to ``draws`` draws that has them; past that (a batch of hundreds, where a draw
    with none of its n x c margins near 0 almost never comes: the loop hung), the last draw
    with each margin near 0 moved to 2 * ``gap`` on its side by its own score."""
    y = np.arange(n) % c
    for _ in range(draws):
        scores = rng.standard_normal((n, c))
        m = scores - scores[np.arange(n), y][:, None] + 1.0
        m[np.arange(n), y] = 1.0
        if np.min(np.abs(m)) > gap:
            return scores
    near = np.abs(m) <= gap
    scores[near] += np.where(m[near] >= 0, 2 * gap, -2 * gap) - m[near]
    return scores


LAYER_IN, SCORES, STACK = 5, 5, 3  # the layers' inputs' columns, the losses', the stacks' nets


def layer_and_loss_rows(
    eps: float = DEFAULT_EPS,
    batch: int = DEFAULT_BATCH,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    seed: int = 0,
) -> list[Row]:
    """Every layer type in isolation and every loss on its scores, in float64."""
    rng = np.random.default_rng(seed)
    n, d, m, c = max(batch, 2), LAYER_IN, 4, SCORES
    f64 = np.float64

    def x_in(cols: int = d) -> np.ndarray:
        return rng.standard_normal((n, cols))

    opts: dict[str, Any] = {"eps": eps, "max_entries": max_entries, "rng": rng}
    affine = Affine(rng.standard_normal((d, m)), rng.standard_normal(m))
    rows = check_layer(affine, x_in(), **opts)
    for cls in ACTIVATIONS.values():  # every registered activation (ReLU's input off its kink)
        rows += check_layer(cls(), _away_from_zero(x_in()) if cls is ReLU else x_in(), **opts)
    for train in (True, False):
        bn = BatchNorm(d, dtype=f64)
        bn.params["gamma"][:] = rng.uniform(0.5, 1.5, d)
        bn.params["beta"][:] = rng.standard_normal(d)
        bn.buffers["running_mean"][:] = rng.standard_normal(d) * 0.3
        bn.buffers["running_var"][:] = rng.uniform(0.5, 2.0, d)
        label = "BatchNorm/train" if train else "BatchNorm/eval"
        rows += check_layer(bn, 2 * x_in() + 1, name=label, train=train, **opts)
    drop = Dropout(0.5, np.random.default_rng(seed + 1))
    drop.keep_mask = True  # the mask drawn on the first forward pass is reused
    rows += check_layer(drop, x_in(), name="Dropout/mask", **opts)
    k = STACK  # nets side by side, as a sweep trains its stacks (nnlab.nn.stacked)
    stacked = StackedAffine(rng.standard_normal((k, d, m)), rng.standard_normal(k * m))
    rows += check_layer(stacked, x_in(k * d), name="StackedAffine", **opts)
    sdrop = StackedDropout(0.5, [np.random.default_rng([seed, 2, i]) for i in range(k)])
    sdrop.keep_mask = True
    rows += check_layer(sdrop, x_in(k * d), name="StackedDropout/mask", **opts)

    y = np.arange(n) % c
    for name, loss in LOSSES.items():  # every registered loss (the SVM's margins off its kink)
        if loss.binary:
            rows.append(check_loss(name, x_in(1), np.arange(n) % 2, **opts))
        else:
            scores = _svm_scores(rng, n, c) if name == "svm" else x_in(c)
            rows.append(check_loss(name, scores, y, **opts))
    return rows


# ----------------------------------------------------------------------------- networks
# The small networks of the no-argument check: every activation, loss and regulariser.
NETS: dict[str, dict[str, Any]] = {
    "relu softmax": {"activation": "relu", "loss": "softmax_ce"},
    "sigmoid svm": {"activation": "sigmoid", "loss": "svm"},
    "tanh bce": {"activation": "tanh", "loss": "bce"},
    "relu batchnorm": {"activation": "relu", "batchnorm": True},
    "relu dropout": {"activation": "relu", "dropout": 0.3},
    "tanh weight-decay": {"activation": "tanh", "weight_decay": 0.1},
    "relu bn+dropout+wd svm": {
        "activation": "relu",
        "batchnorm": True,
        "dropout": 0.3,
        "weight_decay": 0.1,
        "loss": "svm",
    },
}
NET_INPUT, NET_HIDDEN, NET_CLASSES = 6, (7, 5), 4


def nets() -> dict[str, dict[str, Any]]:
    """``NETS``, and a net for every registered activation and loss they do not use yet."""
    out = dict(NETS)
    used_acts = {n.get("activation") for n in NETS.values()}
    used_losses = {n.get("loss", "softmax_ce") for n in NETS.values()}
    out.update({f"{a} softmax": {"activation": a} for a in ACTIVATIONS if a not in used_acts})
    out.update({f"relu {name}": {"loss": name} for name in LOSSES if name not in used_losses})
    return out


def nets_note(batch: int = DEFAULT_BATCH) -> str:
    """One line saying what the built-in networks are."""
    sizes = " -> ".join(map(str, (NET_INPUT, *NET_HIDDEN, NET_CLASSES)))
    return f"networks: {sizes} (1 output for bce), batch {max(batch, 2)}, dropout masks fixed"


def small_net(
    kind: str, batch: int = DEFAULT_BATCH, seed: int = 0
) -> tuple[MLP, np.ndarray, np.ndarray]:
    """A float64 network of ``kind`` (a key of NETS) and a random batch (x, y) for it."""
    known = nets()
    if kind not in known:
        raise NnlabError(f"unknown network {kind!r}; expected one of {', '.join(known)}")
    spec = dict(known[kind])
    loss = spec.get("loss", "softmax_ce")
    rng_init, rng_drop, rng_data = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    n_classes = 2 if LOSSES[loss].binary else NET_CLASSES
    model = build_mlp(
        NET_INPUT,
        NET_HIDDEN,
        LOSSES[loss].units(n_classes, loss),
        init="xavier",
        rng_init=rng_init,
        rng_dropout=rng_drop,
        dtype=np.float64,
        **spec,
    )
    for affine in model.affines:  # non-zero biases, so a dropped bias gradient shows
        affine.params["b"][:] = 0.1 * rng_init.standard_normal(affine.params["b"].shape)
    n = max(batch, 2)
    x = rng_data.standard_normal((n, NET_INPUT))
    y = rng_data.integers(0, n_classes, n)
    return model, x, y


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


def check_builtin(
    settings: CheckSettings = CheckSettings(), progress: Progress | None = None
) -> list[Row]:
    """``nnlab gradcheck`` without a config: layers, losses, then one small network per kind.
    ``progress`` gets a line per group checked (the layers and losses, each network)."""
    eps, batch, max_entries, seed = (
        settings.eps, settings.batch, settings.max_entries, settings.seed
    )  # fmt: skip
    say = progress or (lambda line: None)
    check_builtin_work(settings)
    with single_thread_blas():
        rows = layer_and_loss_rows(eps, batch, max_entries, seed)
        say(f"layers and losses: {_verdicts(rows)}")
        rng = np.random.default_rng(seed)
        for kind in nets():
            model, x, y = small_net(kind, batch, seed)
            net_rows = check_model(
                model, x, y, group=f"net {kind}", eps=eps, max_entries=max_entries, rng=rng
            )
            say(f"net {kind}: {_verdicts(net_rows)}")
            rows += net_rows
    return rows


def _verdicts(rows: Sequence[Row]) -> str:
    """'17 rows, all pass' or '6 rows: 5 pass, 1 fail', for a progress line."""
    counts = {v: sum(r.verdict == v for r in rows) for v in ("pass", "warn", "fail")}
    if counts["pass"] == len(rows):
        return f"{counted(len(rows), 'row')}, all pass"
    return f"{counted(len(rows), 'row')}: " + ", ".join(f"{n} {v}" for v, n in counts.items() if n)


def check_builtin_work(settings: CheckSettings) -> None:
    """ConfigError if the built-in check would take longer than the work limit: each entry of a
    layer's input (and a loss's scores) is ``--batch`` rows, each a call over all of them
    (``costs.numeric_check_work``); each network's parameters, calls over the batch."""
    n = max(settings.batch, 2)
    columns = [LAYER_IN] * (4 + len(ACTIVATIONS)) + [STACK * LAYER_IN] * 2
    columns += [1 if loss.binary else SCORES for loss in LOSSES.values()]
    widths = [NET_INPUT, *NET_HIDDEN, NET_CLASSES]
    net = sum(a * b + b for a, b in zip(widths, widths[1:])) + 2 * sum(NET_HIDDEN)
    arrays = [(n * cols, n * cols) for cols in columns] + [(net, n * sum(widths))] * len(nets())
    calls, moved = numeric_check_work(arrays, settings.max_entries)
    what = f"the built-in check of {counted(n, 'sample')}"
    shorter = "a smaller --batch or --max-entries"
    check_work(what, 0, calls, shorter, ("call", "calls"), fixed=calls * CALL_SECONDS, moved=moved)


# ----------------------------------------------------------------------------- config mode
def check_numeric_work(
    cfg: Any, input_dim: int, n_classes: int, batch: int, entries: int, passes: int
) -> None:
    """ConfigError, before the model is built, if ``passes`` forward passes over ``batch`` rows
    for each of ``entries`` parameter entries of ``cfg``'s net would take longer than the work
    limit (``limits.check_work``): a wide net checked entry by entry takes days."""
    from nnlab.build import describe_net

    work = numeric_gradient_work(cfg, input_dim, n_classes, batch, entries, passes)
    what = (
        f"a numeric gradient of {counted(f'{entries:,}', 'parameter entry', 'parameter entries')}"
        f" of {cfg.name} ({describe_net(cfg, input_dim)}) on {counted(batch, 'sample')}"
    )
    shorter = "a smaller --max-entries or --batch, or a smaller net"
    fixed = fixed_seconds(cfg, 0, work[1])  # (a forward pass: an evaluation batch's calls)
    moved = numeric_gradient_bytes(cfg, input_dim, n_classes, batch, work[1])
    check_work(what, *work, shorter, ("forward pass", "forward passes"), fixed=fixed, moved=moved)


def config_target(
    cfg: Any,
    data_dir: Path | None = None,
    batch: int = DEFAULT_BATCH,
    seed: int = 0,
    max_entries: int | None = None,
    data: Any = None,
) -> tuple[MLP, np.ndarray, np.ndarray]:
    """The network ``cfg`` builds, in float64, and ``batch`` random training samples of its data
    (``data``: its ``Dataset`` in float64, if the caller loaded it; else read from ``data_dir``).
    With ``max_entries``: refused first if centred differences of that many entries of each
    parameter would take longer than the work limit (``check_numeric_work``)."""
    from nnlab.build import build_model, make_rngs
    from nnlab.data import load_dataset

    cfg = cfg.model_copy(update={"dtype": "float64"})
    if data is None:
        data = load_dataset(cfg.dataset, data_dir, "float64")
    x_train, y_train = data.split("train")
    if cfg.loss == "bce" and data.n_classes != 2:
        raise ConfigError(
            f"loss: 'bce' needs 2 classes, dataset {data.name!r} has {data.n_classes}"
        )
    if cfg.model.batchnorm and batch < 2:
        raise NnlabError("--batch: BatchNorm needs a batch of at least 2 samples")
    n = min(batch, len(y_train))
    if cfg.model.batchnorm and n < 2:
        raise ConfigError("dataset: BatchNorm needs at least 2 training samples")
    if max_entries is not None:
        sizes = parameter_sizes(cfg, data.input_dim, data.n_classes)
        entries = sum(min(size, max_entries) for size in sizes)
        check_numeric_work(cfg, data.input_dim, data.n_classes, n, entries, passes=2)
    idx = np.sort(np.random.default_rng(seed).choice(len(y_train), size=n, replace=False))
    model = build_model(cfg, data.input_dim, data.n_classes, make_rngs(cfg.seed))
    return model, np.ascontiguousarray(x_train[idx]), y_train[idx]


def check_config(
    cfg: Any,
    data_dir: Path | None = None,
    settings: CheckSettings = CheckSettings(),
    progress: Progress | None = None,
) -> list[Row]:
    """``nnlab gradcheck cfg.yaml``: the config's network on ``batch`` samples of its data
    (``progress``: a line per parameter checked)."""
    s = settings
    model, x, y = config_target(cfg, data_dir, s.batch, s.seed, s.max_entries)
    rng = np.random.default_rng(s.seed)
    with single_thread_blas():
        return check_model(
            model, x, y, group=f"config {cfg.name}", eps=s.eps, max_entries=s.max_entries,
            rng=rng, progress=progress,
        )  # fmt: skip
