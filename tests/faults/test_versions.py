"""A folder made by a newer nnlab (meta.json's ``versions.nnlab``) read by this one: what it
holds that this version does not know (a status, a kind, a checkpoint array added since) was
said to be damage in this version's words alone ('status 'PAUSED' is not one of ...'), as if
the folder were edited; every reader now says which version made it. And a resume of one,
however readable, is refused: this version would write the newer one's folder as an older
one does, and train it on with older code, mixing two versions' numbers in one run."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import __version__, metafile, runs
from nnlab.rundir import state_digest

from .helpers import Row, invoke, refused, set_meta, snapshot

NEWER = Row(
    "a folder made by a newer nnlab (meta.json's `versions.nnlab`): what it holds that this "
    "version does not know (a status, a kind, a checkpoint array) is said to be of that version "
    "by every reader (it read as damage, as if edited), and its resume is refused, however "
    "readable (this version would write it as an older one does)",
    "`nnlab train --resume RUN` (meta.json's `versions.nnlab` 9.0.0; `runs list`, `runs "
    "show`: the folder as it reads)",
    2,
    (
        "error: {run}: made by nnlab 9.0.0, newer than this nnlab ",
        "; continue it with that version or a later one",
    ),
)
SAID = "(made by nnlab 9.0.0, newer than this nnlab {}: read it with that version or a later one)"


def _made_by(run: runs.RunDir, version: str, **fields: object) -> None:
    meta = run.read_json("meta.json")
    set_meta(run, versions={**meta["versions"], "nnlab": version}, **fields)


@pytest.mark.parametrize(
    ("made", "newer"),
    [("9999.0.0", True), ("9999", True), ("9999.0rc1", True), (__version__, False),
     (f"{__version__}.dev1", False), ("0.0.0", False), ("dev", False)],
)  # fmt: skip
def test_a_folder_is_said_newer_by_its_versions_numbers(made, newer):
    said = made if newer else None
    assert metafile.newer_writer({"versions": {"nnlab": made}}) == said
    assert metafile.newer_writer(b'{"versions": {"nnlab": "%s"}}' % made.encode()) == said
    deep = b"[" * 100_000  # (past the JSON parser's recursion limit)
    for unread in (None, b"", b"[1]", b"{", b'{"versions": 3}', {"versions": {"nnlab": 9}}, deep):
        assert metafile.newer_writer(unread) is None


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [("status", "PAUSED", "status 'PAUSED' is not one of"), ("kind", "distill", "kind 'distill'")],
)
def test_what_a_newer_nnlab_writes_in_meta_json_is_said_to_be_its_by_every_reader(
    case, done, field, value, says
):
    _made_by(done, "9.0.0", **{field: value})
    said = SAID.format(__version__)
    listed = invoke("runs", "list", "-f", "json")
    assert listed.exit_code == 0, listed.output
    assert says in listed.stdout and said in listed.stdout.replace("\\", "")
    before = snapshot(case)
    for args in (
        ["runs", "show", done.id],
        ["runs", "compare", done.id],
        ["train", "--resume", done.id],
        ["landscape", done.id, "--points", "3"],
    ):
        refused(invoke(*args), 2, f"{done.id}/meta.json: {says}", said)
    assert snapshot(case) == before


def test_the_same_damage_in_a_folder_of_this_version_or_an_older_one_says_no_version(case, done):
    for version in (__version__, "0.0.0"):
        _made_by(done, version, status="PAUSED")
        line = refused(invoke("runs", "show", done.id), 2, "status 'PAUSED' is not one of")
        assert "made by nnlab" not in line


def test_a_checkpoint_array_a_newer_nnlab_adds_is_said_to_be_its(case, stopped):
    path = stopped.file("checkpoint.npz")
    with np.load(path) as data:
        state = {k: data[k] for k in data.files if k != "digest"}
    state["ema/affine1.W"] = state["param/affine1.W"]  # (a newer version's new state)
    np.savez(path, **state, digest=np.array(state_digest(state)))
    _made_by(stopped, "9.0.0")
    said = SAID.format(__version__)
    refused(invoke("train", "--resume", stopped.id), 2, "holds an array 'ema/affine1.W'", said)
    refused(invoke("runs", "show", stopped.id), 2, "holds an array 'ema/affine1.W'", said)


def test_the_resume_of_a_folder_a_newer_nnlab_made_is_refused_however_readable(case, stopped):
    _made_by(stopped, "9.0.0")
    shown = invoke("runs", "show", stopped.id)
    assert shown.exit_code == 0 and "INTERRUPTED" in shown.stdout, shown.output
    before = snapshot(case)
    refused(invoke("train", "--resume", stopped.id), 2, *NEWER.expect("runs", f"runs/{stopped.id}"))
    assert snapshot(case) == before
    _made_by(stopped, __version__)  # (this version's own: resumed as before)
    resumed = invoke("train", "--resume", stopped.id, "-q")
    assert resumed.exit_code == 0, resumed.output


@pytest.mark.slow
def test_a_sweep_a_newer_nnlab_made_is_not_resumed(case, planned):
    from .helpers import copy_runs

    copy_runs(planned["sweep"], case / "runs")
    (sweep,) = runs.iter_runs(case / "runs")
    _made_by(sweep, "9.0.0", status="INTERRUPTED")
    before = snapshot(case)
    refused(invoke("sweep", "--resume", sweep.id), 2, f"runs/{sweep.id}: made by nnlab 9.0.0")
    assert snapshot(case) == before
