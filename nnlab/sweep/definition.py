"""The sweep's plan: its definition (base config, fixed overrides, spec, preset) and the trials
it expands to, each with an id and a seed that do not depend on execution order.

A trial's id is the hash of its resolved config without ``seed``; its seed is derived from the
sweep seed and the same config with the ``share_seed`` keys also removed, so, e.g., the
BatchNorm and plain nets at one weight scale share their weight draws and minibatch order.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from nnlab.config import (
    apply_overrides,
    config_hash,
    keys_overlap,
    parse_override,
    read_config,
    refuse_lone_keys,
    validate,
)
from nnlab.config_errors import blame, config_errors, describe_error
from nnlab.config_model import VARIANT_FIELDS, Config, is_list_key
from nnlab.errors import ConfigError, did_you_mean
from nnlab.idle import as_read
from nnlab.output import brief, spelled
from nnlab.overrides import overridden, refuse_split_axis, spaced_axis, written_axis
from nnlab.sweep.draws import check_axis_key, check_draws
from nnlab.sweep.shape import SHAPE_KEYS, check_params, hidden_of, shape_of, shared_identity
from nnlab.sweep.spec import (
    SEED_NOT_SHARED,
    SweepSpec,
    expand,
    not_varied,
    parse_spec,
    parse_sweep_args,
    split_values,
)
from nnlab.sweep.variants import (
    left_out,
    override_key_of,
    partial,
    partial_notes,
    switch_notes,
)

SEED_MODULUS = 2**31


@dataclass(frozen=True)
class SweepDef:
    """Everything that defines a sweep: its name, the base config (a raw mapping, without any
    ``sweep:`` section), fixed overrides, the spec, and the preset it came from (if any).

    ``source`` says where the base config came from (its file), for errors that are the base
    config's rather than a trial's (``trial_error``); ``colour_by``: the swept key its
    ``curves.png`` colours the trials by (``--colour-by``, else the file's ``sweep.colour_by``;
    None: the figure chooses, ``plots.sweep_roles``), checked by ``check_colour_by``.
    sweep.yaml stores neither (the sweep's meta.json records ``colour_by``, for its
    resumes)."""

    name: str
    base: dict[str, Any]
    spec: SweepSpec
    overrides: tuple[str, ...] = ()
    preset: str | None = None
    source: str = "sweep base config"
    colour_by: str | None = None


@dataclass(frozen=True)
class Trial:
    """One planned trial: id, seed, the swept keys' resolved values and the full config."""

    id: str
    seed: int
    values: dict[str, Any]
    config: Config


def check_colour_by(defn: SweepDef) -> None:
    """ConfigError unless the sweep's ``colour_by`` (if any) is a key it varies, and it draws
    the figure that key colours (a preset draws its own). The error names where the key was
    given: ``--colour-by``, or the file's ``sweep.colour_by`` (``SweepSpec.colour_by``)."""
    key = defn.colour_by
    if key is None:
        return
    given = "--colour-by"
    if key == defn.spec.colour_by:  # (the file's section's, unless the option gave it too)
        given = f"{defn.source}: sweep.colour_by"
    if defn.preset is not None:
        raise ConfigError(
            f"{given}: the {defn.preset} preset draws its own figures, not curves.png"
        )
    if key not in defn.spec.params:
        raise ConfigError(not_varied(given, key, defn.spec.params))


def read_sweep_file(path: Path) -> tuple[dict[str, Any], SweepSpec | None]:
    """A config file's mapping and its ``sweep:`` section, validated (None when it has none)."""
    return read_config(path)


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
    if not isinstance(spec, SweepSpec):
        spec = parse_spec(spec or {})
    raw = spec.model_dump()
    merged = dict(raw["params"])
    for text in fixed:
        merged.pop(".".join(parse_override(text)[0]), None)
    merged.update(params)
    raw["params"] = merged
    raw["share_seed"] = [k for k in raw["share_seed"] if k in merged]
    if raw["colour_by"] not in merged:  # (an axis a fixed override removed: the figure chooses)
        raw["colour_by"] = None
    if kind is not None:
        raw["kind"] = kind
        if kind == "grid":
            raw["trials"] = None
    if trials is not None:
        raw["trials"] = trials
    if kind == "random" and raw["trials"] is None:  # (sweep random: the option it takes; it
        raise ConfigError(  # said 'sweep.trials: ...', a key no command line has)
            "--trials: a random sweep needs a number of trials; give --trials N (or trials: N "
            "in the config file's sweep: section)"
        )
    if seed is not None:
        raw["seed"] = seed
    return parse_spec(raw)


