"""YAML as nnlab reads it: ``yaml.safe_load``'s rules (no tags, no objects; with libyaml's
parser where PyYAML has it, ~5x faster), bounded in size, in the values it expands to through
aliases and in depth, each failure a ConfigError naming the file and line. Light on purpose (no
pydantic): ``runs list`` checks every folder's config.yaml with it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from nnlab.config_paths import config_of_folder, missing_hint, not_a_run_file
from nnlab.errors import ConfigError
from nnlab.fileio import read_at_most
from nnlab.filestate import leads_nowhere, link_nowhere
from nnlab.output import brief, counted, either, spelled
from nnlab.parsed import parsed

# the safe loader: libyaml's C parser (the same Python constructors as yaml.SafeLoader, so the
# same values; its error messages are worded a little differently), else PyYAML's own
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SAFE_LOADER(_BASE_LOADER):  # type: ignore[misc,valid-type]  # noqa: N801
    """The safe loader, refusing a key written twice in one mapping (YAML keeps the last
    silently: ``lr: 0.1`` then ``lr: 1.0`` trained at 1.0 without a word)."""


def _unique_mapping(loader: Any, node: Any) -> Any:
    """The safe loader's mapping (``construct_yaml_map``) after a check of its written keys
    (merged ``<<`` keys may be overridden, as YAML allows): none twice, none of no text
    (``'': 3`` was 'unknown key 'config'', ``model: {'': 3}`` 'unknown key 'model.'')."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
            continue
        key = loader.construct_object(key_node)
        if isinstance(key, str) and not key.strip():
            raise yaml.constructor.ConstructorError(
                None, None, f"a key of no text ({key!r}); expected a key name", key_node.start_mark
            )
        if key in seen:  # (said as YAML spells it: null, true; not Python's None, True)
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {given(key)}", key_node.start_mark
            )
        seen.add(key)
    yield from loader.construct_yaml_map(node)


SAFE_LOADER.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _whole_number(loader: Any, node: Any) -> int:
    """The safe loader's integer, or an error at its line: Python refuses to read an integer
    of more than ``sys.get_int_max_str_digits()`` digits (a ValueError, not a YAML error);
    and one YAML 1.1 reads as another number than it shows (``_unlike_written``)."""
    _unlike_written(loader, node)
    try:
        return int(loader.construct_yaml_int(node))
    except ValueError:
        import sys

        digits = counted(sys.get_int_max_str_digits(), "digit")
        raise yaml.constructor.ConstructorError(
            None, None, f"an integer of more than {digits}", node.start_mark
        ) from None


SAFE_LOADER.add_constructor("tag:yaml.org,2002:int", _whole_number)

# YAML 1.1 numbers whose value is not what they show: base 60 (``1:30`` is 90) and a leading
# 0, octal (``010`` is 8); ``epochs: 1:30`` trained 90 epochs, ``seed: 010`` seeded 8
_BASE_60 = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_OCTAL = re.compile(r"[-+]?0[0-7_]+")


def _unlike_written(loader: Any, node: Any) -> None:
    """A ConstructorError at ``node`` if YAML 1.1 reads its number as another than written
    (``_BASE_60``, ``_OCTAL``), saying what it would be read as and how to write it."""
    text = str(node.value)
    if not (_BASE_60.fullmatch(text) or (_OCTAL.fullmatch(text) and text.strip("-+0_"))):
        return
    value = (loader.construct_yaml_float if "." in text else loader.construct_yaml_int)(node)
    if ":" in text:
        said = f"is a base-60 (sexagesimal) number in YAML 1.1, read as {value}"
        meant = f"write the number meant, or '{text}' in quotes for text"
    else:
        said = f"has a leading 0: an octal number in YAML 1.1, read as {value}"
        meant = f"write {int(text.replace('_', ''), 10)} without it (or {value})"
    raise yaml.constructor.ConstructorError(None, None, f"{text} {said}; {meant}", node.start_mark)


