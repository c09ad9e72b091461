"""The run-folder contract and lifecycle. Only this module writes into ``runs/``.

A run is a folder that says everything about itself::

    runs/<YYYYmmdd-HHMMSS>-<name>-<short id>/
        config.yaml      the resolved config (defaults filled in, overrides applied)
        meta.json        kind, status, seed, argv, overrides, versions, git commit, host, times
        metrics.jsonl    one JSON record per epoch, append-only
        checkpoint.npz   the state after the last finished epoch (np.savez, no pickle)
        summary.json     status and final / best metrics;  summary.txt  the same as a table
        curves.png       loss and accuracy curves

Sweeps, tune searches, lr scans, landscapes and the other experiments write folders of the
same shape (``meta.json`` with their ``kind``, their own result files).

**Lifecycle.** Every folder is made and ended by ``Lifecycle`` (``start`` a new one, ``reopen``
one to resume): it creates the folder (its name confined to the runs root), marks it RUNNING,
and whatever ends the block records the terminal status: the driver's choice on a normal exit
(COMPLETED, DIVERGED, FAILED), INTERRUPTED on Ctrl-C, SIGTERM or SIGHUP, FAILED with the error
on any other exception (MemoryError and OSError included). No other module writes a status.

**Reading** is tolerant and honest: a torn last line of ``metrics.jsonl`` (what a kill leaves)
is dropped; any other damage (a bad line in the middle, non-UTF-8 text, a ``meta.json`` that is
not an object, a truncated checkpoint) raises ``DamagedError`` naming the file and line.

Every file is written atomically (temp file + ``os.replace``) with the mode the umask gives,
except ``metrics.jsonl``, which is appended to one line at a time.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from nnlab import __version__
from nnlab.errors import ConfigError, RunError
from nnlab.fileio import (  # (re-exported: the run-folder API reads and writes with them)
    DamagedError as DamagedError,
)
from nnlab.fileio import (
    atomic_write as atomic_write,
)
from nnlab.fileio import (
    copy_file as copy_file,
)
from nnlab.fileio import (
    dumps as dumps,
)
from nnlab.fileio import (
    file_mode as file_mode,
)
from nnlab.fileio import (
    now as now,
)
from nnlab.fileio import (
    os_error_text as os_error_text,
)
from nnlab.fileio import (
    read_json_file as read_json_file,
)
from nnlab.fileio import (
    read_records as read_records,
)
from nnlab.fileio import (
    write_json as write_json,
)

STATUSES = ("RUNNING", "COMPLETED", "DIVERGED", "FAILED", "INTERRUPTED")
TERMINAL = ("COMPLETED", "DIVERGED", "FAILED", "INTERRUPTED")
# read-time statuses: RUNNING in meta.json but its process is gone (STALE); unreadable (DAMAGED)
STALE, DAMAGED = "STALE", "DAMAGED"
DEFAULT_ROOT = Path("runs")
MAX_NAME = 64  # characters of a run name (a folder name adds a stamp and an id)


# ----------------------------------------------------------------------------- writing
@functools.cache
def git_commit() -> str | None:
    """The commit of the nnlab source tree, if it is a git checkout (else None); asked once
    per process (a sweep worker writes many run folders)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def versions() -> dict[str, str]:
    import pydantic

    return {
        "nnlab": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pydantic": pydantic.__version__,
    }


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


# ----------------------------------------------------------------------------- names
def check_name(name: str, what: str = "--name") -> str:
    """``name`` if it can be part of a folder name inside the runs root, else a ConfigError
    naming ``what`` and the problem (path separators, '..', a leading dot, control characters,
    characters other than letters, digits, '.', '_' and '-', or over ``MAX_NAME`` long)."""
    problem = None
    if not name:
        problem = "is empty"
    elif "/" in name or "\\" in name:
        problem = "contains a path separator ('/' or '\\'); a name is one folder name"
    elif ".." in name:
        problem = "contains '..'"
    elif name.startswith("."):
        problem = "starts with a dot (a hidden folder)"
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        problem = "contains a control character"
    elif len(name) > MAX_NAME:
        problem = f"is {len(name)} characters long; at most {MAX_NAME}"
    else:
        bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "._-"))})
        if bad:
            problem = f"contains {''.join(bad)!r}; use letters, digits, '.', '_' and '-'"
    if problem is not None:
        raise ConfigError(f"{what}: {name!r} {problem}")
    return name


