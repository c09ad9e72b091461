"""Fixtures of the fault-injection suite: a case folder, and trained run folders to damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab import runs
from nnlab.config import load_config
from nnlab.experiments import train as tr

from .helpers import TINY, case_dir, copy_runs


@pytest.fixture
def case(tmp_path, monkeypatch) -> Path:
    """The case's folder (the working folder, holding cfg.yaml); runs go to ``case/runs``."""
    folder = case_dir(tmp_path)
    monkeypatch.chdir(folder)
    return folder


def _interrupt_at(epoch: int):
    def progress(record, cfg):
        if record["epoch"] == epoch:
            raise KeyboardInterrupt

    return progress


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> dict[str, Path]:
    """Run folders made once: ``done`` (a COMPLETED tiny run, 3 epochs), ``stopped`` (the same
    run INTERRUPTED after epoch 2, a checkpoint after every epoch), ``small`` (a COMPLETED run
    of another width, for a checkpoint of the wrong shape) and ``straight`` (the uninterrupted
    run's records)."""
    root = tmp_path_factory.mktemp("templates")
    (root / "cfg.yaml").write_text(TINY)
    cfg = load_config(root / "cfg.yaml")
    out = {}
    out["done"] = root / "done"
    tr.run_training(cfg, runs_dir=out["done"])
    out["stopped"] = root / "stopped"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tr, "CHECKPOINT_SECONDS", 0.0)
        with pytest.raises(KeyboardInterrupt):
            tr.run_training(cfg, runs_dir=out["stopped"], progress=_interrupt_at(2))
    out["small"] = root / "small"
    small = load_config(root / "cfg.yaml", ["model.hidden=[8]", "name=small"])
    tr.run_training(small, runs_dir=out["small"], plot=False)
    return out


@pytest.fixture
def done(case, templates) -> runs.RunDir:
    """A copy of the COMPLETED run under ``case/runs``."""
    copy_runs(templates["done"], case / "runs")
    return next(runs.iter_runs(case / "runs"))


@pytest.fixture
def stopped(case, templates) -> runs.RunDir:
    """A copy of the INTERRUPTED run (epochs 0-2 recorded and checkpointed) under ``case/runs``."""
    copy_runs(templates["stopped"], case / "runs")
    return next(runs.iter_runs(case / "runs"))


@pytest.fixture(scope="session")
def straight(templates) -> list[dict]:
    """The records of the uninterrupted run (what every resume must end with)."""
    return next(runs.iter_runs(templates["done"])).metrics()
