"""How a curve of per-epoch records ends: read up to a divergence, a red cross where a net
diverged, and a mark where a run FAILED or was INTERRUPTED short of its epochs (a line that
only stopped read as a run of fewer epochs). (Re-exported by ``plots.base``.)"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from nnlab import palette


def curve(records: list[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    """(epochs, values) of ``key``; a missing or None value is NaN (a gap in the line)."""
    epochs = [r["epoch"] for r in records]
    return epochs, [float("nan") if r.get(key) is None else r[key] for r in records]


def diverged_epoch(
    records: list[dict[str, Any]], status: str | None, recorded: Any = None
) -> int | None:
    """The epoch at which a run diverged, as its status and summary say (``nnlab.summary``'s
    rule; ``recorded``: its summary's ``diverged_epoch``): None unless ``status`` is DIVERGED,
    never guessed from a missing loss (a COMPLETED run's evaluation may overflow at an epoch)."""
    from nnlab.summary import diverged_epoch as rule

    return rule(status, records, recorded)


def until_divergence(
    records: list[dict[str, Any]], key: str, status: str | None, recorded: Any = None
) -> tuple[list[int], list[float], int | None]:
    """(epochs, values, diverged epoch or None): ``key`` per epoch up to the last record before
    the epoch a run of ``status`` diverged in (``diverged_epoch``). The records from the
    divergence on are left out: the accuracy of a net whose outputs are NaN (0: a NaN score
    predicts no class) is not a result."""
    at = diverged_epoch(records, status, recorded)
    kept = records if at is None else [r for r in records if r["epoch"] < at]
    epochs, values = curve(kept, key)
    return epochs, values, at


def last_finite(values: list[float], default: float = 0.0) -> float:
    """The last finite entry of ``values`` (``default`` if there is none)."""
    return next((v for v in reversed(values) if math.isfinite(v)), default)


DIVERGED_STYLE: dict[str, Any] = {
    "marker": "x", "color": palette.DIVERGED, "markersize": 8, "markeredgewidth": 2, "linestyle": "none",
}  # fmt: skip


def diverged_handle(label: str = "diverged") -> Any:
    """A legend entry for the diverged marker."""
    from matplotlib.lines import Line2D

    return Line2D([], [], label=label, **DIVERGED_STYLE)


def mark_diverged(
    ax: Any, epochs: list[int], values: list[float], at: int, color: str, rising: bool = False,
    like: Any = None,
) -> None:  # fmt: skip
    """Where a curve stops because its net diverged at epoch ``at``: the marker at that epoch,
    joined to the curve's last finite point by a stub in the curve's ``color`` (a curve of one
    point would otherwise not show). An accuracy's marker sits at that point's height (the
    accuracies after it are no results); a loss's (``rising``: it went to infinity) at the top
    edge of the axes, its stub rising to it, not level as if the loss had stayed there. A
    curve with no finite point gets the marker alone; one of a single point (a net that
    diverged in its first epoch) a dot there, in its colour: a line of one point is not drawn.
    ``like``: the curve's line, whose line style, width, marker and alpha the stub and the
    dot keep (a dotted stub, drawn for every curve, hid which of a sweep's trials it was, the
    dashed one or the solid one of its colour, in grey print too; and read as the dotted
    trial's); without it, a dotted stub."""
    look = _look(like)
    marker, size = look.pop("marker", "."), look.pop("markersize", 7)
    y = last_finite(values)
    x0 = next((e for e, v in zip(reversed(epochs), reversed(values)) if math.isfinite(v)), None)
    if sum(math.isfinite(v) for v in values) == 1:
        ax.plot([x0], [y], marker=marker, markersize=size, color=color, linestyle="none",
                alpha=look.get("alpha"))  # fmt: skip
    if x0 is None:  # (no finite point before it, e.g. a net that diverged at epoch 0: no stub
        top = ax.get_xaxis_transform() if rising else ax.transData  # from a made-up level)
        ax.plot([at], [1 if rising else y], transform=top, clip_on=False, zorder=4,
                **DIVERGED_STYLE)  # fmt: skip
        return
    if not rising:
        ax.plot([x0, at], [y, y], color=color, **look)
        ax.plot([at], [y], zorder=4, **DIVERGED_STYLE)
        return
    top = ax.get_xaxis_transform()  # (x in data, y in axes: 1 is the top edge, whatever the limits)
    stub = ax.annotate("", xy=(at, 1), xycoords=top, xytext=(x0, y),
                       textcoords=_inside(ax, at, x0, y),
                       arrowprops={"arrowstyle": "-", "color": color, "shrinkA": 0, "shrinkB": 0,
                                   **look})  # fmt: skip
    stub.arrow_patch.set_clip_box(ax.bbox)  # (a last loss above the limits: the stub from it
    stub.arrow_patch.set_clip_on(True)  # ran up through the title; inside the axes only)
    ax.plot([at], [1], transform=top, clip_on=False, zorder=4, **DIVERGED_STYLE)


def _look(line: Any) -> dict[str, Any]:
    """A curve's look for its stub (``mark_diverged``): its line style and width, its alpha,
    and its marker where it has one (for the dot of a curve of one point); a dotted stub of
    width 1.2 without a line."""
    if line is None:
        return {"ls": ":", "lw": 1.2}
    look: dict[str, Any] = {"ls": line.get_linestyle(), "lw": line.get_linewidth()}
    if line.get_alpha() is not None:
        look["alpha"] = line.get_alpha()
    if line.get_marker() not in (None, "None", "", " "):
        look.update(marker=line.get_marker(), markersize=line.get_markersize())
    return look


def _inside(ax: Any, at: float, x0: float, y: float) -> Callable[[Any], Any]:
    """Where a rising stub from (``x0``, ``y``) to the top edge at ``at`` starts, decided as
    the figure is drawn (the limits are set after the marks): at that point, or, where it lies
    outside the axes, where the stub enters them (at the cross itself when it is above the
    top: the stub is all outside). A start far outside made a dotted path as long, which Agg
    dashes point by point before any clip: a last loss of 1e9 above limits of 2 never drew."""

    def start(renderer: Any) -> Any:
        from matplotlib.transforms import Affine2D

        px, py = ax.transData.transform((x0, y))
        ex, ey = ax.transData.transform((at, 0))[0], ax.bbox.y1
        if not (math.isfinite(px) and math.isfinite(py)) or py >= ey:
            px, py = ex, ey
        elif py < ax.bbox.y0:  # (below the bottom: where the line from it crosses the bottom)
            t = (ax.bbox.y0 - py) / (ey - py)
            px, py = px + t * (ex - px), ax.bbox.y0
        return Affine2D().scale(0).translate(px, py)  # (every point to the start)

    return start


STOPPED: dict[str, tuple[str, dict[str, Any]]] = {  # status -> (word, marker style)
    "FAILED": ("failed", {"marker": "s", "color": "black", "markerfacecolor": "white",
                          "markersize": 7, "markeredgewidth": 1.5, "linestyle": "none"}),
    "INTERRUPTED": ("interrupted", {"marker": "D", "color": "0.35", "markerfacecolor": "white",
                                    "markersize": 6, "markeredgewidth": 1.5, "linestyle": "none"}),
}  # fmt: skip


def stopped(status: str | None) -> str | None:
    """The word for a run of ``status`` that ended short of its epochs ("failed",
    "interrupted"); None for any other status (COMPLETED, DIVERGED: the cross says it)."""
    return STOPPED[status][0] if status in STOPPED else None


def mark_stopped(ax: Any, epochs: list[int], values: list[float], status: str | None) -> bool:
    """Where the curve of a run that FAILED or was INTERRUPTED ends: a hollow square (failed)
    or diamond (interrupted) at its last finite point, over the line; True if marked. Nothing
    for other statuses, or a curve with no finite point."""
    if status not in STOPPED:
        return False
    end = next(((e, v) for e, v in zip(reversed(epochs), reversed(values)) if math.isfinite(v)),
               None)  # fmt: skip
    if end is None:
        return False
    ax.plot([end[0]], [end[1]], zorder=4, clip_on=False, **STOPPED[status][1])
    return True


def stopped_handles(counts: dict[str, int], noun: str = "") -> list[Any]:
    """Legend entries for the marks ``mark_stopped`` drew: ``counts`` maps a status to how many
    runs of it are marked; "failed: the curve ends there (2 trials)" with ``noun`` "trial"."""
    from matplotlib.lines import Line2D

    from nnlab.output import counted

    handles = []
    for status, n in counts.items():
        if n and status in STOPPED:
            word, style = STOPPED[status]
            label = f"{word}: the curve ends there" + (f" ({counted(n, noun)})" if noun else "")
            handles.append(Line2D([], [], label=label, **style))
    return handles
