"""nnlab's command line: one module per command group, each command thin (it parses its
arguments, calls one library function and renders the result).

    common.py       exit codes, error handling, the shared option sets, progress lines
    paths.py        the path options (--data-dir, --runs-dir, --out, --png), checked first
    usage.py        what an option's or argument's error says, and what each takes
    helpwords.py    the words -h shows for what each option and argument takes
    listed.py       options of several values: which they are, and values the shell split
    misuse.py       a usage error's line, and the command, option or override meant
    resuming.py     --resume, and the options of the work refused beside it
    render.py       results on stdout: table, JSON or CSV
    figures.py      the figures a command drew, named in its last lines; --png's copy
    train.py        train (a new run, --resume, --extend)
    runs.py         runs list / show / compare / remove
    complete.py     what shell completion offers: run folders, config keys and their names
    sweep.py        sweep grid / random / run / resume and the presets' commands
    experiments.py  lr-scan, landscape, tune
    activations.py  activations
    gradcheck.py    gradcheck
    optimizers.py   compare-optimizers
    data.py         data list / fetch
    config.py       config keys
    report.py       report (the static HTML report)
"""

from __future__ import annotations

import gc
import inspect
import os
import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from nnlab import __version__, process, signals
from nnlab.cli import (
    activations,
    config,
    data,
    experiments,
    gradcheck,
    helpwords,
    listed,
    optimizers,
    report,
    runs,
    sweep,
    train,
    usage,
)
from nnlab.cli.common import EXIT_INTERRUPTED, EXIT_USAGE, UsageError, note, state


