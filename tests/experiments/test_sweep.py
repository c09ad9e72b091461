"""Sweeps: spec expansion, trial identity and seeds, the sweep folder, parallel = serial,
interrupt + resume = uninterrupted, failed trials, the weight-scale preset."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab import runs, sweep as sw
from nnlab.build import build_model, make_rngs
from nnlab.config import load_config
from nnlab.errors import ConfigError, RunError
from nnlab.sweep import presets
from nnlab.sweep.presets import weight_scale as ws
from tests.conftest import fake_run, interrupted_at_epoch

# A spiral of 3 x 60 points, 30 held out, a 16-unit net, 3 epochs: a trial takes ~0.1 s.
BASE = {
    "name": "tiny",
    "dataset": {"name": "spiral", "n_per_class": 60, "n_test": 30},
    "model": {"hidden": [16]},
    "optimizer": {"name": "sgd", "lr": 0.5},
    "batch_size": 30,
    "epochs": 3,
    "eval": ["train", "test"],
}


def tiny_sweep(params=None, **spec) -> sw.SweepDef:
    params = params or {"optimizer.lr": [0.5, 0.1], "model.hidden": [[16], [8, 8]]}
    return sw.SweepDef("tiny", BASE, sw.SweepSpec(params=params, **spec))


def results(result: sw.SweepResult) -> list[dict]:
    """Summary rows without wall times and stack sizes (the only fields allowed to differ
    between runs: how trials are stacked changes neither numbers nor ids)."""
    return [{k: v for k, v in r.items() if k not in ("seconds", "stacked")} for r in result.rows]


# ----------------------------------------------------------------------------- expansion


@contextlib.contextmanager
def stop_file_once_started():
    """Units run meanwhile make their sweep's STOP file after their first record: the file a
    sweep interrupted while a remote worker's trial runs makes (a unit that begins with the
    file there does not start)."""
    import nnlab.sweep.trial as trial_mod

    real = trial_mod._stop_check

    def stop_once_started(sweep_dir):
        check = real(sweep_dir)

        def write_then_check(record, cfg):
            (sweep_dir / sw.STOP_FILE).write_text("stop\n")
            check(record, cfg)

        return write_then_check

    trial_mod._stop_check = stop_once_started
    try:
        yield
    finally:
        trial_mod._stop_check = real


def cut_sweep(monkeypatch, defn, root: Path, stack: int = 1, call: int | None = None):
    """The sweep ``defn`` run into ``root`` and stopped by a KeyboardInterrupt once a net
    records epoch 2 (in the ``call``-th training run only, if given); its folder. The
    training loop is put back afterwards; other patches stay."""
    import nnlab.experiments.train as train_mod

    real_fit = train_mod.fit_group
    monkeypatch.setattr(train_mod, "fit_group", interrupted_at_epoch(real_fit, 2, call=call))
    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(defn, runs_dir=root, stack=stack)
    monkeypatch.setattr(train_mod, "fit_group", real_fit)
    (run,) = runs.iter_runs(root)
    return run


def test_grid_expands_row_major_with_first_key_slowest():
    spec = sw.SweepSpec(params={"a": [1, 2], "b": ["x", "y", "z"]})
    assert sw.expand(spec) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 1, "b": "z"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
        {"a": 2, "b": "z"},
    ]


def test_grid_logspace_matches_numpy_and_a_scalar_is_one_point():
    spec = sw.SweepSpec(params={"model.init_std": "logspace:0:-4:16", "epochs": 5})
    values = [t["model.init_std"] for t in sw.expand(spec)]
    assert values == [float(v) for v in np.logspace(0, -4, 16)]
    assert {t["epochs"] for t in sw.expand(spec)} == {5}


def test_grid_rejects_random_distributions():
    with pytest.raises(ConfigError, match="random distribution"):
        sw.expand(sw.SweepSpec(params={"optimizer.lr": "loguniform:1e-4:1e-1"}))


def test_random_draws_are_seeded_and_within_bounds():
    spec = sw.SweepSpec(
        kind="random",
        trials=50,
        seed=3,
        params={
            "optimizer.lr": "loguniform:1e-6:1e-2",
            "model.dropout": "uniform:0:0.5",
            "optimizer.name": "choice:sgd,adam",
            "batch_size": [16, 32],
            "epochs": "randint:1:3",
        },
    )
    draws = sw.expand(spec)
    assert draws == sw.expand(spec)  # same seed, same draws
    assert draws != sw.expand(spec.model_copy(update={"seed": 4}))
    lrs = np.array([d["optimizer.lr"] for d in draws])
    assert lrs.min() >= 1e-6 and lrs.max() <= 1e-2
    assert np.log10(lrs).std() > 0.5  # spread over decades, not clustered near the top
    assert all(0 <= d["model.dropout"] <= 0.5 for d in draws)
    assert {d["optimizer.name"] for d in draws} == {"sgd", "adam"}
    assert {d["batch_size"] for d in draws} == {16, 32}
    assert {d["epochs"] for d in draws} == {1, 2, 3}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"kind": "random", "params": {"a": [1]}}, "needs a number of trials"),
        ({"params": {"a": [1]}, "trials": 3}, "only a random sweep"),
        ({"params": {"a": [1]}, "share_seed": ["b"]}, "'b' is not a swept key"),
        ({"params": {"seed": [1, 2]}, "share_seed": ["seed"]}, "'seed' is the swept value itself"),
        ({"params": {}, "kinds": "grid"}, "unknown key 'kinds'"),
        ({"kind": "grud"}, "kind"),
    ],
)
def test_spec_errors_are_one_line(raw, message):
    with pytest.raises(ConfigError, match=message):
        sw.parse_spec(raw)


def test_bad_distribution_arguments_name_the_key():
    with pytest.raises(ConfigError, match="optimizer.lr.*loguniform needs 0 < low"):
        sw.expand(sw.SweepSpec(kind="random", trials=1, params={"optimizer.lr": "loguniform:0:1"}))
    with pytest.raises(ConfigError, match="optimizer.lr.*'x' is not a number"):
        sw.expand(sw.SweepSpec(kind="random", trials=1, params={"optimizer.lr": "uniform:x:1"}))


def test_command_line_args_split_into_axes_and_fixed_overrides():
    params, fixed = sw.parse_sweep_args(
        [
            "optimizer.lr=0.1,1e-3",
            "model.hidden=[100],[50,50]",
            "model.dropout=uniform:0:0.5",
            "optimizer.name=choice:sgd,adam",
            "epochs=5",
            "model.hidden_fixed=[1,2]",
        ]
    )
    assert params == {
        "optimizer.lr": [0.1, 1e-3],  # 1e-3 is a number, not YAML 1.1's string
        "model.hidden": [[100], [50, 50]],
        "model.dropout": "uniform:0:0.5",
        "optimizer.name": "choice:sgd,adam",
    }
    assert fixed == ["epochs=5", "model.hidden_fixed=[1,2]"]
    with pytest.raises(ConfigError, match="expected key=value"):
        sw.parse_sweep_args(["optimizer.lr"])


def test_a_fixed_override_of_a_swept_key_removes_the_axis():
    spec = sw.merge_spec(
        {"params": {"a.b": [1, 2], "c": [3, 4]}, "share_seed": ["c"]},
        {"d": [5, 6]},
        ["c=3"],
        seed=7,
    )
    assert spec.params == {"a.b": [1, 2], "d": [5, 6]}
    assert spec.share_seed == [] and spec.seed == 7


# ----------------------------------------------------------------------------- identity, seeds
def test_trial_ids_and_seeds_do_not_depend_on_the_order_of_keys_or_values():
    a = sw.plan(tiny_sweep({"optimizer.lr": [0.5, 0.1], "model.hidden": [[16], [8, 8]]}))
    b = sw.plan(tiny_sweep({"model.hidden": [[8, 8], [16]], "optimizer.lr": [0.1, 0.5]}))
    key = {(t.id, t.seed, json.dumps(t.values, sort_keys=True)) for t in a}
    assert key == {(t.id, t.seed, json.dumps(t.values, sort_keys=True)) for t in b}
    assert len({t.id for t in a}) == len({t.seed for t in a}) == 4
    assert [t.id for t in a] != [t.id for t in b]  # the plans' orders do differ


def test_trial_id_is_the_config_hash_without_seed_and_the_sweep_seed_moves_only_seeds():
    a = sw.plan(tiny_sweep(seed=1))
    b = sw.plan(tiny_sweep(seed=2))
    assert [t.id for t in a] == [t.id for t in b]
    assert all(ta.seed != tb.seed for ta, tb in zip(a, b))
    assert all(t.config.seed == t.seed for t in a)


def test_equal_values_written_differently_give_the_same_trial():
    a = sw.plan(tiny_sweep({"optimizer.lr": [0.1]}))
    b = sw.plan(tiny_sweep({"optimizer.lr": ["1e-1"]}))  # validated to the same float
    assert (a[0].id, a[0].seed) == (b[0].id, b[0].seed)


def test_sweeping_seed_uses_the_given_seeds_and_gives_distinct_trials():
    trials = sw.plan(tiny_sweep({"seed": [0, 1, 2]}))
    assert [t.seed for t in trials] == [0, 1, 2]
    assert len({t.id for t in trials}) == 3


def test_when_a_split_is_evaluated_leaves_a_trials_seed_and_the_nets_it_trains_alone():
    """A split after every epoch or after the last only (``final_eval``), or evaluated in
    smaller batches: the same seed (init draws, minibatch order); the id, naming a different
    config, differs. Which splits are evaluated at all stays part of the seed, as it always
    was."""
    default = sw.plan(tiny_sweep())
    for fixed, same_seed in (
        (["eval_batch_size=7"], True),
        (["eval=[train]", "final_eval=[test]"], True),
        (["eval=[train, test]", "final_eval=[test]"], True),
        (["eval=[train]"], False),
        (["eval=[train, val]", "dataset.n_val=20"], False),
    ):
        defn = tiny_sweep()
        other = sw.plan(sw.SweepDef(defn.name, defn.base, defn.spec, overrides=tuple(fixed)))
        assert ([t.seed for t in other] == [t.seed for t in default]) is same_seed, fixed
        if fixed != ["eval=[train, test]", "final_eval=[test]"]:
            assert not {t.id for t in other} & {t.id for t in default}


def test_trial_ids_and_seeds_of_the_default_evaluation_are_the_ones_recorded_before():
    """``final_eval`` came later: at its default it is left out of ids and seeds, so sweep
    folders made before it (their trial folders, --resume) keep their ids. Pinned values: the
    weight-scale preset's first trial on digits, evaluated as it was then."""
    defn = presets.get("weight-scale").definition("digits", ["eval=[train, test]", "final_eval=[]"])
    first = sw.plan(defn)[0]
    assert (first.id, first.seed) == ("2932ecf4", 1037669209)
    now = sw.plan(presets.get("weight-scale").definition("digits"))[0]
    assert now.seed == first.seed and now.id != first.id


