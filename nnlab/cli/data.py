"""``nnlab data``: list the datasets, fetch the ones that need files."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli.common import FormatOpt, QuietOpt, command, note
from nnlab.cli.paths import MissingDataDirOpt, given_path
from nnlab.cli.render import emit
from nnlab.output import Format

data_app = typer.Typer(
    help="List the datasets and fetch the ones that need files.", no_args_is_help=True
)


class FetchTarget(str, Enum):
    mnist = "mnist"
    catvnoncat = "catvnoncat"


class MnistPart(str, Enum):
    t10k = "t10k"
    train = "train"


@data_app.command("list")
@command()
def data_list(data_dir: MissingDataDirOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the datasets and whether each is available in the data dir.

    Example: nnlab data list --data-dir ../shared/data
    """
    from nnlab.data import resolve_data_dir
    from nnlab.data.registry import availability, missing_notes

    where = resolve_data_dir(data_dir)
    rows = availability(where)
    emit(rows, fmt, ["dataset", "status", "location", "description"], title=f"datasets ({where})")
    for line in missing_notes(rows, where, data_dir):
        note(line)


def mirror_urls(values: list[str] | None) -> list[str] | None:
    """``--mirror`` values: http(s) base URLs (a bare word was fetched as a file: URL)."""
    for value in values or []:
        if not value.startswith(("http://", "https://")):
            raise typer.BadParameter(f"{value!r}: expected a base URL starting http:// or https://")
        if (problem := _url_problem(value)) is not None:  # (http:// was fetched from a host
            raise typer.BadParameter(  # named t10k-images-idx3-ubyte.gz: three lines, exit 2)
                f"{value!r}: {problem}; expected a base URL such as https://example.org/mnist/"
            )
    return values


def _url_problem(url: str) -> str | None:
    """What makes ``url`` no URL to fetch from (no host, a bad port or bracket, a space or a
    control character), else None."""
    from urllib.parse import urlsplit

    if any(c.isspace() or not c.isprintable() for c in url):
        return "contains a space or a control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is no number raises only when read)
    except ValueError as exc:
        return f"not a URL ({exc})"
    return None if parts.hostname else "names no host"


Mirror = Annotated[
    list[str] | None,
    typer.Option("--mirror", help="mnist: base URL to try (repeatable; default: two mirrors).",
                 callback=mirror_urls),
]  # fmt: skip
Only = Annotated[
    list[MnistPart] | None,
    typer.Option(
        "--only",
        help="mnist: only this part, t10k (10,000 images) or train (60,000); default: both.",
    ),
]
From = Annotated[
    Path | None,
    typer.Option(
        "--from", help="catvnoncat: copy the two .h5 files from this folder.", parser=given_path
    ),  # fmt: skip
]


@data_app.command("fetch")
@command()
def data_fetch(
    dataset: Annotated[
        FetchTarget, typer.Argument(help="Dataset to put in the data dir: mnist or catvnoncat.")
    ],
    data_dir: MissingDataDirOpt = None,
    mirror: Mirror = None,
    only: Only = None,
    source: From = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Put a dataset's files in the data dir, verified: mnist downloaded, catvnoncat copied.

    mnist: each file from the first mirror whose decompressed payload has the known MD5.
    catvnoncat has no official download: the two files already in <data-dir>/catvnoncat/ are
    verified, or copied from --from DIR; otherwise the error says what to place where.

    Example: nnlab data fetch mnist --only t10k --data-dir data

    Example: nnlab data fetch catvnoncat --from ~/Downloads --data-dir data
    """
    from nnlab.data import resolve_data_dir
    from nnlab.data.fetch import fetch

    progress = None if quiet else note  # (each file's download and verdict, as it happens)
    parts = [p.value for p in only] if only else None
    folder, paths = fetch(dataset.value, resolve_data_dir(data_dir), mirror, parts, source,
                          progress)  # fmt: skip
    rows = [{"file": p.name, "bytes": p.stat().st_size, "path": str(p)} for p in paths]
    emit(rows, fmt, ["file", "bytes", "path"], title=f"{dataset.value} in {folder}")
