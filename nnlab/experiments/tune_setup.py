"""What defines a tune (``nnlab.experiments.tune``): its settings as ``tune.json`` stores them,
and the base config its trials share, with a validation split carved from the training split;
the warnings a new tune's config and ranges give before its search (``idle_warnings``); the
options of how a resumed tune runs that it keeps from its folder (``started_options``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab.config import apply_overrides, read_config, validate
from nnlab.config_model import Config
from nnlab.errors import ConfigError
from nnlab.experiments.tune_search import Range, default_ranges, parse_args
from nnlab.idle import sweep_warnings
from nnlab.output import counted
from nnlab.resumes import resumed
from nnlab.sweep.executors import resumed_options

VAL_FRACTION = 0.2  # the share of the training split held out for validation (DLFS: 20 %)


@dataclass
class TuneSettings:
    """Everything that defines a tune run (stored in ``tune.json``). ``val_fraction``: the
    ``--val-fraction`` it was started with (its ``next:`` command repeats it); None in a
    tune.json of an nnlab before it recorded one (its ``base`` holds the split it made)."""

    name: str
    base: dict[str, Any]  # the config mapping, validation split and eval already set
    ranges: dict[str, Range]
    overrides: list[str] = field(default_factory=list)
    rounds: int = 1
    trials: int = 20
    top_k: int = 5
    metric: str = "final_val_acc"
    seed: int = 0
    val_fraction: float | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "name": self.name,
            "base": self.base,
            "ranges": {k: r.spec() for k, r in self.ranges.items()},
            "overrides": self.overrides,
            "rounds": self.rounds,
            "trials": self.trials,
            "top_k": self.top_k,
            "metric": self.metric,
            "seed": self.seed,
        }
        if self.val_fraction is not None:  # (an older tune.json, rewritten, keeps its hash)
            data["val_fraction"] = self.val_fraction
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TuneSettings:
        ranges = {k: Range.parse(k, v) for k, v in data["ranges"].items()}
        return cls(**{**data, "ranges": ranges})


def with_validation(
    raw: dict[str, Any],
    overrides: list[str],
    val_fraction: float,
    epochs: int | None,
    data_dir: Path | None,
    source: str = "config",
) -> dict[str, Any]:
    """The base config mapping for the trials: a validation split carved from the training
    split (unless the config has one), ``eval: [train, val]`` and no ``final_eval`` (never
    test), ``epochs``. An invalid key is blamed on its override, else on ``source`` (the
    file), as ``train`` and ``sweep`` say it."""
    from nnlab.experiments.checks import load_checked

    cfg = validate(apply_overrides(raw, overrides), source, overrides)
    extra = ["eval=[train, val]", "final_eval=[]"]
    if epochs is not None:
        extra.append(f"epochs={epochs}")
    if cfg.dataset.n_val == 0:
        if not 0 < val_fraction < 1:
            raise ConfigError(f"--val-fraction: expected a fraction in (0, 1), got {val_fraction}")
        data = load_checked(cfg, data_dir)
        n_train = data.sizes()["train"]
        n_val = round(val_fraction * n_train)
        if not 0 < n_val < n_train:
            raise ConfigError(
                f"--val-fraction: {val_fraction} of {counted(n_train, 'training sample')} leaves no "
                "validation or no training data"
            )
        extra += [f"dataset.n_val={n_val}", f"dataset.n_train={n_train - n_val}"]
    base = apply_overrides(apply_overrides(raw, overrides), extra)
    checked = validate(base, source, overrides)
    assert "test" not in checked.splits
    return base


def idle_warnings(
    config: Path | None, args: list[str] | None, resume: str | None = None
) -> list[str]:
    """A new tune's warnings, before its search (``idle.sweep_warnings``): a key its config
    sets that no trial reads, a range over a key that changes nothing. Read from the config
    and the arguments alone (no data: a refusal of the tune's checks comes before any work).
    None for a ``resume`` (its config was warned of as it started) or without a config (which
    ``tune.run_tune`` refuses)."""
    if config is None or resume is not None:
        return []
    ranges, fixed = parse_args(list(args or []))
    raw = read_config(Path(config))[0]  # (its sweep: section left out, as tune leaves it)
    return sweep_warnings(
        ranges or default_ranges(fixed),
        lambda: Config.model_validate(apply_overrides(raw, fixed)),
    )


def started_options(
    resume: str | None,
    runs_dir: Path,
    given: Collection[str],
    *,
    config: Path | None = None,
    args: list[str] | None = None,
    out: Path | None = None,
) -> dict[str, Any]:
    """The options of how a tune's ``resume`` runs (``jobs``, ``stack``, ``executor``,
    ``scheduler``) that it keeps from its folder, those not ``given`` (``executors.
    resumed_options``); none for a new tune, nor for a resume given a ``config``, ``args`` or
    ``out``, which ``tune.run_tune`` refuses before it looks the folder up."""
    if resume is None or config is not None or args or out is not None:
        return {}
    return resumed_options(resumed(runs_dir, resume, "tune").meta, given)
