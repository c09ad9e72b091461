"""fetch_catvnoncat: no download; files in place verified, copied from --from, or what to place."""

from __future__ import annotations

import hashlib
import shutil

import h5py
import numpy as np
import pytest

from nnlab.data import fetch, load_dataset
from nnlab.data.datasets import Hdf5Data
from nnlab.errors import DataError

from .conftest import dataset_digest, write_h5

NAMES = ["train_catvnoncat.h5", "test_catvnoncat.h5"]


def fake_catvnoncat(folder, monkeypatch, sizes=(6, 4)):
    """Small files in catvnoncat's layout (64x64x3 uint8 images), made the known copies."""
    specs = []
    for name, n in zip(NAMES, sizes):
        prefix = name.split("_")[0] + "_set"
        path = write_h5(folder / name, f"{prefix}_x", f"{prefix}_y", n=n, shape=(64, 64, 3))
        with h5py.File(path) as f:
            x, y = f[f"{prefix}_x"][()], f[f"{prefix}_y"][()]
        content = hashlib.sha256(x.tobytes() + y.astype("<i8").tobytes()).hexdigest()
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        specs.append(fetch.H5File(name, sha, content, f"{prefix}_x", f"{prefix}_y", n))
    monkeypatch.setattr(fetch, "CATVNONCAT", specs)
    return folder


def catvnoncat_error(dest, source=None) -> str:
    with pytest.raises(DataError) as err:
        fetch.fetch_catvnoncat(dest, source)
    return str(err.value)


def test_absent_files_say_what_to_place_where(tmp_path):
    dest = tmp_path / "data"
    msg = catvnoncat_error(dest)
    assert msg == (
        f"{dest / 'catvnoncat'}: no train_catvnoncat.h5 or test_catvnoncat.h5; catvnoncat has no "
        "official download: place train_catvnoncat.h5 (datasets train_set_x (209, 64, 64, 3) "
        "uint8, train_set_y (209,) labels 0/1) and test_catvnoncat.h5 (datasets test_set_x "
        "(50, 64, 64, 3) uint8, test_set_y (50,) labels 0/1) in "
        f"{dest / 'catvnoncat'}/, or copy them from a folder you have with "
        "`nnlab data fetch catvnoncat --from DIR`"
    )
    assert not dest.exists()  # nothing made


def test_one_absent_file_is_named_alone(tmp_path, monkeypatch):
    dest = tmp_path / "data"
    fake_catvnoncat(dest / "catvnoncat", monkeypatch)
    (dest / "catvnoncat" / NAMES[1]).unlink()
    msg = catvnoncat_error(dest)
    assert msg.startswith(f"{dest / 'catvnoncat'}: no test_catvnoncat.h5; ")
    assert "place test_catvnoncat.h5 (datasets test_set_x (4, 64, 64, 3)" in msg
    assert "train_catvnoncat.h5 (" not in msg


def test_files_in_place_are_verified_and_kept(tmp_path, monkeypatch):
    dest = tmp_path / "data"
    fake_catvnoncat(dest / "catvnoncat", monkeypatch)
    messages: list[str] = []
    paths = fetch.fetch_catvnoncat(dest, progress=messages.append)
    assert paths == [dest / "catvnoncat" / n for n in NAMES]
    assert all("present, SHA-256" in m and "as the known copy" in m for m in messages)


def test_from_copies_and_verifies(tmp_path, monkeypatch):
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    dest = tmp_path / "data"
    paths = fetch.fetch_catvnoncat(dest, have)
    for name, path in zip(NAMES, paths):
        assert path == dest / "catvnoncat" / name
        assert path.read_bytes() == (have / name).read_bytes()
    assert sorted(p.name for p in dest.iterdir()) == ["catvnoncat"]  # no staging left


def test_from_accepts_the_folder_holding_catvnoncat(tmp_path, monkeypatch):
    fake_catvnoncat(tmp_path / "old-data" / "catvnoncat", monkeypatch)
    paths = fetch.fetch_catvnoncat(tmp_path / "data", tmp_path / "old-data")
    assert all(p.is_file() for p in paths)


def test_from_without_the_files_names_where_it_looked(tmp_path, monkeypatch):
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    (have / NAMES[0]).unlink()
    dest = tmp_path / "data"
    msg = catvnoncat_error(dest, have)
    assert msg.startswith(
        f"{have}: no train_catvnoncat.h5 (looked for {have / NAMES[0]} or "
        f"{have / 'catvnoncat' / NAMES[0]}); expected train_catvnoncat.h5 (datasets"
    )
    assert not dest.exists()


def test_from_a_file_not_a_folder_is_a_data_error(tmp_path, monkeypatch):
    fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    msg = catvnoncat_error(tmp_path / "data", tmp_path / "downloads" / NAMES[0])
    assert msg.startswith(f"{tmp_path / 'downloads' / NAMES[0]}: not a folder")


def test_from_a_folder_that_does_not_exist_says_so(tmp_path, monkeypatch):
    # (the help's example, --from ~/Downloads, on a machine without one: it said 'not a folder')
    fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    msg = catvnoncat_error(tmp_path / "data", tmp_path / "Downloads")
    assert msg.startswith(f"{tmp_path / 'Downloads'}: no such folder (--from names the folder")


def corrupt(path):
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # inside the image data, the HDF5 structure stays readable
    path.write_bytes(bytes(data))


