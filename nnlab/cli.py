"""nnlab's command line: thin Typer commands that parse arguments, call one library function
and print its result. Results go to stdout, progress and logs to stderr. Exit codes: 0 ok,
1 the run failed, 2 bad usage or config, 3 some sweep trials failed, 130 interrupted.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from nnlab import __version__
from nnlab.errors import NnlabError
from nnlab.output import Format

app = typer.Typer(
    help="Reproducible neural-network training-technique experiments on a NumPy core.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TRIALS_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

_state = {"debug": False}

F = TypeVar("F", bound=Callable[..., Any])

# Exceptions typer turns into usage messages and exit codes itself. Older typer re-exports
# click's classes; recent typer vendors its own copy of click (and does not install click), so
# the base classes are taken from typer's own BadParameter rather than imported from click.
_PASS_THROUGH = tuple(
    {
        typer.Exit,
        typer.Abort,
        *(
            c
            for c in typer.BadParameter.__mro__
            if c.__name__ in ("ClickException", "TyperException")
        ),
    }
)


def handle_errors(fn: F) -> F:
    """Turn expected errors into one line on stderr and an exit code (``--debug``: traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except _PASS_THROUGH:
            raise
        except NnlabError as exc:
            if _state["debug"]:
                raise
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # a bug, not a user error: say so in one line
            if _state["debug"]:
                raise
            typer.echo(
                f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                err=True,
            )
            raise typer.Exit(EXIT_FAILED) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nnlab {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks for errors.")
    ] = False,
) -> None:
    """Reproducible neural-network training-technique experiments on a NumPy core."""
    _state["debug"] = debug


def emit(
    rows: list[dict[str, Any]],
    fmt: Format,
    columns: list[str] | None = None,
    title: str | None = None,
) -> None:
    """Print result rows to stdout as a rich table, JSON or CSV."""
    from nnlab import output

    if fmt == Format.json:
        typer.echo(output.to_json(rows))
    elif fmt == Format.csv:
        typer.echo(output.to_csv(rows, columns), nl=False)
    else:
        from rich.console import Console

        Console().print(output.render_table(rows, columns, title))


FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, json or csv.")
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", envvar="NNLAB_DATA_DIR", help="Folder holding data files (mnist/, ...)."
    ),
]
RunsDirOpt = Annotated[
    Path, typer.Option("--runs-dir", envvar="NNLAB_RUNS_DIR", help="Root folder for run folders.")
]


# --- train, runs -------------------------------------------------------------------------
def epoch_reporter(quiet: bool = False, prefix: str = "") -> Callable[[dict[str, Any], Any], None]:
    """A progress callback that writes one line per epoch to stderr."""

    def report(record: dict[str, Any], cfg: Any) -> None:
        if quiet:
            return
        parts = [f"{prefix}epoch {record['epoch']:>3}/{cfg.epochs}"]
        if record.get("loss") is not None:
            parts.append(f"loss {record['loss']:.4f}")
        for split in cfg.eval:
            acc = record.get(f"{split}_acc")
            if acc is not None:
                parts.append(f"{split}_acc {acc:.4f}")
        parts.append(f"{record.get('seconds', 0.0):.2f}s")
        typer.echo("  ".join(parts), err=True)

    return report


def _print_run_result(result: Any, cfg: Any, fmt: Format) -> None:
    from nnlab.experiments.train import summary_rows

    if fmt == Format.json:
        from nnlab.output import to_json

        typer.echo(to_json({"run": str(result.run.path), **result.summary}))
        return
    rows = summary_rows(result.summary, cfg)
    emit(rows, fmt, ["metric", "final", "best"], title=f"{result.run.id}: {result.status}")
    typer.echo(f"run folder: {result.run.path}", err=True)
    if result.status == "DIVERGED":
        typer.echo(
            f"error: the run diverged at epoch {result.summary['epochs']} (non-finite loss or "
            "parameters); recorded as DIVERGED",
            err=True,
        )
        raise typer.Exit(EXIT_FAILED)


@app.command()
@handle_errors
def train(
    config: Annotated[
        Path | None, typer.Argument(help="YAML config file.", show_default=False)
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Argument(
            help="Overrides as key.sub=value, e.g. optimizer.lr=0.1.", show_default=False
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume", help="Continue an interrupted run (folder, id prefix or 'latest')."
        ),
    ] = None,
    print_config: Annotated[
        bool, typer.Option("--print-config", help="Print the resolved config and exit.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No per-epoch progress on stderr.")
    ] = False,
    fmt: FormatOpt = Format.table,
    report: ReportOpt = False,
) -> None:
    """Train one network as a config describes; write a run folder.

    Example: nnlab train configs/digits-quickstart.yaml optimizer.lr=0.05 epochs=20
    """
    from nnlab import runs
    from nnlab.config import load_config, to_yaml
    from nnlab.experiments.train import (
        check_resumable,
        load_run_config,
        resume_training,
        run_training,
    )

    if resume is not None:
        if config is not None or overrides:
            raise typer.BadParameter(
                "--resume takes no config or overrides (the run folder has its config)"
            )
        run = runs.find_run(runs_dir, resume)
        check_resumable(run)  # before saying "resuming": a refusal is one line
        cfg = load_run_config(run)
        typer.echo(f"resuming {run.path}", err=True)
        result = resume_training(run, data_dir=data_dir, progress=epoch_reporter(quiet))
        if report:
            _refresh_report(result.run.path.parent)
        _print_run_result(result, cfg, fmt)
        return
    if config is None:
        raise typer.BadParameter(
            "give a config file (or --resume RUN); e.g. nnlab train configs/digits-quickstart.yaml"
        )
    cfg = load_config(config, overrides or [])
    if print_config:
        typer.echo(to_yaml(cfg), nl=False)
        return
    result = run_training(
        cfg,
        data_dir=data_dir,
        runs_dir=runs_dir,
        overrides=overrides or [],
        progress=epoch_reporter(quiet),
    )
    if report:
        _refresh_report(result.run.path.parent)
    _print_run_result(result, cfg, fmt)


