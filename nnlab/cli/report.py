"""``nnlab report``: a static HTML report of the runs folder that opens from disk, offline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nnlab.cli.common import QuietOpt, command, echo, note
from nnlab.cli.paths import RunsDirOpt, given_path
from nnlab.output import counted

if TYPE_CHECKING:
    from nnlab.report import Damage, ReportResult


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

    Writes <runs-dir>/report/ (or --out): index.html, a page per folder (<folder>/index.html
    with its figures), data.js and _assets/; the last line is index.html's path.

    A rebuild reads and draws only the folders that are new or changed since the last build
    (recorded in the report folder's hidden .nnlab-report-cache); a RUNNING run is always read
    again.

    Example: nnlab report && cd runs && zip -qr ../report.zip report -x '*/.nnlab-report-cache'
    """
    from nnlab.report import build_report

    result = build_report(refs or [], runs_dir, out)
    for line in warnings(result):
        note(line)
    if not quiet:  # (what it wrote; the warnings and the path stay)
        note(wrote_line(result))
    echo(str(result.index))


def wrote_line(result: ReportResult) -> str:
    """What a build wrote: its folders as ``runs list`` counts them (those under the runs
    folder), then any that are no run folder and the trials in them, its pages, its figures:
    '3 folders (9 trials in them), 15 pages, 6 figures'. It said '3 folders' alone, which
    left what it counted unsaid: the sweeps' and tunes' trials (a page each) not, a folder
    that is no run (listed on the index, not by runs list) too."""
    inside = [counted(result.trials, "trial") + " in them"] if result.trials else []
    if result.others:
        inside.insert(0, f"{result.others} of them no run folder, which runs list leaves out")
    folders = counted(result.rows, "folder") + (f" ({'; '.join(inside)})" if inside else "")
    return f"{folders}, {counted(result.pages, 'page')}, {counted(result.figures, 'figure')}"


def warnings(result: ReportResult) -> list[str]:
    """A line per folder that is DAMAGED, UNREADABLE or MISSING, or holds such trials (a tune's
    rounds) (``ReportResult.damage``): one saying how many and naming the first (a broken sweep
    of 500 trials printed 500 lines), and a note per folder gone as it was read."""
    groups = result.damage()
    lines = [_line(g) for g in groups if g.status != "MISSING"]
    lines += [  # (not DAMAGED: its files went as it was read)
        f"note: {rel}: removed or renamed as the report read it (left out)"
        for rel in result.vanished
    ]
    return lines + [_line(g) for g in groups if g.status == "MISSING"]


WHY = {  # (``{}``: the page, or pages, that say more)
    "DAMAGED": "could not be read ({} why)",
    "UNREADABLE": "an error reading a file ({} which)",  # (the device failed)
    "MISSING": "the {by} recorded {{}} gone ({{}} so)",
}


def _line(damage: Damage) -> str:
    """One folder's warning, or a sweep's (a tune's) for its trials (rounds)."""
    first, what = damage.rels[0], damage.status
    why = WHY[what].format(by=damage.by) if what == "MISSING" else WHY[what]
    gone = what == "MISSING"
    if len(damage.rels) == 1:
        said = (
            why.format("it and its folder is", "its page says")
            if gone
            else why.format("its page says")
        )
        return f"warning: {first}: {what}, {said}"
    said = (
        why.format("them and their folders are", "their pages say")
        if gone
        else why.format("their pages say")
    )
    count = counted(len(damage.rels), damage.noun)
    return f"warning: {damage.folder}: {count} {what}, the first {first}: {said}"
