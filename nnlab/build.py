"""Config -> the things training needs: generators, model, optimizer, a group of nets.

The one factory: ``nnlab.train``'s loop takes what it builds and never reads a config. The
rules of stacks live here too: which configs may train side by side (``stack_key``) and what
the stack holds per net (``build_group``: each net's learning rate over its block).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from nnlab.config_model import Config, optimizer_hyperparameters
from nnlab.group import Group, Solo
from nnlab.limits import check_memory, training_parts
from nnlab.nn.model import MLP, build_mlp
from nnlab.nn.optim import Optimizer
from nnlab.nn.registry import LOSSES, make_optimizer
from nnlab.nn.stacked import StackedMLP

RNG_STREAMS = ("init", "order", "dropout")


def make_rngs(seed: int) -> dict[str, np.random.Generator]:
    """One independent Generator per consumer, spawned from the run's seed.

    Spawning (rather than sharing one generator) means that, e.g., turning dropout on does not
    change the weight init or the minibatch order of an otherwise identical run.
    """
    children = np.random.SeedSequence(seed).spawn(len(RNG_STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(RNG_STREAMS, children)}


def describe_net(cfg: Config, input_dim: int | str) -> str:
    """``784 -> 100 x 5 -> out``: the layer widths, for messages (``input_dim``: or words
    for it where the data is not read yet: ``mnist's inputs``)."""
    hidden = cfg.model.hidden
    if len(set(hidden)) == 1:  # (one width, however many layers)
        middle = f"{hidden[0]} x {len(hidden)}"
    else:
        middle = " -> ".join(map(str, hidden)) or "linear"
    return f"{input_dim} -> {middle} -> out"


def build_model(
    cfg: Config, input_dim: int, n_classes: int, rngs: dict[str, np.random.Generator]
) -> MLP:
    """The MLP that ``cfg.model`` describes, for data of ``input_dim`` features and ``n_classes``.

    A model too large for memory even to hold with its gradients is refused here, by every
    command, before any array is allocated (``limits.training_parts`` of one sample); what
    more a command needs (a training run's batches) it checks itself.
    """
    what = f"a model of {cfg.name} ({describe_net(cfg, input_dim)})"
    parts = training_parts(cfg, input_dim, n_classes, 1, 1)  # (the model, with no batches)
    check_memory(what, sum(parts.values()), parts)
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


# Config keys in which runs trained side by side in one ``StackedMLP`` may differ: those that
# only decide a run's initial weights (and its label), and the two per-net hyperparameters the
# stack keeps per net (the optimizer's ``lrs``, the stack's ``weight_decays``).
INIT_KEYS = ("seed", "name", "model.init", "model.init_std")
STACK_FREE_KEYS = (*INIT_KEYS, "optimizer.lr", "weight_decay")


def stack_key(cfg: Config) -> str | None:
    """Runs with equal keys can train as one stack (``fit_group`` of a ``StackedMLP``); None
    when this run cannot (a layer one unit wide: a binary loss's one output, or a hidden size
    1)."""
    if LOSSES[cfg.loss].binary or 1 in cfg.model.hidden:
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
