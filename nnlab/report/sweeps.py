"""A sweep's (or tune's) page: every trial's curves overlaid, up to 12 trials as its figure draws
them (``plots.sweep.trial_looks``), more by the keys its figure shows them by
(``plots.sweep_roles``: coloured by the key that explains most of the final accuracy, dashed
by another, the rest named) or one colour and dash per trial, with a legend; the trials table (sortable, filterable,
with the compare view); the summary, the figures and the sweep's definition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nnlab.output import ConfigFloat, counted
from nnlab.palette import LINESTYLES
from nnlab.plots import sweep_roles
from nnlab.plots.sweep import MAX_LABELLED, accuracy_key, in_value_order, trial_looks
from nnlab.report import facts, tables
from nnlab.report.collect import Entry
from nnlab.report.pages import (
    badge,
    commands,
    crumbs_for,
    details,
    figures,
    header,
    href,
    layout,
    local,
    page_of,
    section,
    subtitle,
    sweep_definition,
    title_of,
)
from nnlab.report.svg import (
    DASHES,
    PALETTE,
    Series,
    dash,
    diverged_key,
    esc,
    finite,
    legend,
    line_chart,
    palette,
    scale_color,
    scale_legend,
)
from nnlab.report.values import cell, json_view

OVERLAY_KEYS = (("val_acc", "test_acc"), ("train_acc",), ("train_loss", "loss"))
NEUTRAL = "#888888"


def swept_keys(entry: Entry) -> list[str]:
    """The keys the trials differ in: the sweep spec's params, else the trials' values."""
    params = (
        entry.sweep.get("spec", {}).get("params")
        if isinstance(entry.sweep.get("spec"), dict)
        else None
    )
    keys = list(params) if isinstance(params, dict) else []
    return keys or list(dict.fromkeys(k for t in entry.trials for k in t.values))


def swept_text(trial: Entry, key: str) -> str:
    """The trial's value of a swept ``key`` as its tables spell it; ``-`` where the key does not
    apply to it (``Entry.not_applying``), as the sweep's own table says it."""
    return facts.config_text(trial.values[key]) if key in trial.values else "-"


def trial_label(trial: Entry) -> str:
    values = " ".join(f"{k}={facts.config_text(v)}" for k, v in trial.values.items())
    return f"{trial.name} {values}".strip()


# --- colours ------------------------------------------------------------------------------------
def _numbers(trials: Sequence[Entry], key: str) -> list[float] | None:
    """The key's values if every trial's is a finite number and there are at least two."""
    values = [finite(t.values.get(key)) for t in trials]
    if any(v is None for v in values) or len(set(values)) < 2:
        return None
    return [v for v in values if v is not None]


def _categories(trials: Sequence[Entry], key: str) -> list[str] | None:
    values = list(dict.fromkeys(swept_text(t, key) for t in trials))
    return values if 2 <= len(values) <= len(DASHES) else None


def _own_looks(
    trials: Sequence[Entry], others: Sequence[str], dashes: list[str]
) -> list[tuple[str, str]]:
    """(colour, dash) per trial where no key is numeric: the colour by the trial's values of
    the ``others`` keys and the dash its categorical key's (``dashes``) where the palette has
    a colour for each of those values, else one colour and dash each (``svg.dash``: past the
    palette's five colours, dashed): six trials of one colour each had a sixth, the first's."""
    seen = [tuple(swept_text(t, k) for k in others) for t in trials]
    order = list(dict.fromkeys(seen))
    if any(dashes) and len(order) <= len(PALETTE) and len(set(zip(seen, dashes))) == len(trials):
        return [(palette(order.index(v)), d) for v, d in zip(seen, dashes)]
    return [(palette(i), dash(i)) for i in range(len(trials))]


