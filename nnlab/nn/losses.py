"""Losses: each returns ``(loss, dscores)`` in one pass, averaged over the batch.

``scores`` are the network's raw outputs (logits), ``y`` the integer labels.

Softmax cross-entropy and the SVM hinge are written once for scores with leading axes
(``*_per_net``): K nets' scores stacked as (K, N, C) with labels (K, N) give each net's loss in
one pass, every net's numbers bit for bit those of its own (N, C) block (the operations are
elementwise or reduce over one net's samples; ``nnlab.nn.stacked`` uses them, tests check it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlab.nn.layers import sigmoid

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
PerNetLossFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy, L = -1/N sum_n log softmax(s_n)[y_n] (DLFS 5.6.3's
    Softmax-with-Loss layer; cs231n ``softmax_loss``).

    Shapes: scores (N, C), y (N,) int -> loss scalar, dscores (N, C).
    Stable: the row max is subtracted before exponentiating (it cancels in the ratio), so with
    z = s_n - max_j s_nj, log softmax(s_n)[y_n] = z[y_n] - log(sum_j exp(z_j)).
    Gradient: dscores = (softmax(s) - onehot(y)) / N, softmax(s_n) = exp(z) / sum_j exp(z_j).

    The exact log-softmax, as ``torch.nn.functional.cross_entropy`` and cs231n's
    ``softmax_loss``. DLFS's ``cross_entropy_error`` takes -log(p + 1e-7), p = softmax(s_n)[y_n]:
    lower by log(1 + 1e-7 / p) per sample (about 1e-7 / p) and never above -log(1e-7) = 16.1,
    where this loss of a confidently wrong sample grows without bound; its gradient is this one.
    """
    loss, dscores = softmax_cross_entropy_per_net(scores, y)
    return float(loss), dscores


