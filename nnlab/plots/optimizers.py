"""``nnlab compare-optimizers``: paths on a test function (2-D contours or a 1-D curve) and
training-loss curves on a dataset."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import palette
from nnlab.output import counted
from nnlab.plots import base

CURVE, PATH = palette.SERIES[0], palette.SERIES[1]  # a 1-D function's curve; an optimizer's path


def _panels(n: int, height: float) -> tuple[Any, Any]:
    """A figure of ``n`` panels (one per run), 2 or 3 a row, each 4.6 in wide and ``height``
    tall: the figure and its (rows, columns) array of axes."""
    ncols = 2 if n in (2, 4) else min(3, n)
    nrows = -(-n // ncols)
    plt = base.pyplot()
    return plt.subplots(nrows, ncols, figsize=(4.6 * ncols, height * nrows), squeeze=False)


def _panel_title(ax: Any, panel: dict[str, Any], steps: int, off: int) -> None:
    """A run's panel title: its title, then its steps and outcome ('40 steps: converged') and
    the iterates ``off`` the plot, if any; red for a run that diverged."""
    note = f"; {counted(off, 'iterate')} off the plot" if off else ""
    text = f"{panel['title']}\n{counted(steps, 'step')}: {panel['outcome']}{note}"
    color = palette.DIVERGED if "diverged" in panel["outcome"] else "black"
    base.fitted_title(ax, text, color=color)


def _finish(fig: Any, axes: Any, used: int, title: str, key: list[Any] | None = None) -> Any:
    """The figure with its panels past the first ``used`` blanked, under ``title``; ``key``:
    legend handles for every panel at once, in a row under them (over no panel's data)."""
    for ax in list(axes.flat)[used:]:
        ax.axis("off")
    base.fitted_suptitle(fig, title)
    key = key or []
    ncol = len(key) if axes.shape[1] > 1 else 2  # (one panel: a row of all was twice as wide)
    rows = -(-len(key) // ncol) if key else 0
    fig.tight_layout(rect=(0, KEY_INCHES * rows / fig.get_figheight(), 1, 1))
    for ax in list(axes.flat)[:used]:  # (at the width tight_layout left them)
        base.spaced_ticks(ax, "x")
        base.spaced_ticks(ax, "y")
    if key:
        fig.legend(handles=key, loc="lower center", ncol=ncol, frameon=False)
    return fig


KEY_INCHES = 0.3  # a row of the key under a 2-D figure's panels


def _paths_key(points: base.Points) -> list[Any]:
    """What a 2-D figure's marks mean: the start, the iterates, the labelled points' cross and
    the contours' colours (viridis: dark is low), which nothing said (no colour bar)."""
    from matplotlib.lines import Line2D

    key = [
        Line2D([], [], marker="s", color="black", ms=5, ls="none", label="start"),
        Line2D([], [], marker="o", color=PATH, ms=2.5, lw=1.0, label="iterates, one a step"),
    ]
    if points:
        key.append(Line2D([], [], marker="+", color="black", ms=10, mew=1.5, ls="none",
                          label="critical point (labelled)"))  # fmt: skip
    dark = base.pyplot().get_cmap("viridis")(0.0)
    key.append(Line2D([], [], color=dark, lw=1.5, label="contours of f (dark: low, light: high)"))
    return key


def optimizer_paths_2d_figure(
    x: Any,
    y: Any,
    z: Any,
    panels: list[dict[str, Any]],
    points: base.Points,
    title: str,
    run: str = "",
) -> Any:
    """Contours of z over the (x, y) grid with one optimizer path per panel (as DLFS fig. 6-8).

    ``panels``: dicts with ``title``, ``path`` ((k+1, 2) points, start first) and ``outcome``;
    ``points``: labelled critical points, drawn as crosses. Paths leaving the box are clipped,
    and the title counts the iterates off the plot (as the 1-D figure's does); a panel whose
    optimizer diverged has its title in red (as every figure's diverged panel)."""
    fig, axes = _panels(len(panels), 3.9)
    levels = np.unique(np.quantile(z, np.linspace(0.0, 1.0, 22) ** 2))
    for ax, panel in zip(axes.flat, panels):
        ax.contour(x, y, z, levels=levels, cmap="viridis", linewidths=0.8, alpha=0.8)
        p = np.asarray(panel["path"])
        ax.plot(p[:, 0], p[:, 1], "o-", color=PATH, markersize=2.5, linewidth=1.0)
        ax.plot(p[0, 0], p[0, 1], "s", color="black", markersize=5, label="start")
        (x0, x1), (y0, y1) = (float(x.min()), float(x.max())), (float(y.min()), float(y.max()))
        for where, label in points:
            ax.plot(where[0], where[1], "+", color="black", markersize=10, mew=1.5)
            _point_label(ax, where, label, (where[0] - x0) / (x1 - x0))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        off = int(np.sum(~((p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1))))
        _panel_title(ax, panel, len(p) - 1, off)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    return _finish(fig, axes, len(panels), base.named(run, title), _paths_key(points))


def _point_label(ax: Any, where: list[float], label: str, across: float) -> None:
    """A critical point's ``label`` under and right of its cross, or left of it where the
    point lies in the right third of the panel (``across``: its place from the left edge, 0
    to 1): d2l's "global min" at x = 0 of -5.5 .. 1 ran past the panel's edge."""
    left = across > 2 / 3
    ax.annotate(label, (where[0], where[1]), xytext=(-4 if left else 4, -10),
                textcoords="offset points", ha="right" if left else "left")  # fmt: skip


def window_labels(x: Any, y: Any, points: base.Points) -> base.Points:
    """The critical points' labels as the drawn window bears them out: a point labelled "global
    min" keeps the label only if it is the lowest point of the curve drawn (within one grid
    step); otherwise it is a "local min" there (x cos(pi x) is unbounded below: on [-2, 2] its
    lowest point is the edge x = -2, not x = 1.09)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lowest, step = float(x[np.argmin(y)]), float(np.max(np.diff(x))) if x.size > 1 else 0.0
    out = []
    for where, label in points:
        if label == "global min" and abs(where[0] - lowest) > step:
            label = "local min"
        out.append((where, label))
    return out


def optimizer_paths_1d_figure(
    x: Any,
    y: Any,
    panels: list[dict[str, Any]],
    points: base.Points,
    title: str,
    run: str = "",
) -> Any:
    """The curve y(x) with each run's iterates marked (one panel per run), coloured by step.

    ``panels``: dicts with ``title``, ``path`` ((k+1, 1) points) and ``values`` ((k+1,)).
    Iterates outside the plotted x range are counted in the panel title, not drawn. The title
    states the window [x0, x1] drawn, and "global min" marks only the lowest point of that
    window (``window_labels``).
    """
    fig, axes = _panels(len(panels), 3.5)
    lo, hi = float(np.min(y)), float(np.max(y))
    pad = 0.08 * (hi - lo)
    x0, x1 = float(np.min(x)), float(np.max(x))
    for ax, panel in zip(axes.flat, panels):
        ax.plot(x, y, color=CURVE, linewidth=1.2)
        px = np.asarray(panel["path"])[:, 0]
        py = np.asarray(panel["values"])
        inside = (px >= x0) & (px <= x1)
        ax.plot(px, py, "-", color=PATH, linewidth=0.7, alpha=0.6)
        ax.scatter(px, py, c=np.arange(len(px)), cmap="autumn", s=22, zorder=3, edgecolors="k")
        for where, label in window_labels(x, y, points):
            ax.axvline(where[0], color="gray", linewidth=0.6, linestyle=":")
            ax.annotate(label, (where[0], hi + pad), xytext=(2, -9), textcoords="offset points",
                        color="gray")  # fmt: skip
        ax.set_xlim(x0, x1)
        ax.set_ylim(lo - pad, hi + pad)
        _panel_title(ax, panel, len(px) - 1, int(np.sum(~inside)))
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    return _finish(fig, axes, len(panels), base.named(run, f"{title}\nx in [{x0:g}, {x1:g}]"))


def _line_keys() -> list[Any]:
    """Legend keys saying what the two kinds of line are: without them the faint per-batch
    losses behind each optimizer's smoothed line were left for the reader to guess."""
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], color="0.35", linewidth=1.6, label="lines: smoothed (moving average)"),
        Line2D([], [], color="0.35", alpha=0.35, linewidth=1.4, label="faint: each batch's loss"),
    ]


