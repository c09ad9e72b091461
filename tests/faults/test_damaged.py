"""A damaged file in one folder: ``runs list`` lists it as DAMAGED with the reason (and lists
the rest), ``report`` shows it DAMAGED, and every command that reads the file (``runs show``,
``train --resume``, ``runs compare``, ``landscape <run>``) gives one line naming it, exit 2. A
refused resume changes nothing: no file, not the status.

The damaged folder is a copy of a run INTERRUPTED after epoch 2 (so a resume would go on), next
to a healthy COMPLETED run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from nnlab import runs
from nnlab.rundir import IDENTITY, state_digest

from .helpers import (
    Row,
    copy_runs,
    file_bytes,
    invoke,
    one_line,
    only,
    refused,
    set_meta,
    snapshot,
    without_seconds,
)


def _insert_line(data: bytes) -> bytes:
    first, rest = data.split(b"\n", 1)
    return first + b"\n{broken\n" + rest


def _swap_lines(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[1], lines[2] = lines[2], lines[1]
    return b"\n".join(lines)


def _drop_second_line(data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join([lines[0], *lines[2:]])


def _second_without_test_acc(data: bytes) -> bytes:
    lines = data.split(b"\n")
    record = json.loads(lines[1])
    del record["test_acc"]
    lines[1] = json.dumps(record).encode()
    return b"\n".join(lines)


def _without_status(data: bytes) -> bytes:
    return json.dumps({k: v for k, v in json.loads(data).items() if k != "status"}).encode()


# damage -> (file, how, what the line / the DAMAGED row says after the file's path)
DAMAGES = {
    "metrics not UTF-8": (
        "metrics.jsonl", lambda b: b[:10] + b"\xff\xfe" + b[10:], "line 1: not UTF-8 text"
    ),
    "metrics with a bad line in the middle": (
        "metrics.jsonl", _insert_line, "line 2: not a JSON record (Expecting property name"
    ),
    "metrics out of order": (
        "metrics.jsonl", _swap_lines, "line 2: epoch 2 follows epoch 0; expected epoch 1"
    ),
    "metrics with an epoch missing": (
        "metrics.jsonl", _drop_second_line, "line 2: epoch 2 follows epoch 0; expected epoch 1"
    ),
    "metrics with a record missing a key": (  # (shown as an epoch without a test accuracy)
        "metrics.jsonl", _second_without_test_acc,
        "line 2: has no 'test_acc', which the record before it has",
    ),
    "metrics with a number of 5000 digits": (  # (json.loads: ValueError, "unexpected" in all)
        "metrics.jsonl", lambda b: b.replace(b'"lr": ', b'"lr": ' + b"1" * 5000 + b', "_": ', 1),
        "line 1: not a JSON record (an integer of more than 4,300 digits)",
    ),
    "metrics with a loss of 400 digits": (  # (past a float: OverflowError, "unexpected" in all)
        "metrics.jsonl",
        lambda b: b.replace(b'"train_loss": ', b'"train_loss": 1' + b"0" * 400 + b', "_": ', 1),
        "line 1: 'train_loss' is 1" + "0" * 36 + "... (401 characters); expected a finite number",
    ),
    "meta with a key written twice": (  # (json.loads kept the last: FAILED, resumed again)
        "meta.json", lambda b: b.rstrip()[:-1] + b', "status": "FAILED"}\n',
        "not the JSON nnlab wrote (key 'status' written twice)",
    ),
    "metrics with a key written twice": (
        "metrics.jsonl", lambda b: b.replace(b'"train_acc": ', b'"train_acc": 0.5, "train_acc": ', 1),
        "line 1: not an epoch record as nnlab writes one (key 'train_acc' written twice)",
    ),
    "summary with a key written twice": (
        "summary.json", lambda b: b.replace(b"{", b'{"status": "COMPLETED", ', 1),
        "not the JSON nnlab wrote (key 'status' written twice)",
    ),
    "meta not an object": ("meta.json", lambda b: b"[1, 2]\n", "expected a JSON object, got list"),
    "meta with a number of 5000 digits": (
        "meta.json", lambda b: b[:-2] + b', "x": ' + b"1" * 5000 + b"}",
        "not valid JSON (an integer of more than 4,300 digits)",
    ),
    "meta without a status": ("meta.json", _without_status, "status None is not one of RUNNING"),
    "meta with an unknown status": (
        "meta.json", lambda b: b.replace(b'"INTERRUPTED"', b'"PAUSED"'), "status 'PAUSED' is not one"
    ),
    "meta empty": ("meta.json", lambda b: b"", "not valid JSON (Expecting value, line 1)"),
    "meta status edited to COMPLETED": (  # (listed, shown, evaluated as finished; resume refused)
        "meta.json", lambda b: b.replace(b'"INTERRUPTED"', b'"COMPLETED"'),
        "says the run ended COMPLETED after epoch 2, but its config.yaml trains to epoch 3",
    ),
    "meta nested too deep": (
        "meta.json", lambda b: b"[" * 100_000 + b"]" * 100_000, "nested too deeply"
    ),
    "checkpoint truncated": (
        "checkpoint.npz", lambda b: b[: len(b) // 2], "unreadable checkpoint (BadZipFile"
    ),
    "summary garbage": ("summary.json", lambda b: b"\x00garbage", "not valid JSON"),
    "config not UTF-8": (
        "config.yaml", lambda b: b"\xff" + b, "line 1, column 1: byte 0xff is not UTF-8; expected "
        "YAML in UTF-8 (a file saved as Latin-1?)"
    ),
    "config not YAML": (
        "config.yaml", lambda b: b"model: [1, 2\n", "line 2, column 1: malformed YAML: did not find expected ','"
    ),
    "config not a mapping": (
        "config.yaml", lambda b: b"- 1\n- 2\n", "expected a mapping of config keys, got list"
    ),
    "config edited": (  # (runs list, show and the report showed the edited rate as the run's)
        "config.yaml", lambda b: b.replace(b"lr: 0.1", b"lr: 0.5"),
        "not the config this run was started with (its hash is",
    ),
    "config cut short": (  # (still a mapping: its missing keys were shown as absent)
        "config.yaml", lambda b: b[: b.index(b"\nmodel:")] + b"\n",
        "not the config this run was started with (its hash is",
    ),
}  # fmt: skip

# every command that takes a run folder decides whether it is usable by one check
# (``lookup.usable``), whichever files it reads itself: ``landscape RUN`` reads no records, yet
# refuses a run whose records every other command refuses (it ran on them, exit 0)
COMMANDS = ("show", "resume", "compare", "landscape", "extend")
CASES = [(command, damage) for command in COMMANDS for damage in DAMAGES]


@pytest.fixture
def damaged(case, templates, request) -> runs.RunDir:
    """The INTERRUPTED run with ``request.param``'s damage, beside the COMPLETED one."""
    copy_runs(templates["stopped"], case / "runs")
    done = next(runs.iter_runs(templates["done"]))
    copy_runs(done.path, case / "runs" / done.id)
    (run,) = [r for r in runs.iter_runs(case / "runs") if r.id != done.id]
    name, how, _ = DAMAGES[request.param]
    run.file(name).write_bytes(how(run.file(name).read_bytes()))
    return run


def _expected(run: runs.RunDir, damage: str) -> str:
    name, _, says = DAMAGES[damage]
    return f"{run.file(name)}: {says}"


@pytest.mark.parametrize("damaged", list(DAMAGES), indirect=True)
def test_runs_list_shows_the_damaged_folder_and_lists_the_rest(case, damaged, request):
    damage = request.node.callspec.params["damaged"]
    result = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    assert result.exit_code == 0 and result.stderr == "", result.output
    if damage == "metrics not UTF-8":
        assert all(part in result.stdout for part in RESUME[5].expect(case / "runs", damaged.path))
    rows = {row["run"]: row for row in json.loads(result.stdout)}
    assert len(rows) == 2
    assert rows[damaged.id]["status"] == "DAMAGED"
    assert rows[damaged.id]["reason"].startswith(_expected(damaged, damage))
    (other,) = [row for run_id, row in rows.items() if run_id != damaged.id]
    assert other["status"] == "COMPLETED"


@pytest.mark.parametrize("damaged", list(DAMAGES), indirect=True)
def test_report_shows_the_damaged_folder_and_builds_the_rest(case, damaged, request):
    damage = request.node.callspec.params["damaged"]
    result = invoke("report", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    assert f"warning: {damaged.id}: DAMAGED, could not be read" in result.stderr
    assert "Traceback" not in result.stderr
    pages = "".join(p.read_text() for p in (case / "runs" / "report").rglob("*.html"))
    assert DAMAGES[damage][2].split(" (")[0].replace("'", "&#x27;") in pages


def _run_command(command: str, run: runs.RunDir, case):
    runs_dir = case / "runs"
    if command == "show":
        return invoke("runs", "show", run.path, "--runs-dir", runs_dir)
    if command == "resume":
        return invoke("train", "--resume", run.path, "--runs-dir", runs_dir)
    if command == "compare":
        return invoke("runs", "compare", run.path, "--png", case / "c.png", "--runs-dir", runs_dir)
    if command == "extend":
        return invoke("train", "--extend", run.path, "epochs=5", "--runs-dir", runs_dir)
    return invoke("landscape", run.path, "--points", "3", "--samples", "20", "--runs-dir", runs_dir)


@pytest.mark.parametrize(
    ("command", "damaged"), CASES, indirect=["damaged"], ids=[f"{c}-{d}" for c, d in CASES]
)
def test_a_command_that_reads_a_damaged_file_names_it_in_one_line(case, command, damaged, request):
    damage = request.node.callspec.params["damaged"]
    before = snapshot(case)
    result = _run_command(command, damaged, case)
    refused(result, 2, _expected(damaged, damage))
    row = ROWS_OF.get((command, damage))
    if row is not None:
        refused(result, 2, *row.expect(case / "runs", damaged.path))
    assert result.stdout == ""
    assert snapshot(case) == before  # nothing changed, nothing made (no landscape, no png)


# ----------------------------------------------------------------------------- resume
def test_a_refused_resume_changes_nothing(case, stopped):
    stopped.file("metrics.jsonl").write_bytes(
        _insert_line(stopped.file("metrics.jsonl").read_bytes())
    )
    before = file_bytes(stopped.path)
    result = invoke("train", "--resume", "latest", "--runs-dir", case / "runs")
    refused(result, 2, *RESUME[0].expect(case / "runs", stopped.path))
    assert file_bytes(stopped.path) == before and stopped.status == "INTERRUPTED"


def _rewrite_checkpoint(path, change, digest: bool = True) -> None:
    """``path``'s arrays as ``change(arrays)`` leaves them, with the digest of the new arrays
    (as nnlab would write them) or, ``digest=False``, none (as an older version wrote them)."""
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files if k != "digest"}
    change(arrays)
    if digest:
        arrays["digest"] = np.array(state_digest(arrays))
    np.savez(path, **arrays)


