"""Layers: backward against centred differences (float64), and forward behaviour.

Every gradient check compares ``backward(dout)`` with the numeric gradient of sum(forward() * dout)
for the input and for every parameter, and requires rel_error < 1e-7.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.nn.gradcheck import rel_error
from nnlab.nn.layers import Affine, BatchNorm, Dropout, Layer, ReLU, Sigmoid, Tanh
from tests.conftest import numeric_gradient_array

TOL = 1e-7


def gradient_errors(layer: Layer, x: np.ndarray, rng: np.random.Generator, train: bool = True):
    """rel_error of the analytic gradient for ``x`` and every parameter of ``layer``."""
    out = layer.forward(x, train)
    dout = rng.standard_normal(out.shape)
    analytic = {"x": layer.backward(dout).copy()}
    analytic.update({k: g.copy() for k, g in layer.grads.items()})
    assert set(layer.grads) == set(layer.params)

    def f():
        return layer.forward(x, train)

    numeric = {"x": numeric_gradient_array(f, x, dout)}
    numeric.update({k: numeric_gradient_array(f, p, dout) for k, p in layer.params.items()})
    return {k: rel_error(analytic[k], numeric[k]) for k in analytic}


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], gap: float = 0.1):
    """Random values with |x| >= gap: no ReLU kink within reach of the finite difference."""
    return rng.choice([-1.0, 1.0], size=shape) * (gap + rng.random(shape))


def random_batchnorm(
    rng: np.random.Generator, dim: int, momentum: float = 0.1, eps: float = 1e-5
) -> BatchNorm:
    bn = BatchNorm(dim, dtype=np.float64, momentum=momentum, eps=eps)
    bn.params["gamma"][:] = rng.uniform(0.5, 2.0, dim)
    bn.params["beta"][:] = rng.standard_normal(dim)
    return bn


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


# --- gradient checks ----------------------------------------------------------------------------


def test_affine_backward_matches_numeric(rng):
    layer = Affine(rng.standard_normal((4, 3)), rng.standard_normal(3))
    errors = gradient_errors(layer, rng.standard_normal((5, 4)), rng)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOL, errors


def test_relu_backward_matches_numeric_away_from_kink(rng):
    x = away_from_zero(rng, (6, 5))
    errors = gradient_errors(ReLU(), x, rng)
    assert errors["x"] < TOL, errors


@pytest.mark.parametrize("layer_cls", [Sigmoid, Tanh])
def test_smooth_activation_backward_matches_numeric(layer_cls, rng):
    x = 2 * rng.standard_normal((6, 5))
    errors = gradient_errors(layer_cls(), x, rng)
    assert errors["x"] < TOL, errors


# With N = 2, xhat = +-sqrt(var / (var + eps)) whatever x is: dx flows only through eps and is
# ~1e-4 with the default eps, too small to compare at 1e-7. A large eps makes it checkable.
@pytest.mark.parametrize(("batch", "eps"), [(2, 0.1), (3, 1e-5), (8, 1e-5)])
def test_batchnorm_training_backward_matches_numeric(batch, eps, rng):
    bn = random_batchnorm(rng, 4, eps=eps)
    x = 3 * rng.standard_normal((batch, 4)) + 1
    errors = gradient_errors(bn, x, rng, train=True)
    assert set(errors) == {"x", "gamma", "beta"}
    assert max(errors.values()) < TOL, errors


def test_batchnorm_evaluation_backward_matches_numeric(rng):
    bn = random_batchnorm(rng, 4)
    bn.buffers["running_mean"][:] = rng.standard_normal(4)
    bn.buffers["running_var"][:] = rng.uniform(0.5, 3.0, 4)
    errors = gradient_errors(bn, rng.standard_normal((5, 4)), rng, train=False)
    assert max(errors.values()) < TOL, errors


def test_dropout_backward_with_kept_mask_matches_numeric(rng):
    layer = Dropout(0.4, np.random.default_rng(7))
    layer.keep_mask = True
    errors = gradient_errors(layer, rng.standard_normal((6, 5)), rng, train=True)
    assert errors["x"] < TOL, errors
    assert layer.mask is not None and 0 < layer.mask.sum() < layer.mask.size


# --- forward behaviour --------------------------------------------------------------------------


def test_affine_forward_is_x_w_plus_b():
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    W = np.array([[1.0, 0.0, 2.0], [3.0, -1.0, 1.0]])
    b = np.array([0.5, 0.0, -1.0])
    expected = np.array([[7.5, -2.0, 3.0], [1.0, -0.5, -2.5]])
    np.testing.assert_array_equal(Affine(W, b).forward(x), expected)


def test_relu_forward_zeroes_negatives_and_backward_masks():
    relu = ReLU()
    out = relu.forward(np.array([[-2.0, 0.0, 3.0]]))
    np.testing.assert_array_equal(out, [[0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 7, 8, 9, 100, 1003])  # SIMD bodies and their tails
def test_relu_forward_is_maximum_with_zero_for_special_values(dtype, n):
    """NaN stays NaN (torch.relu's and np.maximum's), which fmax would turn into 0."""
    x = np.random.default_rng(n).standard_normal((3, n)).astype(dtype)
    x.flat[:5] = [np.nan, np.inf, -np.inf, 0.0, -np.inf][: x.size]
    out = ReLU().forward(x)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.view(np.uint8), np.maximum(x, 0).view(np.uint8))
    assert np.isnan(out.flat[0])
    assert ReLU().forward(x).base is None  # a new array each time, never the shared zeros


def test_sigmoid_is_stable_on_huge_inputs():
    x = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        out = Sigmoid().forward(x)
    np.testing.assert_allclose(
        out, [[0.0, 1 / (1 + np.exp(50.0)), 0.5, 1 / (1 + np.exp(-50.0)), 1]]
    )


def test_batchnorm_training_output_has_zero_mean_unit_variance_per_feature(rng):
    bn = random_batchnorm(rng, 5)
    x = rng.normal(
        loc=[0.0, 10.0, -3.0, 100.0, 0.5], scale=[1.0, 5.0, 0.1, 30.0, 2.0], size=(64, 5)
    )
    out = bn.forward(x, train=True)
    xhat = (out - bn.params["beta"]) / bn.params["gamma"]
    var = x.var(axis=0)
    np.testing.assert_allclose(xhat.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(xhat.var(axis=0), var / (var + bn.eps), rtol=1e-12)
    np.testing.assert_allclose(xhat.var(axis=0), 1.0, atol=1e-3)


@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_batchnorm_running_stats_follow_torch_momentum_with_unbiased_variance(momentum, rng):
    bn = random_batchnorm(rng, 3, momentum=momentum)
    x1 = rng.normal(2.0, 3.0, size=(4, 3))
    x2 = rng.normal(-1.0, 0.5, size=(6, 3))
    bn.forward(x1, train=True)
    bn.forward(x2, train=True)
    # by hand: start at mean 0 / var 1, the new batch weighs `momentum`, variance divides by N - 1
    m = momentum
    mean1 = x1.sum(axis=0) / 4
    mean2 = x2.sum(axis=0) / 6
    var1 = ((x1 - mean1) ** 2).sum(axis=0) / (4 - 1)
    var2 = ((x2 - mean2) ** 2).sum(axis=0) / (6 - 1)
    running_mean = (1 - m) * ((1 - m) * 0.0 + m * mean1) + m * mean2
    running_var = (1 - m) * ((1 - m) * 1.0 + m * var1) + m * var2
    np.testing.assert_allclose(bn.buffers["running_mean"], running_mean, rtol=1e-12)
    np.testing.assert_allclose(bn.buffers["running_var"], running_var, rtol=1e-12)


def test_batchnorm_evaluation_uses_running_stats_and_leaves_them_alone(rng):
    bn = random_batchnorm(rng, 3)
    bn.forward(rng.normal(5.0, 2.0, size=(16, 3)), train=True)
    rm = bn.buffers["running_mean"].copy()
    rv = bn.buffers["running_var"].copy()
    x = rng.standard_normal((4, 3))
    out = bn.forward(x, train=False)
    expected = bn.params["gamma"] * (x - rm) / np.sqrt(rv + bn.eps) + bn.params["beta"]
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    np.testing.assert_array_equal(bn.buffers["running_mean"], rm)
    np.testing.assert_array_equal(bn.buffers["running_var"], rv)
    # a sample's output does not depend on the rest of the batch in evaluation mode
    np.testing.assert_allclose(bn.forward(x[:1], train=False), out[:1], rtol=1e-12)


def test_batchnorm_buffers_are_not_params():
    bn = BatchNorm(3, dtype=np.float64)
    assert set(bn.params) == {"gamma", "beta"}
    assert set(bn.buffers) == {"running_mean", "running_var"}
    np.testing.assert_array_equal(bn.params["gamma"], 1.0)
    np.testing.assert_array_equal(bn.params["beta"], 0.0)


def test_dropout_evaluation_is_identity(rng):
    x = rng.standard_normal((5, 4))
    layer = Dropout(0.5, np.random.default_rng(0))
    np.testing.assert_array_equal(layer.forward(x, train=False), x)
    dout = rng.standard_normal((5, 4))
    np.testing.assert_array_equal(layer.backward(dout), dout)


def test_dropout_is_inverted_drop_fraction_p_and_mean_preserved():
    p = 0.3
    layer = Dropout(p, np.random.default_rng(42))
    x = np.full((400, 500), 2.0)
    out = layer.forward(x, train=True)
    dropped = out == 0
    # kept units are scaled by 1 / (1 - p), dropped ones are exactly zero
    np.testing.assert_allclose(out[~dropped], 2.0 / (1 - p), rtol=1e-15)
    sigma = np.sqrt(p * (1 - p) / x.size)  # std of the dropped fraction
    assert abs(dropped.mean() - p) < 5 * sigma
    assert abs(out.mean() - 2.0) < 5 * 2.0 / (1 - p) * sigma


def test_dropout_backward_uses_the_forward_mask(rng):
    layer = Dropout(0.5, np.random.default_rng(3))
    x = rng.standard_normal((8, 6))
    out = layer.forward(x, train=True)
    dout = rng.standard_normal((8, 6))
    dx = layer.backward(dout)
    kept = out != 0
    np.testing.assert_allclose(dx[kept], dout[kept] * 2.0, rtol=1e-15)
    np.testing.assert_array_equal(dx[~kept], 0.0)


def test_dropout_keep_mask_reuses_mask_otherwise_draws_new_one(rng):
    x = rng.standard_normal((10, 10))
    layer = Dropout(0.5, np.random.default_rng(5))
    first = layer.forward(x, train=True)
    assert not np.array_equal(layer.forward(x, train=True), first)
    layer.keep_mask = True
    kept = layer.forward(x, train=True)
    np.testing.assert_array_equal(layer.forward(x, train=True), kept)


def test_dropout_zero_rate_is_identity_in_training(rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(Dropout(0.0, np.random.default_rng(0)).forward(x, True), x)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_rejects_rate_outside_0_1(p):
    with pytest.raises(ValueError, match="dropout rate"):
        Dropout(p, np.random.default_rng(0))


# --- no in-place modification of inputs -------------------------------------------------------


def make_layers(rng: np.random.Generator) -> dict[str, tuple[Layer, bool]]:
    return {
        "affine": (Affine(rng.standard_normal((4, 4)), rng.standard_normal(4)), True),
        "relu": (ReLU(), True),
        "sigmoid": (Sigmoid(), True),
        "tanh": (Tanh(), True),
        "batchnorm-train": (random_batchnorm(rng, 4), True),
        "batchnorm-eval": (random_batchnorm(rng, 4), False),
        "dropout-train": (Dropout(0.5, np.random.default_rng(0)), True),
        "dropout-eval": (Dropout(0.5, np.random.default_rng(0)), False),
    }


@pytest.mark.parametrize("name", list(make_layers(np.random.default_rng(0))))
def test_layer_does_not_modify_x_or_dout_in_place(name, rng):
    layer, train = make_layers(rng)[name]
    x = rng.standard_normal((5, 4))
    dout = rng.standard_normal((5, 4))
    x_before, dout_before = x.copy(), dout.copy()
    layer.forward(x, train)
    dx = layer.backward(dout).copy()
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)
    # backward reads its cache without consuming it: a second call gives the same dx
    np.testing.assert_array_equal(layer.backward(dout), dx)


def test_affine_without_dx_fills_the_same_gradients_and_skips_the_input_gradient():
    """A first layer (``need_dx=False``) computes dW and db exactly as with dx, and returns
    ``dout`` itself; an MLP's training step takes that path and leaves the same gradients."""
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((6, 4)), rng.standard_normal(4)
    x, dout = rng.standard_normal((5, 6)), rng.standard_normal((5, 4))
    full, lean = Affine(W.copy(), b.copy()), Affine(W.copy(), b.copy())
    for layer in (full, lean):
        layer.forward(x)
    dx = full.backward(dout)
    assert lean.backward(dout, need_dx=False) is dout and dx.shape == x.shape
    for key in ("W", "b"):
        assert np.array_equal(full.grads[key], lean.grads[key])
    from nnlab.nn.model import build_mlp

    nets = [build_mlp(6, [5], 3, rng_init=np.random.default_rng(1)) for _ in range(2)]
    y = np.array([0, 1, 2, 1, 0])
    nets[0].loss_and_grads(x.astype(np.float32), y)
    nets[1].backward(nets[1].loss_fn(nets[1].forward(x.astype(np.float32)), y)[1])
    for key in nets[0].grads:
        assert np.array_equal(nets[0].grads[key], nets[1].grads[key])


