"""A key of some variants in a sweep over variants: ``optimizer.name=sgd,adam optimizer.beta1=0.8``.

``optimizer`` and ``dataset`` are variants chosen by their ``name``, each with its own keys
(``beta1`` is adam's, ``momentum`` that of momentum and nesterov). A sweep that varies the name
and is given a key that only some of its names have, as a fixed override or as an axis, sets
the key in the trials whose variant has it and leaves it out of the others, which could not
take it (as a config file of sgd cannot say ``beta1``): the sweep compares sgd with adam at
beta1 0.8, as a user who wrote it means. It is said before the trials (``partial_notes``),
never done without a word, and a key that none of the names has is refused as before, as
``train`` refuses it. A trial's config holds what it ran with; sweep.yaml keeps the overrides
as they were given.
"""

from __future__ import annotations

from typing import Any

from nnlab.config_model import VARIANT_FIELDS, variants
from nnlab.output import spelled
from nnlab.sweep.spec import SweepSpec, split_values


def axis_names(spec: SweepSpec, head: str) -> list[str]:
    """The names the sweep ``spec`` gives the variant ``head`` (``optimizer``): its
    ``optimizer.name`` axis's values (a list, a ``choice:``, or one value); [] if it does not
    sweep that name."""
    value = spec.params.get(f"{head}.name")
    if isinstance(value, str):
        names = (
            split_values(value.removeprefix("choice:")) if value.startswith("choice:") else [value]
        )
    else:
        names = value if isinstance(value, list) else []
    return [n for n in names if isinstance(n, str)]


def takes(head: str, name: Any, rest: str) -> bool:
    """Whether the variant ``name`` of ``head`` has the key ``rest`` (``adam``, ``beta1``)."""
    model = variants(head).get(name) if isinstance(name, str) else None
    return model is not None and rest.partition(".")[0] in model.model_fields


def _split(key: str) -> tuple[str, str] | None:
    """(variant, its key) for a key of a variant's own (``optimizer.beta1``), else None."""
    head, _, rest = key.partition(".")
    if head not in VARIANT_FIELDS or not rest or rest == "name":
        return None
    return head, rest


def partial(spec: SweepSpec, key: str) -> tuple[list[str], list[str]] | None:
    """(the names that take ``key``, those that do not) where the sweep ``spec`` varies the
    name of ``key``'s variant and both lists have names; None where every trial takes it, or
    none does (a key no trial can set is refused as ``train`` refuses it)."""
    split = _split(key)
    if split is None:
        return None
    head, rest = split
    names = list(dict.fromkeys(axis_names(spec, head)))
    have = [n for n in names if takes(head, n, rest)]
    lack = [n for n in names if n not in have]
    return (have, lack) if have and lack else None


def left_out(spec: SweepSpec, key: str, values: dict[str, Any]) -> bool:
    """Whether the trial with swept ``values`` leaves ``key`` out: its variant (its value of
    the swept name) has no such key, and another name of the sweep has (``partial``)."""
    split = _split(key)
    if split is None or partial(spec, key) is None:
        return False
    head, rest = split
    switch = f"{head}.name"
    return switch in values and not takes(head, values[switch], rest)


def override_key_of(text: str) -> str:
    """The dotted key an override sets (its parts stripped), as its reader reads it; the text
    itself where it names none (its reader refuses it)."""
    key, sep, _ = text.partition("=")
    return ".".join(p.strip() for p in key.split(".")) if sep else text


def partial_notes(spec: SweepSpec, overrides: tuple[str, ...] | list[str]) -> list[str]:
    """The notes a sweep prints before its trials for each fixed override and each axis that
    only some of its trials take (``partial``): which trials set it, which leave it out."""
    lines = []
    given: list[tuple[str, str | None]] = [(override_key_of(t), t) for t in overrides]
    given += [(k, None) for k in spec.params]
    for key, text in given:
        found = partial(spec, key)
        if found is None:
            continue
        have, lack = found
        head, rest = key.partition(".")[::2]
        switch = f"{head}.name"
        what = text.strip() if text is not None else f"the axis {key}"
        lines.append(
            f"note: {what} is set in the trials with {switch}={','.join(map(spelled, have))} "
            f"only: those with {switch}={','.join(map(spelled, lack))} leave it out (no {rest} "
            f"there{', one trial each, not one per value' if text is None else ''})"
        )
    return lines


def switch_notes(spec: SweepSpec, base: dict[str, Any], overrides: tuple[str, ...]) -> list[str]:
    """A note for each variant whose name the sweep varies where the config's section sets
    keys (``optimizer: {name: momentum, lr: 0.05}``) that the trials of another name have but
    do not take from it: a switch of the name starts the section afresh from that name's defaults, as the
    override does in ``train`` (a fixed override of the key is set in every trial that has it,
    and is not said)."""
    lines = []
    for head in VARIANT_FIELDS:
        section = base.get(head)
        if not isinstance(section, dict):
            continue
        given = {override_key_of(t) for t in overrides}
        unused = {k: v for k, v in section.items() if k != "name" and f"{head}.{k}" not in given}
        others = [n for n in dict.fromkeys(axis_names(spec, head)) if n != section.get("name")]
        unused = {k: v for k, v in unused.items() if any(takes(head, n, k) for n in others)}
        if unused and others:  # (a key the other names have not, momentum for adam: no loss)
            keys = ", ".join(f"{head}.{k}={spelled(v)}" for k, v in unused.items())
            lines.append(
                f"note: the trials with {head}.name={','.join(map(spelled, others))} start "
                f"{head} from that name's defaults, without the config's {keys} (a key given "
                "beside the axis is set in every trial that has it)"
            )
    return lines
