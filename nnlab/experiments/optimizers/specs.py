"""Which optimizers a comparison runs and with which hyperparameters.

Hyperparameters, lowest precedence first: the optimizer's schema defaults (``nnlab.config_model``),
the function's or dataset's defaults, ``--lr``, and ``name.key=value`` overrides
(``adam.lr=0.3``), validated against the schema: an unknown optimizer or hyperparameter, or a
value out of range, is a one-line ``ConfigError``. ``gd`` is another name for ``sgd``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from nnlab.config import parse_override, refuse_spaced
from nnlab.config_model import optimizer_settings
from nnlab.errors import ConfigError, did_you_mean
from nnlab.nn.optim import Optimizer
from nnlab.nn.registry import make_optimizer
from nnlab.output import counted

ALIASES = {"gd": "sgd"}


class _Schemas(Mapping[str, type[BaseModel]]):
    """Optimizer name -> its config model, read from the registry each time (an optimizer
    registered later is there too): a read-only mapping whose every view (``len``, ``keys``,
    ``items``, ``dict(SCHEMAS)``) sees the registry. (It was a ``dict`` subclass whose own
    storage stayed empty: ``SCHEMAS[name]`` and iteration worked, ``len``, ``keys()`` and
    ``dict(SCHEMAS)`` said no optimizer was there.)"""

    def _table(self) -> dict[str, type[BaseModel]]:
        from nnlab.nn.registry import OPTIMIZERS

        return {name: optimizer_settings(name) for name in OPTIMIZERS}

    def __getitem__(self, name: str) -> type[BaseModel]:
        return self._table()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


SCHEMAS = _Schemas()
# gradient-free baselines (cs231n "Optimization", strategies 1 and 2) and their defaults
BASELINES: dict[str, dict[str, float]] = {
    "random-search": {"scale": 0.3},
    "random-local-search": {"step_size": 0.03},
}
# the most a comparison's hyperparameter may be (each above 0): a rate or a search's scale of
# 1e10 shows a divergence on every function and net here (1000 did not on digits: its ReLUs
# died); past it only how soon float32 overflows differs (--lr 1e300 ran: a table of inf). An
# eps past 1 is no longer a guard against division by 0 but the step's own scale.
MAX_HYPER = {"lr": 1e10, "scale": 1e10, "step_size": 1e10, "eps": 1.0}
MAX_PATH_STEPS = 100_000  # every point is kept (and written to result.json)
MAX_TOTAL_PATH_STEPS = 1_000_000  # of all the paths of a comparison together (~40 MB of JSON)
MAX_PATHS = 60  # optimizer-rate pairs x starts: the figure has a panel for each (20 rows of 3)
MAX_START = 1e6  # a start's coordinates: further out, every test function's value or gradient
# overflows float64 in its first steps (1e300 squared is inf), a divergence the start caused
DEFAULT_FUNCTION_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
ALWAYS_SHOWN = ("lr", "momentum")  # in the table's hyperparameters, at their defaults too


# ----------------------------------------------------------------------------- parsing
def parse_floats(text: str, option: str) -> list[float]:
    """``"0.1,1.0"`` -> [0.1, 1.0], or a ConfigError naming ``option``."""
    items = [t.strip() for t in text.split(",")]
    try:
        values = [float(t) for t in items]
    except ValueError:
        raise ConfigError(
            f"{option}: expected comma-separated numbers (e.g. 0.1,0.5), got {text!r}"
        ) from None
    if not values or any(not np.isfinite(v) for v in values):
        raise ConfigError(f"{option}: expected finite numbers, got {text!r}")
    return values


def parse_ints(text: str, option: str, minimum: int = 1) -> list[int]:
    """``"5,20"`` -> [5, 20] (each >= ``minimum``), or a ConfigError naming ``option``."""
    try:
        values = [int(t.strip()) for t in text.split(",")]
    except ValueError:
        raise ConfigError(
            f"{option}: expected comma-separated whole numbers (e.g. 5,20), got {text!r}"
        ) from None
    if any(v < minimum for v in values):
        raise ConfigError(f"{option}: every value must be >= {minimum}, got {text!r}")
    return values


def parse_starts(text: str, dim: int, function: str) -> list[tuple[float, ...]]:
    """Start points: ``"x,y"`` or ``"x1,y1;x2,y2"``; for a 1-D function ``"0.5,-1.0"`` is two."""
    groups = [g for g in text.split(";") if g.strip()]
    if not groups:
        raise ConfigError(f"--start: expected a point, got {text!r}")
    points: list[tuple[float, ...]] = []
    for group in groups:
        values = parse_floats(group, "--start")
        if dim == 1:
            points.extend((v,) for v in values)
        elif len(values) != dim:
            raise ConfigError(
                f"--start: function {function!r} is {dim}-D, so each point needs {counted(dim, 'number')} "
                f"(points separated by ';'), got {group.strip()!r}"
            )
        else:
            points.append(tuple(values))
    return points


def parse_names(text: str) -> list[str]:
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    if not names:
        raise ConfigError("--optimizers: expected at least one optimizer name")
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if twice is not None:  # (the same run twice, one curve over the other: its overrides,
        # <name>.lr=..., could not tell the two apart)
        raise ConfigError(f"--optimizers: {twice!r} is given twice; name each optimizer once")
    return names


# ----------------------------------------------------------------------------- hyperparameters
@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer to run: ``label`` as the user named it, ``name`` the rule it uses."""

    label: str
    name: str
    hyperparameters: dict[str, float]

    @property
    def is_baseline(self) -> bool:
        return self.name in BASELINES

    def build(self) -> Optimizer:
        """A fresh ``nnlab.nn.optim`` optimizer (state empty)."""
        return make_optimizer(self.name, **self.hyperparameters)

    def describe(self) -> str:
        """``lr=0.1, momentum=0.9``: lr and the momentum coefficient (what the method is), and
        the others only where they differ from the schema default (the JSON output has them
        all)."""
        fields = SCHEMAS[self.name].model_fields if self.name in SCHEMAS else {}
        shown = []
        for key, value in self.hyperparameters.items():
            field = fields.get(key)  # (none: a baseline's, or one result.json holds of no rule)
            if key in ALWAYS_SHOWN or field is None or value != field.default:
                shown.append(f"{key}={value:.10g}")
        return ", ".join(shown)

    @property
    def title(self) -> str:
        """``momentum (lr=0.1, momentum=0.9)``: which run this is, in the figure's words (its
        legend, its panel titles) and so in the progress lines: with ``--lr 1,10`` two runs of
        one optimizer differ only there."""
        return f"{self.label} ({self.describe()})" if self.hyperparameters else self.label


