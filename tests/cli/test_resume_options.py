"""A ``--resume`` runs as its folder was started: ``sweep --resume`` and ``tune --resume`` take
the ``--jobs``, ``--stack`` and executor the folder recorded, unless given again (they took
the defaults: a ``--stack 1`` sweep was resumed in stacks of 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnlab import runs
from tests.cli.test_sweep_cli import sweep_dir, write_config
from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[2]


def stopped_sweep(tmp_path: Path, *options: str) -> runs.RunDir:
    """A three-trial grid sweep of one epoch (``options``: how it runs), made to look stopped
    before its last two trials: their folders removed, the sweep INTERRUPTED."""
    cfg = write_config(tmp_path, epochs=1)
    result = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.2,0.1", *options, "-q",
                    runs_dir=tmp_path / "r")  # fmt: skip
    assert result.exit_code == 0, result.output
    run = sweep_dir(tmp_path / "r")
    for trial in sorted(run.path.glob("trials/*"))[1:]:
        runs.RunDir(trial).remove()
    meta = json.loads(run.file("meta.json").read_text())
    run.file("meta.json").write_text(json.dumps({**meta, "status": "INTERRUPTED"}))
    return run


@pytest.mark.slow
def test_a_sweep_resume_stacks_its_trials_as_the_sweep_was_started(tmp_path):
    run = stopped_sweep(tmp_path, "--stack", "1")
    assert run.meta["stack"] == 1 and run.meta["executor_kind"] == "local"
    preview = invoke("sweep", "--resume", run.path, "--dry-run", "-f", "json")
    assert preview.exit_code == 0, preview.output
    assert json.loads(preview.stdout)["stack_sizes"] == [1, 1]  # (it said [2]: --stack 8)
    given = invoke("sweep", "resume", run.path, "--stack", "2", "--dry-run", "-f", "json")
    assert json.loads(given.stdout)["stack_sizes"] == [2]  # (given again: this resume's)
    result = invoke("sweep", "--resume", run.path, "-q")
    assert result.exit_code == 0, result.output
    assert run.meta["resumes"][-1]["stack"] == 1 and run.meta["resumes"][-1]["jobs"] == 1


@pytest.mark.slow
def test_a_tune_resume_runs_with_the_jobs_and_stack_the_tune_was_started_with(
    tmp_path, monkeypatch
):
    from nnlab import sweep

    config = ROOT / "configs" / "digits-quickstart.yaml"
    args = ["optimizer.lr=loguniform:1e-3:1", "dataset.n_train=300", "model.hidden=[16]"]
    monkeypatch.setattr(sweep.executors, "run_unit", lambda unit: (_ for _ in ()).throw(
        KeyboardInterrupt))  # fmt: skip
    cut = invoke("tune", config, *args, "--trials", "3", "--epochs", "1", "--stack", "2",
                 runs_dir=tmp_path)  # fmt: skip
    assert cut.exit_code == 130, cut.output
    monkeypatch.undo()
    (tune,) = runs.iter_runs(tmp_path)
    assert tune.meta["stack"] == 2 and tune.meta["jobs"] == 1
    resumed = invoke("tune", "--resume", "latest", runs_dir=tmp_path)
    assert resumed.exit_code == 0, resumed.output
    assert tune.meta["resumes"][-1]["stack"] == 2  # (it ran in stacks of 8)
    (round_sweep,) = [r for r in tune.path.glob("rounds/*/meta.json")]
    assert runs.RunDir(round_sweep.parent).meta["resumes"][-1]["stack"] == 2