def test_a_final_eval_sweep_trains_the_nets_of_a_per_epoch_one_bit_for_bit(tmp_path):
    per_epoch = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "a")
    defn = tiny_sweep()
    measured = ("eval=[train]", "final_eval=[test]")
    final = sw.run_sweep(
        sw.SweepDef(defn.name, defn.base, defn.spec, overrides=measured), runs_dir=tmp_path / "b"
    )
    assert [r["seed"] for r in final.rows] == [r["seed"] for r in per_epoch.rows]
    for a, b in zip(per_epoch.rows, final.rows):
        for key in ("final_loss", "final_train_acc", "final_test_acc", "final_test_loss"):
            assert a[key] == b[key]
        assert "best_test_acc" in a and "best_test_acc" not in b


def test_a_sweep_evaluated_in_small_batches_trains_the_nets_of_the_default_bit_for_bit(tmp_path):
    default = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "a")
    defn = tiny_sweep()
    small = sw.run_sweep(
        sw.SweepDef(defn.name, defn.base, defn.spec, overrides=("eval_batch_size=7",)),
        runs_dir=tmp_path / "b",
    )
    assert [r["seed"] for r in small.rows] == [r["seed"] for r in default.rows]
    for a, b in zip(default.rows, small.rows):
        assert a["final_loss"] == b["final_loss"]  # (the training objective: the same steps)
        assert a["final_train_acc"] == b["final_train_acc"]


