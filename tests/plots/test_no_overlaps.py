"""Every figure nnlab draws, in its edge cases (1 and 300 epochs, diverged runs, 1 and 64
trials, very long keys and values, 1 and 6 optimizers, log axes over half a decade to 300,
negative and huge losses, series with no finite value, accuracies all 0 or all 1, ...): no
two drawn texts overlap (tick labels, axis labels, titles, legends, annotations, colour-bar
labels) and every one lies inside the canvas the PNG shows. A class of defect the eye finds
one figure at a time (tune-scatter.png's log ticks written over each other). The fast cases
run by default, the rest are marked slow."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import plots
from tests.plots import records, test_sweep, test_weight_scale
from tests.plots.layout import text_defects

LONG_ID = "20261206-075552-sweep-" + "w" * 58 + "-2f0305"
LONG_KEY = "model.a_hidden_layer_setting_with_a_very_long_name"
LONG_VALUE = "a_categorical_value_" + "x" * 40


# ---- data in the shapes the figures take -------------------------------------------------


def scaled(recs, factor=1.0, shift=0.0, acc=None):
    """``recs`` with every loss times ``factor`` plus ``shift``, and accuracies set to ``acc``."""
    out = []
    for r in recs:
        r = dict(r)
        for k in ("loss", "train_loss", "test_loss"):
            if r.get(k) is not None:
                r[k] = r[k] * factor + shift
        if acc is not None:
            r.update(train_acc=acc, test_acc=acc)
        out.append(r)
    return out


def spanning(epochs, lo, hi):
    """A run whose losses fall from ``hi`` to ``lo`` (geometrically) over ``epochs``."""
    out = records.learning(epochs)
    for r, v in zip(out, np.geomspace(hi, lo, epochs + 1)):
        r.update(loss=None if r["epoch"] == 0 else float(v), train_loss=float(v),
                 test_loss=float(v) * 1.1)  # fmt: skip
    return out


def no_finite(epochs=5):
    out = records.learning(epochs)
    for r in out:
        r.update(loss=None, train_loss=None, test_loss=None, train_acc=None, test_acc=None)
    return out


def train(recs, splits=("train", "test"), **kw):
    kw.setdefault("status", "COMPLETED")
    return lambda: plots.train_curves_figure(recs, list(splits), kw.pop("title", "run"), **kw)


def gap_panels(n, label="run", end=None):
    panels = []
    for i in range(n):
        status = end if end and i % 2 else "COMPLETED"
        recs = records.diverging(at=3) if status == "DIVERGED" else records.learning(10 + i)
        if status in ("FAILED", "INTERRUPTED"):
            recs = recs[:5]
        panels.append({"label": f"{label}-{i}\nepochs={10 + i}", "records": recs,
                       "status": status, "diverged_epoch": 3 if status == "DIVERGED" else None})  # fmt: skip
    return panels


def tune_top(n, keys, values=None):
    top, curves = [], {}
    for i in range(n):
        recs = records.learning(epochs=10, end=0.9 - 0.05 * (i % 10))
        for r in recs:
            r["val_acc"] = r.pop("test_acc")
        row = {"rank": i + 1, "trial": f"t{i}"}
        row.update({k: (values[i] if values else 0.1 / (i + 1)) for k in keys})
        top.append(row)
        curves[f"t{i}"] = recs
    return top, curves


def scatter_points(keys, n, rounds=1, lo=1e-6, hi=1e-1, value=lambda t: 0.1 + 0.8 * t):
    pts = []
    for i in range(n):
        t = i / max(n - 1, 1)
        p = {"round": 1 + i % rounds, "metric": value(t)}
        p.update({k: float(lo * (hi / lo) ** t) for k in keys})
        pts.append(p)
    return pts


def tune_scatter(keys, n, rounds=1, metric="final_val_acc", log=True, **kw):
    pts = scatter_points(keys, n, rounds, **kw)
    return lambda: plots.tune_scatter_figure(pts, keys, dict.fromkeys(keys, log), metric)


def gradcheck(n, lo=1e-10, hi=1e-1, err=1e-3, run=""):
    steps = list(np.geomspace(hi, lo, n))
    forward = [err * s / hi + 1e-16 / s for s in steps]
    centred = [err * (s / hi) ** 2 + 1e-16 / s for s in steps]
    return lambda: plots.gradcheck_differences_figure(steps, forward, centred, "affine1.W", run)


def activations(rows, layers, label="tanh / xavier", run=""):
    rng = np.random.default_rng(0)
    settings = {f"{label} {r}": list(np.tanh(rng.normal(size=(layers, 500)))) for r in range(rows)}
    notes = {k: ["std 0.63\nsat 12%"] * layers for k in settings}
    ranges = dict.fromkeys(settings, (-1.0, 1.0))
    return lambda: plots.activation_histograms_figure(
        settings, ranges, notes, caption="sat: |a| > 0.99", run=run
    )


def shrinking_relu(layers=10):
    """ReLU layers each about 15 times smaller than the one before (std0.01: 0.06 .. 2e-12):
    each panel's own x scale, ticked 5×10⁻⁶ and 1×10⁻¹¹ in a 1.6-inch panel."""
    rng = np.random.default_rng(0)
    a = np.maximum(rng.normal(size=(layers, 500)), 0) * (0.06 / 15.0 ** np.arange(layers))[:, None]
    notes = {"relu / std0.01": ["std 0.057\nzero 50%"] * layers}
    return lambda: plots.activation_histograms_figure(
        {"relu / std0.01": list(a)}, {"relu / std0.01": None}, notes, caption="zero: off"
    )


