"""DLFS 6.5: hyperparameter search on a validation split, narrowing the ranges round by round.

The recipe (DLFS 6.5.3, cs231n "Hyperparameter optimization"):

0. set a range for each hyperparameter (log-uniform for rates and decays);
1. draw values at random from the ranges;
2. train briefly with them and measure the accuracy on **validation** data;
3. repeat, then narrow the ranges to where the best trials are, and search again.

Validation data is carved out of the training data and the test set is never touched: every
trial's config evaluates only ``[train, val]``. Unless the config already has ``dataset.n_val``,
``val_fraction`` of the training split (DLFS: 20 %) becomes the validation split: with the same
``split_seed`` the new validation and training splits together are exactly the old training
split, and the test split does not move.

Each round is an ordinary random sweep (``nnlab.sweep``: ``--jobs`` workers,
order-independent trial seeds, resume) in ``<tune folder>/rounds/``. After a round the trials
are ranked by ``metric`` (final validation accuracy), and for every searched key the top-k
trials *so far* (of this round and the rounds before: a round that finds nothing better
keeps the best found before inside the next range) give the next range: ``[min, max]`` of
their values (widened x2 around a single value). When the best value lies at the edge of the
round's range (within 10 % of the range's width, in log space for log-uniform keys) the
optimum may lie outside: a warning says so, and the next range is extended past that edge by
half its own width.

The tune folder holds ``tune.json`` (settings and rounds), ``summary.json`` / ``summary.txt``
(top trials, the proposed ranges, warnings), ``tune-curves.png`` (the top trials' validation
accuracy per epoch) and ``tune-scatter.png`` (validation accuracy against each key).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nnlab import runs, signals, sweep, times
from nnlab.config import read_config
from nnlab.errors import ConfigError, OptionError, RunError
from nnlab.experiments.tune_report import summarize, write_outputs
from nnlab.experiments.tune_search import (  # (re-exported: the ranges and the ranking)
    Range as Range,
    check_counts,
    default_ranges as default_ranges,
    parse_args as parse_args,
    propose as propose,
    rank as rank,
    round_seed as round_seed,
)
from nnlab.experiments.tune_setup import (  # (re-exported: the settings, the base config)
    VAL_FRACTION,
    TuneSettings as TuneSettings,
    with_validation as with_validation,
)
from nnlab.fileio import dumps, loads
from nnlab.plans import content_hash
from nnlab.resumes import resumed
from nnlab.summary import shown_metric

Row = dict[str, Any]


@dataclass
class RoundResult:
    """One round: its ranges, the sweep that ran it, ranked rows, proposal and warnings;
    ``leader``: the best trial so far (this round's or an earlier one's), which the proposal
    and the warnings are about."""

    index: int
    ranges: dict[str, Range]
    sweep_run: runs.RunDir
    rows: list[Row]
    ranked: list[Row]
    proposed: dict[str, Range]
    warnings: list[str]
    leader: Row | None = None


@dataclass
class TuneResult:
    run: runs.RunDir
    settings: TuneSettings
    rounds: list[RoundResult]
    summary: dict[str, Any]
    notes: list[str] = field(default_factory=list)  # on the input (a sweep: section left out)


Progress = Callable[[str], None]


# ----------------------------------------------------------------------------- set-up
def round_defn(settings: TuneSettings, index: int, ranges: dict[str, Range]) -> sweep.SweepDef:
    """The random sweep of round ``index`` (1-based): its own seed, the round's ranges."""
    spec = sweep.SweepSpec(
        kind="random",
        params={k: r.spec() for k, r in ranges.items()},
        trials=settings.trials,
        seed=round_seed(settings.seed, index),
    )
    return sweep.SweepDef(name=f"{settings.name}-r{index}", base=settings.base, spec=spec)