def _real_number(loader: Any, node: Any) -> float:
    """The safe loader's float, but for one YAML 1.1 reads as another number than it shows
    (``_unlike_written``: ``1:30.5`` is 90.5)."""
    _unlike_written(loader, node)
    return float(loader.construct_yaml_float(node))


SAFE_LOADER.add_constructor("tag:yaml.org,2002:float", _real_number)


def _no_set(loader: Any, node: Any) -> Any:
    """A YAML set (``!!set {20, 10, 30}``) has no order: read as a list it came back sorted,
    and ``model.hidden`` got its layers in another order without a word."""
    raise yaml.constructor.ConstructorError(
        None, None, "a set (!!set) has no order; give a list, e.g. [20, 10, 30]", node.start_mark
    )


SAFE_LOADER.add_constructor("tag:yaml.org,2002:set", _no_set)


def _no_binary(loader: Any, node: Any) -> Any:
    """Binary data (``!!binary``, base64) is no config value: read as bytes, the schema took
    them as the text they decode to (``name: !!binary aGVsbG8=`` trained a run named 'hello',
    ``optimizer.lr: !!binary MC4x`` at 0.1), a value the file does not show."""
    raise yaml.constructor.ConstructorError(
        None, None, "binary data (!!binary) is no config value; write the value itself",
        node.start_mark,
    )  # fmt: skip


SAFE_LOADER.add_constructor("tag:yaml.org,2002:binary", _no_binary)


def _no_python(loader: Any, suffix: str, node: Any) -> Any:
    """A Python object (``!!python/tuple``, what ``yaml.dump`` writes of a tuple; an object
    to run, ``!!python/object/apply:os.system``) is no config value: it said PyYAML's 'could
    not determine a constructor for the tag 'tag:yaml.org,2002:python/tuple''."""
    written = "!!python/" + suffix
    raise yaml.constructor.ConstructorError(
        None, None, f"a Python object ({brief(written, 60)}) is no config value; nnlab reads "
        "plain YAML only: write the value itself (yaml.safe_dump writes plain YAML)",
        node.start_mark,
    )  # fmt: skip


SAFE_LOADER.add_multi_constructor("tag:yaml.org,2002:python/", _no_python)

MAX_CONFIG_BYTES = 1_000_000  # a YAML config file
MAX_YAML_VALUES = 100_000  # values a YAML document expands to (aliases included)
MAX_YAML_DEPTH = 32  # levels of nesting (a config has three or four)


def read_yaml(path: Path, empty: bool = True) -> dict[str, Any]:
    """A YAML mapping from ``path`` (safe_load), or a ConfigError naming the path and line.
    ``empty``: whether a file with no document at all (nothing, or comments only) reads as
    ``{}``; a config file given to a command is refused instead (an explicit ``{}`` is one).

    Bounded: a file over ``MAX_CONFIG_BYTES``, or a document that expands (through YAML
    aliases) to more than ``MAX_YAML_VALUES`` values or nests deeper than ``MAX_YAML_DEPTH``,
    is refused before anything uses it.
    """
    path = Path(path)
    if leads_nowhere(path):  # (a loop was 'not found (did you mean <itself>?)')
        raise ConfigError(f"{path}: {link_nowhere(path)}; expected a YAML config file")
    if not path.exists():
        raise ConfigError(f"{path}: config file not found{missing_hint(path)}")
    if path.is_dir():  # (a run folder: its config.yaml is the file, or --resume the folder)
        ran = (path / "meta.json").is_file()
        hint = f"; a run folder: {config_of_folder(path)}" if ran else ""
        raise ConfigError(f"{path}: is a folder, expected a YAML config file{hint}")
    if not empty:  # (a config given to a command)
        not_a_run_file(path)
    try:
        raw = read_at_most(path, MAX_CONFIG_BYTES)  # (a device that never ends is refused too)
        if raw is None:
            size = path.stat().st_size
            what = counted(size, "byte") if size > MAX_CONFIG_BYTES else (
                f"more than {MAX_CONFIG_BYTES:,} bytes and no end (a device?)"
            )  # fmt: skip
            raise ConfigError(f"{path}: {what}; a config is at most {MAX_CONFIG_BYTES:,} bytes")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc  # (its cause: a
        # run folder's reader tells a device that failed from damage, ``RunDir.config``)
    if empty:
        return parsed("yaml", path, raw, lambda raw: _mapping(path, raw))
    data = parsed("yaml document", path, raw, lambda raw: _document(path, raw))
    if data is None:  # (a truncated or unsaved file trained every default, exit 0)
        raise ConfigError(
            f"{path}: empty (blanks, comments or null only); expected a mapping of config keys, "
            "e.g. 'epochs: 5' ('{}': every default)"
        )
    return data


