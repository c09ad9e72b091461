"""An index of hundreds of folders in pages of 100 rows (report.js's pager), in headless
Chromium (``--dump-dom``): the index of 1,000 runs laid out every one of them, 1.6 MB of rows,
on every visit. A small report has no pager."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnlab.report import build_report
from tests.report.helpers import make_run
from tests.report.test_accuracy_axes import IN_CHROMIUM, dump_dom

pytestmark = [pytest.mark.slow, IN_CHROMIUM]
ROW = re.compile(r'<tr data-kind="train"[^>]*>')


def shown_rows(dom: str) -> list[str]:
    """The names of the index's rows not hidden, in the table's order."""
    body = dom.split('<table id="runs"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr ([^>]*)>.*?</tr>", body, re.S)
    return [re.search(r'data-rel="[^"]*-(run\d+)-', r)[1] for r in rows if "hidden" not in r]


def with_script(index: Path, script: str) -> str:
    """A copy of the report's index (beside it) that runs ``script`` after report.js; its URL."""
    copy = index.with_name("scripted.html")
    text = index.read_text().replace("</body>", f"<script>{script}</script></body>")
    copy.write_text(text)
    return copy.resolve().as_uri()


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many") / "runs"
    for i in range(250):
        make_run(root, f"run{i:03d}", epochs=1)
    return build_report((), root).index


def test_an_index_of_250_runs_shows_its_first_100_and_a_pager(many):
    dom = dump_dom(many.resolve().as_uri())
    names = shown_rows(dom)
    assert len(ROW.findall(dom)) == 250 and names == [f"run{i:03d}" for i in range(249, 149, -1)]
    assert "250 of 250 shown, rows 1–100 here (pages under the table)</span>" in dom
    nav = re.search(r'<nav class="pager"[^>]*>.*?</nav>', dom, re.S)[0]
    assert 'aria-label="pages of folders"' in nav and "hidden" not in nav.split(">", 1)[0]
    assert '<span class="range">rows 1–100 of 250</span>' in nav
    assert re.search(r'class="prev" disabled=""', nav) and 'class="next">' in nav


def test_next_a_filter_and_a_sort_page_the_rows_they_keep(many):
    then = (
        "document.querySelector('.pager .next').click();"
        "document.body.dataset.second = document.querySelector('.shown').textContent;"
        "document.querySelector('.pager .next').click();"
        "document.body.dataset.third = document.querySelector('.pager .range').textContent;"
    )
    dom = dump_dom(with_script(many, then))
    assert 'data-second="250 of 250 shown, rows 101–200 here (pages under the table)"' in dom
    assert 'data-third="rows 201–250 of 250"' in dom
    assert shown_rows(dom) == [f"run{i:03d}" for i in range(49, -1, -1)]
    # a filter starts again at its first page, of the rows it keeps
    typed = (
        "document.querySelector('.pager .next').click();"
        "var box = document.querySelector('.filter'); box.value = 'run1';"
        "box.dispatchEvent(new Event('input'));"
    )
    dom = dump_dom(with_script(many, typed))
    assert shown_rows(dom) == [f"run{i:03d}" for i in range(199, 99, -1)]
    assert "100 of 250 shown</span>" in dom  # (one page: no pager)
    # a sort, likewise, in its order
    name = "[...document.querySelectorAll('#runs thead th')].find(t => t.textContent.startsWith('name'))"
    dom = dump_dom(
        with_script(many, f"document.querySelector('.pager .next').click(); {name}.click();")
    )
    assert shown_rows(dom) == [f"run{i:03d}" for i in range(100)]


def test_a_small_index_has_no_pager(tmp_path):
    for i in range(3):
        make_run(tmp_path / "runs", f"run{i}", epochs=1)
    dom = dump_dom(build_report((), tmp_path / "runs").index.resolve().as_uri())
    assert len(shown_rows(dom)) == 3 and "3 of 3 shown</span>" in dom
    assert re.search(r'<nav class="pager"[^>]*hidden', dom)


def test_back_to_the_index_comes_back_to_its_page_in_its_sort(many):
    # (what a history entry holds when Back returns to the index: its sort and its page)
    state = "history.replaceState({'sort-runs': [4, true], 'page-runs': 1}, '');"
    copy = many.with_name("back.html")
    text = many.read_text()
    copy.write_text(
        text.replace('<script src="_assets/', f'<script>{state}</script><script src="_assets/', 1)
    )
    dom = dump_dom(copy.resolve().as_uri())
    assert shown_rows(dom) == [f"run{i:03d}" for i in range(100, 200)]
    assert "250 of 250 shown, rows 101–200 here (pages under the table)</span>" in dom
