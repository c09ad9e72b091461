"""A general sweep's figure: every trial's accuracy per epoch.

Up to 12 trials each line has its own colour and line style (``nnlab.palette``: its five
colours solid, then dashed, then dotted) and a legend entry with its swept values,
``optimizer.name=adam`` (whole keys: ``name`` alone could be any section's); where the first
two swept keys tell the trials apart (a grid of two axes: the first with up to five values,
the second up to four), the colour is the first key's value and the line style the second's,
so that the lines that share a value look alike.

More trials (or a key asked for: ``colour_by``) get a legend of the swept keys' values, not
of the trials, as seaborn's ``relplot`` maps keys to ``hue``, ``col`` and ``style``
(``plots.sweep_roles``): the colour is the key that explains most of the final accuracy (a
numeric key on a colour scale, a colour bar, log when its values span more than a decade;
another by a legend of its values), a second key has a panel per value (up to six, three a
row), a third a line style per value (up to four); a key none of these show is named in the
title ("also varied: ..."), which says what each look is ("colour: model.init (51% of final
test accuracy's variance); panels: optimizer.lr; line style: optimizer.name"). A 72-trial grid
of 3 optimizers x 4 inits x 6 rates had a colour bar of the rate alone.

A diverged trial's curve stops at a red cross. Epochs are whole numbers on the x axis. A trial
that failed or was interrupted ends at a hollow square or diamond, with a legend entry: its
line would otherwise read as a shorter run. Its texts are ``plots.fonts``' sizes, the legends'
10 points (7 before: 7.7 px where the report shows the figure at a phone's width).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nnlab import palette
from nnlab.output import as_label, as_written, counted, is_number
from nnlab.plots import base, sweep_roles

MAX_LABELLED = 12  # trials (or values of a key) that still get one legend entry each
LINESTYLES = palette.LINESTYLES  # (a pair grid's second key's values)
PANEL_TITLE = 0.3  # inches above a panel that its title takes (the figure's title above that)
PANEL_GAP = 0.75  # inches between two rows of panels: the upper's epochs, the lower's title


def accuracy_key(records: list[dict[str, Any]]) -> str | None:
    """The held-out accuracy if recorded (test, then val), else the training accuracy."""
    first = records[0] if records else {}
    for key in ("test_acc", "val_acc", "train_acc"):
        if key in first:
            return key
    return None


def line_cmap() -> Any:
    """viridis up to ``palette.SCALE_END``, where a line is still 3:1 on white: its yellow end,
    thin lines on white, could hardly be seen (the trials of the largest rates), nor its
    light green at 0.85, where it stopped before (1.7:1)."""
    import matplotlib as mpl
    import numpy as np

    stops = np.linspace(0, palette.SCALE_END, 256)
    return mpl.colors.ListedColormap(mpl.colormaps["viridis"](stops))


Listed = dict[str, list[Any]]  # each key's values as its axis or choice: lists them


def _looks(
    rows: list[dict[str, Any]], roles: sweep_roles.Roles, listed: Listed | None = None
) -> tuple[list[Any], Any]:
    """(colour, line style) per row by ``roles``, and the ScalarMappable of a colour scale
    (None without one): a colour key's values on the scale (``line_cmap``, log when they
    span more than a decade) or a colour each (with their own line styles past the palette's
    five, where no key has the line style); the style key's values a line style each."""
    import matplotlib as mpl

    colours: list[Any] = ["gray"] * len(rows)
    styles = ["-"] * len(rows)
    mappable = None
    key = roles.colour
    if roles.how == "scale" and key is not None:
        values = [float(r[key]) if r.get(key) is not None else float("nan") for r in rows]
        finite = [v for v in values if v == v]
        log = min(finite) > 0 and base.spans_decades(finite)
        norm = (mpl.colors.LogNorm if log else mpl.colors.Normalize)(min(finite), max(finite))
        mappable = mpl.cm.ScalarMappable(norm=norm, cmap=line_cmap())
        # (matplotlib's stub says to_rgba takes an array; it takes a scalar too)
        colours = [mappable.to_rgba(v) if v == v else "gray" for v in values]  # type: ignore[arg-type]
    elif roles.how == "legend" and key is not None:
        order = [repr(v) for v in values_of(rows, key, listed)]
        looks = base.distinct_styles(len(order))
        colours = [looks[order.index(repr(r.get(key)))][0] for r in rows]
        styles = [looks[order.index(repr(r.get(key)))][1] for r in rows]
    if roles.style is not None:
        order = [repr(v) for v in values_of(rows, roles.style, listed)]
        styles = [LINESTYLES[order.index(repr(r.get(roles.style)))] for r in rows]
    return list(zip(colours, styles)), mappable


