"""How run files are read (``nnlab.fileio``): a small file is read as large as it is, not
as large as the limit allows; one that grows while it is read is read to its end, or refused
past the limit, as before."""

from __future__ import annotations

import errno
import os
import subprocess
import tracemalloc

import pytest

from nnlab import fileio


def test_a_small_file_is_read_without_a_buffer_the_size_of_the_limit(tmp_path):
    """meta.json (1 KB) read with a run file's limit (256 MB): Python's ``read(limit + 1)``
    allocated a 256 MB buffer for it, ~40 us of every read, 24 reads per folder listed."""
    path = tmp_path / "meta.json"
    path.write_text('{"status": "COMPLETED"}' + " " * 1000)
    tracemalloc.start()
    try:
        data = fileio.read_at_most(path, fileio.MAX_RUN_FILE_BYTES)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data == path.read_bytes()
    assert peak < 2**20, peak


def test_a_file_that_grew_since_its_size_was_read_is_read_to_its_end(tmp_path, monkeypatch):
    """Records appended between the read of the file's size and the read of its bytes are
    read (as the one read of ``limit + 1`` bytes read them); past the limit, the file is
    refused."""
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"epoch": 0}\n{"epoch": 1}\n')
    real = os.fstat

    def earlier(fd: int) -> os.stat_result:  # (its size before the second record)
        st = list(real(fd))
        st[6] = 13  # st_size
        return os.stat_result(st)

    monkeypatch.setattr(os, "fstat", earlier)
    assert fileio.read_at_most(path, 100) == path.read_bytes()
    assert fileio.read_at_most(path, 20) is None
    assert fileio.read_at_most(path, 26) == path.read_bytes()  # (its size exactly)


def test_a_file_at_the_limit_is_read_and_one_past_it_refused(tmp_path):
    path = tmp_path / "summary.json"
    path.write_bytes(b"x" * 100)
    assert fileio.read_at_most(path, 100) == b"x" * 100
    assert fileio.read_at_most(path, 99) is None
    assert fileio.read_at_most(path, 0) is None
    (tmp_path / "empty").write_bytes(b"")
    assert fileio.read_at_most(tmp_path / "empty", 0) == b""


def test_as_written_turns_every_non_finite_float_to_null_and_keeps_the_rest():
    # (by math.isfinite: np.isfinite took ~1 us a value, a third of each record's digest)
    import numpy as np

    nan, inf = float("nan"), float("inf")
    values = [nan, -inf, np.float64(nan), np.float32(inf), 1.5, np.float64(2.5),
              np.float32(0.5), 3, True, None, "nan", [inf, 0.0]]  # fmt: skip
    written = [None, None, None, None, 1.5, 2.5, 0.5, 3, True, None, "nan", [None, 0.0]]
    assert fileio.as_written(values) == written
    assert fileio.dumps({"loss": float("nan"), "acc": np.float32(0.25)}, indent=None) == (
        '{"loss": null, "acc": 0.25}'
    )


@pytest.mark.slow
def test_make_folders_makes_thousands_of_missing_levels_without_recursing(tmp_path):
    """pathlib's mkdir(parents=True) recurses once per missing parent: a --runs-dir of 2,000
    new levels failed with 'unexpected RecursionError', exit 1."""
    deep = tmp_path.joinpath(*["a"] * 1500)
    try:
        fileio.make_folders(deep)
        assert deep.is_dir()
        fileio.make_folders(deep)  # (there already: nothing to do)
    finally:  # (pytest's removal of old temporary folders recurses too: rm's does not)
        subprocess.run(["rm", "-rf", str(tmp_path / "a")], check=True)
    (tmp_path / "file").write_text("x\n")
    with pytest.raises(FileExistsError):
        fileio.make_folders(tmp_path / "file")


def test_an_append_that_fails_part_way_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    """A write that wrote part of the line, then failed (a disk full mid-line), is cut back:
    the file holds every line whole or not at all, and the error is raised."""
    path = tmp_path / "metrics.jsonl"
    fileio.append_whole(path, '{"epoch": 0}\n')
    real = os.write
    calls = []

    def write(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real(fd, data[:5])  # (a short write: the rest follows)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "write", write)
    with pytest.raises(OSError, match="No space left"):
        fileio.append_whole(path, '{"epoch": 1}\n')
    assert path.read_text() == '{"epoch": 0}\n' and calls == [13, 8]


def test_a_file_put_in_place_is_not_removed_nor_its_write_failed(tmp_path, monkeypatch):
    """Once the temp file has replaced the file, its old name is not unlinked again: an
    unlink that failed there (EINTR, which Python does not retry for unlink) failed a write
    that was whole, and with it the run (a run folder 'not made' that was)."""

    def unlink(self, missing_ok=False):
        raise InterruptedError(errno.EINTR, os.strerror(errno.EINTR), str(self))

    monkeypatch.setattr(fileio.Path, "unlink", unlink)
    path = fileio.atomic_write(tmp_path / "meta.json", "{}\n")
    assert path.read_text() == "{}\n" and [p.name for p in tmp_path.iterdir()] == ["meta.json"]


def test_a_probe_whose_removal_is_interrupted_is_removed_and_the_folder_is_writable(
    tmp_path, monkeypatch
):
    """The write check's probe file was made, so the folder takes files; its unlink
    interrupted (EINTR, which Python does not retry: strace -e inject=unlink:error=EINTR)
    left '.nnlab-probe-*' in the folder and the folder said 'cannot be written'."""
    import errno
    import os

    from nnlab import fileio

    real, calls = os.unlink, []

    def interrupted_once(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 1:
            raise InterruptedError(errno.EINTR, "Interrupted system call")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", interrupted_once)
    assert fileio.unwritable(tmp_path) is None
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []
