"""What every figure shares: matplotlib on the Agg backend (imported on first use), the atomic
save, and reading a curve out of per-epoch records.

A figure is built by a ``*_figure`` function from plain data (lists, arrays, dicts) and returned
as a matplotlib Figure, so tests can read its layout; the function of the same name without the
suffix builds it and writes it to a PNG with ``save``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (imported on first use: keeps ``--help`` fast)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def import_in_background(*also: Callable[[], Any]) -> threading.Thread:
    """Import matplotlib (~0.5 s) on another thread while this one computes, so that a figure
    drawn later finds it loaded (``also``: further warm-ups to run there). A failure is left
    for the later import to report."""

    def load() -> None:
        with contextlib.suppress(Exception):
            pyplot()
            for warm in also:
                warm()

    thread = threading.Thread(target=load, name="nnlab-import-matplotlib", daemon=True)
    thread.start()
    return thread


def save(fig: Any, path: Path, dpi: int = 110, tight: bool = True) -> Path:
    """Write ``fig`` to ``path`` as PNG via a temp file + os.replace, then close it.

    ``tight`` crops to the drawn artists (an extra layout pass); a figure whose margins are set
    by hand (``subplots_adjust``) saves faster without it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight" if tight else None)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        pyplot().close(fig)
    return path


def curve(records: list[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    """(epochs, values) of ``key``; a missing or None value is NaN (a gap in the line)."""
    epochs = [r["epoch"] for r in records]
    return epochs, [float("nan") if r.get(key) is None else r[key] for r in records]