def figure_looks(
    trials: Sequence[Entry], keys: Sequence[str]
) -> tuple[list[tuple[str, str]], list[int]]:
    """(colour, dash) per trial as the sweep's curves.png beside the page draws it (up to
    ``plots.sweep.MAX_LABELLED`` trials: one look each, in the trials' value order, or a pair
    grid's colour and dashes), and that order (the figure's legend's): a 7-rate sweep's page
    drew its trials on the colour scale of the rate, the figure beside it each in its own."""
    rows = [{**t.values, "trial": i} for i, t in enumerate(trials)]
    ordered = in_value_order(rows, list(keys))
    order = [r["trial"] for r in ordered]
    looks = dict(zip(order, trial_looks(ordered, list(keys))))
    dashed = [(looks[i][0], DASHES[LINESTYLES.index(looks[i][1])]) for i in range(len(trials))]
    return dashed, order


def styles(trials: Sequence[Entry], keys: Sequence[str]) -> tuple[list[tuple[str, str]], str]:
    """(colour, dash) per trial and the legend's HTML: up to ``MAX_LABELLED`` trials as the
    sweep's figure draws them, with a key each (in the figure's order); more by the keys the
    figure shows them by (``plots.sweep_roles``: the colour by the key that explains most of
    the final accuracy, on a scale where it is numeric; a dash per value of another), the
    keys neither shows named, else a colour and dash each. It coloured by the first numeric
    key whatever the figure beside it did."""
    if len(trials) <= MAX_LABELLED:
        looks, order = figure_looks(trials, keys)
        series = [Series(trial_label(t), [], c, d) for t, (c, d) in zip(trials, looks)]
        return looks, legend([series[i] for i in order], every=True)
    roles = _roles(trials, keys)
    cats = _categories(trials, roles.style) if roles.style else None
    dashes = [
        DASHES[cats.index(swept_text(t, roles.style))] if cats and roles.style else ""
        for t in trials
    ]  # fmt: skip
    if roles.colour is None:
        looks = _own_looks(trials, [k for k in keys if k != roles.style], dashes)
        series = [Series(trial_label(t), [], c, d) for t, (c, d) in zip(trials, looks)]
        return looks, legend(series, every=True)
    colours, html = _colour_key(trials, roles.colour, roles.how, bool(cats))
    if cats and roles.style:
        shown = [Series(f"{roles.style}={c}", [], NEUTRAL, DASHES[i]) for i, c in enumerate(cats)]
        html += legend(shown, every=True)
    if roles.hidden:
        html += f'<p class="note">also varied: {esc(", ".join(roles.hidden))}</p>'
    return [(c, d or own) for (c, own), d in zip(colours, dashes)], html


def _roles(trials: Sequence[Entry], keys: Sequence[str]) -> sweep_roles.Roles:
    """The keys' roles on the page: the figure's (``sweep_roles.choose_roles``, no panels on
    one chart) where the trials' final accuracies weigh the keys; before any has one (a
    sweep just begun), the first numeric key's colour scale and a dash per value of the first
    other key of two to four values, and the rest by the trial (``_own_looks``)."""
    finals = [_final_accuracy(t) for t in trials]
    roles = sweep_roles.choose_roles([dict(t.values) for t in trials], finals, list(keys),
                                     panels=False)  # fmt: skip
    if roles.share is not None:
        return roles
    numeric = next((k for k in keys if _numbers(trials, k) is not None), None)
    dashed = next((k for k in keys if k != numeric and _categories(trials, k)), None)
    return sweep_roles.Roles(numeric, "scale" if numeric else "", None, dashed)


def _final_accuracy(trial: Entry) -> float:
    """The trial's last finite accuracy as its sweep's figure weighs its keys by
    (``plots.sweep.final_accuracies``: held-out if recorded), NaN without one."""
    records = list(trial.records)
    key = accuracy_key(records)
    values = [finite(r.get(key)) for r in records] if key else []
    return next((v for v in reversed(values) if v is not None), math.nan)