def in_value_order(
    rows: list[dict[str, Any]], keys: list[str], listed: Listed | None = None
) -> list[dict[str, Any]]:
    """``rows`` ordered by their swept values, key by key (``value_rank``): numbers ascending,
    lists element by element (``model.hidden`` [50] < [50, 50] < [100]), other values in the
    order the sweep lists them (``listed``: a grid's axis, a random sweep's ``choice:``),
    else in the order they first come (a grid's, as its spec lists them); a value the key
    does not apply to (None) last. A random sweep's legend listed its trials as drawn (lr
    0.0112, 0.634, 0.000377, ...; model.hidden [100], [25, 25], [50]); a grid's keeps its
    order."""

    def rank(key: str) -> Any:
        seen = [repr(v) for v in (listed or {}).get(key, [])]
        seen += [t for t in dict.fromkeys(repr(r.get(key)) for r in rows) if t not in seen]
        return lambda r: value_rank(r.get(key), seen)

    order = list(rows)
    for key in reversed(keys):  # (stable sorts, the last key first: the first key leads)
        order.sort(key=rank(key))
    return order


def values_of(rows: list[dict[str, Any]], key: str, listed: Listed | None = None) -> list[Any]:
    """``key``'s values in ``rows``, each once, in ``in_value_order``'s order of that key alone:
    a legend's, a panel's (the rows are in the order of every key, the first leading: a later
    key's values came as the earlier's trials had them, model.hidden [25, 25, 25], [50],
    [100], [50, 50])."""
    return sweep_roles.distinct(in_value_order(rows, [key], listed), key)


def value_rank(value: Any, seen: list[str]) -> tuple[int, float, tuple[Any, ...]]:
    """A swept value's place in a legend (``in_value_order``): a number by itself, a list by
    its items in turn (numbers by value, others as written; a shorter list before a longer
    one it begins), another value at its place in ``seen`` (its ``repr`` among theirs), a
    None last."""
    if is_number(value):
        return (0, float(value), ())
    if isinstance(value, list):
        return (1, 0.0, tuple((0, float(v), "") if is_number(v) else (1, 0.0, repr(v))
                              for v in value))  # fmt: skip
    if value is None:
        return (3, 0.0, ())
    return (2, float(seen.index(repr(value))), ())


def draw_order(rows: list[dict[str, Any]], key: str | None, how: str) -> list[int]:
    """The order to draw ``rows`` (in value order) in: for a colour key's legend of values,
    round-robin over its values (the first trial of each value, then the second of each, ...),
    so that no value's lines lie all on top of the others' (128 trials of four activations,
    drawn value by value, showed the last activation's colour over every other); else as
    they come. The colours and the legend are the values', whatever the order."""
    if how != "legend" or key is None:
        return list(range(len(rows)))
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(repr(row.get(key)), []).append(i)
    rounds = max(len(g) for g in groups.values())
    return [g[n] for n in range(rounds) for g in groups.values() if n < len(g)]


def pair_styles(rows: list[dict[str, Any]], keys: list[str]) -> tuple[list[Any], list[str]] | None:
    """(a colour per row, a line style per row) for trials that the first two swept keys tell
    apart, the first with up to ``len(palette.SERIES)`` values and the second with 2 to
    ``len(LINESTYLES)``: the colour by the first key's value, the style by the second's. None
    otherwise (one colour and style per trial: six rates had a sixth colour, the first's)."""
    if len(keys) < 2:
        return None
    pairs = [(repr(r.get(keys[0])), repr(r.get(keys[1]))) for r in rows]
    firsts = list(dict.fromkeys(a for a, _ in pairs))
    seconds = list(dict.fromkeys(b for _, b in pairs))
    if len(set(pairs)) < len(rows) or not 2 <= len(seconds) <= len(LINESTYLES):
        return None
    if len(firsts) > len(palette.SERIES):  # (a colour would stand for two values)
        return None
    colours = base.distinct_colours(len(firsts))
    return (
        [colours[firsts.index(a)] for a, _ in pairs],
        [LINESTYLES[seconds.index(b)] for _, b in pairs],
    )


def trial_looks(rows: list[dict[str, Any]], keys: list[str]) -> list[tuple[str, str]]:
    """(colour, line style) of each of up to ``MAX_LABELLED`` trials (``rows`` in value order:
    ``in_value_order``): by the pair of their first two keys' values where those tell them
    apart (``pair_styles``), else one each. The report's sweep page draws them so too."""
    paired = pair_styles(rows, keys)
    return list(zip(*paired)) if paired is not None else base.distinct_styles(len(rows))


