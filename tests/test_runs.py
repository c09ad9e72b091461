"""The run-folder contract: what a run writes, how runs are found, interrupting and resuming."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import socket
import sys
import time

import numpy as np
import pytest
import yaml

import nnlab.experiments.train as train_mod
from nnlab import __version__, process, runs
from nnlab.config import load_config, to_yaml
from nnlab.config_model import Config
from nnlab.errors import ConfigError, RunError
from nnlab.experiments.listing import list_runs
from nnlab.experiments.train import resume_training, run_training
from nnlab.process import start_mark
from nnlab.runs import RunDir, atomic_write, dumps, find_run, iter_runs, make_folder
from tests.conftest import fake_run

SMALL = ["name=small", "model.hidden=[30]", "dataset.n_train=300", "epochs=4", "batch_size=50"]
# an optimizer with state, BatchNorm buffers and dropout: everything a checkpoint must carry
STATEFUL = [
    *SMALL,
    "optimizer.name=adam",
    "optimizer.lr=0.01",
    "model.batchnorm=true",
    "model.dropout=0.2",
]
FILES = {
    "config.yaml",
    "meta.json",
    "metrics.jsonl",
    "checkpoint.npz",
    "summary.json",
    "summary.txt",
    "curves.png",
}


def without_seconds(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One completed run of SMALL (with two overrides recorded), shared by the read-only tests."""
    cfg = load_config(None, SMALL)
    root = tmp_path_factory.mktemp("runs")
    return cfg, run_training(cfg, runs_dir=root, overrides=["epochs=4", "name=small"])


# ----------------------------------------------------------------------------- folder contents
def test_run_folder_is_named_timestamp_name_short_id(finished):
    _, result = finished
    assert re.fullmatch(r"\d{8}-\d{6}-small-[0-9a-f]{6}", result.run.id)


def test_run_folder_holds_exactly_the_documented_files(finished):
    _, result = finished
    assert {p.name for p in result.run.path.iterdir()} == FILES  # no temp files left behind


def test_config_yaml_is_the_resolved_config(finished):
    cfg, result = finished
    text = result.run.file("config.yaml").read_text()
    assert text == to_yaml(cfg)
    assert set(yaml.safe_load(text)) == set(Config.model_fields)  # defaults filled in
    assert load_config(result.run.file("config.yaml")) == cfg


def test_meta_json_says_what_was_asked_and_what_happened(finished):
    cfg, result = finished
    meta = json.loads(result.run.file("meta.json").read_text())
    assert meta["status"] == "COMPLETED" and meta["run_id"] == result.run.id
    assert meta["seed"] == 0 and meta["name"] == "small"
    assert meta["overrides"] == ["epochs=4", "name=small"]
    assert isinstance(meta["argv"], list) and meta["argv"]
    assert meta["versions"]["nnlab"] == __version__ and meta["versions"]["numpy"] == np.__version__
    assert "python" in meta["versions"]
    # the BLAS and the kernels it chose for this CPU (another CPU's give other last digits)
    from threadpoolctl import threadpool_info

    # (numpy's own: a wheel's numpy.libs/; SciPy, which scikit-learn loads, has another)
    blas = next(
        i
        for i in threadpool_info()
        if i["user_api"] == "blas"
        and os.path.basename(os.path.dirname(i["filepath"])) == "numpy.libs"
    )
    assert meta["versions"]["blas"].startswith(f"{blas['internal_api']} {blas['version']}")
    if blas.get("architecture"):
        assert meta["versions"]["blas"].endswith(f"({blas['architecture']} kernels)")
    assert "git_commit" in meta and (
        meta["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", meta["git_commit"])
    )
    assert meta["host"] == socket.gethostname() and meta["pid"] == os.getpid()
    assert meta["pid_started"] == start_mark(os.getpid())
    assert meta["started"] <= meta["ended"]  # ISO 8601, same zone
    assert meta["epochs_done"] == 4 and len(meta["config_hash"]) == 8
    assert "digits" in meta["data_source"] and "train 300" in meta["data_source"]


