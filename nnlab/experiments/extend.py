"""``nnlab train --extend RUN epochs=N``: a COMPLETED run trained on to ``N`` epochs, in a new
folder, with the numbers a run of ``N`` epochs from the start gives.

Nothing in a run's training depends on how many epochs it has (the learning rate is constant;
the splits in ``final_eval`` are evaluated in the last record only, with no effect on training),
so the run's last checkpoint holds the state a longer run has after the same epoch. The new
folder gets the run's config with ``epochs: N``, the run's records up to its end (its last one
without the final-only splits, as a longer run records that epoch), a checkpoint of that state
naming the new run, and trains from there. The run extended is left as it was; the new one
records where it came from (meta.json ``extended_from``, ``from_epoch``) and resumes like any
other run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnlab import runs
from nnlab.config import apply_overrides, config_hash, to_yaml, validate
from nnlab.config_model import Config
from nnlab.data import Dataset
from nnlab.errors import ConfigError, RunError
from nnlab.experiments import train as tr
from nnlab.experiments.checks import check_compatible, check_total_disk, load_checked
from nnlab.fileio import dumps
from nnlab.naming import config_name
from nnlab.state import group_state
from nnlab.train import Record

EXTEND = "epochs=N"  # the one override --extend takes
# What an extension says of a last checkpoint written before checkpoints recorded their run's
# identity (as a resume says ``train.UNVERIFIED``: taken on trust, the run's own in all likelihood)
UNTRUSTED = "checkpoint.npz records no run (written by an older nnlab): extended as the run's"


def extend_training(
    source: runs.RunDir,
    overrides: list[str],
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    progress: tr.ProgressFn | None = None,
    plot: bool = True,
    threads: int | None = None,
    on_start: Callable[[runs.RunDir, int, Config, str | None], None] | None = None,
    painter: Any = None,
) -> tr.RunResult:
    """Train the COMPLETED run ``source`` on to the ``epochs=N`` of ``overrides`` in a new
    folder under ``runs_dir`` (see the module's docstring). Everything is checked before the
    folder is made: the run's status, config, checkpoint (its own, of its last epoch), records
    and data (``prepare_resume``, as a resume reads them), and the work and space of the epochs
    added. ``on_start(source, epoch, cfg, note)``: called once they have passed; ``note``:
    what to say besides (``UNTRUSTED``: the run's checkpoint names no run), or None."""
    runs.check_new_root(runs_dir)
    check_extendable(source)
    cfg = extended_config(source, overrides)
    data_dir = runs.resume_data_dir(source, data_dir)
    prepared, data = last_state(source, data_dir)
    epoch = prepared.epoch
    # (the work and memory of the epochs added; only they can be fewer)
    check_compatible(cfg, data, done=epoch, shorter="fewer epochs: --extend changes only them")
    check_total_disk(f"training {cfg.name}", [(cfg, data)], runs_dir)
    records = kept_records(prepared.recorded, epoch, prepared.cfg)
    n_threads = tr.resolve_threads(threads or source.meta.get("blas_threads"), cfg, data)
    if on_start is not None:
        on_start(source, epoch, cfg, UNTRUSTED if prepared.note else None)
    kept = [o for o in source.meta.get("overrides", []) if o.partition("=")[0].strip() != "epochs"]
    meta = tr.run_meta(cfg, [*kept, *overrides], data_dir, data)  # (its epochs once: the new)
    text = "".join(dumps(r, indent=None) + "\n" for r in records)
    with (
        tr.painter_for(plot, painter) as painter,
        tr.blas_limit(n_threads),
        runs.start(
            runs_dir,
            config_name(cfg),
            "train",
            resume=tr.TRAIN_RESUME,
            files={"config.yaml": to_yaml(cfg), "metrics.jsonl": text},
            **meta,
            blas_threads=n_threads,
            extended_from=str(source.path.resolve()),
            from_epoch=epoch,
        ) as life,  # fmt: skip
    ):
        group, optimizer, rngs = prepared.built
        identity = {"run_id": life.run.recorded_id, "config_hash": config_hash(cfg, tr.FULL_HASH)}
        life.run.save_checkpoint(group_state(group, optimizer, 0, rngs[0]), epoch, identity)
        life.note(epochs_done=epoch)
        (result,) = tr.drive([life], [cfg], data, prepared.built, start_epoch=epoch,
                             records=[records], progress=progress, painter=painter)  # fmt: skip
    return result


def last_state(run: runs.RunDir, data_dir: Path | None) -> tuple[tr.Prepared, Dataset]:
    """The run's state after its last epoch, checked as a resume checks it (``prepare_resume``:
    its config, checkpoint, records and data), and its data; DamagedError if its checkpoint
    is not of its last epoch (removed)."""

    def data_for(cfg: Config) -> Dataset:
        return load_checked(cfg, data_dir)

    prepared = tr.prepare_resume(run, data_for, data_dir, doing="extend")
    if prepared.epoch != prepared.cfg.epochs:  # (a COMPLETED run's last checkpoint: its end's)
        what = "missing" if prepared.epoch < 0 else f"of epoch {prepared.epoch}"
        raise runs.DamagedError(
            f"{run.file('checkpoint.npz')}: {what}; a run is extended from the checkpoint "
            f"of its last epoch ({prepared.cfg.epochs})"
        )
    return prepared, prepared.data


def check_extendable(run: runs.RunDir) -> None:
    """RunError unless ``run`` is a COMPLETED training run no process holds: one unfinished is
    resumed first (its epochs are its config's), and a DIVERGED one would only diverge again.
    It is only read (as ``runs show`` reads it): one on a read-only file system, linked into the
    runs folder or holding a linked file is extended as any other (``runs.own`` is a resume's
    check, which writes into the folder)."""
    status = run.status
    if status == "COMPLETED":
        return
    if status == "DIVERGED":
        raise RunError(
            f"{run.path}: DIVERGED; training it longer would not help (change the config)"
        )
    if status == "RUNNING":
        raise RunError(f"{run.path}: still RUNNING in process {run.meta.get('pid')}")
    raise RunError(
        f"{run.path}: {status}, not COMPLETED; finish it first (nnlab train --resume {run.path}), "
        "then extend it"
    )


def extended_config(run: runs.RunDir, overrides: list[str]) -> Config:
    """The run's config with the ``epochs=N`` of ``overrides``: ConfigError for another key
    (it would not be the same run trained longer), for none, or for ``N`` not above the run's."""
    others = [text for text in overrides if text.partition("=")[0].strip() != "epochs"]
    if others:
        raise ConfigError(
            f"{others[0]}: --extend changes only the epochs (a run of another config is a new "
            "run: nnlab train CONFIG)"
        )
    if len(overrides) != 1:
        raise ConfigError(f"--extend: give the epochs to train to, once ({EXTEND})")
    cfg = tr.load_run_config(run)
    source = str(run.file("config.yaml"))
    longer = validate(apply_overrides(cfg.model_dump(mode="json"), overrides), source, overrides)
    if longer.epochs <= cfg.epochs:
        raise ConfigError(  # (the run named: 'latest' may not be the run the user thinks)
            f"{overrides[0]}: expected more epochs than the run has trained ({cfg.epochs}, "
            f"{run.path})"
        )
    return longer


def kept_records(recorded: list[Record], epoch: int, cfg: Config) -> list[Record]:
    """The run's records up to ``epoch``, its last without the splits only a last record has
    (``final_eval``): the records a run of more epochs has of the same epochs. None from
    ``epoch`` 0 (a run of ``epochs: 0``): training from there records epoch 0 itself, as a
    resume from that checkpoint does (``fit_group``)."""
    kept = [dict(r) for r in recorded if r["epoch"] <= epoch] if epoch > 0 else []
    final_keys = {f"{split}_{what}" for split in cfg.final_only for what in ("loss", "acc")}
    if kept:
        kept[-1] = {k: v for k, v in kept[-1].items() if k not in final_keys}
    return kept
