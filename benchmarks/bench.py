"""How close does nnlab get to this machine's matrix-multiply limit?

Runs ``nnlab train`` (one run) and ``nnlab sweep weight-scale`` (32 nets) as a user would, from
the command line, and compares each wall time with a floor: the time the run's matrix products
alone take on this machine.

* **Useful FLOPs** are counted analytically from each run folder (``flops.py``: the forward,
  backward and evaluation products of every Affine layer; elementwise work is overhead).
* **GEMM rate** is measured in the same run with numpy on the same shapes and operand layouts
  (``x @ W``, ``x.T @ dout``, ``dout @ W.T``, evaluation chunks), float32, operands hot in
  cache, weighted by how often the run makes each product; with BLAS pinned to 1 thread per
  process as the sweep workers are (``jobs`` processes measured at the same time for the
  sweep), and with the BLAS thread count ``nnlab train`` uses for the single run (``gemm.py``).
  The same products in the stack's own layout (K nets' weights, per-net strided views) give a
  second rate, ``gemm_gflops_1thread_stack_layout``: what the layout costs on this machine.
* **floor** = FLOPs / GEMM rate; **ratio** = wall / floor (1.0 would be nothing but GEMMs).
* **book_ratio**: the sweep's wall time against the floor of *the book's work* (DLFS 6.3.2:
  32 nets x 200 steps, accuracy on the 1,000 training images before training and after each
  epoch; 518.6 GFLOP on MNIST). The sweep runs three times: as its preset says (training
  accuracy every epoch, test accuracy after the last), with test accuracy every epoch too
  (``eval=[train, test]``: what the preset's choice saves), and with ``eval=[train]
  final_eval=[]``, the book's work itself (same-work ratio).
* ``--only scaling``: the book's work at 32 / 64 / 128 trials (more init scales) and hidden
  widths 100 / 400 / 1,000, each with ``--jobs 1`` and ``--jobs 2``: the ratio as the
  matrices grow, and the speed-up of two workers.
* ``--torch``: the same 32 nets in PyTorch (``torch_weight_scale.py``, when torch is installed),
  against the same floor.

Usage (from the project root)::

    python benchmarks/bench.py --data-dir ../shared/data            # train + sweep, table
    python benchmarks/bench.py --jobs 2 --repeat 3 --format json
    python benchmarks/bench.py --only scaling                       # ~15 min on 2 cores
    python benchmarks/bench.py --only gemm                          # the GEMM rates alone
    python benchmarks/bench.py --only commands                      # every command on digits

The machine is usually shared: the load average at the start and end of each run is printed;
use ``--repeat`` and read the best.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from flops import Workload, book_workload, floor_seconds, folder_workload, full_workload
from gemm import Gemm, time_gemms, time_gemms_parallel, time_stacked_gemms

ROOT = Path(__file__).resolve().parents[1]


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


def train_phases(run: Path, t_launch: float, t_exit: float) -> dict[str, float]:
    """Where a single run's wall time went, from its folder (the same columns as a sweep's):

    * ``startup_s``: command launched -> run folder created (imports, config, data, the net);
    * ``trials_s``: -> its last epoch's record written (training, evaluation, checkpoints);
    * ``finish_s``: -> its meta says it ended (summary files, and curves.png, which a painter
      process draws from the last record);
    * ``exit_s``: -> the command exits;

    and ``train_cpu_s``, the sum of its records' ``seconds`` (time inside the training loop).
    """
    meta = json.loads((run / "meta.json").read_text())
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    created, ended = _stamp(meta["started"]), _stamp(meta["ended"])
    last_record = (run / "metrics.jsonl").stat().st_mtime
    return {
        "startup_s": created - t_launch,
        "trials_s": last_record - created,
        "finish_s": ended - last_record,
        "exit_s": t_exit - ended,
        "train_cpu_s": sum(r.get("seconds", 0.0) for r in records),
        "stacks": "1 x 1",
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
        "nnlab_bytecode": nnlab_bytecode(),
    }


def nnlab_bytecode() -> str:
    """Whether nnlab's modules have current bytecode (``python -m compileall -q nnlab``): without
    it, and with PYTHONDONTWRITEBYTECODE set, every command compiles them again at start-up
    (~0.15 s of ``nnlab train``)."""
    import importlib.util

    import nnlab

    sources = list(Path(nnlab.__file__).parent.rglob("*.py"))
    current = 0
    for src in sources:
        cached = Path(importlib.util.cache_from_source(str(src)))
        current += cached.exists() and cached.stat().st_mtime >= src.stat().st_mtime
    return f"{current} of {len(sources)} modules"


def row(
    name: str,
    res: dict[str, Any],
    work: Workload,
    per_call: dict[Gemm, float],
    parallel: int,
    book: Workload | None = None,
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
    if book is not None:  # the wall time against the floor of the book's work
        out["book_ratio"] = res["wall"] / floor_seconds(book, per_call, parallel)
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
    "book_ratio",
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
    run = newest(runs_dir / "train")
    res.update(train_phases(run, res["launched"], res["exited"]))
    return res, folder_workload(run, cache)


def bench_sweep(
    args: argparse.Namespace,
    runs_dir: Path,
    cache: dict,
    overrides: tuple[str, ...] = (),
    jobs: int | None = None,
) -> tuple[dict, Workload]:
    """``nnlab sweep weight-scale`` with ``overrides`` (after ``args.sweep_args``) and ``jobs``
    workers (default ``args.jobs``), into a folder of its own: its timings and products."""
    folder = Path(tempfile.mkdtemp(prefix="sweep-", dir=runs_dir))
    argv = [sys.executable, "-m", "nnlab.cli", "sweep", "weight-scale", "-q", "--format", "json"]
    argv += [
        "--dataset",
        args.dataset,
        "--jobs",
        str(jobs or args.jobs),
        "--stack",
        str(args.stack),
    ]
    argv += ["--runs-dir", str(folder), *args.sweep_args, *overrides]
    if args.data_dir:
        argv += ["--data-dir", str(args.data_dir)]
    res = run_command(argv)
    sweep = newest(folder)
    res.update(sweep_phases(sweep, res["launched"], res["exited"]))
    work = Workload(Counter())
    for trial in sorted((sweep / "trials").iterdir()):
        work = work + folder_workload(trial, cache)
    res["trials"] = len(list((sweep / "trials").iterdir()))
    res["book"] = book_workload(sweep, cache)
    return res, work


# The book's work for the weight-scale sweep (DLFS 6.3.2): every net trains all its steps and
# is evaluated on its training images only, before training and after each epoch.
SAME_WORK = ("eval=[train]", "final_eval=[]")
# The preset as it was before it moved the test split to final_eval: test every epoch too.
TEST_EVERY_EPOCH = ("eval=[train, test]",)
SWEEP_VARIANTS = (
    ("", ()),
    (" (test every epoch too)", TEST_EVERY_EPOCH),
    (" (eval train only: the book's work)", SAME_WORK),
)


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
        choices=["train", "sweep", "scaling", "gemm", "commands", "all"],
        help="run one part only; 'scaling': the sweep at more trials and wider nets, --jobs 1 "
        "and 2; 'commands': the wall time of every command on digits; 'all': train, sweep "
        "and scaling in one run, against one GEMM measurement (the README's tables)",
    )
    p.add_argument("--repeat", type=int, default=1, help="run each benchmark N times")
    p.add_argument("--scaling-trials", default="32,64,128", help="scaling: trial counts")
    p.add_argument("--scaling-widths", default="100,400,1000", help="scaling: hidden widths")
    p.add_argument("--scaling-jobs", default="1,2", help="scaling: worker counts")
    p.add_argument(
        "--torch", action="store_true", help="also time benchmarks/torch_weight_scale.py"
    )
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
    cache: dict[str, Any] = {}
    runs_dir = Path(tempfile.mkdtemp(prefix="nnlab-bench-"))
    if args.only == "commands":
        report_commands(info, [r for _ in range(args.repeat) for r in bench_commands(runs_dir)],
                        args)  # fmt: skip
        return
    runs = run_benchmarks(args, runs_dir, cache)
    books = [res["book"] for _, res, _ in runs if res["book"].counts]
    # the work the GEMM rates are quoted for: the book's, else (--only gemm/train) a train run's
    reference = books[0] if books else gemm_only_workloads(args, cache)["train"]
    gemms = {g for _, res, work in runs for g in (*work.counts, *res["book"].counts)}
    gemms = sorted(gemms | set(reference.counts))

    # GEMM rates on exactly the shapes the runs used, measured now (same load)
    jobs_needed = {1, args.jobs} | {res["jobs"] for _, res, _ in runs if "jobs" in res}
    train_threads = args.train_threads or blas_threads_of_train(args, cache)
    per_call = {("jobs", jobs): time_gemms_parallel(gemms, jobs, 0.25) for jobs in jobs_needed}
    # the single run's floor: each product at the better of its thread count and one thread
    # (on a loaded machine, threaded BLAS on small products can be many times slower)
    threaded = time_gemms(gemms, train_threads)
    per_call[("train", 0)] = {g: min(t, per_call[("jobs", 1)][g]) for g, t in threaded.items()}
    stacked = time_stacked_gemms(gemms, args.stack)
    info["load_end"] = load_average()
    info["train_blas_threads"] = train_threads
    hot = floor_seconds(reference, per_call[("jobs", 1)])
    info["gemm_gflops_1thread_hot"] = reference.flops / hot / 1e9
    info["gemm_gflops_1thread_stack_layout"] = (
        reference.flops / floor_seconds(reference, stacked) / 1e9
    )
    rows, scaling = report_rows(runs, per_call, info)
    if not args.keep:
        import shutil

        shutil.rmtree(runs_dir, ignore_errors=True)
    else:
        info["runs_dir"] = str(runs_dir)
    print_report(args, info, rows, scaling)


def run_benchmarks(
    args: argparse.Namespace, runs_dir: Path, cache: dict
) -> list[tuple[str, dict[str, Any], Workload]]:
    """Run the parts ``args`` asks for: (kind, result, workload) per command run."""
    runs: list[tuple[str, dict[str, Any], Workload]] = []
    for _ in range(args.repeat):
        if args.only in (None, "all", "train"):
            res, work = bench_train(args, runs_dir, cache)
            res["book"] = Workload(Counter())
            runs.append((f"train {args.config.name}", res, work))
        if args.only in (None, "all", "sweep"):
            for label, overrides in SWEEP_VARIANTS:
                res, work = bench_sweep(args, runs_dir, cache, overrides)
                res["jobs"] = args.jobs
                name = f"sweep weight-scale {args.dataset} --jobs {args.jobs}{label}"
                runs.append((name, res, work))
            if args.torch:
                runs.extend(bench_torch(args))
    if args.only in ("all", "scaling"):
        runs.extend(bench_scaling(args, runs_dir, cache))
    return runs


def bench_scaling(
    args: argparse.Namespace, runs_dir: Path, cache: dict
) -> list[tuple[str, dict[str, Any], Workload]]:
    """The weight-scale sweep with the book's work (``eval=[train]``) at more trials (more
    init scales: ``model.init_std=logspace:0:-4:N``) and wider nets (``model.hidden``), with
    each worker count: how the ratio to the floor and the speed-up of --jobs 2 scale."""
    runs = []
    widths = [int(w) for w in args.scaling_widths.split(",")]
    settings = [(int(t), widths[0]) for t in args.scaling_trials.split(",")]
    settings += [(int(args.scaling_trials.split(",")[0]), w) for w in widths[1:]]
    for trials, width in settings:
        overrides = (*SAME_WORK, f"model.init_std=logspace:0:-4:{trials // 2}")
        if width != 100:
            overrides += (f"model.hidden=[{','.join([str(width)] * 5)}]",)
        for jobs in (int(j) for j in args.scaling_jobs.split(",")):
            res, work = bench_sweep(args, runs_dir, cache, overrides, jobs)
            res.update(jobs=jobs, width=width, scaling=True)
            runs.append((f"{trials} trials, width {width}, --jobs {jobs}", res, work))
    return runs


def bench_torch(args: argparse.Namespace) -> list[tuple[str, dict[str, Any], Workload]]:
    """benchmarks/torch_weight_scale.py (the same 32 nets in PyTorch), evaluating as each
    nnlab sweep variant does; nothing when torch is not installed."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        sys.stderr.write("bench: --torch: torch is not installed, skipped\n")
        return []
    script = str(ROOT / "benchmarks" / "torch_weight_scale.py")
    out = []
    variants = (("train+final-test", ""), ("train+test", " (test every epoch too)"),
                ("train", " (eval train only)"))  # fmt: skip
    for evals, label in variants:
        argv = [sys.executable, script, "--jobs", str(args.jobs), "--eval", evals]
        res = run_command([*argv, "--data-dir", str(args.data_dir)])
        res.update(jobs=args.jobs, book=Workload(Counter()), torch=True)
        out.append((f"pytorch weight-scale --jobs {args.jobs}{label}", res, Workload(Counter())))
    return out


