"""A sweep's end: its summary files (summary.json, .csv, .txt) and its figures.

The figures are drawn by painter processes forked when the sweep starts (``plots.painters``,
one per figure), which build the figures' parts that need no results while the trials run
(``prepare_figures``: a preset's ``canvases``) and draw the rest from the trials' records
when the last trial ends, while this process writes the summary files.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnlab import runs
from nnlab.sweep.definition import SweepDef, Trial
from nnlab.sweep.shape import DEPTH, WIDTH
from nnlab.sweep.spec import SweepSpec, split_values
from nnlab.sweep.trial import Row, trials_dir
from nnlab.sweep.variants import left_out

READY_THREAD = "nnlab-sweep-ready"  # (the thread ``get_ready`` starts, with ``painters``)


def get_ready(painters: list[Any]) -> None:
    """Get the finish ready on a core a worker left idle, while the last units train: load the
    table writer here, and matplotlib too unless ``painters`` draw the figures (they built
    what they need no results for as the sweep started: ``prepare_figures``)."""
    from nnlab import output, plots

    if painters:
        with contextlib.suppress(RuntimeError):  # ("can't start new thread": ulimit -u)
            threading.Thread(
                target=output.table_text, args=([], []), name=READY_THREAD, daemon=True
            ).start()
    else:
        plots.import_in_background(lambda: output.table_text([], []))


def readied() -> None:
    """Wait for ``get_ready``'s thread, if it is still at work (the last units ended at once),
    before the finish uses what it loads: else both imported rich (or matplotlib) at once,
    and which of the two opened which of its files changed from run to run, and with it the
    order of this thread's system calls (a fault injected at its N-th openat, ``strace -e
    inject``, hit another call). Also before a tune's next round forks its painters and
    workers, which it does only with no other thread running."""
    from nnlab.plots.base import IMPORT_THREAD

    for thread in threading.enumerate():
        if thread.name in (READY_THREAD, IMPORT_THREAD):
            thread.join()


def figures_of(preset: str | None) -> int:
    """How many figures a sweep of ``preset`` (None: a generic sweep) draws at its end."""
    from nnlab.sweep import presets

    return presets.get(preset).n_figures if preset in presets.PRESETS else 1


def painters_for(defn: SweepDef, given: list[Any] | None = None) -> Any:
    """The figures' painters: ``given`` (started by the caller, e.g. the command line before
    its imports), else ``plots.painters`` forked now, before the sweep's workers, one per
    figure the sweep draws. Either way they load matplotlib at once, once."""
    from nnlab import plots

    if given is not None:
        return contextlib.nullcontext(given)
    return plots.painters(figures_of(defn.preset))


def prepare_figures(
    defn: SweepDef, trials: list[Trial], painters: list[Any], idle: bool = False
) -> None:
    """Have ``painters`` build what the figures of a sweep of ``trials`` need no results for
    (a preset's ``canvases``) while the trials run; ``idle`` where the workers keep every core
    busy: on the CPU time they leave only (``plots.IdleCanvas``), not taken from them."""
    from nnlab import plots
    from nnlab.sweep import presets

    if defn.preset in presets.PRESETS:
        canvases = presets.get(defn.preset).canvases([t.config for t in trials])
        plots.prepare_all(canvases, painters, idle=idle)


def summary_columns(rows: list[Row], keys: list[str], wide: bool = True) -> list[str]:
    """Table columns: trial, swept keys, (seed,) status, epochs_done, final (and best)
    accuracies; each once (a sweep of ``seed`` has one seed column)."""
    done = ["status", "epochs_done"]
    cols = list(dict.fromkeys(["trial", *keys, *(["seed"] if wide else []), *done]))
    metrics = list(dict.fromkeys(k for r in rows for k in r if k.endswith("_acc")))
    finals = [k for k in metrics if k.startswith("final_")]
    bests = [k for k in metrics if k.startswith("best_")] if wide else []
    return cols + finals + bests


def summary_title(run_id: str, status: str, rows: list[Row]) -> str:
    """A sweep's table's title: its id, status and its trials' statuses counted, ``<id>:
    COMPLETED (30 COMPLETED, 2 DIVERGED)``; the one title of its table, printed at its end,
    in summary.txt and by ``runs show`` (the printed one said ``<id>: COMPLETED`` alone)."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return f"{run_id}: {status} ({', '.join(f'{n} {s}' for s, n in counts.items())})"


def applies(spec: SweepSpec, key: str, row: Row) -> bool:
    """Whether the swept ``key`` applies to the trial of ``row``: not a key its variant has not
    (``variants.left_out``: ``optimizer.momentum`` in an sgd trial), nor a width at
    ``model.depth=0`` (no hidden layer)."""
    if key == WIDTH and row.get(DEPTH) == 0:
        return False
    return not left_out(spec, key, row)


def table_rows(rows: list[Row], spec: SweepSpec) -> list[Row]:
    """``rows`` as a sweep's tables show them: without the swept keys that do not apply to a
    trial (``applies``), which the table spells ``-`` as elsewhere, not ``null`` (JSON, which
    keeps every key, keeps the null)."""
    keys = set(spec.params)
    return [
        {k: v for k, v in row.items() if v is not None or k not in keys or applies(spec, k, row)}
        for row in rows
    ]


def finish_sweep(
    life: runs.Lifecycle, defn: SweepDef, rows: list[Row], status: str, painters: Any = ()
) -> None:
    """Write summary.json/csv/txt and the plots (drawn by ``painters``, where there are) of a
    sweep ending as ``status``."""
    from nnlab.output import table_text, to_csv

    readied()
    run = life.run
    keys = list(defn.spec.params)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1

    def write_summaries() -> None:
        life.note(counts=counts)
        run.write_json(
            "summary.json",
            {"sweep": run.id, "status": status, "keys": keys, "counts": counts, "trials": rows},
        )
        run.write_text("summary.csv", to_csv(rows))
        title = summary_title(run.id, status, rows)
        shown = table_rows(rows, defn.spec)
        run.write_text("summary.txt", table_text(shown, summary_columns(rows, keys), title=title))

    plot_sweep(run, defn, rows, painters, meanwhile=write_summaries)


def trial_curves(run: runs.RunDir, rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    """Each trial's per-epoch records (empty for trials without a folder)."""
    return {r["trial"]: runs.RunDir(trials_dir(run) / r["trial"]).metrics() for r in rows}


def plot_sweep(
    run: runs.RunDir,
    defn: SweepDef,
    rows: list[Row],
    painters: Any = (),
    meanwhile: Callable[[], Any] | None = None,
) -> list[Path]:
    """The sweep's plots: a preset's own figures, else every trial's accuracy curve (drawn by
    ``painters`` where there are, while this process runs ``meanwhile``: ``plots.draw_all``)."""
    from nnlab import plots
    from nnlab.sweep import presets

    curves = trial_curves(run, rows)
    if not any(curves.values()):
        if meanwhile is not None:
            meanwhile()
        return []
    preset = presets.PRESETS.get(defn.preset) if defn.preset else None
    own = preset.figures(run, preset.complete(rows, defn), curves) if preset else None
    if own is None:  # (the generic figure)
        args = (table_rows(rows, defn.spec), curves, list(defn.spec.params))
        own = [
            plots.Drawing(
                plots.sweep_curves_figure,
                run.file("curves.png"),
                args,
                {"title": run.id, "colour_by": defn.colour_by, "listed": listed(defn.spec)},
            )
        ]
    return plots.draw_all(own, painters, meanwhile)


def listed(spec: SweepSpec) -> dict[str, list[Any]]:
    """The values each swept key's axis or ``choice:`` lists, in its order (a legend's order
    for values that are not numbers or lists: a random sweep's, as drawn, was not the
    choice's)."""
    out = {}
    for key, value in spec.params.items():
        if isinstance(value, list):
            out[key] = list(value)
        elif isinstance(value, str) and value.startswith("choice:"):
            out[key] = split_values(value[len("choice:") :], key)
    return out
