"""The resume of the experiments that compute their results whole: the work again, in its folder.

``lr-scan``, ``activations``, ``compare-optimizers`` and ``gradcheck --compare-differences``
compute their results whole and write them at the end, so an interrupted folder holds its
settings and no results (but the parts noted below). Each records
in meta.json the ``recipe`` it was given (the options as the library takes them; its config in
config.yaml), and ``nnlab <command> --resume FOLDER`` does the work again from the recipe, into
the same folder, with the numbers an uninterrupted run gives: the folder keeps its id and ends
COMPLETED, with a ``resumes`` entry in its meta.json. (A comparison on a dataset keeps each
optimizer's run as it finishes, ``optimizer-<index>.json``, and a scan each chunk of 8 rates'
trainings, ``rates-<first>.json``: their resumes train only the others.)
Like every resume, a COMPLETED folder is refused ('nothing to resume'), one still RUNNING in a
live process too (``runs.reopen``).

This module chooses between a new folder (``runs.start``) and the resumed one
(``runs.reopen``); the lifecycle itself stays ``runs``' own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from nnlab import runs
from nnlab.data import data_dir_option
from nnlab.errors import RunError
from nnlab.lookup_hints import RESUMED_BY
from nnlab.output import article, command_line
from nnlab.resumes import resumed

# kind -> (the command that resumes it, the files its ending writes: a resume removes them)
REDONE: dict[str, tuple[str, tuple[str, ...]]] = {
    "lr-scan": ("lr-scan", ("summary.json", "summary.txt", "lr-scan.png")),
    "activations": ("activations", ("summary.json", "summary.txt", "activations.png")),
    "compare-optimizers": (
        "compare-optimizers",
        ("result.json", "summary.txt", "paths.png", "losses.png"),
    ),
    "gradcheck": ("gradcheck", ("differences.json", "differences.png")),
}


UNFINISHED = ("FAILED", "INTERRUPTED", "STALE")  # (a resume has work left: it goes ahead)


def resume_offer(kind: str, status: str, meta: dict[str, Any]) -> tuple[str, str] | None:
    """(what a resume of a folder does, its command up to the folder: ``nnlab train
    --resume``) for a folder that ended unfinished (``UNFINISHED``), as ``runs show`` and the
    report offer it; None where a resume would be refused (a COMPLETED folder:
    ``runs.refuse_finished``; a DIVERGED run, which would diverge again: ``train --resume``
    refuses it), no command resumes the kind, or a redone kind's folder was made before
    recipes."""
    if status not in UNFINISHED or kind not in RESUMED_BY:
        return None
    command = f"nnlab {RESUMED_BY[kind]} --resume"
    if kind not in REDONE:
        return "continue it where it stopped", command
    if not isinstance(meta.get("recipe"), dict):
        return None
    return "do its work again in its folder", command


def extend_offer(folder: str, epochs: Any, data_dir: Any = None) -> str | None:
    """The command that trains a COMPLETED run in ``folder`` on to twice its ``epochs`` in a
    new folder (``nnlab train --extend runs/<run> epochs=40``; at least 1, at most a config's
    ``MAX_EPOCHS``; with the ``--data-dir`` it was given), as ``train --resume`` of it and the
    report's page offer it; None where its epochs are not known or already the most."""
    import shlex

    from nnlab.config_model import MAX_EPOCHS

    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs >= MAX_EPOCHS:
        return None
    doubled = min(max(2 * epochs, 1), MAX_EPOCHS)
    words = ["nnlab train --extend", shlex.quote(folder), f"epochs={doubled}"]  # (joined: no
    return " ".join(words) + go_on_options(data_dir, folder)  # count of epochs, a path and a key)


def go_on_options(data_dir: Any, folder: str | Path) -> str:
    """The options of place for a command offered to go on from ``folder`` in a NEW folder
    (``--extend``, the ``next:`` training of an lr-scan, a tune's best trial again): its
    ``--data-dir`` (``data_dir_option``) and, where ``folder`` lies in a runs folder other than
    the one the command would write into (``--runs-dir r``: not ``runs``, nor
    ``$NNLAB_RUNS_DIR``), `` --runs-dir ROOT``. Pasted without it, the new folder went into
    ./runs, where ``runs list --runs-dir r`` never showed it. (A resume writes into its own
    folder: it needs none.)"""
    return data_dir_option(data_dir) + runs_dir_option(runs_root_of(Path(folder)))


