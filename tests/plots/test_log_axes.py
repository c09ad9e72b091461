"""Every log axis of every figure reads as one: its label says "(log scale)" and its ticks are
plain numbers (0.1, 3, 30) where the axis lies within 0.001..10,000, powers of ten beyond;
never matplotlib's 3×10¹, 2×10¹, 6×10⁰ on a narrow span."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import plots
from tests.plots import records, test_gradcheck, test_lr_scan, test_sweep, test_weight_scale
from tests.plots.layout import render


def narrow_loss_run():
    """Losses within about one decade (2.4 .. 34): matplotlib labels the minor ticks."""
    out = records.learning(epochs=5)
    for r, loss in zip(out, [None, 34.0, 2.9, 2.5, 2.6, 2.4]):
        r.update(loss=loss, train_loss=2.6 if loss is None else min(loss, 3.6), test_loss=2.7)
    return out


def figures():
    """name -> a function that builds a figure with log axes (built in the test: the figures
    are closed after each)."""
    steps = np.arange(500)
    adam = {"label": "adam", "loss": 2.3 * np.exp(-steps / 60) + 1e-3}
    adam["smoothed"] = adam["loss"]
    a = np.linspace(-1, 1, 21)
    points = [{"round": 1, "optimizer.lr": 10 ** -(i / 3), "metric": 0.5} for i in range(10)]
    grad = (test_gradcheck.STEPS, test_gradcheck.FORWARD, test_gradcheck.CENTRED)
    return {
        "train-narrow": lambda: plots.train_curves_figure(
            narrow_loss_run(), ["train", "test"], status="COMPLETED"
        ),
        "lr-scan": lambda: plots.lr_scan_figure(
            test_lr_scan.README_ROWS, initial_loss=2.4687, epochs=2
        ),
        "optimizer-losses": lambda: plots.optimizer_loss_curves_figure([adam], "digits"),
        "landscape-1d": lambda: plots.landscape_line_figure(a, 2.7 + 3000 * a**8, 0 * a + 0.1),
        "gradcheck": lambda: plots.gradcheck_differences_figure(*grad),
        "weight-scale": lambda: plots.weight_scale_summary_figure(
            test_weight_scale.summary_table()
        ),
        "tune": lambda: plots.tune_scatter_figure(
            points, ["optimizer.lr"], {"optimizer.lr": True}, "final_val_acc"
        ),
        "sweep": lambda: plots.sweep_curves_figure(*test_sweep.random_sweep(), ["optimizer.lr"]),
    }


def log_axes(fig):
    """(axis, its label) of every log axis, colour bars included."""
    found = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log" and ax.get_visible():
                found.append((axis, axis.get_label_text()))
    return found


@pytest.mark.parametrize("name", list(figures()))
def test_every_log_axis_says_so_and_has_no_multiplied_tick_labels(name):
    fig = figures()[name]()
    render(fig)
    axes = log_axes(fig)
    assert axes, name
    for axis, label in axes:
        assert label.endswith("(log scale)"), (name, label)
        shown = [t.get_text() for t in axis.get_ticklabels(minor=True) + axis.get_ticklabels()]
        assert not any("times" in t for t in shown), (name, shown)


def tick_texts(axis):
    ticks = axis.get_ticklabels() + axis.get_ticklabels(minor=True)
    lo, hi = sorted(axis.get_view_interval())
    return [
        t.get_text()
        for t in ticks
        if t.get_text() and lo <= t.get_position()[axis.axis_name == "y"] <= hi
    ]


def test_a_log_axis_within_plain_range_is_ticked_in_plain_numbers():
    fig = plots.train_curves_figure(narrow_loss_run(), ["train", "test"], status="COMPLETED")
    render(fig)
    shown = tick_texts(fig.axes[0].yaxis)
    assert shown and not any("$" in t or "10^" in t for t in shown)
    assert {"3", "10", "20", "30"} <= set(shown)


def test_a_log_axis_past_ten_thousand_or_under_a_thousandth_keeps_powers_of_ten():
    fig = plots.lr_scan_figure(test_lr_scan.README_ROWS, initial_loss=2.4687, epochs=2)
    render(fig)
    rates = tick_texts(fig.axes[0].xaxis)  # 1e-5 .. 10
    assert rates and all("10^" in t for t in rates)
    losses = tick_texts(fig.axes[0].yaxis)  # 1.1 .. 170
    assert losses and not any("10^" in t for t in losses)


def test_a_log_colour_bar_past_plain_range_is_ticked_in_powers_of_ten():
    a = np.linspace(-1, 1, 21)
    A, B = np.meshgrid(a, a, indexing="ij")
    fig = plots.landscape_contour_figure(a, 2.7 + 9e5 * (A**2 + B**2) ** 4)
    render(fig)
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels() if t.get_text()]
    assert labels and all("10^" in t for t in labels)
    assert "log colour scale" in fig.axes[1].get_ylabel()


def test_a_log_axis_of_one_to_two_decades_labels_ticks_between_them():
    # (the losses of a step-size scan on digits, 0.14 .. 2.54: ticked "0.1" and "1" alone, with
    # nothing to read 2.5 or 0.6 by)
    rows = [dict(r) for r in test_lr_scan.README_ROWS]
    for row, loss in zip(rows, [2.54, 2.5, 2.0, 0.56, 0.14, None, None]):
        row.update(train_loss=loss, step_loss=min(2.54, loss or 2.54))
    fig = plots.lr_scan_figure(rows, initial_loss=2.54, epochs=2)
    render(fig)
    shown = set(tick_texts(fig.axes[0].yaxis))
    assert {"0.1", "1"} <= shown and {"0.2", "2"} <= shown, shown
    assert not any("10^" in t for t in shown)


def drawn_labels(axis, renderer):
    """The window extents of ``axis``'s tick labels drawn within its view, in axis order."""
    lo, hi = sorted(axis.get_view_interval())
    at = 0 if axis.axis_name == "x" else 1
    shown = [
        t
        for t in axis.get_ticklabels() + axis.get_ticklabels(minor=True)
        if t.get_text() and t.get_visible() and lo <= t.get_position()[at] <= hi
    ]
    return sorted((t.get_window_extent(renderer) for t in shown), key=lambda b: b.p0[at])


