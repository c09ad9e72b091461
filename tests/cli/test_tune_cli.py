"""``nnlab tune``: the tables, JSON, --resume, the figure copy and the error exits."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "digits-quickstart.yaml")
ARGS = ["optimizer.lr=loguniform:1e-3:1", "dataset.n_train=300", "model.hidden=[16]"]
FAST = ["--trials", "3", "--epochs", "1", "--top-k", "2"]


def test_tune_prints_top_trials_ranges_and_the_next_search(tmp_path):
    png = tmp_path / "docs" / "tune.png"
    (tmp_path / "docs").mkdir()  # (--png writes into a folder that exists)
    args = ["tune", CONFIG, *ARGS, *FAST, "--runs-dir", str(tmp_path / "runs"), "--png", str(png)]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "final_val_acc" in result.stdout and "proposed" in result.stdout
    assert "test_acc" not in result.stdout
    assert "next search: optimizer.lr=loguniform:" in result.output
    assert png.stat().st_size > 1000
    again = invoke(*["tune", "--resume", "latest", "--runs-dir", str(tmp_path / "runs")])
    assert again.exit_code == 0, again.output


def test_tune_json_has_the_best_trial_and_proposal(tmp_path):
    args = [
        "tune",
        CONFIG,
        *ARGS,
        *FAST,
        "--rounds",
        "2",
        "--out",
        str(tmp_path / "t"),
        "-f",
        "json",
    ]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["rounds"] == 2 and doc["trials"] == {"COMPLETED": 6}
    assert doc["best"]["final_val_acc"] == doc["top"][0]["final_val_acc"]
    assert set(doc["proposed"]) == {"optimizer.lr"}


def test_tune_error_paths_exit_2(tmp_path):
    runs = ["--runs-dir", str(tmp_path)]
    cases = [
        (["tune", CONFIG, "optimizer.lr=choice:0.1,0.2", *runs], "loguniform:low:high"),
        (["tune", CONFIG, "--metric", "final_test_acc", *runs], "--metric"),
        (["tune", CONFIG, "--val-fraction", "0", *runs], "--val-fraction"),
        (["tune", CONFIG, "--trials", "0", *runs], "--trials"),
        (["tune", CONFIG, "optimizer.lrr=loguniform:1e-3:1", *runs], "did you mean"),
        (["tune", *runs], "give a config file"),
        (["tune", "--resume", "nothing", *runs], "nothing"),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert not any(tmp_path.iterdir())
