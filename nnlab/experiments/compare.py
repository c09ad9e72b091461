"""Compare runs side by side: ``nnlab runs compare``.

Each reference is a run folder or a sweep folder (which stands for all its trials). A row per
run: the config keys in which the runs differ (everything they share is left out), the seed,
status, final/best metrics and the train - test accuracy gap. Rows can be kept to those with a
config value (``--where model.init=std``), sorted by any column and cut to the top N.

Folders are read as ``runs show`` reads them: a named run or sweep with a damaged file is
refused, the file named; a sweep's trials are read from their own folders, a damaged one shown
DAMAGED and one whose folder is gone MISSING, with the reason, never with the numbers the
sweep's summary recorded for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nnlab import runs
from nnlab.errors import ConfigError, RunError, did_you_mean
from nnlab.experiments.where import Where, flatten, key_meant, parse_where, same_value, with_shape
from nnlab.output import as_label, as_written, counted, part_of, separating_keys, spelled

Row = dict[str, Any]
# A run (or a sweep's trial) as the comparison reads it: its row without config keys (run,
# seed, status, metrics) and its config flattened to dotted keys (``where.flatten``)
Entry = tuple[Row, dict[str, Any]]
IGNORED_KEYS = ("name", "seed")  # shown separately (seed) or meaningless to compare (name)


MAX_PANELS = 24  # runs drawn by --png (six rows of four: 20 inches tall)


def _metrics(summary: dict[str, Any]) -> Row:
    """Final and best metrics as the summary has them (``nnlab.summary``'s rule: a diverged
    run's finals are null, its ``diverged_epoch`` said), and ``acc_gap`` = final train minus
    final test accuracy (the generalisation gap of the overfitting demos) when both are there."""
    out = {k: v for k, v in summary.items() if k.startswith(("final_", "best_", "diverged_"))}
    train, test = out.get("final_train_acc"), out.get("final_test_acc")
    if train is not None and test is not None:
        out["acc_gap"] = train - test
    return out


# the folders with training runs in them ('latest': the newest); a tune's are its rounds' trials
COMPARED = ("train", "sweep", "tune")


def _entries(run: runs.RunDir, label: str | None, folders: dict[str, Path]) -> list[Entry]:
    """(row without config keys, flat config) for a run, or for each trial of a sweep (named
    ``<label>/<trial id>`` when a label is given, else by the trial id) or of a tune's rounds
    (``_tune_entries``); ``folders`` gets each
    row's run folder. The folder is read as ``runs show`` reads it: a damaged file is a
    DamagedError naming it. A sweep's trials are read from their folders
    (``sweep.trial_states``): a damaged one is a DAMAGED row, one whose folder is gone a
    MISSING row, each with its ``reason``, not the numbers the sweep recorded for it."""
    from nnlab import sweep

    def name(ident: str) -> str:
        return f"{label}/{ident}" if label else ident

    run.check_files()  # (as runs show: a folder listed DAMAGED is not compared as sound)
    if run.kind == "tune":
        return _tune_entries(run, label, folders)
    if sweep.is_sweep(run):
        out = []
        for trial, state in sweep.trial_states(run):
            base = {"run": name(trial.id), "seed": trial.seed, "status": state["status"]}
            base.update({"epochs_done": state.get("epochs"), **_metrics(state)})
            base.update({"reason": state["reason"]} if "reason" in state else {})
            folders[base["run"]] = sweep.trials_dir(run) / trial.id
            out.append((base, flatten(trial.config.model_dump(mode="json"))))
        return out
    from nnlab.experiments.train import load_run_config

    cfg = load_run_config(run)
    summary = run.summary()
    base = {"run": run.id, "seed": cfg.seed, "status": run.status}
    base.update({"epochs_done": summary.get("epochs"), **_metrics(summary)})
    folders[run.id] = run.path
    return [(base, flatten(cfg.model_dump(mode="json")))]


def _tune_entries(run: runs.RunDir, label: str | None, folders: dict[str, Path]) -> list[Entry]:
    """``_entries`` of each round of a tune (its sweep: the trials it drew), round by round
    as its tune.json records them, each trial named ``r<round>/<trial id>`` (after ``label``);
    a round whose folder is gone (``runs.absent_round``) has none."""
    out = []
    for entry in run.rounds():
        if "sweep" not in entry:  # (a round stopped before its folder was made)
            continue
        folder = runs.RunDir(run.path / entry["sweep"])
        if runs.absent_round(folder) is None:
            inner = f"r{entry['round']}"
            out += _entries(folder, f"{label}/{inner}" if label else inner, folders)
    return out


def select(entries: list[Entry], where: Where) -> list[Entry]:
    """The entries whose config (or row: ``status``, ``seed``) has, for each key of ``where``,
    one of its values. A key none has is refused with the keys there are; a value no run has
    with the values there are (a mistyped ``model.init=He`` kept no row, silently). A sweep's
    shape keys are read from ``model.hidden`` (``where.with_shape``)."""
    for key, values in where:
        shaped = [with_shape(cfg) for _, cfg in entries]
        known = list(dict.fromkeys(k for (base, _), cfg in zip(entries, shaped)
                                   for k in [*cfg, *base]))  # fmt: skip
        if key not in known:
            raise ConfigError(
                f"--where: no config key {key!r} in these runs{key_meant(key, known)}"
            )

        found = [  # (a run without the key, of which it says nothing: NOT_THERE, no null)
            cfg[key] if key in cfg else base.get(key, NOT_THERE)
            for (base, _), cfg in zip(entries, shaped)
        ]
        kept = [e for e, f in zip(entries, found) if any(same_value(f, v) for v in values)]
        if not kept:
            raise ConfigError(no_run_has(key, values, found))
        entries = kept
    return entries


NOT_THERE = object()  # (a run's value of a key it does not have)


def no_run_has(key: str, wanted: list[Any], found: list[Any]) -> str:
    """The line of a ``--where`` value no run has: the values the runs have, and how many runs
    have no such key (another optimizer's, ``model.width`` of layers of several widths or of
    none); a run without the key read as a null among the values (``where.with_shape``)."""
    have = list(dict.fromkeys(as_written(f) for f in found if f is not NOT_THERE))
    without = sum(f is NOT_THERE for f in found)
    values = f"its values here: {', '.join(have)}" if have else "none has it"
    others = f"; {counted(without, 'run')} without it" if have and without else ""
    return f"--where: no run has {key}={' or '.join(spelled(v) for v in wanted)}; {values}{others}"


def short_run(run: str) -> str:
    """A row's run as a figure's panel names it: a folder id without its time stamp
    (``digits-quickstart-eb2d35``); a sweep's trial as ``<the sweep's suffix>/<trial>``, a
    tune's as ``<the tune's suffix>/r<round>/<trial>`` (``r1/<trial>`` of the one tune
    compared): which folder, which round, which trial (two tunes' were both ``r1/<trial>``)."""
    *outer, inner = run.split("/")
    if outer:
        return "/".join([outer[0].rsplit("-", 1)[-1], *outer[1:], inner])
    parts = inner.split("-", 2)
    stamped = len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit()
    return parts[2] if stamped else inner


def differing(entries: list[Entry]) -> tuple[list[Row], list[str]]:
    """(a row per entry: its run, the config keys the entries differ in, then the rest of its
    row; those keys). A key one config has and another has not differs, even from a null; a
    row leaves out a key its config does not have (it does not apply), and keeps a null."""
    keys = list(dict.fromkeys(k for _, cfg in entries for k in cfg if k not in IGNORED_KEYS))
    varying = [k for k in keys if len({(k in cfg, repr(cfg.get(k))) for _, cfg in entries}) > 1]
    rows = []
    for base, cfg in entries:
        row = {"run": base["run"], **{k: cfg[k] for k in varying if k in cfg}}
        row.update({k: v for k, v in base.items() if k != "run"})
        rows.append(row)
    return rows, varying


def sort_rows(rows: list[Row], key: str, reverse: bool = False) -> list[Row]:
    """Best first: descending for accuracies (``*_acc``), ascending otherwise (a smaller gap,
    loss or epoch count first); ``reverse`` flips.
    Rows without a value for ``key`` go last."""
    if rows and not any(key in r for r in rows):
        columns = list(dict.fromkeys(k for r in rows for k in r))
        ending = [c for c in columns if c.endswith(f".{key}")]  # ('lr': optimizer.lr)
        ending = ending or [
            c for c in columns if c in (f"final_{key}", f"{key}_done")
        ]  # ('test_acc':
        # not best_; 'epochs': epochs_done, where the runs' configs agree in epochs)
        hint = f" (did you mean {ending[0]!r}?)" if len(ending) == 1 else did_you_mean(key, columns)
        raise ConfigError(f"--sort: no column {key!r}{hint}; columns: {', '.join(columns)}")
    descending = key.endswith("_acc") != reverse
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]

    def value(r: Row) -> Any:
        v = r[key]
        return (0, v) if isinstance(v, (int, float)) else (1, str(v))

    return sorted(present, key=value, reverse=descending) + missing


def compare_runs(
    refs: Sequence[str],
    runs_dir: Path = runs.DEFAULT_ROOT,
    *,
    sort: str | None = None,
    top: int | None = None,
    reverse: bool = False,
    png: Path | None = None,
    where: Sequence[str] = (),
) -> tuple[list[Row], list[str], int]:
    """Rows comparing the runs (and sweeps' trials) that ``refs`` name, the table's columns and
    the number of rows before ``top`` cut them.

    A row: run, the config keys that differ between the rows, seed, status, epochs_done (the
    epochs it trained; ``epochs`` is the config key, as ``runs list`` names them), final and
    best metrics, ``acc_gap``. A config key that a run's config does not have (another
    dataset's, such as ``dataset.noise`` of a spiral beside a digits run) is not in its row
    (a table shows ``-``, CSV an empty field, JSON leaves the key out); one its config sets to
    null is None (``null``). The columns (for a table) leave out seed and the best/loss
    metrics. ``png``: also a figure of each row's train and test accuracy per epoch, side by
    side, the gap between them shaded (DLFS figures 6-20 to 6-23). ``where``: only the rows
    with these config values (``select``: ``["model.init=std"]``), before the keys they differ
    in are found (a key all kept rows share is no column).
    """
    if not refs:
        raise RunError("give at least one run, sweep or tune folder to compare")
    if top is not None and top < 1:
        raise ConfigError(f"--top: expected a positive number, got {top}")
    wanted = parse_where(where)  # (before any folder is read: a malformed one said first)
    found = [runs.find_run(runs_dir, ref, kind=COMPARED) for ref in refs]
    found = list({run.path.resolve(): run for run in found}.values())  # (one row per folder)
    entries: list[Entry] = []
    folders: dict[str, Path] = {}
    for run in found:
        entries.extend(_entries(run, run.id if len(found) > 1 else None, folders))
    rows, varying = differing(select(entries, wanted))
    if sort is not None:
        rows = sort_rows(rows, sort, reverse)
    total = len(rows)
    if top is not None:
        rows = rows[:top]
    finals = list(dict.fromkeys(k for r in rows for k in r if k.startswith("final_")))
    columns = ["run", *varying, "status", "epochs_done"]  # (epochs: the config key, always)
    columns += [k for k in finals if k.endswith("_acc")]
    columns += [c for c in ("acc_gap", "reason") if any(c in r for r in rows)]
    if png is not None:
        chosen = f"the top {len(rows):,}" if sort else f"the first {len(rows):,}"
        cut = f"{chosen} of {counted(total, 'run')}" + (f" by {sort}" if sort else "")
        draw_gaps(
            rows, varying, folders, png, " and ".join(where), cut if total > len(rows) else ""
        )
    return rows, list(dict.fromkeys(columns)), total


def compare_title(
    shown: int,
    total: int,
    *,
    sort: str | None = None,
    reverse: bool = False,
    where: Sequence[str] = (),
) -> str:
    """The title of a comparison's table, ``shown`` rows of ``total``: which they are (the
    top ones when sorted best first, else the first), the ``where`` they hold and the sort:
    '3 of 12 runs where model.init=std, sorted by final_test_acc'."""
    title = part_of(shown, total, "run", "top" if sort is not None and not reverse else "first")
    title += f" where {' and '.join(where)}" if where else ""
    title += f", sorted by {sort}{' (reversed)' if reverse else ''}" if sort else ""
    return title


def draw_gaps(
    rows: list[Row], varying: list[str], folders: dict[str, Path], png: Path, kept: str = "",
    cut: str = "",
) -> None:  # fmt: skip
    """``png``: each row's train and test accuracy per epoch, side by side, the gap shaded. A
    panel names its run and at most 3 of the keys the runs differ in, those that tell them
    apart first (with every key, the titles of 5 runs ran to 13 lines and the plots shrank to
    strips). At most ``MAX_PANELS`` panels, the first rows, the title says of how many, and
    which runs ``--where`` kept (``kept``: its keys are no panel's, all runs sharing them)
    and ``--top`` chose (``cut``: 'the top 12 of 39 runs by final_test_acc'; the title said '12
    runs', as if there were no others). The keys are those the drawn runs differ in
    (``--top``: a key the runs left out differ in named the same value on every panel, as
    another key was left out)."""
    from nnlab import plots

    drawn = [r for r in rows[:MAX_PANELS] if "reason" not in r]
    varying = [k for k in varying if len({(k in r, repr(r.get(k))) for r in drawn}) > 1]
    telling = separating_keys(drawn, varying)
    fill = [k for k in varying if k not in telling][: 3 - len(telling)]
    named = [k for k in varying if k in telling or k in fill]  # (in config order)
    more = [f"(+{counted(len(varying) - len(named), 'other key')})"] if varying != named else []
    panels = [
        {
            "label": "\n".join(
                [short_run(r["run"]), *(as_label(k, r[k]) for k in named if k in r), *more]
            ),
            "records": runs.RunDir(folders[r["run"]]).metrics(),
            "status": r["status"],  # (drawn as diverged only if it did: its summary says where)
            "diverged_epoch": runs.RunDir(folders[r["run"]]).summary().get("diverged_epoch"),
        }
        for r in rows
        if "reason" not in r  # (DAMAGED or MISSING: its row says so, no records are read)
    ]
    splits = list(dict.fromkeys(plots.held_out(p["records"]) for p in panels[:MAX_PANELS]))
    what = f"train and {' or '.join(splits or ['test'])} accuracy, the gap between them"
    title = f"{what}: {f'{cut} (--top)' if cut else counted(len(panels), 'run')}"  # (a tune's
    # trials: val, its test held back)
    if len(panels) > MAX_PANELS:  # (128 runs made a figure 117 inches tall)
        title = (f"{what}: the first {MAX_PANELS} of {counted(len(panels), 'run')}, as the "
                 "table lists them (--sort, --top)")  # fmt: skip
    title += f"\nwhere {kept}" if kept else ""
    plots.save(plots.accuracy_gaps_figure(panels[:MAX_PANELS], title=title), png)
