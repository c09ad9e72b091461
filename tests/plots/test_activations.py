"""The activation histograms: each panel's stats note above its bars, one colour per row, and a
y axis that says what it counts."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import StepPatch

from nnlab import plots
from tests.plots.layout import render

ACTIVATIONS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": None}
INITS = ["std1", "std0.01", "xavier", "he"]


def histogram_settings(inits: list[str] = INITS, layers: int = 3, n: int = 2000):
    """A row per activation and init (12) as ``nnlab activations`` draws them. The saturated
    rows (std1) pile their values at the ends of the range, so their tallest bars stand in the
    top right corner, where the notes go."""
    rng = np.random.default_rng(0)
    settings, ranges, notes = {}, {}, {}
    for act, lo_hi in ACTIVATIONS.items():
        for init in inits:
            label = f"{act} / {init}"
            z = rng.normal(size=(layers, n)) * (5.0 if init == "std1" else 1.0)
            settings[label] = list({"sigmoid": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z),
                                    "relu": np.maximum(z, 0)}[act])  # fmt: skip
            ranges[label] = lo_hi
            notes[label] = [f"std {a.std():.2g}\nsat 50%" for a in settings[label]]
    return settings, ranges, notes


def bar_tops(ax):
    """(x0, x1, top) in pixels of every bar of ``ax``."""
    out = []
    for patch in ax.patches:
        if isinstance(patch, StepPatch):
            counts, edges, _ = patch.get_data()
            for count, a, b in zip(counts, edges[:-1], edges[1:]):
                (x0, y), (x1, _) = ax.transData.transform([(a, count), (b, count)])
                out.append((x0, x1, y))
    return out


def test_stats_notes_sit_inside_the_axes_and_cover_no_bar():
    fig = plots.activation_histograms_figure(*histogram_settings(["std1", "he"], layers=2))
    render(fig)
    checked = 0
    for ax in fig.axes:
        frame = ax.get_window_extent()
        for note in ax.texts:
            box = note.get_bbox_patch().get_window_extent()
            under = [y for x0, x1, y in bar_tops(ax) if x1 > box.x0 and x0 < box.x1]
            assert under and max(under) < box.y0, (ax.get_ylabel(), note.get_text())
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and box.y1 <= frame.y1  # (not on it)
            checked += 1
    assert checked == 6 * 2


def test_every_row_has_the_palettes_next_colour():
    """Each row is its own labelled panel: the palette's five colours in turn, no two rows
    beside each other alike (tab20's pale twins past ten rows were 1.2-2.3:1 on white)."""
    from nnlab import palette

    rows = plots.activation_histograms_figure(*histogram_settings(layers=1)).axes
    colours = [to_rgba(ax.patches[0].get_facecolor()) for ax in rows]
    assert len(rows) == 12
    assert colours == [to_rgba(palette.colour(i)) for i in range(12)]
    assert all(a != b for a, b in zip(colours, colours[1:]))


def test_the_y_axis_says_it_counts_values():
    settings, ranges, notes = histogram_settings(["std1", "he"], layers=2)
    fig = plots.activation_histograms_figure(settings, ranges, notes)
    assert [ax.get_ylabel() for ax in fig.axes[::2]] == [f"{label}\ncount" for label in settings]


@pytest.mark.slow
def test_the_bottom_rows_x_axes_say_what_the_bars_count_and_the_caption_stays_clear():
    # (the x axes were unlabelled: a reader was left to guess they are the activation values)
    from nnlab.experiments.activations import caption

    settings, ranges, notes = histogram_settings(["std1", "he"], layers=2)
    text = caption(["sigmoid", "tanh", "relu"])
    fig = plots.activation_histograms_figure(settings, ranges, notes, caption=text)
    renderer = render(fig)
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert labels == [""] * (len(labels) - 2) + ["activation value"] * 2
    (said,) = [t for t in fig.texts if t.get_text() == text]
    label = min(ax.xaxis.label.get_window_extent(renderer).y0 for ax in fig.axes[-2:])
    assert said.get_window_extent(renderer).y1 < label


def test_relu_panels_span_their_own_layer_and_bounded_rows_share_the_output_range():
    """Under std0.01 a ReLU layer's values shrink ~10x per layer: a row-wide x range drew the
    deep layers as one bar at 0; sigmoid and tanh rows keep the function's range (DLFS)."""
    layers = [np.maximum(np.random.default_rng(0).normal(size=4000), 0) * 10.0**-k
              for k in range(3)]  # fmt: skip
    settings = {"relu / std0.01": layers, "sigmoid / std1": [1 / (1 + np.exp(-x)) for x in layers]}
    ranges = {"relu / std0.01": None, "sigmoid / std1": (0.0, 1.0)}
    fig = plots.activation_histograms_figure(settings, ranges)
    relu, sigmoid = fig.axes[:3], fig.axes[3:]
    tops = [ax.get_xlim()[1] for ax in relu]
    assert tops[0] / tops[1] == pytest.approx(10) and tops[1] / tops[2] == pytest.approx(10)
    assert {ax.get_xlim() for ax in sigmoid} == {sigmoid[0].get_xlim()}
    render(fig)
    assert all(not ax.xaxis.get_offset_text().get_text() for ax in fig.axes)  # (scale on ticks)


def test_a_caption_says_what_the_notes_terms_mean_below_every_panel():
    from nnlab.experiments.activations import SATURATION, caption

    settings, ranges, notes = histogram_settings(["std1", "he"], layers=2)
    text = caption(["sigmoid", "tanh", "relu"])
    fig = plots.activation_histograms_figure(settings, ranges, notes, caption=text)
    render(fig)
    (said,) = [t for t in fig.texts if t.get_text() == text]
    for term in ("std,", "sat,", "zero,", SATURATION["sigmoid"], SATURATION["tanh"]):
        assert term in text
    lowest = min(ax.xaxis.get_tightbbox().y0 for ax in fig.axes)  # (tick labels included)
    assert said.get_window_extent().y1 < lowest
    assert "sat" not in caption(["relu"]) and "zero" not in caption(["tanh"])
    # (a ReLU row's panels each span 0 .. their own 99.5th percentile: the caption says so)
    assert "each panel's own x scale, 0 to its 99.5th percentile" in caption(["relu"])
    assert "percentile" not in caption(["sigmoid", "tanh"])


@pytest.mark.slow
@pytest.mark.parametrize("layers", [1, 5, 20])
def test_the_margins_stay_an_inch_wide_however_many_layers_are_drawn(layers):
    """20 layers' columns: matplotlib's margins, fractions of the width, left 5.7 inches blank
    between the caption (at the figure's left edge) and the first panel's row label."""
    from nnlab.experiments.activations import caption

    settings, ranges, notes = histogram_settings(["he"], layers=layers, n=200)
    fig = plots.activation_histograms_figure(
        settings, ranges, notes, caption=caption(["sigmoid", "tanh", "relu"])
    )
    renderer = render(fig)
    dpi = fig.dpi
    first = fig.axes[0]
    blank = (first.yaxis.get_tightbbox(renderer).x0 - fig.get_tightbbox(renderer).x0 * dpi) / dpi
    assert blank < 0.75, blank  # inches left of the row label, in the saved (tight) figure
    right = fig.get_tightbbox(renderer).x1 * dpi - fig.axes[layers - 1].get_window_extent().x1
    said = [t for t in fig.texts if t.get_text().startswith("Each panel")][0]
    assert (
        right / dpi < 0.5
        or said.get_window_extent().x1 > fig.axes[layers - 1].get_window_extent().x1
    )
    assert fig.get_figwidth() < max(
        1.0 + 1.8 * layers + 0.3, said.get_window_extent().width / dpi + 0.3
    )


def test_past_ten_layers_ten_evenly_spaced_columns_are_drawn_and_the_title_says_so():
    # (--layers 100 drew 100 columns: a PNG 19,718 pixels wide, a minute to draw)
    from nnlab.plots.activations import MAX_COLUMNS, drawn_layers

    assert drawn_layers(5) == [0, 1, 2, 3, 4] and drawn_layers(MAX_COLUMNS) == list(range(10))
    assert drawn_layers(100) == [0, 11, 22, 33, 44, 55, 66, 77, 88, 99]
    settings, ranges, notes = histogram_settings(["he"], layers=20, n=200)
    for label in notes:
        notes[label] = [f"layer {i + 1} note" for i in range(20)]
    fig = plots.activation_histograms_figure(settings, ranges, notes)
    top_row = [ax for ax in fig.axes if ax.get_title()]
    shown = [int(ax.get_title().split()[1]) for ax in top_row]
    assert shown == [1, 3, 5, 7, 9, 12, 14, 16, 18, 20]
    assert "10 of 20 layers" in fig._suptitle.get_text()
    first_row = fig.axes[:MAX_COLUMNS]  # (each panel's note is its own layer's)
    assert [ax.texts[0].get_text() for ax in first_row] == [f"layer {n} note" for n in shown]
    assert fig.get_figwidth() < 1.0 + 1.8 * MAX_COLUMNS + 0.3


def test_an_init_has_one_colour_under_every_activation():
    # (the rows' colours went round the palette, so sigmoid / std1 was as blue as tanh /
    # std0.01 and relu / xavier: a colour said nothing; now each init keeps its own)
    settings, ranges, notes = histogram_settings(layers=1)
    inits = {label: label.split(" / ")[1] for label in settings}
    fig = plots.activation_histograms_figure(settings, ranges, notes, colour_by=inits)
    colour = {label: ax.patches[0].get_facecolor() for label, ax in zip(settings, fig.axes)}
    by_init: dict[str, set] = {}
    for label, c in colour.items():
        by_init.setdefault(inits[label], set()).add(c)
    assert all(len(cs) == 1 for cs in by_init.values())
    assert len({next(iter(cs)) for cs in by_init.values()}) == len(by_init)


def test_one_layers_title_is_fitted_to_the_figure_as_wide_as_its_caption():
    # (nnlab activations --run of a net of one hidden layer: its title, fitted to the panel's
    # 2.8 inches, took 7 lines, 'run' alone on one, while the caption under it, 4.6 inches,
    # widened the PNG past the figure anyway)
    from nnlab.experiments.activations import caption
    from tests.plots.layout import outside_figure

    settings, ranges, notes = histogram_settings(["he"], layers=1, n=200)
    run = "run 20261208-004902-ep300-f1547f (epoch 300)"
    fig = plots.activation_histograms_figure(settings, ranges, notes, caption=caption(["relu"]),
                                             run="20261208-013206-activations-ep300-153765",
                                             condition=run)  # fmt: skip
    assert outside_figure(fig) == []  # (the caption within the figure, not past its right edge)
    assert len(fig._suptitle.get_text().split("\n")) <= 4, fig._suptitle.get_text()
