"""A fixed override or an axis that only some trials of a sweep over variants take
(``optimizer.name=sgd,adam optimizer.beta1=0.8``): set where it applies, left out of the other
trials, said before the trials; refused where no trial takes it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nnlab import runs, sweep as sw
from nnlab.errors import ConfigError
from nnlab.sweep.definition import define, trial_overrides
from nnlab.sweep.variants import partial_notes, switch_notes
from tests.conftest import invoke, one_error_line
from tests.experiments.test_sweep import BASE


def config(tmp_path: Path, **changes) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump({**BASE, **changes}))
    return path


def planned(tmp_path: Path, *args: str, kind: str = "grid", **options) -> list[sw.Trial]:
    return sw.plan(define(config(tmp_path), args, kind=kind, **options))  # type: ignore[arg-type]


def by_name(trials: list[sw.Trial]) -> dict[str, sw.Trial]:
    return {t.config.optimizer.name: t for t in trials}


def test_a_fixed_override_of_one_optimizer_is_set_in_its_trials_only(tmp_path):
    trials = by_name(planned(tmp_path, "optimizer.name=sgd,adam", "optimizer.beta1=0.8"))
    assert trials["adam"].config.optimizer.beta1 == 0.8
    assert "beta1" not in trials["sgd"].config.optimizer.model_dump()
    # each trial is the one it is without the other's key: its id, seed and config
    alone = by_name(planned(tmp_path, "optimizer.name=sgd,adam"))
    assert (trials["sgd"].id, trials["sgd"].seed) == (alone["sgd"].id, alone["sgd"].seed)
    adam = planned(tmp_path, "optimizer.name=adam,adam", "optimizer.beta1=0.8")[0]
    assert (trials["adam"].id, trials["adam"].config) == (adam.id, adam.config)


def test_its_trials_record_the_overrides_they_were_made_with(tmp_path):
    defn = define(config(tmp_path), ["optimizer.name=sgd,adam", "optimizer.beta1=0.8"], kind="grid")
    assert trial_overrides(defn, {"optimizer.name": "sgd"}) == ["optimizer.name=sgd"]
    assert trial_overrides(defn, {"optimizer.name": "adam"}) == [
        "optimizer.beta1=0.8",
        "optimizer.name=adam",
    ]
    assert defn.overrides == ("optimizer.beta1=0.8",)  # (sweep.yaml keeps it as given)


def test_a_random_sweeps_choice_of_optimizers_takes_it_too(tmp_path):
    trials = planned(
        tmp_path, "optimizer.name=choice:sgd,adam", "optimizer.beta1=0.8", kind="random",
        trials=12,
    )  # fmt: skip
    names = {t.config.optimizer.name for t in trials}
    assert names == {"sgd", "adam"}
    for trial in trials:
        beta1 = trial.config.optimizer.model_dump().get("beta1")
        assert beta1 == (0.8 if trial.config.optimizer.name == "adam" else None)


def test_a_files_sweep_section_and_its_fixed_key_give_the_same_trials(tmp_path):
    path = tmp_path / "file.yaml"
    sweep = {"params": {"optimizer.name": ["sgd", "adam"]}}
    path.write_text(yaml.safe_dump({**BASE, "sweep": sweep}))
    from_file = sw.plan(define(path, ["optimizer.beta1=0.8"]))
    given = planned(tmp_path, "optimizer.name=sgd,adam", "optimizer.beta1=0.8")
    assert [(t.id, t.seed) for t in from_file] == [(t.id, t.seed) for t in given]


def test_an_axis_only_some_trials_take_is_one_trial_for_the_others(tmp_path):
    trials = planned(tmp_path, "optimizer.name=sgd,adam", "optimizer.beta1=0.8,0.9")
    assert [(t.config.optimizer.name, t.values["optimizer.beta1"]) for t in trials] == [
        ("sgd", None),
        ("adam", 0.8),
        ("adam", 0.9),
    ]


def test_the_notes_say_which_trials_set_it_and_which_leave_it_out(tmp_path):
    args = ["optimizer.name=sgd,adam,momentum", "optimizer.beta1=0.8,0.9", "optimizer.momentum=0.5"]
    defn = define(config(tmp_path), args, kind="grid")
    assert partial_notes(defn.spec, defn.overrides) == [
        "note: optimizer.momentum=0.5 is set in the trials with optimizer.name=momentum only: "
        "those with optimizer.name=sgd,adam leave it out (no momentum there)",
        "note: the axis optimizer.beta1 is set in the trials with optimizer.name=adam only: those "
        "with optimizer.name=sgd,momentum leave it out (no beta1 there, one trial each, not one "
        "per value)",
    ]
    plain = define(config(tmp_path), ["optimizer.name=sgd,adam", "epochs=2"], kind="grid")
    assert partial_notes(plain.spec, plain.overrides) == []


def test_a_key_no_trial_takes_is_refused_as_the_override_it_is(tmp_path):
    with pytest.raises(ConfigError) as caught:
        planned(tmp_path, "optimizer.name=sgd,adam", "optimizer.momentum=0.5")
    assert str(caught.value) == (
        "override 'optimizer.momentum=0.5': no trial of the sweep takes it: unknown key "
        "'optimizer.momentum'; valid keys here: name, lr (momentum is a key of "
        "optimizer.name=momentum or nesterov)"
    )
    with pytest.raises(ConfigError, match=r"^override 'optimizer.beta1=1.5': optimizer.beta1: "):
        planned(tmp_path, "optimizer.name=sgd,adam", "optimizer.beta1=1.5")  # (adam's value)


@pytest.mark.parametrize("command", [["train"], ["tune", "--trials", "2"], ["lr-scan"]])
def test_commands_of_one_optimizer_refuse_it_as_train_does(tmp_path, command):
    cfg = config(tmp_path)
    line = one_error_line(invoke(*command, cfg, "optimizer.beta1=0.8", runs_dir=tmp_path / "r"))
    assert line == (
        "error: override 'optimizer.beta1=0.8': unknown key 'optimizer.beta1'; valid keys here: "
        "name, lr (beta1 is a key of optimizer.name=adam)"
    )


@pytest.mark.slow
def test_the_sweep_its_dry_run_and_its_resume_take_it_alike(tmp_path):
    cfg = config(tmp_path, epochs=1)
    args = ["sweep", "grid", cfg, "optimizer.name=sgd,adam", "optimizer.beta1=0.8"]
    note = "note: optimizer.beta1=0.8 is set in the trials with optimizer.name=adam only"
    dry = invoke(*args, "--dry-run", runs_dir=tmp_path / "r")
    assert dry.exit_code == 0 and note in dry.stderr and not (tmp_path / "r").exists()
    done = invoke(*args, runs_dir=tmp_path / "r")
    assert done.exit_code == 0, done.output
    assert note in done.stderr
    (run,) = [r for r in runs.iter_runs(tmp_path / "r") if r.file("sweep.yaml").exists()]
    rows = run.read_json("summary.json")["trials"]
    assert [r["status"] for r in rows] == ["COMPLETED", "COMPLETED"]
    sgd = runs.RunDir(run.path / "trials" / rows[0]["trial"])
    assert sgd.config()["optimizer"] == {"name": "sgd", "lr": 0.5}  # (the file's)
    assert "optimizer.beta1=0.8" not in sgd.meta["overrides"]
    adam = runs.RunDir(run.path / "trials" / rows[1]["trial"])
    assert adam.config()["optimizer"]["beta1"] == 0.8
    sgd.remove()  # (the resume plans the trials again from sweep.yaml: the same two)
    again = invoke("sweep", "--resume", str(run.path), runs_dir=tmp_path / "r")
    assert again.exit_code == 0, again.output
    assert "1 trained, 0 resumed, 1 already done" in again.stderr
    assert run.read_json("summary.json")["trials"][0]["trial"] == rows[0]["trial"]


def test_a_switch_says_which_of_the_files_keys_the_other_names_do_not_take(tmp_path):
    optimizer = {"name": "momentum", "lr": 0.05, "momentum": 0.9}
    defn = define(config(tmp_path, optimizer=optimizer), ["optimizer.name=sgd,adam"], kind="grid")
    assert switch_notes(defn.spec, defn.base, defn.overrides) == [
        "note: the trials with optimizer.name=sgd,adam start optimizer from that name's "
        "defaults, without the config's optimizer.lr=0.05 (a key given beside the axis is set "
        "in every trial that has it)"
    ]  # (not momentum=0.9: neither sgd nor adam has it)
    assert {t.config.optimizer.lr for t in sw.plan(defn)} == {0.01, 0.001}  # (their defaults)
    given = define(
        config(tmp_path, optimizer=optimizer), ["optimizer.name=sgd,adam", "optimizer.lr=0.05"],
        kind="grid",
    )  # fmt: skip
    assert switch_notes(given.spec, given.base, given.overrides) == []
    assert {t.config.optimizer.lr for t in sw.plan(given)} == {0.05}


def test_an_axis_no_trial_takes_is_refused_as_its_argument(tmp_path):
    with pytest.raises(ConfigError) as caught:
        planned(tmp_path, "optimizer.name=sgd,adam", "optimizer.momentum=0.5,0.9")
    assert str(caught.value) == (
        "'optimizer.momentum=0.5,0.9': no trial of the sweep takes it: optimizer.name=sgd,adam "
        "have no momentum (a key of optimizer.name=momentum or nesterov)"
    )  # (it was the first trial's: 'sweep trial (optimizer.name=sgd, optimizer.momentum=0.5)')


def test_a_key_a_trial_leaves_out_reads_as_not_applicable_and_json_keeps_null():
    spec = sw.SweepSpec(params={"optimizer.name": ["sgd", "momentum"],
                                "optimizer.momentum": [0.5], "model.depth": [0, 1],
                                "model.width": [8], "dataset.n_train": [None, 50]})  # fmt: skip
    rows = [
        {"trial": "a", "optimizer.name": "sgd", "optimizer.momentum": None, "model.depth": 0,
         "model.width": None, "dataset.n_train": None},
        {"trial": "b", "optimizer.name": "momentum", "optimizer.momentum": 0.5,
         "model.depth": 1, "model.width": 8, "dataset.n_train": 50},
    ]  # fmt: skip
    shown = sw.table_rows(rows, spec)
    assert shown[0] == {"trial": "a", "optimizer.name": "sgd", "model.depth": 0,
                        "dataset.n_train": None}  # (a null it was given stays null)  # fmt: skip
    assert shown[1] == rows[1] and rows[0]["optimizer.momentum"] is None  # (not changed)


@pytest.mark.slow
def test_the_tables_and_progress_say_a_left_out_key_does_not_apply(tmp_path):
    # (optimizer.momentum read 'null' in the sgd trials' rows and progress lines)
    root = tmp_path / "runs"
    args = ["sweep", "grid", config(tmp_path, epochs=1), "optimizer.name=sgd,momentum",
            "optimizer.momentum=0.5,0.9", "model.depth=0,1", "model.width=8"]  # fmt: skip
    result = invoke(*args, runs_dir=root)
    assert result.exit_code == 0, result.output
    (run,) = runs.iter_runs(root)
    text = run.file("summary.txt").read_text()
    for table in (result.stdout, text):
        line = next(x for x in table.splitlines() if " sgd " in x and " 0 " in x)
        assert "null" not in line and line.count(" - ") == 2, line  # (momentum and width)
    assert "null" not in result.stderr and " optimizer.name=sgd model.depth=0 COMPLETED" in (
        result.stderr
    )
    shown = invoke("runs", "show", run.path, runs_dir=root)
    assert "null" not in shown.stdout
    trials = run.read_json("summary.json")["trials"]
    assert trials[0]["optimizer.momentum"] is None and trials[0]["model.width"] is None
    dry = invoke(*args, "--dry-run", runs_dir=root)
    assert dry.exit_code == 0 and "null" not in dry.stdout and " - " in dry.stdout


def test_a_definition_warns_of_idle_keys_and_notes_switches_then_partial_keys(tmp_path):
    from nnlab.sweep.definition import definition_notes, definition_warnings

    he = config(tmp_path, model={**BASE["model"], "init": "he"})
    (warning,) = definition_warnings(define(he, ["model.init_std=0.1,0.2"], kind="grid"))
    assert "model.init_std" in warning
    optimizer = {"name": "momentum", "lr": 0.05, "momentum": 0.9}
    args = ["optimizer.name=sgd,adam", "optimizer.beta1=0.8"]
    defn = define(config(tmp_path, optimizer=optimizer), args, kind="grid")
    switched, partly = definition_notes(defn)
    assert switched == switch_notes(defn.spec, defn.base, defn.overrides)[0]
    assert partly == partial_notes(defn.spec, defn.overrides)[0]
    assert "optimizer.beta1=0.8" in partly
    plain = define(config(tmp_path), ["optimizer.lr=0.1,0.2"], kind="grid")
    assert definition_warnings(plain) == [] and definition_notes(plain) == []
