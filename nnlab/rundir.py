"""One run folder as the commands read it: its files, its meta (and the status it reads as:
STALE when it says RUNNING but its process is gone, DAMAGED when it cannot be read), its
metrics, its checkpoint (read and checked by ``nnlab.checkpoint``), and what its
summary.json may hold (``summary_problem``: each key's kind). ``RunDir`` only reads, appends
epoch records and writes files; what changes a folder's status is ``nnlab.runs.Lifecycle``.
(``nnlab.runs`` re-exports all of it: callers say ``runs.RunDir``.)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from nnlab import checkpoint, process
from nnlab.checkpoint import (  # (re-exported: what a checkpoint holds, its digests)
    IDENTITY as IDENTITY,
    RECORDS as RECORDS,
    Checkpoint as Checkpoint,
    records_digest as records_digest,
    state_digest as state_digest,
)
from nnlab.derived import epochs_done_disagreement, train_summary
from nnlab.errors import DEVICE_ERRNOS, ConfigError, RunError, os_failure
from nnlab.fileio import (
    DamagedError,
    append_whole,
    atomic_write,
    dumps,
    naming,
    read_at_most,
    read_failure,
    read_json_file,
    read_records,
    read_records_and,
    read_text_file,
    there,
    write_json,
)
from nnlab.filestate import (
    UnreadableError,
    WrongKindError,
    hidden_taken,
    refuse_all_but_a_file,
    unremovable,
)
from nnlab.kinds import STALE as STALE, STATUSES as STATUSES, show, whole
from nnlab.landscape_grid import check_landscape
from nnlab.metafile import (  # (re-exported: meta.json as every reader reads it)
    KINDS as KINDS,
    checked_meta,
    kind_of as kind_of,
    newer_writer,
    said_newer,
    status_of as status_of,
)
from nnlab.output import article
from nnlab.parsed import parsed
from nnlab.plans import (
    ROUNDS as ROUNDS,  # (re-exported: where a tune keeps its rounds)
    config_problem,
    landscape_problem,
    plan_problem,
    round_problem,
    rows_problem,
    settings_problem,
)
from nnlab.process import half_removed
from nnlab.renderings import check_renderings
from nnlab.results import (  # (re-exported: what summary.json and a result file may hold)
    FILES as RESULT_FILES,
    result_problem,
    summary_kind as summary_kind,
    summary_problem,
    table_problem,
)
from nnlab.signals import deferred

REMOVING = process.REMOVING  # a folder being removed (``RunDir.remove``): readers pass it by
TERMINAL = ("COMPLETED", "DIVERGED", "FAILED", "INTERRUPTED")
DAMAGED = "DAMAGED"  # a read-time status: a file not as nnlab wrote it (STALE: ``kinds``)
UNREADABLE = "UNREADABLE"  # a read-time status: the device failed to read a file (EIO)
UNUSABLE = (DAMAGED, UNREADABLE)  # the read-time statuses of a folder that cannot be used


# How often a reader reads a folder whose meta.json changed under it before it says what it
# found (``RunDir.settled``): each time, a writer moved on between its reads.
SETTLE_READS = 4
T = TypeVar("T")


def _gone_is_fine(function: Any, path: str, exc_info: Any) -> None:
    """``shutil.rmtree``'s error handler: a file or folder already gone is what was wanted.
    Any other error is raised naming ``path`` whole: rmtree works relative to its folders'
    descriptors, and its errors named only the last part ('error: trials: Input/output
    error', from ``runs remove`` of a sweep)."""
    exc = exc_info[1]
    if isinstance(exc, FileNotFoundError):
        return
    if isinstance(exc, OSError) and exc.errno is not None:
        raise OSError(exc.errno, exc.strerror, path) from exc
    raise exc


class RunDir:
    """One run folder: its files, its meta and its metrics. Reading only; what changes a
    folder's status is ``Lifecycle``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._files: dict[str, Path] = {}  # (``file``'s paths: a reading asks ~50 times)
        self._index: tuple[tuple[int, ...], Checkpoint] | None = None  # (``checkpoint_index``)
        # (what is left of a removal that stopped, the folder or the sweep or tune it is in)
        self._rest = next((p for p in [self.path, *self.path.parents][:4] if half_removed(p)), None)

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    @property
    def id(self) -> str:
        return self.path.name

    def file(self, name: str) -> Path:
        """The path of the file ``name`` in the folder (made once: pathlib's joining costs
        more than a stat, and a listing asks for each of a folder's files many times)."""
        path = self._files.get(name)
        if path is None:
            path = self._files[name] = self.path / name
        return path

    def has(self, name: str) -> bool:
        """Whether the file ``name`` is in the folder (``fileio.there``: a link there that
        leads nowhere is DamagedError, a folder that cannot be looked into RunError)."""
        return there(self.file(name))

    def remove(self) -> None:
        """Delete the folder and everything in it (a sweep reruns a failed or half-made trial):
        first moved out of its readers' way, under a hidden name beside it (``REMOVING``), so
        that a reader finds it whole or not at all: its files gone one by one were read as
        damage ('config.yaml: missing', 'meta.json: missing')."""
        unable = unremovable(self.path)  # (refused whole: nothing half removed)
        if unable is not None:
            raise RunError(unable)
        # (held to its end: a half-removed folder no process holds is one whose removal
        # stopped, ``process.leftovers``; a stop signal meanwhile stops once it is gone: it left
        # what a reader lists DAMAGED)
        gone = False
        try:
            with process.holding(self), deferred():
                hidden = self.path
                if not half_removed(self.path):  # (one that stopped: removed where it is)
                    hidden = self.path.with_name(f".{self.id}{REMOVING}")
                    shutil.rmtree(hidden, ignore_errors=True)  # (one a kill left half removed)
                    os.replace(self.path, hidden)
                try:
                    shutil.rmtree(hidden, onerror=_gone_is_fine)
                except OSError as exc:
                    said = f"{exc.filename}: cannot be removed: {exc.strerror}"
                    raise os_failure(
                        f"{said}; {process.half_left(self.path, hidden)}", exc
                    ) from None
                gone = True
        except KeyboardInterrupt as stop:  # (a stop signal meanwhile: its line says the folder
            if gone:  # is gone; 'interrupted (SIGTERM)' alone left it unsaid)
                stop.nnlab_run, stop.nnlab_status = self.path, "removed"  # type: ignore[attr-defined]
            raise

    # -- files ----------------------------------------------------------------------------
    def write_text(self, name: str, text: str) -> Path:
        return atomic_write(self.file(name), text)

    def write_json(self, name: str, obj: Any) -> Path:
        return write_json(self.file(name), obj)

    def read_json(self, name: str, optional: bool = False) -> Any:
        return read_json_file(self.file(name), optional)

    def read_json_object(self, name: str, optional: bool = False) -> dict[str, Any]:
        """A JSON file that must hold an object (meta.json, summary.json); {} for a missing one
        that is ``optional`` (``read_json_file``)."""
        data = self.read_json(name, optional)
        if data is None and optional:
            return {}
        if not isinstance(data, dict):
            raise DamagedError(
                f"{self.file(name)}: expected a JSON object, got {type(data).__name__}"
            )
        return data

    def text(self, name: str) -> str | None:
        """A text file of the folder (summary.txt, config.yaml), None if it has none;
        DamagedError if it is not UTF-8."""
        return read_text_file(self.file(name))

    def config(self, name: str = "config.yaml") -> dict[str, Any] | None:
        """config.yaml (or sweep.yaml) as a mapping, None if the folder has none; DamagedError
        naming the file and line if it is not the YAML mapping nnlab wrote."""
        from nnlab.yamlio import read_yaml  # (PyYAML: loaded when a folder's YAML is read)

        if not self.has(name):
            return None
        try:  # (read_yaml's words are a config argument's, and it reads a device)
            refuse_all_but_a_file(self.file(name), self.file(name).stat().st_mode)
            data = read_yaml(self.file(name))
        except OSError as exc:
            raise read_failure(self.file(name), exc) from None
        except ConfigError as exc:
            cause = exc.__cause__  # (the device failed to read it, EIO: UNREADABLE; a pipe)
            if isinstance(cause, WrongKindError) or (
                isinstance(cause, OSError) and cause.errno in DEVICE_ERRNOS
            ):
                raise read_failure(self.file(name), cause) from None
            raise DamagedError(str(exc)) from None
        if not data:  # (an empty file reads as {}: nnlab writes every key there)
            raise DamagedError(f"{self.file(name)}: empty; nnlab writes every key there")
        meta = self.meta if self.has("meta.json") else {}
        if name == "sweep.yaml":  # (its kinds, then what meta.json says it was: any edit shows)
            found = plan_problem(data, meta.get("plan_hash"))
        else:  # (what meta.json says the run was started with: any edit shows)
            found = config_problem(data, meta.get("config_hash"))
        if found is not None:
            raise DamagedError(f"{self.file(name)}: {found}")
        return data

    def plan(self) -> dict[str, Any] | None:
        """sweep.yaml as ``config`` reads it (checked by ``plan_problem``); None for a folder
        that is no sweep; DamagedError for a sweep without one (a sweep writes its plan before
        its trials)."""
        data = self.config("sweep.yaml")
        if data is None:
            self.check_founded()
        return data

    def check_founded(self) -> None:
        """DamagedError naming the file a folder of its kind is made with (``FOUNDED_WITH``: a
        sweep's sweep.yaml, a tune's tune.json, a landscape's landscape.h5) if it is not there;
        its reader would otherwise take the folder for one of no kind, or for an empty one."""
        if not self.has("meta.json"):
            return
        name, what = FOUNDED_WITH.get(kind_of(self, self.meta), (None, ""))
        if name is not None and not self.has(name):
            raise DamagedError(f"{self.file(name)}: missing; {what}")

    def summary(self, records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """summary.json, or {} when the run has not written one yet; DamagedError naming the
        key if a value is not of its key's kind (``summary_problem``: an accuracy in [0, 1], a
        loss >= 0, an epoch count, text, ...), so that every reader sees the same verdict;
        its ``status`` the folder's (one written before a kill said COMPLETED: STALE). A
        training run's is its records' (``derived.train_summary``; ``records``: its
        ``metrics()``, if the caller has read them)."""
        # meta.json first, then summary.json: a writer writes its summary before the status
        # that ends it, so a status read as ended is never newer than the summary read after
        meta = self.meta if self.has("meta.json") else None
        # (none yet, or removed as it was read: a resume removes it first)
        summary = self.read_json_object("summary.json", optional=True)
        found = summary_problem(summary)
        if found is not None:
            raise DamagedError(f"{self.file('summary.json')}: {found}")
        if meta is None:
            return summary
        kind = kind_of(self, meta)
        found = table_problem(kind, summary)  # (what ``runs show`` draws its table from)
        if found is None and kind == "sweep" and isinstance(summary.get("trials"), list):
            found = rows_problem(summary, self.plan())  # (each row's swept values: its plan's)
        if found is not None:
            raise DamagedError(f"{self.file('summary.json')}: {found}")
        if kind == "train":  # (its records are the truth)
            return train_summary(self, summary, status_of(meta), records)
        return {**summary, "status": status_of(meta)} if "status" in summary else summary

    def result(self) -> dict[str, Any] | None:
        """The result file of a folder of a kind that writes one (``RESULT_FILES``: a
        compare-optimizers' result.json, a gradcheck's differences.json), None for a folder
        without one; DamagedError naming it and the key if it is not what its writer wrote
        (``results.result_problem``: its keys and their kinds, and the run meta.json says)."""
        meta = self.meta
        name = RESULT_FILES.get(kind_of(self, meta))
        if name is None or not self.has(name):
            return None
        data = self.read_json(name)
        found = result_problem(kind_of(self, meta), data, meta)
        if found is not None:
            raise DamagedError(f"{self.file(name)}: {found}")
        return data

    def rounds(self) -> list[dict[str, Any]]:
        """The rounds a tune's ``tune.json`` records ([] for a folder that is no tune), each
        an object with its ``round`` (a whole number >= 1) and, once its sweep folder was made,
        its ``sweep``: ``rounds/<folder>``, a folder directly under ``rounds/``; its
        ``settings`` of the kinds tune writes (``plans.settings_problem``). DamagedError
        naming tune.json (and the round or setting) if it is not that, or if a tune has none
        (``check_founded``)."""
        if not self.has("tune.json"):
            self.check_founded()
            return []
        where = self.file("tune.json")
        state = self.read_json_object("tune.json")
        rounds = state.get("rounds")
        if not isinstance(rounds, list):
            raise DamagedError(f"{where}: rounds is {show(rounds)}; expected a list of rounds")
        for i, entry in enumerate(rounds, start=1):
            problem = round_problem(entry)
            if problem is not None:
                raise DamagedError(f"{where}: rounds entry {i} {problem}")
        problem = settings_problem(state.get("settings"), self.meta.get("settings_hash"))
        if problem is not None:  # (what every round is planned from)
            raise DamagedError(f"{where}: settings {problem}")
        return rounds

    # -- reading while a writer writes ----------------------------------------------------
    def settled(self, read: Callable[[], T]) -> T:
        """``read()``, a reader's reading of the folder (meta.json, then the files checked
        against it), as of one state of it: a RunError raised while meta.json changed under
        it (its writer moved on between the reads: a resume's RUNNING and its records cut
        back to its checkpoint, read after the INTERRUPTED before) is read again, at most
        ``SETTLE_READS`` times in all. One raised while meta.json stayed as it was is the
        folder's: damage (a kill -9 leaving files that disagree) is reported as before, and
        in a folder a newer nnlab made (``metafile.newer_writer``), said to be of that
        version: a status, a kind or an array added since read as damage without a word."""
        for _ in range(SETTLE_READS - 1):
            before = self._meta_bytes()
            try:
                return read()
            except RunError as exc:
                if self._meta_bytes() == before:
                    raise said_newer(exc, before) from exc.__cause__
        before = self._meta_bytes()
        try:
            return read()
        except RunError as exc:
            raise said_newer(exc, before) from exc.__cause__

    def _meta_bytes(self) -> bytes | None:
        """meta.json as it is now (None: absent, unreadable or too large to be nnlab's): every
        writer replaces it whole (``atomic_write``), so what it holds tells one state from
        another (each write records its time, a resume its entry)."""
        try:
            return read_at_most(self.file("meta.json"), 2**20)
        except OSError:
            return None

    def made_by_newer(self) -> str | None:
        """The version of the newer nnlab that made the folder, as its meta.json says
        (``metafile.newer_writer``), else None."""
        return newer_writer(self._meta_bytes())

    # -- meta -----------------------------------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        """meta.json, checked (``checked_meta``): read each time, parsed and checked again
        only if its bytes changed (``parsed``)."""
        path = self.file("meta.json")
        if self._rest is not None:  # (its files may read whole, as the run's did)
            taken = hidden_taken(self._rest)  # (a link or a file there: no removal's rest)
            raise DamagedError(taken or process.half_left(None, self._rest))
        if not there(path):  # (the folder's other files say it is a run's)
            raise DamagedError(f"{path}: missing; nnlab writes it in every run folder")
        text = read_text_file(path)
        if text is None:  # (removed since)
            raise RunError(f"{path}: missing")
        try:
            return parsed("meta", path, text, lambda text: checked_meta(path, text))
        except DamagedError as exc:  # (a status or a field a newer nnlab writes: said so)
            raise said_newer(exc, text) from None

    @property
    def status(self) -> str:
        """The recorded status; a RUNNING run whose process is gone on this host is ``STALE``."""
        return status_of(self.meta)

    @property
    def kind(self) -> str:
        """What made the folder: train, sweep, tune, lr-scan, landscape, ... (meta's ``kind``;
        folders from before it was recorded are told by their files)."""
        return kind_of(self, self.meta)

    # -- metrics --------------------------------------------------------------------------
    def append_metric(self, record: dict[str, Any]) -> None:
        """Append one epoch record to metrics.jsonl (one line, whole or not at all:
        ``append_whole``; a torn last line, what a kill leaves, is dropped on read), made by
        the first (epoch 0): one removed after it is not made again, with none before it."""
        path = self.file("metrics.jsonl")
        with naming(path):
            append_whole(path, dumps(record, indent=None) + "\n", record.get("epoch") == 0)

    def metrics(self) -> list[dict[str, Any]]:
        """The epoch records (see ``read_records``: DamagedError on damage but a torn end).
        A training run that ended closed its file whole: its records must run to the epoch its
        meta.json says it reached (``epochs_done``), a torn end included; one that ended
        COMPLETED or DIVERGED reached its end, so its records are blamed, else meta.json, and
        it has no torn end (``torn_after_end``)."""
        # meta.json first, then the records: a run appends its last record before the
        # status that ends it, so an end read first is never newer than the records
        meta = self.meta if self.has("meta.json") else {}
        # the checkpoint before the records: a writer saves it after the records it digests,
        # and a later one digests records that begin with the same ones
        saved = self.checkpoint_index()
        upto = saved.epoch if saved and saved.records else None  # (what it digests)
        records, digest, torn = read_records_and(
            self.file("metrics.jsonl"),
            f"digest to epoch {upto}" if upto is not None else "",
            lambda records: records_digest(records, upto) if upto is not None else None,
        )
        found = epochs_done_disagreement(meta, records, lambda: saved.epoch if saved else None)
        if found is not None:  # (file, what is wrong)
            raise DamagedError(f"{self.file(found[0])}: {found[1]}")
        if torn is not None and meta.get("status") in REACHED_END:
            raise DamagedError(self.torn_after_end(torn, meta))
        if saved and saved.records and records and 0 <= saved.epoch <= records[-1]["epoch"]:
            if digest != saved.records:
                raise DamagedError(
                    f"{self.file('metrics.jsonl')}: its records up to epoch {saved.epoch} are "
                    "not the ones checkpoint.npz was saved after (copied from another run, or "
                    "edited?)"
                )
        return records

    def torn_after_end(self, line: int, meta: dict[str, Any]) -> str:
        """What a torn last line of the records of a run that reached its end (``REACHED_END``)
        is: damage. A kill mid-append leaves one, and its folder RUNNING (STALE); a run that
        ends appends every record whole (``append_whole``) before its status. It was dropped
        as a kill's, and the folder read sound."""
        return (
            f"{self.file('metrics.jsonl')}: line {line}: a torn last line (no newline at its "
            f"end), but meta.json says the run ended {meta['status']}, which writes its records "
            "whole (appended to since?)"
        )

    def truncate_metrics(self, last_epoch: int) -> list[dict[str, Any]]:
        """Keep only records up to ``last_epoch`` (resuming from a checkpoint). Damage other
        than a torn last line raises before anything is written."""
        kept = [r for r in self.metrics() if r["epoch"] <= last_epoch]
        atomic_write(
            self.file("metrics.jsonl"), "".join(dumps(r, indent=None) + "\n" for r in kept)
        )
        return kept

    # -- checkpoints ----------------------------------------------------------------------
    @property
    def recorded_id(self) -> str:
        """The run's id as meta.json records it (the folder's name when the run began: a folder
        moved since keeps it), else the folder's name."""
        return self.meta.get("run_id") or self.id

    def save_checkpoint(
        self, state: dict[str, np.ndarray], epoch: int, identity: dict[str, str]
    ) -> None:
        """The training state after ``epoch``, atomically, as ``checkpoint.npz``, with the
        ``identity`` of the run it belongs to (``IDENTITY``: its ``recorded_id`` and the full
        hash of its config), a digest of the run's records up to ``epoch`` (``RECORDS``) and a
        ``digest`` of every array (``state_digest``): a checkpoint edited since, or copied from
        another run, is refused, and so are records that are not the ones it was saved after."""
        arrays = {"epoch": np.array(epoch), **state}
        arrays.update({key: np.array(str(identity[key])) for key in IDENTITY})
        records = read_records(self.file("metrics.jsonl"))  # (its own, appended up to ``epoch``)
        arrays[RECORDS] = np.array(records_digest(records, epoch))
        digest = np.array(state_digest(arrays))
        # (numpy's savez takes the arrays by name as **kwds; mypy matches the dict against its
        # allow_pickle: bool too, which no key here is)
        atomic_write(
            self.file("checkpoint.npz"),
            lambda f: np.savez(f, **arrays, digest=digest),  # type: ignore[arg-type]
        )
        self._index = None

    def load_checkpoint(self) -> Checkpoint:
        """The checkpoint's epoch, arrays and identity (None: written before checkpoints had
        one); DamagedError naming the file if it is damaged, edited, or another run's."""
        path = self.file("checkpoint.npz")
        if not there(path):
            raise RunError(f"{path}: no checkpoint to resume from")
        return self._read_checkpoint(arrays=True)

    def check_checkpoint(self) -> int | None:
        """The epoch of checkpoint.npz (None: there is none); DamagedError if it is not a
        whole archive with an epoch (a truncated file), or another run's: its index and
        identity are read, not its arrays."""
        index = self.checkpoint_index()
        return None if index is None else index.epoch

    def checkpoint_index(self) -> Checkpoint | None:
        """checkpoint.npz's epoch, identity and records digest, its arrays not read (None: there
        is none); read again only if the file changed since this object read it (its inode,
        size or time: a writer replaces it whole), so the checks of one reading share it."""
        try:
            st = self.file("checkpoint.npz").stat()
        except FileNotFoundError:
            return None
        except OSError:
            st = None  # (the read says what is wrong)
        key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) if st else ()
        if self._index is None or not key or self._index[0] != key:
            self._index = (key, self._read_checkpoint(arrays=False))
        return self._index[1]

    def _read_checkpoint(self, arrays: bool) -> Checkpoint:
        return checkpoint.read(self, arrays)  # (one place every reading of it goes through)

    def check_files(self) -> None:
        """DamagedError naming the first file that cannot be read as written: meta.json,
        summary.json, config.yaml and sweep.yaml, a tune's tune.json (its ``rounds``), a
        result.json or differences.json (``result``),
        metrics.jsonl (a torn last line is no damage), checkpoint.npz and landscape.h5 (their
        index). What a listing checks of each folder. The records are read once (a long
        run's are most of the cost: ``lookup.usable`` checks every folder a command takes),
        before summary.json, which ``summary`` then holds them to (read again if the run
        ended between)."""
        self.meta  # noqa: B018 (reading it is the check)
        records = self.metrics()
        self.summary(records)
        self.check_present()
        self.plan()
        self.rounds()
        self.result()
        self.check_checkpoint()
        self.check_landscape()

    def check_landscape(self) -> None:
        """DamagedError if there is a landscape.h5 and it is not one (``check_landscape``: its
        index, its attributes, its grid; its centre and directions are ``landscape --resume``'s
        to check), or its attributes are not what meta.json recorded
        (``plans.landscape_problem``); or if a landscape's folder has none (``check_founded``)."""

        def recorded(attrs: dict[str, Any]) -> str | None:
            return landscape_problem(attrs, self.meta) if self.has("meta.json") else None

        if check_landscape(self.file("landscape.h5"), recorded) is None:
            self.check_founded()

    def check_present(self) -> None:
        """DamagedError naming a file the folder's state says must be there and is not: what a
        folder that ended COMPLETED or DIVERGED wrote before its status (``ENDED_WITH``: its
        summary.json, or its result file, and its config.yaml where meta.json records its
        hash); the config.yaml of one with records; and a rendering there (summary.txt,
        summary.csv, a figure) not whole (``renderings``: none need be there). Every reader
        checks it (``check_files``, the report), so that none shows such a folder as sound."""
        check_renderings(self.path)
        meta, config = self.meta, self.config()
        if config is None and self.has("metrics.jsonl"):
            raise DamagedError(
                f"{self.file('config.yaml')}: missing; a run writes its resolved config before "
                "its first record"
            )
        status, kind = meta.get("status"), kind_of(self, meta)
        if kind == "train" and status == "COMPLETED" and config is not None:
            self._check_reached(meta.get("epochs_done"), config.get("epochs"))
        if status in ("COMPLETED", "DIVERGED"):
            for name, what in ENDED_WITH.items():
                name = RESULT_FILES.get(kind, "") if name == "result" else name
                if what(kind, meta) and not self.has(name):
                    said = "summary" if name == "summary.json" else name
                    raise DamagedError(
                        f"{self.file(name)}: missing; {article(kind)} {kind} that ended "
                        f"{status} wrote its {said} before its status"
                    )

    def _check_reached(self, done: Any, epochs: Any) -> None:
        """DamagedError if a training run that says it ended COMPLETED after epoch ``done``
        (meta.json's ``epochs_done``) stopped short of its config's ``epochs``: an INTERRUPTED
        run's status edited to COMPLETED was listed, shown and evaluated (``landscape``) as
        finished, and its resume refused as 'nothing to resume'. (Its records are held to
        ``epochs_done`` by ``metrics``; a version that recorded none is not told.)"""
        if whole(done) and whole(epochs) and done != epochs:
            raise DamagedError(
                f"{self.file('meta.json')}: says the run ended COMPLETED after epoch {done}, but "
                f"its config.yaml trains to epoch {epochs} (its status edited?)"
            )


# the statuses of a run that reached its end: its records were appended whole before them
REACHED_END = ("COMPLETED", "DIVERGED")
# the kinds of folder that write a summary.json before they record an end (compare-optimizers
# and gradcheck write result.json and differences.json instead)
SUMMARIZED = ("train", "sweep", "tune", "lr-scan", "landscape", "activations")
# what a folder that ended COMPLETED or DIVERGED wrote before its status, by whether a folder
# of its kind, with its meta.json, writes it: "result" is its kind's result file
ENDED_WITH = {
    "summary.json": lambda kind, meta: kind in SUMMARIZED,
    "result": lambda kind, meta: kind in RESULT_FILES,
    "config.yaml": lambda kind, meta: isinstance(meta.get("config_hash"), str),
}
# the file a folder of each kind is made with, with its meta.json (``runs.start``'s files,
# written first), and what it holds: a folder whose meta.json names the kind cannot lack it
FOUNDED_WITH = {
    "sweep": ("sweep.yaml", "a sweep writes its plan before its trials"),
    "tune": ("tune.json", "a tune writes its settings before its rounds"),
    "landscape": ("landscape.h5", "a landscape writes its grid before its meta.json"),
}


def error_status(exc: RunError) -> str:
    """The read-time status of a folder whose reading raised ``exc``: UNREADABLE where the
    device failed to read one of its files (``UnreadableError``: an error reading is no
    damage to the folder, which may read whole the next time), else DAMAGED."""
    return UNREADABLE if isinstance(exc, UnreadableError) else DAMAGED
