"""Files written whole or not at all, and read back honestly: the one writer of JSON and text
(atomic: a temp file in the same folder, then ``os.replace``; the mode the umask gives, not
``mkstemp``'s 0600) and the readers of JSON and JSON-lines records that say which file and
line is damaged instead of skipping it. ``nnlab.runs`` builds the run folders on them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from nnlab.errors import OptionError, RunError
from nnlab.filestate import (  # (re-exported: the readers of run files are built on them)
    READ_CHUNK,  # noqa: F401
    DamagedError,
    dead_link,
    link_nowhere,
    read_at_most,
    read_failure,
    there,
)
from nnlab.kinds import record_kind, whole
from nnlab.output import counted
from nnlab.parsed import parsed
from nnlab.process import make_folders  # noqa: F401 (re-exported)
from nnlab.signals import deferred


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


@functools.cache
def file_mode() -> int:
    """The mode a new file gets under this process's umask (mkstemp makes 0600). Read from
    /proc where it is there: setting the umask to read it would, for that instant, give any
    file another thread creates the wrong mode."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            umask = next(int(line.split()[1], 8) for line in f if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        umask = os.umask(0)
        os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """An OSError of the block that names no file (ENOSPC from a write, EIO from a flush: the
    OS reports the descriptor, not the name) or names the temp file beside ``path`` (a
    read-only disk refuses to make it) is raised again naming ``path``, so that the one line
    the command prints says which file could not be written."""
    try:
        yield
    except OSError as exc:
        temp = exc.filename is not None and Path(str(exc.filename)).name.startswith(
            f".{Path(path).name}."
        )  # (the temp file beside it, ``replacing``'s: a name the user never gave)
        if (exc.filename is not None and not temp) or exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


@contextlib.contextmanager
def replacing(path: Path, sync: bool = True) -> Iterator[Path]:
    """A temp file beside ``path`` (with the mode the umask gives) for a writer that needs a
    file name (h5py); it replaces ``path`` when the block ends without an exception, else it
    is removed. ``sync``: flushed to disk first (run files; a rebuildable report need not).
    A stop signal (Ctrl-C, SIGTERM) meanwhile interrupts once the block has ended."""
    path = Path(path)
    with deferred(), naming(path):  # (an interrupt meanwhile: once the file is whole, or gone)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        tmp, replaced = Path(name), False
        try:
            os.fchmod(fd, file_mode())
            os.close(fd)
            yield tmp
            if sync:
                with open(tmp, "rb") as f:
                    os.fsync(f.fileno())
            os.replace(tmp, path)
            replaced = True
        finally:  # (only a temp file not put in place: an unlink of the name it had once
            if not replaced:  # replaced failed with EINTR, a write that was whole said failed)
                tmp.unlink(missing_ok=True)


# What ``replacing`` names its temp files: ``.<name>.<mkstemp's 8 characters>.tmp``
TEMP_FILE = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")


def remove(folder: Path, names: Iterable[str]) -> None:
    """Remove the files ``names`` in ``folder`` (those there) and the temp files a writer
    killed mid-write left there (``TEMP_FILE``): by a process that holds the folder (a
    resume, ``runs.reopen``), for which no other writer's temp file can be in it."""
    with deferred():
        for name in names:
            (folder / name).unlink(missing_ok=True)
        with os.scandir(folder) as found:
            left = [e.path for e in found if TEMP_FILE.fullmatch(e.name) and e.is_file()]
        for path in left:
            Path(path).unlink(missing_ok=True)


def atomic_write(
    path: Path, data: str | bytes | memoryview | Callable[[IO[bytes]], Any], sync: bool = True
) -> Path:
    """Write ``data`` (text, bytes, or a function that writes to a binary file) to ``path``
    via a temp file in the same folder and ``os.replace``: a reader sees the old file or the
    new one, never half of one. The file gets the mode the umask gives."""
    with replacing(path, sync) as tmp, open(tmp, "wb") as f:
        if callable(data):
            data(f)
        else:
            f.write(data.encode() if isinstance(data, str) else data)
    return Path(path)


