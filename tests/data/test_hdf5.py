"""HDF5 images + labels: path resolution, flattening, and the errors for bad files and keys."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from nnlab.data import load_dataset
from nnlab.data.datasets import Hdf5Data
from nnlab.errors import DataError


def write_h5(path, x_name="train_set_x", y_name="train_set_y", n=20, shape=(4, 4, 3), y=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(n)
    with h5py.File(path, "w") as f:
        f[x_name] = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)
        f[y_name] = rng.integers(0, 2, size=n) if y is None else y
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    return path


def cfg(**kw) -> Hdf5Data:
    return Hdf5Data(**{"train_file": "cats/train.h5", **kw})


def test_train_and_test_files_load_flattened_and_scaled(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=20)
    write_h5(tmp_path / "cats" / "test.h5", "test_set_x", "test_set_y", n=8)
    ds = load_dataset(cfg(test_file="cats/test.h5"), tmp_path, dtype="float64")
    assert ds.sizes() == {"train": 20, "test": 8}
    assert (ds.input_dim, ds.n_classes) == (48, 2)
    with h5py.File(tmp_path / "cats" / "test.h5") as f:
        expected = f["test_set_x"][()].reshape(8, -1) / 255.0
    np.testing.assert_array_equal(ds.split("test")[0], expected)


def test_without_test_file_the_test_split_is_carved(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=30)
    ds = load_dataset(cfg(n_test=10, n_val=5), tmp_path)
    assert ds.sizes() == {"train": 15, "val": 5, "test": 10}


def test_labels_stored_as_a_row_are_flattened(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=10, y=(np.arange(10) % 3).reshape(1, 10))
    ds = load_dataset(cfg(), tmp_path)
    assert ds.split("train")[1].shape == (10,) and ds.n_classes == 3


def test_relative_path_falls_back_to_the_current_folder(tmp_path, monkeypatch):
    write_h5(tmp_path / "cats" / "train.h5")
    monkeypatch.chdir(tmp_path)
    ds = load_dataset(cfg(), tmp_path / "empty-data-dir")
    assert ds.sizes() == {"train": 20}


def test_absolute_path_is_used_as_given(tmp_path):
    path = write_h5(tmp_path / "elsewhere" / "train.h5")
    assert load_dataset(cfg(train_file=str(path)), tmp_path / "nowhere").sizes() == {"train": 20}


def test_missing_file_names_the_key_and_where_it_looked(tmp_path):
    with pytest.raises(DataError) as err:
        load_dataset(cfg(), tmp_path)
    msg = str(err.value)
    assert msg.startswith("dataset.train_file: file 'cats/train.h5' not found")
    assert str(tmp_path / "cats" / "train.h5") in msg


def test_missing_key_lists_the_datasets_present(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5")
    with pytest.raises(DataError) as err:
        load_dataset(cfg(train_x="images"), tmp_path)
    msg = str(err.value)
    assert "no dataset 'images' (dataset.train_x)" in msg
    assert "datasets present: list_classes, train_set_x, train_set_y" in msg


def test_missing_test_label_key_names_its_config_key(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5")
    write_h5(tmp_path / "cats" / "test.h5", "test_set_x", "labels")
    with pytest.raises(DataError, match=r"no dataset 'test_set_y' \(dataset\.test_y\)"):
        load_dataset(cfg(test_file="cats/test.h5"), tmp_path)


def test_sample_count_mismatch_is_a_data_error(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=20, y=np.zeros(19, dtype=np.int64))
    with pytest.raises(DataError, match="has 20 samples but 'train_set_y' has 19 labels"):
        load_dataset(cfg(), tmp_path)


def test_feature_mismatch_between_train_and_test_is_a_data_error(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", shape=(4, 4, 3))
    write_h5(tmp_path / "cats" / "test.h5", "test_set_x", "test_set_y", shape=(5, 5, 3))
    with pytest.raises(DataError, match="75 features per sample, the training file has 48"):
        load_dataset(cfg(test_file="cats/test.h5"), tmp_path)


def test_non_hdf5_file_is_a_data_error(tmp_path):
    path = tmp_path / "cats" / "train.h5"
    path.parent.mkdir()
    path.write_text("not hdf5")
    with pytest.raises(DataError, match=rf"{path}: not a readable HDF5 file"):
        load_dataset(cfg(), tmp_path)


def test_negative_or_fractional_labels_are_a_data_error(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=4, y=np.array([0.0, 1.5, 1.0, 0.0]))
    with pytest.raises(DataError, match="non-negative integer class labels"):
        load_dataset(cfg(), tmp_path)


def test_shared_catvnoncat_loads_as_documented(shared_data):
    if not (shared_data / "catvnoncat" / "train_catvnoncat.h5").is_file():
        pytest.skip("catvnoncat files absent from the shared data folder")
    config = Hdf5Data(
        train_file="catvnoncat/train_catvnoncat.h5", test_file="catvnoncat/test_catvnoncat.h5"
    )
    ds = load_dataset(config, shared_data)
    assert ds.split("train")[0].shape == (209, 12288)
    assert ds.split("test")[0].shape == (50, 12288)
    assert ds.n_classes == 2
    for X, y in ds.splits.values():
        assert X.min() >= 0.0 and X.max() <= 1.0
        assert set(np.unique(y).tolist()) == {0, 1}
