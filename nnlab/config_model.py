"""The config's schema: the pydantic models of a run's config and of its sections, and the
keys they name.

The schema is the documentation: every key, its type, its default, its range, its meaning
(``nnlab config keys`` prints it; ``docs/config.md`` is generated from it). Models are frozen,
reject unknown keys and non-finite numbers. (Reading a config file and overrides into these
models is ``nnlab.config``'s; the one line a validation error becomes, ``nnlab.config_errors``'.)

The names a config may use come from the registries: activations, initialisers, losses and
optimizers from ``nnlab.nn.registry``, datasets from ``nnlab.data.registry``. An optimizer's
keys are its ``hyper`` specs; a dataset's are its class's fields. Registering a new one there
is all the schema needs.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    SerializeAsAny,
    create_model,
    field_validator,
    model_validator,
)

from nnlab.data.registry import DATASETS
from nnlab.nn.optim import Optimizer
from nnlab.nn.registry import ACTIVATIONS, INITS, LOSSES, OPTIMIZERS
from nnlab.schema import (
    MAX_SAMPLES,
    MAX_SEED,
    Choice,
    DatasetBase,
    Strict,
    dtype_problem,
    variant_of,
)

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
    """``nnlab.config_model.<Optimizer>Settings``: made on first use (how pickle finds them)."""
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


# ----------------------------------------------------------------------------- keys
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


def one_value_key(key: str) -> str | None:
    """The key that one value written for ``key`` sets: ``key`` itself, or for a section chosen
    by name (``dataset``, ``optimizer``) its ``name``; None for a section of keys (``model``)."""
    if key in VARIANT_FIELDS:
        return f"{key}.name"
    return None if key in section_models() else key


def section_models() -> dict[str, list[type[BaseModel]]]:
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
        for head, models in section_models().items()
        if any(name in m.model_fields for m in models)
    ]


def key_names() -> set[str]:
    """Every key a config may set: the top-level ones (sections too) and each section's, of
    any variant, dotted (read from the registries now: one registered later is known)."""
    names = set(Config.model_fields)
    for head, models in section_models().items():
        names |= {f"{head}.{key}" for model in models for key in model.model_fields}
    return names


def is_list_key(key: str) -> bool:
    """``key`` (dotted) takes a list (``model.hidden``, ``eval``): a sweep's axis of it is
    lists, ``model.hidden=[100],[200]``, and a run's value one in brackets."""
    head, _, rest = key.partition(".")
    field = Config.model_fields.get(head)
    if field is not None and rest and head not in VARIANT_FIELDS:
        annotation = field.annotation
        inner = (
            annotation.model_fields
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else {}
        )
        field = inner.get(rest)
    elif rest:
        field = None
    return field is not None and get_origin(field.annotation) is list


def is_variant_switch(parts: list[str]) -> bool:
    """The override key ``parts`` (``["optimizer", "name"]``) switches a variant section."""
    return len(parts) == 2 and parts[0] in VARIANT_FIELDS and parts[1] == "name"
