"""Which process a run folder belongs to while it runs. ``claim``: the one process that may
change it (a lock the system drops when the process ends). ``start_mark`` / ``alive``: whether
the process a RUNNING folder names still runs: its pid and, where the system says, when that
process started, so that a pid given again to an unrelated process (the run's own was killed
by SIGKILL, or the machine lost power) is not taken for the run's process. ``nnlab.runs``
re-exports ``claim`` and ``release``; its ``Lifecycle`` takes and lets go of the hold.
``founding``: where a new folder is made, under a hidden name that takes the folder's as it is
whole; the hidden folders dead founders left beside it (``leftovers``) go as it does.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from nnlab.errors import RunError, os_failure

try:
    import fcntl
except ImportError:  # (not on Windows: no folder locks there)
    fcntl = None  # type: ignore[assignment]


class Folder(Protocol):  # (a RunDir: typed by what is used, as importing it would be a circle)
    path: Path


def start_mark(pid: int) -> str | None:
    """What tells process ``pid`` from a later process given the same pid: the boot's id and
    the process's start time in clock ticks after boot (``/proc/<pid>/stat`` field 22), as
    ``"<boot id>:<ticks>"``; None where /proc does not say (not Linux, no such process)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            boot = f.read().strip()
        # (field 2, the command name in parentheses, may hold spaces and parentheses itself)
        ticks = int(stat[stat.rindex(b")") + 2 :].split()[22 - 3])
    except (OSError, ValueError, IndexError):
        return None
    return f"{boot}:{ticks}"


def _state(pid: int) -> bytes | None:
    """Process ``pid``'s state letter (``/proc/<pid>/stat`` field 3: R, S, D, Z, ...), None
    where /proc does not say."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2 :].split()[0]
    except (OSError, ValueError, IndexError):
        return None


def alive(pid: object, mark: object = None) -> bool:
    """Process ``pid`` runs and, if ``mark`` (its ``start_mark`` as recorded) is given, it is
    that same process: a live process with another start is one that got the pid later. Where
    the start of ``pid`` cannot be read now, or none was recorded, the pid alone decides. A
    zombie (a process killed whose parent has not collected it yet) has ended: ``kill(pid, 0)``
    succeeds on it, and a run killed with SIGKILL read RUNNING until its parent waited."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        pass  # (it runs, as another user; or no pid at all: as before, taken as running)
    if _state(pid) in (b"Z", b"X"):  # a zombie: ended (kill -9), not yet collected by its parent
        return False
    if isinstance(mark, str):
        now = start_mark(pid)
        if now is not None and now != mark:
            return False
    return True


_claims: dict[str, int] = {}  # folder -> the open descriptor whose lock this process holds
# what a folder another process holds, or removed as this one took it, is said to be
IN_USE = "in use by another nnlab process (it is being resumed, removed, or still runs)"
GONE_MEANWHILE = "no longer there (removed or renamed meanwhile by another process?)"


