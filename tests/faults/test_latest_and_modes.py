"""``latest`` resolves among the folders of the kind a command needs, and run files get the mode
the umask gives (022: 0644), not mkstemp's 0600."""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from nnlab import runs

from .helpers import Row, copy_runs, invoke, refused, set_meta, snapshot


@pytest.fixture
def mixed(case, templates) -> runs.RunDir:
    """A training run, then (later) a sweep and an lr-scan under ``case/runs``: the training
    run is not the latest folder."""
    done = next(runs.iter_runs(templates["done"]))
    copy_runs(done.path, case / "runs" / done.id)
    assert invoke(*SWEEP, "--runs-dir", case / "runs").exit_code == 0
    assert invoke(*SCAN, "--runs-dir", case / "runs").exit_code == 0
    return runs.RunDir(case / "runs" / done.id)


SWEEP = ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "-q"]
SCAN = ["lr-scan", "cfg.yaml", "--num", "2", "--epochs", "0", "-q"]


@pytest.mark.slow
def test_landscape_latest_finds_the_training_run_after_a_sweep_and_an_lr_scan(case, mixed):
    result = invoke("landscape", "latest", "--points", "3", "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    landscape = [r for r in runs.iter_runs(case / "runs") if r.kind == "landscape"]
    assert [r.meta["source_run"] for r in landscape] == [str(mixed.path)]


@pytest.mark.slow
def test_train_resume_latest_finds_the_training_run_not_a_trial(case, mixed):
    result = invoke("train", "--resume", "latest", "--runs-dir", case / "runs")
    refused(result, 2, f"error: {mixed.path}: already COMPLETED, nothing to resume")


@pytest.mark.slow
def test_sweep_resume_latest_finds_the_sweep_after_an_lr_scan(case, mixed):
    (sweep,) = [r for r in runs.iter_runs(case / "runs") if r.kind == "sweep"]
    set_meta(sweep, status="INTERRUPTED")
    result = invoke("sweep", "--resume", "latest", "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    assert len(sweep.meta["resumes"]) == 1 and sweep.status == "COMPLETED"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "kind"),
    [(["tune", "--resume", "latest"], "tune"), (["landscape", "--resume", "latest"], "landscape")],
)
def test_latest_of_a_kind_there_is_none_of_says_so(case, mixed, args, kind):
    line = refused(invoke(*args, "--runs-dir", case / "runs"), 2, f"no {kind} folders yet")
    if kind == "tune":
        assert LATEST.expect(case / "runs") == [line]


@pytest.mark.slow
def test_latest_reports_a_damaged_newest_folder_of_its_kind_and_passes_others(case, mixed):
    (sweep,) = [r for r in runs.iter_runs(case / "runs") if r.kind == "sweep"]
    sweep.file("meta.json").write_text("[1, 2]\n")
    result = invoke("sweep", "--resume", "latest", "--runs-dir", case / "runs")
    refused(result, 2, *DAMAGED_LATEST.expect(case / "runs", sweep.path))
    result = invoke("train", "--resume", "latest", "--runs-dir", case / "runs")
    refused(result, 2, f"error: {mixed.path}: already COMPLETED")  # (a sweep cannot be meant)


DAMAGED_LATEST = Row(
    "`latest` when the newest folder of the kind needed is damaged",
    "`nnlab sweep --resume latest`",
    2,
    ("error: {run}/meta.json: expected a JSON object, got list ('latest' may mean this sweep "
     "folder: fix or name it)",),
)  # fmt: skip

LATEST = Row(
    "`latest` when there is no folder of the kind the command needs",
    "`nnlab tune --resume latest` (after training runs and sweeps)",
    2,
    ("error: {runs}: no tune folders yet (it holds only 1 lr-scan folder, 1 sweep folder, 1 "
     "train folder, which 'latest' does not name here)",),
)  # fmt: skip


# ----------------------------------------------------------------------------- file modes
def modes(root) -> dict[str, int]:
    return {
        p.relative_to(root).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def umask(monkeypatch):
    """Set the process umask for a case (and the cached file mode with it); restored after."""
    from nnlab import fileio

    saved = os.umask(0o022)

    def set_umask(value: int) -> None:
        os.umask(value)
        fileio.file_mode.cache_clear()

    yield set_umask
    set_umask(saved)


@pytest.mark.slow
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_run_files_get_the_mode_the_umask_gives(case, umask, mask, mode):
    umask(mask)
    for args in (
        ["train", "cfg.yaml", "-q"],
        [*SWEEP],
        ["landscape", "latest", "--points", "3", "-q"],
        ["report"],
    ):
        assert invoke(*args, "--runs-dir", case / "runs").exit_code == 0
    found = modes(case / "runs")
    names = {name.rsplit("/", 1)[-1] for name in found}
    for name in ("meta.json", "metrics.jsonl", "checkpoint.npz", "summary.json", "summary.txt",
                 "curves.png", "landscape.h5", "index.html", "sweep.yaml"):  # fmt: skip
        assert name in names
    wrong = {name: oct(m) for name, m in found.items() if m != mode}
    assert wrong == {}


RESUMES = {  # every command that continues a folder (and the dry run of one), by kind
    "train --resume": ("train", ["train", "--resume", "{ref}"]),
    "sweep --resume": ("sweep", ["sweep", "--resume", "{ref}"]),
    "sweep resume": ("sweep", ["sweep", "resume", "{ref}"]),
    "sweep resume --dry-run": ("sweep", ["sweep", "resume", "{ref}", "--dry-run"]),
    "tune --resume": ("tune", ["tune", "--resume", "{ref}"]),
    "landscape --resume": ("landscape", ["landscape", "--resume", "{ref}"]),
    "landscape --out (its folder)": (
        "landscape",
        ["landscape", "latest", "--points", "3", "--out", "{ref}"],
    ),
}


@pytest.mark.slow
def test_every_resume_of_a_completed_folder_is_refused_alike_and_changes_nothing(case, mixed):
    # (train --resume said "already COMPLETED, nothing to resume", exit 2; sweep --resume,
    # sweep resume and its dry run, tune --resume and landscape --resume exited 0 having done
    # nothing, and tune's and landscape's recorded one more resume and redrew their figures)
    root = case / "runs"
    made = [
        ["tune", "cfg.yaml", "--trials", "2", "--epochs", "1", "-q"],
        ["landscape", str(mixed.path), "--points", "3", "-q"],
    ]
    for args in made:
        assert invoke(*args, "--runs-dir", root).exit_code == 0
    folders = {r.kind: r for r in runs.iter_runs(root)}
    folders["train"] = mixed
    assert all(folders[kind].status == "COMPLETED" for kind, _ in RESUMES.values())
    for command, (kind, args) in RESUMES.items():
        ref = folders[kind].path
        before = snapshot(root)
        result = invoke(*[a.format(ref=ref) for a in args], "--runs-dir", root)
        refused(result, 2, f"error: {ref}: already COMPLETED, nothing to resume")
        assert snapshot(root) == before, command


@pytest.mark.slow
def test_a_completed_sweep_with_a_trial_folder_removed_is_still_resumed(case, mixed):
    (sweep,) = [r for r in runs.iter_runs(case / "runs") if r.kind == "sweep"]
    trial = next(sweep.file("trials").iterdir())
    shutil.rmtree(trial)
    result = invoke("sweep", "--resume", sweep.path, "-q", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    assert trial.is_dir() and sweep.status == "COMPLETED"
