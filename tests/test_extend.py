"""One place to extend: a new activation, optimizer, initialiser, loss and dataset, each one
class or function plus one registry entry, all from this file; then a config names them and
nnlab trains with them (validation, stacks, gradient checks and the config reference included).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest
from pydantic import Field

from nnlab.config import load_config
from nnlab.config_keys import reference_rows
from nnlab.data.dataset import Source
from nnlab.data.registry import DATASETS
from nnlab.errors import ConfigError
from nnlab.experiments import gradcheck as gc, gradcheck_builtin as gb
from nnlab.experiments.train import run_training, run_trainings
from nnlab.nn.layers import Layer
from nnlab.nn.losses import Loss
from nnlab.nn.optim import LR, Hyper, Optimizer
from nnlab.nn.registry import ACTIVATIONS, INITS, LOSSES, OPTIMIZERS
from nnlab.schema import DatasetBase


class Softsign(Layer):
    """y = x / (1 + |x|); dx = dout / (1 + |x|)^2."""

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        self.x = x
        return x / (1 + np.abs(x))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / (1 + np.abs(self.x)) ** 2


class SignSGD(Optimizer):
    """w <- w - lr * sign(g) (with a decaying step, to show a second hyperparameter)."""

    name = "signsgd"
    hyper = {"lr": LR, "decay": Hyper(1.0, "step multiplier per update", gt=0, le=None)}

    def __init__(self, lr: float, decay: float = 1.0) -> None:
        super().__init__(lr)
        self.decay = decay

    def update(self, key: str, w: np.ndarray, g: np.ndarray) -> None:
        # the learning rate multiplies once, last: a stack holds it per net as an array of the
        # parameter's dtype, and lr * (...) is then the product a net alone makes
        w -= self.rate(key) * (self.decay ** (self.t - 1) * np.sign(g))


def lecun(n_in: int, n_out: int, std: float) -> float:
    return float(np.sqrt(1.0 / n_in))


def squared_hinge(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    n = scores.shape[0]
    margins = np.maximum(0, scores - scores[np.arange(n), y][:, None] + 1)
    margins[np.arange(n), y] = 0
    loss = float(np.sum(margins**2) / n)
    d = 2 * margins / n
    d[np.arange(n), y] = -np.sum(d, axis=1)
    return loss, d.astype(scores.dtype)


class RingsData(DatasetBase):
    """Concentric rings: one class per ring, points with noisy radius."""

    name: Literal["rings"] = "rings"
    n_per_class: int = Field(60, gt=0, le=10_000, description="points per ring")
    normalize: Literal["none", "scale", "standardize"] = "none"
    n_test: int | None = 0

    def source(self, data_dir: object) -> Source:
        rng = np.random.default_rng(self.split_seed)
        xs, ys = [], []
        for k in range(3):
            angle = rng.uniform(0, 2 * np.pi, self.n_per_class)
            radius = 1 + k + 0.1 * rng.standard_normal(self.n_per_class)
            xs.append(np.c_[radius * np.cos(angle), radius * np.sin(angle)])
            ys.append(np.full(self.n_per_class, k))
        return Source("rings", (np.vstack(xs), np.concatenate(ys)), None, 3, 1.0, "rings")


@pytest.fixture
def extended(monkeypatch):
    """The five new pieces, each registered with one entry (undone after the test)."""
    monkeypatch.setitem(ACTIVATIONS, "softsign", Softsign)
    monkeypatch.setitem(OPTIMIZERS, "signsgd", SignSGD)
    monkeypatch.setitem(INITS, "lecun", lecun)
    monkeypatch.setitem(LOSSES, "sq_hinge", Loss(squared_hinge))
    monkeypatch.setitem(DATASETS, "rings", RingsData)


NEW = [
    "name=ext",
    "dataset.name=rings",
    "model.hidden=[16]",
    "model.activation=softsign",
    "model.init=lecun",
    "loss=sq_hinge",
    "optimizer.name=signsgd",
    "optimizer.lr=0.01",
    "optimizer.decay=0.999",
    "batch_size=30",
    "epochs=5",
    "eval=[train]",
]


def test_a_config_names_the_new_pieces_and_trains_with_them(extended, tmp_path):
    cfg = load_config(None, NEW)
    assert (cfg.model.activation, cfg.model.init, cfg.loss) == ("softsign", "lecun", "sq_hinge")
    assert cfg.optimizer.decay == 0.999 and isinstance(cfg.dataset, RingsData)
    result = run_training(cfg, runs_dir=tmp_path, plot=False)
    records = result.records
    assert result.status == "COMPLETED" and [r["epoch"] for r in records] == list(range(6))
    assert records[-1]["train_acc"] > records[0]["train_acc"]  # it learns
    assert "lecun" in result.run.file("config.yaml").read_text()


def test_the_new_pieces_stack_with_the_numbers_they_have_alone(extended, tmp_path):
    cfgs = [load_config(None, [*NEW, f"seed={s}", f"optimizer.lr={lr}"])
            for s, lr in ((1, 0.01), (2, 0.02))]  # fmt: skip
    stacked = run_trainings(cfgs, runs_dir=tmp_path / "stack", plot=False)
    alone = [run_training(c, runs_dir=tmp_path / "alone", plot=False) for c in cfgs]
    for a, b in zip(stacked, alone):
        drop = [{k: v for k, v in r.items() if k != "seconds"} for r in a.records]
        assert drop == [{k: v for k, v in r.items() if k != "seconds"} for r in b.records]


def test_the_schema_checks_the_new_keys_and_names(extended):
    with pytest.raises(ConfigError, match=r"optimizer.decay: input should be greater than 0"):
        load_config(None, [*NEW, "optimizer.decay=-1"])
    with pytest.raises(ConfigError, match=r"unknown key 'optimizer.momentum'"):
        load_config(None, [*NEW, "optimizer.momentum=0.9"])
    with pytest.raises(ConfigError, match=r"dataset.n_per_class: input should be greater"):
        load_config(None, [*NEW, "dataset.n_per_class=0"])
    with pytest.raises(ConfigError, match=r"'softsign'.*got 'softsine'"):
        load_config(None, [*NEW, "model.activation=softsine"])


def test_without_the_entries_the_names_are_refused():
    with pytest.raises(ConfigError, match="model.activation: input should be 'relu'"):
        load_config(None, ["model.activation=softsign"])
    with pytest.raises(ConfigError, match="optimizer.name: unknown 'signsgd'"):
        load_config(None, ["optimizer.name=signsgd"])


def test_gradcheck_and_the_reference_cover_the_new_pieces(extended):
    rows = gb.check_builtin(gc.CheckSettings(max_entries=50))
    assert any(r.layer == "Softsign" and r.verdict == "pass" for r in rows)
    assert any("sq_hinge" in r.layer and r.verdict == "pass" for r in rows)
    ref = {(r["key"], r["when"]): r for r in reference_rows()}
    assert ("optimizer.decay", "optimizer.name=signsgd") in ref
    assert ("dataset.n_per_class", "dataset.name=rings") in ref
    assert "softsign" in ref[("model.activation", "")]["allowed"]
    assert "lecun" in ref[("model.init", "")]["allowed"]
