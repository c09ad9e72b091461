"""The cs231n step-size table: how far one gradient step (and a short training) gets per rate.

From one point, the config's initial weights W (seed ``cfg.seed``), the scan computes

1. **one full-gradient step**: the objective L(W - eta * dL/dW) for each step size eta in
   10^min .. 10^max (``num`` of them, log-spaced), where L is the objective ``fit`` minimises
   (mean data loss over the whole training split + the L2 weight-decay term) and the step is plain
   gradient descent whatever optimizer the config names (cs231n's ``W_new = W - step_size * df``);
2. **a short training** per rate: ``epochs`` epochs of the config's own optimizer and batches,
   with ``optimizer.lr`` set to the rate, every one started from the same W (the rates train
   side by side, ``CHUNK`` (8) at a time, each with the numbers ``nnlab.train.fit`` gives it
   alone; each chunk is kept in the folder as it ends, so a resume trains only the others).

The one-step part is computed in float64 whatever the run's dtype: in float32, W - 1e-10 * g
rounds back to W and the small-step rows would all read the initial loss. BatchNorm layers use
the batch statistics of the whole training split (training mode, as the gradient does); dropout
masks are drawn once and kept for every evaluation, so each row evaluates the same function.

A non-finite loss is recorded as ``diverged`` (its loss as null), never as a number. The best
rate of each part is the one with the lowest finite loss; the table marks it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnlab import redo, resumes, runs, times
from nnlab.build import build_group, build_model, build_optimizer, make_rngs, stack_key
from nnlab.config import (
    apply_overrides,
    config_hash,
    lone_key,
    overridden,
    parse_override,
    refuse_lone_keys,
    to_yaml,
    validate,
)
from nnlab.config_model import Config
from nnlab.data import Dataset
from nnlab.errors import ConfigError, NnlabError, RunError
from nnlab.experiments.checks import check_compatible, check_total_work, load_checked
from nnlab.experiments.train import load_run_config
from nnlab.idle import load_config_warned
from nnlab.naming import config_name
from nnlab.nn.model import MLP
from nnlab.numbers import of_total
from nnlab.output import Table, config_number, counted, number
from nnlab.summary import finals
from nnlab.train import Record, TrainSettings, fit, fit_group

COLUMNS = [
    "lr",
    "step_loss",
    "step_change",
    "train_loss",
    "train_acc",
    "test_acc",
    "diverged",
    "best",
]


@dataclass
class LrScanResult:
    """The scan's run folder, its table (one row per rate) and the best rates."""

    run: runs.RunDir
    rows: list[dict[str, Any]]
    initial_loss: float | None  # (None: the initial weights' objective is not finite)
    best_step_lr: float | None
    best_train_lr: float | None
    curves: dict[str, list[Record]] = field(default_factory=dict)


MIN_RATES = 2  # the fewest step sizes a scan compares (--num)


RATE_LIKE = 0.1  # a positive exponent up to this is a rate given as one (10^0.1 is 1.26)


def _rate_for_exponent(flag: str, exp: float) -> str:
    """The refusal of ``--min 1e-5``: a rate where a power of ten goes, which scanned rates
    from 10^0.00001 = 1 (a meaningless range, and a note to widen it)."""
    return (
        f"{flag}: {exp:g} is read as a power of ten (10^{exp:g} = {10.0**exp:.3g}), not a "
        f"step size; for the step size {exp:g} give {flag} {math.log10(exp):.3g}"
    )


def step_sizes(min_exp: float, max_exp: float, num: int) -> list[float]:
    """``num`` (2 or more) log-spaced step sizes from 10^min_exp to 10^max_exp (exact powers
    when integral). A scan compares rates: one rate is a training run (``nnlab train``), and
    ``--num 1`` scanned 10^max_exp alone whatever ``--min`` said."""
    if num < MIN_RATES:
        raise NnlabError(
            f"--num: expected at least {MIN_RATES} step sizes (a scan compares rates; to train "
            f"at one rate: nnlab train CONFIG optimizer.lr=RATE), got {num}"
        )
    for flag, exp in (("--min", min_exp), ("--max", max_exp)):
        if 0 < exp <= RATE_LIKE:
            raise NnlabError(_rate_for_exponent(flag, exp))
    if min_exp > max_exp:
        raise NnlabError(f"--min/--max: min exponent {min_exp:g} is above max {max_exp:g}")
    if min_exp == max_exp:  # (the one rate trained --num times over)
        raise NnlabError(
            f"--min/--max: both {min_exp:g}, one rate; give a range (to train at that one rate: "
            f"nnlab train CONFIG optimizer.lr={10.0**min_exp:g})"
        )
    exps = np.linspace(min_exp, max_exp, num)
    return [float(10.0 ** round(e)) if abs(e - round(e)) < 1e-9 else float(10.0**e) for e in exps]


