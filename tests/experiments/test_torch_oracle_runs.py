"""Whole runs as a user runs them, against PyTorch (optional: skipped without torch).

``test_torch_oracle*`` compare the training loop's records as ``fit_group`` hands them over;
this module compares what a run writes and a user reads: ``metrics.jsonl`` (every epoch's
objective, each split's loss and accuracy, ``lr`` and ``steps``), ``summary.json`` (final and
best values), the final ``checkpoint.npz`` (weights, BatchNorm's running statistics after the
last epoch, the optimizer's state) and what ``--format json`` prints, for runs
made by ``run_training`` and by ``nnlab train`` (float32, the default, and float64; of 0
epochs; extended by ``--extend``), every shipped config's first epochs, a tune's trials, each
trial of the shipped grid sweep (``digits-lr-sweep.yaml``: nets at four rates side by side), and
each trial of a ``weight-scale`` sweep (nets trained side by side, BatchNorm on and off, small
and large scales, the scale whose plain net diverges) with the sweep's table.

The torch side is ``test_torch_oracle.run_torch``: a ``torch.nn.Sequential`` with the run's
initial weights, ``torch.optim``'s optimizer, torch's losses, trained on the minibatches and
dropout masks the run drew (``oracle_spy`` reads them as the run draws them: nnlab's order, not
a re-implementation of its generator), evaluated in ``eval()`` mode over each whole split.
float64 agrees to ``RTOL`` (the worst seen 3.5e-15 after 4 epochs), accuracies exactly;
float32 to ``RTOL32`` (the worst seen 3.6e-6; one weight-scale trial, at a ReLU kink, is left
out: ``SCALES``), accuracies within one sample.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from nnlab.config import load_config

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")
torch.set_num_threads(1)

from tests.conftest import invoke  # noqa: E402
from tests.experiments.oracle_spy import bn_biases, spy  # noqa: E402
from tests.nn.test_torch_oracle import (  # noqa: E402
    OPTIMIZER_CASES,
    TORCH_SLOTS,
    rel_diff,
    run_torch,
    zero_gradient,
)
from tests.nn.test_torch_oracle_float32 import torch_steps_until_not_finite  # noqa: E402

RTOL = 1e-12
RTOL32 = 1e-5
QUICKSTART = "configs/digits-quickstart.yaml"
# 430 training samples in batches of 50: 8 full ones and a last one of 30, every epoch
SMALL = ["dataset.n_train=430", "dataset.n_test=297", "model.hidden=[32, 16]", "epochs=4"]


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def torch_run(cfg, data, trace):
    """``run_torch`` of the net ``trace`` recorded, evaluating every split the run does
    (``final_eval`` ones too, every epoch: evaluation changes no training)."""
    if not bn_biases(trace.initial):  # (a net that left its stack has no steps recorded)
        trace.biases = [{}] * sum(len(epoch) for epoch in trace.batches)
    return run_torch(cfg.model_copy(update={"eval": cfg.splits}), data, trace)


def close(ours, theirs, key: str, n: int | None, rtol: float) -> bool:
    """A record's value against torch's: an accuracy exactly in float64 (``n`` None), within
    one of ``n`` samples in float32; a loss to ``rtol``."""
    if key.endswith("_acc"):
        return ours == theirs if n is None else abs(ours - theirs) <= 1 / n + 1e-12
    return rel_diff(ours, theirs) < rtol


def check_run_folder(run, cfg, data, trace, rtol: float) -> list[dict]:
    """Assert that ``run``'s metrics.jsonl, summary.json and final checkpoint are torch's run
    of ``trace``; torch's records."""
    steps, theirs, state, opt_state = torch_run(cfg, data, trace)
    written = read_jsonl(run.file("metrics.jsonl"))
    float64 = cfg.dtype == "float64"
    size = {s: None if float64 else len(data.splits[s][1]) for s in cfg.splits}
    assert [r["epoch"] for r in written] == list(range(cfg.epochs + 1))
    batches = np.cumsum([0, *(len(epoch) for epoch in trace.batches)])
    # (the steps of a net in a stack are recorded while every net of it trains: a prefix)
    worst: dict[str, float] = {"steps": rel_diff(trace.steps, steps[: len(trace.steps)])}
    for ours, torch_record in zip(written, theirs, strict=True):
        epoch, last = ours["epoch"], ours["epoch"] == cfg.epochs
        splits = cfg.splits if last else cfg.eval
        metrics = {"loss"} | {f"{s}_{m}" for s in splits for m in ("loss", "acc")}
        assert set(ours) == metrics | {"epoch", "lr", "seconds", "steps"}, epoch
        assert ours["steps"] == batches[epoch] and ours["lr"] == cfg.optimizer.lr
        if epoch == 0:
            assert ours["loss"] is None
            metrics.discard("loss")
        for key in metrics:
            n = size[key.rsplit("_", 1)[0]] if key.endswith("_acc") else None
            assert close(ours[key], torch_record[key], key, n, rtol), (epoch, key)
            if not key.endswith("_acc"):
                worst[key] = max(worst.get(key, 0.0), rel_diff(ours[key], torch_record[key]))
    check_summary(json.loads(run.file("summary.json").read_text()), written, theirs, cfg, size)
    with np.load(run.file("checkpoint.npz"), allow_pickle=False) as f:
        saved = dict(f)
    noise = set(zero_gradient(cfg))
    for key, value in state.items():  # (weights, and BatchNorm's running statistics)
        stored = saved[f"buffer/{key}" if "running" in key else f"param/{key}"]
        assert stored.dtype == np.dtype(cfg.dtype)
        if key not in noise:
            worst[key] = rel_diff(stored, value)
    for key, value in opt_state.items():
        if key == "t":
            assert int(saved["optim/t"]) == int(value) == batches[-1]
        elif key.split("/", 1)[1] not in noise:
            worst[f"optimizer {key}"] = rel_diff(saved[f"optim/{key}"], value)
    assert max(worst.values()) < rtol, sorted(worst.items(), key=lambda kv: -kv[1])[:3]
    return theirs


