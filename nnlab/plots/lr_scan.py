"""``nnlab lr-scan``: the loss after one step and after a short training, against the rate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnlab.plots.base import pyplot, save


def lr_scan_figure(
    rows: list[dict[str, Any]], initial_loss: float, epochs: int, title: str = ""
) -> Any:
    """Loss vs step size (log x, log y): after one full-gradient step and after ``epochs``.

    Diverged rates are drawn as red crosses on the top edge; the best rate of each curve is
    circled; the dashed line is the initial loss.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    lrs = [r["lr"] for r in rows]
    series = [("step_loss", "one full-gradient step", "C0", "step", 8)]
    if epochs > 0:
        series.append(("train_loss", f"after {epochs} epoch(s) of training", "C1", "train", -16))
    finite = [r[k] for r in rows for k, *_ in series if r.get(k) is not None]
    top = max([*finite, initial_loss]) * 3 if finite else initial_loss * 3
    for key, label, color, mark, dy in series:
        xs = [lr for lr, r in zip(lrs, rows) if r.get(key) is not None]
        ys = [r[key] for r in rows if r.get(key) is not None]
        ax.plot(xs, ys, marker="o", color=color, label=label)
        bad = [lr for lr, r in zip(lrs, rows) if r.get(key) is None]
        if bad:
            ax.scatter(bad, [top] * len(bad), marker="x", color="red", zorder=3)
        for r in rows:
            if mark in r.get("best", "") and r.get(key) is not None:
                ax.scatter([r["lr"]], [r[key]], s=160, facecolors="none", edgecolors=color, lw=2)
                ax.annotate(
                    f"best {r['lr']:.0e}",
                    (r["lr"], r[key]),
                    textcoords="offset points",
                    xytext=(8, dy),
                    color=color,
                    fontsize=8,
                )
    if any(r.get(k) is None for r in rows for k, *_ in series):
        ax.scatter([], [], marker="x", color="red", label="diverged (non-finite)")
    ax.axhline(initial_loss, ls="--", color="gray", lw=1, label=f"initial loss {initial_loss:.3f}")
    ax.set(xscale="log", yscale="log", xlabel="step size / learning rate", ylabel="loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(f"step-size scan {title}".strip())
    return fig


def lr_scan(
    rows: list[dict[str, Any]], initial_loss: float, epochs: int, path: Path, title: str = ""
) -> Path:
    """``lr_scan_figure`` written to ``path``."""
    return save(lr_scan_figure(rows, initial_loss, epochs, title), path)
