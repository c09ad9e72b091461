"""`nnlab train` and `nnlab runs list/show` through the CLI: output, exit codes, interrupt, resume."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

import nnlab.cli.train as cli_train
from nnlab import runs as runs_mod
from nnlab.config import load_config, to_yaml
from nnlab.runs import RunDir
from tests.conftest import RESUME, invoke, one_error_line

SMALL = """\
name: small
model: {hidden: [30]}
dataset: {name: digits, n_train: 300}
optimizer: {name: adam, lr: 0.01}
batch_size: 50
epochs: 3
"""


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


def only_run(runs_dir: Path) -> RunDir:
    (folder,) = [p for p in runs_dir.iterdir() if p.is_dir()]
    return RunDir(folder)


def without_seconds(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def train_runs(config: Path, runs_dir: Path, *overrides: str) -> RunDir:
    result = invoke("train", str(config), *overrides, "-q", runs_dir=runs_dir)
    assert result.exit_code == 0, result.output
    return sorted_runs(runs_dir)[-1]


def sorted_runs(runs_dir: Path) -> list[RunDir]:
    return sorted((RunDir(p) for p in runs_dir.iterdir()), key=lambda r: r.meta["started"] + r.id)


# ----------------------------------------------------------------------------- train
def test_train_prints_the_summary_table_and_progress_to_stderr(config, tmp_path):
    result = invoke("train", str(config), runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    run = only_run(tmp_path / "runs")
    assert "test accuracy" in result.stdout
    # (its title as summary.txt and runs show write it: it read '<id>: COMPLETED')
    title = result.stdout.splitlines()[0]
    assert title == f"{run.id}: COMPLETED after 3 epochs"
    assert run.file("summary.txt").read_text().splitlines()[0] == title
    assert "epoch" not in result.stdout.replace(title, "")  # progress is not a result
    assert "epoch   0/3" in result.stderr and "epoch   3/3  loss" in result.stderr
    # (it read 0.02s, then 0.02 s: now a duration readable at its scale, times.duration)
    assert re.search(r"  \d+(\.\d+)? m?s$", result.stderr.splitlines()[0])
    # (the figure named as a sweep's last line names it: train's named the folder alone)
    assert result.stderr.rstrip().endswith(f"run folder: {run.path}  (figure: curves.png)")
    assert run.meta["status"] == "COMPLETED" and run.meta["overrides"] == []


def test_quiet_train_prints_no_progress(config, tmp_path):
    result = invoke("train", str(config), "-q", runs_dir=tmp_path / "runs")
    assert result.exit_code == 0 and "epoch" not in result.stderr


def test_train_json_output_is_the_summary(config, tmp_path):
    result = invoke(
        "train", str(config), "epochs=2", "-q", "--format", "json", runs_dir=tmp_path / "runs"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    run = only_run(tmp_path / "runs")
    assert data["run"] == str(run.path) and data["status"] == "COMPLETED" and data["epochs"] == 2
    assert data["final_test_acc"] == run.metrics()[-1]["test_acc"]
    assert run.meta["overrides"] == ["epochs=2"]


def test_runs_dir_comes_from_the_environment(config, tmp_path, monkeypatch):
    monkeypatch.setenv("NNLAB_RUNS_DIR", str(tmp_path / "env-runs"))
    result = invoke("train", str(config), "epochs=1", "-q")
    assert result.exit_code == 0, result.output
    assert only_run(tmp_path / "env-runs").meta["status"] == "COMPLETED"


def test_print_config_prints_the_resolved_config_and_runs_nothing(config, tmp_path):
    result = invoke(
        "train",
        str(config),
        "optimizer.name=sgd",
        "epochs=7",
        "--print-config",
        runs_dir=tmp_path / "runs",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == to_yaml(load_config(config, ["optimizer.name=sgd", "epochs=7"]))
    printed = yaml.safe_load(result.stdout)
    assert printed["epochs"] == 7 and printed["optimizer"] == {"name": "sgd", "lr": 0.01}
    assert printed["model"]["activation"] == "relu"  # a default, filled in
    assert not (tmp_path / "runs").exists()


def test_train_without_a_config_is_a_usage_error(tmp_path):
    result = invoke("train", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2
    assert "give a config file" in result.stderr and "Traceback" not in result.output


def test_resume_with_a_config_is_a_usage_error(config, tmp_path):
    result = invoke("train", str(config), "--resume", "latest", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2 and "--resume takes no config" in result.stderr


def test_resume_with_overrides_says_how_to_train_the_runs_config_with_them(config, tmp_path):
    # (epochs=40 beside --resume, to train longer: it said only that --resume takes none)
    runs = tmp_path / "runs"
    assert invoke("train", str(config), "-q", runs_dir=runs).exit_code == 0
    (run,) = runs.iterdir()
    result = invoke("train", "--resume", "latest", "optimizer.lr=0.5", runs_dir=runs)
    assert result.exit_code == 2
    assert (
        "to train it with changes, start a new run of its config: nnlab train "
        f"{run}/config.yaml optimizer.lr=0.5 --runs-dir {runs} (see nnlab train -h)"
    ) in result.stderr
    longer = invoke("train", "--resume", "latest", "epochs=40", runs_dir=runs)  # (to train on)
    assert longer.exit_code == 2
    assert (
        f"to train it on to more epochs: nnlab train --extend {run} epochs=40 --runs-dir {runs}"
    ) in longer.stderr


# ----------------------------------------------------------------------------- runs list/show
@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, list[RunDir]]:
    """Two one-epoch runs (seeds 0 and 1), shared by the read-only runs list/show tests."""
    folder = tmp_path_factory.mktemp("two")
    config = folder / "small.yaml"
    config.write_text(SMALL)
    runs_dir = folder / "runs"
    for seed in (0, 1):
        assert (
            invoke(
                "train", str(config), f"seed={seed}", "epochs=1", "-q", runs_dir=runs_dir
            ).exit_code
            == 0
        )
    return runs_dir, sorted_runs(runs_dir)


def test_runs_list_csv_has_one_header_whatever_the_folders_hold(two_runs, tmp_path):
    # (a folder of STALE runs had no final_* columns, --kind sweep none either: a script read
    # its columns by name)
    header = invoke("runs", "list", "-f", "csv", runs_dir=two_runs[0]).stdout.splitlines()[0]
    runs_dir = tmp_path / "runs"  # (a copy: the fixture's folders are shared)
    shutil.copytree(two_runs[0], runs_dir)
    runs = [RunDir(runs_dir / r.path.name) for r in two_runs[1]]
    meta = runs[0].read_json("meta.json")
    runs_mod.write_json(runs[0].file("meta.json"), {**meta, "status": "RUNNING", "pid": 2**22 + 7})
    runs[1].file("summary.json").unlink()
    for args in ([], ["--kind", "sweep"]):
        result = invoke("runs", "list", "-f", "csv", *args, runs_dir=runs_dir)
        assert result.exit_code == 0 and result.stdout.splitlines()[0] == header, result.output


def test_runs_list_with_no_runs_says_so(tmp_path):
    (tmp_path / "none").mkdir()  # (a folder that is not there is an error: test_bad_inputs)
    result = invoke("runs", "list", runs_dir=tmp_path / "none")
    assert result.exit_code == 0 and result.stdout == ""
    assert f"no folders under {tmp_path / 'none'}" in result.stderr


def test_runs_list_title_says_what_it_lists_as_its_empty_answer_does(two_runs):
    # (the title read 'runs in runs', or with --kind 'train in runs', 'sweep in runs')
    runs_dir = two_runs[0]
    for args, title in (([], "folders in"), (["--kind", "train"], "train folders in")):
        result = invoke("runs", "list", *args, runs_dir=runs_dir)
        assert result.stdout.splitlines()[0] == f"{title} {runs_dir}", result.output


def test_runs_list_formats(two_runs):
    runs_dir, runs = two_runs
    table = invoke("runs", "list", runs_dir=runs_dir)
    assert table.exit_code == 0 and table.stdout.count("COMPLETED") == 2
    rows = json.loads(invoke("runs", "list", "--format", "json", runs_dir=runs_dir).stdout)
    assert [r["run"] for r in rows] == [r.id for r in runs]
    assert all(
        r["status"] == "COMPLETED" and r["epochs_done"] == 1 and r["name"] == "small" for r in rows
    )
    assert rows[0]["final_test_acc"] == runs[0].metrics()[-1]["test_acc"]
    csv_lines = invoke("runs", "list", "-f", "csv", runs_dir=runs_dir).stdout.splitlines()
    header = (
        "run,kind,name,dataset,status,epochs_done,epochs_planned,trials_done,trials_planned,"
        "trials_failed,trials_diverged,final_train_acc,final_val_acc,final_test_acc,best_trial,"
        "started,reason"
    )
    assert csv_lines[0] == header
    # (the table's columns come in the CSV's order: the table had val after test)
    assert table.stdout.index("┃  train ┃") < table.stdout.index("┃   test ┃")
    assert [line.split(",")[0] for line in csv_lines[1:]] == [r.id for r in runs]
    stamp = runs[0].meta["started"]  # e.g. 2026-12-03T12:13:30.930+00:00, in json and csv
    assert rows[0]["started"] == stamp and f",{stamp}" in csv_lines[1]
    # (the table leaves it to each id, which begins with it: _named_by_start)
    assert "started" not in table.stdout and stamp[:10] not in table.stdout


def test_runs_show_latest_as_text(two_runs):
    runs_dir, runs = two_runs
    result = invoke("runs", "show", "latest", runs_dir=runs_dir)
    assert result.exit_code == 0, result.output
    assert f"run       {runs[-1].path}" in result.stdout
    # (a line's second pair two spaces after the first, status as ended: status was four)
    assert "\nkind      train  status COMPLETED\n" in result.stdout
    assert re.search(r"\nstarted   \S+ \S+  ended ", result.stdout), result.stdout
    assert "\ncommand " in result.stdout and "\nconfig:\n  name: small" in result.stdout
    assert "every epoch" in result.stdout  # two epochs: all shown
    made = runs[-1].meta["versions"]  # (what made the numbers, the BLAS's kernels included)
    assert f"\nversions  nnlab {made['nnlab']}, " in result.stdout
    assert f", blas {made['blas']}\n" in result.stdout


def test_runs_show_json_and_csv(two_runs):
    runs_dir, runs = two_runs
    data = json.loads(invoke("runs", "show", "latest", "-f", "json", runs_dir=runs_dir).stdout)
    assert set(data) == {"run", "status", "meta", "config", "summary", "metrics"}
    assert data["meta"]["seed"] == 1 and data["metrics"] == runs[-1].metrics()
    csv_lines = invoke("runs", "show", "latest", "-f", "csv", runs_dir=runs_dir).stdout.splitlines()
    assert csv_lines[0].split(",")[:2] == ["epoch", "loss"] and len(csv_lines) == 1 + 2


def test_runs_show_by_id_prefix_and_short_id(two_runs):
    runs_dir, runs = two_runs
    for ref in (runs[0].id[:-2], runs[0].id[-6:]):
        data = json.loads(invoke("runs", "show", ref, "-f", "json", runs_dir=runs_dir).stdout)
        assert data["run"] == str(runs[0].path)


def test_runs_show_ambiguous_or_unknown_ref_is_one_error_line(two_runs):
    runs_dir, _ = two_runs
    ambiguous = invoke("runs", "show", "20", runs_dir=runs_dir)
    assert ambiguous.exit_code == 2
    assert ambiguous.stderr.startswith("error: run '20': ambiguous, matches 2 runs (")
    # (<outer>/<trial> said "no such folder" where its outer part alone said this)
    nested = invoke("runs", "show", "20/abcd", runs_dir=runs_dir)
    assert nested.exit_code == 2 and len(nested.stderr.splitlines()) == 1
    assert nested.stderr.startswith("error: run '20/abcd': ambiguous, '20' matches 2 runs (")
    assert nested.stderr.split("matches")[1] == ambiguous.stderr.split("matches")[1]
    unknown = invoke("runs", "show", "nope", runs_dir=runs_dir)
    assert unknown.exit_code == 2 and len(unknown.stderr.splitlines()) == 1
    assert unknown.stderr.startswith("error: run 'nope': no run folder under")
    # the hint lists where it looked, --runs-dir included (./runs is another folder)
    assert unknown.stderr.rstrip().endswith(f"(try 'nnlab runs list --runs-dir {runs_dir}')")


# ----------------------------------------------------------------------------- interrupt, resume
def test_ctrl_c_exits_130_and_resume_ends_with_the_uninterrupted_metrics(
    config, tmp_path, monkeypatch
):
    straight = train_runs(config, tmp_path / "straight", "epochs=4", "model.dropout=0.2")
    quiet = cli_train.epoch_lines

    def interrupting_reporter(*args, **kwargs):
        def report(record, cfg):
            if record["epoch"] == 2:
                raise KeyboardInterrupt

        return report

    monkeypatch.setattr(cli_train, "epoch_lines", interrupting_reporter)
    runs_dir = tmp_path / "runs"
    result = invoke("train", str(config), "epochs=4", "model.dropout=0.2", runs_dir=runs_dir)
    assert result.exit_code == 130
    run = only_run(runs_dir)
    assert result.stderr.strip().splitlines()[-1] == (
        f"interrupted: {run.path} is INTERRUPTED; continue with: nnlab train --resume {run.path}"
    )
    assert run.meta["status"] == "INTERRUPTED" and [r["epoch"] for r in run.metrics()] == [0, 1, 2]
    # (its curves of the epochs done, marked interrupted: it had no curves.png)
    assert run.file("curves.png").read_bytes().startswith(b"\x89PNG")
    assert (
        json.loads(invoke("runs", "list", "-f", "json", runs_dir=runs_dir).stdout)[0]["status"]
        == "INTERRUPTED"
    )

    monkeypatch.setattr(cli_train, "epoch_lines", quiet)
    resumed = invoke("train", "--resume", run.id[-6:], "-q", runs_dir=runs_dir)
    assert resumed.exit_code == 0, resumed.output
    assert f"resuming {run.path}" in resumed.stderr
    assert run.meta["status"] == "COMPLETED"
    assert without_seconds(run.metrics()) == without_seconds(straight.metrics())


def test_a_resume_is_refused_up_front_over_the_work_limit_of_now(config, tmp_path, monkeypatch):
    # (a run started with NNLAB_MAX_HOURS raised was resumed for its days of work without it:
    # a resume did not check the work limit; it counts the epochs left after the checkpoint)
    import nnlab.experiments.train as train_mod
    from tests.conftest import interrupted_at_epoch, one_error_line

    real = train_mod.fit_group
    monkeypatch.setattr(train_mod, "fit_group", interrupted_at_epoch(real, 2))
    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)  # (one after every epoch)
    runs_dir = tmp_path / "runs"
    assert invoke("train", str(config), "epochs=4", "-q", runs_dir=runs_dir).exit_code == 130
    monkeypatch.setattr(train_mod, "fit_group", real)
    run = only_run(runs_dir)
    before = {p.name: p.read_bytes() for p in run.path.iterdir()}
    env = {"NNLAB_MAX_HOURS": "1e-9"}
    line = one_error_line(invoke("train", "--resume", "latest", runs_dir=runs_dir, env=env))
    assert "for 4 epochs (2 epochs left after its checkpoint) is 12 steps" in line
    # (its advice is what a resume can do: not "make it shorter (fewer epochs, ...)")
    assert line.endswith(f"{RESUME}fewer epochs, samples or trials, larger batches "
                         "(batch_size, eval_batch_size), a smaller net")  # fmt: skip
    assert "make it shorter" not in line
    assert {p.name: p.read_bytes() for p in run.path.iterdir()} == before
    assert invoke("train", "--resume", "latest", "-q", runs_dir=runs_dir).exit_code == 0


def test_resume_of_a_completed_run_exits_2_with_one_line(config, tmp_path):
    run = train_runs(config, tmp_path / "runs", "epochs=1")
    result = invoke("train", "--resume", "latest", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {run.path}: already COMPLETED, nothing to resume; to train it on, extend it: "
        f"nnlab train --extend {run.path} epochs=2 --runs-dir {tmp_path / 'runs'}\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize("status", ["COMPLETED", "INTERRUPTED"])
def test_resume_with_print_config_prints_the_runs_config_and_resumes_nothing(
    config, tmp_path, status
):
    # (a COMPLETED run was refused, 'nothing to resume'; an INTERRUPTED one was resumed, its
    # result printed instead of its config)
    run = train_runs(config, tmp_path / "runs", "epochs=1")
    meta = json.loads(run.file("meta.json").read_text())
    run.file("meta.json").write_text(json.dumps({**meta, "status": status}))
    before = {p.name: p.read_bytes() for p in run.path.iterdir()}
    result = invoke("train", "--resume", "latest", "--print-config", runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    assert result.stdout == run.file("config.yaml").read_text() and result.stderr == ""
    assert {p.name: p.read_bytes() for p in run.path.iterdir()} == before


def test_resume_with_print_config_prints_the_config_of_a_run_whose_records_are_damaged(
    config, tmp_path
):
    # ("whatever its status", DAMAGED too: config.yaml is the one file it reads; once every
    # folder a lookup found was checked whole, the records' damage refused it)
    run = train_runs(config, tmp_path / "runs", "epochs=2")
    path = run.file("metrics.jsonl")
    path.write_bytes(path.read_bytes().replace(b'"epoch": 1', b'"epoch": 7'))
    result = invoke("train", "--resume", "latest", "--print-config", runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    assert result.stdout == run.file("config.yaml").read_text() and result.stderr == ""
    # (and --extend's: the config it would train, printed; extending it is refused)
    result = invoke("train", "--extend", "latest", "epochs=5", "--print-config",
                    runs_dir=tmp_path / "runs")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\nepochs: 5\n" in result.stdout and result.stderr == ""
    result = invoke("train", "--extend", "latest", "epochs=5", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: line 2: epoch 7 follows epoch 0; expected epoch 1\n"
    assert len(list((tmp_path / "runs").iterdir())) == 1
    # (config.yaml itself is held to the run's: one edited since is refused)
    config_yaml = run.file("config.yaml")
    config_yaml.write_text(config_yaml.read_text().replace("epochs: 2", "epochs: 3"))
    result = invoke("train", "--resume", run.path, "--print-config", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2 and "config.yaml: not the config this run was started" in (
        result.stderr
    )


def checkpoint_epoch(path: Path) -> int:
    try:
        with np.load(path, allow_pickle=False) as data:
            return int(data["epoch"])
    except (OSError, ValueError, KeyError, EOFError):
        return -1


@pytest.mark.slow
def test_a_run_killed_with_sigkill_resumes_to_the_uninterrupted_metrics(tmp_path):
    # 100 batches per epoch and 40 epochs: several seconds of training, checkpoints every 2 s
    config = tmp_path / "long.yaml"
    config.write_text(
        "name: long\nmodel: {hidden: [100, 100], dropout: 0.1}\n"
        "dataset: {name: digits, n_train: 500}\noptimizer: {name: momentum, lr: 0.01}\n"
        "batch_size: 5\nepochs: 40\n"
    )
    runs_dir = tmp_path / "runs"
    cmd = [
        sys.executable,
        "-m",
        "nnlab.cli",
        "train",
        str(config),
        "-q",
        "--runs-dir",
        str(runs_dir),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, f"the run ended before the kill: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "no progress"
            folders = list(runs_dir.glob("*/metrics.jsonl"))
            if folders:
                run = RunDir(folders[0].parent)
                n = len(run.metrics())  # epochs recorded, counting epoch 0
                # wait for a checkpoint after epoch 0 (2 s of training); on a very fast machine
                # settle for half the epochs, so the kill still lands mid-run
                if n >= 4 and (checkpoint_epoch(run.file("checkpoint.npz")) >= 1 or n >= 21):
                    break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    killed_at = len(run.metrics()) - 1
    assert 3 <= killed_at < 40
    assert run.meta["status"] == "RUNNING" and run.status == "STALE"
    assert not run.file("summary.json").exists()
    shown = invoke("runs", "show", str(run.path), runs_dir=runs_dir)  # (it said 'ended None')
    assert shown.exit_code == 0 and "  ended -\n" in shown.stdout

    resumed = invoke("train", "--resume", str(run.path), "-q", runs_dir=runs_dir)
    assert resumed.exit_code == 0, resumed.output
    assert run.meta["status"] == "COMPLETED"
    assert 0 <= run.meta["resumes"][0]["from_epoch"] <= killed_at

    straight = train_runs(config, tmp_path / "straight")
    assert len(run.metrics()) == 41
    assert without_seconds(run.metrics()) == without_seconds(straight.metrics())


@pytest.mark.parametrize(
    "args, message",
    [
        (["runs", "list", "--kind", "swep"],
         "error: --kind: expected one of train, sweep, tune, lr-scan, landscape, activations, "),
        (["config", "keys", "optimzer"],
         "error: config keys: no key starts with 'optimzer' (did you mean 'optimizer'?); "
         "top-level keys: "),
        # (a key's own name without its section listed only the top-level keys)
        (["config", "keys", "lr"],
         "error: config keys: no key starts with 'lr' (did you mean 'optimizer.lr'?); "),
    ],
)  # fmt: skip
def test_a_mistyped_kind_or_key_prefix_is_one_error_not_an_empty_answer(tmp_path, args, message):
    """A typo that matches nothing is a usage error with the closest name, not an empty table
    (or "no swep folders") and exit 0."""
    result = invoke(*args, runs_dir=tmp_path) if args[0] == "runs" else invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_every_kind_a_folder_can_have_is_one_runs_list_accepts():
    """``runs.start`` refuses a kind ``runs list --kind`` would not know."""
    from nnlab import runs

    with pytest.raises(ValueError, match="unknown folder kind 'trian'"):
        runs.start(Path("unused"), "x", "trian")


@pytest.mark.parametrize("command", ["train", "gradcheck", "sweep"])
def test_overflow_is_a_recorded_outcome_not_a_screen_of_warnings(tmp_path, command):
    """Weights of 1e300 overflow float32 at once (a cast, then every product): the run says
    DIVERGED; NumPy's RuntimeWarnings stay off the screen (--debug shows them)."""
    cfg = tmp_path / "boom.yaml"
    cfg.write_text(
        "dataset: {name: digits, n_train: 200, n_test: 100}\n"
        "model: {hidden: [16], init: std, init_std: 1.0e+300}\nepochs: 2\nbatch_size: 50\n"
    )
    args = {"train": ["train", cfg], "gradcheck": ["gradcheck", cfg],
            "sweep": ["sweep", "grid", cfg, "optimizer.lr=0.1,0.2", "-j", "2"]}[command]  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "nnlab", *map(str, args), "--runs-dir", str(tmp_path / "r")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert "Warning" not in result.stderr and "warn(" not in result.stderr, result.stderr
    if command == "train":
        assert result.returncode == 1 and "recorded as DIVERGED" in result.stderr


