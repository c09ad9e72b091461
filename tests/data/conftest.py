"""Fixtures for the data tests: tiny IDX and HDF5 files, the shared data folder, a local server."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def array_digest(*arrays: np.ndarray) -> str:
    """SHA-256 over the dtypes, shapes and bytes of ``arrays``: equal digests, equal arrays."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def dataset_digest(ds) -> str:
    """``array_digest`` of every split's X and y, in split order."""
    return array_digest(*(a for xy in ds.splits.values() for a in xy))


def idx_bytes(arr: np.ndarray) -> bytes:
    """``arr`` (uint8) as IDX: magic 0x0800 + ndim, big-endian dims, then the bytes."""
    arr = np.asarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + arr.tobytes()


def write_idx(path: Path, arr: np.ndarray, gz: bool = True) -> Path:
    data = idx_bytes(arr)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_mnist_part(folder: Path, part: str, n: int, seed: int = 0, gz: bool = True) -> None:
    """A fake MNIST part: ``n`` distinct 4x4 images with labels 0..9, as IDX files in ``folder``."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 4, 4), dtype=np.uint8)
    images[:, 0, 0] = np.arange(n) % 256  # make rows distinct (with the rest random)
    images[:, 0, 1] = np.arange(n) // 256
    labels = np.arange(n, dtype=np.uint8) % 10
    ext = ".gz" if gz else ""
    write_idx(folder / f"{part}-images-idx3-ubyte{ext}", images, gz)
    write_idx(folder / f"{part}-labels-idx1-ubyte{ext}", labels, gz)


def write_h5(
    path: Path,
    x_name: str = "train_set_x",
    y_name: str = "train_set_y",
    n: int = 20,
    shape: tuple[int, ...] = (4, 4, 3),
    y=None,
    x=None,
    classes=(b"non-cat", b"cat"),
) -> Path:
    """A cat-vs-noncat-shaped HDF5 file: ``n`` random uint8 images of ``shape`` (or ``x``),
    labels 0/1 (or ``y``) and ``list_classes`` (``classes``; None: no such dataset)."""
    import h5py

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(n)
    with h5py.File(path, "w") as f:
        f[x_name] = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8) if x is None else x
        f[y_name] = rng.integers(0, 2, size=n) if y is None else y
        if classes is not None:
            f["list_classes"] = np.array(classes)
    return path


@pytest.fixture(autouse=True)
def _no_data_dir_env(monkeypatch):
    monkeypatch.delenv("NNLAB_DATA_DIR", raising=False)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent")
    return SHARED.resolve()


@pytest.fixture
def shared_catvnoncat_dir(shared_data) -> Path:
    folder = shared_data / "catvnoncat"
    for name in ("train_catvnoncat.h5", "test_catvnoncat.h5"):
        if not (folder / name).is_file():
            pytest.skip(f"{folder}/{name} is absent")
    return folder


@pytest.fixture
def shared_mnist_dir(shared_data) -> Path:
    folder = shared_data / "mnist"
    if not (folder / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"{folder}/t10k-images-idx3-ubyte.gz is absent")
    return folder


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


class _GzipEncoded(_Quiet):
    """Serves ``.gz`` files with ``Content-Encoding: gzip``, as some misconfigured mirrors do."""

    def end_headers(self):
        if self.path.endswith(".gz"):
            self.send_header("Content-Encoding", "gzip")
        super().end_headers()


@pytest.fixture
def serve(monkeypatch):
    """``serve(folder) -> base URL`` of an HTTP server on 127.0.0.1 (ephemeral port) for ``folder``.

    ``serve(folder, gzip_encoding=True)`` labels ``.gz`` files ``Content-Encoding: gzip``.
    """
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    servers = []

    def start(folder: Path, gzip_encoding: bool = False) -> str:
        cls = _GzipEncoded if gzip_encoding else _Quiet
        handler = functools.partial(cls, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