# ----------------------------------------------------------------------------- reading
# ----------------------------------------------------------------------------- the folder
class RunDir:
    """One run folder: its files, its meta and its metrics. Reading only; what changes a
    folder's status is ``Lifecycle``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    @property
    def id(self) -> str:
        return self.path.name

    def file(self, name: str) -> Path:
        return self.path / name

    def remove(self) -> None:
        """Delete the folder and everything in it (a sweep reruns a failed or half-made trial)."""
        shutil.rmtree(self.path)

    # -- files ----------------------------------------------------------------------------
    def write_text(self, name: str, text: str) -> Path:
        return atomic_write(self.file(name), text)

    def write_json(self, name: str, obj: Any) -> Path:
        return write_json(self.file(name), obj)

    def read_json(self, name: str) -> Any:
        return read_json_file(self.file(name))

    def read_json_object(self, name: str) -> dict[str, Any]:
        """A JSON file that must hold an object (meta.json, summary.json)."""
        data = self.read_json(name)
        if not isinstance(data, dict):
            raise DamagedError(
                f"{self.file(name)}: expected a JSON object, got {type(data).__name__}"
            )
        return data

    def summary(self) -> dict[str, Any]:
        """summary.json, or {} when the run has not written one yet."""
        if not self.file("summary.json").exists():
            return {}
        return self.read_json_object("summary.json")

    # -- meta -----------------------------------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        meta = self.read_json_object("meta.json")
        if meta.get("status") not in STATUSES:
            raise DamagedError(
                f"{self.file('meta.json')}: status {meta.get('status')!r} is not one of "
                f"{', '.join(STATUSES)}"
            )
        return meta

    @property
    def status(self) -> str:
        """The recorded status; a RUNNING run whose process is gone on this host is ``STALE``."""
        return status_of(self.meta)

    @property
    def kind(self) -> str:
        """What made the folder: train, sweep, tune, lr-scan, landscape, ... (meta's ``kind``;
        folders from before it was recorded are told by their files)."""
        return kind_of(self, self.meta)

    # -- metrics --------------------------------------------------------------------------
    def append_metric(self, record: dict[str, Any]) -> None:
        """Append one epoch record to metrics.jsonl (one line; a torn last line is dropped on
        read)."""
        path = self.file("metrics.jsonl")
        fresh = not path.exists()
        with open(path, "a", encoding="utf-8") as f:
            if fresh:
                os.fchmod(f.fileno(), file_mode())
            f.write(dumps(record, indent=None) + "\n")

    def metrics(self) -> list[dict[str, Any]]:
        """The epoch records (see ``read_records``: DamagedError on damage but a torn end)."""
        return read_records(self.file("metrics.jsonl"))

    def truncate_metrics(self, last_epoch: int) -> list[dict[str, Any]]:
        """Keep only records up to ``last_epoch`` (resuming from a checkpoint). Damage other
        than a torn last line raises before anything is written."""
        kept = [r for r in self.metrics() if r["epoch"] <= last_epoch]
        atomic_write(
            self.file("metrics.jsonl"), "".join(dumps(r, indent=None) + "\n" for r in kept)
        )
        return kept

    # -- checkpoints ----------------------------------------------------------------------
    def save_checkpoint(self, state: dict[str, np.ndarray], epoch: int) -> None:
        """The training state after ``epoch``, atomically, as ``checkpoint.npz``."""
        atomic_write(
            self.file("checkpoint.npz"), lambda f: np.savez(f, epoch=np.array(epoch), **state)
        )

    def load_checkpoint(self) -> tuple[int, dict[str, np.ndarray]]:
        path = self.file("checkpoint.npz")
        if not path.exists():
            raise RunError(f"{path}: no checkpoint to resume from")
        try:
            with np.load(path, allow_pickle=False) as data:
                state = {k: data[k] for k in data.files}
            epoch = int(state.pop("epoch"))
        except Exception as exc:  # zipfile, EOF, value and key errors of a damaged file
            detail = f"{type(exc).__name__}: {exc}"
            raise DamagedError(f"{path}: unreadable checkpoint ({detail})") from None
        return epoch, state


def status_of(meta: dict[str, Any]) -> str:
    status = str(meta.get("status"))
    if status == "RUNNING" and meta.get("host") == socket.gethostname():
        pid = meta.get("pid")
        if not isinstance(pid, int) or not _pid_alive(pid):
            return STALE
    return status


def kind_of(run: RunDir, meta: dict[str, Any]) -> str:
    kind = meta.get("kind")
    if isinstance(kind, str):
        return kind
    if run.file("sweep.yaml").exists():
        return "sweep"
    if run.file("tune.json").exists():
        return "tune"
    return "train"


# ----------------------------------------------------------------------------- lifecycle
class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is (as SIGINT raises KeyboardInterrupt)."""