def check_summary(summary: dict, written: list[dict], theirs: list[dict], cfg, size) -> None:
    """summary.json of a COMPLETED run: each ``final_*`` is the last record's value (as written)
    and torch's; each ``best_*`` is the best of torch's records over the epochs (0 included)
    for the per-epoch splits, none for a ``final_eval`` split. (A run of 0 epochs has one
    record: ``summary.summarize`` cannot tell a final-only split there, and gives it a best,
    its final value.)"""
    rtol = RTOL if cfg.dtype == "float64" else RTOL32
    assert summary["status"] == "COMPLETED" and summary["epochs"] == cfg.epochs
    assert summary["steps"] == written[-1]["steps"]
    assert summary["final_loss"] == written[-1]["loss"]
    if cfg.epochs == 0:  # (no training: no objective)
        assert summary["final_loss"] is None
    else:
        assert rel_diff(summary["final_loss"], theirs[-1]["loss"]) < rtol
    for split in cfg.splits:
        for metric, best in (("loss", min), ("acc", max)):
            key = f"{split}_{metric}"
            n = size[split] if metric == "acc" else None
            assert summary[f"final_{key}"] == written[-1][key]
            assert close(summary[f"final_{key}"], theirs[-1][key], key, n, rtol), key
            if split not in cfg.eval:  # (final_eval: no best, not even at 0 epochs)
                assert f"best_{key}" not in summary
                continue
            assert close(summary[f"best_{key}"], best(r[key] for r in theirs), key, n, rtol), key


# --- runs as run_training makes them ----------------------------------------------------------
RUNS = {  # (overrides of the quick start beside SMALL)
    "quickstart": [],
    "batchnorm-dropout-decay": ["model.batchnorm=true", "model.dropout=0.2", "weight_decay=0.01"],
    "full-batch": ["batch_size=full", "model.batchnorm=true", "weight_decay=0.01"],
    "val-and-final-test": ["dataset.n_val=100", "eval=[train, val]", "final_eval=[test]",
                           "eval_batch_size=64", "model.batchnorm=true"],
    "svm-tanh": ["loss=svm", "model.activation=tanh", "optimizer.lr=0.01"],
}  # fmt: skip


