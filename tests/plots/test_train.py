"""A run's curves and runs side by side: losses spanning decades on a log axis (weight decay's
objective carries the L2 penalty), legends beside the data, a diverged run marked."""

from __future__ import annotations

import pytest

from nnlab import plots
from tests.plots import records
from tests.plots.layout import legend_over_data, outside_figure


def weight_decay_run(epochs: int = 50):
    """As overfit-mnist-300-weight-decay: objective 63 -> 20 (the L2 penalty), data losses 2.3
    -> 0.6."""
    out = []
    for e in range(epochs + 1):
        f = e / epochs
        out.append({"epoch": e, "loss": None if e == 0 else 63 - 43 * f,
                    "train_loss": 2.3 - 1.7 * f, "train_acc": 0.1 + 0.8 * f,
                    "test_loss": 2.3 - 1.4 * f, "test_acc": 0.1 + 0.64 * f})  # fmt: skip
    return out


def test_losses_spanning_decades_get_a_log_axis():
    fig = plots.train_curves_figure(
        weight_decay_run(), ["train", "test"], title="wd", status="COMPLETED"
    )
    ax_loss, ax_acc = fig.axes
    assert ax_loss.get_yscale() == "log" and "log" in ax_loss.get_ylabel()
    assert ax_acc.get_yscale() == "linear"
    penalty = plots.train_curves_figure(weight_decay_run(), ["train", "test"], status="COMPLETED",
                                        objective="objective (train batches, + L2 penalty)")  # fmt: skip
    assert penalty.axes[0].get_lines()[0].get_label() == "objective (train batches, + L2 penalty)"


def test_losses_within_a_decade_stay_linear():
    fig = plots.train_curves_figure(records.learning(), ["train", "test"], status="COMPLETED")
    assert fig.axes[0].get_yscale() == "linear"


def test_train_curves_legends_cover_no_data():
    fig = plots.train_curves_figure(
        weight_decay_run(), ["train", "test"], title="wd", status="COMPLETED"
    )
    assert legend_over_data(fig) == []


@pytest.mark.parametrize("splits", [["train"], ["train", "test"], ["train", "val", "test"]])
def test_train_curves_fit_their_fixed_margins_with_legends_of_any_height(splits):
    run = [
        {**r, "val_loss": r["test_loss"], "val_acc": r["test_acc"]} for r in records.diverging(at=3)
    ]
    fig = plots.train_curves_figure(
        run, splits, title="a-run-name-of-forty-characters-or-so-x", status="DIVERGED"
    )
    assert outside_figure(fig) == [] and legend_over_data(fig) == []
    assert all(t == int(t) for t in fig.axes[1].get_xticks())  # epochs: whole numbers


def test_a_split_evaluated_after_the_last_epoch_only_is_one_star():
    run = [
        {k: v for k, v in r.items() if not k.startswith("test_") or r["epoch"] == 50}
        for r in weight_decay_run()
    ]
    fig = plots.train_curves_figure(run, ["train", "test"], title="final test", status="COMPLETED")
    ax_acc = fig.axes[1]
    (star,) = [ln for ln in ax_acc.get_lines() if ln.get_marker() == "*"]
    assert list(star.get_xdata()) == [50] and star.get_ydata()[0] == pytest.approx(0.74)
    assert star.get_label() == "test accuracy (final)" and star.get_linestyle() == "None"
    assert legend_over_data(fig) == []


def diverged_at(epoch: int, panel: int):
    """The curves of a run that diverged at ``epoch``: (figure, the ``panel``'s axes, the
    crosses marking the divergence there)."""
    fig = plots.train_curves_figure(
        records.diverging(at=epoch), ["train", "test"], title="run", status="DIVERGED"
    )
    ax = fig.axes[panel]
    return fig, ax, [ln for ln in ax.get_lines() if ln.get_marker() == "x"]


def test_a_diverged_run_stops_at_a_cross_not_at_its_nan_accuracy():
    fig, ax_acc, crosses = diverged_at(1, panel=1)
    assert [c.get_xdata()[0] for c in crosses] == [1, 1]
    assert all(y != pytest.approx(0.089) for ln in ax_acc.get_lines() for y in ln.get_ydata())
    assert "diverged at epoch 1" in fig._suptitle.get_text()


