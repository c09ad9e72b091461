"""The checks every source gets in make_dataset: finite numbers, labels in range, no empty set."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnlab.data import load_dataset
from nnlab.data.dataset import Source, count_nonfinite, make_dataset
from nnlab.data.datasets import BlobsData, DigitsData, SpiralData
from nnlab.data.synthetic import blobs, spiral
from nnlab.errors import ConfigError, DataError

FROM = ("/data/x.bin", "/data/y.bin")


def source(X, y, test=None, n_classes=3, **kw) -> Source:
    kw.setdefault("pool_from", FROM)
    return Source("toy", (np.asarray(X), np.asarray(y)), test, n_classes, 1.0, "toy", **kw)


def error(src: Source, dtype: str = "float64", **cfg) -> str:
    with pytest.raises(DataError) as err:
        make_dataset(src, DigitsData(**{"n_test": 0, **cfg}), dtype)
    return str(err.value)


def toy(n=12, d=4):
    rng = np.random.default_rng(0)
    return rng.random((n, d)), np.arange(n) % 3


def test_nan_or_inf_features_name_the_file_and_count():
    X, y = toy()
    X[5, 1], X[9, 0], X[9, 3] = np.nan, np.inf, -np.inf
    assert error(source(X, y)) == (
        "/data/x.bin: 3 of 48 values are not finite (NaN or inf), the first in sample 5; "
        "expected finite numbers"
    )


def test_nan_in_the_test_set_names_the_test_file():
    X, y = toy()
    Xt = X[:4].copy()
    Xt[2, 2] = np.nan
    src = source(X, y, test=(Xt, y[:4]), test_from=("/data/t.bin", "/data/tl.bin"))
    assert error(src, n_test=None).startswith("/data/t.bin: 1 of 16 values is not finite")


def test_float32_features_are_checked_too():
    X, y = toy()
    X = X.astype(np.float32)
    X[0, 0] = np.nan
    assert "1 of 48 values is not finite" in error(source(X, y))


def test_labels_outside_the_classes_name_the_label_file():
    X, y = toy()
    y[[2, 7]] = [3, -1]
    assert error(source(X, y)) == (
        "/data/y.bin: 2 of 12 labels are not class indices 0..2 (the first is 3, sample 2); "
        "expected integers in 0..2"
    )


def test_fractional_labels_are_a_data_error():
    X, _ = toy()
    y = (np.arange(12) % 3).astype(float)
    y[4] = 0.5
    assert "1 of 12 labels is not class indices 0..2 (the first is 0.5" in error(source(X, y))


def test_whole_float_labels_are_accepted_as_int64():
    X, _ = toy()
    ds = make_dataset(source(X, (np.arange(12) % 3).astype(float)), DigitsData(n_test=0))
    assert ds.split("train")[1].dtype == np.int64


def test_non_numeric_features_are_a_data_error():
    X = np.array([["a", "b"]] * 6)
    assert error(source(X, np.zeros(6, int))) == (
        "/data/x.bin: values are strings (dtype U1); expected numbers"
    )


def test_empty_pool_is_a_data_error():
    assert error(source(np.zeros((0, 4)), np.zeros(0, int))) == (
        "/data/x.bin: no samples; expected at least one"
    )


def test_empty_test_set_is_a_data_error():
    X, y = toy()
    src = source(X, y, test=(np.zeros((0, 4)), np.zeros(0, int)), test_from=("/t", "/tl"))
    assert error(src, n_test=None) == "/t: no samples; expected at least one"


def test_label_count_must_match_sample_count():
    X, y = toy()
    assert error(source(X, y[:-1])) == "/data/x.bin: 12 samples but /data/y.bin has 11 labels"
    # (one of each was "1 samples but ... has 2 labels")
    assert error(source(X[:1], y[:2])) == "/data/x.bin: 1 sample but /data/y.bin has 2 labels"


def test_features_must_be_a_matrix():
    assert "features of shape (12,) and labels of shape (12,); expected (N, D) and (N,)" in (
        error(source(np.zeros(12), np.zeros(12, int)))
    )


def test_test_set_feature_count_must_match_the_pool():
    X, y = toy()
    src = source(X, y, test=(np.zeros((4, 5)), y[:4]), test_from=("/t", "/tl"))
    assert error(src, n_test=None) == (
        "/t: 5 features per sample but /data/x.bin has 4; expected the same"
    )


def test_unnamed_source_falls_back_to_its_name():
    X, y = toy()
    X[0, 0] = np.nan
    assert error(source(X, y, pool_from=("", ""))).startswith("toy pool: 1 of 48 values")


def test_values_too_large_for_float32_are_a_data_error():
    X, y = toy()
    X[3, 2] = 1e39  # finite in float64, inf in float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reported once, as the error, not also as a warning
        msg = error(source(X, y), dtype="float32", normalize="none")
    assert msg == (
        "/data/x.bin: 1 of 48 values of the train split does not fit float32 after normalize "
        "none; expected magnitudes below 3.4e+38: rescale the data or use dtype: float64"
    )
    make_dataset(source(X, y), DigitsData(n_test=0, normalize="none"), "float64")  # fits


def test_count_nonfinite_counts_only_what_is_not_finite():
    x = np.full((3, 2), 1e308)  # its sum overflows, yet every value is finite
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert count_nonfinite(x) == (0, -1)
    x[2, 1] = np.nan
    assert count_nonfinite(x) == (1, 2)
    assert count_nonfinite(np.full((2, 2), 255, np.uint8)) == (0, -1)


def test_valid_data_passes_unchanged():
    X, y = toy()
    ds = make_dataset(source(X, y), DigitsData(n_test=0, normalize="none"), "float64")
    assert sorted(map(tuple, ds.split("train")[0])) == sorted(map(tuple, X))


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda v: spiral(50, 3, noise=v), "noise"),
        (lambda v: blobs(50, 3, spread=v), "spread"),
    ],
)
@pytest.mark.parametrize("value", [np.inf, 1e308])
def test_synthetic_sets_never_hand_out_non_finite_points(make, key, value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way either
        with pytest.raises(ConfigError, match=rf"^dataset\.{key}: .* not finite numbers"):
            make(value)


def test_synthetic_defaults_and_tiny_spread_are_finite():
    for cfg in (SpiralData(noise=0), BlobsData(spread=1e-300), BlobsData(n_per_class=1)):
        ds = load_dataset(cfg, dtype="float64")
        assert all(np.isfinite(X).all() for X, _ in ds.splits.values())
