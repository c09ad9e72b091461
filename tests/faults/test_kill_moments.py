"""Kills at any moment of a command (``scripts/kill_sweep.py`` sends SIGKILL, SIGINT, SIGTERM
and SIGHUP at a spread of instants to every command that makes a folder): what each left,
made quickly, and the sweep itself, small, as a slow test.

- A kill -9 after a new folder's name was taken and before its founding began left an empty
  folder at that name (1 of 20 SIGKILLs to ``train``, to a sweep, to lr-scan), which ``runs
  show`` and a resume called 'a folder, but no run folder' (``process.founding`` now makes
  nothing at the name before the whole folder is renamed there: tests/test_runs.py).
- With ``--jobs 2`` which worker takes which trial is the pool's choice: nothing a user sees
  of a failing trial depends on it.
- Under ``nohup`` (SIGHUP ignored as nnlab began) a hangup interrupted the run.
- A kill -9 as a sweep founded a trial left the trial's hidden ``.<id>-<random>.new`` in
  trials/, which the sweep's resume, having run the trial again, left for 10 minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnlab import runs

from .helpers import Row, argv, assert_settled, invoke, set_meta


def test_a_sweeps_resume_removes_the_hidden_trial_folder_a_kill_left_as_it_was_founded(case):
    made = invoke("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--stack", "1", "-q",
                  "--runs-dir", case / "runs")  # fmt: skip
    assert made.exit_code == 0, made.output
    sweep = next(runs.iter_runs(case / "runs"))
    trials = sweep.path / "trials"
    victim = sorted(trials.iterdir())[0]
    shutil.rmtree(victim)  # (killed as it was founded: its folder never took its name)
    left = trials / f".{victim.name}-0a1b2c3d.new"
    left.mkdir()
    (left / "config.yaml").write_text("name: tiny\n")
    (left / ".meta.json.p5g3cq6i.tmp").write_text('{"status": "RUN')
    set_meta(sweep, status="RUNNING", pid=2**22 + 7)  # (a process long gone: STALE)
    result = invoke("sweep", "--resume", sweep.path, "--runs-dir", case / "runs", "-q")
    assert result.exit_code == 0, result.output
    assert_settled(case / "runs", ("COMPLETED",))
    assert sorted(p.name for p in trials.iterdir()) == sorted(
        p.name for p in trials.iterdir() if not p.name.startswith(".")
    )
    assert victim.is_dir() and not left.exists()


def test_a_young_hidden_folder_beside_a_new_one_is_left_to_its_founder(case):
    """Where other commands found their folders (the runs folder), a young hidden folder may
    be a founder's at work: it is left until it is 10 minutes old, as before."""
    (case / "runs").mkdir()
    young = case / "runs" / ".20250101-120000-tiny-abcdef-0a1b2c3d.new"
    young.mkdir()
    assert invoke("train", "cfg.yaml", "-q", "--runs-dir", case / "runs").exit_code == 0
    assert young.is_dir()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_kills_at_a_spread_of_moments_leave_train_folders_whole_and_resumable(tmp_path):
    """``scripts/kill_sweep.py`` on ``train`` (few moments): every folder consistent, every
    resume finishing with the clean run's metrics (it exits 1 on any problem)."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, root / "scripts" / "kill_sweep.py", "--out", tmp_path, "--only",
         "train", "--signals", "KILL", "TERM", "--moments", "5", "--parallel", "1"],
        cwd=root, capture_output=True, text=True, timeout=1800,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


# ``sitecustomize`` for every process of a sweep (its workers too, forked or spawned): the
# checkpoint writes of one trial, named by NNLAB_TEST_FAILING_TRIAL, fail with ENOSPC
FAILING_TRIAL = """\
import errno, os
from pathlib import Path
from nnlab import fileio, rundir
real = fileio.atomic_write
def atomic_write(path, *args, **kwargs):
    path = Path(path)
    if path.name == "checkpoint.npz" and path.parent.name == os.environ["NNLAB_TEST_FAILING_TRIAL"]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return real(path, *args, **kwargs)