def define(
    path: Path,
    args: Sequence[str] = (),
    *,
    kind: Literal["grid", "random"] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    name: str | None = None,
    preset: str | None = None,
    fixed_first: Sequence[str] = (),
    share_seed: Sequence[str] = (),
) -> SweepDef:
    """A sweep from a config file (its ``sweep:`` section, if any) and command-line ``args``
    (``key=a,b`` axes, ``key=v`` fixed overrides, after ``fixed_first``).

    ``kind`` forces grid or random; without it the file's section decides, and a file without
    one is an error. ``preset``: the name of the preset the file is. ``share_seed``: swept keys
    (or comma lists of them) added to the spec's ``share_seed``.
    """
    base, section = read_sweep_file(path)
    if section is None and kind is None:
        raise ConfigError(
            f"{path}: no 'sweep:' section; add one, or use 'nnlab sweep grid|random {path} "
            "key=v1,v2 ...'"
        )
    refuse_split_axis(args, choice_names, is_list_key)  # (optimizer.lr=0.1 0.2: an axis)
    params, given = read_sweep_args(args)
    for text in [t for t in given if override_key_of(t) in SHAPE_KEYS]:  # (one value: an axis)
        given.remove(text)
        params[override_key_of(text)] = split_values(text.partition("=")[2], override_key_of(text))
    fixed = [*fixed_first, *given]
    spec = merge_spec(section, params, fixed, kind=kind, trials=trials, seed=seed)
    if not spec.params:
        raise ConfigError(
            f"{path}: nothing to sweep; give axes such as optimizer.lr=0.1,0.01{_one_value(given)}"
        )
    spec = add_share_seed(spec, share_seed)
    _check_section_keys(base, fixed, spec.params, params, f"{path}: sweep.params")
    check_shape(base, fixed, spec.params, str(path))
    from nnlab.runs import check_name

    label = (
        check_name(name, "--name")  # (an empty one too: refused, not the config's name)
        if name is not None
        else check_name(base_name(base, fixed, spec.params, path.stem), f"{path}: name")
    )
    return SweepDef(
        name=label, base=base, spec=spec, overrides=tuple(fixed), preset=preset,
        source=str(path), colour_by=spec.colour_by,
    )  # fmt: skip


def base_name(base: dict[str, Any], fixed: Sequence[str], swept: Iterable[str], stem: str) -> str:
    """The name a sweep (or a tune) of the config mapping ``base`` takes when no ``--name``
    gives one: its ``name`` (``fixed`` applied), else the file's ``stem``, saying the dataset
    its trials read (``naming.said_name``; one over datasets, a ``swept`` key, keeps it)."""
    from nnlab.naming import said_name

    raw = apply_overrides(base, [t for t in fixed if override_key_of(t) in ("name", DATASET)])
    dataset = raw.get("dataset") or Config.model_fields["dataset"].default.model_dump()
    name = str(raw.get("name") or stem)
    return (
        name
        if DATASET in swept or not isinstance(dataset, dict)
        else said_name(name, dataset.get("name"))
    )


DATASET = "dataset.name"


def _check_section_keys(
    base: dict[str, Any], fixed: Sequence[str], params: dict[str, Any], given: Any, where: str
) -> None:
    """The keys of a file's ``sweep:`` section (those of ``params`` not ``given`` as arguments)
    that no trial can set (``_check_axis_key``: a key of another optimizer than every trial's),
    named by the section: 'cfg.yaml: sweep.params: unknown key 'optimizer.momentum'; ...'; it
    named them as arguments nobody gave ('optimizer.momentum=0.005,0.02': ...)."""
    try:
        fixed_base = apply_overrides(base, list(fixed))
    except ConfigError:  # (a fixed override's own error: said as the sweep is planned)
        return
    for key, value in params.items():
        if key not in given:
            check_axis_key(fixed_base, key, value, params, named=where)


def check_shape(
    base: dict[str, Any], fixed: Sequence[str], params: dict[str, Any], where: str
) -> None:
    """``shape.check_params`` of the sweep's axes over the base config with its ``fixed``
    overrides (one whose own error is the plan's to say: passed over here)."""
    try:
        hidden = base_hidden(base, fixed)
    except ConfigError:
        return
    check_params(params, hidden, where)


