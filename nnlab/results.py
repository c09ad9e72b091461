"""What the JSON files of a run folder that hold its results may hold, key by key: its
``summary.json`` (every kind of folder's) and the result file of a folder of a kind that
writes one instead (compare-optimizers' ``result.json``, ``gradcheck --compare-differences``'
``differences.json``). ``summary_problem`` is the check ``RunDir.summary`` makes,
``result_problem`` the one ``RunDir.result`` makes, so that every reader (``runs list``,
``runs show``, ``runs compare``, the report) gives the same verdict. (``nnlab.rundir``
re-exports both.)
"""

from __future__ import annotations

from typing import Any

from nnlab.kinds import (
    ACCURACY,
    COUNT,
    EPOCHS,
    LOSS,
    NONNEGATIVE,
    NUMBER,
    RECORD_KEYS,
    STACKED,
    STALE,
    STATUSES,
    TEXT,
    Kind,
    by_suffix,
    number,
    scalar,
    show,
    whole,
)

# -- summary.json's values by kind -----------------------------------------------------------
# What a summary.json may hold: every key nnlab's writers put there (train, sweep, tune,
# lr-scan, landscape, activations) and the kind of value it holds. ``summary_problem`` is the
# check ``RunDir.summary`` makes: a value outside its kind makes the folder DAMAGED, the key
# named, in every command that reads it (an accuracy edited to "high" was listed and shown as
# a result, and made ``runs compare`` crash).
#
# The kinds, and the keys an epoch record holds, are ``nnlab.kinds``'s: the reader of
# metrics.jsonl checks by the same table. Keys are told by name. Train names its metrics for
# the splits a config evaluates (``final_test_acc``, ``best_val_loss``): any key ending in
# ``_acc`` is an accuracy, in ``_loss`` a loss (``kinds.SUFFIXES``); a sweep's rows, a tune's
# top trials and an lr scan's rows and curves reuse those names. Objects and lists under a
# known key (a sweep's ``trials``, a landscape's ``grid``) are checked key by key in turn. A
# key the table does not know (a sweep row's swept ``optimizer.lr``) is not checked, nor
# anything it holds: a config value is the config's.

STATUS = scalar(  # a run's, or a sweep row's (a trial not started, or whose process is gone)
    f"one of {', '.join((*STATUSES, STALE, 'PENDING'))}",
    lambda v: v in (*STATUSES, STALE, "PENDING"),
    null=False,
)
FLAG = scalar("true or false", lambda v: isinstance(v, bool), null=False)


def _object(value: Any, where: str, extra: dict[str, Kind] | None = None) -> str | None:
    """An object whose keys are checked by the table (and ``extra``, keys of its own)."""
    if not isinstance(value, dict):
        return f"{where} is {show(value)}; expected an object"
    return summary_problem(value, f"{where}.", extra)


def _record(value: Any, where: str) -> str | None:
    """An epoch record (an lr scan's curves), its keys of the kinds a metrics.jsonl record's
    are (``kinds.RECORD_KEYS``: its ``loss`` is the objective)."""
    return _object(value, where, RECORD_KEYS)


def _list_of(kind: Kind, what: str) -> Kind:
    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, list):
            return f"{where} is {show(value)}; expected a list of {what}"
        return next(filter(None, (kind(v, f"{where}[{i}]") for i, v in enumerate(value))), None)

    return check


def _map_of(kind: Kind, what: str) -> Kind:
    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} is {show(value)}; expected an object of {what}"
        return next(filter(None, (kind(v, f"{where}.{k}") for k, v in value.items())), None)

    return check


def _by_type(**kinds: Kind) -> Kind:
    """One key, several writers: its kind by the value's type, ``object``, ``list`` or
    ``other`` (anything else)."""
    said = " or ".join({"object": "an object", "list": "a list"}.get(k, "a value") for k in kinds)

    def check(value: Any, where: str) -> str | None:
        name = "object" if type(value) is dict else "list" if type(value) is list else "other"
        kind = kinds.get(name) or kinds.get("other")
        if kind is None:
            return f"{where} is {show(value)}; expected {said}"
        return kind(value, where)

    return check


ROWS = _list_of(_object, "objects")
TEXTS = _list_of(TEXT, "text")
COUNTS = _map_of(COUNT, "counts")
ANY: Kind = lambda value, where: None  # noqa: E731 (a value of several writers' kinds)

