"""Axes helpers every figure shares: grid lines, distinct colours, a legend outside the axes,
log scales (whether values span decades; ticks for spans past matplotlib's locator), and the
per-epoch x axis. (Re-exported by ``plots.base``, whose figures' drawing machinery they sit
beside.)"""

from __future__ import annotations

from typing import Any


def grid_lines(ax: Any, xs: list[float], ys: list[float], alpha: float = 0.3) -> None:
    """Grid lines across ``ax`` at ``xs`` and ``ys`` (data), as ``ax.grid(alpha=alpha)`` draws
    them at the ticks (the rcParams' grid colour and width, under the data), but as two
    artists and without ticks: for panels that show the grid and leave the numbers to their
    neighbours."""
    import matplotlib as mpl

    style = {
        "colors": mpl.rcParams["grid.color"],
        "linewidths": mpl.rcParams["grid.linewidth"],
        "alpha": alpha,
        "zorder": 1.5,
    }
    ax.vlines(xs, 0, 1, transform=ax.get_xaxis_transform(), **style)
    ax.hlines(ys, 0, 1, transform=ax.get_yaxis_transform(), **style)


def distinct_colours(n: int) -> list[Any]:
    """``n`` colours that tell ``n`` lines or rows apart: the default cycle's ten (C0..C9) up
    to ten; beyond, tab20's ten strong colours (the same ten) then their ten pale twins, so no
    two of up to 20 share a colour (past 20 they repeat)."""
    if n <= 10:
        return [f"C{i}" for i in range(n)]
    import matplotlib as mpl

    tab20 = mpl.colormaps["tab20"].colors
    order = [*tab20[0::2], *tab20[1::2]]
    return [order[i % len(order)] for i in range(n)]


def legend_outside(ax: Any, where: str = "right", **kwargs: Any) -> Any:
    """A legend next to ``ax`` (``right``: top-aligned to its right edge; ``below``: centred
    under its x label), never over the data. ``kwargs`` go to ``ax.legend``. None when there
    is nothing to list (every trial diverged: no curve), rather than an empty box and
    matplotlib's warning about it."""
    kwargs.setdefault("fontsize", 8)
    if "handles" not in kwargs and not ax.get_legend_handles_labels()[0]:
        return None
    if where == "right":
        return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, **kwargs)
    # below: 36 points under the axes clear the tick labels and the x label (the pad is in
    # units of the legend's font size)
    pad = 36 / float(kwargs["fontsize"])
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), borderaxespad=pad, **kwargs)


def spans_decades(values: Any, decades: float = 1.0) -> bool:
    """True when the finite positive ``values`` span more than ``decades`` powers of ten (a
    linear axis would flatten the small ones against zero)."""
    import numpy as np

    v = np.asarray([x for x in values if x is not None], dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return bool(v.size) and float(np.log10(v.max()) - np.log10(v.min())) > decades


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


def epoch_axis(ax: Any) -> None:
    """Label ``ax``'s x axis "epoch" and tick it at whole epochs only (over two or three
    epochs matplotlib's own ticks fell at 0.5, 1.5), an epoch wide at least. Every per-epoch
    axis is set here, after its curves are drawn."""
    ax.set_xlabel("epoch")
    ax.xaxis.get_major_locator().set_params(integer=True)
    lo, hi = ax.get_xlim()
    if hi - lo < 1:  # (one epoch drawn, or none: a run that diverged at epoch 0; matplotlib's
        mid = round((lo + hi) / 2)  # +-0.05 around it ticked -0.04, -0.02, ...)
        ax.set_xlim(mid - 0.5, mid + 0.5)
        ax.set_xticks([mid])
