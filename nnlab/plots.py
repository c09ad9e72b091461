"""Every figure nnlab draws. matplotlib is imported lazily, with the Agg backend (no screen).

Each function takes plain data (lists, arrays, dicts) and a path, and writes one PNG atomically.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (imported on first use: keeps ``--help`` fast)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def import_in_background(*also: Callable[[], Any]) -> threading.Thread:
    """Import matplotlib (~0.5 s) on another thread while this one computes, so that a figure
    drawn later finds it loaded (``also``: further warm-ups to run there). A failure is left
    for the later import to report."""

    def load() -> None:
        with contextlib.suppress(Exception):
            pyplot()
            for warm in also:
                warm()

    thread = threading.Thread(target=load, name="nnlab-import-matplotlib", daemon=True)
    thread.start()
    return thread


def save(fig: Any, path: Path, dpi: int = 110, tight: bool = True) -> Path:
    """Write ``fig`` to ``path`` as PNG via a temp file + os.replace, then close it.

    ``tight`` crops to the drawn artists (an extra layout pass); a figure whose margins are set
    by hand (``subplots_adjust``) saves faster without it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight" if tight else None)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        pyplot().close(fig)
    return path


# --- train: curves of one run -------------------------------------------------------------
def train_curves(
    records: list[dict[str, Any]], splits: list[str], path: Path, title: str = ""
) -> Path:
    """Two panels: loss (training objective and each split's loss) and accuracy, per epoch."""
    plt = pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = [r["epoch"] for r in records]

    def series(key: str) -> list[float]:
        return [float("nan") if r.get(key) is None else r[key] for r in records]

    ax_loss.plot(epochs, series("loss"), label="objective (train batches)", color="black", lw=1)
    for split in splits:
        ax_loss.plot(epochs, series(f"{split}_loss"), label=f"{split} loss", marker=".")
        ax_acc.plot(epochs, series(f"{split}_acc"), label=f"{split} accuracy", marker=".")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return save(fig, path)


def accuracy_gaps(panels: list[dict[str, Any]], path: Path, title: str = "") -> Path:
    """One panel per run side by side: train accuracy (solid) and test accuracy (dashed) per
    epoch, the gap between them shaded. ``panels``: [{"label", "records"}]."""
    plt = pyplot()
    ncols = max(1, min(len(panels), 4))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.6 * ncols, 3.2 * nrows), sharey=True, squeeze=False
    )
    for ax, panel in zip(axes.flat, panels):
        epochs, train = _curve(panel["records"], "train_acc")
        _, test = _curve(panel["records"], "test_acc")
        ax.plot(epochs, train, color="C0", lw=1.3, label="train")
        ax.plot(epochs, test, "--", color="C1", lw=1.3, label="test")
        ax.fill_between(epochs, test, train, color="C3", alpha=0.12, lw=0, label="gap")
        if epochs and train[-1] == train[-1] and test[-1] == test[-1]:
            ax.annotate(f"gap {train[-1] - test[-1]:.3f}", (epochs[-1], test[-1]),
                        textcoords="offset points", xytext=(-4, -12), ha="right", fontsize=8)  # fmt: skip
        ax.set_title(panel["label"], fontsize=8)
        ax.set(xlabel="epoch", ylim=(0, 1.02))
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    axes.flat[0].set_ylabel("accuracy")
    axes.flat[0].legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save(fig, path)