SUMMARY_KEYS: dict[str, Kind] = {
    # an epoch record's epoch, lr, seconds and steps, as metrics.jsonl holds them (a train's
    # seconds and steps, an lr scan's lr and epoch); not its loss: a sweep row's "loss" is the
    # swept config value (a loss's name)
    **{key: kind for key, kind in RECORD_KEYS.items() if key != "loss"},
    # train, and a sweep trial's row
    "status": STATUS, "epochs": EPOCHS, "epochs_done": EPOCHS, "resume_seconds": NONNEGATIVE, "trial": TEXT,
    "seed": COUNT, "stacked": STACKED, "error": TEXT, "diverged_epoch": EPOCHS,
    # sweep (and its rows); tune
    "sweep": TEXT, "keys": TEXTS, "counts": COUNTS,
    "trials": _by_type(list=ROWS, object=COUNTS),  # a sweep's rows; a tune's counts
    "metric": TEXT, "rounds": COUNT, "round": COUNT, "rank": COUNT, "top": ROWS,
    "ranges": ROWS, "key": TEXT, "searched": TEXT, "edge": TEXT, "warnings": TEXTS,
    "sweeps": TEXTS, "best": _by_type(object=_object, other=ANY),  # (tune's top trial, a value)
    "proposed": _by_type(object=_map_of(TEXT, "text"), other=TEXT),
    # lr-scan
    "best_step_lr": NONNEGATIVE, "best_train_lr": NONNEGATIVE, "rows": ROWS,
    "curves": _map_of(_list_of(_record, "epoch records"), "lists of epoch records"),
    "step_change": NUMBER, "diverged": TEXT,
    # landscape
    "source": TEXT, "normalize": TEXT, "split": TEXT, "lo": NUMBER, "hi": NUMBER,
    "points": COUNT, "samples": COUNT, "batch": COUNT, "line": _object, "grid": _object,
    "computed": COUNT, "not_finite": COUNT,
    # activations
    "activations": TEXTS, "inits": TEXTS, "layers": COUNT, "units": COUNT,
    "saturation": _map_of(TEXT, "text"), "activation": TEXT, "init": TEXT, "layer": COUNT,
    "mean": NUMBER, "std": NONNEGATIVE, "saturated": ACCURACY, "zero": ACCURACY,
    "dead_units": ACCURACY, "batchnorm": FLAG,
}  # fmt: skip


def summary_kind(key: str, extra: dict[str, Kind] | None = None) -> Kind | None:
    """What ``key`` holds in a summary (None: a key nnlab does not write, left unchecked);
    ``extra``: the keys of the object at hand that hold something else than the table says."""
    if extra and key in extra:
        return extra[key]
    return SUMMARY_KEYS.get(key) or by_suffix(key)  # (final_test_acc, min_loss: kinds.SUFFIXES)


def summary_problem(
    summary: dict[str, Any], prefix: str = "", extra: dict[str, Kind] | None = None
) -> str | None:
    """The first value of ``summary`` outside its key's kind, said as ``key is VALUE; expected
    KIND`` (``trials[1].final_test_acc`` for a nested one); None if every value fits."""
    for key, value in summary.items():
        kind = summary_kind(key, extra)
        found = kind(value, f"{prefix}{key}") if kind is not None else None
        if found is not None:
            return found
    return None


# -- result.json and differences.json --------------------------------------------------------
# What a folder's result file must hold to be read as nnlab wrote it: compare-optimizers'
# result.json (every optimizer's path on a function, or its loss curve on a dataset) and
# gradcheck --compare-differences' differences.json (the error at every step): each key the
# writer puts there, of the kind it writes, and what meta.json recorded of the same run (its
# function, tol, dataset, param), so that a result file copied from another folder shows. A
# result.json of garbage, or an optimizer's path of text, was listed and shown COMPLETED (only
# the report read the file, and showed what it held).

FILES = {"compare-optimizers": "result.json", "gradcheck": "differences.json"}  # by folder kind

NAME = scalar("text", lambda v: isinstance(v, str), null=False)
STEP = scalar("a whole number >= 1 or null", lambda v: whole(v) and v >= 1)
POINT = scalar("a list of finite numbers", lambda v: isinstance(v, list) and all(map(number, v)))
POSITIVE = scalar("a finite number > 0", lambda v: number(v) and v > 0, null=False)
ERROR = NONNEGATIVE  # a relative error (null: not a number, the loss not finite there)
SECONDS = scalar("a finite number >= 0", lambda v: number(v) and v >= 0, null=False)
FINITE = scalar("a finite number", number, null=False)
POINTS = scalar("a list of finite numbers or null", lambda v: POINT(v, "") is None)


def _holding(keys: dict[str, Kind]) -> Kind:
    """An object holding every one of ``keys``, each of its kind (others are left alone)."""

    def check(value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} is {show(value)}; expected an object"
        for key, kind in keys.items():
            if key not in value:
                return f"{where}.{key} is missing; nnlab writes it there"
            found = kind(value[key], f"{where}.{key}")
            if found is not None:
                return found
        return None

    return check


def _finals(value: Any, where: str) -> str | None:
    """A dataset run's final evaluation: losses and accuracies by name (null: it diverged)."""
    if not isinstance(value, dict):
        return f"{where} is {show(value)}; expected an object of final values"
    for key, v in value.items():
        kind = by_suffix(key) or NUMBER
        found = kind(v, f"{where}.{key}")
        if found is not None:
            return found
    return None


