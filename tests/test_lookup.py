"""``nnlab.lookup``: the folder this process let go of last, as it reads now (``last_ended``)."""

from __future__ import annotations

import shutil

import pytest

from nnlab import process, runs
from nnlab.lookup import last_ended


@pytest.fixture(autouse=True)
def none_ended_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "ended", [])


def test_last_ended_is_the_folder_let_go_of_last_with_its_status_as_it_reads_now(tmp_path):
    assert last_ended() is None  # (none let go of: a stop signal names no folder)
    with runs.start(tmp_path, "first", "train"):
        pass
    with runs.start(tmp_path, "second", "train") as life:
        pass
    assert last_ended() == (life.run.path, "COMPLETED")
    (life.run.path / "meta.json").write_text("[]")  # (damaged meanwhile: nothing sure to say)
    assert last_ended() is None
    shutil.rmtree(life.run.path)  # (gone meanwhile: likewise)
    assert last_ended() is None
