"""Permissions (fault injection, round 5): a run folder that cannot be read, a run folder made
read-only while it trains. As root, chmod stops no one: each case runs nnlab in a process
without the capabilities that pass over permissions (``setpriv --bounding-set``), as root
still, so the folders it made stay its own.

A run folder that could not be looked into (``chmod 000``) was passed over as no run folder:
``runs list`` did not show it, ``runs show`` said no folder matched, ``--resume latest`` said
'no runs yet' or resumed an older run, and ``report`` failed whole (exit 1, naming its report
marker). It is listed now, DAMAGED with the reason, and every command that takes it says why
in one line. A run that failed as its folder was made read-only says how to continue it, as
one stopped by a full disk does.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from nnlab import runs

from .helpers import Row, argv, copy_runs, one_line

PERMISSIONS = [
    Row(
        "a run folder that cannot be read (`chmod 000`), beside others: listed, not passed over",
        "`nnlab runs list -f json` (`runs show`, `--resume latest`: refused; `report`: DAMAGED)",
        0,
        ('"status": "DAMAGED"', '"reason": "{run}: cannot read: Permission denied"'),
    ),
    Row(
        "a run folder made read-only while it trains (`chmod a-w` from another shell)",
        "`nnlab train cfg.yaml`",
        1,
        (
            "error: {run}/",
            ": Permission denied (run folder {run} could not record FAILED: {run}/meta.json: "
            "Permission denied; it reads STALE; once the permission is given, continue with: "
            "nnlab train --resume {run})",
        ),
    ),
    Row(
        "a sweep's `trials/` or a trial's folder that cannot be read: the sweep listed with "
        "its trials DAMAGED (it failed `runs list` whole, exit 1), its resume refused; so is "
        "a tune's whose `rounds/` cannot be read (it took the round for gone, ran it again, "
        "failed to make its folder, exit 1, and left the COMPLETED tune FAILED)",
        "`nnlab sweep --resume RUN` (and the trial's `train --resume`; `runs list`, `runs show`: "
        "the trial DAMAGED)",
        2,
        ("error: {run}/trials/<trial>: cannot read: Permission denied",),
    ),
    Row(
        "`runs remove` of a folder holding one it may not empty (`chmod 555` or `000`): "
        "refused whole (it removed the rest and left a hidden half, exit 1)",
        "`nnlab runs remove RUN --yes`",
        2,
        ("error: {run}/trials/<trial>: cannot be removed: Permission denied; nothing removed",),
    ),
    Row(
        "a file of a folder to resume that cannot be replaced (`chattr +i`, or `+a`), or the "
        "folder itself, in every resume, every trial folder a sweep's or a tune's resume writes "
        "or removes too, and in `runs remove`: refused before it says a word (it said 'resuming "
        "after epoch N', then FAILED; a sweep's trial FAILED as it reopened)",
        "`nnlab train --resume RUN` (its checkpoint.npz `chattr +i`)",
        2,
        (
            "error: {run}/checkpoint.npz: cannot be replaced: it is immutable (chattr +i), and a "
            "resume rewrites its folder's files; lift it first (chattr -i {run}/checkpoint.npz)",
        ),
    ),
]


@pytest.fixture(scope="module")
def unprivileged(tmp_path_factory) -> list[str]:
    """What runs a command without root's power over permissions (nothing, if not root);
    skipped where that cannot be had."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("no setpriv to drop root's capabilities")
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    probe = tmp_path_factory.mktemp("probe") / "closed"
    probe.write_text("x")
    probe.chmod(0)
    tried = subprocess.run([*prefix, "cat", str(probe)], capture_output=True)
    if tried.returncode == 0:
        pytest.skip("setpriv could not drop the capabilities")
    return prefix


def nnlab(prefix: list[str], case: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, *argv(*args, "--runs-dir", "runs")],
        cwd=case,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def closed(case, templates):
    """An older COMPLETED run (``runs/a-open``) and a newer one that cannot be read
    (``runs/b-closed``: a name after the other's, as run folders are named by their start)."""
    root = case / "runs"
    root.mkdir()
    for name in ("a-open", "b-closed"):
        copy_runs(templates["done"], case / name)
        (found,) = (case / name).iterdir()
        found.rename(root / name)
    meta = runs.RunDir(root / "a-open").read_json("meta.json")
    meta["started"] = "2020-01-01T00:00:00.000+00:00"  # (the older one)
    runs.write_json(root / "a-open" / "meta.json", meta)
    (root / "b-closed").chmod(0)
    yield root / "b-closed"
    (root / "b-closed").chmod(0o755)


