"""Folders that change while they are read (fault injection, round 5): a run folder removed
or renamed while ``runs list`` or ``report`` walks the runs folder.

The listing carries on and names what went, on stderr; it is no row. ``report`` showed such a
folder DAMAGED, 'FileNotFoundError: No such file or directory', with a page saying so, and
``runs list`` passed over it without a word.
"""

from __future__ import annotations

import json
import shutil

import pytest

from nnlab.experiments import listing
from nnlab.report import collect

from .helpers import Row, copy_runs, invoke, one_line

VANISHING = [
    Row(
        "a run folder removed or renamed while the runs folder is read (`mv` or `rm -r` as "
        "it walks): named, and the rest read",
        "`nnlab report` (and `runs list`)",
        0,
        ("note: <run>: removed or renamed as the report read it (left out)",),
    ),
    Row(
        "a run's metrics.jsonl removed as it trains: the run fails at its next record (each "
        "append made the file anew, and the run went on to fail at its end: 'line 1: epoch 157 "
        "is the first')",
        "`nnlab train cfg.yaml` (`rm runs/<run>/metrics.jsonl` as it trains)",
        1,
        ("error: {run}/metrics.jsonl: removed as the run wrote it, with the lines before (run "
         "folder {run} says FAILED)",),
    ),
]  # fmt: skip


@pytest.fixture
def three(case, templates):
    """Three copies of a COMPLETED run: ``runs/a``, ``runs/b`` and ``runs/c``."""
    (case / "runs").mkdir()
    for name in "abc":
        copy_runs(templates["done"], case / name)
        (found,) = (case / name).iterdir()
        found.rename(case / "runs" / name)
    return case / "runs"


def gone_as_read(monkeypatch, module, function: str, root, how: str) -> None:
    """``module.function`` finds ``root/b`` gone (renamed to ``root/b2`` or removed) as it
    comes to read it, as another process's ``mv`` or ``rm -r`` does between the listing of
    the folder and the reading of its files."""
    real = getattr(module, function)

    def reading(first, *args, **kwargs):
        path = getattr(first, "path", first)
        if path.name == "b" and path.exists():
            if how == "renamed":
                path.rename(root / "b2")
            else:
                shutil.rmtree(path)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(module, function, reading)


@pytest.mark.parametrize("how", ["renamed", "removed"])
def test_report_names_a_folder_gone_as_it_read_and_builds_the_rest(three, monkeypatch, how):
    gone_as_read(monkeypatch, collect, "read_folder", three, how)
    row = VANISHING[0]
    built = invoke("report", "--runs-dir", "runs")
    assert built.exit_code == row.code, built.output
    assert row.parts[0].replace("<run>", "b") in built.stderr, built.stderr
    assert "DAMAGED" not in built.stderr and "2 folders" in built.stderr, built.stderr
    index = (three / "report" / "index.html").read_text()
    assert "a/index.html" in index and "c/index.html" in index and "b/index.html" not in index


@pytest.mark.parametrize("how", ["renamed", "removed"])
def test_runs_list_names_a_folder_gone_as_it_read_and_lists_the_rest(three, monkeypatch, how):
    gone_as_read(monkeypatch, listing, "_row", three, how)
    listed = invoke("runs", "list", "--runs-dir", "runs", "-f", "json")
    assert listed.exit_code == 0, listed.output
    assert [r["run"] for r in json.loads(listed.stdout)] == ["a", "c"]
    said = "note: runs/b: removed or renamed as the listing read it (left out)"
    assert listed.stderr.strip() == said, listed.stderr


def test_a_record_file_removed_as_the_run_writes_fails_it_at_once(case, monkeypatch):
    """metrics.jsonl removed as a run trains (``rm``, a clean-up script): each append made it
    anew, so the run went on for hours into a file whose records began at epoch 157, to fail
    at its end ('line 1: epoch 157 is the first; expected epoch 0'). Past epoch 0 the file is
    not made again: the run fails at the next record, saying what happened."""
    from nnlab import runs

    real = runs.RunDir.append_metric

    def append(self, record):
        if record["epoch"] == 2:
            self.file("metrics.jsonl").unlink()
        real(self, record)

    monkeypatch.setattr(runs.RunDir, "append_metric", append)
    result = invoke("train", "cfg.yaml", "-q", "--runs-dir", case / "runs")
    (run,) = runs.iter_runs(case / "runs")
    assert result.exit_code == VANISHING[1].code, result.output
    assert one_line(result.stderr) == VANISHING[1].expect(case / "runs", run.path)[0]
    assert run.meta["status"] == "FAILED" and not run.has("metrics.jsonl")
