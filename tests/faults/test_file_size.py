"""Files of the wrong size. A write that fails part-way (a full disk, or ``ulimit -f``: OSError
EFBIG, "File too large") in the folders a command makes below its own, where the folder that
failed cannot even record it: the command still ends as a failure (exit 1 or 3, one line),
never as an interrupt, and every folder says how it ended or reads STALE, which ``--resume``
continues to the numbers of an uninterrupted run. And a file far larger than nnlab writes
(``truncate -s 2G``) is not read whole by any reader.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from nnlab import fileio, runs
from nnlab.config import load_config
from nnlab.experiments import train as tr
from nnlab.fileio import MAX_FIGURE_BYTES

from .helpers import invoke, one_line, only, set_meta, without_seconds


def trials_cannot_record_their_end(monkeypatch) -> Callable[..., None]:
    """EFBIG for every status a trial's folder writes after RUNNING (its meta.json grows past
    the limit with its end, as it does with ``prlimit --fsize``): the trial fails, and its
    folder still says RUNNING."""
    real = runs._write_status

    def write_status(run, status, fields):
        if run.path.parent.name == "trials":
            path = run.file("meta.json")
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), str(path))
        return real(run, status, fields)

    monkeypatch.setattr(runs, "_write_status", write_status)
    return real


GRID = ["grid", "cfg.yaml", "optimizer.lr=0.1,0.2"]


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["1", "2"])
def test_trials_that_fail_unrecorded_fail_the_sweep_not_interrupt_it(case, monkeypatch, stack):
    # (the sweep read the trials' folders, still RUNNING, as trials not ended: it recorded
    # INTERRUPTED and exited 130, 'interrupted (2 of 2 trials not ended, e.g. ... RUNNING)',
    # though no signal came)
    real = trials_cannot_record_their_end(monkeypatch)
    result = invoke("sweep", *GRID, "--stack", stack, "--runs-dir", case / "runs", "-q")
    assert result.exit_code == 3, result.output
    line = one_line(result.stderr)
    assert line.startswith("error: 2 of 2 trials FAILED"), line
    assert "meta.json: File too large" in line and "interrupted" not in line, line
    sweep = only(case / "runs")
    assert sweep.status == "FAILED"
    assert {row["status"] for row in sweep.read_json("summary.json")["trials"]} == {"FAILED"}
    monkeypatch.setattr(runs, "_write_status", real)  # (the disk has room again)
    for trial in (sweep.path / "trials").iterdir():  # (their process, this one, is gone)
        set_meta(runs.RunDir(trial), pid=2**22 + 1)
    resumed = invoke("sweep", "--resume", sweep.path, "-q")
    assert resumed.exit_code == 0, resumed.output
    straight = invoke("sweep", *GRID, "--runs-dir", case / "straight", "-q")
    assert straight.exit_code == 0, straight.output
    for trial in ("2a979f26", "6618741e"):
        got = runs.RunDir(sweep.path / "trials" / trial).metrics()
        want = runs.RunDir(only(case / "straight").path / "trials" / trial).metrics()
        assert without_seconds(got) == without_seconds(want)


@pytest.mark.slow
def test_a_tune_whose_trials_fail_unrecorded_ends_as_one_whose_trials_failed(case, monkeypatch):
    # (it ended INTERRUPTED, exit 130: 'interrupted (2 of 2 trials not ended, e.g. 1/e2864dab
    # RUNNING)')
    trials_cannot_record_their_end(monkeypatch)
    result = invoke(
        "tune", "cfg.yaml", "--trials", "2", "--top-k", "1", "--epochs", "1",
        "--runs-dir", case / "runs",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    last = result.stderr.splitlines()[-1]
    assert last == "error: no trial completed: all 2 failed; there is no best value"
    tune = only(case / "runs")
    assert tune.status == "COMPLETED" and tune.meta["failed_trials"] == 2


def test_a_figure_larger_than_nnlab_writes_is_left_out_of_the_report_not_read_whole(done):
    # (a 2 GB sparse curves.png was read whole into memory, 2 GB, and copied into the report)
    with open(done.file("curves.png"), "wb") as f:
        f.truncate(MAX_FIGURE_BYTES + 1)
    result = invoke("report", "--runs-dir", done.path.parent, "--out", "site")
    assert result.exit_code == 0, result.output
    assert "0 figures" in result.stderr, result.stderr
    assert not list(Path("site").rglob("curves.png"))


def _stop_at(epoch: int):
    def progress(record, cfg):
        if record["epoch"] == epoch:
            raise KeyboardInterrupt

    return progress


def test_a_resume_from_the_first_checkpoint_that_cannot_save_the_next_keeps_the_folder_sound(
    case, monkeypatch, straight
):
    # (a resume from the checkpoint of epoch 0 recorded epoch 0 again, its seconds new; when
    # its next checkpoint did not fit, the old one digested another epoch-0 record: the folder
    # was DAMAGED for every reader, 'its records up to epoch 0 are not the ones checkpoint.npz
    # was saved after', and no resume could continue it)
    monkeypatch.setattr(tr, "CHECKPOINT_SECONDS", 1e9)  # (epoch 0's, then the last epoch's)
    with pytest.raises(KeyboardInterrupt):
        tr.run_training(load_config(case / "cfg.yaml"), runs_dir=case / "runs", plot=False,
                        progress=_stop_at(2))  # fmt: skip
    run = only(case / "runs")
    assert run.check_checkpoint() == 0 and len(run.metrics()) == 3
    real = runs.RunDir.save_checkpoint

    def save_checkpoint(self, state, epoch, identity):
        raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), str(self.file("checkpoint.npz")))

    monkeypatch.setattr(runs.RunDir, "save_checkpoint", save_checkpoint)
    failed = invoke("train", "--resume", run.path, "-q")
    assert failed.exit_code == 1, failed.output
    assert "checkpoint.npz: File too large" in failed.stderr.splitlines()[-1]
    monkeypatch.setattr(runs.RunDir, "save_checkpoint", real)
    shown = invoke("runs", "show", run.path)
    assert shown.exit_code == 0, shown.output
    resumed = invoke("train", "--resume", run.path, "-q")
    assert resumed.exit_code == 0, resumed.output
    assert without_seconds(run.metrics()) == without_seconds(straight)


def test_a_read_reserves_the_file_not_its_limit(tmp_path):
    # (read_at_most read limit + 1 bytes at once, reserving the limit for every read: 256 MB
    # for each meta.json, 1 GB for metrics.jsonl; under 'ulimit -v 1000000' every command,
    # 'runs show' of a tiny run too, failed 'MemoryError: out of memory'. A limit of 2**50
    # bytes, more than any address space, made that failure here)
    path = tmp_path / "meta.json"
    path.write_text('{"status": "COMPLETED"}\n')
    assert fileio.read_at_most(path, 2**50) == path.read_bytes()
    assert fileio.read_at_most(path, 5) is None
    assert fileio.read_at_most(Path("/dev/zero"), 3 * fileio.READ_CHUNK) is None


@pytest.mark.parametrize(
    "args", [["train", "cfg.yaml"], ["sweep", *GRID], ["lr-scan", "cfg.yaml", "--num", "2"]]
)
def test_a_write_that_fails_as_the_folder_is_made_says_no_folder_was_made(case, monkeypatch, args):
    # (the line named only a file of the hidden folder the first files go to, removed since:
    # 'error: runs/.<run>.new/config.yaml: File too large', not saying whether a folder exists)
    real = fileio.replacing

    def replacing(path, *rest, **kwargs):
        if Path(path).parent.name.endswith(".new"):
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), str(path))
        return real(path, *rest, **kwargs)

    monkeypatch.setattr(fileio, "replacing", replacing)
    result = invoke(*args, "--runs-dir", case / "runs", "-q")
    assert result.exit_code == 1, result.output
    line = one_line(result.stderr)
    assert ".new/" in line and line.endswith(" not made)"), line
    made = line.rsplit("(run folder ", 1)[1].removesuffix(" not made)")
    assert not Path(made).exists() and not list((case / "runs").iterdir())


@pytest.mark.parametrize("name", ["metrics.jsonl", "summary.json"])
def test_a_run_file_linked_to_a_device_is_damage_before_any_read(done, name):
    """A run file linked to /dev/zero (or /dev/urandom) was read to its limit before it was
    refused ('over 1,024 MB'): 1.1 GB held by ``runs list`` for a metrics.jsonl, 256 MB for a
    summary.json. nnlab writes only files there: a device is refused before any read."""
    done.file(name).unlink()
    done.file(name).symlink_to("/dev/zero")
    listed = invoke("runs", "list", "--runs-dir", done.path.parent, "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert f"{name}: is a device, not the file nnlab writes there" in listed.stdout
    shown = invoke("runs", "show", done.path)
    assert one_line(shown.stderr).endswith(f"{name}: is a device, not the file nnlab writes there")
