"""``nnlab runs list --last N --status S``: the folders that started last, of one status."""

from __future__ import annotations

import json

import pytest

from nnlab.experiments.listing import list_runs
from tests.conftest import fake_run, invoke


def started(second: int) -> str:
    return f"2025-01-01T00:00:{second:02d}.000+00:00"


@pytest.fixture
def five(tmp_path):
    """Five finished trainings, named against the order they started in (a name from
    ``--out`` says nothing of when): c1 first, then a5, e2, b4, d3."""
    root = tmp_path / "runs"
    order = ["c1", "a5", "e2", "b4", "d3"]
    statuses = ["COMPLETED", "FAILED", "COMPLETED", "FAILED", "DIVERGED"]
    for second, (name, status) in enumerate(zip(order, statuses, strict=True)):
        run = fake_run(root, name, status, started=started(second))
        (run.path / "summary.json").write_text(json.dumps({"status": status}))
    return root


def ids(rows):
    return [row["run"] for row in rows]


def test_every_folder_oldest_first_by_its_start_not_its_name(five):
    assert ids(list_runs(five)) == ["c1", "a5", "e2", "b4", "d3"]


def test_last_keeps_the_folders_that_started_last_still_oldest_first(five):
    assert ids(list_runs(five, last=2)) == ["b4", "d3"]
    assert ids(list_runs(five, last=1)) == ["d3"]
    assert ids(list_runs(five, last=50)) == ids(list_runs(five))


def test_status_keeps_one_status_and_last_counts_among_those(five):
    assert ids(list_runs(five, status="FAILED")) == ["a5", "b4"]
    assert ids(list_runs(five, status="completed", last=1)) == ["e2"]
    assert list_runs(five, status="RUNNING") == []


def test_where_status_takes_any_case_as_status_does(five):
    # (--where status=completed kept none: each folder's is COMPLETED)
    assert ids(list_runs(five, where=["status=completed"])) == ["c1", "e2"]
    assert ids(list_runs(five, where=["status=Failed,diverged"])) == ["a5", "b4", "d3"]


def test_a_variant_key_takes_a_value_one_variant_takes(five):
    # (optimizer.momentum=0 is momentum's; nesterov's must be above 0: no refusal)
    assert list_runs(five, where=["optimizer.momentum=0"]) == []
    assert list_runs(five, where=["optimizer.beta1=0.9", "dataset.train_file=a.h5"]) == []


def test_a_damaged_folder_is_listed_at_its_start_and_found_by_status(five):
    (five / "e2" / "metrics.jsonl").write_bytes(b"\xff\n")  # (meta.json still reads)
    rows = list_runs(five)
    assert ids(rows) == ["c1", "a5", "e2", "b4", "d3"] and rows[2]["status"] == "DAMAGED"
    assert ids(list_runs(five, status="damaged")) == ["e2"]
    (five / "zz").mkdir()
    (five / "zz" / "meta.json").write_text("{")  # (no start to read: before all others)
    assert ids(list_runs(five))[0] == "zz"


def test_last_leaves_the_older_folders_files_unread(five):
    (five / "c1" / "metrics.jsonl").write_bytes(b"\xff\n")
    assert "DAMAGED" in [row["status"] for row in list_runs(five)]
    assert [row["status"] for row in list_runs(five, last=4)] == [
        "FAILED", "COMPLETED", "FAILED", "DIVERGED",
    ]  # fmt: skip


def test_the_command_says_which_folders_it_lists(five):
    result = invoke("runs", "list", "--last", "2", "--status", "failed", runs_dir=five)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"the last 2 FAILED folders in {five}"
    result = invoke("runs", "list", "--last", "1", "-k", "train", "-f", "json", runs_dir=five)
    assert [row["run"] for row in json.loads(result.stdout)] == ["d3"]
    result = invoke("runs", "list", "--status", "RUNNING", "--last", "3", runs_dir=five)
    assert result.exit_code == 0 and result.stderr.strip() == f"no RUNNING folders under {five}"


