"""The other experiments: ``lr-scan``, ``activations``, ``landscape`` and ``tune``."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli.common import (
    EXIT_TRIALS_FAILED,
    DataDirOpt,
    Execution,
    FormatOpt,
    Lines,
    OutOpt,
    PngOpt,
    QuietOpt,
    RunsDirOpt,
    copy_figure,
    handle_errors,
    note,
    run_location,
    with_options,
)
from nnlab.cli.render import emit, emit_json
from nnlab.output import Format

ConfigArg = Annotated[Path, typer.Argument(help="YAML config file.", show_default=False)]
OverridesArg = Annotated[
    list[str] | None, typer.Argument(help="Overrides as key.sub=value.", show_default=False)
]


@handle_errors
def lr_scan(
    config: ConfigArg,
    overrides: OverridesArg = None,
    min_exp: Annotated[
        float, typer.Option("--min", help="Smallest step size as a power of ten.")
    ] = -10,
    max_exp: Annotated[
        float, typer.Option("--max", help="Largest step size as a power of ten.")
    ] = -1,
    num: Annotated[int, typer.Option("--num", help="Number of step sizes (log-spaced).")] = 10,
    epochs: Annotated[
        int, typer.Option("--epochs", help="Epochs of training per rate (0: one step only).")
    ] = 2,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    out: OutOpt = None,
    png: PngOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Step-size table: the loss after one gradient step, and after a few epochs, per rate.

    Example: nnlab lr-scan configs/digits-quickstart.yaml --min -6 --max 0 --num 7 --epochs 2
    """
    from nnlab.config import load_config
    from nnlab.experiments import lr_scan as scan

    cfg = load_config(config, overrides or [])
    root, folder = run_location(runs_dir, out)
    with Lines(quiet) as lines:
        result = scan.lr_scan(
            cfg, min_exp=min_exp, max_exp=max_exp, num=num, epochs=epochs, data_dir=data_dir,
            runs_dir=root, overrides=overrides or [], folder=folder, progress=lines,
        )  # fmt: skip
    if fmt == Format.json:
        summary = result.run.read_json("summary.json")
        summary.pop("curves", None)
        emit_json({"run": str(result.run.path), **summary})
    else:
        emit(result.rows, fmt, scan.table_columns(result.rows), title=scan.table_title(result))
    for line in scan.edge_notes(result):
        note(f"note: {line}")
    note(f"run folder: {result.run.path}")
    copy_figure(result.run.file("lr-scan.png"), png)


