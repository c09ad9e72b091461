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
