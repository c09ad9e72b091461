"""What a resume of a sweep does with each of its trials (keep, resume, run, rerun), and all it
checks first, reading only, before it changes anything: no trial folder damaged, linked or
another's, every pending trial trainable on its data, every one it continues readable as its
worker would read it, every folder it writes or removes writable (``resume_actions``). A
sweep's resume (``run.resume_sweep``), its dry run (``preview.preview_resume``) and a tune's
resume of its rounds (``experiments.tune``) decide and check by these."""

from __future__ import annotations

import os
from pathlib import Path

from nnlab import runs
from nnlab.config import config_hash
from nnlab.errors import RunError
from nnlab.filestate import fixed_flag, unremovable, why_unwritable
from nnlab.sweep.definition import SweepDef, Trial
from nnlab.sweep.folder import load_sweep, with_colour_by
from nnlab.sweep.trial import (
    STOP_FILE,
    cached_dataset,
    check_trials,
    trials_dir,
    watches_stop,
)

TERMINAL = ("COMPLETED", "DIVERGED")  # trial statuses that resume leaves alone


def resume_actions(
    run: runs.RunDir, data_dir: Path | None, stack: int, jobs: int, colour_by: str | None = None
) -> tuple[SweepDef, list[Trial], dict[str, str], Path | None]:
    """What a resume of ``run`` does with each trial (``resume_action``: keep, resume, rerun,
    run), once it has checked, reading only, all it checks before it changes anything: no
    trial folder damaged, every pending trial trainable on its data, every one resumed
    readable as a resume reads it. (Its definition, trials, the actions by trial id, and the
    data folder: the one given, else the sweep's own.) ``colour_by``: as ``resume_sweep``'s."""
    defn, trials = load_sweep(run)
    defn = with_colour_by(run, defn, colour_by)
    check_trial_folders(run, trials)
    data_dir = runs.resume_data_dir(run, data_dir)
    actions = {trial.id: resume_action(run, trial) for trial in trials}
    pending = [t for t in trials if actions[t.id] != "keep"]
    if pending:
        check_trial_data(run, trials, data_dir)
        done = resumed_epochs(run, actions)
        check_trials(defn, pending, data_dir, stack, jobs, root=run.path, done=done, resume=True)
        for trial in pending:
            if actions[trial.id] == "resume":
                check_trial_resume(run, trial, data_dir)
        check_trial_writes(run, pending, actions)
    return defn, trials, actions, data_dir


def check_trial_writes(run: runs.RunDir, pending: list[Trial], actions: dict[str, str]) -> None:
    """RunError naming the file or folder if a resume of the sweep ``run`` could not write
    where it would for its ``pending`` trials (``actions``: by trial id), asked before any
    work as ``runs.own`` asks of the sweep's own folder: the trials/ folder it makes trial
    folders in, each trial folder it continues (``runs.own``: writable, no file it cannot
    replace, ``chattr +i`` or ``+a``) and each it removes to run again (``unremovable``). A
    locked trial file was found only as that trial reopened: the trial FAILED, the sweep
    INTERRUPTED."""
    trials = trials_dir(run)
    fresh = any(actions[t.id] != "resume" for t in pending)  # (a folder made, or removed)
    if fresh and trials.is_dir():  # (none yet: made in the sweep's, which ``runs.own`` asked)
        fixed = fixed_flag(trials)
        if fixed is not None:
            raise RunError(
                f"{trials}: cannot be written: it is {fixed[0]} (chattr +{fixed[1]}), and a "
                f"resume makes trial folders in it; lift it first (chattr -{fixed[1]} {trials})"
            )
        if not os.access(trials, os.W_OK | os.X_OK):
            raise RunError(f"{trials}: cannot make trial folders in it: {why_unwritable(trials)}")
    for trial in pending:
        folder = runs.RunDir(trials / trial.id)
        if actions[trial.id] == "resume":
            runs.own(folder)
        elif actions[trial.id] == "rerun" and folder.path.exists():
            unable = unremovable(folder.path)
            if unable is not None:
                raise RunError(f"{unable} (a trial the resume runs again: it removes its folder)")


def resumed_epochs(run: runs.RunDir, actions: dict[str, str]) -> dict[str, int]:
    """The epochs each trial a resume continues (``actions``: ``resume``) has done: its
    checkpoint's (``RunDir.check_checkpoint``), after which it resumes; the work limit and a
    dry run count only the epochs left."""
    done = {}
    for trial_id, action in actions.items():
        if action == "resume":
            epoch = runs.RunDir(trials_dir(run) / trial_id).check_checkpoint()
            done[trial_id] = max(epoch or 0, 0)
    return done


