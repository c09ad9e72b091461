"""The numbers nnlab's experiments report, against PyTorch (optional: skipped without torch).

``test_torch_oracle*`` compare training runs (every step, every epoch's record); this module
compares what the other experiments compute, as a user would check them in torch:

- ``compare-optimizers --function``: each built-in function's value and gradient against
  ``torch.autograd`` of the same formula (at random points of its plot box and at every point
  of every default path), and each default path with torch's own autograd gradient and
  ``torch.optim``'s step (``test_torch_oracle_paths`` gives torch nnlab's analytic gradient,
  so it checks the update rules alone);
- ``compare-optimizers --dataset``: every optimizer's step losses and final evaluation
  (float32, stopped inside an epoch), as torch trains each from the same weights and batches;
- ``activations``: each layer's outputs and the table's statistics of them;
- ``landscape``: the loss and accuracy at every point of the line and the plane, around a
  trained run's weights (BatchNorm's running statistics, dropout off), the parameters
  W + a D1 + b D2 made in torch from the file's centre and directions;
- ``lr-scan``: the initial objective and the objective after one full-gradient step at each
  rate (float64 whatever the run's dtype, BatchNorm in training mode over the whole split,
  one dropout mask throughout, the L2 term included), and each rate's short training (its
  recorded train loss, accuracies);
- ``gradcheck``: the analytic gradients it certifies (each built-in network's and a config's)
  are ``torch.autograd``'s gradients of the same objective (data loss + L2, training mode), its
  numeric ones the torch net's by the same centred differences.

Float64 agrees to ``RTOL`` (1e-12), accuracies exactly; float32 (a landscape of a float32
run, a dataset comparison) to ``RTOL32``.
"""

from __future__ import annotations

import copy
import math
from types import SimpleNamespace

import numpy as np
import pytest

from nnlab.build import build_model, make_rngs
from nnlab.config import load_config
from nnlab.data import load_dataset
from nnlab.experiments import (
    gradcheck as gc,
    gradcheck_builtin as gb,
    gradcheck_config as gcf,
    landscape as ls,
    lr_scan as scan,
)
from nnlab.experiments.optimizers.paths import classify, compare_on_function, run_path
from nnlab.experiments.testfuncs import OBJECTIVES
from nnlab.experiments.train import run_training
from nnlab.nn.gradcheck import ZERO_GRAD, numeric_gradient
from nnlab.nn.layers import Affine, BatchNorm, Dropout, ReLU, Sigmoid, Tanh
from nnlab.nn.model import MLP
from nnlab.train import minibatches

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")
torch.set_num_threads(1)

from tests.experiments.test_torch_oracle_paths import torch_optimizer  # noqa: E402
from tests.nn.test_torch_oracle import (  # noqa: E402
    Trace,
    data_loss,
    predict,
    rel_diff,
    run_torch,
)
from tests.nn.test_torch_oracle_layers import torch_batchnorm  # noqa: E402

RTOL = 1e-12
RTOL32 = 1e-5


# --- torch copies of nnlab's nets --------------------------------------------------------------
class FixedDropout(torch.nn.Module):
    """Inverted dropout with one given mask (nnlab's), x * m / (1 - p) in training."""

    def __init__(self, p: float, mask: np.ndarray | None) -> None:
        super().__init__()
        self.p, self.mask = p, mask

    def forward(self, x):
        if not self.training:
            return x
        return x * (torch.from_numpy(self.mask).to(x.dtype) / (1 - self.p))


