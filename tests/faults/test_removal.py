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
import fcntl
import json
import os
import shutil

import pytest

from nnlab import process, runs
from nnlab.errors import RunError

from .helpers import Row, copy_runs, invoke, one_line, refused

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
    Row(
        "`runs remove` of a sweep while `train --resume` trains one of its trials: refused (it "
        "removed the trial under its trainer, which failed naming a folder no longer there)",
        "`nnlab runs remove RUN --yes` (as `nnlab train --resume RUN/trials/<trial>` trains)",
        2,
        ("error: {run}/trials/<trial>: in use by another nnlab process (resumed on its own by "
         "'nnlab train --resume'?), and {run} holds it; try again once that has ended",),
    ),
    Row(
        "a stop signal (SIGTERM, Ctrl-C) as `runs remove` removes a folder: the folder is "
        "removed whole first, and the line says so (it said 'interrupted (SIGTERM)' alone)",
        "`nnlab runs remove RUN --yes` (SIGTERM as it removes RUN's files)",
        130,
        ("interrupted (SIGTERM): {run} is removed",),
    ),
    Row(
        "`runs remove` of a folder whose name is too long to be moved aside as it is removed "
        "(over 245 bytes, with `.` and `.removing`: renamed by hand; nnlab's are at most 87): "
        "refused before anything goes (it failed 'File name too long', naming no remedy)",
        "`nnlab runs remove RUN --yes` (RUN 250 bytes long)",
        2,
        ("error: {run}: its name is 250 bytes long, too long to be moved aside as it is "
         "removed (as .<name>.removing: at most 255 bytes); rename it shorter first (mv); "
         "nothing removed",),
    ),
    Row(
        "`runs remove` of a folder whose hidden name, where it is moved aside as it is "
        "removed, holds a symlink (to a folder elsewhere, or to nothing) or a file: refused "
        "before anything goes, the link neither followed nor removed (it failed 'Not a "
        "directory', naming the folder)",
        "`nnlab runs remove RUN --yes` (`runs/.<run>.removing` a link to `~/notes`)",
        2,
        ("error: {runs}/.<run>.removing: a symlink, where {run} is moved aside as it is "
         "removed (rm it); nothing removed",),
    ),
]  # fmt: skip
REMOVED_MEANWHILE = Row(
    "two `runs remove` of one folder at once: the later one says the other removed it, "
    "whether it finds the folder held by the other, moved aside or gone as it takes it (it "
    "said 'cannot open: No such file or directory', that a process held it, or 'no run "
    "folder under runs matches', exit 2, of a folder gone as both asked)",
    "`nnlab runs remove RUN --yes`, twice at once",
    0,
    ("{run}: removed meanwhile by another process",),
)  # fmt: skip


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
    root = copy_runs(templates["done"], case / "runs")
    (run,) = runs.iter_runs(root)
    with monkeypatch.context() as patch:
        failing_unlink(patch, "checkpoint.npz")
        assert invoke("runs", "remove", run.id, "--yes", "--runs-dir", root).exit_code == 1
    monkeypatch.setattr(process, "_looked", {})
    with runs.start(root, "probe", "train") as life:
        pass
    assert [p.name for p in root.iterdir()] == [life.run.id]


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="the system's lock table")
def test_a_sweep_whose_trial_is_resumed_on_its_own_is_not_removed(case):
    """``runs remove`` of a sweep while ``train --resume`` trains one of its trials removed
    the trial's folder under its trainer, which failed ('metrics.jsonl: No such file or
    directory ... it reads STALE', of a folder no longer there). Refused, naming the trial,
    by ``runs remove`` and by ``remove_folder`` itself (a resume that began between)."""
    from tests.conftest import fake_run

    sweep = fake_run(case / "runs", "20250101-000000-sweep-tiny-aaaaaa", "INTERRUPTED")
    trial = fake_run(sweep.path / "trials", "0001-lr=0.1-abcdef01", "INTERRUPTED")
    fd = os.open(trial.path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (as its resume holds it)
        result = invoke("runs", "remove", sweep.id, "--yes", "--runs-dir", case / "runs")
        with pytest.raises(RunError) as raised:
            runs.remove_folder(sweep)
    finally:
        os.close(fd)
    assert result.exit_code == REMOVAL[1].code, result.output
    (expected,) = REMOVAL[1].expect(case / "runs", sweep.path)
    assert one_line(result.stderr) == expected.replace("<trial>", trial.id)
    assert str(raised.value) == one_line(result.stderr).removeprefix("error: ")
    assert trial.status == "INTERRUPTED" and not process.held(sweep.path)
    runs.remove_folder(sweep)  # (once its trial is let go)
    assert not sweep.path.exists()


def signalled_at_first_unlink(monkeypatch, signum: int) -> list:
    """This process sent ``signum`` as the removal unlinks its first file (then unlinked);
    the list of the paths it was sent at (one, once it was)."""
    real, sent = os.unlink, []

    def unlink(path, *args, **kwargs):
        if not sent:
            sent.append(path)
            os.kill(os.getpid(), signum)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(shutil.os, "unlink", unlink)
    return sent


def test_a_stop_signal_as_a_folder_is_removed_stops_once_it_is_gone(case, templates, monkeypatch):
    """SIGTERM (or Ctrl-C) in the middle of the removal left its rest behind (listed DAMAGED,
    what it is): the removal is finished first, then the command stops."""
    import signal

    from nnlab.signals import Interrupted, SignalsAsInterrupts

    root = copy_runs(templates["done"], case / "runs")
    (run,) = runs.iter_runs(root)
    sent = signalled_at_first_unlink(monkeypatch, signal.SIGTERM)
    with pytest.raises(Interrupted), SignalsAsInterrupts():
        runs.remove_folder(run)
    assert sent and list(root.iterdir()) == []


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_a_stop_signal_during_runs_remove_says_the_folder_is_removed(
    case, templates, monkeypatch, signum
):
    """The removal goes on to its end (above), and the command's line said only 'interrupted
    (SIGTERM)': whether the folder was still there was left to be looked up."""
    import signal

    root = copy_runs(templates["done"], case / "runs")
    (run,) = runs.iter_runs(root)
    sent = signalled_at_first_unlink(monkeypatch, getattr(signal, signum))
    result = invoke("runs", "remove", run.id, "--yes")
    assert result.exit_code == 130 and sent and list(root.iterdir()) == [], result.output
    said = REMOVAL[2].expect("runs", f"runs/{run.id}")[0]
    if signum == "SIGINT":  # (Ctrl-C's line names no signal)
        said = said.replace(" (SIGTERM)", "")
    assert one_line(result.stderr) == said


def test_a_trial_of_what_a_stopped_removal_left_is_no_trial_to_use(case):
    """A sweep's rest (``.<sweep>.removing``) is listed, so its trials were found by their ids:
    ``runs show`` showed one as sound, and ``train --resume`` would have trained it there."""
    from tests.conftest import fake_run

    hidden = case / "runs" / ".20250101-000000-sweep-tiny-aaaaaa.removing"
    trial = fake_run(hidden / "trials", "0001-lr=0.1-abcdef01", "INTERRUPTED")
    for args in (("runs", "show", "0001-lr"), ("train", "--resume", "0001-lr")):
        result = invoke(*args, "--runs-dir", case / "runs")
        assert result.exit_code == 2, result.output
        assert one_line(result.stderr) == (
            f"error: {hidden}: what is left of {case / 'runs'}/20250101-000000-sweep-tiny-aaaaaa, "
            f"whose removal stopped part way; remove it with: nnlab runs remove {hidden}"
        )
    meta = json.loads(trial.file("meta.json").read_text())
    assert meta["status"] == "INTERRUPTED" and not trial.has("metrics.jsonl")  # (not resumed)


def test_a_folder_named_too_long_to_be_moved_aside_is_refused_whole(case, done):
    long = done.path.with_name("r" * 250)
    done.path.rename(long)
    before = sorted(p.name for p in long.iterdir())
    result = invoke("runs", "remove", long.name, "--yes", "--runs-dir", case / "runs")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert all(part in line for part in REMOVAL[3].expect(case / "runs", long)), line
    assert sorted(p.name for p in long.iterdir()) == before
    shorter = long.with_name("r" * 245)  # (as the line says: then removed)
    long.rename(shorter)
    again = invoke("runs", "remove", shorter.name, "--yes", "--runs-dir", case / "runs")
    assert again.exit_code == 0, again.output
    assert not shorter.exists() and not list((case / "runs").iterdir())


def test_a_folder_another_runs_remove_took_meanwhile_is_said_removed(case, done, monkeypatch):
    """Two ``runs remove`` of one folder at once: this one listed it, the other removed it
    before this one could hold it (``process.claim``)."""
    from nnlab import removal

    real = removal.claim

    def after_the_other(run) -> None:
        assert real is process.claim and run.path == done.path
        shutil.rmtree(done.path)  # (the other ``runs remove``, first)
        real(run)

    monkeypatch.setattr(removal, "claim", after_the_other)
    result = invoke("runs", "remove", done.path, "--yes", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    said = REMOVED_MEANWHILE.expect(case / "runs", done.path)[0]
    assert result.stderr.splitlines()[-1] == said
    assert not done.path.exists()


def test_a_folder_removed_before_it_is_held_is_said_so(stopped):
    """A resume (or a removal) that found its folder, which another process then removed or
    renamed before this one could hold it: it said 'cannot open: No such file or directory'."""
    shutil.rmtree(stopped.path)
    with pytest.raises(RunError, match=r"no longer there \(removed or renamed meanwhile"):
        process.claim(stopped)


def other_remover(path, moved: bool):
    """A process that removes ``path`` as ``runs remove`` does (``RunDir.remove``): it holds
    it, moves it aside as ``.<run>.removing`` (after 0.3 s: a loaded machine), and removes it
    once its stdin is closed; returned once it holds it (``moved``: once it has moved it
    aside)."""
    import subprocess
    import sys

    code = (
        "import os, shutil, sys, time\nfrom nnlab import process\nfrom nnlab.rundir import "
        f"RunDir\nrun = RunDir({str(path)!r})\nprocess.claim(run)\n"
        f"print('held', flush=True)\ntime.sleep({0.0 if moved else 0.3})\n"
        "hidden = run.path.with_name(f'.{run.id}.removing')\nos.replace(run.path, hidden)\n"
        "print('moved', flush=True)\nsys.stdin.read()\nshutil.rmtree(hidden)\n"
    )  # (removed once its input ends: when this test has asked)
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    if moved:
        assert holder.stdout.readline().strip() == "moved"
    return holder


@pytest.mark.slow
@pytest.mark.parametrize("moved", [False, True])
def test_a_folder_another_runs_remove_holds_is_said_removed(case, done, moved):
    """Two ``runs remove`` of one folder at once, this one the later: the other held the
    folder (it said 'in use by another nnlab process', exit 2, one time in twelve), or had
    moved it aside already ('no run folder under runs matches', exit 2)."""
    holder = other_remover(done.path, moved)
    try:
        result = invoke("runs", "remove", done.id, "--yes", "--runs-dir", case / "runs")
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert result.exit_code == 0, result.output
    said = REMOVED_MEANWHILE.expect(case / "runs", done.path)[0]
    assert result.stderr.splitlines()[-1] == said, result.stderr
    assert not any((case / "runs").iterdir())


@pytest.mark.parametrize("what", ["a link", "a file"])
def test_a_link_where_a_folder_is_moved_aside_is_refused_and_not_followed(case, done, what):
    """``.<run>.removing`` a symlink to a folder elsewhere (or a file): ``runs remove`` failed
    'Not a directory' naming the run's folder; it is named, nothing goes, nothing outside the
    runs folder is touched."""
    elsewhere = case / "notes"
    elsewhere.mkdir()
    (elsewhere / "mine.txt").write_text("mine\n")
    hidden = done.path.with_name(f".{done.id}.removing")
    if what == "a link":
        hidden.symlink_to(elsewhere)
    else:
        hidden.write_text("x\n")
    result = invoke("runs", "remove", done.id, "--yes", "--runs-dir", case / "runs")
    row = REMOVAL[4]
    line = refused(result, row.code, f"{hidden}: ", "nothing removed")
    if what == "a link":
        assert line == row.expect(case / "runs", done.path)[0].replace("<run>", done.id), line
    assert done.path.is_dir() and os.path.lexists(hidden)
    assert (elsewhere / "mine.txt").read_text() == "mine\n"


@pytest.mark.parametrize("what", ["a link", "a link to nothing", "a file"])
def test_a_link_where_a_folder_is_moved_aside_is_listed_damaged_beside_the_run(case, done, what):
    """``runs list`` showed the run and not what made ``runs remove`` refuse it: a link to a
    folder, or a file, at its hidden name was listed by no row; a link to nothing as what a
    removal left, 'remove it with: nnlab runs remove', which refuses a link. Now a row says
    what it is, in the words ``runs remove`` refuses the run with, and the run is listed as
    it is."""
    hidden = done.path.with_name(f".{done.id}.removing")
    if what == "a file":
        hidden.write_text("x\n")
    else:
        hidden.symlink_to(case / "notes" if what == "a link" else case / "gone")
        (case / "notes").mkdir()
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    assert listed.exit_code == 0, listed.output
    rows = {row["run"]: row for row in json.loads(listed.stdout)}
    kind = "not a folder" if what == "a file" else "a symlink"
    assert rows[hidden.name]["status"] == "DAMAGED", rows
    assert rows[hidden.name]["reason"] == (
        f"{hidden}: {kind}, where {done.path} is moved aside as it is removed (rm it)"
    )
    assert rows[done.id]["status"] == "COMPLETED", rows