# --- what forward keeps -------------------------------------------------------------------------


def _every_layer(rng: np.random.Generator) -> list[Layer]:
    from nnlab.nn.stacked import StackedAffine, StackedDropout

    dropout = Dropout(0.3, np.random.default_rng(0))
    return [
        Affine(rng.standard_normal((4, 4)), rng.standard_normal(4)),
        ReLU(), Sigmoid(), Tanh(), random_batchnorm(rng, 4), dropout,
        StackedAffine(rng.standard_normal((2, 2, 2)), rng.standard_normal(4)),
        StackedDropout(0.3, [np.random.default_rng(1), np.random.default_rng(2)]),
    ]  # fmt: skip


@pytest.mark.parametrize("train", [True, False])
def test_kept_names_every_array_forward_keeps_and_forget_drops_them(train):
    """``kept`` lists what forward leaves on the layer for backward (an attribute forgot
    there would keep an evaluation's arrays alive), and ``forget`` lets go of all of it:
    nothing forward made is still held, only the layer's own parameters and settings."""
    rng = np.random.default_rng(5)
    for layer in _every_layer(rng):
        before = set(vars(layer))
        x = rng.standard_normal((6, 4))
        layer.forward(x, train)
        layer.backward(rng.standard_normal((6, 4)))  # (it had what it needed)
        made = {
            name
            for name, value in vars(layer).items()
            if isinstance(value, np.ndarray) and name not in ("mask",)  # (Dropout's last mask,
        } - before  # kept for ``keep_mask`` gradient checks: a setting, not a cache)
        assert made <= set(layer.kept), (type(layer).__name__, made - set(layer.kept))
        layer.forget()
        held = [n for n, v in vars(layer).items() if v is x or n in layer.kept and v is not None]
        assert not held, (type(layer).__name__, held)