def torch_copy(model: MLP, masks: dict[str, np.ndarray] | None = None):
    """``model`` as a torch Sequential in its dtype: its parameters and BatchNorm's running
    statistics copied, each Dropout given its mask in ``masks`` (by layer name)."""
    dtype = getattr(torch, str(model.dtype))
    layers = []
    for name, layer in model.layers.items():
        if isinstance(layer, Affine):
            W = layer.params["W"]
            linear = torch.nn.Linear(*W.shape, dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W.T.copy()))
                linear.bias.copy_(torch.from_numpy(layer.params["b"]))
            layers.append(linear)
        elif isinstance(layer, BatchNorm):
            layers.append(torch_batchnorm(layer, str(model.dtype)))
        elif isinstance(layer, Dropout):
            layers.append(FixedDropout(layer.p, (masks or {}).get(name)))
        else:
            kinds = {ReLU: torch.nn.ReLU, Sigmoid: torch.nn.Sigmoid, Tanh: torch.nn.Tanh}
            layers.append(kinds[type(layer)]())
    return torch.nn.Sequential(*layers)


def torch_params(net) -> dict[str, object]:
    """The torch net's parameters by nnlab's names (a Linear's weight is W transposed)."""
    out, counts = {}, {"affine": 0, "bn": 0}
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            counts["affine"] += 1
            out[f"affine{counts['affine']}.W"] = layer.weight
            out[f"affine{counts['affine']}.b"] = layer.bias
        elif isinstance(layer, torch.nn.BatchNorm1d):
            counts["bn"] += 1
            out[f"bn{counts['bn']}.gamma"] = layer.weight
            out[f"bn{counts['bn']}.beta"] = layer.bias
    return out


def as_torch(key: str, value: np.ndarray):
    """An nnlab parameter array as the torch parameter's layout (W transposed)."""
    return torch.from_numpy(np.ascontiguousarray(value.T if key.endswith(".W") else value))


def objective(loss: str, net, x, y, weight_decay: float):
    """torch's objective: the data loss of ``loss`` (``test_torch_oracle.data_loss``) plus
    0.5 * weight_decay * the squared Linear weights, as nnlab's ``MLP`` defines it."""
    value = data_loss(SimpleNamespace(loss=loss), net(x), y)
    weights = [m.weight for m in net if isinstance(m, torch.nn.Linear)]
    return value + 0.5 * weight_decay * sum((w * w).sum() for w in weights)


def record_masks(monkeypatch) -> list[np.ndarray]:
    """Every mask a plain ``Dropout`` draws from now on, in the order drawn."""
    drawn: list[np.ndarray] = []
    draw = Dropout.draw_mask

    def recording(self, shape):
        mask = draw(self, shape)
        drawn.append(mask.copy())
        return mask

    monkeypatch.setattr(Dropout, "draw_mask", recording)
    return drawn


# --- compare-optimizers --function: values, gradients, paths --------------------------------------
TORCH_FUNCTIONS = {  # each built-in function written again in torch (testfuncs' formulas)
    "book": lambda t: t[0] ** 2 / 20.0 + t[1] ** 2,
    "d2l": lambda t: 0.1 * t[0] ** 2 + 2.0 * t[1] ** 2,
    "rosenbrock": lambda t: (1.0 - t[0]) ** 2 + 100.0 * (t[1] - t[0] ** 2) ** 2,
    "saddle": lambda t: t[0] ** 2 - t[1] ** 2,
    "beale": lambda t: (
        (1.5 - t[0] + t[0] * t[1]) ** 2
        + (2.25 - t[0] + t[0] * t[1] ** 2) ** 2
        + (2.625 - t[0] + t[0] * t[1] ** 3) ** 2
    ),
    "xcospi": lambda t: t[0] * torch.cos(torch.pi * t[0]),
}


def autograd(function: str, point: np.ndarray) -> tuple[float, np.ndarray]:
    t = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    value = TORCH_FUNCTIONS[function](t)
    value.backward()
    return value.item(), t.grad.numpy().copy()


# (functions with 1,000 steps or more: their paths' thousands of autograd calls take seconds)
FUNCTIONS = [
    pytest.param(name, marks=pytest.mark.slow) if OBJECTIVES[name].steps >= 1000 else name
    for name in sorted(OBJECTIVES)
]


def test_every_function_has_a_torch_formula():
    assert set(TORCH_FUNCTIONS) == set(OBJECTIVES)


