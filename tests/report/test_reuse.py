"""A rebuild keeps what has not changed (``nnlab.report.reuse``): it reads and draws only the
folders that are new or changed, and what it writes is what a full build writes, byte for byte."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from nnlab.report import build, build_report, collect, reuse
from tests.report.helpers import completed_sweep, make_run, make_running, records

BUILT = re.compile(rb" \xc2\xb7 built [0-9: -]+<")  # the index's build time, to the minute


def tree(out: Path) -> dict[str, bytes]:
    """Every file of a report but the reuse record, the index's build time left out."""
    return {
        p.relative_to(out).as_posix(): BUILT.sub(b"<", p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != reuse.CACHE
    }


class Counted:
    """The top folders read and drawn by a build (``collect.read_folder``, ``write_pages``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        self.drawn: list[str] = []
        read, draw = collect.read_folder, build.write_pages

        def counted_read(path: Path, rel: str, parent: str | None = None) -> Any:
            if parent is None:
                self.read.append(rel)
            return read(path, rel, parent)

        def counted_draw(site: Any, entry: Any, names: Any) -> None:
            if entry.parent is None:
                self.drawn.append(entry.rel)
            draw(site, entry, names)

        monkeypatch.setattr(collect, "read_folder", counted_read)
        monkeypatch.setattr(build, "write_pages", counted_draw)

    def clear(self) -> None:
        self.read.clear()
        self.drawn.clear()


def record(out: Path) -> dict[str, Any]:
    """The report's reuse record (``reuse.CACHE``)."""
    return reuse.load_record((out / reuse.CACHE).read_bytes())


def some_runs(root: Path) -> dict[str, Path]:
    """Runs, one made from another (its page links it), and a sweep of two trials."""
    a = make_run(root, "a").path
    b = make_run(root, "b", lr=0.2).path
    c = make_run(root, "c", extended_from=str(a), from_epoch=2).path
    sweep = completed_sweep(root, "lr", {"t1": {"optimizer.lr": 0.1}, "t2": {"optimizer.lr": 0.2}})
    for tid in ("t1", "t2"):
        make_run(root, tid, folder=sweep.file("trials") / tid, trial={"id": tid, "seed": 0})
    return {"a": a, "b": b, "c": c, "sweep": sweep.path}


def test_a_rebuild_reads_and_draws_only_what_changed_and_equals_a_full_build(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    made = some_runs(root)
    out = tmp_path / "report"
    count = Counted(monkeypatch)
    build_report((), root, out)
    assert len(count.read) == len(count.drawn) == 4
    count.clear()
    build_report((), root, out)  # (nothing changed: nothing read, nothing drawn)
    assert count.read == count.drawn == []

    (made["b"] / "metrics.jsonl").write_text(  # b changed, a new run, the run c made from gone
        "".join(f'{{"epoch": {r["epoch"]}, "train_acc": 0.5}}\n' for r in records(5))
    )
    new = make_run(root, "new").path
    shutil.rmtree(made["a"])
    count.clear()
    again = build_report((), root, out)
    # (c is not read again, but drawn: the run it was made from has no page now)
    assert sorted(count.read) == sorted([made["b"].name, new.name])
    assert sorted(count.drawn) == sorted([made["b"].name, new.name, made["c"].name])

    fresh = build_report((), root, tmp_path / "fresh")
    assert tree(out) == tree(fresh.out)
    assert (again.rows, again.pages, again.figures) == (fresh.rows, fresh.pages, fresh.figures)


def test_a_partial_build_keeps_the_record_of_the_folders_it_did_not_read(tmp_path, monkeypatch):
    # (`nnlab report RUN` recorded that run alone: the next full build read every other
    # folder again; now it reads none that is unchanged, and equals a fresh full build)
    root = tmp_path / "runs"
    made = some_runs(root)
    out = tmp_path / "report"
    build_report((), root, out)
    count = Counted(monkeypatch)
    partial = build_report([made["a"].name], root, out)
    assert partial.rows == 1 and count.read == [] and count.drawn == [made["a"].name]
    assert not (out / made["b"].name).exists()  # (a partial report holds its folders alone)
    recorded = record(out)["folders"]
    assert sorted(Path(p).name for p in recorded) == sorted(p.name for p in made.values())
    count.clear()
    again = build_report((), root, out)
    assert count.read == [] and sorted(count.drawn) == sorted(p.name for p in made.values())
    fresh = build_report((), root, tmp_path / "fresh")
    assert tree(out) == tree(fresh.out)
    assert (again.rows, again.pages, again.figures) == (fresh.rows, fresh.pages, fresh.figures)
    # (a full build records what it read alone: a folder removed since is forgotten)
    shutil.rmtree(made["b"])
    build_report((), root, out)
    recorded = record(out)["folders"]
    assert made["b"].name not in {Path(p).name for p in recorded}


def test_a_running_run_a_damaged_one_and_a_page_edited_by_hand_are_done_again(
    tmp_path, monkeypatch
):
    root = tmp_path / "runs"
    running = make_running(root).path
    kept = make_run(root, "kept").path
    damaged = make_run(root, "damaged").path
    (damaged / "summary.json").write_text("{")
    out = tmp_path / "report"
    build_report((), root, out)
    first = tree(out)
    (out / kept.name / "index.html").write_text("my notes")
    count = Counted(monkeypatch)
    build_report((), root, out)
    assert sorted(count.read) == sorted([running.name, damaged.name])
    assert sorted(count.drawn) == sorted([running.name, damaged.name, kept.name])
    assert tree(out) == first


def test_a_record_of_other_code_or_unreadable_keeps_nothing(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    some_runs(root)
    out = tmp_path / "report"
    build_report((), root, out)
    first = tree(out)
    count = Counted(monkeypatch)
    monkeypatch.setattr(reuse, "code_stamp", lambda: "another nnlab")
    build_report((), root, out)
    assert len(count.read) == len(count.drawn) == 4
    (out / reuse.CACHE).write_text("{torn")
    count.clear()
    build_report((), root, out)
    assert len(count.read) == 4
    assert tree(out) == first
    recorded = record(out)  # (one of its own, edited)
    one, two, *_ = recorded["folders"].values()
    one["entry"] = {"rel": 1}
    two["files"] = None
    (out / reuse.CACHE).write_bytes(reuse.dump_record(recorded))
    count.clear()
    build_report((), root, out)
    assert len(count.read) == 2
    assert tree(out) == first


def exact(entry: collect.Entry) -> bool:
    try:
        text = json.dumps(reuse.encode(entry))
    except TypeError:
        return False
    return reuse._exact(entry, text) is not None


def test_an_entry_json_does_not_give_back_exactly_is_not_kept():
    assert not exact(collect.Entry("r", Path("r"), config={"when": dt.date(2026, 1, 1)}))
    assert not exact(collect.Entry("r", Path("r"), config={1: "a"}))  # (a key "1" in JSON)
    assert not exact(collect.Entry("r", Path("r"), config={"lr": (0.1, 0.2)}))  # (a list)
    assert exact(collect.Entry("r", Path("r"), records=[{"loss": float("nan"), "epoch": 1}]))


def test_a_record_that_cannot_be_written_fails_no_build(tmp_path, monkeypatch):
    import errno

    root = tmp_path / "runs"
    some_runs(root)
    out = tmp_path / "report"
    build_report((), root, out)
    first = tree(out)
    make_run(root, "new")

    def full(path: Path, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(reuse, "atomic_write", full)
    result = build_report((), root, out)  # (its pages written, its record not)
    assert result.rows == 5
    monkeypatch.undo()
    count = Counted(monkeypatch)
    build_report((), root, out)  # (the last record: the new run read and drawn, no other)
    assert len(count.read) == len(count.drawn) == 1
    assert tree(out) == tree(build_report((), root, tmp_path / "fresh").out) != first


def test_a_path_of_another_folder_reads_relative_and_a_rebuild_after_it_goes_equals_a_fresh_one(
    tmp_path,
):
    # (a folder's path in another's file reads relative to the runs folder; linked only where
    # the page is kept with what it links, its own folders and the run it was made from, so a
    # kept page never links the page of a folder removed since)
    from tests.report.helpers import page, write_meta

    root = tmp_path / "runs"
    made = some_runs(root)
    noting = make_run(root, "d")
    write_meta(noting, noted=str(made["b"]))
    out = tmp_path / "report"
    build_report((), root, out)
    html = page(out, noting.path)
    assert f"<td>{made['b'].name}</td>" in html and str(root) not in html.split("Reproduce")[0]
    assert f'<a href="../{made["a"].name}/index.html">' in page(out, made["c"])  # (made from)
    shutil.rmtree(made["b"])
    build_report((), root, out)
    assert tree(out) == tree(build_report((), root, tmp_path / "fresh").out)


def test_a_rebuild_keeps_the_index_rows_and_curves_of_unchanged_folders_and_shows_each_change(
    tmp_path, monkeypatch
):
    # (a rebuild of unchanged folders drew every index row and serialised every run's curves
    # into data.js again: a third of a rebuild of 300 runs; now it keeps each folder's pieces,
    # and a folder changed, removed or damaged since shows as a full build shows it)
    from nnlab.report import index, tables
    from nnlab.summary import summarize
    from tests.report.helpers import data_js, index_rows

    root = tmp_path / "runs"
    made = some_runs(root)
    make_run(root, "e")  # (the runs still differ in their lr: the other rows' columns stay)
    out = tmp_path / "report"
    build_report((), root, out)
    drawn: list[str] = []
    row, part = index.index_row, tables._curves_part
    monkeypatch.setattr(index, "index_row", lambda e, *a: drawn.append(e.rel) or row(e, *a))
    monkeypatch.setattr(tables, "_curves_part", lambda e, *a: drawn.append(e.rel) or part(e, *a))
    build_report((), root, out)
    assert drawn == []
    changed = [{**r, "test_acc": 0.5432} for r in records(5, lr=0.2)]
    (made["b"] / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in changed))
    summary = {**summarize(changed, "COMPLETED"), "status": "COMPLETED", "epochs": 5}
    (made["b"] / "summary.json").write_text(json.dumps(summary))
    shutil.rmtree(made["a"])
    (made["c"] / "meta.json").write_text("{torn")
    build_report((), root, out)
    assert sorted(set(drawn)) == sorted([made["b"].name, made["c"].name])
    rows = {r.split('data-rel="')[1].split('"')[0]: r for r in index_rows(page(out, ""))}
    assert made["a"].name not in rows and "0.5432" in rows[made["b"].name]
    assert 'data-status="DAMAGED"' in rows[made["c"].name]
    curves = data_js(out / "data.js")["curves"]
    assert made["a"].name not in curves and made["c"].name not in curves
    assert curves[made["b"].name]["curves"]["test_acc"][-1] == [5, 0.5432]
    assert tree(out) == tree(build_report((), root, tmp_path / "fresh").out)


def page(out: Path, rel: str) -> str:
    return (out / rel / "index.html").read_text(encoding="utf-8")
