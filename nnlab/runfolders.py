"""Which folders are run folders: a runs folder checked as one (``check_root``), a folder told
to be a run's by the files only a run folder holds (``is_run_folder``; ``made_by_nnlab``, the
stricter test of a place to make a new folder in), and the run folders directly under a runs
folder (``iter_runs``). Reading only; ``nnlab.runs`` re-exports it (through ``nnlab.lookup``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from nnlab.errors import RunError
from nnlab.fileio import DamagedError, loads, read_at_most
from nnlab.filestate import hidden_taken, leads_nowhere, link_nowhere
from nnlab.process import half_removed, held
from nnlab.rundir import RunDir


def check_root(root: Path) -> Path:
    """``root`` if it is a folder, else a RunError naming it: a runs folder that is not there
    (a mistyped ``--runs-dir``, or no run written yet) is said to be missing, never listed as
    empty. Every reader of a runs folder (``runs list``, a reference to find, ``report``)
    checks it here; ``iter_runs`` also lists a sweep's or tune's trial folders, which may be
    absent."""
    root = Path(root)
    if leads_nowhere(root):  # (it was 'no such runs folder', naming no link)
        raise RunError(f"{root}: {link_nowhere(root)} (give the runs folder as --runs-dir)")
    if not root.exists():
        raise RunError(
            f"{root}: no such runs folder (no runs yet, or give the folder nnlab wrote runs "
            "into as --runs-dir)"
        )
    if not root.is_dir():
        raise RunError(f"{root}: not a folder (a runs folder holds run folders)")
    return root


# Files only a run folder holds: one of them without a meta.json beside it (removed, or a link
# to nothing) makes a damaged run folder, not some other folder to leave out of the listings.
RUN_FILES = ("meta.json", "metrics.jsonl", "checkpoint.npz", "sweep.yaml", "tune.json",
             "landscape.h5")  # fmt: skip


def itself_a_run(root: Path) -> str:
    """Where a runs folder given (``--runs-dir``) holds no runs because it is a run's own
    folder, a note saying so and naming the one to give, else "": it read 'no runs yet' of
    the folder of a run that was there."""
    if not is_run_folder(root):
        return ""
    return (
        f" (it is a run folder itself: give the runs folder holding it, --runs-dir {root.parent})"
    )


def is_run_folder(path: Path) -> bool:
    """``path`` is a folder nnlab made a run in: it holds a meta.json (a link to nothing
    included) or another of ``RUN_FILES``. A training run whose meta.json was removed was left
    out of ``runs list`` and, named exactly, said to match no folder; its ``meta`` now says
    that meta.json is missing, in every reader. A folder being made is not one yet: a new
    folder's first files (a sweep's plan, a tune's, a landscape's file) come before its
    meta.json, while its process holds it (``process.held``); a reader meanwhile called it
    DAMAGED ('meta.json: missing'). A link that leads nowhere (to a folder since removed, or
    round a loop: ``ln -s loop1 runs/loop1``) is one too, as a folder that cannot be looked
    into is: what it was cannot be told, so it is listed DAMAGED, naming the link (it was
    passed over without a word, and named exactly said to match no folder)."""
    try:
        if leads_nowhere(path):
            return True
        if half_removed(path):  # (what a removal that stopped left: listed, to be removed;
            # a link or a file there, nnlab's by its name only, is listed too: ``hidden_taken``)
            return hidden_taken(path) is not None or (path.is_dir() and not held(path))
        if not path.is_dir():
            return False
        if not any(os.path.lexists(path / name) for name in RUN_FILES):
            return closed_folder(path)
    except OSError:  # (a name too long to be a path)
        return False
    return os.path.lexists(path / "meta.json") or not held(path)


def closed_folder(path: Path) -> bool:
    """Whether the folder ``path`` cannot be looked into (no permission to list it or to reach
    its files): what it is cannot be told, so it is listed, as a folder that cannot be read
    (``RunDir.meta`` says why). It was passed over as no run folder: ``runs list`` did not
    show it, ``runs show`` said no folder matched, ``--resume latest`` said 'no runs yet'."""
    for look in (lambda: os.lstat(path / "meta.json"), lambda: os.scandir(path).close()):
        try:
            look()
        except PermissionError:
            return True
        except OSError:
            pass
    return False


def made_by_nnlab(folder: Path) -> bool:
    """``folder`` is a run folder nnlab made, as a place to make a new folder in sees it
    (stricter than ``is_run_folder``, which counts any meta.json so that a damaged run is not
    passed over): it holds one of the files only a run folder has (``RUN_FILES`` but
    meta.json, a name any project may use), or a meta.json that is a JSON object naming a
    ``run_id`` and a ``kind``, as nnlab writes it."""
    try:
        if any((folder / name).exists() for name in RUN_FILES if name != "meta.json"):
            return True
        if not (folder / "meta.json").is_file():
            return False
        data = read_at_most(folder / "meta.json", 2**20)
        meta = loads(data) if data is not None else None
    except (OSError, ValueError, DamagedError):
        return False
    return isinstance(meta, dict) and "run_id" in meta and "kind" in meta


def iter_runs(root: Path, halves: bool = False) -> Iterator[RunDir]:
    """Run folders directly under ``root`` (``is_run_folder``), oldest name first. Hidden ones
    are being made or removed (``process.founding``, ``RunDir.remove``); ``halves``: the
    readers of a runs folder (``runs list``, a reference, ``report``) list those a removal
    that stopped part way left (``process.half_removed``), DAMAGED saying so, which
    ``runs remove`` takes (a sweep's trial half removed is MISSING: its resume runs it)."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise RunError(f"{root}: not a folder (a runs folder holds run folders)")
    try:
        entries = sorted(root.iterdir()) if root.is_dir() else []
    except OSError as exc:
        raise RunError(f"{root}: cannot list: {exc.strerror}") from None
    for path in entries:
        shown = not path.name.startswith(".") or (halves and half_removed(path))
        if shown and is_run_folder(path):
            yield RunDir(path)
