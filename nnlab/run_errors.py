"""The one line a run folder records for what ended it (``describe_error``), and whose it is
(``error_in``): a net trained in one stack with others (a sweep's ``--stack``) ends with the
error of any of them, and each folder says whose file failed; a sweep's error line gives as
its example a trial whose own file failed (``own_failure``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nnlab.errors import NnlabError, short_of_memory
from nnlab.fileio import os_error_text
from nnlab.signals import Interrupted

STACKED = "a run that trained in one stack with it"  # (what ``error_in`` adds of another's)


def describe_error(exc: BaseException) -> str:
    """One line for what ended a run: ``OSError`` as path and reason, nnlab's own errors as
    their line (not 'DeviceError: ...', as a trial's said), others as type: text."""
    if isinstance(exc, OSError):
        return os_error_text(exc)
    if isinstance(exc, Interrupted):
        return f"interrupted by {exc}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (SIGINT)"
    if (short := short_of_memory(exc)) is not None:  # (MemoryError; a library not loaded)
        return short
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    named = "" if isinstance(exc, NnlabError) else f"{type(exc).__name__}: "
    return f"{named}{text}" if text else type(exc).__name__


def error_in(folder: Path, exc: BaseException) -> str:
    """``describe_error`` as ``folder``'s run records it: an error of a file or folder of a
    run beside it (a net trained in one stack with other runs, a full disk at another's
    checkpoint ends them all) says whose, not only that path: an OSError's file, or the path
    an error of nnlab's begins with (a sibling's folder that could not be made, a file of it
    that could not be read back: 'trials/b: cannot create run folder', recorded as each
    trial's own)."""
    text = describe_error(exc)
    here, named = Path(folder).absolute(), _named(exc, text)
    for where in (named, named.parent) if named is not None else ():
        if where.parent == here.parent:  # (a folder beside it, or a file of one; or its own)
            if where != here:
                text += f" (in {where.name}, {STACKED})"
            break
    return text


def _named(exc: BaseException, text: str) -> Path | None:
    """The path an error names: an OSError's file, or what an error of nnlab's line begins
    with before its first ': '."""
    name: Any = getattr(exc, "filename", None) if isinstance(exc, OSError) else None
    if name is None and isinstance(exc, NnlabError) and ": " in text:
        name = text.split(": ", 1)[0]
    if not isinstance(name, (str, bytes)) or not name or os.sep not in os.fsdecode(name):
        return None
    return Path(os.fsdecode(name)).absolute()


def own_failure(failed: list[dict[str, Any]]) -> dict[str, Any]:
    """The row a sweep's error line gives as its example of ``failed`` trials (rows): the
    first whose error is its own, not a stack sibling's (``error_in``): it said 'e.g. a: ...
    b/checkpoint.npz: No space left on device (in b, ...)', the trial whose file did not fail."""
    return next((r for r in failed if f", {STACKED})" not in str(r.get("error"))), failed[0])