def test_the_epoch_a_run_diverged_in_says_so_instead_of_its_nan_accuracies(tmp_path):
    # (it printed 'epoch 1/3  train_acc 0.0980  test_acc 0.0900', the argmax of NaN scores, as
    # if they were results)
    result = invoke("train", "configs/digits-quickstart.yaml", "optimizer.lr=1e6", "epochs=3",
                    runs_dir=tmp_path)  # fmt: skip
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("epoch")]
    assert "train_acc" in lines[0] and "loss" not in lines[0]  # (epoch 0: before training)
    assert "diverged: loss or parameters not finite" in lines[-1]
    assert "_acc" not in lines[-1] and "loss 0" not in lines[-1]


def test_a_run_whose_init_is_not_finite_says_it_diverged_at_epoch_0(tmp_path):
    # (epoch 0 printed the argmax-of-NaN accuracies, then 'diverged at epoch 1')
    result = invoke("train", "configs/digits-quickstart.yaml", "model.init=std",
                    "model.init_std=1e200", "epochs=3", runs_dir=tmp_path)  # fmt: skip
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("epoch")]
    assert "diverged: loss or parameters not finite" in line and "_acc" not in line
    assert "error: the run diverged at epoch 0" in result.stderr


def test_runs_list_orders_its_columns_alike_in_a_table_and_in_csv():
    from nnlab.experiments.listing import list_columns

    rows = [{"run": "a", "final_test_acc": 0.5, "final_train_acc": 0.6, "final_val_acc": 0.4}]
    table = list_columns(rows, table=True)
    assert table == ["run", "final_train_acc", "final_val_acc", "final_test_acc"]
    assert [c for c in list_columns(rows) if c in table] == table


