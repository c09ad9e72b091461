"""``nnlab activations``: histograms of hidden-layer activations by activation and init."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.output import counted
from nnlab.plots import base

NOTE_FONTSIZE = base.fonts.NOTE_PT  # the stats note in a panel's top right corner
NOTE_PAD = 4.0  # points: the note's white box around its text (matplotlib's default)
NOTE_GAP = 2.0  # points: between the box and the frame (and the box and the bars)
MAX_COLUMNS = 10  # layers drawn at most (the rest: the table's)
COLUMN = 1.78  # inches a column takes (its panel and the gap after it)
XLABEL = 0.18  # inches under the bottom row for its x label
LEFT = 1.0  # inches left of the first column: its row labels and counts (a fraction of the
# width, matplotlib's 0.125, left 5.7 inches blank beside 20 layers' columns)


def _own_range(values: Any) -> tuple[float, float]:
    """0 .. the 99.5th percentile of a layer's finite non-zero values (1 if there are none)."""
    flat = np.ravel(values)
    flat = flat[(flat != 0) & np.isfinite(flat)]
    top = float(np.percentile(flat, 99.5)) if flat.size else 1.0
    return (0.0, top if top > 0 else 1.0)


def _histogram(ax: Any, values: Any, lo_hi: tuple[float, float], drop_zeros: bool, bins: int,
               color: Any) -> int:  # fmt: skip
    """Draw the bars; the tallest bar's count."""
    values = np.ravel(values)
    keep = np.isfinite(values) & ((values != 0) if drop_zeros else True)
    counts, edges = np.histogram(values[keep], bins=bins, range=lo_hi)
    ax.stairs(counts, edges, fill=True, color=color)
    pad = 0.03 * (lo_hi[1] - lo_hi[0])
    ax.set_xlim(lo_hi[0] - pad, lo_hi[1] + pad)
    # (its own scale on every tick: no offset text, and 5×10⁻⁵, not 5e-05)
    base.plain_ticks(ax.xaxis, trim=True)
    ax.locator_params(axis="both", nbins=3)  # (about three numbered ticks; fewer where
    base.spaced_ticks(ax, "x", base.LABEL_GAP)  # their labels would not keep apart:
    # 2.5×10⁻⁶ ran into 5×10⁻⁶ on a panel of 1.6 inches over 0 .. 6×10⁻⁶, at 10 points)
    return int(counts.max(initial=0))


def _note_height(ax: Any, lines: int, fontsize: float) -> float:
    """The fraction of ``ax``'s height a note of ``lines`` lines takes at its top (its box,
    with a gap above and below): the head-room the bars leave it."""
    fig = ax.get_figure()
    points = ax.get_position().height * fig.get_figheight() * 72
    return (lines * 1.2 * fontsize + 2 * NOTE_PAD + 2 * NOTE_GAP) / points


def activation_histograms_figure(
    settings: dict[str, list[Any]],
    ranges: dict[str, tuple[float, float] | None] | None = None,
    notes: dict[str, list[str]] | None = None,
    bins: int = 30,
    caption: str = "",
    condition: str = "",
    colour_by: dict[str, str] | None = None,
    run: str = "",
) -> Any:
    """A grid of histograms: one row per setting, one column per layer (DLFS fig. 6-10 .. 6-14;
    past ``MAX_COLUMNS`` layers, that many evenly spaced, first and last among them, as the
    title says: ``drawn_layers``).

    ``settings`` maps a row label to its layers' activation arrays; ``ranges`` the row's
    histogram range, the activation's output range (sigmoid 0..1, tanh -1..1), which all its
    panels share so saturation and collapse show as in DLFS; None (ReLU, unbounded): each
    panel spans 0 .. its own layer's 99.5th percentile, as the layers' scales differ by orders
    of magnitude (std1 grows them, std0.01 shrinks them), and exact zeros - ReLU outputs that
    are off - are left out of the bars (say how many in ``notes``). ``notes``: a text per panel.
    A row shares its y axis, which counts the values per bin. Each row has its own colour, or
    with ``colour_by`` (a row label -> its group: ``nnlab activations`` gives the init) the
    colour of its group, so one init reads alike under every activation (the colours went
    round the rows, sigmoid / std1 as blue as tanh / std0.01, saying nothing); each note sits
    in head-room above the row's tallest bar, so it covers none. ``caption``:
    lines under the grid (what the notes' terms mean). ``condition``: what the title's second
    line says of the net (``BatchNorm on``, a run's folder).
    """
    labels = list(settings)
    n_rows, depth = len(labels), max(len(v) for v in settings.values())
    shown = drawn_layers(depth)
    title = base.named(run, _title(len(shown), depth, condition))
    fig, axes = _grid(n_rows, len(shown), title, caption)
    height = fig.get_figheight()
    colours = _row_colours(labels, colour_by or {})
    for r, label in enumerate(labels):
        drawn = [i for i in shown if i < len(settings[label])]
        _row(axes[r], settings[label], drawn, (ranges or {}).get(label), bins, colours[r],
             (notes or {}).get(label, []))  # fmt: skip
        tall = axes[r][0].get_position().height * height  # (its lines: a label of 40
        said = base.fit_lines(fig, label, tall, base.fonts.LABEL_PT)  # characters ran over
        axes[r][0].set_ylabel(f"{said}\ncount")  # the next row's)
        for ax, layer in zip(axes[r] if r == 0 else [], drawn):
            ax.set_title(f"layer {layer + 1}")
        for ax in axes[r][len(drawn) :]:
            ax.axis("off")
    for ax in axes[-1][: len([i for i in shown if i < len(settings[labels[-1]])])]:
        ax.set_xlabel("activation value")  # (the x axes were unlabelled)
    return fig


