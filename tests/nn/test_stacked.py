"""StackedMLP: K nets side by side compute bit for bit what each MLP computes alone.

The stacked layers' own backward passes are checked against centred differences (float64) as
every layer is; the whole stack is then compared with K separate MLPs with ``np.array_equal``
(not a tolerance): losses, every gradient, parameters and BatchNorm buffers after optimizer
steps, and evaluation.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnlab.nn.gradcheck import rel_error
from nnlab.nn.model import MLP, build_mlp
from nnlab.nn.registry import OPTIMIZERS, make_optimizer
from nnlab.nn.stacked import (
    StackedAffine,
    StackedDropout,
    StackedMLP,
    per_net,
    stack_signature,
    take,
)
from tests.conftest import numeric_gradient_array

TOL = 1e-7
K = 3


def nets(
    k: int = K,
    *,
    dims=(7, [6, 5], 4),
    dtype=np.float64,
    scales=None,
    seed: int = 0,
    **options,
) -> list[MLP]:
    """k MLPs of one architecture, each with its own init and dropout generators."""
    input_dim, hidden, classes = dims
    out = []
    for i in range(k):
        rng_init, rng_drop = np.random.default_rng([seed, i]).spawn(2)
        out.append(
            build_mlp(
                input_dim,
                hidden,
                classes,
                init="std",
                init_std=(scales or [0.5] * k)[i],
                rng_init=rng_init,
                rng_dropout=rng_drop,
                dtype=dtype,
                **options,
            )
        )
    return out


def batches(k: int, n: int, d: int, classes: int, rng, dtype=np.float64):
    xs = [rng.standard_normal((n, d)).astype(dtype) for _ in range(k)]
    ys = [rng.integers(0, classes, n) for _ in range(k)]
    wide = np.concatenate(xs, axis=1)  # net k's inputs in columns k*d .. (k+1)*d - 1
    return xs, ys, wide


# --- the stacked layers' own gradients ------------------------------------------------------------


def stacked_affine_errors(layer: StackedAffine, x: np.ndarray, rng) -> dict[str, float]:
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    analytic = {"x": layer.backward(dout).copy(), **{k: g.copy() for k, g in layer.grads.items()}}

    def f():
        return layer.forward(x)

    numeric = {"x": numeric_gradient_array(f, x, dout)}
    numeric.update({k: numeric_gradient_array(f, p, dout) for k, p in layer.params.items()})
    return {k: rel_error(analytic[k], numeric[k]) for k in analytic}


def test_stacked_affine_backward_matches_numeric():
    rng = np.random.default_rng(0)
    layer = StackedAffine(rng.standard_normal((K, 4, 3)), rng.standard_normal(K * 3))
    errors = stacked_affine_errors(layer, rng.standard_normal((5, K * 4)), rng)
    assert set(errors) == {"x", "W", "b"} and max(errors.values()) < TOL, errors


def test_stacked_affine_on_a_shared_input_is_each_nets_affine():
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((K, 4, 3)), rng.standard_normal(K * 3)
    x = rng.standard_normal((5, 4))
    out = StackedAffine(W, b).forward(x)
    for k in range(K):
        assert np.array_equal(out[:, 3 * k : 3 * k + 3], x @ W[k] + b[3 * k : 3 * k + 3])


def test_stacked_dropout_backward_matches_numeric_with_its_mask_kept():
    rng = np.random.default_rng(2)
    layer = StackedDropout(0.4, [np.random.default_rng(i) for i in range(K)])
    x = rng.standard_normal((6, K * 5))
    out = layer.forward(x)
    layer.keep_mask = True
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    numeric = numeric_gradient_array(lambda: layer.forward(x), x, dout)
    assert rel_error(dx, numeric) < TOL


def test_stacked_dropout_draws_each_nets_mask_from_its_own_generator():
    from nnlab.nn.layers import Dropout

    rngs = [np.random.default_rng(i) for i in range(K)]
    alone = [Dropout(0.5, np.random.default_rng(i)) for i in range(K)]
    x = np.ones((4, K * 6), dtype=np.float32)
    out = StackedDropout(0.5, rngs).forward(x)
    for k, layer in enumerate(alone):
        assert np.array_equal(per_net(out, K)[k], layer.forward(np.ones((4, 6), np.float32)))


# --- the stack against K separate nets ------------------------------------------------------------

CASES = list(
    itertools.product(["relu", "sigmoid", "tanh"], [False, True], [0.0, 0.3], ["softmax_ce", "svm"])
)


def train_side_by_side(stack, alone, opt, opts, rng, steps, dtype):
    """``steps`` steps of ``stack`` (optimizer ``opt``) and of each net alone (``opts[k]``),
    net k on its own batches: each step's losses and gradients are its net's, bit for bit."""
    for _ in range(steps):
        xs, ys, wide = batches(K, 8, 7, 4, rng, dtype)
        losses = stack.loss_and_grads(wide, ys)
        for k, (net, o) in enumerate(zip(alone, opts)):
            assert losses[k] == net.loss_and_grads(xs[k], ys[k])
            grads = stack.net_arrays(k, stack.grads)
            assert all(np.array_equal(grads[n], g) for n, g in net.grads.items())
            o.step(net.params, net.grads)
        opt.step(stack.params, stack.grads)


def assert_each_net_is_its_run_alone(stack, alone, opt, opts, dtype):
    """Each net's parameters, buffers and optimizer state in the stack are its own run's, bit
    for bit, in the run's dtype."""
    for k, (net, o) in enumerate(zip(alone, opts)):
        params, buffers = stack.net_arrays(k, stack.params), stack.net_arrays(k, stack.buffers)
        assert all(np.array_equal(params[n], p) for n, p in net.params.items())
        assert all(np.array_equal(buffers[n], b) for n, b in net.buffers.items())
        state = stack.net_arrays(k, opt.state)
        assert set(state) == set(o.state)
        assert all(np.array_equal(state[n], v) for n, v in o.state.items())
        assert {p.dtype for p in params.values()} == {np.dtype(dtype)}