def test_runs_list_table_leaves_out_started_when_every_folder_name_begins_with_it():
    # (the column said again what each id's first 15 characters say: 22 of ~146 columns)
    from nnlab.experiments.listing import list_columns

    named = {"run": "20261205-112554-digits-quickstart-441bf2", "started": "2026-12-05 11:25:55"}
    given = {"run": "my-run", "started": "2026-12-05 11:25:55"}  # (--out: a name of its own)
    assert "started" not in list_columns([named], table=True)
    assert "started" in list_columns([named, given], table=True)
    assert "started" in list_columns([named])  # (csv and json keep it)


# a typical runs folder as list_runs gives it: train runs, a preset sweep, a tune, an lr-scan,
# a landscape (and a folder without a dataset)
TYPICAL = [
    ("20261205-125717-digits-quickstart-a24563", "train", "digits", 20, 1.0, None, 0.9966),
    ("20261205-125719-mnist-1000-6493db", "train", "mnist", 20, 0.841, None, 0.789),
    ("20261205-125719-lr-scan-digits-quickstart-f073f3", "lr-scan", "digits", 2, None, None, None),
    ("20261205-125721-tune-digits-quickstart-39f672", "tune", "digits", None, 0.7, 0.7067, None),
    ("20261205-125727-landscape-mnist-1000-7b77a0", "landscape", "mnist", None, None, None, None),
    ("20261205-125742-activations-2a044f", "activations", None, None, None, None, None),
    (
        "20261205-125746-sweep-weight-scale-digits-122448",
        "sweep",
        "digits",
        None,
        1.0,
        None,
        0.9966,
    ),
]
TRIALS = {"tune": (20, 20, 0, 0), "sweep": (32, 32, 0, 2)}  # (done, planned, failed, diverged)


