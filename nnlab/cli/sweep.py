"""``nnlab sweep``: grid, random and preset sweeps into one folder; ``--resume`` continues one.

The preset commands (``nnlab sweep weight-scale``) are made from the preset registry
(``nnlab.sweep.presets``). No ``from __future__ import annotations`` here: the generated
commands' annotations must be real objects for Typer.
"""

import functools
from collections.abc import Callable
from contextlib import closing
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.models import ArgumentInfo

from nnlab import times
from nnlab.cli import complete, usage
from nnlab.cli.common import (
    EXIT_TRIALS_FAILED,
    MAX_SEED,
    Execution,
    check_report,
    command,
    note,
    then_report,
)
from nnlab.cli.figures import folder_line
from nnlab.cli.paths import given_name, given_path
from nnlab.cli.render import emit, emit_json
from nnlab.cli.sweep_progress import SweepProgress, note_repeats
from nnlab.output import Format, counted
from nnlab.sweep import MAX_TRIALS

sweep_app = typer.Typer(
    help=(
        "Run many trainings that differ in a few config keys (grid, random search, presets) "
        "into one sweep folder; 'nnlab sweep --resume SWEEP' continues a stopped sweep.\n\n"
        "Writes <runs-dir>/<date>-<time>-sweep-<name>-<id>/ (--runs-dir, default runs; name: "
        "--name, else the config's): sweep.yaml (the plan), trials/<trial>/ (a run folder each, "
        "as train writes one), the table (summary.json, summary.csv, summary.txt), curves.png "
        "(a preset: its own figures too) and meta.json; the last line names it."
    ),
)


SeedOpt = Annotated[
    int | None,
    typer.Option(
        "--seed",
        help="Sweep seed that trial seeds derive from (default: the spec's, else the config's).",
        min=0,
        max=MAX_SEED,
    ),
]
ShareSeedOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--share-seed",
        metavar="KEY",
        help="A swept key left out of each trial's derived seed: trials that differ only in it "
        "start from the same weights and see the same minibatches (repeatable or "
        "comma-separated; adds to the file's share_seed).",
        show_default=False,
    ),
]
ColourByOpt = Annotated[
    str | None,
    typer.Option(
        "--colour-by",
        metavar="KEY",
        help="The swept key curves.png colours the trials by, with a legend (or colour bar) of "
        "its values (default: up to 12 trials, a look each; more, the key that explains most "
        "of the final accuracy; a sweep: section's colour_by gives one, which this overrides).",
        show_default=False,
    ),
]


def name_option(default: str) -> Any:
    """The --name option; ``default``: what a sweep is named without it."""
    return typer.Option(
        "--name", help="Sweep name (folder <runs-dir>/<stamp>-sweep-<name>-<id>).",
        show_default=default,
    )  # fmt: skip


NameOpt = Annotated[str | None, name_option("the config's name (else its file's, without .yaml)")]
LISTS = (
    "(a comma makes a list of values; [..] keeps a list whole: model.hidden=[100],[50,50], or "
    "model.depth=1,2 model.width=50,100 for [width] * depth)"
)
RANGES = "key=logspace:START:STOP:N or linspace:START:STOP:N"
DRAWS = "key=loguniform:LOW:HIGH, uniform:LOW:HIGH, randint:LOW:HIGH or choice:x,y"
FIXED = "key=v (one value) is a fixed override, and removes that key's axis if it had one."


def sweep_args(help: str) -> ArgumentInfo:
    """The overrides argument of a sweep command (``Annotated[list[str] | None, ...]``)."""
    return typer.Argument(help=help, show_default=False, autocompletion=complete.overrides)


