"""What is at a run file's path, and its bytes read without trusting it: a file, nothing, a
link that leads nowhere, a folder that cannot be looked into (``there``); a named pipe, a
device or a file larger than nnlab writes, refused before or while it is read
(``read_at_most``). ``nnlab.fileio`` re-exports all of it: its readers are built on these.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from nnlab.errors import DEVICE_ERRNOS, DeviceError, RunError
from nnlab.process import REMOVING


class DamagedError(RunError):
    """A run folder's file that cannot be read as written (exit 2): names the file and line."""


class UnreadableError(DeviceError):
    """A run file the device failed to read (an I/O error): no damage to the folder, whose
    files may read whole the next time (exit 1, as a device that fails a write). Its
    readers say UNREADABLE, not DAMAGED (``rundir.error_status``)."""


def read_failure(path: Path, exc: OSError) -> RunError:
    """``<path>: cannot read: <reason>``, the error of a read of the run file ``path`` that
    failed with ``exc``: an ``UnreadableError`` where the device failed (EIO), else a
    RunError (no permission: a state of the folder the user set); a DamagedError in the
    one wording of ``wrong_kind`` where something other than a file is there."""
    if isinstance(exc, WrongKindError):
        return DamagedError(wrong_kind(path, exc.mode))
    kind = UnreadableError if exc.errno in DEVICE_ERRNOS else RunError
    return kind(f"{path}: cannot read: {exc.strerror or type(exc).__name__}")


