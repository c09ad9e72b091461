"""``nnlab train --extend RUN epochs=N``: a COMPLETED run trained on in a new folder gives the
numbers a run of N epochs from the start gives (records, checkpoint, summary), leaves the run
it extends as it was, and resumes like any run; what it cannot extend is refused in one line."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nnlab import runs
from nnlab.cli import app
from nnlab.experiments import train as tr

from ..faults.test_after_folder import inject, signalling

BASE = """\
name: ext
dataset: {name: digits, n_train: 300, n_val: 50, n_test: 100}
model: {hidden: [16]}
optimizer: {name: sgd, lr: 0.1}
batch_size: 50
epochs: 3
"""
VARIANTS = {  # what a state carries on: BatchNorm's buffers, dropout's generator, Adam's moments
    "sgd": [],
    "batchnorm-dropout-adam": [
        "model.batchnorm=true", "model.dropout=0.2", "optimizer.name=adam", "optimizer.lr=0.01",
    ],
    "final-eval": ["eval=[train]", "final_eval=[val,test]", "weight_decay=0.01"],
}  # fmt: skip
IDENTITY = ("run_id", "config_hash", "digest", "records")  # (a checkpoint's, naming its run)


def nnlab(*args) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def untimed(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def folder_bytes(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def trained(tmp_path: Path, name: str, *overrides: str) -> runs.RunDir:
    result = nnlab("train", tmp_path / "cfg.yaml", *overrides, "-q", "--runs-dir", tmp_path / name)
    assert result.exit_code == 0, result.output
    (run,) = runs.iter_runs(tmp_path / name)
    return run


@pytest.fixture
def cfg_dir(tmp_path, monkeypatch) -> Path:
    (tmp_path / "cfg.yaml").write_text(BASE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_same_run(extended: runs.RunDir, fresh: runs.RunDir) -> None:
    runs_ = (extended, fresh)
    assert untimed(extended.metrics()) == untimed(fresh.metrics())
    ours, theirs = np.load(extended.file("checkpoint.npz")), np.load(fresh.file("checkpoint.npz"))
    assert sorted(ours.files) == sorted(theirs.files)
    for key in set(ours.files) - set(IDENTITY):
        assert np.array_equal(ours[key], theirs[key]), key
    ours, theirs = ({k: v for k, v in r.summary().items() if k != "seconds"} for r in runs_)
    assert ours == theirs
    assert extended.config() == fresh.config()


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_an_extended_run_is_the_run_of_that_many_epochs(cfg_dir, variant):
    overrides = VARIANTS[variant]
    source = trained(cfg_dir, "runs", *overrides, "epochs=3")  # (the file's, said again)
    before = folder_bytes(source.path)
    result = nnlab("train", "--extend", source.path, "epochs=7", "--runs-dir", "runs")
    assert result.exit_code == 0, result.output
    assert f"extending {source.path} from epoch 3 to 7, in a new folder" in result.stderr
    (extended,) = [r for r in runs.iter_runs(cfg_dir / "runs") if r.path != source.path]
    assert extended.status == "COMPLETED"
    assert_same_run(extended, trained(cfg_dir, "fresh", *overrides, "epochs=7"))
    assert folder_bytes(source.path) == before  # (the run extended is left as it was)
    assert extended.meta["extended_from"] == str(source.path.resolve())
    assert extended.meta["from_epoch"] == 3
    assert extended.meta["overrides"] == [*overrides, "epochs=7"]  # (its epochs said once)
    shown = nnlab("runs", "show", extended.path, "--runs-dir", "runs").stdout
    # (as the run's own path, below the folder it is asked in: it said /tmp/.../runs/<run>)
    assert f"\nextends   runs/{source.path.name} (after its epoch 3)\n" in shown


@pytest.mark.slow
def test_an_extension_interrupted_resumes_to_the_same_numbers(cfg_dir, monkeypatch):
    source = trained(cfg_dir, "runs")
    with monkeypatch.context() as patched:
        patched.setattr(tr, "CHECKPOINT_SECONDS", 0.0)
        inject(patched, 4, signalling(signal.SIGTERM))  # (config, records, checkpoints...)
        result = nnlab("train", "--extend", source.path, "epochs=7", "-q", "--runs-dir", "runs")
    assert result.exit_code == 130, result.output
    (extended,) = [r for r in runs.iter_runs(cfg_dir / "runs") if r.path != source.path]
    assert extended.status == "INTERRUPTED"
    assert f"continue with: nnlab train --resume runs/{extended.path.name}" in result.stderr
    again = nnlab("train", "--resume", extended.path, "-q")
    assert again.exit_code == 0, again.output
    assert "resuming" in again.stderr and "from the start" not in again.stderr
    assert_same_run(extended, trained(cfg_dir, "fresh", "epochs=7"))


def refusal(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["epochs=3"], "epochs=3: expected more epochs than the run has trained (3, runs/"),
        (["epochs=2"], "epochs=2: expected more epochs than the run has trained (3, runs/"),
        (["optimizer.lr=0.5"], "optimizer.lr=0.5: --extend changes only the epochs"),
        (["epochs=5", "seed=2"], "seed=2: --extend changes only the epochs"),
        ([], "--extend: give the epochs to train to, once (epochs=N)"),
        (["epochs=5", "epochs=6"], "--extend: give the epochs to train to, once (epochs=N)"),
        (["epochs=5", "--resume", "latest"], "--extend and --resume: give one"),
    ],
)
def test_what_extend_cannot_do_is_refused_in_one_line(cfg_dir, args, expected):
    source = trained(cfg_dir, "runs")
    before = folder_bytes(source.path)
    line = refusal(nnlab("train", "--extend", "latest", *args, "--runs-dir", "runs"))
    assert expected in line, line
    assert [r.path for r in runs.iter_runs(cfg_dir / "runs")] == [source.path]  # (no folder)
    assert folder_bytes(source.path) == before


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("INTERRUPTED", "INTERRUPTED, not COMPLETED; finish it first (nnlab train --resume "),
        ("FAILED", "FAILED, not COMPLETED; finish it first"),
        ("DIVERGED", "DIVERGED; training it longer would not help (change the config)"),
    ],
)
def test_only_a_completed_run_is_extended(cfg_dir, status, expected):
    if status == "DIVERGED":  # (a COMPLETED run's meta.json edited to say so is damage)
        result = nnlab("train", cfg_dir / "cfg.yaml", "optimizer.lr=1e30", "-q",
                       "--runs-dir", cfg_dir / "runs")  # fmt: skip
        assert result.exit_code == 1, result.output
        (source,) = runs.iter_runs(cfg_dir / "runs")
        assert source.status == "DIVERGED"
    else:
        source = trained(cfg_dir, "runs")
        source.file("meta.json").write_text(json.dumps({**source.meta, "status": status}))
    line = refusal(nnlab("train", "--extend", source.path, "epochs=5", "--runs-dir", "runs"))
    assert line.startswith(f"error: {source.path}: {expected}"), line


def test_a_run_without_its_last_checkpoint_is_refused_naming_it(cfg_dir):
    source = trained(cfg_dir, "runs")
    source.file("checkpoint.npz").unlink()
    line = refusal(nnlab("train", "--extend", source.path, "epochs=5", "--runs-dir", "runs"))
    assert line == (
        f"error: {source.file('checkpoint.npz')}: missing; a run is extended from the "
        "checkpoint of its last epoch (3)"
    )


def test_print_config_shows_the_longer_config_and_makes_nothing(cfg_dir):
    source = trained(cfg_dir, "runs")
    result = nnlab(
        "train", "--extend", "latest", "epochs=9", "--print-config", "--runs-dir", "runs"
    )
    assert result.exit_code == 0, result.output
    assert "\nepochs: 9\n" in result.stdout and "name: ext\n" in result.stdout
    assert [r.path for r in runs.iter_runs(cfg_dir / "runs")] == [source.path]


def test_resume_with_epochs_points_to_extend(cfg_dir):
    source = trained(cfg_dir, "runs")
    result = nnlab("train", "--resume", "latest", "epochs=9", "--runs-dir", "runs")
    assert result.exit_code == 2
    assert f"nnlab train --extend runs/{source.path.name} epochs=9" in result.output


@pytest.mark.slow
def test_a_sweeps_trial_is_extended_as_the_run_of_its_config(cfg_dir):
    """A trial trained in a stack has the numbers of its config alone: so has its extension."""
    sweep = nnlab("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "-q", "--runs-dir", "sw")
    assert sweep.exit_code == 0, sweep.output
    trial = sorted((cfg_dir / "sw").glob("*/trials/*"))[1]
    result = nnlab("train", "--extend", trial, "epochs=5", "-q", "--runs-dir", "runs")
    assert result.exit_code == 0, result.output
    (extended,) = runs.iter_runs(cfg_dir / "runs")
    alone = nnlab("train", trial / "config.yaml", "epochs=5", "-q", "--runs-dir", "fresh")
    assert alone.exit_code == 0, alone.output
    assert_same_run(extended, next(runs.iter_runs(cfg_dir / "fresh")))


@pytest.mark.slow
def test_a_run_of_no_epochs_is_extended_with_one_record_of_epoch_0(cfg_dir):
    """Training on from epoch 0 records epoch 0 itself: the run's record of it is not kept
    beside it (the folder was DAMAGED, 'epoch 0 follows epoch 0', and FAILED)."""
    source = trained(cfg_dir, "runs", "final_eval=[val]", "epochs=0")
    result = nnlab("train", "--extend", source.path, "epochs=4", "-q", "--runs-dir", "runs")
    assert result.exit_code == 0, result.output
    (extended,) = [r for r in runs.iter_runs(cfg_dir / "runs") if r.path != source.path]
    assert extended.status == "COMPLETED"
    assert [r["epoch"] for r in extended.metrics()] == [0, 1, 2, 3, 4]
    assert_same_run(extended, trained(cfg_dir, "fresh", "final_eval=[val]", "epochs=4"))


def test_a_checkpoint_that_names_no_run_is_extended_with_a_note(cfg_dir):
    """One written before checkpoints named their run is taken on trust, as a resume takes it,
    and said so (the extension went on silently)."""
    from ..faults.test_damaged import _as_written_before_identities, _rewrite_checkpoint

    source = trained(cfg_dir, "runs")
    _rewrite_checkpoint(source.file("checkpoint.npz"), _as_written_before_identities)
    result = nnlab("train", "--extend", source.path, "epochs=5", "-q", "--runs-dir", "runs")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        f"extending {source.path} from epoch 3 to 5, in a new folder",
        "note: checkpoint.npz records no run (written by an older nnlab): extended as the run's",
    ]
    (extended,) = [r for r in runs.iter_runs(cfg_dir / "runs") if r.path != source.path]
    assert_same_run(extended, trained(cfg_dir, "fresh", "epochs=5"))


@pytest.mark.slow
@pytest.mark.parametrize("where", ["read-only", "linked"])
def test_a_run_that_could_not_be_resumed_in_place_is_extended_all_the_same(
    cfg_dir, monkeypatch, where
):
    """--extend only reads the run: one on a read-only file system, or linked into the runs
    folder, is extended (both were refused with a resume's reasons: 'cannot be continued here:
    on a read-only file system', 'a resume writes into the folder itself')."""
    import os

    source = trained(cfg_dir, "archive")
    ref = source.path
    if where == "linked":
        ref = cfg_dir / "runs" / source.path.name
        ref.parent.mkdir()
        ref.symlink_to(source.path, target_is_directory=True)
    else:  # (as root, only a read-only file system stops a write, so access() is told)
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, **kw: mode != os.W_OK and real(p, mode, **kw)
            if Path(p) == source.path else real(p, mode, **kw)
        )  # fmt: skip
    before = folder_bytes(source.path)
    result = nnlab("train", "--extend", ref, "epochs=5", "-q", "--runs-dir", "new")
    assert result.exit_code == 0, result.output
    (extended,) = runs.iter_runs(cfg_dir / "new")
    assert extended.meta["extended_from"] == str(source.path.resolve())
    assert_same_run(extended, trained(cfg_dir, "fresh", "epochs=5"))
    assert folder_bytes(source.path) == before


def test_an_extension_over_the_work_limit_is_told_what_it_can_change(cfg_dir, monkeypatch):
    """Only the epochs: the limit's usual advice (larger batches, a smaller net...) names
    keys --extend refuses."""
    source = trained(cfg_dir, "runs")
    monkeypatch.setenv("NNLAB_MAX_HOURS", "0.00001")
    line = refusal(nnlab("train", "--extend", source.path, "epochs=100000", "--runs-dir", "runs"))
    assert "(99,997 epochs left after its checkpoint)" in line, line
    assert line.endswith(
        "make it shorter (fewer epochs: --extend changes only them), or set NNLAB_MAX_HOURS "
        "to raise it"
    ), line
    assert [r.path for r in runs.iter_runs(cfg_dir / "runs")] == [source.path]