def _objective(model: MLP, x: np.ndarray, y: np.ndarray) -> float:
    """The training objective on (x, y) in training mode; gradients left in ``model.grads``."""
    with np.errstate(all="ignore"):
        return model.loss_and_grads(x, y, train=True)


def one_step_losses(
    cfg: Config, data: Dataset, rates: list[float]
) -> tuple[float, list[float | None]]:
    """The initial objective and L(W - eta * grad) for each eta (None where it is not finite).

    Works on a float64 copy of the model and training split (see the module docstring).
    """
    cfg64 = cfg.model_copy(update={"dtype": "float64"})
    model = build_model(cfg64, data.input_dim, data.n_classes, make_rngs(cfg.seed))
    for layer in model.dropout_layers():
        layer.keep_mask = True  # one mask for every evaluation: the same function throughout
    x, y = data.splits["train"]
    x = x.astype(np.float64)
    buffers = {k: v.copy() for k, v in model.buffers.items()}
    initial = _objective(model, x, y)
    start = {k: v.copy() for k, v in model.params.items()}
    grads = {k: v.copy() for k, v in model.grads.items()}
    losses: list[float | None] = []
    for eta in rates:
        with np.errstate(all="ignore"):
            for k, p in model.params.items():
                p[...] = start[k] - eta * grads[k]
        for k, b in model.buffers.items():
            b[...] = buffers[k]
        loss = _objective(model, x, y)
        losses.append(loss if math.isfinite(loss) else None)
    return initial, losses


SCANNED = {  # the keys the scan sets itself, and what sets them
    "optimizer.lr": "the scan sets it to each rate (--min, --max, --num)",
    "epochs": "the scan trains --epochs epochs at each rate (give --epochs instead)",
}


def check_not_scanned(overrides: list[str]) -> None:
    """ConfigError for an override of a key the scan sets itself: it was dropped without a
    word (``epochs=7`` trained the default 2 epochs, and meta.json recorded the 7)."""
    for i, text in enumerate(overrides):
        if "=" not in text and text.strip() in SCANNED:  # ('epochs': not 'epochs=<value>')
            raise ConfigError(f"{overridden(text)}: not used: {SCANNED[text.strip()]}")
        if lone_key(text) is not None:  # (epochs 5 too: 'epochs=5')
            refuse_lone_keys(overrides[i : i + 2])
        key = ".".join(parse_override(text, example="model.hidden=[50]")[0])
        if key in SCANNED:
            raise ConfigError(f"{overridden(text)}: not used: {SCANNED[key]}")


def rate_config(cfg: Config, lr: float, epochs: int) -> Config:
    """``cfg`` with ``optimizer.lr`` and ``epochs`` set, validated like any override."""
    raw = apply_overrides(cfg.model_dump(mode="json"), [f"optimizer.lr={lr!r}", f"epochs={epochs}"])
    return validate(raw, source=f"lr-scan rate {lr:g}")


def train_at_rate(cfg: Config, data: Dataset) -> tuple[str, list[Record]]:
    """Train ``cfg`` (already at its rate) from its initial weights: (status, epoch records)."""
    rngs = make_rngs(cfg.seed)
    model = build_model(cfg, data.input_dim, data.n_classes, rngs)
    result = fit(model, build_optimizer(cfg), data.splits, TrainSettings.of(cfg), rngs)
    return result.status, result.records


Training = tuple[str, list[Record]]  # a rate's training: its status and epoch records
CHUNK = 8  # rates trained side by side at a time (a sweep's stack), each chunk kept as it ends
KEPT = "rates-{first}.json"  # a chunk's trainings in an unfinished scan, by its first rate


def chunks(cfgs: list[Config], data: Dataset) -> list[range]:
    """The rates (indices into ``cfgs``) that train together: ``CHUNK`` at a time side by side,
    or one by one where the net cannot stack (a layer one unit wide)."""
    size = CHUNK if side_by_side(cfgs, data) else 1
    return [range(i, min(i + size, len(cfgs))) for i in range(0, len(cfgs), size)]


