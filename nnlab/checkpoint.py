"""A run's checkpoint.npz as every reader reads it: its epoch, its training state's arrays,
the identity of the run it belongs to and the digest of the records it was saved after, each
checked (``read``); and the digests a writer records in it (``records_digest``,
``state_digest``). ``rundir.RunDir`` writes it and asks for it (``load_checkpoint``,
``checkpoint_index``); what it is checked against (meta.json, config.yaml) is the folder's.
"""

from __future__ import annotations

import ast
import hashlib
import io
import math
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from nnlab.fileio import DamagedError, dumps, refuse_a_pipe
from nnlab.kinds import whole
from nnlab.output import counted
from nnlab.parsed import parsed
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
        refuse_a_pipe(path, path.stat().st_mode)  # (np.load would wait for a writer)
        quick = None if arrays else _index(path)
        if quick is not None:
            found, state = quick
        else:
            with np.load(path, allow_pickle=False) as data:
                if "epoch" not in data.files:
                    raise KeyError("no 'epoch' array")
                found = list(data.files)
                names = found if arrays else ["epoch", *INDEX]  # (not the state)
                state = {k: data[k] for k in names if k in found}
        epoch_array = state.pop("epoch")
        epoch = int(epoch_array)
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


INDEX = (*IDENTITY, RECORDS)  # what a reading of its index reads, with its epoch
MEMBER_BYTES = 4096  # an index array's member at most (a records digest: 384 bytes)


def _index(path: Path) -> tuple[list[str], dict[str, np.ndarray]] | None:
    """(the names of the arrays checkpoint.npz holds, its epoch and ``INDEX`` arrays), as
    ``np.load`` gives them, read the short way: the archive's directory once, each index
    array's member in one read, and its header parsed once for every checkpoint holding the
    same one (``parsed``: ``np.load`` parsed each with ``ast.literal_eval``, 4 per folder).
    None where anything is not as ``np.savez`` writes it: ``np.load`` reads it then, and says
    what is wrong as before."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"PK\x03\x04":  # (np.load's test of an archive)
                return None
            f.seek(0)
            with zipfile.ZipFile(f) as archive:
                members = archive.namelist()
                found = [name.removesuffix(".npy") for name in members]
                if "epoch" not in found or len(set(found)) < len(found):
                    return None
                state = {}
                for key in ("epoch", *INDEX):
                    if key not in found:
                        continue
                    info = archive.getinfo(members[found.index(key)])
                    if info.compress_type != zipfile.ZIP_STORED or info.file_size > MEMBER_BYTES:
                        return None
                    with archive.open(info) as member:
                        state[key] = _array(member.read())
    except Exception:  # (np.load's reading says what)
        return None
    return found, state


def _array(raw: bytes) -> np.ndarray:
    """The array of the .npy bytes ``raw`` (version 1.0, no objects) as
    ``np.lib.format.read_array`` reads it; ValueError for any other."""
    if raw[:8] != np.lib.format.MAGIC_PREFIX + b"\x01\x00":
        raise ValueError("not a version 1.0 .npy")
    end = 10 + int.from_bytes(raw[8:10], "little")
    shape, fortran, dtype = parsed("npy header", Path(), raw[:end], _header)
    count = math.prod(shape)
    data = raw[end : end + count * dtype.itemsize]
    if dtype.hasobject or dtype.itemsize == 0 or len(data) < count * dtype.itemsize:
        raise ValueError("not an array of plain values, whole")
    array = np.frombuffer(data, dtype=dtype, count=count).copy()
    array.shape = shape[::-1] if fortran else shape  # (in place, as numpy's reading)
    return array.transpose() if fortran else array


def _header(raw: bytes) -> tuple[tuple[int, ...], bool, np.dtype]:
    """The shape, order and dtype a .npy file's first bytes ``raw`` say (numpy's parse)."""
    fp = io.BytesIO(raw)
    if np.lib.format.read_magic(fp) != (1, 0):
        raise ValueError("not a version 1.0 .npy")
    ast.literal_eval(raw[10:].decode("latin1"))  # (one numpy reads only with a warning, of
    # Python 2: its reading, np.load's)
    return np.lib.format.read_array_header_1_0(fp)


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
