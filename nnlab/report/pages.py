"""The report's HTML: the page layout and the pages of a run, a sweep (or tune) and any other
folder. Each function returns text; :mod:`nnlab.report.build` decides where it goes.

A page lives at ``<report>/<rel>/index.html`` (``rel``: the folder's path under the runs root), its
figures beside it, the shared ``_assets/report.css`` and ``report.js`` at the report's root. All
links are relative, so the folder works from ``file://`` and can be zipped as it is.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import yaml

from nnlab.output import (
    ConfigFloat,
    _cell as table_cell,  # (the terminal tables' rule for one cell)
    column_format,
    config_number,
    counted,
    is_config_key,
    number,
    spelled,
)
from nnlab.plots.axes import SPLIT_COLOUR_ORDER, split_colour
from nnlab.report import facts
from nnlab.report.collect import Entry
from nnlab.report.figures import figure
from nnlab.report.svg import Series, esc, finite, legend, line_chart, palette

ASSETS = "_assets"
OBJECTIVE_COLOR = "#000000"  # curves.png draws the training objective black
MAX_ROWS = 200  # rows of a JSON table shown on a page
META_SKIPPED = ("argv", "status", "error", "run_id", "trial", "name", "kind")


def href(from_rel: str, to: str) -> str:
    """A relative link from the page of ``from_rel`` (``""``: the index) to the report path ``to``.
    A folder name that is not UTF-8 (its bytes held as lone surrogates, as Python lists it) is
    linked by those bytes (``%FF``), which is how the page's folder is named on disk."""
    return quote(posixpath.relpath(to, from_rel or "."), errors="surrogateescape")


def page_of(rel: str) -> str:
    return f"{rel}/index.html"


def badge(status: str) -> str:
    return f'<span class="badge s-{esc(status.lower())}">{esc(status)}</span>'


# --- layout -------------------------------------------------------------------------------------
def layout(
    title: str,
    rel: str,
    body: str,
    crumbs: Sequence[tuple[str, str | None]] = (),
    data_script: str | None = None,
) -> str:
    """A whole page: head with the stylesheet, breadcrumbs (``(text, report path or None)``),
    ``body``, the page's data script if any, then report.js."""
    nav = " / ".join(
        f'<a href="{href(rel, to)}">{esc(text)}</a>'
        if to
        else f'<span aria-current="page">{esc(text)}</span>'
        for text, to in crumbs
    )
    # (a link past the crumbs, the first a keyboard reaches: shown when it has the focus)
    skip = '<a class="skip" href="#main">skip to the content</a>' if nav else ""
    nav = f'{skip}<nav class="crumbs" aria-label="breadcrumbs">{nav}</nav>' if nav else ""
    data = f'<script src="{href(rel, data_script)}"></script>' if data_script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} - nnlab report</title>"
        f'<link rel="stylesheet" href="{href(rel, ASSETS + "/report.css")}"></head>\n'
        f'<body>{nav}<main id="main">\n{body}\n</main>'
        f'{data}<script src="{href(rel, ASSETS + "/report.js")}"></script></body></html>\n'
    )


SHORT_ID = re.compile(r"-([0-9a-f]{6})$")  # the random id a run folder's name ends with


def short_id(entry: Entry) -> str:
    """The folder's short id (``025e1f``: a ref every command takes), else its folder name."""
    folder = entry.rel.rsplit("/", 1)[-1]
    found = SHORT_ID.search(folder)
    return found.group(1) if found else folder


def title_of(entry: Entry, names: dict[str, str]) -> str:
    """A page's title, told apart from its neighbours' in a tab or a history: the name, kind and
    short id (``digits-quickstart (lr-scan 0efc06)``; a tune, an lr-scan and a landscape of
    one config were all 'digits-quickstart'), a trial's with its sweep's name (it was its id
    alone)."""
    if entry.kind == "trial" and entry.parent:
        return f"trial {entry.name} of {names.get(entry.parent, entry.parent)}"
    sid = short_id(entry)
    parts = [k for k in (entry.kind,) if not entry.name.startswith(k)]  # (compare-optimizers ...)
    parts += [sid] if not entry.name.endswith(sid) else []
    return f"{entry.name} ({' '.join(parts)})" if parts else entry.name


