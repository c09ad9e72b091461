"""The ``nnlab runs`` group: list, show, compare and remove the folders under the runs folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli import complete
from nnlab.cli.common import FormatOpt, command, note, say
from nnlab.cli.helpwords import one_of
from nnlab.cli.paths import RunsDirOpt, given_path, png_path
from nnlab.cli.render import emit, emit_json
from nnlab.output import Format, counted, print_text
from nnlab.streams import printable

runs_app = typer.Typer(help="List, show, compare and remove run folders.", no_args_is_help=True)

# nnlab.rundir's KINDS and nnlab.experiments.listing's LIST_STATUSES (named here: --help
# imports neither)
KINDS = ("train", "sweep", "tune", "lr-scan", "landscape", "activations", "compare-optimizers",
         "gradcheck")  # fmt: skip
STATUSES = ("COMPLETED", "DIVERGED", "FAILED", "INTERRUPTED", "RUNNING", "STALE", "DAMAGED",
            "UNREADABLE")  # fmt: skip
KindOpt = Annotated[
    str | None,
    typer.Option(
        "--kind",
        "-k",
        metavar=one_of(*KINDS),
        autocompletion=complete.kinds,
        help="Only folders of this kind.",
        show_default=False,
    ),
]


StatusOpt = Annotated[
    str | None,
    typer.Option(
        "--status",
        metavar=one_of(*STATUSES),
        autocompletion=complete.statuses,
        help="Only folders of this status, in any case (STALE: RUNNING, its process gone).",
        show_default=False,
    ),
]
LastOpt = Annotated[
    int | None,
    typer.Option(
        "--last",
        min=1,
        max=1_000_000,
        help="Only the N folders that started last (of the --kind and --status given); "
        "the others' files are not checked.",
        show_default="every folder",
    ),
]


WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="KEY=VALUE",
        help="Only the runs whose config has this value (model.init=std; any of several, comma-separated: "
        "model.hidden=[50,50],[100,100]; model.depth and model.width as model.hidden says them; "
        "status=COMPLETED too; runs list: the folders with such runs, a sweep's trials too); "
        "repeatable, each must hold.",
        show_default=False,
    ),
]


@runs_app.command("list")
@command()
def runs_list(
    kind: KindOpt = None,
    status: StatusOpt = None,
    last: LastOpt = None,
    where: WhereOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    fmt: FormatOpt = Format.table,
) -> None:
    """List the folders under the runs folder, oldest first (a damaged one as DAMAGED).

    A sweep or tune keeps its status; if any of its trials (a tune's: its rounds') is DAMAGED
    (meta.json or summary.json) or MISSING (its folder gone), or a tune's round folder is, its
    reason counts them (json: bad_trials lists each). A training run that did not complete
    shows its epochs done of those planned, 1,831/2,000 (json, csv: epochs_done and
    epochs_planned);
    a sweep or tune its trials ended of those planned, 12/32, and a note says how many FAILED
    or DIVERGED (json, csv: trials_done, trials_planned, trials_failed, trials_diverged;
    with --where, trials_kept: how many of its trials it keeps).

    Example: nnlab runs list --last 5 --status failed --where model.batchnorm=true
    """
    from nnlab.experiments.list_view import list_view
    from nnlab.experiments.listing import list_columns, list_table

    found = list_view(runs_dir, kind, status, last, where or ())
    for line in found.notes:
        note(line)
    if not found.rows and fmt == Format.table:
        note(found.none_line())
        return
    rows = found.shown(fmt)
    if fmt == Format.table:  # (made to fit a terminal; json and csv: every field, full names)
        rows, columns, legend, notes = list_table(rows)
        emit(rows, fmt, columns, title=f"{found.title}\n{legend}" if legend else found.title)
        for line in notes:  # (why a folder is DAMAGED, or a sweep's trials are)
            say(line)
        return
    # (csv: one header, whatever is listed; with --where, trials_kept as json gives it)
    emit(rows, fmt, list_columns(rows, where=bool(where)), title=found.title)


@runs_app.command("show")
@command()
def runs_show(
    run: Annotated[
        str,
        typer.Argument(
            autocompletion=complete.run_refs,
            help="A folder (path, id prefix, 'latest' or 'latest~1', the one before it), or a "
            "sweep's or tune's trial id as their tables print it (a tune's round: r2).",
        ),
    ],  # fmt: skip
    every: Annotated[
        bool, typer.Option("--all", help="Every epoch (default: first, best and last).")
    ] = False,
    runs_dir: RunsDirOpt = Path("runs"),
    fmt: FormatOpt = Format.table,
) -> None:
    """Show one folder: its status, command, resolved config, summary and metrics per epoch.

    Example: nnlab runs show latest --all
    """
    from nnlab import runs
    from nnlab.experiments.folder_rows import folder_rows
    from nnlab.experiments.showing import show_run

    view = show_run(runs.find_run(runs_dir, run), every=every)
    if fmt == Format.json:
        emit_json(view.to_json())
        return
    if fmt == Format.csv:  # (a run's records; a sweep's trials; else there is no table)
        emit(folder_rows(view), fmt)
        return
    say("\n".join(printable(line) for line in view.header))  # (a \n in an error: escaped)
    if view.config:
        say("config:\n" + "\n".join(f"  {line}" for line in view.config.splitlines()))
    if view.summary:  # (tables drawn at full width: records on a narrow terminal)
        print_text(view.summary)
    if view.metrics:
        emit(view.shown, fmt, title=view.metrics_title)


GapsPngOpt = Annotated[
    Path | None,
    typer.Option(
        "--png",
        help="Also draw each run's train and test accuracy per epoch (a tune's trial: val), "
        "side by side, the gap shaded (e.g. overfitting.png); at most 24 runs, the first "
        "the table lists.",
        parser=given_path,
        callback=png_path,
    ),
]


@runs_app.command("compare")
@command()
def runs_compare(
    refs: Annotated[
        list[str],
        typer.Argument(
            autocompletion=complete.run_refs,
            help="Run, sweep or tune folders (paths, id prefixes, 'latest' or 'latest~1 latest', "
            "the last two); a sweep stands for its trials, a tune for its rounds' trials.",
            show_default=False,
        ),
    ],
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            "-s",
            help="Column to sort by, best first (accuracies descending, others ascending): "
            "a metric such as final_test_acc, final_train_loss, acc_gap, or a config key the "
            "runs differ in (the table's columns; a wrong one is answered with them). Default: the "
            "order the runs are given in (a sweep's trials in its own).",
        ),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Flip the sort order.")] = False,
    where: WhereOpt = None,
    top: Annotated[
        int | None,
        typer.Option("--top", help="Show only the first N rows (default: every row).", min=1),
    ] = None,
    png: GapsPngOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare runs (or a sweep's or a tune's trials): the config keys they differ in, final
    accuracies and the train - test gap (json/csv: also seed, best metrics and losses).

    A damaged run is refused, as runs show refuses it; a sweep's trial whose folder is damaged
    or gone is a DAMAGED or MISSING row, with the reason. A config key a run does not have
    (another dataset's) is '-' (csv: empty; json: left out of its row); a null value is null.
    epochs_done is the epochs each run trained; where the runs' configs differ in epochs, that
    key is a column of its own, epochs.

    Example: nnlab runs compare latest --where model.batchnorm=true --sort final_test_acc --top 5
    """
    from nnlab.errors import RunError
    from nnlab.experiments.compare import compare_runs, compare_title

    try:
        rows, columns, total = compare_runs(refs, runs_dir, sort=sort, top=top, reverse=reverse,
                                            png=png, where=where or ())  # fmt: skip
    except RunError as exc:
        raise _where_split(exc, refs) or exc from None
    title = compare_title(len(rows), total, sort=sort, reverse=reverse, where=where or ())
    emit(rows, fmt, columns if fmt == Format.table else None, title=title)
    if png is not None:
        note(f"figure: {png}")  # (as every command that draws to --png says)


