"""A general sweep's figure: every trial's accuracy per epoch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnlab.plots.base import curve, pyplot, save


def accuracy_key(records: list[dict[str, Any]]) -> str | None:
    """The held-out accuracy if recorded (test, then val), else the training accuracy."""
    first = records[0] if records else {}
    for key in ("test_acc", "val_acc", "train_acc"):
        if key in first:
            return key
    return None


def sweep_curves_figure(
    rows: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    title: str = "",
) -> Any:
    """Every trial's accuracy per epoch (held-out split if any), one line per trial.

    With up to 12 trials each line is labelled by its swept values; beyond that, lines are thin
    and unlabelled and the figure shows the spread.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    key = None
    labelled = len(rows) <= 12
    for row in rows:
        records = curves.get(row["trial"]) or []
        key = key or accuracy_key(records)
        if not records or key is None:
            continue
        label = ", ".join(f"{k.split('.')[-1]}={row.get(k)}" for k in keys) or row["trial"]
        ax.plot(
            *curve(records, key),
            lw=1.2 if labelled else 0.6,
            alpha=1.0 if labelled else 0.5,
            label=label if labelled else None,
        )
    ax.set(xlabel="epoch", ylabel=(key or "accuracy").replace("_", " "), ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    if labelled and rows:
        ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title or f"{len(rows)} trials", fontsize=9)
    return fig


def sweep_curves(
    rows: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    path: Path,
    title: str = "",
) -> Path:
    """``sweep_curves_figure`` written to ``path``."""
    return save(sweep_curves_figure(rows, curves, keys, title), path)
