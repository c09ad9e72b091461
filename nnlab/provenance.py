"""What made a run's numbers, as its meta.json records it: the commit of the nnlab source
tree, the versions of nnlab, Python, NumPy and pydantic, and NumPy's BLAS with the kernels it
chose for this CPU; and the data it read (``data_fields``), which a resume checks it reads
again (``check_data``). (``nnlab.runs`` re-exports it.)"""

from __future__ import annotations

import functools
import platform
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from nnlab import __version__
from nnlab.errors import DataError

if TYPE_CHECKING:  # (rundir reads with ``newer_writer``)
    from nnlab.rundir import RunDir


class DataFields(TypedDict):
    """What a folder's meta.json records of the data its numbers come from
    (``data_fields``)."""

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


# ----------------------------------------------------------------------------- data
def data_dir_text(data_dir: Path | str | None) -> str | None:
    """A data folder (``--data-dir``) as meta.json records it: absolute, so that a resume from
    another working directory reads the data the run began with (None: none given)."""
    return str(Path(data_dir).resolve()) if data_dir else None


def resume_data_dir(run: RunDir, given: Path | None) -> Path | None:
    """The data folder a resume of ``run`` reads: ``--data-dir`` if given, else the one its
    meta.json recorded (``data_dir_text``), so a resume from elsewhere reads the run's data."""
    if given is None and run.meta.get("data_dir"):
        return Path(run.meta["data_dir"])
    return given


def data_fields(data: Any) -> DataFields:
    """What a folder's meta.json records of the ``Dataset`` its numbers come from: where it
    came from and how it was carved (``data_source``), and its digest (``data_digest``), which
    a resume checks its data against (``check_data``)."""
    return {"data_source": data.source, "data_digest": data.digest}


def check_data(run: RunDir, data: Any, data_dir: Path | None = None, doing: str = "resume") -> None:
    """DataError unless ``data`` (a ``Dataset``) is the data ``run`` began with: the digest its
    meta.json recorded (``data_digest``; a folder made before nnlab recorded one is not
    checked). A resume whose data changed (a file replaced, another --data-dir) would carry
    on with other numbers than the run's, and mix them in its records and kept results.
    ``doing``: what the line tells to do again with the run's data folder (``extend``)."""
    recorded = run.meta.get("data_digest")
    if recorded is None or recorded == data.digest:
        return
    began, name = run.meta.get("data_dir"), f"the {data.name!r} data"
    where = f"{name} in {data_dir}" if data_dir else name
    if data_dir_text(data_dir) != began:
        what = "is not the data the run began with"
        fix = f"{doing} with --data-dir {began}" if began else f"{doing} without --data-dir"
    else:
        what, fix = "has changed since the run began", "put back the data it used"
    raise DataError(
        f"{run.path}: {where} {what} (digest {data.digest}, recorded {recorded}); {fix}, "
        "or start a new run"
    )
