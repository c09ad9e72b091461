"""Loss landscapes: the loss along random 1-D and 2-D slices through weight space.

Around a centre W (a run's trained weights from its ``checkpoint.npz``, or the initial weights
a config draws), with random directions D1, D2 of the same shapes as the parameters::

    line:  L(W + a * D1)              for a in the grid   (cs231n "Visualizing the loss")
    plane: L(W + a * D1 + b * D2)     for a, b in the grid

Directions (``normalize``):

- ``none``: every entry of every parameter (weights, biases, BatchNorm gamma/beta) ~ N(0, 1),
  as cs231n's ``W + a * W1`` (its W holds the bias through the bias trick);
- ``filter``: filter normalisation (Li et al. 2018, "Visualizing the Loss Landscape of Neural
  Nets"): a Gaussian direction for each Affine weight matrix W (n_in, n_out) whose every
  *filter* is rescaled to the norm of the matching filter of W. A filter is one output unit's
  incoming weights: the column W[:, j] (nnlab stores x @ W, so columns are torch's rows, which
  is what Li et al.'s code rescales for a linear layer). Biases and BatchNorm parameters get
  direction 0 (Li et al.'s ``ignore='biasbn'``). A zero filter (zero init) stays zero.

The loss is the data loss (no weight-decay term) of ``model.evaluate`` on the chosen split in
evaluation mode (BatchNorm's running statistics, no dropout), in batches; accuracy is recorded
too. At a = b = 0 the parameters are exactly W, so the value there is the model's loss (for a
run: the ``<split>_loss`` of its last epoch record).

The grid lives in ``landscape.h5`` (h5py) with the centre, the directions and the settings, so
a grid can be completed later: points not computed yet are NaN, and ``resume`` evaluates only
those (a point whose loss is not finite is stored as +inf, so it is not retried). The grid is
written row by row as it is computed, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from nnlab import runs, times
from nnlab.build import build_model, build_optimizer, describe_net, make_rngs
from nnlab.config import config_hash, load_config, to_yaml
from nnlab.config_model import Config
from nnlab.costs import evaluation_bytes, evaluation_work, fixed_seconds
from nnlab.data import Dataset
from nnlab.errors import ConfigError, OptionError, RunError
from nnlab.experiments.checks import MODEL_OF, load_checked
from nnlab.experiments.directions import (  # (re-exported: the directions' math)
    Directions as Directions,
    affine_weights as affine_weights,
    filter_normalize as filter_normalize,
    random_direction as random_direction,
)
from nnlab.experiments.landscape_file import (  # (re-exported: the settings and the file)
    FILE,
    SETTING_KEYS,
    Settings,
    axis as axis,
    check_content,
    parse_range as parse_range,
    read_file,
    read_run,
    store,
    write_new_file,
)
from nnlab.experiments.landscape_summary import (  # (re-exported: the result and its table)
    LandscapeResult as LandscapeResult,
    summarize,
    summary_table as summary_table,
    table_title as table_title,
    write_outputs,
)
from nnlab.idle import idle_keys, warnings_of
from nnlab.limits import check_work
from nnlab.lookup_hints import WEIGHTS_NEEDED, lacking
from nnlab.naming import config_name
from nnlab.nn.model import MLP
from nnlab.output import counted
from nnlab.resumes import resumed
from nnlab.state import set_state

Progress = Callable[[str], None]
Warn = Callable[[str], None]  # (a warning line: the command line prints it, even with -q)


# ----------------------------------------------------------------------------- directions
def make_directions(model: MLP, settings: Settings) -> tuple[Directions, Directions]:
    """D1 and D2 from independent child generators of ``settings.seed``."""
    s1, s2 = np.random.SeedSequence(settings.seed).spawn(2)
    return (
        random_direction(model, np.random.default_rng(s1), settings.normalize),
        random_direction(model, np.random.default_rng(s2), settings.normalize),
    )


# ----------------------------------------------------------------------------- the centre
@dataclass
class Centre:
    """The model at the centre of the slices, its config and where it came from."""

    cfg: Config
    model: MLP
    source: str
    run: runs.RunDir | None = None


def centre_from_config(cfg: Config, data: Dataset, source: str) -> Centre:
    """The initial weights ``cfg`` draws (seed ``cfg.seed``), refused where they are not
    finite (an init std its dtype cannot hold), as a run's checkpoint with such weights is."""
    model = build_model(cfg, data.input_dim, data.n_classes, make_rngs(cfg.seed))
    bad = next((k for k, p in model.params.items() if not np.isfinite(p).all()), None)
    if bad is not None:
        raise ConfigError(
            f"model.init_std: {cfg.model.init_std:g} is too large for {cfg.dtype}: the initial "
            f"weights ({bad!r}) are not finite; expected a std whose weights the dtype holds"
        )
    return Centre(cfg, model, f"{source} (initial weights, seed {cfg.seed})")


