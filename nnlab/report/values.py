"""How the values of a folder's JSON files read on a page: a table cell, a key/value table and
a table of rows (``json_view``), each number as the terminal's tables print it, a config value
as written, nothing as ``none``. Plain functions of values; :mod:`nnlab.report.pages` lays
them out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from nnlab import times
from nnlab.experiments.differences import times_ratio  # (its table's rule)
from nnlab.output import (
    ConfigFloat,
    column_format,
    config_number,
    counted,
    is_config_key,
    number,
    spelled,
    table_cell,  # (the terminal tables' rule for one cell)
)
from nnlab.report import facts
from nnlab.report.svg import esc, finite

MAX_ROWS = 200  # rows of a JSON table shown on a page


class Link(str):
    """Text of a value that names a folder the report has a page of (``pages.local``: a tune's
    rounds, a landscape's source run), shown as a link to it: ``href`` from the page it is on."""

    href: str = ""

    def html(self) -> str:
        return f'<a href="{esc(self.href)}">{esc(self)}</a>'


def linked(href: str, text: str) -> Link:
    link = Link(text)
    link.href = href
    return link


def code(text: str) -> str:
    """A block of text as it is (a config, a sweep's definition), its lines unwrapped: one
    wider than the page scrolls sideways, so the block takes the keyboard's focus (Tab, then
    the arrow keys), as axe-core's scrollable-region-focusable asks."""
    return f'<pre tabindex="0">{esc(text)}</pre>'


def compact(value: Any, limit: int = 160, key: str = "") -> str:
    """A cell's text, cut at ``limit``: a float as ``runs show`` and the tables print it
    (``float_text``: an lr-scan's rows read 2.542 beside 0.09733, and 1 for 1.0), other
    scalars via :func:`facts.short`, containers in YAML's flow style with their numbers as
    the tables spell them (``{optimizer.lr: 0.1, final_val_acc: 0.7400}``, not JSON's
    ``{"final_val_acc": 0.74}``). ``key``: what the value is of (a key/value table's key)."""
    if isinstance(value, bool):  # (facts.short said 'true' where a cell said 'yes')
        text = yes_no(value, key)
    elif isinstance(value, float):
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
    trials beside it); a ratio of times as gradcheck's timing table prints it (``117``, not
    ``116.6576``: its decimals are a timing's noise)."""
    if isinstance(value, ConfigFloat) or is_config_key(key):
        return config_number(value)
    if key == "ratio" and finite(value) is not None:
        shown = times_ratio(value)
        return str(shown) if isinstance(shown, int) else number(shown)
    return number(value)


# a time as a folder records it (meta.json's started and ended, ``fileio.now``: ISO 8601 with
# its offset); the report read '2026-12-06T23:41:07.123456+00:00' where ``runs list`` says
# '2026-12-06 23:41:07' in the reader's zone
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def is_time(value: Any) -> bool:
    """Whether ``value`` is a time as nnlab records it (ISO 8601 text, a date and a time)."""
    return (
        isinstance(value, str)
        and ISO_TIME.match(value) is not None
        and times.parsed(value) is not None
    )


def when(value: Any, seconds: bool = True, apart: bool = False) -> str:
    """A recorded time as ``runs list`` shows it (``times.local_text``: in the reader's zone,
    ``2026-12-07 00:14:41``), in a ``<time>`` whose ``datetime`` and title keep the exact
    text (its fraction of a second and its offset); ``apart``: its date and its time of day
    each in a span that report.css keeps on one line (a run table's narrow cell wraps between
    them: it wrapped the date at its hyphen, '2026-12-' over '07 15:47')."""
    shown = esc(times.local_text(value, seconds) or str(value))
    if apart:
        shown = " ".join(f'<span class="nw">{part}</span>' for part in shown.split(" "))
    return f'<time datetime="{esc(value)}" title="{esc(value)}">{shown}</time>'


