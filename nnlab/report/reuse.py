"""What a rebuild keeps from the last build of a report: a rebuild costs what changed.

A build records, in the report folder's hidden ``CACHE`` file, each folder it read: a stamp of
the folder (every file and folder in it, by name, kind, size, inode and modification and change
times, ``folder_stamp``), what was read from it (its :class:`Entry`, trials included, as JSON),
and the pages it wrote for it (each page's and data script's size and modification time, and
the key of what the pages were drawn from: the entry and the little they take from other
folders, ``_context``). The next build, of the same nnlab (``code_stamp``: its version, the
modification times of its files, the time zone, ...), takes the entry of a folder whose stamp
is the same instead of reading it again, and keeps its pages where their key and files are
the same, without drawing them. The pieces of the index's files drawn of one folder (its row,
its curves in ``data.js``) are kept the same way (``Reuse.piece``), keyed on a digest of the
entry (recorded with it: a kept entry is not serialised again to be compared) and on what else
they are drawn from. What it gives is what a full build gives, byte for byte (the
tests compare the two). Never kept: a folder a RUNNING run is in (its process may have ended:
STALE), a DAMAGED or UNREADABLE one, one holding a symlink, and an entry that JSON does not
give back exactly (``_exact``). A build that fails leaves the last good cache: a page it
replaced has another size or time, so it is drawn again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import Any

import yaml

import nnlab
from nnlab.errors import NnlabError
from nnlab.fileio import atomic_write, read_at_most
from nnlab.report import collect, pages
from nnlab.report.collect import Entry

CACHE = ".nnlab-report-cache"  # hidden: a build's stale files' sweep leaves it
CACHE_VERSION = 2  # of this file's layout and of what is in it
MAX_CACHE_BYTES = 1024 * 1024 * 1024
NOT_KEPT = (*collect.UNUSABLE, "RUNNING", "STALE")  # an entry's statuses never kept
SKIPPED_FIELDS = ("made", "drawing")  # an Entry's fields made anew each build


class Reuse:
    """The last build's record of ``out`` and this build's."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.code = code_stamp()
        self.last, self.whole = _load(out / CACHE, self.code)
        self.stamps: dict[str, tuple[str, str | None]] = {}  # rel: (path, stamp)
        self.pages: dict[str, tuple[str, dict[str, list[int]]]] = {}  # rel: (key, files)
        self.keys: dict[str, str] = {}  # rel: what its pages are drawn from (``_page_key``)
        self.texts: dict[str, str] = {}  # rel: the entry as JSON text (one read this build)
        self.digests: dict[str, str] = {}  # rel: the digest of the entry's JSON text
        self.pieces: dict[str, dict[str, list[str]]] = {}  # rel: {what: [key, text]}
        self.kept: dict[str, dict[str, Any]] = {}  # rel: the last build's entry, decoded

    def read(self, path: Path, rel: str) -> Entry:
        """The entry of the top folder at ``path`` (``collect.read_folder``), the last build's
        where the folder is as it was then (stamped before it is read: a change as it is read
        makes the next build read it again)."""
        stamp = folder_stamp(path)
        self.stamps[rel] = (str(path), stamp)
        last = self.last.get(str(path))
        if stamp is not None and last is not None and last["stamp"] == stamp:
            with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
                if last["rel"] == rel:  # (a record edited by hand: the folder read again)
                    entry = decode(last["entry"])
                    self.digests[rel], self.kept[rel] = last["digest"], last["entry"]
                    return entry
        return collect.read_folder(path, rel)

    def kept_pages(self, entry: Entry, names: dict[str, str]) -> list[str] | None:
        """The report files (pages, data scripts) of ``entry`` the last build wrote that this
        one keeps as they are, None where they are to be drawn again."""
        path = self.stamps.get(entry.rel, ("", None))[0]
        last = self.last.get(path)
        key = self._page_key(entry, names)
        if last is None or key is None or last.get("key") != key:
            return None
        files: dict[str, list[int]] = last["files"]
        if any(_file_stamp(self.out / rel) != stamp for rel, stamp in files.items()):
            return None
        self.pages[entry.rel] = (key, files)
        return list(files)

    def wrote(self, entry: Entry, files: Iterable[str]) -> None:
        """Record the pages and data scripts written for ``entry`` (after ``kept_pages``)."""
        key = self.keys.get(entry.rel)
        stamps = {rel: _file_stamp(self.out / rel) for rel in sorted(files)}
        if key is not None and keepable(entry) and None not in stamps.values():
            self.pages[entry.rel] = (key, {r: s for r, s in stamps.items() if s is not None})

    def _page_key(self, entry: Entry, names: dict[str, str]) -> str | None:
        """The digest of what ``entry``'s pages are drawn from (None: not to be kept): the
        entry (``digest``) and what its pages take from other folders (``_context``)."""
        digest = self.digest(entry)
        if digest is None:
            return None
        key = _digest((digest, _context(entry, names)))
        self.keys[entry.rel] = key
        return key

    def digest(self, entry: Entry) -> str | None:
        """The digest of the entry's JSON text (None: not to be kept): the last build's where
        the entry is the one it recorded (``read``), else of the text, kept (``texts``)."""
        if not keepable(entry):
            return None
        if entry.rel not in self.digests:
            try:
                text = json.dumps(encode(entry), ensure_ascii=True)
            except (TypeError, ValueError):
                return None
            self.texts[entry.rel] = text
            self.digests[entry.rel] = hashlib.sha256(text.encode("ascii")).hexdigest()
        return self.digests[entry.rel]

    def piece(self, entry: Entry, what: str, depends: Any, make: Callable[[], str]) -> str:
        """The text ``make`` gives of ``entry`` (``what``: a piece of the index's files, its
        row, its curves in data.js), the last build's where the entry and ``depends`` (what
        else the text is drawn from) are the same as they were."""
        digest = self.digest(entry)
        if digest is None:
            return make()
        key = _digest((digest, what, depends))
        path = self.stamps.get(entry.rel, ("", None))[0]
        last = self.last.get(path, {}).get("pieces", {}).get(what)
        text = last[1] if last is not None and last[0] == key else make()
        self.pieces.setdefault(entry.rel, {})[what] = [key, text]
        return text

    def save(self, entries: Iterable[Entry], partial: bool = False) -> None:
        """Write this build's record (atomically: a build that fails keeps the last one). A
        ``partial`` build's (``nnlab report RUN ...``) keeps the last one's records of the
        folders it did not read: it recorded those alone, and the next full build read every
        other folder again. Such a record's pages are gone (the partial report holds its
        folders' alone), so the next build draws them again; it reads only what changed."""
        read = {path for path, _ in self.stamps.values()}
        folders = {p: last for p, last in self.last.items() if p not in read} if partial else {}
        for entry in entries:
            path, stamp = self.stamps.get(entry.rel, ("", None))
            if stamp is None or entry.rel not in self.pages:
                continue
            encoded = self.kept.get(entry.rel) or _exact(entry, self.texts.get(entry.rel, ""))
            if encoded is None:
                continue
            key, files = self.pages[entry.rel]
            folders[path] = {"stamp": stamp, "rel": entry.rel, "entry": encoded, "key": key,
                             "files": files, "digest": self.digests[entry.rel],
                             "pieces": self.pieces.get(entry.rel, {})}  # fmt: skip
        if folders == self.last and self.whole:  # (a rebuild of nothing changed: as it is)
            return
        record = {"version": CACHE_VERSION, "code": self.code, "folders": folders}
        atomic_write(self.out / CACHE, dump_record(record), sync=False)