@pytest.mark.slow
def test_a_run_folder_that_cannot_be_read_is_listed_and_named(case, closed, unprivileged):
    row = PERMISSIONS[0]
    listed = nnlab(unprivileged, case, "runs", "list", "-f", "json")
    assert listed.returncode == row.code and listed.stderr == "", listed.stderr
    text = json.dumps(json.loads(listed.stdout), indent=2)
    for part in row.expect("runs", "runs/b-closed"):
        assert part in text, (part, text)
    said = "error: runs/b-closed: cannot read: Permission denied"
    for args in (["runs", "show", "b-closed"], ["runs", "compare", "b-closed", "a-open"]):
        shown = nnlab(unprivileged, case, *args)
        assert shown.returncode == 2 and one_line(shown.stderr) == said, shown.stderr
    latest = nnlab(unprivileged, case, "train", "--resume", "latest")
    assert latest.returncode == 2, latest.stderr
    assert one_line(latest.stderr).startswith(f"{said} ('latest' may mean this train folder")
    report = nnlab(unprivileged, case, "report")
    assert report.returncode == 0, report.stderr
    assert "b-closed: DAMAGED" in report.stderr and "2 folders" in report.stderr
    removed = nnlab(unprivileged, case, "runs", "remove", "b-closed", "--yes")
    assert removed.returncode == 2 and "runs/b-closed" in one_line(removed.stderr)
    assert closed.is_dir()


SLOW = """\
name: slow
dataset: {name: digits, n_train: 200, n_test: 100}
model: {hidden: [16]}
optimizer: {name: sgd, lr: 0.1}
batch_size: 50
epochs: 100000
"""


@pytest.mark.slow
def test_a_run_folder_made_read_only_as_it_trains_says_how_to_continue(case, unprivileged):
    (case / "slow.yaml").write_text(SLOW)
    proc = subprocess.Popen(
        [*unprivileged, *argv("train", "slow.yaml", "-q", "--runs-dir", "runs")],
        cwd=case,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = [p for p in (case / "runs").glob("[!.]*") if (p / "metrics.jsonl").exists()]
            if found and (found[0] / "metrics.jsonl").stat().st_size > 0:
                break
            time.sleep(0.01)
        (folder,) = found
        folder.chmod(0o555)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    try:
        row = PERMISSIONS[1]
        assert proc.returncode == row.code, err
        line = one_line(err)
        for part in row.expect("runs", f"runs/{folder.name}"):
            assert part in line, (part, line)
        assert runs.RunDir(folder).status == "STALE"
    finally:
        folder.chmod(0o755)


@pytest.fixture
def sweep_closed(case, planned):
    """A sweep of two trials (``runs/<sweep>``) and how to close its ``trials/`` or one
    trial's folder (``chmod``; opened again after the case)."""
    copy_runs(planned["sweep"], case / "runs")
    (sweep,) = (case / "runs").iterdir()
    closed: list[Path] = []

    def close(path: Path, mode: int = 0) -> Path:
        path.chmod(mode)
        closed.append(path)
        return path

    yield sweep, close
    for path in closed:
        with contextlib.suppress(OSError):  # (removed, by the code before the check)
            path.chmod(0o755)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["trials", "trial"])