runs_app = typer.Typer(help="List, show and compare run folders.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")


@runs_app.command("list")
@handle_errors
def runs_list(runs_dir: RunsDirOpt = Path("runs"), fmt: FormatOpt = Format.table) -> None:
    """List the runs under the runs folder, oldest first.

    Example: nnlab runs list --format csv
    """
    from nnlab.experiments.train import list_runs

    rows = list_runs(runs_dir)
    if not rows and fmt == Format.table:
        typer.echo(f"no runs under {runs_dir}", err=True)
        return
    emit(rows, fmt, title=f"runs in {runs_dir}")


@runs_app.command("show")
@handle_errors
def runs_show(
    run: Annotated[str, typer.Argument(help="Run folder, id prefix, or 'latest'.")],
    runs_dir: RunsDirOpt = Path("runs"),
    fmt: FormatOpt = Format.table,
) -> None:
    """Show one run: its status, config, summary and per-epoch metrics.

    Example: nnlab runs show latest
    """
    from nnlab import runs as runs_mod
    from nnlab.output import to_json

    found = runs_mod.find_run(runs_dir, run)
    meta, metrics = found.meta, found.metrics()
    summary = found.read_json("summary.json") if found.file("summary.json").exists() else {}
    if fmt == Format.json:
        typer.echo(
            to_json(
                {
                    "run": str(found.path),
                    "status": found.status,
                    "meta": meta,
                    "summary": summary,
                    "metrics": metrics,
                }
            )
        )
        return
    if fmt == Format.csv:
        emit(metrics, fmt)
        return
    typer.echo(
        f"run     {found.path}\nstatus  {found.status}\nstarted {meta.get('started')}  ended {meta.get('ended')}"
    )
    typer.echo(f"argv    {' '.join(meta.get('argv', []))}")
    if found.file("summary.txt").exists():
        typer.echo(found.file("summary.txt").read_text(), nl=False)
    emit(metrics, fmt, title="metrics per epoch")


# --- data -----------------------------------------------------------------------------------
data_app = typer.Typer(
    help="List the datasets and fetch the ones that need files.", no_args_is_help=True
)
app.add_typer(data_app, name="data")


class FetchTarget(str, Enum):
    mnist = "mnist"


class MnistPart(str, Enum):
    t10k = "t10k"
    train = "train"


