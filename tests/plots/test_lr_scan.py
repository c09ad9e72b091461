"""The lr-scan figure: the 'best' labels stay inside the axes, clear of the tick and axis
labels; diverged rates are marked in a strip above the loss axes, not at a loss value; the
legend is beside."""

from __future__ import annotations

import pytest

from nnlab import plots
from tests.plots.layout import legend_over_data, overlaps, render, texts

# the README's MNIST scan: the best of both curves at 0.1, training diverged at 1 and 10
README_ROWS = [
    {"lr": 1e-5, "step_loss": 2.4687, "train_loss": 2.4681, "best": ""},
    {"lr": 1e-4, "step_loss": 2.4684, "train_loss": 2.4621, "best": ""},
    {"lr": 1e-3, "step_loss": 2.4654, "train_loss": 2.4140, "best": ""},
    {"lr": 1e-2, "step_loss": 2.4367, "train_loss": 2.2480, "best": ""},
    {"lr": 1e-1, "step_loss": 2.3034, "train_loss": 1.1280, "best": "step, train"},
    {"lr": 1.0, "step_loss": 2.3489, "train_loss": None, "best": ""},
    {"lr": 10.0, "step_loss": 169.7014, "train_loss": None, "best": ""},
]


def variants():
    yield "readme", README_ROWS
    # best at the right end and at the bottom edge of the data
    yield (
        "best-right",
        [dict(r, best="") for r in README_ROWS[:5]]
        + [{"lr": 1.0, "step_loss": 0.01, "train_loss": 0.001, "best": "step, train"}],
    )
    # best at the left end, high up (everything else lower)
    yield (
        "best-left-high",
        [
            {"lr": 10.0**-k, "step_loss": 2.0 + k, "train_loss": 1.0 + k, "best": ""}
            for k in range(5, 0, -1)
        ]
        + [{"lr": 1.0, "step_loss": None, "train_loss": None, "best": ""}],
    )


def test_a_best_rate_whose_loss_rose_above_the_initial_loss_says_so():
    # (a scan of 1e3 .. 1e6: every step raised the loss from 2.5 to 1e7 and more, and the
    # lowest was circled 'best 1e+03', as if it were a rate to use)
    rows = [{"lr": 1e3, "step_loss": 1.1e7, "train_loss": None, "best": "step"},
            {"lr": 1e6, "step_loss": 5e16, "train_loss": None, "best": ""}]  # fmt: skip
    fig = plots.lr_scan_figure(rows, initial_loss=2.542, epochs=2)
    (label,) = annotations(fig.axes[0])
    assert label.get_text() == "best 1000\n(above the initial loss)"  # (as the table has it)
    render(fig)
    box, e = fig.axes[0].get_window_extent(), label.get_window_extent()
    assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1
    fig = plots.lr_scan_figure(README_ROWS, initial_loss=2.4687, epochs=2)
    assert all("\n" not in t.get_text() for t in annotations(fig.axes[0]))


def annotations(ax):
    return [t for t in ax.texts if t.get_text().startswith("best")]


@pytest.mark.parametrize(("name", "rows"), list(variants()))
def test_best_labels_inside_the_axes_and_clear_of_tick_and_axis_labels(name, rows):
    fig = plots.lr_scan_figure(rows, initial_loss=2.4687, epochs=2, title="mnist-1000")
    render(fig)
    ax = fig.axes[0]
    box = ax.get_window_extent()
    labels = annotations(ax)
    assert labels or name == "best-left-high"
    frame = [ax.xaxis.label, ax.yaxis.label, ax.title]
    frame += [t for t in texts(fig) if t in ax.get_xticklabels() + ax.get_yticklabels()]
    for label in labels:
        e = label.get_window_extent()
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1, name
        for other in frame:
            assert not overlaps(e, other.get_window_extent()), (label.get_text(), other.get_text())
    for a in labels:
        for b in labels:
            assert a is b or not overlaps(a.get_window_extent(), b.get_window_extent())


@pytest.mark.slow
def test_axis_labels_do_not_overlap_tick_labels():
    fig = plots.lr_scan_figure(README_ROWS, initial_loss=2.4687, epochs=2)
    render(fig)
    ax = fig.axes[0]
    for axis in (ax.xaxis, ax.yaxis):
        for tick in axis.get_ticklabels():
            if tick.get_text():
                assert not overlaps(axis.label.get_window_extent(), tick.get_window_extent())


