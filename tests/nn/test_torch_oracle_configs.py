"""The torch oracle (``test_torch_oracle``) over the config space: every key a user can set that
changes the math, at its edges (optional: skipped without torch).

Most tests train a float64 run from a config through nnlab's factory and loop and the same run
in torch (``compare``: every step's objective, every epoch's record, the final weights,
BatchNorm's running statistics and the optimizer's state to ``RTOL``, accuracies exactly); a
few compare one layer or the batching. The keys:

- ``optimizer``: every optimizer with each of its hyperparameters at its bounds and between
  (the table must name every one: a new hyperparameter fails ``test_every_hyperparameter_...``
  until it has cases), its defaults, and torch's options nnlab's rule leaves out (dampening,
  lr decay, an initial accumulator, centring, amsgrad) set explicitly to what nnlab does;
- ``weight_decay`` with every optimizer: coupled (``torch.optim.Adam``), never AdamW's
  decoupled decay (a deliberate difference the README states, checked here to be one);
- ``model.init`` (and ``init_std``) with every activation, with and without BatchNorm (a zero
  init makes BatchNorm's input a constant column: its variance 0);
- ``model.batchnorm`` at the smallest batches it accepts (2, and a last batch of 2), and the
  batches it refuses as torch's ``BatchNorm1d`` does (1 sample);
- ``model.dropout`` from small to large rates, masks shared, evaluation the identity;
- ``batch_size``: batches that do not divide the training split (the last one kept, smaller,
  as torch's ``DataLoader`` with ``drop_last=False``) and one larger than it;
- ``dtype`` float32 against torch in float32 (to float32's rounding);
- a sweep's stack with every optimizer, nets differing in learning rate and weight decay.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from nnlab.build import build_group
from nnlab.config import ConfigError
from nnlab.experiments.checks import check_batchnorm_batches
from nnlab.nn.layers import BatchNorm, Dropout
from nnlab.nn.registry import ACTIVATIONS, INITS, LOSSES, OPTIMIZERS
from nnlab.state import set_state
from nnlab.train import TrainSettings, fit_group, minibatches

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")

from tests.nn.test_torch_oracle import (  # noqa: E402
    BLOBS,
    COMMON_OPTIONS,
    DIGITS,
    IMPLEMENTATION_OPTIONS,
    OPTIMIZER_CASES,
    RTOL,
    TORCH_OPTIMIZERS,
    TORCH_SLOTS,
    compare,
    make_config,
    rel_diff,
    run_nnlab,
    run_torch,
)

# --- optimizers: every hyperparameter ------------------------------------------------------------
# Values of each hyperparameter, the others at OPTIMIZER_CASES' values: its bounds (a bound it
# may not reach: close to it) and a value between. Learning rates small and large.
HYPER_VALUES = {
    "sgd": {"lr": [1e-4, 0.5]},
    "momentum": {"lr": [1e-4, 0.2], "momentum": [0.0, 0.5, 0.99]},
    "nesterov": {"lr": [1e-4, 0.2], "momentum": [0.01, 0.5, 0.99]},
    "adagrad": {"lr": [1e-4, 0.3], "eps": [1e-12, 1e-3, 1.0]},
    "rmsprop": {"lr": [1e-5, 0.02], "alpha": [0.0, 0.01, 0.5, 0.999], "eps": [1e-12, 1e-3, 1.0]},
    "adam": {
        "lr": [1e-5, 0.03],
        "beta1": [0.0, 0.5, 0.99],
        "beta2": [0.0, 0.5, 0.9999],
        "eps": [1e-12, 1e-3, 1.0],
    },
}
# Cases whose other hyperparameters must change for the run to be well conditioned: Adam with
# beta2 0 divides m by |g_t| + eps, so a gradient entry that is a cancellation near 0 (its
# rounding error relative to itself large) makes a step of the order of lr from rounding errors
# when eps is small (1e-6: the frameworks part at 1e-10; a property of the rule, not of nnlab).
CONDITIONED = {("adam", "beta2", 0.0): {"eps": 1e-3}}
HYPER_CASES = [
    (name, key, value)
    for name, keys in HYPER_VALUES.items()
    for key, values in keys.items()
    for value in values
]


def test_every_hyperparameter_of_every_optimizer_has_cases_and_a_torch_argument():
    assert set(HYPER_VALUES) == set(OPTIMIZERS) == set(TORCH_OPTIMIZERS) == set(TORCH_SLOTS)
    for name, cls in OPTIMIZERS.items():
        assert set(HYPER_VALUES[name]) == set(cls.hyper), name
        assert set(TORCH_OPTIMIZERS[name][1]) == set(cls.hyper), name
        assert set(TORCH_SLOTS[name]) == set(cls.slots), name
        for key, spec in cls.hyper.items():
            values = HYPER_VALUES[name][key]
            if spec.ge is not None:  # (a bound it may reach: a case at it)
                assert spec.ge in values, (name, key)


@pytest.mark.parametrize("name", sorted(TORCH_OPTIMIZERS))
def test_every_option_of_the_torch_optimizer_is_set_to_nnlabs_rule(name):
    """Every argument of the torch class that changes its update is given (a hyperparameter or
    a fixed option), so no torch default stands in for a choice nnlab made."""
    cls, names, fixed = TORCH_OPTIMIZERS[name]
    given = {n if isinstance(n, str) else n[0] for n in names.values()}
    given |= set(fixed) | set(COMMON_OPTIONS)
    options = set(inspect.signature(getattr(torch.optim, cls).__init__).parameters)
    assert options - IMPLEMENTATION_OPTIONS == given


@pytest.mark.parametrize(("name", "key", "value"), HYPER_CASES)
def test_every_optimizer_hyperparameter_matches_torch(name, key, value):
    compare(make_config(
        epochs=2, weight_decay=0.01,
        optimizer={"name": name, **OPTIMIZER_CASES[name],
                   **CONDITIONED.get((name, key, value), {}), key: value},
    ))  # fmt: skip


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_with_its_defaults_matches_torch(name):
    compare(make_config(epochs=2, optimizer={"name": name}))


# torch's defaults where nnlab's docstrings say its default is torch's
TORCH_DEFAULTS = {
    ("adagrad", "lr"): ("Adagrad", "lr"),
    ("adagrad", "eps"): ("Adagrad", "eps"),
    ("rmsprop", "lr"): ("RMSprop", "lr"),
    ("rmsprop", "alpha"): ("RMSprop", "alpha"),
    ("rmsprop", "eps"): ("RMSprop", "eps"),
    ("adam", "lr"): ("Adam", "lr"),
    ("adam", "beta1"): ("Adam", "betas", 0),
    ("adam", "beta2"): ("Adam", "betas", 1),
    ("adam", "eps"): ("Adam", "eps"),
}


@pytest.mark.parametrize(("name", "key"), sorted(TORCH_DEFAULTS))
def test_defaults_said_to_be_torchs_are_torchs(name, key):
    cls, arg, *index = TORCH_DEFAULTS[(name, key)]
    default = inspect.signature(getattr(torch.optim, cls).__init__).parameters[arg].default
    assert OPTIMIZERS[name].hyper[key].default == (default[index[0]] if index else default)


# ... and where they are DLFS's, not torch's (the README's list of differences names them)
DLFS_DEFAULTS = {
    ("sgd", "lr"): 0.01,
    ("momentum", "lr"): 0.01,
    ("momentum", "momentum"): 0.9,
    ("nesterov", "lr"): 0.01,
    ("nesterov", "momentum"): 0.9,
}


def torch_default(name: str, key: str):
    """torch's default of the argument that nnlab's hyperparameter ``key`` of ``name`` is."""
    cls, names, _ = TORCH_OPTIMIZERS[name]
    arg = names[key]
    parameters = inspect.signature(getattr(torch.optim, cls).__init__).parameters
    if isinstance(arg, tuple):
        return parameters[arg[0]].default[arg[1]]
    return parameters[arg].default


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_default_is_torchs_or_one_the_readme_names_as_dlfss(name):
    """(``optimizer: {name: sgd}`` trained at lr 0.01 where ``torch.optim.SGD(params)`` takes
    0.001, and nothing said so: a default is now torch's, or DLFS's and said to be)"""
    for key, spec in OPTIMIZERS[name].hyper.items():
        theirs = torch_default(name, key)
        if (name, key) in DLFS_DEFAULTS:
            assert spec.default == DLFS_DEFAULTS[(name, key)] != theirs, (name, key)
        else:
            assert (name, key) in TORCH_DEFAULTS and spec.default == theirs, (name, key)
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    assert "`torch.optim.SGD` defaults to lr 0.001 and momentum 0" in readme
    assert (torch_default("momentum", "lr"), torch_default("momentum", "momentum")) == (0.001, 0)


def adamw(cfg, params):
    """``torch.optim.AdamW`` with the parameter groups' weight decay (decoupled)."""
    o = cfg.optimizer
    return torch.optim.AdamW(params, lr=o.lr, betas=(o.beta1, o.beta2), eps=o.eps,
                             weight_decay=0.0)  # fmt: skip


