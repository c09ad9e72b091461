"""A resume reads the data its folder began with, or is refused before anything changes.

Every folder whose numbers come from a dataset records its digest (meta.json ``data_digest``:
``Dataset.digest``); a resume whose data differs (a file replaced or edited, another
--data-dir holding other data) is refused in one line that says which and what to do, with
exit 2, and the folder is left as it was: its kept records and results came from the data it
began with, and carrying on with other numbers would mix the two."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import h5py
import numpy as np
import pytest

from nnlab import runs

from .helpers import Row, invoke, one_line, only
from .test_after_folder import COMMANDS, inject, signalling

READS_DATA = {  # each command that trains or evaluates on a dataset: (args, nth write)
    **{c: (COMMANDS[c][0], COMMANDS[c][2]) for c in ("train", "lr-scan", "landscape")},
    **{c: (COMMANDS[c][0], COMMANDS[c][2] + 5) for c in ("sweep", "tune")},
    "compare-optimizers": (
        ["compare-optimizers", "--dataset", "digits", "--steps", "4", "-o", "sgd,adam", "-q"],
        3,
    ),
    "gradcheck": (["gradcheck", "--compare-differences", "cfg.yaml", "-q"], 2),
}
OTHER = "0123456789abcdef"  # a digest no data has here


def interrupted(case: Path, monkeypatch, command: str) -> runs.RunDir:
    args, nth = READS_DATA[command]
    with monkeypatch.context() as patched:
        inject(patched, nth, signalling(signal.SIGTERM))
        result = invoke(*args, "--runs-dir", case / "runs")
    assert result.exit_code == 130, result.output
    return only(case / "runs")


def metas(top: runs.RunDir) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(top.path.rglob("meta.json"))}


@pytest.mark.parametrize("command", list(READS_DATA))
def test_every_folder_of_data_records_its_digest(case, monkeypatch, command):
    top = interrupted(case, monkeypatch, command)
    digests = {json.loads(m).get("data_digest") for m in metas(top).values()} - {None}
    assert len(digests) == 1 and len(next(iter(digests))) == 16, digests


@pytest.mark.slow
@pytest.mark.parametrize("command", list(READS_DATA))
def test_a_resume_on_other_data_is_refused_and_changes_nothing(case, monkeypatch, command):
    top = interrupted(case, monkeypatch, command)
    for path in metas(top):  # (as if it had begun on other data: every folder that says)
        meta = json.loads(path.read_text())
        if "data_digest" in meta:
            path.write_text(json.dumps({**meta, "data_digest": OTHER}))
    before = metas(top)
    result = invoke(command, "--resume", top.path)
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert line.startswith("error: ") and str(top.path) in line, line
    assert "the 'digits' data has changed since the run began" in line, line
    assert f"recorded {OTHER}); put back the data it used, or start a new run" in line, line
    assert metas(top) == before  # (no resume entry, no status written)
    assert top.status == "INTERRUPTED"


H5 = """\
name: cats
dataset: {name: hdf5, train_file: cats.h5, n_test: 10}
model: {hidden: [8]}
optimizer: {name: sgd, lr: 0.1}
batch_size: 10
epochs: 3
"""


def write_h5(path: Path, seed: int = 0) -> None:
    """40 random 4x4 RGB uint8 images, labels 0/1, as the cat-vs-noncat files are laid out."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        f["train_set_x"] = rng.integers(0, 256, size=(40, 4, 4, 3), dtype=np.uint8)
        f["train_set_y"] = rng.integers(0, 2, size=40)


@pytest.fixture
def cats(case) -> Path:
    """A data folder holding cats.h5 (40 tiny images), and a config that trains on it."""
    write_h5(case / "data" / "cats.h5")
    (case / "cats.yaml").write_text(H5)
    return case / "data"


def stopped_run(case: Path, monkeypatch, data: Path) -> runs.RunDir:
    with monkeypatch.context() as patched:
        inject(patched, 2, signalling(signal.SIGTERM))  # (after its first epoch's checkpoint)
        result = invoke("train", "cats.yaml", "-q", "--data-dir", data, "--runs-dir", "runs")
    assert result.exit_code == 130, result.output
    return only(case / "runs")


DATA_CHANGED = Row(
    "a resume whose data is not the data its folder began with (a data file edited since, or "
    "another `--data-dir` holding other data), in every command that reads a dataset",
    "`nnlab train --resume RUN` (cats.h5 edited since the run began)",
    2,
    (
        "error: {run}: the 'hdf5' data in ",
        " has changed since the run began (digest ",
        "); put back the data it used, or start a new run",
    ),
)


def test_a_data_file_edited_since_the_run_began_refuses_its_resume(case, cats, monkeypatch):
    top = stopped_run(case, monkeypatch, cats)
    with h5py.File(cats / "cats.h5", "r+") as f:  # (one pixel of every image)
        f["train_set_x"][:, 0, 0, 0] = 255 - f["train_set_x"][:, 0, 0, 0]
    before = metas(top)
    result = invoke("train", "--resume", top.path)
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    for part in DATA_CHANGED.expect("runs", top.path):
        assert part in line, line
    assert f"data in {cats.resolve()} has changed" in line, line
    assert metas(top) == before