def _marks(i: int, spaced: bool = True) -> dict[str, Any]:
    """Curve ``i``'s markers, spaced along it and staggered from the others': the palette's
    colours alone told the optimizers apart, and four of them are one mid-grey on a greyscale
    print (relative luminance 0.15 to 0.29). Not ``spaced`` for a curve with no finite point
    (its legend keeps the marker): matplotlib cannot space marks along an empty path, and the
    figure of runs whose losses were none finite failed (IndexError)."""
    marker = palette.MARKERS[i % len(palette.MARKERS)]
    every = (0.03 + 0.025 * (i % 4), 0.12) if spaced else None
    return {"marker": marker, "markersize": 4.5, "markevery": every}


def optimizer_loss_curves_figure(curves: list[dict[str, Any]], title: str, run: str = "") -> Any:
    """Training loss per iteration for several optimizers (DLFS fig. 6-9): smoothed lines over
    the raw per-batch losses drawn faintly. ``curves``: dicts with ``label``, ``loss``,
    ``smoothed`` (same length), ``diverged`` (optional: the run stopped there). The loss axis is
    logarithmic when the smoothed losses span more than a decade (adaptive methods end 1,000
    times below SGD: a linear axis flattens them onto zero). A run whose loss turns non-finite,
    or that diverged after its last loss, stops at a red cross at the top edge, at the step after
    its last finite loss; the limits are those of the runs that did not diverge (a run that
    diverged leaves through the top on its way to infinity: its 1e14 flattened the others onto
    the bottom). The legend is right of the axes, and says which lines are which."""
    plt = base.pyplot()
    # (8.6 inches: the legend beside the axes at 10 points took 0.6 inch more of them than at 8)
    fig, ax = plt.subplots(figsize=(8.6, 4.8))
    smoothed, kept, diverged = [], [], False
    for i, c in enumerate(curves):
        raw = np.asarray(c["loss"], dtype=float)
        smooth = np.asarray(c["smoothed"], dtype=float)
        steps = np.arange(1, raw.size + 1)
        color, style = palette.colour(i), palette.linestyle(i)
        ax.plot(steps, raw, color=color, alpha=0.15, linewidth=0.6)
        ax.plot(steps, smooth, color=color, ls=style, linewidth=1.6, label=c["label"],
                **_marks(i, spaced=bool(np.isfinite(smooth).any())))  # fmt: skip
        bad = np.flatnonzero(~np.isfinite(raw))
        stop = int(bad[0]) if bad.size else (raw.size if c.get("diverged") else None)
        if stop is not None:  # (the losses before it; the cross at the step after)
            base.mark_diverged(ax, list(steps[:stop]), list(smooth[:stop]), stop + 1, color,
                               rising=True)  # fmt: skip
            diverged = True
        finite = list(smooth[np.isfinite(smooth)])
        smoothed += finite
        kept += finite if stop is None else []
    smoothed = kept or smoothed  # (every run diverged: the limits are theirs)
    log = base.spans_decades(smoothed)
    top = float(np.finfo(float).max)  # (a last loss of 1.7e308, times 1.5, failed the figure:
    if log:  # 'Axis limits cannot be NaN or Inf'); limits from the smoothed curves: a single
        base.log_scale(ax, "y")  # tiny batch loss would stretch them
        ax.set_ylim(min(smoothed) / 3, min(float(max(smoothed)) * 1.5, top))
    elif smoothed:
        ax.set_ylim(0, min(1.1 * float(max(smoothed)), top))
    base.epoch_axis(ax, "iteration")  # (whole iterations)
    ax.set_ylabel("training loss (minibatch)" + (" (log scale)" if log else ""))
    base.fitted_title(ax, base.named(run, title))
    handles = ax.get_legend_handles_labels()[0] + ([base.diverged_handle()] if diverged else [])
    base.legend_outside(ax, handles=handles + _line_keys())
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
