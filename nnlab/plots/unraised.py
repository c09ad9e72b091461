"""Exceptions Python could not raise: one in a callback from compiled code (matplotlib reads
a font file through a Python callback as it renders) goes to ``sys.unraisablehook``, printed
and lost; ``unraised`` raises it as the block ends, so a figure's save fails with it."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def unraised() -> Iterator[None]:
    """Raise, as the block ends, the first exception Python could not raise in it (one in a
    callback from compiled code): matplotlib reads a font file through a Python callback as
    it renders, and a read that failed (EIO) was printed as 'Exception ignored in:
    'read_from_file_callback'' with a traceback on the run's terminal while the PNG, its text
    left out, was written as the figure (or FreeType's 'failed to load glyph' followed, said as
    'unexpected RuntimeError'). Now the figure fails with that error, naming its file, and its
    temp file is removed. A SystemExit (a painter told to stop) goes to the hook as before."""
    caught: list[BaseException] = []
    before = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, Exception):
            before(unraisable)
        elif not caught:
            caught.append(unraisable.exc_value)

    sys.unraisablehook = hook
    try:
        yield
    except Exception as exc:  # (FreeType's own error after the read: 'failed to load glyph',
        if caught:  # said 'unexpected RuntimeError'; the read's error is the cause)
            raise caught[0] from exc
        raise
    finally:
        sys.unraisablehook = before
    if caught:
        raise caught[0]