@pytest.mark.slow
@pytest.mark.parametrize("which", ["x", "y"])
@pytest.mark.parametrize("inches", [1.5, 3.0, 6.0])
@pytest.mark.parametrize("lo, hi", [(2.0, 9.0), (0.3, 20.0), (0.011, 0.9), (3.4e-7, 8.1e-5),
                                    (2e-8, 9e-7), (1.5e4, 2e6), (4e-6, 3e-3)])  # fmt: skip
def test_log_tick_labels_never_overlap_and_thin_to_what_fits(which, inches, lo, hi):
    # (a tune panel of 4.5 inches over 2.4 decades wrote 2×10⁻⁶ 3×10⁻⁶ 4×10⁻⁶ over each other:
    # matplotlib labels 2, 3, 4, 6 between powers over a span of two, however short the axis)
    plt = plots.base.pyplot()
    size = (inches, 2.5) if which == "x" else (3.0, inches)
    fig, ax = plt.subplots(figsize=size)
    values = np.geomspace(lo, hi, 5)
    ax.plot(values, values)
    plots.base.log_scale(ax, which, "value")
    (ax.set_xlim if which == "x" else ax.set_ylim)(lo, hi)
    renderer = render(fig)
    axis = ax.xaxis if which == "x" else ax.yaxis
    boxes = drawn_labels(axis, renderer)
    assert len(boxes) >= (2 if inches >= 3 else 1), [b.bounds for b in boxes]
    for a, b in zip(boxes, boxes[1:]):
        assert not a.overlaps(b), (a.bounds, b.bounds)
    plt.close(fig)


def test_a_long_log_axis_of_two_decades_still_labels_between_them():
    plt = plots.base.pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot([0.3, 20.0], [1, 2])
    plots.base.log_scale(ax, "x", "value")
    ax.set_xlim(0.3, 20.0)
    render(fig)
    assert {"0.3", "2", "3", "20"} <= set(tick_texts(ax.xaxis))
    plt.close(fig)
