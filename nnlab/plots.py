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


# --- optimizers -----------------------------------------------------------------------------


# --- experiments: lr-scan, tune, activations, landscape ------------------------------------