def append_whole(path: Path, line: str, create: bool = True) -> None:
    """Append ``line`` to ``path`` (made with the mode the umask gives) whole or not at all: a
    write that fails part-way, or at all, is cut back to the file's size before it, and the
    error raised. Written unbuffered: a buffered file's failed write (EIO) was written again as
    the file closed, and succeeded, while the error went on; the run's end then appended the
    record it thought lost a second time ('line 3: epoch 1 follows epoch 1', DAMAGED).
    ``create`` False: a file that must be there already (RunError if it is not: removed
    meanwhile, with the lines before; a run went on for hours into a file made anew, its
    records from epoch 157, to fail at its end, 'line 1: epoch 157 is the first')."""
    data = line.encode("utf-8")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, file_mode())
    except FileNotFoundError:
        if create:
            raise
        raise RunError(f"{path}: removed as the run wrote it, with the lines before") from None
    size = -1
    try:
        size = os.fstat(fd).st_size
        while data:  # (a short write is no error: the rest follows)
            data = data[os.write(fd, data) :]
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        if size >= 0:
            with contextlib.suppress(OSError):
                os.truncate(path, size)
        raise
    try:
        os.close(fd)
    except OSError:  # (closed all the same; what it wrote may not be kept: cut it)
        with contextlib.suppress(OSError):
            os.truncate(path, size)
        raise


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def as_written(v: Any) -> Any:
    """``v`` as ``dumps`` writes it: NaN and inf as None, NumPy scalars as Python's (a table
    built from what a command holds reads as the one built from what its folder stores)."""
    if isinstance(v, float) and not math.isfinite(v):  # (np.isfinite: ~1 us a value)
        return None
    if isinstance(v, dict):
        return {k: as_written(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [as_written(x) for x in v]
    if isinstance(v, np.generic):
        return as_written(v.item())
    return v


def dumps(obj: Any, indent: int | None = 2) -> str:
    """JSON with NaN/inf written as null (strict JSON)."""
    return json.dumps(as_written(obj), indent=indent, default=_json_default)


def write_json(path: Path, obj: Any) -> Path:
    """``obj`` as strict JSON, atomically (the one JSON writer of every result file)."""
    return atomic_write(path, dumps(obj) + "\n")


def copy_file(src: Path, dest: Path) -> Path:
    """Copy ``src`` to ``dest`` atomically (a figure copied out with ``--png``)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(dest, Path(src).read_bytes())


def unwritable(folder: Path) -> str | None:
    """Why no file can be made in ``folder`` (the OS's reason: "Permission denied",
    "Read-only file system"), else None. Tried, not deduced from the mode bits, which say
    nothing to root (and /proc takes no new file whatever they say): an empty hidden file is
    made there and removed at once, and the folder's times put back (a refused command
    changes nothing, not even when its folder was last modified)."""
    try:
        with deferred():  # (an interrupt meanwhile: once the probe is gone)
            was = os.stat(folder)
            fd, name = tempfile.mkstemp(dir=folder, prefix=".nnlab-probe-")
            _discard_probe(fd, name)
            with contextlib.suppress(OSError):  # (another user's folder: its times move)
                os.utime(folder, ns=(was.st_atime_ns, was.st_mtime_ns))
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def _discard_probe(fd: int, name: str) -> None:
    """Close and remove ``unwritable``'s probe file. Made, it has answered: whatever its
    removal meets, the folder takes files (an unlink interrupted, EINTR, which Python does not
    retry, left the probe in the folder and the folder said to be unwritable)."""
    with contextlib.suppress(OSError):
        os.close(fd)
    for _ in range(3):
        try:
            os.unlink(name)
            return
        except InterruptedError:
            continue
        except OSError:
            return


def instead(option: str) -> str:
    """What to do about an output path ``option`` names that cannot be used: give another
    (``--report``'s folder is always ``<runs-dir>/report``: another runs folder)."""
    if option == "--report":
        return "move it away or give another --runs-dir (the report goes in <runs-dir>/report)"
    return f"give another {option}"


def output_problem(
    path: Path,
    option: str,
    *,
    new_folder: bool = False,
    what: str = "a file",
    exists: str = "give a new folder",
) -> str | None:
    """What stops a command writing ``path`` (``what``, a file it writes or replaces;
    ``new_folder``: a folder it makes; ``exists``: what to do if that exists), as an error line
    says it after ``option``: the path, what is wrong and what to do; else None. The one check of every option that names where
    output goes (``--png``, ``--out``, ``report --out``, ``--report``), made before any work
    (``check_output``). Its folder must exist (one new file or folder where asked, not a chain
    of them) and take a new file (``unwritable``); a file is not written over something other
    than a file (a folder, a device); a new folder is not one that exists."""
    path = Path(path)
    parent = path.parent
    if (dead := dead_link(path)) is not None:
        return f"{dead}; {instead(option)}"
    if not parent.is_dir():
        there = parent.exists() or parent.is_symlink()
        wrong = f"'{parent}' is not a folder" if there else f"folder '{parent}' does not exist"
        return f"'{path}': {wrong}; {'' if there else 'make it first or '}{instead(option)}"
    if new_folder and (path.exists() or path.is_symlink()):
        return f"'{path}' already exists; {exists}"
    if not new_folder and path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        return f"'{path}' is {kind}; expected {what} to write"
    why = unwritable(parent)
    return (
        f"'{path}': cannot write in folder '{parent}' ({why}); {instead(option)}" if why else None
    )


def root_problem(root: Path, option: str) -> str | None:
    """What stops a command making a new folder in ``root`` (a runs folder, made with any
    missing parents when the folder is), as an error line says it after ``option``, else None:
    the nearest of ``root`` and its parents that exists is a folder that takes a new file
    (``unwritable``). Checked before any work, as ``output_problem`` checks an output path: an
    unwritable runs folder was found only when the run folder was made, after the data was
    loaded and the run checked."""
    root = Path(root)
    if (dead := dead_link(root)) is not None:
        return f"{dead}; {instead(option)}"
    nearest = next((p for p in (root, *root.parents) if os.path.lexists(p)), None)
    if nearest is None:  # (a relative path's '.' is always there; an absolute one's root too)
        return None
    where = f"'{root}'" + (f": '{nearest}'" if nearest != root else "")
    if not nearest.is_dir():
        return f"{where} is not a folder; {instead(option)}"
    why = unwritable(nearest)
    return (
        f"'{root}': cannot write in folder '{nearest}' ({why}); {instead(option)}" if why else None
    )


def check_output(path: Path, option: str, **how: Any) -> None:
    """OptionError naming ``option`` if ``path`` cannot be written (``output_problem``, with
    ``how``: new_folder, what, exists)."""
    if (problem := output_problem(path, option, **how)) is not None:
        raise OptionError(option, problem)


DESTINATION_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG}


def os_error_text(exc: OSError) -> str:
    """``<path>: <reason>`` for an OS error (permission, not a directory, disk full, ...). A
    copy's error names both files (``shutil.copyfile``: the source first); a full disk or a
    read-only one is the destination's (``filename2``), not the source's."""
    reason = exc.strerror or type(exc).__name__
    where = exc.filename if exc.filename is not None else None
    if exc.filename2 is not None and exc.errno in DESTINATION_ERRORS:
        where = exc.filename2
    return f"{where}: {reason}" if where is not None else reason


MAX_RUN_FILE_BYTES = 256 * 2**20  # meta.json, summary.json, summary.txt, ...: far above nnlab's
MAX_METRICS_BYTES = 2**30  # metrics.jsonl: a million epochs of records
MAX_FIGURE_BYTES = 64 * 2**20  # a figure a report copies: nnlab's are well under 1 MB


def _run_file_bytes(path: Path, limit: int = MAX_RUN_FILE_BYTES) -> bytes:
    """The bytes of a run file (FileNotFoundError if there is none; DamagedError if a link
    leads nowhere, ``there``)."""
    try:
        data = read_at_most(path, limit, devices=False)
    except FileNotFoundError:
        there(path)  # (a link to nothing: said so; else none is there)
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DamagedError(f"{path}: {link_nowhere(path)}") from None
        raise
    if data is None:
        raise DamagedError(f"{path}: over {limit / 2**20:,.0f} MB, more than nnlab writes there")
    return data


class _DuplicateKey(ValueError):
    """An object of a run file that names a key twice (what the one JSON writer never does)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict, or _DuplicateKey: ``json.loads`` keeps the last of a key
    written twice, so a hand-edited ``"status"`` added below the one nnlab wrote silently
    decided the folder's status (a COMPLETED run read FAILED and trained again on --resume)."""
    obj = dict(pairs)
    if len(obj) < len(pairs):  # (the first key seen again, to name it)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(f"key {key!r} written twice")
            seen.add(key)
    return obj


def loads(text: str | bytes) -> Any:
    """``json.loads`` for run files: an object naming a key twice is refused (_DuplicateKey,
    a ValueError), as the YAML reader refuses one."""
    return json.loads(text, object_pairs_hook=_unique_keys)


def read_json_file(path: Path, optional: bool = False) -> Any:
    """A JSON file's content, or DamagedError naming the file (RunError if it is missing, or
    None if it is ``optional``: one there when asked and removed before the read, too)."""
    path = Path(path)
    text = read_text_file(path)
    if text is None:
        if optional:
            return None
        raise RunError(f"{path}: missing")
    return parsed("json", path, text, lambda text: json_value(path, text))


def json_value(path: Path, text: str) -> Any:
    """The JSON value of the text ``text`` of the file ``path``; DamagedError naming it if it
    is not JSON as nnlab writes it (``loads``)."""
    try:
        return loads(text)
    except _DuplicateKey as exc:
        raise DamagedError(f"{path}: not the JSON nnlab wrote ({exc})") from None
    except json.JSONDecodeError as exc:
        raise DamagedError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise DamagedError(f"{path}: nested too deeply to be a file nnlab wrote") from None
    except ValueError:
        raise DamagedError(f"{path}: not valid JSON ({_too_many_digits()})") from None


def _too_many_digits() -> str:
    """What json.loads's ValueError that is not a JSONDecodeError means: an integer of more
    digits than Python converts (``sys.set_int_max_str_digits``; a guard against a slow
    conversion), which no file nnlab writes holds. It was an unexpected error in every reader."""
    return f"an integer of more than {counted(sys.get_int_max_str_digits(), 'digit')}"


def read_text_file(path: Path) -> str | None:
    """A text file's content (None if there is none), or DamagedError naming it if it is not
    UTF-8 (RunError if it cannot be read)."""
    path = Path(path)
    try:
        return _run_file_bytes(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise DamagedError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise read_failure(path, exc) from None


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a ``metrics.jsonl``: one JSON object per line, epochs increasing, each
    value of its key's kind (``nnlab.kinds``: the table summary.json's reader checks by too),
    each holding every key of the one before it (a record without its ``test_acc`` was shown
    as an epoch that had none).

    A torn last line (no newline at its end: a kill mid-write) is dropped. Any other damage
    raises DamagedError naming the file and the line: nothing is silently skipped.
    """
    return read_records_and(path)[0]


def read_records_and(
    path: Path, what: str = "", derive: Callable[[list[dict[str, Any]]], Any] = lambda r: None
) -> tuple[list[dict[str, Any]], Any, int | None]:
    """``read_records(path)``, ``derive`` of them (``what`` names it: a checkpoint's digest of
    its records up to its epoch), each remembered by the file's bytes (``parsed``: a long run's
    records were parsed anew by each check of one command), and the number of the torn last
    line dropped, if one was (``RunDir.metrics`` holds it to the folder's status)."""
    path = Path(path)
    _check_first_line(path)
    try:
        raw = _run_file_bytes(path, MAX_METRICS_BYTES)
    except FileNotFoundError:
        return [], derive([]), None
    except OSError as exc:
        raise read_failure(path, exc) from None
    records = parsed("records", path, raw, lambda raw: _records(path, raw))
    torn = len(records) + 1 if parsed("torn", path, raw, _torn_tail) else None
    if not what:
        return records, None, torn
    return records, parsed(f"records {what}", path, raw, lambda raw: derive(records)), torn


def _torn_tail(raw: bytes) -> bool:
    """Whether the last line of ``raw`` is torn: no newline ends it, nor is it whole."""
    last = raw[raw.rfind(b"\n") + 1 :]
    return bool(last) and not _whole(last)


def _records(path: Path, raw: bytes) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for number, line in enumerate(_lines(path, raw), 1):
        record = _parse_record(path, number, line)
        expected = records[-1]["epoch"] + 1 if records else 0
        if record["epoch"] != expected:  # one record per epoch, from epoch 0, none missing
            after = f"follows epoch {records[-1]['epoch']}" if records else "is the first"
            raise DamagedError(
                f"{path}: line {number}: epoch {record['epoch']} {after}; expected epoch {expected}"
            )
        lost = [key for key in records[-1] if key not in record] if records else []
        if lost:  # (every epoch records the same keys; the last may add a final_eval split's)
            raise DamagedError(
                f"{path}: line {number}: has no {lost[0]!r}, which the record before it has "
                "(nnlab records the same keys every epoch)"
            )
        records.append(record)
    return records


def _check_first_line(path: Path) -> None:
    """DamagedError if the first line of a metrics.jsonl larger than ``PEEK_ABOVE`` is no
    record (as ``_records`` says it), read alone: garbage of 1 GB was read whole to be refused
    (1 GB held, and read again by each check of a command). Nothing for a smaller file, or
    one that cannot be read (its reading says why)."""
    try:
        if os.stat(path).st_size <= PEEK_ABOVE:
            return
        with open(path, "rb") as f:
            head = f.read(MAX_RECORD_BYTES + 1)
    except OSError:
        return
    end = head.find(b"\n")
    _records(path, head[: end + 1] if end >= 0 else head)


PEEK_ABOVE = 64 * 2**20  # a metrics.jsonl whose first line is read alone first (300,000 epochs)
MAX_RECORD_BYTES = 2**20  # a line of metrics.jsonl: far above any record nnlab writes (< 2 kB)


def _lines(path: Path, raw: bytes) -> Iterator[bytes]:
    """The lines of ``raw`` one at a time, but a torn last one (no newline ends it, and it is
    no whole record: a kill in mid-append), which is dropped; DamagedError for a line longer
    than any record (``MAX_RECORD_BYTES``), found without reading past it. A file of garbage
    (1 GB in one line, or in short ones) was split whole, and its last line decoded whole,
    before its first line was refused: ``runs list`` held 2 GB and took 10 s for it."""
    start, number = 0, 1
    while start < len(raw):
        end = raw.find(b"\n", start, start + MAX_RECORD_BYTES + 1)
        if end < 0 and len(raw) - start > MAX_RECORD_BYTES:
            raise DamagedError(
                f"{path}: line {number}: over {MAX_RECORD_BYTES // 2**20} MB, longer than any "
                "record nnlab writes"
            )
        if end < 0:  # (the last line, unfinished)
            if _whole(raw[start:]):
                yield raw[start:]
            return
        yield raw[start:end]
        start, number = end + 1, number + 1


def _whole(line: bytes) -> bool:
    try:
        return isinstance(loads(line.decode("utf-8")), dict)
    except (ValueError, RecursionError):  # (not UTF-8, not JSON, too many digits)
        return False


def _parse_record(path: Path, number: int, line: bytes) -> dict[str, Any]:
    where = f"{path}: line {number}"
    try:
        record = loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise DamagedError(f"{where}: not UTF-8 text") from None
    except _DuplicateKey as exc:
        raise DamagedError(f"{where}: not an epoch record as nnlab writes one ({exc})") from None
    except json.JSONDecodeError as exc:
        raise DamagedError(f"{where}: not a JSON record ({exc.msg})") from None
    except RecursionError:
        raise DamagedError(f"{where}: not an epoch record (nested too deeply)") from None
    except ValueError:
        raise DamagedError(f"{where}: not a JSON record ({_too_many_digits()})") from None
    if not isinstance(record, dict) or not whole(record.get("epoch")):
        raise DamagedError(f"{where}: not an epoch record (an object with an integer 'epoch')")
    for key, value in record.items():  # (each of its kind: ``kinds.RECORD_KEYS``, SUFFIXES)
        kind = record_kind(key) if key != "epoch" else None  # (its place: read_records)
        found = kind(value, f"{where}: {key!r}") if kind is not None else None
        if found is not None:
            raise DamagedError(found)
    return record