# ----------------------------------------------------------------------------- running
def tune(
    config: Path,
    args: list[str] | None = None,
    *,
    rounds: int = 1,
    trials: int = 20,
    top_k: int = 5,
    epochs: int | None = None,
    val_fraction: float = VAL_FRACTION,
    seed: int = 0,
    metric: str = "final_val_acc",
    jobs: int = 1,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    folder: str | None = None,
    progress: Progress | None = None,
    stack: int = sweep.DEFAULT_STACK,
    executor: sweep.Executor | None = None,
    heading: Progress | None = None,
) -> TuneResult:
    """Search ``config`` over the ranges in ``args`` (default: DLFS's lr and weight decay).

    ``progress`` gets a line per finished trial, ``heading`` (default ``progress``) a line
    as each round starts (its ranges), so that a log that keeps only some trial lines can
    still say which round they belong to. The edge warnings are in the result, not in the
    progress."""
    settings, section = tune_settings(
        config, args, rounds=rounds, trials=trials, top_k=top_k, epochs=epochs,
        val_fraction=val_fraction, seed=seed, metric=metric, data_dir=data_dir,
    )  # fmt: skip
    # every trial config valid, and trainable on its data, before a folder exists
    first = round_defn(settings, 1, settings.ranges)
    sweep.check_trials(first, sweep.plan(first), data_dir, stack, jobs, rounds=rounds,
                       root=runs_dir)  # fmt: skip
    runner = executor or sweep.make_executor(jobs)  # (each round's: ``executor`` or one alike)
    runner.check(trials)  # (a round's workers: one a trial)
    _ = executor and executor.workers  # (asks a Dask scheduler, once: failing before the folder)
    with runs.start(
        runs_dir,
        f"tune-{settings.name}",
        "tune",
        folder=folder,
        resume=TUNE_RESUME,
        name=settings.name,
        seed=seed,
        jobs=jobs,  # (how it runs: a resume not told otherwise runs as it did)
        stack=stack,
        **sweep.executor_options(runner),
        data_dir=runs.data_dir_text(data_dir),
        source=str(Path(config).absolute()),  # (its ``next:``, once resumed elsewhere)
        settings_hash=content_hash(loads(dumps(settings.to_json()))),  # (as read back)
        files={"tune.json": {"settings": settings.to_json(), "rounds": []}},
    ) as life:
        lines = (progress, heading)
        result = _drive(life, settings, [], data_dir, jobs, lines, stack, executor)
    result.notes += [f"{config}: {SECTION_LEFT_OUT}"] if section is not None else []
    return result


def tune_settings(
    config: Path,
    args: list[str] | None,
    *,
    data_dir: Path | None,
    epochs: int | None,
    val_fraction: float,
    **counts: Any,
) -> tuple[TuneSettings, Any]:
    """A new tune's settings (``counts``: rounds, trials, top_k, seed, metric), checked, and
    the config's ``sweep:`` section (left out: not None means a note says so)."""
    check_counts(counts["rounds"], counts["trials"], counts["top_k"], counts["metric"])
    ranges, fixed = parse_args(list(args or []))
    ranges = ranges or default_ranges(fixed)
    raw, section = read_config(Path(config))
    shaped = sweep.fixed_shape(raw, fixed)  # (model.depth=2: model.hidden, as it says)
    base = with_validation(raw, shaped, val_fraction, epochs, data_dir, str(config))
    sweep.check_draws(base, sweep.parse_sweep_args(list(args or []))[0])  # (as written)
    name = sweep.base_name(base, fixed, ranges, Path(config).stem)  # (the dataset it reads)
    return TuneSettings(name, base, ranges, fixed, **counts, val_fraction=val_fraction), section


def preview_tune(
    config: Path | None,
    args: list[str] | None = None,
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    jobs: int = 1,
    stack: int = sweep.DEFAULT_STACK,
    **settings: Any,
) -> tuple[TuneSettings, Any, list[str]]:
    """What ``run_tune`` would run, checked as it checks it, with nothing written: its settings,
    the dry run (``sweep.preview``'s ``Preview``) of its first round, whose work is counted
    ``rounds`` times against the limits (the later rounds draw from ranges their predecessors
    propose, so only the first round's trials are known before it runs), and the notes the
    tune would make on its input."""
    from nnlab.sweep.preview import preview_sweep

    if config is None:
        raise ConfigError("give a config file")
    root, folder = runs.location(runs_dir, out)
    if folder is not None and (root / folder).exists():  # (as ``runs.make_folder`` refuses it)
        raise RunError(f"{root / folder}: run folder already exists")
    checked, section = tune_settings(config, args, data_dir=data_dir, **settings)
    first = round_defn(checked, 1, checked.ranges)
    preview = preview_sweep(first, data_dir=data_dir, runs_dir=root, jobs=jobs, stack=stack,
                            rounds=checked.rounds)  # fmt: skip
    return checked, preview, [f"{config}: {SECTION_LEFT_OUT}"] if section is not None else []


