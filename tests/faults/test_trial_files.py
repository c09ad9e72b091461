"""Damage inside a sweep's trial folders, as every reader says it: ``runs list`` reads each
trial quickly (meta.json, summary.json, and ``outline.looks_whole``: which files are there,
their kind, size and last bytes), and where something looks off reads it all, so it names the
same trial DAMAGED, for the same reason, as ``runs show``, and never picks it as the sweep's
best. It named the sweep COMPLETED with no reason, and the damaged trial its best."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nnlab import runs
from nnlab.outline import looks_whole

from .helpers import Row, copy_runs, invoke

DAMAGES = {  # what is done to the best trial's folder: the file named, what the line says
    "config not YAML": (
        lambda t: t.file("config.yaml").write_text("garbage: [\n"), "config.yaml", "malformed YAML"
    ),
    "config removed": (
        lambda t: t.file("config.yaml").unlink(), "config.yaml",
        "missing; a run writes its resolved config before its first record",
    ),
    "config edited": (  # (its size, last byte: as written; changed after meta.json)
        lambda t: t.file("config.yaml").write_text(
            t.file("config.yaml").read_text().replace("batch_size: 50", "batch_size: 25")
        ), "config.yaml", "not the config this run was started with",
    ),
    "config edited, its time set back": (  # (size, last byte and modification time kept:
        # the inode's change time says it, which no user can set back)
        lambda t: _edited_back(t.file("config.yaml"), "batch_size: 50", "batch_size: 25"),
        "config.yaml", "not the config this run was started with",
    ),
    "summary removed": (
        lambda t: t.file("summary.json").unlink(), "summary.json",
        "missing; a train that ended COMPLETED wrote its summary before its status",
    ),
    "meta removed": (
        lambda t: t.file("meta.json").unlink(), "meta.json",
        "missing; nnlab writes it in every run folder",
    ),
    "checkpoint truncated": (
        lambda t: t.file("checkpoint.npz").write_bytes(t.file("checkpoint.npz").read_bytes()[:200]),
        "checkpoint.npz", "unreadable checkpoint",
    ),
    "metrics torn": (
        lambda t: t.file("metrics.jsonl").open("a").write('{"epoch": 9'), "metrics.jsonl",
        "a torn last line (no newline at its end), but meta.json says the run ended COMPLETED",
    ),
}  # fmt: skip


def _edited_back(path: Path, old: str, new: str) -> None:
    """``path`` edited (``old`` -> ``new``, of its length) and its times set back as they were
    (``touch -d``): its size, last byte and modification time are as nnlab wrote them."""
    was = path.stat()
    text = path.read_text()
    assert old in text and len(old) == len(new)
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(was.st_atime_ns, was.st_mtime_ns))
    assert path.stat().st_mtime_ns == was.st_mtime_ns and path.stat().st_size == was.st_size


@pytest.fixture(scope="session")
def swept(tmp_path_factory) -> Path:
    """A runs folder holding one COMPLETED sweep of three rates (0.5 its best trial)."""
    root = tmp_path_factory.mktemp("swept")
    (root / "cfg.yaml").write_text(
        "name: tiny\ndataset: {name: digits, n_train: 200, n_test: 100}\nmodel: {hidden: [16]}\n"
        "optimizer: {name: sgd, lr: 0.1}\nbatch_size: 50\nepochs: 1\n"
    )
    made = invoke("sweep", "grid", root / "cfg.yaml", "optimizer.lr=0.1,0.2,0.5", "--stack",
                  "1", "-q", "--runs-dir", root / "runs")  # fmt: skip
    assert made.exit_code == 0, made.output
    return root / "runs"


def _listed(root: Path) -> dict:
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
    return row


@pytest.fixture
def sweep(case, swept) -> tuple[runs.RunDir, runs.RunDir]:
    """A copy of ``swept``'s sweep under ``case/runs`` and its best trial (as listed)."""
    copy_runs(swept, case / "runs")
    sweep = next(runs.iter_runs(case / "runs"))
    best = _listed(case / "runs")["best_trial"]
    return sweep, runs.RunDir(sweep.file("trials") / best)


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damage_in_a_trial_is_said_alike_by_runs_list_and_runs_show(case, sweep, damage):
    run, trial = sweep
    assert looks_whole(trial, trial.meta)
    do, name, says = DAMAGES[damage]
    do(trial)
    row = _listed(case / "runs")
    assert row["best_trial"] not in (None, trial.id), row  # (another trial: never a damaged one)
    assert row["reason"] == "1 of 3 trials DAMAGED (runs show says which, and why)", row
    (bad,) = row["bad_trials"]
    assert bad["trial"] == trial.id and bad["status"] == "DAMAGED", bad
    assert bad["reason"].startswith(f"{trial.file(name)}: ") and says in bad["reason"], bad
    shown = invoke("runs", "show", run.id, "-f", "json", "--runs-dir", case / "runs")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["bad_trials"] == row["bad_trials"]


