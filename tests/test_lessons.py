"""The shipped configs that teach a lesson show it: run as their headers say, their numbers
come out in the order the header (and the README) tells a newcomer to look for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"


def final_test_acc(stdout: str) -> dict[str, float]:
    """A sweep's ``-f json`` rows, by their swept model.init."""
    rows = json.loads(stdout)
    return {row["model.init"]: row["final_test_acc"] for row in rows}


@pytest.mark.slow
def test_the_init_comparison_config_ranks_std_xavier_he(tmp_path):
    """configs/init-compare-mnist.yaml (DLFS 6.2.4): std 0.01 learns nothing, xavier slowly,
    he fastest (~20 s)."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent")
    result = invoke("sweep", "run", ROOT / "configs" / "init-compare-mnist.yaml", "--data-dir",
                    SHARED, "--jobs", "1", "-q", "-f", "json", runs_dir=tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    acc = final_test_acc(result.stdout)
    assert set(acc) == {"std", "xavier", "he"}
    assert acc["std"] < 0.2 < acc["xavier"] < acc["he"], acc  # (chance is 0.1)
    assert acc["he"] - acc["xavier"] > 0.2, acc


@pytest.mark.slow
def test_the_digits_overfitting_config_shows_the_regularisers_narrowing_the_gap(tmp_path):
    """configs/overfit-digits.yaml and the two overrides its header gives: the plain net fits
    its 150 images exactly, and weight decay and dropout each narrow its train-test gap (~20 s)."""
    config = ROOT / "configs" / "overfit-digits.yaml"
    gaps = {}
    for override in ("weight_decay=0", "weight_decay=0.01", "model.dropout=0.2"):
        result = invoke("train", config, override, "-q", "-f", "json", runs_dir=tmp_path)
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        gaps[override] = summary["final_train_acc"] - summary["final_test_acc"]
        if override == "weight_decay=0":
            assert summary["final_train_acc"] == 1.0, summary
    plain = gaps.pop("weight_decay=0")
    assert plain > 0.08 and all(gap < plain - 0.01 for gap in gaps.values()), (plain, gaps)


@pytest.mark.slow
def test_the_init_comparison_on_digits_ranks_std_xavier_he(tmp_path):
    """The same lesson without a download, as the README's table of the course's experiments
    and the config's header give it (a newcomer on digits had no command for it: the quick
    start's 2-layer momentum net learns from std 0.01 too, 0.98): ~15 s."""
    command = ("nnlab sweep run configs/init-compare-mnist.yaml dataset.name=digits "
               "--name init-compare-digits --jobs 2")  # fmt: skip
    assert command in (ROOT / "README.md").read_text()
    assert command in (ROOT / "configs" / "init-compare-mnist.yaml").read_text()
    args = command.split()[1:]
    args[2] = str(ROOT / args[2])
    result = invoke(*args, "-q", "-f", "json", runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    acc = final_test_acc(result.stdout)
    assert acc["std"] < 0.15 < 0.25 < acc["xavier"] < acc["he"] - 0.3, acc  # (chance is 0.1)