def line(lo, hi, title="mnist-1000: filter directions, train split", inf=False, points=21, run=""):
    a = np.linspace(-1, 1, points)
    loss = np.exp(np.log(lo) + (np.log(hi) - np.log(lo)) * a**2)
    if inf:
        loss[:2] = np.inf
    return lambda: plots.landscape_line_figure(a, loss, 0 * a + 0.5, title, run)


def contour(lo, hi, title="mnist-1000: filter directions, train split", holes=False, run=""):
    a = np.linspace(-1, 1, 21)
    A, B = np.meshgrid(a, a, indexing="ij")
    grid = np.exp(np.log(lo) + (np.log(hi) - np.log(lo)) * (A**2 + B**2) / 2)
    if holes:
        grid[:3, :] = np.inf
        grid[-3:, :] = np.nan
    return lambda: plots.landscape_contour_figure(a, grid, title, run)


def lr_rows(lo, hi, n=7, diverge=0):
    rates = np.geomspace(lo, hi, n)
    rows = [{"lr": float(r), "step_loss": 2.4 - 0.1 * i, "train_loss": 2.3 - 0.2 * i, "best": ""}
            for i, r in enumerate(rates)]  # fmt: skip
    for r in rows[len(rows) - diverge :]:
        r.update(train_loss=None, step_loss=None)
    live = [r for r in rows if r["train_loss"] is not None]
    if live:
        live[-1]["best"] = "step, train"
    return rows


