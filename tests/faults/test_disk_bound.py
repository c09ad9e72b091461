"""A command whose folders would take more than the space free where they go is refused before
it starts (exit 2, one line naming the runs folder, the estimate and the free space, no folder
made), not a full disk hours into it: a training run, a sweep (and its dry run), a tune, a
sweep's resume, and every other command that makes a folder (``runs.start``: a folder of a
fixed size, or one the command's options size, as compare-optimizers' ``--steps``). The free space is set by patching ``limits.free_space`` (the one place that
asks the file system)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nnlab import limits, runs
from nnlab.config import load_config

from .helpers import TINY, invoke, refused

GRID = ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.01,0.001"]
COMMANDS = {
    "train": ["train", "cfg.yaml"],
    "sweep": GRID,
    "sweep dry run": [*GRID, "--dry-run"],
    "weight-scale preset": ["sweep", "weight-scale"],
    "tune": ["tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "--trials", "3"],
    "lr-scan": ["lr-scan", "cfg.yaml", "--num", "2", "--epochs", "1"],
    "landscape": ["landscape", "cfg.yaml", "--points", "3"],
    "activations": ["activations", "--samples", "50"],
    "gradcheck": ["gradcheck", "--compare-differences"],
    "compare-optimizers": ["compare-optimizers", "--function", "book", "--steps", "5"],
    "compare-optimizers --dataset": ["compare-optimizers", "--dataset", "digits", "--steps", "5"],
}


@pytest.fixture
def case(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg.yaml").write_text(TINY)
    return tmp_path


def free(monkeypatch, nbytes: int | None) -> None:
    monkeypatch.setattr(limits, "free_space", lambda root: nbytes)


@pytest.mark.parametrize("args", COMMANDS.values(), ids=list(COMMANDS))
def test_folders_larger_than_the_free_space_are_refused_before_anything_is_made(
    case, monkeypatch, args
):
    free(monkeypatch, 50_000)  # (a run folder alone is estimated at 200 kB and up)
    refused(invoke(*args, "--runs-dir", "r"), 2, "would write about", "into r", "free")
    assert not (case / "r").exists()


@pytest.mark.slow
@pytest.mark.parametrize("args", COMMANDS.values(), ids=list(COMMANDS))
def test_with_the_space_they_need_the_same_commands_run(case, monkeypatch, args):
    free(monkeypatch, None)  # (a file system that does not say: not checked)
    quiet = ["-q"] if args[0] != "tune" else []
    result = invoke(*args, "--runs-dir", "r", *quiet)
    assert result.exit_code == 0, result.output


def test_a_resume_counts_only_the_trials_it_runs(case, monkeypatch):
    assert invoke(*GRID, "--runs-dir", "r", "-q").exit_code == 0
    sweep = next(runs.iter_runs(Path("r")))
    shutil.rmtree(next(sweep.file("trials").iterdir()))  # (one trial to run again)
    one = limits.folder_bytes(load_config(case / "cfg.yaml"), 64, 10)  # (digits: 64 in, 10 out)
    free(monkeypatch, 2 * one)  # (room for one trial's folder, not for the whole sweep's three)
    assert invoke("sweep", "--resume", "latest", "--runs-dir", "r", "-q").exit_code == 0


def test_the_estimate_is_the_checkpoint_the_records_and_the_files(case):
    cfg = load_config(case / "cfg.yaml", ["optimizer.name=adam", "model.batchnorm=true"])
    params = 64 * 16 + 16 + 16 * 10 + 10 + 4 * 16  # (digits: 64 inputs, 10 classes)
    expected = 4 * params * 3 + limits.METRICS_LINE * 4 + limits.FOLDER_FILES  # (adam: 2 slots)
    assert limits.folder_bytes(cfg, 64, 10) == expected


def test_the_free_space_is_asked_of_the_nearest_folder_that_exists(tmp_path, monkeypatch):
    # (which folder is asked, not two counts of free bytes: other writers move those between)
    asked = []
    usage = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda path: asked.append(path) or usage(path))
    assert limits.free_space(tmp_path / "not" / "yet") > 0
    assert asked == [tmp_path.absolute()]


def test_a_file_system_of_no_size_is_not_a_full_disk(case):
    # (/proc says 0 bytes free of 0: a run there is refused as a folder that cannot be made)
    assert limits.free_space(Path("/proc/nnlab-not-there")) is None
    result = invoke("train", "cfg.yaml", "--runs-dir", "/proc/nnlab-x")
    refused(result, 2, "'/proc/nnlab-x': cannot write in folder '/proc' (No such file")


def test_a_dataset_comparison_counts_the_step_losses_it_will_write(case, monkeypatch):
    free(monkeypatch, 2_000_000)  # (room for a small comparison, not for 6 x 100,000 losses)
    args = ["compare-optimizers", "--dataset", "digits", "--runs-dir", "r", "-q"]
    assert invoke(*args, "--steps", "5").exit_code == 0
    refused(invoke(*args, "--steps", "100000"), 2, "the compare-optimizers folder would write "
            "about 18.5 MB into r", "fewer --steps or optimizers")  # fmt: skip
