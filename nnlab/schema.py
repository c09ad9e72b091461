"""The base models every part of the config schema builds on (pydantic, importable cheaply).

``Strict``: frozen, unknown keys refused, NaN and infinity refused for every float, and a YAML
boolean refused where a number goes (``NoBoolNumbers``).
``Choice``: a name that must be one of a registry's (an activation, an init, a loss).
``DatasetBase``: the split and preprocessing keys every dataset has; a dataset is a subclass
with its own keys and a ``source`` method (``nnlab.data.datasets``).
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from nnlab.errors import did_you_mean
from nnlab.kinds import MAX_SEED
from nnlab.yamlio import given, glued, glued_in

if TYPE_CHECKING:
    from nnlab.data.dataset import Source

MAX_SAMPLES = 10_000_000  # samples of any split or generated set


def _leaves(annotation: Any) -> list[Any]:
    """The types a field of this type may hold: through Annotated and unions, the rest as is."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaves(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [leaf for a in get_args(annotation) for leaf in _leaves(a)]
    return [annotation]


def takes_bool(annotation: Any) -> bool:
    """Whether a field of this type holds a boolean (bool, Any, a Literal of True/False)."""
    return any(
        leaf is bool
        or leaf is Any
        or (get_origin(leaf) is Literal and any(isinstance(a, bool) for a in get_args(leaf)))
        for leaf in _leaves(annotation)
    )


def numeric(annotation: Any) -> str | None:
    """ "a number" (a float among its types) or "an integer" (an int) when a field of this type
    holds a number, else None."""
    leaves = _leaves(annotation)
    return "a number" if float in leaves else "an integer" if int in leaves else None


def _item_type(annotation: Any) -> Any:
    """The element type of a list field (through Annotated and ``| None``), else None."""
    lists = [leaf for leaf in _leaves(annotation) if leaf is not type(None)]
    if len(lists) != 1 or get_origin(lists[0]) is not list:
        return None
    (item,) = get_args(lists[0]) or (Any,)
    return item


def takes_text(annotation: Any) -> bool:
    """Whether a field of this type holds any text (str or Any; a Literal's words are not)."""
    return any(leaf is str or leaf is Any for leaf in _leaves(annotation))


def quoted_kind(annotation: Any, value: Any) -> str | None:
    """What a field of this type expects ("an integer", "a number", "true or false") when
    ``value`` is text that, written without its quotes, YAML reads as a number or a boolean
    (``epochs: '5'``, ``lr: "0.1"``, ``batchnorm: 'yes'``): pydantic's lax mode took it as one,
    silently. None otherwise: text for a key of text, or text YAML reads as text unquoted too
    (``lr: 1e-3``: YAML 1.1 has no float without a dot, so pydantic's reading is the one meant;
    ``epochs: abc``: pydantic's own error says it)."""
    if not isinstance(value, str) or takes_text(annotation):
        return None
    what = numeric(annotation) or ("true or false" if bool in _leaves(annotation) else None)
    if what is None:
        return None
    import yaml

    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
    return what if tag.rsplit(":", 1)[-1] in ("int", "float", "bool") else None