def train(monkeypatch, tmp_path, overrides: list[str]):
    """``run_training`` of the quick start with ``overrides``: (its result, config, data, the
    trace of its net)."""
    from nnlab.experiments.train import run_training

    calls = spy(monkeypatch)
    cfg = load_config(QUICKSTART, overrides)
    result = run_training(cfg, runs_dir=tmp_path, plot=False)
    (trained,) = calls
    (trace,) = trained.traces
    assert result.status == "COMPLETED" and trained.runs[0].path == result.run.path
    return result, cfg, trained.data, trace


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", sorted(RUNS))
def test_a_runs_folder_is_torchs_run(case, dtype, monkeypatch, tmp_path):
    result, cfg, data, trace = train(monkeypatch, tmp_path, [*SMALL, *RUNS[case], f"dtype={dtype}"])
    check_run_folder(result.run, cfg, data, trace, RTOL if dtype == "float64" else RTOL32)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(OPTIMIZER_CASES))
def test_every_optimizers_run_folder_with_batchnorm_and_weight_decay_is_torchs(
    name, dtype, monkeypatch, tmp_path
):
    """Each optimizer (the oracle's hyperparameters, weight decay in the objective), BatchNorm
    (its running statistics after 4 epochs in the checkpoint), a last batch of 30."""
    hyper = [f"optimizer.{k}={v}" for k, v in OPTIMIZER_CASES[name].items()]
    overrides = [*SMALL, f"dtype={dtype}", f"optimizer.name={name}", *hyper,
                 "weight_decay=0.005", "model.batchnorm=true"]  # fmt: skip
    result, cfg, data, trace = train(monkeypatch, tmp_path, overrides)
    assert set(TORCH_SLOTS[name]) <= {k.split("/")[1] for k in np.load(
        result.run.file("checkpoint.npz")) if k.startswith("optim/") and k != "optim/t"}  # fmt: skip
    check_run_folder(result.run, cfg, data, trace, RTOL if dtype == "float64" else RTOL32)


# --- the shipped configs ------------------------------------------------------------------------
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
CONFIGS = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "configs").glob("*.yaml")
                 if "sweep:" not in p.read_text())  # fmt: skip
CONFIG_EPOCHS = {"catvnoncat-logreg.yaml": 10}  # (full-batch logistic regression: 1 step an epoch)


