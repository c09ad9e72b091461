"""A float32 network stays float32 end to end, a float64 one float64: no silent upcast.

Checked: every layer's output and dx, every gradient, BatchNorm's buffers, each loss's dscores,
the optimizers' state and the parameters after their steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.nn.layers import Affine, BatchNorm, Dropout, ReLU, Sigmoid, Tanh
from nnlab.nn.model import build_mlp
from nnlab.nn.registry import ACTIVATIONS, LOSSES, OPTIMIZERS

DTYPES = [np.float32, np.float64]


def make_model(dtype, loss="softmax_ce", activation="relu", weight_decay=0.01):
    return build_mlp(
        6,
        [5, 4],
        LOSSES[loss].units(2 if loss == "bce" else 3),
        activation=activation,
        batchnorm=True,
        dropout=0.2,
        loss=loss,
        weight_decay=weight_decay,
        rng_init=np.random.default_rng(0),
        rng_dropout=np.random.default_rng(1),
        dtype=dtype,
    )


def make_batch(dtype, loss="softmax_ce", n=8):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, 6)).astype(dtype)
    return x, rng.integers(0, 2 if loss == "bce" else 3, n)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("train", [True, False])
def test_every_layer_output_and_dx_keep_the_dtype(dtype, train):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3)).astype(dtype)
    layers = {
        "affine": Affine(rng.standard_normal((3, 3)).astype(dtype), np.zeros(3, dtype=dtype)),
        "relu": ReLU(),
        "sigmoid": Sigmoid(),
        "tanh": Tanh(),
        "batchnorm": BatchNorm(3, dtype=dtype),
        "dropout": Dropout(0.5, np.random.default_rng(0)),
    }
    for name, layer in layers.items():
        out = layer.forward(x, train)
        assert out.dtype == dtype, name
        dx = layer.backward(np.ones_like(out))
        assert dx.dtype == dtype, name
        for key, g in layer.grads.items():
            assert g.dtype == dtype, f"{name}.{key}"
        for key, b in layer.buffers.items():
            assert b.dtype == dtype, f"{name}.{key}"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", list(LOSSES))
def test_loss_dscores_keep_the_dtype(dtype, loss):
    scores = np.random.default_rng(0).standard_normal((5, 1 if loss == "bce" else 3)).astype(dtype)
    y = np.array([0, 1, 1, 0, 1])
    value, dscores = LOSSES[loss](scores, y)
    assert dscores.dtype == dtype
    assert isinstance(value, float)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_model_forward_backward_keep_the_dtype(dtype, loss, activation):
    model = make_model(dtype, loss, activation)
    x, y = make_batch(dtype, loss)
    h = x
    for name, layer in model.layers.items():
        h = layer.forward(h, train=True)
        assert h.dtype == dtype, name
    model.loss_and_grads(x, y)  # weight decay > 0 adds to the W gradients in place
    for key, g in model.grads.items():
        assert g.dtype == dtype, key
    for key, b in model.buffers.items():
        assert b.dtype == dtype, key
    assert model.backward(model.loss_fn(model.forward(x), y)[1]).dtype == dtype
    assert model.forward(x, train=False).dtype == dtype
    assert model.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_step_keeps_params_and_state_in_the_dtype(dtype, name):
    model = make_model(dtype)
    x, y = make_batch(dtype)
    opt = OPTIMIZERS[name](lr=0.01)
    before = {k: p.copy() for k, p in model.params.items()}
    for _ in range(3):
        model.loss_and_grads(x, y)
        opt.step(model.params, model.grads)
        for key, p in model.params.items():
            assert p.dtype == dtype, key
        for key, s in opt.state.items():
            assert s.dtype == dtype, key
    assert any(not np.array_equal(before[k], p) for k, p in model.params.items())
    # every parameter array is still the one the layers hold (updates happen in place)
    assert model.params["affine1.W"] is model.layers["affine1"].params["W"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_optimizer_state_keeps_its_dtype_through_savez(dtype, tmp_path):
    model = make_model(dtype)
    x, y = make_batch(dtype)
    opt = OPTIMIZERS["adam"](lr=0.01)
    model.loss_and_grads(x, y)
    opt.step(model.params, model.grads)
    np.savez(tmp_path / "opt.npz", **opt.state_dict())
    resumed = OPTIMIZERS["adam"](lr=0.01)
    with np.load(tmp_path / "opt.npz", allow_pickle=False) as data:
        resumed.load_state_dict(dict(data))
    for key, s in resumed.state.items():
        assert s.dtype == dtype, key
