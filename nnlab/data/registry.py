"""The datasets nnlab knows, and which of them are usable from a data dir (``nnlab data list``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nnlab.data import mnist


@dataclass(frozen=True)
class Entry:
    """One dataset: its config ``name``, what it is, and whether it needs files on disk."""

    name: str
    description: str
    needs_files: bool
    where: str  # where the data comes from / is looked for (relative to the data dir)


DATASETS = [
    Entry(
        "digits",
        "8x8 handwritten digits, 1,797 images, 10 classes",
        False,
        "bundled with scikit-learn",
    ),
    Entry(
        "mnist",
        "28x28 handwritten digits, 60,000 train + 10,000 test, 10 classes (IDX files)",
        True,
        "mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]",
    ),
    Entry(
        "hdf5",
        "images + labels from HDF5 files named in the config (e.g. catvnoncat, 209 + 50 64x64 RGB)",
        True,
        "catvnoncat/{train,test}_catvnoncat.h5 (or dataset.train_file)",
    ),
    Entry(
        "spiral",
        "cs231n spiral: interleaved 2-D arms, one per class",
        False,
        "generated from split_seed",
    ),
    Entry("blobs", "Gaussian clusters with random centres", False, "generated from split_seed"),
]

CATVNONCAT = ("catvnoncat/train_catvnoncat.h5", "catvnoncat/test_catvnoncat.h5")


def availability(data_dir: Path) -> list[dict[str, str]]:
    """One row per dataset: dataset, status (available | missing), location, description."""
    data_dir = Path(data_dir)
    rows = []
    for entry in DATASETS:
        status, location = "available", entry.where
        if entry.name == "mnist":
            parts = mnist.available_parts(data_dir / "mnist")
            status = "available" if parts else "missing"
            note = f" (found: {' + '.join(parts)})" if parts else ""
            location = f"{data_dir / 'mnist'}{note}"
        elif entry.name == "hdf5":
            files = [p for p in CATVNONCAT if (data_dir / p).is_file()]
            status = "available" if files else "missing"
            location = ", ".join(str(data_dir / p) for p in (files or CATVNONCAT[:1]))
        rows.append(
            {
                "dataset": entry.name,
                "status": status,
                "location": location,
                "description": entry.description,
            }
        )
    return rows
