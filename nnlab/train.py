"""The training loop: epochs of shuffled minibatches, evaluation, divergence detection.

One loop, ``fit_group``, trains a *group* of K >= 1 nets of one architecture (``nnlab.group``:
one ``MLP``, or a ``StackedMLP`` of K nets side by side). It reads top to bottom like cs231n's
``Solver``: evaluate before training (``record_initial``), then per epoch ``train_epoch``
(shuffled minibatches, one optimizer step each) and ``finish_epoch`` (evaluate, record each net's
epoch, retire the nets that diverged). Each net shuffles its own minibatches and stops on its
own when it diverges, so a net's records are the same whichever group it trains in; ``fit`` is
the group of one.

Its settings are explicit (``TrainSettings``: epochs, batch size, splits to evaluate), not a
config. It knows nothing of files or terminals: each epoch's record goes to ``on_epoch`` and
the caller decides where it ends up (a run folder, a progress bar, a list), and can ask for
the net's state there (``nnlab.state``) to checkpoint it.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnlab.group import Group, Solo
from nnlab.nn.model import MLP
from nnlab.nn.optim import Optimizer
from nnlab.state import group_state

Record = dict[str, Any]
Splits = dict[str, tuple[np.ndarray, np.ndarray]]
StateFn = Callable[[], dict[str, np.ndarray]]
# (net, its record, its state on demand: None in the record of the epoch it diverged in)
GroupEpochFn = Callable[[int, Record, StateFn | None], None]


@dataclass(frozen=True)
class TrainSettings:
    """What the loop needs to know: epochs, minibatch size (or ``full``), the splits to
    evaluate before training and after each epoch, the evaluation batch size, and the splits
    evaluated only in a net's last record (``final_eval``)."""

    epochs: int
    batch_size: int | str
    eval: tuple[str, ...] = ("train", "test")
    eval_batch_size: int = 10000
    final_eval: tuple[str, ...] = ()

    @classmethod
    def of(cls, cfg: Any) -> TrainSettings:
        """The settings of a config (``nnlab.config_model.Config``)."""
        return cls(
            cfg.epochs, cfg.batch_size, tuple(cfg.eval), cfg.eval_batch_size, tuple(cfg.final_only)
        )


@dataclass
class FitResult:
    """How ``fit`` ended: ``COMPLETED`` or ``DIVERGED`` (at ``epoch``), and every record."""

    status: str
    epoch: int
    records: list[Record] = field(default_factory=list)
    steps: int = 0


def evaluate_group(group: Group, splits: Splits, names: Sequence[str], batch: int) -> list[Record]:
    """Per net: ``<split>_loss`` (data loss) and ``<split>_acc`` for each named split, in
    evaluation mode."""
    out: list[Record] = [{} for _ in range(group.size)]
    for name in names:
        x, y = splits[name]
        for record, (loss, acc) in zip(out, group.evaluate(x, y, batch)):
            record[f"{name}_loss"] = loss if math.isfinite(loss) else None
            record[f"{name}_acc"] = acc
    return out


def losses_finite(record: Record) -> bool:
    """Whether every split's loss in ``record`` is finite (``evaluate_group`` writes None for
    one that is not: NaN, or an overflow of the loss or of its mean over the split)."""
    return all(value is not None for key, value in record.items() if key.endswith("_loss"))


def evaluate(model: MLP, splits: Splits, names: Sequence[str], batch: int) -> Record:
    """``<split>_loss`` (data loss) and ``<split>_acc`` for each named split, in evaluation mode."""
    return evaluate_group(Solo(model), splits, names, batch)[0]


