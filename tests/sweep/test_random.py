"""A random sweep's trials: drawn from the sweep seed, each seeded by its identity (its config),
so parallel and serial runs agree bit for bit, with log-uniform and categorical keys too."""

from __future__ import annotations

import pytest

from nnlab import sweep as sw
from tests.experiments.test_sweep import BASE, epoch_records, results

PARAMS = {
    "optimizer.lr": "loguniform:1e-3:1",
    "optimizer.name": "choice:sgd,adam",
    "model.activation": ["relu", "tanh"],  # (a list: a choice in a random sweep)
}


def random_sweep(**spec) -> sw.SweepDef:
    return sw.SweepDef("tiny", BASE, sw.SweepSpec(kind="random", params=PARAMS, **spec))


def test_each_drawn_trial_is_seeded_by_its_config_as_a_grid_trial_of_its_values_is():
    trials = sw.plan(random_sweep(trials=6, seed=7))
    assert len({t.config.optimizer.name for t in trials}) == 2
    for trial in trials:  # (the draw's place in the sequence is not in its seed)
        one = {k: [v] for k, v in trial.values.items()}
        (alone,) = sw.plan(sw.SweepDef("tiny", BASE, sw.SweepSpec(params=one, seed=7)))
        assert (alone.id, alone.seed, alone.config) == (trial.id, trial.seed, trial.config)


def test_more_draws_keep_the_trials_drawn_before():
    few, more = sw.plan(random_sweep(trials=4, seed=7)), sw.plan(random_sweep(trials=9, seed=7))
    assert [(t.id, t.seed) for t in more[: len(few)]] == [(t.id, t.seed) for t in few]


@pytest.mark.slow
def test_a_random_sweep_on_two_workers_trains_the_serial_ones_numbers_bit_for_bit(tmp_path):
    defn = random_sweep(trials=6, seed=7)
    serial = sw.run_sweep(defn, runs_dir=tmp_path / "serial", jobs=1, stack=1)
    parallel = sw.run_sweep(defn, runs_dir=tmp_path / "parallel", jobs=2)  # (stacked too)
    assert results(serial) == results(parallel)
    assert epoch_records(serial) == epoch_records(parallel)


def test_a_random_sweeps_figure_is_told_the_values_its_choices_list_in_their_order():
    # (curves.png's legend listed a choice's words as the trials drew them)
    from nnlab.sweep.finish import listed
    from nnlab.sweep.spec import SweepSpec

    spec = SweepSpec(kind="random", trials=4, params={
        "model.activation": "choice:tanh,relu", "model.hidden": "choice:[50],[25,25]",
        "optimizer.lr": "loguniform:1e-3:1", "model.init": ["std", "he"]})  # fmt: skip
    assert listed(spec) == {"model.activation": ["tanh", "relu"],
                            "model.hidden": [[50], [25, 25]], "model.init": ["std", "he"]}  # fmt: skip
