"""Every figure names the run that drew it, first in its title (``plots.named``): one copied
out of its folder (into slides) still says which run made it."""

from __future__ import annotations

import pytest

from nnlab import plots
from tests.plots import test_no_overlaps as cases
from tests.plots.layout import render

RUN = "20261207-104400-mnist-1000-1a2b3c"


def test_named_puts_the_run_on_the_first_line_and_either_alone_where_the_other_is_empty():
    assert plots.named(RUN, "step-size scan") == f"{RUN}\nstep-size scan"
    assert plots.named(RUN) == RUN
    assert plots.named("", "step-size scan") == "step-size scan"


def title_text(fig):
    """The figure's title: its suptitle, else its first axes' title."""
    said = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return said or fig.axes[0].get_title()


FIGURES = {  # (each figure that named no run, or only its config's name, before)
    "train curves": lambda: plots.train_curves_figure(
        cases.records.learning(3), ["train", "test"], RUN, status="COMPLETED"
    ),
    "lr-scan": lambda: plots.lr_scan_figure(cases.lr_rows(1e-5, 10), 2.4, 2, RUN),
    "landscape line": cases.line(0.5, 500.0, run=RUN),
    "landscape contour": cases.contour(0.5, 500.0, run=RUN),
    "activations": cases.activations(2, 3, run=RUN),
    "optimizer losses": cases.optimizer_losses(2, run=RUN),
    "optimizer paths 2-d": cases.paths_2d(2, run=RUN),
    "optimizer paths 1-d": cases.paths_1d(2, run=RUN),
    "gradcheck differences": cases.gradcheck(10, run=RUN),
    "tune curves": lambda: plots.tune_curves_figure(
        *cases.tune_top(2, ["optimizer.lr"]), ["optimizer.lr"], RUN
    ),
    "tune scatter": lambda: plots.tune_scatter_figure(
        cases.scatter_points(["optimizer.lr"], 3), ["optimizer.lr"], {}, "final_val_acc", RUN
    ),
    "sweep": cases.sweep(3, title=RUN),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_names_its_run_on_its_title_first_line(name):
    fig = FIGURES[name]()
    render(fig)
    assert title_text(fig).split("\n")[0] == RUN, name