def flow(value: Any, key: str = "", given: bool = False) -> str:
    """``value`` as ``output.spelled`` writes it, each float as ``float_text`` spells it by the
    key it is of (a list's items: the list's key): a tune's best trial reads
    ``{optimizer.lr: 0.003, final_val_acc: 0.7400}``, as its tables do (it read
    ``final_val_acc: 0.74`` above a table of ``0.7400``); each boolean as ``yes_no`` says it
    (``given``: of values the user gave; a ``Given`` object's are): an activations run's
    recipe read ``batchnorm: false`` above its summary's ``batchnorm no``."""
    if isinstance(value, dict):
        given = given or isinstance(value, Given)
        return "{" + ", ".join(f"{k}: {flow(v, str(k), given)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v, key, given) for v in value) + "]"
    if isinstance(value, bool):
        return yes_no(value, key, given)
    if isinstance(value, float):
        return float_text(value, key)
    if is_time(value):  # (a resume's start in a list of them: as runs list says it)
        return times.local_text(value) or value
    return facts.explained(key, value) or spelled(facts.range_text(value))


CELL_TEXT = 60  # characters of a table cell's value; a longer list is its size
CELL_DICT = 100  # of a dict there: compare-optimizers' final losses and accuracies are ~80
# a cell's text longer than this wraps, in a column at least 12em wide: a tune's rounds table,
# each round's proposed ranges on one line of 100 characters, was 2,714 px wide
CELL_LINE = 40
CELL_PROSE = 400  # characters of a list of text in a table cell (it wraps)


def cell(value: Any, display: str | None = None, key: str = "") -> str:
    """A ``<td>`` whose ``data-v`` is the number it sorts by (when it is one). A list too long
    for a cell (compare-optimizers' path of every step, its 2,000 losses) is its size: its text
    cut at 60 characters was no use and made the table 2,270 px wide. A dict names its values,
    so it is cut at CELL_DICT: its first values read. A list of text (a tune round's warnings)
    is its text, a sentence after another, up to CELL_PROSE characters: its size, '1 entry',
    hid the warning. A dict reads as ``pairs`` spells it, a boolean as ``yes_no`` (by ``key``,
    its column)."""
    sort_value = sort_number(value)
    sort = f' data-v="{sort_value!r}"' if sort_value is not None else ""
    if display is None and _empty(value):
        return f"<td>{NONE}</td>"
    if display is None and isinstance(value, Link):  # (a long one wraps, as long text does)
        long = ' class="long"' if len(value) > CELL_LINE else ""
        return f"<td{long}>{value.html()}</td>"
    if display is None and is_time(value):
        return f"<td{sort}>{when(value)}</td>"
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
        text = _cell_text(value, limit, key)
        if not (display := sized(value, CELL_TEXT, (list,))) and len(text) > CELL_LINE:
            # (it wraps: report.css; one cut short is whole in its title: it had none)
            whole = _cell_text(value, KV_PROSE, key)
            title = f' title="{esc(whole)}"' if whole != text else ""
            return f'<td class="long"{sort}{title}>{esc(text)}</td>'
        display = display or esc(text)
    return f"<td{sort}>{display}</td>"


def _cell_text(value: Any, limit: int, key: str) -> str:
    """A cell's text (``cell``), cut at ``limit``."""
    if isinstance(value, dict):
        text = pairs(value)
    elif isinstance(value, bool):
        text = yes_no(value, key)
    else:
        return compact(value, limit)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# a range as a tune writes it, 'loguniform:1e-06:0.01' (a tune before: '1e-06 .. 0.01')
RANGE = re.compile(r"(?:loguniform|uniform|randint):(\S+):(\S+)|(\S+) \.\. (\S+)")


def sort_number(value: Any) -> float | None:
    """The number a cell of ``value`` sorts by: a finite number itself, and a range's text
    (``loguniform:1e-06:0.01``, an older tune's ``1e-06 .. 0.01``: a tune's searched and
    proposed ranges) its low end (sorted as text, 1.23e-05 came before 1e-06, and 7.99e-08
    last), a recorded time its POSIX seconds."""
    if is_time(value):  # (by the instant: each time is in the zone it was written in)
        return finite(times.instant(value))
    if isinstance(value, str) and (found := RANGE.fullmatch(value.strip())):
        try:
            return finite(float(found.group(1) or found.group(3)))
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


def kv_table(items: Sequence[tuple[str, Any]], given: bool = False) -> str:
    """A key/value table of ``items`` (a ``lo`` and a ``hi`` one ``range``: ``joined_range``);
    ``given``: values the user gave (``as_given``)."""
    if not items:
        return ""
    rows = "".join(
        f'<tr><th scope="row">{esc(k)}</th><td>{kv_value(v, k, given)}</td></tr>'
        for k, v in joined_range(items)
    )
    return f'<table class="kv">{rows}</table>'


