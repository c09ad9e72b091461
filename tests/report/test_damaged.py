"""Damaged, odd and unfinished folders: each is a row that says what it is, never a failed build."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from nnlab import runs
from nnlab.report import build_report, pages
from tests.report.helpers import (
    a_png,
    files,
    index_rows,
    make_run,
    make_running,
    new_folder,
    page,
    write_meta,
)


def row_of(html: str, name: str) -> str:
    return next(r for r in index_rows(html) if name in r)


def damage_meta(run: runs.RunDir, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    run.file("meta.json").write_bytes(data)


DAMAGE = {
    "meta-not-json": (lambda r: damage_meta(r, "{not json"), r"meta.json: not valid JSON"),
    "meta-a-list": (
        lambda r: damage_meta(r, "[1, 2]"),
        r"meta.json: expected a JSON object, got list",
    ),
    "meta-null": (
        lambda r: damage_meta(r, "null"),
        r"meta.json: expected a JSON object, got (null|NoneType)",
    ),
    "meta-not-utf8": (
        lambda r: damage_meta(r, b"\xff\xfe\x00\x81"),
        r"meta.json: (UnicodeDecodeError|not UTF-8)",
    ),
    "meta-a-folder": (
        lambda r: (r.file("meta.json").unlink(), r.file("meta.json").mkdir()),
        "meta.json: is a folder, not the file nnlab writes there",
    ),
    "summary-a-string": (
        lambda r: r.file("summary.json").write_text('"oops"'),
        "summary.json: expected a JSON object, got str",
    ),
    "summary-truncated": (
        lambda r: r.file("summary.json").write_text('{"status": "COMP'),
        "summary.json: not valid JSON",
    ),
    "metrics-line-a-list": (
        lambda r: r.file("metrics.jsonl").write_text("[1, 2]\n"),
        r"metrics.jsonl: line 1",
    ),
    "config-malformed": (
        lambda r: r.file("config.yaml").write_text("model: [1, 2\n"),
        "malformed YAML",
    ),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_folder_is_a_damaged_row_with_its_reason(tmp_path, case):
    root = tmp_path / "runs"
    make_run(root, "healthy")
    broken = make_run(root, "broken")
    spoil, reason = DAMAGE[case]
    spoil(broken)
    result = build_report((), root)
    html = result.index.read_text()
    assert 'data-status="DAMAGED"' in row_of(html, broken.id)
    assert re.search(reason, row_of(html, broken.id))  # the reason names the file
    assert 'data-status="COMPLETED"' in row_of(html, "healthy")
    assert result.damaged == (broken.id,)
    assert re.search(reason, page(result.out, broken.path))


def test_odd_values_in_a_readable_folder_do_not_break_the_build(tmp_path):
    root = tmp_path / "runs"
    odd = make_run(root, "odd")
    meta = {"status": 5, "argv": "not a list", "started": 12, "name": ["x"], "trial": "x"}
    odd.file("meta.json").write_text(json.dumps(meta))
    odd.file("summary.json").write_text(json.dumps({"final_test_acc": "high", "epochs": [1]}))
    odd.file("metrics.jsonl").write_text('{"epoch": "one", "train_acc": "high"}\n{"epoch": 2}\n')
    (odd.path / "broken.png").write_bytes(b"not a png at all")
    result = build_report((), root)
    assert result.rows == 1 and (result.out / odd.id / "index.html").is_file()
    # (a figure that is not one is left out, saying so: test_figures)
    assert not (result.out / odd.id / "broken.png").exists()
    assert (
        "left out: broken.png: not a PNG file" in (result.out / odd.id / "index.html").read_text()
    )


def test_a_page_that_cannot_be_drawn_makes_its_folder_damaged(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    make_run(root, "fine")
    victim = make_run(root, "victim")
    original = pages.run_page

    def run_page(entry, names):
        if entry.rel == victim.id:
            raise KeyError("something unexpected")
        return original(entry, names)

    monkeypatch.setattr(pages, "run_page", run_page)
    result = build_report((), root)
    assert result.damaged == (victim.id,)
    assert "could not show it: KeyError" in page(result.out, victim.path)
    assert 'data-status="COMPLETED"' in row_of(result.index.read_text(), "fine")


def test_a_running_run_shows_its_epochs_so_far(tmp_path):
    root = tmp_path / "runs"
    run = make_running(root)
    result = build_report((), root)
    row = row_of(result.index.read_text(), run.id)
    assert 'data-status="RUNNING"' in row and 'class="pick"' in row
    html = page(result.out, run.path)
    assert html.count('<svg class="chart"') == 2 and "epoch 2" in html
    assert "so far" in html and "0.6833" in html  # its last epoch's train acc: 1 - 0.9/3


def test_a_run_whose_process_is_gone_is_stale(tmp_path):
    root = tmp_path / "runs"
    run = make_running(root)
    done = subprocess.run(["true"], check=True)
    gone = subprocess.Popen(["true"])
    gone.wait()
    write_meta(run, pid=gone.pid)
    assert done.returncode == 0
    result = build_report((), root)
    assert 'data-status="STALE"' in row_of(result.index.read_text(), run.id)


def make_sweep(root: Path, trials: list[str]) -> runs.RunDir:
    """A sweep folder by hand: sweep.yaml planning ``trials``, one trial folder each but the last."""
    sweep = new_folder(root, "sweep-hand")
    write_meta(
        sweep, run_id=sweep.id, kind="sweep", name="hand", status="RUNNING", host="elsewhere"
    )
    planned = "".join(
        f"- id: {t}\n  seed: {i}\n  values: {{optimizer.lr: {0.1 / (i + 1)}}}\n"
        for i, t in enumerate(trials)
    )
    spec = "spec: {kind: grid, params: {optimizer.lr: [0.1, 0.05, 0.033]}}\n"
    sweep.file("sweep.yaml").write_text(f"name: hand\n{spec}base: {{}}\ntrials:\n{planned}")
    for i, t in enumerate(trials[:-1]):
        values = {"optimizer.lr": 0.1 / (i + 1)}
        make_run(
            root,
            "hand",
            lr=values["optimizer.lr"],
            folder=sweep.file("trials") / t,
            kind="train",
            trial={"id": t, "values": values},
        )
    return sweep


def test_a_sweep_with_a_damaged_and_a_pending_trial(tmp_path):
    root = tmp_path / "runs"
    sweep = make_sweep(root, ["aaa", "bbb", "ccc"])
    (sweep.file("trials") / "bbb" / "meta.json").write_text("{torn")
    result = build_report((), root)
    html = page(result.out, sweep.path)
    statuses = [
        r.split('data-status="')[1].split('"')[0]
        for r in html.split("<tr ")[1:]
        if 'data-kind="trial"' in r
    ]
    assert statuses == ["COMPLETED", "DAMAGED", "PENDING"]
    assert result.damaged == (f"{sweep.id}/trials/bbb",)
    assert "not valid JSON" in page(result.out, f"{sweep.id}/trials/bbb")
    assert html.split('<svg class="chart"', 2)[1].count('<g class="series"') == 1


def test_a_damaged_sweep_definition_is_a_damaged_row(tmp_path):
    root = tmp_path / "runs"
    sweep = make_sweep(root, ["aaa"])
    sweep.file("sweep.yaml").write_text("trials: [oops\n")
    result = build_report((), root)
    assert 'data-status="DAMAGED"' in row_of(result.index.read_text(), sweep.id)


def test_folders_without_meta_are_other_rows(tmp_path):
    root = tmp_path / "runs"
    (root / "empty").mkdir(parents=True)
    (root / "notes").mkdir()
    (root / "notes" / "result.json").write_text('{"answer": 42}')
    (root / ".hidden").mkdir()
    result = build_report((), root)
    rows = index_rows(result.index.read_text())
    assert len(rows) == 2 and all('data-kind="other"' in r for r in rows)
    assert "answer" in page(result.out, "notes")
    assert len(files(result.out)) >= 5


def test_a_figure_that_is_a_symlink_is_not_copied_into_the_report(tmp_path):
    # (a curves.png linking to /etc/passwd was copied into the report, made to be shared)
    root = tmp_path / "runs"
    run = make_run(root, "linked")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for sharing\n")
    (run.path / "curves.png").symlink_to(secret)
    (run.path / "other.png").write_bytes(a_png())  # (a whole one: test_figures)
    result = build_report((), root)
    assert not (result.out / run.id / "curves.png").exists()
    assert (result.out / run.id / "other.png").is_file()
    assert "not for sharing" not in "".join(
        p.read_text(errors="replace") for p in result.out.rglob("*") if p.is_file()
    )


def test_the_index_counts_a_folder_without_meta_json_as_such_not_as_a_dash(tmp_path):
    # the index's first line read "(13 COMPLETED, 2 DAMAGED, 1 DIVERGED, 1 INTERRUPTED, 1 -)"
    root = tmp_path / "runs"
    make_run(root, "fine")
    (root / "20261206-050701-made-by-hand").mkdir()
    html = build_report((), root).index.read_text()
    assert "(1 COMPLETED, 1 without meta.json)" in html and " 1 -)" not in html


def test_what_a_removal_that_stopped_left_says_what_it_is(tmp_path):
    # (a '.<run>.removing' folder read kind 'other', named '.<run>.removing', its subtitle and
    # the warning naming its page's folder '<run>.removing-2', its notes '/home/me/runs/.2026…')
    root = tmp_path / "runs"
    run = make_run(root, "gone")
    left = root / f".{run.id}.removing"
    run.path.rename(left)
    result = build_report((), root, tmp_path / "report")
    assert result.damaged == (left.name,)  # (as the folder is named: runs list names it so)
    html = page(result.out, left.name[1:])  # (its page: the name without the dot)
    assert f'<p class="sub">half removed · {left.name}</p>' in html
    assert "<h1>gone-" in html and "whose removal stopped part way" in html
    row = row_of(result.index.read_text(), run.id)
    assert 'data-kind="half removed"' in row
    assert f'<summary title="what is left of {run.path}, whose removal' in row


def test_an_errors_notes_name_its_file_in_the_folder_not_the_whole_path(tmp_path):
    # (a FAILED run's notes read '/tmp/.../runs/2026…', cut by the column, where its error
    # was '<folder>/checkpoint.npz: File too large')
    root = tmp_path / "runs"
    run = make_run(root, "failed", status="FAILED")
    write_meta(run, error=f"{run.path}/checkpoint.npz: File too large")
    result = build_report((), root, tmp_path / "report")
    assert '<summary title="checkpoint.npz: File too large">' in result.index.read_text()
    assert f"{run.path}/checkpoint.npz: File too large" in page(result.out, run.path)  # (whole)


def test_a_builds_damage_is_grouped_by_the_folder_of_the_runs_folder_it_is_in(tmp_path):
    """``ReportResult.damage``: what ``nnlab report`` warns of, a group per folder of the runs
    folder (a folder itself on its own, a sweep's trials together, a tune's rounds together),
    DAMAGED, then UNREADABLE, then MISSING of sweeps, then of tunes; each in the order met."""
    from nnlab.report import Damage, ReportResult

    result = ReportResult(
        tmp_path, tmp_path / "index.html", 4, 9, 0,
        damaged=("s", "s/trials/a", "one", "s/trials/b"),
        missing=(("t/rounds/r2", "tune"), ("s/trials/c", "sweep"), ("t/rounds/r3", "tune")),
        unreadable=("u/trials/x",),
    )  # fmt: skip
    groups = result.damage()
    assert groups == [
        Damage("DAMAGED", ("s",)),
        Damage("DAMAGED", ("s/trials/a", "s/trials/b")),
        Damage("DAMAGED", ("one",)),
        Damage("UNREADABLE", ("u/trials/x",)),
        Damage("MISSING", ("s/trials/c",), "sweep"),
        Damage("MISSING", ("t/rounds/r2", "t/rounds/r3"), "tune"),
    ]
    assert [(g.folder, g.noun) for g in groups] == [
        ("s", "folder"), ("s", "trial"), ("one", "folder"), ("u", "trial"), ("s", "trial"),
        ("t", "round"),
    ]  # fmt: skip
    assert ReportResult(tmp_path, tmp_path / "index.html", 0, 1, 0, damaged=()).damage() == []


def curves_section(html: str) -> str:
    return html.split("<h2>Curves</h2>", 1)[1].split("</section>", 1)[0]


def cut_line(run: runs.RunDir, number: int, keep: int = 50, newline: bool = True) -> None:
    """Line ``number`` of the run's metrics.jsonl cut to its first ``keep`` bytes."""
    lines = run.file("metrics.jsonl").read_bytes().split(b"\n")
    lines[number - 1] = lines[number - 1][:keep]
    text = b"\n".join(lines)
    run.file("metrics.jsonl").write_bytes(text if newline else text.rstrip(b"\n"))


