"""Rendering result rows for the terminal: a rich table, JSON or CSV, all on stdout."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from nnlab.folding import fold_line, fold_text
from nnlab.numbers import (
    ConfigFloat,
    column_format,
    config_number,
    count_text,
    is_config_key,
    is_count_column,
    is_duration_column,
    measured,
    number,
)
from nnlab.streams import printable, undecoded_escaped
from nnlab.times import duration
from nnlab.words import (  # (re-exported: a message's words, as every caller imports them)
    QUOTED_CHARS as QUOTED_CHARS,
    article as article,
    brief as brief,
    counted as counted,
    either as either,
    part_of as part_of,
    verb as verb,
)

if TYPE_CHECKING:
    from rich.table import Table as RichTable


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def spelled(value: Any) -> str:
    """``value`` as a config file or an override spells it (YAML flow style): ``true``/``false``,
    ``null``, ``[50, 20]``, ``[train, test]``, ``{name: adam}``; text YAML would read as a
    number, a boolean or null unquoted in quotes, ``'0.1'``, ``['10']`` (a quoted '10' in a
    list read ``[10]``, and a sweep trial given '0.1' was named ``optimizer.lr=0.1``); other
    values as ``str``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and _not_text_unquoted(value):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(spelled(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {spelled(v)}" for k, v in value.items()) + "}"
    return str(value)


@functools.lru_cache(maxsize=256)
def _not_text_unquoted(text: str) -> bool:
    """Whether YAML reads ``text`` written unquoted as something else than that text (a
    number, a boolean, null: '', '5', 'yes', '~')."""
    import yaml

    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    return text == "" or not tag.endswith(":str")


def as_label(key: str, value: Any) -> str:
    """``key=value`` as a figure's legend or a progress line shows a config value: as the
    config spells it (``spelled``: ``true``, ``[50, 20]``), a float as the tables and the
    report spell it (``config_number``: not every digit a random search drew, and a whole
    float without its ``.0``, as an override is typed and a table's cell reads, where a
    legend beside that table read ``10.0``). With 3 digits (``.3g``) a trial's progress line
    and legend read 0.000112 where its table row read 0.0001119.

    >>> as_label("optimizer.lr", 0.00011193051234)
    'optimizer.lr=0.000111931'
    >>> as_label("optimizer.lr", 10.0), as_label("weight_decay", 0.0)
    ('optimizer.lr=10', 'weight_decay=0')
    >>> as_label("model.batchnorm", True), as_label("model.hidden", [50, 20])
    ('model.batchnorm=true', 'model.hidden=[50, 20]')
    """
    return f"{key}={as_written(value)}"


def as_written(value: Any) -> str:
    """A config value as ``as_label`` writes it, without its key (``--where``'s list of the
    values there are: ``0.0343135``, not every digit a random search drew)."""
    return config_number(value) if isinstance(value, float) else spelled(value)


def _row_cell(row: dict[str, Any], column: str, spec: str | None = None) -> str:
    """``row``'s cell in ``column``: ``-`` when the row has no such column (a config key that
    does not apply to its run: another dataset's), else ``table_cell`` (a None config value is
    ``null``); ``spec``: its column's format of measured numbers (``column_format``)."""
    return printable(table_cell(row[column], column, spec)) if column in row else "-"


def table_cell(value: Any, column: str = "", spec: str | None = None) -> str:
    """A table cell: booleans, lists and mappings as YAML spells them (``spelled``); a float
    in a seconds column as a duration (``times.duration``: ``1.8 s``, ``40 ms``; it read a bare
    ``1.78``), as the user writes it in a config-key column (``config_number``), in its
    column's format ``spec`` (``column_format``), else as ``number`` shows it; a whole number
    as a count, thousands grouped (``count_text``), but in a config-key or seed column
    as typed (``is_count_column``); None is ``null`` in a config-key column and ``-`` (no
    value) elsewhere."""
    if spec is not None and measured(value, column):
        text = format(value if value != 0 else 0.0, spec)
        return text[1:] if text.startswith("-") and float(text) == 0 else text  # (-0.0000)
    if value is None:
        return "null" if is_config_key(column) else "-"
    if isinstance(value, (bool, list, tuple, dict)):
        return spelled(value)
    if is_number(value) and is_duration_column(column) and math.isfinite(value):
        return duration(value)
    if isinstance(value, ConfigFloat) or (isinstance(value, float) and is_config_key(column)):
        return config_number(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, int) and not isinstance(value, bool) and is_count_column(column):
        return count_text(value)
    return str(value)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def to_json(data: Any) -> str:
    """JSON text; NaN/inf become null so the output is strict JSON, and a byte of a name that
    is not UTF-8 is its escape, ``\\xfe`` (``streams.undecoded_escaped``), as every line
    writes it: valid UTF-8, where ``\\udcfe`` was no character."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None
        if isinstance(v, str):  # (a byte of a name that is not UTF-8 as its escape, \xfe)
            return undecoded_escaped(v)
        if isinstance(v, dict):
            return {clean(k) if isinstance(k, str) else k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if hasattr(v, "tolist"):
            return clean(v.tolist())
        return v

    return json.dumps(clean(data), indent=2, default=_json_default)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or _columns(rows))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(row.get(k)) for k in columns})
    return buf.getvalue()


def _csv_value(value: Any) -> Any:
    """Booleans and containers as YAML spells them (``true``, ``[50, 20]``), text as a table
    cell writes it (``printable``: a control character as its escape, ``\\t``, ``\\x1b``);
    the rest as is (None: an empty field). A record is one line, as a table's row and JSON's
    string are: a folder renamed with a newline in it split its row in two (quoted, which
    ``grep`` and ``wc -l`` do not read), and an escape sequence was dropped unsaid (click's
    ``echo`` strips one into a pipe), where the terminal and JSON showed it escaped."""
    if isinstance(value, (bool, list, tuple, dict)):
        return printable(spelled(value))
    return printable(value) if isinstance(value, str) else value


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in their order: a key only some rows have goes after the key
    before it in the first row that has it (not at the end)."""
    cols: list[str] = []
    for row in rows:
        at = 0
        for k in row:
            if k not in cols:
                cols.insert(at, k)
            at = cols.index(k) + 1
    return cols


ID_COLUMNS = ("run", "trial", "path", "sweep", "folder", "file", "location")
TEXT_MIN = 12  # narrowest a text column folds to (narrower, it reads as a column of letters)
VALUE_CHARS = 24  # a text column whose cells are no longer holds values: never folded


def is_number(value: Any) -> TypeGuard[int | float]:
    """An int or a float, not a bool (which Python counts as an int): finite or not."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# A cell that writes a number or a count: '40', '1,831', '-0.25', '1.5e-05', '200/1000' (a part
# of a whole: gradcheck's checked, an unfinished run's epochs), 'nan'.
NUMBER_TEXT = re.compile(
    r"[-+]?(\d[\d,]*(\.\d+)?|\.\d+)(e[-+]?\d+)?(/\d[\d,]*)?|[-+]?(nan|inf)", re.I
)


def writes_number(value: Any) -> bool:
    """``value`` is a number, or text that writes one (``NUMBER_TEXT``): a table right-aligns
    a column of them (and of no values, None or '-'), left-aligns any other."""
    if isinstance(value, str):
        return bool(NUMBER_TEXT.fullmatch(value.strip()))
    return is_number(value)


def _right_aligned(cells: list[Any], column: str = "") -> bool:
    """The one rule of a column's alignment: numbers right (durations too), text left
    (gradcheck's checked, '40' or '200/1000', was left-aligned beside its right-aligned
    kinks)."""
    if is_duration_column(column) and all(is_number(v) or v is None for v in cells):
        return True
    return all(writes_number(v) or v is None or v in EMPTY for v in cells)


def _column_width(cells: list[str], whole: bool) -> int:
    """The narrowest ``cells`` (header included) may be drawn: the widest of them when
    ``whole``, or when every cell is short (a value such as "7.33e-06 .. 0.504" or
    "ok/DIVERGED": folded, it reads as two values); else text folds at its spaces, no narrower
    than ``TEXT_MIN`` or its longest word (a name such as "StackedDropout/mask" or
    "optimizer.momentum" is never broken)."""
    widest = max(len(c) for c in cells)
    if whole or widest <= VALUE_CHARS:
        return widest
    return max(min(widest, TEXT_MIN), *(len(w) for c in cells for w in c.split()))


def render_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> RichTable:
    """A rich Table of ``rows`` (a list of dicts), numbers right-aligned. Numbers, ids, paths
    and short values are never wrapped or cut (their column is as wide as its longest cell);
    longer text folds at its spaces where the table must narrow (``_column_width``)."""
    from rich.table import Table

    columns = list(columns or _columns(rows))
    table = Table()
    specs = {c: column_format(rows, c) for c in columns}
    for c in columns:
        cells = [r.get(c) for r in rows]
        numeric = _right_aligned(cells, c)
        texts = [c, *(_row_cell(r, c, specs[c]) for r in rows)]
        width = _column_width(texts, numeric or c in ID_COLUMNS)
        table.add_column(
            c,
            justify="right" if numeric else "left",
            no_wrap=width == max(len(t) for t in texts),
            overflow="fold",
            min_width=width,
        )
    for row in rows:
        table.add_row(*(_row_cell(row, c, specs[c]) for c in columns))
    return table


def print_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    title: str | None = None,
    file: Any = None,
    width: int | None = None,
) -> None:
    """``title`` on a line of its own (on a terminal narrower than it, folded at its spaces,
    continued lines indented: never inside a word, so a run id in it stays whole), then the
    table.

    ``width``: the terminal's (None: ask the console; without a terminal the table is drawn
    at its full width, so output to a file or a pipe is never narrowed or cut). On a terminal
    too narrow for the table (its ids, numbers and words whole: ``_column_width``),
    each row is printed as a record instead (``record_lines``); given a ``width``, the table
    is drawn as wide as it needs.
    """
    Console = _console_class()
    console = Console(file=file, width=width, color_system=None if width else "auto")
    terminal = width is None and console.is_terminal
    if width is None and not terminal:
        console = Console(file=file, width=100_000, color_system=None)
    table = render_table(rows, columns)
    needed = sum(c.min_width or 0 for c in table.columns) + 3 * len(table.columns) + 1
    if title:  # (on a terminal folded at its spaces: a run id in it stays whole)
        title = printable(title, lines=True)  # (a runs folder's name as a cell's is)
        lines = fold_text(title, console.width).split("\n")  # (a legend's lines continued
        # by hand folded with the line they continue: they were left ragged under it)
        for line in lines if terminal else [title]:
            console.print(line, soft_wrap=True, highlight=False, markup=False)
    if needed > console.width and terminal:
        for line in record_lines(rows, columns, console.width):
            console.print(line, soft_wrap=True, highlight=False, markup=False)
        return
    if needed > console.width:  # ids and numbers do not fit: widen rather than cut them
        console = Console(file=file, width=needed, color_system=None)
    console.print(table)


EMPTY = ("", "-")  # cells that hold no value: left out of a record


def record_lines(
    rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None, width: int = 80
) -> list[str]:
    """``rows`` for a narrow terminal: each row's id (``_record_head``: its first column
    where that is text, a name, else its first id column, else its first column; a number as
    a ``name value`` pair, ``round 2``, ``lr 0.001``: alone, a tune's ranges read "1" over
    each record) on a line of its own, then its cells that hold a value (not ``EMPTY``) as
    ``name value`` pairs, indented and packed into lines of ``width`` (a pair is never split
    between lines; one longer than that stands alone, its text folded at its spaces)."""
    columns = list(columns or _columns(rows))
    head = _record_head(rows, columns)
    lines, specs = [], {c: column_format(rows, c) for c in columns}
    for row in rows:
        numbered = head is not None and head not in ID_COLUMNS and _numeric(row.get(head))
        named = f"{head} " if numbered else ""  # (an id alone, whatever its characters)
        lines += fold_line(named + _row_cell(row, head), width, 2) if head else [""]
        line = ""
        cells = ((c, _row_cell(row, c, specs[c])) for c in columns if c != head)
        for pair in (f"{c} {text}" for c, text in cells if text not in EMPTY):
            if line and len(line) + 3 + len(pair) > width:
                lines.append(line)
                line = ""
            if not line and len(pair) + 4 > width:
                lines += _folded(pair, width, "    ", "        ")
                continue
            line = f"{line}   {pair}" if line else f"    {pair}"
        if line:
            lines.append(line)
    return lines


def _record_head(rows: Sequence[dict[str, Any]], columns: list[str]) -> str | None:
    """The column that heads each record: the first where its cells are text, not numbers (a
    name: data list's ``digits``, its records were headed by their location, 'bundled with
    scikit-learn', the dataset's name inside), else the first id column (a tune's ``trial``,
    not its ``rank``), else the first."""
    if not columns:
        return None
    first = columns[0]
    named = all(isinstance(r.get(first), str) and not _numeric(r.get(first)) for r in rows)
    if first in ID_COLUMNS or named:
        return first
    return next((c for c in columns if c in ID_COLUMNS), first)


def _numeric(value: Any) -> bool:
    """``value`` is a number, or a table's cell that writes one (``_fit_table``'s ``"2"``,
    a count's ``"1,000"``)."""
    if is_number(value):
        return True
    try:
        return isinstance(value, str) and math.isfinite(float(value.replace(",", "")))
    except ValueError:
        return False


