"""tune's figures: the legend of the top trials is beside the curves, not over them."""

from __future__ import annotations

import pytest

from nnlab import plots
from tests.plots import records
from tests.plots.layout import legend_over_data, render


def top_trials(n: int = 5):
    top, curves = [], {}
    for i in range(n):
        trial = f"t{i}"
        recs = records.learning(epochs=10, end=0.9 - 0.1 * i)
        for r in recs:
            r["val_acc"] = r.pop("test_acc")
        top.append({"rank": i + 1, "trial": trial, "optimizer.lr": 0.1 / (i + 1),
                    "weight_decay": 1e-5 * (i + 1)})  # fmt: skip
        curves[trial] = recs
    return top, curves


def test_tune_curves_legend_covers_no_curve():
    top, curves = top_trials()
    fig = plots.tune_curves_figure(top, curves, ["optimizer.lr", "weight_decay"], title="run")
    assert legend_over_data(fig) == []
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0] == "#1 lr=0.1, weight_decay=1e-05" and "validation accuracy" in labels


def test_tune_curves_label_values_as_the_sweep_lines_do():
    # (a random search's lr was shown as 1.12e-04 here, 0.000112 on the progress lines; both
    # as the table spells it now, output.config_number)
    top, curves = top_trials(1)
    top[0]["optimizer.lr"] = 0.000111930512
    fig = plots.tune_curves_figure(top, curves, ["optimizer.lr"])
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "#1 lr=0.000111931"


def test_tune_curves_mark_a_diverged_trial():
    top, curves = top_trials(2)
    curves["t1"] = [{**r, "val_acc": r["test_acc"]} for r in records.diverging(at=3, nan_acc=0.09)]
    top[1]["status"] = "DIVERGED"  # (as its row says: a figure never guesses it from the losses)
    fig = plots.tune_curves_figure(top, curves, ["optimizer.lr"])
    ax = fig.axes[0]
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    assert [c.get_xdata()[0] for c in crosses if len(c.get_xdata())] == [3]
    assert all(y != 0.09 for ln in ax.get_lines() for y in ln.get_ydata())
    assert "diverged" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_tune_scatter_legend_covers_no_point():
    points = [
        {"round": r, "optimizer.lr": 10 ** -(i / 3), "weight_decay": 1e-6 * (i + 1),
         "metric": 0.1 + 0.05 * i}
        for r in (1, 2) for i in range(16)
    ]  # fmt: skip
    fig = plots.tune_scatter_figure(
        points, ["optimizer.lr", "weight_decay"], {"optimizer.lr": True}, "final_val_acc"
    )
    assert legend_over_data(fig) == []


def test_tune_scatter_axes_fit_a_loss_and_values_within_a_decade():
    # (a loss metric was drawn on 0..1.02, the worse trials off the top; two weight decays of
    # 6.24e-5 and 6.34e-5 on a log axis piled up a row of unreadable minor labels)
    points = [{"round": 1, "weight_decay": w, "optimizer.lr": lr, "metric": m}
              for w, lr, m in ((6.24e-5, 1e-4, 2.5), (6.34e-5, 1e-1, 2.1))]  # fmt: skip
    keys, log = ["weight_decay", "optimizer.lr"], {"weight_decay": True, "optimizer.lr": True}
    fig = plots.tune_scatter_figure(points, keys, log, "final_val_loss")
    decay, lr = fig.axes[:2]
    assert decay.get_xscale() == "linear" and lr.get_xscale() == "log"
    assert decay.get_ylim()[0] == 0 and decay.get_ylim()[1] >= 2.5
    assert "final validation loss" in fig._suptitle.get_text()
    accuracy = plots.tune_scatter_figure(points, keys, log, "final_val_acc")
    assert accuracy.axes[0].get_ylim()[1] <= 1.02  # (an accuracy's axis, not a loss's)


@pytest.mark.slow
def test_tune_scatter_of_values_spanning_600_decades_draws():
    # (loguniform:1e-300:1e300, valid bounds, overflowed matplotlib's log locator)
    points = [{"round": 1, "optimizer.lr": 10.0**e, "metric": 0.1} for e in (-300, 0, 300)]
    fig = plots.tune_scatter_figure(
        points, ["optimizer.lr"], {"optimizer.lr": True}, "final_val_acc"
    )
    render(fig)
    assert fig.axes[0].get_xscale() == "log" and len(fig.axes[0].get_xticks()) == 7


