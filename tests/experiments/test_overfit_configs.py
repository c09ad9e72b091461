"""The DLFS 6.4 overfitting configs say what the book does, and the digits stand-in overfits."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab.config import load_config
from nnlab.experiments.train import run_training

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.mark.parametrize(
    ("name", "weight_decay", "dropout", "epochs"),
    [
        ("overfit-mnist-300", 0.0, 0.0, 200),
        ("overfit-mnist-300-weight-decay", 0.1, 0.0, 200),
        ("overfit-mnist-300-dropout", 0.0, 0.2, 301),
    ],
)
def test_mnist_configs_match_the_book(name, weight_decay, dropout, epochs):
    cfg = load_config(CONFIGS / f"{name}.yaml")
    assert cfg.name == name and cfg.dataset.name == "mnist" and cfg.dataset.n_train == 300
    assert cfg.model.hidden == [100] * 6 and cfg.model.activation == "relu"
    assert cfg.optimizer.name == "sgd" and cfg.optimizer.lr == 0.01 and cfg.batch_size == 100
    assert (cfg.weight_decay, cfg.model.dropout, cfg.epochs) == (weight_decay, dropout, epochs)
    assert "DLFS 6.4" in (CONFIGS / f"{name}.yaml").read_text().splitlines()[0]


def test_digits_stand_in_fits_the_training_set_and_not_the_test_set(tmp_path):
    from threadpoolctl import threadpool_limits

    cfg = load_config(CONFIGS / "overfit-digits.yaml", ["epochs=100"])
    with threadpool_limits(limits=1):  # small matrices: one BLAS thread is fastest
        last = run_training(cfg, runs_dir=tmp_path, plot=False).records[-1]
    assert last["train_acc"] == 1.0
    assert last["train_acc"] - last["test_acc"] > 0.05
