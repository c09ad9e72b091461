"""``nnlab activations``: DLFS histograms of hidden-layer activations, of random inputs through
nets of each activation and init (``--batchnorm``: with BatchNorm), or of a training run's net
(``--run``) with its initial and its trained weights."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.models import OptionInfo

from nnlab.cli import complete
from nnlab.cli.common import (
    Lines,
    Output,
    command,
    given_params,
    note,
    seed_option,
    then_report,
)
from nnlab.cli.figures import copy_figure, folder_line
from nnlab.cli.helpwords import one_of
from nnlab.cli.render import emit_json, emit_table
from nnlab.cli.resuming import alone_with_resume, check_report_of, redo_option
from nnlab.cli.usage import name_of
from nnlab.output import Format

Choices = list[str] | None


def choices(flags: tuple[str, ...], values: tuple[str, ...], help: str) -> OptionInfo:
    """A repeatable option whose ``values`` may also be comma-separated (of
    ``Annotated[Choices, choices(...)]``); ``-h`` shows them (``one_of``), all by default."""
    return typer.Option(*flags, metavar=one_of(*values), help=help, show_default="all")


# nnlab.experiments.activations' ACTIVATION_NAMES and INITS (named here: --help imports neither)
ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("std1", "std0.01", "xavier", "he")


ActivationChoice = Annotated[
    Choices,
    choices(
        ("--activation", "-a"),
        ACTIVATIONS,
        "Activation(s), repeatable or comma-separated.",
    ),
]
InitChoice = Annotated[
    Choices,
    choices(
        ("--init", "-i"),
        INITS,
        "Weight init(s), repeatable or comma-separated.",
    ),
]


HistogramsResume = Annotated[str | None, redo_option("activations run")]
TrainedRun = Annotated[
    str | None,
    typer.Option("--run", help="A training run (folder, id prefix or 'latest'): its own net's "
                 "layers on its first --samples train inputs, with its initial and its trained "
                 "weights.", autocompletion=complete.run_refs, show_default=False),
]  # fmt: skip
# what a run's config decides: refused beside --run
OF_THE_NET = ("activation", "init", "layers", "units", "seed", "batchnorm")
BATCHNORM_HELP = (
    "A BatchNorm between each Affine and its activation, normalising by the inputs' own "
    "statistics (DLFS 6.3): same weights."
)

Samples = Annotated[
    int,
    typer.Option(
        "--samples",
        help="Random N(0,1) inputs (--run: the run's first N train inputs).",
        min=2,
        max=1_000_000,
    ),
]


@command(Output)
def activations(
    activation: ActivationChoice = None,
    init: InitChoice = None,
    layers: Annotated[int, typer.Option("--layers", help="Hidden layers.", min=1, max=100)] = 5,
    units: Annotated[
        int, typer.Option("--units", help="Units per layer (and inputs).", min=1, max=10_000)
    ] = 100,
    samples: Samples = 1000,
    seed: Annotated[int, seed_option("Seed of inputs and weights.")] = 0,
    batchnorm: Annotated[bool, typer.Option("--batchnorm", help=BATCHNORM_HELP)] = False,
    run: TrainedRun = None,
    resume: HistogramsResume = None,
    *,
    opts: Output,
) -> None:
    """DLFS activation histograms per layer, by activation function and weight init.

    Writes <runs-dir>/<date>-<time>-activations-<id>/ (with --run: activations-<run's name>-<id>):
    activations.png, the table (summary.json, summary.txt) and meta.json; the last line names it.

    Example: nnlab activations --activation sigmoid,relu --init std1,xavier,he --png activations.png

    Example: nnlab activations --run latest --png trained-activations.png
    """
    from nnlab.experiments.activations_run import run_activations

    alone_with_resume(resume)
    not_with_run(run)
    check_report_of("activations", resume, opts.out, opts.runs_dir, opts.report)
    with Lines(opts.quiet) as lines:
        result = run_activations(
            activation, init, run=run, resume=resume, layers=layers, units=units,
            samples=samples, seed=seed, batchnorm=batchnorm, data_dir=opts.data_dir,
            runs_dir=opts.runs_dir, out=opts.out, progress=lines, say=note,
        )  # fmt: skip
    show_histograms(result, opts)


def show_histograms(result: Any, opts: Output) -> None:
    """The folder's table (or JSON) on stdout, its path, the figure copied to ``--png``, and
    the report made if asked."""
    from nnlab.experiments.activations import summary_table

    summary = result.run.summary()
    with then_report(result.run.path.parent, opts.report):
        if opts.fmt == Format.json:
            emit_json({"run": str(result.run.path), **summary})
        else:
            emit_table(summary_table(summary), opts.fmt)
        note(folder_line(result.run.path))
        copy_figure(result.run.file("activations.png"), opts.png)


def not_with_run(run: str | None) -> None:
    """An option of the net (``OF_THE_NET``) given beside ``--run``, whose config decides it,
    is refused, naming it; so is ``--data-dir`` without ``--run`` (the inputs are random)."""
    for param in given_params(command_line=True):
        if run is not None and param.name in OF_THE_NET:
            raise typer.BadParameter(
                "not with --run, whose config decides the net; beside it give --samples, "
                "--data-dir and the output options",
                param_hint=name_of(param),
            )
        if run is None and param.name == "data_dir":
            raise typer.BadParameter(
                "only with --run: without it the inputs are random", param_hint=name_of(param)
            )
