"""Options that take several values, comma-separated (``--lr 0.1,0.2``, ``-o sgd,adam``), and
their values the shell split at a space (``--lr 0.1 0.2``): refused as the option, with the
values joined as it takes them, rather than as an override or an extra argument.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from nnlab.cli.usage import EXTRA, _choices, _declared


def split_arguments(exc: BaseException, command: Any, argv: Sequence[str]) -> str | None:
    """``--lr: the shell split ...`` for click's error of extra arguments ``exc`` that are the
    values of a list option of ``command`` given with a space (``-a relu tanh``: 'tanh' was
    'an extra argument; expected none'), else None."""
    message = str(getattr(exc, "message", "") or "")
    extra = re.match(EXTRA, message)
    if extra is None or command is None:
        return None
    split = split_value(argv, extra[1].split(), command)
    return f"{split[0]}: {split[1]}" if split else None


def split_value(argv: Sequence[str], words: Sequence[str], command: Any) -> tuple[str, str] | None:
    """(option, ``the shell split ...``) for a word of ``words`` (a command's extra arguments,
    or its overrides without '=') that is the next value of an option of ``command`` taking
    several, comma-separated, given with a space (``--lr 0.1 0.2``, ``-o sgd adam``,
    ``-a relu tanh``: '0.2' was refused as an override, 'expected key.sub=value', or 'tanh'
    as 'an extra argument'), with the option as meant; None for any other word. (A word
    after an option's value that it does not take, a config or a run, is no such value.)"""
    for i in range(2, len(argv)):
        option, value = argv[i - 2], argv[i - 1]
        if argv[i] not in words or not option.startswith("-") or "=" in option:
            continue
        param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
        if param is None or value.startswith("-") or not _several(param):
            continue
        items = [value.rstrip(",")]
        for word in argv[i:]:
            if word not in words or not _item_of(word.strip(","), param):
                break
            items.append(word.strip(","))
        if len(items) > 1 and len(set(items)) == len(items):  # (-o adam adam: no list)
            return option, (
                f"the shell split its values at a space ({' '.join(items)}); they are "
                f"separated by commas, without spaces: {option} {','.join(items)}"
            )
    return None


def _several(param: Any) -> bool:
    """The option takes several values, comma-separated (its help says so), or repeated."""
    return (
        bool(getattr(param, "multiple", False))
        or "comma-separated" in (getattr(param, "help", None) or "").lower()
    )


def _item_of(word: str, param: Any) -> bool:
    """``word`` is one of the values ``param`` takes: one of its names, or a number where it
    names none."""
    names = _choices(param) or _declared(param)
    if names:
        return word in names
    try:
        return math.isfinite(float(word))
    except ValueError:
        return False