def _not_utf8(raw: bytes, start: int) -> str:
    """What the bytes ``raw`` of a config are, not being UTF-8 from ``start``: binary (a NUL
    in them; UTF-16 text has them too), else text in another encoding, said with the line and
    column of its first byte that is not UTF-8 (both were 'not a text file': a config saved as
    Latin-1 with a 'café' in a comment is one)."""
    if b"\x00" in raw[:65536]:
        return wide_text(raw) or "not a text file, expected YAML"
    line = raw.count(b"\n", 0, start) + 1
    column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
    return (
        f"line {line}, column {column}: byte 0x{raw[start]:02x} is not UTF-8; expected YAML "
        "in UTF-8 (a file saved as Latin-1?)"
    )


def wide_text(raw: bytes) -> str | None:
    """'UTF-16 text ...' where ``raw`` is text in UTF-16 or UTF-32 (a byte-order mark, or
    ASCII text with a NUL beside each character: Windows' 'Unicode'), else None: such a
    config was 'not a text file' with a mark, 'unacceptable character #x0000' without."""
    import codecs

    marks = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
             (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))  # fmt: skip
    name = next((name for mark, name in marks if raw.startswith(mark)), None)
    head = raw[:4096]
    for width, kind in ((4, "UTF-32"), (2, "UTF-16")):
        if name is None and len(head) >= 2 * width and len(head) % width == 0:
            units = [head[i : i + width] for i in range(0, len(head), width)]
            if all(u.count(0) == width - 1 and u.strip(b"\x00") for u in units):
                name = kind
    if name is None:
        return None
    return f"{name} text; expected YAML in UTF-8 (save the file as UTF-8)"


def _mapping(path: Path, raw: bytes) -> dict[str, Any]:
    """``read_yaml``'s mapping of the bytes ``raw`` of ``path`` (``{}``: no document)."""
    data = _document(path, raw)
    return {} if data is None else data


def _document(path: Path, raw: bytes) -> dict[str, Any] | None:
    """The mapping the bytes ``raw`` of ``path`` hold, or None for no document at all."""
    if b"\x00" in raw[:8] and (wide := wide_text(raw)):  # (UTF-16 of ASCII is valid UTF-8)
        raise ConfigError(f"{path}: {wide}")
    try:
        text = raw.decode("utf-8")
        if (mark := text.find("\ufeff", 1)) > 0:  # (PyYAML: 'did not find expected key')
            raise ConfigError(f"{path}: {_inner_bom(text, mark)}")
        data = yaml_value(text, str(path), check=False)
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{path}: {_where(exc, text)}malformed YAML: {_problem(exc, text)}"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {_not_utf8(raw, exc.start)}") from None
    if data is None:
        return None
    if isinstance(data, str) and (pair := re.match(r"\s*([A-Za-z_][\w.]*)\s*[:=]\s*(\S+)", data)):
        raise ConfigError(  # ('epochs:3' or 'epochs=3': one text, 'expected ..., got str')
            f"{path}: expected a mapping of config keys, got the text {brief(repr(data))}; "
            f"{SPACE_AFTER_COLON}: {pair[1]}: {pair[2]}"
        )
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    check_expansion(data, str(path))
    return data


