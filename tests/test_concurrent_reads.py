"""Readers running while writers write: no folder that is sound is ever read as DAMAGED.

A writer changes a folder in steps (records appended, a checkpoint replaced, summary.json,
then meta.json's end); readers cross-check one file against another (meta.json's
``epochs_done`` against the records, summary.json against them, a sweep's plan against its
trial folders). A reader that reads file A, then the writer changes A and B, then the reader
reads B, must not take the disagreement for damage.

Deterministically: each writer (train, a train resume, a sweep and its resume, a tune, a
landscape, an lr-scan, compare-optimizers) runs once in this process while every state its
folder passes through is recorded (after each file it replaces or removes, record it appends,
landscape row it stores); then, for every state and every point in a reader's reading (after
its k-th file read), the reader starts at that state and the writer moves on at that point:
at once to its end, a state per read, or at once to any one later state. Every reader must
call every folder sound, at every point. By default the windows found once are replayed (and
train's and the quick writers' every point, as slow tests); NNLAB_EXHAUSTIVE=1 replays every
point of the others too (minutes each).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nnlab import fileio, rundir, runfolders, runs, yamlio
from nnlab.experiments import listing, showing, train as train_module
from tests.conftest import invoke

CFG = """\
name: tiny
dataset: {name: digits, n_train: 100, n_val: 50, n_test: 50}
model: {hidden: [8]}
optimizer: {name: sgd, lr: 0.1}
batch_size: 50
epochs: 3
eval: [train, val]
"""

State = dict[str, bytes]  # a runs folder's files: path under it -> content


def snapshot(root: Path) -> State:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def restore(root: Path, state: State) -> None:
    """Make the files under ``root`` be ``state``'s (folders it has no file in removed)."""
    for p in sorted(root.rglob("*"), reverse=True):
        rel = str(p.relative_to(root))
        if p.is_file() and rel not in state:
            p.unlink()
        elif p.is_dir() and not any(k.startswith(rel + os.sep) for k in state):
            p.rmdir()
    for rel, data in state.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


@contextlib.contextmanager
def recording(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[State]]:
    """Every state of ``root`` a writer in the block leaves (the first: as the block began):
    after a file is replaced or removed, a record appended, a landscape's points stored."""
    from nnlab.experiments import landscape

    states: list[State] = [snapshot(root)]

    def then_record(fn: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kw: Any) -> Any:
            try:
                return fn(*args, **kw)
            finally:
                now = snapshot(root)
                if now != states[-1]:
                    states.append(now)

        return step

    with monkeypatch.context() as mp:
        for owner, name in WRITES:
            mp.setattr(owner, name, then_record(getattr(owner, name)))
        mp.setattr(landscape, "store", then_record(landscape.store))
        yield states


# the functions every writer changes a run folder's files through
WRITES = [(os, "replace"), (os, "unlink"), (rundir.RunDir, "append_metric")]


# the functions every reader reads a run folder's files through
READS = [
    (fileio, "read_at_most"),
    (yamlio, "read_at_most"),
    (runfolders, "read_at_most"),
    (rundir, "read_records"),
    (rundir, "check_landscape"),
    (rundir.RunDir, "_read_checkpoint"),
]


@contextlib.contextmanager
def writer_moves_on(
    root: Path, later: list[State], after: int, jump: bool, reads: list[int]
) -> Iterator[None]:
    """Readers in the block read ``root``; after their ``after``-th file read the writer moves
    on: to the last of the ``later`` states at once (``jump``), else to the next of them
    after each read from then on. ``reads``: one number, the count of reads made."""
    left = list(later)

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any, **kw: Any) -> Any:
            try:
                return fn(*args, **kw)
            finally:
                reads[0] += 1
                if reads[0] >= after and left:
                    restore(root, left[-1] if jump else left[0])
                    del left[: len(left) if jump else 1]

        return read

    with pytest.MonkeyPatch.context() as mp:
        for owner, name in READS:
            mp.setattr(owner, name, wrap(getattr(owner, name)))
        yield


def readers(root: Path, show: bool = True) -> list[str]:
    """What every reader says of the folders under ``root``: a DAMAGED folder's reason, or
    an error a reader raised (``show``: runs show's too, not only runs list's)."""
    said = []
    for row in listing.list_runs(root):  # runs list (every file of every folder)
        said += [f"list: {row['run']}: {row['reason']}"] if "reason" in row else []
        said += [
            f"list: {b.get('trial', b.get('sweep'))}: {b['reason']}"
            for b in row.get("bad_trials", [])
        ]
    for run in runs.iter_runs(root) if show else []:  # runs show: every file, every trial's
        try:
            view = showing.show_run(run)
        except runs.RunError as exc:
            said.append(f"show: {run.id}: {exc}")
        else:
            said += [f"show: {run.id}: {b['reason']}" for b in view.bad_trials]
    return said


