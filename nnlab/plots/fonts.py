"""The one scale of text sizes every figure draws in, in points, by what a text is: a figure's
title, a panel's title, an axis label, a tick label, a legend's text, a note written on a
panel. ``pyplot`` sets matplotlib's defaults from it (``rc``), so a text a figure draws
without a size has its size by its role; a figure that needs a size to measure with (lines
fitted to a width, a pad in ems) reads it here. Figures drew their titles at 12, 11 or 10
points, one figure's panel titles larger than another's figure title.

The least of them is ``LEGIBLE_PT``: the report shows a figure no smaller than where 10 pt is
11 px (report.figures.LEGIBLE_PX; 72% of its size, at 110 dpi), so a legend of 7 or 8 points
was 7.7-8.8 px there (a phone's width: 390 px)."""

from __future__ import annotations

LEGIBLE_PT = 10  # the least size of any text of a figure
SUPTITLE_PT = 12  # a figure's title: the run that drew it, what it shows
TITLE_PT = 11  # a panel's title (a figure of one panel: its title)
LABEL_PT = LEGIBLE_PT  # an axis's label, a colour bar's
TICK_PT = LEGIBLE_PT  # a tick's label
LEGEND_PT = LEGIBLE_PT  # a legend's entries
NOTE_PT = LEGIBLE_PT  # a text on a panel or under the grid: a note, an annotation, a caption
LINE_SPACING = 1.2  # matplotlib's, of a text of several lines (``Text.linespacing``)

SCALE = {
    "suptitle": SUPTITLE_PT,
    "title": TITLE_PT,
    "label": LABEL_PT,
    "tick": TICK_PT,
    "legend": LEGEND_PT,
    "note": NOTE_PT,
}


def rc() -> dict[str, float]:
    """matplotlib's rcParams of the scale: what a text drawn without a size is drawn at."""
    return {
        "font.size": NOTE_PT,
        "figure.titlesize": SUPTITLE_PT,
        "axes.titlesize": TITLE_PT,
        "axes.labelsize": LABEL_PT,
        "xtick.labelsize": TICK_PT,
        "ytick.labelsize": TICK_PT,
        "legend.fontsize": LEGEND_PT,
        "legend.title_fontsize": LEGEND_PT,
    }


def line_inches(points: float) -> float:
    """The height of one line of a text of ``points`` points, in inches (what a title of
    several lines takes from a figure of fixed margins, per line past its first)."""
    return LINE_SPACING * points / 72
