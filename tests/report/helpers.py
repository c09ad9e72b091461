"""Small helpers for the report's tests: copy a runs folder, write odd run folders by hand, and
read what a report wrote."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import socket
import struct
import zlib
from pathlib import Path
from typing import Any

from nnlab import runs

# a network address in any file of a report: a scheme with //, or a protocol-relative link
EXTERNAL_URL = re.compile(
    rb"(?i)\b(?:https?|ftp|wss?)://|(?:src|href|action)\s*=\s*[\"']?//|url\(\s*[\"']?//"
)


def copy_runs(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def records(epochs: int, lr: float = 0.1, decay: float = 1.0) -> list[dict[str, Any]]:
    """Plausible epoch records: loss falling, accuracy rising, lr times ``decay`` each epoch."""
    out = []
    for e in range(epochs + 1):
        out.append(
            {
                "epoch": e,
                "loss": None if e == 0 else 2.0 / (e + 1),
                "train_loss": 2.3 / (e + 1),
                "train_acc": 1 - 0.9 / (e + 1),
                "test_loss": 2.4 / (e + 1),
                "test_acc": 1 - 0.95 / (e + 1),
                "lr": lr * decay**e,
                "seconds": 0.01,
                "steps": 10 * e,
            }
        )
    return out


def new_folder(root: Path, name: str) -> runs.RunDir:
    """An empty run folder named as nnlab names them (``<stamp>-<name>-<id>``)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(root) / f"{stamp}-{name}-{secrets.token_hex(3)}"
    path.mkdir(parents=True)
    return runs.RunDir(path)


def write_meta(run: runs.RunDir, **fields: Any) -> None:
    """Write meta.json, merged into the one there (if any)."""
    path = run.file("meta.json")
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(runs.dumps({**old, **fields}))


def make_run(
    root: Path,
    name: str,
    epochs: int = 5,
    status: str = "COMPLETED",
    lr: float = 0.1,
    decay: float = 1.0,
    folder: Path | None = None,
    **meta: Any,
) -> runs.RunDir:
    """A training run folder as `nnlab train` leaves it (meta, config, metrics, summary), written
    directly, not through runs' lifecycle: fast (no fsync), and the same on any version of it."""
    if folder is not None:
        folder.mkdir(parents=True)
    run = runs.RunDir(folder) if folder is not None else new_folder(root, name)
    now = runs.now()
    ended = None if status == "RUNNING" else now
    write_meta(
        run,
        run_id=run.id,
        status=status,
        argv=["nnlab", "train", f"{name}.yaml"],
        host="elsewhere",
        pid=1,
        started=now,
        ended=ended,
        name=name,
        seed=0,
        **meta,
    )
    config = f"name: {name}\nseed: 0\ndataset: {{name: digits}}\noptimizer: {{name: sgd, lr: {lr}}}\nepochs: {epochs}\n"
    run.file("config.yaml").write_text(config)
    recs = records(epochs, lr, decay)
    run.file("metrics.jsonl").write_text("".join(runs.dumps(r, indent=None) + "\n" for r in recs))
    if status != "RUNNING":
        last = recs[-1]
        summary = {"status": status, "epochs": epochs, "seconds": 0.1}
        for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
            summary[f"final_{key}"] = last[key]
            summary[f"best_{key}"] = last[key]
        run.file("summary.json").write_text(runs.dumps(summary))
    return run


def completed_sweep(root: Path, name: str, values: dict[str, dict[str, Any]]) -> runs.RunDir:
    """A COMPLETED grid sweep folder by hand, without its trials' folders (``make_run`` each
    under ``sweep.file("trials") / <id>``): meta.json, summary.json (a sweep that ended has
    one) and a sweep.yaml planning a trial per entry of ``values`` (trial id -> its swept
    values, seed 0), its spec each swept key's values in the trials' order."""
    sweep = new_folder(root, f"sweep-{name}")
    write_meta(sweep, run_id=sweep.id, kind="sweep", name=name, status="COMPLETED")
    sweep.file("summary.json").write_text('{"status": "COMPLETED"}\n')
    params: dict[str, list[Any]] = {}
    for swept in values.values():
        for key, value in swept.items():
            params.setdefault(key, []).append(value)
    planned = [{"id": t, "seed": 0, "values": v} for t, v in values.items()]
    plan = {"name": name, "spec": {"kind": "grid", "params": params}, "base": {}, "trials": planned}
    sweep.file("sweep.yaml").write_text(json.dumps(plan))  # (JSON is YAML)
    return sweep


def make_running(root: Path, name: str = "still-going") -> runs.RunDir:
    """A RUNNING run of this (live) process, two epochs in, no summary yet."""
    run = make_run(root, name, epochs=2, status="RUNNING")
    write_meta(run, host=socket.gethostname(), pid=os.getpid())
    return run


def files(out: Path) -> list[Path]:
    return [p for p in sorted(out.rglob("*")) if p.is_file()]


def page(out: Path, run: Path | str) -> str:
    """The text of the page of the folder ``run`` (a path or its rel) in the report ``out``."""
    rel = run.name if isinstance(run, Path) else run
    return (out / rel / "index.html").read_text(encoding="utf-8")


def index_rows(html: str) -> list[str]:
    """The index table's rows (their HTML)."""
    body = html.split('<table id="runs"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr .*?</tr>", body)


def data_js(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return json.loads(text.removeprefix("window.NNLAB_DATA = ").rstrip().rstrip(";"))


def a_png() -> bytes:
    """A whole 2 x 2 grey PNG (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0\x80\x80" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def make_wide_rows(root: Path) -> None:
    """Under ``root``, the runs that make the index's columns wide: a 100,000-epoch run
    stopped at 22,592 ("22,592 of 100,000" done), one with a val column, a folder of kind
    compare-optimizers and a gradcheck's."""
    from nnlab.summary import summarize

    stopped = make_run(root, "interrupted-run", epochs=22592, status="INTERRUPTED")
    config = stopped.file("config.yaml").read_text()
    stopped.file("config.yaml").write_text(config.replace("epochs: 22592", "epochs: 100000"))
    held_out = make_run(root, "with-a-val-split")  # (a column of val accuracy too)
    records = [json.loads(line) for line in held_out.file("metrics.jsonl").read_text().splitlines()]
    records = [{**r, "val_acc": 0.5} for r in records]
    held_out.file("metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = {**summarize(records, "COMPLETED"), "status": "COMPLETED", "epochs": 5}
    held_out.file("summary.json").write_text(json.dumps(summary))
    make_run(root, "compare-optimizers digits", kind="compare-optimizers")
    make_run(root, "gradcheck-differences-547fca", lr=0.01)
