"""A group of nets the training loop trains: K >= 1 nets of one architecture, each on its own
minibatches. ``Solo`` is one ``MLP``; ``nnlab.nn.stacked.StackedMLP`` is K nets side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from nnlab.nn.model import MLP


class Group(Protocol):
    """What ``fit_group`` trains: K >= 1 nets of one architecture, each on its own minibatches.

    ``params`` / ``grads`` / ``buffers`` are the arrays an optimizer steps (all K nets at once);
    every other method answers per net, by position 0..K-1 in the group. Implemented by
    ``Solo`` (one ``MLP``) and ``nnlab.nn.stacked.StackedMLP`` (K nets side by side).
    """

    size: int
    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    buffers: dict[str, np.ndarray]

    def train_step(
        self, x: np.ndarray, y: np.ndarray, batches: Sequence[np.ndarray]
    ) -> list[float]: ...
    def evaluate(
        self, x: np.ndarray, y: np.ndarray, batch_size: int
    ) -> list[tuple[float, float]]: ...
    def params_finite(self) -> list[bool]: ...
    def select(self, keep: Sequence[int]) -> Group: ...
    def take(self, arrays: dict[str, np.ndarray], keep: Sequence[int]) -> dict[str, np.ndarray]: ...
    def net_arrays(self, pos: int, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]: ...


class Solo:
    """One ``MLP`` as a group of one: the plain path, layer by layer as ``nnlab.nn`` writes it."""

    size = 1

    def __init__(self, model: MLP) -> None:
        self.model = model
        self.params, self.grads, self.buffers = model.params, model.grads, model.buffers
        self._batches: dict[tuple[tuple[int, ...], np.dtype], np.ndarray] = {}

    def train_step(
        self, x: np.ndarray, y: np.ndarray, batches: Sequence[np.ndarray]
    ) -> list[float]:
        """Forward and backward on the net's batch (rows ``batches[0]``): its objective.
        The batch is gathered into a buffer kept for the next step of its size (``x[idx]``'s
        values, without a fresh array: a full batch of a wide dataset is tens of MB, which
        the system zeroes page by page every step)."""
        (idx,) = batches
        key = ((len(idx), *x.shape[1:]), x.dtype)
        if key not in self._batches:
            self._batches[key] = np.empty(key[0], dtype=x.dtype)
        xb = np.take(x, idx, axis=0, out=self._batches[key], mode="clip")  # (valid rows: no
        # bounds check, whose buffering would allocate the array again)
        return [self.model.loss_and_grads(xb, y[idx], train=True)]

    def evaluate(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> list[tuple[float, float]]:
        return [self.model.evaluate(x, y, batch_size)]

    def params_finite(self) -> list[bool]:
        """True when every parameter is finite: its sum is (a sum propagates any NaN or inf),
        or, where the sum of finite values overflowed, every entry is."""
        with np.errstate(over="ignore", invalid="ignore"):
            return [
                all(np.isfinite(np.sum(p)) or np.isfinite(p).all() for p in self.params.values())
            ]

    def select(self, keep: Sequence[int]) -> Solo:
        return self  # a group of one keeps its net (or has none left to train)

    def take(self, arrays: dict[str, np.ndarray], keep: Sequence[int]) -> dict[str, np.ndarray]:
        return arrays

    def net_arrays(self, pos: int, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in arrays.items()}
