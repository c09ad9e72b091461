"""``nnlab tune``: the top trials' curves and the validation metric against each searched key."""

from __future__ import annotations

import math
from typing import Any

from nnlab import palette
from nnlab.output import as_label, counted
from nnlab.plots import base
from nnlab.plots.accuracy import strip_under


def tune_curves_figure(
    top: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    title: str = "",
    none: str = "no trial completed (each diverged or failed)",
) -> Any:
    """The top trials of a search: validation accuracy per epoch (solid) and training accuracy
    (dotted, same colour), labelled by rank and values (DLFS fig. 6-24); past the palette's
    five colours, a trial's lines carry a marker as well (``nnlab.palette``: square, triangle,
    diamond), which tells it from the trial of its colour before it. The legend is right of
    the axes; a trial that diverged stops at a red cross (``status`` in its row, or read from
    its records). With no trial (``top`` empty), ``none`` in the middle says why (``tune``:
    "no trial completed: all 3 diverged") and the title is ``title`` alone (it said "top 0
    trials")."""
    from matplotlib.lines import Line2D

    plt = base.pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    diverged = False
    for i, row in enumerate(top):
        records = curves.get(row["trial"]) or []
        if not records:
            continue
        values = ", ".join(as_label(k.split(".")[-1], row[k]) for k in keys)
        color, mark = palette.colour(i), _marker(i, len(records))
        status, recorded = row.get("status"), row.get("diverged_epoch")
        epochs, val, at = base.until_divergence(records, "val_acc", status, recorded)
        (line,) = ax.plot(epochs, val, color=color, lw=1.5, label=f"#{row['rank']} {values}",
                          **mark)  # fmt: skip
        ax.plot(*base.until_divergence(records, "train_acc", status, recorded)[:2], color=color,
                lw=1, ls=":", **mark)  # fmt: skip
        if at is not None:
            base.mark_diverged(ax, epochs, val, at, color, like=line)
            diverged = True
    if not top:  # (tune ranks no diverged trial: empty axes would look like a failed figure)
        ax.text(0.5, 0.5, none, ha="center", transform=ax.transAxes, color="0.4")
    handles = ax.get_legend_handles_labels()[0]
    if handles:  # (the keys of the two line styles: proxies, which the legend keeps)
        handles += [Line2D([], [], color="gray", lw=1.5, label="validation accuracy"),
                    Line2D([], [], color="gray", lw=1, ls=":", label="training accuracy")]  # fmt: skip
    handles += [base.diverged_handle()] if diverged else []
    ax.set(ylabel="accuracy")
    base.accuracy_axis([ax])
    base.epoch_axis(ax)
    ax.grid(alpha=0.3)
    base.legend_outside(ax, handles=handles)
    what = f"accuracy per epoch of the top {counted(len(top), 'trial')}"  # (by the tune's metric)
    base.fitted_title(ax, base.named(title, what if top else ""))
    return fig


