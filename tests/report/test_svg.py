"""The SVG charts: axes, gaps, hover titles, log scales; and the PNG metadata strip."""

from __future__ import annotations

import math
import re
import struct
import zlib

import pytest

from nnlab.report import svg as svgmod
from nnlab.report.build import strip_png_text
from nnlab.report.svg import (
    PALETTE,
    Series,
    esc,
    fmt,
    gradient_css,
    line_chart,
    nice_ticks,
    scale_color,
    value_range,
)


def test_nice_ticks_are_round_and_cover_the_range():
    assert nice_ticks(0, 20) == [0, 5, 10, 15, 20]
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert value_range([0.93, 0.991], False, None) == pytest.approx((0.92, 1.0))
    assert value_range([0.5], False, None)[0] < 0.5 < value_range([0.5], False, None)[1]
    assert value_range([0.003, 2.5], True, None) == (0.001, 10)


def test_the_epoch_axis_ticks_whole_epochs_only():
    # (a run of two epochs was ticked 0, 0.2, 0.4, ..., 2)
    assert nice_ticks(0, 2, whole=True) == [0, 1, 2]
    svg = line_chart([Series("test acc", [(0, 0.1), (1, 0.5), (2, 0.9)])], "accuracy")
    x_ticks = re.findall(
        r'<text class="tick" x="[\d.]+%" y="[\d.]+" text-anchor="middle">([^<]*)<', svg
    )
    assert x_ticks == ["0", "1", "2"]


def test_chart_has_a_line_and_hover_titles_per_point():
    s = Series("test acc", [(0, 0.1), (1, 0.5), (2, 0.9)])
    svg = line_chart([s], "accuracy", accuracy=True)
    assert svg.startswith('<svg class="chart"') and "xmlns" not in svg
    assert svg.count("<circle") == 3 and "<title>test acc, epoch 2: 0.9000</title>" in svg
    assert svg.count('<path d="M') == 1


def test_a_lone_point_shows_its_mark_where_marks_of_many_series_wait_for_hover():
    """A split evaluated after the last epoch only is one point: no line shows it."""
    many = [Series(f"s{i}", [(0, 0.1), (1, 0.2)]) for i in range(8)]
    lone = Series("test acc", [(0, None), (1, None), (2, 0.8)])
    svg = line_chart([*many, lone], "accuracy", accuracy=True)
    assert svg.count('class="pt hid"') == 16 and svg.count('class="pt"') == 1


def test_missing_and_non_finite_values_are_gaps():
    s = Series("loss", [(0, 1.0), (1, None), (2, 0.5), (3, 0.25)])
    svg = line_chart([s], "loss", log_y=False)
    path = svg.split('<path d="', 1)[1].split('"', 1)[0]
    assert path.count("M") == 2 and path.count("L") == 1


def test_losses_spanning_decades_get_a_log_axis():
    s = Series("train loss", [(e, 10.0**-e) for e in range(5)])
    assert "(log)" in line_chart([s], "loss", "loss")
    assert "(log)" not in line_chart([Series("a", [(0, 1.0), (1, 0.5)])], "loss", "loss")


def test_many_points_are_sampled_for_hover_and_drawn_at_the_charts_resolution():
    # every pixel column drawn (its first, lowest, highest, last point), never more
    s = Series("x", [(e, math.sin(e / 50)) for e in range(2000)])
    svg = line_chart([s], "long")
    columns = svgmod.WIDTH - svgmod.LEFT - svgmod.RIGHT  # (the plot's width in pixels)
    assert svg.count("<circle") == 120 and columns <= svg.count(" L") <= 4 * columns
    assert svg.count(" L") < 1999


def test_text_is_escaped_and_urls_defused():
    assert esc('<a href="https://x">') == "&lt;a href=&quot;https:&#47;&#47;x&quot;&gt;"
    assert fmt(0.99663) == "0.9966" and fmt(1e-7) == "1e-07" and fmt(1e5) == "100000"
    assert scale_color(0) == "#440154"


