"""The experiment config: a pydantic schema, YAML loading and Hydra-style dotted overrides.

The schema is the documentation: every key, its type, its default, its range, its meaning
(``nnlab config keys`` prints it; ``docs/config.md`` is generated from it). Models are frozen,
reject unknown keys and non-finite numbers; validation errors become one line that names the
key (with a "did you mean" suggestion for typos) and what was expected, and the source that
set it (the file, or the override).

The names a config may use come from the registries: activations, initialisers, losses and
optimizers from ``nnlab.nn.registry``, datasets from ``nnlab.data.registry``. An optimizer's
keys are its ``hyper`` specs; a dataset's are its class's fields. Registering a new one there
is all the schema needs.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    SerializeAsAny,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from nnlab.aliases import meant
from nnlab.data.registry import DATASETS
from nnlab.errors import ConfigError
from nnlab.nn.optim import Optimizer
from nnlab.nn.registry import ACTIVATIONS, INITS, LOSSES, OPTIMIZERS
from nnlab.output import brief, spelled
from nnlab.overrides import (  # noqa: F401 (re-exported: the config API reads overrides)
    keys_overlap,
    not_yaml_why,
    overridden,
    override_key,
    refuse_several,
    refuse_spaced,
    repeated_key,
    written,
)
from nnlab.schema import (  # noqa: F401 (Choice re-exported: config_keys reads it)
    DTYPE_FIX,
    MAX_SAMPLES,
    MAX_SEED,
    Choice,
    DatasetBase,
    Strict,
    dtype_problem,
    variant_of,
)
from nnlab.yamlio import (  # noqa: F401 (re-exported: the config API reads YAML)
    given,
    in_digits,
    read_yaml,
    yaml_value,
)

if TYPE_CHECKING:
    from nnlab.sweep.spec import SweepSpec

SPLITS = ("train", "val", "test")
# upper limits (the config reference shows them; each is far above a textbook experiment)
MAX_EPOCHS = 1_000_000
MAX_LAYERS = 64
MAX_UNITS = 65_536


# ----------------------------------------------------------------------------- names
ActivationName = Annotated[str, AfterValidator(Choice("model.activation", ACTIVATIONS))]
InitName = Annotated[str, AfterValidator(Choice("model.init", INITS))]
LossName = Annotated[str, AfterValidator(Choice("loss", LOSSES))]


# ----------------------------------------------------------------------------- optimizers
class OptimizerSettings(Strict):
    """An optimizer's config: its ``name`` and hyperparameters (a model per optimizer, made
    from the optimizer class's ``hyper`` specs by ``optimizer_settings``)."""

    name: str
    lr: float


@functools.cache
def _settings_model(cls: type[Optimizer]) -> type[OptimizerSettings]:
    fields: dict[str, Any] = {"name": (Literal[cls.name], cls.name)}
    for key, spec in cls.hyper.items():
        bounds = {
            k: getattr(spec, k) for k in ("gt", "ge", "lt", "le") if getattr(spec, k) is not None
        }
        fields[key] = (float, Field(spec.default, description=spec.help, **bounds))
    doc = (cls.__doc__ or cls.name).strip().splitlines()[0].rstrip(":")
    model = create_model(
        f"{cls.__name__}Settings", __base__=OptimizerSettings, __doc__=doc, **fields
    )
    model.__module__ = __name__  # picklable (a config travels to worker processes)
    return model


def __getattr__(name: str) -> Any:
    """``nnlab.config.<Optimizer>Settings``: made on first use (how pickle finds them)."""
    for cls in OPTIMIZERS.values():
        if name == f"{cls.__name__}Settings":
            return _settings_model(cls)  # type: ignore[arg-type]  # (python/mypy#11470)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def optimizer_settings(name: str) -> type[OptimizerSettings]:
    """The config model of optimizer ``name`` (KeyError if it is not registered)."""
    # (mypy says a class is not Hashable, for functools.cache: python/mypy#11470)
    return _settings_model(OPTIMIZERS[name])  # type: ignore[arg-type]  # (python/mypy#11470)


def optimizer_hyperparameters(opt: BaseModel) -> dict[str, float]:
    """The optimizer config's hyperparameters (everything but ``name``) as constructor kwargs."""
    return {k: v for k, v in opt.model_dump().items() if k != "name"}