@pytest.mark.slow
@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_functions_value_and_gradient_is_torch_autograds(function):
    """At 200 random points of the plot box and every point of every default path: the value
    to ``RTOL`` of the largest value seen, the gradient to ``RTOL`` of the largest gradient
    (an entry that is a cancellation, near a minimum, has an error of that scale in either;
    the worst seen is 7e-16)."""
    o = OBJECTIVES[function]
    box = np.array(o.domain)
    points = list(np.random.default_rng(8).uniform(box[:, 0], box[:, 1], (200, o.dim)))
    points += [p for r in compare_on_function(function).results for p in r.path]
    ours = [(o.value(p), o.grad(p)) for p in points]
    theirs = [autograd(function, p) for p in points]
    assert rel_diff([v for v, _ in ours], [v for v, _ in theirs]) < RTOL
    assert rel_diff(np.array([g for _, g in ours]), np.array([g for _, g in theirs])) < RTOL
    grid = np.stack(np.meshgrid(*[np.linspace(lo, hi, 7) for lo, hi in o.domain]))
    assert rel_diff(o.f(grid), TORCH_FUNCTIONS[function](torch.from_numpy(grid))) < RTOL


# Paths whose rule amplifies the last bits of the gradient: RMSProp oscillating in Rosenbrock's
# valley (from step ~570) and at Beale's minimum (from step ~920), where g / sqrt(h) makes a step
# of the order of lr of gradient entries near 0 whose sign is rounding. The two frameworks'
# gradients differ there in the last bits (7e-16 of the largest): the paths part by up to 2e-2 on
# the way and end 2e-4 apart. nnlab's own Rosenbrock path from a start one ulp away parts by 7e-4.
SENSITIVE = {("rosenbrock", "rmsprop"): 500, ("beale", "rmsprop"): 900}


@pytest.mark.slow
@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_default_path_is_torchs_with_torch_autograds_gradient(function):
    """Each path of ``compare-optimizers --function`` (its default optimizers, hyperparameters,
    start and steps), and every value on it, is torch's: autograd's gradient of the formula,
    ``torch.optim``'s step. (``SENSITIVE`` paths: to ``RTOL`` for their first steps; they end
    within 1e-3 of each other, with the same outcome.)"""
    comparison = compare_on_function(function)
    for result in comparison.results:
        assert not result.diverged
        p = torch.tensor(result.start, dtype=torch.float64, requires_grad=True)
        opt = torch_optimizer(result.spec.name, result.spec.hyperparameters, [p])
        points, values = [p.detach().numpy().copy()], []
        for _ in range(result.steps):
            opt.zero_grad()
            value = TORCH_FUNCTIONS[function](p)
            value.backward()
            values.append(value.item())
            opt.step()
            points.append(p.detach().numpy().copy())
        values.append(TORCH_FUNCTIONS[function](p).item())
        path = np.array(points)
        assert result.path.shape == path.shape
        first = SENSITIVE.get((function, result.spec.name))
        if first is None:
            assert rel_diff(result.path, path) < RTOL, result.spec.name
            assert rel_diff(result.values, values) < RTOL, result.spec.name
            continue
        assert rel_diff(result.path[:first], path[:first]) < RTOL
        assert np.max(np.abs(result.path[-1] - path[-1])) < 1e-3
        assert classify(comparison.objective, path[-1], False, comparison.tol) == result.outcome


def test_a_sensitive_path_parts_from_itself_as_from_torch():
    """The RMSProp path on Rosenbrock from a start one ulp away parts from nnlab's own path by
    more than 1e-4: the difference from torch's (``SENSITIVE``) is the rule's, not nnlab's."""

    (result,) = [r for r in compare_on_function("rosenbrock").results if r.spec.name == "rmsprop"]
    nudged = np.nextafter(np.array(result.start), np.inf)
    other = run_path(OBJECTIVES["rosenbrock"], result.spec, nudged, result.steps)
    assert rel_diff(result.path[:500], other.path[:500]) < RTOL
    assert rel_diff(result.path, other.path) > 1e-4


