"""What a sweep's swept values may be, checked before any trial is drawn: a key no trial can
set (``check_axis_key``), draws or a grid's values its key cannot take (``check_draws``:
fractions for a key of whole numbers, a range over a list, a flag or a name).
"""

from __future__ import annotations

import math
from typing import Any

from nnlab.config import apply_overrides, validate
from nnlab.config_errors import config_errors, section_hint
from nnlab.config_model import (
    VARIANT_FIELDS,
    Config,
    is_config_key,
    is_list_key,
    section_models,
    variants,
)
from nnlab.errors import ConfigError, NnlabError
from nnlab.output import counted, spelled
from nnlab.overrides import written_axis
from nnlab.sweep.shape import SHAPE_KEYS
from nnlab.sweep.spec import GRID_RANGES, MAX_AXIS, SweepSpec, grid_axis
from nnlab.sweep.variants import axis_names, takes
from nnlab.yamlio import given


def schema_field(cfg: Config, key: str) -> Any:
    """The pydantic field of dotted ``key`` in the validated ``cfg`` (its optimizer's and
    dataset's own keys), or None where ``cfg`` has no such key."""
    node: Any = cfg
    *path, last = key.split(".")
    for part in path:
        node = getattr(node, part, None)
    return getattr(type(node), "model_fields", {}).get(last)


def check_draws(base: dict[str, Any], params: dict[str, Any]) -> None:
    """Swept ``params`` that give what their key in ``base`` (a config mapping) cannot take,
    refused before a trial is drawn, naming the key and what to give instead: ``uniform`` or
    ``loguniform`` (fractions) over an integer key, whose every draw failed validation (``sweep
    trial (batch_size=73.32402196642875): ...``, a tune's too), and any range over a key that
    takes no number (a list, a flag, a name: its hint read ``model.hidden=[56.06394622]``),
    a grid's ``logspace``/``linspace`` too; a grid's values for an integer key that are not
    all whole numbers (``check_whole_values``: ``linspace:16:128:4``, ``16,53.5``).
    (A base config that is itself invalid is left to the trials' check, which names its file.)
    """
    from nnlab.config_keys import describe_type
    from nnlab.schema import numeric

    for key, value in params.items():
        check_axis_key(base, key, value, params)
        check_list_axis(key, value)
    try:
        cfg = validate(base)
    except NnlabError:
        return
    for key, value in params.items():
        head, *ends = value.split(":") if isinstance(value, str) else [""]
        ranged = head in ("uniform", "loguniform", "randint", "logspace", "linspace")
        listed = isinstance(value, list)  # (a grid's values, as given)
        field = schema_field(cfg, key) if ranged or listed else None
        kind = numeric(field.annotation) if field is not None else None
        if key in SHAPE_KEYS and (ranged or listed):  # (whole numbers, as model.hidden's)
            kind = "an integer"
        elif field is None or kind == "a number":
            continue
        if kind == "an integer" and (listed or head in GRID_RANGES):
            check_whole_values(key, value)  # (a grid's: every trial refused a fraction)
            continue
        if listed:  # (a list, a flag, a name: its values are the trials' to check)
            continue
        if kind is None and field is not None:
            what = describe_type(field.annotation, field.metadata)[0]
            values = "[A],[B]" if what.startswith("list") else "A,B"  # (a list kept whole)
            raise ConfigError(
                f"{key}: {value!r}: a range gives numbers, but this key takes a {what}; list "
                f"the values to try instead, in a sweep ({key}={values})"
            )
        if head not in ("uniform", "loguniform"):  # (a grid's whole values, randint's: fine)
            continue
        try:
            low, high = math.ceil(float(ends[0])), math.floor(float(ends[-1]))
        except (ValueError, IndexError, OverflowError):  # (malformed: the sampler says how)
            low = high = 0
        draw = f"randint:{low}:{high}" if low < high else "randint:LOW:HIGH"
        raise ConfigError(
            f"{key}: {value!r}: its draws are fractions, but this key takes whole numbers; "
            f"draw them with {draw} (whole numbers, both ends included)"
        )


def check_list_axis(key: str, value: Any) -> None:
    """A grid's values for a key that takes a list (``model.hidden``, ``eval``) that are not all
    lists, refused as the axis given, with the axis meant (``written_axis``): each trial was
    refused, 'sweep trial (model.hidden=100): ... e.g. model.hidden=[100]', a form that is no
    axis."""
    if (
        not isinstance(value, list)
        or not is_list_key(key)
        or all(isinstance(v, list) for v in value)
    ):
        return
    shown = [spelled(v) for v in value]
    one = (
        "[" + ",".join(spelled(w) for v in value for w in (v if isinstance(v, list) else [v])) + "]"
    )
    raise ConfigError(
        f"'{key}={','.join(shown)}': {key}'s value is a list, so each value of its axis is one in "
        f"brackets: {written_axis(key, shown, listed=True)} (in a file's sweep.params: {key}: "
        f"[{', '.join(s if s.startswith('[') else f'[{s}]' for s in shown)}]); one value of "
        f"them all is a fixed override: {key}={one}"
    )


