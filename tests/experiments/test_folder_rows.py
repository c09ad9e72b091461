"""``runs show -f csv``'s rows of a folder, by its kind (``experiments.folder_rows``)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from nnlab.errors import ConfigError
from nnlab.experiments.folder_rows import folder_rows
from nnlab.output import Table


def view(kind: str, metrics=(), table=None) -> SimpleNamespace:
    run = SimpleNamespace(kind=kind, path=Path("runs/x"))
    return SimpleNamespace(run=run, metrics=list(metrics), table=table)


def test_a_training_runs_rows_are_its_records_and_a_copy():
    records = [{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": 0.25}]
    rows = folder_rows(view("train", records))
    assert rows == records and rows is not records


def test_a_kind_with_a_stored_table_gives_its_rows():
    table = Table([{"lr": 0.1, "loss": 1.0}], ["lr", "loss"], "scan")
    assert folder_rows(view("lr-scan", table=table)) == [{"lr": 0.1, "loss": 1.0}]


@pytest.mark.parametrize("kind", ["gradcheck", "landscape"])
def test_a_folder_without_rows_is_refused_naming_it_and_json(kind):
    with pytest.raises(ConfigError) as err:
        folder_rows(view(kind, table="a text, no rows"))
    said = str(err.value)
    assert said.startswith(f"runs/x: a {kind} folder has no per-epoch records")
    assert said.endswith("-f json gives all it holds")
