"""What every command shares: exit codes, error handling, the option sets, stderr lines
(the path options: ``cli.paths``).

Results go to stdout, progress and logs to stderr. Exit codes: 0 ok, 1 the run failed,
2 bad usage or config, 3 some sweep trials failed, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import inspect
import os
import sys
import time
import typing
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from nnlab.cli import complete
from nnlab.cli.helpwords import one_of
from nnlab.cli.listed import split_value
from nnlab.cli.paths import DataDirOpt, OutOpt, PngOpt, RunsDirOpt
from nnlab.cli.usage import (
    bounded as bounded,  # (re-exported: option sets)
    current_context as current_context,  # (re-exported: runs, resuming)
    one_line,
    option_error,
)
from nnlab.collector import release
from nnlab.errors import (
    ArgumentError,
    NnlabError,
    OptionError,
    SweepConfigError,
    room_again,
    unloadable,
)
from nnlab.kinds import MAX_SEED
from nnlab.output import Format, fit_prose

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TRIALS_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

state: dict[str, Any] = {"debug": False, "interrupt_said": False, "argv": []}

F = TypeVar("F", bound=Callable[..., Any])

# Exceptions typer turns into usage messages and exit codes itself. Older typer re-exports
# click's classes; recent typer vendors its own copy of click (and does not install click), so
# the base classes are taken from typer's own BadParameter rather than imported from click.
_BASES = [c for c in typer.BadParameter.__mro__ if issubclass(c, Exception)]
CLICK_ERRORS = tuple(c for c in _BASES if c.__name__ in ("ClickException", "TyperException"))
UsageError = next(c for c in _BASES if c.__name__ == "UsageError")
PASS_THROUGH: tuple[type[Exception], ...] = (typer.Exit, typer.Abort, *CLICK_ERRORS)


# ----------------------------------------------------------------------------- stderr, stdout
def _silence(stream: Any) -> None:
    """After EPIPE (the reader went away, as ``nnlab train cfg.yaml | head``): the stream's
    descriptor goes to /dev/null, so the run goes on quietly and exit flushes nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def echo(text: str, err: bool = False, nl: bool = True) -> None:
    """``typer.echo`` that survives a closed pipe: the output is dropped, the run goes on.
    A step drawn in place (``Lines``'s, on a terminal) is erased first: the text takes its place."""
    try:
        clear_status()
        typer.echo(text, err=err, nl=nl)
    except BrokenPipeError:
        _silence(sys.stderr if err else sys.stdout)


CLEAR_LINE = "\r\x1b[2K"  # (back to the line's start, and erase it)


def show_status(line: str) -> None:
    """``line`` drawn in place on stderr, a terminal: over the one drawn before, cut to the
    terminal's width (a line the terminal wrapped would leave its first part behind)."""
    from nnlab.output import terminal_width
    from nnlab.streams import printable

    width = (terminal_width(err=True) or 80) - 1  # (the last column: the cursor, no wrap)
    text = line if len(line := printable(line)) <= width else line[: max(width - 3, 0)] + "..."
    try:
        sys.stderr.write(CLEAR_LINE + text)
        sys.stderr.flush()
        state["status"] = True
    except BrokenPipeError:
        _silence(sys.stderr)


def clear_status(keep: bool = False) -> None:
    """Erase the line ``show_status`` drew, if one is there (``keep``: end it instead, where a
    command stopped short: the step it stopped at stays, as a sweep's bar does)."""
    if not state.get("status"):
        return
    state["status"] = False
    try:
        sys.stderr.write("\n" if keep else CLEAR_LINE)
        sys.stderr.flush()
    except BrokenPipeError:
        _silence(sys.stderr)


def note(text: str) -> None:
    """One line on stderr (on a terminal narrower than it, folded at its spaces:
    ``output.fit_prose``)."""
    echo(fit_prose(text, err=True), err=True)


def read_config(config: Path, overrides: list[str] | None) -> Any:
    """``config.load_config``, then a warning line for each key it sets that changes nothing in
    its run (``idle.idle_keys``: ``model.init_std`` under ``model.init: he``, ...)."""
    from nnlab.idle import load_config_warned

    return load_config_warned(config, overrides, note)


def say(text: str) -> None:
    """Lines of prose on stdout (a header, a legend: not data a script reads, which ``echo``
    prints as it is), on a terminal narrower than a line folded at its spaces
    (``output.fit_prose``)."""
    echo(fit_prose(text))