@handle_errors
def activations(
    activation: Annotated[
        list[str] | None,
        typer.Option(
            "--activation",
            "-a",
            help="sigmoid, tanh or relu (repeatable or comma-separated; default all).",
            show_default=False,
        ),
    ] = None,
    init: Annotated[
        list[str] | None,
        typer.Option(
            "--init",
            "-i",
            help="std1, std0.01, xavier or he (repeatable or comma-separated; default all).",
            show_default=False,
        ),
    ] = None,
    layers: Annotated[int, typer.Option("--layers", help="Hidden layers.")] = 5,
    units: Annotated[int, typer.Option("--units", help="Units per layer (and inputs).")] = 100,
    samples: Annotated[int, typer.Option("--samples", help="Random N(0,1) inputs.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of inputs and weights.")] = 0,
    runs_dir: RunsDirOpt = Path("runs"),
    out: OutOpt = None,
    png: PngOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """DLFS activation histograms per layer, by activation function and weight init.

    Example: nnlab activations --activation sigmoid,relu --init std1,xavier,he --png docs/activations.png
    """
    from nnlab.experiments import activations as act

    root, folder = run_location(runs_dir, out)
    result = act.activation_histograms(
        activation, init, layers=layers, units=units, samples=samples, seed=seed,
        runs_dir=root, folder=folder,
    )  # fmt: skip
    summary = result.run.read_json("summary.json")
    if fmt == Format.json:
        emit_json({"run": str(result.run.path), **summary})
    else:
        emit(result.rows, fmt, act.COLUMNS, title=act.table_title(summary))
    note(f"run folder: {result.run.path}")
    copy_figure(result.run.file("activations.png"), png)


@handle_errors
def landscape(
    source: Annotated[
        str | None,
        typer.Argument(
            help="A run (folder, id prefix, 'latest') for its trained weights, or a YAML config "
            "for its initial weights.",
            show_default=False,
        ),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Argument(help="Overrides (with a config file only).", show_default=False),
    ] = None,
    normalize: Annotated[
        str,
        typer.Option(
            "--normalize",
            help="filter: Li et al. filter-normalised directions; none: plain N(0,1) (cs231n).",
        ),
    ] = "filter",
    span: Annotated[str, typer.Option("--range", help="Grid range LO:HI for a and b.")] = "-1:1",
    points: Annotated[int, typer.Option("--points", help="Grid points per axis.")] = 51,
    split: Annotated[
        str, typer.Option("--split", help="Split the loss is evaluated on.")
    ] = "train",
    samples: Annotated[
        int, typer.Option("--samples", help="Use only the first N samples of the split (0: all).")
    ] = 0,
    batch: Annotated[
        int, typer.Option("--batch", help="Evaluation batch size (0: the config's).")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random directions.")] = 0,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            help="Fill the missing points of this landscape folder (or 'latest'); --out into "
            "an existing landscape folder does the same.",
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    out: OutOpt = None,
    png: PngOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Loss along random 1-D and 2-D slices around trained (or initial) weights.

    Example: nnlab landscape latest --normalize filter --range -1:1 --points 51 --png docs/landscape-2d.png
    """
    from nnlab.experiments import landscape as ls

    lo, hi = ls.parse_range(span)
    settings = ls.Settings(normalize, lo, hi, points, split, samples, seed, batch)
    with Lines(quiet) as lines:
        result = ls.run_landscape(
            source, overrides, resume=resume, settings=settings, data_dir=data_dir,
            runs_dir=runs_dir, out=out, progress=lines,
        )  # fmt: skip
    if fmt == Format.json:
        emit_json({"run": str(result.run.path), **result.summary})
    else:
        emit(ls.table_rows(result.summary), fmt, title=ls.table_title(result.summary))
    note(
        f"evaluated {result.computed} points; run folder: {result.run.path} "
        "(landscape.h5, landscape-1d.png, landscape-2d.png)"
    )
    copy_figure(result.run.file("landscape-2d.png"), png)


@with_options(Execution)
@handle_errors
def tune(
    config: Annotated[
        Path | None, typer.Argument(help="YAML config to tune.", show_default=False)
    ] = None,
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="Ranges as key=loguniform:low:high or key=uniform:low:high (default: "
            "optimizer.lr 1e-6..1e-2 and weight_decay 1e-8..1e-4); key=value fixes a key.",
            show_default=False,
        ),
    ] = None,
    trials: Annotated[int, typer.Option("--trials", "-n", help="Random trials per round.")] = 20,
    rounds: Annotated[
        int, typer.Option("--rounds", "-r", help="Rounds; each searches the narrowed ranges.")
    ] = 1,
    top_k: Annotated[
        int, typer.Option("--top-k", "-k", help="Trials whose values define the next range.")
    ] = 5,
    epochs: Annotated[
        int | None,
        typer.Option(
            "--epochs", help="Epochs per trial (default: the config's).", show_default=False
        ),
    ] = None,
    val_fraction: Annotated[
        float,
        typer.Option("--val-fraction", help="Share of the training split held out for validation."),
    ] = 0.2,
    metric: Annotated[
        str, typer.Option("--metric", help="Validation metric to rank by.")
    ] = "final_val_acc",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random draws.")] = 0,
    resume: Annotated[
        str | None,
        typer.Option("--resume", help="Continue a stopped tune folder (or 'latest')."),
    ] = None,
    out: OutOpt = None,
    png: PngOpt = None,
    *,
    opts: Execution,
) -> None:
    """Random search on a validation split, narrowing the ranges to the top trials (DLFS 6.5).

    Example: nnlab tune configs/digits-quickstart.yaml optimizer.lr=loguniform:1e-4:1 --trials 20 --rounds 2 --epochs 5
    """
    from nnlab.experiments import tune as tn
    from nnlab.sweep import check_stack, make_executor

    check_stack(opts.stack)
    settings = {"rounds": rounds, "trials": trials, "top_k": top_k, "epochs": epochs,
                "val_fraction": val_fraction, "seed": seed, "metric": metric}  # fmt: skip
    with closing(make_executor(opts.jobs, opts.executor, opts.scheduler)) as executor:
        with Lines(opts.quiet) as lines:
            result = tn.run_tune(
                config, args, resume=resume, runs_dir=opts.runs_dir, out=out,
                data_dir=opts.data_dir, jobs=opts.jobs, stack=opts.stack, executor=executor,
                progress=lines, **settings,
            )  # fmt: skip
    summary = result.summary
    if opts.fmt == Format.json:
        emit_json({"run": str(result.run.path), **summary})
    else:
        emit(summary["top"], opts.fmt, title=f"top {len(summary['top'])} by {summary['metric']}")
        if opts.fmt == Format.table:
            emit(summary["ranges"], opts.fmt, title="ranges: searched, best value, proposed next")
    for warning in summary["warnings"]:
        note(f"warning: {warning}")
    note("next search: " + " ".join(f"{k}={v}" for k, v in summary["proposed"].items()))
    note(f"run folder: {result.run.path}")
    copy_figure(result.run.file("tune-curves.png"), png)
    if summary["trials"].get("FAILED"):
        note(f"error: {summary['trials']['FAILED']} trial(s) FAILED")
        raise typer.Exit(EXIT_TRIALS_FAILED)