def typical_rows() -> list[dict]:
    from nnlab.experiments.listing import TRIAL_COUNTS

    keys = ("run", "kind", "dataset", "epochs_done", "final_train_acc", "final_val_acc",
            "final_test_acc")  # fmt: skip
    return [
        {**dict(zip(keys, row)), "name": "x", "status": "COMPLETED",
         "started": f"{row[0][:4]}-{row[0][4:6]}-{row[0][6:8]}T{row[0][9:11]}:{row[0][11:13]}:"
                    f"{row[0][13:15]}.100+00:00", "best_trial": None,
         **dict(zip(TRIAL_COUNTS, TRIALS.get(row[1], ())))}
        for row in TYPICAL
    ]  # fmt: skip


def test_runs_list_table_of_a_typical_folder_fits_120_columns():
    # (it was 146 columns wide, so a 120-column terminal got one record per folder)
    from nnlab.experiments.listing import list_columns, list_table
    from nnlab.output import table_text

    rows = typical_rows()
    before = table_text(rows, list_columns(rows, table=True))
    assert max(map(len, before.splitlines())) > 140
    table, columns, legend, _ = list_table(rows)
    text = table_text(table, columns, title=f"folders in runs\n{legend}")
    assert max(map(len, text.splitlines())) <= 120, text
    # (the epochs trained headed 'done', its legend says so: 'epochs' is the config key's name
    # in runs compare, and json and csv name them epochs_done)
    assert columns == ["run", "kind/dataset", "status", "done", "train", "val", "test"]
    assert "done: epochs trained" in legend
    assert "│ landscape/mnist │" in text and "│ activations     │" in text
    assert "final accuracy" in legend and "│ 0.7067 │" in text  # (no number lost)