def test_invalid_trial_config_fails_before_anything_runs(tmp_path):
    with pytest.raises(ConfigError, match=r"sweep trial \(optimizer.lr=-1\).*optimizer.lr"):
        sw.run_sweep(tiny_sweep({"optimizer.lr": [0.1, -1]}), runs_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_share_seed_pairs_share_seed_init_and_minibatch_order():
    trials = sw.plan(presets.get("weight-scale").definition("digits"))
    assert len(trials) == 32
    for bn, plain in zip(trials[::2], trials[1::2]):
        assert bn.values["model.init_std"] == plain.values["model.init_std"]
        assert (bn.values["model.batchnorm"], plain.values["model.batchnorm"]) == (True, False)
        assert bn.seed == plain.seed and bn.id != plain.id
    assert len({t.seed for t in trials}) == 16
    bn, plain = trials[6], trials[7]
    rng_bn, rng_plain = make_rngs(bn.config.seed), make_rngs(plain.config.seed)
    net_bn = build_model(bn.config, 64, 10, rng_bn)
    net_plain = build_model(plain.config, 64, 10, rng_plain)
    for name in ("affine1.W", "affine3.W", "affine6.W"):
        np.testing.assert_array_equal(net_bn.params[name], net_plain.params[name])
    assert "bn1.gamma" in net_bn.params and "bn1.gamma" not in net_plain.params
    np.testing.assert_array_equal(
        rng_bn["order"].permutation(1000), rng_plain["order"].permutation(1000)
    )


# ----------------------------------------------------------------------------- presets
def test_weight_scale_preset_is_the_books_setting():
    defn = presets.get("weight-scale").definition("mnist", ["epochs=3"], seed=5)
    assert defn.preset == "weight-scale" and defn.name == "weight-scale-mnist"
    assert defn.spec.share_seed == ["model.batchnorm"] and defn.spec.seed == 5
    cfg = sw.plan(defn)[0].config
    assert cfg.dataset.name == "mnist" and cfg.dataset.n_train == 1000
    assert cfg.model.hidden == [100] * 5 and cfg.model.init == "std"
    assert (cfg.optimizer.name, cfg.optimizer.lr, cfg.batch_size) == ("sgd", 0.01, 100)
    assert cfg.epochs == 3 and cfg.eval == ["train"] and cfg.final_eval == ["test"]


def test_a_config_with_a_sweep_section_is_rejected_by_train_loading():

    with pytest.raises(ConfigError, match="nnlab sweep run"):
        load_config(presets.get("weight-scale").file)


# ----------------------------------------------------------------------------- running
def test_sweep_folder_holds_spec_trials_and_summaries(tmp_path):
    result = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path)
    assert result.status == "COMPLETED" and len(result.ran) == 4
    run = result.run
    assert run.meta["status"] == "COMPLETED" and run.meta["kind"] == "sweep"
    for name in ("sweep.yaml", "summary.json", "summary.csv", "summary.txt", "curves.png"):
        assert run.file(name).exists(), name
    summary = run.read_json("summary.json")
    assert summary["keys"] == ["optimizer.lr", "model.hidden"]
    assert [r["trial"] for r in summary["trials"]] == [t.id for t in sw.plan(tiny_sweep())]
    row = summary["trials"][0]
    assert row["optimizer.lr"] == 0.5 and row["model.hidden"] == [16]
    assert row["status"] == "COMPLETED" and row["epochs_done"] == 3
    assert {"final_train_acc", "final_test_acc", "best_test_acc"} <= set(row)
    trial = runs.RunDir(run.path / "trials" / row["trial"])
    assert trial.meta["trial"]["seed"] == row["seed"] == trial.meta["seed"]
    assert len(trial.metrics()) == 4
    assert sw.sweep_rows(run) == summary["trials"]
    assert run.file("summary.csv").read_text().splitlines()[0].startswith("trial,optimizer.lr")


def epoch_records(result: sw.SweepResult) -> dict[str, list[dict]]:
    """Every trial's epoch records without their timings."""
    return {
        row["trial"]: [
            {k: v for k, v in r.items() if k != "seconds"}
            for r in runs.RunDir(result.run.path / "trials" / row["trial"]).metrics()
        ]
        for row in result.rows
    }


@pytest.mark.slow
def test_jobs_1_and_jobs_2_give_identical_summaries(tmp_path):
    serial = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "serial", jobs=1)
    parallel = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "parallel", jobs=2)
    assert results(serial) == results(parallel)
    assert epoch_records(serial) == epoch_records(parallel)  # every epoch, not only the summary


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")
def test_forked_and_spawned_workers_give_identical_results(tmp_path):
    out = {}
    for method in ("fork", "spawn"):
        executor = sw.ProcessExecutor(2, method)
        out[method] = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / method, executor=executor)
        assert out[method].run.meta["executor"] == f"processes (2, {method})"
        pids = {runs.RunDir(t).meta["pid"] for t in (out[method].run.path / "trials").iterdir()}
        assert os.getpid() not in pids  # the trials ran in the workers
    assert results(out["fork"]) == results(out["spawn"])
    assert epoch_records(out["fork"]) == epoch_records(out["spawn"])


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")
def test_a_sweeps_figures_are_drawn_by_painters_forked_before_its_workers(
    tmp_path, monkeypatch, fork_allowed
):
    from nnlab import plots

    seen = []
    real = plots.draw_all

    def draw_all(drawings, painters=(), meanwhile=None):
        seen.append((len(drawings), [p.alive for p in painters]))
        return real(drawings, painters, meanwhile)

    monkeypatch.setattr(plots, "draw_all", draw_all)
    result = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path, jobs=2)
    assert seen == [(1, [True])] and result.run.file("curves.png").stat().st_size > 0


def test_workers_are_not_forked_beside_another_thread(monkeypatch):
    monkeypatch.setattr(sw.executors.threading, "active_count", lambda: 2)
    assert not sw.fork_is_safe()
    assert sw.ProcessExecutor(2).start_method == "spawn"
    executor = sw.ProcessExecutor(2, "fork")  # chosen while safe, started when no longer safe
    executor.start(2)
    try:
        assert executor.start_method == "spawn"
    finally:
        executor.close()


@pytest.mark.slow
def test_a_sweep_resumes_with_the_seeds_its_folder_records(tmp_path, monkeypatch):
    """The plan in sweep.yaml is the sweep's identity: a sweep whose seeds an earlier version
    derived otherwise (eval_batch_size was part of them) resumes with those seeds, to the rows
    that version's uninterrupted sweep gives."""
    import nnlab.sweep.definition as definition

    monkeypatch.setattr(definition, "seed_identity", lambda identity: dict(identity))
    small = tiny_sweep()
    small = sw.SweepDef(small.name, small.base, small.spec, overrides=("eval_batch_size=7",))
    before = sw.run_sweep(small, runs_dir=tmp_path / "ref")
    run = cut_sweep(monkeypatch, small, tmp_path / "cut", call=2)
    monkeypatch.undo()  # (today's seeds from here on)
    assert [t.seed for t in sw.plan(small)] != [r["seed"] for r in before.rows]
    resumed = sw.resume_sweep(run)
    assert results(resumed) == results(before)


