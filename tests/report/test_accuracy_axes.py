"""The accuracy axis of the report's charts (a run's page, a sweep's, the compare view): the
range the figures give the same curves (``plots.accuracy``), its label saying where it starts.
A digits run's curves, 0.95-1 from epoch 2 on, sat flat in a 0..1 axis's top twentieth."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nnlab.report import build_report
from nnlab.report.svg import Series, accuracy_axis, line_chart
from tests.report.helpers import make_run, page

CHROMIUM = os.environ.get("NNLAB_CHROMIUM") or next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None
)
IN_CHROMIUM = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium)"
)
Y_TICK = re.compile(r'<text class="tick" x="-5" y="[\d.]+" text-anchor="end">([^<]*)<')
Y_LABEL = re.compile(r'transform="rotate\(-90[^"]*"\)?>([^<]*)<')


def digits_like(final: float = 0.997, epochs: int = 20) -> list[tuple[float, float | None]]:
    """A digits run's accuracy over epochs 0..``epochs``: chance at 0, 0.85 at 1, 0.93 at 2,
    then 0.95 up to ``final``."""
    rise = [0.95 + (final - 0.95) * e / (epochs - 3) for e in range(epochs - 2)]
    return [(0, 0.1), (1, 0.85), (2, 0.93), *((e + 3, v) for e, v in enumerate(rise))]


def y_axis(svg: str) -> tuple[list[str], str]:
    return Y_TICK.findall(svg), Y_LABEL.findall(svg)[0]


def test_a_digits_runs_accuracy_axis_squeezes_0_to_0_9_under_its_curves():
    svg = line_chart(
        [Series("train acc", digits_like(1.0)), Series("test acc", digits_like())],
        "accuracy",
        "accuracy",
        accuracy=True,
    )
    ticks, label = y_axis(svg)
    assert label == "accuracy (0 to 0.9 squeezed)"
    assert ticks == ["0", "0.9", "0.92", "0.94", "0.96", "0.98", "1"]
    assert svg.count('<path class="break"') == 1  # (where the scale changes)
    y, _ = accuracy_axis([Series("a", digits_like())], 240.0, 30.0)
    assert y.px(0) == 240 and y.px(0.9) == pytest.approx(240 - 0.2 * 210)  # (the bottom fifth)
    assert y.px(0.45) == pytest.approx(240 - 0.1 * 210)  # (linear within it: honest)
    assert 30 < y.px(1.0) < y.px(0.99) < y.px(0.95)  # (1 under the top: HEAD)


def test_curves_all_above_a_floor_are_drawn_from_it_and_say_so():
    points = [(e, 0.955 + e / 1000) for e in range(20)]
    svg = line_chart([Series("test acc", points)], "accuracy", "accuracy", accuracy=True)
    ticks, label = y_axis(svg)
    assert label == "accuracy (from 0.95)" and ticks[0] == "0.95" and ticks[-1] == "1"
    assert '<path class="break"' not in svg


def test_curves_from_chance_to_high_keep_0_to_1():
    # (a weight-scale sweep: some nets never leave chance, others reach 0.99)
    series = [
        Series(f"s{i}", [(e, 0.1 + (top - 0.1) * e / 10) for e in range(11)])
        for i, top in enumerate((0.1, 0.5, 0.9, 0.99))
    ]
    svg = line_chart(series, "train acc", "train acc", accuracy=True)
    ticks, label = y_axis(svg)
    assert label == "train acc" and ticks == ["0", "0.2", "0.4", "0.6", "0.8", "1"]


def test_a_curve_whose_best_is_under_the_floor_is_not_squeezed_away():
    # (a run at 0.85 beside runs over 0.95: all of it would lie in the squeezed band)
    series = [Series(f"s{i}", [(e, 0.96 + i / 100) for e in range(30)]) for i in range(3)]
    slow = Series("slow", [(0, 0.84), (1, 0.85)])
    _, label = y_axis(line_chart([*series, slow], "a", "a", accuracy=True))
    assert label == "a (from 0.8)"


def test_a_runs_page_and_a_sweeps_draw_accuracy_from_where_the_curves_are(tmp_path):
    from tests.report.helpers import completed_sweep

    root = tmp_path / "runs"
    sweep = completed_sweep(root, "lr", {f"t{n}": {"optimizer.lr": n} for n in (1, 2)})
    runs = [make_run(root, "digits", epochs=20)]
    for n in (1, 2):
        trial = {"id": f"t{n}", "seed": 0, "values": {"optimizer.lr": n}}
        runs.append(make_run(root, "t", 20, folder=sweep.file("trials") / f"t{n}", trial=trial))
    for run in runs:
        lines = run.file("metrics.jsonl").read_text().splitlines()
        records = [json.loads(line) for line in lines]
        for record, (_, acc) in zip(records, digits_like()):
            record.update(train_acc=acc, test_acc=acc)
        run.file("metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = build_report((), root)
    labels = Y_LABEL.findall(page(result.out, runs[0].path))
    assert "accuracy (0 to 0.9 squeezed)" in labels
    labels = Y_LABEL.findall(page(result.out, sweep.path))
    assert "test acc (0 to 0.9 squeezed)" in labels and "train acc (0 to 0.9 squeezed)" in labels


def test_report_js_is_given_the_figures_accuracy_rule():
    from nnlab.plots import accuracy
    from nnlab.report.build import accuracy_rule, asset_text

    source = Path(__file__).resolve().parents[2] / "nnlab" / "report" / "report.js"
    text = asset_text("report.js", source)
    assert "/* nnlab.plots.accuracy */" not in text
    rule = accuracy_rule()
    assert f"var ACCURACY = {json.dumps(rule)};" in text
    assert dict(rule["floors"]) == accuracy.FLOORS and rule["band"] == accuracy.BAND


def dump_dom(url: str, budget_ms: int = 5000) -> str:
    """The DOM of ``url`` after its scripts ran, from headless Chromium's ``--dump-dom``."""
    assert CHROMIUM
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--virtual-time-budget={budget_ms}", "--dump-dom", url]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


@pytest.mark.slow
@IN_CHROMIUM
def test_the_compare_view_draws_two_digits_runs_accuracy_on_the_pages_axis(tmp_path):
    root = tmp_path / "runs"
    runs = [make_run(root, "digits", epochs=20), make_run(root, "digits", epochs=20, lr=0.2)]
    for run, final in zip(runs, (0.99, 0.997)):
        records = [json.loads(line) for line in run.file("metrics.jsonl").read_text().splitlines()]
        for record, (_, acc) in zip(records, digits_like(final)):
            record.update(test_acc=acc)
        run.file("metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = build_report((), root)
    ticked = ",".join(run.path.name for run in runs)
    dom = dump_dom(result.index.resolve().as_uri() + "#compare=" + ticked)
    chart = dom.split('class="compare-chart"', 1)[1].split("</svg>", 1)[0]
    ticks, label = y_axis(chart)
    assert label == "test acc (0 to 0.9 squeezed)", label
    assert ticks == ["0", "0.9", "0.92", "0.94", "0.96", "0.98", "1"], ticks
    assert chart.count('<path class="break"') == 1
