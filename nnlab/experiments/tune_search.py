"""The search of ``nnlab tune``: its ranges (``Range``: drawn log-uniform or uniform, narrowed to
the top trials and extended past an edge the best one sits at), and the ranking of a round's
trials by a validation metric (``rank``: the best first, a loss lowest) into the next ranges
(``propose``). The rounds, folders and resume are ``nnlab.experiments.tune``'s."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from nnlab import sweep
from nnlab.errors import ConfigError, not_one_of
from nnlab.kinds import MAX_SEED
from nnlab.limits import check_at_least
from nnlab.output import config_number, counted
from nnlab.overrides import override_key
from nnlab.summary import best_first

Row = dict[str, Any]
# what a round ranks its trials by: the validation split's (the best one first: a loss lowest)
METRICS = ("final_val_acc", "best_val_acc", "final_val_loss", "best_val_loss")
DEFAULT_PARAMS = {"optimizer.lr": "loguniform:1e-6:1e-2", "weight_decay": "loguniform:1e-8:1e-4"}
EDGE = 0.1  # "at the edge": within this fraction of the range's width from an end
SEARCHABLE = ("loguniform", "uniform", "randint")  # (randint: whole numbers, both ends in)


@dataclass(frozen=True)
class Range:
    """A searched interval of one key: ``loguniform`` or ``uniform`` from ``low`` to ``high``,
    or ``randint``, the whole numbers from ``low`` to ``high`` (both included: an integer key's,
    as a batch size, whose every fraction a uniform range drew was refused)."""

    dist: str
    low: float
    high: float

    @classmethod
    def parse(cls, key: str, text: Any) -> Range:
        """``"loguniform:1e-6:1e-2"`` -> Range, or a ConfigError naming the key."""
        parts = str(text).split(":")
        if parts[0] not in SEARCHABLE or len(parts) != 3:
            raise ConfigError(
                f"{key}: tune searches loguniform:low:high, uniform:low:high or randint:low:high "
                f"(whole numbers), got {text!r}"
            )
        try:
            low, high = float(parts[1]), float(parts[2])
        except ValueError:
            raise ConfigError(f"{key}: {text!r}: low and high must be numbers") from None
        if parts[0] == "randint":
            if not (low.is_integer() and high.is_integer() and low < high):
                raise ConfigError(f"{key}: {text!r}: expected whole numbers low < high")
            return cls("randint", int(low), int(high))
        if parts[0] == "loguniform" and not 0 < low < high:
            raise ConfigError(f"{key}: {text!r}: expected 0 < low < high")
        if not low < high:
            raise ConfigError(f"{key}: {text!r}: expected low < high")
        return cls(parts[0], low, high)

    def spec(self) -> str:
        """Exact, for tune.json (reading it back gives the same range)."""
        return f"{self.dist}:{self.low!r}:{self.high!r}"

    def short(self) -> str:
        """``end``'s spelling, for people (and to paste as the next search); a randint
        range's whole numbers as they are (``randint:16:1000``, not ``1e+03``). The one way
        a range is shown, as a user types it (``key=loguniform:1e-06:0.01``): the ranges
        table, the round headers, the warnings, the next command and the report's tune page
        (they read ``1e-06 .. 0.01`` and ``[1e-06, 0.01]`` beside it, which no command takes)."""
        return f"{self.dist}:{self.end(self.low)}:{self.end(self.high)}"

    def end(self, value: float) -> str:
        """An end of this range (or a value in it) as people read it: as every table spells a
        config value (``output.config_number``: the end a user wrote as written, a narrowed
        one to 6 digits; with 3, ``[0.00271, 0.0343]`` held a best value read ``0.03431``), a
        randint range's whole number as it is."""
        return str(int(value)) if self.dist == "randint" else config_number(float(value))

    def _t(self, v: float) -> float:  # position on the axis the range is uniform on
        return math.log(v) if self.dist == "loguniform" else v

    def _inv(self, t: float) -> float:
        return math.exp(t) if self.dist == "loguniform" else t

    def position(self, value: float) -> float:
        """0 at ``low``, 1 at ``high`` (on the log axis for log-uniform ranges)."""
        lo, hi = self._t(self.low), self._t(self.high)
        return (self._t(value) - lo) / (hi - lo)

    def edge(self, value: float) -> str | None:
        """``"low"``/``"high"`` when ``value`` is within EDGE of that end, else None."""
        pos = self.position(value)
        return "low" if pos <= EDGE else "high" if pos >= 1 - EDGE else None

    def narrowed(
        self,
        values: list[float],
        extend: str | None = None,
        within: tuple[float, float] = (-math.inf, math.inf),
    ) -> Range:
        """``[min, max]`` of ``values`` (x2 around a single value); when the best sits at
        ``extend``'s end of this range, extended by half its width, and at least an eighth of
        this range's width past that end (values close together near the end would otherwise
        stop short of it); kept ``within`` the values the key may take (``key_bounds``: a
        dropout of 0.95 best at the edge of 0.5..0.99 proposed 0.75..1.06, and the next
        round's trials past 1 failed validation: the tune FAILED, its rounds' work lost)."""
        low, high = min(values), max(values)
        lo, hi = self._t(low), self._t(high)
        if hi - lo < 1e-12 * max(1.0, abs(lo)):
            half = math.log(2) if self.dist == "loguniform" else max(abs(lo), 1.0) * 0.5
            lo, hi = lo - half, hi + half
            low, high = self._inv(lo), self._inv(hi)
        width = hi - lo
        beyond = (self._t(self.high) - self._t(self.low)) / 8
        if extend == "low":
            low = self._inv(min(lo - width / 2, self._t(self.low) - beyond))
        elif extend == "high":
            high = self._inv(max(hi + width / 2, self._t(self.high) + beyond))
        if self.dist != "loguniform" and self.low >= 0:
            low = max(low, 0.0)  # a non-negative key (a rate, a decay) stays non-negative
        if max(low, within[0]) < min(high, within[1]):  # (past a key's bound, the next
            low, high = max(low, within[0]), min(high, within[1])  # round's draws failed)
        if self.dist == "randint":  # (outwards to whole numbers: the top values stay in)
            low, high = math.floor(low), math.ceil(high)
            if math.isfinite(within[0]):
                low = max(low, math.ceil(within[0]))
            if math.isfinite(within[1]):
                high = min(high, math.floor(within[1]))
            return Range(self.dist, low, max(high, low + 1))
        return Range(self.dist, low, high)


