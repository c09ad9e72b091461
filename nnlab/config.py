"""The experiment config: a pydantic schema, YAML loading and Hydra-style dotted overrides.

The schema is the documentation: every key, its type, its default. Models are frozen and reject
unknown keys; validation errors become one line that names the key (with a "did you mean"
suggestion for typos) and what was expected.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nnlab.errors import ConfigError

SPLITS = ("train", "val", "test")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------------------- datasets
class DatasetBase(Strict):
    """Split sizes and preprocessing, common to every dataset.

    ``n_train``/``n_val``/``n_test`` take that many samples (``null``: all that are left).
    The split is drawn with ``split_seed`` (not the run seed), so every run and sweep trial on the
    same dataset config sees the same samples. ``normalize``: ``scale`` maps pixel values to
    [0, 1] (x / 255 for MNIST and HDF5 images, x / 16 for digits), ``standardize`` subtracts the
    training split's per-feature mean and divides by its std, ``none`` leaves data as stored.
    """

    n_train: Annotated[int, Field(gt=0)] | None = None
    n_val: Annotated[int, Field(ge=0)] = 0
    n_test: Annotated[int, Field(ge=0)] | None = None
    normalize: Literal["none", "scale", "standardize"] = "scale"
    split_seed: Annotated[int, Field(ge=0)] = 0


class DigitsData(DatasetBase):
    """The 8x8 handwritten digits bundled with scikit-learn (1,797 images, 10 classes)."""

    name: Literal["digits"] = "digits"
    n_test: Annotated[int, Field(ge=0)] | None = 297


class MnistData(DatasetBase):
    """MNIST from IDX files under ``<data-dir>/mnist`` (gzipped or not).

    With ``train-*`` files present the training pool is the 60,000 training images and the test
    split comes from ``t10k-*``; with only the ``t10k`` pair, all splits are carved from it.
    """

    name: Literal["mnist"] = "mnist"
    n_test: Annotated[int, Field(ge=0)] | None = 2000


class Hdf5Data(DatasetBase):
    """Images and labels from HDF5 files (the deeplearning.ai cat-vs-noncat layout by default).

    Relative paths are looked up under the data dir. Images are flattened to (N, H*W*C).
    """

    name: Literal["hdf5"] = "hdf5"
    train_file: str
    test_file: str | None = None
    train_x: str = "train_set_x"
    train_y: str = "train_set_y"
    test_x: str = "test_set_x"
    test_y: str = "test_set_y"


class SpiralData(DatasetBase):
    """cs231n's spiral: ``n_classes`` interleaved arms of ``n_per_class`` 2-D points."""

    name: Literal["spiral"] = "spiral"
    n_per_class: Annotated[int, Field(gt=0)] = 100
    n_classes: Annotated[int, Field(ge=2)] = 3
    noise: Annotated[float, Field(ge=0)] = 0.2
    normalize: Literal["none", "scale", "standardize"] = "none"
    n_test: Annotated[int, Field(ge=0)] | None = 0


class BlobsData(DatasetBase):
    """Gaussian blobs: ``n_classes`` clusters of ``n_per_class`` points in ``dim`` dimensions."""

    name: Literal["blobs"] = "blobs"
    n_per_class: Annotated[int, Field(gt=0)] = 100
    n_classes: Annotated[int, Field(ge=2)] = 3
    dim: Annotated[int, Field(gt=0)] = 2
    spread: Annotated[float, Field(gt=0)] = 1.0
    normalize: Literal["none", "scale", "standardize"] = "none"
    n_test: Annotated[int, Field(ge=0)] | None = 0


DatasetConfig = Annotated[
    DigitsData | MnistData | Hdf5Data | SpiralData | BlobsData, Field(discriminator="name")
]


# ----------------------------------------------------------------------------- optimizers
class SGDConfig(Strict):
    """w <- w - lr * g"""

    name: Literal["sgd"] = "sgd"
    lr: Annotated[float, Field(gt=0)] = 0.01


class MomentumConfig(Strict):
    """v <- momentum * v + g; w <- w - lr * v (torch.optim.SGD with momentum)"""

    name: Literal["momentum"] = "momentum"
    lr: Annotated[float, Field(gt=0)] = 0.01
    momentum: Annotated[float, Field(ge=0, lt=1)] = 0.9


class NesterovConfig(Strict):
    """v <- momentum * v + g; w <- w - lr * (g + momentum * v)"""

    name: Literal["nesterov"] = "nesterov"
    lr: Annotated[float, Field(gt=0)] = 0.01
    momentum: Annotated[float, Field(ge=0, lt=1)] = 0.9


class AdaGradConfig(Strict):
    """h <- h + g^2; w <- w - lr * g / (sqrt(h) + eps)"""

    name: Literal["adagrad"] = "adagrad"
    lr: Annotated[float, Field(gt=0)] = 0.01
    eps: Annotated[float, Field(gt=0)] = 1e-10