def test_the_colour_scale_is_the_sweep_figures_and_ends_before_viridis_pale_yellow():
    """The report's sweep overlay coloured its largest value viridis' #fde725 (1.26:1 on the
    page's white), where the figure beside it stops at palette.SCALE_END (plots.sweep.line_cmap)."""
    from nnlab.plots.sweep import line_cmap

    cmap = line_cmap()
    for t in (0.0, 0.3, 0.5, 0.8, 1.0):
        ours = bytes.fromhex(scale_color(t)[1:])
        theirs = [round(255 * c) for c in cmap(t)[:3]]
        assert all(abs(a - b) <= 8 for a, b in zip(ours, theirs)), (t, ours.hex(), theirs)
    assert scale_color(1) != "#fde725" and gradient_css().endswith(f"{scale_color(1)})")


def test_palette_is_the_figures_here_and_in_the_report_js_a_report_ships(tmp_path):
    """A curve numbered i has the colour of the figures' Ci (``nnlab.palette``), in the SVG and
    in the compare view, whose report.js has the palette's colours and dashes written in."""
    from importlib import resources

    from matplotlib.colors import to_hex

    from nnlab.palette import DASHES, SERIES
    from nnlab.plots import base
    from nnlab.report.build import asset_text

    base.pyplot()
    assert PALETTE == SERIES == tuple(to_hex(f"C{i}") for i in range(len(SERIES)))
    source = resources.files("nnlab.report").joinpath("report.js")
    script = asset_text("report.js", source)
    listed = script.split("var PALETTE = [", 1)[1].split("]", 1)[0]
    assert tuple(re.findall(r'"(#[0-9a-f]{6})"', listed)) == PALETTE
    dashes = script.split("var DASHES = [", 1)[1].split("]", 1)[0]
    assert tuple(re.findall(r'"([0-9 ]*)"', dashes)) == DASHES
    assert "nnlab.palette" not in script.split("var PALETTE", 1)[1].split(";", 1)[0]


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_text_chunks_are_stripped_and_the_rest_kept():
    head = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    text = chunk(b"tEXt", b"Software\x00Matplotlib, https://matplotlib.org/")
    png = b"\x89PNG\r\n\x1a\n" + head + text + body
    assert strip_png_text(png) == b"\x89PNG\r\n\x1a\n" + head + body
    assert strip_png_text(png[:-5]) == png[:-5]  # torn: left as it was
    assert strip_png_text(b"GIF89a") == b"GIF89a"


def test_an_accuracy_axis_from_0_is_0_to_1_not_narrowed_to_its_values():
    # (the axis was narrowed to the values, 0..0.8 for accuracies up to 0.7; one that starts
    # from a floor is test_accuracy_axes')
    from nnlab.report.svg import value_range

    assert value_range([0.2, 0.7], False, (0.0, 1.0)) == (0.0, 1.0)
    assert value_range([0.2, 0.7], False, None) == pytest.approx((0.2, 0.7))
    svg = line_chart([Series("val acc", [(0, 0.1), (1, 0.7)])], "accuracy", accuracy=True)
    ticks = re.findall(
        r'<text class="tick" x="-?[\d.]+" y="[\d.]+" text-anchor="end">([^<]*)<', svg
    )
    assert ticks[0] in ("0", "0.0") and ticks[-1] in ("1", "1.0"), ticks


def test_the_legend_lists_no_series_without_a_value_to_draw():
    # (as a figure's legend: an entry for a curve with nothing drawn, every epoch diverged)
    drawn = Series("train loss", [(0, 2.3), (1, 1.9)])
    empty = Series("val loss", [(0, None), (1, None)], color=PALETTE[1], diverged=1)
    html = svgmod.legend([drawn, empty])
    assert "train loss" in html and "val loss" not in html
    assert "diverged at epoch 1" in html  # (the cross is drawn: its key stays)


def test_ticks_close_together_read_apart():
    # (a trial's loss between 2.3025 and 2.3030: its five ticks each read 2.303)
    from nnlab.report.svg import tick_texts

    svg = line_chart([Series("train loss", [(0, 2.30281), (1, 2.30262), (2, 2.30251)])], "loss")
    ticks = re.findall(
        r'<text class="tick" x="-?[\d.]+" y="[\d.]+" text-anchor="end">([^<]*)<', svg
    )
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks
    assert tick_texts([0.0, 0.2, 0.4]) == ["0", "0.2", "0.4"]  # (4 digits where they suffice)
    assert tick_texts([2.3025, 2.3026]) == ["2.3025", "2.3026"]


