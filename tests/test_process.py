"""A new folder's founding (``nnlab.process.founding``): the hidden folders founders killed
left beside it are removed, and nothing else is."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

import pytest

from nnlab import process, runs

OLD = time.time() - process.LEFTOVER_AGE - 60  # (a minute past the margin)


@pytest.fixture(autouse=True)
def not_looked_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "_looked", {})


def hidden_folder(root: Path, name: str, mtime: float = OLD) -> Path:
    """A folder ``root/name`` with a config.yaml, as a founder killed before meta.json left it."""
    path = root / name
    path.mkdir(parents=True)
    (path / "config.yaml").write_text("epochs: 1\n")
    os.utime(path, (mtime, mtime))
    return path


def found(root: Path) -> runs.RunDir:
    with runs.start(root, "probe", "train") as life:
        pass
    return life.run


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="the system's lock table")
def test_a_founding_removes_the_old_unheld_hidden_folders_dead_founders_left(tmp_path):
    """A kill -9 between a founding's mkdir and its rename left `.<name>.new` in the runs
    folder for ever (no reader lists it): the next founding there removes it once it is older
    than the margin and no process holds it; a young one (a founder between its mkdir and its
    claim), a held one (a founder writing its first files), and anything not a `.*.new`
    folder stay."""
    dead = hidden_folder(tmp_path, ".20261205-120000-tiny-abcdef.new")
    dead_sweep = hidden_folder(tmp_path, ".20261205-120000-grid-012345.new")
    young = hidden_folder(tmp_path, ".20261205-120000-young-abcdef.new", time.time())
    holding = hidden_folder(tmp_path, ".20261205-120000-held-abcdef.new")
    others = [
        hidden_folder(tmp_path, ".new"),  # (no name before the suffix)
        hidden_folder(tmp_path, ".cache"),
        hidden_folder(tmp_path, "visible.new"),
        hidden_folder(tmp_path, ".x.new.bak"),
    ]
    (tmp_path / ".file.new").write_text("not a folder\n")
    os.utime(tmp_path / ".file.new", (OLD, OLD))
    target = hidden_folder(tmp_path / "elsewhere", "kept")
    (tmp_path / ".link.new").symlink_to(target)
    fd = os.open(holding, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert process.held(holding)
        run = found(tmp_path)
    finally:
        os.close(fd)
    assert run.status == "COMPLETED" and run.path.is_dir()
    assert not dead.exists() and not dead_sweep.exists()
    assert young.is_dir() and holding.is_dir() and all(p.is_dir() for p in others)
    assert (tmp_path / ".file.new").is_file()
    assert (tmp_path / ".link.new").is_symlink() and (target / "config.yaml").is_file()
    assert not (tmp_path / f".{run.path.name}.new").exists()


def test_a_process_looks_for_leftovers_in_a_folder_once_per_margin(tmp_path):
    """A sweep founds each trial in one folder: each founding listed it again (4 ms for 10,000
    trials, 100,000 times for the largest grid). A leftover is removed only once it is older
    than the margin, so looking once per margin loses none."""
    found(tmp_path)
    dead = hidden_folder(tmp_path, ".20261205-120000-tiny-abcdef.new")
    found(tmp_path)
    assert dead.is_dir()  # (looked at a moment ago)
    (key,) = process._looked
    process._looked[key] -= process.LEFTOVER_AGE  # (looked at a margin ago)
    found(tmp_path)
    assert not dead.exists()


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="the system's lock table")
def test_a_founding_removes_the_half_removed_folders_a_killed_remover_left(tmp_path):
    """A kill -9 in ``RunDir.remove``'s rmtree (a sweep's resume removing a failed trial), or
    an error there, left `.<trial>.removing` beside the trials for ever: the next founding
    there removes it, however young (it waited 10 minutes: its remover holds it to its end,
    so one no process holds is one whose removal stopped); a held one stays (its remover is
    at work)."""
    dead = hidden_folder(tmp_path, ".0003-lr=0.1-89ccd00a.removing")
    young = hidden_folder(tmp_path, ".0004-lr=0.2-89ccd00b.removing", time.time())
    holding = hidden_folder(tmp_path, ".0005-lr=0.3-89ccd00c.removing", time.time())
    others = [hidden_folder(tmp_path, ".removing"), hidden_folder(tmp_path, "x.removing")]
    fd = os.open(holding, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        found(tmp_path)
    finally:
        os.close(fd)
    assert not dead.exists() and not young.exists()
    assert holding.is_dir() and all(p.is_dir() for p in others)


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="the system's lock table")
def test_a_remover_holds_its_folder_until_it_is_gone(tmp_path, monkeypatch):
    """``RunDir.remove`` holds the folder (``process.claim``) from before it takes its hidden
    name to its end: a founding beside it meanwhile leaves it to its remover, and a reader
    does not take it for the rest of a removal that stopped."""
    run = runs.RunDir(hidden_folder(tmp_path, "0003-lr=0.1-89ccd00a"))
    key = str(run.path.resolve())
    seen = []
    real = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        seen.append((process.held(Path(path)), process.leftovers(tmp_path)))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    run.remove()
    assert seen[-1] == (True, [])
    assert list(tmp_path.iterdir()) == [] and key not in process._claims


def test_a_remover_whose_folder_a_founding_removed_meanwhile_goes_on(tmp_path, monkeypatch):
    """The folder a remover has just renamed may hold files written long ago, old enough for a
    founding beside it to take it for a leftover and remove it first: the remover's rmtree
    then finds files gone, which is what it wanted (it raised FileNotFoundError)."""
    run = runs.RunDir(hidden_folder(tmp_path, "0003-lr=0.1-89ccd00a"))
    (run.path / "metrics.jsonl").write_text("{}\n")
    os.utime(run.path, (OLD, OLD))  # (its last file written long ago)
    real = os.replace

    def replace_then_clean(src, dst):
        real(src, dst)
        assert Path(dst).name == ".0003-lr=0.1-89ccd00a.removing"
        shutil.rmtree(dst)  # (a founding's, between the two steps: one of another host)

    monkeypatch.setattr(os, "replace", replace_then_clean)
    run.remove()
    assert list(tmp_path.iterdir()) == []


def _second_founder_in_the_window(monkeypatch, act):
    """Run ``act()`` once, as the first founder's empty folder has just gone (``clean``)."""
    real, calls, started = process.clean, [], []

    def clean(root, own):
        if not started:
            started.append(True)
            calls.append(act())
        real(root, own)

    monkeypatch.setattr(process, "clean", clean)
    return calls