def check_trial_folders(run: runs.RunDir, trials: list[Trial]) -> None:
    """DamagedError naming the file if a trial folder of the sweep cannot be read as written
    (``RunDir.check_files``: what ``runs show`` and ``runs compare`` check), whatever a resume
    would do with it (keep, continue or rerun it): a damaged trial refuses the resume before
    anything changes, as a damaged run refuses ``train --resume``, rather than being kept as
    a FAILED row (or removed unseen). Removing the trial's folder makes the resume run it."""
    folders = [trials_dir(run), *(trials_dir(run) / t.id for t in trials)]
    for problem in [*map(runs.foreign_folder, folders), _foreign_stop(run.file(STOP_FILE))]:
        if problem is not None:  # (a link or a file where nnlab makes its folders)
            raise runs.DamagedError(problem)
    for path in runs.trial_folders(run):
        folder = runs.RunDir(path)
        linked = runs.linked_file(path)  # (a trial the resume continues would write through it)
        if linked is not None:
            raise runs.DamagedError(f"{linked} (a trial of the sweep)")
        if folder.file("meta.json").exists():
            try:
                folder.check_files()
            except runs.DamagedError as exc:
                hint = f"a trial of the sweep: remove {path} to run it again"
                raise runs.DamagedError(f"{exc} ({hint})") from None
    stray = runs.unplanned_folders(run, [t.id for t in trials])
    if stray:
        raise runs.DamagedError(f"{runs.unplanned(stray[0])} (remove it to resume)")
    for trial in trials:  # (each one the plan's: not another trial's folder in its place)
        folder = runs.RunDir(trials_dir(run) / trial.id)
        if folder.file("meta.json").exists():
            other = runs.foreign_trial(run, folder, trial.id, trial.seed, trial.values)
            if other is not None:
                raise runs.DamagedError(other)


def check_trial_data(run: runs.RunDir, trials: list[Trial], data_dir: Path | None) -> None:
    """DataError (``runs.check_data``) if a trial folder of the sweep recorded other data than
    its config reads now from ``data_dir``: the trials a resume runs would be trained on other
    numbers than those it keeps, and the sweep's table would mix them."""
    for trial in trials:
        folder = runs.RunDir(trials_dir(run) / trial.id)
        if folder.file("meta.json").exists() and folder.meta.get("data_digest") is not None:
            runs.check_data(folder, cached_dataset(trial.config, data_dir), data_dir)


def _foreign_stop(path: Path) -> str | None:
    """Why the sweep's STOP file is not one a stop left (a folder, a link), None if it is
    a file or is not there: a resume removes it before any trial runs."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return f"{path}: not the file a stop leaves; remove it to resume"
    return None


def check_trial_resume(run: runs.RunDir, trial: Trial, data_dir: Path | None) -> None:
    """DamagedError naming the file if the trial's folder cannot be resumed as its worker
    would (config, checkpoint, metrics: ``prepare_resume``), or if its config is not the one
    the sweep planned for it: a damaged trial refuses the resume up front, as a damaged run
    does, rather than becoming a trial that FAILS again at every resume."""
    from nnlab.experiments.train import prepare_resume

    folder = runs.RunDir(trials_dir(run) / trial.id)
    cfg = prepare_resume(folder, lambda cfg: cached_dataset(cfg, data_dir), data_dir).cfg
    if config_hash(cfg) != config_hash(trial.config):
        raise runs.DamagedError(
            f"{folder.file('config.yaml')}: not the config the sweep planned for trial {trial.id}"
        )


def resume_action(run: runs.RunDir, trial: Trial) -> str:
    """What resuming does with a trial: ``keep`` (COMPLETED, DIVERGED), ``resume`` (INTERRUPTED
    or STALE with a checkpoint), ``run`` (not started), ``rerun`` (FAILED, or no checkpoint or
    meta: the folder is removed first). RunError for a trial still RUNNING; DamagedError for
    a trial folder that cannot be read (before anything changes)."""
    folder = runs.RunDir(trials_dir(run) / trial.id)
    if not folder.path.exists():
        return "run"
    status = folder.status if folder.file("meta.json").exists() else None
    if status in TERMINAL:
        return "keep"
    if status == "RUNNING":
        waiting = ""
        if run.file(STOP_FILE).exists() and watches_stop(folder.meta):
            waiting = (" (its worker stops it after the current epoch, as the sweep's STOP file "
                       "asks: retry in a moment)")  # fmt: skip
        elif not watches_stop(folder.meta):  # (a STOP file asks only the sweep's own workers)
            waiting = (" (resumed on its own by 'nnlab train --resume', which trains it to its "
                       "end: wait for it, or stop that process)")  # fmt: skip
        raise RunError(
            f"{folder.path}: trial still RUNNING in process {folder.meta.get('pid')}{waiting}"
        )
    if runs.held(folder.path):  # (a 'train --resume' of it checking before it says RUNNING)
        raise RunError(
            f"{folder.path}: trial in use by another nnlab process (resumed on its own by "
            "'nnlab train --resume'?); wait for it, or stop that process"
        )
    if status in ("INTERRUPTED", "STALE") and folder.file("checkpoint.npz").exists():
        return "resume"
    return "rerun"