def dump_record(record: dict[str, Any]) -> bytes:
    """A build's record as the cache file holds it: JSON, compressed (zlib's fastest level:
    a fourth of the size, 3.3 MB of 300 runs' as 0.8 MB, in 20 ms)."""
    text = json.dumps(record, ensure_ascii=True, separators=(",", ":"))
    # (every / as \/, which JSON reads as /: no file of a report names a network address,
    # even one a run's text holds: 'https://...' as 'https:\/\/...', in a block zlib stores)
    return zlib.compress(text.replace("/", "\\/").encode("ascii"), 1)


def load_record(data: bytes) -> Any:
    """The record ``dump_record`` gave (a ``ValueError`` or ``zlib.error`` if it is not one)."""
    inflate = zlib.decompressobj()
    text = inflate.decompress(data, MAX_CACHE_BYTES)
    if inflate.unconsumed_tail or not inflate.eof:
        raise ValueError("not a whole record")
    return json.loads(text)


def keepable(entry: Entry) -> bool:
    """Whether an entry (and each of its trials) may be kept for the next build."""
    return all(
        e.status not in NOT_KEPT
        and e.meta.get("status") != "RUNNING"
        and e.kind != collect.HALF_REMOVED
        for e in collect.all_entries([entry])
    )


def _context(entry: Entry, names: dict[str, str]) -> list[Any]:
    """What the pages of ``entry`` take from other folders: the names of its trials' parents,
    whether the runs it was made from have pages, and what was made from it."""
    out: list[Any] = []
    for e in collect.all_entries([entry]):
        sources = []
        for key in pages.SOURCES:
            source = e.meta.get(key)
            rel = pages.source_rel(e, source) if isinstance(source, str) and source else None
            sources.append([rel, rel in names])
        made = [[m.kind, m.rel] for m in e.made]
        out.append([names.get(e.parent) if e.parent else None, sources, made, e.where])
    return out


# --- stamps -------------------------------------------------------------------------------------
def folder_stamp(path: Path) -> str | None:
    """A digest of every file and folder in ``path`` (name, kind, size, inode, modification and
    change times); None where it cannot be listed or holds a symlink (what it leads to may
    change unseen)."""
    rows: list[tuple[Any, ...]] = []
    try:
        top = os.stat(path)
        stack = [(str(path), "")]
        while stack:
            folder, rel = stack.pop()
            with os.scandir(folder) as listing:
                for item in listing:
                    st = item.stat(follow_symlinks=False)
                    if S_ISLNK(st.st_mode):
                        return None
                    name = rel + item.name
                    rows.append((name, st.st_mode, st.st_size, st.st_ino, st.st_mtime_ns,
                                 st.st_ctime_ns))  # fmt: skip
                    if S_ISDIR(st.st_mode):
                        stack.append((item.path, name + "/"))
    except OSError:
        return None
    rows.sort()
    head = (str(path), os.path.realpath(path), top.st_ino, top.st_mtime_ns, top.st_ctime_ns)
    return _digest((head, rows))


