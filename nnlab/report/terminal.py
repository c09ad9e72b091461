"""The text of the cells of a folder's results table as the terminal prints it: the table an
lr-scan, an activations run or a compare-optimizers run printed at its end (and ``runs show``
draws again from the folder's file), drawn here by the same function from the same file, so a
value of the report's table of those rows reads as it does there. It read otherwise: an
activations std of 2.6846 where the terminal said 2.685 (its 4 significant digits),
compare-optimizers' start [-7.0, 2.0] for (-7, 2) and its adam's hyperparameters with every
default. Plain functions of a folder's stored dicts; nothing is read here.
"""

from __future__ import annotations

from typing import Any

from nnlab.output import Table, column_format, table_cell

# the list of rows each kind's table is drawn from, in the file it is drawn from
ROWS = {"lr-scan": "rows", "activations": "rows", "compare-optimizers": "runs"}


def kind_table(kind: str, name: str, stored: Any) -> Table | None:
    """The table ``kind``'s command printed of ``stored`` (its summary.json, or result.json:
    ``showing.stored_table``'s), None for a kind without one here or a file it cannot draw
    from (a damaged one is said elsewhere: its rows read as they are)."""
    try:
        if kind == "lr-scan":
            from nnlab.experiments.lr_scan import summary_table

            return summary_table(name, stored)
        if kind == "activations":
            from nnlab.experiments.activations import summary_table as activations_table

            return activations_table(stored)
        if kind == "compare-optimizers":
            from nnlab.experiments.optimizers import comparison_table

            return comparison_table(stored)
    except Exception:  # (a file the table cannot be drawn from: the report shows it as it is)
        return None
    return None


def said(kind: str, name: str, stored: Any, key: str) -> list[dict[str, str]] | None:
    """Each row's cells as the terminal prints them (by column, named as the JSON's keys:
    ``final_point`` for its ``final point``), where ``stored[key]`` is the list of rows
    ``kind``'s table is drawn from and the table has a row for each; else None."""
    rows = stored.get(key) if isinstance(stored, dict) and ROWS.get(kind) == key else None
    table = kind_table(kind, name, stored) if isinstance(rows, list) else None
    if table is None or rows is None or len(table.rows) != len(rows):
        return None
    columns = table.columns or list(dict.fromkeys(c for r in table.rows for c in r))
    specs = {c: column_format(table.rows, c) for c in columns}
    return [
        {c.replace(" ", "_"): table_cell(r[c], c, specs[c]) for c in columns if c in r}
        for r in table.rows
    ]
