"""The figures a command drew into its folder, as its last line names them (``drawn``:
``figure: curves.png``, ``figures: a.png, b.png``): a run's folder line
(``cli.figures.folder_line``) and a sweep's (``sweep.outcome.folder_said``) say them alike."""

from __future__ import annotations

from pathlib import Path


def drawn(folder: Path) -> str:
    """``figure: curves.png`` (``figures: a.png, b.png``) for the figures in ``folder``, by
    name, "" where there is none (a run that drew none, or could not) or the folder cannot be
    listed: the line is said after the run has ended, whose folder says how it ended, so an
    error listing it (EIO, a permission taken away) leaves the figures unsaid, not the command
    failed (a sweep that COMPLETED exited 1 with 'runs/RUN: Input/output error')."""
    try:
        figures = sorted(p.name for p in folder.glob("*.png"))
    except OSError:
        return ""
    if not figures:
        return ""
    return f"figure{'s' if len(figures) > 1 else ''}: {', '.join(figures)}"