def test_runs_list_widths_the_readme_gives_are_the_tables():
    # (it said the walkthrough's folder took 121 columns and 146 with a compare-optimizers
    # row, widths of a table since narrowed: 120 and 129)
    from nnlab.experiments.listing import list_table
    from nnlab.output import table_text

    def width(rows: list[dict]) -> int:
        table, columns, _, _ = list_table(rows)
        return max(map(len, table_text(table, columns).splitlines()))

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    said = re.search(
        r"takes (\d+) columns, and with a `compare-optimizers/digits` row (\d+)", readme
    )
    assert said is not None
    rows = typical_rows()
    landscape = {**rows[4], "run": "20261205-125727-landscape-digits-quickstart-0c4262",
                 "dataset": "digits"}  # fmt: skip
    compare = {**rows[4], "run": "20261205-125727-compare-optimizers-4a8b95",
               "kind": "compare-optimizers", "dataset": "digits"}  # fmt: skip
    walkthrough = [*rows, landscape]
    assert [width(walkthrough), width([*walkthrough, compare])] == [*map(int, said.groups())]


def test_runs_list_table_leaves_out_a_column_no_folder_has_a_value_in():
    from nnlab.experiments.listing import list_table

    rows = [{**r, "final_val_acc": None} for r in typical_rows() if r["kind"] != "tune"]
    assert "val" not in list_table(rows)[1]
    rows = [{**r, "dataset": None} for r in rows]  # (kind alone, then)
    table, columns, *_ = list_table(rows)
    assert "kind" in columns and {r["kind"] for r in table} >= {"train", "sweep"}
    lr_scans = [r for r in rows if r["kind"] in ("lr-scan", "landscape")]
    assert list_table(lr_scans)[1:] == (
        ["run", "kind", "status", "done"],
        "done: epochs trained",
        [],
    )


