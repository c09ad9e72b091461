"""``nnlab landscape``: the loss along a random line and over a random plane around W."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab import palette
from nnlab.output import counted
from nnlab.plots import base
from nnlab.plots.axes import no_finite


def landscape_line_figure(alphas: Any, loss: Any, acc: Any, title: str = "", run: str = "") -> Any:
    """The 1-D slice L(W + a D1): loss (left axis, log) and accuracy (right axis, from a
    floor where it stays above one: ``base.accuracy_axis``) against a.
    A point whose loss is not finite (inf: it overflowed) is a red cross at the top edge,
    with a legend entry (the line had only stopped there); with no finite loss, the loss axis
    has no scale (``axes.no_finite``). The legend is under the axes."""
    plt = base.pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    over = np.isinf(np.asarray(loss, dtype=float))
    loss = np.where(np.isfinite(loss), loss, np.nan)
    ax.plot(alphas, loss, color=palette.SERIES[0], marker=".", label="loss (left axis)")
    if over.any():
        ax.plot(np.asarray(alphas)[over], np.ones(int(over.sum())), transform=ax.get_xaxis_transform(),
                clip_on=False, zorder=4, label="loss not finite", **base.DIVERGED_STYLE)  # fmt: skip
    ax.set_xlabel("a (D1)")  # (as the 2-D figure names its axes)
    if np.isfinite(loss).any():
        base.log_scale(ax, "y", "loss")
    else:  # (a net that overflowed everywhere: no loss scale, 1 .. 10 read as losses)
        ax.set_ylabel("loss")
        no_finite(ax)
    ax.axvline(0, color="gray", lw=0.8, ls="--", label="centre W (a = 0)")
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(alphas, acc, color=palette.SERIES[1], lw=1, label="accuracy (right)")
    ax2.set_ylabel("accuracy")
    base.accuracy_axis([ax2])  # (the curves' rule: 0.57 .. 0.97 sat in the top half of 0..1)
    lines = [ln for a in (ax, ax2) for ln in a.get_lines() if not ln.get_label().startswith("_")]
    base.legend_outside(ax, "below", handles=lines, ncol=2)
    base.fitted_title(ax, base.named(run, _title("L(W + a D1)", title)))
    base.spaced_ticks(ax, "x")  # (last: it sets the limits, which a log axis of no loss has not)
    return fig


def _title(what: str, detail: str) -> str:
    """The slice on the first line, the run and directions on the second (one long line ran
    past the axes into the colour bar)."""
    return f"{what}\n{detail}" if detail else what


def value_ticks(lo: float, hi: float) -> list[float]:
    """Colour-bar ticks for losses from ``lo`` to ``hi`` on a log scale: the 1-2-5 values of
    each decade inside the range (only the powers of ten when that gives more than 8; every
    n-th power, n round, when those are more than 8 too: a slice over 300 decades had 300
    ticks written over each other; 10**309, past the largest float, failed the figure)."""
    decades = range(math.floor(math.log10(lo)), min(math.ceil(math.log10(hi)), 308) + 1)
    for mantissas, every in [((1, 2, 5), 1), *(((1,), n) for n in (1, 2, 5, 10, 20, 50, 100))]:
        ticks = [m * 10.0**k for k in decades for m in mantissas if k % every == 0]
        ticks = [float(f"{t:.6g}") for t in ticks if lo <= t <= hi]
        if len(ticks) <= 8:
            break
    return ticks


def landscape_contour_figure(alphas: Any, grid: Any, title: str = "", run: str = "") -> Any:
    """The 2-D slice L(W + a D1 + b D2) as filled contours of the loss, on a log colour scale
    when it spans more than a decade; the colour bar is ticked at loss values (1-2-5 per decade)
    and its label gives the range. Points whose loss is not finite (inf) are light red, points
    not evaluated (NaN: an unfinished landscape) grey, each with a legend entry (left blank,
    they said nothing); the star marks the centre W (legend under the axes)."""
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.ticker import MaxNLocator

    plt = base.pyplot()
    fig, ax = plt.subplots(figsize=(6, 5.4))
    z = np.asarray(grid, dtype=float).T  # rows of the grid are a (x axis): transpose for contour
    finite = np.isfinite(z) & (z > 0)
    if finite.any():
        zm = np.ma.masked_where(~finite, np.where(finite, z, 1.0))
        lo, hi = float(zm.min()), float(zm.max())
        single = not hi > lo  # (one loss value: a single finite point, or a flat slice)
        hi = hi if hi > lo else lo * (1 + 1e-6)
        log = base.spans_decades([lo, hi])
        if single:  # (ticks across lo*(1 + 1e-6) wrote 2.9928695x10^34 .. 2.9928720x10^34)
            levels, norm, ticks = np.linspace(lo, hi, 30), Normalize(lo, hi), [lo]
        elif log:
            levels, norm, ticks = np.geomspace(lo, hi, 30), LogNorm(lo, hi), value_ticks(lo, hi)
        else:
            levels, norm = np.linspace(lo, hi, 30), Normalize(lo, hi)
            ticks = [t for t in MaxNLocator(6).tick_values(lo, hi) if lo <= t <= hi]
        filled = ax.contourf(alphas, alphas, zm, levels=levels, norm=norm, cmap="viridis")
        ax.contour(alphas, alphas, zm, levels=levels[::3], norm=norm, colors="white",
                   linewidths=0.5, linestyles="solid")  # fmt: skip
        bar = fig.colorbar(filled, ax=ax, ticks=ticks)
        if log:
            base.log_ticks(bar.ax.yaxis, every=True)
        scale = "log" if log else "linear"
        count = int(finite.sum())
        bar.set_label(
            f"loss: {lo:.4g} at every point drawn ({counted(count, 'finite point')})"
            if single
            else f"loss ({scale} colour scale): {lo:.4g} .. {hi:.4g}"
        )
    _unfinished(ax, alphas, z)
    ax.plot(
        [0],
        [0],
        marker="*",
        color="red",
        markersize=12,
        ls="none",
        label="centre W",
        clip_on=False,
        zorder=4,
    )  # (whole where the centre is a corner: --range 0:1)
    ax.set(xlabel="a (D1)", ylabel="b (D2)", aspect="equal")
    base.spaced_ticks(ax, "x")  # (-1.00 -0.75 -0.50 ... on its 4 inches: a quarter em apart)
    ax.set_yticks([t for t in ax.get_xticks() if alphas[0] <= t <= alphas[-1]])  # (b's as a's)
    base.legend_outside(ax, "below")
    base.fitted_title(ax, base.named(run, _title("L(W + a D1 + b D2)", title)))
    return fig


UNFINISHED = (("loss not finite", np.isinf, "#f4c7c3"), ("not evaluated", np.isnan, "0.8"))


def _unfinished(ax: Any, alphas: Any, z: Any) -> None:
    """The points of ``z`` that have no loss to colour, as cells under the contours (which
    leave them blank): not finite light red, not evaluated grey, each kind with a legend
    entry. The axes' background takes the first kind's colour (the contours' edge, interpolated
    between points, leaves slivers of it beside the cells), and the limits stay the grid's."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    background = None
    for label, which, colour in UNFINISHED:
        cells = which(z)
        if cells.any():
            ax.pcolormesh(alphas, alphas, np.ma.masked_where(~cells, cells.astype(float)),
                          cmap=ListedColormap([colour]), shading="nearest", zorder=0)  # fmt: skip
            ax.add_patch(Rectangle((0, 0), 0, 0, color=colour, label=label))  # (its legend entry)
            background = background or colour
    if background is not None:
        ax.set_facecolor(background)
        ax.set(xlim=(alphas[0], alphas[-1]), ylim=(alphas[0], alphas[-1]))
