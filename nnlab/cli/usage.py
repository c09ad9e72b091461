"""What an option or argument error says: every one in one shape, ``--jobs: expected an
integer, got 'abc'``: the option (or argument), what it takes, what it was given.

typer refuses a value in pydantic's words ("input should be a valid integer, unable to parse
string as an integer"), click its parsing errors in its own ("option '--resume' requires an
argument.", "missing argument 'run'.", "got unexpected extra argument(s) (b)"), and nnlab's
own checks said "'xml' is not one of ...": ``problem`` says each as nnlab's line does, from
what the option takes (``takes``: its type, its range, its choices).
"""

from __future__ import annotations

import enum
import functools
import math
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import typer
from typer.models import OptionInfo

from nnlab.errors import did_you_mean
from nnlab.numbers import NUMBER_TEXT
from nnlab.output import brief, counted
from nnlab.streams import printable

F = TypeVar("F", bound=Any)
PATH_MAX = 4096  # bytes of a whole path the OS looks up (Linux's PATH_MAX)
PATH_SHOWN = 120  # characters of a path an error quotes whole


def _annotation(param: Any) -> Any:
    """The Python type ``param`` converts to (None: not known), Optional and list[...] peeled."""
    kind = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    for _ in range(3):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if typing.get_origin(kind) in (typing.Union, types.UnionType, list) and len(args) == 1:
            kind = args[0]
    return kind


def _choices(param: Any) -> list[str]:
    kind = _annotation(param)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return [str(m.value) for m in kind]
    return [str(c) for c in getattr(getattr(param, "type", None), "choices", None) or ()]


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _declared(param: Any) -> list[str]:
    """The values an option the library checks declares (``one_of``'s ``<filter|none>``, or
    ``[values: train, sweep, ...]`` in its help where they did not fit beside it)."""
    word = getattr(param, "metavar", None) or ""
    if word.startswith("<") and word.endswith(">"):
        return word[1:-1].split("|")
    found = re.search(r"\[values: ([^\]]+)\]", getattr(param, "help", None) or "")
    return found.group(1).split(", ") if found else []


# what an option of these metavars takes (usage.metavar's RUN; sweep --resume's SWEEP): each
# free-text option's, which said 'expected a value, got nothing' where its -h says what
REFERENCES = {
    "RUN": "a run folder (path, id prefix or 'latest')",
    "SWEEP": "a sweep folder (path, id prefix or 'latest')",
    "NAME": "a name (letters, digits, '_', '-' and '.')",
    "KEY": "a swept key (optimizer.lr; several comma-separated)",
    "SORT": "a column of the table (final_test_acc, acc_gap, a config key, ...)",
    "KEY=VALUE": "a config key and its value (model.init=std)",
    "SCHEDULER": "a Dask scheduler address (tcp://host:8786)",
    "RANGE": "a range LO:HI (-1:1)",
    "LR": "learning rates, comma-separated (0.1 or 0.01,0.1)",
    "START": "start points as x,y (-7,2; several as -7,2;5,1)",
    "STEPS": "a number of steps, or one per start, comma-separated (30 or 30,50)",
    "HIDDEN": "hidden layer sizes, comma-separated (100,100), or 'none'",
    "PARAM": "a parameter as layer.param (affine1.W, bn1.gamma)",
    "MIRROR": "a base URL (https://host/path/)",
}


def takes(param: Any) -> str:
    """What ``param`` takes, as an error says it: "an integer from 1 to 1024", "a finite
    number", "one of table, json, csv" (its type's, or those it declares: ``_declared``), "a
    run folder (path, id prefix or 'latest')" (``REFERENCES``), "no value (it is a flag)", "a
    path", "a value" (a missing value of --normalize, --kind or --resume said only "expected a
    value")."""
    if getattr(param, "is_flag", False):
        return "no value (it is a flag)"
    if choices := _choices(param) or _declared(param):
        return f"one of {', '.join(choices)}"
    option = name_of(param).startswith("-")  # (an argument's is its help's: ``_wanted``)
    if option and (reference := REFERENCES.get(getattr(param, "metavar", None) or "")):
        return reference
    kind = _annotation(param)
    name = getattr(getattr(param, "type", None), "name", "") or ""
    if kind is int or "integer" in name:
        noun = "an integer"
    elif kind is float or "float" in name:
        noun = "a finite number"
    elif kind is not None and isinstance(kind, type) and issubclass(kind, Path) or name == "path":
        return "a path"
    else:
        return "a value"
    low = getattr(param, "min", getattr(getattr(param, "type", None), "min", None))
    high = getattr(param, "max", getattr(getattr(param, "type", None), "max", None))
    if low is not None and high is not None:
        return f"{noun} from {_number(low)} to {_number(high)}"
    if low is not None:
        return f"{noun} of at least {_number(low)}"
    if high is not None:
        return f"{noun} of at most {_number(high)}"
    return noun


