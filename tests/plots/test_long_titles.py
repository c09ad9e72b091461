"""Titles as long as nnlab makes them (a run's id of a 64-character name, two nets' notes in a
weight-scale panel) break into lines within their space: in a figure of fixed margins nothing
widens it, and they ran off its edge or over the next panel's title."""

from __future__ import annotations

from nnlab import plots
from nnlab.plots.titles import fit_lines
from tests.plots import records, test_weight_scale
from tests.plots.layout import outside_figure, overlaps, render

LONG_ID = "20261206-075552-sweep-" + "w" * 58 + "-2f0305"


def titles(fig):
    return [ax.title for ax in fig.axes if ax.get_visible() and ax.get_title()]


def assert_titles_apart(fig):
    render(fig)
    shown = titles(fig)
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not overlaps(a.get_window_extent(), b.get_window_extent()), (
                a.get_text(),
                b.get_text(),
            )


def test_fit_lines_breaks_at_separators_first_then_anywhere():
    fig = plots.pyplot().figure()
    text = fit_lines(fig, f"{LONG_ID}: final accuracy by weight init scale", 5.0, 9)
    lines = text.split("\n")
    assert len(lines) >= 2 and "".join(lines).replace(" ", "") == (
        f"{LONG_ID}:finalaccuracybyweightinitscale"
    )
    assert fit_lines(fig, "W: 1  (BN diverged, epoch 2)", 5.0, 9) == "W: 1  (BN diverged, epoch 2)"
    two = fit_lines(fig, "W: 1  (BN diverged, epoch 2; no BN diverged, epoch 1)", 2.7, 9)
    assert two == "W: 1  (BN diverged, epoch 2;\nno BN diverged, epoch 1)"


def test_fit_lines_breaks_a_part_too_wide_at_its_spaces_before_cutting_a_word():
    # (a landscape's title, 'run 20261206-191443-mnist-1000-6f387f (epoch 20)', was cut
    # between its '20' and its ')', the ')' a line of its own)
    fig = plots.pyplot().figure()
    text = "run 20261206-191443-mnist-1000-6f387f (epoch 20)"
    lines = fit_lines(fig, text, 3.2, 10).split("\n")
    assert lines == ["run 20261206-191443-mnist-1000-6f387f", "(epoch 20)"], lines
    assert fit_lines(fig, LONG_ID, 2.8, 10).replace("\n", "") == LONG_ID  # (no space: cut)


def test_fit_lines_breaks_a_run_id_after_a_hyphen_into_lines_of_even_width():
    # (the quick start's landscape, 20261207-123922-landscape-digits-quickstart-cfe422, was
    # titled '...-quickstart-cfe42' over a line '2', then '...-quickstart-' over 'cfe422')
    fig = plots.pyplot().figure()
    run = "20261207-123922-landscape-digits-quickstart-cfe422"
    probe = fig.text(0, 0, run, fontsize=10)
    width = probe.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
    lines = fit_lines(fig, run, 0.97 * width, 10).split("\n")  # (all but its last digit)
    assert lines == ["20261207-123922-landscape-", "digits-quickstart-cfe422"], lines
    long = "20261207-123922-landscape-" + "x" * 60 + "-cfe422"
    lines = fit_lines(fig, long, 4.0, 10).split("\n")
    assert lines[0] == "20261207-123922-landscape-" and lines[-1].endswith("-cfe422"), lines
    assert "".join(lines) == long
    sweep = "20261207-220736-sweep-a-rather-long-run-name-for-testing-how-titles-wrap-d273fd"
    lines = fit_lines(fig, sweep, 4.0, 10).split("\n")
    assert len(lines) == 2 and "".join(lines) == sweep, lines
    widths = [fig.text(0, 0, line, fontsize=10).get_window_extent().width for line in lines]
    assert min(widths) > 0.7 * max(widths), lines  # (not a tail of a few characters)


