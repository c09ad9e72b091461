"""Line charts as inline SVG text: the report's curves, drawn without matplotlib.

A chart is a list of :class:`Series` (points ``(epoch, value)``; ``None`` or a non-finite value is a
gap) on linear or log10 axes with 1-2-5 ticks. Every line carries a ``<title>`` (its label) and a
sample of its points carries one each (``label, epoch 3: 0.9663``, the value as
``output.number`` prints it: ``1.0000``, not ``1``), which is what a browser shows
on hover. The SVG has no ``xmlns``: it is meant to sit inside an HTML page, whose parser gives it
the SVG namespace, so the report names no URL at all.

A chart is laid out at the width its page gives it, not scaled: the SVG element is the plot area
(as wide as the page allows, at most WIDTH - LEFT - RIGHT px, its margins CSS margins the axes'
text is drawn into), horizontal positions are percentages of it, and the lines sit in a nested
SVG stretched over it (``preserveAspectRatio="none"``, strokes not scaled). Text is in CSS
pixels at every width: a chart scaled down as a whole to a 390 px phone had 7 px ticks.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from nnlab.output import counted, number
from nnlab.palette import DASHES, DIVERGED, SCALE_END, SERIES  # (SCALE_END: line_cmap's too)
from nnlab.plots.accuracy import BAND, FLOORS, HEAD, floor_of
from nnlab.plots.axes import PLAIN_LOG

Point = tuple[float, float | None]

# nnlab.palette's colours in its order, so a curve here has the colour the same curve has in
# the run's PNG figures; past them, a line is told from the one of its colour before by its
# dashes (palette.DASHES)
PALETTE = SERIES
# viridis at nine stops, for a colour scale over a numeric key
VIRIDIS = (
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
)
WIDTH, HEIGHT = 520, 280
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 30, 40
PLOT = WIDTH - LEFT - RIGHT  # the plot area's widest: the lines' units across it
MARK_BUDGET = 2400  # hover marks per chart, shared by its lines


@dataclass(frozen=True)
class Series:
    """One line: its label (legend and hover), points, colour and dash pattern; ``diverged``:
    the epoch its run diverged in (its points stop before it), marked by a red cross."""

    label: str
    points: Sequence[Point]
    color: str = PALETTE[0]
    dash: str = ""
    diverged: float | None = None


def esc(text: object) -> str:
    """HTML-escaped text; ``://`` is written as an entity so no URL appears in the file."""
    return html.escape(str(text)).replace("://", ":&#47;&#47;")


def fmt(value: float, digits: int = 4) -> str:
    """A number as a tick or hover shows it: whole numbers whole, others in ``digits``
    significant digits (4 unless a tick needs more: :func:`tick_texts`)."""
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.{digits}g}"


def tick_texts(values: Sequence[float], log: bool = False) -> list[str]:
    """The ticks' labels, in as few significant digits from 4 up as tell them all apart: a loss
    between 2.3025 and 2.3030 had five ticks that each read 2.303. A log axis's powers of ten
    reach past ``PLAIN_LOG`` (as the figures' log axes: ``plots.axes.log_ticks``) are each
    ``1e+06``, ``1e+00``: one axis read 1, 100, 10000, 1e+06, 1e+08."""
    if log and any(not PLAIN_LOG[0] <= v <= PLAIN_LOG[1] for v in values):
        return [f"1e{round(math.log10(v)):+03d}" for v in values]
    for digits in range(4, 16):
        texts = [fmt(v, digits) for v in values]
        if len(set(texts)) == len(texts):
            break
    return texts


