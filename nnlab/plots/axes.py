"""Axes helpers every figure shares: grid lines, distinct colours (``nnlab.palette``'s), a
legend outside the axes, log scales (whether values span decades; ticks for spans past
matplotlib's locator), whole numbers on linear axes, and the per-epoch x axis. (Re-exported by ``plots.base``, whose figures' drawing machinery they sit
beside.)"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from nnlab import palette
from nnlab.plots.fonts import LEGEND_PT, LEGIBLE_PT  # noqa: F401 (LEGIBLE_PT: re-exported)
from nnlab.plots.titles import fit_lines

PLAIN_LOG = (1e-3, 1e4)  # a log axis whose view lies in this range is ticked in plain numbers
# a split's colour in every figure (and the report's pages): palette.SERIES[0], [1], [2]
SPLIT_COLOUR_ORDER = ("train", "test", "val")


def split_colour(split: str) -> str:
    """The colour of ``split``'s curves in every figure (and the report's pages): train blue,
    test vermillion, val bluish green (``palette.SERIES``), whichever splits a run evaluates
    and in what order (by position, a run of ``eval: [test]`` drew test blue and its final
    train orange: the reverse of every other run's curves and of the accuracy gaps)."""
    i = SPLIT_COLOUR_ORDER.index(split) if split in SPLIT_COLOUR_ORDER else 3
    return palette.colour(i)


def grid_lines(ax: Any, xs: Sequence[float], ys: Sequence[float], alpha: float = 0.3) -> None:
    """Grid lines across ``ax`` at ``xs`` and ``ys`` (data), as ``ax.grid(alpha=alpha)`` draws
    them at the ticks (the rcParams' grid colour and width, under the data), but as two
    artists and without ticks: for panels that show the grid and leave the numbers to their
    neighbours. Their gids, "grid x" and "grid y", find them again (to move them)."""
    import matplotlib as mpl

    style = {
        "colors": mpl.rcParams["grid.color"],
        "linewidths": mpl.rcParams["grid.linewidth"],
        "alpha": alpha,
        "zorder": 1.5,
    }
    ax.vlines(xs, 0, 1, transform=ax.get_xaxis_transform(), gid="grid x", **style)
    ax.hlines(ys, 0, 1, transform=ax.get_yaxis_transform(), gid="grid y", **style)


def distinct_colours(n: int) -> list[str]:
    """``n`` colours, one per line or row: ``palette.SERIES`` in its order, again from the
    first past its five. Where the lines share axes, draw them in ``distinct_styles`` too."""
    return [palette.colour(i) for i in range(n)]


def distinct_styles(n: int) -> list[tuple[str, str]]:
    """(colour, line style) for ``n`` lines on one set of axes, no two alike up to 20: the
    palette's five colours solid, then dashed, dotted and dash-dotted (``palette.linestyle``).
    matplotlib's tab20, drawn before past ten lines, had ten pale colours of 1.2-2.3:1 on
    white."""
    return [(palette.colour(i), palette.linestyle(i)) for i in range(n)]


def legend_outside(ax: Any, where: str = "right", room: float | None = None, **kwargs: Any) -> Any:
    """A legend next to ``ax`` (``right``: top-aligned to its right edge; ``below``: centred
    under its x label), never over the data, of the entries that show something (``drawn``),
    no wider than ``room`` inches (default: the axes' width; ``fit_legend``). ``kwargs`` go to
    ``ax.legend``. None when there is nothing to list (every trial diverged: no curve), rather
    than an empty box and matplotlib's warning about it."""
    kwargs.setdefault("fontsize", LEGEND_PT)
    kwargs["handles"] = drawn(kwargs.get("handles") or ax.get_legend_handles_labels()[0])
    if not kwargs["handles"]:
        return None
    if where == "right":
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, **kwargs)
    else:  # below: 36 points under the axes clear the tick labels and the x label (the pad is
        # in units of the legend's font size)
        pad = 36 / float(kwargs["fontsize"])
        legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), borderaxespad=pad,
                           **kwargs)  # fmt: skip
    fit_legend(legend, axes_inches(ax) if room is None else room)
    return legend


