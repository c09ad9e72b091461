"""Legends fit their figure: no wider than the axes they stand beside (a random sweep over three
keys had a legend twice the axes' width), whatever the number of keys or the length of their
values; entries are broken into lines, a sweep's shared keys said once as the legend's title."""

from __future__ import annotations

import random

import pytest

from nnlab import plots
from tests.plots import records
from tests.plots.layout import legend_over_data, render

KEYS = ["optimizer.lr", "weight_decay", "model.hidden", "model.init_scale"]


def random_sweep(n_keys, trials=8, long=False):
    """``trials`` rows of a random sweep over the first ``n_keys`` of ``KEYS``, and curves."""
    draw = random.Random(n_keys)
    rows, curves = [], {}
    for i in range(trials):
        row = {"trial": f"t{i}", "status": "COMPLETED"}
        row.update({k: 10 ** draw.uniform(-6, -1) for k in KEYS[:n_keys]})
        if n_keys > 2:
            row["model.hidden"] = draw.choice([[50], [100, 100], [25, 25, 25]])
        if long:
            row[KEYS[0]] = f"a_categorical_value_{'x' * 40}{i}"
        rows.append(row)
        curves[row["trial"]] = records.learning(epochs=10, end=0.5 + 0.05 * i)
    return rows, curves


def widths(fig):
    """(the legend's width, the axes' width), in pixels, as drawn."""
    render(fig)
    ax = fig.axes[0]
    return ax.get_legend().get_window_extent().width, ax.get_window_extent().width


@pytest.mark.parametrize("n_keys", [1, 2, 3, 4])
@pytest.mark.parametrize("long", [False, True])
def test_a_sweeps_legend_is_no_wider_than_its_axes_for_any_number_of_keys(n_keys, long):
    rows, curves = random_sweep(n_keys, long=long)
    fig = plots.sweep_curves_figure(rows, curves, KEYS[:n_keys], "a-random-sweep")
    legend, axes = widths(fig)
    assert legend <= axes + 1, (n_keys, long, legend, axes)
    assert legend_over_data(fig) == []


def test_a_random_sweep_over_three_keys_names_them_once_and_each_trial_by_its_values():
    rows, curves = random_sweep(3)
    fig = plots.sweep_curves_figure(rows, curves, KEYS[:3])
    legend = fig.axes[0].get_legend()
    assert legend.get_title().get_text() == "optimizer.lr, weight_decay, model.hidden"
    labels = [t.get_text() for t in legend.get_texts()]
    assert all("=" not in label and label.count(", ") >= 2 for label in labels), labels


def test_a_legend_that_fits_keeps_its_entries_as_they_are():
    rows, curves = random_sweep(1)
    fig = plots.sweep_curves_figure(rows, curves, KEYS[:1])
    legend = fig.axes[0].get_legend()
    assert legend.get_title().get_text() == ""
    assert all(t.get_text().startswith("optimizer.lr=") for t in legend.get_texts())


def test_fit_legend_breaks_entries_into_lines_until_the_legend_fits():
    fig = plots.pyplot().figure(figsize=(6, 4))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="a very long label, " * 8 + "and its end")
    ax.plot([0, 1], [1, 0], label="short")
    legend = plots.base.legend_outside(ax, "right", room=2.5)
    assert plots.base.legend_inches(legend) <= 2.5
    long, short = (t.get_text() for t in legend.get_texts())
    assert long.count("\n") >= 3 and long.replace("\n", " ").endswith("and its end")
    assert short == "short"


def test_fit_legend_shortens_the_long_column_alone_and_fits_in_one_go():
    """A legend of two columns, one of long entries and one of short: the long column gives up
    all the width the legend must lose (each column gave up an equal share, so three rounds
    left it wider than its room), the short one keeps its entries whole."""
    fig = plots.pyplot().figure(figsize=(8, 4))
    ax = fig.add_subplot()
    for label in ["a long label that says a lot, " * 3 + "end", "another long one, " * 4 + "end",
                  "short", "tiny"]:  # fmt: skip
        ax.plot([0, 1], [0, 1], label=label)
    legend = plots.base.legend_outside(ax, "below", ncol=2, room=3.0)
    assert plots.base.legend_inches(legend) <= 3.0
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[2:] == ["short", "tiny"] and all("\n" in t for t in texts[:2]), texts