def test_diverged_rates_are_crosses_in_a_strip_of_their_own_not_on_the_loss_axis():
    fig = plots.lr_scan_figure(README_ROWS, initial_loss=2.4687, epochs=2)
    ax = fig.axes[0]
    assert not [ln for ln in ax.get_lines() if ln.get_marker() == "x"]  # none at a loss value
    (strip,) = ax.child_axes
    (crosses,) = strip.get_lines()
    assert list(crosses.get_xdata()) == [1.0, 10.0] and crosses.get_marker() == "x"
    assert strip.get_yticks().size == 0 and strip.get_ylabel() == "diverged"  # no loss scale
    render(fig)
    loss_axes, strip_box = ax.get_window_extent(), strip.get_window_extent()
    assert strip_box.y0 > loss_axes.y1  # wholly above the loss axes
    assert (strip_box.x0, strip_box.x1) == pytest.approx((loss_axes.x0, loss_axes.x1))
    assert crosses.get_transform().transform((10.0, crosses.get_ydata()[0]))[1] > strip_box.y0
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "diverged (training): loss not finite" in labels
    assert not any(t.get_window_extent().overlaps(strip_box) for t in [ax.title, *texts(fig)]
                   if t.get_text() and t is not strip.yaxis.label)  # fmt: skip


def test_no_strip_when_nothing_diverged_and_one_cross_row_per_curve():
    finite = [dict(r, train_loss=r["train_loss"] or 3.0) for r in README_ROWS]
    fig = plots.lr_scan_figure(finite, initial_loss=2.4687, epochs=2)
    assert fig.axes[0].child_axes == []
    both = [*README_ROWS[:-1], dict(README_ROWS[-1], step_loss=None)]
    fig = plots.lr_scan_figure(both, initial_loss=2.4687, epochs=2)
    (strip,) = fig.axes[0].child_axes
    step, train = strip.get_lines()
    assert list(step.get_xdata()) == [10.0] and list(train.get_xdata()) == [1.0, 10.0]
    assert step.get_ydata()[0] != train.get_ydata()[0]  # both at 10: apart, not on each other


def test_a_scan_with_no_finite_loss_draws_its_crosses_and_no_loss_scale():
    # (an initial loss of NaN went into the axis limits: "Axis limits cannot be NaN or Inf")
    rows = [dict(r, step_loss=None, train_loss=None, best="") for r in README_ROWS]
    fig = plots.lr_scan_figure(rows, initial_loss=None, epochs=2)
    ax = fig.axes[0]
    (strip,) = ax.child_axes
    assert [list(ln.get_xdata()) for ln in strip.get_lines()] == [[r["lr"] for r in rows]] * 2
    assert ax.get_yticks().size == 0 and [t.get_text() for t in ax.texts] == ["no finite loss"]
    assert not any("initial" in t.get_text() for t in ax.get_legend().get_texts())


def test_lr_scan_legend_covers_no_data():
    fig = plots.lr_scan_figure(README_ROWS, initial_loss=2.4687, epochs=2)
    assert legend_over_data(fig) == []


def test_the_training_curve_says_how_the_nets_trained():
    fig = plots.lr_scan_figure(README_ROWS, 2.4687, epochs=2, trainer="adam, batch 50")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "train loss after 2 epochs of training (adam, batch 50)" in labels
    assert "objective after one full-gradient step" in labels  # (no optimizer named: plain GD)


def test_a_training_curve_that_is_not_the_objective_says_so_and_is_not_held_to_it():
    # (with weight decay the train split's evaluated loss, without the L2 term, lay far below
    # the one-step curve and the 'initial loss' line, and the legend did not say they differ)
    rows = [dict(r, train_loss=3.0, best="train" if r["lr"] == 0.1 else "") for r in README_ROWS]
    fig = plots.lr_scan_figure(rows, 2.4687, epochs=2, trainer="sgd, batch 100", objective=False)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels[1] == (
        "train loss after 2 epochs of training (sgd, batch 100)\n"
        "(evaluated, without the L2 term: not the objective)"
    )
    (label,) = [a for a in annotations(fig.axes[0]) if "best" in a.get_text()]
    assert label.get_text() == "best 0.1"  # (3.0 is above 2.4687, a loss of another kind)
    fig = plots.lr_scan_figure(rows, 2.4687, epochs=2, trainer="sgd, batch 100")
    (label,) = [a for a in annotations(fig.axes[0]) if "best" in a.get_text()]
    assert label.get_text() == "best 0.1\n(above the initial loss)"