def test_a_dataset_comparison_is_torchs_training_of_each_optimizer():
    """``compare-optimizers --dataset digits`` (float32, its default): every optimizer's
    recorded step losses (the objective of each minibatch before its step) and its final
    evaluation after 30 steps, stopped inside the first epoch, as torch trains the same net
    from the same weights on the same batches with ``torch.optim``'s optimizer (float32:
    ``RTOL32``, the worst seen 3e-7; accuracies within one sample)."""
    from nnlab.experiments.optimizers.specs import SCHEMAS
    from nnlab.experiments.optimizers.training import NetSettings, compare_on_dataset

    net = NetSettings(iterations=30, hidden=(16, 12), batch_size=40)
    cfg = net.config("digits")
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    names = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    comparison = compare_on_dataset("digits", names, net=net, data=data)
    n = data.splits["train"][1].shape[0]
    assert n > 30 * 40  # (one epoch, stopped after its 30th batch)
    for result in comparison.results:
        run_cfg = cfg.model_copy(update={
            "optimizer": SCHEMAS[result.spec.name](**result.spec.hyperparameters),
            "eval": ["train", "test"]})  # fmt: skip
        rngs = make_rngs(cfg.seed)
        model = build_model(cfg, data.input_dim, data.n_classes, rngs)
        batches = minibatches(n, cfg.batch_size, rngs["order"])[:30]
        trace = Trace(initial={k: v.copy() for k, v in model.params.items()}, batches=[batches],
                      masks={}, biases=[{}] * 30)  # fmt: skip
        steps, records, _, _ = run_torch(run_cfg, data, trace)
        assert rel_diff(result.losses, steps) < RTOL32, result.spec.name
        assert_final_splits_are_torchs(result, records[-1], data)


def assert_final_splits_are_torchs(result, last: dict, data) -> None:
    """A dataset comparison's final train and test losses (to ``RTOL32``) and accuracies
    (within one sample) against torch's ``last`` record of the same optimizer's run."""
    for split in ("train", "test"):
        ours, theirs = result.final[f"{split}_loss"], last[f"{split}_loss"]
        assert rel_diff(ours, theirs) < RTOL32, (result.spec.name, split)
        size = data.splits[split][1].shape[0]
        acc = abs(result.final[f"{split}_acc"] - last[f"{split}_acc"])
        assert acc <= 1 / size + 1e-12, (result.spec.name, split)