def check_every_point(
    root: Path,
    states: list[State],
    first: int = 0,
    modes: tuple[str, ...] = ("end", "step"),
    show: bool = True,
    last: int | None = None,
) -> None:
    """For every recorded state (from the ``first``, before the ``last``), and every k: the readers started at that
    state, the writer moving on after their k-th read (``modes``: at once to its ``end``, a
    ``step`` per read, or at once to ``each`` later state in turn), call every folder sound;
    and so do they once it ended."""
    assert readers(root, show) == []  # (the writer ended: every folder is sound)
    wrong = []
    for i, state in enumerate(states[: len(states) - 1 if last is None else last]):
        if i < first:
            continue
        restore(root, state)
        reads = [0]
        with writer_moves_on(root, [], 0, False, reads):  # (how many reads there are)
            readers(root, show)
        moves = [(states[i + 1 :], mode == "end", mode) for mode in modes if mode != "each"]
        if "each" in modes:
            moves += [([later], True, f"to state {j}") for j, later in enumerate(states) if j > i]
        for after in range(1, reads[0] + 1):
            for later, jump, how in moves:
                restore(root, state)
                with writer_moves_on(root, later, after, jump, [0]):
                    said = readers(root, show)
                wrong += [f"state {i}, writer on ({how}) after read {after}: {s}" for s in said]
    restore(root, states[-1])
    kinds = sorted({re.sub(r"[0-9]+", "N", w.split(": ", 2)[-1]) for w in wrong})
    assert wrong == [], f"{len(wrong)} false alarms, of these kinds:\n" + "\n".join(kinds)


# (minutes each: every point of a resume's, sweep's, tune's or landscape's folders, read by every reader)
exhaustive = pytest.mark.skipif(
    not os.environ.get("NNLAB_EXHAUSTIVE"), reason="set NNLAB_EXHAUSTIVE=1: minutes each"
)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "cfg.yaml").write_text(CFG)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(train_module, "CHECKPOINT_SECONDS", 0.0)  # (a checkpoint every epoch)
    return tmp_path / "runs"


@pytest.mark.slow
def test_a_training_run_read_as_it_ends_is_sound(root, monkeypatch):
    """The end of a run: its last record, checkpoint, summary, then meta.json's end. A reader
    read the records (or summary.json) before, and meta.json's COMPLETED after: DAMAGED;
    runs show (and the report) passed records read before the status to ``summary``."""
    with recording(root, monkeypatch) as states:
        assert invoke("train", "cfg.yaml", "epochs=1", "-q").exit_code == 0
    check_every_point(root, states, first=len(states) - 6, modes=("end",))


@pytest.mark.slow
def test_a_training_run_read_at_every_point_is_sound(root, monkeypatch):
    with recording(root, monkeypatch) as states:
        assert invoke("train", "cfg.yaml", "-q").exit_code == 0
    check_every_point(root, states)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="the system's lock table")
def test_a_folder_being_made_is_not_read_until_its_meta_json_is_there(root, monkeypatch):
    """A new folder's first files (a sweep's plan, a tune's) come before its meta.json, while
    its process holds the folder: `runs list` meanwhile listed it DAMAGED ('meta.json:
    missing'), and a running tune with '1 round folder DAMAGED'. Once no process holds it, a
    folder left so (a kill -9 between the two writes) is damage, as before."""
    import subprocess
    import sys

    from nnlab import process

    said: list[list[str]] = []
    real = runs.RunDir.write_json

    def read_before_meta(self, name, data, *args, **kwargs):
        if name == "meta.json" and not self.file("meta.json").exists():
            assert process.held(self.path)  # (its claim came first)
            said.append(readers(root))
        return real(self, name, data, *args, **kwargs)

    monkeypatch.setattr(runs.RunDir, "write_json", read_before_meta)
    made = invoke("tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "--trials", "1",
                  "--rounds", "2", "--epochs", "1", "-q")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert len(said) >= 3 and all(s == [] for s in said), said  # (the tune, its two rounds)
    monkeypatch.undo()
    tune = next(runs.iter_runs(root))
    tune.file("meta.json").unlink()
    code = "import sys; from nnlab import process; print(process.held(sys.argv[1]))"
    other = subprocess.run([sys.executable, "-c", code, str(tune.path)], capture_output=True)
    assert other.stdout.decode().strip() == "False"
    assert [row["status"] for row in listing.list_runs(root)] == ["DAMAGED"]


# ----------------------------------------------------------------------------- other writers
def interrupted_run(root: Path, monkeypatch: pytest.MonkeyPatch) -> runs.RunDir:
    """A run of 3 epochs stopped (Ctrl-C) after epoch 2's record, its checkpoint of epoch 1:
    its resume cuts the records back to the checkpoint's and replays from there."""
    from tests.conftest import interrupted_at_epoch

    real_save = rundir.RunDir.save_checkpoint

    def save_until_1(self, state, epoch, identity):
        if epoch <= 1:
            real_save(self, state, epoch, identity)

    with monkeypatch.context() as mp:
        mp.setattr(train_module, "fit_group", interrupted_at_epoch(train_module.fit_group, 2))
        mp.setattr(rundir.RunDir, "save_checkpoint", save_until_1)
        assert invoke("train", "cfg.yaml", "-q").exit_code == 130
    (run,) = runs.iter_runs(root)
    assert run.meta["status"] == "INTERRUPTED" and run.meta["epochs_done"] == 2
    assert run.check_checkpoint() == 1
    return run


