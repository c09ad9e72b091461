"""The index printed, in headless Chromium's print media (skipped, with the reason, where
Playwright or a Chromium cannot be found: see test_browser): each row's note reads whole on
paper, which has no tooltip, and nothing is printed that only a screen uses."""

from __future__ import annotations

import pytest

from nnlab.report import build_report
from tests.report.helpers import make_run, write_meta
from tests.report.test_browser import url

pytestmark = pytest.mark.slow  # (a Chromium a module: 1-2 s)

ERROR = "ValueError: " + "the loss is not finite after the step the schedule took " * 2

LONG = "mnist-300-batchnorm-adam-lr0.001-weight-decay-1e-4-dropout-0.5-" * 2
NOTES = """() => [...document.querySelectorAll('#runs td.notes')].map(td => {
    const s = td.querySelector('summary'), tr = td.closest('tr');
    return {text: s ? s.textContent : '', shown: !!s && s.getClientRects().length > 0,
            whole: !s || s.scrollWidth <= s.clientWidth + 1,
            right: td.getBoundingClientRect().right,
            gutter: parseFloat(getComputedStyle(tr).paddingLeft)};
})"""


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """A FAILED run of a long error (its note), a COMPLETED one (its note a bare 'details')
    and one of a name too long for two lines of its column."""
    root = tmp_path_factory.mktemp("paper") / "runs"
    write_meta(make_run(root, "stopped", status="FAILED"), error=ERROR)
    make_run(root, "done")
    make_run(root, LONG)
    return build_report((), root, root.parent / "report").index


@pytest.mark.parametrize("width", [720, 1050])  # (A4 upright: the cards; on its side: the table)
def test_on_paper_a_rows_note_is_whole_and_a_bare_details_is_left_out(browser, index, width):
    """Printed, a FAILED run's error was cut at its column's edge ('ValueError: the loss is
    not finite after the st…'), whole only in a tooltip that paper has not, and a row without
    a note printed '▸ details', which opens nothing there, nor does a note's marker; a long
    name was cut after two lines; a card kept a 38 px margin for a tick box that paper
    leaves out."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.goto(url(index))
    tab.emulate_media(media="print")
    notes = tab.evaluate(NOTES)
    name = tab.locator(f'#runs a[title="{LONG}"]')
    cut = name.evaluate(
        "a => a.scrollHeight > a.clientHeight + 1 || a.scrollWidth > a.clientWidth + 1"
    )
    marker = tab.evaluate("getComputedStyle(document.querySelector('#runs summary')).listStyleType")
    context.close()
    assert not cut  # (a long name whole on paper: cut after two lines on a screen)
    assert marker == "none"  # (no disclosure triangle: it opens nothing on paper)
    shown = [n["text"].strip() for n in notes if n["shown"]]
    assert shown == [ERROR.strip()], notes
    assert all(n["whole"] and n["right"] <= width for n in notes), notes
    if width < 900:
        assert all(n["gutter"] <= 12 for n in notes), notes