@pytest.mark.parametrize("name", CONFIGS)
def test_every_shipped_configs_first_epochs_are_torchs(name, monkeypatch, tmp_path):
    """Each config in configs/ (the sweep's aside), as ``nnlab train`` runs it but for its
    first epochs (3; 10 of catvnoncat's full-batch logistic regression), in its own dtype;
    the ones on MNIST or catvnoncat skip without the shared data folder."""
    from nnlab.experiments.train import run_training

    path = Path(__file__).resolve().parents[2] / "configs" / name
    cfg = load_config(path, [f"epochs={CONFIG_EPOCHS.get(name, 3)}"])
    if cfg.dataset.name != "digits" and not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent")
    calls = spy(monkeypatch)
    result = run_training(cfg, data_dir=SHARED.resolve(), runs_dir=tmp_path, plot=False)
    ((trace,),) = [trained.traces for trained in calls]
    assert result.status == "COMPLETED"
    rtol = RTOL if cfg.dtype == "float64" else RTOL32
    check_run_folder(result.run, cfg, calls[0].data, trace, rtol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_run_of_0_epochs_records_torchs_evaluation_of_the_initial_net(
    dtype, monkeypatch, tmp_path
):
    """``epochs=0``: one record, the initial net evaluated (its ``final_eval`` split too, and
    BatchNorm in evaluation mode with its initial running statistics 0 and 1), no objective."""
    small = [o for o in SMALL if not o.startswith("epochs=")]
    overrides = [*small, "epochs=0", f"dtype={dtype}", "eval=[train]", "final_eval=[test]",
                 "model.batchnorm=true"]  # fmt: skip
    result, cfg, data, trace = train(monkeypatch, tmp_path, overrides)
    check_run_folder(result.run, cfg, data, trace, RTOL if dtype == "float64" else RTOL32)
    assert [r["epoch"] for r in read_jsonl(result.run.file("metrics.jsonl"))] == [0]


# --- nnlab train on the command line ------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nnlab_train_on_the_command_line_writes_and_prints_torchs_numbers(
    dtype, monkeypatch, tmp_path
):
    """``nnlab train configs/digits-quickstart.yaml epochs=3`` (its 1,500 training images in
    batches of 50, momentum): the run folder, and the summary ``--format json`` prints
    (each metric's final and best), are torch's run."""
    calls = spy(monkeypatch)
    result = invoke("train", QUICKSTART, "epochs=3", f"dtype={dtype}", "-q", "--format", "json",
                    runs_dir=tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    (trained,) = calls
    (cfg,), (run,), (trace,) = trained.cfgs, trained.runs, trained.traces
    rtol = RTOL if dtype == "float64" else RTOL32
    check_run_folder(run, cfg, trained.data, trace, rtol)
    _, theirs, _, _ = torch_run(cfg, trained.data, trace)
    printed = json.loads(result.stdout)
    assert printed["status"] == "COMPLETED" and printed["run"] == str(run.path)
    assert rel_diff(printed["final_loss"], theirs[-1]["loss"]) < rtol
    for split in cfg.splits:
        for metric, best in (("loss", min), ("acc", max)):
            key = f"{split}_{metric}"
            n = None if dtype == "float64" else len(trained.data.splits[split][1])
            assert close(printed[f"final_{key}"], theirs[-1][key], key, n, rtol), key
            assert close(printed[f"best_{key}"], best(r[key] for r in theirs), key, n, rtol), key


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_run_extended_on_the_command_line_is_torchs_run_of_all_its_epochs(
    dtype, monkeypatch, tmp_path
):
    """``nnlab train CONFIG epochs=2`` then ``nnlab train --extend latest epochs=4`` (Adam,
    BatchNorm, dropout, weight decay): the new folder's four epochs are torch's run of four
    epochs in one go, on the batches and masks both commands drew."""
    from tests.nn.test_torch_oracle import Trace

    calls = spy(monkeypatch)
    small = [o for o in SMALL if not o.startswith("epochs=")]
    overrides = [*small, f"dtype={dtype}", "optimizer.name=adam", "optimizer.lr=0.004",
                 "model.batchnorm=true", "model.dropout=0.2", "weight_decay=0.005"]  # fmt: skip
    first = invoke("train", QUICKSTART, *overrides, "epochs=2", "-q", runs_dir=tmp_path)
    assert first.exit_code == 0, first.output
    extended = invoke("train", "--extend", "latest", "epochs=4", "-q", runs_dir=tmp_path)
    assert extended.exit_code == 0, extended.output
    (a,), (b,) = (trained.traces for trained in calls)
    assert [len(a.batches), len(b.batches)] == [2, 2] and calls[1].runs[0] != calls[0].runs[0]
    whole = Trace(
        initial=a.initial, batches=a.batches + b.batches, steps=a.steps + b.steps,
        masks={k: a.masks[k] + b.masks[k] for k in a.masks}, biases=a.biases + b.biases,
    )  # fmt: skip
    cfg = calls[1].cfgs[0]
    assert cfg.epochs == 4 and cfg.model_copy(update={"epochs": 2}) == calls[0].cfgs[0]
    check_run_folder(calls[1].runs[0], cfg, calls[1].data, whole, RTOL if dtype == "float64"
                     else RTOL32)  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_tunes_trials_are_torchs_runs_on_its_validation_split(dtype, monkeypatch, tmp_path):
    """``nnlab tune`` (one round of 4 trials, 2 epochs; learning rate and weight decay drawn,
    the trials trained as a stack): each trial's folder is torch's run evaluated on the
    validation split carved from the training split, and the best trial and the top the tune
    reports are those torch's final validation accuracies rank first."""
    from nnlab.experiments import tune as tn

    config = tmp_path / "base.yaml"
    config.write_text("name: base\ndataset: {name: digits}\noptimizer: {name: sgd, lr: 0.1}\n")
    args = ["optimizer.lr=loguniform:1e-2:1", "weight_decay=loguniform:1e-6:1e-2",
            "dataset.n_train=300", "model.hidden=[16]", "batch_size=50", f"dtype={dtype}"]  # fmt: skip
    calls = spy(monkeypatch)
    result = tn.tune(config, args, rounds=1, trials=4, top_k=2, epochs=2, runs_dir=tmp_path / "r")
    ((trained),) = calls
    assert len(trained.cfgs) == 4 and trained.data.sizes() == {"train": 240, "val": 60, "test": 297}
    finals = {}
    for cfg, run, trace in zip(trained.cfgs, trained.runs, trained.traces, strict=True):
        assert cfg.eval == ["train", "val"] and cfg.final_eval == []
        finals[run.path.name] = check_run_folder(
            run, cfg, trained.data, trace, RTOL if dtype == "float64" else RTOL32
        )[-1]["val_acc"]  # fmt: skip
    summary = json.loads(result.run.file("summary.json").read_text())
    ranked = sorted(finals.values(), reverse=True)
    slack = 0 if dtype == "float64" else 1 / 60 + 1e-12
    assert abs(summary["best"]["final_val_acc"] - ranked[0]) <= slack
    assert all(abs(t["final_val_acc"] - v) <= slack for t, v in zip(summary["top"], ranked[:2]))


# --- the weight-scale preset: trials trained side by side --------------------------------------
# Scales of the preset's logspace(0, -4, 16): 1 (the plain net diverges in its first epoch),
# 0.1585 (both learn), 0.01359 (BatchNorm learns, the plain net hardly), 1e-4 (neither).
# float32 leaves 0.01359 out: with BatchNorm, its step 5 has a ReLU input of -4.2e-7 (float64)
# that nnlab's float32 computes as +4.6e-8 and torch's as -1.7e-8 (both 2e-6 from float64 at
# most over the layer: rounding, on either side of the kink), and the net at that scale makes
# the one different gradient entry 6e-4 of the loss in 30 steps. In float64 it agrees to 1e-15.
SCALES = {
    "float64": "model.init_std=1.0,0.15848931924611134,0.013593563908785261,0.0001",
    "float32": "model.init_std=1.0,0.15848931924611134,0.0001",
}


@pytest.mark.slow  # (16 nets of 5 x 100 in both frameworks: 5 s)
@pytest.mark.parametrize(
    ("dataset", "dtype", "diverged"),
    [("digits", "float32", [(1.0, False)]), ("digits", "float64", [(1.0, False)]),
     ("mnist", "float64", [])],
)  # fmt: skip
def test_weight_scale_trials_are_torchs_nets_each_trained_alone(
    dataset, dtype, diverged, monkeypatch, tmp_path
):
    """``nnlab sweep weight-scale`` (3 epochs, some of its scales, float32 (its default) and
    float64): the nets with and without BatchNorm train in two stacks, and each trial's folder
    is torch's net trained alone from that trial's weights on its batches. The trial that
    diverges (scale 1, no BatchNorm) stopped at the step where torch's objective turns
    non-finite. On MNIST in float64 that net's objective reaches 7e217 and comes back to
    ln 10 (every ReLU dead): finite in torch too, so it completes. The sweep's table (the book's pairs of final accuracies by scale) is torch's
    final accuracies, none for the diverged net."""
    from nnlab import sweep as sw
    from nnlab.sweep import presets
    from nnlab.sweep.presets import weight_scale as ws

    calls = spy(monkeypatch)
    args = [SCALES[dtype], "epochs=3", f"dtype={dtype}"]
    if dataset == "mnist" and not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent")
    defn = presets.get("weight-scale").definition(dataset, args)
    result = sw.run_sweep(defn, data_dir=SHARED.resolve(), runs_dir=tmp_path)
    rows = {row["trial"]: row for row in result.rows}
    n_scales = SCALES[dtype].count(",") + 1
    assert sorted(len(trained.cfgs) for trained in calls) == [n_scales, n_scales]
    rtol, statuses, finals = RTOL if dtype == "float64" else RTOL32, {}, {}
    for trained in calls:
        for cfg, run, trace in zip(trained.cfgs, trained.runs, trained.traces, strict=True):
            key = (cfg.model.init_std, cfg.model.batchnorm)
            statuses[key] = rows[run.path.name]["status"]
            if statuses[key] == "DIVERGED":
                check_diverged(run, cfg, trained.data, trace, rtol)
            else:
                finals[key] = check_run_folder(run, cfg, trained.data, trace, rtol)[-1]
    assert [k for k, status in statuses.items() if status != "COMPLETED"] == diverged
    sizes = {
        s: None if dtype == "float64" else len(y) for s, (_, y) in calls[0].data.splits.items()
    }
    table = ws.pair_rows(result.rows)
    first = "ok/DIVERGED" if diverged else "ok/ok"
    assert [row["status"] for row in table] == [first] + ["ok/ok"] * (n_scales - 1)
    for row in table:
        for bn, side in ((True, "bn"), (False, "nobn")):
            theirs = finals.get((row["weight_scale"], bn))
            for split in ("train", "test"):
                key, ours = f"{split}_acc", row[f"{side}_{split}"]
                assert ours is None if theirs is None else close(
                    ours, theirs[key], key, sizes[split], rtol
                ), (row, side, split)  # fmt: skip


def check_diverged(run, cfg, data, trace, rtol: float) -> None:
    """A DIVERGED trial: its records stop at the epoch of the step whose objective is not
    finite, the step where torch's turns non-finite too (and not before); the steps before
    agree; the summary has no final values and its bests are those of epoch 0, torch's."""
    theirs = torch_steps_until_not_finite(cfg, data, trace)
    assert not math.isfinite(theirs[-1]) and len(trace.steps) == len(theirs) - 1
    assert all(math.isfinite(v) for v in theirs[:-1])
    assert rel_diff(trace.steps, theirs[:-1]) < rtol
    written = read_jsonl(run.file("metrics.jsonl"))
    per_epoch = [len(epoch) for epoch in trace.batches]
    at = int(np.searchsorted(np.cumsum(per_epoch), len(theirs))) + 1  # (its epoch)
    assert [r["epoch"] for r in written] == list(range(at + 1)) and written[-1]["loss"] is None
    summary = json.loads(run.file("summary.json").read_text())
    assert summary["status"] == "DIVERGED" and summary["diverged_epoch"] == at
    assert all(v is None for k, v in summary.items() if k.startswith("final_"))
    trace.batches, trace.biases = [], []  # (epoch 0 only: the initial net's evaluation)
    _, (initial,), _, _ = torch_run(cfg, data, trace)
    n = None if cfg.dtype == "float64" else len(data.splits["train"][1])
    for key in ("train_loss", "train_acc"):
        assert close(summary[f"best_{key}"], initial[key], key, n, rtol), key


# --- a grid sweep from a file: trials at several learning rates, trained side by side -----------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_grid_sweeps_trials_are_torchs_runs_each_at_its_rate(dtype, monkeypatch, tmp_path):
    """``nnlab sweep run configs/digits-lr-sweep.yaml`` (its four learning rates x BatchNorm
    on and off, momentum; 2 epochs of a smaller net): the trials with and without BatchNorm
    train in two stacks, each net at its own rate (the optimizer's per-net ``lrs``), and each
    trial's folder is torch's run of that rate alone from its weights on its batches; a pair
    that shares its seed (``share_seed: [model.batchnorm]``) starts from the same weights."""
    calls = spy(monkeypatch)
    result = invoke("sweep", "run", "configs/digits-lr-sweep.yaml", "epochs=2",
                    "model.hidden=[32, 16]", "dataset.n_train=430", f"dtype={dtype}", "-q",
                    runs_dir=tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(len(trained.cfgs) for trained in calls) == [4, 4]
    rtol, initial = RTOL if dtype == "float64" else RTOL32, {}
    for trained in calls:
        assert len({cfg.model.batchnorm for cfg in trained.cfgs}) == 1
        assert sorted(cfg.optimizer.lr for cfg in trained.cfgs) == [0.005, 0.02, 0.05, 0.2]
        for cfg, run, trace in zip(trained.cfgs, trained.runs, trained.traces, strict=True):
            assert cfg.dtype == dtype and run.status == "COMPLETED"
            check_run_folder(run, cfg, trained.data, trace, rtol)
            initial.setdefault(cfg.optimizer.lr, []).append(trace.initial["affine1.W"])
    for first, second in initial.values():  # (the BatchNorm pairs share their seed)
        np.testing.assert_array_equal(first, second)
