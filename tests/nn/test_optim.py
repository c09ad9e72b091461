"""Optimizers step by step against their equations, and state round trips through np.savez.

The expected values are written out independently of nnlab.nn.optim: plain Python floats, one
element at a time, following the equations in the torch.optim documentation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab.nn.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSProp
from nnlab.nn.registry import OPTIMIZERS, make_optimizer

W0 = [1.0, -2.0, 0.5]
GRADS = [[0.5, -1.0, 0.0], [-1.0, 2.0, 0.25], [2.0, 0.1, -0.5]]  # g_1, g_2, g_3


# --- the equations, by hand ---------------------------------------------------------------------


def sgd_by_hand(lr):
    w = list(W0)
    history = []
    for g in GRADS:
        w = [wi - lr * gi for wi, gi in zip(w, g)]
        history.append(w)
    return history


def momentum_by_hand(lr, momentum, nesterov=False):
    w, v = list(W0), [0.0] * len(W0)
    history = []
    for g in GRADS:
        v = [momentum * vi + gi for vi, gi in zip(v, g)]
        if nesterov:
            w = [wi - lr * (gi + momentum * vi) for wi, gi, vi in zip(w, g, v)]
        else:
            w = [wi - lr * vi for wi, vi in zip(w, v)]
        history.append(w)
    return history


def adagrad_by_hand(lr, eps):
    w, h = list(W0), [0.0] * len(W0)
    history = []
    for g in GRADS:
        h = [hi + gi * gi for hi, gi in zip(h, g)]
        w = [wi - lr * gi / (math.sqrt(hi) + eps) for wi, gi, hi in zip(w, g, h)]
        history.append(w)
    return history


def rmsprop_by_hand(lr, alpha, eps):
    w, h = list(W0), [0.0] * len(W0)
    history = []
    for g in GRADS:
        h = [alpha * hi + (1 - alpha) * gi * gi for hi, gi in zip(h, g)]
        w = [wi - lr * gi / (math.sqrt(hi) + eps) for wi, gi, hi in zip(w, g, h)]
        history.append(w)
    return history


def adam_by_hand(lr, beta1, beta2, eps):
    w, m, v = list(W0), [0.0] * len(W0), [0.0] * len(W0)
    history = []
    for t, g in enumerate(GRADS, start=1):
        m = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(m, g)]
        v = [beta2 * vi + (1 - beta2) * gi * gi for vi, gi in zip(v, g)]
        m_hat = [mi / (1 - beta1**t) for mi in m]
        v_hat = [vi / (1 - beta2**t) for vi in v]
        w = [wi - lr * mh / (math.sqrt(vh) + eps) for wi, mh, vh in zip(w, m_hat, v_hat)]
        history.append(w)
    return history


# (optimizer, its constructor arguments, the same computation by hand)
CASES = {
    "sgd": (SGD, {"lr": 0.1}, lambda: sgd_by_hand(0.1)),
    "momentum-default": (Momentum, {"lr": 0.1}, lambda: momentum_by_hand(0.1, 0.9)),
    "momentum-0.5": (Momentum, {"lr": 0.05, "momentum": 0.5}, lambda: momentum_by_hand(0.05, 0.5)),
    "momentum-0": (Momentum, {"lr": 0.1, "momentum": 0.0}, lambda: sgd_by_hand(0.1)),
    "nesterov-default": (Nesterov, {"lr": 0.1}, lambda: momentum_by_hand(0.1, 0.9, True)),
    "nesterov-0.7": (
        Nesterov,
        {"lr": 0.02, "momentum": 0.7},
        lambda: momentum_by_hand(0.02, 0.7, True),
    ),
    "adagrad-default": (AdaGrad, {"lr": 0.1}, lambda: adagrad_by_hand(0.1, 1e-10)),
    "adagrad-eps": (AdaGrad, {"lr": 0.3, "eps": 0.1}, lambda: adagrad_by_hand(0.3, 0.1)),
    "rmsprop-default": (RMSProp, {"lr": 0.01}, lambda: rmsprop_by_hand(0.01, 0.99, 1e-8)),
    "rmsprop-custom": (
        RMSProp,
        {"lr": 0.1, "alpha": 0.5, "eps": 0.01},
        lambda: rmsprop_by_hand(0.1, 0.5, 0.01),
    ),
    "rmsprop-alpha-0": (  # (h is the last g^2: the step lr * g / (|g| + eps))
        RMSProp,
        {"lr": 0.1, "alpha": 0.0, "eps": 0.01},
        lambda: rmsprop_by_hand(0.1, 0.0, 0.01),
    ),
    "adam-default": (Adam, {}, lambda: adam_by_hand(0.001, 0.9, 0.999, 1e-8)),
    "adam-custom": (
        Adam,
        {"lr": 0.05, "beta1": 0.5, "beta2": 0.8, "eps": 0.01},
        lambda: adam_by_hand(0.05, 0.5, 0.8, 0.01),
    ),
    "adam-beta1-0": (  # (m is the last g, m_hat = m)
        Adam,
        {"lr": 0.05, "beta1": 0.0, "beta2": 0.8, "eps": 0.01},
        lambda: adam_by_hand(0.05, 0.0, 0.8, 0.01),
    ),
    "adam-beta2-0": (  # (v is the last g^2, v_hat = v)
        Adam,
        {"lr": 0.05, "beta1": 0.5, "beta2": 0.0, "eps": 0.01},
        lambda: adam_by_hand(0.05, 0.5, 0.0, 0.01),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_first_three_steps_match_the_equations(case):
    cls, kwargs, by_hand = CASES[case]
    opt = cls(**kwargs)
    w = np.array(W0)
    for t, (g, expected) in enumerate(zip(GRADS, by_hand()), start=1):
        opt.step({"w": w}, {"w": np.array(g)})
        assert opt.t == t
        np.testing.assert_allclose(w, expected, rtol=1e-13, atol=1e-15, err_msg=f"step {t}")


def test_every_optimizer_has_a_hand_computed_case():
    assert {cls for cls, _, _ in CASES.values()} == set(OPTIMIZERS.values())


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_hyperparameter_has_a_hand_computed_case_off_its_default_and_at_its_bound(name):
    """Each setting of each rule is checked against its equation: some case gives it a value
    other than its default, and one gives it the lower bound it may take (momentum 0, RMSProp's
    alpha 0, Adam's beta1 0 and beta2 0), where a term of the rule vanishes."""
    cls = OPTIMIZERS[name]
    given = [kwargs for c, kwargs, _ in CASES.values() if c is cls]
    for key, spec in cls.hyper.items():
        assert any(key in k and k[key] != spec.default for k in given), (name, key)
        if spec.ge is not None:
            assert any(k.get(key) == spec.ge for k in given), (name, key)


def test_momentum_0_keeps_the_last_gradient_as_its_velocity():
    """(The README: with momentum 0 Momentum keeps v = g, where torch's SGD keeps no buffer.)"""
    opt, w = Momentum(lr=0.1, momentum=0.0), np.array(W0)
    for g in GRADS:
        opt.step({"w": w}, {"w": np.array(g)})
        np.testing.assert_array_equal(opt.state["v/w"], g)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(CASES))