def _as_written_before_identities(arrays: dict) -> None:
    for key in IDENTITY:
        arrays.pop(key)


def test_a_checkpoint_of_the_wrong_shape_is_refused_and_changes_nothing(case, stopped, templates):
    # (a checkpoint of an older version, which named no run: copied from another run, it is
    # refused by what it holds; one of this version is refused as another run's, below)
    small = next(runs.iter_runs(templates["small"]))
    stopped.file("checkpoint.npz").write_bytes(small.file("checkpoint.npz").read_bytes())
    _rewrite_checkpoint(stopped.file("checkpoint.npz"), _as_written_before_identities, False)
    before = file_bytes(stopped.path)
    result = invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs")
    refused(result, 2, *RESUME[1].expect(case / "runs", stopped.path))
    assert file_bytes(stopped.path) == before and stopped.status == "INTERRUPTED"


@pytest.mark.parametrize("command", ["resume", "landscape", "list"])
def test_a_checkpoint_copied_from_another_run_is_refused_and_changes_nothing(
    case, stopped, templates, command
):
    # Run B's checkpoint replaced by run A's (the same config, so every array fits) resumed
    # silently with A's weights: a checkpoint named no run.
    other = next(runs.iter_runs(templates["done"]))
    stopped.file("checkpoint.npz").write_bytes(other.file("checkpoint.npz").read_bytes())
    before = snapshot(case)
    if command == "list":
        listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
        assert listed.exit_code == 0 and listed.stderr == "", listed.output
        (row,) = json.loads(listed.stdout)
        line = "error: " + row["reason"]  # (the reason a refusal's line gives)
        assert row["status"] == "DAMAGED"
    else:
        line = refused(_run_command(command, stopped, case), 2)
    for part in RESUME[-1].expect(case / "runs", stopped.path):
        assert part in line, (part, line)
    assert f"run {other.id!r}, not of this folder's run {stopped.id!r}" in line
    assert snapshot(case) == before


@pytest.mark.parametrize("command", ["resume", "list", "show"])
def test_records_copied_from_another_run_are_refused_by_the_checkpoint(
    case, stopped, templates, command
):
    # Another run's metrics.jsonl, as many epochs, in an INTERRUPTED run was listed as its own,
    # and the resume trained on from its checkpoint below the other run's epochs: a checkpoint
    # now holds a digest of the records up to its epoch. However alike: this one is the
    # uninterrupted run's (the same numbers, other timings).
    other = next(runs.iter_runs(templates["done"])).file("metrics.jsonl").read_text()
    stopped.file("metrics.jsonl").write_text("".join(other.splitlines(keepends=True)[:3]))
    before = snapshot(case)
    (says,) = RESUME[-2].expect(case / "runs", stopped.path)
    says = says.removeprefix("error: ")
    if command == "list":
        listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
        (row,) = json.loads(listed.stdout)
        assert row["status"] == "DAMAGED" and row["reason"] == says, row
    else:
        args = ["train", "--resume"] if command == "resume" else ["runs", "show"]
        refused(invoke(*args, stopped.path, "--runs-dir", case / "runs"), 2, f"error: {says}")
    assert snapshot(case) == before


def test_a_checkpoint_of_this_run_id_but_another_config_is_refused(case, stopped):
    # (runs made with the same --out name in two runs folders share an id, not a config)
    path = stopped.file("checkpoint.npz")
    _rewrite_checkpoint(path, lambda a: a.update(config_hash=np.array("0" * 64)))
    before = file_bytes(stopped.path)
    result = invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs")
    want = stopped.meta["config_hash"]
    refused(result, 2, f"{path}: the checkpoint of a config hashed 00000000, not of this run's "
            f"(meta.json's config_hash {want})")  # fmt: skip
    assert file_bytes(stopped.path) == before and stopped.status == "INTERRUPTED"


def test_an_edited_config_is_refused_by_its_checkpoint_whatever_meta_json_says(case, stopped):
    # (config.yaml edited and meta.json's config_hash removed: the resume went on with the
    # edited values, though the checkpoint records the hash of the config it was trained with)
    config = stopped.file("config.yaml")
    edited = config.read_text().replace("\nepochs: ", "\nepochs: 1")  # (epochs 6: 16)
    assert edited != config.read_text()
    config.write_text(edited)
    meta = stopped.read_json("meta.json")
    del meta["config_hash"]
    runs.write_json(stopped.file("meta.json"), meta)
    before = file_bytes(stopped.path)
    result = invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs")
    refused(result, 2, f"{config}: not the config its checkpoint was trained with")
    assert file_bytes(stopped.path) == before and stopped.status == "INTERRUPTED"


@pytest.mark.parametrize("command", ["resume", "landscape"])
def test_a_checkpoint_past_the_runs_last_epoch_is_refused_naming_it(case, stopped, command):
    # (epoch 99 of a 3-epoch run: the resume blamed metrics.jsonl, "has no record of epoch 99",
    # and the landscape was drawn around "epoch 99")
    path = stopped.file("checkpoint.npz")
    _rewrite_checkpoint(path, lambda a: a.update(epoch=np.array(99)))
    before = snapshot(case)
    result = _run_command(command, stopped, case)
    refused(result, 2, f"{path}: 'epoch' is 99, past the run's 3 epochs")
    assert snapshot(case) == before


def test_a_checkpoint_naming_its_run_by_half_is_refused(case, stopped):
    path = stopped.file("checkpoint.npz")
    _rewrite_checkpoint(path, lambda a: a.pop("config_hash"))
    result = invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs")
    refused(result, 2, f"{path}: has run_id but no 'config_hash' array")


def test_a_trial_checkpoint_copied_from_another_trial_refuses_the_sweep_resume(case):
    sweep = grid_sweep(case)
    first, second = (runs.RunDir(p) for p in sorted(sweep.path.glob("trials/*")))
    set_meta(sweep, status="INTERRUPTED")
    set_meta(second, status="INTERRUPTED")
    second.file("checkpoint.npz").write_bytes(first.file("checkpoint.npz").read_bytes())
    before = snapshot(case)
    result = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs")
    refused(result, 2, f"{second.file('checkpoint.npz')}: the checkpoint of run {first.id!r}")
    assert snapshot(case) == before


def _another_process_can_claim(path) -> bool:
    code = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)")  # fmt: skip
    return subprocess.run([sys.executable, "-c", code, str(path)]).returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="folder locks: flock")
@pytest.mark.parametrize(
    "what", ["train refused", "sweep refused", "sweep with nothing to do", "tune refused"]
)
def test_a_resume_that_ends_before_it_trains_lets_go_of_the_folder(case, stopped, templates, what):
    # (a resume claims the folder before its checks; refused after the claim, or with nothing
    # to do, it held the folder for the rest of the process: a Python caller or a sweep worker
    # then kept every other process from resuming it)
    if what == "train refused":
        other = next(runs.iter_runs(templates["done"]))
        stopped.file("checkpoint.npz").write_bytes(other.file("checkpoint.npz").read_bytes())
        folder, args = stopped.path, ["train", "--resume", stopped.path]
    elif what == "tune refused":  # (a damaged trial of a round)
        made = invoke("tune", "cfg.yaml", "--trials", "1", "--epochs", "1", "-q", "--runs-dir",
                      case / "t")  # fmt: skip
        assert made.exit_code == 0, made.output
        folder = next(runs.iter_runs(case / "t")).path
        next(folder.glob("rounds/*/trials/*/summary.json")).write_text("[]")
        args = ["tune", "--resume", folder]
    else:
        made = invoke("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--stack", "1", "-q",
                      "--runs-dir", case / "s")  # fmt: skip
        assert made.exit_code == 0, made.output
        sweep = next(runs.iter_runs(case / "s"))
        if what == "sweep refused":
            first, second = (runs.RunDir(p) for p in sorted(sweep.path.glob("trials/*")))
            set_meta(sweep, status="INTERRUPTED")
            set_meta(second, status="INTERRUPTED")
            second.file("checkpoint.npz").write_bytes(first.file("checkpoint.npz").read_bytes())
        folder, args = sweep.path, ["sweep", "--resume", sweep.path]
    result = invoke(*args, "--runs-dir", case / "runs")
    assert result.exit_code == 2, result.output  # (nothing to do: refused as finished)
    assert _another_process_can_claim(folder)


def test_a_checkpoint_written_before_checkpoints_named_their_run_resumes_with_a_note(
    case, stopped, straight
):
    _rewrite_checkpoint(stopped.file("checkpoint.npz"), _as_written_before_identities)
    listed = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert [row["status"] for row in listed] == ["INTERRUPTED"]  # (no damage: an older file)
    result = invoke("train", "--resume", stopped.path, "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        f"resuming {stopped.path} after epoch 2",
        "note: checkpoint.npz records no run (written by an older nnlab): resumed as this run's",
    ]
    assert stopped.meta["resumes"][-1]["checkpoint"].startswith("checkpoint.npz records no run")
    assert without_seconds(stopped.metrics()) == without_seconds(straight)
    with np.load(stopped.file("checkpoint.npz")) as data:  # (the resume's own checkpoint)
        assert str(data["run_id"]) == stopped.id


