"""The colours nnlab draws data series in: every figure (matplotlib) and the report's charts
(its SVG, and report.js's compare view) take them from here, so a curve has one colour
wherever it is drawn.

``SERIES`` is the darker part of Okabe & Ito's colour-blind-safe set (*Color Universal Design*,
2008; Wong, *Nature Methods* 8:441, 2011): blue, vermillion, bluish green, reddish purple and
black. Each stands out from the white background at 3:1 or more (WCAG 2.x, 1.4.11, for the
graphics that carry meaning: 5.2, 3.9, 3.4, 3.1 and 21:1), and no two of them look alike under
protanopia, deuteranopia or tritanopia. Okabe & Ito's orange, sky blue and yellow are left
out: 2.2, 2.3 and 1.3:1 on white. (matplotlib's tab10, drawn before: orange, pink, olive and
cyan at 2.0-2.7:1, and its orange and green nearly one colour to a protanope.)

A chart with more series than colours tells them apart by the line's style as well:
series ``i`` is colour ``i % len(SERIES)`` in style ``i // len(SERIES)`` (``LINESTYLES`` in a
figure, ``DASHES`` in the report's SVG: the same four), or, where line styles already mean
something (a tune's dotted training curves), by ``MARKERS``. A colour scale (a sweep's lines by
a numeric key) is viridis up to ``SCALE_END``, where it is still 3:1 on white.
"""

from __future__ import annotations

# blue, vermillion, bluish green, reddish purple, black: Okabe & Ito's (lower-case hex, as
# matplotlib's to_hex writes them)
SERIES = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#000000")
BACKGROUND = "#ffffff"  # (of the figures and the report's pages)
# what diverged: a net's red cross and strip, a title that says so. Dark enough for text on
# white (5.9:1; WCAG asks 4.5:1 of small text: pure red, drawn before, is 4.0:1)
DIVERGED = "#c40000"
# the line styles of the 1st, 2nd, ... round of colours: matplotlib's, and as SVG dash arrays
LINESTYLES = ("-", "--", ":", "-.")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("o", "s", "^", "D")
# where a colour scale over a numeric key (a sweep's lines) stops in viridis: at 0.59 it is
# #21a685, 3.06:1 on white (0.6, #22a884, is 2.999:1); at 0.85, where it stopped before,
# #9bd93c, 1.7:1 (its end #fde725, 1.3:1). From 15:1 to 3:1, dark purple through blue to
# green, still ordered by lightness.
SCALE_END = 0.59


def colour(i: int) -> str:
    """Series ``i``'s colour (from 0; past the last, the first again)."""
    return SERIES[i % len(SERIES)]


def round_of(i: int) -> int:
    """Which round of the colours series ``i`` is in (0 for the first ``len(SERIES)``): the
    index into ``LINESTYLES``, ``DASHES`` or ``MARKERS`` that tells it from the series of its
    colour before it (from the fifth round on, they repeat)."""
    return i // len(SERIES) % len(LINESTYLES)


def linestyle(i: int) -> str:
    """Series ``i``'s matplotlib line style: solid for the first round of colours, then
    dashed, dotted, dash-dotted."""
    return LINESTYLES[round_of(i)]


def dash(i: int) -> str:
    """Series ``i``'s SVG ``stroke-dasharray`` ("" for solid), as ``linestyle`` for a figure."""
    return DASHES[round_of(i)]
