"""The config reference, generated from the schema: every key, its type, default, allowed
values and meaning (``nnlab config keys``, ``docs/config.md``; a test keeps the doc in step).

Meanings come from the ``description`` of each pydantic field; types, defaults and ranges from
its annotation, so the reference cannot drift from what validation accepts.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel

from nnlab import config_model as schema
from nnlab.errors import ConfigError, did_you_mean
from nnlab.numbers import config_number
from nnlab.output import as_written

Row = dict[str, Any]


def _constraint(meta: list[Any]) -> str:
    """The bounds in words, the lower first (``> 0, <= 10000000``), whatever order the
    field declares them in; each as a config value is written (``_bound``)."""
    lower: list[str] = []
    upper: list[str] = []
    for m in meta:
        choice = getattr(m, "func", None)
        if isinstance(choice, schema.Choice):
            return ", ".join(choice.names())
        for attr, sign, side in (("gt", ">", lower), ("ge", ">=", lower), ("lt", "<", upper),
                                 ("le", "<=", upper)):  # fmt: skip
            if isinstance(m, getattr(at, attr.capitalize())):
                bound = getattr(m, attr)
                side.append(f"{sign} {_bound(bound)}")
        if isinstance(m, at.MaxLen):
            upper.append(f"at most {m.max_length} long")
    return ", ".join(lower + upper)


def _bound(bound: Any) -> str:
    """A bound as ``_constraint`` writes it: as a config value is typed, as the default beside
    it, the error past it (``less than or equal to 4294967295``) and an option's ``--help``
    (``[1<=x<=100000]``) write it: an int as it is, a float as ``config_number`` writes it
    (``1e+06``). An int's thousands separators read as a list beside the comma between two
    bounds: ``>= 0, <= 4,294,967,295``."""
    return str(bound) if isinstance(bound, int) else config_number(float(bound))


def describe_type(annotation: Any, meta: list[Any] | None = None) -> tuple[str, str]:
    """(type, allowed values) of an annotation, in words."""
    meta = list(meta or [])
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        found = [x for m in extra for x in (getattr(m, "metadata", None) or [m])]
        return describe_type(inner, meta + found)
    if origin is Literal:
        values = get_args(annotation)
        return "name", ", ".join(map(str, values))
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        described = [describe_type(a, meta) for a in options]
        nullable = len(options) < len(get_args(annotation))
        kind = " or ".join(dict.fromkeys(t for t, _ in described)) + (
            " or null" if nullable else ""
        )
        allowed = "; ".join(a for _, a in described if a)
        return kind, allowed
    if origin is list:
        (item,) = get_args(annotation)
        kind, allowed = describe_type(item)
        return f"list of {kind}", allowed
    name = getattr(annotation, "__name__", str(annotation))
    allowed = _constraint(meta)
    if name == "str" and allowed and "," in allowed and not allowed[0].isdigit():
        name = "name"
    if name == "float":
        allowed = ", ".join(p for p in (allowed, "finite") if p)
    return name, allowed


def _field_row(path: str, field: Any, when: str, model: type[BaseModel]) -> Row:
    """A key's row; its default as a config file or an override writes it and every table
    writes a config value (``output.as_written``: ``0``, ``1e-08``, ``scale``, ``[train,
    test]``, ``null``), not as JSON (``0.0``, ``"scale"``) beside the tables' ``0``."""
    kind, allowed = describe_type(field.annotation, list(field.metadata))
    default = field.default if not field.is_required() else "(required)"
    if isinstance(default, BaseModel):
        default = default.model_dump(mode="json")
    meaning = field.description or ""
    if not meaning and path.endswith(".name") and model.__doc__:
        meaning = model.__doc__.strip().splitlines()[0]
    meaning = re.sub(r"``([^`]+)``", r"`\1`", meaning)  # (a docstring's code, as Markdown's)
    return {
        "key": path,
        "when": when,
        "type": kind,
        "default": default if default == "(required)" else as_written(default),
        "allowed": allowed,
        "meaning": meaning,
    }


