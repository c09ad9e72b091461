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
]


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
