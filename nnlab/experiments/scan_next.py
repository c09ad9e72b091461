"""What an lr-scan's result says to do next, from its summary (``summary.json``: the rates
scanned, ``rows``, and the best ones, ``best_step_lr``, ``best_train_lr``): the one place that
decides it, for the scan's ``next:`` line in the terminal and its report page alike. (The page
offered the training at the best rate where the terminal, the rate at an end of the range,
said to widen the range first.)
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nnlab.output import config_number, counted

EXPONENTS = (-30, 10)  # the powers of ten --min and --max take (1e-30 .. 1e10)


def edge_notes(summary: Mapping[str, Any]) -> list[str]:
    """A note for each best rate that sits at an end of the scanned range (widen the range),
    the rate as the table spells it (``output.config_number``: 0.03162, not 3e-02)."""
    return [note for note, _, _ in _edges(summary)]


def _edges(summary: Mapping[str, Any]) -> list[tuple[str, str, int | None]]:
    """(note, the option to widen, the power of ten to widen it to) for each best rate at an
    end of the range: ``--max`` one decade past the largest, ``--min`` past the smallest, as
    far as ``EXPONENTS`` lets them (None: that end is already the option's bound; the note
    says so, where it offered ``--min -31``, which the command refuses)."""
    rows = summary.get("rows") or []
    if len(rows) < 2:
        return []
    lo, hi = rows[0]["lr"], rows[-1]["lr"]
    edges: list[tuple[str, str, int | None]] = []
    step_lr, train_lr = summary.get("best_step_lr"), summary.get("best_train_lr")
    parts = [("one-step", step_lr), ("training", train_lr)]
    if step_lr is not None and step_lr == train_lr:  # (one note for both: it said it twice)
        parts = [("one-step and training", step_lr)]
    for part, lr in parts:
        if lr is not None and lr in (lo, hi):
            side = "largest" if lr == hi else "smallest"
            flag, step = ("--max", 1) if lr == hi else ("--min", -1)
            wider = math.floor(math.log10(lr) + 1e-9) + step if lr == hi else math.ceil(
                math.log10(lr) - 1e-9) + step  # fmt: skip
            bound = EXPONENTS[1] if lr == hi else EXPONENTS[0]
            at = f"the best {part} rate {config_number(lr)} is the {side} one scanned"
            if (wider - bound) * step > 0:  # (past the bound: widen to it, if not there yet)
                wider = bound
                if math.isclose(math.log10(lr), bound, abs_tol=1e-9):
                    note = f"{at}; {flag} {bound} is already the bound of {flag}"
                    edges.append((note, flag, None))
                    continue
            note = f"{at}; widen the range, e.g. {flag} {wider} (to {config_number(10.0**wider)})"
            edges.append((note, flag, wider))
    return edges


def next_step(
    summary: Mapping[str, Any], folder: Path | str, extra: str = ""
) -> tuple[str, str] | None:
    """(why, command): what the scan in ``folder`` (its ``summary``) says to run next.
    Training at the rate whose train_loss after the scan's epochs was lowest (``nnlab train
    <scan>/config.yaml optimizer.lr=0.1``); where that rate is an end of the range, where the
    optimum may lie beyond it, the scan again over the range widened past that end, as its
    note says (``nnlab lr-scan <scan>/config.yaml --min -6 --max 1 --num 8 --epochs 2``);
    None without such a rate (``--epochs 0``, every rate diverged). ``extra``: options the
    command repeats (``--data-dir DIR``)."""
    lr, rows = summary.get("best_train_lr"), summary.get("rows") or []
    if not isinstance(lr, (int, float)) or not math.isfinite(lr):
        return None
    config = shlex.quote(f"{folder}/config.yaml")
    epochs = summary.get("epochs")
    widen = [
        (note, flag, wider)
        for note, flag, wider in _edges(summary)
        if "training" in note and wider is not None
    ]
    if not widen:
        after = f" after {counted(epochs, 'epoch')}" if isinstance(epochs, int) else ""
        why = f"the rate of the lowest train_loss{after}"
        return why, f"nnlab train {config} optimizer.lr={lr:g}{extra}"
    note, flag, wider = widen[0]
    ends = {"--min": _power(rows[0]["lr"]), "--max": _power(rows[-1]["lr"]), flag: f"{wider}"}
    num = _num_at_spacing(rows[0]["lr"], rows[-1]["lr"], len(rows), ends)
    scan = f"--min {ends['--min']} --max {ends['--max']} --num {num}"
    scan += f" --epochs {epochs}" if isinstance(epochs, int) else ""
    return note.split("; ")[0] + ": a wider range", f"nnlab lr-scan {config} {scan}{extra}"


def closing_lines(
    summary: Mapping[str, Any], folder: Path | str, meta: Mapping[str, Any]
) -> list[str]:
    """What a scan in ``folder`` (its ``summary`` and ``meta``) says after its table, as
    ``nnlab lr-scan`` prints it: a ``note:`` for each best rate at an end of the range, and
    ``next:``, what to run next (``next_step``: what its report page offers, one decision),
    with the options of place it needs to write beside the scan (``redo.go_on_options``)."""
    from nnlab.redo import go_on_options

    notes = edge_notes(summary)
    lines = [f"note: {line}" for line in notes]
    then = next_step(summary, folder, go_on_options(meta.get("data_dir"), folder))
    if then is not None:
        why, wider = then[0], ": a wider range"
        if why.endswith(wider) and any(n.startswith(why[: -len(wider)]) for n in notes):
            why = wider[2:]  # (the note above says which rate: not a third time)
        lines.append(f"next: {then[1]} ({why})")
    return lines


def _num_at_spacing(lo: float, hi: float, num: int, ends: Mapping[str, str]) -> int:
    """How many rates the widened range ``ends`` takes at the scanned spacing (``num`` rates,
    ``lo`` to ``hi``): one a decade stays one a decade (1e-10..1e-1 widened to 1: 11, not 10
    rates at 1.29 decades apart); at most 1,000, as ``--num`` takes."""
    span = math.log10(hi) - math.log10(lo)
    if span <= 0:
        return num
    wide = float(ends["--max"]) - float(ends["--min"])
    return min(1000, math.floor(wide * (num - 1) / span + 0.5) + 1)


def _power(lr: float) -> str:
    """The power of ten ``lr`` is, as ``--min``/``--max`` take it (``-3``, ``-1.5``)."""
    return f"{round(math.log10(lr), 6):g}"
