"""The bundled digits: read without importing scikit-learn, same data as load_digits."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.data import digits, load_dataset
from nnlab.data.datasets import DigitsData


@pytest.mark.slow  # importing sklearn.datasets takes ~4 s
def test_digits_match_sklearn_load_digits():
    from sklearn.datasets import load_digits

    ref = load_digits()
    src = digits.load()
    np.testing.assert_array_equal(src.pool[0], ref.data)
    np.testing.assert_array_equal(src.pool[1], ref.target)
    assert src.test is None and src.n_classes == 10 and src.scale == 16


def test_digits_scaled_into_unit_interval():
    ds = load_dataset(DigitsData())
    X = np.concatenate([X for X, _ in ds.splits.values()])
    assert X.min() == 0.0 and X.max() == 1.0
    assert sorted(np.unique(np.concatenate([y for _, y in ds.splits.values()]))) == list(range(10))


def test_cached_digits_arrays_cannot_be_modified_by_callers():
    X, y = digits.load().pool
    assert not X.flags.writeable and not y.flags.writeable
