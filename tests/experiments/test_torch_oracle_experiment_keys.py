"""The experiments' numbers against PyTorch over the keys each takes (optional: skipped without
torch). ``test_torch_oracle_experiments`` compares each experiment at one setting (an lr-scan
trained with SGD on softmax_ce, a landscape of a softmax_ce run, a dataset comparison of 30
steps inside its first epoch); this module compares the others:

- ``lr-scan``: the per-rate trainings with every optimizer (the scan trains the config's own,
  at each rate, the rates side by side as one stack), and the ``svm`` and ``bce`` losses (the
  one-step column and the trainings);
- ``landscape``: around ``svm`` and ``bce`` runs (``bce``'s accuracy: a score above 0);
- ``compare-optimizers --dataset``: ``svm`` on a linear classifier (``--hidden none``) with
  batches of 7, which do not divide the split, over two epochs, and a net with batches of 128
  over four, every optimizer's step losses and final evaluation;
- ``gradcheck --compare-differences``: the errors of forward and centred differences at each
  step, as torch's differences of the same objective give them.

Tolerances as there: float64 to ``RTOL`` (1e-12; a training's evaluated loss to 1e-10, as in
``test_lr_scan_table_is_torchs_...``), float32 to ``RTOL32`` (1e-5), accuracies exactly in
float64, within one sample in float32.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nnlab.build import build_model, make_rngs
from nnlab.config import load_config
from nnlab.data import load_dataset
from nnlab.experiments import lr_scan as scan
from nnlab.nn.registry import OPTIMIZERS
from nnlab.train import minibatches

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")
torch.set_num_threads(1)

from tests.experiments.oracle_spy import bn_biases  # noqa: E402
from tests.experiments.test_torch_oracle_experiments import (  # noqa: E402
    LANDSCAPE,
    RTOL,
    RTOL32,
    SCAN,
    assert_final_splits_are_torchs,
    landscape_matches_torch,
    one_step_in_torch,
)
from tests.nn.test_torch_oracle import Trace, rel_diff, run_torch  # noqa: E402

BINARY = ["dataset.name=blobs", "dataset.n_classes=2", "dataset.n_per_class=130",
          "dataset.dim=5", "dataset.n_test=60"]  # fmt: skip
LOSS_KEYS = {"svm": ["loss=svm"], "bce": ["loss=bce", *BINARY]}


# --- lr-scan ------------------------------------------------------------------------------------
def record_biases(monkeypatch) -> list[list[dict[str, np.ndarray]]]:
    """Each rate's values, after every step, of the biases before a BatchNorm (zero gradient:
    each framework moves them by its own rounding noise, which AdaGrad, RMSProp and Adam divide
    by their eps; ``test_torch_oracle.zero_gradient``), recorded as the scan trains its rates
    side by side (``lr_scan.fit_group`` wrapped) or one by one (``lr_scan.fit``: a ``bce``
    net's one output does not stack): torch is given them, as the oracle does."""
    recorded: list[list[dict[str, np.ndarray]]] = []
    real = scan.fit_group

    def fit_group(group, optimizer, splits, settings, rngs, **kwargs):
        nets: list[list[dict[str, np.ndarray]]] = [[] for _ in rngs]
        recorded.extend(nets)
        biases = bn_biases(group.params)

        def on_step(step, losses):
            assert len(losses) == len(nets)  # (no net left the stack: its arrays are theirs)
            for k, steps in enumerate(nets):
                steps.append(group.net_arrays(k, {b: group.params[b] for b in biases}))

        return real(group, optimizer, splits, settings, rngs, on_step=on_step, **kwargs)

    def fit(model, optimizer, splits, settings, rngs, **kwargs):  # (a net that cannot stack)
        steps: list[dict[str, np.ndarray]] = []
        recorded.append(steps)
        biases = bn_biases(model.params)

        def on_step(step, loss):
            steps.append({b: model.params[b].copy() for b in biases})

        return real_fit(model, optimizer, splits, settings, rngs, on_step=on_step, **kwargs)

    real_fit = scan.fit
    monkeypatch.setattr(scan, "fit_group", fit_group)
    monkeypatch.setattr(scan, "fit", fit)
    return recorded


def torch_training(rate, data, biases: list[dict[str, np.ndarray]]) -> dict:
    """The rate's training in torch (its config: the rate's lr and epochs) from the weights it
    draws, on the batches it draws, given nnlab's ``biases`` (``record_biases``): the last
    record."""
    n = data.splits["train"][1].shape[0]
    rngs = make_rngs(rate.seed)
    model = build_model(rate, data.input_dim, data.n_classes, rngs)
    order = copy.deepcopy(rngs["order"])
    batches = [minibatches(n, rate.batch_size, order) for _ in range(rate.epochs)]
    assert len(biases) == sum(len(b) for b in batches)
    trace = Trace(initial={k: v.copy() for k, v in model.params.items()}, batches=batches,
                  masks={}, biases=biases)  # fmt: skip
    _, records, _, _ = run_torch(rate, data, trace)
    return records[-1]


def scan_matches_torch(cfg, exps: tuple[int, int], tmp_path, monkeypatch) -> list[dict]:
    """A scan of ``cfg`` over 10^exps[0] .. 10^exps[1] (4 rates, 2 epochs) against torch: the
    initial and one-step objectives, each rate's last train loss and accuracies; its rows."""
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    biases = record_biases(monkeypatch)
    result = scan.lr_scan(cfg, min_exp=exps[0], max_exp=exps[1], num=4, epochs=2, data=data,
                          runs_dir=tmp_path)  # fmt: skip
    rates = [row["lr"] for row in result.rows]
    initial, one_step = one_step_in_torch(cfg, data, rates, [])
    assert rel_diff(result.initial_loss, initial) < RTOL
    assert [v is None for v in one_step] == [r["step_loss"] is None for r in result.rows]
    finite = [(r["step_loss"], v) for r, v in zip(result.rows, one_step) if v is not None]
    assert rel_diff(*zip(*finite)) < RTOL
    assert len(biases) == len(result.rows)  # (in the order of the rates)
    for row, rate_biases in zip(result.rows, biases):
        assert row["diverged"] in (None, "step"), row  # (nothing diverged: null)
        last = torch_training(scan.rate_config(cfg, row["lr"], 2), data, rate_biases)
        assert rel_diff(row["train_loss"], last["train_loss"]) < 1e-10, row["lr"]
        assert (row["train_acc"], row["test_acc"]) == (last["train_acc"], last["test_acc"])
    return result.rows


SCAN_RATES = {  # optimizer: the exponents of its rates (none of its trainings diverges)
    "sgd": (-3, 0), "momentum": (-4, -1), "nesterov": (-4, -1), "adagrad": (-3, 0),
    "rmsprop": (-5, -2), "adam": (-5, -2),
}  # fmt: skip


def test_every_optimizer_has_scan_rates():
    assert set(SCAN_RATES) == set(OPTIMIZERS)


@pytest.mark.parametrize("name", sorted(SCAN_RATES))
def test_lr_scan_trains_each_rate_with_the_configs_optimizer_as_torch_does(
    name, tmp_path, monkeypatch
):
    """The scan's trainings use the config's optimizer at each rate (its other hyperparameters
    kept), the rates side by side as one stack: each rate's last train loss and accuracies are
    torch's training of that rate alone with ``torch.optim``'s optimizer (float64, BatchNorm
    and weight decay as ``SCAN``). The one-step column is plain gradient descent whatever the
    optimizer (the module's docstring), torch's W - eta * g."""
    over = [o for o in SCAN if o != "optimizer.name=sgd"] + [f"optimizer.name={name}"]
    cfg = load_config(None, [*over, "dtype=float64"])
    scan_matches_torch(cfg, SCAN_RATES[name], tmp_path, monkeypatch)


@pytest.mark.parametrize("loss", sorted(LOSS_KEYS))
def test_lr_scan_of_the_svm_and_bce_losses_is_torchs(loss, tmp_path, monkeypatch):
    """The one-step column (including rates whose step overflows: None in both) and each
    rate's training, with ``svm`` (C times torch's ``multi_margin_loss``) and ``bce`` (one
    sigmoid output on two blobs). (The trainings' rates stop at 0.1: at rate 1 an SVM net's
    scores of a sample whose last ReLU layer is all 0 are the output bias, whose entries SGD
    moves by multiples of lr / N; at step 6, b3_6 - b3_9 = -0.58 - 0.42 = -1 exactly, a margin
    of 0 on the hinge's kink, which each framework's rounding puts on its own side (nnlab's
    3e-16), and the runs part by 2e-2 at once: a tie, not a difference of the two.)"""
    cfg = load_config(None, [*SCAN, *LOSS_KEYS[loss], "dtype=float64"])
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    rates = scan.step_sizes(-6, 200, 13)
    initial, losses = scan.one_step_losses(cfg, data, rates)
    theirs_initial, theirs = one_step_in_torch(cfg, data, rates, [])
    assert rel_diff(initial, theirs_initial) < RTOL
    assert [v is None for v in losses] == [v is None for v in theirs]
    assert any(v is None for v in losses) and losses[0] is not None
    for ours_value, their_value in zip(losses, theirs):
        if ours_value is not None:
            assert rel_diff(ours_value, their_value) < RTOL, (ours_value, their_value)
    scan_matches_torch(cfg, (-4, -1), tmp_path, monkeypatch)


# --- landscape ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("loss", sorted(LOSS_KEYS))
def test_landscape_of_svm_and_bce_runs_is_torchs_at_every_point(loss, dtype, tmp_path):
    """Around a trained ``svm`` or ``bce`` run (BatchNorm, dropout off in evaluation): every
    point's loss to ``RTOL`` (float32 ``RTOL32``), accuracies (``bce``: a score above 0)
    exactly (float32: within one sample)."""
    overrides = [*LANDSCAPE, *LOSS_KEYS[loss], f"dtype={dtype}"]
    result, _ = landscape_matches_torch(overrides, "filter", tmp_path)
    assert len(set(result.grid_acc.ravel().tolist())) > 1  # (the accuracies vary: compared)


# --- compare-optimizers --dataset ---------------------------------------------------------------
DATASET_CASES = {  # (hidden, loss, batch size, iterations): epochs of digits' 1,500 samples
    "svm linear, batches of 7, 2 epochs": ((), "svm", 7, 300),
    "softmax_ce net, batches of 128, 4 epochs": ((16, 12), "softmax_ce", 128, 40),
}


@pytest.mark.parametrize("case", sorted(DATASET_CASES))
def test_a_dataset_comparison_over_epochs_is_torchs_training_of_each_optimizer(case):
    """``compare-optimizers --dataset digits --hidden H --loss L --batch-size B --steps N``
    (float32): the iterations run over more than one epoch (a new permutation each, the last
    batch of an epoch smaller), every optimizer's step losses and final evaluation as torch
    trains the same net from the same weights on the same batches (``RTOL32``; accuracies
    within one sample)."""
    from nnlab.experiments.optimizers.specs import SCHEMAS
    from nnlab.experiments.optimizers.training import NetSettings, compare_on_dataset

    hidden, loss, batch_size, iterations = DATASET_CASES[case]
    net = NetSettings(iterations=iterations, hidden=hidden, loss=loss, batch_size=batch_size)
    cfg = net.config("digits")
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    n = data.splits["train"][1].shape[0]
    assert n % batch_size and iterations > n // batch_size + 1  # (a small last batch is used)
    comparison = compare_on_dataset("digits", sorted(OPTIMIZERS), net=net, data=data)
    for result in comparison.results:
        run_cfg = cfg.model_copy(update={
            "optimizer": SCHEMAS[result.spec.name](**result.spec.hyperparameters),
            "eval": ["train", "test"]})  # fmt: skip
        rngs = make_rngs(cfg.seed)
        model = build_model(cfg, data.input_dim, data.n_classes, rngs)
        stream = [b for _ in range(-(-iterations * batch_size // n) + 1)
                  for b in minibatches(n, cfg.batch_size, rngs["order"])]  # fmt: skip
        trace = Trace(initial={k: v.copy() for k, v in model.params.items()},
                      batches=[stream[:iterations]], masks={}, biases=[{}] * iterations)  # fmt: skip
        steps, records, _, _ = run_torch(run_cfg, data, trace)
        assert len(result.losses) == iterations
        assert rel_diff(result.losses, steps) < RTOL32, result.spec.name
        assert_final_splits_are_torchs(result, records[-1], data)


# --- gradcheck --compare-differences --------------------------------------------------------------
def test_compare_differences_errors_are_torchs_differences_of_the_same_net():
    """``nnlab gradcheck --compare-differences`` (the built-in net, affine1.W): at each step h,
    the max_rel_error of forward and centred differences against the analytic gradient, as
    torch's differences of the same objective against autograd's gradient give it. Where
    truncation makes the error (forward h >= 1e-5, centred h >= 1e-4) the two agree to 1e-6,
    give or take their quotients' round-off (the worst seen 3.5e-8 on a Xeon; on an AMD EPYC
    1.4e-6 at centred h = 1e-3: an error of 3.0e-7 moved 4.3e-13 by round-off, bounded here by
    3.9e-12); below, round-off of about 1e-16 |f| / h makes it, which each framework rounds its
    own way: within a factor of 4 of each other (the worst seen 1.8)."""
    from nnlab.experiments import differences as df, gradcheck as gc, gradcheck_builtin as gb
    from nnlab.nn.gradcheck import rel_error
    from tests.experiments.test_torch_oracle_experiments import objective, torch_copy, torch_params

    model, x, y = gb.small_net(df.COMPARE_NET)
    ours = df.compare_differences(model, x, y, repeats=1)
    net = torch_copy(model).train()
    weight = torch_params(net)[ours.param]
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    objective(model.loss_name, net, tx, ty, model.weight_decay).backward()
    entries = gc.pick_entries(model.params[ours.param].shape, gc.DEFAULT_MAX_ENTRIES,
                              np.random.default_rng(0))  # fmt: skip
    assert len(entries) == ours.checked
    analytic = np.array([weight.grad[j, i].item() for i, j in entries])  # (W is weight.T)

    def f() -> float:
        with torch.no_grad():
            return objective(model.loss_name, net, tx, ty, model.weight_decay).item()

    w = weight.detach()
    for h, forward, centred in zip(ours.steps, ours.forward, ours.centred, strict=True):
        f0, theirs = f(), {"forward": [], "centred": []}
        for i, j in entries:
            old = w[j, i].item()
            w[j, i] = old + h
            plus = f()
            w[j, i] = old - h
            minus = f()
            w[j, i] = old
            theirs["forward"].append((plus - f0) / h)
            theirs["centred"].append((plus - minus) / (2 * h))
        for kind, value, truncation in (("forward", forward, h >= 1e-5),
                                        ("centred", centred, h >= 1e-4)):  # fmt: skip
            their_error = rel_error(analytic, np.array(theirs[kind]))
            # (each framework's f carries its own round-off, a few eps |f|: the quotients differ
            # by about that / h, which moves the error by that / max(|a| + |n|))
            scale = np.max(np.abs(analytic) + np.abs(np.array(theirs[kind])))
            rounding = 4 * np.finfo(np.float64).eps * abs(f0) / h / scale
            if truncation:
                assert abs(value - their_error) <= 1e-6 * their_error + rounding, (
                    kind,
                    h,
                    rounding,
                )
            else:
                assert their_error / 4 <= value <= 4 * their_error, (kind, h)