def test_a_damaged_runs_page_draws_the_epochs_that_read_with_a_gap_at_a_cut_line(tmp_path):
    # (a line cut in half among 20 left the page without a curve: only why it was DAMAGED)
    root = tmp_path / "runs"
    run = make_run(root, "cut", epochs=20)
    cut_line(run, 11)
    result = build_report((), root)
    html = page(result.out, run.path)
    assert "metrics.jsonl: line 11: not a JSON record" in html  # (why: the strict reader's)
    curves = curves_section(html)
    assert (
        "the 20 epoch records of metrics.jsonl that read (epochs 0 to 20); line 11 could not "
        "be read" in curves
    )
    loss = curves.split('data-label="train loss"', 1)[1].split('<path d="', 1)[1].split('"')[0]
    assert loss.count("M") == 2 and loss.count("L") == 18  # (0-9 and 11-20: a gap at 10)
    row = row_of(result.index.read_text(), "cut")
    assert "DAMAGED" in row and "0.9" not in row  # (no final accuracy from a damaged file)


def test_a_completed_runs_torn_last_line_a_missing_meta_json_or_config_keep_their_curves(tmp_path):
    root = tmp_path / "runs"
    torn = make_run(root, "torn", epochs=20)
    cut_line(torn, 21, newline=False)  # (killed mid-write; meta.json says COMPLETED)
    no_meta = make_run(root, "no-meta", epochs=4)
    no_meta.file("meta.json").unlink()
    no_config = make_run(root, "no-config", epochs=3)
    no_config.file("config.yaml").unlink()
    result = build_report((), root)
    lost = page(result.out, no_config.path)  # (its records read whole: drawn as they are)
    assert "config.yaml: missing" in lost and curves_section(lost).count('<svg class="chart"') == 2
    torn_page = page(result.out, torn.path)
    assert "DAMAGED" in torn_page and "(epochs 0 to 19); line 21 could not be read" in torn_page
    assert curves_section(torn_page).count('<svg class="chart"') == 2  # (loss, accuracy)
    gone = page(result.out, no_meta.path)
    assert "meta.json: missing" in gone
    assert "the 5 epoch records of metrics.jsonl that read (epochs 0 to 4)<" in gone
    assert curves_section(gone).count('<svg class="chart"') == 2