def check_axis_key(
    base: dict[str, Any], key: str, value: Any, params: dict[str, Any], named: str = ""
) -> None:
    """A swept key that no trial can set, refused as its argument (``'lr=0.1,0.2': unknown
    key 'lr' (did you mean 'optimizer.lr'?)``), as ``train`` refuses the override: it was blamed
    on the first trial drawn, ``sweep trial (lr=0.035305856304085934): unknown key``, the
    value a tune drew and not the key it was given. So is a key of another variant than the
    base's, where the sweep does not vary the variant (``optimizer.momentum`` over sgd), and
    one into a value (``epochs.x``). ``named``: where the key was written, for a file's
    ``sweep:`` section (``cfg.yaml: sweep.params``), else the argument as given."""
    if key in section_models():  # (model=relu,tanh: the key meant as an axis; each trial's
        listed = value if isinstance(value, list) else [value]  # said 'model.activation=relu')
        shown = value if isinstance(value, str) else ",".join(spelled(v) for v in listed)
        hint = section_hint(key, None, not named, axis=listed)
        raise ConfigError(
            f"{named or repr(f'{key}={shown}')}: {key}: expected a mapping of keys, got "
            f"{', '.join(given(v) for v in listed)}{hint}"
        )
    head = key.partition(".")[0]
    varied = any(k == head or k == f"{head}.name" for k in params)
    if key in SHAPE_KEYS or (is_config_key(key) and (head not in VARIANT_FIELDS or varied)):
        _check_some_name_takes(key, value, params, named)
        return
    listed = value if isinstance(value, list) else [value]  # (a file's one value: 0.1)
    shown = value if isinstance(value, str) else ",".join(spelled(v) for v in listed)
    named = named or f"'{key}={shown}'"
    try:
        errors = config_errors(apply_overrides(base, [f"{key}=0"]))
    except ConfigError as exc:  # (a key into a value: 'override 'epochs.x=0': ...')
        raise ConfigError(f"{named}: {str(exc).split(': ', 1)[-1]}") from None
    said = next(  # (its own, or its section's: 'optimiser.lr': unknown key 'optimiser' ...)
        (line for at, line in errors if f"{key}.".startswith(f"{at}.") and "unknown key" in line),
        None,
    )
    if said is not None or not is_config_key(key):
        raise ConfigError(f"{named}: {said or f'unknown key {key!r}'}")


def _check_some_name_takes(key: str, value: Any, params: dict[str, Any], named: str) -> None:
    """A swept key of a variant whose name the sweep varies, refused as its argument where none
    of the names it gives has it (``optimizer.name=sgd,adam optimizer.momentum=0.5,0.9``: it
    was the first trial's, 'sweep trial (optimizer.name=sgd, optimizer.momentum=0.5): ...');
    one that some have is theirs (``variants.left_out``)."""
    head, _, rest = key.partition(".")
    if head not in VARIANT_FIELDS or not rest or rest == "name":
        return
    names = list(dict.fromkeys(axis_names(SweepSpec(params=params), head)))
    if not names or any(takes(head, n, rest) for n in names):
        return
    having = [n for n in variants(head) if takes(head, n, rest)]
    listed = value if isinstance(value, list) else [value]
    shown = value if isinstance(value, str) else ",".join(spelled(v) for v in listed)
    raise ConfigError(
        f"{named or repr(f'{key}={shown}')}: no trial of the sweep takes it: {head}.name="
        f"{','.join(names)} {'has' if len(names) == 1 else 'have'} no {rest} (a key of "
        f"{head}.name={' or '.join(having)})"
    )


SHOWN_VALUES = 8  # a grid's values a refusal lists (and rounds for the values to give)


def check_whole_values(key: str, value: Any) -> None:
    """ConfigError if a grid's values for ``key``, an integer key, are not all whole numbers
    (``linspace:16:128:4``: 16, 53.33, 90.67, 128; a list with 53.5), naming the key and the
    whole values to give: each rounded (``batch_size=16,53,91,128``), and for a ``linspace``
    between whole ends one of whole steps, of the nearest number of points. Each trial refused
    its fraction, ``sweep trial (batch_size=53.333333333333336): ...``, after the others ran."""
    values = grid_axis(key, value) if isinstance(value, str) else value
    fractions = [v for v in values if isinstance(v, float) and math.isfinite(v) and v % 1]
    if not fractions:
        return
    shown = values[:SHOWN_VALUES]
    said = ", ".join(f"{v:.4g}" if isinstance(v, float) else spelled(v) for v in shown)
    said += f", ... ({counted(len(values), 'value')})" if len(values) > len(shown) else ""
    instead = []
    if len(values) <= SHOWN_VALUES:
        rounded = [round(v) if isinstance(v, float) else v for v in values]
        instead.append(f"the values {key}={','.join(spelled(v) for v in dict.fromkeys(rounded))}")
    if isinstance(value, str) and value.startswith("linspace:"):
        instead.append(_whole_linspace(value, len(values)) or "a linspace of whole ends and steps")
    given = f"{value!r} ({said}):" if isinstance(value, str) else f"{said}:"
    raise ConfigError(
        f"{key}: {given} not all whole numbers, but this key takes whole numbers; give "
        f"{' or '.join(instead) or 'whole values'}"
    )


def _whole_linspace(spec: str, num: int) -> str | None:
    """``linspace:a:b:n`` of whole ``a`` and ``b``, its ``n`` the nearest to ``num`` (the
    larger on a tie) whose steps are whole (``linspace:16:128:5``, steps of 28), said with its
    step; None where its ends are not whole or differ."""
    try:
        start, stop = (float(v) for v in spec.split(":")[1:3])
    except ValueError:
        return None
    if start % 1 or stop % 1 or start == stop:
        return None
    width = abs(int(stop) - int(start))
    fits = [d + 1 for d in range(1, min(width, MAX_AXIS) + 1) if width % d == 0]
    n = min(fits, key=lambda n: (abs(n - num), -n))
    return f"linspace:{int(start)}:{int(stop)}:{n} (steps of {width // (n - 1)})"
