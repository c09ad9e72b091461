"""A training folder's derived fields (summary.json's epochs and finals, meta.json's
``epochs_done``, summary.txt) agree with its records, whatever killed it and whatever was
edited: every reader (``runs list``, ``show``, ``compare``, ``report``, ``--resume``) shows
what ``metrics.jsonl`` holds. A folder that has not ended (RUNNING, STALE) is read from its
records; one that ended and says otherwise than its records is DAMAGED, the file and the
field named.
"""

from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from nnlab import runs
from nnlab.config import load_config
from nnlab.experiments import train as tr
from nnlab.report import build_report
from tests.report.helpers import index_rows

from .helpers import argv, invoke, only, refused, set_meta, without_seconds

# ~20 minibatches an epoch, 60 epochs: long enough to be killed mid-resume
LONG = """\
name: long
dataset: {name: digits, n_train: 400, n_test: 100}
model: {hidden: [32]}
optimizer: {name: momentum, lr: 0.01}
batch_size: 20
epochs: 60
"""


def _lines(run: runs.RunDir) -> int:
    path = run.file("metrics.jsonl")
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def _run_until(
    case: Path, args: list, run: runs.RunDir | None, lines: int, sig: int, within: str = "",
    trial_lines: int = 0,
) -> None:  # fmt: skip
    """``nnlab ARGS`` in a process, sent ``sig`` once the run's metrics.jsonl holds ``lines``
    lines (``run``: None for the one folder it makes under case/runs), and one of the
    metrics.jsonl files under case/runs matching ``within`` (a sweep's trials) holds
    ``trial_lines``."""
    proc = subprocess.Popen(argv(*args, "-q"), cwd=case, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        found = run or next(iter(runs.iter_runs(case / "runs")), None)
        nested = (case / "runs").glob(f"{within}metrics.jsonl") if within else []
        most = max((len(p.read_bytes().splitlines()) for p in nested), default=0)
        if found is not None and _lines(found) >= lines and most >= trial_lines:
            break
        assert proc.poll() is None, f"it ended before the signal: {proc.communicate()}"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.01)
    proc.send_signal(sig)
    proc.communicate(timeout=60)


@pytest.fixture
def killed_in_resume(case) -> runs.RunDir:
    """A run INTERRUPTED (SIGTERM) after a few epochs, then resumed and killed with SIGKILL
    once the resume has recorded more epochs than the first end counted."""
    (case / "long.yaml").write_text(LONG)
    _run_until(case, ["train", "long.yaml", "--runs-dir", "runs"], None, 3, signal.SIGTERM)
    run = only(case / "runs")
    assert run.status == "INTERRUPTED"
    first_end = run.summary()["epochs"]
    _run_until(case, ["train", "--resume", run.path], run, first_end + 5, signal.SIGKILL)
    assert run.status == "STALE" and run.metrics()[-1]["epoch"] >= first_end + 4
    return run


@pytest.mark.slow
def test_a_resume_killed_past_the_last_end_is_read_from_its_records_everywhere(
    case, killed_in_resume
):
    """The summary and epochs_done of the first end were shown for the killed resume (runs
    list: 2 epochs for a run with 7 recorded, and the accuracies of epoch 2)."""
    run = killed_in_resume
    last = run.metrics()[-1]
    listed = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", "runs").stdout)
    assert [(r["status"], r["epochs_done"], r["final_test_acc"]) for r in listed] == [
        ("STALE", last["epoch"], last["test_acc"])
    ]
    shown = invoke("runs", "show", run.path, "-f", "json", "--runs-dir", "runs")
    summary = json.loads(shown.stdout)["summary"]
    assert (summary["epochs"], summary["final_test_acc"]) == (last["epoch"], last["test_acc"])
    table = invoke("runs", "show", run.path, "--runs-dir", "runs").stdout
    assert f"{run.id}: STALE after {last['epoch']} of 60 epochs" in table  # (LONG's 60)
    compared = invoke("runs", "compare", run.path, "-f", "json", "--runs-dir", "runs")
    (row,) = json.loads(compared.stdout)
    assert (row["epochs_done"], row["final_test_acc"]) == (last["epoch"], last["test_acc"])
    (row,) = index_rows((build_report((), case / "runs").out / "index.html").read_text())
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())  # (8&#160;of 60)
    assert f"long {last['epoch']} of 60 {last['train_acc']:.4f} {last['test_acc']:.4f}" in text
    # the files of the first end are not left beside records past it
    assert not run.file("summary.json").exists() and not run.file("summary.txt").exists()
    assert "epochs_done" not in run.meta

    resumed = invoke("train", "--resume", run.path, "-q", "--runs-dir", "runs")
    assert resumed.exit_code == 0, resumed.output
    straight = invoke("train", case / "long.yaml", "-q", "--runs-dir", case / "straight")
    assert straight.exit_code == 0
    assert without_seconds(run.metrics()) == without_seconds(only(case / "straight").metrics())
    assert run.summary()["epochs"] == run.meta["epochs_done"] == 60


