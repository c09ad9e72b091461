"""``nnlab tune``: the top trials' curves and the validation metric against each searched key."""

from __future__ import annotations

import math
from typing import Any

from nnlab.output import as_label, counted
from nnlab.plots import base


def tune_curves_figure(
    top: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    title: str = "",
) -> Any:
    """The top trials of a search: validation accuracy per epoch (solid) and training accuracy
    (dotted, same colour), labelled by rank and values (DLFS fig. 6-24). The legend is right of
    the axes; a trial that diverged stops at a red cross (``status`` in its row, or read from
    its records)."""
    plt = base.pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    diverged = False
    for i, row in enumerate(top):
        records = curves.get(row["trial"]) or []
        if not records:
            continue
        values = ", ".join(as_label(k.split(".")[-1], row[k]) for k in keys)
        color = f"C{i % 10}"
        status, recorded = row.get("status"), row.get("diverged_epoch")
        epochs, val, at = base.until_divergence(records, "val_acc", status, recorded)
        ax.plot(epochs, val, color=color, lw=1.5, label=f"#{row['rank']} {values}")
        ax.plot(*base.until_divergence(records, "train_acc", status, recorded)[:2], color=color,
                lw=1, ls=":")  # fmt: skip
        if at is not None:
            base.mark_diverged(ax, epochs, val, at, color)
            diverged = True
    ax.plot([], [], color="gray", lw=1.5, label="validation accuracy")
    ax.plot([], [], color="gray", lw=1, ls=":", label="training accuracy")
    handles = ax.get_legend_handles_labels()[0] + ([base.diverged_handle()] if diverged else [])
    ax.set(ylabel="accuracy", ylim=(0, 1.02))
    base.epoch_axis(ax)
    ax.grid(alpha=0.3)
    base.legend_outside(ax, handles=handles, fontsize=7)
    ax.set_title(f"top {counted(len(top), 'trial')} {title}".strip(), fontsize=9)
    return fig


def tune_scatter_figure(
    points: list[dict[str, Any]], keys: list[str], log: dict[str, bool], metric: str
) -> Any:
    """Validation metric against each searched key, one panel per key, colour = round. A key
    searched on a log scale gets a log axis where its values span a decade or more (a few
    trials close together would pile up its labels); an accuracy's axis is 0..1."""
    plt = base.pyplot()
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.8), squeeze=False)
    rounds = sorted({p["round"] for p in points})
    label = metric.replace("_", " ")
    for ax, key in zip(axes[0], keys):
        for r in rounds:
            sel = [p for p in points if p["round"] == r]
            ax.scatter(
                [p[key] for p in sel],
                [p["metric"] for p in sel],
                s=18,
                color=f"C{(r - 1) % 10}",
                label=f"round {r}",
            )
        if log.get(key) and base.spans_decades([p[key] for p in points]):
            values = [p[key] for p in points if p[key] > 0]
            if base.too_wide(min(values), max(values)):  # (a margin past 1e308 overflows)
                ax.margins(x=0)
            ax.set_xscale("log")
            base.wide_log_ticks(ax.xaxis, min(values), max(values))
        ax.set(xlabel=key, ylabel=label)
        if metric.endswith("_acc"):
            ax.set_ylim(0, 1.02)
        else:  # (a loss: from 0 to a little above the worst trial's)
            finite = [p["metric"] for p in points if math.isfinite(p["metric"])]
            ax.set_ylim(0, 1.08 * max(finite) if finite and max(finite) > 0 else 1)
        ax.grid(alpha=0.3, which="both")
    base.legend_outside(axes[0][-1])
    fig.suptitle(f"{label} of every trial, by the values searched", fontsize=10)
    fig.tight_layout()
    return fig
