"""The report's HTML: the page layout and the pages of a run, a sweep (or tune) and any other
folder. Each function returns text; :mod:`nnlab.report.build` decides where it goes.

A page lives at ``<report>/<rel>/index.html`` (``rel``: the folder's path under the runs root), its
figures beside it, the shared ``_assets/report.css`` and ``report.js`` at the report's root. All
links are relative, so the folder works from ``file://`` and can be zipped as it is.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import yaml

from nnlab.output import counted, number
from nnlab.plots.axes import SPLIT_COLOUR_ORDER, split_colour
from nnlab.redo import UNFINISHED
from nnlab.report import facts, salvage, terminal
from nnlab.report.collect import Entry
from nnlab.report.figures import figure
from nnlab.report.svg import Series, esc, finite, legend, line_chart, palette
from nnlab.report.values import cell, code, compact, json_view, kv_table, linked

ASSETS = "_assets"
OBJECTIVE_COLOR = "#000000"  # curves.png draws the training objective black
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
    ``body``, then report.js; ``data_script``: the page's curves, which report.js loads when a
    run is ticked (``data-curves``)."""
    nav = " / ".join(
        f'<a href="{href(rel, to)}">{esc(text)}</a>'
        if to
        else f'<span aria-current="page">{esc(text)}</span>'
        for text, to in crumbs
    )
    # (a link past the crumbs, the first a keyboard reaches: shown when it has the focus)
    skip = '<a class="skip" href="#main">skip to the content</a>' if nav else ""
    nav = f'{skip}<nav class="crumbs" aria-label="breadcrumbs">{nav}</nav>' if nav else ""
    # (loaded by report.js when a run is first ticked for the compare view)
    data = f' data-curves="{href(rel, data_script)}"' if data_script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} - nnlab report</title>"
        f'<link rel="stylesheet" href="{href(rel, ASSETS + "/report.css")}"></head>\n'
        f'<body{data}>{nav}<main id="main">\n{body}\n</main>'
        f'<script src="{href(rel, ASSETS + "/report.js")}"></script></body></html>\n'
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
    """index / sweep / trial (index / tune / round / trial): links up to the index and the
    entry's parent."""
    out: list[tuple[str, str | None]] = [("index", "index.html")]
    if entry.parent:
        out.append((names.get(entry.parent, entry.parent), page_of(entry.parent)))
    # (a tune's trial: its round's page too, between the tune's and its own)
    held = entry.rel.rsplit("/trials/", 1)[0] if "/trials/" in entry.rel else None
    if held and held != entry.parent and held in names and entry.rel != held:
        out.append((names[held], page_of(held)))
    out.append((entry.name, None))
    return out


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
    parts = [entry.kind, entry.where or entry.rel, facts.dataset(entry), facts.date_text(entry)]
    parts += [facts.duration_text(facts.duration(entry)), facts.progress(entry)]
    return " · ".join(p for p in parts if p)


# meta.json's fields for nnlab's own checks, not for a reader: the process's start mark (a pid
# given again later is not the run's: '6f73c98a-fce2-...:2244543'), the hashes a resume
# compares ('ebb051f9'); the page showed them raw. They stay in meta.json.
INTERNAL = ("pid_started", "config_hash", "plan_hash", "settings_hash")