TUNE_RESUME = "nnlab tune --resume {path}"
SECTION_LEFT_OUT = (
    "its sweep: section is left out; tune searches its own ranges (key=loguniform:LOW:HIGH; "
    "default optimizer.lr and weight_decay)"
)


def resume_tune(
    run: runs.RunDir,
    *,
    data_dir: Path | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    stack: int = sweep.DEFAULT_STACK,
    executor: sweep.Executor | None = None,
    heading: Progress | None = None,
) -> TuneResult:
    """Continue a tune folder: unfinished rounds' sweeps resume (and a finished round's whose
    trial folder was removed), rounds not run yet run, and a recorded round whose folder is
    gone runs again where tune.json records it (``progress``, ``heading``: as ``tune``'s).
    A round or trial folder that cannot be read, or a tune.json, refuses the resume before
    anything changes, as ``sweep --resume`` refuses it; so do rounds left over the limits."""
    if not run.file("tune.json").exists():
        run.check_founded()  # (DamagedError for a tune's folder that lost it)
        raise RunError(f"{run.path}: not a tune folder (no tune.json)")
    with runs.released(run):  # (refused once claimed: the folder is let go)
        runs.take_over(run)
        settings, recorded = _read_state(run)
        data_dir = runs.resume_data_dir(run, data_dir)
        for i, entry in enumerate(recorded, start=1):  # (nothing changed yet: as sweep
            if "sweep" in entry:  # --resume refuses)
                _check_round(runs.RunDir(run.path / entry["sweep"]), entry, i, data_dir)
        runs.refuse_finished(run, left := _rounds_left(run, settings, recorded))
        first = round_defn(settings, 1, settings.ranges)  # (a round's work, as tune counts it)
        sweep.check_trials(
            first, sweep.plan(first), data_dir, stack, jobs, left, run.path, resume=True
        )
        (executor or sweep.make_executor(jobs)).check(settings.trials)  # (as ``tune``'s)
        _ = executor and executor.workers  # (a Dask scheduler asked before any change)
        with runs.reopen(run, resume=TUNE_RESUME, jobs=jobs, stack=stack) as life:
            lines = (progress, heading)
            return _drive(life, settings, recorded, data_dir, jobs, lines, stack, executor)


def _rounds_left(run: runs.RunDir, settings: TuneSettings, recorded: list[dict[str, Any]]) -> int:
    """The rounds a resume would run or resume (as ``_drive`` decides): those not recorded,
    recorded with their folder gone, or whose sweep is not COMPLETED with every trial there."""
    left = 0
    for index in range(1, settings.rounds + 1):
        entry = next((r for r in recorded if r["round"] == index and "sweep" in r), None)
        folder = runs.RunDir(run.path / entry["sweep"]) if entry is not None else None
        if folder is None or runs.absent_round(folder) or folder.status != "COMPLETED":
            left += 1
        elif not _all_ran(sweep.sweep_rows(folder, files=False)):
            left += 1
    return left


def _read_state(run: runs.RunDir) -> tuple[TuneSettings, list[dict[str, Any]]]:
    """The settings and rounds a tune folder's tune.json records; DamagedError naming it, and
    the part, if they cannot be read as ``tune`` wrote them (``RunDir.rounds`` checks the
    rounds' numbers and folders, this their ranges and the settings)."""
    recorded, where = run.rounds(), run.file("tune.json")  # (its settings' kinds checked)
    with _part_of(where, "settings"):
        settings = TuneSettings.from_json(run.read_json("tune.json")["settings"])
        runs.check_name(settings.name, "name")
        check_counts(settings.rounds, settings.trials, settings.top_k, settings.metric)
        round_defn(settings, settings.rounds, settings.ranges)  # (its seed fits a sweep's)
    for i, entry in enumerate(recorded, start=1):
        if "sweep" in entry:  # (a round to read back or run again)
            with _part_of(where, f"rounds entry {i}"):
                for key, spec in entry["ranges"].items():
                    Range.parse(key, spec)
    return settings, recorded


