"""nnlab's command line: one module per command group, each command thin (it parses its
arguments, calls one library function and renders the result).

    common.py       exit codes, error handling, the shared option sets, progress lines
    paths.py        the path options (--data-dir, --runs-dir, --out, --png), checked first
    usage.py        what an option's or argument's error says, and what each takes
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
        if (refused := refused_at_start(argv)) is not None:
            note(refused)
            code = EXIT_USAGE
            if not standalone_mode:
                return code
            sys.exit(code)
        usage.readable_help(self)
        if (dashed := usage.one_dash_long(argv, self)) is not None:  # (-kind: not -k ind)
            note(dashed)
            if not standalone_mode:
                return EXIT_USAGE
            sys.exit(EXIT_USAGE)
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
                note(usage_line(exc, argv))
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
        if not standalone_mode:
            return code
        sys.exit(code)


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
    if os.environ.get("_NNLAB_COMPLETE"):
        return None
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
    help="Reproducible neural-network training-technique experiments on a NumPy core.",
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


def usage_line(exc: BaseException, argv: list[str]) -> str:
    """A usage error as one line in one shape for every option and argument
    (``usage.problem``: ``--jobs: expected an integer, got 'abc'``), then a hint where one is
    obvious (an option that is a config key: the override ``key=value``), then where to read
    more: ``(see nnlab CMD -h)``, the command's help."""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        command, path = ctx.command, ctx.command_path.split()[1:]
    else:  # (click's parser errors: no context; the command is the one argv names)
        command, path = command_of(argv)
    where = " ".join(["nnlab", *path])
    text = usage.problem(exc, command, argv)
    if text is None and type(exc).__name__ == "BadParameter":  # (nnlab's own check)
        message = exc.message  # type: ignore[attr-defined]
        message = message[:1].lower() + message[1:]
        param, hint_name = getattr(exc, "param", None), getattr(exc, "param_hint", None)
        if param is not None:
            text = f"{usage.name_of(param)}: {message}"
        else:
            text = f"{hint_name}: {message}" if isinstance(hint_name, str) else message
    elif text is None:  # (click's words: "No such command 'x'.")
        text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        text = text[:1].lower() + text[1:]
    text = " ".join(usage.one_line(usage.from_env(text, exc)).split())
    stray = re.match(r"no such command '([^']*=[^']*)'", text, re.IGNORECASE)
    if stray:  # (an override where a command goes: nnlab epochs=5, nnlab sweep --resume X k=v)
        key = stray[1]
        why = {
            "nnlab": f"; overrides follow a command and its config: nnlab train CONFIG {key}",
            "nnlab sweep": f"; overrides follow the sweep: nnlab sweep weight-scale {key}, "
            f"nnlab sweep grid CONFIG {key}",
        }.get(where, "")
        if "--resume" in argv:
            why = "; --resume continues a sweep with the config it started with and takes none"
        return f"error: '{key}' is a config override, not a command{why} (see {where} -h)"
    line = f"error: {text}"
    missing = re.match(r"no such command '([^']+)'\.", text, re.IGNORECASE)
    if missing and (found := elsewhere(missing[1], where) or close_command(text, where)):
        return f"error: no such command '{missing[1]}' in {where}; did you mean {found}? (see {where} -h)"
    if missing and ctx is not None and hasattr(command, "list_commands"):  # (it ended "'zzz'.")
        names = [n for n in command.list_commands(ctx) if not command.get_command(ctx, n).hidden]
        return f"error: no such command '{missing[1]}' in {where}; its commands: {', '.join(names)} (see {where} -h)"
    hint = None
    if dashed := one_dash(exc, argv, command):
        return f"error: {dashed} (see {where} -h)"
    unknown = type(exc).__name__ == "NoSuchOption"
    if unknown and (moved := misplaced(getattr(exc, "option_name", None), argv, command, where)):
        return f"error: {moved}"
    if unknown and command is not None and any(p.name in OVERRIDES for p in command.params):
        # (a command that takes overrides: a config key given as an option it does not have)
        option = getattr(exc, "option_name", None)
        hint = override_hint(option, argv, exc_options(exc), preset_named(where, argv))
    if hint:
        line = re.sub(r" \(did you mean [^)]*\)", "", line) + f"; {hint}"
    return f"{line} (see {where} -h)"


def close_command(text: str, where: str) -> str | None:
    """The commands of ``where`` click found close to a misspelt one (its words: "no such
    command 'trian'. Did you mean 'train'?"), as every other command's hint names them
    (``nnlab train``), else None."""
    close = re.findall(r"'([^']+)'", text.partition("Did you mean")[2])
    return " or ".join(f"{where} {name}" for name in close) or None


