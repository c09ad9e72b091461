"""Every figure's texts are drawn at ``plots.fonts``' scale, each at its role's size: a figure's
title, a panel's title, an axis label, a tick label, a legend entry, a note. (Titles were 12,
11 or 10 points by figure: a tune's figure title smaller than a run's panel titles.)"""

from __future__ import annotations

import pytest
from matplotlib.axes import Axes
from matplotlib.text import Text

from nnlab.plots import fonts
from tests.plots.test_no_overlaps import FAST


def roles(fig):
    """Each text ``fig`` holds, by id, to its role in ``fonts.SCALE``; a text not listed is a
    note (``ax.text``, an annotation, ``fig.text``)."""
    role = {}
    axes = fig.findobj(Axes)  # (an inset's too: lr-scan's diverged strip, titled)
    for legend in [ax.get_legend() for ax in axes] + list(fig.legends):
        if legend is not None:
            role.update({id(t): "legend" for t in [*legend.get_texts(), legend.get_title()]})
    for ax in axes:
        role.update({id(t): "title" for t in (ax.title, ax._left_title, ax._right_title)})
        for axis in (ax.xaxis, ax.yaxis):
            role[id(axis.label)] = "label"
            role[id(axis.offsetText)] = "tick"
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                role.update({id(tick.label1): "tick", id(tick.label2): "tick"})
    if fig._suptitle is not None:
        role[id(fig._suptitle)] = "suptitle"
    return role


def off_scale(fig):
    """(role, text, points) of each drawn text of ``fig`` not at its role's size."""
    fig.canvas.draw()  # (tick labels exist once drawn)
    role = roles(fig)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    found = [(role.get(id(t), "note"), t.get_text(), t.get_fontsize()) for t in texts]
    return [(r, text, size) for r, text, size in found if size != fonts.SCALE[r]]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("name", list(FAST))
def test_every_text_of_every_figure_is_at_its_roles_size_on_the_one_scale(name):
    assert off_scale(FAST[name][0]()) == [], name


def test_a_text_drawn_at_another_size_is_found():
    from nnlab import plots

    fig = plots.pyplot().figure()
    ax = fig.add_subplot()
    ax.set_title("a panel", fontsize=12)
    ax.set_xlabel("epoch")
    assert off_scale(fig) == [("title", "a panel", 12.0)]


def test_the_scale_grows_from_ticks_to_the_figures_title_and_none_is_under_legible():
    assert fonts.SUPTITLE_PT > fonts.TITLE_PT > fonts.LABEL_PT
    assert min(fonts.SCALE.values()) == fonts.LEGIBLE_PT
