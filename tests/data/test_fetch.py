"""fetch_mnist against local HTTP servers (never the internet): verify payloads, fall over, clean up."""

from __future__ import annotations

import gzip
import hashlib
import shutil

import numpy as np
import pytest

from nnlab.data import fetch, mnist
from nnlab.errors import ConfigError, DataError, OptionError

from .conftest import idx_bytes

T10K = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def fake_t10k(folder, monkeypatch=None, seed=0, pixel=None):
    """Well-formed t10k IDX files (10,000 items) with random content, gzipped into ``folder``.

    With ``monkeypatch`` the fetcher's expected MD5s are set to these payloads, so the whole
    download path can be tested without the real MNIST files.
    """
    rng = np.random.default_rng(seed)
    images = np.zeros((10000, 28, 28), dtype=np.uint8)  # mostly zeros: quick to gzip
    images[:, 0, :] = rng.integers(0, 256, size=(10000, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=10000, dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, arr in zip(T10K, (images, labels)):
        payload = idx_bytes(arr)
        (folder / f"{stem}.gz").write_bytes(gzip.compress(payload, compresslevel=1))
        if monkeypatch is not None:
            md5 = hashlib.md5(payload).hexdigest()
            monkeypatch.setitem(fetch.PAYLOAD_MD5, stem, md5)
    return folder


def test_fetches_real_t10k_from_a_local_mirror(tmp_path, serve, shared_mnist_dir):
    base = serve(shared_mnist_dir)
    paths = fetch.fetch_mnist(tmp_path / "dest", [base], which=("t10k",))
    assert [p.name for p in paths] == [f"{s}.gz" for s in T10K]
    assert all(p.parent == tmp_path / "dest" / "mnist" for p in paths)
    for p in paths:
        assert p.read_bytes() == (shared_mnist_dir / p.name).read_bytes()
    assert sorted(x.name for x in (tmp_path / "dest").iterdir()) == ["mnist"]  # no staging left
    assert mnist.available_parts(tmp_path / "dest" / "mnist") == ["t10k"]


def test_payload_checked_not_gzip_bytes(tmp_path, serve, shared_mnist_dir):
    # re-compress the real payloads differently: the gzip bytes change, the payload MD5 does not
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for stem in T10K:
        payload = gzip.decompress((shared_mnist_dir / f"{stem}.gz").read_bytes())
        (mirror / f"{stem}.gz").write_bytes(gzip.compress(payload, compresslevel=1, mtime=0))
    paths = fetch.fetch_mnist(tmp_path / "dest", [serve(mirror)], which=["t10k"])
    assert len(paths) == 2


def test_mirror_sending_content_encoding_gzip_still_verifies(tmp_path, serve, monkeypatch):
    # requests undoes Content-Encoding: gzip, so the raw IDX arrives: it is kept uncompressed
    mirror = fake_t10k(tmp_path / "mirror", monkeypatch)
    paths = fetch.fetch_mnist(tmp_path / "dest", [serve(mirror, gzip_encoding=True)], ["t10k"])
    assert [p.name for p in paths] == T10K
    assert paths[0].read_bytes() == gzip.decompress((mirror / f"{T10K[0]}.gz").read_bytes())


def test_corrupt_payload_is_rejected_and_nothing_is_left(tmp_path, serve, monkeypatch):
    mirror = fake_t10k(tmp_path / "mirror", monkeypatch)
    # now corrupt one pixel of the images while keeping a valid gzip and IDX header
    path = mirror / f"{T10K[0]}.gz"
    payload = bytearray(gzip.decompress(path.read_bytes()))
    payload[5000] ^= 1
    path.write_bytes(gzip.compress(bytes(payload)))
    dest = tmp_path / "dest"
    with pytest.raises(DataError) as err:
        fetch.fetch_mnist(dest, [serve(mirror)], which=("t10k",))
    msg = str(err.value)
    assert "t10k-images-idx3-ubyte.gz" in msg and "decompressed payload MD5" in msg
    assert not dest.exists() or not any(dest.rglob("*"))


def test_existing_dest_keeps_only_its_own_files_after_a_failure(tmp_path, serve, monkeypatch):
    mirror = fake_t10k(tmp_path / "mirror", monkeypatch)
    (mirror / f"{T10K[1]}.gz").write_bytes(b"not gzip at all")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(DataError, match="magic number .* expected 2049"):
        fetch.fetch_mnist(dest, [serve(mirror)], which=("t10k",))
    assert [p.name for p in dest.rglob("*")] == ["keep.txt"]  # images were good, not kept alone


def test_unreachable_mirror_falls_over_to_the_next(tmp_path, serve, dead_url, monkeypatch):
    mirror = fake_t10k(tmp_path / "mirror", monkeypatch)
    messages: list[str] = []
    paths = fetch.fetch_mnist(
        tmp_path / "dest", [dead_url, serve(mirror)], ("t10k",), progress=messages.append
    )
    assert len(paths) == 2 and all(p.is_file() for p in paths)
    assert any("failed" in m and dead_url in m and "refused" in m for m in messages)


def test_corrupt_mirror_falls_over_to_a_good_one(tmp_path, serve, monkeypatch):
    good = fake_t10k(tmp_path / "good", monkeypatch)
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    (bad / f"{T10K[0]}.gz").write_bytes(gzip.compress(b"\0\0\x08\x03" + b"\0" * 12))
    paths = fetch.fetch_mnist(tmp_path / "dest", [serve(bad), serve(good)], ("t10k",))
    assert paths[0].read_bytes() == (good / f"{T10K[0]}.gz").read_bytes()


def fetch_error(dest, mirrors, which=("t10k",)) -> str:
    with pytest.raises(DataError) as err:
        fetch.fetch_mnist(dest, mirrors, which)
    return str(err.value)


def test_all_mirrors_failing_names_each_one_and_the_last_in_full(tmp_path, serve, dead_url):
    empty = tmp_path / "empty"
    empty.mkdir()
    base = serve(empty)
    dest = tmp_path / "dest"
    msg = fetch_error(dest, [dead_url, base])
    assert msg.startswith("could not fetch t10k-images-idx3-ubyte.gz from any mirror")
    assert f"{dead_url}t10k-images-idx3-ubyte.gz: ConnectionError: connection refused; " in msg
    assert (
        f"{base}t10k-images-idx3-ubyte.gz: HTTPError: 404 Client Error: File not found for url: "
        f"{base}t10k-images-idx3-ubyte.gz; "
    ) in msg
    assert msg.endswith(
        f"; to install by hand, place t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz in "
        f"{dest / 'mnist'}/ (gzipped or not; `nnlab data fetch mnist --only t10k --data-dir "
        f"{dest}` then verifies them), or "
        "name another mirror with --mirror URL (a base URL serving those files)"
    )
    assert "\n" not in msg
    assert not dest.exists()


def test_unreachable_last_mirror_gives_its_full_cause(tmp_path, dead_url):
    msg = fetch_error(tmp_path / "dest", [dead_url])
    host_port = dead_url.removeprefix("http://").rstrip("/").split(":")
    assert (
        f"ConnectionError: HTTPConnectionPool(host='{host_port[0]}', port={host_port[1]}): "
        "Max retries exceeded with url: /t10k-images-idx3-ubyte.gz (Caused by "
        "NewConnectionError("
    ) in msg
    assert "Failed to establish a new connection" in msg and "Connection refused" in msg
    assert "..." not in msg and " object at 0x" not in msg  # not cut, no addresses


def test_offline_name_resolution_failure_is_not_cut_off(tmp_path, monkeypatch):
    # what requests raises on a machine without a network (built here, no lookup is made)
    import pooch
    import requests
    import urllib3
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    def offline(url, *args, **kwargs):
        host = url.split("/")[2]
        conn = urllib3.connection.HTTPSConnection(host, 443)
        gaierror = OSError(-3, "Temporary failure in name resolution")
        pool = urllib3.HTTPSConnectionPool(host, 443)
        path = "/" + url.split("/", 3)[3]
        error = MaxRetryError(pool, path, NameResolutionError(host, conn, gaierror))
        raise requests.exceptions.ConnectionError(error)

    monkeypatch.setattr(pooch, "retrieve", offline)
    dest = tmp_path / "data"
    msg = fetch_error(dest, ["https://one.example/mnist/", "https://two.example/mnist/"])
    first, last = msg.split("; ")[:2]
    # the first mirror: its root cause on one line; the last: requests' whole message (how
    # urllib3 shows the connection object varies with its version, hence start and end)
    assert first.startswith(
        "could not fetch t10k-images-idx3-ubyte.gz from any mirror: "
        "https://one.example/mnist/t10k-images-idx3-ubyte.gz: NameResolutionError: "
    )
    assert first.endswith(
        "Failed to resolve 'one.example' ([Errno -3] Temporary failure in name resolution)"
    )
    assert last.startswith(
        "https://two.example/mnist/t10k-images-idx3-ubyte.gz: ConnectionError: "
        "HTTPSConnectionPool(host='two.example', port=443): Max retries exceeded with url: "
        "/mnist/t10k-images-idx3-ubyte.gz (Caused by NameResolutionError("
    )
    assert last.endswith(
        "Failed to resolve 'two.example' ([Errno -3] Temporary failure in name resolution)\"))"
    )
    assert f"place t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz in {dest / 'mnist'}/" in msg
    assert "--mirror URL" in msg and "..." not in msg and " object at 0x" not in msg


def test_a_cause_drops_object_addresses_and_line_breaks_only():
    exc = ConnectionError("pool: Max retries\n  (Caused by X('<a.B object at 0x7f00ab>: refused'))")
    assert fetch._cause(exc) == (
        "ConnectionError: pool: Max retries (Caused by X('<a.B>: refused'))"
    )


def test_placement_lists_every_requested_file(tmp_path, dead_url):
    msg = fetch_error(tmp_path / "dest", [dead_url], which=("t10k", "train"))
    names = [f"{s}.gz" for p in ("t10k", "train") for s in mnist.stems(p)]
    assert f"place {', '.join(names)} in {tmp_path / 'dest' / 'mnist'}/" in msg


def test_verified_files_already_present_are_not_downloaded(tmp_path, dead_url, monkeypatch):
    fake_t10k(tmp_path / "dest" / "mnist", monkeypatch)
    paths = fetch.fetch_mnist(tmp_path / "dest", [dead_url], ("t10k",))
    assert [p.name for p in paths] == [f"{s}.gz" for s in T10K]


def test_a_corrupt_existing_file_is_replaced(tmp_path, serve, monkeypatch):
    mirror = fake_t10k(tmp_path / "mirror", monkeypatch)
    folder = tmp_path / "dest" / "mnist"
    folder.mkdir(parents=True)
    (folder / T10K[1]).write_bytes(b"\0\0\x08\x01junk")  # raw name: would shadow the .gz
    paths = fetch.fetch_mnist(tmp_path / "dest", [serve(mirror)], ("t10k",))
    assert not (folder / T10K[1]).exists()
    assert paths[1] == folder / f"{T10K[1]}.gz"


def test_unknown_part_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="expected some of train, t10k"):
        fetch.fetch_mnist(tmp_path, ["http://127.0.0.1:9/"], which=("test",))


def test_known_payload_md5s_cover_all_four_files():
    assert set(fetch.PAYLOAD_MD5) == {s for p in mnist.PARTS for s in mnist.stems(p)}


def test_a_data_dir_that_is_a_file_is_refused_before_any_download(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OptionError, match=r"--data-dir: '.*/file' is not a folder; give another"):
        fetch.fetch_mnist(tmp_path / "file", mirrors=["http://127.0.0.1:9/"])
    assert (tmp_path / "file").read_text() == "not a folder"


def test_a_read_only_data_dir_holding_every_file_is_no_error(tmp_path, dead_url, monkeypatch):
    # (nothing to write: the check of the data dir is made only when a file must be put there)
    import errno
    import os
    import tempfile

    fake_t10k(tmp_path / "dest" / "mnist", monkeypatch)

    def mkstemp(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(kwargs.get("dir")))

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    paths = fetch.fetch_mnist(tmp_path / "dest", [dead_url], ("t10k",))
    assert [p.name for p in paths] == [f"{s}.gz" for s in T10K]
    with pytest.raises(OptionError, match="Read-only file system"):
        fetch.fetch_mnist(tmp_path / "dest", [dead_url], ("train",))


def test_the_by_hand_hint_repeats_the_parts_and_the_data_dir_it_was_given(tmp_path, dead_url):
    # (it said `nnlab data fetch mnist`, which looks for both parts in the default folder)
    dest = tmp_path / "my data"
    one = fetch_error(dest, [dead_url], which=("train",))
    assert f"`nnlab data fetch mnist --only train --data-dir '{dest}'` then verifies" in one
    both = fetch_error(dest, [dead_url], which=("t10k", "train"))
    assert f"`nnlab data fetch mnist --data-dir '{dest}'` then verifies" in both
