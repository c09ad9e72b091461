"""The cs231n gradient-free baselines a dataset comparison trains beside the optimizers
(``random-search``, ``random-local-search``), on the minibatches ``fit`` would draw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from nnlab.nn.model import MLP
from nnlab.train import minibatches


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
    loss, _ = model.loss_fn(model.forward(x, train=False, keep=False), y)
    return float(loss) + model.l2_penalty()


def _set_params(model: MLP, values: dict[str, np.ndarray]) -> None:
    for k, v in values.items():
        model.params[k][...] = v


Params = dict[str, np.ndarray]


def random_search(
    model: MLP, x: np.ndarray, y: np.ndarray, batches: Iterable[np.ndarray], scale: float,
    rng: np.random.Generator, on_step: Callable[[int, float], None] | None = None,
) -> int:  # fmt: skip
    """cs231n strategy 1: keep the best of N random parameter draws, ``W ~ scale * N(0, 1)``.

    One draw per minibatch; the draw replaces the incumbent when its objective on that batch is
    lower than the incumbent's on the same batch (two forward passes, no gradient). The model
    ends holding the incumbent. ``on_step(step, loss)`` gets the incumbent's loss on the batch
    before the comparison (as ``fit`` reports the loss before its update). Returns the steps.
    """

    def draw(best: Params) -> Params:
        return {k: (scale * rng.standard_normal(v.shape)).astype(v.dtype) for k, v in best.items()}

    return _search(model, x, y, batches, draw, on_step)


def random_local_search(
    model: MLP, x: np.ndarray, y: np.ndarray, batches: Iterable[np.ndarray], step_size: float,
    rng: np.random.Generator, on_step: Callable[[int, float], None] | None = None,
) -> int:  # fmt: skip
    """cs231n strategy 2: from the model's current (initial) parameters, try
    ``W_try = W + step_size * N(0, 1)`` and move only if the objective on the minibatch falls.

    Both W and W_try are scored on the same batch. ``on_step`` as in ``random_search``.
    """

    def step_from(current: Params) -> Params:
        return {
            k: v + (step_size * rng.standard_normal(v.shape)).astype(v.dtype)
            for k, v in current.items()
        }

    return _search(model, x, y, batches, step_from, on_step)


def _search(
    model: MLP,
    x: np.ndarray,
    y: np.ndarray,
    batches: Iterable[np.ndarray],
    propose: Callable[[Params], Params],
    on_step: Callable[[int, float], None] | None,
) -> int:
    """Per minibatch: score the incumbent and ``propose(incumbent)`` on it, keep the lower."""
    incumbent = {k: v.copy() for k, v in model.params.items()}
    step = 0
    for step, idx in enumerate(batches, start=1):
        xb, yb = x[idx], y[idx]
        _set_params(model, incumbent)
        loss = _objective(model, xb, yb)
        candidate = propose(incumbent)
        _set_params(model, candidate)
        if _objective(model, xb, yb) < loss:
            incumbent = candidate
        if on_step is not None:
            on_step(step, loss)
    _set_params(model, incumbent)
    return step
