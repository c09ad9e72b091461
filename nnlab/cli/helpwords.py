"""The words ``-h`` shows for what each option and argument takes: ``N``, ``PATH``, ``RUN``,
``<table|json|csv>`` (``one_of``), an argument in capitals as the errors name it (``CONFIG``),
values too many to stand beside an option's help in it (``[values: ...]``). ``cli.usage``'s
errors name options and arguments in the same words. ``-h`` folds its lines at spaces only
(``whole_words``).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import textwrap
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
    """``command``'s help and its subcommands' folded at spaces only (``whole_words``); every option of ``command`` and its subcommands that declares no metavar shows
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
    command.context_class = whole_words(command.context_class)
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


@functools.cache
def whole_words(context: Any) -> Any:
    """``context`` (a click ``Context`` class: typer's own copy of click's, or click's in an
    older typer) with a help formatter that folds lines at spaces only, never inside a word:
    click's wrapper also broke one at its hyphens (``(<runs-`` / ``dir>/report``,
    ``weight-`` / ``scale.png``) and cut one wider than its column in two (a path); such a
    word now stands whole, past the column if it must. click's ``wrap_text`` takes no such
    setting: it makes its ``TextWrapper`` anew each time, which the formatter's methods give
    this one while they write (``Context.formatter_class`` is click's way to change it)."""
    if getattr(context, "whole_words", False):
        return context
    try:  # (click's private module: a click or typer without it keeps its own folding)
        wrapping: Any = importlib.import_module(context.__module__.rsplit(".", 1)[0] + "._textwrap")
        kept = wrapping.TextWrapper
    except (ImportError, AttributeError):
        return context

    class Wrapper(kept):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.break_on_hyphens = self.break_long_words = False

        _handle_long_word = textwrap.TextWrapper._handle_long_word  # (click's always cuts)

    @contextlib.contextmanager
    def folding() -> Any:
        wrapping.TextWrapper = Wrapper
        try:
            yield
        finally:
            wrapping.TextWrapper = kept

    class Formatter(context.formatter_class):  # type: ignore[misc,name-defined]
        def write_usage(self, *args: Any, **kwargs: Any) -> None:
            with folding():
                super().write_usage(*args, **kwargs)

        def write_text(self, *args: Any, **kwargs: Any) -> None:
            with folding():
                super().write_text(*args, **kwargs)

        def write_dl(self, *args: Any, **kwargs: Any) -> None:
            with folding():
                super().write_dl(*args, **kwargs)

    return type(context.__name__, (context,), {"formatter_class": Formatter, "whole_words": True})
