"""A general sweep's figure: few trials get a legend beside the axes, many trials a colour scale
of a swept value (or a legend of its values); diverged trials are marked."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import LogNorm, to_rgba

from nnlab import plots
from tests.plots import records
from tests.plots.layout import legend_over_data, overlaps, render


def random_sweep(n: int = 50, diverge_above: float = 0.5):
    """``n`` trials with lr drawn log-uniformly in 1e-6..1; those above ``diverge_above``
    diverge at epoch 2."""
    rng = np.random.default_rng(0)
    rows, curves = [], {}
    for i, lr in enumerate(10 ** rng.uniform(-6, 0, n)):
        trial = f"t{i:02d}"
        gone = lr > diverge_above
        rows.append({"trial": trial, "optimizer.lr": float(lr),
                     "status": "DIVERGED" if gone else "COMPLETED"})  # fmt: skip
        curves[trial] = (
            records.diverging(at=2) if gone else records.learning(epochs=5, end=0.2 + 0.1 * -np.log10(lr))
        )  # fmt: skip
    return rows, curves


def test_many_trials_get_a_log_colour_scale_of_the_swept_value():
    rows, curves = random_sweep()
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"], title="sweep")
    ax, bar = fig.axes
    lrs = [r["optimizer.lr"] for r in rows]
    assert bar.get_ylabel() == "optimizer.lr (log scale)" and bar.get_yscale() == "log"
    assert bar.get_ylim() == pytest.approx((min(lrs), max(lrs)))
    # each completed trial's curve has its lr's colour on that scale
    norm, cmap = LogNorm(min(lrs), max(lrs)), colormaps["viridis"]
    colours = {to_rgba(ln.get_color()) for ln in ax.get_lines() if ln.get_linestyle() == "-"}
    expected = {to_rgba(cmap(norm(r["optimizer.lr"]))) for r in rows if r["status"] == "COMPLETED"}
    assert expected <= colours
    assert "50 trials, colour: optimizer.lr" in ax.get_title()


def test_many_trials_mark_the_diverged_ones_and_keep_legends_off_the_data():
    rows, curves = random_sweep()
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    ax = fig.axes[0]
    n = sum(r["status"] == "DIVERGED" for r in rows)
    assert n > 0
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    assert len(crosses) == n and all(c.get_xdata()[0] == 2 for c in crosses)
    assert any(f"diverged ({n} trials)" == t.get_text() for t in ax.get_legend().get_texts())
    assert legend_over_data(fig) == []
    render(fig)
    legend = ax.get_legend().get_window_extent()
    assert not overlaps(legend, ax.xaxis.label.get_window_extent())
    assert not overlaps(legend, fig.axes[1].get_window_extent())


def test_many_trials_of_a_categorical_key_get_a_legend_of_its_values():
    rows, curves = [], {}
    for i in range(16):
        trial = f"t{i}"
        rows.append({"trial": trial, "model.activation": ["relu", "tanh"][i % 2], "seed": i})
        curves[trial] = records.learning(epochs=5)
    fig = plots.sweep_curves_figure(rows, curves, ["model.activation"])
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["model.activation='relu'", "model.activation='tanh'"]
    assert legend_over_data(fig) == []


def test_few_trials_get_one_legend_entry_each_beside_the_axes():
    rows, curves = random_sweep(8, diverge_above=2.0)
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    assert len(fig.axes) == 1  # no colour bar
    assert len(fig.axes[0].get_legend().get_texts()) == 8
    assert legend_over_data(fig) == []


def test_sweep_curves_file_is_written(tmp_path):
    rows, curves = random_sweep()
    figure = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    assert plots.save(figure, tmp_path / "c.png").stat().st_size
