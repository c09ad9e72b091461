"""compare-optimizers' path figures: on x cos(pi x) the point called the global minimum is the
lowest point of the window drawn, and the window is stated."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import palette, plots
from nnlab.experiments import optimizers as opt
from nnlab.experiments.testfuncs import OBJECTIVES
from nnlab.plots.axes import TICK_SPACE
from nnlab.plots.optimizers import CURVE, window_labels
from tests.plots.layout import legend_over_data, render


def xcospi_figure():
    comparison = opt.compare_on_function(
        "xcospi", ["gd"], lrs=[0.1, 1.0055], starts=[(0.5,), (-1.0,)], steps=[5, 20]
    )
    o = comparison.objective
    grid = opt.paths.surface(o)
    panels = [{"title": r.spec.label, "path": r.path, "values": r.values, "outcome": r.outcome}
              for r in comparison.results]  # fmt: skip
    points = [(list(p), label) for p, label in o.points]
    return plots.optimizer_paths_1d_figure(grid["x"], grid["y"], panels, points, "xcospi")


def drawn_curve(ax):
    """The function's curve as drawn: the blue line, cut to the axes' x limits."""
    (line,) = [ln for ln in ax.get_lines() if ln.get_color() == CURVE]
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    lo, hi = ax.get_xlim()
    keep = (x >= lo) & (x <= hi)
    return x[keep], y[keep]


def test_xcospi_global_min_label_is_the_lowest_point_of_the_window_drawn():
    fig = xcospi_figure()
    for ax in fig.axes:
        x, y = drawn_curve(ax)
        (label,) = [t for t in ax.texts if t.get_text() == "global min"]
        step = np.max(np.diff(x))
        assert label.xy[0] == pytest.approx(x[np.argmin(y)], abs=step)
        assert ax.get_xlim() == (-1.0, 2.0)  # d2l's window, as the README says
    assert "x in [-1, 2]" in fig._suptitle.get_text()


def test_a_global_min_label_that_is_not_the_window_minimum_is_not_drawn_as_such():
    x = np.linspace(-2, 2, 401)  # the old window: f(-2) = -2 is lower than f(1.09) = -1.05
    y = OBJECTIVES["xcospi"].f(x[None, :])
    points = [(list(p), label) for p, label in OBJECTIVES["xcospi"].points]
    labels = {round(p[0], 2): label for p, label in window_labels(x, y, points)}
    assert labels == {1.09: "local min", -0.27: "local min"}
    panel = {"title": "gd", "path": np.array([[0.5], [1.0]]), "values": np.array([0.0, -1.0]),
             "outcome": "x"}  # fmt: skip
    fig = plots.optimizer_paths_1d_figure(x, y, [panel], points, "xcospi")
    assert "global min" not in [t.get_text() for t in fig.axes[0].texts]


def test_xcospi_outcomes_follow_the_window():
    # lr 1.0055 from 0.5 ends at x = -1.686: outside [-1, 2], so it left the plot box
    c = opt.compare_on_function("xcospi", ["gd"], lrs=[1.0055], starts=[(0.5,)], steps=[5])
    assert c.results[0].path[-1, 0] == pytest.approx(-1.686, abs=1e-3)
    assert c.results[0].outcome == "left plot box"


def test_2d_paths_have_no_legend_over_the_contours():
    comparison = opt.compare_on_function("book", ["sgd", "adam"])
    grid = opt.paths.surface(comparison.objective)
    panels = [{"title": r.spec.label, "path": r.path, "outcome": r.outcome}
              for r in comparison.results]  # fmt: skip
    points = [(list(p), label) for p, label in comparison.objective.points]
    fig = plots.optimizer_paths_2d_figure(grid["x"], grid["y"], grid["z"], panels, points, "book")
    assert legend_over_data(fig) == []


@pytest.mark.parametrize("n", [1, 2, 6])
def test_a_2d_figure_has_a_key_to_its_marks_under_its_panels(n):
    # (its square, dots, cross and contour colours were explained nowhere: no legend, no
    # colour bar; a lecture's slide has to say which end is the start and where f is low)
    from tests.plots.layout import text_defects

    comparison = opt.compare_on_function("book", ["sgd", "momentum", "adam"], lrs=[0.1, 0.3])
    grid = opt.paths.surface(comparison.objective)
    panels = [{"title": r.spec.label, "path": r.path, "outcome": r.outcome}
              for r in comparison.results[:n]]  # fmt: skip
    points = [(list(p), label) for p, label in comparison.objective.points]
    fig = plots.optimizer_paths_2d_figure(grid["x"], grid["y"], grid["z"], panels, points, "book")
    (key,) = fig.legends
    said = [t.get_text() for t in key.get_texts()]
    assert said[0] == "start" and "iterates" in said[1] and "critical point" in said[2]
    assert said[3] == "contours of f (dark: low, light: high)"
    assert legend_over_data(fig) == [] and text_defects(fig) == []
    top = key.get_window_extent().y1
    assert all(ax.get_tightbbox().y0 >= top for ax in fig.axes if ax.get_visible())


def test_a_2d_path_that_diverged_or_left_the_box_says_so_in_its_title():
    # (rosenbrock at lr 0.01: sgd diverged at step 7, its title black like the others', and the
    # iterates off the plot were counted only in the 1-D figure)
    comparison = opt.compare_on_function("rosenbrock", ["sgd", "adam"], lrs=[0.01])
    grid = opt.paths.surface(comparison.objective)
    panels = [{"title": r.spec.label, "path": r.path, "outcome": r.outcome}
              for r in comparison.results]  # fmt: skip
    fig = plots.optimizer_paths_2d_figure(grid["x"], grid["y"], grid["z"], panels, [], "r")
    sgd, adam = fig.axes[:2]
    assert sgd.title.get_color() == palette.DIVERGED and "diverged" in sgd.get_title()
    assert sgd.get_title().endswith("iterates off the plot")
    assert adam.title.get_color() == "black" and "off the plot" not in adam.get_title()


def test_the_loss_curves_legend_says_which_lines_are_smoothed_and_which_raw():
    # the faint per-batch losses behind each optimizer's smoothed line had no legend entry
    import numpy as np

    steps = np.arange(300)
    loss = 2.3 * np.exp(-steps / 100) + 0.1 + 0.05 * np.sin(steps)
    curves = [{"label": "sgd (lr=0.01)", "loss": loss, "smoothed": loss}]
    fig = plots.optimizer_loss_curves_figure(curves, "digits")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0] == "sgd (lr=0.01)"
    assert "smoothed" in labels[1] and "each batch" in labels[2]
    assert legend_over_data(fig) == []


def test_a_diverged_curve_whose_last_loss_is_far_above_the_axes_draws_its_stub_inside_them():
    # the limits are the other runs' (1.5 .. 2.3); sgd's last finite smoothed loss, 1e4, is
    # hundreds of axes heights above them. The dotted stub from it to the cross was a path
    # that long, dashed point by point before the clip: at 1e7 the figure was not drawn in a
    # minute, and 'compare-optimizers --dataset digits -o sgd --lr 1,100 --steps 3' (a last
    # loss of 1.4e9) hung in its figure, deaf to SIGTERM (inside Agg's C++)
    from nnlab.experiments.optimizers.training import smooth_curve
    from tests.plots.layout import render

    ok, bad = np.array([2.3, 2.0, 1.5]), np.array([2.3, 50.0, 1e4])
    curves = [{"label": "ok", "loss": ok, "smoothed": smooth_curve(ok), "diverged": False},
              {"label": "sgd", "loss": bad, "smoothed": smooth_curve(bad), "diverged": True}]  # fmt: skip
    fig = plots.optimizer_loss_curves_figure(curves, "far above")
    render(fig)
    (ax,) = fig.axes
    stubs = [t.arrow_patch for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert stubs
    box = ax.bbox
    for stub in stubs:
        ys = stub.get_path().vertices[:, 1]  # (display units, once drawn)
        assert ys.min() >= box.y0 - 1 and ys.max() <= box.y1 + 1


def test_the_loss_curves_differ_in_marker_not_only_in_colour():
    # (four of the palette's colours print as one mid-grey: the optimizers' curves were told
    # apart by colour alone)
    from tests.plots.test_no_overlaps import optimizer_losses

    fig = optimizer_losses(4)()
    ax = fig.axes[0]
    labelled = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert len(labelled) == 4
    assert len({ln.get_marker() for ln in labelled}) == 4
    assert all(ln.get_markevery() is not None for ln in labelled)  # (not at every iteration)
    legend = ax.get_legend() or fig.legends[0]
    assert {h.get_marker() for h in legend.legend_handles[:4]} == {"o", "s", "^", "D"}


def function_figure(name):
    """The figure ``compare-optimizers --function name`` draws, of its default optimizers."""
    comparison = opt.compare_on_function(name)
    o, grid = comparison.objective, opt.paths.surface(comparison.objective)
    panels = [{"title": r.spec.label, "path": r.path, "values": r.values, "outcome": r.outcome}
              for r in comparison.results]  # fmt: skip
    points = [(list(p), label) for p, label in o.points]
    if o.dim == 1:
        return plots.optimizer_paths_1d_figure(grid["x"], grid["y"], panels, points, name)
    return plots.optimizer_paths_2d_figure(grid["x"], grid["y"], grid["z"], panels, points, name)


def tick_extents(fig, axis):
    """The extents (pixels) of ``axis``'s tick labels drawn: those of ticks in view."""
    render(fig)
    lo, hi = sorted(axis.get_view_interval())
    return [t.get_window_extent() for loc, t in zip(axis.get_majorticklocs(), axis.get_ticklabels())
            if lo <= loc <= hi and t.get_visible() and t.get_text()]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_every_functions_ticks_keep_an_em_apart_and_its_point_labels_stay_in_their_panel(name):
    """book's x labels, -10.0 -7.5 -5.0 ... 10.0 on a panel 4 inches wide, were two thirds
    of an em apart; rosenbrock's and saddle's, -2.0 -1.5 ... 2.0, nine tenths. d2l's
    "global min", at x = 0 of -5.5 .. 1, ran past its panel's right edge."""
    from matplotlib.text import Annotation

    fig = function_figure(name)
    render(fig)
    for ax in [ax for ax in fig.axes if ax.axison]:
        box = ax.get_window_extent()
        for note in [t for t in ax.texts if isinstance(t, Annotation)]:
            e = note.get_window_extent()
            assert box.x0 <= e.x0 and e.x1 <= box.x1, (name, note.get_text(), e, box)
    gap = TICK_SPACE * plots.base.fonts.TICK_PT * fig.dpi / 72
    for ax in [ax for ax in fig.axes if ax.axison]:
        for axis, side in ((ax.xaxis, 0), (ax.yaxis, 1)):
            spans = sorted((e.p0[side], e.p1[side]) for e in tick_extents(fig, axis))
            close = [(a, b) for a, b in zip(spans, spans[1:]) if b[0] - a[1] < gap]
            assert close == [], (name, axis.axis_name, close)