def _rule(label: str, allow_baselines: bool) -> str:
    name = ALIASES.get(label, label)
    if name in SCHEMAS or (allow_baselines and name in BASELINES):
        return name
    if name in BASELINES:
        raise ConfigError(
            f"optimizer {label!r} is a baseline for --dataset comparisons, not for --function"
        )
    choices = [*SCHEMAS, *ALIASES, *(BASELINES if allow_baselines else ())]
    hint = did_you_mean(label, choices)  # (adamw: what nnlab has nearest, ``not_offered``)
    raise ConfigError(f"unknown optimizer {label!r}{hint}; expected one of {', '.join(choices)}")


def _keys(name: str) -> list[str]:
    if name in BASELINES:
        return list(BASELINES[name])
    return [k for k in SCHEMAS[name].model_fields if k != "name"]


def _validate(
    name: str, label: str, values: dict[str, Any], sources: dict[str, str]
) -> dict[str, float]:
    """Schema-checked hyperparameters for rule ``name`` (ranges as in training configs).

    ``sources`` says where a key's value came from (``override 'adam.lr=0.3'``, ``--lr``), for
    the message.
    """
    if name in BASELINES:
        out = {}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                where = sources.get(key, "default")
                raise ConfigError(f"{where}: {label}.{key} must be a number > 0, got {value!r}")
            out[key] = float(value)
        return _at_most(label, out, sources)
    try:
        model = SCHEMAS[name].model_validate({"name": name, **values})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][-1]) if err["loc"] else "?"
        msg = err["msg"][0].lower() + err["msg"][1:]
        where = sources.get(key, "default")
        got = "" if err["type"] == "text_for_value" else f", got {err.get('input')!r}"
        raise ConfigError(f"{where}: {label}.{key}: {msg}{got}") from None
    out = {k: float(v) for k, v in model.model_dump().items() if k != "name"}
    return _at_most(label, out, sources)