def base_hidden(base: dict[str, Any], fixed: Sequence[str]) -> list[int]:
    """The ``model.hidden`` of the base config with its ``fixed`` overrides (its default if it
    sets none): what the shape key a sweep does not vary is read from."""
    model = apply_overrides(base, list(fixed)).get("model")
    hidden = model.get("hidden") if isinstance(model, dict) else None
    return hidden if isinstance(hidden, list) else Config().model.hidden


def fixed_shape(base: dict[str, Any], fixed: Sequence[str], where: str = "tune") -> list[str]:
    """``fixed`` overrides with those of the shape keys (``model.depth=2``: one value, fixed
    as any key's is) made the ``model.hidden`` they say, last (``shape.hidden_of``, the other
    key from ``base`` with the rest of ``fixed``); ConfigError as a sweep's axes of them are
    refused (``shape.check_params``: a depth alone over layers of several widths, ...)."""
    shaped = {override_key_of(t): t for t in fixed if override_key_of(t) in SHAPE_KEYS}
    if not shaped:
        return list(fixed)
    rest = [t for t in fixed if override_key_of(t) not in SHAPE_KEYS]
    values = {key: parse_override(text)[1] for key, text in shaped.items()}
    if any(override_key_of(t) == "model.hidden" for t in rest):
        values["model.hidden"] = None  # (both: refused as two ways of saying one key)
    hidden = base_hidden(base, rest)
    check_params(values, hidden, where)
    return [*rest, f"model.hidden={hidden_of(values, hidden)}"]


