"""Datasets: one module per source (digits, mnist, hdf5, synthetic), their config classes
(``datasets.py``), the registry (``registry.py``), the splits (``dataset.py``), inflated copies
of gzipped files (``inflated.py``) and a fetcher (``fetch.py``).

``load_dataset(cfg, data_dir)`` is the one entry point: it reads the source the dataset config
names (``cfg.source``), carves train/val/test with ``cfg.split_seed`` and normalises (see
``dataset.py``).
Sources are imported lazily, so importing ``nnlab.data`` does not pull in h5py or scikit-learn.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from nnlab.data.dataset import Dataset, Source, make_dataset

if TYPE_CHECKING:
    from nnlab.schema import DatasetBase

__all__ = [
    "Dataset",
    "Source",
    "data_dir_option",
    "data_dir_origin",
    "load_dataset",
    "load_source",
    "resolve_data_dir",
]

DATA_DIR_ENV = "NNLAB_DATA_DIR"


def resolve_data_dir(data_dir: Path | str | None = None) -> Path:
    """Where data files live: ``data_dir`` if given, else $NNLAB_DATA_DIR, else pooch's cache.

    The cache is ``pooch.os_cache("nnlab")`` (e.g. ``~/.cache/nnlab`` on Linux); it is not created.
    """
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import pooch

    return Path(pooch.os_cache("nnlab"))


def data_dir_origin(data_dir: Path | str | None = None) -> str:
    """Where ``resolve_data_dir`` took the data folder from, as a message says it: "" for one
    given (--data-dir), else ``NNLAB_DATA_DIR`` or the default (a folder the user never named:
    a message naming only the path left them guessing why nnlab looked there)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env and (data_dir is None or str(data_dir) in ("", env)):  # (the command line's
        return f" ({DATA_DIR_ENV})"  # --data-dir reads it: the same text, from there)
    if data_dir is not None and str(data_dir) != "":
        return ""
    return f" (the default data folder: no --data-dir given, {DATA_DIR_ENV} not set)"


def data_dir_option(data_dir: Path | str | None) -> str:
    """`` --data-dir DIR`` as a command line to paste gives the data folder ``data_dir`` (quoted
    for a shell), "" for none: a command offered to go on from a folder made with the data in
    its meta.json's ``data_dir`` (without it the command looked in the default folder, 'MNIST
    not found in ~/.cache/nnlab/mnist'), and a fetch offered again (``fetch.again``)."""
    import shlex

    return f" --data-dir {shlex.quote(str(data_dir))}" if data_dir else ""


def load_source(cfg: DatasetBase, data_dir: Path | str | None = None) -> Source:
    """The raw ``Source`` for a dataset config (no splitting or normalising)."""
    return cfg.source(data_dir)


def load_dataset(
    cfg: DatasetBase, data_dir: Path | str | None = None, dtype: str = "float32"
) -> Dataset:
    """Load the dataset ``cfg`` (a config's ``dataset``: a ``DatasetBase`` subclass) describes:
    splits in ``dtype``, labels int64.

    ``data_dir`` is the folder holding ``mnist/`` and HDF5 files (None: $NNLAB_DATA_DIR, then
    pooch's cache; see ``resolve_data_dir``). Raises DataError for missing or corrupt files and
    ConfigError for split sizes the data cannot satisfy.
    """
    from nnlab.limits import check_memory

    size = cfg.generated_size()  # (the keys to make smaller: it named none)
    what = f"generating dataset {cfg.name!r}" + (f" ({size})" if size else "")
    check_memory(what, cfg.generated_bytes())
    return make_dataset(load_source(cfg, data_dir), cfg, dtype)
