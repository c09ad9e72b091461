"""A run file the device fails to read (EIO: a bad sector, a network file system's hiccup):
an error reading is no damage to the folder, whose files may read whole the next time.
Every reader called such a folder DAMAGED ('metrics.jsonl: cannot read: Input/output
error'), as it calls a file nnlab did not write so, and refused it with exit 2, the code of
an input to fix. It is now UNREADABLE in ``runs list`` (``--status unreadable``), in the
report and in a sweep's trials, and a command that needs it fails with exit 1 (the device
failed, as a write that fails so); a permission taken away stays what it was (a state of
the folder: DAMAGED, exit 2).
"""

from __future__ import annotations

import errno
import json
import os

import pytest

from nnlab import fileio, runs, yamlio

from .helpers import Row, copy_runs, invoke, one_line

UNREADABLE = [
    Row(
        "a run file that cannot be read (EIO) as it is read: not damage (it said DAMAGED, "
        "exit 2, as a file nnlab did not write), in every reader (`runs list`, `report`, a "
        "sweep's trials: UNREADABLE; `--status unreadable`)",
        "`nnlab runs show RUN` (EIO reading metrics.jsonl)",
        1,
        ("error: {run}/metrics.jsonl: cannot read: Input/output error",),
    ),
]  # fmt: skip


def failing_read(monkeypatch, name: str, code: int = errno.EIO) -> None:
    """Reading a run file called ``name`` fails with ``code``, as the device fails it."""
    real = fileio.read_at_most

    def read_at_most(path, *args, **kwargs):
        if os.path.basename(path) == name:
            raise OSError(code, os.strerror(code), str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(fileio, "read_at_most", read_at_most)
    monkeypatch.setattr(yamlio, "read_at_most", read_at_most)  # (config.yaml's reader)


@pytest.fixture
def done(case, templates):
    root = copy_runs(templates["done"], case / "runs")
    (run,) = runs.iter_runs(root)
    return run


def test_a_file_the_device_fails_to_read_is_unreadable_not_damaged(done, monkeypatch):
    root = done.path.parent
    failing_read(monkeypatch, "metrics.jsonl")
    shown = invoke("runs", "show", done.id, "--runs-dir", root)
    assert shown.exit_code == UNREADABLE[0].code, shown.output
    assert one_line(shown.stderr) == UNREADABLE[0].expect(root, done.path)[0]

    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    (row,) = json.loads(listed.stdout)
    assert (row["status"], row["reason"]) == (
        "UNREADABLE",
        f"{done.path}/metrics.jsonl: cannot read: Input/output error",
    )
    only = invoke("runs", "list", "-f", "json", "--status", "unreadable", "--runs-dir", root)
    assert [r["run"] for r in json.loads(only.stdout)] == [done.id]
    none = invoke("runs", "list", "-f", "json", "--status", "damaged", "--runs-dir", root)
    assert json.loads(none.stdout) == []


def test_the_report_says_unreadable(done, monkeypatch):
    root = done.path.parent
    failing_read(monkeypatch, "metrics.jsonl")
    report = invoke("report", "--runs-dir", root)
    assert report.exit_code == 0, report.output
    assert f"warning: {done.id}: UNREADABLE, an error reading a file" in report.stderr
    assert "DAMAGED" not in report.stderr


@pytest.mark.parametrize("name", ["meta.json", "summary.json", "config.yaml"])
def test_each_run_file_the_device_fails_to_read_is_unreadable(done, monkeypatch, name):
    # (config.yaml's reader made every error of its own a ConfigError, read as damage)
    failing_read(monkeypatch, name)
    info = runs.describe_folder(done, files=True)
    assert (info["status"], info["reason"]) == (
        "UNREADABLE",
        f"{done.path}/{name}: cannot read: Input/output error",
    )


def test_a_checkpoint_the_device_fails_to_read_is_unreadable(done, monkeypatch):
    import zipfile

    def fail(*args, **kwargs):  # (np.load reads the archive's directory: the read fails)
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", fail)
    info = runs.describe_folder(done, files=True)
    assert info["status"] == "UNREADABLE", info
    assert info["reason"] == f"{done.path}/checkpoint.npz: cannot read: Input/output error"


def test_a_permission_taken_away_is_still_damage(done, monkeypatch):
    """No permission is a state of the folder the user set (and can change), not a failing
    device: as before, DAMAGED."""
    failing_read(monkeypatch, "metrics.jsonl", errno.EACCES)
    info = runs.describe_folder(done, files=True)
    assert info["status"] == "DAMAGED", info


@pytest.mark.slow
def test_a_sweeps_trial_the_device_fails_to_read_is_unreadable(case, monkeypatch):
    from nnlab.sweep import folder

    sweep = invoke("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "epochs=1", "-q",
                   "--runs-dir", case / "runs")  # fmt: skip
    assert sweep.exit_code == 0, sweep.output
    (run,) = runs.iter_runs(case / "runs")
    failing_read(monkeypatch, "metrics.jsonl")
    total, bad = folder.unsound_trials(run, files=True)
    assert total == 2 and [b["status"] for b in bad] == ["UNREADABLE"] * 2, bad
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    (row,) = json.loads(listed.stdout)  # (its own records too)
    assert row["status"] == "UNREADABLE", row