def variants(key: str) -> dict[str, type[BaseModel]]:
    """The models a variant key (``dataset``, ``optimizer``) may hold, by name."""
    if key == "optimizer":
        return {name: optimizer_settings(name) for name in OPTIMIZERS}
    return dict(DATASETS)


NAME_WORDS = "a name of letters, digits, '_', '-' and '.', not starting with '-' or '.'"
VARIANT_FIELDS = ("dataset", "optimizer")  # keys whose mapping is one of several, by its name


# ----------------------------------------------------------------------------- model, run
class ModelConfig(Strict):
    """An MLP: Affine -> [BatchNorm] -> activation -> [Dropout] per hidden layer, then Affine."""

    hidden: Annotated[
        list[Annotated[int, Field(gt=0, le=MAX_UNITS)]], Field(max_length=MAX_LAYERS)
    ] = Field(
        [100],
        description="units of each hidden layer ([]: a linear classifier; a sweep "
        "sets it as model.depth x model.width too: [width] * depth)",
    )
    activation: ActivationName = Field("relu", description="activation after each hidden layer")
    init: InitName = Field(
        "he", description="weight initialiser: std uses init_std; xavier, glorot, he scale by fan"
    )
    init_std: Annotated[float, Field(ge=0)] = Field(
        0.01, description="std of the weights when init is std"
    )
    batchnorm: bool = Field(False, description="BatchNorm after each hidden Affine")
    dropout: Annotated[float, Field(ge=0, lt=1)] = Field(
        0.0, description="inverted dropout after each hidden activation (drop probability)"
    )


class Config(Strict):
    """One training run. Every key has a default; a YAML file names only what it changes."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$", max_length=64)] = Field(
        "run", description="the run's name (in its folder's name): letters, digits, . _ -"
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = Field(
        0, description="seed of init, minibatch order and dropout"
    )
    dtype: Literal["float32", "float64"] = Field("float32", description="float type of training")
    dataset: SerializeAsAny[DatasetBase] = Field(
        DATASETS["digits"].model_validate({}),
        description="the data (dataset.name picks one; each has its keys)",
    )
    model: ModelConfig = ModelConfig()
    loss: LossName = Field("softmax_ce", description="loss on the output scores")
    optimizer: SerializeAsAny[OptimizerSettings] = Field(
        optimizer_settings("sgd").model_validate({"lr": 0.1}),
        description="the update rule (optimizer.name picks one; each has its keys)",
    )
    weight_decay: Annotated[float, Field(ge=0)] = Field(
        0.0, description="L2 penalty 0.5 * weight_decay * sum(W^2) over weight matrices"
    )
    batch_size: Annotated[int, Field(gt=0, le=MAX_SAMPLES)] | Literal["full"] = Field(
        100, description="minibatch size, or full for full-batch gradient descent"
    )
    epochs: Annotated[int, Field(ge=0, le=MAX_EPOCHS)] = Field(
        10, description="passes over the training split"
    )
    eval: list[Literal["train", "val", "test"]] = Field(
        ["train", "test"], description="splits evaluated before training and after each epoch"
    )
    final_eval: list[Literal["train", "val", "test"]] = Field(
        [],
        description="splits evaluated after the last epoch only (the final accuracy without "
        "the cost of a per-epoch curve); a split also in eval is evaluated every epoch",
    )
    eval_batch_size: Annotated[int, Field(gt=0, le=MAX_SAMPLES)] = Field(
        10000, description="rows per forward pass when evaluating"
    )

    @field_validator("dataset", mode="wrap")
    @classmethod
    def _dataset(cls, value: Any, handler: Any) -> Any:
        return variant_of("dataset", value, DATASETS)

    @field_validator("optimizer", mode="wrap")
    @classmethod
    def _optimizer(cls, value: Any, handler: Any) -> Any:
        return variant_of("optimizer", value, variants("optimizer"))

    @model_validator(mode="after")
    def _check(self) -> Config:
        if ".." in self.name:
            raise ValueError(f"name: {self.name!r} contains '..'; a name is part of a folder name")
        if "val" in self.eval and self.dataset.n_val == 0:
            raise ValueError("eval: 'val' is listed but dataset.n_val is 0")
        if len(set(self.eval)) != len(self.eval):
            raise ValueError("eval: a split is listed twice")
        if "val" in self.final_eval and self.dataset.n_val == 0:
            raise ValueError("final_eval: 'val' is listed but dataset.n_val is 0")
        if len(set(self.final_eval)) != len(self.final_eval):
            raise ValueError("final_eval: a split is listed twice")
        if (problem := dtype_problem(self, self.dtype)) is not None:
            raise ValueError(problem)
        return self

    @property
    def final_only(self) -> list[str]:
        """The ``final_eval`` splits not in ``eval`` (those are evaluated every epoch anyway)."""
        return [s for s in self.final_eval if s not in self.eval]

    @property
    def splits(self) -> list[str]:
        """Every split a run evaluates: ``eval``'s (each epoch), then the final-only ones."""
        return [*self.eval, *self.final_only]


