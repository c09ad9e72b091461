"""Trial seeds: what a trial's seed is derived from (README's "Trial seeds"), and what leaves
it alone. Plans only: nothing is trained."""

from __future__ import annotations

import hashlib
import json

from nnlab import sweep as sw
from nnlab.sweep.definition import seed_identity

BASE = {
    "dataset": {"name": "digits", "n_train": 200},
    "model": {"hidden": [16]},
    "optimizer": {"name": "sgd", "lr": 0.1},
    "epochs": 2,
}
PARAMS = {"optimizer.lr": [0.1, 0.01], "model.batchnorm": [True, False]}


def seeds(base: dict, name: str = "cfg", overrides: tuple[str, ...] = (), seed: int = 3) -> dict:
    spec = sw.SweepSpec(params=PARAMS, seed=seed)
    defn = sw.SweepDef(name, base, spec, overrides=list(overrides))
    return {tuple(sorted(t.values.items())): t.seed for t in sw.plan(defn)}


def test_each_trial_has_its_own_seed_and_another_sweep_seed_gives_others():
    first = seeds(BASE)
    assert len(set(first.values())) == len(first) == 4
    assert not set(first.values()) & set(seeds(BASE, seed=4).values())


def test_a_trials_seed_is_the_documented_hash_of_the_sweep_seed_and_its_config():
    (trial, *_) = sw.plan(sw.SweepDef("cfg", BASE, sw.SweepSpec(params=PARAMS, seed=3)))
    identity = trial.config.model_dump(mode="json")
    del identity["seed"]  # (and final_eval folded into eval, eval_batch_size at its default)
    identity = seed_identity(identity)
    text = json.dumps({"sweep_seed": 3, "config": identity}, sort_keys=True)
    assert trial.seed == int(hashlib.sha256(text.encode()).hexdigest()[:16], 16) % 2**31


def test_key_order_defaults_spelt_out_and_the_sweeps_name_leave_the_seeds_alone():
    reordered = {key: BASE[key] for key in reversed(BASE)}
    spelt_out = {**BASE, "weight_decay": 0.0, "dtype": "float32", "name": "run"}
    expected = seeds(BASE)
    assert seeds(reordered) == expected
    assert seeds(spelt_out) == expected
    assert seeds(BASE, overrides=("weight_decay=0.0", "loss=softmax_ce")) == expected
    assert seeds(BASE, name="another-file") == expected


def test_the_configs_name_is_part_of_a_trials_seed_as_the_readme_says():
    # (the README's "Trial seeds": renaming the config trains its trials from other seeds)
    assert not set(seeds({**BASE, "name": "other"}).values()) & set(seeds(BASE).values())
