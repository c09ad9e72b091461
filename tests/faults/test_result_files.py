"""The result file of a folder of a kind that writes one instead of a summary.json
(compare-optimizers' ``result.json``, ``gradcheck --compare-differences``' ``differences.json``)
damaged, edited or copied from another folder of its kind: every reader (``runs list``,
``runs show`` as a table, JSON or CSV, the report) says DAMAGED, naming the file and the key, in
one line. They were listed and shown COMPLETED (only the report read the file, and showed a
file of garbage as a JSON error, an optimizer's path of text as it was); ``runs.RunDir.result``
is the one check now (``results.result_problem``). So too a finished folder's result file or
config.yaml that is gone.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from nnlab import runs

from .helpers import copy_runs, invoke, refused


def _set(path: str, value: object) -> Callable[[bytes], bytes]:
    """Set the value at ``path`` (keys and list indexes, split at '/'); ``...``: remove it."""

    def edit(data: bytes) -> bytes:
        obj = json.loads(data)
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        held = obj
        for part in parents:
            held = held[part]
        if value is ...:
            del held[last]
        else:
            held[last] = value
        return json.dumps(obj, indent=2).encode()

    return edit


def _token(path: str, token: str) -> Callable[[bytes], bytes]:
    """The value at ``path`` replaced by a bare JSON token (NaN, Infinity, 1e999)."""

    def edit(data: bytes) -> bytes:
        return _set(path, "@@")(data).replace(b'"@@"', token.encode())

    return edit


# damage -> (the folder, its file, how it is changed, what the line says after the file's path);
# how: a change of its bytes, or the folder of ``planned`` whose file is copied over it
DAMAGES = {
    "result.json garbage": (
        "compare-optimizers", "result.json", lambda b: b"\x00garbage", "not valid JSON"
    ),
    "result.json cut short": (
        "compare-optimizers", "result.json", lambda b: b[: len(b) // 2], "not valid JSON"
    ),
    "result.json a list": (
        "compare-optimizers", "result.json", lambda b: b"[1, 2]", "expected a JSON object, got"
    ),
    "result.json of another kind": (
        "compare-optimizers", "result.json", _set("kind", "paths"),
        "kind is 'paths'; expected 'function' or 'dataset'",
    ),
    "a path of text": (
        "compare-optimizers", "result.json", _set("runs/0/path", "far"),
        "runs[0].path is 'far'; expected a list of points",
    ),
    "a point of NaN": (
        "compare-optimizers", "result.json", _token("runs/1/final_point/0", "NaN"),
        "runs[1].final_point is [nan, ",
    ),
    "a value of 1e999": (
        "compare-optimizers", "result.json", _token("runs/2/final_value", "1e999"),
        "runs[2].final_value is inf; expected a finite number or null",
    ),
    "steps of -1": (
        "compare-optimizers", "result.json", _set("runs/0/steps", -1),
        "runs[0].steps is -1; expected a whole number >= 0",
    ),
    "an optimizer without its outcome": (
        "compare-optimizers", "result.json", _set("runs/3/outcome", ...),
        "runs[3].outcome is missing; nnlab writes it there",
    ),
    "result.json without its runs": (
        "compare-optimizers", "result.json", _set("runs", ...),
        "runs is missing; nnlab writes it there",
    ),
    "result.json of another function": (
        "compare-optimizers", "result.json", "compare-optimizers d2l",
        "function is 'd2l', but meta.json says this run's function is 'book' (copied from",
    ),
    "a dataset run's accuracy of 2": (
        "compare-optimizers digits", "result.json", _set("runs/0/final/test_acc", 2),
        "runs[0].final.test_acc is 2; expected a number in [0, 1] or null",
    ),
    "a dataset run's losses of text": (
        "compare-optimizers digits", "result.json", _set("runs/1/losses", "low"),
        "runs[1].losses is 'low'; expected a list of numbers or null",
    ),
    "differences.json garbage": (
        "gradcheck", "differences.json", lambda b: b"\xff\xfe", "not UTF-8 text"
    ),
    "differences.json empty": ("gradcheck", "differences.json", lambda b: b"", "not valid JSON"),
    "an error of text": (
        "gradcheck", "differences.json", _set("steps/2/centred", "tiny"),
        "steps[2].centred is 'tiny'; expected a finite number >= 0 or null",
    ),
    "a step of Infinity": (
        "gradcheck", "differences.json", _token("steps/0/step", "Infinity"),
        "steps[0].step is inf; expected a finite number > 0",
    ),
    "a best without its step": (
        "gradcheck", "differences.json", _set("best/forward/step", ...),
        "best.forward.step is missing; nnlab writes it there",
    ),
    "a shape of text": (
        "gradcheck", "differences.json", _set("shape", "6x7"),
        "shape is '6x7'; expected a list of sizes",
    ),
    "differences.json of another parameter": (
        "gradcheck", "differences.json", "gradcheck b",
        "param is 'affine1.b', but meta.json says this run's param is 'affine1.W' (copied from",
    ),
}  # fmt: skip


def _damaged(case: Path, planned: dict[str, Path], damage: str) -> tuple[runs.RunDir, str]:
    """A copy of the damage's folder under ``case/runs``, damaged; what every reader says."""
    folder, name, how, says = DAMAGES[damage]
    copy_runs(planned[folder], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    path = run.file(name)
    if isinstance(how, str):  # (the same file of another folder of the kind)
        shutil.copyfile(next(runs.iter_runs(planned[how])).file(name), path)
    else:
        path.write_bytes(how(path.read_bytes()))
    return run, f"{path}: {says}"


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("reader", ["list", "show", "show json", "show csv", "report"])
def test_a_damaged_result_file_is_damage_for_every_reader(case, planned, damage, reader):
    run, says = _damaged(case, planned, damage)
    root = case / "runs"
    if reader == "list":
        result = invoke("runs", "list", "-f", "json", "--runs-dir", root)
        assert result.exit_code == 0 and result.stderr == "", result.output
        (row,) = json.loads(result.stdout)
        assert row["status"] == "DAMAGED" and row["reason"].startswith(says), row
    elif reader == "report":
        result = invoke("report", "--runs-dir", root)
        assert result.exit_code == 0, result.output
        assert f"warning: {run.id}: DAMAGED, could not be read" in result.stderr, result.output
        page = (root / "report" / run.id / "index.html").read_text()
        assert html.escape(DAMAGES[damage][3].split(" (")[0]) in page
    else:
        fmt = {"show": "table", "show json": "json", "show csv": "csv"}[reader]
        result = invoke("runs", "show", run.path, "-f", fmt, "--runs-dir", root)
        refused(result, 2, f"error: {says}")
        assert result.stdout == ""


@pytest.mark.parametrize("kind", ["compare-optimizers", "compare-optimizers digits", "gradcheck",
                                  "gradcheck b"])  # fmt: skip
def test_a_result_file_as_written_reads_as_sound(planned, kind):
    run = next(runs.iter_runs(planned[kind]))
    run.check_files()
    assert run.status == "COMPLETED" and run.result() is not None


# a finished folder without a file its writer wrote before recording its status
GONE = {
    "compare-optimizers": ("result.json", "a compare-optimizers that ended COMPLETED wrote its "
                                          "result.json before its status"),
    "gradcheck": ("differences.json", "a gradcheck that ended COMPLETED wrote its "
                                      "differences.json before its status"),
    "lr-scan": ("config.yaml", "an lr-scan that ended COMPLETED wrote its config.yaml before"),
    "landscape": ("config.yaml", "a landscape that ended COMPLETED wrote its config.yaml"),
    # (the article as it is said: it wrote 'a lr-scan', 'a activations' here)
    "activations": ("summary.json", "an activations that ended COMPLETED wrote its summary "
                                    "before its status"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(GONE))
@pytest.mark.parametrize("reader", ["list", "show", "report"])
def test_a_finished_folder_without_its_result_file_or_config_is_damage(case, planned, kind, reader):
    """A compare-optimizers or gradcheck folder whose result file is gone was listed and
    shown COMPLETED; an lr scan (a landscape) without the config.yaml its meta.json records
    the hash of was shown without a config."""
    copy_runs(planned[kind], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    name, said = GONE[kind]
    run.file(name).unlink()
    says = f"{run.file(name)}: missing; {said}"
    root = case / "runs"
    if reader == "list":
        (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
        assert row["status"] == "DAMAGED" and row["reason"].startswith(says), row
    elif reader == "report":
        result = invoke("report", "--runs-dir", root)
        assert f"warning: {run.id}: DAMAGED, could not be read" in result.stderr, result.output
    else:
        refused(invoke("runs", "show", run.path, "--runs-dir", root), 2, f"error: {says}")


@pytest.mark.parametrize("reader", ["list", "show", "show json", "resume"])
def test_a_folder_where_the_landscape_file_should_be_is_named_in_one_line(case, planned, reader):
    """h5py's error for a folder named landscape.h5 runs over five lines (the path, a buffer
    address, the time): every reader's one error line became six."""
    copy_runs(planned["landscape"], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    path = run.file("landscape.h5")
    path.unlink()
    path.mkdir()
    says = f"{path}: is a folder, not the file nnlab writes there"
    root = case / "runs"
    if reader == "list":
        (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
        assert row["status"] == "DAMAGED" and row["reason"] == says, row
        return
    args = {"show": ["runs", "show"], "show json": ["runs", "show", "-f", "json"],
            "resume": ["landscape", "--resume"]}[reader]  # fmt: skip
    refused(invoke(*args, run.path, "--runs-dir", root), 2, f"error: {says}")
