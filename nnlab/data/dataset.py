"""A loaded dataset and how it is made from a source: carving splits, then normalising.

A source module (digits, mnist, hdf5, synthetic) returns a ``Source``: a training pool, an
optional separate test set and the factor that maps its raw values to [0, 1]. ``make_dataset``
turns it into a ``Dataset``:

1. the test split is the source's test set (``n_test`` of it, or all when ``n_test`` is null),
   or, when the source has none, the first ``n_test`` samples of a permutation of the pool
   (``n_test`` null: what ``n_val`` and ``n_train`` leave, or a fifth of the pool when
   ``n_train`` is null too, so every dataset has a test split by default);
2. the next ``n_val`` samples of the permutation are the validation split;
3. the next ``n_train`` samples (null: all the rest) are the training split.

The permutations come from ``split_seed`` alone (never the run seed), so every run and sweep
trial on the same dataset config sees the same samples, and the test and validation splits do not
move when ``n_train`` changes. Indices are disjoint, so no sample is in two splits.

Before carving, ``check_source`` checks what every source must deliver (numbers, all finite,
integer labels in 0..C-1, as many labels as samples, no empty set, one feature count); after
normalising, that the values still fit the run's dtype. Each failure is a DataError naming the
file (or generator) the bad array came from. The checks only read: valid data loads unchanged.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np

from nnlab.errors import ConfigError, DataError
from nnlab.numbers import count_text
from nnlab.output import counted, verb

SPLIT_NAMES = ("train", "val", "test")
HELD_OUT = 5
"""A source without a test set, with ``n_test`` and ``n_train`` null, holds out 1/HELD_OUT."""

Arrays = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Source:
    """Raw data as a source provides it, before splitting and normalising.

    ``pool``: (X (N, D), y (N,) int64) to carve train/val (and test, if ``test`` is None) from.
    ``scale``: what ``normalize: scale`` divides by (255 for uint8 images, 16 for digits,
    1 for data that has no natural range, such as the synthetic sets).
    ``origin``: which files were read (or how the data was made), for ``Dataset.source``.
    ``pool_from`` / ``test_from``: where X and y of the pool / test set came from, as an error
    names them (a file, ``file: dataset 'key'``, a generator); empty: "<name> pool" etc.
    """

    name: str
    pool: Arrays
    test: Arrays | None
    n_classes: int
    scale: float
    origin: str
    pool_from: tuple[str, str] = ("", "")
    test_from: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class Dataset:
    """Splits ready for training: X (N, D) contiguous in the run's dtype, y (N,) int64 in 0..C-1.

    ``splits`` holds "train" and, when non-empty, "val" and "test". ``source`` says where the data
    came from and how it was split and normalised.
    """

    name: str
    splits: dict[str, Arrays]
    n_classes: int
    input_dim: int
    source: str

    def split(self, name: str) -> Arrays:
        """(X, y) of split ``name``, or a ConfigError naming the split when it is absent/empty."""
        if name not in SPLIT_NAMES:
            raise ConfigError(f"unknown split {name!r}; expected one of {', '.join(SPLIT_NAMES)}")
        if name not in self.splits or len(self.splits[name][1]) == 0:
            key = {"train": "n_train", "val": "n_val", "test": "n_test"}[name]
            have = ", ".join(self.splits) or "none"
            raise ConfigError(
                f"dataset {self.name!r} has no {name!r} split (set dataset.{key} > 0; "
                f"splits present: {have})"
            )
        return self.splits[name]

    def sizes(self) -> dict[str, int]:
        """Number of samples per split, e.g. {"train": 1000, "test": 297}."""
        return {k: len(y) for k, (_, y) in self.splits.items()}

    @functools.cached_property
    def digest(self) -> str:
        """A fingerprint of the splits' numbers (SHA-256 of every split's name, shape, dtype
        and bytes; 16 hex digits): equal for the same data, carved and cast the same way.
        A run's meta.json records it (``data_digest``), so that a resume can tell that it
        reads the data the run began with, wherever that data now lives (``runs.check_data``).
        About 6 ms for the 3,000 float32 images of configs/mnist-1000.yaml."""
        h = hashlib.sha256()
        for name, (X, y) in sorted(self.splits.items()):
            for part in (X, y):
                h.update(f"{name} {part.shape} {part.dtype.str};".encode())
                h.update(np.ascontiguousarray(part).data)
        return h.hexdigest()[:16]


def make_dataset(src: Source, cfg, dtype: str = "float32") -> Dataset:
    """Check ``src``, carve it into splits as ``cfg`` (a DatasetBase) asks, normalise, cast."""
    check_source(src)
    raw = carve_splits(src, cfg)
    splits, how = normalize(raw, cfg.normalize, src.scale, np.dtype(dtype))
    check_fits(splits, src, how)
    sizes = ", ".join(f"{k} {count_text(len(y))}" for k, (_, y) in splits.items())
    return Dataset(
        name=src.name,
        splits=splits,
        n_classes=src.n_classes,
        input_dim=int(src.pool[0].shape[1]),
        source=f"{src.origin}; split_seed {cfg.split_seed}: {sizes}; normalize {how}",
    )


def check_source(src: Source) -> None:
    """DataError unless the pool and test set are sound: what every source must deliver.

    X (N, D) of numbers, all finite; y (N,) integer-valued in 0..n_classes-1; N > 0; the test
    set has the pool's D. The message names the file (``Source.pool_from``/``test_from``).
    """
    parts = {"pool": (src.pool, src.pool_from)}
    if src.test is not None:
        parts["test"] = (src.test, src.test_from)
    for part, ((X, y), (x_from, y_from)) in parts.items():
        x_from = x_from or f"{src.name} {part}"
        y_from = y_from or f"{src.name} {part} labels"
        if X.ndim != 2 or y.ndim != 1:
            raise DataError(
                f"{x_from}: features of shape {X.shape} and labels of shape {y.shape}; "
                "expected (N, D) and (N,)"
            )
        if len(X) != len(y):
            raise DataError(
                f"{x_from}: {counted(len(X), 'sample')} but {y_from} has {counted(len(y), 'label')}"
            )
        if len(y) == 0:
            raise DataError(f"{x_from}: no samples; expected at least one")
        if X.dtype.kind not in "biuf":
            raise DataError(f"{x_from}: values are {describe_dtype(X.dtype)}; expected numbers")
        n_bad, first = count_nonfinite(X)
        if n_bad:
            raise DataError(
                f"{x_from}: {n_bad} of {counted(X.size, 'value')} {verb(n_bad, 'is', 'are')} not "
                f"finite (NaN or inf), the first in sample {first}; expected finite numbers"
            )
        check_labels(y, src.n_classes, y_from)
    if src.test is not None and src.test[0].shape[1] != src.pool[0].shape[1]:
        test_from, pool_from = (
            src.test_from[0] or f"{src.name} test",
            src.pool_from[0] or f"{src.name} pool",
        )
        raise DataError(
            f"{test_from}: {counted(src.test[0].shape[1], 'feature')} per sample but {pool_from} has "
            f"{src.pool[0].shape[1]}; expected the same"
        )


def bad_labels(y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """The mask of labels that are not integer class indices (in 0..n_classes-1, or >= 0)."""
    bad = y < 0 if n_classes is None else (y < 0) | (y >= n_classes)
    if y.dtype.kind == "f":
        bad |= ~np.isfinite(y) | (y != np.round(y))
    return bad


def check_labels(y: np.ndarray, n_classes: int, where: str) -> None:
    """DataError unless every label in ``y`` is an integer in 0..n_classes-1."""
    if y.dtype.kind not in "biuf":
        raise DataError(
            f"{where}: labels are {describe_dtype(y.dtype)}; expected integer class indices"
        )
    bad = bad_labels(y, n_classes)
    if bad.any():
        i, n_bad = int(np.argmax(bad)), int(bad.sum())
        raise DataError(
            f"{where}: {n_bad} of {counted(len(y), 'label')} {verb(n_bad, 'is', 'are')} not "
            f"class indices 0..{n_classes - 1} "
            f"(the first is {y[i].item()!r}, sample {i}); expected integers in 0..{n_classes - 1}"
        )


def describe_dtype(dtype: np.dtype) -> str:
    """What values of ``dtype`` are, for a message: "byte strings (dtype S7)" (no '|')."""
    kinds = {"S": "byte strings", "U": "strings", "O": "Python objects", "V": "records"}
    kinds.update({"c": "complex numbers", "M": "dates", "m": "time spans"})
    return f"{kinds.get(dtype.kind, 'not numbers')} (dtype {dtype.str.lstrip('|<>=')})"


def count_nonfinite(x: np.ndarray) -> tuple[int, int]:
    """(how many values of ``x`` (N, D) are NaN or inf, the first sample holding one); (0, -1).

    Integer data is always finite. For floats, a sum in float64 is finite exactly when every
    value is (a NaN or inf propagates, and float32 values cannot overflow it), so the count is
    only made when the sum is not finite: no full-size temporary for the common case.
    """
    if x.dtype.kind != "f":
        return 0, -1
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing sum only means "count"
        if np.isfinite(np.sum(x, dtype=np.float64)):
            return 0, -1
    bad = ~np.isfinite(x)
    n_bad = int(bad.sum())
    return n_bad, int(np.argmax(bad.any(axis=1))) if n_bad else -1


def check_fits(splits: dict[str, Arrays], src: Source, how: str) -> None:
    """DataError if normalising into the run's dtype made a value inf (finite data too large)."""
    for name, (x, _) in splits.items():
        n_bad, _ = count_nonfinite(x)
        if n_bad:
            where = (src.test_from if name == "test" and src.test is not None else src.pool_from)[0]
            raise DataError(
                f"{where or src.name}: {n_bad} of {counted(x.size, 'value')} of the {name} split "
                f"{verb(n_bad, 'does', 'do')} not fit {x.dtype} after normalize {how}; expected magnitudes below "
                f"{np.finfo(x.dtype).max:.3g}: rescale the data or use dtype: float64"
            )