def no_finite(ax: Any, what: str = "loss") -> None:
    """``ax``'s y axis, with no finite ``what`` to draw (a net that overflowed at every point),
    left with no scale, major or minor (matplotlib's own around nothing, 1 .. 10 on a log
    axis, read as losses), and "no finite loss" in the middle: every figure of losses so."""
    ax.set_yticks([], minor=False)
    ax.set_yticks([], minor=True)
    ax.text(0.5, 0.5, f"no finite {what}", transform=ax.transAxes, ha="center", va="center",
            color="0.4")  # fmt: skip


def axes_inches(ax: Any) -> float:
    """The width of ``ax``, in inches."""
    return float(ax.get_position().width * ax.get_figure().get_figwidth())


def legend_inches(legend: Any) -> float:
    """The width of ``legend`` as its figure draws it, in inches."""
    fig = legend.get_figure()
    return float(legend.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi)


def fit_legend(legend: Any, room: float) -> None:
    """``legend``'s entries (and title) broken into lines (``fit_lines``) so that it is no
    wider than ``room`` inches, where it is wider: a legend of a random sweep over three keys,
    an entry of each key's value, was twice the width of the axes beside it, the figure most
    of it legend. The widest columns give up the width, down to one level
    (``_level``): a column of short entries keeps them whole. (Each column gave up an equal
    share of the width of the widest: a column narrower than that gave up nothing, so three
    rounds left a legend of one long column wider than its room, and the others were cut
    further than they had to be.)"""
    import numpy as np

    fig = legend.get_figure()
    renderer = fig.canvas.get_renderer()

    def inches(text: Any) -> float:
        return float(text.get_window_extent(renderer).width / fig.dpi)

    title = legend.get_title()
    for _ in range(3):  # (a line broken at a space is narrower than its limit: another round)
        excess = legend_inches(legend) - room
        if excess <= 0:
            return
        texts = legend.get_texts()  # (split into columns as matplotlib does)
        columns = [
            c for c in np.array_split(np.arange(len(texts)), max(1, legend._ncols)) if len(c)
        ]
        widths = [max(inches(texts[i]) for i in c) for c in columns]
        limits = [(t, _level(widths, excess)) for t in texts if t.get_text().strip()]
        if title.get_text() and inches(title) >= sum(widths):
            limits.append((title, inches(title) - excess))
        for text, limit in limits:
            if inches(text) > limit:
                text.set_text(fit_lines(fig, text.get_text(), max(limit, 1.0), text.get_fontsize()))


def _level(widths: list[float], excess: float) -> float:
    """The width that the columns of ``widths`` wider than it are cut to, so that together
    they give up ``excess`` (inches), the narrower ones kept as they are."""
    ordered = sorted(widths, reverse=True)
    for k in range(1, len(ordered) + 1):
        level = (sum(ordered[:k]) - excess) / k  # (the widest k cut to it)
        if k == len(ordered) or level >= ordered[k]:
            return level
    return 0.0


def drawn(handles: list[Any]) -> list[Any]:
    """The legend ``handles`` that stand for something drawn: a line or a set of points on
    axes with no finite point to show (every value of its series diverged: lr-scan's
    "after 2 epochs of training" line, all its rates crosses in the diverged strip) has no
    entry. Handles made for the legend alone (not on any axes: a style key, the diverged
    cross) and patches (a colour's key) are kept."""
    import numpy as np
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D

    def empty(handle: Any) -> bool:
        if getattr(handle, "axes", None) is None:
            return False
        if isinstance(handle, Line2D):
            xy = np.asarray(handle.get_xydata(), dtype=float).reshape(-1, 2)
        elif isinstance(handle, Collection):
            xy = np.ma.filled(np.ma.asarray(handle.get_offsets(), dtype=float), np.nan)
            xy = xy.reshape(-1, 2)
        else:
            return False
        return not np.isfinite(xy).all(axis=1).any()

    return [h for h in handles if not empty(h)]