@pytest.mark.slow
def test_interrupted_between_trials_then_resumed_runs_only_the_missing(tmp_path):
    reference = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "ref")

    def stop_after_two(done, total, row, ended):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "cut", on_trial=stop_after_two, stack=1)
    (run,) = runs.iter_runs(tmp_path / "cut")
    assert run.status == "INTERRUPTED"
    partial = run.read_json("summary.json")["trials"]
    assert [r["status"] for r in partial] == ["COMPLETED", "COMPLETED", "PENDING", "PENDING"]
    first = {r["trial"]: runs.RunDir(run.path / "trials" / r["trial"]).meta for r in partial[:2]}

    resumed = sw.resume_sweep(run)
    assert resumed.skipped == [r["trial"] for r in partial[:2]]
    assert resumed.ran == [r["trial"] for r in partial[2:]] and resumed.resumed == []
    assert results(resumed) == results(reference)
    assert run.status == "COMPLETED"
    for trial_id, meta in first.items():  # finished trials were left alone
        assert runs.RunDir(run.path / "trials" / trial_id).meta["started"] == meta["started"]


@pytest.mark.slow
def test_a_trial_still_running_elsewhere_stops_at_the_interrupted_sweeps_stop_file(tmp_path):
    # A Dask worker cannot be terminated: after the interrupt, the trial it is running finds the
    # sweep's STOP file after its next epoch and stops as INTERRUPTED (resumable).
    reference = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "ref")

    def stop_after_one(done, total, row, ended):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "cut", on_trial=stop_after_one, stack=1)
    (run,) = runs.iter_runs(tmp_path / "cut")
    assert run.file(sw.STOP_FILE).exists()
    defn, trials = sw.load_sweep(run)
    late = trials[-1]  # as if a remote worker had started it just before the interrupt
    run.file(sw.STOP_FILE).unlink()
    with stop_file_once_started():
        (row,) = sw.run_unit((sw.run._task(run, defn, late, None, "run"),))
    assert row["status"] == "INTERRUPTED"
    folder = runs.RunDir(run.path / "trials" / late.id)
    assert folder.status == "INTERRUPTED" and folder.file("checkpoint.npz").exists()

    resumed = sw.resume_sweep(run)
    assert not run.file(sw.STOP_FILE).exists() and late.id in resumed.resumed
    assert results(resumed) == results(reference)


@pytest.mark.slow
def test_interrupted_mid_trial_is_continued_from_its_checkpoint(tmp_path, monkeypatch):
    import nnlab.experiments.train as train_mod

    reference = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "ref")
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0, raising=False)  # every epoch
    run = cut_sweep(monkeypatch, tiny_sweep(), tmp_path / "cut", call=2)
    statuses = [r["status"] for r in run.read_json("summary.json")["trials"]]
    assert statuses == ["COMPLETED", "INTERRUPTED", "PENDING", "PENDING"]

    resumed = sw.resume_sweep(run)
    second = reference.rows[1]["trial"]
    assert resumed.resumed == [second] and len(resumed.ran) == 2
    assert results(resumed) == results(reference)
    trial = runs.RunDir(run.path / "trials" / second)
    assert [r["epoch"] for r in trial.metrics()] == [0, 1, 2, 3]
    assert trial.meta["resumes"][0]["from_epoch"] == 2
    assert trial.meta["resumes"][0]["by"] == "sweep"  # (its worker: it stops at the STOP file)


def test_a_trial_resumed_on_its_own_is_not_said_to_stop_at_the_sweeps_stop_file(
    tmp_path, monkeypatch
):
    """The STOP file an interrupted sweep leaves asks its own workers' trials to stop; a
    ``train --resume`` of one trial trains it to its end. A sweep resume meanwhile said 'its
    worker stops it after the current epoch ...: retry in a moment', which never came true;
    it says who runs the trial, and the sweep resumed after it ends as an uninterrupted one."""
    import nnlab.experiments.train as train_mod
    from nnlab.experiments.train import resume_training

    reference = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "ref")
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0, raising=False)  # every epoch
    run = cut_sweep(monkeypatch, tiny_sweep(), tmp_path / "cut", call=2)
    assert run.file(sw.STOP_FILE).exists()
    defn, trials = sw.load_sweep(run)
    trial = trials[1]
    folder = runs.RunDir(run.path / "trials" / trial.id)
    assert folder.status == "INTERRUPTED"
    said = []

    def sweep_resume_meanwhile(record, cfg):
        with pytest.raises(RunError) as refused:
            sw.resume_plan.resume_action(run, trial)
        said.append(str(refused.value))

    resume_training(folder, plot=False, progress=sweep_resume_meanwhile)
    assert said and all("retry in a moment" not in line for line in said), said
    assert "resumed on its own by 'nnlab train --resume'" in said[0], said
    assert folder.status == "COMPLETED" and "by" not in folder.meta["resumes"][-1]
    resumed = sw.resume_sweep(run)
    assert results(resumed) == results(reference)


def test_a_running_trial_watches_the_stop_file_if_its_sweep_runs_it():
    assert sw.trial.watches_stop({})  # (started by its sweep)
    assert sw.trial.watches_stop({"resumes": [{"at": "t", "by": "sweep"}]})
    assert not sw.trial.watches_stop({"resumes": [{"at": "t", "by": "sweep"}, {"at": "u"}]})


def test_a_resumed_trial_trains_on_one_blas_thread_as_it_began(tmp_path, monkeypatch):
    # A sweep trial resumed (after an interrupt) went through train's choice of threads:
    # every core for a net with large products, where the trial had begun on one. OpenBLAS
    # sums in another order then: the resumed trial's numbers were not the uninterrupted's.
    import threadpoolctl

    import nnlab.experiments.train as train_mod

    monkeypatch.setattr(train_mod, "blas_threads", lambda *args: 4)  # (as for a large net)
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)  # every epoch
    real_limits = threadpoolctl.threadpool_limits
    limits: list[int] = []

    def recorded(limits_=None, **kwargs):
        limits.append(kwargs.get("limits", limits_))
        return real_limits(limits=kwargs.get("limits", limits_))

    monkeypatch.setattr(threadpoolctl, "threadpool_limits", recorded)
    run = cut_sweep(monkeypatch, tiny_sweep(), tmp_path)
    (first,) = (run.path / "trials").iterdir()
    limits.clear()
    resumed = sw.resume_sweep(run)
    assert resumed.resumed == [first.name] and set(limits) == {1}
    assert runs.RunDir(first).meta["blas_threads"] == 1


