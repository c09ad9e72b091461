"""The data a run folder's numbers come from, as its meta.json records it (``data_fields``:
where it came from and its digest; ``data_dir_text``: the data folder), and the checks a
resume makes that it reads the same data again (``check_data``, ``resume_data_dir``).
(``nnlab.runs`` re-exports it.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nnlab.errors import DataError
from nnlab.provenance import DataFields
from nnlab.rundir import RunDir


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