def kind_at(mode: int) -> str:
    """What a path of ``mode`` is: a file, a folder, a named pipe (FIFO), a socket, a device."""
    kinds = [(stat.S_ISREG, "a file"), (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symlink"),
             (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket")]  # fmt: skip
    return next((said for test, said in kinds if test(mode)), "a device")


def wrong_kind(path: Path, mode: int, want: str = "file") -> str:
    """The one wording of the wrong kind of thing where nnlab writes a run file (``want``
    "file") or makes a folder ("folder": a sweep's trials/, a trial's folder, a tune's
    rounds/): ``<path>: is a folder, not the file nnlab writes there``. Said by every reader
    of each (``read_failure``, the checkpoint's and landscape.h5's readers, ``foreign_folder``);
    they said it in five ways ('cannot read: Is a directory', 'cannot read: is a named pipe
    (FIFO), not a file', 'unreadable checkpoint (Is a directory)', 'not a folder; nnlab makes
    a folder there', ...)."""
    verb = "writes" if want == "file" else "makes"
    return f"{path}: is {kind_at(mode)}, not the {want} nnlab {verb} there"


class WrongKindError(OSError):
    """Something other than a file where a file is read (a folder, a named pipe, a socket, a
    device), by what its ``mode`` says: a reader of a run file says it as ``wrong_kind``,
    one of another file (a config, a data file) as its own reason ('is a folder, not a file')."""

    def __init__(self, path: Path, mode: int) -> None:
        code = errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL
        super().__init__(code, f"is {kind_at(mode)}, not a file", str(path))
        self.mode = mode


READ_CHUNK = 2**20  # what ``read_at_most`` asks for at a time past a file's own size


def read_at_most(path: Path, limit: int, devices: bool = True) -> bytes | None:
    """The bytes of ``path``, or None if it holds more than ``limit``: no more than
    ``limit + 1`` bytes are read, so a device or a stream that never ends (``/dev/zero``) is
    refused as soon as it passes the limit, as a large file is. Read as the file's size (then
    by ``READ_CHUNK``), not ``limit + 1`` at once: that reserved the whole limit for every
    read (256 MB for a meta.json of 1 kB, 1 GB for metrics.jsonl), so under ``ulimit -v 1000000``
    every command failed 'MemoryError: out of memory', ``runs show`` of a tiny run too.
    ``devices=False``: a device is refused before any read (``refuse_a_device``)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:  # (a socket does not open: 'No such device or address', naming
        _refuse_a_socket(path, exc)  # no socket)
        raise
    try:
        st = os.fstat(fd)
        refuse_a_pipe(path, st.st_mode)
        if not devices:
            refuse_a_device(path, st.st_mode)
        if stat.S_ISDIR(st.st_mode):  # (a folder opens, and Python's open of it fails: EISDIR)
            raise WrongKindError(path, st.st_mode)
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb") as f:
        if stat.S_ISREG(st.st_mode) and st.st_size > limit:  # (a file says its size: no read)
            return None
        regular = stat.S_ISREG(st.st_mode)
        size = st.st_size + 1 if regular else READ_CHUNK
        chunks, total = [], 0
        while total <= limit:
            want = min(size, limit + 1 - total)
            chunk = f.read(want)
            if not chunk:
                break
            chunks.append(chunk)
            total, size = total + len(chunk), READ_CHUNK
            if regular and len(chunk) < want:  # (a file's end: no 1 MB read to learn it)
                break
    return None if total > limit else b"".join(chunks)


def refuse_a_pipe(path: Path, mode: int) -> None:
    """A named pipe or a socket where a file should be: reading it would wait for a writer that
    may never come (every reader of the runs folder hung on one). Opened without blocking, it is
    refused instead, as an OSError naming it (the readers say it in one line)."""
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        raise WrongKindError(path, mode)


def _refuse_a_socket(path: Path, exc: OSError) -> None:
    """``WrongKindError`` if ``exc``, of opening ``path``, is ENXIO and ``path`` a socket."""
    if exc.errno == errno.ENXIO:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return
        if stat.S_ISSOCK(mode):
            raise WrongKindError(path, mode) from None


def refuse_a_device(path: Path, mode: int) -> None:
    """A device where a run file should be (a file linked to /dev/zero or /dev/urandom): nnlab
    writes only files there, and one that never ends was read to its limit before it was
    refused (``runs list`` held 1.1 GB for a metrics.jsonl linked to /dev/zero). Refused as an
    OSError naming it, as a pipe is."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise WrongKindError(path, mode)


def refuse_all_but_a_file(path: Path, mode: int) -> None:
    """``WrongKindError`` unless ``mode`` is a file's: what a reader checks before a library
    opens a run file (``np.load``, ``h5py``: a pipe would wait for a writer, a folder and a
    device each fail in the library's own words)."""
    if not stat.S_ISREG(mode):
        raise WrongKindError(path, mode)


def there(path: Path) -> bool:
    """Whether a run file is at ``path``, as its readers open it (through a link): False if
    nothing is; DamagedError naming it if a link is there that leads nowhere (to nothing, or
    round a loop: each was said to be missing, or a run's records none); RunError naming the
    folder if it cannot be looked into (no permission: an unreadable folder was passed over as
    no run folder at all). A folder that is itself such a link is named, not its file
    (``runs/x: a symlink to /gone, which is not there``, not 'meta.json: missing')."""
    try:
        os.stat(path)
        return True
    except FileNotFoundError:
        if os.path.islink(path):
            raise DamagedError(f"{path}: {link_nowhere(path)}") from None
        _folder_leads_somewhere(Path(path).parent)
        return False
    except NotADirectoryError:
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            _folder_leads_somewhere(Path(path).parent)
            raise DamagedError(f"{path}: {link_nowhere(path)}") from None
        raise RunError(cannot_read(path, exc)) from None


def leads_nowhere(path: Path) -> bool:
    """Whether ``path`` is a symlink that leads to nothing (its target gone, or a loop)."""
    return os.path.islink(path) and not os.path.exists(path)


def dead_link(path: Path) -> str | None:
    """Why nothing can be made or written at ``path``, if it, or the nearest of its folders
    that is there, is a symlink that leads nowhere: "'out' is a symlink to /gone, which is not
    there" ("'out/new': 'out' is ..." for its folder), else None. Asked of every output path
    (``--out``, ``--png``, ``report --out``, ``--report``'s folder, ``--runs-dir``): such a
    link was refused as something else ('exists and is not a folder', 'already exists',
    'expected a file name ending in .png'), or a figure replaced it without a word."""
    path = Path(path)
    for place in (path, *path.parents):
        if leads_nowhere(place):
            said = f"'{place}' is {link_nowhere(place)}"
            return said if place == path else f"'{path}': {said}"
        if os.path.lexists(place):
            return None
    return None


def _folder_leads_somewhere(folder: Path) -> None:
    """DamagedError naming ``folder`` if it is a link leading nowhere: its files are not there
    because it is not (a run folder linked into the runs folder from a disk since removed, or
    ``ln -s loop1 runs/loop1``), which was said of meta.json ('missing') or of no one."""
    if leads_nowhere(folder):
        raise DamagedError(f"{folder}: {link_nowhere(folder)}")


def cannot_read(path: Path, exc: OSError) -> str:
    """'<where>: cannot read: <reason>' for an OSError looking at ``path``: its folder named
    when that is what cannot be looked into (no permission to reach its files)."""
    folder = Path(path).parent
    where = folder if not os.access(folder, os.X_OK) else path
    return f"{where}: cannot read: {exc.strerror}"


def link_nowhere(path: Path) -> str:
    """What a symlink at ``path`` that leads to no file is: a loop, or a link to nothing."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"a symlink loop (to {target}, which leads back round to it)"
    return f"a symlink to {target}, which is not there"


def hidden_taken(hidden: Path) -> str | None:
    """What is at ``hidden``, the name a folder is moved aside to as it is removed
    (``.<name>.removing``), if it is nothing nnlab leaves there: a symlink (to a folder
    elsewhere, or to nothing) or a file, which nnlab neither follows nor removes; None for
    nothing there, or a folder (what a removal that stopped left). ``unremovable`` refuses
    the folder's removal with it, and the readers of a runs folder list it DAMAGED with it
    (``runs list`` showed a link to a folder, or a file, by no row; a link to nothing as what
    a removal left, to be removed with ``runs remove``, which refuses a link)."""
    if not (os.path.islink(hidden) or (os.path.lexists(hidden) and not hidden.is_dir())):
        return None
    what = "a symlink" if os.path.islink(hidden) else "not a folder"
    folder = hidden.with_name(hidden.name[1 : -len(REMOVING)])
    return f"{hidden}: {what}, where {folder} is moved aside as it is removed (rm it)"


def unremovable(folder: Path) -> str | None:
    """Why ``folder`` cannot be removed whole, None if nothing says so: a folder in it (or
    itself) that this process may not list or empty, or its parent, which it may not change
    (no permission; a read-only file system), or a file or folder in it that even root may
    not remove (``fixed_flag``: ``chattr +i`` or ``+a``). Asked before anything is removed:
    ``runs remove`` of a sweep holding a trial folder it could not empty moved the sweep out
    of the listing, removed the rest of it, and stopped at that trial ('2a979f26: Permission
    denied', exit 1), leaving a hidden half-removed folder no later command could remove.
    Also what is at the hidden name it is moved aside to as it goes (``.<name>.removing``),
    if that is no folder nnlab left there: a symlink (to a folder elsewhere, or to nothing)
    or a file, which nnlab neither follows nor removes (it failed 'Not a directory')."""
    folder = Path(folder)
    if not os.access(folder.parent, os.W_OK | os.X_OK):
        return f"{folder.parent}: cannot remove a folder in it: {why_unwritable(folder.parent)}"
    taken = hidden_taken(folder.with_name(f".{folder.name}{REMOVING}"))
    if taken is not None:
        return taken
    unlisted: list[OSError] = []
    for top, _, names in os.walk(folder, onerror=unlisted.append):
        flagged = _fixed_of(Path(top), [Path(top) / name for name in names])
        if flagged is not None:
            path, (what, letter) = flagged
            return (
                f"{path}: cannot be removed: it is {what} (chattr +{letter}); lift it first "
                f"(chattr -{letter} {path})"
            )
        if not os.access(top, os.R_OK | os.W_OK | os.X_OK):
            return f"{top}: cannot be removed: {why_unwritable(Path(top))}"
    if unlisted:
        return f"{unlisted[0].filename}: cannot be removed: {unlisted[0].strerror}"
    return None


def why_unwritable(path: Path) -> str:
    """Why ``path`` cannot be changed: its file system is read-only, or no permission."""
    try:
        read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):
        read_only = False
    return "a read-only file system" if read_only else "Permission denied"


# Inode flags (Linux ``FS_IOC_GETFLAGS``, as ``lsattr`` reads them) that stop a file being
# replaced or removed, even by root: ``chattr +i`` (immutable) and ``chattr +a`` (append only).
FS_IOC_GETFLAGS = 0x80086601
FIXED_FLAGS = {0x10: ("immutable", "i"), 0x20: ("append-only", "a")}


def fixed_flag(path: Path) -> tuple[str, str] | None:
    """(what, the ``chattr`` letter) of the ``FIXED_FLAGS`` flag ``path`` (a file or a folder,
    not followed if a link) carries, None if none, or where it cannot be asked (no such file,
    a file system that keeps no such flags, not Linux)."""
    try:
        import fcntl
    except ImportError:  # (not on Windows)
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        flags = int.from_bytes(fcntl.ioctl(fd, FS_IOC_GETFLAGS, bytes(8))[:4], sys.byteorder)
    except OSError:
        return None
    finally:
        os.close(fd)
    return next((found for bit, found in FIXED_FLAGS.items() if flags & bit), None)


def _fixed_of(folder: Path, paths: list[Path]) -> tuple[Path, tuple[str, str]] | None:
    """The first of ``folder`` itself and ``paths`` that carries a ``fixed_flag``, with it."""
    for path in (folder, *sorted(paths)):
        found = fixed_flag(path)
        if found is not None:
            return path, found
    return None


def fixed_file(folder: Path) -> str | None:
    """'<file>: cannot be replaced: it is immutable (chattr +i); ...' for the first file in
    ``folder`` that no write may replace (``FIXED_FLAGS``), or the folder itself, in which
    no file may then be made or replaced, else None (also where the file system keeps no
    such flags). A resume replaces its folder's files (meta.json, the checkpoint, the
    summary): one with a checkpoint made immutable said 'resuming after epoch N', trained,
    and failed at its first checkpoint ('Operation not permitted', FAILED)."""
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    flagged = _fixed_of(Path(folder), [Path(folder) / name for name in names])
    if flagged is None:
        return None
    path, (what, letter) = flagged
    if path == Path(folder):
        return (
            f"{path}: cannot be written: it is {what} (chattr +{letter}), and a resume writes "
            f"its files in it; lift it first (chattr -{letter} {path})"
        )
    return (
        f"{path}: cannot be replaced: it is {what} (chattr +{letter}), and a resume "
        f"rewrites its folder's files; lift it first (chattr -{letter} {path})"
    )