def test_a_sweep_given_a_relative_data_dir_resumes_from_another_working_directory(
    tmp_path, monkeypatch
):
    # The sweep's meta.json recorded --data-dir as given ("data"), and a resume started in
    # another folder looked for the data there: "MNIST not found in data/mnist". It records
    # the folder's absolute path now, as a training run's meta.json does.
    from tests.data.conftest import write_mnist_part

    write_mnist_part(tmp_path / "here" / "data" / "mnist", "t10k", 60)
    base = {**BASE, "dataset": {"name": "mnist", "n_train": 40, "n_test": 20}}
    defn = sw.SweepDef("rel", base, sw.SweepSpec(params={"optimizer.lr": [0.5, 0.1]}))

    def stop_after_one(done, total, row, ended):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path / "here")
    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(defn, data_dir=Path("data"), runs_dir=tmp_path / "runs", stack=1,
                     on_trial=stop_after_one)  # fmt: skip
    (run,) = runs.iter_runs(tmp_path / "runs")
    assert run.meta["data_dir"] == str((tmp_path / "here" / "data").resolve())
    monkeypatch.chdir(tmp_path)
    resumed = sw.resume_sweep(run)
    assert [r["status"] for r in resumed.rows] == ["COMPLETED", "COMPLETED"]


def test_resume_reruns_failed_and_meta_less_trials_and_refuses_a_running_sweep(tmp_path):
    result = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path)
    run = result.run
    a, b = (runs.RunDir(run.path / "trials" / r["trial"]) for r in result.rows[:2])
    fake_run(a.path.parent, a.id, "FAILED", error="boom")
    b.file("meta.json").unlink()
    again = sw.resume_sweep(run)
    assert sorted(again.ran) == sorted([a.id, b.id]) and len(again.skipped) == 2
    assert results(again) == results(result)
    fake_run(run.path.parent, run.id, "RUNNING", kind="sweep")
    with pytest.raises(RunError, match="still RUNNING"):
        sw.resume_sweep(run)


def fail_batch_size_31(monkeypatch):
    """Trials with batch_size 31 fail once their folder exists (an allocation that fails);
    a config the data cannot train is refused before the sweep starts instead."""
    import nnlab.experiments.train as tr

    real = tr.build_group

    def build_group(cfgs, *args, **kwargs):
        if any(cfg.batch_size == 31 for cfg in cfgs):
            raise MemoryError("Unable to allocate 1.00 TiB for an array")
        return real(cfgs, *args, **kwargs)

    monkeypatch.setattr(tr, "build_group", build_group)


def test_a_failing_trial_is_recorded_and_the_others_complete(tmp_path, monkeypatch):
    fail_batch_size_31(monkeypatch)
    defn = tiny_sweep({"batch_size": [30, 31]})
    result = sw.run_sweep(defn, runs_dir=tmp_path)
    assert result.status == "FAILED" and result.run.status == "FAILED"
    ok, bad = result.rows
    assert ok["status"] == "COMPLETED"
    assert bad["status"] == "FAILED" and "Unable to allocate 1.00 TiB" in bad["error"]
    assert [r["trial"] for r in result.failed] == [bad["trial"]]
    again = sw.resume_sweep(result.run)  # reruns only the failed trial (which fails again)
    assert again.ran == [bad["trial"]] and again.skipped == [ok["trial"]]


def test_diverged_trial_is_a_result_not_a_failure(tmp_path):
    result = sw.run_sweep(tiny_sweep({"optimizer.lr": [0.5, 1e30]}), runs_dir=tmp_path)
    assert [r["status"] for r in result.rows] == ["COMPLETED", "DIVERGED"]
    assert result.status == "COMPLETED"
    with pytest.raises(RunError, match="already COMPLETED, nothing to resume"):
        sw.resume_sweep(result.run)  # (the DIVERGED trial is kept: nothing left to run)


def test_a_diverged_trials_row_has_no_final_values_wherever_it_is_shown(tmp_path):
    from nnlab.sweep.outcome import describe_row

    result = sw.run_sweep(tiny_sweep({"optimizer.lr": [0.5, 1e30]}), runs_dir=tmp_path)
    ok, diverged = result.rows
    assert diverged["diverged_epoch"] == 1 and "diverged_epoch" not in ok
    finals = [k for k in ok if k.startswith("final_")]
    assert finals and all(diverged[k] is None for k in finals)
    assert diverged["best_train_acc"] is not None  # (epoch 0's)
    assert diverged["trial"] in describe_row(diverged)
    assert "DIVERGED at epoch 1" in describe_row(diverged) and "acc" not in describe_row(diverged)
    summary = json.loads(result.run.file("summary.json").read_text())
    assert summary["trials"][1] == diverged
    lines = result.run.file("summary.txt").read_text().splitlines()
    (head,) = [line.strip("┃").split("┃") for line in lines if "trial" in line and "┃" in line]
    (row,) = [line.strip("│").split("│") for line in lines if "│ DIVERGED" in line]
    shown = dict(zip((h.strip() for h in head), (c.strip() for c in row)))
    assert shown["final_train_acc"] == shown["final_test_acc"] == "-"
    assert shown["best_train_acc"] == f"{diverged['best_train_acc']:.4f}"