@pytest.mark.parametrize(("activation", "batchnorm", "dropout", "loss"), CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stack_trains_bit_for_bit_as_each_net_alone(activation, batchnorm, dropout, loss, dtype):
    options = dict(
        activation=activation, batchnorm=batchnorm, dropout=dropout, loss=loss, weight_decay=0.01
    )
    alone = nets(dtype=dtype, scales=[0.3, 0.05, 1.0], **options)
    stack = StackedMLP(nets(dtype=dtype, scales=[0.3, 0.05, 1.0], **options))
    opts = [make_optimizer("adam", lr=0.01) for _ in alone]
    opt = make_optimizer("adam", lr=0.01)
    rng = np.random.default_rng(3)
    train_side_by_side(stack, alone, opt, opts, rng, 3, dtype)
    assert_each_net_is_its_run_alone(stack, alone, opt, opts, dtype)
    x_eval, y_eval = rng.standard_normal((11, 7)).astype(dtype), rng.integers(0, 4, 11)
    assert stack.evaluate(x_eval, y_eval, 4) == [n.evaluate(x_eval, y_eval, 4) for n in alone]


# Every optimizer, its hyperparameters off their defaults, with a learning rate per net
STACK_OPTIMIZERS = {
    "sgd": (0.1, {}),
    "momentum": (0.05, {"momentum": 0.8}),
    "nesterov": (0.05, {"momentum": 0.7}),
    "adagrad": (0.05, {"eps": 1e-6}),
    "rmsprop": (0.004, {"alpha": 0.9, "eps": 1e-6}),
    "adam": (0.004, {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(STACK_OPTIMIZERS))
def test_stack_trains_bit_for_bit_as_each_net_alone_with_every_optimizer(name, dtype):
    """(``test_stack_trains_bit_for_bit_as_each_net_alone`` steps Adam at one lr) BatchNorm
    and dropout, every optimizer with nets differing in learning rate (the optimizer's
    ``lrs``) and weight decay, float32 and float64: each net's losses, gradients,
    parameters, buffers and optimizer state are its own run's, bit for bit."""
    assert set(STACK_OPTIMIZERS) == set(OPTIMIZERS)
    lr, hyper = STACK_OPTIMIZERS[name]
    lrs, decays = [lr, 0.5 * lr, 2 * lr], [0.0, 1e-3, 1e-2]
    options = dict(batchnorm=True, dropout=0.3, activation="tanh")
    alone = nets(dtype=dtype, scales=[0.3, 0.05, 1.0], **options)
    together = nets(dtype=dtype, scales=[0.3, 0.05, 1.0], **options)
    for net, twin, wd in zip(alone, together, decays):
        net.weight_decay = twin.weight_decay = wd
    stack = StackedMLP(together)
    opt = make_optimizer(name, lr=lr, **hyper)
    opt.lrs = stack.per_net_arrays(lrs)
    opts = [make_optimizer(name, lr=r, **hyper) for r in lrs]
    train_side_by_side(stack, alone, opt, opts, np.random.default_rng(5), 4, dtype)
    assert_each_net_is_its_run_alone(stack, alone, opt, opts, dtype)


def test_train_step_gathers_each_nets_own_batch():
    alone, stack = nets(batchnorm=True), StackedMLP(nets(batchnorm=True))
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((20, 7)), rng.integers(0, 4, 20)
    idx = [rng.permutation(20)[:6] for _ in range(K)]
    losses = stack.train_step(x, y, idx)
    assert losses == [net.loss_and_grads(x[i], y[i]) for net, i in zip(alone, idx)]
    for k, net in enumerate(alone):
        grads = stack.net_arrays(k, stack.grads)
        assert all(np.array_equal(grads[n], g) for n, g in net.grads.items())


@pytest.mark.parametrize("need_dx", [False, True])
@pytest.mark.parametrize("n, d, m", [(100, 784, 100), (11, 7, 5)])
def test_affine_reads_blocks_as_it_reads_the_wide_array(n, d, m, need_dx):
    """x (K, N, D), net k's rows as block k (how ``train_step`` gathers a batch), gives the
    same y, dW, db and dx (in x's layout) as the wide (N, K*D) array, bit for bit."""
    rng = np.random.default_rng(6)
    W = rng.standard_normal((K, d, m)).astype(np.float32)
    b = rng.standard_normal(K * m).astype(np.float32)
    blocks = rng.standard_normal((K, n, d)).astype(np.float32)
    wide = np.ascontiguousarray(blocks.transpose(1, 0, 2)).reshape(n, K * d)
    dout = rng.standard_normal((n, K * m)).astype(np.float32)
    layers = [StackedAffine(W, b, need_dx=need_dx) for _ in range(2)]
    outs = [layer.forward(x) for layer, x in zip(layers, [blocks, wide])]
    assert np.array_equal(outs[0], outs[1])
    dxs = [layer.backward(dout) for layer in layers]
    for name in ("W", "b"):
        assert np.array_equal(layers[0].grads[name], layers[1].grads[name])
    if need_dx:
        assert dxs[0].shape == blocks.shape
        assert np.array_equal(dxs[0], per_net(dxs[1], K))


def test_select_keeps_the_chosen_nets_with_their_state():
    stack = StackedMLP(nets(batchnorm=True))
    rng = np.random.default_rng(5)
    _, ys, wide = batches(K, 8, 7, 4, rng)
    stack.loss_and_grads(wide, ys)
    two = stack.select([2, 0])
    assert two.size == 2
    for pos, k in enumerate([2, 0]):
        for arrays, name in [(stack.params, "params"), (stack.buffers, "buffers")]:
            ours = two.net_arrays(pos, getattr(two, name))
            assert all(np.array_equal(ours[n], v) for n, v in stack.net_arrays(k, arrays).items())
        grads = two.net_arrays(pos, two.grads)
        assert all(np.array_equal(grads[n], g) for n, g in stack.net_arrays(k, stack.grads).items())
    # the copies are independent of the original stack
    two.params["affine1.W"][...] = 0
    assert np.any(stack.params["affine1.W"] != 0)


def test_take_selects_blocks_of_matrices_and_vectors():
    W = np.arange(K * 2 * 3).reshape(K, 2, 3)
    b = np.arange(K * 4)
    assert np.array_equal(take(W, [2, 0], K), W[[2, 0]])
    assert np.array_equal(take(b, [1], K), b[4:8])


def test_net_is_a_plain_mlp_viewing_the_stack():
    stack = StackedMLP(nets(batchnorm=True))
    net = stack.net(1)
    assert isinstance(net, MLP) and set(net.params) == set(stack.params)
    net.params["affine2.b"][...] = 7.0  # a view: writes go to the stack
    assert np.all(stack.net_arrays(1, stack.params)["affine2.b"] == 7.0)


def test_params_finite_is_per_net():
    stack = StackedMLP(nets())
    stack.params["affine2.W"][1, 0, 0] = np.nan
    assert stack.params_finite() == [True, False, True]
    stack.params["affine2.W"][1, 0, 0] = 0
    stack.params["affine1.b"][-1] = np.inf  # the last net's bias (a stacked vector)
    assert stack.params_finite() == [True, True, False]
    stack.params["affine1.W"][0, :2, 0] = 1.5e308  # finite numbers whose sum overflows (float64):
    alone = [all(np.isfinite(p).all() for p in stack.net(k).params.values()) for k in range(3)]
    assert stack.params_finite() == alone == [True, True, False]


def test_nets_that_differ_or_have_a_unit_wide_layer_do_not_stack():
    with pytest.raises(ValueError, match="differ"):
        StackedMLP([*nets(2), *nets(1, batchnorm=True)])
    (unit_wide,) = nets(1, dims=(7, [6], 1), loss="bce")
    assert stack_signature(unit_wide) is None
    with pytest.raises(ValueError, match="one unit wide"):
        StackedMLP([unit_wide, unit_wide])


def test_a_layer_of_a_kind_no_stack_has_is_refused_by_name():
    """(``stacked_layer`` maps each layer kind to its stacked form; any other kind is a
    ValueError naming the layer, not a stack that computes something else)"""
    from nnlab.nn.layers import Layer

    class Scale(Layer):  # elementwise, but not a registered activation
        def forward(self, x, train=True):
            return 2 * x

    two = nets(2)
    for net in two:
        net.layers = {**net.layers, "scale1": Scale()}
    with pytest.raises(ValueError, match=r"layer 'scale1' \(Scale\) unsupported"):
        StackedMLP(two)
