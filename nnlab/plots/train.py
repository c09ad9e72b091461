"""Figures of single runs: a run's loss and accuracy curves, and runs side by side (train vs
test accuracy, the gap shaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnlab.plots.base import curve, pyplot, save


def train_curves_figure(records: list[dict[str, Any]], splits: list[str], title: str = "") -> Any:
    """Two panels: loss (training objective and each split's loss) and accuracy, per epoch."""
    plt = pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(*curve(records, "loss"), label="objective (train batches)", color="black", lw=1)
    for split in splits:
        ax_loss.plot(*curve(records, f"{split}_loss"), label=f"{split} loss", marker=".")
        ax_acc.plot(*curve(records, f"{split}_acc"), label=f"{split} accuracy", marker=".")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def train_curves(
    records: list[dict[str, Any]], splits: list[str], path: Path, title: str = ""
) -> Path:
    """``train_curves_figure`` written to ``path``."""
    return save(train_curves_figure(records, splits, title), path)


def accuracy_gaps_figure(panels: list[dict[str, Any]], title: str = "") -> Any:
    """One panel per run side by side: train accuracy (solid) and test accuracy (dashed) per
    epoch, the gap between them shaded. ``panels``: [{"label", "records"}]."""
    plt = pyplot()
    ncols = max(1, min(len(panels), 4))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.6 * ncols, 3.2 * nrows), sharey=True, squeeze=False
    )
    for ax, panel in zip(axes.flat, panels):
        epochs, train = curve(panel["records"], "train_acc")
        _, test = curve(panel["records"], "test_acc")
        ax.plot(epochs, train, color="C0", lw=1.3, label="train")
        ax.plot(epochs, test, "--", color="C1", lw=1.3, label="test")
        ax.fill_between(epochs, test, train, color="C3", alpha=0.12, lw=0, label="gap")
        if epochs and train[-1] == train[-1] and test[-1] == test[-1]:
            ax.annotate(f"gap {train[-1] - test[-1]:.3f}", (epochs[-1], test[-1]),
                        textcoords="offset points", xytext=(-4, -12), ha="right", fontsize=8)  # fmt: skip
        ax.set_title(panel["label"], fontsize=8)
        ax.set(xlabel="epoch", ylim=(0, 1.02))
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    axes.flat[0].set_ylabel("accuracy")
    axes.flat[0].legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def accuracy_gaps(panels: list[dict[str, Any]], path: Path, title: str = "") -> Path:
    """``accuracy_gaps_figure`` written to ``path``."""
    return save(accuracy_gaps_figure(panels, title), path)
