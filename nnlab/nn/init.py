"""Weight initialisers. Every one returns a (n_in, n_out) matrix; biases are always zero.

============  ===========================  =============================================
name          std of N(0, std^2)           reference
============  ===========================  =============================================
``zeros``     0                            (breaks symmetry never: a teaching example)
``std``       the given ``std``            DLFS ``weight_init_std``; cs231n ``0.01 * randn``
``xavier``    sqrt(1 / n_in)               DLFS 6.2.2 calls this "Xavier"
``glorot``    sqrt(2 / (n_in + n_out))     Glorot & Bengio 2010, eq. 12 (normal form)
``he``        sqrt(2 / n_in)               He et al. 2015, for ReLU
============  ===========================  =============================================
"""

from __future__ import annotations

import math

import numpy as np

INITS = ("zeros", "std", "xavier", "glorot", "he")


def init_std(kind: str, n_in: int, n_out: int, std: float = 0.01) -> float:
    """The standard deviation that initialiser ``kind`` uses for an (n_in, n_out) weight."""
    if kind == "zeros":
        return 0.0
    if kind == "std":
        return float(std)
    if kind == "xavier":
        return math.sqrt(1.0 / n_in)
    if kind == "glorot":
        return math.sqrt(2.0 / (n_in + n_out))
    if kind == "he":
        return math.sqrt(2.0 / n_in)
    raise ValueError(f"unknown init {kind!r}; expected one of {', '.join(INITS)}")


def init_weight(
    kind: str,
    n_in: int,
    n_out: int,
    rng: np.random.Generator,
    std: float = 0.01,
    dtype: np.dtype | type = np.float32,
) -> np.ndarray:
    """Draw an (n_in, n_out) weight matrix W ~ N(0, s^2) with s = ``init_std(kind, ...)``.

    The normal draws are made in float64 and then scaled and cast, so a float32 and a float64
    network with the same seed start from the same weights (up to rounding).
    """
    s = init_std(kind, n_in, n_out, std)
    if s == 0.0:
        return np.zeros((n_in, n_out), dtype=dtype)
    return (s * rng.standard_normal((n_in, n_out))).astype(dtype)
