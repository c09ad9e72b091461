"""Finding run folders: the folders under a runs root, one by reference (a path, an id
prefix, ``latest``, a sweep trial's id), what a listing shows of each, and a sweep's or a
tune's trial folders. Reading only (``nnlab.runs`` owns writing; it re-exports all of this,
the run-folder API being one). What it says where it finds none: ``nnlab.lookup_hints``."""

from __future__ import annotations

import difflib
import os
import re
import shlex
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from nnlab.errors import ConfigError, RunError, not_one_of
from nnlab.fileio import DamagedError, loads, read_at_most
from nnlab.filestate import leads_nowhere, link_nowhere
from nnlab.lookup_hints import (
    DEFAULT_ROOT as DEFAULT_ROOT,  # (re-exported: nnlab.runs reads it here)
    article,
    listing,
    only_others,
    taken_by,
)
from nnlab.outline import looks_whole
from nnlab.output import counted, either
from nnlab.process import half_removed, held
from nnlab.rundir import KINDS, ROUNDS, RunDir, error_status, kind_of, status_of
from nnlab.times import instant
from nnlab.trialfolders import TRIALS


def check_root(root: Path) -> Path:
    """``root`` if it is a folder, else a RunError naming it: a runs folder that is not there
    (a mistyped ``--runs-dir``, or no run written yet) is said to be missing, never listed as
    empty. Every reader of a runs folder (``runs list``, a reference to find, ``report``)
    checks it here; ``iter_runs`` also lists a sweep's or tune's trial folders, which may be
    absent."""
    root = Path(root)
    if leads_nowhere(root):  # (it was 'no such runs folder', naming no link)
        raise RunError(f"{root}: {link_nowhere(root)} (give the runs folder as --runs-dir)")
    if not root.exists():
        raise RunError(
            f"{root}: no such runs folder (no runs yet, or give the folder nnlab wrote runs "
            "into as --runs-dir)"
        )
    if not root.is_dir():
        raise RunError(f"{root}: not a folder (a runs folder holds run folders)")
    return root


# Files only a run folder holds: one of them without a meta.json beside it (removed, or a link
# to nothing) makes a damaged run folder, not some other folder to leave out of the listings.
RUN_FILES = ("meta.json", "metrics.jsonl", "checkpoint.npz", "sweep.yaml", "tune.json",
             "landscape.h5")  # fmt: skip


def itself_a_run(root: Path) -> str:
    """Where a runs folder given (``--runs-dir``) holds no runs because it is a run's own
    folder, a note saying so and naming the one to give, else "": it read 'no runs yet' of
    the folder of a run that was there."""
    if not is_run_folder(root):
        return ""
    return (
        f" (it is a run folder itself: give the runs folder holding it, --runs-dir {root.parent})"
    )


def is_run_folder(path: Path) -> bool:
    """``path`` is a folder nnlab made a run in: it holds a meta.json (a link to nothing
    included) or another of ``RUN_FILES``. A training run whose meta.json was removed was left
    out of ``runs list`` and, named exactly, said to match no folder; its ``meta`` now says
    that meta.json is missing, in every reader. A folder being made is not one yet: a new
    folder's first files (a sweep's plan, a tune's, a landscape's file) come before its
    meta.json, while its process holds it (``process.held``); a reader meanwhile called it
    DAMAGED ('meta.json: missing'). A link that leads nowhere (to a folder since removed, or
    round a loop: ``ln -s loop1 runs/loop1``) is one too, as a folder that cannot be looked
    into is: what it was cannot be told, so it is listed DAMAGED, naming the link (it was
    passed over without a word, and named exactly said to match no folder)."""
    try:
        if leads_nowhere(path):
            return True
        if half_removed(path):  # (what a removal that stopped left: listed, to be removed)
            return path.is_dir() and not path.is_symlink() and not held(path)
        if not path.is_dir():
            return False
        if not any(os.path.lexists(path / name) for name in RUN_FILES):
            return _closed(path)
    except OSError:  # (a name too long to be a path)
        return False
    return os.path.lexists(path / "meta.json") or not held(path)