@data_app.command("list")
@handle_errors
def data_list(data_dir: DataDirOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the datasets and whether each is available in the data dir.

    Example: nnlab data list --data-dir ../shared/data
    """
    from nnlab.data import resolve_data_dir
    from nnlab.data.registry import availability

    where = resolve_data_dir(data_dir)
    rows = availability(where)
    emit(rows, fmt, ["dataset", "status", "location", "description"], title=f"datasets ({where})")


@data_app.command("fetch")
@handle_errors
def data_fetch(
    dataset: Annotated[FetchTarget, typer.Argument(help="Dataset to download (mnist).")],
    data_dir: DataDirOpt = None,
    mirror: Annotated[
        list[str] | None,
        typer.Option("--mirror", help="Base URL to try (repeatable; default: two public mirrors)."),
    ] = None,
    only: Annotated[
        list[MnistPart] | None,
        typer.Option(
            "--only", help="Fetch only this part: t10k (10,000 images) or train (60,000)."
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Download a dataset's files into the data dir, checking the decompressed payloads.

    Example: nnlab data fetch mnist --only t10k --data-dir data
    """
    from nnlab.data import resolve_data_dir
    from nnlab.data.fetch import fetch_mnist

    dest = resolve_data_dir(data_dir)
    which = [p.value for p in only] if only else ["t10k", "train"]
    paths = fetch_mnist(dest, mirror or None, which, progress=lambda msg: typer.echo(msg, err=True))
    rows = [{"file": p.name, "bytes": p.stat().st_size, "path": str(p)} for p in paths]
    emit(rows, fmt, ["file", "bytes", "path"], title=f"{dataset.value} in {dest / 'mnist'}")


# --- sweep ----------------------------------------------------------------------------------
sweep_app = typer.Typer(
    help=(
        "Run many trainings that differ in a few config keys (grid, random search, presets) "
        "into one sweep folder; 'nnlab sweep --resume SWEEP' continues a stopped sweep."
    ),
)
app.add_typer(sweep_app, name="sweep")

JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        help="Worker processes. Every trial runs with BLAS pinned to 1 thread (also with 1 job), "
        "so results are identical for any N.",
    ),
]
StackOpt = Annotated[
    int,
    typer.Option(
        "--stack",
        help="Trials that differ only in seed, init (model.init, model.init_std), optimizer.lr "
        "or weight_decay train side by side in stacks of up to N nets, with the numbers each "
        "has alone; 1 trains each alone.",
    ),
]
ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        help="local (worker processes on this machine) or dask (a Dask cluster: --scheduler, "
        "else a local cluster of --jobs workers; pip install 'nnlab\\[dask]').",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address (tcp://host:8786); implies --executor dask.",
    ),
]
SeedOpt = Annotated[
    int | None,
    typer.Option(
        "--seed",
        help="Sweep seed that trial seeds derive from (default: the spec's, else the config's).",
    ),
]
NameOpt = Annotated[
    str | None,
    typer.Option("--name", help="Sweep name (folder <runs-dir>/<stamp>-sweep-<name>-<id>)."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]
SweepArgs = Annotated[
    list[str] | None,
    typer.Argument(
        help="key=v1,v2,... is an axis (a comma makes a list of values; [..] keeps a list whole: "
        "model.hidden=[100],[50,50]); key=logspace:START:STOP:N or linspace:START:STOP:N is a "
        "grid range; key=loguniform:LOW:HIGH, uniform:LOW:HIGH, randint:LOW:HIGH or choice:x,y is a "
        "random distribution; "
        "key=v (one value) is a fixed override, and removes that key's axis if it had one.",
        show_default=False,
    ),
]


class SweepProgress:
    """The sweep's progress on stderr: a rich bar on a terminal, else a line per finished trial."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.task: Any = None
        self.run: Any = None
        self.failed = 0

    def __enter__(self) -> SweepProgress:
        return self

    def __exit__(self, kind: Any, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()
        if kind is KeyboardInterrupt and self.run is not None:
            typer.echo(f"continue with: nnlab sweep --resume {self.run.path}", err=True)

    def start(self, run: Any, done: int, total: int) -> None:
        self.run = run
        if self.quiet:
            return
        typer.echo(f"sweep folder: {run.path} ({total} trials, {done} already done)", err=True)
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("sweep"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=total, completed=done)

    @staticmethod
    def describe(row: dict[str, Any]) -> str:
        """``<trial> key=value ... STATUS train_acc 0.9 test_acc 0.8 (1.2s)`` for one row."""
        names = list(row)
        keys = names[names.index("trial") + 1 : names.index("seed")] if "seed" in row else []
        parts = [row["trial"]]
        for key in keys:
            value = row[key]
            parts.append(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}")
        parts.append(row["status"])
        for key, value in row.items():
            if key.startswith("final_") and key.endswith("_acc") and value is not None:
                parts.append(f"{key[len('final_') :]} {value:.4f}")
        if row.get("error"):
            parts.append(str(row["error"]).splitlines()[0][:120])
        elif row.get("seconds") is not None:
            parts.append(f"({row['seconds']:.1f}s)")
        return " ".join(parts)

    def trial(self, done: int, total: int, row: dict[str, Any]) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.failed += row["status"] == "FAILED"
            failed = f"  {self.failed} FAILED" if self.failed else ""
            last = f"last: {row['trial']} {row['status']}{failed}"
            self.bar.update(self.task, completed=done, description=last)
        else:
            typer.echo(f"[{done}/{total}] {self.describe(row)}", err=True)


def _print_sweep(result: Any, fmt: Format, quiet: bool = False) -> None:
    """The sweep's table (a preset's own view for presets) on stdout; exit 3 if a trial FAILED."""
    from nnlab.experiments import sweep as sw

    rows = result.rows
    title = f"{result.run.id}: {result.status}"
    if result.defn.preset == "weight-scale":
        from nnlab.experiments import weight_scale as ws

        if fmt == Format.table:
            emit(ws.pair_rows(rows), fmt, ws.PAIR_COLUMNS, title=f"{title}: {ws.PAIR_TITLE}")
        else:
            emit(ws.trial_objects(rows), fmt)
    elif fmt == Format.table:
        columns = sw.summary_columns(rows, list(result.defn.spec.params), wide=False)
        emit(rows, fmt, columns, title=title)
    else:
        emit(rows, fmt)
    if not quiet:
        typer.echo(
            f"sweep folder: {result.run.path}  ({len(result.ran)} run, {len(result.resumed)} "
            f"resumed, {len(result.skipped)} already done; {result.seconds:.1f} s)",
            err=True,
        )
    if result.failed:
        first = result.failed[0]
        typer.echo(
            f"error: {len(result.failed)} of {len(rows)} trials FAILED (e.g. {first['trial']}: "
            f"{first.get('error')}); rerun them with: nnlab sweep --resume {result.run.path}",
            err=True,
        )
        raise typer.Exit(EXIT_TRIALS_FAILED)


@dataclass(frozen=True)
class Execution:
    """How a sweep's trials run: workers, stack size, executor; and whether the HTML report is
    rebuilt after it (``--report``)."""

    jobs: int = 1
    stack: int = 8
    executor: str = "local"
    scheduler: str | None = None
    report: bool = False


def _sweep(start: Callable[..., Any], how: Execution, fmt: Format, quiet: bool) -> None:
    """Run ``start`` (``run_sweep`` or ``resume_sweep`` with its target bound) on the executor
    ``how`` describes, with progress on stderr; print the result."""
    from nnlab.experiments.sweep import make_executor

    with closing(make_executor(how.jobs, how.executor, how.scheduler)) as executor:
        with SweepProgress(quiet) as progress:
            result = start(
                jobs=how.jobs,
                stack=how.stack,
                executor=executor,
                on_start=progress.start,
                on_trial=progress.trial,
            )
    if how.report:
        _refresh_report(result.run.path.parent)
    _print_sweep(result, fmt, quiet)


def _run_sweep(
    defn: Any, data_dir: Path | None, runs_dir: Path, how: Execution, fmt: Format, quiet: bool
) -> None:
    from nnlab.experiments.sweep import run_sweep

    _sweep(
        functools.partial(run_sweep, defn, data_dir=data_dir, runs_dir=runs_dir), how, fmt, quiet
    )


def _resume_sweep(
    ref: str, data_dir: Path | None, runs_dir: Path, how: Execution, fmt: Format, quiet: bool
) -> None:
    from nnlab import runs
    from nnlab.experiments.sweep import resume_sweep

    run = runs.find_run(runs_dir, ref)
    _sweep(functools.partial(resume_sweep, run, data_dir=data_dir), how, fmt, quiet)


@sweep_app.callback(invoke_without_command=True)
@handle_errors
def sweep_main(
    ctx: typer.Context,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            help="Continue a stopped sweep (folder, id prefix or 'latest'): only missing, "
            "interrupted or FAILED trials run.",
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    jobs: JobsOpt = 1,
    stack: StackOpt = 8,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
    report: ReportOpt = False,
) -> None:
    """Sweeps: grid, random and preset sweeps into one folder; --resume continues one.

    Example: nnlab sweep --resume latest --jobs 2
    """
    if resume is None:
        if ctx.invoked_subcommand is None:
            typer.echo(ctx.get_help())
        return
    if ctx.invoked_subcommand is not None:
        raise typer.BadParameter("--resume takes no subcommand", param_hint="--resume")
    _resume_sweep(
        resume, data_dir, runs_dir, Execution(jobs, stack, executor, scheduler, report), fmt, quiet
    )


@sweep_app.command("resume")
@handle_errors
def sweep_resume(
    sweep: Annotated[str, typer.Argument(help="Sweep folder, id prefix or 'latest'.")],
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    jobs: JobsOpt = 1,
    stack: StackOpt = 8,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
    report: ReportOpt = False,
) -> None:
    """Continue a stopped sweep: finished trials are kept, the rest run (same as --resume).

    Example: nnlab sweep resume runs/20260101-120000-sweep-weight-scale-digits-a1b2c3
    """
    _resume_sweep(
        sweep, data_dir, runs_dir, Execution(jobs, stack, executor, scheduler, report), fmt, quiet
    )


class WeightScaleData(str, Enum):
    digits = "digits"
    mnist = "mnist"


@sweep_app.command("weight-scale")
@handle_errors
def sweep_weight_scale(
    args: SweepArgs = None,
    dataset: Annotated[
        WeightScaleData,
        typer.Option(
            "--dataset",
            help="digits (bundled, no download) or mnist (the book's; needs --data-dir).",
        ),
    ] = WeightScaleData.digits,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    jobs: JobsOpt = 1,
    stack: StackOpt = 8,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    seed: SeedOpt = None,
    name: NameOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
    report: ReportOpt = False,
) -> None:
    """DLFS 6.3.3: 16 weight-init scales x BatchNorm on/off, 5x100 ReLU nets, SGD, 20 epochs.

    The table has one row per scale (final train/test accuracy with and without BatchNorm);
    --format json|csv gives one object per trial. Plots: weight-scale.png (4x4 accuracy curves)
    and weight-scale-summary.png in the sweep folder.

    Example: nnlab sweep weight-scale --dataset mnist --data-dir ../shared/data --jobs 2
    """
    from nnlab.experiments.weight_scale import weight_scale_sweep

    defn = weight_scale_sweep(dataset.value, args or [], seed=seed, name=name)
    _run_sweep(
        defn, data_dir, runs_dir, Execution(jobs, stack, executor, scheduler, report), fmt, quiet
    )


ConfigArg = Annotated[
    Path,
    typer.Argument(help="YAML config (its 'sweep:' section, if any, is used).", show_default=False),
]


@sweep_app.command("grid")
@handle_errors
def sweep_grid(
    config: ConfigArg,
    args: SweepArgs = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    jobs: JobsOpt = 1,
    stack: StackOpt = 8,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    seed: SeedOpt = None,
    name: NameOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
    report: ReportOpt = False,
) -> None:
    """Every combination of the given values (key=v1,v2: an axis; key=v: a fixed override).

    Example: nnlab sweep grid configs/digits-quickstart.yaml optimizer.lr=0.1,0.01 model.dropout=0,0.5
    """
    from nnlab.experiments.sweep import sweep_from_file

    defn = sweep_from_file(config, args or [], kind="grid", seed=seed, name=name)
    _run_sweep(
        defn, data_dir, runs_dir, Execution(jobs, stack, executor, scheduler, report), fmt, quiet
    )


@sweep_app.command("random")
@handle_errors
def sweep_random(
    config: ConfigArg,
    args: SweepArgs = None,
    trials: Annotated[
        int | None,
        typer.Option(
            "--trials",
            "-n",
            help="Number of random trials (required unless the file's sweep: section sets it).",
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    jobs: JobsOpt = 1,
    stack: StackOpt = 8,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    seed: SeedOpt = None,
    name: NameOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
    report: ReportOpt = False,
) -> None:
    """Random search: each trial draws every key from its distribution (seeded by the sweep seed).

    Example: nnlab sweep random configs/digits-quickstart.yaml --trials 20 optimizer.lr=loguniform:1e-4:1 model.dropout=uniform:0:0.5
    """
    from nnlab.experiments.sweep import sweep_from_file

    defn = sweep_from_file(config, args or [], kind="random", trials=trials, seed=seed, name=name)
    _run_sweep(
        defn, data_dir, runs_dir, Execution(jobs, stack, executor, scheduler, report), fmt, quiet
    )


@sweep_app.command("run")
@handle_errors
def sweep_run(
    config: Annotated[
        str,
        typer.Argument(
            help="YAML config with a 'sweep:' section, or a preset name (weight-scale).",
            show_default=False,
        ),
    ],
    args: SweepArgs = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    jobs: JobsOpt = 1,
    stack: StackOpt = 8,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    seed: SeedOpt = None,
    name: NameOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
    report: ReportOpt = False,
) -> None:
    """Run the sweep a config file's 'sweep:' section describes (args add axes or fix keys).

    Example: nnlab sweep run my-sweep.yaml --jobs 2 epochs=5
    """
    from nnlab.experiments.sweep import sweep_from_file

    defn = sweep_from_file(config, args or [], seed=seed, name=name)
    _run_sweep(
        defn, data_dir, runs_dir, Execution(jobs, stack, executor, scheduler, report), fmt, quiet
    )


@runs_app.command("compare")
@handle_errors
def runs_compare(
    refs: Annotated[
        list[str],
        typer.Argument(
            help="Run or sweep folders (paths, id prefixes or 'latest'); a sweep stands for its trials.",
            show_default=False,
        ),
    ],
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            "-s",
            help="Column to sort by, best first (accuracies descending, others ascending).",
        ),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Flip the sort order.")] = False,
    top: Annotated[
        int | None, typer.Option("--top", "-n", help="Show only the first N rows.")
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option(
            "--png",
            help="Also draw each run's train and test accuracy per epoch, side by side, the "
            "gap shaded (e.g. docs/overfitting.png).",
        ),
    ] = None,
    runs_dir: RunsDirOpt = Path("runs"),
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare runs (or a sweep's trials): the config keys they differ in, final accuracies and
    the train - test gap (json/csv: also seed, best metrics and losses).

    Example: nnlab runs compare latest --sort final_test_acc --top 5
    """
    from nnlab.experiments.compare import compare_runs

    rows, columns = compare_runs(refs, runs_dir, sort=sort, top=top, reverse=reverse, png=png)
    title = f"{len(rows)} runs" + (f", sorted by {sort}" if sort else "")
    emit(rows, fmt, columns if fmt == Format.table else None, title=title)


