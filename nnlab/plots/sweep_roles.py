"""What a sweep's figure of many trials shows each swept key by (``plots.sweep``): its colour,
its panels (small multiples, one per value) or its line style, as seaborn's ``relplot`` maps
keys to ``hue``, ``col`` and ``style``, so that a grid of three keys (3 optimizers x 4 inits x
6 rates: 72 trials) shows all three, with a legend of their values instead of one entry per
trial, and a random sweep says which key its colours are.

The colour goes to the key that matters most for the final accuracy (``shares``: the part of
its variance that the key's values explain, a one-way ANOVA's eta squared; a key of many
numeric values, a random sweep's, grouped in quartiles of its values), unless one is asked
for (``colour_by``). The panels and the line style go to the other keys that fit them (up to
``MAX_PANELS`` values, up to ``len(palette.LINESTYLES)``), as many keys as can be shown,
the more important first. A key shown none of these ways is named in the figure's title.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nnlab import palette
from nnlab.output import is_number

MAX_PANELS = 6  # values of a key that still get one panel each
MAX_COLOURED = 12  # values of a key that is not numeric that still get one colour each
QUANTILES = 4  # groups of a key of many numeric values, for its share of the variance


@dataclass(frozen=True)
class Roles:
    """Which swept key each part of the figure shows: ``colour`` (``how``: "scale", a colour
    bar of a numeric key, or "legend", one colour per value; None and "" with no such key),
    ``panels`` (one panel per value), ``style`` (one line style per value); ``hidden``, the
    keys that vary but none of those show; ``share``, the colour key's share of the final
    accuracy's variance (None where it cannot be measured)."""

    colour: str | None
    how: str
    panels: str | None = None
    style: str | None = None
    hidden: tuple[str, ...] = ()
    share: float | None = None


def distinct(rows: list[dict[str, Any]], key: str) -> list[Any]:
    """``key``'s values in ``rows``, each once, in the order they first come (lists too)."""
    seen: dict[str, Any] = {}
    for row in rows:
        seen.setdefault(repr(row.get(key)), row.get(key))
    return list(seen.values())


def groups(rows: list[dict[str, Any]], key: str) -> list[str]:
    """Each row's group for its share of the variance: its value of ``key`` (as text), or,
    for a key of more than ``MAX_COLOURED`` numeric values, its quartile of them."""
    values = [row.get(key) for row in rows]
    if len({repr(v) for v in values}) <= MAX_COLOURED or not all(map(is_number, values)):
        return [repr(v) for v in values]
    numbers = [float(v) for v in values if is_number(v)]
    order = sorted(range(len(numbers)), key=lambda i: numbers[i])
    quartile = {i: str(rank * QUANTILES // len(values)) for rank, i in enumerate(order)}
    return [quartile[i] for i in range(len(numbers))]


def share(rows: list[dict[str, Any]], finals: list[float], key: str) -> float | None:
    """The part of the variance of ``finals`` (each row's final accuracy; NaN: none) between
    the groups of ``key``'s values (``groups``), 0 to 1; None with fewer than two finite
    values, or all equal."""
    pairs = [(g, y) for g, y in zip(groups(rows, key), finals) if math.isfinite(y)]
    if len(pairs) < 2:
        return None
    mean = sum(y for _, y in pairs) / len(pairs)
    total = sum((y - mean) ** 2 for _, y in pairs)
    if total <= 0:
        return None
    by_group: dict[str, list[float]] = {}
    for g, y in pairs:
        by_group.setdefault(g, []).append(y)
    between = sum(len(ys) * (sum(ys) / len(ys) - mean) ** 2 for ys in by_group.values())
    return min(1.0, between / total)


def colourable(rows: list[dict[str, Any]], key: str) -> str:
    """How ``key`` can colour lines: "scale" (numeric, of more values than the palette has
    colours), "legend" (up to ``MAX_COLOURED`` values; a numeric key's few values, in their
    order, a colour each: on a scale, batch sizes 25 and 50 of 25..100 were two purples
    hardly told apart), else ""."""
    values = [row.get(key) for row in rows if row.get(key) is not None]
    if values and all(map(is_number, values)):
        return "legend" if len(distinct(rows, key)) <= len(palette.SERIES) else "scale"
    return "legend" if len(distinct(rows, key)) <= MAX_COLOURED else ""


def choose_roles(
    rows: list[dict[str, Any]],
    finals: list[float],
    keys: list[str],
    colour_by: str | None = None,
    panels: bool = True,
) -> Roles:
    """The roles of ``keys`` (module docstring) in a figure of ``rows`` whose final
    accuracies are ``finals``; ``colour_by``: the key to colour by, whatever its share;
    ``panels``: whether a key may have panels (a few trials share one axes)."""
    varied = [k for k in keys if len(distinct(rows, k)) > 1]
    shares = {k: share(rows, finals, k) for k in varied}
    ranked = sorted(varied, key=lambda k: -(shares[k] or 0.0))  # (stable: ties in key order)
    if colour_by is not None:
        colour: str | None = colour_by
        how = colourable(rows, colour_by) or "legend"
    else:
        colour = next((k for k in ranked if colourable(rows, k)), None)
        how = colourable(rows, colour) if colour else ""
    rest = [k for k in ranked if k != colour]
    # (a colour key of more values than the palette's colours takes line styles itself)
    styled = (
        how == "legend" and colour is not None and len(distinct(rows, colour)) > len(palette.SERIES)
    )
    panel, style = _panels_and_style(rows, rest, styles=not styled, panels=panels)
    hidden = tuple(k for k in rest if k not in (panel, style))
    return Roles(colour, how, panel, style, hidden, shares.get(colour) if colour else None)


def _panels_and_style(
    rows: list[dict[str, Any]], keys: list[str], styles: bool = True, panels: bool = True
) -> tuple[str | None, str | None]:
    """(panels key, style key) from ``keys`` (most important first): as many of them as fit
    (2 to ``MAX_PANELS`` values; 2 to ``len(palette.LINESTYLES)``), the earlier the better,
    the panels first."""
    counts = {k: len(distinct(rows, k)) for k in keys}
    panel_keys: list[str | None] = [None, *(k for k in keys if panels and counts[k] <= MAX_PANELS)]
    style_keys: list[str | None] = [
        None,
        *(k for k in keys if styles and counts[k] <= len(palette.LINESTYLES)),
    ]
    rank: dict[str | None, int] = {None: len(keys), **{k: i for i, k in enumerate(keys)}}

    def merit(pair: tuple[str | None, str | None]) -> tuple[int, int, int]:
        return (sum(k is not None for k in pair), -rank[pair[0]], -rank[pair[1]])

    pairs = [(p, s) for p in panel_keys for s in style_keys if p is None or p != s]
    return max(pairs, key=merit)
