"""What a training run's results are: its final and best metrics, from its epoch records.

The one rule, which every writer of a summary applies and every display reads:

- ``final_<metric>`` is the last record's value, ``best_<metric>`` the highest accuracy or
  lowest loss over the epochs (epoch 0, the evaluation before training, included; no best for
  a ``final_eval`` split, evaluated after the last epoch only: not even in a run of ``epochs:
  0``, whose one record has it beside the splits evaluated every epoch).
- A DIVERGED run's last record is the epoch it diverged in (``nnlab.train``: the loop records
  that epoch and stops): the summary names it, ``diverged_epoch``. There is no final model worth
  reporting, so every ``final_*`` is null (the accuracy of a net whose scores are NaN, ~0.1 on
  ten classes, is not a result), and every ``best_*`` is over the epochs before that one only
  (null if there is none).

Plain functions of records (dicts of numbers); no files, no terminal.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any, TypeGuard

from nnlab.numbers import of_total
from nnlab.output import counted, is_number, number

DIVERGED = "DIVERGED"
Record = dict[str, Any]


def is_metric(key: str) -> bool:
    """A key with a final value: the objective (``loss``), ``<split>_loss``, ``<split>_acc``."""
    return key == "loss" or key.endswith(("_acc", "_loss"))


def finals(record: Record, status: str) -> Record:
    """The final values a run ending as ``status`` reports from its last ``record`` (its
    metrics; every one null for a DIVERGED run)."""
    return {k: None if status == DIVERGED else v for k, v in record.items() if is_metric(k)}


def summarize(
    records: list[Record], status: str, final_only: Collection[str] = ()
) -> dict[str, Any]:
    """A run's summary: status, epochs, ``diverged_epoch`` (DIVERGED only), its final and best
    metrics (see the module's rule), seconds and steps. ``final_only``: the splits the run
    evaluates after its last epoch only (``Config.final_only``, ``final_splits``): no best for
    them; a split in the last of several records only is one whatever it says."""
    summary: dict[str, Any] = {"status": status, "epochs": records[-1]["epoch"] if records else 0}
    if not records:
        return summary
    last = records[-1]
    diverged = status == DIVERGED
    if diverged:
        summary["diverged_epoch"] = last["epoch"]
    summary.update({f"final_{k}": v for k, v in finals(last, status).items()})
    before = records[:-1] if diverged else records  # (the epochs a best is taken over)
    for key in last:
        if not key.endswith(("_acc", "_loss")) or key.rpartition("_")[0] in final_only:
            continue
        if len(records) > 1 and all(key not in r for r in records[:-1]):
            continue  # (a final_eval split: in the last record only)
        values = [r[key] for r in before if r.get(key) is not None]
        if values:
            summary[f"best_{key}"] = max(values) if key.endswith("_acc") else min(values)
        elif diverged:
            summary[f"best_{key}"] = None
    summary["seconds"] = sum(r.get("seconds") or 0.0 for r in records)  # (null: none said)
    summary["steps"] = last.get("steps", 0)
    return summary


def final_splits(config: Mapping[str, Any]) -> list[str]:
    """The splits a run's resolved config (config.yaml as a mapping) evaluates after its last
    epoch only: its ``final_eval`` not in its ``eval`` (``Config.final_only``); none where it
    lists none (a config of an nnlab before ``final_eval``)."""
    final, every = config.get("final_eval"), config.get("eval")
    final = final if isinstance(final, list) else []
    every = every if isinstance(every, list) else []
    return [s for s in final if isinstance(s, str) and s not in every]


def epochs_of(done: Any, planned: Any, status: str | None) -> Any:
    """A training run's epochs as a table cell: ``done``, or for a run that did not complete
    short of the epochs its config plans (``planned``), both, ``1,831/2,000`` (an interrupted
    run's 1831 read as if it had run its course). ``done`` as it is where either is not a
    whole number (a folder of an older version, a config without one)."""
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (done, planned))
    if status == "COMPLETED" or not whole or done == planned:
        return done
    return of_total(done, planned)


def diverged_epoch(status: str | None, records: list[Record], recorded: Any = None) -> int | None:
    """The epoch a run ending as ``status`` diverged in, for the displays that mark it: None
    unless it is DIVERGED (a COMPLETED run whose evaluation overflowed at epoch 0, or at any
    epoch in a folder written before ``nnlab.train`` judged evaluations, its loss null there,
    did not diverge); else its summary's ``diverged_epoch`` (``recorded``) where it
    names one, or its last record's epoch (the rule above: the loop stops there)."""
    if status != DIVERGED:
        return None
    if isinstance(recorded, int) and not isinstance(recorded, bool):
        return recorded
    return int(records[-1]["epoch"]) if records else None


def outcome(summary: dict[str, Any]) -> str:
    """How a run (or a sweep trial's row) ended, in a few words: its status, and for a DIVERGED
    one the epoch (``DIVERGED at epoch 3``)."""
    status = str(summary.get("status"))
    at = summary.get("diverged_epoch")
    return f"{status} at epoch {at}" if status == DIVERGED and at is not None else status


def ending(summary: dict[str, Any], planned: Any) -> str:
    """How a training run ended, as train's terminal, its summary.txt and ``runs show`` title
    it after its id: ``COMPLETED after 2 epochs``, one short of the epochs its config plans
    (``planned``) ``INTERRUPTED after 1,831 of 2,000 epochs``, a diverged one ``DIVERGED at
    epoch 3: no final values; best of the epochs before`` (the terminal read ``COMPLETED``)."""
    status, epochs = summary.get("status"), summary.get("epochs")
    if status == DIVERGED:
        return f"{outcome(summary)}: no final values; best of the epochs before"
    if epochs is None:
        return f"{status}, no epoch recorded"
    if epochs_of(epochs, planned, status) != epochs:  # (short of it)
        return f"{status} after {epochs:,} of {counted(planned, 'epoch')}"
    return f"{status} after {counted(epochs, 'epoch')}"


def shown_metric(row: dict[str, Any], metric: str) -> str:
    """A finished trial's ``metric`` for a progress line, or how it ended (a diverged trial's
    ``best_*`` from before it diverged is no result: a tune ranks no such trial)."""
    value = row.get(metric)
    if isinstance(value, float) and row.get("status") != DIVERGED:  # (ranked)
        return number(value)
    return outcome(row)


def objective_label(weight_decay: float) -> str:
    """What a run's ``loss`` (the training objective) is, for tables and legends: with weight
    decay it carries the L2 penalty, and can be many times the split losses beside it."""
    if weight_decay > 0:
        return "objective (train batches, + L2 penalty)"
    return "objective (train batches)"


def best_first(metric: str, value: float) -> float:
    """A sort key that puts the best ``value`` of ``metric`` first: the lowest of a loss (a
    ``*_loss``), the highest of anything else (an accuracy)."""
    return value if metric.endswith("loss") else -value


RANKED_BY = ("final_val_acc", "final_test_acc", "final_train_acc")  # (the first a trial has)


def best_trial(rows: list[dict[str, Any]], metric: str | None = None) -> dict[str, Any] | None:
    """The best of a sweep's trial ``rows`` (each with ``status`` and final metrics), as every
    display names it (``runs list``, the report): the highest final validation accuracy, else
    test, else train (the first of ``RANKED_BY`` a trial has, a finite number), of the
    COMPLETED trials only (a trial still running, interrupted or killed has finals of an
    earlier epoch: a stale sweep's listing named one as its best); None if no COMPLETED trial
    has one. A tune's (``metric``: the one it ranks by) is the best COMPLETED trial by
    that metric, ties to the earlier ``round``, then the trial id (its summary's ``best``)."""
    order = best_order(rows, metric)
    return rows[order[0]] if order else None


def best_order(rows: list[dict[str, Any]], metric: str | None = None) -> list[int]:
    """The indices of the ``rows`` ``best_trial`` may name, best first, by its rule: the
    first is the best of them all, and the first of any subset kept is that subset's best
    (the report's trials table under a filter names the best of the rows it shows)."""
    if metric is not None:
        ranked = [(best_first(metric, float(row[metric])), row.get("round") or 0,
                   str(row.get("trial")), i) for i, row in enumerate(rows)
                  if row.get("status") == "COMPLETED" and _finite(row.get(metric))]  # fmt: skip
        return [r[3] for r in sorted(ranked)]

    def score(row: dict[str, Any]) -> float | None:
        for key in RANKED_BY:
            value = row.get(key)
            if _finite(value):
                return float(value)
        return None

    scored = [(-s, i) for i, row in enumerate(rows)
              if row.get("status") == "COMPLETED" and (s := score(row)) is not None]  # fmt: skip
    return [i for _, i in sorted(scored)]


def _finite(value: Any) -> TypeGuard[int | float]:
    """A number (not a bool) that is finite."""
    return is_number(value) and math.isfinite(value)
