"""What the report says about an entry: its metrics, dataset, times, the command that reproduces
it, the curves it has and the config keys in which runs differ. Plain functions of
:class:`~nnlab.report.collect.Entry`; no files are read here.
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from nnlab import times
from nnlab.blas import again_threads
from nnlab.errors import ConfigError
from nnlab.experiments import scan_next
from nnlab.experiments.compare import flatten
from nnlab.experiments.tune_search import SEARCHABLE, Range
from nnlab.output import command_line, config_number, counted, spelled
from nnlab.redo import UNFINISHED, data_dir_option, extend_offer, go_on_options, resume_offer
from nnlab.report.collect import MISSING, Entry
from nnlab.report.svg import finite
from nnlab.summary import (
    best_order as summary_order,
    diverged_epoch,
    final_splits,
    outcome,
    summarize,
)

SPLITS = ("train", "val", "test")
# index columns, in order, when any row has them
METRIC_COLUMNS = (
    *(f"final_{s}_acc" for s in SPLITS),
    "best_val_acc",
    "best_test_acc",
    "final_train_loss",
)
IGNORED_KEYS = ("name",)  # every run has its own; not a difference worth a column
CURVE_KEYS = ("loss",) + tuple(f"{s}_{m}" for m in ("loss", "acc") for s in SPLITS) + ("lr",)
RUN_KINDS = ("train", "trial")
SWEEP_KINDS = ("sweep", "tune")


def label(key: str) -> str:
    """``final_test_acc`` -> ``final test acc``; ``loss`` -> ``objective``, and so in
    ``final_loss`` (the index's details read 'final loss' beside 'final train loss', where the
    run's page says 'objective')."""
    head, _, tail = key.rpartition("_")
    if key == "loss" or (tail == "loss" and head in ("final", "best")):
        return f"{head} objective".lstrip()
    return key.replace("_", " ")


def run_label(entry: Any, key: str) -> str:
    """``label`` on a run's page: its objective says it carries the L2 penalty where the run
    has weight decay (beside a train loss many times smaller), as ``runs show`` says."""
    config = entry.config if isinstance(entry.config, dict) else {}
    decay = config.get("weight_decay")
    if key == "loss" and isinstance(decay, (int, float)) and decay > 0:
        return "objective (+ L2 penalty)"
    return label(key)


# --- metrics ------------------------------------------------------------------------------------
def run_metrics(entry: Entry) -> dict[str, Any]:
    """Final and best metrics: the summary's, else (a RUNNING run) ``summarize``'s of its
    records so far. Either way ``nnlab.summary``'s rule: a diverged run's finals are null."""
    summary = entry.summary
    if not any(k.startswith(("final_", "best_")) for k in summary) and entry.records:
        config = entry.config if isinstance(entry.config, dict) else {}
        summary = summarize(entry.records, entry.status, final_splits(config))
    return {k: v for k, v in summary.items() if k.startswith(("final_", "best_"))}


def best_trial(entry: Entry) -> Entry | None:
    """A sweep's or a tune's best trial, of its trials as their folders say now, by
    ``summary.best_trial``'s rule (a tune's by its metric): ``runs list`` names the same."""
    order = best_order(entry)
    return entry.trials[order[0]] if order else None


def best_order(entry: Entry) -> list[int]:
    """The indices of ``entry.trials`` that may be its best, best first (``summary.best_order``):
    the first of those a filter keeps is the best of them."""
    rounds = _rounds(entry) if entry.kind == "tune" else {}
    rows = [
        {**run_metrics(t), "status": t.status, "trial": t.name, "round": _round_of(t, rounds)}
        for t in entry.trials
    ]
    return summary_order(rows, _tune_metric(entry) if entry.kind == "tune" else None)


def _rounds(entry: Entry) -> dict[str, int]:
    """A tune's rounds by where their trials are (``<tune>/rounds/<sweep>/trials/``)."""
    state = entry.files.get("tune.json")
    rounds = state.get("rounds") if isinstance(state, dict) else None
    return {
        f"{entry.rel}/{r['sweep']}/trials/": r["round"] if isinstance(r.get("round"), int) else 0
        for r in (rounds if isinstance(rounds, list) else [])
        if isinstance(r, dict) and isinstance(r.get("sweep"), str)
    }


def _round_of(trial: Entry, rounds: dict[str, int]) -> int:
    return next((n for where, n in rounds.items() if trial.rel.startswith(where)), 0)


def _tune_metric(entry: Entry) -> str:
    state = entry.files.get("tune.json")
    settings = state.get("settings") if isinstance(state, dict) else None
    metric = settings.get("metric") if isinstance(settings, dict) else None
    return metric if isinstance(metric, str) else "final_val_acc"


def row_metrics(entry: Entry) -> dict[str, Any]:
    """The index's metric cells: a run's own; a sweep's or a tune's best trial's."""
    if entry.kind in SWEEP_KINDS:
        best = best_trial(entry)
        return run_metrics(best) if best is not None else {}
    return run_metrics(entry)


def status_counts(entries: Sequence[Entry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.status] = counts.get(e.status, 0) + 1
    return counts


def counts_text(counts: dict[str, int]) -> str:
    """``3 COMPLETED, 1 DIVERGED, 1 without meta.json``: a folder with no status (its badge is
    "-") is counted as what it is, not as "1 -"."""
    ordered = sorted(counts.items(), key=lambda c: (-c[1], c[0] == "-"))  # (no status: last)
    return ", ".join(f"{n:,} {NO_STATUS if s == '-' else s}" for s, n in ordered)


def in_folder(text: str, entry: Entry) -> str:
    """An error's line with the folder's own path at its start left out (the row names the
    folder): ``checkpoint.npz: File too large``. The index's notes read
    '/home/me/runs/2026…' and no more, cut by the column, for every FAILED or DAMAGED row."""
    folder = str(entry.path)
    for start in (folder + "/", folder + ": "):
        if text.startswith(start) and len(text) > len(start):
            return text[len(start) :]
    return text


DIFFERENCES = "differences.json"  # (gradcheck --compare-differences': its 'what' the network)
NO_STATUS = "without meta.json"  # (a folder nnlab did not make, or one it made before meta.json)


def notes(entry: Entry) -> str:
    """A short line for the index: the error, a sweep's trials and best trial, or the epoch a
    run diverged in."""
    if entry.error:
        return in_folder(str(entry.error).splitlines()[0], entry)[:160]
    if entry.kind in SWEEP_KINDS and entry.trials:
        text = f"{counted(len(entry.trials), 'trial')} ({counts_text(status_counts(entry.trials))})"
        best = best_trial(entry)
        if best is not None:
            values = " ".join(f"{k}={config_text(v)}" for k, v in best.values.items())
            text += f"; best {best.name} {values}".rstrip()
        return text
    if entry.kind == "other":
        return "no meta.json: " + (", ".join(entry.files) or "no JSON files")
    if entry.kind == "gradcheck" and isinstance(
        checked := _get(entry.files, DIFFERENCES, "what"), str
    ):
        return f"of {checked}"  # (the network: 'of config digits-quickstart', 'of net tanh ...')
    if entry.status == "DIVERGED" and "diverged_epoch" in entry.summary:
        return f"{outcome(entry.summary).lower()}: no final values"
    return ""


# --- what, where, when --------------------------------------------------------------------------
def dataset(entry: Entry) -> str:
    """The dataset's name, wherever this kind of folder records it ('' if none)."""
    found = (
        _get(entry.config, "dataset", "name")
        or _get(entry.meta, "dataset")
        or _get(entry.files.get("result.json"), "dataset")  # compare-optimizers --dataset
        or _overridden(entry.sweep.get("overrides"))
        or _get(entry.sweep, "base", "dataset", "name")
    )
    if not found and entry.trials:
        found = dataset(entry.trials[0])
    return str(found or "")


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, (str, int, float)) else None


def _overridden(overrides: Any) -> str | None:
    for item in overrides if isinstance(overrides, list) else []:
        if isinstance(item, str) and item.startswith("dataset.name="):
            return item.partition("=")[2]
    return None


def _time(value: Any) -> dt.datetime | None:
    return times.parsed(value)


def started(entry: Entry) -> dt.datetime | None:
    return _time(entry.meta.get("started") or entry.modified)


def duration(entry: Entry) -> float | None:
    """Seconds from start to end (None while running or when a time is missing)."""
    start, end = started(entry), _time(entry.meta.get("ended"))
    if start is None or end is None:
        return None
    try:
        return max((end - start).total_seconds(), 0.0)
    except TypeError:  # one time with a zone, one without
        return None


def duration_text(seconds: float | None) -> str:
    return times.duration(seconds)


def progress(entry: Entry) -> str:
    """How far a training run that has not finished got (``epoch 660 of 3000``): RUNNING, or
    ended FAILED, INTERRUPTED or STALE; '' for any other (its epochs are in its tables)."""
    total = entry.config.get("epochs") if isinstance(entry.config, dict) else None
    last = finite(entry.records[-1].get("epoch")) if entry.records else None
    unfinished = entry.status == "RUNNING" or entry.status in UNFINISHED
    if entry.kind not in RUN_KINDS or not unfinished or last is None or not isinstance(total, int):
        return ""
    # (the count one word, no-break spaces: a page's subtitle wrapped it, '660 of' over '3,000')
    count = of_planned(int(last), total).replace(" ", "\u00a0")
    return f"epoch {count}" + (" so far" if entry.status == "RUNNING" else "")


def of_planned(done: int, planned: int) -> str:
    """Epochs done of those planned, as every part of the report writes a run's progress (a
    page's ``epoch 1,617 of 30,000``, the index's and a sweep's ``epochs done``; the index read
    '1617/30000' beside it): thousands grouped, as ``runs show``'s 'INTERRUPTED after 1,617
    of 30,000 epochs'."""
    return f"{done:,} of {planned:,}"


def date_text(entry: Entry) -> str:
    """When the folder's work started, in this process's zone (as ``runs list`` says it)."""
    when = started(entry)
    return times.local_text(when, seconds=False) or "" if when else ""


def config_text(value: Any) -> str:
    """A config value as a config file spells it (``true``, ``null``, ``[train, test]``), a
    float as the tables do (``output.config_number``: ``1e-05``, ``10.0``, a drawn one in 4
    significant digits): the report's swept values, trial labels and config cells."""
    return config_number(value) if isinstance(value, float) else spelled(value)


# a value an option gives a meaning of its own, as its --help says it (landscape --samples: "0:
# all"); the page read 'samples 0', as if no sample had been evaluated
EXPLAINED = {("samples", 0): "0 (all of the split)"}


def explained(key: str, value: Any) -> str:
    """``value`` of ``key`` spelt with what it stands for, where that is more than its number
    (``EXPLAINED``); '' for any other."""
    return EXPLAINED.get((key, value), "") if type(value) is int else ""


def range_text(value: Any) -> Any:
    """A searched range as a tune's tables and summary spell it (``Range.short``:
    ``loguniform:3.77258e-06:0.00204555``), where tune.json records it exactly, to read it back
    the same (``loguniform:3.7725799377838215e-06:0.0020455512986830154``); any other value as
    it is."""
    if not isinstance(value, str) or not value.startswith(SEARCHABLE):
        return value
    try:
        return Range.parse("", value).short()
    except ConfigError:
        return value


def short(value: Any) -> str:
    """A compact cell: numbers in 4 significant digits, lists and the rest as text."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# --- commands -----------------------------------------------------------------------------------
def command(entry: Entry) -> str:
    """The command line that made the folder (``argv`` with the program as ``nnlab``)."""
    return command_line(entry.meta.get("argv"))


def reproduce(entry: Entry, folder: str) -> list[tuple[str, str]]:
    """(what, command) pairs that redo this folder's work; ``folder`` is its path as shown.
    A resume is offered where it has work left (a folder that ended unfinished, a sweep with
    a trial so: ``nnlab.redo.resume_offer``): a COMPLETED folder's is refused
    (``nnlab.runs.refuse_finished``), and so is a DIVERGED run's (``train --resume``), so
    neither is offered."""
    out = []
    data = entry.meta.get("data_dir")
    extra = data_dir_option(data)
    new = go_on_options(data, folder)  # (a command that makes a new folder: its --runs-dir too)
    if entry.kind in RUN_KINDS and entry.config_text:
        out.append(
            (
                "train again from the resolved config",
                f"nnlab train {shlex.quote(folder + '/config.yaml')}{new}"
                + again_threads(entry.meta),
            )
        )
    extend = extend_offer(folder, entry.config.get("epochs"), data)
    if entry.kind in RUN_KINDS and entry.status == "COMPLETED" and extend is not None:
        out.append(
            (
                "train it on to twice its epochs, in a new folder (the numbers of a run that long)",
                extend,
            )
        )
    unfinished = [t for t in entry.trials if t.status in (*UNFINISHED, MISSING)]
    if entry.kind == "sweep" and entry.status == MISSING:  # a tune's round: <tune>/rounds/<id>
        tune = str(PurePath(folder).parent.parent)
        out.append(("run the round again", f"nnlab tune --resume {shlex.quote(tune)}"))
    elif entry.kind == "sweep" and (entry.status in UNFINISHED or unfinished):
        out.append(
            (
                "run the missing, interrupted or failed trials",
                f"nnlab sweep --resume {shlex.quote(folder)}{extra}",
            )
        )
    elif offer := resume_offer(entry.kind, entry.status, entry.meta):
        out.append((offer[0], f"{offer[1]} {shlex.quote(folder)}{extra}"))
    out += next_steps(entry, folder, new)
    if command(entry) and entry.kind != "trial":
        out.append(("the original command", command(entry)))
    return out


def next_steps(entry: Entry, folder: str, extra: str = "") -> list[tuple[str, str]]:
    """What a search's result says to do next, as a command: an lr-scan's training at the rate
    whose loss after its epochs was lowest, a tune's best trial trained again. Their pages
    gave only the command that made them. A DIVERGED training run: the step-size table of its
    config, to find a rate it trains at."""
    if entry.status == "DIVERGED" and entry.kind in RUN_KINDS and entry.config_text:
        at = diverged_at(entry)
        return [
            (
                f"it diverged{f' at epoch {at}' if at is not None else ''}: find a step size "
                "it trains at (the loss after one step and a few epochs, per rate)",
                f"nnlab lr-scan {shlex.quote(folder + '/config.yaml')}{extra}",
            )
        ]
    if entry.status != "COMPLETED":
        return []
    if entry.kind == "lr-scan" and entry.config_text:  # (as the scan's next: line says it)
        then = scan_next.next_step(entry.summary, folder, extra) or lower_scan(
            entry.summary, folder, extra
        )
        return [then] if then is not None else []
    best = best_trial(entry) if entry.kind == "tune" else None
    if best is None or not best.rel.startswith(entry.rel + "/"):
        return []
    trial = folder + best.rel[len(entry.rel) :]
    values = " ".join(f"{k}={config_text(v)}" for k, v in best.values.items())
    return [
        (
            f"train the best trial again ({values}; its config holds out the validation split)"
            if values else "train the best trial again",
            f"nnlab train {shlex.quote(trial + '/config.yaml')}{extra}{again_threads(best.meta)}",
        )
    ]  # fmt: skip


def lower_scan(summary: dict[str, Any], folder: str, extra: str = "") -> tuple[str, str] | None:
    """(why, command) where every rate an lr-scan trained at diverged: the scan again below its
    smallest rate, over as many decades (3 at least, to ``--min``'s bound) in as many rates.
    Its page offered nothing, where there is nothing to train at (``scan_next.next_step``:
    None); the rates were all too large, as a rate that diverges is."""
    rows = summary.get("rows")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return None
    rates = [lr for r in rows if (lr := finite(r.get("lr"))) is not None and lr > 0]
    if len(rates) < len(rows) or any(not r.get("diverged") for r in rows):
        return None
    lo, hi = min(rates), max(rates)
    top = math.floor(math.log10(lo) - 1e-9)
    bottom = max(top - max(3, math.ceil(math.log10(hi / lo) - 1e-9)), scan_next.EXPONENTS[0])
    if bottom >= top:
        return None
    epochs = summary.get("epochs")
    scan = f"--min {bottom} --max {top} --num {max(len(rows), top - bottom + 1)}"
    scan += f" --epochs {epochs}" if isinstance(epochs, int) else ""
    why = f"every rate scanned diverged in training ({config_text(lo)} to {config_text(hi)}): smaller ones"
    return why, f"nnlab lr-scan {shlex.quote(folder + '/config.yaml')} {scan}{extra}"


# --- curves -------------------------------------------------------------------------------------
def diverged_at(entry: Entry) -> int | None:
    """The epoch a DIVERGED run (or trial) diverged in, by ``nnlab.summary``'s rule (its
    summary's ``diverged_epoch``, else its last record's epoch); None for any other status."""
    try:
        return diverged_epoch(entry.status, entry.records, entry.summary.get("diverged_epoch"))
    except (KeyError, TypeError, ValueError):  # (a last record without a whole epoch)
        return None


def drawn(entry: Entry) -> list[dict[str, Any]]:
    """The records the report's curves draw: a DIVERGED run's before the epoch it diverged in,
    as every figure draws it (``plots.base.until_divergence``): the accuracy of a net whose
    outputs are NaN, 0, is no result, and its losses there are not finite."""
    at = diverged_at(entry)
    if at is None:
        return list(entry.records)
    epochs = [finite(r.get("epoch")) for r in entry.records]
    return [
        r for i, (r, e) in enumerate(zip(entry.records, epochs)) if (i if e is None else e) < at
    ]


@dataclass
class Curves:
    """An entry's curves as the report draws them (``drawn``'s records, their ``curve_keys``,
    each ``curve``, the compare view's ``compact_curves``), each computed once per build and
    entry (``curves_of``): a run's page, its index row's tick box, the index's data.js and its
    sweep's page and data.js each computed them again, about six times per entry."""

    records: list[dict[str, Any]]
    keys: list[str]
    at: int | None  # ``diverged_at``
    _curves: dict[str, list[tuple[float, float | None]]] = field(default_factory=dict)
    _compact: dict[str, list[list[float | None]]] | None = None

    def curve(self, key: str) -> list[tuple[float, float | None]]:
        if key not in self._curves:
            self._curves[key] = curve(self.records, key)
        return self._curves[key]

    def compact(self) -> dict[str, list[list[float | None]]]:
        if self._compact is None:
            self._compact = compact_curves(self.records, self)
        return self._compact


def curves_of(entry: Entry) -> Curves:
    """The entry's :class:`Curves`, kept on it (``Entry.drawing``) while its status, records
    and summary are those they were drawn from (a page that fails to render makes it DAMAGED)."""
    kept = entry.drawing
    if kept is not None:
        status, records, summary, curves = kept
        if status == entry.status and records is entry.records and summary is entry.summary:
            return curves
    lines = drawn(entry)
    curves = Curves(lines, curve_keys(lines), diverged_at(entry))
    entry.drawing = (entry.status, entry.records, entry.summary, curves)
    return curves


def curve(records: Sequence[dict[str, Any]], key: str) -> list[tuple[float, float | None]]:
    """``(epoch, value)`` for ``key`` over the records (None where missing or not finite)."""
    out = []
    for i, record in enumerate(records):
        epoch = finite(record.get("epoch"))
        out.append((epoch if epoch is not None else float(i), finite(record.get(key))))
    return out


def curve_keys(records: Sequence[dict[str, Any]]) -> list[str]:
    """The metric keys with at least one finite value; ``lr`` only if it changes."""
    keys = [k for k in CURVE_KEYS if any(finite(r.get(k)) is not None for r in records)]
    lrs = {finite(r.get("lr")) for r in records} - {None}
    return [k for k in keys if k != "lr" or len(lrs) > 1]


def log_axis(key: str) -> bool | None:
    """A curve's y scale: None (log when its values span decades: losses, the learning rate)
    or False for an accuracy, a fraction read on a linear axis (``svg.accuracy_axis``) even
    when one trial's is 30x another's (report.js's compare view follows the same rule)."""
    return False if key.endswith("_acc") else None


def curve_groups(keys: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(title, keys) per chart: losses, accuracies, learning rate."""
    groups = [
        ("loss", [k for k in keys if k == "loss" or k.endswith("_loss")]),
        ("accuracy", [k for k in keys if k.endswith("_acc")]),
        ("learning rate", [k for k in keys if k == "lr"]),
    ]
    return [(title, ks) for title, ks in groups if ks]


CURVE_BUCKETS = 500  # a longer curve's compare data: its first, lowest, highest, last per bucket


def compact_curves(
    records: Sequence[dict[str, Any]], curves: Curves | None = None
) -> dict[str, list[list[float | None]]]:
    """Every curve of a run as ``{key: [[epoch, value], ...]}``, values in 5 significant digits
    (the compare view's data). A curve of more than 4 x ``CURVE_BUCKETS`` epochs keeps, of each
    of ``CURVE_BUCKETS`` runs of epochs, its first, lowest, highest and last point and its first
    gap: the line a chart draws, in at most ~2,500 points (a run of 28,000 epochs put 28,000
    points per curve into the index's data.js)."""
    out = {}
    for key in curve_keys(records) if curves is None else curves.keys:
        line = curve(records, key) if curves is None else curves.curve(key)
        points = [[e, float(f"{v:.5g}") if v is not None else None] for e, v in line]
        out[key] = points if len(points) <= 4 * CURVE_BUCKETS else _outline(points)
    return out


def _outline(points: list[list[Any]]) -> list[list[Any]]:
    size = -(-len(points) // CURVE_BUCKETS)
    kept = []
    for start in range(0, len(points), size):
        run = list(range(start, min(start + size, len(points))))
        drawn = [i for i in run if points[i][1] is not None]
        gap = [i for i in run if points[i][1] is None][:1]
        ends = [run[0], run[-1]]
        if drawn:
            ends += [min(drawn, key=lambda i: points[i][1]), max(drawn, key=lambda i: points[i][1])]
        kept += [points[i] for i in sorted({*ends, *gap})]
    return kept


# --- config differences -------------------------------------------------------------------------
def flat_config(entry: Entry) -> dict[str, Any]:
    try:
        return {k: v for k, v in flatten(entry.config).items() if k not in IGNORED_KEYS}
    except (AttributeError, TypeError):
        return {}


def differing_keys(entries: Sequence[Entry]) -> list[str]:
    """Config keys whose values are not the same in every training run (the configs of other
    experiments, an lr-scan's or a landscape's, are on their own pages)."""
    configs = [flat_config(e) for e in entries if e.config and e.kind in RUN_KINDS]
    if len(configs) < 2:
        return []
    keys = list(dict.fromkeys(k for c in configs for k in c))
    missing = object()
    return [k for k in keys if len({repr(c.get(k, missing)) for c in configs}) > 1]
