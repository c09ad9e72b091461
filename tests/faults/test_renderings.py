"""A folder's renderings (summary.txt, summary.csv, its figures: ``nnlab.renderings``) are
whole where they are there, or the folder is DAMAGED in every reader. Something other than a
file where one goes (a folder, a named pipe), or garbage there, in a COMPLETED run or sweep was
listed COMPLETED by ``runs list``, ``runs show`` and ``report``, while only a resume refused
it. None needs to be there: a folder without its figure or its summary.txt reads as sound."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from nnlab import runs
from nnlab.report import collect

from .helpers import Row, copy_runs, invoke, only, refused

RENDERINGS = Row(
    "something other than a whole file where a folder's rendering goes (a folder, a named "
    "pipe, garbage, an empty or cut summary.txt or summary.csv, a curves.png that is no "
    "PNG), in every reader (it was listed COMPLETED; only a resume refused it); one missing is "
    "no damage (a run made from Python with `plot=False` has no figure): no command reads one back",
    "`nnlab runs show RUN` (and `runs compare`, `--resume`; `runs list`, `report`: DAMAGED)",
    2,
    ("error: {run}/curves.png: not a PNG file (it does not start as one); nnlab draws it whole "
     "(edited? no command reads it back: remove it, and the folder reads whole)",),
)  # fmt: skip

PNG_HEAD = b"\x89PNG\r\n\x1a\n"
# fault -> (what is put where the rendering goes, what a reader says of it after the path)
FAULTS = {
    "a folder": (None, "is a folder, not the file nnlab writes there"),
    "a named pipe": (None, "is a named pipe (FIFO), not the file nnlab writes there"),
    "not UTF-8": (b"\xff\xfe garbage\n", "not UTF-8 text (byte 0)"),
    "empty": (b"", "empty; nnlab writes it whole"),
    "cut short": (b"trial,lr\nab,0.1", "cut short (no newline at its end); nnlab writes it"),
    "ragged": (b"trial,lr\nab,0.1,x\n", "not the table nnlab writes (its rows are ragged)"),
    "text as a figure": (b"not a figure\n", "not a PNG file (it does not start as one)"),
    "a cut figure": (PNG_HEAD + b"\0" * 40, "a PNG file cut short (it does not end as one)"),
}
CASES = [
    ("train", "summary.txt", "a folder"),
    ("train", "summary.txt", "a named pipe"),
    ("train", "summary.txt", "not UTF-8"),
    ("train", "summary.txt", "empty"),
    ("train", "curves.png", "a folder"),
    ("train", "curves.png", "text as a figure"),
    ("train", "curves.png", "a cut figure"),
    ("sweep", "summary.csv", "a folder"),
    ("sweep", "summary.csv", "cut short"),
    ("sweep", "summary.csv", "ragged"),
    ("sweep", "summary.txt", "empty"),
    ("sweep", "curves.png", "text as a figure"),
]


def _put(path, fault: str) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    data, _ = FAULTS[fault]
    if fault == "a folder":
        path.mkdir()
    elif fault == "a named pipe":
        os.mkfifo(path)
    else:
        path.write_bytes(data)


def _listed(root) -> dict:
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
    return row


@pytest.mark.parametrize(("kind", "name", "fault"), CASES)
def test_a_rendering_not_whole_is_damage_in_every_reader(case, planned, kind, name, fault):
    root = case / "runs"
    copy_runs(planned[kind], root)
    run = only(root)
    path = run.file(name)
    _put(path, fault)
    says = f"{path}: {FAULTS[fault][1]}"
    row = _listed(root)
    assert row["status"] == "DAMAGED" and says in row["reason"], row
    refused(invoke("runs", "show", run.path, "--runs-dir", root), 2, f"error: {says}")
    refused(invoke("runs", "compare", run.path, "--runs-dir", root), 2, f"error: {says}")
    if (kind, fault) in (("train", "a folder"), ("sweep", "text as a figure")):
        (entry,) = collect.collect((), root)
        assert entry.status == "DAMAGED" and says in (entry.damage or ""), entry


def test_the_readme_row_is_what_runs_show_says(case, planned):
    root = case / "runs"
    copy_runs(planned["train"], root)
    run = only(root)
    _put(run.file("curves.png"), "text as a figure")
    refused(invoke("runs", "show", run.path), 2, *RENDERINGS.expect(root, run.path))


@pytest.mark.parametrize("kind", ["train", "sweep"])
def test_a_missing_rendering_is_no_damage(case, planned, kind):
    """``plot=False`` draws no figure, and a user may remove one: no reader reads it back."""
    root = case / "runs"
    copy_runs(planned[kind], root)
    run = only(root)
    for name in ("curves.png", "summary.txt", "summary.csv"):
        run.file(name).unlink(missing_ok=True)
    row = _listed(root)
    assert row["status"] == "COMPLETED" and "reason" not in row, row
    assert invoke("runs", "show", run.path, "--runs-dir", root).exit_code == 0


def test_a_trials_rendering_not_whole_is_told_by_the_quick_reading(case, planned):
    """``runs list`` reads a sweep's trials quickly (``outline.looks_whole``): a trial's
    summary.txt edited since (its times set back) is read whole, and the trial named."""
    root = case / "runs"
    copy_runs(planned["sweep"], root)
    sweep = only(root)
    trial = sorted(sweep.file(runs.TRIALS).iterdir())[0]
    said = os.stat(trial / "meta.json")
    (trial / "summary.txt").write_bytes(b"\xff\n")
    os.utime(trial / "summary.txt", ns=(said.st_atime_ns, said.st_mtime_ns))
    row = _listed(root)
    assert row["status"] == "COMPLETED" and "1 of 2 trials DAMAGED" in row["reason"], row
    shown = invoke("runs", "show", sweep.path, "-f", "json", "--runs-dir", root).stdout
    assert f"{trial}/summary.txt: not UTF-8 text (byte 0)" in shown
