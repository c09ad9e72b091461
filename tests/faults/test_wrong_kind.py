"""The wrong kind of thing where nnlab writes a run file or makes a folder: a folder, a named
pipe, a device (a link to /dev/null), or a file where a sweep's trial folder goes. Every reader
says it in one wording, made in one place (``filestate.wrong_kind``): ``<path>: is a folder,
not the file nnlab writes there``. It was said five ways: 'cannot read: Is a directory', 'cannot
read: is a named pipe (FIFO), not a file', 'unreadable checkpoint (Is a directory)', 'not a
readable landscape file (Is a directory)', 'not a folder; nnlab makes a folder there'."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from nnlab import runs

from .helpers import Row, copy_runs, invoke, only, refused, snapshot

WRONG_KIND = Row(
    "the wrong kind of thing where nnlab writes a run file (a folder, a named pipe, a socket, a "
    "device) or makes a folder (a file or a pipe where a trial's folder goes), in every reader: "
    "said one way (it was said five ways, 'cannot read: Is a directory' and 'not a folder; "
    "nnlab makes a folder there' among them); where summary.txt or a figure goes, every reader "
    "too (the next row), and a resume before it trains (it trained to the end and failed there)",
    "`nnlab runs show RUN` (and every reader; `runs list`: DAMAGED)",
    2,
    ("error: {run}/summary.json: is a folder, not the file nnlab writes there",),
)

KINDS = {
    "a folder": lambda path: path.mkdir(),
    "a named pipe (FIFO)": os.mkfifo,
    "a device": lambda path: path.symlink_to("/dev/null"),
}
FILES = ["meta.json", "metrics.jsonl", "summary.json", "config.yaml", "checkpoint.npz"]


def replaced(path, kind) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    KINDS[kind](path)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", FILES)
def test_the_wrong_kind_of_thing_for_a_run_file_is_said_one_way_by_every_reader(
    case, stopped, name, kind
):
    path = stopped.file(name)
    replaced(path, kind)
    says = f"{path}: is {kind}, not the file nnlab writes there"
    root = case / "runs"
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
    assert row["status"] == "DAMAGED" and row["reason"] == says, row
    before = snapshot(case)
    for args in (("runs", "show", stopped.path), ("train", "--resume", stopped.path)):
        refused(invoke(*args, "--runs-dir", root), 2, f"error: {says}")
    assert snapshot(case) == before
    if name == "summary.json" and kind == "a folder":
        refused(invoke("runs", "show", stopped.path), 2, *WRONG_KIND.expect(root, stopped.path))


@pytest.mark.parametrize("kind", ["a folder", "a named pipe (FIFO)"])
@pytest.mark.parametrize("name", ["summary.txt", "curves.png"])
def test_the_wrong_kind_of_thing_for_a_file_no_reader_reads_refuses_a_resume(
    case, stopped, name, kind
):
    """A file nnlab writes and no reader reads (the summary's text, a figure): the resume
    said 'resuming after epoch 2', trained to the end and failed there ('summary.txt: Is a
    directory', exit 1, the run FAILED)."""
    path = stopped.file(name)
    if path.exists():
        path.unlink()
    KINDS[kind](path)
    before = snapshot(case)
    says = f"error: {path}: is {kind}, not the file nnlab writes there"
    refused(invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs"), 2, says)
    assert snapshot(case) == before


@pytest.mark.parametrize("kind", ["a folder", "a named pipe (FIFO)"])
def test_the_wrong_kind_of_thing_for_a_landscape_file_is_said_the_same_way(case, planned, kind):
    copy_runs(planned["landscape"], case / "runs")
    run = only(case / "runs")
    replaced(run.file("landscape.h5"), kind)
    says = f"{run.file('landscape.h5')}: is {kind}, not the file nnlab writes there"
    refused(invoke("runs", "show", run.path, "--runs-dir", case / "runs"), 2, f"error: {says}")


@pytest.mark.parametrize("kind", ["a file", "a named pipe (FIFO)"])
def test_the_wrong_kind_of_thing_for_a_trial_folder_is_said_the_same_way(case, planned, kind):
    copy_runs(planned["sweep"], case / "runs")
    sweep = only(case / "runs")
    trial = sorted(sweep.file(runs.TRIALS).iterdir())[0]
    shutil.rmtree(trial)
    trial.write_bytes(b"") if kind == "a file" else os.mkfifo(trial)
    says = f"{trial}: is {kind}, not the folder nnlab makes there"
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    assert says in listed.stdout, listed.stdout
    before = snapshot(case)
    refused(invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs"), 2, says)
    assert snapshot(case) == before