PIPE_MOST_SECONDS = 60.0  # (``Lines``: into a pipe, progress lines at most this far apart)


class Lines:
    """Progress lines on stderr, the one rule of every command's progress. On a terminal every
    line (``transient``: each drawn in place of the one before, as a sweep's bar is, for a
    command whose lines are steps of the work, not results: its headings and outcomes stay,
    the last step is erased as it ends). Without one (a log file, CI) a few: the first line,
    then at most one after ``interval`` seconds, the wait doubling after each line shown up to
    ``PIPE_MOST_SECONDS`` (1 s, 2 s, 4 s, ...: 2 minutes of steps log 9 lines, not the 120 of a
    line a second), the others held back, and always the last line (``close``). Lines every
    log keeps whatever the wait: ``heading`` (a part begins: a tune's round) and ``outcome`` (a
    part ended, with its result: compare-optimizers' run). ``quiet``: none at all."""

    def __init__(self, quiet: bool = False, interval: float = 1.0, transient: bool = False) -> None:
        self.quiet = quiet
        self.interval = interval
        self.tty = sys.stderr.isatty()
        self.transient = transient and self.tty
        self._wait = 0.0  # (the first line at once)
        self._last = -float("inf")
        self._pending: str | None = None

    def __call__(self, line: str) -> None:
        if self.quiet:
            return
        if self.transient:
            show_status(line)
            return
        now = time.monotonic()
        if self.tty or now - self._last >= self._wait:
            note(line)
            self._last, self._pending = now, None
            most = max(PIPE_MOST_SECONDS, self.interval)
            self._wait = min(max(2 * self._wait, self.interval), most)
        else:
            self._pending = line

    def heading(self, line: str) -> None:
        """A line that begins a part of the work, shown in a log too, after the line held
        back (the last of the part before: a round's last trial)."""
        if not self.quiet:
            self.close()
            note(line)

    def outcome(self, line: str) -> None:
        """A line that ends a part of the work with its result, shown in a log too; the line
        held back (the part's last step) is dropped: this one says more."""
        if not self.quiet:
            self._pending = None
            note(line)

    def close(self) -> None:
        if self._pending is not None:
            note(self._pending)
            self._pending = None

    def __enter__(self) -> Lines:
        return self

    def __exit__(self, kind: Any, *exc: Any) -> None:
        self.close()
        clear_status(keep=kind is not None)


# ----------------------------------------------------------------------------- errors
def _unrecorded(exc: BaseException) -> str | None:
    """Why the folder's end could not be recorded (a full disk), if it could not."""
    if getattr(exc, "nnlab_status", "recorded") is None:
        return str(getattr(exc, "nnlab_unrecorded", "unknown error"))
    return None


def _folder_note(exc: BaseException) -> str:
    run = getattr(exc, "nnlab_run", None)
    if run is None:  # (failed as its first files were written: ``process.founding``)
        unmade = getattr(exc, "nnlab_unmade", None)
        return "" if unmade is None else f" (run folder {unmade} not made)"
    why, resume = _unrecorded(exc), getattr(exc, "nnlab_resume", None)
    status = getattr(exc, "nnlab_status", None) or "FAILED"  # (a resume failed as it began:
    # the folder as it was, ``runs.Lifecycle``)
    said = f"says {status}" if why is None else f"could not record FAILED: {why}; it reads STALE"
    if resume and (once := room_again(exc)) is not None:  # (a full disk, a file size limit:
        return f" (run folder {run} {said}; once {once}, continue with: {resume})"  # no fault
    return f" (run folder {run} {said})"  # (of the run's: a STALE one resumes too)


def _interrupted(exc: BaseException) -> None:
    from nnlab.signals import interrupt_line, resume_again

    run = getattr(exc, "nnlab_run", None)
    resume = getattr(exc, "nnlab_resume", None)
    what = interrupt_line(exc)
    why = _unrecorded(exc)
    ended = getattr(exc, "nnlab_status", None) or "INTERRUPTED"  # (COMPLETED: stopped after
    # its status was written)
    reads = f"is {ended}" if why is None else f"could not record INTERRUPTED ({why})"
    if run is None:
        ended, status = _after_the_end()
        note(what + ended + resume_again(state["argv"], status))
    elif resume:
        note(f"{what}: {run} {reads}; continue with: {resume}")
    else:
        note(f"{what}: {run} {reads}")