def test_per_net_learning_rates_step_each_block_as_an_optimizer_of_that_lr(case, dtype):
    """``lrs`` (a stack's per-net learning rates: an array in the parameter's dtype, one rate
    per net's block) replaces lr in the rule: each block moves bit for bit as it does under the
    optimizer built with its own lr (in float32 too: the float32 rate times a float32 array is
    the product a Python float lr makes, where a float64 rate would round otherwise), and a
    parameter without an entry takes lr."""
    cls, kwargs, _ = CASES[case]
    lr = kwargs.get("lr", cls.hyper["lr"].default)
    rates = [lr, 3 * lr, 0.37 * lr]
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((3, 200)).astype(dtype)
    grads = [rng.standard_normal((3, 200)).astype(dtype) for _ in range(5)]
    opt = cls(**kwargs)
    opt.lrs = {"w": np.array(rates, dtype=dtype)[:, None]}
    w, other = w0.copy(), w0.copy()
    alone = [(cls(**{**kwargs, "lr": r}), w0[k].copy()) for k, r in enumerate(rates)]
    plain = w0.copy()
    for g in grads:
        opt.step({"w": w, "other": other}, {"w": g, "other": g})
        for k, (optimizer, block) in enumerate(alone):
            optimizer.step({"w": block}, {"w": g[k]})
        np.testing.assert_array_equal(w, [block for _, block in alone])
        assert w.dtype == other.dtype == dtype
    by_lr = cls(**kwargs)
    for g in grads:
        by_lr.step({"w": plain}, {"w": g})
    np.testing.assert_array_equal(other, plain)