def test_runs_list_on_a_120_column_terminal_is_a_table_and_json_csv_keep_full_names(two_runs):
    runs_dir = two_runs[0]
    shown = invoke("runs", "list", runs_dir=runs_dir, env={"TTY_COMPATIBLE": "1", "COLUMNS": "120"})
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown.stdout)  # (no colour)
    assert "┃ run " in text and "kind/dataset" in text, text
    csv_header = invoke("runs", "list", "-f", "csv", runs_dir=runs_dir).stdout.splitlines()[0]
    assert "final_test_acc" in csv_header and "kind/dataset" not in csv_header


@pytest.fixture(scope="module")
def long_ids(tmp_path_factory) -> tuple[Path, list[str]]:
    """A training run and a sweep named with 40+ characters (ids of 66 and 75 characters)."""
    folder = tmp_path_factory.mktemp("long")
    (config := folder / "small.yaml").write_text(SMALL)
    runs_dir, name = folder / "runs", "weight-scale-mnist-" + "-".join(["long"] * 5)
    for args in (["train", config, f"name={name}"], ["sweep", "grid", config,
                 "optimizer.lr=0.01,0.1", "--name", f"{name}-v2"]):  # fmt: skip
        assert invoke(*args, "epochs=1", "-q", runs_dir=runs_dir).exit_code == 0
    return runs_dir, sorted(p.name for p in runs_dir.iterdir())


@pytest.mark.parametrize("columns", [80, 120])
def test_runs_list_with_long_ids_fits_the_terminal_with_each_id_whole(long_ids, columns):
    """Ids of 66 and 75 characters make the table 131 columns wide: on a terminal of 80 or
    120, each folder is its id on a line of its own (whole, to be copied; the terminal wraps
    one wider than itself) and then its values; every other line fits."""
    runs_dir, ids = long_ids
    env = {"TTY_COMPATIBLE": "1", "COLUMNS": str(columns)}
    lines = re.sub(r"\x1b\[[0-9;]*m", "", invoke("runs", "list", runs_dir=runs_dir, env=env).stdout)
    lines = lines.splitlines()
    assert sorted(line for line in lines if line.startswith("2026") or line in ids) == ids
    assert all(len(line) <= columns for line in lines if line not in ids), lines
    sweep = next(i for i in ids if "-sweep-" in i)
    assert lines[lines.index(sweep) + 1].startswith("    kind/dataset sweep/digits   status")
    assert "…" not in "".join(lines)


def test_runs_list_with_long_ids_into_a_pipe_is_the_whole_table(long_ids):
    """Into a pipe or a file (``| grep``, a log) the table is drawn at its full width, one
    line a folder, whatever COLUMNS says: nothing folded or cut."""
    runs_dir, ids = long_ids
    text = invoke("runs", "list", runs_dir=runs_dir, env={"COLUMNS": "80"}).stdout
    rows = [line for line in text.splitlines() if line.startswith("│ ")]
    assert sorted(row.split()[1] for row in rows) == ids and len(max(rows, key=len)) == 131


def test_train_formats_its_result_and_its_config_as_asked(tmp_path):
    # (--print-config -f json printed YAML; -f csv gave the table's display labels without the
    # run's folder or status)
    shown = invoke("train", "configs/digits-quickstart.yaml", "--print-config", "-f", "json")
    assert json.loads(shown.stdout)["dataset"]["name"] == "digits"
    result = invoke("train", "configs/digits-quickstart.yaml", "epochs=1", "-q", "-f", "csv",
                    runs_dir=tmp_path)  # fmt: skip
    header, row = result.stdout.splitlines()
    assert header.startswith("run,status,epochs,final_loss,") and "final_test_acc" in header
    (run,) = tmp_path.iterdir()
    assert row.startswith(f"{run},COMPLETED,1,")


@pytest.mark.slow
def test_runs_list_shows_each_folders_dataset_and_a_sweeps_and_a_tunes_best_trial(tmp_path):
    # (a sweep's and a tune's accuracy columns were '-', and no row said its dataset)
    cfg = "configs/digits-quickstart.yaml"
    for args in (
        ["train", cfg, "epochs=1", "-q"],
        ["sweep", "grid", cfg, "epochs=1", "optimizer.lr=0.01,0.1", "-q"],
        ["tune", cfg, "--epochs", "1", "--trials", "2", "-q"],
    ):
        assert invoke(*args, runs_dir=tmp_path).exit_code == 0
    listed = invoke("runs", "list", "-f", "json", runs_dir=tmp_path)
    rows = {row["kind"]: row for row in json.loads(listed.stdout)}
    assert {row["dataset"] for row in rows.values()} == {"digits"}
    trials = RunDir(tmp_path / rows["sweep"]["run"]).summary()["trials"]
    best = max(trials, key=lambda t: t["final_test_acc"])
    assert rows["sweep"]["best_trial"] == best["trial"]
    assert rows["sweep"]["final_test_acc"] == best["final_test_acc"]
    assert rows["sweep"]["final_train_acc"] == best["final_train_acc"]
    tuned = RunDir(tmp_path / rows["tune"]["run"]).summary()["best"]
    assert rows["tune"]["best_trial"] == tuned["trial"]
    assert rows["tune"]["final_val_acc"] == tuned["final_val_acc"]
    # (its trials ended of those planned, as a sweep's row: not its best trial's epochs)
    assert rows["tune"]["epochs_done"] is None and rows["tune"]["trials_done"] > 0
    assert rows["tune"]["trials_done"] == rows["tune"]["trials_planned"]
    assert "best_trial" not in rows["train"]
    csv_header = invoke("runs", "list", "-f", "csv", runs_dir=tmp_path).stdout.splitlines()[0]
    assert {"dataset", "best_trial"} <= set(csv_header.split(","))
    table = invoke("runs", "list", runs_dir=tmp_path).stdout
    assert "dataset" in table and f"{best['final_test_acc']:.4f}" in table


