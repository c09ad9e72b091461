"""Every split nnlab trains and evaluates on, against the data read independently: each split's
rows are samples of the source files with their own labels (a label carried to another image
would train and score a net on noise), each sample in one split at most, the sizes asked for,
and the pixels scaled as torch's own pipeline scales them (``torchvision``'s ``ToTensor``:
the uint8 value converted to the float type, then divided by 255, one rounding; the digits by
16, exact).

The reads: scikit-learn's ``load_digits`` (what nnlab's bundled-file reader must equal), the
shared MNIST IDX files by a few lines of ``gzip`` and ``np.frombuffer`` here, and catvnoncat's
HDF5 files by ``h5py`` (images (N, 64, 64, 3) flattened row by row, as ``x.reshape(N, -1)``).
Also ``normalize: standardize`` against scikit-learn's ``StandardScaler`` fitted on the
training split, and a tune's validation split: with the training split it is exactly the
config's training split, each sample with its label.
"""

from __future__ import annotations

import collections
import gzip

import numpy as np
import pytest

from nnlab.config import validate
from nnlab.data import load_dataset
from nnlab.data.datasets import DigitsData, Hdf5Data, MnistData

Pairs = collections.Counter


def pairs(x: np.ndarray, y: np.ndarray) -> Pairs:
    """The multiset of (sample bytes, label) of raw samples ``x`` (N, D) and labels ``y``."""
    return collections.Counter(zip((row.tobytes() for row in x), y.tolist()))


def check_splits(ds, raw_x: np.ndarray, raw_y: np.ndarray, scale: float, dtype: str,
                 sizes: dict[str, int], test_x=None, test_y=None) -> None:  # fmt: skip
    """``ds``'s splits are ``sizes`` samples of the raw data (the test split of ``test_x``,
    when the source has a test set), each with its label, none twice, each row the raw row
    scaled as torch does (``raw.astype(dtype) / dtype(scale)``, bit for bit)."""
    assert ds.sizes() == sizes
    pools = {"pool": pairs(raw_x, raw_y)}
    if test_x is not None:
        pools["test"] = pairs(test_x, test_y)
    used = {name: Pairs() for name in pools}
    for name, (x, y) in ds.splits.items():
        assert x.dtype == np.dtype(dtype) and y.dtype == np.int64 and x.flags.c_contiguous
        raw = np.rint(x.astype(np.float64) * scale).astype(raw_x.dtype)
        np.testing.assert_array_equal(x, raw.astype(dtype) / np.dtype(dtype).type(scale))
        used["test" if name == "test" and test_x is not None else "pool"] += pairs(raw, y)
    for name, counts in used.items():
        assert not counts - pools[name], f"{name}: samples or labels the files do not hold"


@pytest.fixture(scope="module")
def load_digits():
    from sklearn.datasets import load_digits  # (~4 s: the tests that need it are slow)

    bunch = load_digits()
    x = bunch.data.astype(np.uint8)
    assert np.array_equal(x, bunch.data)  # (whole numbers 0..16)
    return x, bunch.target.astype(np.int64)


DIGITS_CASES = [  # (dataset keys, split sizes)
    ({}, {"train": 1500, "test": 297}),
    ({"n_test": None}, {"train": 1438, "test": 359}),  # (a fifth held out)
    ({"n_train": 1000, "n_val": 200, "split_seed": 3}, {"train": 1000, "val": 200, "test": 297}),
]


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("keys", "sizes"), DIGITS_CASES)
def test_digits_splits_are_load_digits_samples_with_their_labels(keys, sizes, dtype, load_digits):
    x, y = load_digits
    ds = load_dataset(DigitsData(**keys), None, dtype)
    check_splits(ds, x, y, 16.0, dtype, sizes)
    if keys.get("n_test", 297) is None:  # (every sample, once)
        used = sum((pairs(np.rint(s[0] * 16).astype(np.uint8), s[1]) for s in ds.splits.values()),
                   Pairs())  # fmt: skip
        assert used == pairs(x, y)


def read_idx(path) -> np.ndarray:
    """An IDX file (gzip) as its array: big-endian header, dims, then uint8 (LeCun's page)."""
    data = gzip.decompress(path.read_bytes())
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


