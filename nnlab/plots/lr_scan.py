"""``nnlab lr-scan``: the loss after one step and after a short training, against the rate."""

from __future__ import annotations

import math
from typing import Any

from nnlab import palette
from nnlab.output import config_number, counted, number
from nnlab.plots import base
from nnlab.plots.axes import no_finite

TOP = 0.85  # the finite losses fill the axes up to this height (room for a "best" label)
STRIP = (1.03, 0.1)  # the diverged strip above the loss axes: bottom and height (axes fraction)
DIVERGED_AT = {"step_loss": 0.68, "train_loss": 0.32}  # (strip fraction; one row per curve)
# each curve's marker and line: blue and vermillion are one grey on a greyscale print (relative
# luminance 0.15 and 0.22), and the curves differed in colour alone
SHAPES = ({"marker": "o", "ls": "-"}, {"marker": "s", "ls": "-."})  # (the dashed line: L(W))


def _log_limits(values: list[float]) -> tuple[float, float]:
    """y limits on a log axis: the smallest value half a label's height above the bottom, the
    largest at ``TOP`` of the height."""
    lo, hi = math.log10(min(values)), math.log10(max(values))
    span = max(hi - lo, 0.3)
    bottom = lo - 0.12 * span / TOP
    return 10**bottom, 10 ** (bottom + (hi - bottom) / TOP)


def _label_best(ax: Any, lr: float, y: float, color: str, above: bool, right: bool,
                rose: bool, taken: list[Any]) -> None:  # fmt: skip
    """Circle the best rate of a curve and write it beside the circle, above or below it and to
    the left or right, as the caller chose to keep it inside the axes, or at the first other
    corner where it covers no curve and no label ``taken`` (a wide scan's curve rising past
    its best, 10^-10 .. 10^4, ran through the '1' of 'best 0.1'); the label's extent joins
    ``taken``. ``rose``: its loss is above the initial loss, which the label says (every rate
    scanned made the loss worse: a 'best' alone read as a rate to use). The rate as the table
    spells it (``output.config_number``: 0.03162, not 3e-02). Call it once the axes have
    their limits (the diverged strip, sharing the rate axis, widens them)."""
    ax.scatter([lr], [y], s=160, facecolors="none", edgecolors=color, lw=2, zorder=3)
    text = f"best {config_number(lr)}" + ("\n(above the initial loss)" if rose else "")
    renderer = ax.get_figure().canvas.get_renderer()
    ax.get_xlim()  # (the view, shared with the strip, brought up to date before measuring)
    obstacles = _curve_points(ax)
    frame = ax.get_window_extent(renderer)

    def place(up: bool, leftward: bool) -> Any:  # (leftward: the text ends left of the point)
        return ax.annotate(text, (lr, y), textcoords="offset points", color=color,
                           xytext=(-9 if leftward else 9, 8 if up else -8),
                           ha="right" if leftward else "left", va="bottom" if up else "top")  # fmt: skip

    for up, leftward in [(above, right), (not above, right), (above, not right),
                         (not above, not right)]:  # fmt: skip
        label = place(up, leftward)
        if _clear(label.get_window_extent(renderer), frame, obstacles, taken):
            break
        label.remove()
    else:  # (no corner clear: the caller's)
        label = place(above, right)
    taken.append(label.get_window_extent(renderer))


def _curve_points(ax: Any) -> Any:
    """Points along every line drawn in ``ax`` (its curves, the initial loss), in pixels."""
    import numpy as np

    found = [np.empty((0, 2))]
    t = np.linspace(0.0, 1.0, 16)[None, :, None]
    for line in ax.get_lines():
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
        if len(xy) > 1:
            xy = np.concatenate([(xy[:-1, None, :] + t * (xy[1:, None, :] - xy[:-1, None, :]))
                                 .reshape(-1, 2), xy[-1:]])  # fmt: skip
        found.append(xy)
    pts = np.concatenate(found)
    return pts[np.isfinite(pts).all(axis=1)]