def spans_decades(values: Any, decades: float = 1.0) -> bool:
    """True when the finite positive ``values`` span more than ``decades`` powers of ten (a
    linear axis would flatten the small ones against zero)."""
    import numpy as np

    v = np.asarray([x for x in values if x is not None], dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return bool(v.size) and float(np.log10(v.max()) - np.log10(v.min())) > decades


def log_scale(ax: Any, which: str = "y", label: str | None = None) -> None:
    """``ax``'s ``which`` axis ("x" or "y") on a log scale, ticked by ``log_ticks``; ``label``
    (if given) with "(log scale)" after it: on a log axis ticked 0.1, 1, 10 the words are what
    tells it from a linear one. Every log axis of nnlab's figures is set here."""
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    log_ticks(axis)
    if label is not None:
        axis.set_label_text(f"{label} (log scale)")


def log_ticks(axis: Any, every: bool = False) -> None:
    """Tick labels for a log ``axis`` (or a log colour bar's): plain numbers (0.1, 0.5, 2, 30)
    where its view lies within ``PLAIN_LOG`` (``output.number``'s fixed-point range), else powers
    of ten (10⁻⁶ .. 10¹, and 2×10⁵ between them). Which ticks are labelled is matplotlib's
    choice (over a narrow span its minor ticks too: labelled 3×10¹, 2×10¹, 6×10⁰, they were
    hard to read), thinned to the labels that fit side by side (``LOG_LABEL_SETS``), or,
    ``every``, each major tick (ticks placed by hand, 1-2-5 per decade)."""
    plain = _plain_log_formatter()
    inf = float("inf")
    axis.set_major_formatter(plain(minor_thresholds=(inf, inf)) if every else plain())
    axis.set_minor_formatter(plain(labelOnlyBase=False, minor_thresholds=(2, 0.4)))


# The multiples of each power of ten a log axis may label, densest first: matplotlib labels
# 2, 3, 4, 6 (or every one) between powers over a span of one or two, however short the axis
# (a tune panel of 4.5 inches over 2.4 decades wrote 2×10⁻⁶ 3×10⁻⁶ 4×10⁻⁶ over each other).
LOG_LABEL_SETS = (
    frozenset(range(1, 11)),
    frozenset({1, 2, 3, 4, 6, 10}),
    frozenset({1, 2, 5, 10}),
    frozenset({1, 3, 10}),
    frozenset({1}),
)
LABEL_GAP = 0.4  # the least space between two tick labels, in ems of their font


@functools.cache
def _plain_log_formatter() -> Any:
    """The formatter class of ``log_ticks`` (made on first use: matplotlib is imported lazily)."""
    from matplotlib.ticker import LogFormatterSciNotation

    class PlainLog(LogFormatterSciNotation):  # type: ignore[misc]
        def __call__(self, x: float, pos: Any = None) -> str:
            if not 0 < x < float("inf"):  # (a tick past 1e308, out of view: matplotlib's
                return ""  # locator over ~300 decades puts one there, and its label failed)
            text = super().__call__(x, pos)
            lo, hi = sorted(self.axis.get_view_interval()) if self.axis else (x, x)
            if text and PLAIN_LOG[0] * (1 - 1e-9) <= lo and hi < PLAIN_LOG[1]:
                return f"{x:.6g}"
            return text

        def set_locs(self, locs: Any = None) -> None:
            super().set_locs(locs)
            labels: Any = getattr(self, "_sublabels", None)
            if labels and len(labels) > 1 and locs is not None:
                self._sublabels = set(_fitting_labels(self, list(locs)))

    return PlainLog


def _fitting_labels(formatter: Any, locs: list[float]) -> frozenset[int]:
    """The densest of ``LOG_LABEL_SETS`` (no denser than matplotlib chose) whose labels at
    ``locs`` and at the powers of ten in view keep ``LABEL_GAP`` apart along the axis, measured
    as the figure draws them; matplotlib's choice where the axis cannot be measured."""
    import math

    chosen = frozenset(int(c) for c in formatter._sublabels)
    axis = formatter.axis
    try:
        renderer = axis.figure.canvas.get_renderer()
        prop = axis.get_major_ticks(1)[0].label1.get_fontproperties()
    except (AttributeError, IndexError, TypeError):  # (a canvas that draws without one)
        return chosen
    lo, hi = sorted(axis.get_view_interval())
    powers = [10.0**p for p in range(math.ceil(math.log10(lo)), math.floor(math.log10(hi)) + 1)]
    ticks = sorted({float(x) for x in locs if lo <= x <= hi} | set(powers))
    horizontal = axis.axis_name == "x"
    gap = LABEL_GAP * prop.get_size_in_points() * axis.figure.dpi / 72
    for labels in LOG_LABEL_SETS:
        if not labels <= chosen:
            continue
        formatter._sublabels = set(labels)
        spans = []  # (centre, half its extent along the axis) of each label drawn, in pixels
        for x in ticks:
            text = formatter(x)
            if not text:
                continue
            w, h, _ = renderer.get_text_width_height_descent(text, prop, ismath="$" in text)
            at = axis.axes.transData.transform((x, x))[0 if horizontal else 1]
            spans.append((at, (w if horizontal else h) / 2))
        spans.sort()
        if all(b[0] - a[0] >= a[1] + b[1] + gap for a, b in zip(spans, spans[1:])):
            return labels
    return frozenset({1})


TICK_SPACE = 1.0  # the space between two tick labels a figure of many ticks keeps, in ems


def spaced_ticks(ax: Any, which: str = "x", space: float = TICK_SPACE) -> None:
    """``ax``'s ``which`` axis ticked at as many of matplotlib's round steps as keep its labels
    ``space`` ems apart at the size they are drawn (fewer bins of ``locator_params`` until
    they do; one interval at least): compare-optimizers' book panels, 4 inches over
    -10 .. 10, wrote -10.0 -7.5 -5.0 ... 10.0 two thirds of an em apart. Call it last, once
    the axes have their size (after ``tight_layout``) and their scales: it reads the view,
    which fixes the limits (a log axis of no data, set after, failed to draw). The axes' aspect
    is applied first: an equal aspect narrows the box only at the draw (landscape-2d's plane of
    no finite loss, no colour bar beside it, was spaced on its wider box: 0.65 em apart)."""
    axis = getattr(ax, f"{which}axis")
    locator = axis.get_major_locator()
    if not hasattr(locator, "set_params") or not axis.get_major_ticks():
        return
    ax.apply_aspect()
    renderer = ax.get_figure().canvas.get_renderer()
    prop = axis.get_major_ticks()[0].label1.get_fontproperties()
    gap = space * prop.get_size_in_points() * ax.get_figure().dpi / 72
    lo, hi = sorted(axis.get_view_interval())
    bins = None
    while True:
        locs = [float(x) for x in axis.get_major_locator()() if lo <= x <= hi]
        formatter = axis.get_major_formatter()
        formatter.set_locs(locs)
        spans = []  # (start, end) of each label along the axis, in pixels
        for x in locs:
            w, h, _ = renderer.get_text_width_height_descent(formatter(x), prop, ismath=False)
            at = ax.transData.transform((x, x))[0 if which == "x" else 1]
            half = (w if which == "x" else h) / 2
            spans.append((at - half, at + half))
        if len(locs) < 3 or all(b[0] - a[1] >= gap for a, b in zip(spans, spans[1:])):
            return
        bins = len(locs) - 2 if bins is None else min(bins - 1, len(locs) - 2)
        ax.locator_params(axis=which, nbins=max(1, bins))
        if bins <= 1:
            return


def plain_numbers(fig: Any) -> None:
    """Every linear axis of ``fig`` (colour bars too) ticked with each tick's whole value
    (``plain_ticks``), at as many of its locator's round steps as keep those labels
    ``LABEL_GAP`` apart (``spaced_ticks``; a bar's and fixed ticks as they are): a tune of one
    trial, its lr axis 0.000106 .. 0.000116 around 0.000111503 on a 4.5-inch panel, wrote its
    six labels into one another. ``save`` does it for every figure; a figure that measures its
    tick labels before (``train._fixed_margins``) does it first."""
    from matplotlib.ticker import MaxNLocator

    for ax in fig.axes:
        bar = getattr(ax, "_colorbar", None)
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if type(axis.get_major_formatter()).__name__ != "ScalarFormatter":
                continue  # (log axes, fixed labels, a figure's own formatter: as they are)
            if bar is not None and axis is bar.long_axis:
                bar.formatter = _plain_scalar_formatter()()  # (kept when the bar updates)
                continue
            plain_ticks(axis)
            if isinstance(axis.get_major_locator(), MaxNLocator):
                spaced_ticks(ax, name, LABEL_GAP)


def plain_ticks(axis: Any, trim: bool = False) -> None:
    """``axis`` (linear) ticked with whole values: no offset or multiplier in the corner.
    matplotlib's default wrote losses of 2.3025850 .. 2.3026050 as 58.50 .. 60.50 under
    ``1e−5+2.302`` at the top of the axis, and 1.3e6 as 1.3 under ``1e6``: the numbers a
    student reads were not the values. Here a tick is 2.302585, or 1.3×10⁶ (outside matplotlib's
    fixed-point range, 1e-5 .. 1e6, each tick in powers of ten as the log axes write them).
    ``trim``: without trailing zeros (0, 0.0005, 0.001: narrow panels side by side)."""
    axis.set_major_formatter(_plain_scalar_formatter()(trim))


@functools.cache
def _plain_scalar_formatter() -> Any:
    """The formatter class of ``plain_ticks`` (made on first use: matplotlib is imported
    lazily)."""
    from matplotlib.ticker import ScalarFormatter

    class PlainScalar(ScalarFormatter):  # type: ignore[misc]
        def __init__(self, trim: bool = False) -> None:
            super().__init__(useOffset=False)
            self.trim = trim

        def __call__(self, x: float, pos: Any = None) -> str:
            text = super().__call__(x, pos)
            if self.trim and "." in text:
                text = text.rstrip("0").rstrip(".")
            power = self._orderOfMagnitude  # (public ``orderOfMagnitude``: deprecated)
            if not power or not text:
                return text
            if x == 0:
                return "0"
            return f"{text}×10{str(power).translate(SUPERSCRIPTS)}"

        def get_offset(self) -> str:
            return ""  # (the power is in each tick's text)

    return PlainScalar


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def too_wide(lo: float, hi: float, decades: float = 200) -> bool:
    """Positive ``lo`` .. ``hi`` span more than ``decades`` (past matplotlib's log locator)."""
    import math

    return 0 < lo <= hi < math.inf and math.log10(hi) - math.log10(lo) > decades


def wide_log_ticks(axis: Any, lo: float, hi: float, decades: float = 200) -> None:
    """Seven powers of ten, no minor ticks, on a log ``axis`` from ``lo`` to ``hi`` spanning
    over ``decades`` (matplotlib's locator overflows past ~308: a swept rate of 1e-300..1e300
    failed the figure); narrower spans keep matplotlib's ticks."""
    import math

    import numpy as np
    from matplotlib.ticker import FixedLocator, NullLocator

    if not too_wide(lo, hi, decades):
        return
    powers = np.unique(np.linspace(math.ceil(math.log10(lo)), math.floor(math.log10(hi)), 7))
    axis.set_major_locator(FixedLocator(10.0 ** powers.round()))
    axis.set_minor_locator(NullLocator())


def epoch_axis(ax: Any, label: str = "epoch") -> None:
    """Label ``ax``'s x axis "epoch" and tick it at whole epochs only (over two or three
    epochs matplotlib's own ticks fell at 0.5, 1.5), an epoch wide at least. Every per-epoch
    axis is set here, after its curves are drawn, and every axis of another count (``label``:
    "iteration": optimizers that all diverged by iteration 3 were ticked 1.00, 1.25, ...)."""
    ax.set_xlabel(label)
    ax.xaxis.get_major_locator().set_params(integer=True)
    lo, hi = ax.get_xlim()
    if hi - lo < 1:  # (one epoch drawn, or none: a run that diverged at epoch 0; matplotlib's
        mid = round((lo + hi) / 2)  # +-0.05 around it ticked -0.04, -0.02, ...)
        ax.set_xlim(mid - 0.5, mid + 0.5)
        ax.set_xticks([mid])
