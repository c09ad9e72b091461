"""A report build whose writes fail (a full disk): the report folder the build made is removed
whole, and one built before keeps that build's pages (each file is written whole), with one
line saying which (a full disk left a ``runs/report`` holding only its marker, or a page
without its figure and no index, and the line said neither). The disk is filled by patching
the report's writer (a real ENOSPC in a write names no file: the marker's)."""

from __future__ import annotations

import errno
import os
import pathlib

import pytest

from nnlab.report import build
from nnlab.report.collect import MARKER

from .helpers import Row, invoke, refused

REPORT_DISK = Row(
    "a full disk as `nnlab report` (or a command's `--report`) writes: the report folder it made "
    "removed whole (it left one holding only its marker, or a page without its figure and no "
    "index); one built before keeps that build's pages, those this one wrote replaced",
    "`nnlab report` (ENOSPC writing a figure)",
    1,
    (
        "error: {runs}/report/",
        "/curves.png: No space left on device (no report made; once there is room, build it again)",
    ),
)


def full_at(monkeypatch, name: str) -> None:
    """ENOSPC writing the report's file ``name`` (and every one after it)."""
    real = build.atomic_write
    full = []

    def atomic_write(path, *args, **kwargs):
        if pathlib.Path(path).name == name or full:
            full.append(path)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(build, "atomic_write", atomic_write)


def no_room_for_the_marker(monkeypatch) -> None:
    real = pathlib.Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == MARKER:
            self.touch()  # (made, and no byte of it written: what a full disk leaves)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)


@pytest.mark.parametrize("where", ["the marker", "a figure", "the index"])
def test_a_full_disk_leaves_no_report_folder_it_made(case, done, monkeypatch, where):
    if where == "the marker":
        no_room_for_the_marker(monkeypatch)
    else:
        full_at(monkeypatch, "curves.png" if where == "a figure" else "index.html")
    result = invoke("report", "--runs-dir", case / "runs")
    monkeypatch.undo()
    line = refused(result, 1, "No space left on device (no report made; once there is room")
    assert not (case / "runs" / "report").exists(), line
    if where == "a figure":
        assert all(p in line for p in REPORT_DISK.expect(case / "runs")), line
    again = invoke("report", "--runs-dir", case / "runs")  # (room again: as the line says)
    assert again.exit_code == 0, again.output
    assert (case / "runs" / "report" / "index.html").is_file()


def test_a_full_disk_in_a_rebuild_keeps_the_last_builds_pages(case, done, monkeypatch):
    first = invoke("report", "--runs-dir", case / "runs")
    assert first.exit_code == 0, first.output
    report = case / "runs" / "report"
    index = (report / "index.html").read_bytes()
    os.utime(done.file("curves.png"))  # (a figure changed since: copied again)
    monkeypatch.setattr(build, "_holds", lambda path, data: False)  # (as other bytes are)
    full_at(monkeypatch, "curves.png")
    result = invoke("report", "--runs-dir", case / "runs")
    refused(result, 1, f"curves.png: No space left on device ({report} holds its last build")
    assert (report / "index.html").read_bytes() == index
    assert (report / done.id / "curves.png").is_file() and (report / MARKER).is_file()


def test_a_stop_signal_in_a_first_build_leaves_no_report_folder(case, done, monkeypatch):
    def interrupted(path, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "atomic_write", interrupted)
    result = invoke("report", "--runs-dir", case / "runs")
    assert result.exit_code == 130, result.output
    assert not (case / "runs" / "report").exists()
