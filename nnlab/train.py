"""The training loop: epochs of shuffled minibatches, evaluation, divergence detection.

One loop, ``fit_group``, trains a *group* of K >= 1 nets of one architecture: ``Solo`` (one
``MLP``, layer by layer) or a ``StackedMLP`` (K nets side by side, one NumPy call per layer for
all of them). Each net shuffles its own minibatches and stops on its own when it diverges, so a
net's records are the same whichever group it trains in; ``fit`` is the group of one.

It knows nothing of files or terminals: each epoch's record goes to the ``on_epoch`` callback
and the caller decides where it ends up (a run folder, a progress bar, a list). The state of a
run (parameters, BatchNorm buffers, optimizer state, random generators) is plain arrays, so a
caller can checkpoint it with ``np.savez`` and resume bit for bit.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from nnlab.config import Config, optimizer_hyperparameters
from nnlab.nn.model import MLP, build_mlp
from nnlab.nn.optim import Optimizer
from nnlab.nn.registry import LOSSES, make_optimizer
from nnlab.nn.stacked import StackedMLP

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
        LOSSES[cfg.loss].units(n_classes, cfg.loss),
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


# Config keys that runs training side by side in one ``StackedMLP`` may differ in: those that
# only decide a run's initial weights (and its label), and the two per-net hyperparameters the
# stack keeps per net (the optimizer's ``lrs``, the stack's ``weight_decays``).
INIT_KEYS = ("seed", "name", "model.init", "model.init_std")
STACK_FREE_KEYS = (*INIT_KEYS, "optimizer.lr", "weight_decay")


def stack_key(cfg: Config) -> str | None:
    """Runs with equal keys can train as one stack (``fit_group`` of a ``StackedMLP``); None
    when this run cannot (a layer one unit wide: the ``bce`` output, or a hidden size 1)."""
    if cfg.loss == "bce" or 1 in cfg.model.hidden:
        return None
    data = cfg.model_dump(mode="json")
    for key in STACK_FREE_KEYS:
        *parents, last = key.split(".")
        node = data
        for part in parents:
            node = node[part]
        node.pop(last, None)
    return json.dumps(data, sort_keys=True)


def build_group(
    cfgs: Sequence[Config], input_dim: int, n_classes: int
) -> tuple[Group, Optimizer, list[dict[str, np.random.Generator]]]:
    """The nets of ``cfgs`` (each drawn from its own seed's generators) as one group to train:
    ``Solo`` for one config, a ``StackedMLP`` for several with one ``stack_key``; the optimizer
    (one for the group, with each net's learning rate) and each net's generators."""
    rngs = [make_rngs(cfg.seed) for cfg in cfgs]
    models = [build_model(cfg, input_dim, n_classes, r) for cfg, r in zip(cfgs, rngs)]
    optimizer = build_optimizer(cfgs[0])
    if len(models) == 1:
        return Solo(models[0]), optimizer, rngs
    stack = StackedMLP(models)
    lrs = [cfg.optimizer.lr for cfg in cfgs]
    if len(set(lrs)) > 1:
        optimizer.lrs = stack.per_net_arrays(lrs)
    return stack, optimizer, rngs


@dataclass
class FitResult:
    """How ``fit`` ended: ``COMPLETED`` or ``DIVERGED`` (at ``epoch``), and every record."""

    status: str
    epoch: int
    records: list[Record] = field(default_factory=list)
    steps: int = 0


# ----------------------------------------------------------------------------- groups of nets
class Group(Protocol):
    """What ``fit_group`` trains: K >= 1 nets of one architecture, each on its own minibatches.

    ``params`` / ``grads`` / ``buffers`` are the arrays an optimizer steps (all K nets at once);
    every other method answers per net, by position 0..K-1 in the group. Implemented by
    ``Solo`` (one ``MLP``) and ``nnlab.nn.stacked.StackedMLP`` (K nets side by side).
    """

    size: int
    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    buffers: dict[str, np.ndarray]

    def train_step(
        self, x: np.ndarray, y: np.ndarray, batches: Sequence[np.ndarray]
    ) -> list[float]: ...
    def evaluate(
        self, x: np.ndarray, y: np.ndarray, batch_size: int
    ) -> list[tuple[float, float]]: ...
    def params_finite(self) -> list[bool]: ...
    def select(self, keep: Sequence[int]) -> Group: ...
    def take(self, arrays: dict[str, np.ndarray], keep: Sequence[int]) -> dict[str, np.ndarray]: ...
    def net_arrays(self, pos: int, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]: ...


class Solo:
    """One ``MLP`` as a group of one: the plain path, layer by layer as ``nnlab.nn`` writes it."""

    size = 1

    def __init__(self, model: MLP) -> None:
        self.model = model
        self.params, self.grads, self.buffers = model.params, model.grads, model.buffers

    def train_step(
        self, x: np.ndarray, y: np.ndarray, batches: Sequence[np.ndarray]
    ) -> list[float]:
        """Forward and backward on the net's batch (rows ``batches[0]``): its objective."""
        (idx,) = batches
        return [self.model.loss_and_grads(x[idx], y[idx], train=True)]

    def evaluate(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> list[tuple[float, float]]:
        return [self.model.evaluate(x, y, batch_size)]

    def params_finite(self) -> list[bool]:
        """True when every parameter is finite (sums propagate any NaN or inf)."""
        return [all(np.isfinite(np.sum(p)) for p in self.params.values())]

    def select(self, keep: Sequence[int]) -> Solo:
        return self  # a group of one keeps its net (or has none left to train)

    def take(self, arrays: dict[str, np.ndarray], keep: Sequence[int]) -> dict[str, np.ndarray]:
        return arrays

    def net_arrays(self, pos: int, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in arrays.items()}


def evaluate_group(
    group: Group, splits: dict[str, tuple[np.ndarray, np.ndarray]], names: list[str], batch: int
) -> list[Record]:
    """Per net: ``<split>_loss`` (data loss) and ``<split>_acc`` for each named split, in
    evaluation mode."""
    out: list[Record] = [{} for _ in range(group.size)]
    for name in names:
        x, y = splits[name]
        for record, (loss, acc) in zip(out, group.evaluate(x, y, batch)):
            record[f"{name}_loss"] = loss if math.isfinite(loss) else None
            record[f"{name}_acc"] = acc
    return out


def evaluate(
    model: MLP, splits: dict[str, tuple[np.ndarray, np.ndarray]], names: list[str], batch: int
) -> Record:
    """``<split>_loss`` (data loss) and ``<split>_acc`` for each named split, in evaluation mode."""
    return evaluate_group(Solo(model), splits, names, batch)[0]


def params_finite(model: MLP) -> bool:
    """True when every parameter is finite (sums propagate any NaN or inf)."""
    return Solo(model).params_finite()[0]


def minibatches(n: int, batch_size: int | str, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's shuffled index batches; the last batch may be smaller (as torch's default)."""
    order = rng.permutation(n)
    size = n if batch_size == "full" else int(batch_size)
    return [order[i : i + size] for i in range(0, n, size)]


def select_optimizer(optimizer: Optimizer, group: Group, keep: Sequence[int]) -> Optimizer:
    """A copy of ``optimizer`` whose state holds only the nets at positions ``keep``."""
    new = copy.copy(optimizer)
    new.state = group.take(optimizer.state, keep)
    new.lrs = group.take(optimizer.lrs, keep)
    return new


StateFn = Callable[[], dict[str, np.ndarray]]
GroupEpochFn = Callable[[int, Record, StateFn], None]  # (net, its record, its state on demand)


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
    """Train ``model`` on ``splits["train"]`` for ``cfg.epochs`` epochs (``fit_group`` of one)."""
    (result,) = fit_group(
        Solo(model),
        optimizer,
        splits,
        cfg,
        [rngs],
        start_epoch=start_epoch,
        start_step=start_step,
        on_epoch=None if on_epoch is None else lambda _, record, __: on_epoch(record),
        on_step=None if on_step is None else lambda step, losses: on_step(step, losses[0]),
        max_steps=max_steps,
    )
    return result


@dataclass
class _Stopped:
    """A net that left its group mid-epoch (non-finite loss): a group of one, its optimizer,
    the steps it made."""

    group: Group
    optimizer: Optimizer
    steps: int


def fit_group(
    group: Group,
    optimizer: Optimizer,
    splits: dict[str, tuple[np.ndarray, np.ndarray]],
    cfg: Config,
    rngs: Sequence[dict[str, np.random.Generator]],
    *,
    start_epoch: int = 0,
    start_step: int = 0,
    on_epoch: GroupEpochFn | None = None,
    on_step: Callable[[int, list[float]], None] | None = None,
    max_steps: int | None = None,
    lrs: Sequence[float] | None = None,
) -> list[FitResult]:
    """Train every net of ``group`` on ``splits["train"]`` for ``cfg.epochs`` epochs.

    ``rngs[k]`` are net k's generators (``make_rngs`` of its seed, already used for its init):
    each net shuffles its own minibatches, so a net trains exactly as it would alone. ``cfg`` is
    any of the nets' configs (they differ at most in ``STACK_FREE_KEYS``: seed, initial weights,
    learning rate and weight decay, which the group and the optimizer hold per net); ``lrs`` are
    the nets' learning rates for their records (default: ``cfg``'s).

    Before training (epoch 0, unless resuming) and after every epoch, each split in ``cfg.eval``
    is evaluated in evaluation mode. A record per net and epoch::

        {"epoch", "loss" (mean objective over the epoch's minibatches, each computed before its
         update; None at epoch 0), "<split>_loss", "<split>_acc", "lr", "seconds", "steps"}

    goes to ``on_epoch(net, record, state)``, where ``state()`` returns the net's training state
    as ``get_state`` does. A net whose loss is not finite stops before that update: it leaves the
    group, its epoch is recorded (loss None) and it ends ``DIVERGED``; so does a net whose
    parameters are not finite after an epoch. The others train on. ``seconds`` is the net's share
    of the group's time. ``on_step(step, losses)`` is called after every update; ``max_steps``
    stops after that many updates in total (counting from this call), ending the epoch in
    progress there. When resuming, ``start_step`` is the number of updates already made, so
    ``steps`` counts from the start of the run as in an uninterrupted one.
    """
    x_train, y_train = splits["train"]
    names, batch = list(cfg.eval), cfg.eval_batch_size
    lrs = list(lrs) if lrs is not None else [cfg.optimizer.lr] * len(rngs)
    results = [FitResult("COMPLETED", start_epoch) for _ in rngs]
    live = list(range(len(rngs)))  # live[pos]: the net at position pos of the group
    steps = start_step

    def emit(net: int, record: Record, g: Group, opt: Optimizer, pos: int) -> None:
        results[net].records.append(record)
        results[net].epoch, results[net].steps = record["epoch"], record["steps"]
        if on_epoch is not None:
            on_epoch(net, record, lambda: group_state(g, opt, pos, rngs[net]))

    with np.errstate(all="ignore"):  # overflow is detected and recorded, not warned about
        if start_epoch == 0:
            t0 = time.perf_counter()
            evals = evaluate_group(group, splits, names, batch)
            share = (time.perf_counter() - t0) / len(live)
            for pos, net in enumerate(live):
                record = {"epoch": 0, "loss": None, **evals[pos], "lr": lrs[net], "seconds": share}
                emit(net, {**record, "steps": steps}, group, optimizer, pos)

        for epoch in range(start_epoch + 1, cfg.epochs + 1):
            if not live:
                break
            t0, n_start = time.perf_counter(), len(live)
            orders = [minibatches(x_train.shape[0], cfg.batch_size, rngs[n]["order"]) for n in live]
            totals, counts = [0.0] * len(live), [0] * len(live)
            stopped: dict[int, _Stopped] = {}
            for j in range(len(orders[0])):
                batches = [order[j] for order in orders]
                losses = group.train_step(x_train, y_train, batches)
                bad = [pos for pos, loss in enumerate(losses) if not math.isfinite(loss)]
                if bad:  # these nets stop here, before the update
                    for pos in bad:
                        one = select_optimizer(optimizer, group, [pos])
                        stopped[live[pos]] = _Stopped(group.select([pos]), one, steps)
                    keep = [pos for pos in range(len(live)) if pos not in bad]
                    live, orders = [live[p] for p in keep], [orders[p] for p in keep]
                    totals, counts = [totals[p] for p in keep], [counts[p] for p in keep]
                    losses = [losses[p] for p in keep]
                    if not live:
                        break
                    group, optimizer = group.select(keep), select_optimizer(optimizer, group, keep)
                optimizer.step(group.params, group.grads)
                for pos, loss in enumerate(losses):
                    totals[pos] += loss * batches[0].shape[0]
                    counts[pos] += batches[0].shape[0]
                steps += 1
                if on_step is not None:
                    on_step(steps, losses)
                if max_steps is not None and steps - start_step >= max_steps:
                    break

            finite = group.params_finite() if live else []
            evals = evaluate_group(group, splits, names, batch) if live else []
            share = (time.perf_counter() - t0) / n_start
            ended = [
                (net, pos, group, optimizer, evals[pos], steps) for pos, net in enumerate(live)
            ]
            for net, s in stopped.items():
                metrics = evaluate_group(s.group, splits, names, batch)[0]
                ended.append((net, 0, s.group, s.optimizer, metrics, s.steps))
            for net, pos, g, opt, metrics, net_steps in sorted(ended, key=lambda e: e[0]):
                diverged = net in stopped or not finite[pos]
                loss = totals[pos] / counts[pos] if not diverged and counts[pos] else None
                record = {"epoch": epoch, "loss": loss, **metrics, "lr": lrs[net], "seconds": share}
                emit(net, {**record, "steps": net_steps}, g, opt, pos)
                if diverged:
                    results[net].status = "DIVERGED"
            keep = [pos for pos in range(len(live)) if finite[pos]]
            if len(keep) < len(live):  # nets whose parameters are no longer finite leave
                live = [live[p] for p in keep]
                if live:
                    group, optimizer = group.select(keep), select_optimizer(optimizer, group, keep)
            if max_steps is not None and steps - start_step >= max_steps:
                break
    return results


# ----------------------------------------------------------------------------- state
def group_state(
    group: Group, optimizer: Optimizer, pos: int, rngs: dict[str, np.random.Generator]
) -> dict[str, np.ndarray]:
    """Everything needed to continue training the net at ``pos`` of ``group``, as plain arrays
    (for ``np.savez``): its parameters, BatchNorm buffers, optimizer state and generators."""
    state: dict[str, np.ndarray] = {}
    state.update({f"param/{k}": v for k, v in group.net_arrays(pos, group.params).items()})
    state.update({f"buffer/{k}": v for k, v in group.net_arrays(pos, group.buffers).items()})
    state["optim/t"] = np.array(optimizer.t)
    state.update({f"optim/{k}": v for k, v in group.net_arrays(pos, optimizer.state).items()})
    rng_state = {k: g.bit_generator.state for k, g in rngs.items()}
    state["rngs"] = np.array(json.dumps(rng_state))
    return state


def get_state(
    model: MLP, optimizer: Optimizer, rngs: dict[str, np.random.Generator]
) -> dict[str, np.ndarray]:
    """Everything needed to continue training, as plain arrays (for ``np.savez``)."""
    return group_state(Solo(model), optimizer, 0, rngs)


def set_state(
    state: dict[str, np.ndarray],
    model: MLP,
    optimizer: Optimizer,
    rngs: dict[str, np.random.Generator],
) -> None:
    """Restore what ``group_state`` saved, in place (model arrays, optimizer, generators).

    ValueError, before anything changes, when ``state`` does not fit: a missing or extra
    array, or one of another shape or dtype than the model's (a checkpoint of another config).
    """
    check_state(state, model, optimizer)
    for k, v in model.params.items():
        v[...] = state[f"param/{k}"]
    for k, v in model.buffers.items():
        v[...] = state[f"buffer/{k}"]
    optimizer.load_state_dict(
        {k[len("optim/") :]: v for k, v in state.items() if k.startswith("optim/")}
    )
    for k, s in json.loads(str(state["rngs"])).items():
        rngs[k].bit_generator.state = s


def check_state(state: dict[str, np.ndarray], model: MLP, optimizer: Optimizer) -> None:
    """ValueError naming the first array of ``state`` that does not fit ``model`` and
    ``optimizer`` (see ``set_state``)."""
    like = {f"param/{k}": v for k, v in model.params.items()}
    like.update({f"buffer/{k}": v for k, v in model.buffers.items()})
    for key in state:
        if key.startswith("optim/") and key != "optim/t":
            slot, _, param = key[len("optim/") :].partition("/")
            if slot not in optimizer.slots or param not in model.params:
                raise ValueError(f"{key!r} is not state of a {optimizer.name} optimizer here")
            like[key] = model.params[param]
    missing = sorted({*like, "optim/t", "rngs"} - set(state))
    if missing:
        raise ValueError(f"no {missing[0]!r} (a checkpoint of another model or optimizer?)")
    extra = sorted(k for k in state if k.startswith(("param/", "buffer/")) and k not in like)
    if extra:
        raise ValueError(f"{extra[0]!r} is not an array of this model")
    for key, want in like.items():
        got = state[key]
        if got.shape != want.shape or got.dtype != want.dtype:
            raise ValueError(
                f"{key!r} is {got.dtype}{list(got.shape)}, the config's model needs "
                f"{want.dtype}{list(want.shape)}"
            )
    try:
        streams = json.loads(str(state["rngs"]))
    except json.JSONDecodeError:
        raise ValueError("'rngs' is not the generators' state") from None
    if not isinstance(streams, dict) or set(streams) != set(RNG_STREAMS):
        raise ValueError(f"'rngs' holds no state for the streams {', '.join(RNG_STREAMS)}")