def joined_range(items: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """``items`` with a numeric ``lo`` and ``hi`` (a landscape's summary and settings) as one
    item, ``range: -1:1``, where ``lo`` was, as ``--range`` takes it and the landscape's table
    title writes it (``landscape_summary.table_title``: ``{lo:g}:{hi:g}``): its page read
    ``lo -1.0`` and ``hi 1.0`` beside a command and a terminal of ``range -1:1``."""
    ends = dict(items)
    lo, hi = ends.get("lo"), ends.get("hi")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi)):
        return list(items)
    return [("range", f"{lo:g}:{hi:g}") if k == "lo" else (k, v) for k, v in items if k != "hi"]


KV_TEXT = 200  # characters of a value in a key/value table; a longer container is not spelt out
KV_PROSE = 2000  # characters of a text value there (it wraps): a meta.json's data_source is ~200


def kv_value(value: Any, key: str = "", given: bool = False) -> str:
    """A key/value table's cell: the value of ``key`` as text (its floats as ``float_text``
    spells them by their keys, a boolean as ``yes_no`` does); a null or an empty list
    ``none``; a list of sentences (a tune's warnings) a sentence a line; an object a table of
    its own (``_nestable``: a run's versions, a tune's settings; they read as JSON's
    '{nnlab: 0.1.0, python: 3.11.7, ...}'); any other container too long to read there (an
    lr-scan's per-rate curves) as its size, pointing to the file (a cut JSON text is no use).
    Text is whole up to KV_PROSE characters: cut at 160, a run's data source lost its splits
    and a tune's warning its advice. ``given``: of an object of values the user gave."""
    if isinstance(value, Link):
        return value.html()
    if (text := point_text(key, value)) is not None:
        return esc(text)
    value = as_given(value) if key in GIVEN else flag(key, value)
    if value is None or value == "" or _empty(value):  # ("": nothing to say, as null)
        return NONE
    if isinstance(value, bool):
        return yes_no(value, key, given)
    if is_time(value):
        return when(value)
    if key == "recipe" and isinstance(value, dict):
        return recipe_text(value)
    if key == "counts" and isinstance(value, dict) and all(type(n) is int for n in value.values()):
        return esc(facts.counts_text(value))  # (as the title says them: 30 COMPLETED, 2 DIVERGED)
    if _text_list(value) and (
        sized(value, KV_TEXT) or any(_prose(v) or isinstance(v, Link) for v in value)
    ):
        return "<br>".join(  # (a sentence a line)
            v.html() if isinstance(v, Link) else esc(compact(v, KV_PROSE)) for v in value
        )
    if isinstance(value, dict) and _nestable(value):
        return kv_table(list(value.items()), given or isinstance(value, Given))
    if sized(value, KV_TEXT):
        what = counted(len(value), "entry", "entries")
        return f'<span class="note">{esc(what)}: see the file in the run folder</span>'
    return esc(compact(value, KV_PROSE, str(key)))


# a result's flag written as text where it is up and as nothing where it is not: an lr-scan
# row's ``diverged`` names the parts that did ('step, train (epoch 1)'), null where none did
# (``""`` in a scan of an older nnlab, which its table showed as ``""``); its ``best`` the
# parts whose lowest loss the row holds ('step, train'), "" in every other row (a blank cell)
FLAGS = ("diverged", "best")


def flag(key: str, value: Any) -> Any:
    """``value`` of ``key``, but a flag's nothing (``FLAGS``: null or "") as the boolean it
    stands for, False, which reads as every result's boolean does (``yes_no``: ``no``,
    as compare-optimizers' ``diverged: false``)."""
    return False if key in FLAGS and (value is None or value == "") else value


def yes_no(value: bool, key: str = "", given: bool = False) -> str:
    """A boolean as the terminal's tables say a result's (``diverged: no``, compare-optimizers'
    and gradcheck's), a config's (``model.batchnorm: true``) or one of values the user gave
    (``given``) as YAML spells it: the pages read 'diverged false'."""
    if given or is_config_key(key):
        return spelled(value)
    return "yes" if value else "no"