def test_long_tick_labels_widen_the_left_margin_not_overlap_the_axis_name():
    # ('100000' reached into the rotated axis name beside it; so did 2.30245)
    from nnlab.report.svg import LEFT, left_margin

    assert left_margin(["0", "0.5", "1"]) == LEFT
    assert left_margin(["100000"]) >= 5 + 7 * 6 + 22
    svg = line_chart([Series("train loss", [(0, 2.30281), (1, 2.30262), (2, 2.30251)])], "loss")
    margin = int(re.search(r"margin: 0 \d+px 0 (\d+)px", svg).group(1))
    ticks = re.findall(r'<text class="tick" x="-5" y="[\d.]+" text-anchor="end">([^<]*)<', svg)
    assert margin == left_margin(ticks) > LEFT, ticks
    assert f'x="{12 - margin}"' in svg  # (the axis name 12 px from the chart's left edge)


def test_a_chart_describes_what_it_draws_and_where_each_curve_ends_for_a_screen_reader():
    """A chart was an image named by its title alone ('loss'), and its description named its
    curves, not what they came to: its lines are not read, so the description gives each
    curve's last value (past six curves, the range of them)."""
    from nnlab.report.svg import describe

    run = [
        Series("train loss", [(0, 2.0), (1, 1.0)], "#000"),
        Series("test loss", [(0, 2.1), (1, 0.015)], "#111"),
    ]
    assert (
        "<desc>loss per epoch: train loss 1.0000, test loss 0.0150 at epoch 1</desc>"
        in line_chart(run, "loss")
    )
    gone = [Series(s.label, s.points, s.color, "", 2) for s in run]
    assert describe(gone, "loss") == (
        "loss per epoch: train loss 1.0000, test loss 0.0150 at epoch 1; diverged at epoch 2"
    )
    apart = [run[0], Series("test loss", [(0, 2.1), (1, None)])]  # (ends one epoch short)
    assert describe(apart, "loss") == (
        "loss per epoch: train loss 1.0000 (epoch 1), test loss 2.1000 (epoch 0)"
    )
    trials = [Series(f"t{i}", [(0, 0.1 * i), (1, 0.1 * i)], "#000", "", 1 if i < 3 else None)
              for i in range(1, 9)]  # fmt: skip
    assert describe(trials, "train acc") == (
        "train acc per epoch: 8 curves, last values 0.1000 to 0.8000 at epoch 1; 2 curves diverged"
    )
    assert describe(trials[:2] + [Series("nan", [(0, None)], "#000")], "acc") == (
        "acc per epoch: t1 0.1000, t2 0.2000 at epoch 1; diverged at epoch 1"  # ('nan': none)
    )
    assert describe(trials[1:4], "acc") == (
        "acc per epoch: t2 0.2000, t3 0.3000, t4 0.4000 at epoch 1; t2 diverged at epoch 1"
    )


def test_a_log_axis_past_plain_numbers_writes_every_tick_as_a_power_of_ten():
    """A diverging loss's axis read 1, 100, 10000, 1e+06, 1e+08: two formats on one axis. As
    the figures' log axes, past 1e-3..1e4 every tick is a power of ten; within, plain."""
    wide = line_chart([Series("loss", [(0, 1.0), (1, 3e3), (2, 5e7)])], "loss", log_y=True)
    ticks = re.findall(r'<text class="tick" x="-5"[^>]*>([^<]*)</text>', wide)
    assert ticks == ["1e+00", "1e+01", "1e+02", "1e+03", "1e+04", "1e+05", "1e+06", "1e+07",
                     "1e+08"]  # fmt: skip
    narrow = line_chart([Series("loss", [(0, 0.02), (1, 2.0)])], "loss", log_y=True)
    ticks = re.findall(r'<text class="tick" x="-5"[^>]*>([^<]*)</text>', narrow)
    assert ticks == ["0.01", "0.1", "1", "10"]
