"""What a sweep says once it has ended (``SweepResult``): its trials as its command prints them
(``shown``: a preset's own view, or the summary's table), its folder with what became of its
trials now (``folder_said``: trained, FAILED, resumed, already done; the time and the figures in
the folder) and, where trials FAILED, the error naming the first and how to run them again
(``failed_said``)."""

from __future__ import annotations

from typing import Any

from nnlab import times
from nnlab.figure_files import drawn
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
    first = result.failed[0]
    return (
        f"error: {len(result.failed)} of {counted(trials, 'trial')} FAILED "
        f"(e.g. {first['trial']}: "
        f"{first.get('error')}); rerun them with: nnlab sweep --resume {result.run.path}"
    )