class RMSPropConfig(Strict):
    """h <- alpha * h + (1 - alpha) * g^2; w <- w - lr * g / (sqrt(h) + eps)"""

    name: Literal["rmsprop"] = "rmsprop"
    lr: Annotated[float, Field(gt=0)] = 0.01
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.99
    eps: Annotated[float, Field(gt=0)] = 1e-8


class AdamConfig(Strict):
    """Adam with bias correction, eps outside the square root (torch.optim.Adam)"""

    name: Literal["adam"] = "adam"
    lr: Annotated[float, Field(gt=0)] = 0.001
    beta1: Annotated[float, Field(ge=0, lt=1)] = 0.9
    beta2: Annotated[float, Field(ge=0, lt=1)] = 0.999
    eps: Annotated[float, Field(gt=0)] = 1e-8


OptimizerConfig = Annotated[
    SGDConfig | MomentumConfig | NesterovConfig | AdaGradConfig | RMSPropConfig | AdamConfig,
    Field(discriminator="name"),
]


def optimizer_hyperparameters(opt: BaseModel) -> dict[str, float]:
    """The optimizer config's hyperparameters (everything but ``name``) as constructor kwargs."""
    return {k: v for k, v in opt.model_dump().items() if k != "name"}


# ----------------------------------------------------------------------------- model, run
class ModelConfig(Strict):
    """An MLP: Affine -> [BatchNorm] -> activation -> [Dropout] per hidden layer, then Affine."""

    hidden: list[Annotated[int, Field(gt=0)]] = [100]
    activation: Literal["relu", "sigmoid", "tanh"] = "relu"
    init: Literal["zeros", "std", "xavier", "glorot", "he"] = "he"
    init_std: Annotated[float, Field(ge=0)] = 0.01
    batchnorm: bool = False
    dropout: Annotated[float, Field(ge=0, lt=1)] = 0.0


class Config(Strict):
    """One training run. Every key has a default; a YAML file names only what it changes."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=64)] = "run"
    seed: Annotated[int, Field(ge=0)] = 0
    dtype: Literal["float32", "float64"] = "float32"
    dataset: DatasetConfig = DigitsData()
    model: ModelConfig = ModelConfig()
    loss: Literal["softmax_ce", "svm", "bce"] = "softmax_ce"
    optimizer: OptimizerConfig = SGDConfig(lr=0.1)
    weight_decay: Annotated[float, Field(ge=0)] = 0.0
    batch_size: Annotated[int, Field(gt=0)] | Literal["full"] = 100
    epochs: Annotated[int, Field(ge=0)] = 10
    eval: list[Literal["train", "val", "test"]] = ["train", "test"]
    eval_batch_size: Annotated[int, Field(gt=0)] = 10000

    @model_validator(mode="after")
    def _check(self) -> Config:
        if "val" in self.eval and self.dataset.n_val == 0:
            raise ValueError("eval: 'val' is listed but dataset.n_val is 0")
        if len(set(self.eval)) != len(self.eval):
            raise ValueError("eval: a split is listed twice")
        return self


# ----------------------------------------------------------------------------- loading
def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping from ``path`` (safe_load), or a ConfigError naming the path and line."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: config file not found")
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder, expected a YAML config file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}:{where}: malformed YAML: {problem}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file, expected YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    return data


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"optimizer.lr=0.1"`` -> (["optimizer", "lr"], 0.1); the value is parsed as a YAML scalar."""
    key, sep, raw = text.partition("=")
    parts = key.strip().split(".")
    if not sep or not key.strip() or any(not p.strip() for p in parts):
        raise ConfigError(f"override {text!r}: expected key.sub=value (e.g. optimizer.lr=0.1)")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        raise ConfigError(f"override {text!r}: the value {raw!r} is not valid YAML") from None
    return [p.strip() for p in parts], value


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """A copy of ``raw`` with each ``key.sub=value`` override set (creating mappings as needed).

    ``optimizer`` and ``dataset`` are choices among variants: an override into one the file does
    not set starts from the default (``optimizer.lr=0.5`` tunes the default SGD), and switching
    the variant (``optimizer.name=adam``) starts afresh from the new variant's defaults, since
    the old one's keys (e.g. ``momentum``) may not exist there. Switches are applied first, so
    ``optimizer.lr=0.001 optimizer.name=adam`` keeps the lr whatever the order.
    """
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
                raise ConfigError(f"override {text!r}: {where} is a value, not a mapping of keys")
            node = child
        node[parts[-1]] = value
    return out


def _is_variant_switch(parts: list[str]) -> bool:
    return len(parts) == 2 and parts[0] in _UNION_FIELDS and parts[1] == "name"


def _default_variant(key: str) -> dict[str, Any]:
    """The default mapping of a top-level union key (``{}`` for any other key)."""
    if key not in _UNION_FIELDS:
        return {}
    return Config.model_fields[key].default.model_dump(mode="json")


def validate(raw: dict[str, Any], source: str = "config") -> Config:
    """Validate a raw mapping into a Config, or raise a one-line ConfigError naming the key."""
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_error(exc)}") from None


