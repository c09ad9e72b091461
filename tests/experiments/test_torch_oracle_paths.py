"""``nnlab compare-optimizers --function``'s paths against ``torch.optim`` (optional: skipped
without torch): every built-in function with every optimizer at the hyperparameters the function
gives it, from its start for its steps (up to Rosenbrock's 2,000), each step given the same
analytic gradient, so only the update rules are compared. Every point of every path agrees to
``RTOL`` (the worst seen 9e-16: 2,000 float64 steps do not part the two).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.experiments.optimizers.paths import compare_on_function
from nnlab.experiments.testfuncs import OBJECTIVES

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")

from tests.nn.test_torch_oracle import COMMON_OPTIONS, TORCH_OPTIMIZERS  # noqa: E402

RTOL = 1e-13


def torch_optimizer(name: str, hyperparameters: dict[str, float], params):
    """nnlab's optimizer ``name`` with ``hyperparameters`` as ``torch.optim``'s, every option of
    its update given (``test_torch_oracle.TORCH_OPTIMIZERS``)."""
    cls, names, fixed = TORCH_OPTIMIZERS[name]
    kwargs: dict = {**COMMON_OPTIONS, **fixed}
    for key, value in hyperparameters.items():
        arg = names[key]
        if isinstance(arg, tuple):  # (an element of a tuple argument: Adam's betas)
            kwargs.setdefault(arg[0], [None, None])[arg[1]] = value
        else:
            kwargs[arg] = value
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return getattr(torch.optim, cls)(params, **kwargs)


@pytest.mark.parametrize("function", sorted(OBJECTIVES))
def test_every_optimizers_path_on_every_function_is_torch_optims(function):
    objective = OBJECTIVES[function]
    comparison = compare_on_function(function)
    assert {r.spec.name for r in comparison.results} == set(TORCH_OPTIMIZERS)
    for result in comparison.results:
        assert not result.diverged
        p = torch.tensor(result.start, dtype=torch.float64)
        opt = torch_optimizer(result.spec.name, result.spec.hyperparameters, [p])
        points = [p.numpy().copy()]
        for _ in range(result.steps):
            p.grad = torch.from_numpy(objective.grad(p.numpy().copy()))
            opt.step()
            points.append(p.numpy().copy())
        theirs = np.array(points)
        assert result.path.shape == theirs.shape
        diff = np.max(np.abs(result.path - theirs)) / np.max(np.abs(theirs))
        assert diff < RTOL, (result.spec.name, diff)
