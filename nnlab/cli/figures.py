"""The figures a command drew, as its last lines say them: its folder's line names each
(``run folder: runs/<run>  (figure: curves.png)``, as a sweep's line does), and ``--png``'s
copy is a line of its own (``figure: PATH``)."""

from __future__ import annotations

from pathlib import Path

from nnlab.cli.common import note
from nnlab.figure_files import drawn


def folder_line(folder: Path, label: str = "run folder") -> str:
    """``run folder: PATH  (figure: NAME)``: the folder a command made and the figures it drew
    there (train's and lr-scan's line named the folder alone, a sweep's its figure too)."""
    figures = drawn(folder)
    return f"{label}: {folder}" + (f"  ({figures})" if figures else "")


def copy_figure(src: Path, png: Path | None) -> None:
    """``--png``: a copy of the figure there."""
    if png is not None:
        from nnlab.runs import copy_file

        copy_file(src, png)
        note(f"figure: {png}")