def test_adam_weight_decay_is_coupled_adam_not_adamw():
    """The README's deliberate difference: weight decay is in the gradient, as Adam's coupled
    ``weight_decay`` (which the oracle matches), not AdamW's decoupled w -= lr * wd * w."""
    cfg = make_config(optimizer={"name": "adam", "lr": 0.01}, weight_decay=0.1)
    compare(cfg, decay="optimizer")
    data, (trace,) = run_nnlab([cfg])
    _, _, theirs, _ = run_torch(cfg, data, trace, decay="optimizer", make_optimizer=adamw)
    assert rel_diff(trace.final["affine1.W"], theirs["affine1.W"]) > 1e-3


# --- inits, activations, BatchNorm, dropout ------------------------------------------------------
@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("init", sorted(INITS))
def test_every_init_with_every_activation_matches_torch(init, activation, batchnorm):
    """(A zero init gives BatchNorm constant columns: variance 0, xhat 0, as in torch.)"""
    compare(make_config(
        epochs=2, model={"hidden": [16, 12], "init": init, "activation": activation,
                         "batchnorm": batchnorm},
        optimizer={"name": "momentum", "lr": 0.05},
    ))  # fmt: skip


@pytest.mark.parametrize("init_std", [0.0, 1e-4, 0.5])
def test_init_std_matches_torch(init_std):
    compare(make_config(epochs=2, model={"hidden": [16, 12], "init": "std",
                                         "init_std": init_std}))  # fmt: skip


