"""Spiral and blobs: the cs231n recipe, deterministic in split_seed."""

from __future__ import annotations

import numpy as np

from nnlab.data import load_dataset
from nnlab.data.datasets import BlobsData, SpiralData
from nnlab.data.synthetic import blobs, spiral


def test_spiral_follows_the_cs231n_recipe():
    N, K, noise = 50, 3, 0.2
    src = spiral(N, K, noise, seed=7)
    rng = np.random.default_rng(7)  # same draws in the same order as the recipe
    for j in range(K):
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + rng.standard_normal(N) * noise
        np.testing.assert_allclose(
            src.pool[0][j * N : (j + 1) * N], np.c_[r * np.sin(t), r * np.cos(t)]
        )
        assert (src.pool[1][j * N : (j + 1) * N] == j).all()
    assert src.n_classes == K and src.pool[0].shape == (N * K, 2)


def test_spiral_without_noise_lies_on_the_arms():
    X, y = spiral(20, 2, noise=0.0).pool
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[:20], np.linspace(0, 1, 20))


def test_spiral_dataset_default_holds_out_a_fifth_for_test():
    ds = load_dataset(SpiralData())
    assert ds.sizes() == {"train": 240, "test": 60} and ds.input_dim == 2 and ds.n_classes == 3


def test_synthetic_data_depends_only_on_split_seed():
    a = load_dataset(SpiralData(split_seed=3), dtype="float64")
    b = load_dataset(SpiralData(split_seed=3), dtype="float64")
    c = load_dataset(SpiralData(split_seed=4), dtype="float64")
    np.testing.assert_array_equal(a.split("train")[0], b.split("train")[0])
    assert not np.array_equal(a.split("train")[0], c.split("train")[0])


def test_blobs_cluster_around_their_centres():
    X, y = blobs(500, 4, dim=3, spread=0.5, seed=1).pool
    assert X.shape == (2000, 3) and set(y.tolist()) == {0, 1, 2, 3}
    rng = np.random.default_rng(1)
    centres = rng.uniform(-10, 10, size=(4, 3))
    for k in range(4):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centres[k], atol=0.1)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, rtol=0.15)


def test_blobs_dataset_shapes():
    ds = load_dataset(BlobsData(n_per_class=40, n_classes=5, dim=7, n_test=50, n_val=20))
    assert ds.sizes() == {"train": 130, "val": 20, "test": 50}
    assert (ds.input_dim, ds.n_classes) == (7, 5)