def _inner_bom(text: str, position: int) -> str:
    """What a byte-order mark (U+FEFF) past the start of ``text`` says: where it is, and that
    one belongs at the start of a file only (a file joined from two saved with one?)."""
    before = text[:position]
    line, column = before.count("\n") + 1, position - before.rfind("\n")
    return (
        f"line {line}, column {column}: a byte-order mark (U+FEFF, bytes EF BB BF) inside the "
        "file; expected one at its start only, or none (files joined, each saved with one?)"
    )


def _where(exc: yaml.YAMLError, text: str) -> str:
    """'line L, column C: ' of a YAML error: its mark, or where a reader error's character is
    (a control character has no mark: it said 'cfg.yaml:: malformed YAML')."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: "
    position = getattr(exc, "position", None)
    if not isinstance(position, int):
        return ""
    before = text[:position]
    return f"line {before.count(chr(10)) + 1}, column {position - before.rfind(chr(10))}: "


def _problem(exc: yaml.YAMLError, text: str = "") -> str:
    """PyYAML's words for ``exc``, and, where they stop at a tab, that YAML indents with
    spaces (it said only 'found character that cannot start any token')."""
    if isinstance(exc, yaml.reader.ReaderError):  # (its text ends '... in "<unicode string>"')
        return f"unacceptable character #x{exc.character:04x}: {exc.reason}"
    said = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if glued := glued_error(exc, text):  # (PyYAML: 'found unexpected ':'')
        return glued
    mark = getattr(exc, "problem_mark", None)
    tab = mark is not None and text[mark.index : mark.index + 1] == "\t"
    if tab:
        return f"{said}: a tab; YAML indents with spaces, not tabs"
    return _second_document(said, mark, text) or said + _line_meant(said, mark, text)


def _second_document(said: str, mark: Any, text: str) -> str:
    """What PyYAML's words for a stream of documents mean, where they are its (it said 'but
    found another document' of a second ``---``, 'did not find expected <document start>' of
    text after ``...``), else ""."""
    if "found another document" in said:
        return (
            "a second YAML document ('---' starts one); a config is one document: remove the "
            "'---' line, or keep one of the documents (two files joined?)"
        )
    ends = mark is not None and re.search(r"^\.\.\.[ \t]*(#.*)?$", text[: mark.index], re.M)
    if "expected <document start>" in said and ends:
        return (
            "text after '...', which ends the YAML document; a config is one document: remove "
            "the '...' line"
        )
    return ""


def _line_meant(said: str, mark: Any, text: str) -> str:
    """``; ...`` naming the line a key's missing colon, a stray indent or a ': ' in a value
    broke, where PyYAML's words name another (``batch_size 10`` on line 2 was 'line 3, column
    1: could not find expected ':''), else ""."""
    if mark is None or not any(
        s in said for s in ("mapping values are not", "expected ':'", "expected key")
    ):
        return ""
    lines = text.splitlines()
    row = min(mark.line, len(lines) - 1)
    if "mapping values" in said and ": " in lines[row][: mark.column].strip():
        return "; a value holding ': ' is written in quotes (name: 'my: run')"
    above = [i for i in range(row - 1, -1, -1) if lines[i].strip()[:1] not in ("", "#")]
    if not above:
        return ""
    line = lines[above[0]]
    if ":" not in line:  # (a key without its colon: 'batch_size 10')
        fixed = re.sub(r"^(\s*[\w.-]+)\s+", r"\1: ", line.rstrip(), count=1)
        return (
            f"; line {above[0] + 1}, {line.strip()!r}, has no ':' after its key ({fixed.strip()}?)"
        )
    indent = len(lines[row]) - len(lines[row].lstrip())
    if indent > len(line) - len(line.lstrip()) and not line.rstrip().endswith(":"):
        return (
            f"; line {row + 1} is indented more than line {above[0] + 1}, whose key has its "
            "value (the keys of one mapping line up)"
        )
    return _unmatched_indent(lines, row, above)


