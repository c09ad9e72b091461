"""gradcheck's finite-difference figure: the legend is off the curves."""

from __future__ import annotations

from nnlab import plots
from tests.plots.layout import legend_over_data

# the README's figure: affine1.W of a tanh net with weight decay
STEPS = [10.0**-k for k in range(1, 11)]
FORWARD = [3e-2, 2.8e-3, 2.7e-4, 2.7e-5, 2.7e-6, 2.7e-7, 3.3e-8, 1.4e-7, 1e-6, 1.1e-5]
CENTRED = [3e-3, 3e-5, 3e-7, 3e-9, 4.5e-11, 4.7e-10, 5.6e-9, 6e-8, 6e-7, 5e-6]


def test_gradcheck_legend_covers_no_curve():
    fig = plots.gradcheck_differences_figure(STEPS, FORWARD, CENTRED, "affine1.W")
    assert legend_over_data(fig) == []


def test_an_error_of_exactly_0_is_said_to_be_so_not_left_to_read_as_1e_17():
    # (a net of zero init: every numeric and analytic gradient 0, the table's errors 0.0000;
    # the figure drew them at its floor, 10^-17, with no word)
    zeros = [0.0] * len(STEPS)
    fig = plots.gradcheck_differences_figure(STEPS, zeros, zeros, "affine1.W")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "error 0, drawn at 1e-17" in labels
    fig = plots.gradcheck_differences_figure(STEPS, FORWARD, CENTRED, "affine1.W")
    assert all("error 0" not in t.get_text() for t in fig.axes[0].get_legend().get_texts())
    assert legend_over_data(fig) == []