def test_a_trial_its_data_cannot_train_is_one_error_before_the_sweep_folder_exists(tmp_path):
    with pytest.raises(ConfigError, match=r"sweep trial \(batch_size=100000\): batch_size"):
        sw.run_sweep(tiny_sweep({"batch_size": [30, 100000]}), runs_dir=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_missing_data_is_one_error_before_the_sweep_folder_exists(tmp_path):
    defn = presets.get("weight-scale").definition("mnist", ["epochs=1"])
    with pytest.raises(Exception, match="mnist") as info:
        sw.run_sweep(defn, data_dir=tmp_path / "nowhere", runs_dir=tmp_path / "runs")
    assert getattr(info.value, "exit_code", None) == 2
    assert not (tmp_path / "runs").exists()


def test_weight_scale_tables_pair_bn_and_plain_rows():
    rows = [
        {"trial": "a", "model.init_std": 0.1, "model.batchnorm": True, "seed": 1},
        {"trial": "b", "model.init_std": 0.1, "model.batchnorm": False, "seed": 1},
        {"trial": "c", "model.init_std": 1.0, "model.batchnorm": True, "seed": 2},
        {"trial": "d", "model.init_std": 1.0, "model.batchnorm": False, "seed": 2},
    ]
    for r, acc, status in zip(rows, [0.9, 0.5, 0.8, 0.1], ["COMPLETED"] * 3 + ["DIVERGED"]):
        r.update(status=status, final_train_acc=acc, final_test_acc=acc - 0.05, epochs=3)
    rows[3].update(final_train_acc=None, final_test_acc=None, diverged_epoch=3)  # (its summary)
    table = ws.pair_rows(rows)
    assert [t["weight_scale"] for t in table] == [1.0, 0.1]
    assert table[0]["bn_train"] == 0.8 and table[0]["nobn_train"] is None  # (diverged: no result)
    assert table[0]["nobn_test"] is None
    assert table[0]["bn_test"] == pytest.approx(0.75) and table[1]["nobn_test"] == 0.45
    assert (table[0]["status"], table[1]["status"]) == ("ok/DIVERGED", "ok/ok")
    objects = ws.trial_objects(rows)
    assert {"weight_scale", "batchnorm", "status", "final_train_acc", "final_test_acc"} <= set(
        objects[0]
    )
    assert objects[1]["batchnorm"] is False
    assert objects[3]["diverged_epoch"] == 3 and objects[3]["final_train_acc"] is None


# ----------------------------------------------------------------------------- stacks of trials
def init_sweep() -> sw.SweepDef:
    """Trials that differ only in their init: they share a stack key."""
    params = {"model.init_std": [1.0, 0.3, 0.1, 0.03, 0.01], "model.init": ["std"]}
    return tiny_sweep(params)


def trial_records(result: sw.SweepResult) -> dict[str, list[dict]]:
    out = {}
    for row in result.rows:
        folder = runs.RunDir(result.run.path / "trials" / row["trial"])
        out[row["trial"]] = [
            {k: v for k, v in r.items() if k != "seconds"} for r in folder.metrics()
        ]
    return out


@pytest.mark.slow
def test_stacked_trials_give_the_numbers_of_trials_run_alone(tmp_path):
    alone = sw.run_sweep(init_sweep(), runs_dir=tmp_path / "alone", stack=1)
    stacked = sw.run_sweep(init_sweep(), runs_dir=tmp_path / "stacked", stack=3)
    assert results(alone) == results(stacked)
    assert trial_records(alone) == trial_records(stacked)
    metas = [runs.RunDir(stacked.run.path / "trials" / r["trial"]).meta for r in stacked.rows]
    assert sorted(m.get("stacked", 1) for m in metas) == [2, 2, 3, 3, 3]  # stacks of 3 + 2
    assert stacked.run.meta["stack"] == 3 and alone.run.meta["stack"] == 1


@pytest.mark.slow
def test_a_sweep_killed_inside_a_stack_resumes_its_trials_one_by_one(tmp_path, monkeypatch):
    import nnlab.experiments.train as train_mod

    reference = sw.run_sweep(init_sweep(), runs_dir=tmp_path / "ref", stack=1)
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    run = cut_sweep(monkeypatch, init_sweep(), tmp_path / "cut", stack=5)
    assert {r["status"] for r in run.read_json("summary.json")["trials"]} == {"INTERRUPTED"}
    resumed = sw.resume_sweep(run, stack=5)
    assert len(resumed.resumed) == 5 and resumed.ran == []
    assert results(resumed) == results(reference)
    assert trial_records(resumed) == trial_records(reference)


def task(trial_id: str, action: str = "run") -> sw.TrialTask:
    return sw.TrialTask(trial_id, 0, {}, {}, "trials", None, action)  # type: ignore[arg-type]


def test_units_group_stackable_trials_evenly_and_give_every_worker_work():
    tasks = [task(f"a{i}") for i in range(10)] + [task("b0"), task("c0", "resume")]
    keys = {**{f"a{i}": "A" for i in range(10)}, "b0": None, "c0": "A"}
    units = sw.make_units(tasks, keys, stack=4, jobs=1)
    assert [len(u) for u in units] == [4, 3, 3, 1, 1]  # 10 in 3 even stacks, largest first
    stacks = [[t.trial_id for t in u] for u in units[:3]]  # dealt: every stack spans the range
    assert stacks == [["a0", "a3", "a6", "a9"], ["a1", "a4", "a7"], ["a2", "a5", "a8"]]
    assert {t.trial_id for u in units for t in u} == {t.trial_id for t in tasks}
    assert ("c0",) in [tuple(t.trial_id for t in u) for u in units]  # resumed alone
    assert [len(u) for u in sw.make_units(tasks[:8], keys, stack=8, jobs=2)] == [4, 4]
    assert [len(u) for u in sw.make_units(tasks[:8], keys, stack=1, jobs=2)] == [1] * 8


def test_share_seed_keys_from_the_command_line_add_to_the_files(tmp_path):
    """``share_seed`` (``--share-seed``): repeated or comma lists, added to the file's; the
    trials that differ only in shared keys have one seed."""
    path = tmp_path / "cfg.yaml"
    spec = {"params": {"model.batchnorm": [True, False]}, "share_seed": ["model.batchnorm"]}
    path.write_text(json.dumps({**BASE, "sweep": spec}))
    axes = ["optimizer.lr=0.5,0.1", "model.dropout=0,0.5"]
    file_only = sw.sweep_from_file(path, axes)
    assert file_only.spec.share_seed == ["model.batchnorm"]
    assert len({t.seed for t in sw.plan(file_only)}) == 4  # lr x dropout
    for given in (["optimizer.lr,model.dropout"], ["optimizer.lr", " model.dropout"]):
        defn = sw.sweep_from_file(path, axes, share_seed=given)
        assert defn.spec.share_seed == ["model.batchnorm", "optimizer.lr", "model.dropout"]
        assert len({t.seed for t in sw.plan(defn)}) == 1
    defn = sw.sweep_from_file(path, axes, share_seed=["model.batchnorm,optimizer.lr"])
    assert defn.spec.share_seed == ["model.batchnorm", "optimizer.lr"]
    seeds = {t.values["model.dropout"]: t.seed for t in sw.plan(defn)}
    assert len(seeds) == len(set(seeds.values())) == 2
    with pytest.raises(ConfigError, match="'epochs' is not a swept key"):
        sw.sweep_from_file(path, axes, share_seed=["epochs"])


def test_every_reader_of_a_sweeps_trials_gives_the_rows_its_summary_recorded(tmp_path, monkeypatch):
    """One reader, ``sweep.sweep_rows``, gives a sweep's trials to the summary written at its
    end, ``runs show`` (table, json, csv) and ``runs list``: on a sound folder, the rows its
    summary.json holds. ``runs show -f json`` had lost each trial's ``stacked`` (and csv the
    column): its rows came from a second reader, ``listing.sweep_rows``."""
    from tests.conftest import invoke

    fail_batch_size_31(monkeypatch)
    params = {"batch_size": [30, 31], "optimizer.lr": [0.5, 0.1]}
    run = sw.run_sweep(tiny_sweep(params), runs_dir=tmp_path, stack=2).run
    recorded = run.read_json("summary.json")["trials"]
    assert [r.get("stacked") for r in recorded if r["status"] == "COMPLETED"] == [2, 2]
    assert [r["status"] for r in recorded].count("FAILED") == 2
    assert sw.sweep_rows(run) == recorded
    shown = json.loads(invoke("runs", "show", run.path, "-f", "json").stdout)["summary"]
    assert shown["trials"] == recorded
    csv = invoke("runs", "show", run.path, "-f", "csv").stdout.splitlines()
    assert {"stacked", "error", "reason"} <= set(csv[0].split(",")) and len(csv) == 5


def test_a_resume_counts_only_the_epochs_left_in_its_dry_run_and_its_work_limit(
    tmp_path, monkeypatch
):
    # (a resumed trial was counted whole: the dry run's "lower bound" was above the work left,
    # and the work limit refused a resume of what it had let start)
    import nnlab.experiments.train as train_mod
    from nnlab.sweep.preview import preview_resume, preview_sweep

    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0, raising=False)  # every epoch
    monkeypatch.setattr(train_mod, "fit_group", interrupted_at_epoch(train_mod.fit_group, 2))
    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(tiny_sweep(), runs_dir=tmp_path, stack=1)
    monkeypatch.undo()
    (run,) = runs.iter_runs(tmp_path)
    statuses = [r["status"] for r in run.read_json("summary.json")["trials"]]
    assert statuses == ["INTERRUPTED", "PENDING", "PENDING", "PENDING"]
    whole = preview_sweep(tiny_sweep(), stack=1)
    per_trial, epochs = whole.steps // 4, BASE["epochs"]
    preview = preview_resume(run, stack=1)
    assert preview.steps == 3 * per_trial + per_trial * (epochs - 2) // epochs
    assert preview.hours < whole.hours * (3 + (epochs - 2) / epochs) / 4 * 1.001
    monkeypatch.setenv("NNLAB_MAX_HOURS", f"{preview.hours * 1.01!r}")
    resumed = sw.resume_sweep(run, stack=1)  # (the limit counts what the dry run counts)
    assert len(resumed.resumed) == 1 and run.status == "COMPLETED"