def finite(value: object) -> float | None:
    """``value`` as a float when it is a finite real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def palette(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def dash(i: int) -> str:
    """The dashes of series ``i`` (by ``palette(i)``'s side): solid for the palette's first
    round of colours, then dashed, dotted, dash-dotted (``nnlab.palette.dash``)."""
    return DASHES[i // len(PALETTE) % len(DASHES)]


def scale_color(t: float) -> str:
    """The colour at ``t`` in [0, 1] (clipped) of viridis up to SCALE_END, as the sweep's
    figure draws its lines: the trial of the largest value was viridis' pale yellow end,
    #fde725, 1.26:1 on the page's white (its line barely seen), and not its colour in the
    figure beside it; both stop at #21a685 now, 3.06:1 (``nnlab.palette.SCALE_END``)."""
    t = min(max(t, 0.0), 1.0) * SCALE_END * (len(VIRIDIS) - 1)
    i = min(int(t), len(VIRIDIS) - 2)
    a, b, f = VIRIDIS[i], VIRIDIS[i + 1], t - i
    r, g, bl = (round(x + (y - x) * f) for x, y in zip(a, b))
    return f"#{r:02x}{g:02x}{bl:02x}"


def gradient_css() -> str:
    """A CSS ``linear-gradient`` through the scale's colours (for a colour-scale legend)."""
    stops = [scale_color(i / 8) for i in range(9)]
    return "linear-gradient(to right, " + ", ".join(stops) + ")"


# --- axes ---------------------------------------------------------------------------------------
def tick_step(lo: float, hi: float, count: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``count`` ticks over [lo, hi]."""
    raw = (hi - lo) / max(count, 1) if hi > lo else abs(lo) or 1.0
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw * (1 - 1e-9))


def nice_ticks(
    lo: float, hi: float, count: int = 5, whole: bool = False, step: float = 0.0
) -> list[float]:
    """Round tick values (multiples of :func:`tick_step`, or of ``step``) inside [lo, hi];
    ``whole``: whole numbers only (epochs: over two epochs the ticks were 1, 1.2, 1.4, ...)."""
    step = step or tick_step(lo, hi, count)
    step = max(step, 1.0) if whole else step
    first = math.ceil(lo / step - 1e-9)
    return [round(k * step, 12) for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten in [lo, hi] (every other one past eight decades)."""
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    stride = 1 if b - a <= 8 else 2
    return [10.0**e for e in range(a, b + 1, stride) if lo <= 10.0**e <= hi] or [lo, hi]


@dataclass(frozen=True)
class Axis:
    """A data range mapped onto pixels ``[p0, p1]``, linear or log10; ``squeeze``: an accuracy
    axis (``lo`` 0) whose 0 .. ``squeeze`` takes its bottom ``BAND`` only, as the figures'
    (``plots.accuracy``), the rest from ``squeeze`` up."""

    lo: float
    hi: float
    p0: float
    p1: float
    log: bool = False
    whole: bool = False  # (ticks at whole numbers only: an axis of epochs)
    squeeze: float = 0.0
    step: float = 0.0  # (the ticks' step, if not tick_step's: an accuracy axis from a floor)

    def px(self, v: float) -> float:
        if self.squeeze:
            floor, top = self.squeeze, self.hi - self.squeeze
            t = v / floor * BAND if v < floor else BAND + (v - floor) / top * (1 - BAND)
            return self.p0 + t * (self.p1 - self.p0)
        f = math.log10 if self.log else float
        a, b = f(self.lo), f(self.hi)
        return self.p0 + (f(v) - a) / ((b - a) or 1.0) * (self.p1 - self.p0)

    def ticks(self) -> list[float]:
        if self.squeeze:
            return [0.0, *nice_ticks(self.squeeze, self.hi, step=self.step)]
        return (
            log_ticks(self.lo, self.hi)
            if self.log
            else nice_ticks(self.lo, self.hi, whole=self.whole, step=self.step)
        )


def accuracy_axis(series: Sequence[Series], p0: float, p1: float) -> tuple[Axis, str]:
    """The y axis of a chart of accuracies, and what its label adds: the range the figures
    give the same curves (``plots.accuracy.floor_of``, each curve's best a panel's): from a
    floor (0.5, 0.8, 0.9, 0.95) where every point lies above it, ``(from 0.9)``; where all
    but a tenth do, above 0.8 or more, 0 .. the floor squeezed into the bottom fifth (the
    untrained epoch 0, at chance, still drawn where it is), ``(0 to 0.9 squeezed)``; else
    0..1. A digits run's curves, 0.95-1 from epoch 2 on, were drawn flat in a 0..1 axis's top
    twentieth, where runs that differ could not be told apart."""
    values = [v for s in series for _, v in s.points if v is not None]
    bests = [max(v for _, v in s.points if v is not None) for s in series if last_point(s)]
    floor = floor_of(values, bests)
    if floor == 0:
        lo, hi = value_range(values, False, (0.0, 1.0))
        return Axis(lo, hi, p0, p1), ""
    head, step = HEAD * (1 - floor), FLOORS[floor]
    hi = max(1.0, *values) + head
    if min(values) < floor:
        return Axis(0.0, hi, p0, p1, squeeze=floor, step=step), f" (0 to {floor:g} squeezed)"
    return Axis(floor - head, hi, p0, p1, step=step), f" (from {floor:g})"


def value_range(
    values: list[float], log: bool, span: tuple[float, float] | None
) -> tuple[float, float]:
    """(lo, hi) around ``values``, rounded out to ticks (decades on a log axis); on a linear
    axis at least ``span`` (an accuracy axis from 0: 0..1 whatever its values)."""
    lo, hi = min(values), max(values)
    if log:
        lo, hi = 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi))
        return lo, hi if hi > lo else hi * 10
    if span is not None:
        lo, hi = min(lo, span[0]), max(hi, span[1])
    if hi == lo:
        lo, hi = lo - (abs(lo) * 0.1 or 0.5), hi + (abs(hi) * 0.1 or 0.5)
    step = tick_step(lo, hi)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


