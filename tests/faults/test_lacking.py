"""A folder of the right kind that lacks what the command needs (a training run without a
checkpoint, for ``landscape RUN`` and ``activations --run``): the line says what the folder is
and what it lacks, made in one place (``lookup_hints.lacking``). It said 'has no checkpoint.npz
(a train folder?)' of a folder that is one."""

from __future__ import annotations

import pytest

from .helpers import Row, copy_runs, invoke, refused, snapshot

NO_META = Row(
    "a folder named by its path that holds no meta.json (an lr-scan's or an activations' "
    "whose meta.json was removed: no file only a run folder has is left), in every command "
    "that takes a run folder: said to be there (it said 'no such folder')",
    "`nnlab runs show runs/<run>` (and `--resume`, `runs compare`, `landscape`)",
    2,
    (
        "error: run '{run}': a folder, but no run folder: it holds no meta.json, which nnlab "
        "writes in every run folder",
    ),
)
LACKING = Row(
    "a folder of the kind a command takes that lacks what it needs (a training run without its "
    "checkpoint: one stopped before its first, or removed): what the folder is, what it lacks "
    "and what to do instead (it asked '(a train folder?)' of a train folder)",
    "`nnlab landscape RUN` (and `activations --run RUN`; RUN INTERRUPTED, no checkpoint.npz)",
    2,
    (
        "error: {run}: a train run INTERRUPTED after epoch 2, without checkpoint.npz, whose "
        "weights landscape centres its slices on; continue it first (nnlab train --resume {run}), "
        "or give a run that has one, or a config file (its initial weights)",
    ),
)


@pytest.mark.parametrize("command", ["landscape", "activations"])
def test_a_training_run_without_a_checkpoint_is_said_as_what_it_is(case, stopped, command):
    stopped.file("checkpoint.npz").unlink()
    root = case / "runs"
    before = snapshot(case)
    args = ("landscape", stopped.path) if command == "landscape" else ("activations", "--run")
    if command == "activations":
        args = (*args, stopped.path)
    result = invoke(*args, "--runs-dir", root)
    line = refused(result, 2, f"error: {stopped.path}: a train run INTERRUPTED after epoch 2, ")
    assert "without checkpoint.npz" in line and "a train folder?" not in line, line
    assert f"continue it first (nnlab train --resume {stopped.path})" in line, line
    if command == "landscape":
        assert line == "error: " + LACKING.expect(root, stopped.path)[0].removeprefix("error: ")
    else:
        assert line.endswith(
            "whose trained weights activations draws; continue it first "
            f"(nnlab train --resume {stopped.path}), or give a run that has one"
        )
    assert snapshot(case) == before


def test_a_completed_run_without_its_checkpoint_is_not_offered_a_resume(case, done):
    done.file("checkpoint.npz").unlink()
    result = invoke("landscape", done.path, "--runs-dir", case / "runs")
    line = refused(result, 2, f"error: {done.path}: a train run COMPLETED after epoch 3, ")
    assert "--resume" not in line and line.endswith(
        "give a run that has one, or a config file (its initial weights)"
    ), line


@pytest.mark.parametrize("kind", ["lr-scan", "activations"])
def test_a_folder_without_its_meta_json_is_said_to_be_there(case, planned, kind):
    # (an lr-scan's or an activations' folder holds no file only a run folder has, so without
    # its meta.json it is no run folder: a reference to it said 'no such folder' of it)
    copy_runs(planned[kind], case / "runs")
    (folder,) = [p for p in (case / "runs").iterdir() if p.is_dir()]
    (folder / "meta.json").unlink()
    for ref in (folder, folder.name, folder.relative_to(case)):
        result = invoke("runs", "show", ref, "--runs-dir", case / "runs")
        refused(result, 2, *NO_META.expect(case / "runs", ref))
    says = NO_META.parts[0].split(": ", 2)[2]
    refused(invoke(kind, "--resume", folder, "--runs-dir", case / "runs"), 2, says)
    missing = case / "runs" / "nothing-here"
    refused(invoke("runs", "show", missing), 2, f"error: run '{missing}': no such folder")
