"""``nnlab activations``: histograms of hidden-layer activations by activation and init."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.plots import base


def _row_range(layers: list[Any]) -> tuple[float, float]:
    """0 .. the 99.5th percentile of the row's finite non-zero values (1 if there are none)."""
    flat = np.concatenate([np.ravel(a) for a in layers])
    flat = flat[(flat != 0) & np.isfinite(flat)]
    top = float(np.percentile(flat, 99.5)) if flat.size else 1.0
    return (0.0, top if top > 0 else 1.0)


def _histogram(ax: Any, values: Any, lo_hi: tuple[float, float], drop_zeros: bool, bins: int,
               color: str) -> None:  # fmt: skip
    values = np.ravel(values)
    keep = np.isfinite(values) & ((values != 0) if drop_zeros else True)
    counts, edges = np.histogram(values[keep], bins=bins, range=lo_hi)
    ax.stairs(counts, edges, fill=True, color=color)
    pad = 0.03 * (lo_hi[1] - lo_hi[0])
    ax.set_xlim(lo_hi[0] - pad, lo_hi[1] + pad)
    ax.locator_params(axis="x", nbins=3)
    ax.locator_params(axis="y", nbins=3)
    ax.tick_params(labelsize=7)


def activation_histograms_figure(
    settings: dict[str, list[Any]],
    ranges: dict[str, tuple[float, float] | None] | None = None,
    notes: dict[str, list[str]] | None = None,
    bins: int = 30,
) -> Any:
    """A grid of histograms: one row per setting, one column per layer (DLFS fig. 6-10 .. 6-14).

    ``settings`` maps a row label to its layers' activation arrays; ``ranges`` the row's
    histogram range (None: 0 .. the row's 99.5th percentile, and exact zeros - dead ReLU
    outputs - left out of the bars; say how many in ``notes``); ``notes`` a text per panel.
    Rows share their x range and y axis so the layers of one setting compare directly.
    """
    plt = base.pyplot()
    labels = list(settings)
    n_rows, n_cols = len(labels), max(len(v) for v in settings.values())
    height = 1.55 * n_rows + 0.6
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(2.3 * n_cols, height), squeeze=False, sharey="row"
    )
    for r, label in enumerate(labels):
        layers = settings[label]
        lo_hi = (ranges or {}).get(label)
        drop_zeros = lo_hi is None
        lo_hi = _row_range(layers) if lo_hi is None else lo_hi
        text = (notes or {}).get(label, [])
        for c, a in enumerate(layers):
            ax = axes[r][c]
            _histogram(ax, a, lo_hi, drop_zeros, bins, f"C{r % 10}")
            if r == 0:
                ax.set_title(f"layer {c + 1}", fontsize=9)
            if c == 0:
                ax.set_ylabel(label, fontsize=9)
            if c < len(text) and text[c]:
                ax.text(0.97, 0.93, text[c], transform=ax.transAxes, ha="right", va="top",
                        fontsize=7, bbox={"facecolor": "white", "alpha": 0.7, "lw": 0})  # fmt: skip
        for c in range(len(layers), n_cols):
            axes[r][c].axis("off")
    fig.subplots_adjust(hspace=0.35, wspace=0.15, top=1 - 0.45 / height)
    fig.suptitle("hidden-layer activations by activation / init", fontsize=11, y=1 - 0.05 / height)
    return fig
