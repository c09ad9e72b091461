"""Hyperparameter search: validation carved from training (the test split never read), ranking,
range narrowing and the edge warning, rounds, and resume of an interrupted search."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nnlab import sweep
from nnlab.config import load_config, validate
from nnlab.data import load_dataset
from nnlab.errors import ConfigError
from nnlab.experiments import tune as tn, tune_search, tune_setup
from nnlab.experiments.tune_report import top_title, warning_lines

ARGS = [
    "optimizer.lr=loguniform:1e-3:1",
    "weight_decay=loguniform:1e-6:1e-2",
    "dataset.n_train=300",
    "model.hidden=[16]",
    "batch_size=50",
]


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "base.yaml"
    path.write_text("name: base\ndataset: {name: digits}\noptimizer: {name: sgd, lr: 0.1}\n")
    return path


def rows_of(x: np.ndarray) -> set[bytes]:
    return {r.tobytes() for r in x}


# ----------------------------------------------------------------------------- ranges
def test_range_parse_rejects_what_tune_cannot_narrow():
    assert tn.Range.parse("k", "loguniform:1e-4:1") == tn.Range("loguniform", 1e-4, 1.0)
    for bad in ("choice:1,2", "loguniform:0:1", "uniform:2:1", "loguniform:a:1", "0.1"):
        with pytest.raises(ConfigError, match="k"):
            tn.Range.parse("k", bad)


def test_edge_is_measured_on_the_log_axis_for_loguniform_ranges():
    r = tn.Range("loguniform", 1e-6, 1e-2)
    assert r.position(1e-4) == pytest.approx(0.5)
    assert r.edge(1.5e-6) == "low" and r.edge(0.008) == "high" and r.edge(1e-4) is None
    u = tn.Range("uniform", 0.0, 1.0)
    assert u.edge(0.05) == "low" and u.edge(0.5) is None


def test_narrowed_range_spans_the_top_values_and_extends_past_an_edge():
    r = tn.Range("loguniform", 1e-6, 1e-2)
    assert r.narrowed([1e-4, 1e-3, 3e-4]) == tn.Range("loguniform", 1e-4, 1e-3)
    single = r.narrowed([1e-4])
    assert single.low == pytest.approx(5e-5) and single.high == pytest.approx(2e-4)
    up = r.narrowed([1e-3, 9e-3], extend="high")  # (9e-3 * 3 stops short: an eighth past 1e-2)
    assert up.low == pytest.approx(1e-3) and up.high == pytest.approx(1e-2 * 10**0.5)
    wide = r.narrowed([1e-5, 9e-3], extend="high")  # half the top values' span, well past 1e-2
    assert wide.high == pytest.approx(9e-3 * (9e-3 / 1e-5) ** 0.5)
    # the best near the end but the top values close together: still past the range's end (the
    # warning said "the next range extends past that end" over 6.23e-05..6.39e-05 in [1e-8, 1e-4])
    near = tn.Range("loguniform", 1e-8, 1e-4).narrowed([6.39e-5, 6.23e-5], extend="high")
    assert near.low == pytest.approx(6.23e-5) and near.high > 1e-4
    assert tn.Range("uniform", 0, 1).narrowed([0.05, 0.2], extend="low").low == 0.0


def test_propose_narrows_to_the_top_k_and_warns_only_at_an_edge():
    ranges = {"optimizer.lr": tn.Range("loguniform", 1e-4, 1.0)}
    rows = [
        {"trial": "a", "status": "COMPLETED", "optimizer.lr": 0.01, "final_val_acc": 0.9},
        {"trial": "b", "status": "COMPLETED", "optimizer.lr": 0.05, "final_val_acc": 0.8},
        {"trial": "c", "status": "COMPLETED", "optimizer.lr": 1e-4 * 1.01, "final_val_acc": 0.3},
        {"trial": "d", "status": "DIVERGED", "optimizer.lr": 0.9, "final_val_acc": 0.95},
        {"trial": "e", "status": "FAILED", "optimizer.lr": 0.02},
    ]
    ranked = tn.rank(rows, "final_val_acc")
    assert [r["trial"] for r in ranked] == ["a", "b", "c"]
    proposed, warnings = tn.propose(ranges, ranked, top_k=2)
    assert proposed["optimizer.lr"] == tn.Range("loguniform", 0.01, 0.05)
    assert warnings == []
    ranked[0]["optimizer.lr"] = 0.95  # the best at the high edge of 1e-4..1
    proposed, warnings = tn.propose(ranges, ranked, top_k=2)
    assert len(warnings) == 1 and "high edge" in warnings[0] and "optimizer.lr" in warnings[0]
    assert proposed["optimizer.lr"].high > 0.95
    ranked[0]["optimizer.lr"] = 0.95123456  # (spelt as the tables spell it: not .3g's 0.951)
    assert "the best value 0.951235 is at the high edge" in tn.propose(ranges, ranked, 2)[1][0]
    ranked[0]["optimizer.lr"] = 0.01
    proposed, warnings = tn.propose(ranges, ranked, top_k=3)  # (all 3 ranked: nothing narrowed)
    assert proposed["optimizer.lr"] == tn.Range("loguniform", 1e-4 * 1.01, 0.05)
    assert warnings == [
        "the top 3 (--top-k) are all 3 ranked trials so far: the next ranges span them all; "
        "a --top-k below the trials narrows them"
    ]


@pytest.mark.parametrize(
    ("key", "optimizer", "searched", "best"),
    [
        ("model.dropout", "sgd", (0.5, 0.99), [0.98, 0.95]),  # (past 1 at the high edge)
        ("optimizer.beta2", "adam", (0.99, 0.999), [0.9989, 0.998]),
        ("optimizer.momentum", "nesterov", (0.01, 0.9), [0.011, 0.1]),  # (to 0: not above it)
    ],
)
def test_a_proposed_range_stays_within_the_values_its_key_may_take(key, optimizer, searched, best):
    # (a best dropout of 0.98 at the high edge of 0.5..0.99 proposed a range past 1: the next
    # round's draws failed validation, and the tune FAILED in the middle of its work)
    base = {"dataset": {"name": "digits"}, "optimizer": {"name": optimizer}}
    ranges = {key: tn.Range("uniform", *searched)}
    rows = [
        {"trial": str(i), "status": "COMPLETED", key: v, "final_val_acc": 0.9 - i / 10}
        for i, v in enumerate(best)
    ]
    proposed, warnings = tn.propose(ranges, tn.rank(rows, "final_val_acc"), 2, base)
    assert "edge of the range" in warnings[0]
    r = proposed[key]
    assert r.low < r.high and r != tn.Range("uniform", min(best), max(best))
    *section, name = key.split(".")
    for end in (r.low, r.high):  # (both ends valid values of the key)
        validate({**base, section[0]: {**base.get(section[0], {}), name: end}})


def test_a_randint_range_draws_narrows_and_reads_whole_numbers():
    # (a uniform range over batch_size drew 73.32402196642875: every trial refused; a randint
    # range is searched as a uniform one on the whole numbers, both ends included)
    r = tn.Range.parse("batch_size", "randint:8:1000")
    assert r == tn.Range("randint", 8, 1000) and r.spec() == r.short() == "randint:8:1000"
    assert tn.Range.parse("batch_size", "randint:8:1e3").short() == "randint:8:1000"  # (not 1e+03)
    for bad in ("randint:8.5:100", "randint:100:8", "randint:5:5"):
        with pytest.raises(ConfigError, match="batch_size: .*whole numbers"):
            tn.Range.parse("batch_size", bad)
    base = {"dataset": {"name": "digits"}}
    rows = [
        {"trial": str(i), "status": "COMPLETED", "batch_size": v, "final_val_acc": 0.9 - i / 10}
        for i, v in enumerate([9, 40, 700])
    ]
    proposed, warnings = tn.propose({"batch_size": r}, tn.rank(rows, "final_val_acc"), 2, base)
    p = proposed["batch_size"]  # (the best, 9, at the low edge: extended, but not below 1)
    assert "the best value 9 is at the low edge of the range randint:8:1000 (end 8)" in warnings[0]
    assert p == tn.Range("randint", 1, 40) and type(p.low) is type(p.high) is int
    single = r.narrowed([9])  # (x2 around it, outwards to whole numbers)
    assert (single.low, single.high) == (4, 14) and single.dist == "randint"
    assert tn.Range("randint", 0, 3).narrowed([1]) == tn.Range("randint", 0, 2)
    wide = tn.Range.parse("batch_size", "randint:100:5000")  # (a best of four digits: it read
    rows = [{**rows[0], "batch_size": 4800}]  # 'the best value 4.8e+03', beside [100, 5000])
    _, warnings = tn.propose({"batch_size": wide}, tn.rank(rows, "final_val_acc"), 2, base)
    assert "the best value 4800 is at the high edge of the range randint:100:5000" in warnings[0]


# ----------------------------------------------------------------------------- validation
def test_validation_is_carved_from_training_and_the_test_split_does_not_move(config):
    raw = {"dataset": {"name": "digits", "n_train": 1000}}
    base = tn.with_validation(raw, [], 0.2, 3, None)
    cfg = validate(base)
    assert cfg.eval == ["train", "val"] and cfg.epochs == 3
    assert (cfg.dataset.n_train, cfg.dataset.n_val) == (800, 200)
    before = load_dataset(validate(raw).dataset)
    after = load_dataset(cfg.dataset)
    old_train = rows_of(before.splits["train"][0])
    assert rows_of(after.splits["val"][0]) | rows_of(after.splits["train"][0]) == old_train
    assert not rows_of(after.splits["val"][0]) & rows_of(after.splits["train"][0])
    np.testing.assert_array_equal(after.splits["test"][0], before.splits["test"][0])
    assert not rows_of(after.splits["val"][0]) & rows_of(after.splits["test"][0])


def test_a_config_with_its_own_validation_split_keeps_it():
    raw = {"dataset": {"name": "digits", "n_train": 500, "n_val": 100}, "eval": ["test"]}
    cfg = validate(tn.with_validation(raw, [], 0.2, None, None))
    assert (cfg.dataset.n_train, cfg.dataset.n_val) == (500, 100)
    assert cfg.eval == ["train", "val"]


@pytest.mark.parametrize("metric", ["final_test_acc", "final_val_foo", "val_acc", "final_loss"])
def test_bad_validation_fraction_and_a_metric_that_is_none_are_refused(config, tmp_path, metric):
    # (a metric that is no summary key ran every trial, then said none completed, exit 1)
    with pytest.raises(ConfigError, match="--val-fraction"):
        tn.with_validation({"dataset": {"name": "digits"}}, [], 1.5, None, None)
    with pytest.raises(ConfigError, match="--metric: expected one of final_val_acc, "):
        tn.tune(config, ARGS, metric=metric, runs_dir=tmp_path)
    assert not any(tmp_path.glob("*tune*"))


def test_a_loss_metric_ranks_the_lowest_first_in_rounds_and_in_the_top_trials():
    # (--metric final_val_loss put the worst trial first, and narrowed the ranges to the worst)
    from nnlab.experiments.tune_report import top_rows

    rows = [{"trial": t, "status": "COMPLETED", "final_val_loss": v}
            for t, v in (("a", 2.5), ("b", 2.1), ("c", 2.4))]  # fmt: skip
    ranked = tn.rank(rows, "final_val_loss")
    assert [r["trial"] for r in ranked] == ["b", "c", "a"]

    class Round:
        index = 1

    Round.ranked = ranked
    settings = type("S", (), {"metric": "final_val_loss", "ranges": {}})()
    assert [r["trial"] for r in top_rows(settings, [Round()], 3)] == ["b", "c", "a"]


class GuardedSplits(dict):
    """A splits mapping that fails any read of the test split."""

    reads: list[str] = []

    def __getitem__(self, key):
        if key == "test":
            GuardedSplits.reads.append(key)
            raise AssertionError("the test split was read")
        return super().__getitem__(key)

    def get(self, key, default=None):
        return self[key] if key in self else default


@pytest.mark.slow
def test_search_never_reads_the_test_split(config, tmp_path, monkeypatch):
    original = sweep.cached_dataset

    def guarded(cfg, data_dir):
        data = original(cfg, data_dir)
        assert "test" in data.splits  # the data has a test split: it just must not be read
        return replace(data, splits=GuardedSplits(data.splits))

    monkeypatch.setattr(sweep.trial, "cached_dataset", guarded)
    result = tn.tune(config, ARGS, trials=3, epochs=1, runs_dir=tmp_path)
    assert GuardedSplits.reads == []
    rows = result.rounds[0].rows
    assert [r["status"] for r in rows] == ["COMPLETED"] * 3
    for row in rows:
        trial = result.rounds[0].sweep_run.path / "trials" / row["trial"]
        cfg = load_config(trial / "config.yaml")
        assert cfg.eval == ["train", "val"] and cfg.dataset.n_val == 60
        records = [json.loads(line) for line in (trial / "metrics.jsonl").read_text().splitlines()]
        assert all("val_acc" in r and not any(k.startswith("test") for k in r) for r in records)


# ----------------------------------------------------------------------------- search
@pytest.mark.slow
def test_two_rounds_search_the_narrowed_ranges_and_write_the_folder(config, tmp_path):
    result = tn.tune(config, ARGS, rounds=2, trials=4, top_k=2, epochs=1, runs_dir=tmp_path)
    first, second = result.rounds
    assert second.ranges == first.proposed
    for key, r in second.ranges.items():
        top = [row[key] for row in first.ranked[:2]]
        edge = first.ranges[key].edge(first.ranked[0][key])
        if edge is None:
            assert (r.low, r.high) == pytest.approx((min(top), max(top)))
    for row in second.rows:
        for key, r in second.ranges.items():
            assert r.low <= row[key] <= r.high
    run = result.run
    for name in ("tune.json", "summary.json", "summary.txt", "tune-curves.png", "tune-scatter.png"):
        assert run.file(name).exists(), name
    summary = json.loads(run.file("summary.json").read_text())
    vals = [t["final_val_acc"] for t in summary["top"]]
    assert vals == sorted(vals, reverse=True) and len(vals) == 2
    assert summary["best"]["final_val_acc"] == max(
        r["final_val_acc"] for rr in result.rounds for r in rr.ranked
    )
    assert run.meta["status"] == "COMPLETED" and len(summary["sweeps"]) == 2


@pytest.mark.slow
def test_each_round_has_a_heading_and_the_warnings_stay_out_of_the_progress(
    config, tmp_path, monkeypatch
):
    monkeypatch.setattr(tune_search, "EDGE", 0.5)  # every best value at an edge: a warning per key
    trials, heads = [], []
    result = tn.tune(config, ARGS, rounds=2, trials=2, top_k=1, epochs=1, runs_dir=tmp_path,
                     progress=trials.append, heading=heads.append)  # fmt: skip
    assert [h.split(":")[0] for h in heads] == ["round 1/2", "round 2/2"]
    assert len(trials) == 4 and all(t.startswith("  trial ") for t in trials)
    lines = warning_lines(result.rounds)
    assert [w.split(": ")[:2] for w in lines] == [
        [f"round {i}", key] for i in (1, 2) for key in ("optimizer.lr", "weight_decay")
    ]
    one = tn.tune(config, ARGS, trials=2, top_k=1, epochs=1, runs_dir=tmp_path)
    assert warning_lines(one.rounds) == one.rounds[0].warnings  # one round: no round named


@pytest.mark.slow
def test_a_diverged_trial_is_shown_diverged_not_by_a_best_value_from_before(config, tmp_path):
    # (--metric best_val_loss printed a diverged trial's best_val_loss from before it diverged,
    # 'trial 1/2: best_val_loss 2.5179', as if it were a result; tune ranks no such trial)
    trials = []
    args = ["optimizer.lr=loguniform:1e8:1e9", *ARGS[1:]]
    tn.tune(config, args, trials=2, top_k=1, epochs=1, runs_dir=tmp_path,
            metric="best_val_loss", progress=trials.append)  # fmt: skip
    said = [re.sub(r", [^:]* elapsed[^:]*:", ":", t) for t in trials[1:]]  # (its times)
    assert said == [f"  trial {i}/2: best_val_loss DIVERGED at epoch 1" for i in (1, 2)]


@pytest.mark.slow
def test_an_interrupted_search_resumes_to_the_same_result(config, tmp_path, monkeypatch):
    kwargs = {"rounds": 2, "trials": 3, "top_k": 2, "epochs": 1}
    full = tn.tune(config, ARGS, runs_dir=tmp_path / "a", **kwargs)
    original = sweep.run_unit
    calls = {"n": 0}

    def dies(unit):
        calls["n"] += len(unit)
        if calls["n"] > kwargs["trials"]:  # round 2 (its trials stack: one unit)
            raise KeyboardInterrupt
        return original(unit)

    monkeypatch.setattr(sweep.executors, "run_unit", dies)
    with pytest.raises(KeyboardInterrupt):
        tn.tune(config, ARGS, runs_dir=tmp_path / "b", folder="t", **kwargs)
    run = tn.runs.RunDir(tmp_path / "b" / "t")
    assert run.meta["status"] == "INTERRUPTED"
    monkeypatch.setattr(sweep.executors, "run_unit", original)
    done = tn.resume_tune(run)
    assert run.meta["status"] == "COMPLETED"
    for a, b in zip(full.rounds, done.rounds):
        assert a.ranges == b.ranges
        assert _rows(a) == _rows(b)


@pytest.mark.slow
@pytest.mark.parametrize("legacy", [False, True])
def test_a_tune_whose_trials_stopped_at_their_rounds_stop_file_is_interrupted_and_resumes(
    config, tmp_path, monkeypatch, legacy
):
    """Round 2's trials stopped by its sweep's STOP file (INTERRUPTED, or, made before they
    began, PENDING) left the round and the tune going on to COMPLETED, ranked on trials not
    done. The round's sweep ends
    INTERRUPTED, so the tune does, and its resume continues them to the numbers of an
    uninterrupted tune. ``legacy``: the round's sweep says COMPLETED (as an older nnlab
    left it): its resume continues the trials all the same, not ranking them as they are."""
    kwargs = {"rounds": 2, "trials": 3, "top_k": 2, "epochs": 2}
    full = tn.tune(config, ARGS, runs_dir=tmp_path / "a", **kwargs)
    original = sweep.run_unit
    calls = {"n": 0}

    def stopped(unit):
        calls["n"] += len(unit)
        if calls["n"] > kwargs["trials"]:  # round 2: its sweep asked to stop
            (Path(unit[0].trials_dir).parent / sweep.STOP_FILE).write_text("stop\n")
        return original(unit)

    monkeypatch.setattr(sweep.executors, "run_unit", stopped)
    with pytest.raises(KeyboardInterrupt, match="3 of 3 trials not ended"):
        tn.tune(config, ARGS, runs_dir=tmp_path / "b", folder="t", **kwargs)
    monkeypatch.setattr(sweep.executors, "run_unit", original)
    run = tn.runs.RunDir(tmp_path / "b" / "t")
    second = tn.runs.RunDir(run.path / run.rounds()[1]["sweep"])
    assert run.status == second.status == "INTERRUPTED"
    if legacy:
        second.write_json("meta.json", {**second.meta, "status": "COMPLETED"})
    done = tn.resume_tune(run)
    assert run.status == second.status == "COMPLETED"
    assert [_rows(r) for r in done.rounds] == [_rows(r) for r in full.rounds]


@pytest.mark.slow
def test_a_tune_interrupted_before_its_rounds_sweep_names_itself_resumes_that_folder(
    config, tmp_path, monkeypatch
):
    """Interrupted after round 2's sweep folder was made but before tune.json named it (as
    the sweep got its workers ready), the resume ran round 2 in a second folder: the first
    stayed in rounds/, INTERRUPTED, in a COMPLETED tune. tune.json names it as it ends."""
    import nnlab.sweep.run as sweep_run

    kwargs = {"rounds": 2, "trials": 3, "top_k": 2, "epochs": 1}
    full = tn.tune(config, ARGS, runs_dir=tmp_path / "a", **kwargs)
    real, calls = sweep_run.prepare_figures, []

    def cut(*args, **kw):
        calls.append(1)
        if len(calls) == 2:  # round 2's sweep: its folder RUNNING, no trial begun
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(sweep_run, "prepare_figures", cut)
    with pytest.raises(KeyboardInterrupt):
        tn.tune(config, ARGS, runs_dir=tmp_path / "b", folder="t", **kwargs)
    monkeypatch.setattr(sweep_run, "prepare_figures", real)
    run = tn.runs.RunDir(tmp_path / "b" / "t")
    made = list(tn.runs.iter_runs(run.file("rounds")))
    assert [e["sweep"] for e in run.rounds()] == [f"rounds/{r.id}" for r in made]
    done = tn.resume_tune(run)
    assert run.status == "COMPLETED"
    assert [(r.id, r.status) for r in tn.runs.iter_runs(run.file("rounds"))] == [
        (r.id, "COMPLETED") for r in made
    ]
    assert [_rows(r) for r in done.rounds] == [_rows(r) for r in full.rounds]


def _rows(result: tn.RoundResult) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("seconds", "stacked")} for r in result.rows]


@pytest.mark.slow
@pytest.mark.parametrize("gone", [1, 2])
def test_a_round_whose_folder_was_removed_runs_again_to_the_same_result(config, tmp_path, gone):
    # (tune --resume refused it: "<round>/meta.json: missing"; a round is planned from what
    # tune.json records, its ranges and seed, so running it again gives the rows, the ranking
    # and the proposal it recorded, and the later rounds, which searched that proposal, stay
    # consistent with it)
    full = tn.tune(config, ARGS, runs_dir=tmp_path, folder="t", rounds=2, trials=3, top_k=2,
                   epochs=1)  # fmt: skip
    recorded = json.loads(full.run.file("tune.json").read_text())
    removed = full.rounds[gone - 1].sweep_run
    shutil.rmtree(removed.path)
    heads: list[str] = []
    done = tn.resume_tune(full.run, heading=heads.append)
    assert full.run.meta["status"] == "COMPLETED" and done.notes == []
    assert removed.status == "COMPLETED"  # (where tune.json records it, under the same name)
    assert json.loads(full.run.file("tune.json").read_text()) == recorded
    assert heads[gone - 1].endswith(f"(again: rounds/{removed.id} is gone)")
    for a, b in zip(full.rounds, done.rounds, strict=True):
        assert (a.ranges, a.proposed, a.warnings) == (b.ranges, b.proposed, b.warnings)
        assert _rows(a) == _rows(b)
    assert [r.path for r in tn.runs.trial_sweeps(full.run)] == [
        r.sweep_run.path for r in full.rounds
    ]


@pytest.mark.slow
def test_a_round_run_again_that_proposes_otherwise_than_recorded_says_so(config, tmp_path):
    # (as another nnlab or NumPy might: the rounds after it searched the recorded proposal)
    full = tn.tune(config, ARGS, runs_dir=tmp_path, folder="t", rounds=2, trials=3, top_k=2,
                   epochs=1)  # fmt: skip
    state = json.loads(full.run.file("tune.json").read_text())
    state["rounds"][0]["proposed"]["optimizer.lr"] = "loguniform:0.5:0.6"
    full.run.write_json("tune.json", state)
    shutil.rmtree(full.rounds[0].sweep_run.path)
    done = tn.resume_tune(full.run)
    assert done.notes == [
        "round 1 ran again (its folder was gone) and ranks or proposes otherwise than tune.json "
        "recorded; the rounds after it searched the ranges it proposed then"
    ]
    assert done.rounds[1].ranges == full.rounds[1].ranges  # (round 2 kept, as recorded)


@pytest.mark.slow
def test_every_proposal_keeps_the_top_trials_so_far_not_only_its_rounds(tmp_path):
    # (each round proposed from its own trials: a round that found nothing better than an
    # earlier one proposed ranges without the best value found, lr 0.00205 of round 1 here)
    config = Path(__file__).parents[2] / "configs" / "digits-quickstart.yaml"
    result = tn.tune(config, [], rounds=2, trials=4, top_k=2, epochs=1, runs_dir=tmp_path)
    first, second = result.rounds
    assert first.leader == first.ranked[0]
    seen = tn.rank(first.rows + second.rows, "final_val_acc")
    assert second.leader == seen[0]
    for key, r in second.proposed.items():
        for row in seen[:2]:
            assert r.low <= row[key] <= r.high, (key, row[key], r)
    summary = json.loads(result.run.file("summary.json").read_text())
    assert [row["best"] for row in summary["ranges"] if row["round"] == 2] == [
        seen[0][key] for key in second.ranges
    ]


@pytest.mark.slow
def test_a_tunes_trials_and_rounds_are_found_by_the_ids_its_tables_print(config, tmp_path):
    # (README: every command that takes a run takes a trial's id as a table prints it; a tune's
    # trial ids, its rounds' names and '<folder>/<trial>' as runs compare prints were unknown)
    from nnlab.errors import RunError
    from nnlab.lookup import find_run

    result = tn.tune(config, ARGS, rounds=2, trials=2, top_k=1, epochs=1, runs_dir=tmp_path)
    first, second = result.rounds
    trial = second.rows[0]["trial"]
    folder = second.sweep_run.path / "trials" / trial
    assert find_run(tmp_path, trial).path == folder
    assert find_run(tmp_path, trial[:4]).path == folder
    assert find_run(tmp_path, f"{result.run.id}/{trial}").path == folder
    assert find_run(tmp_path, f"{second.sweep_run.id}/{trial}").path == folder  # (the round's)
    assert find_run(tmp_path, first.sweep_run.id).path == first.sweep_run.path
    assert find_run(tmp_path, f"{result.run.id[-6:]}/r1").path == first.sweep_run.path
    assert find_run(tmp_path, "r1").path == first.sweep_run.path  # (README: `r2`; was unknown)
    assert find_run(tmp_path, "r2").path == second.sweep_run.path
    with pytest.raises(RunError, match="'r3': no run folder"):
        find_run(tmp_path, "r3")
    with pytest.raises(RunError, match="'zzzz' names no folder inside"):
        find_run(tmp_path, f"{result.run.id}/zzzz")
    with pytest.raises(RunError, match="no such folder, and 'nope' names no run folder"):
        find_run(tmp_path, f"nope/{trial}")


@pytest.mark.slow
def test_a_rounds_name_names_that_round_only_not_every_round_it_begins(config, tmp_path):
    # ('<tune>/r1' of a tune of 10 or more rounds matched r1, r10, r11, ...: ambiguous)
    from nnlab.lookup import find_run

    result = tn.tune(config, ARGS, rounds=10, trials=1, top_k=1, epochs=0, runs_dir=tmp_path)
    assert find_run(tmp_path, f"{result.run.id}/r1").path == result.rounds[0].sweep_run.path
    assert find_run(tmp_path, "r1").path == result.rounds[0].sweep_run.path
    assert find_run(tmp_path, "r10").path == result.rounds[9].sweep_run.path


def test_every_seed_the_option_takes_gives_each_round_a_valid_seed_of_its_own():
    # `tune --seed 4294967295` (the option's own limit; any seed from 4,294,968) failed with a
    # validation error: round 1's sweep seed, seed * 1000 + 1, passed the sweep seed's limit.
    lr = {"optimizer.lr": tn.Range.parse("optimizer.lr", "loguniform:0.001:0.1")}

    def seeds(seed: int) -> list[int | None]:
        settings = tn.TuneSettings("t", {}, lr, seed=seed)
        return [tn.round_defn(settings, i, lr).spec.seed for i in (1, 2, 3)]

    assert seeds(7) == [7001, 7002, 7003]  # (the seeds every tune has used: unchanged)
    top = seeds(2**32 - 1)
    assert len(set(top)) == 3 and all(s is not None and 0 <= s < 2**32 for s in top)
    assert top == seeds(2**32 - 1) and top != seeds(2**32 - 2)


def _interrupted_tune_then_a_trial_resumed(config, tmp_path, monkeypatch) -> tn.runs.RunDir:
    """A tune interrupted in its second trial's second epoch (of 3), that trial then
    completed on its own (``train --resume``): the tune's summary has no best."""
    import nnlab.experiments.train as train_mod
    from tests.conftest import interrupted_at_epoch

    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0, raising=False)
    real_fit = train_mod.fit_group
    monkeypatch.setattr(train_mod, "fit_group", interrupted_at_epoch(real_fit, 2, call=2))
    with pytest.raises(KeyboardInterrupt):
        tn.tune(config, ARGS, trials=3, epochs=3, runs_dir=tmp_path, folder="t", stack=1)
    monkeypatch.setattr(train_mod, "fit_group", real_fit)
    run = tn.runs.RunDir(tmp_path / "t")
    (cut,) = [p for p in run.path.glob("rounds/*/trials/*") if tn.runs.RunDir(p).status
              == "INTERRUPTED"]  # fmt: skip
    train_mod.resume_training(tn.runs.RunDir(cut), plot=False)
    return run


