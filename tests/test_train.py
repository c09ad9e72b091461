"""The training loop: it learns, records what it documents, is deterministic, detects divergence."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from nnlab.build import build_model, build_optimizer, make_rngs
from nnlab.config import load_config
from nnlab.config_model import Config
from nnlab.data import load_dataset
from nnlab.experiments.train import run_training
from nnlab.group import Solo
from nnlab.runs import RunDir
from nnlab.state import group_state, set_state
from nnlab.train import FitResult, TrainSettings, fit, minibatches
from tests.conftest import invoke

SPIRAL = [
    "dataset.name=spiral",
    "dataset.n_test=60",
    "model.hidden=[50]",
    "optimizer.name=momentum",
    "optimizer.lr=0.5",
    "batch_size=60",
    "epochs=100",
]
BLOBS = ["dataset.name=blobs", "dataset.n_test=60", "model.hidden=[20]", "batch_size=30"]
DIGITS = ["model.hidden=[50]", "optimizer.lr=0.1", "batch_size=50", "epochs=3"]
SMALL_DIGITS = ["model.hidden=[30]", "dataset.n_train=300", "epochs=3", "batch_size=50"]
# a linear softmax classifier on 12 blob points, float64: small enough to train by hand
TINY = [
    "dtype=float64",
    "dataset.name=blobs",
    "dataset.n_per_class=4",
    "dataset.n_classes=3",
    "dataset.spread=3.0",
    "dataset.n_test=0",
    "model.hidden=[]",
    "model.init=std",
    "model.init_std=0.5",
    "optimizer.lr=0.1",
    "weight_decay=0.1",
    "eval=[train]",
    "epochs=3",
]


def train(overrides: list[str], **kwargs) -> tuple[FitResult, Config, object]:
    cfg = load_config(None, overrides)
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    rngs = make_rngs(cfg.seed)
    model = build_model(cfg, data.input_dim, data.n_classes, rngs)
    result = fit(model, build_optimizer(cfg), data.splits, TrainSettings.of(cfg), rngs, **kwargs)
    return result, cfg, model


def without_seconds(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


# ----------------------------------------------------------------------------- it learns
@pytest.mark.parametrize(
    ("overrides", "chance", "at_least"),
    [(SPIRAL, 1 / 3, 0.9), ([*BLOBS, "epochs=5"], 1 / 3, 0.95), (DIGITS, 0.1, 0.85)],
    ids=["spiral", "blobs", "digits"],
)
def test_fit_learns_well_above_chance(overrides, chance, at_least):
    result, _, _ = train(overrides)
    first, last = result.records[0], result.records[-1]
    assert result.status == "COMPLETED"
    assert first["train_acc"] < chance + 0.25  # untrained: near chance
    assert last["train_acc"] >= at_least and last["test_acc"] >= at_least
    assert last["train_loss"] < first["train_loss"] / 2


def test_a_linear_model_cannot_fit_the_spiral_but_a_hidden_layer_can():
    linear, _, _ = train([*SPIRAL, "model.hidden=[]"])
    assert linear.records[-1]["train_acc"] < 0.7


# ----------------------------------------------------------------------------- records
def test_epoch_zero_is_an_evaluation_before_any_update():
    result, cfg, _ = train(SMALL_DIGITS)
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    fresh = build_model(cfg, data.input_dim, data.n_classes, make_rngs(cfg.seed))
    zero = result.records[0]
    assert zero["epoch"] == 0 and zero["loss"] is None and zero["steps"] == 0
    for split in ("train", "test"):
        loss, acc = fresh.evaluate(*data.splits[split])
        assert zero[f"{split}_loss"] == loss and zero[f"{split}_acc"] == acc


def test_one_record_per_epoch_with_exactly_the_documented_keys():
    result, cfg, _ = train(SMALL_DIGITS)
    assert [r["epoch"] for r in result.records] == [0, 1, 2, 3]
    documented = {"epoch", "loss", "lr", "seconds", "steps"}
    splits = {f"{s}_{m}" for s in ("train", "test") for m in ("loss", "acc")}
    for record in result.records:
        assert set(record) == documented | splits
        assert record["lr"] == cfg.optimizer.lr and record["seconds"] >= 0
        json.dumps(record, allow_nan=False)  # plain JSON numbers


def test_records_hold_a_key_pair_per_evaluated_split():
    result, _, _ = train([*SMALL_DIGITS, "dataset.n_val=100", "eval=[val]", "epochs=1"])
    assert set(result.records[1]) == {
        "epoch",
        "loss",
        "lr",
        "seconds",
        "steps",
        "val_loss",
        "val_acc",
    }


def test_final_eval_splits_are_in_the_last_record_only_with_the_per_epoch_values():
    per_epoch, _, _ = train(SMALL_DIGITS)
    final, _, _ = train([*SMALL_DIGITS, "eval=[train]", "final_eval=[test]"])
    assert [sorted(r) for r in final.records[:-1]] == [
        sorted(k for k in r if not k.startswith("test_")) for r in per_epoch.records[:-1]
    ]
    assert without_seconds(final.records) == without_seconds(
        [{k: v for k, v in r.items() if not k.startswith("test_")} for r in per_epoch.records[:-1]]
        + per_epoch.records[-1:]
    )


def test_final_eval_of_a_run_of_no_epochs_is_in_its_only_record():
    result, _, _ = train([*SMALL_DIGITS, "epochs=0", "eval=[train]", "final_eval=[test]"])
    assert len(result.records) == 1 and "test_acc" in result.records[0]


def test_final_eval_is_in_the_record_of_the_epoch_a_net_diverges_in():
    result, _, _ = train([*DIVERGE, "eval=[train]", "final_eval=[test]"])
    assert result.status == "DIVERGED"
    assert "test_acc" not in result.records[0] and "test_acc" in result.records[-1]


def test_a_run_with_final_eval_has_no_best_for_that_split_and_shows_its_final(tmp_path):
    cfg = load_config(None, [*SMALL_DIGITS, "eval=[train]", "final_eval=[test]"])
    result = run_training(cfg, runs_dir=tmp_path)
    summary = json.loads(result.run.file("summary.json").read_text())
    assert "final_test_acc" in summary and "best_test_acc" not in summary
    assert "best_train_acc" in summary
    text = result.run.file("summary.txt").read_text()
    assert "test accuracy" in text and result.run.file("curves.png").exists()


def test_on_epoch_receives_every_record_as_it_is_made():
    seen: list[dict] = []
    result, _, _ = train(SMALL_DIGITS, on_epoch=seen.append)
    assert seen == result.records


def by_hand(overrides: list[str]) -> tuple[list[float], list[float]]:
    """Per-epoch (mean objective before each update, data loss after the epoch) for TINY.

    Plain softmax regression with L2, written out: same init and batch order as fit's.
    """
    cfg = load_config(None, overrides)
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    X, y = data.splits["train"]
    rngs = make_rngs(cfg.seed)
    model = build_model(cfg, data.input_dim, data.n_classes, rngs)
    W, b = model.params["affine1.W"].copy(), model.params["affine1.b"].copy()
    lr, wd = cfg.optimizer.lr, cfg.weight_decay

    def softmax_ce(xb, yb):
        s = xb @ W + b
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(len(yb)), yb]))
        p[np.arange(len(yb)), yb] -= 1
        return loss, p / len(yb)

    objectives, losses = [], []
    for _ in range(cfg.epochs):
        order = rngs["order"].permutation(len(y))
        size = len(y) if cfg.batch_size == "full" else cfg.batch_size
        total = 0.0
        for start in range(0, len(y), size):
            idx = order[start : start + size]
            loss, ds = softmax_ce(X[idx], y[idx])
            total += (loss + 0.5 * wd * np.sum(W**2)) * len(idx)
            dW, db = X[idx].T @ ds + wd * W, ds.sum(axis=0)
            W, b = W - lr * dW, b - lr * db
        objectives.append(total / len(y))
        losses.append(softmax_ce(X, y)[0])
    return objectives, losses


@pytest.mark.parametrize("batch", ["full", "4", "3"])
def test_loss_is_the_mean_objective_computed_before_each_update(batch):
    overrides = [*TINY, f"batch_size={batch}"]  # 12 samples: 1, 3 or 4 batches
    result, _, _ = train(overrides)
    objectives, losses = by_hand(overrides)
    assert [r["loss"] for r in result.records[1:]] == pytest.approx(objectives, rel=1e-12)
    assert [r["train_loss"] for r in result.records[1:]] == pytest.approx(losses, rel=1e-12)
    assert result.records[-1]["steps"] == 3 * len(minibatches(12, batch, np.random.default_rng()))


def test_full_batch_epoch_one_loss_is_the_initial_training_loss():
    result, _, _ = train([*SMALL_DIGITS, "batch_size=full"])
    # one update per epoch: its objective is computed on the untrained model (no L2, no dropout)
    assert result.records[1]["loss"] == pytest.approx(result.records[0]["train_loss"], rel=1e-5)
    assert [r["steps"] for r in result.records] == [0, 1, 2, 3]


def test_loss_weights_a_smaller_last_batch_by_its_size():
    # 12 samples in batches of 5, 5, 2: the epoch's loss is the mean over samples
    steps: list[float] = []
    result, _, _ = train(
        [*TINY, "batch_size=5", "epochs=1"], on_step=lambda s, loss: steps.append(loss)
    )
    assert len(steps) == 3
    assert result.records[1]["loss"] == pytest.approx(
        (5 * steps[0] + 5 * steps[1] + 2 * steps[2]) / 12
    )


# ----------------------------------------------------------------------------- batches, steps
def test_minibatches_cover_every_sample_once_per_epoch():
    batches = minibatches(103, 10, np.random.default_rng(0))
    assert [len(b) for b in batches] == [10] * 10 + [3]
    assert sorted(np.concatenate(batches)) == list(range(103))
    assert [len(b) for b in minibatches(103, "full", np.random.default_rng(0))] == [103]


def test_max_steps_ends_training_inside_an_epoch():
    result, _, _ = train([*SMALL_DIGITS, "epochs=10"], max_steps=8)  # 6 steps per epoch
    assert result.status == "COMPLETED" and result.steps == 8 and result.epoch == 2
    assert [(r["epoch"], r["steps"]) for r in result.records] == [(0, 0), (1, 6), (2, 8)]


def test_on_step_is_called_after_every_update_with_its_loss():
    calls: list[tuple[int, float]] = []
    result, _, _ = train(
        [*SMALL_DIGITS, "epochs=1"], on_step=lambda s, loss: calls.append((s, loss))
    )
    assert [s for s, _ in calls] == list(range(1, 7))
    assert result.records[1]["loss"] == pytest.approx(np.mean([loss for _, loss in calls]))


# ----------------------------------------------------------------------------- dtype
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parameters_and_optimizer_state_keep_the_runs_dtype(dtype):
    overrides = [*SMALL_DIGITS, f"dtype={dtype}", "optimizer.name=adam", "optimizer.lr=0.01"]
    cfg = load_config(None, [*overrides, "model.batchnorm=true"])
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    rngs = make_rngs(cfg.seed)
    model, opt = build_model(cfg, data.input_dim, data.n_classes, rngs), build_optimizer(cfg)
    result = fit(model, opt, data.splits, TrainSettings.of(cfg), rngs)
    assert result.records[-1]["train_acc"] > 0.8
    assert data.splits["train"][0].dtype == np.dtype(dtype)
    arrays = {**model.params, **model.buffers, **opt.state_dict()}
    floats = {k: v for k, v in arrays.items() if np.issubdtype(v.dtype, np.floating)}
    assert len(floats) > len(model.params)  # the optimizer's moments are among them
    for name, value in floats.items():
        assert value.dtype == np.dtype(dtype), name


def test_float64_and_float32_runs_agree_closely():
    r32, _, _ = train(SMALL_DIGITS)
    r64, _, _ = train([*SMALL_DIGITS, "dtype=float64"])
    assert r64.records[-1]["train_loss"] == pytest.approx(r32.records[-1]["train_loss"], rel=1e-3)
    assert r64.records[-1]["train_loss"] != r32.records[-1]["train_loss"]


# ----------------------------------------------------------------------------- randomness
def test_make_rngs_streams_are_independent():
    a, b = make_rngs(0), make_rngs(0)
    a["dropout"].random(1000)  # using one stream must not shift another
    assert a["order"].random() == b["order"].random()
    assert a["init"].random() == b["init"].random()
    assert make_rngs(0)["init"].random() != make_rngs(1)["init"].random()


def test_dropout_does_not_change_the_initial_weights():
    _, _, plain = train([*SMALL_DIGITS, "epochs=0"])
    _, _, dropped = train([*SMALL_DIGITS, "epochs=0", "model.dropout=0.5"])
    for key in plain.params:
        np.testing.assert_array_equal(plain.params[key], dropped.params[key])


def test_same_config_and_seed_give_identical_records_in_process():
    a, _, _ = train([*SMALL_DIGITS, "model.dropout=0.2", "model.batchnorm=true"])
    b, _, _ = train([*SMALL_DIGITS, "model.dropout=0.2", "model.batchnorm=true"])
    assert without_seconds(a.records) == without_seconds(b.records)


def cli_train(tmp_path: Path, *args: str) -> list[dict]:
    runs_dir = tmp_path / f"runs{len(list(tmp_path.iterdir()))}"
    result = invoke(*["train", *args, "--runs-dir", str(runs_dir), "-q"])
    assert result.exit_code == 0, result.output
    (folder,) = runs_dir.iterdir()
    return [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_same_config_and_seed_give_identical_metrics_files_via_cli(tmp_path):
    config = Path(__file__).resolve().parents[1] / "configs" / "digits-quickstart.yaml"
    args = [str(config), "epochs=3", "model.dropout=0.1", "dataset.n_train=500"]
    first, second = cli_train(tmp_path, *args), cli_train(tmp_path, *args)
    assert len(first) == 4
    assert without_seconds(first) == without_seconds(second)
    other_seed = cli_train(tmp_path, *args, "seed=1")
    assert without_seconds(other_seed) != without_seconds(first)
    assert other_seed[0]["train_loss"] != first[0]["train_loss"]  # a different init


def test_state_round_trip_continues_exactly_where_training_stopped():
    overrides = [
        *SMALL_DIGITS,
        "epochs=4",
        "optimizer.name=adam",
        "model.batchnorm=true",
        "model.dropout=0.2",
    ]
    straight, _, _ = train(overrides)

    cfg = load_config(None, overrides)
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    rngs = make_rngs(cfg.seed)
    model, opt = build_model(cfg, data.input_dim, data.n_classes, rngs), build_optimizer(cfg)
    fit(
        model, opt, data.splits, TrainSettings.of(cfg), rngs, max_steps=12
    )  # epochs 1-2 (6 steps each)
    state = {k: v.copy() for k, v in group_state(Solo(model), opt, 0, rngs).items()}

    rngs2 = make_rngs(cfg.seed)
    model2, opt2 = build_model(cfg, data.input_dim, data.n_classes, rngs2), build_optimizer(cfg)
    set_state(state, model2, opt2, rngs2)
    rest = fit(
        model2, opt2, data.splits, TrainSettings.of(cfg), rngs2, start_epoch=2, start_step=12
    )
    assert without_seconds(rest.records) == without_seconds(straight.records[3:])


def _saved_state(optimizer: str = "adam"):
    """A net's state after 6 steps (a checkpoint's arrays), and a fresh net to restore it to."""
    cfg = load_config(None, [*SMALL_DIGITS, f"optimizer.name={optimizer}"])
    data = load_dataset(cfg.dataset, None, cfg.dtype)
    rngs = make_rngs(cfg.seed)
    model, opt = build_model(cfg, data.input_dim, data.n_classes, rngs), build_optimizer(cfg)
    fit(model, opt, data.splits, TrainSettings.of(cfg), rngs, max_steps=6)
    state = {k: v.copy() for k, v in group_state(Solo(model), opt, 0, rngs).items()}
    fresh = make_rngs(cfg.seed)
    return (
        state,
        build_model(cfg, data.input_dim, data.n_classes, fresh),
        build_optimizer(cfg),
        fresh,
    )


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_state_missing_an_optimizer_array_is_refused_not_restarted_from_zero(optimizer):
    # (an older checkpoint has no digest to catch it: the optimizer's moments were silently
    # zeroed and the run went on with other numbers)
    state, model, opt, rngs = _saved_state(optimizer)
    slot = next(k for k in state if k.startswith("optim/") and k != "optim/t")
    del state[slot]
    with pytest.raises(ValueError, match=f"no {slot!r}"):
        set_state(state, model, opt, rngs)
    assert opt.t == 0 and not opt.state  # (nothing changed)


@pytest.mark.parametrize("stream", [5, "x", {"bit_generator": "PCG64", "state": "garbage"},
                                    {"bit_generator": "MT19937", "state": {}}])  # fmt: skip
def test_a_state_whose_generator_state_is_not_one_is_refused_before_anything_changes(stream):
    state, model, opt, rngs = _saved_state()
    streams = json.loads(str(state["rngs"]))
    streams["order"] = stream
    state["rngs"] = np.array(json.dumps(streams))
    before = {k: g.bit_generator.state for k, g in rngs.items()}
    with pytest.raises(ValueError, match="'rngs': 'order' is not a generator's state"):
        set_state(state, model, opt, rngs)
    assert {k: g.bit_generator.state for k, g in rngs.items()} == before


# ----------------------------------------------------------------------------- divergence
DIVERGE = [*SMALL_DIGITS, "model.hidden=[30, 30]", "optimizer.lr=1e6", "epochs=5"]


def test_divergence_stops_the_run_records_the_epoch_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow, invalid value) fails
        result, _, _ = train(DIVERGE)
    assert result.status == "DIVERGED" and result.epoch == 1
    assert [r["epoch"] for r in result.records] == [0, 1]
    assert result.records[1]["loss"] is None
    json.dumps(result.records, allow_nan=False)  # non-finite values were recorded as None


# the book's plain net at init_std 1.0: every step's objective stays finite, but the last
# update leaves weights whose evaluation overflows (no next step's loss would tell)
LAST_STEP_OVERFLOWS = [
    "dataset.n_train=200", "model.hidden=[100, 100, 100, 100, 100]", "model.init=std",
    "model.init_std=1.0", "batch_size=100", "epochs=1",
]  # fmt: skip


def test_an_evaluation_that_overflows_after_an_epoch_is_a_divergence_there():
    result, _, _ = train(LAST_STEP_OVERFLOWS)  # (COMPLETED, its final losses null, before)
    assert result.status == "DIVERGED" and result.epoch == 1 and result.steps == 2
    assert result.records[-1]["train_loss"] is None  # (the evaluation that overflowed)
    assert result.records[-1]["loss"] is None  # (as for any epoch a net diverged in)


def test_an_evaluation_that_overflows_at_epoch_0_is_not_a_divergence():
    # (before any step, with BatchNorm's running statistics of no batch yet: the first step's
    # objective decides); an init whose scores overflow without BatchNorm diverges at step 1
    result, _, _ = train([*LAST_STEP_OVERFLOWS, "model.init_std=1e9"])
    assert result.records[0]["train_loss"] is None
    assert result.status == "DIVERGED" and result.epoch == 1 and result.steps == 0


def test_divergence_through_run_training_writes_a_diverged_folder_without_warnings(tmp_path):
    cfg = load_config(None, DIVERGE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_training(cfg, runs_dir=tmp_path)
    assert result.status == "DIVERGED"
    run = RunDir(result.run.path)
    assert run.meta["status"] == "DIVERGED" and run.meta["epochs_done"] == 1
    assert json.loads(run.file("summary.json").read_text())["status"] == "DIVERGED"
    assert len(run.metrics()) == 2 and run.file("curves.png").exists()


@pytest.mark.slow
def test_divergence_at_epoch_0_points_to_the_init_not_a_step_size(tmp_path):
    # (an init its dtype cannot hold diverges before any step: no step size helps)
    config = tmp_path / "cfg.yaml"
    config.write_text("dataset: {name: digits}\nepochs: 1\nmodel: {init: std, init_std: 1.0e+39}\n")
    result = invoke("train", str(config), "--runs-dir", str(tmp_path / "runs"), "-q")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: the run diverged at epoch 0 (non-finite loss or parameters); recorded as "
        "DIVERGED; its initial weights are not finite: give a smaller model.init_std, or "
        "another model.init"
    ]


def test_divergence_via_cli_exits_1_with_one_error_line(tmp_path):
    runs_dir, config = tmp_path / "runs", tmp_path / "empty.yaml"
    config.write_text("{}\n")
    once = {a.split("=")[0]: a for a in DIVERGE}.values()  # (a command line gives each key once)
    args = ["train", str(config), *once, "--runs-dir", str(runs_dir), "-q"]
    result = invoke(*args)
    assert result.exit_code == 1
    (folder,) = runs_dir.iterdir()
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    # (it said no more: what to do next was only on the report's page)
    assert errors == [
        "error: the run diverged at epoch 1 (non-finite loss or parameters); recorded as "
        f"DIVERGED; find a step size it trains at with: nnlab lr-scan {folder}/config.yaml "
        f"--runs-dir {runs_dir}"
    ]
    assert "Traceback" not in result.output and "Warning" not in result.output
    assert json.loads((folder / "meta.json").read_text())["status"] == "DIVERGED"


# float32 weights of std 1e200 are infinite from the start: the net diverged before training
INF_INIT = [*SMALL_DIGITS, "model.init=std", "model.init_std=1e200", "final_eval=[test]",
            "eval=[train]"]  # fmt: skip


def test_a_net_whose_initial_weights_are_not_finite_diverges_at_epoch_0():
    # (it trained an epoch of NaN steps and recorded DIVERGED at epoch 1, taking epoch 0's
    # argmax-of-NaN accuracies as its best)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (nor a RuntimeWarning of the init's overflowing cast)
        result, _, _ = train(INF_INIT)
    assert result.status == "DIVERGED" and result.epoch == 0 and result.steps == 0
    (record,) = result.records
    assert record["epoch"] == 0 and record["train_loss"] is None
    assert "test_acc" in record  # (a final_eval split: in the record it diverged in)


# float32 weights of std 1e36 are finite, but the first layer's outputs overflow: BatchNorm makes
# them NaN, and so do the net's scores and its loss, as in torch
NAN_UNDER_BN = [*SMALL_DIGITS, "model.batchnorm=true", "model.init=std", "model.init_std=1e36",
                "eval=[train]"]  # fmt: skip


def test_a_net_whose_activations_turn_nan_under_batchnorm_stops_before_its_first_update():
    # (ReLU turned NaN into 0: the loss looked finite, the net made all 6 updates of the epoch
    # on NaN parameters and its diverged epoch was recorded with 12 % training accuracy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result, _, model = train(NAN_UNDER_BN)
    assert result.status == "DIVERGED" and result.epoch == 1 and result.steps == 0
    assert [(r["loss"], r["train_acc"]) for r in result.records] == [(None, 0.0), (None, 0.0)]
    assert all(np.isfinite(p).all() for p in model.params.values())  # (no update was made)


def test_a_run_that_diverged_at_epoch_0_has_no_best_and_no_checkpoint(tmp_path):
    result = run_training(load_config(None, INF_INIT), runs_dir=tmp_path)
    run = RunDir(result.run.path)
    assert run.meta["status"] == "DIVERGED" and run.meta["epochs_done"] == 0
    summary = json.loads(run.file("summary.json").read_text())
    assert summary["diverged_epoch"] == 0 and summary["best_train_acc"] is None
    assert not run.file("checkpoint.npz").exists() and run.file("curves.png").exists()


QUICKSTART = Path(__file__).resolve().parents[1] / "configs" / "digits-quickstart.yaml"
# the quick start at lr 1000 with dropout: the loss goes non-finite in the first epoch, where
# the weights it stopped at still classify some samples (train accuracy 0.1013 > epoch 0's 0.098;
# its train loss is not finite). (Without dropout it took a ReLU that turned NaN into 0 to
# evaluate the non-finite weights it stopped at finite: train loss ~3690, accuracy 0.1007.)
EXPLODES = ["optimizer.lr=1000", "epochs=3", "model.dropout=0.5"]


def test_a_diverged_run_summary_has_no_finals_and_bests_from_before_it_diverged(tmp_path):
    cfg = load_config(QUICKSTART, EXPLODES)
    result = run_training(cfg, runs_dir=tmp_path, plot=False)
    run = RunDir(result.run.path)
    first, diverged = run.metrics()
    assert diverged["epoch"] == 1 and diverged["train_acc"] > first["train_acc"]
    summary = json.loads(run.file("summary.json").read_text())
    assert summary == result.summary
    assert summary["status"] == "DIVERGED" and summary["diverged_epoch"] == 1
    finals = {k: v for k, v in summary.items() if k.startswith("final_")}
    assert set(finals) == {"final_loss", "final_train_loss", "final_train_acc",
                           "final_test_loss", "final_test_acc"}  # fmt: skip
    assert all(v is None for v in finals.values())
    for key in ("train_loss", "train_acc", "test_loss", "test_acc"):  # epoch 0's: the only one
        assert summary[f"best_{key}"] == first[key]
    text = run.file("summary.txt").read_text()
    assert "DIVERGED at epoch 1: no final values" in text
    assert f"{diverged['train_acc']:.4f}" not in text


def test_the_train_table_of_a_diverged_run_says_where_and_shows_no_final_value(tmp_path):
    result = invoke("train", QUICKSTART, *EXPLODES, "--runs-dir", tmp_path / "runs", "-q")
    assert result.exit_code == 1
    table = result.stdout.splitlines()
    assert table[0].endswith(": DIVERGED at epoch 1: no final values; best of the epochs before")
    # (the title its summary.txt and runs show give it: the terminal read 'DIVERGED at epoch 1')
    (run,) = (tmp_path / "runs").iterdir()
    assert (run / "summary.txt").read_text().splitlines()[0] == table[0]
    rows = [line.split("│")[1:-1] for line in table if line.startswith("│")]
    assert len(rows) == 5 and all(final.strip() == "-" for _, final, _ in rows)
    assert all(best.strip() not in ("", "-") for metric, _, best in rows[1:])  # (epoch 0's)
