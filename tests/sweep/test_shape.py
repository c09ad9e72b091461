"""``model.depth`` x ``model.width``: the hidden layers' shape swept as two keys, each trial
the net of ``model.hidden=[width] * depth`` (its id, seed and numbers), tabulated by both."""

from __future__ import annotations

import pytest
import yaml

from nnlab import sweep as sw
from nnlab.errors import ConfigError
from nnlab.sweep.definition import define
from tests.experiments.test_sweep import BASE, results
from tests.sweep.test_variants import planned


def test_depth_by_width_is_the_grid_of_hidden_lists_it_says(tmp_path):
    trials = planned(tmp_path, "model.depth=1,2", "model.width=8,16")
    assert [t.config.model.hidden for t in trials] == [[8], [16], [8, 8], [16, 16]]
    assert [t.values for t in trials] == [
        {"model.depth": d, "model.width": w} for d in (1, 2) for w in (8, 16)
    ]
    lists = planned(tmp_path, "model.hidden=[8],[16],[8,8],[16,16]")
    assert [(t.id, t.seed, t.config) for t in trials] == [(t.id, t.seed, t.config) for t in lists]


def test_one_key_keeps_the_others_from_the_config(tmp_path):
    deeper = planned(tmp_path, "model.depth=1,3")  # (the file's hidden: [16])
    assert [t.config.model.hidden for t in deeper] == [[16], [16, 16, 16]]
    wider = planned(tmp_path, "model.width=4,8", "model.hidden=[16,16]")
    assert [t.config.model.hidden for t in wider] == [[4, 4], [8, 8]]
    fixed = planned(tmp_path, "model.depth=2", "model.width=4,8")  # (one value: one point)
    assert [t.values for t in fixed] == [{"model.depth": 2, "model.width": w} for w in (4, 8)]


def test_depth_zero_is_one_linear_trial_whatever_the_width(tmp_path):
    trials = planned(tmp_path, "model.depth=0,1", "model.width=4,8")
    assert [t.config.model.hidden for t in trials] == [[], [4], [8]]
    assert trials[0].values == {"model.depth": 0, "model.width": None}


def test_a_files_sweep_section_and_a_random_sweep_take_them(tmp_path):
    path = tmp_path / "file.yaml"
    section = {"params": {"model.depth": [1, 2], "model.width": [8, 16]}}
    path.write_text(yaml.safe_dump({**BASE, "sweep": section}))
    from_file = sw.plan(define(path))
    assert [t.id for t in from_file] == [
        t.id for t in planned(tmp_path, "model.depth=1,2", "model.width=8,16")
    ]
    drawn = planned(
        tmp_path, "model.depth=randint:1:3", "model.width=choice:8,16", kind="random", trials=6
    )
    for trial in drawn:
        depth, width = trial.values["model.depth"], trial.values["model.width"]
        assert trial.config.model.hidden == [width] * depth and 1 <= depth <= 3


def test_sharing_the_seed_over_width_gives_the_widths_of_one_depth_one_seed(tmp_path):
    trials = planned(tmp_path, "model.depth=1,2", "model.width=8,16", share_seed=["model.width"])
    seeds = [t.seed for t in trials]
    assert seeds[0] == seeds[1] and seeds[2] == seeds[3] and seeds[0] != seeds[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["model.depth=1,2", "model.hidden=[8],[16]"], "model.hidden and model.depth both set"),
        (["model.depth=1,2", "model.hidden=[16,8]"], "model.depth alone keeps the config's width, "
         "but its model.hidden [16, 8] has layers of several widths; give the width too"),
        (["model.width=8,16", "model.hidden=[]"], "model.width alone keeps the config's depth, "
         "but its model.hidden is [] (no hidden layer to widen); give the depth too"),
        (["model.depth=1,2.5"], "model.depth: 1, 2.5: not all whole numbers, but this key takes "
         "whole numbers; give the values model.depth=1,2"),
        (["model.width=linspace:8:16:4"], "give the values model.width=8,11,13,16 or "
         "linspace:8:16:5 (steps of 2)"),
        (["model.depth=-1,1"], "sweep trial (model.depth=-1): model.depth: expected a whole "
         "number of hidden layers from 0 to 64, got -1"),
        (["model.width=8,100000"], "sweep trial (model.width=100000): model.width: expected a "
         "whole number of units a layer from 1 to 65,536, got 100000"),
        # (it made a list of 100,000 layers, ~20 s, refused as 'override 'model.hidden': holds
        # more than 100,000 values', naming no depth)
        (["model.depth=2,100000"], "sweep trial (model.depth=100000): model.depth: expected a "
         "whole number of hidden layers from 0 to 64, got 100000"),
    ],
)  # fmt: skip
def test_shapes_it_cannot_say_are_refused_in_one_line(tmp_path, args, message):
    with pytest.raises(ConfigError) as caught:
        planned(tmp_path, *args)
    assert message in str(caught.value)


def test_fractional_draws_are_refused_with_the_whole_ones_to_draw(tmp_path):
    with pytest.raises(ConfigError, match=r"model.width: 'uniform:8:64': its draws are fractions"
                       r".*randint:8:64"):  # fmt: skip
        planned(tmp_path, "model.width=uniform:8:64", kind="random", trials=3)


@pytest.mark.slow
def test_stacked_or_alone_each_trial_trains_the_numbers_of_its_hidden_list(tmp_path):
    params = {"model.depth": [1, 2], "model.width": [8, 16], "optimizer.lr": [0.5, 0.1]}
    defn = sw.SweepDef("tiny", BASE, sw.SweepSpec(params=params))
    stacked = sw.run_sweep(defn, runs_dir=tmp_path / "stacked", stack=8)
    alone = sw.run_sweep(defn, runs_dir=tmp_path / "alone", stack=1)
    assert results(stacked) == results(alone)
    lists = {"model.hidden": [[8], [16], [8, 8], [16, 16]], "optimizer.lr": [0.5, 0.1]}
    by_list = sw.run_sweep(
        sw.SweepDef("tiny", BASE, sw.SweepSpec(params=lists)), runs_dir=tmp_path / "lists"
    )
    drop = ("model.depth", "model.width", "model.hidden")
    same = [{k: v for k, v in r.items() if k not in drop} for r in results(stacked)]
    by_id = {r["trial"]: r for r in results(by_list)}
    assert same == [{k: v for k, v in by_id[r["trial"]].items() if k not in drop} for r in same]
    summary = stacked.run.read_json("summary.json")
    assert summary["keys"] == ["model.depth", "model.width", "optimizer.lr"]
    assert stacked.run.file("curves.png").exists()


def test_a_tunes_proposed_ranges_keep_a_width_of_one_unit_or_more(tmp_path):
    from nnlab.experiments.tune_search import key_bounds

    assert key_bounds(dict(BASE), "model.width") == (1.0, 65536.0)
    assert key_bounds(dict(BASE), "model.depth") == (0.0, 64.0)
