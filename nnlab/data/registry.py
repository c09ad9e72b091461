"""The datasets nnlab knows, and which of them are usable from a data dir (``nnlab data list``)."""

from __future__ import annotations

from pathlib import Path

from nnlab.data.datasets import BlobsData, DigitsData, Hdf5Data, MnistData, SpiralData
from nnlab.schema import DatasetBase

DATASETS: dict[str, type[DatasetBase]] = {
    cls.model_fields["name"].default: cls
    for cls in (DigitsData, MnistData, Hdf5Data, SpiralData, BlobsData)
}
"""Name -> dataset class: the one place a new dataset is added (a ``DatasetBase`` subclass with
a ``name`` literal, its keys and ``source``; one read from files also says how to get them,
``fetch`` and ``folder``, and whether a data dir has them, ``available``); the config schema,
``data list`` and its notes on what is missing read it."""


def availability(data_dir: Path) -> list[dict[str, str]]:
    """One row per dataset: dataset, status (available | missing), location, description."""
    rows = []
    for name, entry in DATASETS.items():
        found, location = entry.available(Path(data_dir))
        rows.append(
            {
                "dataset": name,
                "status": "available" if found else "missing",
                "location": location,
                "description": entry.description,
            }
        )
    return rows
