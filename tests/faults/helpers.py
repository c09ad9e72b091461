"""What the fault-injection cases share: a tiny config, the CLI runner, the one-line check, the
status of every folder, a snapshot of a case's folder, and the rows of the README's table.

Every case runs in its own folder ``case``, three levels below ``tmp_path``, which is also the
working directory: a path such as ``../..`` taken from a hostile ``--out`` or ``--name`` lands
inside ``tmp_path``, where ``snapshot`` sees it.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from nnlab import runs
from nnlab.cli import app

TINY = """\
name: tiny
dataset: {name: digits, n_train: 200, n_test: 100}
model: {hidden: [16]}
optimizer: {name: sgd, lr: 0.1}
batch_size: 50
epochs: 3
"""
SETTLED = ("COMPLETED", "FAILED", "INTERRUPTED")  # what a folder may say once its process ended


def invoke(*args: Any, env: dict[str, str] | None = None) -> Any:
    """``nnlab ARGS`` in this process (typer's CliRunner; stderr apart from stdout)."""
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def argv(*args: Any) -> list[str]:
    """``nnlab ARGS`` as a real process runs it."""
    return [sys.executable, "-m", "nnlab", *(str(a) for a in args)]


def one_line(stderr: str) -> str:
    """The one line on stderr: not a traceback, not a usage box, not an 'unexpected' error."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "╭" not in stderr and "unexpected" not in stderr, stderr
    return lines[0]


def refused(result: Any, code: int, *parts: str) -> str:
    """Assert that ``result`` exited ``code`` with one line on stderr holding every part."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    line = one_line(result.stderr)
    for part in parts:
        assert part in line, (part, line)
    return line


def statuses(root: Path) -> dict[str, str]:
    """The status every folder under ``root`` (trials and tune rounds too) reads as now:
    STALE for a RUNNING one whose process is gone, DAMAGED for one that cannot be read."""
    found = {}
    for meta in sorted(Path(root).rglob("meta.json")):
        info = runs.describe_folder(runs.RunDir(meta.parent))
        found[meta.parent.relative_to(root).as_posix()] = info["status"]
    return found


def assert_settled(root: Path, allowed: tuple[str, ...] = SETTLED) -> dict[str, str]:
    """Every folder under ``root`` ended (``allowed``), none RUNNING or STALE."""
    found = statuses(root)
    assert found, f"no folder under {root}"
    assert set(found.values()) <= set(allowed), found
    return found


def snapshot(root: Path, *skip: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file and folder under ``root``, but those under ``skip``."""
    skipped = [s.resolve() for s in skip]
    out = {}
    for path in Path(root).rglob("*"):
        real = path.resolve() if skipped else path  # (a symlink loop has no resolved path)
        if any(real == s or s in real.parents for s in skipped):
            continue
        stat = path.lstat()
        out[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return out


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a run folder and its bytes (what a refused resume must leave alone)."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file()}


def without_seconds(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def only(root: Path, kind: str | None = None) -> runs.RunDir:
    """The one folder directly under ``root`` (of ``kind``)."""
    (found,) = [r for r in runs.iter_runs(root) if kind is None or r.kind == kind]
    return found


def copy_runs(template: Path, dest: Path) -> Path:
    """A copy of the runs folder ``template`` as nnlab left it: each folder's meta.json last
    changed (its times kept, its inode's change time now), as a run writes it after its other
    files; a copy's order is the folder's, and the quick reading (``outline.looks_whole``)
    reads whole a folder holding a file changed after its meta.json."""
    shutil.copytree(template, dest, symlinks=True)
    for meta in sorted(dest.rglob("meta.json")):
        if not meta.is_symlink():
            was = meta.stat()
            os.utime(meta, ns=(was.st_atime_ns, was.st_mtime_ns))
    return dest


def set_meta(run: runs.RunDir, **fields: Any) -> None:
    """Rewrite fields of a folder's meta.json (a state a real run leaves, made quickly)."""
    meta = run.read_json("meta.json")
    meta.update(fields)
    runs.write_json(run.file("meta.json"), meta)


def no_probe_in(monkeypatch, folder: Path, code: int = errno.EACCES) -> None:
    """No new file can be made in ``folder``, as the OS refuses one in a read-only folder (as
    root, chmod cannot make one): ``mkstemp`` there raises ``code``."""
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if Path(kwargs.get("dir") or ".").absolute() == folder.absolute():
            raise OSError(code, os.strerror(code), str(folder))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


# ----------------------------------------------------------------------------- the README table
@dataclasses.dataclass(frozen=True)
class Row:
    """A row of the README's "Faults and how nnlab answers" table: the fault, what was run, the
    exit code and the parts of the line nnlab prints. In ``parts``, ``{runs}`` is the runs folder
    and ``{run}`` the run folder; the README writes them ``runs`` and ``runs/<run>``."""

    fault: str
    command: str
    code: int
    parts: tuple[str, ...]

    def expect(self, runs_dir: Path | str, run: Path | str = "") -> list[str]:
        """The parts with the case's own folders filled in."""
        return [p.format(runs=runs_dir, run=run) for p in self.parts]


def readme_form(part: str) -> str:
    return part.format(runs="runs", run="runs/<run>")


def case_dir(tmp_path: Path) -> Path:
    """A case's folder three levels down (see the module docstring), holding cfg.yaml."""
    case = tmp_path / "a" / "b" / "case"
    case.mkdir(parents=True)
    (case / "cfg.yaml").write_text(TINY)
    return case