def _colour_key(
    trials: Sequence[Entry], key: str, how: str, dashed: bool
) -> tuple[list[tuple[str, str]], str]:
    """(colour, the dash a colour past the palette's takes) per trial by ``key``'s value, and
    its legend: a colour scale (``how`` "scale": numeric, log where it spans 100x) or one
    colour per value (with ``dashed``, the dashes are another key's)."""
    if how == "scale" and (values := _numbers(trials, key)) is not None:
        lo, hi = min(values), max(values)
        log = lo > 0 and hi / lo >= 100
        f = math.log10 if log else float
        colors = [scale_color((f(v) - f(lo)) / ((f(hi) - f(lo)) or 1.0)) for v in values]
        # (its ends as the trials table spells the key's values: 3.77258e-06, not 3.773e-06)
        low, high = (facts.config_text(trials[values.index(v)].values.get(key)) for v in (lo, hi))
        return [(c, "") for c in colors], scale_legend(key, low, high, log)
    texts = [swept_text(t, key) for t in trials]
    order = list(dict.fromkeys(texts))
    looks = [(palette(i), "" if dashed else dash(i)) for i in range(len(order))]
    shown = [Series(f"{key}={v}", [], c, d) for v, (c, d) in zip(order, looks)]
    return [looks[order.index(v)] for v in texts], legend(shown, every=True)


# --- charts and table ---------------------------------------------------------------------------
def overlay(entry: Entry, keys: Sequence[str]) -> str:
    """Up to three charts (validation or test accuracy, training accuracy, training loss) with
    every trial's curve, and one legend for them."""
    trials = [t for t in entry.trials if facts.curves_of(t).keys]
    if not trials:
        still = " yet" if entry.status == "RUNNING" else ""  # (a sweep that ended: no more)
        return f'<p class="note">no trial has recorded an epoch{still}</p>'
    present = {k for t in trials for k in facts.curves_of(t).keys if _per_epoch(t, k)}
    looks, legend_html = styles(trials, keys)
    charts = []
    for choices in OVERLAY_KEYS:
        key = next((k for k in choices if k in present), None)
        if key is None:
            continue
        series = [
            Series(trial_label(t), facts.curves_of(t).curve(key), c, d, facts.curves_of(t).at)
            for t, (c, d) in zip(trials, looks)
        ]
        label, rising = facts.label(key), key.endswith("loss")
        accuracy = key.endswith("_acc")
        chart = line_chart(
            series, label, label, log_y=facts.log_axis(key), accuracy=accuracy, rising=rising
        )
        charts.append(f'<figure class="chart">{chart}</figure>')
    if any(facts.diverged_at(t) is not None for t in trials):
        legend_html += f'<div class="legend">{diverged_key()}</div>'
    return f'<div class="charts">{"".join(charts)}</div>{legend_html}'


def _per_epoch(trial: Entry, key: str) -> bool:
    """``key`` makes a curve in ``trial`` (recorded at two epochs or more), unlike a split
    evaluated after the last epoch only (``final_eval``: the trials table has its value)."""
    return sum(finite(r.get(key)) is not None for r in trial.records) > 1 or len(trial.records) < 2


def rounds_of(entry: Entry) -> dict[str, int]:
    """A tune's trials' rounds, 1, 2, ... by their round folders in the order the trials come
    (round by round); {} for a sweep. The tune's table of trials mixed its rounds unnamed."""
    if entry.kind != "tune":
        return {}
    folders = [t.rel.split("/trials/")[0] for t in entry.trials]
    order = list(dict.fromkeys(folders))
    return {t.rel: order.index(folder) + 1 for t, folder in zip(entry.trials, folders)}


