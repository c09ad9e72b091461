"""One training run into its own run folder: ``nnlab train`` and every command built on it.

``run_training`` loads the data, builds the model, creates the run folder and drives
``nnlab.train.fit``, writing each epoch's record and a checkpoint as it goes. An interrupted
(or killed) run can be continued with ``resume_training`` and ends with the same metrics as an
uninterrupted one.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab import runs
from nnlab.config import Config, config_hash, to_yaml, validate
from nnlab.data import Dataset, load_dataset
from nnlab.errors import ConfigError, RunError
from nnlab.train import Record, build_model, build_optimizer, fit, get_state, make_rngs, set_state

ProgressFn = Callable[[Record, Config], None]

CHECKPOINT_SECONDS = 2.0  # the longest stretch of training a kill can cost


@dataclass
class RunResult:
    """What a run ended as: its folder, status and summary."""

    run: runs.RunDir
    status: str
    summary: dict[str, Any]
    records: list[Record] = field(default_factory=list)


def check_compatible(cfg: Config, data: Dataset) -> None:
    """Config choices that only the data can validate (batch size, loss vs classes, splits)."""
    n_train = data.splits["train"][0].shape[0]
    if cfg.batch_size != "full" and cfg.batch_size > n_train:
        raise ConfigError(
            f"batch_size: {cfg.batch_size} is larger than the training split ({n_train} samples); "
            "use a smaller value or 'full'"
        )
    if cfg.loss == "bce" and data.n_classes != 2:
        raise ConfigError(
            f"loss: 'bce' needs 2 classes, dataset {data.name!r} has {data.n_classes}"
        )
    for split in cfg.eval:
        if split not in data.splits or data.splits[split][0].shape[0] == 0:
            raise ConfigError(
                f"eval: split {split!r} is empty for dataset {data.name!r}; set dataset.n_{split}"
            )


def summarize(records: list[Record], status: str, cfg: Config) -> dict[str, Any]:
    """Final and best metrics of a run (best: highest accuracy / lowest loss over epochs)."""
    summary: dict[str, Any] = {"status": status, "epochs": records[-1]["epoch"] if records else 0}
    if not records:
        return summary
    last = records[-1]
    for key, value in last.items():
        if key.endswith(("_acc", "_loss")) or key == "loss":
            summary[f"final_{key}"] = value
    for key in last:
        values = [r[key] for r in records if r.get(key) is not None]
        if not values:
            continue
        if key.endswith("_acc"):
            best = max(range(len(values)), key=lambda i: values[i])
            summary[f"best_{key}"] = values[best]
        elif key.endswith("_loss"):
            summary[f"best_{key}"] = min(values)
    summary["seconds"] = sum(r.get("seconds", 0.0) for r in records)
    summary["steps"] = last.get("steps", 0)
    return summary


def summary_rows(summary: dict[str, Any], cfg: Config) -> list[dict[str, Any]]:
    """The summary as table rows: one per evaluated split, plus the training objective."""
    rows = [
        {"metric": "objective (train batches)", "final": summary.get("final_loss"), "best": None}
    ]
    for split in cfg.eval:
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


def _finish(
    run: runs.RunDir, cfg: Config, status: str, records: list[Record], plot: bool
) -> dict[str, Any]:
    from nnlab.output import table_text

    summary = summarize(records, status, cfg)
    run.write_json("summary.json", summary)
    title = f"{run.id}: {status} after {summary['epochs']} epochs"
    run.write_text("summary.txt", table_text(summary_rows(summary, cfg), title=title))
    if plot and records:
        from nnlab import plots

        plots.train_curves(records, list(cfg.eval), run.file("curves.png"), title=cfg.name)
    return summary


def _drive(
    run: runs.RunDir,
    cfg: Config,
    data: Dataset,
    *,
    start_epoch: int,
    state: dict | None,
    records: list[Record],
    progress: ProgressFn | None,
    plot: bool,
) -> RunResult:
    """Build the model, restore ``state`` if any, train, record; mark the folder on any exit."""
    rngs = make_rngs(cfg.seed)
    model = build_model(cfg, data.input_dim, data.n_classes, rngs)
    optimizer = build_optimizer(cfg)
    if state is not None:
        set_state(state, model, optimizer, rngs)

    last_save = [-float("inf")]  # the first record (epoch 0) is always checkpointed

    def on_epoch(record: Record) -> None:
        run.append_metric(record)
        records.append(record)
        # Checkpoint at most every CHECKPOINT_SECONDS (and at the end): a resume goes back to the
        # last checkpoint and replays from there, so any spacing gives the same final metrics.
        final = record["epoch"] >= cfg.epochs
        if final or time.monotonic() - last_save[0] >= CHECKPOINT_SECONDS:
            run.save_checkpoint(get_state(model, optimizer, rngs), record["epoch"])
            last_save[0] = time.monotonic()
        if progress is not None:
            progress(record, cfg)

    try:
        result = fit(
            model,
            optimizer,
            data.splits,
            cfg,
            rngs,
            start_epoch=start_epoch,
            start_step=records[-1].get("steps", 0) if records else 0,
            on_epoch=on_epoch,
        )
    except KeyboardInterrupt:
        run.set_status("INTERRUPTED", epochs_done=records[-1]["epoch"] if records else 0)
        _finish(run, cfg, "INTERRUPTED", records, plot=False)
        raise
    except BaseException as exc:
        run.set_status("FAILED", error=f"{type(exc).__name__}: {exc}")
        raise
    status = result.status
    summary = _finish(run, cfg, status, records, plot)
    run.set_status(status, epochs_done=result.epoch)
    return RunResult(run, status, summary, records)


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
    extra_meta: dict[str, Any] | None = None,
) -> RunResult:
    """Train ``cfg`` into a new run folder under ``runs_dir`` (``folder`` names it exactly).

    Data problems and config/data mismatches raise before any folder is created.
    """
    if data is None:
        data = load_dataset(cfg.dataset, data_dir, cfg.dtype)
    check_compatible(cfg, data)
    run = runs.RunDir.create(runs_dir, cfg.name, folder)
    run.write_text("config.yaml", to_yaml(cfg))
    run.start_meta(
        name=cfg.name,
        seed=cfg.seed,
        config_hash=config_hash(cfg),
        overrides=list(overrides or []),
        data_dir=str(Path(data_dir).resolve()) if data_dir else None,
        data_source=data.source,
        **(extra_meta or {}),
    )
    return _drive(
        run, cfg, data, start_epoch=0, state=None, records=[], progress=progress, plot=plot
    )


def load_run_config(run: runs.RunDir) -> Config:
    """The resolved config a run folder stores."""
    from nnlab.config import read_yaml

    return validate(read_yaml(run.file("config.yaml")), source=str(run.file("config.yaml")))


def check_resumable(run: runs.RunDir) -> None:
    """A RunError unless ``run`` was interrupted, killed or failed (so it can be resumed)."""
    status = run.status
    if status == "COMPLETED":
        raise RunError(f"{run.path}: already COMPLETED, nothing to resume")
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
) -> RunResult:
    """Continue an interrupted or killed run from its last checkpoint, in the same folder."""
    check_resumable(run)
    cfg = load_run_config(run)
    if run.file("checkpoint.npz").exists():
        epoch, state = run.load_checkpoint()
    else:  # killed before the first checkpoint: start over in the same folder
        epoch, state = -1, None
    if data_dir is None and run.meta.get("data_dir"):
        data_dir = Path(run.meta["data_dir"])
    if data is None:
        data = load_dataset(cfg.dataset, data_dir, cfg.dtype)
    # fit() evaluates epoch 0 itself when it starts from epoch 0: keep no record then, or the
    # epoch-0 record would be written twice
    records = run.truncate_metrics(epoch if epoch > 0 else -1)
    resumes = run.meta.get("resumes", [])
    run.update_meta(
        status="RUNNING",
        ended=None,
        pid=os.getpid(),
        host=socket.gethostname(),
        resumes=[*resumes, {"from_epoch": epoch, "at": runs.now()}],
    )
    t0 = time.perf_counter()
    result = _drive(
        run,
        cfg,
        data,
        start_epoch=max(epoch, 0),
        state=state,
        records=records,
        progress=progress,
        plot=plot,
    )
    result.summary["resume_seconds"] = time.perf_counter() - t0
    return result


def list_runs(root: Path) -> list[dict[str, Any]]:
    """One row per run folder under ``root``: id, name, status, epochs and final accuracies."""
    rows = []
    for run in runs.iter_runs(root):
        try:
            meta = run.meta
            summary = run.read_json("summary.json") if run.file("summary.json").exists() else {}
        except RunError:
            continue
        row: dict[str, Any] = {
            "run": run.id,
            "name": meta.get("name"),
            "status": run.status,
            "epochs": summary.get("epochs", len(run.metrics()) - 1 if run.metrics() else 0),
        }
        row.update(
            {k: v for k, v in summary.items() if k.startswith("final_") and k.endswith("_acc")}
        )
        row["started"] = meta.get("started")
        rows.append(row)
    return rows
