"""What ``nnlab report`` costs on a runs folder of ~150 folders: a full build into a new folder, a
rebuild with nothing changed, and a rebuild after one new run (CPU seconds of ``build_report``
in this process, the import excluded; medians of ``--repeat``, ranges in brackets).

The runs folder is made once under ``--work`` on the bundled digits data (four trainings and an
lr sweep of 8 trials at ``epochs=2``, a few seconds), then copied under new names to
``--folders`` folders (copies keep their files' times, as ``cp -a`` does).

Usage (from the project root)::

    python benchmarks/report.py --work /tmp/report-bench --repeat 3
    PYTHONPATH=<another checkout> python benchmarks/report.py --work /tmp/report-bench
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # (after PYTHONPATH: another checkout)

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def seed_runs(seed: Path) -> None:
    """Four trainings and a sweep, by the CLI, into ``seed`` (once: kept for the next time)."""
    if seed.is_dir() and any(seed.iterdir()):
        return
    nnlab = [sys.executable, "-m", "nnlab"]
    quick, sweep = str(CONFIGS / "digits-quickstart.yaml"), str(CONFIGS / "digits-lr-sweep.yaml")
    for extra in (["optimizer.lr=0.01"], ["optimizer.lr=0.05"], ["model.batchnorm=true"], []):
        subprocess.run([*nnlab, "train", quick, "epochs=2", *extra, "--runs-dir", str(seed), "-q"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    subprocess.run([*nnlab, "sweep", "run", sweep, "epochs=2", "--runs-dir", str(seed), "-q"],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def copies(seed: Path, runs: Path, folders: int) -> None:
    """``folders`` copies of the seed's folders, each under a name of its own."""
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    sources = sorted(seed.iterdir())
    for n in range(folders):
        src = sources[n % len(sources)]
        shutil.copytree(src, runs / f"{src.name[:-7]}-{n:06x}", symlinks=True)


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
