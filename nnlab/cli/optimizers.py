"""``nnlab compare-optimizers``: paths on test functions, or loss curves training a net."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli.common import (
    DataDirOpt,
    FormatOpt,
    Lines,
    OutOpt,
    PngOpt,
    QuietOpt,
    RunsDirOpt,
    handle_errors,
    note,
)
from nnlab.cli.render import emit, emit_json
from nnlab.output import Format


@handle_errors
def compare_optimizers(
    overrides: Annotated[
        list[str] | None,
        typer.Argument(
            help="Per-optimizer hyperparameters as name.key=value, e.g. adam.lr=0.3 "
            "momentum.momentum=0.8.",
            show_default=False,
        ),
    ] = None,
    function: Annotated[
        str | None,
        typer.Option(
            "--function",
            help="Test function: book, d2l, rosenbrock, saddle, beale, xcospi (default book).",
            show_default=False,
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            help="Train a net on this dataset instead (mnist or digits).",
            show_default=False,
        ),
    ] = None,  # fmt: skip
    optimizers: Annotated[
        str | None,
        typer.Option(
            "--optimizers",
            "-o",
            help="Comma-separated: sgd (or gd), momentum, nesterov, adagrad, rmsprop, adam; with "
            "--dataset also random-search, random-local-search.",
            show_default=False,
        ),
    ] = None,
    lr: Annotated[
        str | None,
        typer.Option(
            "--lr",
            help="Learning rate(s), comma-separated; each optimizer runs with each.",
            show_default=False,
        ),
    ] = None,  # fmt: skip
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="Start point(s): '-7,2'; several as '-7,2;5,1'; 1-D: '0.5,-1.0' is two starts.",
            show_default=False,
        ),
    ] = None,
    steps: Annotated[
        str | None,
        typer.Option(
            "--steps",
            help="Steps: one value, or one per start (paired); with --dataset: iterations "
            "(default 2000).",
            show_default=False,
        ),
    ] = None,
    tol: Annotated[
        float, typer.Option("--tol", help="Distance to the minimum that counts as reached.")
    ] = 1e-2,
    hidden: Annotated[
        str,
        typer.Option(
            "--hidden", help="--dataset: hidden layer sizes; 'none' for a linear classifier."
        ),
    ] = "100,100,100,100,100",
    loss: Annotated[
        str, typer.Option("--loss", help="--dataset: softmax_ce or svm.")
    ] = "softmax_ce",
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="--dataset: minibatch size.")
    ] = 128,
    seed: Annotated[
        int, typer.Option("--seed", help="--dataset: seed of init and batch order.")
    ] = 0,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            help="--dataset: train the optimizers in N worker processes (BLAS pinned to 1 "
            "thread, as with 1 job: the same numbers).",
        ),
    ] = 1,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    out: OutOpt = None,
    png: PngOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare optimizers: paths on a test function, or loss curves training a net.

    Example: nnlab compare-optimizers --function xcospi --optimizers gd --lr 0.1,1.000542,1.0055 --start 0.5,-1.0 --steps 5,20
    """
    from nnlab.experiments.optimizers import run_comparison

    with Lines(quiet) as lines:
        result = run_comparison(
            function=function, dataset=dataset, optimizers=optimizers, lr=lr, start=start,
            steps=steps, overrides=overrides or [], tol=tol, hidden=hidden, loss=loss,
            batch_size=batch_size, seed=seed, jobs=jobs, data_dir=data_dir, runs_dir=runs_dir,
            out=out, figure=png, progress=lines,
        )  # fmt: skip
    if fmt == Format.json:
        emit_json(result.to_json())
    else:
        emit(result.rows(), fmt, title=result.title)
    note(f"run folder: {result.run.path}")
    note(f"figure: {result.figure_copy or result.figure}")