def train_at_rates(
    cfgs: list[Config],
    data: Dataset,
    kept: dict[int, Training] | None = None,
    on_chunk: Callable[[range, list[Training]], None] | None = None,
) -> list[Training]:
    """``train_at_rate`` of each of ``cfgs`` (one config at several rates), a ``chunks`` at a
    time: side by side as one stack (``fit_group`` of a ``StackedMLP``, each net with its own
    rate and the numbers it has alone), or alone. ``kept``: the trainings an interrupted scan
    finished (``kept_trainings``), taken as they are; ``on_chunk(chunk, trainings)`` as each
    of the others ends (the folder keeps it: ``keep_chunk``)."""
    out = dict(kept or {})
    for chunk in chunks(cfgs, data):
        if all(i in out for i in chunk):
            continue
        part = [cfgs[i] for i in chunk]
        trained = _stack(part, data) if len(part) > 1 else [train_at_rate(part[0], data)]
        out.update(zip(chunk, trained))
        if on_chunk is not None:
            on_chunk(chunk, trained)
    return [out[i] for i in range(len(cfgs))]


def _stack(cfgs: list[Config], data: Dataset) -> list[Training]:
    group, optimizer, rngs = build_group(cfgs, data.input_dim, data.n_classes)
    lrs = [cfg.optimizer.lr for cfg in cfgs]
    results = fit_group(group, optimizer, data.splits, TrainSettings.of(cfgs[0]), rngs, lrs=lrs)
    return [(r.status, r.records) for r in results]


def keep_chunk(run: runs.RunDir, rates: list[float], chunk: range, trained: list[Training]) -> None:
    """Keep a chunk's trainings in the scan's folder until its summary.json holds them."""
    stored = {"rates": [rates[i] for i in chunk], "trainings": [list(t) for t in trained]}
    run.write_json(KEPT.format(first=chunk.start), stored)


def kept_trainings(
    run: runs.RunDir, rates: list[float], ranges: list[range]
) -> dict[int, Training]:
    """The trainings ``keep_chunk`` kept in ``run`` (by rate index): a chunk whose file is of
    other rates, or cannot be read, is left out (its rates train again)."""
    kept: dict[int, Training] = {}
    for chunk in ranges:
        try:  # (the folder's JSON reader: a file missing reads {}, a damaged one raises)
            stored = run.read_json_object(KEPT.format(first=chunk.start), optional=True)
            trainings = [(str(t[0]), list(t[1])) for t in stored["trainings"]]
        except (RunError, OSError, ValueError, KeyError, TypeError, IndexError):
            continue
        if stored.get("rates") == [rates[i] for i in chunk] and len(trainings) == len(chunk):
            kept.update(zip(chunk, trainings))
    return kept


