"""``--where KEY=VALUE``: keeping runs by a config value, in ``runs compare`` (its rows: runs
and a sweep's trials) and ``runs list`` (its folders).

A sweep's shape keys, ``model.depth`` and ``model.width``, are read from ``model.hidden``
(``with_shape``), so the trials of a depth x width sweep are kept by the keys it was given.

A value is written as an override's is (``model.init=std``, ``model.hidden=[50,50]``), any of
several as a sweep's axis is (``model.init=he,std``); a float matches where the tables spell
it alike, to the ``CONFIG_DIGITS`` significant digits every table shows (``0.000111931``
keeps the 0.00011193051 a random search drew; ``0.1`` and ``0.100000`` keep the
0.09999999999999999 ``linspace:0:0.3:4`` computed), ``true`` is no 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nnlab import runs
from nnlab.errors import ConfigError, RunError
from nnlab.numbers import CONFIG_DIGITS

Where = list[tuple[str, list[Any]]]  # (key, the values it keeps), each to hold
LIST_STATUSES = (*runs.STATUSES, runs.STALE, *runs.UNUSABLE)  # (what ``runs list`` may show)


def parse_where(texts: Sequence[str]) -> Where:
    """``--where KEY=VALUE`` each as (key, the values it keeps): ``model.init=std``, or any of
    several written as a sweep's axis is, ``model.hidden=[50,50],[100,100]``."""
    from nnlab.overrides import override_key
    from nnlab.sweep.spec import split_values

    out = []
    for text in texts:
        key = override_key(text, what="--where", example="model.init=std")
        values = split_values(text.partition("=")[2], f"--where {key}")
        if key == "status":  # (as runs list shows it, and --status takes it: any case)
            values = [_status(v) for v in values]
        check_written(text, key, values)
        out.append((key, values))
    return out


def _status(value: Any) -> Any:
    """A ``--where status=`` value as ``runs list`` shows a status (``completed`` kept none:
    each folder's is COMPLETED), or as given where it is none (``check_keys`` says so)."""
    named = value.upper() if isinstance(value, str) else value
    return named if named in LIST_STATUSES else value


def check_written(text: str, key: str, values: list[Any]) -> None:
    """ConfigError for a ``--where`` ``text`` that keeps no run as it is written, with the way
    to write it: a section given a value (``model=relu``: 'no config key 'model' (did you mean
    'model.init'?)'), values separated as other tools separate them (``optimizer.lr=0.1;0.2``),
    a key that takes a list given items (``model.hidden=100,100``: each its own value, a
    number no run's list is). (Each said 'no folders ... where ...', or the first a wrong key.)"""
    from nnlab.config_errors import section_hint
    from nnlab.config_model import is_list_key, section_models
    from nnlab.overrides import overridden, separated_words, written_axis

    raw = text.partition("=")[2]
    said = overridden(text, "--where")
    if key in section_models():
        raise ConfigError(f"--where: no config key {key!r}{section_hint(key, values[0], True)}")
    if (words := separated_words(raw)) is not None:
        sep = next(c for c in raw if not c.isalnum() and c in ";|")
        axis = written_axis(key, words, is_list_key(key))
        raise ConfigError(f"{said}: values are separated by commas, not {sep!r}: {axis}")
    if is_list_key(key) and not all(isinstance(v, list) for v in values):
        items = raw.replace("[", "").replace("]", "")
        any_of = written_axis(key, items.split(","), listed=True)
        raise ConfigError(
            f"{said}: {key}'s value is a list, in brackets: {key}=[{items}] (any of several, "
            f"each in brackets: {any_of})"
        )


def same_value(value: Any, wanted: Any) -> bool:
    """Whether a run's config ``value`` is the ``wanted`` one: equal, of the same kind (``true``
    is no 1), a float also where both agree to the digits the tables show (``CONFIG_DIGITS``:
    a value the tables spell ``0.100000``, 0.09999999999999999, was kept neither by 0.1 nor
    by the 0.100000 the refusal listed among its values)."""
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted
    if isinstance(value, float) and isinstance(wanted, (int, float)):
        digits = f".{CONFIG_DIGITS}g"
        return value == wanted or format(value, digits) == format(float(wanted), digits)
    return bool(value == wanted)


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"optimizer": {"lr": 0.1}}`` -> ``{"optimizer.lr": 0.1}`` (lists stay values)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def shape_keys(hidden: Any) -> dict[str, Any]:
    """``model.depth`` and ``model.width`` as a config's ``model.hidden`` says them: its
    layers, and their width where they are all of one (none without a layer: no width, not a
    null width, as of layers of several widths); {} for no list."""
    from nnlab.sweep.shape import DEPTH, shape_of

    if not isinstance(hidden, list):
        return {}
    shape = shape_of(hidden)
    return shape if hidden and len(set(map(repr, hidden))) == 1 else {DEPTH: shape[DEPTH]}