def test_sgd_and_momentum_literal_numbers():
    """The arithmetic spelled out for one weight: w0 = 1, g = 0.5, -1, 2, lr = 0.1, mu = 0.9."""
    sgd, mom = SGD(lr=0.1), Momentum(lr=0.1, momentum=0.9)
    w_sgd, w_mom = np.array([1.0]), np.array([1.0])
    seen_sgd, seen_mom = [], []
    for g in (0.5, -1.0, 2.0):
        sgd.step({"w": w_sgd}, {"w": np.array([g])})
        mom.step({"w": w_mom}, {"w": np.array([g])})
        seen_sgd.append(float(w_sgd[0]))
        seen_mom.append(float(w_mom[0]))
    # sgd: 1 - 0.05 = 0.95; 0.95 + 0.1 = 1.05; 1.05 - 0.2 = 0.85
    assert seen_sgd == pytest.approx([0.95, 1.05, 0.85], rel=1e-15)
    # momentum: v = 0.5, -0.55, 1.505 -> w = 0.95, 1.005, 0.8545
    assert seen_mom == pytest.approx([0.95, 1.005, 0.8545], rel=1e-15)


def test_adam_first_step_moves_every_weight_by_about_lr():
    """With bias correction the first Adam step is lr * g / (|g| + eps): about lr per weight."""
    w = np.array([1.0, 1.0, 1.0])
    Adam(lr=0.01).step({"w": w}, {"w": np.array([1e-3, -5.0, 300.0])})
    np.testing.assert_allclose(w, [0.99, 1.01, 0.99], rtol=1e-6)


def test_each_parameter_has_its_own_state():
    opt = Adam(lr=0.1)
    a, b = np.array([1.0, 2.0]), np.array([[3.0]])
    opt.step({"a": a, "b": b}, {"a": np.array([1.0, -1.0]), "b": np.array([[0.5]])})
    assert set(opt.state) == {"m/a", "v/a", "m/b", "v/b"}
    assert opt.state["m/b"].shape == (1, 1)
    np.testing.assert_allclose(opt.state["m/a"], [0.1, -0.1])


@pytest.mark.parametrize("case", list(CASES))
def test_state_dict_round_trips_through_savez_and_continues_identically(case, tmp_path):
    cls, kwargs, _ = CASES[case]
    rng = np.random.default_rng(0)
    names = ["affine1.W", "affine1.b", "bn1.gamma"]
    shapes = [(3, 2), (2,), (2,)]
    params = {k: rng.standard_normal(s) for k, s in zip(names, shapes)}
    grads = [{k: rng.standard_normal(s) for k, s in zip(names, shapes)} for _ in range(5)]

    original = cls(**kwargs)
    for g in grads[:2]:
        original.step(params, g)
    np.savez(tmp_path / "opt.npz", **original.state_dict())
    np.savez(tmp_path / "params.npz", **params)

    resumed = cls(**kwargs)
    with np.load(tmp_path / "opt.npz", allow_pickle=False) as data:
        resumed.load_state_dict(dict(data))
    with np.load(tmp_path / "params.npz", allow_pickle=False) as data:
        resumed_params = {k: data[k] for k in names}
    assert resumed.t == 2
    assert set(resumed.state) == set(original.state)

    for g in grads[2:]:
        original.step(params, g)
        resumed.step(resumed_params, g)
    for k in names:
        np.testing.assert_array_equal(resumed_params[k], params[k])