def _argmin(values: list[float | None]) -> int | None:
    finite = [(v, i) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    return min(finite)[1] if finite else None


def table_rows(
    rates: list[float],
    step_losses: list[float | None],
    trainings: list[tuple[str, list[Record]]] | None,
    initial: float | None = None,
) -> list[dict[str, Any]]:
    """One row per rate.

    ``step_loss``: the objective after one full-gradient step (``step_change``: minus the
    initial objective: the actual change over the step, which in float64 shows even for tiny
    steps; to first order -eta * |g|^2, but not once the step is large); ``train_loss`` /
    ``train_acc`` / ``test_acc``: evaluation after the short training (None when it diverged);
    ``diverged`` names the part(s) ("step", "train") that went non-finite, None where none did
    (it was "": text where nothing is to be said, which the report showed as ``""``); ``best``
    the part(s) whose lowest loss the row holds.
    """
    rows = []
    for i, lr in enumerate(rates):
        row: dict[str, Any] = {"lr": lr, "step_loss": step_losses[i]}
        if initial is not None:
            step = step_losses[i]
            finite = math.isfinite(initial)  # (an initial loss of NaN: no change to show)
            row["step_change"] = step - initial if step is not None and finite else None
        diverged = [] if step_losses[i] is not None else ["step"]
        if trainings is not None:
            status, records = trainings[i]
            last = records[-1] if records else {}
            final = finals(last, status)  # (as a run's summary has them: none when diverged)
            row["train_loss"] = final.get("train_loss")
            row["train_acc"] = final.get("train_acc")
            if "test_acc" in last:
                row["test_acc"] = final.get("test_acc")
            if status == "DIVERGED":
                diverged.append(f"train (epoch {last.get('epoch', 0)})")
        row["diverged"] = ", ".join(diverged) or None
        rows.append(row)
    best_step = _argmin(step_losses)
    best_train = _argmin([r.get("train_loss") for r in rows]) if trainings is not None else None
    for i, row in enumerate(rows):
        marks = [m for m, b in (("step", best_step), ("train", best_train)) if b == i]
        row["best"] = ", ".join(marks)
    return rows


def side_by_side(cfgs: list[Config], data: Dataset) -> bool:
    """Whether ``train_at_rates`` trains ``cfgs`` side by side (``CHUNK`` in memory at once)."""
    return len(cfgs) > 1 and stack_key(cfgs[0]) is not None and data.input_dim != 1


def lr_scan(
    cfg: Config,
    *,
    min_exp: float = -10,
    max_exp: float = -1,
    num: int = 10,
    epochs: int = 2,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    overrides: list[str] | None = None,
    folder: str | None = None,
    data: Dataset | None = None,
    progress: Callable[[str], None] | None = None,
    again: redo.Again | None = None,
) -> LrScanResult:
    """Run the scan for ``cfg`` into a new run folder ``lr-scan-<name>`` (or ``again``, the
    folder a resume does it in: ``resume_scan``); see the module doc.

    The folder holds config.yaml, meta.json, summary.json (rows, best rates, initial loss and
    every training's epoch records), summary.txt and lr-scan.png.
    """
    if epochs < 0:
        raise NnlabError(f"--epochs: expected 0 or more, got {epochs}")
    check_not_scanned(overrides or [])
    rates = step_sizes(min_exp, max_exp, num)
    if data is None:
        data = load_checked(cfg, data_dir)
    rate_cfgs = [rate_config(cfg, lr, epochs) for lr in rates]  # fail before making a folder
    nets = min(len(rates), CHUNK) if epochs and side_by_side(rate_cfgs, data) else 1
    # (the configs the scan trains: one with the config file's own epochs was checked instead)
    check_compatible(rate_cfgs[0], data, nets, why="the scan's rates, trained side by side")
    what = f"the scan ({counted(len(rates), 'rate')} x {counted(epochs, 'epoch')})"
    check_total_work(what, [(rate_cfg, data) for rate_cfg in rate_cfgs])
    recipe = {"min_exp": min_exp, "max_exp": max_exp, "num": num, "epochs": epochs}
    with redo.begin(
        "lr-scan",
        runs_dir,
        f"lr-scan-{config_name(cfg)}",
        again=again,
        recipe=recipe,
        folder=folder,
        files={"config.yaml": to_yaml(cfg)},
        name=config_name(cfg),
        seed=cfg.seed,
        config_hash=config_hash(cfg),
        overrides=list(overrides or []),
        data_dir=runs.data_dir_text(data_dir),
        data=data,
        rates=rates,
        epochs=epochs,
    ) as life:
        return _fill(life.run, cfg, data, rates, rate_cfgs, progress, resumed=again is not None)


def _fill(
    run: runs.RunDir,
    cfg: Config,
    data: Dataset,
    rates: list[float],
    rate_cfgs: list[Config],
    progress: Callable[[str], None] | None,
    resumed: bool,
) -> LrScanResult:
    """The scan into ``run``: its chunks' trainings kept as each ends (a resume takes those an
    interruption left and trains the others), then its table, summary and figure."""
    epochs = rate_cfgs[0].epochs
    ranges = chunks(rate_cfgs, data) if epochs else []
    kept = kept_trainings(run, rates, ranges) if resumed else {}
    keep = functools.partial(keep_chunk, run, rates)
    initial, step_losses, trainings = _scan(cfg, data, rates, rate_cfgs, epochs, progress,
                                            kept, keep)  # fmt: skip
    rows = table_rows(rates, step_losses, trainings, initial)
    best_step = next((r["lr"] for r in rows if "step" in r["best"]), None)
    best_train = next((r["lr"] for r in rows if "train" in r["best"]), None)
    curves = {config_number(lr): recs for lr, (_, recs) in zip(rates, trainings or [])}
    shown = initial if math.isfinite(initial) else None  # (no NaN in the table or figure)
    result = LrScanResult(run, rows, shown, best_step, best_train, curves)
    _write(result, cfg, epochs)
    for chunk in ranges:  # (summary.json holds them now)
        run.file(KEPT.format(first=chunk.start)).unlink(missing_ok=True)
    return result


def run_scan(
    config: Path | None,
    overrides: list[str] | None = None,
    *,
    resume: str | None = None,
    min_exp: float = -10,
    max_exp: float = -1,
    num: int = 10,
    epochs: int = 2,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    progress: Callable[[str], None] | None = None,
    say: Callable[[str], None] | None = None,
) -> LrScanResult:
    """``nnlab lr-scan``: a new scan of ``config`` into a new folder under ``runs_dir`` (or
    exactly ``out``; the keys of the config that change nothing said to ``say``), or
    ``resume`` (an lr-scan folder) done again in it (``resume_scan``: its line said to
    ``say`` as it begins, with the settings the folder recorded: the scan's here are a new
    scan's)."""
    if resume is not None:
        resumes.alone({"config": config, "overrides": overrides, "out": out})
        return resume_scan(resume, runs_dir=runs_dir, data_dir=data_dir, progress=progress,
                           on_start=redo.announcer(say))  # fmt: skip
    if config is None:
        raise ConfigError(
            "give a config file (or --resume FOLDER); e.g. nnlab lr-scan configs/mnist-1000.yaml"
        )
    check_not_scanned(overrides or [])  # (before the file's: 'epochs' is not used)
    cfg = load_config_warned(config, overrides, say or (lambda line: None))
    root, folder = runs.location(runs_dir, out)
    return lr_scan(cfg, min_exp=min_exp, max_exp=max_exp, num=num, epochs=epochs,
                   data_dir=data_dir, runs_dir=root, overrides=overrides or [], folder=folder,
                   progress=progress)  # fmt: skip


def resume_scan(
    ref: str,
    *,
    runs_dir: Path = runs.DEFAULT_ROOT,
    data_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    on_start: Callable[[runs.RunDir], None] | None = None,
) -> LrScanResult:
    """``nnlab lr-scan --resume REF``: the scan of an interrupted (or failed) folder done again
    in it, from its config.yaml and recipe (``nnlab.redo``): the numbers an uninterrupted scan
    gives."""
    again, recipe = redo.find(runs_dir, ref, "lr-scan", on_start)
    cfg = load_run_config(again.run)
    overrides = again.run.meta.get("overrides") or []
    given = runs.resume_data_dir(again.run, data_dir)
    return lr_scan(cfg, **recipe, data_dir=given, overrides=overrides, progress=progress,
                   again=again)  # fmt: skip


def _scan(
    cfg: Config,
    data: Dataset,
    rates: list[float],
    rate_cfgs: list[Config],
    epochs: int,
    progress: Callable[[str], None] | None,
    kept: dict[int, Training] | None = None,
    on_chunk: Callable[[range, list[Training]], None] | None = None,
) -> tuple[float, list[float | None], list[Training] | None]:
    """(initial loss, the loss after one step at each rate, each rate's training or None)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # small matrices: one BLAS thread is fastest
        initial, step_losses = one_step_losses(cfg, data, rates)
        if epochs == 0:
            return initial, step_losses, None
        told = _told(progress, rates, kept or {}, on_chunk)
        trainings = train_at_rates(rate_cfgs, data, kept, told)
    return initial, step_losses, trainings


def _told(
    progress: Callable[[str], None] | None,
    rates: list[float],
    kept: dict[int, Training],
    on_chunk: Callable[[range, list[Training]], None] | None,
) -> Callable[[range, list[Training]], None] | None:
    """``on_chunk``, then a progress line for each rate of the chunk as it ends (``times.Tally``:
    ``rate 3/8, 5.1 s elapsed, ~8.4 s left: lr 0.1: COMPLETED after ...``; they were said all
    at once when the last had trained, without a count); the rates ``kept`` from before an
    interruption said first."""
    if progress is None:
        return on_chunk
    tally = times.Tally("rate", len(rates), len(kept))
    for n, i in enumerate(sorted(kept), start=1):
        progress(f"rate {of_total(n, len(rates))}: {training_line(rates[i], *kept[i])} (kept)")
    ended = [len(kept)]

    def told(chunk: range, trained: list[Training]) -> None:
        if on_chunk is not None:
            on_chunk(chunk, trained)
        for i, (status, records) in zip(chunk, trained):
            if i in kept:  # (a chunk trained again whole: its kept rates were said)
                continue
            ended[0] += 1
            progress(tally.line(ended[0], training_line(rates[i], status, records)))

    return told


def training_line(lr: float, status: str, records: list[Record]) -> str:
    """How the training at ``lr`` ended, for the progress: ``lr 0.1: COMPLETED after 2
    epochs, train_loss 0.1397`` or ``lr 1000.0: DIVERGED at epoch 1 (not finite)``, as a sweep's trial line says it (the rate
    as the table spells it: ``output.config_number``)."""
    last = records[-1] if records else {}
    epoch, loss = last.get("epoch", 0), last.get("train_loss")
    if status == "DIVERGED":
        return f"lr {config_number(lr)}: DIVERGED at epoch {epoch} (not finite)"
    shown = f", train_loss {number(loss)}" if loss is not None else ""
    return f"lr {config_number(lr)}: {status} after {counted(epoch, 'epoch')}{shown}"


def table_columns(rows: list[dict[str, Any]]) -> list[str]:
    """The table's columns in order: those the rows have, ``diverged`` only when something did
    (``train_acc`` stays in summary.json: the table fits 80 columns)."""
    shown = [c for c in COLUMNS if c != "train_acc" and any(c in r for r in rows)]
    if not any(r.get("diverged") for r in rows):
        shown.remove("diverged")
    return shown


def undiverged(row: dict[str, Any]) -> dict[str, Any]:
    """A row as ``table_rows`` writes it now: a ``diverged`` of "" (a scan of an older nnlab:
    nothing diverged) is None, and reads as one (``-``, not a blank)."""
    return {**row, "diverged": None} if row.get("diverged") == "" else row


def _loss_text(loss: float | None) -> str:
    return "not finite (the initial weights overflow)" if loss is None else number(loss)


def summary_table(run_id: str, summary: dict[str, Any]) -> Table:
    """The scan's table from its summary.json (as ``_write`` writes it): a row per rate, titled
    with the run, the initial loss and what each column is (``column_notes``). The one
    rendering: the command prints it, summary.txt holds it, ``runs show`` draws it from the
    folder's checked summary.json."""
    rows = [undiverged(r) for r in summary["rows"]]
    columns = table_columns(rows)
    head = [
        f"{run_id}: initial loss L(W) {_loss_text(summary['initial_loss'])}",
        "(L: the training objective; W: the config's initial weights; g: dL/dW at W)",
    ]
    return Table(rows, columns, "\n".join(head + column_notes(columns, summary["epochs"])))


