"""``nnlab data``: list the datasets, fetch the ones that need files."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from nnlab.cli.common import DataDirOpt, FormatOpt, handle_errors, note
from nnlab.cli.render import emit
from nnlab.output import Format

data_app = typer.Typer(
    help="List the datasets and fetch the ones that need files.", no_args_is_help=True
)


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
    paths = fetch_mnist(dest, mirror or None, which, progress=note)
    rows = [{"file": p.name, "bytes": p.stat().st_size, "path": str(p)} for p in paths]
    emit(rows, fmt, ["file", "bytes", "path"], title=f"{dataset.value} in {dest / 'mnist'}")