# --- gradcheck ------------------------------------------------------------------------------
@app.command()
@handle_errors
def gradcheck(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="YAML config whose network to check (none: built-in set).", show_default=False
        ),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Argument(
            help="Overrides as key.sub=value, e.g. model.batchnorm=true.", show_default=False
        ),
    ] = None,
    eps: Annotated[float, typer.Option("--eps", help="Finite-difference step (centred).")] = 1e-5,
    batch: Annotated[
        int, typer.Option("--batch", help="Samples in the checked batch (>= 2 for BatchNorm).")
    ] = 8,
    max_entries: Annotated[
        int,
        typer.Option("--max-entries", help="Check at most this many random entries per parameter."),
    ] = 200,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed for the batch and the entry subsets.")
    ] = 0,
    compare_differences: Annotated[
        bool,
        typer.Option(
            "--compare-differences",
            help="Forward vs centred differences over steps 1e-1..1e-10 for one parameter, with a PNG.",
        ),
    ] = False,
    param: Annotated[
        str | None,
        typer.Option(
            "--param", help="Parameter for --compare-differences (default: first Affine W)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="PNG path for --compare-differences (default: a folder under --runs-dir)."
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    fmt: FormatOpt = Format.table,
) -> None:
    """Check analytic gradients against centred finite differences (float64); exit 1 on a fail.

    Example: nnlab gradcheck   |   nnlab gradcheck configs/digits-quickstart.yaml model.batchnorm=true
    """
    from nnlab.config import load_config
    from nnlab.errors import ConfigError
    from nnlab.experiments import gradcheck as gc
    from nnlab.output import to_csv, to_json

    gc.check_settings(eps, batch, max_entries)
    if config is not None and "=" in config.name and not config.exists():
        raise ConfigError(
            f"{config}: an override needs a config file first (gradcheck CFG key=value)"
        )
    cfg = load_config(config, overrides or []) if config is not None else None

    if compare_differences:
        model, x, y, what = gc.differences_target(cfg, data_dir, batch, seed)
        diff = gc.compare_differences(
            model, x, y, param, eps=eps, max_entries=max_entries, seed=seed
        )
        png = gc.save_differences(
            diff, out=out, runs_dir=runs_dir, title=f"finite differences: {diff.param} ({what})"
        )
        if fmt == Format.json:
            typer.echo(to_json({"what": what, **diff.to_dict(), "plot": str(png)}))
        elif fmt == Format.csv:
            typer.echo(to_csv(diff.step_rows()), nl=False)
        else:
            shape = "x".join(map(str, diff.shape))
            title = f"{diff.param} {shape}, {what}"
            emit(diff.step_rows(), fmt, ["step", "forward", "centred"], title=title)
            best = diff.best()
            typer.echo(
                f"max rel error over {diff.checked} entries; best step: forward "
                f"{best['forward'][0]:g} ({best['forward'][1]:.1e}), "
                f"centred {best['centred'][0]:g} ({best['centred'][1]:.1e})"
            )
            emit([diff.timing()], fmt, title=f"numeric (centred, step {eps:g}) vs analytic")
            typer.echo(
                f"numeric gradient of all {diff.total_params} parameters: "
                f"~{diff.all_params_estimate():.3g} s (2 forward passes each); "
                f"analytic: {diff.analytic_seconds:.3g} s (one forward + backward pass)"
            )
        typer.echo(f"plot: {png}", err=True)
        return

    if cfg is None:
        rows = gc.check_builtin(eps, batch, max_entries, seed)
        what = "built-in layers, losses and networks"
    else:
        rows = gc.check_config(
            cfg, data_dir, eps=eps, batch=batch, max_entries=max_entries, seed=seed
        )
        what = f"config {cfg.name}, batch {batch}"
    summary = gc.summarize(rows)
    if fmt == Format.json:
        typer.echo(
            to_json(gc.report(rows, eps=eps, batch=batch, max_entries=max_entries, seed=seed))
        )
    elif fmt == Format.csv:
        typer.echo(to_csv([gc.flat_row(r) for r in rows]), nl=False)
    else:
        typer.echo(f"gradient check: {what} (float64, centred differences, eps {eps:g})")
        if cfg is None:
            typer.echo(gc.nets_note(batch))
        for title, table in gc.table_groups(rows):
            emit(table, fmt, title=title)
        typer.echo(gc.THRESHOLDS_NOTE)
        if any(r.checked < r.size for r in rows):
            typer.echo(
                f"checked n/size: a random subset of at most {max_entries} entries per parameter "
                f"(--max-entries, seed {seed})."
            )
        typer.echo(
            f"{summary['rows']} rows: {summary['pass']} pass, {summary['warn']} warn, "
            f"{summary['fail']} fail"
        )
        if gc.eps_note(eps):
            typer.echo(gc.eps_note(eps))
    for line in gc.failures(rows):
        typer.echo(line, err=fmt != Format.table)
    if not summary["ok"]:
        raise typer.Exit(EXIT_FAILED)


# --- compare-optimizers ---------------------------------------------------------------------
@app.command("compare-optimizers")
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
    ] = None,
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
    ] = None,
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
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write into exactly this (new) folder instead of under --runs-dir."
        ),
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also write the figure here (e.g. docs/optimizer-paths.png)."),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare optimizers: paths on a test function, or loss curves training a net.

    Example: nnlab compare-optimizers --function xcospi --optimizers gd --lr 0.1,1.000542,1.0055 --start 0.5,-1.0 --steps 5,20
    """
    from nnlab.errors import ConfigError
    from nnlab.experiments import optimizers as opt

    if function is not None and dataset is not None:
        raise ConfigError("give --function or --dataset, not both")
    names = opt.parse_names(optimizers) if optimizers is not None else None
    lrs = opt.parse_floats(lr, "--lr") if lr is not None else None
    step_list = opt.parse_ints(steps, "--steps") if steps is not None else None
    if dataset is not None:
        if start is not None:
            raise ConfigError("--start applies to --function comparisons, not --dataset")
        if step_list is not None and len(step_list) != 1:
            raise ConfigError("--steps: --dataset takes one number of iterations")
        result = opt.run_dataset_comparison(
            dataset,
            names,
            overrides or [],
            lrs,
            iterations=step_list[0] if step_list else 2000,
            hidden=opt.parse_hidden(hidden),
            loss=loss,
            batch_size=batch_size,
            seed=seed,
            data_dir=data_dir,
            runs_dir=runs_dir,
            out=out,
            figure=png,
            progress=lambda line: typer.echo(line, err=True),
            jobs=jobs,
        )
        title = f"{dataset}: {result.comparison.describe()}"
    else:
        result = opt.run_function_comparison(
            function or "book",
            names,
            overrides or [],
            lrs,
            start,
            step_list,
            tol,
            runs_dir=runs_dir,
            out=out,
            figure=png,
        )
        o = result.comparison.objective
        title = f"{o.name}: {o.formula} (tol {tol:g})"
    if fmt == Format.json:
        from nnlab.output import to_json

        typer.echo(to_json(result.to_json()))
    else:
        emit(result.rows(), fmt, title=title)
    typer.echo(f"run folder: {result.run.path}", err=True)
    typer.echo(f"figure: {result.figure}", err=True)


# --- experiments: lr-scan, tune, activations, landscape ------------------------------------
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Write into exactly this (new) folder instead of under --runs-dir."),
]
PngOpt = Annotated[
    Path | None,
    typer.Option("--png", help="Also copy the figure to this path (e.g. into docs/)."),
]


def _run_location(runs_dir: Path, out: Path | None) -> tuple[Path, str | None]:
    """(root, folder) for RunDir.create: ``--out`` names the folder exactly."""
    return (out.parent, out.name) if out is not None else (runs_dir, None)


def _copy_figure(src: Path, png: Path | None) -> None:
    if png is not None:
        import shutil

        png.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, png)
        typer.echo(f"figure: {png}", err=True)


@app.command("lr-scan")
@handle_errors
def lr_scan(
    config: Annotated[Path, typer.Argument(help="YAML config file.", show_default=False)],
    overrides: Annotated[
        list[str] | None,
        typer.Argument(help="Overrides as key.sub=value.", show_default=False),
    ] = None,
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Step-size table: the loss after one gradient step, and after a few epochs, per rate.

    Example: nnlab lr-scan configs/digits-quickstart.yaml --min -6 --max 0 --num 7 --epochs 2
    """
    from nnlab.config import load_config
    from nnlab.experiments import lr_scan as scan

    cfg = load_config(config, overrides or [])
    root, folder = _run_location(runs_dir, out)
    result = scan.lr_scan(
        cfg,
        min_exp=min_exp,
        max_exp=max_exp,
        num=num,
        epochs=epochs,
        data_dir=data_dir,
        runs_dir=root,
        overrides=overrides or [],
        folder=folder,
        progress=None if quiet else (lambda line: typer.echo(line, err=True)),
    )
    if fmt == Format.json:
        from nnlab.output import to_json

        summary = result.run.read_json("summary.json")
        summary.pop("curves", None)
        typer.echo(to_json({"run": str(result.run.path), **summary}))
    else:
        emit(result.rows, fmt, scan.table_columns(result.rows), title=scan.table_title(result))
    for note in scan.edge_notes(result):
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"run folder: {result.run.path}", err=True)
    _copy_figure(result.run.file("lr-scan.png"), png)


