"""A run folder's renderings: the files it writes for people and that no command reads back,
summary.txt and summary.csv (its tables, drawn from summary.json and the records) and its
figures (``*.png``). Which of them a folder must hold, and how whole (``check_renderings``):

- none must be there: a run made from Python with ``plot=False`` draws no figure, a
  gradcheck writes no summary.txt, and a user may remove one to save room. No reader needs one: ``runs show`` draws its tables from summary.json, so a missing
  rendering leaves the folder as sound as it was.
- one that is there is whole: nnlab writes each atomically (a temporary file replaced) before
  the status that ends its folder, so no kill leaves one cut short. Something other than a
  file where one goes (a folder, a named pipe), text that is not UTF-8 or not whole, a CSV
  whose rows are ragged, a PNG that does not start and end as one, is not as nnlab left the
  folder: DAMAGED in every reader, as a resume refuses it. It was listed COMPLETED by
  ``runs list``, ``runs show`` and ``report`` while a resume refused it, and a user opening
  summary.csv or curves.png met garbage in a folder said to be sound.

``RunDir.check_present`` asks it, the one check every reader of a folder makes (``runs list``,
``runs show``, ``compare``, ``report``, each resume); ``outline.looks_whole`` tells a rendering
that looks off (by its kind, size, last bytes and times) for the quick reading of a trial.
"""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

from nnlab.errors import RunError
from nnlab.fileio import DamagedError, read_text_file
from nnlab.filestate import (
    cannot_read,
    read_failure,
    refuse_all_but_a_file,
    there,
    wrong_kind,
)

TEXTS = ("summary.txt", "summary.csv")  # the tables a folder writes as text
FIGURE = ".png"  # how the name of a figure nnlab draws ends
RENDERED = (".txt", ".csv", FIGURE)  # how the names of the files checked here end
PNG_START = b"\x89PNG\r\n\x1a\n"  # a PNG's signature
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # a PNG's last chunk, whole
REMEDY = "edited? no command reads it back: remove it, and the folder reads whole"


def check_renderings(folder: Path) -> None:
    """DamagedError naming the first rendering in ``folder`` (by name) that is not as nnlab
    wrote it (see the module's docstring); RunError (UnreadableError: the device failed) where
    one cannot be read. None there, or each whole: nothing is raised."""
    try:
        with os.scandir(folder) as found:
            names = sorted(e.name for e in found if e.name.endswith(RENDERED))
    except OSError as exc:
        raise RunError(cannot_read(Path(folder), exc)) from None
    for name in names:
        path = Path(folder) / name
        if not _is_file(path):
            continue
        if name in TEXTS:
            why = _text_fault(path)
        elif name.endswith(FIGURE):
            why = _figure_fault(path)
        else:  # (another .txt: only its kind is told, as a resume tells it)
            why = None
        if why is not None:
            verb = "draws" if name.endswith(FIGURE) else "writes"
            raise DamagedError(f"{path}: {why}; nnlab {verb} it whole ({REMEDY})")


def _is_file(path: Path) -> bool:
    """Whether a file is at ``path`` (through a link, as a reader opens it): False if nothing
    is; DamagedError in ``wrong_kind``'s wording where something else is (a folder, a named
    pipe), or a link leads nowhere (``there``)."""
    if not there(path):
        return False
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:  # (removed meanwhile: none is there)
        return False
    except OSError as exc:
        raise read_failure(path, exc) from None
    if not stat.S_ISREG(mode):
        raise DamagedError(wrong_kind(path, mode))
    return True


def _text_fault(path: Path) -> str | None:
    """Why summary.txt or summary.csv at ``path`` is not the text nnlab writes there (not
    UTF-8, or over the size nnlab writes: DamagedError from ``read_text_file``)."""
    text = read_text_file(path)
    if text is None:
        return None
    if not text:
        return "empty"
    if "\0" in text:
        return "not text (it holds a NUL byte)"
    if not text.endswith("\n"):
        return "cut short (no newline at its end)"
    if path.suffix == ".csv" and len({len(row) for row in csv.reader(text.splitlines())}) != 1:
        return "not the table nnlab writes (its rows are ragged)"
    return None


def _figure_fault(path: Path) -> str | None:
    """Why the figure at ``path`` is not a whole PNG, as nnlab draws it."""
    try:
        with open(path, "rb", buffering=0) as f:
            refuse_all_but_a_file(path, os.fstat(f.fileno()).st_mode)
            head = f.read(len(PNG_START))
            f.seek(max(0, f.seek(0, os.SEEK_END) - len(PNG_END)))
            tail = f.read()
    except FileNotFoundError:  # (removed meanwhile: none is there)
        return None
    except OSError as exc:
        raise read_failure(path, exc) from None
    if head != PNG_START:
        return "not a PNG file (it does not start as one)"
    if tail != PNG_END:
        return "a PNG file cut short (it does not end as one)"
    return None