def misplaced(option: str | None, argv: list[str], group: Any, where: str) -> str | None:
    """The line for an ``option`` given to a command group (``where``) before the command that
    has it, with the command line that gives it after the command: ``--runs-dir: an option of
    nnlab runs list, not of nnlab; give it after the command: nnlab runs list --runs-dir
    runs`` (it said '--runs-dir: no such option (see nnlab -h)'); None otherwise."""
    import shlex

    if option is None or not hasattr(group, "commands"):
        return None
    command, path = command_of(argv)
    param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
    if param is None or not path:
        return None
    target = " ".join(["nnlab", *path])
    said = f"{option}: an option of {target}, not of {where}; give it after the command"
    joined = not param.is_flag and not option.startswith("--")  # (-fjson: -f with its value)
    at = next((i for i, a in enumerate(argv) if _spells(a, option, joined)), None)
    if at is None:  # (in a cluster of short options, -qj2: no one word to move)
        return said
    taken = argv[at : at + (1 if param.is_flag or argv[at] != option else 2)]
    rest = argv[:at] + argv[at + len(taken) :]
    return f"{said}: {' '.join(shlex.quote(a) for a in ['nnlab', *rest, *taken])}"


def one_dash(exc: BaseException, argv: list[str], command: Any) -> str | None:
    """The line for a long option written with one dash (``-help``, ``-epochs 5``), which click
    reads as a cluster of short ones and refuses by a letter (it said '-e: no such option'), or
    as a short one with its value (``-jobs 2``: '--jobs: expected an integer, got 'obs''): the
    option meant, or the override a config key takes; None otherwise (``-qx``: a cluster)."""
    words = [a for a in argv if re.fullmatch(r"-[a-z][a-z_-]+", a)]
    option, param = getattr(exc, "option_name", None), getattr(exc, "param", None)
    if type(exc).__name__ == "NoSuchOption" and option and re.fullmatch(r"-\w", option):
        word = next((a for a in words if option[1] in a[1:]), None)
    else:  # (a short option given the rest of the word as its value)
        shorts = [o for o in getattr(param, "opts", ()) if re.fullmatch(r"-\w", o)]
        word = next((a for a in words for o in shorts if a.startswith(o)), None)
    if word is None or command is None:
        return None
    long = f"-{word}"
    options = [o for p in command.params for o in getattr(p, "opts", ()) if o.startswith("--")]
    if long in [*options, "--help"]:
        return f"{word}: no such option (did you mean {long}?)"
    takes = any(p.name in OVERRIDES for p in command.params)
    hint = takes and override_hint(long, [long if a == word else a for a in argv], options)
    if hint:
        return f"{word}: no such option; {hint}"
    if option != word[:2] or len(word) < 4 or hasattr(command, "commands"):
        return None  # (-qx: -x, click's own; a group's: ``misplaced``, runs -fjson list)
    import difflib  # (-limit: its first letter is no option; it said '-l: no such option')

    close = difflib.get_close_matches(long, [*options, "--help"], n=1)
    return f"{word}: no such option" + (f" (did you mean {close[0]}?)" if close else "")


def _spells(word: str, option: str, joined: bool) -> bool:
    """``word`` gives ``option``: itself, ``--opt=value``, or (``joined``, a short option
    that takes a value) ``-fjson``."""
    return word == option or word.startswith(f"{option}=") or (joined and word.startswith(option))


OPTION_COMMANDS = {  # words a newcomer types as a command that are options of one
    "resume": ["nnlab train --resume RUN"],
    "extend": ["nnlab train --extend RUN epochs=N"],
    "version": ["nnlab --version"],
}
SYNONYMS = {  # a shell's (or another tool's) word for a command, which click's "did you mean"
    # does not find (too unlike): nnlab runs rm -> nnlab runs remove
    "rm": "remove", "del": "remove", "delete": "remove", "ls": "list", "diff": "compare",
    "cat": "show", "info": "show", "inspect": "show",
}  # fmt: skip


def elsewhere(word: str, where: str) -> str | None:
    """Where ``word``, no command of ``where``, is one: another group's command (``nnlab list``:
    ``nnlab runs list``; ``nnlab runs resume``: ``nnlab sweep resume``), an option (``nnlab
    extend``: ``nnlab train --extend RUN epochs=N``), or the command a synonym means, in
    ``where`` itself too (``nnlab runs rm``: ``nnlab runs remove``); None where it is none."""
    import typer.main

    found: list[str] = []

    def walk(command: Any, path: list[str], name_of: str, here: bool) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if name == name_of and (here or " ".join(["nnlab", *path]) != where):
                found.append(" ".join(["nnlab", *path, name]))
            walk(sub, [*path, name], name_of, here)

    walk(typer.main.get_command(app), [], word, False)
    found += OPTION_COMMANDS.get(word, []) + ([f"{where} -h"] if word == "help" else [])
    if not found and word.lower() in SYNONYMS:
        walk(typer.main.get_command(app), [], SYNONYMS[word.lower()], True)
        found = [p for p in found if p.startswith(f"{where} ")] or found  # (this group's alone)
    return " or ".join(found) or None


