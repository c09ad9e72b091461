"""MNIST IDX loading: gz or raw, t10k-only or train + t10k, and every way a file can be wrong."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from nnlab.data import load_dataset, load_source, mnist
from nnlab.data.datasets import MnistData
from nnlab.errors import ConfigError, DataError

from .conftest import array_digest, dataset_digest, idx_bytes, write_idx, write_mnist_part


def small(**kw) -> MnistData:
    return MnistData(**{"n_test": 20, **kw})


def test_t10k_only_carves_every_split(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 100)
    ds = load_dataset(small(n_val=10), tmp_path)
    assert ds.sizes() == {"train": 70, "val": 10, "test": 20}
    assert ds.input_dim == 16 and ds.n_classes == 10
    assert "no train-* files" in ds.source


def test_train_present_is_the_pool_and_t10k_the_test_set(tmp_path):
    write_mnist_part(tmp_path / "mnist", "train", 120, seed=1)
    write_mnist_part(tmp_path / "mnist", "t10k", 30, seed=2)
    ds = load_dataset(MnistData(n_test=None, n_val=20), tmp_path, dtype="float64")
    assert ds.sizes() == {"train": 100, "val": 20, "test": 30}
    t10k = mnist.read_images(tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz") / 255.0
    np.testing.assert_array_equal(ds.split("test")[0], t10k)


def test_raw_and_gzipped_files_load_the_same(tmp_path):
    write_mnist_part(tmp_path / "gz" / "mnist", "t10k", 50, gz=True)
    write_mnist_part(tmp_path / "raw" / "mnist", "t10k", 50, gz=False)
    a = load_dataset(small(), tmp_path / "gz")
    b = load_dataset(small(), tmp_path / "raw")
    for name in a.splits:
        np.testing.assert_array_equal(a.split(name)[0], b.split(name)[0])


@pytest.mark.parametrize("tail", [b"", b"\0" * 8], ids=["two members", "zero padding"])
def test_a_gzip_of_several_members_loads_as_gzip_reads_it(tmp_path, tail):
    """A file of two gzip members (``cat a.gz b.gz``), or with padding after its one member:
    the one-call inflate reads the first member only, so such files go through gzip's own
    reader, whole."""
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    packed = (gzip.compress(raw[:100]) + gzip.compress(raw[100:])) if not tail else (
        gzip.compress(raw) + tail
    )  # fmt: skip
    path.write_bytes(packed)
    assert mnist.read_payload(path) == raw


def test_scale_maps_pixels_to_unit_interval(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 100)
    X = load_dataset(small(n_test=0), tmp_path).split("train")[0]
    assert X.min() >= 0 and X.max() <= 1 and X.max() > 0.99


def test_missing_mnist_names_files_folder_and_fetch_command(tmp_path):
    with pytest.raises(DataError) as err:
        load_dataset(small(), tmp_path)
    msg = str(err.value)
    assert str(tmp_path / "mnist") in msg
    assert f"{tmp_path / 'mnist'}: it needs t10k-images-idx3-ubyte[.gz] + " in msg
    assert "t10k-labels-idx1-ubyte[.gz] (the train-* pair too for the full 60,000)" in msg
    assert "nnlab data fetch mnist" in msg and "--data-dir" in msg


@pytest.mark.parametrize(
    ("env", "given", "said"),
    [
        (None, None, " (the default data folder: no --data-dir given, NNLAB_DATA_DIR not set):"),
        ("ENV", None, " (NNLAB_DATA_DIR):"),
        ("ENV", "ENV", " (NNLAB_DATA_DIR):"),  # (the command line's --data-dir reads it)
        ("ENV", "OTHER", ":"),  # (given: the user named it)
    ],
)
def test_missing_mnist_says_where_its_folder_came_from(tmp_path, monkeypatch, env, given, said):
    """A folder the user never named is said with why nnlab looked there."""
    places = {"ENV": str(tmp_path / "env"), "OTHER": str(tmp_path / "other")}
    monkeypatch.delenv("NNLAB_DATA_DIR", raising=False)
    if env is not None:
        monkeypatch.setenv("NNLAB_DATA_DIR", places[env])
    monkeypatch.setattr("pooch.os_cache", lambda name: tmp_path / "cache")
    folder = Path(places.get(given) or places.get(env) or tmp_path / "cache") / "mnist"
    folder.parent.mkdir()  # (there, without the files)
    with pytest.raises(DataError) as err:
        load_dataset(small(), places.get(given))
    assert str(err.value).startswith(f"MNIST not found in {folder}{said} it needs "), err.value


def test_a_data_folder_that_does_not_exist_is_said_so(tmp_path, monkeypatch):
    # (a typo in --data-dir read "MNIST not found in <typo>/mnist: it needs t10k-...": as if
    # the files were missing from a folder that was there)
    monkeypatch.delenv("NNLAB_DATA_DIR", raising=False)
    with pytest.raises(DataError) as err:
        load_dataset(small(), tmp_path / "dta")
    assert str(err.value) == (
        f"MNIST not found: the data folder {tmp_path / 'dta'} does not exist; give the folder "
        "that contains mnist/ as --data-dir, or make it with `nnlab data fetch mnist`"
    )
    monkeypatch.setenv("NNLAB_DATA_DIR", str(tmp_path / "env"))
    with pytest.raises(DataError, match=r"data folder \S+env \(NNLAB_DATA_DIR\) does not exist"):
        load_dataset(small(), None)


def test_a_data_dir_that_is_the_mnist_folder_itself_says_to_give_its_parent(tmp_path):
    # (--data-dir ../shared/data/mnist: 'MNIST not found in .../mnist/mnist: looked for ...')
    write_mnist_part(tmp_path / "mnist", "t10k", 60)
    with pytest.raises(DataError) as err:
        load_dataset(small(), tmp_path / "mnist")
    assert str(err.value) == (
        f"MNIST not found in {tmp_path / 'mnist' / 'mnist'}, but {tmp_path / 'mnist'} holds its "
        f"files: --data-dir is the folder that contains mnist/, here {tmp_path}"
    )


def test_data_dir_from_environment(tmp_path, monkeypatch):
    write_mnist_part(tmp_path / "mnist", "t10k", 60)
    monkeypatch.setenv("NNLAB_DATA_DIR", str(tmp_path))
    assert load_dataset(small()).sizes()["test"] == 20


def test_half_a_pair_is_an_error_naming_the_missing_file(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\[\.gz\]: missing"):
        load_dataset(small(), tmp_path)


def test_corrupt_gzip_is_a_data_error_naming_the_path(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    data[len(data) // 2 + 1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=rf"{path}: corrupt gzip"):
        load_dataset(small(), tmp_path)


def test_truncated_gzip_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(DataError, match=rf"{path}: truncated gzip"):
        load_dataset(small(), tmp_path)


@pytest.mark.parametrize("packed", [True, False], ids=["gzip that inflates past it", "plain"])
def test_an_idx_file_past_the_size_limit_is_refused_without_reading_it_all(
    tmp_path, monkeypatch, packed
):
    """A gzip bomb in the data dir inflates only to the limit (then one byte), not into memory;
    a plain file is read to one byte past it (the limit is lowered here to keep the test small:
    30 images of 4 x 4 are 496 bytes, 100 blank ones 1,616 bytes from a few dozen packed)."""
    from nnlab.data import mnist

    monkeypatch.setattr(mnist, "MAX_IDX_BYTES", 400)
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    if packed:  # 100 blank images: 1,616 bytes that pack into a few dozen
        write_idx(path, np.zeros((100, 4, 4), dtype=np.uint8), True)
        assert path.stat().st_size < 400
    else:
        path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
        path = path.with_suffix("")
    says = "decompresses to more than" if packed else "more than"
    with pytest.raises(DataError, match=rf"{path}: {says} 1,073,741,824 bytes"):
        load_dataset(small(), tmp_path)


def test_gz_name_without_gzip_content_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"<html>not found</html>")
    with pytest.raises(DataError, match=rf"{path}: not a gzip file \(expected gzip magic 1f 8b"):
        load_dataset(small(), tmp_path)


def test_wrong_magic_number_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    labels = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
    images = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    labels.write_bytes(images.read_bytes())  # an image file where labels belong
    with pytest.raises(DataError, match=rf"{labels}: magic number 2051, expected 2049"):
        load_dataset(small(), tmp_path)


def test_truncated_payload_is_a_data_error_with_sizes(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-5]))
    with pytest.raises(DataError, match=rf"{path}: truncated: header says 30x4x4 \(496 bytes\)"):
        load_dataset(small(), tmp_path)


def test_raw_file_longer_than_its_header_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30, gz=False)
    path = tmp_path / "mnist" / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(DataError, match=rf"{path}: longer than its header says"):
        load_dataset(small(), tmp_path)


def test_image_and_label_counts_must_match(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    labels = write_idx(tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz", np.zeros(29, np.uint8))
    images = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    assert data_error(tmp_path) == (
        f"{images}: 30 images but {labels} has 29 labels; expected equal"
    )


def test_label_out_of_range_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    labels = np.arange(30, dtype=np.uint8) % 10
    labels[[4, 9]] = [12, 200]
    path = write_idx(tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz", labels)
    assert data_error(tmp_path) == (
        f"{path}: label 12 out of range at item 4 (2 of 30 labels outside 0..9); "
        "expected digits 0..9"
    )


def data_error(data_dir, config=None) -> str:
    """The DataError message of loading MNIST from ``data_dir``."""
    with pytest.raises(DataError) as err:
        load_dataset(config or small(), data_dir)
    return str(err.value)


def test_header_saying_zero_images_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = write_idx(tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz", np.zeros((0, 28, 28)))
    assert data_error(tmp_path) == (
        f"{path}: header says 0 images (0x28x28); expected at least one"
    )


def test_header_saying_zero_labels_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = write_idx(tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz", np.zeros(0))
    assert data_error(tmp_path) == f"{path}: header says 0 labels (0); expected at least one"


def test_header_saying_images_of_zero_pixels_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30)
    path = write_idx(tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz", np.zeros((30, 0, 28)))
    assert data_error(tmp_path) == (
        f"{path}: header says 30x0x28: images of 0 pixels; expected rows, cols > 0"
    )


def test_header_with_huge_dimensions_is_truncated_not_an_overflow(tmp_path):
    # 3 x (2**32 - 1) overflows int64 when multiplied in NumPy; Python ints keep it exact
    big = (2**32 - 1).to_bytes(4, "big")
    path = tmp_path / "mnist" / "t10k-images-idx3-ubyte"
    write_mnist_part(tmp_path / "mnist", "t10k", 30, gz=False)
    path.write_bytes(b"\0\0\x08\x03" + big * 3 + bytes(100))
    expected = 16 + (2**32 - 1) ** 3
    assert data_error(tmp_path) == (
        f"{path}: truncated: header says 4294967295x4294967295x4294967295 ({expected:,} bytes), "
        "payload has 116 bytes"
    )


@pytest.mark.parametrize("size", [0, 3])
def test_file_too_short_for_a_header_is_a_data_error(tmp_path, size):
    write_mnist_part(tmp_path / "mnist", "t10k", 30, gz=False)
    path = tmp_path / "mnist" / "t10k-labels-idx1-ubyte"
    path.write_bytes(bytes(size))
    assert data_error(tmp_path) == f"{path}: {size} bytes, too short for an IDX1 label file"


def test_truncated_header_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 30, gz=False)
    path = tmp_path / "mnist" / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:10])
    assert data_error(tmp_path) == f"{path}: truncated header (10 bytes, need 16)"


def test_train_and_t10k_images_of_different_sizes_are_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "train", 50)  # 4x4 images
    t10k = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    write_idx(t10k, np.zeros((20, 5, 5)))
    write_idx(tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz", np.zeros(20))
    train = tmp_path / "mnist" / "train-images-idx3-ubyte.gz"
    assert data_error(tmp_path, MnistData(n_test=None)) == (
        f"{t10k}: images of 5x5 pixels but {train} holds 4x4; expected the same size in "
        "train and t10k"
    )


def test_same_pixel_count_but_different_shape_is_a_data_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "train", 50)  # 4x4 images: 16 pixels
    write_idx(tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz", np.zeros((20, 2, 8)))
    write_idx(tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz", np.zeros(20))
    assert "images of 2x8 pixels but" in data_error(tmp_path, MnistData(n_test=None))


def test_parse_idx_reads_header_dimensions():
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(mnist.parse_idx(idx_bytes(arr), mnist.IMAGES_MAGIC), arr)


def test_too_many_samples_for_t10k_only_is_a_config_error(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 100)
    with pytest.raises(ConfigError, match=r"dataset\.n_train/n_val/n_test.*has 100"):
        load_dataset(small(n_train=1000), tmp_path)


def test_shared_t10k_loads_all_10000_images(shared_mnist_dir):
    ds = load_dataset(MnistData(n_val=1000), shared_mnist_dir.parent)
    assert ds.sizes() == {"train": 7000, "val": 1000, "test": 2000}
    assert sum(ds.sizes().values()) == 10000
    assert ds.input_dim == 784
    X = np.concatenate([X for X, _ in ds.splits.values()])
    assert X.min() == 0.0 and X.max() == 1.0
    y = np.concatenate([y for _, y in ds.splits.values()])
    assert np.bincount(y).tolist()[:2] == [980, 1135]  # the known t10k class counts


def test_shared_t10k_payload_md5_matches_readme(shared_mnist_dir):
    md5 = {
        "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
    }
    for name, want in md5.items():
        payload = mnist.read_payload(shared_mnist_dir / name)
        assert hashlib.md5(payload).hexdigest() == want


def test_shared_t10k_arrays_are_unchanged_by_the_checks(shared_mnist_dir):
    # digests taken before the loader checked anything: checking must not change valid data
    src = load_source(MnistData(), shared_mnist_dir.parent)
    assert array_digest(*src.pool) == (
        "7083823f253a67f952d8f4ac44bd404f674b015b4de6b2ca8f727d1908788c24"
    )
    assert dataset_digest(load_dataset(MnistData(), shared_mnist_dir.parent)) == (
        "f830ef2210400210760fba40ccca9587f31b1dddd3885da3a5d6bd1cbac23a9a"
    )