@contextlib.contextmanager
def _part_of(where: Path, part: str) -> Iterator[None]:
    """What goes wrong reading ``part`` of tune.json as a DamagedError naming both."""
    try:
        yield
    except KeyError as exc:
        raise runs.DamagedError(f"{where}: {part} has no {exc}") from None
    except ValidationError as exc:  # (a sweep definition of the settings: the first error)
        error = exc.errors()[0]
        loc, msg = ".".join(str(x) for x in error["loc"]), error["msg"]
        raise runs.DamagedError(
            f"{where}: {part}: {msg[:1].lower()}{msg[1:]}, got {error.get('input')!r} (the "
            f"round's {loc})"
        ) from None
    except (ConfigError, TypeError, AttributeError) as exc:
        raise runs.DamagedError(f"{where}: {part}: {exc}") from None


def _check_round(round_run: runs.RunDir, entry: dict[str, Any], index: int, data: Any) -> None:
    """DamagedError naming the file if a recorded round's folder, or a trial folder in it,
    cannot be read as written (RunError if one its resume would write cannot be written:
    ``sweep.check_trial_writes``), or if tune.json's ``entry`` of it (its ``index``-th) records other
    ranges than its sweep searched (the next rounds are planned from them: an edited range
    was resumed as the round's); DataError if its trials began on other data than ``data``
    (the data folder) holds now; nothing to check for one that is gone (it runs again)."""
    if runs.absent_round(round_run) is not None:
        return
    try:
        round_run.check_files()
    except RunError as exc:
        hint = f"a round of the tune: remove {round_run.path} to run it again"
        raise runs.DamagedError(f"{exc} ({hint})") from None
    searched = (round_run.plan() or {}).get("spec", {}).get("params")
    if searched != entry["ranges"]:
        raise runs.DamagedError(
            f"{round_run.path.parent.parent / 'tune.json'}: the ranges of rounds entry {index}, "
            f"{entry['ranges']}, are not those its sweep searched ({searched}): edited?"
        )
    sweep.check_trial_folders(round_run, trials := sweep.load_sweep(round_run)[1])
    sweep.check_trial_data(round_run, trials, data)
    actions = {t.id: sweep.resume_action(round_run, t) for t in trials}
    pending = [t for t in trials if actions[t.id] != "keep"]
    if pending or round_run.status != "COMPLETED":  # (what its resume writes: asked now)
        runs.own(round_run)
        sweep.check_trial_writes(round_run, pending, actions)


def run_tune(
    config: Path | None,
    args: list[str] | None = None,
    *,
    resume: str | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    data_dir: Path | None = None,
    jobs: int = 1,
    stack: int = sweep.DEFAULT_STACK,
    executor: sweep.Executor | None = None,
    progress: Progress | None = None,
    heading: Progress | None = None,
    **settings: Any,
) -> TuneResult:
    """``nnlab tune``: a new search of ``config`` over ``args`` (``settings``: rounds, trials,
    top_k, epochs, val_fraction, seed, metric), or ``resume`` (a tune folder) continued."""
    if resume is not None:
        if config is not None or args:
            raise ConfigError("--resume takes no config or ranges (the folder has them)")
        if out is not None:  # (it was ignored: the tune went on in its own folder)
            raise OptionError(
                "--out", f"'{out}': not with --resume, which continues in the tune's own "
                "folder; give one of them",
            )  # fmt: skip
        run = resumed(runs_dir, resume, "tune")
        return resume_tune(run, data_dir=data_dir, jobs=jobs, stack=stack, executor=executor,
                           progress=progress, heading=heading)  # fmt: skip
    if config is None:
        raise ConfigError(
            "give a config file (or --resume FOLDER); e.g. nnlab tune configs/digits-quickstart.yaml"
        )
    root, folder = runs.location(runs_dir, out)
    return tune(config, args or [], data_dir=data_dir, runs_dir=root, folder=folder, jobs=jobs,
                stack=stack, executor=executor, progress=progress, heading=heading,
                **settings)  # fmt: skip


