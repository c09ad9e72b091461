"""Real processes: a stdout closed early, SIGTERM / SIGHUP / Ctrl-C (SIGINT to the process group,
as a terminal sends it) during ``train`` and during ``sweep --jobs 2``, and kill -9 of ``train``.

An interrupted command exits 130 with one line naming the folder and the exact command that
continues it; every folder (and every trial folder) is INTERRUPTED or COMPLETED; the printed
command, run as printed, completes, and the metrics equal an uninterrupted run's (bit for bit,
without ``seconds``). A killed run reads STALE, is listed as such, and resumes the same way.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from nnlab import runs

from .helpers import Row, argv, assert_settled, invoke, one_line, only, refused, without_seconds

# ~100 minibatches an epoch: long enough to be signalled mid-run on a fast machine
LONG = """\
name: long
dataset: {name: digits, n_train: 1000, n_test: 200}
model: {hidden: [64]}
optimizer: {name: momentum, lr: 0.01}
batch_size: 10
epochs: 40
"""
TRIALS = ["optimizer.lr=0.01,0.02", "model.hidden=[32],[48]", "epochs=15", "--stack", "1"]


def start(case: Path, *args, session: bool = False) -> subprocess.Popen:
    return subprocess.Popen(
        argv(*args, "--runs-dir", case / "runs", "-q"),
        cwd=case,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=session,
    )


def records(case: Path, pattern: str) -> list[int]:
    """How many records each metrics.jsonl matching ``pattern`` under case/runs holds."""
    return [len(p.read_bytes().splitlines()) for p in (case / "runs").glob(pattern)]


def wait_for(proc: subprocess.Popen, ready, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"it ended before the signal: {proc.communicate()}"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.02)


def send(proc: subprocess.Popen, name: str) -> None:
    if name == "Ctrl-C":  # a terminal sends SIGINT to the whole foreground process group
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(getattr(signal, name))


def run_printed(command: str, case: Path) -> subprocess.CompletedProcess:
    """The command an interrupted run printed, run as printed (``nnlab`` as this Python's)."""
    words = shlex.split(command)
    assert words[0] == "nnlab"
    return subprocess.run(argv(*words[1:]), cwd=case, capture_output=True, text=True)


SIGNALS = ["SIGTERM", "SIGHUP", "Ctrl-C"]
WORD = {
    "SIGTERM": "interrupted (SIGTERM)",
    "SIGHUP": "interrupted (SIGHUP)",
    "Ctrl-C": "interrupted",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_during_train_exits_130_and_the_printed_resume_completes_it(case, name):
    (case / "long.yaml").write_text(LONG)
    proc = start(case, "train", "long.yaml", session=True)
    wait_for(proc, lambda: max(records(case, "*/metrics.jsonl"), default=0) >= 4)
    send(proc, name)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert survivors(case) == []  # (no worker, no painter left behind)
    run = only(case / "runs")
    line = one_line(err)
    assert line == INTERRUPTS[0].expect(case / "runs", run.path)[0].replace(
        "interrupted (SIGTERM)", WORD[name]
    )
    assert_settled(case / "runs", ("INTERRUPTED",))
    assert 4 <= len(run.metrics()) < 41

    resumed = run_printed(line.split("; continue with: ")[1], case)
    assert resumed.returncode == 0, resumed.stderr
    assert run.status == "COMPLETED"
    straight = invoke("train", case / "long.yaml", "-q", "--runs-dir", case / "straight")
    assert straight.exit_code == 0
    assert without_seconds(run.metrics()) == without_seconds(only(case / "straight").metrics())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["SIGTERM", "Ctrl-C", "STOP"])
def test_a_stop_during_a_parallel_sweep_exits_130_and_the_printed_resume_completes_it(case, name):
    """A signal, or the sweep's STOP file made while its trials run (as an interrupted Dask
    sweep leaves it for the trials on its workers). The trials stopped by the STOP file were
    INTERRUPTED and the sweep ended COMPLETED, exit 0: it says INTERRUPTED now, exit 130."""
    (case / "long.yaml").write_text(LONG)
    proc = start(case, "sweep", "grid", "long.yaml", *TRIALS, "--jobs", "2", session=True)
    wait_for(proc, lambda: sum(n >= 3 for n in records(case, "*/trials/*/metrics.jsonl")) >= 2)
    if name == "STOP":
        only(case / "runs").file("STOP").touch()
    else:
        send(proc, name)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert survivors(case) == []  # (no worker, no painter left behind)
    sweep = only(case / "runs")
    line = one_line(err)
    if name == "STOP":
        assert all(part in line for part in INTERRUPTS[5].expect(case / "runs", sweep.path))
    else:
        expected = INTERRUPTS[1].expect(case / "runs", sweep.path)[0]
        assert line == expected.replace("interrupted (SIGTERM)", WORD[name])
    found = assert_settled(case / "runs", ("INTERRUPTED", "COMPLETED"))
    assert found[sweep.id] == "INTERRUPTED" and len(found) >= 3

    resumed = run_printed(line.split("; continue with: ")[1], case)
    assert resumed.returncode == 0, resumed.stderr
    assert_settled(case / "runs", ("COMPLETED",))
    straight = invoke("sweep", "grid", "long.yaml", *TRIALS, "-q", "--runs-dir", case / "ref")
    assert straight.exit_code == 0, straight.output
    assert summary_rows(sweep) == summary_rows(only(case / "ref"))
    for trial in sweep.path.glob("trials/*"):
        reference = runs.RunDir(case / "ref" / only(case / "ref").id / "trials" / trial.name)
        assert without_seconds(runs.RunDir(trial).metrics()) == without_seconds(reference.metrics())


def survivors(case: Path, wait: float = 10.0) -> list[str]:
    """Processes still running a command of this case (their command lines name its folder),
    after up to ``wait`` seconds: what a killed command left behind (Linux /proc)."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(case) in text:
                found.append(text)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def summary_rows(sweep: runs.RunDir) -> list[dict]:
    return without_seconds(sweep.read_json("summary.json")["trials"])


@pytest.mark.slow
def test_a_killed_run_reads_stale_is_listed_and_resumes_to_the_uninterrupted_metrics(case):
    (case / "long.yaml").write_text(LONG)
    proc = start(case, "train", "long.yaml")
    wait_for(proc, lambda: max(records(case, "*/metrics.jsonl"), default=0) >= 4)
    proc.kill()
    proc.communicate(timeout=30)  # (nothing it started holds its pipes open)
    assert survivors(case) == []
    run = only(case / "runs")
    assert run.meta["status"] == "RUNNING" and run.status == "STALE"
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
    assert [row["status"] for row in json.loads(listed.stdout)] == ["STALE"]
    killed_at = len(run.metrics()) - 1

    resumed = invoke("train", "--resume", "latest", "-q", "--runs-dir", case / "runs")
    assert resumed.exit_code == 0, resumed.output
    first = resumed.stderr.splitlines()[0]
    assert first.startswith(INTERRUPTS[2].expect(case / "runs", run.path)[0])
    assert 0 <= run.meta["resumes"][0]["from_epoch"] <= killed_at
    straight = invoke("train", case / "long.yaml", "-q", "--runs-dir", case / "straight")
    assert straight.exit_code == 0
    assert without_seconds(run.metrics()) == without_seconds(only(case / "straight").metrics())


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["train", "cfg.yaml"], ["train", "cfg.yaml", "-f", "json"], ["sweep", "grid", "cfg.yaml",
                                                                  "optimizer.lr=0.1,0.2"]],
    ids=["train table", "train json", "sweep table"],
)  # fmt: skip
def test_a_closed_stdout_is_no_failure(case, args):
    proc = start(case, *args)
    proc.stdout.close()  # the reader went away before the first line (as `| head -0`)
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "error" not in err, err
    top = only(case / "runs")
    assert_settled(case / "runs", ("COMPLETED",))
    if args[0] == "train":
        assert err.splitlines() == INTERRUPTS[3].expect(case / "runs", top.path)


@pytest.mark.slow
def test_a_closed_stdout_after_the_first_line_is_no_failure(case):
    """``nnlab train cfg.yaml | head -1`` with a real shell pipe."""
    shell = f"{shlex.join(argv('train', 'cfg.yaml', '-q'))} | head -1; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", shell], cwd=case, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(": COMPLETED after 3 epochs\n") and done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert_settled(case / "runs", ("COMPLETED",))


INTERRUPTS = [
    Row(
        "SIGTERM (or SIGHUP, or Ctrl-C) during training",
        "`nnlab train cfg.yaml`",
        130,
        ("interrupted (SIGTERM): {run} is INTERRUPTED; continue with: nnlab train --resume {run}",),
    ),
    Row(
        "SIGTERM (or Ctrl-C) during a parallel sweep",
        "`nnlab sweep grid cfg.yaml ... --jobs 2`",
        130,
        ("interrupted (SIGTERM): {run} is INTERRUPTED; continue with: nnlab sweep --resume {run}",),
    ),
    Row(
        "kill -9 during training",
        "`nnlab runs list` (the run reads STALE), then `nnlab train --resume latest`",
        0,
        ("resuming {run} after epoch",),
    ),
    Row(
        "a closed stdout",
        "`nnlab train cfg.yaml -q | head -1`",
        0,
        ("run folder: {run}  (figure: curves.png)",),
    ),
    Row(
        "SIGTERM (or SIGHUP, or Ctrl-C) while the command line loads, before any folder exists",
        "`nnlab train cfg.yaml`",
        130,
        ("interrupted (SIGTERM)",),
    ),
    Row(
        "a `STOP` file made in a running sweep's folder (as an interrupted Dask sweep leaves it)",
        "`nnlab sweep grid cfg.yaml ... --jobs 2`",
        130,
        (
            "interrupted (",
            " trials not ended, e.g. ",
            " INTERRUPTED): {run} is INTERRUPTED; continue with: nnlab sweep --resume {run}",
        ),
    ),
    Row(
        "a worker of a parallel sweep stopped (`kill -STOP <pid>`, the pid its trial's meta.json "
        "records) and not continued: waited for, as a slow one (its trials and the sweep RUNNING, "
        "not STALE: its process is there); `kill -CONT <pid>` continues it",
        "`nnlab sweep grid cfg.yaml ... --jobs 2` (`nnlab runs list` meanwhile: RUNNING)",
        0,
        ("sweep folder: {run}  (figure: curves.png)",),
    ),
]


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_before_any_folder_exists_is_interrupted_130_and_leaves_nothing(
    case, name, monkeypatch
):
    """Caught while the command reads its config (no folder yet): the line and the exit code
    of an interrupted run, and no folder; the handlers the command found are back after it."""
    import nnlab.config

    load = nnlab.config.load_config

    def load_then_signal(*args, **kwargs):
        cfg = load(*args, **kwargs)
        os.kill(os.getpid(), getattr(signal, name))
        return cfg

    monkeypatch.setattr(nnlab.config, "load_config", load_then_signal)
    before = signal.getsignal(signal.SIGTERM)
    result = invoke("train", case / "cfg.yaml", "--runs-dir", case / "runs")
    refused(result, 130, f"interrupted ({name})")
    assert not (case / "runs").exists()
    assert signal.getsignal(signal.SIGTERM) == before


LOADING = INTERRUPTS[4]

# A driver for the windows before a command runs: ``python -c DRIVER WHEN SIGNAL ARGS...`` runs
# the nnlab entry point and signals itself while it imports ``nnlab.cli`` ("import") or while
# typer parses the arguments ("parse").
DRIVER = """\
import builtins, os, signal, sys
when, name, *args = sys.argv[1:]
sig = signal.SIGINT if name == "Ctrl-C" else getattr(signal, name)
if when == "import":
    real = builtins.__import__
    def importing(module, *a, **k):
        if module == "nnlab.cli" and not getattr(importing, "done", False):
            importing.done = True
            os.kill(os.getpid(), sig)
        return real(module, *a, **k)
    builtins.__import__ = importing
else:
    import nnlab.cli
    real = nnlab.cli.OneLineErrors.make_context
    def parsing(self, *a, **k):
        os.kill(os.getpid(), sig)
        return real(self, *a, **k)
    nnlab.cli.OneLineErrors.make_context = parsing
sys.argv = ["nnlab", *args]
from nnlab.__main__ import main
main()
"""


@pytest.mark.parametrize("when", ["import", "parse"])
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "Ctrl-C"])
def test_a_signal_while_the_command_line_loads_is_interrupted_130_in_one_line(case, when, name):
    """Stop signals raise from the entry point's first line: caught while ``nnlab.cli`` is
    imported or while the arguments are parsed, the command ends as one interrupted before any
    folder exists (not a traceback, not SIGTERM's default death with 143, not a silent 130)."""
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, when, name, "train", "cfg.yaml", "--runs-dir", "runs"],
        cwd=case, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == LOADING.code, (proc.returncode, proc.stderr)
    line = one_line(proc.stderr)
    said = LOADING.parts[0].replace("SIGTERM", name)
    assert line == ("interrupted" if name == "Ctrl-C" else said)
    assert not (case / "runs").exists()


def interrupted_long_run(case: Path) -> runs.RunDir:
    """A LONG run stopped by SIGTERM after its fourth record (INTERRUPTED, with a checkpoint)."""
    (case / "long.yaml").write_text(LONG)
    proc = start(case, "train", "long.yaml")
    wait_for(proc, lambda: max(records(case, "*/metrics.jsonl"), default=0) >= 4)
    send(proc, "SIGTERM")
    assert proc.wait(timeout=60) == 130
    return only(case / "runs")


@pytest.mark.slow
def test_two_resumes_started_together_one_continues_and_the_other_is_refused(case):
    """Both saw INTERRUPTED before either wrote RUNNING, and both trained into one folder
    (metrics.jsonl held twice the records). The folder's lock lets one through; the other is
    one line, exit 2, and the run ends with the uninterrupted metrics."""
    run = interrupted_long_run(case)
    both = [
        subprocess.Popen(argv("train", "--resume", run.path, "-q"), cwd=case,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    ends = [(p.wait(timeout=300), p.communicate()[1]) for p in both]
    assert sorted(code for code, _ in ends) == [0, 2], ends
    line = one_line(next(err for code, err in ends if code == 2))
    assert "in use by another nnlab process" in line or "still RUNNING in process" in line
    assert run.status == "COMPLETED"
    straight = invoke("train", case / "long.yaml", "-q", "--runs-dir", case / "straight")
    assert straight.exit_code == 0
    assert without_seconds(run.metrics()) == without_seconds(only(case / "straight").metrics())


HOLD = """\
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_a_folder_another_process_holds_is_refused_before_anything_changes(case, command):
    """The lock, whoever holds it, refuses a resume of that folder up front (one line, exit 2),
    leaving every file as it was."""
    import sys

    args = ("cfg.yaml",) if command == "train" else ("grid", "cfg.yaml", "optimizer.lr=0.1,0.2")
    first = invoke(command, *args, "--runs-dir", case / "runs", "-q")
    assert first.exit_code == 0, first.output
    run = only(case / "runs")
    meta = dict(run.meta, status="INTERRUPTED")
    run.write_json("meta.json", meta)
    before = {p: p.read_bytes() for p in run.path.rglob("*") if p.is_file()}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(run.path)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert holder.stdout.readline() == "held\n"
        result = invoke(command, "--resume", run.path, "--runs-dir", case / "runs")
    finally:
        holder.kill()
        holder.wait()
    refused(result, 2, f"{run.path}: in use by another nnlab process")
    assert {p: p.read_bytes() for p in run.path.rglob("*") if p.is_file()} == before


def test_a_stop_signal_as_the_workers_start_leaves_no_pool_behind(monkeypatch):
    """An interrupt while ``process_pool`` waited for its forked workers left a pool no caller
    held to stop: its workers ran on, and its manager thread woke at exit on closed pipes
    ('Exception ignored in threading._shutdown ... OSError: [Errno 9] Bad file descriptor',
    after a correct 'interrupted' line; the fault-injection probe met it 2 times in 10)."""
    from concurrent.futures import Future

    from nnlab.sweep import executors

    stopped = []
    real_stop = executors.stop_pool
    monkeypatch.setattr(
        executors, "stop_pool", lambda pool: stopped.append(pool) or real_stop(pool)
    )

    def interrupted(self, timeout=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(Future, "result", interrupted)
    monkeypatch.setattr(executors, "fork_is_safe", lambda: True)  # (the window is the forked
    # workers' start; another test's thread left running would have it spawn them instead)
    with pytest.raises(KeyboardInterrupt):
        executors.process_pool(2, "fork")
    (pool,) = stopped
    assert pool._processes in (None, {}) or all(
        p.exitcode is not None for p in pool._processes.values()
    )


@pytest.mark.slow
def test_a_stopped_worker_is_waited_for_and_continued_by_sigcont(case):
    """A worker stopped by SIGSTOP (a debugger, a job control slip) and never continued makes
    the sweep wait for it, as for a slow worker: nnlab cannot tell the two apart from a
    trial's folder, and a stopped process is no dead one. Its trial and the sweep read
    RUNNING (not STALE, which would offer a resume of a trial its worker may still write), and
    SIGCONT to the pid the trial's meta.json records lets the sweep end as it would have."""
    row = INTERRUPTS[6]
    (case / "long.yaml").write_text(LONG)
    proc = start(case, "sweep", "grid", "long.yaml", *TRIALS[:1], "epochs=8", "--jobs", "2")
    try:
        wait_for(proc, lambda: len([n for n in records(case, "*/trials/*/metrics.jsonl")
                                    if n >= 2]) == 2)  # fmt: skip
        trial = sorted((case / "runs").glob("*/trials/*/meta.json"))[0]
        pid = json.loads(trial.read_text())["pid"]
        os.kill(pid, signal.SIGSTOP)
        time.sleep(1.0)
        listed = invoke("runs", "list", "--runs-dir", case / "runs", "-f", "json")
        (sweep,) = json.loads(listed.stdout)
        assert sweep["status"] == "RUNNING" and sweep["trials_done"] < 2, sweep
        assert runs.describe_folder(runs.RunDir(trial.parent))["status"] == "RUNNING"
        assert proc.poll() is None  # (waited for)
        os.kill(pid, signal.SIGCONT)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == row.code, err
    assert row.expect("runs", only(case / "runs").path)[0] in err.splitlines(), err
    assert_settled(case / "runs", ("COMPLETED",))
