"""Synthetic 2-class-or-more toy sets, generated from ``split_seed`` (no files).

Neither has a natural value range, so ``normalize: scale`` leaves them as they are (scale 1);
use ``standardize`` to centre them. Both return the points as one pool (no separate test set).
A ``noise`` or ``spread`` that is not finite, or so large that points overflow, is a ConfigError
naming the key (the schema bounds them below only), so neither can hand NaN to a run.
"""

from __future__ import annotations

import numpy as np

from nnlab.data.dataset import Source
from nnlab.errors import ConfigError
from nnlab.output import counted


def check_points(X: np.ndarray, key: str, value: float) -> None:
    """ConfigError naming ``dataset.<key>`` (= ``value``) unless every point is finite."""
    if not np.isfinite(X).all():
        raise ConfigError(
            f"dataset.{key}: {value:g} makes points that are not finite numbers; "
            "expected a finite value small enough that the points fit float64"
        )


def spiral(n_per_class: int, n_classes: int, noise: float = 0.2, seed: int = 0) -> Source:
    """cs231n's spiral: ``n_classes`` interleaved arms of ``n_per_class`` 2-D points.

    For class j: r = linspace(0, 1, N), t = linspace(4j, 4(j+1), N) + noise * randn(N),
    x = r * [sin t, cos t] (cs231n "Putting it together: minimal neural network case study").
    """
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):  # reported by check_points, not as warnings
        for j in range(n_classes):
            ix = slice(n_per_class * j, n_per_class * (j + 1))
            r = np.linspace(0.0, 1.0, n_per_class)
            t = np.linspace(j * 4, (j + 1) * 4, n_per_class)
            t = t + rng.standard_normal(n_per_class) * noise
            X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
            y[ix] = j
    check_points(X, "noise", noise)
    origin = f"spiral: {counted(n_classes, 'arm')} x {counted(n_per_class, 'point')}, noise {noise:g}, seed {seed}"
    return generated("spiral", X, y, n_classes, origin)


def blobs(
    n_per_class: int, n_classes: int, dim: int = 2, spread: float = 1.0, seed: int = 0
) -> Source:
    """Gaussian blobs: centres uniform in [-10, 10]^dim, points = centre + spread * randn(dim)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10.0, 10.0, size=(n_classes, dim))
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    with np.errstate(over="ignore", invalid="ignore"):  # reported by check_points, not as warnings
        X = centres[y] + spread * rng.standard_normal((len(y), dim))
    check_points(X, "spread", spread)
    origin = (
        f"blobs: {counted(n_classes, 'cluster')} x {counted(n_per_class, 'point')} in {dim}-D, "
        f"spread {spread:g}, seed {seed}"
    )
    return generated("blobs", X, y, n_classes, origin)


def generated(name: str, X: np.ndarray, y: np.ndarray, n_classes: int, origin: str) -> Source:
    """A generated set as a ``Source``: one pool, no test set, no scaling."""
    where = f"{name} (generated)"
    return Source(name, (X, y), None, n_classes, 1.0, origin, pool_from=(where, where))
