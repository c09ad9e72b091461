"""The report's figures (the PNGs nnlab draws with matplotlib, copied beside their pages): what
each shows, as its alt text, and the least width it is shown at, where its text is legible.

A figure shrunk to fit its box had 3-5 px text on a phone (paths.png, 1,514 px wide, shown 352
px wide: its 10-pt tick labels, 15 px at 110 dpi, were 3.5 px). It is shown no narrower than
its 10-pt text at ``LEGIBLE_PX`` CSS pixels (``least_width``), in a frame that scrolls sideways
when that is wider than the page (with the tables' shadow at the edge it scrolls to); tapping it
still opens the full image. The page's own SVG charts, drawn at the width they are shown at,
and its tables hold the numbers a figure draws.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from nnlab.renderings import PNG_END, PNG_START
from nnlab.report.svg import esc

LEGIBLE_PX = 11  # CSS px of a figure's 10-pt text (tick and axis labels) at the least width
BODY_PT = 10  # matplotlib's default font size: the figures' tick and axis labels
DEFAULT_DPI = 110.0  # what nnlab saves figures at (plots.base.save), for a PNG without pHYs
HEADER_BYTES = 4096  # a PNG's IHDR and pHYs come before its pixels (IDAT)

# what each figure nnlab draws shows (by file name), for its alt text
SHOWN = {
    "weight-scale.png": "accuracy per epoch at each init scale, BatchNorm against the plain net",
    "weight-scale-summary.png": "final accuracy against the init scale, BatchNorm against the "
    "plain net",
    "tune-curves.png": "the curves of the tune's top trials",
    "tune-scatter.png": "the tune's metric against each searched key, a point per trial",
    "lr-scan.png": "the loss after one step and after a short training, against the rate",
    "landscape-1d.png": "the loss along a random line through the trained weights",
    "landscape-2d.png": "the loss over a random plane through the trained weights",
    "differences.png": "the error of forward and centred differences against the step size",
    "paths.png": "each optimizer's path on the test function",
    "losses.png": "each optimizer's training loss per step",
    "activations.png": "histograms of the hidden layers' activations, by activation and init",
}
RUN_CURVES = "loss and accuracy per epoch"  # a run's curves.png
SWEEP_CURVES = "every trial's accuracy per epoch"  # a sweep's (a tune round's) curves.png


def png_size(path: Path) -> tuple[int, int, float] | None:
    """(width, height, dpi) of a PNG from its header, or None (not a PNG, unreadable)."""
    try:
        with open(path, "rb") as f:
            data = f.read(HEADER_BYTES)
    except OSError:
        return None
    if not data.startswith(PNG_START) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    dpi, pos = DEFAULT_DPI, 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"pHYs" and pos + 17 <= len(data):
            x, _, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            dpi = x * 0.0254 if unit == 1 and x else dpi  # (pixels per metre)
            break
        if data[pos + 4 : pos + 8] == b"IDAT":
            break
        pos += 12 + length
    return (width, height, dpi) if width and height else None


# what a figure of each kind starts and ends with: (its start, its end, what it is)
SHAPES = {
    ".png": ((PNG_START,), PNG_END, "a PNG"),
    ".jpg": ((b"\xff\xd8\xff",), b"\xff\xd9", "a JPEG"),
    ".jpeg": ((b"\xff\xd8\xff",), b"\xff\xd9", "a JPEG"),
    ".gif": ((b"GIF87a", b"GIF89a"), b";", "a GIF"),
}


def fault(path: Path) -> str | None:
    """Why the figure at ``path`` cannot be trusted to show (None: it can): a PNG (JPEG, GIF)
    that does not start as one (a text file named curves.png) or is cut short (a kill as it
    was written: no last chunk), an SVG without its end, an empty file. The report copied
    such a file and showed a broken image; it leaves it out, saying why."""
    try:
        with open(path, "rb") as f:
            head = f.read(HEADER_BYTES)
            f.seek(max(0, f.seek(0, 2) - HEADER_BYTES))
            tail = f.read()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    if not head:
        return "an empty file"
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return None if b"</svg>" in tail else "not a whole SVG file (no </svg> at its end)"
    starts, end, what = SHAPES.get(suffix, ((b"",), b"", "a figure"))
    if not head.startswith(starts) or (suffix == ".png" and png_size(path) is None):
        return f"not {what} file (it does not start as one)"
    if not tail.rstrip(b"\0" if suffix != ".png" else b"").endswith(end):
        return f"{what} file cut short (it does not end as one)"
    return None


def least_width(width: int, dpi: float) -> int:
    """The width at which a figure drawn ``width`` px wide at ``dpi`` shows its 10-pt text at
    LEGIBLE_PX (at most its own width: it is never enlarged)."""
    text_px = BODY_PT * dpi / 72
    return min(width, math.ceil(width * LEGIBLE_PX / text_px))


def alt_text(name: str, kind: str) -> str:
    """What the figure ``name`` (its path beside the page) of a folder of ``kind`` shows."""
    base = PurePosixPath(name).name
    if base == "curves.png":
        return SWEEP_CURVES if kind in ("sweep", "tune") or "/" in name else RUN_CURVES
    return SHOWN.get(base, f"figure {base}")


def figure(name: str, kind: str, size: tuple[int, int, float] | None) -> str:
    """A figure beside its page: linked to the full image, its alt text, and (its size known)
    its width and height and the least width it shows at, in a frame that scrolls sideways."""
    src = quote(name)
    dims = ""
    if size is not None:
        width, height, dpi = size
        dims = f' width="{width}" height="{height}" style="min-width: {least_width(width, dpi)}px"'
    return (
        f'<figure class="fig"><div class="scroll"><a href="{src}"><img src="{src}" '
        f'alt="{esc(alt_text(name, kind))}"{dims}></a></div>'
        f"<figcaption>{esc(name)}</figcaption></figure>"
    )
