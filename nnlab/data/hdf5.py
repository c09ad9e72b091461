"""Images and labels from HDF5 files (deeplearning.ai's cat-vs-noncat layout by default).

The config names the files (``train_file``, optional ``test_file``) and the datasets inside them
(``train_x``/``train_y``, ``test_x``/``test_y``). Relative file paths are looked up under the
data dir, then the current folder. Images are flattened to (N, H*W*C) in file order; labels are
flattened to (N,) and must be non-negative integers (catvnoncat: 0 = non-cat, 1 = cat, so two
classes). ``normalize: scale`` divides uint8 images by 255 and leaves other dtypes as stored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnlab.data.dataset import Source
from nnlab.errors import DataError


def resolve(name: str, data_dir: Path, key: str) -> Path:
    """``name`` as given if absolute, else under ``data_dir``, else under the current folder."""
    path = Path(name).expanduser()
    candidates = [path] if path.is_absolute() else [data_dir / path, Path.cwd() / path]
    for cand in candidates:
        if cand.is_file():
            return cand
    where = " or ".join(str(c) for c in candidates)
    raise DataError(f"dataset.{key}: file {name!r} not found (looked for {where})")


def _dataset_names(f) -> list[str]:
    import h5py

    names: list[str] = []
    f.visititems(lambda n, obj: names.append(n) if isinstance(obj, h5py.Dataset) else None)
    return names


def read_xy(path: Path, x_key: str, y_key: str, which: str) -> tuple[np.ndarray, np.ndarray]:
    """(X (N, D), y (N,) int64) from datasets ``x_key``/``y_key`` of the HDF5 file ``path``."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"{path}: not a readable HDF5 file ({exc})") from None
    with f:
        arrays = []
        for key, cfg_key in ((x_key, f"{which}_x"), (y_key, f"{which}_y")):
            obj = f.get(key)
            if not isinstance(obj, h5py.Dataset):
                present = ", ".join(_dataset_names(f)) or "none"
                raise DataError(
                    f"{path}: no dataset {key!r} (dataset.{cfg_key}); datasets present: {present}"
                )
            arrays.append(np.asarray(obj[()]))
    X, y = arrays
    if X.ndim < 1 or len(X) == 0:
        raise DataError(
            f"{path}: dataset {x_key!r} has shape {X.shape}, expected (N, ...) with N > 0"
        )
    X = X.reshape(len(X), -1)
    y = y.reshape(-1)
    if len(y) != len(X):
        raise DataError(
            f"{path}: {x_key!r} has {len(X)} samples but {y_key!r} has {len(y)} labels "
            f"(shape mismatch)"
        )
    if not np.issubdtype(y.dtype, np.number) or np.any(y < 0) or np.any(y != np.round(y)):
        raise DataError(f"{path}: {y_key!r} must hold non-negative integer class labels")
    return X, y.astype(np.int64)


def load(cfg, data_dir: Path) -> Source:
    """The HDF5 dataset ``cfg`` (an Hdf5Data config) describes, files resolved under ``data_dir``."""
    train_path = resolve(cfg.train_file, Path(data_dir), "train_file")
    X, y = read_xy(train_path, cfg.train_x, cfg.train_y, "train")
    origin = f"hdf5: pool {train_path} [{cfg.train_x}, {cfg.train_y}] ({len(y)})"
    test = None
    if cfg.test_file is not None:
        test_path = resolve(cfg.test_file, Path(data_dir), "test_file")
        Xt, yt = read_xy(test_path, cfg.test_x, cfg.test_y, "test")
        if Xt.shape[1] != X.shape[1]:
            raise DataError(
                f"{test_path}: {cfg.test_x!r} has {Xt.shape[1]} features per sample, "
                f"the training file has {X.shape[1]} (shape mismatch)"
            )
        test = (Xt, yt)
        origin += f", test {test_path} [{cfg.test_x}, {cfg.test_y}] ({len(yt)})"
    labels_max = max(int(y.max()), int(test[1].max()) if test is not None and len(test[1]) else 0)
    uint8 = X.dtype == np.uint8 and (test is None or test[0].dtype == np.uint8)
    return Source(
        name="hdf5",
        pool=(X, y),
        test=test,
        n_classes=max(labels_max + 1, 2),
        scale=255.0 if uint8 else 1.0,
        origin=origin,
    )
