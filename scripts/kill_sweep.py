"""Kill nnlab commands at a spread of moments with each stop signal, then check what is left.

For each command and signal (SIGKILL, SIGINT to the process group as a terminal sends it,
SIGTERM and SIGHUP to the process as ``kill`` sends them), at ``--moments`` instants from 10 ms
after the process starts to a little past a clean run's end:

- the exit: 0 (done first) or 130 with one ``interrupted`` line (-9 for SIGKILL);
- every folder it left reads COMPLETED or INTERRUPTED (STALE after SIGKILL), none DAMAGED,
  ``runs list`` and ``runs show`` of each folder succeed, and no temp file (``.<name>.*.tmp``)
  is left in a folder that says how it ended;
- the documented resume (the line's ``continue with:``, or ``--resume FOLDER`` of a STALE one)
  exits 0, every folder then reads COMPLETED with no temp file left, and its result files
  (metrics.jsonl, summary.json, result.json, tune.json, landscape.h5) equal a clean run's,
  times and folder names aside.

Each case gets its own runs folder under ``--out``; one JSON line per case goes to
``--out/cases.jsonl``, and a count of outcomes to stdout. Slow (thousands of processes):
``python scripts/kill_sweep.py --out /tmp/ks --only train --moments 20``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

CFG = "configs/digits-quickstart.yaml"
COMMANDS: dict[str, list[str]] = {
    "train": ["train", CFG],
    "sweep-j1": ["sweep", "grid", CFG, "optimizer.lr=0.05,0.1", "epochs=3", "--jobs", "1"],
    "sweep-j2": ["sweep", "grid", CFG, "optimizer.lr=0.05,0.1", "epochs=3", "--jobs", "2"],
    "tune": ["tune", CFG, "optimizer.lr=loguniform:1e-3:1", "--trials", "3", "--rounds", "2",
             "--epochs", "2"],
    "lr-scan": ["lr-scan", CFG, "--num", "4", "--epochs", "1"],
    "landscape": ["landscape", CFG, "--points", "7", "--samples", "200"],
    "activations": ["activations"],
    "compare-optimizers": ["compare-optimizers", "--dataset", "digits", "--steps", "100"],
    "extend": ["train", "--extend", "{base}", "epochs=30"],
}  # fmt: skip
SIGNALS = {"KILL": signal.SIGKILL, "INT": signal.SIGINT, "TERM": signal.SIGTERM,
           "HUP": signal.SIGHUP}  # fmt: skip
RESULT_FILES = ("metrics.jsonl", "summary.json", "result.json", "tune.json", "landscape.h5")
TIME_KEYS = re.compile(r"seconds|time|elapsed|started|ended|duration|wall|when|at$")
FOLDER = re.compile(r"\d{8}-\d{6}-([\w.-]+?)-[0-9a-f]{6}")
TEMP = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")


def nnlab(*args: Any) -> list[str]:
    return [sys.executable, "-m", "nnlab", *(str(a) for a in args)]


def run(args: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def command_line(name: str, runs: Path, base: Path | None) -> list[str]:
    args = [a.format(base=base) for a in COMMANDS[name]]
    return nnlab(*args, "--runs-dir", runs, "-q")


def killed(args: list[str], delay: float, sig: signal.Signals) -> dict[str, Any]:
    """Run ``args``, send ``sig`` ``delay`` s after the start, wait for the end."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    time.sleep(delay)
    began = entered(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
    out, err = proc.communicate(timeout=600)
    left = group_left(proc.pid)
    return {"code": proc.returncode, "stderr": err, "left": left, "entered": began}


def entered(pid: int) -> bool:
    """Whether nnlab's entry point has begun (it catches SIGTERM first thing; Linux /proc).
    Before, the interpreter itself is starting, which is Python's to answer (README)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


def group_left(pgid: int) -> list[int]:
    """Processes of the killed command's group still there 5 s after it ended."""
    for _ in range(50):
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = (entry / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
                        found.append(int(entry.name))
        if not found:
            return []
        time.sleep(0.1)
    return found


def folders(runs: Path) -> list[Path]:
    return sorted(p.parent for p in runs.rglob("meta.json"))


def top_folders(runs: Path) -> list[Path]:
    return sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))


def statuses(runs: Path) -> dict[str, str]:
    from nnlab import runs as R

    found = {}
    for folder in folders(runs):
        info = R.describe_folder(R.RunDir(folder))
        found[folder.relative_to(runs).as_posix()] = info["status"] + (
            f" ({info.get('reason')})" if info["status"] == "DAMAGED" else ""
        )
    return found


def temporaries(runs: Path) -> list[str]:
    return sorted(p.relative_to(runs).as_posix() for p in runs.rglob("*")
                  if TEMP.fullmatch(p.name) or p.name.endswith((".new", ".removing")))  # fmt: skip


