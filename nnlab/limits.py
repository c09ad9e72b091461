"""Upper limits on the memory a command may ask for, checked before any work starts.

Sizes in a config or an option have fixed upper limits (the schema's and the options'); what
they multiply to is checked here: the bytes a model with its optimizer state and activations,
a generated dataset or a set of activation histograms needs, against ``memory_limit()``: 80 %
of this machine's memory, or ``NNLAB_MAX_MEMORY_GB``. A request over it is one ConfigError that
names what needs the memory, how much, the limit and how to change it.
"""

from __future__ import annotations

import os
from typing import Any

from nnlab.errors import ConfigError

MEMORY_ENV = "NNLAB_MAX_MEMORY_GB"
SHARE_OF_RAM = 0.8


def physical_memory() -> int:
    """Bytes of memory this machine has (a large default where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 16 * 2**30


def memory_limit() -> int:
    """The most bytes one command may plan to use: ``$NNLAB_MAX_MEMORY_GB`` or 80 % of RAM."""
    value = os.environ.get(MEMORY_ENV)
    if value:
        try:
            gb = float(value)
        except ValueError:
            raise ConfigError(f"{MEMORY_ENV}: expected a number of GB, got {value!r}") from None
        if not 0 < gb < 2**40:  # (a finite amount: 1e309 is infinity)
            raise ConfigError(
                f"{MEMORY_ENV}: expected a positive number of GB below 2**40, got {value!r}"
            )
        return int(gb * 2**30)
    return int(SHARE_OF_RAM * physical_memory())


def _gb(nbytes: float) -> str:
    return f"{nbytes / 2**30:.3g} GB"


def check_memory(what: str, nbytes: float) -> None:
    """ConfigError if ``what`` needs more than ``memory_limit()`` bytes."""
    limit = memory_limit()
    if nbytes > limit:
        source = f"${MEMORY_ENV}" if os.environ.get(MEMORY_ENV) else "80% of this machine's RAM"
        raise ConfigError(
            f"{what} needs about {_gb(nbytes)} of memory, over the limit of {_gb(limit)} "
            f"({source}); make it smaller, or set {MEMORY_ENV} to raise the limit"
        )


def training_bytes(cfg: Any, input_dim: int, n_classes: int, n_train: int, n_eval: int) -> int:
    """Bytes one net of ``cfg`` needs to train: parameters with their gradients, optimizer
    state and a checkpoint copy; a minibatch's activations kept for backward; an evaluation
    batch's activations."""
    from nnlab.nn.registry import OPTIMIZERS

    widths = [input_dim, *cfg.model.hidden, n_classes]
    params = sum(a * b + b for a, b in zip(widths, widths[1:]))
    if cfg.model.batchnorm:
        params += 4 * sum(cfg.model.hidden)
    slots = len(getattr(OPTIMIZERS.get(cfg.optimizer.name), "slots", ()))
    batch = n_train if cfg.batch_size == "full" else min(int(cfg.batch_size), n_train)
    evaluation = min(cfg.eval_batch_size, max(n_eval, 1))
    itemsize = 8 if cfg.dtype == "float64" else 4
    layers = sum(widths)
    return itemsize * (params * (3 + slots) + 6 * batch * layers + 3 * evaluation * layers)


def model_bytes(cfg: Any, input_dim: int, n_classes: int) -> int:
    """Bytes a model of ``cfg`` needs as soon as it is used at all: ``training_bytes`` with
    one sample (its parameters, their gradients, optimizer state and a copy)."""
    return training_bytes(cfg, input_dim, n_classes, 1, 1)