def crumbs_for(entry: Entry, names: dict[str, str]) -> list[tuple[str, str | None]]:
    """index / sweep / trial: links up to the index and the entry's parent."""
    out: list[tuple[str, str | None]] = [("index", "index.html")]
    if entry.parent:
        out.append((names.get(entry.parent, entry.parent), page_of(entry.parent)))
    out.append((entry.name, None))
    return out


def code(text: str) -> str:
    """A block of text as it is (a config, a sweep's definition), its lines unwrapped: one
    wider than the page scrolls sideways, so the block takes the keyboard's focus (Tab, then
    the arrow keys), as axe-core's scrollable-region-focusable asks."""
    return f'<pre tabindex="0">{esc(text)}</pre>'


def section(title: str, content: str, cls: str = "") -> str:
    if not content:
        return ""
    return f'<section class="{cls}"><h2>{esc(title)}</h2>\n{content}</section>\n'


def header(entry: Entry, subtitle: str) -> str:
    error = entry.error
    box = f'<pre class="error">{esc(error)}</pre>' if error else ""
    return (
        f'<h1>{esc(entry.name)} {badge(entry.status)}</h1><p class="sub">{esc(subtitle)}</p>{box}'
    )


def subtitle(entry: Entry) -> str:
    parts = [entry.kind, entry.rel, facts.dataset(entry), facts.date_text(entry)]
    parts += [facts.duration_text(facts.duration(entry)), facts.progress(entry)]
    return " · ".join(p for p in parts if p)


