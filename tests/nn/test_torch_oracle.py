"""Whole training runs against PyTorch, an independent framework (optional: skipped without torch).

A run is built from a config through nnlab's own factory (``nnlab.build.build_group``, as
``nnlab train`` and a sweep's stack build it) and trained by ``nnlab.train.fit_group`` in
float64. The same net is then built in torch from the same config (``torch.nn.Sequential``),
its weights copied from the nnlab run's initial ones, and trained on the same minibatches
(nnlab's ``minibatches`` with a copy of the run's order generator) and dropout masks (the ones
nnlab drew, recorded as it drew them), with ``torch.optim``'s optimizer and torch's own losses.
Every step's objective, every epoch's record (objective, each split's loss and accuracy,
BatchNorm in evaluation mode), the final weights and running statistics and the optimizer's
state (what a resumed run continues from: torch's ``momentum_buffer``, ``sum``, ``square_avg``,
``exp_avg``, ``exp_avg_sq`` and step count) must agree to ``RTOL`` (the worst seen is about
1e-14), accuracies exactly. ``torch.optim``'s optimizers are made with every option of their
update given (``TORCH_OPTIMIZERS``), not left to torch's defaults. A run may be float32 too
(torch then computes in float32). ``test_torch_oracle_configs`` runs this over the config space. Initialisers, whose draws are not
comparable by value, are checked by their std against torch.nn.init's formulas.

What nnlab does differently from torch on purpose is compared as nnlab documents it (README,
"Deliberate differences from torch"):

- weight decay is L2 in the objective over weight matrices only (``nnlab.nn.model.MLP``): in
  torch, an L2 term over the Linear weights, or equally ``torch.optim``'s ``weight_decay`` in a
  parameter group of those weights (on all of ``net.parameters()`` it would decay biases and
  BatchNorm's gamma/beta too);
- ``svm`` is cs231n's multiclass hinge, summed over the classes, where torch's
  ``multi_margin_loss`` divides by the number of classes C: nnlab's is C times torch's.

A bias before a BatchNorm has a zero gradient, and each framework moves it by its own rounding
noise: torch is given nnlab's values (``zero_gradient``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from nnlab.build import build_group
from nnlab.config import validate
from nnlab.config_model import Config, optimizer_hyperparameters
from nnlab.data import load_dataset
from nnlab.group import Solo
from nnlab.nn.layers import Dropout
from nnlab.nn.registry import ACTIVATIONS, INITS, LOSSES, OPTIMIZERS, init_std, init_weight
from nnlab.nn.stacked import per_net
from nnlab.train import TrainSettings, fit_group, minibatches

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")
torch.set_num_threads(1)  # (tiny matrices: more threads only wait for each other)

RTOL = 1e-10
DIGITS = {"name": "digits", "n_train": 230, "n_test": 97}  # batches of 64: 64, 64, 64, 38
BLOBS = {"name": "blobs", "n_classes": 2, "n_per_class": 130, "dim": 5, "n_test": 30}


def make_config(**over) -> Config:
    raw = {
        "name": "oracle",
        "seed": 7,
        "dtype": "float64",
        "epochs": 3,
        "batch_size": 64,
        "dataset": DIGITS,
        "model": {"hidden": [16, 12]},
        "optimizer": {"name": "sgd", "lr": 0.1},
        "eval": ["train", "test"],
    }
    for key, value in over.items():
        merge = key in ("model", "optimizer") and isinstance(value, dict)
        raw[key] = {**raw[key], **value} if merge else value
    return validate(raw)


# --- nnlab's run, as ``nnlab train`` trains it -----------------------------------------------


@dataclass
class Trace:
    """What a run did: its initial weights, the minibatches and dropout masks it used, every
    step's objective and epoch's record, its final parameters and buffers."""

    initial: dict[str, np.ndarray]
    batches: list[list[np.ndarray]]
    masks: dict[str, list[np.ndarray]]
    steps: list[float] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    final: dict[str, np.ndarray] = field(default_factory=dict)
    optimizer: dict[str, np.ndarray] = field(default_factory=dict)  # its state, "t" included
    biases: list[dict[str, np.ndarray]] = field(default_factory=list)  # ``zero_gradient``'s


def zero_gradient(cfg: Config) -> list[str]:
    """The biases of the Affine layers before a BatchNorm. BatchNorm subtracts the batch mean,
    so their gradient is 0 and each framework steps them on its own rounding noise (of the
    order of 1e-17; Adam, RMSProp and AdaGrad divide it by their eps). They do nothing in
    training mode, but in evaluation mode they act through the running mean, so two
    frameworks' noise would part the running means at about 1e-10. The oracle asserts that
    nnlab's stay at noise level and gives torch nnlab's values after every step."""
    return [f"affine{i}.b" for i in range(1, len(cfg.model.hidden) + 1)] if (
        cfg.model.batchnorm
    ) else []  # fmt: skip


def record_masks(group, traces: list[Trace]) -> None:
    """Each net's masks of each dropout layer, in the order the run draws them (a stack draws
    every net's at once: net k's is its block)."""
    layers = group.model.layers if isinstance(group, Solo) else group.layers
    for name, layer in layers.items():
        if isinstance(layer, Dropout):
            drawn = [trace.masks.setdefault(name, []) for trace in traces]

            def draw(shape, _draw=layer.draw_mask, _drawn=drawn):
                mask = _draw(shape)
                blocks = per_net(mask, len(_drawn)) if len(_drawn) > 1 else [mask]
                for masks, block in zip(_drawn, blocks):
                    masks.append(block.copy())
                return mask

            layer.draw_mask = draw


def run_nnlab(cfgs: list[Config], expect: str | None = "COMPLETED"):
    """Train ``cfgs`` as ``nnlab train`` (one config) or a sweep (a stack of several) does:
    the data and the traces of the nets, every net ended ``expect`` (None: as it may)."""
    data = load_dataset(cfgs[0].dataset, None, cfgs[0].dtype)
    group, optimizer, rngs = build_group(cfgs, data.input_dim, data.n_classes)
    n = data.splits["train"][1].shape[0]
    traces = []
    for k, (cfg, rng) in enumerate(zip(cfgs, rngs)):
        order = copy.deepcopy(rng["order"])  # (the generator as training starts to use it)
        traces.append(Trace(
            initial=group.net_arrays(k, group.params),
            batches=[minibatches(n, cfg.batch_size, order) for _ in range(cfg.epochs)],
            masks={},
        ))  # fmt: skip
    record_masks(group, traces)

    def on_step(_, losses):
        for k, (cfg, trace, loss) in enumerate(zip(cfgs, traces, losses)):
            trace.steps.append(loss)
            trace.biases.append(
                group.net_arrays(k, {b: group.params[b] for b in zero_gradient(cfg)})
            )

    results = fit_group(
        group, optimizer, data.splits, TrainSettings.of(cfgs[0]), rngs,
        on_epoch=lambda k, record, _: traces[k].records.append(record), on_step=on_step,
        lrs=[cfg.optimizer.lr for cfg in cfgs],
    )  # fmt: skip
    assert expect is None or [r.status for r in results] == [expect] * len(cfgs)
    for k, trace in enumerate(traces):
        trace.final = group.net_arrays(k, {**group.params, **group.buffers})
        trace.optimizer = {"t": np.array(optimizer.t), **group.net_arrays(k, optimizer.state)}
    return data, traces


# --- the same run in torch ---------------------------------------------------------------------


class GivenDropout(torch.nn.Module):
    """Inverted dropout with masks given in advance (nnlab's): x * m / (1 - p) in training."""

    def __init__(self, p: float, masks: list[np.ndarray]) -> None:
        super().__init__()
        self.scale, self.masks = 1 / (1 - p), iter(masks)

    def forward(self, x):
        if not self.training:
            return x
        return x * (torch.from_numpy(next(self.masks)).to(x.dtype) * self.scale)


TORCH_ACTIVATIONS = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh}


