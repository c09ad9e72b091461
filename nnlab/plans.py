"""What sweep.yaml and a tune's tune.json must hold to be read as nnlab wrote them: a
reader (``RunDir.plan``, ``RunDir.rounds``) refuses one edited otherwise, naming the key, before
any folder it names is used (a trial id of '../..' made a resume remove the runs folder), and
what meta.json recorded of them when the folder was made (``content_hash``): an edit shows.
So too a landscape.h5's settings (``landscape_problem``) and a checkpoint's index of arrays
(``array_problem``)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from nnlab.kinds import MAX_SEED, show, whole
from nnlab.results import summary_kind

ROUNDS = "rounds"  # a tune's folder of round sweeps (each a sweep folder with its trials/)
TRIAL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # (a trial's folder under trials/: a plain name)


def plan_problem(data: dict[str, Any], want: Any = None) -> str | None:
    """What is wrong with sweep.yaml's content, None if nothing: its keys of the kinds nnlab
    writes, and each planned trial an object whose ``id`` is a plain folder name (a resume
    removes a failed trial's folder, ``trials/<id>``: an id of '../..' removed the runs folder),
    planned once, with a ``seed`` and a mapping of ``values``; then the plan the sweep was made
    with (``hash_problem``; ``want``: meta.json's ``plan_hash``)."""
    found = _plan_kinds(data)
    if found is not None:
        return found
    return hash_problem(data, want, "plan_hash", "plan this sweep was started with")


def _plan_kinds(data: dict[str, Any]) -> str | None:
    for key, kind, expected in (("name", str, "text"), ("base", dict, "a mapping"),
                                ("spec", dict, "a mapping"), ("trials", list, "a list")):  # fmt: skip
        if key not in data:
            return f"missing key {key!r}"
        if not isinstance(data[key], kind):
            return f"{key} is {show(data[key])}; expected {expected}"
    overrides = data.get("overrides")
    if overrides is not None and not (
        isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)
    ):
        return f"overrides is {show(overrides)}; expected a list of text"
    if data.get("preset") is not None and not isinstance(data["preset"], str):
        return f"preset is {show(data['preset'])}; expected text or null"
    seen: set[str] = set()
    for i, trial in enumerate(data["trials"]):
        where = f"trials[{i}]"
        if not isinstance(trial, dict):
            return f"{where} is {show(trial)}; expected an object with an id, a seed and values"
        tid = trial.get("id")
        if not (isinstance(tid, str) and TRIAL_ID.fullmatch(tid)):
            return (
                f"{where}.id is {show(tid)}; expected a trial id, a folder name under trials/ "
                "(letters, digits, '-' and '_')"
            )
        if tid in seen:
            return f"{where}.id {tid!r} is planned twice"
        seen.add(tid)
        if not (whole(trial.get("seed")) and trial["seed"] >= 0):
            return f"{where}.seed is {show(trial.get('seed'))}; expected a whole number >= 0"
        values = trial.get("values")
        if not (isinstance(values, dict) and all(isinstance(k, str) for k in values)):
            return f"{where}.values is {show(values)}; expected a mapping of config keys to values"
    return None


def rows_problem(summary: dict[str, Any], plan: dict[str, Any] | None) -> str | None:
    """What a sweep's summary.json (``summary``) records of a trial other than its plan
    (sweep.yaml, ``plan``, checked by ``plan_problem``), None if nothing: each row of a
    trial the plan has holds its seed and its swept values as the plan has them, of the same
    kind (the writer puts the plan's values in the row). A rate of "high" where the plan
    swept 0.1, a value JSON reads as another kind than the plan's ("0.1", 1 for 1.0, true
    for 1), was accepted: meta.json's reader checks each field's kind, this reader none."""
    rows = summary.get("trials")
    if not isinstance(rows, list) or not isinstance(plan, dict):
        return None
    planned = {t["id"]: t for t in plan.get("trials") or []}
    for i, row in enumerate(rows):
        trial = planned.get(row.get("trial"))  # (each row an object: ``summary_problem``)
        if trial is None:  # (a trial the plan dropped: its folder is a bad trial of the sweep,
            continue  # 'a trial folder sweep.yaml plans no trial for', not the sweep DAMAGED)
        want = {**trial["values"], "seed": trial["seed"]}
        # (a swept key that names a field of the row, such as epochs, holds what the trial
        # did, set after its values: its kind is the table's, checked by ``summary_problem``)
        swept = [k for k in summary.get("keys") or () if summary_kind(k) is None]
        for key in [*swept, "seed"]:
            if key in row and key in want and _spelled(row[key]) != _spelled(want[key]):
                return (
                    f"trials[{i}].{key} is {show(row[key])}; expected {show(want[key])}, "
                    f"as sweep.yaml plans trial {trial['id']!r}"
                )
    return None


def _spelled(value: Any) -> str:
    """``value`` as JSON spells it, each kind its own way (1, 1.0, "1" and true differ)."""
    return json.dumps(value, sort_keys=True, default=repr)


def round_problem(entry: Any) -> str | None:
    """What is wrong with one entry of tune.json's rounds (``RunDir.rounds``), None if nothing."""
    if not isinstance(entry, dict):
        return f"is {show(entry)}; expected an object"
    if not (whole(entry.get("round")) and entry["round"] >= 1):
        return f"has round {show(entry.get('round'))}; expected a whole number >= 1"
    sweep = entry.get("sweep")
    if sweep is None:
        return None
    head, _, name = sweep.partition("/") if isinstance(sweep, str) else ("", "", "")
    if head != ROUNDS or not name or name.startswith(".") or any(c in name for c in "/\\"):
        return f"has sweep {show(sweep)}; expected a folder directly under {ROUNDS}/"
    return None


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _counts(value: Any) -> bool:
    return whole(value) and value >= 1


# tune.json's settings, key by key: the kind ``tune`` writes there (what the values mean, a
# range or a metric, is the tune's to check when it resumes)
SETTINGS: dict[str, tuple[Any, str]] = {
    "name": (lambda v: isinstance(v, str), "text"),
    "base": (lambda v: isinstance(v, dict), "a config mapping"),
    "ranges": (
        lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
        "an object of ranges (loguniform:LOW:HIGH)",
    ),
    "overrides": (_texts, "a list of text"),
    "rounds": (_counts, "a whole number >= 1"),
    "trials": (_counts, "a whole number >= 1"),
    "top_k": (_counts, "a whole number >= 1"),
    "metric": (lambda v: isinstance(v, str), "text"),
    "seed": (lambda v: whole(v) and 0 <= v <= MAX_SEED, f"a whole number from 0 to {MAX_SEED}"),
}
# (and where it is there: a tune.json of an nnlab before it recorded one has none)
OPTIONAL_SETTINGS: dict[str, tuple[Any, str]] = {
    "val_fraction": (
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1,
        "a fraction in (0, 1)",
    ),
}


def settings_problem(settings: Any, want: Any = None) -> str | None:
    """What is wrong with tune.json's ``settings`` (``RunDir.rounds``), None if nothing: an
    object with every key ``SETTINGS`` lists, each of its kind. Every reader sees it: an
    ``overrides`` of text, a ``ranges`` of numbers or a ``seed`` of -1 were listed as sound,
    and refused by ``tune --resume`` only, if at all (the seed as an 'unexpected' error). Then
    the settings the tune was made with (``hash_problem``; ``want``: meta.json's
    ``settings_hash``): a range or ``top_k`` edited planned the next rounds otherwise."""
    if not isinstance(settings, dict):
        return f"is {show(settings)}; expected an object"
    for key, (fits, expected) in SETTINGS.items():
        if key not in settings:
            return f"has no {key!r}"
        if not fits(settings[key]):
            return f"{key} is {show(settings[key])}; expected {expected}"
    for key, (fits, expected) in OPTIONAL_SETTINGS.items():
        if key in settings and not fits(settings[key]):
            return f"{key} is {show(settings[key])}; expected {expected}"
    return hash_problem(settings, want, "settings_hash", "ones this tune was started with")


def content_hash(data: Any) -> str:
    """A hash of a planning file's content as its reader sees it (canonical JSON: keys sorted),
    which meta.json records when the folder is made (a sweep's ``plan_hash`` of sweep.yaml, a
    tune's ``settings_hash`` of tune.json's settings), as it records the config's hash.
    TypeError or ValueError for content no JSON holds (a YAML date, NaN)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _edited(what: str, got: str, key: str, want: str) -> str | None:
    """What an edit made of a file whose content hashes to ``got`` where meta.json's ``key``
    says ``want`` (None if they agree)."""
    if got == want:
        return None
    return f"not the {what} (its hash is {got}, meta.json's {key} {want}): edited?"


def hash_problem(data: Any, want: Any, key: str, what: str) -> str | None:
    """Why ``data`` (sweep.yaml's, or tune.json's settings) is not the ``what`` the folder was
    made with: its ``content_hash`` is not ``want``, meta.json's ``key``; None if it is, or
    meta.json records none (a folder of an older version). The reader asks (``RunDir.plan``,
    ``RunDir.rounds``), so every command sees it: a swept value or the base config's rate
    edited in sweep.yaml was shown, and resumed, as what the trials ran with."""
    if not isinstance(want, str) or not want:
        return None
    try:
        got = content_hash(data)
    except (TypeError, ValueError) as exc:  # (a YAML date, a NaN: nothing nnlab wrote)
        return f"not the {what} ({exc}): edited?"
    return _edited(what, got, key, want)


def config_problem(data: dict[str, Any], want: Any) -> str | None:
    """Why config.yaml's ``data`` is not the config the run was started with: its hash is not
    ``want``, meta.json's ``config_hash`` (written from the same resolved config, so any edit
    shows); None if it is, or meta.json records none. ``RunDir.config`` asks, so every reader
    of config.yaml sees it (``runs list``, ``show``, ``compare``, the report, ``--resume``,
    ``landscape``): ``runs show`` printed an edited learning rate as the one the run had."""
    from nnlab.config import config_hash  # (with pydantic: loaded when a config is read)

    what = "config this run was started with"
    if not isinstance(want, str) or not want:
        return None
    try:
        got = config_hash(data, len(want))
    except (TypeError, ValueError) as exc:  # (a YAML date or binary: no JSON to hash)
        return f"not the {what} ({exc}): edited?"
    return _edited(what, got, "config_hash", want)


def landscape_problem(attrs: dict[str, Any], meta: dict[str, Any]) -> str | None:
    """Why a landscape.h5's attributes (``landscape_grid.check_landscape``'s) are not the settings,
    source and config hash its folder's meta.json recorded when it made the file (``settings``,
    ``source``, ``config_hash``), None if they are (or meta.json records none of a key). The
    grid's span, its split or how its directions were normalised, edited in the file, was
    shown by the report and resumed as the landscape's."""
    settings = meta.get("settings") or {}
    recorded = {**settings, "source": meta.get("source"), "config_hash": meta.get("config_hash")}
    for key, want in recorded.items():
        if want is not None and key in attrs and attrs[key] != want:
            where = f"settings.{key}" if key in settings else key
            return f"attribute {key!r} is {show(attrs[key])}, meta.json's {where} {show(want)}: edited?"
    return None


# the arrays a checkpoint holds (``state.group_state``, ``RunDir.save_checkpoint``): by name,
# or by the family a name begins with (a parameter, a BatchNorm buffer, the optimizer's state)
CHECKPOINT_ARRAYS = ("epoch", "digest", "run_id", "config_hash", "records", "rngs")
CHECKPOINT_FAMILIES = ("param/", "buffer/", "optim/")


def array_problem(names: list[str]) -> str | None:
    """What is wrong with a checkpoint's index, its array ``names``: the first that no
    checkpoint holds (``CHECKPOINT_ARRAYS``, ``CHECKPOINT_FAMILIES``), None if there is none.
    Every reader asks (``RunDir.check_checkpoint``), so an array added, its digest recomputed
    (or in a checkpoint of a version without one), is damage in ``runs list`` too, not an array
    a resume passed over."""
    for name in names:
        if name not in CHECKPOINT_ARRAYS and not name.startswith(CHECKPOINT_FAMILIES):
            families = ", ".join(f"{f}..." for f in CHECKPOINT_FAMILIES)
            return (
                f"holds an array {show(name)}, which no checkpoint holds (expected "
                f"{', '.join(CHECKPOINT_ARRAYS)}, {families})"
            )
    return None
