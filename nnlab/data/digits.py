"""scikit-learn's bundled 8x8 handwritten digits: 1,797 images, 10 classes, pixels 0..16.

No download: the data ships inside scikit-learn. ``normalize: scale`` divides by 16.
"""

from __future__ import annotations

import numpy as np

from nnlab.data.dataset import Source


def load() -> Source:
    """The digits as one pool (no separate test set): X (1797, 64) float64 in [0, 16]."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X = np.asarray(bunch.data)
    y = np.asarray(bunch.target, dtype=np.int64)
    return Source(
        name="digits",
        pool=(X, y),
        test=None,
        n_classes=10,
        scale=16.0,
        origin=f"scikit-learn load_digits (bundled, {len(y)} 8x8 images)",
    )
