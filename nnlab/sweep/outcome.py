"""What a sweep says of a trial as it ends (``describe_row``, its progress line), and once it
has ended (``SweepResult``): its trials as its command prints them
(``shown``: a preset's own view, or the summary's table), its folder with what became of its
trials now (``folder_said``: trained, FAILED, resumed, already done; the time and the figures in
the folder) and, where trials FAILED, the error naming the first and how to run them again
(``failed_said``)."""

from __future__ import annotations

from typing import Any

from nnlab import times
from nnlab.figure_files import drawn
from nnlab.output import as_label
from nnlab.run_errors import own_failure
from nnlab.summary import outcome
from nnlab.words import counted


def shown(result: Any, table: bool) -> tuple[list[dict[str, Any]], list[str] | None, str | None]:
    """(rows, columns, title) a sweep's command prints of its trials: for a ``table``, a
    preset's own view (``Preset.table``), else the summary's (``finish.table_rows``: a key a
    trial leaves out is '-', not null), titled as summary.txt is (``finish.summary_title``: its folder's id, status and trials counted); for JSON or
    CSV every trial's fields (a preset's ``objects``), without columns or title. A preset's
    rows first hold the keys its command line fixed (``Preset.complete``)."""
    from nnlab.sweep.finish import summary_columns, summary_title, table_rows
    from nnlab.sweep.presets import PRESETS

    rows = result.rows
    title = summary_title(result.run.id, result.status, rows)  # (summary.txt's)
    preset = PRESETS.get(result.defn.preset)
    if preset is not None:
        rows = preset.complete(rows, result.defn)
    if not table:
        return (preset.objects(rows) if preset else rows), None, None
    if preset is not None:
        return preset.table(rows, title)
    columns = summary_columns(rows, list(result.defn.spec.params), wide=False)
    return table_rows(rows, result.defn.spec), columns, title


def folder_said(result: Any) -> str:
    """``sweep folder: <folder>  (trials: 3 trained, 1 FAILED, 0 resumed, 2 already done;
    4.2 s; figures: a.png, b.png)``: a trial run now that FAILED is not said to be trained."""
    figures = drawn(result.run.path)  # (in its folder, as a run's folder line names them)
    failed = {r["trial"] for r in result.failed}  # (run now and FAILED: not 'trained')
    trained, resumed = ([t for t in ids if t not in failed] for ids in (result.ran, result.resumed))
    lost = len(result.ran) + len(result.resumed) - len(trained) - len(resumed)
    took = times.duration(result.seconds) + (f"; {figures}" if figures else "")
    counts = (
        f"  (trials: {len(trained)} trained, {f'{lost} FAILED, ' if lost else ''}"
        f"{len(resumed)} resumed, {len(result.skipped)} already done; {took})"
    )
    return f"sweep folder: {result.run.path}{counts}"


def failed_said(result: Any, trials: int) -> str | None:
    """The error of a sweep of ``trials`` trials some of which FAILED: how many, the first's
    error, and the resume that runs them again; None where none did."""
    if not result.failed:
        return None
    first = own_failure(result.failed)
    return (
        f"error: {len(result.failed)} of {counted(trials, 'trial')} FAILED "
        f"(e.g. {first['trial']}: "
        f"{first.get('error')}); rerun them with: nnlab sweep --resume {result.run.path}"
    )


def describe_row(row: dict[str, Any], axes: list[str] | None = None) -> str:
    """``<trial> key=value ... STATUS train_acc 0.9 test_acc 0.8 (1.2 s)`` for one row (a
    diverged trial: ``DIVERGED at epoch N``, without final accuracies, which it has none of): the
    swept keys ``axes`` (a swept ``seed`` among them), else the row's columns between ``trial``
    and its derived ``seed``."""
    names = list(row)
    if axes is not None:
        keys = [k for k in axes if k in row]
    else:
        keys = names[names.index("trial") + 1 : names.index("seed")] if "seed" in row else []
    parts = [row["trial"]]
    parts.extend(as_label(key, row[key]) for key in keys)
    parts.append(outcome(row))
    for key, value in row.items():
        if key.startswith("final_") and key.endswith("_acc") and value is not None:
            parts.append(f"{key[len('final_') :]} {value:.4f}")
    if row.get("error"):
        parts.append(str(row["error"]).splitlines()[0][:120])
    elif row.get("seconds") is not None:
        parts.append(f"({times.duration(row['seconds'])})")
    return " ".join(parts)
