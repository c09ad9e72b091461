"""A sweep's page: how its trials' curves are told apart (colour, dashes)."""

from __future__ import annotations

from pathlib import Path

from nnlab.palette import SERIES
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
    """Three activations by two optimizers: the dashes by the activation (the first key of
    two to four values), the colour by the optimizer, so the lines of one value look alike;
    by seven optimizers, one look each."""
    grid = [{"model.activation": a, "optimizer.name": o} for a in ("relu", "tanh", "sigmoid")
            for o in ("sgd", "adam")]  # fmt: skip
    looks, _ = styles(trials(*grid), ["model.activation", "optimizer.name"])
    assert [c for c, _ in looks] == [SERIES[0], SERIES[1]] * 3
    assert [d for _, d in looks] == ["", "", "6 3", "6 3", "2 3", "2 3"]
    wide = [{"model.activation": a, "optimizer.name": f"o{i}"} for a in ("relu", "tanh")
            for i in range(7)]  # fmt: skip
    looks, _ = styles(trials(*wide), ["model.activation", "optimizer.name"])
    assert len(set(looks)) == 14


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
    grid = [{"model.init_std": s, "model.batchnorm": b} for s in (1, 0.1, 0.01)
            for b in (True, False)]  # fmt: skip
    _, html = styles(trials(*grid), ["model.init_std", "model.batchnorm"])
    assert 'class="legend scale"' in html
    assert html.count('class="key"') == 2 and 'stroke-dasharray="6 3"' in html
    assert "model.batchnorm=true" in html and "model.batchnorm=false" in html


def test_the_colour_scales_ends_are_spelt_as_the_trials_table_spells_the_values():
    """A tune's learning rates: the scale's ends read 3.773e-06 and 0.002046 above a table of
    3.77258e-06 and 0.00204555 (the chart's tick format); a whole number stays whole."""
    lrs = [0.000111503, 3.77258e-06, 0.00204555]
    _, html = styles(trials(*({"optimizer.lr": v} for v in lrs)), ["optimizer.lr"])
    assert '<span class="num">3.77258e-06</span>' in html
    assert '<span class="num">0.00204555</span>' in html
    _, html = styles(trials(*({"batch_size": v} for v in (32, 128))), ["batch_size"])
    assert '<span class="num">32</span>' in html and '<span class="num">128</span>' in html
