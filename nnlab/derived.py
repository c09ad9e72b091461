"""What a training folder's derived fields must say: the records are the truth.

A training run's ``metrics.jsonl`` (one record per epoch, appended as each ends) is what
happened; its ``summary.json`` (epochs, final values) and meta.json's ``epochs_done`` are
derived from those records when the run ends (``nnlab.summary.summarize``). So:

- A folder that has not ended (RUNNING, or STALE: its process killed) has no summary of its
  own: a summary.json there is of an earlier end, before a resume that was killed (its epochs
  and finals were shown for the run although epochs had been recorded since, or dropped to be
  replayed). Its summary is derived from its records (``derived_summary``).
- A folder that ended (COMPLETED, DIVERGED, FAILED, INTERRUPTED) wrote its summary and its
  status from the records it had, as one ending (``nnlab.experiments.train`` keeps the record,
  its count and the file in step, whatever signal arrives): a summary.json or an
  ``epochs_done`` that says otherwise was edited, and the folder is DAMAGED, the file and the
  field named (``summary_disagreement``, ``epochs_done_disagreement``). One difference is
  no edit: a run of ``epochs: 0`` written before its ``final_eval`` splits had no best (their
  value after the last epoch only) wrote one for them, equal to their final value: it is read
  as it is (``best_disagreement``), and shown without it, as a run written now has it.

Plain functions of records and summaries; no files.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from nnlab.fileio import DamagedError
from nnlab.kinds import show
from nnlab.summary import DIVERGED, Record, final_splits, summarize

ENDED = ("COMPLETED", "DIVERGED", "FAILED", "INTERRUPTED")  # (rundir.TERMINAL)


def behind(epochs: Any, records: list[Record], status: str) -> bool:
    """Whether a count of ``epochs`` that a run INTERRUPTED or FAILED wrote as it ended (its
    summary's, meta.json's ``epochs_done``) is behind its ``records``, as folders written
    before the record and its count moved as one step can be (a resume killed and then
    settled kept the earlier end's summary; a stop signal just after a record): an
    interruption explains it, so the folder is read from its records, not called DAMAGED. A
    count past them, or another value at their last epoch, is still damage."""
    if status not in ("INTERRUPTED", "FAILED") or not records:
        return False
    return (
        isinstance(epochs, int) and not isinstance(epochs, bool) and epochs < records[-1]["epoch"]
    )


def derived_summary(
    records: list[Record], status: str, final_only: Collection[str] = ()
) -> dict[str, Any]:
    """The summary ``records`` give a run that reads as ``status`` and evaluates the splits
    ``final_only`` after its last epoch only (``summarize``); with no records, its status and
    no epoch count (not 0: no epoch was recorded)."""
    if not records:
        return {"status": status, "epochs": None}
    return summarize(records, status, final_only)


def _ends(records: list[Record]) -> str:
    return f"end at epoch {records[-1]['epoch']}" if records else "are none"


def summary_disagreement(
    recorded: dict[str, Any],
    records: list[Record],
    status: str,
    final_only: Collection[str] = (),
) -> str | None:
    """What in the summary.json of a run that ended as ``status`` disagrees with its
    ``records``, None if nothing: its ``epochs`` and ``diverged_epoch`` (the last record's
    epoch), each ``best_*`` (``best_disagreement``; ``final_only``: the splits evaluated after
    the last epoch only) and, unless it DIVERGED (no finals), each ``final_*`` (the last
    record's value)."""
    if not records:  # (a run that failed before its first record: its summary says 0)
        if recorded.get("epochs") in (None, 0):
            return None
        return f"epochs is {show(recorded['epochs'])}, but metrics.jsonl has no records"
    last = records[-1]
    for key in ("epochs", "diverged_epoch"):
        if key in recorded and (key == "epochs" or status == DIVERGED):
            if recorded[key] != last["epoch"]:
                return (
                    f"{key} is {show(recorded[key])}, but metrics.jsonl's records {_ends(records)}"
                )
    derived = summarize(records, status, final_only)
    found = best_disagreement(recorded, derived, records)
    if found is not None or status == DIVERGED:
        return found
    for key in sorted(k for k in (*derived, *recorded) if k.startswith("final_")):
        if key in recorded and recorded[key] != derived.get(key):
            name = key[len("final_") :]
            return (
                f"{key} is {show(recorded[key])}, but metrics.jsonl's last record (epoch "
                f"{last['epoch']}) has {name} {show(last.get(name))}"
            )
    return None


def best_disagreement(
    recorded: dict[str, Any], derived: dict[str, Any], records: list[Record]
) -> str | None:
    """Which ``best_*`` of a summary.json (``recorded``) is not the best its ``records`` give
    (``derived``: ``summarize``'s, over the epochs it takes a best over), None if none: a
    best_test_acc edited to 0.99, or copied with the summary of another run, was shown as the
    run's. A best written null is a best the writer could not write (a loss that was NaN in
    the epoch it began with: null in the file), so it stands where a record's value is null;
    one of a run of one record that ``derived`` has none of (``older_best``) is an older
    nnlab's best of a final-only split, so it stands too."""
    for key in sorted(k for k in {*derived, *recorded} if k.startswith("best_")):
        if key not in recorded or recorded[key] == derived.get(key):
            continue
        name = key[len("best_") :]
        if recorded[key] is None and any(r.get(name, 0) is None for r in records):
            continue
        if older_best(key, recorded[key], derived, records):
            continue
        gives = show(derived[key]) if key in derived else f"no best of {name}"
        return f"{key} is {show(recorded[key])}, but metrics.jsonl's records give {gives}"
    return None


def older_best(key: str, value: Any, derived: dict[str, Any], records: list[Record]) -> bool:
    """Whether the summary.json ``key`` (a ``best_*``) holding ``value``, of which the summary
    its ``records`` give (``derived``) has none, is the best an nnlab before ``summarize``
    knew the final-only splits wrote for one: in a run of one record (``epochs: 0``; a split
    in the last of several records only never had one), its value there."""
    if key in derived or len(records) != 1:
        return False
    name = key[len("best_") :]
    return name in records[0] and records[0][name] == value and value is not None


def final_only_of(run: Any, records: list[Record]) -> list[str]:
    """The splits the training folder ``run`` evaluates after its last epoch only, where its
    ``records`` cannot tell (``summarize``): a run of one record has them in it beside the
    splits evaluated every epoch, so its config.yaml is asked (``final_splits``); [] for
    any other (a split in the last of several records only is one) or without a config."""
    if len(records) != 1:
        return []
    config = run.config()
    return final_splits(config) if config is not None else []


def train_summary(
    run: Any, summary: dict[str, Any], status: str, records: list[Record] | None = None
) -> dict[str, Any]:
    """The summary of the training folder ``run`` (a ``rundir.RunDir``) whose summary.json
    holds ``summary`` (checked for kinds; {} for none), as every reader shows it: derived
    from its records (``records``, else its ``metrics()``) while it has not ended, or has no
    summary.json; else summary.json, DamagedError naming it and the field where it disagrees
    with them; its ``status`` the folder's (``status``: as read before summary.json was).
    Records a caller read before that status may be older than it (the run ended between):
    they are read again before summary.json is called DAMAGED."""
    given = records is not None
    records = run.metrics() if records is None else records
    final_only = final_only_of(run, records)
    if status not in ENDED or not summary or behind(summary.get("epochs"), records, status):
        return derived_summary(records, status, final_only)  # (of an earlier end, or none)
    found = summary_disagreement(summary, records, status, final_only)
    if found is not None and given:  # (read before ``status``: the run may have ended since)
        return train_summary(run, summary, status)
    if found is not None:
        raise DamagedError(f"{run.file('summary.json')}: {found}")
    older = {f"best_{s}_{m}" for s in final_only for m in ("acc", "loss")}  # (``older_best``)
    shown = {k: v for k, v in summary.items() if k not in older}
    return {**shown, "status": status} if "status" in shown else shown


def epochs_done_disagreement(
    meta: dict[str, Any], records: list[Record], saved: Callable[[], int | None]
) -> tuple[str, str] | None:
    """(the file to blame, what is wrong) when meta.json's ``epochs_done``, recorded as the run
    ended, is not the last epoch of the ``records`` it ended with; None if it is, if there is
    none, or if the run has not ended (RUNNING: of an earlier end). A run that ended COMPLETED
    or DIVERGED reached its end, and one whose checkpoint (``saved()``: its epoch, None for
    none) is past its records lost records: metrics.jsonl is blamed; else meta.json."""
    done, status = meta.get("epochs_done"), meta.get("status")
    if not isinstance(done, int) or isinstance(done, bool) or status not in ENDED:
        return None
    last = records[-1]["epoch"] if records else -1
    if last == done or behind(done, records, status):
        return None
    if status in ("COMPLETED", "DIVERGED"):
        has = f"ends at epoch {last}" if records else "has no records"
        return (
            "metrics.jsonl",
            f"{has}, but meta.json says the run ended {status} after epoch {done}",
        )
    checkpoint = saved()
    if checkpoint is not None and checkpoint > last:
        return "metrics.jsonl", f"has no record of epoch {checkpoint}, the checkpoint's"
    return "meta.json", f"epochs_done is {done}, but metrics.jsonl's records {_ends(records)}"
