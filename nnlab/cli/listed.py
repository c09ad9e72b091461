"""Options that take several values (``--lr 0.1,0.2``, ``-o sgd,adam``, ``--only t10k --only
train``), and their values the shell split at a space (``--lr 0.1 0.2``): refused as the option,
with the values written as it takes them, rather than as an override or an extra argument.

An option takes several values where its help says "comma-separated" (what -h tells the user)
or it may be repeated; each value it takes is one of its names, a number (or numbers joined by
commas: a start point), a config key (``KEY``), a URL or, after ``KEY=VALUE``, one more value.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Sequence
from typing import Any

from nnlab.cli.usage import EXTRA, _choices, _declared, command_at, flag_given


def split_arguments(exc: BaseException, command: Any, argv: Sequence[str]) -> str | None:
    """``--lr: the shell split ...`` for click's error ``exc`` of extra arguments that are the
    values of a list option of ``command`` given with a space (``-a relu tanh``: 'tanh' was
    'an extra argument; expected none'), or of a negative number it read as an option
    (``--start 0.5 -1.0``: '-1: no such option'); else None."""
    if command is None:
        return None
    message = str(getattr(exc, "message", "") or "")
    option = str(getattr(exc, "option_name", "") or "")
    if extra := re.match(EXTRA, message):
        words = extra[1].split()
    elif type(exc).__name__ == "NoSuchOption" and re.fullmatch(r"-[\d.]", option):
        words = [w for w in argv if w.startswith(option) and _numbers(w)]
    else:
        return None
    split = split_value(argv, words, command)
    return f"{split[0]}: {split[1]}" if split else None


def split_value(argv: Sequence[str], words: Sequence[str], command: Any) -> tuple[str, str] | None:
    """(option, ``the shell split ...``) for a word of ``words`` (a command's extra arguments,
    or its overrides without '=') that is the next value of an option of ``command`` taking
    several (``several``), given with a space (``--lr 0.1 0.2``, ``-o sgd adam``, ``-a relu
    tanh``, ``--steps 5 10``: '0.2' was refused as an override, 'expected key.sub=value', or
    'tanh' as 'an extra argument'), with the option as meant; None for any other word. (A word
    after an option's value that it does not take, a config or a run, is no such value.)"""
    for i in range(2, len(argv)):
        option, value = argv[i - 2], argv[i - 1]
        if argv[i] not in words or not option.startswith("-") or "=" in option:
            continue
        param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
        is_value = not value.startswith("-") or _numbers(value)  # (-7,2: a value, no option)
        if param is None or not is_value or not several(param):
            continue
        items = [value.rstrip(",")]
        for word in argv[i:]:
            if word not in words or not _item_of(word.strip(","), param):
                break
            items.append(word.strip(","))
        named = bool(_choices(param) or _declared(param))  # (-o adam adam: no list; --hidden 8 8)
        if len(items) > 1 and (len(set(items)) == len(items) or not named):
            said = f"the shell split its values at a space ({' '.join(items)})"
            return option, f"{said}; {_as_meant(option, items, param)}"
    return None


def several(param: Any) -> bool:
    """The option takes several values, comma-separated (its help says so), or repeated."""
    return bool(getattr(param, "multiple", False)) or _commas(param)


def _commas(param: Any) -> bool:
    return "comma-separated" in (getattr(param, "help", None) or "").lower()


def _as_meant(option: str, items: list[str], param: Any) -> str:
    """How ``option`` takes ``items``: joined by commas (points, which hold commas, by ';',
    where its help says so: ``--start '-7,2;5,1'``), or the option once for each where it
    is repeated (``--only t10k --only train``: it takes no commas)."""
    if not _commas(param):
        given = " ".join(f"{option} {shlex.quote(item)}" for item in items)
        return f"give the option once for each: {given}"
    if any("," in item for item in items) and "';'" in (param.help or ""):  # (points)
        joined = shlex.quote(";".join(items))
        return f"they are separated by ';', without spaces (in quotes): {option} {joined}"
    return f"they are separated by commas, without spaces: {option} {','.join(items)}"


def _item_of(word: str, param: Any) -> bool:
    """``word`` is one of the values ``param`` takes: one of its names where it names them,
    else as its metavar says (a config key, a URL, a value after ``KEY=VALUE``'s), else a
    number (or numbers joined by commas)."""
    names = _choices(param) or _declared(param)
    if names:
        return word in names
    kind = getattr(param, "metavar", None) or ""
    if kind == "KEY":
        from nnlab.config_model import is_config_key

        return is_config_key(word)
    if kind == "KEY=VALUE":
        return "=" not in word and not word.startswith("-")
    if word.startswith(("http://", "https://")):
        return True
    return _numbers(word)


def _numbers(word: str) -> bool:
    """``word`` is a finite number, or several joined by commas (a point: -7,2)."""
    try:
        return all(math.isfinite(float(part)) for part in word.split(","))
    except ValueError:
        return False


def given_twice(argv: Sequence[str], root: Any) -> str | None:
    """``-o: given twice ('sgd' and 'adam'); give it once; several values go comma-separated``
    for an option of the command ``argv`` runs that takes several values comma-separated and
    is given two different ones (before any '--'), else None: click kept the last without a
    word, so ``-o sgd -o adam`` compared adam alone. An option of one value given twice keeps
    the last, as click's do (a command nnlab prints, pasted with another ``--runs-dir``
    after it, writes there); a repeatable option (``--where``, ``--only``) or the same
    value twice is no such case. And a short flag given a value with '=' (``-q=1``: it was
    '-=: no such option') is refused as its long name's is."""
    command, path = command_at(argv, root)
    where = " ".join(["nnlab", *path])
    flags = {o for p in getattr(command, "params", []) if getattr(p, "is_flag", False)
             for o in getattr(p, "opts", ())}  # fmt: skip
    for word in argv[: argv.index("--")] if "--" in argv else argv:
        if word[:2] in flags and word[2:3] == "=":  # (-q=1: click read -q, -= and -1)
            return f"error: {flag_given(word[:2], word[3:])} (see {where} -h)"
    takes = {
        opt: param
        for param in getattr(command, "params", [])
        if getattr(param, "opts", None) and _commas(param) and not getattr(param, "multiple", False)
        for opt in param.opts
    }  # fmt: skip
    seen: dict[str, tuple[str, str]] = {}
    words = list(argv[: argv.index("--")] if "--" in argv else argv)
    i = 0
    while i < len(words):
        word, i = words[i], i + 1
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name not in takes and word[:2] in takes and not word.startswith("--"):
            name, eq, value = word[:2], "=", word[2:]  # (-j2, -osgd)
        param = takes.get(name)
        if param is None:
            continue
        if not eq:
            if i >= len(words):
                break
            value, i = words[i], i + 1
        first = seen.setdefault(param.name, (name, value))
        if first[1] != value:
            return (
                f"error: {name}: given twice ({first[1]!r} and {value!r}); give it once; several "
                f"values go comma-separated, once (see {where} -h)"
            )
    return None
