"""The report's run tables, shared by the index (one row per folder) and a sweep's page (one row
per trial): sortable columns, a filter, a tick box per run with curves, and the compare panel that
overlays the ticked runs' curves (drawn by report.js from the page's ``data.js``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from nnlab import times
from nnlab.output import number
from nnlab.report import facts
from nnlab.report.collect import Entry
from nnlab.report.pages import esc, href, page_of, short_id
from nnlab.report.svg import finite
from nnlab.report.values import cell, is_time, when
from nnlab.streams import undecoded_escaped
from nnlab.summary import epochs_of


def metric_columns(entries: Sequence[Entry]) -> list[str]:
    """The metric columns any of ``entries`` has a value for, in METRIC_COLUMNS order."""
    present = {k for e in entries for k, v in facts.row_metrics(e).items() if v is not None}
    return [k for k in facts.METRIC_COLUMNS if k in present]


def epochs(entry: Entry) -> Any:
    value = entry.summary.get("epochs")
    if value is None and entry.records:
        value = entry.records[-1].get("epoch")
    return value


def epochs_cell(entry: Entry) -> str:
    """The "epochs done" cell of a training run or trial: its epochs, and for one that did not
    complete short of its config's (``summary.epochs_of``'s rule) both, as its page's
    progress says them (``facts.of_planned``: ``1,831 of 2,000``; it read ``1831/2000``);
    thousands grouped; sorted by the epochs done."""
    done = epochs(entry)
    planned = entry.config.get("epochs") if entry.kind in facts.RUN_KINDS else None
    whole = isinstance(done, int) and not isinstance(done, bool)
    if isinstance(planned, int) and epochs_of(done, planned, entry.status) != done:
        # (no-break spaces: one count, on one line at every width; report.css's narrow index
        # wrapped it at its second space, '214 of' over '2,000', read as two values)
        return cell(done, esc(facts.of_planned(done, planned)).replace(" ", "&#160;"))
    return cell(done, f"{done:,}" if whole else None)


def pick(entry: Entry, label: str) -> str:
    """A tick box for the compare view, for an entry with curves, named for a screen reader
    by ``label`` and the folder's short id where the label lacks it (three runs of one name
    were three boxes read alike, 'compare digits-quickstart')."""
    if not facts.curves_of(entry).keys:
        return "<td></td>"
    sid = short_id(entry)
    named = label if sid in label else f"{label} ({sid})"
    return (
        f'<td><input type="checkbox" class="pick" value="{esc(entry.rel)}" '
        f'aria-label="compare {esc(named)}"></td>'
    )


def row(entry: Entry, cells: Sequence[str], search: str, best: int | None = None) -> str:
    """A table's row of ``entry``; ``best``: a trial's place in its sweep's order of best
    (``facts.best_order``; None: it cannot be best), by which report.js names the best of
    the rows a filter keeps."""
    place = "" if best is None else f' data-best="{best}"'
    return (
        f'<tr data-kind="{esc(entry.kind)}" data-status="{esc(entry.status)}" '
        f'data-rel="{esc(entry.rel)}" data-search="{esc(search.lower())}"{place}>'
        f"{''.join(cells)}</tr>"
    )


def notes_cell(note: str, others: str) -> str:
    """A trial's notes: ``note`` as built (its sweep's best, then ``others``); report.js
    writes it again from ``others`` as a filter keeps rows, "best" on the best of those kept
    (it stayed on the sweep's best, hidden, or over a better row's kept)."""
    return f'<td class="notes" data-notes="{esc(others)}">{esc(note)}</td>'


def link(from_rel: str, entry: Entry, text: str) -> str:
    """The name cell: a link to the entry's page (a long name cut short, whole in its title)."""
    target = href(from_rel, page_of(entry.rel))
    return f'<td class="name"><a href="{target}" title="{esc(text)}">{esc(text)}</a></td>'


def metric_cells(entry: Entry, columns: Sequence[str]) -> list[str]:
    """The entry's value in each metric column: blank where it has no such metric, ``-`` where
    its summary says there is none (``nnlab.summary``: a diverged run's finals)."""
    values = facts.row_metrics(entry)
    return [cell(values.get(c), _number(values.get(c), c in values)) for c in columns]


def _number(value: Any, recorded: bool = False) -> str:
    value_ = finite(value)
    return number(value_) if value_ is not None else ("-" if recorded else "")


def started_cell(entry: Entry) -> str:
    """When the folder's work started, to the minute as ``runs list`` says it (its recorded
    time whole in the cell's ``<time>``), sorting by its time stamp."""
    started = facts.started(entry)
    recorded = entry.meta.get("started") or entry.modified
    shown = (
        when(recorded, seconds=False, apart=True)
        if is_time(recorded)
        else esc(facts.date_text(entry))
    )
    return cell(times.instant(started) if started else None, shown)


# the tick boxes' column: its header named for a screen reader (an empty header cell is read
# as a blank one), not shown, not a sort button
PICKS_HEAD = '<th scope="col" data-col="" class="picks"><span class="vh">compare</span></th>'
DOWN = ' aria-sort="descending"'  # (report.js sorts ascending from it on the first click)


