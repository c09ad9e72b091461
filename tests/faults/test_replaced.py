"""A folder nnlab makes inside a folder (a tune's ``rounds/``, a sweep's ``trials/``) replaced
by something else: an empty file, a named pipe. Every reader reads the rest (``report``
builds, saying the folder DAMAGED) and a resume refuses it in one line, naming it, before
anything changes.
"""

from __future__ import annotations

import os
import shutil

import pytest

from nnlab import runs

from .helpers import copy_runs, file_bytes, invoke, only, refused

REPLACE = {
    "an empty file": lambda path: path.write_bytes(b""),
    "a named pipe": os.mkfifo,
}


@pytest.fixture(params=list(REPLACE))
def tune(request, case, planned) -> runs.RunDir:
    """A copy of the tune whose rounds/ is replaced."""
    copy_runs(planned["tune"], case / "runs")
    run = only(case / "runs")
    shutil.rmtree(run.file(runs.ROUNDS))
    REPLACE[request.param](run.file(runs.ROUNDS))
    return run


def test_a_tune_whose_rounds_folder_is_a_file_is_damaged_in_the_report(case, tune):
    # (the whole report failed, exit 2: 'rounds: not a folder (a runs folder holds run folders)')
    result = invoke("report", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    assert f"warning: {tune.id}: DAMAGED, could not be read" in result.stderr, result.output


def test_a_tune_whose_rounds_folder_is_a_file_refuses_its_resume(case, tune):
    # (the resume said 'round 1/1: ... (again: ... is gone)', then failed making the round's
    # folder: 'cannot create run folder: Not a directory')
    before = file_bytes(tune.path)
    result = invoke("tune", "--resume", tune.path)
    rounds = tune.file(runs.ROUNDS)
    refused(result, 2, f"error: {rounds}: is a ", ", not the folder nnlab makes there")
    assert result.stdout == ""
    assert file_bytes(tune.path) == before
