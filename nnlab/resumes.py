"""The folder a ``--resume`` names, found and checked the one way every command finds it
(``resumed``), and the runs folder a command's folder is, or goes, in (``output_root``: where
``--report`` rebuilds the report).

Every resume (``train``, ``sweep``, ``tune``, ``landscape`` and the kinds ``nnlab.redo`` does
again) looks its folder up here; what each then checks of it (nothing left to do, a recipe, a
checkpoint) is its own."""

from __future__ import annotations

from pathlib import Path

from nnlab import runs
from nnlab.errors import ConfigError


def resumed(runs_dir: Path, ref: str, kind: str) -> runs.RunDir:
    """The ``kind`` folder ``ref`` names (folder, id prefix or 'latest') for a ``--resume``:
    checked whole (``runs.usable``: DamagedError naming the first file that is not as nnlab
    wrote it), a folder of another kind refused naming the command that resumes it."""
    return runs.find_run(runs_dir, ref, kind=kind, resuming=True)


def output_root(resume: str | None, out: Path | None, runs_dir: Path, kind: str) -> Path:
    """The folder a command's ``kind`` folder is (or goes) in: the resumed folder's (looked up:
    ``resumed``), ``--out``'s parent, else the runs folder. (A landscape's ``--out`` naming a
    landscape folder completes it: its parent all the same.)"""
    if resume is not None:
        return resumed(runs_dir, resume, kind).path.parent
    return out.parent if out is not None else runs_dir


def alone(given: dict[str, object]) -> None:
    """ConfigError naming the first of ``given`` (what a caller names it: its value) that is
    set beside a ``--resume``, which does its folder's work with the settings the folder
    recorded (the command line refuses them first: ``cli.resuming.alone_with_resume``)."""
    for name, value in given.items():
        if value not in (None, False, (), []):
            raise ConfigError(
                f"{name}: not with --resume, which goes on with the settings its folder recorded"
            )
