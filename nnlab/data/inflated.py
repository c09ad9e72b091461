"""Inflated copies of gzipped data files, so that a command reads MNIST's IDX bytes instead of
inflating them again at every start (t10k's images: 33 ms to inflate their 7.8 MB, 5 ms to read
and check a copy; the 47 MB training images about six times as long).

An entry is named after the gzip file's own bytes (their SHA-256), so it stands for that file
and no other: a file that changed, or was damaged, since is inflated afresh (and a damaged one
reported as before). An entry is used only if its length and CRC-32 are those the file's gzip
trailer records, so a copy cut short or damaged on disk is inflated over, never read as data.

Where: ``$NNLAB_CACHE_DIR/inflated``, else the user's cache folder, the one nnlab downloads into
when no data folder is given (``$XDG_CACHE_HOME/nnlab/inflated`` or ``~/.cache/nnlab/inflated``
on Linux: ``pooch.os_cache``, whose import alone would take most of what the copy saves, is
asked only elsewhere). ``NNLAB_CACHE_DIR=off`` keeps no copies. Writing is best effort: where the
cache cannot be written (a read-only home, a full disk) a command only inflates as before.
There is one copy per file name: keeping a new one removes the copy of the file it replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import zlib
from pathlib import Path

from nnlab.fileio import atomic_write, read_at_most

CACHE_ENV = "NNLAB_CACHE_DIR"
OFF = "off"


def cache_dir() -> Path | None:
    """The folder of inflated copies; None when ``$NNLAB_CACHE_DIR`` is ``off``."""
    env = os.environ.get(CACHE_ENV, "")
    if env == OFF:
        return None
    if env:
        return Path(env).expanduser() / "inflated"
    if sys.platform.startswith("linux"):
        try:
            base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # (no home to find: no cache)
            return None
        return Path(base) / "nnlab" / "inflated"
    import pooch

    return Path(pooch.os_cache("nnlab")) / "inflated"


def entry_for(path: Path, packed: bytes) -> Path | None:
    """Where the copy of gzip file ``path`` (its bytes: ``packed``) is kept; None when the
    cache is off."""
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(packed).hexdigest()[:32]
    return folder / f"{Path(path).name.removesuffix('.gz')}-{digest}"


def _trailer(packed: bytes) -> tuple[int, int]:
    """(CRC-32, length mod 2**32) of the payload, as a one-member gzip's last 8 bytes say."""
    return int.from_bytes(packed[-8:-4], "little"), int.from_bytes(packed[-4:], "little")


def cached(entry: Path | None, packed: bytes, limit: int) -> bytes | None:
    """What the gzip file of bytes ``packed`` inflates to, from its copy ``entry``
    (``entry_for``) kept by ``keep``; None when there is no good one (none kept, cut short,
    damaged, past ``limit``)."""
    if entry is None or len(packed) < 18:
        return None
    try:
        data = read_at_most(entry, limit)
    except OSError:  # (none yet, or unreadable: inflate)
        return None
    crc, size = _trailer(packed)
    if data is None or len(data) % 2**32 != size or zlib.crc32(data) != crc:
        return None
    return data


def keep(entry: Path | None, packed: bytes, payload: bytes) -> None:
    """Keep ``payload``, what the gzip file of bytes ``packed`` (one gzip member) inflated to,
    as its copy ``entry`` (``entry_for``) for ``cached``; nothing where the cache is off or
    cannot be written."""
    if entry is None or _trailer(packed) != (zlib.crc32(payload), len(payload) % 2**32):
        return
    with contextlib.suppress(OSError):
        entry.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(entry, payload, sync=False)
        _drop_others(entry)


def _drop_others(entry: Path) -> None:
    """Remove the copies of files of ``entry``'s name other than ``entry`` (files it replaced),
    so that the cache holds one copy per file name."""
    stem = entry.name.rsplit("-", 1)[0]
    for other in entry.parent.glob(f"{stem}-*"):
        if other.name != entry.name and len(other.name) == len(entry.name):
            other.unlink(missing_ok=True)
