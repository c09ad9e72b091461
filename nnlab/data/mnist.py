"""MNIST from IDX files in ``<data-dir>/mnist``, gzipped or not.

Files: ``{train,t10k}-images-idx3-ubyte[.gz]`` and ``{train,t10k}-labels-idx1-ubyte[.gz]``.
With the ``train`` pair present it is the training pool and ``t10k`` is the test set; with only
the ``t10k`` pair, every split is carved from its 10,000 images.

IDX (http://yann.lecun.com/exdb/mnist/): a big-endian int32 magic number (2051 for images:
unsigned bytes, 3 dimensions; 2049 for labels: unsigned bytes, 1 dimension), one big-endian int32
per dimension, then the bytes. Each file is checked against its header: magic, at least one item
(of at least one pixel), and a length of exactly header + product of the dimensions. Image and
label counts must agree, labels must be digits 0..9, and train and t10k images the same size.
"""

from __future__ import annotations

import gzip
import io
import math
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nnlab.data import inflated
from nnlab.data.dataset import Source
from nnlab.errors import DataError
from nnlab.fileio import read_at_most
from nnlab.numbers import count_text
from nnlab.output import counted

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
MAX_IDX_BYTES = 2**30  # one IDX file (MNIST's largest is 47 MB)
TOO_LARGE = f"more than {MAX_IDX_BYTES:,} bytes; an IDX file nnlab reads is at most that"
PARTS = ("train", "t10k")
GZIP_MAGIC = b"\x1f\x8b"


def stems(part: str) -> tuple[str, str]:
    """The (images, labels) file names of ``part`` ("train" or "t10k"), without ``.gz``."""
    return f"{part}-images-idx3-ubyte", f"{part}-labels-idx1-ubyte"


def find(folder: Path, stem: str) -> Path | None:
    """``folder/stem`` if it exists, else ``folder/stem.gz``, else None."""
    for path in (folder / stem, folder / f"{stem}.gz"):
        if path.is_file():
            return path
    for path in (folder / stem, folder / f"{stem}.gz"):
        if path.exists():  # (a folder where the file should be: not "missing")
            what = "a folder" if path.is_dir() else "not a regular file"
            raise DataError(f"{path}: is {what}, expected an IDX file (optionally gzipped)")
    return None


def available_parts(folder: Path) -> list[str]:
    """Which of "train", "t10k" have both their files in ``folder``."""
    return [p for p in PARTS if all(find(folder, s) for s in stems(p))]


def read_payload(path: Path) -> bytes:
    """The IDX bytes of ``path``: decompressed if it is gzip (by content; a copy inflated by an
    earlier command where ``nnlab.data.inflated`` kept one), as stored otherwise; either way no
    more than ``MAX_IDX_BYTES`` (a gzip that inflates past it, a gzip bomb, is refused as soon
    as it does)."""
    try:
        data = read_at_most(Path(path), MAX_IDX_BYTES)
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data is None:
        raise DataError(f"{path}: {TOO_LARGE}")
    if data[:2] == GZIP_MAGIC:
        entry = inflated.entry_for(path, data)  # (its SHA-256: once, for reading or keeping)
        kept = inflated.cached(entry, data, MAX_IDX_BYTES)  # (inflated by an earlier command)
        if kept is not None:
            return kept
        try:
            payload, whole = _inflate_one_member(data)
            if not whole:  # (more members, or bytes after the first: gzip's own reader)
                with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                    payload = stream.read(MAX_IDX_BYTES + 1)
            if len(payload) > MAX_IDX_BYTES:
                raise DataError(f"{path}: decompresses to {TOO_LARGE}")
            if whole:
                inflated.keep(entry, data, payload)
            return payload
        except EOFError:
            raise DataError(f"{path}: truncated gzip (the stream ends early)") from None
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            raise DataError(f"{path}: corrupt gzip ({exc})") from None
    if Path(path).suffix == ".gz":
        raise DataError(
            f"{path}: not a gzip file (expected gzip magic 1f 8b, got {data[:2].hex(' ')})"
        )
    return data


def _inflate_one_member(data: bytes) -> tuple[bytes, bool]:
    """(payload, whether ``data`` was one gzip member and nothing more) of gzip ``data``,
    inflated in one call (a third faster than ``gzip.GzipFile``'s chunked reads), at most
    ``MAX_IDX_BYTES`` + 1 bytes; zlib checks the member's CRC and length. EOFError if the
    stream ends early."""
    inflate = zlib.decompressobj(wbits=31)  # (31: a gzip header and trailer)
    payload = inflate.decompress(data, MAX_IDX_BYTES + 1)
    if len(payload) > MAX_IDX_BYTES:
        return payload, True
    if not inflate.eof:
        raise EOFError
    return payload, not inflate.unused_data


