"""The other experiments: ``lr-scan``, ``landscape`` and ``tune`` (``activations``: its own
module)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import typer

from nnlab.cli import complete
from nnlab.cli.common import (
    EXIT_FAILED,
    EXIT_TRIALS_FAILED,
    Execution,
    Lines,
    Output,
    OverridesArg,
    bounded,
    command,
    given_options,
    note,
    seed_option,
    then_report,
)
from nnlab.cli.figures import copy_figure, folder_line
from nnlab.cli.helpwords import one_of
from nnlab.cli.paths import NEW_FOLDER, OptionalConfigArg, PngOpt, out_option
from nnlab.cli.render import emit, emit_json, emit_table
from nnlab.cli.resuming import alone_with_resume, check_report_of, redo_option
from nnlab.experiments.scan_next import EXPONENTS
from nnlab.output import Format, counted

# ----------------------------------------------------------------------------- lr-scan
MinExp = Annotated[
    float, bounded(float, "--min", "Smallest step size as a power of ten (-5: 1e-5).", *EXPONENTS)
]
MaxExp = Annotated[
    float, bounded(float, "--max", "Largest step size as a power of ten (-1: 0.1).", *EXPONENTS)
]
Num = Annotated[
    int, bounded(int, "--num", "Number of step sizes (log-spaced, --min to --max).", 2, 1000)
]
ScanEpochs = Annotated[
    int, bounded(int, "--epochs", "Epochs of training per rate (0: one step only).", 0, 10_000)
]


ScanResume = Annotated[
    str | None,
    redo_option(
        "scan",
        "Finish an interrupted scan in its folder (folder, id prefix or 'latest'), with the "
        "settings it recorded: the rates it had not finished train (8 at a time, each 8 kept as "
        "they end). The numbers an uninterrupted scan gives.",
    ),
]


@command(Output)
def lr_scan(
    config: OptionalConfigArg = None,
    overrides: OverridesArg = None,
    min_exp: MinExp = -10,
    max_exp: MaxExp = -1,
    num: Num = 10,
    epochs: ScanEpochs = 2,
    resume: ScanResume = None,
    *,
    opts: Output,
) -> None:
    """Step-size table: the loss after one gradient step, and after a few epochs, per rate.

    Writes <runs-dir>/<date>-<time>-lr-scan-<config>-<id>/: the table (summary.json,
    summary.txt), lr-scan.png, config.yaml and meta.json; the last line names it.

    From the config's initial weights W (g: the full-batch gradient there): step_loss is the
    objective L(W - lr*g) after one full-gradient step; step_change is step_loss - L(W), the
    actual change over that step (in float64, so tiny steps register; close to -lr*|g|^2 only
    while lr is small); train_loss and test_acc are after --epochs of training at lr
    (train_loss: the train split's data loss, evaluated, without the L2 term of L).

    Example: nnlab lr-scan configs/digits-quickstart.yaml --min -6 --max 0 --num 7 --epochs 2
    """
    from nnlab.experiments import lr_scan as scan

    given_or_resumed(config, resume, "a config file", "nnlab lr-scan configs/mnist-1000.yaml")
    alone_with_resume(resume)
    check_report_of("lr-scan", resume, opts.out, opts.runs_dir, opts.report)
    with Lines(opts.quiet) as lines:
        result = scan.run_scan(
            config, overrides, resume=resume, min_exp=min_exp, max_exp=max_exp, num=num,
            epochs=epochs, data_dir=opts.data_dir, runs_dir=opts.runs_dir, out=opts.out,
            progress=lines, say=note,
        )  # fmt: skip
    show_scan(result, opts)


def show_scan(result: Any, opts: Output) -> None:
    """A scan's table (or JSON), its notes, what to run next and its folder, as the folder's
    summary.json has them."""
    from nnlab.experiments import lr_scan as scan, scan_next

    summary = result.run.summary()  # (the table as the folder's summary.json gives it)
    with then_report(result.run.path.parent, opts.report):
        if opts.fmt == Format.json:
            summary.pop("curves", None)
            emit_json({"run": str(result.run.path), **summary})
        else:
            emit_table(scan.summary_table(result.run.id, summary), opts.fmt)
        for line in scan_next.closing_lines(summary, result.run.path, result.run.meta):
            note(line)
        note(folder_line(result.run.path))
        copy_figure(result.run.file("lr-scan.png"), opts.png)


# ----------------------------------------------------------------------------- landscape
Source = Annotated[
    str | None,
    typer.Argument(help="A run (folder, id prefix, 'latest') for its trained weights, or a YAML "
                   "config for its initial weights.", show_default=False),
]  # fmt: skip
NORMALIZE = ("filter", "none")  # (nnlab.experiments.landscape_file's)
SPLITS = ("train", "val", "test")
# nnlab.experiments.tune_search's METRICS
METRICS = ("final_val_acc", "best_val_acc", "final_val_loss", "best_val_loss")
Normalize = Annotated[
    str, typer.Option("--normalize", metavar=one_of(*NORMALIZE), help="filter: Li et al. filter-normalised directions; "
                      "none: plain N(0,1) (cs231n)."),
]  # fmt: skip
LandscapeOverrides = Annotated[
    list[str] | None,
    typer.Argument(help="Overrides as key.sub=value, e.g. model.batchnorm=true (with a config "
                   "file only: a run's folder has its config; every key: nnlab config keys).",
                   show_default=False,
                   autocompletion=complete.overrides),
]  # fmt: skip
Span = Annotated[
    str, typer.Option("--range", help="Grid range LO:HI for a and b, in multiples of a direction "
                      "(LO < HI, each within -1000..1000; 0, the centre, from LO to HI)."),
]  # fmt: skip
LandscapeResume = Annotated[
    str | None,
    typer.Option("--resume", help="Fill the missing points of a landscape folder (folder, id "
                 "prefix or 'latest'); --out into an existing landscape folder does the same.",
                 autocompletion=complete.run_refs),
]  # fmt: skip
POINTS = "Grid points per axis, one of them at 0, the centre (an odd count for a range like -1:1)."
Points = Annotated[int, bounded(int, "--points", POINTS, 2, 1001)]
Samples = Annotated[
    int, bounded(int, "--samples", "Only the first N samples of the split (0: all).", 0, 10**7)
]
Batch = Annotated[
    int, bounded(int, "--batch", "Evaluation batch size (0: the config's).", 0, 10**7)
]


@dataclasses.dataclass(frozen=True)
class LandscapeOutput(Output):
    """``Output``, whose ``--out`` may also name a landscape folder to complete."""

    out: Annotated[
        Path | None,
        out_option(f"{NEW_FOLDER}, or complete the landscape folder it names (as --resume does)."),
    ] = None


def given_or_resumed(source: object, resume: str | None, what: str, example: str) -> None:
    """A command of a source or ``--resume`` given neither: refused in train's words, with the
    '(see nnlab CMD -h)' hint of every refusal of its options."""
    if source is None and resume is None:
        raise typer.BadParameter(f"give {what} (or --resume FOLDER); e.g. {example}")


@command(LandscapeOutput)
def landscape(
    source: Source = None,
    overrides: LandscapeOverrides = None,
    normalize: Normalize = "filter",
    span: Span = "-1:1",
    points: Points = 51,
    split: Annotated[
        str,
        typer.Option(
            "--split",
            metavar=one_of(*SPLITS),
            help="Split the loss is evaluated on.",
        ),
    ] = "train",
    samples: Samples = 0,
    batch: Batch = 0,
    seed: Annotated[int, seed_option("Seed of the random directions.")] = 0,
    resume: LandscapeResume = None,
    *,
    opts: LandscapeOutput,
) -> None:
    """Loss along random 1-D and 2-D slices around trained (or initial) weights.

    Writes <runs-dir>/<date>-<time>-landscape-<config>-<id>/: landscape.h5 (the losses),
    landscape-2d.png, landscape-1d.png, the table (summary.json, summary.txt), config.yaml and
    meta.json; the last line names it.

    --png copies both figures: the 2-D one (landscape-2d.png) to its path, the 1-D one beside it
    (the name with its 2d made 1d, else -1d added: docs/landscape-2d.png, docs/landscape-1d.png).

    Example: nnlab landscape latest --normalize filter --range -1:1 --points 51 --png landscape-2d.png
    """
    from nnlab.experiments import landscape as ls
    from nnlab.experiments.landscape_summary import figure_copies

    given_or_resumed(source, resume, "a run or a config file", "nnlab landscape latest")
    alone_with_resume(resume, elsewhere=("source", "overrides", "out"))
    lo, hi = ls.parse_range(span)
    settings = ls.Settings(normalize, lo, hi, points, split, samples, seed, batch)
    check_report_of("landscape", resume, opts.out, opts.runs_dir, opts.report)
    with Lines(opts.quiet, transient=True) as lines:  # (its grid rows: drawn in place)
        result = ls.run_landscape(
            source, overrides, resume=resume, settings=settings, data_dir=opts.data_dir,
            runs_dir=opts.runs_dir, out=opts.out, progress=lines, warn=note,
        )  # fmt: skip
    with then_report(result.run.path.parent, opts.report):
        if opts.fmt == Format.json:
            emit_json({"run": str(result.run.path), **result.summary})
        else:
            emit_table(ls.summary_table(result.run.summary()), opts.fmt)
        # (its figures named as every command's: it listed them with landscape.h5, unlike them)
        note(f"evaluated {counted(result.computed, 'point')}")  # (on its own line: the last
        note(folder_line(result.run.path))  # is the folder line, as every command's; folded
        # on a terminal as a key and its value, it read '...; run folder:' and the path below)
        for figure, copy in figure_copies(result.run.path, opts.png):
            copy_figure(figure, copy)


# ----------------------------------------------------------------------------- tune
Ranges = Annotated[
    list[str] | None,
    typer.Argument(help="Ranges as key=loguniform:low:high or key=uniform:low:high, or "
                   "key=randint:low:high for an integer key such as batch_size (whole numbers, "
                   "both ends included) (default: optimizer.lr 1e-6..1e-2 and weight_decay "
                   "1e-8..1e-4, less a key fixed); key=value fixes a key (model.depth=3 too: "
                   "model.hidden of 3 layers).", show_default=False,
                   autocompletion=complete.overrides),
]  # fmt: skip
Trials = Annotated[int, bounded(int, ("--trials", "-n"), "Random trials per round.", 1, 10_000)]
Rounds = Annotated[
    int,
    bounded(
        int,
        ("--rounds", "-r"),
        "Rounds; each searches the narrowed ranges "
        "(--rounds x --trials: at most 100,000 trials in all).",
        1,
        100,
    ),
]
TopK = Annotated[
    int, bounded(int, ("--top-k",), "Trials whose values define the next range.", 1, 10_000)
]
TuneResume = Annotated[
    str | None,
    typer.Option("--resume", help="Continue a stopped tune (folder, id prefix or 'latest'): its "
                 "rounds' missing trials and the rounds left run.",
                 autocompletion=complete.run_refs),
]  # fmt: skip
Epochs = Annotated[
    int | None,
    typer.Option("--epochs", help="Epochs per trial (default: the config's).", min=0,
                 max=1_000_000, show_default=False),
]  # fmt: skip


ValFraction = Annotated[
    float,
    bounded(
        float,
        "--val-fraction",
        "Share of the training split held out for validation (both ends leave a split empty).",
        0,
        1,
        above=True,
        below=True,
        default=0.2,
    ),
]

TuneMetric = Annotated[
    str,
    typer.Option(
        "--metric",
        metavar=one_of(*METRICS),
        help="Validation metric to rank by, the best first (a loss: the lowest first).",
    ),
]


TuneDryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Plan and check the tune as it would run (the first round's trials against their "
        "data, the limits counting every round), print that round's trials and the work, and "
        "stop: nothing is written.",
    ),
]


@command(Execution)
def tune(
    config: OptionalConfigArg = None,
    args: Ranges = None,
    trials: Trials = 20,
    rounds: Rounds = 1,
    top_k: TopK = 5,
    epochs: Epochs = None,
    val_fraction: ValFraction = 0.2,
    metric: TuneMetric = "final_val_acc",
    seed: Annotated[int, seed_option("Seed of the random draws.")] = 0,
    resume: TuneResume = None,
    out: Annotated[
        Path | None,
        out_option(f"{NEW_FOLDER} (a new tune: --resume continues in the tune's own folder)."),
    ] = None,
    png: PngOpt = None,
    dry_run: TuneDryRun = False,
    *,
    opts: Execution,
) -> None:
    """Random search on a validation split, narrowing the ranges to the top trials (DLFS 6.5).

    The ranges are the arguments' (a 'sweep:' section in the file is left out, with a note).
    Writes <runs-dir>/<date>-<time>-tune-<config>-<id>/: rounds/ (a sweep each), tune.json,
    the table (summary.json, summary.txt), tune-curves.png, tune-scatter.png and meta.json;
    the last line names it.

    Example: nnlab tune configs/digits-quickstart.yaml optimizer.lr=loguniform:1e-4:1 --trials 20 --rounds 2 --epochs 5
    """
    from nnlab.experiments import tune as tn
    from nnlab.experiments.tune_setup import idle_warnings, started_options
    from nnlab.sweep import make_executor

    given_or_resumed(config, resume, "a config file", "nnlab tune configs/digits-quickstart.yaml")
    alone_with_resume(resume, *HOW, elsewhere=("config", "args", "out", "dry_run"))
    settings = {"rounds": rounds, "trials": trials, "top_k": top_k, "epochs": epochs,
                "val_fraction": val_fraction, "seed": seed, "metric": metric}  # fmt: skip
    for line in idle_warnings(config, args, resume):  # (even with -q)
        note(line)
    if dry_run:
        return dry_run_tune(config, args, resume=resume, png=png, out=out, opts=opts, **settings)
    how = started_options(resume, opts.runs_dir, given_options(), config=config, args=args, out=out)
    opts = dataclasses.replace(opts, **how)  # (a resume's: as it was started, unless given)
    check_report_of("tune", resume, out, opts.runs_dir, opts.report)
    with closing(make_executor(opts.jobs, opts.executor, opts.scheduler)) as executor:
        with Lines(opts.quiet) as lines:
            result = tn.run_tune(
                config, args, resume=resume, runs_dir=opts.runs_dir, out=out,
                data_dir=opts.data_dir, jobs=opts.jobs, stack=opts.stack, executor=executor,
                progress=lines, heading=round_heading(lines), **settings,
            )  # fmt: skip
    with then_report(result.run.path.parent, opts.report):
        show_tune(result, opts.fmt, config)
        copy_figure(result.run.file("tune-curves.png"), png)
        if result.summary["trials"].get("FAILED"):
            note(f"error: {counted(result.summary['trials']['FAILED'], 'trial')} FAILED")
            raise typer.Exit(EXIT_TRIALS_FAILED)


def dry_run_tune(
    config: Path | None,
    args: list[str] | None,
    *,
    resume: str | None,
    png: Path | None,
    out: Path | None,
    opts: Execution,
    **settings: Any,
) -> None:
    """``tune --dry-run``: its first round's trials and the work of all its rounds, checked as
    the tune checks them (``tune.preview_tune``), shown as a sweep's dry run is."""
    from nnlab.cli.sweeping import checked_preview, print_preview
    from nnlab.experiments.tune import preview_tune
    from nnlab.experiments.tune_report import dry_run_note, dry_run_title

    if resume is not None:
        raise typer.BadParameter(
            "a tune's resume has no dry run: it carries on with the round where the tune "
            "stopped ('nnlab runs show FOLDER' says which)", param_hint="--dry-run",
        )  # fmt: skip
    if png is not None:
        raise typer.BadParameter("a dry run draws no figure to copy", param_hint="--png")
    checked, preview, notes = checked_preview(opts, lambda: preview_tune(
        config, args, out=out, data_dir=opts.data_dir, runs_dir=opts.runs_dir, jobs=opts.jobs,
        stack=opts.stack, **settings,
    ), units=lambda made: made[1].units)  # fmt: skip
    print_preview(preview, opts, what=dry_run_title(checked))
    note(dry_run_note(checked))
    for line in notes:
        note(f"note: {line}")


HOW = ("jobs", "stack", "executor", "scheduler")  # a sweep's options of how it runs, not what


def round_heading(lines: Lines) -> Callable[[str], None]:
    """``tune``'s round headers on stderr: every one (unless quiet), after the previous round's
    last trial line, which ``lines`` may have held back (``Lines.heading``): the log says which
    round each block of trial lines belongs to."""
    return lines.heading


def show_tune(result: object, fmt: Format, config: Path | None = None) -> None:
    """The top trials and the ranges (or JSON), the warnings (each once, naming its round when
    there are several) and the next search, a command on ``config`` (None: a resumed tune's,
    the one its meta.json records)."""
    from nnlab.experiments import tune_report

    summary = result.summary  # type: ignore[attr-defined]
    run = result.run  # type: ignore[attr-defined]
    if fmt == Format.json:
        emit_json({"run": str(run.path), **summary})
    else:
        emit(summary["top"], fmt, title=tune_report.top_title(summary))
        if fmt == Format.table:
            emit_table(tune_report.ranges_table(summary["ranges"]), fmt)
    for line in result.notes:  # type: ignore[attr-defined]
        note(f"note: {line}")
    for warning in tune_report.warning_lines(result.rounds):  # type: ignore[attr-defined]
        note(f"warning: {warning}")
    settings = result.settings  # type: ignore[attr-defined]
    note(tune_report.next_line(settings, summary["proposed"], config, run))
    if (best := tune_report.best_line(run, summary)) is not None:
        note(best)
    note(folder_line(run.path))
    if not summary["top"]:  # (as a run that diverged: the folder says how each trial ended)
        note(f"error: {tune_report.none_ranked(summary)}; there is no best value")
        raise typer.Exit(EXIT_FAILED)