def final_accuracies(
    rows: list[dict[str, Any]], curves: dict[str, list[dict[str, Any]]], key: str | None
) -> list[float]:
    """Each row's last finite ``key`` (a diverged trial's, as recorded after it diverged: about
    chance), NaN for a trial without one: what ``sweep_roles.share`` weighs the keys by."""
    finals = []
    for row in rows:
        values = base.curve(curves.get(row["trial"]) or [], key)[1] if key else []
        finals.append(next((v for v in reversed(values) if v == v), float("nan")))
    return finals


def sweep_curves_figure(
    rows: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    title: str = "",
    colour_by: str | None = None,
    listed: Listed | None = None,
) -> Any:
    """Every trial's accuracy per epoch (held-out split if any), one line per trial (module
    docstring: labels, colours, panels, diverged trials). ``rows``: the sweep's summary rows
    (``trial``, the swept keys, ``status``); ``curves``: each trial's records; ``colour_by``:
    the swept key to colour by (default: up to 12 trials, one look each; more, the key that
    explains most of the final accuracy: ``sweep_roles``); ``listed``: the values each key's
    axis or choice lists, in its order (``in_value_order``: a legend's order)."""
    if colour_by is not None and colour_by not in keys:
        swept = ", ".join(keys) or "no key"
        raise ValueError(f"colour_by: {colour_by!r} is not a swept key; the sweep varies {swept}")
    rows = in_value_order(rows, keys, listed)
    key = next((accuracy_key(c) for c in curves.values() if c), None)
    if len(rows) <= MAX_LABELLED and colour_by is None:
        return _labelled_figure(rows, curves, keys, key, title)
    finals = final_accuracies(rows, curves, key)
    roles = sweep_roles.choose_roles(rows, finals, keys, colour_by, len(rows) > MAX_LABELLED)
    looks, mappable = _looks(rows, roles, listed)
    values = values_of(rows, roles.panels, listed) if roles.panels else [None]
    fig, axes = _panel_axes(len(values))
    tally = Tally()
    for ax, value in zip(axes, values):
        mine = [i for i in draw_order(rows, roles.colour, roles.how)
                if roles.panels is None or repr(rows[i].get(roles.panels)) == repr(value)]  # fmt: skip
        _plot(ax, rows, curves, key, looks, mine, tally, width=0.8 if len(axes) == 1 else 1.1)
        if roles.panels is not None:
            ax.set_title(value_label(rows, roles.panels, value))
    metric = _axes_labels(axes, key)
    columns = _key_handles(rows, roles, tally, listed)
    note = f"{metric} per epoch, {_shown(tally, len(rows))}{_roles_note(roles, metric)}"
    heading = base.named(title, note)
    if roles.panels is None:
        _key_beside(fig, axes[0], mappable, roles.colour, columns)
        base.fitted_title(axes[0], heading)
    else:
        _key_beside(fig, axes, mappable, roles.colour, columns)
        # (above the top row's panel titles, in inches: the tight crop takes it in)
        top = max(ax.get_position().y1 for ax in axes) + PANEL_TITLE / fig.get_figheight()
        base.fitted_suptitle(fig, heading, y=top, va="bottom")
    return fig


@dataclass
class Tally:
    """What a figure drew: trials with a curve, those that diverged, and those that FAILED or
    were INTERRUPTED by status (each marked)."""

    drawn: int = 0
    diverged: int = 0
    ended: dict[str, int] = field(default_factory=dict)
    bare: dict[str, int] = field(default_factory=dict)  # (no records, by status: FAILED, PENDING)


def _labelled_figure(
    rows: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    key: str | None,
    title: str,
) -> Any:
    """Up to ``MAX_LABELLED`` trials, each its own look (``trial_looks``) and legend entry
    (``optimizer.lr=0.1, model.init=he``); where those are wider than the axes, the keys they
    share are said once, as the legend's title, and each entry gives the values (``0.1, he``):
    a random sweep's three keys made a legend twice the axes' width."""
    fig, (ax,) = _panel_axes(1)
    looks = trial_looks(rows, keys)
    tally = Tally()
    short = {}  # (each label: its values alone, where every trial has every key)
    for i in range(len(rows)):
        # (a key a row has not does not apply to that trial: not named, not "null")
        shown = [as_label(k, rows[i][k]) for k in keys if k in rows[i]]
        label = ", ".join(shown) or rows[i]["trial"]
        short[label] = ", ".join(as_written(rows[i][k]) for k in keys if k in rows[i])
        _plot(ax, rows, curves, key, looks, [i], tally, label)
    metric = _axes_labels([ax], key)
    handles = ax.get_legend_handles_labels()[0] + _end_handles(tally)
    legend = base.legend_outside(ax, "right", handles=handles, room=float("inf"))
    shared = keys and all(k in row for row in rows for k in keys)
    if legend is not None and shared and base.legend_inches(legend) > base.axes_inches(ax):
        for handle in handles:
            handle.set_label(short.get(handle.get_label(), handle.get_label()))
        base.legend_outside(ax, "right", handles=handles, title=", ".join(keys),
                            alignment="left")  # fmt: skip
    elif legend is not None:
        base.fit_legend(legend, base.axes_inches(ax))
    note = f"{metric} per epoch, {_shown(tally, len(rows))}"
    base.fitted_title(ax, base.named(title, note))
    return fig