def _marker(i: int, epochs: int) -> dict[str, Any]:
    """The marker of the ``i``-th trial's lines (from 0): none in the palette's first round
    of colours, then square, triangle, diamond (at about ten of its ``epochs``)."""
    if palette.round_of(i) == 0:
        return {}
    return {"marker": palette.MARKERS[palette.round_of(i)], "ms": 4,
            "markevery": max(1, epochs // 10)}  # fmt: skip


def tune_scatter_figure(
    points: list[dict[str, Any]], keys: list[str], log: dict[str, bool], metric: str,
    title: str = "", failed: int = 0,
) -> Any:  # fmt: skip
    """Validation metric against each searched key, one panel per key, colour = round (past the
    palette's five colours, a round's marker tells it from the round of its colour before:
    ``nnlab.palette``'s circle, square, triangle, diamond). A key
    searched on a log scale gets a log axis where its values span a decade or more (a few
    trials close together would pile up its labels); an accuracy's axis is the
    curves' (``base.accuracy_axis``: from 0.9 where the trials all lie above it; it was 0..1).
    A trial that diverged (``diverged`` true, ``metric`` None) has no metric to draw: it is a cross in its
    round's colour in a "diverged" strip under the axis. ``title``: the tune's run id, which
    the figure's title names first, as tune-curves.png's does (it named no run). A key of
    whole numbers (``randint``: ``model.depth``) is ticked at whole numbers (1.5 layers is no
    value it took). ``failed``: how many trials FAILED (no metric, no values trained: the
    title counts them, the figure showed no sign of them)."""
    plt = base.pyplot()
    # (the legend's width on top of 4.5 inches a panel: beside it, "round 1: diverged" left
    # the last panel's axes 1.9 inches; 1.4 inches at its 8 points, 1.7 at 10)
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys) + 1.7, 3.8), squeeze=False)
    rounds = sorted({p["round"] for p in points})
    label = metric_label(metric)
    for ax, key in zip(axes[0], keys):
        for r in rounds:
            sel = [p for p in points if p["round"] == r and not p.get("diverged")]
            if not sel:  # (a round whose trials all diverged: no dot, no legend entry for one)
                continue
            ax.scatter(
                [p[key] for p in sel],
                [p["metric"] for p in sel],
                s=18,
                color=palette.colour(r - 1),
                marker=palette.MARKERS[palette.round_of(r - 1)],
                label=f"round {r}",
            )
        _value_axis(ax, [p[key] for p in points], bool(log.get(key)), key)
        ax.set_ylabel(label)
        if metric.endswith("_acc"):  # (the rule of the curves' axes: from a floor)
            base.accuracy_axis([ax])
        else:  # (a loss: from 0 to a little above the worst trial's)
            finite = [p["metric"] for p in points if _finite(p["metric"])]
            ax.set_ylim(0, 1.08 * max(finite) if finite and max(finite) > 0 else 1)
        _diverged_strip(ax, [p for p in points if p.get("diverged")], key)
        ax.grid(alpha=0.3, which="both")
    base.legend_outside(axes[0][-1])
    what = f"{label} of every trial, by the values searched"
    what += f" ({counted(failed, 'trial')} FAILED: not drawn)" if failed else ""
    base.fitted_suptitle(fig, base.named(title, what))
    fig.tight_layout()
    return fig


def metric_label(metric: str) -> str:
    """A ranking metric in words: ``final_val_acc`` -> "final validation accuracy"."""
    words = {"val": "validation", "acc": "accuracy"}
    return " ".join(words.get(w, w) for w in metric.split("_"))


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _diverged_strip(ax: Any, diverged: list[dict[str, Any]], key: str) -> None:
    """The ``diverged`` trials as crosses at their ``key`` value in a strip under ``ax``'s
    metric range (set before; ``accuracy.strip_under``), labelled "diverged" where the ticks
    are; each round's a little above the one before (a later round's cross at the same
    value, a model.depth of 2, hid the earlier's)."""
    if not diverged:
        return
    at = strip_under(ax, palette.DIVERGED)
    rounds = sorted({p["round"] for p in diverged})
    step = min(0.025, 0.075 / len(rounds))  # (all within the strip's +-0.05)
    for i, r in enumerate(rounds):
        xs = [p[key] for p in diverged if p["round"] == r]
        y = at((i - (len(rounds) - 1) / 2) * step)
        ax.plot(xs, [y] * len(xs), marker="x", color=palette.colour(r - 1), ms=8, mew=2,
                ls="none", label=f"round {r}: diverged")  # fmt: skip


def _value_axis(ax: Any, values: list[float], log: bool, key: str) -> None:
    """A searched ``key``'s axis: log where it was searched so and its ``values`` span a
    decade."""
    ax.set_xlabel(key)
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not values:  # (no trial to draw: a blank axis says nothing of the values searched)
        ax.text(0.5, 0.5, "no trial has a result", transform=ax.transAxes, ha="center")
    if log and base.spans_decades(values):
        values = [v for v in values if v > 0]
        if base.too_wide(min(values), max(values)):  # (a margin past 1e308 overflows)
            ax.margins(x=0)
        base.log_scale(ax, "x", key)
        base.wide_log_ticks(ax.xaxis, min(values), max(values))