def details(entry: Entry, names: dict[str, str]) -> str:
    """The meta file's other fields (times, seed, host, versions, data source, ...), but those
    for nnlab's own checks (``INTERNAL``) and the pid of a process that has ended (a RUNNING
    run's is there: the process to stop)."""
    hidden = (*META_SKIPPED, *INTERNAL, *(() if entry.status == "RUNNING" else ("pid",)))
    return kv_table([(k, local(entry, names, v)) for k, v in entry.meta.items() if k not in hidden])


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
    no narrower than its text is legible at (``report.figures``); those it cannot trust to show
    (``Entry.unfit``: a curves.png that is not a PNG, or cut short) named, saying why: they
    were copied and showed as a broken image."""
    shown = "".join(
        figure(figure_path(entry, p), entry.kind, entry.sizes.get(p)) for p in entry.figures
    )
    return shown + "".join(f'<p class="note">left out: {esc(why)}</p>' for why in entry.unfit)


# --- a run --------------------------------------------------------------------------------------
def run_charts(entry: Entry) -> str:
    """One SVG chart per group of the run's curves: losses, accuracies, learning rate; a
    DIVERGED run's stop before the epoch it diverged in, at a red cross (``facts.drawn``)."""
    charts = []
    colors = split_colors()
    curves = facts.curves_of(entry)
    at = curves.at
    for title, keys in facts.curve_groups(curves.keys):
        series = [
            Series(
                facts.run_label(entry, k),
                curves.curve(k),
                _color(k, colors),
                "4 3" if k == "loss" else "",
                at if k != "lr" else None,
            )
            for k in keys
        ]
        chart = line_chart(
            series,
            title,
            title,
            log_y=facts.log_axis(keys[0]),
            accuracy=title == "accuracy",
            rising=title == "loss",
        )
        charts.append(f'<figure class="chart">{chart}{legend(series)}</figure>')
    return f'<div class="charts">{"".join(charts)}</div>' if charts else ""


def readable_charts(entry: Entry) -> str:
    """A DAMAGED run's curves as far as its records read (``salvage``), saying which they are
    and which lines did not read; a gap where an epoch is missing between two."""
    read = salvage.Readable(entry.readable, entry.unread)
    note = f'<p class="note">{esc(salvage.said(read))}</p>'
    if not entry.readable:
        return note
    records = salvage.with_gaps(entry.readable)
    return note + run_charts(dataclasses.replace(entry, records=records, drawing=None))


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
    last = last_head(entry)
    # (the corner is a td: a header cell with no text is read as a blank header)
    head = f'<tr><td></td><th scope="col">{last}</th><th scope="col">best</th></tr>'
    return f'<table class="kv metrics">{head}{rows}</table>'


def last_head(entry: Entry) -> str:
    """What the metrics table's first column is: a RUNNING run's ``epoch 660 so far``, a run
    that ended unfinished (FAILED, INTERRUPTED, STALE) its ``last epoch 1,617`` (it was
    'final', as if the run had trained its epochs), any other's ``final``."""
    at = finite(entry.records[-1].get("epoch")) if entry.records else None
    epoch = f"epoch {int(at):,}" if at is not None else ""
    if entry.status == "RUNNING":
        return f"{epoch} so far".lstrip()
    if entry.status in UNFINISHED:
        return f"last {epoch or 'epoch'}"
    return "final"


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
    body += diverged_note(entry) + extends(entry, names) + made_here(entry)
    body += section("Curves", run_charts(entry) or f'<p class="note">{no_curves(entry)}</p>')
    body += section("Metrics", metrics_table(entry))
    body += section("Figures", figures(entry), "figures")
    body += section("Reproduce", commands(entry))
    body += section("Config (resolved)", code(entry.config_text) if entry.config_text else "")
    body += section("Details", details(entry, names))
    return layout(title_of(entry, names), entry.rel, body, crumbs_for(entry, names))


def diverged_note(entry: Entry) -> str:
    """Why a DIVERGED run has no final values, under its title (its page said DIVERGED, and
    its metrics '-', with the reason only in an offer under Reproduce, far down)."""
    at = facts.diverged_at(entry)
    if at is None:
        return ""
    scan = ": Reproduce has the lr-scan that finds a step size it trains at"
    scan = scan if entry.config_text else ""
    return (
        f'<p class="note">diverged at epoch {at}: its loss or its parameters were no longer '
        "finite (NaN or infinite), so training stopped there; it has no final values, and its "
        "best are of the epochs before. Most often the step size (or the initial weights' "
        f"scale) is too large{scan}.</p>"
    )


