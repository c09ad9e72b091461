"""Each optimizer's update rule alone against ``torch.optim``'s, given the same gradients
(optional: skipped without torch): 100 steps of random gradients on 1,000 weights, in float64
and float32, every optimizer at the oracle's hyperparameters and at its defaults, and every
hyperparameter at each of the values the whole-run oracle trains it with
(``test_torch_oracle_configs.HYPER_VALUES``: its bounds and between) in both dtypes, and
every optimizer at gradients of every scale, from 1e-25 to past where g^2 overflows (``SCALES``).

Whole runs (``test_torch_oracle``) compare the rules through a network, where each framework's
rounding of the gradients adds up (float64 1e-10, float32 1e-4), and the whole-run oracle's
hyperparameter edges are float64 runs only. Here only the rules' own rounding parts the two:
float64 to ``RTOL[float64]`` (1e-14; the worst seen 6.9e-16 after 100 steps: Adam's m at
beta1 0.99), float32 to ``RTOL[float32]`` (1e-6, about 8 units in the last place; the worst
seen 6.5e-7, Adam's m at beta1 0.99, torch's ``lerp`` against nnlab's two products; the
weights 2.4e-7: torch's SGD adds lr * g with one rounding, nnlab's two, so not even the first
step is bit for bit). The weights and every slot stay in the run's dtype, so no float64 creeps
into a float32 run.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.config import validate
from nnlab.nn.registry import OPTIMIZERS, make_optimizer

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")

from tests.experiments.test_torch_oracle_paths import torch_optimizer  # noqa: E402
from tests.nn.test_torch_oracle import OPTIMIZER_CASES, TORCH_SLOTS, rel_diff  # noqa: E402
from tests.nn.test_torch_oracle_configs import HYPER_CASES  # noqa: E402

RTOL = {"float64": 1e-14, "float32": 1e-6}


def finite_rel_diff(ours: np.ndarray, theirs: np.ndarray) -> float:
    """``test_torch_oracle.rel_diff`` of the finite entries, asserting that the others (a slot
    whose g^2 overflowed) are the same inf or NaN in both (inf - inf would be a NaN difference,
    which no ``<`` catches)."""
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(np.isfinite(ours), finite)
    np.testing.assert_array_equal(ours[~finite], theirs[~finite])
    return rel_diff(ours[finite], theirs[finite])


def gradients(
    rng: np.random.Generator, dtype: str, tiny: bool = False, scale: float = 1.0
) -> np.ndarray:
    """1,000 random gradient entries of one scale (0.01 to 10, times ``scale``); with ``tiny``,
    entries 0-49 exact zeros (a parameter the loss does not reach) and 50-499 of the scale
    1e-30, whose squares are 0 in float32 (1e-60 underflows), so that eps alone is their
    denominator."""
    g = rng.standard_normal(1000) * (rng.uniform(0.01, 10) * scale)
    if tiny:
        g[:50] = 0
        g[50:500] *= 1e-30
    return g.astype(dtype)


def step_both(name: str, hyper: dict[str, float], dtype: str, seed: int, steps: int = 100,
              tiny: bool = False, scale: float = 1.0) -> dict[str, float]:  # fmt: skip
    """nnlab's optimizer ``name`` and torch's with ``hyper``, ``steps`` steps on the same
    gradients (``gradients``, ``scale`` times): the relative difference of the weights and of each state slot
    (torch's name), asserting the dtypes and step counts. With ``tiny``: the weights of each
    group of ``gradients`` compared apart (``w 0``, ``w tiny``, ``w``), the zeros' unmoved."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(1000).astype(dtype)
    ours, optimizer = w.copy(), make_optimizer(name, **hyper)
    param = torch.tensor(w.copy())
    theirs = torch_optimizer(name, hyper, [param])
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        for _ in range(steps):
            g = gradients(rng, dtype, tiny, scale)
            optimizer.step({"w": ours}, {"w": g.copy()})
            param.grad = torch.from_numpy(g)
            theirs.step()
            assert ours.dtype == np.dtype(dtype)
    if tiny:
        np.testing.assert_array_equal(ours[:50], w[:50])
        np.testing.assert_array_equal(param.numpy()[:50], w[:50])
        worst = {"w tiny": finite_rel_diff(ours[50:500], param.numpy()[50:500])}
        worst["w"] = finite_rel_diff(ours[500:], param.numpy()[500:])
    else:
        worst = {"w": finite_rel_diff(ours, param.numpy())}
    state = theirs.state[param]
    for slot, torch_name in TORCH_SLOTS[name].items():
        ours_slot = optimizer.state[f"{slot}/w"]
        assert ours_slot.dtype == np.dtype(dtype), slot
        if state.get(torch_name) is not None:  # (momentum 0: torch keeps no buffer)
            worst[torch_name] = finite_rel_diff(ours_slot, state[torch_name].numpy())
    if "step" in state:
        assert optimizer.t == int(state["step"]) == steps
    return worst


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("given", ["cases", "defaults"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_update_rule_is_torch_optims_given_the_same_gradients(name, given, dtype):
    hyper = {key: spec.default for key, spec in OPTIMIZERS[name].hyper.items()}
    if given == "cases":
        hyper |= OPTIMIZER_CASES[name]
    worst = step_both(name, hyper, dtype, seed=sorted(OPTIMIZERS).index(name))
    assert max(worst.values()) < RTOL[dtype], worst


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("name", "key", "value"), HYPER_CASES)
def test_every_hyperparameter_value_of_every_rule_is_torch_optims_in_both_dtypes(
    name, key, value, dtype
):
    """Each hyperparameter at its bounds and between (momentum 0, RMSProp's alpha 0, Adam's
    beta1 0 and beta2 0 and 0.9999, eps 1e-12 to 1, learning rates 1e-5 to 0.5), the others at
    the oracle's values: float32 too, which the whole-run oracle trains at one case each."""
    hyper = {k: spec.default for k, spec in OPTIMIZERS[name].hyper.items()}
    hyper |= {**OPTIMIZER_CASES[name], key: value}
    validate({"dtype": dtype, "optimizer": {"name": name, **hyper}})  # (a config may say it)
    worst = step_both(name, hyper, dtype, seed=HYPER_CASES.index((name, key, value)))
    assert max(worst.values()) < RTOL[dtype], worst


@pytest.mark.parametrize("eps", [1e-40, 1e-45])  # (float32 subnormals: not 0, so accepted)
@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam"])
def test_a_float32_eps_below_the_smallest_normal_number_steps_as_torch_optims(name, eps):
    """A float32 run's eps may be a subnormal number (the config refuses only one its dtype
    holds as 0). Gradient entries of 1e-30, whose squares are 0 in float32, have eps alone as
    their denominator: each step moves them by lr * 1e-30 / eps (1e8 times lr and more), in
    torch as in nnlab (neither flushes the subnormal to 0, which would divide by 0), to float32
    rounding; exact zeros leave their weights where they were."""
    validate({"dtype": "float32", "optimizer": {"name": name, "eps": eps}})
    hyper = {k: spec.default for k, spec in OPTIMIZERS[name].hyper.items()} | {"eps": eps}
    worst = step_both(name, hyper, "float32", seed=3, steps=20, tiny=True)
    assert max(worst.values()) < RTOL["float32"], worst


# Gradient scales from tiny to past where g * g overflows: float32's largest number is 3.4e38,
# so g^2 overflows from |g| = 1.8e19 and (1 - beta2) g^2 (torch's v) from 5.8e20 at beta2 0.999;
# float64's from 1.3e154 and 4.2e155. Between the two, nnlab's RMSProp and Adam computed g * g
# first and froze the weight (inf state, steps of 0) where torch stepped by about lr.
SCALES = {
    "float32": [1e-25, 1e-15, 1e15, 1e18, 3e18, 1e19, 3e19, 1e20, 3e20, 1e21, 1e30],
    "float64": [1e-150, 1e-100, 1e100, 1e152, 1e153, 3e153, 1e154, 1e155, 3e155, 1e156, 1e200],
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_update_rule_is_torch_optims_at_gradients_of_every_scale(name, dtype):
    """Each optimizer at its defaults, 20 steps of gradients at each of ``SCALES``: the weights
    and slots as torch's to the rules' rounding, overflows where torch's overflow (an inf
    slot, in both, where even torch's v does: 1e21 and 1e30 in float32)."""
    hyper = {key: spec.default for key, spec in OPTIMIZERS[name].hyper.items()}
    for scale in SCALES[dtype]:
        worst = step_both(name, hyper, dtype, seed=5, steps=20, scale=scale)
        assert max(worst.values()) < RTOL[dtype], (scale, worst)
