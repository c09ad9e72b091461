"""The words ``-h`` shows for what each option and argument takes: ``N``, ``PATH``, ``RUN``,
``<table|json|csv>`` (``one_of``), an argument in capitals as the errors name it (``CONFIG``),
values too many to stand beside an option's help in it (``[values: ...]``). ``cli.usage``'s
errors name options and arguments in the same words.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from nnlab.cli.usage import _annotation, _choices

RUN_OPTIONS = ("--resume", "--extend")  # (options that take a run: folder, id prefix, 'latest')


def one_of(*values: str) -> str:
    """The word ``-h`` shows for an option that takes one of a fixed set of values: the values,
    ``<filter|none>``, as typer shows an enum's (``--format <table|json|csv>``). For an option
    the library checks (with its did-you-mean) rather than typer: ``typer.Option(...,
    metavar=one_of(...))``."""
    return f"<{'|'.join(values)}>"


def metavar(param: Any) -> str | None:
    """The word ``-h`` shows for what an option takes where it declares none: ``N`` (an
    integer), ``NUMBER``, ``DIR`` or ``PATH``, ``RUN`` (a run reference), else its own name
    (``--kind KIND``), as argparse writes it; None for a flag or choices, which show their
    own (``<table|json|csv>``; an option of fixed values typer does not check declares
    ``one_of``'s). typer wrote Python's names, ``<int range>``, ``<list[str]>``,
    ``<Path>``, ``<str>``."""
    if getattr(param, "is_flag", False):
        return None
    if choices := _choices(param):  # (a list of choices: typer wrote '<list[t10k|train]>')
        declared = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        listed = typing.get_origin(declared) is list or "list[" in str(declared)
        return one_of(*choices) if listed else None
    name = max(param.opts, key=len)
    kind = _annotation(param)
    if kind is int:
        return "N"
    if kind is float:
        return "NUMBER"
    if isinstance(kind, type) and issubclass(kind, Path):
        return "DIR" if name.endswith("-dir") or name == "--out" else "PATH"
    if name in RUN_OPTIONS:
        return "RUN"
    return name.lstrip("-").replace("-", "_").upper()


def readable_help(command: Any) -> None:
    """Every option of ``command`` and its subcommands that declares no metavar shows
    ``metavar``'s word in ``-h`` and an argument its name in capitals, as the errors name it
    (``CONFIG``, ``RUN``), without typer's ``<Path>`` or ``<list[str]>`` after it; an option
    whose default is None (not given) and declares what that means, ``show_default="128"``,
    shows ``[default: 128]`` as every other option its default, not typer's ``(128)``."""
    for param in command.params:
        if isinstance(getattr(param, "show_default", None), str):
            said = param.show_default
            param._get_default_string = lambda *, ctx, show_default_is_str, default_value, _s=said: (
                _s
            )
        if param.param_type_name == "argument":
            param.metavar = param.metavar or (param.name or "").upper()
            param.display_type_rich = lambda ctx: None  # (typer's '<Path>' after the name)
            param.get_usage_pieces = lambda ctx, _p=param: [usage_piece(_p)]
        elif param.metavar is None and (word := metavar(param)) is not None:
            param.metavar = word
        _values_in_help(param)
    for sub in getattr(command, "commands", {}).values():
        readable_help(sub)


def usage_piece(argument: Any) -> str:
    """An argument in a usage line as click writes it, and as every error and help names it:
    ``RUN``, ``[CONFIG]`` if it may be left out, ``REFS...`` if it takes several. Typer 0.29
    writes a required one in braces (``TyperArgument._usage_display_name``: ``nnlab runs show
    [OPTIONS] {RUN}``, metavar or not), which reads as a choice of values; this is click's
    ``Parameter.get_usage_pieces``, the piece a command's usage line is made of."""
    name = argument.metavar or (argument.name or "").upper()
    if not argument.required:
        name = f"[{name}]"
    return f"{name}..." if argument.nargs != 1 else name


HELP_COLUMN = 30  # click's widest option column: a longer one pushes its help onto a new line


def _values_in_help(param: Any) -> None:
    """An option of more values than its ``<a|b|c>`` fits beside its help (``--kind <train|
    sweep|tune|...>`` stood on a line of its own, its help on the next): ``--kind KIND`` and
    the values in its help, ``[values: train, sweep, ...]``, as ``[default: ...]`` is."""
    word = param.metavar or ""
    if not (word.startswith("<") and word.endswith(">")) or param.param_type_name != "option":
        return
    column = len(", ".join(sorted(param.opts, key=len))) + 1 + len(word)
    if column <= HELP_COLUMN:
        return
    param.metavar = max(param.opts, key=len).lstrip("-").replace("-", "_").upper()
    said = f"[values: {', '.join(word[1:-1].split('|'))}]"
    param.help = f"{param.help}  {said}" if param.help else said