def test_state_dict_is_a_copy():
    opt = Momentum(lr=0.1)
    w = np.array([1.0])
    opt.step({"w": w}, {"w": np.array([1.0])})
    state = opt.state_dict()
    opt.step({"w": w}, {"w": np.array([1.0])})
    np.testing.assert_array_equal(state["v/w"], [1.0])
    assert int(state["t"]) == 1


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_make_optimizer_builds_by_name(name):
    opt = make_optimizer(name, lr=0.1)
    assert isinstance(opt, OPTIMIZERS[name])
    assert opt.name == name
    assert opt.hyperparameters()["lr"] == 0.1


def test_make_optimizer_passes_hyperparameters():
    opt = make_optimizer("adam", lr=0.01, beta1=0.8)
    assert opt.hyperparameters() == {"lr": 0.01, "beta1": 0.8, "beta2": 0.999, "eps": 1e-8}


def test_hyperparameters_are_those_hyper_declares_not_every_attribute():
    # (they were every attribute but t, state and lrs: an optimizer keeping anything else,
    # here a count of its updates, had it listed as a hyperparameter)
    class Counting(SGD):
        def __init__(self, lr: float) -> None:
            super().__init__(lr)
            self.updates = 0

        def update(self, key, w, g):
            self.updates += 1
            super().update(key, w, g)

    opt = Counting(lr=0.5)
    opt.step({"w": np.ones(2)}, {"w": np.ones(2)})
    assert opt.hyperparameters() == {"lr": 0.5}
    for name, cls in OPTIMIZERS.items():
        assert list(make_optimizer(name, lr=0.1).hyperparameters()) == list(cls.hyper)


def test_make_optimizer_rejects_unknown_name():
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        make_optimizer("lbfgs", lr=0.1)


@pytest.mark.parametrize("lr", [0.0, -0.1])
def test_lr_must_be_positive(lr):
    with pytest.raises(ValueError, match="lr must be > 0"):
        SGD(lr=lr)


# --- optional: against torch.optim itself -------------------------------------------------------