TAMPERED = {  # what a checkpoint's arrays cannot hold, and what the refusal says
    "a negative epoch": ({"epoch": np.array(-5)}, "'epoch' is array(-5); expected an epoch"),
    "a NaN weight": (
        {"param/affine1.W": "nan"},
        "'param/affine1.W' holds non-finite values (NaN or infinity)",
    ),
    "a negative step count": ({"optim/t": np.array(-1)}, "'optim/t' is array(-1); expected"),
    "a run id that is no text": (
        {"run_id": np.array(5)},
        "'run_id' is array(5); expected the text of its run's run_id",
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERED))
@pytest.mark.parametrize("command", ["train", "sweep"])
def test_a_checkpoint_with_values_no_run_writes_is_refused_and_changes_nothing(
    case, stopped, tamper, command
):
    """A negative epoch resumed "from the start" over the loaded weights (wrong numbers, exit
    0); a NaN weight or a negative step count became a DIVERGED run that could not be resumed:
    each is damage, refused before anything changes, for a run and for a sweep's trial."""
    change, says = TAMPERED[tamper]
    if command == "sweep":
        made = invoke("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--runs-dir",
                      case / "sweeps", "-q")  # fmt: skip
        assert made.exit_code == 0, made.output
        sweep = next(runs.iter_runs(case / "sweeps"))
        set_meta(sweep, status="INTERRUPTED")
        target = next(p for p in (sweep.path / "trials").iterdir())
        shutil.rmtree(target)
        shutil.copytree(stopped.path, target)
        stopped_run, args = runs.RunDir(target), ["sweep", "--resume", sweep.path]
        root = case / "sweeps"
    else:
        stopped_run, args, root = stopped, ["train", "--resume", stopped.path], case / "runs"
    path = stopped_run.file("checkpoint.npz")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays.pop("digest")  # (as a version before the digest wrote it: the values are checked)
    for key, value in change.items():
        arrays[key] = np.full_like(arrays[key], np.nan) if value == "nan" else value
    np.savez(path, **arrays)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = invoke(*args, "--runs-dir", root)
    refused(result, 2, f"{path}: ", says)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


EDITS = {  # a checkpoint changed since it was written, keeping its digest
    "a weight nudged": lambda a: a.update({"param/affine1.W": a["param/affine1.W"] + 1e-3}),
    "an array removed": lambda a: a.pop("param/affine1.b"),
    "an array added": lambda a: a.update({"param/extra": np.zeros(3)}),
}


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("command", ["resume", "landscape"])
def test_a_checkpoint_edited_since_it_was_written_is_refused(case, stopped, edit, command):
    # (a nudged weight resumed silently to other metrics; a removed optimizer array started at 0)
    path = stopped.file("checkpoint.npz")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    EDITS[edit](arrays)
    np.savez(path, **arrays)
    before = snapshot(case)
    refused(_run_command(command, stopped, case), 2, f"{path}: its arrays are not the ones")
    assert snapshot(case) == before


@pytest.mark.parametrize("command", ["resume", "landscape"])
def test_a_config_edited_since_the_run_began_is_refused(case, stopped, command):
    # (epochs: 1 under a checkpoint of epoch 2 ended COMPLETED with more epochs than its config)
    cfg = stopped.file("config.yaml")
    cfg.write_text(cfg.read_text().replace("epochs: 3", "epochs: 1"))
    assert "epochs: 1" in cfg.read_text()
    before = snapshot(case)
    refused(_run_command(command, stopped, case), 2, f"{cfg}: not the config this run was started")
    assert snapshot(case) == before


def test_a_checkpoint_whose_epoch_has_no_record_is_refused(case, stopped):
    lines = stopped.file("metrics.jsonl").read_text().splitlines(keepends=True)
    stopped.file("metrics.jsonl").write_text("".join(lines[:2]))  # epochs 0, 1; checkpoint: 2
    before = file_bytes(stopped.path)
    result = invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs")
    refused(result, 2, f"{stopped.file('metrics.jsonl')}: has no record of epoch 2")
    assert file_bytes(stopped.path) == before