@dataclass(frozen=True)
class _Execution:
    """How a round's sweep runs: data, workers, stacks, executor, a per-trial callback."""

    data_dir: Path | None
    jobs: int
    stack: int
    executor: sweep.Executor | None
    on_trial: Callable[[int, int, Row, int], None]

    def kwargs(self) -> dict[str, Any]:
        return {"data_dir": self.data_dir, "jobs": self.jobs, "stack": self.stack,
                "executor": self.executor, "on_trial": self.on_trial}  # fmt: skip


class _TrialLines:
    """A tune's trial lines, a round's trials counted and timed as a sweep's (``times.Tally``:
    ``  trial 3/16, 12 s elapsed, ~48 s left: final_val_acc 0.9133``; they read ``  trial
    3/16: ...``), from the round's start (the trials a resumed round had kept are not its
    pace)."""

    def __init__(self, progress: Progress | None, metric: str) -> None:
        self.progress, self.metric = progress, metric
        self.began = time.monotonic()
        self.tally: times.Tally | None = None

    def new_round(self) -> None:
        self.began, self.tally = time.monotonic(), None

    def __call__(self, done: int, total: int, row: Row, ended: int | None = None) -> None:
        if self.progress is None:
            return
        tally = self.tally or times.Tally("trial", total, done - 1)
        if self.tally is None:
            tally.start = self.began
            self.tally = tally
        said = f"{self.metric} {shown_metric(row, self.metric)}"
        self.progress(f"  {tally.line(done, said, ended)}")


def _drive(
    life: runs.Lifecycle,
    settings: TuneSettings,
    recorded: list[dict[str, Any]],
    data_dir: Path | None,
    jobs: int,
    lines: tuple[Progress | None, Progress | None],
    stack: int,
    executor: sweep.Executor | None,
) -> TuneResult:
    """The rounds: each searches its ranges (a sweep in ``rounds/``; a recorded round's sweep
    is read back or resumed) and proposes the next ranges from its top trials. ``lines``:
    (``progress``, ``heading``) as ``tune`` takes them."""
    progress, heading = lines[0], lines[1] or lines[0]
    run = life.run
    results: list[RoundResult] = []
    ranges = dict(settings.ranges)
    state: dict[str, Any] = {"settings": settings.to_json(), "rounds": list(recorded)}

    on_trial = _TrialLines(progress, settings.metric)
    how = _Execution(data_dir, jobs, stack, executor, on_trial)
    notes: list[str] = []
    seen: list[Row] = []  # (every round's trials so far: the proposals rank them all)
    for index in range(1, settings.rounds + 1):
        on_trial.new_round()
        entry = next((r for r in recorded if r["round"] == index and "sweep" in r), None)
        gone, was = None, dict(entry or {})  # (was: what tune.json recorded of the round)
        if entry is not None:
            ranges = {k: Range.parse(k, v) for k, v in entry["ranges"].items()}
            gone = runs.absent_round(runs.RunDir(run.path / entry["sweep"]))
        else:
            state["rounds"] = [r for r in state["rounds"] if r["round"] != index]
        if heading is not None:
            spans = ", ".join(f"{k}={r.short()}" for k, r in ranges.items())
            again = f" (again: {entry['sweep']} is gone)" if entry is not None and gone else ""
            heading(f"round {index}/{settings.rounds}: {spans}{again}")
        defn = round_defn(settings, index, ranges)
        if entry is None:
            entry = {"round": index, "ranges": {k: r.spec() for k, r in ranges.items()}}
            state["rounds"].append(entry)
            sweep_run, rows = _new_round(run, state, entry, defn, how)
        elif gone:  # (where tune.json records it: the same plan, seeds and rows as before)
            sweep_run, rows = _new_round(run, state, entry, defn, how, Path(entry["sweep"]).name)
        else:
            sweep_run, rows = _recorded_round(runs.RunDir(run.path / entry["sweep"]), how)
        seen += rows
        result = _conclude(settings, index, ranges, sweep_run, rows, entry, seen)
        notes += _rerun_note(index, was, entry) if gone else []
        run.write_json("tune.json", state)
        results.append(result)
        ranges = result.proposed
    summary = summarize(settings, results)
    write_outputs(run, settings, results, summary)
    life.children(lambda: sweep.tune_children(run, seen))
    life.end_as("COMPLETED", failed_trials=sum(r.get("status") == "FAILED" for r in seen))
    return TuneResult(run, settings, results, summary, notes)


