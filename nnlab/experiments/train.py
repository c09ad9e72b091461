"""One training run into its own run folder: ``nnlab train`` and every command built on it.

``run_training`` loads the data, builds the model, creates the run folder and drives
``nnlab.train.fit_group``, writing each epoch's record and a checkpoint as it goes
(``run_trainings``: several runs that stack, side by side, a folder each). An interrupted (or
killed) run can be continued with ``resume_training`` and ends with the same metrics as an
uninterrupted one.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from nnlab import runs
from nnlab.blas import default_threads
from nnlab.build import build_group, stack_key
from nnlab.collector import release
from nnlab.config import config_hash, to_yaml, validate
from nnlab.config_model import Config
from nnlab.data import Dataset
from nnlab.errors import ConfigError, RunError
from nnlab.experiments.checks import (
    check_compatible,
    check_net_before_data,
    check_total_disk,
    load_checked,
)
from nnlab.group import Group, Solo
from nnlab.naming import config_name
from nnlab.nn.optim import Optimizer
from nnlab.redo import extend_offer
from nnlab.resumes import resumed
from nnlab.signals import deferred
from nnlab.state import set_state
from nnlab.summary import ending, objective_label, summarize
from nnlab.train import Record, StateFn, TrainSettings, fit_group

# (an epoch's record, ``diverged`` true in the one a net diverged in, and its config)
ProgressFn = Callable[[Record, Config], None]

CHECKPOINT_SECONDS = 2.0  # the longest stretch of training a kill can cost
FULL_HASH = 64  # hex digits of the config hash a checkpoint records (meta.json's: its first 8)


@dataclass
class RunResult:
    """What a run ended as: its folder, status and summary."""

    run: runs.RunDir
    status: str
    summary: dict[str, Any]
    records: list[Record] = field(default_factory=list)


def summary_rows(summary: dict[str, Any], cfg: Config) -> list[dict[str, Any]]:
    """The summary as table rows: one per evaluated split, plus the training objective."""
    rows = [
        {
            "metric": objective_label(cfg.weight_decay),
            "final": summary.get("final_loss"),
            "best": None,
        }  # fmt: skip
    ]
    for split in cfg.splits:
        rows.append(
            {
                "metric": f"{split} loss",
                "final": summary.get(f"final_{split}_loss"),
                "best": summary.get(f"best_{split}_loss"),
            }
        )
        rows.append(
            {
                "metric": f"{split} accuracy",
                "final": summary.get(f"final_{split}_acc"),
                "best": summary.get(f"best_{split}_acc"),
            }
        )
    return rows


def summary_text(run_id: str, summary: dict[str, Any], cfg: Config) -> str:
    """summary.txt: the summary's table (``summary_rows``) titled with the run's outcome, as
    the run wrote it and ``runs show`` shows it (from the summary its records give)."""
    from nnlab.output import table_text

    title = f"{run_id}: {ending(summary, cfg.epochs)}"
    return table_text(summary_rows(summary, cfg), title=title)


def _finish(
    run: runs.RunDir, cfg: Config, records: list[Record], painter: Any, status: str
) -> dict[str, Any]:
    """summary.json, summary.txt and (with a ``painter``: ``nnlab.plots.Painter``) curves.png
    of a run that ran to its end or was interrupted (its epochs done, marked so)."""
    drawing = None
    summary = summarize(records, status, cfg.final_only)
    if painter is not None and records and status in ("COMPLETED", "DIVERGED", "INTERRUPTED"):
        from nnlab import plots

        drawn = {
            "title": run.id,
            "status": status,
            "diverged_epoch": summary.get("diverged_epoch"),
            "objective": objective_label(cfg.weight_decay),
        }
        drawing = plots.Drawing(plots.train_curves_figure, run.file("curves.png"),
                                (records, cfg.splits), drawn, tight=False)  # fmt: skip
        painter.send(drawing)  # (drawn there while the summary is written here)
    run.write_json("summary.json", summary)
    run.write_text("summary.txt", summary_text(run.id, summary, cfg))
    if drawing is not None:
        painter.receive(drawing)
    return summary


TRAIN_RESUME = "nnlab train --resume {path}"
ENDED = ("summary.json", "summary.txt")  # what a run's ending writes (a resume's own ending too)


def drive(
    lives: list[runs.Lifecycle],
    cfgs: list[Config],
    data: Dataset,
    built: tuple[Group, Optimizer, list[dict[str, Any]]],
    *,
    start_epoch: int,
    records: list[list[Record]],
    progress: ProgressFn | None,
    painter: Any,
) -> list[RunResult]:
    """Train the ``built`` group (nets, optimizer, generators) and record each net into its
    open lifecycle: metrics, checkpoints, and a summary however the block ends."""
    group, optimizer, rngs = built
    last_save = [-float("inf")] * len(lives)  # each run's first record (epoch 0) is saved
    # what each checkpoint says of its run: a checkpoint copied into another run's folder is refused
    idents = [{"run_id": life.run.recorded_id, "config_hash": config_hash(cfg, FULL_HASH)}
              for life, cfg in zip(lives, cfgs)]  # fmt: skip
    for life, cfg, recs in zip(lives, cfgs, records):
        life.on_end(functools.partial(_finish, life.run, cfg, recs, painter))
        if painter is not None:  # (its empty panels, built there while this trains)
            from nnlab import plots

            painter.prepare(plots.TRAIN_CURVES_AHEAD)

    def on_epoch(net: int, record: Record, state: StateFn | None) -> None:
        life, cfg = lives[net], cfgs[net]
        with deferred():  # (the record, its count and the summary's records as one step: a
            # stop signal after the line was written left them one epoch behind the file)
            life.run.append_metric(record)
            records[net].append(record)
            life.note(epochs_done=record["epoch"])
        # Checkpoint at most every CHECKPOINT_SECONDS (and at the end): a resume goes back to the
        # last checkpoint and replays from there, so any spacing gives the same final metrics.
        # Never at the epoch a net diverged in (no state): a resume of a run stopped before it
        # recorded DIVERGED replays from the checkpoint before and diverges there again.
        final = record["epoch"] >= cfg.epochs
        if state is not None and (final or time.monotonic() - last_save[net] >= CHECKPOINT_SECONDS):
            life.run.save_checkpoint(state(), record["epoch"], idents[net])
            last_save[net] = time.monotonic()
        if progress is not None:  # (the epoch a net diverged in has no state: epoch 0 too)
            progress({**record, "diverged": state is None}, cfg)

    release()  # (the set-up's objects frozen, the collector on: nnlab.collector)
    results = fit_group(
        group,
        optimizer,
        data.splits,
        TrainSettings.of(cfgs[0]),
        rngs,
        start_epoch=start_epoch,
        start_step=records[0][-1].get("steps", 0) if records[0] else 0,
        on_epoch=on_epoch,
        lrs=[cfg.optimizer.lr for cfg in cfgs],
        resumed=bool(records[0]) and records[0][-1]["epoch"] == start_epoch,  # (kept: a resume's)
    )
    for life, result in zip(lives, results):
        life.end_as(result.status, epochs_done=result.epoch)
    return [RunResult(life.run, r.status, summarize(recs, r.status, cfg.final_only), recs)
            for life, cfg, recs, r in zip(lives, cfgs, records, results)]  # fmt: skip


def run_training(
    cfg: Config,
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    overrides: list[str] | None = None,
    folder: str | None = None,
    data: Dataset | None = None,
    progress: ProgressFn | None = None,
    plot: bool = True,
    threads: int | None = None,
    painter: Any = None,
) -> RunResult:
    """Train ``cfg`` into a new run folder under ``runs_dir`` (``folder`` names it exactly),
    with ``threads`` BLAS threads (None: ``blas_threads``'s choice for this net).
    ``painter``: the ``plots.Painter`` of its figure if the caller started one (the command
    line does, before its imports), else one is forked here when ``plot``.

    Data problems and config/data mismatches raise before any folder is created.
    """
    if folder is None:  # (``folder``: a sweep's trial, or --out, which runs.location checked)
        runs.check_new_root(runs_dir)
    with painter_for(plot, painter) as painter:  # (matplotlib loads on the other core meanwhile)
        if data is None:
            data = load_checked(cfg, data_dir)
        check_compatible(cfg, data)  # (the memory, the cause, before the disk it would write)
        check_total_disk(f"training {cfg.name}", [(cfg, data)], runs_dir)
        n_threads = resolve_threads(threads, cfg, data)
        with blas_limit(n_threads):
            (result,) = run_trainings(
                [cfg], data_dir=data_dir, runs_dir=runs_dir, overrides=[overrides or []],
                folders=[folder], data=data, progress=progress, plot=plot,
                extra_meta=[{"blas_threads": n_threads}], painter=painter,
            )  # fmt: skip
    return result


def painter_for(plot: bool, given: Any = None) -> Any:
    """A ``nnlab.plots.Painter`` (a context) when figures are drawn (``given``, if the caller
    started one), else a null context."""
    if not plot or given is not None:
        return contextlib.nullcontext(given if plot else None)
    from nnlab import plots

    return plots.Painter()


def largest_product(cfg: Config, input_dim: int, n_classes: int, n_train: int) -> int:
    """Multiply-adds of the largest matrix product training ``cfg`` makes: a minibatch times a
    layer's fan-in times its fan-out (meta.json's ``largest_product``, which says without the
    data what ``blas_threads`` chose: ``nnlab.blas.again_threads``)."""
    batch = n_train if cfg.batch_size == "full" else min(int(cfg.batch_size), n_train)
    widths = [input_dim, *cfg.model.hidden, n_classes]
    return batch * max(a * b for a, b in zip(widths, widths[1:]))


def blas_threads(cfg: Config, input_dim: int, n_classes: int, n_train: int) -> int:
    """BLAS threads for training ``cfg``: 1 unless its largest matrix product (a batch times
    a layer's fan-in times its fan-out) has ``LARGE_PRODUCT`` multiply-adds or more, then
    every core. Small products gain nothing from more threads, and lose much on a busy
    machine (the README's performance section has the numbers). One
    thread is also what sweep trials use, so a run gives the numbers its config gives there
    (``nnlab.blas``)."""
    return default_threads(largest_product(cfg, input_dim, n_classes, n_train))


def resolve_threads(threads: int | None, cfg: Config, data: Dataset) -> int:
    """The BLAS threads a run of ``cfg`` on ``data`` trains with: ``threads`` (``--threads``),
    else ``blas_threads``'s choice. meta.json records it (``blas_threads``): OpenBLAS adds a
    product's terms in another order with another thread count, so a resume trains with the
    count the run started with."""
    if threads is not None and threads < 1:
        raise ConfigError(f"--threads: expected 1 or more BLAS threads, got {threads}")
    n_train = data.splits["train"][0].shape[0]
    return threads or blas_threads(cfg, data.input_dim, data.n_classes, n_train)


def blas_limit(threads: int) -> Any:
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads)


def run_trainings(
    cfgs: list[Config],
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    overrides: list[list[str]] | None = None,
    folders: list[str | None] | None = None,
    data: Dataset | None = None,
    progress: ProgressFn | None = None,
    plot: bool = True,
    extra_meta: list[dict[str, Any]] | None = None,
    painter: Any = None,
) -> list[RunResult]:
    """Train several runs that can share a stack (equal ``stack_key``) together, one folder
    each, with the same files and numbers as ``run_training`` of each alone.

    ``overrides`` / ``folders`` / ``extra_meta`` are per run. Data problems and config/data
    mismatches raise before any folder is created.
    """
    keys = {stack_key(cfg) for cfg in cfgs}
    if len(cfgs) > 1 and (None in keys or len(keys) > 1):
        raise ValueError("run_trainings: these configs cannot train as one stack")
    if data is None:
        data = load_checked(cfgs[0], data_dir, nets=len(cfgs))
    for cfg in cfgs:
        check_compatible(cfg, data, nets=len(cfgs))
    n = len(cfgs)
    folders, extra_meta = folders or [None] * n, extra_meta or [{}] * n
    overrides = overrides or [[]] * n
    if n > 1 and data.input_dim == 1:  # a first layer one input wide cannot stack exactly
        each = {"data_dir": data_dir, "runs_dir": runs_dir, "data": data, "progress": progress,
                "plot": plot, "painter": painter}  # fmt: skip
        return [
            run_trainings([c], overrides=[o], folders=[f], extra_meta=[e], **each)[0]
            for c, o, f, e in zip(cfgs, overrides, folders, extra_meta)
        ]
    with contextlib.ExitStack() as stack:
        if painter is None:
            painter = stack.enter_context(painter_for(plot))
        lives = []
        for cfg, folder, extra, over in zip(cfgs, folders, extra_meta, overrides):
            meta = {**run_meta(cfg, over, data_dir, data), **({"stacked": n} if n > 1 else {})}
            resume = TRAIN_RESUME if folder is None else None
            life = runs.start(runs_dir, config_name(cfg), "train", folder=folder, resume=resume,
                              files={"config.yaml": to_yaml(cfg)}, **meta, **extra)  # fmt: skip
            lives.append(stack.enter_context(life))
        built = build_group(cfgs, data.input_dim, data.n_classes)
        return drive(
            lives, cfgs, data, built, start_epoch=0, records=[[] for _ in cfgs],
            progress=progress, painter=painter,
        )  # fmt: skip


def run_meta(cfg: Config, overrides: list[str], data_dir: Path | None, data: Dataset) -> dict:
    """What a training run's meta.json records besides the lifecycle's fields."""
    return {
        "name": config_name(cfg),  # (its folder's: the dataset it read, ``said_name``)
        "seed": cfg.seed,
        "config_hash": config_hash(cfg),
        "overrides": list(overrides),
        "data_dir": runs.data_dir_text(data_dir),
        **runs.data_fields(data),
        "largest_product": largest_product(
            cfg, data.input_dim, data.n_classes, data.splits["train"][0].shape[0]
        ),
    }


def load_run_config(run: runs.RunDir) -> Config:
    """The resolved config a run folder stores (DamagedError naming config.yaml if it is
    missing, cannot be read as written, or is not the config the run began with: its hash
    differs from meta.json's ``config_hash``, which ``RunDir.config`` checks)."""
    raw = run.config()
    if raw is None:
        raise runs.DamagedError(f"{run.file('config.yaml')}: missing")
    return validate(raw, source=str(run.file("config.yaml")))


def run_config(runs_dir: Path, ref: str) -> Config:
    """The config of the training run ``ref`` names, as its folder holds it, whatever the run's
    status (``train --resume RUN --print-config``: printing it resumes nothing, so a COMPLETED
    run's config is printed, not refused as a resume of it is). Nor is one whose other files are
    damaged (DAMAGED is a status too): config.yaml is the one file read, and ``RunDir.config``
    holds it to meta.json's hash; a run's config is what a new run of it starts from."""
    return load_run_config(runs.find_run(runs_dir, ref, kind="train", damaged=True, resuming=True))


def resumable(runs_dir: Path, ref: str) -> tuple[runs.RunDir, Config]:
    """The training run ``ref`` names and its config, if it can be resumed (else RunError):
    the checks a command makes before it says a word (``resume_training`` claims the folder
    and makes them again)."""
    run = resumed(runs_dir, ref, "train")
    runs.own(run)
    _check_status(run)
    return run, load_run_config(run)


def check_resumable(run: runs.RunDir) -> None:
    """A RunError unless ``run`` was interrupted, killed or failed (so it can be resumed);
    then this process ``claim``s it: no other resumes it meanwhile. A symlink is refused
    (``runs.own``)."""
    runs.own(run)
    _check_status(run)
    runs.claim(run)
    _check_status(run)  # (another process may have finished it just before)


def _refuse_running_sweep(run: runs.RunDir) -> None:
    """RunError if ``run``, claimed, is a trial of a sweep another process holds (a sweep
    resumed meanwhile, which runs this trial itself): the sweep, asking the same of its
    trials once it holds its folder (``sweep.resume_plan.resume_action``), refuses one this resume
    holds, so of the two started together one goes on, or both are refused; neither records
    the other's trial FAILED ('still RUNNING in process ...', the sweep ending FAILED, exit
    3, with every trial COMPLETED)."""
    trials = run.path.parent
    sweep = trials.parent
    if trials.name == runs.TRIALS and (sweep / "sweep.yaml").is_file() and runs.held(sweep):
        raise RunError(
            f"{run.path}: a trial of the sweep {sweep}, which another nnlab process is "
            "resuming (it runs this trial itself); wait for it, or stop that process"
        )


def _check_status(run: runs.RunDir) -> None:
    instead = ""  # (a COMPLETED run said only 'nothing to resume': more epochs are extend's)
    if run.status == "COMPLETED":
        data_dir = run.meta.get("data_dir")
        extend = extend_offer(str(run.path), (run.config() or {}).get("epochs"), data_dir)
        instead = f"; to train it on, extend it: {extend}" if extend is not None else ""
    runs.refuse_finished(run, instead=instead)  # (every resume asks it: a run's work is all
    # there once it is COMPLETED)
    status = run.status
    if status == "RUNNING":
        raise RunError(f"{run.path}: still RUNNING in process {run.meta.get('pid')}")
    if status == "DIVERGED":
        raise RunError(f"{run.path}: DIVERGED; resuming would diverge again (change the config)")


def resume_training(
    run: runs.RunDir,
    *,
    data_dir: Path | None = None,
    data: Dataset | None = None,
    progress: ProgressFn | None = None,
    plot: bool = True,
    threads: int | None = None,
    on_start: Callable[[runs.RunDir, int, str | None], None] | None = None,
    painter: Any = None,
    by: str | None = None,
) -> RunResult:
    """Continue an interrupted or killed run from its last checkpoint, in the same folder.

    Everything is checked before the folder changes: its status, config, checkpoint (readable,
    every array of the shape and dtype the config's model needs), data and metrics (damage
    other than a torn last line refuses the resume). ``on_start(run, epoch, note)`` is called
    once all of it has passed, as training resumes after ``epoch`` (-1: from the start), so a
    refusal is the only thing a caller prints; ``note``: what the caller should say besides
    (``UNVERIFIED``), or None. ``painter``: as ``run_training``'s. ``by``: who resumes it, as
    its ``resumes`` entry records it (``"sweep"``: a sweep's worker, which stops it at the
    sweep's STOP file; None: ``train --resume``, which trains it to its end).
    """
    said = {"by": by} if by else {}
    with runs.released(run):  # (refused once claimed: the folder is let go)
        return _resume_training(run, data_dir, data, progress, plot, threads, on_start, painter,
                                said)  # fmt: skip


def _resume_training(
    run: runs.RunDir,
    data_dir: Path | None,
    data: Dataset | None,
    progress: ProgressFn | None,
    plot: bool,
    threads: int | None,
    on_start: Callable[[runs.RunDir, int, str | None], None] | None,
    painter: Any,
    said: dict[str, str],
) -> RunResult:
    check_resumable(run)
    if not said:  # (``train --resume`` of a sweep's trial: not the sweep's own worker)
        _refuse_running_sweep(run)
    data_dir = runs.resume_data_dir(run, data_dir)

    def data_for(cfg: Config, given: Dataset | None = data) -> Dataset:
        return given if given is not None else load_checked(cfg, data_dir)

    cfg, epoch, built, recorded, note, data = prepare_resume(run, data_for, data_dir)
    t0 = time.perf_counter()
    recorded_threads = run.meta.get("blas_threads")  # (the count the run started with)
    n_threads = resolve_threads(threads or recorded_threads, cfg, data)
    if on_start is not None:
        on_start(run, epoch, note)
    said = {**said, "checkpoint": note} if note else said  # (the folder says it too)
    with (
        painter_for(plot, painter) as painter,
        blas_limit(n_threads),
        runs.reopen(
            run,
            resume=TRAIN_RESUME,
            ended=ENDED,
            from_epoch=epoch,
            blas_threads=n_threads,
            **said,
        ) as life,
    ):
        # (a checkpoint of epoch 0 too keeps its record, the one it digests: it was recorded
        # again, so a resume that failed before its next checkpoint, a full disk, left
        # records the checkpoint refused, DAMAGED for every reader)
        records = run.truncate_metrics(epoch)
        life.on_end(functools.partial(_keep_unreplayed, life, records, recorded))
        (result,) = drive(
            [life], [cfg], data, built, start_epoch=max(epoch, 0), records=[records],
            progress=progress, painter=painter,
        )  # fmt: skip
    result.summary["resume_seconds"] = time.perf_counter() - t0
    return result


# What a resume says of a checkpoint written before checkpoints recorded their run's identity
# (it is resumed: refusing it would lose the run; every checkpoint nnlab writes now has one).
UNVERIFIED = "checkpoint.npz records no run (written by an older nnlab): resumed as this run's"


class Prepared(NamedTuple):
    """What ``prepare_resume`` read and checked: the config, the checkpoint's epoch (-1: none,
    start over), (group, optimizer, generators) with its state restored, the recorded metrics,
    a ``note`` for the resume to say (``UNVERIFIED``) or None, and the data it was checked on."""

    cfg: Config
    epoch: int
    built: tuple[Group, Optimizer, list[dict[str, Any]]]
    recorded: list[Record]
    note: str | None
    data: Dataset


def prepare_resume(
    run: runs.RunDir,
    data_for: Callable[[Config], Dataset],
    data_dir: Path | None = None,
    doing: str = "resume",
) -> Prepared:
    """Everything a resume of ``run`` reads, checked before anything is written: its config,
    its checkpoint (this run's: ``RunDir.load_checkpoint`` refuses another run's) restored into
    a freshly built net (every array of the shape, dtype and kind of value a run writes) and
    its metrics (with a record of the checkpoint's epoch); DamagedError naming the file
    otherwise. The config is checked against the data and the limits of this machine and
    environment as a new run's is (``check_compatible``: the memory, and the work of the
    epochs left), a ConfigError before anything is written. ``data_for(cfg)``: the data the
    net is built for (its input and class counts), read from ``data_dir``: a DataError if it
    is not the data the run began with (``runs.check_data``, whose line says what to
    ``resume`` (``doing``) with)."""
    cfg = load_run_config(run)
    check_net_before_data(cfg)  # (before its checkpoint and its data are read)
    note = None
    if run.file("checkpoint.npz").exists():
        epoch, state, identity, _ = run.load_checkpoint()  # (its records: metrics() checks)
        note = UNVERIFIED if identity is None else None
        # (whatever meta.json says: the checkpoint knows the config it was trained with)
        if identity is not None and identity["config_hash"] != config_hash(cfg, FULL_HASH):
            raise runs.DamagedError(
                f"{run.file('config.yaml')}: not the config its checkpoint was trained with "
                f"(its hash is {config_hash(cfg)}, the checkpoint's "
                f"{identity['config_hash'][:8]}): edited?"
            )
    else:  # killed before the first checkpoint: start over in the same folder
        epoch, state = -1, None
    data = data_for(cfg)
    runs.check_data(run, data, data_dir, doing)
    check_compatible(
        cfg, data, done=max(epoch, 0), resume=True
    )  # (the limits of now, for what is left)
    built = build_group([cfg], data.input_dim, data.n_classes)
    if state is not None:
        group, optimizer, rngs = built
        assert isinstance(group, Solo)
        try:
            set_state(state, group.model, optimizer, rngs[0])
        except ValueError as exc:
            raise runs.DamagedError(f"{run.file('checkpoint.npz')}: {exc}") from None
    recorded = run.metrics()  # damage raises here, before anything is written
    if epoch > 0 and not any(r["epoch"] == epoch for r in recorded):
        raise runs.DamagedError(
            f"{run.file('metrics.jsonl')}: has no record of epoch {epoch}, the checkpoint's"
        )
    return Prepared(cfg, epoch, built, recorded, note, data)


def _keep_unreplayed(
    life: runs.Lifecycle, records: list[Record], recorded: list[Record], status: str
) -> None:
    """A resume replays the epochs recorded after its checkpoint; if it ends before it has
    replayed them all (interrupted again), the rest go back into metrics.jsonl as they were,
    so that no resume loses a recorded epoch (a later resume replays them again)."""
    last = records[-1]["epoch"] if records else -1
    for record in (r for r in recorded if r["epoch"] > last):
        with deferred():  # (as ``drive``'s ``on_epoch``: the file and its count in step)
            life.run.append_metric(record)
            records.append(record)
            life.note(epochs_done=record["epoch"])