def test_a_diverged_loss_rises_to_the_top_edge_not_level_at_its_last_value():
    # (its cross sat at the last finite loss, joined by a level dotted line: as if the loss
    # had stayed there, where it went to infinity)
    _, ax_loss, crosses = diverged_at(3, panel=0)
    assert [c.get_xdata()[0] for c in crosses] == [3, 3]
    assert all(c.get_ydata()[0] == 1 and c.get_transform() == ax_loss.get_xaxis_transform()
               for c in crosses)  # fmt: skip
    stubs = [a for a in ax_loss.texts if a.xycoords == ax_loss.get_xaxis_transform()]
    assert len(stubs) == 2 and all(a.xy == (3, 1) for a in stubs)
    level = [ln for ln in ax_loss.get_lines() if ln.get_linestyle() == ":"]
    assert level == []


def test_a_run_that_diverged_at_epoch_0_draws_its_crosses_on_an_epoch_axis():
    # (the loss panel's stub rose from a made-up 0 on a -0.05..0.05 scale, and the epoch axis
    # was ticked -0.04, -0.02, ...)
    run = [{"epoch": 0, "loss": None, "train_loss": None, "train_acc": 0.099,
            "test_loss": None, "test_acc": 0.098}]  # fmt: skip
    fig = plots.train_curves_figure(run, ["train", "test"], title="run", status="DIVERGED")
    ax_loss, ax_acc = fig.axes
    for ax in (ax_loss, ax_acc):
        assert list(ax.get_xticks()) == [0] and ax.get_xlim() == (-0.5, 0.5)
        crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
        assert len(crosses) == 2 and all(c.get_xdata()[0] == 0 for c in crosses)
    assert list(ax_loss.get_yticks()) == [] and not ax_loss.texts[1:]  # (no stub)
    assert [t.get_text() for t in ax_loss.texts] == ["no finite loss"]


def gap_panels():
    return [
        {"label": "plain", "records": records.learning(end=1.0), "status": "COMPLETED"},
        {"label": "weight decay", "records": records.learning(end=0.9), "status": "COMPLETED"},
        {"label": "big lr", "records": records.diverging(at=3), "status": "DIVERGED"},
    ]


def test_accuracy_gaps_legend_covers_no_data_and_a_diverged_run_is_marked():
    fig = plots.accuracy_gaps_figure(gap_panels(), title="3 runs")
    assert legend_over_data(fig) == []
    ax = fig.axes[2]
    assert "diverged at epoch 3" in ax.get_title()
    assert [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_marker() == "x"] == [3]
    assert all(y != pytest.approx(0.089) for ln in ax.get_lines() for y in ln.get_ydata())


def test_the_shaded_gap_shows_on_a_projector_and_the_curves_read_over_it():
    # (at 0.2 alpha the shading was 1.2:1 on white, washed out on a projector)
    from matplotlib.colors import to_hex, to_rgba

    from tests.test_palette import contrast

    ax = plots.accuracy_gaps_figure(gap_panels(), title="3 runs").axes[0]
    (shading,) = [c for c in ax.collections if c.get_label() == "gap"]
    r, g, b, a = to_rgba(shading.get_facecolor()[0])
    seen = to_hex([a * c + (1 - a) for c in (r, g, b)])  # (over the white background)
    assert contrast(seen) >= 1.5
    train, test = [ln for ln in ax.get_lines() if ln.get_label() in ("train", "test")]
    assert contrast(to_hex(train.get_color()), seen) >= 3  # (the train curve runs over it)
    assert min(train.get_zorder(), test.get_zorder()) > shading.get_zorder()


def test_the_last_gap_is_in_the_panel_title_not_over_the_curves():
    # (it was a label at the test curve's end, drawn over that curve)
    fig = plots.accuracy_gaps_figure(gap_panels(), title="3 runs")
    plain = gap_panels()[0]["records"][-1]
    gap = plain["train_acc"] - plain["test_acc"]
    assert fig.axes[0].get_title().splitlines()[-1] == f"gap {gap:.4f} at epoch {plain['epoch']}"
    assert all(not ax.texts for ax in fig.axes)  # (no text inside a panel, over its data)
    assert "gap" not in fig.axes[2].get_title()  # (a diverged run has no final gap)