def _model_rows(model: type[BaseModel], prefix: str, when: str) -> list[Row]:
    rows = []
    fields = sorted(model.model_fields.items(), key=lambda kv: kv[0] != "name")
    for key, field in fields:  # (a variant's name first: the keys after it are that name's)
        annotation = field.annotation
        if key in schema.VARIANT_FIELDS and model is schema.Config:
            for name, variant in schema.variants(key).items():
                rows.extend(_model_rows(variant, f"{prefix}{key}.", f"{key}.name={name}"))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(_model_rows(annotation, f"{prefix}{key}.", when))
        else:
            rows.append(_field_row(f"{prefix}{key}", field, when, model))
    return rows


def reference_rows(prefix: str | None = None) -> list[Row]:
    """One row per config key (per variant for ``dataset`` and ``optimizer``), then the
    ``sweep:`` section's keys."""
    from nnlab.sweep.spec import SweepSpec

    rows = _model_rows(schema.Config, "", "")
    rows.extend(_model_rows(SweepSpec, "sweep.", "a sweep file"))
    if prefix:
        every = [r["key"] for r in rows]
        rows = [r for r in rows if r["key"].startswith(prefix)]
        if not rows:
            sections = dict.fromkeys(k.split(".")[0] for k in every)
            inner = list(dict.fromkeys(k for k in every if k.rsplit(".", 1)[-1].startswith(prefix)))
            hint = (
                did_you_mean(prefix, [*sections, *every])
                or (  # (lr: optimizer.lr)
                    f" (did you mean {' or '.join(map(repr, inner[:3]))}?)" if inner else ""
                )
            )
            raise ConfigError(
                f"config keys: no key starts with {prefix!r}{hint}; top-level keys: {', '.join(sections)}"
            )
    return rows


def markdown_reference() -> str:
    """docs/config.md: the keys as Markdown tables, grouped by their first part."""
    lines = [
        "# Config keys",
        "",
        "Generated from the schema by `nnlab config keys --markdown` (a test keeps this file",
        "in step). A YAML config names only what it changes; everything else has the default.",
        "Overrides on the command line use the same keys: `nnlab train cfg.yaml optimizer.lr=0.1`.",
        "`dataset` and `optimizer` are variants chosen by their `name`; each has its own keys.",
        "A number that is not 0 must not be 0 in the run's `dtype` either: float32 holds",
        "magnitudes from 1.4e-45 (an `optimizer.eps` of 1e-320 is refused there).",
        "",
        "Numbers are read as PyYAML (YAML 1.1) and pydantic read them. An integer key takes a",
        "whole float as its integer (`epochs: 1.0` is 1, `1.0e+3` is 1000; `1.5` is refused)",
        "and YAML 1.1's integers (`0x10` is 16, `0b11` is 3, `1_000` is 1000, `+3` is 3).",
        "Refused as numbers that read as another than they seem: `010` (YAML 1.1's octal, 8)",
        "and `1:30` (base 60, 90). `1e3`, without a dot, is text in YAML 1.1: a float key reads",
        "it as 1000.0, an integer key asks for `1000`. `-0.0` is 0.0, in the resolved config too.",
        "",
        "A config of your own, every key of it written at the top level or in its section:",
        "",
        "```yaml",
        "name: mnist-adam      # the top-level keys: no 'run:' section",
        "epochs: 10",
        "batch_size: 128",
        "weight_decay: 1e-4    # at the top level, not in optimizer",
        "dataset: {name: mnist, n_train: 5000}",
        "model: {hidden: [256, 128], batchnorm: true, dropout: 0.2}",
        "optimizer: {name: adam, lr: 1e-3}",
        "```",
        "",
    ]
    groups: dict[str, list[Row]] = {}
    for row in reference_rows():
        head = row["key"].split(".")[0] if "." in row["key"] else ""
        groups.setdefault(head, []).append(row)
    for head, rows in groups.items():
        title = (
            f"`{head}`"
            if head
            else "Top-level keys (no section: `epochs: 10`, not `run: {epochs: 10}`)"
        )
        lines += [f"## {title}", "", "| key | when | type | default | allowed | meaning |"]
        lines.append("|---|---|---|---|---|---|")
        for r in rows:
            cells = [f"`{r['key']}`", r["when"], r["type"], _md(r["default"]), r["allowed"]]
            cells.append(r["meaning"])
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _md(value: Any) -> str:
    return f"`{value}`" if value not in ("", None) else ""