def _hyperparameters(value: Any, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is {show(value)}; expected an object of numbers"
    return next(filter(None, (FINITE(v, f"{where}.{k}") for k, v in value.items())), None)


NUMBERS = _list_of(NUMBER, "numbers or null")

PATH_RUN = _holding({
    "optimizer": NAME, "rule": NAME, "hyperparameters": _hyperparameters, "start": POINT,
    "steps": COUNT, "final_point": POINTS,
    "final_value": NUMBER, "steps_to_tol": scalar("a whole number >= 0 or null",
                                                  lambda v: whole(v) and v >= 0),
    "diverged": FLAG, "diverged_at": STEP, "outcome": NAME,
    "path": _list_of(POINT, "points"), "values": NUMBERS,
})  # fmt: skip
DATASET_RUN = _holding({
    "optimizer": NAME, "rule": NAME, "hyperparameters": _hyperparameters,
    "status": scalar("COMPLETED or DIVERGED", lambda v: v in ("COMPLETED", "DIVERGED"), False),
    "diverged": FLAG, "steps": COUNT, "final": _finals, "seconds": SECONDS,
    "losses": NUMBERS, "losses_smoothed": NUMBERS,
})  # fmt: skip

# result.json by its "kind"; differences.json
SHAPES: dict[str, Kind] = {
    "function": _holding({
        "kind": NAME, "function": NAME, "formula": NAME, "minimum": POINTS,
        "tol": POSITIVE, "runs": _list_of(PATH_RUN, "optimizer paths"),
    }),
    "dataset": _holding({
        "kind": NAME, "dataset": NAME, "data_source": NAME, "setup": NAME,
        "config": _holding({}), "iterations": COUNT,
        "runs": _list_of(DATASET_RUN, "optimizer runs"),
    }),
    "differences": _holding({
        "title": NAME, "param": NAME, "shape": _list_of(COUNT, "sizes"), "checked": COUNT,
        "eps": POSITIVE,
        "steps": _list_of(_holding({"step": POSITIVE, "forward": ERROR, "centred": ERROR}),
                          "steps"),
        "best": _holding({m: _holding({"step": POSITIVE, "error": ERROR})
                         for m in ("forward", "centred")}),
        "timing": _holding({
            "param": NAME, "entries": COUNT, "timed": COUNT, "numeric_s": SECONDS,
            "analytic_s": SECONDS, "ratio": NONNEGATIVE, "total_params": COUNT,
            "all_params_numeric_s_estimate": NONNEGATIVE,
        }),
    }),
}  # fmt: skip
# the keys meta.json records of the same run, by the result's shape (the same names)
RECORDED = {
    "function": ("function", "tol"),
    "dataset": ("dataset", "data_source"),
    "differences": ("param",),
}


# What the summary.json of a folder whose table ``runs show`` draws from it holds, by kind (its
# writer writes them all at once, at the end): every key the table is drawn from, of its kind.
# One without them is DAMAGED in every reader, the key named (the table cannot be drawn).
TABLE_KEYS: dict[str, Kind] = {
    "lr-scan": _holding({"initial_loss": LOSS, "epochs": COUNT, "rows": ROWS}),
    "landscape": _holding({
        "normalize": NAME, "lo": FINITE, "hi": FINITE, "points": COUNT, "split": NAME,
        **{part: _holding({"points": COUNT, "computed": COUNT, "not_finite": COUNT,
                           "min_loss": LOSS, "max_loss": LOSS})
           for part in ("line", "grid")},
    }),
    "activations": _holding({"layers": COUNT, "units": COUNT, "samples": COUNT, "rows": ROWS}),
}  # fmt: skip


def table_problem(kind: str, summary: dict[str, Any]) -> str | None:
    """What a summary.json of ``kind`` (not empty: a folder that has written one) lacks of
    what its table is drawn from (``TABLE_KEYS``); None if nothing, or its kind has no such."""
    shape = TABLE_KEYS.get(kind)
    found = shape(summary, "") if shape is not None and summary else None
    return found.lstrip(".") if found is not None else None


def result_problem(kind: str, data: Any, meta: dict[str, Any]) -> str | None:
    """What is wrong with the result file of a folder of ``kind`` holding ``data`` (see the
    module's docstring), said as ``key is VALUE; expected KIND``; None if nothing."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {show(data)}"
    shape = "differences" if kind == "gradcheck" else data.get("kind")
    if shape not in SHAPES or (kind == "gradcheck") != (shape == "differences"):
        return f"kind is {show(data.get('kind'))}; expected 'function' or 'dataset'"
    found = SHAPES[shape](data, "")
    if found is not None:
        return found.lstrip(".")
    for key in RECORDED[shape]:
        if key in meta and meta[key] is not None and data[key] != meta[key]:
            return (
                f"{key} is {show(data[key])}, but meta.json says this run's {key} is "
                f"{show(meta[key])} (copied from another folder?)"
            )
    return None
