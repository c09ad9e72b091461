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

from collections.abc import Sequence
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


def floor_of(values: list[float]) -> float:
    """The highest of ``FLOORS`` that no value lies under, or, from ``SQUEEZE_FROM`` up, no
    more than ``BULK`` of ``values`` (0 if none: an axis from 0). Under 0.8 the squeeze gains
    little height and hides much: three overfitting runs, a third of the dropout run's epochs
    under 0.5, rose from chance in the bottom fifth."""
    for floor in FLOORS:
        under = sum(v < floor for v in values)
        if values and (not under or floor >= SQUEEZE_FROM and under <= BULK * len(values)):
            return floor
    return 0.0


def accuracy_axis(axes: Sequence[Any]) -> float:
    """Limits, ticks and label of the accuracy axis ``axes`` share (one axes, or panels that
    share y), from what is drawn on them (``accuracy_values``): the floor it shows from
    (module docstring), 0 for the whole 0..1.02. Each axes' y label (if any) says a floor."""
    values = accuracy_values(axes)
    floor = floor_of(values)
    top = 1 + HEAD * (1 - floor)
    first = axes[0]
    if floor == 0:
        first.set_ylim(0, 1.02)
        return floor
    squeezed = min(values) < floor
    if squeezed:
        _squeeze(first, floor)
    step = FLOORS[floor]
    ticks = [round(floor + i * step, 2) for i in range(round((1 - floor) / step) + 1)]
    first.set_yticks([0.0, *ticks] if squeezed else ticks)
    first.set_ylim(0 if squeezed else floor - HEAD * (1 - floor), top)
    note = f"(0 to {floor:g} squeezed)" if squeezed else f"(from {floor:g})"
    for ax in axes:
        label = ax.get_ylabel()
        if label:
            ax.set_ylabel(f"{label} {note}")
        if squeezed:
            _break_mark(ax, floor)
    return floor


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
    """Two short slanted strokes across ``ax``'s left edge at ``floor``: the scale changes
    there (as a broken axis is drawn)."""
    stroke = [(-1, -0.5), (1, 0.5)]
    from matplotlib.transforms import offset_copy

    for dy in (-3.0, 3.0):  # (points apart, across the edge)
        where = offset_copy(ax.get_yaxis_transform(), fig=ax.get_figure(), y=dy, units="points")
        ax.plot([0], [floor], marker=stroke, markersize=8, color="black", mew=1, ls="none",
                transform=where, clip_on=False, zorder=5)  # fmt: skip