# ----------------------------------------------------------------------------- loading
def parse_override(text: str, example: str | None = None) -> tuple[list[str], Any]:
    """``"optimizer.lr=0.1"`` -> (["optimizer", "lr"], 0.1); the value is parsed as a YAML scalar
    (a text that sets no key: refused with ``example``, ``override_key``)."""
    key, _, raw = text.partition("=")
    parts = override_key(text, example=example).split(".")
    try:
        value = yaml_value(raw, overridden(key.strip())) if raw.strip() else None
    except yaml.YAMLError as exc:
        why = not_yaml_why(text, getattr(exc, "problem", None))
        raise ConfigError(
            f"{overridden(text)}: the value {brief(repr(raw))} is not valid YAML{why}"
        ) from None
    return [p.strip() for p in parts], value


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """A copy of ``raw`` with each ``key.sub=value`` override set (creating mappings as needed).

    ``optimizer`` and ``dataset`` are choices among variants: an override into one the file does
    not set starts from the default (``optimizer.lr=0.5`` tunes the default SGD), and switching
    the variant (``optimizer.name=adam``) starts afresh from the new variant's defaults, since
    the old one's keys (e.g. ``momentum``) may not exist there. Switches are applied first, so
    ``optimizer.lr=0.001 optimizer.name=adam`` keeps the lr whatever the order.
    """
    refuse_spaced(overrides)
    refuse_several(overrides)
    for text in overrides:
        if (bare := lone_key(text)) is not None:
            raise ConfigError(f"{overridden(text)}: no value; expected {bare}=<value>")
    out = copy.deepcopy(raw)
    parsed = [(text, *parse_override(text)) for text in overrides]
    parsed.sort(key=lambda p: not _is_variant_switch(p[1]))  # stable: switches first
    for text, parts, value in parsed:
        if _is_variant_switch(parts):
            current = out.get(parts[0])
            if current is None:
                current = _default_variant(parts[0])
            if not isinstance(current, dict) or current.get("name") != value:
                out[parts[0]] = {"name": value}
            continue
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = _default_variant(part) if node is out else {}
            if not isinstance(child, dict):
                where = ".".join(parts[: i + 1])
                raise ConfigError(f"{overridden(text)}: {where} is a value, not a mapping of keys")
            node = child
        node[parts[-1]] = value
    return out


def check_once(overrides: list[str]) -> None:
    """ConfigError for a key given twice among a command line's ``overrides``: the last one
    won without a word (a config file's key written twice is refused, and so is a sweep's).
    (Code that builds overrides may give a key again on purpose: ``apply_overrides`` lets the
    last one win.) A ``key=value`` that does not parse is left for its reader to refuse."""
    repeat = repeated_key(overrides)
    if repeat is not None:
        key, first, text = repeat
        raise ConfigError(
            f"{overridden(text)}: {key} given twice ({first!r} and {text!r}); give it once"
        )


def _is_variant_switch(parts: list[str]) -> bool:
    return len(parts) == 2 and parts[0] in VARIANT_FIELDS and parts[1] == "name"


def _default_variant(key: str) -> dict[str, Any]:
    """The default mapping of a top-level variant key (``{}`` for any other key)."""
    if key not in VARIANT_FIELDS:
        return {}
    return Config.model_fields[key].default.model_dump(mode="json")