@pytest.mark.parametrize(
    ("args", "title"),
    [
        (["--last", "9"], "all 5 folders in {five}"),
        (["--last", "9", "--status", "failed"], "all 2 FAILED folders in {five}"),
        (["--last", "9", "-k", "train", "--status", "diverged"], "the one DIVERGED train folder in {five}"),
        (["--last", "5"], "the last 5 folders in {five}"),
    ],
)  # fmt: skip
def test_a_last_beyond_the_folders_there_says_how_many_it_lists(five, args, title):
    # (it said 'the last 9 folders in ...' above the five there were)
    result = invoke("runs", "list", *args, runs_dir=five)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == title.format(five=five)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--status", "done"], "error: --status: expected one of RUNNING, COMPLETED, DIVERGED, "
         "FAILED, INTERRUPTED, STALE, DAMAGED, UNREADABLE, got 'done'"),
        (["--last", "0"], "error: --last: expected an integer from 1 to 1000000, got 0"),
        # (each kept no folder, 'no folders under runs where ...', or named the wrong key)
        (["--where", "model=relu"], "error: --where: no config key 'model' (model is a section "
         "of keys: hidden, activation, init, init_std, batchnorm, dropout; did you mean "
         "model.activation=relu?)"),
        (["--where", "optimizer.lr=0.1;0.2"], "error: --where 'optimizer.lr=0.1;0.2': values "
         "are separated by commas, not ';': optimizer.lr=0.1,0.2"),
        (["--where", "model.hidden=100,50"], "error: --where 'model.hidden=100,50': "
         "model.hidden's value is a list, in brackets: model.hidden=[100,50] (any of several, "
         "each in brackets: model.hidden=[100],[50])"),
        (["--where", "model.activation=relux"], "error: --where: model.activation: input "
         "should be 'relu', 'sigmoid' or 'tanh', got 'relux' (did you mean 'relu'?); no run "
         "has it"),
        (["--where", "optimizer.name=adamw"], "error: --where: optimizer.name: expected one of "
         "sgd, momentum, nesterov, adagrad, rmsprop, adam, got 'adamw' (AdamW, decoupled weight "
         "decay, is not in nnlab; nearest: adam with weight_decay"),
        (["--where", "epochs=-1"], "error: --where: epochs: input should be greater than or "
         "equal to 0, got -1; no run has it"),
        # (a list's item no run's list can hold: it kept no folder, exit 0)
        (["--where", "model.hidden=[1,[2]]"], "error: --where: model.hidden.1: input should "
         "be a valid integer, got [2]; no run has it"),
        (["--where", "model.hidden=[50],[0]"], "error: --where: model.hidden.0: input should "
         "be greater than 0, got 0; no run has it"),
        (["--where", "eval=[x]"], "error: --where: eval.0: input should be 'train', 'val' or "
         "'test', got 'x'; no run has it"),
        # (a key of some variants (an optimizer's, a dataset's), a shape key, a status: any
        # value was taken, and kept no folder)
        (["--where", "optimizer.lr=[0.1]"], "error: --where: optimizer.lr: input should be a "
         "valid number, got [0.1]; no run has it"),
        (["--where", "optimizer.momentum=abc"], "error: --where: optimizer.momentum: input "
         "should be a valid number, unable to parse string as a number, got 'abc'"),
        (["--where", "dataset.noise=[1]"], "error: --where: dataset.noise: input should be a "
         "valid number, got [1]; no run has it"),
        (["--where", "model.depth=abc"], "error: --where: model.depth: expected a whole number "
         "of hidden layers from 0 to 64, got 'abc'; no run has it"),
        (["--where", "status=done"], "error: --where: status: expected one of RUNNING, "
         "COMPLETED, DIVERGED, FAILED, INTERRUPTED, STALE, DAMAGED, UNREADABLE, got 'done'; "
         "no run has it"),
    ],
)  # fmt: skip
def test_a_bad_filter_is_refused_in_one_line(five, args, line):
    result = invoke("runs", "list", *args, runs_dir=five)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(line)


def test_the_legend_names_the_splits_the_table_has(tmp_path):
    # (it named 'train, val, test' above a table of train and test columns)
    root = tmp_path / "runs"
    for second, finals in enumerate([{"final_train_acc": 0.9}, {"final_test_acc": 0.8}]):
        run = fake_run(root, f"r{second}", started=started(second))
        (run.path / "summary.json").write_text(json.dumps({"status": "COMPLETED", **finals}))
    legend = invoke("runs", "list", runs_dir=root).stdout.splitlines()[1]
    assert legend == "train, test: final accuracy (of a sweep or a tune: its best trial's)"


@pytest.mark.parametrize(
    "where",
    ["optimizer.momentum=0.9", "eval=[train,val]", "model.hidden=[100],[50,50]", "seed=0",
     "status=COMPLETED", "model.depth=2", "dataset.name=mnist"],
)  # fmt: skip
def test_a_value_some_run_may_have_is_not_refused(five, where):
    # (a key of another variant than the default's, a split another run's data has)
    result = invoke("runs", "list", "--where", where, runs_dir=five)
    assert result.exit_code == 0, result.output