def _plot(ax: Any, rows: list[dict[str, Any]], curves: dict[str, list[dict[str, Any]]],
          key: str | None, looks: list[Any], order: list[int], tally: Tally,
          label: str | None = None, width: float = 0.8) -> None:  # fmt: skip
    """Draw the trials ``order`` (indices into ``rows``) on ``ax``, each in its look (colour,
    line style), up to a divergence (a red cross) or a mark where it FAILED or was
    INTERRUPTED; counted in ``tally``. ``label``: the legend entry of a labelled trial;
    ``width``: the lines' of unlabelled trials (thicker in a panel, which has fewer)."""
    for i in order:
        row, (colour, style) = rows[i], looks[i]
        records = curves.get(row["trial"]) or []
        if not records or key is None:
            status = str(row.get("status"))
            tally.bare[status] = tally.bare.get(status, 0) + 1
            continue
        tally.drawn += 1
        epochs, values, at = base.until_divergence(
            records, key, row.get("status"), row.get("diverged_epoch")
        )
        (line,) = ax.plot(epochs, values, color=colour, ls=style, lw=1.2 if label else width,
                          alpha=1.0 if label else 0.8, label=label)  # fmt: skip
        if at is not None:  # (its stub in its line style: which trial it is)
            base.mark_diverged(ax, epochs, values, at, colour, like=line)
            tally.diverged += 1
        elif base.mark_stopped(ax, epochs, values, row.get("status")):
            tally.ended[row["status"]] = tally.ended.get(row["status"], 0) + 1


def _panel_axes(n: int) -> tuple[Any, list[Any]]:
    """A figure of ``n`` panels sharing their axes, up to three a row (one: 7 x 4.5 inches,
    the key beside it), and its axes. Its margins are matplotlib's: the title above and the
    legend below the panels lie outside them, where the tight crop takes them in (a
    constrained layout measured every panel's ticks once more: a 72-trial grid's six panels
    took 2.7 s to save, not 1)."""
    import math

    plt = base.pyplot()
    if n <= 1:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        return fig, [ax]
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig, grid = plt.subplots(nrows, ncols, figsize=(3.6 * ncols + 1.0, 3.0 * nrows),
                             sharex=True, sharey=True, squeeze=False)  # fmt: skip
    fig.subplots_adjust(hspace=PANEL_GAP / 3.0, wspace=0.08)
    axes = list(grid.ravel())
    for ax in axes[n:]:  # (the last row's empty places: the panel above shows its epochs)
        fig.delaxes(ax)
    for ax in axes[n - ncols : n] if nrows > 1 else []:
        ax.xaxis.set_tick_params(labelbottom=True)
    return fig, axes[:n]


def _axes_labels(axes: list[Any], key: str | None) -> str:
    """Label, limit and grid ``axes`` (the y label on the first column's, the x label on each
    panel that shows epochs); the metric's name as the labels say it."""
    metric = (key or "accuracy").replace("_acc", " accuracy")
    first = axes[0].get_subplotspec()
    for ax in axes:
        base.epoch_axis(ax)
        ax.grid(alpha=0.3)
        spec = ax.get_subplotspec()
        if spec is None or spec.colspan.start == first.colspan.start:
            ax.set_ylabel(metric)
        if not ax.xaxis.get_tick_params().get("labelbottom", True):
            ax.set_xlabel("")
    base.accuracy_axis(axes)  # (shared by the panels)
    return metric


def _shown(tally: Tally, n: int) -> str:
    """How many trials the figure draws: "72 trials", or "4 of 6 trials drawn (no records: 2
    FAILED)": the trials it leaves out by status (a sweep's FAILED trials were 'the rest
    have no records', as if not run)."""
    shown = counted(n, "trial")
    if tally.drawn < n:  # (failed before a record, not run: an interrupted sweep's PENDING)
        bare = ", ".join(f"{k:,} {status}" for status, k in tally.bare.items())
        return f"{tally.drawn} of {shown} drawn (no records: {bare})"
    return shown


