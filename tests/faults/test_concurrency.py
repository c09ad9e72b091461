"""Two commands on one folder at once: the second's answer is a working command or one line,
and neither removes nor damages what the other made (fault injection, round 3)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil

import pytest

from nnlab import naming, process, runs

from .helpers import Row, invoke, only, refused, statuses

CONCURRENT = [
    Row(
        "two commands given one `--out` at once, in every command with `--out` (the other's "
        "whole folder takes the name as this one writes its first files)",
        "`nnlab lr-scan cfg.yaml --out runs/x`, twice at once",
        2,
        ("error: {runs}/x: run folder already exists (made meanwhile)",),
    ),
    Row(
        "two runs started in the same second that draw one folder id (24 random bits), the "
        "other's whole folder made at the name or taking it as this one writes its first files: "
        "the name drawn anew (it said 'run folder already exists', exit 2), in every command "
        "that makes a folder",
        "`nnlab train cfg.yaml`, twice at once",
        0,
        ("run folder: {run}  (figure: curves.png)",),
    ),
    Row(
        "`sweep --resume` and `train --resume` of one of its trials at once (the other order: "
        "`error: runs/<run>/trials/<trial>: a trial of the sweep runs/<run>, which another nnlab "
        "process is resuming ...`)",
        "`nnlab sweep --resume RUN` as `nnlab train --resume RUN/trials/<trial>` checks it",
        2,
        (
            "error: {run}/trials/",
            ": trial in use by another nnlab process (resumed on its own by 'nnlab train "
            "--resume'?); wait for it, or stop that process",
        ),
    ),
]
OUT = {
    "lr-scan": ["lr-scan", "cfg.yaml", "--num", "2", "--epochs", "1"],
    "tune": ["tune", "cfg.yaml", "--trials", "2", "--top-k", "1", "--epochs", "1"],
    "landscape": ["landscape", "cfg.yaml", "--points", "3", "--samples", "20"],
    "activations": ["activations", "--layers", "2", "--units", "8", "--samples", "20"],
    "compare-optimizers": ["compare-optimizers", "--steps", "5"],
    "gradcheck": ["gradcheck", "--compare-differences"],
}


@pytest.mark.slow
@pytest.mark.parametrize("command", list(OUT))
def test_an_out_another_command_makes_meanwhile_is_refused_and_left_whole(
    case, planned, monkeypatch, command
):
    """'3x --out same' at once: the second founder's folder, made as the first one's empty
    folder had gone, was founded under the same hidden name (removing the first's files as it
    wrote them), and the first, failing, removed the second's whole folder: none was left,
    two commands exited 1 ('Directory not empty (run folder ... not made)', 'could not
    record FAILED ... reads STALE'). The other's folder, renamed into place as this command
    writes its first files (``process.founding``'s window), is now left as it is."""
    theirs = only(planned[command]).path
    out = case / "runs" / "x"
    (case / "runs").mkdir()
    real = process.clean

    def clean(root, own):  # (as the other command's rename lands, in this one's window)
        if not out.exists():
            shutil.copytree(theirs, out)
        real(root, own)

    monkeypatch.setattr(process, "clean", clean)
    before = sorted(p.relative_to(out) for p in out.rglob("*")) if out.exists() else None
    result = invoke(*OUT[command], "--out", out, "--runs-dir", case / "runs", "-q")
    refused(result, 2, *CONCURRENT[0].expect(case / "runs"))
    assert before is None
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == sorted(
        p.relative_to(theirs) for p in theirs.rglob("*")
    )
    assert only(case / "runs").status == "COMPLETED"
    assert [p.name for p in (case / "runs").iterdir()] == ["x"]  # (no hidden folder left)


class _Second:
    """``naming``'s clock stopped at one second: every run starts in it."""

    class datetime:
        @staticmethod
        def now() -> dt.datetime:
            return dt.datetime(2026, 1, 31, 12, 0, 0)


def _same_ids(monkeypatch, *ids: str) -> None:
    """Folder ids drawn as ``ids`` (then others), in the same second (``_Second``)."""
    drawn, real = iter(ids), secrets.token_hex
    monkeypatch.setattr(naming, "dt", _Second)
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(drawn, None) or real(n)
                        if n == 3 else real(n))  # fmt: skip


def test_two_runs_of_one_second_that_draw_one_id_make_two_folders(case, monkeypatch):
    """Two runs started in the same second whose 24-bit ids were the same: the second said
    'run folder already exists' of the first one's folder and made none (exit 2). Its name
    is drawn anew (``runs.start``, which every command making a folder goes through)."""
    _same_ids(monkeypatch, "abcdef", "abcdef", "abcdef")
    for _ in range(2):
        with runs.start(
            case / "runs", "tiny", "train", resume="nnlab train --resume {path}"
        ) as life:
            assert life.resume == f"nnlab train --resume {life.path}"
    # (the status each recorded: a reader calls these bare folders DAMAGED, no config.yaml)
    made = {m.parent.name: json.loads(m.read_text())["status"]
            for m in (case / "runs").glob("*/meta.json")}  # fmt: skip
    assert "20260131-120000-tiny-abcdef" in made and list(made.values()) == ["COMPLETED"] * 2
    assert [p.name for p in (case / "runs").iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow
def test_a_generated_name_founded_meanwhile_by_another_run_is_drawn_anew(case, done, monkeypatch):
    """The other run's whole folder lands at this one's generated name as this one writes its
    first files (``process.founding``'s window; both drew one id in one second): this one was
    refused 'already exists (made meanwhile)', as an ``--out`` given twice is. It founds its
    folder under a new name, its meta.json's run_id and its resume line saying that one, and
    the other's folder is left whole."""
    _same_ids(monkeypatch, "abcdef")
    taken = case / "runs" / "20260131-120000-tiny-abcdef"
    real = process.clean

    def clean(root, own):  # (as the other run's rename lands, in this one's window)
        if not taken.exists():
            shutil.copytree(done.path, taken)
        real(root, own)

    monkeypatch.setattr(process, "clean", clean)
    result = invoke("train", "cfg.yaml", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    (mine,) = [run for run in (case / "runs").iterdir() if run.name not in (taken.name, done.id)]
    assert mine.name.startswith("20260131-120000-tiny-")
    assert CONCURRENT[1].expect(case / "runs", mine)[0] in result.stderr.splitlines()
    assert statuses(case / "runs")[mine.name] == "COMPLETED"
    assert json.loads((mine / "meta.json").read_text())["run_id"] == mine.name
    assert sorted(p.name for p in taken.iterdir()) == sorted(p.name for p in done.path.iterdir())


def test_a_folder_renamed_while_runs_list_reads_is_not_listed_damaged(case, done, monkeypatch):
    """A folder renamed (or removed) between the listing of the runs folder and the reading of
    its files was a DAMAGED row ('meta.json: missing; nnlab writes it in every run folder'):
    it is not damaged, only gone from where the listing found it."""
    from nnlab import runs

    real = runs.describe_folder

    def renamed_first(run, *args, **kwargs):
        if run.path == done.path and done.path.exists():
            done.path.rename(done.path.with_name(done.path.name + "-moved"))
        return real(run, *args, **kwargs)

    monkeypatch.setattr(runs, "describe_folder", renamed_first)
    result = invoke("runs", "list", "--runs-dir", case / "runs", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "DAMAGED" not in result.stdout and done.id not in result.stdout, result.stdout


HOLD = """\
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def _held_by_another_process(path):
    """A process holding ``path``'s lock, as a resume holds it while it checks (stop it)."""
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    assert holder.stdout.readline() == "held\n"
    return holder


def _stopped_sweep(case, planned):
    """A copy of the planned sweep, it and its first trial said INTERRUPTED (their files as
    they are)."""
    from nnlab import runs

    from .helpers import copy_runs, set_meta

    copy_runs(planned["sweep"], case / "runs")
    sweep = only(case / "runs")
    trial = runs.RunDir(next(iter(sorted(sweep.file(runs.TRIALS).iterdir()))))
    set_meta(sweep, status="INTERRUPTED")
    set_meta(trial, status="INTERRUPTED")
    return sweep, trial


@pytest.mark.slow
def test_a_sweep_resume_refuses_a_trial_another_resume_holds(case, planned):
    """'sweep --resume' and 'train --resume' of its trial started together: the sweep found
    the trial INTERRUPTED (the other resume was still checking it, not yet RUNNING), ran its
    other trials, then recorded that one FAILED ('still RUNNING in process ...') and ended
    FAILED, exit 3, while the trial ended COMPLETED. A trial another process holds now
    refuses the sweep's resume up front, before anything changes."""
    from .helpers import file_bytes

    sweep, trial = _stopped_sweep(case, planned)
    before = file_bytes(sweep.path), file_bytes(trial.path)
    holder = _held_by_another_process(trial.path)
    try:
        result = invoke("sweep", "--resume", sweep.path, "-q")
    finally:
        holder.kill()
        holder.wait()
    line = refused(result, 2, *CONCURRENT[2].expect(case / "runs", sweep.path))
    assert line.startswith(f"error: {trial.path}: ")
    assert (file_bytes(sweep.path), file_bytes(trial.path)) == before


@pytest.mark.slow
def test_a_trial_resume_refuses_while_another_process_resumes_its_sweep(case, planned):
    """The other order: 'train --resume' of a trial whose sweep another process holds (a
    sweep resume, which runs that trial itself) is refused before anything changes."""
    from .helpers import file_bytes

    sweep, trial = _stopped_sweep(case, planned)
    before = file_bytes(trial.path)
    holder = _held_by_another_process(sweep.path)
    try:
        result = invoke("train", "--resume", trial.path, "-q")
    finally:
        holder.kill()
        holder.wait()
    refused(result, 2, f"error: {trial.path}: a trial of the sweep {sweep.path}, which another")
    assert file_bytes(trial.path) == before