def torch_net(cfg: Config, trace: Trace, input_dim: int, n_out: int):
    """``cfg.model`` as a torch Sequential holding the nnlab run's initial weights."""
    m, sizes, layers = cfg.model, [input_dim, *cfg.model.hidden, n_out], []
    masks = iter(trace.masks.values())
    for i, (n_in, n_o) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        linear = torch.nn.Linear(n_in, n_o, dtype=getattr(torch, cfg.dtype))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(trace.initial[f"affine{i}.W"].T))
            linear.bias.copy_(torch.from_numpy(trace.initial[f"affine{i}.b"]))
        layers.append(linear)
        if i == len(sizes) - 1:
            break
        if m.batchnorm:  # (torch's defaults: momentum 0.1, eps 1e-5, gamma 1, beta 0)
            layers.append(torch.nn.BatchNorm1d(n_o, dtype=getattr(torch, cfg.dtype)))
        layers.append(TORCH_ACTIVATIONS[m.activation]())
        if m.dropout:
            layers.append(GivenDropout(m.dropout, next(masks)))
    return torch.nn.Sequential(*layers)


def data_loss(cfg: Config, scores, y):
    """torch's loss of ``cfg.loss`` (nnlab's ``svm`` is C times ``multi_margin_loss``)."""
    F = torch.nn.functional
    if cfg.loss == "softmax_ce":
        return F.cross_entropy(scores, y)
    if cfg.loss == "svm":
        return F.multi_margin_loss(scores, y, p=1, margin=1.0) * scores.shape[1]
    assert cfg.loss == "bce"
    return F.binary_cross_entropy_with_logits(scores[:, 0], y.to(scores.dtype))