@pytest.mark.slow
def test_runs_list_gives_a_sweeps_trials_ended_of_planned_not_its_best_trials_epochs(
    config, tmp_path
):
    # (an interrupted sweep's row read 'INTERRUPTED │ 699', its best trial's epochs, which say
    # nothing of how far the sweep got, nor of its trials that failed or diverged)
    args = ["sweep", "grid", config, "optimizer.lr=0.01,0.1,1e30", "epochs=2", "-q"]
    assert invoke(*args, runs_dir=tmp_path / "r").exit_code == 0
    (sweep,) = sorted_runs(tmp_path / "r")
    metas = sorted(sweep.path.glob("trials/*/meta.json"))
    trial = next(p for p in metas if json.loads(p.read_text())["status"] == "COMPLETED")
    for path in (sweep.file("meta.json"), trial):  # (one trial stopped: the sweep unfinished)
        meta = json.loads(path.read_text())
        path.write_text(json.dumps({**meta, "status": "INTERRUPTED"}))
    (row,) = json.loads(invoke("runs", "list", "-f", "json", runs_dir=tmp_path / "r").stdout)
    assert row["status"] == "INTERRUPTED" and row["epochs_done"] is None
    counts = {k: row[k] for k in row if k.startswith("trials_")}
    assert counts == {"trials_done": 2, "trials_planned": 3, "trials_failed": 0,
                      "trials_diverged": 1}  # fmt: skip
    header, line = invoke("runs", "list", "-f", "csv", runs_dir=tmp_path / "r").stdout.splitlines()
    assert dict(zip(header.split(","), line.split(",")))["trials_done"] == "2"
    table = invoke("runs", "list", runs_dir=tmp_path / "r").stdout
    assert re.search(r"│ INTERRUPTED │ +2/3 │", table), table
    assert "its trials ended/planned" in table
    assert f"{sweep.id}: 1 of 3 trials DIVERGED" in table
    shown = invoke("runs", "show", sweep.path, runs_dir=tmp_path / "r").stdout
    assert "\ntrials    2 of 3 ended (1 DIVERGED)\n" in shown  # (runs show counts them alike)
    as_json = json.loads(invoke("runs", "show", sweep.path, "-f", "json").stdout)
    assert {k: as_json[k] for k in counts} == counts


def test_runs_list_gives_a_sweeps_dataset_after_its_fixed_overrides(tmp_path):
    # (a preset's --dataset is a fixed override of its base config's: 'digits' was listed for
    # 'sweep weight-scale --dataset spiral')
    cfg = "configs/digits-quickstart.yaml"
    args = ["sweep", "grid", cfg, "dataset.name=spiral", "epochs=1", "optimizer.lr=0.01,0.1"]
    assert invoke(*args, "-q", runs_dir=tmp_path).exit_code == 0
    listed = invoke("runs", "list", "-f", "json", runs_dir=tmp_path)
    (row,) = json.loads(listed.stdout)
    assert row["dataset"] == "spiral"