def test_a_sweep_whose_trials_cannot_be_read_is_read_and_refused_in_one_line(
    case, sweep_closed, unprivileged, which
):
    """A trials/ that could not be looked into failed runs list whole ('error: .../trials/
    2a979f26: Permission denied', exit 1: every other folder unlisted), and runs show; one
    trial's folder failed sweep --resume and the trial's own resume, exit 1."""
    sweep, close = sweep_closed
    trials = sweep / "trials"
    first = sorted(trials.iterdir())[0]
    closed = close(trials if which == "trials" else first)
    said = f"runs/{sweep.name}/{closed.relative_to(sweep)}: cannot read: Permission denied"
    if which == "trial":
        expected = PERMISSIONS[2].expect("runs", f"runs/{sweep.name}")[0]
        assert expected.replace("<trial>", first.name) == f"error: {said}"
    listed = nnlab(unprivileged, case, "runs", "list", "-f", "json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "COMPLETED" and "DAMAGED" in row["reason"], row
    shown = nnlab(unprivileged, case, "runs", "show", sweep.name)
    assert shown.returncode == 0 and said in shown.stdout, shown.stdout + shown.stderr
    before = nnlab(unprivileged, case, "runs", "list", "-f", "json").stdout
    resumed = nnlab(unprivileged, case, "sweep", "--resume", sweep.name)
    assert resumed.returncode == 2 and one_line(resumed.stderr).startswith(f"error: {said}")
    if which == "trial":
        alone = nnlab(unprivileged, case, "train", "--resume", f"{sweep.name}/{first.name}")
        assert alone.returncode == 2 and one_line(alone.stderr) == f"error: {said}"
    assert nnlab(unprivileged, case, "runs", "list", "-f", "json").stdout == before


@pytest.mark.slow
def test_a_tune_whose_rounds_cannot_be_read_refuses_its_resume_before_any_change(
    case, planned, unprivileged
):
    """A tune's rounds/ that could not be looked into took its round for one gone: the
    resume of the COMPLETED tune ran the round again, failed to make its folder ('rounds/
    <round>: cannot create run folder: Permission denied', exit 1), and left the tune FAILED."""
    copy_runs(planned["tune"], case / "runs")
    (tune,) = (case / "runs").iterdir()
    (round_folder,) = (tune / "rounds").iterdir()
    (tune / "rounds").chmod(0)
    try:
        before = (tune / "meta.json").read_bytes()
        resumed = nnlab(unprivileged, case, "tune", "--resume", tune.name)
        said = f"error: runs/{tune.name}/rounds/{round_folder.name}: cannot read: Permission"
        assert resumed.returncode == 2, resumed.stderr
        assert one_line(resumed.stderr).startswith(said), resumed.stderr
        assert (tune / "meta.json").read_bytes() == before
    finally:
        (tune / "rounds").chmod(0o755)


@pytest.mark.parametrize("mode", [0, 0o555])
def test_runs_remove_of_a_folder_it_cannot_empty_removes_nothing(
    case, sweep_closed, unprivileged, mode
):
    """runs remove of a sweep holding a trial folder it could not empty moved the sweep to a
    hidden .<sweep>.removing, removed the rest of it and stopped at the trial ('error:
    2a979f26: Permission denied', exit 1): the sweep gone from every listing, and what was
    left of it never removed by a later command either."""
    sweep, close = sweep_closed
    trial = close(sorted((sweep / "trials").iterdir())[0], mode)
    files = sorted(p.relative_to(case) for p in sweep.rglob("*") if trial not in p.parents)
    removed = nnlab(unprivileged, case, "runs", "remove", sweep.name, "--yes")
    assert removed.returncode == 2, removed.stderr
    line = one_line(removed.stderr)
    expected = PERMISSIONS[3].expect("runs", f"runs/{sweep.name}")[0]
    assert line == expected.replace("<trial>", trial.name)
    assert sorted(p.relative_to(case) for p in sweep.rglob("*") if trial not in p.parents) == (
        files
    )
    assert [p.name for p in (case / "runs").iterdir()] == [sweep.name]


def _chattr(path: Path, flag: str) -> None:
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr {flag} does not work here: {done.stderr.strip()}")


@pytest.mark.skipif(not shutil.which("chattr"), reason="needs chattr (e2fsprogs)")
@pytest.mark.parametrize(("name", "flag"), [("checkpoint.npz", "i"), ("meta.json", "a")])
def test_a_file_a_resume_cannot_replace_is_refused_before_it_begins(case, stopped, name, flag):
    """A checkpoint made immutable (``chattr +i``: even root cannot replace it) was not
    refused up front: 'resuming after epoch 2', then 'checkpoint.npz: Operation not
    permitted' and the run FAILED. Now every resume asks first (``runs.own``)."""
    from .helpers import file_bytes, invoke, refused

    before = file_bytes(stopped.path)
    path = stopped.file(name)
    _chattr(path, f"+{flag}")
    try:
        result = invoke("train", "--resume", stopped.id, "--runs-dir", "runs")
    finally:
        subprocess.run(["chattr", f"-{flag}", str(path)], check=True)
    run = f"runs/{stopped.id}"
    if flag == "i":
        line = refused(result, 2)
        assert line == PERMISSIONS[-1].expect("runs", run)[0], line
    else:
        refused(result, 2, f"error: {run}/meta.json: cannot be replaced: it is append-only "
                f"(chattr +a), and a resume rewrites its folder's files; lift it first "
                f"(chattr -a {run}/meta.json)")  # fmt: skip
    assert "resuming" not in result.stderr
    assert file_bytes(stopped.path) == before and stopped.status == "INTERRUPTED"


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes (what a refused resume must leave alone)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


@pytest.fixture
def cut_sweep_folder(case, monkeypatch) -> runs.RunDir:
    """A sweep of four trials INTERRUPTED in its first (at epoch 2, checkpointed), the
    others not started."""
    import nnlab.experiments.train as train_mod
    from tests.experiments.test_sweep import cut_sweep, tiny_sweep

    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    return cut_sweep(monkeypatch, tiny_sweep(), case / "runs")


@pytest.mark.skipif(not shutil.which("chattr"), reason="needs chattr (e2fsprogs)")
@pytest.mark.parametrize("locked", ["checkpoint.npz", "folder", "failed"])
def test_a_sweep_resume_asks_every_trial_it_writes_before_it_begins(case, cut_sweep_folder, locked):
    """``sweep --resume`` asked only the sweep's own folder for files it cannot replace: a
    trial's checkpoint made immutable was found as that trial reopened (the trial FAILED
    'cannot be replaced', the sweep exited 130 'interrupted'); a trial to run again whose
    file was immutable could not be removed. Every trial folder it writes is asked first."""
    from .helpers import invoke, refused, set_meta

    sweep = cut_sweep_folder
    (cut,) = [p for p in sweep.path.glob("trials/*") if runs.RunDir(p).status == "INTERRUPTED"]
    if locked == "failed":  # (a FAILED trial runs again: its folder is removed first)
        set_meta(runs.RunDir(cut), status="FAILED", error="RuntimeError: boom")
    path = cut if locked == "folder" else cut / "checkpoint.npz"
    before = _tree_bytes(sweep.path)
    _chattr(path, "+i")
    try:
        result = invoke("sweep", "--resume", sweep.id, "--runs-dir", "runs")
    finally:  # (the whole folder: a removal that went ahead moved the file elsewhere in it)
        subprocess.run(["chattr", "-R", "-i", str(sweep.path)], check=True)
    run = f"runs/{sweep.id}/trials/{cut.name}"
    said = {
        "checkpoint.npz": f"error: {run}/checkpoint.npz: cannot be replaced: it is immutable "
        f"(chattr +i), and a resume rewrites its folder's files; lift it first (chattr -i "
        f"{run}/checkpoint.npz)",
        "folder": f"error: {run}: cannot be written: it is immutable (chattr +i), and a resume "
        f"writes its files in it; lift it first (chattr -i {run})",
        "failed": f"error: {run}/checkpoint.npz: cannot be removed: it is immutable (chattr +i); "
        f"lift it first (chattr -i {run}/checkpoint.npz) (a trial the resume runs again: it "
        "removes its folder)",
    }[locked]
    assert refused(result, 2) == said
    assert _tree_bytes(sweep.path) == before and sweep.status == "INTERRUPTED"


@pytest.mark.skipif(not shutil.which("chattr"), reason="needs chattr (e2fsprogs)")
def test_a_tune_resume_asks_the_trials_of_its_unfinished_round_before_it_begins(case, monkeypatch):
    """A tune interrupted in a trial of its round, that trial's checkpoint then made
    immutable: its resume reopened the tune and the round before the trial failed."""
    import nnlab.experiments.train as train_mod
    from tests.conftest import interrupted_at_epoch

    from .helpers import invoke, refused

    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    real = train_mod.fit_group
    monkeypatch.setattr(train_mod, "fit_group", interrupted_at_epoch(real, 2, call=1))
    cut = invoke("tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "--trials", "2",
                 "--epochs", "3", "--stack", "1", "--runs-dir", "runs")  # fmt: skip
    assert cut.exit_code == 130, cut.output
    monkeypatch.setattr(train_mod, "fit_group", real)
    (tune,) = runs.iter_runs(case / "runs")
    (trial,) = [p for p in tune.path.glob("rounds/*/trials/*")
                if runs.RunDir(p).status == "INTERRUPTED"]  # fmt: skip
    before = _tree_bytes(tune.path)
    _chattr(trial / "checkpoint.npz", "+i")
    try:
        result = invoke("tune", "--resume", tune.id, "--runs-dir", "runs")
    finally:
        subprocess.run(["chattr", "-R", "-i", str(tune.path)], check=True)
    said = f"{trial.relative_to(case)}/checkpoint.npz: cannot be replaced: it is immutable"
    refused(result, 2, said)
    assert _tree_bytes(tune.path) == before and tune.status == "INTERRUPTED"


@pytest.mark.skipif(not shutil.which("chattr"), reason="needs chattr (e2fsprogs)")
def test_runs_remove_of_a_folder_holding_an_immutable_file_is_refused_whole(case, done):
    """``runs.unremovable`` asked for permissions only: a checkpoint made immutable moved
    the folder to a hidden name, removed the rest and stopped there ('Operation not
    permitted'), a half-removed folder left behind."""
    from .helpers import invoke, refused

    before = _tree_bytes(done.path)
    _chattr(done.file("checkpoint.npz"), "+i")
    try:
        result = invoke("runs", "remove", done.id, "--yes", "--runs-dir", "runs")
    finally:
        subprocess.run(["chattr", "-R", "-i", str(case / "runs")], check=True)
    path = f"runs/{done.id}/checkpoint.npz"
    refused(result, 2, f"{path}: cannot be removed: it is immutable (chattr +i); lift it first "
            f"(chattr -i {path})")  # fmt: skip
    assert _tree_bytes(done.path) == before