def _grid(n_rows: int, n_cols: int, title: str, caption: str) -> tuple[Any, Any]:
    """The figure and its ``n_rows`` x ``n_cols`` axes, in margins of inches: ``title`` above,
    fitted to the figure's width (a line more, 0.2 inches more: the run's id, the condition),
    ``caption`` under them; the figure as wide as the panels or the caption, whichever is
    wider (the panels keep their width, left-aligned over the caption)."""
    plt = base.pyplot()
    below = 0.18 * (caption.count("\n") + 1) + 0.2 if caption else 0.0  # inches
    below += XLABEL  # (the bottom row's x label: what the bars count)
    panels = LEFT + COLUMN * n_cols + 0.2
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(panels, 1), squeeze=False, sharey="row")
    width = max(panels, _inches(fig, caption, base.fonts.NOTE_PT) + 0.2)  # (the caption's
    # width, which the PNG has anyway: one layer's title, fitted to 2.8 inches, took 7 lines)
    fig.set_size_inches(width, 1)
    title = base.fit_lines(fig, title, width - 0.2, base.fonts.SUPTITLE_PT)
    above = base.fonts.line_inches(base.fonts.SUPTITLE_PT) * title.count("\n")
    height = 1.55 * n_rows + 0.7 + below + above
    fig.set_size_inches(width, height)
    fig.subplots_adjust(hspace=0.35, wspace=0.15, top=1 - (0.55 + above) / height,
                        bottom=(0.35 + below) / height, left=LEFT / width,
                        right=1 - (width - panels + 0.2) / width)  # fmt: skip
    if caption:
        fig.text(0.1 / width, 0.08 / height, caption, ha="left", va="bottom")
    fig.suptitle(title, y=1 - 0.05 / height)
    return fig, axes


def _inches(fig: Any, text: str, fontsize: float) -> float:
    """The width of ``text``'s widest line at ``fontsize`` points as ``fig`` draws it, in
    inches (0 for no text)."""
    from matplotlib.text import Text

    if not text:
        return 0.0
    probe = Text(0, 0, text, fontsize=fontsize, figure=fig)
    return float(probe.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi)


def _row_colours(labels: list[str], colour_by: dict[str, str]) -> list[str]:
    """A colour per row: one per group of ``colour_by`` (a row not in it: a group of its own),
    the groups in the order their first rows come."""
    group = [colour_by.get(label, label) for label in labels]
    by_group = dict(zip(dict.fromkeys(group), base.distinct_colours(len(set(group)))))
    return [by_group[g] for g in group]


def _title(n_cols: int, depth: int, condition: str) -> str:
    """The grid's title: ``condition`` (``BatchNorm on``) and, past ``MAX_COLUMNS`` layers,
    which of them it draws."""
    title = "hidden-layer activations by activation / init"
    if condition:  # (on a line of its own: a run's folder name is as wide as 3 columns)
        title += f"\n{condition}"
    if n_cols < depth:
        title += (
            f" ({n_cols} of {counted(depth, 'layer')}, evenly spaced: every layer is in the table)"
        )
    return title


def _row(axes: Any, layers: list[Any], drawn: list[int], shared: tuple[float, float] | None,
         bins: int, colour: Any, text: list[str]) -> None:  # fmt: skip
    """One setting's panels: the histogram of each ``drawn`` layer (``shared``: the row's
    range; None: each its own, zeros left out) with its note, in head-room the row's y axis
    leaves above its tallest bar."""
    tallest = 0
    for ax, layer in zip(axes, drawn):
        a = layers[layer]
        lo_hi = _own_range(a) if shared is None else shared
        tallest = max(tallest, _histogram(ax, a, lo_hi, shared is None, bins, colour))
        if layer < len(text) and text[layer]:
            inset = -(NOTE_PAD + NOTE_GAP)  # (points from the top right corner)
            ax.annotate(text[layer], (1, 1), xycoords="axes fraction", xytext=(inset, inset),
                        textcoords="offset points", ha="right", va="top",
                        fontsize=NOTE_FONTSIZE, bbox={"facecolor": "white", "alpha": 0.7,
                                                      "lw": 0, "pad": NOTE_PAD})  # fmt: skip
    lines = max((t.count("\n") + 1 for t in text if t), default=0)
    room = _note_height(axes[0], lines, NOTE_FONTSIZE) if lines else 0.0
    axes[0].set_ylim(0, max(tallest, 1) * 1.05 / (1 - room))  # (shared by the row)


def drawn_layers(depth: int) -> list[int]:
    """The layers (0-based) that get a column: all up to ``MAX_COLUMNS``; beyond, that many,
    evenly spaced from the first to the last (``--layers 100`` drew 100 columns: a PNG 19,718
    pixels wide, a minute to draw)."""
    if depth <= MAX_COLUMNS:
        return list(range(depth))
    return sorted({round(i * (depth - 1) / (MAX_COLUMNS - 1)) for i in range(MAX_COLUMNS)})
