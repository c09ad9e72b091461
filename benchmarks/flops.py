"""What a run computed: its matrix products, counted from its folder, and their GEMM floor.

Per Affine layer with ``in`` inputs and ``out`` outputs and a batch of ``N`` samples, the
forward product costs ``2 N in out``; the backward pass costs the same again for ``dW = x^T
dout`` and for ``dx = dout W^T`` (not for the first layer, whose ``dx`` is not needed); every
evaluation (epoch 0 and after each epoch, each split in ``eval``; the last record, each
split in ``final_eval`` too) is a forward pass over the split. Elementwise work (bias, ReLU, BatchNorm, softmax, the optimizer) is not counted: it is
overhead. A ``Workload`` counts the products by shape, so a floor can price each at its own rate.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gemm import Gemm


@dataclass
class Workload:
    """The matrix products a run made: how many of each shape, and their FLOPs."""

    counts: Counter  # Gemm -> number of calls

    @property
    def flops(self) -> float:
        return float(sum(2 * m * k * n * c for (m, k, n, _, _), c in self.counts.items()))

    def __add__(self, other: Workload) -> Workload:
        return Workload(self.counts + other.counts)


def layer_sizes(cfg: dict[str, Any], input_dim: int, n_classes: int) -> list[int]:
    """[input, hidden..., output] of the MLP a resolved config describes."""
    out = 1 if cfg.get("loss") == "bce" else n_classes
    return [input_dim, *cfg["model"]["hidden"], out]


def train_step(sizes: list[int], batch: int) -> Counter:
    """The products of one forward + backward pass on a batch (cf. nnlab.nn.layers.Affine)."""
    counts: Counter = Counter()
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        counts[(batch, n_in, n_out, False, False)] += 1  # y = x W
        counts[(n_in, batch, n_out, True, False)] += 1  # dW = x^T dout
        if i > 0:
            counts[(batch, n_out, n_in, False, True)] += 1  # dx = dout W^T
    return counts


def forward_pass(sizes: list[int], n: int, chunk: int) -> Counter:
    """The products of evaluating ``n`` samples in chunks of ``chunk`` (MLP.evaluate)."""
    counts: Counter = Counter()
    for start in range(0, n, chunk):
        rows = min(chunk, n - start)
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            counts[(rows, n_in, n_out, False, False)] += 1
    return counts


def run_workload(
    cfg: dict[str, Any], records: list[dict[str, Any]], split_sizes: dict[str, int], dims: tuple
) -> Workload:
    """Every product a finished run made, from its resolved config and its epoch records.

    A diverged epoch also made the forward/backward pass of the batch whose loss was not finite
    (counted when the epoch stopped early).
    """
    sizes = layer_sizes(cfg, *dims)
    n_train = split_sizes["train"]
    bs = n_train if cfg["batch_size"] == "full" else int(cfg["batch_size"])
    batches = [min(bs, n_train - s) for s in range(0, n_train, bs)]
    counts: Counter = Counter()
    prev_steps = 0
    final = [s for s in cfg.get("final_eval", []) if s not in cfg["eval"]]
    for i, r in enumerate(records):
        for split in [*cfg["eval"], *(final if i == len(records) - 1 else [])]:
            counts += forward_pass(sizes, split_sizes[split], int(cfg["eval_batch_size"]))
        if r["epoch"] == 0:
            prev_steps = r.get("steps", 0)
            continue
        done = r["steps"] - prev_steps
        prev_steps = r["steps"]
        ran = batches[:done]
        if r.get("loss") is None and done < len(batches):
            ran = batches[: done + 1]
        for b in ran:
            counts += train_step(sizes, b)
    return Workload(counts)


def cached_data(cfg: Any, meta: dict[str, Any], cache: dict[str, Any]) -> Any:
    """The dataset of a run's config (loaded once per dataset config)."""
    from nnlab.data import load_dataset

    key = cfg.dataset.model_dump_json()
    if key not in cache:
        data_dir = meta.get("data_dir")
        cache[key] = load_dataset(cfg.dataset, Path(data_dir) if data_dir else None)
    return cache[key]


def folder_workload(run: Path, dataset_cache: dict[str, Any]) -> Workload:
    """The workload of one run folder (config.yaml + metrics.jsonl)."""
    import yaml

    from nnlab.config import validate

    raw = yaml.safe_load((run / "config.yaml").read_text())
    cfg = validate(raw, source=str(run / "config.yaml"))
    data = cached_data(cfg, json.loads((run / "meta.json").read_text()), dataset_cache)
    sizes = {k: int(v[0].shape[0]) for k, v in data.splits.items()}
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return run_workload(
        cfg.model_dump(mode="json"), records, sizes, (data.input_dim, data.n_classes)
    )


def floor_seconds(work: Workload, per_call: dict[Gemm, float], parallel: int = 1) -> float:
    """Seconds the products alone take, spread over ``parallel`` processes."""
    return sum(per_call[g] * c for g, c in work.counts.items()) / parallel


def book_workload(sweep: Path, cache: dict) -> Workload:
    """The book's work for the trials of ``sweep``: each trial's config with ``eval: [train]``
    (and no ``final_eval``),
    every epoch complete (a diverged net counted as if it trained on), summed over the trials
    (518.6 GFLOP for the 32 MNIST nets)."""
    import yaml

    from nnlab.config import validate

    work = Workload(Counter())
    for trial in sorted((sweep / "trials").iterdir()):
        raw = yaml.safe_load((trial / "config.yaml").read_text())
        cfg = validate(raw, source=str(trial / "config.yaml"))
        data = cached_data(cfg, json.loads((trial / "meta.json").read_text()), cache)
        sizes = {k: int(v[0].shape[0]) for k, v in data.splits.items()}
        resolved = cfg.model_dump(mode="json") | {"eval": ["train"], "final_eval": []}
        work = work + full_workload(resolved, sizes, (data.input_dim, data.n_classes))
    return work


def full_workload(cfg: dict[str, Any], sizes: dict[str, int], dims: tuple) -> Workload:
    """The products of a run of resolved config ``cfg`` that trains every epoch to the end."""
    bs = sizes["train"] if cfg["batch_size"] == "full" else int(cfg["batch_size"])
    n_batches = math.ceil(sizes["train"] / bs)
    records = [{"epoch": e, "steps": e * n_batches, "loss": 1.0} for e in range(cfg["epochs"] + 1)]
    return run_workload(cfg, records, sizes, dims)
