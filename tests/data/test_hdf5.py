"""HDF5 images + labels: path resolution, flattening, and the errors for bad files and keys."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from nnlab.data import load_dataset, load_source
from nnlab.data.datasets import Hdf5Data
from nnlab.errors import ConfigError, DataError

from .conftest import array_digest, dataset_digest, write_h5


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
    y = (np.arange(10) % 3).reshape(1, 10)
    write_h5(tmp_path / "cats" / "train.h5", n=10, y=y, classes=[b"a", b"b", b"c"])
    ds = load_dataset(cfg(n_test=0), tmp_path)
    assert ds.split("train")[1].shape == (10,) and ds.n_classes == 3


def test_relative_path_falls_back_to_the_current_folder(tmp_path, monkeypatch):
    write_h5(tmp_path / "cats" / "train.h5")
    monkeypatch.chdir(tmp_path)
    ds = load_dataset(cfg(), tmp_path / "empty-data-dir")
    assert ds.sizes() == {"train": 16, "test": 4}  # no test file: a fifth held out


def test_absolute_path_is_used_as_given(tmp_path):
    path = write_h5(tmp_path / "elsewhere" / "train.h5")
    ds = load_dataset(cfg(train_file=str(path)), tmp_path / "nowhere")
    assert ds.sizes() == {"train": 16, "test": 4}


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


def data_error(tmp_path, **kw) -> str:
    """The DataError message of loading ``cfg(**kw)`` from ``tmp_path``."""
    with pytest.raises(DataError) as err:
        load_dataset(cfg(**kw), tmp_path)
    return str(err.value)


def test_images_and_labels_first_dims_must_match(tmp_path):
    path = write_h5(tmp_path / "cats" / "train.h5", n=20, y=np.zeros(19, dtype=np.int64))
    assert data_error(tmp_path) == (
        f"{path}: dataset 'train_set_x' has 20 images (shape (20, 4, 4, 3)) but 'train_set_y' "
        "has 19 labels (shape (19,)); expected one label per image"
    )


def test_train_and_test_image_shapes_must_match(tmp_path):
    train = write_h5(tmp_path / "cats" / "train.h5", shape=(4, 4, 3))
    test = write_h5(tmp_path / "cats" / "test.h5", "test_set_x", "test_set_y", shape=(5, 5, 3))
    assert data_error(tmp_path, test_file="cats/test.h5") == (
        f"{test}: dataset 'test_set_x' holds images of shape 5x5x3 but {train} dataset "
        "'train_set_x' holds 4x4x3; expected the same shape"
    )


def test_same_size_but_transposed_test_images_are_a_data_error(tmp_path):
    # 4x4x3 and 3x4x4 flatten to the same 48 features: only the shapes tell them apart
    write_h5(tmp_path / "cats" / "train.h5", shape=(4, 4, 3))
    write_h5(tmp_path / "cats" / "test.h5", "test_set_x", "test_set_y", shape=(3, 4, 4))
    msg = data_error(tmp_path, test_file="cats/test.h5")
    assert "test.h5: dataset 'test_set_x' holds images of shape 3x4x4" in msg
    assert "holds 4x4x3; expected the same shape" in msg


def test_images_that_are_not_numbers_are_a_data_error(tmp_path):
    path = write_h5(tmp_path / "cats" / "train.h5", n=3, x=np.array([b"a", b"b", b"c"]))
    assert data_error(tmp_path) == (
        f"{path}: dataset 'train_set_x': values are byte strings (dtype S1); expected numbers"
    )


def test_labels_that_are_not_numbers_are_a_data_error(tmp_path):
    path = write_h5(tmp_path / "cats" / "train.h5", n=2, y=np.array([b"cat", b"dog"]))
    assert data_error(tmp_path) == (
        f"{path}: dataset 'train_set_y' holds byte strings (dtype S3); expected non-negative "
        "integer class labels"
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_pixels_are_a_data_error_with_their_count(tmp_path, bad):
    x = np.random.default_rng(0).random((10, 4, 4, 3))
    x[3, 1, 1, 0] = x[7, 0, 0, 2] = bad
    path = write_h5(tmp_path / "cats" / "train.h5", n=10, x=x)
    assert data_error(tmp_path) == (
        f"{path}: dataset 'train_set_x': 2 of 480 values are not finite (NaN or inf), the first "
        "in sample 3; expected finite numbers"
    )


def test_non_finite_pixels_in_the_test_file_name_the_test_file(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=10, x=np.zeros((10, 4, 4, 3)))
    x = np.zeros((6, 4, 4, 3))
    x[5] = np.nan
    test = write_h5(tmp_path / "cats" / "test.h5", "test_set_x", "test_set_y", n=6, x=x)
    msg = data_error(tmp_path, test_file="cats/test.h5")
    assert msg.startswith(f"{test}: dataset 'test_set_x': 48 of 288 values are not finite")


def test_negative_label_is_a_data_error(tmp_path):
    path = write_h5(tmp_path / "cats" / "train.h5", n=4, y=np.array([0, 1, -1, 0]))
    assert data_error(tmp_path) == (
        f"{path}: dataset 'train_set_y': 1 of 4 labels is not non-negative integers (the first "
        "is -1, sample 2); expected non-negative integer class labels"
    )


def test_nan_label_is_a_data_error(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=4, y=np.array([0.0, np.nan, 1.0, np.inf]))
    assert "2 of 4 labels are not non-negative integers (the first is nan" in data_error(tmp_path)


def test_label_making_more_classes_than_images_is_a_data_error(tmp_path):
    path = write_h5(tmp_path / "cats" / "train.h5", n=4, y=np.array([0, 1, 255, 0]), classes=None)
    assert data_error(tmp_path) == (
        f"{path}: dataset 'train_set_y' has label 255, which makes 256 classes for 4 images; "
        "expected class labels 0..C-1 with C at most the number of images"
    )


def test_huge_float_label_is_refused_before_any_int_cast(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=2, y=np.array([0.0, 1e30]), classes=None)
    assert "has label 1e+30, which makes 1e+30 classes for 2 images" in data_error(tmp_path)


def test_label_beyond_list_classes_is_a_data_error(tmp_path):
    path = write_h5(tmp_path / "cats" / "train.h5", n=6, y=np.array([0, 1, 2, 0, 1, 2]))
    assert data_error(tmp_path) == (
        f"{path}: dataset 'train_set_y' has label 2 but 'list_classes' names 2 classes; "
        "expected labels 0..1"
    )


def test_empty_image_dataset_is_a_data_error(tmp_path):
    x = np.zeros((0, 4, 4, 3), dtype=np.uint8)
    path = write_h5(tmp_path / "cats" / "train.h5", n=0, x=x, y=np.zeros(0, dtype=np.int64))
    assert data_error(tmp_path) == (
        f"{path}: dataset 'train_set_x' has shape (0, 4, 4, 3): no images; expected (N, ...) "
        "with N > 0"
    )


def test_empty_test_file_is_a_data_error(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5")
    x, y = np.zeros((0, 4, 4, 3), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    test = write_h5(tmp_path / "cats" / "test.h5", "test_set_x", "test_set_y", n=0, x=x, y=y)
    assert data_error(tmp_path, test_file="cats/test.h5").startswith(
        f"{test}: dataset 'test_set_x'"
    )


def test_non_hdf5_file_is_a_data_error(tmp_path):
    path = tmp_path / "cats" / "train.h5"
    path.parent.mkdir()
    path.write_text("not hdf5")
    with pytest.raises(DataError, match=rf"{path}: not a readable HDF5 file"):
        load_dataset(cfg(), tmp_path)


def test_fractional_labels_are_a_data_error(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=4, y=np.array([0.0, 1.5, 1.0, 0.0]))
    with pytest.raises(DataError, match=r"1 of 4 labels .* \(the first is 1\.5, sample 1\)"):
        load_dataset(cfg(), tmp_path)


def test_whole_float_labels_load_as_int64(tmp_path):
    write_h5(tmp_path / "cats" / "train.h5", n=4, y=np.array([0.0, 1.0, 1.0, 0.0]))
    y = load_dataset(cfg(n_test=0), tmp_path).split("train")[1]
    assert y.dtype == np.int64 and sorted(y.tolist()) == [0, 0, 1, 1]


def test_unreadable_dataset_is_a_data_error(tmp_path, monkeypatch):
    path = write_h5(tmp_path / "cats" / "train.h5")

    def fail(self, key):
        raise OSError("Can't synchronously read data (inflate() failed)")

    monkeypatch.setattr(h5py.Dataset, "__getitem__", fail)
    assert data_error(tmp_path) == (
        f"{path}: cannot read dataset 'train_set_x' (Can't synchronously read data "
        "(inflate() failed))"
    )


def test_shared_catvnoncat_loads_as_documented(shared_data, shared_catvnoncat_dir):
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


def test_shared_catvnoncat_arrays_are_unchanged_by_the_checks(shared_data, shared_catvnoncat_dir):
    # digests taken before the loader checked anything: checking must not change valid data
    config = Hdf5Data(
        train_file="catvnoncat/train_catvnoncat.h5", test_file="catvnoncat/test_catvnoncat.h5"
    )
    src = load_source(config, shared_data)
    assert array_digest(*src.pool, *src.test) == (
        "3b61160cf7fcd1ab791e4d38ebab81206ec41c65ee9f375a3559fca378190022"
    )
    assert dataset_digest(load_dataset(config, shared_data)) == (
        "3807e0fc85af34886e0189587418a042e86b15df0281e96144f41f2c320e1a17"
    )


def test_a_dataset_that_declares_more_than_memory_is_refused_before_it_inflates(
    tmp_path, monkeypatch
):
    """A chunked dataset of 10 million blank 64x64x3 images (no chunk written) is a few kB on
    disk and 114 GB read: refused from its header, naming the file, the dataset and the limit."""
    monkeypatch.setenv("NNLAB_MAX_MEMORY_GB", "1")
    path = tmp_path / "cats" / "train.h5"
    path.parent.mkdir()
    with h5py.File(path, "w") as f:
        f.create_dataset("train_set_x", shape=(10_000_000, 64, 64, 3), dtype=np.uint8,
                         chunks=(1000, 64, 64, 3), compression="gzip")  # fmt: skip
        f.create_dataset("train_set_y", shape=(10_000_000,), dtype=np.uint8, chunks=(10_000,))
    assert path.stat().st_size < 100_000
    with pytest.raises(ConfigError) as error:
        load_dataset(cfg(), tmp_path)
    assert str(error.value).startswith(
        f"{path}: dataset 'train_set_x' (10000000x64x64x3 uint8) needs at least 114 GB of memory, "
        "over the limit of 1 GB"
    )


def test_a_missing_catvnoncat_file_says_how_to_get_it(tmp_path, monkeypatch):
    # (the MNIST message named --data-dir and nnlab data fetch; catvnoncat's named neither)
    from nnlab.data import hdf5
    from nnlab.errors import DataError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as info:
        hdf5.resolve("catvnoncat/train_catvnoncat.h5", tmp_path / "data", "train_file")
    text = str(info.value)
    assert "pass --data-dir DIR with the file at DIR/catvnoncat/train_catvnoncat.h5" in text
    assert "nnlab data fetch catvnoncat --from DIR" in text


def test_a_data_dir_given_as_the_catvnoncat_folder_itself_names_the_one_to_give(tmp_path):
    # (the files were there, one level up from where they were looked for: it said only 'not
    # found ... pass --data-dir DIR with the file at DIR/catvnoncat/...', as MNIST's mnist/ given
    # as --data-dir is told the folder that contains it)
    from nnlab.data import hdf5
    from nnlab.errors import DataError

    folder = tmp_path / "data" / "catvnoncat"
    folder.mkdir(parents=True)
    (folder / "train_catvnoncat.h5").write_bytes(b"")
    with pytest.raises(DataError) as info:
        hdf5.resolve("catvnoncat/train_catvnoncat.h5", folder, "train_file")
    assert str(info.value) == (
        f"dataset.train_file: file 'catvnoncat/train_catvnoncat.h5' not found in {folder}, but "
        f"it holds train_catvnoncat.h5: --data-dir is the folder that contains catvnoncat/, here "
        f"{tmp_path / 'data'}"
    )
    assert hdf5.resolve("catvnoncat/train_catvnoncat.h5", tmp_path / "data", "train_file") == (
        folder / "train_catvnoncat.h5"
    )