def minibatches(n: int, batch_size: int | str, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's shuffled index batches; the last batch may be smaller (as torch's default)."""
    order = rng.permutation(n)
    size = n if batch_size == "full" else int(batch_size)
    return [order[i : i + size] for i in range(0, n, size)]


def select_optimizer(optimizer: Optimizer, group: Group, keep: Sequence[int]) -> Optimizer:
    """A copy of ``optimizer`` whose state holds only the nets at positions ``keep``."""
    new = copy.copy(optimizer)
    new.state = group.take(optimizer.state, keep)
    new.lrs = group.take(optimizer.lrs, keep)
    return new


def fit(
    model: MLP,
    optimizer: Optimizer,
    splits: Splits,
    settings: TrainSettings,
    rngs: dict[str, np.random.Generator],
    *,
    start_epoch: int = 0,
    start_step: int = 0,
    on_epoch: Callable[[Record], None] | None = None,
    on_step: Callable[[int, float], None] | None = None,
    max_steps: int | None = None,
) -> FitResult:
    """Train ``model`` on ``splits["train"]`` (``fit_group`` of one)."""
    (result,) = fit_group(
        Solo(model),
        optimizer,
        splits,
        settings,
        [rngs],
        start_epoch=start_epoch,
        start_step=start_step,
        on_epoch=None if on_epoch is None else lambda _, record, __: on_epoch(record),
        on_step=None if on_step is None else lambda step, losses: on_step(step, losses[0]),
        max_steps=max_steps,
    )
    return result


def fit_group(
    group: Group,
    optimizer: Optimizer,
    splits: Splits,
    settings: TrainSettings,
    rngs: Sequence[dict[str, np.random.Generator]],
    *,
    start_epoch: int = 0,
    start_step: int = 0,
    on_epoch: GroupEpochFn | None = None,
    on_step: Callable[[int, list[float]], None] | None = None,
    max_steps: int | None = None,
    lrs: Sequence[float] | None = None,
    resumed: bool = False,
) -> list[FitResult]:
    """Train every net of ``group`` on ``splits["train"]`` for ``settings.epochs`` epochs.

    ``rngs[k]`` are net k's generators (``nnlab.build.make_rngs`` of its seed, already used for
    its init): each net shuffles its own minibatches, so a net trains exactly as it would
    alone. ``lrs`` are the nets' learning rates for their records (default: the optimizer's).

    Before training (epoch 0, unless resuming) and after every epoch, each split in
    ``settings.eval`` is evaluated in evaluation mode; the splits in ``settings.final_eval``
    only in a net's last record (the last epoch, or the one it diverged in), where they give
    what evaluating them every epoch would have given there. A record per net and epoch::

        {"epoch", "loss" (mean objective over the epoch's minibatches, each computed before its
         update, weighted by batch size; None at epoch 0), "<split>_loss", "<split>_acc", "lr",
         "seconds", "steps"}

    goes to ``on_epoch(net, record, state)``, where ``state()`` returns the net's training state
    (``nnlab.state.group_state``); ``state`` is None in the record of the epoch a net diverged
    in, whose state is no point to continue training from (a resume from it would train on
    past the divergence). A net whose loss is not finite stops before that update: it
    leaves the group, its epoch is recorded (loss None) and it ends ``DIVERGED``; so does a net
    whose parameters or evaluated split losses are not finite after an epoch (after the last,
    no step's loss would tell), or whose parameters are not finite before training (epoch 0:
    an init its dtype cannot hold; BatchNorm's statistics there are of no batch). The others
    train on. ``seconds`` is the net's share of the group's time. ``on_step(step, losses)`` is called after every update;
    ``max_steps`` stops after that many updates in total (counting from this call), ending the
    epoch in progress there. When resuming, ``start_step`` is the number of updates already
    made, so ``steps`` counts from the start of the run as in an uninterrupted one, and
    ``resumed`` says that ``start_epoch`` was recorded already: epoch 0 is not evaluated again.
    """
    loop = _Loop(group, optimizer, splits, settings, rngs, start_step, max_steps)
    loop.lrs = list(lrs) if lrs is not None else [optimizer.lr] * len(rngs)
    loop.on_epoch, loop.on_step = on_epoch, on_step
    loop.results = [FitResult("COMPLETED", start_epoch) for _ in rngs]
    with np.errstate(all="ignore"):  # overflow is detected and recorded, not warned about
        if start_epoch == 0 and not resumed:
            loop.record_initial()
        for epoch in range(start_epoch + 1, settings.epochs + 1):
            if not loop.live:
                break
            t0, n_start = time.perf_counter(), len(loop.live)
            stopped = loop.train_epoch()
            loop.finish_epoch(epoch, stopped, t0, n_start)
            if loop.out_of_steps():
                break
    return loop.results


@dataclass
class _Stopped:
    """A net that left its group mid-epoch (non-finite loss): a group of one, its optimizer,
    the steps it made."""

    group: Group
    optimizer: Optimizer
    steps: int


class _Loop:
    """The state of one ``fit_group`` call, and its named steps. ``live[pos]`` is the net at
    position ``pos`` of the (shrinking) group."""

    def __init__(
        self,
        group: Group,
        optimizer: Optimizer,
        splits: Splits,
        settings: TrainSettings,
        rngs: Sequence[dict[str, np.random.Generator]],
        start_step: int,
        max_steps: int | None,
    ) -> None:
        self.group, self.optimizer, self.splits, self.settings = group, optimizer, splits, settings
        self.rngs, self.start_step, self.max_steps = rngs, start_step, max_steps
        self.steps = start_step
        self.live = list(range(len(rngs)))
        self.lrs: list[float] = []
        self.results: list[FitResult] = []
        self.on_epoch: GroupEpochFn | None = None
        self.on_step: Callable[[int, list[float]], None] | None = None

    def out_of_steps(self) -> bool:
        return self.max_steps is not None and self.steps - self.start_step >= self.max_steps

    def evaluate(self, group: Group, final: bool = False) -> list[Record]:
        """Every net's per-epoch splits, and with ``final`` its last record's splits too."""
        s = self.settings
        names = [*s.eval, *s.final_eval] if final else s.eval
        return evaluate_group(group, self.splits, names, s.eval_batch_size)

    def evaluate_final(self, group: Group, pos: int, metrics: Record) -> Record:
        """``metrics`` (the per-epoch splits of the net at ``pos``) with its final splits."""
        s = self.settings
        if not s.final_eval:
            return metrics
        extra = evaluate_group(group.select([pos]), self.splits, s.final_eval, s.eval_batch_size)
        return {**metrics, **extra[0]}

    def emit(
        self, net: int, record: Record, group: Group, opt: Optimizer, pos: int,
        diverged: bool = False,
    ) -> None:  # fmt: skip
        """Record net ``net``'s epoch and hand it to ``on_epoch`` with its state on demand
        (None for the epoch it ``diverged`` in)."""
        result = self.results[net]
        result.records.append(record)
        result.epoch, result.steps = record["epoch"], record["steps"]
        if self.on_epoch is not None:
            rngs = self.rngs[net]
            state = None if diverged else lambda: group_state(group, opt, pos, rngs)
            self.on_epoch(net, record, state)

    def record_initial(self) -> None:
        """Epoch 0: every net evaluated before any update. A net whose parameters are not
        finite already (an init its dtype cannot hold) diverged there: no update is made from
        it, and its evaluation (of NaN scores) is no result to take a best from."""
        t0 = time.perf_counter()
        finite = self.group.params_finite()
        evals = self.evaluate(self.group, final=self.settings.epochs == 0)
        share = (time.perf_counter() - t0) / len(self.live)
        for pos, net in enumerate(self.live):
            metrics = evals[pos]
            if not finite[pos] and self.settings.epochs > 0:
                metrics = self.evaluate_final(self.group, pos, metrics)
            record = {"epoch": 0, "loss": None, **metrics, "lr": self.lrs[net],
                      "seconds": share}  # fmt: skip
            self.emit(net, {**record, "steps": self.steps}, self.group, self.optimizer, pos,
                      diverged=not finite[pos])  # fmt: skip
            if not finite[pos]:
                self.results[net].status = "DIVERGED"
        self.retire_not_finite(finite)

    def train_epoch(self) -> dict[int, _Stopped]:
        """One pass of shuffled minibatches, one optimizer step each. A net whose loss is not
        finite stops before that step (returned, by net); ``self.totals``/``self.counts`` hold
        each live net's summed objective and samples."""
        n = self.splits["train"][0].shape[0]
        orders = [
            minibatches(n, self.settings.batch_size, self.rngs[k]["order"]) for k in self.live
        ]
        self.totals, self.counts = [0.0] * len(self.live), [0] * len(self.live)
        stopped: dict[int, _Stopped] = {}
        for j in range(len(orders[0])):
            batches = [order[j] for order in orders]
            losses = self.group.train_step(*self.splits["train"], batches)
            bad = [pos for pos, loss in enumerate(losses) if not math.isfinite(loss)]
            if bad:
                orders, losses = self.retire_on_loss(bad, stopped, orders, losses)
                if not self.live:
                    break
            self.optimizer.step(self.group.params, self.group.grads)
            for pos, loss in enumerate(losses):
                self.totals[pos] += loss * batches[0].shape[0]
                self.counts[pos] += batches[0].shape[0]
            self.steps += 1
            if self.on_step is not None:
                self.on_step(self.steps, losses)
            if self.out_of_steps():
                break
        return stopped

    def retire_on_loss(
        self,
        bad: list[int],
        stopped: dict[int, _Stopped],
        orders: list[list[np.ndarray]],
        losses: list[float],
    ) -> tuple[list[list[np.ndarray]], list[float]]:
        """The nets at positions ``bad`` leave the group before this step (kept in ``stopped``
        with their state for the epoch's record); the rest go on."""
        for pos in bad:
            one = select_optimizer(self.optimizer, self.group, [pos])
            stopped[self.live[pos]] = _Stopped(self.group.select([pos]), one, self.steps)
        keep = [pos for pos in range(len(self.live)) if pos not in bad]
        self.live = [self.live[p] for p in keep]
        self.totals = [self.totals[p] for p in keep]
        self.counts = [self.counts[p] for p in keep]
        if self.live:
            self.optimizer = select_optimizer(self.optimizer, self.group, keep)
            self.group = self.group.select(keep)
        return [orders[p] for p in keep], [losses[p] for p in keep]

    def finish_epoch(self, epoch: int, stopped: dict[int, _Stopped], t0: float, n: int) -> None:
        """Evaluate, record every net's epoch (in net order), retire the diverged. The last
        epoch, and a net's epoch of divergence, evaluate the final splits too."""
        last = epoch == self.settings.epochs
        evals = self.evaluate(self.group, final=last) if self.live else []
        finite = self.group.params_finite() if self.live else []
        finite = [ok and losses_finite(evals[pos]) for pos, ok in enumerate(finite)]
        share = (time.perf_counter() - t0) / n
        ended = [
            (net, pos, self.group, self.optimizer, evals[pos], self.steps)
            for pos, net in enumerate(self.live)
        ]
        for net, s in stopped.items():
            metrics = self.evaluate(s.group, final=True)[0]
            ended.append((net, 0, s.group, s.optimizer, metrics, s.steps))
        for net, pos, g, opt, metrics, net_steps in sorted(ended, key=lambda e: e[0]):
            diverged = net in stopped or not finite[pos]
            if diverged and not last and net not in stopped:
                metrics = self.evaluate_final(g, pos, metrics)
            count = self.counts[pos] if not diverged else 0
            loss = self.totals[pos] / count if count else None
            record = {"epoch": epoch, "loss": loss, **metrics, "lr": self.lrs[net],
                      "seconds": share}  # fmt: skip
            self.emit(net, {**record, "steps": net_steps}, g, opt, pos, diverged)
            if diverged:
                self.results[net].status = "DIVERGED"
        self.retire_not_finite(finite)

    def retire_not_finite(self, finite: list[bool]) -> None:
        """Nets whose parameters (or evaluated losses) are no longer finite leave the group."""
        keep = [pos for pos in range(len(self.live)) if finite[pos]]
        if len(keep) < len(self.live):
            self.live = [self.live[p] for p in keep]
            if self.live:
                self.optimizer = select_optimizer(self.optimizer, self.group, keep)
                self.group = self.group.select(keep)
