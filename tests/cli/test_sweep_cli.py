"""`nnlab sweep ...` and `nnlab runs compare` through the CLI: outputs, exit codes, resume
(including after a SIGKILL of a parallel sweep)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from nnlab import runs
from tests.conftest import invoke, invoke_many, one_error_line
from tests.experiments.test_sweep import BASE

TINY = BASE  # (the sweep library's tests' tiny spiral: a trial takes ~0.1 s)


def write_config(tmp_path: Path, sweep: dict | None = None, **changes) -> Path:
    data = {**TINY, **changes}
    if sweep is not None:
        data["sweep"] = sweep
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def sweep_dir(runs_dir: Path) -> runs.RunDir:
    (found,) = [r for r in runs.iter_runs(runs_dir) if r.file("sweep.yaml").exists()]
    return found


def summary(run: runs.RunDir) -> list[dict]:
    rows = run.read_json("summary.json")["trials"]
    return [{k: v for k, v in r.items() if k not in ("seconds", "stacked")} for r in rows]


@pytest.mark.slow
def test_a_sweep_of_epochs_keeps_each_trials_epochs_beside_the_epochs_it_trained(tmp_path):
    """A sweep's row holds a trial's ``epochs`` as swept and the epochs it trained as
    ``epochs_done``, as ``runs list`` and ``runs compare`` name them: the row's ``epochs`` was
    the epochs done, so a trial diverged in epoch 1 of 3 read ``epochs 1``, and the sweep's
    table and summary.txt headed the epochs done ``epochs``."""
    cfg = write_config(tmp_path)
    args = ["sweep", "grid", cfg, "epochs=2,3", "optimizer.lr=1e30", "--runs-dir", tmp_path]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    run = sweep_dir(tmp_path)
    rows = {r["epochs"]: r for r in summary(run)}
    assert sorted(rows) == [2, 3]  # (the swept epochs: it read 1 and 1)
    assert rows[3]["status"] == "DIVERGED" and rows[3]["epochs_done"] == 1
    shown = ["trial", "epochs", "status", "epochs_done"]
    assert _header(result.stdout)[:4] == shown
    assert _header(run.file("summary.txt").read_text())[:5] == [*shown[:2], "seed", *shown[2:]]


def _header(text: str) -> list[str]:
    """The column names of the first table in ``text``."""
    line = next(line for line in text.splitlines() if line.startswith("┃"))
    return [cell.strip() for cell in line.strip("┃").split("┃")]


def test_sweep_without_a_command_is_bad_usage_with_its_help():
    result = invoke("sweep")
    assert result.exit_code == 2
    assert "weight-scale" in result.stderr and "--resume" in result.stderr


def test_grid_prints_a_table_and_writes_the_sweep_folder(tmp_path):
    cfg = write_config(tmp_path)
    result = invoke(
        "sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "epochs=2", "--runs-dir", tmp_path / "r"
    )
    assert result.exit_code == 0, result.output
    assert "COMPLETED" in result.stdout and "optimizer.lr" in result.stdout
    run = sweep_dir(tmp_path / "r")
    rows = summary(run)
    assert [r["optimizer.lr"] for r in rows] == [0.5, 0.1]
    assert all(r["epochs_done"] == 2 for r in rows)  # the fixed override applied to every trial
    assert "\ntrial 2/2, " in result.stderr and "sweep folder:" in result.stderr
    # (its first line and its last alike: the folder, two spaces, what it holds in brackets)
    said = [line for line in result.stderr.splitlines() if line.startswith("sweep folder: ")]
    assert len(said) == 2 and all(f"{run.path}  (" in line for line in said), said
    # (the table's title as summary.txt's, its trials counted: it read '<id>: COMPLETED')
    title = run.file("summary.txt").read_text().splitlines()[0]
    assert result.stdout.splitlines()[0] == title == f"{run.id}: COMPLETED (2 COMPLETED)"


@pytest.mark.slow
@pytest.mark.parametrize("order", [["seed", "optimizer.lr"], ["optimizer.lr", "seed"]])
def test_a_progress_line_names_every_swept_key_a_swept_seed_too(tmp_path, order):
    # (with `seed` swept first, the lines named no key at all: they showed the keys before the
    # row's seed column; the derived seed of an unswept run is still left out)
    cfg = write_config(tmp_path)
    values = {"seed": "seed=0,1", "optimizer.lr": "optimizer.lr=0.5,0.1"}
    result = invoke("sweep", "grid", cfg, *(values[k] for k in order), "epochs=1",
                    "--runs-dir", tmp_path / "r")  # fmt: skip
    assert result.exit_code == 0, result.output
    last = [line for line in result.stderr.splitlines() if line.startswith("trial 4/4, ")]
    assert len(last) == 1 and " seed=1 " in last[0] and " optimizer.lr=0.1 " in last[0], last
    assert sweep_dir(tmp_path / "r").meta["axes"] == order
    plain = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "epochs=1",
                   "--runs-dir", tmp_path / "p")  # fmt: skip
    (line,) = [x for x in plain.stderr.splitlines() if x.startswith("trial 2/2, ")]
    assert " optimizer.lr=0.1 COMPLETED" in line and "seed=" not in line, line


def test_grid_with_a_failing_trial_exits_3_and_the_others_complete(tmp_path, monkeypatch):
    from tests.experiments.test_sweep import fail_batch_size_31

    fail_batch_size_31(monkeypatch)  # (a trial its data cannot train is refused up front)
    cfg = write_config(tmp_path)
    result = invoke(
        "sweep", "grid", cfg, "batch_size=30,31", "--runs-dir", tmp_path / "r", "-f", "json"
    )
    assert result.exit_code == 3
    rows = json.loads(result.stdout)
    assert [r["status"] for r in rows] == ["COMPLETED", "FAILED"]
    assert "MemoryError" in rows[1]["error"]
    assert "1 of 2 trials FAILED" in result.stderr and "nnlab sweep --resume" in result.stderr
    # (it said '2 trained' of a trial that trained and one that FAILED)
    assert "(trials: 1 trained, 1 FAILED, 0 resumed, 0 already done; " in result.stderr
    assert sweep_dir(tmp_path / "r").status == "FAILED"
    one = write_config(tmp_path, sweep={"params": {"batch_size": [31]}})  # (a one-trial grid)
    alone = invoke("sweep", "run", one, "--runs-dir", tmp_path / "one")
    assert alone.exit_code == 3 and "error: 1 of 1 trial FAILED" in alone.stderr  # (not trials)
    assert sweep_dir(tmp_path / "one").meta["error"].startswith("1 of 1 trial FAILED (e.g. ")


def test_random_needs_trials_and_draws_that_many(tmp_path):
    cfg = write_config(tmp_path)
    result = invoke("sweep", "random", cfg, "optimizer.lr=loguniform:1e-3:1")
    assert result.exit_code == 2  # (it named sweep.trials first, a key the user never wrote)
    assert result.stderr.startswith("error: --trials: a random sweep needs a number of trials; ")
    assert "give --trials N" in result.stderr
    result = invoke(
        "sweep",
        "random",
        cfg,
        "--trials",
        "3",
        "optimizer.lr=loguniform:1e-3:1",
        "epochs=1",
        "--runs-dir",
        tmp_path / "r",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("trial,optimizer.lr,seed,status") and len(lines) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["optimizer.lr"], "no value; expected optimizer.lr=v1,v2 (an axis)"),
        (["lr0.1"], "argument 'lr0.1': expected key=value"),
        (["optimizer.lrr=0.1,0.2"], "unknown key 'optimizer.lrr'"),
        (["optimizer.lr=0.1,-1"], "optimizer.lr"),
        ([], "nothing to sweep"),
        # (a fixed override no trial takes; one that some take is theirs: tests/sweep)
        (["optimizer.name=sgd,adam", "optimizer.momentum=0.5"],
         "override 'optimizer.momentum=0.5': no trial of the sweep takes it: unknown key"),
        (["epochs"], "argument 'epochs': no value; expected epochs=v1,v2 (an axis) or "
         "epochs=<value>"),
        # (quoted as one word, 'nothing to sweep' said nothing of the space)
        (["optimizer.lr=0.1 0.2"], "nothing to sweep; give axes such as optimizer.lr=0.1,0.01; "
         "'optimizer.lr=0.1 0.2' is one value (values are separated by commas: "
         "optimizer.lr=0.1,0.2)"),
        (["model.activation=relu tanh"], "'model.activation=relu tanh' is one value (values "
         "are separated by commas: model.activation=relu,tanh)"),
        # (text with a space in it is no list split at a space: the hint read 'name=a,b')
        (["name=a b"], "nothing to sweep; give axes such as optimizer.lr=0.1,0.01 (a single "
         "value is a fixed override)"),
        # (unquoted, the shell's two words: '0.2' was called an argument of its own)
        (["optimizer.lr=0.1", "0.2"], "argument 'optimizer.lr=0.1 0.2': the shell split it at "
         "its spaces; values are separated by commas: optimizer.lr=0.1,0.2"),
        (["optimizer.lr=0.1,", "0.2", "epochs=1"], "argument 'optimizer.lr=0.1, 0.2': the shell "
         "split it at its spaces; values are separated by commas: optimizer.lr=0.1,0.2"),
        (["optimizer.name=sgd", "adam"], "values are separated by commas: "
         "optimizer.name=sgd,adam"),
        (["name=a", "b"], "error: argument 'b': expected key=value, key=v1,v2 or key=dist:a:b"),
        (["optimizer.lr=0.1,0.01", "optimizer.lr=0.5"], "optimizer.lr: given twice"),
        (["optimizer.lr=0.1,0.01", "optimizer.lr=0.2,0.3"], "optimizer.lr: given twice"),
        # (spaced as overrides may be: the fixed value was dropped, the axis won)
        (["optimizer.lr=0.1,0.01", " optimizer . lr=0.5"], "optimizer.lr: given twice"),
        (["optimizer..lr=0.1,0.01"], "argument 'optimizer..lr=0.1,0.01': expected key.sub=value "
         "(e.g. optimizer.lr=0.1,0.01)"),  # (a sweep's argument, not an override)
        (["optimizer.lr=log-uniform:1e-3:1"], "'log-uniform' in 'log-uniform:1e-3:1'; did you "
         "mean 'loguniform'?"),
        (["optimizer.lr=LogSpace:0:-3:4"], "did you mean 'logspace'?"),
        # (another tool's name, or none nnlab knows: it said 'nothing to sweep')
        (["epochs=int:1:3"], "epochs: unknown range or distribution 'int' in 'int:1:3'; did you "
         "mean 'randint'? (ranges: logspace, linspace; distributions:"),
        (["optimizer.lr=range:0:1:3"], "did you mean 'linspace'?"),
        (["optimizer.lr=gauss:0:1"], "optimizer.lr: unknown range or distribution 'gauss' in "
         "'gauss:0:1' (ranges: logspace, linspace; distributions: loguniform, uniform, choice, "
         "randint)"),
        # (no name at all: taken as one value, refused as 'input should be a valid number')
        (["optimizer.lr=1e-4:1e-1"], "optimizer.lr: '1e-4:1e-1' names no range or distribution; "
         "write its kind first, e.g. loguniform:1e-4:1e-1 (ranges: logspace, linspace;"),
        (["optimizer.lr=0:-3:4"], "write its kind first, e.g. logspace:0:-3:4"),
        # (a call's form, as scipy and numpy write it: its comma made two values,
        # 'loguniform(1e-4' and '1e-1)', and the line blamed a trial's 'unable to parse string')
        (["optimizer.lr=loguniform(1e-4,1e-1)"], "error: optimizer.lr: 'loguniform(1e-4,1e-1)': "
         "a range or distribution is written with colons, not as a call: loguniform:1e-4:1e-1"),
        (["optimizer.lr=logspace(-4,-1,4)"], "not as a call: logspace:-4:-1:4"),
    ],
)  # fmt: skip
def test_bad_sweep_arguments_exit_2_with_one_line(tmp_path, args, message):
    cfg = write_config(tmp_path)
    result = invoke("sweep", "grid", cfg, *args, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


def test_the_sweeps_last_line_names_the_figures_in_its_folder(tmp_path):
    # (a newcomer read 'table + figures' in the README's tour and found no figure named: the
    # line gave the folder only, where compare-optimizers says 'figure: ...')
    cfg = write_config(tmp_path)
    result = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", runs_dir=tmp_path / "r")
    assert result.exit_code == 0, result.output
    run = sweep_dir(tmp_path / "r")
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"sweep folder: {run.path}  (trials: 2 trained, ")
    assert re.search(r"\d (ms|s); figure: curves\.png\)$", last) and run.file("curves.png").exists()


def test_a_spaced_axis_key_is_the_key_an_override_names(tmp_path):
    cfg = write_config(tmp_path)
    result = invoke("sweep", "grid", cfg, " optimizer . lr=0.5,0.1", "--dry-run", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "trial,optimizer.lr,seed,stack"
    assert [line.split(",")[1] for line in result.stdout.splitlines()[1:]] == ["0.5", "0.1"]


def test_run_uses_the_files_sweep_section_which_train_refuses(tmp_path):
    spec = {"kind": "grid", "params": {"optimizer.lr": [0.5, 0.1]}, "seed": 3}
    cfg = write_config(tmp_path, sweep=spec)
    result = invoke("train", cfg, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2 and "nnlab sweep run" in result.stderr
    result = invoke("sweep", "run", cfg, "--runs-dir", tmp_path / "r", "-q")
    assert result.exit_code == 0, result.output
    run = sweep_dir(tmp_path / "r")
    assert result.stderr == f"sweep folder: {run.path}  (figure: curves.png)\n"  # -q: no progress
    assert len(summary(run)) == 2 and run.meta["seed"] == 3
    cfg_plain = tmp_path / "plain.yaml"
    cfg_plain.write_text(yaml.safe_dump(TINY))
    result = invoke("sweep", "run", cfg_plain)
    assert result.exit_code == 2 and "no 'sweep:' section" in result.stderr


@pytest.mark.slow
def test_weight_scale_json_has_one_object_per_trial(tmp_path):
    result = invoke(
        "sweep",
        "weight-scale",
        "model.init_std=logspace:0:-2:2",
        "epochs=1",
        "--runs-dir",
        tmp_path / "r",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    trials = json.loads(result.stdout)
    assert len(trials) == 4
    for obj in trials:
        assert {"weight_scale", "batchnorm", "status", "final_train_acc", "final_test_acc"} <= set(
            obj
        )
    assert [(t["weight_scale"], t["batchnorm"]) for t in trials] == [
        (1.0, True),
        (1.0, False),
        (0.01, True),
        (0.01, False),
    ]
    run = sweep_dir(tmp_path / "r")
    assert run.file("weight-scale.png").exists() and run.file("weight-scale-summary.png").exists()
    result = invoke("sweep", "--resume", run.path, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2  # (every resume of a finished folder: runs.refuse_finished)
    assert result.stderr == f"error: {run.path}: already COMPLETED, nothing to resume\n"


def test_weight_scale_mnist_without_data_is_one_error(tmp_path):
    result = invoke(
        "sweep", "weight-scale", "--dataset", "mnist", "--data-dir", tmp_path, "epochs=1"
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "mnist" in result.stderr


def test_resume_command_and_option_refuse_a_non_sweep_and_a_subcommand(tmp_path):
    cfg = write_config(tmp_path)
    assert invoke("train", cfg, "--runs-dir", tmp_path / "r", "-q").exit_code == 0
    result = invoke("sweep", "resume", "latest", "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2 and "no sweep folders yet" in result.stderr
    result = invoke("sweep", "--resume", "latest", "grid", cfg)
    assert result.exit_code == 2 and "--resume takes no subcommand" in result.output


def test_runs_compare_shows_differing_keys_sorted_and_cut(tmp_path):
    cfg = write_config(tmp_path)
    r = tmp_path / "r"
    invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.05,0.005", "--runs-dir", r, "-q")
    result = invoke("runs", "compare", "latest", "--runs-dir", r, "--format", "json")
    rows = json.loads(result.stdout)
    assert [row["optimizer.lr"] for row in rows] == [0.5, 0.05, 0.005]
    assert "epochs_done" in rows[0] and "dataset.name" not in rows[0]  # shared keys left out
    result = invoke(
        "runs", "compare", "latest", "--runs-dir", r, "--sort", "final_train_acc", "--top", "2"
    )
    assert result.exit_code == 0, result.output
    result = invoke(
        "runs",
        "compare",
        "latest",
        "--runs-dir",
        r,
        "-s",
        "final_train_acc",
        "--top",
        "2",
        "-f",
        "csv",
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    accs = [
        float(line.split(",")[lines[0].split(",").index("final_train_acc")]) for line in lines[1:]
    ]
    assert accs == sorted(accs, reverse=True)
    result = invoke("runs", "compare", "latest", "--runs-dir", r, "--sort", "nope")
    assert result.exit_code == 2 and "no column 'nope'" in result.stderr


@pytest.mark.slow
def test_runs_compare_across_runs_and_a_sweep(tmp_path):
    cfg = write_config(tmp_path)
    r = tmp_path / "r"
    invoke("train", cfg, "--runs-dir", r, "-q", "epochs=1")
    invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "--runs-dir", r, "-q")
    single, swept = sorted(r.iterdir(), key=lambda p: (p / "sweep.yaml").exists())
    result = invoke("runs", "compare", single.name, swept.name, "--runs-dir", r, "-f", "json")
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert rows[0]["run"] == single.name and rows[0]["epochs"] == 1
    assert rows[1]["run"].startswith(swept.name + "/")
    assert {"optimizer.lr", "epochs"} <= set(rows[0])


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_killed_parallel_sweep_resumes_only_missing_trials_to_the_same_summary(tmp_path):
    spiral = {"name": "spiral", "n_per_class": 200, "n_test": 30}
    cfg = write_config(tmp_path, epochs=400, dataset=spiral)  # ~1.5 s per trial
    axes = ["optimizer.lr=0.5,0.2,0.1", "model.hidden=[16],[32]"]
    env = {**os.environ, "NNLAB_RUNS_DIR": str(tmp_path / "cut")}
    cmd = [sys.executable, "-m", "nnlab.cli", "sweep", "grid", str(cfg), *axes, "--jobs", "2"]
    cmd += ["--stack", "1"]  # trials one by one: some finish before the kill, some do not
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        metas = (tmp_path / "cut").glob("*/trials/*/meta.json")
        done = [m for m in metas if '"COMPLETED"' in m.read_text()]  # (written atomically)
        if len(done) >= 2 or proc.poll() is not None:
            break
        time.sleep(0.05)
    workers = children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # the workers notice that their parent died and exit (their trials become STALE)
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    run = sweep_dir(tmp_path / "cut")
    trial_runs = [runs.RunDir(p.parent) for p in run.path.glob("trials/*/meta.json")]
    assert run.status == "STALE" and "RUNNING" not in {t.status for t in trial_runs}
    finished = {t.id for t in trial_runs if t.status == "COMPLETED"}
    assert 1 <= len(finished) < 6, "the sweep finished before the kill; make trials longer"

    result = invoke("sweep", "--resume", run.path, "--jobs", "2", "--runs-dir", tmp_path)
    assert result.exit_code == 0, result.output
    assert f"{len(finished)} already done" in result.stderr
    for trial_id in finished:  # left alone: no resume recorded
        assert "resumes" not in runs.RunDir(run.path / "trials" / trial_id).meta
    reference = invoke("sweep", "grid", cfg, *axes, "--runs-dir", tmp_path / "ref", "-q")
    assert reference.exit_code == 0
    assert summary(run) == summary(sweep_dir(tmp_path / "ref"))
    assert run.status == "COMPLETED"


@pytest.mark.slow
@pytest.mark.parametrize(
    "axes",
    [
        ["model.init=std", "model.init_std=1.0,0.1,0.01"],
        ["optimizer.lr=1.0,0.3,0.1", "weight_decay=0,0.001"],  # per-net rates and decays
    ],
    ids=["init", "lr-decay"],
)
def test_stacked_and_unstacked_sweeps_print_the_same_results(tmp_path, axes):
    cfg = write_config(tmp_path, epochs=2)
    outputs = []
    for stack in ("1", "3"):
        result = invoke(
            "sweep", "grid", cfg, *axes, "--stack", stack, "-f", "json", "--runs-dir",
            tmp_path / stack,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(
            [
                {k: v for k, v in r.items() if k not in ("seconds", "stacked")}
                for r in json.loads(result.stdout)
            ]
        )
        run = sweep_dir(tmp_path / stack)
        assert run.meta["stack"] == int(stack)
        stacked = {runs.RunDir(t).meta.get("stacked") for t in (run.path / "trials").iterdir()}
        assert stacked == ({None} if stack == "1" else {3})
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_dask_executor_from_the_command_line_matches_the_local_sweep(tmp_path):
    pytest.importorskip("distributed")
    cfg = write_config(tmp_path, epochs=2)
    axes = ["model.init=std", "model.init_std=1.0,0.1", "optimizer.lr=0.5,0.1"]
    local = invoke("sweep", "grid", cfg, *axes, "--runs-dir", tmp_path / "local", "-q")
    dask = invoke(
        "sweep", "grid", cfg, *axes, "--executor", "dask", "--jobs", "2", "--runs-dir",
        tmp_path / "dask", "-q",
    )  # fmt: skip
    assert local.exit_code == 0 and dask.exit_code == 0, dask.output
    assert summary(sweep_dir(tmp_path / "dask")) == summary(sweep_dir(tmp_path / "local"))
    assert sweep_dir(tmp_path / "dask").meta["executor"] == "dask (LocalCluster of 2)"


def test_the_dask_executor_without_the_extra_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    cfg = write_config(tmp_path, epochs=1)
    result = invoke(
        "sweep", "grid", cfg, "optimizer.lr=0.1,0.2", "--executor", "dask", "--runs-dir",
        tmp_path / "runs",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "pip install 'nnlab[dask]'" in result.stderr
    assert "Traceback" not in result.output
    assert not list((tmp_path / "runs").glob("*")), "no sweep folder for a sweep that cannot run"


@pytest.mark.slow
@pytest.mark.parametrize("fixed", [True, False])
def test_weight_scale_with_batchnorm_fixed_shows_each_net_as_what_it_is(tmp_path, fixed):
    """``model.batchnorm=true`` (or false) makes that axis one value: the json, the table and
    the figures still read each trial's BatchNorm setting (it is no longer in the rows' swept
    values), rather than taking every net for a plain one."""
    from nnlab.sweep import finish, presets, run as sweep_run

    bn = "true" if fixed else "false"
    args = ["model.init_std=logspace:0:-2:2", "epochs=1", f"model.batchnorm={bn}"]
    result = invoke("sweep", "weight-scale", *args, "--runs-dir", tmp_path / "r", "-f", "json")
    assert result.exit_code == 0, result.output
    assert [t["batchnorm"] for t in json.loads(result.stdout)] == [fixed, fixed]
    run = sweep_dir(tmp_path / "r")
    meta = json.loads(run.file("meta.json").read_text())  # (a finished sweep is not resumed:
    run.file("meta.json").write_text(json.dumps({**meta, "status": "INTERRUPTED"}))  # its table
    result = invoke("sweep", "--resume", run.path, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 0, result.output
    statuses = [line.split("│")[-2].strip() for line in result.stdout.splitlines()
                if line.startswith("│ ")]  # fmt: skip
    assert len(statuses) == 2 and all(
        (s.endswith("/-") if fixed else s.startswith("-/")) for s in statuses
    ), result.stdout
    preset = presets.get("weight-scale")
    defn, _ = sweep_run.load_sweep(run)
    rows = sweep_run.sweep_rows(run)
    drawings = preset.figures(run, preset.complete(rows, defn), finish.trial_curves(run, rows))
    shown, hidden = ("bn", "plain") if fixed else ("plain", "bn")
    assert all(p[shown] and not p[hidden] for p in drawings[0].args[0])


def test_runs_compare_latest_is_the_newest_run_or_sweep_not_any_newer_folder(tmp_path):
    """'latest' is the newest folder of the kind the command needs: a newer landscape (or
    lr-scan, tune, ...) folder is not a run to compare; named, it is one clear error."""
    cfg = write_config(tmp_path)
    r = tmp_path / "r"
    invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.05", "--runs-dir", r, "-q")
    with runs.start(r, "other", "landscape") as life:
        life.run.write_text("config.yaml", cfg.read_text())
    result = invoke("runs", "compare", "latest", "--runs-dir", r, "-s", "final_train_acc")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("optimizer.lr") == 1 and "2 runs" in result.stdout
    result = invoke("runs", "compare", life.run.path, "--runs-dir", r)
    assert result.exit_code == 2
    assert "a landscape folder; this command needs a train, sweep or tune folder" in result.stderr


@pytest.mark.parametrize("kind", ["grid", "random"])
def test_a_misspelt_distribution_in_a_sweep_file_is_named(tmp_path, kind):
    # (it was one value: "not a valid number", or "nothing to sweep")
    sweep = {"kind": kind, "params": {"optimizer.lr": "log-uniform:1e-3:1"}}
    cfg = write_config(tmp_path, sweep={**sweep, **({"trials": 2} if kind == "random" else {})})
    result = invoke("sweep", "run", cfg, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2
    assert "did you mean 'loguniform'?" in result.stderr and "\n" not in result.stderr.strip()
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "before", [["--runs-dir", "elsewhere"], ["-f", "json"], ["--jobs", "2"], ["-q"]]
)
def test_a_sweep_option_before_the_subcommand_is_refused_not_ignored(tmp_path, monkeypatch, before):
    # (`nnlab sweep --runs-dir X grid ...` wrote the sweep into runs/, `-f json` printed a table)
    monkeypatch.chdir(tmp_path)
    cfg = write_config(tmp_path)
    result = invoke("sweep", *before, "grid", cfg, "optimizer.lr=0.5,0.1", "epochs=1")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "given before the subcommand, where only --resume reads it" in line, line
    assert "nnlab sweep grid ... " in line and "\n" not in line
    assert not (tmp_path / "elsewhere").exists() and not Path("runs").exists()


# ----------------------------------------------------------------------------- the sweep: section
LR = {"optimizer.lr": [0.5, 0.1]}
RANDOM = {"kind": "random", "trials": 2}
MALFORMED_SECTIONS = [
    # not a mapping
    [1, 2], 7, "grid", None, True, [], [{"params": LR}],
    # params: not a mapping of config keys, or a value no axis can be
    {"params": 7}, {"params": [1, 2]}, {"params": None}, {"params": "optimizer.lr=0.1,0.2"},
    {"params": {1: [1, 2]}}, {"params": {None: [1, 2]}}, {"params": {"": [1]}},
    {"params": {"optimizer.lrr": [1, 2]}}, {"params": {"lr": [1, 2]}},
    {"params": {"optimizer": {"lr": [0.1, 0.2]}}}, {"params": {"optimizer.lr": {"a": 1}}},
    {"params": {"optimizer.lr": []}}, {"params": {"optimizer.lr": "logspace:0:400:3"}},
    {"params": {"optimizer.lr": "logspace:a:b:c"}}, {"params": {"optimizer.lr": "linspace:0:1"}},
    {"params": {"optimizer.lr": "loguniform:1e-3:1"}},
    {"params": {"optimizer.lr": "log-uniform:1e-3:1"}},
    {**RANDOM, "params": {"optimizer.lr": "loguniform:0:1"}},
    {**RANDOM, "params": {"optimizer.lr": "uniform:1"}},
    {**RANDOM, "params": {"optimizer.lr": "uniform:1:0"}},
    {**RANDOM, "params": {"optimizer.lr": []}},
    {**RANDOM, "params": {"epochs": "randint:1.5:3"}},
    {**RANDOM, "params": {"optimizer.lr": "choice:0.1,,0.2"}},
    # kind, trials, seed
    {"kind": 7, "params": LR}, {"kind": ["grid"], "params": LR}, {"kind": None, "params": LR},
    {"kind": "grud", "params": LR}, {"kind": "random", "params": LR},
    {"trials": 3, "params": LR}, {**RANDOM, "trials": 0, "params": LR},
    {**RANDOM, "trials": "x", "params": LR}, {**RANDOM, "trials": True, "params": LR},
    {**RANDOM, "trials": 1.5, "params": LR}, {**RANDOM, "trials": [2], "params": LR},
    {**RANDOM, "trials": 10**9, "params": LR},
    {"seed": -1, "params": LR}, {"seed": "x", "params": LR}, {"seed": [1], "params": LR},
    {"seed": {}, "params": LR}, {"seed": True, "params": LR}, {"seed": 2**40, "params": LR},
    {"seed": 0.5, "params": LR},
    # share_seed
    {"share_seed": "optimizer.lr", "params": LR}, {"share_seed": 7, "params": LR},
    {"share_seed": [7], "params": LR}, {"share_seed": [None], "params": LR},
    {"share_seed": ["weight_decay"], "params": LR}, {"share_seed": {"a": 1}, "params": LR},
    {"share_seed": [["optimizer.lr"]], "params": LR}, {"share_seed": None, "params": LR},
    # unknown keys
    {"kinds": "grid", "params": LR}, {"param": LR}, {"params": LR, "extra": 1},
]  # fmt: skip
READERS = [  # every command that reads a config file
    ["sweep", "grid"], ["sweep", "random", "-n", "2"], ["sweep", "run"], ["train"],
    ["tune", "--trials", "1"], ["lr-scan"], ["gradcheck"], ["landscape"],
]  # fmt: skip


def test_a_malformed_sweep_section_is_the_same_one_line_in_every_command(tmp_path, monkeypatch):
    """Each of ``MALFORMED_SECTIONS`` through every command that reads a config file: exit 2,
    the same one ``error:`` line naming the file and the key's path under ``sweep``, no
    folder; never an 'unexpected' error (``sweep: [1, 2]`` was an AttributeError in the sweep
    commands, ``params: 7`` a TypeError) and never ignored (``tune`` ran)."""
    import contextlib

    monkeypatch.setattr("nnlab.cli.sweep.early_painters", lambda n: contextlib.nullcontext())
    monkeypatch.chdir(tmp_path)
    cfg, runs_dir = tmp_path / "tiny.yaml", tmp_path / "runs"
    for section in MALFORMED_SECTIONS:
        cfg.write_text(yaml.safe_dump({**TINY, "sweep": section}))
        lines = set()
        for command in READERS:
            result = invoke_many(*command, cfg, "--runs-dir", runs_dir)
            lines.add(one_error_line(result))
            assert not runs_dir.exists(), (section, command)
        assert len(lines) == 1, (section, lines)
        (line,) = lines
        # (a key of no text is refused where the YAML is read, at its line, in any section)
        params = section.get("params") if isinstance(section, dict) else None
        said = (
            "malformed YAML: a key of no text ('')"
            if isinstance(params, dict) and "" in params
            else ""
        )
        assert line.startswith(f"error: {cfg}: sweep") or (said and said in line), (section, line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ([1, 2], "sweep: expected a mapping of kind, params, trials, seed, share_seed, colour_by, "
         "got [1, 2]"),
        ({"params": 7}, "sweep.params: expected a mapping of config keys to values"),
        ({"params": {"optimizer.lrr": [1]}}, "sweep.params: unknown config key 'optimizer.lrr' "
         "(did you mean 'optimizer.lr'?)"),
        # (a key without its section had no hint: 'unknown config key 'lr'', where the axis
        # lr=0.1,0.2 and the override lr=0.1 say 'optimizer.lr')
        ({"params": {"lr": [0.1, 0.2]}}, "sweep.params: unknown config key 'lr' (did you mean "
         "'optimizer.lr'?)"),
        ({"params": {"optimizer": {"lr": [1]}}}, "sweep.params.optimizer: expected a list of "
         "values, a range or one value, got a mapping"),
        ({"params": {"optimizer.lr": "logspace:0:400:3"}}, "sweep.params.optimizer.lr: "
         "'logspace:0:400:3': values overflow"),
        ({"params": LR, "share_seed": "optimizer.lr"}, "sweep.share_seed: expected a list of "
         "swept keys, got 'optimizer.lr'"),
        ({"params": LR, "share_seed": ["weight_decay"]}, "sweep.share_seed: 'weight_decay' is "
         "not a swept key"),
        ({"params": {"seed": [1, 2]}, "share_seed": ["seed"]}, "sweep.share_seed: 'seed' is the "
         "swept value itself (each trial runs with its own value of seed"),
        ({"params": LR, "kinds": "grid"}, "sweep: unknown key 'kinds' (did you mean 'kind'?)"),
    ],
)  # fmt: skip
def test_a_malformed_sweep_section_names_the_key_path_and_what_was_expected(
    tmp_path, section, message
):
    cfg = write_config(tmp_path, sweep=section)
    line = one_error_line(invoke("sweep", "run", cfg, "--runs-dir", tmp_path / "r"))
    assert line.startswith(f"error: {cfg}: {message}"), line


# ----------------------------------------------------------------------------- --share-seed
@pytest.mark.slow
def test_share_seed_gives_trials_differing_only_in_that_key_the_same_start(tmp_path):
    """Trial seeds are derived from each trial's config, so a grid over optimizer.lr also
    varies the initial weights and minibatch order; ``--share-seed optimizer.lr`` leaves lr out
    of the seed: both trials get one seed, and their records before training (epoch 0: the
    same weights on the same data) are identical. Recorded in sweep.yaml's spec."""
    cfg = write_config(tmp_path)
    starts = {}
    for shared in ([], ["--share-seed", "optimizer.lr"]):
        runs_dir = tmp_path / ("shared" if shared else "derived")
        args = ["optimizer.lr=0.5,0.1", "epochs=1", *shared, "--runs-dir", runs_dir, "-q"]
        result = invoke("sweep", "grid", cfg, *args)
        assert result.exit_code == 0, result.output
        run = sweep_dir(runs_dir)
        rows = summary(run)
        trials = [runs.RunDir(run.file(runs.TRIALS) / r["trial"]) for r in rows]
        starts[bool(shared)] = (
            [r["seed"] for r in rows],
            [
                {k: v for k, v in t.metrics()[0].items() if k not in ("lr", "seconds")}
                for t in trials
            ],
            run.config("sweep.yaml")["spec"]["share_seed"],
        )
    seeds, epoch0, recorded = starts[True]
    assert seeds[0] == seeds[1] and epoch0[0] == epoch0[1] and recorded == ["optimizer.lr"]
    assert epoch0[0]["epoch"] == 0
    seeds, epoch0, recorded = starts[False]
    assert seeds[0] != seeds[1] and epoch0[0] != epoch0[1] and recorded == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--share-seed", "weight_decay"], "--share-seed: 'weight_decay' is not a swept key; "
         "this sweep varies optimizer.lr"),
        (["--share-seed", "optimizer.lrr"], "--share-seed: 'optimizer.lrr' is not a swept key "
         "(did you mean 'optimizer.lr'?)"),
        (["--share-seed", "optimizer.lr,"], "--share-seed: '' is not a swept key"),
        (["seed=1,2", "--share-seed", "seed"], "--share-seed: 'seed' is the swept value itself"),
    ],
)  # fmt: skip
def test_a_share_seed_key_that_is_not_swept_is_one_error_line(tmp_path, args, message):
    cfg = write_config(tmp_path)
    for command in (["grid"], ["random", "-n", "2"], ["run"]):
        result = invoke("sweep", *command, cfg, "optimizer.lr=0.5,0.1", *args, "--runs-dir",
                        tmp_path / "r")  # fmt: skip
        if command == ["run"]:  # (a file without a section: that is said first)
            assert "no 'sweep:' section" in one_error_line(result)
            continue
        assert result.exit_code == 2 and message in one_error_line(result), command
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("args", "asked", "distinct"),
    [(["random", "--trials", "6", "optimizer.lr=choice:0.1,0.2"], 6, 2),
     (["grid", "optimizer.lr=0.1,0.10,1e-1"], 3, 1)],
    ids=["random draws again", "grid value given twice"],
)  # fmt: skip
def test_a_sweep_that_asks_for_repeats_says_how_many_distinct_trials_run(tmp_path, args, asked,
                                                                           distinct):  # fmt: skip
    # (it ran the distinct trials without a word: --trials 6 ran 2)
    kind, *rest = args
    cfg = write_config(tmp_path, epochs=1)
    result = invoke("sweep", kind, cfg, *rest, "-q", "--runs-dir", tmp_path / "r")
    assert result.exit_code == 0, result.output
    assert f"{asked} trials asked, {distinct} distinct: the others would repeat" in result.stderr
    assert len(list((sweep_dir(tmp_path / "r").path / "trials").iterdir())) == distinct
    plain = invoke("sweep", "grid", cfg, "optimizer.lr=0.1,0.2", "-q", "--runs-dir", tmp_path / "s")
    assert plain.exit_code == 0 and "asked" not in plain.stderr