@pytest.mark.parametrize(
    ("narrowed", "said"),
    [((0.05, 0.05), ["0.0500", "0.0500"]), ((0.05, 0.0033), ["0.0500", "0.0033"]),
     ((0.05, 0.0005), ["0.0500", "0.0005"]), ((0.05, 0.0), ["0.0500", "0.0000"])],
)  # fmt: skip
def test_the_gaps_of_a_figure_are_written_in_one_format(narrowed, said):
    # (each panel's in number's band of its own: 0.0500 beside 0.003300 and 5.000e-04; then
    # 0.050000 beside 0.003300, as runs compare's acc_gap read: 4 decimals, as accuracies)
    panels = []
    for i, gap in enumerate(narrowed):
        run = [{**r, "test_acc": r["train_acc"] - gap} for r in records.learning()]
        panels.append({"label": f"run {i}", "records": run, "status": "COMPLETED"})
    fig = plots.accuracy_gaps_figure(panels)
    assert [ax.get_title().splitlines()[-1] for ax in fig.axes] == [
        f"gap {g} at epoch 20" for g in said
    ]


def test_optimizer_loss_curves_spanning_decades_get_a_log_axis():
    import numpy as np

    steps = np.arange(2000)
    curves = [
        {"label": "sgd", "loss": 2.3 * np.exp(-steps / 800) + 0.1},
        {"label": "adam", "loss": 2.3 * np.exp(-steps / 60) + 1e-4},
    ]
    for c in curves:
        c["smoothed"] = c["loss"]
    fig = plots.optimizer_loss_curves_figure(curves, "mnist")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and "log scale" in ax.get_ylabel()
    assert ax.get_ylim()[0] < 1e-4  # adam's end is inside the axes, not flattened onto 0
    assert legend_over_data(fig) == []
    curves[1]["loss"] = curves[1]["smoothed"] = 2.3 * np.exp(-steps / 60) + 0.5
    assert plots.optimizer_loss_curves_figure(curves, "mnist").axes[0].get_yscale() == "linear"


def test_legends_under_the_axes_clear_the_axis_labels():
    from tests.plots.layout import overlaps, render

    fig = plots.train_curves_figure(
        weight_decay_run(), ["train", "test"], title="wd", status="COMPLETED"
    )
    render(fig)
    for ax in fig.axes:
        legend = ax.get_legend().get_window_extent()
        for text in [ax.xaxis.label, *ax.get_xticklabels()]:
            assert not overlaps(legend, text.get_window_extent()), text.get_text()


def logistic_run(epochs: int = 2000):
    """As catvnoncat-logreg: the losses span just over a decade, 0.12 to 1.3 (a log axis whose
    minor ticks are labelled too, ``6×10⁻¹``); the test curve oscillates from epoch to epoch."""
    out = []
    for e in range(epochs + 1):
        f, wobble = e / epochs, (-1) ** e
        out.append({"epoch": e, "loss": None if e == 0 else 0.69 - 0.57 * f,
                    "train_loss": 0.69 - 0.57 * f, "train_acc": 0.65 + 0.34 * f,
                    "test_loss": 0.8 + 0.5 * wobble, "test_acc": 0.6 + 0.25 * wobble})  # fmt: skip
    return out


@pytest.mark.parametrize("epochs", [30, 2000])
def test_a_log_loss_axis_of_wide_tick_labels_widens_the_left_margin_to_fit(epochs):
    fig = plots.train_curves_figure(
        logistic_run(epochs), ["train", "test"], title="logreg", status="COMPLETED"
    )
    assert fig.axes[0].get_yscale() == "log"
    assert outside_figure(fig) == []  # (the y label was cut off at the left edge)


def test_many_epochs_are_thin_bare_lines_and_few_epochs_a_dot_each():
    many = plots.train_curves_figure(logistic_run(2000), ["train", "test"], status="COMPLETED")
    for ax in many.axes:
        for line in ax.get_lines():
            assert line.get_marker() in ("None", "none", None) and line.get_linewidth() < 1
    few = plots.train_curves_figure(logistic_run(50), ["train", "test"], status="COMPLETED")
    split_lines = [ln for ax in few.axes for ln in ax.get_lines() if ln.get_color() != "black"]
    assert split_lines and all(ln.get_marker() == "." for ln in split_lines)


def overflowed_once(at: int = 2):
    """A COMPLETED run whose evaluation overflowed at epoch ``at`` (its losses null there) and
    trained on to its end."""
    out = records.learning()
    out[at] = {**out[at], "loss": None, "train_loss": None, "test_loss": None}
    return out


