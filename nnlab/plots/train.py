"""Figures of single runs: a run's loss and accuracy curves, and runs side by side (train vs
test accuracy, the gap shaded)."""

from __future__ import annotations

import math
from typing import Any

from nnlab import palette
from nnlab.numbers import column_format, number_spec
from nnlab.plots import base
from nnlab.plots.axes import no_finite

GAP = palette.SERIES[3]  # the shading between train and test accuracy (at GAP_ALPHA)
GAP_ALPHA = 0.45  # (0.2, drawn before, was 1.2:1 on white: gone on a projector)
WSPACE = 0.22  # the gap between the two panels, as a share of a panel's width
MARKED_EPOCHS = 50  # up to this many epochs, a dot per epoch; beyond, thin lines only
GAP_PANEL = (3.8, 2.6)  # inches (width, height) of one run's axes in the accuracy gaps figure
GAP_LEGEND = 0.9  # inches of the gaps figure's width for its legend (wider: the figure grows)
TITLE_LINE = base.fonts.line_inches(base.fonts.TITLE_PT)  # inches per line of a panel's title
SUPTITLE_LINE = 0.23  # inches per line of a figure's title (``fonts.SUPTITLE_PT``, and a gap)


def train_curves_figure(
    records: list[dict[str, Any]],
    splits: list[str],
    title: str = "",
    *,
    status: str | None,
    diverged_epoch: int | None = None,
    objective: str = "objective (train batches)",
) -> Any:
    """Two panels: loss (training objective and each split's loss) and accuracy, per epoch.

    The loss axis is logarithmic when the losses span more than a decade (with weight decay
    the objective carries the L2 penalty, tens of times the data loss, and a linear axis flattens
    the split losses against zero). A split evaluated after the last epoch only
    (``final_eval``) is one star there. A run that diverged (``status`` DIVERGED, at its
    summary's ``diverged_epoch``: ``base.diverged_epoch``) stops at a red cross in both panels;
    one INTERRUPTED (or FAILED) at a hollow diamond (square) on each curve (``base.mark_stopped``:
    a run stopped by a signal has its curves of the epochs done), and its title says so.
    Each epoch is a dot up to ``MARKED_EPOCHS`` epochs; beyond, the lines are thin and bare (a
    test curve oscillating over 2,000 epochs would otherwise be a solid block over the rest).
    Legends sit under the panels. Margins are fixed, in inches (the bottom one grows with the
    legends' rows, the left one fits the loss axis's labels): saved without the tight crop,
    which would draw the figure twice."""
    fig = base.canvas(train_curves_canvas)
    ax_loss, ax_acc = fig.axes
    at = base.diverged_epoch(records, status, diverged_epoch)
    kept = records if at is None else [r for r in records if r["epoch"] < at]
    few = len(records) <= MARKED_EPOCHS + 1  # (epoch 0 and MARKED_EPOCHS epochs)
    style = {"marker": "."} if few else {"lw": 0.8}
    losses = base.curve(kept, "loss")  # (a run of 1 epoch: one point, a dot, not nothing)
    lone = {"marker": "."} if sum(v == v for v in losses[1]) == 1 else {}
    ax_loss.plot(*losses, label=objective, color="black", lw=1 if few else 0.8, **lone)
    base.mark_stopped(ax_loss, *losses, status)
    for split in splits:
        _split_curves((ax_loss, ax_acc), kept, split, style, at, status)
    _loss_scale(ax_loss)
    _unless_a_loss(ax_loss, kept, ["loss", *(f"{split}_loss" for split in splits)])
    ax_acc.set(ylabel="accuracy", title="accuracy")
    base.accuracy_axis([ax_acc])
    extra = [base.diverged_handle(f"diverged at epoch {at}")] if at is not None else []
    for mark in base.stopped_handles({str(status): 1}):  # (the title says where: a word)
        mark.set_label(base.stopped(status))
        extra.append(mark)
    rows = 1
    for ax in (ax_loss, ax_acc):
        base.epoch_axis(ax)
        ax.grid(alpha=0.3, which="both")
        handles = ax.get_legend_handles_labels()[0] + extra
        room = base.axes_inches(ax) * (1 + WSPACE) - 0.1  # (half the gap each side)
        legend = base.legend_outside(ax, "below", handles=handles, ncol=2, room=room)
        rows = max(rows, _legend_lines(legend, 2))
    lines = 1
    if title:  # (a run id of a 64-character name: in lines, the top margin grown by them)
        said = base.named(title, _ending(kept, status, at))
        lines = base.fitted_suptitle(fig, said, y=1 - 0.08 / 4).get_text().count("\n") + 1
    _fixed_margins(fig, top=0.62 + SUPTITLE_LINE * (lines - 1), bottom=0.62 + 0.2 * rows)
    return fig


