"""The times a folder records (meta.json's ``started`` and ``ended``: ISO 8601 with the UTC
offset of the machine and ``TZ`` that wrote them, ``fileio.now``), compared as instants and
shown in this process's time zone. As text they are in the zone they were written in: a run
started at 15:20 UTC under ``TZ=America/New_York`` reads '10:20-05:00', which sorted before
'15:10+00:00', so ``latest`` named a folder started earlier, and ``runs list`` showed two
runs ten minutes apart five hours apart.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def parsed(value: Any) -> dt.datetime | None:
    """The time ``value`` records (text in ISO 8601, or a datetime), None if it is none."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def instant(value: Any) -> float:
    """POSIX seconds of the time ``value`` records (one without an offset, as the oldest
    folders wrote, read in this zone), -inf for none: what sorts folders by their start."""
    when = parsed(value)
    if when is None:
        return -math.inf
    try:
        return when.timestamp()
    except (OverflowError, ValueError, OSError):  # (year 1 in a zone east of UTC, say)
        return -math.inf if when.year < 1970 else math.inf


def local(value: Any) -> dt.datetime | None:
    """The time ``value`` records in this process's zone (``TZ``), None if it records none;
    one without an offset, or one that cannot be moved (year 1 east of UTC), as it is."""
    when = parsed(value)
    if when is None or when.tzinfo is None:
        return when
    try:
        return when.astimezone()
    except (OverflowError, ValueError, OSError):
        return when


def local_text(value: Any, seconds: bool = True) -> str | None:
    """``local(value)`` as 'YYYY-mm-dd HH:MM:SS' (``seconds`` False: to the minute); text that
    is no time as it is (None for none)."""
    when = local(value)
    if when is None:
        return str(value) if value not in (None, "") else None
    return when.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