def test_a_completed_run_with_a_null_loss_is_not_drawn_as_diverged():
    # (the first record with a missing loss was taken for a divergence when no status was
    # given: a COMPLETED run's curves.png was titled "diverged at epoch 2" and cut there)
    run = overflowed_once(at=2)
    fig = plots.train_curves_figure(run, ["train", "test"], title="run", status="COMPLETED")
    assert "diverged" not in fig._suptitle.get_text()
    assert not any(ln.get_marker() == "x" for ax in fig.axes for ln in ax.get_lines())
    assert max(fig.axes[1].get_lines()[0].get_xdata()) == run[-1]["epoch"]  # (drawn to its end)
    panel = {"label": "run", "records": run, "status": "COMPLETED"}
    gaps = plots.accuracy_gaps_figure([panel], title="1 run")
    assert "diverged" not in gaps.axes[0].get_title()


def test_a_diverged_run_is_marked_at_the_epoch_its_summary_names():
    run = overflowed_once(at=1)[:4]  # (an overflow at epoch 1, DIVERGED at its last, epoch 3)
    fig = plots.train_curves_figure(
        run, ["train", "test"], title="run", status="DIVERGED", diverged_epoch=3
    )
    assert "diverged at epoch 3" in fig._suptitle.get_text()
    without = plots.train_curves_figure(run, ["train", "test"], title="run", status="DIVERGED")
    assert "diverged at epoch 3" in without._suptitle.get_text()  # (its last record: the rule)


@pytest.mark.slow
def test_accuracy_gaps_title_clears_a_tall_grid_and_a_final_test_is_a_star():
    # (32 runs, 8 rows: the figure's title lay over the top row's panel titles; and a sweep
    # evaluating test after its last epoch only drew no test mark, though the legend promised a
    # dashed curve)
    from tests.plots.layout import extent, overlaps, render

    final_only = []
    for r in records.learning(end=1.0):
        r = {k: v for k, v in r.items() if k != "test_acc"}
        final_only.append(r)
    final_only[-1]["test_acc"] = 0.8
    panels = [{"label": f"run {i}\nsecond line\nthird", "records": final_only,
               "status": "COMPLETED"} for i in range(32)]  # fmt: skip
    fig = plots.accuracy_gaps_figure(panels, title="train and test accuracy: 32 runs")
    render(fig)
    title = extent(fig._suptitle)
    assert not any(overlaps(title, extent(ax.title)) for ax in fig.axes if ax.get_visible())
    labels = (
        [t.get_text() for t in fig.legends[0].get_texts()]
        if fig.legends
        else [
            t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
        ]
    )
    assert labels == ["train", "test (after the last epoch)"]
    stars = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "*"]
    assert [list(s.get_xdata()) for s in stars] == [[final_only[-1]["epoch"]]]


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_accuracy_gap_panels_keep_their_size_however_many_lines_their_titles_have(n):
    # (runs compare --png: in 3.2 inches per row, a four-line title (run, two keys, the gap)
    # left each panel's axes a strip 1.7 inches tall)
    from tests.plots.layout import extent, overlaps, render, tick_labels

    label = "digits-quickstart-b40da5\nmodel.batchnorm=false\noptimizer.lr=0.005"
    panels = [{"label": label, "records": records.learning(), "status": "COMPLETED"}] * n
    fig = plots.accuracy_gaps_figure(panels, title=f"train and test accuracy: {n} runs")
    render(fig)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == n and all(len(ax.get_title().splitlines()) == 4 for ax in shown)
    for ax in shown:
        box = ax.get_position().transformed(fig.transFigure)  # (pixels)
        assert box.height / fig.dpi >= 2.4 and box.width / fig.dpi >= 3.4  # inches
    for ax in shown:  # (a title clears the x labels of the panel above it)
        assert not any(
            overlaps(extent(ax.title), extent(t)) for other in shown for t in tick_labels(other)
        )
        assert not any(overlaps(extent(ax.title), extent(o.xaxis.label)) for o in shown)
    assert legend_over_data(fig) == []