def wants_log(values: list[float]) -> bool:
    """A log axis for positive values spanning more than ~1.5 decades (a loss falling fast)."""
    return bool(values) and min(values) > 0 and max(values) / min(values) > 30


# --- drawing ------------------------------------------------------------------------------------
def pct(px: float) -> str:
    """A position across the plot (in PLOT units) as a percentage of the plot area's width."""
    return f"{100 * px / PLOT:.2f}%"


def _path(points: Sequence[Point], x: Axis, y: Axis) -> str:
    """SVG path data; a gap (None, non-finite, or <= 0 on a log axis) starts a new segment.
    Within a segment, the points that fall in one pixel column are drawn as its first, lowest,
    highest and last (in their order): the same line at the chart's resolution, but a run of
    28,000 epochs no longer writes 28,000 points per curve into its page."""
    parts: list[str] = []
    segment: list[tuple[float, float]] = []
    for ex, v in [*points, (0.0, None)]:  # (a closing gap ends the last segment)
        if v is None or (y.log and v <= 0):
            parts += [f"{'L' if i else 'M'}{px:.1f} {py:.1f}" for i, (px, py) in
                      enumerate(_per_column(segment))]  # fmt: skip
            segment = []
            continue
        segment.append((x.px(ex), y.px(v)))
    return " ".join(parts)


