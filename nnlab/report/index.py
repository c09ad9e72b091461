"""The report's index page: one row per folder (run, sweep, tune, other experiment, damaged or
unknown folder) with kind, status, name, dataset, the config keys in which runs differ, final and
best metrics, duration and date; sortable, filterable, and a compare view of the ticked runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from nnlab.report import facts
from nnlab.report.collect import Entry
from nnlab.report.pages import badge, cell, esc, layout
from nnlab.report.tables import (
    COMPARE_PANEL,
    epochs,
    heads,
    link,
    metric_cells,
    metric_columns,
    pick,
    row,
    table,
    time_cells,
)


def index_row(entry: Entry, keys: Sequence[str], metrics: Sequence[str]) -> str:
    config = facts.flat_config(entry) if entry.kind in facts.RUN_KINDS else {}
    data = facts.dataset(entry)
    name = entry.name
    cells = [pick(entry, name), f"<td>{esc(entry.kind)}</td>", cell(None, badge(entry.status))]
    cells += [link("", entry, name), cell(None, esc(data))]
    cells += [cell(config.get(k)) for k in keys]
    cells += metric_cells(entry, metrics)
    cells += [cell(_epochs(entry))] + time_cells(entry)
    cells.append(f'<td class="notes">{esc(facts.notes(entry))}</td>')
    search = " ".join([entry.kind, entry.status, name, entry.rel, data, facts.notes(entry)])
    search += " " + " ".join(f"{k}={facts.short(config.get(k))}" for k in keys)
    return row(entry, cells, search)


def _epochs(entry: Entry) -> object:
    return epochs(entry) if entry.kind not in facts.SWEEP_KINDS else None


def index_page(entries: Sequence[Entry], runs_dir: str, built: str) -> str:
    keys = facts.differing_keys(entries)
    metrics = metric_columns(entries)
    names = ["kind", "status", "name", "dataset", *keys, *metrics]
    names += ["epochs", "duration", "date", "notes"]
    rows = [index_row(e, keys, metrics) for e in entries]
    counts = facts.counts_text(facts.status_counts(entries))
    intro = (
        f'<h1>nnlab report</h1><p class="sub">{len(entries)} folders in {esc(runs_dir)}'
        f"{' (' + esc(counts) + ')' if counts else ''} · built {esc(built)}</p>"
    )
    if not entries:
        intro += f'<p class="note">No run folders under {esc(runs_dir)} yet.</p>'
    body = intro + table("runs", heads(names), rows) + COMPARE_PANEL
    return layout("index", "", body, data_script="data.js")
