"""Build the static report: read the folders, write a page per folder (and per trial), the index,
the compare data and the assets into one folder that opens from disk.

Layout of ``<out>/``::

    index.html  data.js                the index and its compare data
    _assets/report.css  report.js      shipped with nnlab (package data), no CDN
    <run>/index.html  <figure>.png     a page per folder, its figures beside it (copied once)
    <sweep>/trials/<id>/index.html     a page per trial; <sweep>/data.js for its compare view
    <tune>/rounds/<round>/index.html   a page per round of a tune (and its data.js)
    .nnlab-report                      the marker: a rebuild may replace what is here
    .nnlab-report-files                what the last build wrote (``MANIFEST``)
    .nnlab-report-cache                what it read and drew, by folder: a rebuild reads and
                                       draws only what changed (``reuse``)

The figures are copied once each (their PNG text chunks, which name matplotlib's web site, are
left out), and only when the run's file changed since the last build. Nothing in the report
names a network URL; it needs no server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from stat import S_ISREG
from typing import Any

from nnlab import palette
from nnlab.errors import RunError, os_failure, room_again
from nnlab.fileio import MAX_FIGURE_BYTES, TEMP_FILE, atomic_write, read_at_most
from nnlab.report import collect, facts, index, pages, reuse, sweeps, tables
from nnlab.report.collect import MARKER, Entry
from nnlab.streams import ESCAPING

try:
    import fcntl
except ImportError:  # (not on Windows: builds are not serialised there)
    fcntl = None  # type: ignore[assignment]

ASSET_FILES = ("report.css", "report.js")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")


@dataclass(frozen=True)
class ReportResult:
    """What a build wrote: the folder, its index page, and counts."""

    out: Path
    index: Path
    rows: int  # index rows: one per folder
    pages: int  # pages: folders, trials and the index
    figures: int  # figure files in the report (each once)
    damaged: tuple[str, ...]  # folders that could not be read (rel paths)
    # sweeps' trials and tunes' rounds whose folders are gone: (rel path, "sweep" or "tune",
    # what recorded it)
    missing: tuple[tuple[str, str], ...] = ()
    vanished: tuple[str, ...] = ()  # folders removed or renamed as the build read them
    unreadable: tuple[str, ...] = ()  # folders a file of which the device failed to read (EIO)
    trials: int = 0  # sweeps' trials and tunes' trials in the folders (each also a run)
    others: int = 0  # folders counted in rows that are no run folder (runs list lists none)

    def damage(self) -> list[Damage]:
        """What the build could not read as written, a ``Damage`` per folder of the runs
        folder (the folder itself on its own, its trials or rounds together), in the order it
        met them: the DAMAGED, the UNREADABLE, then the MISSING that sweeps recorded, then
        those tunes did. (``nnlab report`` says a line of each: a broken sweep of 500 trials
        is one line, not 500.)"""
        groups = [Damage("DAMAGED", g) for g in by_folder(self.damaged)]
        groups += [Damage("UNREADABLE", g) for g in by_folder(self.unreadable)]
        for by in ("sweep", "tune"):
            gone = [rel for rel, who in self.missing if who == by]
            groups += [Damage("MISSING", g, by) for g in by_folder(gone)]
        return groups


@dataclass(frozen=True)
class Damage:
    """Folders of one folder of the runs folder that a build could not read as written: the
    folder itself, or some of its trials (a tune's rounds), by their paths in the runs folder,
    the first first."""

    status: str  # DAMAGED, UNREADABLE (the device failed to read a file) or MISSING (gone)
    rels: tuple[str, ...]
    by: str | None = None  # MISSING: what recorded them, "sweep" or "tune"

    @property
    def folder(self) -> str:
        """The folder of the runs folder they are (or are in)."""
        return self.rels[0].split("/", 1)[0]

    @property
    def noun(self) -> str:
        """What they are: 'trial' (a sweep's), 'round' (a tune's) or 'folder'."""
        first = self.rels[0]
        return "trial" if "/trials/" in first else "round" if "/rounds/" in first else "folder"


def by_folder(rels: Sequence[str]) -> list[tuple[str, ...]]:
    """``rels`` grouped by the folder of the runs folder they are in, in their order; the
    folder itself, where it is one of them, on its own."""
    groups: dict[tuple[str, bool], list[str]] = {}
    for rel in rels:
        top = rel.split("/", 1)[0]
        groups.setdefault((top, top == rel), []).append(rel)
    return [tuple(group) for group in groups.values()]


def default_out(runs_dir: Path) -> Path:
    return Path(runs_dir) / "report"


def build_report(
    refs: Sequence[str] = (), runs_dir: Path = collect.DEFAULT_ROOT, out: Path | None = None
) -> ReportResult:
    """Write the report of ``refs`` (run or sweep folders, id prefixes, ``latest``; none: every
    folder under ``runs_dir``) into ``out`` (default ``<runs_dir>/report``) and return what it
    wrote. A folder that cannot be read is a DAMAGED row; an unknown ref is a ``RunError``."""
    runs_dir = Path(runs_dir)
    if out is not None or runs_dir.is_dir():  # (no runs folder: collect says so)
        collect.check_out(default_out(runs_dir) if out is None else Path(out))
    out = Path(out) if out is not None else default_out(runs_dir)
    paths = collect.folders(refs, runs_dir)  # (an unknown ref, or no runs folder: nothing made)
    new = not os.path.lexists(out)
    try:
        _prepare(out)
        with _exclusive(out) as waited:  # (after a wait, the folders are listed again)
            return _build(refs, runs_dir, out, None if waited else paths)
    except BaseException as exc:
        if new:  # (this build's own folder: none of it is kept)
            shutil.rmtree(out, ignore_errors=True)
        if isinstance(exc, (OSError, RunError)):
            raise _unbuilt(exc, out, new) from None
        raise


def _unbuilt(exc: OSError | RunError, out: Path, new: bool) -> RunError:
    """The error of a build that failed to write (a full disk), saying what it left: a report
    folder it made is removed whole (a full disk left one holding only its marker, or a page
    without its figures and no index); one built before keeps that build's pages, those this
    one wrote replaced (each file is written whole). ``RunError`` or ``DeviceError`` as the
    error is (``os_failure``: exit 1 where the device failed)."""
    left = "no report made" if new else f"{out} holds its last build, in part replaced"
    if not isinstance(exc, OSError):
        return type(exc)(f"{exc} ({left})")
    once = room_again(exc)
    again = f"; once {once}, build it again" if once else ""
    said = f"{exc.filename or out}: {exc.strerror or type(exc).__name__}"
    return os_failure(f"{said} ({left}{again})", exc)


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[bool]:
    """The report folder to this build alone: a second build of it (two commands with
    ``--report`` ending together) waits, then reads the runs folder as it is by then. Without
    it, a build that had read the folders before a run ended removed, as stale, the page the
    other build had written for that run, which the other's index linked to. The lock is
    ``flock`` on the folder (dropped when the process ends, even by kill -9); none where the
    system has no ``fcntl``. Yields whether it waited for another build."""
    if fcntl is None:
        yield False
        return
    fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            waited = False
        except BlockingIOError:
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        yield waited
    finally:
        os.close(fd)  # (closing the descriptor releases the lock)


def _build(
    refs: Sequence[str], runs_dir: Path, out: Path, paths: Sequence[Path] | None = None
) -> ReportResult:
    vanished: list[str] = []
    last = reuse.Reuse(out)
    entries = collect.collect(
        refs, runs_dir, exclude=out, vanished=vanished, read=last.read, paths=paths
    )
    site = Site(out)
    names = {e.rel: e.name for e in collect.all_entries(entries)}
    names |= {r.rel: r.name for e in entries for r in e.rounds}  # (a tune's rounds' pages)
    pages.sources(list(collect.all_entries(entries)))
    for entry in entries:
        kept = last.kept_pages(entry, names)
        if kept is None:
            before = set(site.kept)
            write_pages(site, entry, names)
            last.wrote(entry, site.kept - before)
        else:
            site.kept.update(kept)
        copy_figures(site, entry)
    built = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    site.write("index.html", index.index_page(entries, str(runs_dir), built, last.piece))
    site.write("data.js", tables.data_script(entries, index.compare_labels(entries), last.piece))
    _write_assets(site)
    site.remove_stale()
    # (the report is whole by now: a record that cannot be written (a full disk) costs the next
    # build time, never a page: the last one's stays true, each page it keeps checked)
    with contextlib.suppress(OSError):
        last.save(entries, partial=bool(refs))
    pages_written = sum(1 for p in site.kept if p.endswith("index.html"))
    every = list(collect.all_entries(entries))
    # (each as its folder is named: a half-removed one's '.<run>.removing', not its page's)
    damaged = tuple(e.where or e.rel for e in every if e.status == "DAMAGED")
    unreadable = tuple(e.rel for e in every if e.status == collect.UNREADABLE)
    missing = tuple(
        (e.rel, "tune" if e.kind == "sweep" else "sweep")  # (a round's entry is a sweep's)
        for e in every
        if e.status == collect.MISSING
    )
    return ReportResult(
        out,
        out / "index.html",
        len(entries),
        pages_written,
        site.figures,
        damaged,
        missing,
        tuple(vanished),
        unreadable,
        len(every) - len(entries),
        sum(1 for e in entries if not collect.a_run_folder(e.path)),
    )


def refresh(runs_dir: Path = collect.DEFAULT_ROOT) -> Path:
    """Rebuild ``<runs_dir>/report`` from every folder; the path of its index page (what
    ``nnlab train --report`` and the sweep commands print)."""
    return build_report((), runs_dir).index


# --- pages --------------------------------------------------------------------------------------
def write_pages(site: Site, entry: Entry, names: dict[str, str]) -> None:
    """The entry's page and (a sweep) data script, then its trials'. A page that fails to
    render becomes a page saying so, and the entry DAMAGED: one folder never stops the build."""
    try:
        text = render(entry, names)
    except Exception as exc:  # a folder with values of a shape no page expected
        entry.status, entry.damage = "DAMAGED", f"could not show it: {collect.reason(exc)}"
        text = pages.generic_page(
            Entry(entry.rel, entry.path, status="DAMAGED", name=entry.name, damage=entry.damage),
            names,
        )
    site.write(pages.page_of(entry.rel), text)
    if entry.kind in facts.SWEEP_KINDS and entry.trials:
        site.write(
            f"{entry.rel}/data.js", tables.data_script(entry.trials, sweeps.trial_labels(entry))
        )
    for trial in entry.trials:
        write_pages(site, trial, names)
    for round_ in entry.rounds:  # (a tune's: a page each, as a sweep's, with its trials)
        view = collect.round_view(entry, round_)
        site.write(pages.page_of(round_.rel), sweeps.sweep_page(view, names))
        if view.trials:
            site.write(
                f"{view.rel}/data.js", tables.data_script(view.trials, sweeps.trial_labels(view))
            )


def copy_figures(site: Site, entry: Entry) -> None:
    """The entry's figures and its trials', each beside its page (``Site.copy_figure``)."""
    for figure in entry.figures:
        site.copy_figure(figure, f"{entry.rel}/{pages.figure_path(entry, figure)}")
    for trial in entry.trials:
        copy_figures(site, trial)


def render(entry: Entry, names: dict[str, str]) -> str:
    if entry.status not in collect.UNUSABLE and entry.kind in facts.RUN_KINDS:
        return pages.run_page(entry, names)
    if entry.status not in (*collect.UNUSABLE, collect.MISSING) and entry.kind in facts.SWEEP_KINDS:
        return sweeps.sweep_page(entry, names)  # (a tune's round gone: nothing but why)
    return pages.generic_page(entry, names)


# --- files --------------------------------------------------------------------------------------
def _prepare(out: Path) -> None:
    """Make ``out`` a report folder (``collect.check_out`` has checked it; a write that fails
    is said by ``_unbuilt``)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("nnlab report: `nnlab report` rebuilds this folder\n")


@dataclass
class Site:
    """The report folder being written: what this build wrote or kept, the rest is stale."""

    out: Path
    kept: set[str] = field(default_factory=set)
    figures: int = 0
    made: set[Path] = field(default_factory=set)  # (its folders, each checked once: ``folder``)

    def write(self, rel: str, text: str) -> None:
        """A page; a byte of a name that is not UTF-8 (a folder's, held as a lone surrogate; an
        argument's in an older meta.json) is written as the terminal writes it, ``\\xe9``
        (``streams.ESCAPING``; it read '\\udce9'), not a failure of the whole report. (Its
        links keep the bytes, ``%E9``: ``pages.href``.)"""
        self.write_bytes(rel, text.encode("utf-8", ESCAPING))

    def copy_figure(self, src: Path, rel: str) -> None:
        """Copy a figure unless the copy is current (same modification time); a PNG loses its
        text chunks (matplotlib's name and web address). (One that is not a figure, or is cut
        short, was left out as the folder was read: ``figures.fault``.) A figure that vanished
        since or cannot be read now is left out (its page shows a broken image), and so is one larger than nnlab
        writes (``MAX_FIGURE_BYTES``: a 2 GB curves.png was read whole into memory and copied
        into the report); one that cannot be written (a full disk) fails the build, as a page
        that cannot be written does: it was left out too, and the report said it was built."""
        dst = self.out / rel
        try:
            stat = src.stat()
            current = _regular(dst) and dst.stat().st_mtime_ns == stat.st_mtime_ns
            data = None if current else read_at_most(src, MAX_FIGURE_BYTES)
        except OSError:
            return
        if data is None and not current:
            return
        if data is not None:
            self.write_bytes(rel, strip_png_text(data) if src.suffix.lower() == ".png" else data)
            os.utime(dst, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        self.kept.add(rel)
        self.figures += 1

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write a file (temp file + rename, so a reader never sees half a page), unless the
        file there already holds ``data``: a rebuild of 2,000 unchanged runs spent 5 s of its
        11 in renames over identical pages (a read and compare is a fraction of that)."""
        path = self.out / rel
        self.kept.add(rel)
        if _holds(path, data):
            return
        self.folder(path.parent)
        atomic_write(path, data, sync=False)  # (rebuildable: no fsync per page)

    def folder(self, folder: Path) -> None:
        """Make ``folder`` (in ``out``) a folder of the report's own: a symlink where it makes
        one is replaced by a folder (the link removed, never what it points to), as a link
        where it writes a page is replaced by the page. A run's folder of the report linked
        to a folder elsewhere had its index.html and figures written there, over its files."""
        if folder == self.out or folder in self.made:
            return
        self.folder(folder.parent)
        if folder.is_symlink():
            folder.unlink()
        folder.mkdir(exist_ok=True)
        self.made.add(folder)

    def remove_stale(self) -> None:
        """Delete what an earlier build wrote that this one did not (a run since removed), and
        record what this one wrote (``MANIFEST``). Only the earlier build's own files go: a
        file of the user's in the folder (notes beside the pages) stays, and so do hidden
        files and folders (a .git), but for the temp files a build killed mid-write left
        (``TEMP_FILE``: this build holds the folder, ``_exclusive``, so no other writes them).
        A folder from before the manifest counts the kinds of file a report writes as its own
        (``WRITTEN``); a folder emptied of them goes too."""
        earlier = _manifest(self.out)
        ours = (lambda rel: rel in earlier) if earlier is not None else _written_kind
        emptied: set[str] = set()
        for path in sorted(self.out.rglob("*"), key=lambda p: -len(p.parts)):
            rel = path.relative_to(self.out).as_posix()
            *folders, name = rel.split("/")
            if any(part.startswith(".") for part in folders):
                continue
            if name.startswith("."):
                if fcntl is not None and TEMP_FILE.fullmatch(name) and _regular(path):
                    path.unlink(missing_ok=True)  # (a killed build's: none other writes now)
                continue
            if path.is_dir() and not path.is_symlink():
                if rel in emptied and not any(path.iterdir()):
                    path.rmdir()
            elif rel not in self.kept and ours(rel):
                path.unlink()
                emptied.update(p.as_posix() for p in Path(rel).parents if p.name)
        listing = "".join(f"{rel}\n" for rel in sorted(self.kept))
        atomic_write(self.out / MANIFEST, listing.encode("utf-8", "surrogateescape"), sync=False)


MANIFEST = ".nnlab-report-files"  # the files the last build wrote, a line each
WRITTEN = (".html", ".js", ".css", ".png", ".svg", ".pdf", ".jpg", ".jpeg")


def _manifest(out: Path) -> set[str] | None:
    """The files the last build of ``out`` wrote (None: a folder built before the list)."""
    try:
        text = read_at_most(out / MANIFEST, MAX_MANIFEST_BYTES, devices=False)
    except (OSError, RunError):  # (none, or not a file: as before the list)
        return None
    # (a name in other bytes than UTF-8 as it was: its surrogates, as ``rglob`` gives it)
    return None if text is None else set(text.decode("utf-8", "surrogateescape").splitlines())


MAX_MANIFEST_BYTES = 64 * 1024 * 1024


def _written_kind(rel: str) -> bool:
    """Whether a file is of a kind a report writes (a folder without ``MANIFEST``)."""
    return rel.lower().endswith(WRITTEN)


def _regular(path: Path) -> bool:
    """Whether ``path`` is a regular file, not a symlink to one."""
    try:
        return S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not a symlink) holding exactly ``data`` (False if it
    cannot be read)."""
    try:
        st = path.lstat()
        return S_ISREG(st.st_mode) and st.st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _write_assets(site: Site) -> None:
    folder = resources.files("nnlab.report")
    for name in ASSET_FILES:
        site.write(f"{pages.ASSETS}/{name}", asset_text(name, folder.joinpath(name)))


def asset_text(name: str, source: Any) -> str:
    """An asset's text as the report ships it: report.js with ``nnlab.palette``'s colours and
    dashes written into its two lists (``[/* nnlab.palette.SERIES */]``), so its compare view
    draws in the colours of the pages' charts and the figures, defined once; and the
    accuracy axis's rule (``accuracy_rule``)."""
    text = source.read_text(encoding="utf-8")
    if name == "report.js":
        for what, values in (("SERIES", palette.SERIES), ("DASHES", palette.DASHES)):
            text = text.replace(f"[/* nnlab.palette.{what} */]", json.dumps(list(values)))
        text = text.replace("{/* nnlab.plots.accuracy */}", json.dumps(accuracy_rule()))
    return text


def accuracy_rule() -> dict[str, Any]:
    """``plots.accuracy``'s numbers, which report.js's compare view lays an accuracy axis out
    by, as ``svg.accuracy_axis`` lays out the pages' (and the figures theirs)."""
    from nnlab.plots import accuracy

    return {
        "floors": [[floor, step] for floor, step in accuracy.FLOORS.items()],
        "bulk": accuracy.BULK,
        "squeezeFrom": accuracy.SQUEEZE_FROM,
        "band": accuracy.BAND,
        "head": accuracy.HEAD,
    }


def strip_png_text(data: bytes) -> bytes:
    """The PNG without its tEXt/zTXt/iTXt chunks (metadata only: the pixels are untouched);
    anything that is not a well-formed PNG comes back as it was."""
    if not data.startswith(PNG_SIGNATURE):
        return data
    out, pos = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        end = pos + 12 + length
        if end > len(data):
            return data
        if data[pos + 4 : pos + 8] not in PNG_TEXT_CHUNKS:
            out.append(data[pos:end])
        pos = end
    return b"".join(out) if pos == len(data) else data