def test_a_metrics_file_of_which_no_line_reads_says_so_and_draws_nothing(tmp_path):
    root = tmp_path / "runs"
    run = make_run(root, "garbage", epochs=7)
    run.file("metrics.jsonl").write_bytes(b"\x00\x01\n" * 8)
    curves = curves_section(page(build_report((), root).out, run.path))
    assert "lines 1, 2, 3, 4, 5 and 3 more could not be read" in curves
    assert '<svg class="chart"' not in curves


def test_the_readable_records_keep_each_epoch_once_in_order():
    from nnlab.report.salvage import Readable, said, with_gaps

    records = [{"epoch": 0}, {"epoch": 1}, {"epoch": 4}]
    assert with_gaps(records) == [{"epoch": 0}, {"epoch": 1}, {"epoch": 2}, {"epoch": 4}]
    assert (
        said(Readable([{"epoch": 3}], []))
        == "the 1 epoch record of metrics.jsonl that read (epoch 3)"
    )


def test_a_record_with_a_number_past_a_float_is_a_line_not_read(tmp_path):
    # (JSON reads 'train_loss': 1 and 400 zeros as an int; kept, drawing it raised
    # OverflowError and the run's page said 'could not show it' in place of its damage)
    from nnlab.report.salvage import readable

    path = tmp_path / "metrics.jsonl"
    big = "1" + "0" * 400
    path.write_text(
        f'{{"epoch": 0, "train_loss": {big}}}\n{{"epoch": 1, "train_loss": 0.5, "n": 3}}\n'
    )
    read = readable(path)
    assert [r["epoch"] for r in read.records] == [1]
    assert read.unread == [1]


def test_the_salvage_of_a_named_pipe_reads_nothing_and_does_not_wait(tmp_path):
    # (metrics.jsonl a FIFO: the salvage's read_bytes waited for a writer, and the report hung)
    import os

    from nnlab.report.salvage import readable

    path = tmp_path / "metrics.jsonl"
    os.mkfifo(path)
    assert readable(path).records == []
