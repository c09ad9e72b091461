"""What training runs really trained on, recorded as they run (the torch oracle of whole runs,
``test_torch_oracle_runs``, trains the same nets in torch from it).

``spy`` wraps ``nnlab.experiments.train.drive`` (every ``nnlab train``, sweep trial and tune
trial trains through it) and the loop it calls, so that each net leaves a ``Trace``: its initial
weights, the minibatches the loop drew for it (``nnlab.train.minibatches`` wrapped: its return
values, per order generator, so nnlab's own shuffling is read, never re-implemented), the
dropout masks its layers drew (``test_torch_oracle.record_masks``), its step objectives and,
after every step, the biases that BatchNorm makes gradient-free (``zero_gradient``: torch is
given nnlab's values of them, as in ``test_torch_oracle``), with its config and run folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import nnlab.experiments.train as train_mod
import nnlab.train
from tests.nn.test_torch_oracle import Trace, record_masks


@dataclass
class Trained:
    """One ``drive`` call: its nets' configs, run folders, data and traces (in that order)."""

    cfgs: list[Any]
    runs: list[Any]
    data: Any
    traces: list[Trace] = field(default_factory=list)


def bn_biases(params) -> list[str]:
    """The Affine biases followed by a BatchNorm (gradient 0): ``affine<i>.b`` where
    ``bn<i>.gamma`` is a parameter."""
    return [f"affine{k[2:].split('.')[0]}.b" for k in params
            if k.startswith("bn") and k.endswith(".gamma")]  # fmt: skip


def spy(monkeypatch) -> list[Trained]:
    """Patch the loop (with ``monkeypatch``); the list that receives every ``drive`` call."""
    calls: list[Trained] = []
    drawn: dict[int, list] = {}
    real_batches, real_fit, real_drive = (
        nnlab.train.minibatches, train_mod.fit_group, train_mod.drive
    )  # fmt: skip

    def minibatches(n, batch_size, rng):
        out = real_batches(n, batch_size, rng)
        drawn.setdefault(id(rng), []).append([b.copy() for b in out])
        return out

    def drive(lives, cfgs, data, built, **kwargs):
        calls.append(Trained(list(cfgs), [life.run for life in lives], data))
        return real_drive(lives, cfgs, data, built, **kwargs)

    def fit_group(group, optimizer, splits, settings, rngs, **kwargs):
        traces = [
            Trace(initial=group.net_arrays(k, group.params),
                  batches=drawn.setdefault(id(r["order"]), []), masks={})
            for k, r in enumerate(rngs)
        ]  # fmt: skip
        calls[-1].traces = traces
        record_masks(group, traces)
        biases, given = bn_biases(group.params), kwargs.pop("on_step", None)

        def on_step(step, losses):
            if len(losses) == len(traces):  # (every net alive: the group's arrays are theirs)
                for k, trace in enumerate(traces):
                    trace.steps.append(losses[k])
                    trace.biases.append(group.net_arrays(k, {b: group.params[b] for b in biases}))
            if given is not None:
                given(step, losses)

        return real_fit(group, optimizer, splits, settings, rngs, on_step=on_step, **kwargs)

    monkeypatch.setattr(nnlab.train, "minibatches", minibatches)
    monkeypatch.setattr(train_mod, "fit_group", fit_group)
    monkeypatch.setattr(train_mod, "drive", drive)
    return calls
