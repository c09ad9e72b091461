"""The weight-scale sweep (DLFS 6.3.2, figure 6-19): a grid of accuracy curves per init scale,
BatchNorm against the plain net, and final accuracy against the scale.

A net that diverged has no accuracy from the epoch it diverged on (its outputs are NaN, and a
NaN score predicts no class: accuracy 0): its curve stops at a red cross, the
panel's title says so, and the summary shows it in a "diverged" strip below the accuracy axis
instead of as a final accuracy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnlab import palette
from nnlab.output import config_number
from nnlab.plots import base
from nnlab.plots.accuracy import (
    accuracy_values,
    floor_of,
    foot,
    mark_floor,
    panel_bests,
    show_floor,
    strip_under,
)

NETS = (
    ("bn", "BatchNorm", "-", palette.SERIES[0]),
    ("plain", "no BatchNorm", "--", palette.SERIES[1]),
)
SHORT = {"bn": "BN", "plain": "no BN"}
TITLE_LINE = base.fonts.line_inches(base.fonts.TITLE_PT)  # inches a line of a panel's title takes
SUPTITLE_LINE = base.fonts.line_inches(base.fonts.SUPTITLE_PT)  # and of the figure's title


def _epoch_ticks(last: int) -> list[int]:
    """About five round epoch numbers from 0 to ``last``."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if last / s <= 6)
    step = step if last / step <= 6 else -(-last // 5)
    return list(range(0, last + 1, step))


def _grid_panel(ax: Any, panel: dict[str, Any], key: str) -> list[tuple[str, str]]:
    """One scale's curves; returns (status, note) per net whose curve ends at a mark: DIVERGED
    ("no BN diverged, epoch 1"), FAILED or INTERRUPTED ("BN failed after epoch 3")."""
    notes = []
    for net, label, style, color in NETS:
        if not panel[net]:
            continue
        epochs, values, at = base.until_divergence(
            panel[net], key, panel.get(f"{net}_status"), panel.get(f"{net}_diverged_epoch")
        )
        (line,) = ax.plot(epochs, values, style, color=color, lw=1.5, label=label)
        status = panel.get(f"{net}_status")
        if at is not None:
            base.mark_diverged(ax, epochs, values, at, color, like=line)
            notes.append(("DIVERGED", f"{SHORT[net]} diverged, epoch {at}"))
        elif status is not None and base.mark_stopped(ax, epochs, values, status):
            notes.append((status, f"{SHORT[net]} {base.stopped(status)} after epoch {epochs[-1]}"))
    return notes


def weight_scale_grid_figure(panels: list[dict[str, Any]], key: str, title: str = "") -> Any:
    """DLFS figure 6-19: one panel per weight scale, ``key`` (accuracy) per epoch, BatchNorm
    solid and the plain net dashed. ``panels``: [{"scale", "bn": records, "plain": records,
    "bn_status", "plain_status"}] (statuses optional: without them divergence is read from the
    records, a trained epoch whose loss is missing). The legend sits above the panels.

    The panels' axes are ``weight_scale_grid_canvas``'s (which a sweep's painter builds while
    the trials run): only the curves, the panels' titles and the legend depend on the results.
    """
    epochs = [r["epoch"] for p in panels for k in ("bn", "plain") for r in p[k]]
    last = max([1, *epochs])
    fig = base.canvas(weight_scale_grid_canvas, len(panels), last, key)
    notes_seen: list[tuple[str, str]] = []
    lines = 1
    for ax, panel in zip(fig.axes, panels):  # (the axes in order; any beyond: hidden)
        notes = _grid_panel(ax, panel, key)
        notes_seen += notes
        head = _panel_head(fig, ax, panel["scale"], "; ".join(note for _, note in notes))
        ax.set_title(head, color=palette.DIVERGED if notes else "black")
        lines = max(lines, head.count("\n") + 1)
    _shared_accuracy([ax for ax in fig.axes if ax.get_visible()][: len(panels)])
    _room_for_titles(fig, -(-len(panels) // 4), lines - 1)
    _grid_legend(fig, title, {end: 1 for end, _ in notes_seen})
    return fig


def _shared_accuracy(axes: list[Any], ncols: int = 4) -> None:
    """The panels' one accuracy axis by the curves' rule (``accuracy.floor_of``) over every
    panel's points, so that they still compare: from the floor (0 .. it squeezed under it
    where a few points are), numbered, labelled and break-marked in the left column; each
    panel's grid lines moved to its ticks. (Every panel was 0..1.02: digits' BatchNorm nets,
    0.95 to 1 from epoch 7, ran along the top edge.) Where the points set no floor, the
    canvas's 0..1.02 stays (room under 0 where an accuracy of 0 is drawn: ``accuracy.foot``)."""
    values = accuracy_values(axes)
    floor = floor_of(values, panel_bests(axes))
    if not floor:
        for ax in axes if foot(values) else []:  # (an accuracy of 0 drawn: room under it)
            ax.set_ylim(-foot(values), 1.02)
        return
    squeezed = min(values) < floor
    for i, ax in enumerate(axes):
        ticks = show_floor(ax, floor, squeezed, numbered=i % ncols == 0, foot=foot(values))
        for lines in ax.collections:
            if lines.get_gid() == "grid y":
                lines.set_segments([[(0, y), (1, y)] for y in ticks])
        if i % ncols == 0:
            mark_floor(ax, floor, squeezed)


def _panel_head(fig: Any, ax: Any, scale: float, said: str) -> str:
    """A panel's title: its scale, and what ``said`` of its nets' ends, on one line where
    they fit in the panel's width at the size it is drawn in (``fonts.TITLE_PT``), else the
    notes in lines of their own under the scale. (Measured at 9 points, drawn at 10, a line
    could run a tenth past its panel; and broken at its ': ', the scale took a line apart
    from its 'W:'.)"""
    head = f"W: {config_number(scale)}"
    if not said:
        return head
    width = ax.get_position().width * fig.get_figwidth()
    one = base.fit_lines(fig, f"{head}  ({said})", width, base.fonts.TITLE_PT)
    if "\n" not in one:
        return one
    return f"{head}\n{base.fit_lines(fig, f'({said})', width, base.fonts.TITLE_PT)}"


def _room_for_titles(fig: Any, nrows: int, extra: int) -> None:
    """``extra`` lines more of panel titles than the canvas has room for (one): as much more
    height above each row, the panels keeping their size (``weight_scale_grid_canvas``'s
    margins, in inches)."""
    if extra <= 0:
        return
    grow = extra * TITLE_LINE
    sub = fig.subplotpars
    height = fig.get_figheight()
    axes = (sub.top - sub.bottom) * height / (nrows + (nrows - 1) * sub.hspace)  # inches
    gap, top = sub.hspace * axes, (1 - sub.top) * height
    height += nrows * grow
    fig.set_figheight(height)
    fig.subplots_adjust(top=1 - (top + grow) / height, bottom=sub.bottom * (height - nrows * grow) / height,
                        hspace=(gap + grow) / axes)  # fmt: skip


def weight_scale_grid_canvas(n_panels: int, last: int, key: str) -> Any:
    """The grid's axes for ``n_panels`` panels of ``key`` over epochs 0..``last``, no data:
    four to a row, every panel with the same axes (epochs and accuracy 0..1), numbered on the
    outer panels only: the left column's accuracy, and the epochs of a panel with none below
    it. The inner panels carry only grid lines, one artist per direction (``base.grid_lines``):
    a matplotlib tick costs five artists, and 16 panels of them were most of the drawing time.
    Margins are fixed, in inches (tight_layout on 16 panels costs more than drawing them)."""
    plt = base.pyplot()
    ncols = 4
    nrows = max(1, -(-n_panels // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(12, 2.6 * nrows + 0.3), squeeze=False)
    xticks, yticks = _epoch_ticks(last), [0, 0.25, 0.5, 0.75, 1]
    for i, ax in enumerate(axes.flat):
        if i >= n_panels:
            ax.set_visible(False)
            continue
        ax.set(xlim=(-0.05 * last, 1.05 * last), ylim=(0, 1.02))
        base.grid_lines(ax, xticks, yticks)
        ax.set_xticks(xticks if i + ncols >= n_panels else [])  # (numbered: no panel below)
        ax.set_yticks(yticks if i % ncols == 0 else [])
        if i % ncols == 0:
            ax.set_ylabel(key.replace("_", " "))
        if i + ncols >= n_panels:
            ax.set_xlabel("epoch")
    inch = 1 / fig.get_figheight()
    fig.subplots_adjust(
        left=0.06, right=0.99, bottom=0.5 * inch, top=1 - 0.95 * inch, wspace=0.06, hspace=0.3
    )
    return fig


def _grid_legend(fig: Any, title: str, ends: dict[str, int]) -> None:
    """Title, then the legend in one row under it, above the panels (``weight_scale_grid_canvas``'s
    margins: room for a title of one line). The title is fitted to the figure's width
    (``base.fitted_suptitle``: a sweep id of a long name ran off both edges, there being no
    tight crop), each line past the first as much more room above the panels (its second,
    the run id's and what the grid shows, at ``fonts.SUPTITLE_PT`` met the legend)."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], ls=s, color=c, lw=1.5, label=lb) for _, lb, s, c in NETS]
    if "DIVERGED" in ends:
        handles.append(base.diverged_handle("diverged: the curve stops (no accuracy after)"))
    handles += base.stopped_handles(ends)  # (failed, interrupted: where the curve ends)
    below = 0.34  # inches from the top to the legend's top
    if title:
        text = base.fitted_suptitle(fig, title, va="top")
        grow = text.get_text().count("\n") * SUPTITLE_LINE  # (its lines past the first)
        _room_above(fig, grow)
        text.set_y(1 - 0.08 / fig.get_figheight())
        below += grow
    fig.legend(handles=handles, loc="upper center", ncol=len(handles),
               bbox_to_anchor=(0.5, 1 - below / fig.get_figheight()), frameon=False)  # fmt: skip


def _room_above(fig: Any, grow: float) -> None:
    """``grow`` inches more above the panels, which keep their size and place from the bottom."""
    if grow <= 0:
        return
    sub = fig.subplotpars
    height = fig.get_figheight()
    top, bottom = (1 - sub.top) * height, sub.bottom * height  # (inches)
    fig.set_figheight(height + grow)
    fig.subplots_adjust(top=1 - (top + grow) / (height + grow), bottom=bottom / (height + grow))


def weight_scale_grid(panels: list[dict[str, Any]], key: str, path: Path, title: str = "") -> Path:
    """``weight_scale_grid_figure`` written to ``path`` (margins fixed: no tight crop)."""
    return base.save(weight_scale_grid_figure(panels, key, title), path, tight=False)


# the summary's test-accuracy points: a triangle (``palette.MARKERS``), no mark of a run's end
# (the diverged cross, ``base.mark_stopped``'s hollow square and diamond)
TEST_MARKER = "^"


def _finals(table: list[dict[str, Any]], key: str, gone: list[bool]) -> list[float]:
    """``key`` per row; NaN (no point) where it is missing or the net diverged."""
    return [float("nan") if g or r.get(key) is None else r[key] for r, g in zip(table, gone)]


# inches: the axes' 5.45 and, right of them, the legend's widest entry at 10 points
# ("BatchNorm: diverged (no final accuracy)"; 9.6 at 8 points)
SUMMARY_WIDTH = 10.3


def weight_scale_summary_figure(table: list[dict[str, Any]], title: str = "") -> Any:
    """Final accuracy against the weight scale (log x): BatchNorm solid, plain dashed; training
    accuracy with circles, held-out accuracy with triangles (``TEST_MARKER``: as crosses, in the
    net's colour, they were the diverged nets' mark). ``table``: one row per scale with
    ``weight_scale``, ``bn_train``, ``nobn_train``, ``bn_test``, ``nobn_test`` and optionally
    ``bn_status``/``nobn_status``: a DIVERGED net gets no point on the accuracy lines but a
    cross in its line's colour in the "diverged" strip under the axis (``accuracy.strip_under``),
    whose range is the curves' (``base.accuracy_axis``: from 0.8 where every net learned). The
    legend is right of the axes. Margins are fixed (in inches, room for the longest legend): saved without the
    tight crop, which would draw the figure twice."""
    plt = base.pyplot()
    fig, ax = plt.subplots(figsize=(SUMMARY_WIDTH, 4.3))
    fig.subplots_adjust(left=1.05 / SUMMARY_WIDTH, right=6.5 / SUMMARY_WIDTH, bottom=0.55 / 4.3,
                        top=1 - 0.35 / 4.3)  # fmt: skip
    scales = [r["weight_scale"] for r in table]
    has_test = any(r.get("bn_test") is not None for r in table)
    gone = {p: [r.get(f"{p}_status") == "DIVERGED" for r in table] for p in ("bn", "nobn")}
    for prefix, label, style, color in (("bn", *NETS[0][1:]), ("nobn", *NETS[1][1:])):
        ax.plot(scales, _finals(table, f"{prefix}_train", gone[prefix]), style, marker="o",
                color=color, label=f"{label}, train")  # fmt: skip
        if has_test:
            ax.plot(scales, _finals(table, f"{prefix}_test", gone[prefix]), style,
                    marker=TEST_MARKER, color=color, alpha=0.5, label=f"{label}, test")  # fmt: skip
    ax.set_ylabel("final accuracy")
    base.accuracy_axis([ax])
    if any(gone["bn"] + gone["nobn"]):  # (under the accuracies' range, as set)
        at = strip_under(ax, palette.DIVERGED)
        for ends, (_, label, _, color) in zip(gone.values(), NETS):
            bad = [s for s, g in zip(scales, ends) if g]
            if bad:
                ax.plot(bad, [at(0)] * len(bad), marker="x", color=color, ms=9, mew=2.2,
                        ls="none", label=f"{label}: diverged (no final accuracy)")  # fmt: skip
    base.log_scale(ax, "x", "weight init std")
    ax.grid(alpha=0.3, which="both")
    base.legend_outside(ax)
    sub = fig.subplotpars  # (a title centred on the axes: as wide as twice the centre's
    room = (sub.left + sub.right) * fig.get_figwidth() - 0.2  # distance from the left edge)
    text = base.fit_lines(fig, title or "final accuracy vs weight scale", room, base.fonts.TITLE_PT)
    extra = text.count("\n") * TITLE_LINE  # (more lines: as much more room above the axes)
    fig.set_figheight(4.3 + extra)
    fig.subplots_adjust(bottom=0.55 / (4.3 + extra), top=1 - (0.35 + extra) / (4.3 + extra))
    ax.set_title(text)
    return fig
