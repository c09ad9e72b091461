"""``nnlab gradcheck`` without a config: what it checks and in what order. Each layer type in
isolation on inputs drawn away from its kinks (every registered activation, BatchNorm in train
and eval mode, dropout and the stacked layers with their masks fixed), each registered loss on
its scores (the SVM's margins off its kink), then a small float64 network of each kind
(``NETS``, and one for every activation and loss they leave out); and how much work that is
(``check_builtin_work``), checked against the work limit before any of it runs. The check of
each: ``nnlab.experiments.gradcheck``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.costs import CALL_SECONDS, numeric_check_work
from nnlab.errors import NnlabError
from nnlab.experiments.gradcheck import (
    DEFAULT_BATCH,
    DEFAULT_EPS,
    DEFAULT_MAX_ENTRIES,
    CheckSettings,
    Progress,
    Row,
    check_layer,
    check_loss,
    check_model,
    single_thread_blas,
    verdict_counts,
)
from nnlab.limits import check_work
from nnlab.nn.layers import Affine, BatchNorm, Dropout, ReLU
from nnlab.nn.model import MLP, build_mlp
from nnlab.nn.registry import ACTIVATIONS, LOSSES
from nnlab.nn.stacked import StackedAffine, StackedDropout
from nnlab.output import counted


# ----------------------------------------------------------------------------- layers, losses
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
    counts = verdict_counts(rows)
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