def test_a_folder_founded_twice_at_once_is_made_once_and_the_other_refused(tmp_path, monkeypatch):
    """Two commands given one --out at once: the second made its folder as the first's empty
    one had gone, and founded it under the same hidden name (removing the first one's files
    as they were written); the first, failing, then removed the second's whole folder. Now the
    first rename takes the name, the other founder is refused, and its folder stays."""

    def second():
        with runs.start(tmp_path, "probe", "train", folder="same"):
            pass
        return (tmp_path / "same" / "meta.json").read_text()

    calls = _second_founder_in_the_window(monkeypatch, second)
    with pytest.raises(process.Taken, match="same: run folder already exists"):
        with runs.start(tmp_path, "probe", "train", folder="same"):
            pass
    assert runs.RunDir(tmp_path / "same").status == "COMPLETED"
    assert (tmp_path / "same" / "meta.json").read_text() == calls[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same"]  # (no hidden folder left)


def test_a_folder_made_in_a_founders_window_is_refused_and_leaves_the_founders(
    tmp_path, monkeypatch
):
    """The second command's empty folder, made in the first's window, was taken by the first
    one's rename; the second, refused as it went to remove it, removed the first's whole
    folder ('3x --out same' left none, two commands exiting 1)."""
    calls = _second_founder_in_the_window(
        monkeypatch, lambda: runs.start(tmp_path, "probe", "train", folder="same")
    )
    with runs.start(tmp_path, "probe", "train", folder="same"):
        pass
    with pytest.raises(process.Taken, match="same: run folder already exists"):
        with calls[0]:
            pass
    assert runs.RunDir(tmp_path / "same").status == "COMPLETED"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same"]


@pytest.mark.parametrize("libc", ["renameat2", "none"])
def test_a_founding_never_replaces_a_folder_made_at_its_name_meanwhile(tmp_path, monkeypatch, libc):
    """The whole new folder is renamed to its name with renameat2(RENAME_NOREPLACE), or, where
    the system has no such call, a check and os.rename: a folder made there meanwhile (even
    empty, which os.rename alone would replace) refuses the founding, and stays as it was."""
    if libc == "none":
        monkeypatch.setattr(process, "_libc", lambda: None)
    elif process._libc() is None:
        pytest.skip("no renameat2 in this C library")
    life = runs.start(tmp_path, "probe", "train", folder="same")
    (tmp_path / "same").mkdir()
    with pytest.raises(process.Taken, match="same: run folder already exists"):
        with life:
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same"]
    assert list((tmp_path / "same").iterdir()) == []
    with runs.start(tmp_path, "probe", "train", folder="other"):
        pass
    assert runs.RunDir(tmp_path / "other").status == "COMPLETED"