def given(value: Any) -> str:
    """A value given on the command line, as an error quotes it: a number in digits 0-9 as it
    is (``NUMBER_TEXT``), text in quotes ('٣' said 'got ٣', as if a number were refused);
    either cut to its start and length when long (``output.brief``: a 5,000-character value
    is still a short line)."""
    text = str(value)
    return brief(text) if NUMBER_TEXT.fullmatch(text) else brief(repr(text))


def flag_given(option: str, value: str) -> str:
    """What a flag given a value says (``--quiet=1``, ``-q=1``): the value is text, quoted
    whatever it reads as (``--quiet=1`` said 'got 1' where ``-q=1`` said 'got '1'')."""
    return f"{option}: expected no value (it is a flag), got {brief(repr(value))}"


COMPLETE_ENV = "_NNLAB_COMPLETE"


def bad_completion(instruction: str) -> str | None:
    """The error line for a value of ``_NNLAB_COMPLETE`` (set by the shell's completion
    script: ``complete_bash``, ``source_zsh``) that names no instruction and shell typer
    knows, else None. It said only 'Invalid completion instruction.' and exited 1."""
    from typer._completion_shared import Shells  # (the shells --install-completion takes)

    shells = [shell.value for shell in Shells.__members__.values()]
    verb, _, shell = instruction.partition("_")
    if verb in ("source", "complete") and shell in shells:
        return None
    return (
        f"error: {COMPLETE_ENV}: expected source_SHELL or complete_SHELL, SHELL one of "
        f"{', '.join(shells)}, got {brief(repr(instruction))} (the variable of shell "
        f"completion's script; unset it to run nnlab)"
    )


LONG_WORD = 1000  # characters of a word (no space) an error line keeps whole


def one_line(text: str) -> str:
    """An error's text as one line of a readable length: a control character in it (a newline
    in a value the message quotes as it was given: an address, a path) written as its escape,
    ``\\n``; a word over ``LONG_WORD`` characters (a value of thousands, quoted as given by a
    check of its own) cut to its start and length (``output.brief``), the marks that end it
    kept: ``run 'aaa...': no run folder`` lost its ``':`` ('... (100,003 characters) no run
    folder')."""
    text = printable(text)  # (a name's byte that is not UTF-8: '\\xff', as in a table)
    if len(text) <= LONG_WORD:
        return text
    return re.sub(rf"\S{{{LONG_WORD + 1},}}", lambda m: brief(m[0]) + _closing(m[0]), text)


def _closing(word: str) -> str:
    """The quotes and punctuation that end ``word`` (``':``, ``';``, ``)``), at most a few."""
    found = re.search(r"[\"'):;,.\]]{1,3}$", word)
    return found[0] if found else ""


def looked_up(check: F) -> F:
    """A path option's check (its typer ``callback``), whose lookup the OS refuses (EACCES:
    a parent the user may not search), refusing the value as the option's error: it ran
    while typer parsed, before any command's error handling, and was a traceback."""

    @functools.wraps(check)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return check(*args, **kwargs)
        except OSError as exc:
            value = kwargs.get("value", args[-1] if args else "")
            why = exc.strerror or str(exc)
            shown = brief(repr(str(value)), PATH_SHOWN)
            raise typer.BadParameter(f"{shown} cannot be looked up ({why})") from None

    return wrapper  # type: ignore[return-value]


def path_problem(text: str) -> str | None:
    """What makes ``text`` no path to look up, before the OS is asked, else None: a control
    character (a newline split the error naming the path into two lines), or more bytes than
    the OS looks up in a path. (Every path option and argument parses with
    ``cli.paths.given_path``, which asks this; a name too long for a file's is the OS's to
    refuse, where the option's check or command looks it up: ``looked_up``, ``runs.location``.)"""
    if not text.isprintable():
        return f"{brief(repr(text))} contains a control character"
    if len(text.encode()) >= PATH_MAX:
        return (
            f"{brief(repr(text))} is {counted(f'{len(text.encode()):,}', 'byte')} long; a path "
            f"has at most {PATH_MAX - 1:,}"
        )
    return None