def centre_from_run(run: runs.RunDir, data: Dataset) -> Centre:
    """The weights (and BatchNorm statistics) of a run's last checkpoint."""
    from nnlab.experiments.train import load_run_config

    cfg = load_run_config(run)
    epoch, state, *_ = run.load_checkpoint()  # (another run's is refused, as a resume does)
    rngs = make_rngs(cfg.seed)
    model = build_model(cfg, data.input_dim, data.n_classes, rngs)
    try:
        set_state(state, model, build_optimizer(cfg), rngs)
    except ValueError as exc:  # (as a resume reads it: the file named, exit 2)
        raise runs.DamagedError(f"{run.file('checkpoint.npz')}: {exc}") from None
    status = run.status  # (an unfinished run's centre is its last checkpoint, not its last record)
    at = f"epoch {epoch}" if status == "COMPLETED" else f"{status}: its checkpoint, epoch {epoch}"
    return Centre(cfg, model, f"run {run.path} ({at})", run)


def resolve_source(
    ref: str, overrides: list[str], runs_dir: Path, warn: Warn | None = None, by: str = "landscape"
) -> tuple[Config, runs.RunDir | None]:
    """A YAML file -> (its config with overrides, None), ``warn`` given each key it sets that
    changes nothing (``idle.idle_keys``, as ``nnlab train`` says them); else a run folder ->
    (its config, run), whose config was warned about as it trained (one without a checkpoint
    refused as command ``by`` says it: ``lookup_hints.lacking``)."""
    path = Path(ref)
    if path.is_file() or path.suffix in (".yaml", ".yml"):
        cfg = load_config(path, overrides)
        if warn is not None:
            for line in warnings_of(idle_keys(cfg)):
                warn(line)
        return cfg, None
    run = runs.find_run(runs_dir, ref, kind="train")
    if not run.file("checkpoint.npz").exists():
        raise RunError(lacking(run, "checkpoint.npz", *WEIGHTS_NEEDED[by]))
    if overrides:
        raise ConfigError(
            f"overrides {' '.join(overrides)!r}: a run's weights go with its own config; "
            "give overrides only with a config file"
        )
    from nnlab.experiments.train import load_run_config

    return load_run_config(run), run


def source_data(
    cfg: Config, run: runs.RunDir | None, data_dir: Path | None, warn: Warn | None = None
) -> tuple[Dataset, Path | None]:
    """The data a landscape evaluates, and the folder it was read from: a run's is read from
    the data folder it recorded unless ``data_dir`` says another (as a resume reads it), and
    ``warn`` is told if it is not the data the run was trained on (its ``data_digest``: a
    file changed since, or another --data-dir): the landscape is then of other data."""
    if run is not None:
        data_dir = runs.resume_data_dir(run, data_dir)
    data = load_checked(cfg, data_dir, doing=MODEL_OF)  # (its net's memory first)
    recorded = run.meta.get("data_digest") if run is not None else None
    if warn is not None and run is not None and recorded not in (None, data.digest):
        warn(
            f"warning: the {data.name!r} data{f' in {data_dir}' if data_dir else ''} is not the "
            f"data {run.path} was trained on (digest {data.digest}, recorded {recorded}): the "
            "landscape is of this data"
        )
    return data, data_dir


