"""The rows one folder has as a table, by its kind, as ``nnlab runs show -f csv`` writes them:
a training run's per-epoch records, a sweep's or a tune's trials (one row each, with its status
as its folder says now), or the rows of the table an lr-scan, landscape, activations or
compare-optimizers printed (as ``showing.stored_table`` read it)."""

from __future__ import annotations

from typing import Any

from nnlab.errors import ConfigError
from nnlab.output import Table


def folder_rows(view: Any) -> list[dict[str, Any]]:
    """The rows of the folder ``view`` (``showing.show_run``'s ``RunView``) shows; ConfigError
    for a folder that has none (an empty output read as success)."""
    from nnlab import sweep

    if view.metrics:
        return list(view.metrics)
    if view.run.kind in ("sweep", "tune"):  # (as its folders say now: DAMAGED or MISSING, why)
        if view.run.kind == "sweep":
            rows = sweep.sweep_rows(view.run)
        else:
            rows = sweep.tune_rows(view.run, files=True)
        return [{**row, "reason": row.get("reason")} for row in rows]
    if isinstance(view.table, Table):  # (the rows of the table its command printed, as stored)
        return list(view.table.rows)
    raise ConfigError(
        f"{view.run.path}: a {view.run.kind} folder has no per-epoch records, trial rows or "
        "table of rows to write as CSV; -f json gives all it holds"
    )
