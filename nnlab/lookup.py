"""Finding one run folder by reference: a path, an id prefix or part of a folder's name,
``latest`` (``latest~N``: the one N before it), a sweep's trial by its id or a tune's round by
its name (``<outer>/<inner>`` too), of the kinds a command takes, checked whole before it is
used (``find_run``, ``usable``). What it says where it finds none: ``nnlab.lookup_hints``.
Reading only (``nnlab.runs`` owns writing and re-exports this, the run-folder API being one).

Which folders are run folders: ``nnlab.runfolders``; what a listing reads of one:
``nnlab.describe``; the folders inside one: ``nnlab.nested``. ``nnlab.runs`` and
``experiments.listing`` import their names here, re-exported below."""

from __future__ import annotations

import difflib
import os
import re
import shlex
from pathlib import Path
from typing import Any

from nnlab import process
from nnlab.describe import identified
from nnlab.errors import ConfigError, RunError, not_one_of
from nnlab.fileio import DamagedError
from nnlab.lookup_hints import article, listing, only_others, taken_by
from nnlab.nested import nested_folders
from nnlab.output import counted, either
from nnlab.process import half_removed
from nnlab.rundir import KINDS, RunDir
from nnlab.runfolders import check_root, is_run_folder, iter_runs, itself_a_run
from nnlab.times import instant
from nnlab.trialfolders import TRIALS


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
    tail = re.fullmatch(r"\s*latest\s*~(.*)", ref, re.IGNORECASE)
    if tail and re.fullmatch(r"[0-9]{1,6}", tail[1]):  # (LATEST~1, ' latest~1')
        return f"run {ref!r}: no run folder under {root} matches (did you mean 'latest~{tail[1]}'?)"
    if tail and ref != "latest~":
        return (  # (latest~abc, latest~-1, latest~1.5: 'did you mean 'latest'?'; ~10**20: 'try
            # nnlab runs list'; latest~١ was read as latest~1)
            f"run {ref!r}: latest~N takes N, a whole number of folders back from 0 to 999,999 "
            f"in digits 0-9, got {tail[1]!r} (latest~1: the one before the latest)"
        )
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


def last_ended() -> tuple[Path, str] | None:
    """The folder this process's lifecycle let go of last (``process.ended``: a command's, as
    it prints its result; a resume's, let go before its work began) and its status as it reads
    now; None if none was, or it cannot be read now (nothing sure to say of it). What a stop
    signal that came after the folder ended names: 'interrupted (SIGTERM): <run> is
    COMPLETED'."""
    if not process.ended:
        return None
    try:
        return process.ended[-1], RunDir(process.ended[-1]).status
    except Exception:  # (the folder unreadable meanwhile)
        return None


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
        if ref.strip("/").count("/") >= MAX_PARTS:  # (each part was a call deeper: a ref of
            raise RunError(  # 2,000 parts said 'unexpected RecursionError', exit 1)
                f"run {ref!r}: no such folder, and no folder inside one: a folder inside "
                f"another is named in at most {MAX_PARTS} parts (<tune>/<round>/<trial>: 3)"
            )
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


MAX_PARTS = 4  # of a reference to a folder inside another (<tune>/<round>/<trial>: 3)
LATEST = re.compile(r"latest(?:~([0-9]{1,6}))?")  # a reference to the newest folder, or before it


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