_signals = threading.local()
_SIGNALS = tuple(getattr(signal, s) for s in ("SIGTERM", "SIGHUP") if hasattr(signal, s))


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise Interrupted(f"{signal.Signals(signum).name}")


class _SignalsAsInterrupts:
    """While any lifecycle is open in the main thread, SIGTERM and SIGHUP raise
    ``Interrupted``, so they end a run as Ctrl-C does. Nested lifecycles share one set of
    handlers; the outermost restores the previous ones."""

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        depth = getattr(_signals, "depth", 0)
        if depth == 0:
            _signals.saved = {s: signal.signal(s, _raise_interrupted) for s in _SIGNALS}
        _signals.depth = depth + 1

    def __exit__(self, *exc: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        _signals.depth -= 1
        if _signals.depth == 0:
            for s, handler in _signals.saved.items():
                signal.signal(s, handler)


def describe_error(exc: BaseException) -> str:
    """One line for what ended a run: ``OSError`` as path and reason, others as type: text."""
    if isinstance(exc, OSError):
        return os_error_text(exc)
    if isinstance(exc, Interrupted):
        return f"interrupted by {exc}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (SIGINT)"
    if isinstance(exc, MemoryError):
        return f"MemoryError: out of memory{': ' + str(exc) if str(exc) else ''}"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Lifecycle:
    """The one owner of a folder's status, from RUNNING to its end (a context manager).

    ``start`` makes a new folder, ``reopen`` continues one (a resume). In the block, the driver
    writes its files through ``run`` and may say how a normal exit ends (``end_as``: DIVERGED,
    FAILED with the trials' counts...; COMPLETED by default) and what to write before the
    status whatever the ending (``on_end(fn)``: ``fn(status)`` writes a summary; on an abnormal
    exit its failure is not allowed to hide the original error). On leaving, the status is
    recorded: the chosen one, INTERRUPTED (Ctrl-C, SIGTERM, SIGHUP), or FAILED with the error.
    An exception leaving the block carries ``nnlab_run`` (the folder) and ``nnlab_resume``
    (the command that continues it, if any); an outer lifecycle overwrites an inner one's.
    """

    def __init__(
        self, run: RunDir, meta: dict[str, Any], resume: str | None = None, fresh: bool = False
    ) -> None:
        self.run = run
        self.resume = resume
        self._fresh = fresh  # a folder this lifecycle made (removed if it cannot even start)
        self._start_meta = meta
        self._status = "COMPLETED"
        self._fields: dict[str, Any] = {}
        self._hooks: list[Callable[[str], None]] = []
        self._signals = _SignalsAsInterrupts()

    @property
    def path(self) -> Path:
        return self.run.path

    def end_as(self, status: str, **fields: Any) -> None:
        """The status (and extra meta fields) a normal exit records."""
        if status not in TERMINAL:
            raise ValueError(f"end_as: {status!r} is not a terminal status")
        self._status = status
        self._fields.update(fields)

    def note(self, **fields: Any) -> None:
        """Meta fields recorded with the status however the block ends (``epochs_done``)."""
        self._fields.update(fields)

    def on_end(self, fn: Callable[[str], None]) -> None:
        self._hooks.append(fn)

    def __enter__(self) -> Lifecycle:
        self._signals.__enter__()
        try:
            self.run.write_json("meta.json", self._start_meta)
        except BaseException:
            self._signals.__exit__(None, None, None)
            if self._fresh:  # nothing in it yet: leave no folder without a status
                shutil.rmtree(self.run.path, ignore_errors=True)
            raise
        return self

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        try:
            if exc is None:
                try:
                    self._run_hooks(self._status, quiet=False)
                except BaseException as hook_error:  # a summary that cannot be written
                    self._abnormal_end(hook_error)
                    raise
                _write_status(self.run, self._status, self._fields)
            else:
                self._abnormal_end(exc)
        finally:
            self._signals.__exit__(kind, exc, tb)

    def _abnormal_end(self, exc: BaseException) -> None:
        """INTERRUPTED or FAILED with the error; nothing raised here may hide ``exc``."""
        interrupted = isinstance(exc, KeyboardInterrupt)
        status = "INTERRUPTED" if interrupted else "FAILED"
        self._run_hooks(status, quiet=True)
        extra = {} if interrupted else {"error": describe_error(exc)}
        try:
            _write_status(self.run, status, {**self._fields, **extra})
        except BaseException:
            pass  # (a full disk): the folder reads as STALE once this process is gone
        exc.nnlab_run = self.run.path  # type: ignore[attr-defined]
        exc.nnlab_resume = self.resume  # type: ignore[attr-defined]

    def _run_hooks(self, status: str, quiet: bool) -> None:
        for hook in self._hooks:
            try:
                hook(status)
            except BaseException:
                if not quiet:
                    raise


def _write_status(run: RunDir, status: str, fields: dict[str, Any]) -> None:
    try:
        meta = run.read_json_object("meta.json")
    except RunError:  # damaged under us: keep what can be said
        meta = {"run_id": run.id}
    meta.update(fields, status=status, ended=now())
    run.write_json("meta.json", meta)


def _base_meta(run: RunDir, kind: str) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "kind": kind,
        "status": "RUNNING",
        "argv": list(sys.argv),
        "versions": versions(),
        "git_commit": git_commit(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": now(),
        "ended": None,
    }


def _folder_name(name: str) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{name}-{secrets.token_hex(3)}"


def make_folder(root: Path, name: str, folder: str | None = None) -> RunDir:
    """A new, empty folder ``<root>/<stamp>-<name>-<id>`` (or ``<root>/<folder>``)."""
    root = Path(root)
    check_name(name, "name")
    if folder is not None:
        check_name(folder, "--out")
    path = root / (folder or _folder_name(name))
    try:
        path.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        raise RunError(f"{path}: run folder already exists") from None
    except OSError as exc:
        where = exc.filename or path
        raise RunError(f"{where}: cannot create run folder: {exc.strerror}") from None
    return RunDir(path)


def start(
    root: Path,
    name: str,
    kind: str,
    /,
    *,
    folder: str | None = None,
    resume: str | None = None,
    **fields: Any,
) -> Lifecycle:
    """A new run folder under ``root`` and its lifecycle (enter it with ``with``).

    ``name``: the folder's name part; ``kind``: what makes the folder (train, sweep, ...);
    ``fields`` go into meta.json;
    ``resume``: the command that continues the folder, ``{path}`` standing for it. The folder
    exists when this returns; entering the block marks it RUNNING.
    """
    run = make_folder(root, name, folder)
    meta = {**_base_meta(run, kind), **fields}
    return Lifecycle(run, meta, _resume_text(resume, run), fresh=True)


def reopen(run: RunDir, *, resume: str | None = None, **entry: Any) -> Lifecycle:
    """The lifecycle of a resume of ``run``: RUNNING again in this process, with one more
    ``resumes`` entry (``entry`` plus the time); the error of an earlier ending is cleared."""
    meta = run.meta
    meta.pop("error", None)
    meta.update(
        status="RUNNING",
        ended=None,
        pid=os.getpid(),
        host=socket.gethostname(),
        resumes=[*meta.get("resumes", []), {"at": now(), **entry}],
    )
    return Lifecycle(run, meta, _resume_text(resume, run))


def _resume_text(resume: str | None, run: RunDir) -> str | None:
    return resume.format(path=run.path) if resume else None


def settle_stale(run: RunDir) -> bool:
    """Record INTERRUPTED for a folder left RUNNING by a process that is gone (a worker killed
    with SIGKILL); True if it did."""
    try:
        if run.status != STALE:
            return False
    except RunError:
        return False
    _write_status(run, "INTERRUPTED", {"note": "its process ended without recording a status"})
    return True


# ----------------------------------------------------------------------------- lookup
def iter_runs(root: Path) -> Iterator[RunDir]:
    """Run folders directly under ``root`` (those with a meta.json), oldest name first."""
    root = Path(root)
    try:
        entries = sorted(root.iterdir()) if root.is_dir() else []
    except OSError as exc:
        raise RunError(f"{root}: cannot list: {exc.strerror}") from None
    for path in entries:
        if path.is_dir() and (path / "meta.json").exists():
            yield RunDir(path)


def describe_folder(run: RunDir) -> dict[str, Any]:
    """What a listing shows of one folder; a damaged one is ``status: DAMAGED`` with the reason
    (its other fields None), never an exception."""
    try:
        meta = run.meta
        summary = run.summary()
        kind = kind_of(run, meta)
        return {"meta": meta, "summary": summary, "kind": kind, "status": status_of(meta)}
    except RunError as exc:
        return {"meta": None, "summary": {}, "kind": None, "status": DAMAGED, "reason": str(exc)}


def _kinds(kind: str | tuple[str, ...] | None) -> tuple[str, ...] | None:
    return (kind,) if isinstance(kind, str) else kind


def find_run(root: Path, ref: str, kind: str | tuple[str, ...] | None = None) -> RunDir:
    """A run by path, by ``latest``, or by a unique prefix / substring of its folder name,
    among the folders of ``kind`` (any kind when None)."""
    kinds = _kinds(kind)
    what = " or ".join(kinds) if kinds else "run"
    as_path = Path(ref)
    if (as_path / "meta.json").exists():
        run = RunDir(as_path)
        _check_kind(run, kinds)
        return run
    found = [(run, describe_folder(run)) for run in iter_runs(root)]
    if ref == "latest":
        healthy = [(r, d) for r, d in found if d["meta"] is not None]
        fitting = [(r, d) for r, d in healthy if kinds is None or d["kind"] in kinds]
        if not fitting:
            none = "no runs yet" if kinds in (None, ("train",)) else f"no {what} folders yet"
            raise RunError(f"{root}: {none}")
        return max(fitting, key=lambda rd: (rd[1]["meta"].get("started") or "", rd[0].id))[0]
    matches = [rd for rd in found if rd[0].id.startswith(ref)] or [
        rd for rd in found if ref in rd[0].id
    ]
    if kinds is not None and len(matches) > 1:
        matches = [rd for rd in matches if rd[1]["kind"] in kinds or rd[1]["meta"] is None]
    if not matches:
        raise RunError(f"run {ref!r}: no run folder under {root} matches (try 'nnlab runs list')")
    if len(matches) > 1:
        names = ", ".join(r.id for r, _ in matches[:5])
        raise RunError(f"run {ref!r}: ambiguous, matches {len(matches)} runs ({names})")
    _check_kind(matches[0][0], kinds)
    return matches[0][0]


def _check_kind(run: RunDir, kinds: tuple[str, ...] | None) -> None:
    """DamagedError if ``run``'s meta cannot be read; RunError if it is another kind."""
    kind = run.kind
    if kinds is not None and kind not in kinds:
        raise RunError(
            f"{run.path}: a {kind} folder; this command needs a {' or '.join(kinds)} folder "
            f"(nnlab runs list --kind {kinds[0]})"
        )