def glued_error(exc: yaml.YAMLError, text: str) -> str:
    """``glued_at`` of the YAML error ``exc`` of ``text`` (a file's, an override's value, a
    sweep's), said in place of PyYAML's 'found unexpected ':''."""
    mark = getattr(exc, "problem_mark", None)
    said = getattr(exc, "problem", None) or ""
    return glued_at(text, mark.index) if mark and "found unexpected ':'" in said else ""


def glued_at(text: str, colon: int) -> str:
    """``'hidden:[4]' has no space after its colon (...)`` where PyYAML stopped at the
    ``colon`` glued to the key before it and the bracket or brace after it (``{hidden:[4]}``:
    'found unexpected ':'', where ``{name:adam}`` is read as one key 'name:adam'), else ""."""
    key = re.search(r"[A-Za-z_][\w.-]*$", text[:colon])
    if key is None:
        return ""
    depth, end = 0, len(text)
    for at in range(colon + 1, len(text)):  # (the value: to its bracket's match, or a ',')
        depth += (text[at] in "[{") - (text[at] in "]}")
        if depth <= 0 and text[at] in ",\n]}":
            end = at + (depth == 0 and text[at] in "]}")
            break
    value = brief(text[colon + 1 : end].strip())
    word = brief(repr(f"{key[0]}:{value}"))
    return f"{word} has no space after its colon ({SPACE_AFTER_COLON}: {key[0]}: {value})"


def _unmatched_indent(lines: list[str], row: int, above: list[int]) -> str:
    """``; line 4 is indented by 1 space, as no line above it is ...`` for a line whose
    indent lines it up with no key above it (a dedent short of its section's keys, PyYAML's
    'did not find expected key'), else ""."""
    indent = len(lines[row]) - len(lines[row].lstrip())
    levels = sorted({len(lines[i]) - len(lines[i].lstrip()) for i in above})
    if indent in levels or indent > levels[-1]:
        return ""
    said = either([str(level) for level in levels])
    return (
        f"; line {row + 1} is indented by {counted(indent, 'space')}, the lines above it by "
        f"{said}: the keys of one mapping line up"
    )


def yaml_value(text: str, source: str, check: bool = True) -> Any:
    """``text`` as ``yaml.safe_load`` reads it (with ``SAFE_LOADER``; a YAMLError propagates),
    bounded like a config file (``check_expansion``; ``check=False``: the caller checks). A
    document nested so deep that the parser itself recurses too far is refused the same way."""
    try:
        _count_events(text, source)
        value = yaml.load(text, Loader=SAFE_LOADER)
    except RecursionError:
        raise ConfigError(_too_deep(source)) from None
    except yaml.YAMLError as exc:  # (libyaml stops at its own depth limit, 1,000 levels)
        if "nesting depth" in str(getattr(exc, "problem", "")):
            raise ConfigError(_too_deep(source)) from None
        raise
    if check:
        check_expansion(value, source)
    return value


_VALUE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)


def _count_events(text: str, source: str) -> None:
    """``check_expansion``'s bounds on the parser's events, before anything is built from
    them: a document of more than ``MAX_YAML_VALUES`` values written out (no aliases needed:
    333,000 ``{}`` fit in a config's 1 MB) was built whole first, 6-7 s and 450 MB, by every
    command that read it (``runs list`` for a run folder's config.yaml); a value counts as
    written here (an alias once: ``check_expansion`` counts what it expands to, and says
    'expands to ... (YAML aliases?)')."""
    count = level = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, _VALUE_EVENTS):
            count += 1
            if count > MAX_YAML_VALUES:  # (written out: no alias to blame)
                raise ConfigError(
                    f"{source}: holds more than {counted(MAX_YAML_VALUES, 'value')}; a config "
                    "is a few dozen keys"
                )
            if level > MAX_YAML_DEPTH:
                raise ConfigError(_too_deep(source))
        if isinstance(event, yaml.CollectionStartEvent):
            level += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            level -= 1