@app.command()
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

    root, folder = _run_location(runs_dir, out)
    result = act.activation_histograms(
        activation,
        init,
        layers=layers,
        units=units,
        samples=samples,
        seed=seed,
        runs_dir=root,
        folder=folder,
    )
    if fmt == Format.json:
        from nnlab.output import to_json

        typer.echo(to_json({"run": str(result.run.path), **result.run.read_json("summary.json")}))
    else:
        summary = result.run.read_json("summary.json")
        emit(result.rows, fmt, act.COLUMNS, title=act.table_title(summary))
    typer.echo(f"run folder: {result.run.path}", err=True)
    _copy_figure(result.run.file("activations.png"), png)


@app.command()
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Loss along random 1-D and 2-D slices around trained (or initial) weights.

    Example: nnlab landscape latest --normalize filter --range -1:1 --points 51 --png docs/landscape-2d.png
    """
    from nnlab import runs
    from nnlab.experiments import landscape as ls

    progress = None if quiet else (lambda line: typer.echo(line, err=True))
    if resume is not None:
        if source is not None or overrides:
            raise typer.BadParameter(
                "--resume takes no source or overrides (the folder stores its centre)"
            )
        result = ls.resume_landscape(
            runs.find_run(runs_dir, resume), data_dir=data_dir, progress=progress
        )
    else:
        if source is None:
            raise typer.BadParameter("give a run or a config file (or --resume FOLDER)")
        lo, hi = ls.parse_range(span)
        settings = ls.Settings(normalize, lo, hi, points, split, samples, seed, batch)
        result = ls.landscape(
            source,
            overrides or [],
            settings,
            data_dir=data_dir,
            runs_dir=runs_dir,
            out=out,
            progress=progress,
        )
    if fmt == Format.json:
        from nnlab.output import to_json

        typer.echo(to_json({"run": str(result.run.path), **result.summary}))
    else:
        emit(ls.table_rows(result.summary), fmt, title=ls.table_title(result.summary))
    typer.echo(
        f"evaluated {result.computed} points; run folder: {result.run.path} "
        f"(landscape.h5, landscape-1d.png, landscape-2d.png)",
        err=True,
    )
    _copy_figure(result.run.file("landscape-2d.png"), png)


@app.command()
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
    jobs: JobsOpt = 1,
    stack: StackOpt = 8,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    resume: Annotated[
        str | None,
        typer.Option("--resume", help="Continue a stopped tune folder (or 'latest')."),
    ] = None,
    data_dir: DataDirOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    out: OutOpt = None,
    png: PngOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Random search on a validation split, narrowing the ranges to the top trials (DLFS 6.5).

    Example: nnlab tune configs/digits-quickstart.yaml optimizer.lr=loguniform:1e-4:1 --trials 20 --rounds 2 --epochs 5
    """
    from nnlab.experiments.sweep import check_stack, make_executor

    progress = None if quiet else (lambda line: typer.echo(line, err=True))
    check_stack(stack)
    with closing(make_executor(jobs, executor, scheduler)) as ex:
        result = _tune(config, args, resume, runs_dir, out, data_dir, progress, ex,
                       rounds=rounds, trials=trials, top_k=top_k, epochs=epochs,
                       val_fraction=val_fraction, seed=seed, metric=metric, jobs=jobs,
                       stack=stack)  # fmt: skip
    summary = result.summary
    if fmt == Format.json:
        from nnlab.output import to_json

        typer.echo(to_json({"run": str(result.run.path), **summary}))
    else:
        emit(summary["top"], fmt, title=f"top {len(summary['top'])} by {summary['metric']}")
        if fmt == Format.table:
            emit(summary["ranges"], fmt, title="ranges: searched, best value, proposed next")
    for warning in summary["warnings"]:
        typer.echo(f"warning: {warning}", err=True)
    proposed = " ".join(f"{k}={v}" for k, v in summary["proposed"].items())
    typer.echo(f"next search: {proposed}", err=True)
    typer.echo(f"run folder: {result.run.path}", err=True)
    _copy_figure(result.run.file("tune-curves.png"), png)
    if summary["trials"].get("FAILED"):
        typer.echo(f"error: {summary['trials']['FAILED']} trial(s) FAILED", err=True)
        raise typer.Exit(EXIT_TRIALS_FAILED)


