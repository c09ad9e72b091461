"""The weight-scale grid and summary: legends clear of the data, diverged nets marked as such
and never drawn as an accuracy."""

from __future__ import annotations

import math

import pytest

from nnlab import palette, plots
from nnlab.output import config_number
from tests.plots import records
from tests.plots.layout import legend_over_data, outside_figure, overlaps, render, texts

SCALES = [1.0, 0.541, 0.293, 0.158, 0.0858, 0.0464, 0.0251, 0.0136]


def grid_panels():
    """Plain nets at the two largest scales diverge at epoch 1 (as on MNIST and digits)."""
    panels = []
    for i, scale in enumerate(SCALES):
        gone = i < 2
        panels.append({
            "scale": scale,
            "bn": records.learning(end=0.4 + 0.07 * i),
            "plain": records.diverging(at=1) if gone else records.learning(end=0.13),
            "bn_status": "COMPLETED",
            "plain_status": "DIVERGED" if gone else "COMPLETED",
        })  # fmt: skip
    return panels


def diverged_markers(ax):
    return [
        ln for ln in ax.get_lines() if ln.get_marker() == "x" and ln.get_color() == palette.DIVERGED
    ]


@pytest.fixture
def grid():
    return plots.weight_scale_grid_figure(grid_panels(), "train_acc", title="sweep: train acc")


def test_grid_legend_covers_no_curve(grid):
    assert legend_over_data(grid) == []


def test_grid_legend_overlaps_no_title(grid):
    render(grid)
    legend = grid.legends[0]
    own = {id(a) for a in legend.findobj()}
    hits = [t.get_text() for t in texts(grid)
            if id(t) not in own and overlaps(legend.get_window_extent(), t.get_window_extent())]  # fmt: skip
    assert hits == []


def test_grid_numbers_the_outer_panels_and_gives_every_panel_the_same_axes_and_grid(grid):
    from matplotlib.collections import LineCollection

    axes = [ax for ax in grid.axes if ax.get_visible()]  # 8 panels: 2 rows of 4
    for i, ax in enumerate(axes):
        assert list(ax.get_yticks()) == ([0, 0.25, 0.5, 0.75, 1] if i % 4 == 0 else [])
        assert list(ax.get_xticks()) == ([0, 5, 10, 15, 20] if i >= 4 else [])  # 20 epochs
        assert ax.get_xlim() == axes[0].get_xlim() and ax.get_ylim() == (0, 1.02)
        grid_lines = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert [len(c.get_segments()) for c in grid_lines] == [5, 5]  # at every x and y tick


def test_grid_marks_the_diverged_nets_at_their_epoch(grid):
    axes = [ax for ax in grid.axes if ax.get_visible()]
    for ax in axes[:2]:
        (marker,) = diverged_markers(ax)
        assert marker.get_xdata()[0] == 1  # the epoch it diverged at
        assert "no BN diverged, epoch 1" in ax.get_title()
    for ax in axes[2:]:
        assert diverged_markers(ax) == [] and "diverged" not in ax.get_title()
    labels = [t.get_text() for t in grid.legends[0].get_texts()]
    assert any(label.startswith("diverged") for label in labels)


def test_grid_does_not_draw_the_accuracy_of_a_diverged_net(grid):
    ax = grid.axes[0]
    for line in ax.get_lines():
        for x, y in zip(line.get_xdata(), line.get_ydata()):
            assert not (x >= 1 and y == pytest.approx(0.089)), line.get_label()


def test_grid_panel_titles_keep_the_scale_on_its_line_and_fit_their_panels_as_drawn():
    # (measured at 9 points and drawn at 10, a title line ran past its panel; broken at its
    # ': ', 'W:' stood on a line of its own over 'W: 0.000184785  (no BN interrupted after')
    panels = grid_panels()
    for i, p in enumerate(panels):
        p.update(scale=0.000184785 * (i + 1), plain=records.learning()[:14])
        p["plain_status"] = "INTERRUPTED"
    fig = plots.weight_scale_grid_figure(panels, "train_acc")
    render(fig)
    for ax, p in zip(fig.axes, panels):
        first, *notes = ax.get_title().split("\n")
        assert first.startswith(f"W: {config_number(p['scale'])}"), ax.get_title()
        assert "interrupted after epoch 13" in " ".join([first, *notes])
        assert ax.title.get_window_extent().width <= ax.get_window_extent().width + 0.5


