"""A canvas's pixels rendered ahead: the part of a figure that needs no results (``base.Canvas``
with ``backdrop``) drawn into Agg's buffer while a job runs and kept, so that the figure's save
at the end draws only what the results added over a copy of them, not the whole figure again.

What is rendered ahead: the figure's background, each axes' background, its axes (ticks, tick
labels, axis labels) and the artists the canvas drew itself (grid lines); what is drawn at the
save: everything added since (curves, marks, titles, legends) and the spines, which matplotlib
draws over the data. The order of the drawing is matplotlib's, but for the axes: drawn under the
data rather than over it, the same pixels where they do not meet it (ticks point out of the
axes, where the data is clipped). The PNG is then the one ``savefig`` writes, byte for byte
(the tests compare them).

The pixels are used only where the figure still has the layout they were drawn for
(``layout``: its size, each axes' place, limits, scales, ticks and labels); a figure that grew
(a title that wraps makes room above the panels) or changed an axis is drawn whole, as without
a backdrop. A figure built on such a canvas adds artists; it must not restyle the canvas's own.

The weight-scale grid's save took 0.17-0.19 s of CPU, 0.085 s of it its empty panels; over its
backdrop, its curves, spines, titles and legend take ~0.03 s (docs/performance.md, the
twenty-sixth session).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

from nnlab.plots.axes import plain_numbers

KEPT = "_nnlab_backdrop"  # the attribute of a Figure that holds its ``Backdrop``


@dataclass(frozen=True)
class Backdrop:
    """A figure's pixels drawn ahead at ``dpi`` (an Agg ``BufferRegion``), the artists they
    hold (not drawn again over them) and the ``layout`` they were drawn for."""

    pixels: Any
    held: tuple[Any, ...]
    dpi: float
    layout: tuple[Any, ...]


def layout(fig: Any) -> tuple[Any, ...]:
    """What a backdrop's pixels show of ``fig`` beyond its artists' own style: its size, and
    for each axes whether it shows, its place, limits, scales, ticks, tick labels and axis
    labels."""

    def axis(ax: Any, name: str) -> tuple[Any, ...]:
        axis = getattr(ax, f"{name}axis")
        ticks = list(axis.get_majorticklocs())
        labels = axis.get_major_formatter().format_ticks(ticks)
        minor = list(axis.get_minorticklocs())
        return (getattr(ax, f"get_{name}lim")(), axis.get_scale(), ticks, labels, minor,
                axis.get_label_text(), axis.get_visible())  # fmt: skip

    return (
        tuple(fig.get_size_inches()),
        [
            (ax.get_visible(), ax.get_position().bounds, axis(ax, "x"), axis(ax, "y"))
            for ax in fig.axes
        ],
    )


def render(fig: Any, dpi: float) -> None:
    """Draw ``fig``'s backdrop now, at ``dpi`` (the save's), and keep it on the figure.

    Its linear axes are ticked as ``base.save`` ticks them first (``plain_numbers``); its
    spines are left out (drawn at the save, over the data)."""
    plain_numbers(fig)
    held = [fig.patch, *fig.texts, *fig.legends, *fig.lines, *fig.patches, *fig.images]
    for ax in fig.axes:
        held += [ax.patch, ax.xaxis, ax.yaxis, *ax.lines, *ax.collections, *ax.patches]
        held += [*ax.texts, *ax.images]
    spines = [s for ax in fig.axes for s in ax.spines.values() if s.get_visible()]
    before = fig.dpi
    try:
        for spine in spines:
            spine.set_visible(False)
        fig.dpi = dpi
        fig.canvas.draw()
        pixels = fig.canvas.copy_from_bbox(fig.bbox)
        kept = Backdrop(pixels, tuple(held), dpi, layout(fig))
    finally:
        fig.dpi = before
        for spine in spines:
            spine.set_visible(True)
    setattr(fig, KEPT, kept)


def usable(fig: Any, dpi: float) -> Backdrop | None:
    """``fig``'s backdrop if it has one drawn at ``dpi`` for the layout it still has."""
    kept: Backdrop | None = getattr(fig, KEPT, None)
    if kept is None or kept.dpi != dpi or kept.layout != layout(fig):
        return None
    return kept


def save_over(fig: Any, kept: Backdrop, f: BinaryIO) -> None:
    """Write ``fig`` to ``f`` as PNG: ``kept``'s pixels, and over them everything else of
    ``fig`` that shows, in matplotlib's order (the PNG ``fig.savefig(f, format="png",
    dpi=kept.dpi)`` writes)."""
    import matplotlib.image as mimage

    shown = [a for a in kept.held if a.get_visible()]
    before = fig.dpi
    try:
        fig.dpi = kept.dpi
        renderer = fig.canvas.get_renderer()  # (one of the figure's size at this dpi)
        renderer.restore_region(kept.pixels)
        for artist in shown:
            artist.set_visible(False)
        fig.draw(renderer)
        mimage.imsave(f, fig.canvas.buffer_rgba(), format="png", origin="upper", dpi=kept.dpi)
    finally:
        fig.dpi = before
        for artist in shown:
            artist.set_visible(True)
