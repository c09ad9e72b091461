"""What ``nnlab train`` says besides its table (``experiments.train_lines``): a line per epoch
and, for a run that diverged, where and what to do next."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from nnlab.experiments.train_lines import diverged_line, epoch_line

CFG = SimpleNamespace(epochs=1200, splits=("train", "test"))


def test_an_epoch_line_gives_the_loss_the_accuracies_and_the_time():
    record = {"epoch": 3, "loss": 0.5, "train_acc": 0.81234, "test_acc": 0.8, "seconds": 0.5}
    line = epoch_line(record, CFG)
    assert line.startswith("epoch   3/1,200  loss ")
    assert "  train_acc 0.8123  test_acc 0.8000  " in line and line.endswith(" s")


def test_an_epoch_it_diverged_in_says_so_and_gives_no_accuracies():
    record = {"epoch": 1000, "loss": float("nan"), "diverged": True, "train_acc": 0.1}
    line = epoch_line(record, CFG)
    assert line.startswith("epoch 1,000/1,200  diverged: loss or parameters not finite  ")
    assert "_acc" not in line and "loss nan" not in line


def test_a_split_not_evaluated_in_an_epoch_is_left_out():
    line = epoch_line({"epoch": 1, "loss": 1.0, "train_acc": 0.5}, CFG)
    assert "train_acc 0.5000" in line and "test_acc" not in line


def test_a_diverged_run_is_offered_the_scan_of_its_config_with_its_data_dir(tmp_path):
    folder = tmp_path / "runs" / "my run"
    line = diverged_line(folder, 4, Path("/d/data"))
    assert line.startswith(
        "error: the run diverged at epoch 4 (non-finite loss or parameters); recorded as "
        f"DIVERGED; find a step size it trains at with: nnlab lr-scan '{folder}/config.yaml' "
        "--data-dir /d/data"
    )


def test_a_run_diverged_before_any_step_is_told_to_change_its_init(tmp_path):
    line = diverged_line(tmp_path / "run", 0)
    assert line.endswith("its initial weights are not finite: give a smaller model.init_std, "
                         "or another model.init")  # fmt: skip
    assert "lr-scan" not in line
