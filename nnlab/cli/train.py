"""``nnlab train``: a new run, a resume (``--resume``) and an extension (``--extend``)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from nnlab.cli import complete
from nnlab.cli.common import (
    EXIT_FAILED,
    FormatOpt,
    Lines,
    QuietOpt,
    ReportOpt,
    check_report,
    command,
    echo,
    note,
    then_report,
)
from nnlab.cli.figures import folder_line
from nnlab.cli.paths import DataDirOpt, RunsDirOpt, given_path
from nnlab.cli.render import emit, emit_json
from nnlab.collector import hold_again
from nnlab.output import Format


def epoch_lines(lines: Lines, prefix: str = "") -> Any:
    """A progress callback: one line per epoch record (``Lines`` decides which are shown)."""
    from nnlab.experiments.train_lines import epoch_line

    def report(record: dict[str, Any], cfg: Any) -> None:
        lines(prefix + epoch_line(record, cfg))

    return report


def print_run_result(result: Any, cfg: Any, fmt: Format, data_dir: Path | None = None) -> None:
    """The run's summary table, or its summary.json with the folder as JSON or one CSV row;
    exit 1 if it diverged, saying what to do next: the step-size table of its config, as the
    report's page offers it (``report.facts.next_steps``)."""
    from nnlab.experiments.train import summary_rows
    from nnlab.summary import ending

    if fmt == Format.json:
        emit_json({"run": str(result.run.path), **result.summary})
    elif fmt == Format.csv:  # (as -f json: one row a script reads by name)
        emit([{"run": str(result.run.path), **result.summary}], fmt)
    else:
        title = f"{result.run.id}: {ending(result.summary, cfg.epochs)}"
        emit(summary_rows(result.summary, cfg), fmt, ["metric", "final", "best"], title=title)
    note(folder_line(result.run.path))
    if result.status == "DIVERGED":
        from nnlab.experiments.train_lines import diverged_line

        note(diverged_line(result.run.path, result.summary["diverged_epoch"], data_dir))
        raise typer.Exit(EXIT_FAILED)


def print_config_as(cfg: Any, fmt: Format) -> None:
    """The resolved config as config.yaml holds it (YAML), or the same as JSON (``-f json``)."""
    from nnlab.config import to_data, to_yaml

    if fmt == Format.json:
        emit_json(to_data(cfg))
    else:
        echo(to_yaml(cfg), nl=False)


Resume = Annotated[
    str | None,
    typer.Option(
        "--resume",
        autocompletion=complete.run_refs,
        help="Continue an interrupted or killed run (folder, id prefix or 'latest') from its "
        "last checkpoint, with the config it recorded.",
    ),
]
Threads = Annotated[
    int | None,
    typer.Option("--threads", help="BLAS threads (default: 1 for nets whose matrix products are "
                 "small, where more threads only add overhead; all cores for large ones).",
                 min=1, max=1024, show_default=False),
]  # fmt: skip

Extend = Annotated[
    str | None,
    typer.Option(
        "--extend",
        autocompletion=complete.run_refs,
        help="Train a COMPLETED run (folder, id prefix or 'latest') on to more epochs in a new "
        "folder, with the numbers a run of that many epochs from the start gives: "
        "--extend latest epochs=40.",
        show_default=False,
    ),
]
PrintConfig = Annotated[
    bool,
    typer.Option("--print-config", help="Print the resolved config and exit (with --resume: the "
                 "run's, whatever its status; nothing is resumed)."),
]  # fmt: skip


@command()
def train(
    config: Annotated[
        Path | None,
        typer.Argument(help="YAML config file.", show_default=False, parser=given_path),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Argument(
            help="Overrides as key.sub=value, e.g. optimizer.lr=0.1 epochs=5 (every key: nnlab "
            "config keys).",
            show_default=False,
            autocompletion=complete.overrides,
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    resume: Resume = None,
    extend: Extend = None,
    threads: Threads = None,
    report: ReportOpt = False,
    print_config: PrintConfig = False,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Train one network as a config describes; write a run folder.

    Writes <runs-dir>/<date>-<time>-<name>-<id>/ (--runs-dir, default runs; name: the config's,
    its dataset word the dataset it trains on: mnist-1000 dataset.name=digits, digits-1000):
    config.yaml (resolved), meta.json (status, seed, versions), metrics.jsonl (a record per
    epoch), summary.json and summary.txt, checkpoint.npz and curves.png; the last line names it.

    Example: nnlab train configs/digits-quickstart.yaml optimizer.lr=0.5 model.batchnorm=true epochs=5
    """
    hold_again()  # (the set-up is start-up too: no collections until the loop, nnlab.collector)
    from nnlab import plots
    from nnlab.experiments.train_job import train_job

    # the figure's painter first, before the imports below: matplotlib loads on the other core
    with plots.Painter() if not print_config else nullcontext() as painter, Lines(quiet) as lines:
        job = train_job(config, overrides, runs_dir, resume, extend, say=note)
        if print_config:
            return print_config_as(job.config(), fmt)
        check_report(job.root(), report)
        result = job.train(data_dir, epoch_lines(lines), threads, painter)
    with then_report(result.run.path.parent, report):
        print_run_result(result, job.cfg, fmt, data_dir)