def _at_most(label: str, values: dict[str, float], sources: dict[str, str]) -> dict[str, float]:
    """``values``, or a ConfigError naming the first past its ``MAX_HYPER`` and the range."""
    for key, value in values.items():
        if key in MAX_HYPER and value > MAX_HYPER[key]:
            raise ConfigError(
                f"{sources.get(key, 'default')}: {label}.{key}: expected a number above 0 and "
                f"at most {MAX_HYPER[key]:g}, got {value:g}"
            )
    return values


def _overrides_by_label(
    overrides: Sequence[str], labels: list[str], rules: dict[str, str]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """Each label's overridden hyperparameters, and for each the override that set it (its
    errors name it, as ``nnlab train`` names an override)."""
    per_label: dict[str, dict[str, Any]] = {label: {} for label in labels}
    given: dict[str, dict[str, str]] = {label: {} for label in labels}  # key -> its override
    refuse_spaced(list(overrides))  # ('adam.lr = 0.3': 'adam.lr' was refused alone)
    for text in overrides:
        parts, value = parse_override(text, example="adam.lr=0.3")
        if len(parts) != 2:
            raise ConfigError(
                f"override {text!r}: expected optimizer.hyperparameter=value (e.g. adam.lr=0.3)"
            )
        label, key = parts[0].lower(), parts[1]
        if label not in rules:
            try:
                _rule(label, allow_baselines=True)  # unknown name: says so, with the choices
            except ConfigError as exc:
                raise ConfigError(f"override {text!r}: {exc}") from None
            raise ConfigError(
                f"override {text!r}: optimizer {label!r} is not among --optimizers "
                f"({', '.join(labels)})"
            )
        keys = _keys(rules[label])
        if key not in keys:
            close = difflib.get_close_matches(key, keys, n=1)
            hint = f" (did you mean {label}.{close[0]}?)" if close else ""
            raise ConfigError(
                f"override {text!r}: {label} has no hyperparameter {key!r}{hint}; "
                f"it has {', '.join(keys)}"
            )
        per_label[label][key] = value
        given[label][key] = f"override {text!r}"
    return per_label, given


def resolve_optimizers(
    labels: Sequence[str],
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    defaults: dict[str, dict[str, float]] | None = None,
    allow_baselines: bool = False,
) -> list[OptimizerSpec]:
    """One spec per optimizer label x learning rate, hyperparameters resolved and validated.

    ``overrides`` are ``label.key=value`` strings (``adam.lr=0.3``, ``gd.lr=0.1``); each must
    name an optimizer in ``labels`` and a hyperparameter of its rule.
    """
    labels = list(dict.fromkeys(labels))
    try:
        rules = {label: _rule(label, allow_baselines) for label in labels}
    except ConfigError as exc:  # (an option's value: named as the option)
        raise ConfigError(f"--optimizers: {exc}") from None
    per_label, given = _overrides_by_label(overrides, labels, rules)
    specs = []
    defaults = defaults or {}
    for label in labels:
        name = rules[label]
        base = dict(BASELINES.get(name, {}))
        base.update(defaults.get(name, {}))
        lr_values: list[float | None] = list(lrs) if lrs and name not in BASELINES else [None]
        for lr in lr_values:
            values = dict(base)
            if lr is not None:
                values["lr"] = lr
            values.update(per_label[label])
            sources = {"lr": "--lr"} if lr is not None else {}
            sources.update(given[label])
            specs.append(OptimizerSpec(label, name, _validate(name, label, values, sources)))
    return specs
