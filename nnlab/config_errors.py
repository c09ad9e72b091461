"""A config's validation errors as one line each: the key (with a "did you mean" suggestion
for typos), what was expected, and the source that set it (the file, or the override).
(The schema is ``nnlab.config_model``; ``nnlab.config`` validates through ``validate``'s
``describe_error`` here.)
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from nnlab.aliases import instead, meant
from nnlab.config_model import (
    VARIANT_FIELDS,
    Config,
    is_list_key,
    is_variant_switch,
    key_names,
    keys_named,
    section_models,
    variants,
)
from nnlab.errors import did_you_mean
from nnlab.output import either, spelled
from nnlab.overrides import keys_overlap, overridden, written, written_axis
from nnlab.schema import DTYPE_FIX
from nnlab.yamlio import SPACE_AFTER_COLON, given, glued, glued_in, in_digits

NAME_WORDS = "a name of letters, digits, '_', '-' and '.', not starting with '-' or '.'"


def blame(key: str, overrides: list[str], source: str) -> str:
    """The override that set ``key`` (``set_by``), else ``source``."""
    text = set_by(key, overrides)
    return overridden(text) if text is not None else source


def set_by(key: str, overrides: Sequence[str]) -> str | None:
    """The last of ``overrides`` that set ``key`` (or a key above or below it, or switched
    the variant ``key`` is in: ``dataset.name=hdf5`` leaves ``dataset.train_file`` to give)."""
    for text in reversed(overrides):
        other = text.partition("=")[0].strip()
        parts = [p.strip() for p in other.split(".")]
        switched = is_variant_switch(parts) and key.startswith(f"{parts[0]}.")
        if keys_overlap(key, other) or switched:
            return text
    return None


def config_errors(
    raw: dict[str, Any], overrides: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """Every validation error of ``raw`` as (the dotted key, one line), the first the one
    ``validate`` reports; [] when ``raw`` is a valid config. (``overrides``: ``describe``'s.)"""
    try:
        Config.model_validate(raw)
    except ValidationError as exc:
        return [describe(err, raw, overrides) for err in exc.errors()]
    return []


def _parent_model(loc: tuple[Any, ...], raw: Any) -> type[BaseModel] | None:
    """The model whose field the location ``loc`` (minus its last part) names."""
    model: type[BaseModel] | None = Config
    node = raw
    for item in loc[:-1]:
        if model is None or not isinstance(item, str):
            return None
        node = node.get(item) if isinstance(node, dict) else None
        if model is Config and item in VARIANT_FIELDS:
            name = node.get("name") if isinstance(node, dict) else None
            model = variants(item).get(name) if isinstance(name, str) else None
            continue
        field = model.model_fields.get(item)
        annotation = field.annotation if field is not None else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            model = None
    return model


def describe_error(
    exc: ValidationError, raw: Any = None, overrides: Sequence[str] | None = None
) -> tuple[str, str]:
    """(the dotted key, one line) for the first (most useful) validation error."""
    return describe(exc.errors()[0], raw, overrides)


# Keys other tools' configs take in other files by (Hydra's defaults, an include, a JSON $ref, a
# base to extend): nnlab's config is one file, and such a key was an unknown key alone.
INCLUDE_KEYS = {"include", "includes", "import", "imports", "defaults", "$ref", "extends",
                "inherit", "inherits", "_base_", "base_config", "<<"}  # fmt: skip
ONE_FILE = (
    " (a config includes no other file: give the keys here, or as overrides key.sub=value; "
    "a sweep's file holds its config's keys and its sweep: section)"
)


def _unknown_key_hint(loc: tuple[Any, ...], raw: Any) -> str:
    """What follows "unknown key 'k'": the key meant (a book's name, a close spelling, the
    nested key of that name) or the valid keys of the mapping it is in."""
    if len(loc) == 1 and str(loc[0]).lower() in INCLUDE_KEYS:
        return ONE_FILE
    parent = _parent_model(loc, raw)
    if parent is None:
        return ""
    fields = list(parent.model_fields)
    pair = glued(loc[-1])
    if pair and pair[0] in fields:  # ({lr:0.1}: YAML reads one key 'lr:0.1', no value)
        return f" ({SPACE_AFTER_COLON}: {pair[0]}: {pair[1]})"
    lower = {field.lower(): field for field in fields}  # (EPOCHS, Batch_Size: in any case)
    close = [lower[c] for c in difflib.get_close_matches(str(loc[-1]).lower(), lower, n=1)]
    here = ".".join(map(str, loc))  # (a key of another place: model.weight_decay, model.lr)
    low = str(loc[-1]).lower()  # (LR: optimizer.lr)
    nested = [k for k in [low, *keys_named(low)] if k in key_names() and k != here.lower()]
    alias = meant(str(loc[-1])) or meant(low)  # (the book's name: use_batchnorm, learning_rate)
    if (torch := instead(low)) is not None:  # (betas, nesterov, scheduler, device)
        return f" ({torch})"
    if alias is not None:
        return f" (did you mean {alias!r}?)"
    if close:
        return f" (did you mean {'.'.join([*map(str, loc[:-1]), close[0]])!r}?)"
    if inside := _keys_inside(loc, raw):  # (train.epochs: another tool's section)
        return f" (did you mean {' and '.join(map(repr, inside))}? {loc[0]} is no section)"
    if nested and len(loc) <= 2:  # (lr=0.1: the key is optimizer.lr)
        return f" (did you mean {' or '.join(repr(k) for k in nested)}?)"
    return f"; valid keys here: {', '.join(fields)}{_other_variants(loc)}"


def _keys_inside(loc: tuple[Any, ...], raw: Any) -> list[str]:
    """The config keys the keys under an unknown top-level key are (``train: {epochs: 3}``,
    ``trainer.lr``: ``epochs``, ``optimizer.lr``), where each is one; else []."""
    inner = raw.get(loc[0]) if len(loc) == 1 and isinstance(raw, dict) else None
    if not isinstance(inner, dict) or not inner:
        return []
    found = [[str(k)] if k in Config.model_fields else keys_named(str(k)) for k in inner]
    return [keys[0] for keys in found] if all(len(keys) == 1 for keys in found) else []


def _other_variants(loc: tuple[Any, ...]) -> str:
    """`` (momentum is a key of optimizer.name=momentum or nesterov)`` for a key unknown to its
    section's variant (an sgd optimizer's ``momentum``) that other variants of it take, else
    ``""``: the valid keys alone left the key meant unsaid."""
    if len(loc) != 2 or loc[0] not in VARIANT_FIELDS:
        return ""
    names = [name for name, model in variants(loc[0]).items() if loc[1] in model.model_fields]
    if not names:
        return ""
    return f" ({loc[1]} is a key of {loc[0]}.name={either(names)})"


def section_hint(key: str, value: Any, override: Any, axis: Sequence[Any] | None = None) -> str:
    """`` (...)`` after "``key``: expected a mapping of keys, got ``value``" for a section
    (``model``, ``optimizer``, ``dataset``) given one value: the variant it names (``optimizer:
    adam``: ``optimizer.name=adam``), or the section's keys and the one of them whose type
    takes ``value`` (``model=relu``: ``model.activation=relu``), or those that do where several
    do, without a guess (``model=5``: init_std and dropout take a number; it guessed
    ``model.init_std=5``, as the one whose range held 5). Written as the value's source writes
    it: an override's form when ``override`` is true, else a config file's; "" for a key that
    is no section. ``axis``: the values of a sweep's axis of ``key`` (``model=relu,tanh``),
    every one taken, the key meant written as an axis: ``model.activation=relu,tanh``."""
    if key not in section_models():
        return ""
    values = list(axis) if axis is not None else [value]
    shown = [spelled(v) for v in values]
    if key in VARIANT_FIELDS and all(isinstance(v, str) and v in variants(key) for v in values):
        return f" (by name: {_meant(key, 'name', shown, override, axis is not None)})"
    model = type(Config.model_fields[key].default)  # (a variant's: the default one's keys)
    keys = list(model.model_fields)
    fits = [k for k in keys if k != "name" and all(_type_takes(model, k, v) for v in values)]
    said = f"{key} is a section of keys: {', '.join(keys)}"
    if len(fits) != 1:
        form = f"{key}.KEY=VALUE" if override else f"{key}: {{KEY: VALUE}}"
        if not fits:
            return f" ({said}; give one as {form})"
        which = " and ".join([", ".join(fits[:-1]), fits[-1]])
        return f" ({said}; {which} take {_kind(values)}: {form.replace('VALUE', ','.join(shown))})"
    return f" ({said}; did you mean {_meant(key, fits[0], shown, override, axis is not None)}?)"


def _unindented(key: str, raw: dict[str, Any]) -> str:
    """`` (...)`` for a section left empty (``model:``) whose keys the file wrote below it
    without an indent, at the top level (``hidden: [10]``): it said 'give one as model: {KEY:
    VALUE}'; "" where no top-level key is one of its."""
    model = type(Config.model_fields[key].default)
    stray = [k for k in raw if k in model.model_fields and k not in Config.model_fields]
    if not stray:
        return ""
    keys = " and ".join([", ".join(stray[:-1]), stray[-1]]) if len(stray) > 1 else stray[0]
    return (
        f" ({key}: has no value; its keys go on the lines below it, indented: {keys} "
        f"{'is' if len(stray) == 1 else 'are'} at the top level, not under {key})"
    )


def _meant(section: str, key: str, shown: list[str], override: Any, axis: bool) -> str:
    """The ``key`` of ``section`` set to the values ``shown`` as their source writes it: an
    override (``model.activation=relu``), a sweep's axis (``model.activation=relu,tanh``), a
    config file's line (``model: {activation: relu}``) or a file's sweep axis
    (``model.activation: [relu, tanh]``)."""
    name = f"{section}.{key}"
    if axis and override:
        return written_axis(name, shown, is_list_key(name))
    if axis:
        return f"{name}: [{', '.join(shown)}]"
    return f"{name}={shown[0]}" if override else f"{section}: {{{key}: {shown[0]}}}"


def _kind(values: list[Any]) -> str:
    """What ``values`` are, as a hint names them: a number, true or false, a list, text."""
    if all(isinstance(v, bool) for v in values):
        return "true or false"
    if all(isinstance(v, int | float) for v in values):
        return "a number"
    return "a list" if all(isinstance(v, list) for v in values) else "text"


# pydantic's refusals of a value of the right type outside the key's range: the key takes its
# type (``model=5``: dropout takes a number, if not 5)
RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _type_takes(model: type[BaseModel], key: str, value: Any) -> bool:
    """The section ``model`` takes a value of ``value``'s type as its ``key`` (the rest at
    their defaults): ``value`` itself, or one in range of that type (``model.dropout``, 5)."""
    try:
        model.model_validate({key: value})
    except ValidationError as exc:
        return all(err["type"] in RANGE_ERRORS for err in exc.errors())
    except ValueError:
        return False
    return True


def value_problem(key: str, value: Any) -> str | None:
    """The line the schema says of ``value`` for the dotted ``key`` alone (its type, range or
    names: ``model.activation: input should be 'relu', ... got 'relux'``; of a list's item,
    ``model.hidden.1: ...``), None where it takes it, or where that depends on another key (a
    variant's key, ``optimizer.momentum``, is a problem where no variant that has it takes
    the value; the checks across keys, ``eval``'s 'val' and ``dataset.n_val``). For a value
    given outside a config, ``--where``'s (``model.hidden=[1,[2]]``, an item no run's list
    has, and ``optimizer.lr=[0.1]`` kept none, exit 0)."""
    head, _, rest = key.partition(".")
    if head in VARIANT_FIELDS:
        names = list(variants(head))
        if rest != "name":  # (a key of some variants: a problem where none takes the value)
            having = [n for n, model in variants(head).items() if rest in model.model_fields]
            found = [_problem_of(key, {head: {"name": n, rest: value}}) for n in having]
            return found[0] if found and all(found) else None
        if value in names:
            return None
        return f"{key}: expected one of {', '.join(names)}, got {given(value)}{did_you_mean(value, names)}"
    return _problem_of(key, {head: {rest: value}} if rest else {head: value})


def _problem_of(key: str, raw: dict[str, Any]) -> str | None:
    """``value_problem``'s line of the schema's first error at ``key`` (or one of its items,
    ``model.hidden.1``) in the config ``raw``, None where it has none there."""
    try:
        Config.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            at = ".".join(map(str, err["loc"]))
            if (at == key or at.startswith(f"{key}.")) and err["type"] != "extra_forbidden":
                return describe(err, raw)[1]
    return None


def describe(err: Any, raw: Any = None, overrides: Sequence[str] | None = None) -> tuple[str, str]:
    """(the dotted key, one line) for one of pydantic's errors (``ValidationError.errors()``)
    of the mapping ``raw``, a hint in it written as the value's source writes it
    (``overrides.written``): an override's form for a key one of ``overrides`` set, a config
    file's line for another (None: ``raw`` is overrides alone, every value an override's)."""
    loc = tuple(err["loc"])
    kind = err["type"]
    key = ".".join(str(p) for p in loc) or "config"
    emptied = set_by(key, overrides) if overrides and kind != "list_type" else None
    said, _, value = (emptied or "").partition("=")
    if emptied is not None and err.get("input", 0) is None and not value.strip():  # (epochs=)
        return said.strip(), f"{said.strip()}: no value after '='; expected {said.strip()}=<value>"
    if loc and loc[0] == "batch_size" and kind != "value_error":  # one error per union member
        said = err["msg"].split(", ", 1)[-1] if kind == "text_for_value" else "got {}"
        return key, "batch_size: expected a positive integer or 'full', " + said.format(
            given(err.get("input"))
        )  # (quoted, batch_size: '32': "not text: '32' is quoted; write it without the quotes")
    if kind == "text_for_value":  # (its message quotes the value: a list's item, not the list)
        return key, f"{key}: {err['msg']}"
    if kind == "invalid_key":  # (pydantic names a key null 'None', a key true 1)
        key = ".".join([*map(str, loc[:-1]), given(err.get("input"))])
        return key, f"{key}: expected a key name (text), got {given(err.get('input'))}"
    if kind == "extra_forbidden":
        return key, f"unknown key {key!r}{_unknown_key_hint(loc, raw)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        hint = section_hint(key, err.get("input"), overrides is None or set_by(key, overrides))
        if err.get("input") is None and isinstance(raw, dict):  # (model: with its keys below)
            hint = _unindented(key, raw) or hint
        return key, f"{key}: expected a mapping of keys, got {given(err.get('input'))}{hint}"
    if kind == "missing":
        return key, f"{key}: required key is missing"
    if kind == "list_type" and isinstance(err.get("input"), str | int | float | None):
        said = err["input"]  # (model.hidden=100,100: a list is written in brackets; none, [])
        text = "" if said is None or str(said).lower() == "none" else spelled(said)
        if text.startswith(("(", "{")) and text.endswith((")", "}")):  # (Python's tuple, (8,4):
            text = text[1:-1].strip()  # it offered model.hidden=[(8,4)], a list of a text)
        fix = written(key, f"[{text}]", overrides is None or set_by(key, overrides) is not None)
        fix += "" if text else " (an empty list: none)"  # (it said 'e.g. model.hidden=[none]')
        return key, f"{key}: expected a list in brackets, e.g. {fix}, got {given(said)}"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        text = msg[len("Value error, ") :]
        key = text.split(":")[0].split(" ")[0]
        override = overrides is None or set_by(key, overrides) is not None
        if override:  # (or dtype=float64)
            text = text.replace(DTYPE_FIX, written("dtype", "float64", True))
        if key in VARIANT_FIELDS and "expected a mapping of keys" in text:
            text += section_hint(key, err.get("input"), override)
        return key, text
    if kind == "string_pattern_mismatch":  # (name: my run said the regular expression)
        return key, f"{key}: expected {NAME_WORDS}, got {given(err.get('input'))}"
    if kind == "int_from_float":  # (pydantic's own says "got a number with a fractional part")
        msg = "Input should be a whole number"
    if kind == "int_parsing" and (digits := in_digits(err.get("input"))) is not None:
        return key, f"{key}: {digits}"
    said = f"{key}: {msg[0].lower() + msg[1:]}, got {given(err.get('input'))}"
    return key, said + glued_in(err.get("input"))  # (eval: {train:1}: one key 'train:1')