def validate(
    raw: dict[str, Any], source: str = "config", overrides: list[str] | None = None
) -> Config:
    """Validate a raw mapping into a Config, or raise a one-line ConfigError naming the key
    and its source: ``source`` (a file), or the override among ``overrides`` that set it."""
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        key, text = describe_error(exc, raw, overrides or [])
        raise ConfigError(f"{blame(key, overrides or [], source)}: {text}") from None


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
        switched = _is_variant_switch(parts) and key.startswith(f"{parts[0]}.")
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


def read_config(path: Path) -> tuple[dict[str, Any], SweepSpec | None]:
    """A config file: its mapping without the ``sweep:`` section, and that section validated
    (None when there is none). Every command reads a config file here, so a malformed section
    is the same one line (naming the file and the key's path) whichever command reads it."""
    from nnlab.sweep.spec import check_section, parse_spec

    raw = read_yaml(path, empty=False)
    if "sweep" not in raw:
        return raw, None
    where = f"{path}: sweep"
    return raw, check_section(parse_spec(raw.pop("sweep"), where), where, key_names())


def load_config(path: Path | None, overrides: list[str] | None = None) -> Config:
    """Read ``path`` (or start from the defaults), apply overrides, validate."""
    raw, section = read_config(path) if path is not None else ({}, None)
    if section is not None:
        raise ConfigError(
            f"{path}: has a 'sweep:' section, so it describes a sweep, not one run; "
            f"run it with 'nnlab sweep run {path}'"
        )
    overrides = list(overrides or [])
    raw = apply_overrides(raw, overrides)
    return validate(raw, str(path) if path is not None else "config", overrides)


def to_yaml(cfg: Config) -> str:
    """The resolved config as YAML (every key, defaults filled in), loadable by ``load_config``."""
    data = cfg.model_dump(mode="json")
    for key in VARIANT_FIELDS:  # the discriminating name first, for the reader
        data[key] = {"name": data[key].pop("name"), **data[key]}
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)


# Top-level keys added after config hashes were first recorded, with their defaults: a hash
# leaves such a key out while it holds its default, so every earlier id (sweep trial folders,
# ``--resume``, landscape files) stays what it was.
ADDED_KEYS: dict[str, Any] = {"final_eval": []}


def config_hash(cfg: Config | dict[str, Any], length: int = 8) -> str:
    """A short stable hash of the resolved config (keys sorted), for ids (``ADDED_KEYS`` at
    their defaults left out)."""
    data = cfg.model_dump(mode="json") if isinstance(cfg, BaseModel) else cfg
    data = {k: v for k, v in data.items() if k not in ADDED_KEYS or v != ADDED_KEYS[k]}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


# ----------------------------------------------------------------------------- errors
def is_config_key(key: str) -> bool:
    """``key`` (dotted) names a key of the schema (of any variant)."""
    head, _, rest = key.partition(".")
    if head in VARIANT_FIELDS:
        return not rest or any(rest in m.model_fields for m in variants(head).values())
    field = Config.model_fields.get(head)
    if field is None:
        return False
    annotation = field.annotation
    if rest and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return rest in annotation.model_fields
    return not rest


def lone_key(text: str) -> str | None:
    """The key an override or sweep argument without '=' names, its value left out (``epochs``;
    ``optimizer``: ``optimizer.name``), else None. (Its example was 'optimizer.lr=0.1'.)"""
    bare = one_value_key(text.strip()) if "=" not in text else None
    return bare if bare and is_config_key(bare) else None


def one_value_key(key: str) -> str | None:
    """The key that one value written for ``key`` sets: ``key`` itself, or for a section chosen
    by name (``dataset``, ``optimizer``) its ``name``; None for a section of keys (``model``)."""
    if key in VARIANT_FIELDS:
        return f"{key}.name"
    return None if key in _section_models() else key


def _section_models() -> dict[str, list[type[BaseModel]]]:
    """Each section key (``dataset``, ``model``, ``optimizer``) -> the models it may hold."""
    out = {}
    for head, field in Config.model_fields.items():
        annotation = field.annotation
        if head in VARIANT_FIELDS:
            out[head] = list(variants(head).values())
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out[head] = [annotation]
    return out


