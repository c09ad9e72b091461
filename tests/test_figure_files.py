"""The figures a folder holds as a command's last line names them (``nnlab.figure_files``)."""

from __future__ import annotations

from nnlab.figure_files import drawn


def test_none_one_and_several_figures_are_named_by_name_in_order(tmp_path):
    assert drawn(tmp_path) == ""
    (tmp_path / "summary.json").write_text("{}")
    (tmp_path / "curves.png").write_bytes(b"")
    assert drawn(tmp_path) == "figure: curves.png"
    (tmp_path / "a.png").write_bytes(b"")
    assert drawn(tmp_path) == "figures: a.png, curves.png"
