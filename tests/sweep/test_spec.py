"""``nnlab.sweep.spec``: what a sweep's spec asks for."""

from __future__ import annotations

from nnlab.sweep.spec import SweepSpec, asked_trials, expand


def test_asked_trials_counts_a_grids_repeats_and_a_random_sweeps_draws():
    # (the progress and the dry run say how many a plan dropped as repeats: asked less planned)
    grid = SweepSpec(
        kind="grid", params={"optimizer.lr": [0.1, 0.1, 0.2], "epochs": "linspace:1:3:3"}
    )
    assert asked_trials(grid) == 9 == len(expand(grid))
    assert asked_trials(SweepSpec(kind="grid", params={})) == 1
    draws = SweepSpec(kind="random", params={"optimizer.lr": "loguniform:1e-3:1"}, trials=7)
    assert asked_trials(draws) == 7 == len(expand(draws))


def test_a_sweep_of_fewer_distinct_trials_than_asked_says_so():
    from nnlab.sweep.spec import repeats_note

    assert repeats_note(4, 3).startswith("4 trials asked, 3 distinct: the others would repeat")
    assert repeats_note(1, 1) is None and repeats_note(None, 3) is None  # (a resume)