def with_shape(flat: dict[str, Any]) -> dict[str, Any]:
    """A flat config (``flatten``) with the shape keys its ``model.hidden`` says
    (``shape_keys``) where it has none of its own."""
    return {**shape_keys(flat.get("model.hidden")), **flat}


def check_keys(where: Where) -> None:
    """ConfigError for a key that is no config key (``runs list``'s folders may hold none
    that has it: said before any is read), with the key it was probably meant to be, and for
    a value its key does not take (``config_errors.value_problem``: no run has it)."""
    from nnlab.config_keys import reference_rows
    from nnlab.sweep.shape import SHAPE_KEYS

    known = [row["key"] for row in reference_rows()]
    for key, values in where:
        if key == "kind":  # (status=... is taken: kind=sweep was offered 'sweep.kind')
            raise ConfigError(f"--where: no config key 'kind' (a folder's kind is an option "
                              f"of its own: --kind {values[0]})")  # fmt: skip
        if key not in known and key not in ("status", "seed", *SHAPE_KEYS):
            raise ConfigError(f"--where: no config key {key!r}{key_meant(key, known)}")
        for value in values:  # (model.activation=relux, status=done kept none)
            if (problem := _value_problem(key, value, known)) is not None:
                raise ConfigError(f"--where: {problem}; no run has it")


def _value_problem(key: str, value: Any, known: list[str]) -> str | None:
    """What ``check_keys`` says of ``value`` for ``key``: a config key's (``value_problem``),
    a shape key's (``model.depth``: a whole number of layers), a folder's status (one that
    ``runs list`` shows), else None."""
    from nnlab.config_errors import value_problem
    from nnlab.sweep.shape import SHAPE_KEYS, check_value
    from nnlab.yamlio import given

    if key == "status":
        if value not in LIST_STATUSES:
            return f"status: expected one of {', '.join(LIST_STATUSES)}, got {given(value)}"
        return None
    if key in SHAPE_KEYS:
        try:
            check_value(key, value)
        except ConfigError as exc:
            return str(exc)
        return None
    return value_problem(key, value) if key in known else None