def test_fit_lines_keeps_a_key_with_its_value_and_a_remark_in_brackets_whole():
    # (a sweep's title broke after 'colour:', its key on the next line; a landscape's
    # after 'initial weights,' inside its brackets, 'seed 0)' on a line of its own)
    fig = plots.pyplot().figure()
    said = "test accuracy per epoch, 72 trials, colour: optimizer.lr (41% of its variance)"
    lines = fit_lines(fig, said, 3.0, 10).split("\n")
    assert not any(line.endswith(":") for line in lines), lines
    assert any(line.startswith("colour: optimizer.lr") for line in lines), lines
    said = "digits-quickstart, config digits-quickstart.yaml (initial weights, seed 0)"
    lines = fit_lines(fig, said, 3.0, 10).split("\n")
    assert lines == [
        "digits-quickstart,",
        "config digits-quickstart.yaml",
        "(initial weights, seed 0)",
    ], lines


def test_weight_scale_panels_where_both_nets_diverged_keep_their_titles_apart():
    panels = test_weight_scale.grid_panels()
    for p in panels:  # (both nets diverged, at different epochs: two notes in every title)
        p.update(bn=records.diverging(at=2), bn_status="DIVERGED")
    fig = plots.weight_scale_grid_figure(panels, "train_acc", title=f"{LONG_ID}: train acc")
    assert_titles_apart(fig)
    assert not outside_figure(fig)
    heights = {round(ax.get_position().height * fig.get_figheight(), 3) for ax in fig.axes[:8]}
    plain = plots.weight_scale_grid_figure(test_weight_scale.grid_panels(), "train_acc")
    assert heights == {round(plain.axes[0].get_position().height * plain.get_figheight(), 3)}
    legend = fig.legends[0].get_window_extent()
    assert not any(overlaps(legend, t.get_window_extent()) for t in titles(fig))


def test_a_weight_scale_grid_fits_a_long_title_to_its_width_above_its_legend():
    # (its suptitle was not fitted: a sweep id of a long name ran off both edges of a
    # figure saved without the tight crop)
    long_id = "20261206-075552-sweep-" + "weight-scale-with-a-long-name-" * 8 + "2f0305"
    title = plots.named(long_id, "training accuracy per epoch")
    fig = plots.weight_scale_grid_figure(test_weight_scale.grid_panels(), "train_acc", title)
    assert fig.get_suptitle().count("\n") >= 2
    assert fig.get_suptitle().replace("\n", "") == title.replace("\n", "")
    assert not outside_figure(fig)
    render(fig)
    said = [t.get_window_extent() for t in fig.legends[0].get_texts()]
    above = fig._suptitle.get_window_extent()
    assert not any(overlaps(box, above) for box in said)
    legend = fig.legends[0].get_window_extent()
    assert not any(overlaps(legend, t.get_window_extent()) for t in titles(fig))
    plain = plots.weight_scale_grid_figure(test_weight_scale.grid_panels(), "train_acc", "a\nb")
    inches = [ax.get_position().height * f.get_figheight() for f in (fig, plain) for ax in f.axes]
    assert max(inches) - min(inches) < 1e-9  # (the panels keep their size)


def test_a_weight_scale_summary_of_a_long_sweep_id_keeps_its_title_inside():
    fig = plots.weight_scale_summary_figure(
        test_weight_scale.summary_table(), title=f"{LONG_ID}: final accuracy by weight init scale"
    )
    assert "\n" in fig.axes[0].get_title()
    assert not outside_figure(fig)


def test_compared_runs_of_long_names_keep_their_panel_titles_apart():
    panels = [
        {"label": "a" * 60 + "-ced0d9\nepochs=20", "records": records.learning(), "status": None},
        {"label": "b" * 60 + "-0d9ced\nepochs=10", "records": records.learning(10), "status": None},
    ]
    fig = plots.accuracy_gaps_figure(panels, title="2 runs")
    assert_titles_apart(fig)
