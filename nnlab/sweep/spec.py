"""What a sweep varies: the ``sweep:`` spec (grid or random), its ranges and distributions, and
the command line's ``key=...`` axes.

grid: a list of values, ``logspace:a:b:n`` (10**a .. 10**b, n points, as ``np.logspace``) or
``linspace:a:b:n``; random: ``loguniform:a:b``, ``uniform:a:b``, ``randint:a:b`` (inclusive),
``choice:x,y,z`` or a list. ``expand`` turns a spec into the trials' values.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Collection, Sequence
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import ConfigDict, Field, ValidationError, model_validator

from nnlab.errors import ConfigError, did_you_mean
from nnlab.numbers import read_number
from nnlab.output import counted
from nnlab.overrides import override_key, repeated_key
from nnlab.schema import NoBoolNumbers
from nnlab.sweep import MAX_TRIALS
from nnlab.sweep.shape import SHAPE_KEYS

GRID_RANGES = ("logspace", "linspace")
MAX_AXIS = 10_000  # values of one range
MAX_INTEGER = 2**53  # an integer in a range (exact as a float; NumPy draws int64)
DISTRIBUTIONS = ("loguniform", "uniform", "choice", "randint")


class SweepSpec(NoBoolNumbers):
    """What varies. ``params`` maps a dotted config key to its values.

    grid: a list of values, ``logspace:a:b:n`` (10**a .. 10**b, n points, as ``np.logspace``) or
    ``linspace:a:b:n``; a single value is a one-point axis.
    random: ``loguniform:a:b``, ``uniform:a:b``, ``randint:a:b`` (inclusive), ``choice:x,y,z`` or a
    list (uniform choice); a single value is fixed. ``trials`` draws are made from a generator
    seeded with ``seed``.
    ``seed``: the sweep seed every trial seed derives from (null: the base config's ``seed``).
    ``share_seed``: swept keys left out of a trial's seed identity, so trials that differ only
    in them share their seed (same init draws, same minibatch order).
    ``colour_by``: the swept key the sweep's ``curves.png`` colours its trials by (as
    ``--colour-by``, which overrides it; ``SweepDef.colour_by`` is what the sweep uses).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)

    kind: Literal["grid", "random"] = Field("grid", description="grid or random")
    params: dict[str, Any] = Field(
        {}, description="dotted key -> values: a list, a range (logspace:a:b:n) or a distribution"
    )
    trials: Annotated[int, Field(gt=0, le=MAX_TRIALS)] | None = Field(
        None, description="random draws (a random sweep only)"
    )
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] | None = Field(
        None, description="the sweep seed trial seeds derive from (null: the config's seed)"
    )
    share_seed: list[str] = Field(
        [],
        description="swept keys left out of a trial's seed: trials differing only in them "
        "share init and minibatch order",
    )
    colour_by: str | None = Field(
        None,
        description="the swept key curves.png colours the trials by, as --colour-by (which "
        "overrides it; null: the figure chooses)",
    )

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        if self.kind == "random" and self.trials is None:
            raise ValueError(
                "trials: a random sweep needs a number of trials (sweep.trials in a sweep file, "
                "--trials N on the command line)"
            )
        if self.kind == "grid" and self.trials is not None:
            raise ValueError("trials: only a random sweep takes a number of trials")
        for key in self.share_seed:
            if key not in self.params:
                raise ValueError(f"share_seed: {key!r} is not a swept key")
            if key == "seed":
                raise ValueError(f"share_seed: {SEED_NOT_SHARED}")
        if self.colour_by is not None and self.colour_by not in self.params:
            raise ValueError(not_varied("colour_by", self.colour_by, self.params))
        return self


def not_varied(where: str, key: str, params: Collection[str]) -> str:
    """The line of a key (``colour_by``'s) that is not one a sweep varies, naming those it
    does: ``colour_by: 'model.dropout' is not a key this sweep varies; it varies ...``."""
    varied = ", ".join(params) or "nothing"
    return (
        f"{where}: {key!r} is not a key this sweep varies; it varies {varied}"
        f"{did_you_mean(key, list(params))}"
    )


# (a swept seed is each trial's seed as it stands: there is no derived seed to leave it out of)
SEED_NOT_SHARED = (
    "'seed' is the swept value itself (each trial runs with its own value of seed, so no seed "
    "is derived to share); leave it out"
)