def _conclude(
    settings: TuneSettings,
    index: int,
    ranges: dict[str, Range],
    sweep_run: runs.RunDir,
    rows: list[Row],
    entry: dict[str, Any],
    seen: list[Row],
) -> RoundResult:
    """A round's ranking, and the next ranges the top trials of ``seen`` (its and the earlier
    rounds' trials) propose (noted in its tune.json ``entry``, with the best so far)."""
    ranked = rank(rows, settings.metric)
    pool = rank(seen, settings.metric)
    proposed, warnings = propose(ranges, pool, settings.top_k, settings.base)
    leader = pool[0] if pool else None
    entry.update(
        {
            "status": "COMPLETED",
            "proposed": {k: r.spec() for k, r in proposed.items()},
            "warnings": warnings,
            "best": _brief(leader, ranges, settings.metric) if leader else None,
        }
    )
    return RoundResult(index, ranges, sweep_run, rows, ranked, proposed, warnings, leader)


def _new_round(
    run: runs.RunDir,
    state: dict[str, Any],
    entry: dict[str, Any],
    defn: sweep.SweepDef,
    how: _Execution,
    folder: str | None = None,
) -> tuple[runs.RunDir, list[Row]]:
    """A round's sweep in ``rounds/`` (named ``folder``, if given: a recorded round that runs
    again); tune.json names its folder as soon as it exists, and if the sweep ends before it
    starts its trials (interrupted while it gets its workers ready), as it ends: a resume
    continues that folder, not a second one for the round beside it."""

    def on_start(sweep_run: runs.RunDir, done: int = 0, total: int = 0) -> None:
        entry["sweep"] = str(sweep_run.path.relative_to(run.path))
        run.write_json("tune.json", state)

    try:
        result = sweep.run_sweep(
            defn, runs_dir=run.file(runs.ROUNDS), folder=folder, on_start=on_start, nested=True,
            **how.kwargs(),
        )  # fmt: skip
    except BaseException as exc:
        made = getattr(exc, "nnlab_run", None)  # (the sweep's folder, if its lifecycle ended it)
        if "sweep" not in entry and made is not None and made.parent == run.file(runs.ROUNDS):
            with signals.deferred():
                on_start(runs.RunDir(made))
        raise
    return result.run, result.rows


def _rerun_note(index: int, was: dict[str, Any], entry: dict[str, Any]) -> list[str]:
    """A note when a round run again (its folder was gone) ranks or proposes otherwise than
    tune.json recorded (a round is deterministic: its plan, seeds and training are the same;
    another nnlab or NumPy may differ): the rounds after it searched the recorded ranges."""
    same = all(was.get(key) == entry[key] for key in ("best", "proposed"))
    if same or was.get("status") != "COMPLETED":
        return []
    return [
        f"round {index} ran again (its folder was gone) and ranks or proposes otherwise than "
        "tune.json recorded; the rounds after it searched the ranges it proposed then"
    ]


def _recorded_round(sweep_run: runs.RunDir, how: _Execution) -> tuple[runs.RunDir, list[Row]]:
    """A round recorded in tune.json: its rows if its sweep completed with every trial
    ended, else the sweep resumed (a trial whose folder was removed, as a DAMAGED one is to
    be, runs again; one INTERRUPTED continues: the round is ranked on all its trials)."""
    if sweep_run.status == "COMPLETED":
        rows = sweep.sweep_rows(sweep_run, files=False)
        if _all_ran(rows):
            return sweep_run, [sweep.summary_row(row) for row in rows]
    result = sweep.resume_sweep(sweep_run, **how.kwargs())
    return result.run, result.rows


def _all_ran(rows: list[Row]) -> bool:
    """Every trial of a round's sweep has ended (none PENDING, MISSING: removed, INTERRUPTED,
    nor STALE: a COMPLETED sweep of an older nnlab could hold one stopped at its STOP file)."""
    return all(r.get("status") in runs.ENDED for r in rows)


def _brief(row: Row, ranges: dict[str, Range], metric: str) -> Row:
    return {"trial": row["trial"], **{k: row[k] for k in ranges}, metric: row[metric]}
