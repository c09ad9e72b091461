"""DLFS 6.2: histograms of hidden-layer activations by activation function and weight init.

1,000 inputs x ~ N(0, 1) of 100 features go forward (no training, evaluation mode) through
5 layers of ``Affine(100 -> 100) -> activation``, biases zero, weights N(0, s^2) with s from
the init setting:

==========  =================  ==============================================
setting     std s              what DLFS shows
==========  =================  ==============================================
``std1``    1                  sigmoid: activations pile up at 0 and 1 (saturation,
                               vanishing gradients)
``std0.01`` 0.01               sigmoid: everything near 0.5 (no diversity of representation)
``xavier``  sqrt(1 / n_in)     sigmoid / tanh: a broad distribution in every layer
``he``      sqrt(2 / n_in)     relu: the spread of activations kept through the layers
==========  =================  ==============================================

The init settings map to ``nnlab.nn.init`` kinds (``std`` with std 1 or 0.01, ``xavier``,
``he``). Per layer the table gives the activations' mean and std and the fraction saturated
(sigmoid: a < 0.01 or a > 0.99; tanh: |a| > 0.99) or zero (relu: a == 0, the unit off for that
input), and the share of dead units (relu: zero for every input).

With ``batchnorm`` (DLFS 6.3) each layer is ``Affine -> BatchNorm -> activation``: the
Affine outputs are normalised with the inputs' own mean and (biased) variance, per unit,
gamma 1 and beta 0 (``nnlab.nn.layers.BatchNorm`` in training mode, as a minibatch goes through
it), so every layer's activations are well spread whatever the init; the weights are the same
as without it.

Randomness: the inputs come from ``seed``; each setting's weights from a generator seeded by
``(seed, activation, init)``, so adding or removing a setting, or BatchNorm, does not change
the others. Everything is float64.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnlab import redo, runs, times
from nnlab.costs import histogram_work
from nnlab.errors import ConfigError, not_one_of
from nnlab.limits import FOLDER_FILES, check_at_least, check_disk, check_memory, check_work
from nnlab.nn.layers import Affine, BatchNorm
from nnlab.nn.registry import ACTIVATIONS, init_weight
from nnlab.numbers import number
from nnlab.output import Table, counted

# setting name -> (nnlab.nn.init kind, std for the "std" kind)
INITS: dict[str, tuple[str, float]] = {
    "std1": ("std", 1.0),
    "std0.01": ("std", 0.01),
    "xavier": ("xavier", 0.0),
    "he": ("he", 0.0),
}
ACTIVATION_NAMES = ("sigmoid", "tanh", "relu")
SATURATION = {"sigmoid": "a < 0.01 or a > 0.99", "tanh": "|a| > 0.99", "relu": "a == 0 (off)"}
# histogram range per activation (relu: None = up to the row's 99.5th percentile, zeros not drawn)
HIST_RANGE: dict[str, tuple[float, float] | None] = {
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "relu": None,
}
# (weights: a run's rows only, ``activations_run``: initial or trained)
COLUMNS = ["activation", "init", "weights", "layer", "mean", "std", "saturated", "zero",
           "dead_units"]  # fmt: skip


@dataclass
class ActivationsResult:
    """The run folder, the table (one row per setting and layer) and the activations themselves.

    ``activations[(activation, init)]`` is a list of (samples, units) arrays, one per layer.
    """

    run: runs.RunDir
    rows: list[dict[str, Any]]
    activations: dict[tuple[str, str], list[np.ndarray]]


def parse_choices(values: Sequence[str] | None, valid: Sequence[str], option: str) -> list[str]:
    """The chosen names (all of ``valid`` when none given), each checked; order as given."""
    if not values:
        return list(valid)
    out: list[str] = []
    for text in values:
        for name in (v.strip() for v in text.split(",")):
            if name not in valid:
                raise ConfigError(not_one_of(option, name, valid))
            if name not in out:
                out.append(name)
    return out


def forward_activations(
    x: np.ndarray,
    activation: str,
    init: str,
    layers: int,
    units: int,
    rng: np.random.Generator,
    batchnorm: bool = False,
) -> list[np.ndarray]:
    """The output of each ``Affine -> activation`` layer for inputs ``x`` (evaluation mode);
    ``batchnorm``: of each ``Affine -> BatchNorm -> activation``, normalised by the batch ``x``'s
    statistics (BatchNorm's training mode; gamma 1, beta 0)."""
    kind, std = INITS[init]
    out = []
    a = x
    for _ in range(layers):
        W = init_weight(kind, a.shape[1], units, rng, std=std, dtype=np.float64)
        z = Affine(W, np.zeros(units)).forward(a, train=False)
        if batchnorm:
            z = BatchNorm(units, dtype=np.float64).forward(z, train=True)
        a = ACTIVATIONS[activation]().forward(z, train=False)
        out.append(a)
    return out


def saturated_fraction(a: np.ndarray, activation: str) -> float | None:
    """Fraction of sigmoid units below 0.01 or above 0.99, of tanh units with |a| > 0.99."""
    if activation == "sigmoid":
        return float(np.mean((a < 0.01) | (a > 0.99)))
    if activation == "tanh":
        return float(np.mean(np.abs(a) > 0.99))
    return None


def zero_fraction(a: np.ndarray, activation: str) -> float | None:
    """Fraction of ReLU outputs exactly 0 (the unit is off for that input)."""
    return float(np.mean(a == 0)) if activation == "relu" else None


def dead_units(a: np.ndarray, activation: str) -> float | None:
    """Fraction of ReLU units that are 0 for every input (dead: no gradient ever passes)."""
    return float(np.mean(np.all(a == 0, axis=0))) if activation == "relu" else None


def caption(activations: list[str]) -> str:
    """What the panels' notes say, for the figure: the std, and the share saturated (sigmoid,
    tanh) or exactly zero (ReLU: those are left out of its bars); one line each. With ReLU, a
    line on its x axes: each panel its own (0 to its layer's 99.5th percentile, ``HIST_RANGE``),
    so a row's panels are not on one scale and the largest 0.5% are not drawn (unsaid, a
    class compared the layers' bars as if they were)."""
    bounded = [f"{a}: {SATURATION[a]}" for a in ("sigmoid", "tanh") if a in activations]
    lines = ["Each panel: std, the standard deviation of the layer's activations"]
    if bounded:
        lines.append(f"sat, the share saturated ({'; '.join(bounded)})")
    if "relu" in activations:
        lines.append("zero, the share of ReLU outputs exactly 0 (off; left out of the bars)")
        lines.append("ReLU: each panel's own x scale, 0 to its 99.5th percentile")
    return "\n".join(lines)


def _moments(a: np.ndarray) -> dict[str, float]:
    """``mean`` and ``std`` of a layer's activations. Where they overflow (ReLU std1 outputs of
    ~1e157 after 100 layers: their squares pass 1e308) they are taken of ``a`` over its largest
    magnitude and scaled back, so a finite spread is not shown as inf."""
    with np.errstate(over="ignore", invalid="ignore"):  # (the overflow is handled here)
        mean, std = float(a.mean()), float(a.std())
    if not (math.isfinite(mean) and math.isfinite(std)):
        scale = float(np.max(np.abs(a)))
        if math.isfinite(scale) and scale > 0:
            mean, std = scale * float((a / scale).mean()), scale * float((a / scale).std())
    return {"mean": mean, "std": std}


def layer_rows(activation: str, init: str, acts: list[np.ndarray]) -> list[dict[str, Any]]:
    return [
        {
            "activation": activation,
            "init": init,
            "layer": i,
            **_moments(a),
            "saturated": saturated_fraction(a, activation),
            "zero": zero_fraction(a, activation),
            "dead_units": dead_units(a, activation),
        }
        for i, a in enumerate(acts, start=1)
    ]


def activation_histograms(
    activations: Sequence[str] | None = None,
    inits: Sequence[str] | None = None,
    *,
    layers: int = 5,
    units: int = 100,
    samples: int = 1000,
    seed: int = 0,
    bins: int = 30,
    batchnorm: bool = False,
    runs_dir: Path = runs.DEFAULT_ROOT,
    folder: str | None = None,
    progress: Callable[[str], None] | None = None,
    again: redo.Again | None = None,
) -> ActivationsResult:
    """Run every (activation, init) setting; write the table and ``activations.png`` (into a
    new folder, or ``again``: the one ``activations_run.resume_histograms`` does them again
    in). ``batchnorm``: a BatchNorm between each Affine and its activation (DLFS 6.3).

    The run folder holds meta.json, summary.json (settings and rows), summary.txt and the grid
    of histograms (rows = settings, columns = layers). ``progress`` gets a line per setting
    (its last layer's spread) and one as the figure is drawn, most of the time.
    """
    acts = parse_choices(activations, ACTIVATION_NAMES, "--activation")
    init_names = parse_choices(inits, list(INITS), "--init")
    check_at_least(("--layers", layers, 1), ("--units", units, 1), ("--samples", samples, 2))
    check_histogram_bounds(len(acts) * len(init_names), layers, units, samples)
    check_disk("the activations folder", FOLDER_FILES, runs_dir)  # (before the work, not after)
    from threadpoolctl import threadpool_limits

    again = redo.announced(again)  # (the work comes before the folder: said as it starts)
    x = np.random.default_rng(seed).standard_normal((samples, units))
    results: dict[tuple[str, str], list[np.ndarray]] = {}
    rows: list[dict[str, Any]] = []
    tally = times.Tally("setting", len(acts) * len(init_names))
    # one BLAS thread, whatever the environment (OPENBLAS_NUM_THREADS) or the caller set:
    # OpenBLAS adds a product's terms in another order with another count
    with threadpool_limits(limits=1), np.errstate(over="ignore"):
        for activation in acts:
            for init in init_names:
                key = [seed, ACTIVATION_NAMES.index(activation), list(INITS).index(init)]
                rng = np.random.default_rng(key)
                out = forward_activations(x, activation, init, layers, units, rng, batchnorm)
                results[(activation, init)] = out
                rows.extend(layer_rows(activation, init, out))
                if progress is not None:
                    progress(setting_line(rows[-1], len(results), tally))

    settings = dict(activations=acts, inits=init_names, layers=layers, units=units,
                    samples=samples, seed=seed, batchnorm=batchnorm)  # fmt: skip
    recipe = {**settings, "bins": bins}
    with redo.begin("activations", runs_dir, "activations", again=again, recipe=recipe,
                    folder=folder, name="activations", **settings) as life:  # fmt: skip
        write_results(life.run, rows, results, settings, bins, progress)
    return ActivationsResult(life.run, rows, results)


def check_histogram_bounds(settings: int, layers: int, units: int, samples: int) -> None:
    """ConfigError if the histograms of ``settings`` (activation, init) would need more memory
    than the limit (every layer's outputs of every setting kept for the figure, and a layer's
    weights as they are drawn: a float64 ``units`` x ``units`` matrix, its scaled copy and its
    cast, 0.8 GB each at 10,000 units: 2.4 GB at the peak measured) or take longer than the work limit (each layer's weights
    drawn, ``costs.histogram_work``)."""
    what = (
        f"activations of {counted(f'{samples:,}', 'sample')} x {counted(f'{units:,}', 'unit')} "
        f"x {counted(layers, 'layer')} for {counted(settings, 'setting')}"
    )
    outputs = 8 * samples * units * (layers + 2) * settings  # inputs and every layer, kept
    weights = 3 * 8 * units * units
    parts = {"the layers' outputs (--samples, --units, --layers)": outputs,
             "a layer's weights as they are drawn (--units)": weights}  # fmt: skip
    check_memory(what, outputs + weights, parts)
    flop, moved = histogram_work(settings, layers, units, samples)
    shorter = "fewer --layers, --units or --samples, fewer activations or inits"
    check_work(what, flop, settings * layers, shorter, ("layer", "layers"), moved=moved)


def setting_line(last: dict[str, Any], done: int, tally: times.Tally) -> str:
    """A progress line for a setting, from its last layer's row, in every counted line's shape
    (``times.Tally``) and its numbers as every progress line writes them (``number``):
    'setting 12/12, 2.1 s elapsed: relu / he: layer 5 std 0.7912, zero 0.5513' (it read
    'relu / he (12/12): layer 5 std 0.79, zero 55%' beside the table's 0.7912 and 0.5513)."""
    what, frac = (
        ("zero", last["zero"]) if last["zero"] is not None else ("saturated", last["saturated"])
    )
    said = f"layer {last['layer']} std {number(last['std'])}, {what} {number(frac)}"
    return tally.line(done, f"{last['activation']} / {last['init']}: {said}")


def summary_table(summary: dict[str, Any]) -> Table:
    """The table from the folder's summary.json (as ``write_results`` writes it): a row per
    setting and layer, titled with the settings. The one rendering: the command prints it, summary.txt
    holds it, ``runs show`` draws it from the folder's checked summary.json."""
    title = (
        f"activations of {counted(summary['layers'], 'layer')} x "
        f"{counted(summary['units'], 'unit')}, {counted(summary['samples'], 'input')} ~ N(0,1)"
    )
    if summary.get("source"):  # (a run's: ``activations_run``)
        widths = ", ".join(map(str, summary.get("hidden") or [summary["units"]]))
        title = (
            f"activations of {summary['source']}: {counted(summary['layers'], 'hidden layer')} "
            f"(units {widths}), its first {counted(summary['samples'], 'train input')}"
        )
    if summary.get("batchnorm"):
        title += ", BatchNorm on (Affine -> BatchNorm -> activation)"
    kinds = {row["activation"] for row in summary["rows"]}
    # (a column no activation of the run has: zero and dead_units of a tanh-only run, all '-')
    columns = [c for c in COLUMNS if any(row.get(c) is not None for row in summary["rows"])]
    # (each column in its one format, column_format's, as every table's: a mean of 8555.05 and
    # one of 3.1e-08 in a column are 8.555e+03 and 3.133e-08, where each to its own 4
    # significant digits read 8555 over 3.133e-08 and 0.002574, no two cells alike)
    return Table(summary["rows"], columns, "\n".join([title, *column_notes(kinds)]))


def column_notes(activations: set[str]) -> list[str]:
    """A line on each column of the table whose name alone says too little (what counts as
    saturated, zero, dead), for the ``activations`` it has, as lr-scan's title explains its
    columns: the numbers were left to the figure's caption and the module's docstring."""
    bounded = [f"{a} {SATURATION[a]}" for a in ACTIVATION_NAMES[:2] if a in activations]
    notes = ["  mean, std    of the layer's outputs a, over every input and unit"]
    if bounded:
        notes.append(f"  saturated    share of outputs at a flat end ({'; '.join(bounded)})")
    if "relu" in activations:
        notes += [
            "  zero         share of ReLU outputs exactly 0 (the unit off for that input)",
            "  dead_units   share of ReLU units 0 for every input (no gradient passes them)",
        ]
    return notes


def setting_key(row: dict[str, Any]) -> tuple[str, str]:
    """The key of the results a table row's layer is of: (activation, init); a run's rows
    (``activations_run``) add their weights to the init, ('relu', 'he, trained')."""
    weights = row.get("weights")
    return row["activation"], f"{row['init']}, {weights}" if weights else row["init"]


def write_results(
    run: runs.RunDir,
    rows: list[dict[str, Any]],
    results: dict[tuple[str, str], list[np.ndarray]],
    settings: dict[str, Any],
    bins: int,
    progress: Callable[[str], None] | None = None,
) -> None:
    from nnlab import plots

    if progress is not None:  # (the figure is most of the command's time)
        progress(f"drawing activations.png: {counted(len(rows), 'histogram')}")

    saturation = {a: SATURATION[a] for a in settings["activations"]}
    run.write_json(
        "summary.json",
        {"status": "COMPLETED", **settings, "saturation": saturation, "rows": rows},
    )
    run.write_text("summary.txt", summary_table(run.summary()).text())
    labels = {key: f"{key[0]} / {key[1]}" for key in results}
    ranges = {labels[k]: HIST_RANGE[k[0]] for k in results}
    notes: dict[str, list[str]] = {labels[setting_key(r)]: [] for r in rows}
    for r in rows:
        what, frac = ("zero", r["zero"]) if r["zero"] is not None else ("sat", r["saturated"])
        notes[labels[setting_key(r)]].append(f"std {number(r['std'])}\n{what} {number(frac)}")
    said = [settings["source"]] if settings.get("source") else []
    figure = plots.activation_histograms_figure(
        {labels[k]: acts for k, acts in results.items()}, ranges=ranges, notes=notes, bins=bins,
        caption=caption(settings["activations"]), colour_by={labels[k]: k[1] for k in results},
        condition=", ".join(said + ["BatchNorm on"] * bool(settings.get("batchnorm"))),
        run=run.id,
    )  # fmt: skip
    plots.save(figure, run.file("activations.png"))
