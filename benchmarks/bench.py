"""How close does nnlab get to this machine's matrix-multiply limit?

Runs ``nnlab train`` (one run) and ``nnlab sweep weight-scale`` (32 nets) as a user would, from
the command line, and compares each wall time with a floor: the time the run's matrix products
alone take on this machine.

* **Useful FLOPs** are counted analytically from each run folder (its resolved config and its
  metrics): per Affine layer with ``in`` inputs and ``out`` outputs and a batch of ``N``
  samples, the forward product costs ``2 N in out``; the backward pass costs the same again for
  ``dW = x^T dout`` and for ``dx = dout W^T`` (not for the first layer, whose ``dx`` is not
  needed); every evaluation (epoch 0 and after each epoch, each split in ``eval``) is a forward
  pass over the split. Elementwise work (bias, ReLU, BatchNorm, softmax, the optimizer) is not
  counted: it is overhead.
* **GEMM rate** is measured in the same run with numpy on the same shapes and operand layouts
  (``x @ W``, ``x.T @ dout``, ``dout @ W.T``, evaluation chunks), float32, weighted by how often
  the run makes each product; with BLAS pinned to 1 thread per process as the sweep workers are
  (``jobs`` processes measured at the same time for the sweep), and with the BLAS thread count
  ``nnlab train`` uses for the single run.
* **floor** = FLOPs / GEMM rate; **ratio** = wall / floor (1.0 would be nothing but GEMMs).

Usage (from the project root)::

    python benchmarks/bench.py --data-dir ../shared/data            # train + sweep, table
    python benchmarks/bench.py --jobs 2 --repeat 3 --format json
    python benchmarks/bench.py --only gemm                          # the GEMM rates alone
    python benchmarks/bench.py --only commands                      # every command on digits

The machine is usually shared: the load average at the start and end of each run is printed;
use ``--repeat`` and read the best.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

# (rows, inner, cols, a transposed, b transposed): C (rows, cols) = op(A) @ op(B)
Gemm = tuple[int, int, int, bool, bool]


# ----------------------------------------------------------------------------- FLOP counting
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
    for r in records:
        for split in cfg["eval"]:
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


def folder_workload(run: Path, dataset_cache: dict[str, Any]) -> Workload:
    """The workload of one run folder (config.yaml + metrics.jsonl)."""
    import yaml

    from nnlab.config import validate
    from nnlab.data import load_dataset

    raw = yaml.safe_load((run / "config.yaml").read_text())
    cfg = validate(raw, source=str(run / "config.yaml"))
    meta = json.loads((run / "meta.json").read_text())
    key = cfg.dataset.model_dump_json()
    if key not in dataset_cache:
        data_dir = meta.get("data_dir")
        dataset_cache[key] = load_dataset(cfg.dataset, Path(data_dir) if data_dir else None)
    data = dataset_cache[key]
    sizes = {k: int(v[0].shape[0]) for k, v in data.splits.items()}
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return run_workload(
        cfg.model_dump(mode="json"), records, sizes, (data.input_dim, data.n_classes)
    )


# ----------------------------------------------------------------------------- GEMM rate
def _operands(g: Gemm, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    m, k, n, ta, tb = g
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
    return (a.T if ta else a), (b.T if tb else b)


def time_gemms(gemms: list[Gemm], threads: int, seconds: float = 0.25) -> dict[Gemm, float]:
    """Best seconds per call of each product (float32, ``threads`` BLAS threads), each timed in
    loops of ~``seconds / 5`` and the best of 5 loops kept."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    out: dict[Gemm, float] = {}
    with threadpool_limits(limits=threads):
        for g in gemms:
            a, b = _operands(g, rng)
            c = np.empty((g[0], g[2]), dtype=np.float32)
            np.matmul(a, b, out=c)
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            reps = max(1, int(seconds / 5 / max(time.perf_counter() - t0, 1e-7)))
            best = math.inf
            for _ in range(5):
                t0 = time.perf_counter()
                for _ in range(reps):
                    np.matmul(a, b, out=c)
                best = min(best, (time.perf_counter() - t0) / reps)
            out[g] = best
    return out


def _gemm_worker(args: tuple[list[Gemm], float, Any]) -> list[tuple[Gemm, float]]:
    gemms, seconds, barrier = args
    barrier.wait()
    return list(time_gemms(gemms, 1, seconds).items())


