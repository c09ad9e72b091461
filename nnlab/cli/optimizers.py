"""``nnlab compare-optimizers``: paths on test functions, or loss curves training a net."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.models import OptionInfo

from nnlab.cli.common import (
    Lines,
    Output,
    bounded,
    check_report,
    command,
    note,
    run_location,
    seed_option,
    then_report,
)
from nnlab.cli.render import emit_json, emit_table
from nnlab.cli.resuming import (
    alone_with_resume,
    announce_redo,
    check_resumed_report,
    redo_option,
)
from nnlab.output import Format

Overrides = Annotated[
    list[str] | None,
    typer.Argument(help="Per-optimizer hyperparameters as name.key=value, e.g. adam.lr=0.3 "
                   "momentum.momentum=0.8 (adam.lr is adam's rate whatever --lr gives the "
                   "others; the table shows each optimizer's).", show_default=False),
]  # fmt: skip

# the datasets --dataset takes (nnlab.data's registry; named here: --help imports no data code)
DATASETS = ("digits", "mnist", "spiral", "blobs", "hdf5")
# the options given as text (parsed by the library): flags and help
TEXT_OPTIONS = {
    "function": (("--function",), "Test function: book, d2l, rosenbrock, saddle, beale, xcospi "
                 "(default book)."),
    "dataset": (("--dataset",), f"Train a net on this dataset instead: {', '.join(DATASETS)} "
                "(hdf5: cat-vs-noncat's two files; see nnlab data list)."),
    "optimizers": (("--optimizers", "-o"), "Comma-separated: sgd (or gd), momentum, nesterov, "
                   "adagrad, rmsprop, adam; with --dataset also random-search, "
                   "random-local-search. Default: all six on a function; sgd, momentum, "
                   "adagrad, adam on a dataset."),
    "lr": (("--lr",), "Learning rate(s), comma-separated; each optimizer runs with each. "
           "Default: each optimizer's own for the function (book: DLFS fig. 6-8's) or on a "
           "dataset (0.01; rmsprop and adam 0.001)."),
    "start": (("--start",), "Start point(s): '-7,2'; several as '-7,2;5,1'; 1-D: '0.5,-1.0' "
              "is two starts, each coordinate within +-1e6. Default: the function's (book: -7,2)."),
    "steps": (("--steps",), "Steps: one value, or one per start (paired). Default: the "
              "function's (book: 30); with --dataset: iterations (default 2000)."),
}  # fmt: skip


def _given(value: str | None) -> str | None:
    """A text option as given; an empty one is refused (it read as not given: `--function ""`
    compared on the default function, exit 0)."""
    if value is not None and not value.strip():
        raise typer.BadParameter("empty; give a value, or leave the option out for its default")
    return value


def _text(name: str) -> OptionInfo:
    flags, help = TEXT_OPTIONS[name]
    return typer.Option(*flags, help=help, show_default=False, callback=_given)


Function = Annotated[str | None, _text("function")]
Dataset = Annotated[str | None, _text("dataset")]
Optimizers = Annotated[str | None, _text("optimizers")]
Lr = Annotated[str | None, _text("lr")]
Start = Annotated[str | None, _text("start")]
Steps = Annotated[str | None, _text("steps")]
Tol = Annotated[
    float | None,
    bounded(
        float | None,
        "--tol",
        "A function's distance to the minimum that counts as reached (default 0.01).",
        0,
        above=True,
    ),
]
Hidden = Annotated[
    str | None,
    typer.Option("--hidden", help="--dataset: hidden layer sizes; 'none' (or 0) for a linear "
                 "classifier (default 100,100,100,100,100).", show_default=False),
]  # fmt: skip
Loss = Annotated[
    str | None,
    typer.Option("--loss", help="--dataset: softmax_ce or svm (default softmax_ce).",
                 show_default=False),
]  # fmt: skip
BatchSize = Annotated[
    int | None,
    typer.Option("--batch-size", help="--dataset: minibatch size (default 128).", min=1,
                 max=10_000_000, show_default=False),
]  # fmt: skip
Jobs = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="--dataset: train the optimizers in N worker processes "
                 "(BLAS pinned to 1 thread, as with 1 job: the same numbers; default 1).",
                 min=1, max=256, show_default=False),
]  # fmt: skip


ComparisonResume = Annotated[
    str | None,
    redo_option(
        "comparison",
        "Finish an interrupted comparison in its folder (folder, id prefix or 'latest'), with the "
        "settings it recorded: on a dataset the optimizers it had not finished train (the others "
        "are kept); a function's paths are computed again. The numbers an uninterrupted one gives.",
    ),
]


@command(Output)
def compare_optimizers(
    overrides: Overrides = None,
    function: Function = None,
    dataset: Dataset = None,
    optimizers: Optimizers = None,
    lr: Lr = None,
    start: Start = None,
    steps: Steps = None,
    tol: Tol = None,
    hidden: Hidden = None,
    loss: Loss = None,
    batch_size: BatchSize = None,
    seed: Annotated[
        int | None, seed_option("--dataset: seed of init and batch order (default 0).")
    ] = None,
    jobs: Jobs = None,
    resume: ComparisonResume = None,
    *,
    opts: Output,
) -> None:
    """Compare optimizers: paths on a test function, or loss curves training a net.

    Example: nnlab compare-optimizers --function xcospi --optimizers gd --lr 0.1,1.000542,1.0055 --start 0.5,-1.0 --steps 5,20
    """
    from nnlab.experiments.optimizers import resume_comparison, run_comparison

    alone_with_resume(resume, "jobs")
    if resume is not None:
        check_resumed_report(resume, opts.runs_dir, "compare-optimizers", opts.report)
        with Lines(opts.quiet) as lines:
            result = resume_comparison(resume, runs_dir=opts.runs_dir, data_dir=opts.data_dir,
                                       jobs=jobs, figure=opts.png, progress=lines,
                                       on_start=announce_redo)  # fmt: skip
        return show(result, opts)
    check_report(run_location(opts.runs_dir, opts.out)[0], opts.report)
    with Lines(opts.quiet) as lines:
        result = run_comparison(
            function=function, dataset=dataset, optimizers=optimizers, lr=lr, start=start,
            steps=steps, overrides=overrides or [], tol=tol, hidden=hidden, loss=loss,
            batch_size=batch_size, seed=seed, jobs=jobs, data_dir=opts.data_dir,
            runs_dir=opts.runs_dir, out=opts.out, figure=opts.png, progress=lines,
        )  # fmt: skip
    show(result, opts)


def show(result: Any, opts: Output) -> None:
    """The comparison's table (or JSON), its folder and its figure."""
    with then_report(result.run.path.parent, opts.report):
        if opts.fmt == Format.json:
            emit_json(result.to_json())
        else:
            emit_table(result.table, opts.fmt)
        note(f"run folder: {result.run.path}")
        note(f"figure: {result.figure_copy or result.figure}")
