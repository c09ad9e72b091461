"""Weight initialisers: the std formulas, empirical stds of large draws, zero biases, dtypes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab.nn import init
from nnlab.nn.model import build_mlp
from nnlab.nn.registry import ACTIVATIONS, INITS, init_std, init_weight

N_IN, N_OUT = 500, 300


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("zeros", 0.0),
        ("std", 0.05),
        ("xavier", math.sqrt(1 / N_IN)),
        ("glorot", math.sqrt(2 / (N_IN + N_OUT))),
        ("he", math.sqrt(2 / N_IN)),
    ],
)
def test_init_std_formula(kind, expected):
    assert init_std(kind, N_IN, N_OUT, std=0.05) == pytest.approx(expected, rel=1e-15)


def test_init_std_default_std_is_001():
    assert init_std("std", 10, 10) == 0.01


@pytest.mark.parametrize("kind", [k for k in INITS if k != "zeros"])
def test_weight_draw_has_the_formula_std_and_zero_mean(kind):
    W = init_weight(kind, N_IN, N_OUT, np.random.default_rng(0), std=0.05, dtype=np.float64)
    s = init_std(kind, N_IN, N_OUT, std=0.05)
    n = W.size  # 150000 draws: the sample std is within ~1/sqrt(2n) = 0.2% of s
    assert W.shape == (N_IN, N_OUT)
    assert W.std() == pytest.approx(s, rel=5 / math.sqrt(2 * n))
    assert abs(W.mean()) < 5 * s / math.sqrt(n)


def test_zeros_init_is_all_zero():
    W = init_weight("zeros", 4, 3, np.random.default_rng(0))
    assert W.shape == (4, 3)
    assert not W.any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", INITS)
def test_init_weight_dtype(kind, dtype):
    assert init_weight(kind, 4, 3, np.random.default_rng(0), dtype=dtype).dtype == dtype


def test_init_weight_default_dtype_is_float32():
    assert init_weight("he", 4, 3, np.random.default_rng(0)).dtype == np.float32


def test_float32_and_float64_draws_agree_for_the_same_seed():
    w32 = init_weight("he", 50, 40, np.random.default_rng(3), dtype=np.float32)
    w64 = init_weight("he", 50, 40, np.random.default_rng(3), dtype=np.float64)
    np.testing.assert_allclose(w32, w64, rtol=1e-6)


def test_unknown_init_is_rejected():
    with pytest.raises(ValueError, match="unknown init 'lecun'"):
        init_std("lecun", 3, 3)


@pytest.mark.parametrize("kind", INITS)
def test_mlp_biases_start_at_zero_and_weights_use_the_init(kind):
    model = build_mlp(
        400,
        [300],
        5,
        init=kind,
        init_std=0.05,
        batchnorm=True,
        rng_init=np.random.default_rng(0),
        dtype=np.float64,
    )
    for key, p in model.params.items():
        if key.endswith(".b") or key.endswith(".beta"):
            assert not p.any(), key
        if key.endswith(".gamma"):
            np.testing.assert_array_equal(p, 1.0)
    W = model.params["affine1.W"]
    s = init_std(kind, 400, 300, std=0.05)
    assert W.std() == pytest.approx(s, rel=5 / math.sqrt(2 * W.size))


def test_the_table_says_nnlabs_weight_is_torchs_transposed_and_which_torch_init_draws_xavier():
    """(the table read 'torch: none; kaiming_normal_(...)', a name it then gave, and did not say
    that torch's fan_in is n_in of nnlab's (n_in, n_out) weight: tests/nn/test_torch_oracle.py
    draws each init through torch.nn.init on the transposed weight)"""
    doc = " ".join(init.__doc__.split())
    assert "torch's ``fan_in`` is n_in" in doc
    assert 'torch has no name for it; ``kaiming_normal_`` with ``nonlinearity="linear"``' in doc


@pytest.mark.parametrize("kind", INITS)
def test_the_init_is_the_same_whatever_the_activation_as_the_readme_says(kind):
    """No gain per activation (torch's calculate_gain is an argument nnlab does not take): the
    same seed draws the same weights, output layer included, before ReLU, tanh and sigmoid."""
    weights = [
        build_mlp(20, [30, 10], 4, activation=name, init=kind, init_std=0.05,
                  rng_init=np.random.default_rng(5), dtype=np.float64).params
        for name in ACTIVATIONS
    ]  # fmt: skip
    for params in weights[1:]:
        for key, value in params.items():
            np.testing.assert_array_equal(value, weights[0][key], err_msg=key)
    assert "No initialiser takes a gain for the activation" in " ".join(init.__doc__.split())


def ks_distance(a: np.ndarray, b: np.ndarray | None = None) -> float:
    """The Kolmogorov-Smirnov distance, max |F_a - F_b|, of the samples ``a`` and ``b`` (without
    ``b``: of ``a`` and the standard normal CDF)."""
    a = np.sort(a.astype(np.float64))
    if b is None:
        cdf = 0.5 * (1 + np.vectorize(math.erf)(a / math.sqrt(2)))
        n = a.size
        return float(max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)))
    b = np.sort(b.astype(np.float64))
    points = np.concatenate([a, b])
    fa = np.searchsorted(a, points, side="right") / a.size
    fb = np.searchsorted(b, points, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def ks_bound(n: int, m: int | None = None) -> float:
    """The distance a sample of n (against m, or the CDF) exceeds with probability 1e-3."""
    return 1.95 * math.sqrt(1 / n + (1 / m if m else 0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", [k for k in INITS if k != "zeros"])
def test_weight_draws_are_normal_not_only_of_the_formulas_std(kind, dtype):
    """The table's N(0, std^2), tested as a distribution (Kolmogorov-Smirnov, 150,000 draws):
    the std test above would pass a uniform or a truncated normal of that std (torch's
    ``xavier_uniform_``, ``trunc_normal_``), which this one refuses (the uniform's distance is
    over 5 times the bound: the check has the power to tell)."""
    s = init_std(kind, N_IN, N_OUT, std=0.05)
    W = init_weight(kind, N_IN, N_OUT, np.random.default_rng(1), std=0.05, dtype=dtype)
    assert ks_distance(W.ravel() / s) < ks_bound(W.size)
    uniform = np.random.default_rng(1).uniform(-math.sqrt(3), math.sqrt(3), W.size)  # (std 1)
    assert ks_distance(uniform) > 5 * ks_bound(W.size)
