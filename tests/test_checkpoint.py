"""A checkpoint's members as every reader checks them: one that is not an .npy array (np.load
hands such a member over as its bytes) is damage in one line, naming it."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nnlab import runs
from nnlab.checkpoint import IDENTITY, RECORDS
from nnlab.cli import app
from nnlab.experiments.listing import list_runs

CFG = """\
name: tiny
dataset: {name: digits, n_train: 200, n_val: 50, n_test: 100}
model: {hidden: [16], batchnorm: true}
optimizer: {name: adam, lr: 0.01}
batch_size: 50
epochs: 2
eval: [train, val]
"""


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ckpt")
    (root / "cfg.yaml").write_text(CFG)
    result = CliRunner().invoke(
        app, ["train", str(root / "cfg.yaml"), "--runs-dir", str(root / "runs"), "-q"]
    )
    assert result.exit_code == 0, result.output
    return next(runs.iter_runs(root / "runs")).path


@pytest.fixture
def run(trained: Path, tmp_path: Path) -> runs.RunDir:
    shutil.copytree(trained, tmp_path / trained.name)
    return runs.RunDir(tmp_path / trained.name)


def replace_member(path: Path, member: str, data: bytes) -> None:
    """checkpoint.npz written again with ``member``'s bytes replaced by ``data``."""
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for name, old in members:
            z.writestr(name, data if name == member else old)


@pytest.mark.parametrize("member", ["epoch", *IDENTITY, RECORDS])
def test_a_member_that_is_no_npy_is_damage_in_one_line(run, member):
    # (np.load gives such a member as its bytes: "'bytes' object has no attribute 'dtype'"
    # stopped runs list with an unexpected error, exit 1, and an epoch of b"12" read as 12)
    path = run.file("checkpoint.npz")
    replace_member(path, f"{member}.npy", b"12")
    (row,) = list_runs(run.path.parent)
    said = f"{path}: unreadable checkpoint (ValueError: {member!r} is not an .npy array)"
    assert (row["status"], row["reason"]) == ("DAMAGED", said)
    with pytest.raises(runs.DamagedError) as caught:
        run.load_checkpoint()  # (every array: what a resume reads)
    assert str(caught.value) == said
