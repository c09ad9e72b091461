"""How the sweep commands run a sweep from the command line: on the executor the options name,
with progress on stderr (``run_on_executor``), a definition's warnings and notes first
(``run_definition``), a resume with the options its folder recorded (``resume``,
``as_started``), a dry run's checks and table (``check_executor``, ``print_preview``), and the
sweep's table with its exit code (``print_sweep``; what it says of its folder and its FAILED
trials: ``nnlab.sweep.outcome``). ``tune`` runs its dry run and its resume
through these too. The commands and their options: ``nnlab.cli.sweep``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import typer

from nnlab.cli.common import (
    EXIT_TRIALS_FAILED,
    Execution,
    check_report,
    given_options,
    note,
    then_report,
)
from nnlab.cli.figures import folder_line
from nnlab.cli.render import emit, emit_json, emit_table
from nnlab.cli.sweep_progress import SweepProgress, note_repeats
from nnlab.output import Format


def print_sweep(result: Any, fmt: Format, quiet: bool = False) -> None:
    """The sweep's table (a preset's own view for presets) on stdout; exit 3 if a trial FAILED."""
    from nnlab.sweep.outcome import failed_said, folder_said, shown

    rows, columns, title = shown(result, fmt == Format.table)
    emit(rows, fmt, columns, title)
    if not (quiet and result.failed):  # (-q: the folder and its figures, as train's; or the
        # error naming it)
        note(folder_line(result.run.path, "sweep folder") if quiet else folder_said(result))
    if (error := failed_said(result, len(result.rows))) is not None:
        note(error)
        raise typer.Exit(EXIT_TRIALS_FAILED)


def run_on_executor(
    start: Callable[..., Any],
    opts: Execution,
    painters: list[Any] | None = None,
    asked: int | None = None,
    root: Path | None = None,
    notes: list[str] | None = None,
) -> None:
    """Run ``start`` (``run_sweep`` or ``resume_sweep`` with its target bound) on the executor
    ``opts`` describes, with progress on stderr (and the figures' ``painters``, if started);
    print the result. ``root``: the folder the sweep's folder is in (``--report`` rebuilds its
    report; default ``--runs-dir``)."""
    from nnlab.sweep import make_executor

    check_report(root or opts.runs_dir, opts.report)
    with closing(make_executor(opts.jobs, opts.executor, opts.scheduler)) as executor:
        with SweepProgress(opts.quiet, asked, notes) as progress:
            result = start(
                jobs=opts.jobs,
                stack=opts.stack,
                executor=executor,
                on_start=progress.start,
                on_trial=progress.trial,
                painters=painters,
            )
    with then_report(result.run.path.parent, opts.report):
        print_sweep(result, opts.fmt, opts.quiet)


def run_definition(
    defn: Any,
    opts: Execution,
    painters: list[Any] | None = None,
    dry_run: bool = False,
    colour_by: str | None = None,
) -> None:
    """Run (or ``dry_run``) the sweep ``defn``, its figure coloured by ``colour_by`` (given:
    the option's, over the file's ``sweep.colour_by``)."""
    import dataclasses

    from nnlab.sweep import run_sweep
    from nnlab.sweep.definition import definition_notes, definition_warnings
    from nnlab.sweep.spec import asked_trials

    for line in definition_warnings(defn):  # (said before the trials, even with -q)
        note(line)
    notes = definition_notes(defn)  # (said once the trials are checked)
    if colour_by is not None:
        defn = dataclasses.replace(defn, colour_by=colour_by)
    if dry_run:
        from nnlab.sweep.preview import preview_sweep

        preview = checked_preview(opts, lambda: preview_sweep(
            defn, runs_dir=opts.runs_dir, data_dir=opts.data_dir, jobs=opts.jobs, stack=opts.stack
        ))  # fmt: skip
        for line in notes:
            note(line)
        note_repeats(asked_trials(defn.spec), len(preview.rows))
        return print_preview(preview, opts)
    start = functools.partial(run_sweep, defn, data_dir=opts.data_dir, runs_dir=opts.runs_dir)
    run_on_executor(start, opts, painters, asked=asked_trials(defn.spec), notes=notes)


def check_executor(opts: Execution, tasks: int | None = None) -> None:
    """``executors.check_executor`` of the ``--jobs``, ``--executor`` and ``--scheduler``
    given (and, given the ``tasks`` it would run, of the workers that start for them); and
    ``--report``, which a dry run, writing nothing, has nothing to rebuild with."""
    from nnlab.sweep.executors import check_executor as check

    if opts.report:
        raise typer.BadParameter("a dry run writes nothing to report", param_hint="--report")
    check(opts.jobs, opts.executor, opts.scheduler, tasks)


def checked_preview(
    opts: Execution, preview: Callable[[], Any], units: Callable[[Any], Any] = lambda p: p.units
) -> Any:
    """A dry run's ``preview()``, between the checks of its executor (``check_executor``):
    those of the options before it, and after it those of the workers its trials would start
    (``units``: the trials each unit of the result trains)."""
    check_executor(opts)
    made = preview()
    check_executor(opts, sum(units(made)))
    return made


def print_preview(preview: Any, opts: Execution, what: str | None = None) -> None:
    """A dry run's trials on stdout (table, JSON or CSV), and on stderr what would train and
    how much work it is; ``what``: what the table's title calls it (default: the sweep, or
    the resume of its folder)."""
    from nnlab.sweep.preview import fixed_said, preview_object, preview_table

    if opts.fmt == Format.json:
        emit_json(preview_object(preview, opts.jobs))
    else:
        emit_table(preview_table(preview, opts.fmt == Format.table, what), opts.fmt)
    if (fixed := fixed_said(preview.defn)) is not None:
        note(fixed)
    note(f"dry run: {preview.summary(opts.jobs)}; nothing was written")


def as_started(opts: Execution, meta: dict[str, Any]) -> Execution:
    """``opts`` for a resume of the sweep (or tune) whose meta.json is ``meta``: each option of
    how it runs that the command line leaves out, the one the folder recorded as it started
    (``executors.resumed_options``)."""
    import dataclasses

    from nnlab.sweep.executors import resumed_options

    return dataclasses.replace(opts, **resumed_options(meta, given_options()))


def resume(ref: str, opts: Execution, dry_run: bool = False, colour_by: str | None = None) -> None:
    from nnlab.resumes import resumed
    from nnlab.sweep import resume_sweep

    run = resumed(opts.runs_dir, ref, "sweep")
    opts = as_started(opts, run.meta)
    if dry_run:
        from nnlab.sweep.preview import preview_resume

        preview = checked_preview(opts, lambda: preview_resume(
            run, data_dir=opts.data_dir, jobs=opts.jobs, stack=opts.stack, colour_by=colour_by
        ))  # fmt: skip
        return print_preview(preview, opts)
    start = functools.partial(resume_sweep, run, data_dir=opts.data_dir, colour_by=colour_by)
    run_on_executor(start, opts, root=run.path.parent)
