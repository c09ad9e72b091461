"""What a listing reads of a run folder: its meta.json, summary and status, or DAMAGED with
why, never an exception (``describe_folder``; ``identified``, meta.json alone, for finding a
folder by name), and ``one_reading``, a block in which a folder unchanged since it was read is
not read again. Reading only; ``nnlab.runs`` re-exports ``describe_folder``."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from nnlab.errors import RunError
from nnlab.outline import looks_whole
from nnlab.rundir import RunDir, error_status, kind_of, status_of

# One reading's folders as ``describe_folder`` found them: {(path, files): (fingerprint, info)}
_READING: ContextVar[dict[tuple[str, bool], tuple[Any, dict[str, Any]]] | None] = ContextVar(
    "nnlab_reading", default=None
)


@contextmanager
def one_reading() -> Iterator[None]:
    """A block in which ``describe_folder`` reads a folder holding no folder (a training run, a
    sweep's trial) once, for as long as its files stay as they were: each has the inode, size
    and times it had (``_fingerprint``; a writer replaces a file whole or appends to it).
    ``runs list`` reads a sweep's trials for its best trial and for their damage, ``runs show``
    for its table and its damage: each trial once. Nested blocks share the outer one's
    reading."""
    if _READING.get() is not None:
        yield
        return
    token = _READING.set({})
    try:
        yield
    finally:
        _READING.reset(token)


def _fingerprint(path: Path) -> tuple[tuple[Any, ...], ...] | None:
    """Each entry of the folder ``path`` with its inode, size and times; None where it holds a
    folder (what lies below is not told by it) or cannot be listed (read it, to say why)."""
    entries = []
    try:
        with os.scandir(path) as found:
            for entry in found:
                st = entry.stat()  # (a link's target: what a reader reads)
                if stat.S_ISDIR(st.st_mode):
                    return None
                entries.append((entry.name, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    except OSError:
        return None
    return tuple(sorted(entries))


def describe_folder(run: RunDir, files: bool = False, again: bool = True) -> dict[str, Any]:
    """What a listing shows of one folder; a damaged one is ``status: DAMAGED`` with the reason
    (its other fields None), never an exception. ``files``: check every file a command may
    read (``RunDir.check_files``), not only meta.json and summary.json and whatever looks off
    without a parse (``outline.looks_whole``: then every file too). Read as of one state
    of the folder (``RunDir.settled``): a writer moving on meanwhile is no damage. Inside
    ``one_reading``, a folder read before and unchanged since is not read again; ``again``
    False: one the reading will not ask for again (``runs list``'s own rows), not listed
    for that (its files' stat calls were ~7% of a listing)."""
    memo, key = _READING.get() if again else None, (str(run.path), files)
    before = _fingerprint(run.path) if memo is not None else None
    if memo is not None and before is not None and key in memo and memo[key][0] == before:
        return memo[key][1]
    try:
        info = run.settled(lambda: _described(run, files))
    except RunError as exc:
        info = _damaged(exc)
    if memo is not None and before is not None:
        memo[key] = (before, info)
    return info


def _damaged(exc: RunError) -> dict[str, Any]:
    status = error_status(exc)  # (DAMAGED; UNREADABLE: the device failed to read a file)
    return {"meta": None, "summary": {}, "kind": None, "status": status, "reason": str(exc)}


def _described(run: RunDir, files: bool, summary_too: bool = True) -> dict[str, Any]:
    meta = run.meta
    summary = run.summary() if summary_too else {}
    if files or (summary_too and not looks_whole(run, meta)):  # (``outline``: all where off)
        run.check_files()
    return {"meta": meta, "summary": summary, "kind": kind_of(run, meta), "status": status_of(meta)}


def identified(run: RunDir) -> dict[str, Any]:
    """What finding a folder by name or as ``latest`` reads of it: its meta.json (its kind, when
    it started), as ``describe_folder`` gives it, or DAMAGED with why it cannot be read. Its
    other files are the reader's of the folder found: read here, every folder's records were
    read to find one (a second for 500 runs, growing with the runs folder)."""
    try:
        return _described(run, files=False, summary_too=False)
    except RunError as exc:
        return _damaged(exc)
