"""The dataset table and availability report behind ``nnlab data list``."""

from __future__ import annotations

from nnlab.data import resolve_data_dir
from nnlab.data.registry import DATASETS, availability

from .conftest import write_mnist_part


def by_name(rows):
    return {r["dataset"]: r for r in rows}


def test_every_config_dataset_is_listed():
    from nnlab.config import variants

    assert {r["dataset"] for r in availability(resolve_data_dir())} == set(variants("dataset"))
    assert set(DATASETS) == set(variants("dataset"))


def test_empty_data_dir_reports_file_datasets_missing(tmp_path):
    rows = by_name(availability(tmp_path))
    assert rows["mnist"]["status"] == "missing" and rows["hdf5"]["status"] == "missing"
    assert rows["mnist"]["location"] == str(tmp_path / "mnist")
    for name in ("digits", "spiral", "blobs"):
        assert rows[name]["status"] == "available"
    assert all(set(r) == {"dataset", "status", "location", "description"} for r in rows.values())


def test_mnist_available_with_the_parts_found(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 10)
    row = by_name(availability(tmp_path))["mnist"]
    assert row["status"] == "available" and row["location"].endswith("(found: t10k)")


def test_shared_data_has_mnist_t10k_and_catvnoncat(shared_data):
    rows = by_name(availability(shared_data))
    assert rows["mnist"]["status"] == "available"
    assert (
        rows["hdf5"]["status"] == "available" and "train_catvnoncat.h5" in rows["hdf5"]["location"]
    )


def test_data_dir_resolution_order(tmp_path, monkeypatch):
    import pooch

    assert resolve_data_dir(None) == pooch.os_cache("nnlab")
    monkeypatch.setenv("NNLAB_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None) == tmp_path / "env"
    assert resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
