"""``nnlab gradcheck CONFIG``: the network a config builds, in float64, checked on a small random
batch of its training data (``config_target``), refused first where centred differences of the
entries asked would take longer than the work limit (``check_numeric_work``). The check itself:
``nnlab.experiments.gradcheck``; ``--compare-differences`` takes its target from here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nnlab.costs import (
    fixed_seconds,
    numeric_gradient_bytes,
    numeric_gradient_work,
    parameter_sizes,
)
from nnlab.errors import ConfigError, NnlabError
from nnlab.experiments.gradcheck import (
    DEFAULT_BATCH,
    CheckSettings,
    Progress,
    Row,
    check_model,
    single_thread_blas,
)
from nnlab.limits import check_work
from nnlab.nn.model import MLP
from nnlab.output import counted


def check_config_path(config: Path | None) -> None:
    """ConfigError for an override given where the config goes (``gradcheck key=value``, no
    config file: the config is optional, so the override arrived as its path) that names no
    file: the config comes first."""
    if config is not None and "=" in config.name and not config.exists():
        raise ConfigError(
            f"{config}: an override needs a config file first (gradcheck CFG key=value)"
        )


def check_numeric_work(
    cfg: Any, input_dim: int, n_classes: int, batch: int, entries: int, passes: int
) -> None:
    """ConfigError, before the model is built, if ``passes`` forward passes over ``batch`` rows
    for each of ``entries`` parameter entries of ``cfg``'s net would take longer than the work
    limit (``limits.check_work``): a wide net checked entry by entry takes days."""
    from nnlab.build import describe_net

    work = numeric_gradient_work(cfg, input_dim, n_classes, batch, entries, passes)
    what = (
        f"a numeric gradient of {counted(f'{entries:,}', 'parameter entry', 'parameter entries')}"
        f" of {cfg.name} ({describe_net(cfg, input_dim)}) on {counted(batch, 'sample')}"
    )
    shorter = "a smaller --max-entries or --batch, or a smaller net"
    fixed = fixed_seconds(cfg, 0, work[1])  # (a forward pass: an evaluation batch's calls)
    moved = numeric_gradient_bytes(cfg, input_dim, n_classes, batch, work[1])
    check_work(what, *work, shorter, ("forward pass", "forward passes"), fixed=fixed, moved=moved)


def config_target(
    cfg: Any,
    data_dir: Path | None = None,
    batch: int = DEFAULT_BATCH,
    seed: int = 0,
    max_entries: int | None = None,
    data: Any = None,
) -> tuple[MLP, np.ndarray, np.ndarray]:
    """The network ``cfg`` builds, in float64, and ``batch`` random training samples of its data
    (``data``: its ``Dataset`` in float64, if the caller loaded it; else read from ``data_dir``).
    With ``max_entries``: refused first if centred differences of that many entries of each
    parameter would take longer than the work limit (``check_numeric_work``)."""
    from nnlab.build import build_model, make_rngs
    from nnlab.experiments.checks import MODEL_OF, load_checked

    cfg = cfg.model_copy(update={"dtype": "float64"})
    if data is None:
        data = load_checked(cfg, data_dir, doing=MODEL_OF)
    x_train, y_train = data.split("train")
    if cfg.loss == "bce" and data.n_classes != 2:
        raise ConfigError(
            f"loss: 'bce' needs 2 classes, dataset {data.name!r} has {data.n_classes}"
        )
    if cfg.model.batchnorm and batch < 2:
        raise NnlabError("--batch: BatchNorm needs a batch of at least 2 samples")
    n = min(batch, len(y_train))
    if cfg.model.batchnorm and n < 2:
        raise ConfigError("dataset: BatchNorm needs at least 2 training samples")
    if max_entries is not None:
        sizes = parameter_sizes(cfg, data.input_dim, data.n_classes)
        entries = sum(min(size, max_entries) for size in sizes)
        check_numeric_work(cfg, data.input_dim, data.n_classes, n, entries, passes=2)
    idx = np.sort(np.random.default_rng(seed).choice(len(y_train), size=n, replace=False))
    model = build_model(cfg, data.input_dim, data.n_classes, make_rngs(cfg.seed))
    return model, np.ascontiguousarray(x_train[idx]), y_train[idx]


def check_config(
    cfg: Any,
    data_dir: Path | None = None,
    settings: CheckSettings = CheckSettings(),
    progress: Progress | None = None,
) -> list[Row]:
    """``nnlab gradcheck cfg.yaml``: the config's network on ``batch`` samples of its data
    (``progress``: a line per parameter checked)."""
    s = settings
    model, x, y = config_target(cfg, data_dir, s.batch, s.seed, s.max_entries)
    rng = np.random.default_rng(s.seed)
    with single_thread_blas():
        return check_model(
            model, x, y, group=f"config {cfg.name}", eps=s.eps, max_entries=s.max_entries,
            rng=rng, progress=progress,
        )  # fmt: skip
