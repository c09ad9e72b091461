"""The run-folder contract. Only this module writes into ``runs/``.

A run is a folder that says everything about itself::

    runs/<YYYYmmdd-HHMMSS>-<name>-<short id>/
        config.yaml      the resolved config (defaults filled in, overrides applied)
        meta.json        status, seed, argv, overrides, versions, git commit, host, times
        metrics.jsonl    one JSON record per epoch, append-only
        checkpoint.npz   the state after the last finished epoch (np.savez, no pickle)
        summary.json     status and final / best metrics;  summary.txt  the same as a table
        curves.png       loss and accuracy curves

Every file except ``metrics.jsonl`` is written atomically (temp file + ``os.replace``).
Statuses: RUNNING, COMPLETED, DIVERGED, FAILED, INTERRUPTED.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from nnlab import __version__
from nnlab.errors import RunError

STATUSES = ("RUNNING", "COMPLETED", "DIVERGED", "FAILED", "INTERRUPTED")
DEFAULT_ROOT = Path("runs")


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and ``os.replace``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(obj: Any, indent: int | None = 2) -> str:
    """JSON with NaN/inf written as null (strict JSON)."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not np.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, np.generic):
            return clean(v.item())
        return v

    return json.dumps(clean(obj), indent=indent, default=_json_default)


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
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunDir:
    """One run folder: its files, its meta and its metrics."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    # -- creation -------------------------------------------------------------------------
    @classmethod
    def create(cls, root: Path, name: str, folder: str | None = None) -> RunDir:
        """A new folder ``<root>/<timestamp>-<name>-<short id>`` (or ``<root>/<folder>``)."""
        root = Path(root)
        if folder is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            folder = f"{stamp}-{name}-{secrets.token_hex(3)}"
        path = root / folder
        try:
            path.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise RunError(f"{path}: run folder already exists") from None
        except OSError as exc:
            raise RunError(f"{path}: cannot create run folder: {exc.strerror}") from None
        return cls(path)

    @property
    def id(self) -> str:
        return self.path.name

    def remove(self) -> None:
        """Delete the folder and everything in it (a sweep reruns a failed or half-made trial)."""
        shutil.rmtree(self.path)

    # -- generic files --------------------------------------------------------------------
    def file(self, name: str) -> Path:
        return self.path / name

    def write_text(self, name: str, text: str) -> Path:
        atomic_write(self.file(name), text)
        return self.file(name)

    def write_json(self, name: str, obj: Any) -> Path:
        return self.write_text(name, dumps(obj) + "\n")

    def read_json(self, name: str) -> Any:
        path = self.file(name)
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            raise RunError(f"{path}: missing") from None
        except json.JSONDecodeError as exc:
            raise RunError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None

    # -- meta -----------------------------------------------------------------------------
    def start_meta(self, **fields: Any) -> dict[str, Any]:
        meta = {
            "run_id": self.id,
            "status": "RUNNING",
            "argv": list(sys.argv),
            "versions": versions(),
            "git_commit": git_commit(),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": now(),
            "ended": None,
            **fields,
        }
        self.write_json("meta.json", meta)
        return meta

    @property
    def meta(self) -> dict[str, Any]:
        return self.read_json("meta.json")

    def update_meta(self, **fields: Any) -> dict[str, Any]:
        meta = {**self.meta, **fields}
        self.write_json("meta.json", meta)
        return meta

    def set_status(self, status: str, **fields: Any) -> dict[str, Any]:
        assert status in STATUSES, status
        ended = now() if status != "RUNNING" else None
        return self.update_meta(status=status, ended=ended, **fields)

    @property
    def status(self) -> str:
        """The recorded status; a RUNNING run whose process is gone on this host is ``STALE``."""
        meta = self.meta
        status = meta.get("status", "FAILED")
        if (
            status == "RUNNING"
            and meta.get("host") == socket.gethostname()
            and not _pid_alive(int(meta.get("pid", 0)))
        ):
            return "STALE"
        return status

    # -- metrics --------------------------------------------------------------------------
    def append_metric(self, record: dict[str, Any]) -> None:
        """Append one epoch record to metrics.jsonl (one line; a torn last line is ignored on read)."""
        with open(self.file("metrics.jsonl"), "a", encoding="utf-8") as f:
            f.write(dumps(record, indent=None) + "\n")

    def metrics(self) -> list[dict[str, Any]]:
        """The epoch records; a torn last line (a kill mid-write) is ignored."""
        path = self.file("metrics.jsonl")
        if not path.exists():
            return []
        records = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break
        return records

    def truncate_metrics(self, last_epoch: int) -> list[dict[str, Any]]:
        """Keep only records up to ``last_epoch`` (used when resuming from a checkpoint)."""
        kept = [r for r in self.metrics() if r["epoch"] <= last_epoch]
        atomic_write(
            self.file("metrics.jsonl"), "".join(dumps(r, indent=None) + "\n" for r in kept)
        )
        return kept

    # -- checkpoints ----------------------------------------------------------------------
    def save_checkpoint(self, state: dict[str, np.ndarray], epoch: int) -> None:
        """The training state after ``epoch``, atomically, as ``checkpoint.npz``."""
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".checkpoint.", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, epoch=np.array(epoch), **state)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.file("checkpoint.npz"))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def load_checkpoint(self) -> tuple[int, dict[str, np.ndarray]]:
        path = self.file("checkpoint.npz")
        if not path.exists():
            raise RunError(f"{path}: no checkpoint to resume from")
        try:
            with np.load(path, allow_pickle=False) as data:
                state = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise RunError(f"{path}: unreadable checkpoint ({exc})") from None
        return int(state.pop("epoch")), state


# ----------------------------------------------------------------------------- lookup
def iter_runs(root: Path) -> Iterator[RunDir]:
    """Run folders directly under ``root`` (those with a meta.json), oldest first."""
    root = Path(root)
    if not root.is_dir():
        return
    for path in sorted(root.iterdir()):
        if path.is_dir() and (path / "meta.json").exists():
            yield RunDir(path)


def find_run(root: Path, ref: str) -> RunDir:
    """A run by path, by ``latest``, or by a unique prefix / substring of its folder name."""
    as_path = Path(ref)
    if (as_path / "meta.json").exists():
        return RunDir(as_path)
    runs = list(iter_runs(root))
    if ref == "latest":
        if not runs:
            raise RunError(f"{root}: no runs yet")
        return max(runs, key=lambda r: (r.meta.get("started") or "", r.id))
    matches = [r for r in runs if r.id.startswith(ref)] or [r for r in runs if ref in r.id]
    if not matches:
        raise RunError(f"run {ref!r}: no run folder under {root} matches (try 'nnlab runs list')")
    if len(matches) > 1:
        names = ", ".join(r.id for r in matches[:5])
        raise RunError(f"run {ref!r}: ambiguous, matches {len(matches)} runs ({names})")
    return matches[0]
