"""The run folders inside a run folder: a sweep's trial folders (``trial_folders``, and those
its plan has no trial for, ``unplanned_folders``), a tune's rounds (``trial_sweeps``; a round
recorded but not there, ``absent_round``), and all of them at once (``nested_folders``, where a
reference to a trial or a round looks). Reading only; ``nnlab.runs`` re-exports it (through
``nnlab.lookup``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from nnlab.errors import RunError
from nnlab.rundir import ROUNDS, RunDir
from nnlab.runfolders import closed_folder, iter_runs
from nnlab.trialfolders import TRIALS


def trial_sweeps(run: RunDir) -> list[RunDir]:
    """The sweep folders whose trials ``run`` holds: ``run`` itself when it is a sweep (it has
    a sweep.yaml), then a tune's rounds by name: the folders under its ``rounds/`` and every
    round its tune.json records, there or not (``absent_round``: MISSING). Every reader that
    says which trials of a folder are DAMAGED or MISSING starts here, so a folder of any kind
    that holds trials is covered. RunError if ``rounds/`` or tune.json cannot be read."""
    own = [run] if run.file("sweep.yaml").exists() else []
    found = {r.path for r in iter_runs(run.file(ROUNDS))}
    found.update(run.path / entry["sweep"] for entry in run.rounds() if "sweep" in entry)
    return own + [RunDir(path) for path in sorted(found)]


def absent_round(folder: RunDir) -> str | None:
    """Why a round of ``trial_sweeps`` is MISSING (None when its folder is there, or may be:
    one that cannot be looked at, under a ``rounds/`` that cannot be read, is there to its
    readers, who say why they cannot read it; ``os.path.lexists`` took it for gone, and a
    tune's resume ran the round again, failing to make its folder, 'Permission denied',
    its COMPLETED tune then FAILED)."""
    try:
        os.lstat(folder.path)
    except FileNotFoundError:
        return f"{folder.path}: no run folder there; the tune's tune.json records this round"
    except (OSError, ValueError):
        pass
    return None


def trial_folders(run: RunDir) -> list[Path]:
    """The folders under a sweep's ``trials/``, by id (none for a folder that is no sweep, or
    whose trials cannot be listed); a hidden one is none (one being removed: ``RunDir.remove``)."""
    folder = run.file(TRIALS)
    try:
        found = folder.iterdir() if folder.is_dir() else []
        return sorted(p for p in found if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def unplanned_folders(run: RunDir, planned: list[str]) -> list[Path]:
    """The folders under the sweep's ``trials/`` that its sweep.yaml plans no trial for: a
    trial id edited in (or a trial dropped from) sweep.yaml, a folder renamed or moved in.
    Each is damage in every reader: it was passed over, so a sweep whose plan lost a trial
    was shown, compared and resumed as if it never had it."""
    ids = set(planned)
    return [p for p in trial_folders(run) if p.name not in ids]


def unplanned(path: Path) -> str:
    """Why the trial folder ``path`` (``unplanned_folders``) is DAMAGED."""
    return (
        f"{path}: a trial folder sweep.yaml plans no trial for (sweep.yaml edited, or a folder "
        "renamed or moved in?)"
    )


def nested_folders(run: RunDir) -> Iterator[RunDir]:
    """The run folders inside ``run``: a sweep's trials; a tune's rounds and their trials
    (``trial_sweeps``; a ``trials/`` without the sweep.yaml too). Of a folder whose tune.json
    cannot be read, its own ``trials/`` only."""
    try:
        sweeps = [s for s in trial_sweeps(run) if s.path != run.path]
    except RunError:
        sweeps = []
    for folder in [run, *sweeps]:
        if folder.path != run.path and _with_meta(folder.path):
            yield folder
        yield from (RunDir(p) for p in trial_folders(folder) if _with_meta(p))


def _with_meta(folder: Path) -> bool:
    """Whether ``folder`` holds a meta.json, or cannot be looked into (``closed_folder``: its
    reader says so, where asking raised PermissionError)."""
    return os.path.lexists(folder / "meta.json") or closed_folder(folder)