def test_a_curve_whose_every_rate_diverged_has_no_legend_entry():
    # (every training diverged: the legend kept an empty "after 2 epochs of training" line
    # beside its crosses' "diverged (training)" entry)
    rows = [dict(r, train_loss=None, best="") for r in README_ROWS]
    fig = plots.lr_scan_figure(rows, initial_loss=2.4687, epochs=2, trainer="adam, batch 50")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == [
        "objective after one full-gradient step",
        "initial objective 2.4687",
        "diverged (training): loss not finite",
    ]
    render(fig)


def test_the_best_rate_is_labelled_as_the_table_spells_it():
    # (a half-decade scan's best rate 10**-1.5 was circled 'best 3e-02', its row read 0.03162)
    from nnlab.output import config_number

    rows = [{"lr": 10.0**-k, "step_loss": 1.0 + k, "best": "step" if k == 1.5 else ""}
            for k in (2.5, 2.0, 1.5)]  # fmt: skip
    fig = plots.lr_scan_figure(rows, initial_loss=2.5, epochs=0)
    (label,) = annotations(fig.axes[0])
    assert label.get_text() == f"best {config_number(10.0**-1.5)}" == "best 0.0316228"


def test_the_two_curves_differ_in_marker_and_line_not_only_in_colour():
    # (blue and vermillion print as one grey: the curves were told apart by colour alone)
    from tests.plots.test_no_overlaps import lr_rows

    fig = plots.lr_scan_figure(lr_rows(1e-5, 10, diverge=0), 2.4, 2)
    ax = fig.axes[0]
    curves = [ln for ln in ax.get_lines() if ln.get_label().startswith(("objective", "train"))]
    assert len(curves) == 2
    shapes = {(ln.get_marker(), ln.get_linestyle()) for ln in curves}
    assert len(shapes) == 2 and len({m for m, _ in shapes}) == 2
    (initial,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("initial")]
    assert initial.get_linestyle() not in {ls for _, ls in shapes}


# a scan of 10^-10 .. 10^4 on digits (nnlab lr-scan --min -10 --max 4 --num 15 --epochs 1):
# past the best rate, 0.1, the one-step objective rises by decades and training diverges at
# 1000; the line from 0.1 to 1 ran through the '1' of the label 'best 0.1' above its circle
WIDE_ROWS = [
    {"lr": 10.0**k, "step_loss": 2.5419 - 0.4 * 10.0**k, "train_loss": 2.5419 - 10.0 ** (k + 1),
     "best": ""} for k in range(-10, -2)
] + [
    {"lr": 0.001, "step_loss": 2.5378, "train_loss": 2.1699, "best": ""},
    {"lr": 0.01, "step_loss": 2.5027, "train_loss": 1.2981, "best": ""},
    {"lr": 0.1, "step_loss": 2.2821, "train_loss": 0.3865, "best": "step, train"},
    {"lr": 1.0, "step_loss": 2.7119, "train_loss": 2.1053, "best": ""},
    {"lr": 10.0, "step_loss": 62.044, "train_loss": 11.154, "best": ""},
    {"lr": 100.0, "step_loss": 31372.3, "train_loss": 152.02, "best": ""},
    {"lr": 1000.0, "step_loss": 2.9095e7, "train_loss": None, "best": ""},
    {"lr": 10000.0, "step_loss": 2.8878e10, "train_loss": None, "best": ""},
]  # fmt: skip


@pytest.mark.parametrize(("name", "rows"), [*variants(), ("wide", WIDE_ROWS)])
def test_best_labels_cover_no_curve(name, rows):
    from tests.plots.layout import data_points

    fig = plots.lr_scan_figure(rows, initial_loss=2.5419, epochs=1, title="digits-quickstart")
    render(fig)
    ax = fig.axes[0]
    points = data_points(ax)
    for label in annotations(ax):
        e = label.get_window_extent()
        hit = (points[:, 0] > e.x0) & (points[:, 0] < e.x1) & (points[:, 1] > e.y0)
        assert not (hit & (points[:, 1] < e.y1)).any(), (name, label.get_text())