def test_batchnorm_refuses_a_training_batch_of_one_sample_as_torch_does():
    # (accepted, it gave beta whatever the input, every gradient 0, and shrank the running
    # variance by a tenth a step: a last batch of 1 sample, n_train % batch_size == 1)
    bn = BatchNorm(3, dtype=np.float64)
    with pytest.raises(ValueError, match="needs 2 or more samples, got 1"):
        bn.forward(np.ones((1, 3)), train=True)
    np.testing.assert_array_equal(bn.buffers["running_var"], 1.0)  # untouched
    assert bn.forward(np.ones((1, 3)), train=False).shape == (1, 3)  # evaluation: fine


def test_batchnorm_computes_its_docstrings_equations_bit_for_bit(rng):
    """The docstring writes the computation in the code's order (xhat a product with inv_std,
    dx from dgamma and dbeta), so each equation gives the layer's numbers exactly; and it names
    what the books do otherwise (their running statistics: biased variance, both from 0)."""
    bn, m, eps, n = random_batchnorm(rng, 5, momentum=0.2, eps=1e-3), 0.2, 1e-3, 8
    gamma, beta = bn.params["gamma"].copy(), bn.params["beta"].copy()
    x, dout = rng.normal(1.0, 2.0, size=(n, 5)), rng.standard_normal((n, 5))
    y, dx = bn.forward(x, train=True), bn.backward(dout)
    mu = x.mean(axis=0)
    var = np.mean((x - mu) * (x - mu), axis=0)
    inv_std = 1 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    np.testing.assert_array_equal(y, xhat * gamma + beta)
    dgamma, dbeta = np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
    np.testing.assert_array_equal(bn.grads["gamma"], dgamma)
    np.testing.assert_array_equal(dx, (dout - dbeta / n - xhat * (dgamma / n)) * (gamma * inv_std))
    running_mean = (1 - m) * np.zeros(5) + m * mu
    running_var = (1 - m) * np.ones(5) + m * (var * (n / (n - 1)))
    np.testing.assert_array_equal(bn.buffers["running_mean"], running_mean)
    np.testing.assert_array_equal(bn.buffers["running_var"], running_var)
    s = gamma * (1 / np.sqrt(running_var + eps))
    np.testing.assert_array_equal(bn.forward(x, train=False), x * s + (beta - running_mean * s))
    np.testing.assert_array_equal(bn.backward(dout), dout * s)
    doc = " ".join(BatchNorm.__doc__.split())
    assert "xhat = (x - mu) * inv_std" in doc
    assert "dx = (dout - dbeta / N - xhat * (dgamma / N)) * (gamma * inv_std)" in doc
    assert "momentum * (var * (N / (N - 1)))" in doc
    assert "start both statistics at 0" in doc and "(the biased one)" in doc


def test_dropout_docstring_says_which_p_it_takes_and_how_it_scales():
    # the mask compares float32 draws with p rounded to float32 (0.7 -> 0.69999999), as it says:
    # a draw of float32(0.7), below the float 0.7, keeps its unit
    class Draws:
        def random(self, shape, dtype):
            return np.full(shape, 0.7, dtype=dtype)

    assert float(np.float32(0.7)) < 0.7
    assert Dropout(0.7, Draws()).draw_mask((1, 3)).all()
    doc = " ".join(Dropout.__doc__.split())
    assert "compared in float32" in doc
    assert "y = x * (m * s), s = 1 / (1 - p)" in doc
    assert "the probability of dropping a unit" in doc and "cs231n's ``p`` is the" in doc
