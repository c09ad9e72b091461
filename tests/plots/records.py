"""Per-epoch records shaped like a run's metrics.jsonl, for figure tests."""

from __future__ import annotations

from typing import Any


def learning(epochs: int = 20, start: float = 0.1, end: float = 0.95) -> list[dict[str, Any]]:
    """A run that learns: loss falls, accuracies rise from ``start`` to ``end``."""
    out = []
    for e in range(epochs + 1):
        acc = start + (end - start) * e / epochs
        out.append({"epoch": e, "loss": None if e == 0 else 2.3 * (1 - 0.8 * e / epochs),
                    "train_loss": 2.3 * (1 - 0.8 * e / epochs), "train_acc": acc,
                    "test_loss": 2.4 * (1 - 0.8 * e / epochs), "test_acc": acc - 0.05})  # fmt: skip
    return out


def diverging(at: int = 1, nan_acc: float = 0.089) -> list[dict[str, Any]]:
    """A run that diverges at epoch ``at``: from then on losses are None and the accuracy is
    the meaningless ``nan_acc`` (argmax of NaN scores: class 0), as nnlab records it."""
    out = []
    for e in range(at + 1):
        bad = e >= at
        out.append({"epoch": e, "loss": None if e == 0 or bad else 50.0,
                    "train_loss": None if bad else 5e4, "train_acc": nan_acc if bad else 0.106,
                    "test_loss": None if bad else 5e4, "test_acc": nan_acc if bad else 0.14})  # fmt: skip
    return out
