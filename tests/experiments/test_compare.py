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