def table(
    table_id: str,
    heads: Sequence[str],
    rows: Sequence[str],
    sorted_down: int | None = None,
    name: str = "",
) -> str:
    """A sortable, filterable table with its filter controls (text, kind, status);
    ``sorted_down``: the column the rows come sorted by, descending, its header marked so;
    ``name``: what a screen reader's list of tables calls it (it read a table without one).
    A header may wrap after a dot (a sweep's keys, ``optimizer.<wbr>lr``): one word a key, a
    sweep's trials over three keys were 174 px wider than their box at 1,024 px."""
    head = "".join(
        f'<th scope="col" data-col="{h}"{DOWN if i == sorted_down else ""}>'
        f"{h.replace('.', '.<wbr>')}</th>"
        if h
        else PICKS_HEAD
        for i, h in enumerate(heads)
    )
    rows = [labelled(r, heads) for r in rows]
    named = f' aria-label="{esc(name)}"' if name else ""
    return (
        f'<div class="controls" data-table="{table_id}"><input type="search" class="filter" '
        'placeholder="filter: words in any column" aria-label="filter rows">'
        '<select class="filter-kind" aria-label="kind"><option value="">every kind</option></select>'
        '<select class="filter-status" aria-label="status"><option value="">every status</option>'
        '</select><span class="shown" role="status"></span></div>'  # (read out as it changes)
        f"<noscript>{NO_SCRIPT}</noscript>"
        f'<div class="scroll"><table id="{table_id}" class="runs sortable"{named}><thead><tr>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


# (with JavaScript off the controls, the tick boxes and the compare view did nothing, shown as
# if they worked: report.css leaves them out, and this says why)
NO_SCRIPT = (
    '<p class="note">JavaScript is off: the table is not sorted or filtered, and runs are not '
    "compared; every value is in it.</p>"
)


def labelled(row_html: str, heads: Sequence[str]) -> str:
    """``row_html`` with each cell's column header as its ``data-label``: in a narrow window
    (report.css) a row is a card whose values are labelled, as the headers above them are not.
    (Every ``<td`` of a row is a cell of its own: text in it is escaped.)"""
    first, *cells = row_html.split("<td")
    labels = [*heads, *[""] * len(cells)]
    return first + "".join(f'<td data-label="{h}"{c}' for h, c in zip(labels, cells))


def heads(labels: Sequence[str]) -> list[str]:
    """The header cells: the tick-box column, then ``labels`` as given (config keys verbatim,
    ``optimizer.lr``; other columns through :func:`facts.label`)."""
    return [""] + [esc(text) for text in labels]


# (the link to the compare view, shown while runs are ticked and the view is out of sight: on a
# phone it is 150 cards below the first tick box, and a tick seemed to do nothing)
COMPARE_PANEL = (
    '<a class="to-compare" href="#compare" hidden></a>'
    '<section id="compare" class="compare"><h2>Compare</h2>'
    '<p class="note hint">Tick runs in the table to overlay their curves here.</p>'
    '<div class="compare-controls"><label>metric <select class="compare-metric"></select></label> '
    '<button type="button" class="compare-clear">clear</button></div>'
    '<div class="compare-chart"></div><div class="legend compare-legend"></div></section>'
)


def data_script(
    entries: Sequence[Entry], labels: dict[str, str], piece: Piece | None = None
) -> str:
    """``data.js``: the curves of every entry that has some, for the compare view. A script, not
    a JSON file, because a page opened from ``file://`` may not fetch() its neighbours. A
    DIVERGED run's label says so: its curve stops short, and the compare view has no cross.
    Each entry's part is drawn by ``piece`` (a rebuild's keeps the last build's of an entry
    unchanged, ``reuse.Reuse.piece``: serialising every run's curves again was a third of a
    rebuild of 300 unchanged runs)."""
    piece = piece or drawn
    # (a rel of a name that is not UTF-8 as its tick box's value reads, ``build.Site.write``:
    # '\xe9'; JSON's '\udce9' named no box)
    parts: dict[str, str] = {}  # (a rel escaped as another reads: the last one's, as a dict)
    for e in entries:
        label = labels.get(e.rel)
        part = piece(e, "data.js", label, partial(_curves_part, e, label))
        if part:
            parts[undecoded_escaped(e.rel)] = part
    return 'window.NNLAB_DATA = {"curves":{' + ",".join(parts.values()) + "}};\n"


# how a piece of a page is drawn: (entry, what piece, what else it is drawn from, draw it)
Piece = Callable[[Entry, str, Any, Callable[[], str]], str]


def drawn(entry: Entry, what: str, depends: Any, make: Callable[[], str]) -> str:
    """A piece drawn anew (what a build without a last one to keep from does)."""
    return make()


def _curves_part(entry: Entry, label: str | None) -> str:
    """The entry's ``"<rel>":{"label":...,"curves":...}`` in data.js, or "" (no curves)."""
    if not facts.curves_of(entry).keys:
        return ""
    value = {
        "label": undecoded_escaped(_compare_label(entry, label)),
        "curves": facts.curves_of(entry).compact(),
    }
    text = json.dumps(undecoded_escaped(entry.rel)) + ":"
    text += json.dumps(value, separators=(",", ":"), allow_nan=False, default=str)
    return text.replace("://", ":\\/\\/").replace("</", "<\\/")


def _compare_label(entry: Entry, label: str | None) -> str:
    at = facts.curves_of(entry).at
    label = entry.name if label is None else label
    return label if at is None else f"{label} (diverged at epoch {at})"