def read_sweep_args(args: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """``parse_sweep_args``, a config key given alone (``epochs``) said to lack its values: it
    was 'expected key=value, key=v1,v2 or key=dist:a:b'."""
    refuse_lone_keys(list(args), "argument", "{key}=v1,v2 (an axis) or {key}=<value>")
    return parse_sweep_args(args)


def _one_value(given: Sequence[str]) -> str:
    """Why a sweep's arguments swept nothing: a list in brackets, or numbers separated by
    spaces ('optimizer.lr=0.1 0.2', quoted as one word: ``spaced_axis``), is one value; else
    each is a fixed override."""
    for text in given:
        value = text.partition("=")[2]
        key = text.partition("=")[0].strip()
        if value.startswith("[") and is_list_key(key):  # (an axis of lists: [100],[200])
            items = [w.strip() for w in value.strip("[] ").split(",") if w.strip()]
            lists = (
                written_axis(key, items, listed=True) if len(items) > 1 else f"{key}={value},[..]"
            )
            return f"; {text} is one value, a list (an axis of lists: {lists})"
        if value.startswith("["):
            return (
                f"; {text} is one value, a list (axes are written without brackets: "
                f"{text.replace('[', '').replace(']', '')})"
            )
        axis = spaced_axis(key, value.split(), choice_names(key), is_list_key(key))
        if axis is not None:  # (numbers: not text with a space in it, 'name=my run')
            return f"; {text!r} is one value (values are separated by commas: {axis})"
    return " (a single value is a fixed override)"


def choice_names(key: str) -> list[str]:
    """The names ``key`` takes where it takes one of a set (``model.activation``: relu,
    sigmoid, tanh; ``optimizer.name``: every optimizer's), else none."""
    from nnlab.config_keys import reference_rows

    rows = [r for r in reference_rows() if r["key"] == key and "name" in r["type"]]
    return [n for r in rows for n in r["allowed"].split(", ")]


def add_share_seed(spec: SweepSpec, texts: Sequence[str]) -> SweepSpec:
    """``spec`` with the ``--share-seed`` keys (each text a key or a comma list of keys) added
    to its ``share_seed``; ConfigError for a key the sweep does not vary."""
    keys = list(spec.share_seed)
    for text in texts:
        for key in (k.strip() for k in text.split(",")):
            if key not in spec.params:
                raise ConfigError(
                    f"--share-seed: {key!r} is not a swept key{did_you_mean(key, spec.params)}; "
                    f"this sweep varies {', '.join(spec.params)}"
                )
            if key == "seed":
                raise ConfigError(f"--share-seed: {SEED_NOT_SHARED}")
            keys += [] if key in keys else [key]
    return spec.model_copy(update={"share_seed": keys})


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


def base_config(defn: SweepDef) -> dict[str, Any]:
    """The base config mapping with the fixed overrides applied: every trial but its values.
    (A fixed override only some trials take, ``variants.partial``, is theirs: not the base's.)"""
    fixed = [t for t in defn.overrides if partial(defn.spec, override_key_of(t)) is None]
    return apply_overrides(defn.base, fixed)


def trial_overrides(defn: SweepDef, values: dict[str, Any]) -> list[str]:
    """The overrides that make the trial with swept ``values`` of the base config: the fixed
    ones, then its values, less a key its variant has not (``variants.left_out``: the sweep
    sets it in the trials whose variant has it), the shape keys as the ``model.hidden`` they
    say (``shape.hidden_of``). What its meta.json records it was trained with."""
    fixed = [t for t in defn.overrides if not left_out(defn.spec, override_key_of(t), values)]
    swept = {k: v for k, v in values.items() if not left_out(defn.spec, k, values)}
    shaped = {k: swept.pop(k) for k in SHAPE_KEYS if k in swept}
    out = [*fixed, *(override_text(k, v) for k, v in swept.items())]
    if shaped:
        try:
            hidden = hidden_of(shaped, base_hidden(defn.base, fixed))
            out.append(override_text("model.hidden", hidden))
        except ConfigError as exc:
            where = ", ".join(f"{k}={brief(spelled(v))}" for k, v in values.items())
            raise ConfigError(f"sweep trial ({where}): {exc}") from None
    return out


def fixed_values(defn: SweepDef, keys: Sequence[str]) -> dict[str, Any]:
    """The values of config ``keys`` the sweep does not vary: the base config with its fixed
    overrides, validated (a key the file leaves out has its default)."""
    cfg = validate(base_config(defn), defn.source, list(defn.overrides))
    dump = cfg.model_dump(mode="json")
    return {key: _get(dump, key) for key in keys}


def trial_error(
    defn: SweepDef,
    values: dict[str, Any],
    key: str,
    text: str,
    base_error: Callable[[], str | None],
) -> ConfigError:
    """The error ``text`` (about config ``key``) of the trial with swept ``values``, named by
    where it is. It is the base config's when ``key`` is none the sweep varies and the base
    config (the file and fixed overrides, without the swept values) has this very error:
    ``base_error()`` is then its line as ``train`` says it (None: the base has not this error).
    Else it is the trial's, named by its values. So a typo in the file or in a fixed override
    is not blamed on the first trial, while an error a swept value makes (or one the base
    config has only until a swept value is applied) is the trial's."""
    if not any(keys_overlap(key, swept) for swept in defn.spec.params):
        line = base_error()
        if line is not None:
            return ConfigError(line)
    alone = _one_value_error(defn, values, key, text)
    if alone is not None:
        return ConfigError(alone)
    where = ", ".join(f"{k}={brief(spelled(v))}" for k, v in values.items())
    return ConfigError(f"sweep trial ({where}): {text}" if where else f"{defn.source}: {text}")


def _one_value_error(defn: SweepDef, values: dict[str, Any], key: str, text: str) -> str | None:
    """The error ``text`` named as the file's key (``sweep: params: optimizer.lr: ... '0.1' is
    quoted``) when a swept key the sweep gives one value (``optimizer.lr: '0.1'``, ``[0.1]``)
    makes it alone: every trial has it, so it was named as the first trial's, not the file's."""
    for swept, value in values.items():
        given = defn.spec.params.get(swept)
        one = len(given) == 1 if isinstance(given, list) else not _ranged(given)
        if not one or not keys_overlap(key, swept):
            continue
        alone = apply_overrides(base_config(defn), [override_text(swept, value)])
        if (key, text) in config_errors(alone):
            return f"{defn.source}: sweep: params: {text}"
    return None


def _ranged(value: Any) -> bool:
    """``value`` is a range or distribution (``logspace:...``, ``choice:a,b``): many values."""
    return isinstance(value, str) and ":" in value


def sweep_seed(defn: SweepDef) -> int:
    """The sweep seed: the spec's, else the base config's ``seed`` (after fixed overrides)."""
    if defn.spec.seed is not None:
        return defn.spec.seed
    seed = base_config(defn).get("seed", 0)
    return int(seed) if isinstance(seed, int) else 0


def seed_identity(identity: dict[str, Any]) -> dict[str, Any]:
    """``identity`` as a trial's seed sees it: a split in ``final_eval`` counts as one in
    ``eval``, and ``eval_batch_size`` is at its default. *When* a split is evaluated (every
    epoch, or after the last only) and how many rows at once never change what is trained, so a
    sweep that moves its test split to ``final_eval``, or evaluates in smaller batches to save
    memory, trains the very nets, bit for bit, that the default does. (At the defaults, the
    identity is the one every earlier sweep's seeds came from.)"""
    out = dict(identity)
    if "eval_batch_size" in out:
        out["eval_batch_size"] = Config.model_fields["eval_batch_size"].default
    final = out.pop("final_eval", None) or []
    evals = list(out.get("eval") or [])
    if final:
        out["eval"] = evals + [s for s in final if s not in evals]
    return out


def trial_seed(sweep_seed: int, identity: dict[str, Any]) -> int:
    """A seed in [0, 2**31) from the sweep seed and a trial's seed identity (a config mapping)."""
    text = json.dumps({"sweep_seed": sweep_seed, "config": identity}, sort_keys=True)
    return int(hashlib.sha256(text.encode()).hexdigest()[:16], 16) % SEED_MODULUS


def definition_warnings(defn: SweepDef) -> list[str]:
    """What a sweep warns of before its trials are checked, read from its definition alone
    (``idle.sweep_warnings``): a key its base config sets that no trial reads, a swept key
    that changes nothing."""
    from nnlab.idle import sweep_warnings

    return sweep_warnings(defn.spec.params, lambda: trial_config(defn, {}))


def definition_notes(defn: SweepDef) -> list[str]:
    """What a sweep notes once its trials are checked (a refusal of theirs is its one line):
    a variant its axis switches from the base config's (``variants.switch_notes``), and a
    key only some of its variants take (``variants.partial_notes``)."""
    return [
        *switch_notes(defn.spec, defn.base, defn.overrides),
        *partial_notes(defn.spec, defn.overrides),
    ]


def trial_config(defn: SweepDef, values: dict[str, Any]) -> Config:
    """The config of the trial with swept ``values``, validated; an error is blamed on the
    base config's file or fixed override, or on the trial, by ``trial_error``."""
    overrides = trial_overrides(defn, values)
    raw = apply_overrides(defn.base, overrides)
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        key, text = describe_error(exc, raw, overrides)  # (a hint in the form of its source)

    def base_error() -> str | None:  # (named as ``validate`` names it for ``train``)
        given = [t for t in defn.overrides if keys_overlap(key, override_key_of(t))]
        if given and text.startswith("unknown key") and name_swept(defn, key):
            return f"{overridden(given[-1])}: no trial of the sweep takes it: {text}"
        if (key, text) in config_errors(base_config(defn), defn.overrides):
            return f"{blame(key, list(defn.overrides), defn.source)}: {text}"
        if given and partial(defn.spec, key) is not None:  # (a value its trials refuse)
            return f"{overridden(given[-1])}: {text}"
        return None

    raise trial_error(defn, values, key, text, base_error)


def name_swept(defn: SweepDef, key: str) -> bool:
    """Whether the sweep varies the name of ``key``'s variant (``optimizer.name`` for
    ``optimizer.momentum``): a fixed override of it that a trial refuses as an unknown key
    none of its trials takes (one that some take is left out of the others, ``left_out``)."""
    head = key.partition(".")[0]
    return head in VARIANT_FIELDS and f"{head}.name" in defn.spec.params


def resolve_trial(defn: SweepDef, values: dict[str, Any], seed0: int) -> Trial:
    """The trial for one set of swept values: validated config, id and seed."""
    cfg = trial_config(defn, values)
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
        identity = shared_identity(identity, defn.spec.share_seed)
        identity = as_read(cfg, identity, keep=defn.spec.params)  # (a key it never reads: out)
        seed = trial_seed(seed0, seed_identity(identity))
        cfg = cfg.model_copy(update={"seed": seed})
    shape = shape_of(cfg.model.hidden)
    resolved = {key: shape[key] if key in shape else _get(dump, key) for key in values}
    return Trial(trial_id, seed, resolved, cfg)


def plan(defn: SweepDef) -> list[Trial]:
    """Every trial of the sweep, in expansion order (random duplicates dropped); a draw its
    key cannot take refused first (``check_draws``)."""
    check_draws(base_config(defn), defn.spec.params)
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
