"""``nnlab runs remove``: the runs folder's own folders, listed and asked for first; a folder
a process holds, a sweep's trial, a link or a folder elsewhere refused, and then none removed."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

import nnlab.cli.runs as cli_runs
from tests.conftest import fake_run, invoke


@pytest.fixture
def three(tmp_path):
    root = tmp_path / "runs"
    for second, name in enumerate(["20250101-000000-a-111111", "20250101-000001-b-222222",
                                   "20250101-000002-c-333333"]):  # fmt: skip
        run = fake_run(root, name, started=f"2025-01-01T00:00:0{second}.000+00:00")
        (run.path / "summary.json").write_text(json.dumps({"status": "COMPLETED"}))
    return root


def names(root):
    return sorted(p.name for p in root.iterdir())  # (hidden ones too: none may be left)


def test_yes_removes_the_folders_named_and_leaves_nothing_behind(three):
    result = invoke("runs", "remove", "latest", "20250101-000000", "--yes", runs_dir=three)
    assert result.exit_code == 0, result.stderr
    assert names(three) == ["20250101-000001-b-222222"]
    assert "to remove: 2 folders in" in result.stdout
    assert result.stderr.splitlines() == [
        f"removed {three / '20250101-000002-c-333333'}",
        f"removed {three / '20250101-000000-a-111111'}",
    ]


def test_a_folder_named_twice_is_removed_once(three):
    result = invoke("runs", "remove", "latest", "20250101-000002", "-y", runs_dir=three)
    assert result.exit_code == 0, result.stderr
    assert "to remove: 1 folder in" in result.stdout and len(names(three)) == 2


def test_without_a_terminal_it_needs_yes_and_removes_nothing(three):
    result = invoke("runs", "remove", "latest", runs_dir=three)
    assert result.exit_code == 2 and len(names(three)) == 3
    assert result.stderr.strip() == (
        "error: nnlab runs remove: give --yes to remove without asking (no terminal to ask on)"
    )


@pytest.mark.parametrize(("answer", "left"), [("n\n", 3), ("\n", 3), ("y\n", 2)])
def test_on_a_terminal_it_asks_and_no_is_the_default(three, monkeypatch, answer, left):
    from typer.testing import CliRunner

    from nnlab.cli import app

    monkeypatch.setattr(cli_runs, "asking", lambda: True)
    result = CliRunner().invoke(
        app, ["runs", "remove", "latest", "--runs-dir", str(three)], input=answer
    )
    assert result.exit_code == 0, result.stderr
    assert "remove 1 folder? [y/N]" in result.stdout and len(names(three)) == left
    assert ("nothing removed" in result.stderr) == (left == 3)


def test_one_reference_that_names_no_folder_removes_none(three):
    result = invoke("runs", "remove", "latest", "nope", "--yes", runs_dir=three)
    assert result.exit_code == 2 and len(names(three)) == 3
    assert result.stderr.startswith("error: run 'nope': no run folder under")


@pytest.mark.parametrize("ref", ["/", "//", "./", "../"])
def test_a_path_with_no_name_removes_none_in_one_line(three, ref):
    # ('/' said 'unexpected ValueError: PosixPath('/') has an empty name', exit 1: found fuzzing
    # runs remove's references)
    result = invoke("runs", "remove", ref, "--yes", runs_dir=three)
    assert result.exit_code == 2 and len(names(three)) == 3, result.output
    assert len(result.stderr.splitlines()) == 1 and "unexpected" not in result.stderr


def test_a_sweeps_trial_is_refused_naming_the_sweep(three):
    sweep = fake_run(three, "20250101-000003-s-444444", kind="sweep")
    trial = fake_run(sweep.path / "trials", "t01")
    result = invoke("runs", "remove", str(trial.path), "--yes", runs_dir=three)
    assert result.exit_code == 2 and trial.path.is_dir()
    assert result.stderr.strip() == (
        f"error: {trial.path}: a folder inside {sweep.path}, whose records count it; remove "
        f"{sweep.path} whole (a sweep reruns a trial removed by hand on --resume)"
    )


def test_a_folder_outside_the_runs_folder_or_a_link_is_refused(three, tmp_path):
    elsewhere = fake_run(tmp_path / "other", "20250101-000009-x-999999")
    result = invoke("runs", "remove", str(elsewhere.path), "--yes", runs_dir=three)
    assert result.exit_code == 2 and elsewhere.path.is_dir()
    assert "not a folder of the runs folder" in result.stderr
    (three / "20250101-000010-link-000000").symlink_to(elsewhere.path)
    result = invoke("runs", "remove", "20250101-000010", "--yes", runs_dir=three)
    assert result.exit_code == 2 and elsewhere.path.is_dir()
    assert "a link to" in result.stderr and "remove the link itself with rm" in result.stderr


def test_a_folder_another_process_holds_is_refused_and_kept(three):
    held = three / "20250101-000002-c-333333"
    code = (
        "import sys, time\nfrom nnlab import process\nfrom nnlab.rundir import RunDir\n"
        f"process.claim(RunDir({str(held)!r}))\nprint('held', flush=True)\ntime.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = invoke("runs", "remove", "20250101-000000", "latest", "--yes", runs_dir=three)
        assert result.exit_code == 2 and held.is_dir() and len(names(three)) == 3  # (neither)
        assert "in use by another nnlab process" in result.stderr
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.05)
    assert invoke("runs", "remove", "latest", "--yes", runs_dir=three).exit_code == 0
    assert not held.exists()


def test_a_folder_running_on_another_host_is_refused_a_stale_or_damaged_one_removed(three):
    fake_run(three, "20250101-000003-r-444444", "RUNNING", host="elsewhere", pid=4242)
    result = invoke("runs", "remove", "20250101-000003", "--yes", runs_dir=three)
    assert result.exit_code == 2 and (three / "20250101-000003-r-444444").is_dir()
    assert result.stderr.strip().endswith(
        "20250101-000003-r-444444: RUNNING (pid 4242 on elsewhere), and its process may still "
        "write into it; stop it first, or remove it once it reads STALE"
    )
    fake_run(three, "20250101-000004-s-555555", "RUNNING", pid=2**22 + 1)  # (no such process)
    (three / "20250101-000000-a-111111" / "meta.json").write_text("{")
    result = invoke("runs", "remove", "20250101-000004", "20250101-000000", "-y", runs_dir=three)
    assert result.exit_code == 0, result.stderr
    assert names(three) == ["20250101-000001-b-222222", "20250101-000002-c-333333",
                            "20250101-000003-r-444444"]  # fmt: skip