def key_meant(key: str, known: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the key of ``known`` a mistyped ``key`` was meant as: a
    close spelling, or the key of that name in its section (``lr``: 'optimizer.lr', as an
    override says it; --where lr=0.1 said no more than 'no config key 'lr''), else ""."""
    from nnlab.errors import did_you_mean

    if hint := did_you_mean(key, known):
        return hint
    nested = list(dict.fromkeys(k for k in known if k.endswith(f".{key}")))
    return f" (did you mean {' or '.join(repr(k) for k in nested)}?)" if nested else ""


def folder_values(run: runs.RunDir, kind: str) -> dict[str, list[Any]]:
    """Each config key's values in a folder's runs, flat: a run's config (an lr-scan's, a
    landscape's: the config they train or start from), a sweep's (``plan_values``), a tune's
    rounds' (its base config without the keys it searches, before its first round). No keys
    for a folder without a config (activations, compare-optimizers) or one that cannot be
    read (the listing says DAMAGED)."""
    try:
        if kind == "sweep":
            return plan_values(run.plan() or {})
        if kind == "tune":
            return _tune_values(run)
        config = run.config()
    except (RunError, ConfigError, OSError, AttributeError, TypeError, KeyError):
        return {}
    return (
        {k: [v] for k, v in with_shape(flatten(config)).items()} if isinstance(config, dict) else {}
    )


def plan_values(plan: dict[str, Any]) -> dict[str, list[Any]]:
    """A sweep's values by its plan (sweep.yaml): each key's values in its trials
    (``trial_values``); before any trial is planned (a tune's base config), its base
    config's."""
    out: dict[str, list[Any]] = {}
    for values in list(trial_values(plan).values()) or [base_values(plan)]:
        for key, value in values.items():
            out.setdefault(key, []).append(value)
    return out


def base_values(plan: dict[str, Any]) -> dict[str, Any]:
    """A plan's base config resolved with its fixed overrides, flat (``with_shape``)."""
    from nnlab.config import apply_overrides, validate

    fixed = [str(o) for o in plan.get("overrides") or []]
    base = validate(apply_overrides(plan.get("base") or {}, fixed)).model_dump(mode="json")
    return with_shape(flatten(base))


def trial_values(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each planned trial's config values by its id, flat: the config it trains
    (``trial_flat``; of a shape key, the ``model.hidden`` they make too; of ``model.hidden``,
    the shape keys it says) and its own ``seed`` (the base config's is none of its trials').
    ``--where`` keeps a trial that holds every key at once (a sweep's folder was kept where one
    trial had one key's value and another the next's)."""
    trials = plan.get("trials") or []
    base = base_values(plan) if trials else {}
    defn = _definition(plan) if trials else None
    out: dict[str, dict[str, Any]] = {}
    for trial in trials:
        flat = trial_flat(defn, base, trial.get("values") or {})
        if "seed" in trial:  # (its own, derived from the sweep's: not the base config's)
            flat["seed"] = trial["seed"]
        out[str(trial.get("id"))] = flat
    return out


def trial_flat(defn: Any, base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A trial's config, flat (``with_shape``): as the sweep makes it (``defn``, its
    ``SweepDef``: ``trial_config``), where a value switches a variant, ``optimizer.name=adam``,
    the base's keys of the old one (``momentum``) dropped and the new one's defaults (its
    ``lr``) in; else (a plan without its spec) ``base`` with ``values`` over it."""
    from nnlab.sweep.definition import trial_config
    from nnlab.sweep.shape import SHAPE_KEYS, hidden_of

    if defn is not None:
        try:
            return with_shape(flatten(trial_config(defn, values).model_dump(mode="json")))
        except ConfigError:  # (not as the sweep made it: read as the plan says, below)
            pass
    flat = {k: v for k, v in base.items() if k not in SHAPE_KEYS}
    flat.update(values)
    shape = {k: v for k, v in values.items() if k in SHAPE_KEYS}
    if shape:
        flat["model.hidden"] = hidden_of(shape, base["model.hidden"])
    return with_shape(flat)


def _definition(plan: dict[str, Any]) -> Any:
    """The ``SweepDef`` a plan (sweep.yaml) records, as ``sweep.folder.load_sweep`` reads it;
    None for a plan without a readable spec."""
    from nnlab.sweep.definition import SweepDef
    from nnlab.sweep.spec import parse_spec

    if not isinstance(plan.get("spec"), dict) or not isinstance(plan.get("base"), dict):
        return None
    try:
        spec = parse_spec(plan["spec"], "sweep.yaml: spec")
    except ConfigError:
        return None
    return SweepDef(name=str(plan.get("name")), base=plan["base"], spec=spec,
                    overrides=tuple(str(o) for o in plan.get("overrides") or ()))  # fmt: skip


def _tune_values(run: runs.RunDir) -> dict[str, list[Any]]:
    """A tune's values: its rounds' (``plan_values``: the values its trials drew, not its
    base config's, for a key it searches), else its base config's without those keys. A
    round whose folder cannot be read is passed over."""
    from nnlab.sweep.shape import SHAPE_KEYS

    settings = run.read_json_object("tune.json").get("settings") or {}
    out: dict[str, list[Any]] = {}
    for entry in run.rounds():
        if "sweep" in entry:
            try:
                values = plan_values(runs.RunDir(run.path / entry["sweep"]).plan() or {})
            except (RunError, ConfigError, OSError):
                continue
            for key, have in values.items():
                out.setdefault(key, []).extend(have)
    if out:
        return out
    searched = set(settings.get("ranges") or {})
    if searched & set(SHAPE_KEYS):
        searched |= {"model.hidden", *SHAPE_KEYS}
    base = plan_values({"base": settings.get("base")})
    return {k: v for k, v in base.items() if k not in searched}


def holds(values: dict[str, list[Any]], where: Where) -> bool:
    """Whether every key of ``where`` has one of its values among ``values`` (a folder's)."""
    return all(
        any(same_value(have, want) for have in values.get(key, []) for want in wanted)
        for key, wanted in where
    )


Kept = set[tuple[int, str]]  # a sweep's trials (round 0) or a tune's, as (round, trial id)


def kept_trials(run: runs.RunDir, kind: str, status: str, where: Where) -> Kept | None:
    """Of a sweep or a tune (``runs list``'s folder, its ``status``), the trials whose config
    holds every key of ``where`` at once (``status``: the folder's), by (round, id): its
    best trial is the best of these (``runs list --where`` named the sweep's best of all its
    trials, one the filter left out). None for another kind, and for a tune with no round
    read yet (its base config decides: ``folder_values``); set() where none holds."""
    plans = []
    try:
        if kind == "sweep":
            plans = [(0, run.plan() or {})]
        elif kind == "tune":
            for entry in run.rounds():
                if "sweep" in entry and (plan := _round_plan(run, entry["sweep"])) is not None:
                    plans.append((entry["round"], plan))
            if not plans:
                return None
        else:
            return None
        found = [(n, ident, values) for n, plan in plans
                 for ident, values in trial_values(plan).items()]  # fmt: skip
    except (RunError, ConfigError, OSError, AttributeError, TypeError, KeyError):
        return set()  # (said DAMAGED elsewhere)
    return {
        (n, ident)
        for n, ident, values in found
        if holds({**{k: [v] for k, v in values.items()}, "status": [status]}, where)
    }


def _round_plan(run: runs.RunDir, folder: str) -> dict[str, Any] | None:
    """A tune's round's plan (its sweep.yaml), None where it cannot be read (passed over, as
    ``_tune_values`` passes it)."""
    try:
        return runs.RunDir(run.path / folder).plan() or {}
    except (RunError, ConfigError, OSError):
        return None
