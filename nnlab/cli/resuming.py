"""``--resume`` of the commands whose folders a resume continues: its option, and what it takes.

A resume goes on with the settings its folder recorded (``train``, ``sweep``, ``tune`` and
``landscape`` from their checkpoints and files; ``lr-scan``, ``activations``,
``compare-optimizers`` and ``gradcheck --compare-differences`` doing their work again:
``nnlab.redo``), so the options of the work are refused beside it (``alone_with_resume``)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.models import OptionInfo

from nnlab.cli import complete
from nnlab.cli.common import check_report, current_context, given_params
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
    ctx = current_context()
    if resume is None or ctx is None:
        return
    allowed = (*RESUME_TAKES, *takes)
    for param in given_params(command_line=True):
        if param.name in allowed or param.name in elsewhere:
            continue
        keep = ", ".join(
            name_of(p) for p in ctx.command.params if p.name in allowed and p.name != "resume"
        )
        raise typer.BadParameter(
            f"not with --resume, which goes on with the settings its folder recorded; beside "
            f"it give only {keep}",
            param_hint=name_of(param),
        )


def check_report_of(
    kind: str, resume: str | None, out: Path | None, runs_dir: Path, report: bool
) -> None:
    """``--report``: the report folder of the runs folder a command's ``kind`` folder is, or
    goes, in (``resumes.output_root``: a resumed folder's, looked up only when it is asked),
    checked before any work (``check_report``)."""
    if report:
        from nnlab.resumes import output_root

        check_report(output_root(resume, out, runs_dir, kind))
