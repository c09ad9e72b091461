"""A tune's results (``nnlab.experiments.tune``): its top trials over all rounds, the ranges
searched and proposed round by round, the warnings, and the files that say them (summary.json,
summary.txt, tune-curves.png, tune-scatter.png)."""

from __future__ import annotations

from typing import Any

from nnlab import runs, sweep
from nnlab.experiments.tune_setup import VAL_FRACTION, TuneSettings
from nnlab.output import ConfigFloat, Table, counted, part_of, table_text
from nnlab.summary import DIVERGED, best_first

Row = dict[str, Any]
# tune's RoundResult, typed by name only: importing it would be a circle
RoundResult = Any


def top_rows(settings: TuneSettings, results: list[RoundResult], n: int) -> list[Row]:
    """The best ``n`` trials over all rounds: rank, round, trial, values, val/train accuracy."""
    pool = [(rr.index, r) for rr in results for r in rr.ranked]
    pool.sort(
        key=lambda p: (best_first(settings.metric, p[1][settings.metric]), p[0], p[1]["trial"])
    )
    out = []
    for i, (index, r) in enumerate(pool[:n], start=1):
        row: Row = {"rank": i, "round": index, "trial": r["trial"]}
        row.update({k: r[k] for k in settings.ranges})
        row[settings.metric] = r[settings.metric]
        row["final_train_acc"] = r.get("final_train_acc")
        out.append(row)
    return out


def range_rows(results: list[RoundResult]) -> list[Row]:
    """Per round and key: the searched range, the best value so far (this round's or an
    earlier one's: the one the proposal keeps), the proposed next range."""
    rows = []
    for rr in results:
        best = rr.leader or {}
        for key, r in rr.ranges.items():
            p = rr.proposed[key]
            edge = r.edge(best[key]) if key in best else None
            rows.append(
                {
                    "round": rr.index,
                    "key": key,
                    "searched": r.short(),
                    "best": best.get(key),
                    "proposed": p.short(),
                    "edge": edge or "",
                }
            )
    return rows


RANGES_TITLE = "ranges: searched, best value so far, proposed next"


def ranges_table(ranges: list[Row]) -> Table:
    """The ranges table as the tune prints it, its summary.txt holds it and ``runs show`` draws
    it: the best value so far spelled as the top trials' table and the warnings spell that
    value (``config_number``: ``0.09155``; as a measured number it read ``0.0915`` beside
    the top table's ``0.09155``); summary.json keeps the number itself."""
    rows = [
        {**r, "best": ConfigFloat(r["best"])} if isinstance(r.get("best"), float) else r
        for r in ranges
    ]
    return Table(rows, title=RANGES_TITLE)


def warning_lines(results: list[RoundResult]) -> list[str]:
    """Every round's warnings once, in the order of the rounds; with several rounds each says
    its round (``round 2: optimizer.lr: the best value ...``)."""
    several = len(results) > 1
    return [f"round {rr.index}: {w}" if several else w for rr in results for w in rr.warnings]


def summarize(settings: TuneSettings, results: list[RoundResult]) -> dict[str, Any]:
    """summary.json: the rounds' counts by status, the top trials, the ranges, warnings."""
    top = top_rows(settings, results, settings.top_k)
    last = results[-1]
    counts: dict[str, int] = {}
    for rr in results:
        for r in rr.rows:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {
        "status": "COMPLETED",
        "metric": settings.metric,
        "rounds": len(results),
        "trials": counts,
        "best": top[0] if top else None,
        "top": top,
        "ranges": range_rows(results),
        "proposed": {k: r.short() for k, r in last.proposed.items()},
        "warnings": [w for rr in results for w in rr.warnings],
        "sweeps": [str(rr.sweep_run.path) for rr in results],
    }


def dry_run_title(checked: Any) -> str:
    """What a dry run of the tune ``checked`` calls the trials its table shows: 'tune NAME,
    round 1' (of its rounds, where there are more)."""
    rounds = checked.rounds
    return f"tune {checked.name}, round 1" + (f" of {rounds}" if rounds > 1 else "")


def dry_run_note(checked: Any) -> str:
    """What a dry run of the tune ``checked`` (``tune.preview_tune``'s settings: its ranges,
    rounds and top-k) says of its search: the ranges of round 1, and where there are more
    rounds, that they draw from the ranges its top trials propose (drawn as each starts)."""
    rounds = checked.rounds
    spans = ", ".join(f"{k}={r.short()}" for k, r in checked.ranges.items())
    later = "round 2 draws" if rounds == 2 else f"rounds 2 to {rounds} draw"
    return f"note: round 1 searches {spans}" + (
        f"; {later} from the ranges proposed by the top {counted(checked.top_k, 'trial')} so "
        "far (their values are drawn as each round starts)" if rounds > 1 else "")  # fmt: skip


def top_title(summary: dict[str, Any]) -> str:
    """The top table's heading, what it shows of how many: "top 5 of 24 trials by val_acc";
    with no trial to show, why (``none_ranked``: it said "top 0 of 3 trials")."""
    if not summary["top"]:
        return none_ranked(summary)
    shown = part_of(len(summary["top"]), sum(summary["trials"].values()), "trial")
    return f"{shown} by {summary['metric']}"