class OneLineErrors(TyperGroup):
    """The root command: a usage error is one line naming the option (exit 2), not a box, for
    every caller (the console script, ``python -m nnlab``, CliRunner in tests)."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **kw: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        state["interrupt_said"], state["argv"] = False, argv
        signals.received.clear()
        signals.taken.clear()
        process.ended.clear()
        refused = refused_at_start(argv)
        if refused is None:
            helpwords.readable_help(self)
            refused = usage.one_dash_long(argv, self) or listed.given_twice(argv, self)  # (-kind)
        if refused is not None:
            note(refused)
            code = EXIT_USAGE
        else:
            code = self._run(argv, prog_name, complete_var, windows_expand_args, **kw)
        if not standalone_mode:
            return code
        sys.exit(code)

    def _run(self, argv: list[str], prog_name: str | None, complete_var: str | None,
             windows_expand_args: bool, **kw: Any) -> int:  # fmt: skip
        """The command ``argv`` names, run; its exit code (a usage error said in one line)."""
        try:
            # (without standalone mode, click returns an Exit's code instead of exiting)
            rv = super().main(argv, prog_name, complete_var, False, windows_expand_args, **kw)
            code = rv if isinstance(rv, int) else 0
            if code == EXIT_INTERRUPTED and not state["interrupt_said"]:
                # caught while typer parsed the arguments: it exits 130 without a word
                got = signals.received
                said = f"interrupted ({got[-1]})" if got else "interrupted"
                note(said + signals.resume_again(argv))
        except UsageError as exc:
            group = usage.missing_command(exc)
            if group is not None:  # (nnlab, nnlab runs, nnlab sweep --jobs 2: no command)
                typer.echo(group.get_help(), err=True)  # (what it takes, above the error)
                note(usage.no_command(group))
            else:
                from nnlab.cli.misuse import usage_line  # (only for a usage error)

                note(usage_line(exc, argv, app))  # (the whole app: nnlab list)
            code = EXIT_USAGE
        except typer.Abort:
            note("aborted")
            code = EXIT_INTERRUPTED
        except OSError as exc:  # (a path option's check, while typer parses: no command has
            if state["debug"]:  # started, and handle_errors is not around it yet)
                raise
            from nnlab.runs import describe_error

            note(f"error: {usage.one_line(describe_error(exc))}")
            code = EXIT_USAGE
        return code


def not_utf8(argv: list[str]) -> str | None:
    """The error line for the first argument that is not UTF-8 text (bytes Python could not
    decode, kept as lone surrogates), else None. Refused for every command before anything
    runs: recorded in meta.json, such an argument made every later report of the runs folder
    fail, and as a name or a value it failed as an 'unexpected' error."""
    for i, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")  # (the bytes as given)
            shown = raw.decode("utf-8", "backslashreplace")
            if _utf8(raw) and sys.getfilesystemencoding().lower() not in ("utf-8", "utf8"):
                return (  # (it said "'rü' is not UTF-8 text": it is; Python read it as ASCII)
                    f"error: argument {i} ('{shown}') is UTF-8, which Python here reads as "
                    f"{sys.getfilesystemencoding()} (a C locale without UTF-8 mode: "
                    "PYTHONUTF8=0?); run with PYTHONUTF8=1, or in a UTF-8 locale"
                )
            return (
                f"error: argument {i} ('{shown}') is not UTF-8 text; nnlab reads names, paths "
                "and values as UTF-8"
            )
    return None


def refused_at_start(argv: list[str]) -> str | None:
    """The error line that refuses ``argv`` before anything runs, else None. Shell completion
    (TAB) is never refused: a line printed there lands in the middle of the prompt being
    typed, and what cannot be read (a removed working folder, a word that is not UTF-8) makes
    its completions offer nothing instead."""
    if instruction := os.environ.get("_NNLAB_COMPLETE"):
        return usage.bad_completion(instruction)
    return not_utf8(argv) or no_working_folder()


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def no_working_folder() -> str | None:
    """The error line when the working folder is gone (removed while the shell was in it:
    ``os.getcwd`` fails), else None. Refused for every command before anything runs: every
    relative path, and many an absolute one (NumPy's and posixpath's ``abspath``, the report's
    links), needs it, and commands failed late, as 'error: No such file or directory' naming
    nothing (train with an absolute --runs-dir, after its folder existed; report)."""
    try:
        os.getcwd()
    except OSError as exc:
        try:  # (Linux names it, with ' (deleted)')
            was = os.readlink("/proc/self/cwd").removesuffix(" (deleted)")
        except OSError:
            was = ""
        where = f" {was}" if was.startswith("/") else ""
        reason = exc.strerror or type(exc).__name__
        return (
            f"error: the working folder{where} cannot be found ({reason}: removed while the "
            "shell was in it?); cd into a folder that exists"
        )
    return None


app = typer.Typer(
    cls=OneLineErrors,
    help="Reproducible neural-network training-technique experiments on a NumPy core.\n\n\b\n"
    "Example: nnlab train configs/digits-quickstart.yaml\n"
    "then:    nnlab runs show latest   |   nnlab report   |   nnlab train -h",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    state["debug"] = debug


app.command("train")(train.train)
app.add_typer(runs.runs_app, name="runs")
app.add_typer(sweep.sweep_app, name="sweep")
app.command("gradcheck")(gradcheck.gradcheck)
app.command("compare-optimizers")(optimizers.compare_optimizers)
app.command("lr-scan")(experiments.lr_scan)
app.command("tune")(experiments.tune)
app.command("activations")(activations.activations)
app.command("landscape")(experiments.landscape)
app.command("report")(report.report)
app.add_typer(data.data_app, name="data")
app.add_typer(config.config_app, name="config")


def _keep_examples(group: typer.Typer) -> None:
    """Help texts are re-wrapped by the formatter; an ``Example:`` paragraph is kept as
    written (click's ``\\b`` marker), so the command line in it can be copied. A command's line
    in its group's list is its help's whole first paragraph (click would cut it at ~50
    characters with "...")."""
    infos: list[typer.models.CommandInfo | typer.models.TyperInfo] = [
        *group.registered_commands,
        *group.registered_groups,
    ]
    for info in infos:
        own_help = None  # (a group's help given to typer.Typer rather than as a docstring)
        if isinstance(info, typer.models.TyperInfo):
            sub = info.typer_instance
            if sub is None:  # (add_typer gives every group its instance; typer's type allows none)
                continue
            _keep_examples(sub)
            callback = sub.registered_callback.callback if sub.registered_callback else None
            own_help = sub.info.help if isinstance(sub.info.help, str) else None
        else:
            callback = info.callback
        doc = callback.__doc__ if callback is not None else None
        text = own_help or doc
        if text and not isinstance(info.short_help, str):  # (None, or typer's placeholder)
            info.short_help = " ".join(inspect.cleandoc(text).split("\n\n")[0].split())
        if callback is not None and doc:
            callback.__doc__ = re.sub(r"\n( *)Example:", "\n\\1\b\n\\1Example:", doc)


_keep_examples(app)


def main() -> None:
    """Console-script entry point.

    On the way out, ``gc.freeze()`` spares the interpreter's final garbage collections a walk
    over every object matplotlib, NumPy and pydantic made (a noticeable part of an exit); the
    run folders are complete and closed by then, and nothing left needs a finaliser.
    """
    try:
        for_command(sys.argv[1:])(prog_name="nnlab")
    finally:
        gc.freeze()


def for_command(argv: Sequence[str]) -> typer.Typer:
    """The app that runs ``argv``: ``app`` with only the command or group ``argv`` names (after
    ``--debug``, the one root option that may come before it), where it names one exactly.
    typer makes every command's click command, with its options, before it runs one: ~18 ms
    of each start-up for the ~30 commands, ~2 ms for one. The whole tree otherwise: the root's
    help, ``--version``, a misspelt command (click suggests the names it has), shell completion
    (it offers every command)."""
    import copy
    import os

    words = list(argv)
    while words[:1] == ["--debug"]:
        words.pop(0)
    if not words or os.environ.get("_NNLAB_COMPLETE"):
        return app
    commands = [c for c in app.registered_commands if c.name == words[0]]
    groups = [g for g in app.registered_groups if g.name == words[0]]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one
