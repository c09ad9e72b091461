"""A run's numbers depend on its config and seed, and nothing else on one machine: and what
nnlab offers to train a folder's config again gives that folder's numbers.

The BLAS threads are the one setting besides the config that moves a run's last digits
(OpenBLAS adds a product's terms in another order with one thread than with several): a
sweep's trial trains with one, ``train`` a large net with every core. A tune's ``best:``
line and the report's "train again" commands carry the folder's count where ``train`` would
choose another (``nnlab.blas.again_threads``); they gave other numbers than the trial's.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from nnlab import blas, runs
from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[1]
CONFIG = str(ROOT / "configs" / "digits-quickstart.yaml")
SMALL = ["dataset.n_train=300", "model.hidden=[16]"]
TUNE = ["--trials", "2", "--rounds", "1", "--epochs", "2", "-f", "json"]


def records(folder: Path) -> list[dict]:
    """A folder's metrics.jsonl, each record without its wall time."""
    lines = (folder / "metrics.jsonl").read_text().splitlines()
    return [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in lines]


def best_command(stderr: str) -> list[str]:
    """The arguments of a tune's ``best: nnlab train ...`` line (after ``nnlab``)."""
    line = next(line for line in stderr.splitlines() if line.startswith("best: "))
    return shlex.split(line.removeprefix("best: ").split(" (trial ")[0])[1:]


@pytest.fixture
def large(monkeypatch):
    """Every net large (``train`` gives it every core) on a machine of 4 cores."""
    monkeypatch.setattr(blas, "LARGE_PRODUCT", 1)
    monkeypatch.setattr(blas.os, "cpu_count", lambda: 4)


def test_again_threads_says_the_count_only_where_train_would_choose_another(monkeypatch):
    monkeypatch.setattr(blas.os, "cpu_count", lambda: 4)
    small, big = blas.LARGE_PRODUCT - 1, blas.LARGE_PRODUCT
    assert blas.again_threads({"blas_threads": 1, "largest_product": small}) == ""
    assert blas.again_threads({"blas_threads": 4, "largest_product": big}) == ""
    assert blas.again_threads({"blas_threads": 1, "largest_product": big}) == " --threads 1"
    assert blas.again_threads({"blas_threads": 2, "largest_product": small}) == " --threads 2"
    # (a folder of an older version, which recorded no product: offered as before)
    assert blas.again_threads({"blas_threads": 1}) == ""
    assert blas.again_threads({}) == ""


def test_every_training_folder_records_the_product_that_chose_its_threads(tmp_path):
    # digits-quickstart: widths 64, 100, 100, 10 and minibatches of 50 -> 50 * 100 * 100
    trained = invoke("train", CONFIG, "epochs=1", "-q", runs_dir=tmp_path / "runs")
    assert trained.exit_code == 0, trained.output
    (run,) = runs.iter_runs(tmp_path / "runs")
    assert run.meta["largest_product"] == 500_000 and run.meta["blas_threads"] == 1
    longer = invoke("train", "--extend", run.path, "epochs=2", "-q", runs_dir=tmp_path / "runs")
    assert longer.exit_code == 0, longer.output
    extended = next(r for r in runs.iter_runs(tmp_path / "runs") if r.path != run.path)
    assert extended.meta["largest_product"] == 500_000
    swept = invoke("sweep", "grid", CONFIG, "epochs=1", "batch_size=full", "optimizer.lr=0.1,0.2",
                   "-q", runs_dir=tmp_path / "sweep")  # fmt: skip
    assert swept.exit_code == 0, swept.output
    trials = list((tmp_path / "sweep").glob("*/trials/*"))
    assert len(trials) == 2  # (full batch: the 1,500 training images at once)
    assert {runs.RunDir(t).meta["largest_product"] for t in trials} == {1500 * 100 * 100}


