"""``nnlab runs compare --where KEY=VALUE``: only the runs (or a sweep's trials) with a config
value. A study's grid of 72 trials could be sorted and cut, never narrowed to the trials of
one init or optimizer to read them side by side. ``nnlab runs list --where``: the folders
with such runs; six runs of one config named alike, with other overrides, could not be told
apart in the listing."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml

from nnlab.errors import ConfigError
from nnlab.experiments.compare import same_value, select
from tests.conftest import invoke

CONFIG = "configs/digits-quickstart.yaml"  # (the tests run from the project root)
SMALL = ["dataset.n_train=100", "model.hidden=[8]", "epochs=1", "batch_size=50", "-q"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("where") / "runs"
    args = ["sweep", "grid", CONFIG, *SMALL, "model.init=he,std", "model.batchnorm=false,true",
            "optimizer.lr=0.05,0.00011193051234"]  # fmt: skip
    result = invoke(*args, runs_dir=root)
    assert result.exit_code == 0, result.output
    for extra in (["model.init=std"], ["model.batchnorm=true"]):  # (two runs after the sweep)
        result = invoke("train", CONFIG, *SMALL, *extra, runs_dir=root)
        assert result.exit_code == 0, result.output
    return root


def compare(root, *args):
    return invoke("runs", "compare", the_sweep(root), *args, "-f", "csv", runs_dir=root)


def the_sweep(root):
    (folder,) = root.glob("*-sweep-*")
    return folder


def listed(root, *args):
    result = invoke("runs", "list", *args, "-f", "csv", runs_dir=root)
    assert result.exit_code == 0, result.output
    return [line.split(",")[1] for line in result.stdout.splitlines()[1:]]  # (their kinds)


def column(result, name):
    lines = result.stdout.splitlines()
    at = lines[0].split(",").index(name)
    return [line.split(",")[at] for line in lines[1:]]


def test_where_keeps_the_trials_with_the_value_and_drops_its_column(sweep):
    every = compare(sweep)
    assert len(every.stdout.splitlines()) == 1 + 8
    kept = compare(sweep, "--where", "model.init=std")
    assert kept.exit_code == 0, kept.output
    header = kept.stdout.splitlines()[0].split(",")
    assert len(kept.stdout.splitlines()) == 1 + 4 and "model.init" not in header  # (shared)
    both = compare(sweep, "--where", "model.init=std", "--where", "model.batchnorm=true")
    assert column(both, "optimizer.lr") and len(both.stdout.splitlines()) == 1 + 2


def test_where_takes_any_of_several_values_and_a_float_as_the_table_spells_it(sweep):
    result = compare(sweep, "--where", "optimizer.lr=0.000111931", "--where", "model.init=he,std")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1 + 4


def test_the_table_title_says_what_was_kept(sweep):
    result = invoke("runs", "compare", the_sweep(sweep), "--where", "model.batchnorm=true",
                    "--sort", "final_test_acc", runs_dir=sweep)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("4 runs where model.batchnorm=true, sorted by final_test_acc")


@pytest.mark.parametrize("where, says", [
    ("model.init=He", "error: --where: no run has model.init=He; its values here: he, std "
     "(see nnlab runs compare -h)"),
    ("model.int=he", "error: --where: no config key 'model.int' in these runs (did you mean "
     "'model.init'?) (see nnlab runs compare -h)"),
    ("model.init", "error: --where 'model.init': expected key.sub=value (e.g. model.init=std)"),
    # (a key without its section, as an override's hint names it: it said no more)
    ("init=he", "error: --where: no config key 'init' in these runs (did you mean 'model.init'?)"),
])  # fmt: skip
def test_a_where_no_run_answers_names_what_there_is(sweep, where, says):
    result = compare(sweep, "--where", where)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(says), result.stderr


def test_a_where_value_the_shell_split_off_as_a_run_is_told_the_comma(sweep):
    # (runs compare --where model.init=he std said only "run 'std': no run folder ... matches";
    # runs list said the shell split the values)
    result = invoke("runs", "compare", the_sweep(sweep), "--where", "model.init=he", "std",
                    runs_dir=sweep)  # fmt: skip
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "error: --where: the shell split its values at a space (model.init=he std); they are "
        "separated by commas, without spaces: --where model.init=he,std ('std' names no run "
        "folder either) (see nnlab runs compare -h)\n"
    )
    kept = invoke("runs", "compare", "--where", "model.init=he", the_sweep(sweep), runs_dir=sweep)
    assert kept.exit_code == 0, kept.output  # (a run after a --where pair is a run)
    missing = invoke("runs", "compare", "nothere", "--where", "model.init=he", runs_dir=sweep)
    assert missing.stderr.startswith("error: run 'nothere': no run folder under")


def test_true_is_not_one_and_a_list_is_matched_whole():
    entries = [({"run": "a"}, {"model.batchnorm": True, "model.hidden": [50, 50]}),
               ({"run": "b"}, {"model.batchnorm": False, "model.hidden": [100]})]  # fmt: skip
    assert not same_value(True, 1) and same_value(0.05, 0.05) and same_value(3, 3)
    assert select(entries, [("model.hidden", [[50, 50]])]) == entries[:1]
    with pytest.raises(ConfigError, match="no run has model.batchnorm=1"):
        select(entries, [("model.batchnorm", [1])])


def test_a_float_a_range_computed_is_kept_by_the_value_the_tables_show():
    # (linspace:0:0.3:4 computes 0.09999999999999999, which the tables write 0.100000: neither
    # 0.1 nor the 0.100000 the refusal listed among "its values here" kept it)
    import numpy as np

    computed = float(np.linspace(0, 0.3, 4)[1])
    assert computed != 0.1 and same_value(computed, 0.1) and same_value(computed, 0.100000)
    assert same_value(0.00011193051, 0.000111931) and not same_value(0.1, 0.1000012)
    entries = [({"run": "a"}, {"model.dropout": computed}), ({"run": "b"}, {"model.dropout": 0.2})]
    assert select(entries, [("model.dropout", [0.1])]) == entries[:1]


def test_list_where_keeps_the_folders_with_such_runs_a_sweeps_trials_too(sweep):
    assert listed(sweep) == ["sweep", "train", "train"]
    assert listed(sweep, "--where", "model.init=std") == ["sweep", "train"]
    assert listed(sweep, "--where", "model.batchnorm=true", "-k", "train") == ["train"]
    # (the second run's init is he, its config's: each --where must hold in one folder)
    both = ["--where", "model.init=he", "--where", "model.batchnorm=true"]
    assert listed(sweep, *both) == ["sweep", "train"]
    assert listed(sweep, "--where", "model.init=xavier") == []
    said = invoke("runs", "list", "--where", "model.init=xavier", runs_dir=sweep)
    assert (
        said.exit_code == 0 and said.stderr == f"no folders under {sweep} where model.init=xavier\n"
    )


def test_list_where_names_a_key_that_is_no_config_key(sweep):
    result = invoke("runs", "list", "--where", "model.int=he", runs_dir=sweep)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "error: --where: no config key 'model.int' (did you mean 'model.init'?) "
        "(see nnlab runs list -h)\n"
    )
    result = invoke("runs", "list", "--where", "lr=0.1", runs_dir=sweep)  # (it said no more)
    assert result.stderr.startswith(
        "error: --where: no config key 'lr' (did you mean 'optimizer.lr'?)"
    )


def test_list_where_kind_is_told_the_kind_option(tmp_path):
    # (status=COMPLETED is taken, so kind=sweep is what comes next: it was offered 'sweep.kind')
    result = invoke("runs", "list", "--where", "kind=sweep", runs_dir=tmp_path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: --where: no config key 'kind' (a folder's kind is an option of its own: "
        "--kind sweep) (see nnlab runs list -h)\n"
    )


def test_the_gap_figure_says_which_runs_where_kept(sweep, monkeypatch):
    # (its panels name the keys the kept runs differ in: those --where fixed were nowhere)
    from nnlab import plots
    from nnlab.experiments.compare import compare_runs

    seen = []
    monkeypatch.setattr(plots, "accuracy_gaps_figure", lambda panels, title: seen.append(title))
    monkeypatch.setattr(plots, "save", lambda *args: None)
    where = ["model.init=std", "model.batchnorm=true"]
    compare_runs([str(the_sweep(sweep))], sweep, png=sweep / "g.png", where=where)
    assert seen == ["train and test accuracy, the gap between them: 2 runs\n"
                    "where model.init=std and model.batchnorm=true"]  # fmt: skip


def test_the_shape_keys_are_read_from_model_hidden():
    # (runs compare --where model.depth=2 was refused: the trials' configs hold model.hidden)
    hiddens = [[50, 50], [100], [], [100, 50]]
    entries = [({"run": str(i)}, {"model.hidden": h}) for i, h in enumerate(hiddens)]
    assert select(entries, [("model.depth", [2])]) == [entries[0], entries[3]]
    assert select(entries, [("model.width", [100])]) == [entries[1]]  # (not [100, 50]'s)
    assert select(entries, [("model.depth", [0, 1])]) == entries[1:3]
    with pytest.raises(ConfigError) as refused:
        select(entries, [("model.width", [7])])
    # (it said '50, 100, null': no layer, or layers of several widths, read as a null width)
    assert str(refused.value) == (
        "--where: no run has model.width=7; its values here: 50, 100; 2 runs without it"
    )


def test_a_value_no_run_has_names_the_values_of_the_runs_that_have_the_key_only():
    entries = [({"run": "a"}, {"optimizer.momentum": 0.9}), ({"run": "b"}, {"optimizer.lr": 0.1}),
               ({"run": "c"}, {"optimizer.momentum": None}),
               ({"run": "d"}, {"optimizer.momentum": 0.034313488579691624})]  # fmt: skip
    with pytest.raises(ConfigError) as refused:  # (b, an adam run, has no momentum: no null)
        select(entries, [("optimizer.momentum", [0.5])])
    # (a drawn value as the table spells it, and --where matches it: not every digit)
    assert str(refused.value).endswith("its values here: 0.9, null, 0.0343135; 1 run without it")
    assert select(entries, [("optimizer.momentum", [0.0343135])]) == entries[3:]


@pytest.mark.slow
def test_a_depth_by_width_sweep_is_kept_by_its_own_keys(tmp_path):
    from tests.cli.test_sweep_cli import write_config

    root = tmp_path / "runs"
    cfg = write_config(tmp_path, epochs=1)  # (model.hidden [16]: depth 1)
    made = invoke("sweep", "grid", cfg, "model.depth=2,3", "model.width=4,8", runs_dir=root)
    assert made.exit_code == 0, made.output
    (folder,) = root.glob("*-sweep-*")
    kept = invoke("runs", "compare", folder, "--where", "model.depth=3", "--where",
                  "model.width=8", "-f", "csv", runs_dir=root)  # fmt: skip
    assert kept.exit_code == 0, kept.output
    every = json.loads(invoke("runs", "compare", folder, "-f", "json", runs_dir=root).stdout)
    hidden = {row["run"]: row["model.hidden"] for row in every}
    assert [hidden[run] for run in column(kept, "run")] == [[8, 8, 8]]
    assert listed(root, "--where", "model.depth=2") == ["sweep"]
    assert listed(root, "--where", "model.depth=1") == []  # (the base config's, no trial's)
    assert listed(root, "--where", "model.width=16") == []
    assert listed(root, "--where", "model.hidden=[8,8,8]") == ["sweep"]  # (a trial's)
    assert listed(root, "--where", "model.hidden=[16]") == []  # (the base config's, no trial's)


@pytest.mark.slow
def test_list_where_reads_a_tunes_trials_not_the_base_values_it_searched(tmp_path):
    # (a tune matched the config's optimizer.lr=0.5 it never trained with, and none it drew)
    from tests.cli.test_sweep_cli import write_config

    root = tmp_path / "runs"
    cfg = write_config(tmp_path, epochs=1)  # (optimizer.lr 0.5, model.hidden [16])
    made = invoke("tune", cfg, "optimizer.lr=loguniform:1e-3:1e-2", "model.depth=randint:2:3",
                  "--trials", "3", "--seed", "1", runs_dir=root)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert listed(root, "--where", "optimizer.lr=0.5") == []
    assert listed(root, "--where", "model.depth=1") == []
    (tune,) = root.glob("*-tune-*")
    (round_folder,) = (tune / "rounds").iterdir()
    plan = yaml.safe_load((round_folder / "sweep.yaml").read_text())
    depth = plan["trials"][0]["values"]["model.depth"]
    assert listed(root, "--where", f"model.depth={depth}") == ["tune"]
    assert listed(root, "--where", f"model.hidden=[{','.join(['16'] * depth)}]") == ["tune"]


@pytest.mark.parametrize(
    "where", [["model.init=std"], ["model.init=he"], ["model.batchnorm=true", "optimizer.lr=0.05"]]
)
def test_list_where_gives_the_best_of_the_trials_it_keeps(sweep, where):
    # (it gave the sweep's best of all its trials, one the filter left out)
    args = [a for w in where for a in ("--where", w)]
    result = invoke("runs", "list", "-k", "sweep", *args, "-f", "json", runs_dir=sweep)
    (row,) = json.loads(result.stdout)
    folder = the_sweep(sweep)
    kept = json.loads(invoke("runs", "compare", folder, *args, "-f", "json", runs_dir=sweep).stdout)
    assert row["trials_kept"] == len(kept) and row["best_trial"] in {r["run"] for r in kept}
    assert row["final_test_acc"] == max(r["final_test_acc"] for r in kept)
    table = invoke("runs", "list", "-k", "sweep", *args, runs_dir=sweep).stdout
    assert "of a sweep or a tune: the best of the trials --where keeps" in table
    # (csv lacked the trials_kept json has: every format carries the same columns)
    text = invoke("runs", "list", "-k", "sweep", *args, "-f", "csv", runs_dir=sweep).stdout
    (line,) = csv.DictReader(io.StringIO(text))
    assert (
        line["trials_kept"] == str(row["trials_kept"]) and line["best_trial"] == row["best_trial"]
    )


def test_list_where_csv_header_names_trials_kept_whatever_the_folders_hold():
    from nnlab.experiments.listing import list_columns

    train = [{"run": "r", "kind": "train", "status": "COMPLETED"}]
    assert "trials_kept" in list_columns(train, where=True)
    assert "trials_kept" not in list_columns(train) and "trials_kept" not in list_columns(
        [{**train[0], "trials_kept": 2}], table=True
    )


def test_list_where_keeps_a_sweep_one_of_whose_trials_holds_every_key(tmp_path):
    # (a sweep was kept where one trial had one key's value and another trial the other's)
    from nnlab.experiments.where import Where, holds, plan_values, trial_values

    plan = {"base": yaml.safe_load(open(CONFIG)), "overrides": ["model.hidden=[8]"],
            "trials": [{"id": "a", "values": {"optimizer.lr": 0.1, "model.init": "he"}, "seed": 7},
                       {"id": "b", "values": {"optimizer.lr": 0.2, "model.init": "std"}}]}  # fmt: skip
    where: Where = [("optimizer.lr", [0.1]), ("model.init", ["std"])]
    assert holds(plan_values(plan), where)  # (each key held by some trial: a folder's values)
    values = trial_values(plan)
    assert [t for t, v in values.items() if holds({k: [x] for k, x in v.items()}, where)] == []
    assert values["b"]["model.hidden"] == [8] and values["b"]["model.width"] == 8
    assert values["a"]["seed"] == 7 and values["b"]["seed"] == 0  # (a trial's own, where recorded)


def test_list_where_reads_a_trial_of_another_optimizer_as_it_trained():
    # (an adam trial of a sweep over optimizer.name kept the base config's momentum 0.9, which
    # it does not have, and its lr 0.05 for adam's own 0.001: --where optimizer.name=adam
    # --where optimizer.momentum=0.9 kept the sweep, the best of trials no such filter holds)
    from nnlab.experiments.where import trial_values

    spec = {"kind": "grid", "params": {"optimizer.name": ["momentum", "adam"]}}
    plan = {"name": "s", "spec": spec, "base": yaml.safe_load(open(CONFIG)),
            "overrides": ["model.hidden=[8]"],
            "trials": [{"id": "m", "values": {"optimizer.name": "momentum"}, "seed": 3},
                       {"id": "a", "values": {"optimizer.name": "adam"}, "seed": 4}]}  # fmt: skip
    values = trial_values(plan)
    assert values["m"]["optimizer.momentum"] == 0.9 and values["m"]["optimizer.lr"] == 0.05
    assert "optimizer.momentum" not in values["a"] and values["a"]["optimizer.lr"] == 0.001
    assert values["a"]["optimizer.beta1"] == 0.9 and values["a"]["model.width"] == 8
    assert values["a"]["seed"] == 4
