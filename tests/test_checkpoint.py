"""A checkpoint's index read the short way (``checkpoint._index``): the same names and arrays
``np.load`` gives, without ``np.load`` for a checkpoint as ``np.savez`` writes it, and every
other checkpoint read by ``np.load`` as before, each damage said in the same line."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nnlab import checkpoint, runs
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


def by_np_load(path: Path) -> tuple[list[str], dict[str, np.ndarray]]:
    with np.load(path, allow_pickle=False) as data:
        found = list(data.files)
        return found, {k: data[k] for k in ("epoch", *checkpoint.INDEX) if k in found}


def test_the_index_is_what_np_load_gives(run):
    found, state = checkpoint._index(run.file("checkpoint.npz"))
    want_found, want = by_np_load(run.file("checkpoint.npz"))
    assert found == want_found and list(state) == list(want)
    for key, array in want.items():
        got = state[key]
        assert (got.dtype, got.shape, got.tolist()) == (array.dtype, array.shape, array.tolist())
        assert got.flags.writeable and got.flags.owndata


def test_a_listing_reads_a_sound_checkpoint_without_np_load(run, monkeypatch):
    # (np.load parsed each of the 4 index arrays' headers with ast.literal_eval: ~290 us a
    # checkpoint, ~150 us the short way)
    calls = []
    real = np.load
    monkeypatch.setattr(np, "load", lambda *a, **k: calls.append(a) or real(*a, **k))
    (row,) = list_runs(run.path.parent)
    assert row["status"] == "COMPLETED" and "reason" not in row
    assert calls == []
    run.load_checkpoint()  # (its arrays: np.load's, as before)
    assert len(calls) == 1


def rewrite(path: Path, change) -> None:
    """checkpoint.npz written again with ``change(name, bytes) -> (name, bytes, how)`` of
    each member (None: left out)."""
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members:
            changed = change(name, data)
            if changed is not None:
                z.writestr(changed[0], changed[1], compress_type=changed[2])


STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
DAMAGE = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "cut to its first bytes": lambda p: p.write_bytes(p.read_bytes()[:100]),
    "empty": lambda p: p.write_bytes(b""),
    "a prefix before the archive": lambda p: p.write_bytes(b"junk" + p.read_bytes()),
    "not a zip": lambda p: p.write_bytes(b"\x93NUMPY not an archive"),
    "compressed": lambda p: rewrite(p, lambda n, d: (n, d, DEFLATED)),
    "no epoch": lambda p: rewrite(p, lambda n, d: None if n == "epoch.npy" else (n, d, STORED)),
    "epoch not an npy": lambda p: rewrite(
        p, lambda n, d: (n, b"12" if n == "epoch.npy" else d, STORED)
    ),
    "run_id's header garbled": lambda p: rewrite(
        p, lambda n, d: (n, d.replace(b"'descr'", b"'descx'") if n == "run_id.npy" else d, STORED)
    ),
    "records cut short": lambda p: rewrite(
        p, lambda n, d: (n, d[:-8] if n == "records.npy" else d, STORED)
    ),
    "records' bytes changed": lambda p: rewrite(
        p, lambda n, d: (n, d[:-4] + b"\0\0\0\0" if n == "records.npy" else d, STORED)
    ),
    "an object array": lambda p: rewrite(
        p, lambda n, d: (n, d.replace(b"'<U", b"'|O") if n == "config_hash.npy" else d, STORED)
    ),
    "run_id twice": lambda p: rewrite(
        p, lambda n, d: (n if n != "digest.npy" else "run_id", d, STORED)
    ),
    "a version 2 header": lambda p: rewrite(
        p, lambda n, d: (n, d[:6] + b"\x02\x00" + d[8:10] + b"\0\0" + d[10:], STORED)
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_any_other_checkpoint_reads_as_np_load_reads_it(run, monkeypatch, damage):
    """However a checkpoint differs from what np.savez writes, the index reads it as before
    (np.load's reading): the same DamagedError line, or the same checkpoint."""
    path = run.file("checkpoint.npz")
    DAMAGE[damage](path)

    def said() -> str:
        try:
            return repr(checkpoint.read(run, arrays=False))
        except runs.DamagedError as exc:
            return str(exc)

    now = said()
    with monkeypatch.context() as mp:
        mp.setattr(checkpoint, "_index", lambda path: None)  # (np.load's reading, as before)
        before = said()
    assert now == before
