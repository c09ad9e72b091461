"""A curve that ends short of its run's epochs says why: a red cross where the net diverged,
a hollow square where the run FAILED, a hollow diamond where it was INTERRUPTED, each with a
legend entry (a line that only stopped read as a run of fewer epochs, as if it had completed)."""

from __future__ import annotations

import pytest

from nnlab import plots
from tests.plots import records, test_sweep, test_weight_scale
from tests.plots.layout import legend_over_data, render

MARKERS = {"FAILED": "s", "INTERRUPTED": "D"}


def marks(ax, status):
    """(x, y) of the end marks of ``status`` drawn on ``ax``."""
    return [
        (float(ln.get_xdata()[0]), float(ln.get_ydata()[0]))
        for ln in ax.get_lines()
        if ln.get_marker() == MARKERS[status] and len(ln.get_xdata()) == 1
    ]


def legend_texts(fig):
    found = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for legend in found for t in legend.get_texts()]


def stopped_run(epochs: int = 3):
    """A run's records up to the epoch where it stopped (of the 10 it was to train)."""
    return records.learning(epochs=10)[: epochs + 1]


@pytest.mark.parametrize("status", ["FAILED", "INTERRUPTED"])
def test_a_sweep_trial_that_stopped_short_ends_at_a_mark_the_legend_names(status):
    rows = [
        {"trial": "a", "optimizer.lr": 0.01, "status": "COMPLETED"},
        {"trial": "b", "optimizer.lr": 0.1, "status": status},
    ]
    curves = {"a": records.learning(epochs=10), "b": stopped_run(3)}
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    ax = fig.axes[0]
    last = stopped_run(3)[-1]
    assert marks(ax, status) == [(3.0, pytest.approx(last["test_acc"]))]
    word = {"FAILED": "failed", "INTERRUPTED": "interrupted"}[status]
    assert any(t.startswith(f"{word}: ") and "(1 trial)" in t for t in legend_texts(fig))
    assert not legend_over_data(fig)


def test_many_failed_trials_on_a_colour_scale_are_marked_and_counted():
    rows, curves = test_sweep.random_sweep(n=30, diverge_above=2.0)
    for row in rows[:5]:
        row["status"] = "FAILED"
        curves[row["trial"]] = curves[row["trial"]][:3]
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    assert len(marks(fig.axes[0], "FAILED")) == 5
    assert any("(5 trials)" in t and t.startswith("failed") for t in legend_texts(fig))


def test_a_completed_trial_gets_no_end_mark():
    rows = [{"trial": "a", "optimizer.lr": 0.01, "status": "COMPLETED"}]
    fig = plots.sweep_curves_figure(rows, {"a": stopped_run(3)}, ["optimizer.lr"])
    assert not marks(fig.axes[0], "FAILED") and not marks(fig.axes[0], "INTERRUPTED")


def test_a_compared_run_that_failed_says_so_in_its_title_and_legend():
    panels = [
        {"label": "ok", "records": records.learning(epochs=10), "status": "COMPLETED"},
        {"label": "broken", "records": stopped_run(4), "status": "FAILED"},
    ]
    fig = plots.accuracy_gaps_figure(panels)
    render(fig)
    assert "failed after epoch 4" in fig.axes[1].get_title()
    assert marks(fig.axes[1], "FAILED") and not marks(fig.axes[0], "FAILED")
    assert any(t.startswith("failed: ") for t in legend_texts(fig))
    assert not legend_over_data(fig)


@pytest.mark.slow
def test_a_weight_scale_net_that_was_interrupted_says_so_in_its_panel():
    panels = test_weight_scale.grid_panels()
    panels[3]["plain"], panels[3]["plain_status"] = stopped_run(2), "INTERRUPTED"
    fig = plots.weight_scale_grid_figure(panels, "train_acc", title="sweep")
    assert "no BN interrupted after epoch 2" in fig.axes[3].get_title()
    assert len(marks(fig.axes[3], "INTERRUPTED")) == 1
    assert any(t.startswith("interrupted: ") for t in legend_texts(fig))
    assert any(t.startswith("diverged") for t in legend_texts(fig))  # (the grid's own 2)
