"""The MLP: full-network gradient checks, weight decay, build_mlp's layout, evaluation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnlab.nn.gradcheck import numeric_gradient, rel_error
from nnlab.nn.layers import Affine, BatchNorm, Dropout, ReLU
from nnlab.nn.model import MLP, build_mlp
from nnlab.nn.registry import ACTIVATIONS, LOSSES

TOL = 1e-7
N, D, HIDDEN, C = 8, 5, (6, 4), 3


def make_model(loss="softmax_ce", activation="relu", batchnorm=False, dropout=0.0, wd=0.0, seed=0):
    return build_mlp(
        D,
        HIDDEN,
        LOSSES[loss].units(2 if loss == "bce" else C),
        activation=activation,
        init="xavier",
        batchnorm=batchnorm,
        dropout=dropout,
        loss=loss,
        weight_decay=wd,
        rng_init=np.random.default_rng(seed),
        rng_dropout=np.random.default_rng(seed + 1),
        dtype=np.float64,
    )


def make_batch(loss: str, seed: int = 0):
    rng = np.random.default_rng(100 + seed)
    x = 2 * rng.standard_normal((N, D))
    y = rng.integers(0, 2 if loss == "bce" else C, N)
    return x, y


def min_distance_to_kinks(model: MLP, x: np.ndarray, y: np.ndarray) -> float:
    """How far the forward pass is from a non-differentiable point (ReLU at 0, SVM hinge)."""
    distance = np.inf
    for layer in model.layers.values():
        if isinstance(layer, ReLU):
            distance = min(distance, float(np.abs(x).min()))
        x = layer.forward(x, train=True)
    if model.loss_name == "svm":
        n = x.shape[0]
        margins = np.abs(x - x[np.arange(n), y][:, None] + 1.0)
        margins[np.arange(n), y] = np.inf
        distance = min(distance, float(margins.min()))
    return distance


def keep_dropout_masks(model: MLP) -> None:
    for layer in model.dropout_layers():
        layer.keep_mask = True  # the first forward draws the mask; every later one reuses it


def parameter_errors(model: MLP, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """rel_error between loss_and_grads' gradients and centred differences of the objective."""
    keep_dropout_masks(model)
    model.loss_and_grads(x, y)
    analytic = {k: g.copy() for k, g in model.grads.items()}

    def objective() -> float:
        scores = model.forward(x, train=True)
        return model.loss_fn(scores, y)[0] + model.l2_penalty()

    return {
        k: rel_error(analytic[k], numeric_gradient(objective, p)) for k, p in model.params.items()
    }


CASES = list(itertools.product(LOSSES, ACTIVATIONS, [False, True], [0.0, 0.3]))


@pytest.mark.parametrize(
    ("loss", "activation", "batchnorm", "dropout"),
    CASES,
    ids=[f"{lo}-{a}-{'bn' if b else 'nobn'}-p{p}" for lo, a, b, p in CASES],
)
def test_mlp_gradients_match_numeric_for_every_parameter(loss, activation, batchnorm, dropout):
    model = make_model(loss, activation, batchnorm, dropout, wd=0.1)
    rng = np.random.default_rng(9)
    for key, p in model.params.items():  # non-zero biases: a dropped-out row is not exactly 0
        if key.endswith(".b") or key.endswith(".beta"):
            p[:] = 0.5 * rng.standard_normal(p.shape)
    x, y = make_batch(loss)
    keep_dropout_masks(model)
    assert min_distance_to_kinks(model, x, y) > 1e-3  # also draws the masks checked below
    errors = parameter_errors(model, x, y)
    assert set(errors) == set(model.params)
    worst = max(errors, key=errors.__getitem__)
    assert errors[worst] < TOL, f"{worst}: {errors[worst]:.2e}"


def test_bias_before_batchnorm_has_zero_gradient_and_passes_the_check():
    model = make_model(batchnorm=True)
    x, y = make_batch("softmax_ce")
    errors = parameter_errors(model, x, y)
    assert np.abs(model.grads["affine1.b"]).max() < 1e-12
    assert errors["affine1.b"] < TOL