def test_a_sweep_of_seed_has_one_seed_column(tmp_path):
    # (runs show SWEEP and summary.txt had two: the swept key and the trial's seed)
    cfg = write_config(tmp_path)
    result = invoke("sweep", "grid", cfg, "seed=1,2", "-q", runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    run = sweep_dir(tmp_path / "runs")
    shown = invoke("runs", "show", run.path).stdout
    for text in (shown, run.file("summary.txt").read_text()):
        header = next(line for line in text.splitlines() if " trial " in line)
        assert header.split().count("seed") == 1, header


def test_a_folder_of_another_kind_is_named_with_its_article(tmp_path):
    # (it said 'a lr-scan folder', 'a activations folder')
    cfg = write_config(tmp_path)
    r = tmp_path / "r"
    for kind in ("lr-scan", "activations"):
        with runs.start(r, kind, kind) as life:
            life.run.write_text("config.yaml", cfg.read_text())
        result = invoke("runs", "compare", life.run.path, "--runs-dir", r)
        assert result.exit_code == 2
        assert (
            f"an {kind} folder; this command needs a train, sweep or tune folder" in result.stderr
        )


def test_runs_show_of_a_sweep_on_a_narrow_terminal_prints_records_not_a_wide_table(tmp_path):
    # (its trials' table, drawn at full width for summary.txt, was printed 133 columns wide
    # in an 80-column terminal, where `runs list` and the sweep's own table print records)
    cfg = write_config(tmp_path)
    result = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "-q", runs_dir=tmp_path / "r")
    assert result.exit_code == 0, result.output
    run = sweep_dir(tmp_path / "r")
    terminal = {"TTY_COMPATIBLE": "1", "COLUMNS": "80"}  # (rich: stdout is a terminal)
    shown = invoke("runs", "show", run.path, env=terminal).stdout
    title = f"{run.id}: COMPLETED (2 COMPLETED)"
    trials = shown.split(title + "\n")[1].splitlines()
    assert trials and all(len(line) <= 80 for line in trials), shown
    ids = [r["trial"] for r in run.read_json("summary.json")["trials"]]
    assert all(trial in trials for trial in ids)  # (each trial's id on a line of its own)
    assert any(line.startswith("    optimizer.lr 0.5") for line in trials), shown
    wide = invoke("runs", "show", run.path, env={**terminal, "COLUMNS": "300"}).stdout
    piped = invoke("runs", "show", run.path).stdout
    assert "┃ trial " in wide and "┃ trial " in piped  # (a wide terminal, a pipe: the table)


