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
