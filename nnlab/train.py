"""The training loop: epochs of shuffled minibatches, evaluation, divergence detection.

It knows nothing of files or terminals: each epoch's record goes to the ``on_epoch`` callback
and the caller decides where it ends up (a run folder, a progress bar, a list). The state of a
run (parameters, BatchNorm buffers, optimizer state, random generators) is plain arrays, so a
caller can checkpoint it with ``np.savez`` and resume bit for bit.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnlab.config import Config, optimizer_hyperparameters
from nnlab.nn.losses import output_units
from nnlab.nn.model import MLP, build_mlp
from nnlab.nn.optim import Optimizer, make_optimizer

RNG_STREAMS = ("init", "order", "dropout")

Record = dict[str, Any]


def make_rngs(seed: int) -> dict[str, np.random.Generator]:
    """One independent Generator per consumer, spawned from the run's seed.

    Spawning (rather than sharing one generator) means that, e.g., turning dropout on does not
    change the weight init or the minibatch order of an otherwise identical run.
    """
    children = np.random.SeedSequence(seed).spawn(len(RNG_STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(RNG_STREAMS, children)}


def build_model(
    cfg: Config, input_dim: int, n_classes: int, rngs: dict[str, np.random.Generator]
) -> MLP:
    """The MLP that ``cfg.model`` describes, for data of ``input_dim`` features and ``n_classes``."""
    m = cfg.model
    return build_mlp(
        input_dim,
        m.hidden,
        output_units(cfg.loss, n_classes),
        activation=m.activation,
        init=m.init,
        init_std=m.init_std,
        batchnorm=m.batchnorm,
        dropout=m.dropout,
        loss=cfg.loss,
        weight_decay=cfg.weight_decay,
        rng_init=rngs["init"],
        rng_dropout=rngs["dropout"],
        dtype=np.dtype(cfg.dtype),
    )


def build_optimizer(cfg: Config) -> Optimizer:
    """The optimizer that ``cfg.optimizer`` describes."""
    return make_optimizer(cfg.optimizer.name, **optimizer_hyperparameters(cfg.optimizer))


@dataclass
class FitResult:
    """How ``fit`` ended: ``COMPLETED`` or ``DIVERGED`` (at ``epoch``), and every record."""

    status: str
    epoch: int
    records: list[Record] = field(default_factory=list)
    steps: int = 0


def evaluate(
    model: MLP, splits: dict[str, tuple[np.ndarray, np.ndarray]], names: list[str], batch: int
) -> Record:
    """``<split>_loss`` (data loss) and ``<split>_acc`` for each named split, in evaluation mode."""
    out: Record = {}
    for name in names:
        x, y = splits[name]
        loss, acc = model.evaluate(x, y, batch)
        out[f"{name}_loss"] = loss if math.isfinite(loss) else None
        out[f"{name}_acc"] = acc
    return out


def params_finite(model: MLP) -> bool:
    """True when every parameter is finite (sums propagate any NaN or inf)."""
    return all(np.isfinite(np.sum(p)) for p in model.params.values())


def minibatches(n: int, batch_size: int | str, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's shuffled index batches; the last batch may be smaller (as torch's default)."""
    order = rng.permutation(n)
    size = n if batch_size == "full" else int(batch_size)
    return [order[i : i + size] for i in range(0, n, size)]


