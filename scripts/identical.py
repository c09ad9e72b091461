"""Same configs and seeds, same numbers: digests of every result the README's commands make.

``record OUT.json`` runs each configs/ example and each README command (on the bundled digits,
and on MNIST / cat-vs-noncat when ``--data-dir`` holds them) into a fresh runs folder and
writes a digest per command: every per-epoch record (without its wall ``seconds``), every
summary number, every array of every ``checkpoint.npz`` and ``landscape.h5``, and the
``--format json`` output, with timestamps, paths and timings left out. ``compare A.json
B.json`` says which commands differ. To compare two revisions on one machine::

    python scripts/identical.py record /tmp/before.json --data-dir ../shared/data   # at rev A
    python scripts/identical.py record /tmp/after.json --data-dir ../shared/data    # at rev B
    python scripts/identical.py compare /tmp/before.json /tmp/after.json

(``--quick`` skips the commands that take more than a few seconds.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path.cwd()  # the checkout whose configs/ are run (its nnlab must be installed)

# Keys whose values change from run to run (times, paths, ids with a time stamp, hosts).
VOLATILE = re.compile(
    r"seconds|^time|started|ended|^at$|^pid$|^host$|^argv$|git_commit|versions|run_id|^run$|"
    r"^sweep$|^path$|folder|data_dir|^figure$|^plot$|^png$|executor|start_method|^jobs$|"
    r"^stack$|^stacked$|^resumes$|^error$|gflops|^wall|^data_source$"
)

# A checkpoint's arrays that say what it is, not what the run computed: its digest, the
# identity of its run (the run id has a time stamp; checkpoints of older versions have neither)
# and the digest of its records (which hold each epoch's wall time; the records are compared).
SKIPPED_ARRAYS = ("digest", "run_id", "config_hash", "records")

DIGITS = [
    ("train digits-quickstart", ["train", "configs/digits-quickstart.yaml"]),
    ("train overfit-digits", ["train", "configs/overfit-digits.yaml"]),
    (
        "train override",
        [
            "train",
            "configs/digits-quickstart.yaml",
            "optimizer.lr=0.5",
            "model.batchnorm=true",
            "epochs=5",
            "model.dropout=0.3",
        ],
    ),
    (
        "train float64 adam",
        [
            "train",
            "configs/digits-quickstart.yaml",
            "dtype=float64",
            "optimizer.name=adam",
            "optimizer.lr=0.001",
            "epochs=3",
            "weight_decay=0.01",
        ],
    ),
    (
        "train spiral",
        [
            "train",
            "configs/digits-quickstart.yaml",
            "dataset.name=spiral",
            "dataset.n_test=60",
            "model.hidden=[50]",
            "optimizer.name=rmsprop",
            "epochs=5",
        ],
    ),
    ("sweep weight-scale digits", ["sweep", "weight-scale", "--jobs", "2"]),
    (
        "sweep grid",
        [
            "sweep",
            "grid",
            "configs/digits-quickstart.yaml",
            "optimizer.lr=0.1,0.01",
            "model.dropout=0,0.5",
            "epochs=3",
        ],
    ),
    (
        "sweep random",
        [
            "sweep",
            "random",
            "configs/digits-quickstart.yaml",
            "--trials",
            "4",
            "optimizer.lr=loguniform:1e-4:1",
            "epochs=3",
        ],
    ),
    ("gradcheck", ["gradcheck", "-f", "json"]),
    (
        "gradcheck config",
        ["gradcheck", "configs/digits-quickstart.yaml", "model.batchnorm=true", "-f", "json"],
    ),
    ("compare-optimizers book", ["compare-optimizers", "--function", "book", "-f", "json"]),
    (
        "compare-optimizers xcospi",
        [
            "compare-optimizers",
            "--function",
            "xcospi",
            "--optimizers",
            "gd",
            "--lr",
            "0.1,1.000542,1.0055",
            "--start",
            "0.5,-1.0",
            "--steps",
            "5,20",
            "-f",
            "json",
        ],
    ),
    (
        "compare-optimizers digits",
        ["compare-optimizers", "--dataset", "digits", "--steps", "300", "-f", "json"],
    ),
    (
        "lr-scan",
        [
            "lr-scan",
            "configs/digits-quickstart.yaml",
            "--min",
            "-6",
            "--max",
            "0",
            "--num",
            "7",
            "--epochs",
            "2",
            "-f",
            "json",
        ],
    ),
    (
        "tune",
        [
            "tune",
            "configs/digits-quickstart.yaml",
            "--trials",
            "6",
            "--rounds",
            "2",
            "--epochs",
            "3",
            "-f",
            "json",
        ],
    ),
    ("activations", ["activations", "-f", "json"]),
    ("landscape", ["landscape", "configs/digits-quickstart.yaml", "--points", "11", "-f", "json"]),
]
SLOW = {"compare-optimizers digits", "sweep weight-scale digits", "tune"}
MNIST = [
    ("train mnist-1000", ["train", "configs/mnist-1000.yaml"]),
    ("train overfit-mnist-300", ["train", "configs/overfit-mnist-300.yaml"]),
    (
        "train overfit-mnist-300-weight-decay",
        ["train", "configs/overfit-mnist-300-weight-decay.yaml"],
    ),
    ("train overfit-mnist-300-dropout", ["train", "configs/overfit-mnist-300-dropout.yaml"]),
    ("sweep weight-scale mnist", ["sweep", "weight-scale", "--dataset", "mnist", "--jobs", "2"]),
]
CATS = [("train catvnoncat-logreg", ["train", "configs/catvnoncat-logreg.yaml"])]


def clean(value):
    """``value`` without volatile keys; floats exactly (repr), arrays as digests."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in sorted(value.items()) if not VOLATILE.search(str(k))}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and re.search(r"\d{8}-\d{6}", value):
        return "<id>"
    return value


