"""The report's index page: one row per folder (run, sweep, tune, other experiment, damaged or
unknown folder), narrow enough to read in a 1,280 px window: the run's short id, kind, status,
name, epochs done, final accuracies, start and notes. The rest of what the index knows of a row
(its folder, dataset, duration, other metrics, the config keys in which runs differ) opens under
its notes; each folder's page has all of it. Sortable, filterable, and a compare view of the
ticked runs.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Sequence
from functools import partial

from nnlab import times
from nnlab.output import counted, separating_keys
from nnlab.report import facts
from nnlab.report.collect import Entry
from nnlab.report.pages import badge, esc, layout, short_id
from nnlab.report.tables import (
    COMPARE_PANEL,
    Piece,
    drawn,
    epochs_cell,
    heads,
    link,
    metric_cells,
    metric_columns,
    pick,
    row,
    started_cell,
    table,
)
from nnlab.report.values import cell, compact


def accuracy_columns(entries: Sequence[Entry]) -> list[str]:
    """The final accuracies any row has (the index's metric columns)."""
    return [k for k in metric_columns(entries) if k.startswith("final_") and k.endswith("_acc")]


def more(entry: Entry, shown: Sequence[str], keys: Sequence[str]) -> list[tuple[str, str]]:
    """(label, text) of what the row knows beyond its columns: folder, dataset, duration, the
    metrics not in a column and the values of the config keys in which runs differ."""
    items = [("folder", entry.rel), ("dataset", facts.dataset(entry))]
    items.append(("duration", facts.duration_text(facts.duration(entry))))
    metrics = facts.row_metrics(entry)
    order = [*facts.METRIC_COLUMNS, *sorted(metrics)]
    for key in dict.fromkeys(k for k in order if k in metrics and k not in shown):
        # (as the folder's page spells it: an lr-scan's best rates 0.1, not a measured 0.1000)
        items.append((facts.label(key), compact(metrics[key], key=key)))
    config = facts.flat_config(entry) if entry.kind in facts.RUN_KINDS else {}
    items += [(key, facts.config_text(config[key])) for key in keys if key in config]
    return [(what, text) for what, text in items if text]


DETAIL_TEXT = 160  # characters of a value under a row's notes; a longer one is whole in its title


def notes_cell(entry: Entry, extra: Sequence[tuple[str, str]]) -> str:
    """The notes, as the summary of a details element holding ``extra``: one line until opened.
    (A config value there was cut at 60 characters, with no mark and no way to see the rest:
    two runs of ``model.hidden`` lists that differ past it read alike.)"""
    items = "".join(f"<dt>{esc(what)}</dt>{_detail(text)}" for what, text in extra)
    text = facts.notes(entry)
    # (to a screen reader, each row's disclosure was 'details' alike: whose is said, unseen)
    whose = f'<span class="vh"> of {esc(entry.name)} ({esc(short_id(entry))})</span>'
    summary = esc(text) or f'<span class="more">details{whose}</span>'
    title = f' title="{esc(text)}"' if text else ""
    return (
        f'<td class="notes"><details><summary{title}>{summary}</summary><dl>{items}</dl>'
        "</details></td>"
    )


def _detail(text: str) -> str:
    """A ``<dd>`` of ``text``, cut at DETAIL_TEXT with an ellipsis, whole in its title."""
    if len(text) <= DETAIL_TEXT:
        return f"<dd>{esc(text)}</dd>"
    return f'<dd title="{esc(text)}">{esc(text[: DETAIL_TEXT - 1])}…</dd>'


def index_row(entry: Entry, keys: Sequence[str], accuracies: Sequence[str]) -> str:
    name = entry.name
    cells = [
        pick(entry, name),
        id_cell(entry),
    ]
    cells += [f"<td>{esc(entry.kind)}</td>", cell(None, badge(entry.status)), link("", entry, name)]
    cells += [_epochs(entry)] + metric_cells(entry, accuracies) + [started_cell(entry)]
    cells.append(notes_cell(entry, more(entry, accuracies, keys)))
    config = facts.flat_config(entry) if entry.kind in facts.RUN_KINDS else {}
    search = [entry.kind, entry.status, name, entry.rel, facts.dataset(entry), facts.notes(entry)]
    search += [f"{k}={facts.config_text(config.get(k))}" for k in keys if k in config]
    return row(entry, cells, " ".join(search + trials_search(entry)))


ID_TAIL = 11  # characters at the end of a long id that stay in view (report.css cuts its head)


def id_cell(entry: Entry) -> str:
    """The run column: the folder's short id, or the whole name of a folder without one, its
    head and its last ID_TAIL characters in spans of their own: report.css cuts a long one in
    the middle, its tail in view, so the end that tells folders apart reads without hovering
    (cut at its end, '20261206-0…' read the same for every folder started that day, and a
    half removed one's '.2026…'); the whole name is in the title, the copied text whole."""
    sid = short_id(entry)
    if len(sid) <= ID_TAIL:
        text = f"<span>{esc(sid)}</span>"
    else:
        head, tail = sid[:-ID_TAIL], sid[-ID_TAIL:]
        text = f'<span class="cut"><span>{esc(head)}</span><span>{esc(tail)}</span></span>'
    return f'<td class="id" title="{esc(entry.rel)}">{text}</td>'


def trials_search(entry: Entry) -> list[str]:
    """What a sweep's or tune's row is found by besides its own: its trials' ids (a trial the
    terminal named, 'trial 3dca85e2 FAILED', found no row: the index has none for trials) and
    each value they were given (``optimizer.lr=0.1``, as a training run's row is found by its
    values), each once."""
    values = {f"{k}={facts.config_text(v)}" for t in entry.trials for k, v in t.values.items()}
    return [t.name for t in entry.trials] + sorted(values)


def _epochs(entry: Entry) -> str:
    return epochs_cell(entry) if entry.kind not in facts.SWEEP_KINDS else cell(None)


def index_page(
    entries: Sequence[Entry], runs_dir: str, built: str, piece: Piece | None = None
) -> str:
    """The index; each row drawn by ``piece`` (a rebuild's keeps an unchanged folder's row,
    ``reuse.Reuse.piece``)."""
    keys = facts.differing_keys(entries)
    accuracies = accuracy_columns(entries)
    labels = ["run", "kind", "status", "name", "epochs done", *map(facts.label, accuracies)]
    labels += ["started", "notes"]
    piece = piece or drawn
    rows = [
        piece(e, "index row", [keys, accuracies], partial(index_row, e, keys, accuracies))
        for e in newest_first(entries)
    ]
    counts = facts.counts_text(facts.status_counts(entries))
    intro = (
        f'<h1>nnlab report</h1><p class="sub">{counted(len(entries), "folder")} in {esc(runs_dir)}'
        f"{' (' + esc(counts) + ')' if counts else ''} · built {esc(built)}</p>"
    )
    if not entries:  # (no table, filter or compare view of nothing: what makes a row, then)
        return layout("index", "", intro + empty_note(runs_dir))
    if keys:
        intro += (
            f'<p class="note">The training runs differ in {esc(", ".join(keys))}: '
            "each row's values are under its notes.</p>"
        )
    started = labels.index("started") + 1  # (after the tick-box column: newest first)
    body = intro + table("runs", heads(labels), rows, started, "folders") + COMPARE_PANEL
    return layout("index", "", body, data_script="data.js")


def empty_note(runs_dir: str) -> str:
    """The index of a runs folder without a run: the commands that make one there (its
    ``--runs-dir`` where it is not the default ``runs``) and the one that builds this report
    again. (It was an empty table under its sort buttons, a filter box, '0 of 0 shown' and a
    compare view saying to tick runs; then a line naming ``nnlab train`` with no config, which
    train refuses, and ``nnlab report`` without the runs folder it was built of.)"""
    where = "" if runs_dir == "runs" else f" --runs-dir {shlex.quote(runs_dir)}"
    train = f"nnlab train configs/digits-quickstart.yaml{where}"
    sweep = f"nnlab sweep weight-scale{where}"
    return (
        f'<p class="note">No run folders under {esc(runs_dir)} yet. Train a network to make '
        f"one, e.g. <code>{esc(train)}</code> (a config of your own, or one of nnlab's "
        f"<code>configs/</code>: the quick start trains in seconds on the bundled digits), or "
        f"run a sweep, <code>{esc(sweep)}</code>, or another experiment (<code>nnlab -h</code> "
        f"lists them). Then build this report again: <code>nnlab report{esc(where)}</code>, or "
        "give the command <code>--report</code>, which rebuilds it after the run.</p>"
    )


def newest_first(entries: Sequence[Entry]) -> list[Entry]:
    """The index's rows: the folder that started last first (by ``facts.started``; one with no
    time last), so the run just made is at the top, not below hundreds of others."""
    timed = [(times.instant(when), e) for e in entries if (when := facts.started(e)) is not None]
    untimed = [e for e in entries if facts.started(e) is None]
    newest = sorted(timed, key=lambda t: (t[0], t[1].rel), reverse=True)
    return [e for _, e in newest] + untimed


LABEL_KEYS = 3  # config values a compare label names at most


def key_label(key: str, keys: list[str]) -> str:
    """How a compare label names a config key: its last part (``lr``), the part before for a
    variant's ``name`` (``dataset``, ``optimizer``: not the run's ``name``), the whole dotted
    key where another of ``keys`` would read alike."""
    parts = key.split(".")
    short = parts[-2] if parts[-1] == "name" and len(parts) > 1 else parts[-1]
    alike = any(key_label(k, []) == short for k in keys if k != key)
    return key if alike else short


def compare_labels(entries: Sequence[Entry]) -> dict[str, str]:
    """The index's compare-view label of each run that shares its name with another: the name
    and the config values those runs differ in (``digits-quickstart (epochs=1)``), with the
    short id where that does not tell them apart. The others are labelled by their name."""
    by_name: dict[str, list[Entry]] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
    labels: dict[str, str] = {}
    for name, group in by_name.items():
        if len(group) < 2:
            continue
        configs = {e.rel: facts.flat_config(e) if e.kind in facts.RUN_KINDS else {} for e in group}
        keys = separating_keys(list(configs.values()), facts.differing_keys(group), LABEL_KEYS)
        for entry in group:
            config = configs[entry.rel]
            values = [f"{key_label(k, keys)}={facts.config_text(config[k])}" for k in keys
                      if k in config]  # fmt: skip
            labels[entry.rel] = f"{name} ({', '.join(values) or short_id(entry)})"
        # (counted once: a list's count() per run was quadratic, 0.18 s of 2,000 runs of one
        # name, 4.4 s projected at 10,000)
        seen = Counter(labels[e.rel] for e in group)
        for entry in group:
            if seen[labels[entry.rel]] > 1:  # (the same values: its id too)
                labels[entry.rel] = f"{labels[entry.rel][:-1]}, {short_id(entry)})"
    return labels