def test_corrupt_file_in_place_is_named_with_both_digests(tmp_path, monkeypatch):
    dest = tmp_path / "data"
    fake_catvnoncat(dest / "catvnoncat", monkeypatch)
    path = dest / "catvnoncat" / NAMES[1]
    corrupt(path)
    msg = catvnoncat_error(dest)
    assert msg.startswith(f"{path}: not the known copy: file SHA-256 ")
    assert f"expected {fetch.CATVNONCAT[1].sha256}" in msg
    assert "its images and labels differ too" in msg and "a corrupt or a different file" in msg
    assert "place test_catvnoncat.h5 (datasets" in msg and "--from DIR" in msg


def test_corrupt_file_in_place_is_replaced_from(tmp_path, monkeypatch):
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    dest = tmp_path / "data"
    shutil.copytree(have, dest / "catvnoncat")
    corrupt(dest / "catvnoncat" / NAMES[0])
    messages: list[str] = []
    fetch.fetch_catvnoncat(dest, have, progress=messages.append)
    assert (dest / "catvnoncat" / NAMES[0]).read_bytes() == (have / NAMES[0]).read_bytes()
    assert any("not the known copy" in m and m.endswith("copying it again") for m in messages)


def test_corrupt_source_is_refused_and_nothing_is_copied(tmp_path, monkeypatch):
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    corrupt(have / NAMES[1])
    dest = tmp_path / "data"
    msg = catvnoncat_error(dest, have)
    assert msg.startswith(f"{have / NAMES[1]}: not the known copy")
    assert not dest.exists()


def test_resaved_copy_with_the_same_images_is_accepted(tmp_path, monkeypatch):
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    path = have / NAMES[0]
    with h5py.File(path) as f:
        arrays = {k: f[k][()] for k in f}
    with h5py.File(path, "w") as f:  # other bytes: compressed, another label dtype
        for k, v in arrays.items():
            f.create_dataset(
                k,
                data=v.astype(np.int32) if k.endswith("_y") else v,
                **({"compression": "gzip"} if k.endswith("_x") else {}),
            )
    assert hashlib.sha256(path.read_bytes()).hexdigest() != fetch.CATVNONCAT[0].sha256
    messages: list[str] = []
    fetch.fetch_catvnoncat(tmp_path / "data", have, progress=messages.append)
    assert any(
        "images and labels as the known copy (the file's bytes differ)" in m for m in messages
    )


def test_wrong_layout_says_the_expected_one(tmp_path, monkeypatch):
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    write_h5(have / NAMES[0], n=6, shape=(32, 32, 3))
    msg = catvnoncat_error(tmp_path / "data", have)
    assert msg == (
        f"{have / NAMES[0]}: dataset 'train_set_x' holds uint8 images of shape (6, 32, 32, 3); "
        "expected train_catvnoncat.h5 (datasets train_set_x (6, 64, 64, 3) uint8, train_set_y "
        "(6,) labels 0/1)"
    )


def test_not_hdf5_is_named_by_the_loader(tmp_path, monkeypatch):
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    (have / NAMES[1]).write_text("<html>404</html>")
    msg = catvnoncat_error(tmp_path / "data", have)
    assert msg.startswith(f"{have / NAMES[1]}: not a readable HDF5 file")


def test_shared_copies_verify_copy_and_load_unchanged(tmp_path, shared_data, shared_catvnoncat_dir):
    dest = tmp_path / "data"
    messages: list[str] = []
    paths = fetch.fetch_catvnoncat(dest, shared_catvnoncat_dir, progress=messages.append)
    assert sum("as the known copy" in m for m in messages) == 2
    for path in paths:
        assert path.read_bytes() == (shared_catvnoncat_dir / path.name).read_bytes()
    config = Hdf5Data(
        train_file="catvnoncat/train_catvnoncat.h5", test_file="catvnoncat/test_catvnoncat.h5"
    )
    assert dataset_digest(load_dataset(config, dest)) == dataset_digest(
        load_dataset(config, shared_data)
    )


def test_fetch_copies_catvnoncat_into_its_folder_and_refuses_mnists_options(tmp_path, monkeypatch):
    from nnlab.errors import OptionError

    source = fake_catvnoncat(tmp_path / "have", monkeypatch)
    dest = tmp_path / "data"
    for option, given in (("--mirror", {"mirrors": ["http://x"]}), ("--only", {"only": ["t10k"]})):
        with pytest.raises(OptionError) as err:
            fetch.fetch("catvnoncat", dest, source=source, **given)
        assert (err.value.option, err.value.problem) == (option, "goes with mnist (catvnoncat "
                                                         "has no download)")  # fmt: skip
    assert not dest.exists()  # (refused before anything is made)
    folder, paths = fetch.fetch("catvnoncat", dest, source=source)
    assert folder == dest / "catvnoncat" and sorted(p.name for p in paths) == sorted(NAMES)
    assert all(p.parent == folder and p.is_file() for p in paths)


def test_fetch_refuses_a_folder_to_copy_from_beside_mnist(tmp_path):
    from nnlab.errors import OptionError

    with pytest.raises(OptionError) as err:
        fetch.fetch("mnist", tmp_path / "data", source=tmp_path)
    assert err.value.option == "--from" and err.value.problem.startswith(
        "goes with catvnoncat (mnist is downloaded); MNIST files you have are read where they are"
    )
    assert not (tmp_path / "data").exists()
