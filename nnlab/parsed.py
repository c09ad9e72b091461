"""What a reader made of a run file, remembered by the file's bytes: its JSON, its records, its
YAML, meta.json's checks. A reader still reads the file every time it asks (where it reads
it, and as often: a writer moving on between two reads is seen as before), and parses it again
only when the bytes are other than those parsed before: the same bytes give the same value or
the same damage, so nothing read is taken on trust. ``runs list`` read each folder's meta.json
about 16 times, its records 3 times and its config.yaml twice, each parsed and checked anew.

Keyed by the bytes themselves, not by a file's size and times (a file rewritten in place
within the filesystem's clock tick keeps them); a value is handed out as a copy, so a caller
that changes what it was given (a meta.json updated to write) changes no one else's. Only a
value is remembered, never damage (DamagedError: parsed again, and said again, each time).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# what is remembered at most: files up to MAX_FILE_BYTES each (a longer one is parsed each
# time), MAX_BYTES of them in all. A long run's metrics.jsonl is the file most worth it: 5,600
# epochs' records are 1.3 MB, parsed in ~0.3 s, and one command checks them several times
# (``lookup.usable``, then its own reading); 8 MB is ~35,000 epochs
MAX_FILE_BYTES = 8 * 2**20
MAX_BYTES = 16 * 2**20  # (a parsed value takes several times its bytes: records ~5x)

# (no lock: a dict's get and set are atomic, and two threads parsing the same file at once
# at worst count it twice towards MAX_BYTES; a lock held as a process forks its workers or
# painters would be held for ever in the child)
_MEMO: dict[tuple[str, str, bytes | str], Any] = {}
_SIZE = [0]


def parsed(what: str, path: Path, raw: Any, parse: Callable[[Any], T]) -> T:
    """``parse(raw)``: what the reading ``what`` (json, records, yaml, meta, ...) makes of the
    file ``path`` holding ``raw`` (its bytes, or its text); a copy of what it made of the same
    path and content before, if it did. ``parse`` must depend on nothing else (the path names
    the file in its errors); an exception it raises propagates and is not remembered."""
    key = (what, str(path), raw)
    found = _MEMO.get(key, _MEMO)
    if found is _MEMO:
        found = parse(raw)
        if len(raw) <= MAX_FILE_BYTES:
            if _SIZE[0] + len(raw) > MAX_BYTES:  # (a reading of thousands of folders)
                _MEMO.clear()
                _SIZE[0] = 0
            _MEMO[key] = found
            _SIZE[0] += len(raw)
    try:
        return copied(found)
    except RecursionError:  # (nested about as deep as a parser goes: parsed again, as before)
        return parse(raw)


def copied(value: T) -> T:
    """``value`` with every dict and list in it new (a value read from JSON or YAML: its
    other parts, text, numbers, dates, are not changed in place)."""
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [copied(v) for v in value]  # type: ignore[return-value]
    return value
