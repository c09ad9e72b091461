"""The run-folder contract and lifecycle. Only this module writes into ``runs/``.

A run is a folder that says everything about itself::

    runs/<YYYYmmdd-HHMMSS>-<name>-<short id>/
        config.yaml      the resolved config (defaults filled in, overrides applied)
        meta.json        kind, status, seed, argv, overrides, versions, git commit, host, pid, times
        metrics.jsonl    one JSON record per epoch, append-only
        checkpoint.npz   the state after the last finished epoch, naming its run (np.savez)
        summary.json     status and final / best metrics;  summary.txt  the same as a table
        curves.png       loss and accuracy curves

Sweeps, tune searches, lr scans, landscapes and the other experiments write folders of the
same shape (``meta.json`` with their ``kind``, their own result files).

**Lifecycle.** Every folder is made and ended by ``Lifecycle`` (``start`` a new one, ``reopen``
one to resume): it creates the folder (its name confined to the runs root), marks it RUNNING,
and whatever ends the block records the terminal status: the driver's choice on a normal exit
(COMPLETED, DIVERGED, FAILED), INTERRUPTED on Ctrl-C or a stop signal, FAILED with the error
on any other exception (MemoryError and OSError included). No other module writes a status.

**Reading** is tolerant and honest: a torn last line of ``metrics.jsonl`` (what a kill leaves)
is dropped, but in a run that reached its end (COMPLETED, DIVERGED); any other damage (a bad line in the middle, non-UTF-8 text, a ``meta.json`` that is
not an object, a truncated checkpoint or another run's) raises ``DamagedError`` naming the file
and line.

Every file is written atomically (temp file + ``os.replace``) with the mode the umask gives,
except ``metrics.jsonl``, appended to a line at a time; a new folder's first files with its
meta.json, in a hidden folder that then takes its name (``founding``: a kill leaves only that,
which the next founding beside it removes once 10 minutes old and held by no process)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnlab import signals
from nnlab.describe import describe_folder as describe_folder  # (re-exported: the reading
from nnlab.errors import RunError
from nnlab.fileio import (  # (re-exported: the run-folder API reads and writes with them)
    DamagedError as DamagedError,
    atomic_write as atomic_write,
    copy_file as copy_file,
    dumps as dumps,
    now as now,
    read_records as read_records,
    remove,
    write_json as write_json,
)
from nnlab.filestate import fixed_file
from nnlab.limits import FOLDER_FILES, check_disk, check_open_files
from nnlab.lookup import (  # half of the API, finding folders, from the modules that own it)
    check_kind as check_kind,
    find_run as find_run,
    usable as usable,
)
from nnlab.lookup_hints import DEFAULT_ROOT as DEFAULT_ROOT
from nnlab.metafile import by_newer
from nnlab.naming import (  # (re-exported: where a new folder goes, and its name)
    NAME_TRIES,
    check_name as check_name,
    check_new_root as check_new_root,
    location as location,
    make_folder as make_folder,
)
from nnlab.nested import (
    absent_round as absent_round,
    trial_folders as trial_folders,
    trial_sweeps as trial_sweeps,
    unplanned as unplanned,
    unplanned_folders as unplanned_folders,
)
from nnlab.output import counted
from nnlab.process import (  # (re-exported: which process holds a folder)
    Taken,
    claim as claim,
    claimed,
    founding,
    held as held,
    release as release,
    released as released,
    start_mark,
)
from nnlab.provenance import git_commit, versions  # (what made a run's numbers)
from nnlab.removal import removable as removable, remove_folder as remove_folder  # (re-exported)
from nnlab.run_errors import (
    describe_error as describe_error,  # (re-exported)
    error_in,
)
from nnlab.rundata import (  # (re-exported: the data a run began with)
    check_data as check_data,
    data_dir_text as data_dir_text,
    data_fields as data_fields,
    resume_data_dir as resume_data_dir,
)
from nnlab.rundir import (  # (re-exported: one folder, as the commands read it)
    DAMAGED as DAMAGED,
    KINDS as KINDS,
    ROUNDS as ROUNDS,
    STALE as STALE,
    STATUSES as STATUSES,
    TERMINAL,
    UNREADABLE as UNREADABLE,
    UNUSABLE as UNUSABLE,
    RunDir as RunDir,
    error_status as error_status,
    status_of as status_of,
)
from nnlab.runfolders import (
    check_root as check_root,
    is_run_folder as is_run_folder,
    iter_runs as iter_runs,
    made_by_nnlab as made_by_nnlab,
)
from nnlab.signals import Interrupted, SignalsAsInterrupts, deferred
from nnlab.trialfolders import (  # (re-exported: how readers judge a sweep's trial folders)
    MISSING as MISSING,
    TRIALS as TRIALS,
    absent_trial as absent_trial,
    foreign_folder as foreign_folder,
    foreign_trial as foreign_trial,
    linked_file as linked_file,
)

# ----------------------------------------------------------------------------- lifecycle
ENDED = ("COMPLETED", "DIVERGED", "FAILED")  # a child's statuses that leave nothing to resume


class Unfinished(Interrupted):
    """A folder's block ended normally with a child not ended (``Lifecycle.children``): a trial
    INTERRUPTED (stopped at its sweep's STOP file), STALE or PENDING. Not a completion: the
    folder records INTERRUPTED, and this interrupt says why (its text: what has not ended)."""


class Lifecycle:
    """The one owner of a folder's status, from RUNNING to its end (a context manager).

    ``start`` makes a new folder, ``reopen`` continues one (a resume). In the block, the driver
    writes its files through ``run`` and may say how a normal exit ends (``end_as``: DIVERGED,
    FAILED with the trials' counts...; COMPLETED by default) and what to write before the
    status whatever the ending (``on_end(fn)``: ``fn(status)`` writes a summary; on an abnormal
    exit its failure is not allowed to hide the original error). On leaving, the status is
    recorded: the chosen one, INTERRUPTED (Ctrl-C, a stop signal), or FAILED with the error.
    A folder with children (a sweep's trials, a tune's rounds: ``children``) is not COMPLETED,
    nor FAILED, while one of them has not ended: see ``Unfinished``. A new folder whose
    generated name another run founded meanwhile (the same second, the same 24-bit id) is
    founded under a new one (``renamed``: a free name), as ``make_folder`` draws anew.
    An exception leaving the block carries ``nnlab_run`` (the folder), ``nnlab_status`` (the
    status recorded, or None if even that could not be written: then ``nnlab_unrecorded``
    says why) and ``nnlab_resume`` (the command that continues it, if any); an outer
    lifecycle overwrites an inner one's.
    """

    def __init__(
        self,
        run: RunDir,
        meta: dict[str, Any],
        resume: str | None = None,
        fresh: bool = False,
        files: dict[str, Any] | None = None,
        renamed: Callable[[], RunDir] | None = None,
        ended: tuple[str, ...] = (),
    ) -> None:
        self.run = run
        self._template = resume  # (the command that continues it, ``{path}`` standing for it)
        self.resume = _resume_text(resume, run)
        self._renamed = renamed  # (a generated name: another one, if a founder took this one)
        self._fresh = fresh  # a folder this lifecycle made (removed if it cannot even start)
        self._files = files or {}  # what a resume needs, written before the folder is RUNNING
        self._ended = ended  # (a resume's: what an earlier ending wrote, removed as it begins)
        self._start_meta = meta
        self._status = "COMPLETED"
        self._fields: dict[str, Any] = {}
        self._hooks: list[Callable[[str], object]] = []
        self._children: tuple[Callable[[], dict[str, str]], str] | None = None
        self._signals = SignalsAsInterrupts()

    @property
    def path(self) -> Path:
        return self.run.path

    def end_as(self, status: str, **fields: Any) -> None:
        """The status (and extra meta fields) a normal exit records."""
        if status not in TERMINAL:
            raise ValueError(f"end_as: {status!r} is not a terminal status")
        self._status = status
        self._fields.update(fields)

    def note(self, **fields: Any) -> None:
        """Meta fields recorded with the status however the block ends (``epochs_done``)."""
        self._fields.update(fields)

    def on_end(self, fn: Callable[[str], object]) -> None:
        self._hooks.append(fn)

    def children(self, read: Callable[[], dict[str, str]], what: str = "trial") -> None:
        """The folder's children (``what``: a sweep's trials, a tune's trials): ``read()`` gives
        each one's status as its folder says as the block ends (PENDING: not begun). A normal
        exit while any of them has not ended (``ENDED``) records INTERRUPTED and raises
        ``Unfinished`` (an interrupt: the command exits 130 and says how to resume), whatever
        ``end_as`` chose: a sweep whose trial stopped at its STOP file is not COMPLETED."""
        self._children = (read, what)

    def __enter__(self) -> Lifecycle:
        """Claim the folder and mark it RUNNING, as one step: a stop signal meanwhile waits for
        the write, then a resume's folder ends INTERRUPTED, as if the block had begun, and a new
        one, nothing in it yet, is removed; a failure before the write changes nothing."""
        self._signals.__enter__()
        running = placed = False
        try:
            with deferred():
                for tries_left in range(NAME_TRIES - 1, -1, -1):
                    try:
                        running = self._found()
                        break
                    except Taken:  # (its generated name taken by another founder meanwhile)
                        if self._renamed is None or not tries_left:
                            raise
                        self._rename(self._renamed())
                placed = True  # (a founding that raised removed what it made, and only that)
        except BaseException as exc:
            if running and not self._fresh:
                self.__exit__(type(exc), exc, exc.__traceback__)  # (releases it, as below)
                raise
            with deferred():  # (a second stop signal, as a worker signalled by its process
                # group and then terminated by its sweep gets, would leave it half removed)
                release(self.run)
                if self._fresh and placed:  # nothing in it yet: leave no folder without a status
                    shutil.rmtree(self.run.path, ignore_errors=True)
                self._signals.__exit__(None, None, None)
            self._as_it_was(exc)
            raise
        return self

    def _as_it_was(self, exc: BaseException) -> None:
        """A resume's OS error before its folder said RUNNING again (a full disk: it said only
        'meta.json: No space left on device') carries the folder, as it was, and its resume."""
        if not self._fresh and isinstance(exc, OSError) and not hasattr(exc, "nnlab_run"):
            with contextlib.suppress(Exception):  # (unreadable meanwhile: nothing sure to say)
                exc.nnlab_status = self.run.status  # type: ignore[attr-defined]
                exc.nnlab_run, exc.nnlab_resume = self.path, self.resume  # type: ignore[attr-defined]

    def _found(self) -> bool:
        """Write the files and the RUNNING meta.json into the folder (a new one's hidden
        beginning: ``founding``), holding it; True once they are written."""
        with (founding if self._fresh else claimed)(self.run) as where:
            if not self._fresh:  # (and the temp files of a writer killed mid-write)
                remove(where, self._ended)
            for name, content in self._files.items():  # (a new folder's: ``founding``)
                _write_file(RunDir(where), name, content)
            RunDir(where).write_json("meta.json", self._start_meta)
        return True

    def _rename(self, run: RunDir) -> None:
        """Found ``run`` (a new name's empty folder) instead: the name before was taken."""
        self.run = run
        self._start_meta["run_id"] = run.id
        self.resume = _resume_text(self._template, run)

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        try:
            if exc is None:
                try:
                    exc = self._unfinished()
                except BaseException as read_error:  # (children that cannot even be read)
                    self._abnormal_end(read_error)
                    raise
                if exc is not None:
                    self._abnormal_end(exc)
                    raise exc
                self._end_status()
            else:
                self._abnormal_end(exc)
        finally:
            self._let_go(exc)

    def _let_go(self, exc: BaseException | None) -> None:
        """Release the folder and the block's signal handlers, a stop signal meanwhile (a second
        Ctrl-C; ``timeout``'s to the process group) waiting for both: raised in the middle, it
        took the place of what the block ended on, and the command's line lost the folder
        ('interrupted (SIGTERM)' alone). On a block ending interrupted it adds nothing; after
        any other end it goes on as the interrupt, saying the folder as it ended."""
        try:
            with deferred():
                release(self.run)
                self._signals.__exit__(None, None, None)
        except KeyboardInterrupt as late:
            if isinstance(exc, KeyboardInterrupt) or getattr(exc, "nnlab_status", "") == (
                "INTERRUPTED"
            ):
                return  # (``exc`` goes on, naming the folder and its resume)
            late.nnlab_run = self.run.path  # type: ignore[attr-defined]
            late.nnlab_status = getattr(exc, "nnlab_status", self._status)  # type: ignore[attr-defined]
            late.nnlab_resume = None  # type: ignore[attr-defined]
            raise

    def _end_status(self) -> None:
        """Write the summaries (``on_end``), then the status: a write that fails fails the run;
        a stop signal waits for the status's write (the folder is said as it ended)."""
        written = False
        try:
            self._run_hooks(self._status, quiet=False)
            _align_summary(self.run, self._status)
            with deferred():
                _write_status(self.run, self._status, self._fields)
                written = True
        except BaseException as exc:
            if not (written and isinstance(exc, KeyboardInterrupt)):
                self._abnormal_end(exc)
                raise
            exc.nnlab_run, exc.nnlab_status = self.path, self._status  # type: ignore[attr-defined]
            exc.nnlab_resume = None  # type: ignore[attr-defined]
            raise

    def _unfinished(self) -> Unfinished | None:
        """``Unfinished`` if a child of the folder (``children``) has not ended, else None."""
        if self._children is None:
            return None
        read, what = self._children
        statuses = read()
        left = {name: status for name, status in statuses.items() if status not in ENDED}
        if not left:
            return None
        name, status = next(iter(left.items()))
        return Unfinished(
            f"{len(left)} of {counted(len(statuses), what)} not ended, e.g. {name} {status}"
        )

    def _abnormal_end(self, exc: BaseException) -> None:
        """INTERRUPTED or FAILED with the error; nothing raised here may hide ``exc``."""
        interrupted = (
            signals.interrupt_behind(exc) is not None
        )  # (a library's error made of one too)
        status = "INTERRUPTED" if interrupted else "FAILED"
        self._run_hooks(status, quiet=True)
        with contextlib.suppress(Exception):
            _align_summary(self.run, status)
        extra = {} if interrupted else {"error": error_in(self.run.path, exc)}
        if interrupted:  # (an error ``end_as`` chose, a sweep's "1 of 4 trials FAILED")
            self._fields.pop("error", None)
        recorded: str | None = None
        try:
            with deferred():  # (the status is written whole, whatever arrives meanwhile)
                try:
                    _write_status(self.run, status, {**self._fields, **extra})
                    recorded = status
                except Exception as write_error:  # (a full disk): STALE once this ends
                    exc.nnlab_unrecorded = describe_error(write_error)  # type: ignore[attr-defined]
        except KeyboardInterrupt:  # another stop signal during the write, raised at its end
            if not interrupted:  # (the run is recorded FAILED; the stop ends the command)
                raise
        finally:  # (an interrupt already: the second one adds nothing, and it was reported as
            # "could not record INTERRUPTED" although the status was written)
            exc.nnlab_run = self.run.path  # type: ignore[attr-defined]
            exc.nnlab_status = recorded  # type: ignore[attr-defined]
            exc.nnlab_resume = self.resume  # type: ignore[attr-defined]

    def _run_hooks(self, status: str, quiet: bool) -> None:
        for hook in self._hooks:
            try:
                hook(status)
            except BaseException:
                if not quiet:
                    raise


def _write_file(run: RunDir, name: str, content: Any) -> None:
    """One of ``start``'s ``files``: text, a JSON object (a dict), or a function that writes
    the file at the path it is given (an HDF5 file)."""
    if isinstance(content, str):
        run.write_text(name, content)
    elif isinstance(content, dict):
        run.write_json(name, content)
    else:
        content(run.file(name))


def _align_summary(run: RunDir, status: str) -> None:
    """A summary.json written in the block says the status the folder ends with: one written
    as COMPLETED before an interrupt (an lr-scan's, while its figure was drawn) is rewritten
    INTERRUPTED, as the summaries written by ``on_end`` hooks say it anyway."""
    path = run.file("summary.json")
    if not path.is_file():
        return
    summary = run.read_json_object("summary.json")
    if "status" in summary and summary["status"] != status:
        run.write_json("summary.json", {**summary, "status": status})


def _write_status(run: RunDir, status: str, fields: dict[str, Any]) -> None:
    try:
        meta = run.read_json_object("meta.json")
    except RunError:  # damaged under us: keep what can be said
        meta = {"run_id": run.id}
    meta.update(fields, status=status, ended=now())
    run.write_json("meta.json", meta)


def _base_meta(run: RunDir, kind: str) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "kind": kind,
        "status": "RUNNING",
        "argv": list(sys.argv),
        "versions": versions(),
        "git_commit": git_commit(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "pid_started": start_mark(os.getpid()),  # (a pid given again later is not this run's)
        "started": now(),
        "ended": None,
    }


def start(
    root: Path,
    name: str,
    kind: str,
    /,
    *,
    folder: str | None = None,
    resume: str | None = None,
    files: dict[str, Any] | None = None,
    size: tuple[float, str] = (FOLDER_FILES, ""),
    **fields: Any,
) -> Lifecycle:
    """A new run folder under ``root`` and its lifecycle (enter it with ``with``).

    ``name``: the folder's name part; ``kind``: what makes the folder (train, sweep, ...);
    ``fields`` go into meta.json;
    ``resume``: the command that continues the folder, ``{path}`` standing for it. The folder's
    name is free when this returns; entering the block makes the folder, whole, RUNNING, with
    ``files``
    (name -> text, a JSON object, or a function writing the path it is given): what a resume
    reads first (config.yaml, a sweep's plan, a landscape's file). Written in the same step,
    a stop signal waiting for it, so a folder that can be interrupted (and is told to be
    resumed) always has them; one not written (or killed meanwhile) leaves none. ``size``: its
    bytes, about, and how to make them fewer: refused first if ``root`` has not the space.
    """
    if kind not in KINDS:  # (a new kind of folder joins KINDS, which runs list checks against)
        raise ValueError(f"runs.start: unknown folder kind {kind!r}; add it to runs.KINDS")
    check_disk(f"the {kind} folder", size[0], root, smaller=size[1])
    check_open_files()  # (a sweep's, a tune's workers: checked with their --jobs already)
    run = make_folder(root, name, folder)  # (a free name: the lifecycle makes the folder)
    meta = {**_base_meta(run, kind), **fields}
    renamed = None if folder is not None else (lambda: make_folder(root, name))
    return Lifecycle(run, meta, resume, fresh=True, files=files, renamed=renamed)


def own(run: RunDir) -> None:
    """RunError if ``run`` was made by a newer nnlab (``RunDir.made_by_newer``: this one would
    write its files as an older version does, and train on with older code), is a symlink, or
    holds one: a resume of a folder found under the runs folder would write wherever the link
    points. (Reading through one is fine: show, compare, report.) Its own path is resumed as
    any folder is. RunError too if the folder cannot be
    written (a read-only mount, no permission), or holds a file that cannot be replaced
    (``filestate.fixed_file``: immutable): a resume said it was resuming, then failed at its
    first write."""
    newer = run.made_by_newer()
    if newer is not None:  # (what it holds that this version does not know would be lost)
        raise RunError(
            f"{run.path}: {by_newer(newer)}; continue it with that version or a later one"
        )
    if run.path.is_symlink():
        target = run.path.resolve()
        raise RunError(
            f"{run.path}: a symlink to {target}; a resume writes into the folder itself: "
            f"give its own path ({target})"
        )
    linked = linked_file(run.path)
    if linked is not None:
        raise RunError(linked)
    fixed = fixed_file(run.path)  # (chattr +i or +a: even root cannot replace it)
    if fixed is not None:  # (asked first: an immutable folder is not writable either)
        raise RunError(fixed)
    if run.path.is_dir() and not os.access(run.path, os.W_OK):
        try:
            read_only = bool(os.statvfs(run.path).f_flag & os.ST_RDONLY)
        except (AttributeError, OSError):
            read_only = False
        why = "on a read-only file system" if read_only else "no permission to write it"
        raise RunError(f"{run.path}: cannot be continued here: {why}")


def refuse_running(run: RunDir, what: str = "") -> None:
    """RunError if ``run`` is still RUNNING in a live process (another process has it).
    ``what``: how the error names the folder (``"sweep "``)."""
    if run.status == "RUNNING":
        raise RunError(f"{run.path}: {what}still RUNNING in process {run.meta.get('pid')}")


def refuse_finished(run: RunDir, left: int = 0, instead: str = "") -> None:
    """RunError if a resume of ``run`` has nothing left to do: it is COMPLETED and ``left``
    (the work its resume found missing: a sweep's trials, a tune's rounds, a landscape's points)
    is 0. The one answer of every resume and its dry run (``train``, ``sweep``, ``tune``,
    ``landscape``, the kinds ``nnlab.redo`` does again): a finished folder named by mistake
    (``latest`` meaning another) is said, not run again as a success with nothing in it. A
    COMPLETED folder with work gone (a trial's folder removed) is resumed, and so is any other:
    a FAILED sweep reruns its failed trials, an INTERRUPTED one records how it ended.
    ``instead``: what the refusal offers in its place (``train``'s: ``--extend``)."""
    if left == 0 and run.status == "COMPLETED":
        raise RunError(f"{run.path}: already COMPLETED, nothing to resume{instead}")


def take_over(run: RunDir, what: str = "") -> None:
    """``claim`` ``run`` to continue it: RunError if it is still RUNNING in a live process
    (looked at again once claimed: another process may have resumed it meanwhile).
    ``what``: how the error names the folder (``"sweep "``). A link is refused (``own``)."""
    own(run)
    for _ in range(2):
        refuse_running(run, what)
        claim(run)


def reopen(
    run: RunDir, *, resume: str | None = None, ended: tuple[str, ...] = (), **entry: Any
) -> Lifecycle:
    """The lifecycle of a resume of ``run``: RUNNING again in this process, with one more
    ``resumes`` entry (``entry`` plus the time); what an earlier ending recorded is cleared:
    its error, its ``epochs_done``, and the files ``ended`` names (a training run's summary,
    which a resume killed before its end left beside records past it; each ending writes
    its own). The folder is ``claim``ed first (resumes claim it before they change
    anything), and one still RUNNING in a live process is refused, whichever command
    resumes it."""
    check_open_files()
    try:
        take_over(run)
    except RunError:
        release(run)
        raise
    meta = run.meta
    meta.pop("error", None)
    meta.pop("epochs_done", None)
    meta.update(
        status="RUNNING",
        ended=None,
        pid=os.getpid(),
        pid_started=start_mark(os.getpid()),
        host=socket.gethostname(),
        resumes=[*meta.get("resumes", []), {"at": now(), **entry}],
    )
    return Lifecycle(run, meta, resume, ended=ended)


def _resume_text(resume: str | None, run: RunDir) -> str | None:
    return resume.format(path=run.path) if resume else None


def settle_failed(run: RunDir, error: str) -> None:
    """Record FAILED with ``error`` for a folder no process holds (a trial whose worker died)."""
    _write_status(run, "FAILED", {"error": error})


def settle_stale(run: RunDir) -> bool:
    """Record INTERRUPTED for a folder left RUNNING by a process that is gone (a worker killed
    with SIGKILL); True if it did."""
    try:
        if run.status != STALE:
            return False
    except RunError:
        return False
    _write_status(run, "INTERRUPTED", {"note": "its process ended without recording a status"})
    return True
