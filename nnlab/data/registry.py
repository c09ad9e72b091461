"""The datasets nnlab knows, which of them are usable from a data dir and how to get those
missing (``nnlab data list``)."""

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


def missing_notes(rows: list[dict[str, str]], where: Path, given: Path | None) -> list[str]:
    """A line for each missing dataset of ``availability(where)``'s ``rows``, saying how to get
    it (``missing_note``): the row said where it was looked for, not how to get it."""
    return [missing_note(r["dataset"], where, given) for r in rows if r["status"] == "missing"]


def missing_note(dataset: str, where: Path, given: Path | None) -> str:
    """How to get ``dataset``, missing from the data folder ``where``: its fetch command, or
    the folder that holds it as --data-dir. A folder the user named (``given``: --data-dir,
    or $NNLAB_DATA_DIR) is named, and said not to exist where it does not; its fetch fetches
    into it (it said 'or give --data-dir' of a --data-dir given, /nonexist, as if none was)."""
    from nnlab.data import data_dir_option, data_dir_origin

    how, folder = DATASETS[dataset].fetch, DATASETS[dataset].folder
    if given is None or str(given) == "":  # (the default folder: its fetch makes it)
        return (
            f"{dataset}: missing; {how.format(dir='')}, or give --data-dir, the folder holding "
            f"{folder}"
        )
    fetch = how.format(dir=data_dir_option(where))
    named = f"the data folder {where}{data_dir_origin(given)}"
    if not where.exists():
        return (
            f"{dataset}: missing; {named} does not exist: give the folder holding {folder} as "
            f"--data-dir, or {fetch} there"
        )
    return (
        f"{dataset}: missing in {named}; {fetch} there, or give the folder holding {folder} "
        "as --data-dir"
    )