def _too_many(source: str, limit: int) -> str:
    return (
        f"{source}: expands to more than {counted(f'{limit:,}', 'value')} (YAML aliases?); "
        "a config is a few dozen keys"
    )


def _too_deep(source: str) -> str:
    return f"{source}: nested more than {MAX_YAML_DEPTH} levels deep; a config has three or four"


def check_expansion(
    data: Any, source: str, limit: int = MAX_YAML_VALUES, depth: int = MAX_YAML_DEPTH
) -> None:
    """ConfigError if ``data`` expands to more than ``limit`` values, counting a value as often
    as it is referenced (a YAML alias bomb is small on disk and in memory, but every copy,
    dump or comparison of it walks every reference), or nests deeper than ``depth`` (every
    copy and validation of it recurses that deep)."""
    count, stack = 0, [(data, 0)]
    while stack:
        item, level = stack.pop()
        count += 1
        if count > limit:
            raise ConfigError(_too_many(source, limit))
        if level > depth:
            raise ConfigError(_too_deep(source))
        if isinstance(item, dict):
            stack.extend((x, level + 1) for x in item.keys())
            stack.extend((x, level + 1) for x in item.values())
        elif isinstance(item, list):
            stack.extend((x, level + 1) for x in item)


# A key glued to its value by a colon with no space after it: YAML reads 'lr:0.1' as one word,
# a key with no value in braces ({lr:0.1}) or a text alone (a document 'epochs:3').
_GLUED = re.compile(r"\s*([A-Za-z_][\w.-]*)\s*:(?=\S)(.+?)\s*", re.S)
SPACE_AFTER_COLON = "a key is followed by ': ', a colon and a space"


def glued(word: Any) -> tuple[str, str] | None:
    """(key, value) of ``word`` where it is a key and its value glued by a colon with no space
    after it ('lr:0.1': ('lr', '0.1')), else None. Every place a config's keys are read
    answers it with ``SPACE_AFTER_COLON`` (a document, a section's key, a section's name,
    a flow mapping that does not parse: ``{hidden:[4]}``)."""
    found = _GLUED.fullmatch(word) if isinstance(word, str) else None
    return (found[1], found[2]) if found else None


def glued_in(value: Any) -> str:
    """`` ('k:v' is one key: a key is followed by ...: k: v)`` for the first key of the
    mapping ``value`` that is a key glued to its value (``glued``) and has no value of its
    own, else "": ``eval: {train:1}`` said only 'got {train:1: null}'."""
    for key, item in value.items() if isinstance(value, dict) else ():
        if item is None and (pair := glued(key)):
            return f" ({key!r} is one key: {SPACE_AFTER_COLON}: {pair[0]}: {pair[1]})"
    return ""


def given(value: Any) -> str:
    """A value an error message quotes: text in quotes, the rest as YAML spells it (null,
    true, [1, 2]), as the user wrote it in the file or override."""
    return brief(repr(value) if isinstance(value, str) else spelled(value))


def in_digits(value: Any) -> str | None:
    """What an integer key given a number as YAML text says (``epochs: 1e3``: YAML 1.1 reads
    an exponent without a sign, or without a dot, as text; a float key takes it, an integer key
    said 'unable to parse string as an integer, got '1e3''), else None (not a number)."""
    try:
        number = float(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if number is None or not number.is_integer():
        return None if number is None else f"input should be a whole number, got {given(value)}"
    return (
        f"input should be an integer in digits, such as {int(number)}, got {given(value)} "
        "(YAML reads it as text, not as a number)"
    )
