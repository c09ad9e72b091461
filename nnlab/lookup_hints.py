"""What finding a run folder says where it finds none of the kind asked for: the command
that lists the folders there (``listing``), the kinds a runs folder holds instead
(``only_others``), and the command that takes a folder of the kind given (``taken_by``).
Text only, for ``nnlab.lookup``'s errors (its own module: lookup had reached 600 lines).
"""

from __future__ import annotations

import shlex
from collections import Counter
from pathlib import Path
from typing import Any

from nnlab.output import article as article, counted  # (article: re-exported)
from nnlab.rundir import KINDS, RunDir

DEFAULT_ROOT = Path("runs")  # where run folders go unless --runs-dir (or NNLAB_RUNS_DIR) says


# kind -> the command whose --resume continues a folder of that kind (a trial: as a run)
RESUMED_BY = {**{kind: kind for kind in KINDS}, "trial": "train"}


def taken_by(path: Path, kind: str, wanted: tuple[str, ...], resuming: bool) -> str:
    """The command that takes a ``kind`` folder where one of ``wanted`` was asked for: its
    resume (``resuming``: a --resume was given it), a trial of it (a sweep's or a tune's,
    where a training run was wanted), else ``runs show``, which reads every kind."""
    folder = shlex.quote(str(path))
    if resuming:
        return (
            f"to continue {article(kind)} {kind} folder: nnlab {RESUMED_BY[kind]} --resume {folder}"
        )
    if kind in ("sweep", "tune") and "train" in wanted:
        return f"give one of its trials (listed by nnlab runs show {folder})"
    return f"to read {article(kind)} {kind} folder: nnlab runs show {folder}"


def listing(root: Path, kind: str | None = None) -> str:
    """The command that lists the folders under ``root`` (of ``kind``), for a hint: with
    ``--runs-dir`` unless ``root`` is the default, so that it lists where the hint looked."""
    words = ["nnlab", "runs", "list", *(["--kind", kind] if kind else [])]
    if Path(root) != DEFAULT_ROOT:
        words += ["--runs-dir", str(root)]
    return shlex.join(words)


def only_others(healthy: list[tuple[RunDir, dict[str, Any]]]) -> str:
    """`` (it holds only 2 lr-scan folders, 1 sweep folder, which 'latest' does not name
    here)`` where the runs folder holds folders of other kinds than 'latest' looks for, else
    "" (``landscape latest`` said 'no runs yet' of a folder with a sweep and two scans)."""
    kinds = Counter(str(d["kind"]) for _, d in healthy)
    if not kinds:
        return ""
    held = ", ".join(counted(n, f"{kind} folder") for kind, n in sorted(kinds.items()))
    return f" (it holds only {held}, which 'latest' does not name here)"


# command -> what it needs a training run's checkpoint.npz for, and what to give instead
WEIGHTS_NEEDED = {
    "landscape": (
        "whose weights landscape centres its slices on",
        "give a run that has one, or a config file (its initial weights)",
    ),
    "activations": ("whose trained weights activations draws", "give a run that has one"),
}


def lacking(run: RunDir, name: str, needs: str, instead: str) -> str:
    """What a command says of a folder of the right kind that lacks the file it needs: the
    folder, what it is (``being``), the file and what the command needs it for, and what to do
    instead: ``runs/<run>: a train run INTERRUPTED before its first epoch, without
    checkpoint.npz, whose weights landscape needs; continue it first (...), or give a config
    file`` (it said 'has no checkpoint.npz (a train folder?)' of a train folder)."""
    status = run.status
    resume = ""
    if status in ("INTERRUPTED", "STALE", "FAILED"):
        resume = f"continue it first (nnlab {RESUMED_BY[run.kind]} --resume {shlex.quote(str(run.path))}), or "
    return f"{run.path}: {being(run)}, without {name}, {needs}; {resume}{instead}"


def being(run: RunDir) -> str:
    """A folder as a message names what it is: its kind, its status and, for a training run,
    how far it got (``a train run COMPLETED after epoch 20``, ``a train run INTERRUPTED before
    its first epoch``, ``an lr-scan folder FAILED``)."""
    kind, status = run.kind, run.status
    if kind != "train":
        return f"{article(kind)} {kind} folder {status}"
    epochs = [r.get("epoch") for r in run.metrics()]
    last = epochs[-1] if epochs else None
    got = "before its first epoch" if last is None else f"after epoch {last}"
    return f"a train run {status} {got}"
