"""Kills at any moment of a command (``scripts/kill_sweep.py`` sends SIGKILL, SIGINT, SIGTERM
and SIGHUP at a spread of instants to every command that makes a folder): what each left,
made quickly.

- A kill -9 after a new folder's name was taken and before its founding began left an empty
  folder at that name (1 in 60 kills to ``train``, 1 in 60 to a sweep), which ``runs show``
  and a resume called 'a folder, but no run folder' (``process.founding`` now makes nothing
  at the name before the whole folder is renamed there: tests/test_runs.py).
- A kill -9 as a sweep founded a trial left the trial's hidden ``.<id>-<random>.new`` in
  trials/, which the sweep's resume, having run the trial again, left for 10 minutes.
"""

from __future__ import annotations

import shutil

from nnlab import runs

from .helpers import assert_settled, invoke, set_meta


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