def test_grid_marks_divergence_by_the_status_not_by_a_null_loss():
    # (without a status, a net's first null loss was taken for a divergence: a COMPLETED net
    # whose evaluation overflowed once was drawn as diverged there)
    panels = grid_panels()
    panels[2]["plain"][1] = {**panels[2]["plain"][1], "loss": None, "train_loss": None}
    panels[0]["plain_diverged_epoch"] = 1  # (as its summary names it)
    fig = plots.weight_scale_grid_figure(panels, "train_acc")
    assert len(diverged_markers(fig.axes[0])) == 1 and diverged_markers(fig.axes[2]) == []


def summary_table():
    table = []
    for i, scale in enumerate(SCALES):
        gone = i < 2
        table.append({
            "weight_scale": scale, "bn_train": 0.5 + 0.05 * i, "bn_test": 0.45 + 0.05 * i,
            "nobn_train": 0.089 if gone else 0.9, "nobn_test": 0.098 if gone else 0.85,
            "bn_status": "COMPLETED", "nobn_status": "DIVERGED" if gone else "COMPLETED",
        })  # fmt: skip
    return table


@pytest.fixture
def summary():
    return plots.weight_scale_summary_figure(summary_table(), title="summary")


def test_summary_legend_covers_no_curve(summary):
    assert legend_over_data(summary) == []


def test_summary_and_grid_fit_their_fixed_margins(summary, grid):
    assert outside_figure(summary) == [] and outside_figure(grid) == []


def test_summary_plots_no_final_accuracy_for_a_diverged_net(summary):
    ax = summary.axes[0]
    for line in ax.get_lines():
        if line.get_label().startswith(("no BatchNorm, train", "no BatchNorm, test")):
            ys = dict(zip(line.get_xdata(), line.get_ydata()))
            assert math.isnan(ys[1.0]) and math.isnan(ys[0.541])
            assert ys[0.293] == pytest.approx(0.9 if "train" in line.get_label() else 0.85)


def test_summary_marks_diverged_nets_with_a_cross_and_a_legend_entry(summary):
    ax = summary.axes[0]
    (marked,) = [ln for ln in ax.get_lines() if "diverged" in ln.get_label()]
    assert marked.get_marker() == "x"
    assert sorted(marked.get_xdata()) == [0.541, 1.0]
    assert all(y < 0 for y in marked.get_ydata())  # in the strip below the accuracy axis
    assert "diverged" in [t.get_text() for t in ax.get_yticklabels()]
    assert any("diverged" in t.get_text() for t in ax.get_legend().get_texts())


def test_summary_draws_test_accuracy_in_a_marker_unlike_the_diverged_cross(summary):
    # (its test points were crosses in the net's colour, as the diverged nets' marks are)
    ax = summary.axes[0]
    (cross,) = {ln.get_marker() for ln in ax.get_lines() if "diverged" in ln.get_label()}
    tests = [ln for ln in ax.get_lines() if ln.get_label().endswith(", test")]
    assert len(tests) == 2
    assert {ln.get_marker() for ln in tests} == {"^"} and cross == "x"
    shown = dict(zip([t.get_text() for t in ax.get_legend().get_texts()],
                     ax.get_legend().legend_handles))  # fmt: skip
    assert shown["BatchNorm, test"].get_marker() == "^"
    assert shown["no BatchNorm, test"].get_marker() == "^"
    assert shown["BatchNorm, train"].get_marker() == "o"


def test_summary_without_divergence_has_no_diverged_strip():
    table = [
        dict(r, nobn_status="COMPLETED", nobn_train=0.5, nobn_test=0.4) for r in summary_table()
    ]
    ax = plots.weight_scale_summary_figure(table).axes[0]
    assert ax.get_ylim()[0] == 0 and not any("diverged" in ln.get_label() for ln in ax.get_lines())


