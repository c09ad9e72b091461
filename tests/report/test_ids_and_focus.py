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


@pytest.mark.parametrize("width", [1280, 1600])
def test_a_long_folder_id_is_cut_in_the_middle_its_end_in_view(index, tab, width):
    """Cut at its end at 7em, a folder's id without a short id read '20261206-0…' in every row
    of a day's folders made by hand (a half removed folder's '.2026…'): told apart by a
    tooltip alone. Its head is cut now, its last characters in view (below it in the 7em of
    a laptop's window, beside it from 1,500 px); a short id is whole."""
    page = tab(index, width)
    seen = page.evaluate(
        """() => [...document.querySelectorAll('#runs td.id')].map(td => {
            const cut = td.querySelector('.cut'), box = td.getBoundingClientRect();
            const parts = cut ? [...cut.children] : [td.firstElementChild];
            const tail = parts[parts.length - 1], head = parts[0];
            const t = tail.getBoundingClientRect(), h = head.getBoundingClientRect();
            return {title: td.title, cut: !!cut, text: td.textContent, width: box.width,
                    tail: tail.textContent, whole: tail.scrollWidth <= tail.clientWidth + 1,
                    inside: t.left >= box.left && t.right <= box.right + 0.5,
                    head: h.width, shown: getComputedStyle(td).display !== 'none'};
        })"""
    )
    assert len(seen) == 4 and all(s["shown"] and s["whole"] and s["inside"] for s in seen), seen
    long = [s for s in seen if s["title"] in BY_HAND]
    short = [s for s in seen if s["title"] not in BY_HAND]
    assert {s["text"] for s in long} == set(BY_HAND)  # (copied whole)
    assert all(s["cut"] and s["head"] >= 12 for s in long), long  # (some of the head too)
    assert {s["tail"] for s in long} == {"ade-by-hand", "e-by-hand-2"}, long
    assert all(not s["cut"] and len(s["text"]) == 6 for s in short), short
    if width < 1500:  # (no wider than it was, 7em and its padding: the notes had no more room)
        assert all(s["width"] <= 7 * 12.5 + 16 + 1 for s in seen), seen
    table, box = page.evaluate(
        "() => { const t = document.querySelector('#runs');"
        " return [t.scrollWidth, t.parentElement.clientWidth]; }"
    )
    assert table <= box, (table, box)


def test_on_a_phone_a_long_folder_id_wraps_whole_in_its_card(index, tab):
    page = tab(index, **PHONE)
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#runs td.id')].map(td => {
            const r = td.getBoundingClientRect();
            return [td.textContent, td.scrollWidth <= td.clientWidth + 1, r.right];
        })"""
    )
    assert {text for text, _, _ in rows} >= set(BY_HAND)
    assert all(fits and right <= PHONE["width"] for _, fits, right in rows), rows


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
                        .map(g => g - border)};
        }"""
    )
    assert seen["ring"] and seen["offset"] >= 0, seen
    assert all(abs(gap) <= 0.5 for gap in seen["gaps"]), seen  # (the ring outside the pill)
