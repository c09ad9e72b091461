"""A sweep's page: how its trials' curves are told apart (colour, dashes)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.colors import to_hex

from nnlab.palette import DASHES, LINESTYLES, SERIES
from nnlab.report.collect import Entry
from nnlab.report.sweeps import styles


def trials(*values: dict[str, object]) -> list[Entry]:
    return [
        Entry(rel=f"s/t{i}", path=Path(f"t{i}"), meta={"trial": {"values": v}})
        for i, v in enumerate(values)
    ]


def test_trials_past_the_palettes_colours_are_dashed_apart():
    """Seven activations (no numeric key): the palette's five colours solid, then the sixth
    and seventh dashed; each trial's (colour, dash) its own (the sixth was the first's)."""
    names = ["relu", "tanh", "sigmoid", "elu", "gelu", "leaky_relu", "softplus"]
    looks, _ = styles(trials(*({"model.activation": a} for a in names)), ["model.activation"])
    assert len(set(looks)) == 7
    assert [c for c, _ in looks] == [*SERIES, SERIES[0], SERIES[1]]
    assert [d for _, d in looks] == ["", "", "", "", "", "6 3", "6 3"]


def test_a_categorical_key_dashes_and_the_others_colour_where_the_palette_has_room():
    """Past 12 trials (the figure's own looks end there): three activations by five
    optimizers, the dashes by the activation (the first key of two to four values), the colour
    by the optimizer, so the lines of one value look alike; by seven optimizers, one look each."""
    grid = [{"model.activation": a, "optimizer.name": f"o{i}"} for a in ("relu", "tanh", "sigmoid")
            for i in range(5)]  # fmt: skip
    looks, _ = styles(trials(*grid), ["model.activation", "optimizer.name"])
    assert [c for c, _ in looks] == list(SERIES) * 3
    assert [d for _, d in looks] == [""] * 5 + ["6 3"] * 5 + ["2 3"] * 5
    wide = [{"model.activation": a, "optimizer.name": f"o{i}"} for a in ("relu", "tanh")
            for i in range(7)]  # fmt: skip
    looks, _ = styles(trials(*wide), ["model.activation", "optimizer.name"])
    assert len(set(looks)) == 14


def test_up_to_12_trials_look_as_the_sweeps_figure_draws_them():
    """A 7-rate sweep's page drew its trials on the rate's colour scale, its curves.png beside
    it each trial in its own colour: the page draws them as the figure does, in the figure's
    value order (a rate's colour by its rank, not by the trial's place in the folder)."""
    from nnlab import plots
    from tests.plots import records

    lrs = [0.1, 0.3, 0.001, 0.03, 0.01, 0.003, 0.0003]
    looks, html = styles(trials(*({"optimizer.lr": v} for v in lrs)), ["optimizer.lr"])
    rows = [{"trial": f"t{i}", "optimizer.lr": v, "status": "COMPLETED"} for i, v in enumerate(lrs)]
    curves = {r["trial"]: records.learning(epochs=3) for r in rows}
    ax = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"]).axes[0]
    drawn = {ln.get_label(): (to_hex(ln.get_color()), ln.get_linestyle()) for ln in ax.get_lines()}
    dash = dict(zip(LINESTYLES, DASHES))
    for v, (colour, dashes) in zip(lrs, looks):
        colour_there, style = drawn[f"optimizer.lr={v}"]
        assert (colour, dashes) == (colour_there, dash[style]), v
    assert 'class="legend scale"' not in html and html.count('class="key"') == 7
    assert html.index("optimizer.lr=0.0003") < html.index("optimizer.lr=0.3")  # (value order)
    grid = [{"optimizer.lr": v, "model.batchnorm": b} for v in (0.1, 0.01) for b in (True, False)]
    looks, _ = styles(trials(*grid), ["optimizer.lr", "model.batchnorm"])
    assert looks == [(SERIES[1], ""), (SERIES[1], "6 3"), (SERIES[0], ""), (SERIES[0], "6 3")]


def test_the_legend_names_each_trial_where_no_key_is_numeric():
    """The trials' legend under a sweep page's charts: a key per trial, with its dashes (its
    keys have no points of their own, and the legend, which leaves out a series with none,
    was empty on every such page)."""
    names = ["relu", "tanh", "sigmoid", "elu", "gelu", "leaky_relu", "softplus"]
    _, html = styles(trials(*({"model.activation": a} for a in names)), ["model.activation"])
    assert html.count('class="key"') == 7 and "model.activation=softplus" in html
    assert html.count('stroke-dasharray="6 3"') == 2


def test_the_legend_names_the_dashed_keys_values_beside_the_colour_scale():
    """weight-scale: model.init_std on the colour scale, model.batchnorm dashed; the dashes'
    legend (model.batchnorm=true, solid; false, dashed) was an empty div."""
    grid = [{"model.init_std": 10.0**-k, "model.batchnorm": b} for k in range(7)
            for b in (True, False)]  # fmt: skip
    _, html = styles(trials(*grid), ["model.init_std", "model.batchnorm"])
    assert 'class="legend scale"' in html
    assert html.count('class="key"') == 2 and 'stroke-dasharray="6 3"' in html
    assert "model.batchnorm=true" in html and "model.batchnorm=false" in html


def test_the_colour_scales_ends_are_spelt_as_the_trials_table_spells_the_values():
    """A tune's learning rates: the scale's ends read 3.773e-06 and 0.002046 above a table of
    3.77258e-06 and 0.00204555 (the chart's tick format); a whole number stays whole."""
    lrs = [0.000111503, 3.77258e-06, 0.00204555] + [1e-05 * (k + 1) for k in range(10)]
    _, html = styles(trials(*({"optimizer.lr": v} for v in lrs)), ["optimizer.lr"])
    assert '<span class="num">3.77258e-06</span>' in html
    assert '<span class="num">0.00204555</span>' in html
    _, html = styles(trials(*({"batch_size": v} for v in range(32, 45))), ["batch_size"])
    assert '<span class="num">32</span>' in html and '<span class="num">44</span>' in html


def test_past_12_trials_the_page_colours_by_the_key_its_figure_colours_by():
    """3 rates x 2 inits x 3 optimizers (18 trials) whose final accuracy is the optimizer's
    doing: the sweep's curves.png colours by the optimizer (the key that explains most of it),
    and so does its page, not by the rate, its first numeric key, as it did; another key
    dashes (the rate: the tie of the two is the keys' order), and the third is named."""
    from nnlab.plots import sweep_roles

    acc = {"sgd": 0.3, "momentum": 0.6, "adam": 0.9}
    grid = [{"optimizer.lr": lr, "model.init": i, "optimizer.name": o}
            for lr in (0.1, 0.01, 0.001) for i in ("he", "xavier") for o in acc]  # fmt: skip
    entries = trials(*grid)
    for entry, values in zip(entries, grid):
        entry.records = [{"epoch": e, "test_acc": acc[values["optimizer.name"]] * e / 2}
                         for e in range(3)]  # fmt: skip
    keys = ["optimizer.lr", "model.init", "optimizer.name"]
    finals = [acc[v["optimizer.name"]] for v in grid]
    assert sweep_roles.choose_roles(grid, finals, keys).colour == "optimizer.name"
    looks, html = styles(entries, keys)
    by_optimizer = {o: {c for (c, _), v in zip(looks, grid) if v["optimizer.name"] == o}
                    for o in acc}  # fmt: skip
    assert all(len(c) == 1 for c in by_optimizer.values())
    assert len(set.union(*by_optimizer.values())) == 3
    assert 'class="legend scale"' not in html and "optimizer.name=adam" in html
    assert "optimizer.lr=0.001" in html and "also varied: model.init" in html