def eval_split(
    data: Dataset, settings: Settings, of_run: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) the loss is evaluated on: the split, or its first ``samples`` samples. A split
    the data lacks is an error of ``--split`` naming the splits there are (``of_run``: a run's
    data, which no override changes; a config's gets the key that makes the split)."""
    have = [name for name, (_, labels) in data.splits.items() if len(labels)]
    if settings.split not in have:
        key = {"train": "n_train", "val": "n_val", "test": "n_test"}.get(settings.split)
        raise OptionError(
            "--split",
            f"the {data.name} data has no {settings.split!r} split (it has {', '.join(have)}); "
            f"give --split {' or '.join(have)}"
            + ("" if of_run or key is None else f", or the override dataset.{key}=N"),
        )
    x, y = data.split(settings.split)
    if settings.samples:
        x, y = x[: settings.samples], y[: settings.samples]
    return x, y


# ----------------------------------------------------------------------------- evaluation
def loss_at(
    model: MLP,
    centre: dict[str, np.ndarray],
    d1: Directions,
    d2: Directions | None,
    a: float,
    b: float,
    x: np.ndarray,
    y: np.ndarray,
    batch: int,
) -> tuple[float, float]:
    """(loss, accuracy) of ``model`` with params W + a D1 + b D2 (left set); loss inf if not finite."""
    for key, p in model.params.items():
        dtype = p.dtype.type
        step = dtype(a) * d1[key]
        if d2 is not None:
            step = step + dtype(b) * d2[key]
        np.add(centre[key], step, out=p)
    with np.errstate(all="ignore"):
        loss, acc = model.evaluate(x, y, batch)
    return (loss if math.isfinite(loss) else math.inf), acc


def fill_missing(
    path: Path,
    model: MLP,
    x: np.ndarray,
    y: np.ndarray,
    progress: Progress | None = None,
) -> int:
    """Evaluate every NaN point of the line and the grid in ``path``; return how many.

    ``model`` is the centre's architecture; its parameters end up restored to the centre.
    """
    from threadpoolctl import threadpool_limits

    content = read_file(path)
    check_content(path, content, model)
    settings: Settings = content["settings"]
    centre = content["centre/params"]
    d1, d2 = content["directions/d1"], content["directions/d2"]
    for key, buf in model.buffers.items():
        buf[...] = content["centre/buffers"][key]
    alphas = content["alphas"]
    done = 0
    with threadpool_limits(limits=1):  # many small evaluations: one BLAS thread is fastest
        line_loss, line_acc = content["line_loss"], content["line_acc"]
        todo = np.flatnonzero(np.isnan(line_loss))
        for k in todo:
            line_loss[k], line_acc[k] = loss_at(
                model, centre, d1, None, alphas[k], 0.0, x, y, settings.batch
            )
        if len(todo):
            store(path, "line", slice(None), line_loss, line_acc)
            done += len(todo)
        grid_loss, grid_acc = content["grid_loss"], content["grid_acc"]
        rows = [i for i in range(len(alphas)) if np.isnan(grid_loss[i]).any()]
        tally = times.Tally("grid row", len(rows))  # (a resume's: the rows left to compute)
        for count, i in enumerate(rows, start=1):
            cols = np.flatnonzero(np.isnan(grid_loss[i]))
            for j in cols:
                grid_loss[i, j], grid_acc[i, j] = loss_at(
                    model, centre, d1, d2, alphas[i], alphas[j], x, y, settings.batch
                )
            store(path, "grid", i, grid_loss[i], grid_acc[i])
            done += len(cols)
            if progress is not None and (count % 10 == 0 or count == len(rows)):
                progress(tally.head(count))  # (as every counted line: it read 'grid rows
                # 10/51 done', without its times)
    for key, p in model.params.items():
        p[...] = centre[key]
    return done


# ----------------------------------------------------------------------------- the command
def check_same_settings(run: runs.RunDir, settings: Settings) -> None:
    """ConfigError unless the landscape in ``run`` was made with ``settings`` (batch 0: any)."""
    stored = read_run(run)["settings"]
    if settings.batch == 0:
        settings = replace(settings, batch=stored.batch)
    if stored != settings:
        diff = {k: (getattr(stored, k), getattr(settings, k)) for k in SETTING_KEYS}
        diff = {k: v for k, v in diff.items() if v[0] != v[1]}
        raise ConfigError(
            f"{run.path}: holds a landscape with other settings "
            f"({', '.join(f'{k} {a} != {b}' for k, (a, b) in diff.items())}); "
            "use another folder or resume with its own settings"
        )


def plan_writer(
    settings: Settings, model: MLP, d1: Directions, d2: Directions, source: str, cfg_hash: str
) -> Callable[[Path], None]:
    """What writes a new folder's landscape.h5 (``write_new_file``), centred on ``model``'s
    parameters: one of the files its folder has before it is RUNNING (``runs.start``)."""
    return lambda path: write_new_file(
        path, settings, model, dict(model.params), d1, d2, source, cfg_hash
    )


def landscape(
    ref: str,
    overrides: list[str] | None = None,
    settings: Settings | None = None,
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    data: Dataset | None = None,
    progress: Progress | None = None,
    warn: Warn | None = None,
) -> LandscapeResult:
    """Slices around a run's trained weights or a config's initial ones, into a new run folder
    under ``runs_dir`` (or exactly ``out``).

    ``ref``: a YAML config file (``warn``: given each key it sets that has no effect) or a run
    under ``runs_dir`` (folder, id prefix, ``latest``; its data folder unless ``data_dir``). If
    ``out`` is an existing landscape folder, its grid is completed instead (the settings
    must match; see ``resume_landscape``).
    """
    (settings := settings or Settings()).check()
    if out is not None and os.path.isfile(Path(out) / FILE):  # (a folder to complete, not a
        # new one; False for a name too long to be a file's, which location refuses)
        run = runs.usable(runs.RunDir(Path(out)))  # (as a folder named by --resume is)
        check_same_settings(run, settings)
        return resume_landscape(run, data_dir=data_dir, data=data, progress=progress)
    settings.check_new()  # (a new grid: through its centre)
    root, folder = runs.location(runs_dir, out, exists=OUT_EXISTS)  # (a hostile one: refused)
    cfg, source_run = resolve_source(ref, list(overrides or []), runs_dir, warn)
    settings = settings if settings.batch else replace(settings, batch=cfg.eval_batch_size)
    if data is None:
        data, data_dir = source_data(cfg, source_run, data_dir, warn)
    x, y = eval_split(data, settings, of_run=source_run is not None)
    centre = (  # (a config's: its model's memory checked first)
        centre_from_run(source_run, data) if source_run is not None
        else centre_from_config(cfg, data, f"config {ref}")
    )  # fmt: skip
    check_grid_work(cfg, data, settings, len(y))
    model, (d1, d2) = centre.model, make_directions(centre.model, settings)
    with runs.start(
        root,
        f"landscape-{config_name(cfg)}",
        "landscape",
        folder=folder,
        resume=LANDSCAPE_RESUME,
        name=config_name(cfg),
        seed=cfg.seed,
        config_hash=config_hash(cfg),
        source=centre.source,
        source_run=str(source_run.path) if source_run else None,
        overrides=list(overrides or []),
        data_dir=runs.data_dir_text(data_dir),
        **runs.data_fields(data),
        settings=settings.as_dict(),
        files={
            "config.yaml": to_yaml(cfg),
            FILE: plan_writer(settings, model, d1, d2, centre.source, config_hash(cfg)),
        },  # fmt: skip
    ) as life:
        return _complete(life, cfg, model, x, y, progress)


LANDSCAPE_RESUME = "nnlab landscape --resume {path}"
OUT_EXISTS = f"give a new folder, or a landscape folder to complete (no {FILE} here)"


def check_grid_work(
    cfg: Config, data: Dataset, settings: Settings, samples: int, missing: int | None = None
) -> None:
    """ConfigError, before any folder exists (or a resume changes one), if evaluating the line
    and the plane (``points`` + ``points``² losses, or the ``missing`` ones a resume fills in,
    each a forward pass over ``samples`` rows in batches of ``batch``) would take longer than
    the work limit (``limits.check_work``)."""
    losses = settings.points + settings.points**2
    left = losses if missing is None else missing
    work = evaluation_work(cfg, data.input_dim, data.n_classes, samples, left, settings.batch)
    what = (
        f"a landscape of {counted(f'{losses:,}', 'loss', 'losses')}"
        f"{'' if missing is None else f' ({left:,} left to evaluate)'} on "
        f"{counted(f'{samples:,}', 'sample')} ({describe_net(cfg, data.input_dim)})"
    )
    shorter = "fewer --points or --samples"
    fixed = fixed_seconds(cfg, 0, work[1])  # (a deep net's batches cost more)
    moved = evaluation_bytes(cfg, data.input_dim, data.n_classes, samples, left)
    calls = ("evaluation batch", "evaluation batches")
    check_work(what, *work, shorter, calls, fixed=fixed, resume=missing is not None, moved=moved)


def resume_landscape(
    run: runs.RunDir,
    *,
    data_dir: Path | None = None,
    data: Dataset | None = None,
    progress: Progress | None = None,
) -> LandscapeResult:
    """Evaluate only the missing (NaN) points of a landscape folder's grid, then redraw; their
    work checked against the limit of now first (``check_grid_work``)."""
    from nnlab.experiments.train import load_run_config

    if not run.file(FILE).exists():
        run.check_founded()  # (DamagedError for a landscape's folder that lost it)
        raise RunError(f"{run.path}: no {FILE} here (not a landscape folder)")
    content = read_run(run)  # (its attributes checked against meta.json's)
    settings: Settings = content["settings"]
    runs.refuse_finished(run, missing_points(content))
    cfg = load_run_config(run)
    data_dir = runs.resume_data_dir(run, data_dir)
    if data is None:
        data = load_checked(cfg, data_dir, doing=MODEL_OF)
    runs.check_data(run, data, data_dir)
    x, y = eval_split(data, settings, of_run=True)
    model = build_model(cfg, data.input_dim, data.n_classes, make_rngs(cfg.seed))
    check_content(run.file(FILE), content, model)  # (before the folder changes)
    check_grid_work(cfg, data, settings, len(y), missing_points(content))
    with runs.reopen(run, resume=LANDSCAPE_RESUME) as life:
        return _complete(life, cfg, model, x, y, progress)


def missing_points(content: dict[str, Any]) -> int:
    """Points of a landscape file's line and grid not evaluated yet (NaN losses)."""
    return int(np.isnan(content["line_loss"]).sum() + np.isnan(content["grid_loss"]).sum())


def _complete(
    life: runs.Lifecycle,
    cfg: Config,
    model: MLP,
    x: np.ndarray,
    y: np.ndarray,
    progress: Progress | None,
) -> LandscapeResult:
    run = life.run
    computed = fill_missing(run.file(FILE), model, x, y, progress)
    content = read_file(run.file(FILE))
    result = LandscapeResult(
        run,
        content["alphas"],
        content["line_loss"],
        content["line_acc"],
        content["grid_loss"],
        content["grid_acc"],
        {},
        computed,
    )
    result.summary = summarize(result, content["settings"], content["source"])
    write_outputs(result, config_name(cfg))
    life.note(points_computed_last=computed)
    return result


def run_landscape(
    source: str | None,
    overrides: list[str] | None = None,
    *,
    resume: str | None = None,
    settings: Settings | None = None,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    progress: Progress | None = None,
    warn: Warn | None = None,
) -> LandscapeResult:
    """``nnlab landscape``: a new landscape around ``source`` (a training run or a config,
    ``warn`` given the keys it sets that have no effect), or ``resume`` (a landscape folder, id
    prefix or 'latest') filled in."""
    if resume is not None:
        if source is not None or overrides:
            raise ConfigError(
                "--resume takes no source or overrides (the folder stores its centre)"
            )
        if out is not None:  # (it was ignored: the points went into the resumed folder)
            raise OptionError(
                "--out", f"'{out}': not with --resume, which completes the folder it names; "
                "give one of them (--out naming a landscape folder completes that one)",
            )  # fmt: skip
        run = resumed(runs_dir, resume, "landscape")
        return resume_landscape(run, data_dir=data_dir, progress=progress)
    if source is None:
        raise ConfigError(
            "give a run or a config file (or --resume FOLDER); e.g. nnlab landscape latest"
        )
    return landscape(source, overrides or [], settings, data_dir=data_dir, runs_dir=runs_dir,
                     out=out, progress=progress, warn=warn)  # fmt: skip