def _closed(path: Path) -> bool:
    """Whether the folder ``path`` cannot be looked into (no permission to list it or to reach
    its files): what it is cannot be told, so it is listed, as a folder that cannot be read
    (``RunDir.meta`` says why). It was passed over as no run folder: ``runs list`` did not
    show it, ``runs show`` said no folder matched, ``--resume latest`` said 'no runs yet'."""
    for look in (lambda: os.lstat(path / "meta.json"), lambda: os.scandir(path).close()):
        try:
            look()
        except PermissionError:
            return True
        except OSError:
            pass
    return False


def made_by_nnlab(folder: Path) -> bool:
    """``folder`` is a run folder nnlab made, as a place to make a new folder in sees it
    (stricter than ``is_run_folder``, which counts any meta.json so that a damaged run is not
    passed over): it holds one of the files only a run folder has (``RUN_FILES`` but
    meta.json, a name any project may use), or a meta.json that is a JSON object naming a
    ``run_id`` and a ``kind``, as nnlab writes it."""
    try:
        if any((folder / name).exists() for name in RUN_FILES if name != "meta.json"):
            return True
        if not (folder / "meta.json").is_file():
            return False
        data = read_at_most(folder / "meta.json", 2**20)
        meta = loads(data) if data is not None else None
    except (OSError, ValueError, DamagedError):
        return False
    return isinstance(meta, dict) and "run_id" in meta and "kind" in meta


