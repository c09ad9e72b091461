"""The layout checks the figure tests rely on do fail on a bad layout."""

from __future__ import annotations

import numpy as np

from nnlab import plots
from tests.plots.layout import legend_over_data, overlaps, render, text_defects, texts


def test_a_legend_over_a_line_is_reported():
    fig, ax = plots.pyplot().subplots()
    ax.plot(np.linspace(0, 1, 50), np.full(50, 0.5), label="flat line")
    ax.legend(loc="center")
    assert legend_over_data(fig) and "flat line" in legend_over_data(fig)[0]


def test_a_legend_over_a_filled_contour_is_reported():
    fig, ax = plots.pyplot().subplots()
    x = np.linspace(-1, 1, 20)
    ax.contourf(x, x, np.add.outer(x**2, x**2))
    ax.plot([0], [0], "*", label="centre")
    ax.legend(loc="upper right")
    assert legend_over_data(fig)


def test_a_legend_beside_the_data_is_not_reported():
    fig, ax = plots.pyplot().subplots()
    ax.plot(np.linspace(0, 1, 50), np.full(50, 0.5), label="flat line")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    assert legend_over_data(fig) == []


def test_overlapping_texts_are_seen():
    fig, ax = plots.pyplot().subplots()
    ax.set_title("a title")
    ax.text(0.5, 1.01, "on top of the title", transform=ax.transAxes, ha="center")
    render(fig)
    by_text = {t.get_text(): t.get_window_extent() for t in texts(fig)}
    assert overlaps(by_text["a title"], by_text["on top of the title"])


def test_text_defects_sees_overlapping_texts_and_texts_past_the_canvas():
    fig, ax = plots.pyplot().subplots(figsize=(4, 3))
    fig.subplots_adjust(left=0.2, bottom=0.2, right=0.6)
    ax.set_title("a title")
    ax.text(0.5, 1.01, "on top of the title", transform=ax.transAxes, ha="center")
    ax.text(1.5, 0.5, "off the right edge", transform=ax.transAxes)
    bad = text_defects(fig, tight=False)
    assert any("overlaps" in b and "'a title'" in b and "on top" in b for b in bad), bad
    assert any("'off the right edge'" in b and "reaches past" in b for b in bad), bad
    tight = text_defects(fig, tight=True)  # (the crop widens the canvas to the text)
    assert len(tight) == 1 and "'a title'" in tight[0] and "overlaps" in tight[0], tight


def test_text_defects_counts_only_the_tick_labels_drawn():
    # (matplotlib keeps tick labels outside the view, undrawn: not texts of the figure)
    fig, ax = plots.pyplot().subplots(figsize=(4, 3))
    fig.subplots_adjust(left=0.2, bottom=0.2)
    ax.plot([0, 1], [0, 1])
    ax.set_xlim(0.2, 0.8)
    assert text_defects(fig, tight=False) == []