fileio.atomic_write = rundir.atomic_write = atomic_write
"""


@pytest.mark.slow
def test_what_a_parallel_sweep_says_of_a_failing_trial_is_not_the_pools_choice(case):
    """With ``--jobs 2`` the pool decides which worker takes which trial, so a fault injected
    per process (strace's ``when=N``) hits another trial from run to run: that is the fault's
    doing. Given the trial that fails, nothing a user sees depends on the pool's choice: the
    exit code, the error line (its example the first failed trial in the plan's order), each
    trial's status and recorded error are those of ``--jobs 1``, run after run (one trial
    a unit: ``--stack 1``; stacks are made from the plan, not by the pool)."""
    hook = case / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FAILING_TRIAL)
    args = ("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2,0.3", "--stack", "1", "-q")
    plan = invoke(*args, "--dry-run", "-f", "json", "--runs-dir", case / "plan")
    victim = json.loads(plan.stdout)["trials"][1]["trial"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), *sys.path]),
           "NNLAB_TEST_FAILING_TRIAL": victim}  # fmt: skip
    seen = []
    for i, jobs in enumerate(["1", "2", "2", "2"]):
        root = case / f"runs{i}"
        done = subprocess.run(argv(*args, "--jobs", jobs, "--runs-dir", root), cwd=case,
                              env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
        sweep = next(runs.iter_runs(root))
        trials = {p.name: runs.RunDir(p).meta for p in sorted((sweep.path / "trials").iterdir())}
        said = done.stderr.replace(str(sweep.path), "SWEEP").replace(
            os.path.relpath(sweep.path, case), "SWEEP"
        )
        seen.append((done.returncode, said, {t: (m["status"], m.get("error", "").replace(
            str(sweep.path), "SWEEP")) for t, m in trials.items()}))  # fmt: skip
    assert seen[0][0] == 3 and f"(e.g. {victim}: " in seen[0][1], seen[0]
    assert seen[0][2][victim][0] == "FAILED", seen[0]
    assert all(s == seen[0] for s in seen[1:]), seen


NOHUP = Row(
    "a hangup under `nohup` (SIGHUP ignored as nnlab began), in every command and its workers: "
    "the command goes on, as `nohup` asks (it set its own handler, and the hangup interrupted "
    "the run: 'interrupted (SIGHUP)', exit 130); SIGTERM still stops it",
    "`nohup nnlab train cfg.yaml` (SIGHUP to its process group, as a closed terminal sends it)",
    0,
    ("run folder: {run}  (figure: curves.png)",),
)


@pytest.mark.parametrize(
    "args", [("train", "cfg.yaml", "epochs=40"),
             ("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "epochs=20", "--jobs", "2")],
)  # fmt: skip
def test_a_hangup_that_nohup_ignores_leaves_the_command_running(case, args):
    """``nohup nnlab ...`` starts nnlab with SIGHUP ignored, so that the run outlives its
    terminal: nnlab set its own handler on it all the same, and the hangup interrupted the run
    ('interrupted (SIGHUP)', exit 130, the folder INTERRUPTED). A stop signal ignored as nnlab
    began stays ignored, in its workers too; SIGTERM still stops it."""
    proc = subprocess.Popen(
        argv(*args, "-q", "--runs-dir", case / "runs"), cwd=case, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),  # (as nohup does)
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list((case / "runs").glob("*/meta.json")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGHUP)  # (as a closed terminal sends it)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0 and "interrupted" not in err, (proc.returncode, err)
    assert_settled(case / "runs", ("COMPLETED",))
    if args[0] == "train":
        (run,) = (case / "runs").iterdir()
        for part in NOHUP.expect(case / "runs", run):
            assert part in err, (part, err)