def test_a_diverged_runs_losses_within_a_decade_stay_on_a_linear_axis():
    # (the diverged cross sits at y 1 in axes units; read as a loss of 1, it put losses of
    # 1.66e5 .. 1.73e5 on a log axis ticked 1.67×10⁵, 1.68×10⁵, ...)
    run = [{"epoch": 0, "loss": None, "train_loss": 1.66e5, "train_acc": 0.09,
            "test_loss": 1.72e5, "test_acc": 0.07},
           {"epoch": 1, "loss": None, "train_loss": None, "train_acc": 0.09,
            "test_loss": None, "test_acc": 0.07}]  # fmt: skip
    fig = plots.train_curves_figure(run, ["train", "test"], status="DIVERGED")
    ax_loss = fig.axes[0]
    assert ax_loss.get_yscale() == "linear" and ax_loss.get_ylabel() == "loss"
    assert [ln.get_xdata()[0] for ln in ax_loss.get_lines() if ln.get_marker() == "x"] == [1, 1]


def test_a_run_that_diverged_after_its_last_loss_ends_at_a_cross_and_sets_no_limits():
    # (compare-optimizers --dataset: sgd at lr 3 stopped after 4 steps of finite losses up to
    # 1.7e14, drawn as a line off the top without a cross, the others flattened at the bottom)
    import numpy as np

    steps = np.arange(200)
    adam = 2.3 * np.exp(-steps / 30) + 0.05
    sgd = np.array([2.3, 4e3, 2e8, 1.7e14])
    curves = [{"label": "sgd", "loss": sgd, "smoothed": sgd, "diverged": True},
              {"label": "adam", "loss": adam, "smoothed": adam, "diverged": False}]  # fmt: skip
    fig = plots.optimizer_loss_curves_figure(curves, "digits")
    ax = fig.axes[0]
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    assert [c.get_xdata()[0] for c in crosses] == [5]  # (the step after its last loss)
    assert ax.get_ylim()[1] < 10  # (adam's limits: sgd leaves through the top)
    assert "diverged" in [t.get_text() for t in ax.get_legend().get_texts()]
    (stub,) = ax.texts  # (its dotted rise to the cross is clipped to the axes, not the title)
    assert stub.arrow_patch.get_clip_on() and stub.arrow_patch.get_clip_box() is ax.bbox


def test_a_run_that_diverged_at_epoch_1_is_not_drawn_as_a_final_evaluation():
    # (one point of test accuracy before the divergence was taken for final_eval: a star,
    # and the legend said "test (after the last epoch)" of a run evaluated every epoch)
    panels = [{"label": "big lr", "records": records.diverging(at=1), "status": "DIVERGED"}]
    ax = plots.accuracy_gaps_figure(panels).axes[0]
    assert not [ln for ln in ax.get_lines() if ln.get_marker() == "*"]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert lines["train"].get_marker() == "." and lines["test"].get_marker() == "."
    assert list(lines["test"].get_xdata()) == [0]


@pytest.mark.parametrize(
    ("splits", "final"),
    [(["train", "test"], []), (["test"], ["train"]), (["val", "train"], ["test"])],
)
def test_a_split_has_the_same_colour_whatever_the_runs_eval_order(splits, final):
    # (colours went by position: a run of eval [test], final_eval [train] drew test blue and
    # train orange, the reverse of every other run's curves and of the accuracy gaps figure)
    from matplotlib.colors import to_hex

    from nnlab.palette import SERIES

    recs = records.learning(epochs=5)
    for r in recs:
        r["val_acc"], r["val_loss"] = r["test_acc"], r["test_loss"]
        for split in final:  # (evaluated after the last epoch only)
            if r["epoch"] < 5:
                r.pop(f"{split}_acc"), r.pop(f"{split}_loss")
    fig = plots.train_curves_figure(recs, splits + final, status="COMPLETED")
    want = {"train": SERIES[0], "test": SERIES[1], "val": SERIES[2]}
    for ax in fig.axes:
        for line in ax.get_lines():
            split = line.get_label().split(" ")[0]
            if split in want:
                assert to_hex(line.get_color()) == to_hex(want[split]), line.get_label()


def test_every_row_of_accuracy_gap_panels_names_its_axis():
    # (5 runs in rows of 4: the second row's panel had accuracy ticks but no axis label)
    panels = [dict(p, label=f"{p['label']} {i}") for i in range(2) for p in gap_panels()[:2]]
    panels.append(gap_panels()[0])
    fig = plots.accuracy_gaps_figure(panels, title="5 runs")
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert len(shown) == 5
    assert [ax.get_ylabel() for ax in shown] == ["accuracy", "", "", "", "accuracy"]


