"""A torn last line of metrics.jsonl (no newline at its end, no whole record): what a kill in
mid-append leaves, in a folder that then says RUNNING (STALE once its process is gone), and
whose resume cuts it. A run that reached its end (COMPLETED, DIVERGED) appended every record
whole before its status, so a torn line after its last record is damage, said by every reader
in the same words (it read COMPLETED and the line was dropped without a word).
"""

from __future__ import annotations

import json

import pytest

from .helpers import Row, file_bytes, invoke, refused, set_meta, snapshot

TORN = b'{"epoch": 4, "train_loss": 2.1, "tra'  # (a 4th epoch's record, cut by a kill)

TORN_END = Row(
    "a COMPLETED (or DIVERGED) run whose metrics.jsonl has a torn last line after its last "
    "record (what a kill mid-append leaves, and a kill leaves its folder RUNNING): damage in "
    "every reader (it read COMPLETED, the line dropped as a kill's)",
    "`nnlab runs show RUN` (and `--resume`, `--extend`, `compare`, `report`, `landscape`; "
    "`runs list`: DAMAGED)",
    2,
    (
        "error: {run}/metrics.jsonl: line 5: a torn last line (no newline at its end), but "
        "meta.json says the run ended COMPLETED, which writes its records whole (appended to "
        "since?)",
    ),
)

READERS = {
    "show": lambda run, case: ("runs", "show", run.path),
    "compare": lambda run, case: ("runs", "compare", run.path, "--png", case / "c.png"),
    "resume": lambda run, case: ("train", "--resume", run.path),
    "extend": lambda run, case: ("train", "--extend", run.path, "epochs=4"),
    "landscape": lambda run, case: ("landscape", run.path, "--points", "3"),
}


@pytest.fixture
def torn(done):
    """The COMPLETED run (records of epochs 0-3) with a torn line after its last record."""
    with open(done.file("metrics.jsonl"), "ab") as f:
        f.write(TORN)
    return done


@pytest.mark.parametrize("reader", list(READERS))
def test_a_torn_line_after_a_completed_runs_last_record_is_refused_by_every_reader(
    case, torn, reader
):
    before = snapshot(case)
    result = invoke(*READERS[reader](torn, case), "--runs-dir", case / "runs")
    refused(result, 2, *TORN_END.expect(case / "runs", torn.path))
    assert snapshot(case) == before  # (nothing written: not a folder, not a cut file)


def test_a_torn_line_after_a_completed_runs_last_record_is_listed_and_reported_damaged(case, torn):
    (says,) = TORN_END.expect(case / "runs", torn.path)
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == "DAMAGED" and row["reason"] == says.removeprefix("error: "), row
    report = invoke("report", "--runs-dir", case / "runs")
    assert report.exit_code == 0, report.output
    assert f"warning: {torn.id}: DAMAGED, could not be read" in report.stderr


def test_a_diverged_run_with_a_torn_last_line_is_damage_too(case, torn):
    set_meta(torn, status="DIVERGED")
    result = invoke("runs", "show", torn.path, "--runs-dir", case / "runs")
    refused(result, 2, "line 5: a torn last line", "says the run ended DIVERGED")


@pytest.mark.parametrize("status", ["INTERRUPTED", "FAILED", "STALE"])
def test_a_torn_last_line_of_a_run_that_did_not_reach_its_end_is_dropped(case, stopped, status):
    """What a kill leaves (STALE), and what a failed or interrupted resume of such a folder
    leaves before it cuts the line, is read as the records before it, as before."""
    whole = file_bytes(stopped.path)["metrics.jsonl"]
    with open(stopped.file("metrics.jsonl"), "ab") as f:
        f.write(TORN.replace(b"4", b"3"))
    if status == "STALE":
        set_meta(stopped, status="RUNNING", pid=2**22 + 1)
    else:
        set_meta(stopped, status=status)
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == status, row
    assert len(stopped.metrics()) == whole.count(b"\n")
    shown = invoke("runs", "show", stopped.path, "--runs-dir", case / "runs")
    assert shown.exit_code == 0, shown.output
