"""nnlab.palette: every series colour stands out from the white background at 3:1 or more
(WCAG 2.x, 1.4.11 non-text contrast), stays apart from the others under the common colour-vision
deficiencies, and past the colours a series differs in its line style; the figures and the
report draw in these colours."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from nnlab import palette

MIN_CONTRAST = 3.0  # WCAG 2.x 1.4.11: graphical objects that carry meaning
MIN_DELTA_E = 10.0  # CIE76 distance in CIELAB two series keep under each simulated deficiency
TAB10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
DEFICIENCIES = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}  # fmt: skip


def linear_rgb(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[k : k + 2], 16) / 255 for k in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str = "#ffffff") -> float:
    """WCAG 2.x contrast ratio: (L1 + 0.05) / (L2 + 0.05), L the relative luminance."""
    la, lb = (float(linear_rgb(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear sRGB."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(rgb, 0, 1)  # fmt: skip
    t = xyz / [0.95047, 1.0, 1.08883]
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colours: tuple[str, ...], deficiency: str | None) -> float:
    """The smallest CIELAB distance between two of ``colours`` as seen with ``deficiency``."""
    m = np.eye(3) if deficiency is None else np.array(DEFICIENCIES[deficiency])
    seen = [lab(m @ linear_rgb(c)) for c in colours]
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(seen, 2))


def test_the_contrast_formula_gives_wcags_values():
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#ffffff") == pytest.approx(1.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)  # (the usual grey on white)


@pytest.mark.parametrize("colour", palette.SERIES)
def test_every_series_colour_has_3_to_1_contrast_on_the_white_background(colour):
    assert palette.BACKGROUND == "#ffffff"
    assert contrast(colour, palette.BACKGROUND) >= MIN_CONTRAST, colour


def test_matplotlibs_tab10_drawn_before_fails_the_contrast_check():
    """(the check can fail: tab10's orange, pink, olive and cyan are 2.0-2.7:1)"""
    low = {c: round(contrast(c), 2) for c in TAB10 if contrast(c) < MIN_CONTRAST}
    assert low == {"#ff7f0e": 2.53, "#e377c2": 2.73, "#bcbd22": 2.01, "#17becf": 2.26}


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_series_colours_stay_apart_under_colour_vision_deficiencies(deficiency):
    assert closest_pair(palette.SERIES, deficiency) >= MIN_DELTA_E
    if deficiency == "protanopia":  # (tab10's orange and green: one colour to a protanope)
        assert closest_pair(TAB10, deficiency) < MIN_DELTA_E


def test_past_the_colours_each_series_differs_in_colour_or_line_style():
    n = len(palette.SERIES) * len(palette.LINESTYLES)
    looks = [(palette.colour(i), palette.linestyle(i)) for i in range(n)]
    assert len(set(looks)) == n
    assert [palette.linestyle(i) for i in range(len(palette.SERIES))] == ["-"] * 5
    dashes = [(palette.colour(i), palette.dash(i)) for i in range(n)]
    assert len(set(dashes)) == n and palette.dash(0) == "" and palette.dash(5) == "6 3"


def test_figures_draw_in_the_palette():
    from matplotlib.colors import to_hex

    from nnlab.plots import base

    base.pyplot()
    assert tuple(to_hex(f"C{i}") for i in range(5)) == palette.SERIES
    assert [base.split_colour(s) for s in ("train", "test", "val")] == list(palette.SERIES[:3])


def test_the_report_draws_series_on_white():
    """The page's background, and the compare view's chart and legend (on the grey panel,
    the reddish purple is 2.9:1)."""
    css = (Path(__file__).parents[1] / "nnlab" / "report" / "report.css").read_text()
    assert re.search(r"--bg:\s*#ffffff;", css)
    for box in (".compare-chart", ".compare-legend"):
        rule = re.search(re.escape(box) + r"\s*\{([^}]*)\}", css)
        assert rule is not None and "background: var(--bg)" in rule.group(1), box


def test_every_colour_of_the_colour_scale_has_3_to_1_contrast_on_white():
    """A sweep's lines by a numeric key, in the figure (plots.sweep.line_cmap) and on the
    report's page (svg.scale_color): viridis stopped at 0.85 (#9bd93c, 1.7:1)."""
    from matplotlib.colors import to_hex

    from nnlab.plots.sweep import line_cmap
    from nnlab.report.svg import scale_color

    cmap = line_cmap()
    for t in np.linspace(0, 1, 101):
        assert contrast(to_hex(cmap(t))) >= MIN_CONTRAST, (t, to_hex(cmap(t)))
        assert contrast(scale_color(t)) >= MIN_CONTRAST, (t, scale_color(t))


def test_what_diverged_is_red_that_reads_as_text_on_white():
    """A diverged run's title, cross and strip: pure red was 4.0:1 on white, under the 4.5:1
    WCAG asks of small text (a weight-scale panel's 9-point title says 'diverged' in it)."""
    assert contrast(palette.DIVERGED, palette.BACKGROUND) >= 4.5
    assert contrast("#ff0000") < 4.5