def _split_curves(axes: tuple[Any, Any], kept: list[dict[str, Any]], split: str,
                  style: dict[str, Any], at: int | None, status: str | None) -> None:  # fmt: skip
    """``split``'s loss and accuracy curves on ``axes`` (loss, accuracy), each ending at a
    red cross where the run diverged (at epoch ``at``) or at a mark where it was interrupted
    or failed; a split evaluated after the last epoch only (``final_eval``) one star there."""
    colour = base.split_colour(split)
    final = len(kept) > 1 and all(f"{split}_acc" not in r for r in kept[:-1])
    for ax, key, what in zip(axes, ("loss", "acc"), ("loss", "accuracy")):
        epochs, values = base.curve(kept, f"{split}_{key}")
        if final:  # (a final_eval split: one point, after the last epoch)
            ax.plot(epochs[-1:], values[-1:], label=f"{split} {what} (final)", marker="*",
                    markersize=11, linestyle="none", color=colour)  # fmt: skip
            continue
        ax.plot(epochs, values, label=f"{split} {what}", color=colour, **style)
        if at is not None:
            base.mark_diverged(ax, epochs, values, at, colour, rising=key == "loss")
        base.mark_stopped(ax, epochs, values, status)  # (interrupted, failed: a mark)


def _ending(records: list[dict[str, Any]], status: str | None, at: int | None) -> str:
    """What the title says of how the run ended: "diverged at epoch 3", "interrupted after
    epoch 12" (its curves end at a mark there), else nothing."""
    if at is not None:
        return f"diverged at epoch {at}"
    word = base.stopped(status)
    return f"{word} after epoch {records[-1]['epoch']}" if word and records else ""