def pairs(value: dict[Any, Any], given: bool = False) -> str:
    """A mapping in a table's cell as the terminal's tables spell one (``lr=0.95, momentum=0.9``:
    compare-optimizers' hyperparameters, a sweep's values), each value by its key (a float as
    ``float_text``, a boolean as ``yes_no``, a container in flow style): it read ``{lr: 0.95}``."""
    given = given or isinstance(value, Given)
    return ", ".join(f"{k}={flow(v, str(k), given)}" for k, v in value.items())


# objects of values the user gave (a tune's settings and its base config, a compare's config,
# each optimizer's hyperparameters, a test function's start and its known minimum): their
# floats read as given (``config_number``: momentum 0.9, val_fraction 0.2, beta2 0.999, start
# [-7.0, 2.0]), not as a measured 0.9000, 0.2000, 0.9990 and [-7.0000, 2.0000]
GIVEN = ("settings", "base", "config", "hyperparameters", "start", "minimum")


# a point of a test function's plane (compare-optimizers' start, its final point, the known
# minimum): written one way on every page, as its terminal table writes one (``(-7, 2)``,
# each coordinate to 4 significant digits: ``optimizers.paths``' rule); the minimum read
# [0.0, 0.0] beside a start of (-7, 2)
POINTS = ("start", "minimum", "final_point")


def point_text(key: str, value: Any) -> str | None:
    """``value`` of ``key`` as a point (``POINTS``), None where it is not a list of numbers."""
    if key not in POINTS or not isinstance(value, list) or not value:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return None
    return "(" + ", ".join(f"{float(v):.4g}" for v in value) + ")"


def _point_cell(key: str, value: Any) -> str | None:
    """A rows table cell's text where ``value`` is a point (``point_text``), else None."""
    text = point_text(key, value)
    return esc(text) if text is not None else None


class Given(dict):  # type: ignore[type-arg]
    """An object of values the user gave (``as_given``): its booleans read as YAML spells them."""


def as_given(value: Any) -> Any:
    """``value`` with each float in it a ``ConfigFloat`` (``float_text`` spells it as given),
    each object a ``Given``."""
    if isinstance(value, dict):
        return Given({k: as_given(v) for k, v in value.items()})
    if isinstance(value, list):
        return [as_given(v) for v in value]
    return ConfigFloat(value) if type(value) is float else value


def recipe_text(recipe: dict[str, Any]) -> str:
    """The options a folder's ``recipe`` says were given, and that the rest were not (a null or
    an empty list there: the option left to its default): compare-optimizers' read
    '{function: null, dataset: null, optimizers: null, lr: null, ...}', thirteen nulls. An
    option's text reads as it was typed (``steps: 20``; it read ``steps: '20'``, quoted as a
    YAML text that looks like a number)."""
    given = {k: v for k, v in recipe.items() if v is not None and not _empty(v)}
    typed = (
        "{"
        + ", ".join(
            f"{k}: {v if isinstance(v, str) else flow(v, str(k))}" for k, v in given.items()
        )
        + "}"
    )
    typed = typed if len(typed) <= KV_PROSE else typed[: KV_PROSE - 1] + "…"
    if len(given) == len(recipe):
        return esc(typed)
    rest = "the other options their defaults" if given else "every option its default"
    text = f"{esc(typed)} " if given else ""
    return f'{text}<span class="note">({rest})</span>'


# what an empty list or object, or a null, reads as in a table: 'warnings []', 'overrides []'
# and a blank 'data_dir' said nothing to a reader
NONE = '<span class="note">none</span>'


def _prose(text: str) -> bool:
    """Text that reads as a line of its own in a list (a sentence, a folder's path), not as a
    word of a list in flow style (``[train, test]``): a tune's one sweep read ``[runs/...]``,
    its two a path a line."""
    return " " in text or len(text) > CELL_LINE


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


# each row's cells as the terminal's table of the rows prints them, by column (``terminal.said``)
Said = list[dict[str, str]] | None


