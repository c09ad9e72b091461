"""What the weight-scale preset's figures cost at a sweep's end, in one process (a painter's).

For each figure of a finished sweep folder (``weight-scale.png``, ``weight-scale-summary.png``):
the CPU time (this thread's) of drawing it as the sweep's end does, on the canvas its painter
prepared while the trials ran (``ahead_s``: that preparation, off the critical path; ``end_s``:
the figure's data and save, on it), and built at once with nothing prepared (``alone_s``);
then the PNG encoder's time and the file's size at zlib levels 1, 3 and 6 (matplotlib's, PIL's
default) on that figure's pixels. Medians of ``--repeat`` (ranges in brackets).

Usage (from the project root, after a sweep)::

    nnlab sweep weight-scale --dataset mnist --data-dir ../shared/data --jobs 2
    python benchmarks/figures.py runs/<the sweep folder> --repeat 7
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[1]))  # (after PYTHONPATH: another checkout)

from nnlab import runs  # noqa: E402
from nnlab.plots import base  # noqa: E402
from nnlab.sweep import (  # noqa: E402
    finish,
    presets,
    run as sweep_run,  # noqa: E402
)
from nnlab.sweep.definition import plan  # noqa: E402
from nnlab.sweep.folder import load_sweep  # noqa: E402

LEVELS = (1, 3, 6)


def cpu(work: Callable[[], Any]) -> float:
    """This thread's CPU seconds for ``work()``."""
    start = time.thread_time()
    work()
    return time.thread_time() - start


def spread(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):6.1f} ms [{min(ms):.1f}-{max(ms):.1f}]"


def encoded(fig: Any, repeat: int) -> dict[int, tuple[list[float], int]]:
    """(encode seconds, PNG bytes) per zlib level, on ``fig``'s pixels at the save's dpi."""
    import numpy as np
    from PIL import Image

    base.plain_numbers(fig)
    fig.dpi = getattr(base, "DPI", 110)  # (the save's; 110 before it was named)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    out: dict[int, tuple[list[float], int]] = {}
    for level in LEVELS:
        times, size = [], 0
        for _ in range(repeat):
            buffer = io.BytesIO()
            image = Image.fromarray(pixels)
            times.append(cpu(lambda b=buffer, i=image, z=level: i.save(b, "png", compress_level=z)))
            size = len(buffer.getvalue())
        out[level] = (times, size)
    base.pyplot().close(fig)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sweep", type=Path, help="a weight-scale sweep folder")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    run = runs.RunDir(args.sweep)
    defn, _ = load_sweep(run)
    preset = presets.get(defn.preset)
    rows = sweep_run.sweep_rows(run)
    canvases = preset.canvases([t.config for t in plan(defn)])
    base._warm_up()  # (as a painter does first)
    with tempfile.TemporaryDirectory() as out:
        drawings = preset.figures(run, preset.complete(rows, defn), finish.trial_curves(run, rows))
        for drawing, ahead in zip(drawings, canvases):
            drawing = replace(drawing, path=Path(out) / drawing.path.name)
            alone, before, end = [], [], []
            for _ in range(args.repeat):
                alone.append(cpu(drawing.draw))
                if ahead is not None:
                    before.append(cpu(lambda a=ahead: base.prepare(a)))
                end.append(cpu(drawing.draw))
            print(f"{drawing.path.name}: alone_s {spread(alone)}  ahead_s "
                  f"{spread(before) if before else '-'}  end_s {spread(end)}")  # fmt: skip
            figure = drawing.figure(*drawing.args, **drawing.kwargs)
            for level, (times, size) in encoded(figure, args.repeat).items():
                print(f"    PNG zlib level {level}: encode {spread(times)}  {size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
