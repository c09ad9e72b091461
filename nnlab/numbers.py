"""How a number is spelled in tables, progress lines and figures: a measured number
(``number``; ``significant`` for a table that shows each to its significant digits), a value
the user chose (``config_number``), a count (``count_text``, ``of_total``: thousands grouped)
and a column's one format (``column_format``). The rendering of whole tables, JSON and CSV
is ``nnlab.output``'s."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

SCIENTIFIC_BELOW = 1e-3  # ``number``: magnitudes below this, and from SCIENTIFIC_FROM up, are
SCIENTIFIC_FROM = 1e4  # shown in scientific notation, the rest in 4 decimals (6 below
DECIMALS_FROM = 1e-2  # DECIMALS_FROM: 4 significant digits, 0.001561, not 0.0016)


# columns of config values not named by a dotted key: the config's top-level float,
# lr-scan's rates (each an optimizer.lr, its best ones too), the weight-scale sweep's (each
# a model.init_std) and gradcheck --compare-differences' steps (each an --eps)
# (and options a folder records as given: lr-scan's --min/--max and rates, --eps, --tol, lo/hi)
CONFIG_COLUMNS = ("weight_decay", "lr", "best_step_lr", "best_train_lr", "weight_scale", "step",
                  "min_exp", "max_exp", "rates", "eps", "tol", "lo", "hi")  # fmt: skip
CONFIG_SCIENTIFIC_FROM = 1e5  # (the mirror of Python's 1e-05: 0.0001 and 10000 in decimals)
CONFIG_DIGITS = 6  # significant digits of a config value a search drew (0.0915184): with 4,
# the 0.012345 a user wrote read 0.01235 beside the 0.01235 of another run


def is_config_key(column: str) -> bool:
    """A column of config values: named by a dotted config key (``dataset.n_train``; its None
    is YAML's null: only nested keys can be null; metric and other columns have no dots), or
    one of ``CONFIG_COLUMNS``. Its floats are ``config_number``'s, not ``number``'s."""
    return "." in column or column in CONFIG_COLUMNS


def config_number(value: float) -> str:
    """A float the user chose (a learning rate, a weight decay) as they would write it, and as
    every table, progress line and legend spells it: Python's shortest round trip, a whole
    number without its ``.0`` (``1e-05``, ``10``, ``0.007025``, ``0.012345``, ``0``, ``-3``),
    not ``number``'s ``1.000e-05`` beside ``10.0000``, nor a ``10.0`` or ``-3.0`` no one
    types; one with more than ``CONFIG_DIGITS`` significant digits (drawn by a random search,
    spaced by lr-scan, a tune's narrowed range's ends) to ``CONFIG_DIGITS`` of them
    (``0.0915184``, ``1234.57``, ``0.100000``). So a value written with up to 6 digits reads as
    written and no two such values alike; a drawn one reads like another value only if the two
    agree to 6 digits, the other written with all 6. From ``CONFIG_SCIENTIFIC_FROM`` up, a
    value is in scientific notation where that is no longer, as Python writes one
    below 0.0001 (``1e+08``, ``1.5e+06``, not ``100000000``, whose zeros a reader counts;
    ``10000`` and ``250000`` stay); zero is ``0``, never ``-0``. (A YAML file, config.yaml
    and ``--print-config``, spells a float as YAML does: ``lr: 10.0``.)"""
    text = repr(float(value) + 0.0)  # (+ 0.0: -0.0 is 0.0)
    if not math.isfinite(value):
        return text
    digits = text.lower().split("e")[0].lstrip("-").replace(".", "").strip("0")
    if len(digits) <= CONFIG_DIGITS:
        text = text.removesuffix(".0")  # (a whole number as typed: 10, not 10.0)
        if abs(value) < CONFIG_SCIENTIFIC_FROM or "e" in text:
            return text
        mantissa, exponent = f"{value:.{CONFIG_DIGITS - 1}e}".split("e")
        science = f"{mantissa.rstrip('0').removesuffix('.')}e{exponent}"
        return science if len(science) <= len(text) else text
    # (all CONFIG_DIGITS shown, '#': 0.1000004 reads 0.100000, not the 0.1 another run wrote;
    # 123456.78 reads 123457, not a 123457.0 that reads as exact)
    return f"{value:#.{CONFIG_DIGITS}g}".removesuffix(".")


def is_count_column(column: str) -> bool:
    """A column whose whole numbers are counts, written with thousands separators
    (``count_text``): not a config key's (a value as typed: ``eval_batch_size`` 10000, as
    the user writes it) nor a seed's (a name for a random stream, 1037669209, not a count)."""
    return not is_config_key(column) and not column.endswith("seed")


def count_text(value: int) -> str:
    """A count as every table, title and line writes it to people: thousands grouped
    (``2,601``, ``17,610``; a table read ``6400`` entries and ``2000`` steps beside the
    ``6,400`` and ``2,000 iterations`` of the lines around it). ``output.counted`` writes a
    count and its noun so."""
    return f"{value:,}"


def of_total(done: int, total: int) -> str:
    """A part of a whole as a table cell or a progress line writes it: ``2,601/2,601``,
    ``1,831/2,000`` (landscape's points read ``2601/2601`` beside its ``2,652 points``)."""
    return f"{count_text(done)}/{count_text(total)}"