# --- tables -------------------------------------------------------------------------------------
def compact(value: Any, limit: int = 160, key: str = "") -> str:
    """A cell's text, cut at ``limit``: a float as ``runs show`` and the tables print it
    (``float_text``: an lr-scan's rows read 2.542 beside 0.09733, and 1 for 1.0), other
    scalars via :func:`facts.short`, containers in YAML's flow style with their numbers as
    the tables spell them (``{optimizer.lr: 0.1, final_val_acc: 0.7400}``, not JSON's
    ``{"final_val_acc": 0.74}``). ``key``: what the value is of (a key/value table's key)."""
    if isinstance(value, float):
        text = float_text(value, key)
    elif isinstance(value, (dict, list, tuple)):
        text = flow(value, key)
    else:
        text = facts.explained(key, value) or facts.short(facts.range_text(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def float_text(value: float, key: str = "") -> str:
    """A float as every table spells it: a config value's (a ``ConfigFloat``, or one of a
    config key: ``output.is_config_key``) as the user writes it (``output.config_number``),
    any other, a metric, as it was measured (``output.number``: ``0.7400``, as the table of
    trials beside it)."""
    if isinstance(value, ConfigFloat) or is_config_key(key):
        return config_number(value)
    return number(value)


def flow(value: Any, key: str = "") -> str:
    """``value`` as ``output.spelled`` writes it, each float as ``float_text`` spells it by the
    key it is of (a list's items: the list's key): a tune's best trial reads
    ``{optimizer.lr: 0.003, final_val_acc: 0.7400}``, as its tables do (it read
    ``final_val_acc: 0.74`` above a table of ``0.7400``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v, str(k))}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v, key) for v in value) + "]"
    if isinstance(value, float):
        return float_text(value, key)
    return facts.explained(key, value) or spelled(facts.range_text(value))


CELL_TEXT = 60  # characters of a table cell's value; a longer list is its size
CELL_DICT = 100  # of a dict there: compare-optimizers' final losses and accuracies are ~80
# a cell's text longer than this wraps, in a column at least 12em wide: a tune's rounds table,
# each round's proposed ranges on one line of 100 characters, was 2,714 px wide
CELL_LINE = 40
CELL_PROSE = 400  # characters of a list of text in a table cell (it wraps)


def cell(value: Any, display: str | None = None) -> str:
    """A ``<td>`` whose ``data-v`` is the number it sorts by (when it is one). A list too long
    for a cell (compare-optimizers' path of every step, its 2,000 losses) is its size: its text
    cut at 60 characters was no use and made the table 2,270 px wide. A dict names its values,
    so it is cut at CELL_DICT: its first values read. A list of text (a tune round's warnings)
    is its text, a sentence after another, up to CELL_PROSE characters: its size, '1 entry',
    hid the warning."""
    sort_value = sort_number(value)
    sort = f' data-v="{sort_value!r}"' if sort_value is not None else ""
    if display is None and _empty(value):
        return f"<td>{NONE}</td>"
    if display is None and value and _text_list(value):
        text = "; ".join(value)
        text = text if len(text) <= CELL_PROSE else text[: CELL_PROSE - 1] + "…"
        return (
            f'<td class="long">{esc(text)}</td>'
            if len(text) > CELL_LINE
            else f"<td>{esc(text)}</td>"
        )
    if display is None:
        limit = CELL_DICT if isinstance(value, dict) else CELL_TEXT
        text = compact(value, limit)
        if not (display := sized(value, CELL_TEXT, (list,))) and len(text) > CELL_LINE:
            return f'<td class="long"{sort}>{esc(text)}</td>'  # (it wraps: report.css)
        display = display or esc(text)
    return f"<td{sort}>{display}</td>"


RANGE = re.compile(r"(\S+) \.\. (\S+)")  # a range as a tune writes it: '1e-06 .. 0.01'


def sort_number(value: Any) -> float | None:
    """The number a cell of ``value`` sorts by: a finite number itself, and a range's text
    (``1e-06 .. 0.01``: a tune's searched and proposed ranges) its low end (sorted as text,
    1.23e-05 came before 1e-06, and 7.99e-08 last)."""
    if isinstance(value, str) and (found := RANGE.fullmatch(value.strip())):
        try:
            return finite(float(found.group(1)))
        except ValueError:
            return None
    return finite(value)


def sized(value: Any, limit: int, kinds: tuple[type, ...] = (dict, list)) -> str:
    """A container of ``kinds`` whose text is over ``limit`` characters as its size (``31
    entries``, in a note's colour); "" for one that fits, and for any other value."""
    if not isinstance(value, (dict, list)) or not isinstance(value, kinds):
        return ""
    if len(compact(value, limit + 1)) > limit:
        return f'<span class="note">{esc(counted(len(value), "entry", "entries"))}</span>'
    return ""


def kv_table(items: Sequence[tuple[str, Any]]) -> str:
    if not items:
        return ""
    rows = "".join(
        f'<tr><th scope="row">{esc(k)}</th><td>{kv_value(v, k)}</td></tr>' for k, v in items
    )
    return f'<table class="kv">{rows}</table>'


KV_TEXT = 200  # characters of a value in a key/value table; a longer container is not spelt out
KV_PROSE = 2000  # characters of a text value there (it wraps): a meta.json's data_source is ~200


def kv_value(value: Any, key: str = "") -> str:
    """A key/value table's cell: the value of ``key`` as text (its floats as ``float_text``
    spells them by their keys); a null or an empty list ``none``; a list of sentences (a
    tune's warnings) a sentence a line; an object too long for a line a table of its own
    (``_nestable``); any other container too long to read there (an lr-scan's per-rate curves)
    as its size, pointing to the file (a cut JSON text is no use). Text is whole up to
    KV_PROSE characters: cut at 160, a run's data source lost its splits and a tune's warning
    its advice."""
    value = as_given(value) if key in GIVEN else value
    if value is None or _empty(value):
        return NONE
    if key == "counts" and isinstance(value, dict) and all(type(n) is int for n in value.values()):
        return esc(facts.counts_text(value))  # (as the title says them: 30 COMPLETED, 2 DIVERGED)
    if _text_list(value) and (sized(value, KV_TEXT) or any(" " in v for v in value)):
        return "<br>".join(esc(compact(v, KV_PROSE)) for v in value)  # (a sentence a line)
    if isinstance(value, dict) and sized(value, KV_TEXT) and _nestable(value):
        return kv_table(list(value.items()))
    if sized(value, KV_TEXT):
        what = counted(len(value), "entry", "entries")
        return f'<span class="note">{esc(what)}: see the file in the run folder</span>'
    return esc(compact(value, KV_PROSE, str(key)))


# objects of values the user gave (a tune's settings and its base config, a compare's config,
# each optimizer's hyperparameters): their floats read as given (``config_number``: momentum
# 0.9, val_fraction 0.2, beta2 0.999), not as a measured 0.9000, 0.2000 and 0.9990
GIVEN = ("settings", "base", "config", "hyperparameters")


def as_given(value: Any) -> Any:
    """``value`` with each float in it a ``ConfigFloat`` (``float_text`` spells it as given)."""
    if isinstance(value, dict):
        return {k: as_given(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_given(v) for v in value]
    return ConfigFloat(value) if type(value) is float else value


# what an empty list or object, or a null, reads as in a table: 'warnings []', 'overrides []'
# and a blank 'data_dir' said nothing to a reader
NONE = '<span class="note">none</span>'


def _empty(value: Any) -> bool:
    return isinstance(value, (list, dict)) and not value


def _nestable(value: dict[str, Any]) -> bool:
    """Whether a dict too long for a line reads as a key/value table of its own (a tune's
    settings, a compare's config: they were '10 entries: see the file'): one that holds no
    list of records (an lr-scan's curves per rate: data for the file, not for reading)."""
    return not any(
        isinstance(v, list)
        and any(isinstance(r, dict) for r in v)
        or isinstance(v, dict)
        and not _nestable(v)
        for v in value.values()
    )


def _numeric(rows: Sequence[dict[str, Any]], column: str) -> str:
    """`` class="num"`` for a column of numbers (its header sits over them, right-aligned)."""
    values = [r.get(column) for r in rows[:MAX_ROWS] if r.get(column) is not None]
    return ' class="num"' if values and all(finite(v) is not None for v in values) else ""


def rows_table(rows: Sequence[dict[str, Any]]) -> str:
    """A sortable table of dict rows (the union of their keys as columns), at most MAX_ROWS. A
    column whose every value is a list too long for a cell (``sized``) is named under the table
    instead (``lists_note``): as cells it said only each row's size, and compare-optimizers'
    path and values made its table 1,395 px wide in a 1,280 px window. So is a column of names
    the same in every row as one before it (its ``rule``, the ``optimizer`` unless that is an
    alias)."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    lists = [c for c in columns if _only_sized(rows, c)]
    same = {c: d for i, c in enumerate(columns) if (d := _same_as(rows, c, columns[:i]))}
    columns = [c for c in columns if c not in lists and c not in same]
    # (a header may wrap after an underscore: compare-optimizers' steps_to_tol, diverged_at, ...
    # made its table 1,429 px wide, each header one unbreakable word)
    head = "".join(
        f'<th scope="col"{_numeric(rows, c)}>{esc(c).replace("_", "_<wbr>")}</th>' for c in columns
    )
    specs = {c: column_format(rows[:MAX_ROWS], c) for c in columns}
    body = "".join(
        "<tr>"
        + "".join(
            _row_cell(r.get(c), c, specs[c]) if c not in GIVEN else cell(as_given(r.get(c)))
            for c in columns
        )
        + "</tr>"
        for r in rows[:MAX_ROWS]
    )
    more = (
        f'<p class="note">{counted(len(rows) - MAX_ROWS, "more row")} not shown</p>'
        if len(rows) > MAX_ROWS
        else ""
    )
    return (
        f'<div class="scroll"><table class="data sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>{lists_note(rows, lists)}{same_note(same)}{more}"
    )


def _row_cell(value: Any, column: str, spec: str | None) -> str:
    """A rows table's cell: a finite float as the terminal's table of the same rows prints it
    (``output``'s cell rule: a config value as given, seconds in 2 decimals, a measured number
    in its column's one format, ``column_format``: an lr-scan's step_change read -0.0392 and
    -0.2598 where ``nnlab lr-scan`` printed -0.039158 and -0.259755, and compare-optimizers'
    seconds 1.5037 for 1.50); any other value as ``cell`` spells it."""
    if isinstance(value, float) and finite(value) is not None:
        return cell(value, esc(table_cell(value, column, spec)))
    return cell(value)


def _same_as(rows: Sequence[dict[str, Any]], column: str, before: Sequence[str]) -> str | None:
    """The first of ``before`` whose text ``column`` repeats in every row shown, if any."""
    shown = rows[:MAX_ROWS]
    if not all(isinstance(r.get(column), str) and r[column] for r in shown):
        return None
    return next((b for b in before if all(r.get(b) == r[column] for r in shown)), None)


def same_note(same: dict[str, str]) -> str:
    """``rule: the same as optimizer in every row``, for the columns ``_same_as`` left out."""
    if not same:
        return ""
    text = "; ".join(f"{c}: the same as {d} in every row" for c, d in same.items())
    return f'<p class="note">{esc(text)}</p>'


def _only_sized(rows: Sequence[dict[str, Any]], column: str) -> bool:
    """Whether every row shown has a list of data under ``column`` too long for a cell (not
    one of text: a tune's warnings)."""
    return all(
        sized(v := r.get(column), CELL_TEXT, (list,)) and not _text_list(v) for r in rows[:MAX_ROWS]
    )


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def lists_note(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """The note naming the columns of long lists left out of a table and their sizes: ``path,
    values: a list per row (51 entries); see the file in the run folder``."""
    if not columns:
        return ""
    sizes = [len(r[c]) for r in rows[:MAX_ROWS] for c in columns]
    most = counted(max(sizes), "entry", "entries")
    size = most if min(sizes) == max(sizes) else f"{min(sizes):,} to {most}"
    names = ", ".join(columns)
    return (
        f'<p class="note">{esc(names)}: a list per row ({size}); see the file in the run folder</p>'
    )


def json_view(data: Any, skip: Sequence[str] = ()) -> str:
    """A JSON document as HTML: its scalars (and small containers) as a key/value table, each list
    of objects as a table of its own."""
    if data is None:
        return '<p class="note">too large to show here; see the file in the run folder</p>'
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        return rows_table(data)
    if not isinstance(data, dict):
        return code(compact(data, 4000))
    tables = {
        k: v
        for k, v in data.items()
        if isinstance(v, list) and v and all(isinstance(r, dict) for r in v)
    }
    scalars = [(k, v) for k, v in data.items() if k not in tables and k not in skip]
    out = kv_table(scalars)
    for key, rows in tables.items():
        if key not in skip:
            out += f"<h3>{esc(key)}</h3>{rows_table(rows)}"
    return out


def details(entry: Entry) -> str:
    """The meta file's other fields (times, seed, host, versions, data source, ...)."""
    return kv_table([(k, v) for k, v in entry.meta.items() if k not in META_SKIPPED])


def commands(entry: Entry) -> str:
    items = facts.reproduce(entry, str(entry.path))
    return "".join(
        f'<p class="note">{esc(what)}</p><pre class="cmd">{esc(cmd)}</pre>' for what, cmd in items
    )


def figure_path(entry: Entry, figure: Path) -> str:
    """Where a figure's copy goes, relative to the entry's page: its path in the run folder."""
    return figure.relative_to(entry.path).as_posix()


def figures(entry: Entry) -> str:
    """The folder's figures, linked to the copies beside the page (each file once), each shown
    no narrower than its text is legible at (``report.figures``)."""
    return "".join(
        figure(figure_path(entry, p), entry.kind, entry.sizes.get(p)) for p in entry.figures
    )


# --- a run --------------------------------------------------------------------------------------
def run_charts(entry: Entry) -> str:
    """One SVG chart per group of the run's curves: losses, accuracies, learning rate; a
    DIVERGED run's stop before the epoch it diverged in, at a red cross (``facts.drawn``)."""
    charts = []
    colors = split_colors()
    records, at = facts.drawn(entry), facts.diverged_at(entry)
    for title, keys in facts.curve_groups(facts.curve_keys(records)):
        series = [
            Series(
                facts.run_label(entry, k),
                facts.curve(records, k),
                _color(k, colors),
                "4 3" if k == "loss" else "",
                at if k != "lr" else None,
            )
            for k in keys
        ]
        span = (0.0, 1.0) if title == "accuracy" else None
        log = facts.log_axis(keys[0])
        chart = line_chart(series, title, title, log_y=log, span=span, rising=title == "loss")
        charts.append(f'<figure class="chart">{chart}{legend(series)}</figure>')
    return f'<div class="charts">{"".join(charts)}</div>' if charts else ""


def split_colors() -> dict[str, str]:
    """Each split's colour as every figure draws it (``plots.axes.split_colour``): train blue,
    test vermillion, val bluish green, the same whichever splits a run evaluates, so the page's
    curves and the figure beside them agree."""
    return {split: split_colour(split) for split in SPLIT_COLOUR_ORDER}


def _color(key: str, splits: dict[str, str]) -> str:
    """A curve's colour: the objective black, the learning rate (its own chart) the palette's
    fifth, a split's its own, any other key's the palette's fourth (``split_colour``'s)."""
    if key == "loss":
        return OBJECTIVE_COLOR
    if key == "lr":
        return palette(4)
    return splits.get(key.split("_", 1)[0], split_colour("other"))


def metrics_table(entry: Entry) -> str:
    """final / best per metric (the summary's, else the records' so far)."""
    values = facts.run_metrics(entry)
    names = list(dict.fromkeys(k.split("_", 1)[1] for k in values))
    rows = "".join(
        f'<tr><th scope="row">{esc(facts.run_label(entry, n))}</th>'
        f"{cell(values.get('final_' + n), _num(values.get('final_' + n)))}"
        f"{cell(values.get('best_' + n), _num(values.get('best_' + n)))}</tr>"
        for n in names
    )
    if not rows:
        return ""
    last = "so far" if entry.status == "RUNNING" else "final"  # (a RUNNING run's: its last epoch)
    # (the corner is a td: a header cell with no text is read as a blank header)
    head = f'<tr><td></td><th scope="col">{last}</th><th scope="col">best</th></tr>'
    return f'<table class="kv metrics">{head}{rows}</table>'


def _num(value: Any) -> str:
    """A metric as ``runs show`` and the index print it (``output.number``: 1.0000, 0.004439,
    3.689e+05): the page's table read 1, 0.004439 and 367737 beside the index's 1.0000."""
    value_ = finite(value)
    if value_ is None:
        return "-" if value is None else esc(compact(value))
    return number(value_)


def run_page(entry: Entry, names: dict[str, str]) -> str:
    """A training run (or a sweep trial): curves, metrics, figures, command, config, details."""
    values = " ".join(f"{k}={facts.config_text(v)}" for k, v in entry.values.items())
    body = header(entry, subtitle(entry) + (f" · {values}" if values else ""))
    body += extends(entry, names)
    none = "no epochs recorded" + (" yet" if entry.status == "RUNNING" else "")  # (else: ended)
    body += section("Curves", run_charts(entry) or f'<p class="note">{none}</p>')
    body += section("Metrics", metrics_table(entry))
    body += section("Figures", figures(entry), "figures")
    body += section("Reproduce", commands(entry))
    body += section("Config (resolved)", code(entry.config_text) if entry.config_text else "")
    body += section("Details", details(entry))
    return layout(title_of(entry, names), entry.rel, body, crumbs_for(entry, names))


def extends(entry: Entry, names: dict[str, str]) -> str:
    """A line for a run trained on from another's last checkpoint (``train --extend``): which
    run, linked where the report has its page, and after which epoch (as ``runs show`` says
    it); its curves' first epochs are that run's."""
    source = entry.meta.get("extended_from")
    if not isinstance(source, str) or not source:
        return ""
    here = entry.path.resolve()
    root = here.parents[len(PurePosixPath(entry.rel).parts) - 1]
    try:
        rel = Path(source).relative_to(root).as_posix()
    except ValueError:  # (a run outside this runs folder)
        rel = None
    shown = esc(source)
    if rel in names:
        shown = f'<a href="{href(entry.rel, page_of(rel))}">{esc(rel)}</a>'
    after = entry.meta.get("from_epoch")
    return (
        f'<p class="note">trained on from {shown}'
        f"{f' after its epoch {esc(after)}' if after is not None else ''}: "
        "the epochs up to it are that run's</p>"
    )


def generic_page(entry: Entry, names: dict[str, str]) -> str:
    """Any other folder (lr-scan, activations, landscape, compare-optimizers, a damaged or unknown
    folder): figures, summary, its other JSON files, command, config, details."""
    body = header(entry, subtitle(entry))
    body += section("Figures", figures(entry), "figures")
    if entry.records:
        body += section("Curves", run_charts(entry))
    body += section("Summary", json_view(entry.summary) if entry.summary else "")
    for name, data in entry.files.items():
        body += section(name, json_view(data))
    body += section("Reproduce", commands(entry))
    body += section("Config (resolved)", code(entry.config_text) if entry.config_text else "")
    body += section("Details", details(entry))
    return layout(title_of(entry, names), entry.rel, body, crumbs_for(entry, names))


def sweep_definition(entry: Entry) -> str:
    """sweep.yaml without its list of trials (the table shows them)."""
    shown = {k: v for k, v in entry.sweep.items() if k != "trials"}
    if not shown:
        return ""
    return code(yaml.safe_dump(shown, sort_keys=False, default_flow_style=None))