def test_metrics_jsonl_is_one_json_record_per_epoch(finished):
    _, result = finished
    lines = result.run.file("metrics.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["epoch"] for r in records] == [0, 1, 2, 3, 4]
    assert records == result.records == result.run.metrics()


def test_summary_json_has_status_final_and_best_metrics(finished):
    _, result = finished
    summary = json.loads(result.run.file("summary.json").read_text())
    last = result.records[-1]
    assert summary["status"] == "COMPLETED" and summary["epochs"] == 4
    assert summary["final_loss"] == last["loss"] and summary["final_test_acc"] == last["test_acc"]
    assert summary["best_test_acc"] == max(r["test_acc"] for r in result.records)
    assert summary["best_train_loss"] == min(r["train_loss"] for r in result.records)
    assert summary["steps"] == last["steps"] == 24
    assert summary["seconds"] == pytest.approx(sum(r["seconds"] for r in result.records))


def test_summary_txt_is_the_rendered_summary_table(finished):
    _, result = finished
    text = result.run.file("summary.txt").read_text()
    assert f"{result.run.id}: COMPLETED after 4 epochs" in " ".join(text.split())  # title may wrap
    for row in ("objective (train batches)", "train accuracy", "test loss"):
        assert row in text
    assert f"{result.summary['final_test_acc']:.4f}" in text


def test_curves_png_is_a_png(finished):
    _, result = finished
    assert result.run.file("curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_checkpoint_is_a_pickle_free_npz_of_the_last_epoch(finished):
    _, result = finished
    with np.load(result.run.file("checkpoint.npz"), allow_pickle=False) as data:
        assert int(data["epoch"]) == 4
        assert {"param/affine1.W", "param/affine2.b", "rngs"} <= set(data.files)


def test_config_and_data_errors_create_no_folder(tmp_path):
    cfg = load_config(None, [*SMALL, "batch_size=301"])
    with pytest.raises(ConfigError, match="batch_size: 301 is larger than the training split"):
        run_training(cfg, runs_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_crash_marks_the_run_failed(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(train_mod, "fit_group", broken)
    with pytest.raises(ValueError):
        run_training(load_config(None, SMALL), runs_dir=tmp_path)
    (run,) = iter_runs(tmp_path)
    assert run.meta["status"] == "FAILED" and run.meta["error"] == "ValueError: boom"
    assert run.meta["ended"] is not None


# ----------------------------------------------------------------------------- files, records
def test_atomic_write_replaces_the_file_and_leaves_no_temp(tmp_path):
    atomic_write(tmp_path / "a.txt", "one")
    atomic_write(tmp_path / "a.txt", b"two")
    assert (tmp_path / "a.txt").read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_dumps_writes_non_finite_numbers_as_null():
    text = dumps({"a": float("nan"), "b": [float("inf"), np.float32(1.5)], "c": np.arange(2)})
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "c": [0, 1]}


def test_metrics_ignores_a_torn_last_line_and_truncate_keeps_earlier_epochs(tmp_path):
    run = fake_run(tmp_path, "x", "INTERRUPTED")  # (one that ended COMPLETED has no torn end)
    for epoch in range(4):
        run.append_metric({"epoch": epoch, "loss": float(epoch)})
    with open(run.file("metrics.jsonl"), "a") as f:
        f.write('{"epoch": 4, "lo')  # a kill mid-write
    assert [r["epoch"] for r in run.metrics()] == [0, 1, 2, 3]
    assert [r["epoch"] for r in run.truncate_metrics(2)] == [0, 1, 2]
    assert [r["epoch"] for r in run.metrics()] == [0, 1, 2]
    assert run.file("metrics.jsonl").read_text().endswith("}\n")


def test_creating_an_existing_folder_is_an_error(tmp_path):
    with runs.start(tmp_path, "x", "train", folder="same"):
        pass
    with pytest.raises(RunError, match="already exists"):
        make_folder(tmp_path, "x", folder="same")
    (tmp_path / "empty").mkdir()  # (a user's, empty: refused too, not replaced)
    with pytest.raises(RunError, match="already exists"):
        make_folder(tmp_path, "x", folder="empty")


def test_a_free_name_is_made_nothing_of_until_its_folder_is_founded_whole(tmp_path):
    """A kill -9 between the name's empty folder (made to hold it) and the founding that
    removed it left that empty folder, which ``runs show`` and a resume called 'a folder, but
    no run folder' (1 of 20 SIGKILLs to ``train``): nothing is made at the name until the whole
    folder is renamed there, and a folder made there meanwhile refuses the founding."""
    run = make_folder(tmp_path / "new", "x", folder="same")
    life = runs.start(tmp_path / "new", "x", "train", folder="other")
    assert not run.path.exists() and not (tmp_path / "new").exists()
    (tmp_path / "new" / "other").mkdir(parents=True)  # (made meanwhile, even empty: kept)
    with pytest.raises(RunError, match="other: run folder already exists"):
        with life:
            pass
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["other"]


def test_a_running_run_whose_process_is_gone_is_stale(tmp_path):
    run = fake_run(tmp_path, "x", "RUNNING")
    assert run.status == "RUNNING"  # this process
    run = fake_run(tmp_path, "x", "RUNNING", pid=2**22 + 12345)  # above pid_max's default
    assert run.status == "STALE" and run.meta["status"] == "RUNNING"
    run = fake_run(tmp_path, "x", "RUNNING", pid=2**22 + 12345, host="another-host")
    assert run.status == "RUNNING"  # can't tell for another machine


def test_a_summary_says_the_status_its_folder_ends_with_and_readers_see_the_folders(tmp_path):
    # (an lr-scan, landscape, tune or activations run writes summary.json as COMPLETED, then
    # draws its figures: interrupted then, or killed, its summary said COMPLETED of a run that
    # was INTERRUPTED or STALE, in runs show and in the report)
    from nnlab import runs

    with pytest.raises(KeyboardInterrupt), runs.start(tmp_path, "x", "lr-scan") as life:
        life.run.write_json("summary.json", {"status": "COMPLETED", "rows": []})
        raise KeyboardInterrupt
    assert life.run.status == "INTERRUPTED"
    assert life.run.read_json("summary.json") == {"status": "INTERRUPTED", "rows": []}

    killed = fake_run(tmp_path, "killed", "RUNNING", pid=2**22 + 12345)  # (its process gone)
    killed.write_json("summary.json", {"status": "COMPLETED", "rows": []})
    assert killed.summary()["status"] == "STALE" == killed.status


def test_a_folder_whose_children_have_not_all_ended_is_interrupted_not_completed(tmp_path):
    # (a sweep whose trial stopped at its STOP file ended COMPLETED, or FAILED as end_as
    # chose with a trial FAILED beside it: only FAILED trials changed a sweep's status)
    from nnlab import runs

    children = {"a": "COMPLETED", "b": "FAILED", "c": "INTERRUPTED", "d": "PENDING"}
    seen = []
    with pytest.raises(runs.Unfinished, match="2 of 4 trials not ended, e.g. c INTERRUPTED"):
        with runs.start(tmp_path, "x", "sweep") as life:
            life.on_end(seen.append)
            life.children(lambda: children)
            life.end_as("FAILED", error="1 of 4 trials FAILED")
    assert seen == ["INTERRUPTED"] and life.run.status == "INTERRUPTED"
    assert "error" not in life.run.meta

    children.update(c="DIVERGED", d="COMPLETED")  # every child ended: the driver's choice
    with runs.start(tmp_path, "y", "sweep") as life:
        life.children(lambda: children)
        life.end_as("FAILED", error="1 of 4 trials FAILED")
    assert life.run.status == "FAILED" and life.run.meta["error"] == "1 of 4 trials FAILED"


def test_a_running_run_whose_process_was_killed_but_not_yet_collected_is_stale(tmp_path):
    # (a zombie: kill(pid, 0) succeeds until its parent waits, and a run killed with
    # SIGKILL read RUNNING, its --resume refused as "still RUNNING", until then)
    import signal
    import subprocess
    import sys

    from nnlab.process import start_mark

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        mark = start_mark(child.pid)
        run = fake_run(tmp_path, "x", "RUNNING", pid=child.pid, pid_started=mark)
        assert run.status == "RUNNING"
        os.kill(child.pid, signal.SIGKILL)
        for _ in range(200):  # (the kill lands; the child stays a zombie: nobody waits yet)
            if run.status == "STALE":
                break
            time.sleep(0.01)
        assert run.status == "STALE" and os.waitpid(child.pid, os.WNOHANG)[0] == child.pid
    finally:
        child.kill()
        child.wait()


def test_a_running_run_whose_pid_another_process_got_since_is_stale(tmp_path):
    # A run killed by SIGKILL (or a power loss) whose pid the system later gave to an
    # unrelated process read RUNNING for ever: the pid alone was the liveness check.
    from nnlab.process import start_mark

    mark = start_mark(os.getpid())
    assert mark is not None  # (Linux: /proc says when a process started)
    boot, ticks = mark.rsplit(":", 1)
    for other in (f"{boot}:{int(ticks) - 1}", f"another-boot:{ticks}"):
        run = fake_run(tmp_path, "x", "RUNNING", pid_started=other)  # this live pid, later
        assert run.status == "STALE" and run.meta["status"] == "RUNNING"
    assert fake_run(tmp_path, "x", "RUNNING", pid_started=mark).status == "RUNNING"
    assert fake_run(tmp_path, "x", "RUNNING").status == "RUNNING"  # (none recorded: older folders)
    assert fake_run(tmp_path, "x", "RUNNING", pid_started=None).status == "RUNNING"


def test_a_pid_whose_start_cannot_be_read_is_checked_by_the_pid_alone(tmp_path, monkeypatch):
    from nnlab import process

    monkeypatch.setattr(process, "start_mark", lambda pid: None)  # (no /proc: not Linux)
    run = fake_run(tmp_path, "x", "RUNNING", pid_started="some-boot:123")
    assert run.status == "RUNNING"
    run = fake_run(tmp_path, "x", "RUNNING", pid=2**22 + 12345, pid_started="some-boot:123")
    assert run.status == "STALE"


def test_start_mark_reads_a_command_name_with_spaces_and_parentheses(monkeypatch):
    import builtins
    import io

    from nnlab import process

    stat = b"42 (a) b (c) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 1 0\n"
    files = {"/proc/42/stat": stat, "/proc/sys/kernel/random/boot_id": b"boot-1\n"}
    real_open = builtins.open

    def fake_open(name, mode="r", *args, **kwargs):
        if name in files:
            data = files[name]
            return io.BytesIO(data) if "b" in mode else io.StringIO(data.decode())
        return real_open(name, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    assert process.start_mark(42) == "boot-1:987654"


def test_unreadable_meta_is_one_error_naming_the_file(tmp_path):
    run = fake_run(tmp_path, "x")
    run.file("meta.json").write_text("{not json")
    with pytest.raises(RunError, match=r"meta.json: not valid JSON"):
        run.meta  # noqa: B018


# ----------------------------------------------------------------------------- finding runs
@pytest.fixture
def three_runs(tmp_path):
    names = ["20250101-000000-a-111111", "20250102-000000-b-222222", "20250102-000000-b-333333"]
    for i, folder in enumerate(names):
        fake_run(tmp_path, folder, name=folder.split("-")[2], started=f"2025-01-0{i + 1}T00:00:00")
    (tmp_path / "not-a-run").mkdir()  # no meta.json: ignored
    return tmp_path


def test_iter_runs_lists_run_folders_oldest_first(three_runs):
    assert [r.id[:10] for r in iter_runs(three_runs)] == ["20250101-0", "20250102-0", "20250102-0"]
    assert list(iter_runs(three_runs / "missing")) == []


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("latest", "20250102-000000-b-333333"),
        ("20250101", "20250101-000000-a-111111"),
        ("20250102-000000-b-2", "20250102-000000-b-222222"),
        ("333333", "20250102-000000-b-333333"),  # the short id alone
    ],
)
def test_find_run_by_latest_prefix_or_short_id(three_runs, ref, expected):
    assert find_run(three_runs, ref).id == expected


def test_find_run_by_path(three_runs, tmp_path_factory):
    path = three_runs / "20250101-000000-a-111111"
    assert find_run(tmp_path_factory.mktemp("elsewhere"), str(path)).path == path


def test_find_run_ambiguous_and_unknown_are_one_line_errors(three_runs):
    with pytest.raises(
        RunError, match=r"run '20250102': ambiguous, matches 2 runs \(20250102-000000-b-222222, "
    ):
        find_run(three_runs, "20250102")
    with pytest.raises(RunError, match=r"run 'zzz': no run folder under .* matches"):
        find_run(three_runs, "zzz")
    # (a sweep's trial as '<outer>/<trial>' of an ambiguous outer part said "no such folder")
    with pytest.raises(
        RunError,
        match=r"run '20250102/abcd': ambiguous, '20250102' matches 2 runs \(20250102-000000-b-222222, ",
    ):
        find_run(three_runs, "20250102/abcd")
    with pytest.raises(RunError, match="no runs yet"):
        find_run(three_runs / "empty", "latest")


def test_latest_of_a_kind_the_folder_has_none_of_names_the_kinds_it_has(tmp_path):
    """``landscape latest`` (a train run) in a folder of two scans and a sweep said 'no runs
    yet', as of an empty folder; it says what the folder holds, which 'latest' does not name."""
    fake_run(tmp_path, "20250101-000000-scan-aaaaaa", kind="lr-scan")
    fake_run(tmp_path, "20250101-000001-scan-bbbbbb", kind="lr-scan")
    fake_run(tmp_path, "20250101-000002-cmp-cccccc", kind="compare-optimizers")
    with pytest.raises(RunError) as caught:
        find_run(tmp_path, "latest", "train")
    assert str(caught.value) == (
        f"{tmp_path}: no train folders yet (it holds only 1 compare-optimizers folder, "
        "2 lr-scan folders, which 'latest' does not name here)"
    )
    assert find_run(tmp_path, "latest", "lr-scan").id == "20250101-000001-scan-bbbbbb"


def test_a_file_of_a_run_folder_given_as_the_run_is_told_to_give_the_folder(three_runs):
    # (runs/<run>/config.yaml, the path a shell's TAB gives: "'config.yaml' names no folder
    # inside runs/<run> (give a trial's id, or a round's name)", as of a sweep's trial)
    run = three_runs / "20250101-000000-a-111111"
    (run / "config.yaml").write_text("epochs: 1\n")
    for ref in (f"{run}/config.yaml", f"{run}/meta.json"):
        with pytest.raises(RunError) as info:
            find_run(three_runs, ref)
        assert str(info.value) == f"run {ref!r}: a file of the folder {run}; give the folder"
    with pytest.raises(RunError, match="'nope' names no folder inside"):  # (no file: as before)
        find_run(three_runs, f"{run.name}/nope")
    with pytest.raises(RunError, match=f"a file of the folder {run}; give the folder"):
        find_run(three_runs, f"{run.name}/config.yaml")  # (relative to the runs folder)


@pytest.mark.parametrize("ref", ["lates", "Latest", "lastest", "last"])
def test_a_misspelt_latest_is_answered_with_latest(three_runs, ref):
    # (it was looked up as an id prefix: 'no run folder ... matches (try nnlab runs list)')
    with pytest.raises(RunError) as info:
        find_run(three_runs, ref)
    assert str(info.value).endswith("matches (did you mean 'latest'?)")


def test_an_ambiguous_reference_lists_five_runs_and_says_there_are_more(tmp_path):
    for i in range(6):
        fake_run(tmp_path, f"20250101-00000{i}-x-aaaaa{i}")
    with pytest.raises(RunError, match=r"matches 6 runs \(([^,]+, ){4}[^,]+, \.\.\.\)"):
        find_run(tmp_path, "2025")


def test_list_runs_has_one_row_per_run(finished):
    _, result = finished
    (row,) = list_runs(result.run.path.parent)
    assert row["run"] == result.run.id and row["status"] == "COMPLETED" and row["epochs_done"] == 4
    assert row["final_test_acc"] == result.summary["final_test_acc"]


# ----------------------------------------------------------------------------- interrupt, resume
def interrupt_at(epoch: int):
    def progress(record, cfg):
        if record["epoch"] == epoch:
            raise KeyboardInterrupt

    return progress


@pytest.fixture(params=[0.0, 1e9], ids=["checkpoint-every-epoch", "checkpoint-at-epoch-0-only"])
def checkpoint_every(request, monkeypatch):
    """Checkpoint spacing: every epoch, or (as in a fast run) only at epoch 0 and the end."""
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", request.param)
    return request.param


def test_keyboard_interrupt_leaves_a_consistent_interrupted_folder(tmp_path, checkpoint_every):
    cfg = load_config(None, STATEFUL)
    with pytest.raises(KeyboardInterrupt):
        run_training(cfg, runs_dir=tmp_path, progress=interrupt_at(2), folder="cut")
    run = RunDir(tmp_path / "cut")
    assert run.meta["status"] == "INTERRUPTED" and run.meta["epochs_done"] == 2
    assert run.meta["ended"] is not None
    assert [r["epoch"] for r in run.metrics()] == [0, 1, 2]
    assert run.load_checkpoint()[0] == (2 if checkpoint_every == 0 else 0)
    assert json.loads(run.file("summary.json").read_text())["status"] == "INTERRUPTED"
    summary_txt = " ".join(run.file("summary.txt").read_text().split())
    assert f"INTERRUPTED after 2 of {cfg.epochs} epochs" in summary_txt  # (of those planned)
    assert not any(p.name.startswith(".") for p in run.path.iterdir())


def test_a_second_stop_signal_while_a_folder_that_could_not_start_is_removed_leaves_none(
    tmp_path, monkeypatch
):
    # A sweep worker signalled by its process group (timeout -s TERM), then terminated by its
    # sweep, took the second SIGTERM while it removed the trial folder the first had stopped
    # from starting: an empty trial folder was left.
    import shutil
    import signal

    from nnlab import process, runs

    def stopped(run: RunDir) -> None:  # (the first signal, as the folder is claimed)
        raise KeyboardInterrupt

    rmtree = shutil.rmtree

    def rmtree_signalled_again(path, ignore_errors=False):
        signal.raise_signal(signal.SIGINT)
        rmtree(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(process, "claim", stopped)  # (a founding claims its hidden folder)
    monkeypatch.setattr(runs.shutil, "rmtree", rmtree_signalled_again)
    with pytest.raises(KeyboardInterrupt), runs.start(tmp_path, "cut", "train"):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("first", ["interrupt", "error"])
def test_a_second_stop_signal_while_the_end_is_recorded_is_not_reported_as_unrecorded(
    tmp_path, monkeypatch, first
):
    """``timeout`` signals the command and then its process group. The second signal, arriving
    while the first one's INTERRUPTED was written, made the command say it could not record
    the status it had just written. Now the write is finished first; after an interrupt the
    second one adds nothing, after a failure (recorded FAILED) it ends the command."""
    import signal

    from nnlab import runs

    write = runs._write_status

    def write_signalled_again(run, status, fields):
        signal.raise_signal(signal.SIGINT)
        write(run, status, fields)

    monkeypatch.setattr(runs, "_write_status", write_signalled_again)
    error = KeyboardInterrupt() if first == "interrupt" else RuntimeError("boom")
    with pytest.raises(KeyboardInterrupt) as caught:
        with runs.start(tmp_path, "cut", "train") as life:
            raise error
    run = life.run
    assert run.meta["status"] == ("INTERRUPTED" if first == "interrupt" else "FAILED")
    if first == "interrupt":
        assert caught.value is error and error.nnlab_status == "INTERRUPTED"
        assert not hasattr(error, "nnlab_unrecorded")
    else:
        assert error.nnlab_status == "FAILED" and "boom" in run.meta["error"]


@pytest.mark.parametrize("when", ["as the write ends", "after the write"])
def test_a_stop_signal_as_a_resume_marks_the_folder_running_leaves_it_interrupted(
    tmp_path, monkeypatch, when
):
    # SIGTERM at a random time during `train --resume` once left the folder RUNNING: a signal
    # in the RUNNING write (deferred to its end) came out of the lifecycle's start, which let
    # go of the folder without recording how it ended.
    import signal

    from nnlab.signals import deferred

    cfg = load_config(None, STATEFUL)
    straight = run_training(cfg, runs_dir=tmp_path, plot=False, folder="straight")
    with pytest.raises(KeyboardInterrupt):
        run_training(cfg, runs_dir=tmp_path, progress=interrupt_at(2), folder="cut")
    run = RunDir(tmp_path / "cut")
    write = RunDir.write_json

    def signalled(self, name, obj):
        if name != "meta.json" or obj.get("status") != "RUNNING":
            return write(self, name, obj)
        if when == "after the write":
            out = write(self, name, obj)
            signal.raise_signal(signal.SIGTERM)
            return out
        with deferred():  # (as the atomic write defers a signal that comes while it writes)
            signal.raise_signal(signal.SIGTERM)
            return write(self, name, obj)

    monkeypatch.setattr(RunDir, "write_json", signalled)
    with pytest.raises(KeyboardInterrupt) as caught:
        resume_training(run, plot=False)
    monkeypatch.undo()
    assert run.meta["status"] == "INTERRUPTED" and run.status == "INTERRUPTED"
    assert caught.value.nnlab_status == "INTERRUPTED" and caught.value.nnlab_run == run.path
    assert str(run.path.resolve()) not in process._claims  # (let go of: a next resume takes it)
    resumed = resume_training(run, plot=False)
    assert without_seconds(resumed.run.metrics()) == without_seconds(straight.run.metrics())


def test_a_stop_signal_as_a_new_folder_is_marked_running_leaves_no_folder(tmp_path, monkeypatch):
    import signal

    from nnlab import runs

    write = RunDir.write_json

    def signalled(self, name, obj):
        out = write(self, name, obj)
        signal.raise_signal(signal.SIGTERM)
        return out

    monkeypatch.setattr(RunDir, "write_json", signalled)
    with pytest.raises(KeyboardInterrupt), runs.start(tmp_path, "cut", "train"):
        pass
    assert list(tmp_path.iterdir()) == []
    assert not any(k.startswith(str(tmp_path.resolve())) for k in process._claims)


def test_a_folder_has_what_its_resume_reads_before_it_is_running(tmp_path):
    # (a sweep or a landscape stopped right after its folder was marked RUNNING, before it wrote
    # its plan, said "continue with: nnlab ... --resume", which then refused the folder: no
    # sweep.yaml, no landscape.h5)
    import signal

    from nnlab import runs

    def h5(path):
        path.write_bytes(b"plan")

    files = {"sweep.yaml": "a: 1\n", "tune.json": {"rounds": []}, "x.h5": h5}
    with runs.start(tmp_path / "ok", "s", "sweep", files=files) as life:
        assert life.run.file("sweep.yaml").read_text() == "a: 1\n"
        assert json.loads(life.run.file("tune.json").read_text()) == {"rounds": []}
        assert life.run.file("x.h5").read_bytes() == b"plan"
        assert life.run.meta["status"] == "RUNNING"

    def signalled(path):  # (a stop signal while the plan is written: held until it is whole)
        signal.raise_signal(signal.SIGTERM)
        path.write_bytes(b"plan")

    with pytest.raises(KeyboardInterrupt), runs.start(tmp_path / "cut", "s", "sweep",
                                                      files={"x.h5": signalled}):  # fmt: skip
        raise AssertionError("the block does not run")
    assert list((tmp_path / "cut").iterdir()) == []  # (nothing to resume: no folder)

    def full(path):
        raise OSError(28, "No space left on device", str(path))

    with pytest.raises(OSError, match="No space"), runs.start(tmp_path / "full", "s", "sweep",
                                                              files={"x.h5": full}):  # fmt: skip
        pass
    assert list((tmp_path / "full").iterdir()) == []


def test_resume_after_an_interrupt_ends_with_the_uninterrupted_metrics(tmp_path, checkpoint_every):
    cfg = load_config(None, STATEFUL)
    straight = run_training(cfg, runs_dir=tmp_path, plot=False, folder="straight")
    with pytest.raises(KeyboardInterrupt):
        run_training(cfg, runs_dir=tmp_path, progress=interrupt_at(2), folder="cut")
    meta = json.loads((tmp_path / "cut" / "meta.json").read_text())
    meta["pid_started"] = "an-earlier-boot:1"  # (as if made by a process before a reboot)
    atomic_write(tmp_path / "cut" / "meta.json", json.dumps(meta))
    resumed = resume_training(RunDir(tmp_path / "cut"), plot=False)
    assert resumed.run.meta["pid_started"] == start_mark(os.getpid())  # (the resume's process)
    assert resumed.status == "COMPLETED"
    assert without_seconds(resumed.run.metrics()) == without_seconds(straight.run.metrics())
    meta = resumed.run.meta
    assert meta["status"] == "COMPLETED"
    assert [r["from_epoch"] for r in meta["resumes"]] == [2 if checkpoint_every == 0 else 0]
    drop = {"seconds", "resume_seconds"}
    assert {k: v for k, v in resumed.summary.items() if k not in drop} == {
        k: v for k, v in straight.summary.items() if k not in drop
    }


def test_resume_without_a_checkpoint_starts_over_in_the_same_folder(tmp_path):
    cfg = load_config(None, STATEFUL)
    straight = run_training(cfg, runs_dir=tmp_path, plot=False, folder="straight")
    with pytest.raises(KeyboardInterrupt):
        run_training(cfg, runs_dir=tmp_path, progress=interrupt_at(1), folder="cut")
    run = RunDir(tmp_path / "cut")
    run.file("checkpoint.npz").unlink()  # as if killed before the first checkpoint landed
    resumed = resume_training(run, plot=False)
    assert without_seconds(resumed.run.metrics()) == without_seconds(straight.run.metrics())


def test_a_resume_removes_the_temp_files_a_writer_killed_mid_write_left(tmp_path):
    # (kill -9 as a file is written leaves its .<name>.<8 characters>.tmp beside it: a
    # resumed folder kept them, one more with every kill, beside the files nnlab writes)
    cfg = load_config(None, STATEFUL)
    straight = run_training(cfg, runs_dir=tmp_path, plot=False, folder="straight")
    with pytest.raises(KeyboardInterrupt):
        run_training(cfg, runs_dir=tmp_path, progress=interrupt_at(2), folder="cut")
    run = RunDir(tmp_path / "cut")
    left = [".checkpoint.npz.k2_9xq0a.tmp", ".meta.json.AbC12345.tmp"]
    kept = [".notes.tmp", "mine.tmp", ".meta.json.short.tmp"]  # (not a writer's temp file)
    for name in left + kept:
        run.file(name).write_text("torn")
    resumed = resume_training(run, plot=False)
    assert not any(run.file(name).exists() for name in left)
    assert all(run.file(name).exists() for name in kept)
    assert without_seconds(resumed.run.metrics()) == without_seconds(straight.run.metrics())


def test_an_interrupt_inside_an_epoch_resumes_from_the_last_finished_epoch(tmp_path, monkeypatch):
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    cfg = load_config(None, STATEFUL)
    straight = run_training(cfg, runs_dir=tmp_path, plot=False, folder="straight")
    import nnlab.build as loop

    original = loop.build_model
    calls = {"n": 0}

    def counting_model(*args, **kwargs):
        model = original(*args, **kwargs)
        step = model.loss_and_grads

        def loss_and_grads(*a, **k):
            calls["n"] += 1
            if calls["n"] == 15:  # the 3rd batch of epoch 3 (6 batches per epoch)
                raise KeyboardInterrupt
            return step(*a, **k)

        model.loss_and_grads = loss_and_grads
        return model

    monkeypatch.setattr(loop, "build_model", counting_model)
    with pytest.raises(KeyboardInterrupt):
        run_training(cfg, runs_dir=tmp_path, plot=False, folder="cut")
    monkeypatch.setattr(loop, "build_model", original)
    run = RunDir(tmp_path / "cut")
    assert run.meta["status"] == "INTERRUPTED" and run.load_checkpoint()[0] == 2
    resumed = resume_training(run, plot=False)
    assert without_seconds(resumed.run.metrics()) == without_seconds(straight.run.metrics())


def test_a_resume_trains_with_the_blas_threads_the_run_started_with(tmp_path, monkeypatch):
    # `train --threads 2` (or a large net on every core) interrupted and resumed without
    # --threads went on with the default's count (1 for this small net): OpenBLAS adds a
    # product's terms in another order with another count, and the resumed run's numbers were
    # not the uninterrupted run's. meta.json records the count; a resume uses it.
    import threadpoolctl

    limits: list[int] = []
    real = threadpoolctl.threadpool_limits

    def recorded(limits_=None, **kwargs):
        limits.append(kwargs.get("limits", limits_))
        return real(limits=kwargs.get("limits", limits_))

    monkeypatch.setattr(threadpoolctl, "threadpool_limits", recorded)
    cfg = load_config(None, STATEFUL)
    with pytest.raises(KeyboardInterrupt):
        run_training(cfg, runs_dir=tmp_path, progress=interrupt_at(2), folder="cut", threads=2)
    run = RunDir(tmp_path / "cut")
    resume_training(run, plot=False)
    assert limits == [2, 2]
    assert run.meta["blas_threads"] == 2 and run.meta["resumes"][-1]["blas_threads"] == 2
    resume_from_start = run_training(cfg, runs_dir=tmp_path, plot=False)  # (the default: 1)
    assert resume_from_start.run.meta["blas_threads"] == 1 and limits[-1] == 1


@pytest.mark.parametrize(
    ("epochs", "more"),
    [(4, []), (1, []), (4, ["optimizer.name=adam", "model.batchnorm=true"])],
    ids=["before-the-last-epoch", "at-the-last-epoch", "batchnorm"],
)
def test_a_run_stopped_as_it_records_its_divergence_resumes_to_the_same_divergence(
    tmp_path, monkeypatch, epochs, more
):
    # A run interrupted (or killed) after the record of the epoch it diverged in, before its
    # status said DIVERGED, resumed from a checkpoint of that very epoch: it trained on past
    # the divergence (a record of epoch 2, diverged_epoch 2) or, diverged in its last epoch,
    # ended COMPLETED; with BatchNorm, whose running statistics the failing step had made
    # NaN, the resume was refused as DAMAGED (and a sweep holding such a trial with it). No
    # checkpoint is written at a divergence now: the resume replays from the one before and
    # diverges where the run did.
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)  # every epoch
    over = ["optimizer.name=sgd", "optimizer.lr=1e20", f"epochs={epochs}", *more]
    cfg = load_config(None, [*SMALL, *over])
    straight = run_training(cfg, runs_dir=tmp_path, plot=False, folder="straight")
    assert straight.status == "DIVERGED" and straight.summary["diverged_epoch"] == 1

    def stopped_while_finishing(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(train_mod, "_finish", stopped_while_finishing)
        with pytest.raises(KeyboardInterrupt):
            run_training(cfg, runs_dir=tmp_path, plot=False, folder="cut")
    run = RunDir(tmp_path / "cut")
    assert run.meta["status"] == "INTERRUPTED" and run.load_checkpoint()[0] == 0
    resumed = resume_training(run, plot=False)
    assert resumed.status == "DIVERGED" and run.meta["status"] == "DIVERGED"
    assert without_seconds(run.metrics()) == without_seconds(straight.run.metrics())
    assert resumed.summary["diverged_epoch"] == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [("COMPLETED", "already COMPLETED"), ("DIVERGED", "DIVERGED; resuming would diverge again")],
)
def test_resume_refuses_finished_runs(finished, status, message, tmp_path):
    run = fake_run(tmp_path, "x", status)
    run.write_text("config.yaml", finished[1].run.file("config.yaml").read_text())
    with pytest.raises(RunError, match=message):
        resume_training(run)


def test_resume_refuses_a_run_that_is_still_running(tmp_path):
    run = fake_run(tmp_path, "x", "RUNNING")  # in this (live) process
    with pytest.raises(RunError, match="still RUNNING"):
        resume_training(run)


def test_runs_compare_shows_a_run_named_twice_once(tmp_path):
    # (runs compare X X, or latest latest, printed the run's row twice)
    from nnlab.experiments.compare import compare_runs

    run = run_training(
        load_config(None, ["epochs=1", "dataset.n_train=200"]), runs_dir=tmp_path, plot=False
    )
    once = compare_runs([str(run.run.path)], tmp_path)
    twice = compare_runs([str(run.run.path), "latest", run.run.id], tmp_path)
    assert twice[0] == once[0] and len(twice[0]) == 1


def test_a_root_inside_a_trial_folder_names_the_outermost_run_and_a_runs_folder(tmp_path):
    # (the innermost run folder was named and its parent, the sweep's trials/, was suggested:
    # a folder inside another run, itself refused)
    from nnlab.runs import check_new_root

    sweep = tmp_path / "runs" / "sweep"
    trial = sweep / "trials" / "t1"
    trial.mkdir(parents=True)
    for folder, kind in ((sweep, "sweep"), (trial, "train")):
        (folder / "meta.json").write_text(json.dumps({"run_id": folder.name, "kind": kind}))
    with pytest.raises(ConfigError) as caught:
        check_new_root(trial / "x")
    assert f"inside the run folder '{sweep}'" in str(caught.value)
    assert f"(e.g. '{tmp_path / 'runs'}')" in str(caught.value)


def test_a_meta_json_of_another_programs_is_no_run_folder(tmp_path):
    # (a project whose root holds a meta.json of its own could not keep runs/ in it)
    from nnlab.runs import check_new_root, made_by_nnlab

    (tmp_path / "meta.json").write_text('{"name": "my web app"}')
    assert not made_by_nnlab(tmp_path)
    check_new_root(tmp_path / "runs")  # (no error)
    (tmp_path / "sweep.yaml").write_text("trials: []\n")  # (a file only a run folder has)
    assert made_by_nnlab(tmp_path)


def test_the_library_refuses_a_new_run_or_sweep_inside_a_run_folder(tmp_path):
    # (the command line refused it; a Python caller of run_training / run_sweep made it)
    from nnlab.sweep import run_sweep
    from nnlab.sweep.source import sweep_from_file

    cfg = load_config(None, [*SMALL, "epochs=1"])
    done = run_training(cfg, runs_dir=tmp_path, plot=False).run
    with pytest.raises(ConfigError, match="inside the run folder"):
        run_training(cfg, runs_dir=done.path / "sub", plot=False)
    path = tmp_path / "cfg.yaml"
    path.write_text(to_yaml(cfg))
    defn = sweep_from_file(path, ["optimizer.lr=0.1,0.01"], kind="grid")
    with pytest.raises(ConfigError, match="is the run folder"):
        run_sweep(defn, runs_dir=done.path)
    assert sorted(p.name for p in done.path.iterdir() if p.is_dir()) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_whose_interrupt_lands_in_a_callback_interrupts_all_the_same(
    tmp_path, capfd, signum
):
    # (a SIGTERM taken inside a weakref or garbage-collection callback: Python printed
    # 'Exception ignored in ...' with a traceback and went on, and the run ended COMPLETED)
    class Collected:
        def __del__(self) -> None:
            os.kill(os.getpid(), signum)  # (the handler raises here, where Python cannot)

    hook, life = sys.unraisablehook, runs.start(tmp_path, "x", "train")
    with pytest.raises(KeyboardInterrupt), life:
        Collected()  # (dropped at once: its __del__ runs, the signal arrives inside it)
        time.sleep(10)  # (the signal again, from another thread: it interrupts the sleep)
    assert life.run.status == "INTERRUPTED"
    assert "Exception ignored" not in capfd.readouterr().err
    assert sys.unraisablehook is hook  # (put back as the block ends)


def test_latest_tilde_n_is_the_folder_n_before_the_newest_of_the_kind(tmp_path):
    for second, (name, kind) in enumerate([("b-old", "train"), ("a-mid", "sweep"),
                                           ("c-new", "train")]):  # fmt: skip
        fake_run(tmp_path, name, kind=kind, started=f"2025-01-01T00:00:0{second}.000+00:00")
    assert find_run(tmp_path, "latest~0").id == find_run(tmp_path, "latest").id == "c-new"
    # (by start, not by name; a fake sweep, without the plan a sweep has: found as damaged)
    assert find_run(tmp_path, "latest~1", damaged=True).id == "a-mid"
    assert find_run(tmp_path, "latest~1", kind="train").id == "b-old"
    with pytest.raises(RunError) as info:
        find_run(tmp_path, "latest~2", kind="train")
    assert str(info.value) == (
        f"run 'latest~2': the train folder 2 before the latest, but {tmp_path} holds only "
        "2 train folders"
    )
    with pytest.raises(RunError, match="did you mean 'latest'"):
        find_run(tmp_path, "latest~")


def test_an_error_on_a_stack_mates_file_says_whose_it_is(tmp_path):
    # (a full disk at one trial's checkpoint ends every net of its stack: the others recorded
    # the error naming a file of that trial's folder as if it were their own)
    from nnlab.sweep.trial import failed_rows

    trials = tmp_path / "sweep" / "trials"
    error = OSError(27, "File too large", str(trials / "aaaa" / "checkpoint.npz"))
    assert runs.error_in(trials / "aaaa", error) == f"{trials}/aaaa/checkpoint.npz: File too large"
    assert runs.error_in(trials / "bbbb", error) == (
        f"{trials}/aaaa/checkpoint.npz: File too large (in aaaa, a run that trained in one "
        "stack with it)"
    )
    assert runs.error_in(tmp_path / "elsewhere", error).endswith("File too large")
    assert runs.error_in(trials / "bbbb", ValueError("x")) == "ValueError: x"

    class Task:
        def __init__(self, trial_id):
            self.trial_id, self.values, self.seed, self.trials_dir = trial_id, {}, 0, str(trials)

    rows = failed_rows((Task("aaaa"), Task("bbbb")), error)
    assert ["(in aaaa" in row["error"] for row in rows] == [False, True]


@pytest.mark.parametrize(
    "errno_, code", [(errno.EIO, 1), (errno.ENOSPC, 1), (errno.EACCES, 2), (errno.EROFS, 2)]
)
def test_a_run_folder_the_device_fails_to_make_is_a_failure_not_bad_input(
    tmp_path, monkeypatch, errno_, code
):
    """An I/O error or a full disk as the run folder is made exited 2, the code of a bad
    config or usage: the device failed (exit 1, as a run that fails so); a permission or a
    read-only filesystem stays 2, a path the user can change."""
    from pathlib import Path

    from tests.conftest import invoke

    def failing(self, *args, **kwargs):
        raise OSError(errno_, os.strerror(errno_), str(self))

    monkeypatch.setattr(Path, "mkdir", failing)
    result = invoke("train", "configs/digits-quickstart.yaml", "epochs=1", runs_dir=tmp_path / "r")
    assert result.exit_code == code, result.output
    (line,) = result.stderr.splitlines()
    assert line.endswith(f"cannot create run folder: {os.strerror(errno_)}"), line


def test_an_error_of_nnlabs_own_is_recorded_as_its_line_without_its_class():
    """A sweep's trial whose folder could not be made (EIO, injected at a worker's mkdir)
    recorded 'DeviceError: .../7a113d71: cannot create run folder: Input/output error', the
    class's name before the line nnlab wrote to be read; any other error keeps its type."""
    from nnlab.errors import DeviceError

    said = "runs/x/trials/7a113d71: cannot create run folder: Input/output error"
    assert runs.describe_error(DeviceError(said)) == said
    assert runs.describe_error(ValueError("bad value")) == "ValueError: bad value"