def no_curves(entry: Entry) -> str:
    """What the Curves section says where there is no curve to draw: no epochs (yet, for a
    RUNNING run), or epochs whose every value is null (it said 'no epochs recorded' of a run
    of 20 epochs)."""
    if not entry.records:
        return "no epochs recorded" + (" yet" if entry.status == "RUNNING" else "")
    return f"{counted(len(entry.records), 'epoch record')}, none with a value to draw (all null)"


def extends(entry: Entry, names: dict[str, str]) -> str:
    """A line for a run trained on from another's last checkpoint (``train --extend``): which
    run, linked where the report has its page, and after which epoch (as ``runs show`` says
    it); its curves' first epochs are that run's."""
    source = entry.meta.get("extended_from")
    if not isinstance(source, str) or not source:
        return ""
    after = entry.meta.get("from_epoch")
    return (
        f'<p class="note">trained on from {run_link(entry, names, source)}'
        f"{f' after its epoch {esc(after)}' if after is not None else ''}: "
        "the epochs up to it are that run's</p>"
    )


def made_from(entry: Entry, names: dict[str, str]) -> str:
    """A line naming the run whose weights a folder was made from (``source_run``: a
    landscape around them, an activations run of its net), linked to its page where the
    report has one: the page gave its path as text ('source_run /home/me/runs/2026...')."""
    source = entry.meta.get("source_run")
    if not isinstance(source, str) or not source:
        return ""
    return f'<p class="note">made from run {run_link(entry, names, source)}</p>'


def run_link(entry: Entry, names: dict[str, str], source: str) -> str:
    """The run folder at ``source`` (the path a folder records) as a link to its page from
    ``entry``'s, where the report has one (a folder of this runs folder), else as text."""
    rel = source_rel(entry, source)
    if rel in names:
        return f'<a href="{href(entry.rel, page_of(rel))}">{esc(rel)}</a>'
    return esc(source)


SOURCES = ("extended_from", "source_run")  # meta.json's fields naming the run a folder is of


def source_rel(entry: Entry, source: str) -> str | None:
    """The report path of the run folder at ``source`` (as ``entry``'s meta.json records it),
    None for one outside the runs folder ``entry`` is in."""
    here = entry.path.resolve()
    root = here.parents[len(PurePosixPath(entry.rel).parts) - 1]
    try:
        return Path(os.path.realpath(source)).relative_to(root).as_posix()
    except ValueError:
        return None


def local(entry: Entry, names: dict[str, str], value: Any) -> Any:
    """``value`` (of ``entry``'s files) with each path of a folder in the runs folder as the
    report names it, relative to the runs folder (a tune's ``sweeps`` read
    '/home/me/runs/<tune>/rounds/<round>', a landscape's source and source_run the whole path
    of the run): one that names a folder the report has a page of (``names``) a ``Link`` to
    that page, as is a path relative to ``entry``'s folder that does (a tune's rounds table's
    ``rounds/<round>``); a path inside a text ('run /home/me/runs/<run> (epoch 2)') as text."""
    if isinstance(value, dict):
        return {k: local(entry, names, v) for k, v in value.items()}
    if isinstance(value, list):
        return [local(entry, names, v) for v in value]
    if not isinstance(value, str) or not value or type(value) is not str:
        return value
    inside = f"{entry.rel}/{value}" if not value.startswith("/") else _moved(entry, value)
    rel = inside if inside in names else _runs_rel(entry, value)
    if rel is not None:
        shown = rel if value.startswith("/") else value  # (a relative one as it is written)
        return (
            linked(href(entry.rel, page_of(rel)), shown) if _linkable(entry, names, rel) else shown
        )
    root = _runs_root(entry)
    return value.replace(f"{root}/", "") if root and f"{root}/" in value else value


def _linkable(entry: Entry, names: dict[str, str], rel: str) -> bool:
    """Whether a path's report path ``rel`` is linked: a folder with a page, inside ``entry``'s
    (its rounds) or one it was made from (``SOURCES``): what a rebuild keeps the page for
    (``reuse._context``); a link to any other folder's page stayed when that folder went."""
    if rel not in names:
        return False
    if rel.startswith(f"{entry.rel}/"):
        return True
    made_from = (entry.meta.get(key) for key in SOURCES)
    return any(source_rel(entry, s) == rel for s in made_from if isinstance(s, str) and s)