def key_bounds(base: dict[str, Any], key: str) -> tuple[float, float]:
    """(lowest, highest) value ``key`` may take in a config of ``base``, from its schema
    (dropout below 1, a momentum in [0, 1), a rate above 0; an open end as the number next
    inside it in the run's dtype, which holds it as it is; -inf, inf where there is none): how
    far a proposed range may reach."""
    import numpy as np

    from nnlab.config import validate
    from nnlab.sweep.draws import schema_field
    from nnlab.sweep.shape import BOUNDS, SHAPE_KEYS

    if key in SHAPE_KEYS:  # (a sweep's keys of model.hidden: its bounds, per layer and unit)
        return float(BOUNDS[key][0]), float(BOUNDS[key][1])
    node: Any = validate(base)
    kind = np.dtype(node.dtype).type
    field = schema_field(node, key)
    low, high = -math.inf, math.inf
    for m in _constraints(field):
        if (gt := getattr(m, "gt", None)) is not None:
            low = max(low, float(np.nextafter(kind(gt), kind(np.inf))))
        if (ge := getattr(m, "ge", None)) is not None:
            low = max(low, float(ge))
        if (lt := getattr(m, "lt", None)) is not None:
            high = min(high, float(np.nextafter(kind(lt), kind(-np.inf))))
        if (le := getattr(m, "le", None)) is not None:
            high = min(high, float(le))
    return low, high


def _constraints(field: Any) -> list[Any]:
    """The bounds of a schema field: its own, and those its type carries (``batch_size``'s
    ``Annotated[int, Field(gt=0)] | Literal['full']``, ``dataset.n_train``'s ``... | None``)."""
    from typing import Annotated, get_args, get_origin

    found = list(getattr(field, "metadata", None) or ())
    todo = [getattr(field, "annotation", None)]
    while todo:
        annotation = todo.pop()
        args = get_args(annotation)
        if get_origin(annotation) is Annotated:
            found += [m for extra in args[1:] for m in getattr(extra, "metadata", [extra])]
            todo.append(args[0])
        elif args and get_origin(annotation) is not list:
            todo += list(args)
    return found


def parse_args(args: list[str]) -> tuple[dict[str, Range], list[str]]:
    """``key=loguniform:a:b`` arguments -> ranges; ``key=value`` -> fixed overrides."""
    params, fixed = sweep.read_sweep_args(args)
    ranges = {k: Range.parse(k, v) for k, v in params.items()}
    return ranges, fixed