def test_other_data_under_another_data_dir_is_refused_naming_the_one_it_used(
    case, cats, monkeypatch
):
    top = stopped_run(case, monkeypatch, cats)
    write_h5(case / "other" / "cats.h5", seed=1)
    result = invoke("train", "--resume", top.path, "--data-dir", case / "other")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert f"the 'hdf5' data in {case / 'other'} is not the data the run began with" in line
    assert line.endswith(f"resume with --data-dir {cats.resolve()}, or start a new run"), line


def test_an_extension_on_other_data_is_refused_saying_to_extend_with_the_runs(case, cats):
    """--extend reads its run's data as a resume does; its line says what to extend with (it
    said 'resume with', a command that refuses a COMPLETED run)."""
    done = invoke("train", "cats.yaml", "-q", "--data-dir", cats, "--runs-dir", "runs")
    assert done.exit_code == 0, done.output
    top = only(case / "runs")
    write_h5(case / "other" / "cats.h5", seed=1)
    result = invoke("train", "--extend", top.path, "epochs=5", "--data-dir", case / "other",
                    "--runs-dir", "runs")  # fmt: skip
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert f"the 'hdf5' data in {case / 'other'} is not the data the run began with" in line
    assert line.endswith(f"extend with --data-dir {cats.resolve()}, or start a new run"), line
    assert [r.path for r in runs.iter_runs(case / "runs")] == [top.path]  # (no new folder)


@pytest.mark.slow
def test_the_same_data_moved_elsewhere_resumes_as_the_run_would_have(case, cats, monkeypatch):
    top = stopped_run(case, monkeypatch, cats)
    moved = shutil.move(cats, case / "moved")
    result = invoke("train", "--resume", top.path, "--data-dir", moved, "-q")
    assert result.exit_code == 0, result.output
    assert top.status == "COMPLETED"
    shutil.move(moved, cats)
    straight = invoke("train", "cats.yaml", "-q", "--data-dir", cats, "--runs-dir", "straight")
    assert straight.exit_code == 0, straight.output
    fresh = only(case / "straight")
    untimed = [
        [{k: v for k, v in r.items() if k != "seconds"} for r in run.metrics()]
        for run in (top, fresh)
    ]
    assert untimed[0] == untimed[1]
    assert top.meta["data_digest"] == fresh.meta["data_digest"]


def test_a_folder_from_before_digests_resumes_unchecked(case, cats, monkeypatch):
    """One an older nnlab made records no digest: its resume is not refused for it."""
    top = stopped_run(case, monkeypatch, cats)
    meta = top.meta
    del meta["data_digest"]
    top.file("meta.json").write_text(json.dumps(meta))
    assert invoke("train", "--resume", top.path, "-q").exit_code == 0
    assert top.status == "COMPLETED"


def test_the_digest_is_of_the_numbers_as_carved_and_cast(case, cats):
    from nnlab.config import load_config
    from nnlab.data import load_dataset

    cfg = load_config(case / "cats.yaml")
    first = load_dataset(cfg.dataset, cats)
    assert load_dataset(cfg.dataset, cats).digest == first.digest  # (the same: loaded again)
    assert load_dataset(cfg.dataset, cats, "float64").digest != first.digest
    other_split = cfg.dataset.model_copy(update={"split_seed": 1})
    assert load_dataset(other_split, cats).digest != first.digest


@pytest.mark.slow
def test_a_landscape_of_a_run_reads_its_data_and_says_when_it_changed(case, cats):
    """A new landscape of a run is no resume: other data is allowed, but said (exit 0)."""
    trained = invoke("train", "cats.yaml", "-q", "--data-dir", cats, "--runs-dir", "runs")
    assert trained.exit_code == 0, trained.output
    run = only(case / "runs")
    args = ("landscape", run.path, "--points", "3", "--samples", "10", "-q")
    same = invoke(*args, "--runs-dir", "runs")  # (no --data-dir: the run's own, recorded)
    assert same.exit_code == 0, same.output
    assert "warning" not in same.stderr, same.stderr
    with h5py.File(cats / "cats.h5", "r+") as f:
        f["train_set_x"][:, 0, 0, 0] = 255 - f["train_set_x"][:, 0, 0, 0]
    other = invoke(*args, "--runs-dir", "runs")
    assert other.exit_code == 0, other.output
    warning = [line for line in other.stderr.splitlines() if line.startswith("warning")]
    assert warning == [
        f"warning: the 'hdf5' data in {cats.resolve()} is not the data {run.path} was trained "
        f"on (digest {warning[0].split('digest ')[1][:16]}, recorded {run.meta['data_digest']}): "
        "the landscape is of this data"
    ], other.stderr