def runs_dir_option(root: Path) -> str:
    """`` --runs-dir ROOT`` as a command line to paste writes into the runs folder ``root``
    (quoted for a shell), "" where a command writes there without it (``runs``, or
    ``$NNLAB_RUNS_DIR`` where set)."""
    import os
    import shlex

    default = Path(os.environ.get("NNLAB_RUNS_DIR") or "runs")
    try:
        same = root.resolve() == default.resolve()
    except (OSError, RuntimeError):  # (a loop of links: say the folder rather than guess)
        same = False
    return "" if same else f" --runs-dir {shlex.quote(str(root))}"


def runs_root_of(folder: Path) -> Path:
    """The runs folder ``folder`` is a run of: its parent, or for a sweep's trial
    (``<sweep>/trials/<id>``) and a tune's round (``<tune>/rounds/<id>``, a round's trial) the
    runs folder that holds the sweep or the tune."""
    from nnlab.rundir import ROUNDS
    from nnlab.trialfolders import TRIALS

    root = folder.parent
    while root.name in (TRIALS, ROUNDS) and (root.parent / "meta.json").is_file():
        root = root.parent.parent
    return root


def resume_command(kind: str) -> str:
    """The command that continues a ``kind`` folder, ``{path}`` standing for the folder."""
    return f"nnlab {REDONE[kind][0]} --resume {{path}}"


class Again(NamedTuple):
    """The folder a resume does the work again in (``find``), and the line it says as it
    begins: once every check has passed and the folder is its own (``begin``), so that a
    refusal is the one line it prints."""

    run: runs.RunDir
    announce: Callable[[runs.RunDir], None] | None = None

    @property
    def path(self) -> Path:
        return self.run.path


def announced(again: Again | None) -> Again | None:
    """Say ``again``'s line now (its checks passed, and the work starts before the folder is
    opened: activations and finite differences compute, then write) and give it back without
    one, so that ``begin`` does not say it twice."""
    if again is None or again.announce is None:
        return again
    again.announce(again.run)
    return again._replace(announce=None)


def begin(
    kind: str,
    root: Path,
    name: str,
    /,
    *,
    again: Again | None = None,
    recipe: dict[str, Any] | None = None,
    folder: str | None = None,
    data: Any = None,
    **fields: Any,
) -> runs.Lifecycle:
    """The lifecycle of a ``kind`` folder: a new one under ``root`` (``runs.start``: its
    meta.json gets ``recipe`` and ``fields``, and ``files`` among them are written first), or
    ``again``, the folder a resume found (``find``), reopened with its earlier results removed.
    ``data``: the ``Dataset`` the work reads, if any: a new folder records where it came from
    and its digest, and ``again`` must have begun with the same (``runs.check_data``: its kept
    results came from it)."""
    resume = resume_command(kind)
    if again is not None:
        if data is not None:
            runs.check_data(again.run, data, fields.get("data_dir"))
        life = runs.reopen(again.run, resume=resume, ended=REDONE[kind][1])
        if again.announce is not None:
            again.announce(again.run)
        return life
    if data is not None:
        fields.update(runs.data_fields(data))
    return runs.start(root, name, kind, folder=folder, resume=resume, recipe=recipe, **fields)


def find(
    runs_dir: Path, ref: str, kind: str, on_start: Callable[[runs.RunDir], None] | None = None
) -> tuple[Again, dict[str, Any]]:
    """The ``kind`` folder ``ref`` names (folder, id prefix or 'latest') and its recipe:
    RunError for a COMPLETED one (nothing to resume) or one made before folders kept a recipe.
    ``on_start(run)``: the command's 'resuming' line, said as the work begins (``begin``)."""
    run = resumed(runs_dir, ref, kind)
    runs.refuse_finished(run)
    recipe = run.meta.get("recipe")
    if not isinstance(recipe, dict):
        raise RunError(
            f"{run.path}: its meta.json has no recipe (made by an nnlab that could not resume "
            f"{article(kind)} {kind} folder); run the command again: {command_line(run.meta.get('argv'))}"
        )
    return Again(run, on_start), dict(recipe)


def announcer(say: Callable[[str], None] | None) -> Callable[[runs.RunDir], None] | None:
    """The ``on_start`` of a redone resume that says its line (``again_line``) to ``say``."""
    if say is None:
        return None
    return lambda run: say(again_line(run))


def again_line(run: runs.RunDir) -> str:
    """The line a redone resume starts with: what it does again."""
    recipe = run.meta.get("recipe") or {}
    if run.kind == "compare-optimizers" and recipe.get("dataset") is not None:
        return (f"resuming {run.path}: the optimizers it had not finished train (those it had "
                "are kept)")  # fmt: skip
    if run.kind == "lr-scan" and recipe.get("epochs"):
        return (f"resuming {run.path}: the rates it had not finished train (those it had are "
                "kept)")  # fmt: skip
    return f"resuming {run.path}: its work again from the start (nothing of it was kept)"