def report_rows(
    runs: list[tuple[str, dict[str, Any], Workload]],
    per_call: dict[tuple[str, int], dict[Gemm, float]],
    info: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of the main table and of the scaling table; rates and the book's work in
    ``info``."""
    rows, scaling = [], []
    book = next((res["book"] for n, res, _ in runs if n.startswith("sweep")), None)
    for name, res, work in runs:
        jobs = res.get("jobs")
        calls = per_call[("jobs", jobs)] if jobs else per_call[("train", 0)]
        if res.get("torch"):  # the same nets, so the same floor as nnlab's
            rows.append(torch_row(name, res, book, calls, jobs))
            continue
        r = row(name, res, work, calls, jobs or 1, book if name.startswith("sweep") else None)
        (scaling if res.get("scaling") else rows).append(r)
        if res.get("scaling"):
            r.update(trials=res["trials"], width=res["width"], jobs=jobs)
    for r in scaling:  # speed-up of --jobs N over --jobs 1 at the same trials and width
        one = [
            s
            for s in scaling
            if (s["trials"], s["width"], s["jobs"]) == (r["trials"], r["width"], 1)
        ]
        r["speedup"] = one[0]["wall_s"] / r["wall_s"] if one else None
        # what the machine allows: the GEMM floor's own speed-up with N processes at once
        r["floor_speedup"] = one[0]["floor_s"] / r["floor_s"] if one else None
    if book is not None:
        info["book_gflop"] = book.flops / 1e9
        for (kind, jobs), calls in per_call.items():
            if kind == "jobs":
                info[f"book_floor_s_jobs{jobs}"] = floor_seconds(book, calls, jobs)
    return rows, scaling


def torch_row(
    name: str, res: dict[str, Any], book: Workload | None, calls: dict[Gemm, float], jobs: int
) -> dict[str, Any]:
    """A row for the PyTorch script: its wall time against nnlab's floors."""
    out: dict[str, Any] = {"benchmark": name, "wall_s": res["wall"], "cpu_s": res["cpu"]}
    if book is not None:
        out["book_ratio"] = res["wall"] / floor_seconds(book, calls, jobs)
    out["load"] = "/".join(f"{x:.1f}" for x in res["load"] if x is not None)
    return out


SCALING = [
    "benchmark", "trials", "width", "jobs", "wall_s", "gflop", "floor_s", "ratio", "speedup",
    "floor_speedup",
]  # fmt: skip


def print_report(
    args: argparse.Namespace,
    info: dict[str, Any],
    rows: list[dict[str, Any]],
    scaling: list[dict[str, Any]],
) -> None:
    if args.format == "json":
        for r in rows + scaling:
            r.pop("stdout", None)
        print(json.dumps({"machine": info, "runs": rows, "scaling": scaling}, indent=2))
        return
    from nnlab.output import print_table

    for k, v in info.items():
        print(f"{k}: {round(v, 3) if isinstance(v, float) else v}")
    if rows:
        print_table(seconds_kept(rows), COLUMNS, title="wall vs GEMM floor")
    phased = [r for r in rows if "trials_s" in r]
    if phased:
        print_table(
            seconds_kept(phased),
            PHASES,
            title="where the wall time went (s; train_phases, sweep_phases)",
        )
    if scaling:
        print_table(seconds_kept(scaling), SCALING, title="scaling (the book's work)")


def seconds_kept(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with their seconds (``*_s``) as text of three decimals: a table writes a
    seconds column as a duration rounded for people (``0.9 s``), a benchmark compares 0.903
    with 0.871."""
    return [
        {k: f"{v:.3f}" if k.endswith("_s") and isinstance(v, float) else v for k, v in r.items()}
        for r in rows
    ]


def report_commands(info: dict[str, Any], rows: list[dict[str, Any]], args: Any) -> None:
    info["load_end"] = load_average()
    if args.format == "json":
        print(json.dumps({"machine": info, "commands": rows}, indent=2))
        return
    from nnlab.output import print_table

    for k, v in info.items():
        print(f"{k}: {round(v, 3) if isinstance(v, float) else v}")
    print_table(seconds_kept(rows), ["command", "wall_s", "cpu_s"], title="commands on digits")


def blas_threads_of_train(args: argparse.Namespace, cache: dict) -> int:
    """The BLAS threads ``nnlab train`` picks for the benchmark's config (``--threads``'s
    default: ``nnlab.experiments.train.blas_threads``)."""
    from nnlab.config import load_config
    from nnlab.data import load_dataset
    from nnlab.experiments.train import blas_threads

    cfg = load_config(args.config)
    data = load_dataset(cfg.dataset, args.data_dir, cfg.dtype)
    n_train = data.splits["train"][0].shape[0]
    return blas_threads(cfg, data.input_dim, data.n_classes, n_train)


def gemm_only_workloads(args: argparse.Namespace, cache: dict) -> dict[str, Workload]:
    """The default train config's workload as if it ran every epoch (for ``--only gemm``)."""
    from nnlab.config import load_config
    from nnlab.data import load_dataset

    cfg = load_config(args.config)
    data = load_dataset(cfg.dataset, args.data_dir)
    sizes = {k: int(v[0].shape[0]) for k, v in data.splits.items()}
    work = full_workload(cfg.model_dump(mode="json"), sizes, (data.input_dim, data.n_classes))
    return {"train": work}


if __name__ == "__main__":
    main()