def claim(run: Folder) -> None:
    """This process's hold on ``run`` until the folder's lifecycle ends (``release``): two
    processes never continue one folder at once. Two resumes started together both passed the
    RUNNING check, then both trained into the same files. The hold is an exclusive lock on the
    folder (``flock``), which the system drops when the process ends, even by kill -9.
    RunError if another process holds it; taking it again in this process is a no-op."""
    key = str(Path(run.path).resolve())
    if key in _claims or fcntl is None:
        return
    try:
        fd = os.open(key, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except FileNotFoundError:  # (it said 'cannot open: No such file or directory')
        raise RunError(f"{run.path}: {GONE_MEANWHILE}") from None
    except OSError as exc:
        raise RunError(f"{run.path}: cannot open: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise RunError(f"{run.path}: {IN_USE}; try again once that has ended") from None
    _claims[key] = fd


@contextlib.contextmanager
def claimed(run: Folder) -> Iterator[Path]:
    """``claim`` ``run``; its path, where the block writes (a resume's folder, as it is). The
    hidden folders killed founders left in the folders it holds (``leftovers`` in a sweep's
    trials/, a tune's rounds/: a trial's ``.<id>-<random>.new``) are removed at once, whatever
    their age: only the holder of ``run``, and its workers, not started yet, found folders
    there. A kill -9 as a sweep founded a trial left one that its resume, having run the
    trial again, left for 10 minutes."""
    claim(run)
    try:
        inner = [Path(e.path) for e in os.scandir(run.path)
                 if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]  # fmt: skip
    except OSError:  # (the resume's own reading says what is wrong with it)
        inner = []
    for folder in inner:
        for path in leftovers(folder, any_age=True):
            shutil.rmtree(path, ignore_errors=True)
    yield Path(run.path)


BIRTH = ".new"  # a new folder's first files, written beside it under a hidden name
REMOVING = ".removing"  # a folder being removed (``RunDir.remove``): hidden, held as it goes
LEFTOVER_AGE = 600.0  # seconds: a hidden new folder unchanged this long, held by no process,
# was left by a founder killed (a founder holds its own within milliseconds of making it)
_looked: dict[str, float] = {}  # folder -> when (time.monotonic) ``founding`` last cleaned it


@contextlib.contextmanager
def founding(run: Folder) -> Iterator[Path]:
    """Where a new folder's first files and meta.json are written: a hidden folder beside the
    one ``run`` names, claimed, which takes its name whole when the block ends (a rename that
    never replaces what is there, the claim going with it); removed if the block raises.
    Nothing is made at the folder's name before (``runs.make_folder`` only finds it free), so
    a kill -9 at any instant leaves no folder there: only the hidden one, which no reader
    lists, and which a later founding in the same folder removes (``leftovers``). Written in
    place, a kill between the first file and meta.json left a folder every reader called
    DAMAGED ('meta.json: missing'; a landscape's, a sweep's), or one with a config.yaml only,
    shown by the report alone; an empty folder made first to hold the name, and removed as the
    founding began, was left by a kill -9 between the two (1 in 60 of kills to ``train``),
    and a resume of it, or ``runs show``, said 'a folder, but no run folder'.

    Two processes founding one name at once (``--out`` given twice) end with one folder, the
    first rename's, and the other refused (``Taken``); a founder removes only what it made.
    The hidden name is the founder's own (a random part). A shared hidden name let the second
    founder remove the first one's files as they were written, and the first then removed the
    second's whole folder as it failed ('3x --out same' left no folder, two commands exiting 1)."""
    final = Path(run.path)
    birth = final.with_name(f".{final.name}-{secrets.token_hex(4)}{BIRTH}")
    try:
        try:
            birth.mkdir()
        except FileNotFoundError:  # (its parents first, as pathlib's parents=True makes them)
            make_folders(final.parent)
            birth.mkdir()
    except OSError as exc:  # (its hidden name is none the user gave: the folder's is)
        where = final if exc.filename in (None, str(birth)) else exc.filename
        raise os_failure(f"{where}: cannot create run folder: {exc.strerror}", exc) from None
    key = str(birth.resolve())
    try:
        claim(_At(birth))
        clean(final.parent, birth)
        yield birth
        rename_new(birth, final)
    except BaseException as exc:
        release(_At(birth))
        shutil.rmtree(birth, ignore_errors=True)
        if not hasattr(exc, "nnlab_unmade") and not isinstance(exc, Taken):
            # (the line names a file of the hidden folder, removed: say none is made)
            exc.nnlab_unmade = final  # type: ignore[attr-defined]
        raise
    if key in _claims:  # (the lock is the folder's, which is ``run`` now)
        _claims[str(final.resolve())] = _claims.pop(key)


RENAME_NOREPLACE = 1  # renameat2's flag (Linux 3.15): fail with EEXIST if the target exists


def rename_new(src: Path, dest: Path) -> None:
    """Rename the folder ``src`` to ``dest``, which must not exist (``Taken`` if it does, made
    meanwhile). Linux's renameat2(RENAME_NOREPLACE) makes that one step; where the system or
    the file system has no such call, a check, then ``os.rename`` (which replaces an empty
    folder made in between, and fails on one holding files)."""
    try:
        done = _renameat2(src, dest)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise Taken(f"{dest}: run folder already exists (made meanwhile)") from None
        raise
    if done:
        return
    if os.path.lexists(dest):
        raise Taken(f"{dest}: run folder already exists (made meanwhile)")
    try:
        os.rename(src, dest)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
            raise
        raise Taken(f"{dest}: run folder already exists (made meanwhile)") from None


def _renameat2(src: Path, dest: Path) -> bool:
    """renameat2(src, dest, RENAME_NOREPLACE): True once done, False where there is no such
    call (not Linux, an old C library or kernel, a file system without the flag); OSError."""
    libc = _libc()
    if libc is None:
        return False
    at_fdcwd = -100
    code = libc.renameat2(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dest),
                          RENAME_NOREPLACE)  # fmt: skip
    if code == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(src), None, str(dest))


