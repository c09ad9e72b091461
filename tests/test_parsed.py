"""A run file parsed once per content (``nnlab.parsed``): ``runs list`` read each folder's
meta.json ~16 times, its records 3 times and its config.yaml twice, each parsed and checked
anew. Each is still read every time it is asked for; parsed again only when its bytes are
other than before, however alike its size and times; what a caller is given is its own."""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nnlab import fileio, parsed, rundir, runs, yamlio
from nnlab.cli import app
from nnlab.experiments.listing import list_runs

CFG = """\
name: tiny
dataset: {name: digits, n_train: 200, n_val: 50, n_test: 100}
model: {hidden: [16]}
optimizer: {name: sgd, lr: 0.1}
batch_size: 50
epochs: 2
eval: [train, val]
"""


@pytest.fixture
def trained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> runs.RunDir:
    (tmp_path / "cfg.yaml").write_text(CFG)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["train", "cfg.yaml", "-q"])
    assert result.exit_code == 0, result.output
    return next(runs.iter_runs(tmp_path / "runs"))


def test_a_listing_parses_each_file_of_a_folder_once(trained, monkeypatch):
    parses: collections.Counter[str] = collections.Counter()
    for owner, name in [(rundir, "checked_meta"), (fileio, "json_value"),
                        (fileio, "_records"), (yamlio, "_mapping")]:  # fmt: skip
        real = getattr(owner, name)
        monkeypatch.setattr(
            owner, name, lambda path, raw, real=real: parses.update([path.name]) or real(path, raw)
        )
    reads: collections.Counter[str] = collections.Counter()
    real_read = fileio.read_at_most
    monkeypatch.setattr(
        fileio,
        "read_at_most",
        lambda p, n, **how: reads.update([Path(p).name]) or real_read(p, n, **how),
    )
    (row,) = list_runs(trained.path.parent)
    assert row["status"] == "COMPLETED" and "reason" not in row
    assert parses == {"meta.json": 1, "summary.json": 1, "metrics.jsonl": 1, "config.yaml": 1}
    assert reads["meta.json"] > 1  # (read where it was read before: only the parse is spared)


def test_a_file_rewritten_to_the_same_size_and_times_is_parsed_again(trained):
    path = trained.file("meta.json")
    meta = trained.meta
    st = path.stat()
    text = path.read_text()
    edited = text.replace('"COMPLETED"', '"FAILED"   ')  # (as long as before)
    assert len(edited) == len(text)
    path.write_text(edited)  # (in place: the same inode)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert trained.meta == {**meta, "status": "FAILED"}
    path.write_text(text.replace('"COMPLETED"', '"DONE"     '))
    with pytest.raises(runs.DamagedError, match="status 'DONE' is not one of"):
        trained.meta  # noqa: B018


def test_what_a_caller_is_given_is_its_own(trained):
    meta = trained.meta
    meta["status"] = "FAILED"
    meta["argv"].append("--changed")
    assert trained.meta["status"] == "COMPLETED" and "--changed" not in trained.meta["argv"]
    records = trained.metrics()
    records[0]["epoch"] = 7
    records.pop()
    assert [r["epoch"] for r in trained.metrics()] == [0, 1, 2]
    config = trained.config()
    config["model"]["hidden"] = [99]
    assert trained.config()["model"]["hidden"] == [16]


def test_damage_is_said_at_every_read_not_remembered(trained, monkeypatch):
    path = trained.file("metrics.jsonl")
    path.write_bytes(path.read_bytes().replace(b'"epoch": 1', b'"epoch": 5'))
    calls = []
    real = fileio._records
    monkeypatch.setattr(fileio, "_records", lambda p, raw: calls.append(p) or real(p, raw))
    for _ in range(2):
        with pytest.raises(runs.DamagedError, match="line 2: epoch 5 follows epoch 0"):
            fileio.read_records(path)
    assert len(calls) == 2


def test_a_value_too_deep_to_copy_is_parsed_again(tmp_path, monkeypatch):
    """A value nested about as deep as the parser goes (its copy runs out of stack where the
    parse did not) is parsed again, as it was before anything was remembered: the parse says
    what that depth gives, never a RecursionError of the copy."""
    calls = []

    def parse(raw: bytes) -> list[bytes]:
        calls.append(raw)
        return [raw]

    def too_deep(value: object) -> object:
        raise RecursionError

    monkeypatch.setattr(parsed, "copied", too_deep)
    for _ in range(2):
        assert parsed.parsed("test", tmp_path / "deep", b"[[[]]]", parse) == [b"[[[]]]"]
    assert len(calls) == 3  # (the first parse, then one in place of each copy)


def test_files_past_the_bound_are_parsed_each_time_and_the_memo_stays_bounded(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(parsed, "MAX_FILE_BYTES", 10)
    monkeypatch.setattr(parsed, "MAX_BYTES", 30)
    calls = []

    def parse(raw: bytes) -> list[bytes]:
        calls.append(raw)
        return [raw]

    for raw in (b"short", b"short", b"longer than ten bytes", b"longer than ten bytes"):
        assert parsed.parsed("test", tmp_path / "f", raw, parse) == [raw]
    assert calls == [b"short", b"longer than ten bytes", b"longer than ten bytes"]
    for i in range(20):
        parsed.parsed("test", tmp_path / f"f{i}", b"0123456789", parse)
    assert parsed._SIZE[0] <= 30


def test_a_command_parses_and_digests_a_runs_records_once(trained, monkeypatch):
    """``runs show`` and ``runs compare`` check the folder they take (``lookup.usable``), then
    read it: its records were parsed and digested (against checkpoint.npz) 4 times by ``runs
    show``, which is 0.3 s a time for a run of 5,600 epochs."""
    counts: collections.Counter[str] = collections.Counter()
    real_records, real_digest = fileio._records, rundir.records_digest
    monkeypatch.setattr(
        fileio, "_records", lambda p, raw: counts.update(["parse"]) or real_records(p, raw)
    )
    monkeypatch.setattr(
        rundir, "records_digest", lambda r, e: counts.update(["digest"]) or real_digest(r, e)
    )
    for args in (["runs", "show", "latest"], ["runs", "compare", "latest", "latest"]):
        parsed._MEMO.clear()
        counts.clear()
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert counts == {"parse": 1, "digest": 1}, args


def test_a_long_runs_records_are_remembered():
    """A file of 2 MB (metrics.jsonl of ~8,000 epochs) is parsed once for its bytes, as a short
    one is: a long run's records are what a reading spends most of its time on."""
    calls = []
    raw = b"x" * (2 * 2**20)
    for _ in range(3):
        parsed.parsed("test", Path("metrics.jsonl"), raw, lambda raw: calls.append(1) or [1])
    assert calls == [1]