def test_tune_scatter_marks_a_diverged_trial_at_its_values_in_a_strip():
    # (a diverged trial was left out: "every trial" drew only the ranked ones, and a tune whose
    # every trial diverged drew empty 0..1 axes)
    points = [{"round": 1, "optimizer.lr": 0.1, "metric": 0.9},
              {"round": 2, "optimizer.lr": 1e6, "metric": None, "diverged": True}]  # fmt: skip
    for drawn in (points, points[1:]):
        fig = plots.tune_scatter_figure(
            drawn, ["optimizer.lr"], {"optimizer.lr": True}, "final_val_acc"
        )
        ax = fig.axes[0]
        (cross,) = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
        assert list(cross.get_xdata()) == [1e6] and cross.get_ydata()[0] < ax.get_yticks()[1]
        assert cross.get_label() == "round 2: diverged"
        assert ax.get_yticklabels()[0].get_text() == "diverged"
        assert ax.get_ylim()[0] < cross.get_ydata()[0] and ax.get_ylim()[1] >= 1
    render(fig)


def test_tune_curves_of_no_completed_trial_say_so():
    fig = plots.tune_curves_figure([], {}, ["optimizer.lr"])
    assert [t.get_text() for t in fig.axes[0].texts] == [
        "no trial completed (each diverged or failed)"
    ]


def test_tune_curves_of_no_trial_say_why_instead_of_top_0_trials():
    # (its title said "top 0 trials <run>")
    why = "no trial completed: all 3 diverged"
    fig = plots.tune_curves_figure([], {}, ["optimizer.lr"], title="run-x", none=why)
    assert [t.get_text() for t in fig.axes[0].texts] == [why]
    assert fig.axes[0].get_title() == "run-x"
    assert fig.axes[0].get_legend() is None  # (its line-style keys, with no line: none)
    render(fig)


def test_tune_scatter_says_its_metric_in_words_and_keeps_its_panel_wide_beside_the_legend():
    # (the legend's "round 1: diverged" took its width out of a 4.5-inch figure: the axes were
    # 1.9 inches wide; the metric read "final val acc")
    points = [{"round": 1, "optimizer.lr": 10 ** (i / 2 - 2), "metric": 0.5} for i in range(8)]
    points[-1].update(metric=None, diverged=True)
    fig = plots.tune_scatter_figure(points, ["optimizer.lr"], {"optimizer.lr": True},
                                    "final_val_acc")  # fmt: skip
    render(fig)
    ax = fig.axes[0]
    assert ax.get_ylabel().startswith("final validation accuracy (")  # (+ where its axis starts)
    assert ax.get_window_extent().width / fig.dpi >= 3.0  # inches
    assert legend_over_data(fig) == []


def test_tune_scatter_legend_lists_only_the_marks_drawn():
    # (a round whose trials all diverged had a 'round 1' dot in the legend beside its crosses,
    # and no dot anywhere on the axes)
    points = [{"round": 1, "optimizer.lr": 10.0**k, "metric": None, "diverged": True}
              for k in (4, 6, 8)] + [{"round": 2, "optimizer.lr": 0.1, "metric": 0.9}]  # fmt: skip
    fig = plots.tune_scatter_figure(
        points, ["optimizer.lr"], {"optimizer.lr": True}, "final_val_acc"
    )
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["round 2", "round 1: diverged"]


def test_tune_curves_title_says_what_it_draws_of_which_tune():
    # (it read "top 3 trials tune-int": the run's id run on after the count)
    rows = [{"rank": 1, "trial": "a", "optimizer.lr": 0.01, "final_val_acc": 0.5}]
    records = [{"epoch": e, "val_acc": 0.1 * e, "train_acc": 0.1 * e} for e in range(3)]
    fig = plots.tune_curves_figure(rows, {"a": records}, ["optimizer.lr"], title="run-x")
    assert fig.axes[0].get_title() == "run-x\naccuracy per epoch of the top 1 trial"


def test_tune_curves_past_the_palettes_colours_carry_markers():
    """Seven top trials (``--top-k 7``): the sixth and seventh have the first's and second's
    colours (the palette's five), told apart by a marker on both their lines; and so is a
    sixth round's dots in the scatter."""
    from matplotlib.colors import to_hex

    top, curves = top_trials(7)
    ax = plots.tune_curves_figure(top, curves, ["optimizer.lr"]).axes[0]
    entries = ax.get_legend().legend_handles[:7]
    looks = {(to_hex(h.get_color()), h.get_marker()) for h in entries}
    assert len(looks) == 7 and {h.get_marker() for h in entries} == {"None", "s"}
    points = [{"round": r, "optimizer.lr": 0.1 * r, "metric": 0.5} for r in range(1, 8)]
    fig = plots.tune_scatter_figure(points, ["optimizer.lr"], {}, "final_val_acc")
    dots = fig.axes[0].collections
    marks = [(to_hex(c.get_facecolor()[0]), tuple(c.get_paths()[0].vertices.round(3).ravel()))
             for c in dots]  # fmt: skip
    assert len(dots) == 7 and len(set(marks)) == 7


