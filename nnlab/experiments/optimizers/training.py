"""Optimizers training the same net from the same init on the same minibatch sequence
(DLFS fig. 6-9), with the cs231n gradient-free baselines (random search, random local search)
under the names ``random-search`` and ``random-local-search``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from nnlab import times
from nnlab.build import RNG_STREAMS, build_model, make_rngs
from nnlab.config import keys_overlap, validate
from nnlab.config_errors import config_errors
from nnlab.config_model import Config
from nnlab.costs import search_bytes
from nnlab.data import Dataset
from nnlab.data.datasets import CATVNONCAT
from nnlab.errors import ConfigError, not_one_of
from nnlab.experiments.optimizers.baselines import batch_stream, random_local_search, random_search
from nnlab.experiments.optimizers.specs import (
    SCHEMAS,
    OptimizerSpec,
    parse_ints,
    resolve_optimizers,
)
from nnlab.fileio import as_written
from nnlab.limits import FOLDER_FILES
from nnlab.numbers import of_total
from nnlab.output import counted, number
from nnlab.summary import finals
from nnlab.train import TrainSettings, evaluate, fit

if TYPE_CHECKING:
    from nnlab.runs import RunDir

# ----------------------------------------------------------------------------- datasets
# DLFS ch. 6 (optimizer_compare_mnist.py): SGD 0.01, Momentum 0.01, AdaGrad 0.01, Adam 0.001;
# Nesterov as DLFS's class defaults it; RMSProp 0.001, Keras's default (DLFS's class and
# torch.optim.RMSprop default to 0.01; DLFS's comparison leaves RMSprop out)
DATASET_DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {"lr": 0.01},
    "momentum": {"lr": 0.01, "momentum": 0.9},
    "nesterov": {"lr": 0.01, "momentum": 0.9},
    "adagrad": {"lr": 0.01},
    "rmsprop": {"lr": 0.001},
    "adam": {"lr": 0.001},
}
DEFAULT_DATASET_OPTIMIZERS = ("sgd", "momentum", "adagrad", "adam")
# The net every optimizer trains: 5 hidden layers of 100 ReLU units (DLFS 6.3.2's BatchNorm
# net, batch_norm_test.py). DLFS fig. 6-9's own script (optimizer_compare_mnist.py) trains 4,
# the book's "five-layer" net (four hidden and the output layer): --hidden 100,100,100,100.
DEFAULT_HIDDEN = (100, 100, 100, 100, 100)
NET_LOSSES = ("softmax_ce", "svm")  # (of a multiclass net: bce is one output's)

MAX_ITERATIONS = 10_000_000  # minibatch steps per optimizer (hours, not forever)
# Every step's loss is kept (a float in memory, two numbers in result.json: the loss and its
# smoothed curve): all optimizers' steps together at most this many, ~1 GB of result.json.
MAX_RECORDED_STEPS = 20_000_000


def parse_hidden(text: str) -> list[int]:
    """``"100,100"`` -> [100, 100]; ``"none"``, ``"linear"`` or ``"0"`` -> [] (a linear
    classifier); an empty value names no layers (ConfigError: say none)."""
    if not text.strip():
        raise ConfigError("--hidden: empty; give sizes such as 100,100, or none (a linear net)")
    if text.strip().lower() in ("none", "linear", "0"):
        return []
    return parse_ints(text, "--hidden")


def smooth_curve(values: Sequence[float] | np.ndarray, window: int = 11) -> np.ndarray:
    """DLFS's ``smooth_curve``: a Kaiser-window (beta 2) moving average, ends mirrored.

    Same length as ``values``; fewer than ``window`` values come back unchanged.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.size < window:
        return x.copy()
    half = window // 2
    padded = np.r_[x[window - 1 : 0 : -1], x, x[-1:-window:-1]]
    w = np.kaiser(window, 2)
    y = np.convolve(w / w.sum(), padded, mode="valid")
    return y[half : half + x.size]


@dataclass
class DatasetRun:
    """One optimizer trained on the dataset: per-step losses and the final evaluation."""

    spec: OptimizerSpec
    losses: np.ndarray  # objective on each step's minibatch, before that step's update
    status: str  # COMPLETED or DIVERGED
    # train_loss, train_acc, test_loss, test_acc as evaluated at the end (None: DIVERGED)
    final: dict[str, float | None]
    seconds: float

    @property
    def diverged(self) -> bool:
        return self.status == "DIVERGED"

    def row(self) -> dict[str, Any]:
        """The table row (``dataset_row`` of what result.json holds of the run)."""
        return as_written(dataset_row(self.to_json()))

    @classmethod
    def from_json(cls, spec: OptimizerSpec, stored: dict[str, Any]) -> DatasetRun:
        """A run as ``to_json`` gave it (a kept one: ``kept_runs``); a loss written as null
        (not finite) reads as NaN."""
        losses = [np.nan if v is None else v for v in stored["losses"]]
        final = dict(stored["final"])
        return cls(spec, np.asarray(losses, dtype=np.float64), stored["status"], final,
                   float(stored["seconds"]))  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "optimizer": self.spec.label,
            "rule": self.spec.name,
            "hyperparameters": dict(self.spec.hyperparameters),
            "status": self.status,
            "diverged": self.diverged,
            "steps": int(self.losses.size),
            "final": dict(self.final),
            "seconds": self.seconds,
            "losses": self.losses.tolist(),
            "losses_smoothed": smooth_curve(self.losses).tolist(),
        }


def dataset_row(stored: dict[str, Any]) -> dict[str, Any]:
    """An optimizer's table row from its entry in result.json (``DatasetRun.to_json``): its
    steps, last smoothed batch loss, final evaluation (none where it diverged), seconds. The
    one rendering of a run: the command's table, summary.txt and ``runs show`` draw it from
    the same entry."""
    smoothed = stored["losses_smoothed"]
    spec = OptimizerSpec(stored["optimizer"], stored["rule"], stored["hyperparameters"])
    row: dict[str, Any] = {
        "optimizer": stored["optimizer"],
        "hyperparameters": spec.describe(),
        "steps": stored["steps"],
        "batch loss (smoothed)": smoothed[-1] if smoothed else None,
    }
    for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
        if key in stored["final"]:
            row[key.replace("_", " ")] = stored["final"][key]
    row["diverged"] = "yes" if stored["diverged"] else "no"
    row["seconds"] = round(stored["seconds"], 2)
    return row


@dataclass
class DatasetComparison:
    """Every optimizer on the same net, init and minibatch sequence (``cfg`` minus optimizer)."""

    cfg: Config
    data_source: str
    iterations: int
    results: list[DatasetRun] = field(default_factory=list)

    def describe(self) -> str:
        hidden = self.cfg.model.hidden  # (5x100 of one width; 256-128 of several: it said 2x256)
        shape = (
            f"{len(hidden)}x{hidden[0]}" if len(set(hidden)) == 1 else "-".join(map(str, hidden))
        )
        net = f"{shape} {self.cfg.model.activation} MLP" if hidden else "linear"
        return (
            f"{net}, {self.cfg.loss}, batch {self.cfg.batch_size}, {counted(self.iterations, 'iteration')}, "
            f"seed {self.cfg.seed}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "dataset",
            "dataset": self.cfg.dataset.name,
            "data_source": self.data_source,
            "setup": self.describe(),
            "config": self.cfg.model_dump(mode="json", exclude={"optimizer"}),
            "iterations": self.iterations,
            "runs": [r.to_json() for r in self.results],
        }


@dataclass(frozen=True)
class NetSettings:
    """The net every optimizer of a dataset comparison trains, and for how many steps."""

    iterations: int = 2000
    hidden: Sequence[int] = DEFAULT_HIDDEN
    loss: str = "softmax_ce"
    batch_size: int = 128
    seed: int = 0

    def config(self, dataset: str, dtype: str = "float32", epochs: int = 1) -> Config:
        """The training config shared by every optimizer (He init, ReLU, no weight decay)."""
        if self.loss not in NET_LOSSES:
            raise ConfigError(not_one_of("--loss", self.loss, NET_LOSSES))
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise ConfigError(
                f"--steps: with --dataset, 1..{MAX_ITERATIONS:,} iterations, got {self.iterations}"
            )
        raw = {
            "name": "compare-optimizers",
            "seed": self.seed,
            "dtype": dtype,
            "dataset": by_name(dataset),
            "model": {"hidden": list(self.hidden)},
            "loss": self.loss,
            "batch_size": self.batch_size,
            "epochs": epochs,
            "eval": ["train"],
        }
        for key, text in config_errors(raw)[:1]:  # (named by the option that set the key)
            option = next((o for k, o in OPTIONS.items() if keys_overlap(key, k)), None)
            if option is not None:
                raise ConfigError(f"{option}: {text.removeprefix(key + ': ')}")
        return validate(raw, source="compare-optimizers")