def _where_split(exc: Exception, refs: list[str]) -> Exception | None:
    """The ``--where`` error for a reference no folder matches that is the next value of a
    ``--where`` pair, given with a space (``--where optimizer.lr=0.1 0.5``: the shell gave
    '0.5' as a run, and it said only that no run folder matches it), as ``runs list`` says
    it; else None (a run after a ``--where`` pair is a run: ``--where k=v latest``)."""
    from nnlab.cli.common import current_context, state
    from nnlab.cli.listed import split_value
    from nnlab.errors import OptionError

    ctx = current_context()
    missing = [r for r in refs if str(exc).startswith(f"run {r!r}: no run folder")]
    split = split_value(state["argv"], missing, ctx.command) if ctx and missing else None
    if split is None:
        return None
    return OptionError(split[0], f"{split[1]} ({missing[0]!r} names no run folder either)")


@runs_app.command("remove")
@command()
def runs_remove(
    refs: Annotated[
        list[str],
        typer.Argument(
            help="Folders of the runs folder to remove (paths, id prefixes or 'latest').",
            autocompletion=complete.run_refs,
            show_default=False,
        ),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Remove without asking (needed without a terminal).")
    ] = False,
    runs_dir: RunsDirOpt = Path("runs"),
) -> None:
    """Remove run folders, after listing them and asking (a folder a process holds, a sweep's
    trial, a folder outside the runs folder or one this user may not empty is refused, and then
    nothing is removed).

    Example: nnlab runs remove latest
    """
    from nnlab import runs
    from nnlab.errors import ConfigError
    from nnlab.experiments.listing import folder_row, list_table
    from nnlab.removal import removable_folders

    folders = removable_folders(runs_dir, refs)
    rows = [folder_row(runs.RunDir(path)) for path in folders]
    if not yes and not asking():
        raise ConfigError(
            "nnlab runs remove: give --yes to remove without asking (no terminal to ask on)"
        )
    what = counted(len(folders), "folder")
    table_rows, columns, _, notes = list_table(rows)
    emit(table_rows, Format.table, columns, title=f"to remove: {what} in {runs_dir}")
    if not yes and not typer.confirm(f"remove {what}?", default=False):
        note("nothing removed")
        return
    for path in folders:
        removed = runs.remove_folder(runs.RunDir(path))
        note(f"removed {path}" if removed else f"{path}: removed meanwhile by another process")


def asking() -> bool:
    """Whether ``runs remove`` can ask (its standard input and output are a terminal)."""
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()