def column_notes(columns: list[str], epochs: int) -> list[str]:
    """A line or two on each of ``columns`` (but ``lr``), as the table title shows them."""
    trained = f"after {counted(epochs, 'epoch')} of training at lr"
    notes = {
        "step_loss": ["L(W - lr*g): the objective after one full-gradient step"],
        "step_change": [
            "step_loss - L(W): the actual change over that step (float64, so",
            "tiny steps register); close to -lr*|g|^2 only while lr is small",
        ],
        "train_loss": [  # (the runs' train_loss: evaluated, not the objective L)
            f"the train split's data loss {trained}",
            "(evaluation mode, no L2 term, as a run's train_loss; not L)",
        ],
        "test_acc": [f"test accuracy {trained}"],
        "diverged": ["the part that went non-finite (step; train, in which epoch)"],
        "best": ["the lowest finite step_loss (step) and train_loss (train)"]
        if "train_loss" in columns
        else ["the lowest finite step_loss (step)"],  # (--epochs 0: no training)
    }
    return [
        f"  {c if i == 0 else '':<12} {line}"
        for c in columns
        for i, line in enumerate(notes.get(c, []))
    ]


def _write(result: LrScanResult, cfg: Config, epochs: int) -> None:
    from nnlab import plots

    run = result.run
    summary = {
        "status": "COMPLETED",
        "initial_loss": result.initial_loss,
        "best_step_lr": result.best_step_lr,
        "best_train_lr": result.best_train_lr,
        "epochs": epochs,
        "rows": result.rows,
        "curves": result.curves,
    }
    run.write_json("summary.json", summary)
    run.write_text("summary.txt", summary_table(run.id, run.summary()).text())
    batch = "full batch" if cfg.batch_size == "full" else f"batch {cfg.batch_size}"
    trainer = f"{cfg.optimizer.name}, {batch}"
    objective = not (cfg.weight_decay or cfg.model.batchnorm or cfg.model.dropout)
    figure = plots.lr_scan_figure(result.rows, result.initial_loss, epochs, title=run.id,
                                  trainer=trainer, objective=objective)  # fmt: skip
    plots.save(figure, run.file("lr-scan.png"))