class NoBoolNumbers(BaseModel):
    """A YAML ``true``/``false`` (or ``yes``/``no``) is refused where a number goes, in a key or
    in a list's items: pydantic would read it as 1 or 0, so ``epochs: true`` trained one epoch
    and ``batch_size: yes`` a batch of one. Numbers for a boolean key stay accepted (1 / 0).
    A quoted number or boolean (``epochs: '5'``, ``batchnorm: 'yes'``) is refused where a
    number or a boolean goes (``quoted_kind``): the file says text, the key takes no text.
    Overrides are YAML scalars (``epochs=5``: a number; ``epochs="'5'"``: text, refused)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_number(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None:
            return value
        annotation = cls.model_fields[info.field_name].annotation
        _no_quoted(annotation, value)
        if annotation is bool and isinstance(value, str) and value.strip().lower() not in BOOLS:
            raise PydanticCustomError(  # (pydantic's own: 'unable to interpret input')
                "text_for_value",
                "expected true or false, got {value}" + did_you_mean(value, ["true", "false"]),
                {"value": repr(value)},
            )
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if annotation is bool and number and value not in (0, 1):  # (2 said 'unable to
            raise PydanticCustomError(  # interpret input', 0.5 'input should be a valid boolean')
                "text_for_value", "expected true or false (or 1 or 0), got {value}",
                {"value": given(value)},
            )  # fmt: skip
        what = numeric(annotation)
        if isinstance(value, bool) and what and not takes_bool(annotation):
            raise PydanticCustomError(
                "bool_for_number", "expected {what}, not a boolean", {"what": what}
            )
        if isinstance(value, list) and any(isinstance(v, bool) for v in value):
            item = _item_type(annotation)
            what = numeric(item)
            if what and not takes_bool(item):
                raise PydanticCustomError(
                    "bool_for_number",
                    "expected a list of {what}, not booleans",
                    {"what": what.split(" ", 1)[1] + "s"},
                )
        if isinstance(value, list) and (item := _item_type(annotation)) is not None:
            return [plain_number(item, v) for v in value]
        return plain_number(annotation, value)


def plain_number(annotation: Any, value: Any) -> Any:
    """``value`` as the key's type reads it where YAML's spelling differs from the number
    meant: -0.0 (a float) is 0.0, so the resolved config says 0.0 (and hashes as 0.0 does);
    a whole float for an integer key (``epochs: 1.0``, ``1.0e+7``) is that integer, as pydantic
    takes it, checked against the key's bounds as the integer (1.0e+19 said 'unable to parse
    input string as an integer, exceeded maximum size'). Anything else as it is."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    if value == 0:
        return 0.0
    return int(value) if value.is_integer() and numeric(annotation) == "an integer" else value


DTYPE_FIX = "dtype: float64"  # (a config file's line; ``config.describe``: an override's)
BOOLS = {"0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes"}  # (pydantic's)
QUOTED = "expected {what}, not text: {value} is quoted; write it without the quotes"


def _no_quoted(annotation: Any, value: Any) -> None:
    """The ``text_for_value`` error of a quoted number or boolean (``quoted_kind``) given for
    a field of this type, or as an item of its list."""
    if (what := quoted_kind(annotation, value)) is not None:
        raise PydanticCustomError("text_for_value", QUOTED, {"what": what, "value": repr(value)})
    if isinstance(value, list) and (item := _item_type(annotation)) is not None:
        for v in value:
            if (what := quoted_kind(item, v)) is not None:
                said = {"what": f"a list of {what.split(' ', 1)[-1]}s", "value": repr(v)}
                raise PydanticCustomError("text_for_value", QUOTED, said)


class Choice:
    """A name that must be a key of ``registry`` (read when validating, so a name registered
    later is accepted); the error lists the names."""

    def __init__(self, key: str, registry: Mapping[str, Any]) -> None:
        self.key, self.registry = key, registry

    def names(self) -> list[str]:
        return list(self.registry)

    def __call__(self, value: str) -> str:
        if value not in self.registry:
            names = self.names()
            listed = ", ".join(repr(n) for n in names[:-1]) + f" or {names[-1]!r}"
            hint = did_you_mean(value, names)
            raise ValueError(f"{self.key}: input should be {listed}, got {given(value)}{hint}")
        return value


def variant_of(key: str, value: Any, models: Mapping[str, type[BaseModel]]) -> BaseModel:
    """``value`` (a mapping with a ``name``) validated by the model its name picks among
    ``models`` (a dataset's, an optimizer's), for the config section ``key``."""
    if isinstance(value, BaseModel) and type(value) in models.values():
        return value
    names = ", ".join(models)
    if not isinstance(value, dict):
        raise ValueError(f"{key}: expected a mapping of keys, got {given(value)}")  # (by name:
        # ``config.describe``'s hint, in the form of the value's source)
    if "name" not in value:  # ({name:adam}: YAML reads one key 'name:adam', no value)
        space = glued_in({k: v for k, v in value.items() if (glued(k) or ("",))[0] == "name"})
        raise ValueError(f"{key}.name: missing; expected one of {names}{space}")
    name = value["name"]
    if not isinstance(name, str):  # (a list or mapping is not even hashable: not a name)
        raise ValueError(f"{key}.name: expected one of {names}, got {given(name)}")
    if name not in models:  # (MNIST too; adamw: what nnlab has nearest, ``not_offered``)
        hint = did_you_mean(name, models)
        raise ValueError(f"{key}.name: unknown {given(name)}{hint}; expected one of {names}")
    return models[name].model_validate(value)


