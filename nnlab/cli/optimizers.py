"""``nnlab compare-optimizers``: paths on test functions, or loss curves training a net."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from typer.models import OptionInfo

from nnlab.cli.common import (
    Lines,
    Output,
    bounded,
    command,
    note,
    seed_option,
    then_report,
)
from nnlab.cli.figures import folder_line
from nnlab.cli.helpwords import one_of
from nnlab.cli.render import emit_json, emit_table
from nnlab.cli.resuming import alone_with_resume, check_report_of, redo_option
from nnlab.output import Format

if TYPE_CHECKING:
    from nnlab.experiments.optimizers import ComparisonRun

Overrides = Annotated[
    list[str] | None,
    typer.Argument(help="Per-optimizer hyperparameters as name.key=value, e.g. adam.lr=0.3 "
                   "momentum.momentum=0.8 (adam.lr is adam's rate whatever --lr gives the "
                   "others; the table shows each optimizer's).", show_default=False),
]  # fmt: skip

# the values of --function, --dataset, --optimizers and --loss (nnlab.experiments.testfuncs',
# nnlab.data's, nnlab.experiments.optimizers.specs' and nnlab.nn's registries; named here:
# --help imports no library code)
FUNCTIONS = ("book", "d2l", "rosenbrock", "saddle", "beale", "xcospi")
DATASETS = ("digits", "mnist", "spiral", "blobs", "hdf5")
OPTIMIZERS = ("sgd", "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "random-search",
              "random-local-search")  # fmt: skip
LOSSES = ("softmax_ce", "svm")
# the options given as text (parsed by the library): flags, the values they take (None: free
# text), help and what they default to (-h shows it as typer shows every option's: [default: ...])
TEXT_OPTIONS = {
    "function": (("--function",), FUNCTIONS, "Test function.", "book"),
    "dataset": (("--dataset",), DATASETS, "Train a net on this dataset instead (hdf5: "
                "cat-vs-noncat's two files; see nnlab data list).", None),
    "optimizers": (("--optimizers", "-o"), OPTIMIZERS, "Comma-separated (gd is sgd); "
                   "random-search and random-local-search with --dataset only.",
                   "sgd, momentum, nesterov, adagrad, rmsprop, adam on a function; sgd, momentum, "
                   "adagrad, adam on a dataset"),
    "lr": (("--lr",), None, "Learning rate(s), comma-separated; each optimizer runs with each.",
           "each optimizer's own: the function's (book: DLFS fig. 6-8's), on a dataset 0.01 "
           "(rmsprop and adam 0.001)"),
    "start": (("--start",), None, "Start point(s), each x,y comma-separated; several separated "
              "by ';', in quotes: '-7,2;5,1'; 1-D: '0.5,-1.0' is two starts. Each coordinate "
              "within +-1e6.", "the function's (book: -7,2)"),
    "steps": (("--steps",), None, "Steps: one value, or one per start, comma-separated (paired "
              "with --start's); with --dataset: minibatch steps, exactly that many, not rounded "
              "to whole epochs (the last epoch stops partway; config.yaml's epochs counts it).",
              "the function's (book: 30); on a dataset 2000"),
    "hidden": (("--hidden",), None, "--dataset: hidden layer sizes, comma-separated; 'none' (or "
               "0) for a linear classifier.", "100,100,100,100,100"),
    "loss": (("--loss",), LOSSES, "--dataset: the loss.", "softmax_ce"),
}  # fmt: skip


def _given(value: str | None) -> str | None:
    """A text option as given; an empty one is refused (it read as not given: `--function ""`
    compared on the default function, exit 0)."""
    if value is not None and not value.strip():
        raise typer.BadParameter("empty; give a value, or leave the option out for its default")
    return value


def _text(name: str) -> OptionInfo:
    flags, values, help, default = TEXT_OPTIONS[name]
    shown = one_of(*values) if values else None
    return typer.Option(*flags, metavar=shown, help=help, show_default=default or False,
                        callback=_given)  # fmt: skip


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
        "A function's distance to the minimum that counts as reached (at most 1e6, the "
        "starts' bound).",
        0,
        1e6,
        above=True,
        default=0.01,
    ),
]
Hidden = Annotated[str | None, _text("hidden")]
Loss = Annotated[str | None, _text("loss")]
BatchSize = Annotated[
    int | None,
    typer.Option("--batch-size", help="--dataset: minibatch size.", min=1, max=10_000_000,
                 show_default="128"),
]  # fmt: skip
Jobs = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="--dataset: train the optimizers in N worker processes "
                 "(BLAS pinned to 1 thread, as with 1 job: the same numbers).", min=1, max=256,
                 show_default="1"),
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
        int | None, seed_option("--dataset: seed of init and batch order.", default="0")
    ] = None,
    jobs: Jobs = None,
    resume: ComparisonResume = None,
    *,
    opts: Output,
) -> None:
    """Compare optimizers: paths on a test function, or loss curves training a net.

    Writes <runs-dir>/<date>-<time>-compare-optimizers-<id>/: result.json (every path or loss
    curve), summary.txt, meta.json and paths.png (on a dataset: losses.png and config.yaml);
    the last line names it.

    Example: nnlab compare-optimizers --function book --png paths.png

    Example: nnlab compare-optimizers --dataset digits --optimizers sgd,momentum,adam --jobs 2

    Example: nnlab compare-optimizers --function xcospi --optimizers gd --lr 0.1,1.000542,1.0055 --start 0.5,-1.0 --steps 5,20
    """
    from nnlab.experiments.optimizers import run_comparison

    alone_with_resume(resume, "jobs")
    check_report_of("compare-optimizers", resume, opts.out, opts.runs_dir, opts.report)
    with Lines(opts.quiet, transient=True) as lines:  # (its step lines: drawn in place)
        result = run_comparison(
            function=function, dataset=dataset, optimizers=optimizers, lr=lr, start=start,
            steps=steps, overrides=overrides or [], tol=tol, hidden=hidden, loss=loss,
            batch_size=batch_size, seed=seed, jobs=jobs, data_dir=opts.data_dir,
            runs_dir=opts.runs_dir, out=opts.out, figure=opts.png, progress=lines,
            outcome=lines.outcome, resume=resume, say=note,
        )  # fmt: skip
    show(result, opts)


def show(result: ComparisonRun, opts: Output) -> None:
    """The comparison's table (or JSON), its folder and its figure."""
    with then_report(result.run.path.parent, opts.report):
        if opts.fmt == Format.json:
            emit_json(result.to_json())
        else:
            emit_table(result.table, opts.fmt)
        note(folder_line(result.run.path))
        if result.figure_copy is not None:  # (--png: as every command's copy is said)
            note(f"figure: {result.figure_copy}")
