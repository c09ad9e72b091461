"""DLFS chapter 6.3.2: weight-init scale x BatchNorm on/off, as a sweep preset.

The sweep itself is ``weight-scale.yaml`` beside this module, run by the generic sweep
machinery; this module only says how to show the result the way the book does: one row per
scale (BatchNorm vs plain final accuracy), a 4 x 4 grid of training-accuracy curves (BatchNorm
solid, plain dashed) and final accuracy against the scale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nnlab.sweep.presets.base import Preset, Row

if TYPE_CHECKING:
    from nnlab import runs
    from nnlab.config_model import Config
    from nnlab.plots.base import Canvas, Drawing

SCALE_KEY, BN_KEY = "model.init_std", "model.batchnorm"
PAIR_COLUMNS = ["weight_scale", "bn_train", "nobn_train", "bn_test", "nobn_test", "status"]
GRID_KEY = "train_acc"  # what the grid shows per epoch (the book's figure 6-19)
PAIR_TITLE = "final accuracy with (bn) and without (nobn) BatchNorm; status bn/nobn"


class WeightScale(Preset):
    name = "weight-scale"
    summary = (
        "DLFS 6.3.2: 16 weight-init scales x BatchNorm on/off, 5x100 ReLU nets, SGD, 20 epochs."
    )
    help = (
        "The table has one row per scale (final train/test accuracy with and without "
        "BatchNorm); --format json|csv gives one object per trial. Plots: weight-scale.png "
        "(4x4 accuracy curves) and weight-scale-summary.png in the sweep folder."
    )
    example = "nnlab sweep weight-scale --dataset mnist --data-dir ../shared/data --jobs 2"
    datasets = ("digits", "mnist")
    n_figures = 2
    keys = (SCALE_KEY, BN_KEY)

    def dataset_overrides(self, dataset: str) -> list[str]:
        """The book's 1,000 training samples on either dataset."""
        return [f"dataset.name={dataset}", "dataset.n_train=1000"]

    def table(self, rows: list[Row], title: str) -> tuple[list[Row], list[str] | None, str]:
        return pair_rows(rows), PAIR_COLUMNS, f"{title}: {PAIR_TITLE}"

    def objects(self, rows: list[Row]) -> list[Row]:
        return trial_objects(rows)

    def canvases(self, configs: list[Config]) -> list[Canvas | None]:
        """The grid's panels: one per scale, over the longest run's epochs (as ``figures``
        draws them when any net trains to its end)."""
        from nnlab import plots

        n_panels = len({cfg.model.init_std for cfg in configs})
        last = max([1, *(cfg.epochs for cfg in configs)])
        return [plots.Canvas(plots.weight_scale_grid_canvas, (n_panels, last, GRID_KEY)), None]

    def figures(
        self, run: runs.RunDir, rows: list[Row], curves: dict[str, list[dict[str, Any]]]
    ) -> list[Drawing]:
        return figures(run, rows, curves)


def trial_objects(rows: list[Row]) -> list[dict[str, Any]]:
    """One object per trial: weight_scale, batchnorm, status, final/best accuracies,
    epochs_done, trial, seed."""
    out = []
    for r in rows:
        obj: dict[str, Any] = {
            "weight_scale": r.get(SCALE_KEY),
            "batchnorm": r.get(BN_KEY),
            "status": r["status"],
        }
        if "diverged_epoch" in r:
            obj["diverged_epoch"] = r["diverged_epoch"]
        obj.update({k: v for k, v in r.items() if k.startswith(("final_", "best_"))})
        done = r.get("epochs_done", r.get("epochs"))  # (an older sweep's row: epochs)
        obj.update({"epochs_done": done, "trial": r["trial"], "seed": r["seed"]})
        if "error" in r:
            obj["error"] = r["error"]
        out.append(obj)
    return out


def _pairs(rows: list[Row]) -> list[tuple[float, Row | None, Row | None]]:
    """(scale, BatchNorm row, plain row) per scale, largest scale first (the book's order)."""
    by_scale: dict[float, dict[bool, Row]] = {}
    for r in rows:
        by_scale.setdefault(r[SCALE_KEY], {})[bool(r.get(BN_KEY))] = r
    return [(s, d.get(True), d.get(False)) for s, d in sorted(by_scale.items(), reverse=True)]


def _short(status: str | None) -> str:
    return {"COMPLETED": "ok", None: "-"}.get(status, status or "-")


def pair_rows(rows: list[Row]) -> list[dict[str, Any]]:
    """The book's comparison: one row per scale, final accuracies with BatchNorm (``bn_*``) and
    without (``nobn_*``); ``status`` is ``<BN>/<no BN>`` with ``ok`` for COMPLETED. A net that
    diverged has no final accuracy (``nnlab.summary``'s rule: the accuracy of NaN scores, 0, is
    not a result)."""
    out = []
    for scale, bn, plain in _pairs(rows):

        def get(r: Row | None, key: str) -> Any:
            return None if r is None else r.get(key)

        out.append(
            {
                "weight_scale": scale,
                "bn_train": get(bn, "final_train_acc"),
                "nobn_train": get(plain, "final_train_acc"),
                "bn_test": get(bn, "final_test_acc"),
                "nobn_test": get(plain, "final_test_acc"),
                "status": f"{_short(get(bn, 'status'))}/{_short(get(plain, 'status'))}",
            }
        )
    return out


def figures(
    run: runs.RunDir, rows: list[Row], curves: dict[str, list[dict[str, Any]]]
) -> list[Drawing]:
    """``weight-scale.png`` (4 x 4 grid of train-accuracy curves) and
    ``weight-scale-summary.png`` (final accuracy vs scale) in the sweep folder."""
    from nnlab import plots

    panels = []
    for scale, bn, plain in _pairs(rows):
        panels.append(
            {
                "scale": scale,
                "bn": curves.get(bn["trial"], []) if bn else [],
                "plain": curves.get(plain["trial"], []) if plain else [],
                "bn_status": bn["status"] if bn else None,
                "plain_status": plain["status"] if plain else None,
                "bn_diverged_epoch": bn.get("diverged_epoch") if bn else None,
                "plain_diverged_epoch": plain.get("diverged_epoch") if plain else None,
            }
        )
    table = [
        {**row, "bn_status": bn and bn["status"], "nobn_status": plain and plain["status"]}
        for row, (_, bn, plain) in zip(pair_rows(rows), _pairs(rows))
    ]
    grid_title = plots.named(run.id, "training accuracy per epoch")
    return [  # (the grid, the larger, first: a painter draws it while this process does the rest)
        plots.Drawing(
            plots.weight_scale_grid_figure,
            run.file("weight-scale.png"),
            (panels, GRID_KEY, grid_title),
            tight=False,
        ),  # fmt: skip
        plots.Drawing(
            plots.weight_scale_summary_figure,
            run.file("weight-scale-summary.png"),
            (table,),
            {"title": plots.named(run.id, "final accuracy by weight init scale")},
            tight=False,
        ),  # fmt: skip
    ]