@functools.cache
def _libc() -> Any:
    """The C library, if it has renameat2 (glibc 2.28, musl 1.2.2), else None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.renameat2  # noqa: B018 (an AttributeError if it has none)
    except (OSError, AttributeError):
        return None
    libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                               ctypes.c_uint]  # fmt: skip
    return libc


def make_folders(path: Path) -> None:
    """``path`` and its missing parents, as ``Path.mkdir(parents=True, exist_ok=True)`` makes
    them, but one after another: pathlib recurses once per missing parent, and a --runs-dir
    (or --data-dir) of 2,000 new levels ('a/a/a/...', 4,000 characters, within the system's
    limit) failed with 'unexpected RecursionError', exit 1."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:  # (made meanwhile by another process: fine if a folder)
            if not folder.is_dir():
                raise


class Taken(RunError):
    """The folder a founder was making was made meanwhile by another process (``founding``)."""


def clean(root: Path, own: Path) -> None:
    """Remove ``leftovers`` in ``root`` but ``own`` (this founding's): once per
    ``LEFTOVER_AGE`` in a process, as a leftover younger than that is left anyway (a sweep
    founds each of its trials in one folder: looking each time was a listing per trial)."""
    key = str(Path(root).resolve())
    if time.monotonic() - _looked.get(key, -LEFTOVER_AGE) < LEFTOVER_AGE:
        return
    _looked[key] = time.monotonic()
    for path in leftovers(root):
        if path.name != own.name:
            shutil.rmtree(path, ignore_errors=True)


def leftovers(root: Path, any_age: bool = False) -> list[Path]:
    """The hidden folders in ``root`` that killed processes left: new ones
    (``.<name>-<random>.new``: kill -9 or a power loss between ``founding``'s mkdir and its
    rename) and ones half removed (``.<name>.removing``: killed, or failed, in
    ``RunDir.remove``'s rmtree). They stayed for ever. Folders, not links, no process holds
    (``held``), new ones whose time is ``LEFTOVER_AGE`` or more from the clock's either way
    (one ahead of it was made before the clock was set back): a founder between its mkdir and
    its claim is not held yet. A half-removed one at any age: its remover holds it from before
    it takes the hidden name to its end (it waited 10 minutes, listed by no reader).
    ``any_age``: new ones too, where no founder can be at work (``claimed``)."""
    found = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        name = entry.name
        suffix = next((x for x in (BIRTH, REMOVING) if name.endswith(x)), None)
        if suffix is None or not name.startswith(".") or len(name) <= len(suffix) + 1:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        # (its age either way: one whose time is ahead of the clock was made before the clock
        # was set back, and waited, left for ever, for the clock to pass it: a year for a
        # clock a year ahead; a live one is held, whatever its time says. A half-removed one
        # is one at any age: its remover holds it from before it took its hidden name)
        old = any_age or abs(time.time() - st.st_mtime) >= LEFTOVER_AGE or suffix == REMOVING
        if stat.S_ISDIR(st.st_mode) and old and not held(Path(entry.path)):
            found.append(Path(entry.path))
    return found


