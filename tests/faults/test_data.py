"""Non-finite or inconsistent data in every command that loads data, not only ``train`` (whose
cases are the README's "Bad inputs" table): NaN pixels in HDF5, an IDX header that says 0
images, train and test images of different sizes. One line naming the file, exit 2, no folder."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from ..data.conftest import idx_bytes
from .helpers import invoke, refused

HDF5 = "dataset: {{name: hdf5, train_file: {train}, test_file: {test}}}\nmodel: {{hidden: [4]}}\n"
HDF5 += "batch_size: 2\nepochs: 1\n"
MNIST = "dataset: {name: mnist}\nmodel: {hidden: [4]}\nepochs: 1\n"


def write_gz(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data))


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """nan.h5 (two NaN pixels in train_set_x), good.h5, transposed.h5 (test images 3x2x2 where
    train's are 2x2x3), zero/mnist (an IDX header of 0 images), sizes/mnist (train 28x28,
    t10k 32x32)."""
    import h5py

    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(6, 2, 2, 3)).astype(np.float64)
    y = np.array([0, 1, 0, 1, 0, 1])
    nan = x.copy()
    nan[2, 0, 0, 0] = nan[4, 1, 1, 2] = np.nan
    for name, train_x in (("nan.h5", nan), ("good.h5", x)):
        with h5py.File(folder / name, "w") as f:
            f["train_set_x"], f["train_set_y"] = train_x, y
            f["test_set_x"], f["test_set_y"] = x[:4], y[:4]
    with h5py.File(folder / "transposed.h5", "w") as f:
        f["test_set_x"] = rng.integers(0, 256, size=(4, 3, 2, 2), dtype=np.uint8)
        f["test_set_y"] = y[:4]
    labels = np.arange(10, dtype=np.uint8)
    write_gz(folder / "zero/mnist/t10k-images-idx3-ubyte.gz", idx_bytes(np.zeros((0, 28, 28))))
    write_gz(folder / "zero/mnist/t10k-labels-idx1-ubyte.gz", idx_bytes(labels[:0]))
    write_gz(folder / "sizes/mnist/t10k-images-idx3-ubyte.gz", idx_bytes(np.zeros((10, 32, 32))))
    write_gz(folder / "sizes/mnist/t10k-labels-idx1-ubyte.gz", idx_bytes(labels))
    write_gz(folder / "sizes/mnist/train-images-idx3-ubyte.gz", idx_bytes(np.zeros((10, 28, 28))))
    write_gz(folder / "sizes/mnist/train-labels-idx1-ubyte.gz", idx_bytes(labels))
    return folder


# fault -> (config, data folder under the fixture, the line's parts; {d}: the data folder)
FAULTS = {
    "NaN pixels in HDF5": (
        HDF5.format(train="nan.h5", test="nan.h5"),
        ".",
        ["{d}/nan.h5: dataset 'train_set_x': 2 of 72 values are not finite (NaN or inf)"],
    ),
    "IDX header of 0 images": (
        MNIST,
        "zero",
        ["{d}/zero/mnist/t10k-images-idx3-ubyte.gz: header says 0 images (0x28x28)"],
    ),
    "train and test images of different sizes (IDX)": (
        MNIST,
        "sizes",
        ["{d}/sizes/mnist/t10k-images-idx3-ubyte.gz: images of 32x32 pixels"],
    ),
    "train and test images of different shapes (HDF5)": (
        HDF5.format(train="good.h5", test="transposed.h5"),
        ".",
        ["{d}/transposed.h5: dataset 'test_set_x' holds images of shape 3x2x2"],
    ),
}
COMMANDS = {
    "lr-scan": ["lr-scan", "cfg.yaml", "--num", "2"],
    "sweep": ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2"],
    "tune": ["tune", "cfg.yaml", "--trials", "2"],
    "landscape": ["landscape", "cfg.yaml", "--points", "3"],
    "gradcheck": ["gradcheck", "cfg.yaml"],
}
CASES = [(f, c) for f in FAULTS for c in COMMANDS if c in ("lr-scan", "sweep") or "NaN" in f]


@pytest.mark.parametrize(("fault", "command"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_bad_data_is_one_line_naming_the_file_in_every_command(case, data, fault, command):
    config, where, parts = FAULTS[fault]
    (case / "cfg.yaml").write_text(config)
    args = [*COMMANDS[command], "--data-dir", data / where, "--runs-dir", case / "runs"]
    refused(invoke(*args), 2, *(p.format(d=data) for p in parts))
    assert not (case / "runs").exists()