@pytest.mark.parametrize("command", ["list", "show", "compare", "resume", "report"])
def test_an_edited_epochs_done_of_an_interrupted_run_is_damage_naming_it(case, stopped, command):
    """It was shown as written (runs list: 20 epochs of a run that recorded 2)."""
    set_meta(stopped, epochs_done=20)
    said = f"{stopped.file('meta.json')}: epochs_done is 20, but metrics.jsonl's records end at epoch 2"
    _damaged_for(case, stopped, command, said)


def _damaged_for(case: Path, run: runs.RunDir, command: str, said: str) -> None:
    """``command`` reads ``run`` as DAMAGED saying ``said`` (list, report) or refuses it."""
    if command == "list":
        listed = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", "runs").stdout)
        (row,) = listed  # (the runs folder as given: relative)
        assert row["status"] == "DAMAGED" and said.replace(f"{case}/", "") in row["reason"], row
    elif command == "report":
        built = invoke("report", "--runs-dir", "runs")
        assert built.exit_code == 0 and f"{run.id}: DAMAGED" in built.stderr, built.output
        page = (case / "runs" / "report" / run.id / "index.html").read_text()
        assert html.escape(said.split(": ", 1)[1], quote=True) in page
    else:
        args = {"show": ["runs", "show"], "compare": ["runs", "compare"],
                "resume": ["train", "--resume"]}[command]  # fmt: skip
        refused(invoke(*args, run.path, "--runs-dir", "runs"), 2, said)


SUMMARY_EDITS = {
    "epochs": (7, "epochs is 7, but metrics.jsonl's records end at epoch 3"),
    "final_test_acc": (0.5, "final_test_acc is 0.5, but metrics.jsonl's last record (epoch 3) has test_acc"),
    "final_loss": (0.0, "final_loss is 0.0, but metrics.jsonl's last record (epoch 3) has loss"),
    "best_test_acc": (0.99, "best_test_acc is 0.99, but metrics.jsonl's records give "),
    "best_train_loss": (None, "best_train_loss is None, but metrics.jsonl's records give "),
}  # fmt: skip


@pytest.mark.parametrize("key", list(SUMMARY_EDITS))
@pytest.mark.parametrize("command", ["list", "show", "compare", "report"])
def test_a_summary_that_is_not_its_records_is_damage_naming_the_key(case, done, key, command):
    """A summary.json edited to values of their kinds (7 epochs of a 3-epoch run, another
    accuracy, a best no epoch reached) was shown as the run's result."""
    value, said = SUMMARY_EDITS[key]
    summary = done.read_json("summary.json")
    runs.write_json(done.file("summary.json"), {**summary, key: value})
    _damaged_for(case, done, command, f"{done.file('summary.json')}: {said}")


@pytest.mark.parametrize("older", [False, True])
def test_a_run_of_no_epochs_gives_its_final_only_split_no_best(case, older):
    """``train CFG epochs=0 final_eval=[test]``: test is evaluated once, after the last epoch
    (the one record), but summary.json gave it a best (its final value), as every reader
    showed. A folder written so by an older nnlab reads as it is (not DAMAGED) and is shown
    without it; a best edited there is still damage."""
    made = invoke("train", "cfg.yaml", "epochs=0", "eval=[train]", "final_eval=[test]", "-q",
                  "--runs-dir", "runs")  # fmt: skip
    assert made.exit_code == 0, made.output
    run = only(case / "runs")
    written = run.read_json("summary.json")
    assert "final_test_acc" in written and "best_train_acc" in written
    assert not [k for k in written if k.startswith("best_test")], written
    if older:  # (as nnlab wrote it before: best_test_* equal to final_test_*)
        bests = {f"best_test_{m}": written[f"final_test_{m}"] for m in ("acc", "loss")}
        runs.write_json(run.file("summary.json"), {**written, **bests})
    shown = invoke("runs", "show", run.path, "-f", "json", "--runs-dir", "runs")
    assert shown.exit_code == 0, shown.output
    summary = json.loads(shown.stdout)["summary"]
    assert "final_test_acc" in summary and not [k for k in summary if k.startswith("best_test")]
    table = invoke("runs", "show", run.path, "--runs-dir", "runs").stdout
    (line,) = [line for line in table.splitlines() if "test accuracy" in line]
    assert line.split("│")[-2].strip() == "-", line  # (final, and no best)
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", "runs").stdout)
    assert row["status"] == "COMPLETED", row
    built = invoke("report", "--runs-dir", "runs")
    assert built.exit_code == 0 and "DAMAGED" not in built.stderr, built.output
    if older:
        runs.write_json(run.file("summary.json"), {**written, **bests, "best_test_acc": 0.99})
        said = "best_test_acc is 0.99, but metrics.jsonl's records give no best of test_acc"
        _damaged_for(case, run, "show", f"{run.file('summary.json')}: {said}")


