"""Rendering results on stdout: a table (``nnlab.output``), JSON or CSV."""

from __future__ import annotations

from typing import Any

from nnlab import output
from nnlab.cli.common import echo
from nnlab.output import Format, Table


def emit(
    rows: list[dict[str, Any]],
    fmt: Format,
    columns: list[str] | None = None,
    title: str | None = None,
) -> None:
    """Result rows on stdout as a table (``columns``, ``title``), JSON or CSV (every field)."""
    if fmt == Format.json:
        echo(output.to_json(rows))
    elif fmt == Format.csv:
        echo(output.to_csv(rows, columns), nl=False)
    else:
        output.print_table(rows, columns, title)


def emit_table(table: Table, fmt: Format) -> None:
    """A result ``Table`` (its kind's, as its folder's summary.txt and ``runs show`` draw it)
    on stdout, as ``emit`` gives rows."""
    emit(table.rows, fmt, table.columns, title=table.title)


def emit_json(obj: Any) -> None:
    """One JSON object on stdout (``--format json`` of a command with one result)."""
    echo(output.to_json(obj))
