"""Expected errors: each becomes one clear line and an exit code in the CLI, never a traceback."""

from __future__ import annotations

from collections.abc import Iterable


class NnlabError(Exception):
    """An expected failure the user can fix. ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class ConfigError(NnlabError):
    """A bad config file, key, value or override (exit 2)."""


class OptionError(ConfigError):
    """A command-line option's value that cannot be used (exit 2): ``option`` and what is wrong
    with its value and what to do (``problem``). Raised where the value is checked (the
    library, before any work); the command line says it as it says every option typer refuses:
    ``--opt: problem (see nnlab CMD -h)``."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option, self.problem = option, problem

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # (from a worker process)
        return type(self), (self.option, self.problem)


class DataError(NnlabError):
    """A missing, corrupt or mismatched data file (exit 2): the message names the path."""


class RunError(NnlabError):
    """A run folder that cannot be found, read or resumed (exit 2)."""


def not_one_of(option: str, value: object, choices: Iterable[object]) -> str:
    """``--opt: expected one of a, b, c, got 'x' (did you mean 'y'?)``: a value of an option
    (or argument) that is not one of its choices, said as every option error is (the command
    line says typer's refusals so: ``cli.usage``)."""
    choices = [str(c) for c in choices]
    shown = f"{value!r}" if isinstance(value, str) else str(value)
    return (
        f"{option}: expected one of {', '.join(choices)}, got {shown}{did_you_mean(value, choices)}"
    )


def did_you_mean(value: object, choices: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` for the choice closest to a mistyped ``value``, else ``""``."""
    import difflib

    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
