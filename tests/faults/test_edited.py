"""A file nnlab reads back, edited by hand in a way that changes what its folder means: every
reader (``runs list``, ``runs show``, ``runs compare``, ``report`` and the folder's resume)
says DAMAGED naming the file and the field, in one line, never a traceback, and a refused
resume changes nothing.

A planning file is checked against what meta.json recorded of it when the folder was made (a
sweep's ``plan_hash`` of sweep.yaml, a tune's ``settings_hash`` of tune.json's settings), as
config.yaml is against ``config_hash``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from nnlab import runs
from nnlab.plans import array_problem
from nnlab.rundir import state_digest

from .helpers import copy_runs, invoke, refused, snapshot


def _yaml_edit(change: Callable[[dict], None]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        plan = yaml.safe_load(data)
        change(plan)
        return yaml.safe_dump(plan, sort_keys=False).encode()

    return edit


def _json_edit(change: Callable[[dict], None]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        state = json.loads(data)
        change(state)
        return json.dumps(state, indent=2).encode()

    return edit


def _set(path: str, value: object) -> Callable[[dict], None]:
    """Set the value at ``path`` (keys and list indexes, split at '/')."""

    def change(data: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        for part in parents:
            data = data[part]
        data[last] = value

    return change


PLAN = "not the plan this sweep was started with (its hash is"
SETTINGS = "settings not the ones this tune was started with (its hash is"

# edit -> (the folder, its file, how it is edited, what the line says after the file's path)
EDITS = {
    "sweep.yaml: a swept value": (
        "sweep", "sweep.yaml", lambda b: b.replace(b"[0.1, 0.2]", b"[0.1, 0.3]"), PLAN
    ),
    "sweep.yaml: the base config's rate": (
        "sweep", "sweep.yaml", _yaml_edit(_set("base/optimizer/lr", 0.5)), PLAN
    ),
    "sweep.yaml: a trial's value": (
        "sweep", "sweep.yaml", _yaml_edit(_set("trials/1/values/optimizer.lr", 0.3)), PLAN
    ),
    "sweep.yaml: a trial's seed": ("sweep", "sweep.yaml", _yaml_edit(_set("trials/0/seed", 7)), PLAN),
    "sweep.yaml: an override added": (
        "sweep", "sweep.yaml", _yaml_edit(_set("overrides", ["epochs=5"])), PLAN
    ),
    "sweep.yaml: a trial dropped": (
        "sweep", "sweep.yaml", _yaml_edit(lambda plan: plan["trials"].pop()), PLAN
    ),
    "sweep.yaml: a trial's id": (
        "sweep", "sweep.yaml", _yaml_edit(_set("trials/0/id", "abcdef12")), PLAN
    ),
    "tune.json: a range": (
        "tune", "tune.json",
        _json_edit(_set("settings/ranges/optimizer.lr", "loguniform:0.001:0.1")), SETTINGS,
    ),
    "tune.json: the base config's rate": (
        "tune", "tune.json", _json_edit(_set("settings/base/optimizer/lr", 0.5)), SETTINGS
    ),
    "tune.json: top_k": ("tune", "tune.json", _json_edit(_set("settings/top_k", 2)), SETTINGS),
    "tune.json: the metric": (
        "tune", "tune.json", _json_edit(_set("settings/metric", "best_val_acc")), SETTINGS
    ),
}  # fmt: skip


@pytest.fixture
def edited(case, planned, request) -> tuple[runs.RunDir, str]:
    """A copy of ``request.param``'s folder with its edit, and what every reader says of it."""
    kind, name, how, says = EDITS[request.param]
    copy_runs(planned[kind], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    run.file(name).write_bytes(how(run.file(name).read_bytes()))
    return run, f"{run.file(name)}: {says}"


RESUMES = {"sweep": ("sweep", "--resume"), "tune": ("tune", "--resume")}


@pytest.mark.parametrize("edited", list(EDITS), indirect=True)
@pytest.mark.parametrize("command", ["list", "show", "compare", "report", "resume"])
def test_an_edit_that_changes_what_a_folder_means_is_damage_for_every_reader(case, edited, command):
    """sweep.yaml's swept values, base config or trials, and tune.json's settings, edited: `runs
    show`, the report and `sweep --resume` took them as what the trials ran with."""
    run, says = edited
    root = case / "runs"
    if command == "list":
        result = invoke("runs", "list", "-f", "json", "--runs-dir", root)
        assert result.exit_code == 0 and result.stderr == "", result.output
        (row,) = json.loads(result.stdout)
        assert row["status"] == "DAMAGED" and row["reason"].startswith(says), row
    elif command == "report":
        result = invoke("report", "--runs-dir", root)
        assert result.exit_code == 0 and "Traceback" not in result.stderr, result.output
        assert f"warning: {run.id}: DAMAGED, could not be read" in result.stderr
    elif command == "resume":
        before = snapshot(case)
        refused(invoke(*RESUMES[run.kind], run.path, "-q", "--runs-dir", root), 2, says)
        assert snapshot(case) == before
    else:  # (compare too: a tune is its rounds' trials, read once the tune is found sound)
        refused(invoke("runs", command, run.path, "--runs-dir", root), 2, says)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sweep", "tune"])
def test_a_planning_file_as_written_reads_as_sound_and_resumes(case, planned, kind):
    copy_runs(planned[kind], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    hashed = {"sweep": "plan_hash", "tune": "settings_hash"}[kind]
    assert isinstance(run.meta[hashed], str) and run.status == "COMPLETED"
    run.check_files()
    finished = invoke(*RESUMES[kind], run.path, "-q", "--runs-dir", case / "runs")
    refused(finished, 2, "already COMPLETED, nothing to resume")  # (sound, and finished)
    trials = sorted(
        run.path.glob("trials/*") if kind == "sweep" else run.path.glob("rounds/*/trials/*")
    )
    shutil.rmtree(trials[0])  # (work left: the resume runs that trial again)
    result = invoke(*RESUMES[kind], run.path, "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["sweep", "tune"])
def test_a_folder_of_a_version_that_recorded_no_hash_is_read_as_before(case, planned, kind):
    copy_runs(planned[kind], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    meta = run.read_json("meta.json")
    meta.pop({"sweep": "plan_hash", "tune": "settings_hash"}[kind])
    runs.write_json(run.file("meta.json"), meta)
    name, how = {"sweep": ("sweep.yaml", EDITS["sweep.yaml: a swept value"][2]),
                 "tune": ("tune.json", EDITS["tune.json: top_k"][2])}[kind]  # fmt: skip
    run.file(name).write_bytes(how(run.file(name).read_bytes()))
    run.check_files()  # (nothing recorded to tell an edit by)


# a meta.json field -> (a folder that has it, a value of another kind, what is expected)
META_FIELDS = {
    "seed": ("train", "abc", "a whole number from 0 to 4294967295 or null"),
    "overrides": ("train", 5, "a list of text or null"),
    "data_source": ("train", ["digits"], "text or null"),
    "git_commit": ("train", 5, "text or null"),
    "config_hash": ("train", 5, "text or null"),
    "blas_threads": ("train", "1", "a whole number >= 1"),
    "largest_product": ("train", -1, "a whole number >= 0 or null"),
    "preset": ("sweep", 5, "text or null"),
    "axes": ("sweep", "optimizer.lr", "a list of text or null"),
    "n_trials": ("sweep", "2", "a whole number >= 1 or null"),
    "jobs": ("sweep", 0, "a whole number >= 1 or null"),
    "stack": ("sweep", [8], "a whole number >= 1 or null"),
    "executor": ("sweep", {"a": 1}, "text or null"),
    "counts": ("sweep", {"COMPLETED": "2"}, "an object of counts or null"),
    "plan_hash": ("sweep", 5, "text or null"),
    "settings_hash": ("tune", [], "text or null"),
    "failed_trials": ("tune", -1, "a whole number >= 0 or null"),
    "source": ("landscape", 5, "text or null"),
    "source_run": ("landscape", 5, "text or null"),
    "settings": ("landscape", "filter", "an object or null"),
    "points_computed_last": ("landscape", "9", "a whole number >= 0 or null"),
    "rates": ("lr-scan", [0.1, "x"], "a list of numbers > 0 or null"),
    "epochs": ("lr-scan", "2", "a whole number >= 0 or null"),
    "activations": ("activations", "relu", "a list of text or null"),
    "inits": ("activations", [1], "a list of text or null"),
    "layers": ("activations", 0, "a whole number >= 1 or null"),
    "units": ("activations", 1.5, "a whole number >= 1 or null"),
    "samples": ("activations", "20", "a whole number >= 1 or null"),
    "function": ("compare-optimizers", 5, "text or null"),
    "tol": ("compare-optimizers", "small", "a finite number >= 0 or null"),
    "param": ("gradcheck", ["W"], "text or null"),
}
RESUMES.update(train=("train", "--resume"), landscape=("landscape", "--resume"))


@pytest.mark.slow
@pytest.mark.parametrize("key", list(META_FIELDS))
def test_a_meta_field_of_another_kind_is_damage_for_every_reader(case, planned, key):
    """A hand-edited "seed": "abc" or "overrides": 5 (fields nnlab writes but no logic of its
    own reads back) was shown by `runs show`, `compare` and the report as the run's."""
    kind, value, expected = META_FIELDS[key]
    copy_runs(planned[kind], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    assert key in run.meta, (kind, key)  # (a field the folder's writer records)
    meta = run.read_json("meta.json")
    runs.write_json(run.file("meta.json"), {**meta, key: value, "status": "INTERRUPTED"})
    says = f"{run.file('meta.json')}: {key} is {value!r}; expected {expected}"
    root = case / "runs"
    result = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    assert result.exit_code == 0 and result.stderr == "", result.output
    (row,) = json.loads(result.stdout)
    assert row["status"] == "DAMAGED" and row["reason"] == says, row
    refused(invoke("runs", "show", run.path, "--runs-dir", root), 2, f"error: {says}")
    if kind in ("train", "sweep"):
        refused(invoke("runs", "compare", run.path, "--runs-dir", root), 2, f"error: {says}")
    if kind in RESUMES:
        before = snapshot(case)
        refused(invoke(*RESUMES[kind], run.path, "--runs-dir", root), 2, f"error: {says}")
        assert snapshot(case) == before
    result = invoke("report", "--runs-dir", root)
    assert result.exit_code == 0 and "Traceback" not in result.stderr, result.output
    assert f"warning: {run.id}: DAMAGED, could not be read" in result.stderr


@pytest.mark.parametrize("kind", ["train", "landscape", "lr-scan", "activations",
                                  "compare-optimizers", "gradcheck"])  # fmt: skip
def test_every_kind_of_folder_reads_as_sound_as_written(case, planned, kind):
    copy_runs(planned[kind], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    run.check_files()
    assert run.status == "COMPLETED"


def _forge(path: Path, **added: np.ndarray) -> None:
    """Add arrays to a checkpoint and write its digest again, as a forger would."""
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files if k != "digest"}
    arrays.update(added)
    np.savez(path, **arrays, digest=np.array(state_digest(arrays)))


@pytest.mark.parametrize("name", ["extra", "optimizer/v", "params/affine1.W"])
@pytest.mark.parametrize("command", ["list", "show", "compare", "report", "resume", "landscape"])
def test_a_checkpoint_with_an_array_added_and_its_digest_redone_is_damage(
    case, stopped, name, command
):
    """An array no checkpoint holds, its digest recomputed, was accepted by every reader (a
    resume passed over it); the index says it, so every reader refuses it."""
    path = stopped.file("checkpoint.npz")
    _forge(path, **{name: np.zeros(3)})
    says = f"{path}: holds an array {name!r}, which no checkpoint holds (expected epoch,"
    root = case / "runs"
    if listed_or_reported_damaged(command, stopped, root, says):
        return
    args = {
        "show": ["runs", "show", stopped.path],
        "compare": ["runs", "compare", stopped.path],
        "resume": ["train", "--resume", stopped.path],
        "landscape": ["landscape", stopped.path, "--points", "3", "--samples", "20"],
    }[command]
    before = snapshot(case)
    refused(invoke(*args, "--runs-dir", root), 2, f"error: {says}")
    assert snapshot(case) == before


def test_a_checkpoint_as_written_holds_only_the_arrays_the_reader_knows(stopped):
    with np.load(stopped.file("checkpoint.npz")) as data:
        assert array_problem(list(data.files)) is None
    stopped.load_checkpoint()


def _set_attr(key: str, value: object) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        import h5py

        with h5py.File(path, "r+") as f:
            if value is None:
                del f.attrs[key]
            else:
                f.attrs[key] = value

    return edit


# landscape.h5's attribute edit -> what the line says after the file's path
LANDSCAPE_EDITS = {
    "the span": (_set_attr("hi", 2.0), "attribute 'hi' is 2.0, meta.json's settings.hi 1.0: edited?"),
    "the normalisation": (
        _set_attr("normalize", "none"),
        "attribute 'normalize' is 'none', meta.json's settings.normalize 'filter': edited?",
    ),
    "the split": (_set_attr("split", "test"), "attribute 'split' is 'test', meta.json's settings"),
    "the samples": (_set_attr("samples", 10), "attribute 'samples' is 10, meta.json's settings"),
    "the seed": (_set_attr("seed", 3), "attribute 'seed' is 3, meta.json's settings.seed 0"),
    "the batch": (_set_attr("batch", 7), "attribute 'batch' is 7, meta.json's settings.batch"),
    "the source": (_set_attr("source", "elsewhere"), "attribute 'source' is 'elsewhere', meta"),
    "the config hash": (_set_attr("config_hash", "0000"), "attribute 'config_hash' is '0000'"),
    "an attribute removed": (
        _set_attr("lo", None), "not a landscape file as nnlab writes one (no attribute 'lo')"
    ),
    "an attribute added": (
        _set_attr("norm", 2.0), "has an attribute 'norm', which nnlab does not write there"
    ),
}  # fmt: skip


@pytest.mark.parametrize("edit", list(LANDSCAPE_EDITS))
@pytest.mark.parametrize("command", ["list", "show", "report", "resume", "out"])
def test_a_landscape_whose_attributes_were_edited_is_damage_for_every_reader(
    case, planned, edit, command
):
    """landscape.h5's settings (its span, split, how its directions were normalised) edited
    were listed as sound, and the report and a resume took them as the landscape's."""
    copy_runs(planned["landscape"], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    how, says = LANDSCAPE_EDITS[edit]
    how(run.file("landscape.h5"))
    says = f"{run.file('landscape.h5')}: {says}"
    root = case / "runs"
    if listed_or_reported_damaged(command, run, root, says):
        return
    args = {
        "show": ["runs", "show", run.path],
        "resume": ["landscape", "--resume", run.path],
        "out": ["landscape", case / "cfg.yaml", "--points", "3", "--samples", "20", "--out",
                run.path],
    }[command]  # fmt: skip
    before = snapshot(case)
    refused(invoke(*args, "--runs-dir", root), 2, f"error: {says}")
    assert snapshot(case) == before


def test_a_tune_round_whose_recorded_ranges_were_edited_refuses_the_resume(case, planned):
    """A recorded round's ranges in tune.json, edited: the resume planned the next rounds from
    them as if the round had searched them."""
    copy_runs(planned["tune"], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    state = run.read_json("tune.json")
    state["rounds"][0]["ranges"]["optimizer.lr"] = "loguniform:0.001:0.1"
    runs.write_json(run.file("tune.json"), state)
    before = snapshot(case)
    result = invoke("tune", "--resume", run.path, "--runs-dir", case / "runs")
    ranges = state["rounds"][0]["ranges"]
    says = f"{run.file('tune.json')}: the ranges of rounds entry 1, {ranges}, are not those"
    refused(result, 2, f"error: {says}", "edited?")
    assert snapshot(case) == before


def listed_or_reported_damaged(command: str, run: runs.RunDir, root: Path, says: str) -> bool:
    """For ``command`` list or report: assert that ``run`` reads DAMAGED there (list: for the
    reason ``says`` begins); True. False for another command (its caller checks it)."""
    if command == "list":
        (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
        assert row["status"] == "DAMAGED" and row["reason"].startswith(says), row
        return True
    if command == "report":
        result = invoke("report", "--runs-dir", root)
        assert f"warning: {run.id}: DAMAGED, could not be read" in result.stderr, result.output
        return True
    return False