def array_digest(arr: np.ndarray) -> str:
    arr = np.ascontiguousarray(arr)
    return f"{arr.dtype}{arr.shape}:" + hashlib.sha256(arr.tobytes()).hexdigest()[:20]


def folder_digest(root: Path) -> dict[str, object]:
    """Every result file under ``root``, by its path below the command's top folder."""
    out: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        rel = re.sub(r"\d{8}-\d{6}-[^/]*?-[0-9a-f]{6}", "<run>", str(path.relative_to(root)))
        if path.name == "metrics.jsonl":
            lines = path.read_text().splitlines()
            out[rel] = [clean(json.loads(line)) for line in lines]
        elif path.name == "summary.json":
            out[rel] = clean(json.loads(path.read_text()))
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                # (``digest``: a checkpoint's SHA-256 of its other arrays, nnlab.rundir.state_digest;
                # ``run_id``, ``config_hash``: the run it belongs to, nnlab.rundir.IDENTITY)
                keys = [k for k in sorted(data.files) if k not in SKIPPED_ARRAYS]
                out[rel] = {k: array_digest(data[k]) for k in keys}
        elif path.suffix == ".h5":
            import h5py

            with h5py.File(path, "r") as f:
                names: list[str] = []
                f.visit(names.append)
                out[rel] = {
                    n: array_digest(f[n][()]) for n in names if isinstance(f[n], h5py.Dataset)
                }
    return out


def run(name: str, argv: list[str], data_dir: Path | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        cmd = [str(Path(sys.executable).parent / "nnlab"), *argv, "--runs-dir", str(runs)]
        if data_dir is not None and argv[0] not in ("gradcheck", "activations"):
            cmd += ["--data-dir", str(data_dir)]
        if argv[0] in ("train", "sweep") and "-f" not in argv:
            cmd += ["-f", "json"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        try:
            stdout = clean(json.loads(proc.stdout))
        except json.JSONDecodeError:
            stdout = proc.stdout
        return {"exit": proc.returncode, "stdout": stdout, "files": folder_digest(runs)}


def record(out: Path, data_dir: Path | None, quick: bool) -> None:
    commands = [c for c in DIGITS if not (quick and c[0] in SLOW)]
    if data_dir is not None and (data_dir / "mnist").is_dir():
        commands += [c for c in MNIST if not (quick and "sweep" in c[0])]
    if data_dir is not None and (data_dir / "catvnoncat").is_dir():
        commands += CATS
    digests = {}
    for name, argv in commands:
        print(f"{name} ...", file=sys.stderr, flush=True)
        digests[name] = run(name, argv, data_dir)
        if digests[name]["exit"] not in (0, 1):
            print(f"  exit {digests[name]['exit']}", file=sys.stderr)
    out.write_text(json.dumps(digests, indent=1, sort_keys=True))
    print(f"{len(digests)} commands -> {out}", file=sys.stderr)


def compare(a: Path, b: Path) -> int:
    before, after = json.loads(a.read_text()), json.loads(b.read_text())
    differ = 0
    for name in sorted(set(before) | set(after)):
        if name not in before or name not in after:
            print(f"only in {'after' if name in after else 'before'}: {name}")
            continue
        same = before[name] == after[name]
        differ += not same
        print(f"{'same  ' if same else 'DIFFER'} {name}")
        if not same:
            for key in sorted(set(before[name]["files"]) | set(after[name]["files"])):
                if before[name]["files"].get(key) != after[name]["files"].get(key):
                    print(f"        {key}")
            if before[name]["stdout"] != after[name]["stdout"]:
                print("        stdout")
            if before[name]["exit"] != after[name]["exit"]:
                print(f"        exit {before[name]['exit']} -> {after[name]['exit']}")
    print(f"{differ} of {len(set(before) | set(after))} commands differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out", type=Path)
    rec.add_argument("--data-dir", type=Path)
    rec.add_argument("--quick", action="store_true")
    cmp = sub.add_parser("compare")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.what == "record":
        record(args.out, args.data_dir.resolve() if args.data_dir else None, args.quick)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
