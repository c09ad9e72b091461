"""A landscape's summary, its table and its figures: what ``nnlab landscape`` writes into its
folder once the grid is computed (``landscape._complete``), and what ``runs show`` prints;
where ``--png`` copies its figures (``figure_copies``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnlab import runs
from nnlab.experiments.landscape_file import Settings
from nnlab.numbers import of_total
from nnlab.output import Table, counted


@dataclass
class LandscapeResult:
    """The landscape's run folder, its grids (NaN where not computed) and summary."""

    run: runs.RunDir
    alphas: np.ndarray
    line_loss: np.ndarray
    line_acc: np.ndarray
    grid_loss: np.ndarray
    grid_acc: np.ndarray
    summary: dict[str, Any]
    computed: int  # points evaluated by this call (the rest were already in the file)


def _stats(loss: np.ndarray) -> dict[str, Any]:
    finite = loss[np.isfinite(loss)]
    return {
        "points": int(loss.size),
        "computed": int(np.count_nonzero(~np.isnan(loss))),
        "not_finite": int(np.count_nonzero(np.isinf(loss))),
        "min_loss": float(finite.min()) if finite.size else None,
        "max_loss": float(finite.max()) if finite.size else None,
    }


def summarize(result: LandscapeResult, settings: Settings, source: str) -> dict[str, Any]:
    """Settings, the centre's loss and accuracy, and min/max/count for the line and the grid."""
    c = int(np.flatnonzero(result.alphas == 0.0)[0]) if (result.alphas == 0.0).any() else None
    centre = {}
    if c is not None:
        centre = {
            "centre_loss": float(result.grid_loss[c, c]),
            "centre_acc": float(result.grid_acc[c, c]),
        }
    return {
        "status": "COMPLETED",
        "source": source,
        **settings.as_dict(),
        **centre,
        "line": _stats(result.line_loss),
        "grid": _stats(result.grid_loss),
    }


def table_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, label in (("line", "line L(W+aD1)"), ("grid", "plane L(W+aD1+bD2)")):
        s = summary[name]
        rows.append(
            {
                "slice": label,
                "points": of_total(s["computed"], s["points"]),
                "centre_loss": summary.get("centre_loss"),
                "min_loss": s["min_loss"],
                "max_loss": s["max_loss"],
                "not_finite": s["not_finite"],
            }
        )
    return rows


# the directions as tables and figures name them
DIRECTIONS = {"filter": "filter-normalised directions", "none": "unnormalised N(0, 1) directions"}


def directions(normalize: str) -> str:
    return DIRECTIONS.get(normalize, f"directions normalised by {normalize!r}")


def table_title(summary: dict[str, Any]) -> str:
    """The table's title, and on a line of its own where it is centred (which run, which epoch:
    ``landscape latest`` did not say which run it took)."""
    around = f"\naround {summary['source']}" if summary.get("source") else ""
    return (
        f"loss landscape ({directions(summary['normalize'])}, range {summary['lo']:g}:"
        f"{summary['hi']:g}, {counted(summary['points'], 'point')}, {summary['split']} split)"
        f"{around}"
    )


def summary_table(summary: dict[str, Any]) -> Table:
    """The table from the folder's summary.json (as ``write_outputs`` writes it): the line's and the
    plane's points, centre, min and max loss. The one rendering: the command prints it,
    summary.txt holds it, ``runs show`` draws it from the folder's checked summary.json."""
    return Table(table_rows(summary), title=table_title(summary))


def short_source(source: str) -> str:
    """The centre as a figure names it: ``run r/<sweep>/trials/0e26a8d7 (epoch 10)`` as ``run
    0e26a8d7 (epoch 10)``, each path by its last part, a folder's without its time stamp
    (``run mnist-1000-6f387f``: the whole id broke the title mid-word); ``summary.json`` keeps
    the path."""
    import re
    from pathlib import PurePath

    def short(word: str) -> str:
        return re.sub(r"^\d{8}-\d{6}-", "", PurePath(word).name) if "/" in word else word

    return " ".join(short(w) for w in source.split(" "))


def write_outputs(result: LandscapeResult, name: str) -> None:
    """summary.json, summary.txt (its table) and the two figures into the result's folder."""
    from nnlab import plots

    run, summary = result.run, result.summary
    run.write_json("summary.json", summary)
    run.write_text("summary.txt", summary_table(run.summary()).text())
    label = f"{name}: {directions(summary['normalize'])}, {summary['split']} split"
    if summary.get("source"):  # (which run: two winners' landscapes read 'bn-init' alike)
        label = f"{name}, {short_source(summary['source'])}\n{label.split(': ', 1)[1]}"
    line = plots.landscape_line_figure(
        result.alphas, result.line_loss, result.line_acc, label, run.id
    )
    plots.save(line, run.file("landscape-1d.png"))
    plane = plots.landscape_contour_figure(result.alphas, result.grid_loss, label, run.id)
    plots.save(plane, run.file("landscape-2d.png"))


def figure_copies(folder: Path, png: Path | None) -> list[tuple[Path, Path]]:
    """(figure, copy) for each figure of the landscape ``folder`` that ``--png`` copies: the
    2-D one to ``png``, the 1-D one beside it (``line_figure_path``); none without ``png``."""
    if png is None:
        return []
    return [
        (folder / "landscape-2d.png", png),
        (folder / "landscape-1d.png", line_figure_path(png)),
    ]


def line_figure_path(png: Path) -> Path:
    """Where ``--png`` puts the 1-D figure: beside the 2-D one, its name's last ``2d`` made
    ``1d`` (landscape-2d.png: landscape-1d.png), else ``-1d`` added (plane.png: plane-1d.png)."""
    stem = png.stem
    at = stem.lower().rfind("2d")
    name = f"{stem[:at]}1d{stem[at + 2 :]}" if at >= 0 else f"{stem}-1d"
    return png.with_name(name + png.suffix)