def load_config(path: Path | None, overrides: list[str] | None = None) -> Config:
    """Read ``path`` (or start from the defaults), apply overrides, validate."""
    raw = read_yaml(path) if path is not None else {}
    if "sweep" in raw:
        raise ConfigError(
            f"{path}: has a 'sweep:' section, so it describes a sweep, not one run; "
            f"run it with 'nnlab sweep run {path}'"
        )
    raw = apply_overrides(raw, list(overrides or []))
    return validate(raw, source=str(path) if path is not None else "config")


def to_yaml(cfg: Config) -> str:
    """The resolved config as YAML (every key, defaults filled in), loadable by ``load_config``."""
    data = cfg.model_dump(mode="json")
    for key in _UNION_FIELDS:  # the discriminating name first, for the reader
        data[key] = {"name": data[key].pop("name"), **data[key]}
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)


def config_hash(cfg: Config | dict[str, Any], length: int = 8) -> str:
    """A short stable hash of the resolved config (keys sorted), for ids."""
    data = cfg.model_dump(mode="json") if isinstance(cfg, BaseModel) else cfg
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


# ----------------------------------------------------------------------------- errors
_UNION_FIELDS = {"optimizer": OptimizerConfig, "dataset": DatasetConfig}
VARIANT_FIELDS = tuple(_UNION_FIELDS)  # keys whose mapping is one of several, by its name


def variants(key: str) -> dict[str, type[BaseModel]]:
    """The models a variant key (``dataset``, ``optimizer``) may hold, by name."""
    return _variants(_UNION_FIELDS[key])


def is_config_key(key: str) -> bool:
    """``key`` (dotted) names a key of the schema (of any variant)."""
    head, _, rest = key.partition(".")
    if head in _UNION_FIELDS:
        return not rest or any(rest in m.model_fields for m in variants(head).values())
    field = Config.model_fields.get(head)
    if field is None:
        return False
    annotation = field.annotation
    if rest and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return rest in annotation.model_fields
    return not rest


def _variants(annotation: Any) -> dict[str, type[BaseModel]]:
    """Tag -> model class for a discriminated-union annotation."""
    args = get_args(annotation)
    union = args[0] if get_origin(annotation) is Annotated else annotation
    out = {}
    for cls in get_args(union):
        tag = get_args(cls.model_fields["name"].annotation)[0]
        out[tag] = cls
    return out


def _walk(loc: tuple[Any, ...]) -> tuple[list[str], type[BaseModel] | None]:
    """Dotted path parts for a pydantic error location, and the model class at its parent."""
    parts: list[str] = []
    model: type[BaseModel] | None = Config
    i = 0
    while i < len(loc):
        item = loc[i]
        if isinstance(item, int):
            parts.append(str(item))
            model = None
            i += 1
            continue
        parts.append(str(item))
        if model is None or item not in model.model_fields:
            i += 1
            continue
        annotation = model.model_fields[item].annotation
        if model is Config and item in _UNION_FIELDS:
            variants = _variants(_UNION_FIELDS[item])
            if i + 1 < len(loc) and loc[i + 1] in variants:
                model = variants[loc[i + 1]]
                i += 2
                continue
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
        i += 1
    return parts, model


def _parent_model(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    _, model = _walk(loc[:-1]) if len(loc) > 1 else ([], Config)
    return model


def describe_error(exc: ValidationError) -> str:
    """One line for the first (most useful) validation error."""
    errors = exc.errors()
    err = errors[0]
    loc = tuple(err["loc"])
    kind = err["type"]
    # an int-or-literal field reports one error per union member: say it once.
    if loc and loc[0] == "batch_size":
        return f"batch_size: expected a positive integer or 'full', got {err.get('input')!r}"
    if kind == "extra_forbidden":
        parent = _parent_model(loc)
        parts, _ = _walk(loc)
        key = ".".join(parts)
        hint = ""
        if parent is not None:
            fields = list(parent.model_fields)
            close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
            if close:
                hint = f" (did you mean {'.'.join([*parts[:-1], close[0]])!r}?)"
            else:
                hint = f"; valid keys here: {', '.join(fields)}"
        return f"unknown key {key!r}{hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        parts, _ = _walk(loc)
        field = parts[0] if parts else "?"
        tags = list(_variants(_UNION_FIELDS[field])) if field in _UNION_FIELDS else []
        given = err.get("ctx", {}).get("tag")
        if kind == "union_tag_not_found":
            return f"{field}.name: missing; expected one of {', '.join(tags)}"
        close = difflib.get_close_matches(str(given), tags, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{field}.name: unknown {given!r}{hint}; expected one of {', '.join(tags)}"
    if kind == "model_type" or kind == "model_attributes_type":
        parts, _ = _walk(loc)
        return (
            f"{'.'.join(parts) or 'config'}: expected a mapping of keys, got {err.get('input')!r}"
        )
    parts, _ = _walk(loc)
    key = ".".join(parts) if parts else "config"
    if kind == "missing":
        return f"{key}: required key is missing"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    return f"{key}: {msg[0].lower() + msg[1:]}, got {err.get('input')!r}"