def test_a_stop_signal_just_after_a_record_leaves_the_summary_and_count_in_step(
    tmp_path, monkeypatch
):
    """A SIGINT that arrived once a record's line was written, before the run counted it,
    ended the run with summary.json and epochs_done an epoch behind metrics.jsonl."""
    (tmp_path / "cfg.yaml").write_text(LONG.replace("epochs: 60", "epochs: 5"))
    cfg = load_config(tmp_path / "cfg.yaml")
    append = runs.RunDir.append_metric

    def append_then_signal(self, record):
        append(self, record)
        if record["epoch"] == 2:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(runs.RunDir, "append_metric", append_then_signal)
    with pytest.raises(KeyboardInterrupt):
        tr.run_training(cfg, runs_dir=tmp_path / "runs", plot=False)
    run = only(tmp_path / "runs")
    assert run.status == "INTERRUPTED"
    assert run.read_json("summary.json")["epochs"] == run.meta["epochs_done"] == 2
    assert run.metrics()[-1]["epoch"] == 2


@pytest.mark.slow
def test_a_sweeps_rows_are_its_trial_folders_after_a_trial_is_resumed_on_its_own(case):
    """A trial of an interrupted sweep completed by ``train --resume`` was still shown by
    ``runs show SWEEP`` (table and json) as the sweep's summary recorded it: INTERRUPTED."""
    (case / "long.yaml").write_text(LONG)
    grid = ["sweep", "grid", "long.yaml", "optimizer.lr=0.01,0.02", "epochs=40", "--stack", "1"]
    _run_until(case, [*grid, "--runs-dir", "runs"], None, 0, signal.SIGTERM, "*/trials/*/", 3)
    sweep = only(case / "runs")  # (40 epochs: at 8 a trial could end before the signal came)
    (trial,) = [t for t in sweep.path.glob("trials/*") if runs.RunDir(t).status == "INTERRUPTED"]
    resumed = invoke("train", "--resume", trial, "-q", "--runs-dir", "runs")
    assert resumed.exit_code == 0, resumed.output
    shown = invoke("runs", "show", sweep.path, "--runs-dir", "runs").stdout
    (line,) = [line for line in shown.splitlines() if trial.name in line]
    assert "COMPLETED" in line and " 40 " in line, line
    summary = json.loads(invoke("runs", "show", sweep.path, "-f", "json").stdout)["summary"]
    rows = {row["trial"]: row for row in summary["trials"]}
    assert (rows[trial.name]["status"], rows[trial.name]["epochs_done"]) == ("COMPLETED", 40)
    assert summary["counts"].get("COMPLETED", 0) >= 1 and "INTERRUPTED" not in summary["counts"]
    # (runs list's row of the sweep named its best trial from the sweep's summary: none, or
    # another trial, where the resumed one is now the best)
    (listed,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", "runs").stdout)
    done = [r for r in rows.values() if r["status"] == "COMPLETED"]
    best = max(done, key=lambda r: r["final_test_acc"])
    assert listed["best_trial"] == best["trial"] and listed["epochs_done"] is None  # (its trials:
    ended = [r for r in rows.values() if r["status"] in ("COMPLETED", "DIVERGED", "FAILED")]
    assert listed["trials_done"] == len(ended) and listed["trials_planned"] == len(rows)  # all)
    assert listed["final_test_acc"] == best["final_test_acc"]


@pytest.mark.parametrize("command", ["list", "show", "compare", "report", "resume"])
def test_an_interrupted_runs_counts_behind_its_records_are_read_from_the_records(
    case, stopped, straight, command
):
    """Folders written before the record and its count moved as one step can end INTERRUPTED
    with summary.json and epochs_done an epoch behind metrics.jsonl (a resume killed and then
    settled, a stop signal just after a record). An interruption explains that: the folder
    reads as its records say, in every reader, and resumes, where it had read DAMAGED."""
    records = stopped.metrics()
    assert records[-1]["epoch"] == 2
    older = tr.summarize(records[:-1], "INTERRUPTED")  # (the summary of epoch 1's end)
    runs.write_json(stopped.file("summary.json"), older)
    set_meta(stopped, epochs_done=1)
    if command == "list":
        (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", "runs").stdout)
        assert row["status"] == "INTERRUPTED" and row["epochs_done"] == 2, row
    elif command == "report":
        built = invoke("report", "--runs-dir", "runs")
        assert built.exit_code == 0 and "DAMAGED" not in built.stderr, built.output
    elif command == "resume":
        resumed = invoke("train", "--resume", stopped.path, "-q", "--runs-dir", "runs")
        assert resumed.exit_code == 0, resumed.output
        assert without_seconds(stopped.metrics()) == without_seconds(straight)
    else:
        shown = invoke("runs", command, stopped.path, "-f", "json", "--runs-dir", "runs")
        assert shown.exit_code == 0 and "DAMAGED" not in shown.output, shown.output
    assert stopped.summary()["epochs"] == (2 if command != "resume" else straight[-1]["epoch"])
