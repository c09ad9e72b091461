"""Numeric gradients by finite differences, and the relative error used to compare them.

Shared by the tests and ``nnlab gradcheck``. Always run in float64: in float32 the round-off
of f (about 1e-7 relative) divided by a step of 1e-5 already swamps the comparison.
DLFS 4.3.1 introduces the centred difference and 5.7.3 checks backpropagation by it; cs231n's
notes ("Neural Networks Part 3", gradient checks) give the relative error and its thresholds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

ZERO_GRAD = 1e-9  # below this both gradients are "zero": compare absolutely, not relatively


def numeric_gradient(
    f: Callable[[], float], x: np.ndarray, eps: float = 1e-5, centred: bool = True
) -> np.ndarray:
    """df/dx by finite differences, perturbing ``x`` in place (and restoring it) element by element.

    Centred: (f(x + eps) - f(x - eps)) / (2 eps), error O(eps^2).
    Forward: (f(x + eps) - f(x)) / eps, error O(eps).
    ``f`` takes no argument: it reads ``x`` (e.g. a parameter array of a network) itself.
    """
    indices = list(np.ndindex(x.shape))
    return numeric_gradient_at(f, x, indices, eps, centred).reshape(x.shape)


def numeric_gradient_at(
    f: Callable[[], float],
    x: np.ndarray,
    indices: Sequence[tuple[int, ...]],
    eps: float = 1e-5,
    centred: bool = True,
) -> np.ndarray:
    """df/dx[i] for each multi-index ``i`` in ``indices`` only: a 1-D array, one entry per index.

    Checking a random subset of a large parameter keeps a gradient check fast. ``x`` is perturbed
    in place and restored. The calls to ``f`` come in a fixed order, so a caller can attribute
    them to entries: centred, two per index (x[i] + eps, then x[i] - eps); forward, one at the
    unperturbed point first, then one per index (x[i] + eps).
    """
    grad = np.zeros(len(indices), dtype=np.float64)
    f0 = 0.0 if centred else f()
    for k, idx in enumerate(indices):
        old = x[idx].copy()
        x[idx] = old + eps
        f_plus = f()
        if centred:
            x[idx] = old - eps
            f_minus = f()
            grad[k] = (f_plus - f_minus) / (2 * eps)
        else:
            grad[k] = (f_plus - f0) / eps
        x[idx] = old
    return grad


def rel_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max|a - n| / max(|a| + |n|): one number for a whole array.

    Normalising by the largest magnitude rather than element by element keeps entries whose true
    gradient is (near) zero from reporting a huge "relative" error that is only round-off.
    cs231n's assignments compute max_i |a_i - n_i| / max(1e-8, |a_i| + |n_i|), entry by entry,
    which is at least this wherever max(|a| + |n|) >= 1e-8: beside an entry of 1, an entry of
    1e-6 off by 1e-12 reads 5e-7 there and 5e-13 here. Their thresholds (``nnlab gradcheck``'s
    1e-7 and 1e-4) are applied here to this measure, more lenient with small entries.
    When the whole gradient is zero (both below ``ZERO_GRAD``: a parameter the loss does not
    depend on, such as the bias of an Affine layer followed by BatchNorm) a relative error is
    meaningless, and the absolute error max|a - n| is returned instead.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.size == 0:
        return 0.0
    abs_err = float(np.max(np.abs(a - n)))
    scale = float(np.max(np.abs(a) + np.abs(n)))
    if scale < ZERO_GRAD:
        return abs_err
    return abs_err / scale  # (scale >= ZERO_GRAD here, or NaN: a NaN error)
