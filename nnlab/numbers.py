"""How a number is spelled in tables, progress lines and figures: a measured number
(``number``), a value the user chose (``config_number``), a count (``count_text``, ``of_total``: thousands grouped)
and a column's one format (``column_format``). The rendering of whole tables, JSON and CSV
is ``nnlab.output``'s."""

from __future__ import annotations

import math
import re
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


def is_duration_column(column: str) -> bool:
    """A column of seconds (a trial's ``seconds``, a folder's ``resume_seconds``, gradcheck's
    ``numeric_s`` and ``analytic_s``): a table writes each as a duration with its unit
    (``times.duration``: ``1.8 s``, ``0.4 ms``; they read a bare ``1.78`` and ``4.017e-04``),
    right-aligned as a number; JSON and CSV keep the seconds its name gives the unit of."""
    return "seconds" in column or column.endswith("_s")


def measured(value: Any, column: str) -> bool:
    """``value`` is a measured float that ``number`` draws (not a config value or seconds)."""
    return (
        isinstance(value, float)
        and not isinstance(value, ConfigFloat)
        and not is_config_key(column)
        and not is_duration_column(column)
        and math.isfinite(value)
    )


COLUMN_DIGITS = 3  # a column in decimals shows its smallest number to this many significant
COLUMN_DECIMALS = (4, 7)  # digits, in 4 decimals (``number``'s) to 7 (0.0000989: a reader
COLUMN_SIGNIFICANT = 9  # counts 4 zeros after the point, not 5), its largest in 9 digits at most


SHARE_DECIMALS = 4  # an accuracy (a difference of two), a share, in every table and figure
SHARE_COLUMNS = ("saturated", "zero", "dead_units")  # (activations' shares of its outputs)


def is_share_column(column: str) -> bool:
    """A column of shares of things counted, in [0, 1], or of differences of two: accuracies
    (``final_test_acc``, ``acc_gap``, compare-optimizers' ``test acc``: the word ``acc`` in
    its name) and ``SHARE_COLUMNS``."""
    return column in SHARE_COLUMNS or re.search(r"(^|[_ ])acc($|[_ ])", column) is not None


def column_format(rows: Sequence[dict[str, Any]], column: str) -> str | None:
    """The one format of ``column``'s measured numbers, where ``number``'s of each would
    differ: decimals for all wherever they read (an outlier put a whole column in scientific
    notation: compare-optimizers' xcospi values read ``-1.047e+00`` beside ``-1.711e+04``, a
    batch loss ``1.131e-01`` beside ``9.894e-05``), as many as show the smallest number to
    ``COLUMN_DIGITS`` significant digits (or as ``number`` writes it, where the largest
    leaves room: 0.003300), from 4 (``number``'s) to 7, and the largest in
    ``COLUMN_SIGNIFICANT`` digits at most (more are noise in a float32, 8555.049562):
    ``-17113.7500`` beside ``-1.0470``; ``0.1131000`` beside ``0.0000989``; ``0.000337``
    beside ``-0.013798``. Scientific notation for all only where decimals cannot do so: a
    number under 0.00001, one of 1,000,000 or more, or a range too wide for 9 digits
    (an lr-scan's ``step_change`` ``-3.417e-05`` beside ``1.672e+02``). A zero reads in the
    column's format. None where ``number`` writes each alike already (4 decimals, or all in
    scientific notation), and in a table of one quantity a row (named by ``metric``):
    accuracy read 1.000000 beside a loss. A column of accuracies, their gaps or other shares
    (``is_share_column``) in ``SHARE_DECIMALS`` always: a fraction of things counted, whose
    further digits the accuracies beside it do not show (runs compare's ``acc_gap`` read
    ``-0.013798`` beside accuracies ``0.9660`` and ``0.9798``, and ``0.0155`` in another table:
    its format went with the smallest gap; activations' ``saturated`` read ``0.6389000`` beside
    ``0.0000010``)."""
    if rows and isinstance(rows[0].get("metric"), str):
        return None
    if is_share_column(column):
        return f".{SHARE_DECIMALS}f"
    values = [abs(float(v)) for v in (row.get(column) for row in rows) if measured(v, column) and v]
    specs = {number_spec(v) for v in values}
    if specs <= {".4f"} or specs == {".3e"}:  # (each as number writes it: one format)
        return None
    decimals = _column_decimals(min(values), max(values))
    return ".3e" if decimals is None else f".{decimals}f"


def in_one_format(values: Sequence[float]) -> list[str]:
    """Measured ``values`` that a table shows in one cell or column other than one number a
    cell (compare-optimizers' final points, a pair per cell), each in their one format
    (``column_format``: ``(-0.3504, 0.0848)`` beside ``(-5.351e-06, ...)`` put two styles in
    one column), else as ``number`` writes each."""
    rows = [{"value": float(v)} for v in values]
    spec = column_format(rows, "value")
    return [number(r["value"]) if spec is None else format(r["value"] + 0.0, spec) for r in rows]


def _column_decimals(smallest: float, largest: float) -> int | None:
    """``column_format``'s decimals for numbers from ``smallest`` to ``largest`` (magnitudes),
    None where no count of them reads (scientific notation)."""
    least, most = COLUMN_DECIMALS
    needed = max(least, COLUMN_DIGITS - 1 - math.floor(math.log10(smallest)))
    whole_digits = max(len(f"{largest:.{least}f}".split(".")[0]), 1)  # (0.1131: its one 0)
    room = min(most, COLUMN_SIGNIFICANT - whole_digits)
    if needed > room:
        return None
    alone = int(_number_format(smallest)[1]) if smallest >= SCIENTIFIC_BELOW else needed
    return max(needed, min(room, alone))  # (0.0033 as number writes it alone: 0.003300)


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


# A number as text writes one in digits 0-9: a sign, a point, an exponent, '_' between digits,
# inf and nan (float() reads all of these, and also other scripts' digits: '٣' is 3).
_DIGITS = r"[0-9](?:_?[0-9])*"
NUMBER_TEXT = re.compile(
    rf"[+-]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?[0-9]+)?|inf|nan)", re.I
)


def read_number(text: str) -> float:
    """``text`` (spaces around it allowed) as the number it writes in digits 0-9
    (``NUMBER_TEXT``), ValueError for anything else: float() alone read '٣' as 3, so
    ``landscape --range ٣:4`` and ``logspace:٣:4:3`` ran with 3."""
    if not NUMBER_TEXT.fullmatch(text.strip()):
        raise ValueError(f"could not convert string to float: {text!r}")
    return float(text)
