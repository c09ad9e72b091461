"""Reading a drawn matplotlib Figure back: where its data, legends and texts are, in display
coordinates (pixels), so tests can say "no legend over data" or "the title overlaps nothing".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.contour import ContourSet
from matplotlib.transforms import Bbox


def render(fig: Any) -> Any:
    """Draw ``fig`` (text extents and legend positions exist only after a draw)."""
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _densify(xy: np.ndarray, per_segment: int = 12) -> np.ndarray:
    """Points along each segment of a polyline (segments with a NaN end are gaps)."""
    if len(xy) < 2:
        return xy
    t = np.linspace(0.0, 1.0, per_segment)[None, :, None]
    pts = xy[:-1, None, :] + t * (xy[1:, None, :] - xy[:-1, None, :])
    return np.concatenate([pts.reshape(-1, 2), xy[-1:]])


def _area(bbox: Bbox, n: int = 25) -> np.ndarray:
    xs, ys = np.meshgrid(np.linspace(bbox.x0, bbox.x1, n), np.linspace(bbox.y0, bbox.y1, n))
    return np.column_stack([xs.ravel(), ys.ravel()])


def data_points(ax: Any) -> np.ndarray:
    """Every drawn data point of ``ax`` in pixels, lines sampled along their segments: line
    vertices (markers included), scatter points, filled polygons' outlines; a filled contour
    counts as data over the whole axes. Points outside the axes (clipped, not drawn) are left
    out."""
    found = [np.empty((0, 2))]
    for line in ax.get_lines():
        if line.get_visible() and len(line.get_xydata()):
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            found.append(_densify(xy) if line.get_linestyle() not in ("None", "none", "") else xy)
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, ContourSet):
            if coll.filled:
                found.append(_area(ax.get_window_extent()))
            else:
                found += [
                    _densify(coll.get_transform().transform(p.vertices)) for p in coll.get_paths()
                ]
        elif isinstance(coll, PathCollection) and len(coll.get_offsets()):
            found.append(coll.get_offset_transform().transform(np.asarray(coll.get_offsets())))
        elif isinstance(coll, PolyCollection):
            found += [
                _densify(coll.get_transform().transform(p.vertices)) for p in coll.get_paths()
            ]
    pts = np.concatenate(found)
    pts = pts[np.isfinite(pts).all(axis=1)]
    box = ax.get_window_extent()
    inside = (pts[:, 0] >= box.x0 - 0.5) & (pts[:, 0] <= box.x1 + 0.5)
    inside &= (pts[:, 1] >= box.y0 - 0.5) & (pts[:, 1] <= box.y1 + 0.5)
    return pts[inside]


def legends(fig: Any) -> list[Any]:
    """Every legend: the axes' and the figure's own."""
    return [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)


def legend_over_data(fig: Any) -> list[str]:
    """One line per (legend, axes) pair where a data point of the axes lies inside the legend's
    frame; empty when no legend covers data."""
    render(fig)
    bad = []
    for legend in legends(fig):
        box = legend.get_window_extent()
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            pts = data_points(ax)
            hit = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1)
            hit &= (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
            if hit.any():
                names = [t.get_text() for t in legend.get_texts()][:2]
                bad.append(f"legend {names} covers {int(hit.sum())} points of '{ax.get_title()}'")
    return bad


def texts(fig: Any) -> list[Any]:
    """Every visible, non-empty text of the figure: titles, axis and tick labels, annotations,
    legend texts, colorbar labels."""
    return [
        t
        for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent"))
        if t.get_visible() and t.get_text().strip()
    ]


def extent(artist: Any) -> Bbox:
    return artist.get_window_extent()


def overlaps(a: Bbox, b: Bbox, slack: float = 0.5) -> bool:
    """True when the two boxes share more than ``slack`` pixels in both directions."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > slack and min(a.y1, b.y1) - max(a.y0, b.y0) > slack


def tick_labels(ax: Any) -> list[Any]:
    return [
        t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_visible() and t.get_text()
    ]


def outside_figure(fig: Any) -> list[str]:
    """The sides (left, bottom, right, top) past which something drawn reaches (cut off in a
    file saved without the tight crop): empty when everything fits. Read from matplotlib's
    own tight box of the drawn artists (ticks outside the view are not drawn, not counted)."""
    box = fig.get_tightbbox(render(fig))  # inches
    width, height = fig.get_size_inches()
    over = {
        "left": box.x0 < 0,
        "bottom": box.y0 < 0,
        "right": box.x1 > width,
        "top": box.y1 > height,
    }
    return [side for side, past in over.items() if past]


def drawn_texts(fig: Any) -> list[tuple[Any, Bbox]]:
    """(text, its extent in pixels) of every non-blank text a draw of ``fig`` draws: tick
    labels within the view (not the ticks matplotlib keeps but leaves undrawn), axis labels,
    titles, the suptitle, legend texts, annotations (those whose point is shown), colour-bar
    labels. Read by wrapping ``Text.draw`` for the one draw, so that what counts is what the
    PNG shows."""
    from matplotlib.text import Text

    found: list[tuple[Any, Bbox]] = []
    original = Text.draw

    def draw(self: Any, renderer: Any) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            found.append((self, self.get_window_extent(renderer)))

    Text.draw = draw  # type: ignore[method-assign]
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original  # type: ignore[method-assign]
    return found


def canvas_box(fig: Any, tight: bool) -> Bbox:
    """The part of ``fig`` its PNG shows, in pixels: the figure, or, saved with the tight crop
    (``plots.save``'s default), the box of what is drawn and its pad (drawn first)."""
    if not tight:
        return fig.bbox
    import matplotlib as mpl

    pad = mpl.rcParams["savefig.pad_inches"]
    pad = 0.1 if pad == "layout" else float(pad)
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(pad)
    return Bbox(box.get_points() * fig.dpi)


def text_defects(fig: Any, tight: bool = True, slack: float = 0.5) -> list[str]:
    """One line per pair of drawn texts that overlap each other (by more than ``slack``
    pixels both ways), and per drawn text that reaches past the canvas its PNG shows
    (``canvas_box``); empty for a clean figure. The same text drawn twice at the same place
    (matplotlib stacking one over itself) is one."""
    shown = drawn_texts(fig)
    box = canvas_box(fig, tight)
    bad = []
    for i, (a, ea) in enumerate(shown):
        for b, eb in shown[i + 1 :]:
            same = a.get_text() == b.get_text() and np.allclose(ea.bounds, eb.bounds)
            if not same and overlaps(ea, eb, slack):
                bad.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
        outside = (
            ea.x0 < box.x0 - slack
            or ea.y0 < box.y0 - slack
            or ea.x1 > box.x1 + slack
            or ea.y1 > box.y1 + slack
        )
        if outside:
            where = [round(float(v)) for v in (*ea.p0, *ea.p1)]
            bad.append(
                f"{a.get_text()!r} at {where} reaches past {round(box.width)}x{round(box.height)}"
            )
    return bad
