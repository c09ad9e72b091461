"""``nnlab config``: the reference of every config key, read from the schema."""

from __future__ import annotations

from typing import Annotated

import typer

from nnlab.cli.common import FormatOpt, command, echo
from nnlab.cli.render import emit
from nnlab.output import Format

config_app = typer.Typer(
    help="The config file's keys: types, defaults, ranges.", no_args_is_help=True
)


@config_app.command("keys")
@command()
def config_keys(
    prefix: Annotated[
        str | None,
        typer.Argument(
            help="Only keys starting with this (e.g. optimizer, dataset.n_).", show_default=False
        ),
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The reference as Markdown (docs/config.md).")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Every config key with its type, default, allowed values and meaning (and the sweep:
    section's keys, and the names of losses, activations, inits, optimizers, datasets).

    Example: nnlab config keys optimizer
    """
    from nnlab.config_keys import markdown_reference, reference_rows

    if markdown:
        if prefix:  # (it wrote the whole reference, the prefix ignored)
            raise typer.BadParameter(
                "writes the whole reference (docs/config.md); give a prefix without it",
                param_hint="--markdown",
            )
        echo(markdown_reference(), nl=False)
        return
    rows = reference_rows(prefix)
    emit(
        rows,
        fmt,
        ["key", "when", "type", "default", "allowed", "meaning"],
        title="config keys (nnlab config keys --markdown: the same as docs/config.md)",
    )