def keys_named(name: str) -> list[str]:
    """The dotted keys of a section (any variant) whose last part is ``name``:
    ``lr`` -> ``["optimizer.lr"]``, for a key written without its section."""
    return [
        f"{head}.{name}"
        for head, models in _section_models().items()
        if any(name in m.model_fields for m in models)
    ]


def key_names() -> set[str]:
    """Every key a config may set: the top-level ones (sections too) and each section's, of
    any variant, dotted (read from the registries now: one registered later is known)."""
    names = set(Config.model_fields)
    for head, models in _section_models().items():
        names |= {f"{head}.{key}" for model in models for key in model.model_fields}
    return names


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


def _unknown_key_hint(loc: tuple[Any, ...], raw: Any) -> str:
    """What follows "unknown key 'k'": the key meant (a book's name, a close spelling, the
    nested key of that name) or the valid keys of the mapping it is in."""
    parent = _parent_model(loc, raw)
    if parent is None:
        return ""
    fields = list(parent.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
    here = ".".join(map(str, loc))  # (a key of another place: model.weight_decay, model.lr)
    nested = [
        k for k in [str(loc[-1]), *keys_named(str(loc[-1]))] if k in key_names() and k != here
    ]
    alias = meant(str(loc[-1]))  # (the book's name: use_batchnorm, learning_rate)
    if alias is not None:
        return f" (did you mean {alias!r}?)"
    if close:
        return f" (did you mean {'.'.join([*map(str, loc[:-1]), close[0]])!r}?)"
    if nested and len(loc) <= 2:  # (lr=0.1: the key is optimizer.lr)
        return f" (did you mean {' or '.join(repr(k) for k in nested)}?)"
    return f"; valid keys here: {', '.join(fields)}{_other_variants(loc)}"


def _other_variants(loc: tuple[Any, ...]) -> str:
    """`` (momentum is a key of optimizer.name=momentum or nesterov)`` for a key unknown to its
    section's variant (an sgd optimizer's ``momentum``) that other variants of it take, else
    ``""``: the valid keys alone left the key meant unsaid."""
    if len(loc) != 2 or loc[0] not in VARIANT_FIELDS:
        return ""
    names = [name for name, model in variants(loc[0]).items() if loc[1] in model.model_fields]
    if not names:
        return ""
    either = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    return f" ({loc[1]} is a key of {loc[0]}.name={either})"


def describe(err: Any, raw: Any = None, overrides: Sequence[str] | None = None) -> tuple[str, str]:
    """(the dotted key, one line) for one of pydantic's errors (``ValidationError.errors()``)
    of the mapping ``raw``, a hint in it written as the value's source writes it
    (``overrides.written``): an override's form for a key one of ``overrides`` set, a config
    file's line for another (None: ``raw`` is overrides alone, every value an override's)."""
    loc = tuple(err["loc"])
    kind = err["type"]
    key = ".".join(str(p) for p in loc) or "config"
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
        return key, f"{key}: expected a mapping of keys, got {given(err.get('input'))}"
    if kind == "missing":
        return key, f"{key}: required key is missing"
    if kind == "list_type" and isinstance(err.get("input"), str | int | float | None):
        said = err["input"]  # (model.hidden=100,100: a list is written in brackets; none, [])
        text = "" if said is None or str(said).lower() == "none" else spelled(said)
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
        if (
            key in VARIANT_FIELDS
            and isinstance(name := err.get("input"), str)
            and name in variants(key)
        ):
            by_name = written(f"{key}.name", name, True) if override else f"{key}: {{name: {name}}}"
            text += f" (by name: {by_name})"  # (optimizer: adam; it gave both forms)
        return key, text
    if kind == "string_pattern_mismatch":  # (name: my run said the regular expression)
        return key, f"{key}: expected {NAME_WORDS}, got {given(err.get('input'))}"
    if kind == "int_from_float":  # (pydantic's own says "got a number with a fractional part")
        msg = "Input should be a whole number"
    if kind == "int_parsing" and (digits := in_digits(err.get("input"))) is not None:
        return key, f"{key}: {digits}"
    return key, f"{key}: {msg[0].lower() + msg[1:]}, got {given(err.get('input'))}"