@pytest.mark.parametrize(
    ("n_train", "batch_size"),  # (20 in 2s; 230 in 3s and 76s: a last batch of 2)
    [(20, 2), (230, 3), (230, 76), (230, "full"), (2, "full")],
)
def test_batchnorm_at_the_smallest_batches_it_accepts_matches_torch(n_train, batch_size):
    """With 2 samples BatchNorm's output is +-1 whatever its input, so the gradient of the
    weights before it is a cancellation (eps / (var + eps) of its terms) that each framework
    rounds its own way (``test_batchnorm_gradient_on_two_samples_...``): training at batch
    2 for long, or with an optimizer that normalises the gradient, amplifies that rounding
    (in torch alone too). These runs are short, with momentum, to compare the rest exactly:
    to RTOL, and at batches of 2 and 3 to 1e-8, where the nearly cancelling terms' rounding,
    each machine's BLAS kernels' own, reaches the weights before BatchNorm (230 in 3s: 1.8e-9
    apart on an AMD EPYC, under 1e-10 on a Xeon)."""
    check_batchnorm_batches(make_config(batch_size=batch_size), n_train)
    compare(make_config(
        epochs=1 if batch_size in (2, 3) else 3, batch_size=batch_size,
        dataset={**DIGITS, "n_train": n_train}, model={"hidden": [16, 12], "batchnorm": True},
        optimizer={"name": "momentum", "lr": 0.05},
    ), rtol=1e-8 if batch_size in (2, 3) else RTOL)  # fmt: skip


