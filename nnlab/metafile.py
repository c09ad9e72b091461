"""A folder's meta.json as every reader reads it (``rundir.RunDir.meta`` and the readings
``RunDir.settled`` makes): checked (``checked_meta``), its status as it reads now (``status_of``:
STALE for a RUNNING folder whose process is gone), its kind (``kind_of``), the newer nnlab that
made it, if one did (``newer_writer``), and damage found in such a folder said to be of that
version (``said_newer``). (``nnlab.rundir`` re-exports them.)"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any, Protocol

from nnlab import __version__, process
from nnlab.errors import RunError
from nnlab.fileio import DamagedError, json_value
from nnlab.kinds import META_KINDS, STALE, STATUSES, show, whole


class Folder(Protocol):
    """What ``kind_of`` reads of a run folder (``rundir.RunDir``, which imports this module)."""

    def file(self, name: str) -> Path: ...

    def has(self, name: str) -> bool: ...


def checked_meta(path: Path, text: str) -> dict[str, Any]:
    """The meta.json ``path`` holding ``text``: a JSON object whose ``status`` is one of
    ``STATUSES``, every field of its kind (``META_KINDS``) and its ``pid`` a process id; else
    DamagedError naming the file and the field."""
    meta = json_value(path, text)
    if not isinstance(meta, dict):
        raise DamagedError(f"{path}: expected a JSON object, got {type(meta).__name__}")
    if meta.get("status") not in STATUSES:
        raise DamagedError(
            f"{path}: status {meta.get('status')!r} is not one of {', '.join(STATUSES)}"
        )
    for key, kind in META_KINDS.items():
        wrong = kind(meta[key], f"{path}: {key}") if key in meta else None
        if wrong is not None:
            raise DamagedError(wrong)
    pid = meta.get("pid", 1)  # (which process holds a RUNNING folder: True read as pid 1)
    if not (whole(pid) and pid > 0):
        raise DamagedError(
            f"{path}: pid is {show(pid)}; expected a process id, a whole number >= 1"
        )
    return meta


def status_of(meta: dict[str, Any]) -> str:
    """meta.json's status; STALE for a RUNNING one of this host whose process is gone: no
    process has its ``pid``, or the one that has it started at another time than
    ``pid_started`` says (``nnlab.process.alive``: the pid was given to another process)."""
    status = str(meta.get("status"))
    if status == "RUNNING" and meta.get("host") == socket.gethostname():
        if not process.alive(meta.get("pid"), meta.get("pid_started")):
            return STALE
    return status


# What makes a folder: every kind ``runs.start`` is given (``runs list --kind`` takes these).
KINDS = ("train", "sweep", "tune", "lr-scan", "landscape", "activations",
         "compare-optimizers", "gradcheck")  # fmt: skip


def kind_of(run: Folder, meta: dict[str, Any]) -> str:
    """What made the folder: meta.json's ``kind`` (DamagedError if it is none nnlab writes),
    else (folders of older versions) what its files say."""
    kind = meta.get("kind")
    if kind is not None:
        if kind not in KINDS:
            wrong = f"{run.file('meta.json')}: kind {kind!r} is not one of {', '.join(KINDS)}"
            raise said_newer(DamagedError(wrong), meta)
        return str(kind)
    if run.has("sweep.yaml"):
        return "sweep"
    if run.has("tune.json"):
        return "tune"
    return "train"


class NewerError(DamagedError):
    """Damage found in a folder a newer nnlab made, said so (``said_newer``)."""


def said_newer(exc: RunError, meta: bytes | str | dict[str, Any] | None) -> RunError:
    """``exc``, damage found in a folder whose meta.json holds ``meta`` (its bytes, text or
    object), said to be of the newer nnlab that made the folder, if one did
    (``newer_writer``): it may hold what this version does not know."""
    if not isinstance(exc, DamagedError) or isinstance(exc, NewerError):
        return exc
    newer = newer_writer(meta)
    if newer is None:
        return exc
    return NewerError(f"{exc} ({by_newer(newer)}: read it with that version or a later one)")


def _release(text: object) -> tuple[int, ...] | None:
    """The numbers a version begins with (``0.10.2rc1``: (0, 10, 2)), None if it has none."""
    found = re.match(r"\d+(?:\.\d+)*", text) if isinstance(text, str) else None
    return tuple(int(part) for part in found[0].split(".")) if found else None


def newer_writer(meta: bytes | str | dict[str, Any] | None) -> str | None:
    """The nnlab version a folder's meta.json (its bytes or text, read as leniently as they can
    be, or as parsed) says made the folder, if it is newer than this nnlab's, else None: what
    such a folder holds that this version does not know (a status, a kind, a checkpoint array
    added since) is no damage, and this version would write it as an older one does."""
    try:
        found = meta if isinstance(meta, dict) else json.loads(meta or b"")
        made = found.get("versions", {}).get("nnlab")
    except (ValueError, AttributeError, RecursionError):  # (not JSON, no object: no version)
        return None
    ours, theirs = _release(__version__), _release(made)
    return str(made) if ours is not None and theirs is not None and theirs > ours else None


def by_newer(version: str) -> str:
    """What is said of a folder made by nnlab ``version`` (``newer_writer``)."""
    return f"made by nnlab {version}, newer than this nnlab {__version__}"