def _clear(box: Any, frame: Any, points: Any, taken: list[Any]) -> bool:
    """``box`` lies inside ``frame`` and holds none of ``points`` and no box of ``taken``."""
    inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    hit = (points[:, 0] > box.x0) & (points[:, 0] < box.x1)
    hit &= (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
    return inside and not hit.any() and not any(box.overlaps(other) for other in taken)


def _rose(loss: float, initial_loss: float | None) -> bool:
    """Whether ``loss`` is above a finite initial loss."""
    return initial_loss is not None and loss > initial_loss


def _diverged_strip(ax: Any, bad: list[tuple[list[float], str, str]]) -> list[Any]:
    """A strip above ``ax``, sharing its rate axis but with no loss scale, holding a cross for
    each rate whose loss went non-finite (``bad``: rates, curve key, colour); the legend
    handles of the crosses ("diverged", one per curve)."""
    from matplotlib.lines import Line2D

    strip = ax.inset_axes([0.0, STRIP[0], 1.0, STRIP[1]], sharex=ax)
    strip.set_facecolor("0.95")
    strip.set(ylim=(0, 1), yticks=[])
    strip.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    strip.grid(alpha=0.3, which="both", axis="x")
    strip.set_ylabel("diverged", rotation=0, ha="right", va="center")
    handles = []
    for rates, key, color in bad:
        strip.plot(rates, [DIVERGED_AT[key]] * len(rates), marker="x", color=color, ms=8,
                   mew=2, ls="none")  # fmt: skip
        what = "one step" if key == "step_loss" else "training"
        handles.append(Line2D([], [], marker="x", color=color, ms=8, mew=2, ls="none",
                              label=f"diverged ({what}): loss not finite"))  # fmt: skip
    return [strip, *handles]


def _series(epochs: int, trainer: str, objective: bool) -> list[tuple[str, str, str, str]]:
    """The curves: (row key, legend label, colour, the mark ``best`` gives its lowest). Each
    label names its quantity: the objective L after one step; the train split's loss (data
    loss, evaluated) after training, said not to be L where it is not (``objective`` False)."""
    series = [("step_loss", "objective after one full-gradient step", palette.SERIES[0], "step")]
    if epochs > 0:
        how = f" ({trainer})" if trainer else ""
        label = f"train loss after {counted(epochs, 'epoch')} of training{how}"
        label += "" if objective else "\n(evaluated, without the L2 term: not the objective)"
        series.append(("train_loss", label, palette.SERIES[1], "train"))
    return series


def _curves(
    ax: Any, rows: list[dict[str, Any]], series: list[tuple[str, str, str, str]]
) -> list[tuple[list[float], str, str]]:
    """Each series' finite losses against the rate, in its colour and ``SHAPES``; the rates
    whose loss is not finite, by series (rates, row key, colour), for the diverged strip."""
    bad = []
    for n, (key, label, color, _) in enumerate(series):
        got = [(r["lr"], r[key]) for r in rows if r.get(key) is not None]
        ax.plot([x for x, _ in got], [y for _, y in got], color=color, label=label, **SHAPES[n])
        rates = [r["lr"] for r in rows if r.get(key) is None]
        if rates:
            bad.append((rates, key, color))
    return bad


def lr_scan_figure(
    rows: list[dict[str, Any]],
    initial_loss: float | None,
    epochs: int,
    title: str = "",
    trainer: str = "",
    objective: bool = True,
) -> Any:
    """Loss vs step size (log x, log y): the objective after one full-gradient step and the
    train split's loss after ``epochs`` of training (``trainer``: how, for its legend entry:
    the optimizer, the batch size). ``objective`` False: that loss is not the objective (L2,
    BatchNorm or dropout), as its legend says; its best is not held to the initial objective.

    Diverged rates are crosses in the curve's colour in a "diverged" strip above the loss axes
    (no loss to draw), with a legend entry; each curve's best rate is circled and labelled
    inside the axes (above its point in the lower half, below it in the upper half, to its
    left near the right edge); the dashed line is the initial objective (none where it is not
    finite). The legend is right of the axes.
    """
    plt = base.pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    series = _series(epochs, trainer, objective)
    finite = [r[k] for r in rows for k, *_ in series if r.get(k) is not None]
    finite += [initial_loss] if initial_loss is not None else []  # (None: not finite)
    lo, hi = _log_limits(finite) if finite else (0.1, 10.0)
    lrs = [r["lr"] for r in rows]
    x_lo, x_hi = math.log10(min(lrs)), math.log10(max(lrs))
    base.log_scale(ax, "x", "step size / learning rate")
    base.log_scale(ax, "y", "loss")
    ax.set_ylim(lo, hi)
    best = [(r["lr"], r[k], c, k) for r in rows for k, _, c, m in series
            if m in r.get("best", "") and r.get(k) is not None]  # fmt: skip
    bad = _curves(ax, rows, series)
    if initial_loss is not None:
        ax.axhline(initial_loss, ls="--", color="gray", lw=1,
                   label=f"initial objective {number(initial_loss)}")  # fmt: skip
    if not finite:  # (every rate diverged from weights whose loss overflows: no loss scale)
        no_finite(ax)
    ax.grid(alpha=0.3, which="both")
    handles, _ = ax.get_legend_handles_labels()
    top = ax
    if bad:
        top, *crosses = _diverged_strip(ax, bad)
        handles += crosses
    taken: list[Any] = []  # (the labels placed: the next keeps off them)
    for lr, y, color, key in best:
        height = (math.log10(y) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        same = [y2 for lr2, y2, *_ in best if lr2 == lr and y2 != y]  # both curves' best:
        above = y > max(same) if same else height < 0.5  # the higher label above, the lower below
        right = x_hi > x_lo and (math.log10(lr) - x_lo) / (x_hi - x_lo) > 0.75
        alike = objective or key == "step_loss"  # (a loss to compare with the initial one)
        _label_best(ax, lr, y, color, above, right, alike and _rose(y, initial_loss), taken)
    base.legend_outside(ax, handles=handles)
    base.fitted_title(top, base.named(title, "step-size scan"))
    return fig
