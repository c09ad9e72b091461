"""``nnlab landscape``: the loss along a random line and over a random plane around W."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nnlab.plots.base import pyplot, save


def landscape_line_figure(alphas: Any, loss: Any, acc: Any, title: str = "") -> Any:
    """The 1-D slice L(W + a D1): loss (left axis, log) and accuracy (right axis) against a."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    loss = np.where(np.isfinite(loss), loss, np.nan)
    ax.plot(alphas, loss, color="C0", marker=".", label="loss")
    ax.set(xlabel="a", ylabel="loss", yscale="log")
    ax.axvline(0, color="gray", lw=0.8, ls="--")
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(alphas, acc, color="C1", lw=1, label="accuracy")
    ax2.set(ylabel="accuracy", ylim=(0, 1.02))
    lines = ax.get_lines()[:1] + ax2.get_lines()
    ax.legend(lines, [str(line.get_label()) for line in lines], fontsize=8, loc="upper center")
    ax.set_title(f"L(W + a D1)  {title}".strip(), fontsize=10)
    return fig


def landscape_line(alphas: Any, loss: Any, acc: Any, path: Path, title: str = "") -> Path:
    """``landscape_line_figure`` written to ``path``."""
    return save(landscape_line_figure(alphas, loss, acc, title), path)


def landscape_contour_figure(alphas: Any, grid: Any, title: str = "") -> Any:
    """The 2-D slice L(W + a D1 + b D2) as filled contours of log10(loss); missing or
    non-finite points are left blank; the star marks the centre W."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 5))
    z = np.asarray(grid, dtype=float).T  # rows of the grid are a (x axis): transpose for contour
    finite = np.isfinite(z) & (z > 0)
    if finite.any():
        logz = np.ma.masked_where(~finite, np.log10(np.where(finite, z, 1.0)))
        lo, hi = float(logz.min()), float(logz.max())
        levels = np.linspace(lo, hi if hi > lo else lo + 1e-6, 30)
        filled = ax.contourf(alphas, alphas, logz, levels=levels, cmap="viridis")
        ax.contour(
            alphas,
            alphas,
            logz,
            levels=levels[::3],
            colors="white",
            linewidths=0.5,
            linestyles="solid",
        )
        fig.colorbar(filled, ax=ax, label="log10 loss")
    ax.plot([0], [0], marker="*", color="red", markersize=12, label="centre W")
    ax.set(xlabel="a (D1)", ylabel="b (D2)", aspect="equal")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(f"L(W + a D1 + b D2)  {title}".strip(), fontsize=10)
    return fig


def landscape_contour(alphas: Any, grid: Any, path: Path, title: str = "") -> Path:
    """``landscape_contour_figure`` written to ``path``."""
    return save(landscape_contour_figure(alphas, grid, title), path)
