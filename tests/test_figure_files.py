"""The figures a folder holds as a command's last line names them (``nnlab.figure_files``)."""

from __future__ import annotations

import errno
from pathlib import Path

from nnlab.figure_files import drawn


def test_none_one_and_several_figures_are_named_by_name_in_order(tmp_path):
    assert drawn(tmp_path) == ""
    (tmp_path / "summary.json").write_text("{}")
    (tmp_path / "curves.png").write_bytes(b"")
    assert drawn(tmp_path) == "figure: curves.png"
    (tmp_path / "a.png").write_bytes(b"")
    assert drawn(tmp_path) == "figures: a.png, curves.png"


def test_a_folder_that_cannot_be_listed_leaves_the_figures_unsaid(tmp_path, monkeypatch):
    """The folder line comes after the run has ended (its folder says how): an error listing
    the folder (EIO injected at that openat) is no reason to fail a COMPLETED command."""
    (tmp_path / "curves.png").write_bytes(b"")

    def failing(self, pattern):
        raise OSError(errno.EIO, "Input/output error", str(self))

    monkeypatch.setattr(Path, "glob", failing)
    assert drawn(tmp_path) == ""