def predict(cfg: Config, scores):
    return (scores[:, 0] > 0).long() if cfg.loss == "bce" else scores.argmax(dim=1)


# nnlab's optimizers as ``torch.optim``'s: (class, nnlab hyperparameter -> torch argument (a
# pair: an element of a tuple argument), every other torch option that changes the update, set
# to what nnlab's rule is). Every torch option is named here (``IMPLEMENTATION_OPTIONS`` choose
# only how it is computed), so a torch default that changed could not hide a difference.
TORCH_OPTIMIZERS = {
    "sgd": ("SGD", {"lr": "lr"}, {"momentum": 0.0, "dampening": 0.0, "nesterov": False}),
    "momentum": (
        "SGD", {"lr": "lr", "momentum": "momentum"}, {"dampening": 0.0, "nesterov": False}
    ),
    "nesterov": (
        "SGD", {"lr": "lr", "momentum": "momentum"}, {"dampening": 0.0, "nesterov": True}
    ),
    "adagrad": (
        "Adagrad", {"lr": "lr", "eps": "eps"}, {"lr_decay": 0.0, "initial_accumulator_value": 0.0}
    ),
    "rmsprop": (
        "RMSprop", {"lr": "lr", "alpha": "alpha", "eps": "eps"},
        {"momentum": 0.0, "centered": False},
    ),
    "adam": (
        "Adam", {"lr": "lr", "beta1": ("betas", 0), "beta2": ("betas", 1), "eps": "eps"},
        {"amsgrad": False, "decoupled_weight_decay": False},
    ),
}  # fmt: skip
COMMON_OPTIONS = {"weight_decay": 0.0, "maximize": False}  # (decay: nnlab's is in the gradient)
IMPLEMENTATION_OPTIONS = {"self", "params", "foreach", "fused", "capturable", "differentiable"}


def torch_optimizer(cfg: Config, params):
    """``cfg.optimizer`` as ``torch.optim``'s (``params``: tensors or parameter groups), every
    option of its update given (``TORCH_OPTIMIZERS``)."""
    o = cfg.optimizer
    assert o.name in TORCH_OPTIMIZERS, f"no torch counterpart written for optimizer {o.name!r}"
    cls, names, fixed = TORCH_OPTIMIZERS[o.name]
    kwargs: dict = {**COMMON_OPTIONS, **fixed}
    parts: dict[str, dict[int, float]] = {}  # (tuple arguments: Adam's betas)
    for key, value in optimizer_hyperparameters(o).items():
        name = names[key]
        if isinstance(name, tuple):
            parts.setdefault(name[0], {})[name[1]] = value
        else:
            kwargs[name] = value
    for name, items in parts.items():
        kwargs[name] = tuple(items[i] for i in range(len(items)))
    return getattr(torch.optim, cls)(params, **kwargs)