def by_name(dataset: str) -> dict[str, Any]:
    """The dataset block ``--dataset NAME`` stands for: ``hdf5`` is cat-vs-noncat's two files
    (as ``nnlab data list`` looks for them), since no option names a file."""
    if dataset == "hdf5":
        return {"name": "hdf5", "train_file": CATVNONCAT[0], "test_file": CATVNONCAT[1]}
    return {"name": dataset}


OPTIONS = {"dataset.name": "--dataset", "model.hidden": "--hidden", "batch_size": "--batch-size",
           "seed": "--seed"}  # fmt: skip


@dataclass(frozen=True)
class DatasetPlan:
    """A dataset comparison checked and ready to train: the shared config (epochs enough for
    the iterations, the splits evaluated at the end), the optimizers, the data."""

    cfg: Config
    specs: list[OptimizerSpec]
    data: Dataset
    eval_names: list[str]


def plan_on_dataset(
    dataset: str,
    optimizers: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    net: NetSettings = NetSettings(),
    *,
    data_dir: Path | None = None,
    data: Dataset | None = None,
    jobs: int = 1,
) -> DatasetPlan:
    """``compare_on_dataset``'s config, optimizers and data, every value checked against the
    data as ``train`` checks its own: the batch size, the memory of the nets that train at
    once (``jobs``), the work of all of them. Raises before anything trains (and before a
    caller makes a folder)."""
    if jobs < 1:
        raise ConfigError(f"--jobs: expected a positive number of workers, got {jobs}")
    from nnlab.experiments.checks import check_compatible, check_total_work, load_checked

    cfg = net.config(dataset)
    specs = resolve_optimizers(
        optimizers or DEFAULT_DATASET_OPTIMIZERS, overrides, lrs, DATASET_DEFAULTS,
        allow_baselines=True,
    )  # fmt: skip
    if data is None:
        data = load_checked(cfg, data_dir, max(1, min(jobs, len(specs))), why="--jobs")
    n_train = data.splits["train"][0].shape[0]
    if net.batch_size > n_train:
        raise ConfigError(
            f"--batch-size: {net.batch_size} is larger than the training split ({counted(n_train, 'sample')})"
        )
    has_test = "test" in data.splits and len(data.splits["test"][1]) > 0
    eval_names = ["train", "test"] if has_test else ["train"]
    epochs = -(-net.iterations // -(-n_train // net.batch_size))
    cfg = cfg.model_copy(update={"epochs": epochs, "eval": eval_names, "final_eval": []})
    steps = counted(net.iterations, "step")
    what = f"the comparison ({counted(len(specs), 'optimizer')} x {steps})"
    # each optimizer's own state (adam's two slots), and a random search's draws; the splits
    # evaluated once, at the end, as ``_train_one`` runs it (not after each of ~170 epochs)
    once = cfg.model_copy(update={"eval": [], "final_eval": eval_names})
    runs_of = [(once if s.is_baseline else optimizer_config(once, s), data) for s in specs]
    searches = sum(s.is_baseline for s in specs)
    search = searches * search_bytes(cfg, data.input_dim, data.n_classes, net.iterations)
    check_total_work(what, runs_of, moved=search)
    if len(specs) * net.iterations > MAX_RECORDED_STEPS:
        kept = counted(len(specs) * net.iterations, "step loss", "step losses")
        raise ConfigError(
            f"--steps: {what} would keep {kept} (each in result.json); at most "
            f"{MAX_RECORDED_STEPS:,}: fewer --steps or optimizers"
        )
    check_compatible(cfg, data, max(1, min(jobs, len(specs))), why="--jobs")
    from nnlab.sweep.executors import check_workers

    pool = jobs > 1 and len(specs) > 1  # (``train_plan``: one optimizer trains here)
    check_workers(jobs if pool else 1, len(specs), "optimizer")
    return DatasetPlan(cfg, list(specs), data, eval_names)


# bytes of a step in a dataset comparison's result.json: its loss and smoothed loss as JSON
STEP_BYTES = 48


def result_bytes(plan: DatasetPlan, net: NetSettings) -> float:
    """About how many bytes a dataset comparison's folder holds: every optimizer's step losses
    in result.json (``STEP_BYTES`` a step), its figure and other files."""
    return STEP_BYTES * len(plan.specs) * net.iterations + FOLDER_FILES


def compare_on_dataset(
    dataset: str,
    optimizers: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    net: NetSettings = NetSettings(),
    *,
    data_dir: Path | None = None,
    data: Dataset | None = None,
    progress: Callable[[str], None] | None = None,
    outcome: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> DatasetComparison:
    """Train the same net from the same init on the same minibatch sequence with each optimizer.

    Gradient optimizers go through ``nnlab.train.fit`` (``max_steps=net.iterations``); the
    baselines (``random-search``, ``random-local-search``) through the search loops above, on
    the batches ``fit`` would draw. Each run starts from ``make_rngs(seed)``, so the weights at
    step 0 and the batch order are identical across optimizers. Train and test (if the dataset
    has one) are evaluated at the end.
    ``jobs`` > 1 trains the optimizers in that many worker processes (``sweep.process_pool``:
    one BLAS thread each, as here), with the same numbers. ``progress`` gets the lines as the
    optimizers train, ``outcome`` the line each ends with (``train_plan``). (``plan_on_dataset``,
    then ``train_plan``.)
    """
    plan = plan_on_dataset(
        dataset, optimizers, overrides, lrs, net, data_dir=data_dir, data=data, jobs=jobs
    )
    return train_plan(plan, net, progress=progress, outcome=outcome, jobs=jobs)


def train_plan(
    plan: DatasetPlan,
    net: NetSettings,
    *,
    progress: Callable[[str], None] | None = None,
    outcome: Callable[[str], None] | None = None,
    jobs: int = 1,
    kept: dict[int, DatasetRun] | None = None,
    on_run: Callable[[int, DatasetRun], None] | None = None,
) -> DatasetComparison:
    """Train each optimizer of ``plan`` (``plan_on_dataset`` of ``net``): ``compare_on_dataset``
    once its checks have passed. ``kept``: the runs (by their index in ``plan.specs``) an
    interrupted comparison finished, taken as they are (``kept_runs``); ``on_run(index, run)``
    as each of the others finishes (the folder keeps it: ``save_run``).
    ``progress`` gets each optimizer's steps now and then (``step_lines``); ``outcome`` the
    setup's line and the line each optimizer's run ends with (``_report``), lines that stay on
    a terminal where the steps are drawn in place, or ``progress`` gets those too when it is
    None. The command passes its ``cli.common.Lines``
    and that object's ``outcome``, which a log file keeps whatever the time since the last
    line, in place of the run's last step line (shown only now and then in a log)."""
    cfg, data = plan.cfg, plan.data
    comparison = DatasetComparison(cfg, data.source, net.iterations)
    ended = outcome if outcome is not None else progress
    if ended is not None:  # (a line that stays: the step lines a terminal draws in place follow it)
        ended(f"{comparison.describe()}; data: {data.source}")
    done = dict(kept or {})
    tally = times.Tally("run", len(plan.specs), len(done))
    for n, i in enumerate(sorted(done), start=1):
        _report(ended, done[i], f"run {of_total(n, len(plan.specs))}", kept=True)
    todo = [i for i in range(len(plan.specs)) if i not in done]

    def finished(i: int, r: DatasetRun) -> None:
        done[i] = r
        if on_run is not None:
            on_run(i, r)
        _report(ended, r, tally.head(len(done)))

    work = {i: Work(plan.specs[i], cfg, data, net.iterations, plan.eval_names) for i in todo}
    run = _train_in_workers if jobs > 1 and len(work) > 1 else _train_here
    run(work, jobs, finished, progress)
    comparison.results.extend(done[i] for i in range(len(plan.specs)))
    return comparison


def _report(
    said: Callable[[str], None] | None, r: DatasetRun, counted_as: str, kept: bool = False
) -> None:
    """An optimizer's line as its run ends, to ``said`` (``train_plan``'s ``outcome``), after
    its count and times (``counted_as``: ``run 2/4, 8.1 s elapsed, ~8.0 s left``,
    ``times.Tally``'s): how it ended, its accuracies, its time (or that it was kept from the
    interrupted run a resume continues)."""
    if said is None:
        return
    accs = [f"{k} {v:.4f}" for k, v in r.final.items() if k.endswith("_acc") and v is not None]
    when = "kept from before the interruption" if kept else times.duration(r.seconds)
    # (the status in capitals, as every line and table says one: it read 'completed')
    ended = [f"{r.status} after {counted(r.losses.size, 'step')}", *accs]  # (diverged: no accs)
    said(f"{counted_as}: {r.spec.title}: {', '.join(ended)} ({when})")


Finished = Callable[[int, DatasetRun], None]


class Work(NamedTuple):
    """One optimizer's training, as ``_train_one`` takes it (``_train_one(*work)``: a worker
    process gets the five, pickled): ``spec``'s optimizer on ``cfg``'s net and ``data`` for
    ``iterations`` steps, the splits ``eval_names`` evaluated at the end."""

    spec: OptimizerSpec
    cfg: Config
    data: Dataset
    iterations: int
    eval_names: list[str]


Progress = Callable[[str], None]
STEP_LINE_SECONDS = 1.0  # an optimizer training in this process: its step line at most this often


def step_lines(
    progress: Progress | None, label: str, iterations: int
) -> Callable[[int, float], None] | None:
    """``_train_one``'s ``on_step`` progress, ``step 1,200/3,000, 2.1 s elapsed, ~3.1 s left:
    adam (lr=0.001): batch loss 0.0123`` (``times.Tally``'s shape; the run named as the
    figure names it), at most every ``STEP_LINE_SECONDS`` (an optimizer done sooner says only
    how it ended, ``_report``). It reads the clock and the step's loss, nothing the training
    draws from."""
    if progress is None:
        return None
    last = time.monotonic()
    tally = times.Tally("step", iterations)

    def line(step: int, loss: float) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= STEP_LINE_SECONDS and step < iterations:
            last = now
            progress(tally.line(step, f"{label}: batch loss {number(loss)}"))

    return line


def _train_here(
    work: dict[int, Work], jobs: int, finished: Finished, progress: Progress | None
) -> None:
    """Each optimizer in turn, in this process, with one BLAS thread (with 128-row batches the
    thread pool costs more than it saves; see benchmarks/); ``progress`` gets its steps now and
    then (``step_lines``)."""
    from threadpoolctl import threadpool_limits

    for i, job in work.items():
        with threadpool_limits(limits=1):
            result = _train_one(*job, step_lines(progress, job.spec.title, job.iterations))
        finished(i, result)


def _train_in_workers(
    work: dict[int, Work], jobs: int, finished: Finished, progress: Progress | None
) -> None:
    """The optimizers in ``jobs`` worker processes (one BLAS thread each: the same numbers);
    each tells ``progress`` how it ended as it finishes (``_report``), not its steps."""
    from concurrent.futures import as_completed

    from nnlab.sweep import process_pool, stop_pool

    pool = process_pool(min(jobs, len(work)))
    try:
        futures = {pool.submit(_train_one, *job): i for i, job in work.items()}
        for future in as_completed(futures):
            finished(futures[future], future.result())
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


KEPT = "optimizer-{index}.json"  # an optimizer's finished run in an unfinished comparison


def save_run(folder: RunDir, index: int, run: DatasetRun) -> None:
    """Keep ``run`` (``plan.specs[index]``'s) in the comparison's ``folder`` until the
    comparison's result.json holds it: a resume takes it as it is (``kept_runs``)."""
    folder.write_json(KEPT.format(index=index), run.to_json())


def kept_runs(folder: RunDir, specs: Sequence[OptimizerSpec]) -> dict[int, DatasetRun]:
    """The runs ``save_run`` kept in ``folder`` that are ``specs``' (by index): each one's
    optimizer, rule and hyperparameters as its spec has them; a file unreadable (a kill as it
    was written leaves none: it is written whole) or of another spec is left out, and its
    optimizer trains again."""
    from nnlab.errors import RunError

    kept = {}
    for i, spec in enumerate(specs):
        try:  # (the folder's JSON reader: a file missing reads {}, a damaged one raises)
            stored = folder.read_json_object(KEPT.format(index=i), optional=True)
            same = (stored["optimizer"], stored["rule"], stored["hyperparameters"]) == (
                spec.label, spec.name, dict(spec.hyperparameters))  # fmt: skip
            if same and len(stored["losses"]) == stored["steps"]:
                kept[i] = DatasetRun.from_json(spec, stored)
        except (RunError, OSError, ValueError, KeyError, TypeError):
            continue
    return kept


def optimizer_config(cfg: Config, spec: OptimizerSpec) -> Config:
    """``cfg`` with ``spec``'s optimizer (not a baseline's: a random search has none)."""
    return cfg.model_copy(update={"optimizer": SCHEMAS[spec.name](**spec.hyperparameters)})


def _train_one(
    spec: OptimizerSpec, cfg: Config, data: Dataset, iterations: int, eval_names: list[str],
    step_line: Callable[[int, float], None] | None = None,
) -> DatasetRun:  # fmt: skip
    """``spec``'s optimizer trained ``iterations`` steps; ``step_line(step, loss)`` after
    each (``step_lines``: progress only)."""
    rngs = make_rngs(cfg.seed)
    model = build_model(cfg, data.input_dim, data.n_classes, rngs)
    losses: list[float] = []

    def on_step(step: int, loss: float) -> None:
        losses.append(loss)
        if step_line is not None:
            step_line(step, loss)

    t0 = time.perf_counter()
    if spec.is_baseline:
        x, y = data.splits["train"]
        batches = batch_stream(x.shape[0], int(cfg.batch_size), rngs["order"], iterations)
        # a stream of its own: the child after make_rngs' (init, order, dropout)
        child = np.random.SeedSequence(cfg.seed).spawn(len(RNG_STREAMS) + 1)[-1]
        search_rng = np.random.default_rng(child)
        with np.errstate(all="ignore"):
            if spec.name == "random-search":
                random_search(model, x, y, batches, spec.hyperparameters["scale"], search_rng,
                              on_step)  # fmt: skip
            else:
                random_local_search(model, x, y, batches, spec.hyperparameters["step_size"],
                                    search_rng, on_step)  # fmt: skip
            final = evaluate(model, data.splits, eval_names, cfg.eval_batch_size)
        status = "COMPLETED"
    else:
        # only the final numbers are reported: no evaluation after each of the ~100s of epochs,
        # the splits evaluated in the last record (the epochs end with the iterations), where
        # fit judges them as train's: an evaluation that overflows is a divergence there
        run_cfg = optimizer_config(cfg, spec).model_copy(
            update={"eval": [], "final_eval": eval_names}
        )
        result = fit(model, spec.build(), data.splits, TrainSettings.of(run_cfg), rngs, on_step=on_step,
                     max_steps=iterations)  # fmt: skip
        status, last = result.status, result.records[-1]
        final = {k: v for k, v in last.items() if k.endswith(("_loss", "_acc"))}
        final = finals(final, status)  # (diverged: none, as any run's summary has)
    seconds = time.perf_counter() - t0
    return DatasetRun(spec, np.asarray(losses, dtype=np.float64), status, final, seconds)


def plot_dataset_comparison(comparison: DatasetComparison, path: Path, run: str = "") -> Path:
    """Smoothed per-step training loss of every optimizer in one figure (DLFS fig. 6-9)."""
    from nnlab import plots

    curves = [
        {
            "label": r.spec.title,
            "loss": r.losses,
            "smoothed": smooth_curve(r.losses),
            "diverged": r.diverged,
        }
        for r in comparison.results
    ]
    title = f"{comparison.cfg.dataset.name}: {comparison.describe()}"
    return plots.save(plots.optimizer_loss_curves_figure(curves, title, run=run), path)
