"""Names -> the core's building blocks: the one place to add an activation, an initialiser, a
loss or an optimizer. Config validation, ``--help`` choices, gradient checks and the config
reference read these tables, so a new entry is all the rest of nnlab needs.

- activation: a ``Layer`` subclass in ``layers.py`` that acts on each element alone (so it
  runs unchanged on a stack of nets), checked by ``nnlab gradcheck``;
- initialiser: ``std(n_in, n_out, init_std) -> float`` in ``init.py`` (weights ~ N(0, std^2));
- loss: a ``Loss`` around ``fn(scores, y) -> (loss, dscores)`` in ``losses.py``;
- optimizer: an ``Optimizer`` subclass in ``optim.py`` (its ``hyper`` is its config schema).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from nnlab.nn import init
from nnlab.nn.layers import Layer, ReLU, Sigmoid, Tanh
from nnlab.nn.losses import (
    Loss,
    sigmoid_bce,
    softmax_cross_entropy,
    softmax_cross_entropy_per_net,
    svm_hinge,
    svm_hinge_per_net,
)
from nnlab.nn.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSProp

T = TypeVar("T")

ACTIVATIONS: dict[str, type[Layer]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}

INITS: dict[str, init.InitStd] = {
    "zeros": init.zeros,
    "std": init.fixed,
    "xavier": init.xavier,
    "glorot": init.glorot,
    "he": init.he,
}

LOSSES: dict[str, Loss] = {
    "softmax_ce": Loss(softmax_cross_entropy, per_net=softmax_cross_entropy_per_net),
    "svm": Loss(svm_hinge, per_net=svm_hinge_per_net),
    "bce": Loss(sigmoid_bce, binary=True),
}

OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam)
}


def choose(table: dict[str, T], what: str, name: str) -> T:
    """``table[name]``, or a ValueError naming ``what`` was asked for and the choices."""
    if name not in table:
        raise ValueError(f"unknown {what} {name!r}; expected one of {', '.join(table)}")
    return table[name]


def init_std(kind: str, n_in: int, n_out: int, std: float = 0.01) -> float:
    """The standard deviation that initialiser ``kind`` uses for an (n_in, n_out) weight."""
    return choose(INITS, "init", kind)(n_in, n_out, std)


def init_weight(kind: str, n_in: int, n_out: int, rng: np.random.Generator, std: float = 0.01,
                dtype: np.dtype | type = np.float32) -> np.ndarray:  # fmt: skip
    """An (n_in, n_out) weight matrix of initialiser ``kind`` (``nnlab.nn.init.init_weight``)."""
    return init.init_weight(choose(INITS, "init", kind), n_in, n_out, rng, std=std, dtype=dtype)


def make_optimizer(name: str, **hyperparameters: float) -> Optimizer:
    """Build an optimizer by name (``sgd``, ``momentum``, ``nesterov``, ``adagrad``, ...)."""
    return choose(OPTIMIZERS, "optimizer", name)(**hyperparameters)
