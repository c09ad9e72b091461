"""A sweep's dry run tells what the run does: the fixed overrides its table of swept values
does not show, those every trial has and those only the trials that take them have."""

from __future__ import annotations

import json

from tests.conftest import invoke
from tests.sweep.test_variants import config


def test_a_dry_run_says_the_fixed_overrides_and_which_trials_have_them(tmp_path):
    args = ["optimizer.name=sgd,adam", "optimizer.beta1=0.8", "epochs=2"]
    dry = invoke("sweep", "grid", config(tmp_path), *args, "--dry-run", runs_dir=tmp_path / "r")
    assert dry.exit_code == 0, dry.output
    assert (
        "dry run: every trial has epochs=2; the trials that take it have optimizer.beta1=0.8\n"
        in dry.stderr
    )
    shown = invoke(
        "sweep", "grid", config(tmp_path), *args, "--dry-run", "-f", "json", runs_dir=tmp_path
    )
    assert json.loads(shown.stdout)["overrides"] == ["optimizer.beta1=0.8", "epochs=2"]
    plain = invoke("sweep", "grid", config(tmp_path), "optimizer.lr=0.1,0.2", "--dry-run")
    assert plain.exit_code == 0 and "every trial has" not in plain.stderr


def test_a_dry_runs_table_has_the_swept_keys_and_for_a_resume_the_action_in_words(tmp_path):
    import dataclasses

    from nnlab.sweep.preview import ACTIONS, preview_sweep, preview_table
    from nnlab.sweep.source import sweep_from_file

    defn = sweep_from_file(config(tmp_path), ["optimizer.name=sgd,adam", "optimizer.beta1=0.8",
                                              "epochs=1"], kind="grid")  # fmt: skip
    preview = preview_sweep(defn, runs_dir=tmp_path / "r")
    table = preview_table(preview, table=True)
    assert table.columns == ["trial", "optimizer.name", "seed", "stack"]
    assert table.title == f"dry run: sweep {defn.name}, 2 trials"
    assert [row["optimizer.name"] for row in table.rows] == ["sgd", "adam"]
    folder = tmp_path / "r" / "a-sweep"
    resumed = dataclasses.replace(
        preview, folder=folder, rows=[{**r, "action": "keep"} for r in preview.rows]
    )
    words = preview_table(resumed, table=True, what="tune t, round 1")
    assert words.columns[-1] == "action" and words.title == "dry run: tune t, round 1, 2 trials"
    assert {row["action"] for row in words.rows} == {ACTIONS["keep"]}
    raw = preview_table(resumed, table=False)  # (CSV: the rows as they hold them)
    assert raw.title == f"dry run: resume of {folder}, 2 trials"
    assert {row["action"] for row in raw.rows} == {"keep"}


def test_a_dry_run_of_a_swept_seed_has_one_seed_column(tmp_path):
    # (seed=0,1,2: the table had two 'seed' columns, the swept value and the trial's seed,
    # which a swept seed is)
    from nnlab.sweep.preview import preview_sweep, preview_table
    from nnlab.sweep.source import sweep_from_file

    defn = sweep_from_file(config(tmp_path), ["seed=3,4", "epochs=1"], kind="grid")
    table = preview_table(preview_sweep(defn, runs_dir=tmp_path / "r"), table=True)
    assert table.columns == ["trial", "seed", "stack"]
    assert [row["seed"] for row in table.rows] == [3, 4]
