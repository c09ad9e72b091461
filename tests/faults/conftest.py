"""Fixtures of the fault-injection suite: a case folder, and trained run folders to damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab import runs
from nnlab.config import load_config
from nnlab.experiments import train as tr

from .helpers import TINY, case_dir, copy_runs, invoke


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


@pytest.fixture(scope="session")
def planned(tmp_path_factory) -> dict[str, Path]:
    """Folders made once, each alone in its runs folder (under its kind): a ``train`` run, a
    ``sweep`` (a grid of two rates), a ``tune`` (one round of two trials), a folder of every
    other kind, a second compare-optimizers (on ``d2l``) and gradcheck (of ``affine1.b``),
    and a compare-optimizers on ``digits``."""
    root = tmp_path_factory.mktemp("planned")
    (root / "cfg.yaml").write_text(TINY)
    cfg = root / "cfg.yaml"
    made = {
        "train": ["train", cfg],
        "sweep": ["sweep", "grid", cfg, "optimizer.lr=0.1,0.2"],
        "tune": ["tune", cfg, "--trials", "2", "--top-k", "1", "--epochs", "1"],
        "landscape": ["landscape", cfg, "--points", "3", "--samples", "20"],
        "lr-scan": ["lr-scan", cfg, "--num", "2", "--epochs", "1"],
        "activations": ["activations", "--layers", "2", "--units", "8", "--samples", "20",
                        "-a", "relu", "-i", "he"],
        "compare-optimizers": ["compare-optimizers", "--steps", "5"],
        "gradcheck": ["gradcheck", "--compare-differences"],
        # (another of the same two kinds: what a result file copied from elsewhere holds)
        "compare-optimizers d2l": ["compare-optimizers", "--function", "d2l", "--steps", "5"],
        "gradcheck b": ["gradcheck", "--compare-differences", "--param", "affine1.b"],
        "compare-optimizers digits": ["compare-optimizers", "--dataset", "digits", "--steps",
                                      "20"],
    }  # fmt: skip
    out = {}
    for kind, args in made.items():
        out[kind] = root / kind
        quiet = ["-q"] if kind in ("train", "sweep", "tune") else []
        result = invoke(*args, *quiet, "--runs-dir", out[kind])
        assert result.exit_code == 0, result.output
    return out
