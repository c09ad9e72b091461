"""A removal that stops part way (``nnlab runs remove``, a sweep's resume removing a trial it
runs again): an I/O error on one of the folder's files, or a kill. The folder is moved out of
its readers' way first (``.<run>.removing``), so what is left was listed by no reader and
waited 10 minutes for a command that made a folder beside it to remove it. What is left is
now listed DAMAGED saying what it is (``runs list``, ``report``), is no 'latest', and is
removed by ``runs remove`` or by the next folder made beside it (its remover holds it to its
end: one no process holds is one whose removal stopped).
"""

from __future__ import annotations

import errno
import json
import os
import shutil

from nnlab import runs

from .helpers import Row, copy_runs, invoke, one_line

REMOVAL = [
    Row(
        "`runs remove` that fails part way (an I/O error removing a file): what is left is "
        "listed DAMAGED, saying so, until `runs remove` (or a folder made beside it) removes "
        "it (it was listed by no reader, and waited 10 minutes for a folder made beside it)",
        "`nnlab runs remove RUN --yes` (EIO removing metrics.jsonl), then `nnlab runs list`",
        1,
        ("error: {runs}/.<run>.removing/metrics.jsonl: cannot be removed: Input/output error; "
         "{run} is half removed, what is left of it is {runs}/.<run>.removing; remove it with: "
         "nnlab runs remove {runs}/.<run>.removing",),
    ),
]  # fmt: skip


def failing_unlink(monkeypatch, name: str) -> None:
    """Removing a file called ``name`` fails with EIO (rmtree unlinks by name in its folder)."""
    real = os.unlink

    def unlink(path, *args, **kwargs):
        if os.path.basename(path) == name:
            raise OSError(errno.EIO, os.strerror(errno.EIO), path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(shutil.os, "unlink", unlink)


def test_a_removal_that_fails_part_way_leaves_its_rest_listed_and_removable(
    case, templates, monkeypatch
):
    root = copy_runs(templates["done"], case / "runs")
    (run,) = runs.iter_runs(root)
    hidden = root / f".{run.id}.removing"
    with monkeypatch.context() as patch:
        failing_unlink(patch, "metrics.jsonl")
        result = invoke("runs", "remove", run.id, "--yes", "--runs-dir", root)
    assert result.exit_code == REMOVAL[0].code, result.output
    (expected,) = REMOVAL[0].expect(root, run.path)
    assert one_line(result.stderr) == expected.replace("<run>", run.id)
    assert hidden.is_dir() and not run.path.exists()

    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert (row["run"], row["status"]) == (hidden.name, "DAMAGED")
    assert row["reason"] == (
        f"{hidden}: what is left of {run.path}, whose removal stopped part way; remove it "
        f"with: nnlab runs remove {hidden}"
    )
    shown = invoke("runs", "show", "latest", "--runs-dir", root)  # (what is left is no run)
    assert shown.exit_code == 2 and one_line(shown.stderr) == f"error: {root}: no runs yet"
    report = invoke("report", "--runs-dir", root)
    assert report.exit_code == 0, report.output
    assert "DAMAGED" in report.stderr and hidden.is_dir()

    again = invoke("runs", "remove", run.id, "--yes", "--runs-dir", root)  # (its name finds it)
    assert again.exit_code == 0, again.output
    assert not hidden.exists() and not run.path.exists()


def test_what_a_stopped_removal_left_goes_as_a_folder_is_made_beside_it(
    case, templates, monkeypatch
):
    """However young it is: its remover held it to its end, so no process holding it means
    its removal stopped (it waited 10 minutes, listed by no reader)."""
    from nnlab import process

    root = copy_runs(templates["done"], case / "runs")
    (run,) = runs.iter_runs(root)
    with monkeypatch.context() as patch:
        failing_unlink(patch, "checkpoint.npz")
        assert invoke("runs", "remove", run.id, "--yes", "--runs-dir", root).exit_code == 1
    monkeypatch.setattr(process, "_looked", {})
    with runs.start(root, "probe", "train") as life:
        pass
    assert [p.name for p in root.iterdir()] == [life.run.id]