def test_gradient_check_detects_a_wrong_gradient():
    """The check is not vacuous: a model whose backward is off by a little fails it."""
    model = make_model(wd=0.1)
    x, y = make_batch("softmax_ce")
    model.loss_and_grads(x, y)
    analytic = model.grads["affine2.W"] * 1.001

    def objective():
        return model.loss_fn(model.forward(x), y)[0] + model.l2_penalty()

    assert rel_error(analytic, numeric_gradient(objective, model.params["affine2.W"])) > TOL


# --- weight decay -------------------------------------------------------------------------------


def test_objective_is_data_loss_plus_half_lambda_sum_of_affine_weights_squared():
    lam = 0.25
    model = make_model(batchnorm=True, wd=lam)
    x, y = make_batch("softmax_ce")
    objective = model.loss_and_grads(x, y)
    data_loss = model.loss_fn(model.forward(x), y)[0]
    squares = sum(float(np.sum(model.params[f"affine{i}.W"] ** 2)) for i in (1, 2, 3))
    assert model.l2_penalty() == pytest.approx(0.5 * lam * squares, rel=1e-14)
    assert objective == pytest.approx(data_loss + 0.5 * lam * squares, rel=1e-14)


def test_weight_decay_adds_lambda_w_to_affine_weights_only():
    lam = 0.25
    x, y = make_batch("softmax_ce")
    plain, decayed = make_model(batchnorm=True), make_model(batchnorm=True, wd=lam)
    plain.loss_and_grads(x, y)
    decayed.loss_and_grads(x, y)
    for key in plain.params:
        extra = lam * plain.params[key] if key.endswith(".W") else 0.0
        np.testing.assert_allclose(decayed.grads[key], plain.grads[key] + extra, rtol=1e-12)


def test_no_weight_decay_means_no_penalty():
    model = make_model()
    assert model.l2_penalty() == 0.0


# --- build_mlp ----------------------------------------------------------------------------------


def test_build_mlp_layer_names_and_order():
    rng = np.random.default_rng(0)
    plain = build_mlp(784, [100, 50], 10, rng_init=rng)
    assert list(plain.layers) == ["affine1", "relu1", "affine2", "relu2", "affine3"]
    full = build_mlp(
        784,
        [100, 50],
        10,
        activation="tanh",
        batchnorm=True,
        dropout=0.5,
        rng_init=rng,
        rng_dropout=rng,
    )
    assert list(full.layers) == [
        "affine1",
        "bn1",
        "tanh1",
        "dropout1",
        "affine2",
        "bn2",
        "tanh2",
        "dropout2",
        "affine3",
    ]
    assert isinstance(full.layers["bn2"], BatchNorm)
    assert isinstance(full.layers["dropout1"], Dropout)
    assert full.layers["dropout1"].p == 0.5


def test_build_mlp_parameter_and_buffer_shapes():
    model = build_mlp(784, [100, 50], 10, batchnorm=True, rng_init=np.random.default_rng(0))
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {
        "affine1.W": (784, 100),
        "affine1.b": (100,),
        "bn1.gamma": (100,),
        "bn1.beta": (100,),
        "affine2.W": (100, 50),
        "affine2.b": (50,),
        "bn2.gamma": (50,),
        "bn2.beta": (50,),
        "affine3.W": (50, 10),
        "affine3.b": (10,),
    }
    assert {k: v.shape for k, v in model.grads.items()} == shapes
    assert {k: v.shape for k, v in model.buffers.items()} == {
        "bn1.running_mean": (100,),
        "bn1.running_var": (100,),
        "bn2.running_mean": (50,),
        "bn2.running_var": (50,),
    }


def test_model_params_are_the_layers_arrays():
    """Updating model.params in place (as the optimizers do) updates the layers."""
    model = make_model(batchnorm=True)
    model.params["affine2.W"] += 1.0
    assert model.params["affine2.W"] is model.layers["affine2"].params["W"]
    assert model.grads["bn1.gamma"] is model.layers["bn1"].grads["gamma"]
    assert model.buffers["bn1.running_var"] is model.layers["bn1"].buffers["running_var"]


@pytest.mark.parametrize("loss", list(LOSSES))
def test_zero_hidden_layers_is_a_linear_classifier(loss):
    out = LOSSES[loss].units(2 if loss == "bce" else 3)
    model = build_mlp(4, [], out, loss=loss, rng_init=np.random.default_rng(0), dtype=np.float64)
    assert list(model.layers) == ["affine1"]
    assert isinstance(model.layers["affine1"], Affine)
    assert model.params["affine1.W"].shape == (4, out)
    model.params["affine1.b"][:] = np.arange(out)
    x = np.random.default_rng(1).standard_normal((5, 4))
    expected = x @ model.params["affine1.W"] + model.params["affine1.b"]
    np.testing.assert_allclose(model.forward(x), expected, rtol=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"activation": "gelu"}, "unknown activation"),
        ({"loss": "mse"}, "unknown loss"),
        ({"dropout": 0.5}, "dropout needs rng_dropout"),
    ],
)
def test_build_mlp_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_mlp(4, [3], 2, rng_init=np.random.default_rng(0), **kwargs)


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = make_model(seed=1), make_model(seed=1), make_model(seed=2)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert not np.array_equal(a.params["affine1.W"], c.params["affine1.W"])


# --- evaluation ---------------------------------------------------------------------------------


def test_evaluate_is_eval_mode_data_loss_and_accuracy_independent_of_batch_size():
    model = make_model(batchnorm=True, dropout=0.5, wd=10.0)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((23, D)), rng.integers(0, C, 23)
    for _ in range(3):
        model.forward(rng.standard_normal((16, D)), train=True)  # give BN non-trivial stats
    scores = model.forward(x, train=False)
    loss, acc = model.evaluate(x, y)
    assert loss == pytest.approx(model.loss_fn(scores, y)[0], rel=1e-12)  # no L2 term
    assert acc == pytest.approx(np.mean(np.argmax(scores, axis=1) == y))
    loss_b, acc_b = model.evaluate(x, y, batch_size=5)
    assert loss_b == pytest.approx(loss, rel=1e-12)
    assert acc_b == acc


def test_evaluate_keeps_no_arrays_and_gives_the_numbers_a_kept_pass_gives():
    """Evaluation forgets each layer's input as it goes (``forward(keep=False)``): the same
    scores bit for bit as a pass that keeps them, and no array of it left on any layer."""
    model = make_model(batchnorm=True, dropout=0.5)
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((17, D)), rng.integers(0, C, 17)
    model.forward(rng.standard_normal((16, D)), train=True)  # (BN statistics, kept arrays)
    kept = model.forward(x, train=False)
    assert np.array_equal(model.forward(x, train=False, keep=False), kept)
    loss, acc = model.evaluate(x, y)
    assert (loss, acc) == (float(model.loss_fn(kept, y)[0]), float(np.mean(kept.argmax(1) == y)))
    for name, layer in model.layers.items():
        assert all(getattr(layer, a, None) is None for a in layer.kept), name


def test_rel_error_is_against_the_largest_entry_not_cs231ns_entry_by_entry():
    """(nnlab.nn.gradcheck.rel_error's docstring names cs231n's element-wise form and what
    its thresholds then measure: an entry of 1e-6 off by 1e-12 beside an entry of 1)"""
    a, n = np.array([1.0, 1e-6]), np.array([1.0, 1e-6 + 1e-12])
    cs231n = np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n)))
    assert abs(rel_error(a, n) - 5e-13) < 1e-15 and abs(cs231n - 5e-7) < 1e-12
    doc = " ".join(rel_error.__doc__.split())
    assert (
        "max_i |a_i - n_i| / max(1e-8, |a_i| + |n_i|)" in doc and "5e-7 there and 5e-13 here" in doc
    )