def parse_idx(data: bytes, magic: int, path: Path | str = "<bytes>") -> np.ndarray:
    """The uint8 array in IDX ``data``, after checking the magic, the dimensions and the length."""
    what = {IMAGES_MAGIC: "an IDX3 image file", LABELS_MAGIC: "an IDX1 label file"}[magic]
    if len(data) < 4:
        raise DataError(f"{path}: {counted(len(data), 'byte')}, too short for {what}")
    got = int.from_bytes(data[:4], "big")
    if got != magic:
        raise DataError(f"{path}: magic number {got}, expected {magic} ({what})")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: truncated header ({counted(len(data), 'byte')}, need {header})")
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    shape = "x".join(map(str, dims))
    expected = header + math.prod(dims)  # Python ints: a corrupt header cannot overflow
    if len(data) != expected:
        kind = "truncated" if len(data) < expected else "longer than its header says"
        raise DataError(
            f"{path}: {kind}: header says {shape} ({counted(expected, 'byte')}), payload has "
            f"{counted(len(data), 'byte')}"
        )
    items = "images" if magic == IMAGES_MAGIC else "labels"
    if dims[0] == 0:
        raise DataError(f"{path}: header says 0 {items} ({shape}); expected at least one")
    if 0 in dims[1:]:
        raise DataError(f"{path}: header says {shape}: images of 0 pixels; expected rows, cols > 0")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def read_images(path: Path) -> np.ndarray:
    """Images of an IDX3 file as (N, rows * cols) uint8."""
    arr = parse_idx(read_payload(path), IMAGES_MAGIC, path)
    return arr.reshape(len(arr), -1)


def read_labels(path: Path) -> np.ndarray:
    """Labels of an IDX1 file as (N,) int64, checked to lie in 0..9."""
    y = parse_idx(read_payload(path), LABELS_MAGIC, path).astype(np.int64)
    bad = y > 9  # uint8: never negative
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"{path}: label {int(y[i])} out of range at item {i} ({int(bad.sum())} of "
            f"{counted(len(y), 'label')} outside 0..9); expected digits 0..9"
        )
    return y


class Pair(NamedTuple):
    """One part's images (N, rows*cols) and labels (N,), the files and the image size."""

    X: np.ndarray
    y: np.ndarray
    images: Path
    labels: Path
    size: tuple[int, int]  # (rows, cols)

    def describe(self) -> str:
        return f"{self.images.name} + {self.labels.name} ({count_text(len(self.y))})"


def read_pair(folder: Path, part: str) -> Pair | None:
    """The images and labels of ``part`` in ``folder``; None if neither file is there."""
    img_stem, lab_stem = stems(part)
    img, lab = find(folder, img_stem), find(folder, lab_stem)
    if img is None and lab is None:
        return None
    if img is None or lab is None:
        have, missing = (lab, img_stem) if img is None else (img, lab_stem)
        raise DataError(
            f"{folder}/{missing}[.gz]: missing (found {Path(have or '').name} without it)"
        )
    images = parse_idx(read_payload(img), IMAGES_MAGIC, img)  # (N, rows, cols)
    y = read_labels(lab)
    if len(images) != len(y):
        raise DataError(
            f"{img}: {counted(len(images), 'image')} but {lab} has {counted(len(y), 'label')}; "
            "expected equal"
        )
    size = (int(images.shape[1]), int(images.shape[2]))
    return Pair(images.reshape(len(images), -1), y, img, lab, size)


def load(folder: Path, origin: str = "") -> Source:
    """MNIST from ``folder`` (``<data-dir>/mnist``): pool = train (or t10k), test = t10k.
    ``origin``: where the data folder came from, for a message (``data_dir_origin``)."""
    folder = Path(folder)
    train, test = read_pair(folder, "train"), read_pair(folder, "t10k")
    if train is None and test is None:
        looked = " + ".join(f"{s}[.gz]" for s in stems("t10k"))
        if any(find(folder.parent, stem) for p in PARTS for stem in stems(p)):  # (mnist/ given)
            raise DataError(
                f"MNIST not found in {folder}, but {folder.parent} holds its files: --data-dir "
                f"is the folder that contains mnist/, here {folder.parent.parent}"
            )
        if not folder.parent.exists():  # (a typo in --data-dir read as a missing dataset)
            raise DataError(
                f"MNIST not found: the data folder {folder.parent}{origin} does not exist; give "
                "the folder that contains mnist/ as --data-dir, or make it with `nnlab data fetch "
                "mnist`"
            )
        raise DataError(
            f"MNIST not found in {folder}{origin}: it needs {looked} (the train-* pair "
            "too for the full 60,000); run `nnlab data fetch mnist` or pass --data-dir (the "
            "folder that contains mnist/)"
        )
    if train is not None and test is not None and train.size != test.size:
        raise DataError(
            f"{test.images}: images of {test.size[0]}x{test.size[1]} pixels but {train.images} "
            f"holds {train.size[0]}x{train.size[1]}; expected the same size in train and t10k"
        )
    if train is not None:
        pool, test_set = train, test
        origin = f"mnist from {folder}: pool {train.describe()}"
        origin += (
            f", test {test.describe()}" if test is not None else ", no t10k (test carved from pool)"
        )
    else:
        assert test is not None
        pool, test_set = test, None
        origin = (
            f"mnist from {folder}: pool {test.describe()} (no train-* files: all splits carved)"
        )
    return Source(
        name="mnist",
        pool=(pool.X, pool.y),
        test=None if test_set is None else (test_set.X, test_set.y),
        n_classes=10,
        scale=255.0,
        origin=origin,
        pool_from=(str(pool.images), str(pool.labels)),
        test_from=("", "") if test_set is None else (str(test_set.images), str(test_set.labels)),
    )
