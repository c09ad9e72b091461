"""The report's figures (``report.figures``): what each shows as its alt text, and the least
width it is shown at, where its text is legible (the browser's view: test_responsive)."""

from __future__ import annotations

import re

from nnlab.report import build_report
from nnlab.report.figures import alt_text, least_width, png_size
from tests.report.helpers import a_png, make_run, page


def test_a_figure_is_no_narrower_than_its_10pt_text_at_11_px(every_kind, tmp_path):
    """paths.png, 1,514 px wide at 110 dpi, was shrunk to a phone's 352 px: its 10-pt tick
    labels (15.3 px) were 3.5 px. It keeps its size, and the least width it shows at."""
    result = build_report((), every_kind, tmp_path / "report")
    pngs = sorted(p for p in every_kind.rglob("*.png") if "report" not in p.parts)
    assert pngs
    for png in pngs:
        width, height, dpi = png_size(png)
        assert round(dpi) == 110 and width > 300 and height > 200
        least = least_width(width, dpi)
        assert least <= width and least * (10 * dpi / 72) / width >= 11  # (10 pt at 11 px)
        assert least < 0.73 * width
    run = next(p for p in sorted(every_kind.iterdir()) if "digits-quickstart" in p.name)
    img = re.search(r"<img [^>]*>", page(result.out, run)).group(0)
    width, height, _ = png_size(run / "curves.png")
    assert (
        f'width="{width}" height="{height}" style="min-width: {least_width(width, 110.0)}px"' in img
    )


def test_a_figures_alt_text_says_what_it_shows():
    """Its alt text was its file name, 'curves.png'."""
    assert alt_text("curves.png", "train") == "loss and accuracy per epoch"
    assert alt_text("curves.png", "sweep") == "every trial's accuracy per epoch"
    assert alt_text("rounds/r1/curves.png", "tune") == "every trial's accuracy per epoch"
    assert (
        alt_text("paths.png", "compare-optimizers") == "each optimizer's path on the test function"
    )
    assert alt_text("mine.png", "other") == "figure mine.png"


def test_a_figure_that_is_not_a_png_has_no_size(tmp_path):
    (tmp_path / "fig.svg").write_text("<svg/>")
    (tmp_path / "torn.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    assert png_size(tmp_path / "fig.svg") is None and png_size(tmp_path / "torn.png") is None
    assert png_size(tmp_path / "gone.png") is None


def test_a_figure_the_report_cannot_trust_is_left_out_saying_why(tmp_path):
    """A curves.png that is not a PNG (or cut short: a kill as it was written) was copied into
    the report and showed as a broken image."""
    root = tmp_path / "runs"
    good = make_run(root, "good")
    png = a_png()
    good.file("curves.png").write_bytes(png)
    text, cut = make_run(root, "text"), make_run(root, "cut")
    text.file("curves.png").write_text("not a figure\n")
    cut.file("curves.png").write_bytes(png[: len(png) // 2])
    (cut.path / "notes.svg").write_text("<svg><rect/>")
    result = build_report((), root, tmp_path / "report")
    assert "<img " in page(result.out, good.path) and "left out" not in page(result.out, good.path)
    for run, why in ((text, "not a PNG file (it does not start as one)"),
                     (cut, "a PNG file cut short (it does not end as one)")):  # fmt: skip
        html = page(result.out, run.path)
        assert "<img " not in html and f'<p class="note">left out: curves.png: {why}</p>' in html
        assert not (result.out / run.path.name / "curves.png").exists()
    assert "left out: notes.svg: not a whole SVG file" in page(result.out, cut.path)
    assert result.figures == 1
