"""A sweep's trial folders as its readers judge them: a planned trial with no folder (PENDING,
FAILED as recorded, or MISSING), a folder that is not the trial its plan made (moved or copied
from elsewhere), and what a resume must not write into (a symlink, a file where a folder goes).
Reading only; ``nnlab.runs`` re-exports all of it with ``nnlab.lookup``'s finding of folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnlab.filestate import cannot_read, wrong_kind
from nnlab.rundir import ROUNDS, RunDir

TRIALS = "trials"  # a sweep's (and a tune round's) folder of trial folders

MISSING = "MISSING"  # read-time status of a trial a sweep recorded as started, with no folder


def foreign_folder(path: Path) -> str | None:
    """Why ``path``, where nnlab makes a sweep's folder of trials or a trial's folder, is not
    one it made, None if it is a plain folder or is not there: a symlink (a resume would
    write, or remove, wherever it points) or a file. Every reader of a trial says it DAMAGED
    and a resume refuses it, before anything changes."""
    try:
        if path.is_symlink():
            return f"{path}: a symlink; nnlab makes a plain folder there (remove the link)"
        if path.exists() and not path.is_dir():
            return wrong_kind(path, path.stat().st_mode, "folder")
    except OSError as exc:  # (a trials/ that cannot be looked into: no permission)
        return cannot_read(path, exc)
    return None


# how the names of the files nnlab writes in a run folder end (its figures among them), and
# its files of other names (a sweep's STOP: ``nnlab.sweep.trial.STOP_FILE``)
WRITTEN = (".json", ".jsonl", ".yaml", ".txt", ".csv", ".png", ".npz", ".h5")
WRITTEN_NAMES = ("STOP",)


def linked_file(folder: Path) -> str | None:
    """Why a resume must not write into ``folder``: something at a name nnlab writes in it is
    a symlink (records appended, a landscape.h5 filled in, would go wherever it points), said
    as what nnlab does at that name (``linked``), or a file is where nnlab makes a folder (a
    tune's rounds/ that is a file: its resume said it was running a round again, then failed
    as it made its folder, 'Not a directory'), or something other than a file (a folder, a
    named pipe) is where it writes one (``WRITTEN``): a train run's summary.txt that was a
    folder, which no reader reads, was resumed, trained to its end and failed there
    ('summary.txt: Is a directory', exit 1); or a file it writes has another name (a hard
    link: a landscape's resume filled in the points of landscape.h5 in place, and so of the
    file under its name outside the runs folder too); None if none is. A link or a hard link
    at a name nnlab never writes there (``writes_at``: a user's ``notes -> ~/notes``) is no
    reason: nnlab neither writes, follows nor removes it (``runs remove`` removes the link
    alone), and a resume refused the folder ('move the link out of the folder')."""
    try:
        entries = sorted(folder.iterdir()) if folder.is_dir() and not folder.is_symlink() else []
    except OSError as exc:  # (no permission to list it: nothing can be resumed there)
        return cannot_read(folder, exc)
    folders = _folders_made(folder)
    for entry in entries:
        if entry.is_symlink():
            if writes_at(entry, folders):
                return linked(entry, folders)
            continue
        if entry.name in (TRIALS, ROUNDS) and not entry.is_dir():
            return foreign_folder(entry)
        if entry.suffix in WRITTEN and not entry.is_file():  # (a folder where summary.txt goes)
            return wrong_kind(entry, entry.lstat().st_mode)
        names = entry.lstat().st_nlink if entry.is_file() else 1
        if names > 1 and writes_at(
            entry, folders
        ):  # (landscape.h5 is written in place: its other names' file changed too)
            return (
                f"{entry}: a hard link (its file has {names} names); a resume writes into the "
                "folder's own files, and would change it under its other names too: make it "
                "a file of its own first (copy it beside it, then move the copy over it)"
            )
    return None


def writes_at(entry: Path, folders: tuple[str, ...]) -> bool:
    """Whether nnlab writes something at ``entry``'s name in its folder: a file of a name that
    ends as its files' do (``WRITTEN``), one of its other names (``WRITTEN_NAMES``), or a
    folder it makes there (``folders``: a sweep's trials/, a tune's rounds/)."""
    return entry.suffix in WRITTEN or entry.name in WRITTEN_NAMES or entry.name in folders


def _folders_made(folder: Path) -> tuple[str, ...]:
    """The folders nnlab makes in ``folder``, by its kind: a sweep's trials/, a tune's rounds/
    (either, where the kind cannot be read)."""
    try:
        kind = RunDir(folder).kind
    except Exception:  # (a damaged meta.json: the resume refuses it, naming that too)
        return (TRIALS, ROUNDS)
    return {"sweep": (TRIALS,), "tune": (ROUNDS,)}.get(kind, ())


def linked(entry: Path, folders: tuple[str, ...] = (TRIALS, ROUNDS)) -> str:
    """Why a resume refuses the symlink ``entry`` in its folder, at a name nnlab writes
    (``writes_at``), said as what nnlab does at that name, whatever the link leads to: makes a
    folder (``folders``: a sweep's trials/, a tune's rounds/; ``foreign_folder``) or writes a
    file (``WRITTEN``). It said 'nnlab makes a plain folder there (remove the link)' of any
    link to a folder (of a summary.txt, where nnlab writes a file, too), and 'put the file
    itself there' of a trials/ linked to nothing, where nnlab makes a folder."""
    if entry.name in folders:
        return foreign_folder(entry) or f"{entry}: a symlink"
    try:
        target = f" to {entry.resolve()}"
    except (OSError, RuntimeError):  # (a loop: 'Symlink loop', as Python 3.11 raises it)
        target = ""
    return (
        f"{entry}: a symlink{target}; a resume writes this file of the folder's own, "
        "never through a link: put the file itself there"
    )


def absent_trial(path: Path, recorded: Any) -> dict[str, Any]:
    """The ``status`` of a sweep's planned trial that has no run folder at ``path``, as the
    sweep recorded it (``recorded``: its row in the sweep's summary, None for none), the one
    record there is of it: PENDING when not started; FAILED with the recorded ``error`` (and
    ``stacked``) when it FAILED (a unit can fail before its folders are made; a resume runs
    it again); else MISSING with the ``reason`` (a result its folder held, deleted or moved
    since: what the sweep recorded of it is not shown)."""
    status = recorded.get("status") if isinstance(recorded, dict) else None
    if status in (None, "PENDING"):
        return {"status": "PENDING"}
    if status == "FAILED":  # (its error, and the nets its unit would have stacked)
        kept = {k: recorded[k] for k in ("stacked", "error") if recorded.get(k) is not None}
        return {"status": "FAILED", **kept}
    reason = f"{path}: no run folder there; the sweep recorded this trial {status}"
    return {"status": MISSING, "reason": reason}


def foreign_trial(
    run: RunDir,
    folder: RunDir,
    trial_id: str,
    seed: Any,
    values: Any,
    meta: dict[str, Any] | None = None,
) -> str | None:
    """Why the trial folder ``folder`` of sweep ``run`` is not the trial its plan (sweep.yaml)
    made under ``trial_id`` (with ``seed`` and ``values``), None if it is, or if it records no
    trial (an older version's: not told). A trial's meta.json names its id, its sweep (the
    sweep's recorded id), seed and values: a folder swapped with another trial's, or copied
    from another sweep, was shown and kept as this trial's, with another trial's numbers.
    ``meta``: the trial's meta.json as the caller read it (else it is read here)."""
    found = (folder.meta if meta is None else meta).get("trial")
    if not isinstance(found, dict):
        return None
    planned = {"id": trial_id, "sweep": run.recorded_id, "seed": seed, "values": values}
    if all(found[key] == value for key, value in planned.items() if key in found):
        return None  # (a key a version did not record is not told)
    return (
        f"{folder.file('meta.json')}: trial {found.get('id')!r} of sweep {found.get('sweep')!r} "
        f"(seed {found.get('seed')}), not this sweep's trial {trial_id!r} (seed {seed}): "
        "moved or copied from elsewhere? remove it to run the trial again"
    )