def rows_table(rows: Sequence[dict[str, Any]], said: Said = None) -> str:
    """A sortable table of dict rows (the union of their keys as columns), at most MAX_ROWS. A
    column whose every value is a list too long for a cell (``sized``) is named under the table
    instead (``lists_note``): as cells it said only each row's size, and compare-optimizers'
    path and values made its table 1,395 px wide in a 1,280 px window. So is a column of names
    the same in every row as one before it (its ``rule``, the ``optimizer`` unless that is an
    alias). ``said``: each row's cells as the terminal prints them (a column of its own there,
    the number it sorts by as stored)."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    lists = [c for c in columns if _only_sized(rows, c)]
    same = {c: d for i, c in enumerate(columns) if (d := _same_as(rows, c, columns[:i]))}
    texts = said if said is not None and len(said) == len(rows) else [{} for _ in rows]
    blank = [c for c in columns if _left_out(rows, c, said and texts)]
    columns = [c for c in columns if c not in lists and c not in same and c not in blank]
    # (a header may wrap after an underscore: compare-optimizers' steps_to_tol, diverged_at, ...
    # made its table 1,429 px wide, each header one unbreakable word)
    head = "".join(
        f'<th scope="col"{_numeric(rows, c)}>{esc(c).replace("_", "_<wbr>")}</th>' for c in columns
    )
    specs = {c: column_format(rows[:MAX_ROWS], c) for c in columns}
    body = "".join(
        "<tr>"
        + "".join(
            cell(r[c], esc(t[c]))
            if c in t and r.get(c) is not None and r[c] != ""  # (nothing: flag's, or blank)
            else _row_cell(flag(c, r.get(c)), c, specs[c])
            if c not in GIVEN
            else cell(as_given(r.get(c)), _point_cell(c, r.get(c)))
            for c in columns
        )
        + "</tr>"
        for r, t in zip(rows[:MAX_ROWS], texts)
    )
    more = (
        f'<p class="note">{counted(len(rows) - MAX_ROWS, "more row")} not shown</p>'
        if len(rows) > MAX_ROWS
        else ""
    )
    return (
        f'<div class="scroll"><table class="data sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>{lists_note(rows, lists)}{same_note(same)}"
        f"{blank_note(blank)}{more}"
    )


def _row_cell(value: Any, column: str, spec: str | None) -> str:
    """A rows table's cell: a finite float as the terminal's table of the same rows prints it
    (``output``'s cell rule: a config value as given, seconds in 2 decimals, a measured number
    in its column's one format, ``column_format``: an lr-scan's step_change read -0.0392 and
    -0.2598 where ``nnlab lr-scan`` printed -0.039158 and -0.259755, and compare-optimizers'
    seconds 1.5037 for 1.50); nothing (null, "", or no such key in the row) as ``-``, as the
    terminal's tables print a null (it was a blank cell: an lr-scan's losses where the rate
    diverged, its ``best`` where a rate was not); any other value as ``cell`` spells it."""
    if _nothing(value):
        return cell(None, "-")
    if (point := _point_cell(column, value)) is not None:
        return cell(value, point)
    if isinstance(value, float) and finite(value) is not None:
        return cell(value, esc(table_cell(value, column, spec)))
    return cell(value, key=column)


def _nothing(value: Any) -> bool:
    return value is None or value == ""


def _left_out(rows: Sequence[dict[str, Any]], column: str, said: Said) -> bool:
    """Whether ``column`` holds nothing in every row and the terminal's table of the rows
    (``said``) has no such column: an activations run of ReLU's ``saturated``, a column of
    ``-`` on the page alone. A column of nothing stays where the terminal prints it, or where
    no terminal table is drawn (compare-optimizers' ``steps_to_tol``: '-' in every row)."""
    if not said or column in FLAGS or any(column in t for t in said):
        return False
    return all(_nothing(r.get(column)) for r in rows)


def blank_note(columns: Sequence[str]) -> str:
    """``saturated: none in any row``, for the columns of nothing a rows table leaves out
    (``_left_out``)."""
    if not columns:
        return ""
    return f'<p class="note">{esc(", ".join(columns))}: none in any row</p>'


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


def json_view(
    data: Any, skip: Sequence[str] = (), said: Callable[[str], Said] = lambda key: None
) -> str:
    """A JSON document as HTML: its scalars (and small containers) as a key/value table, each list
    of objects as a table of its own (``said(key)``: its cells as the terminal prints them, if
    it does: ``report.terminal``)."""
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
            out += f"<h3>{esc(key)}</h3>{rows_table(rows, said(key))}"
    return out