def fit(
    model: MLP,
    optimizer: Optimizer,
    splits: dict[str, tuple[np.ndarray, np.ndarray]],
    cfg: Config,
    rngs: dict[str, np.random.Generator],
    *,
    start_epoch: int = 0,
    start_step: int = 0,
    on_epoch: Callable[[Record], None] | None = None,
    on_step: Callable[[int, float], None] | None = None,
    max_steps: int | None = None,
) -> FitResult:
    """Train ``model`` on ``splits["train"]`` for ``cfg.epochs`` epochs.

    Before training (epoch 0, unless resuming) and after every epoch, each split in ``cfg.eval``
    is evaluated in evaluation mode. A record per epoch::

        {"epoch", "loss" (mean objective over the epoch's minibatches, each computed before its
         update; None at epoch 0), "<split>_loss", "<split>_acc", "lr", "seconds", "steps"}

    A non-finite loss or parameter stops training: status ``DIVERGED``, the epoch recorded.
    ``on_step(step, loss)`` is called after every update; ``max_steps`` stops after that many
    updates in total (counting from this call), ending the epoch in progress there. When
    resuming, ``start_step`` is the number of updates already made, so ``steps`` in the records
    counts from the start of the run as in an uninterrupted one.
    """
    x_train, y_train = splits["train"]
    eval_names = list(cfg.eval)
    lr = cfg.optimizer.lr
    records: list[Record] = []
    steps = start_step

    def emit(record: Record) -> None:
        records.append(record)
        if on_epoch is not None:
            on_epoch(record)

    with np.errstate(all="ignore"):  # overflow is detected and recorded, not warned about
        if start_epoch == 0:
            t0 = time.perf_counter()
            record = {
                "epoch": 0,
                "loss": None,
                **evaluate(model, splits, eval_names, cfg.eval_batch_size),
            }
            emit({**record, "lr": lr, "seconds": time.perf_counter() - t0, "steps": steps})

        for epoch in range(start_epoch + 1, cfg.epochs + 1):
            t0 = time.perf_counter()
            total, count, finite = 0.0, 0, True
            for idx in minibatches(x_train.shape[0], cfg.batch_size, rngs["order"]):
                loss = model.loss_and_grads(x_train[idx], y_train[idx], train=True)
                if not math.isfinite(loss):
                    finite = False
                    break
                optimizer.step(model.params, model.grads)
                total += loss * idx.shape[0]
                count += idx.shape[0]
                steps += 1
                if on_step is not None:
                    on_step(steps, loss)
                if max_steps is not None and steps - start_step >= max_steps:
                    break
            finite = finite and params_finite(model)
            record = {
                "epoch": epoch,
                "loss": total / count if finite and count else None,
                **evaluate(model, splits, eval_names, cfg.eval_batch_size),
                "lr": lr,
                "seconds": time.perf_counter() - t0,
                "steps": steps,
            }
            emit(record)
            if not finite:
                return FitResult("DIVERGED", epoch, records, steps)
            if max_steps is not None and steps - start_step >= max_steps:
                break
    last = records[-1]["epoch"] if records else start_epoch
    return FitResult("COMPLETED", last, records, steps)


# ----------------------------------------------------------------------------- state
def get_state(
    model: MLP, optimizer: Optimizer, rngs: dict[str, np.random.Generator]
) -> dict[str, np.ndarray]:
    """Everything needed to continue training, as plain arrays (for ``np.savez``)."""
    state: dict[str, np.ndarray] = {}
    state.update({f"param/{k}": v.copy() for k, v in model.params.items()})
    state.update({f"buffer/{k}": v.copy() for k, v in model.buffers.items()})
    state.update({f"optim/{k}": v for k, v in optimizer.state_dict().items()})
    rng_state = {k: g.bit_generator.state for k, g in rngs.items()}
    state["rngs"] = np.array(json.dumps(rng_state))
    return state


def set_state(
    state: dict[str, np.ndarray],
    model: MLP,
    optimizer: Optimizer,
    rngs: dict[str, np.random.Generator],
) -> None:
    """Restore what ``get_state`` saved, in place (model arrays, optimizer, generators)."""
    for k, v in model.params.items():
        v[...] = state[f"param/{k}"]
    for k, v in model.buffers.items():
        v[...] = state[f"buffer/{k}"]
    optimizer.load_state_dict(
        {k[len("optim/") :]: v for k, v in state.items() if k.startswith("optim/")}
    )
    for k, s in json.loads(str(state["rngs"])).items():
        rngs[k].bit_generator.state = s
