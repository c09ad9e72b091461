"""Removing run folders (``nnlab runs remove``): only the runs folder's own folders, none that
a process holds, each moved out of its readers' way before it goes (``RunDir.remove``).

A sweep's trial or a tune's round is not removed alone: the sweep's records count it, and
its folder gone reads as MISSING (``nnlab sweep --resume`` runs it again). A folder a process
holds (a run still training, a resume) is refused: its writer would go on into a folder that
is no longer there. ``runs.py`` re-exports ``removable`` and ``remove_folder``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from nnlab.describe import identified
from nnlab.errors import RunError
from nnlab.filestate import leads_nowhere, link_nowhere, unremovable
from nnlab.lookup import find_run
from nnlab.output import counted
from nnlab.process import IN_USE, REMOVING, claim, half_removed, held, held_inside, release
from nnlab.rundir import RunDir


def removable(root: Path, ref: str) -> RunDir:
    """The folder ``ref`` names under ``root`` (``find_run``: a path, an id prefix, 'latest'),
    if it may be removed: a folder of ``root`` itself, not a link to one elsewhere, not a
    trial or round inside another folder, not a folder outside ``root``, not one a process
    holds (``process.held``) or that reads RUNNING (its process on another host). RunError
    otherwise."""
    try:
        run = find_run(root, ref, damaged=True)  # (a DAMAGED folder is one to remove)
    except RunError:
        going = _being_removed(root, ref)
        if going is None:
            raise
        return RunDir(going)  # (``remove_folder`` finds it gone: 'removed meanwhile')
    place = run.path.absolute()
    if place.is_symlink():
        to = link_nowhere(place) if leads_nowhere(place) else f"a link to {place.resolve()}"
        raise RunError(
            f"{run.path}: {to}; nnlab removes only folders of its runs folder (remove the "
            "link itself with rm)"
        )
    here, inside = place.parent.resolve(), Path(root).resolve()
    if here != inside:
        if inside in here.parents and not half_removed(place):  # (a trial's rest: MISSING)
            outer = RunDir(inside / here.relative_to(inside).parts[0])
            raise RunError(
                f"{run.path}: a folder inside {outer.path}, whose records count it; remove "
                f"{outer.path} whole (a sweep reruns a trial removed by hand on --resume)"
            )
        if inside not in here.parents:
            raise RunError(
                f"{run.path}: not a folder of the runs folder {root}; nnlab removes only those "
                "(give --runs-dir)"
            )
    if held(run.path) and not _taken_meanwhile(run.path) and held(run.path):
        raise RunError(f"{run.path}: {IN_USE}; try again once that has ended")
    if not os.path.lexists(run.path):  # (another ``runs remove`` took it: ``remove_folder``
        return run  # says so)
    _refuse_held_inside(run)
    unable = unremovable(run.path) or _too_long_to_hide(run)  # (before any folder goes)
    if unable is not None:
        raise RunError(f"{unable}; nothing removed")
    info = identified(run)  # (a DAMAGED folder is removable: it has no status to read)
    meta = info["meta"] or {}
    if info["status"] == "RUNNING":  # (its process on another host, or not holding it)
        raise RunError(
            f"{run.path}: RUNNING (pid {meta.get('pid')} on {meta.get('host')}), and its "
            "process may still write into it; stop it first, or remove it once it reads STALE"
        )
    return run


def removable_folders(root: Path, refs: Sequence[str]) -> list[Path]:
    """The folders ``refs`` name under ``root``, each once, in the order first named
    (``latest`` and its id are one folder), every one checked (``removable``) before any
    goes: RunError for the first that may not."""
    return list(dict.fromkeys(removable(root, ref).path for ref in refs))


def _too_long_to_hide(run: RunDir) -> str | None:
    """Why ``run`` cannot be moved out of its readers' way as it is removed: its name, with
    the dot and ``.removing`` of its hidden name (``RunDir.remove``), is longer than a name
    in its file system may be (a folder renamed by hand: nnlab's names are far shorter). It
    failed 'File name too long', naming no remedy."""
    hidden = len(os.fsencode(f".{run.id}{REMOVING}"))
    try:
        limit = os.pathconf(run.path.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    if hidden <= limit:
        return None
    return (
        f"{run.path}: its name is {counted(len(os.fsencode(run.id)), 'byte')} long, too long to "
        f"be moved aside as it is removed (as .<name>{REMOVING}: at most {counted(limit, 'byte')}); "
        "rename it shorter first (mv)"
    )


def remove_folder(run: RunDir) -> bool:
    """Delete ``run``'s folder once no process holds it (``process.claim``: RunError, and the
    folder left as it is, if one does); held until it is gone, so that no resume begins in
    it meanwhile. An interrupt leaves it whole or gone: it is moved out of the way first,
    under a hidden name that no reader lists (a later folder's founding removes what is left
    of it, ``process.leftovers``). False if it is gone before it could be held: another
    process removed it meanwhile (two ``runs remove`` of one folder at once: the second
    said 'cannot open: No such file or directory', or that a resume held it, exit 2, of a
    folder gone as both asked)."""
    try:
        claim(run)
    except RunError:
        if not os.path.lexists(run.path) or _taken_meanwhile(run.path):
            return False
        raise
    try:
        _refuse_held_inside(run)  # (again, held: a trial's resume claims the trial, then asks
        # whether its sweep is held, ``experiments.train``; so one of the two is refused)
        run.remove()
    finally:
        release(run)
    return True


def _being_removed(root: Path, ref: str) -> Path | None:
    """The folder ``ref`` names by its name or path, if it is not there because another
    process is removing it now: moved aside as ``.<name>.removing`` (``RunDir.remove``), which
    that process holds. The second of two ``runs remove`` at once that looked after the first
    had moved it said 'no run folder under runs matches', exit 2. None otherwise."""
    path = Path(ref) if os.sep in ref else Path(root) / ref
    if path.name in ("", ".", "..") or os.path.lexists(path):  # (/: a name with_name refused)
        return None
    return path if held(path.with_name(f".{path.name}{REMOVING}")) else None


REMOVER_WAIT = 1.0  # seconds: how long a folder held by another process may take to go


def _taken_meanwhile(path: Path) -> bool:
    """Whether the folder ``path``, which another process holds, goes within ``REMOVER_WAIT``
    (False at once if the hold ends with the folder there). Another ``runs remove`` moves the
    folder aside milliseconds after it takes the hold (``RunDir.remove``), so the second of
    two at once found it held and was refused 'in use by another nnlab process', exit 2, of a
    folder gone as both asked (one time in twelve); a process that holds it to resume or
    train it keeps it there, and is refused after the wait."""
    end = time.monotonic() + REMOVER_WAIT
    while True:
        if not os.path.lexists(path):
            return True
        if not held(path) or time.monotonic() >= end:
            return False
        time.sleep(0.01)


def _refuse_held_inside(run: RunDir) -> None:
    """RunError naming a folder inside ``run`` that a process holds (``process.held_inside``:
    a sweep's trial resumed on its own by ``train --resume``): the sweep was removed, the
    trial's folder with it, under its trainer, which failed ('metrics.jsonl: No such file or
    directory ... it reads STALE', of a folder no longer there)."""
    inner = held_inside(run.path)
    if inner is not None:
        raise RunError(
            f"{inner}: in use by another nnlab process (resumed on its own by 'nnlab train "
            f"--resume'?), and {run.path} holds it; try again once that has ended"
        )
