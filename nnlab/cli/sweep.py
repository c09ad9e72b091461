"""``nnlab sweep``: grid, random and preset sweeps into one folder; ``--resume`` continues one.

The commands and their options; how they run a sweep (its executor, progress, dry run, table):
``nnlab.cli.sweeping``. The preset commands (``nnlab sweep weight-scale``) are made from the preset registry
(``nnlab.sweep.presets``). No ``from __future__ import annotations`` here: the generated
commands' annotations must be real objects for Typer.
"""

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.models import ArgumentInfo

from nnlab.cli import complete, usage
from nnlab.cli.common import MAX_SEED, Execution, command, given_params
from nnlab.cli.paths import given_name, given_path
from nnlab.cli.sweeping import resume, run_definition
from nnlab.sweep import MAX_TRIALS

sweep_app = typer.Typer(
    help=(
        "Run many trainings that differ in a few config keys (grid, random search, presets) "
        "into one sweep folder; 'nnlab sweep --resume SWEEP' continues a stopped sweep.\n\n"
        "Writes <runs-dir>/<date>-<time>-sweep-<name>-<id>/ (--runs-dir, default runs; name: "
        "--name, else the config's): sweep.yaml (the plan), trials/<trial>/ (a run folder each, "
        "as train writes one), the table (summary.json, summary.csv, summary.txt), curves.png "
        "(a preset: its own figures in its place) and meta.json; the last line names it."
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


def early_painters(figures: int) -> Any:
    """The sweep's figure painters (``plots.painters``: a context), forked first thing, before
    the sweep's imports and planning, so that matplotlib loads on the core this process leaves
    idle meanwhile and the figures at the end cost only their drawing."""
    from nnlab import plots

    return plots.painters(figures)


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
    for param in given_params(command_line=True):  # (the group's: its callback runs)
        if param.name != "resume_ref":
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


def run_file(
    config: Path,
    args: list[str] | None,
    opts: Execution,
    dry_run: bool,
    colour_by: str | None,
    **how: Any,
) -> None:
    """``sweep grid`` and ``sweep random``: the sweep ``config`` and ``args`` define
    (``sweep_from_file``; ``how``: its kind and the options that shape it), run or dry-run,
    the painter of its figure forked first (``early_painters``)."""
    with early_painters(0 if dry_run else 1) as painters:
        from nnlab.sweep import sweep_from_file

        defn = sweep_from_file(config, args or [], **how)
        run_definition(defn, opts, painters, dry_run, colour_by)


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
    how = {"seed": seed, "name": name, "share_seed": share_seed or []}
    run_file(config, args, opts, dry_run, colour_by, kind="grid", **how)


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
    how = {"seed": seed, "name": name, "share_seed": share_seed or []}
    run_file(config, args, opts, dry_run, colour_by, kind="random", trials=trials, **how)


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
