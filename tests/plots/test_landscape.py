"""The landscape figures: colour-bar ticks at readable loss values with the range stated, the
title clear of the colour bar, legends off the contour."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab import plots
from tests.plots.layout import legend_over_data, overlaps, render

TITLE = "mnist-1000: filter directions, train split"


def bowl(lo: float = 0.6456, scale: float = 20.0, corner: float = 80.0, points: int = 51):
    """A loss over the plane like the README's: 0.65 at the centre, ~85 in a corner."""
    a = np.linspace(-1, 1, points)
    A, B = np.meshgrid(a, a, indexing="ij")
    return a, lo + scale * (A**2 + 0.5 * B**2 + 0.3 * A * B) + corner * np.maximum(
        A + B - 0.8, 0
    ) ** 2


def colour_bar(fig):
    (bar,) = [ax for ax in fig.axes if ax is not fig.axes[0]]
    return bar


def test_colour_bar_ticks_are_loss_values_of_one_two_five_per_decade():
    alphas, grid = bowl()
    fig = plots.landscape_contour_figure(alphas, grid, TITLE)
    render(fig)
    labels = [t.get_text() for t in colour_bar(fig).get_yticklabels() if t.get_text()]
    assert len(labels) >= 3
    values = [float(s.replace("\N{MINUS SIGN}", "-")) for s in labels]
    for v in values:
        mantissa = v / 10 ** math.floor(math.log10(v))
        assert (
            mantissa == pytest.approx(1)
            or mantissa == pytest.approx(2)
            or mantissa == pytest.approx(5)
        ), v
        assert grid.min() <= v <= grid.max()
    assert values == sorted(values) and 1.0 in values and 10.0 in values


def test_colour_bar_label_states_the_scale_and_the_range():
    alphas, grid = bowl()
    fig = plots.landscape_contour_figure(alphas, grid, TITLE)
    label = colour_bar(fig).get_ylabel()
    assert (
        "log colour scale" in label
        and f"{grid.min():.4g}" in label
        and f"{grid.max():.4g}" in label
    )


def test_a_narrow_range_gets_a_linear_scale_with_round_ticks():
    alphas, grid = bowl(lo=0.6, scale=0.1, corner=0.0)
    fig = plots.landscape_contour_figure(alphas, grid, TITLE)
    render(fig)
    bar = colour_bar(fig)
    assert "linear colour scale" in bar.get_ylabel()
    values = [float(t.get_text()) for t in bar.get_yticklabels() if t.get_text()]
    assert len(values) >= 3 and all(round(v, 2) == v for v in values)


def test_title_overlaps_neither_the_colour_bar_nor_its_labels():
    alphas, grid = bowl()
    fig = plots.landscape_contour_figure(alphas, grid, TITLE)
    renderer = render(fig)
    ax, bar = fig.axes[0], colour_bar(fig)
    title = ax.title.get_window_extent()
    assert not overlaps(title, bar.get_tightbbox(renderer))
    assert fig.bbox.x0 <= title.x0 and title.x1 <= fig.bbox.x1 and title.y1 <= fig.bbox.y1
    box = ax.get_window_extent()  # no wider than its axes: beyond, it runs into the colour bar
    assert box.x0 - 2 <= title.x0 and title.x1 <= box.x1 + 2
    for tick in ax.get_yticklabels():
        if tick.get_text():
            assert not overlaps(title, tick.get_window_extent()), tick.get_text()


def test_landscape_legends_cover_no_data():
    alphas, grid = bowl()
    assert legend_over_data(plots.landscape_contour_figure(alphas, grid, TITLE)) == []
    line = grid[:, 25]
    assert legend_over_data(plots.landscape_line_figure(alphas, line, np.exp(-line), TITLE)) == []


def test_points_without_a_loss_are_coloured_and_named_not_left_blank():
    # (an overflowed loss (inf) and a point not evaluated (NaN) were white gaps, unexplained)
    alphas, grid = bowl(points=21)
    A, B = np.meshgrid(alphas, alphas, indexing="ij")
    grid[A + B > 1.2] = np.inf
    grid[(A < -0.8) & (B < -0.8)] = np.nan
    fig = plots.landscape_contour_figure(alphas, grid, TITLE)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["loss not finite", "not evaluated", "centre W"]
    assert len(ax.collections) >= 4  # (contourf, contour, and a mesh of cells per kind)
    assert ax.get_xlim() == (-1, 1) and ax.get_ylim() == (-1, 1)
    assert legend_over_data(fig) == []


def test_a_line_point_whose_loss_is_not_finite_is_a_cross_at_the_top_edge():
    # (the loss line only stopped there, without a word)
    a = np.linspace(-1, 1, 21)
    loss = 2 + 5 * a**2
    loss[a > 0.7] = np.inf
    fig = plots.landscape_line_figure(a, loss, 0.9 - 0.5 * a**2, TITLE)
    ax = fig.axes[0]
    (crosses,) = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    assert list(crosses.get_xdata()) == list(a[a > 0.7]) and set(crosses.get_ydata()) == {1}
    assert "loss not finite" in [t.get_text() for t in ax.get_legend().get_texts()]
    clean = plots.landscape_line_figure(a, 2 + 5 * a**2, 0.9 - 0.5 * a**2, TITLE).axes[0]
    assert [t.get_text() for t in clean.get_legend().get_texts()] == [
        "loss (left axis)", "centre W (a = 0)", "accuracy (right)"
    ]  # fmt: skip


