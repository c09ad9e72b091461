"""Datasets: one module per source (digits, mnist, hdf5, synthetic), a registry, a fetcher.

``load_dataset(cfg, data_dir)`` is the one entry point: it reads the source the dataset config
names, carves train/val/test with ``cfg.split_seed`` and normalises (see ``dataset.py``).
Sources are imported lazily, so importing ``nnlab.data`` does not pull in h5py or scikit-learn.
"""

from __future__ import annotations

import os
from pathlib import Path

from nnlab.data.dataset import Dataset, Source, make_dataset
from nnlab.errors import ConfigError

__all__ = ["Dataset", "Source", "load_dataset", "load_source", "resolve_data_dir"]

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


def load_source(cfg, data_dir: Path | str | None = None) -> Source:
    """The raw ``Source`` for a dataset config (no splitting or normalising)."""
    name = cfg.name
    if name == "digits":
        from nnlab.data import digits

        return digits.load()
    if name == "mnist":
        from nnlab.data import mnist

        return mnist.load(resolve_data_dir(data_dir) / "mnist")
    if name == "hdf5":
        from nnlab.data import hdf5

        return hdf5.load(cfg, resolve_data_dir(data_dir))
    if name == "spiral":
        from nnlab.data import synthetic

        return synthetic.spiral(cfg.n_per_class, cfg.n_classes, cfg.noise, cfg.split_seed)
    if name == "blobs":
        from nnlab.data import synthetic

        return synthetic.blobs(cfg.n_per_class, cfg.n_classes, cfg.dim, cfg.spread, cfg.split_seed)
    raise ConfigError(f"dataset.name: unknown {name!r}")


def load_dataset(cfg, data_dir: Path | str | None = None, dtype: str = "float32") -> Dataset:
    """Load the dataset ``cfg`` (a DatasetConfig) describes: splits in ``dtype``, labels int64.

    ``data_dir`` is the folder holding ``mnist/`` and HDF5 files (None: $NNLAB_DATA_DIR, then
    pooch's cache; see ``resolve_data_dir``). Raises DataError for missing or corrupt files and
    ConfigError for split sizes the data cannot satisfy.
    """
    return make_dataset(load_source(cfg, data_dir), cfg, dtype)
