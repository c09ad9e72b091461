"""``nnlab lr-scan``: the table on stdout, JSON, the run folder and figure copy, error exits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nnlab.experiments.lr_scan import step_sizes
from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "digits-quickstart.yaml")
SMALL = ["dataset.n_train=300", "model.hidden=[20]"]


def test_lr_scan_prints_the_table_and_writes_run_folder_and_png(tmp_path):
    png = tmp_path / "docs" / "lr-scan.png"
    (tmp_path / "docs").mkdir()  # (--png writes into a folder that exists)
    args = ["lr-scan", CONFIG, *SMALL, "--min", "-3", "--max", "0", "--num", "4"]
    result = invoke(*[*args, "--epochs", "1", "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert "step_loss" in result.stdout and "best" in result.stdout
    (run,) = (tmp_path / "runs").iterdir()
    assert run.name.split("-", 2)[2].startswith("lr-scan-digits-quickstart")
    assert (run / "lr-scan.png").stat().st_size > 1000
    result = invoke(*args, "--epochs", "0", "--out", str(tmp_path / "x"), "--png", str(png))
    assert result.exit_code == 0, result.output
    assert png.exists() and (tmp_path / "x" / "summary.json").exists()


def test_lr_scan_json_has_rows_and_best_rates(tmp_path):
    args = ["lr-scan", CONFIG, *SMALL, "--min", "-2", "--max", "-1", "--num", "2", "--epochs", "0"]
    result = invoke(*[*args, "--runs-dir", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["rows"]) == 2 and doc["best_step_lr"] in (0.01, 0.1)
    assert "curves" not in doc and doc["run"].startswith(str(tmp_path))


def test_lr_scan_bad_range_and_bad_override_exit_2(tmp_path):
    result = invoke(*["lr-scan", CONFIG, "--num", "0", "--runs-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--num" in result.output
    result = invoke(*["lr-scan", CONFIG, "optimizer.lrr=1", "--runs-dir", str(tmp_path)])
    assert result.exit_code == 2 and "did you mean" in result.output
    result = invoke(*["lr-scan", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "not found" in result.output
    assert not any(tmp_path.iterdir())


def test_lr_scan_progress_says_how_each_rate_ended_and_the_title_explains_the_columns(tmp_path):
    # rate 1 trains, 1e4 diverges in the first epoch (the config's net: the small one does not)
    args = ["lr-scan", CONFIG, "dataset.n_train=300", "--min", "0", "--max", "4", "--num", "2"]
    result = invoke(*args, "--epochs", "1", runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    # (each rate counted and timed as a sweep's trial: 'rate 1/2, 0.3 s elapsed, ~0.3 s left: ')
    lines = [line for line in result.stderr.splitlines() if line.startswith("rate ")]
    assert re.match(r"rate 1/2, \d+(\.\d)? m?s elapsed, ~\d+(\.\d)? m?s left: ", lines[0])
    progress = [line.split(": ", 1)[1] for line in lines]
    assert progress[0].startswith("lr 1: COMPLETED after 1 epoch, train_loss ")
    assert progress[1] == "lr 10000: DIVERGED at epoch 1 (not finite)"
    title = result.stdout.split("┏")[0]
    assert "step_change  step_loss - L(W): the actual change over that step" in title
    assert "close to -lr*|g|^2 only while lr is small" in title
    assert "train_loss   the train split's data loss after 1 epoch of training at lr" in title
    assert "(evaluation mode, no L2 term, as a run's train_loss; not L)" in title
    assert "diverged     the part that went non-finite" in title
    assert all(len(line) <= 80 for line in title.splitlines()[1:])  # (the first has the id)


def test_a_bad_override_is_answered_with_what_the_scan_takes(tmp_path):
    # (each said 'expected key.sub=value (e.g. optimizer.lr=0.1)', a key the scan refuses)
    for override, said in (
        ("epochs", "override 'epochs': not used: the scan trains --epochs epochs"),
        ("batch_size", "override 'batch_size': no value; expected batch_size=<value>"),
        ("lr0.1", "override 'lr0.1': expected key.sub=value (e.g. model.hidden=[50])"),
    ):
        result = invoke("lr-scan", CONFIG, override, "--num", "2", "--runs-dir", str(tmp_path))
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"error: {said}"), result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_override_of_a_key_the_scan_sets_is_refused_not_dropped(tmp_path):
    # (epochs=7 trained the default 2 epochs a rate, optimizer.lr=0.3 did nothing, and
    # meta.json recorded both)
    for override, why in (("epochs=7", "give --epochs instead"),
                          ("optimizer.lr=0.3", "the scan sets it to each rate")):  # fmt: skip
        result = invoke("lr-scan", CONFIG, override, "--num", "2", "--runs-dir", str(tmp_path))
        assert result.exit_code == 2, result.output
        assert f"error: override '{override}': not used: " in result.stderr and why in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_scan_is_checked_as_it_trains_not_as_its_config_file_would(tmp_path):
    # (a config of 1,000,000 epochs was refused as days of work, though the scan trains
    # --epochs epochs at each rate)
    cfg = tmp_path / "long.yaml"
    cfg.write_text("name: long\ndataset: {name: digits, n_train: 1500}\nmodel: {hidden: [8]}\n"
                   "epochs: 1000000\nbatch_size: 1\n")  # fmt: skip
    args = ["lr-scan", str(cfg), "--num", "2", "--epochs", "1", "-q", "--runs-dir", str(tmp_path)]
    result = invoke(*args)
    assert result.exit_code == 0, result.output


def test_num_below_2_is_refused_with_the_bound_in_its_help(tmp_path):
    # (--num 1 scanned only 10^max, whatever --min said, and -h showed [1<=x<=1000])
    result = invoke("lr-scan", CONFIG, "--min", "-4", "--max", "-1", "--num", "1",
                    "--runs-dir", tmp_path)  # fmt: skip
    assert result.exit_code == 2 and result.stdout == ""
    assert "--num: expected an integer from 2 to 1000, got 1" in result.stderr
    assert not tmp_path.exists() or not any(tmp_path.iterdir())
    help_text = " ".join(invoke("lr-scan", "-h", env={"COLUMNS": "200"}).stdout.split())
    assert "2<=x<=1000" in help_text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--min", "1e-5", "--max", "0.1"], "--min: 1e-05 is read as a power of ten"),
        (["--min", "-5", "--max", "0.1"], "--max: 0.1 is read as a power of ten (10^0.1 = 1.26), "
         "not a step size; for the step size 0.1 give --max -1"),
        (["--min", "3e-4", "--max", "1"], "for the step size 0.0003 give --min -3.52"),
    ],
)  # fmt: skip
def test_a_step_size_given_where_its_power_of_ten_goes_is_refused(tmp_path, args, says):
    # (--min 1e-5 --max 0.1 scanned the rates 10^0.00001 .. 10^0.1, 1 to 1.26, exit 0, with a
    # note to widen the range)
    result = invoke("lr-scan", CONFIG, *args, "--runs-dir", tmp_path)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and says in result.stderr
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_exponents_at_and_above_zero_still_scan():
    # (0 is the rate 1, and 0.5 an exponent no rate is written as: not refused)
    assert step_sizes(0, 1, 2) == [1.0, 10.0] and len(step_sizes(-2, 0.5, 2)) == 2


def test_a_scan_ends_with_the_training_at_its_best_rate_and_that_command_runs(tmp_path):
    # (the terminal said only 'best' in a column: what to run next was the report's alone)
    args = ["lr-scan", CONFIG, *SMALL, "--min", "-3", "--max", "1", "--num", "5", "--epochs", "1"]
    result = invoke(*args, runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    (scan,) = tmp_path.iterdir()
    lr = json.loads((scan / "summary.json").read_text())["best_train_lr"]
    assert 1e-3 < lr < 10  # (not an end of the range: then the note says to widen it)
    line = (
        f"next: nnlab train {scan}/config.yaml optimizer.lr={lr:g} --runs-dir {tmp_path} (the "
        "rate of the lowest "
    )
    last = f"run folder: {scan}  (figure: lr-scan.png)"  # (it named the folder alone)
    assert f"\n{line}train_loss after 1 epoch)\n{last}\n" in result.stderr
    command = line.removeprefix("next: nnlab ").split(" (")[0].split()
    trained = invoke(*command, "epochs=1", "-q")  # (as pasted: into the scan's runs folder)
    assert trained.exit_code == 0, trained.output
    assert len(list(tmp_path.iterdir())) == 2  # (pasted, it wrote into ./runs: --runs-dir)


def test_a_best_rate_at_an_end_of_the_range_is_widened_first_not_trained_at(tmp_path):
    # (next: is the scan again over the range its note widens: the report's page offered the
    # training at that rate all the same, the terminal nothing)
    import shlex

    from nnlab.report import build_report
    from tests.report.test_next_steps import commands

    args = ["lr-scan", CONFIG, *SMALL, "--min", "-4", "--max", "-3", "--num", "2", "--epochs", "1"]
    result = invoke(*args, runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    # (both best rates are 0.001: one note says it, and next: does not say it again)
    assert (
        "note: the best one-step and training rate 0.001 is the largest one scanned; widen the "
        "range, e.g. --max -2" in result.stderr
    )
    assert "note: the best training rate" not in result.stderr
    (scan,) = tmp_path.iterdir()
    line = next(line for line in result.stderr.splitlines() if line.startswith("next: "))
    assert line == (
        f"next: nnlab lr-scan {scan}/config.yaml --min -4 --max -2 --num 3 --epochs 1 --runs-dir "
        f"{tmp_path} (a wider range)"
    )
    built = build_report((), tmp_path, tmp_path / "report")
    offered = commands((built.out / scan.name / "index.html").read_text())
    then = line.removeprefix("next: ").split(" (a wider")[0]
    assert then in offered.values() and not any(
        c.startswith("nnlab train") for c in offered.values()
    )
    again = invoke(*shlex.split(then)[1:], "-q", runs_dir=tmp_path / "again")
    assert again.exit_code == 0, again.output


def test_the_training_a_scan_offers_keeps_its_data_dir(tmp_path):
    # (it left --data-dir out: an MNIST scan's 'next:' command looked for the data in the
    # default folder, 'MNIST not found in ~/.cache/nnlab/mnist'; the report's page kept it)
    import shlex

    data = tmp_path / "my data"
    data.mkdir()  # (a --data-dir that does not exist is refused)
    args = ["lr-scan", CONFIG, *SMALL, "--min", "-3", "--max", "1", "--num", "5", "--epochs", "1"]
    result = invoke(*args, "--data-dir", data, runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stderr.splitlines() if line.startswith("next: "))
    command = shlex.split(line.removeprefix("next: nnlab ").split(" (the rate")[0])
    assert command[-4:] == ["--data-dir", str(data), "--runs-dir", str(tmp_path / "runs")]
    trained = invoke(*command, "epochs=1", "-q")
    assert trained.exit_code == 0, trained.output