def _per_column(pixels: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``pixels`` with each run in one pixel column cut to its first, lowest, highest and last."""
    kept: list[tuple[float, float]] = []
    start = 0
    for end in range(1, len(pixels) + 1):
        if end < len(pixels) and round(pixels[end][0]) == round(pixels[start][0]):
            continue
        run = pixels[start:end]
        if len(run) <= 4:
            kept += run
        else:
            low, high = min(run, key=lambda p: p[1]), max(run, key=lambda p: p[1])
            kept += sorted({run[0], low, high, run[-1]}, key=run.index)
        start = end
    return kept


def _sample(points: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """At most ``limit`` points, evenly spread, keeping the first and the last."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def _line(s: Series, x: Axis, y: Axis) -> str:
    """The series' line, in a nested SVG stretched over the plot area (its strokes and dashes
    keep their width: ``vector-effect``)."""
    dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    return (
        f'<svg class="lines" viewBox="0 0 {PLOT} {HEIGHT}" preserveAspectRatio="none" '
        f'width="100%" height="{HEIGHT}"><path d="{_path(s.points, x, y)}" stroke="{s.color}"'
        f'{dash} vector-effect="non-scaling-stroke"><title>{esc(s.label)}</title></path></svg>'
    )


def _marks(s: Series, x: Axis, y: Axis, limit: int, shown: bool) -> str:
    """The points' marks (hidden until hovered, unless ``shown``; a lone point, which has no
    line to show it, always shows)."""
    pts = [(ex, v) for ex, v in s.points if v is not None and not (y.log and v <= 0)]
    cls = "pt" if shown or len(pts) == 1 else "pt hid"
    return "".join(
        f'<circle class="{cls}" cx="{pct(x.px(ex))}" cy="{y.px(v):.1f}" r="3" fill="{s.color}">'
        f"<title>{esc(s.label)}, epoch {fmt(ex)}: {number(v)}</title></circle>"
        for ex, v in _sample(pts, limit)
    )


DIVERGED_COLOR = DIVERGED  # the figures' red cross (plots.base.DIVERGED_STYLE)


def _diverged_mark(s: Series, x: Axis, y: Axis, rising: bool) -> str:
    """Where ``s`` stops because its run diverged: a red cross at that epoch, joined to the
    last point by a dotted stub in the line's colour, as the figures mark it: a loss's cross at
    the top edge (it went to infinity), an accuracy's at the last point's height (the
    accuracies from there on are no results); with no point before it, the cross alone."""
    if s.diverged is None:
        return ""
    pts = [(ex, v) for ex, v in s.points if v is not None and not (y.log and v <= 0)]
    cx = pct(x.px(s.diverged))
    cy = y.p1 if rising or not pts else y.px(pts[-1][1])
    stub = ""
    if pts:
        x0, y0 = pct(x.px(pts[-1][0])), y.px(pts[-1][1])
        stub = (
            f'<line class="stub" x1="{x0}" y1="{y0:.1f}" x2="{cx}" y2="{cy:.1f}" '
            f'stroke="{s.color}" stroke-dasharray="2 3"/>'
        )
    return (
        f'{stub}<svg x="{cx}" y="{cy:.1f}" overflow="visible"><path class="diverged" '
        f'd="M-5 -5L5 5M-5 5L5 -5" stroke="{DIVERGED_COLOR}" stroke-width="2.5"><title>'
        f"{esc(s.label)}: diverged at epoch {fmt(s.diverged)}</title></path></svg>"
    )


TICK_CHAR = 7  # px a tick's character takes at most (11 px DejaVu Sans digits: 0.64 em)


def left_margin(texts: Sequence[str]) -> int:
    """The chart's left margin: LEFT, or wider where the y ticks' labels are long enough to
    reach the axis label beside them (5 px from the axis, 22 px for the label): '100000'
    overlapped its axis's name, and so would the 2.30245 of ticks that need more digits."""
    return max(LEFT, 5 + TICK_CHAR * max(map(len, texts), default=0) + 22)


def _grid(x: Axis, y: Axis, x_label: str, y_label: str, left: int = LEFT) -> str:
    """Grid lines and ticks; the y ticks and label left of the plot area (negative x: in the
    SVG's left margin, ``left`` wide), the x label centred under it."""
    out = []
    ticks = y.ticks()
    for t, text in zip(ticks, tick_texts(ticks, y.log)):
        py = y.px(t)
        out.append(f'<line class="grid" x1="0" x2="100%" y1="{py:.1f}" y2="{py:.1f}"/>')
        out.append(f'<text class="tick" x="-5" y="{py + 4:.1f}" text-anchor="end">')
        out.append(f"{text}</text>")
    for t in x.ticks():
        if t != int(t):
            continue
        px = pct(x.px(t))
        out.append(f'<line class="grid" x1="{px}" x2="{px}" y1="{y.p1}" y2="{y.p0}"/>')
        out.append(f'<text class="tick" x="{px}" y="{y.p0 + 15}" text-anchor="middle">')
        out.append(f"{int(t)}</text>")
    out.append(f'<text class="label" x="50%" y="{HEIGHT - 6}" ')
    out.append(f'text-anchor="middle">{esc(x_label)}</text>')
    at = 12 - left
    out.append(f'<text class="label" x="{at}" y="{(y.p0 + y.p1) / 2}" text-anchor="middle" ')
    out.append(f'transform="rotate(-90 {at} {(y.p0 + y.p1) / 2})">{esc(y_label)}</text>')
    return "".join(out)


def chart_box(width: int, height: int, left: int, right: int) -> str:
    """The SVG element's size and place: the plot area, as wide as its box allows less the
    margins (at most ``width`` less them), the margins CSS margins its text overflows into."""
    plot = width - left - right
    return (
        f'width="{plot}" height="{height}" style="width: calc(100% - {left + right}px); '
        f'max-width: {plot}px; margin: 0 {right}px 0 {left}px"'
    )


def line_chart(
    series: Sequence[Series],
    title: str,
    y_label: str = "",
    x_label: str = "epoch",
    log_y: bool | None = None,
    accuracy: bool = False,
    rising: bool = False,
) -> str:
    """An SVG line chart of ``series`` (``log_y=None``: log when the values span decades;
    False: linear). ``accuracy``: the values are accuracies, on a linear axis over the range
    :func:`accuracy_axis` gives them, its label saying where it starts. ``rising``: the
    values are losses (a diverged series' cross goes to the top edge)."""
    values = [v for s in series for _, v in s.points if v is not None]
    xs = [ex for s in series for ex, v in s.points if v is not None]
    xs += [s.diverged for s in series if s.diverged is not None and values]
    if not values:
        return f'<p class="empty">{esc(title)}: no finite values to draw</p>'
    log = not accuracy and (wants_log(values) if log_y is None else log_y and min(values) > 0)
    if log:
        values = [v for v in values if v > 0]
    x = Axis(min(xs), max(max(xs), min(xs) + 1), 0, PLOT, whole=True)  # (epochs)
    if accuracy:
        y, note = accuracy_axis(series, HEIGHT - BOTTOM, TOP)
        y_label += note
    else:
        y = Axis(*value_range(values, log, None), HEIGHT - BOTTOM, TOP, log)
    left = left_margin(tick_texts(y.ticks(), y.log))
    limit = max(5, min(120, MARK_BUDGET // max(len(series), 1)))
    shown = len(series) <= 6 and max(len(s.points) for s in series) <= 40
    # (each series hidden from a screen reader: its line's and every point's title were read
    # one by one, 'objective, epoch 1: 1.2260, ...', 60 items a chart; the description says
    # what they show and where they end)
    lines = "".join(
        f'<g class="series" data-label="{esc(s.label)}" aria-hidden="true">{_line(s, x, y)}'
        f"{_marks(s, x, y, limit, shown)}{_diverged_mark(s, x, y, rising)}</g>"
        for s in series
    )
    y_label = f"{y_label} (log)" if log else y_label
    return (
        f'<svg class="chart" {chart_box(WIDTH, HEIGHT, left, RIGHT)} role="img" '
        f'aria-label="{esc(title)}"><desc>{esc(describe(series, title, x_label))}</desc>'
        f'<text class="title" x="0" y="18">{esc(title)}</text>'
        f"{_grid(x, y, x_label, y_label, left)}"
        f'<rect class="frame" x="0" y="{TOP}" width="100%" height="{HEIGHT - TOP - BOTTOM}"/>'
        f"{break_mark(y)}{lines}</svg>"
    )


def break_mark(y: Axis) -> str:
    """Two short slanted strokes across a squeezed axis at its floor, where its scale changes
    (as the figures' ``plots.accuracy`` marks it); nothing on another axis."""
    if not y.squeeze:
        return ""
    at = y.px(y.squeeze)
    strokes = " ".join(f"M-5 {at + dy + 2.5:.1f}L5 {at + dy - 2.5:.1f}" for dy in (-2.5, 2.5))
    return f'<path class="break" d="{strokes}"/>'


DESCRIBED = 6  # curves a chart's description names; more are counted


def describe(series: Sequence[Series], title: str, x_label: str = "epoch") -> str:
    """What a chart draws, for a screen reader (its ``<desc>``; the lines and points themselves
    are hidden from it, and its name is its title alone): each curve's last value, ``loss per
    epoch: objective 0.0057, train loss 0.0021, test loss 0.0412 at epoch 20``; past DESCRIBED
    curves their count and the range of those values, ``train acc per epoch: 32 curves, last
    values 0.0986 to 0.9966 at epoch 20``; and which diverged."""
    drawn = [(s, point) for s in series if (point := last_point(s)) is not None]
    ends = {ex for _, (ex, _) in drawn}
    at = f" at {x_label} {fmt(ends.pop())}" if len(ends) == 1 else ""
    if len(drawn) <= DESCRIBED:
        names = ", ".join(
            f"{s.label} {number(v)}" + ("" if at else f" ({x_label} {fmt(ex)})")
            for s, (ex, v) in drawn
        )
    else:
        lo, hi = min(v for _, (_, v) in drawn), max(v for _, (_, v) in drawn)
        names = f"{counted(len(drawn), 'curve')}, last values {number(lo)} to {number(hi)}"
    gone = [s for s, _ in drawn if s.diverged is not None]
    dates = {s.diverged for s in gone}
    if gone and len(gone) == len(drawn) and len(dates) == 1:  # (a run's: each curve of it)
        end = f"; diverged at {x_label} {fmt(dates.pop() or 0)}"
    elif len(gone) == 1:
        end = f"; {gone[0].label} diverged at {x_label} {fmt(gone[0].diverged or 0)}"
    else:
        end = f"; {counted(len(gone), 'curve')} diverged" if gone else ""
    return f"{title} per {x_label}: {names}{at}{end}"


def last_point(s: Series) -> tuple[float, float] | None:
    """The series' last finite point (None: it has none)."""
    for ex, v in reversed(s.points):
        value = finite(v)
        if value is not None:
            return ex, value
    return None


# a legend key's swatch, hidden from a screen reader (its label follows it: Chromium named each
# an unnamed image)
SWATCH = '<svg width="26" height="10" aria-hidden="true">'


def legend(series: Sequence[Series], every: bool = False) -> str:
    """An HTML legend: a swatch (with the line's dash) and the label of each series that draws
    a line (one with no finite value, a curve whose every epoch diverged, has none: as
    ``plots.base.drawn`` leaves it out of a figure's legend), and the red cross's key.
    ``every``: the series are keys alone, without points (a sweep page's trials, drawn in
    several charts; its dashed key's values), and each is listed: that rule left the legend
    of every sweep page empty."""
    keys = "".join(
        f'<span class="key">{SWATCH}<line x1="1" x2="25" y1="5" y2="5" '
        f'stroke="{s.color}" stroke-width="2.5"'
        f"{f' stroke-dasharray={chr(34)}{s.dash}{chr(34)}' if s.dash else ''}/></svg>"
        f"{esc(s.label)}</span>"
        for s in series
        if every or any(finite(v) is not None for _, v in s.points)
    )
    at = {s.diverged for s in series} - {None}
    return f'<div class="legend">{keys}{diverged_key(*at) if at else ""}</div>'


def diverged_key(*epochs: float | None) -> str:
    """The legend's key of the red cross: ``diverged at epoch 3`` (one run), ``diverged``."""
    at = f" at epoch {fmt(epochs[0])}" if len(epochs) == 1 and epochs[0] is not None else ""
    return (
        f'<span class="key">{SWATCH}<path d="M9 1L17 9M9 9L17 1" '
        f'stroke="{DIVERGED_COLOR}" stroke-width="2.5"/></svg>diverged{at}</span>'
    )


def scale_legend(key: str, lo: str, hi: str, log: bool) -> str:
    """An HTML colour-scale legend for a numeric key (viridis from ``lo`` to ``hi``, spelt as
    the caller's tables spell the key's values)."""
    return (
        f'<div class="legend scale"><span class="key-name">{esc(key)}{" (log)" if log else ""}'
        f'</span><span class="num">{esc(lo)}</span><span class="bar" style="background: '
        f'{gradient_css()}"></span><span class="num">{esc(hi)}</span></div>'
    )