def code_stamp() -> str:
    """A digest of what, besides the folders, the pages depend on: nnlab (its version and its
    files' sizes and times: a new nnlab, or an edited one, rebuilds every page), the Python
    and PyYAML versions, the time zone the times are shown in, and the working folder and
    ``NNLAB_RUNS_DIR`` the pages' commands are written for."""
    root = Path(nnlab.__file__).parent
    files = []
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith((".py", ".css", ".js")):
                st = os.stat(os.path.join(folder, name))
                files.append((os.path.relpath(os.path.join(folder, name), root), st.st_size,
                              st.st_mtime_ns))  # fmt: skip
    place = (os.getcwd(), os.environ.get("NNLAB_RUNS_DIR"), os.environ.get("TZ"))
    zone = (time.tzname, time.timezone, time.altzone)
    versions = (CACHE_VERSION, nnlab.__version__, sys.version, yaml.__version__)
    return _digest((versions, place, zone, sorted(files)))


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "surrogateescape")).hexdigest()


def _file_stamp(path: Path) -> list[int] | None:
    """A report file's size and modification time; None if it is not a regular file."""
    try:
        st = path.lstat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns] if S_ISREG(st.st_mode) else None


def _load(path: Path, code: str) -> tuple[dict[str, dict[str, Any]], bool]:
    """The last build's folders, by path (none if it was of other code, or cannot be read),
    and whether that is the whole record (none left out as not well formed)."""
    try:
        data = read_at_most(path, MAX_CACHE_BYTES, devices=False)
        record = load_record(data) if data is not None else None
    except (OSError, ValueError, zlib.error, NnlabError):
        return {}, False
    if not isinstance(record, dict) or record.get("code") != code:
        return {}, False
    folders = record.get("folders")
    if not isinstance(folders, dict):
        return {}, False
    kept = {path: last for path, last in folders.items() if _well_formed(last)}
    return kept, len(kept) == len(folders)


def _well_formed(last: Any) -> bool:
    """Whether a folder's record has what a build reads of it (else it is not used)."""
    if not isinstance(last, dict) or not isinstance(last.get("entry"), dict):
        return False
    files, pieces = last.get("files"), last.get("pieces")
    return (
        all(isinstance(last.get(k), str) for k in ("stamp", "rel", "key", "digest"))
        and isinstance(files, dict)
        and all(isinstance(v, list) for v in files.values())
        and isinstance(pieces, dict)
        and all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(p, str) for p in v)
            for v in pieces.values()
        )
    )


# --- entries as JSON ----------------------------------------------------------------------------
def encode(entry: Entry) -> dict[str, Any]:
    """The entry as JSON values (its trials too; not what each build makes anew)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(entry):
        if f.name in SKIPPED_FIELDS:
            continue
        value = getattr(entry, f.name)
        if f.name == "path":
            value = str(value)
        elif f.name == "figures":
            value = [str(p) for p in value]
        elif f.name == "sizes":
            value = [[str(p), list(size)] for p, size in value.items()]
        elif f.name in ("trials", "rounds"):
            value = [encode(t) for t in value]
        elif f.name == "not_applying":
            value = sorted(value)
        out[f.name] = value
    return out


def decode(data: dict[str, Any]) -> Entry:
    """The entry ``encode`` gave."""
    values = dict(data)
    values["path"] = Path(values["path"])
    values["figures"] = [Path(p) for p in values["figures"]]
    values["sizes"] = {Path(p): tuple(size) for p, size in values["sizes"]}
    values["trials"] = [decode(t) for t in values["trials"]]
    values["rounds"] = [decode(r) for r in values["rounds"]]
    values["not_applying"] = frozenset(values["not_applying"])
    return Entry(**values)


def _exact(entry: Entry, text: str) -> dict[str, Any] | None:
    """The entry encoded (``text``: the JSON of ``encode(entry)``), if JSON gives it back
    exactly (a YAML date in a config, or a key that is a number, would come back otherwise:
    such an entry is read again each build)."""
    try:
        encoded = json.loads(text)
        again = decode(encoded)
    except (TypeError, ValueError, KeyError):
        return None
    return encoded if _same(again, entry) else None


def _same(a: Any, b: Any) -> bool:
    """``a == b`` of the same types throughout (1 is not 1.0 nor True; NaN is NaN; a set of
    swept keys, ``not_applying``, is one whether frozen or not)."""
    if isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, Entry):
        return all(
            _same(getattr(a, f.name), getattr(b, f.name))
            for f in dataclasses.fields(a)
            if f.name not in SKIPPED_FIELDS
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(k, j) and _same(a[k], b[j]) for k, j in zip(a, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)