def _tune(
    config: Path | None,
    args: list[str] | None,
    resume: str | None,
    runs_dir: Path,
    out: Path | None,
    data_dir: Path | None,
    progress: Any,
    executor: Any,
    **settings: Any,
) -> Any:
    """``tune`` or ``resume_tune`` on ``executor``; an interrupt says how to continue."""
    from nnlab import runs
    from nnlab.experiments import tune as tn

    jobs, stack = settings.pop("jobs"), settings.pop("stack")
    how = {"jobs": jobs, "stack": stack, "executor": executor, "progress": progress}
    try:
        if resume is not None:
            if config is not None or args:
                raise typer.BadParameter("--resume takes no config or ranges (the folder has them)")
            return tn.resume_tune(runs.find_run(runs_dir, resume), data_dir=data_dir, **how)
        if config is None:
            raise typer.BadParameter("give a config file (or --resume FOLDER)")
        root, folder = _run_location(runs_dir, out)
        return tn.tune(
            config, args or [], data_dir=data_dir, runs_dir=root, folder=folder, **settings, **how
        )
    except KeyboardInterrupt:
        typer.echo("interrupted; continue with: nnlab tune --resume latest", err=True)
        raise


# --- report ---------------------------------------------------------------------------------
# `ReportOpt` is used by train and the sweep commands above: their annotations are resolved when
# the app runs (``from __future__ import annotations``), so it can live here with the rest.
ReportOpt = Annotated[
    bool,
    typer.Option(
        "--report",
        envvar="NNLAB_REPORT",
        help="Then rebuild the HTML report (<runs-dir>/report, as 'nnlab report') and print its path.",
    ),
]


