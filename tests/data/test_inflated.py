"""Inflated copies of gzipped MNIST files (``nnlab.data.inflated``): read instead of inflating
again, for exactly the file they were made from, never a damaged copy, and never needed."""

from __future__ import annotations

import gzip

import pytest

from nnlab.data import inflated, load_dataset, mnist
from nnlab.errors import DataError
from tests.data.conftest import dataset_digest, write_mnist_part
from tests.data.test_mnist import small


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(inflated.CACHE_ENV, str(folder))
    return folder / "inflated"


def images(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 60)
    return tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"


def no_inflating(monkeypatch):
    def refuse(data):
        raise AssertionError("inflated again")

    monkeypatch.setattr(mnist, "_inflate_one_member", refuse)


def test_a_second_read_takes_the_copy_and_gives_the_same_bytes(tmp_path, cache, monkeypatch):
    path = images(tmp_path)
    first = mnist.read_payload(path)
    assert first == gzip.decompress(path.read_bytes())
    (entry,) = cache.iterdir()
    assert entry.name.startswith("t10k-images-idx3-ubyte-") and entry.read_bytes() == first
    inflating = dataset_digest(load_dataset(small(), tmp_path))  # (the labels' copy too)
    no_inflating(monkeypatch)
    assert mnist.read_payload(path) == first
    assert dataset_digest(load_dataset(small(), tmp_path)) == inflating


@pytest.mark.parametrize("damage", ["cut short", "a byte changed", "emptied"])
def test_a_damaged_copy_is_inflated_over_never_read_as_data(tmp_path, cache, damage):
    path = images(tmp_path)
    good = mnist.read_payload(path)
    (entry,) = cache.iterdir()
    data = bytearray(entry.read_bytes())
    if damage == "cut short":
        data = data[:-7]
    elif damage == "a byte changed":
        data[len(data) // 2] ^= 0x40
    else:
        data = bytearray()
    entry.write_bytes(bytes(data))
    assert mnist.read_payload(path) == good
    assert entry.read_bytes() == good  # (kept again, whole)


def test_a_changed_or_damaged_file_is_not_served_from_its_old_copy(tmp_path, cache):
    """The copy stands for the gzip file's exact bytes: the same name with other contents is
    another entry, and a file damaged since (its trailer intact) is still reported damaged."""
    path = images(tmp_path)
    old = mnist.read_payload(path)
    write_mnist_part(tmp_path / "mnist", "t10k", 60, seed=1)
    new = mnist.read_payload(path)
    assert new != old and new == gzip.decompress(path.read_bytes())
    packed = bytearray(path.read_bytes())
    packed[len(packed) // 2] ^= 0xFF  # (in the deflate stream; the trailer says what it did)
    path.write_bytes(bytes(packed))
    with pytest.raises(DataError, match=rf"{path}: (corrupt|truncated) gzip"):
        mnist.read_payload(path)
    (entry,) = [e for e in cache.iterdir() if e.name.startswith("t10k-images")]
    assert entry.read_bytes() == new  # (one copy per file name: the replaced file's is gone)


def test_off_keeps_no_copies_and_an_unwritable_cache_costs_only_time(tmp_path, monkeypatch):
    path = images(tmp_path)
    expected = gzip.decompress(path.read_bytes())
    monkeypatch.setenv(inflated.CACHE_ENV, inflated.OFF)
    assert mnist.read_payload(path) == expected and inflated.cache_dir() is None
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv(inflated.CACHE_ENV, str(blocker))
    assert mnist.read_payload(path) == expected
    assert blocker.read_text().startswith("a file")


def test_a_gzip_of_several_members_keeps_no_copy(tmp_path, cache):
    """Only one-member files are kept (their trailer is the whole payload's): a concatenated
    gzip is read by gzip's own reader every time."""
    path = images(tmp_path)
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:100]) + gzip.compress(raw[100:]))
    assert mnist.read_payload(path) == raw
    assert not cache.exists() or not list(cache.iterdir())


def test_the_default_folder_follows_xdg_on_linux(monkeypatch, tmp_path):
    if not inflated.sys.platform.startswith("linux"):
        pytest.skip("the XDG rule is Linux's")
    monkeypatch.delenv(inflated.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert inflated.cache_dir() == tmp_path / "nnlab" / "inflated"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert inflated.cache_dir() == tmp_path / "home" / ".cache" / "nnlab" / "inflated"