def trials_table(entry: Entry, keys: Sequence[str]) -> str:
    metrics = tables.metric_columns(entry.trials)
    rounds = rounds_of(entry)
    # swept keys verbatim (a sweep over ``epochs`` has that key and the epochs each trial ran)
    labels = ["trial", *(["round"] if rounds else []), *keys, "status", "epochs done"]
    labels += [*map(facts.label, metrics), "duration", "notes"]
    rank = {i: n for n, i in enumerate(facts.best_order(entry))}
    rows = []
    for i, t in enumerate(entry.trials):
        label = trial_label(t)
        cells = [tables.pick(t, label), tables.link(entry.rel, t, t.name)]
        cells += [cell(rounds[t.rel])] if rounds else []
        cells += [cell(t.values.get(k), esc(swept_text(t, k))) for k in keys]
        cells += [cell(None, badge(t.status)), tables.epochs_cell(t)]
        cells += tables.metric_cells(t, metrics)
        notes = facts.notes(t)
        note = " · ".join(n for n in ("best" * (rank.get(i) == 0), notes) if n)  # (runs list's)
        cells += [_duration(t.summary.get("seconds")), tables.notes_cell(note, notes)]
        rows.append(tables.row(t, cells, f"{label} {t.status} {note}", rank.get(i)))
    return tables.table("trials", tables.heads(labels), rows, name="trials")


def _duration(value: Any) -> str:
    """A trial's time as nnlab writes every duration (``times.duration``: '0.3 s', '1 min 05 s',
    as the sweep's trial lines do), sorted by its seconds. (It read 0.33 under a 'seconds'
    header, a number without its unit, and '1 min 05 s' in the trial's own page.)"""
    return cell(value, esc(facts.duration_text(finite(value))))


def sweep_page(entry: Entry, names: dict[str, str]) -> str:
    """A sweep or tune folder's page (its data script, ``data.js``, sits beside it)."""
    keys = swept_keys(entry)
    counts = facts.counts_text(facts.status_counts(entry.trials))
    sub = (
        f"{subtitle(entry)} · {counted(len(entry.trials), 'trial')} ({counts})"
        if entry.trials
        else subtitle(entry)
    )
    body = header(entry, sub + (f" · over {', '.join(keys)}" if keys else ""))
    body += best_line(entry)
    body += section("Curves of every trial", overlay(entry, keys))
    body += (
        section("Trials", trials_table(entry, keys) + tables.COMPARE_PANEL) if entry.trials else ""
    )
    summary = local(entry, names, _spelled(entry))
    body += section("Summary", json_view(summary, skip=("trials",)) if entry.summary else "")
    body += section("Figures", figures(entry), "figures")
    for name, data in entry.files.items():
        body += section(name, json_view(local(entry, names, data)))
    body += section("Reproduce", commands(entry))
    body += section("Sweep definition", sweep_definition(entry))
    body += section("Details", details(entry, names))
    data = f"{entry.rel}/data.js" if entry.trials else None
    return layout(title_of(entry, names), entry.rel, body, crumbs_for(entry, names), data)


def best_line(entry: Entry) -> str:
    """Which trial is best (``facts.best_trial``: a tune's by its metric, a sweep's by its final
    validation accuracy, else test, else train), linked to its page by its id and values."""
    best = facts.best_trial(entry)
    if best is None:
        return ""
    link = f'<a href="{href(entry.rel, page_of(best.rel))}">{esc(trial_label(best))}</a>'
    return f'<p class="note">best trial: {link}</p>'


def trial_labels(entry: Entry) -> dict[str, str]:
    return {t.rel: trial_label(t) for t in entry.trials}


def _spelled(entry: Entry) -> dict[str, Any]:
    """The summary as the page shows it: a tune's best value so far in its ranges spelled as
    the config value it is (``ConfigFloat``: 0.09155, as ``nnlab tune`` prints it), not as a
    measured number (0.0915)."""
    ranges = entry.summary.get("ranges") if entry.kind == "tune" else None
    if not isinstance(ranges, list):
        return entry.summary
    spelled = [
        {**r, "best": ConfigFloat(r["best"])}
        if isinstance(r, dict) and type(r.get("best")) is float
        else r
        for r in ranges
    ]
    return {**entry.summary, "ranges": spelled}
