"""Losses: each returns ``(loss, dscores)`` in one pass, averaged over the batch.

``scores`` are the network's raw outputs (logits), ``y`` the integer labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlab.nn.layers import sigmoid

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy, L = -1/N sum_n log softmax(s_n)[y_n].

    Shapes: scores (N, C), y (N,) int -> loss scalar, dscores (N, C).
    Stable: the row max is subtracted before exponentiating (it cancels in the ratio).
    Gradient: dscores = (softmax(s) - onehot(y)) / N.
    """
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1, keepdims=True)
    log_probs_y = shifted[np.arange(n), y] - np.log(sum_exp[:, 0])
    loss = -float(np.mean(log_probs_y))
    dscores = exp / sum_exp
    dscores[np.arange(n), y] -= 1
    dscores /= n
    return loss, dscores


def svm_hinge(scores: np.ndarray, y: np.ndarray, margin: float = 1.0) -> tuple[float, np.ndarray]:
    """Multiclass SVM (Weston-Watkins) hinge loss, as in cs231n.

    L = 1/N sum_n sum_{j != y_n} max(0, s_nj - s_n,y_n + margin).
    Shapes: scores (N, C), y (N,) int -> loss scalar, dscores (N, C).
    Gradient: +1/N for every violating j, -(count of violations)/N at y_n.
    """
    n = scores.shape[0]
    correct = scores[np.arange(n), y][:, None]
    margins = np.maximum(0, scores - correct + margin)
    margins[np.arange(n), y] = 0
    loss = float(margins.sum() / n)
    positive = (margins > 0).astype(scores.dtype)
    positive[np.arange(n), y] = -positive.sum(axis=1)
    return loss, positive / scores.dtype.type(n)


def sigmoid_bce(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on one sigmoid output (logistic regression's cost).

    L = -1/N sum_n [y_n log a_n + (1 - y_n) log(1 - a_n)], a = sigmoid(s).
    Shapes: scores (N, 1), y (N,) in {0, 1} -> loss scalar, dscores (N, 1).
    Stable form: L_n = max(s, 0) - s y + log(1 + exp(-|s|)). Gradient: (a - y) / N.
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
    unit read through a sigmoid (two classes only), else one score per class (argmax)."""

    fn: LossFn
    binary: bool = False

    def __call__(self, scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        return self.fn(scores, y)

    def predict(self, scores: np.ndarray) -> np.ndarray:
        """Class predictions from scores: argmax, or ``s > 0`` for the single sigmoid unit."""
        if self.binary:
            return (scores[:, 0] > 0).astype(np.int64)
        return np.argmax(scores, axis=1)

    def units(self, n_classes: int, name: str = "") -> int:
        """Output units for ``n_classes`` classes (ValueError if a binary loss meets more)."""
        if self.binary:
            if n_classes != 2:
                raise ValueError(f"loss {name!r} needs 2 classes, the data has {n_classes}")
            return 1
        return n_classes
