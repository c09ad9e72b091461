"""Weight initialisers. Each is ``std(n_in, n_out, init_std) -> float``, the standard deviation
of an (n_in, n_out) weight matrix W ~ N(0, std^2), which ``init_weight`` draws; biases are always
zero (``torch.nn.Linear``'s default draws its bias from U(-1/sqrt(n_in), 1/sqrt(n_in))).

============  ===========================  =============================================
name          std of N(0, std^2)           reference (torch's equivalent)
============  ===========================  =============================================
``zeros``     0                            (never breaks symmetry: a teaching example)
``std``       the given ``std``            DLFS ``weight_init_std``; cs231n ``0.01 * randn``
``xavier``    sqrt(1 / n_in)               DLFS 6.2.2 calls this "Xavier" (torch has no
                                           name for it; ``kaiming_normal_`` with
                                           ``nonlinearity="linear"`` draws it)
``glorot``    sqrt(2 / (n_in + n_out))     Glorot & Bengio 2010: the variance of their
                                           eq. 12's uniform, drawn from a normal
                                           (torch: ``xavier_normal_``)
``he``        sqrt(2 / n_in)               He et al. 2015, for ReLU (torch:
                                           ``kaiming_normal_`` with its defaults)
============  ===========================  =============================================

No initialiser takes a gain for the activation (torch's ``calculate_gain``, which its init
functions take as an argument): ``he`` is sqrt(2 / n_in) before a tanh too, ``glorot`` has gain 1.

Mind the names: torch's ``xavier_normal_`` is ``glorot`` here, not ``xavier`` (for a 784 x 100
layer, 0.0476 against 0.0357); nnlab's ``xavier`` is the book's. W here is (n_in, n_out), the
transpose of a ``torch.nn.Linear`` weight (out, in): torch's ``fan_in`` is n_in.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

InitStd = Callable[[int, int, float], float]  # (n_in, n_out, the config's init_std) -> std


def zeros(n_in: int, n_out: int, init_std: float) -> float:
    return 0.0


def fixed(n_in: int, n_out: int, init_std: float) -> float:
    return float(init_std)


def xavier(n_in: int, n_out: int, init_std: float) -> float:
    return math.sqrt(1.0 / n_in)


def glorot(n_in: int, n_out: int, init_std: float) -> float:
    return math.sqrt(2.0 / (n_in + n_out))


def he(n_in: int, n_out: int, init_std: float) -> float:
    return math.sqrt(2.0 / n_in)


def init_weight(
    std_of: InitStd,
    n_in: int,
    n_out: int,
    rng: np.random.Generator,
    std: float = 0.01,
    dtype: np.dtype | type = np.float32,
) -> np.ndarray:
    """Draw an (n_in, n_out) weight matrix W ~ N(0, s^2) with s = ``std_of(n_in, n_out, std)``
    (an initialiser of ``nnlab.nn.registry.INITS``).

    The normal draws are made in float64 and then scaled and cast, so a float32 and a float64
    network with the same seed start from the same weights (up to rounding).
    """
    s = std_of(n_in, n_out, std)
    if s == 0.0:
        return np.zeros((n_in, n_out), dtype=dtype)
    with np.errstate(over="ignore"):  # (a std the dtype cannot hold: inf weights, which the
        return (s * rng.standard_normal((n_in, n_out))).astype(dtype)  # loop records as DIVERGED)