def test_a_torn_last_line_is_dropped_and_the_resume_loses_no_epoch(case, stopped, straight):
    with open(stopped.file("metrics.jsonl"), "ab") as f:
        f.write(b'{"epoch": 3, "loss": 2.1, "tra')  # what a kill in mid-append leaves
    result = invoke("train", "--resume", stopped.path, "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == f"resuming {stopped.path} after epoch 2"
    assert stopped.status == "COMPLETED"
    assert without_seconds(stopped.metrics()) == without_seconds(straight)


def test_a_resume_interrupted_in_turn_resumes_again_to_the_same_metrics(
    case, stopped, straight, monkeypatch
):
    import nnlab.cli.train as cli_train

    def lines(*args, **kwargs):
        def report(record, cfg):
            if record["epoch"] == 3:
                os.kill(os.getpid(), signal.SIGTERM)

        return report

    monkeypatch.setattr(cli_train, "epoch_lines", lines)
    first = invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs")
    assert first.exit_code == 130, first.output
    assert first.stderr.splitlines()[-1] == (
        f"interrupted (SIGTERM): {stopped.path} is INTERRUPTED; continue with: "
        f"nnlab train --resume {stopped.path}"
    )
    assert stopped.status == "INTERRUPTED" and len(stopped.metrics()) == 4
    monkeypatch.undo()
    again = invoke("train", "--resume", stopped.path, "-q", "--runs-dir", case / "runs")
    assert again.exit_code == 0, again.output
    assert without_seconds(stopped.metrics()) == without_seconds(straight)
    assert [r["from_epoch"] for r in stopped.meta["resumes"]] == [2, 3]


def test_a_stale_run_resumes_to_the_uninterrupted_metrics(case, stopped, straight):
    set_meta(stopped, status="RUNNING", pid=2**22 + 1)  # its process is gone: STALE
    listed = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert [row["status"] for row in listed] == ["STALE"]
    result = invoke("train", "--resume", "latest", "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    assert without_seconds(stopped.metrics()) == without_seconds(straight)


def test_the_damage_message_is_one_line_even_for_a_huge_damaged_line(case, stopped):
    stopped.file("metrics.jsonl").write_bytes(
        stopped.file("metrics.jsonl").read_bytes().replace(b"\n", b"\n" + b"x" * 100_000 + b"\n", 1)
    )
    line = one_line(invoke("runs", "show", stopped.path, "--runs-dir", case / "runs").stderr)
    assert len(line) < 300, line[:300]


RESUME = [
    Row(
        "`--resume` of a run whose metrics.jsonl has a damaged line in the middle",
        "`nnlab train --resume latest`",
        2,
        ("error: {run}/metrics.jsonl: line 2: not a JSON record (Expecting property name",),
    ),
    Row(
        "`--resume` with a checkpoint of the wrong shape",
        "`nnlab train --resume RUN`",
        2,
        (
            "error: {run}/checkpoint.npz: 'param/affine1.W' is float32[64, 8], the config's model "
            "needs float32[64, 16]",
        ),
    ),  # fmt: skip
    Row(
        "a truncated checkpoint.npz",
        "`nnlab train --resume RUN`, `nnlab landscape RUN`",
        2,
        (
            "error: {run}/checkpoint.npz: unreadable checkpoint (BadZipFile: File is not a zip file)",
        ),
    ),
    Row(
        "a meta.json that is not an object (or has no valid status, a pid that is no process id, "
        "a field of another kind than nnlab writes, such as an argv that is no list of text, or "
        "is empty)",
        "`nnlab runs show RUN` (and `--resume`, `runs compare`, `landscape`)",
        2,
        ("error: {run}/meta.json: expected a JSON object, got list",),
    ),
    Row(
        "a summary.json that is garbage",
        "`nnlab runs show RUN`, `nnlab runs compare RUN`",
        2,
        ("error: {run}/summary.json: not valid JSON (Expecting value, line 1)",),
    ),
    Row(
        "a damaged file in one folder",
        "`nnlab runs list` (`--format json`)",
        0,
        ('"status": "DAMAGED"', '"reason": "{run}/metrics.jsonl: line 1: not UTF-8 text"'),
    ),
    Row(
        "a damaged file the command itself has no use for, in every command that takes a run "
        "folder (one check decides whether a folder can be used)",
        "`nnlab landscape RUN` (it reads no records; also `train --extend`, `--resume`, "
        "`runs show`, `compare`)",
        2,
        ("error: {run}/metrics.jsonl: line 1: not UTF-8 text",),
    ),
    Row(
        "a training run's meta.json that says COMPLETED short of its config's epochs (an "
        "INTERRUPTED run's status edited)",
        "`nnlab runs show RUN` (and `--resume`, `--extend`, `compare`, `landscape`; `runs list`: "
        "DAMAGED)",
        2,
        (
            "error: {run}/meta.json: says the run ended COMPLETED after epoch 2, but its "
            "config.yaml trains to epoch 3 (its status edited?)",
        ),
    ),
    Row(
        "a config.yaml that is not YAML (or not a mapping, or not UTF-8)",
        "`nnlab runs show RUN` (and `--resume`, `runs compare`, `landscape`; `runs list`: DAMAGED)",
        2,
        ("error: {run}/config.yaml: line 2, column 1: malformed YAML: did not find expected ','",),
    ),
    Row(
        "`--resume` of a run whose metrics.jsonl was copied from another run (however alike)",
        "`nnlab train --resume RUN` (`runs list`: DAMAGED; `runs show`: refused)",
        2,
        (
            "error: {run}/metrics.jsonl: its records up to epoch 2 are not the ones "
            "checkpoint.npz was saved after (copied from another run, or edited?)",
        ),
    ),
    Row(
        "`--resume` with a checkpoint copied from another run (however alike)",
        "`nnlab train --resume RUN` (and `sweep --resume`, `landscape`; `runs list`: DAMAGED)",
        2,
        (
            "error: {run}/checkpoint.npz: the checkpoint of run '",
            "', not of this folder's run '",
            "' (copied from another run?)",
        ),
    ),
]
ROWS_OF = {
    ("resume", "checkpoint truncated"): RESUME[2],
    ("landscape", "checkpoint truncated"): RESUME[2],
    ("show", "meta not an object"): RESUME[3],
    ("show", "summary garbage"): RESUME[4],
    ("compare", "summary garbage"): RESUME[4],
    ("landscape", "metrics not UTF-8"): RESUME[6],
    ("extend", "metrics not UTF-8"): RESUME[6],
    ("show", "meta status edited to COMPLETED"): RESUME[7],
    ("show", "config not YAML"): RESUME[8],
}


def grid_sweep(case) -> runs.RunDir:
    """A finished sweep of two trials (one per stack) under ``case/runs``."""
    made = invoke("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--stack", "1", "-q",
                  "--runs-dir", case / "runs")  # fmt: skip
    assert made.exit_code == 0, made.output
    return next(runs.iter_runs(case / "runs"))


@pytest.mark.parametrize("where", ["the sweep's", "a trial's"])
def test_a_sweep_resume_with_a_damaged_meta_names_it_and_changes_nothing(case, where):
    sweep = grid_sweep(case)
    folder = sweep.path if where == "the sweep's" else sorted(sweep.path.glob("trials/*"))[0]
    set_meta(runs.RunDir(folder), status="INTERRUPTED")
    (folder / "meta.json").write_bytes(b"[1, 2]\n")
    before = snapshot(case)
    result = invoke("sweep", "--resume", "latest", "--runs-dir", case / "runs")
    refused(result, 2, f"error: {folder / 'meta.json'}: expected a JSON object, got list")
    assert snapshot(case) == before


def test_a_sound_trial_of_a_damaged_sweep_is_shown_by_sweep_slash_trial_as_by_its_id(case):
    # (the sweep is where to look: '<sweep>/<trial>' said "no such folder, and '<sweep>' names
    # no run folder" once a lookup checked every folder it found whole; its id alone found it)
    sweep = grid_sweep(case)
    sweep.file("summary.json").write_text('{"best": ')
    trial = sorted(sweep.path.glob("trials/*"))[0]
    for ref in (f"{sweep.id}/{trial.name}", trial.name):
        result = invoke("runs", "show", ref, "--runs-dir", case / "runs")
        assert result.exit_code == 0, (ref, result.output)
        assert f"run       {trial}" in result.stdout
    shown = invoke("runs", "show", sweep.id, "--runs-dir", case / "runs")
    refused(shown, 2, f"error: {sweep.file('summary.json')}: not valid JSON")
    (trial / "meta.json").write_text("[")  # (the trial found is checked, however it is named)
    result = invoke("runs", "show", f"{sweep.id}/{trial.name}", "--runs-dir", case / "runs")
    refused(result, 2, f"error: {trial / 'meta.json'}: not valid JSON")


def test_a_run_still_running_is_not_resumed_and_a_dead_one_reads_stale(case):
    from tests.conftest import fake_run

    alive = fake_run(case / "runs", "20250101-000000-alive-aaaaaa", "RUNNING")
    dead = fake_run(case / "runs", "20250101-000001-dead-bbbbbb", "RUNNING", pid=2**22 + 1)
    listed = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert [row["status"] for row in listed] == ["RUNNING", "STALE"]
    before = snapshot(case)
    result = invoke("train", "--resume", alive.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {alive.path}: still RUNNING in process {os.getpid()}")
    assert snapshot(case) == before and dead.status == "STALE"


def test_a_resume_interrupted_before_it_replays_every_recorded_epoch_keeps_them(case, monkeypatch):
    """Killed after recording epochs 0-4 with its checkpoint at epoch 0, resumed, and
    interrupted again at epoch 2: epochs 3 and 4 are still in metrics.jsonl (a resume replays
    them from the checkpoint; until it has, it must not drop them)."""
    import nnlab.cli.train as cli_train
    from nnlab.experiments import train as tr

    def stop_at(epoch):
        def lines(*args, **kwargs):
            def report(record, cfg):
                if record["epoch"] == epoch:
                    raise KeyboardInterrupt

            return report

        return lines

    real_lines = cli_train.epoch_lines
    monkeypatch.setattr(tr, "CHECKPOINT_SECONDS", 1e9)  # a checkpoint after epoch 0 only
    monkeypatch.setattr(cli_train, "epoch_lines", stop_at(4))
    first = invoke("train", "cfg.yaml", "epochs=6", "--runs-dir", case / "runs")
    assert first.exit_code == 130, first.output
    run = next(runs.iter_runs(case / "runs"))
    recorded = run.metrics()
    assert [r["epoch"] for r in recorded] == [0, 1, 2, 3, 4]

    monkeypatch.setattr(cli_train, "epoch_lines", stop_at(2))
    again = invoke("train", "--resume", run.path, "--runs-dir", case / "runs")
    assert again.exit_code == 130, again.output
    assert [r["epoch"] for r in run.metrics()] == [0, 1, 2, 3, 4]
    assert without_seconds(run.metrics()) == without_seconds(recorded)
    assert run.summary()["epochs"] == 4

    monkeypatch.setattr(cli_train, "epoch_lines", real_lines)
    done = invoke("train", "--resume", run.path, "-q", "--runs-dir", case / "runs")
    straight = invoke("train", "cfg.yaml", "epochs=6", "-q", "--runs-dir", case / "straight")
    assert done.exit_code == straight.exit_code == 0
    reference = next(runs.iter_runs(case / "straight")).metrics()
    assert without_seconds(run.metrics()) == without_seconds(reference)


@pytest.mark.slow
def test_a_damaged_sweep_yaml_lists_as_damaged_and_a_resume_names_it(case):
    sweep = grid_sweep(case)
    set_meta(sweep, status="INTERRUPTED")
    sweep.file("sweep.yaml").write_bytes(b"\xff\xfe" + sweep.file("sweep.yaml").read_bytes())
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "DAMAGED"
    said = "line 1, column 1: byte 0xff is not UTF-8; expected YAML in UTF-8"
    assert row["reason"].startswith(f"{sweep.file('sweep.yaml')}: {said}"), row["reason"]
    before = snapshot(case)
    result = invoke("sweep", "--resume", "latest", "--runs-dir", case / "runs")
    refused(result, 2, f"{sweep.file('sweep.yaml')}: {said}")
    assert snapshot(case) == before


PLAN_DAMAGES = {  # (how sweep.yaml's text is edited, what the line says after its path)
    # an id climbing out of trials/: a resume removed the sweep, the runs folder and beyond
    "an id that climbs out": (lambda t, i: t.replace(f"id: {i}", "id: ../../.."),
                              "trials[0].id is '../../..'; expected a trial id"),
    "an id of '.'": (lambda t, i: t.replace(f"id: {i}", "id: ."), "trials[0].id is '.'"),
    "an empty id": (lambda t, i: t.replace(f"id: {i}", "id: ''"), "trials[0].id is ''"),
    "a number for an id": (lambda t, i: t.replace(f"id: {i}", "id: 12345"),
                           "trials[0].id is 12345"),
    "trials that are no list": (lambda t, i: t[: t.rindex("\ntrials:")] + "\ntrials: 5\n",
                                "trials is 5; expected a list"),
    "values that are no mapping": (lambda t, i: re.sub(r"values: \{[^}]*\}", "values: hello",
                                                       t, count=1),
                                   "trials[0].values is 'hello'; expected a mapping"),
    "a base that is no mapping": (lambda t, i: t.replace("base:", "base: [1]\nold_base:", 1),
                                  "base is [1]; expected a mapping"),
    "an empty file": (lambda t, i: "", "empty; nnlab writes every key there"),
}  # fmt: skip


@pytest.mark.parametrize("damage", list(PLAN_DAMAGES))
def test_a_sweep_yaml_not_as_written_is_damage_and_a_resume_removes_nothing(case, damage):
    sweep = grid_sweep(case)
    first = sweep.config("sweep.yaml")["trials"][0]["id"]
    set_meta(runs.RunDir(sweep.path / "trials" / first), status="FAILED", error="boom")
    set_meta(sweep, status="INTERRUPTED")
    edit, says = PLAN_DAMAGES[damage]
    text = sweep.file("sweep.yaml").read_text()
    sweep.file("sweep.yaml").write_text(edit(text, first))
    assert sweep.file("sweep.yaml").read_text() != text
    says = f"{sweep.file('sweep.yaml')}: {says}"
    before = snapshot(case.parent)
    for args in (["sweep", "--resume", sweep.path], ["runs", "show", sweep.path],
                 ["runs", "compare", sweep.path]):  # fmt: skip
        refused(invoke(*args, "--runs-dir", case / "runs"), 2, f"error: {says}")
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == "DAMAGED" and row["reason"].startswith(says), row
    assert snapshot(case.parent) == before


@pytest.mark.parametrize("where", ["a trial's folder", "trials/"])
@pytest.mark.parametrize("what", ["a symlink", "a file"])
def test_a_link_or_file_where_nnlab_makes_trial_folders_is_damage_the_resume_leaves(
    case, tmp_path, where, what
):
    # (a resume followed a trial folder linked elsewhere and wrote its checkpoint there; a
    # file in a trial folder's place failed the resume with "Not a directory", exit 1)
    sweep = grid_sweep(case)
    set_meta(sweep, status="INTERRUPTED")
    target = sweep.path / "trials" if where == "trials/" else sorted(sweep.path.glob("trials/*"))[0]
    elsewhere = tmp_path / "elsewhere"
    shutil.move(target, elsewhere)
    if what == "a symlink":
        target.symlink_to(elsewhere, target_is_directory=True)
    else:
        target.write_text("not a folder\n")
    before = snapshot(tmp_path)
    result = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs")
    says = "a symlink;" if what == "a symlink" else "is a file, not the folder nnlab makes there"
    refused(result, 2, f"error: {target}: {says}")
    assert snapshot(tmp_path) == before
    shown = invoke("runs", "show", sweep.path, "--runs-dir", case / "runs")
    assert f"DAMAGED {target}: {says.rstrip(';')}" in shown.stdout


def stopped_sweep(case) -> runs.RunDir:
    """A grid sweep under ``case/runs``, its folder saying INTERRUPTED (a resume continues it)."""
    grid_sweep(case)
    folder = next(r for r in runs.iter_runs(case / "runs") if r.kind == "sweep")
    set_meta(folder, status="INTERRUPTED")
    return folder


@pytest.mark.parametrize("name", ["metrics.jsonl", "checkpoint.npz", "meta.json"])
def test_a_file_of_a_run_linked_from_elsewhere_is_read_but_not_resumed_through(
    case, tmp_path, stopped, name
):
    # (`train --resume` appended its records to wherever a linked metrics.jsonl pointed: a
    # write outside the runs folder)
    elsewhere = tmp_path / "elsewhere" / name
    elsewhere.parent.mkdir()
    shutil.move(stopped.file(name), elsewhere)
    stopped.file(name).symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    result = invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {stopped.file(name)}: a symlink to {elsewhere}; a resume writes")
    assert elsewhere.read_bytes() == before
    shown = invoke("runs", "show", stopped.path, "--runs-dir", case / "runs")
    assert shown.exit_code == 0, shown.output


def test_a_trial_file_linked_from_elsewhere_refuses_the_sweeps_resume_up_front(case, tmp_path):
    # (the trial's resume, in a worker, would append its records through the link)
    sweep = stopped_sweep(case)
    trial = runs.RunDir(runs.trial_folders(sweep)[0])
    set_meta(trial, status="INTERRUPTED")
    elsewhere = tmp_path / "elsewhere.jsonl"
    shutil.move(trial.file("metrics.jsonl"), elsewhere)
    trial.file("metrics.jsonl").symlink_to(elsewhere)
    before = snapshot(case / "runs")
    result = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {trial.file('metrics.jsonl')}: a symlink to {elsewhere}; a resume")
    assert snapshot(case / "runs") == before


@pytest.mark.parametrize("kind", ["train", "sweep"])
def test_a_folder_linked_into_the_runs_folder_is_read_but_not_resumed_through(
    case, tmp_path, stopped, kind
):
    # (`train --resume` of a run folder symlinked into runs/ wrote its checkpoint and records
    # wherever the link pointed; reading through a link stays allowed)
    folder = stopped if kind == "train" else stopped_sweep(case)
    elsewhere = tmp_path / "elsewhere" / folder.path.name
    shutil.move(folder.path, elsewhere)
    folder.path.symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(tmp_path / "elsewhere")
    result = invoke(kind, "--resume", folder.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {folder.path}: a symlink to {elsewhere}; a resume writes into")
    assert snapshot(tmp_path / "elsewhere") == before
    shown = invoke("runs", "show", folder.path, "--runs-dir", case / "runs")
    assert shown.exit_code == 0, shown.output
    again = invoke(kind, "--resume", elsewhere, "--runs-dir", case / "runs", "-q")
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("kind", ["train", "sweep"])
def test_a_folder_that_cannot_be_written_is_refused_before_the_resume_says_a_word(
    case, stopped, monkeypatch, kind
):
    # (a read-only mount: 'resuming ... after epoch 0', then 'meta.json: Read-only file
    # system', exit 1; as root, only a read-only file system stops a write, so access() is told)
    folder = stopped if kind == "train" else stopped_sweep(case)
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: mode != os.W_OK and real(p, mode, **kw)
        if Path(p) == folder.path else real(p, mode, **kw)
    )  # fmt: skip
    before = snapshot(case / "runs")
    result = invoke(kind, "--resume", folder.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {folder.path}: cannot be continued here: ")
    assert snapshot(case / "runs") == before


def test_a_run_file_that_never_ends_is_damage_not_a_hang(case, done):
    """meta.json made a link to /dev/zero: the listing reads none of it (it read 256 MB, then
    said 'over 256 MB'; a device is no run file: ``fileio.refuse_a_device``) and calls the
    folder DAMAGED; runs show refuses in one line."""
    done.file("meta.json").unlink()
    done.file("meta.json").symlink_to("/dev/zero")
    says = f"{done.file('meta.json')}: is a device, not the file nnlab writes there"
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == "DAMAGED" and row["reason"] == says
    refused(invoke("runs", "show", done.path, "--runs-dir", case / "runs"), 2, f"error: {says}")


def test_a_meta_of_a_kind_nnlab_never_writes_is_damage_in_every_reader(case, done):
    """Listed DAMAGED (not as a sound folder of an unknown kind), and one line for show."""
    set_meta(done, kind="experiment")
    rows = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert rows[0]["status"] == "DAMAGED"
    assert rows[0]["reason"].endswith("kind 'experiment' is not one of train, sweep, tune, "
                                      "lr-scan, landscape, activations, compare-optimizers, "
                                      "gradcheck")  # fmt: skip
    refused(invoke("runs", "show", done.path), 2, f"{done.file('meta.json')}: kind 'experiment'")


def test_runs_show_reports_the_damage_runs_list_reports(case, done):
    """A sweep.yaml (or checkpoint) show does not display is still checked: a folder listed
    DAMAGED is not shown as sound (exit 0)."""
    done.file("sweep.yaml").write_text("[unclosed\n")
    refused(invoke("runs", "show", done.path), 2, f"{done.file('sweep.yaml')}: ")


FINISHED_DAMAGES = {  # damage to a COMPLETED run that a torn end cannot explain
    "metrics cut short": (
        "metrics.jsonl", lambda b: b[: b.index(b"\n") + 1],
        "ends at epoch 0, but meta.json says the run ended COMPLETED after epoch 3",
    ),
    "metrics emptied": (
        "metrics.jsonl", lambda b: b"", "has no records, but meta.json says the run ended"
    ),
    "metrics cut mid-line": (
        "metrics.jsonl", lambda b: b[: b.index(b"\n") + 10],
        "ends at epoch 0, but meta.json says",
    ),
    "a loss that is text": (
        "metrics.jsonl", lambda b: b.replace(b'"train_loss": ', b'"train_loss": "x", "_": ', 1),
        "line 1: 'train_loss' is 'x'; expected a finite number >= 0 or null",
    ),
    "an accuracy out of range": (  # (was shown and plotted as a healthy 750 %)
        "metrics.jsonl", lambda b: b.replace(b'"train_acc": ', b'"train_acc": 7.5, "_": ', 1),
        "line 1: 'train_acc' is 7.5; expected a number in [0, 1] or null",
    ),
    "a negative loss": (
        "metrics.jsonl", lambda b: b.replace(b'"train_loss": ', b'"train_loss": -1, "_": ', 1),
        "line 1: 'train_loss' is -1; expected a finite number >= 0 or null",
    ),
    "summary a list": ("summary.json", lambda b: b"[1, 2]\n", "expected a JSON object, got list"),
    # (an empty config.yaml read as {}: runs show printed none and exited 0, runs list said
    # COMPLETED, while runs compare and --resume refused it)
    "config emptied": ("config.yaml", lambda b: b"", "empty; nnlab writes every key there"),
}  # fmt: skip


@pytest.mark.parametrize("command", ["list", "show", "compare"])
def test_a_trained_run_without_its_config_is_damage_for_every_reader(case, done, command):
    # (runs show printed the run without its config and exited 0, runs list said COMPLETED,
    # while runs compare and --resume refused it)
    done.file("config.yaml").unlink()
    says = "missing; a run writes its resolved config before its first record"
    if command == "list":
        listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
        (row,) = json.loads(listed.stdout)
        assert row["status"] == "DAMAGED" and says in row["reason"], row
        return
    args = ["runs", command, done.path] + (
        ["--png", case / "c.png"] if command == "compare" else []
    )
    refused(invoke(*args, "--runs-dir", case / "runs"), 2, f"{done.file('config.yaml')}: ")


@pytest.mark.parametrize("command", ["list", "show", "compare", "report"])
def test_a_finished_run_without_its_summary_is_damage_for_every_reader(case, done, command):
    # (runs list said COMPLETED with no accuracies, runs show printed a stale summary.txt, runs
    # compare a row of '-', report and a sweep's resume went on as if it were sound)
    done.file("summary.json").unlink()
    says = f"{done.file('summary.json')}: missing; a train that ended COMPLETED wrote its summary"
    if command == "list":
        (row,) = json.loads(
            invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout
        )
        assert row["status"] == "DAMAGED" and says in row["reason"], row
        return
    if command == "report":
        built = invoke("report", "--runs-dir", case / "runs")
        assert built.exit_code == 0 and f"{done.id}: DAMAGED" in built.stderr, built.output
        page = (case / "runs" / "report" / done.id / "index.html").read_text()
        assert "summary.json: missing; a train that ended COMPLETED" in page
        return
    refused(invoke("runs", command, done.path, "--runs-dir", case / "runs"), 2, says)


def test_a_sweep_trial_without_its_summary_refuses_the_resume(case):
    sweep = grid_sweep(case)
    trial = runs.RunDir(sorted(sweep.path.glob("trials/*"))[0])
    trial.file("summary.json").unlink()
    set_meta(sweep, status="INTERRUPTED")
    before = snapshot(case)
    result = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs")
    refused(result, 2, f"{trial.file('summary.json')}: missing; a train that ended COMPLETED")
    assert snapshot(case) == before


def test_a_sweep_without_its_sweep_yaml_is_damage_for_every_reader(case):
    # (runs list, runs show and report read it as sound; runs compare blamed a config.yaml)
    sweep = grid_sweep(case)
    sweep.file("sweep.yaml").unlink()
    says = f"{sweep.file('sweep.yaml')}: missing; a sweep writes its plan before its trials"
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == "DAMAGED" and row["reason"] == says, row
    for args in (["runs", "show", sweep.path], ["runs", "compare", sweep.path],
                 ["sweep", "--resume", sweep.path]):  # fmt: skip
        refused(invoke(*args, "--runs-dir", case / "runs"), 2, f"error: {says}")


FOUNDED = {  # a kind: the command that makes a folder of it, the file it is made with
    "tune": (["tune", "cfg.yaml", "optimizer.lr=loguniform:1e-2:1", "--trials", "1",
              "--rounds", "2", "--epochs", "1"], "tune.json",
             "a tune writes its settings before its rounds"),
    "landscape": (["landscape", "cfg.yaml", "--points", "3"], "landscape.h5",
                  "a landscape writes its grid before its meta.json"),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(FOUNDED))
def test_a_folder_without_the_file_its_kind_is_made_with_is_damage_for_every_reader(case, kind):
    # (runs list read a tune without tune.json, or a landscape without landscape.h5, as
    # COMPLETED, runs show printed its summary.txt as written, and --resume called it a
    # folder of another kind; a sweep without sweep.yaml: the test above)
    args, name, what = FOUNDED[kind]
    made = invoke(*args, "-q", "--runs-dir", case / "runs")
    assert made.exit_code == 0, made.output
    folder = next(runs.iter_runs(case / "runs"))
    folder.file(name).unlink()
    says = f"{folder.file(name)}: missing; {what}"
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == "DAMAGED" and row["reason"] == says, row
    for args in (["runs", "show", folder.path], [kind, "--resume", folder.path]):
        refused(invoke(*args, "--runs-dir", case / "runs"), 2, f"error: {says}")
    built = invoke("report", "--runs-dir", case / "runs")
    assert built.exit_code == 0 and f"{folder.id}: DAMAGED" in built.stderr, built.output


@pytest.mark.parametrize("damage", list(FINISHED_DAMAGES))
@pytest.mark.parametrize("command", ["list", "show", "compare"])
def test_damage_to_a_finished_run_is_named_by_every_reader(case, done, damage, command):
    # (a COMPLETED run's metrics cut to one epoch showed as "COMPLETED after 3 epochs" with one;
    # a summary.json holding a list made runs compare raise an unexpected AttributeError)
    name, how, says = FINISHED_DAMAGES[damage]
    done.file(name).write_bytes(how(done.file(name).read_bytes()))
    if command == "list":
        result = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)
        assert row["status"] == "DAMAGED" and says in row["reason"], row
        return
    args = ["runs", command, done.path] + (
        ["--png", case / "c.png"] if command == "compare" else []
    )
    refused(invoke(*args, "--runs-dir", case / "runs"), 2, f"{done.file(name)}: ", says)


def test_a_damaged_trial_is_named_by_the_sweeps_readers_not_shown_as_recorded(case):
    # (runs show / compare of the sweep showed the trial COMPLETED from the sweep's summary)
    made = invoke("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--runs-dir", case / "s",
                  "-q")  # fmt: skip
    assert made.exit_code == 0, made.output
    sweep = next(runs.iter_runs(case / "s"))
    bad, good = sorted((sweep.path / "trials").iterdir())
    (bad / "meta.json").write_text("[]\n")
    shown = invoke("runs", "show", sweep.path, "--runs-dir", case / "s")
    assert shown.exit_code == 0, shown.output
    assert f"DAMAGED {bad / 'meta.json'}: expected a JSON object, got list" in shown.stdout
    compared = invoke("runs", "compare", sweep.path, "-f", "json", "--png", case / "c.png",
                      "--runs-dir", case / "s")  # fmt: skip
    assert compared.exit_code == 0, compared.output
    rows = {r["run"]: r for r in json.loads(compared.stdout)}
    assert rows[bad.name]["status"] == "DAMAGED" and rows[bad.name].get("final_test_acc") is None
    assert rows[good.name]["status"] == "COMPLETED" and (case / "c.png").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["meta.json", "metrics.jsonl", "summary.json", "config.yaml", "checkpoint.npz"]
)
def test_a_named_pipe_in_a_run_folder_is_refused_not_waited_on(done, name):
    """A FIFO where a run file should be: opening it waited for a writer, forever, and one
    such folder hung `runs list`, `runs show`, `report` and `--resume` for the whole runs
    folder. Every reader now says what it is and goes on (a subprocess, so a hang fails)."""
    import subprocess

    from .helpers import argv

    (done.path / name).unlink()
    os.mkfifo(done.path / name)
    root = done.path.parent
    for args in (["runs", "list"], ["runs", "show", "latest"], ["report"]):
        result = subprocess.run(
            argv(*args, "--runs-dir", root), capture_output=True, text=True, timeout=60
        )
        assert "Traceback" not in result.stderr, result.stderr
        if result.returncode != 0:
            assert "is a named pipe" in result.stderr, (args, result.stderr)


@pytest.mark.parametrize("key", ["started", "ended", "kind", "name", "run_id", "pid_started"])
def test_a_number_in_a_text_field_of_meta_is_damage_not_a_crash(done, key):
    # ("started": 12345 made runs list, runs show latest and --resume latest raise an
    # unexpected TypeError when they sorted the folders)
    set_meta(done, **{key: 12345})
    result = invoke("runs", "list", "--runs-dir", done.path.parent)
    assert result.exit_code == 0 and "unexpected" not in result.output, result.output
    expected = "a time in ISO 8601" if key in ("started", "ended") else "text or null"
    assert "DAMAGED" in result.stdout and f"{key} is 12345; expected {expected}" in result.stdout


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("argv", 5, "a list of text"),  # (runs show joined it: an unexpected TypeError)
        ("argv", ["nnlab", 7], "a list of text"),
        ("data_dir", ["x"], "text"),  # (--resume made a Path of it)
        ("error", {"a": 1}, "text"),
        ("resumes", 5, "a list of objects"),  # (--resume added its entry to it)
        ("versions", ["numpy"], "an object of text values"),
        ("epochs_done", -1, "a whole number >= 0"),
        ("trial", "x", "an object"),
        ("colour_by", {"a": 1}, "text"),  # (a sweep's: read as no key, without a word)
        ("recipe", "x", "an object"),  # (what a resume of an lr-scan, ... runs again)
        ("batchnorm", "no", "true or false"),  # (an activations': read as on)
    ],
)
def test_a_meta_field_of_the_wrong_kind_is_damage_for_every_reader(done, key, value, expected):
    set_meta(done, **{key: value})
    says = f"{done.file('meta.json')}: {key} is {value!r}; expected {expected}"
    for args in (["runs", "show", done.path], ["train", "--resume", done.path]):
        refused(invoke(*args, "--runs-dir", done.path.parent), 2, f"error: {says}")
    result = invoke("runs", "list", "-f", "json", "--runs-dir", done.path.parent)
    (row,) = json.loads(result.stdout)
    assert row["status"] == "DAMAGED" and row["reason"].startswith(says), row