def default_ranges(fixed: list[str]) -> dict[str, Range]:
    """The ranges a tune searches when its arguments give none: ``DEFAULT_PARAMS`` less a key
    an argument fixes (``optimizer.lr=0.1`` searches weight_decay alone: the default range over
    optimizer.lr drew every trial's rate, and the fixed value was never read)."""
    keys = {override_key(text) for text in fixed}
    ranges = {k: Range.parse(k, v) for k, v in DEFAULT_PARAMS.items() if k not in keys}
    if not ranges:
        raise ConfigError(
            f"nothing to search: the arguments fix {' and '.join(DEFAULT_PARAMS)}, the keys tune "
            "searches by default; give a range, e.g. model.dropout=uniform:0:0.5"
        )
    return ranges


def rank(rows: list[Row], metric: str) -> list[Row]:
    """COMPLETED trials with a finite ``metric``, best first (ties: trial id); a DIVERGED one
    never, not even by a ``best_*`` value it has from before it diverged."""
    ok = [
        r
        for r in rows
        if r.get("status") == "COMPLETED"
        and isinstance(r.get(metric), (int, float))
        and math.isfinite(r[metric])
    ]
    return sorted(ok, key=lambda r: (best_first(metric, r[metric]), r["trial"]))


def propose(
    ranges: dict[str, Range], ranked: list[Row], top_k: int, base: dict[str, Any] | None = None
) -> tuple[dict[str, Range], list[str]]:
    """Next ranges from the top-k trials, and a warning for each key whose best value sits at
    the edge of its range; each within what its key may take in a config of ``base``
    (``key_bounds``; None: unbounded)."""
    if not ranked:
        return dict(ranges), ["no trial completed: the ranges are kept as they were"]
    top = ranked[:top_k]
    best = top[0]
    proposed, warnings = {}, []
    for key, r in ranges.items():
        edge = r.edge(best[key])
        if edge is not None:
            end = r.low if edge == "low" else r.high
            value = best[key]  # (as the tables spell it: 0.007025, not 0.00702)
            shown = config_number(value) if isinstance(value, float) else r.end(value)
            warnings.append(
                f"{key}: the best value {shown} is at the {edge} edge of the range "
                f"{r.short()} (end {r.end(end)}); the optimum may lie "
                "outside it - the next range extends past that end"
            )
        within = key_bounds(base, key) if base is not None else (-math.inf, math.inf)
        proposed[key] = r.narrowed([t[key] for t in top], extend=edge, within=within)
    if 1 < len(ranked) <= top_k:  # (else silent: --top-k 50 of 5 trials narrowed nothing)
        warnings.append(
            f"the top {top_k} (--top-k) are all {len(ranked)} ranked trials so far: the next "
            "ranges span them all; a --top-k below the trials narrows them"
        )
    return proposed, warnings


def check_counts(rounds: int, trials: int, top_k: int, metric: str) -> None:
    """ConfigError, before anything runs, for a count below 1, more trials in all than a sweep
    may have (``sweep.MAX_TRIALS``: 100 rounds of 10,000 made a million trial folders), or a
    ``metric`` that is not one a round can rank by (a typo ran every trial, then found none)."""
    check_at_least(("--rounds", rounds, 1), ("--trials", trials, 1), ("--top-k", top_k, 1))
    if rounds * trials > sweep.MAX_TRIALS:  # (each round a sweep: together no more than one)
        raise ConfigError(
            f"--rounds/--trials: {counted(rounds, 'round')} of {counted(trials, 'trial')} = "
            f"{counted(f'{rounds * trials:,}', 'trial')}; at most {sweep.MAX_TRIALS:,} in all "
            "(as in one sweep)"
        )
    if metric not in METRICS:  # (else every trial ran, and none could be ranked)
        raise ConfigError(not_one_of("--metric", metric, METRICS))


def round_seed(seed: int, index: int) -> int:
    """The sweep seed of round ``index`` of a tune seeded ``seed``: ``seed * 1000 + index``
    (what every tune's rounds have used), or, where that passes a sweep seed's limit (a
    ``--seed`` of 4,294,968 or more, which failed with a validation error), a hash of the two
    below the limit."""
    plain = seed * 1000 + index
    if plain <= MAX_SEED:
        return plain
    digest = hashlib.sha256(f"tune seed {seed} round {index}".encode()).hexdigest()
    return int(digest[:16], 16) % (MAX_SEED + 1)
