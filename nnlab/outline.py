"""Whether a run folder looks as nnlab left it, told without parsing a file (``looks_whole``):
which files are there, their kind, size and last bytes, and whether one changed after the
run's last word (meta.json: by modification time and inode change time, which no user can set
back). What a quick reading (``describe_folder`` without ``files``:
``runs list``'s trials, a sweep's summary) asks of a folder before it trusts meta.json and
summary.json alone; where something looks off it checks every file (``RunDir.check_files``),
so that it says what ``runs show`` says of the folder, at about half the cost."""

from __future__ import annotations

import os
import stat
from typing import Any

from nnlab.renderings import FIGURE, PNG_END, RENDERED
from nnlab.rundir import ENDED_WITH, REACHED_END, RESULT_FILES, RunDir, kind_of

# the files ``check_files`` reads beyond meta.json, summary.json and the records, and how a
# whole one ends: a text file with a newline, an .npz (a zip archive, no comment) with its
# end-of-central-directory record
TEXT_END = b"\n"
ZIP_END = b"PK\x05\x06"
ENDS = {"config.yaml": TEXT_END, "sweep.yaml": TEXT_END, "tune.json": TEXT_END,
        "result.json": TEXT_END, "differences.json": TEXT_END, "checkpoint.npz": ZIP_END,
        "landscape.h5": b""}  # fmt: skip


def looks_whole(run: RunDir, meta: dict[str, Any]) -> bool:
    """False if anything in ``run`` (whose meta.json holds ``meta``) looks other than nnlab
    left it: a file its state says is there is not (``RunDir.check_present``'s rule: what a
    folder that ended COMPLETED or DIVERGED wrote before its status; the config.yaml of one
    with records), or one of ``ENDS`` is not a file, is empty, does not end as its writer
    ends it, or changed after meta.json was last written (every writer writes its files
    before the status that ends it: an edit since shows), or is a symlink. True says nothing
    is off as far as can be told without reading the files; their contents are
    ``check_files``'s to judge. So are its renderings (``nnlab.renderings``): each there a
    file ending as its writer ends it, no later than meta.json."""
    try:
        with os.scandir(run.path) as found:
            entries = {entry.name: entry for entry in found}
        said = entries["meta.json"].stat()
        last_word = (said.st_mtime_ns, said.st_ctime_ns)
        if "metrics.jsonl" in entries and "config.yaml" not in entries:
            return False
        status, kind = meta.get("status"), kind_of(run, meta)
        if status in REACHED_END:
            for name, what in ENDED_WITH.items():
                name = RESULT_FILES.get(kind, "") if name == "result" else name
                if what(kind, meta) and name not in entries:
                    return False
        for name, end in ENDS.items():
            if name in entries and not _ends_as_written(entries[name], end, last_word):
                return False
        for name, entry in entries.items():  # (``renderings``: summary.txt, a figure, ...)
            end = PNG_END if name.endswith(FIGURE) else TEXT_END
            if name.endswith(RENDERED) and not _ends_as_written(entry, end, last_word):
                return False
    except (OSError, KeyError):  # (a file gone or unreadable meanwhile: read it all, to say why)
        return False
    return True


def _ends_as_written(entry: os.DirEntry[str], end: bytes, last_word: tuple[int, int]) -> bool:
    """Whether ``entry`` is a file of its writer's kind and ``end``, changed no later than
    meta.json (``last_word``: its modification and inode-change times). The inode's change
    time too, from the same stat: an edit that keeps a file's size and last byte and sets its
    modification time back (``touch -d``) moves it, and no user can set it back (an edited
    config.yaml so made looked whole, and the quick reading trusted its trial)."""
    if entry.is_symlink():  # (its target's times are not the folder's: a link made since to
        # an older file, such as /etc/passwd as config.yaml, looked whole, and the quick
        # reading trusted its trial)
        return False
    st = entry.stat()
    if not stat.S_ISREG(st.st_mode) or st.st_size < len(end) or st.st_size == 0:
        return False
    if st.st_mtime_ns > last_word[0] or st.st_ctime_ns > last_word[1]:
        return False
    if not end:
        return True
    with open(entry.path, "rb") as f:
        f.seek(-(22 if end == ZIP_END else len(end)), os.SEEK_END)
        return f.read().startswith(end)