def test_tune_scatter_names_its_tune_and_ticks_a_whole_number_key_at_whole_numbers():
    # (it named no run; model.depth of randint:1:3 was ticked 0.5, 1.5, 2.5)
    points = [{"round": 1, "optimizer.lr": 0.01 * d, "model.depth": d, "metric": 0.5 + d / 10}
              for d in (0, 1, 2, 3)]  # fmt: skip
    keys = ["optimizer.lr", "model.depth"]
    fig = plots.tune_scatter_figure(points, keys, {"optimizer.lr": True}, "final_val_acc",
                                    title="20261207-093732-tune-digits-998256")  # fmt: skip
    render(fig)
    assert fig._suptitle.get_text() == (
        "20261207-093732-tune-digits-998256\nfinal validation accuracy of every trial, "
        "by the values searched"
    )
    depth = fig.axes[1]
    shown = [t for t in depth.get_xticks() if depth.get_xlim()[0] <= t <= depth.get_xlim()[1]]
    assert shown and all(t == int(t) for t in shown)


def test_tune_scatter_counts_the_trials_that_failed_in_its_title():
    # (a FAILED trial has no metric: the figure showed no sign of the two that failed)
    points = [{"round": 1, "optimizer.lr": 0.1, "metric": 0.9}]
    fig = plots.tune_scatter_figure(points, ["optimizer.lr"], {}, "final_val_acc", "tune-x", 2)
    said = fig._suptitle.get_text()  # (fitted to the figure's width: in lines)
    assert said.startswith("tune-x\n")
    assert said.replace("\n", " ").endswith("by the values searched (2 trials FAILED: not drawn)")
    one = plots.tune_scatter_figure(points, ["optimizer.lr"], {}, "final_val_acc", "tune-x", 1)
    assert one._suptitle.get_text().replace("\n", " ").endswith("(1 trial FAILED: not drawn)")


def test_tune_scatter_keeps_two_rounds_crosses_at_one_value_apart():
    # (round 2's cross at model.depth 2 lay on round 1's, which no one could see)
    points = [{"round": r, "model.depth": 2, "metric": None, "diverged": True} for r in (1, 2, 3)]
    points.append({"round": 1, "model.depth": 1, "metric": 0.9})
    fig = plots.tune_scatter_figure(points, ["model.depth"], {}, "final_val_acc")
    ax = fig.axes[0]
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    heights = [ln.get_ydata()[0] for ln in crosses]
    lowest = ax.get_yticks()[1]  # (the lowest tick of the accuracies, over "diverged")
    assert len(set(heights)) == 3 and all(ax.get_ylim()[0] < h < lowest for h in heights)


def accuracies(values, diverged=0):
    """A tune's points of these final validation accuracies over one key, and ``diverged``
    trials."""
    points = [{"round": 1 + i % 2, "optimizer.lr": 10 ** (-4 + i / 4), "metric": m}
              for i, m in enumerate(values)]  # fmt: skip
    points += [{"round": 2, "optimizer.lr": 1.0 + i, "metric": None, "diverged": True}
               for i in range(diverged)]  # fmt: skip
    return plots.tune_scatter_figure(points, ["optimizer.lr"], {"optimizer.lr": True},
                                     "final_val_acc")  # fmt: skip


def test_tune_scatter_of_accuracies_above_0_8_shows_them_as_the_curves_axis_would():
    """MNIST's trials, 0.82 to 0.91, sat in the top fifth of a 0..1.02 axis."""
    ax = accuracies([0.82 + 0.006 * i for i in range(16)]).axes[0]
    lo, hi = ax.get_ylim()
    assert 0.79 < lo < 0.8 and 1 < hi < 1.01, (lo, hi)
    assert ax.get_ylabel() == "final validation accuracy (from 0.8)"


def test_tune_scatter_squeezes_a_trial_at_chance_under_the_rest_and_its_strip_stays_as_high():
    fig = accuracies([0.1] + [0.92 + 0.004 * i for i in range(15)], diverged=1)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "final validation accuracy (0 to 0.9 squeezed)"
    render(fig)
    (cross,) = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    box, y = ax.get_window_extent(), ax.transData.transform((1.0, cross.get_ydata()[0]))[1]
    zero = ax.transData.transform((1.0, 0.0))[1]
    assert 0.05 < (zero - y) / box.height < 0.1  # (its strip under 0, a tenth of the height)


def test_tune_scatter_of_one_trial_as_saved_writes_no_tick_label_over_another(tmp_path):
    # (a tune of one trial: its panels' linear axes around 0.000111503 and 6.33658e-05 were
    # ticked 0.000106 0.000108 ... and 6.0×10⁻⁵ 6.1×10⁻⁵ ..., each label into the next)
    from tests.plots.layout import text_defects

    keys = ["optimizer.lr", "weight_decay"]
    point = {"round": 1, "metric": 0.0741, "optimizer.lr": 0.000111503, "weight_decay": 6.33658e-05}
    fig = plots.tune_scatter_figure([point], keys, dict.fromkeys(keys, True), "final_val_acc")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    plots.save(fig, tmp_path / "tune-scatter.png")  # (the labels as the PNG writes them)
    FigureCanvasAgg(fig)  # (save closed it: a canvas to draw it again)
    assert text_defects(fig) == []