def test_runs_list_table_says_a_folders_reason_under_it_not_in_a_column():
    # (a reason column, a path and a sentence, made a listing with one damaged folder ~230
    # columns wide: one record per folder on any terminal)
    from nnlab.experiments.listing import list_table
    from nnlab.output import table_text

    run = "20261205-125800-sweep-digits-quickstart-7a7756"
    reason = f"runs/{run}/sweep.yaml: missing; a sweep writes its plan before its trials"
    damaged = {"run": run, "kind": "?", "status": "DAMAGED", "reason": reason}
    table, columns, legend, notes = list_table([*typical_rows(), damaged])
    assert "reason" not in columns and notes[-1] == f"{run}: {reason}"
    text = table_text(table, columns, title=f"folders in runs\n{legend}")
    assert max(map(len, text.splitlines())) <= 120, text


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("digits-quickstart", "configs/digits-quickstart.yaml"),
        ("digits-quickstart.yaml", "configs/digits-quickstart.yaml"),
        ("configs/digits-quickstart", "configs/digits-quickstart.yaml"),
        ("mine", "mine.yaml"),
    ],
)
def test_a_config_named_without_its_folder_or_suffix_is_told_the_file(
    tmp_path, monkeypatch, given, meant
):
    # (a newcomer's 'nnlab train digits-quickstart' said only 'config file not found')
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "digits-quickstart.yaml").write_text("epochs: 1\n")
    (tmp_path / "mine.yaml").write_text("epochs: 1\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("train", given, runs_dir=tmp_path / "runs")
    assert result.exit_code == 2
    assert result.stderr == f"error: {given}: config file not found (did you mean {meant!r}?)\n"
    assert one_error_line(invoke("train", "elsewhere/digits-quickstart")) == (
        "error: elsewhere/digits-quickstart: config file not found; example configs are in "
        "configs/ (to start: configs/digits-quickstart.yaml)"
    )


@pytest.mark.parametrize(
    ("given", "said"),
    [  # (each said only 'config file not found': no next step)
        ("mnist-100.yaml", " (did you mean 'configs/mnist-1000.yaml'?)"),
        (
            "nosuch.yaml",
            "; example configs are in configs/ (to start: configs/digits-quickstart.yaml)",
        ),
        ("configs/mnist-100.yaml", " (did you mean 'configs/mnist-1000.yaml'?)"),  # (it said
    ],  # "'mnist-1000.yaml' in configs", no path to paste)
)
def test_a_missing_config_names_a_near_one_in_configs_or_where_the_examples_are(
    tmp_path, monkeypatch, given, said
):
    (tmp_path / "configs").mkdir()
    for name in ("digits-quickstart.yaml", "mnist-1000.yaml"):
        (tmp_path / "configs" / name).write_text("epochs: 1\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("train", given, runs_dir=tmp_path / "runs")
    assert result.exit_code == 2
    assert result.stderr == f"error: {given}: config file not found{said}\n"


def test_a_missing_config_elsewhere_names_nnlabs_own_examples(tmp_path, monkeypatch):
    from nnlab import config_paths

    monkeypatch.chdir(tmp_path)  # (no configs/ here: nnlab's own, by their full path)
    line = one_error_line(invoke("train", "nosuch.yaml"))
    assert line.endswith(f"; example configs are in {config_paths.SHIPPED}/ (to start: "
                         f"{config_paths.SHIPPED / 'digits-quickstart.yaml'})")  # fmt: skip
    # (an installation without them)
    monkeypatch.setattr(config_paths, "SHIPPED", tmp_path / "none")
    line = one_error_line(invoke("train", "nosuch.yaml"))
    assert line.endswith("; a config is a YAML file of the keys 'nnlab config keys' lists")


@pytest.mark.slow
def test_a_resume_of_a_completed_run_offers_the_extend_that_trains_it_on(tmp_path):
    # (it said only 'already COMPLETED, nothing to resume': a newcomer's way to more epochs)
    config = "configs/digits-quickstart.yaml"  # (the tests run from the project root)
    made = invoke("train", config, "epochs=2", "dataset.n_train=200", "-q", runs_dir=tmp_path)
    assert made.exit_code == 0, made.output
    (run,) = tmp_path.iterdir()
    line = one_error_line(invoke("train", "--resume", "latest", runs_dir=tmp_path))
    assert line == (
        f"error: {run}: already COMPLETED, nothing to resume; to train it on, extend it: "
        f"nnlab train --extend {run} epochs=4 --runs-dir {tmp_path}"
    )
    extended = invoke(*line.split("extend it: nnlab ")[1].split(), "-q")
    assert extended.exit_code == 0, extended.output
    assert len(list(tmp_path.iterdir())) == 2  # (pasted, it wrote into ./runs: --runs-dir)


@pytest.mark.slow
def test_the_extend_a_resume_offers_a_run_of_0_epochs_runs_in_a_folder_with_spaces(tmp_path):
    # (it offered 'epochs=0', which --extend refuses, 'expected more epochs than the run has
    # trained (0)', and the folder unquoted, which the shell splits at its spaces; the report's
    # page offered epochs=1, quoted: one offer now, nnlab.redo.extend_offer)
    import shlex

    runs_dir = tmp_path / "my runs"
    config = "configs/digits-quickstart.yaml"  # (the tests run from the project root)
    made = invoke("train", config, "epochs=0", "dataset.n_train=200", "-q", runs_dir=runs_dir)
    assert made.exit_code == 0, made.output
    (run,) = runs_dir.iterdir()
    line = one_error_line(invoke("train", "--resume", "latest", runs_dir=runs_dir))
    offered = line.split("extend it: ", 1)[1]
    assert offered == (
        f"nnlab train --extend {shlex.quote(str(run))} epochs=1 --runs-dir {shlex.quote(str(runs_dir))}"
    )
    extended = invoke(*shlex.split(offered)[1:], "-q")
    assert extended.exit_code == 0, extended.output


@pytest.mark.parametrize("command", ["train", "landscape", "gradcheck"])
def test_a_sweep_config_given_for_one_run_offers_the_sweep_with_the_same_options(command, tmp_path):
    """A config with a ``sweep:`` section is refused by a command that runs one net, with the
    ``nnlab sweep run`` to paste instead: it carries the overrides, ``--data-dir`` and the
    ``--runs-dir`` given (it dropped all three: pasted, it looked for MNIST in the default
    data folder and failed 'MNIST not found'), quoted for a shell."""
    import shlex

    from tests.conftest import one_error_line

    data, runs = tmp_path / "my data", tmp_path / "r"
    data.mkdir()
    cfg = Path(__file__).resolve().parents[2] / "configs" / "digits-lr-sweep.yaml"
    result = invoke(command, cfg, "--data-dir", data, "epochs=2", "model.hidden=[8, 8]",
                    runs_dir=runs)  # fmt: skip
    assert result.exit_code == 2
    offered = one_error_line(result).split("run it with: ", 1)[1]
    assert shlex.split(offered) == [
        "nnlab", "sweep", "run", str(cfg), "epochs=2", "model.hidden=[8, 8]",
        "--data-dir", str(data), "--runs-dir", str(runs),
    ]  # fmt: skip
    assert not runs.exists()
    bare = invoke(command, cfg)  # (nothing given: nothing added)
    assert one_error_line(bare).endswith(f"run it with: nnlab sweep run {cfg}")


def test_a_sweep_config_error_keeps_its_offer_from_a_worker():
    """The refusal pickles whole (a worker process raises it to the parent)."""
    import pickle

    from nnlab.errors import SweepConfigError

    exc = SweepConfigError("c.yaml", ["a=1"]).offer(" --data-dir d")
    again = pickle.loads(pickle.dumps(exc))
    assert str(again) == str(exc) and str(again).endswith("nnlab sweep run c.yaml a=1 --data-dir d")
