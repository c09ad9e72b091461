"""The weight-scale sweep (DLFS 6.3.3, figure 6-19): a grid of accuracy curves per init scale,
BatchNorm against the plain net, and final accuracy against the scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnlab.plots.base import curve, pyplot, save


def _epoch_ticks(last: int) -> list[int]:
    """About five round epoch numbers from 0 to ``last``."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if last / s <= 6)
    step = step if last / step <= 6 else -(-last // 5)
    return list(range(0, last + 1, step))


def weight_scale_grid_figure(panels: list[dict[str, Any]], key: str, title: str = "") -> Any:
    """DLFS figure 6-19: one panel per weight scale, ``key`` (accuracy) per epoch, BatchNorm
    solid and the plain net dashed. ``panels``: [{"scale", "bn": records, "plain": records}]."""
    plt = pyplot()
    ncols = 4
    nrows = max(1, -(-len(panels) // ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(12, 2.6 * nrows), sharex=True, sharey=True, squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        if i >= len(panels):
            ax.set_visible(False)
            continue
        panel = panels[i]
        if panel["bn"]:
            ax.plot(*curve(panel["bn"], key), color="C0", lw=1.5, label="BatchNorm")
        if panel["plain"]:
            ax.plot(*curve(panel["plain"], key), "--", color="C1", lw=1.5, label="no BatchNorm")
        ax.set_title(
            f"W: {panel['scale']:.3g}", fontsize=9, y=1.0
        )  # y given: no auto-placement pass
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        if i % ncols == 0:
            ax.set_ylabel(key.replace("_", " "))
        if i >= len(panels) - ncols:
            ax.set_xlabel("epoch")
    epochs = max((r["epoch"] for p in panels for k in ("bn", "plain") for r in p[k]), default=1)
    axes.flat[0].set_xticks(_epoch_ticks(max(epochs, 1)))  # (shared: fixed ticks are cheaper
    axes.flat[0].set_yticks([0, 0.25, 0.5, 0.75, 1])  # to draw than 16 automatic locators)
    axes.flat[min(len(panels), axes.size) - 1].legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    # fixed margins: tight_layout on 16 panels costs more than drawing them (~0.6 s)
    inch = 1 / fig.get_figheight()
    fig.subplots_adjust(
        left=0.06, right=0.99, bottom=0.5 * inch, top=1 - 0.6 * inch, wspace=0.06, hspace=0.3
    )
    return fig


def weight_scale_grid(panels: list[dict[str, Any]], key: str, path: Path, title: str = "") -> Path:
    """``weight_scale_grid_figure`` written to ``path`` (margins fixed: no tight crop)."""
    return save(weight_scale_grid_figure(panels, key, title), path, tight=False)


def weight_scale_summary_figure(table: list[dict[str, Any]], title: str = "") -> Any:
    """Final accuracy against the weight scale (log x): BatchNorm solid, plain dashed; training
    accuracy with circles, held-out accuracy with crosses."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    scales = [r["weight_scale"] for r in table]

    def series(key: str) -> list[float]:
        return [float("nan") if r.get(key) is None else r[key] for r in table]

    ax.plot(scales, series("bn_train"), "-o", color="C0", label="BatchNorm, train")
    ax.plot(scales, series("nobn_train"), "--o", color="C1", label="no BatchNorm, train")
    if any(r.get("bn_test") is not None for r in table):
        ax.plot(scales, series("bn_test"), "-x", color="C0", alpha=0.5, label="BatchNorm, test")
        ax.plot(
            scales,
            series("nobn_test"),
            "--x",
            color="C1",
            alpha=0.5,
            label="no BatchNorm, test",
        )
    ax.set_xscale("log")
    ax.set(xlabel="weight init scale (std)", ylabel="final accuracy", ylim=(0, 1.02))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(title or "final accuracy vs weight scale", fontsize=9)
    return fig


def weight_scale_summary(table: list[dict[str, Any]], path: Path, title: str = "") -> Path:
    """``weight_scale_summary_figure`` written to ``path``."""
    return save(weight_scale_summary_figure(table, title), path)
