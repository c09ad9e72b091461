"""The dataset table and availability report behind ``nnlab data list``."""

from __future__ import annotations

import pytest

from nnlab.data import data_dir_option, resolve_data_dir
from nnlab.data.registry import DATASETS, availability, missing_note, missing_notes
from tests.conftest import invoke

from .conftest import SHARED, write_mnist_part


def by_name(rows):
    return {r["dataset"]: r for r in rows}


def test_every_config_dataset_is_listed():
    from nnlab.config_model import variants

    assert {r["dataset"] for r in availability(resolve_data_dir())} == set(variants("dataset"))
    assert set(DATASETS) == set(variants("dataset"))


def test_empty_data_dir_reports_file_datasets_missing(tmp_path):
    rows = by_name(availability(tmp_path))
    assert rows["mnist"]["status"] == "missing" and rows["hdf5"]["status"] == "missing"
    assert rows["mnist"]["location"] == str(tmp_path / "mnist")
    for name in ("digits", "spiral", "blobs"):
        assert rows[name]["status"] == "available"
    assert all(set(r) == {"dataset", "status", "location", "description"} for r in rows.values())


def test_every_dataset_that_can_be_missing_says_how_to_get_it(tmp_path):
    """A dataset read from files names its fetch command and folder in its own class (what
    ``data list`` notes for a missing one), so adding one is one class and one registry entry."""
    missing = {r["dataset"] for r in availability(tmp_path) if r["status"] == "missing"}
    assert missing == {"mnist", "hdf5"}
    for name in missing:
        entry = DATASETS[name]
        assert entry.fetch.startswith("nnlab data fetch ") and "{dir}" in entry.fetch
        assert entry.folder.endswith("/") and entry.folder in entry.where
    assert all(not DATASETS[name].fetch for name in set(DATASETS) - missing)


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


def test_missing_notes_say_how_to_get_each_missing_dataset_and_no_other(tmp_path):
    notes = missing_notes(availability(tmp_path), tmp_path, tmp_path)
    assert [line.split(":")[0] for line in notes] == ["mnist", "hdf5"]
    assert notes[0] == (
        f"mnist: missing in the data folder {tmp_path}; nnlab data fetch mnist --data-dir "
        f"{tmp_path} downloads it there, or give the folder holding mnist/ as --data-dir"
    )


def test_a_missing_note_names_the_folder_given_and_says_when_it_does_not_exist(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("NNLAB_DATA_DIR", raising=False)
    gone = tmp_path / "gone folder"
    note = missing_note("mnist", gone, gone)
    assert note.startswith(f"mnist: missing; the data folder {gone} does not exist: ")
    assert note.endswith(f"or nnlab data fetch mnist --data-dir '{gone}' downloads it there")
    default = missing_note("mnist", tmp_path, None)  # (not named: its fetch makes it)
    assert default == (
        "mnist: missing; nnlab data fetch mnist downloads it, or give --data-dir, the folder "
        "holding mnist/"
    )


def test_data_dir_option_is_quoted_for_a_shell_and_empty_for_none():
    assert data_dir_option("/d/my data") == " --data-dir '/d/my data'"
    assert data_dir_option(None) == data_dir_option("") == ""


# Keys a dataset cannot do without (no default): the least a config must say besides the name.
REQUIRED = {"hdf5": {"train_file": "catvnoncat/train_catvnoncat.h5"}}


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_trains_with_a_minimal_config(tmp_path, name):
    """``dataset: {name: X}`` (plus any required key) trains with the default ``eval``
    (train and test): a source without a test set holds one out by default."""
    if DATASETS[name].fetch:
        if not SHARED.is_dir() or by_name(availability(SHARED))[name]["status"] != "available":
            pytest.skip(f"{name} needs files in ../shared/data")
    block = ", ".join(f"{k}: {v}" for k, v in {"name": name, **REQUIRED.get(name, {})}.items())
    config = tmp_path / "minimal.yaml"
    config.write_text(f"dataset: {{{block}}}\n")
    result = invoke("train", config, "epochs=1", "-q", "-f", "json", "--data-dir", SHARED,
                    runs_dir=tmp_path / "runs")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "test_acc" in result.stdout
