"""Images and labels from HDF5 files (deeplearning.ai's cat-vs-noncat layout by default).

The config names the files (``train_file``, optional ``test_file``) and the datasets inside them
(``train_x``/``train_y``, ``test_x``/``test_y``). Relative file paths are looked up under the
data dir, then the current folder. Images are flattened to (N, H*W*C) in file order; labels are
flattened to (N,) and must be non-negative integers (catvnoncat: 0 = non-cat, 1 = cat, so two
classes), one per image, below the number of images and, when the file has ``list_classes``,
below its length. Train and test images must have the same shape (not only the same size).
``normalize: scale`` divides uint8 images by 255 and leaves other dtypes as stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from nnlab.data.dataset import Source, bad_labels, describe_dtype
from nnlab.errors import DataError
from nnlab.output import brief, counted, verb

LIST_CLASSES = "list_classes"  # catvnoncat's class names: when present, labels must index them


def resolve(name: str, data_dir: Path, key: str) -> Path:
    """``name`` as given if absolute, else under ``data_dir``, else under the current folder."""
    path = Path(name).expanduser()
    candidates = [path] if path.is_absolute() else [data_dir / path, Path.cwd() / path]
    try:
        for cand in candidates:
            if cand.is_file():
                return cand
        for cand in candidates:
            if cand.exists():  # (a folder or a device where the file should be)
                what = "a folder" if cand.is_dir() else "not a regular file"
                raise DataError(f"dataset.{key}: {cand} is {what}, expected an HDF5 file")
    except OSError as exc:  # (a name too long to look up: it named no key, only the OS error)
        shown = brief(repr(name))
        raise DataError(f"dataset.{key}: {shown} cannot be looked up ({exc.strerror})") from None
    where = " or ".join(str(c) for c in candidates)
    inside = Path(*path.parts[1:]) if len(path.parts) > 1 else None  # (catvnoncat/ given)
    if not path.is_absolute() and inside and data_dir.name == path.parts[0]:
        if (data_dir / inside).is_file():
            raise DataError(
                f"dataset.{key}: file {name!r} not found in {data_dir}, but it holds {inside}: "
                f"--data-dir is the folder that contains {path.parts[0]}/, here {data_dir.parent}"
            )
    hint = "" if path.is_absolute() else (
        f"; pass --data-dir DIR with the file at DIR/{path}, or copy the files into the "
        f"data folder with nnlab data fetch catvnoncat --from DIR" if path.parts[0] == "catvnoncat"
        else f"; pass --data-dir DIR with the file at DIR/{path}"
    )  # fmt: skip
    raise DataError(f"dataset.{key}: file {name!r} not found (looked for {where}){hint}")


def _dataset_names(f) -> list[str]:
    import h5py

    names: list[str] = []
    f.visititems(lambda n, obj: names.append(n) if isinstance(obj, h5py.Dataset) else None)
    return names


class Images(NamedTuple):
    """What one file holds: images flattened to (N, D), raw labels (N,), one image's shape."""

    X: np.ndarray
    y: np.ndarray
    shape: tuple[int, ...]
    named_classes: int  # len(list_classes) when the file has that dataset, else 0