def next_line(
    settings: TuneSettings, proposed: dict[str, str], config: Any = None,
    run: runs.RunDir | None = None,
) -> str:  # fmt: skip
    """The next search as a command to paste, as lr-scan's ``next:`` is (``next: nnlab tune
    CFG optimizer.lr=loguniform:a:b --trials 20 ...``): the command the tune was started
    with, its ranges the last round proposed: the tune's fixed overrides, trials, rounds,
    top-k, metric, epochs, ``--val-fraction`` and seed (``settings``, as tune.json holds
    them). The config is ``config`` (as given), else the file the tune's ``run`` meta.json's
    ``source`` names (a resumed tune: it said ``CONFIG``, and left out the ``--val-fraction``
    given); ``CONFIG`` for a tune that records none (made by an older nnlab). Then the
    ``--data-dir`` and ``--runs-dir`` of the tune's ``run`` (``redo.go_on_options``: without
    them the search looked for MNIST in the default folder, and wrote into ./runs)."""
    import shlex

    from nnlab.redo import go_on_options

    meta = run.meta if run is not None and isinstance(run.meta, dict) else {}
    config = config if config is not None else meta.get("source")
    words = ["nnlab", "tune", str(config) if config else "CONFIG"]
    words += [*settings.overrides, *(f"{k}={v}" for k, v in proposed.items())]
    words += ["--trials", str(settings.trials), "--rounds", str(settings.rounds)]
    words += ["--top-k", str(settings.top_k)]
    if settings.metric != "final_val_acc":
        words += ["--metric", settings.metric]
    if isinstance(epochs := settings.base.get("epochs"), int):
        words += ["--epochs", str(epochs)]
    if settings.val_fraction not in (None, VAL_FRACTION):
        words += ["--val-fraction", str(settings.val_fraction)]
    if settings.seed != 0:
        words += ["--seed", str(settings.seed)]
    place = go_on_options(meta.get("data_dir"), run.path) if run is not None else ""
    return "next: " + shlex.join(words) + place


def best_line(run: runs.RunDir, summary: dict[str, Any]) -> str | None:
    """What to run with the search's result: its best trial trained again, as the report's
    page offers it (``best: nnlab train <tune>/rounds/<round>/trials/<id>/config.yaml``, with
    ``--threads 1`` for a net ``train`` would give more BLAS threads: ``again_threads``); None
    without a best trial or where its folder is gone. The terminal gave the next search's
    ranges only."""
    import shlex
    from pathlib import Path

    best, sweeps = summary.get("best"), summary.get("sweeps") or []
    if not isinstance(best, dict) or not 0 < best.get("round", 0) <= len(sweeps):
        return None
    folder = run.path / "rounds" / Path(sweeps[best["round"] - 1]).name / "trials"
    config = folder / str(best.get("trial")) / "config.yaml"
    if not config.is_file():
        return None
    from nnlab.blas import again_threads
    from nnlab.errors import NnlabError
    from nnlab.redo import go_on_options

    data = go_on_options(run.meta.get("data_dir"), config.parent)
    try:  # (its BLAS threads, one, where train would choose more: its numbers, bit for bit)
        data += again_threads(runs.RunDir(config.parent).meta)
    except NnlabError:  # (a trial's meta.json damaged: runs show names it; offered as before)
        pass
    return (
        f"best: nnlab train {shlex.quote(str(config))}{data} (trial {best['trial']} of round "
        f"{best['round']} again; its config holds out the validation split)"
    )


def none_ranked(summary: dict[str, Any]) -> str:
    """Why a tune ranks no trial, from its trials' counts by status: "no trial completed: all
    3 diverged" ("2 diverged, 1 failed"; "the one trial failed"). Completed trials without the
    metric (a tune.json's metric edited): "no trial has a final_zzz: all 3 completed"."""
    counts = {status: n for status, n in summary["trials"].items() if n}
    total = sum(counts.values())
    lead = f"no trial has a {summary['metric']}" if "COMPLETED" in counts else "no trial completed"
    if total == 0:
        return f"{lead}: the tune ran none"
    if len(counts) > 1:
        return f"{lead}: " + ", ".join(f"{n:,} {s.lower()}" for s, n in counts.items())
    ((status, _),) = counts.items()
    ended = "the one trial" if total == 1 else f"all {total:,}"
    return f"{lead}: {ended} {status.lower()}"


def write_outputs(
    run: runs.RunDir, settings: TuneSettings, results: list[RoundResult], summary: dict[str, Any]
) -> None:
    """summary.json, summary.txt (the top trials, the ranges, the warnings), tune-curves.png
    and tune-scatter.png."""
    from nnlab import plots

    run.write_json("summary.json", summary)
    text = table_text(summary["top"], title=f"{run.id}: {top_title(summary)}")
    text += ranges_table(summary["ranges"]).text()
    text += "".join(f"warning: {w}\n" for w in warning_lines(results))
    run.write_text("summary.txt", text)
    curves = {}
    for row in summary["top"]:
        rr = results[row["round"] - 1]
        curves[row["trial"]] = runs.RunDir(sweep.trials_dir(rr.sweep_run) / row["trial"]).metrics()
    keys = list(settings.ranges)
    figure = plots.tune_curves_figure(
        summary["top"], curves, keys, title=run.id, none=top_title(summary)
    )
    plots.save(figure, run.file("tune-curves.png"))
    points = [
        {"round": rr.index, **{k: r[k] for k in keys}, "metric": r[settings.metric]}
        for rr in results
        for r in rr.ranked
    ] + [  # (a diverged trial has no metric, but its values were searched: a cross)
        {"round": rr.index, **{k: r[k] for k in keys}, "metric": None, "diverged": True}
        for rr in results
        for r in rr.rows
        if r.get("status") == DIVERGED
    ]
    logs = {k: r.dist == "loguniform" for k, r in settings.ranges.items()}
    failed = sum(r.get("status") == "FAILED" for rr in results for r in rr.rows)
    figure = plots.tune_scatter_figure(points, keys, logs, settings.metric, run.id, failed)
    plots.save(figure, run.file("tune-scatter.png"))
