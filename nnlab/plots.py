"""Every figure nnlab draws. matplotlib is imported lazily, with the Agg backend (no screen).

Each function takes plain data (lists, arrays, dicts) and a path, and writes one PNG atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (imported on first use: keeps ``--help`` fast)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, path: Path, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` as PNG via a temp file + os.replace, then close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        pyplot().close(fig)
    return path


# --- train: curves of one run -------------------------------------------------------------


# --- sweep ----------------------------------------------------------------------------------


# --- gradcheck ------------------------------------------------------------------------------


# --- optimizers -----------------------------------------------------------------------------


# --- experiments: lr-scan, tune, activations, landscape ------------------------------------
