"""Every per-epoch axis ticks whole epochs only, however few epochs there are."""

from __future__ import annotations

import pytest

from nnlab import plots
from tests.plots import records


def _short_run():
    recs = records.learning(epochs=2)
    for r in recs:
        r["val_acc"] = r["test_acc"]
    return recs


def _figures():
    recs = _short_run()
    row = {"trial": "t0", "rank": 1, "optimizer.lr": 0.1, "seed": 0, "status": "COMPLETED"}
    yield "train", plots.train_curves_figure(recs, ["train", "test"], status="COMPLETED")
    yield (
        "compare",
        plots.accuracy_gaps_figure([{"label": "a", "records": recs, "status": "COMPLETED"}]),
    )
    yield "sweep", plots.sweep_curves_figure([row], {"t0": recs}, ["optimizer.lr"])
    yield "tune", plots.tune_curves_figure([row], {"t0": recs}, ["optimizer.lr"])


@pytest.mark.parametrize("name", ["train", "compare", "sweep", "tune"])
def test_epoch_ticks_are_whole_numbers_over_two_epochs(name):
    # (tune-curves.png of a 2-epoch search had ticks at 0.25, 0.5, ..., 1.75)
    fig = dict(_figures())[name]
    fig.canvas.draw()
    axes = [ax for ax in fig.axes if ax.get_xlabel() == "epoch"]
    assert axes, "no axis labelled epoch"
    for ax in axes:
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_iterations_of_optimizers_that_all_diverged_at_once_are_ticked_whole():
    # (sgd, adam and momentum at lr 1e6 on digits: every loss non-finite from iteration 2, and
    # the iteration axis was ticked 1.00, 1.25, ..., 3.00)
    curves = [
        {"label": name, "loss": [2.4, float("inf")], "smoothed": [2.4, float("inf")]}
        for name in ("sgd", "adam", "momentum")
    ]
    fig = plots.optimizer_loss_curves_figure(curves, "digits")
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    assert ax.get_xlabel() == "iteration"
