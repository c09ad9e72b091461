"""``--resume`` of the commands whose folders a resume continues: its option, and what it takes.

A resume goes on with the settings its folder recorded (``train``, ``sweep``, ``tune`` and
``landscape`` from their checkpoints and files; ``lr-scan``, ``activations``,
``compare-optimizers`` and ``gradcheck --compare-differences`` doing their work again:
``nnlab.redo``), so the options of the work are refused beside it (``alone_with_resume``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.models import OptionInfo

from nnlab.cli import complete
from nnlab.cli.usage import name_of


def redo_option(what: str, help: str | None = None) -> OptionInfo:
    """The ``--resume`` option of a command whose folder a resume does again (``nnlab.redo``):
    ``help``, or that it does the interrupted ``what`` again. Used as
    ``Annotated[str | None, redo_option(...)]``."""
    text = help or (
        f"Do an interrupted {what} again in its folder (folder, id prefix or 'latest'), with "
        "the settings it recorded: the numbers an uninterrupted one gives."
    )
    return typer.Option("--resume", help=text, show_default=False, autocompletion=complete.run_refs)


# what a resume takes beside --resume: where to look and what to print, nothing of the work
RESUME_TAKES = ("resume", "runs_dir", "data_dir", "quiet", "fmt", "png", "report")


def alone_with_resume(resume: str | None, *takes: str, elsewhere: tuple[str, ...] = ()) -> None:
    """``--resume`` does a folder's work with the settings the folder recorded: an option or
    argument of the work given beside it on the command line is refused, naming it (it was
    ignored, or would make the folder hold what it does not say). ``takes``: the command's
    own options that change how, not what (``--jobs``); ``elsewhere``: those the command
    refuses beside --resume in its own words (a tune's config, a landscape's ``--out``)."""
    import typer.main

    get = getattr(typer.main, "get_current_context", None)  # (typer's own click, or click's)
    ctx = get(silent=True) if get is not None else None
    if resume is None or ctx is None:
        return
    allowed = (*RESUME_TAKES, *takes)
    for param in ctx.command.params:
        if param.name in allowed or param.name in elsewhere:
            continue
        source = ctx.get_parameter_source(param.name or "")
        if source is not None and source.name == "COMMANDLINE":
            keep = ", ".join(
                name_of(p) for p in ctx.command.params if p.name in allowed and p.name != "resume"
            )
            raise typer.BadParameter(
                f"not with --resume, which goes on with the settings its folder "
                f"recorded; beside it give only {keep}",
                param_hint=name_of(param),
            )


def announce_redo(run: Any) -> None:
    """The line a redone resume starts with, once its folder is found good: what it does."""
    from nnlab import redo
    from nnlab.cli.common import note

    note(redo.again_line(run))


def check_resumed_report(resume: str, runs_dir: Path, kind: str, report: bool) -> None:
    """``--report`` beside ``--resume``: the report folder of the runs folder the resumed
    ``kind`` folder is in, checked before any work (``check_report``); the folder looked up
    only when it is asked (the resume finds it for itself)."""
    if report:
        from nnlab.cli.common import check_report

        check_report(folder_root(resume, None, runs_dir, kind))


def folder_root(resume: str | None, out: Path | None, runs_dir: Path, kind: str) -> Path:
    """The folder a command's folder is (or goes) in, where ``--report`` rebuilds the report:
    the resumed ``kind`` folder's (looked up), ``--out``'s parent, else the runs folder. (A
    landscape's ``--out`` naming a landscape folder completes it: its parent all the same.)"""
    from nnlab import runs

    if resume is not None:
        return runs.find_run(runs_dir, resume, kind=kind, resuming=True).path.parent
    return out.parent if out is not None else runs_dir