MNIST_CASES = [
    ({}, {"train": 8000, "test": 2000}),
    ({"n_train": 1000, "n_val": 500, "n_test": 1000}, {"train": 1000, "val": 500, "test": 1000}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("keys", "sizes"), MNIST_CASES)
def test_mnist_splits_are_the_idx_files_samples_with_their_labels(
    keys, sizes, dtype, shared_mnist_dir
):
    images = read_idx(shared_mnist_dir / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(shared_mnist_dir / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    ds = load_dataset(MnistData(**keys), shared_mnist_dir.parent, dtype)
    check_splits(ds, images.reshape(10000, 784), labels, 255.0, dtype, sizes)
    assert ds.input_dim == 784 and ds.n_classes == 10


def test_catvnoncat_splits_are_the_hdf5_images_flattened_with_their_labels(shared_catvnoncat_dir):
    import h5py

    with h5py.File(shared_catvnoncat_dir / "train_catvnoncat.h5", "r") as f:
        x, y = f["train_set_x"][()], f["train_set_y"][()]
    with h5py.File(shared_catvnoncat_dir / "test_catvnoncat.h5", "r") as f:
        tx, ty = f["test_set_x"][()], f["test_set_y"][()]
    cfg = Hdf5Data(train_file="catvnoncat/train_catvnoncat.h5", n_val=40,
                   test_file="catvnoncat/test_catvnoncat.h5", n_test=None)  # fmt: skip
    ds = load_dataset(cfg, shared_catvnoncat_dir.parent, "float32")
    assert ds.input_dim == 64 * 64 * 3 and ds.n_classes == 2
    check_splits(ds, x.reshape(209, -1), y.astype(np.int64), 255.0, "float32",
                 {"train": 169, "val": 40, "test": 50}, tx.reshape(50, -1),
                 ty.astype(np.int64))  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    "raw", [{"name": "digits", "n_train": 1000}, {"name": "digits", "n_test": None}]
)
def test_a_tunes_validation_and_training_splits_are_the_configs_training_samples(raw, load_digits):
    """``nnlab tune`` carves its validation split from the config's training split: together
    the two are that split, sample by sample with its label (nnlab's rows, re-read as
    load_digits' bytes); the test split does not move."""
    from nnlab.experiments import tune as tn

    before = load_dataset(validate({"dataset": raw}).dataset, None, "float64")
    tuned = validate(tn.with_validation({"dataset": raw}, [], 0.2, None, None))
    after = load_dataset(tuned.dataset, None, "float64")
    assert after.sizes()["val"] == round(0.2 * before.sizes()["train"])

    def samples(ds, *names):
        return sum((pairs(np.rint(ds.splits[n][0] * 16).astype(np.uint8), ds.splits[n][1])
                    for n in names), Pairs())  # fmt: skip

    assert samples(after, "train", "val") == samples(before, "train")
    assert not samples(after, "train") & samples(after, "val")
    np.testing.assert_array_equal(after.splits["test"][0], before.splits["test"][0])
    assert not samples(after, "test") - pairs(*load_digits)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_standardize_is_sklearns_standard_scaler_fitted_on_the_training_split(dtype, load_digits):
    """``normalize: standardize``: every split minus the training split's mean, over its
    population std, a constant feature (the digits' always-blank pixels) divided by 1, as
    ``sklearn.preprocessing.StandardScaler`` fitted on the training split (the samples of
    ``normalize: scale`` with the same split_seed) transforms it: float64 to 1e-12 of the
    largest value (bit for bit here), float32 to its rounding (3.6e-8 of the largest here: nnlab
    subtracts and divides in float32)."""
    from sklearn.preprocessing import StandardScaler

    keys = {"n_train": 1000, "n_val": 200}
    scaled = load_dataset(DigitsData(**keys), None, "float64")
    ds = load_dataset(DigitsData(**keys, normalize="standardize"), None, dtype)
    raw = {k: np.rint(x * 16) for k, (x, _) in scaled.splits.items()}
    scaler = StandardScaler().fit(raw["train"])
    assert (scaler.scale_ == 1).sum() == (raw["train"].std(axis=0) == 0).sum() > 0
    rtol = 1e-12 if dtype == "float64" else 4 * np.finfo(np.float32).eps
    for name, (x, y) in ds.splits.items():
        np.testing.assert_array_equal(y, scaled.splits[name][1])
        theirs = scaler.transform(raw[name])
        assert np.max(np.abs(x - theirs)) <= rtol * np.max(np.abs(theirs)), name