# --- activations: each layer's outputs and the table's numbers ----------------------------------
@pytest.mark.parametrize("init", ["std1", "std0.01", "xavier", "he"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_activations_are_torchs_forward_pass_and_their_table_its_statistics(activation, init):
    """``nnlab activations``' layers (DLFS 6.2: 5 x ``Linear(100, 100)`` + activation, biases
    0) are torch's forward pass of the same weights, and each table row's mean, std (of all the
    layer's outputs, ``unbiased=False``: NumPy's), saturated, zero and dead-unit shares are
    torch's over its outputs (sigmoid's 0.01 and 0.99 bounds and tanh's 0.99 compared as
    written, so a value within rounding of a bound may count on either side: none does here)."""
    from nnlab.experiments import activations as acts
    from nnlab.nn.registry import init_weight

    x = np.random.default_rng(3).standard_normal((200, 100))
    rng = np.random.default_rng(9)
    ours = acts.forward_activations(x, activation, init, 5, 100, copy.deepcopy(rng))
    kind, std = acts.INITS[init]
    fn = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    a = torch.from_numpy(x)
    rows = acts.layer_rows(activation, init, ours)
    for layer, (out, row) in enumerate(zip(ours, rows, strict=True)):
        linear = torch.nn.Linear(100, 100, dtype=torch.float64)
        W = init_weight(kind, 100, 100, rng, std=std, dtype=np.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.zero_()
            a = fn(linear(a))
        assert rel_diff(out, a.numpy()) < RTOL, layer
        spread = a.std(unbiased=False).item()
        assert rel_diff(row["std"], spread) < RTOL
        assert abs(row["mean"] - a.mean().item()) <= RTOL * spread  # (tanh's: a cancellation)
        if activation == "sigmoid":
            assert row["saturated"] == ((a < 0.01) | (a > 0.99)).double().mean().item()
        if activation == "tanh":
            assert row["saturated"] == (a.abs() > 0.99).double().mean().item()
        if activation == "relu":
            assert row["zero"] == (a == 0).double().mean().item()
            assert row["dead_units"] == (a == 0).all(dim=0).double().mean().item()


# --- landscape: the loss at every point ----------------------------------------------------------
LANDSCAPE = ["dataset.n_train=200", "dataset.n_test=60", "model.hidden=[16, 12]",
             "batch_size=50", "epochs=2", "model.batchnorm=true", "model.dropout=0.2",
             "optimizer.name=momentum", "optimizer.lr=0.05", "weight_decay=0.01"]  # fmt: skip


def landscape_in_torch(result: ls.LandscapeResult, model: MLP, x, y, loss: str):
    """The line's and the plane's losses and accuracies in torch: the file's centre plus
    a D1 (+ b D2), made in the parameters' dtype as nnlab makes it, evaluated in eval mode
    (accuracy: the loss's prediction, argmax or a ``bce`` score above 0)."""
    content = ls.read_file(result.run.file(ls.FILE))
    centre, d1, d2 = content["centre/params"], content["directions/d1"], content["directions/d2"]
    for key, value in content["centre/buffers"].items():
        model.buffers[key][...] = value
    for key, value in centre.items():
        model.params[key][...] = value
    net = torch_copy(model).eval()
    params = torch_params(net)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    dtype, spec = model.dtype.type, SimpleNamespace(loss=loss)

    def at(a: float, b: float | None) -> tuple[float, float]:
        with torch.no_grad():
            for key, param in params.items():
                step = dtype(a) * d1[key] if b is None else dtype(a) * d1[key] + dtype(b) * d2[key]
                param.copy_(as_torch(key, centre[key]) + as_torch(key, step))
            scores = net(tx)
            value = data_loss(spec, scores, ty).item()
            return value, (predict(spec, scores) == ty).double().mean().item()

    alphas = result.alphas
    line = np.array([at(a, None) for a in alphas])
    grid = np.array([[at(a, b) for b in alphas] for a in alphas])
    return line, grid


@pytest.mark.parametrize(("dtype", "normalize"), [("float64", "filter"), ("float64", "none"),
                                                  ("float32", "filter")])  # fmt: skip
def test_landscape_losses_are_torchs_at_every_point(dtype, normalize, tmp_path):
    """Around a trained run (BatchNorm's running statistics, dropout off in evaluation), on the
    test split in batches of 25 (nnlab averages the batches' means weighted by their sizes):
    every point's loss to ``RTOL`` (float32: ``RTOL32``), accuracies exactly (float32: within
    one sample)."""
    result, trained = landscape_matches_torch([*LANDSCAPE, f"dtype={dtype}"], normalize, tmp_path)
    centre = len(result.alphas) // 2
    rtol = RTOL if dtype == "float64" else RTOL32
    assert result.grid_loss[centre, centre] == pytest.approx(trained.records[-1]["test_loss"],
                                                             rel=rtol)  # fmt: skip


def landscape_matches_torch(overrides: list[str], normalize: str, tmp_path) -> tuple:
    """A run of the config ``overrides`` make, trained, and its landscape on the test split in
    batches of 25 (5 points over -0.6 .. 0.6) compared with torch's at every point: losses to
    ``RTOL`` (float32: ``RTOL32``), accuracies exactly (float32: within one sample). The
    landscape's result and the run's."""
    cfg = load_config(None, overrides)
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    trained = run_training(cfg, runs_dir=tmp_path, data=data, plot=False)
    settings = ls.Settings(normalize=normalize, points=5, lo=-0.6, hi=0.6, split="test", batch=25)
    result = ls.landscape(str(trained.run.path), settings=settings, runs_dir=tmp_path, data=data)
    model = build_model(cfg, data.input_dim, data.n_classes, make_rngs(cfg.seed))
    x, y = data.split("test")
    line, grid = landscape_in_torch(result, model, x, y, cfg.loss)
    rtol = RTOL if cfg.dtype == "float64" else RTOL32
    assert rel_diff(result.line_loss, line[:, 0]) < rtol
    assert rel_diff(result.grid_loss, grid[..., 0]) < rtol
    slack = 0 if cfg.dtype == "float64" else 1 / len(y) + 1e-12
    assert np.max(np.abs(result.line_acc - line[:, 1])) <= slack
    assert np.max(np.abs(result.grid_acc - grid[..., 1])) <= slack
    return result, trained


# --- lr-scan: one full-gradient step per rate, and each rate's training ---------------------------
SCAN = ["dataset.n_train=200", "dataset.n_test=60", "model.hidden=[16, 12]", "batch_size=50",
        "model.batchnorm=true", "weight_decay=0.02", "optimizer.name=sgd"]  # fmt: skip


def one_step_in_torch(cfg, data, rates, masks):
    """The scan's one-step part in torch: the float64 initial weights, the training split
    (float64), training mode (BatchNorm's batch statistics over the whole split), dropout masks
    ``masks`` (nnlab's, one per layer), the objective with its L2 term; its gradient, then the
    objective at W - eta * g for each eta (None where not finite)."""
    cfg64 = cfg.model_copy(update={"dtype": "float64"})
    model = build_model(cfg64, data.input_dim, data.n_classes, make_rngs(cfg.seed))
    drops = [name for name, layer in model.layers.items() if isinstance(layer, Dropout)]
    net = torch_copy(model, dict(zip(drops, masks))).train()
    params = torch_params(net)
    x, y = data.splits["train"]
    x, y = torch.from_numpy(x.astype(np.float64)), torch.from_numpy(y)
    start = objective(cfg.loss, net, x, y, cfg.weight_decay)
    start.backward()
    initial = {k: p.detach().clone() for k, p in params.items()}
    grads = {k: p.grad.clone() for k, p in params.items()}
    losses = []
    for eta in rates:
        with torch.no_grad():
            for key, p in params.items():
                p.copy_(initial[key] - eta * grads[key])
            value = objective(cfg.loss, net, x, y, cfg.weight_decay).item()
        losses.append(value if math.isfinite(value) else None)
    return start.item(), losses


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_lr_scan_one_step_losses_are_torchs(dtype, dropout, monkeypatch):
    """``one_step_losses`` over rates from 1e-6 to 1e200 (the large ones overflow: None in both):
    computed in float64 whatever the dtype, so a float32 config's table is torch's float64
    numbers from the same (float32) data."""
    cfg = load_config(None, [*SCAN, f"dtype={dtype}", f"model.dropout={dropout}"])
    data = load_dataset(cfg.dataset, None, dtype)
    masks = record_masks(monkeypatch)
    rates = scan.step_sizes(-6, 200, 13)
    initial, losses = scan.one_step_losses(cfg, data, rates)
    assert len(masks) == (2 if dropout else 0)  # (one per layer, drawn once and kept)
    theirs_initial, theirs = one_step_in_torch(cfg, data, rates, masks)
    assert rel_diff(initial, theirs_initial) < RTOL
    assert [v is None for v in losses] == [v is None for v in theirs]
    assert any(v is None for v in losses) and losses[0] is not None
    finite = [(a, b) for a, b in zip(losses, theirs) if a is not None]
    for ours_value, their_value in finite:
        assert rel_diff(ours_value, their_value) < RTOL, (ours_value, their_value)


def test_lr_scan_table_is_torchs_one_step_and_training_at_every_rate(tmp_path):
    """A scan's recorded numbers (summary.json): the initial objective and each rate's
    one-step objective, and each rate's training for 2 epochs (trained side by side as one
    stack) - its last train loss, train and test accuracy - as torch trains that rate alone
    from the same weights on the same batches. ``train_loss`` is the evaluated data loss of
    the train split (a run's ``train_loss``), not the objective L of the one-step column: the
    table's note said 'the objective' (with weight decay here, they differ)."""
    cfg = load_config(None, [*SCAN, "dtype=float64"])
    data = load_dataset(cfg.dataset, None, "float64")
    result = scan.lr_scan(cfg, min_exp=-3, max_exp=0, num=4, epochs=2, data=data,
                          runs_dir=tmp_path)  # fmt: skip
    rates = [row["lr"] for row in result.rows]
    initial, one_step = one_step_in_torch(cfg, data, rates, [])
    assert rel_diff(result.initial_loss, initial) < RTOL
    assert rel_diff([r["step_loss"] for r in result.rows], one_step) < RTOL
    n = data.splits["train"][1].shape[0]
    for row in result.rows:
        rate = scan.rate_config(cfg, row["lr"], 2)
        rngs = make_rngs(rate.seed)
        model = build_model(rate, data.input_dim, data.n_classes, rngs)
        order = copy.deepcopy(rngs["order"])
        batches = [minibatches(n, rate.batch_size, order) for _ in range(rate.epochs)]
        steps = sum(len(b) for b in batches)
        trace = Trace(initial={k: v.copy() for k, v in model.params.items()}, batches=batches,
                      masks={}, biases=[{}] * steps)  # fmt: skip
        _, records, state, _ = run_torch(rate, data, trace)
        last = records[-1]
        assert rel_diff(row["train_loss"], last["train_loss"]) < 1e-10, row["lr"]
        assert row["train_acc"] == last["train_acc"] and row["test_acc"] == last["test_acc"]
        penalty = 0.5 * cfg.weight_decay * sum(float(np.sum(v**2)) for k, v in state.items()
                                               if k.endswith(".W"))  # fmt: skip
        assert penalty > 1e-3 * row["train_loss"]  # (the objective L is not what it shows)
    notes = " ".join(scan.column_notes(["lr", "train_loss"], 2))
    assert "data loss" in notes and "no L2 term" in notes and "objective" not in notes


# --- gradcheck: what it certifies is torch's gradient --------------------------------------------
def autograd_gradients(model: MLP, x, y, masks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """torch.autograd's gradient of ``model``'s objective (training mode, ``masks``), keyed
    and laid out as nnlab's parameters."""
    net = torch_copy(model, masks).train()
    value = objective(model.loss_name, net, torch.from_numpy(x), torch.from_numpy(y),
                      model.weight_decay)  # fmt: skip
    value.backward()
    return {k: (p.grad.numpy().T if k.endswith(".W") else p.grad.numpy()).copy()
            for k, p in torch_params(net).items()}  # fmt: skip


def gradcheck_analytic(model: MLP, x, y) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The analytic gradients ``gradcheck.check_model`` compares (its masks fixed as it fixes
    them), and those masks by layer name."""
    gc.fix_dropout_masks(model, x)
    masks = {name: layer.mask for name, layer in model.layers.items()
             if isinstance(layer, Dropout)}  # fmt: skip
    model.loss_and_grads(x, y, train=True)
    return {k: g.copy() for k, g in model.grads.items()}, masks


@pytest.mark.parametrize("kind", sorted(gb.nets()))
def test_gradchecks_analytic_gradients_are_torch_autograds(kind):
    """Every built-in network of ``nnlab gradcheck`` (each activation and loss, BatchNorm,
    dropout, weight decay; biases not 0): the gradient its rows certify is torch's."""
    model, x, y = gb.small_net(kind)
    ours, masks = gradcheck_analytic(model, x, y)
    theirs = autograd_gradients(model, x, y, masks)
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        assert rel_diff(ours[key], value) < RTOL, (kind, key)


def test_gradcheck_of_a_config_checks_torchs_gradient_of_its_net():
    """``nnlab gradcheck CONFIG``'s network (float64, its data's batch) - a float32 config
    with BatchNorm, dropout and weight decay - has torch's gradient."""
    cfg = load_config(None, [*SCAN, "model.dropout=0.2", "loss=svm"])
    model, x, y = gcf.config_target(cfg, batch=16)
    assert model.dtype == np.float64
    ours, masks = gradcheck_analytic(model, x, y)
    theirs = autograd_gradients(model, x, y, masks)
    for key, value in theirs.items():
        assert rel_diff(ours[key], value) < RTOL, key


def torch_centred_differences(net, params, key: str, loss: str, x, y, wd: float, eps: float):
    """dL/dparam of the torch net by centred differences, (f(w + eps) - f(w - eps)) / 2 eps
    (``torch.autograd.gradcheck``'s numerical gradient), in nnlab's layout of ``key``."""
    p = params[key]
    flat = p.detach().view(-1)
    out = np.zeros(flat.numel())
    with torch.no_grad():
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + eps
            plus = objective(loss, net, x, y, wd).item()
            flat[i] = old - eps
            minus = objective(loss, net, x, y, wd).item()
            flat[i] = old
            out[i] = (plus - minus) / (2 * eps)
    grad = out.reshape(tuple(p.shape))
    return grad.T if key.endswith(".W") else grad


def nnlab_centred_differences(model: MLP, key: str, x, y) -> np.ndarray:
    """dL/dparam of ``model`` by gradcheck's centred differences (its objective, its step)."""
    f = gc.net_objective(model, x, y)
    return numeric_gradient(lambda: f()[0], model.params[key], eps=gc.DEFAULT_EPS)


def cs231n_rel_error(a: np.ndarray, n: np.ndarray) -> float:
    """cs231n's assignments' ``rel_error``: entry by entry, max |a - n| / max(1e-8, |a| + |n|)."""
    return float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))


@pytest.mark.parametrize("kind", ["tanh weight-decay", "relu bn+dropout+wd svm"])
def test_gradchecks_numeric_gradients_and_rows_are_torchs_numbers(kind):
    """Each row of ``nnlab gradcheck``'s check of a built-in net: its numeric gradient is the
    torch net's by the same centred differences (to 1e-9 of the largest entry: each is a
    difference of two objectives over 2 eps, 1e-16 of the objective / 1e-5), the max_rel_error
    torch's two gradients give by the same formula is as small (both pass, < 1e-7), and it
    is never above cs231n's entry-by-entry ``rel_error`` of the same gradients (the README)."""
    model, x, y = gb.small_net(kind)
    rows = {f"{r.layer}.{r.param}": r for r in gc.check_model(model, x, y, group=kind)}
    ours, masks = gradcheck_analytic(model, x, y)
    net = torch_copy(model, masks).train()
    params = torch_params(net)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    value = objective(model.loss_name, net, tx, ty, model.weight_decay)
    value.backward()
    for key, param in params.items():
        theirs = param.grad.numpy().T if key.endswith(".W") else param.grad.numpy()
        numeric = torch_centred_differences(net, params, key, model.loss_name, tx, ty,
                                            model.weight_decay, gc.DEFAULT_EPS)  # fmt: skip
        ours_numeric = nnlab_centred_differences(model, key, x, y)
        scale = float(np.max(np.abs(theirs)))
        assert np.max(np.abs(ours_numeric - numeric)) <= 1e-9 * max(scale, 1.0), key
        row = rows[key]
        assert row.checked == row.size and row.verdict == "pass", row
        torch_row = gc.rel_error(theirs, numeric)
        assert torch_row < gc.PASS_BELOW, (key, torch_row)
        if scale > ZERO_GRAD:  # (a bias before BatchNorm: both report absolute errors)
            assert row.max_rel_error <= cs231n_rel_error(ours[key], ours_numeric)
