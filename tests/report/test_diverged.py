"""A DIVERGED run in the report: its curves stop before the epoch it diverged in, at a red cross,
as every figure draws it (the accuracy of a net whose outputs are NaN, 0, is no result)."""

from __future__ import annotations

import json
import re

from nnlab.report import build_report
from tests.report.helpers import completed_sweep, data_js, make_run, page, write_meta


def diverge(run, at: int) -> None:
    """Make ``run`` a run that diverged at epoch ``at``: its losses there not finite, its
    accuracies 0 (what a net of NaN scores predicts), and its summary saying so."""
    lines = run.file("metrics.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines][: at + 1]
    records[at].update(loss=None, train_loss=None, test_loss=None, train_acc=0.0, test_acc=0.0)
    run.file("metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = {"status": "DIVERGED", "epochs": at, "diverged_epoch": at}
    summary |= {f"final_{s}_{m}": None for s in ("train", "test") for m in ("loss", "acc")}
    run.file("summary.json").write_text(json.dumps(summary))
    write_meta(run, status="DIVERGED")


def points(svg: str) -> list[tuple[str, str]]:
    """(series label, epoch) of every hover mark of a chart."""
    return re.findall(r"<title>([^<,]+), epoch (\d+): [^<]*</title>", svg)


def charts(html: str) -> dict[str, str]:
    # (a chart's lines and crosses are SVGs inside it: it ends before its legend or figure's end)
    chart = r'<svg class="chart"[^>]*aria-label="([^"]+)"(.*?)</svg>(?=<div|</figure>)'
    return dict(re.findall(chart, html, re.S))


def test_a_diverged_runs_curves_stop_before_its_divergence_at_a_red_cross(tmp_path):
    # the run page drew train and test accuracy falling to 0 at the diverged epoch, as if the
    # net had been measured there; the figure beside it stops before, at a red cross
    root = tmp_path / "runs"
    run = make_run(root, "blew-up", epochs=4)
    diverge(run, 3)
    result = build_report((), root, tmp_path / "report")
    drawn = charts(page(result.out, run.path))
    for title, lines in (("loss", 3), ("accuracy", 2)):  # (objective, train, test; train, test)
        assert {epoch for _, epoch in points(drawn[title])} == {"0", "1", "2"}, title
        assert drawn[title].count('class="diverged"') == lines  # (a cross each, at epoch 3)
        assert "diverged at epoch 3</title>" in drawn[title]
    assert "diverged at epoch 3</span>" in page(result.out, run.path)  # (its legend key)
    compared = data_js(result.out / "data.js")["curves"][run.path.name]
    assert [e for e, _ in compared["curves"]["train_acc"]] == [0, 1, 2]  # (the compare view too)
    assert compared["label"] == "blew-up (diverged at epoch 3)"  # (its curve stops short: why)


def test_a_sweeps_overlay_leaves_out_a_diverged_trials_zero_accuracy(tmp_path):
    root = tmp_path / "runs"
    sweep = completed_sweep(root, "lr", {f"t{n}": {"optimizer.lr": n} for n in (1, 2)})
    for n in (1, 2):
        trial = {"id": f"t{n}", "seed": 0, "values": {"optimizer.lr": n}}
        made = make_run(root, "t", epochs=3, folder=sweep.file("trials") / f"t{n}", trial=trial)
        if n == 2:
            diverge(made, 1)
    result = build_report((), root, tmp_path / "report")
    html = page(result.out, sweep.path)
    drawn = charts(html)
    accuracy = next(svg for title, svg in drawn.items() if title.endswith("acc"))
    assert accuracy.count('class="diverged"') == 1 and ">diverged</span>" in html
    assert not re.search(r"<title>[^<]*lr=2[^<]*, epoch 1: 0</title>", accuracy)


def test_a_diverged_runs_page_says_why_under_its_title(tmp_path):
    """Its page said DIVERGED and '-' for every final metric, the reason only in an offer under
    Reproduce, after the curves, metrics and figures; now a line under the title says it."""
    root = tmp_path / "runs"
    run = make_run(root, "blew-up", epochs=4)
    diverge(run, 3)
    html = page(build_report((), root, tmp_path / "report").out, run.path)
    head = html.split("<h2>Curves</h2>", 1)[0]
    why = re.search(r'<p class="note">(diverged at epoch 3:[^<]*)</p>', head)
    assert why and "no longer finite" in why[1] and "no final values" in why[1]
    assert "lr-scan" in why[1]  # (and Reproduce has it)
    assert "lr-scan" in html.split("<h2>Reproduce</h2>", 1)[1]


def test_a_run_of_epochs_with_no_value_says_so_not_that_it_has_none(tmp_path):
    """A run whose records hold only nulls (every metric of every epoch) has no curve to draw:
    its page said 'no epochs recorded' of a run of 6 records."""
    root = tmp_path / "runs"
    run = make_run(root, "nothing-measured", epochs=5)
    records = [json.loads(line) for line in run.file("metrics.jsonl").read_text().splitlines()]
    keep = ("epoch", "steps", "seconds")
    records = [{k: (v if k in keep else None) for k, v in r.items()} for r in records]
    run.file("metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = json.loads(run.file("summary.json").read_text())  # (as the records: no values)
    summary = {k: (None if k.startswith(("final_", "best_")) else v) for k, v in summary.items()}
    run.file("summary.json").write_text(json.dumps(summary))
    html = page(build_report((), root, tmp_path / "report").out, run.path)
    assert "COMPLETED</span></h1>" in html
    assert "6 epoch records, none with a value to draw (all null)" in html
    assert "no epochs recorded" not in html