def torch_optimizer(torch, opt: Optimizer, param):
    h = opt.hyperparameters()
    if isinstance(opt, Nesterov):
        return torch.optim.SGD([param], lr=h["lr"], momentum=h["momentum"], nesterov=True)
    if isinstance(opt, Momentum):
        return torch.optim.SGD([param], lr=h["lr"], momentum=h["momentum"])
    if isinstance(opt, SGD):
        return torch.optim.SGD([param], lr=h["lr"])
    if isinstance(opt, AdaGrad):
        return torch.optim.Adagrad([param], lr=h["lr"], eps=h["eps"])
    if isinstance(opt, RMSProp):
        return torch.optim.RMSprop([param], lr=h["lr"], alpha=h["alpha"], eps=h["eps"])
    assert isinstance(opt, Adam)
    return torch.optim.Adam([param], lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"])


def test_matches_torch_optim_when_installed():
    torch = pytest.importorskip("torch", reason="torch is not installed (optional comparison)")
    for cls, kwargs, _ in CASES.values():
        ours = cls(**kwargs)
        w = np.array(W0)
        param = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
        theirs = torch_optimizer(torch, ours, param)
        for g in GRADS:
            ours.step({"w": w}, {"w": np.array(g)})
            param.grad = torch.tensor(g, dtype=torch.float64)
            theirs.step()
            np.testing.assert_allclose(w, param.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_nesterov_needs_a_momentum_above_zero_as_torch_does():
    # (momentum 0 ran plain SGD under the name nesterov; torch.optim.SGD refuses it)
    assert Nesterov.hyper["momentum"].gt == 0 and Nesterov.hyper["momentum"].lt == 1
    assert Momentum.hyper["momentum"].ge == 0  # (heavy-ball momentum 0 is SGD, as torch allows)


# --- the books' forms: the same iterates, as the docstrings and the README say -------------------
def quadratic_gradient(w: np.ndarray) -> np.ndarray:
    """The gradient A w + b of an ill-conditioned quadratic (each step's gradient depends on
    where the previous steps went, so the iterates, not only the steps, are compared)."""
    A = np.diag([0.1, 1.0, 20.0]) + 0.05
    return A @ w + np.array([0.3, -0.2, 0.1])


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_momentum_is_dlfs_and_cs231ns_velocity_form_at_a_constant_lr(mu):
    """DLFS ``Momentum`` and cs231n: v <- mu v - lr g; w <- w + v (v = -lr times torch's)."""
    lr, ours, w, v = 0.04, np.array(W0), np.array(W0), np.zeros(3)
    opt = Momentum(lr=lr, momentum=mu)
    for _ in range(200):
        opt.step({"w": ours}, {"w": quadratic_gradient(ours)})
        v = mu * v - lr * quadratic_gradient(w)
        w = w + v
        np.testing.assert_allclose(ours, w, rtol=1e-12, atol=1e-14)  # (every iterate)


@pytest.mark.parametrize("mu", [0.1, 0.5, 0.9])
def test_nesterov_is_cs231ns_form_at_a_constant_lr(mu):
    """cs231n's Nesterov: v_prev = v; v <- mu v - lr g(w); w <- w - mu v_prev + (1 + mu) v
    (its v is -lr times torch's, and its step lr (g + mu v_torch) rewritten)."""
    lr, ours, w, v = 0.04, np.array(W0), np.array(W0), np.zeros(3)
    opt = Nesterov(lr=lr, momentum=mu)
    for _ in range(200):
        opt.step({"w": ours}, {"w": quadratic_gradient(ours)})
        v_prev = v
        v = mu * v - lr * quadratic_gradient(w)
        w = w - mu * v_prev + (1 + mu) * v
        np.testing.assert_allclose(ours, w, rtol=1e-12, atol=1e-14)  # (every iterate)


def dlfs_nesterov_step(w, v, g, lr, mu):
    """DLFS's ``common/optimizer.py`` Nesterov: v <- mu v - lr g; w <- w + mu^2 v - (1 + mu) lr g
    (the v just updated)."""
    v = mu * v - lr * g
    return w + mu * mu * v - (1 + mu) * lr * g, v


@pytest.mark.parametrize("mu", [0.5, 0.9])
def test_dlfs_nesterov_is_another_rule_its_docstring_writes_in_torchs_velocity(mu):
    """DLFS's Nesterov is w <- w - lr ((1 + mu) g + mu^2 v_t) in torch's v (v_t = mu v + g, after
    the update), where nnlab's (torch's, cs231n's) is (1 + mu) g + mu^2 v_{t-1}: its first step
    (1 + mu + mu^2) / (1 + mu) times nnlab's, its iterates apart from then on, and on a
    constant gradient both steps approach lr g / (1 - mu), as the docstring and README say."""
    lr, apart = 0.04, 0.0
    ours, dlfs, w, v_dlfs, v = np.array(W0), np.array(W0), np.array(W0), np.zeros(3), np.zeros(3)
    opt = Nesterov(lr=lr, momentum=mu)
    for t in range(200):
        g_ours, g_dlfs = quadratic_gradient(ours), quadratic_gradient(dlfs)
        before = ours.copy()
        opt.step({"w": ours}, {"w": g_ours})
        dlfs_before = dlfs
        dlfs, v_dlfs = dlfs_nesterov_step(dlfs, v_dlfs, g_dlfs, lr, mu)
        v = mu * v + g_dlfs  # (torch's velocity along DLFS's path)
        w = w - lr * ((1 + mu) * g_dlfs + mu * mu * v)  # (the docstring's form of DLFS's step)
        np.testing.assert_allclose(dlfs, w, rtol=1e-12, atol=1e-14, err_msg=f"step {t}")
        if t == 0:
            np.testing.assert_allclose(
                dlfs - dlfs_before, (1 + mu + mu * mu) / (1 + mu) * (ours - before), rtol=1e-14
            )
        apart = max(apart, float(np.max(np.abs(ours - dlfs))))
    assert apart > 0.01  # (another path to the minimum, not a rounding of this one)
    g = np.array([0.5, -1.0, 0.25])  # a constant gradient: both steps tend to lr g / (1 - mu)
    ours, dlfs, v_dlfs, opt = np.zeros(3), np.zeros(3), np.zeros(3), Nesterov(lr=lr, momentum=mu)
    for _ in range(400):
        before, dlfs_before = ours.copy(), dlfs
        opt.step({"w": ours}, {"w": g})
        dlfs, v_dlfs = dlfs_nesterov_step(dlfs, v_dlfs, g, lr, mu)
    np.testing.assert_allclose(ours - before, -lr * g / (1 - mu), rtol=1e-12)
    np.testing.assert_allclose(dlfs - dlfs_before, -lr * g / (1 - mu), rtol=1e-12)
    doc = " ".join(Nesterov.__doc__.split())
    assert "DLFS's ``Nesterov`` (``common/optimizer.py``) is another rule" in doc
    assert "DLFS's step is lr * ((1 + mu) g + mu^2 v_t)" in doc


def test_adam_is_dlfss_form_but_for_the_scale_of_eps():
    """DLFS's ``Adam`` folds both bias corrections into the rate, lr_t = lr sqrt(1 - beta2^t) /
    (1 - beta1^t), and steps lr_t m / (sqrt(v) + eps): nnlab's lr m_hat / (sqrt(v_hat) + eps)
    with eps divided by sqrt(1 - beta2^t). With an
    eps that adds nothing (1e-300) the two are the same iterates; with DLFS's 1e-7 in both,
    not (its first steps' eps is 1/sqrt(0.001) = 32 times nnlab's)."""
    for eps, same in ((1e-300, True), (1e-7, False)):
        lr, b1, b2, ours, w = 0.01, 0.9, 0.999, np.array(W0), np.array(W0)
        m, v = np.zeros(3), np.zeros(3)
        opt = Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
        worst = 0.0
        for t in range(1, 101):
            opt.step({"w": ours}, {"w": quadratic_gradient(ours)})
            g = quadratic_gradient(w)
            lr_t = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
            m += (1 - b1) * (g - m)
            v += (1 - b2) * (g**2 - v)
            w = w - lr_t * m / (np.sqrt(v) + eps)
            worst = max(worst, float(np.max(np.abs(ours - w))))
        assert (worst < 1e-12) == same, (eps, worst)


def dlfs_adam_by_hand(lr, beta1, beta2):
    """DLFS's ``common/optimizer.py`` Adam: the bias corrections in the step size, 1e-7 added."""
    w, m, v = list(W0), [0.0] * len(W0), [0.0] * len(W0)
    history = []
    for t, g in enumerate(GRADS, start=1):
        lr_t = lr * math.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
        m = [mi + (1 - beta1) * (gi - mi) for mi, gi in zip(m, g)]
        v = [vi + (1 - beta2) * (gi**2 - vi) for vi, gi in zip(v, g)]
        w = [wi - lr_t * mi / (math.sqrt(vi) + 1e-7) for wi, mi, vi in zip(w, m, v)]
        history.append(w)
    return history


def test_dlfs_adam_is_this_rule_with_eps_1e7_over_sqrt_of_the_second_bias_correction():
    # (Adam's docstring said DLFS "differs from this by eps scaling"; it now gives the eps)
    lr, beta1, beta2 = 0.05, 0.5, 0.8
    w, state = np.array(W0), {"t": np.array(0)}
    for t, (g, dlfs) in enumerate(zip(GRADS, dlfs_adam_by_hand(lr, beta1, beta2)), start=1):
        opt = Adam(lr, beta1, beta2, eps=1e-7 / math.sqrt(1 - beta2**t))  # (step t's eps)
        opt.load_state_dict(state)
        opt.step({"w": w}, {"w": np.array(g)})
        state = opt.state_dict()
        np.testing.assert_allclose(w, dlfs, rtol=1e-13, atol=1e-15, err_msg=f"step {t}")
    assert "1e-7 / sqrt(1 - beta2^t)" in " ".join(Adam.__doc__.split())


def test_the_eps_placement_of_adagrad_and_rmsprop_names_d2ls_inside_the_root():
    for cls in (AdaGrad, RMSProp):
        doc = " ".join(cls.__doc__.split())
        assert "/ (sqrt(h) + eps)" in doc and "sqrt(h + eps)" in doc, cls.__name__


def test_nesterov_keeps_sutskevers_look_ahead_point_as_its_parameters():
    """Sutskever et al. 2013: u <- mu u - lr grad(theta + mu u), theta <- theta + u. Nesterov's
    w is theta + mu u at every step (its docstring said only 'rewritten in terms of the
    current parameters')."""
    A = np.diag([1.0, 10.0])
    lr, mu = 0.02, 0.9
    theta, u = np.array([1.0, -1.0]), np.zeros(2)
    w, opt = theta.copy(), Nesterov(lr, mu)
    for t in range(30):
        u = mu * u - lr * (A @ (theta + mu * u))
        theta = theta + u
        opt.step({"w": w}, {"w": A @ w})
        np.testing.assert_allclose(w, theta + mu * u, rtol=1e-12, atol=1e-14, err_msg=f"{t}")
    assert "this form keeps that point as w" in " ".join(Nesterov.__doc__.split())


def test_each_adaptive_optimizer_names_its_state_in_torchs_and_the_books_symbols():
    """(AdaGrad's and RMSProp's h is torch's state_sum and square_avg, d2l's s; d2l's Adam
    names m and v as v and s: a reader comparing the formulas needs the mapping)"""
    docs = {cls: " ".join(cls.__doc__.split()) for cls in (AdaGrad, RMSProp, Adam)}
    assert "torch's ``state_sum``, d2l's s" in docs[AdaGrad]
    assert "torch's v (``square_avg``) and d2l's s" in docs[RMSProp]
    assert "d2l names them v and s" in docs[Adam]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_rounds_lr_times_g_then_the_difference_as_its_docstring_says(dtype):
    """(torch's add_(g, alpha=-lr) rounds once, a fused multiply-add: the deliberate
    difference SGD's docstring now names where the code is, not only in the README)"""
    rng = np.random.default_rng(0)
    w, g = rng.standard_normal(1000).astype(dtype), rng.standard_normal(1000).astype(dtype)
    ours = w.copy()
    SGD(0.1).step({"w": ours}, {"w": g})
    np.testing.assert_array_equal(ours, w - 0.1 * g)  # (each operation rounded to the dtype)
    assert "one fused multiply-add (rounded once)" in " ".join(SGD.__doc__.split())


@pytest.mark.parametrize(
    ("dtype", "g"),
    [(np.float32, 3e19), (np.float32, -6e19), (np.float64, 3e154), (np.float64, -5e154)],
)
@pytest.mark.parametrize("name", ["rmsprop", "adam"])
def test_a_gradient_whose_square_overflows_steps_as_its_scaled_square_does(name, g, dtype):
    """g * g overflows the dtype (from 1.8e19 in float32, 1.3e154 in float64) where
    (1 - alpha) * g * g, torch's order, does not: the first step is the rule's, lr / sqrt(1 -
    alpha) for RMSProp (10 lr at alpha 0.99), lr for Adam (m_hat / sqrt(v_hat) = sign(g)), the
    state finite, and the weight moves on at the next gradients (-g, g, -g). (nnlab squared g
    first: h or v inf for good, every step of that weight 0.)"""
    opt = make_optimizer(name, lr=0.01)
    w = np.zeros(1, dtype=dtype)
    opt.step({"w": w}, {"w": np.array([g], dtype=dtype)})
    first = 0.1 if name == "rmsprop" else 0.01
    assert w[0] == pytest.approx(-math.copysign(first, g), rel=1e-6)
    for sign in (-1, 1, -1):
        before = w.copy()
        opt.step({"w": w}, {"w": np.array([sign * g], dtype=dtype)})
        assert np.isfinite(w).all() and w[0] != before[0]
    assert all(np.isfinite(s).all() and s.dtype == dtype for s in opt.state.values())
