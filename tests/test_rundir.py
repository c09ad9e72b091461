"""summary.json's keys by kind (``rundir.summary_problem``, the check of ``RunDir.summary``): what every experiment writes passes the
reader's check and every key it writes is one the table knows; a value outside its key's kind
is damage naming the key, at any depth."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from nnlab import fileio, runs
from nnlab.cli import app
from nnlab.errors import DeviceError
from nnlab.rundir import summary_kind, summary_problem

CFG = """\
name: tiny
dataset: {name: digits, n_train: 200, n_val: 50, n_test: 100}
model: {hidden: [16]}
optimizer: {name: sgd, lr: 0.1}
batch_size: 50
epochs: 2
eval: [train, val]
final_eval: [test]
"""

# every kind of folder that writes a summary.json, as small as it runs
COMMANDS = {
    "train": ["train", "cfg.yaml"],
    "train DIVERGED": ["train", "cfg.yaml", "optimizer.lr=1e30", "name=diverged"],
    "sweep": ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2"],
    "lr-scan": ["lr-scan", "cfg.yaml", "--min", "-2", "--max", "2", "--num", "3", "--epochs", "1"],
    "tune": ["tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "-n", "2", "-r", "2", "--top-k",
             "1", "--epochs", "1"],
    "activations": ["activations", "--layers", "2", "--units", "8", "--samples", "10"],
    "landscape": ["landscape", "cfg.yaml", "--points", "3", "--samples", "20"],
}  # fmt: skip
MAPS = ("curves", "counts", "saturation", "proposed", "trials")  # their keys are data, not names


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """A runs folder holding one folder of every kind that writes a summary.json."""
    root = tmp_path_factory.mktemp("summaries")
    (root / "cfg.yaml").write_text(CFG)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        for what, args in COMMANDS.items():
            result = CliRunner().invoke(app, [*args, "-q"])
            assert result.exit_code in (0, 1), (what, result.output)  # (1: the DIVERGED run)
    return root / "runs"


def _summaries(root: Path) -> list[Path]:
    return sorted(root.rglob("summary.json"))


@pytest.mark.slow
def test_every_summary_an_experiment_writes_reads_as_written(written):
    found = _summaries(written)
    kinds = {runs.RunDir(p.parent).kind for p in found}
    assert kinds == {"train", "sweep", "lr-scan", "tune", "activations", "landscape"}
    statuses = {runs.describe_folder(runs.RunDir(p.parent), files=True)["status"] for p in found}
    assert statuses == {"COMPLETED", "DIVERGED"}
    for path in found:
        assert runs.RunDir(path.parent).summary() == json.loads(path.read_text())


def _unknown(data: Any, swept: set[str], where: str = "") -> list[str]:
    """Keys in ``data`` (at any depth the table reaches) that the table does not know."""
    out = []
    if isinstance(data, list):
        for i, item in enumerate(data):
            out += _unknown(item, swept, f"{where}[{i}]")
    elif isinstance(data, dict):
        for key, value in data.items():
            if summary_kind(key) is None and not (key == "loss" and "curves." in where):
                out += [] if key in swept else [f"{where}{key}"]
                continue
            if key in MAPS and isinstance(value, dict):
                for label, inner in value.items():
                    out += _unknown(inner, swept, f"{where}{key}.{label}.")
            else:
                out += _unknown(value, swept, f"{where}{key}.")
    return out


@pytest.mark.slow
def test_every_key_an_experiment_writes_has_a_kind(written):
    """A key added to a writer joins ``results.SUMMARY_KEYS`` (or ends in _acc / _loss)."""
    for path in _summaries(written):
        summary = json.loads(path.read_text())
        swept = {"optimizer.lr"}  # (a sweep row's and a tune trial's swept value: the config's)
        assert _unknown(summary, swept) == [], path


NAN = math.nan
BAD = [
    ({"final_test_acc": "high"}, "final_test_acc is 'high'; expected a number in [0, 1] or null"),
    ({"final_test_acc": 7.5}, "final_test_acc is 7.5; expected a number in [0, 1] or null"),
    ({"best_val_acc": -1}, "best_val_acc is -1; expected a number in [0, 1]"),
    ({"final_test_acc": True}, "final_test_acc is True; expected a number in [0, 1]"),
    ({"final_test_acc": [0.5]}, "final_test_acc is [0.5]; expected a number in [0, 1]"),
    ({"final_test_acc": "NaN"}, "final_test_acc is 'NaN'; expected a number in [0, 1]"),
    ({"final_loss": NAN}, "final_loss is nan; expected a finite number >= 0 or null"),
    ({"final_train_loss": -0.5}, "final_train_loss is -0.5; expected a finite number >= 0"),
    ({"epochs": 2.5}, "epochs is 2.5; expected a whole number >= 0 or null"),
    ({"epochs": "3"}, "epochs is '3'; expected a whole number >= 0"),
    ({"steps": None}, "steps is None; expected a whole number >= 0"),
    ({"seconds": "fast"}, "seconds is 'fast'; expected a finite number >= 0"),
    ({"status": "GREAT"}, "status is 'GREAT'; expected one of RUNNING, COMPLETED"),
    ({"status": 1}, "status is 1; expected one of RUNNING"),
    ({"trials": [{"trial": "a", "final_test_acc": 2}]}, "trials[0].final_test_acc is 2; expected"),
    ({"trials": [{"trial": 5}]}, "trials[0].trial is 5; expected text"),
    ({"trials": ["a"]}, "trials[0] is 'a'; expected an object"),
    ({"trials": "all"}, "trials is 'all'; expected a list or an object"),
    ({"trials": {"COMPLETED": -2}}, "trials.COMPLETED is -2; expected a whole number >= 0"),
    ({"counts": {"FAILED": "x"}}, "counts.FAILED is 'x'; expected a whole number >= 0"),
    ({"best": {"final_val_acc": "x"}}, "best.final_val_acc is 'x'; expected a number in [0, 1]"),
    ({"grid": {"min_loss": -3.0}}, "grid.min_loss is -3.0; expected a finite number >= 0"),
    ({"line": [1]}, "line is [1]; expected an object"),
    ({"curves": {"0.1": [{"epoch": -1}]}}, "curves.0.1[0].epoch is -1; expected a whole number"),
    ({"curves": {"0.1": [{"loss": "x"}]}}, "curves.0.1[0].loss is 'x'; expected a finite number"),
    ({"keys": ["optimizer.lr", 3]}, "keys[1] is 3; expected text"),
    ({"rows": [{"zero": 1.5}]}, "rows[0].zero is 1.5; expected a number in [0, 1] or null"),
    ({"proposed": {"optimizer.lr": 0.1}}, "proposed.optimizer.lr is 0.1; expected text"),
    (
        {"final_test_acc": "x" * 100},
        "final_test_acc is '" + "x" * 36 + "... (102 characters); expected",
    ),  # (cut)
]


@pytest.mark.parametrize(("summary", "says"), BAD, ids=[s.split(";")[0] for _, s in BAD])
def test_a_value_outside_its_kind_is_named_by_key(summary, says):
    assert summary_problem(summary) is not None and summary_problem(summary).startswith(says)


GOOD = [
    {"final_test_acc": None, "final_loss": None, "epochs": 0, "best_val_acc": 1},
    {"trials": [{"trial": "a", "status": "PENDING", "epochs": None, "loss": "svm_hinge"}]},
    {"trials": {"COMPLETED": 3}, "best": None, "proposed": {"optimizer.lr": "uniform:0:1"}},
    {"rows": [{"best": "step", "lr": 0.1}], "best": 0.5, "unknown": {"final_test_acc": "?"}},
]


@pytest.mark.parametrize("summary", GOOD)
def test_values_of_their_kind_and_unknown_keys_pass(summary):
    assert summary_problem(summary) is None


def test_an_os_error_names_the_file_the_user_can_act_on():
    # (a copy to a full disk named the read-only source file; a read-only disk named the temp
    # file beside meta.json, '.meta.json.cmc0l7ao.tmp')
    import errno

    from nnlab.fileio import naming, os_error_text

    copy = OSError(errno.ENOSPC, "No space left on device", "/src/a.h5", None, "/dst/a.h5")
    assert os_error_text(copy) == "/dst/a.h5: No space left on device"
    missing = OSError(errno.ENOENT, "No such file or directory", "/src/a.h5", None, "/dst/a.h5")
    assert os_error_text(missing) == "/src/a.h5: No such file or directory"
    with pytest.raises(OSError) as caught, naming(Path("/run/meta.json")):
        raise OSError(errno.EROFS, "Read-only file system", "/run/.meta.json.cmc0l7ao.tmp")
    assert os_error_text(caught.value) == "/run/meta.json: Read-only file system"
    with pytest.raises(OSError) as caught, naming(Path("/run/meta.json")):
        raise OSError(errno.EACCES, "Permission denied", "/run/other")
    assert caught.value.filename == "/run/other"


def test_a_summary_removed_between_the_check_and_the_read_reads_as_none_yet(tmp_path, monkeypatch):
    # (a resume removes summary.json before it marks the folder RUNNING: a reader that saw
    # it there and read it after got "summary.json: missing", with meta.json unchanged)
    (tmp_path / "cfg.yaml").write_text(CFG)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["train", "cfg.yaml", "-q"]).exit_code == 0
    run = next(runs.iter_runs(tmp_path / "runs"))
    meta = json.loads(run.file("meta.json").read_text())
    run.file("meta.json").write_text(json.dumps({**meta, "status": "INTERRUPTED"}))
    expected = run.summary()
    real = fileio.read_text_file

    def gone_first(path: Path) -> str | None:
        if Path(path).name == "summary.json":
            Path(path).unlink(missing_ok=True)
        return real(path)

    monkeypatch.setattr(fileio, "read_text_file", gone_first)
    assert run.summary() == expected  # (a training run's: from its records)
    assert not run.file("summary.json").exists()


def test_one_reading_reads_an_unchanged_leaf_folder_once_and_a_changed_one_again(
    tmp_path, monkeypatch
):
    # (runs list read each trial of a sweep twice, for its best trial and for its damage;
    # runs show twice too: ~3 ms a trial, 1.5 s for a sweep of 256 trials)
    from nnlab import describe

    (tmp_path / "cfg.yaml").write_text(CFG)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["train", "cfg.yaml", "-q"]).exit_code == 0
    run = next(runs.iter_runs(tmp_path / "runs"))
    reads: list[Path] = []
    real = describe._described
    monkeypatch.setattr(describe, "_described", lambda r, f: reads.append(r.path) or real(r, f))
    first = runs.describe_folder(runs.RunDir(run.path))
    runs.describe_folder(runs.RunDir(run.path))
    assert len(reads) == 2  # (outside a reading: every call reads)
    with describe.one_reading():
        assert runs.describe_folder(runs.RunDir(run.path)) == first
        assert runs.describe_folder(runs.RunDir(run.path)) == first
        assert len(reads) == 3
        with describe.one_reading():  # (nested: the same reading)
            runs.describe_folder(runs.RunDir(run.path))
        assert len(reads) == 3
        runs.describe_folder(runs.RunDir(run.path), files=True)  # (another question)
        assert len(reads) == 4
        meta = json.loads(run.file("meta.json").read_text())
        fileio.write_json(run.file("meta.json"), {**meta, "status": "INTERRUPTED"})
        assert runs.describe_folder(runs.RunDir(run.path))["status"] == "INTERRUPTED"
        assert len(reads) == 5
        with run.file("metrics.jsonl").open("a") as f:  # (appended: its size changes)
            f.write("{")
        runs.describe_folder(runs.RunDir(run.path))
        assert len(reads) == 6
        (run.path / "sub").mkdir()  # (a folder inside: what is below is not told, read again)
        runs.describe_folder(runs.RunDir(run.path))
        runs.describe_folder(runs.RunDir(run.path))
        assert len(reads) == 8
    runs.describe_folder(runs.RunDir(run.path))
    assert len(reads) == 9


def test_runs_list_and_runs_show_read_each_trial_of_a_sweep_once(tmp_path, monkeypatch):
    import collections

    from nnlab import describe
    from nnlab.experiments.listing import list_runs
    from nnlab.experiments.showing import show_run

    (tmp_path / "cfg.yaml").write_text(CFG)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "-q"])
    assert result.exit_code == 0, result.output
    sweep = next(runs.iter_runs(tmp_path / "runs"))
    reads: collections.Counter[tuple[str, bool]] = collections.Counter()
    real = describe._described
    monkeypatch.setattr(
        describe,
        "_described",
        lambda r, files, **kw: reads.update([(r.path.name, files)]) or real(r, files, **kw),
    )
    (row,) = list_runs(tmp_path / "runs")
    assert row["best_trial"] and "reason" not in row
    trials = {(p.name, False) for p in (sweep.path / "trials").iterdir()}
    assert trials <= set(reads) and all(reads[t] == 1 for t in trials), reads
    reads.clear()
    show_run(sweep)
    every = {(name, True) for name, _ in trials}
    assert every <= set(reads) and all(reads[t] == 1 for t in every), reads


@pytest.mark.slow
def test_runs_list_fingerprints_only_the_folders_it_may_read_again(tmp_path, monkeypatch):
    # (a row's own folder is read once per listing: its entries' stat calls, to know whether
    # it changed before a second reading, were ~7% of runs list; a sweep's trials are read
    # twice, for its best trial and for their damage, and are still read once)
    from nnlab import describe
    from nnlab.experiments.listing import list_runs

    (tmp_path / "cfg.yaml").write_text(CFG)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["train", "cfg.yaml", "-q"]).exit_code == 0
    result = CliRunner().invoke(app, ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "-q"])
    assert result.exit_code == 0, result.output
    seen: list[Path] = []
    real = describe._fingerprint
    monkeypatch.setattr(describe, "_fingerprint", lambda p: seen.append(Path(p)) or real(p))
    rows = list_runs(tmp_path / "runs")
    assert [r["status"] for r in rows] == ["COMPLETED", "COMPLETED"]
    assert all("reason" not in r for r in rows)
    assert not any(p.parent == tmp_path / "runs" for p in seen), seen
    assert {p.name for p in seen} == {p.name for p in tmp_path.glob("runs/*/trials/*")}


def test_a_folder_names_each_of_its_files_once(tmp_path):
    # (pathlib's joining, ~4 us, was asked for ~50 times per folder a listing reads)
    run = runs.RunDir(tmp_path / "run")
    assert run.file("meta.json") is run.file("meta.json")
    assert run.file("meta.json") == tmp_path / "run" / "meta.json"


def test_a_folder_that_cannot_be_removed_is_named_whole(tmp_path, monkeypatch):
    """An error deep in a folder being removed names its path, not its last part: rmtree
    works relative to descriptors, and 'runs remove' of a sweep said 'error: trials:
    Input/output error'."""
    import errno
    import os
    import shutil

    run = tmp_path / "runs" / "sweep"
    (run / "trials" / "t1").mkdir(parents=True)
    real = os.rmdir

    def rmdir(path, *, dir_fd=None):
        if path == "trials":
            raise OSError(errno.EIO, os.strerror(errno.EIO), path)
        return real(path, dir_fd=dir_fd)

    monkeypatch.setattr(shutil.os, "rmdir", rmdir)
    with pytest.raises(DeviceError) as raised:  # (an I/O error: exit 1)
        runs.RunDir(run).remove()
    hidden = tmp_path / "runs" / ".sweep.removing"
    assert str(raised.value) == (
        f"{hidden / 'trials'}: cannot be removed: Input/output error; {run} is half removed, "
        f"what is left of it is {hidden}; remove it with: nnlab runs remove {hidden}"
    )
