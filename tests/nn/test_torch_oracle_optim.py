"""Each optimizer's update rule alone against ``torch.optim``'s, given the same gradients
(optional: skipped without torch): 100 steps of random gradients on 1,000 weights, in float64
and float32, every optimizer at the oracle's hyperparameters and at its defaults.

Whole runs (``test_torch_oracle``) compare the rules through a network, where each framework's
rounding of the gradients adds up (float64 1e-10, float32 1e-4). Here only the rules' own
rounding parts the two: float64 to ``RTOL[float64]`` (1e-14; the worst seen 3.6e-16 after 100
steps), float32 to ``RTOL[float32]`` (1e-6, about 8 units in the last place; the worst seen
1.9e-7: torch's SGD adds lr * g with one rounding, nnlab's two, so not even the first step is
bit for bit). The weights and every slot stay in the run's dtype, so no float64 creeps into a
float32 run.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.nn.registry import OPTIMIZERS, make_optimizer

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")

from tests.experiments.test_torch_oracle_paths import torch_optimizer  # noqa: E402
from tests.nn.test_torch_oracle import OPTIMIZER_CASES, TORCH_SLOTS, rel_diff  # noqa: E402

RTOL = {"float64": 1e-14, "float32": 1e-6}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("given", ["cases", "defaults"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_update_rule_is_torch_optims_given_the_same_gradients(name, given, dtype):
    hyper = {key: spec.default for key, spec in OPTIMIZERS[name].hyper.items()}
    if given == "cases":
        hyper |= OPTIMIZER_CASES[name]
    rng = np.random.default_rng(sorted(OPTIMIZERS).index(name))
    w = rng.standard_normal(1000).astype(dtype)
    ours, optimizer = w.copy(), make_optimizer(name, **hyper)
    param = torch.tensor(w.copy())
    theirs = torch_optimizer(name, hyper, [param])
    for _ in range(100):
        g = (rng.standard_normal(1000) * rng.uniform(0.01, 10)).astype(dtype)
        optimizer.step({"w": ours}, {"w": g.copy()})
        param.grad = torch.from_numpy(g)
        theirs.step()
        assert ours.dtype == np.dtype(dtype)
    assert rel_diff(ours, param.numpy()) < RTOL[dtype]
    state = theirs.state[param]
    for slot, torch_name in TORCH_SLOTS[name].items():
        ours_slot = optimizer.state[f"{slot}/w"]
        assert ours_slot.dtype == np.dtype(dtype), slot
        if state.get(torch_name) is not None:  # (momentum 0: torch keeps no buffer)
            assert rel_diff(ours_slot, state[torch_name].numpy()) < RTOL[dtype], slot
    if "step" in state:
        assert optimizer.t == int(state["step"]) == 100