@app.command()
@handle_errors
def report(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Run or sweep folders (paths, id prefixes or 'latest'); none: every folder.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Report folder (default: <runs-dir>/report).", show_default=False
        ),
    ] = None,
    runs_dir: RunsDirOpt = Path("runs"),
) -> None:
    """Write a static HTML report of the runs and sweeps that opens from disk, offline.

    Example: nnlab report && cd runs && zip -r report.zip report
    """
    from nnlab.report import build_report

    result = build_report(refs or [], runs_dir, out)
    for rel in result.damaged:
        typer.echo(f"warning: {rel}: DAMAGED, could not be read (its page says why)", err=True)
    typer.echo(f"{result.rows} folders, {result.pages} pages, {result.figures} figures", err=True)
    typer.echo(str(result.index))


def _refresh_report(runs_dir: Path) -> None:
    """``--report``: rebuild ``<runs_dir>/report`` and print its path; a report that cannot be
    written is a warning, not a failure of the run that has just finished."""
    from nnlab.report import refresh

    try:
        typer.echo(f"report: {refresh(runs_dir)}", err=True)
    except (NnlabError, OSError) as exc:
        typer.echo(f"warning: report not rebuilt: {exc}", err=True)


def main() -> None:
    """Console-script entry point.

    On the way out, ``gc.freeze()`` spares the interpreter's final garbage collections a walk
    over every object matplotlib, NumPy and pydantic made (0.1-0.3 s of a sweep's exit); the
    run folders are complete and closed by then, and nothing left needs a finaliser.
    """
    try:
        app(prog_name="nnlab")
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
