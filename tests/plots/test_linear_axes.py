"""Every linear axis of every figure writes each tick's whole value: no offset or multiplier in
the axis's corner (matplotlib's ``1e−5+2.302`` over ticks 58.50 .. 60.50 read as a loss of 60),
and past the fixed-point range each tick in powers of ten (1.3×10⁶), never ``5e-05``."""

from __future__ import annotations

import numpy as np

from nnlab import plots
from tests.plots import records, test_sweep
from tests.plots.layout import outside_figure, render


def value(text: str) -> float:
    """A tick label's number: 2.302585, −0.5, 1.3×10⁶, 5×10⁻⁵."""
    text = text.replace("\u2212", "-")
    if "×10" not in text:
        return float(text)
    mantissa, power = text.split("×10")
    digits = power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
    return float(mantissa) * 10.0 ** int(digits)


def shown_ticks(axis):
    """(location, label) of the labelled major ticks inside the view."""
    lo, hi = sorted(axis.get_view_interval())
    return [
        (loc, label.get_text())
        for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels())
        if lo <= loc <= hi and label.get_text()
    ]


def assert_whole_values(axis, rel=1e-6):
    ticks = shown_ticks(axis)
    assert len(ticks) >= 2, ticks
    assert axis.get_offset_text().get_text() == "", axis.get_offset_text().get_text()
    for loc, text in ticks:
        assert "e" not in text.lower(), text
        assert np.isclose(value(text), loc, rtol=rel, atol=0), (loc, text)


def losses(values):
    out = records.learning(epochs=len(values) - 1)
    for r, v in zip(out, values):
        r.update(loss=None if r["epoch"] == 0 else v, train_loss=v, test_loss=v)
    return out


def test_a_loss_flat_at_ln10_is_ticked_in_whole_values_not_an_offset():
    """A net stuck at chance: losses 2.3025850 .. 2.3026050."""
    fig = plots.train_curves_figure(
        losses([2.302585 + 1e-6 * e for e in range(21)]), ["train", "test"], status="COMPLETED"
    )
    render(fig)
    assert_whole_values(fig.axes[0].yaxis)
    assert not outside_figure(fig)


def test_losses_past_a_million_within_a_decade_have_the_power_in_each_tick():
    fig = plots.train_curves_figure(
        losses([1e6 + 3e4 * e for e in range(11)]), ["train", "test"], status="COMPLETED"
    )
    render(fig)
    assert_whole_values(fig.axes[0].yaxis)
    assert all("×10⁶" in text for _, text in shown_ticks(fig.axes[0].yaxis))
    assert not outside_figure(fig)  # (the left margin fits the wider labels)


def test_every_saved_figure_has_its_linear_axes_ticked_in_whole_values(tmp_path):
    """``save`` does it for any figure: here a sweep's accuracies, scaled into the far range."""
    rows, curves = test_sweep.random_sweep()
    for records_ in curves.values():
        for r in records_:
            r["test_acc"] = 1e-7 * (1 + r["test_acc"])
    fig = plots.sweep_curves_figure(rows, curves, ["optimizer.lr"])
    fig.axes[0].set_ylim(1e-7, 2e-7)
    plots.save(fig, tmp_path / "sweep.png")
    assert_whole_values(fig.axes[0].yaxis)


def test_activation_panels_of_tiny_values_write_powers_of_ten_not_e_notation():
    rng = np.random.default_rng(0)
    layers = [np.maximum(rng.normal(size=2000), 0) * 10.0**-k for k in (1, 5, 8)]
    fig = plots.activation_histograms_figure({"relu / std0.01": layers}, {"relu / std0.01": None})
    render(fig)
    for ax in fig.axes:
        assert_whole_values(ax.xaxis, rel=1e-3)