def test_a_sweep_resume_over_the_work_limit_advises_what_a_resume_can_do(tmp_path):
    # (it said "make it shorter (fewer epochs, samples or trials, ...)": a resume cannot)
    from tests.conftest import RESUME

    cfg = write_config(tmp_path)
    args = ["sweep", "grid", cfg, "optimizer.lr=0.1,0.5", "epochs=1", "-q"]
    assert invoke(*args, "--runs-dir", tmp_path / "r").exit_code == 0
    run = sweep_dir(tmp_path / "r")
    for path in (run.file("meta.json"), *run.path.glob("trials/*/meta.json")):
        meta = json.loads(path.read_text())
        path.write_text(json.dumps({**meta, "status": "INTERRUPTED"}))
    before = {p: p.read_bytes() for p in run.path.rglob("*") if p.is_file()}
    env = {"NNLAB_MAX_HOURS": "1e-12"}
    line = one_error_line(
        invoke("sweep", "--resume", run.path, "--runs-dir", tmp_path / "r", env=env)
    )
    assert line.startswith("error: training tiny ") and "make it shorter" not in line
    assert RESUME in line
    assert {p: p.read_bytes() for p in run.path.rglob("*") if p.is_file()} == before


def test_a_folder_of_another_kind_names_the_command_that_takes_it(tmp_path):
    # (train --resume SWEEP said only 'this command needs a train folder', not that
    # 'nnlab sweep --resume SWEEP' continues it; --extend and landscape RUN, not that a
    # trial of it is what they take; runs compare, not what reads a landscape. A tune it
    # compares: its rounds' trials, test_runs_compare_tune)
    cfg, r = write_config(tmp_path), tmp_path / "r"
    made = []
    for kind in ("sweep", "tune", "landscape"):
        with runs.start(r, kind, kind) as life:
            life.run.write_text("config.yaml", cfg.read_text())
        made.append(life.run.path)
    sweep, tune, land = made
    cases = [
        (("train", "--resume", sweep), f"to continue a sweep folder: nnlab sweep --resume {sweep}"),
        (("sweep", "--resume", tune), f"to continue a tune folder: nnlab tune --resume {tune}"),
        (("tune", "--resume", sweep), f"to continue a sweep folder: nnlab sweep --resume {sweep}"),
        (
            ("train", "--extend", sweep, "epochs=9"),
            f"give one of its trials (listed by nnlab runs show {sweep})",
        ),
        (("landscape", tune), f"give one of its trials (listed by nnlab runs show {tune})"),
        (("runs", "compare", land), f"to read a landscape folder: nnlab runs show {land}"),
    ]
    for args, hint in cases:
        result = invoke(*args, "--runs-dir", r)
        assert result.exit_code == 2, (args, result.output)
        assert one_error_line(result).endswith(hint), (args, result.stderr)


@pytest.mark.parametrize("value", ["0.1", ["0.1"]])
def test_a_quoted_single_value_in_a_sweep_file_is_named_as_the_files_key(tmp_path, value):
    # (it was named as a trial: 'sweep trial (optimizer.lr='0.1', seed=1): ...')
    sweep = {"kind": "grid", "params": {"optimizer.lr": value, "seed": [1, 2]}}
    cfg = write_config(tmp_path, sweep=sweep)
    line = one_error_line(invoke("sweep", "run", cfg, "--dry-run"))
    assert line.startswith(f"error: {cfg}: sweep: params: optimizer.lr: expected a number"), line
    assert "'0.1' is quoted" in line


def test_an_unquoted_single_value_in_a_sweep_file_is_one_axis_value(tmp_path):
    # (optimizer.lr: 0.1 was 'unexpected TypeError: 'float' object is not iterable')
    sweep = {"kind": "grid", "params": {"optimizer.lr": 0.1, "seed": [1, 2]}}
    result = invoke("sweep", "run", write_config(tmp_path, sweep=sweep), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 trials to train" in result.stderr + result.stdout
