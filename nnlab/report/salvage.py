"""What a damaged folder's records still show: the epochs of its metrics.jsonl that read.

A folder the report cannot read is DAMAGED (``collect.read_folder``), its page saying why; a
run killed mid-write, whose meta.json said COMPLETED, or one line cut in half among 20 lost
every epoch it had recorded: its page had no curve. Here its metrics.jsonl is read line by
line, each line that is an epoch record as nnlab writes one (a JSON object, its epoch a whole
number after the one before) kept, the others named by their line numbers. The curves are
drawn from them with a gap at each epoch missing between two kept (``with_gaps``); the folder
stays DAMAGED, its reason the strict reader's (``fileio.read_records``), and no number of the
report but these curves is taken from them (no final accuracy from a file that is damaged).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnlab.fileio import MAX_METRICS_BYTES, loads
from nnlab.filestate import read_at_most
from nnlab.output import counted


@dataclass(frozen=True)
class Readable:
    """The epoch records of a metrics.jsonl that read, in order, and the numbers of its lines
    that did not (not JSON, not a record, or an epoch not after the one before)."""

    records: list[dict[str, Any]]
    unread: list[int]


def readable(path: Path) -> Readable:
    """The records of the metrics.jsonl ``path`` that read (none where it is missing, cannot be
    read, or is larger than any nnlab writes)."""
    try:  # (bounded, and a pipe or a device refused unread: a FIFO there hung the report)
        raw = read_at_most(path, MAX_METRICS_BYTES, devices=False)
    except OSError:
        return Readable([], [])
    if raw is None:
        return Readable([], [])
    lines = raw.split(b"\n")
    if lines[-1] == b"":  # (the newline that ends the last line)
        lines.pop()
    records: list[dict[str, Any]] = []
    unread: list[int] = []
    for number, line in enumerate(lines, 1):
        record = _parsed(line)
        if record is None or (records and record["epoch"] <= records[-1]["epoch"]):
            unread.append(number)
        else:
            records.append(record)
    return Readable(records, unread)


def _parsed(line: bytes) -> dict[str, Any] | None:
    try:
        record = loads(line.decode("utf-8"))
    except (ValueError, RecursionError):  # (not UTF-8, not JSON, too many digits)
        return None
    epoch = record.get("epoch") if isinstance(record, dict) else None
    ok = isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 0
    return record if ok and all(map(_drawable, record.values())) else None


def _drawable(value: Any) -> bool:
    """Whether a record's value is one a curve can take: any but a whole number past a float's
    range (``'train_loss': 1000...`` of 400 digits, which JSON reads as an int and drawing it
    raised OverflowError: the page said 'could not show it' in place of the damage and curves)."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return False
    return True


def with_gaps(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` with an empty record (its epoch alone) at each epoch missing between two of
    them: a curve breaks there, where a line of the file could not be read, not joined across."""
    out: list[dict[str, Any]] = []
    for record in records:
        if out and record["epoch"] > out[-1]["epoch"] + 1:
            out.append({"epoch": out[-1]["epoch"] + 1})
        out.append(record)
    return out


SHOWN_LINES = 5  # unread lines named by number; more are counted


def said(read: Readable, name: str = "metrics.jsonl") -> str:
    """What the curves of ``read`` are: ``the 20 epoch records of metrics.jsonl that read
    (epochs 0 to 19); line 21 could not be read``."""
    epochs = [r["epoch"] for r in read.records]
    text = f"the {counted(len(epochs), 'epoch record')} of {name} that read"
    if epochs:
        text += (
            f" (epoch {epochs[0]})"
            if len(epochs) == 1
            else f" (epochs {epochs[0]} to {epochs[-1]})"
        )
    if read.unread:
        shown = ", ".join(str(n) for n in read.unread[:SHOWN_LINES])
        more = len(read.unread) - SHOWN_LINES
        shown += f" and {more} more" if more > 0 else ""
        lines = "line" if len(read.unread) == 1 else "lines"
        text += f"; {lines} {shown} could not be read"
    return text