def _folded(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` in lines of ``width`` (the first indented by ``first``, the others by
    ``rest``), broken at its spaces only (``fold_line``)."""
    return fold_line(first + " ".join(text.split()), width, len(rest))


TERMINAL_ENV = ("FORCE_TERMINAL", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR")


def terminal_width(err: bool = False) -> int | None:
    """The width of the terminal stdout (``err``: stderr) is, as rich (and so ``print_table``)
    sees it (``COLUMNS``, ``TTY_COMPATIBLE``, ...); None where it is no terminal (a file, a
    pipe: text is never folded there). rich is only asked where it may be one."""
    stream = sys.stderr if err else sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # (no stream, or a closed one)
        tty = False
    if not tty and not any(os.environ.get(name) for name in TERMINAL_ENV):
        return None
    console = _console_class()(stderr=err)
    return console.width if console.is_terminal else None


def fit_prose(text: str, err: bool = False) -> str:
    """Text a command prints as lines of prose (headers, notes, legends, messages on stderr),
    on a terminal narrower than a line folded at its spaces (``fold_text``), so that the
    terminal does not break it inside a word; elsewhere as it is."""
    text = printable(text, lines=True)  # (a name, an error read from disk: no raw escape)
    width = terminal_width(err)
    return text if width is None else fold_text(text, width)


def print_text(text: str, file: Any = None) -> None:
    """``text`` whose tables ``table_text`` drew at full width (a folder's summary.txt, a
    sweep's trials), as ``print_table`` prints a table: on a terminal too narrow for one of
    them, that table's rows as records (``fit_text``); elsewhere the text as it is."""
    console = _console_class()(file=file, color_system=None)
    text = printable(text, lines=True)  # (summary.txt as read from disk: no raw escape)
    if console.is_terminal:
        text = fit_text(text, console.width)
    if console.options.ascii_only:  # (a stream that cannot write the box: as rich draws one)
        text = text.translate(ASCII_BOX)
    console.print(text, end="", soft_wrap=True)


TABLE_LINE = ("┏", "┃", "┡", "│", "└")  # (how rich's default box starts each line)
# rich's box in ASCII (its tables on a stream of another encoding than UTF-8: LANG=C without
# UTF-8 mode, PYTHONIOENCODING=ascii), for a table drawn as text before it is printed
ASCII_BOX = str.maketrans("┏┓┗┛┌┐└┘━─┃│┡┩╇┳┬┻┴", "++++++++--||||+----")


def fit_text(text: str, width: int) -> str:
    """``text`` with each table wider than ``width`` as ``record_lines`` (a table of other
    shape than ``table_text`` draws, or torn, as it is); every other line (a title, a legend)
    folded at its spaces where longer than ``width`` (``fold_text``)."""
    out: list[str] = []
    block: list[str] = []
    prose: list[str] = []
    for line in text.splitlines():
        if line.startswith(TABLE_LINE):
            out += fold_text("\n".join(prose), width).split("\n") if prose else []
            prose = []
            block.append(line)
            if line.startswith("└"):
                out += _fit_table(block, width)
                block = []
            continue
        out += block  # (a table that never ended: as it is)
        block = []
        prose.append(line)
    out += block + (fold_text("\n".join(prose), width).split("\n") if prose else [])
    return "".join(f"{line}\n" for line in out)


def _fit_table(lines: list[str], width: int) -> list[str]:
    """A box table's ``lines`` (one header line, one line per row) as records when wider
    than ``width``; as they are when it fits, or has a cell over more than one line."""
    if max(len(line) for line in lines) <= width:
        return lines
    heads = [line for line in lines if line.startswith("┃")]
    bodies = [line for line in lines if line.startswith("│")]
    if len(heads) != 1:
        return lines
    columns = [c.strip() for c in heads[0].strip("┃").split("┃")]
    rows = [[c.strip() for c in line.strip("│").split("│")] for line in bodies]
    if any(len(cells) != len(columns) or not cells[0] for cells in rows):
        return lines  # (a cell folded onto a second line, or one holding a '│')
    return record_lines([dict(zip(columns, cells)) for cells in rows], columns, width)


@functools.cache
def _console_class() -> Any:
    """rich's Console for plain text (no markup, emoji codes or highlighting), except on a
    broken pipe (the reader went away: ``nnlab ... | head``): it goes quiet and stdout goes to
    /dev/null, as rich does, but it does not exit 1 (rich's SystemExit): a closed stdout is no
    failure, the command ends as it would have."""
    from rich.console import Console

    class QuietOnBrokenPipe(Console):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Cells and titles are text, shown as written: rich's markup took "[train, test]"
            # for a style and dropped it, and its emoji codes turned "logspace:a:b:n" into
            # "logspace🅰b:n".
            for plain in ("markup", "emoji", "highlight"):
                kwargs.setdefault(plain, False)
            kwargs.setdefault("_environ", _sized_environ())
            super().__init__(*args, **kwargs)

        def on_broken_pipe(self) -> None:
            self.quiet = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)

    return QuietOnBrokenPipe


def _sized_environ() -> dict[str, str]:
    """The environment as rich reads a terminal's size from it, without a ``COLUMNS`` or
    ``LINES`` of 0 (no size: the terminal's own is asked): rich took ``COLUMNS=0`` for a
    terminal 0 wide, and on a terminal ``runs list`` printed nothing at all."""
    return {k: v for k, v in os.environ.items() if not (k in ("COLUMNS", "LINES") and _zero(v))}


def _zero(value: str) -> bool:
    return value.strip().isdigit() and int(value) == 0


def table_text(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> str:
    """The table as plain text at its full width (summary files written into run folders)."""
    buf = io.StringIO()
    print_table(rows, columns, title, file=buf, width=100_000)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


class Table(NamedTuple):
    """A result table as its command prints it at the end and its folder's summary.txt holds
    it (``text``): its rows, its columns (None: every key of the rows) and its title. Each
    kind builds its own from the data its folder stores (summary.json, its result file), so
    that ``runs show`` draws it from the checked file with the same function."""

    rows: list[dict[str, Any]]
    columns: list[str] | None = None
    title: str | None = None

    def text(self) -> str:
        return table_text(self.rows, self.columns, self.title)


def blocks_text(blocks: Sequence[str | tuple[str, list[dict[str, Any]]]]) -> str:
    """A report's text lines and (title, rows) tables, in order, as text (``table_text``)."""
    return "".join(b + "\n" if isinstance(b, str) else table_text(b[1], title=b[0]) for b in blocks)


def command_line(argv: Any) -> str:
    """The command line a folder's meta.json ``argv`` records, as a user would type it: the
    program as ``nnlab`` (it is recorded as the interpreter ran it: a path to nnlab's
    ``__main__.py`` under ``python -m``), each argument quoted where a shell needs it."""
    import shlex

    if not isinstance(argv, list) or not argv:
        return ""
    args = [str(a) for a in argv]
    if args[0].endswith(("nnlab", "nnlab.exe", "__main__.py")):
        args[0] = "nnlab"
    return shlex.join(args)


def separating_keys(configs: list[dict[str, Any]], keys: list[str], most: int = 3) -> list[str]:
    """The fewest of ``keys`` (those the configs differ in; at most ``most``) that tell the
    most configs apart, for a label of each: a variant's ``name`` key (``dataset.name``) before
    the keys that come with it, then config order on a tie. The first three in config order
    were often three that change together (dataset.n_test, normalize, name), leaving out the
    one that told runs apart (epochs)."""
    missing = object()

    def distinct(chosen: tuple[str, ...]) -> int:
        return len({tuple(repr(c.get(k, missing)) for k in chosen) for c in configs})

    # (the 12 keys with the most values: at most 220 combinations of 3 however many keys and
    # configs there are; a variant's name first, then config order)
    spread = sorted(keys, key=lambda k: -distinct((k,)))[:12]
    order = sorted([k for k in keys if k in spread], key=lambda k: not k.endswith(".name"))
    best: tuple[str, ...] = ()
    told = distinct(())
    for size in range(1, most + 1):
        for chosen in itertools.combinations(order, size):
            if (n := distinct(chosen)) > told:
                best, told = chosen, n
        if told == len(configs):
            break
    return list(best)