@pytest.mark.parametrize("spread", [1.0, 1e-2, 1e-3])  # (two samples' distance; var = spread^2/4)
def test_batchnorm_gradient_on_two_samples_is_as_accurate_as_torchs(spread):
    """BatchNorm's input gradient on a batch of 2 (and a near-constant column: var ~ eps), in
    float64, against the same formula in extended precision: nnlab's error is torch's order."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 40)) * spread + 3.0
    dout, gamma = rng.standard_normal((2, 40)), rng.uniform(0.5, 2, 40)
    bn = BatchNorm(40, np.float64)
    bn.params["gamma"][...] = gamma
    bn.forward(x, train=True)
    ours = bn.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    tbn = torch.nn.BatchNorm1d(40, dtype=torch.float64).train()
    with torch.no_grad():
        tbn.weight.copy_(torch.from_numpy(gamma))
    tbn(tx).backward(torch.from_numpy(dout))
    exact = exact_batchnorm_dx(x, dout, gamma, bn.eps)
    scale = float(np.max(np.abs(exact)))
    err_ours = float(np.max(np.abs(ours - exact))) / scale
    err_torch = float(np.max(np.abs(tx.grad.numpy() - exact))) / scale
    assert err_ours <= max(4 * err_torch, 1e-15), (err_ours, err_torch)


def exact_batchnorm_dx(x, dout, gamma, eps) -> np.ndarray:
    """BatchNorm's training-mode dx in extended precision (NumPy's longdouble)."""
    x, dout, gamma = (np.asarray(a, dtype=np.longdouble) for a in (x, dout, gamma))
    xc = x - x.mean(axis=0)
    inv_std = 1 / np.sqrt((xc * xc).mean(axis=0) + np.longdouble(eps))
    xhat = xc * inv_std
    dx = dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0)
    return (gamma * inv_std * dx).astype(np.float64)


@pytest.mark.parametrize(("n_train", "batch_size"), [(230, 1), (230, 229), (231, 10), (1, "full")])
def test_batchnorm_refuses_a_batch_of_one_as_torch_does(n_train, batch_size):
    cfg = make_config(batch_size=batch_size, model={"hidden": [16, 12], "batchnorm": True})
    with pytest.raises(ConfigError, match="batch_size"):
        check_batchnorm_batches(cfg, n_train)
    sizes = {len(b) for b in minibatches(n_train, batch_size, np.random.default_rng(0))}
    assert 1 in sizes
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        torch.nn.BatchNorm1d(3, dtype=torch.float64).train()(torch.zeros(1, 3, dtype=torch.float64))


@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("dropout", [0.05, 0.5, 0.9])
def test_every_dropout_rate_matches_torch_with_shared_masks(dropout, batchnorm):
    compare(make_config(
        epochs=2, model={"hidden": [16, 12], "dropout": dropout, "batchnorm": batchnorm},
        optimizer={"name": "nesterov", "lr": 0.05, "momentum": 0.9},
    ))  # fmt: skip


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("p", [0.05, 0.15, 0.5, 0.9])
def test_dropout_is_torchs_own_dropout_given_its_mask(p, dtype):
    """torch's ``F.dropout`` (its mask read off its output) and nnlab's ``Dropout`` given that
    mask, in training: the input times the mask times a scale, nnlab's 1/(1-p) rounded to the
    dtype once, torch's 1 / (1-p rounded to the dtype) (the README's words). The same number in
    float64 (outputs and gradients bit for bit); in float32 the last bit may differ (p 0.15
    does). Both are the identity in evaluation."""
    x = torch.from_numpy(np.random.default_rng(1).uniform(0.5, 2, (64, 30)).astype(dtype))
    x.requires_grad_(True)
    theirs = torch.nn.functional.dropout(x, p, training=True)
    theirs.backward(torch.ones_like(theirs))
    layer = Dropout(p, np.random.default_rng(0))
    mask = theirs.detach().numpy() != 0
    layer.mask, layer.keep_mask = mask, True
    xs = x.detach().numpy()
    ours = layer.forward(xs, train=True)
    ours_scale, torch_scale = np.dtype(dtype).type(1 / (1 - p)), 1 / np.dtype(dtype).type(1 - p)
    np.testing.assert_array_equal(ours, xs * (mask * ours_scale))
    np.testing.assert_array_equal(theirs.detach().numpy(), xs * (mask * torch_scale))
    np.testing.assert_array_equal(x.grad.numpy(), mask * torch_scale)
    np.testing.assert_array_equal(layer.backward(np.ones_like(ours)), mask * ours_scale)
    assert (ours_scale == torch_scale) == (dtype == "float64" or p != 0.15)
    np.testing.assert_array_equal(layer.forward(xs, train=False), xs)
    np.testing.assert_array_equal(torch.nn.functional.dropout(x, p, training=False).detach(), xs)


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_loss_with_batchnorm_dropout_and_weight_decay_matches_torch(loss):
    compare(make_config(
        loss=loss, dataset=BLOBS if LOSSES[loss].binary else DIGITS, weight_decay=0.02,
        model={"hidden": [16, 12], "batchnorm": True, "dropout": 0.2},
        optimizer={"name": "rmsprop", "lr": 0.004},
    ))  # fmt: skip


@pytest.mark.parametrize("hidden", [[], [1], [8, 8, 8]])
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_depth_and_width_with_every_loss_matches_torch(hidden, loss):
    """A linear classifier (``bce``: logistic regression), a layer one unit wide (not
    stackable: the plain path) and a deeper net, with BatchNorm and dropout where they apply."""
    compare(make_config(
        loss=loss, dataset=BLOBS if LOSSES[loss].binary else DIGITS, weight_decay=0.01,
        model={"hidden": hidden, "batchnorm": True, "dropout": 0.1, "activation": "tanh"},
        optimizer={"name": "adagrad", **OPTIMIZER_CASES["adagrad"]},  # (eps 1e-6: see zero_gradient)
    ))  # fmt: skip


# --- inputs: their scale and dimension ----------------------------------------------------------
# The oracle gives torch nnlab's arrays, so the dataset keys change no math of their own; what they
# make does: inputs far from [0, 1] (digits unscaled, 0 to 16: large first-layer products and
# logits), standardized 2-D points, one feature (a first Affine of one row), two classes scored
# by softmax rather than bce.
INPUT_CASES = {
    "digits-unscaled": ({**DIGITS, "normalize": "none"}, {"hidden": [16, 12], "batchnorm": True},
                        {"name": "rmsprop", "lr": 0.001}, "softmax_ce"),
    "digits-unscaled-svm": ({**DIGITS, "normalize": "none"}, {"hidden": [16, 12]},
                            {"name": "sgd", "lr": 0.001}, "svm"),
    "spiral-standardized": ({"name": "spiral", "n_per_class": 60, "normalize": "standardize",
                             "n_test": 30}, {"hidden": [20, 20], "activation": "tanh"},
                            {"name": "adam", "lr": 0.01}, "softmax_ce"),
    "blobs-one-feature": ({"name": "blobs", "n_classes": 3, "n_per_class": 50, "dim": 1,
                           "n_test": 30}, {"hidden": [5]},
                          {"name": "nesterov", "lr": 0.1, "momentum": 0.9}, "softmax_ce"),
    "two-classes-softmax": (BLOBS, {"hidden": [16, 12]}, {"name": "adagrad", "lr": 0.5},
                            "softmax_ce"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(INPUT_CASES))
def test_inputs_of_other_scales_and_dimensions_match_torch(case):
    dataset, model, optimizer, loss = INPUT_CASES[case]
    compare(make_config(dataset=dataset, model=model, optimizer=optimizer, loss=loss))


# --- batches, shuffling --------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [7, 100, 500])
def test_batches_that_do_not_divide_the_split_match_torch(batch_size):
    compare(make_config(batch_size=batch_size, epochs=2))


@pytest.mark.parametrize(("n", "batch_size"), [(230, 64), (230, 7), (230, 230), (230, 500),
                                               (230, "full"), (5, 1)])  # fmt: skip
def test_minibatches_are_torchs_batch_sampler_over_the_epochs_permutation(n, batch_size):
    """Each epoch, every sample once, in batches of ``batch_size`` with a smaller last one
    kept: torch's ``DataLoader(shuffle=True)`` default (``drop_last=False``), given nnlab's
    permutation."""
    ours, perms = np.random.default_rng(11), np.random.default_rng(11)
    size = n if batch_size == "full" else batch_size
    epochs = []
    for _ in range(3):  # (a fresh permutation every epoch, from the run's order generator)
        batches = minibatches(n, batch_size, ours)
        perm = perms.permutation(n)
        theirs = list(torch.utils.data.BatchSampler(perm.tolist(), size, drop_last=False))
        assert [b.tolist() for b in batches] == theirs
        assert sorted(perm.tolist()) == list(range(n))
        epochs.append(perm.tolist())
    assert n < 3 or len({tuple(e) for e in epochs}) == 3


# --- dtype, stacks -------------------------------------------------------------------------------
RTOL32 = 2e-5  # float32 runs: each framework rounds its own way (epsilon 1.2e-7; ~1e-6 seen)


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_float32_runs_match_torch_in_float32(name):
    cfg = make_config(
        dtype="float32", epochs=1, weight_decay=0.01,
        model={"hidden": [16, 12], "batchnorm": True, "dropout": 0.2},
        optimizer={"name": name, **OPTIMIZER_CASES[name]},
    )  # fmt: skip
    data, (trace,) = run_nnlab([cfg])
    assert {v.dtype for v in trace.final.values()} == {np.dtype(np.float32)}
    steps, records, state, _ = run_torch(cfg, data, trace)
    assert rel_diff(trace.steps, steps) < RTOL32
    for key, value in state.items():
        assert rel_diff(trace.final[key], value) < RTOL32, key
    for ours, theirs in zip(trace.records, records):
        for key, value in theirs.items():
            if key.endswith("_loss"):
                assert rel_diff(ours[key], value) < RTOL32, key


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_a_stack_with_every_optimizer_matches_torch_net_by_net(name):
    """A sweep's stack: nets differing in seed, init, learning rate and weight decay."""
    model = {"hidden": [16, 12], "batchnorm": True, "dropout": 0.2}
    lr = OPTIMIZER_CASES[name]["lr"]
    cfgs = [
        make_config(seed=seed, model={**model, "init": init}, weight_decay=wd,
                    optimizer={**OPTIMIZER_CASES[name], "name": name, "lr": lr * scale})
        for seed, init, wd, scale in [(1, "he", 0.0, 1.0), (2, "glorot", 0.02, 0.5),
                                      (3, "std", 0.01, 2.0)]
    ]  # fmt: skip
    compare(*cfgs)