def parse_spec(raw: Any, source: str = "sweep") -> SweepSpec:
    """Validate a ``sweep:`` mapping into a SweepSpec, or a one-line ConfigError naming the
    key's path under ``source`` (``sweep``, ``cfg.yaml: sweep``): its shape and fields. The
    values of ``params`` are read by ``check_section`` (a file's) and ``expand``."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: expected a mapping of {', '.join(SweepSpec.model_fields)}, got {raw!r}"
        )
    try:
        return SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors()[0], source)) from None


EXPECTED = {  # what a field holds, for a value of the wrong type there
    ("params",): "a mapping of config keys to values (optimizer.lr: [0.1, 0.01])",
    ("share_seed",): "a list of swept keys",
    ("share_seed", int): "a swept key",
}


def _describe(err: Any, source: str) -> str:
    """One pydantic error of a ``sweep:`` mapping as a line naming its key path."""
    loc = tuple(err["loc"])
    where = ".".join([source, *(str(p) for p in loc)])
    msg = err["msg"].removeprefix("Value error, ")
    got = f", got {err['input']!r}" if "input" in err else ""
    if err["type"] == "extra_forbidden":
        fields = list(SweepSpec.model_fields)
        hint = did_you_mean(loc[-1], fields)
        return f"{source}: unknown key {loc[-1]!r}{hint}; valid keys: {', '.join(fields)}"
    if loc[:1] == ("params",) and loc[-1] == "[key]":
        return f"{source}.params: expected dotted config keys (optimizer.lr), got {loc[1]!r}"
    shape = tuple(p if isinstance(p, str) else int for p in loc)
    if err["type"] == "text_for_value":  # (its message quotes the value)
        return f"{where}: {msg}"
    if shape in EXPECTED and err["type"] not in ("value_error", "bool_for_number"):
        return f"{where}: expected {EXPECTED[shape]}{got}"
    if err["type"] == "value_error":  # (the model's own check: 'trials: ...')
        return f"{source}.{msg}" if not loc else f"{where}: {msg}"
    return f"{where}: {msg[:1].lower()}{msg[1:]}{got}"


def check_section(spec: SweepSpec, source: str, keys: Collection[str]) -> SweepSpec:
    """A file's ``sweep:`` section, checked beyond its shape: every key of ``params`` one of
    the config's ``keys``, each value a list, a range or distribution of its ``kind``, or one
    value (not a mapping: a section's keys are swept by their dotted names). Errors name the
    key's path under ``source``."""
    for key, value in spec.params.items():
        if key not in keys and key not in SHAPE_KEYS:  # (lr: optimizer.lr, the key in a section)
            nested = sorted(k for k in keys if k.endswith(f".{key}"))
            hint = f" (did you mean {' or '.join(map(repr, nested))}?)" if nested else ""
            raise ConfigError(
                f"{source}.params: unknown config key {key!r}{hint or did_you_mean(key, keys)}"
            )
        where = f"{source}.params.{key}"
        if isinstance(value, dict):
            raise ConfigError(
                f"{where}: expected a list of values, a range or one value, got a mapping "
                f"{value!r}; sweep a key in it by its dotted name ({key}.<key>: [a, b])"
            )
        if spec.kind == "grid":
            grid_axis(where, value)
        else:
            sampler(where, value)
    return spec


def _number(text: str, key: str, spec: str) -> float:
    try:
        value = read_number(text)
    except ValueError:
        raise ConfigError(f"{key}: {spec!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ConfigError(f"{key}: {spec!r}: {text!r} is not a finite number")
    return value


def _integer(text: str, key: str, spec: str) -> int:
    value = _number(text, key, spec)
    if value != int(value):
        raise ConfigError(f"{key}: {spec!r}: {text!r} is not an integer")
    if abs(value) > MAX_INTEGER:
        raise ConfigError(f"{key}: {spec!r}: {text!r} is out of range (at most 2**53 in size)")
    return int(value)


def _scalar(text: str, key: str = "") -> Any:
    """A value as YAML reads it, except that ``1e-5`` is a number (YAML 1.1 reads a string);
    ConfigError naming ``key`` and the value if it is not valid YAML or nests too deep."""
    from nnlab.yamlio import glued_error, yaml_value

    where = f"{key + ': ' if key else ''}value {_short(text)}"
    try:
        value = yaml_value(text, where) if text.strip() else None
    except yaml.YAMLError as exc:
        problem = glued_error(exc, text) or getattr(exc, "problem", None) or "malformed"
        raise ConfigError(f"{where}: not valid YAML ({problem})") from None
    if isinstance(value, str) and re.fullmatch(
        r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+", value
    ):
        return float(value)
    return value


def _short(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _range(key: str, spec: str) -> list[float]:
    """``logspace:a:b:n`` / ``linspace:a:b:n`` as a list of floats."""
    kind, *args = spec.split(":")
    if len(args) != 3:
        raise ConfigError(f"{key}: {spec!r}: expected {kind}:start:stop:num")
    start, stop = (_number(a, key, spec) for a in args[:2])
    num = _integer(args[2], key, spec)
    if not 1 <= num <= MAX_AXIS:
        raise ConfigError(f"{key}: {spec!r}: num must be an integer from 1 to {MAX_AXIS:,}")
    fn = np.logspace if kind == "logspace" else np.linspace
    with np.errstate(all="ignore"):  # (an overflow is reported below, not as a NumPy warning)
        values = [float(v) for v in fn(start, stop, num)]
    if not all(math.isfinite(v) for v in values):
        largest = f"10**{max(start, stop):g}" if kind == "logspace" else f"{stop:g} - {start:g}"
        raise ConfigError(f"{key}: {spec!r}: values overflow ({largest} is not a finite float)")
    return values


def _prefix(value: Any) -> str | None:
    if isinstance(value, str) and ":" in value:
        head = value.split(":", 1)[0]
        if head in GRID_RANGES + DISTRIBUTIONS:
            return head
    return None


def _is_number(text: str) -> bool:
    try:
        read_number(text)
    except ValueError:
        return False
    return True


def _check_not_a_misspelt_range(key: str, value: str) -> None:
    """``log-uniform:1e-4:1`` or ``LogSpace:0:-4:5``: a word before a colon close to a range's or
    distribution's name is refused, naming the right one, and so is ``1e-4:1e-1``, no name at all (it would be taken for one value, and
    refused later as 'not a valid number', or as 'nothing to sweep')."""
    import difflib

    head = value.split(":", 1)[0] if ":" in value else ""
    if ":" in value and all(_is_number(end) for end in value.split(":")):  # (1e-4:1e-1)
        raise ConfigError(
            f"{key}: {value!r} names no range or distribution; write its kind first, e.g. "
            f"{'logspace' if value.count(':') == 2 else 'loguniform'}:{value} (ranges: {', '.join(GRID_RANGES)}; distributions: "
            f"{', '.join(DISTRIBUTIONS)})"
        )
    head, called, inside = value.partition("(")  # (loguniform(1e-4,1e-1): a call's form)
    head = (
        head if called and value.endswith(")") else value.split(":", 1)[0] if ":" in value else ""
    )
    if len(head) < 3 or not head.replace("-", "").replace("_", "").isalpha():
        return
    names = {n.lower(): n for n in GRID_RANGES + DISTRIBUTIONS}
    plain = head.lower().replace("-", "").replace("_", "")
    match = names.get(plain) or next(
        iter(difflib.get_close_matches(plain, list(names), n=1, cutoff=0.75)), None
    )
    match = match or OTHER_NAMES.get(plain)
    if match is not None and called and value.endswith(")"):
        ends = ":".join(end.strip() for end in inside[:-1].split(","))
        raise ConfigError(
            f"{key}: {value!r}: a range or distribution is written with colons, not as a call: "
            f"{match}:{ends}"
        )
    if match is None and all(_is_number(end) for end in value.split(":")[1:]):  # (int:1:4:
        match = ""  # it said 'nothing to sweep', the value taken for one fixed value)
    if match is not None:
        meant = f"; did you mean {match!r}?" if match else ""
        raise ConfigError(
            f"{key}: unknown range or distribution {head!r} in {value!r}{meant} (ranges: "
            f"{', '.join(GRID_RANGES)}; distributions: {', '.join(DISTRIBUTIONS)})"
        )


# Other tools' names for nnlab's distributions (Optuna's suggest_int, Ray Tune's randint, ...)
OTHER_NAMES = {"int": "randint", "integer": "randint", "float": "uniform", "log": "loguniform",
               "categorical": "choice", "range": "linspace", "logrange": "logspace"}  # fmt: skip


def grid_axis(key: str, value: Any) -> list[Any]:
    """The values one grid axis takes."""
    head = _prefix(value)
    if head in GRID_RANGES:
        return _range(key, value)
    if head is not None:
        raise ConfigError(
            f"{key}: {value!r} is a random distribution, which a grid cannot take; use a "
            "random sweep (nnlab sweep random, or kind: random in a sweep: section)"
        )
    if isinstance(value, list):
        if not value:
            raise ConfigError(f"{key}: an axis needs at least one value")
        return list(value)
    if isinstance(value, str):  # (a file's axis: as the command line's)
        _check_not_a_misspelt_range(key, value)
    return [value]


def sampler(key: str, value: Any) -> Callable[[np.random.Generator], Any]:
    """The random draw of ``key`` from its distribution (a list is a uniform choice), as a
    function of the generator; its spec is checked here, before any draw."""
    head = _prefix(value)
    if head in GRID_RANGES:
        value = _range(key, value)
    elif head == "choice":
        value = split_values(value[len("choice:") :], key)
    elif head is None and isinstance(value, str):
        _check_not_a_misspelt_range(key, value)
    elif head is not None:
        args = value.split(":")[1:]
        if len(args) != 2:
            raise ConfigError(f"{key}: {value!r}: expected {head}:low:high")
        low, high = (_number(a, key, value) for a in args)
        if not low < high:
            raise ConfigError(f"{key}: {value!r}: low must be below high")
        if head == "uniform":
            return lambda rng: float(rng.uniform(low, high))
        if head == "randint":
            first, last = (_integer(a, key, value) for a in args)
            return lambda rng: int(rng.integers(first, last, endpoint=True))
        if low <= 0:
            raise ConfigError(f"{key}: {value!r}: loguniform needs 0 < low < high")
        return lambda rng: float(math.exp(rng.uniform(math.log(low), math.log(high))))
    if isinstance(value, list):
        if not value:
            raise ConfigError(f"{key}: a choice needs at least one value")
        return lambda rng: value[int(rng.integers(len(value)))]
    return lambda rng: value


def expand(spec: SweepSpec) -> list[dict[str, Any]]:
    """The trials' values, ``{dotted key: value}`` each: grid in row-major order of ``params``
    (the first key varies slowest), or ``trials`` random draws from a generator seeded by
    ``spec.seed`` (0 when unset)."""
    keys = list(spec.params)
    if spec.kind == "grid":
        axes = [grid_axis(k, spec.params[k]) for k in keys]
        total = math.prod(len(a) for a in axes)
        if total > MAX_TRIALS:
            sizes = " x ".join(f"{len(a):,}" for a in axes)  # (as the total: 10,000 x 10,000)
            raise ConfigError(
                f"sweep: a grid of {sizes} = {counted(f'{total:,}', 'trial')}; at most {MAX_TRIALS:,}"
            )
        return [dict(zip(keys, combo)) for combo in itertools.product(*axes)]
    rng = np.random.default_rng(spec.seed or 0)
    assert spec.trials is not None
    samplers = {k: sampler(k, spec.params[k]) for k in keys}
    return [{k: samplers[k](rng) for k in keys} for _ in range(spec.trials)]


def asked_trials(spec: SweepSpec) -> int:
    """How many trials ``spec`` asks for, repeats included: its random draws, or the product
    of its grid's axes (``expand`` makes them all; the plan keeps each distinct config once)."""
    if spec.kind == "random":
        assert spec.trials is not None  # (a random spec has its draws: ``sweep_from_file``)
        return spec.trials
    return math.prod(len(grid_axis(key, value)) for key, value in spec.params.items())


def repeats_note(asked: int | None, total: int) -> str | None:
    """What a sweep of ``total`` distinct trials says when its spec ``asked`` for more (None:
    a resume, which asks for none anew), else None."""
    if asked is None or total >= asked:
        return None
    return (
        f"{counted(asked, 'trial')} asked, {total} distinct: the others would "
        "repeat a trial's config (a random draw made again, a grid value given twice, or "
        "values of a key a trial leaves out: a width at model.depth=0, a key its optimizer "
        "has not)"
    )


def split_values(text: str, key: str = "") -> list[Any]:
    """``"0.1,0.01"`` -> [0.1, 0.01]; commas inside [...] / {...} / quotes do not split."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    if len(parts) > 1 and any(not p.strip() for p in parts):  # (a stray comma: a None trial)
        raise ConfigError(
            f"{key or 'sweep axis'}: {text!r} has an empty value between commas; write the "
            f"values as a,b,c (null for a value of none)"
        )
    return [_scalar(p, key) for p in parts]


def parse_sweep_args(args: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """Command-line ``key=...`` arguments -> (swept params, fixed overrides).

    ``key=a,b,c`` is an axis (a list), ``key=logspace:..`` / ``key=loguniform:..`` and the other
    ranges/distributions are kept as their spec string, ``key=v`` is a fixed override.
    """
    from nnlab.overrides import refuse_option, refuse_spaced

    refuse_spaced(list(args), "argument")  # (model.hidden=[100],[50, 50]: '50]' was one alone)
    params: dict[str, Any] = {}
    fixed: list[str] = []
    for text in args:
        key, sep, raw = text.partition("=")
        refuse_option(text, "argument")
        if not sep or not key.strip():
            raise ConfigError(f"argument {text!r}: expected key=value, key=v1,v2 or key=dist:a:b")
    repeat = repeated_key(args)  # (an axis and a value, or two axes: which one was meant?)
    if repeat is not None:
        key, first, text = repeat
        raise ConfigError(
            f"{key}: given twice ({first!r} and {text!r}); give it once, as an axis "
            "(v1,v2,...), a range or distribution, or one value"
        )
    for text in args:
        key, raw = override_key(text, "argument"), text.partition("=")[2]  # (' a . b': a.b)
        if _prefix(raw.strip()) is not None:
            params[key] = raw.strip()
            continue
        _check_not_a_misspelt_range(key, raw.strip())
        values = split_values(raw, key)
        if len(values) > 1:
            params[key] = values
        else:
            fixed.append(text)
    return params, fixed
