"""Every figure nnlab draws. matplotlib is imported lazily, with the Agg backend (no screen).

Each function takes plain data (lists, arrays, dicts) and a path, and writes one PNG atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (imported on first use: keeps ``--help`` fast)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, path: Path, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` as PNG via a temp file + os.replace, then close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        pyplot().close(fig)
    return path


# --- train: curves of one run -------------------------------------------------------------
def train_curves(
    records: list[dict[str, Any]], splits: list[str], path: Path, title: str = ""
) -> Path:
    """Two panels: loss (training objective and each split's loss) and accuracy, per epoch."""
    plt = pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = [r["epoch"] for r in records]

    def series(key: str) -> list[float]:
        return [float("nan") if r.get(key) is None else r[key] for r in records]

    ax_loss.plot(epochs, series("loss"), label="objective (train batches)", color="black", lw=1)
    for split in splits:
        ax_loss.plot(epochs, series(f"{split}_loss"), label=f"{split} loss", marker=".")
        ax_acc.plot(epochs, series(f"{split}_acc"), label=f"{split} accuracy", marker=".")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return save(fig, path)


# --- sweep ----------------------------------------------------------------------------------


# --- gradcheck ------------------------------------------------------------------------------
def gradcheck_differences(
    steps: list[float], forward: list[float], centred: list[float], path: Path, title: str = ""
) -> Path:
    """Relative error of forward and centred differences against the step, on log-log axes.

    Dotted guides mark the optimal steps for float64: sqrt(machine eps) ~ 1.5e-8 for forward
    differences (truncation O(h) vs round-off O(eps/h)), cbrt(machine eps) ~ 6e-6 for centred
    ones (truncation O(h^2)).
    """
    import numpy as np

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    floor = 1e-17  # an error of exactly 0 cannot be drawn on a log axis
    ax.loglog(steps, np.maximum(forward, floor), marker="o", label="forward (f(x+h) - f(x)) / h")
    ax.loglog(steps, np.maximum(centred, floor), marker="s", label="centred (f(x+h) - f(x-h)) / 2h")
    mach = float(np.finfo(np.float64).eps)
    for h, text in ((mach**0.5, "sqrt(eps)"), (mach ** (1 / 3), "cbrt(eps)")):
        ax.axvline(h, color="grey", ls=":", lw=1)
        ax.text(h, 0.98, f" {text}", transform=ax.get_xaxis_transform(), fontsize=8, va="top")
    ax.axhspan(1e-7, 1e-4, color="orange", alpha=0.08, label="1e-7..1e-4: suspicious")
    ax.set(
        xlabel="step h",
        ylabel="max relative error vs analytic",
        title=title or "finite differences: truncation vs round-off",
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return save(fig, path)


# --- optimizers -----------------------------------------------------------------------------


# --- experiments: lr-scan, tune, activations, landscape ------------------------------------
def lr_scan(
    rows: list[dict[str, Any]], initial_loss: float, epochs: int, path: Path, title: str = ""
) -> Path:
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
    return save(fig, path)
