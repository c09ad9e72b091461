"""fit_group: K runs trained side by side as a StackedMLP end exactly as each run alone.

Same records (every key but ``seconds``), same statuses, divergence included (a net that
diverges mid-epoch leaves the stack and the others go on), same checkpoint state, same run
folders.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnlab.build import build_group, build_model, build_optimizer, make_rngs, stack_key
from nnlab.config import load_config
from nnlab.config_model import Config
from nnlab.data import load_dataset
from nnlab.experiments.train import resume_training, run_training, run_trainings
from nnlab.group import Solo
from nnlab.runs import RunDir
from nnlab.state import group_state
from nnlab.train import TrainSettings, fit, fit_group

BASE = ["model.hidden=[40,30]", "dataset.n_train=400", "batch_size=64", "epochs=4"]


def configs(*per_run: list[str], base: list[str] = BASE) -> list[Config]:
    return [load_config(None, [*base, *extra]) for extra in per_run]


def alone(cfg: Config, data, **kwargs):
    rngs = make_rngs(cfg.seed)
    model = build_model(cfg, data.input_dim, data.n_classes, rngs)
    return fit(model, build_optimizer(cfg), data.splits, TrainSettings.of(cfg), rngs, **kwargs)


def together(cfgs: list[Config], data, **kwargs):
    group, optimizer, rngs = build_group(cfgs, data.input_dim, data.n_classes)
    return fit_group(group, optimizer, data.splits, TrainSettings.of(cfgs[0]), rngs, **kwargs)


def without_seconds(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def digits(cfg: Config):
    return load_dataset(cfg.dataset, None, cfg.dtype)


SETTINGS = {
    "batchnorm-adam": ["model.batchnorm=true", "optimizer.name=adam", "optimizer.lr=0.003"],
    "dropout-momentum": ["model.dropout=0.3", "optimizer.name=momentum", "optimizer.lr=0.05"],
    "tanh-decay-float64": ["model.activation=tanh", "weight_decay=0.01", "dtype=float64"],
}


OPTIMIZER_LRS = {  # each optimizer with three learning rates around a sensible one
    "sgd": (0.3, 0.1, 0.03),
    "momentum": (0.1, 0.03, 0.01),
    "nesterov": (0.1, 0.03, 0.01),
    "adagrad": (0.1, 0.03, 0.01),
    "rmsprop": (0.01, 0.003, 0.001),
    "adam": (0.01, 0.003, 0.001),
}


@pytest.mark.parametrize("name", OPTIMIZER_LRS)
def test_runs_differing_in_learning_rate_and_weight_decay_stack_exactly(name):
    # one net without weight decay among two with (decay is added net by net, and not where 0)
    lrs, decays = OPTIMIZER_LRS[name], (0.0, 1e-3, 1e-2)
    cfgs = configs(
        *[
            [
                f"optimizer.name={name}",
                f"optimizer.lr={lr}",
                f"weight_decay={wd}",
                f"seed={k}",
                "model.batchnorm=true",
                "epochs=3",
            ]
            for k, (lr, wd) in enumerate(zip(lrs, decays))
        ]  # fmt: skip
    )
    assert len({stack_key(c) for c in cfgs}) == 1
    data = digits(cfgs[0])
    stacked = together(cfgs, data, lrs=lrs)
    for cfg, result in zip(cfgs, stacked):
        reference = alone(cfg, data)
        assert without_seconds(result.records) == without_seconds(reference.records)
        assert result.records[-1]["lr"] == cfg.optimizer.lr


def test_per_net_learning_rates_follow_nets_that_leave_the_stack():
    # the middle net (lr 5) diverges within its first epoch; the others keep their own rates
    base = ["model.hidden=[100,100,100]", "model.init=std", "model.init_std=0.1", "epochs=3"]
    cfgs = configs(
        ["seed=1", "optimizer.lr=0.01"],
        ["seed=2", "optimizer.lr=5.0"],
        ["seed=3", "optimizer.lr=0.05"],
        base=[*base, "dataset.n_train=600", "batch_size=50"],
    )
    data = digits(cfgs[0])
    stacked = together(cfgs, data, lrs=[c.optimizer.lr for c in cfgs])
    references = [alone(cfg, data) for cfg in cfgs]
    assert [r.status for r in references] == ["COMPLETED", "DIVERGED", "COMPLETED"]
    for result, reference in zip(stacked, references):
        assert result.status == reference.status
        assert without_seconds(result.records) == without_seconds(reference.records)


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_stack_of_runs_records_exactly_what_each_run_records_alone(setting):
    extra = SETTINGS[setting]
    cfgs = configs(
        [*extra, "seed=1", "model.init=std", "model.init_std=0.1"],
        [*extra, "seed=2", "model.init=he"],
        [*extra, "seed=3", "model.init=xavier"],
    )
    data = digits(cfgs[0])
    stacked = together(cfgs, data)
    for cfg, result in zip(cfgs, stacked):
        reference = alone(cfg, data)
        assert result.status == reference.status == "COMPLETED"
        assert without_seconds(result.records) == without_seconds(reference.records)


def test_a_net_that_diverges_mid_epoch_leaves_the_stack_and_the_others_train_on():
    # plain ReLU nets on digits with SGD lr 0.5: init std 1 blows up within the first epoch
    base = ["model.hidden=[100,100,100]", "model.init=std", "optimizer.lr=0.5", "epochs=3"]
    cfgs = configs(
        ["seed=1", "model.init_std=0.01"],
        ["seed=2", "model.init_std=1.0"],
        ["seed=3", "model.init_std=0.05"],
        base=[*base, "dataset.n_train=600", "batch_size=50"],
    )
    data = digits(cfgs[0])
    stacked = together(cfgs, data)
    references = [alone(cfg, data) for cfg in cfgs]
    assert [r.status for r in references] == ["COMPLETED", "DIVERGED", "COMPLETED"]
    diverged = references[1].records[-1]
    assert diverged["steps"] % 12 != 0, "the test needs a divergence inside an epoch"
    for result, reference in zip(stacked, references):
        assert result.status == reference.status and result.epoch == reference.epoch
        assert without_seconds(result.records) == without_seconds(reference.records)


def test_parameters_whose_sum_overflows_are_finite_alone_and_in_a_stack():
    # (the check summed each parameter: float32 weights of 1e37 summed past 3.4e38 and a net
    # of finite weights was retired as diverged, at epoch 0 since the loop checks there too)
    cfgs = configs(["seed=1"], ["seed=2"])
    group, _, _ = build_group(cfgs, 64, 10)
    solo = Solo(build_model(cfgs[0], 64, 10, make_rngs(1)))
    for g in (group, solo):
        for p in g.params.values():
            p[...] = np.float32(1e37)
        assert g.params_finite() == [True] * g.size
    group.params["affine1.W"][1, 0, 0] = np.inf  # (net 1's block only)
    solo.params["affine1.W"][0, 0] = np.nan
    assert group.params_finite() == [True, False] and solo.params_finite() == [False]


def test_max_steps_and_on_step_work_for_a_stack():
    cfgs = configs(["seed=1"], ["seed=2"])
    data = digits(cfgs[0])
    seen: list[tuple[int, list[float]]] = []
    stacked = together(cfgs, data, max_steps=9, on_step=lambda s, losses: seen.append((s, losses)))
    assert [s for s, _ in seen] == list(range(1, 10)) and all(len(v) == 2 for _, v in seen)
    for k, (cfg, result) in enumerate(zip(cfgs, stacked)):
        steps: list[float] = []
        reference = alone(
            cfg, data, max_steps=9, on_step=lambda s, loss, out=steps: out.append(loss)
        )
        assert [v[k] for _, v in seen] == steps
        assert without_seconds(result.records) == without_seconds(reference.records)


def test_a_stacked_nets_state_is_the_state_it_would_have_alone():
    cfgs = configs(["seed=1", "model.batchnorm=true"], ["seed=2", "model.batchnorm=true"])
    cfgs = [c.model_copy(update={"optimizer": load_config(None, ["optimizer.name=adam"]).optimizer})
            for c in cfgs]  # fmt: skip
    data = digits(cfgs[0])
    states: dict[int, dict] = {}

    def grab(net, record, state):
        if net == 1 and record["epoch"] == 2:
            states[net] = state()

    together(cfgs, data, on_epoch=grab)
    rngs = make_rngs(cfgs[1].seed)
    model = build_model(cfgs[1], data.input_dim, data.n_classes, rngs)
    optimizer = build_optimizer(cfgs[1])
    mine: dict = {}

    def grab_alone(record):
        if record["epoch"] == 2:
            mine.update(group_state(Solo(model), optimizer, 0, rngs))

    fit(model, optimizer, data.splits, TrainSettings.of(cfgs[1]), rngs, on_epoch=grab_alone)
    assert set(states[1]) == set(mine)
    for key, value in mine.items():
        assert np.array_equal(states[1][key], value), key


def test_stack_key_ignores_only_initial_weights_learning_rate_and_weight_decay():
    a, b, c, d, e = configs(
        ["seed=1", "model.init_std=0.1", "model.init=std", "name=a"],
        ["seed=9", "model.init=he", "name=b", "optimizer.lr=0.5", "weight_decay=0.01"],
        ["optimizer.name=momentum"],
        ["model.batchnorm=true"],
        ["optimizer.name=adam", "optimizer.beta1=0.8"],
    )
    assert stack_key(a) == stack_key(b)
    assert len({stack_key(x) for x in (a, c, d, e)}) == 4
    (bce,) = configs(["loss=bce", "dataset.name=blobs", "dataset.n_classes=2"])
    assert stack_key(bce) is None


def test_run_trainings_writes_the_folders_run_training_writes(tmp_path):
    cfgs = configs(["seed=1", "name=one"], ["seed=2", "name=two"])
    together_runs = run_trainings(cfgs, runs_dir=tmp_path / "stack", plot=False)
    for cfg, result in zip(cfgs, together_runs):
        single = run_training(cfg, runs_dir=tmp_path / "single", plot=False)
        assert result.status == single.status == "COMPLETED"
        assert result.run.meta["stacked"] == 2 and "stacked" not in single.run.meta
        assert without_seconds(result.run.metrics()) == without_seconds(single.run.metrics())
        ours, theirs = result.run.read_json("summary.json"), single.run.read_json("summary.json")
        assert {k: v for k, v in ours.items() if "seconds" not in k} == {
            k: v for k, v in theirs.items() if "seconds" not in k
        }
        assert (
            result.run.file("config.yaml").read_text() == single.run.file("config.yaml").read_text()
        )


@pytest.mark.slow
def test_a_stacked_run_interrupted_resumes_alone_to_the_same_metrics(tmp_path, monkeypatch):
    import nnlab.experiments.train as train_mod

    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    cfgs = configs(["seed=1", "name=one"], ["seed=2", "name=two"])

    def stop_at_epoch_3(record, cfg):
        if record["epoch"] == 3 and cfg.name == "two":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_trainings(cfgs, runs_dir=tmp_path, plot=False, progress=stop_at_epoch_3,
                      folders=["one", "two"])  # fmt: skip
    for name, cfg in zip(["one", "two"], cfgs):
        run = RunDir(tmp_path / name)
        assert run.status == "INTERRUPTED"
        resumed = resume_training(run, plot=False)
        reference = run_training(cfg, runs_dir=tmp_path / "ref", plot=False)
        assert without_seconds(resumed.records) == without_seconds(reference.records)
        lines = [json.loads(x) for x in run.file("metrics.jsonl").read_text().splitlines()]
        assert [r["epoch"] for r in lines] == list(range(cfg.epochs + 1))


def test_configs_that_cannot_share_a_stack_are_refused():
    with pytest.raises(ValueError, match="cannot train as one stack"):
        run_trainings(configs(["seed=1"], ["model.batchnorm=true"]), plot=False)


def test_runs_on_one_feature_data_train_one_by_one_to_the_same_numbers(tmp_path):
    base = ["dataset.name=blobs", "dataset.dim=1", "dataset.n_classes=3", "dataset.n_test=30",
            "model.hidden=[8]",
            "epochs=2", "batch_size=20"]  # fmt: skip
    cfgs = configs(["seed=1", "name=one"], ["seed=2", "name=two"], base=base)
    results = run_trainings(cfgs, runs_dir=tmp_path / "group", plot=False)
    for cfg, result in zip(cfgs, results):
        single = run_training(cfg, runs_dir=tmp_path / "single", plot=False)
        assert result.status == single.status == "COMPLETED"
        assert "stacked" not in result.run.meta
        assert without_seconds(result.records) == without_seconds(single.records)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(OPTIMIZER_LRS))
def test_a_net_that_diverges_leaves_a_stack_of_every_optimizer_with_its_state(name, dtype):
    """(the test above diverges SGD, which keeps no state) Every optimizer, both dtypes,
    BatchNorm and dropout: the middle net (lr 1e300) diverges in its first epoch and leaves
    the stack, the others go on with their own slots (m, v, h) and learning rates, to the
    numbers of each run alone."""
    lr = OPTIMIZER_LRS[name][1]
    base = ["model.hidden=[30,20]", "model.batchnorm=true", "model.dropout=0.2", "epochs=3",
            "dataset.n_train=300", "batch_size=50", f"dtype={dtype}", f"optimizer.name={name}"]  # fmt: skip
    cfgs = configs(
        ["seed=1", f"optimizer.lr={lr}"],
        ["seed=2", "optimizer.lr=1e300"],
        ["seed=3", f"optimizer.lr={2 * lr}", "weight_decay=0.01"],
        base=base,
    )
    data = digits(cfgs[0])
    stacked = together(cfgs, data, lrs=[c.optimizer.lr for c in cfgs])
    references = [alone(cfg, data) for cfg in cfgs]
    assert [r.status for r in references] == ["COMPLETED", "DIVERGED", "COMPLETED"]
    for result, reference in zip(stacked, references):
        assert result.status == reference.status and result.epoch == reference.epoch
        assert without_seconds(result.records) == without_seconds(reference.records)
