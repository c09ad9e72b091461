"""The datasets nnlab knows, and which of them are usable from a data dir (``nnlab data list``)."""

from __future__ import annotations

from pathlib import Path

from nnlab.data import mnist
from nnlab.data.datasets import BlobsData, DigitsData, Hdf5Data, MnistData, SpiralData
from nnlab.schema import DatasetBase

DATASETS: dict[str, type[DatasetBase]] = {
    cls.model_fields["name"].default: cls
    for cls in (DigitsData, MnistData, Hdf5Data, SpiralData, BlobsData)
}
"""Name -> dataset class: the one place a new dataset is added (a ``DatasetBase`` subclass with
a ``name`` literal, its keys and ``source``); the config schema and ``data list`` read it."""

CATVNONCAT = ("catvnoncat/train_catvnoncat.h5", "catvnoncat/test_catvnoncat.h5")


def availability(data_dir: Path) -> list[dict[str, str]]:
    """One row per dataset: dataset, status (available | missing), location, description."""
    data_dir = Path(data_dir)
    rows = []
    for name, entry in DATASETS.items():
        status, location = "available", entry.where
        if name == "mnist":
            parts = mnist.available_parts(data_dir / "mnist")
            status = "available" if parts else "missing"
            note = f" (found: {' + '.join(parts)})" if parts else ""
            location = f"{data_dir / 'mnist'}{note}"
        elif name == "hdf5":
            files = [p for p in CATVNONCAT if (data_dir / p).is_file()]
            status = "available" if files else "missing"
            location = ", ".join(str(data_dir / p) for p in (files or CATVNONCAT[:1]))
        rows.append(
            {
                "dataset": name,
                "status": status,
                "location": location,
                "description": entry.description,
            }
        )
    return rows