def _legend_lines(legend: Any, ncol: int) -> int:
    """The lines of text ``legend`` (of ``ncol`` columns, filled a column at a time) is tall:
    each of its rows as tall as its entry of the most lines (an entry broken to fit the
    panel's width: ``base.fit_legend``)."""
    if legend is None:
        return 1
    lines = [t.get_text().count("\n") + 1 for t in legend.get_texts()]
    per = -(-len(lines) // ncol)  # (entries in a column)
    return sum(max(lines[i::per]) for i in range(per))


FLAT = 0.05  # a linear loss axis whose curves span less than this share of their top: from 0


def _loss_scale(ax: Any) -> None:
    """The loss panel's title and y axis: log where its curves span more than a decade, from
    0 where they span less than ``FLAT`` of their largest value (a magnified hair). The
    curves only, the labelled lines: a diverged cross sits at y 1 in axes units, and read as a
    loss of 1 it put a run's losses of 1.7e5, within a decade, on a log axis."""
    curves = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    ax.set(ylabel="loss", title="loss")
    values = [float(v) for line in curves for v in line.get_ydata() if v is not None]
    values = [v for v in values if math.isfinite(v)]
    if base.spans_decades(values):
        base.log_scale(ax, "y", "loss")
    elif values and 0 <= min(values) and max(values) - min(values) < FLAT * max(values):
        ax.set_ylim(0, 1.05 * max(values))  # (from 0: a run that diverged at epoch 1 had its
        # two losses of epoch 0, 2.530 and 2.542, drawn a whole axis apart)


def _unless_a_loss(ax: Any, records: list[dict[str, Any]], keys: list[str]) -> None:
    """A loss panel with no finite value of ``keys`` to draw (a net that diverged at epoch 0):
    no scale, and a word saying so, rather than matplotlib's -0.05..0.05 around nothing."""
    if not any(r.get(k) is not None for r in records for k in keys):
        ax.set(ylim=(0, 1))
        no_finite(ax)


def train_curves_canvas() -> Any:
    """``train_curves_figure``'s two empty panels (built ahead by a run's painter while the
    run trains: ``base.canvas``)."""
    fig, _ = base.pyplot().subplots(1, 2, figsize=(10, 4))
    return fig


MINOR_TICKS = 48  # a log loss axis of 4.5 decades draws 48 minor ticks (2.5 decades: 32)


def train_curves_ticks(fig: Any) -> None:
    """The loss panel's minor ticks, made ahead on ``fig`` (``train_curves_canvas``'s: a
    ``Canvas``'s ``warm``): a log loss axis draws one at each 2..9 of each decade, which
    matplotlib makes at the first draw that needs them, ~15 % of the CPU time of the figure's
    drawing at a run's end (three lines and two texts each). Those it does not need are not
    drawn: the PNG is the same to the byte."""
    fig.axes[0].yaxis.get_minor_ticks(MINOR_TICKS)


# what a run's painter builds while the run trains: the panels, drawn once, their minor ticks
TRAIN_CURVES_AHEAD = base.Canvas(train_curves_canvas, drawn=True, warm=train_curves_ticks)


def _fixed_margins(fig: Any, top: float, bottom: float, axes_height: float = 2.75) -> None:
    """Panels ``axes_height`` inches tall with ``top`` and ``bottom`` inches around them (the
    figure's height follows); a fixed right margin, and a left one of at least 0.08 of the
    width that fits the first panel's tick and axis labels (a log axis's ``6×10⁻¹`` is twice
    as wide as ``0.6``), measured on that axis alone (not a draw of the figure)."""
    height = top + axes_height + bottom
    fig.set_figheight(height)
    base.plain_numbers(fig)  # (the labels measured below are those ``save`` draws)
    fig.subplots_adjust(left=0.08, right=0.98, top=1 - top / height, bottom=bottom / height,
                        wspace=WSPACE)  # fmt: skip
    ax = fig.axes[0]
    labels = ax.yaxis.get_tightbbox(fig.canvas.get_renderer())  # (pixels)
    need = (ax.get_window_extent().x0 - labels.x0) / fig.dpi + 0.1  # inches, with a gap
    fig.subplots_adjust(left=max(0.08, need / fig.get_figwidth()))


def held_out(records: list[dict[str, Any]]) -> str:
    """The split a run's accuracy gap is to: ``test``, else ``val`` where only that was
    evaluated (a tune's trial: its test split is held back), else ``test`` (none)."""
    evaluated = {k for r in records for k, v in r.items() if v is not None}
    return "val" if "test_acc" not in evaluated and "val_acc" in evaluated else "test"


Gap = tuple[float, str, int]  # a panel's last gap: (train - test, " to val" or "", epoch)


def _gap_panel(ax: Any, panel: dict[str, Any]) -> tuple[str, str, Gap | None]:
    """One run's train and test accuracy (a tune's trial: val, ``held_out``), the gap shaded:
    (how the curve ends, if marked: DIVERGED, FAILED or INTERRUPTED (``base.mark_stopped``:
    else a run of fewer epochs), or ""; the panel's title; its last epoch's gap, which the
    title says in the figure's one format, ``gap_format``: written on the panel it lay over
    the test curve). (A tune's trial was drawn as train alone.)"""
    status, recorded = panel["status"], panel.get("diverged_epoch")
    split = held_out(panel["records"])
    train_epochs, train, at = base.until_divergence(panel["records"], "train_acc", status, recorded)
    epochs, test, _ = base.until_divergence(panel["records"], f"{split}_acc", status, recorded)
    # (final_eval: test after the last epoch only; a run that diverged at epoch 1 has one point
    # of each curve before it, drawn as a dot, not taken for a final evaluation)
    final = all(r.get(f"{split}_acc") is None for r in panel["records"][:-1])
    dot = {"marker": "."} if len(train_epochs) == 1 else {}
    colour = base.split_colour(split)
    (line,) = ax.plot(train_epochs, train, color=base.split_colour("train"), lw=1.3,
                      label="train", **dot)  # fmt: skip
    if not final:  # (a curve: test evaluated every epoch)
        ax.plot(epochs, test, "--", color=colour, lw=1.3, label=split, **dot)
        ax.fill_between(epochs, test, train, color=GAP, alpha=GAP_ALPHA, lw=0, label="gap")
    elif test and test[-1] == test[-1]:  # (final_eval: test after the last epoch only)
        ax.plot(epochs[-1:], test[-1:], marker="*", markersize=9, linestyle="none",
                color=colour, label=f"{split} (after the last epoch)")  # fmt: skip
    title, end, gap = panel["label"], "", None
    if at is not None:
        end = "DIVERGED"
        base.mark_diverged(ax, train_epochs, train, at, base.split_colour("train"), like=line)
        title += f"\n(diverged at epoch {at})"
    elif base.mark_stopped(ax, train_epochs, train, status):
        end = status
        title += f"\n({base.stopped(status)} after epoch {train_epochs[-1]})"
    elif not any(v == v for v in train):  # (a trial that FAILED before its first record: an
        end = "no records"  # empty panel said nothing; no mark, so no legend entry of one)
        title += f"\n({base.stopped(status) or status}, no records)"
        ax.text(0.5, 0.5, "no records", transform=ax.transAxes, ha="center", va="center",
                color="0.4")  # fmt: skip
    elif epochs and train[-1] == train[-1] and test[-1] == test[-1]:
        gap = (train[-1] - test[-1], "" if split == "test" else f" to {split}", epochs[-1])
    base.epoch_axis(ax)
    ax.grid(alpha=0.3)
    return end, title, gap


def gap_format(gaps: list[float]) -> str:
    """The one format of a figure's gaps (one panel read ``0.0500``, its neighbour
    ``0.003300``, a third ``5.000e-04``: ``number``'s band of each): the format
    ``numbers.column_format`` gives a table's column of them (runs compare's ``acc_gap``): 4
    decimals, as every accuracy and gap of two reads (``numbers.is_share_column``)."""
    spec = column_format([{"acc_gap": g} for g in gaps], "acc_gap")
    specs = {number_spec(g) for g in gaps if g}
    return spec or (specs.pop() if len(specs) == 1 else ".4f")


def _gap_title(ax: Any, title: str, end: str) -> None:
    """``title`` on ``ax``, fitted to its width (a run's name of 60 characters ran over the
    next panel's title), red for a run that did not complete."""
    title = base.fit_lines(ax.get_figure(), title, GAP_PANEL[0], base.fonts.TITLE_PT)
    ax.set_title(title, color=palette.DIVERGED if end else "black")


def accuracy_gaps_figure(panels: list[dict[str, Any]], title: str = "") -> Any:
    """One panel per run side by side: train accuracy (solid) and test accuracy (dashed) per
    epoch, the gap between them shaded; a run that evaluated test after its last epoch only
    (``final_eval``) has a star there. ``panels``: [{"label", "records", "status"
    (optional)}]. The legend, of the marks some panel draws, is right of the last panel; a run
    that diverged stops at a red cross and says so in its title, one that failed or was
    interrupted at a hollow square or diamond (``base.mark_stopped``), also named in its title. Each panel's axes are
    ``GAP_PANEL`` inches whatever its title's lines (the figure grows by them: in a fixed
    3.2 inches, four title lines left the axes a 1.7-inch strip)."""
    plt = base.pyplot()
    ncols = max(1, min(len(panels), 4))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, sharey=True, squeeze=False)
    drawn = [_gap_panel(ax, panel) for ax, panel in zip(axes.flat, panels)]
    spec = gap_format([gap[0] for *_, gap in drawn if gap is not None])
    for ax, (end, named, gap) in zip(axes.flat, drawn):
        said = f"\ngap{gap[1]} {format(gap[0], spec)} at epoch {gap[2]}" if gap else ""
        _gap_title(ax, named + said, end)
    ends = [end for end, *_ in drawn]
    lines = max(ax.get_title().count("\n") + 1 for ax in axes.flat[: len(panels)])
    width, height = GAP_PANEL
    fig.set_size_inches(  # (each panel: its axes, ticks and labels, its title; the legend)
        0.4 + ncols * (width + 0.45) + GAP_LEGEND,
        0.5 + nrows * (height + 0.55 + TITLE_LINE * lines),
    )
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for row in axes:  # (each row's first panel: the second row's had ticks but no label)
        row[0].set_ylabel("accuracy")
    base.accuracy_axis(list(axes.flat[: len(panels)]))  # (shared by the panels)
    handles: dict[str, Any] = {}  # (every kind of mark some panel draws, once)
    for ax in axes.flat[: len(panels)]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    # (the curves first, the shading after them: a tune's trial beside a run read 'train,
    # test, gap, val')
    kinds = [h for label, h in handles.items() if label != "gap"]
    kinds += [handles["gap"]] if "gap" in handles else []
    kinds += [base.diverged_handle()] if "DIVERGED" in ends else []
    kinds += base.stopped_handles({end: 1 for end in ends})  # (failed, interrupted: a mark)
    legend = base.legend_outside(axes.flat[max(0, min(len(panels), ncols) - 1)], handles=kinds)
    if legend is not None:  # (wider than its room, "interrupted: the curve ends there" took
        # the width from the panels: a long name's title, fitted to GAP_PANEL, met the next)
        wide = legend.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
        fig.set_figwidth(fig.get_figwidth() + max(0.0, wide - GAP_LEGEND))
    if title:  # (placed in inches: as a fraction of a tall grid's height it met the top row)
        fig.suptitle(title, y=1 - 0.08 / fig.get_figheight(), va="top")
    fig.tight_layout()
    return fig
