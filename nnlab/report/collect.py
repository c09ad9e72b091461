"""Read run folders for the report: the one module of the report that touches ``nnlab.runs``.

Every folder is read through ``runs``' public API (``iter_runs``, ``find_run``, ``RunDir.meta``,
``.status``, ``.summary()``, ``.metrics()``, ``.config()``, ``.check_checkpoint()``,
``.check_landscape()``, ``.read_json``, ``.file``) into a plain :class:`Entry`, so the report sees a folder as every
command does: the same checks (``RunDir``'s: a torn last line of ``metrics.jsonl`` dropped, any
other damage a ``DamagedError`` naming the file; a summary value not of its key's kind) and the
same read-time statuses (STALE; a sweep's trial PENDING or MISSING by ``runs.absent_trial``, a
tune's round MISSING by ``runs.absent_round``).
Whatever goes wrong while reading one folder (a ``DamagedError`` or other ``NnlabError``, an
``OSError``, anything else a damaged file makes a reader raise) makes that folder a ``DAMAGED`` entry that says why;
it never stops the build.

Folders without a ``meta.json`` (``gradcheck --compare-differences`` writes one) are listed from
the runs root and read as kind ``other``: their JSON files and figures.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nnlab import runs
from nnlab.errors import NnlabError, OptionError, RunError
from nnlab.fileio import instead, unwritable
from nnlab.filestate import dead_link, leads_nowhere
from nnlab.process import REMOVING, half_removed
from nnlab.report import salvage
from nnlab.report.figures import fault, png_size

DEFAULT_ROOT = runs.DEFAULT_ROOT
MISSING = runs.MISSING  # a sweep's trial (a tune's round) it recorded, whose folder is gone
UNREADABLE = runs.UNREADABLE  # a folder a file of which the device failed to read (EIO)
UNUSABLE = runs.UNUSABLE  # DAMAGED or UNREADABLE: no page of its kind can be drawn
MARKER = ".nnlab-report"  # written into a report folder, so a build never reads a report as a run
FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".gif")
MAX_JSON_BYTES = 2_000_000  # larger JSON files (a long optimizer path) are listed, not read
SKIPPED_JSON = ("meta.json", "summary.json")
# the kind of what a removal that stopped part way left (``.<run>.removing``: DAMAGED, saying
# so); it read 'other', named '.<run>.removing', its page '<run>.removing-2'
HALF_REMOVED = "half removed"
STAMP = re.compile(r"^\d{8}-\d{6}-")  # the time stamp run folders start with


@dataclass
class Entry:
    """What the report knows of one folder (a run, a sweep, a trial, or any other folder)."""

    rel: str  # the folder's path under the runs root, "/"-separated; also its page's folder
    path: Path
    kind: str = "other"
    status: str = "-"
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    config_text: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)
    # (a DAMAGED run's records that read where its records could not be: its curves alone,
    # ``salvage``; and the lines of its metrics.jsonl that did not)
    readable: list[dict[str, Any]] = field(default_factory=list)
    unread: list[int] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)  # in the folder or below it
    sizes: dict[Path, tuple[int, int, float]] = field(default_factory=dict)  # PNG (w, h, dpi)
    files: dict[str, Any] = field(default_factory=dict)  # other JSON files by name
    sweep: dict[str, Any] = field(default_factory=dict)  # sweep.yaml
    trials: list[Entry] = field(default_factory=list)
    parent: str | None = None  # rel of the sweep or tune a trial belongs to
    damage: str | None = None  # why the folder could not be read (DAMAGED), or is gone (MISSING)
    not_applying: frozenset[str] = frozenset()  # swept keys the trial leaves out (``left_out``)
    modified: str | None = None  # folder time, for folders without meta.json
    where: str = ""  # the folder's path under the runs root, where its page's (rel) is not it
    made: list[Entry] = field(
        default_factory=list
    )  # folders made from this run (``pages.sources``)
    # a tune's rounds, each a sweep folder read (its trials are the tune's: ``round_view``)
    rounds: list[Entry] = field(default_factory=list)
    unfit: list[str] = field(default_factory=list)  # figures left out: '<name>: <why>'
    # (its curves, computed once a build: ``facts.curves_of``)
    drawing: Any = field(default=None, compare=False, repr=False)

    @property
    def error(self) -> str | None:
        """The error the run recorded (FAILED), or why it could not be read (DAMAGED)."""
        return self.damage or self.meta.get("error")

    @property
    def values(self) -> dict[str, Any]:
        """A trial's swept values (empty for anything else), without the keys that do not
        apply to it (``not_applying``: the sweep's tables spell them ``-``, not ``null``)."""
        trial = self.meta.get("trial")
        values = trial.get("values") if isinstance(trial, dict) else None
        if not isinstance(values, dict):
            return {}
        return {k: v for k, v in values.items() if k not in self.not_applying}


# --- which folders ------------------------------------------------------------------------------
def collect(
    refs: Sequence[str],
    runs_dir: Path,
    exclude: Path | None = None,
    vanished: list[str] | None = None,
    read: Callable[[Path, str], Entry] | None = None,
    paths: Sequence[Path] | None = None,
) -> list[Entry]:
    """Entries for ``refs`` (paths, id prefixes, ``latest``), or for every folder under
    ``runs_dir`` (oldest first) when there are none. An unknown ref is a ``RunError``. A
    folder gone as it was read (removed or renamed meanwhile) is no entry, and is added to
    ``vanished`` (its rel): it was shown DAMAGED, 'FileNotFoundError: No such file or
    directory'. ``read``: how a folder is read (``read_folder``; a rebuild's keeps what has
    not changed, ``reuse.Reuse.read``); ``paths``: ``folders(refs, runs_dir)``, if the caller
    has them (listing 300 runs took a sixth of a rebuild of them unchanged)."""
    runs_dir = Path(runs_dir)
    paths = folders(refs, runs_dir) if paths is None else paths
    # (realpath, not Path.resolve: a link in a loop, listed DAMAGED, is its own path; resolve
    # raised RuntimeError 'Symlink loop' and the report failed whole)
    skip = Path(os.path.realpath(exclude)) if exclude is not None else None
    root = Path(os.path.realpath(runs_dir))
    entries: list[Entry] = []
    seen: set[Path] = set()
    taken: set[str] = set()  # (the rels so far, kept as it grows: a set made anew for each
    # folder from every entry before it took 0.85 s of a 2,000-run build, 21 s at 10,000)
    for path in paths:
        resolved = _real(path)
        if resolved == skip or resolved in seen:
            continue
        seen.add(resolved)
        rel = _rel(resolved, root, taken)
        entry = (read or read_folder)(path, rel)
        try:
            entry.where = resolved.relative_to(root).as_posix()
        except ValueError:
            entry.where = resolved.name
        if entry.status == "DAMAGED" and not os.path.lexists(path):
            if vanished is not None:
                vanished.append(rel)
            continue
        taken.add(rel)
        entries.append(entry)
    return entries


def folders(refs: Sequence[str], runs_dir: Path) -> list[Path]:
    """The folders ``refs`` name, or every folder under ``runs_dir``: nothing is read yet. An
    unknown ref, or no runs folder, is a ``RunError``."""
    runs_dir = Path(runs_dir)
    return [_resolve(ref, runs_dir) for ref in refs] if refs else _all_folders(runs_dir)


def check_out(out: Path, option: str = "--out") -> None:
    """Where a report goes, checked before any folder is read (as every output path is,
    ``fileio.check_output``): a folder that is not there yet follows every command's rules
    for a new one (``runs.location``: one plain folder name, in a folder that exists and can
    be written); an existing folder is a report rebuilt in place, so it must be one (or empty)
    and take new files. ``option``: how errors name it (``--report``: ``<runs-dir>/report``).
    Each refusal is an OptionError said as every output path's is."""
    if (dead := dead_link(out)) is not None:
        raise OptionError(option, f"{dead}; {instead(option)}")
    if not os.path.isdir(out):
        if os.path.lexists(out):  # (False for a name too long to be a file's: refused below)
            raise OptionError(option, f"'{out}' exists and is not a folder; {instead(option)}")
        runs.location(out.parent, out, option)
        return
    if any(out.iterdir()) and not (out / MARKER).exists():
        raise OptionError(
            option, f"'{out}': folder is not empty and not an nnlab report (no {MARKER}); "
            f"{instead(option)}",
        )  # fmt: skip
    if (why := unwritable(out)) is not None:
        raise OptionError(
            option, f"'{out}': cannot write in folder '{out}' ({why}); {instead(option)}"
        )


def _resolve(ref: str, runs_dir: Path) -> Path:
    """The folder ``ref`` names, as ``runs show`` finds it (``find_run``): a DAMAGED run too,
    but not a folder that holds none of a run's files (``nnlab report /`` wrote a report of one
    row, 'no run folder', and exited 0), nor a runs folder given where a run goes."""
    if ref.strip() and Path(ref).is_dir():
        if _a_runs_folder(Path(ref)):  # (a report of one folder 'without meta.json', written
            import shlex  # into ./runs/report)

            raise OptionError(
                "REFS",
                f"'{ref}': a runs folder (it holds run folders), not a run; for the "
                f"report of its runs give --runs-dir {shlex.quote(ref)}",
            )
    return runs.find_run(runs_dir, ref, damaged=True).path  # (and one named: shown DAMAGED)


def _all_folders(runs_dir: Path) -> list[Path]:
    """Run folders (``iter_runs``) and the other folders beside them, by name; hidden folders and
    report folders left out. A runs folder that is not there is a RunError (a mistyped
    --runs-dir: no empty report there)."""
    found = {run.path for run in runs.iter_runs(runs.check_root(runs_dir), halves=True)}
    found.update(
        p
        for p in runs_dir.iterdir()
        if p.is_dir() and not p.name.startswith(".") and not _a_report(p)
    )
    return sorted(found, key=lambda p: p.name)


def a_run_folder(path: Path) -> bool:
    """Whether ``path`` is a run folder, as ``runs list`` lists them (``runs.is_run_folder``;
    a DAMAGED one too), not another folder the report shows beside them. (A wrapper with a
    reason: the report reaches the run lifecycle through this module alone,
    tests/report/test_boundaries.py.)"""
    return runs.is_run_folder(path)


def _a_runs_folder(folder: Path) -> bool:
    """Whether ``folder`` is no run folder but holds some (``nnlab report r`` for ``--runs-dir
    r``); a folder that cannot be looked into is not said to be one."""
    if runs.is_run_folder(folder):
        return False
    try:
        return next(iter(runs.iter_runs(folder)), None) is not None
    except (RunError, OSError):
        return False


def _a_report(folder: Path) -> bool:
    """Whether ``folder`` is a report (its ``MARKER``); a folder that cannot be looked into is
    not known to be one, and is shown as what it is: a report stopped at it, exit 1."""
    try:
        return (folder / MARKER).exists()
    except OSError:
        return False


def _real(path: Path) -> Path:
    """Where the folder at ``path`` is: a link's target, but a link that leads nowhere is
    itself (its page named as ``runs list`` names it, not after the target that is gone)."""
    if leads_nowhere(path):
        return Path(os.path.realpath(path.parent)) / path.name
    return Path(os.path.realpath(path))


def _rel(resolved: Path, root: Path, taken: set[str]) -> str:
    """The report path of the folder at ``resolved`` (under the resolved runs folder ``root``),
    not one of ``taken`` and not hidden or ``_``-prefixed (the assets' folder)."""
    try:
        rel = resolved.relative_to(root).as_posix()
    except ValueError:
        rel = resolved.name
    rel = rel if rel not in ("", ".") else "runs"
    # (a hidden folder's page is its name without the dot, numbered only where that is taken:
    # '.<run>.removing' was '<run>.removing-2')
    candidate, n = rel.lstrip("_.") or rel, 2
    while candidate in taken or candidate.startswith(("_", ".")):
        candidate, n = f"{rel.lstrip('_.')}-{n}", n + 1
    return candidate


# --- one folder ---------------------------------------------------------------------------------
def read_folder(path: Path, rel: str, parent: str | None = None) -> Entry:
    """An :class:`Entry` for the folder at ``path``; DAMAGED (with the reason) if it cannot be read."""
    run = runs.RunDir(path)
    # (named as a readable folder is until read: a DAMAGED one's name without its time stamp)
    name = run.id if parent is not None else _name(run.id, {})
    entry = Entry(rel=rel, path=path, name=name, parent=parent)
    entry.kind = "trial" if parent is not None else entry.kind  # also when it cannot be read
    try:
        if runs.is_run_folder(path):  # (its meta.json may be missing: DAMAGED, as listed)
            _read_run(run, entry)
        else:
            _read_other(run, entry)
    except Exception as exc:  # any failure to read one folder: report it, build the rest
        unread = isinstance(exc, RunError) and runs.error_status(exc) == UNREADABLE
        entry.status, entry.damage = UNREADABLE if unread else "DAMAGED", reason(exc)
        if not entry.records:  # (its curves as far as they read: a page without any said less)
            read = salvage.readable(run.file("metrics.jsonl"))
            entry.readable, entry.unread = read.records, read.unread
    if half_removed(path) and parent is None:  # (what a `runs remove` that stopped left)
        entry.kind, entry.name = HALF_REMOVED, _name(path.name[1 : -len(REMOVING)], {})
    try:
        entry.figures = _figures(run.path)
    except OSError:
        entry.figures = []
    if entry.kind == "tune":  # each round is a sweep folder with a figure of its own
        with contextlib.suppress(OSError, RunError):  # (a rounds/ that is a file: its damage
            # is the tune's; it failed the whole report, exit 2, 'not a folder')
            rounds = runs.iter_runs(run.file(runs.ROUNDS))
            entry.figures += [f for r in rounds for f in _figures(r.path)]
    _sift(entry)
    return entry


def _sift(entry: Entry) -> None:
    """Leave out the entry's figures that cannot be trusted to show (``figures.fault``: not a
    PNG, cut short), each named with why in ``unfit``, and record the others' sizes."""
    faults = {p: why for p in entry.figures if (why := fault(p)) is not None}
    entry.unfit = [f"{p.relative_to(entry.path).as_posix()}: {why}" for p, why in faults.items()]
    entry.figures = [p for p in entry.figures if p not in faults]
    entry.sizes = {p: size for p in entry.figures if (size := png_size(p)) is not None}


def _figures(folder: Path) -> list[Path]:
    """The folder's figures: regular files with a figure's suffix, not symlinks (a
    ``curves.png`` linking to /etc/passwd was copied into the report, which is made to be
    shared; nnlab writes figures as files)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in FIGURE_SUFFIXES and not p.is_symlink() and p.is_file()
    )


def reason(exc: BaseException) -> str:
    """One line saying what went wrong: nnlab's errors and ``Damaged`` as they are (they name
    the file), others with their type (an OSError with its reason, not the path again)."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).strip()
    text = text.splitlines()[0] if text else ""
    if isinstance(exc, (NnlabError, Damaged)) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Damaged(ValueError):
    """A folder's file that cannot be read as the report needs it; the message names the file."""


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Any failure inside, but nnlab's own errors (which name the file), becomes ``Damaged``
    naming ``path``."""
    try:
        yield
    except (NnlabError, Damaged):
        raise
    except Exception as exc:  # whatever a damaged file makes a reader raise
        raise Damaged(f"{path}: {reason(exc)}") from None


def _read_run(run: runs.RunDir, entry: Entry) -> None:
    with _reading(run.file("meta.json")):
        meta = run.meta
        if not isinstance(meta, dict):
            raise Damaged(f"{run.file('meta.json')}: expected a JSON object, got {_kind(meta)}")
        entry.meta, entry.status = meta, str(run.status)
    if entry.parent is not None or "trial" in meta:  # a sweep's trial, whatever its meta says
        entry.kind = "trial"
    else:
        entry.kind = str(meta.get("kind") or "train")
    entry.name = run.id if entry.kind == "trial" else str(meta.get("name") or _name(run.id, meta))
    with _reading(run.file("metrics.jsonl")):
        entry.records = _records(run)
    # (the reader's checks: a value not of its key's kind, or not its records', is damage)
    entry.summary = run.summary(entry.records)
    run.check_present()  # (a finished run without its summary, records without a config)
    if run.file("config.yaml").exists():
        with _reading(run.file("config.yaml")):
            entry.config = run.config() or {}
            entry.config_text = run.text("config.yaml") or ""
    run.check_checkpoint()  # (not shown, but a truncated one is damage, as runs list says)
    run.check_landscape()  # (the same: its figures are shown, not its arrays)
    run.result()  # (shown with its other JSON files, checked as every reader checks it)
    entry.files = _other_json(run)
    if run.file("sweep.yaml").exists():
        with _reading(run.file("sweep.yaml")):
            entry.sweep = run.config("sweep.yaml") or {}
    entry.trials = _held_trials(run, entry)
    if entry.kind in ("sweep", "tune"):
        _counts_now(entry)


AT_END = ("counts",)  # what a sweep's meta.json records of its trials at its end


def _counts_now(entry: Entry) -> None:
    """A sweep's or tune's counts of its trials by status as its trials say now (``trials``:
    read from their folders), where its summary.json holds them as of its end (a sweep's
    ``counts``, a tune's ``trials``): a trial completed since by ``train --resume``, or
    removed, counts as it is. meta.json's counts, of the end too, are left out."""
    now: dict[str, int] = {}
    for trial in entry.trials:
        now[trial.status] = now.get(trial.status, 0) + 1
    if isinstance(entry.summary.get("counts"), dict):
        entry.summary = {**entry.summary, "counts": now}
    if isinstance(entry.summary.get("trials"), dict):  # (a tune's counts)
        entry.summary = {**entry.summary, "trials": now}
    entry.meta = {k: v for k, v in entry.meta.items() if k not in AT_END}


def _read_other(run: runs.RunDir, entry: Entry) -> None:
    entry.files = _other_json(run)
    entry.summary = run.summary()
    entry.name = _name(run.id, {})
    stamp = dt.datetime.fromtimestamp(run.path.stat().st_mtime).astimezone()
    entry.modified = stamp.isoformat(timespec="seconds")


def _name(folder: str, meta: dict[str, Any]) -> str:
    """A name for a folder whose meta has none: its kind and subject (``compare-optimizers
    book``, ``gradcheck affine2.W``: the parameter a ``--compare-differences`` checked; every
    one was 'gradcheck-differences-<id>', cut in the index's name column to
    'gradcheck-differences-18…', rows told apart by nothing but a title), else the folder name
    without its time stamp."""
    subject = meta.get("function") or meta.get("dataset") or meta.get("param")
    if meta.get("kind") and isinstance(subject, str):
        return f"{meta['kind']} {subject}"
    return STAMP.sub("", folder) or folder


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _records(run: runs.RunDir) -> list[dict[str, Any]]:
    records = run.metrics()
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise Damaged(f"{run.file('metrics.jsonl')}: line {i} is not a JSON object")
    return records


def _other_json(run: runs.RunDir) -> dict[str, Any]:
    """The folder's other JSON files by name (a file too large to show maps to None)."""
    out: dict[str, Any] = {}
    for path in sorted(run.path.glob("*.json")):
        if path.name in SKIPPED_JSON or not path.is_file():
            continue
        with _reading(path):
            too_big = path.stat().st_size > MAX_JSON_BYTES
            out[path.name] = None if too_big else run.read_json(path.name)
    return out


# --- trials -------------------------------------------------------------------------------------
def _held_trials(run: runs.RunDir, entry: Entry) -> list[Entry]:
    """The trials of every sweep folder ``run`` holds (``runs.trial_sweeps``, as ``runs list``
    reads them: itself if a sweep, a tune's rounds), each round's under
    ``rounds/<sweep>/trials/<id>``, all with ``entry`` as their parent. A round folder that
    cannot be read is a DAMAGED entry among them, saying why, and one tune.json records that
    is gone a MISSING entry (``runs.absent_round``)."""
    with _reading(run.file(runs.ROUNDS)):
        held = runs.trial_sweeps(run)
    out = []
    for folder in held:
        if folder.path == run.path:
            out += _sweep_trials(folder, entry.rel, entry.summary, entry.sweep, entry.rel)
            continue
        rel = f"{entry.rel}/{runs.ROUNDS}/{folder.id}"
        if (gone := runs.absent_round(folder)) is not None:
            out.append(Entry(rel, folder.path, kind="sweep", status=MISSING, name=folder.id,
                             parent=entry.rel, damage=gone))  # fmt: skip
            continue
        try:
            folder.meta  # noqa: B018 (reading it is the check)
            summary = folder.summary()
            with _reading(folder.file("sweep.yaml")):
                planned = folder.config("sweep.yaml") or {}
        except Exception as exc:  # (as any folder that cannot be read: a DAMAGED entry)
            out.append(Entry(rel, folder.path, kind="sweep", status="DAMAGED", name=folder.id,
                             parent=entry.rel, damage=reason(exc)))  # fmt: skip
            continue
        trials = _sweep_trials(folder, rel, summary, planned, entry.rel)
        out += trials
        entry.rounds.append(_round(folder, rel, entry.rel, summary, planned, trials))
    return out


def _round(
    folder: runs.RunDir,
    rel: str,
    parent: str,
    summary: dict[str, Any],
    sweep: dict[str, Any],
    trials: list[Entry],
) -> Entry:
    """A tune's round read (its sweep folder at ``rel``): what its page shows but its trials,
    which are the tune's (``round_view`` gives them back; kept once in a rebuild's record)."""
    meta = folder.meta
    name = str(meta.get("name") or _name(folder.id, meta))
    entry = Entry(rel, folder.path, kind="sweep", status=str(folder.status), name=name,
                  meta=meta, summary=summary, sweep=sweep, trials=trials, parent=parent,
                  figures=_figures(folder.path))  # fmt: skip
    _sift(entry)
    _counts_now(entry)
    entry.trials = []
    return entry


def round_view(tune: Entry, round_: Entry) -> Entry:
    """``round_`` of ``tune`` with its trials (those of the tune's under its folder)."""
    trials = [t for t in tune.trials if t.rel.startswith(f"{round_.rel}/")]
    return replace(round_, trials=trials)


def _sweep_trials(
    run: runs.RunDir, rel: str, summary: dict[str, Any], sweep: dict[str, Any], parent: str
) -> list[Entry]:
    """The trials of the sweep folder ``run`` (at ``rel``; its ``summary`` and ``sweep.yaml``)
    in sweep.yaml's order (PENDING without a folder, or MISSING if the sweep recorded it:
    ``runs.absent_trial``), then any others, DAMAGED (``runs.unplanned``)."""
    folders = {r.id: r.path for r in runs.iter_runs(run.file(runs.TRIALS))}
    rows = summary.get("trials")
    recorded = {r.get("trial"): r for r in rows} if isinstance(rows, list) else {}
    planned = sweep.get("trials") or []
    out = []
    for item in planned if isinstance(planned, list) else []:
        tid = str(item.get("id")) if isinstance(item, dict) else None
        if tid is None:
            continue
        trial_rel = f"{rel}/trials/{tid}"
        if tid in folders:
            out.append(_planned_trial(run, read_folder(folders.pop(tid), trial_rel, parent), item))
        else:
            path = run.file(runs.TRIALS) / tid
            out.append(_pending(path, trial_rel, parent, item, recorded.get(tid)))
    for tid, path in folders.items():  # (none that sweep.yaml plans: damage, as listed)
        entry = read_folder(path, f"{rel}/trials/{tid}", parent)
        entry.status, entry.damage = "DAMAGED", runs.unplanned(path)
        out.append(entry)
    left_out = _left_out(sweep.get("spec"))
    for entry in out:
        entry.not_applying = left_out(entry.values)
    return out


def _left_out(spec: Any) -> Callable[[dict[str, Any]], frozenset[str]]:
    """The swept keys a trial's values leave out, of the sweep whose sweep.yaml has ``spec``:
    those the sweep's own tables leave out of its row (``sweep.table_rows``: a null of a key
    that does not apply to it, ``optimizer.momentum`` in an sgd trial), judged by that one
    rule, not a copy of it; none where the spec cannot be read."""
    from nnlab.sweep import table_rows
    from nnlab.sweep.spec import parse_spec

    try:
        parsed = parse_spec(spec)
    except NnlabError:
        return lambda values: frozenset()
    return lambda values: frozenset(values) - table_rows([values], parsed)[0].keys()


def _planned_trial(run: runs.RunDir, entry: Entry, item: dict[str, Any]) -> Entry:
    """The trial ``entry`` read from its folder, DAMAGED if the folder is another trial's
    (``runs.foreign_trial``: swapped with another trial's, copied from another sweep), as
    ``runs show`` says it, not shown with that trial's numbers."""
    if entry.status != "DAMAGED":
        folder = runs.RunDir(entry.path)
        other = runs.foreign_trial(run, folder, folder.id, item.get("seed"), item.get("values"))
        if other is not None:
            entry.status, entry.damage = "DAMAGED", other
    return entry


def _pending(path: Path, rel: str, parent: str, item: dict[str, Any], recorded: Any) -> Entry:
    """A planned trial without a folder, as the sweep ``recorded`` it (``runs.absent_trial``):
    PENDING, FAILED with its error, or MISSING (why) if the sweep ran it."""
    state = runs.absent_trial(path, recorded)
    trial = {"id": item.get("id"), "seed": item.get("seed"), "values": item.get("values")}
    meta = {"trial": trial, **({"error": state["error"]} if "error" in state else {})}
    return Entry(
        rel,
        path,
        kind="trial",
        status=state["status"],
        name=str(item.get("id")),
        meta=meta,
        parent=parent,
        damage=state.get("reason"),
    )


def all_entries(entries: Iterable[Entry]) -> Iterable[Entry]:
    """Every entry and, after each, its trials."""
    for entry in entries:
        yield entry
        yield from entry.trials
