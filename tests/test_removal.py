"""``nnlab.removal``: which folders ``runs remove`` may remove (what a removal that stops part
way leaves: ``tests/faults/test_removal.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab import runs
from nnlab.errors import RunError
from nnlab.removal import removable_folders


def stopped_folder(root: Path, name: str) -> Path:
    """An activations folder interrupted before it wrote anything."""
    with pytest.raises(KeyboardInterrupt), runs.start(root, name, "activations") as life:
        raise KeyboardInterrupt
    return life.run.path


def test_each_folder_named_is_removed_once_in_the_order_first_named(tmp_path):
    first, last = stopped_folder(tmp_path, "first"), stopped_folder(tmp_path, "last")
    refs = ["latest", first.name, str(last), last.name[:-2]]
    assert removable_folders(tmp_path, refs) == [last, first]


def test_one_folder_that_may_not_go_refuses_them_all(tmp_path):
    first = stopped_folder(tmp_path, "first")
    with pytest.raises(RunError, match="'gone': no run folder"):
        removable_folders(tmp_path, [first.name, "gone"])
    assert first.is_dir()