def test_a_tunes_trial_gap_panel_draws_its_val_accuracy_and_the_gap_to_it():
    # (runs compare --png of a tune: its trials evaluate val, their test split held back, and
    # each panel drew train alone under a title of "train and test accuracy")
    tuned = [{k.replace("test_", "val_"): v for k, v in r.items()} for r in records.learning()]
    assert plots.held_out(tuned) == "val" and plots.held_out(records.learning()) == "test"
    panel = {"label": "a1/r1/1234abcd", "records": tuned, "status": "COMPLETED"}
    fig = plots.accuracy_gaps_figure([panel])
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["train", "val"]
    last = tuned[-1]
    assert f"gap to val {last['train_acc'] - last['val_acc']:.4f}" in ax.get_title()


def test_a_gap_panel_of_a_run_without_records_says_so():
    # (a sweep's trial that FAILED before its first record was an empty panel, no word why)
    panels = [{"label": "ce6a8a/28ee9140", "records": [], "status": "FAILED"},
              {"label": "plain", "records": records.learning(), "status": "COMPLETED"}]  # fmt: skip
    fig = plots.accuracy_gaps_figure(panels)
    bare = fig.axes[0]
    assert bare.get_title() == "ce6a8a/28ee9140\n(failed, no records)"
    assert [t.get_text() for t in bare.texts] == ["no records"]
    labels = (
        [t.get_text() for t in fig.legends[0].get_texts()]
        if fig.legends
        else [
            t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
        ]
    )
    assert not any(label.startswith("failed") for label in labels)  # (no mark drawn: no key)


def test_the_gaps_legend_names_the_curves_before_the_shading():
    # (a tune's trial, drawn to val, after a run: 'train, test, gap, val')
    val = [{k.replace("test_", "val_"): v for k, v in r.items()} for r in records.learning()]
    panels = [{"label": "run", "records": records.learning(), "status": "COMPLETED"},
              {"label": "r1/trial", "records": val, "status": "COMPLETED"}]  # fmt: skip
    fig = plots.accuracy_gaps_figure(panels)
    (legend,) = [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert [t.get_text() for t in legend.get_texts()] == ["train", "test", "val", "gap"]


def test_an_interrupted_run_draws_the_epochs_it_did_each_curve_ending_at_a_diamond():
    # (a train run stopped by a signal had no curves.png; now drawn as its folder closes)
    fig = plots.train_curves_figure(records.learning(8), ["train", "test"], "run-abc123",
                                    status="INTERRUPTED")  # fmt: skip
    assert fig._suptitle.get_text() == "run-abc123\ninterrupted after epoch 8"
    for ax, curves in zip(fig.axes, (3, 2)):  # (the objective and two splits' losses; accuracy)
        ends = [ln for ln in ax.get_lines() if ln.get_marker() == "D"]
        assert sorted(ln.get_xdata()[0] for ln in ends) == [8] * curves
        assert "interrupted" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend_over_data(fig) == [] and not outside_figure(fig)
    done = plots.train_curves_figure(records.learning(8), ["train"], "run", status="COMPLETED")
    assert not [ln for ax in done.axes for ln in ax.get_lines() if ln.get_marker() == "D"]


def test_the_objective_of_a_one_epoch_run_is_a_dot_not_an_empty_legend_entry():
    # (epoch 0 has no objective: its one point, a line without a marker, was not drawn)
    fig = plots.train_curves_figure(records.learning(1), ["train"], "run", status="COMPLETED")
    (objective,) = [ln for ln in fig.axes[0].get_lines() if ln.get_color() == "black"]
    assert objective.get_marker() == "." and objective.get_label().startswith("objective")


def test_a_loss_axis_of_nearly_equal_losses_starts_at_0():
    """A run that diverged at epoch 1 has only epoch 0's losses, 2.530 and 2.542: drawn a
    whole axis apart, train looked far above test."""
    recs = records.diverging(at=1)
    recs[0].update(train_loss=2.542, test_loss=2.530)
    fig = plots.train_curves_figure(recs, ["train", "test"], title="run", status="DIVERGED")
    lo, hi = fig.axes[0].get_ylim()
    assert lo == 0 and 2.55 < hi < 2.7 and fig.axes[0].get_yscale() == "linear"
    learning = plots.train_curves_figure(records.learning(), ["train", "test"], status="COMPLETED")
    assert learning.axes[0].get_ylim()[0] > 0  # (losses 2.4 to 0.46: as matplotlib scales)
