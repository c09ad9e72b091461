"""A run's checkpoint.npz as every reader reads it: its epoch, its training state's arrays,
the identity of the run it belongs to and the digest of the records it was saved after, each
checked (``read``); and the digests a writer records in it (``records_digest``,
``state_digest``). ``rundir.RunDir`` writes it and asks for it (``load_checkpoint``,
``checkpoint_index``); what it is checked against (meta.json, config.yaml) is the folder's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from nnlab.errors import DEVICE_ERRNOS
from nnlab.fileio import DamagedError, dumps, read_failure
from nnlab.filestate import WrongKindError, refuse_all_but_a_file
from nnlab.kinds import whole
from nnlab.output import counted
from nnlab.plans import array_problem

IDENTITY = ("run_id", "config_hash")  # what a checkpoint records of the run it belongs to
RECORDS = "records"  # a checkpoint's digest of its run's records up to its epoch


class Checkpoint(NamedTuple):
    """A checkpoint as read: the epoch after which it was written, the training state's
    arrays, the ``IDENTITY`` of its run (None: written by a version that recorded none), and
    the digest of the records it was saved after (``records_digest``; None: of an older
    version)."""

    epoch: int
    state: dict[str, np.ndarray]
    identity: dict[str, str] | None
    records: str | None = None


def read(run: Any, arrays: bool) -> Checkpoint:
    """The checkpoint.npz of ``run`` (a ``rundir.RunDir``): with its ``arrays`` (every one,
    checked against its digest and its epoch against the config's), else its index only (its
    epoch, identity and records digest, the state not read); DamagedError naming it if it is
    damaged, edited, or another run's."""
    path = run.file("checkpoint.npz")
    try:
        refuse_all_but_a_file(path, path.stat().st_mode)  # (a pipe: np.load would wait)
        check_zip(path)
        with np.load(path, allow_pickle=False) as data:
            if "epoch" not in data.files:
                raise KeyError("no 'epoch' array")
            found = list(data.files)
            names = found if arrays else ["epoch", *IDENTITY, RECORDS]  # (not the state)
            state = {k: data[k] for k in names if k in found}
        for key, value in state.items():  # (np.load gives a member that is no .npy as bytes)
            if not isinstance(value, np.ndarray):
                raise ValueError(f"{key!r} is not an .npy array")
        epoch_array = state.pop("epoch")
        epoch = int(epoch_array)
    except OSError as exc:  # (a folder there: the reason, its path said once)
        if exc.errno in DEVICE_ERRNOS or isinstance(exc, WrongKindError):  # (no, or other, damage)
            raise read_failure(path, exc) from None
        raise DamagedError(f"{path}: unreadable checkpoint ({exc.strerror or exc})") from None
    except Exception as exc:  # zipfile, EOF, value and key errors of a damaged file
        detail = f"{type(exc).__name__}: {exc}"
        raise DamagedError(f"{path}: unreadable checkpoint ({detail})") from None
    stray = array_problem(found)  # (its index: every reader sees an array added)
    if stray is not None:
        raise DamagedError(f"{path}: {stray}")
    if arrays and (epoch_array.dtype.kind not in "iu" or epoch < 0):  # (a whole epoch >= 0)
        raise DamagedError(f"{path}: 'epoch' is {epoch_array!r}; expected an epoch, 0 or more")
    last = (run.config() or {}).get("epochs") if arrays else None  # (blamed on metrics)
    if whole(last) and epoch > last:
        raise DamagedError(f"{path}: 'epoch' is {epoch}, past the run's {counted(last, 'epoch')}")
    digest = state.pop("digest", None)  # (checkpoints of older versions have none)
    if arrays and digest is not None:
        if str(digest) != state_digest({"epoch": epoch_array, **state}):
            raise DamagedError(
                f"{path}: its arrays are not the ones it was written with (the digest "
                "differs: edited, or an array added or removed?)"
            )
    records = state.pop(RECORDS, None)  # (checkpoints of older versions have none)
    if records is not None and (records.dtype.kind != "U" or records.shape != ()):
        raise DamagedError(f"{path}: {RECORDS!r} is {records!r}; expected a digest's text")
    identity = _check_identity(run, path, state)
    return Checkpoint(epoch, state, identity, None if records is None else str(records))


def check_zip(path: Path) -> None:
    """ValueError for a file that does not begin as a zip archive (np.savez's) does, as numpy
    would read it: as a pickle, refused with advice to trust the file (``allow_pickle``),
    which a checkpoint replaced by other text or bytes is no case for. An empty file is left
    to ``np.load`` (a checkpoint cut to nothing: 'No data left in file')."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head and head != b"PK\x03\x04":
        raise ValueError("not an .npz archive: it does not begin as a zip file does")


def _check_identity(run: Any, path: Path, state: dict[str, np.ndarray]) -> dict[str, str] | None:
    """The identity ``state`` holds (taken out of it), DamagedError unless it is ``run``'s:
    its ``recorded_id``, and a config hash that meta.json's ``config_hash`` begins (the
    config.yaml a resume reads is checked against that). None for a checkpoint of an older
    version, which holds none (a resume goes on and says so)."""
    found = {key: state.pop(key) for key in IDENTITY if key in state}
    if not found:
        return None
    for key in IDENTITY:
        value = found.get(key)
        if value is None:
            raise DamagedError(f"{path}: has {', '.join(found)} but no {key!r} array")
        if value.dtype.kind != "U" or value.shape != ():
            raise DamagedError(
                f"{path}: {key!r} is {value!r}; expected the text of its run's {key}"
            )
    ident = {key: str(value) for key, value in found.items()}
    meta = run.meta
    own = meta.get("run_id") or run.id  # (``recorded_id``, from the meta.json read here)
    if ident["run_id"] != own:
        raise DamagedError(
            f"{path}: the checkpoint of run {ident['run_id']!r}, not of this folder's run "
            f"{own!r} (copied from another run?)"
        )
    want = meta.get("config_hash")
    if isinstance(want, str) and not ident["config_hash"].startswith(want):
        raise DamagedError(
            f"{path}: the checkpoint of a config hashed {ident['config_hash'][: len(want)]}, "
            f"not of this run's (meta.json's config_hash {want})"
        )
    return ident


def records_digest(records: list[dict[str, Any]], epoch: int) -> str:
    """SHA-256 of ``records`` up to ``epoch``, each as metrics.jsonl holds it (a JSON line)."""
    h = hashlib.sha256()
    for record in records:
        if record["epoch"] <= epoch:
            h.update((dumps(record, indent=None) + "\n").encode())
    return h.hexdigest()


def state_digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of a checkpoint's arrays: every name, dtype, shape and byte, in name order."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.tobytes())
    return h.hexdigest()