def _after_the_end() -> tuple[str, str | None]:
    """': <run> is <status>' for a stop signal that came once the command's folder had ended
    (``lookup.last_ended``), and that status; else ('', None). It said only 'interrupted' of a
    folder that had COMPLETED."""
    from nnlab.lookup import last_ended

    if (ended := last_ended()) is None:
        return "", None
    return f": {ended[0]} is {ended[1]}", ended[1]


def _os_error_code(exc: BaseException) -> int:
    """Exit 2 for a path argument the OS cannot even look up (a name too long) before any
    folder exists: that is bad usage; any other OS error (or after a folder exists) is 1."""
    too_long = isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG
    return EXIT_USAGE if too_long and getattr(exc, "nnlab_run", None) is None else EXIT_FAILED


# Options whose errors say what to do with the path themselves (``fileio.output_problem``,
# ``runs.location``, ``report.check_out``): left as they are here.
PATH_OPTIONS = ("--out", "--png", "--runs-dir", "--report")


def see_help(text: str) -> str:
    """An error naming an option of the running command (``--eps: ...``, ``--top: ...``,
    ``--min/--max: ...``), as the library raises it, ending as typer's refusals of an option do
    (``usage_line``): ``(see nnlab gradcheck -h)``."""
    import re

    ctx = current_context()
    match = re.match(r"(--[a-z][a-z0-9-]*)[:/ ]", text)
    if ctx is None or match is None or match[1] in PATH_OPTIONS or text.endswith(" -h)"):
        return text
    if not any(match[1] in getattr(p, "opts", ()) for p in ctx.command.params):
        return text
    return f"{text} (see {' '.join(['nnlab', *ctx.command_path.split()[1:]])} -h)"


def given_params(command_line: bool = False) -> list[Any]:
    """The running command's parameters given other than by their defaults (on the command
    line, or by an environment variable such as ``$NNLAB_RUNS_DIR``), in its order;
    ``command_line``: on the command line only. (Click's parameter sources; none outside a
    command.)"""
    ctx = current_context()
    given = []
    for param in ctx.command.params if ctx is not None else []:
        source = ctx.get_parameter_source(param.name or "")
        if source is not None and source.name != "DEFAULT":
            if not command_line or source.name == "COMMANDLINE":
                given.append(param)
    return given


def given_options(command_line: bool = False) -> set[str]:
    """The names of the parameters ``given_params`` gives."""
    return {param.name for param in given_params(command_line)}


def check_overrides(overrides: list[str]) -> None:
    """A command's overrides checked before it runs: a key given twice (``check_once``), and
    ``check_split``."""
    from nnlab.config import check_once

    check_once(overrides)
    check_split(overrides)


def check_split(words: list[str]) -> None:
    """A word of a command's overrides (a sweep's arguments) without '=' that is the next
    value of a list option the shell split at a space (``listed.split_value``: ``--lr 0.1
    0.2``'s '0.2' was 'expected key.sub=value'; ``sweep grid CFG --share-seed seed
    optimizer.lr ...``'s 'optimizer.lr', an axis with 'no value'), refused as the option."""
    bare = [text for text in words if "=" not in text]
    ctx = current_context() if bare else None
    if ctx is not None and (split := split_value(state["argv"], bare, ctx.command)) is not None:
        raise OptionError(*split)


def place_options(arguments: dict[str, Any]) -> str:
    """`` --data-dir DIR --runs-dir DIR`` of a command's ``arguments`` (or of its ``opts``),
    as far as they were given (``redo.runs_dir_option``: none for the runs folder any command
    writes into): what a command offered in its place needs to find the same data and write
    beside it."""
    from nnlab.data import data_dir_option
    from nnlab.redo import runs_dir_option

    opts = arguments.get("opts")  # (a command whose output options are one object)
    data_dir = arguments.get("data_dir", getattr(opts, "data_dir", None))
    runs_dir = arguments.get("runs_dir", getattr(opts, "runs_dir", None))
    return data_dir_option(data_dir) + (runs_dir_option(Path(runs_dir)) if runs_dir else "")