def time_gemms_parallel(gemms: list[Gemm], jobs: int, seconds: float) -> dict[Gemm, float]:
    """Seconds per call while ``jobs`` single-thread processes run the same products at once
    (the condition of ``--jobs N`` sweep workers); the slowest process's time for each."""
    if jobs == 1:
        return time_gemms(gemms, 1, seconds)
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(jobs)
        with ctx.Pool(jobs) as pool:
            results = pool.map(_gemm_worker, [(gemms, seconds, barrier)] * jobs)
    out: dict[Gemm, float] = {}
    for result in results:
        for g, t in result:
            out[tuple(g)] = max(out.get(tuple(g), 0.0), t)  # type: ignore[arg-type]
    return out


def floor_seconds(work: Workload, per_call: dict[Gemm, float], parallel: int = 1) -> float:
    """Seconds the products alone take, spread over ``parallel`` processes."""
    return sum(per_call[g] * c for g, c in work.counts.items()) / parallel


# ----------------------------------------------------------------------------- runs
def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def run_command(argv: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Wall and CPU (user + sys of the child processes) seconds of one command."""
    before = os.times()
    load0 = load_average()
    launched = time.time()
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    exited = time.time()
    after = os.times()
    if proc.returncode not in (0, 3):
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"bench: {' '.join(argv)} exited with {proc.returncode}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return {
        "wall": wall,
        "cpu": cpu,
        "load": [load0, load_average()],
        "stdout": proc.stdout,
        "launched": launched,
        "exited": exited,
    }


def newest(folder: Path) -> Path:
    return max((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)


def _stamp(text: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(text).timestamp()


def sweep_phases(sweep: Path, t_launch: float, t_exit: float) -> dict[str, float]:
    """Where a sweep's wall time went, from the timestamps its folders record (ms):

    * ``startup_s``: command launched -> sweep folder created (imports, planning, data check);
    * ``workers_s``: -> the first trial starts (worker processes start, import, load the data);
    * ``trials_s``: first trial start -> last trial end (training and evaluation, folder I/O);
    * ``finish_s``: -> the sweep's meta says it ended (summary files, the figures);
    * ``exit_s``: -> the command exits (the table on stdout, interpreter shutdown);

    and ``train_cpu_s``, the sum of the trials' own ``seconds`` (time inside the training loop,
    each stacked trial counting its share of its stack), and ``stacks``, trials per stack.
    """
    meta = json.loads((sweep / "meta.json").read_text())
    trials = [json.loads(m.read_text()) for m in sweep.glob("trials/*/meta.json")]
    summaries = [json.loads(m.read_text()) for m in sweep.glob("trials/*/summary.json")]
    first = min(_stamp(t["started"]) for t in trials)
    last = max(_stamp(t["ended"]) for t in trials)
    created, ended = _stamp(meta["started"]), _stamp(meta["ended"])
    sizes = Counter(t.get("stacked", 1) for t in trials)
    return {
        "startup_s": created - t_launch,
        "workers_s": first - created,
        "trials_s": last - first,
        "finish_s": ended - last,
        "exit_s": t_exit - ended,
        "train_cpu_s": sum(s.get("seconds", 0.0) for s in summaries),
        "stacks": ", ".join(f"{n // k} x {k}" for k, n in sorted(sizes.items(), reverse=True)),
    }


# ----------------------------------------------------------------------------- report
def machine() -> dict[str, Any]:
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = [
        f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": ", ".join(blas),
    }


def row(
    name: str, res: dict[str, Any], work: Workload, per_call: dict[Gemm, float], parallel: int
) -> dict[str, Any]:
    floor = floor_seconds(work, per_call, parallel)
    gflop = work.flops / 1e9
    out = {
        "benchmark": name,
        "wall_s": res["wall"],
        "cpu_s": res["cpu"],
        "gflop": gflop,
        "achieved_gflops": gflop / res["wall"],
        "gemm_gflops": gflop / floor,
        "floor_s": floor,
        "ratio": res["wall"] / floor,
        "load": "/".join(f"{x:.1f}" for x in res["load"] if x is not None),
    }
    out.update({k: v for k, v in res.items() if k.endswith("_s") and k not in out})
    if "stacks" in res:
        out["stacks"] = res["stacks"]
    return out


COLUMNS = [
    "benchmark",
    "wall_s",
    "cpu_s",
    "gflop",
    "achieved_gflops",
    "gemm_gflops",
    "floor_s",
    "ratio",
    "load",
]
PHASES = [
    "benchmark",
    "startup_s",
    "workers_s",
    "trials_s",
    "finish_s",
    "exit_s",
    "train_cpu_s",
    "stacks",
]


def bench_train(args: argparse.Namespace, runs_dir: Path, cache: dict) -> tuple[dict, Workload]:
    argv = [sys.executable, "-m", "nnlab.cli", "train", str(args.config), "--format", "json"]
    argv += ["--runs-dir", str(runs_dir / "train")]
    if args.data_dir:
        argv += ["--data-dir", str(args.data_dir)]
    res = run_command(argv)
    return res, folder_workload(newest(runs_dir / "train"), cache)


def bench_sweep(args: argparse.Namespace, runs_dir: Path, cache: dict) -> tuple[dict, Workload]:
    argv = [sys.executable, "-m", "nnlab.cli", "sweep", "weight-scale", "-q", "--format", "json"]
    argv += ["--dataset", args.dataset, "--jobs", str(args.jobs), "--stack", str(args.stack)]
    argv += ["--runs-dir", str(runs_dir / "sweep"), *args.sweep_args]
    if args.data_dir:
        argv += ["--data-dir", str(args.data_dir)]
    res = run_command(argv)
    sweep = newest(runs_dir / "sweep")
    res.update(sweep_phases(sweep, res["launched"], res["exited"]))
    work = Workload(Counter())
    for trial in sorted((sweep / "trials").iterdir()):
        work = work + folder_workload(trial, cache)
    return res, work


# Every command as a user runs it on the bundled digits data (no download): name, arguments.
COMMANDS = [
    ("train digits-quickstart", ["train", "configs/digits-quickstart.yaml"]),
    ("sweep weight-scale (digits)", ["sweep", "weight-scale", "--jobs", "2"]),
    ("gradcheck", ["gradcheck"]),
    ("compare-optimizers (book)", ["compare-optimizers", "--function", "book"]),
    ("compare-optimizers (digits)", ["compare-optimizers", "--dataset", "digits"]),
    ("lr-scan", ["lr-scan", "configs/digits-quickstart.yaml"]),
    ("tune (2 rounds x 20 trials)", ["tune", "configs/digits-quickstart.yaml", "--rounds", "2",
                                     "--epochs", "5", "--jobs", "2"]),
    ("activations", ["activations"]),
    ("train overfit-digits", ["train", "configs/overfit-digits.yaml"]),
    ("landscape (trained run)", ["landscape", "latest"]),
]  # fmt: skip


def bench_commands(runs_dir: Path) -> list[dict[str, Any]]:
    """Wall time of each command in ``COMMANDS``, run from the command line one after another
    (the landscape uses the run the training before it made)."""
    out = []
    for name, cmd in COMMANDS:
        argv = [sys.executable, "-m", "nnlab.cli", *cmd, "--runs-dir", str(runs_dir / "cmd")]
        if cmd[0] not in ("gradcheck", "compare-optimizers", "activations"):
            argv.append("-q")
        res = run_command(argv)
        out.append({"command": name, "wall_s": res["wall"], "cpu_s": res["cpu"]})
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=2, help="sweep worker processes (default 2)")
    p.add_argument("--stack", type=int, default=8, help="sweep trials per stack (default 8)")
    p.add_argument("--dataset", default="mnist", choices=["mnist", "digits"])
    p.add_argument("--data-dir", type=Path, default=ROOT / ".." / "shared" / "data")
    p.add_argument("--config", type=Path, default=ROOT / "configs" / "mnist-1000.yaml")
    p.add_argument(
        "--only",
        choices=["train", "sweep", "gemm", "commands"],
        help="run one part only; 'commands': the wall time of every command on digits",
    )
    p.add_argument("--repeat", type=int, default=1, help="run each benchmark N times")
    p.add_argument(
        "--train-threads",
        type=int,
        default=None,
        help="BLAS threads of 'nnlab train' for its floor (default: what it uses)",
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--keep", action="store_true", help="keep the run folders (printed)")
    p.add_argument("sweep_args", nargs="*", help="extra key=value overrides for the sweep")
    args = p.parse_args(argv)
    if args.dataset == "digits":
        args.data_dir = None

    info = machine()
    info["load_start"] = load_average()
    rows: list[dict[str, Any]] = []
    cache: dict[str, Any] = {}
    runs_dir = Path(tempfile.mkdtemp(prefix="nnlab-bench-"))
    if args.only == "commands":
        report_commands(info, [r for _ in range(args.repeat) for r in bench_commands(runs_dir)],
                        args)  # fmt: skip
        return
    works: dict[str, Workload] = {}
    results: dict[str, list[dict]] = {"train": [], "sweep": []}
    for _ in range(args.repeat):
        if args.only in (None, "train"):
            res, works["train"] = bench_train(args, runs_dir, cache)
            results["train"].append(res)
        if args.only in (None, "sweep"):
            res, works["sweep"] = bench_sweep(args, runs_dir, cache)
            results["sweep"].append(res)
    if args.only == "gemm" or not works:  # the shapes of the default runs, without running them
        works = gemm_only_workloads(args, cache)

    # GEMM rates on exactly the shapes the runs used, measured now (same load)
    gemms = sorted({g for w in works.values() for g in w.counts})
    train_threads = args.train_threads or blas_threads_of_train()
    per_call_train = time_gemms(gemms, train_threads)
    per_call_jobs = time_gemms_parallel(gemms, args.jobs, 0.25)
    per_call_1 = time_gemms(gemms, 1)
    info["load_end"] = load_average()
    for name, work in works.items():
        info[f"{name}_gflop"] = work.flops / 1e9
        info[f"{name}_gemm_gflops_1thread"] = work.flops / floor_seconds(work, per_call_1) / 1e9
    if "train" in works:
        info["train_blas_threads"] = train_threads
        info["train_gemm_gflops"] = (
            works["train"].flops / floor_seconds(works["train"], per_call_train) / 1e9
        )
    if "sweep" in works:
        info["sweep_jobs"] = args.jobs
        info["sweep_gemm_gflops"] = (
            args.jobs * works["sweep"].flops / floor_seconds(works["sweep"], per_call_jobs) / 1e9
        )
    for res in results["train"]:
        rows.append(row(f"train {args.config.name}", res, works["train"], per_call_train, 1))
    for res in results["sweep"]:
        rows.append(
            row(
                f"sweep weight-scale {args.dataset} --jobs {args.jobs}",
                res,
                works["sweep"],
                per_call_jobs,
                args.jobs,
            )
        )
    if not args.keep:
        import shutil

        shutil.rmtree(runs_dir, ignore_errors=True)
    else:
        info["runs_dir"] = str(runs_dir)

    if args.format == "json":
        for r in rows:
            r.pop("stdout", None)
        print(json.dumps({"machine": info, "runs": rows}, indent=2))
        return
    from rich.console import Console

    from nnlab.output import render_table

    console = Console(width=150)
    for k, v in info.items():
        console.print(f"{k}: {round(v, 3) if isinstance(v, float) else v}", highlight=False)
    if rows:
        console.print(render_table(rows, COLUMNS, title="wall vs GEMM floor"))
    sweeps = [r for r in rows if "trials_s" in r]
    if sweeps:
        console.print(render_table(sweeps, PHASES, title="where the sweep's wall time went (s)"))


def report_commands(info: dict[str, Any], rows: list[dict[str, Any]], args: Any) -> None:
    info["load_end"] = load_average()
    if args.format == "json":
        print(json.dumps({"machine": info, "commands": rows}, indent=2))
        return
    from rich.console import Console

    from nnlab.output import render_table

    console = Console(width=150)
    for k, v in info.items():
        console.print(f"{k}: {round(v, 3) if isinstance(v, float) else v}", highlight=False)
    console.print(render_table(rows, ["command", "wall_s", "cpu_s"], title="commands on digits"))


def blas_threads_of_train() -> int:
    """The BLAS threads a fresh ``nnlab train`` process runs with (its own choice, if any)."""
    code = (
        "import nnlab.train; from threadpoolctl import threadpool_info; "
        "print(max([i['num_threads'] for i in threadpool_info() if i['user_api']=='blas'] or [1]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return int(out.stdout.strip() or 1)


def gemm_only_workloads(args: argparse.Namespace, cache: dict) -> dict[str, Workload]:
    """The default train config's workload as if it ran every epoch (for ``--only gemm``)."""
    from nnlab.config import load_config
    from nnlab.data import load_dataset

    cfg = load_config(args.config)
    data = load_dataset(cfg.dataset, args.data_dir)
    sizes = {k: int(v[0].shape[0]) for k, v in data.splits.items()}
    n_batches = math.ceil(sizes["train"] / int(cfg.batch_size))
    records = [{"epoch": e, "steps": e * n_batches, "loss": 1.0} for e in range(cfg.epochs + 1)]
    work = run_workload(
        cfg.model_dump(mode="json"), records, sizes, (data.input_dim, data.n_classes)
    )
    return {"train": work}


if __name__ == "__main__":
    main()