READING = threading.Lock()


def in_process(*args: Any) -> subprocess.CompletedProcess:
    """``nnlab ARGS`` in this process (typer's CliRunner, one at a time: it swaps sys.stdout)."""
    from typer.testing import CliRunner

    from nnlab.cli import app

    with READING:
        done = CliRunner().invoke(app, [str(a) for a in args])
    return subprocess.CompletedProcess(args, done.exit_code, done.stdout, done.stderr)


def readers(runs: Path) -> list[str]:
    """What ``runs list`` and ``runs show`` of each top folder say wrong (empty: nothing)."""
    problems = []
    listed = in_process("runs", "list", "-f", "json", "--runs-dir", runs)
    if listed.returncode != 0:
        problems.append(f"runs list exit {listed.returncode}: {listed.stderr.strip()}")
    else:
        for row in json.loads(listed.stdout):
            if row.get("status") in ("DAMAGED", "RUNNING", "UNREADABLE"):
                problems.append(f"runs list: {row.get('run')} {row.get('status')}"
                                f" {row.get('reason')}")  # fmt: skip
    for top in top_folders(runs):
        shown = in_process("runs", "show", top, "--runs-dir", runs)
        if shown.returncode != 0:
            problems.append(f"runs show {top.name} exit {shown.returncode}: {shown.stderr.strip()}")
    return problems


def normal(value: Any, runs: Path) -> Any:
    if isinstance(value, dict):
        return {k: normal(v, runs) for k, v in value.items() if not TIME_KEYS.search(k)}
    if isinstance(value, list):
        return [normal(v, runs) for v in value]
    if isinstance(value, str):
        return FOLDER.sub(r"\1", value.replace(str(runs), "RUNS"))
    return value


def results(runs: Path, skip: str = "") -> dict[str, Any]:
    """Each result file under ``runs`` (folder names without their time and id), its content
    without times; none of the folder ``skip`` (the run extended, as it was)."""
    out: dict[str, Any] = {}
    for path in sorted(runs.rglob("*")):
        parts = path.relative_to(runs).parts
        if path.name not in RESULT_FILES or any(p.startswith(".") for p in parts):
            continue
        if parts[0] == skip:
            continue
        key = FOLDER.sub(r"\1", path.relative_to(runs).as_posix())
        if path.suffix == ".h5":
            out[key] = h5_arrays(path)
        elif path.suffix == ".jsonl":
            out[key] = [normal(json.loads(line), runs) for line in path.read_text().splitlines()]
        else:
            out[key] = normal(json.loads(path.read_text()), runs)
    return out


def h5_arrays(path: Path) -> dict[str, str]:
    import h5py
    import numpy as np

    arrays: dict[str, str] = {}

    def visit(name: str, item: Any) -> None:
        if isinstance(item, h5py.Dataset):
            arrays[name] = np.asarray(item).tobytes().hex()

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return arrays


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    diffs = [f"{k}: missing" for k in want if k not in got]
    diffs += [f"{k}: extra" for k in got if k not in want]
    for k in want:
        if k in got and got[k] != want[k]:
            a, b = json.dumps(got[k]), json.dumps(want[k])
            at = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
            diffs.append(f"{k}: differs at {a[max(0, at - 60) : at + 60]!r} vs"
                         f" {b[max(0, at - 60) : at + 60]!r}")  # fmt: skip
    return diffs


def resume_line(case: dict[str, Any], name: str, runs: Path) -> list[str] | None:
    said = case["stderr"].strip().splitlines()
    if said and "continue with: " in said[-1]:
        return nnlab(*shlex.split(said[-1].split("continue with: ", 1)[1])[1:])
    stale = [t for t in top_folders(runs) if "STALE" in statuses(runs).get(t.name, "")]
    if stale:
        first = COMMANDS[name][0]
        return nnlab(first, "--resume", stale[0], "--runs-dir", runs, "-q")
    return None