def test_a_trial_file_linked_to_an_older_file_is_said_alike_by_runs_list_and_runs_show(
    case, sweep, swept
):
    """A symlink's target has its own times: a trial's config.yaml made a link to a file
    older than the trial's meta.json (the sweep's base config here; /etc/passwd alike) looked
    whole to the quick reading, which listed the sweep COMPLETED with no reason, the trial its
    best, where ``runs show`` refused the trial."""
    run, trial = sweep
    trial.file("config.yaml").unlink()
    trial.file("config.yaml").symlink_to(swept.parent / "cfg.yaml")
    row = _listed(case / "runs")
    assert row["best_trial"] not in (None, trial.id), row
    (bad,) = row["bad_trials"]
    assert bad["trial"] == trial.id and bad["status"] == "DAMAGED", bad
    assert bad["reason"].startswith(f"{trial.file('config.yaml')}: "), bad
    shown = invoke("runs", "show", trial.path, "--runs-dir", case / "runs")
    assert shown.exit_code == 2 and bad["reason"] in shown.stderr, shown.output


def test_a_sound_trial_is_not_read_whole_by_a_listing(case, sweep, monkeypatch):
    # (the quick reading: check_files, about half a listing's cost, only where something is off)
    checked = []
    real = runs.RunDir.check_files
    monkeypatch.setattr(
        runs.RunDir, "check_files", lambda self: checked.append(self.id) or real(self)
    )
    row = _listed(case / "runs")
    assert "reason" not in row and row["trials_done"] == 3, row
    assert checked == [sweep[0].id]  # (the sweep's own folder only: its row is read whole)


TRIAL_FILES = [
    Row(
        "a damaged or missing file in a sweep's trial folder (its config.yaml, summary.json, "
        "meta.json, checkpoint): `runs list` reads each trial quickly (which files are there, "
        "their kind, size, last bytes, and whether one changed after meta.json, by its "
        "modification or inode change time, which `touch -d` cannot set back) and reads it "
        "whole where one looks off, so it names the trial as `runs show` does, and never as "
        "the sweep's best (it said COMPLETED with no reason, and named that trial best)",
        "`nnlab runs list` (`--format json`; a trial's config.yaml removed)",
        0,
        (
            '"reason": "1 of 3 trials DAMAGED (runs show says which, and why)"',
            '"reason": "{run}/trials/<trial>/config.yaml: missing; a run writes its resolved '
            'config before its first record"',
        ),
    ),
    Row(
        "a sweep's trial folder without its meta.json (its other files there)",
        "`nnlab runs list`, `nnlab runs show RUN` (`--format json`)",
        0,
        (
            '"status": "DAMAGED"',
            '"reason": "{run}/trials/<trial>/meta.json: missing; nnlab writes it in every run '
            'folder"',
        ),
    ),
]


@pytest.mark.parametrize("row", TRIAL_FILES, ids=["config", "meta"])
def test_the_readme_rows(case, sweep, row):
    run, trial = sweep
    trial.file("config.yaml" if "config.yaml" in row.command else "meta.json").unlink()
    shows = [["runs", "show", run.id]] if "runs show" in row.command else []
    for args in [["runs", "list"], *shows]:
        result = invoke(*args, "-f", "json", "--runs-dir", case / "runs")
        assert result.exit_code == row.code, result.output
        text = result.stdout.replace(f"/trials/{trial.id}/", "/trials/<trial>/")
        for part in row.expect(case / "runs", run.path)[args[1] == "show" :]:
            assert part in text, (part, text)


@pytest.mark.parametrize("which", ["checkpoint.npz", "a folder"])
def test_a_stacked_trials_failure_is_said_of_the_trial_whose_file_failed(case, monkeypatch, which):
    """Two trials trained in one stack end with the error of either: the sweep's line gave
    the first trial as its example, whatever trial's file failed ('e.g. c9a1d533:
    .../51f9f82e/checkpoint.npz: No space left on device (in 51f9f82e, ...)'), and a trial
    folder that could not be made (an error of nnlab's, not an OSError) was recorded by its
    sibling as its own. Now each sibling's folder names whose it was, and the example is the
    trial whose own file or folder failed."""
    import errno

    from nnlab import fileio, process, rundir
    from nnlab.errors import DeviceError

    trials_of: list[str] = []
    if which == "checkpoint.npz":
        real = fileio.atomic_write

        def atomic_write(path, *args, **kwargs):
            path = Path(path)
            if path.name == which and path.parent.parent.name == "trials":
                trials_of.append(path.parent.name)
                if len(set(trials_of)) == 2:  # (the second trial's file of the stack)
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            return real(path, *args, **kwargs)

        for module in (fileio, rundir):
            monkeypatch.setattr(module, "atomic_write", atomic_write)
    else:
        real_found = process.founding

        def founding(run):
            if run.path.parent.name == "trials":
                trials_of.append(run.path.name)
                if len(trials_of) == 2:
                    raise DeviceError(f"{run.path}: cannot create run folder: I/O error")
            return real_found(run)

        monkeypatch.setattr(runs, "founding", founding)
    result = invoke("sweep", "grid", "cfg.yaml", "seed=0,1", "--stack", "2", "-q",
                    "--runs-dir", case / "runs")  # fmt: skip
    assert result.exit_code == 3, result.output
    victim = trials_of[-1]
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: 2 of 2 trials FAILED (e.g. {victim}: "), line
    assert "a run that trained in one stack" not in line, line
    sweep = next(runs.iter_runs(case / "runs"))
    for folder in sorted((sweep.path / "trials").iterdir()):
        error = runs.RunDir(folder).meta["error"]
        assert error.endswith(f"(in {victim}, a run that trained in one stack with it)") == (
            folder.name != victim
        ), (folder.name, error)