def _said(exc: NnlabError, arguments: dict[str, Any]) -> int:
    """Say an error of nnlab's in one line; its exit code: 1 for one that ended a run folder
    (FAILED: the run failed), else its own. A sweep config refused for one run offers its
    ``nnlab sweep run`` with the command's ``--data-dir`` and ``--runs-dir``."""
    ran = getattr(exc, "nnlab_run", None) is not None
    unmade = getattr(exc, "nnlab_unmade", None) is not None  # (a new folder's hidden name
    # named, which is gone: '(run folder X not made)', as an OS error's line says it)
    if isinstance(exc, SweepConfigError):
        exc = exc.offer(place_options(arguments))
    note(f"error: {see_help(one_line(str(exc)))}{_folder_note(exc) if ran or unmade else ''}")
    return EXIT_FAILED if ran else exc.exit_code


def handle_errors(fn: F) -> F:
    """Turn errors into one line on stderr and an exit code (``--debug``: the traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from nnlab.signals import SignalsAsInterrupts, as_interrupt

        try:
            with SignalsAsInterrupts(), warnings.catch_warnings():  # (SIGTERM before a folder
                # exists: "interrupted", 130)
                if not state["debug"]:  # overflow, NaN: a diverged run says so in its folder
                    warnings.simplefilter("ignore", RuntimeWarning)
                try:  # (the checks too: the first to build the config's schema, in pydantic)
                    if kwargs.get("overrides"):  # (every command's key=value arguments)
                        check_overrides(list(kwargs["overrides"]))
                    if kwargs.get("args"):  # (a sweep's: axes and fixed keys)
                        check_split(list(kwargs["args"]))
                    release()  # (the start-up is over: garbage collection again, see
                    # nnlab.collector; the checks above build the config's schema: start-up)
                    return fn(*args, **kwargs)
                except Exception as exc:  # (an interrupt a library raised as its own error)
                    raise as_interrupt(exc)  # noqa: B904 (the same exception, or its interrupt)
        except PASS_THROUGH:
            raise
        except ArgumentError as exc:  # (arguments the library refused: said as typer says
            raise typer.BadParameter(str(exc)) from None  # its usage errors, --debug too)
        except OptionError as exc:  # (an option's value the library refused: said as typer
            if state["debug"]:  # says one, "--opt: problem (see nnlab CMD -h)")
                raise
            raise option_error(exc.option, exc.problem) from None
        except BrokenPipeError:  # stdout went away after the run: not a failure
            _silence(sys.stdout)
            raise typer.Exit(EXIT_OK) from None
        except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP, ...
            _interrupted(exc)
            state["interrupt_said"] = True
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except NnlabError as exc:
            if state["debug"]:
                raise
            raise typer.Exit(_said(exc, kwargs)) from None
        except (OSError, MemoryError) as exc:
            if state["debug"]:
                raise
            from nnlab.runs import describe_error

            note(f"error: {one_line(describe_error(exc))}{_folder_note(exc)}")
            raise typer.Exit(_os_error_code(exc)) from None
        except Exception as exc:  # a bug, not a user error: say so in one line
            if state["debug"]:
                raise
            said = unloadable(exc)  # (a library that could not be loaded: no bug)
            hint = "" if said else " (run with --debug for the traceback)"
            said = said or f"unexpected {type(exc).__name__}: {exc}"
            note(f"error: {said}{_folder_note(exc)}{hint}")
            raise typer.Exit(EXIT_FAILED) from None

    return wrapper  # type: ignore[return-value]


# ----------------------------------------------------------------------------- options
MAX_JOBS = 256


def seed_option(help: str, default: str | None = None) -> Any:  # (default: what None means)
    return typer.Option("--seed", help=help, min=0, max=MAX_SEED, show_default=default or True)


FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, json or csv.")
]


QUIET_HELP = "No progress on stderr (results, warnings and the folder line with its figures stay)."
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)]
JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        help="Worker processes. Every trial runs with BLAS pinned to 1 thread (also with 1 job), "
        "so results are identical for any N.",
        min=1,
        max=MAX_JOBS,
    ),
]
StackOpt = Annotated[
    int,
    typer.Option(
        "--stack",
        help="Trials that differ only in seed, init (model.init, model.init_std), optimizer.lr "
        "or weight_decay train side by side in stacks of up to N nets, with the numbers each "
        "has alone; 1 trains each alone.",
        min=1,
        max=256,
    ),
]
EXECUTORS = ("local", "dask")  # (nnlab.sweep.executors': --help imports no sweep)
ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        metavar=one_of(*EXECUTORS),
        help="local (worker processes on this machine) or dask (a Dask cluster: --scheduler, "
        "else a local cluster of --jobs workers; pip install 'nnlab[dask]').",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler", help="Dask scheduler address (tcp://host:8786); implies --executor dask."
    ),
]


ReportOpt = Annotated[
    bool,
    typer.Option(
        "--report",
        envvar="NNLAB_REPORT",
        help="Then rebuild the HTML report (<runs-dir>/report, as 'nnlab report') and print "
        "its path.",
    ),
]


def check_report(runs_dir: Path, report: bool = True) -> None:
    """``--report`` (if ``report``): the folder it rebuilds (``<runs_dir>/report``) checked
    before any work, as every output path is (``report.check_out``): a report folder or nothing
    yet, that can be written. (A runs folder not made yet gets its report made with it.)"""
    if report and Path(runs_dir).is_dir():
        from nnlab.report import check_out, default_out  # (here: only --report needs it)

        check_out(default_out(runs_dir), "--report")


def refresh_report(runs_dir: Path) -> None:
    """``--report``: rebuild ``<runs_dir>/report`` and print its path; a report that cannot be
    written is a warning, not a failure of the run that has just finished."""
    from nnlab.report import refresh

    try:
        note(f"report: {refresh(runs_dir)}")
    except (NnlabError, OSError) as exc:
        note(f"warning: report not rebuilt: {exc}")


@contextlib.contextmanager
def then_report(runs_dir: Path, report: bool) -> Iterator[None]:
    """``--report`` (if ``report``): the report of ``runs_dir`` rebuilt (``refresh_report``)
    once the block has printed the run's own output (its table, its folder, the error naming
    a failed trial): the run's result first, then the report it refreshed, also when the block
    ends with the run's exit code (``typer.Exit``)."""
    try:
        yield
    except typer.Exit:
        if report:
            refresh_report(runs_dir)
        raise
    if report:
        refresh_report(runs_dir)


OverridesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Overrides as key.sub=value, e.g. model.batchnorm=true (every key: nnlab config keys).",
        show_default=False,
        autocompletion=complete.overrides,
    ),
]


@dataclasses.dataclass(frozen=True)
class Output:
    """Where an experiment's folder goes and what is printed: the option set of lr-scan,
    landscape and compare-optimizers (and whether the HTML report is rebuilt after it)."""

    data_dir: DataDirOpt = None
    runs_dir: RunsDirOpt = Path("runs")
    out: OutOpt = None
    png: PngOpt = None
    quiet: QuietOpt = False
    fmt: FormatOpt = Format.table
    report: ReportOpt = False

    def location(self) -> tuple[Path, str | None]:
        """(root, folder) for a new run folder: ``--out`` names the folder exactly."""
        return run_location(self.runs_dir, self.out)


@dataclasses.dataclass(frozen=True)
class Execution:
    """How many trainings run, where, what is printed: the option set of every command that
    runs a sweep (and whether the HTML report is rebuilt after it)."""

    data_dir: DataDirOpt = None
    runs_dir: RunsDirOpt = Path("runs")
    jobs: JobsOpt = 1
    stack: StackOpt = 8
    executor: ExecutorOpt = "local"
    scheduler: SchedulerOpt = None
    quiet: QuietOpt = False
    fmt: FormatOpt = Format.table
    report: ReportOpt = False


def with_options(option_set: type) -> Callable[[F], F]:
    """Give a command the options of the dataclass ``option_set`` (defined once, shared by
    every command that takes them): they are added to the command's signature, and the
    command receives them as one ``opts`` argument."""
    hints = typing.get_type_hints(option_set, include_extras=True)
    extra = [
        inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name]
        )
        for f in dataclasses.fields(option_set)
    ]
    names = [p.name for p in extra]

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "opts"]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            opts = option_set(**{n: kwargs.pop(n) for n in names if n in kwargs})
            return fn(*args, opts=opts, **kwargs)

        wrapper.__signature__ = signature.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def command(option_set: type | None = None) -> Callable[[F], F]:
    """A command's decorator: one-line errors and exit codes (``handle_errors``) and, given
    an option set (``Execution``, ``Output``), its options (``with_options``)."""

    def decorate(fn: F) -> F:
        wrapped = handle_errors(fn)
        return with_options(option_set)(wrapped) if option_set is not None else wrapped

    return decorate


def run_location(runs_dir: Path, out: Path | None) -> tuple[Path, str | None]:
    """(root, folder) for a new run folder: ``--out`` names the folder exactly."""
    from nnlab.runs import location

    return location(runs_dir, out)
