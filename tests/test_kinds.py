"""One table of value kinds (``nnlab.kinds``) for both readers of a run folder: a value under a
key of an epoch record in ``metrics.jsonl``, and the same value under the same key in a
``summary.json`` (at its top, and in an lr scan's curve records), get the same verdict from
``runs.describe_folder``: healthy, or DAMAGED naming the key and expecting the same kind."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from nnlab import runs
from nnlab.kinds import RECORD_KEYS, SUFFIXES, record_kind, show
from nnlab.rundir import summary_kind
from tests.conftest import fake_run

# every key of the record table, and names its suffixes tell (the splits train evaluates)
KEYS = [*RECORD_KEYS, "train_acc", "test_acc", "train_loss", "val_loss"]
VALUES = [
    0, 1, 0.5, -0.0, 3, 2.5, 1e6, -1, -0.5, None, True, False, "x", "0.5", "NaN",
    math.nan, math.inf, -math.inf, [0.5], {"v": 1}, 10**400, -(10**400),
]  # fmt: skip
TOP = [key for key in KEYS if key != "loss"]  # (a summary's own "loss" is a swept config value)


def _verdict(run: runs.RunDir) -> str | None:
    """None for a healthy folder, else the reason it is DAMAGED."""
    found = runs.describe_folder(run, files=True)
    return found.get("reason") if found["status"] == runs.DAMAGED else None


def _record_verdict(root: Path, key: str, value: Any) -> str | None:
    # (INTERRUPTED: its records are read as any run's, and no summary.json is required of it)
    run = fake_run(root, "metrics", "INTERRUPTED")
    run.file("config.yaml").write_text("name: metrics\n")  # (records come after a config)
    if key == "epoch":  # (its place in the file: the epochs before it come first)
        before = range(value) if type(value) is int and 0 <= value < 100 else range(0)
        records = [*({"epoch": e} for e in before), {"epoch": value}]
    else:
        records = [{"epoch": 0, key: value}]
    run.file("metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return _verdict(run)


def _summary_verdict(root: Path, folder: str, summary: dict[str, Any]) -> str | None:
    run = fake_run(root, folder)
    run.file("summary.json").write_text(json.dumps(summary))
    return _verdict(run)


def _expected(reason: str) -> str:
    return reason.rsplit("; expected ", 1)[-1]


@pytest.mark.parametrize("value", VALUES, ids=show)
@pytest.mark.parametrize("key", KEYS)
def test_metrics_and_summary_readers_agree_on_every_kind(tmp_path, key, value):
    in_record = _record_verdict(tmp_path, key, value)
    curve = {"epoch": 0, key: value} if key != "epoch" else {"epoch": value}
    summaries = {"curves.0.1[0].": {"curves": {"0.1": [curve]}}}
    if key in TOP:
        summaries[""] = {key: value}
    for prefix, summary in summaries.items():
        in_summary = _summary_verdict(tmp_path, f"summary-{len(prefix)}", summary)
        assert (in_record is None) == (in_summary is None), (in_record, in_summary)
        if in_record is None:
            continue
        assert f"summary.json: {prefix}{key} is " in in_summary, in_summary
        if key == "epoch":  # (said by its place in the file, or as no epoch record at all)
            assert "epoch" in in_record, in_record
            continue
        assert f"metrics.jsonl: line 1: {key!r} is " in in_record, in_record
        assert _expected(in_record) == _expected(in_summary)


def test_the_summary_reader_takes_its_record_keys_from_the_one_table():
    for key in TOP:
        assert summary_kind(key) is record_kind(key), key
    for end, kind in SUFFIXES.items():
        assert summary_kind(f"final_test{end}") is kind is record_kind(f"train{end}")
    for key in RECORD_KEYS:  # (an lr scan's curve records: the loss too)
        assert summary_kind(key, RECORD_KEYS) is record_kind(key)


# what metrics.jsonl's reader accepted while summary.json's refused it (nnlab writes neither)
NOW_REFUSED = {
    "steps 2.5": ('{"epoch": 0, "steps": 2.5}', "line 1: 'steps' is 2.5; expected a whole number"),
    "steps null": ('{"epoch": 0, "steps": null}', "line 1: 'steps' is None; expected a whole"),
    "epoch true": (
        '{"epoch": 0}\n{"epoch": true}', "line 2: not an epoch record (an object with an integer"
    ),
    "epoch false": ('{"epoch": false}', "line 1: not an epoch record"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(NOW_REFUSED))
def test_a_record_value_a_summary_refuses_is_damage_in_metrics_too(tmp_path, case):
    text, says = NOW_REFUSED[case]
    path = tmp_path / "metrics.jsonl"
    path.write_text(text + "\n")
    with pytest.raises(runs.DamagedError) as caught:
        runs.read_records(path)
    assert str(caught.value).startswith(f"{path}: {says}")


def test_a_long_value_in_a_record_is_cut_as_in_a_summary(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text(json.dumps({"epoch": 0, "train_acc": "x" * 1000}) + "\n")
    with pytest.raises(runs.DamagedError) as caught:
        runs.read_records(path)
    assert str(caught.value) == (
        f"{path}: line 1: 'train_acc' is '{'x' * 36}... (1,002 characters); expected a number "
        "in [0, 1] or null"
    )


@pytest.mark.parametrize("key", ["final_test_acc", "final_loss", "seconds", "mean", "epochs"])
def test_an_integer_past_a_floats_range_is_damage_not_a_crash(tmp_path, key):
    # (a number: math.isfinite raised OverflowError, and runs list, show and compare said
    # "unexpected"; a count: report did, converting it to a float)
    says = f"{key} is {10**400!r}"[: len(key) + 40]
    reason = _summary_verdict(tmp_path, "huge", {key: 10**400})
    assert reason is not None and says in reason, reason
