"""Sweeps: many training runs that differ in a few config keys, gathered in one folder.

A sweep is a base config, fixed overrides and a ``SweepSpec``: a grid (every combination of
lists of values) or random draws (log-uniform, uniform, choice) over dotted config keys. Each
trial is an ordinary run made by ``run_training`` in the sweep folder::

    runs/<stamp>-sweep-<name>-<id>/
        sweep.yaml            the spec, base config, fixed overrides and the planned trials
        meta.json             status (RUNNING / COMPLETED / FAILED / INTERRUPTED), argv, times
        trials/<trial id>/    one run folder per trial (config.yaml, metrics.jsonl, ...)
        summary.json          one row per trial: swept values, seed, status, final/best metrics
        summary.csv, summary.txt, curves.png (or a preset's own plots)

Identity and seeds do not depend on execution order: a trial's id is the hash of its resolved
config without ``seed``; its seed is derived from the sweep seed and the same config with the
``share_seed`` keys also removed, so, e.g., the BatchNorm and plain nets at one weight scale
share their weight draws and minibatch order. Trials that differ only in what sets their
initial weights (seed, ``model.init``, ``model.init_std``), their learning rate or their weight
decay (equal ``nnlab.train.stack_key``) train side by side in stacks of up to ``stack``
(``nnlab.nn.stacked``), with the numbers each would have alone. Units of trials (one, or one
stack) run through an ``Executor`` (serial, ``jobs`` local worker processes, or a Dask cluster);
every worker pins BLAS to one thread, and so does the serial path, so ``--jobs 1`` and
``--jobs N`` give bit-identical metrics. A failed trial is
recorded as FAILED and the sweep goes on; a killed or interrupted sweep is continued by
``resume_sweep``, which runs only what is missing.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nnlab import runs
from nnlab.config import Config, apply_overrides, config_hash, read_yaml, validate
from nnlab.errors import ConfigError, RunError
from nnlab.train import stack_key

Row = dict[str, Any]
GRID_RANGES = ("logspace", "linspace")
DISTRIBUTIONS = ("loguniform", "uniform", "choice", "randint")
TERMINAL = ("COMPLETED", "DIVERGED")  # trial statuses that resume leaves alone
SEED_MODULUS = 2**31
DEFAULT_STACK = 8  # trials per stack: past ~8 the stacked arrays outgrow the caches


# ----------------------------------------------------------------------------- the spec
class SweepSpec(BaseModel):
    """What varies. ``params`` maps a dotted config key to its values.

    grid: a list of values, ``logspace:a:b:n`` (10**a .. 10**b, n points, as ``np.logspace``) or
    ``linspace:a:b:n``; a single value is a one-point axis.
    random: ``loguniform:a:b``, ``uniform:a:b``, ``randint:a:b`` (inclusive), ``choice:x,y,z`` or a
    list (uniform choice); a single value is fixed. ``trials`` draws are made from a generator
    seeded with ``seed``.
    ``seed``: the sweep seed every trial seed derives from (null: the base config's ``seed``).
    ``share_seed``: swept keys left out of a trial's seed identity, so trials that differ only
    in them share their seed (same init draws, same minibatch order).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["grid", "random"] = "grid"
    params: dict[str, Any] = {}
    trials: Annotated[int, Field(gt=0)] | None = None
    seed: Annotated[int, Field(ge=0)] | None = None
    share_seed: list[str] = []

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        if self.kind == "random" and self.trials is None:
            raise ValueError("trials: a random sweep needs a number of trials (--trials N)")
        if self.kind == "grid" and self.trials is not None:
            raise ValueError("trials: only a random sweep takes a number of trials")
        for key in self.share_seed:
            if key not in self.params:
                raise ValueError(f"share_seed: {key!r} is not a swept key")
        return self


def parse_spec(raw: Any, source: str = "sweep") -> SweepSpec:
    """Validate a ``sweep:`` mapping into a SweepSpec, or a one-line ConfigError."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping (kind, params, ...), got {raw!r}")
    try:
        return SweepSpec.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            fields = ", ".join(SweepSpec.model_fields)
            raise ConfigError(f"{source}: unknown key {where!r}; valid keys: {fields}") from None
        raise ConfigError(f"{source}: {where + ': ' if where else ''}{msg}") from None


def _number(text: str, key: str, spec: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{key}: {spec!r}: {text!r} is not a number") from None


def _scalar(text: str) -> Any:
    """A value as YAML reads it, except that ``1e-5`` is a number (YAML 1.1 reads a string)."""
    value = yaml.safe_load(text) if text.strip() else None
    if isinstance(value, str) and re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+", value):
        return float(value)
    return value


def _range(key: str, spec: str) -> list[float]:
    """``logspace:a:b:n`` / ``linspace:a:b:n`` as a list of floats."""
    kind, *args = spec.split(":")
    if len(args) != 3:
        raise ConfigError(f"{key}: {spec!r}: expected {kind}:start:stop:num")
    start, stop = (_number(a, key, spec) for a in args[:2])
    num = _number(args[2], key, spec)
    if num < 1 or num != int(num):
        raise ConfigError(f"{key}: {spec!r}: num must be a positive integer")
    fn = np.logspace if kind == "logspace" else np.linspace
    return [float(v) for v in fn(start, stop, int(num))]


def _prefix(value: Any) -> str | None:
    if isinstance(value, str) and ":" in value:
        head = value.split(":", 1)[0]
        if head in GRID_RANGES + DISTRIBUTIONS:
            return head
    return None


def grid_axis(key: str, value: Any) -> list[Any]:
    """The values one grid axis takes."""
    head = _prefix(value)
    if head in GRID_RANGES:
        return _range(key, value)
    if head is not None:
        raise ConfigError(
            f"{key}: {value!r} is a random distribution; use a random sweep (kind: random)"
        )
    if isinstance(value, list):
        if not value:
            raise ConfigError(f"{key}: an axis needs at least one value")
        return list(value)
    return [value]


def draw(key: str, value: Any, rng: np.random.Generator) -> Any:
    """One random draw of ``key`` from its distribution (a list is a uniform choice)."""
    head = _prefix(value)
    if head in GRID_RANGES:
        value = _range(key, value)
    elif head == "choice":
        value = split_values(value[len("choice:") :])
    elif head is not None:
        args = value.split(":")[1:]
        if len(args) != 2:
            raise ConfigError(f"{key}: {value!r}: expected {head}:low:high")
        low, high = (_number(a, key, value) for a in args)
        if not low < high:
            raise ConfigError(f"{key}: {value!r}: low must be below high")
        if head == "uniform":
            return float(rng.uniform(low, high))
        if head == "randint":
            return int(rng.integers(int(low), int(high), endpoint=True))
        if low <= 0:
            raise ConfigError(f"{key}: {value!r}: loguniform needs 0 < low < high")
        return float(math.exp(rng.uniform(math.log(low), math.log(high))))
    if isinstance(value, list):
        if not value:
            raise ConfigError(f"{key}: a choice needs at least one value")
        return value[int(rng.integers(len(value)))]
    return value


def expand(spec: SweepSpec) -> list[dict[str, Any]]:
    """The trials' values, ``{dotted key: value}`` each: grid in row-major order of ``params``
    (the first key varies slowest), or ``trials`` random draws from a generator seeded by
    ``spec.seed`` (0 when unset)."""
    keys = list(spec.params)
    if spec.kind == "grid":
        axes = [grid_axis(k, spec.params[k]) for k in keys]
        return [dict(zip(keys, combo)) for combo in itertools.product(*axes)]
    rng = np.random.default_rng(spec.seed or 0)
    assert spec.trials is not None
    return [{k: draw(k, spec.params[k], rng) for k in keys} for _ in range(spec.trials)]


# ----------------------------------------------------------------------------- CLI arguments
def split_values(text: str) -> list[Any]:
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
    return [_scalar(p) for p in parts]


def parse_sweep_args(args: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """Command-line ``key=...`` arguments -> (swept params, fixed overrides).

    ``key=a,b,c`` is an axis (a list), ``key=logspace:..`` / ``key=loguniform:..`` and the other
    ranges/distributions are kept as their spec string, ``key=v`` is a fixed override.
    """
    params: dict[str, Any] = {}
    fixed: list[str] = []
    for text in args:
        key, sep, raw = text.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"argument {text!r}: expected key=value, key=v1,v2 or key=dist:a:b")
        key = key.strip()
        if _prefix(raw.strip()) is not None:
            params[key] = raw.strip()
            continue
        values = split_values(raw)
        if len(values) > 1:
            params[key] = values
        else:
            fixed.append(text)
    return params, fixed


def merge_spec(
    spec: SweepSpec | dict[str, Any] | None,
    params: dict[str, Any],
    fixed: Sequence[str],
    *,
    kind: str | None = None,
    trials: int | None = None,
    seed: int | None = None,
) -> SweepSpec:
    """A file's spec updated by the command line: new axes replace or add to ``params``, a fixed
    override of a swept key removes that axis; ``kind``/``trials``/``seed`` replace if given."""
    from nnlab.config import parse_override

    raw = spec.model_dump() if isinstance(spec, SweepSpec) else copy.deepcopy(spec or {})
    merged = dict(raw.get("params") or {})
    for text in fixed:
        merged.pop(".".join(parse_override(text)[0]), None)
    merged.update(params)
    raw["params"] = merged
    raw["share_seed"] = [k for k in raw.get("share_seed") or [] if k in merged]
    if kind is not None:
        raw["kind"] = kind
        if kind == "grid":
            raw["trials"] = None
    if trials is not None:
        raw["trials"] = trials
    if seed is not None:
        raw["seed"] = seed
    return parse_spec(raw)


# ----------------------------------------------------------------------------- sweep definition
@dataclass(frozen=True)
class SweepDef:
    """Everything that defines a sweep: its name, the base config (a raw mapping, without any
    ``sweep:`` section), fixed overrides, the spec, and the preset it came from (if any)."""

    name: str
    base: dict[str, Any]
    spec: SweepSpec
    overrides: tuple[str, ...] = ()
    preset: str | None = None


@dataclass(frozen=True)
class Trial:
    """One planned trial: id, seed, the swept keys' resolved values and the full config."""

    id: str
    seed: int
    values: dict[str, Any]
    config: Config


def split_sweep_section(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(config mapping without ``sweep:``, the ``sweep:`` mapping or None)."""
    raw = dict(raw)
    section = raw.pop("sweep", None)
    return raw, section


def read_sweep_file(path: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A config file's mapping and its ``sweep:`` section (None when it has none)."""
    return split_sweep_section(read_yaml(path))


def sweep_from_file(
    path: Path | str,
    args: Sequence[str] = (),
    *,
    kind: Literal["grid", "random"] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    name: str | None = None,
) -> SweepDef:
    """A sweep from a config file (its ``sweep:`` section, if any) and command-line ``args``.

    ``path`` may also name a preset (``weight-scale``). ``kind`` forces grid or random; without
    it the file's section decides, and a file without one is an error.
    """
    from nnlab import presets

    path = Path(path)
    preset = None
    if not path.exists() and str(path) in presets.names():
        preset, path = str(path), presets.path(str(path))
    elif path.resolve().parent == presets.PRESET_DIR:
        preset = path.stem
    base, section = read_sweep_file(path)
    if section is None and kind is None:
        raise ConfigError(
            f"{path}: no 'sweep:' section; add one, or use 'nnlab sweep grid|random {path} "
            "key=v1,v2 ...'"
        )
    params, fixed = parse_sweep_args(args)
    spec = merge_spec(section, params, fixed, kind=kind, trials=trials, seed=seed)
    if not spec.params:
        raise ConfigError(
            f"{path}: nothing to sweep; give axes such as optimizer.lr=0.1,0.01 "
            "(a single value is a fixed override)"
        )
    label = name or str(base.get("name") or path.stem)
    return SweepDef(name=label, base=base, spec=spec, overrides=tuple(fixed), preset=preset)


def _get(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def override_text(key: str, value: Any) -> str:
    """``key=value`` with the value written so that YAML reads back exactly ``value``."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9)
    text = text.removesuffix("\n").removesuffix("\n...")
    if yaml.safe_load(text) != value and value == value:  # (NaN never equals itself)
        raise ConfigError(f"sweep key {key!r}: value {value!r} cannot be written as YAML")
    return f"{key}={text}"


def _drop(data: dict[str, Any], key: str) -> None:
    *parents, last = key.split(".")
    node: Any = data
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


def sweep_seed(defn: SweepDef) -> int:
    """The sweep seed: the spec's, else the base config's ``seed`` (after fixed overrides)."""
    if defn.spec.seed is not None:
        return defn.spec.seed
    seed = apply_overrides(defn.base, list(defn.overrides)).get("seed", 0)
    return int(seed) if isinstance(seed, int) else 0


def trial_seed(sweep_seed: int, identity: dict[str, Any]) -> int:
    """A seed in [0, 2**31) from the sweep seed and a trial's seed identity (a config mapping)."""
    text = json.dumps({"sweep_seed": sweep_seed, "config": identity}, sort_keys=True)
    return int(hashlib.sha256(text.encode()).hexdigest()[:16], 16) % SEED_MODULUS


def resolve_trial(defn: SweepDef, values: dict[str, Any], seed0: int) -> Trial:
    """The trial for one set of swept values: validated config, id and seed."""
    trial_overrides = [override_text(k, v) for k, v in values.items()]
    raw = apply_overrides(defn.base, [*defn.overrides, *trial_overrides])
    where = ", ".join(f"{k}={v}" for k, v in values.items())
    cfg = validate(raw, source=f"sweep trial ({where})" if where else "sweep base config")
    dump = cfg.model_dump(mode="json")
    seed_swept = "seed" in defn.spec.params
    identity = copy.deepcopy(dump)
    if not seed_swept:
        identity.pop("seed")
    trial_id = config_hash(identity)
    if seed_swept:
        seed = cfg.seed
    else:
        for key in defn.spec.share_seed:
            _drop(identity, key)
        seed = trial_seed(seed0, identity)
        cfg = cfg.model_copy(update={"seed": seed})
    resolved = {key: _get(dump, key) for key in values}
    return Trial(trial_id, seed, resolved, cfg)


def plan(defn: SweepDef) -> list[Trial]:
    """Every trial of the sweep, in expansion order (random duplicates dropped)."""
    seed0 = sweep_seed(defn)
    spec = defn.spec
    if spec.kind == "random" and spec.seed is None:
        spec = spec.model_copy(update={"seed": seed0})
    trials: list[Trial] = []
    seen: set[str] = set()
    for values in expand(spec):
        trial = resolve_trial(defn, values, seed0)
        if trial.id not in seen:
            seen.add(trial.id)
            trials.append(trial)
    if not trials:
        raise ConfigError("sweep: no trials to run")
    return trials


# ----------------------------------------------------------------------------- trials
@dataclass(frozen=True)
class TrialTask:
    """A unit of work for an executor: plain data, so it can travel to another process/host.

    ``action``: ``run`` (a fresh folder ``<trials_dir>/<trial_id>``) or ``resume`` (continue the
    interrupted run in that folder from its checkpoint).
    """

    trial_id: str
    seed: int
    values: dict[str, Any]
    config: dict[str, Any]
    trials_dir: str
    data_dir: str | None
    action: Literal["run", "resume"] = "run"
    sweep: str = ""
    overrides: tuple[str, ...] = ()


_DATA_CACHE: dict[tuple[str, str, str], Any] = {}


def cached_dataset(cfg: Config, data_dir: Path | str | None) -> Any:
    """The dataset ``cfg`` needs, loaded once per process (workers reuse it across trials)."""
    from nnlab.data import load_dataset

    key = (cfg.dataset.model_dump_json(), str(data_dir or ""), cfg.dtype)
    if key not in _DATA_CACHE:
        _DATA_CACHE[key] = load_dataset(cfg.dataset, data_dir, cfg.dtype)
    return _DATA_CACHE[key]


def trial_row(
    trial_id: str,
    values: dict[str, Any],
    seed: int,
    summary: dict[str, Any],
    error: str | None = None,
) -> Row:
    """A summary row: trial, swept values, seed, status, epochs, final/best metrics, seconds."""
    row: Row = {"trial": trial_id, **values, "seed": seed, "status": summary.get("status")}
    row["epochs"] = summary.get("epochs")
    for prefix in ("final_", "best_"):
        row.update({k: v for k, v in summary.items() if k.startswith(prefix)})
    if "seconds" in summary:
        row["seconds"] = summary["seconds"]
    if error is not None:
        row["error"] = error
    return row


Unit = tuple[TrialTask, ...]  # trials an executor runs together: one, or one stack


def failed_rows(unit: Unit, error: str) -> list[Row]:
    return [trial_row(t.trial_id, t.values, t.seed, {"status": "FAILED"}, error) for t in unit]


STOP_FILE = "STOP"  # in a sweep folder: an interrupted sweep asks its remote trials to stop


class StopRequested(KeyboardInterrupt):
    """The sweep folder holds ``STOP_FILE``: a trial stops after its epoch, as if interrupted."""


def _stop_check(sweep_dir: Path) -> Callable[[Any, Any], None]:
    """A ``progress`` callback for the training driver (after every epoch's record and
    checkpoint): raises ``StopRequested`` once ``sweep_dir/STOP`` exists."""
    marker = sweep_dir / STOP_FILE

    def check(record: Any, cfg: Any) -> None:
        if marker.exists():
            raise StopRequested

    return check


def run_unit(unit: Unit) -> list[Row]:
    """Run (or resume) the trials of ``unit`` into their run folders; their summary rows.

    A unit is one trial (``run`` or ``resume``) or several fresh trials with one stack key,
    trained side by side (``run_trainings``: the same numbers as one by one). BLAS is pinned to
    one thread. Any exception becomes FAILED rows carrying the error; a KeyboardInterrupt
    propagates (the training driver marks the folders INTERRUPTED). A trial whose sweep was
    interrupted while it ran on a worker the sweep cannot terminate (a Dask cluster's) sees the
    sweep's ``STOP`` file after its next epoch and stops the same way: its folder says
    INTERRUPTED, with its checkpoint, and ``--resume`` continues it.
    """
    from threadpoolctl import threadpool_limits

    from nnlab.experiments.train import resume_training, run_trainings

    first = unit[0]
    data_dir = Path(first.data_dir) if first.data_dir else None
    stop = _stop_check(Path(first.trials_dir).parent)
    with threadpool_limits(limits=1):
        try:
            cfgs = [validate(t.config, source=f"trial {t.trial_id}") for t in unit]
            data = cached_dataset(cfgs[0], data_dir)
            if first.action == "resume":
                (task,) = unit
                run = runs.RunDir(Path(task.trials_dir) / task.trial_id)
                results = [
                    resume_training(run, data_dir=data_dir, data=data, plot=False, progress=stop)
                ]
            else:
                results = run_trainings(
                    cfgs,
                    data_dir=data_dir,
                    runs_dir=Path(first.trials_dir),
                    overrides=[list(t.overrides) for t in unit],
                    folders=[t.trial_id for t in unit],
                    data=data,
                    plot=False,
                    progress=stop,
                    extra_meta=[
                        {
                            "trial": {
                                "id": t.trial_id,
                                "sweep": t.sweep,
                                "seed": t.seed,
                                "values": t.values,
                            }
                        }
                        for t in unit
                    ],  # fmt: skip
                )
        except StopRequested:  # the folders say INTERRUPTED (the driver marked them)
            return [
                trial_row(t.trial_id, t.values, t.seed, {"status": "INTERRUPTED"}) for t in unit
            ]
        except Exception as exc:
            return failed_rows(unit, f"{type(exc).__name__}: {exc}")
    return [trial_row(t.trial_id, t.values, t.seed, r.summary) for t, r in zip(unit, results)]


def _run_unit_in_worker(unit: Unit) -> list[Row]:
    """``run_unit`` in a pool worker: terminated by the sweep (SIGTERM, an interrupt), the
    trials' lifecycles record INTERRUPTED, then the worker exits at once."""
    try:
        return run_unit(unit)
    except KeyboardInterrupt:
        os._exit(130)


def make_units(
    tasks: Sequence[TrialTask], keys: dict[str, str | None], stack: int, jobs: int
) -> list[Unit]:
    """Group ``tasks`` into units: fresh trials with the same stack key (``keys[trial id]``,
    None: cannot stack) in stacks of at most ``stack``, sized evenly; resumed trials alone.
    Stacks are split further until every one of ``jobs`` workers has a unit, when possible.
    Largest units first, so that the single trials fill in at the end."""
    groups: dict[str, list[TrialTask]] = {}
    units: list[list[TrialTask]] = []
    for task in tasks:
        key = keys.get(task.trial_id)
        if task.action == "run" and key is not None and stack > 1:
            groups.setdefault(key, []).append(task)
        else:
            units.append([task])
    for group in groups.values():
        units.extend(split_evenly(group, -(-len(group) // stack)))
    while len(units) < jobs:
        biggest = max(units, key=len, default=[])
        if len(biggest) < 2:
            break
        units.remove(biggest)
        units.extend(split_evenly(biggest, 2))
    return [tuple(u) for u in sorted(units, key=len, reverse=True)]


def split_evenly(items: list[TrialTask], parts: int) -> list[list[TrialTask]]:
    """``items`` in ``parts`` consecutive runs whose lengths differ by at most one."""
    size, extra = divmod(len(items), parts)
    bounds = [i * size + min(i, extra) for i in range(parts + 1)]
    return [items[a:b] for a, b in zip(bounds, bounds[1:])]


# ----------------------------------------------------------------------------- executors
class Executor(Protocol):
    """Runs units of trials (``run_unit(unit) -> rows``); calls ``on_row`` in the calling
    process for each trial of a unit as the unit finishes, units in any order. Interrupting
    ``run`` (KeyboardInterrupt) must stop the work promptly."""

    workers: int  # how many units run at once (to give every worker one)

    def start(self, n_units: int) -> None: ...  # get ready (workers up) for n_units units
    def run(self, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None: ...
    def describe(self) -> str: ...
    def close(self) -> None: ...


class SerialExecutor:
    """Units one after another in this process (BLAS pinned to 1 thread, as the workers)."""

    workers = 1

    def describe(self) -> str:
        return "serial"

    def start(self, n_units: int) -> None:
        pass

    def close(self) -> None:
        pass

    def run(self, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None:
        for unit in units:
            for row in run_unit(unit):
                on_row(row)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _worker_init(parent: int) -> None:
    """Worker set-up: one BLAS thread, Ctrl-C left to the parent, exit if the parent dies."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (a forked worker inherits its parent's)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def default_start_method() -> str:
    """``fork`` where ``fork_is_safe()``, else ``spawn``."""
    return "fork" if fork_is_safe() else "spawn"


def fork_is_safe() -> bool:
    """True where worker processes can be forked from this one: Linux (macOS's system
    libraries are not fork-safe), with no other Python thread running (a thread holding a lock
    at the fork would leave it locked forever in the child)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def process_pool(jobs: int, start_method: str | None = None) -> Any:
    """A ``ProcessPoolExecutor`` of ``jobs`` workers set up as a sweep's (BLAS pinned to one
    thread, Ctrl-C left to this process, exit when it dies), forked where ``fork_is_safe()``
    (else spawned), its workers started now. Also used by ``compare-optimizers --jobs``."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    method = start_method or default_start_method()
    if method == "fork" and not fork_is_safe():
        method = "spawn"
    sys.stdout.flush()  # a child must not inherit (and flush again) buffered output
    sys.stderr.flush()
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=mp.get_context(method),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )
    pool.start_method = method  # type: ignore[attr-defined]
    if method == "fork":
        pool.submit(int).result()  # forks every worker now, before any other thread
    return pool


def stop_pool(pool: Any) -> None:
    """Cancel what ``pool`` has not started and terminate its workers now (an interrupt)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.terminate()
    for proc in processes:
        proc.join(timeout=5)


class ProcessExecutor:
    """``jobs`` local worker processes, BLAS pinned to 1 thread each.

    Start method: ``fork`` where ``fork_is_safe()``, else ``spawn``. Forked workers start in
    milliseconds with nnlab, NumPy and the preloaded datasets already in memory; spawned ones
    each start a fresh interpreter and import and load them again (~0.5 s). ``start`` forks
    the workers before the caller starts any thread of its own (a progress bar's).

    On an interrupt the workers are terminated at once; the trials they were running stay in
    their folders (checkpointed up to the last finished epoch) for ``resume_sweep``.
    """

    def __init__(self, jobs: int, start_method: str | None = None) -> None:
        self.jobs = self.workers = jobs
        self.start_method = start_method or default_start_method()
        self._pool: Any = None

    def describe(self) -> str:
        return f"processes ({self.jobs}, {self.start_method})"

    def start(self, n_units: int) -> None:
        """Start the pool for ``n_units`` units (forked workers: all of them, now)."""
        if self._pool is not None or not n_units:
            return
        self._pool = process_pool(min(self.jobs, n_units), self.start_method)
        self.start_method = self._pool.start_method

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def run(self, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None:
        from concurrent.futures import as_completed

        if not units:
            return
        self.start(len(units))
        pool = self._pool
        try:
            futures = {pool.submit(_run_unit_in_worker, unit): unit for unit in units}
            for future in as_completed(futures):
                try:
                    rows = future.result()
                except Exception as exc:  # the worker process died (e.g. killed, out of memory)
                    rows = failed_rows(futures[future], f"{type(exc).__name__}: {exc}")
                for row in rows:
                    on_row(row)
        except BaseException:
            self._pool = None
            stop_pool(pool)
            raise
        self.close()


class DaskExecutor:
    """Units as tasks on a Dask distributed cluster (``pip install 'nnlab[dask]'``).

    ``scheduler``: the address of a running scheduler (``tcp://host:8786``); None starts a
    ``LocalCluster`` of ``jobs`` single-threaded worker processes on this machine for the sweep
    (``processes=False``: threads of this process, as the tests use). A task is ``run_unit`` of
    one unit, exactly what a local worker runs: the same trial ids, seeds, folders and numbers.
    Workers must see this machine's paths (a shared file system holding the sweep folder and
    ``--data-dir``) and run the same nnlab version. An interrupted sweep cancels its pending
    tasks and writes the sweep folder's ``STOP`` file: trials already running on a worker stop
    after their current epoch (``run_unit``), INTERRUPTED and resumable.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        jobs: int = 1,
        processes: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self.scheduler, self.jobs, self.processes, self.timeout = (
            scheduler,
            jobs,
            processes,
            timeout,
        )
        self._client: Any = None
        self._cluster: Any = None

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError(
                "--executor dask needs the dask extra: pip install 'nnlab[dask]'"
            ) from None
        if self.scheduler is None:
            self._cluster = LocalCluster(
                n_workers=self.jobs,
                threads_per_worker=1,
                processes=self.processes,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(self.scheduler, timeout=self.timeout)
            except OSError as exc:
                raise ConfigError(f"--scheduler {self.scheduler}: cannot connect ({exc})") from None
        return self._client

    @property
    def workers(self) -> int:
        return max(1, len(self._connect().scheduler_info()["workers"]))

    def describe(self) -> str:
        return f"dask ({self.scheduler or f'LocalCluster of {self.jobs}'})"

    def start(self, n_units: int) -> None:
        self._connect()

    def run(self, units: Sequence[Unit], on_row: Callable[[Row], None]) -> None:
        from distributed import as_completed

        if not units:
            return
        client = self._connect()
        futures = {client.submit(run_unit, unit, pure=False): unit for unit in units}
        try:
            for future in as_completed(futures):
                try:
                    rows = future.result()
                except Exception as exc:  # the worker died or could not run the task
                    rows = failed_rows(futures[future], f"{type(exc).__name__}: {exc}")
                for row in rows:
                    on_row(row)
        except BaseException:
            client.cancel(list(futures))
            raise

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None


EXECUTORS = ("local", "dask")


def make_executor(jobs: int, kind: str = "local", scheduler: str | None = None) -> Executor:
    """``local``: serial for ``jobs == 1``, else ``jobs`` worker processes; ``dask``: the
    cluster at ``scheduler`` (or a local one of ``jobs`` workers)."""
    if jobs < 1:
        raise ConfigError(f"--jobs: expected a positive number of workers, got {jobs}")
    if scheduler is not None:
        kind = "dask"
    if kind == "dask":
        return DaskExecutor(scheduler, jobs)
    if kind != "local":
        raise ConfigError(f"--executor: expected one of {', '.join(EXECUTORS)}, got {kind!r}")
    return SerialExecutor() if jobs == 1 else ProcessExecutor(jobs)


def check_stack(stack: int) -> None:
    if stack < 1:
        raise ConfigError(f"--stack: expected a positive number of trials per stack, got {stack}")


# ----------------------------------------------------------------------------- the sweep folder
@dataclass
class SweepResult:
    """How a sweep (or a resume) ended: folder, status, one row per trial, and what ran now."""

    run: runs.RunDir
    defn: SweepDef
    status: str
    rows: list[Row]
    ran: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.get("status") == "FAILED"]


StartFn = Callable[[runs.RunDir, int, int], None]  # (sweep folder, trials already done, total)
TrialFn = Callable[[int, int, Row], None]  # (done, total, the finished trial's row)


def sweep_yaml(defn: SweepDef, trials: list[Trial]) -> str:
    data = {
        "name": defn.name,
        "preset": defn.preset,
        "spec": defn.spec.model_dump(),
        "base": defn.base,
        "overrides": list(defn.overrides),
        "trials": [{"id": t.id, "seed": t.seed, "values": t.values} for t in trials],
    }
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)


def is_sweep(run: runs.RunDir) -> bool:
    return run.file("sweep.yaml").exists()


def load_sweep(run: runs.RunDir) -> tuple[SweepDef, list[Trial]]:
    """The definition and planned trials a sweep folder stores (``sweep.yaml``)."""
    if not is_sweep(run):
        raise RunError(f"{run.path}: not a sweep folder (no sweep.yaml)")
    data = read_yaml(run.file("sweep.yaml"))
    source = str(run.file("sweep.yaml"))
    try:
        defn = SweepDef(
            name=data["name"],
            base=data["base"],
            spec=parse_spec(data["spec"], source),
            overrides=tuple(data.get("overrides") or ()),
            preset=data.get("preset"),
        )
        planned = data["trials"]
    except KeyError as exc:
        raise RunError(f"{source}: missing key {exc.args[0]!r}") from None
    seed0 = sweep_seed(defn)
    trials = []
    for item in planned:
        trial = resolve_trial(defn, item["values"], seed0)
        if trial.id != item["id"]:  # a changed schema default: keep the recorded identity
            trial = Trial(item["id"], item["seed"], trial.values, trial.config)
        trials.append(trial)
    return defn, trials


def trials_dir(run: runs.RunDir) -> Path:
    return run.path / "trials"


def _task(
    run: runs.RunDir, defn: SweepDef, trial: Trial, data_dir: Path | None, action: str
) -> TrialTask:
    values = [override_text(k, v) for k, v in trial.values.items()]
    return TrialTask(
        trial_id=trial.id,
        seed=trial.seed,
        values=trial.values,
        config=trial.config.model_dump(mode="json"),
        trials_dir=str(trials_dir(run).resolve()),  # absolute: workers may run elsewhere
        data_dir=str(Path(data_dir).resolve()) if data_dir else None,
        action=action,  # type: ignore[arg-type]
        sweep=run.id,
        overrides=(*defn.overrides, *values),
    )


def folder_row(run: runs.RunDir, trial: Trial) -> Row:
    """A trial's row as its folder tells it (PENDING when it has not started)."""
    folder = runs.RunDir(trials_dir(run) / trial.id)
    if not folder.file("meta.json").exists():
        return trial_row(trial.id, trial.values, trial.seed, {"status": "PENDING"})
    try:
        status = folder.status
        summary = folder.read_json("summary.json") if folder.file("summary.json").exists() else {}
    except RunError as exc:
        return trial_row(trial.id, trial.values, trial.seed, {"status": "FAILED"}, str(exc))
    error = folder.meta.get("error") if status == "FAILED" else None
    return trial_row(trial.id, trial.values, trial.seed, {**summary, "status": status}, error)


def sweep_rows(run: runs.RunDir) -> list[Row]:
    """One row per planned trial of a sweep folder, read from the trial folders."""
    _, trials = load_sweep(run)
    return [folder_row(run, t) for t in trials]


def _preload(trials: list[Trial], data_dir: Path | None) -> None:
    """Load each distinct dataset once up front: a missing file is one error, not N failures."""
    for cfg in {t.config.dataset.model_dump_json(): t.config for t in trials}.values():
        cached_dataset(cfg, data_dir)


def _load_finish_modules_in_background() -> None:
    """Import matplotlib and the table writer (~0.5 s of the finish) on a core a worker left
    idle, while the last units train."""
    from nnlab import output, plots

    plots.import_in_background(lambda: output.table_text([], []))


SWEEP_RESUME = "nnlab sweep --resume {path}"


def _execute(
    life: runs.Lifecycle,
    defn: SweepDef,
    trials: list[Trial],
    todo: list[TrialTask],
    rows: dict[str, Row],
    executor: Executor,
    workers: int,
    stack: int,
    on_start: StartFn | None,
    on_trial: TrialFn | None,
) -> SweepResult:
    """Run the ``todo`` trials in the open sweep folder; its summary is written however the
    sweep ends."""
    run = life.run
    t0 = time.perf_counter()
    keys = {t.id: stack_key(t.config) for t in trials}
    units = make_units(todo, keys, stack, workers)
    total = len(trials)
    done = total - len(todo)
    skipped = [t.id for t in trials if t.id in rows]

    def ordered() -> list[Row]:
        return [rows[t.id] if t.id in rows else folder_row(run, t) for t in trials]

    life.on_end(lambda status: finish_sweep(life, defn, ordered(), status))
    executor.start(len(units))  # (forks local workers before on_start starts a progress bar)
    if on_start is not None:
        on_start(run, done, total)

    unit_of = {t.trial_id: i for i, unit in enumerate(units) for t in unit}
    open_units = {i: len(unit) for i, unit in enumerate(units)}

    def on_row(row: Row) -> None:
        nonlocal done
        rows[row["trial"]] = row
        done += 1
        unit = unit_of.get(row["trial"])
        if unit in open_units:
            open_units[unit] -= 1
            if not open_units[unit]:
                del open_units[unit]
                if len(open_units) == workers - 1:  # from now on a worker is idle
                    _load_finish_modules_in_background()
        if on_trial is not None:
            on_trial(done, total, row)

    try:
        executor.run(units, on_row)
    except KeyboardInterrupt:
        run.write_text(STOP_FILE, "interrupted: trials still running elsewhere stop here\n")
        for task in todo:  # trials whose worker was killed before it could record its end
            runs.settle_stale(runs.RunDir(trials_dir(run) / task.trial_id))
        raise
    final = ordered()
    status = "FAILED" if any(r["status"] == "FAILED" for r in final) else "COMPLETED"
    life.end_as(status)
    ran = [t.trial_id for t in todo if t.action == "run"]
    resumed = [t.trial_id for t in todo if t.action == "resume"]
    return SweepResult(
        run, defn, status, final, ran, resumed, skipped, seconds=time.perf_counter() - t0
    )


def run_sweep(
    defn: SweepDef,
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    jobs: int = 1,
    stack: int = DEFAULT_STACK,
    executor: Executor | None = None,
    on_start: StartFn | None = None,
    on_trial: TrialFn | None = None,
) -> SweepResult:
    """Plan the sweep, create its folder and run every trial.

    ``stack``: trials that differ only in seed, initial weights, learning rate and weight decay
    train side by side in stacks of up to this many (1: each alone; the numbers are the same
    either way).
    Config errors (any trial's config invalid) and data errors raise before the folder exists.
    """
    check_stack(stack)
    if executor is None:
        with closing(make_executor(jobs)) as own:
            return run_sweep(defn, data_dir=data_dir, runs_dir=runs_dir, jobs=jobs, stack=stack,
                             executor=own, on_start=on_start, on_trial=on_trial)  # fmt: skip
    trials = plan(defn)
    _preload(trials, data_dir)
    workers = executor.workers  # (asks a Dask scheduler, once: failing before the folder)
    with runs.start(
        runs_dir,
        f"sweep-{defn.name}",
        "sweep",
        resume=SWEEP_RESUME,
        name=defn.name,
        preset=defn.preset,
        seed=sweep_seed(defn),
        n_trials=len(trials),
        jobs=jobs,
        stack=stack,
        executor=executor.describe(),
        data_dir=str(data_dir) if data_dir else None,
    ) as life:
        life.run.write_text("sweep.yaml", sweep_yaml(defn, trials))
        todo = [_task(life.run, defn, t, data_dir, "run") for t in trials]
        return _execute(life, defn, trials, todo, {}, executor, workers, stack, on_start, on_trial)


def resume_sweep(
    run: runs.RunDir,
    *,
    data_dir: Path | None = None,
    jobs: int = 1,
    stack: int = DEFAULT_STACK,
    executor: Executor | None = None,
    on_start: StartFn | None = None,
    on_trial: TrialFn | None = None,
) -> SweepResult:
    """Continue a sweep: only the missing trials run (fresh ones in stacks of ``stack``).

    COMPLETED and DIVERGED trials are kept; INTERRUPTED and STALE (killed) trials continue from
    their checkpoint; FAILED trials, folders without a checkpoint or without meta are removed and
    run again; trials not started run.
    """
    check_stack(stack)
    if executor is None:
        with closing(make_executor(jobs)) as own:
            return resume_sweep(run, data_dir=data_dir, jobs=jobs, stack=stack, executor=own,
                                on_start=on_start, on_trial=on_trial)  # fmt: skip
    if run.status == "RUNNING":
        raise RunError(f"{run.path}: sweep still RUNNING in process {run.meta.get('pid')}")
    defn, trials = load_sweep(run)
    if data_dir is None and run.meta.get("data_dir"):
        data_dir = Path(run.meta["data_dir"])
    rows: dict[str, Row] = {}
    todo: list[TrialTask] = []
    for trial in trials:
        folder = runs.RunDir(trials_dir(run) / trial.id)
        if not folder.path.exists():
            todo.append(_task(run, defn, trial, data_dir, "run"))
            continue
        status = folder.status if folder.file("meta.json").exists() else None
        if status in TERMINAL:
            rows[trial.id] = folder_row(run, trial)
        elif status == "RUNNING":
            waiting = (
                " (its worker stops it after the current epoch, as the sweep's STOP file asks: "
                "retry in a moment)"
                if run.file(STOP_FILE).exists()
                else ""
            )
            raise RunError(
                f"{folder.path}: trial still RUNNING in process {folder.meta.get('pid')}{waiting}"
            )
        elif status in ("INTERRUPTED", "STALE") and folder.file("checkpoint.npz").exists():
            todo.append(_task(run, defn, trial, data_dir, "resume"))
        else:
            folder.remove()
            todo.append(_task(run, defn, trial, data_dir, "run"))
    if todo:
        _preload(trials, data_dir)
    workers = executor.workers  # (asks a Dask scheduler, once: failing before any change)
    run.file(STOP_FILE).unlink(missing_ok=True)  # every trial has stopped: none must see it now
    with runs.reopen(
        run,
        resume=SWEEP_RESUME,
        jobs=jobs,
        stack=stack,
        executor=executor.describe(),
        todo=len(todo),
    ) as life:
        return _execute(life, defn, trials, todo, rows, executor, workers, stack, on_start,
                        on_trial)  # fmt: skip


def summary_columns(rows: list[Row], keys: list[str], wide: bool = True) -> list[str]:
    """Table columns: trial, swept keys, (seed,) status, epochs, final (and best) accuracies."""
    cols = ["trial", *keys, *(["seed"] if wide else []), "status", "epochs"]
    metrics = list(dict.fromkeys(k for r in rows for k in r if k.endswith("_acc")))
    finals = [k for k in metrics if k.startswith("final_")]
    bests = [k for k in metrics if k.startswith("best_")] if wide else []
    return cols + finals + bests


def finish_sweep(life: runs.Lifecycle, defn: SweepDef, rows: list[Row], status: str) -> None:
    """Write summary.json/csv/txt and the plots of a sweep ending as ``status``."""
    from nnlab.output import table_text, to_csv

    run = life.run
    keys = list(defn.spec.params)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    life.note(counts=counts)
    run.write_json(
        "summary.json",
        {"sweep": run.id, "status": status, "keys": keys, "counts": counts, "trials": rows},
    )
    run.write_text("summary.csv", to_csv(rows))
    title = f"{run.id}: {status} ({', '.join(f'{n} {s}' for s, n in counts.items())})"
    run.write_text("summary.txt", table_text(rows, summary_columns(rows, keys), title=title))
    plot_sweep(run, defn, rows)


def trial_curves(run: runs.RunDir, rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    """Each trial's per-epoch records (empty for trials without a folder)."""
    return {r["trial"]: runs.RunDir(trials_dir(run) / r["trial"]).metrics() for r in rows}


def plot_sweep(run: runs.RunDir, defn: SweepDef, rows: list[Row]) -> list[Path]:
    """The sweep's plots: a preset's own figures, else every trial's accuracy curve."""
    from nnlab import plots

    curves = trial_curves(run, rows)
    if not any(curves.values()):
        return []
    if defn.preset == "weight-scale":
        from nnlab.experiments import weight_scale

        return weight_scale.plot(run, rows, curves)
    keys = list(defn.spec.params)
    return [plots.sweep_curves(rows, curves, keys, run.file("curves.png"), title=run.id)]