# --- resume --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_a_run_resumed_from_its_checkpoint_matches_torchs_uninterrupted_run(name, tmp_path):
    """A run stopped after epoch 1, its state through ``np.savez`` (as a checkpoint) into a
    freshly built net, trained on to epoch 3: its records and final weights are torch's run of
    3 epochs in one go (the optimizer's step count and slots, generators and buffers carried)."""
    cfg = make_config(
        weight_decay=0.01, model={"hidden": [16, 12], "batchnorm": True, "dropout": 0.2},
        optimizer={"name": name, **OPTIMIZER_CASES[name]},
    )  # fmt: skip
    data, (trace,) = run_nnlab([cfg])  # (torch's run follows its batches and masks)
    group, optimizer, rngs = build_group([cfg], data.input_dim, data.n_classes)
    first = TrainSettings.of(cfg.model_copy(update={"epochs": 1}))
    saved = {}
    fit_group(
        group,
        optimizer,
        data.splits,
        first,
        rngs,
        on_epoch=lambda _, record, state: saved.update(state=state(), record=record),
    )
    np.savez(tmp_path / "checkpoint.npz", **saved["state"])
    group, optimizer, rngs = build_group([cfg], data.input_dim, data.n_classes)
    with np.load(tmp_path / "checkpoint.npz", allow_pickle=False) as f:
        set_state(dict(f), group.model, optimizer, rngs[0])
    (result,) = fit_group(group, optimizer, data.splits, TrainSettings.of(cfg), rngs,
                          start_epoch=1, start_step=saved["record"]["steps"])  # fmt: skip
    _, records, state, _ = run_torch(cfg, data, trace)
    assert [r["epoch"] for r in result.records] == [2, 3]
    for ours, theirs in zip(result.records, records[2:]):
        for key, value in theirs.items():
            assert ours[key] == value if key.endswith("_acc") else (
                rel_diff(ours[key], value) < RTOL
            ), key  # fmt: skip
    final = group.net_arrays(0, {**group.params, **group.buffers})
    for key, value in state.items():
        assert rel_diff(final[key], value) < RTOL, key