class Strict(NoBoolNumbers):
    """Unknown keys refused, frozen, finite floats. A model's validator is built on its first
    use (``defer_build``): a command builds only the variants its config names (one dataset,
    one optimizer), which halves the import of ``nnlab.config`` (0.2 -> 0.1 s)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


Samples = Annotated[int, Field(le=MAX_SAMPLES)]


def _held(kind: Any, value: float) -> Any:
    """``value`` as the NumPy scalar type ``kind`` holds it (overflow quietly infinite)."""
    import numpy as np

    with np.errstate(over="ignore", under="ignore"):
        return kind(value)


def dtype_problem(model: BaseModel, dtype: str, prefix: str = "") -> str | None:
    """``key: ...`` for the first nonzero number of ``model`` (a config, its sections walked)
    that the run's ``dtype`` holds as 0, else None: the schema's bounds are float64's, and an
    ``optimizer.eps`` of 1e-320 (above 0, as asked) was 0 in a float32 run, whose AdaGrad then
    divided 0 by 0 (DIVERGED); an ``optimizer.lr`` of 1e-50 trained nothing. (A number too
    large for the dtype is left to the run, which records its overflow as DIVERGED: what the
    weight-scale experiments show.)"""
    import numpy as np

    kind = np.dtype(dtype).type
    for name in type(model).model_fields:
        value, key = getattr(model, name), f"{prefix}{name}"
        if isinstance(value, BaseModel):
            if (problem := dtype_problem(value, dtype, f"{key}.")) is not None:
                return problem
        elif isinstance(value, float) and value != 0 and _held(kind, value) == 0:
            tiny = np.finfo(kind).smallest_subnormal
            return (
                f"{key}: {value:g} is 0 in {dtype}, the run's dtype; expected 0 or a magnitude "
                f"of at least {tiny:.3g}, or {DTYPE_FIX}"
            )
    return None


class DatasetBase(Strict):
    """Split sizes and preprocessing, common to every dataset.

    ``n_train``/``n_val``/``n_test`` take that many samples (``null``: all that are left).
    The split is drawn with ``split_seed`` (not the run seed), so every run and sweep trial on
    the same dataset config sees the same samples. ``normalize``: ``scale`` maps pixel values to
    [0, 1] (x / 255 for MNIST and HDF5 images, x / 16 for digits), ``standardize`` subtracts the
    training split's per-feature mean and divides by its std, ``none`` leaves data as stored.
    """

    description: ClassVar[str] = ""  # one line for ``nnlab data list``
    where: ClassVar[str] = ""  # where its data comes from / is looked for
    # a dataset read from files: the command that gets them ({dir}: its --data-dir option, or
    # nothing) and what it does, and the folder of a data dir that holds them ("": no files)
    fetch: ClassVar[str] = ""
    folder: ClassVar[str] = ""
    if TYPE_CHECKING:  # (each dataset's own field, the Literal of its name: "digits", ...)
        name: str

    n_train: Annotated[Samples, Field(gt=0)] | None = Field(
        None, description="training samples (null: all that are left)"
    )
    n_val: Annotated[Samples, Field(ge=0)] = Field(
        0, description="validation samples, carved from the training pool"
    )
    n_test: Annotated[Samples, Field(ge=0)] | None = Field(
        None,
        description="test samples (null: the source's test set; without one, what n_train and "
        "n_val leave, or a fifth of the data when n_train is null too)",
    )
    normalize: Literal["none", "scale", "standardize"] = Field(
        "scale", description="scale to [0, 1], standardize by the training split, or none"
    )
    split_seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = Field(
        0, description="seed of the split (not the run's seed): every run sees the same samples"
    )

    def source(self, data_dir: Path | str | None) -> Source:
        """The raw data (``nnlab.data.dataset.Source``), before splitting and normalising."""
        raise NotImplementedError

    def generated_bytes(self) -> int:
        """Bytes a generated dataset's arrays take (0: the data is read from files)."""
        return 0

    def known_shape(self) -> tuple[int, int] | None:
        """(inputs, classes) of the data as the config alone says them, before any is read or
        made (a generated set's, the bundled digits'), else None (files say it)."""
        return None

    def generated_size(self) -> str:
        """The keys that set ``generated_bytes`` with their values, as its memory check names
        them ("dataset.n_per_class x n_classes x dim: 100 x 3 x 2"; "": none)."""
        return ""

    @classmethod
    def available(cls, data_dir: Path) -> tuple[bool, str]:
        """Whether the data is in ``data_dir`` (a dataset with no files: always), and where it
        is, or is looked for (``nnlab data list``)."""
        return True, cls.where