class ConfigFloat(float):
    """A config value in a column that is not its key's (a tune's best value so far, beside
    the key's name): drawn as ``config_number``, right-aligned as any number."""


def measured(value: Any, column: str) -> bool:
    """``value`` is a measured float that ``number`` draws (not a config value or seconds)."""
    return (
        isinstance(value, float)
        and not isinstance(value, (ConfigFloat, Significant))
        and not is_config_key(column)
        and "seconds" not in column
        and math.isfinite(value)
    )


SIX_DECIMALS_UNDER = 10.0  # (9.123456: 7 significant digits, a float32's ~7.2)
SIX_DECIMALS_FROM = 1e-4  # (0.000100: 3 significant digits; 2.5e-05 would read 0.000025)


def column_format(rows: Sequence[dict[str, Any]], column: str) -> str | None:
    """The one format of ``column``'s measured numbers, where ``number``'s of each would
    differ (runs compare's ``acc_gap`` read ``3.367e-04`` beside ``-0.013798``, and
    ``-0.003630`` beside ``0.0155``): 6 decimals for all where one needs more than 4 and
    every one is from ``SIX_DECIMALS_FROM`` up and under ``SIX_DECIMALS_UNDER`` (``0.000337``
    beside ``-0.013798``, as runs compare's figure writes its gaps: 6 decimals show each to 3
    significant digits or more, and no more than a float32 holds); else, where one needs
    scientific notation (under 0.001, or from 10,000 up), scientific notation for all
    (``1.131e-01`` beside ``9.894e-05``: 6 decimals would read 0.000099, or 13537.740500);
    else None, each number as ``number`` writes it (4 decimals, or 6 for a small one beside
    one of 10 or more: activations' mean read 8555.049562 beside 0.002574). A zero reads in
    the column's format. None in a table of one quantity a row (named by ``metric``):
    accuracy read 1.000000 beside a loss."""
    if rows and isinstance(rows[0].get("metric"), str):
        return None
    values = [abs(float(v)) for v in (row.get(column) for row in rows) if measured(v, column) and v]
    specs = {number_spec(v) for v in values}
    if specs <= {".4f"} or specs == {".3e"}:  # (each as number writes it: one format)
        return None
    if all(SIX_DECIMALS_FROM <= v < SIX_DECIMALS_UNDER for v in values):
        return ".6f"
    return ".3e" if ".3e" in specs else None


def number_spec(value: float) -> str:
    """``number``'s format of ``value`` (as rounded: ``_number_format``)."""
    return _number_format(abs(float(number(value)))) if value else ".4f"


def number(value: float) -> str:
    """A measured number as tables, progress lines and figures show it: 4 decimals from 0.01
    up to 10,000 (``0.9966``, ``2.7487``, ``2663.7612``), from 0.001 to 0.01 its 4 significant
    digits (``0.001561``: 4 decimals read ``0.0016``, half its digits gone), else 4
    significant digits in scientific notation (``1.432e-12``, ``-1.711e+04``: a float32
    value's 4 decimals past 10,000 are noise, ``-17113.7500``); zero is ``0.0000`` (never
    ``-0.0000``), NaN and infinities as Python spells them. The band is the rounded value's
    (9999.99999 is ``1.000e+04``, not ``10000.0000``; 0.00099996 is ``0.001000``)."""
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0:
        return f"{0.0:.4f}"
    spec = _number_format(abs(value))
    text = format(value, spec)
    rounded = _number_format(abs(float(text)))  # (rounding can carry it over an edge: 0.0099999
    return text if rounded == spec else format(value, rounded)  # is 0.0100, not 0.010000)


def _number_format(magnitude: float) -> str:
    """``number``'s format for a value of this magnitude."""
    if magnitude < SCIENTIFIC_BELOW or magnitude >= SCIENTIFIC_FROM:
        return ".3e"
    return ".6f" if magnitude < DECIMALS_FROM else ".4f"


SIGNIFICANT_DIGITS = 4


class Significant(float):
    """A measured number a table shows to ``SIGNIFICANT_DIGITS`` significant digits
    (``significant``), whatever its column's other numbers (``column_format``'s 6 decimals
    are for columns of like numbers: a mean of 8555.049562 beside 0.002574 showed 10 digits
    where its data has 4). CSV and JSON write it whole, as a float."""


def significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """``value`` to ``digits`` significant digits: in ``number``'s scientific notation below
    0.001 and from 10,000 (``5.799e-04``, ``1.354e+04``), else in as many decimals as they
    take (``8555``, ``175.5``, ``0.4988``, ``0.002574``); zero is ``0``, NaN and infinities
    as Python spells them. The band is the rounded value's (9999.6 is ``1.000e+04``)."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    science = f"{value:.{digits - 1}e}"
    rounded = abs(float(science))
    if rounded < SCIENTIFIC_BELOW or rounded >= SCIENTIFIC_FROM:
        return science
    decimals = max(digits - 1 - math.floor(math.log10(rounded)), 0)
    return f"{value:.{decimals}f}"
