"""The torch oracle over random combinations of the config keys (optional: skipped without torch).

``test_torch_oracle_configs`` sets each key that changes the math at its edges with the others
at plain values; here every key is drawn at once (a seeded draw, the same every run): the
optimizer with each hyperparameter at one of the oracle's values (``HYPER_VALUES``) or its
case's, the loss, activation, init, depth, BatchNorm, dropout rate, weight decay (in the loss or
as ``torch.optim``'s ``weight_decay``), batch size, epochs and seed; float64 runs, compared as
``compare`` does, to 1e-10 (the worst seen 7e-11).

Two rules keep a draw well conditioned, as the oracle's own cases are, since outside them the
two frameworks part on rounding alone:

- with BatchNorm, an adaptive optimizer's eps is at least 1e-6: the bias before a BatchNorm has
  a zero gradient, and an eps of 1e-12 turns its rounding noise into steps of the order of lr
  (``test_torch_oracle.zero_gradient``); Adam with beta2 0 takes eps 1e-3 (``CONDITIONED``);
- ``svm``'s learning rate is a tenth of the case's: its gradient is C times softmax's (the
  README), and at the case's rate a run on the edge of diverging amplifies the last bit of its
  weights 1e8-fold in 30 steps (torch from weights one ulp away parts from itself as much).

Not float32: the same draws in float32 part beyond ``RTOL32`` (1e-4) in 6 of 24, on parameters
an adaptive step divides rounding noise for, whichever framework is nearer a float64 run of the
same weights, batches and masks: an ``svm`` net's output biases (their gradient, sums of +-1/N,
is exact in nnlab at a batch of 32 or 64 and rounded in torch, whose ``multi_margin_loss``
divides by C: one such run with RMSProp at eps 1e-12 is 5e-7 from float64 in nnlab, 0.2 in
torch), a gradient entry 1e-8 of the batch's largest on AdaGrad's first step (nnlab 3e-4 from
float64, torch 1e-5), a one-unit output bias whose Adam average m is near 0. The float32
oracle (``test_torch_oracle_float32``) trains each key at plain values of the others.
"""

from __future__ import annotations

import random

import pytest

from nnlab.nn.registry import ACTIVATIONS, LOSSES, OPTIMIZERS

pytest.importorskip("torch", reason="torch is not installed (optional oracle)")

from tests.nn.test_torch_oracle import (  # noqa: E402
    BLOBS,
    DIGITS,
    OPTIMIZER_CASES,
    compare,
    make_config,
)
from tests.nn.test_torch_oracle_configs import HYPER_VALUES  # noqa: E402

DRAWS = 40


def drawn_optimizer(r: random.Random, batchnorm: bool, loss: str) -> dict:
    """An optimizer and its hyperparameters: each at one of ``HYPER_VALUES`` or its case's."""
    name = r.choice(sorted(OPTIMIZERS))
    optimizer = {"name": name, **OPTIMIZER_CASES[name]}
    for key, values in HYPER_VALUES[name].items():
        if key != "lr" and r.random() < 0.5:
            optimizer[key] = r.choice(values)
    if optimizer.get("beta2") == 0.0:
        optimizer["eps"] = 1e-3
    if batchnorm and "eps" in optimizer:
        optimizer["eps"] = max(optimizer["eps"], 1e-6)
    if loss == "svm":
        optimizer["lr"] /= 10
    return optimizer


def drawn(i: int) -> tuple[dict, str]:
    """Draw ``i``'s config keys and where its weight decay goes (``run_torch``'s ``decay``)."""
    r = random.Random(i)
    loss, batchnorm = r.choice(sorted(LOSSES)), r.random() < 0.5
    keys = {
        "dtype": "float64",
        "seed": r.randrange(1000),
        "loss": loss,
        "dataset": BLOBS if LOSSES[loss].binary else DIGITS,
        "model": {
            "hidden": r.choice([[], [10], [16, 12], [7, 9, 5]]),
            "activation": r.choice(sorted(ACTIVATIONS)),
            "init": r.choice(["he", "glorot", "xavier", "std"]),
            "batchnorm": batchnorm,
            "dropout": r.choice([0.0, 0.2, 0.6]),
        },
        "optimizer": drawn_optimizer(r, batchnorm, loss),
        "weight_decay": r.choice([0.0, 0.001, 0.05]),
        "batch_size": r.choice([17, 32, 50, 64, "full"]),  # (230 samples: no last batch of 1)
        "epochs": r.choice([1, 2, 3]),
    }
    return keys, r.choice(["objective", "optimizer"])


@pytest.mark.slow  # (40 runs in both frameworks: 4 s)
@pytest.mark.parametrize("i", range(DRAWS))
def test_random_combinations_of_the_config_keys_match_torch(i):
    keys, decay = drawn(i)
    compare(make_config(**keys), decay=decay)