SweepArgs = Annotated[
    list[str] | None,
    sweep_args(  # (a file's sweep: section says grid or random; a preset's is a grid)
        f"key=v1,v2,... is an axis {LISTS}, and so is {RANGES}; {DRAWS} is a distribution (a "
        f"random sweep: there the lists and ranges are choices); {FIXED}"
    ),
]
GridArgs = Annotated[
    list[str] | None,
    sweep_args(
        f"key=v1,v2,... is an axis {LISTS}, and so is {RANGES} (N values; for a key of whole "
        f"numbers, such as batch_size, whole values: linspace:16:128:8); {FIXED} "
        "(Distributions such as loguniform:LOW:HIGH are for nnlab sweep random.)"
    ),
]
RandomArgs = Annotated[
    list[str] | None,
    sweep_args(
        f"{DRAWS} is a distribution each trial draws from; key=v1,v2,... {LISTS} or {RANGES} is "
        "a choice among its values; key=v (one value) is a fixed override."
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Plan and check the sweep as it would run (every trial against its data and the "
        "limits), print its trials, the stacks they train in and their work, and stop: "
        "nothing is written.",
    ),
]
ConfigArg = Annotated[
    Path,
    typer.Argument(
        help="YAML config (its 'sweep:' section, if any, is used).",
        show_default=False,
        parser=given_path,
    ),  # fmt: skip
]


def print_sweep(result: Any, fmt: Format, quiet: bool = False) -> None:
    """The sweep's table (a preset's own view for presets) on stdout; exit 3 if a trial FAILED."""
    from nnlab import sweep as sw
    from nnlab.sweep import presets

    rows = result.rows
    title = f"{result.run.id}: {result.status}"
    preset = presets.PRESETS.get(result.defn.preset)
    if preset is not None:
        rows = preset.complete(rows, result.defn)
    if fmt != Format.table:
        emit(preset.objects(rows) if preset else rows, fmt)
    elif preset is not None:
        table_rows, columns, table_title = preset.table(rows, title)
        emit(table_rows, fmt, columns, title=table_title)
    else:  # (a key a trial leaves out: '-', not null)
        columns = sw.summary_columns(rows, list(result.defn.spec.params), wide=False)
        emit(sw.table_rows(rows, result.defn.spec), fmt, columns, title)
    figures = sorted(p.name for p in result.run.path.glob("*.png"))  # (in its folder)
    drawn = f"; figure{'s' if len(figures) > 1 else ''}: {', '.join(figures)}" if figures else ""
    failed = {r["trial"] for r in result.failed}  # (run now and FAILED: not 'trained')
    trained, resumed = ([t for t in ids if t not in failed] for ids in (result.ran, result.resumed))
    lost = len(result.ran) + len(result.resumed) - len(trained) - len(resumed)
    counts = (
        f"  (trials: {len(trained)} trained, {f'{lost} FAILED, ' if lost else ''}"
        f"{len(resumed)} resumed, {len(result.skipped)} already done; {times.duration(result.seconds)}{drawn})"
    )
    if not (quiet and result.failed):  # (-q: the folder and its figures, as train's; or the
        # error naming it)
        line = f"sweep folder: {result.run.path}{counts}"
        note(folder_line(result.run.path, "sweep folder") if quiet else line)
    if result.failed:
        first = result.failed[0]
        note(
            f"error: {len(result.failed)} of {counted(len(rows), 'trial')} FAILED "
            f"(e.g. {first['trial']}: "
            f"{first.get('error')}); rerun them with: nnlab sweep --resume {result.run.path}"
        )
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

    from nnlab.idle import sweep_warnings
    from nnlab.sweep import run_sweep
    from nnlab.sweep.definition import trial_config
    from nnlab.sweep.variants import partial_notes, switch_notes

    for line in sweep_warnings(defn.spec.params, lambda: trial_config(defn, {})):
        note(line)  # (a key no trial reads: said before the trials, even with -q)
    notes = [  # (once the trials are checked: a refusal is its one line)
        *switch_notes(defn.spec, defn.base, defn.overrides),
        *partial_notes(defn.spec, defn.overrides),
    ]
    if colour_by is not None:
        defn = dataclasses.replace(defn, colour_by=colour_by)
    if dry_run:
        from nnlab.sweep.preview import preview_sweep

        check_executor(opts)
        preview = preview_sweep(
            defn, runs_dir=opts.runs_dir, data_dir=opts.data_dir, jobs=opts.jobs, stack=opts.stack
        )
        check_executor(opts, sum(preview.units))
        for line in notes:
            note(line)
        note_repeats(asked_trials(defn.spec), len(preview.rows))
        return print_preview(preview, opts)
    start = functools.partial(run_sweep, defn, data_dir=opts.data_dir, runs_dir=opts.runs_dir)
    run_on_executor(start, opts, painters, asked=asked_trials(defn.spec), notes=notes)


def asked_trials(spec: Any) -> int:
    """How many trials a sweep's spec asks for, repeats included: its random draws, or the
    product of its grid's axes (the plan keeps each distinct config once)."""
    import math

    from nnlab.sweep.spec import grid_axis

    if spec.kind == "random":
        return int(spec.trials)
    return math.prod(len(grid_axis(key, value)) for key, value in spec.params.items())


def check_executor(opts: Execution, tasks: int | None = None) -> None:
    """The checks of ``--jobs``, ``--executor`` and ``--scheduler`` a run makes as it makes its
    executor (a dry run makes one and closes it unstarted: no worker, no connection), and,
    given the ``tasks`` (trials) it would run, what the workers that start for them need
    (``Executor.check``); and ``--report``, which a dry run, writing nothing, has nothing to
    rebuild with."""
    from nnlab.sweep import make_executor

    if opts.report:
        raise typer.BadParameter("a dry run writes nothing to report", param_hint="--report")

    with closing(make_executor(opts.jobs, opts.executor, opts.scheduler)) as executor:
        if tasks is not None:
            executor.check(tasks)


def print_preview(preview: Any, opts: Execution, what: str | None = None) -> None:
    """A dry run's trials on stdout (table, JSON or CSV), and on stderr what would train and
    how much work it is; ``what``: what the table's title calls it (default: the sweep, or
    the resume of its folder)."""
    from nnlab.sweep.preview import ACTIONS, fixed_said, preview_object

    if opts.fmt == Format.json:
        emit_json(preview_object(preview, opts.jobs))
    else:
        axes = list(preview.defn.spec.params)
        rows = preview.rows
        resume = preview.folder is not None
        columns = ["trial", *axes, "seed", "stack", *(["action"] if resume else [])]
        if resume and opts.fmt == Format.table:  # (the table says it in words)
            rows = [{**row, "action": ACTIONS[row["action"]]} for row in rows]
        if opts.fmt == Format.table:  # (a key a trial leaves out: '-', not null)
            from nnlab.sweep import table_rows

            rows = table_rows(rows, preview.defn.spec)
        what = what or (f"resume of {preview.folder}" if resume else f"sweep {preview.defn.name}")
        emit(rows, opts.fmt, columns, title=f"dry run: {what}, {counted(len(rows), 'trial')}")
    if (fixed := fixed_said(preview.defn)) is not None:
        note(fixed)
    note(f"dry run: {preview.summary(opts.jobs)}; nothing was written")


def early_painters(figures: int) -> Any:
    """The sweep's figure painters (``plots.painters``: a context), forked first thing, before
    the sweep's imports and planning, so that matplotlib loads on the core this process leaves
    idle meanwhile and the figures at the end cost only their drawing."""
    from nnlab import plots

    return plots.painters(figures)


def as_started(opts: Execution, meta: dict[str, Any]) -> Execution:
    """``opts`` for a resume of the sweep (or tune) whose meta.json is ``meta``: each option of
    how it runs that the command line leaves out (``--jobs``, ``--stack``, and ``--executor``
    with ``--scheduler``, a pair) is the one the folder recorded as it started, not the
    default (a sweep started with ``--stack 1`` was resumed in stacks of 8, one on a Dask
    cluster on local processes). One given is this resume's (the numbers are the same for
    any), which its ``resumes`` entry records. An older folder's unrecorded option: the
    default, as before."""
    import dataclasses

    import typer.main

    ctx = typer.main.get_current_context(silent=True)
    given = set()
    for param in ctx.command.params if ctx is not None else []:
        source = ctx.get_parameter_source(param.name or "") if ctx is not None else None
        if source is not None and source.name != "DEFAULT":  # (the command line, $NNLAB_...)
            given.add(param.name)
    recorded = {"jobs": meta.get("jobs"), "stack": meta.get("stack")}
    kept = {key: value for key, value in recorded.items() if key not in given and value}
    if not given & {"executor", "scheduler"} and meta.get("executor_kind") is not None:
        kept |= {"executor": meta["executor_kind"], "scheduler": meta.get("scheduler")}
    return dataclasses.replace(opts, **kept)


def resume(ref: str, opts: Execution, dry_run: bool = False, colour_by: str | None = None) -> None:
    from nnlab import runs
    from nnlab.sweep import resume_sweep

    run = runs.find_run(opts.runs_dir, ref, kind="sweep", resuming=True)
    opts = as_started(opts, run.meta)
    if dry_run:
        from nnlab.sweep.preview import preview_resume

        check_executor(opts)
        preview = preview_resume(
            run, data_dir=opts.data_dir, jobs=opts.jobs, stack=opts.stack, colour_by=colour_by
        )
        check_executor(opts, sum(preview.units))
        return print_preview(preview, opts)
    start = functools.partial(resume_sweep, run, data_dir=opts.data_dir, colour_by=colour_by)
    run_on_executor(start, opts, root=run.path.parent)


@sweep_app.callback(invoke_without_command=True)
@command(Execution)
def sweep_main(
    ctx: typer.Context,
    resume_ref: Annotated[
        str | None,
        typer.Option(
            "--resume",
            metavar="SWEEP",  # (as 'sweep resume SWEEP', the group's help and its errors say)
            autocompletion=complete.run_refs,
            help="Continue a stopped sweep (folder, id prefix or 'latest'): only missing, "
            "interrupted or FAILED trials run.",
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    colour_by: ColourByOpt = None,
    *,
    opts: Execution,
) -> None:
    """Sweeps: grid, random and preset sweeps into one folder; --resume continues one.

    Example: nnlab sweep --resume latest --jobs 2
    """
    if ctx.invoked_subcommand is not None:
        _refuse_group_options(ctx)
    if resume_ref is None:
        if ctx.invoked_subcommand is None:
            if dry_run:
                raise typer.BadParameter("give a sweep to dry-run: a subcommand or --resume")
            ctx.fail(usage.MISSING_COMMAND)  # (click's UsageError: bad usage, as every group's)
        return
    if ctx.invoked_subcommand is not None:
        raise typer.BadParameter("--resume takes no subcommand", param_hint="--resume")
    resume(resume_ref, opts, dry_run, colour_by)


def _refuse_group_options(ctx: typer.Context) -> None:
    """``nnlab sweep --runs-dir X grid ...``: the group's options are ``--resume``'s; given
    before a subcommand they were accepted and ignored (the sweep went to runs/, the format
    was dropped). Refused in one line saying where they go. (From the environment they are
    the subcommand's too: not refused.)"""
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name or "")
        if source is not None and source.name == "COMMANDLINE" and param.name != "resume_ref":
            option = max(param.opts, key=len)
            where = f"nnlab sweep {ctx.invoked_subcommand}"
            raise typer.BadParameter(
                f"given before the subcommand, where only --resume reads it; give it after: "
                f"{where} ... {option} ...",
                param_hint=option,
            )


@sweep_app.command("resume")
@command(Execution)
def sweep_resume(
    sweep: Annotated[
        str,
        typer.Argument(
            help="A sweep folder, id prefix or 'latest'.", autocompletion=complete.run_refs
        ),
    ],
    dry_run: DryRunOpt = False,
    colour_by: ColourByOpt = None,
    *,
    opts: Execution,
) -> None:
    """Continue a stopped sweep: finished trials are kept, the rest run (same as --resume).

    Writes into the sweep folder: the trials left, each in its folder under trials/, then the
    table and figures anew; the last line names it.

    Example: nnlab sweep resume runs/20260101-120000-sweep-weight-scale-digits-a1b2c3
    """
    resume(sweep, opts, dry_run, colour_by)


def preset_command(preset: Any) -> Callable[..., None]:
    """The ``nnlab sweep <preset>`` command: the preset on ``--dataset``, with axes/overrides."""
    datasets = Enum(f"{preset.name}-datasets", {d: d for d in preset.datasets}, type=str)  # type: ignore[misc]
    default = datasets(preset.datasets[0])

    @command(Execution)
    def run_preset(
        args: SweepArgs = None,
        dataset: Annotated[
            datasets,  # type: ignore[valid-type]
            typer.Option("--dataset", help="The dataset the preset's nets train on."),
        ] = default,
        seed: SeedOpt = None,
        name: Annotated[str | None, name_option(f"{preset.name}-<dataset>")] = None,
        dry_run: DryRunOpt = False,
        *,
        opts: Execution,
    ) -> None:
        with early_painters(0 if dry_run else preset.n_figures) as painters:
            defn = preset.definition(dataset.value, args or [], seed=seed, name=name)
            run_definition(defn, opts, painters, dry_run)

    writes = (  # (as sweep grid's -h says it)
        "Writes a sweep folder, <runs-dir>/<date>-<time>-sweep-<name>-<id>/ (its files: nnlab "
        "sweep -h); the last line names it."
    )
    run_preset.__doc__ = (
        f"{preset.summary}\n\n{preset.help}\n\n{writes}\n\nExample: {preset.example}"
    )
    return run_preset


def _add_presets() -> None:
    from nnlab.sweep import presets

    for name in presets.names():
        sweep_app.command(name)(preset_command(presets.get(name)))


@sweep_app.command("grid")
@command(Execution)
def sweep_grid(
    config: ConfigArg,
    args: GridArgs = None,
    seed: SeedOpt = None,
    share_seed: ShareSeedOpt = None,
    name: NameOpt = None,
    dry_run: DryRunOpt = False,
    colour_by: ColourByOpt = None,
    *,
    opts: Execution,
) -> None:
    """Every combination of the given values (key=v1,v2: an axis; key=v: a fixed override).

    Writes a sweep folder, <runs-dir>/<date>-<time>-sweep-<name>-<id>/ (its files: nnlab
    sweep -h); the last line names it.

    Example: nnlab sweep grid configs/digits-quickstart.yaml optimizer.lr=0.1,0.01 model.dropout=0,0.5
    """
    with early_painters(0 if dry_run else 1) as painters:
        from nnlab.sweep import sweep_from_file

        defn = sweep_from_file(
            config, args or [], kind="grid", seed=seed, name=name, share_seed=share_seed or []
        )
        run_definition(defn, opts, painters, dry_run, colour_by)


@sweep_app.command("random")
@command(Execution)
def sweep_random(
    config: ConfigArg,
    args: RandomArgs = None,
    trials: Annotated[
        int | None,
        typer.Option(
            "--trials",
            "-n",
            help="Number of random trials (required unless the file's sweep: section sets it).",
            min=1,
            max=MAX_TRIALS,
        ),
    ] = None,
    seed: SeedOpt = None,
    share_seed: ShareSeedOpt = None,
    name: NameOpt = None,
    dry_run: DryRunOpt = False,
    colour_by: ColourByOpt = None,
    *,
    opts: Execution,
) -> None:
    """Random search: each trial draws every key from its distribution (seeded by the sweep seed).

    Writes a sweep folder, <runs-dir>/<date>-<time>-sweep-<name>-<id>/ (its files: nnlab
    sweep -h); the last line names it.

    Example: nnlab sweep random configs/digits-quickstart.yaml --trials 20 optimizer.lr=loguniform:1e-4:1 model.dropout=uniform:0:0.5
    """
    with early_painters(0 if dry_run else 1) as painters:
        from nnlab.sweep import sweep_from_file

        defn = sweep_from_file(
            config, args or [], kind="random", trials=trials, seed=seed, name=name,
            share_seed=share_seed or [],
        )  # fmt: skip
        run_definition(defn, opts, painters, dry_run, colour_by)


@sweep_app.command("run")
@command(Execution)
def sweep_run(
    config: Annotated[
        str,
        typer.Argument(
            help="YAML config with a 'sweep:' section, or a preset's name.",
            show_default=False,
            parser=given_name,
        ),
    ],
    args: SweepArgs = None,
    seed: SeedOpt = None,
    share_seed: ShareSeedOpt = None,
    name: NameOpt = None,
    dry_run: DryRunOpt = False,
    colour_by: ColourByOpt = None,
    *,
    opts: Execution,
) -> None:
    """Run the sweep a config file's 'sweep:' section describes (args add axes or fix keys).

    Writes a sweep folder, <runs-dir>/<date>-<time>-sweep-<name>-<id>/ (its files: nnlab
    sweep -h); the last line names it.

    Example: nnlab sweep run configs/digits-lr-sweep.yaml --jobs 2 epochs=5
    """
    from nnlab.sweep import sweep_from_file

    defn = sweep_from_file(config, args or [], seed=seed, name=name, share_seed=share_seed or [])
    run_definition(defn, opts, dry_run=dry_run, colour_by=colour_by)


_add_presets()