def iter_runs(root: Path, halves: bool = False) -> Iterator[RunDir]:
    """Run folders directly under ``root`` (``is_run_folder``), oldest name first. Hidden ones
    are being made or removed (``process.founding``, ``RunDir.remove``); ``halves``: the
    readers of a runs folder (``runs list``, a reference, ``report``) list those a removal
    that stopped part way left (``process.half_removed``), DAMAGED saying so, which
    ``runs remove`` takes (a sweep's trial half removed is MISSING: its resume runs it)."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise RunError(f"{root}: not a folder (a runs folder holds run folders)")
    try:
        entries = sorted(root.iterdir()) if root.is_dir() else []
    except OSError as exc:
        raise RunError(f"{root}: cannot list: {exc.strerror}") from None
    for path in entries:
        shown = not path.name.startswith(".") or (halves and half_removed(path))
        if shown and is_run_folder(path):
            yield RunDir(path)


# One reading's folders as ``describe_folder`` found them: {(path, files): (fingerprint, info)}
_READING: ContextVar[dict[tuple[str, bool], tuple[Any, dict[str, Any]]] | None] = ContextVar(
    "nnlab_reading", default=None
)


@contextmanager
def one_reading() -> Iterator[None]:
    """A block in which ``describe_folder`` reads a folder holding no folder (a training run, a
    sweep's trial) once, for as long as its files stay as they were: each has the inode, size
    and times it had (``_fingerprint``; a writer replaces a file whole or appends to it).
    ``runs list`` reads a sweep's trials for its best trial and for their damage, ``runs show``
    for its table and its damage: each trial once. Nested blocks share the outer one's
    reading."""
    if _READING.get() is not None:
        yield
        return
    token = _READING.set({})
    try:
        yield
    finally:
        _READING.reset(token)


def _fingerprint(path: Path) -> tuple[tuple[Any, ...], ...] | None:
    """Each entry of the folder ``path`` with its inode, size and times; None where it holds a
    folder (what lies below is not told by it) or cannot be listed (read it, to say why)."""
    entries = []
    try:
        with os.scandir(path) as found:
            for entry in found:
                st = entry.stat()  # (a link's target: what a reader reads)
                if stat.S_ISDIR(st.st_mode):
                    return None
                entries.append((entry.name, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    except OSError:
        return None
    return tuple(sorted(entries))


def describe_folder(run: RunDir, files: bool = False, again: bool = True) -> dict[str, Any]:
    """What a listing shows of one folder; a damaged one is ``status: DAMAGED`` with the reason
    (its other fields None), never an exception. ``files``: check every file a command may
    read (``RunDir.check_files``), not only meta.json and summary.json and whatever looks off
    without a parse (``outline.looks_whole``: then every file too). Read as of one state
    of the folder (``RunDir.settled``): a writer moving on meanwhile is no damage. Inside
    ``one_reading``, a folder read before and unchanged since is not read again; ``again``
    False: one the reading will not ask for again (``runs list``'s own rows), not listed
    for that (its files' stat calls were ~7% of a listing)."""
    memo, key = _READING.get() if again else None, (str(run.path), files)
    before = _fingerprint(run.path) if memo is not None else None
    if memo is not None and before is not None and key in memo and memo[key][0] == before:
        return memo[key][1]
    try:
        info = run.settled(lambda: _described(run, files))
    except RunError as exc:
        info = _damaged(exc)
    if memo is not None and before is not None:
        memo[key] = (before, info)
    return info


def _damaged(exc: RunError) -> dict[str, Any]:
    status = error_status(exc)  # (DAMAGED; UNREADABLE: the device failed to read a file)
    return {"meta": None, "summary": {}, "kind": None, "status": status, "reason": str(exc)}


def _described(run: RunDir, files: bool, summary_too: bool = True) -> dict[str, Any]:
    meta = run.meta
    summary = run.summary() if summary_too else {}
    if files or (summary_too and not looks_whole(run, meta)):  # (``outline``: all where off)
        run.check_files()
    return {"meta": meta, "summary": summary, "kind": kind_of(run, meta), "status": status_of(meta)}


def identified(run: RunDir) -> dict[str, Any]:
    """What finding a folder by name or as ``latest`` reads of it: its meta.json (its kind, when
    it started), as ``describe_folder`` gives it, or DAMAGED with why it cannot be read. Its
    other files are the reader's of the folder found: read here, every folder's records were
    read to find one (a second for 500 runs, growing with the runs folder)."""
    try:
        return _described(run, files=False, summary_too=False)
    except RunError as exc:
        return _damaged(exc)


def check_kind(kind: str, option: str = "--kind") -> str:
    """``kind`` if it is one of ``KINDS``, else a ConfigError naming ``option``."""
    if kind not in KINDS:
        raise ConfigError(not_one_of(option, kind, KINDS))
    return kind


def _kinds(kind: str | tuple[str, ...] | None) -> tuple[str, ...] | None:
    return (kind,) if isinstance(kind, str) else kind


class AmbiguousError(RunError):
    """A reference that names more than one folder: ``run '<ref>': ambiguous, <answer>``
    (``answer``: what it names, 'matches 2 runs (a, b)'), which ``<ref>/<trial>`` says of its
    outer part in the same words."""

    def __init__(self, ref: str, answer: str) -> None:
        super().__init__(f"run {ref!r}: ambiguous, {answer}")
        self.ref, self.answer = ref, answer

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # (from a worker process)
        return type(self), (self.ref, self.answer)


def _holds_runs(path: Path) -> bool:
    """``path`` is a folder that holds run folders (a runs folder), not one itself."""
    try:
        return path.is_dir() and not is_run_folder(path) and any(True for _ in iter_runs(path))
    except (OSError, RunError):
        return False


def _no_match(root: Path, ref: str) -> str:
    """A reference no folder matches, and what to try: 'latest' for a misspelling of it
    ('lates', 'Latest', 'lastest'), which was looked up as an id prefix."""
    if _holds_runs(Path(ref)):  # (runs show runs: it said no run matched, or no such folder)
        return (
            f"run {ref!r}: a runs folder (it holds run folders), not a run; its runs: nnlab runs "
            f"list --runs-dir {shlex.quote(ref)}"
        )
    if _is_folder(Path(ref)) or _is_folder(Path(root) / ref):
        return _no_run_in(ref)
    if Path(ref).is_absolute():  # (it said no run folder under the runs folder matches it)
        return f"run {ref!r}: no such folder"
    if back := re.fullmatch(r"latest\s*[-_^]\s*(\d+)", ref.strip().lower()):  # (git's ~)
        return f"run {ref!r}: no run folder under {root} matches (did you mean 'latest~{back[1]}'?)"
    if ref != "latest" and difflib.get_close_matches(ref.lower(), ["latest"], cutoff=0.7):
        return f"run {ref!r}: no run folder under {root} matches (did you mean 'latest'?)"
    return f"run {ref!r}: no run folder under {root} matches (try '{listing(root)}')"


def find_run(
    root: Path,
    ref: str,
    kind: str | tuple[str, ...] | None = None,
    *,
    damaged: bool = False,
    resuming: bool = False,
) -> RunDir:
    """A run by path (as given, or under ``root``), by ``latest``, or by a unique prefix /
    substring of its folder name, among the folders of ``kind`` (any kind when None); failing
    those, a sweep's trial by a unique prefix of its id (the id sweep tables print). The
    folder found is ``usable``: DamagedError naming the first file that is not as nnlab wrote
    it, whichever command asked. ``damaged``: a damaged folder is found too (``runs remove``
    finds one to remove it, ``report`` shows it DAMAGED). ``resuming``: a --resume asks, so a
    folder of another kind is refused naming the command that resumes it."""
    run = _find_run(root, ref, _kinds(kind), damaged)
    _check_kind(run, _kinds(kind), root, damaged, resuming)
    return run if damaged else usable(run)


def usable(run: RunDir) -> RunDir:
    """``run`` if every file a command may read of it is as nnlab wrote it
    (``RunDir.check_files``, as of one state of the folder: ``RunDir.settled``), else
    DamagedError naming the first that is not. The one verdict on "can this folder be used"
    of every command that takes a folder (``find_run``): ``runs show``, ``compare``, each
    ``--resume``, ``--extend``, ``landscape RUN``; ``runs list`` and ``report`` say DAMAGED
    with the same reason. A command that read only the files it needs (``landscape RUN``,
    checkpoint and config) went on with a folder whose records every other one refused."""
    run.settled(run.check_files)
    return run


def _no_run_in(ref: str) -> str:
    """What a reference says of a folder that is there but is no run folder (an lr-scan's
    whose meta.json was removed: it said 'no such folder' of it)."""
    return (
        f"run {ref!r}: a folder, but no run folder: it holds no meta.json, which nnlab writes "
        "in every run folder"
    )


def _is_folder(path: Path) -> bool:
    """``path`` is a folder (False for a name too long to be a path, as ``_is_file``)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    """``path`` is a file (False for a name too long to be a path, as ``is_run_folder``)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _find_run(root: Path, ref: str, kinds: tuple[str, ...] | None, damaged: bool) -> RunDir:
    what = either(kinds) if kinds else "run"
    if not ref.strip():  # (as a prefix, '' matched every folder: the only one was opened)
        raise ConfigError(f"run {ref!r}: names no run; give a folder, an id prefix or 'latest'")
    for as_path in (Path(ref), Path(root) / ref):
        if is_run_folder(as_path):  # (a ref too long to be a path is a name to match)
            run = RunDir(as_path)
            return run
        if _is_file(as_path) and is_run_folder(as_path.parent):  # (its config.yaml, by TAB:
            # "'config.yaml' names no folder inside runs/<run> (give a trial's id, ...)")
            raise RunError(f"run {ref!r}: a file of the folder {as_path.parent}; give the folder")
    if "/" in ref or ref.startswith("."):  # (a path: a folder there is no name to match)
        if any(_is_folder(p) and not _holds_runs(p) for p in (Path(ref), Path(root) / ref)):
            raise RunError(_no_run_in(ref))
    found = [(run, identified(run)) for run in iter_runs(check_root(root), halves=True)]
    back = LATEST.fullmatch(ref)
    if back is not None:  # (latest~1: the one before it, as git's HEAD~1)
        return _latest(root, found, kinds, what, int(back[1] or 0))
    if "/" in ref.strip("/") and not ref.startswith((".", "/")):  # (as tables print a trial)
        return _nested_ref(root, ref.strip("/"), kinds, damaged)
    matches = [rd for rd in found if rd[0].id.startswith(ref)] or [
        rd for rd in found if ref in rd[0].id
    ]
    if kinds is not None and len(matches) > 1:
        matches = [rd for rd in matches if rd[1]["kind"] in kinds or rd[1]["meta"] is None]
    if not matches:
        trials = _nested_named([run for run, _ in found], ref)
        if len(trials) == 1:
            return trials[0]
        if len(trials) > 1:
            names = ", ".join(str(t.path.relative_to(root)) for t in trials[:5])
            names += ", ..." if len(trials) > 5 else ""
            raise AmbiguousError(
                ref,
                f"names {counted(len(trials), 'folder')} inside sweeps or tunes ({names}); give one",
            )
        raise RunError(_no_match(root, ref))
    if len(matches) > 1:
        names = ", ".join(r.id for r, _ in matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise AmbiguousError(ref, f"matches {counted(len(matches), 'run')} ({names})")
    return matches[0][0]


def trial_sweeps(run: RunDir) -> list[RunDir]:
    """The sweep folders whose trials ``run`` holds: ``run`` itself when it is a sweep (it has
    a sweep.yaml), then a tune's rounds by name: the folders under its ``rounds/`` and every
    round its tune.json records, there or not (``absent_round``: MISSING). Every reader that
    says which trials of a folder are DAMAGED or MISSING starts here, so a folder of any kind
    that holds trials is covered. RunError if ``rounds/`` or tune.json cannot be read."""
    own = [run] if run.file("sweep.yaml").exists() else []
    found = {r.path for r in iter_runs(run.file(ROUNDS))}
    found.update(run.path / entry["sweep"] for entry in run.rounds() if "sweep" in entry)
    return own + [RunDir(path) for path in sorted(found)]


def absent_round(folder: RunDir) -> str | None:
    """Why a round of ``trial_sweeps`` is MISSING (None when its folder is there)."""
    if os.path.lexists(folder.path):
        return None
    return f"{folder.path}: no run folder there; the tune's tune.json records this round"


def trial_folders(run: RunDir) -> list[Path]:
    """The folders under a sweep's ``trials/``, by id (none for a folder that is no sweep, or
    whose trials cannot be listed); a hidden one is none (one being removed: ``RunDir.remove``)."""
    folder = run.file(TRIALS)
    try:
        found = folder.iterdir() if folder.is_dir() else []
        return sorted(p for p in found if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def unplanned_folders(run: RunDir, planned: list[str]) -> list[Path]:
    """The folders under the sweep's ``trials/`` that its sweep.yaml plans no trial for: a
    trial id edited in (or a trial dropped from) sweep.yaml, a folder renamed or moved in.
    Each is damage in every reader: it was passed over, so a sweep whose plan lost a trial
    was shown, compared and resumed as if it never had it."""
    ids = set(planned)
    return [p for p in trial_folders(run) if p.name not in ids]


def unplanned(path: Path) -> str:
    """Why the trial folder ``path`` (``unplanned_folders``) is DAMAGED."""
    return (
        f"{path}: a trial folder sweep.yaml plans no trial for (sweep.yaml edited, or a folder "
        "renamed or moved in?)"
    )


def nested_folders(run: RunDir) -> Iterator[RunDir]:
    """The run folders inside ``run``: a sweep's trials; a tune's rounds and their trials
    (``trial_sweeps``; a ``trials/`` without the sweep.yaml too). Of a folder whose tune.json
    cannot be read, its own ``trials/`` only."""
    try:
        sweeps = [s for s in trial_sweeps(run) if s.path != run.path]
    except RunError:
        sweeps = []
    for folder in [run, *sweeps]:
        if folder.path != run.path and _with_meta(folder.path):
            yield folder
        yield from (RunDir(p) for p in trial_folders(folder) if _with_meta(p))


def _with_meta(folder: Path) -> bool:
    """Whether ``folder`` holds a meta.json, or cannot be looked into (``_closed``: its
    reader says so, where asking raised PermissionError)."""
    return os.path.lexists(folder / "meta.json") or _closed(folder)


def _nested_named(runs: list[RunDir], ref: str, shortest: int = 4) -> list[RunDir]:
    """The folders inside ``runs`` (``nested_folders``) that ``ref`` names: a trial by a prefix
    of its id, a tune's round as a top folder is named (a prefix or a part of its name) or by
    its round name (``r2``: its folder is ``<stamp>-sweep-<name>-r2-<id>``); nothing for a
    path, or for any other ``ref`` shorter than ``shortest`` (among every folder's, 4
    characters: a trial id is a hash)."""
    if "/" in ref or "\\" in ref:
        return []
    round_name = re.fullmatch(r"r[1-9][0-9]*", ref) is not None  # (exactly: r1 is not r10)
    if len(ref) < shortest and not round_name:
        return []
    named = []
    for run in runs:
        for folder in nested_folders(run):
            if folder.path.parent.name == TRIALS:
                hit = not round_name and folder.id.startswith(ref)
            elif round_name:
                hit = f"-{ref}-" in folder.id
            else:
                hit = folder.id.startswith(ref) or ref in folder.id
            if hit:
                named.append(folder)
    return named


def _nested_ref(root: Path, ref: str, kinds: tuple[str, ...] | None, damaged: bool) -> RunDir:
    """``<outer>/<inner>``: the folder ``inner`` names (``_nested_named``) inside the one
    ``outer`` names: the form runs compare and the report print a sweep's trial in. ``outer``
    is only where to look, found whatever its files hold (the folder found is checked, as every
    one is: ``find_run``), as a trial named by its id alone is: a sweep whose summary.json was
    damaged was said to be 'no run folder', and its sound trials could not be named so."""
    outer, inner = ref.rsplit("/", 1)
    try:
        parent = _find_run(root, outer, None, damaged=True)
    except AmbiguousError as exc:  # (it said 'no such folder', where 'outer' alone said this)
        raise AmbiguousError(ref, f"{outer!r} {exc.answer}") from None
    except RunError:  # (a path that is not there, most likely: name the whole of it)
        raise RunError(
            f"run {ref!r}: no such folder, and {outer!r} names no run folder under {root}"
        ) from None
    named = _nested_named([parent], inner, shortest=1)
    if len(named) != 1:
        what = "no folder" if not named else f"{counted(len(named), 'folder')}"
        raise RunError(
            f"run {ref!r}: {inner!r} names {what} inside {parent.path} "
            "(give a trial's id, or a round's name)"
        )
    return named[0]


def _latest(
    root: Path,
    found: list[tuple[RunDir, dict[str, Any]]],
    kinds: tuple[str, ...] | None,
    what: str,
    back: int = 0,
) -> RunDir:
    """The newest folder of ``kinds`` (``back`` > 0: the one ``back`` before it, by start); a
    damaged folder that may be the newest (its files say it is of such a kind, and its name is
    newer) is reported, not skipped for an older one."""
    healthy = [(r, d) for r, d in found if d["meta"] is not None]
    fitting = [(r, d) for r, d in healthy if kinds is None or d["kind"] in kinds]
    # (by the instant it started, not its text: each is in the zone it was written in)
    fitting.sort(key=lambda rd: (instant(rd[1]["meta"].get("started")), rd[0].id), reverse=True)
    best = fitting[0][0] if fitting else None
    damaged = [
        info["reason"]
        for run, info in found
        if info["meta"] is None
        and not half_removed(run.path)  # (what is left of a folder removed: not a run's)
        and (kinds is None or _kind_by_files(run) in (*kinds, ANY))
        and (best is None or run.id > best.id)
    ]
    if damaged:
        raise DamagedError(f"{damaged[-1]} ('latest' may mean this {what} folder: fix or name it)")
    if best is None:
        others = only_others(healthy)
        plain = kinds in (None, ("train",)) and not others
        none = "no runs yet" if plain else f"no {what} folders yet"
        raise RunError(f"{root}: {none}{others}{itself_a_run(root)}")
    if back >= len(fitting):
        raise RunError(
            f"run 'latest~{back}': the {what} folder {back} before the latest, but {root} "
            f"holds only {counted(len(fitting), f'{what} folder')}"
        )
    return fitting[back][0]


LATEST = re.compile(r"latest(?:~(\d{1,6}))?")  # a reference to the newest folder, or before it


def _kind_by_files(run: RunDir) -> str | None:
    """What a folder whose meta.json cannot be read was, as far as its files tell (``ANY``:
    they cannot be looked at, no permission: it may be of any kind)."""
    for name, kind in (("sweep.yaml", "sweep"), ("tune.json", "tune"),
                       ("landscape.h5", "landscape"), ("checkpoint.npz", "train")):  # fmt: skip
        try:
            os.stat(run.file(name))
        except FileNotFoundError:
            continue
        except PermissionError:
            return ANY
        except OSError:
            continue
        return kind
    return None


ANY = "?"  # (``_kind_by_files`` of a folder that cannot be looked into)


def _check_kind(
    run: RunDir,
    kinds: tuple[str, ...] | None,
    root: Path,
    damaged: bool = False,
    resuming: bool = False,
) -> None:
    """DamagedError if ``run``'s meta cannot be read (unless ``damaged``, and any kind will
    do); RunError if it is another kind: the hint lists ``root``'s folders of the kind
    wanted, and names the command that takes the folder given (``taken_by``)."""
    if damaged and kinds is None:
        return
    kind = run.kind
    if kinds is not None and kind not in kinds:
        wanted = either(kinds)
        raise RunError(
            f"{run.path}: {article(kind)} {kind} folder; this command needs {article(wanted)} {wanted} "
            f"folder ({listing(root, kinds[0])}); {taken_by(run.path, kind, kinds, resuming)}"
        )
