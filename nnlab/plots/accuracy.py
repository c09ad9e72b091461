"""The accuracy axis of the figures of curves: limits that show the data. (Re-exported by
``plots.base``.)

An axis of 0..1.02 squashed digits' curves, 0.95 to 1 from epoch 2 on, into its top tenth.
Where every point lies above a floor (``FLOORS``: 0.5, 0.8, 0.9, 0.95), the axis starts there;
where nearly every point does (all but a tenth, ``BULK``) above 0.8, 0.9 or 0.95, it shows
that floor to 1 in the most of its height, 0 to the floor squeezed into its bottom fifth
(``BAND``) under a break mark, so that the points under it (the untrained net of epoch 0, at
chance) are still drawn where they are, 0 and the floor ticked. The axis label says which ("accuracy (from
0.9)", "accuracy (0 to 0.9 squeezed)"). Otherwise, 0..1.02 as before."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# each floor an axis may start from, and its ticks' step from there to 1
FLOORS = {0.95: 0.01, 0.9: 0.02, 0.8: 0.05, 0.5: 0.1}
BULK = 0.1  # the share of the points that may lie under the floor (squeezed under it)
SQUEEZE_FROM = 0.8  # the least floor that points may lie under
BAND = 0.2  # the share of the axis's height that 0 .. the floor takes, squeezed
HEAD = 0.02  # the room over 1, as a share of the range shown in full


def accuracy_values(axes: Sequence[Any]) -> list[float]:
    """The finite y values of the lines and points drawn on ``axes`` (in data coordinates)."""
    import numpy as np
    from matplotlib.collections import PathCollection

    values: list[Any] = []
    for ax in axes:
        for line in ax.get_lines():
            if line.get_transform() == ax.transData:
                values.append(np.asarray(line.get_ydata(), dtype=float))
        for points in ax.collections:
            if not isinstance(points, PathCollection):  # (scatter points; not a fill's)
                continue
            offsets: Any = np.ma.filled(np.ma.asarray(points.get_offsets(), dtype=float), np.nan)
            values.append(offsets.reshape(-1, 2)[:, 1])
    flat = np.concatenate(values) if values else np.empty(0)
    return [float(v) for v in flat[np.isfinite(flat)]]


def floor_of(values: list[float], bests: Sequence[float] = ()) -> float:
    """The highest of ``FLOORS`` that no value lies under, or, from ``SQUEEZE_FROM`` up, no
    more than ``BULK`` of ``values`` (0 if none: an axis from 0). Under 0.8 the squeeze gains
    little height and hides much: three overfitting runs, a third of the dropout run's epochs
    under 0.5, rose from chance in the bottom fifth. ``bests``: each panel's best value, of
    panels sharing the axis: none that reaches the least floor may lie under the floor (runs
    compare's 1-epoch run, 0.1 to 0.85 beside runs of 112 epochs over 0.95, was drawn whole
    in the squeezed fifth); a panel all under it (at chance: diverged) is drawn there."""
    least = min(FLOORS)
    for floor in FLOORS:
        under = sum(v < floor for v in values)
        if any(least <= best < floor for best in bests):
            continue
        if values and (not under or floor >= SQUEEZE_FROM and under <= BULK * len(values)):
            return floor
    return 0.0


def panel_bests(axes: Sequence[Any]) -> list[float]:
    """The best accuracy drawn on each of ``axes`` that has one (``accuracy_values``)."""
    return [max(v) for v in (accuracy_values([ax]) for ax in axes) if v]


def accuracy_axis(axes: Sequence[Any]) -> float:
    """Limits, ticks and label of the accuracy axis ``axes`` share (one axes, or panels that
    share y), from what is drawn on them (``accuracy_values``): the floor it shows from
    (module docstring; each panel's best point above it, ``floor_of``), 0 for the whole
    0..1.02. Each axes' y label (if any) says a floor."""
    values = accuracy_values(axes)
    floor = floor_of(values, panel_bests(axes))
    if floor == 0:
        axes[0].set_ylim(-foot(values), 1.02)
        return floor
    squeezed = min(values) < floor
    show_floor(axes[0], floor, squeezed, foot=foot(values))
    for ax in axes:
        mark_floor(ax, floor, squeezed)
    return floor


def foot(values: Sequence[float]) -> float:
    """The room an axis from 0 leaves under 0: ``HEAD``, as over 1, where an accuracy of 0 is
    drawn (a net whose outputs overflowed, NaN: its curves ran along the bottom edge, under
    the axes' frame, a panel seemingly empty but for its legend), else none (0 at the edge)."""
    return HEAD if values and min(values) <= 0 else 0.0


def show_floor(ax: Any, floor: float, squeezed: bool, numbered: bool = True,
               foot: float = 0.0) -> list[float]:  # fmt: skip
    """``ax``'s y axis from ``floor`` (above 0) to 1, 0 to it squeezed under it where
    ``squeezed`` (``foot`` under 0: ``foot``): its scale, limits and ticks (none where not
    ``numbered``: an inner panel of a grid). Returns the ticks' values (for grid lines drawn
    without ticks)."""
    if squeezed:
        _squeeze(ax, floor)
    step = FLOORS[floor]
    ticks = [round(floor + i * step, 2) for i in range(round((1 - floor) / step) + 1)]
    ticks = [0.0, *ticks] if squeezed else ticks
    ax.set_yticks(ticks if numbered else [])
    bottom = -foot * floor / BAND if squeezed else floor - HEAD * (1 - floor)  # (the foot:
    ax.set_ylim(bottom, 1 + HEAD * (1 - floor))  # as high as over 0..1.02, in the squeezed band)
    return ticks


def mark_floor(ax: Any, floor: float, squeezed: bool) -> None:
    """``ax``'s y label (if any) says where its axis starts ("accuracy (from 0.9)", "(0 to
    0.9 squeezed)"), and a squeezed axis has its break mark at ``floor``."""
    note = f"(0 to {floor:g} squeezed)" if squeezed else f"(from {floor:g})"
    label = ax.get_ylabel()
    if label:
        ax.set_ylabel(f"{label} {note}")
    if squeezed:
        _break_mark(ax, floor)


def _squeeze(ax: Any, floor: float) -> None:
    """``ax``'s y axis linear in two pieces: 0 .. ``floor`` in its bottom ``BAND``, ``floor``
    up in the rest; no minor ticks."""
    import numpy as np
    from matplotlib.ticker import NullLocator

    def forward(y: Any) -> Any:
        y = np.asarray(y, dtype=float)
        return np.where(y < floor, y / floor * BAND, BAND + (y - floor) / (1 - floor) * (1 - BAND))

    def inverse(t: Any) -> Any:
        t = np.asarray(t, dtype=float)
        return np.where(t < BAND, t / BAND * floor, floor + (t - BAND) / (1 - BAND) * (1 - floor))

    ax.set_yscale("function", functions=(forward, inverse))
    ax.yaxis.set_minor_locator(NullLocator())


def _break_mark(ax: Any, floor: float) -> None:
    """Two short slanted strokes across ``ax``'s left edge (right, where its axis is) at
    ``floor``: the scale changes there (as a broken axis is drawn)."""
    stroke = [(-1, -0.5), (1, 0.5)]
    from matplotlib.transforms import offset_copy

    edge = 1 if ax.yaxis.get_label_position() == "right" else 0  # (a twin's axis: the right)
    for dy in (-3.0, 3.0):  # (points apart, across the edge)
        where = offset_copy(ax.get_yaxis_transform(), fig=ax.get_figure(), y=dy, units="points")
        ax.plot([edge], [floor], marker=stroke, markersize=8, color="black", mew=1, ls="none",
                transform=where, clip_on=False, zorder=5)  # fmt: skip


STRIP = 0.08  # the centre of the strip under an axis, below its bottom, in shares of its height
STRIP_HALF = 0.05  # half the strip's height, likewise


def strip_under(ax: Any, colour: str, label: str = "diverged") -> Callable[[float], float]:
    """A strip under ``ax``'s y range (set before), shaded in ``colour`` and ticked ``label``
    beside the ticks in the range, for what has no value to draw there (a diverged trial's
    cross). Returns the y (data) at an offset from the strip's centre, in shares of the
    axis's height (within ``STRIP_HALF``). Measured on the axis's scale, so that a squeezed
    accuracy axis (``show_floor``) has a strip as high as a linear one's."""
    import numpy as np

    lo, hi = ax.get_ylim()
    scale = ax.yaxis.get_transform()
    t_lo, t_hi = (float(t) for t in scale.transform(np.array([lo, hi], dtype=float)))

    def at(offset: float) -> float:
        t = t_lo - (STRIP - offset) * (t_hi - t_lo)
        return float(scale.inverted().transform(np.array([t]))[0])

    ax.axhspan(at(-STRIP_HALF), at(STRIP_HALF), color=colour, alpha=0.07, lw=0)
    ticks = [t for t in ax.get_yticks() if lo <= t <= hi]
    ax.set_yticks([at(0), *ticks], [label, *(f"{t:g}" for t in ticks)])
    ax.set_ylim(at(-STRIP_HALF), hi)
    return at
