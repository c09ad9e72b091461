"""A folder of the right kind that lacks what the command needs (a training run without a
checkpoint, for ``landscape RUN`` and ``activations --run``): the line says what the folder is
and what it lacks, made in one place (``lookup_hints.lacking``). It said 'has no checkpoint.npz
(a train folder?)' of a folder that is one."""

from __future__ import annotations

import pytest

from .helpers import Row, invoke, refused, snapshot

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