def test_a_tunes_best_trial_is_read_from_its_trial_folders_by_runs_list_and_the_report(
    config, tmp_path, monkeypatch
):
    """A tune's row in ``runs list`` (and the report's index) took its best trial from the
    tune's summary.json, as of its end: a tune interrupted before it ranked named none, though
    its trials completed since (``train --resume``); a sweep's row reads its trial folders."""
    from nnlab.summary import best_trial
    from tests.conftest import invoke
    from tests.report.helpers import index_rows

    run = _interrupted_tune_then_a_trial_resumed(config, tmp_path, monkeypatch)
    rows = sweep.tune_rows(run)
    assert [r["status"] for r in rows].count("COMPLETED") == 2 and "best" not in run.summary()
    best = best_trial(rows, "final_val_acc")
    (listed,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", tmp_path).stdout)
    assert listed["best_trial"] == best["trial"] and listed["epochs_done"] is None  # (trials, not
    assert listed["trials_done"] == 2 < listed["trials_planned"]  # one trial's epochs)
    assert listed["final_val_acc"] == best["final_val_acc"]
    assert invoke("report", "--runs-dir", tmp_path, "--out", tmp_path / "rep").exit_code == 0
    (row,) = index_rows((tmp_path / "rep" / "index.html").read_text())
    assert f"best {best['trial']}" in row and f"{best['final_val_acc']:.4f}" in row


def test_runs_show_of_a_tune_renders_its_rounds_from_the_trial_folders(
    config, tmp_path, monkeypatch
):
    """``runs show TUNE`` printed the tune's summary.txt as written at its end (nothing for an
    interrupted tune), where ``runs show SWEEP`` renders its trials from their folders: a
    trial completed since by ``train --resume`` is COMPLETED, a removed one MISSING, each in
    its round's table; ``-f json`` gives the rows (``stacked`` too)."""
    import shutil

    from tests.conftest import invoke

    run = _interrupted_tune_then_a_trial_resumed(config, tmp_path, monkeypatch)
    done = [r for r in sweep.tune_rows(run) if r["status"] == "COMPLETED"]
    shutil.rmtree(next(run.path.glob(f"rounds/*/trials/{done[0]['trial']}")))
    shown = invoke("runs", "show", run.path, "--runs-dir", tmp_path)
    assert shown.exit_code == 0, shown.output
    assert f"{run.id}: round 1 (" in shown.stdout
    lines = {t["trial"]: [ln for ln in shown.stdout.splitlines() if t["trial"] in ln] for t in done}
    assert "MISSING" in lines[done[0]["trial"]][-1]
    assert "COMPLETED" in lines[done[1]["trial"]][-1] and " 3 " in lines[done[1]["trial"]][-1]
    out = json.loads(invoke("runs", "show", run.path, "-f", "json").stdout)["summary"]
    rows = {r["trial"]: r for r in out["trial_rows"]}
    assert rows[done[0]["trial"]]["status"] == "MISSING" and rows[done[1]["trial"]]["stacked"] == 1


@pytest.mark.parametrize(
    ("trials", "metric", "says"),
    [
        ({"DIVERGED": 3}, "final_val_acc", "no trial completed: all 3 diverged"),
        ({"DIVERGED": 2, "FAILED": 1}, "final_val_acc", "no trial completed: 2 diverged, 1 failed"),
        ({"FAILED": 1}, "final_val_acc", "no trial completed: the one trial failed"),
        ({"COMPLETED": 2, "DIVERGED": 0}, "final_zzz", "no trial has a final_zzz: all 2 completed"),
    ],
)
def test_a_tune_without_a_ranked_trial_says_why_not_top_0(trials, metric, says):
    # (its table, summary.txt and figure said "top 0 of 3 trials by final_val_acc")
    assert top_title({"top": [], "trials": trials, "metric": metric}) == says
    row = {"rank": 1}
    assert top_title({"top": [row], "trials": {"COMPLETED": 4}, "metric": metric}) == (
        f"top 1 of 4 trials by {metric}"
    )


def test_a_tune_json_without_a_val_fraction_reads_and_keeps_its_hash():
    """A tune.json of an nnlab before it recorded ``val_fraction`` reads as it did (rewritten
    as the tune goes on, its settings keep the hash meta.json recorded); one edited to
    another kind is named."""
    from nnlab.plans import content_hash, settings_problem

    old = tn.TuneSettings(
        "t", {}, {"optimizer.lr": tn.Range.parse("optimizer.lr", "loguniform:0.001:1")}
    ).to_json()
    assert "val_fraction" not in old
    assert tn.TuneSettings.from_json(old).to_json() == old
    assert settings_problem(old, content_hash(old)) is None
    new = {**old, "val_fraction": 0.3}
    assert tn.TuneSettings.from_json(new).val_fraction == 0.3
    assert settings_problem(new) is None
    said = "val_fraction is 1.5; expected a fraction in (0, 1)"
    assert settings_problem({**old, "val_fraction": 1.5}) == said


@pytest.mark.slow
def test_each_figure_of_a_tune_names_the_tune(config, tmp_path, monkeypatch):
    # (tune-scatter.png named no run: 'final validation accuracy of every trial, ...')
    from nnlab import plots

    titles = {}

    def save(fig, path, *args, **kwargs):
        said = fig._suptitle.get_text() if fig._suptitle else fig.axes[0].get_title()
        titles[Path(path).name] = said

    monkeypatch.setattr(plots, "save", save)
    args = [*ARGS[:1], "dataset.n_train=100", "model.hidden=[4]", "batch_size=50"]
    result = tn.tune(config, args, rounds=1, trials=2, top_k=1, epochs=1, runs_dir=tmp_path)
    assert sorted(titles) == ["tune-curves.png", "tune-scatter.png"]
    assert all(t.split("\n")[0] == result.run.id for t in titles.values()), titles


def test_a_range_reads_one_way_as_a_user_types_it_in_the_table_and_the_warning():
    # (the ranges table read '1e-06 .. 0.01', the warning '[1e-06, 0.01]', the next command
    # 'loguniform:1e-06:0.01': three spellings of one range, two of which no command takes)
    from nnlab.experiments.tune_report import range_rows

    ranges = {"optimizer.lr": tn.Range.parse("optimizer.lr", "loguniform:1e-6:1e-2")}
    rows = [{"trial": str(i), "status": "COMPLETED", "optimizer.lr": v, "final_val_acc": a}
            for i, (v, a) in enumerate([(0.0095, 0.9), (0.001, 0.8)])]  # fmt: skip
    ranked = tn.rank(rows, "final_val_acc")
    proposed, warnings = tn.propose(ranges, ranked, 2)
    assert "edge of the range loguniform:1e-06:0.01 (end 0.01)" in warnings[0]
    rr = tn.RoundResult(1, ranges, None, rows, ranked, proposed, warnings, ranked[0])  # type: ignore[arg-type]
    (row,) = range_rows([rr])
    assert row["searched"] == "loguniform:1e-06:0.01"
    assert row["proposed"] == proposed["optimizer.lr"].short()
    assert row["proposed"].startswith("loguniform:")


@pytest.mark.parametrize(
    ("rounds", "later"),
    [
        (1, ""),
        (2, "; round 2 draws from the ranges proposed by the top 1 trial so far (their values "
            "are drawn as each round starts)"),
        (3, "; rounds 2 to 3 draw from the ranges proposed by the top 1 trial so far (their "
            "values are drawn as each round starts)"),
    ],
)  # fmt: skip
def test_a_dry_runs_note_says_round_ones_ranges_and_where_later_rounds_draw(rounds, later):
    from types import SimpleNamespace

    from nnlab.experiments.tune_report import dry_run_note, dry_run_title
    from nnlab.experiments.tune_search import Range

    ranges = {
        "optimizer.lr": Range("loguniform", 1e-3, 1.0),
        "batch_size": Range("randint", 16, 64),
    }
    checked = SimpleNamespace(name="mnist-1000", rounds=rounds, top_k=1, ranges=ranges)
    assert dry_run_note(checked) == (
        "note: round 1 searches optimizer.lr=loguniform:0.001:1, batch_size=randint:16:64" + later
    )
    of = f" of {rounds}" if rounds > 1 else ""
    assert dry_run_title(checked) == f"tune mnist-1000, round 1{of}"


# ----------------------------------------------------------------------------- before a search
def test_a_new_tunes_idle_keys_are_warned_of_and_a_resumes_or_none_are_not(config):
    init_std = ["model.init=he", "model.init_std=uniform:0.01:0.1"]
    (line,) = tune_setup.idle_warnings(config, init_std)
    assert "model.init_std" in line and "he" in line
    assert tune_setup.idle_warnings(config, ["optimizer.lr=loguniform:1e-3:1"]) == []
    assert tune_setup.idle_warnings(config, init_std, resume="latest") == []
    assert tune_setup.idle_warnings(None, init_std) == []


def test_a_resumed_tune_runs_as_its_folder_records_unless_given_or_refused(tmp_path, monkeypatch):
    meta = {"jobs": 2, "stack": 1, "executor_kind": "local", "scheduler": None}
    looked_up = []

    def resumed(runs_dir, ref, kind):
        looked_up.append((runs_dir, ref, kind))
        return type("Run", (), {"meta": meta})()

    monkeypatch.setattr(tune_setup, "resumed", resumed)
    started = tune_setup.started_options("latest", tmp_path, {"jobs"})
    assert started == {"stack": 1, "executor": "local", "scheduler": None}
    assert looked_up == [(tmp_path, "latest", "tune")]
    assert tune_setup.started_options(None, tmp_path, set()) == {}  # (a new tune)
    for refused in ({"config": tmp_path}, {"args": ["seed=1"]}, {"out": tmp_path / "t"}):
        assert tune_setup.started_options("latest", tmp_path, set(), **refused) == {}
    assert len(looked_up) == 1  # (run_tune refuses those before it looks the folder up)