def optimizer_losses(n, label="adam", steps=300, scale=1.0, diverge=False, run=""):
    s = np.arange(steps)
    curves = []
    for i in range(n):
        loss = scale * (2.3 * np.exp(-s / (30 + 20 * i)) + 1e-3 * (i + 1))
        if diverge and i == 0:
            loss[steps // 2 :] = np.inf
        curves.append({"label": f"{label}{i}", "loss": loss, "smoothed": loss})
    return lambda: plots.optimizer_loss_curves_figure(curves, "digits", run)


def paths_2d(n, title="rosenbrock", label="adam lr=0.1", run=""):
    x = np.linspace(-2, 2, 60)
    X, Y = np.meshgrid(x, x)
    Z = (1 - X) ** 2 + 100 * (Y - X**2) ** 2
    path = np.column_stack([np.linspace(-1.5, 1, 30), np.linspace(1.5, 1, 30)])
    panels = [{"title": f"{label} {i}", "path": path, "outcome": "converged"} for i in range(n)]
    return lambda: plots.optimizer_paths_2d_figure(
        X, Y, Z, panels, [([1, 1], "global min")], title, run
    )


def paths_1d(n, title="xcospi", label="gd lr=0.1", run=""):
    x = np.linspace(-1, 2, 200)
    y = x * np.cos(np.pi * x)
    px = np.linspace(0.5, 1.1, 10)
    panels = [{"title": f"{label} {i}", "path": px[:, None], "values": px * np.cos(np.pi * px),
               "outcome": "converged"} for i in range(n)]  # fmt: skip
    points = [([1.09], "global min"), ([-0.6], "local min")]
    return lambda: plots.optimizer_paths_1d_figure(x, y, panels, points, title, run)


def sweep(n, keys=("optimizer.lr",), values=None, title="sweep"):
    rows, curves = test_sweep.random_sweep(n)
    for i, r in enumerate(rows):
        for k in keys[1:] if values is None else keys:
            r[k] = values(i) if values else i % 3
    return lambda: plots.sweep_curves_figure(rows, curves, list(keys), title)


def sweep_grid(values, title="sweep"):
    """A grid sweep of ``values`` (many trials: panels, colours and line styles by key)."""
    rows, curves = test_sweep.grid_sweep(values)
    return lambda: plots.sweep_curves_figure(rows, curves, list(values), title)


def grid(n, title="sweep: training accuracy per epoch", epochs=20):
    panels = test_weight_scale.grid_panels()
    panels = (panels * 2)[:n]
    if epochs != 20:
        panels = [
            dict(p, bn=records.learning(epochs), plain=records.learning(epochs)) for p in panels
        ]
    return lambda: plots.weight_scale_grid_figure(panels, "train_acc", title=title)


def summary(rows=None, title=""):
    table = test_weight_scale.summary_table()
    if rows is not None:
        table = table[:rows]
    return lambda: plots.weight_scale_summary_figure(table, title=title)


def final_eval(epochs=5):
    """A run that evaluated test after its last epoch only."""
    out = records.learning(epochs)
    for r in out[:-1]:
        del r["test_acc"], r["test_loss"]
    return out


def all_diverged(table):
    return [dict(r, bn_status="DIVERGED", nobn_status="DIVERGED") for r in table]


def stopped_sweep(n):
    rows, curves = test_sweep.random_sweep(n)
    for i, r in enumerate(rows):
        r["status"] = ("FAILED", "INTERRUPTED", r["status"])[i % 3]
    return lambda: plots.sweep_curves_figure(rows, curves, ["optimizer.lr"], "sweep")


def nan_line():
    a = np.linspace(-1, 1, 5)
    return lambda: plots.landscape_line_figure(a, np.full(5, np.nan), np.full(5, 0.1), "run")


def nan_contour():
    a = np.linspace(-1, 1, 5)
    return lambda: plots.landscape_contour_figure(a, np.full((5, 5), np.nan), "run")


def inf_losses():
    curves = [{"label": "sgd", "loss": np.full(5, np.inf), "smoothed": np.full(5, np.inf)}]
    return lambda: plots.optimizer_loss_curves_figure(curves, "digits")


# ---- the cases: name -> (figure, saved with the tight crop) --------------------------------

FAST = {
    "train, 1 epoch": (train(records.learning(1)), False),
    "train, 300 epochs": (train(records.learning(300)), False),
    "train, diverged": (
        train(records.diverging(at=3), ["train"], status="DIVERGED", diverged_epoch=3),
        False,
    ),  # fmt: skip
    "train, losses over 300 decades": (train(spanning(20, 1e-150, 1e150)), False),
    "train, long title": (
        train(records.learning(5), ["train", "test", "val"], title=LONG_ID),
        False,
    ),
    "gaps, 1 run": (lambda: plots.accuracy_gaps_figure(gap_panels(1)), True),
    "gaps, 6 runs, long names": (
        lambda: plots.accuracy_gaps_figure(gap_panels(6, "r" * 60), LONG_ID),
        True,
    ),
    "gaps, 6 runs, long names, interrupted": (
        lambda: plots.accuracy_gaps_figure(gap_panels(6, "q" * 70, "INTERRUPTED"), LONG_ID),
        True,
    ),
    "tune curves, 10 trials, long keys": (
        lambda: plots.tune_curves_figure(
            *tune_top(10, [LONG_KEY, "optimizer.lr"]), [LONG_KEY, "optimizer.lr"], LONG_ID
        ),
        True,
    ),
    "tune scatter, 1 trial": (tune_scatter(["optimizer.lr"], 1), True),
    "tune scatter, 64 trials, 4 rounds, 2 keys": (
        tune_scatter(["optimizer.lr", "weight_decay"], 64, 4),
        True,
    ),
    "tune scatter, log over 300 decades": (
        tune_scatter(["optimizer.lr"], 20, lo=1e-150, hi=1e150),
        True,
    ),
    "gradcheck, 40 steps": (gradcheck(40), True),
    "activations, 1 layer": (activations(1, 1), True),
    "activations, 10 layers": (activations(1, 10), True),
    "activations, ReLU layers shrinking by decades": (shrinking_relu(), True),
    "landscape line, 300 decades": (line(1e-150, 1e150, inf=True), True),
    "landscape contour, log": (contour(0.5, 500.0, holes=True), True),
    "lr-scan": (lambda: plots.lr_scan_figure(lr_rows(1e-5, 10, diverge=2), 2.4, 2), True),
    "optimizer losses, 6": (optimizer_losses(6, diverge=True), True),
    "optimizer paths 2-d, 6": (paths_2d(6), True),
    "optimizer paths 1-d, 1": (paths_1d(1), True),
    "sweep, 64 trials": (sweep(64), True),
    "sweep, 12 trials, long values": (
        sweep(12, ("optimizer.lr", LONG_KEY), lambda i: f"{LONG_VALUE}{i}"),
        True,
    ),  # fmt: skip
    "sweep, 72 trials in 6 panels": (sweep_grid(test_sweep.GRID72), True),
    "weight-scale grid, 16 panels": (grid(16, LONG_ID), False),
    "weight-scale summary, long title": (summary(title=f"{LONG_ID}: final accuracy"), False),
}

SLOW = {
    "train, final evaluation, long objective": (
        train(
            final_eval(), objective="objective (train batches, with the L2 term of weight decay)"
        ),
        False,
    ),
    "tune curves, 64 trials": (
        lambda: plots.tune_curves_figure(
            *tune_top(64, ["optimizer.lr", LONG_KEY]), ["optimizer.lr", LONG_KEY], "run"
        ),
        True,
    ),
    "tune scatter, metric all 0": (tune_scatter(["optimizer.lr"], 10, value=lambda t: 0.0), True),
    "lr-scan, 1 rate": (lambda: plots.lr_scan_figure(lr_rows(0.1, 0.1, n=1), 2.4, 2), True),
    "landscape line, no finite loss": (nan_line(), True),
    "landscape contour, not evaluated": (nan_contour(), True),
    "optimizer losses, none finite": (inf_losses(), True),
    "sweep, 64 trials failed or interrupted": (stopped_sweep(64), True),
    "weight-scale summary, all diverged": (
        lambda: plots.weight_scale_summary_figure(all_diverged(test_weight_scale.summary_table())),
        False,
    ),
    "train, losses over half a decade": (train(spanning(10, 2.0, 6.0)), False),
    "train, negative losses": (train(scaled(records.learning(10), -1.0)), False),
    "train, huge losses": (train(scaled(records.learning(10), 1e30)), False),
    "train, losses up to 1e305": (train(spanning(10, 1.0, 1e305)), False),
    "optimizer losses, up to the largest float": (optimizer_losses(2, scale=1.7e308 / 2.3), True),
    "train, no finite value": (train(no_finite()), False),
    "train, accuracy all 0": (train(scaled(records.learning(10), acc=0.0)), False),
    "train, accuracy all 1": (train(scaled(records.learning(10), acc=1.0)), False),
    "train, diverged at 0": (
        train(records.diverging(at=0), ["train"], status="DIVERGED", diverged_epoch=0),
        False,
    ),  # fmt: skip
    "gaps, 4 runs, failed and diverged": (
        lambda: plots.accuracy_gaps_figure(gap_panels(4, end="DIVERGED")),
        True,
    ),
    "tune curves, none": (lambda: plots.tune_curves_figure([], {}, ["optimizer.lr"], "run"), True),
    "tune curves, 1 trial": (
        lambda: plots.tune_curves_figure(*tune_top(1, ["optimizer.lr"]), ["optimizer.lr"], "run"),
        True,
    ),
    "tune scatter, log over half a decade": (
        tune_scatter(["optimizer.lr"], 20, lo=0.1, hi=0.3),
        True,
    ),
    "tune scatter, log over 2.4 decades": (
        tune_scatter(["optimizer.lr"], 20, lo=2e-6, hi=5e-4),
        True,
    ),
    "tune scatter, huge loss metric": (
        tune_scatter(["optimizer.lr"], 20, metric="final_val_loss", value=lambda t: 1e30 * (1 + t)),
        True,
    ),  # fmt: skip
    "tune scatter, 3 long keys": (
        tune_scatter([LONG_KEY, "optimizer.lr", "weight_decay"], 30, 2),
        True,
    ),
    "gradcheck, 1 step": (gradcheck(1), True),
    "activations, 12 rows of 10 layers": (activations(12, 10), True),
    "activations, 20 layers, long labels": (activations(2, 20, "a" * 40), True),
    "landscape line, half a decade": (line(2.0, 6.0), True),
    "landscape line, huge losses": (line(1e30, 1e34), True),
    "landscape contour, linear": (contour(2.0, 6.0), True),
    "landscape contour, 300 decades": (contour(1e-150, 1e150), True),
    "landscape contour, up to the largest float": (contour(1e-10, 1.7e308), True),
    "landscape contour, long title": (contour(0.5, 500.0, title=LONG_ID), True),
    "lr-scan, rates over 300 decades": (
        lambda: plots.lr_scan_figure(
            lr_rows(1e-150, 1e150, n=12), 2.4, 2, "x" * 60, "sgd, batch 32", objective=False
        ),
        True,
    ),
    "lr-scan, all diverged": (
        lambda: plots.lr_scan_figure(lr_rows(1e-5, 10, diverge=7), None, 2),
        True,
    ),
    "optimizer losses, 1": (optimizer_losses(1), True),
    "optimizer losses, huge": (optimizer_losses(3, scale=1e30), True),
    "optimizer losses, long labels": (optimizer_losses(6, label="a" * 50), True),
    "optimizer paths 2-d, 1": (paths_2d(1), True),
    "optimizer paths 1-d, 6, long titles": (paths_1d(6, "x" * 80, "y" * 60), True),
    "sweep, 1 trial": (sweep(1), True),
    "sweep, 64 trials by a long value": (
        sweep(64, (LONG_KEY,), lambda i: f"{LONG_VALUE}{i % 5}"),
        True,
    ),
    "sweep, long title": (sweep(5, title=LONG_ID), True),
    "sweep, 4 panels of long keys and values, long title": (
        sweep_grid(
            {
                LONG_KEY: [f"{LONG_VALUE}{i}" for i in range(4)],
                "optimizer.lr": [0.1, 0.01, 0.001],
                "model.init": ["he", "std"],
            },
            LONG_ID,
        ),
        True,
    ),  # fmt: skip
    "gradcheck, long run id": (gradcheck(20, run=LONG_ID), True),
    "activations, 1 layer, long run id": (activations(1, 1, run=LONG_ID), True),
    "landscape line, long run id": (line(0.5, 500.0, run=LONG_ID), True),
    "landscape contour, long run id": (contour(0.5, 500.0, run=LONG_ID), True),
    "lr-scan, long run id": (
        lambda: plots.lr_scan_figure(lr_rows(1e-5, 10), 2.4, 2, LONG_ID),
        True,
    ),
    "optimizer losses, long run id": (optimizer_losses(2, run=LONG_ID), True),
    "optimizer paths 2-d, 1, long run id": (paths_2d(1, run=LONG_ID), True),
    "optimizer paths 1-d, 1, long run id": (paths_1d(1, run=LONG_ID), True),
    "weight-scale grid, 1 panel": (grid(1), False),
    "weight-scale grid, 300 epochs": (grid(8, epochs=300), False),
    "weight-scale summary, 1 scale": (summary(1), False),
}


def check(name, cases):
    figure, tight = cases[name]
    fig = figure()
    assert text_defects(fig, tight) == [], name


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("name", list(FAST))
def test_no_text_overlaps_another_or_leaves_the_canvas(name):
    check(name, FAST)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("name", list(SLOW))
def test_no_text_overlaps_another_or_leaves_the_canvas_in_more_cases(name):
    check(name, SLOW)


def small_texts(fig):
    """The texts of ``fig`` drawn under ``LEGIBLE_PT``, as (text, points)."""
    from matplotlib.text import Text

    from nnlab.plots.axes import LEGIBLE_PT

    fig.canvas.draw()  # (tick labels exist once drawn)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < LEGIBLE_PT]


LEGIBLE = list(FAST)  # (activations.png too: its ticks and notes were 7 points, 9 its titles)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("name", LEGIBLE)
def test_every_text_is_at_least_10_points_so_the_report_shows_it_at_11_px(name):
    """The report shows a figure no smaller than where its 10-pt text is 11 px (72% of its
    size): legends of 7 and 8 points were 7.7-8.8 px there, a panel's 8-pt title 8.8 px."""
    assert small_texts(FAST[name][0]()) == [], name


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("name", list(SLOW))
def test_every_text_is_at_least_10_points_in_more_cases(name):
    assert small_texts(SLOW[name][0]()) == [], name