def interrupted_sweep_then_a_trial_resumed(tmp_path, monkeypatch) -> tuple[runs.RunDir, str]:
    """A sweep interrupted in its first trial (at epoch 2, checkpointed), whose trial was then
    completed by ``train --resume`` (the sweep's summary.json and meta.json are of its end:
    the trial INTERRUPTED, the others PENDING); the folder and the trial's id."""
    import nnlab.experiments.train as train_mod
    from tests.conftest import invoke

    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    run = cut_sweep(monkeypatch, tiny_sweep(), tmp_path)
    (trial,) = (run.path / "trials").iterdir()
    assert run.meta["counts"] == {"INTERRUPTED": 1, "PENDING": 3}
    resumed = invoke("train", "--resume", trial, "--runs-dir", tmp_path)
    assert resumed.exit_code == 0, resumed.output
    return run, trial.name


def test_runs_show_json_of_a_sweep_gives_one_answer_its_trials_counts_now(tmp_path, monkeypatch):
    """``runs show SWEEP -f json`` printed meta.json's ``counts`` as of the sweep's end (the
    trial INTERRUPTED) beside ``summary.counts`` as the folders say now (it COMPLETED since
    by ``train --resume``): two answers. The counts are now's; meta's of the end left out."""
    from tests.conftest import invoke

    run, trial = interrupted_sweep_then_a_trial_resumed(tmp_path, monkeypatch)
    shown = json.loads(invoke("runs", "show", run.path, "-f", "json").stdout)
    assert shown["summary"]["counts"] == {"COMPLETED": 1, "PENDING": 3}
    assert "counts" not in shown["meta"] and shown["meta"]["status"] == "INTERRUPTED"
    assert {r["trial"]: r["status"] for r in shown["summary"]["trials"]}[trial] == "COMPLETED"


@pytest.mark.slow
def test_the_reports_sweep_page_gives_its_trials_counts_now_in_every_section(tmp_path, monkeypatch):
    """The report's sweep page gave its trials' counts now in its subtitle and as summary.json
    recorded them at the sweep's end in its Summary section (and meta.json's in Details): a
    trial completed since by ``train --resume`` was COMPLETED above and INTERRUPTED below."""
    import html
    import re

    from tests.conftest import invoke

    run, _ = interrupted_sweep_then_a_trial_resumed(tmp_path, monkeypatch)
    built = invoke("report", "--runs-dir", tmp_path, "--out", tmp_path / "rep")
    assert built.exit_code == 0, built.output
    page = (tmp_path / "rep" / run.id / "index.html").read_text()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    assert "4 trials (3 PENDING, 1 COMPLETED)" in text
    assert "counts 3 PENDING, 1 COMPLETED" in text  # (as the subtitle says them)
    assert "1 INTERRUPTED" not in text and "INTERRUPTED: 1" not in text


class _LastUnitStopped(sw.SerialExecutor):
    """Runs the units in this process, the last after the sweep's STOP file appeared (as a
    Dask worker's trial sees it): it stops after its first record, INTERRUPTED, and its
    worker's row, which says no epochs, is reported to the sweep."""

    def run(self, units, on_row):
        *first, last = units
        super().run(first, on_row)
        with stop_file_once_started():
            rows = sw.run_unit(last)
        for row in rows:
            assert row["status"] == "INTERRUPTED" and row["epochs_done"] is None
            on_row(row)


@pytest.mark.slow
def test_trials_not_begun_when_the_stop_file_appears_do_not_start(tmp_path):
    """A unit that begins after the sweep's STOP file appeared made its trial's folder, trained
    an epoch and stopped: work thrown away. It does not start now; its trials stay PENDING,
    without folders, and the resume runs them to the uninterrupted sweep's rows."""
    reference = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "ref", stack=1)

    def stop_after_one(done, total, row, ended):
        if done == 1:
            row_run(tmp_path / "cut").file(sw.STOP_FILE).write_text("stop\n")

    with pytest.raises(runs.Unfinished):
        sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "cut", on_trial=stop_after_one, stack=1)
    run = row_run(tmp_path / "cut")
    rows = sw.sweep_rows(run)
    assert [r["status"] for r in rows] == ["COMPLETED", "PENDING", "PENDING", "PENDING"]
    assert [p.name for p in runs.trial_folders(run)] == [rows[0]["trial"]]
    assert run.status == "INTERRUPTED"
    assert results(sw.resume_sweep(run)) == results(reference)


def row_run(root: Path) -> runs.RunDir:
    (run,) = runs.iter_runs(root)
    return run


def test_the_summary_at_a_sweeps_end_reads_every_trial_with_a_folder_from_it(tmp_path):
    """The summary written at a sweep's end took each trial's row as its worker reported it:
    a trial stopped by the sweep's STOP file was INTERRUPTED with no epochs or metrics,
    though its folder has both. Every trial with a folder is read from it now."""
    with pytest.raises(runs.Unfinished):
        sw.run_sweep(tiny_sweep(), runs_dir=tmp_path, stack=1, executor=_LastUnitStopped())
    (run,) = runs.iter_runs(tmp_path)
    recorded = run.read_json("summary.json")["trials"]
    assert recorded == sw.sweep_rows(run)
    stopped = [r for r in recorded if r["status"] == "INTERRUPTED"]
    assert len(stopped) == 1 and stopped[0]["epochs_done"] == 0 and "final_test_acc" in stopped[0]


