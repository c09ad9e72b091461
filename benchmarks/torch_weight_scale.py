"""The MNIST weight-scale sweep in PyTorch on the CPU, for comparison with ``nnlab sweep``.

The same experiment as ``nnlab sweep weight-scale --dataset mnist --jobs 2``: 16 init scales
(``logspace(0, -4, 16)``) x BatchNorm on/off, 5 x 100 ReLU nets (BatchNorm before each ReLU),
weights N(0, scale^2) and zero biases, SGD lr 0.01, batch 100, 20 epochs on the 1,000 training
images nnlab draws from MNIST t10k, and after every epoch (and before the first) the accuracy on
those 1,000, and on the 2,000 test images after the last epoch (``--eval train+final-test``, as
nnlab's preset; ``train+test``: after every epoch too; ``train``: never, the book's work),
float32, 2 worker processes with one thread each.

It is not part of nnlab (torch is not a dependency); run it in an environment with torch and
nnlab installed (nnlab only draws the same data splits)::

    python benchmarks/torch_weight_scale.py --data-dir ../shared/data --jobs 2

It prints the wall time of the whole sweep (process start-up included, as ``bench.py`` measures
``nnlab sweep``) and of the training alone, and the final training accuracies per scale.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import time
from pathlib import Path

import numpy as np

SCALES = [float(s) for s in np.logspace(0, -4, 16)]


def load_splits(data_dir: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """nnlab's MNIST splits of the weight-scale preset (1,000 train, 2,000 test)."""
    from nnlab.config import load_config
    from nnlab.data import load_dataset

    cfg = load_config(None, ["dataset.name=mnist", "dataset.n_train=1000"])
    data = load_dataset(cfg.dataset, Path(data_dir), "float32")
    return {k: data.splits[k] for k in ("train", "test")}


def train_nets(
    args: tuple[list[tuple[float, bool]], str, int, str],
) -> tuple[list[dict], float]:
    """Train the given (scale, batchnorm) nets one after another; their final accuracies and
    the seconds it took. ``evals``: as ``--eval``."""
    import torch
    from torch import nn

    settings, data_dir, seed, evals = args
    with_test = evals == "train+test"
    torch.set_num_threads(1)
    splits = load_splits(data_dir)
    x_tr, y_tr = (torch.from_numpy(a) for a in splits["train"])
    x_te, y_te = (torch.from_numpy(a) for a in splits["test"])
    y_tr, y_te = y_tr.long(), y_te.long()
    t0 = time.perf_counter()
    out = []
    for scale, batchnorm in settings:
        torch.manual_seed(seed)
        layers: list[nn.Module] = []
        sizes = [784, 100, 100, 100, 100, 100]
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layers.append(nn.Linear(n_in, n_out))
            if batchnorm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(nn.ReLU())
        layers.append(nn.Linear(100, 10))
        net = nn.Sequential(*layers)
        with torch.no_grad():
            for m in net:
                if isinstance(m, nn.Linear):
                    m.weight.normal_(0.0, scale)
                    m.bias.zero_()
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        loss_fn = nn.CrossEntropyLoss()
        accs = [accuracies(net, x_tr, y_tr, x_te, y_te, with_test)]
        for _ in range(20):
            for idx in torch.randperm(1000).split(100):
                opt.zero_grad()
                loss = loss_fn(net(x_tr[idx]), y_tr[idx])
                if not torch.isfinite(loss):
                    break
                loss.backward()
                opt.step()
            accs.append(accuracies(net, x_tr, y_tr, x_te, y_te, with_test))
        if evals == "train+final-test":
            accs[-1] = accuracies(net, x_tr, y_tr, x_te, y_te, True)
        out.append({"scale": scale, "batchnorm": batchnorm, "train_acc": accs[-1][0],
                    "test_acc": accs[-1][1]})  # fmt: skip
    return out, time.perf_counter() - t0


def accuracies(net, x_tr, y_tr, x_te, y_te, with_test=True) -> tuple[float, float]:  # noqa: ANN001
    """Train and test accuracy in evaluation mode (test NaN without ``with_test``)."""
    import torch

    net.eval()
    with torch.no_grad():
        a = (net(x_tr).argmax(1) == y_tr).float().mean().item()
        b = (net(x_te).argmax(1) == y_te).float().mean().item() if with_test else float("nan")
    net.train()
    return a, b


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--data-dir", default=str(Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
    )
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument(
        "--eval",
        default="train+final-test",
        choices=["train+final-test", "train+test", "train"],
        help="train accuracy every epoch and test after the last (nnlab's preset), test every "
        "epoch too, or train only (the book's work)",
    )
    args = p.parse_args()
    t_start = time.perf_counter()
    settings = [(s, bn) for s in SCALES for bn in (True, False)]
    # each worker gets every jobs-th scale, with and without BatchNorm (balanced work)
    shares = [
        [st for k, st in enumerate(settings) if k // 2 % args.jobs == i] for i in range(args.jobs)
    ]
    with mp.get_context("spawn").Pool(args.jobs) as pool:
        results = pool.map(train_nets, [(share, args.data_dir, 0, args.eval) for share in shares])
    wall = time.perf_counter() - t_start
    rows = sorted(
        (r for rs, _ in results for r in rs), key=lambda r: (-r["scale"], not r["batchnorm"])
    )
    print(
        json.dumps(
            {"wall_s": wall, "train_s_per_worker": [t for _, t in results], "nets": rows}, indent=1
        )
    )


if __name__ == "__main__":
    main()
