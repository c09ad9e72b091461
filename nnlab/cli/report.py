"""``nnlab report``: a static HTML report of the runs folder that opens from disk, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nnlab.cli.common import QuietOpt, command, echo, note
from nnlab.cli.paths import RunsDirOpt, given_path
from nnlab.output import counted


@command()
def report(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Run or sweep folders (paths, id prefixes or 'latest'); none: every folder.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Report folder: a new one, or an empty one or an earlier report rebuilt in "
            "place (default: <runs-dir>/report).",
            show_default=False,
            parser=given_path,
        ),
    ] = None,
    runs_dir: RunsDirOpt = Path("runs"),
    quiet: QuietOpt = False,
) -> None:
    """Write a static HTML report of the runs and sweeps that opens from disk, offline.

    A rebuild reads and draws only the folders that are new or changed since the last build
    (recorded in the report folder's hidden .nnlab-report-cache); a RUNNING run is always read
    again.

    Example: nnlab report && cd runs && zip -qr ../report.zip report
    """
    from nnlab.report import build_report

    result = build_report(refs or [], runs_dir, out)
    for rel in result.damaged:
        note(f"warning: {rel}: DAMAGED, could not be read (its page says why)")
    for rel in result.unreadable:  # (not DAMAGED: the device failed to read a file)
        note(f"warning: {rel}: UNREADABLE, an error reading a file (its page says which)")
    for rel in result.vanished:  # (not DAMAGED: its files went as it was read)
        note(f"note: {rel}: removed or renamed as the report read it (left out)")
    for rel, by in result.missing:
        gone = "recorded it and its folder is gone (its page says so)"
        note(f"warning: {rel}: MISSING, the {by} {gone}")
    counts = [(result.rows, "folder"), (result.pages, "page"), (result.figures, "figure")]
    if not quiet:  # (what it wrote; the warnings and the path stay)
        note(", ".join(counted(n, noun) for n, noun in counts))
    echo(str(result.index))
