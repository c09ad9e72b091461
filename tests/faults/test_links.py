"""Symbolic links in and around the runs folder (fault injection, round 5): a run file that is a
link to nothing or a link loop, a report whose folders are links to elsewhere.

A run file that was a link leading nowhere was read as no file: a meta.json that was a loop was
'missing', a metrics.jsonl linked to a file removed since was a run with 'no records' (which its
meta.json then contradicted). Every reader now says what is there, through ``fileio.there``,
the one question 'is this run file there' every reader of a folder asks.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from nnlab import runs

from .helpers import Row, file_bytes, invoke, refused, snapshot

LINKS = [
    Row(
        "a run file that is a symlink to nothing (its target removed), or a symlink loop",
        "`nnlab runs show RUN` (and every reader; `runs list`: DAMAGED)",
        2,
        ("error: {run}/metrics.jsonl: a symlink to gone.jsonl, which is not there",),
    ),
    Row(
        "a symlink to nothing, or a symlink loop, in the runs folder itself (`ln -s /gone "
        "runs/x`, `ln -s loop1 runs/loop1`): listed DAMAGED, named, not passed over",
        "`nnlab runs show x` (and `latest`, `report`; `runs list`: DAMAGED)",
        2,
        ("error: {runs}/x: a symlink to /gone, which is not there",),
    ),
    Row(
        "an output path that is a symlink to nothing or a loop, in every option that takes one "
        "(`--out`, `--png`, `report --out`, `--report`'s folder, `--runs-dir`), or in such a "
        "link: refused naming it (a `--png` replaced it)",
        "`nnlab report --out notes` (`notes` a link to `/gone`)",
        2,
        (
            "error: --out: 'notes' is a symlink to /gone, which is not there; give another --out "
            "(see nnlab report -h)",
        ),
    ),
    Row(
        "a folder of a report that is a symlink to a folder elsewhere (a run's pages, "
        "`_assets`): replaced by the report's own folder, never written through",
        "`nnlab report` (`runs/report/<run>` a link to `~/notes`)",
        0,
        ("1 folder, 2 pages, 1 figure",),
    ),
    Row(
        "a run file that is a hard link (its file has another name, elsewhere), in every "
        "resume and every trial a sweep's or a tune's resume continues: refused before it "
        "begins, as a symlink is (a landscape's resume filled in the points of landscape.h5 in "
        "place, and so of the file under its other name); readers read it",
        "`nnlab landscape --resume RUN` (`ln RUN/landscape.h5 ~/keep.h5`)",
        2,
        ("error: {run}/landscape.h5: a hard link (its file has 2 names); a resume writes into "
         "the folder's own files, and would change it under its other names too: make it a "
         "file of its own first (copy it beside it, then move the copy over it)",),
    ),
]  # fmt: skip


def link(run, name: str, target: str) -> None:
    run.file(name).unlink()
    run.file(name).symlink_to(target)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["meta.json", "metrics.jsonl", "summary.json", "config.yaml"])
@pytest.mark.parametrize("how", ["nowhere", "loop"])
def test_a_run_file_linked_nowhere_is_said_so_by_every_reader(case, stopped, name, how):
    if how == "nowhere":
        link(stopped, name, "gone.jsonl")
        said = f"runs/{stopped.id}/{name}: a symlink to gone.jsonl, which is not there"
    else:
        link(stopped, name, "other")
        stopped.file("other").symlink_to(name)
        said = f"runs/{stopped.id}/{name}: a symlink loop (to other, which leads back round"
    before = file_bytes(stopped.path)
    row = LINKS[0]
    shown = invoke("runs", "show", stopped.id, "--runs-dir", "runs")
    line = refused(shown, row.code, said)
    if name == "metrics.jsonl" and how == "nowhere":
        assert line == row.expect("runs", f"runs/{stopped.id}")[0], line
    listed = invoke("runs", "list", "--runs-dir", "runs", "-f", "json")
    (found,) = json.loads(listed.stdout)
    assert found["status"] == "DAMAGED" and found["reason"].startswith(said), found
    resumed = invoke("train", "--resume", stopped.id, "--runs-dir", "runs")
    refused(resumed, 2, f"runs/{stopped.id}/")
    assert file_bytes(stopped.path) == before
    report = invoke("report", "--runs-dir", "runs")
    assert report.exit_code == 0, report.output
    page = (stopped.path.parent / "report" / stopped.id / "index.html").read_text()
    assert said.split(": ", 1)[1][:30] in page


@pytest.mark.parametrize("linked", ["<run>", "_assets"])
def test_a_report_never_writes_through_a_link_to_a_folder_elsewhere(case, done, linked):
    """A folder of the report that is a link to a folder outside it had the run's pages and
    figures written there, over files of the same name (index.html, curves.png)."""
    row = LINKS[3]
    assert invoke("report", "--runs-dir", "runs").exit_code == 0
    report = case / "runs" / "report"
    elsewhere = case / "notes"
    elsewhere.mkdir()
    mine = {"index.html": "my notes\n", "curves.png": "my figure\n", "report.css": "mine\n"}
    for name, text in mine.items():
        (elsewhere / name).write_text(text)
    folder = report / linked.replace("<run>", done.id)
    shutil.rmtree(folder)
    folder.symlink_to(elsewhere)
    done.file("curves.png").touch()  # (a figure changed since: copied again)
    built = invoke("report", "--runs-dir", "runs")
    assert built.exit_code == row.code, built.output
    assert row.parts[0] in built.stderr, built.stderr
    assert {p.name: p.read_text() for p in elsewhere.iterdir()} == mine
    assert folder.is_dir() and not folder.is_symlink()
    assert any(folder.iterdir())


@pytest.mark.parametrize("how", ["nowhere", "loop"])
def test_a_link_nowhere_in_the_runs_folder_is_listed_damaged_and_named(case, done, how):
    """A link in the runs folder itself that leads to nothing (a run folder linked in from a
    disk since removed) or round a loop was passed over by ``runs list`` and ``report``
    without a word, and ``runs show x`` said 'no run folder under runs matches'; ``report``
    of a loop failed whole ('unexpected RuntimeError: Symlink loop')."""
    runs_dir = case / "runs"
    if how == "nowhere":
        (runs_dir / "x").symlink_to("/gone")
        said = "runs/x: a symlink to /gone, which is not there"
    else:
        (runs_dir / "x").symlink_to("x")
        said = "runs/x: a symlink loop (to x, which leads back round to it)"
    row = LINKS[1]
    shown = invoke("runs", "show", "x", "--runs-dir", "runs")
    line = refused(shown, row.code, said)
    if how == "nowhere":
        assert line == row.expect("runs")[0], line
    refused(invoke("runs", "show", "runs/x", "--runs-dir", "runs"), 2, said)
    listed = invoke("runs", "list", "--runs-dir", "runs", "-f", "json")
    assert listed.exit_code == 0, listed.output
    found = {row["run"]: row for row in json.loads(listed.stdout)}
    assert found[done.id]["status"] == "COMPLETED"
    assert found["x"]["status"] == "DAMAGED" and found["x"]["reason"] == said, found
    refused(invoke("runs", "show", "latest", "--runs-dir", "runs"), 2, said)
    removed = invoke("runs", "remove", "x", "--runs-dir", "runs", "--yes")
    refused(removed, 2, said, "remove the link itself with rm")
    assert os.path.islink(runs_dir / "x")
    report = invoke("report", "--runs-dir", "runs")
    assert report.exit_code == 0, report.output
    assert "x: DAMAGED" in report.stderr, report.stderr
    page = (runs_dir / "report" / "x" / "index.html").read_text()
    assert said.split(": ", 1)[1] in page


OUTPUTS = {  # every option that names where output goes, given VALUE (a link to nothing)
    "report --out": (["report", "--out", "VALUE"], "--out"),
    "lr-scan --out": (["lr-scan", "cfg.yaml", "--num", "2", "--out", "VALUE"], "--out"),
    "lr-scan --out, in it": (["lr-scan", "cfg.yaml", "--num", "2", "--out", "VALUE/new"], "--out"),
    "landscape --out": (["landscape", "cfg.yaml", "--points", "3", "--out", "VALUE"], "--out"),
    "tune --out": (["tune", "cfg.yaml", "--trials", "2", "--out", "VALUE"], "--out"),
    "lr-scan --png": (["lr-scan", "cfg.yaml", "--num", "2", "--png", "VALUE"], "--png"),
    "lr-scan --png, named .png": (["lr-scan", "cfg.yaml", "--num", "2", "--png", "VALUE.png"],
                                  "--png"),
    "runs compare --png": (["runs", "compare", "latest", "--png", "VALUE"], "--png"),
    "train --runs-dir": (["train", "cfg.yaml", "--runs-dir", "VALUE"], "--runs-dir"),
    "train --report": (["train", "cfg.yaml", "--report"], "--report"),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("how", ["nowhere", "loop"])
@pytest.mark.parametrize("given", list(OUTPUTS))
def test_an_output_path_that_is_a_link_nowhere_is_refused_naming_it(case, done, given, how):
    """A dangling link or a loop given where output goes was refused as something else
    ('exists and is not a folder', 'already exists', 'expected a file name ending in .png',
    '--runs-dir: cannot be resolved (Symlink loop from ...)'), or, as a --png, replaced by the
    figure without a word. One line names the link and where it leads, before any work."""
    from .test_names import ONE_SHAPE

    args, option = OUTPUTS[given]
    value = "notes.png" if given.endswith(".png") else "notes"
    link = case / ("runs/report" if option == "--report" else value)
    if option == "--report":
        shutil.rmtree(link, ignore_errors=True)
    if how == "nowhere":
        link.symlink_to("/gone")
        said = "is a symlink to /gone, which is not there"
    else:
        link.symlink_to(link.name)
        said = f"is a symlink loop (to {link.name}, which leads back round to it)"
    shown = "runs/report" if option == "--report" else value
    args = [a.replace("VALUE.png", value).replace("VALUE", value) for a in args]
    if option != "--runs-dir":
        args += ["--runs-dir", "runs"]
    before = snapshot(case.parents[2])
    line = refused(invoke(*args), 2, f"error: {option}: ", f"'{shown}' {said}")
    assert ONE_SHAPE.fullmatch(line), line
    assert snapshot(case.parents[2]) == before and os.path.islink(link)
    if given == "report --out" and how == "nowhere":
        assert line == LINKS[2].parts[0], line


def interrupted_landscape(case, monkeypatch) -> runs.RunDir:
    """A landscape stopped by SIGTERM after its line and one grid row's first write."""
    import signal

    import h5py

    real, calls = h5py.Dataset.__setitem__, []

    def set_then_signal(self, key, value):
        real(self, key, value)
        calls.append(self.name)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(h5py.Dataset, "__setitem__", set_then_signal)
    result = invoke("landscape", "cfg.yaml", "--points", "3", "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 130, result.output
    monkeypatch.undo()
    return next(runs.iter_runs(case / "runs"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["landscape.h5", "config.yaml"])
def test_a_landscape_file_hard_linked_elsewhere_is_never_written_through(case, monkeypatch, name):
    """landscape.h5 is filled in place (``landscape_file.store``): a resume of a folder whose
    file had a second name outside the runs folder (``ln``, ``cp -al``) changed that file
    too. Every resume refuses a folder holding a file of more than one name, before it
    begins; the readers read it."""
    run = interrupted_landscape(case, monkeypatch)
    keep = case / "keep"
    os.link(run.file(name), keep)
    before, kept = snapshot(case / "runs"), keep.read_bytes()
    resumed = invoke("landscape", "--resume", run.path, "-q", "--runs-dir", case / "runs")
    said = f"{run.file(name)}: a hard link (its file has 2 names); a resume writes into"
    line = refused(resumed, 2, said)
    if name == "landscape.h5":
        assert line == LINKS[4].expect("runs", run.path)[0], line
    assert keep.read_bytes() == kept and snapshot(case / "runs") == before
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    assert json.loads(listed.stdout)[0]["status"] == "INTERRUPTED", listed.output


@pytest.mark.parametrize("name", ["metrics.jsonl", "checkpoint.npz"])
@pytest.mark.parametrize("where", ["run", pytest.param("trial", marks=pytest.mark.slow)])
def test_a_run_file_hard_linked_elsewhere_refuses_every_resume(case, stopped, name, where):
    """A train run's file with another name, or a sweep trial's (the sweep resumed to run a
    trial whose folder was removed): refused as a symlink is, nothing changed."""
    target, args = stopped, ["train", "--resume", stopped.path]
    if where == "trial":
        shutil.rmtree(stopped.path)
        made = invoke("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "-q", "--runs-dir",
                      case / "runs")  # fmt: skip
        assert made.exit_code == 0, made.output
        sweep = next(runs.iter_runs(case / "runs"))
        target, gone = (runs.RunDir(p) for p in sorted((sweep.path / "trials").iterdir()))
        shutil.rmtree(gone.path)  # (a trial to run again: the sweep has work)
        args = ["sweep", "--resume", sweep.path]
    os.link(target.file(name), case / "keep")
    before = snapshot(case / "runs")
    said = f"{target.file(name)}: a hard link (its file has 2 names)"
    refused(invoke(*args, "--runs-dir", case / "runs"), 2, said)
    assert snapshot(case / "runs") == before