def torch_evaluate(cfg: Config, net, splits) -> dict:
    net.eval()
    out = {}
    with torch.no_grad():
        for name in cfg.eval:
            x, y = (torch.from_numpy(a) for a in splits[name])
            scores = net(x)
            out[f"{name}_loss"] = data_loss(cfg, scores, y).item()
            out[f"{name}_acc"] = (predict(cfg, scores) == y).double().mean().item()
    return out


def run_torch(cfg: Config, data, trace: Trace, decay: str = "objective", make_optimizer=None):
    """The nnlab run's epochs in torch: every step's objective, every epoch's record, the
    final parameters, buffers and optimizer state keyed as nnlab keys them. Weight decay as
    nnlab documents it, ``decay``: "objective", an L2 term over the Linear weights in the loss,
    or "optimizer", ``torch.optim``'s ``weight_decay`` on a parameter group of those weights
    only (the same gradient; the penalty is then added to the recorded objective only).
    ``make_optimizer(cfg, params)``: the torch optimizer (default ``torch_optimizer``)."""
    x, y = (torch.from_numpy(a) for a in data.splits["train"])
    net = torch_net(cfg, trace, data.input_dim, LOSSES[cfg.loss].units(data.n_classes))
    linears = {f"affine{i}": m for i, m in enumerate(
        (m for m in net if isinstance(m, torch.nn.Linear)), start=1)}  # fmt: skip
    weights = [m.weight for m in linears.values()]
    params = list(net.parameters())
    if decay == "optimizer":
        others = [p for p in params if all(p is not w for w in weights)]
        params = [{"params": weights, "weight_decay": cfg.weight_decay}, {"params": others}]
    opt = (make_optimizer or torch_optimizer)(cfg, params)
    biases = iter(trace.biases)
    steps, records = [], [{"epoch": 0, **torch_evaluate(cfg, net, data.splits)}]
    for epoch, batches in enumerate(trace.batches, start=1):
        net.train()
        for idx in map(torch.from_numpy, batches):
            objective = data_loss(cfg, net(x[idx]), y[idx])
            penalty = 0.0  # (no decay: 0 * weights whose squares overflow would be NaN)
            if cfg.weight_decay:
                penalty = 0.5 * cfg.weight_decay * sum((w * w).sum() for w in weights)
            opt.zero_grad()
            (objective + penalty if decay == "objective" else objective).backward()
            opt.step()
            with torch.no_grad():  # (nnlab's values of the biases ``zero_gradient`` names)
                for key, value in next(biases).items():
                    linears[key.split(".")[0]].bias.copy_(torch.from_numpy(value))
            steps.append((objective + penalty).item())
        sizes = [len(idx) for idx in batches]
        loss = sum(s * n for s, n in zip(steps[-len(sizes) :], sizes)) / sum(sizes)
        records.append({"epoch": epoch, "loss": loss, **torch_evaluate(cfg, net, data.splits)})
    return steps, records, torch_state(net), torch_optimizer_state(cfg, net, opt)


def named_parameters(net) -> dict[str, tuple]:
    """nnlab's name of each parameter of ``net`` -> (the tensor, whether nnlab stores it
    transposed: a Linear's weight (out, in) is nnlab's W (in, out))."""
    out, affine, bn = {}, 0, 0
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            affine += 1
            out[f"affine{affine}.W"] = (layer.weight, True)
            out[f"affine{affine}.b"] = (layer.bias, False)
        elif isinstance(layer, torch.nn.BatchNorm1d):
            bn += 1
            out[f"bn{bn}.gamma"] = (layer.weight, False)
            out[f"bn{bn}.beta"] = (layer.bias, False)
    return out


