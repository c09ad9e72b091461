"""A general sweep's figure: every trial's accuracy per epoch.

Up to 12 trials each line has its own colour and line style (``nnlab.palette``: its five
colours solid, then dashed, then dotted) and a legend entry with its swept values,
``optimizer.name=adam`` (whole keys: ``name`` alone could be any section's); where the first
two swept keys tell the trials apart (a grid of two axes: the first with up to five values,
the second up to four), the colour is the first key's value and the line style the second's,
so that the lines that share a value look alike. Beyond that, lines are coloured by a swept
value: a numeric key on a colour scale (a colour bar, log when the values span more than a
decade), else a key with up to 12 values by a legend of those values (in colours and styles). A diverged trial's curve stops at a red cross. Epochs are whole
numbers on the x axis. A trial that failed or was interrupted ends at a hollow square or
diamond, with a legend entry: its line would otherwise read as a shorter run.
"""

from __future__ import annotations

from typing import Any

from nnlab import palette
from nnlab.output import as_label, counted, is_number
from nnlab.plots import base

MAX_LABELLED = 12  # trials (or values of a key) that still get one legend entry each
LINESTYLES = palette.LINESTYLES  # (a pair grid's second key's values)


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


def colour_key(rows: list[dict[str, Any]], keys: list[str]) -> tuple[str | None, str]:
    """The swept key to colour many trials by, and how: ``("optimizer.lr", "scale")`` for the
    first key with several numeric values, else ``(key, "legend")`` for the first key with 2 to
    12 distinct values, else ``(None, "")``."""
    for key in keys:
        values = [r.get(key) for r in rows if r.get(key) is not None]
        # (numbers first: a list's values, model.hidden's, cannot go into a set)
        if all(is_number(v) for v in values) and len(set(values)) > 1:
            return key, "scale"
    for key in keys:
        if 1 < len({repr(r.get(key)) for r in rows}) <= MAX_LABELLED:
            return key, "legend"
    return None, ""


def _colours(rows: list[dict[str, Any]], key: str | None, how: str) -> tuple[list[Any], Any]:
    """(colour, line style) per row, and the ScalarMappable of a colour scale (None without
    one): the style is solid but with a legend of ``key``'s values (``how`` "legend"), whose
    values have a colour and style each."""
    import matplotlib as mpl

    if how == "scale" and key is not None:
        values = [float(r[key]) if r.get(key) is not None else float("nan") for r in rows]
        finite = [v for v in values if v == v]
        log = min(finite) > 0 and base.spans_decades(finite)
        norm = (mpl.colors.LogNorm if log else mpl.colors.Normalize)(min(finite), max(finite))
        mappable = mpl.cm.ScalarMappable(norm=norm, cmap=line_cmap())
        # (matplotlib's stub says to_rgba takes an array; it takes a scalar too)
        colours = [mappable.to_rgba(v) if v == v else "gray" for v in values]  # type: ignore[arg-type]
        return [(c, "-") for c in colours], mappable
    if how == "legend" and key is not None:
        order = list(dict.fromkeys(repr(r.get(key)) for r in rows))
        styles = base.distinct_styles(len(order))
        return [styles[order.index(repr(r.get(key)))] for r in rows], None
    return [("gray", "-")] * len(rows), None


