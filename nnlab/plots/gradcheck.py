"""``nnlab gradcheck --compare-differences``: forward vs centred differences against the step."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import palette
from nnlab.plots import base


def gradcheck_differences_figure(
    steps: list[float], forward: list[float], centred: list[float], title: str = "", run: str = ""
) -> Any:
    """Relative error of forward and centred differences against the step, on log-log axes.

    Dotted guides mark the optimal steps for float64: sqrt(machine eps) ~ 1.5e-8 for forward
    differences (truncation O(h) vs round-off O(eps/h)), cbrt(machine eps) ~ 6e-6 for centred
    ones (truncation O(h^2)). The legend is under the axes (in the lower right it met the
    centred curve's minimum). An error of exactly 0 (a net of zero init: both gradients 0) is
    drawn at a floor of 1e-17 on a dashed line the legend names (it read as 1e-17 where the
    table says 0).
    """
    plt = base.pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    floor = 1e-17  # an error of exactly 0 cannot be drawn on a log axis
    ax.plot(
        steps,
        np.maximum(forward, floor),
        color=palette.SERIES[0],
        marker="o",
        label="forward (f(x+h) - f(x)) / h",
    )
    ax.plot(
        steps,
        np.maximum(centred, floor),
        color=palette.SERIES[1],
        marker="s",
        label="centred (f(x+h) - f(x-h)) / 2h",
    )
    mach = float(np.finfo(np.float64).eps)
    for h, text in ((mach**0.5, "sqrt(eps)"), (mach ** (1 / 3), "cbrt(eps)")):
        ax.axvline(h, color="grey", ls=":", lw=1)
        ax.text(
            h,
            0.98,
            f" {text}",
            transform=ax.get_xaxis_transform(),
            va="top",
        )
    ax.axhspan(1e-7, 1e-4, color="orange", alpha=0.08, label="1e-7..1e-4: suspicious")
    if any(e == 0 for e in [*forward, *centred]):  # (drawn at the floor, which reads as 1e-17)
        ax.axhline(floor, color="grey", ls="--", lw=0.8, label="error 0, drawn at 1e-17")
    base.log_scale(ax, "x", "step h")
    base.log_scale(ax, "y", "max relative error vs analytic")
    what = title or "finite differences: truncation vs round-off"
    base.fitted_title(ax, base.named(run, what))
    ax.grid(alpha=0.3)
    base.legend_outside(ax, "below", ncol=2)
    return fig