@pytest.mark.slow
def test_every_field_a_writer_puts_in_meta_has_a_kind_its_readers_check(planned):
    """A field without a kind in ``META_KINDS`` was read unchecked: a sweep's ``colour_by`` of
    {"a": 1} listed the sweep COMPLETED, its figure colouring by no key without a word."""
    from nnlab.kinds import META_KINDS

    found = {}
    for meta in [p for folder in planned.values() for p in folder.rglob("meta.json")]:
        for key in json.loads(meta.read_text()):
            found.setdefault(key, meta)
    unchecked = {key: str(m) for key, m in found.items() if key not in META_KINDS}
    assert set(unchecked) <= {"status", "pid"}, unchecked  # (theirs: what they mean)


@pytest.mark.parametrize("pid", [True, False, 0, -5, 1.5, "123", None, [7]])
def test_a_pid_in_meta_that_is_no_process_id_is_damage_naming_the_key(done, pid):
    # (a RUNNING folder's "pid": true read as pid 1, a process that always runs: the folder
    # stayed RUNNING, never STALE, and nothing said its meta.json was edited)
    set_meta(done, status="RUNNING", pid=pid)
    says = f"{done.file('meta.json')}: pid is {pid!r}; expected a process id, a whole number >= 1"
    result = invoke("runs", "list", "-f", "json", "--runs-dir", done.path.parent)
    assert result.exit_code == 0 and result.stderr == "", result.output
    (row,) = json.loads(result.stdout)
    assert row["status"] == "DAMAGED" and row["reason"] == says
    refused(invoke("runs", "show", done.path, "--runs-dir", done.path.parent), 2, f"error: {says}")