def in_value_order(rows: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """``rows`` ordered by their swept values, key by key: numbers ascending, other values in
    the order they first come (a grid's, as its spec lists them). A random sweep's legend
    listed its trials as drawn (lr 0.0112, 0.634, 0.000377, ...); a grid's keeps its order."""

    def rank(key: str) -> Any:
        seen = list(dict.fromkeys(repr(r.get(key)) for r in rows))
        return lambda r: (
            (0, r[key], 0) if is_number(r.get(key)) else (1, 0, seen.index(repr(r.get(key))))
        )

    order = list(rows)
    for key in reversed(keys):  # (stable sorts, the last key first: the first key leads)
        order.sort(key=rank(key))
    return order


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


def sweep_curves_figure(
    rows: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    title: str = "",
) -> Any:
    """Every trial's accuracy per epoch (held-out split if any), one line per trial (module
    docstring: labels, colour scale, diverged trials). ``rows``: the sweep's summary rows
    (``trial``, the swept keys, ``status``); ``curves``: each trial's records."""
    plt = base.pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    rows = in_value_order(rows, keys)
    labelled = len(rows) <= MAX_LABELLED
    ckey, how = (None, "") if labelled else colour_key(rows, keys)
    looks, mappable = _colours(rows, ckey, how) if not labelled else (trial_looks(rows, keys), None)
    key = next((accuracy_key(c) for c in curves.values() if c), None)
    diverged = drawn = 0
    ended: dict[str, int] = {}  # status -> trials that FAILED or were INTERRUPTED, marked
    for i in draw_order(rows, ckey, how):
        row, (colour, style) = rows[i], looks[i]
        records = curves.get(row["trial"]) or []
        if not records or key is None:
            continue
        drawn += 1
        label = ", ".join(as_label(k, row.get(k)) for k in keys) or row["trial"]
        epochs, values, at = base.until_divergence(
            records, key, row.get("status"), row.get("diverged_epoch")
        )
        ax.plot(epochs, values, color=colour, ls=style, lw=1.2 if labelled else 0.7,
                alpha=1.0 if labelled else 0.7, label=label if labelled else None)  # fmt: skip
        if at is not None:
            base.mark_diverged(ax, epochs, values, at, colour)
            diverged += 1
        elif base.mark_stopped(ax, epochs, values, row.get("status")):
            ended[row["status"]] = ended.get(row["status"], 0) + 1
    shown_metric = (key or "accuracy").replace("_acc", " accuracy")
    ax.set(ylabel=shown_metric, ylim=(0, 1.02))
    base.epoch_axis(ax)
    ax.grid(alpha=0.3)
    _key_to_colours(fig, ax, rows, ckey, how, mappable, labelled, diverged, ended)
    shown = counted(len(rows), "trial")
    if drawn < len(rows):  # (an interrupted sweep: trials not run, or without records)
        shown = f"{drawn} of {shown} drawn (the rest have no records)"
    note = f"{shown_metric} per epoch, {shown}" + (f", colour: {ckey}" if ckey else "")
    base.fitted_title(ax, f"{title}\n{note}" if title else note, fontsize=9)
    return fig


def _key_to_colours(fig: Any, ax: Any, rows: list[dict[str, Any]], ckey: str | None, how: str,
                    mappable: Any, labelled: bool, diverged: int,
                    ended: dict[str, int]) -> None:  # fmt: skip
    """What the colours mean: the trials' legend, a colour bar or a legend of the colour key's
    values, a 'diverged' entry when a trial diverged and one for each of the marks of trials
    that failed or were interrupted (``ended``); all outside the axes."""
    from matplotlib.lines import Line2D

    handles = ax.get_legend_handles_labels()[0] if labelled else []
    if how == "legend" and ckey is not None:
        values = {repr(r.get(ckey)): r.get(ckey) for r in rows}  # (as ``_colours`` orders them)
        for value, (colour, style) in zip(values.values(), base.distinct_styles(len(values))):
            handles.append(
                Line2D([], [], color=colour, ls=style, label=as_label(ckey, value))
            )  # (relu: no '')
    if diverged:
        handles.append(base.diverged_handle(f"diverged ({counted(diverged, 'trial')})"))
    handles += base.stopped_handles(ended, "trial")
    if mappable is not None:
        log = "log" in type(mappable.norm).__name__.lower()
        bar = fig.colorbar(mappable, ax=ax, label=f"{ckey}" + (" (log scale)" if log else ""))
        if log:
            base.log_ticks(bar.ax.yaxis)
            base.wide_log_ticks(bar.ax.yaxis, mappable.norm.vmin, mappable.norm.vmax)
    if handles:
        base.legend_outside(ax, "below" if mappable is not None else "right", handles=handles,
                       fontsize=7, ncol=1 if mappable is None else 2)  # fmt: skip