def read_xy(path: Path, x_key: str, y_key: str, which: str) -> Images:
    """Datasets ``x_key``/``y_key`` of the HDF5 file ``path``: one label per image, N > 0."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"{path}: not a readable HDF5 file ({exc})") from None
    with f:
        X = _read(f, path, x_key, f"{which}_x")
        y = _read(f, path, y_key, f"{which}_y")
        names = f.get(LIST_CLASSES)
        named = len(names) if isinstance(names, h5py.Dataset) and names.ndim == 1 else 0
    if X.ndim < 1 or len(X) == 0:
        raise DataError(
            f"{path}: dataset {x_key!r} has shape {X.shape}: no images; "
            "expected (N, ...) with N > 0"
        )
    if y.size != len(X):
        raise DataError(
            f"{path}: dataset {x_key!r} has {counted(len(X), 'image')} (shape {X.shape}) but {y_key!r} "
            f"has {counted(y.size, 'label')} (shape {y.shape}); expected one label per image"
        )
    return Images(X.reshape(len(X), -1), y.reshape(-1), tuple(X.shape[1:]), named or 0)


def _read(f, path: Path, key: str, cfg_key: str) -> np.ndarray:
    import h5py

    obj = f.get(key)
    if not isinstance(obj, h5py.Dataset):
        present = ", ".join(_dataset_names(f)) or "none"
        raise DataError(
            f"{path}: no dataset {key!r} (dataset.{cfg_key}); datasets present: {present}"
        )
    from nnlab.limits import check_memory

    # (the shape is in the header: a compressed dataset that declares billions of images is
    # refused before it inflates)
    check_memory(f"{path}: dataset {key!r} ({_shape(obj.shape)} {obj.dtype})",
                 obj.size * obj.dtype.itemsize)  # fmt: skip
    try:
        return np.asarray(obj[()])
    except (OSError, TypeError, ValueError) as exc:
        raise DataError(f"{path}: cannot read dataset {key!r} ({exc})") from None


def class_labels(part: Images, path: Path, key: str, n_samples: int) -> np.ndarray:
    """The labels of ``part`` as int64, or DataError: whole numbers 0..C-1, C <= ``n_samples``.

    ``n_samples`` (train + test) bounds the class count: a label beyond it (a stray 255, an id
    instead of a class) would make an output layer of classes no sample belongs to.
    """
    y = part.y
    if y.dtype.kind not in "iuf":
        raise DataError(
            f"{path}: dataset {key!r} holds {describe_dtype(y.dtype)}; expected non-negative "
            "integer class labels"
        )
    bad = bad_labels(y)
    if bad.any():
        i, n_bad = int(np.argmax(bad)), int(bad.sum())
        raise DataError(
            f"{path}: dataset {key!r}: {n_bad} of {counted(len(y), 'label')} "
            f"{verb(n_bad, 'is', 'are')} not non-negative "
            f"integers (the first is {y[i].item()!r}, sample {i}); expected non-negative integer "
            "class labels"
        )
    top = y.max().item()
    show = f"{top:g}" if isinstance(top, float) else str(top)
    if top >= n_samples:
        classes = f"{top + 1:g}" if isinstance(top, float) else str(top + 1)
        raise DataError(
            f"{path}: dataset {key!r} has label {show}, which makes {counted(classes, 'class', 'classes')} "
            f"for {counted(n_samples, 'image')}; expected class labels 0..C-1 with C at most the number of images"
        )
    if part.named_classes and top >= part.named_classes:
        raise DataError(
            f"{path}: dataset {key!r} has label {show} but {LIST_CLASSES!r} names "
            f"{counted(part.named_classes, 'class', 'classes')}; expected labels 0..{part.named_classes - 1}"
        )
    return y.astype(np.int64)


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "scalars"


def load(cfg, data_dir: Path) -> Source:
    """The HDF5 dataset ``cfg`` (an Hdf5Data config) describes, files resolved under ``data_dir``."""
    train_path = resolve(cfg.train_file, Path(data_dir), "train_file")
    train = read_xy(train_path, cfg.train_x, cfg.train_y, "train")
    test_path, test = None, None
    if cfg.test_file is not None:
        test_path = resolve(cfg.test_file, Path(data_dir), "test_file")
        test = read_xy(test_path, cfg.test_x, cfg.test_y, "test")
        if test.shape != train.shape:
            raise DataError(
                f"{test_path}: dataset {cfg.test_x!r} holds images of shape {_shape(test.shape)} "
                f"but {train_path} dataset {cfg.train_x!r} holds {_shape(train.shape)}; "
                "expected the same shape"
            )
    n_samples = len(train.y) + (len(test.y) if test is not None else 0)
    y = class_labels(train, train_path, cfg.train_y, n_samples)
    X = train.X
    origin = f"hdf5: pool {train_path} [{cfg.train_x}, {cfg.train_y}] ({len(y)})"
    pool_from = (f"{train_path}: dataset {cfg.train_x!r}", f"{train_path}: dataset {cfg.train_y!r}")
    test_arrays, test_from = None, ("", "")
    if test is not None and test_path is not None:  # (read together)
        yt = class_labels(test, test_path, cfg.test_y, n_samples)
        test_arrays = (test.X, yt)
        origin += f", test {test_path} [{cfg.test_x}, {cfg.test_y}] ({len(yt)})"
        test_from = (f"{test_path}: dataset {cfg.test_x!r}", f"{test_path}: dataset {cfg.test_y!r}")
    labels_max = max(int(y.max()), int(test_arrays[1].max()) if test_arrays is not None else 0)
    uint8 = X.dtype == np.uint8 and (test is None or test.X.dtype == np.uint8)
    return Source(
        name="hdf5",
        pool=(X, y),
        test=test_arrays,
        n_classes=max(labels_max + 1, 2),
        scale=255.0 if uint8 else 1.0,
        origin=origin,
        pool_from=pool_from,
        test_from=test_from,
    )
