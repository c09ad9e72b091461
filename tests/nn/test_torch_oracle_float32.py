"""float32 runs against torch in float32 (optional: skipped without torch): several epochs, every
optimizer alone and in a sweep's stack, every loss with every activation, the optimizer's state
compared as well as the records and weights (``test_torch_oracle_configs`` compares one epoch's
objective, weights and losses of one net per optimizer); the keys the float64 oracle trains over
(every init, init_std, batch sizes, BatchNorm's smallest batches, dropout rates with torch's own
float32 mask scale, depths, batched evaluation, weight decay: ``KEY_CASES``; every optimizer
hyperparameter value: ``HYPER_CASES``; weight decay as ``torch.optim``'s ``weight_decay`` on the
weight matrices, with every optimizer); and runs that blow up, which must stop at the step
where torch's objective turns non-finite (``DIVERGING``).

Each framework rounds its own way (float32's epsilon is 1.2e-7): after 3 epochs of 4 steps the
worst relative difference seen is 1.8e-5 (AdaGrad's first weights in a stack, its eps 1e-6
dividing small gradients), so ``RTOL32`` is 1e-4; accuracies may differ by one sample at most
(none does). Two exceptions, by what they are:

- the biases before a BatchNorm have a zero gradient, so their values and optimizer slots are
  each framework's rounding noise (``test_torch_oracle.zero_gradient``): left out, torch given
  nnlab's values after every step. (In float32 that noise, ~1e-9, divided by AdaGrad's, RMSProp's
  or Adam's sqrt(h) of the same noise, moves them by steps of the order of lr: up to 9e-3 here,
  in either framework. They do nothing in training mode and the running mean follows them.)
- ``bce``'s evaluation losses (``<split>_loss``; each step's objective is compared): torch's
  float32 ``binary_cross_entropy_with_logits`` computes log(1 + e^-|s|) with a relative error
  that grows as the net grows confident (4e-4 at a test loss of 2e-4), where nnlab's ``log1p``
  does not: nnlab's are compared with the loss computed in float64 from the same float32 scores
  (3e-8 to 8e-8 here; ``test_bce_is_exact_...``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab.nn.losses import sigmoid_bce
from nnlab.nn.registry import ACTIVATIONS, INITS, LOSSES

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")

from tests.nn.test_torch_oracle import (  # noqa: E402
    BLOBS,
    DIGITS,
    OPTIMIZER_CASES,
    TORCH_SLOTS,
    GivenDropout,
    data_loss,
    make_config,
    rel_diff,
    run_nnlab,
    run_torch,
    torch_net,
    torch_optimizer,
    zero_gradient,
)
from tests.nn.test_torch_oracle_configs import CONDITIONED, HYPER_CASES  # noqa: E402

RTOL32 = 1e-4


def compare32(*cfgs, rtol: float = RTOL32, decay: str = "objective") -> dict[str, float]:
    """Train float32 ``cfgs`` in nnlab (several: a stack) and each in torch (weight decay as
    ``run_torch``'s ``decay`` gives it); assert that every step's objective, every record, the
    final weights, running statistics and optimizer state agree to ``rtol`` and accuracies to
    one sample; the worst relative differences."""
    data, traces = run_nnlab(list(cfgs))
    worst: dict[str, float] = {}
    for cfg, trace in zip(cfgs, traces):
        assert {v.dtype for v in trace.final.values()} == {np.dtype(np.float32)}
        steps, records, state, opt_state = run_torch(cfg, data, trace, decay)
        diffs = {"steps": rel_diff(trace.steps, steps)}
        for ours, theirs in zip(trace.records, records, strict=True):
            for key, value in theirs.items():
                if key.endswith("_acc"):
                    n = data.splits[key[: -len("_acc")]][1].shape[0]
                    assert abs(ours[key] - value) <= 1 / n + 1e-12, (key, ours["epoch"])
                elif key != "epoch" and not (cfg.loss == "bce" and key.endswith("_loss")):
                    diffs[key] = max(diffs.get(key, 0.0), rel_diff(ours[key], value))
        noise = set(zero_gradient(cfg))
        noise |= {f"{slot}/{key}" for slot in TORCH_SLOTS[cfg.optimizer.name] for key in noise}
        theirs = {**state, **{k: v for k, v in opt_state.items() if k != "t"}}
        ours = {**trace.final, **{k: v for k, v in trace.optimizer.items() if k != "t"}}
        assert set(theirs) <= set(ours)
        for key, value in theirs.items():
            if key not in noise:
                diffs[key] = rel_diff(ours[key], value)
        if "t" in opt_state:
            assert int(trace.optimizer["t"]) == int(opt_state["t"])
        if cfg.loss == "bce":
            diffs.update(bce_records_are_exact(cfg, data, trace))
        for key, value in diffs.items():
            worst[key] = max(worst.get(key, 0.0), value)
    assert max(worst.values()) < rtol, sorted(worst.items(), key=lambda kv: -kv[1])[:3]
    return worst


def bce_records_are_exact(cfg, data, trace) -> dict[str, float]:
    """The final record's ``bce`` losses against log(1 + e^-|s|) summed in float64 over the
    scores of the final float32 net (nnlab's own forward pass, evaluation mode)."""
    from nnlab.build import build_group

    group, _, _ = build_group([cfg], data.input_dim, data.n_classes)
    for key, value in group.params.items():
        value[...] = trace.final[key]
    for key, value in group.buffers.items():
        value[...] = trace.final[key]
    out = {}
    for split in cfg.eval:
        x, y = data.splits[split]
        (scores,) = [group.model.forward(x, train=False)]
        exact = exact_bce(scores[:, 0], y)
        out[f"{split}_loss (exact)"] = abs(trace.records[-1][f"{split}_loss"] - exact) / exact
    return out


def exact_bce(s: np.ndarray, y: np.ndarray) -> float:
    """Mean of max(s, 0) - s y + log(1 + e^-|s|), each term in float64 (math.log1p)."""
    terms = [max(v, 0.0) - v * t + math.log1p(math.exp(-abs(v))) for v, t in zip(map(float, s), y)]
    return math.fsum(terms) / len(terms)


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_float32_runs_of_every_optimizer_match_torch_over_several_epochs(name):
    compare32(make_config(
        dtype="float32", weight_decay=0.01,
        model={"hidden": [16, 12], "batchnorm": True, "dropout": 0.2},
        optimizer={"name": name, **OPTIMIZER_CASES[name]},
    ))  # fmt: skip


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_float32_weight_decay_is_torch_optims_weight_decay_on_the_weight_matrices_only(name):
    """The README's deliberate difference in float32 (``test_torch_oracle`` trains it in
    float64): nnlab's L2 term is ``torch.optim``'s coupled ``weight_decay`` (Nesterov's, Adam's,
    each optimizer's) in a parameter group of the Linear weights, with BatchNorm and dropout;
    torch adds wd * w to the gradient in one operation, nnlab in two (to float32 rounding: the
    worst seen 2.6e-6, AdaGrad's first weights)."""
    compare32(make_config(
        dtype="float32", weight_decay=0.05,
        model={"hidden": [16, 12], "batchnorm": True, "dropout": 0.3},
        optimizer={"name": name, **OPTIMIZER_CASES[name]},
    ), decay="optimizer")  # fmt: skip


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_a_float32_stack_matches_torch_net_by_net(name):
    """A sweep's stack in float32: nets differing in seed, init, learning rate, weight decay."""
    model = {"hidden": [16, 12], "batchnorm": True, "dropout": 0.2}
    lr = OPTIMIZER_CASES[name]["lr"]
    compare32(*[
        make_config(dtype="float32", seed=seed, model={**model, "init": init}, weight_decay=wd,
                    optimizer={**OPTIMIZER_CASES[name], "name": name, "lr": lr * scale})
        for seed, init, wd, scale in [(1, "he", 0.0, 1.0), (2, "glorot", 0.02, 0.5),
                                      (3, "std", 0.01, 2.0)]
    ])  # fmt: skip


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_float32_runs_of_every_loss_and_activation_match_torch(loss, activation):
    compare32(make_config(
        dtype="float32", loss=loss, dataset=BLOBS if LOSSES[loss].binary else DIGITS,
        model={"hidden": [16, 12], "activation": activation},
        optimizer={"name": "momentum", "lr": 0.05},
    ))  # fmt: skip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_is_exact_where_a_confident_net_makes_it_small(dtype):
    """nnlab's bce, max(s, 0) - s y + log1p(e^-|s|), is log(1 + e^-|s|) to the dtype's rounding
    at confident scores (|s| 8 to 30, the right side), where torch's formula loses digits
    (relative error ~5e-6 in float32, ~7e-8 in float64 here): nnlab's is never further."""
    rng = np.random.default_rng(6)
    y = rng.integers(0, 2, 64)
    s = (rng.uniform(8, 30, 64) * np.where(y == 1, 1, -1)).astype(dtype)[:, None]
    exact = exact_bce(s[:, 0], y)
    ours, _ = sigmoid_bce(s, y)
    t = torch.from_numpy(s[:, 0])
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(
        t, torch.from_numpy(y).to(t.dtype)
    ).item()
    eps = np.finfo(dtype).eps
    assert abs(ours - exact) <= 4 * eps * exact, (ours, exact)
    assert abs(ours - exact) <= abs(theirs - exact)


# --- float32 over the config space: what ``test_torch_oracle_configs`` trains in float64 --------
M = {"hidden": [16, 12]}
KEY_CASES = {  # (config keys that change a number, other than the optimizer's)
    **{f"init {i} + batchnorm": {"model": {**M, "init": i, "batchnorm": True}} for i in INITS},
    **{f"init {i}": {"model": {**M, "init": i}} for i in INITS},
    "init_std 0.5": {"model": {**M, "init": "std", "init_std": 0.5}},
    "init_std 1e-4": {"model": {**M, "init": "std", "init_std": 1e-4}},
    "batch_size full": {"batch_size": "full", "epochs": 4},
    "batch_size 7": {"batch_size": 7, "epochs": 2},
    "batch_size 500 (> n_train)": {"batch_size": 500},
    "batchnorm, last batch of 2": {"batch_size": 228, "model": {**M, "batchnorm": True}},
    "batchnorm, batches of 76, 76, 76, 2": {"batch_size": 76, "model": {**M, "batchnorm": True}},
    **{f"dropout {p}": {"model": {**M, "dropout": p}} for p in [0.05, 0.15, 0.45, 0.9]},
    "hidden []": {"model": {"hidden": []}},
    "hidden [1] + batchnorm": {"model": {"hidden": [1], "batchnorm": True}},
    "hidden [8, 8, 8] tanh": {"model": {"hidden": [8, 8, 8], "batchnorm": True, "dropout": 0.1,
                                        "activation": "tanh"}},
    "eval_batch_size 40, val, final_eval": {
        "dataset": {**DIGITS, "n_val": 45}, "eval": ["train", "val"], "final_eval": ["test"],
        "eval_batch_size": 40,
    },
    "weight_decay 0.5": {"weight_decay": 0.5},
}  # fmt: skip


def torchs_own_dropout_scale(monkeypatch) -> None:
    """The oracle's torch dropout (``GivenDropout``: nnlab's masks) scaled as torch's own
    ``F.dropout`` scales its mask, ``mask / (1 - p)`` in the tensor's dtype (in float32 the
    last bit differs from nnlab's 1/(1-p) rounded once for some p:
    ``test_dropout_is_torchs_own_dropout_given_its_mask``), not by nnlab's scale."""
    init = GivenDropout.__init__

    def given(self, p, masks):
        init(self, p, masks)
        self.p = p

    def forward(self, x):
        if not self.training:
            return x
        return x * torch.from_numpy(next(self.masks)).to(x.dtype).div_(1 - self.p)

    monkeypatch.setattr(GivenDropout, "__init__", given)
    monkeypatch.setattr(GivenDropout, "forward", forward)


@pytest.mark.parametrize("case", sorted(KEY_CASES))
def test_float32_runs_over_the_config_keys_match_torch(case, monkeypatch):
    """Each init (zeros too: BatchNorm's constant columns), init_std, batch sizes (full, one
    that does not divide the split, one larger than it, BatchNorm's last batch of 2), dropout
    rates (torch's own float32 scale of the mask, ``torchs_own_dropout_scale``: at 0.15 and 0.45
    it differs from nnlab's in the last bit, as the README says, and the runs agree to
    rounding all the same), depths, batched evaluation of every split and a large weight decay,
    in float32 against torch in float32: to ``RTOL32`` (the worst seen 1.1e-5, BatchNorm's last
    batch of 2, whose gradient is a cancellation; the rest below 8e-7)."""
    torchs_own_dropout_scale(monkeypatch)
    compare32(make_config(dtype="float32", **KEY_CASES[case]))


@pytest.mark.parametrize(("name", "key", "value"), HYPER_CASES)
def test_float32_runs_at_every_optimizer_hyperparameter_value_match_torch(name, key, value):
    """The float64 oracle's hyperparameter values (``test_torch_oracle_configs.HYPER_CASES``:
    bounds and between), trained in float32 for 2 epochs with weight decay: to ``RTOL32`` (the
    worst seen 3.0e-5, Adam with beta2 0, whose step divides m by |g| + eps; the rest below
    9e-7)."""
    compare32(make_config(
        dtype="float32", epochs=2, weight_decay=0.01,
        optimizer={"name": name, **OPTIMIZER_CASES[name],
                   **CONDITIONED.get((name, key, value), {}), key: value},
    ))  # fmt: skip


# --- divergence: the step where the loss turns non-finite is torch's -----------------------------
def hinges_finite(cfg, scores, y) -> bool:
    """For the hinge loss (svm), whether its margins max(0, s_j - s_y + 1) are finite, as nnlab
    (and cs231n) compute them: torch's ``multi_margin_loss`` takes max(0, NaN) as 0, so a NaN
    score, which an overflowing product's inf - inf makes in one summation order and not in
    another (it depends on the BLAS kernel), gave it a loss of 0 where nnlab's is NaN. Other
    losses: True (their value says)."""
    if cfg.loss != "svm":
        return True
    margins = (scores - scores.gather(1, y[:, None]) + 1).clamp(min=0)
    return bool(torch.isfinite(margins.sum()))


def torch_steps_until_not_finite(cfg, data, trace) -> list[float]:
    """The nnlab run's minibatches in torch (no BatchNorm here: ``zero_gradient``), each step's
    objective, up to and including the first that is not finite (torch would step on it;
    nnlab's loop stops there: ``fit_group``)."""
    x, y = (torch.from_numpy(a) for a in data.splits["train"])
    net = torch_net(cfg, trace, data.input_dim, LOSSES[cfg.loss].units(data.n_classes))
    weights = [m.weight for m in net if isinstance(m, torch.nn.Linear)]
    opt = torch_optimizer(cfg, list(net.parameters()))
    steps: list[float] = []
    net.train()
    for idx in (torch.from_numpy(b) for batches in trace.batches for b in batches):
        scores = net(x[idx])
        objective = data_loss(cfg, scores, y[idx])
        if cfg.weight_decay:  # (0 * an overflowed sum of squares would be NaN)
            objective = objective + 0.5 * cfg.weight_decay * sum((w * w).sum() for w in weights)
        steps.append(objective.item() if hinges_finite(cfg, scores, y[idx]) else math.nan)
        if not math.isfinite(steps[-1]):
            break
        opt.zero_grad()
        objective.backward()
        opt.step()
    return steps


QUICKSTART_DATA = {"name": "digits", "n_test": 297, "normalize": "scale"}
DIVERGING = {  # (dtype, model, optimizer, other keys)
    "quickstart-lr-1000": ("float32", {"hidden": [100, 100]},
                           {"name": "momentum", "lr": 1000.0, "momentum": 0.9},
                           {"dataset": QUICKSTART_DATA, "batch_size": 50, "seed": 0, "epochs": 1}),
    "batchnorm-init-1e36": ("float32", {"hidden": [16, 12], "batchnorm": True, "init": "std",
                                        "init_std": 1e36}, {"name": "sgd", "lr": 0.1}, {}),
    "adam-lr-1e20": ("float32", {"hidden": [16, 12]}, {"name": "adam", "lr": 1e20}, {}),
    "svm-lr-1e15": ("float32", {"hidden": [16, 12]}, {"name": "sgd", "lr": 1e15},
                    {"loss": "svm"}),
    "bce-lr-1e15": ("float32", {"hidden": [16, 12]}, {"name": "sgd", "lr": 1e15},
                    {"loss": "bce", "dataset": BLOBS}),
    "decay-overflows": ("float32", {"hidden": [16, 12], "activation": "tanh"},
                        {"name": "sgd", "lr": 1e30}, {"weight_decay": 0.01}),
    "tanh-lr-1e30": ("float32", {"hidden": [16, 12], "activation": "tanh"},
                     {"name": "sgd", "lr": 1e30}, {}),
    "float64-lr-1e6": ("float64", {"hidden": [16, 12]}, {"name": "sgd", "lr": 1e6}, {}),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(DIVERGING))
def test_a_run_diverges_at_the_step_where_torchs_loss_turns_non_finite(case):
    """nnlab stops a net before the update whose objective is not finite (DIVERGED); torch's
    objective on the same batches from the same weights turns non-finite at that step, and
    not before; a run that trains on to the end (tanh's bounded outputs at lr 1e30, losses
    ~1e30) has finite objectives in torch too. The steps before agree to 1e-2: float32
    rounding grows with the weights (2e-3 for the quick start, 1e-6 for the others). (The quick start at lr 1000 made 30
    steps, 12 on inf/NaN weights that a ReLU turning NaN into 0 hid; torch's loss is NaN at
    step 19.)"""
    dtype, model, optimizer, other = DIVERGING[case]
    cfg = make_config(dtype=dtype, model=model, optimizer=optimizer, **other)
    data, (trace,) = run_nnlab([cfg], expect=None)
    theirs = torch_steps_until_not_finite(cfg, data, trace)
    finite = [math.isfinite(v) for v in theirs]
    ours = trace.steps
    if all(finite):
        assert trace.records[-1]["loss"] is not None and len(ours) == len(theirs)
    else:
        assert trace.records[-1]["loss"] is None and len(ours) == len(theirs) - 1, len(ours)
    assert not ours or rel_diff(ours, theirs[: len(ours)]) < 1e-2
