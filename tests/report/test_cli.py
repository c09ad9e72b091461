"""`nnlab report` and `--report` on train and sweep, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import invoke
from tests.report.conftest import CONFIG, SMALL
from tests.report.helpers import index_rows, make_run


def report_cli(args: list[str], **env: str):
    return invoke(*args, env=env or None)


def test_report_prints_the_index_path(tmp_path):
    make_run(tmp_path / "runs", "one")
    result = report_cli(["report", "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    index = Path(result.stdout.strip())
    assert index == tmp_path / "runs" / "report" / "index.html" and index.is_file()
    assert "1 folder, 2 pages, 0 figures" in result.stderr


def test_report_counts_its_folders_as_runs_list_does_and_says_the_trials_in_them(tmp_path):
    # (its count of folders left unsaid that a sweep's trials, a page each, were not in it, and
    # that a folder that is no run, which runs list leaves out, was)
    from tests.report.helpers import completed_sweep

    root = tmp_path / "runs"
    make_run(root, "one")
    sweep = completed_sweep(root, "epochs", {f"t{n}": {"epochs": n} for n in (2, 4)})
    for n in (2, 4):
        make_run(root, "t", epochs=n, folder=sweep.file("trials") / f"t{n}", trial={"id": f"t{n}"})
    (root / "notes").mkdir()
    result = report_cli(["report", "--runs-dir", str(root)])
    assert result.exit_code == 0, result.output
    listed = invoke("runs", "list", "--runs-dir", str(root), "-f", "json")
    assert len(json.loads(listed.stdout)) == 2
    assert result.stderr.splitlines()[-1] == (
        "3 folders (1 of them no run folder, which runs list leaves out; 2 trials in them), "
        "6 pages, 0 figures"
    )


@pytest.mark.slow
def test_report_quiet_leaves_out_the_counts_but_not_a_warning_or_the_path(tmp_path):
    make_run(tmp_path / "runs", "one")
    make_run(tmp_path / "runs", "bad").file("meta.json").write_text("[]")
    result = report_cli(["report", "-q", "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()).is_file()
    assert result.stderr.startswith("warning: ") and "pages" not in result.stderr, result.stderr


def test_report_out_and_refs(tmp_path):
    one = make_run(tmp_path / "runs", "one")
    make_run(tmp_path / "runs", "two")
    out = tmp_path / "share" / "report"
    out.parent.mkdir()  # (one new folder in one that exists, as every --out: test_names.py)
    result = report_cli(["report", one.id, "--out", str(out), "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert len(index_rows((out / "index.html").read_text())) == 1


def test_report_warns_about_damaged_folders(tmp_path):
    bad = make_run(tmp_path / "runs", "bad")
    bad.file("meta.json").write_text("[]")
    result = report_cli(["report", "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0
    assert f"warning: {bad.id}: DAMAGED" in result.stderr


def test_report_errors_are_one_line_and_exit_2(tmp_path):
    make_run(tmp_path / "runs", "one")
    result = report_cli(["report", "nope", "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("error: run 'nope': no run folder")
        and "Traceback" not in result.output
    )
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "x.txt").write_text("x")
    result = report_cli(
        ["report", "--out", str(tmp_path / "mine"), "--runs-dir", str(tmp_path / "runs")]
    )
    assert result.exit_code == 2 and "not an nnlab report" in result.stderr


def test_a_folder_named_by_path_that_is_no_run_is_refused_as_runs_show_refuses_it(tmp_path):
    # (nnlab report / wrote a report of one row, '/', 'no run folder', and exited 0; a run
    # folder's files without its meta.json are still a DAMAGED run, reported)
    root = tmp_path / "runs"
    make_run(root, "one")
    (tmp_path / "notes").mkdir()
    shown = invoke("runs", "show", str(tmp_path / "notes"), runs_dir=root)
    result = report_cli(["report", str(tmp_path / "notes"), "--runs-dir", str(root)])
    assert result.exit_code == shown.exit_code == 2 and not (root / "report").exists()
    assert result.stderr == shown.stderr
    assert "a folder, but no run folder: it holds no meta.json" in result.stderr
    torn = make_run(root, "torn")
    torn.file("meta.json").unlink()
    result = report_cli(["report", str(torn.path), "--runs-dir", str(root)])
    assert result.exit_code == 0 and f"warning: {torn.id}: DAMAGED" in result.stderr


def test_train_with_report_prints_the_report_path(tmp_path):
    runs_dir = tmp_path / "runs"
    result = report_cli(["train", CONFIG, *SMALL, "-q", "--report", "--runs-dir", str(runs_dir)])
    assert result.exit_code == 0, result.output
    assert f"report: {runs_dir / 'report' / 'index.html'}" in result.stderr
    assert len(index_rows((runs_dir / "report" / "index.html").read_text())) == 1


def test_sweep_with_the_env_switch_refreshes_the_report(tmp_path):
    runs_dir = tmp_path / "runs"
    args = ["sweep", "grid", CONFIG, "optimizer.lr=0.1,0.05", *SMALL, "-q"]
    result = report_cli([*args, "--runs-dir", str(runs_dir)], NNLAB_REPORT="1")
    assert result.exit_code == 0, result.output
    index = runs_dir / "report" / "index.html"
    assert f"report: {index}" in result.stderr
    assert 'data-kind="sweep"' in index.read_text()


def test_without_the_switch_no_report_is_written(tmp_path):
    runs_dir = tmp_path / "runs"
    result = report_cli(["train", CONFIG, *SMALL, "-q", "--runs-dir", str(runs_dir)])
    assert result.exit_code == 0 and "report:" not in result.stderr
    assert not (runs_dir / "report").exists()


REPORTED = {
    "train": (["train", CONFIG, *SMALL], "run folder: "),
    "sweep": (["sweep", "grid", CONFIG, "optimizer.lr=0.1,0.05", *SMALL], "sweep folder: "),
    "tune": (["tune", CONFIG, "--trials", "2", "--epochs", "1", "dataset.n_train=300"],
             "run folder: "),
}  # fmt: skip


@pytest.mark.parametrize("command", list(REPORTED))
def test_report_path_is_said_after_the_runs_own_output(tmp_path, command):
    # (``report: <path>`` was printed before the run's table and its folder's line)
    args, folder_line = REPORTED[command]
    result = report_cli([*args, "-q", "--report", "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[-1] == f"report: {tmp_path / 'runs' / 'report' / 'index.html'}", lines
    assert any(line.startswith(folder_line) for line in lines[:-1]), lines


def test_report_follows_the_error_of_a_sweep_whose_trial_failed(tmp_path, monkeypatch):
    from tests.experiments.test_sweep import fail_batch_size_31

    fail_batch_size_31(monkeypatch)
    args = ["sweep", "grid", CONFIG, "batch_size=30,31", *SMALL, "-q", "--report"]
    result = report_cli([*args, "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 3, result.output
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("report: ") and "1 of 2 trials FAILED" in lines[-2], lines


def test_report_warns_once_per_folder_of_its_damaged_and_missing_trials(tmp_path):
    from tests.report.helpers import completed_sweep

    root = tmp_path / "runs"
    ids = [f"t{i}" for i in range(5)]
    sweep = completed_sweep(
        root, "lr", {t: {"optimizer.lr": 0.1 * (i + 1)} for i, t in enumerate(ids)}
    )
    rows = [{"trial": t, "status": "COMPLETED"} for t in ids]
    sweep.file("summary.json").write_text(json.dumps({"status": "COMPLETED", "trials": rows}))
    for t in ids[:3]:  # (three trials DAMAGED, two recorded and gone: MISSING)
        make_run(root, t, folder=sweep.file("trials") / t, trial={"id": t, "seed": 0})
        (sweep.file("trials") / t / "meta.json").write_text("[]")
    one = make_run(root, "one")
    one.file("meta.json").write_text("[]")
    result = report_cli(["report", "--runs-dir", str(root)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {one.id}: DAMAGED, could not be read (its page says why)",
        f"warning: {sweep.id}: 3 trials DAMAGED, the first {sweep.id}/trials/t0: could not be "
        "read (their pages say why)",
        f"warning: {sweep.id}: 2 trials MISSING, the first {sweep.id}/trials/t3: the sweep "
        "recorded them and their folders are gone (their pages say so)",
    ], result.stderr