def torch_state(net) -> dict[str, np.ndarray]:
    out = {}
    for key, (param, transposed) in named_parameters(net).items():
        value = param.detach().numpy()
        out[key] = value.T if transposed else value
    for bn, layer in enumerate((m for m in net if isinstance(m, torch.nn.BatchNorm1d)), start=1):
        out[f"bn{bn}.running_mean"] = layer.running_mean.numpy()
        out[f"bn{bn}.running_var"] = layer.running_var.numpy()
    return out


# nnlab's optimizer state slots by torch's names for them (``Optimizer.slots``)
TORCH_SLOTS = {
    "sgd": {},
    "momentum": {"v": "momentum_buffer"},
    "nesterov": {"v": "momentum_buffer"},
    "adagrad": {"h": "sum"},
    "rmsprop": {"h": "square_avg"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq"},
}


def torch_optimizer_state(cfg: Config, net, opt) -> dict[str, np.ndarray]:
    """``opt``'s state as nnlab's optimizer keys it (``"<slot>/<param>"``, and ``t``: torch's
    step count, the same for every parameter)."""
    out, slots, counts = {}, TORCH_SLOTS[cfg.optimizer.name], set()
    for key, (param, transposed) in named_parameters(net).items():
        state = opt.state.get(param, {})
        for slot, name in slots.items():
            if state.get(name) is None:  # (SGD with momentum 0 keeps no buffer)
                continue
            value = state[name].detach().numpy()
            out[f"{slot}/{key}"] = value.T if transposed else value
        if "step" in state:
            counts.add(int(state["step"]))
    if counts:
        (out["t"],) = (np.array(c) for c in counts)
    return out


# --- the comparison ----------------------------------------------------------------------------


NOISE = 1e-12  # an array both frameworks hold below this everywhere is rounding noise of a 0


def rel_diff(ours, theirs) -> float:
    """max |ours - theirs| / max |theirs| (0 when both are 0, or both only rounding ``NOISE``:
    where the math says 0, e.g. weights that a zero init and BatchNorm's constant columns
    leave symmetric, each framework moves them on its own rounding errors)."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    scale = np.max(np.abs(theirs)) if theirs.size else 0.0
    if ours.size and scale < NOISE and np.max(np.abs(ours)) < NOISE:
        return 0.0
    diff = np.max(np.abs(ours - theirs)) if ours.size else 0.0
    return float(diff / scale) if scale else float(diff)


def compare(
    *cfgs: Config, decay: str = "objective", make_optimizer=None, rtol: float = RTOL
) -> dict[str, float]:
    """Train ``cfgs`` in nnlab (several: as a stack) and each in torch (``decay``,
    ``make_optimizer``: as ``run_torch``); assert they agree to ``rtol``; the worst relative
    differences."""
    data, traces = run_nnlab(list(cfgs))
    worst: dict[str, float] = {}
    for cfg, trace in zip(cfgs, traces):
        for key, value in compare_net(cfg, data, trace, decay, make_optimizer).items():
            worst[key] = max(worst.get(key, 0.0), value)
    assert max(worst.values()) < rtol, worst
    return worst


def compare_net(
    cfg: Config, data, trace: Trace, decay: str = "objective", make_optimizer=None
) -> dict[str, float]:
    """The worst relative differences of the nnlab run ``trace`` from its torch run (every
    step's objective, every record's losses, the final parameters, buffers and optimizer
    state), asserting what must agree exactly (accuracies, step counts)."""
    steps, records, state, opt_state = run_torch(cfg, data, trace, decay, make_optimizer)
    worst = {"steps": rel_diff(trace.steps, steps)}
    assert len(trace.records) == len(records)
    for ours, theirs in zip(trace.records, records):
        for key, value in theirs.items():
            if key.endswith("_acc") or key == "epoch":
                assert ours[key] == value, (key, ours["epoch"], ours[key], value)
            else:
                worst[key] = max(worst.get(key, 0.0), rel_diff(ours[key], value))
    assert set(trace.final) == set(state)
    for key, value in state.items():
        worst[key] = rel_diff(trace.final[key], value)
    for key in zero_gradient(cfg):
        assert np.max(np.abs(trace.final[key])) < 1e-8, key  # (from 0, on rounding noise)
    return {**worst, **compare_optimizer_state(cfg, trace, opt_state)}


def compare_optimizer_state(cfg: Config, trace: Trace, theirs: dict) -> dict[str, float]:
    """The worst relative differences of nnlab's optimizer state from torch's (what a resumed
    run continues from). A ``zero_gradient`` bias's slots hold each framework's own rounding
    noise: nnlab's must be at noise level."""
    ours = trace.optimizer
    slots = {k for k in ours if k != "t"}
    if getattr(cfg.optimizer, "momentum", None) == 0:  # (torch keeps no buffer, nnlab v = g)
        slots &= set(theirs)
    assert slots == {k for k in theirs if k != "t"}, (sorted(ours), sorted(theirs))
    if "t" in theirs:  # (torch's SGD counts no steps)
        assert int(ours["t"]) == int(theirs["t"])
    noise = {f"{slot}/{key}" for slot in TORCH_SLOTS[cfg.optimizer.name]
             for key in zero_gradient(cfg)}  # fmt: skip
    worst = {}
    for key in sorted(slots):
        if key in noise:
            assert np.max(np.abs(ours[key])) < 1e-8, key
        else:
            worst[f"optimizer {key}"] = rel_diff(ours[key], theirs[key])
    return worst


OPTIMIZER_CASES = {
    "sgd": {"lr": 0.2},
    "momentum": {"lr": 0.05, "momentum": 0.8},
    "nesterov": {"lr": 0.05, "momentum": 0.7},
    "adagrad": {"lr": 0.05, "eps": 1e-6},
    "rmsprop": {"lr": 0.004, "alpha": 0.9, "eps": 1e-6},
    "adam": {"lr": 0.004, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
}


def test_every_optimizer_has_a_case():
    assert set(OPTIMIZER_CASES) == set(OPTIMIZERS)


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_whole_run_matches_torch_for_every_optimizer(name):
    compare(make_config(optimizer={"name": name, **OPTIMIZER_CASES[name]}))


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_whole_run_with_batchnorm_dropout_and_weight_decay_matches_torch(name):
    compare(make_config(
        optimizer={"name": name, **OPTIMIZER_CASES[name]}, weight_decay=0.01,
        model={"hidden": [16, 12], "batchnorm": True, "dropout": 0.3},
    ))  # fmt: skip


@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_weight_decay_is_torch_optim_weight_decay_on_the_weight_matrices_only(name):
    """nnlab's L2 penalty gives the gradient of ``torch.optim``'s (coupled) ``weight_decay`` in
    a parameter group of the Linear weights, biases and BatchNorm's gamma/beta left out."""
    compare(make_config(
        optimizer={"name": name, **OPTIMIZER_CASES[name]}, weight_decay=0.05,
        model={"hidden": [16, 12], "batchnorm": True},
    ), decay="optimizer")  # fmt: skip


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_whole_run_matches_torch_for_every_activation_and_loss(activation, loss):
    dataset = BLOBS if LOSSES[loss].binary else DIGITS
    compare(
        make_config(
            loss=loss,
            dataset=dataset,
            model={"hidden": [16, 12], "activation": activation},
            optimizer={"name": "momentum", "lr": 0.05},
        )
    )


@pytest.mark.parametrize("batch_size", ["full", 1, 229])
def test_full_batch_and_partial_last_batches_match_torch(batch_size):
    compare(make_config(batch_size=batch_size, epochs=2 if batch_size == 1 else 4))


def test_linear_classifier_and_batchnorm_eval_mode_match_torch():
    compare(make_config(model={"hidden": []}, eval=["train", "test"]))


def test_a_stack_of_nets_matches_torch_net_by_net():
    """A sweep trains configs that differ in seed, init, lr and weight decay as one stack."""
    model = {"hidden": [16, 12], "batchnorm": True, "dropout": 0.2}
    cfgs = [
        make_config(seed=seed, model={**model, "init": init}, weight_decay=wd,
                    optimizer={"name": "adam", "lr": lr})
        for seed, init, wd, lr in [(1, "he", 0.0, 0.004), (2, "glorot", 0.02, 0.002),
                                   (3, "std", 0.01, 0.004)]
    ]  # fmt: skip
    compare(*cfgs)


def test_evaluation_in_batches_and_every_split_match_torch():
    compare(make_config(
        dataset={**DIGITS, "n_val": 45}, eval=["train", "val"], final_eval=["test"],
        eval_batch_size=40, model={"hidden": [16, 12], "batchnorm": True},
    ))  # fmt: skip


# --- initialisers: their std against torch.nn.init's formula ----------------------------------
# An init's draws are not comparable by value (another generator); its std is. torch.nn.init's
# documented formulas, with the fans torch reads from a Linear(n_in, n_out) weight (n_out, n_in):
# kaiming_normal_: gain / sqrt(fan_in), gain sqrt(2) for its default leaky_relu with a=0 (= relu)
# and 1 for "linear"; xavier_normal_: gain * sqrt(2 / (fan_in + fan_out)), gain 1.
TORCH_INITS = {
    "zeros": (lambda w, std, **g: torch.nn.init.zeros_(w), lambda fan_in, fan_out, std: 0.0),
    "std": (
        lambda w, std, **g: torch.nn.init.normal_(w, 0.0, std, **g),
        lambda fan_in, fan_out, std: std,
    ),
    "xavier": (
        lambda w, std, **g: torch.nn.init.kaiming_normal_(w, nonlinearity="linear", **g),
        lambda fan_in, fan_out, std: torch.nn.init.calculate_gain("linear") / math.sqrt(fan_in),
    ),
    "glorot": (
        lambda w, std, **g: torch.nn.init.xavier_normal_(w, **g),
        lambda fan_in, fan_out, std: 1.0 * math.sqrt(2.0 / (fan_in + fan_out)),
    ),
    "he": (
        lambda w, std, **g: torch.nn.init.kaiming_normal_(w, **g),
        lambda fan_in, fan_out, std: (
            torch.nn.init.calculate_gain("leaky_relu", 0) / math.sqrt(fan_in)
        ),
    ),
}


def test_every_init_has_a_torch_counterpart():
    assert set(TORCH_INITS) == set(INITS)
    assert torch.nn.init.calculate_gain("leaky_relu", 0) == torch.nn.init.calculate_gain("relu")


@pytest.mark.parametrize("name", sorted(TORCH_INITS))
@pytest.mark.parametrize(("n_in", "n_out"), [(784, 100), (30, 500)])
def test_init_std_is_torch_nn_init_formula(name, n_in, n_out):
    draw, formula = TORCH_INITS[name]
    weight = torch.nn.Linear(n_in, n_out, dtype=torch.float64).weight.detach()
    fan_in, fan_out = weight.shape[1], weight.shape[0]
    expected = formula(fan_in, fan_out, 0.03)
    assert init_std(name, n_in, n_out, 0.03) == pytest.approx(expected, rel=1e-15, abs=0)
    # ... and both frameworks' draws have it (which also checks the reading of torch's formula)
    if name == "zeros":
        draw(weight, 0.03)
        assert (
            not weight.any() and not init_weight(name, n_in, n_out, np.random.default_rng(0)).any()
        )
        return
    draw(weight, 0.03, generator=torch.Generator().manual_seed(0))
    ours = init_weight(name, n_in, n_out, np.random.default_rng(0), std=0.03, dtype=np.float64)
    assert ours.shape == (n_in, n_out)
    assert float(weight.std()) == pytest.approx(expected, rel=0.02)
    assert float(ours.std()) == pytest.approx(expected, rel=0.02)
