"""scikit-learn's bundled 8x8 handwritten digits: 1,797 images, 10 classes, pixels 0..16.

No download: the data ships inside scikit-learn as ``sklearn/datasets/data/digits.csv.gz``
(64 pixel columns, then the label), the file ``sklearn.datasets.load_digits`` reads. We read that
file directly because importing ``sklearn.datasets`` costs seconds (it pulls in scipy), which
every ``nnlab train`` on digits would pay; when the file is not where expected we fall back to
``load_digits``. ``normalize: scale`` divides by 16.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Source
from nnlab.errors import DataError
from nnlab.numbers import count_text


def bundled_csv() -> Path | None:
    """Path of scikit-learn's ``digits.csv.gz``, found without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    for base in (spec.submodule_search_locations or []) if spec else []:
        path = Path(base) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=1)
def _arrays() -> tuple[np.ndarray, np.ndarray, str]:
    path = bundled_csv()
    if path is not None:
        table = np.loadtxt(path, delimiter=",")
        X, y, origin = table[:, :-1], table[:, -1].astype(np.int64), str(path)
    else:
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise DataError(
                "digits: scikit-learn is not installed (pip install scikit-learn)"
            ) from None
        bunch = load_digits()
        X, y, origin = (
            np.asarray(bunch.data, dtype=np.float64),
            np.asarray(bunch.target, dtype=np.int64),
            "load_digits()",
        )
    if X.shape != (1797, 64) or len(y) != 1797:
        raise DataError(f"{origin}: digits data has shape {X.shape}, expected (1797, 64)")
    X.setflags(write=False)  # cached and shared between calls
    y.setflags(write=False)
    return X, y, origin


def load() -> Source:
    """The digits as one pool (no separate test set): X (1797, 64) float64 in [0, 16]."""
    X, y, origin = _arrays()
    return Source(
        name="digits",
        pool=(X, y),
        test=None,
        n_classes=10,
        scale=16.0,
        origin=f"scikit-learn digits (bundled, {count_text(len(y))} 8x8 images: {origin})",
        pool_from=(origin, origin),
    )
