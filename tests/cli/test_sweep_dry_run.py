"""``nnlab sweep ... --dry-run``: the trials, stacks and work a sweep (or a resume) would run,
checked as the run checks them, with nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from nnlab import runs
from nnlab.sweep.preview import preview_sweep
from nnlab.sweep.source import sweep_from_file
from tests.cli.test_sweep_cli import sweep_dir, write_config
from tests.conftest import invoke, one_error_line


def tree(root: Path) -> dict[str, float]:
    """Every path under ``root`` with its modification time (what a dry run must not touch)."""
    return {str(p): p.stat().st_mtime_ns for p in sorted(root.rglob("*"))} if root.exists() else {}


def test_a_dry_run_shows_the_trials_the_sweep_runs_and_writes_nothing(tmp_path):
    cfg, out = write_config(tmp_path), tmp_path / "r"
    args = ("sweep", "grid", cfg, "optimizer.lr=0.5,0.1,0.05", "model.init_std=1,0.1")
    dry = invoke(*args, "--stack", "4", "--jobs", "2", "--dry-run", "-f", "json", runs_dir=out)
    assert dry.exit_code == 0, dry.output
    assert not out.exists()  # (not even the runs folder)
    shown = json.loads(dry.stdout)
    assert shown["dry_run"] is True and shown["workers"] == 2
    assert sorted(shown["stack_sizes"]) == [3, 3]  # (6 trials, stacks of <= 4: dealt evenly)
    assert sorted(row["stack"] for row in shown["trials"]) == [1, 1, 1, 2, 2, 2]
    assert "6 trials to train (2 stacks of 3) on 2 workers" in dry.stderr
    assert "nothing was written" in dry.stderr
    # the trials are those the sweep then runs: same ids, values and seeds
    ran = invoke(*args, "--stack", "4", "-q", runs_dir=out)
    assert ran.exit_code == 0, ran.output
    planned = yaml.safe_load(sweep_dir(out).file("sweep.yaml").read_text())["trials"]
    assert [(t["trial"], t["seed"]) for t in shown["trials"]] == [
        (t["id"], t["seed"]) for t in planned
    ]
    assert [t["optimizer.lr"] for t in shown["trials"]] == [
        t["values"]["optimizer.lr"] for t in planned
    ]


def test_the_dry_run_counts_the_work_the_limit_counts(tmp_path, monkeypatch):
    cfg = write_config(tmp_path)
    defn = sweep_from_file(cfg, ["optimizer.lr=0.5,0.1"], kind="grid")
    preview = preview_sweep(defn, stack=1)
    # spiral: 3 classes of 60 samples (train 150, test 30), 2 -> 16 -> 3: 80 multiply-adds a
    # sample; 3 epochs of 5 batches; train and test (180) evaluated before and after each epoch
    macs, n_train, evaluated = 2 * 16 + 16 * 3, 150, 180
    each = 6 * macs * n_train * 3 + 2 * macs * evaluated * 4
    assert preview.flop == 2 * each and preview.steps == 2 * 5 * 3
    assert preview.evaluations == 2 * 2 * 4  # (train and test in one batch each, 4 times)
    assert preview.units == [1, 1]
    monkeypatch.setenv("NNLAB_MAX_HOURS", "1e-9")  # the limit refuses it, dry or not
    for dry in ([], ["--dry-run"]):
        result = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", *dry, runs_dir=tmp_path)
        assert "over the limit" in one_error_line(result)


def test_a_dry_run_refuses_what_the_run_refuses_in_the_same_line(tmp_path):
    cfg, out = write_config(tmp_path), tmp_path / "r"
    args = ("sweep", "grid", cfg, "batch_size=30,500")
    errors = [one_error_line(invoke(*args, *dry, runs_dir=out)) for dry in ([], ["--dry-run"])]
    assert errors[0] == errors[1] and "batch_size" in errors[0]
    assert not any(out.glob("*"))


@pytest.mark.slow
def test_a_resume_dry_run_says_what_happens_to_each_trial_and_changes_nothing(tmp_path):
    cfg, out = write_config(tmp_path), tmp_path / "r"
    ran = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1,0.05", "-q", runs_dir=out)
    assert ran.exit_code == 0, ran.output
    sweep = sweep_dir(out)
    trials = sorted(p.name for p in sweep.file("trials").iterdir())
    shutil.rmtree(sweep.file("trials") / trials[0])
    before = tree(out)
    result = invoke("sweep", "--resume", "latest", "--dry-run", "-f", "json", runs_dir=out)
    assert result.exit_code == 0, result.output
    assert tree(out) == before  # (no claim, no removal, no status change)
    actions = {t["trial"]: t["action"] for t in json.loads(result.stdout)["trials"]}
    assert actions == {t: "run" if t == trials[0] else "keep" for t in trials}
    assert "1 trial to train" in result.stderr
    table = invoke("sweep", "resume", "latest", "--dry-run", runs_dir=out)
    assert "run (not started)" in table.stdout and "kept (finished)" in table.stdout
    done = invoke("sweep", "--resume", "latest", "-q", runs_dir=out)
    assert done.exit_code == 0, done.output
    after = invoke("sweep", "--resume", "latest", "--dry-run", runs_dir=out)  # (as the resume)
    assert after.exit_code == 2 and "already COMPLETED, nothing to resume" in after.stderr


def test_a_resume_dry_run_of_a_sweep_whose_every_trial_folder_is_gone_says_each_action(tmp_path):
    """With trials/ removed (or emptied) every trial runs again: the preview's rows had no
    action (it said one only where some trial was not run afresh), and the table's action
    column failed, 'unexpected KeyError: 'action'', exit 1."""
    cfg, out = write_config(tmp_path), tmp_path / "r"
    assert invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "-q", runs_dir=out).exit_code == 0
    sweep = sweep_dir(out)
    shutil.rmtree(sweep.file("trials"))
    before = tree(out)
    for fmt in ("table", "json", "csv"):
        result = invoke("sweep", "resume", "latest", "--dry-run", "-f", fmt, runs_dir=out)
        assert result.exit_code == 0 and "unexpected" not in result.stderr, result.output
        if fmt == "json":
            assert [t["action"] for t in json.loads(result.stdout)["trials"]] == ["run", "run"]
        if fmt == "table":
            assert result.stdout.count("run (not started)") == 2, result.stdout
    assert tree(out) == before


def test_a_resume_dry_run_of_a_running_sweep_is_refused_as_the_resume_is(tmp_path):
    cfg, out = write_config(tmp_path), tmp_path / "r"
    assert invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "-q", runs_dir=out).exit_code == 0
    sweep = sweep_dir(out)
    sweep.write_json("meta.json", {**sweep.meta, "status": "RUNNING", "ended": None})
    for dry in ([], ["--dry-run"]):
        line = one_error_line(invoke("sweep", "--resume", "latest", *dry, runs_dir=out))
        assert "still RUNNING" in line
    assert runs.RunDir(sweep.path).meta["status"] == "RUNNING"


def test_dry_run_needs_a_sweep_to_plan():
    assert "give a sweep to dry-run" in one_error_line(invoke("sweep", "--dry-run"))


def test_a_dry_run_checks_the_executor_and_says_when_draws_repeat(tmp_path):
    cfg = write_config(tmp_path)
    line = one_error_line(
        invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "--executor", "foo", "--dry-run")
    )
    assert "--executor: expected one of local, dask" in line
    repeated = invoke("sweep", "random", cfg, "--trials", "6", "optimizer.lr=choice:0.5,0.1",
                      "--dry-run", runs_dir=tmp_path / "r")  # fmt: skip
    assert repeated.exit_code == 0, repeated.output
    assert "6 trials asked, 2 distinct" in repeated.stderr
    assert not (tmp_path / "r").exists()


def test_a_dry_run_refuses_report_which_would_have_nothing_new():
    line = one_error_line(invoke("sweep", "weight-scale", "--dry-run", "--report"))
    assert "--report" in line and "dry run writes nothing" in line
