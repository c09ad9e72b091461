"""Every figure nnlab draws, one module per experiment family; matplotlib is imported lazily,
with the Agg backend (no screen), and only inside this package.

Each figure is a ``<name>_figure(data...)`` that builds a matplotlib Figure from plain data
(lists, arrays, dicts), for tests to read; ``save(figure, path)`` writes it as one PNG,
atomically: ``from nnlab import plots; plots.save(plots.<name>_figure(...), path)``.
"""

from __future__ import annotations

from nnlab.plots.activations import activation_histograms_figure
from nnlab.plots.base import (
    Canvas,
    Drawing,
    IdleCanvas,
    Painter,
    draw_all,
    import_in_background,
    named,
    painters,
    prepare_all,
    pyplot,
    save,
)
from nnlab.plots.gradcheck import gradcheck_differences_figure
from nnlab.plots.landscape import (
    landscape_contour_figure,
    landscape_line_figure,
)
from nnlab.plots.lr_scan import lr_scan_figure
from nnlab.plots.optimizers import (
    optimizer_loss_curves_figure,
    optimizer_paths_1d_figure,
    optimizer_paths_2d_figure,
)
from nnlab.plots.sweep import sweep_curves_figure
from nnlab.plots.train import (
    TRAIN_CURVES_AHEAD,
    accuracy_gaps_figure,
    held_out,
    train_curves_canvas,
    train_curves_figure,
    train_curves_ticks,
)
from nnlab.plots.tune import tune_curves_figure, tune_scatter_figure
from nnlab.plots.weight_scale import (
    weight_scale_grid,
    weight_scale_grid_canvas,
    weight_scale_grid_figure,
    weight_scale_summary_figure,
)

__all__ = [
    "TRAIN_CURVES_AHEAD",
    "accuracy_gaps_figure",
    "held_out",
    "activation_histograms_figure",
    "gradcheck_differences_figure",
    "Canvas",
    "Drawing",
    "IdleCanvas",
    "draw_all",
    "Painter",
    "painters",
    "import_in_background",
    "landscape_contour_figure",
    "landscape_line_figure",
    "lr_scan_figure",
    "named",
    "optimizer_loss_curves_figure",
    "optimizer_paths_1d_figure",
    "optimizer_paths_2d_figure",
    "prepare_all",
    "pyplot",
    "save",
    "sweep_curves_figure",
    "train_curves_canvas",
    "train_curves_figure",
    "train_curves_ticks",
    "tune_curves_figure",
    "tune_scatter_figure",
    "weight_scale_grid",
    "weight_scale_grid_canvas",
    "weight_scale_grid_figure",
    "weight_scale_summary_figure",
]