def _moved(entry: Entry, path: str) -> str | None:
    """The report path of what the absolute ``path`` names inside ``entry``'s folder as it was
    named when it was written (its ``run_id``: a runs folder moved or copied since, a tune's
    sweeps still name its rounds where they were), else None."""
    for name in dict.fromkeys((entry.path.name, str(entry.meta.get("run_id") or ""))):
        if name and f"/{name}/" in path:
            return f"{entry.rel}/{path.split(f'/{name}/', 1)[1]}"
    return None


def _runs_root(entry: Entry) -> str | None:
    """The runs folder ``entry`` is in, as its path spells it."""
    parts = len(PurePosixPath(entry.rel).parts)
    return str(entry.path.parents[parts - 1]) if 0 < parts <= len(entry.path.parents) else None


def _runs_rel(entry: Entry, text: str) -> str | None:
    """The report path of the folder at ``text`` if it is an absolute path of one in the runs
    folder ``entry`` is in (``source_rel``), else None."""
    if not text.startswith("/") or "\n" in text:
        return None
    rel = source_rel(entry, text)
    return rel if rel not in (None, ".", "") else None


def sources(entries: Sequence[Entry]) -> None:
    """Give each run the folders made from it (``Entry.made``: extended from it, a landscape
    around its weights, ...), which its page links (``made_here``)."""
    by_rel = {e.rel: e for e in entries}
    for entry in entries:
        for key in SOURCES:
            source = entry.meta.get(key)
            rel = source_rel(entry, source) if isinstance(source, str) and source else None
            if rel in by_rel and rel != entry.rel:
                by_rel[rel].made.append(entry)


def made_here(entry: Entry) -> str:
    """The line linking what was made from this run (``Entry.made``): its page said nothing of
    a landscape around it or a run trained on from it, which link to it."""
    links = [
        f'<a href="{href(entry.rel, page_of(e.rel))}">{esc(e.kind)} {esc(short_id(e))}</a>'
        for e in entry.made
    ]
    return f'<p class="note">made from this run: {", ".join(links)}</p>' if links else ""


def generic_page(entry: Entry, names: dict[str, str]) -> str:
    """Any other folder (lr-scan, activations, landscape, compare-optimizers, a damaged or unknown
    folder): figures, summary, its other JSON files, command, config, details."""
    body = header(entry, subtitle(entry)) + made_from(entry, names) + made_here(entry)
    body += section("Figures", figures(entry), "figures")
    if entry.records:
        body += section("Curves", run_charts(entry))
    elif entry.readable or entry.unread:
        body += section("Curves", readable_charts(entry))
    summary = local(entry, names, entry.summary)
    body += section("Summary", json_view(summary, said=_said(entry, entry.summary)))
    for name, data in entry.files.items():
        body += section(name, json_view(local(entry, names, data), said=_said(entry, data)))
    body += section("Reproduce", commands(entry))
    body += section("Config (resolved)", code(entry.config_text) if entry.config_text else "")
    body += section("Details", details(entry, names))
    return layout(title_of(entry, names), entry.rel, body, crumbs_for(entry, names))


def _said(entry: Entry, stored: Any) -> Callable[[str], Any]:
    """``terminal.said`` of ``stored``, a file of ``entry``'s, by the key of a list of rows."""
    name = entry.rel.rsplit("/", 1)[-1]  # (its folder's name: the lr-scan table's title)
    return lambda key: terminal.said(entry.kind, name, stored, key)


def sweep_definition(entry: Entry) -> str:
    """sweep.yaml without its list of trials (the table shows them)."""
    shown = {k: v for k, v in entry.sweep.items() if k != "trials"}
    if not shown:
        return ""
    return code(yaml.safe_dump(shown, sort_keys=False, default_flow_style=None))
