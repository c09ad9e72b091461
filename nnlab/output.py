"""Rendering result rows for the terminal: a rich table, JSON or CSV, all on stdout."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from enum import Enum
from typing import Any


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            return f"{value:.3e}"
        return f"{value:.4f}"
    return str(value)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def to_json(data: Any) -> str:
    """JSON text; NaN/inf become null so the output is strict JSON."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if hasattr(v, "tolist"):
            return clean(v.tolist())
        return v

    return json.dumps(clean(data), indent=2, default=_json_default)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or _columns(rows))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k) for k in columns})
    return buf.getvalue()


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        cols.extend(k for k in row if k not in cols)
    return cols


def render_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None, title: str | None = None
):
    """A rich Table of ``rows`` (a list of dicts), numbers right-aligned."""
    from rich.table import Table

    columns = list(columns or _columns(rows))
    table = Table(title=title)
    numeric = {
        c: all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows)
        for c in columns
    }
    for c in columns:
        table.add_column(c, justify="right" if numeric[c] else "left")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    return table


def table_text(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    title: str | None = None,
    width: int = 160,
) -> str:
    """The rich table as plain text (for summary files written into run folders)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(render_table(rows, columns, title))
    return console.export_text()