def test_a_line_of_no_finite_loss_has_no_loss_scale_and_says_so():
    # (a net of init std 1e30 overflowed at every point: its loss axis was ticked 1, 2, 3, 4,
    # 6, 10 "loss (log scale)", matplotlib's view around nothing, as lr-scan's and a run's
    # curves say "no finite loss" instead)
    a = np.linspace(-1, 1, 7)
    fig = plots.landscape_line_figure(a, np.full(7, np.inf), np.zeros(7), TITLE)
    render(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels(which="both") if t.get_text()] == []
    assert "no finite loss" in [t.get_text() for t in ax.texts]
    assert ax.get_ylabel() == "loss"


def test_the_line_names_its_axis_and_its_centre_as_the_plane_does():
    # (the 1-D figure's x axis read "a" and its dashed line at 0 was not in the legend, where
    # the 2-D one reads "a (D1)" and has "centre W")
    a, loss = np.linspace(-1, 1, 21), 2 + 5 * np.linspace(-1, 1, 21) ** 2
    line = plots.landscape_line_figure(a, loss, 0.9 - 0.5 * a**2, TITLE).axes[0]
    plane = plots.landscape_contour_figure(*bowl(), TITLE).axes[0]
    assert line.get_xlabel() == plane.get_xlabel() == "a (D1)"
    assert any("centre W" in t.get_text() for t in line.get_legend().get_texts())


def test_a_slice_with_one_finite_loss_gets_that_value_not_a_scale_around_it():
    # (a net of init std 1e6 over -50..50: the loss overflowed at every point but the centre;
    # the colour bar was ticked 2.9928695x10^34 .. 2.9928720x10^34, a range of nothing)
    a = np.linspace(-50, 50, 11)
    z = np.full((11, 11), np.inf)
    z[5, 5] = 2.9928700e34
    fig = plots.landscape_contour_figure(a, z, "big")
    render(fig)
    bar = fig.axes[1]
    labels = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert len(labels) == 1
    assert "2.993e+34 at every point drawn (1 finite point)" in bar.get_ylabel()


def test_the_centre_is_a_whole_star_where_it_is_a_corner_of_the_plane():
    # (--range 0:1 puts W at the corner: the axes clipped three quarters of its star away)
    a = np.linspace(0.0, 1.0, 5)
    fig = plots.landscape_contour_figure(a, 1.0 + np.add.outer(a, a), TITLE)
    (star,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "centre W"]
    assert not star.get_clip_on() and star.get_zorder() > 2


def test_the_lines_accuracy_axis_shows_the_accuracies_from_a_floor_as_the_curves_do():
    """The quick start's slice, accuracy 0.57 .. 0.97, sat in the top half of 0..1.02; one
    at chance far out is squeezed under the floor, its break mark on the right-hand axis."""
    a = np.linspace(-1, 1, 21)
    fig = plots.landscape_line_figure(a, 2 + 5 * a**2, 0.97 - 0.4 * a**2, TITLE)
    acc = fig.axes[1]
    assert 0.45 < acc.get_ylim()[0] < 0.5 and acc.get_ylabel() == "accuracy (from 0.5)"
    far = np.where(abs(a) == 1, 0.1, 0.97 - 0.1 * a**2)
    fig = plots.landscape_line_figure(a, 2 + 5 * a**2, far, TITLE)
    acc = fig.axes[1]
    assert acc.get_ylabel() == "accuracy (0 to 0.8 squeezed)", acc.get_ylabel()
    marks = [ln for ln in acc.get_lines() if ln.get_transform() != acc.transData]
    assert marks and all(ln.get_xdata()[0] == 1 for ln in marks)  # (the right edge)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["loss (left axis)", "centre W (a = 0)", "accuracy (right)"]


@pytest.mark.parametrize("kind", ["plane", "line", "plane of no finite loss"])
def test_the_a_axis_labels_keep_an_em_apart(kind):
    """The plane's -1.00 -0.75 -0.50 ... 1.00 on 4 inches nearly touched; a plane of no
    finite loss (a net of init std 1e30), with no colour bar, was ticked so at 0.65 em: its
    labels were spaced on the axes' box before its equal aspect narrowed it."""
    from nnlab.plots.axes import TICK_SPACE

    alphas, grid = bowl()
    if kind == "line":
        fig = plots.landscape_line_figure(alphas, grid[:, 25], 0.9 - 0.1 * alphas**2, TITLE)
    else:
        grid = np.full_like(grid, np.inf) if kind != "plane" else grid
        fig = plots.landscape_contour_figure(alphas, grid, TITLE)
    render(fig)
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    boxes = sorted((t.get_window_extent().x0, t.get_window_extent().x1)
                   for x, t in zip(ax.get_xticks(), ax.get_xticklabels()) if lo <= x <= hi)  # fmt: skip
    gap = TICK_SPACE * plots.base.fonts.TICK_PT * fig.dpi / 72
    assert all(b[0] - a[1] >= gap for a, b in zip(boxes, boxes[1:])), boxes
