"""What a training run says besides its table, as ``nnlab train`` prints it: a line per epoch
record as it trains (``epoch_line``), and, for a run that diverged, the error that says where
and what to do next (``diverged_line``: the step-size scan of its config, as the report's page
offers it, ``report.facts.next_steps``)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from nnlab import times
from nnlab.numbers import count_text
from nnlab.output import number


def epoch_line(record: dict[str, Any], cfg: Any) -> str:
    """``epoch   3/20  loss 0.41  train_acc 0.8812  test_acc 0.8640  0.52 s`` of one epoch
    record of a run of ``cfg``: its loss and the accuracies of the splits it evaluated, or
    that it diverged in that epoch."""
    parts = [f"epoch {count_text(record['epoch']):>3}/{count_text(cfg.epochs)}"]
    # (the epoch a net diverged in, epoch 0 included when its init was not finite: its
    # accuracies are of NaN scores, not results)
    diverged = bool(record.get("diverged"))
    if diverged:
        parts.append("diverged: loss or parameters not finite")
    elif record.get("loss") is not None:
        parts.append(f"loss {number(record['loss'])}")
    for split in () if diverged else cfg.splits:  # (a final_eval split: the last record only)
        acc = record.get(f"{split}_acc")
        if acc is not None:
            parts.append(f"{split}_acc {acc:.4f}")
    parts.append(times.duration(record.get("seconds", 0.0)))
    return "  ".join(parts)


def diverged_line(folder: Path, epoch: int, data_dir: Path | None = None) -> str:
    """The error of a run in ``folder`` that diverged at ``epoch``, and what to do: find a step
    size it trains at (the lr-scan of its config, with the ``--data-dir`` and ``--runs-dir``
    it needs), or, diverged before any step (epoch 0), give other initial weights."""
    from nnlab.redo import go_on_options

    scan = f"nnlab lr-scan {shlex.quote(str(folder / 'config.yaml'))}"
    scan += go_on_options(data_dir, folder)
    then = (
        f"find a step size it trains at with: {scan}"
        if epoch != 0  # (before any step: no step size helps)
        else "its initial weights are not finite: give a smaller model.init_std, or another "
        "model.init"
    )
    return (
        f"error: the run diverged at epoch {epoch} (non-finite loss or parameters); "
        f"recorded as DIVERGED; {then}"
    )
