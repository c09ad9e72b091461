"""`runs compare` helpers: flattening configs and sorting rows best first."""

from __future__ import annotations

import pytest

from nnlab.errors import ConfigError, RunError
from nnlab.experiments.compare import compare_runs, flatten, sort_rows


def test_flatten_makes_dotted_keys_and_keeps_lists_whole():
    cfg = {"model": {"hidden": [100, 100], "init": "he"}, "epochs": 3}
    assert flatten(cfg) == {"model.hidden": [100, 100], "model.init": "he", "epochs": 3}


def test_sort_puts_best_first_and_missing_last():
    rows = [
        {"run": "a", "final_test_acc": 0.5, "final_loss": 0.3},
        {"run": "b", "final_test_acc": None, "final_loss": 0.1},
        {"run": "c", "final_test_acc": 0.9, "final_loss": 0.2},
    ]
    assert [r["run"] for r in sort_rows(rows, "final_test_acc")] == ["c", "a", "b"]
    assert [r["run"] for r in sort_rows(rows, "final_test_acc", reverse=True)] == ["a", "c", "b"]
    assert [r["run"] for r in sort_rows(rows, "final_loss")] == ["b", "c", "a"]
    with pytest.raises(ConfigError, match="no column 'accuracy'"):
        sort_rows(rows, "accuracy")


def test_compare_needs_a_run_and_a_positive_top(tmp_path):
    with pytest.raises(RunError, match="at least one"):
        compare_runs([], tmp_path)
    with pytest.raises(ConfigError, match="--top"):
        compare_runs(["x"], tmp_path, top=0)


def test_compare_shows_the_train_test_gap_of_each_run(tmp_path):
    from nnlab.config import load_config
    from nnlab.experiments.train import run_training

    base = ["model.hidden=[30]", "dataset.n_train=100", "epochs=3", "batch_size=50"]
    for extra in (["weight_decay=0.0"], ["weight_decay=0.1"]):
        run_training(load_config(None, [*base, *extra]), runs_dir=tmp_path, plot=False)
    refs = [p.name for p in sorted(tmp_path.iterdir())]
    rows, columns, _ = compare_runs(refs, tmp_path, sort="acc_gap", png=tmp_path / "gaps.png")
    assert (tmp_path / "gaps.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert columns[-1] == "acc_gap" and "weight_decay" in columns
    for row in rows:
        assert row["acc_gap"] == pytest.approx(row["final_train_acc"] - row["final_test_acc"])
    assert rows[0]["acc_gap"] <= rows[1]["acc_gap"]  # smallest gap first


def test_compare_figure_labels_values_as_the_config_spells_them(tmp_path, monkeypatch):
    # (`runs compare --png` labelled a flag True and a float with 4 digits, the sweep lines 3)
    from nnlab import plots
    from nnlab.config import load_config
    from nnlab.experiments.train import run_training

    base = ["model.hidden=[10]", "dataset.n_train=60", "epochs=1", "batch_size=30"]
    for extra in (["model.batchnorm=true", "optimizer.lr=0.0123456"], ["optimizer.lr=0.1"]):
        run_training(load_config(None, [*base, *extra]), runs_dir=tmp_path, plot=False)
    seen = []
    monkeypatch.setattr(plots, "accuracy_gaps_figure", lambda panels, title: seen.extend(panels))
    monkeypatch.setattr(plots, "save", lambda *args: None)
    compare_runs([p.name for p in sorted(tmp_path.iterdir())], tmp_path, png=tmp_path / "g.png")
    labels = sorted(p["label"] for p in seen)
    assert labels == ["model.batchnorm=false\noptimizer.lr=0.1",
                      "model.batchnorm=true\noptimizer.lr=0.0123"]  # fmt: skip


def test_a_diverged_trial_is_compared_without_final_values(tmp_path):
    # a diverged run has no final values (nnlab.summary): "-" in the table, no gap, sorted last
    from nnlab import sweep as sw

    base = {"name": "tiny", "model": {"hidden": [100, 100]}, "epochs": 3,
            "dataset": {"name": "digits", "n_test": 297},
            "optimizer": {"name": "momentum", "lr": 0.05, "momentum": 0.9}}  # fmt: skip
    spec = sw.SweepSpec(params={"optimizer.lr": [1000.0, 0.05]})  # (the quick start's net)
    sw.run_sweep(sw.SweepDef("tiny", base, spec), runs_dir=tmp_path)
    rows, columns, _ = compare_runs(["latest"], tmp_path, sort="final_test_acc")
    ok, diverged = rows
    assert (ok["status"], diverged["status"]) == ("COMPLETED", "DIVERGED")
    assert diverged["diverged_epoch"] == 1 and "acc_gap" not in diverged
    assert all(diverged[c] is None for c in columns if c.startswith("final_"))
    assert diverged["best_test_acc"] is not None  # (epoch 0's, before it diverged)