def records_cut(states: list[State]) -> int:
    """The first of ``states`` whose metrics.jsonl holds fewer records than the one before
    (a resume's cut back to its checkpoint)."""

    def count(state: State) -> int:
        return sum(v.count(b"\n") for k, v in state.items() if k.endswith("metrics.jsonl"))

    return next(i for i in range(1, len(states)) if count(states[i]) < count(states[i - 1]))


@pytest.mark.slow
def test_a_training_run_read_as_it_resumes_is_sound(root, monkeypatch):
    """A resume rewrites meta.json RUNNING and cuts metrics.jsonl back to its checkpoint's
    epoch: a reader that read meta.json's INTERRUPTED after epoch 2 before, and the cut
    records after, said 'meta.json: epochs_done is 2, but metrics.jsonl's records end at
    epoch 1' (or summary.json's epochs): each reader now reads a folder again when its
    meta.json changed under it (``RunDir.settled``)."""
    run = interrupted_run(root, monkeypatch)
    with recording(root, monkeypatch) as states:
        assert invoke("train", "--resume", run.path, "-q").exit_code == 0
    check_every_point(root, [states[0], states[records_cut(states)]], modes=("end",))


@pytest.mark.slow
@exhaustive
def test_a_training_run_resumed_read_at_every_point_is_sound(root, monkeypatch):
    run = interrupted_run(root, monkeypatch)
    with recording(root, monkeypatch) as states:
        assert invoke("train", "--resume", run.path, "-q").exit_code == 0
    check_every_point(root, states, modes=("step", "each"))


SWEEP = ("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.05", "epochs=2", "--jobs", "1", "-q")


@pytest.mark.slow
@exhaustive
def test_a_sweep_read_at_every_point_is_sound(root, monkeypatch):
    with recording(root, monkeypatch) as states:
        made = invoke(*SWEEP)
        assert made.exit_code == 0, made.output
    check_every_point(root, states)


def stopped_sweep(root: Path, monkeypatch: pytest.MonkeyPatch) -> runs.RunDir:
    """A sweep of two trials trained one by one (``--stack 1``), the first FAILED, the second
    stopped (Ctrl-C) after its epoch 1: its resume removes the first's folder and runs it
    again, and continues the second from its checkpoint."""
    from tests.conftest import interrupted_at_epoch

    real, calls = train_module.fit_group, [0]

    def failing_then_stopped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("boom")
        return interrupted_at_epoch(real, 1)(*args, **kwargs)

    with monkeypatch.context() as mp:
        mp.setattr(train_module, "fit_group", failing_then_stopped)
        made = invoke(*SWEEP, "--stack", "1")
        assert made.exit_code == 130, made.output
    (run,) = runs.iter_runs(root)
    return run


@pytest.mark.slow
def test_a_sweep_read_as_it_resumes_is_sound(root, monkeypatch):
    """A sweep's resume removes a FAILED trial's folder, to run it again, before its own
    meta.json says RUNNING: its files went one by one, and a reader of the sweep in between
    raised ('trials/<id>/meta.json: missing') or called the trial DAMAGED ('config.yaml:
    missing'). The folder is moved out of the readers' way first (``RunDir.remove``)."""
    run = stopped_sweep(root, monkeypatch)
    with recording(root, monkeypatch) as states:
        made = invoke("sweep", "resume", run.path, "--jobs", "1", "-q")
        assert made.exit_code == 0, made.output
    meta = str(Path(run.id) / "meta.json")
    reopened = next(i for i, state in enumerate(states) if state[meta] != states[0][meta])
    check_every_point(root, states[: reopened + 1], modes=("step",), last=1)


@pytest.mark.slow
@exhaustive
def test_a_sweep_resumed_read_at_every_point_is_sound(root, monkeypatch):
    run = stopped_sweep(root, monkeypatch)
    with recording(root, monkeypatch) as states:
        made = invoke("sweep", "resume", run.path, "--jobs", "1", "-q")
        assert made.exit_code == 0, made.output
    check_every_point(root, states, modes=("end", "step"))


@pytest.mark.slow
@exhaustive
def test_a_tune_read_at_every_point_is_sound(root, monkeypatch):
    with recording(root, monkeypatch) as states:
        made = invoke("tune", "cfg.yaml", "optimizer.lr=loguniform:1e-3:1", "--trials", "1",
                      "--rounds", "2", "--epochs", "1", "-q")  # fmt: skip
        assert made.exit_code == 0, made.output
    check_every_point(root, states)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("landscape", "cfg.yaml", "--points", "3"), marks=exhaustive),
        ("lr-scan", "cfg.yaml", "--num", "2", "--epochs", "1"),
        ("compare-optimizers", "--optimizers", "sgd,adam", "--steps", "5"),
    ],
    ids=["landscape", "lr-scan", "compare-optimizers"],
)
def test_an_experiment_read_at_every_point_is_sound(root, monkeypatch, command):
    with recording(root, monkeypatch) as states:
        made = invoke(*command, "-q")
        assert made.exit_code == 0, made.output
    check_every_point(root, states, modes=("step", "each"))