def test_a_meta_without_a_pid_is_read_as_before(done):
    meta = done.read_json("meta.json")
    del meta["pid"]
    runs.write_json(done.file("meta.json"), meta)
    assert done.status == "COMPLETED"


TRIAL_DAMAGES = {  # (the trial's status, the file, how it is damaged, what the line says)
    "a COMPLETED trial's summary value": (
        "COMPLETED", "summary.json",
        lambda b: b.replace(b'"final_test_acc": ', b'"final_test_acc": "high", "x": '),
        "summary.json: final_test_acc is 'high'",
    ),
    "a COMPLETED trial's metrics": (
        "COMPLETED", "metrics.jsonl", _insert_line, "metrics.jsonl: line 2: not a JSON record"
    ),
    "a FAILED trial's metrics": (
        "FAILED", "metrics.jsonl", _insert_line, "metrics.jsonl: line 2: not a JSON record"
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(TRIAL_DAMAGES))
def test_a_damaged_trial_refuses_the_sweep_resume_and_runs_again_once_removed(case, damage):
    # (a kept trial that could not be read became a FAILED row, the resume exited 3 and said
    # "rerun them with: nnlab sweep --resume", which kept it FAILED again; a damaged FAILED
    # trial was removed unseen)
    sweep = grid_sweep(case)
    status, name, how, says = TRIAL_DAMAGES[damage]
    trial = runs.RunDir(sorted(sweep.path.glob("trials/*"))[0])
    if status == "FAILED":
        set_meta(trial, status="FAILED", error="boom")
    trial.file(name).write_bytes(how(trial.file(name).read_bytes()))
    before = snapshot(case)
    result = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {trial.path}/{says}", f"remove {trial.path} to run it again")
    assert snapshot(case) == before
    shutil.rmtree(trial.path)
    again = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs", "-q")
    assert again.exit_code == 0, again.output
    assert trial.status == "COMPLETED" and trial.summary()["final_test_acc"] is not None


TUNE_TRIAL_DAMAGES = {  # (a tune's trials are evaluated on train and val, never on test)
    **TRIAL_DAMAGES,
    "a COMPLETED trial's summary value": (
        "COMPLETED", "summary.json",
        lambda b: b.replace(b'"final_val_acc": ', b'"final_val_acc": "high", "x": '),
        "summary.json: final_val_acc is 'high'",
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(TUNE_TRIAL_DAMAGES))
def test_a_damaged_trial_refuses_the_tune_resume_and_runs_again_once_removed(case, damage):
    # (as sweep --resume: the round's damaged trial refuses the resume up front, and removing
    # its folder makes the resume run it; a finished round's removed trial was not run again
    # and the tune was ranked without it)
    made = invoke("tune", "cfg.yaml", "optimizer.lr=loguniform:1e-2:1", "--trials", "2",
                  "--epochs", "1", "--stack", "1", "-q", "--runs-dir", case / "runs")  # fmt: skip
    assert made.exit_code == 0, made.output
    tune = next(runs.iter_runs(case / "runs"))
    status, name, how, says = TUNE_TRIAL_DAMAGES[damage]
    trial = runs.RunDir(sorted(tune.path.glob("rounds/*/trials/*"))[0])
    if status == "FAILED":
        set_meta(trial, status="FAILED", error="boom")
    trial.file(name).write_bytes(how(trial.file(name).read_bytes()))
    before = snapshot(case)
    result = invoke("tune", "--resume", tune.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {trial.path}/{says}", f"remove {trial.path} to run it again")
    assert snapshot(case) == before
    shutil.rmtree(trial.path)
    again = invoke("tune", "--resume", tune.path, "--runs-dir", case / "runs", "-q")
    assert again.exit_code == 0, again.output
    assert trial.status == "COMPLETED" and trial.summary()["final_val_acc"] is not None
    assert tune.status == "COMPLETED" and tune.summary()["trials"] == {"COMPLETED": 2}


def _tune_of_two_rounds(case) -> runs.RunDir:
    made = invoke("tune", "cfg.yaml", "optimizer.lr=loguniform:1e-2:1", "--rounds", "2",
                  "--trials", "2", "--epochs", "1", "-q", "--runs-dir", case / "runs")  # fmt: skip
    assert made.exit_code == 0, made.output
    return next(runs.iter_runs(case / "runs"))


def _results(tune: runs.RunDir) -> dict:
    """What a tune found: its tune.json and summary, and every round's trial rows."""
    summary = {k: v for k, v in tune.summary().items() if k != "seconds"}
    rows = {p.name: without_seconds(runs.RunDir(p).summary()["trials"])
            for p in sorted((tune.path / "rounds").iterdir())}  # fmt: skip
    return {"tune.json": tune.read_json("tune.json"), "summary": summary, "rounds": rows}


@pytest.mark.slow
def test_a_tune_resume_runs_a_removed_round_folder_again_to_the_same_results(case):
    # (it was refused as "<round>/meta.json: missing", as if the folder were there and had
    # lost one file; a round is planned from what tune.json records, so it runs again where
    # tune.json records it, with the same trials, rows and proposal as before)
    tune = _tune_of_two_rounds(case)
    before = _results(tune)
    first, _ = sorted((tune.path / "rounds").iterdir())
    shutil.rmtree(first)
    again = invoke("tune", "--resume", tune.path, "--runs-dir", case / "runs", "-q")
    assert again.exit_code == 0, again.output
    assert "note:" not in again.stderr, again.stderr
    assert runs.RunDir(first).status == "COMPLETED" and tune.status == "COMPLETED"
    assert _results(tune) == before
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert "reason" not in row and "bad_trials" not in row


@pytest.mark.slow
def test_a_round_folder_without_meta_refuses_the_tune_resume_and_runs_again_once_removed(case):
    tune = _tune_of_two_rounds(case)
    before = _results(tune)
    first, _ = sorted((tune.path / "rounds").iterdir())
    (first / "meta.json").unlink()
    kept = snapshot(case)
    result = invoke("tune", "--resume", tune.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {first}/meta.json: missing", f"remove {first} to run it again")
    assert snapshot(case) == kept
    shutil.rmtree(first)
    again = invoke("tune", "--resume", tune.path, "--runs-dir", case / "runs", "-q")
    assert again.exit_code == 0, again.output
    assert _results(tune) == before


def _settings(change):
    def damage(state: dict) -> str:
        change(state["settings"])
        return json.dumps(state)

    return damage


TUNE_STATE_DAMAGES = {  # how tune.json is changed -> what the line says after "tune.json: "
    "settings not an object": (
        lambda state: json.dumps({**state, "settings": []}),
        "settings is []; expected an object",
    ),
    "settings without ranges": (_settings(lambda s: s.pop("ranges")), "settings has no 'ranges'"),
    "trials as text": (
        _settings(lambda s: s.update(trials="3")),
        "settings trials is '3'; expected a whole number >= 1",
    ),
    "a negative seed": (  # (an 'unexpected' ValidationError, exit 1)
        _settings(lambda s: s.update(seed=-1)),
        "settings seed is -1; expected a whole number from 0 to 4294967295",
    ),
    "overrides as text": (  # (resumed as if no override had been given)
        _settings(lambda s: s.update(overrides="epochs=5")),
        "settings overrides is 'epochs=5'; expected a list of text",
    ),
    "ranges not an object": (  # ("'int' object has no attribute 'items'")
        _settings(lambda s: s.update(ranges=5)),
        "settings ranges is 5; expected an object of ranges (loguniform:LOW:HIGH)",
    ),
    "a seed past --seed's": (  # (an 'unexpected' ValidationError, exit 1)
        _settings(lambda s: s.update(seed=2**32)),
        "settings seed is 4294967296; expected a whole number from 0 to 4294967295",
    ),
    "a metric no round ranks by": (  # ("no trial completed (each diverged or failed)", exit 1)
        _settings(lambda s: s.update(metric="final_zzz")),
        "settings: --metric: expected one of final_val_acc",
    ),
    "a name that is a path": (
        _settings(lambda s: s.update(name="../x")),
        "settings: name: '../x' contains a path separator",
    ),
    "a range that is not one": (
        _settings(lambda s: s.update(ranges={"optimizer.lr": "choice:1,2"})),
        "settings: optimizer.lr: tune searches loguniform:low:high",
    ),
    "a round's range": (
        lambda state: json.dumps(
            {**state, "rounds": [{**state["rounds"][0], "ranges": {"optimizer.lr": "x"}}]}
        ),
        "rounds entry 1: optimizer.lr: tune searches loguniform:low:high",
    ),
}
# the damage every reader sees, not the resume only: tune.json's settings of a kind tune never
# writes (``plans.settings_problem``), listed as sound before
LISTED_DAMAGES = [
    name for name, (_, says) in TUNE_STATE_DAMAGES.items() if says.startswith("settings ")
]


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(TUNE_STATE_DAMAGES))
def test_a_damaged_tune_json_refuses_the_tune_resume_in_one_line(case, damage):
    # (what the resume reads of tune.json besides its rounds: a KeyError or TypeError was a
    # traceback, a bad range blamed on the command's ranges)
    made = invoke("tune", "cfg.yaml", "optimizer.lr=loguniform:1e-2:1", "--trials", "1",
                  "--epochs", "1", "-q", "--runs-dir", case / "runs")  # fmt: skip
    assert made.exit_code == 0, made.output
    tune = next(runs.iter_runs(case / "runs"))
    how, says = TUNE_STATE_DAMAGES[damage]
    if says.startswith("settings: "):  # (settings of the kinds tune writes: meta.json's
        # settings_hash tells them edited; a version that recorded none, the resume's checks)
        set_meta(tune, settings_hash=None)
    tune.file("tune.json").write_text(how(tune.read_json("tune.json")))
    before = snapshot(case)
    result = invoke("tune", "--resume", tune.path, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {tune.file('tune.json')}: {says}")
    assert snapshot(case) == before
    listed = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    if damage in LISTED_DAMAGES:
        assert (listed[0]["status"], listed[0]["reason"]) == (
            "DAMAGED",
            f"{tune.file('tune.json')}: {says}",
        )


@pytest.mark.parametrize("how", ["swapped", "copied from another sweep"])
def test_a_trial_folder_that_is_not_the_planned_trial_is_damaged_for_every_reader(case, how):
    # (two trial folders swapped, or one copied in from another sweep under its id, were shown
    # by runs compare and kept by a resume as the planned trial, with another trial's numbers)
    import shutil

    sweep = grid_sweep(case)
    first, second = sorted(sweep.path.glob("trials/*"))
    if how == "swapped":
        first.rename(first.with_name("x"))
        second.rename(first)
        first.with_name("x").rename(second)
        wrong = first
    else:
        made = invoke("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--stack", "1",
                      "--seed", "7", "-q", "--runs-dir", case / "elsewhere")  # fmt: skip
        assert made.exit_code == 0, made.output
        other = sorted(next(runs.iter_runs(case / "elsewhere")).path.glob("trials/*"))[0]
        shutil.rmtree(first)
        shutil.copytree(other, first)
        wrong = first
    reason = f"{wrong / 'meta.json'}: trial "
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    (row,) = json.loads(listed.stdout)
    bad = {b["trial"]: b for b in row["bad_trials"]}
    assert bad[wrong.name]["status"] == "DAMAGED" and reason in bad[wrong.name]["reason"], row
    compared = invoke("runs", "compare", str(sweep.path), "-f", "json", "--runs-dir", case / "runs")
    statuses = {r["run"]: r["status"] for r in json.loads(compared.stdout)}
    assert statuses[wrong.name] == "DAMAGED", compared.output
    set_meta(sweep, status="INTERRUPTED")
    before = snapshot(case)
    result = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs")
    refused(result, 2, reason, "not this sweep's trial")
    assert snapshot(case) == before


def _drop_planned_trial(sweep: runs.RunDir, trial: str) -> None:
    plan = sweep.config("sweep.yaml")
    plan["trials"] = [t for t in plan["trials"] if t["id"] != trial]
    sweep.file("sweep.yaml").write_text(yaml.safe_dump(plan))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["dropped from sweep.yaml", "renamed", "its id edited"])
def test_a_trial_folder_the_plan_does_not_list_is_damaged_for_every_reader(case, how):
    # (a folder under trials/ that sweep.yaml plans no trial for was passed over: a trial
    # dropped from the plan vanished from runs show, compare and the listing, and a resume of
    # an edited id ran a new trial beside the old folder)
    sweep = grid_sweep(case)
    first, second = sorted(sweep.path.glob("trials/*"))
    stray = first
    if how != "renamed":  # (meta.json's plan_hash tells sweep.yaml edited, test_edited; a
        set_meta(sweep, plan_hash=None)  # version that recorded none, the folders by the plan)
    if how == "dropped from sweep.yaml":
        _drop_planned_trial(sweep, first.name)
    elif how == "renamed":
        stray = first.rename(first.with_name("deadbeef"))
    else:
        text = sweep.file("sweep.yaml").read_text()
        sweep.file("sweep.yaml").write_text(text.replace(f"id: {first.name}", "id: abcdef12"))
    says = f"{stray}: a trial folder sweep.yaml plans no trial for"
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    bad = {b["trial"]: b for b in row["bad_trials"]}
    assert bad[stray.name]["status"] == "DAMAGED" and bad[stray.name]["reason"].startswith(says)
    shown = invoke("runs", "show", str(sweep.path), "--runs-dir", case / "runs")
    assert shown.exit_code == 0 and f"DAMAGED {says}" in shown.stdout, shown.output
    report = invoke("report", "--runs-dir", case / "runs")
    assert f"trials/{stray.name}: DAMAGED" in report.stderr, report.output
    set_meta(sweep, status="INTERRUPTED")
    before = snapshot(case)
    result = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs")
    refused(result, 2, says, "(remove it to resume)")
    assert snapshot(case) == before


@pytest.mark.parametrize("how", ["removed", "a link to nothing"])
def test_a_run_folder_whose_meta_json_is_gone_is_damaged_not_left_out(case, stopped, how):
    # (runs list and the report left it out or showed it as some other folder, and `runs show`
    # or `--resume` given its very name said that no run folder matched)
    meta = stopped.file("meta.json")
    meta.unlink()
    if how == "a link to nothing":
        meta.symlink_to(case / "nowhere")
    says = f"{meta}: missing; nnlab writes it in every run folder"
    if how == "a link to nothing":  # (said so: test_links)
        says = f"{meta}: a symlink to {case / 'nowhere'}, which is not there"
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    (row,) = json.loads(listed.stdout)
    assert (row["status"], row["reason"]) == ("DAMAGED", says)
    for args in (("runs", "show", stopped.id), ("train", "--resume", stopped.id)):
        refused(invoke(*args, "--runs-dir", case / "runs"), 2, says)
    report = invoke("report", "--runs-dir", case / "runs")
    assert f"warning: {stopped.id}: DAMAGED, could not be read" in report.stderr


@pytest.mark.parametrize(
    ("replace", "reason"),
    [
        (lambda p: p.write_text("root:x:0:0:root:/root:/bin/bash\n"),
         "unreadable checkpoint (ValueError: not an .npz archive: it does not begin as a zip "
         "file does)"),
        (lambda p: p.write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '<i8'}"),
         "unreadable checkpoint (ValueError: not an .npz archive"),
        (lambda p: p.mkdir(), "checkpoint.npz: is a folder, not the file nnlab writes there"),
    ],
)  # fmt: skip
def test_a_checkpoint_replaced_by_other_bytes_is_said_so_not_offered_a_pickle(
    case, stopped, replace, reason
):
    # (numpy read text as a pickle and refused it with its advice: 'This file contains pickled
    # (object) data. If you trust the file you can load it using allow_pickle=True'; a folder
    # there repeated its path: '(IsADirectoryError: [Errno 21] Is a directory: <path>)')
    path = stopped.file("checkpoint.npz")
    path.unlink()
    replace(path)
    before = file_bytes(stopped.path) if path.is_file() else None
    result = invoke("train", "--resume", stopped.path, "--runs-dir", case / "runs")
    line = refused(result, 2, f"{path}: {reason}" if "is a folder" not in reason else reason)
    assert "pickle" not in line and line.count(str(path)) == 1
    assert before is None or file_bytes(stopped.path) == before
    assert stopped.status == "INTERRUPTED"


@pytest.mark.parametrize("how", ["path", "id prefix"])
def test_report_of_a_damaged_folder_named_shows_it_damaged_however_named(case, stopped, how):
    """``report RUN`` shows every folder it is given, a damaged one DAMAGED: named by its path
    it did, named by an id prefix it refused one with a damaged meta.json (exit 2), and every
    other reference now finds folders through the check that refuses damage."""
    stopped.file("meta.json").write_bytes(b"[1, 2]\n")
    ref = stopped.path if how == "path" else stopped.id[:20]
    result = invoke("report", ref, "--runs-dir", case / "runs", "--out", case / "report")
    assert result.exit_code == 0, result.output
    assert f"warning: {stopped.id}: DAMAGED, could not be read" in result.stderr


@pytest.mark.parametrize("how", ["--resume", "--out"])
def test_a_damaged_landscape_folder_is_refused_however_it_is_named(case, planned, how):
    """``landscape --out FOLDER`` naming a landscape folder completes it as ``--resume FOLDER``
    does; it took the folder as it found it, without the check every other reference to a
    folder makes (``lookup.usable``)."""
    copy_runs(planned["landscape"], case / "runs")
    folder = only(case / "runs")
    folder.file("summary.json").write_bytes(b"\x00garbage")
    before = snapshot(case)
    if how == "--resume":
        result = invoke("landscape", "--resume", folder.path, "--runs-dir", case / "runs")
    else:
        result = invoke("landscape", "cfg.yaml", "--points", "3", "--samples", "20", "--out",
                        folder.path, "--runs-dir", case / "runs")  # fmt: skip
    refused(result, 2, f"error: {folder.file('summary.json')}: not valid JSON")
    assert snapshot(case) == before


@pytest.mark.parametrize(("kind", "name"), [("train", "notes"), ("train", "trials"),
                                           ("sweep", "notes.md"), ("sweep", "rounds")])  # fmt: skip
def test_a_link_at_a_name_nnlab_never_writes_is_left_alone_by_a_resume(
    case, tmp_path, stopped, kind, name
):
    """A user's own link in a run folder (``notes -> ~/notes``; a train run's ``trials``, a
    sweep's ``rounds``) made every resume refuse the folder ('nnlab writes nothing of that
    name, but resumes a folder only with no link in it'): nnlab neither writes, follows nor
    removes it, so the resume goes on and leaves the link and what it points to as they were;
    ``runs remove`` removes the link alone. A hard link of such a name is no reason either."""
    folder = stopped if kind == "train" else stopped_sweep(case)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "mine.txt").write_text("my notes\n")
    folder.file(name).symlink_to(target)
    os.link(target / "mine.txt", folder.file("kept.notes"))  # (a hard link, a name of its own)
    before = snapshot(target)
    result = invoke(kind, "--resume", folder.path, "--runs-dir", case / "runs", "-q")
    assert result.exit_code == 0, result.output
    assert folder.status == "COMPLETED"
    assert folder.file(name).readlink() == target and snapshot(target) == before
    assert (
        invoke("runs", "remove", folder.path, "--yes", "--runs-dir", case / "runs").exit_code == 0
    )
    assert not folder.path.exists() and snapshot(target) == before


@pytest.mark.parametrize(
    ("kind", "name", "said"),
    [
        ("train", "summary.txt", "a symlink to {target}; a resume writes this file of the "
         "folder's own, never through a link: put the file itself there"),
        ("sweep", "trials", "a symlink; nnlab makes a plain folder there (remove the link)"),
        ("sweep", "STOP", "a symlink to {target}; a resume writes this file"),
    ],
)  # fmt: skip
def test_a_link_in_a_resumed_folder_is_said_as_what_nnlab_does_at_its_name(
    case, tmp_path, stopped, kind, name, said
):
    """Every resume refuses a folder holding a symlink at a name nnlab writes, saying what
    nnlab does at that name (a link to a folder here; summary.txt's to a file, as a folder
    there is said first as the wrong kind): it said 'nnlab makes a plain folder there (remove
    the link)' of any link to a folder."""
    folder = stopped if kind == "train" else stopped_sweep(case)
    target = tmp_path / "elsewhere"
    if name == "trials" and kind == "sweep":
        shutil.move(folder.file(name), target)
    elif name == "summary.txt":
        folder.file(name).unlink(missing_ok=True)
        target.write_text("a table\n")
    else:
        target.mkdir()
    folder.file(name).symlink_to(target)
    before = snapshot(tmp_path / "elsewhere") if target.is_dir() else target.read_bytes()
    result = invoke(kind, "--resume", folder.path, "--runs-dir", case / "runs")
    line = refused(result, 2, f"error: {folder.file(name)}: {said.format(target=target)}")
    after = snapshot(tmp_path / "elsewhere") if target.is_dir() else target.read_bytes()
    assert after == before, line
