"""The kinds of value nnlab writes into a run folder, each stated once: an accuracy is a number
in [0, 1], a loss a finite number >= 0, a count a whole number >= 0, ... and which key of an
epoch record holds which. The reader of ``metrics.jsonl`` (``fileio.read_records``) and the
reader of ``summary.json`` (``rundir.RunDir.summary``, whose ``results.SUMMARY_KEYS`` adds the keys only
a summary holds) both check values here, so that a value one of them refuses the other refuses
too, in the same words. (A value's kind, not a folder's: that is ``rundir.KINDS``.)

A kind is a function ``(value, where) -> what is wrong, or None``: ``where`` names the value
(``final_test_acc``, ``trials[1].final_test_acc``, ``metrics.jsonl: line 3: 'train_acc'``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeGuard

from nnlab import times
from nnlab.output import brief

Kind = Callable[[Any, str], "str | None"]  # (value, its key path) -> what is wrong, or None
# meta.json's statuses (``rundir``'s), and the read-time one of a RUNNING folder whose process
# is gone (``rundir.status_of``)
STATUSES = ("RUNNING", "COMPLETED", "DIVERGED", "FAILED", "INTERRUPTED")
STALE = "STALE"
MAX_SEED = 2**32 - 1  # the largest seed a config, --seed or a recorded plan may hold


def number(v: Any) -> bool:
    """A finite number (not a bool; not an integer past a float's range, which nnlab never
    writes and which breaks every reader that does arithmetic on it or formats it)."""
    if not isinstance(v, int | float) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # (an integer of 309 digits or more)
        return False


def whole(v: Any) -> TypeGuard[int]:
    """A whole number (an int, not a bool) that is a ``number``: a count of 400 digits made
    ``report`` crash converting it to a float."""
    return isinstance(v, int) and number(v)


def show(value: Any) -> str:
    """``value`` as a message shows it: its repr, cut to 40 characters (``output.brief``)."""
    return brief(repr(value), 40)


def scalar(expected: str, fits: Callable[[Any], bool], null: bool = True) -> Kind:
    """A value that ``fits`` (or null, where ``null``)."""
    said = f"{expected} or null" if null else expected

    def check(value: Any, where: str) -> str | None:
        if (value is None and null) or (value is not None and fits(value)):
            return None
        return f"{where} is {show(value)}; expected {said}"

    return check


ACCURACY = scalar("a number in [0, 1]", lambda v: number(v) and 0 <= v <= 1)
LOSS = scalar("a finite number >= 0", lambda v: number(v) and v >= 0)  # (and an L2 penalty)
NUMBER = scalar("a finite number", number)
NONNEGATIVE = scalar("a finite number >= 0", lambda v: number(v) and v >= 0)  # seconds, lr
COUNT = scalar("a whole number >= 0", lambda v: whole(v) and v >= 0, null=False)
EPOCHS = scalar("a whole number >= 0", lambda v: whole(v) and v >= 0)  # (none: a PENDING row)
STACKED = scalar("a whole number >= 1", lambda v: whole(v) and v >= 1, null=False)
TEXT = scalar("text", lambda v: isinstance(v, str))

# An epoch record's values (metrics.jsonl; an lr scan's curves in its summary.json): ``loss``
# is the epoch's mean objective (null at epoch 0, or when not finite), ``steps`` the updates so
# far. A summary.json's keys of these names hold the same, ``loss`` aside (see SUMMARY_KEYS).
RECORD_KEYS: dict[str, Kind] = {
    "epoch": COUNT, "loss": LOSS, "lr": NONNEGATIVE, "seconds": NONNEGATIVE, "steps": COUNT,
}  # fmt: skip
# ... and by the end of their names, in a record and a summary alike: train_acc, val_loss,
# final_test_acc, best_val_loss, a landscape's min_loss
SUFFIXES: dict[str, Kind] = {"_acc": ACCURACY, "_loss": LOSS}


def by_suffix(key: str) -> Kind | None:
    """The kind ``key``'s ending says (``SUFFIXES``), None if it says none."""
    return next((kind for end, kind in SUFFIXES.items() if key.endswith(end)), None)


def record_kind(key: str) -> Kind | None:
    """What ``key`` holds in an epoch record; None: a key nnlab does not write there, left
    unchecked."""
    return RECORD_KEYS.get(key) or by_suffix(key)


def _all(fits: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, list) and all(fits(x) for x in v)


TEXTS = scalar("a list of text", _all(lambda x: isinstance(x, str)))
TEXT_VALUES = scalar(
    "an object of text values",
    lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
)
OBJECT = scalar("an object", lambda v: isinstance(v, dict))
OBJECTS = scalar("a list of objects", _all(lambda x: isinstance(x, dict)))
SEED = scalar(f"a whole number from 0 to {MAX_SEED}", lambda v: whole(v) and 0 <= v <= MAX_SEED)
AT_LEAST_ONE = scalar("a whole number >= 1", lambda v: whole(v) and v >= 1)
WHOLE = scalar("a whole number >= 0", lambda v: whole(v) and v >= 0)
# a time as ``fileio.now`` writes it (one without an offset: the oldest folders'): a started of
# 'yesterday' sorted after every time (``latest`` named it for ever), one of 'soon' was shown
TIME = scalar(
    "a time in ISO 8601, as nnlab writes it (2026-01-31T12:00:00.000+00:00)",
    lambda v: times.parsed(v) is not None,
)

# What meta.json's fields hold, every field a writer puts there (``runs.start``'s fields,
# ``Lifecycle.note`` and ``end_as``; null allowed: a field an older version did not fill): a
# value of another kind is damage, said in one line naming the key, for every reader at once
# (``RunDir.meta``). A number where the text was sorted broke `latest`; an argv or a data_dir
# that was no text broke `runs show` and `--resume`; a seed of "abc" or overrides of 5 were
# shown as the run's. ``status`` and ``pid`` are the reader's to check (what they mean).
META_KINDS: dict[str, Kind] = {
    **dict.fromkeys(("run_id", "kind", "name", "pid_started", "host",
                     "config_hash", "plan_hash", "settings_hash", "error", "data_dir",
                     "function", "dataset", "git_commit", "data_source", "data_digest", "source",
                     "extended_from",
                     "source_run", "preset", "executor", "executor_kind", "scheduler", "param",
                     "note", "colour_by"), TEXT),
    **dict.fromkeys(("argv", "axes", "overrides", "activations", "inits", "diverged"), TEXTS),
    **dict.fromkeys(("started", "ended"), TIME),
    "batchnorm": scalar("true or false", lambda v: isinstance(v, bool)),
    "trial": OBJECT, "settings": OBJECT, "recipe": OBJECT, "versions": TEXT_VALUES,
    "resumes": OBJECTS,
    "counts": scalar("an object of counts", lambda v: isinstance(v, dict) and all(
        whole(x) and x >= 0 for x in v.values())),
    "seed": SEED, "epochs_done": EPOCHS, "epochs": EPOCHS, "from_epoch": EPOCHS,
    "stacked": STACKED, "blas_threads": STACKED, "n_trials": AT_LEAST_ONE, "jobs": AT_LEAST_ONE,
    "stack": AT_LEAST_ONE, "layers": AT_LEAST_ONE, "units": AT_LEAST_ONE,
    "samples": AT_LEAST_ONE, "failed_trials": WHOLE, "points_computed_last": WHOLE,
    "largest_product": WHOLE,
    "rates": scalar("a list of numbers > 0", _all(lambda x: number(x) and x > 0)),
    "tol": scalar("a finite number >= 0", lambda v: number(v) and v >= 0),
}  # fmt: skip
