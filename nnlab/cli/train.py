"""``nnlab train``: a new run, a resume (``--resume``) and an extension (``--extend``)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nnlab import times
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
    read_config,
    then_report,
)
from nnlab.cli.figures import folder_line
from nnlab.cli.paths import DataDirOpt, RunsDirOpt, given_path
from nnlab.cli.render import emit, emit_json
from nnlab.numbers import count_text
from nnlab.output import Format, number

if TYPE_CHECKING:
    from nnlab.config_model import Config
    from nnlab.runs import RunDir


def epoch_lines(lines: Lines, prefix: str = "") -> Any:
    """A progress callback: one line per epoch record (``Lines`` decides which are shown)."""

    def report(record: dict[str, Any], cfg: Any) -> None:
        parts = [f"{prefix}epoch {count_text(record['epoch']):>3}/{count_text(cfg.epochs)}"]
        # (the epoch a net diverged in, epoch 0 included when its init was not finite: its
        # accuracies are of NaN scores, not results)
        diverged = bool(record.get("diverged"))
        if diverged:
            parts.append("diverged: loss or parameters not finite")
        elif record.get("loss") is not None:
            parts.append(f"loss {number(record['loss'])}")
        for split in () if diverged else cfg.splits:  # (a final_eval split: the last record only)
            acc = record.get(f"{split}_acc")
            if acc is not None:
                parts.append(f"{split}_acc {acc:.4f}")
        parts.append(times.duration(record.get("seconds", 0.0)))
        lines("  ".join(parts))

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
        import shlex

        epoch = result.summary["diverged_epoch"]
        from nnlab.redo import go_on_options

        scan = f"nnlab lr-scan {shlex.quote(str(result.run.path / 'config.yaml'))}"
        scan += go_on_options(data_dir, result.run.path)
        then = (
            f"find a step size it trains at with: {scan}"
            if epoch != 0  # (before any step: no step size helps)
            else "its initial weights are not finite: give a smaller model.init_std, or another "
            "model.init"
        )
        note(
            f"error: the run diverged at epoch {epoch} (non-finite loss or parameters); "
            f"recorded as DIVERGED; {then}"
        )
        raise typer.Exit(EXIT_FAILED)


def print_config_as(cfg: Any, fmt: Format) -> None:
    """The resolved config as config.yaml holds it (YAML), or the same as JSON (``-f json``)."""
    from nnlab.config import to_yaml

    if fmt == Format.json:
        import yaml

        emit_json(yaml.safe_load(to_yaml(cfg)))
    else:
        echo(to_yaml(cfg), nl=False)


def announce_resume(run: Any, epoch: int, said: str | None = None) -> None:
    """The line a resume starts with, once every check has passed (a refusal is one line),
    and a note the resume has (``said``: an old checkpoint taken on trust)."""
    where = f"after epoch {epoch}" if epoch >= 0 else "from the start (no checkpoint)"
    note(f"resuming {run.path} {where}")
    if said:
        note(f"note: {said}")


def resume_alone(config: Path | None, overrides: list[str], runs_dir: Path, ref: str) -> str:
    """The refusal of a config or overrides beside --resume, with the way to do what they ask:
    ``epochs=N`` alone, to train longer, is ``--extend`` (the numbers of a run that long); other
    changes are a new run of the run's config.yaml."""
    from nnlab.errors import NnlabError
    from nnlab.lookup import find_run

    given = [str(config)] if config is not None and "=" in str(config) else []
    changes = [*given, *overrides]
    from nnlab.redo import go_on_options

    try:
        folder = str(find_run(runs_dir, ref, kind="train").path)
        place = go_on_options(None, folder)  # (the new folder beside the run)
    except (NnlabError, OSError):  # (the resume's own lookup says why, once this is fixed)
        folder, place = "RUN", ""
    said = "--resume takes no config or overrides (the run folder has its config); "
    if len(changes) == 1 and changes[0].partition("=")[0].strip() == "epochs":
        return (
            said
            + f"to train it on to more epochs: nnlab train --extend {folder} {changes[0]}{place}"
        )
    text = " ".join(changes) or "KEY=VALUE"
    return (
        said
        + f"to train it with changes, start a new run of its config: nnlab train {folder}/config.yaml {text}{place}"
    )


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

    Writes <runs-dir>/<date>-<time>-<name>-<id>/ (--runs-dir, default runs; name: the config's):
    config.yaml (resolved), meta.json (status, seed, versions), metrics.jsonl (a record per
    epoch), summary.json and summary.txt, checkpoint.npz and curves.png; the last line names it.

    Example: nnlab train configs/digits-quickstart.yaml optimizer.lr=0.5 model.batchnorm=true epochs=5
    """
    from nnlab import plots

    # the figure's painter first, before the imports below: matplotlib loads on the other core
    with plots.Painter() if not print_config else nullcontext() as painter, Lines(quiet) as lines:
        if extend is not None:  # (``epochs=N`` arrives as the config argument)
            job: Any = Extended(extend, config, overrides, resume, runs_dir)
        elif resume is not None:
            job = Resumed(resume, config, overrides, runs_dir)
        else:
            job = Fresh(config, overrides, runs_dir)
        if print_config:
            return print_config_as(job.config(), fmt)
        check_report(job.root(), report)
        result = job.train(data_dir, epoch_lines(lines), threads, painter)
    with then_report(result.run.path.parent, report):
        print_run_result(result, job.cfg, fmt, data_dir)


class Fresh:
    """``train CONFIG [OVERRIDES]``: a new run of the config (read at once: a bad one is
    refused before anything else is said)."""

    def __init__(self, config: Path | None, overrides: list[str] | None, runs_dir: Path) -> None:
        if config is None:
            raise typer.BadParameter(
                "give a config file (or --resume RUN); e.g. nnlab train "
                "configs/digits-quickstart.yaml"
            )
        self.cfg, self.overrides = read_config(config, overrides), overrides or []
        self.runs_dir = runs_dir

    def config(self) -> Any:
        return self.cfg

    def root(self) -> Path:
        return self.runs_dir

    def train(self, data_dir: Path | None, progress: Any, threads: int | None, painter: Any) -> Any:
        from nnlab.experiments import train as tr

        return tr.run_training(self.cfg, data_dir=data_dir, runs_dir=self.runs_dir,
                               overrides=self.overrides, progress=progress, threads=threads,
                               painter=painter)  # fmt: skip


class Resumed:
    """``train --resume RUN``: an interrupted run continued from its checkpoint."""

    def __init__(self, ref: str, config: Path | None, overrides: Any, runs_dir: Path) -> None:
        if config is not None or overrides:
            raise typer.BadParameter(resume_alone(config, overrides or [], runs_dir, ref))
        self.ref, self.runs_dir = ref, runs_dir
        self.run: RunDir | None = None
        self.cfg: Config | None = None

    def config(self) -> Any:
        """The run's config, whatever its status (nothing is resumed)."""
        from nnlab.experiments import train as tr

        return tr.run_config(self.runs_dir, self.ref)

    def found(self) -> RunDir:
        """The run, found and checked the first time it is asked for (``root``, before a word:
        its refusals come first)."""
        from nnlab.experiments import train as tr

        if self.run is None:
            self.run, self.cfg = tr.resumable(self.runs_dir, self.ref)
        return self.run

    def root(self) -> Path:
        return self.found().path.parent

    def train(self, data_dir: Path | None, progress: Any, threads: int | None, painter: Any) -> Any:
        from nnlab.experiments import train as tr

        return tr.resume_training(self.found(), data_dir=data_dir, progress=progress,
                                  threads=threads, on_start=announce_resume,
                                  painter=painter)  # fmt: skip


class Extended:
    """``train --extend RUN epochs=N``: the run ``ref`` names, trained on in a new folder
    (``nnlab.experiments.extend``); ``cfg``: its config with the epochs given, once known."""

    def __init__(
        self, ref: str, config: Path | None, overrides: Any, resume: str | None, runs_dir: Path
    ) -> None:
        if resume is not None:
            raise typer.BadParameter("--extend and --resume: give one (--extend RUN epochs=N)")
        from nnlab import runs

        # (found whatever its files hold: --print-config reads its config.yaml alone, as
        # --resume's does; what extends it is checked whole, ``root``)
        self.run = runs.find_run(runs_dir, ref, kind="train", damaged=True)
        given = [str(config)] if config is not None else []
        self.overrides, self.runs_dir, self.cfg = [*given, *(overrides or [])], runs_dir, None

    def config(self) -> Any:
        from nnlab.experiments.extend import extended_config

        return extended_config(self.run, self.overrides)

    def root(self) -> Path:
        from nnlab import runs

        runs.usable(self.run)  # (as every folder a command uses: ``lookup.usable``)
        return self.runs_dir

    def train(self, data_dir: Path | None, progress: Any, threads: int | None, painter: Any) -> Any:
        from nnlab.experiments.extend import extend_training

        return extend_training(self.run, self.overrides, data_dir=data_dir,
                               runs_dir=self.runs_dir, progress=progress, threads=threads,
                               on_start=self.announce, painter=painter)  # fmt: skip

    def announce(self, run: Any, epoch: int, cfg: Any, said: str | None = None) -> None:
        """The line an extension starts with, once every check has passed, and a note it has
        (``said``: an old checkpoint taken on trust)."""
        self.cfg = cfg
        note(f"extending {run.path} from epoch {epoch} to {cfg.epochs}, in a new folder")
        if said:
            note(f"note: {said}")