def softmax_cross_entropy_per_net(
    scores: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``softmax_cross_entropy`` of each net of a stack: scores (K, N, C), y (K, N) int ->
    losses (K,), dscores (K, N, C). (Without the K axis: one net, a 0-d loss.)"""
    n, at_label = scores.shape[-2], label_index(y)
    shifted = scores - last_axis_max(scores)
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=-1, keepdims=True)
    log_probs_y = shifted[at_label] - np.log(sum_exp[..., 0])
    loss = -np.mean(log_probs_y, axis=-1)
    dscores = exp / sum_exp
    dscores[at_label] -= 1
    dscores /= n
    return loss, dscores


def svm_hinge(scores: np.ndarray, y: np.ndarray, margin: float = 1.0) -> tuple[float, np.ndarray]:
    """Multiclass SVM (Weston-Watkins) hinge loss, as cs231n's notes ("Linear classification")
    and ``svm_loss`` write it.

    L = 1/N sum_n sum_{j != y_n} max(0, s_nj - s_n,y_n + margin).
    Shapes: scores (N, C), y (N,) int -> loss scalar, dscores (N, C).
    Gradient: +1/N for every violating j, -(count of violations)/N at y_n.

    Deliberately C times ``torch.nn.functional.multi_margin_loss`` (p=1), which also divides
    each sample's sum by the number of classes C; cs231n (and Weston-Watkins) do not.
    """
    loss, dscores = svm_hinge_per_net(scores, y, margin)
    return float(loss), dscores


def svm_hinge_per_net(
    scores: np.ndarray, y: np.ndarray, margin: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """``svm_hinge`` of each net of a stack: scores (K, N, C), y (K, N) int -> losses (K,),
    dscores (K, N, C). (Without the K axis: one net, a 0-d loss.)"""
    n, lead, at_label = scores.shape[-2], scores.shape[:-2], label_index(y)
    margins = np.maximum(0, scores - scores[at_label][..., None] + margin)
    margins[at_label] = 0
    loss = margins.reshape(*lead, -1).sum(axis=-1) / n  # a net's N x C margins in one sum
    positive = (margins > 0).astype(scores.dtype)
    positive[at_label] = -positive.sum(axis=-1)
    return loss, positive / scores.dtype.type(n)


def last_axis_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=-1, keepdims=True)``. With few classes, a running ``np.maximum`` over the
    columns: the same numbers (a maximum is exact; NaN propagates as in ``max``) 5-10x faster
    than NumPy's reduction over a short inner axis (8 vs 58 us for 1,000 x 10 scores)."""
    if a.shape[-1] > 32:
        return a.max(axis=-1, keepdims=True)
    m = a[..., 0].copy()
    for j in range(1, a.shape[-1]):
        np.maximum(m, a[..., j], out=m)
    return m[..., None]


def label_index(y: np.ndarray) -> tuple[np.ndarray, ...]:
    """The index of each sample's label score: ``scores[label_index(y)]`` is (..., N), as
    ``scores[np.arange(N), y]`` for one net. A negative label is a ValueError, as in torch
    (NumPy would read -1 as the last class; a label past the last is NumPy's IndexError)."""
    if y.size and y.min() < 0:
        raise ValueError(f"labels must be class indices >= 0, got {y.min()}")
    return (*np.indices(y.shape, sparse=True), y)


def sigmoid_bce(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on one sigmoid output (logistic regression's cost, as Ng's
    deeplearning.ai course writes it for the cat-vs-noncat data; torch's
    ``binary_cross_entropy_with_logits``).

    L = -1/N sum_n [y_n log a_n + (1 - y_n) log(1 - a_n)], a = sigmoid(s).
    Shapes: scores (N, 1), y (N,) in {0, 1} -> loss scalar, dscores (N, 1).
    Stable form: L_n = max(s, 0) - s y + log(1 + exp(-|s|)). Gradient: (a - y) / N.
    ``log1p`` keeps the last term exact where a confident net makes it tiny; torch's
    ``binary_cross_entropy_with_logits`` loses digits there (4e-4 relative on a float32
    net's test loss of 2e-4; tests/nn/test_torch_oracle_float32.py).
    """
    s = scores[:, 0]
    t = y.astype(scores.dtype)
    per_sample = np.maximum(s, 0) - s * t + np.log1p(np.exp(-np.abs(s)))
    loss = float(np.mean(per_sample))
    dscores = ((sigmoid(s) - t) / scores.dtype.type(s.shape[0]))[:, None]
    return loss, dscores


@dataclass(frozen=True)
class Loss:
    """A loss as the model uses it: ``fn(scores, y) -> (loss, dscores)``; ``binary``: one output
    unit read through a sigmoid (two classes only), else one score per class (argmax);
    ``per_net``: optional, the same loss on a stack's scores in one call (else net by net)."""

    fn: LossFn
    binary: bool = False
    per_net: PerNetLossFn | None = None  # the same loss on K nets' scores (K, N, C) at once

    def __call__(self, scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        return self.fn(scores, y)

    def predict(self, scores: np.ndarray) -> np.ndarray:
        """Class predictions from scores: argmax, or ``s > 0`` for the single sigmoid unit.

        A row with a score that is not finite (NaN or an overflow to +-inf) predicts no class
        (-1, which matches no label), so a net whose outputs overflowed scores 0 accuracy.
        (``np.argmax``, like ``torch.argmax``, takes the first NaN or +inf for the maximum, and
        ``NaN > 0`` is False: both would credit a diverged net with some class's share, ~0.1 on
        MNIST. A score overflows only where the loss does too, so this changes no finite
        run.)"""
        if self.binary:
            pred = (scores[:, 0] > 0).astype(np.int64)
            pred[~np.isfinite(scores[:, 0])] = -1
            return pred
        pred = np.argmax(scores, axis=1)
        pred[~np.isfinite(scores).all(axis=1)] = -1
        return pred

    def units(self, n_classes: int, name: str = "") -> int:
        """Output units for ``n_classes`` classes (ValueError if a binary loss meets more)."""
        if self.binary:
            if n_classes != 2:
                raise ValueError(f"loss {name!r} needs 2 classes, the data has {n_classes}")
            return 1
        return n_classes
