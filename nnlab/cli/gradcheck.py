"""``nnlab gradcheck``: analytic gradients against centred finite differences."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from nnlab.cli.common import (
    EXIT_FAILED,
    Lines,
    Output,
    OverridesArg,
    bounded,
    command,
    echo,
    given_options,
    note,
    say,
    seed_option,
    then_report,
)
from nnlab.cli.figures import copy_figure, folder_line
from nnlab.cli.paths import NEW_FOLDER, given_path, out_option, png_path, runs_root
from nnlab.cli.render import emit, emit_json
from nnlab.cli.resuming import alone_with_resume, check_report_of, redo_option
from nnlab.output import Format, to_csv


def render_blocks(blocks: list[Any], fmt: Format) -> None:
    """A report's text lines and (title, rows) tables, in order."""
    for block in blocks:
        if isinstance(block, str):
            say(block)
        else:
            title, rows = block
            emit(rows, fmt, title=title)


Config = Annotated[
    Path | None,
    typer.Argument(help="YAML config whose network to check (none: built-in set).",
                   show_default=False, parser=given_path),
]  # fmt: skip
Eps = Annotated[
    float,
    bounded(float, "--eps", "Finite-difference step (centred).", 0, 1, above=True, default=1e-5),
]
Batch = Annotated[
    int, typer.Option("--batch", help="Samples in the checked batch (>= 2 for BatchNorm).", min=1,
                      max=4096),
]  # fmt: skip
MaxEntries = Annotated[
    int, typer.Option("--max-entries", help="Check at most this many random entries per "
                      "parameter.", min=1, max=1_000_000),
]  # fmt: skip
CompareDifferences = Annotated[
    bool, typer.Option("--compare-differences", help="Forward vs centred differences over steps "
                       "1e-1..1e-10 for one parameter, with a figure (in a folder under "
                       "--runs-dir)."),
]  # fmt: skip
# The plain check writes no folder or figure and checks every parameter: these options are
# --compare-differences' only (given without it, each is refused), and their help says so.
ONLY = "With --compare-differences only: "
Param = Annotated[
    str | None,
    typer.Option(
        "--param",
        help=f"{ONLY}the parameter it checks, as layer.param in the check's table "
        "(affine2.W, bn1.gamma; default: affine1.W, the first Affine's weights).",
    ),
]
GradcheckRunsDir = Annotated[
    Path,
    typer.Option("--runs-dir", envvar="NNLAB_RUNS_DIR", help=f"{ONLY}root folder for its run "
                 "folder.", parser=given_path, callback=runs_root),
]  # fmt: skip
GradcheckOut = Annotated[Path | None, out_option(f"{ONLY}{NEW_FOLDER[0].lower()}{NEW_FOLDER[1:]}.")]
GradcheckPng = Annotated[
    Path | None,
    typer.Option("--png", help=f"{ONLY}also copy its figure to this .png file (its folder keeps its own).",
                 parser=given_path, callback=png_path),
]  # fmt: skip
GradcheckReportOpt = Annotated[
    bool,
    typer.Option("--report", envvar="NNLAB_REPORT", help=f"{ONLY}then rebuild the HTML report "
                 "(<runs-dir>/report, as 'nnlab report') and print its path."),
]  # fmt: skip


DifferencesResume = Annotated[str | None, redo_option("--compare-differences")]


@dataclasses.dataclass(frozen=True)
class GradcheckOutput(Output):
    """``Output``, each option of a folder saying it is --compare-differences' only."""

    runs_dir: GradcheckRunsDir = Path("runs")
    out: GradcheckOut = None
    png: GradcheckPng = None
    report: GradcheckReportOpt = False


@command(GradcheckOutput)
def gradcheck(
    config: Config = None,
    overrides: OverridesArg = None,
    eps: Eps = 1e-5,
    batch: Batch = 8,
    max_entries: MaxEntries = 200,
    seed: Annotated[int, seed_option("Seed of the batch and the entry subsets.")] = 0,
    compare_differences: CompareDifferences = False,
    param: Param = None,
    resume: DifferencesResume = None,
    *,
    opts: GradcheckOutput,
) -> None:
    """Check analytic gradients against centred finite differences (float64); exit 1 on a fail.

    Writes nothing; --compare-differences writes <runs-dir>/<date>-<time>-gradcheck-differences-<id>/
    (differences.json, differences.png, meta.json; of a config, its config.yaml too), named in
    the last line.

    Example: nnlab gradcheck   |   nnlab gradcheck configs/digits-quickstart.yaml model.batchnorm=true
    """
    from nnlab.experiments import differences as df, gradcheck as gc, gradcheck_report as gr
    from nnlab.experiments.gradcheck_config import check_config_path

    check_config_path(config)
    alone_with_resume(resume, "compare_differences")  # (which a resume does: it may be said)
    folder = compare_differences or resume is not None  # (the plain check writes none)
    if not folder:
        refuse_compare_only(out=opts.out, png=opts.png, param=param, report=opts.report)
    check_report_of("gradcheck", resume, opts.out, opts.runs_dir, opts.report and folder)
    settings = gc.CheckSettings(eps, batch, max_entries, seed)
    with Lines(opts.quiet) as lines:
        checked = gr.check_gradients(
            config, overrides, settings, compare_differences=compare_differences, resume=resume,
            param=param, data_dir=opts.data_dir, runs_dir=opts.runs_dir, out=opts.out,
            progress=lines, say=note,
        )  # fmt: skip
    if isinstance(checked, df.DifferencesReport):
        return show_differences(checked, opts.fmt, opts.png, opts.report)
    show(checked, opts.fmt)
    for line in checked.failures():  # beside the table, or on stderr beside JSON / CSV
        (note if opts.fmt != Format.table else say)(line)
    if not checked.ok:
        raise typer.Exit(EXIT_FAILED)


def show_differences(diff: Any, fmt: Format, png: Path | None, report: bool) -> None:
    """--compare-differences' table, its folder and its figure (``--png``: a copy)."""
    with then_report(diff.png.parent.parent, report):
        show(diff, fmt)
        note(folder_line(diff.png.parent))  # (as every command that makes a folder says)
        copy_figure(diff.png, png)


def refuse_compare_only(**given: Any) -> None:
    """The options of --compare-differences, given to the plain check, refused (it has no
    folder, figure or param): ``--report`` only when given on the command line, for
    NNLAB_REPORT=1 asks it of every command that makes a folder."""
    from nnlab.experiments.gradcheck_report import COMPARE_ONLY

    given["report"] = given["report"] and "report" in given_options(command_line=True)
    for name, value in given.items():
        if value not in (None, False):
            raise typer.BadParameter(COMPARE_ONLY, param_hint=f"--{name}")


def show(report: Any, fmt: Format) -> None:
    if fmt == Format.json:
        emit_json(report.to_json())
    elif fmt == Format.csv:
        echo(to_csv(report.csv_rows()), nl=False)
    else:
        render_blocks(report.blocks(), fmt)