def command_of(argv: list[str]) -> tuple[Any, list[str]]:
    """(the command, its path after ``nnlab``) that ``argv`` runs: its words that name a
    subcommand of the group before them, in order."""
    import typer.main

    command = typer.main.get_command(app)
    usage.readable_help(command)  # (a new tree: its options' words as -h and main's show them)
    path: list[str] = []
    for arg in argv:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is not None:
            command, path = sub, [*path, arg]
    return command, path


OVERRIDES = ("overrides", "args")  # the argument that holds a command's config overrides


def exc_options(exc: BaseException) -> list[str]:
    """The options click found close to an unknown one (``--quite``: ``--quiet``;
    ``usage.close_options``)."""
    from nnlab.cli.usage import close_options

    return close_options(exc)


def preset_named(where: str, argv: list[str]) -> Any:
    """The preset ``nnlab sweep run PRESET`` runs (a preset's name that is not a file), else
    None: its own options mean what an override of the same key would not (``option_for``)."""
    if where != "nnlab sweep run" or "run" not in argv:
        return None
    from pathlib import Path

    from nnlab.sweep import presets

    for arg in argv[argv.index("run") + 1 :]:
        if arg in presets.PRESETS and not Path(arg).exists():
            return presets.get(arg)
    return None


def override_hint(
    option: str | None,
    argv: list[str],
    options: Sequence[str] | None = None,
    preset: Any = None,
) -> str | None:
    """``--epochs 5`` where ``epochs`` is a config key: the override to write instead. An
    option that only resembles a key (``--epoch``, ``--learning-rate``) gets the key it is
    closest to, unless one of the command's own ``options`` is closer (``--quite``: click's
    ``--quiet``). Of a ``preset`` (``sweep run weight-scale --dataset mnist``), a key its own
    command sets: that command (the override would drop the preset's other dataset keys)."""
    if not option or not option.startswith("--"):
        return None
    from nnlab.config_model import is_config_key, keys_named, one_value_key

    key = option[2:].replace("-", "_")
    lead = ""
    if not is_config_key(key):
        nested = keys_named(key)  # (--lr: optimizer.lr)
        if len(nested) == 1:
            key = nested[0]
        else:
            close = closest_keys(key, [o[2:].replace("-", "_") for o in options or ()])
            if not close:
                return None
            if len(close) > 1:
                return (
                    f"did you mean a config key ({' or '.join(close)})? config keys are "
                    "overrides after the config file: KEY=VALUE"
                )
            key, lead = close[0], f"did you mean the config key {close[0]}? "
    index = argv.index(option) if option in argv else -1
    value = argv[index + 1] if 0 <= index < len(argv) - 1 else "VALUE"
    if "=" in value or value.startswith("-"):  # (not its value: the next option or override)
        value = "VALUE"
    joined = [a.partition("=")[2] for a in argv if a.startswith(f"{option}=")]  # (--epochs=5)
    value = joined[0] if joined and joined[0] else value
    target = one_value_key(key)  # (--dataset mnist: dataset.name=mnist; dataset=mnist fails)
    own = preset.option_for(target or key, value) if preset is not None else None
    if own is not None:
        return f"{lead}the preset sets its dataset by its own option: {own}"
    if target is None:
        return f"{lead}{key} is a section of config keys; overrides after the config file set "\
               f"one each: {key}.KEY=VALUE (nnlab config keys {key})"  # fmt: skip
    return f"{lead}config keys are overrides after the config file: {target}={value}"


def closest_keys(name: str, options: Sequence[str]) -> list[str]:
    """The config keys (dotted; a section's key also by its own name, ``lr``) that ``name``
    (3 characters or more) most likely meant: a known alias, the keys it begins, or the key
    most like it, if more like it than any of ``options`` (names of the command's options)."""
    import difflib

    from nnlab.aliases import meant
    from nnlab.config_model import key_names

    if (alias := meant(name)) is not None:  # (what the literature calls it: --learning_rate)
        return [alias]
    if len(name) < 3:
        return []
    dotted = key_names()
    by_last: dict[str, list[str]] = {}
    for key in dotted:
        by_last.setdefault(key.rpartition(".")[2], []).append(key)
    # a section's key also answers to its own name where no other section has one of that name
    candidates = {key: key for key in dotted}
    candidates |= {last: keys[0] for last, keys in by_last.items() if len(keys) == 1}
    starting = sorted({candidates[c] for c in candidates if c.startswith(name)})
    if 0 < len(starting) <= 3 and not any(o.startswith(name) for o in options):  # (--batch)
        return starting

    def likeness(other: str) -> float:
        return difflib.SequenceMatcher(None, name, other).ratio()

    best = max(candidates, key=lambda c: (likeness(c), c))
    if likeness(best) < CLOSE or any(likeness(o) >= likeness(best) for o in options):
        return []
    return [candidates[best]]


CLOSE = 0.75  # how alike (difflib's ratio) an option and a config key must be to suggest it


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
