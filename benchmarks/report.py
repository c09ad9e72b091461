"""What ``nnlab report`` costs on a runs folder of ~150 folders: a full build into a new folder, a
rebuild with nothing changed, and a rebuild after one new run (CPU seconds of ``build_report``
in this process, the import excluded; medians of ``--repeat``, ranges in brackets).

The runs folder is made once under ``--work`` on the bundled digits data (four trainings, an lr
sweep of 8 trials at ``epochs=2``, and a folder of every other kind: a weight-scale sweep, a
tune of two rounds, an lr-scan, an activations run, a landscape, compare-optimizers, gradcheck's
differences; ~1 min), then copied under new names to ``--folders`` folders (copies keep their
files' times, as ``cp -a`` does); every 10th copy of a training run is made FAILED as a run
that raised leaves it (its meta.json's status and error, no summary.json), for a page to review.

Usage (from the project root)::

    python benchmarks/report.py --work /tmp/report-bench --repeat 3
    PYTHONPATH=<another checkout> python benchmarks/report.py --work /tmp/report-bench
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # (after PYTHONPATH: another checkout)

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


SMALL = ["dataset.n_train=300"]
OTHERS = [  # (a folder of every other kind, small)
    ["sweep", "weight-scale", "model.init_std=1,0.1,0.01", "epochs=2", "dataset.n_train=200"],
    ["tune", "QUICK", "--trials", "3", "--rounds", "2", "--top-k", "2", "--epochs", "2", *SMALL],
    ["lr-scan", "QUICK", "--num", "3", "--epochs", "1", *SMALL],
    ["activations", "-a", "relu", "-i", "he,std1", "--samples", "100", "--units", "20",
     "--layers", "2"],
    ["landscape", "TRAIN", "--points", "5"],
    ["compare-optimizers", "--optimizers", "sgd,adam", "--steps", "20"],
    ["gradcheck", "--compare-differences"],
]  # fmt: skip


def seed_runs(seed: Path) -> None:
    """Four trainings, a sweep and a folder of every other kind, by the CLI, into ``seed``
    (once: kept for the next time)."""
    if seed.is_dir() and any(seed.iterdir()):
        return
    nnlab = [sys.executable, "-m", "nnlab"]
    quick, sweep = str(CONFIGS / "digits-quickstart.yaml"), str(CONFIGS / "digits-lr-sweep.yaml")
    for extra in (["optimizer.lr=0.01"], ["optimizer.lr=0.05"], ["model.batchnorm=true"], []):
        subprocess.run([*nnlab, "train", quick, "epochs=2", *extra, "--runs-dir", str(seed), "-q"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    subprocess.run([*nnlab, "sweep", "run", sweep, "epochs=2", "--runs-dir", str(seed), "-q"],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    train = sorted(p.name for p in seed.iterdir() if "quickstart" in p.name)[0]
    for args in OTHERS:
        args = [quick if a == "QUICK" else train if a == "TRAIN" else a for a in args]
        subprocess.run([*nnlab, *args, "--runs-dir", str(seed), "-q"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


FAILED_ERROR = (
    "ValueError: shapes (50,64) and (100,10) not aligned: 64 (dim 1) != 100 (dim 0), in "
    "nnlab/nn/layers.py, Affine.forward (a run that raised, as its meta.json records it)"
)


def failed(run: Path) -> None:
    """Make the copy of a training run at ``run`` FAILED, as a run that raised leaves it."""
    meta = json.loads((run / "meta.json").read_text())
    meta.update(status="FAILED", error=FAILED_ERROR)
    (run / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    (run / "summary.json").unlink(missing_ok=True)


def copies(seed: Path, runs: Path, folders: int) -> None:
    """``folders`` copies of the seed's folders, each under a name of its own."""
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    sources = sorted(seed.iterdir())
    trainings = 0
    for n in range(folders):
        src = sources[n % len(sources)]
        shutil.copytree(src, runs / f"{src.name[:-7]}-{n:06x}", symlinks=True)
        if json.loads((src / "meta.json").read_text()).get("kind") == "train":
            trainings += 1
            if trainings % 10 == 0:
                failed(runs / f"{src.name[:-7]}-{n:06x}")


def timed(runs: Path, out: Path) -> float:
    from nnlab.report import build_report

    start = time.process_time()
    build_report((), runs, out)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="a folder for the runs")
    parser.add_argument("--folders", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    seed, runs = args.work / "seed", args.work / "runs"
    seed_runs(seed)
    copies(seed, runs, args.folders)
    first = sorted(runs.iterdir())[0]
    times: dict[str, list[float]] = {"full": [], "unchanged": [], "one new": []}
    for _ in range(args.repeat):
        out = args.work / "report"
        shutil.rmtree(out, ignore_errors=True)
        times["full"].append(timed(runs, out))
        times["unchanged"].append(timed(runs, out))
        new = runs / f"{first.name}-new"
        shutil.copytree(first, new, symlinks=True)
        try:
            times["one new"].append(timed(runs, out))
        finally:
            shutil.rmtree(new)
    for what, ts in times.items():
        print(f"{what}: {statistics.median(ts):.2f} s CPU [{min(ts):.2f}-{max(ts):.2f}]")


if __name__ == "__main__":
    main()