def test_a_tunes_best_trial_is_offered_with_the_threads_it_trained_with(tmp_path, large):
    result = invoke("tune", CONFIG, *SMALL, *TUNE, runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    args = best_command(result.stderr)
    assert args[-2:] == ["--threads", "1"]  # (a trial's one thread; train would take 4)
    again = invoke(*args, "-q", runs_dir=tmp_path / "again")
    assert again.exit_code == 0, again.output
    (run,) = runs.iter_runs(tmp_path / "again")
    assert run.meta["blas_threads"] == 1
    assert records(run.path) == records(Path(args[1]).parent)  # (the very trial, again)


def test_a_tunes_best_trial_is_offered_alone_where_train_chooses_its_threads(tmp_path):
    result = invoke("tune", CONFIG, *SMALL, *TUNE, runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    assert "--threads" not in best_command(result.stderr)  # (a small net: one thread anyway)


def test_the_report_offers_a_folder_again_with_the_threads_it_trained_with(tmp_path, large):
    from nnlab.report import build_report
    from tests.report.helpers import page
    from tests.report.test_next_steps import commands

    root = tmp_path / "runs"
    assert invoke("tune", CONFIG, *SMALL, *TUNE, runs_dir=root).exit_code == 0
    trained = invoke("train", CONFIG, *SMALL, "epochs=1", "--threads", "2", "-q", runs_dir=root)
    assert trained.exit_code == 0, trained.output
    out = build_report((), root, tmp_path / "report").out
    tune = next(p for p in root.iterdir() if "-tune-" in p.name)
    offered = commands(page(out, tune))
    best = next(cmd for what, cmd in offered.items() if what.startswith("train the best trial"))
    assert best.endswith(" --threads 1")
    run = next(p for p in root.iterdir() if "-tune-" not in p.name)
    again = commands(page(out, run))["train again from the resolved config"]
    assert again.endswith(f"--runs-dir {root} --threads 2")


@pytest.mark.slow
def test_a_large_nets_trial_trained_again_as_offered_gives_its_numbers_bit_for_bit(tmp_path):
    # 1,200 images at once through 512 x 512 units: 3e8 multiply-adds, every core for train;
    # with OpenBLAS's 2 threads the records of such a run left a trial's from epoch 4 on
    large = ["model.hidden=[512,512]", "batch_size=full"]
    tune = ["--trials", "1", "--rounds", "1", "--epochs", "8", "-f", "json"]
    result = invoke("tune", CONFIG, *large, *tune, runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    args = best_command(result.stderr)
    assert ("--threads" in args) == (blas.default_threads(blas.LARGE_PRODUCT) != 1)
    again = invoke(*args, "-q", runs_dir=tmp_path / "again")
    assert again.exit_code == 0, again.output
    (run,) = runs.iter_runs(tmp_path / "again")
    assert records(run.path) == records(Path(args[1]).parent)


def _dry_seeds(*args: str) -> dict[str, int]:
    """A sweep's trials' seeds, by their swept values, as its dry run plans them."""
    result = invoke("sweep", "grid", CONFIG, *args, "--dry-run", "-f", "json")
    assert result.exit_code == 0, result.output
    trials = json.loads(result.stdout)["trials"]
    return {str({k: v for k, v in t.items() if k not in ("trial", "seed", "stack")}): t["seed"]
            for t in trials}  # fmt: skip


def test_a_key_said_to_have_no_effect_leaves_a_sweeps_trial_seeds_as_they_were():
    # (model.init_std under model.init: he: 'warning: model.init_std has no effect'; it moved
    # every trial's seed, so the sweep trained other nets than without it)
    plain = _dry_seeds("optimizer.lr=0.1,0.01")
    assert _dry_seeds("optimizer.lr=0.1,0.01", "model.init_std=0.05") == plain
    # (a model with no hidden layer reads no dropout, batchnorm or activation)
    linear = _dry_seeds("optimizer.lr=0.1,0.01", "model.hidden=[]")
    idle = ["model.dropout=0.5", "model.batchnorm=true", "model.activation=tanh"]
    assert _dry_seeds("optimizer.lr=0.1,0.01", "model.hidden=[]", *idle) == linear
    # (where the trial reads it, it is the trial's: model.init=std)
    inits = _dry_seeds("model.init=std,he")
    given = _dry_seeds("model.init=std,he", "model.init_std=0.05")
    assert given["{'model.init': 'he'}"] == inits["{'model.init': 'he'}"]
    assert given["{'model.init': 'std'}"] != inits["{'model.init': 'std'}"]
    # (a swept one: its trials differ by their seeds alone, as its warning says)
    swept = _dry_seeds("model.init_std=0.1,0.2")
    assert len(set(swept.values())) == 2


def test_a_sweep_with_a_key_that_has_no_effect_trains_the_nets_of_one_without_it(tmp_path):
    args = ["sweep", "grid", CONFIG, *SMALL, "epochs=2", "optimizer.lr=0.1,0.01", "-q"]
    assert invoke(*args, runs_dir=tmp_path / "plain").exit_code == 0
    assert invoke(*args, "model.init_std=0.05", runs_dir=tmp_path / "idle").exit_code == 0
    trained = {}
    for name in ("plain", "idle"):
        folders = sorted((tmp_path / name).glob("*/trials/*"), key=lambda p: p.name)
        trained[name] = sorted(json.dumps(records(f)) for f in folders)
    assert len(trained["plain"]) == 2 and trained["idle"] == trained["plain"]