def half_removed(path: Path) -> bool:
    """Whether ``path`` is named as a folder being removed is (``.<name>.removing``:
    ``RunDir.remove``); one no process holds (``held``) is what a removal that stopped part
    way left (an error, a kill), which the readers of a runs folder list DAMAGED."""
    name = Path(path).name
    return name.startswith(".") and name.endswith(REMOVING) and len(name) > len(REMOVING) + 1


def half_left(run: Path | None, hidden: Path) -> str:
    """What a removal of the folder ``run`` that stopped part way (``rundir.RunDir.remove``) left:
    ``hidden``, its rest, which the readers of the runs folder list DAMAGED with this reason
    (``run`` None) until it is removed. It was listed by none, and waited 10 minutes for a
    command that made a folder beside it."""
    if run is None:
        gone = hidden.with_name(hidden.name[1 : -len(REMOVING)])
        what = f"{hidden}: what is left of {gone}, whose removal stopped part way"
    else:
        what = f"{run} is half removed, what is left of it is {hidden}"
    return f"{what}; remove it with: nnlab runs remove {hidden}"


@contextlib.contextmanager
def holding(run: Folder) -> Iterator[None]:
    """``claim`` ``run`` for the block, unless this process holds it already (then it keeps
    it); let go of quietly as the block ends (not one of the folders that ``ended``: a
    folder removed, not one that ended a run)."""
    key = str(Path(run.path).resolve())
    if key in _claims:
        yield
        return
    claim(run)
    try:
        yield
    finally:
        fd = _claims.pop(key, None)
        if fd is not None:
            os.close(fd)


class _At:
    def __init__(self, path: Path) -> None:
        self.path = path


def held(path: Path) -> bool:
    """Whether a process holds ``claim``'s lock on the folder ``path``, asked without taking
    it (a reader trying the lock could make a writer's claim fail meanwhile): the system's
    table of locks, /proc/locks on Linux; False where there is none to read."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return _key(st) in _locked()


def held_inside(folder: Path) -> Path | None:
    """A folder inside ``folder`` (not itself) that a process holds (``held``: a sweep's trial
    resumed on its own, a tune's round), None if none is: the lock table read once, the
    folders walked without following links."""
    locked = _locked()
    if not locked:
        return None
    for top, names, _ in os.walk(folder):
        for name in names:
            path = Path(top) / name
            with contextlib.suppress(OSError):
                if _key(os.stat(path, follow_symlinks=False)) in locked:
                    return path
    return None


def _key(st: os.stat_result) -> str:
    return f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"


def _locked() -> set[str]:
    """The files a process holds a ``flock`` on, as /proc/locks names them (device:inode); none
    where there is no such table."""
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            table = f.read()
    except OSError:
        return set()
    return {part for line in table.splitlines() if "FLOCK" in line for part in line.split()}


def release(run: Folder) -> None:
    """Let go of ``claim``'s hold (the lifecycle does, as it ends)."""
    fd = _claims.pop(str(Path(run.path).resolve()), None)
    if fd is not None:
        os.close(fd)
        ended.append(Path(run.path))


# the folders this process let go of, last last (the command line clears it as a command
# begins): a stop signal after the command's folder ended, while it prints its result, is
# said naming the last, as it reads ('interrupted (SIGTERM): <run> is COMPLETED')
ended: list[Path] = []


@contextlib.contextmanager
def released(run: Folder) -> Iterator[None]:
    """A resume: its checks ``claim`` ``run`` before it reads anything, and its lifecycle holds
    the claim on and lets go as it ends; this lets go when the block ends, however it does. A
    resume refused after the claim (a damaged checkpoint, another run's) or with nothing to do
    held the folder for the rest of the process: harmless for a command, which ends, but a
    Python caller or a sweep worker could no longer let another process resume it."""
    try:
        yield
    finally:
        release(run)
