"""The accuracy axis shows the data: digits' curves, 0.95 to 1 after their first epochs, were
squashed into the top tenth of an axis of 0..1.02. Most points above a floor: the axis shows
from there, with 0 .. the floor squeezed under a break mark where some point lies under it
(the untrained net at chance, epoch 0, is still drawn); the label says so."""

from __future__ import annotations

from nnlab import plots
from nnlab.plots.accuracy import floor_of
from tests.plots import records


def digits(epochs=20):
    """A run at chance at epoch 0, 0.85 after one epoch, then 0.95 .. 1."""
    out = records.learning(epochs)
    for r in out:
        e = r["epoch"]
        acc = 0.1 if e == 0 else 0.85 if e == 1 else 0.95 + 0.05 * e / epochs
        r.update(train_acc=min(1.0, acc + 0.002), test_acc=acc)
    return out


def shown(ax):
    """(the accuracy at the axis's bottom, at 20% of its height, at its top)."""
    inverse = ax.transData.inverted()
    box = ax.get_window_extent()
    return [float(inverse.transform((box.x0, box.y0 + f * box.height))[1]) for f in (0, 0.2, 1)]


def test_digits_curves_fill_the_axis_above_0_95_and_epoch_0_stays_drawn_below_it():
    fig = plots.train_curves_figure(digits(), ["train", "test"], "run", status="COMPLETED")
    ax = fig.axes[1]
    fig.canvas.draw()
    bottom, band, top = shown(ax)
    assert bottom == 0 and abs(band - 0.95) < 1e-3 and 1 < top < 1.01, (bottom, band, top)
    assert ax.get_ylabel() == "accuracy (0 to 0.95 squeezed)"
    assert 0.0 in ax.get_yticks() and 0.95 in ax.get_yticks()


def test_curves_all_above_a_floor_start_there_and_the_label_says_so():
    recs = [r for r in digits() if r["epoch"] >= 2]
    fig = plots.train_curves_figure(recs, ["train", "test"], "run", status="COMPLETED")
    ax = fig.axes[1]
    lo, hi = ax.get_ylim()
    assert 0.94 < lo < 0.95 and ax.get_yscale() == "linear"
    assert ax.get_ylabel() == "accuracy (from 0.95)"


def test_curves_that_stay_low_keep_the_whole_axis_and_its_plain_label():
    fig = plots.train_curves_figure(records.learning(10), ["train", "test"], "run",
                                    status="COMPLETED")  # fmt: skip
    ax = fig.axes[1]
    assert ax.get_ylim() == (0, 1.02) and ax.get_ylabel() == "accuracy"


def test_a_floor_squeezes_at_most_a_tenth_of_the_points_and_only_from_0_8():
    assert floor_of([0.1] + [0.97] * 9) == 0.95
    assert floor_of([0.1, 0.1] + [0.97] * 8) == 0.0  # (two in ten at chance)
    assert floor_of([0.55, 0.7, 0.8]) == 0.5  # (none under 0.5: from there)
    assert floor_of([0.1] + [0.6] * 20) == 0.0  # (a squeeze under 0.5 gains little)
    assert floor_of([]) == 0.0


def test_a_sweeps_panels_share_the_floor_and_each_trial_back_at_chance_shows_the_whole_axis():
    rows = [{"trial": f"t{i}", "optimizer.lr": 0.1 * (i + 1), "status": "COMPLETED"}
            for i in range(4)]  # fmt: skip
    curves = {r["trial"]: digits() for r in rows}
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    assert fig.axes[0].get_ylabel() == "test accuracy (0 to 0.95 squeezed)"
    for r in curves["t3"][2:]:  # (one trial fell to chance: a quarter of the points)
        r.update(test_acc=0.1)
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    assert fig.axes[0].get_ylim() == (0, 1.02)


def test_a_floor_leaves_each_panels_best_point_above_it_unless_the_panel_is_all_at_chance():
    assert floor_of([0.1] + [0.97] * 99, bests=[0.99, 0.85]) == 0.8  # (0.85's panel: over 0.8)
    assert floor_of([0.1] + [0.97] * 99, bests=[0.99, 0.1]) == 0.95  # (at chance: squeezed)


def test_runs_compare_keeps_a_short_runs_curve_above_the_squeeze_beside_long_ones():
    """A 1-epoch run, 0.1 to 0.85, beside runs of 100 epochs over 0.95: the shared axis was
    from 0.95, the short run drawn whole in the squeezed fifth, its gap a hairline."""
    one = records.learning(1, end=0.85)
    panels = [{"label": "long", "records": digits(100), "status": "COMPLETED"},
              {"label": "short", "records": one, "status": "COMPLETED"}]  # fmt: skip
    fig = plots.accuracy_gaps_figure(panels)
    assert fig.axes[0].get_ylabel() == "accuracy (0 to 0.8 squeezed)"


def test_an_accuracy_of_0_is_drawn_clear_of_the_bottom_edge():
    # (a net of init std 1e30: its outputs overflowed, every accuracy 0; the curves ran
    # along the axes' bottom edge, under its frame, the panel empty but for its legend;
    # runs compare's panel of it, and a sweep's, tune's and weight-scale grid's alike)
    from tests.plots.layout import render

    at_zero = records.learning(3)
    for r in at_zero:
        r.update(train_acc=0.0, test_acc=0.0 if r["epoch"] else 0.1)
    squeezed = [dict(r, train_acc=0.97, test_acc=0.97) for r in records.learning(20)]
    squeezed[0].update(train_acc=0.0, test_acc=0.0)
    for recs in (at_zero, squeezed):
        fig = plots.train_curves_figure(recs, ["train", "test"], "run", status="COMPLETED")
        render(fig)
        ax = fig.axes[1]
        zero = ax.transData.transform((0, 0.0))[1]
        assert zero - ax.get_window_extent().y0 >= 3, ax.get_ylim()  # (pixels)
