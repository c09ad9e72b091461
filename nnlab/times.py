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
import time
from typing import Any

from nnlab.numbers import of_total


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


def duration(seconds: float | None) -> str:
    """Seconds as nnlab writes every duration it prints, readable at every scale: a number, a
    space, its unit: ``40 ms`` under a tenth of a second (``0.4 ms``, ``0.002 ms`` under a
    millisecond, to 2 significant digits), ``0.7 s`` to 10 s, ``12 s`` to a minute,
    ``3 min 05 s`` to an hour, ``2 h 03 min`` from there; '' for none. (A short trial read
    ``0.0 s``, train's epochs ``0.02 s``, a sweep's table and compare-optimizers' a bare
    ``1.78``, gradcheck's analytic pass ``0.000402 s``.)"""
    if seconds is None or not math.isfinite(seconds):
        return ""
    seconds = max(seconds, 0.0)  # (a clock stepped back: no negative time)
    if seconds < 0.0995:  # (0.09996 reads '0.1 s' below, not '100 ms')
        return _milliseconds(seconds * 1000)
    if seconds < 9.95:  # (9.96 reads '10 s', not '10.0 s')
        return f"{seconds:.1f} s"
    if seconds < 59.5:  # (59.96 rounds to '1 min 00 s' below, not '60 s')
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _milliseconds(ms: float) -> str:
    """``duration`` under a tenth of a second: whole milliseconds from 1 (0.9996 reads '1 ms'),
    2 significant digits under that; none measured (0) is ``0 ms``."""
    if ms >= 0.9995 or ms == 0:
        return f"{ms:.0f} ms"
    if ms < 0.0001:  # (a tenth of a microsecond: under any clock's resolution)
        return "under 0.0001 ms"
    return f"{ms:.2g} ms"


class Tally:
    """The one shape of a progress line of things counted as they end (a sweep's or a tune's
    trials, an lr-scan's rates, compare-optimizers' runs): ``trial 3/16, 12 s elapsed, ~48 s
    left: <what it says of the third>``, its count ``numbers.of_total``'s, its times
    ``duration``'s, the time left estimated from those ended here (none before the first,
    nor for things ``done`` before it began: a resume's). (A sweep's lines read ``[3/16]``,
    a tune's ``trial 3/16:``, an lr-scan's and compare-optimizers' counted nothing, and the
    bar's times read 0:00:12.)"""

    def __init__(self, what: str, total: int, done: int = 0) -> None:
        self.what, self.total, self.first = what, total, done
        self.start = time.monotonic()

    def line(self, done: int, said: str, ended: int | None = None) -> str:
        """The line of the ``done``-th thing ended (of ``total``), saying ``said`` of it;
        ``ended``: how many have ended by now, if more than ``done`` (things that ended
        together, a stack's trials, whose lines come one after another)."""
        return f"{self.head(done, ended)}: {said}"

    def head(self, done: int, ended: int | None = None) -> str:
        """A line's count and times: ``trial 3/16, 12 s elapsed, ~48 s left``."""
        return f"{self.what} {of_total(done, self.total)}, {self.times(done, ended)}"

    def times(self, done: int, ended: int | None = None) -> str:
        """``12 s elapsed, ~48 s left`` (``12 s elapsed`` alone when nothing ended here yet,
        or all has). The pace is that of every thing ended by now (``ended``, default
        ``done``): the first line of 8 trials that ended together in 32 s said '~7 min 54 s
        left' of the other 15, at one trial per 32 s."""
        elapsed, ended = time.monotonic() - self.start, max(done, ended or 0)
        left = left_text(elapsed, ended - self.first, self.total - ended)
        return f"{duration(elapsed)} elapsed{left}"


def left_text(elapsed: float | None, ended: int, left: int) -> str:
    """``, ~48 s left``: the time ``left`` more things take at the pace of the ``ended`` ones
    (``elapsed`` seconds); '' when there is no pace yet or nothing is left."""
    if elapsed is None or ended <= 0 or left <= 0:
        return ""
    return f", ~{duration(elapsed / ended * left)} left"
