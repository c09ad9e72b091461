"""nnlab's command line: thin Typer commands that parse arguments, call one library function
and print its result. Results go to stdout, progress and logs to stderr. Exit codes: 0 ok,
1 the run failed, 2 bad usage or config, 3 some sweep trials failed, 130 interrupted.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
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


def handle_errors(fn: F) -> F:
    """Turn expected errors into one line on stderr and an exit code (``--debug``: traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
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


# --- data -----------------------------------------------------------------------------------


# --- sweep ----------------------------------------------------------------------------------


# --- gradcheck ------------------------------------------------------------------------------


# --- compare-optimizers ---------------------------------------------------------------------


# --- experiments: lr-scan, tune, activations, landscape ------------------------------------


def main() -> None:
    """Console-script entry point."""
    app(prog_name="nnlab")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