def _roles_note(roles: sweep_roles.Roles, metric: str) -> str:
    """What the figure shows each swept key by, for its title: ", colour: optimizer.lr (41%
    of the variance of the final test accuracy); line style: model.init; also varied: ..."""
    parts = []
    if roles.colour is not None:
        share = "" if roles.share is None else f" ({roles.share:.0%} of final {metric}'s variance)"
        parts.append(f", colour: {roles.colour}{share}")
    if roles.panels is not None:
        parts.append(f"; panels: {roles.panels}")
    if roles.style is not None:
        parts.append(f"; line style: {roles.style}")
    if roles.hidden:
        parts.append(f"; also varied: {', '.join(roles.hidden)}")
    return "".join(parts)


def value_label(rows: list[dict[str, Any]], key: str, value: Any) -> str:
    """``key=value`` for a legend or a panel (``as_label``); ``key=-`` for the trials that have
    no ``key`` (it does not apply to them, as the sweep's tables spell it: ``table_rows``)."""
    if value is None and any(key not in row for row in rows):
        return f"{key}=-"
    return as_label(key, value)


def _end_handles(tally: Tally) -> list[Any]:
    """Legend entries for the diverged crosses and the marks of trials that ended early."""
    handles = [base.diverged_handle(f"diverged ({counted(tally.diverged, 'trial')})")]
    return (handles if tally.diverged else []) + base.stopped_handles(tally.ended, "trial")


def _key_handles(
    rows: list[dict[str, Any]], roles: sweep_roles.Roles, tally: Tally, listed: Listed | None
) -> list[list[Any]]:
    """The legend of a figure of many trials, in columns: the colour key's values (without a
    colour scale), the style key's values (in gray), the marks (``_end_handles``)."""
    from matplotlib.lines import Line2D

    columns: list[list[Any]] = []
    if roles.how == "legend" and roles.colour is not None:
        values = values_of(rows, roles.colour, listed)
        looks = base.distinct_styles(len(values))
        columns.append([Line2D([], [], color=colour, lw=1.5,
                               label=value_label(rows, roles.colour, value),
                               ls="-" if roles.style is not None else style)
                        for value, (colour, style) in zip(values, looks)])  # fmt: skip
    if roles.style is not None:
        values = values_of(rows, roles.style, listed)
        columns.append([Line2D([], [], color="0.3", ls=style, lw=1.5,
                               label=value_label(rows, roles.style, value))
                        for value, style in zip(values, LINESTYLES)])  # fmt: skip
    columns.append(_end_handles(tally))
    return [column for column in columns if column]


def _in_columns(columns: list[list[Any]]) -> list[Any]:
    """``columns`` of legend entries as one list for a legend of ``len(columns)`` columns
    (matplotlib fills a column before the next): each padded with blank entries to the
    longest, so that each key's values have a column of their own."""
    from matplotlib.lines import Line2D

    rows = max(map(len, columns), default=0)
    blank = Line2D([], [], alpha=0, label=" ")
    return [h for column in columns for h in column + [blank] * (rows - len(column))]


def _key_beside(
    fig: Any, where: Any, mappable: Any, key: str | None, columns: list[list[Any]]
) -> None:
    """What the colours and styles mean, outside the data: a colour bar of ``key`` (log scale
    when its values span decades) beside ``where`` (an axes, or a list of panels), and a
    legend of ``columns`` of entries: right of a single axes, or under it with a colour bar;
    below the panels, a column each."""
    if mappable is not None:
        log = "log" in type(mappable.norm).__name__.lower()
        bar = fig.colorbar(mappable, ax=where, label=f"{key}" + (" (log scale)" if log else ""))
        if log:
            base.log_ticks(bar.ax.yaxis)
            base.wide_log_ticks(bar.ax.yaxis, mappable.norm.vmin, mappable.norm.vmax)
    if not columns:
        return
    if not isinstance(where, list):
        handles = [h for column in columns for h in column]
        base.legend_outside(where, "below" if mappable is not None else "right", handles=handles,
                            ncol=1 if mappable is None else 2)  # fmt: skip
        return
    bottom = min(ax.get_position().y0 for ax in where)  # (under its tick labels and x label)
    legend = fig.legend(handles=_in_columns(columns), loc="upper center",
                        bbox_to_anchor=(0.5, bottom), borderaxespad=36 / base.fonts.LEGEND_PT,
                        ncol=len(columns))  # fmt: skip
    base.fit_legend(legend, fig.get_figwidth() - 0.2)