@pytest.mark.slow
def test_a_sweep_whose_trial_stopped_at_its_stop_file_ends_interrupted_and_resumes(
    tmp_path, monkeypatch
):
    """A trial stopped by the sweep's STOP file is INTERRUPTED, and the sweep, which only a
    FAILED trial changed, ended COMPLETED (exit 0) with a trial not done. A folder with a
    child not ended records INTERRUPTED (``Lifecycle.children``) and the command says so:
    exit 130, the resume line; the resume ends with the numbers of an uninterrupted sweep."""
    import yaml

    from tests.conftest import invoke

    reference = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "ref", stack=1)
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(BASE))
    monkeypatch.setattr(sw, "make_executor", lambda *args, **kwargs: _LastUnitStopped())
    cut = invoke("sweep", "grid", tmp_path / "cfg.yaml", "optimizer.lr=0.5,0.1",
                 "model.hidden=[16],[8,8]", "--stack", "1", "-q", runs_dir=tmp_path / "cut")  # fmt: skip
    (run,) = runs.iter_runs(tmp_path / "cut")
    assert cut.exit_code == 130, cut.output
    assert cut.stderr.strip() == (
        f"interrupted (1 of 4 trials not ended, e.g. {sw.load_sweep(run)[1][-1].id} INTERRUPTED): "
        f"{run.path} is INTERRUPTED; continue with: nnlab sweep --resume {run.path}"
    )
    assert run.status == "INTERRUPTED" and "error" not in run.meta
    assert run.summary()["status"] == "INTERRUPTED"
    (listed,) = json.loads(invoke("runs", "list", "-f", "json", runs_dir=tmp_path / "cut").stdout)
    shown = json.loads(invoke("runs", "show", run.path, "-f", "json").stdout)
    assert listed["status"] == shown["meta"]["status"] == "INTERRUPTED"
    resumed = sw.resume_sweep(run)
    assert run.status == "COMPLETED" and not run.file(sw.STOP_FILE).exists()
    assert results(resumed) == results(reference)


def fail_before_a_folder(monkeypatch, batch_size: int = 31) -> None:
    """Units of trials with ``batch_size`` fail before their folders are made (as a unit
    whose worker cannot load its data, or dies before it starts, does)."""
    import nnlab.experiments.train as tr

    real = tr.run_trainings

    def run_trainings(cfgs, *args, **kwargs):
        if any(cfg.batch_size == batch_size for cfg in cfgs):
            raise MemoryError("Unable to allocate 1.00 TiB for an array")
        return real(cfgs, *args, **kwargs)

    monkeypatch.setattr(tr, "run_trainings", run_trainings)


def test_a_trial_that_failed_before_its_folder_was_made_reads_failed_with_its_error(
    tmp_path, monkeypatch
):
    """A trial the sweep recorded FAILED whose unit failed before its folder was made read
    MISSING ('no run folder there') in runs show, runs list and the report, its error lost.
    The sweep's record is the one there is of it: FAILED, with its error."""
    from tests.conftest import invoke

    fail_before_a_folder(monkeypatch)
    run = sw.run_sweep(tiny_sweep({"batch_size": [30, 31]}), runs_dir=tmp_path).run
    ok, bad = run.read_json("summary.json")["trials"]
    assert not (run.path / "trials" / bad["trial"]).exists() and bad["status"] == "FAILED"
    assert sw.sweep_rows(run) == [ok, bad] and "Unable to allocate" in bad["error"]
    shown = json.loads(invoke("runs", "show", run.path, "-f", "json").stdout)
    assert shown["summary"]["trials"] == [ok, bad] and "bad_trials" not in shown
    assert shown["summary"]["counts"] == {"COMPLETED": 1, "FAILED": 1}
    (listed,) = json.loads(invoke("runs", "list", "-f", "json", runs_dir=tmp_path).stdout)
    assert listed["status"] == "FAILED" and "bad_trials" not in listed
    built = invoke("report", "--runs-dir", tmp_path, "--out", tmp_path / "rep")
    assert built.exit_code == 0 and "MISSING" not in built.output, built.output
    page = (tmp_path / "rep" / run.id / "index.html").read_text()
    assert 'data-status="FAILED"' in page and "Unable to allocate" in page


def test_every_module_of_the_sweep_package_is_an_attribute_of_it_from_the_start():
    # (``sweep.preview`` was an AttributeError in a process that had not imported it yet)
    import subprocess

    folder = Path(sw.__file__).parent
    names = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__") + ["presets"]
    code = f"from nnlab import sweep; print(*(getattr(sweep, n).__name__ for n in {names!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [f"nnlab.sweep.{n}" for n in names]


def test_a_trial_whose_resume_fails_before_it_begins_is_failed_not_an_interruption(
    tmp_path, monkeypatch
):
    """A sweep resume whose trial could not be resumed (an error as it reopens, before its
    folder records anything) printed the trial FAILED, then ended 'interrupted (... not
    ended, e.g. <trial> INTERRUPTED)', exit 130, with no signal sent: its folder still says
    INTERRUPTED. The sweep's summary has it FAILED with its error (some trials failed: exit 3),
    the folder stays as the interruption left it, and the next resume continues it."""
    import nnlab.experiments.train as train_mod
    from nnlab.errors import NnlabError

    reference = sw.run_sweep(tiny_sweep(), runs_dir=tmp_path / "ref")
    run = cut_sweep(monkeypatch, tiny_sweep(), tmp_path / "cut", call=2)
    _, trials = sw.load_sweep(run)
    stuck = trials[1].id
    real = train_mod.resume_training

    def failing(folder, **kwargs):
        if folder.path.name == stuck:
            raise NnlabError(f"{folder.path}/checkpoint.npz: cannot be read back")
        return real(folder, **kwargs)

    monkeypatch.setattr(train_mod, "resume_training", failing)
    failed = sw.resume_sweep(run)
    assert failed.status == "FAILED", failed.status
    (row,) = [r for r in failed.rows if r["trial"] == stuck]
    assert row["status"] == "FAILED" and "cannot be read back" in row["error"], row
    assert runs.RunDir(run.path / "trials" / stuck).status == "INTERRUPTED"
    monkeypatch.setattr(train_mod, "resume_training", real)
    assert results(sw.resume_sweep(run)) == results(reference)
