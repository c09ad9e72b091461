"""A metrics.jsonl of garbage as large as a run's records may be (up to 1 GB): refused by its
first line, read alone, in a fraction of a second and without holding the file (it was read
whole, split whole and its last line decoded whole: 2 GB and 10 s for ``runs list``); a line
longer than any record nnlab writes (over 1 MB) is damage wherever it is, found without
reading past it. The large files here are sparse (``truncate``): they take no disk.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from nnlab import fileio

from .helpers import Row, invoke, refused

GARBAGE = Row(
    "a metrics.jsonl of 1 GB of garbage (or a line of it over 1 MB): refused by its first line, "
    "read alone (it was read, split and decoded whole: `runs list` held 2 GB for 10 s)",
    "`nnlab runs list` (`--format json`; and every reader)",
    0,
    (
        '"status": "DAMAGED"',
        '"reason": "{run}/metrics.jsonl: line 1: over 1 MB, longer than any record nnlab writes"',
    ),
)


def never_read_whole(monkeypatch) -> None:
    """Fail the case if metrics.jsonl is read whole (its bounded reading)."""
    real = fileio._run_file_bytes

    def run_file_bytes(path, *args, **kwargs):
        assert path.name != "metrics.jsonl", f"{path} read whole"
        return real(path, *args, **kwargs)

    monkeypatch.setattr(fileio, "_run_file_bytes", run_file_bytes)


@pytest.mark.parametrize("head", [b"", b"garbage\n", b"\xff\xfe\n", b'{"epoch": 7}\n'])
def test_a_gigabyte_of_garbage_is_refused_by_its_first_line(case, done, monkeypatch, head):
    path = done.file("metrics.jsonl")
    path.write_bytes(head)
    os.truncate(path, 2**30 - 1)  # (sparse: NUL bytes after the head, no newline)
    never_read_whole(monkeypatch)
    start = time.perf_counter()
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    assert time.perf_counter() - start < 5, "read the file whole?"
    (row,) = json.loads(listed.stdout)
    expected = {
        b"": "line 1: over 1 MB, longer than any record nnlab writes",
        b"garbage\n": "line 1: not a JSON record",
        b"\xff\xfe\n": "line 1: not UTF-8 text",
        b'{"epoch": 7}\n': "line 1: epoch 7 is the first; expected epoch 0",
    }[head]
    assert row["status"] == "DAMAGED" and row["reason"].startswith(f"{path}: {expected}"), row
    if head == b"":
        assert all(part in listed.stdout for part in GARBAGE.expect(case / "runs", done.path))
    refused(invoke("runs", "show", done.path), 2, f"error: {path}: {expected}")


def test_a_line_over_a_megabyte_after_sound_records_is_damage(case, done):
    path = done.file("metrics.jsonl")
    with open(path, "ab") as f:
        f.write(b"x" * (fileio.MAX_RECORD_BYTES + 1) + b"\n")
    lines = path.read_bytes().count(b"\n")
    says = f"{path}: line {lines}: over 1 MB, longer than any record nnlab writes"
    refused(invoke("runs", "show", done.path), 2, f"error: {says}")


def test_records_read_one_line_at_a_time_are_the_records_split_whole(done):
    """The lazy reading gives what splitting the file gave: a torn last line dropped, a whole
    last line without its newline kept, an empty line damage."""
    raw = done.file("metrics.jsonl").read_bytes()
    whole = fileio._records(done.file("metrics.jsonl"), raw)
    assert fileio._records(done.file("metrics.jsonl"), raw + b'{"epoch": 4, "tr') == whole
    assert fileio._records(done.file("metrics.jsonl"), raw.rstrip(b"\n")) == whole
    with pytest.raises(fileio.DamagedError, match="line 5: not a JSON record"):
        fileio._records(done.file("metrics.jsonl"), raw + b"\n")