def carve_splits(src: Source, cfg) -> dict[str, Arrays]:
    """Train/val/test (X, y) from the source, sized by ``cfg.n_train/n_val/n_test``."""
    seeds = np.random.SeedSequence(cfg.split_seed).spawn(2)
    pool_rng, test_rng = (np.random.default_rng(s) for s in seeds)
    X, y = src.pool
    n_pool, n_val, n_train = len(y), cfg.n_val, cfg.n_train
    out: dict[str, Arrays] = {}

    if src.test is not None:  # a separate test set: take n_test of it (null: all)
        out["test"] = _take_test(src, cfg.n_test, test_rng)
        n_test = 0
    elif cfg.n_test is not None:
        n_test = cfg.n_test
    elif n_train is None:  # no test set, n_test and n_train null: hold out a fifth of the pool
        n_test = max(n_pool // HELD_OUT, 1)
    else:  # no test set and n_test null: the test split is what n_val and n_train leave
        n_test = max(n_pool - n_val - n_train, 0)

    asked = n_test + n_val + (n_train or 0)
    if asked > n_pool or (n_train is None and asked >= n_pool):
        parts = f"n_test {n_test} + n_val {n_val} + n_train {n_train or 'rest'}"
        need = f"{asked}" if n_train is not None else f"more than {asked}"
        raise ConfigError(
            f"dataset.n_train/n_val/n_test: {parts} needs {counted(need, 'sample')} but {src.name}'s "
            f"{'training pool' if src.test is not None else 'data'} has {n_pool}"
        )
    if n_train is None:
        n_train = n_pool - n_test - n_val

    perm = pool_rng.permutation(n_pool)
    cuts = {"test": perm[:n_test], "val": perm[n_test : n_test + n_val]}
    cuts["train"] = perm[n_test + n_val : n_test + n_val + n_train]
    for name, idx in cuts.items():
        if len(idx) and name not in out:
            out[name] = (X[idx], y[idx])
    return {k: out[k] for k in SPLIT_NAMES if k in out and len(out[k][1]) > 0}


def _take_test(src: Source, n_test: int | None, rng: np.random.Generator) -> Arrays:
    Xt, yt = src.test  # type: ignore[misc]
    if n_test is None:
        return Xt, yt
    if n_test > len(yt):
        raise ConfigError(
            f"dataset.n_test: asked for {n_test} test samples but {src.name}'s test set has "
            f"{len(yt)} (set dataset.n_test <= {len(yt)}, or null for all)"
        )
    idx = rng.permutation(len(yt))[:n_test]
    return Xt[idx], yt[idx]


def normalize(
    splits: dict[str, Arrays], how: str, scale: float, dtype: np.dtype
) -> tuple[dict[str, Arrays], str]:
    """Apply ``how`` (none | scale | standardize) to every split; statistics from "train" only.

    ``scale`` divides by the source's ``scale``; ``standardize`` subtracts the training split's
    per-feature mean and divides by its std (population std, computed in float64; std 0 -> 1).
    Returns the splits (X contiguous in ``dtype``, y int64) and a short description.
    Arithmetic happens in ``dtype``, so a float32 MNIST never needs a float64 copy.
    """
    if how == "scale":
        shift, div = np.zeros(1), np.array([scale], dtype=np.float64)
        desc = f"scale (x / {scale:g})" if scale != 1 else "scale (identity: no natural range)"
    elif how == "standardize":
        shift, div = train_mean_std(splits["train"][0])
        desc = "standardize (train mean/std)"
    elif how == "none":
        shift, div = np.zeros(1), np.ones(1)
        desc = "none"
    else:
        raise ConfigError(
            f"dataset.normalize: unknown {how!r}; expected none, scale or standardize"
        )
    shift, div = shift.astype(dtype), div.astype(dtype)
    out = {}
    for k, (x, y) in splits.items():
        with np.errstate(over="ignore"):  # values too large for dtype: check_fits reports them
            xd = np.array(x, dtype=dtype, order="C")  # always a copy: callers own their arrays
            if how != "none":
                xd -= shift
                xd /= div
        out[k] = (xd, np.ascontiguousarray(y, dtype=np.int64))
    return out, desc


def train_mean_std(x: np.ndarray, chunk: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and std of ``x`` in float64 (two passes, in row chunks); std 0 -> 1."""
    n = len(x)
    total = np.zeros(x.shape[1])
    for i in range(0, n, chunk):
        total += x[i : i + chunk].sum(axis=0, dtype=np.float64)
    mean = total / n
    sq = np.zeros(x.shape[1])
    for i in range(0, n, chunk):
        sq += ((x[i : i + chunk].astype(np.float64) - mean) ** 2).sum(axis=0)
    std = np.sqrt(sq / n)
    std[std == 0] = 1.0
    return mean, std