def name_of(param: Any) -> str:
    """An option by its longest name (``--format``), an argument by its metavar (``RUN``)."""
    opts = [o for o in getattr(param, "opts", None) or () if o.startswith("-")]
    if opts:
        return max(opts, key=len)
    return (getattr(param, "metavar", None) or getattr(param, "name", None) or "").upper()


def _wanted(param: Any) -> str:
    """What a missing argument takes: its help's first clause ('RUN: expected a folder (path,
    id prefix or 'latest'), ...' where it said 'expected a value'), else ``takes``."""
    text = (getattr(param, "help", None) or "").strip()
    what = takes(param)
    if name_of(param).startswith("-") or not text or what not in ("a value", "a path"):
        return what  # (an option's, or one of choices: 'one of mnist, catvnoncat')
    text = first_clause(text).rstrip(".")
    first = text.split()[0]
    return text if len(first) > 1 and first.isupper() else text[0].lower() + text[1:]


def first_clause(text: str) -> str:
    """``text`` up to its first '; ' or sentence's end ('. ' before a capital) outside
    brackets and quotes: a help's first clause, whole. A cut at the first '; ' or '. '
    wherever it stood (as ``_wanted`` cut) left a bracket open ('expected a folder (path, id
    prefix or 'latest'' of '(..., 'latest'; or ...)'), or stopped at an abbreviation
    ('overrides as key.sub=value, e.g' of 'e.g. optimizer.lr=0.1')."""
    depth, quoted = 0, False
    for i, c in enumerate(text):
        if c == "'" and (quoted or i == 0 or not text[i - 1].isalnum()):  # (not "a run's")
            quoted = not quoted
        elif not quoted and c in "([{":
            depth += 1
        elif not quoted and c in ")]}":
            depth = max(depth - 1, 0)
        elif not quoted and depth == 0 and text[i : i + 2] in ("; ", ". "):
            after = text[i + 2 :].lstrip("(")
            if c == ";" or after[:1].isupper():
                return text[:i]
    return text


def refused(exc: BaseException) -> tuple[bool, Any]:
    """(found, the value) typer's validation refused: the cause of its error, a pydantic
    ValidationError, holds it; the message alone names only the limit."""
    errors = getattr(exc.__cause__, "errors", None)
    try:
        first = errors()[0] if callable(errors) else {}
    except (IndexError, TypeError):
        return False, None
    return ("input" in first, first.get("input")) if isinstance(first, dict) else (False, None)


def current_context() -> Any:
    """The context of the command running (click's, of typer's own click or click's), or None
    outside one."""
    import typer.main

    get = getattr(typer.main, "get_current_context", None)
    return get(silent=True) if get is not None else None


def option_error(option: str, problem: str) -> Exception:
    """typer's BadParameter for the library's refusal (``OptionError``) of ``option`` of the
    running command: with its parameter where the command has one of that name, so that a
    value that came from the environment names its variable (``from_env``: '--runs-dir (from
    $NNLAB_RUNS_DIR): ...'; it said '--runs-dir: ...', an option the command line did not
    have), else naming it as given ('--min/--max')."""
    ctx = current_context()
    params = ctx.command.params if ctx is not None else []
    param = next((p for p in params if option in getattr(p, "opts", ())), None)
    if param is None:
        return typer.BadParameter(problem, param_hint=option)
    return typer.BadParameter(problem, ctx=ctx, param=param)


EXTRA = r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"  # (click's words)


