"""What made a run's numbers, as its meta.json records it: the commit of the nnlab source
tree, the versions of nnlab, Python, NumPy and pydantic, and NumPy's BLAS with the kernels it
chose for this CPU (``nnlab.runs`` re-exports it). Which nnlab made a folder, if a newer
one, is read with its meta.json (``metafile.newer_writer``)."""

from __future__ import annotations

import functools
import platform
import subprocess
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from nnlab import __version__


class DataFields(TypedDict):
    """What a folder's meta.json records of the data its numbers come from
    (``rundata.data_fields``)."""

    data_source: str
    data_digest: str


@functools.cache
def git_commit() -> str | None:
    """The commit of the nnlab source tree, if it is a git checkout (else None); asked once
    per process (a sweep worker writes many run folders)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def versions() -> dict[str, str]:
    """What made the numbers: nnlab's, Python's, NumPy's and pydantic's versions, and the BLAS
    library with the kernels it chose for this CPU (``blas``), where threadpoolctl can tell."""
    import pydantic

    out = {
        "nnlab": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pydantic": pydantic.__version__,
    }
    kernels = blas()
    return out | {"blas": kernels} if kernels else out


@functools.cache
def blas() -> str | None:
    """NumPy's BLAS as ``<library> <version> (<kernels> kernels)``, e.g. ``openblas 0.3.31
    (SkylakeX kernels)``, or None. OpenBLAS picks its matrix-product kernels for the CPU at
    start (``OPENBLAS_CORETYPE`` overrides it), and kernels add a product's terms in their own
    order: two machines whose kernels differ give the same run different last digits.

    NumPy's is the BLAS loaded from NumPy's own folders (a wheel's ``numpy.libs``), else the
    only one loaded: SciPy (through scikit-learn) may have loaded its own beside it."""
    try:
        from threadpoolctl import threadpool_info

        found = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    except Exception:  # (a library threadpoolctl cannot read is no reason to fail a run)
        return None
    home = Path(np.__file__).resolve().parent
    folders = (home, home.with_name("numpy.libs"))

    def numpys(lib: dict[str, Any]) -> bool:
        where = Path(lib.get("filepath") or "/").resolve()
        return any(where.is_relative_to(folder) for folder in folders)

    own = [lib for lib in found if numpys(lib)]
    lib = own[0] if own else found[0] if len(found) == 1 else None
    if lib is None:
        return None
    name = f"{lib.get('internal_api', 'blas')} {lib.get('version') or ''}".strip()
    return f"{name} ({lib['architecture']} kernels)" if lib.get("architecture") else name