# --- sweep ----------------------------------------------------------------------------------
def _curve(records: list[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    epochs = [r["epoch"] for r in records]
    return epochs, [float("nan") if r.get(key) is None else r[key] for r in records]


def _accuracy_key(records: list[dict[str, Any]]) -> str | None:
    """The held-out accuracy if recorded (test, then val), else the training accuracy."""
    first = records[0] if records else {}
    for key in ("test_acc", "val_acc", "train_acc"):
        if key in first:
            return key
    return None


def sweep_curves(
    rows: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    path: Path,
    title: str = "",
) -> Path:
    """Every trial's accuracy per epoch (held-out split if any), one line per trial.

    With up to 12 trials each line is labelled by its swept values; beyond that, lines are thin
    and unlabelled and the figure shows the spread.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    key = None
    labelled = len(rows) <= 12
    for row in rows:
        records = curves.get(row["trial"]) or []
        key = key or _accuracy_key(records)
        if not records or key is None:
            continue
        label = ", ".join(f"{k.split('.')[-1]}={row.get(k)}" for k in keys) or row["trial"]
        ax.plot(
            *_curve(records, key),
            lw=1.2 if labelled else 0.6,
            alpha=1.0 if labelled else 0.5,
            label=label if labelled else None,
        )
    ax.set(xlabel="epoch", ylabel=(key or "accuracy").replace("_", " "), ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    if labelled and rows:
        ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title or f"{len(rows)} trials", fontsize=9)
    return save(fig, path)


def weight_scale_grid(panels: list[dict[str, Any]], key: str, path: Path, title: str = "") -> Path:
    """DLFS figure 6-19: one panel per weight scale, ``key`` (accuracy) per epoch, BatchNorm
    solid and the plain net dashed. ``panels``: [{"scale", "bn": records, "plain": records}]."""
    plt = pyplot()
    ncols = 4
    nrows = max(1, -(-len(panels) // ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(12, 2.6 * nrows), sharex=True, sharey=True, squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        if i >= len(panels):
            ax.set_visible(False)
            continue
        panel = panels[i]
        if panel["bn"]:
            ax.plot(*_curve(panel["bn"], key), color="C0", lw=1.5, label="BatchNorm")
        if panel["plain"]:
            ax.plot(*_curve(panel["plain"], key), "--", color="C1", lw=1.5, label="no BatchNorm")
        ax.set_title(
            f"W: {panel['scale']:.3g}", fontsize=9, y=1.0
        )  # y given: no auto-placement pass
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        if i % ncols == 0:
            ax.set_ylabel(key.replace("_", " "))
        if i >= len(panels) - ncols:
            ax.set_xlabel("epoch")
    epochs = max((r["epoch"] for p in panels for k in ("bn", "plain") for r in p[k]), default=1)
    axes.flat[0].set_xticks(_epoch_ticks(max(epochs, 1)))  # (shared: fixed ticks are cheaper
    axes.flat[0].set_yticks([0, 0.25, 0.5, 0.75, 1])  # to draw than 16 automatic locators)
    axes.flat[min(len(panels), axes.size) - 1].legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    # fixed margins: tight_layout on 16 panels costs more than drawing them (~0.6 s)
    inch = 1 / fig.get_figheight()
    fig.subplots_adjust(
        left=0.06, right=0.99, bottom=0.5 * inch, top=1 - 0.6 * inch, wspace=0.06, hspace=0.3
    )
    return save(fig, path, tight=False)


def _epoch_ticks(last: int) -> list[int]:
    """About five round epoch numbers from 0 to ``last``."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if last / s <= 6)
    step = step if last / step <= 6 else -(-last // 5)
    return list(range(0, last + 1, step))


def weight_scale_summary(table: list[dict[str, Any]], path: Path, title: str = "") -> Path:
    """Final accuracy against the weight scale (log x): BatchNorm solid, plain dashed; training
    accuracy with circles, held-out accuracy with crosses."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    scales = [r["weight_scale"] for r in table]

    def series(key: str) -> list[float]:
        return [float("nan") if r.get(key) is None else r[key] for r in table]

    ax.plot(scales, series("bn_train"), "-o", color="C0", label="BatchNorm, train")
    ax.plot(scales, series("nobn_train"), "--o", color="C1", label="no BatchNorm, train")
    if any(r.get("bn_test") is not None for r in table):
        ax.plot(scales, series("bn_test"), "-x", color="C0", alpha=0.5, label="BatchNorm, test")
        ax.plot(
            scales,
            series("nobn_test"),
            "--x",
            color="C1",
            alpha=0.5,
            label="no BatchNorm, test",
        )
    ax.set_xscale("log")
    ax.set(xlabel="weight init scale (std)", ylabel="final accuracy", ylim=(0, 1.02))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(title or "final accuracy vs weight scale", fontsize=9)
    return save(fig, path)


# --- gradcheck ------------------------------------------------------------------------------
def gradcheck_differences(
    steps: list[float], forward: list[float], centred: list[float], path: Path, title: str = ""
) -> Path:
    """Relative error of forward and centred differences against the step, on log-log axes.

    Dotted guides mark the optimal steps for float64: sqrt(machine eps) ~ 1.5e-8 for forward
    differences (truncation O(h) vs round-off O(eps/h)), cbrt(machine eps) ~ 6e-6 for centred
    ones (truncation O(h^2)).
    """
    import numpy as np

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    floor = 1e-17  # an error of exactly 0 cannot be drawn on a log axis
    ax.loglog(steps, np.maximum(forward, floor), marker="o", label="forward (f(x+h) - f(x)) / h")
    ax.loglog(steps, np.maximum(centred, floor), marker="s", label="centred (f(x+h) - f(x-h)) / 2h")
    mach = float(np.finfo(np.float64).eps)
    for h, text in ((mach**0.5, "sqrt(eps)"), (mach ** (1 / 3), "cbrt(eps)")):
        ax.axvline(h, color="grey", ls=":", lw=1)
        ax.text(h, 0.98, f" {text}", transform=ax.get_xaxis_transform(), fontsize=8, va="top")
    ax.axhspan(1e-7, 1e-4, color="orange", alpha=0.08, label="1e-7..1e-4: suspicious")
    ax.set(
        xlabel="step h",
        ylabel="max relative error vs analytic",
        title=title or "finite differences: truncation vs round-off",
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return save(fig, path)


# --- optimizers -----------------------------------------------------------------------------
def _panel_grid(n: int) -> tuple[int, int]:
    ncols = 2 if n in (2, 4) else min(3, n)
    return -(-n // ncols), ncols


def optimizer_paths_2d(
    x: Any,
    y: Any,
    z: Any,
    panels: list[dict[str, Any]],
    points: list[tuple[list[float], str]],
    title: str,
    path: Path,
) -> Path:
    """Contours of z over the (x, y) grid with one optimizer path per panel (as DLFS fig. 6-8).

    ``panels``: dicts with ``title``, ``path`` ((k+1, 2) points, start first) and ``outcome``;
    ``points``: labelled critical points, drawn as crosses. Paths leaving the box are clipped.
    """
    import numpy as np

    plt = pyplot()
    nrows, ncols = _panel_grid(len(panels))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.9 * nrows), squeeze=False)
    levels = np.unique(np.quantile(z, np.linspace(0.0, 1.0, 22) ** 2))
    for ax, panel in zip(axes.flat, panels):
        ax.contour(x, y, z, levels=levels, cmap="viridis", linewidths=0.8, alpha=0.8)
        p = np.asarray(panel["path"])
        ax.plot(p[:, 0], p[:, 1], "o-", color="tab:red", markersize=2.5, linewidth=1.0)
        ax.plot(p[0, 0], p[0, 1], "s", color="black", markersize=5, label="start")
        for where, label in points:
            ax.plot(where[0], where[1], "+", color="black", markersize=10, mew=1.5)
            ax.annotate(label, (where[0], where[1]), xytext=(4, -10), textcoords="offset points",
                        fontsize=7)  # fmt: skip
        ax.set_xlim(float(x.min()), float(x.max()))
        ax.set_ylim(float(y.min()), float(y.max()))
        ax.set_title(f"{panel['title']}\n{len(p) - 1} steps: {panel['outcome']}", fontsize=9)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def optimizer_paths_1d(
    x: Any,
    y: Any,
    panels: list[dict[str, Any]],
    points: list[tuple[list[float], str]],
    title: str,
    path: Path,
) -> Path:
    """The curve y(x) with each run's iterates marked (one panel per run), coloured by step.

    ``panels``: dicts with ``title``, ``path`` ((k+1, 1) points) and ``values`` ((k+1,)).
    Iterates outside the plotted x range are counted in the panel title, not drawn.
    """
    import numpy as np

    plt = pyplot()
    nrows, ncols = _panel_grid(len(panels))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.5 * nrows), squeeze=False)
    lo, hi = float(np.min(y)), float(np.max(y))
    pad = 0.08 * (hi - lo)
    for ax, panel in zip(axes.flat, panels):
        ax.plot(x, y, color="tab:blue", linewidth=1.2)
        px = np.asarray(panel["path"])[:, 0]
        py = np.asarray(panel["values"])
        inside = (px >= x.min()) & (px <= x.max())
        ax.plot(px, py, "-", color="tab:red", linewidth=0.7, alpha=0.6)
        ax.scatter(px, py, c=np.arange(len(px)), cmap="autumn", s=22, zorder=3, edgecolors="k")
        for where, label in points:
            ax.axvline(where[0], color="gray", linewidth=0.6, linestyle=":")
            ax.annotate(label, (where[0], hi + pad), xytext=(2, -9), textcoords="offset points",
                        fontsize=7, color="gray")  # fmt: skip
        ax.set_xlim(float(x.min()), float(x.max()))
        ax.set_ylim(lo - pad, hi + pad)
        note = f"; {int(np.sum(~inside))} iterates off the plot" if not inside.all() else ""
        ax.set_title(f"{panel['title']}\n{len(px) - 1} steps: {panel['outcome']}{note}", fontsize=9)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def optimizer_loss_curves(curves: list[dict[str, Any]], title: str, path: Path) -> Path:
    """Training loss per iteration for several optimizers (DLFS fig. 6-9): smoothed lines over
    the raw per-batch losses drawn faintly. ``curves``: dicts with ``label``, ``loss``,
    ``smoothed`` (same length). Non-finite values (a diverged run) are not drawn.
    """
    import numpy as np

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    tops = []
    for i, curve in enumerate(curves):
        raw = np.asarray(curve["loss"], dtype=float)
        smooth = np.asarray(curve["smoothed"], dtype=float)
        steps = np.arange(1, raw.size + 1)
        color = f"C{i % 10}"
        ax.plot(steps, raw, color=color, alpha=0.15, linewidth=0.6)
        ax.plot(steps, smooth, color=color, linewidth=1.6, label=curve["label"])
        finite = smooth[np.isfinite(smooth)]
        if finite.size:
            tops.append(float(np.max(finite[: max(1, finite.size // 20)])))
    if tops:
        ax.set_ylim(0, 1.1 * max(tops))
    ax.set_xlabel("iteration")
    ax.set_ylabel("training loss (minibatch)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save(fig, path)


# --- experiments: lr-scan, tune, activations, landscape ------------------------------------
def lr_scan(
    rows: list[dict[str, Any]], initial_loss: float, epochs: int, path: Path, title: str = ""
) -> Path:
    """Loss vs step size (log x, log y): after one full-gradient step and after ``epochs``.

    Diverged rates are drawn as red crosses on the top edge; the best rate of each curve is
    circled; the dashed line is the initial loss.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    lrs = [r["lr"] for r in rows]
    series = [("step_loss", "one full-gradient step", "C0", "step", 8)]
    if epochs > 0:
        series.append(("train_loss", f"after {epochs} epoch(s) of training", "C1", "train", -16))
    finite = [r[k] for r in rows for k, *_ in series if r.get(k) is not None]
    top = max([*finite, initial_loss]) * 3 if finite else initial_loss * 3
    for key, label, color, mark, dy in series:
        xs = [lr for lr, r in zip(lrs, rows) if r.get(key) is not None]
        ys = [r[key] for r in rows if r.get(key) is not None]
        ax.plot(xs, ys, marker="o", color=color, label=label)
        bad = [lr for lr, r in zip(lrs, rows) if r.get(key) is None]
        if bad:
            ax.scatter(bad, [top] * len(bad), marker="x", color="red", zorder=3)
        for r in rows:
            if mark in r.get("best", "") and r.get(key) is not None:
                ax.scatter([r["lr"]], [r[key]], s=160, facecolors="none", edgecolors=color, lw=2)
                ax.annotate(
                    f"best {r['lr']:.0e}",
                    (r["lr"], r[key]),
                    textcoords="offset points",
                    xytext=(8, dy),
                    color=color,
                    fontsize=8,
                )
    if any(r.get(k) is None for r in rows for k, *_ in series):
        ax.scatter([], [], marker="x", color="red", label="diverged (non-finite)")
    ax.axhline(initial_loss, ls="--", color="gray", lw=1, label=f"initial loss {initial_loss:.3f}")
    ax.set(xscale="log", yscale="log", xlabel="step size / learning rate", ylabel="loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(f"step-size scan {title}".strip())
    return save(fig, path)


def activation_histograms(
    settings: dict[str, list[Any]],
    path: Path,
    ranges: dict[str, tuple[float, float] | None] | None = None,
    notes: dict[str, list[str]] | None = None,
    bins: int = 30,
) -> Path:
    """A grid of histograms: one row per setting, one column per layer (DLFS fig. 6-10 .. 6-14).

    ``settings`` maps a row label to its layers' activation arrays; ``ranges`` the row's
    histogram range (None: 0 .. the row's 99.5th percentile, and exact zeros - dead ReLU
    outputs - left out of the bars; say how many in ``notes``); ``notes`` a text per panel.
    Rows share their x range and y axis so the layers of one setting compare directly.
    """
    import numpy as np

    plt = pyplot()
    labels = list(settings)
    n_rows, n_cols = len(labels), max(len(v) for v in settings.values())
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(2.3 * n_cols, 1.55 * n_rows + 0.6),
        squeeze=False,
        sharey="row",
    )
    for r, label in enumerate(labels):
        layers = settings[label]
        lo_hi = (ranges or {}).get(label)
        drop_zeros = lo_hi is None
        if lo_hi is None:
            flat = np.concatenate([np.ravel(a) for a in layers])
            flat = flat[flat != 0]
            flat = flat[np.isfinite(flat)]
            top = float(np.percentile(flat, 99.5)) if flat.size else 1.0
            lo_hi = (0.0, top if top > 0 else 1.0)
        for c, a in enumerate(layers):
            ax = axes[r][c]
            values = np.ravel(a)
            keep = np.isfinite(values) & ((values != 0) if drop_zeros else True)
            counts, edges = np.histogram(values[keep], bins=bins, range=lo_hi)
            ax.stairs(counts, edges, fill=True, color=f"C{r % 10}")
            pad = 0.03 * (lo_hi[1] - lo_hi[0])
            ax.set_xlim(lo_hi[0] - pad, lo_hi[1] + pad)
            ax.locator_params(axis="x", nbins=3)
            ax.locator_params(axis="y", nbins=3)
            ax.tick_params(labelsize=7)
            if r == 0:
                ax.set_title(f"layer {c + 1}", fontsize=9)
            if c == 0:
                ax.set_ylabel(label, fontsize=9)
            text = (notes or {}).get(label, [])
            if c < len(text) and text[c]:
                ax.text(
                    0.97,
                    0.93,
                    text[c],
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=7,
                    bbox={"facecolor": "white", "alpha": 0.7, "lw": 0},
                )
        for c in range(len(layers), n_cols):
            axes[r][c].axis("off")
    height = 1.55 * n_rows + 0.6
    fig.subplots_adjust(hspace=0.35, wspace=0.15, top=1 - 0.45 / height)
    fig.suptitle("hidden-layer activations by activation / init", fontsize=11, y=1 - 0.05 / height)
    return save(fig, path)


def landscape_line(alphas: Any, loss: Any, acc: Any, path: Path, title: str = "") -> Path:
    """The 1-D slice L(W + a D1): loss (left axis, log) and accuracy (right axis) against a."""
    import numpy as np

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    loss = np.where(np.isfinite(loss), loss, np.nan)
    ax.plot(alphas, loss, color="C0", marker=".", label="loss")
    ax.set(xlabel="a", ylabel="loss", yscale="log")
    ax.axvline(0, color="gray", lw=0.8, ls="--")
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(alphas, acc, color="C1", lw=1, label="accuracy")
    ax2.set(ylabel="accuracy", ylim=(0, 1.02))
    lines = ax.get_lines()[:1] + ax2.get_lines()
    ax.legend(lines, [str(line.get_label()) for line in lines], fontsize=8, loc="upper center")
    ax.set_title(f"L(W + a D1)  {title}".strip(), fontsize=10)
    return save(fig, path)


def landscape_contour(alphas: Any, grid: Any, path: Path, title: str = "") -> Path:
    """The 2-D slice L(W + a D1 + b D2) as filled contours of log10(loss); missing or
    non-finite points are left blank; the star marks the centre W."""
    import numpy as np

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 5))
    z = np.asarray(grid, dtype=float).T  # rows of the grid are a (x axis): transpose for contour
    finite = np.isfinite(z) & (z > 0)
    if finite.any():
        logz = np.ma.masked_where(~finite, np.log10(np.where(finite, z, 1.0)))
        lo, hi = float(logz.min()), float(logz.max())
        levels = np.linspace(lo, hi if hi > lo else lo + 1e-6, 30)
        filled = ax.contourf(alphas, alphas, logz, levels=levels, cmap="viridis")
        ax.contour(
            alphas,
            alphas,
            logz,
            levels=levels[::3],
            colors="white",
            linewidths=0.5,
            linestyles="solid",
        )
        fig.colorbar(filled, ax=ax, label="log10 loss")
    ax.plot([0], [0], marker="*", color="red", markersize=12, label="centre W")
    ax.set(xlabel="a (D1)", ylabel="b (D2)", aspect="equal")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(f"L(W + a D1 + b D2)  {title}".strip(), fontsize=10)
    return save(fig, path)


def tune_curves(
    top: list[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
    keys: list[str],
    path: Path,
    title: str = "",
) -> Path:
    """The top trials of a search: validation accuracy per epoch (solid) and training accuracy
    (dotted, same colour), labelled by rank and values (DLFS fig. 6-24)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, row in enumerate(top):
        records = curves.get(row["trial"]) or []
        if not records:
            continue
        epochs = [r["epoch"] for r in records]
        values = ", ".join(f"{k.split('.')[-1]}={row[k]:.2e}" for k in keys)
        color = f"C{i % 10}"
        ax.plot(
            epochs,
            [r.get("val_acc") for r in records],
            color=color,
            lw=1.5,
            label=f"#{row['rank']} {values}",
        )
        ax.plot(epochs, [r.get("train_acc") for r in records], color=color, lw=1, ls=":")
    ax.plot([], [], color="gray", lw=1.5, label="validation accuracy")
    ax.plot([], [], color="gray", lw=1, ls=":", label="training accuracy")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"top {len(top)} trials {title}".strip(), fontsize=9)
    return save(fig, path)


def tune_scatter(
    points: list[dict[str, Any]],
    keys: list[str],
    log: dict[str, bool],
    metric: str,
    path: Path,
) -> Path:
    """Validation metric against each searched key, one panel per key, colour = round."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.8), squeeze=False)
    rounds = sorted({p["round"] for p in points})
    for ax, key in zip(axes[0], keys):
        for r in rounds:
            sel = [p for p in points if p["round"] == r]
            ax.scatter(
                [p[key] for p in sel],
                [p["metric"] for p in sel],
                s=18,
                color=f"C{(r - 1) % 10}",
                label=f"round {r}",
            )
        if log.get(key):
            ax.set_xscale("log")
        ax.set(xlabel=key, ylabel=metric.replace("_", " "), ylim=(0, 1.02))
        ax.grid(alpha=0.3, which="both")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return save(fig, path)