def problem(exc: BaseException, command: Any, argv: list[str]) -> str | None:
    """``name: expected WHAT, got WHAT`` for an option or argument error ``exc`` of
    ``command`` (click's Command it was raised for); None for another usage error (no such
    command), which keeps its own words."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if param is None and getattr(exc, "option_name", None) and command is not None:
        option = exc.option_name  # type: ignore[attr-defined]
        param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
    message = str(getattr(exc, "message", "") or "")
    if kind == "BadParameter" and param is not None:
        found, value = refused(exc)
        if not found:  # (nnlab's own check: its words, which name the value)
            return None
        choices = _choices(param)
        hint = did_you_mean(value, choices) if choices else ""
        return f"{name_of(param)}: expected {takes(param)}, got {given(value)}{hint}"
    if kind == "MissingParameter" and param is not None:
        return f"{name_of(param)}: expected {_wanted(param)}, got nothing"
    if kind == "BadOptionUsage" and getattr(exc, "option_name", None):
        option = exc.option_name  # type: ignore[attr-defined]
        if "requires an argument" in message:
            what = takes(param) if param is not None else "a value"
            return f"{option}: expected {what}, got nothing"
        if "does not take a value" in message:
            value = next((a.split("=", 1)[1] for a in argv if a.startswith(f"{option}=")), "")
            return flag_given(option, value)
    if kind == "NoSuchOption" and getattr(exc, "option_name", None):
        close = close_options(exc)
        hint = f" (did you mean {' or '.join(sorted(close))}?)" if close else ""
        return f"{exc.option_name}: no such option{hint}"  # type: ignore[attr-defined]
    extra = re.match(EXTRA, message)  # (a list option's values split: ``listed``'s)
    if extra and command is not None:
        wanted = [name_of(p) for p in command.params if not getattr(p, "opts", [""])[0][:1] == "-"]
        what = " ".join(wanted) + " only" if wanted else "none"
        return f"{given(extra[1])}: an extra argument; expected {what}{runs_dir_hint(extra[1], command)}"
    return None


def close_options(exc: BaseException) -> list[str]:
    """The options click found close to an unknown one (``--quite``: ``--quiet``), those alike
    without their dashes: click weighs the two dashes each has in common, so ``--bins`` read
    as ``--init or --units`` and ``--tol`` as ``--out``."""
    import difflib

    option = str(getattr(exc, "option_name", "") or "").lstrip("-")
    return [
        name
        for name in getattr(exc, "possibilities", None) or ()
        if difflib.SequenceMatcher(None, option, str(name).lstrip("-")).ratio() >= 0.6
    ]


def runs_dir_hint(word: str, command: Any) -> str:
    """``; for the runs folder r, give --runs-dir r`` where the extra argument ``word`` is a
    folder and the command takes ``--runs-dir`` (``nnlab runs list r`` said only 'an extra
    argument; expected none'), else ""."""
    import os
    import shlex

    takes_it = any("--runs-dir" in getattr(p, "opts", []) for p in command.params)
    if not takes_it or " " in word.strip() or not os.path.isdir(word):
        return ""
    return f"; for the runs folder {word}, give --runs-dir {shlex.quote(word)}"


MISSING_COMMAND = "Missing command."  # (click's words for a group given options but no command)


def missing_command(exc: BaseException) -> Any:
    """The context of the command group a usage error ``exc`` was raised for when the group was
    given no command (``nnlab``, ``nnlab runs``, ``nnlab sweep --jobs 2``), else None. Bad usage,
    exit 2, as git's and cargo's: it printed the group's help and exited 0, so a script that
    left its command out carried on as if it had run."""
    ctx = getattr(exc, "ctx", None)
    if ctx is None or not hasattr(ctx.command, "list_commands"):
        return None
    said = str(getattr(exc, "message", "") or "")
    if type(exc).__name__ == "NoArgsIsHelpError" or said == MISSING_COMMAND:
        return ctx
    return None


def no_command(ctx: Any) -> str:
    """The error line of a group given no command: ``error: nnlab runs: expected a command
    (list, show, compare, remove), got nothing`` (and a group that also acts on an option of
    its own says it: ``nnlab sweep``'s ``--resume SWEEP``)."""
    group = ctx.command
    names = [n for n in group.list_commands(ctx) if not group.get_command(ctx, n).hidden]
    where = " ".join(["nnlab", *ctx.command_path.split()[1:]])
    also = " or --resume SWEEP" if any(p.name == "resume_ref" for p in group.params) else ""
    return f"error: {where}: expected a command ({', '.join(names)}){also}, got nothing"


def from_env(text: str, exc: BaseException) -> str:
    """``text``, the error ``exc`` of an option, naming the variable its value came from when
    that was the environment (``--runs-dir (from $NNLAB_RUNS_DIR): ...``): the command line
    the user reads has no such option; and a flag's variable, which takes a value, said to
    take true or false (it read 'expected no value (it is a flag)' for NNLAB_REPORT=maybe)."""
    ctx, param = getattr(exc, "ctx", None), getattr(exc, "param", None)
    envvar = getattr(param, "envvar", None)
    if ctx is None or param is None or not isinstance(envvar, str):
        return text
    source = ctx.get_parameter_source(param.name or "")
    if source is None or source.name != "ENVIRONMENT":
        return text
    flag = "expected no value (it is a flag)"
    text = text.replace(flag, "expected true or false (1 or 0, yes or no, on or off)", 1)
    return text.replace(f"{name_of(param)}:", f"{name_of(param)} (from ${envvar}):", 1)


def finite(param: typer.CallbackParam, value: float | None) -> float | None:
    """A float option's check: NaN and infinity are refused (click's ranges let NaN through),
    in the words of every refusal (``cli.usage``: its range)."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"expected {takes(param)}, got {value}")
    return value


def bounded(
    kind: Any,
    flags: str | tuple[str, ...],
    help: str,
    low: float | None = None,
    high: float | None = None,
    *,
    above: bool = False,
    below: bool = False,
    default: Any = None,
) -> OptionInfo:
    """The option of ``Annotated[kind, bounded(kind, ...)]``: a number from ``low`` to ``high``
    (either may be None: unbounded), its range in -h as typer gives it for every bounded option
    (``[default: 8; 1<=x<=4096]``) and its refusal as ``cli.usage`` says every one ('--batch:
    expected an integer from 1 to 4096, got 0'); a float also finite. ``above``/``below``: an
    open end (strictly above ``low``, below ``high``: --eps, --val-fraction), which typer
    cannot declare: written into the help as typer writes a range (``default`` beside it:
    typer's own is left out) and checked by a callback in the same words."""
    names = (flags,) if isinstance(flags, str) else flags
    if not (above or below):
        check_finite = finite if kind is float else None
        return typer.Option(*names, help=help, min=low, max=high, callback=check_finite)
    if low is not None and high is not None:
        span = f"{low:g}{'<' if above else '<='}x{'<' if below else '<='}{high:g}"
    elif low is not None:
        span = f"x{'>' if above else '>='}{low:g}"
    else:
        span = f"x{'<' if below else '<='}{high:g}"
    shown = f"default: {default}; {span}" if default is not None else span

    ends = [f"{'above' if above else 'at least'} {low:g}"] if low is not None else []
    ends += [f"{'below' if below else 'at most'} {high:g}"] if high is not None else []
    takes = f"a finite number {' and '.join(ends)}"

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        low_out = low is not None and (value <= low if above else value < low)
        high_out = high is not None and (value >= high if below else value > high)
        if low_out or high_out or not math.isfinite(value):  # (as cli.usage says a refusal)
            raise typer.BadParameter(f"expected {takes}, got {value:g}")
        return value

    return typer.Option(*names, help=f"{help}  [{shown}]", show_default=False, callback=check)


def one_dash_long(argv: list[str], root: Any) -> str | None:
    """The error line for a long option of the command ``argv`` runs written with one dash
    (``nnlab runs list -kind train``), before click parses it, else None. Click reads such a
    word as a cluster of short options, or as a short one and its value: ``-kind train`` was
    ``-k ind`` and then 'train': an extra argument, ``-kind`` alone ran with the kind 'ind'.
    A word that is the value of the option before it, or comes after ``--``, is a value."""
    command, path, value_next = root, ["nnlab"], False
    for word in argv:
        if value_next or word == "--":
            if word == "--":
                return None
            value_next = False
            continue
        sub = getattr(command, "commands", {}).get(word)
        if sub is not None:
            command, path = sub, [*path, word]
            continue
        if not word.startswith("-"):
            continue
        named = word.partition("=")[0]
        param = next((p for p in command.params if named in getattr(p, "opts", ())), None)
        if param is not None:  # (an option as it is: its value may be the next word)
            value_next = not getattr(param, "is_flag", False) and "=" not in word
            value_next = value_next and getattr(param, "nargs", 1) > 0
            continue
        if not re.fullmatch(r"-[A-Za-z][\w-]+", word):
            continue
        longs = {o for p in command.params for o in getattr(p, "opts", ()) if o[:2] == "--"}
        if f"-{word}" in longs | {"--help"}:
            where = " ".join(path)
            return f"error: {word}: no such option (did you mean -{word}?) (see {where} -h)"
    return None


def command_at(argv: Sequence[str], root: Any) -> tuple[Any, list[str]]:
    """(the command, its path after ``nnlab``) that ``argv`` runs from the group ``root``:
    its words that name a subcommand of the group before them, in order."""
    command, path = root, list[str]()
    for arg in argv:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is not None:
            command, path = sub, [*path, arg]
    return command, path