def one_case(name: str, sig: str, delay: float, out: Path, ref: dict[str, Any],
             base: Path | None) -> dict[str, Any]:  # fmt: skip
    runs = out / name / f"{sig}-{delay:.3f}"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    if base is not None:  # (the run extended, copied in: the kill leaves it as it was)
        shutil.copytree(base, runs / base.name)
        base = runs / base.name
    case: dict[str, Any] = {"command": name, "signal": sig, "delay": delay}
    case.update(killed(command_line(name, runs, base), delay, SIGNALS[sig]))
    problems = []
    lines = case["stderr"].strip().splitlines()
    if not case["entered"] and sig != "KILL":
        pass  # (the interpreter's own start: Python's to answer, exit -15 or a traceback)
    elif sig == "KILL":
        if case["code"] not in (0, -9):
            problems.append(f"exit {case['code']}")
    elif case["code"] not in (0, 130):
        problems.append(f"exit {case['code']}")
    elif case["code"] == 130 and (
        not lines
        or not lines[-1].startswith("interrupted")
        or sum(line.startswith("interrupted") for line in lines) != 1
        or "Traceback" in case["stderr"]
    ):  # (lines before it: what the command said as it began, 'extending ...')
        problems.append("stderr not ending in one 'interrupted' line")
    if case["left"]:
        problems.append(f"processes left: {case['left']}")
    found = statuses(runs)
    case["statuses"] = found
    allowed = {"COMPLETED", "INTERRUPTED"} | ({"STALE"} if sig == "KILL" else set())
    if not set(found.values()) <= allowed:
        problems.append(f"statuses {found}")
    problems += readers(runs)
    temps = temporaries(runs)
    case["temporaries"] = temps
    if sig != "KILL" and temps:
        problems.append(f"temporaries {temps}")
    again = resume_line(case, name, runs)
    case["resumed"] = again is not None
    if again is not None:
        done = run(again)
        case["resume_code"] = done.returncode
        if done.returncode != 0:
            problems.append(f"resume exit {done.returncode}: {done.stderr.strip()[-400:]}")
    made = [t for t in top_folders(runs) if base is None or t.name != base.name]
    if case["code"] in (0, 130, -9) and made and not problems:
        after = statuses(runs)
        if set(after.values()) != {"COMPLETED"}:
            problems.append(f"after resume: {after}")
        left = [t for t in temporaries(runs) if not t.endswith(".new")]
        if left:
            problems.append(f"after resume, temporaries {left}")
        skip = "" if base is None else base.name
        problems += [f"result {d}" for d in differences(results(runs, skip), ref)]
        case["compared"] = True
    case["problems"] = problems
    return case


def spread(end: float, n: int) -> list[float]:
    """``n`` instants from 10 ms to ``end``, evenly."""
    return [round(0.01 + (end - 0.01) * i / (n - 1), 3) for i in range(n)]


def reference(name: str, out: Path, base: Path | None) -> tuple[dict[str, Any], float]:
    runs = out / name / "clean"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    if base is not None:
        shutil.copytree(base, runs / base.name)
        base = runs / base.name
    start = time.monotonic()
    done = run(command_line(name, runs, base))
    took = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"clean {name} failed: {done.stderr}")
    return results(runs, "" if base is None else base.name), took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", nargs="*", default=list(COMMANDS))
    parser.add_argument("--signals", nargs="*", default=list(SIGNALS))
    parser.add_argument("--moments", type=int, default=20)
    parser.add_argument("--hup-moments", type=int, default=8, help="(handled as SIGTERM)")
    parser.add_argument("--parallel", type=int, default=2)
    opts = parser.parse_args()
    # (a command started in the background by a shell ignores SIGINT, and its children inherit
    # that: a handler here is reset to the default in each child, which Ctrl-C then stops)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)  # (nohup's ignored SIGHUP, which nnlab keeps)
    opts.out.mkdir(parents=True, exist_ok=True)
    base = None
    if "extend" in opts.only:
        made = opts.out / "base"
        if not made.exists():
            run(nnlab("train", CFG, "--runs-dir", made, "-q"))
        (base,) = top_folders(made)
    log = (opts.out / "cases.jsonl").open("a")
    tally: Counter[str] = Counter()
    for name in opts.only:
        ref, took = reference(name, opts.out, base if name == "extend" else None)
        print(f"{name}: a clean run took {took:.1f} s", flush=True)
        jobs = [
            (name, s, d)
            for s in opts.signals
            for d in spread(took * 1.1, opts.hup_moments if s == "HUP" else opts.moments)
        ]
        with concurrent.futures.ThreadPoolExecutor(opts.parallel) as pool:
            futures = [pool.submit(one_case, *job, opts.out, ref,
                                   base if name == "extend" else None) for job in jobs]  # fmt: skip
            for fut in concurrent.futures.as_completed(futures):
                case = fut.result()
                log.write(json.dumps(case) + "\n")
                log.flush()
                outcome = "ok" if not case["problems"] else "PROBLEM"
                kind = "done" if case["code"] == 0 else ("resumed" if case["resumed"] else "none")
                kind += "" if case["entered"] else " (before the entry point)"
                tally[f"{name} {case['signal']} {outcome} {kind}"] += 1
                if case["problems"]:
                    print(f"  {name} {case['signal']} {case['delay']}: {case['problems']}",
                          flush=True)  # fmt: skip
    for key, n in sorted(tally.items()):
        print(f"{n:4d}  {key}")
    sys.exit(1 if any("PROBLEM" in k for k in tally) else 0)


if __name__ == "__main__":
    main()