@pytest.mark.slow
def test_weight_scale_files_are_written(tmp_path):
    grid = plots.weight_scale_grid(grid_panels(), "train_acc", tmp_path / "g.png")
    summary = plots.save(plots.weight_scale_summary_figure(summary_table()), tmp_path / "s.png")
    assert grid.stat().st_size > 10_000 and summary.stat().st_size > 10_000


def test_a_panels_scale_reads_as_the_tables_spell_it():
    # (its title read W: 0.0858 and W: 1 where the sweep's tables print 0.08577 and 1.0)
    from nnlab.output import config_number

    panels = grid_panels()
    panels[4]["scale"] = 0.08576958985908945
    fig = plots.weight_scale_grid_figure(panels, "train_acc", title="sweep: train acc")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles[0].startswith("W: 1  (") and titles[4] == "W: 0.0857696"
    assert titles[4] == f"W: {config_number(panels[4]['scale'])}"


def test_a_diverged_plain_nets_stub_is_dashed_as_its_curve(grid):
    # (a dotted stub from its one point: the dashed plain net's style was nowhere)
    ax = grid.axes[0]
    (plain,) = [ln for ln in ax.get_lines() if ln.get_label() == "no BatchNorm"]
    (stub,) = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [0, 1]]
    assert stub.get_linestyle() == plain.get_linestyle() == "--"


def trained(epochs=20, at_chance=True):
    """A net of digits' middle scales: at chance at epoch 0 (if ``at_chance``), 0.95 .. 1
    after."""
    out = records.learning(epochs)
    for r in out:
        r["train_acc"] = 0.1 if at_chance and r["epoch"] == 0 else 0.95 + 0.05 * r["epoch"] / epochs
    return out


def test_grid_of_nets_that_all_learned_shares_one_axis_from_their_floor():
    """Every panel 0..1.02 ran digits' nets, 0.95 to 1 after their first epochs, along the top
    edge; the panels share the axis the curves' rule gives all their points, numbered in the
    left column, the grid lines at its ticks."""
    from matplotlib.collections import LineCollection

    panels = [{"scale": s, "bn": trained(), "plain": trained(), "bn_status": "COMPLETED",
               "plain_status": "COMPLETED"} for s in SCALES]  # fmt: skip
    fig = plots.weight_scale_grid_figure(panels, "train_acc", title="sweep: train acc")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    ticks = [0.0, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0]
    for i, ax in enumerate(axes):
        assert ax.get_ylim() == axes[0].get_ylim() and ax.get_ylim()[0] == 0
        assert ax.get_yscale() == "function"  # (0 .. 0.95 squeezed: epoch 0 still drawn)
        assert list(ax.get_yticks()) == (ticks if i % 4 == 0 else [])
        (hlines,) = [c for c in ax.collections if isinstance(c, LineCollection)
                     and c.get_gid() == "grid y"]  # fmt: skip
        assert [seg[0][1] for seg in hlines.get_segments()] == ticks
    assert axes[0].get_ylabel() == "train acc (0 to 0.95 squeezed)" and axes[1].get_ylabel() == ""
    assert legend_over_data(fig) == []


def test_summary_of_nets_that_all_learned_shows_them_from_their_floor_over_the_diverged_strip():
    table = [dict(r, bn_train=0.96 + 0.005 * i, bn_test=0.92, nobn_train=0.93, nobn_test=0.91)
             for i, r in enumerate(summary_table())]  # fmt: skip
    ax = plots.weight_scale_summary_figure(table).axes[0]
    assert ax.get_ylabel() == "final accuracy (from 0.9)"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "diverged" and labels[1] == "0.9" and labels[-1] == "1"
    (cross,) = [ln for ln in ax.get_lines() if "diverged" in ln.get_label()]
    assert ax.get_ylim()[0] < cross.get_ydata()[0] < 0.9
