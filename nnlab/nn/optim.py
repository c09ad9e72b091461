"""Optimizers following ``torch.optim``'s update rules.

Each optimizer is its hyperparameters (constructor) plus an explicit state: a dict of plain
arrays keyed ``"<slot>/<param name>"`` and a step counter ``t``, so it round-trips through
``np.savez`` (``state_dict`` / ``load_state_dict``). ``step(params, grads)`` updates the
parameter arrays in place; gradient g is the gradient of the full objective (weight decay, if
any, is already in it: nnlab adds L2 to the loss, not inside the optimizer).

Notation: w parameter, g gradient, lr learning rate, t step number starting at 1.

Sources: each class's docstring writes its rule as the pseudocode of its ``torch.optim`` page
(https://pytorch.org/docs/stable/optim.html), the reference its numbers are tested against
(``tests/nn/test_torch_oracle_optim.py``), and names where DLFS 6.1 (SGD 6.1.2, Momentum
6.1.4, AdaGrad 6.1.5, Adam 6.1.6), cs231n's notes ("Neural Networks Part 3", parameter updates)
and d2l chapter 11 write it otherwise. ``tests/nn/test_optim.py`` steps each rule against its
equations by hand and against the books' forms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class Hyper:
    """A hyperparameter as the config sees it: default, meaning, allowed range (gt/ge/lt/le)."""

    default: float
    help: str
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None


LR = Hyper(0.01, "learning rate", gt=0)


class Optimizer:
    """Base class: hyperparameters in the constructor, state in ``self.state``.

    A new optimizer is a subclass with ``name``, ``slots``, ``hyper`` (the constructor's
    arguments with their defaults and ranges: the config schema, ``--help`` and the docs read
    them) and ``update``, plus one entry in ``nnlab.nn.registry.OPTIMIZERS``. In ``update``,
    the learning rate ``self.rate(key)`` appears once and multiplies an array of the
    parameter's dtype, never another Python number first: the whole step
    (``w -= self.rate(key) * (g + mu * v)``) or the gradient before the rest of the step
    (``w -= self.rate(key) * g / (np.sqrt(h) + eps)``, i.e. ``(lr * g) / (...)``). A stack of
    nets holds it per net as an array of that dtype, and a Python float lr times a float32
    array is the same float32 product as that array times the float32 lr; ``lr * mu * v``
    would round ``lr * mu`` in float64 first, and a stack's nets would part from their runs
    alone.
    """

    name = "base"
    slots: tuple[str, ...] = ()  # the state arrays kept per parameter ("<slot>/<param>")
    hyper: ClassVar[dict[str, Hyper]] = {"lr": LR}

    def __init__(self, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        self.lr = lr
        self.t = 0
        self.state: dict[str, np.ndarray] = {}
        # Per-parameter learning rates overriding lr (empty: lr for all). A stack of nets with
        # different learning rates (``nnlab.nn.stacked``) puts net k's lr over net k's block of
        # each stacked parameter, in the parameter's dtype: lr * g is then the same product of
        # the same two numbers as for the net alone (a Python float lr meets float32 g as
        # float32 too).
        self.lrs: dict[str, np.ndarray] = {}

    def hyperparameters(self) -> dict[str, float]:
        """The constructor's arguments, by name: each of ``hyper`` (lr first), read from the
        attribute of its name (every subclass keeps them so: ``self.momentum = momentum``)."""
        return {name: getattr(self, name) for name in self.hyper}

    def rate(self, key: str) -> float | np.ndarray:
        """The learning rate of parameter ``key``: ``lr``, or its entry in ``lrs``."""
        return self.lrs.get(key, self.lr)

    def _slot(self, slot: str, key: str, like: np.ndarray) -> np.ndarray:
        """The state array ``<slot>/<key>``, made as zeros like ``like`` on first use."""
        name = f"{slot}/{key}"
        buf = self.state.get(name)
        if buf is None:
            buf = self.state[name] = np.zeros_like(like)
        return buf

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """One update of every parameter, in place: t <- t + 1, then ``update`` each."""
        self.t += 1
        for key, w in params.items():
            self.update(key, w, grads[key])

    def update(self, key: str, w: np.ndarray, g: np.ndarray) -> None:
        """The update rule: parameter ``key``'s array ``w`` moved in place, given its gradient
        ``g`` and its state (``_slot``)."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """The state as plain arrays (``t`` included), ready for ``np.savez``."""
        return {"t": np.array(self.t), **{k: v.copy() for k, v in self.state.items()}}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """The state ``state_dict`` gave (``t`` and every slot), copied in."""
        self.t = int(state["t"])
        self.state = {k: np.array(v) for k, v in state.items() if k != "t"}


class SGD(Optimizer):
    """Plain stochastic gradient descent (DLFS 6.1.2), as ``torch.optim.SGD`` (no momentum)::

        w <- w - lr * g

    With momentum it is ``Momentum`` or ``Nesterov``, each its own optimizer here. The default
    lr, 0.01, is DLFS's (as Momentum's and Nesterov's lr and momentum 0.9); ``torch.optim.SGD``'s
    are lr 0.001 and momentum 0.
    The step rounds twice, lr * g and then the difference; torch's ``add_(g, alpha=-lr)`` is one
    fused multiply-add (rounded once), so the two part in the last bit from the first step, in
    float32 and float64 alike (``tests/nn/test_torch_oracle_optim.py`` bounds what it adds up to).
    """

    name = "sgd"

    def update(self, key: str, w: np.ndarray, g: np.ndarray) -> None:
        w -= self.rate(key) * g


class Momentum(Optimizer):
    """SGD with (heavy-ball) momentum (DLFS 6.1.4), as ``torch.optim.SGD(momentum=mu)``::

        v <- mu * v + g          (v starts at 0, so v_1 = g as in torch)
        w <- w - lr * v

    DLFS and cs231n write ``v <- mu * v - lr * g; w <- w + v``. With a constant lr the two are
    the same iterates (the book's v equals -lr times torch's v); they differ only when lr
    changes during training, where torch's form applies the new lr to the accumulated velocity.
    d2l (section 11.6) writes torch's form.
    torch's ``dampening`` is 0 here (not offered). With momentum 0 this keeps v (the last
    gradient) where torch keeps no buffer: the same steps, one more array of state.
    """

    name = "momentum"
    slots = ("v",)
    hyper = {"lr": LR, "momentum": Hyper(0.9, "weight of the previous velocity", ge=0, lt=1)}

    def __init__(self, lr: float, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = momentum

    def update(self, key: str, w: np.ndarray, g: np.ndarray) -> None:
        v = self._slot("v", key, w)
        v *= self.momentum
        v += g
        w -= self.rate(key) * v


class Nesterov(Momentum):
    """Nesterov momentum, as ``torch.optim.SGD(momentum=mu, nesterov=True)``::

        v <- mu * v + g
        w <- w - lr * (g + mu * v)

    Sutskever et al. 2013 take the gradient at a look-ahead point, theta + mu * u (u their
    velocity, -lr times this v); this form keeps that point as w, so the gradient is taken where
    the parameters are. cs231n's ``v = mu * v - lr * g; x += -mu * v_prev + (1 + mu) * v`` is
    the same rewriting in the book's velocity and gives the same iterates with a constant lr.
    DLFS's ``Nesterov`` (``common/optimizer.py``) is another rule: it updates its velocity first,
    then ``w += mu^2 * v - (1 + mu) * lr * g`` with that new v, where the paper it cites (Bengio
    et al. 2012, eq. 7) and cs231n add mu^2 times the velocity before the update. In this v,
    DLFS's step is lr * ((1 + mu) g + mu^2 v_t) and this one's lr * ((1 + mu) g + mu^2 v_{t-1})
    (= lr * (g + mu * v_t)): DLFS's first step is (1 + mu + mu^2) lr g (2.71 lr g at mu 0.9,
    not 1.9); on a constant gradient both approach lr g / (1 - mu). chainer's ``NesterovAG``
    has the same line (chainer issue 4274).
    Its hyperparameters and state are Momentum's; only the step differs, and momentum must be
    above 0 (torch refuses ``nesterov=True`` without momentum: with mu 0 this is plain SGD).
    """

    name = "nesterov"
    hyper = {
        **Momentum.hyper,
        "momentum": Hyper(0.9, "weight of the previous velocity", gt=0, lt=1),
    }

    def update(self, key: str, w: np.ndarray, g: np.ndarray) -> None:
        v = self._slot("v", key, w)
        v *= self.momentum
        v += g
        w -= self.rate(key) * (g + self.momentum * v)


class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al. 2011; DLFS 6.1.5), as ``torch.optim.Adagrad`` (no lr decay)::

        h <- h + g^2
        w <- w - lr * g / (sqrt(h) + eps)

    h, the sum of squared gradients, is DLFS's h (torch's ``state_sum``, d2l's s); it starts
    at 0 (torch's ``initial_accumulator_value=0``, ``lr_decay=0``). torch's default eps is
    1e-10; DLFS uses 1e-7 (also outside the square root); d2l (section 11.7) writes
    lr * g / sqrt(h + eps), eps inside the square root.
    """

    name = "adagrad"
    slots = ("h",)
    hyper = {"lr": LR, "eps": Hyper(1e-10, "added to sqrt(h) in the denominator", gt=0)}

    def __init__(self, lr: float, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.eps = eps

    def update(self, key: str, w: np.ndarray, g: np.ndarray) -> None:
        h = self._slot("h", key, w)
        h += g * g
        w -= self.rate(key) * g / (np.sqrt(h) + self.eps)


class RMSProp(Optimizer):
    """RMSProp (Hinton's lecture 6e), as ``torch.optim.RMSprop`` (no momentum, not centred)::

        h <- alpha * h + (1 - alpha) * g^2
        w <- w - lr * g / (sqrt(h) + eps)

    h, the average of squared gradients, is torch's v (``square_avg``) and d2l's s; alpha is
    torch's alpha (d2l's gamma). torch's defaults: alpha 0.99, eps 1e-8. alpha may be 0, as
    in torch (h is then the last g^2, the step lr * g / (|g| + eps): Adam's v with beta2 0,
    which is accepted too). eps is
    added after the square root, as in torch and DLFS (whose eps is a fixed 1e-7, and whose
    ``decay_rate`` 0.99 is this alpha); d2l (section 11.8) writes sqrt(h + eps), and
    torch's docs note that TensorFlow adds it inside too.
    (1 - alpha) * g^2 is computed as torch's ``addcmul`` does, ((1 - alpha) * g) * g: g * g
    first overflowed where torch's does not (|g| from 1.3e154 in float64, 1.8e19 in float32,
    at alpha 0.99), and h, inf from then on, froze the weight for the rest of the run.
    """

    name = "rmsprop"
    slots = ("h",)
    hyper = {
        "lr": LR,
        "alpha": Hyper(0.99, "decay of the squared-gradient average", ge=0, lt=1),
        "eps": Hyper(1e-8, "added to sqrt(h) in the denominator", gt=0),
    }

    def __init__(self, lr: float, alpha: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.alpha = alpha
        self.eps = eps

    def update(self, key: str, w: np.ndarray, g: np.ndarray) -> None:
        h = self._slot("h", key, w)
        h *= self.alpha
        h += (1 - self.alpha) * g * g
        w -= self.rate(key) * g / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015; DLFS 6.1.6), as ``torch.optim.Adam``::

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
        w <- w - lr * m_hat / (sqrt(v_hat) + eps)

    m and v are torch's and the paper's symbols (d2l names them v and s; DLFS m and v).
    eps sits outside the square root, after bias correction, as in torch, d2l (section 11.10)
    and the paper's Algorithm 1. DLFS computes the paper's "more efficient" order (the end of
    its section 2): both bias corrections folded into the step size,
    ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``, then
    ``w <- w - lr_t * m / (sqrt(v) + 1e-7)``. That is this rule with
    eps = 1e-7 / sqrt(1 - beta2^t) (3.2e-6 at t = 1, falling towards 1e-7); its moment
    updates (``m += (1 - beta1) * (g - m)``) are the ones above in another order.
    No ``amsgrad``; weight decay is the model's L2 term, in g: torch's coupled ``Adam``
    ``weight_decay``, not ``AdamW``'s decoupled one. The step is computed as written above but
    for what could overflow, which is torch's order: (1 - beta2) * g^2 as ((1 - beta2) * g) * g
    (torch's ``addcmul``) and sqrt(v_hat) as sqrt(v) / sqrt(1 - beta2^t) (v / (1 - beta2^t) is
    g^2 at t = 1, inf from |g| = 1.3e154 in float64, 1.8e19 in float32: the step was then 0,
    where torch's is lr; and g * g overflowing made v inf for good, the weight frozen). torch
    also updates m by ``lerp`` and takes ``lr / (1 - beta1^t)`` as one step size, so the two
    part by rounding alone (``tests/nn/test_torch_oracle.py`` holds float64 runs to 1e-10).
    """

    name = "adam"
    slots = ("m", "v")
    hyper = {
        "lr": Hyper(0.001, "learning rate", gt=0),
        "beta1": Hyper(0.9, "decay of the gradient average m", ge=0, lt=1),
        "beta2": Hyper(0.999, "decay of the squared-gradient average v", ge=0, lt=1),
        "eps": Hyper(1e-8, "added to sqrt(v_hat) in the denominator", gt=0),
    }

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps

    def update(self, key: str, w: np.ndarray, g: np.ndarray) -> None:
        m = self._slot("m", key, w)
        v = self._slot("v", key, w)
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**self.t)
        w -= self.rate(key) * m_hat / (np.sqrt(v) / math.sqrt(1 - self.beta2**self.t) + self.eps)
