"""A folder's meta.json as every reader reads it (``rundir.RunDir.meta`` and the readings
``RunDir.settled`` makes): checked (``checked_meta``), its status as it reads now (``status_of``:
STALE for a RUNNING folder whose process is gone), its kind (``kind_of``), and damage found in a
folder a newer nnlab made said to be of that version (``said_newer``). (``nnlab.rundir``
re-exports them.)"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnlab import process
from nnlab.errors import RunError
from nnlab.fileio import DamagedError, json_value
from nnlab.kinds import META_KINDS, STALE, STATUSES, show, whole
from nnlab.provenance import by_newer, newer_writer

if TYPE_CHECKING:
    from nnlab.rundir import RunDir


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


def kind_of(run: RunDir, meta: dict[str, Any]) -> str:
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
    (``provenance.newer_writer``): it may hold what this version does not know."""
    if not isinstance(exc, DamagedError) or isinstance(exc, NewerError):
        return exc
    newer = newer_writer(meta)
    if newer is None:
        return exc
    return NewerError(f"{exc} ({by_newer(newer)}: read it with that version or a later one)")
