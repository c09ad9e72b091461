"""``nnlab.resumes``: the one lookup of the folder a ``--resume`` names, the runs folder a
command's folder goes in, and a setting given beside a resume refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnlab import resumes, runs
from nnlab.errors import ConfigError, RunError


def small_folder(root: Path) -> Path:
    """An activations folder interrupted before it wrote anything."""
    with pytest.raises(KeyboardInterrupt), runs.start(root, "activations", "activations") as life:
        raise KeyboardInterrupt
    return life.run.path


def test_resumed_finds_the_kind_asked_and_refuses_another_naming_its_command(tmp_path):
    folder = small_folder(tmp_path)
    assert resumes.resumed(tmp_path, "latest", "activations").path == folder
    with pytest.raises(RunError, match="activations --resume"):
        resumes.resumed(tmp_path, str(folder), "lr-scan")


def test_output_root_is_the_resumed_folders_parent_else_outs_else_the_runs_folder(tmp_path):
    folder = small_folder(tmp_path / "elsewhere")
    assert resumes.output_root(str(folder), None, tmp_path, "activations") == tmp_path / "elsewhere"
    assert resumes.output_root(None, tmp_path / "a" / "b", tmp_path, "lr-scan") == tmp_path / "a"
    assert resumes.output_root(None, None, tmp_path, "lr-scan") == tmp_path
    with pytest.raises(RunError, match="no run folder"):
        resumes.output_root("nope", None, tmp_path, "activations")


def test_alone_names_the_first_setting_given_beside_a_resume():
    resumes.alone({"config": None, "overrides": [], "flag": False, "pairs": ()})
    with pytest.raises(ConfigError, match="^--out: not with --resume"):
        resumes.alone({"config": None, "--out": Path("x"), "--run": "latest"})


def interrupted(folder: Path) -> None:
    """``folder`` made to look interrupted, as a kill leaves it (its results gone)."""
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "status": "INTERRUPTED"}))
