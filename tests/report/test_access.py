"""What the report's pages give a screen reader and a keyboard: header cells that say what
they head and which way, ... (the pages as built; the browser's view: test_responsive)."""

from __future__ import annotations

import re

import pytest

from nnlab.report import build_report
from tests.report.helpers import files


@pytest.fixture(scope="module")
def pages(every_kind, tmp_path_factory):
    out = build_report((), every_kind, tmp_path_factory.mktemp("access") / "report").out
    return {p: p.read_text(encoding="utf-8") for p in files(out) if p.name == "index.html"}


@pytest.mark.slow
def test_every_header_cell_has_text_and_a_scope(pages):
    """The metrics table's corner and the run tables' tick-box column were empty <th> (read as
    blank column headers), and the key/value and JSON tables' header cells had no scope."""
    for path, html in pages.items():
        for th in re.findall(r"<th\b[^>]*>.*?</th>", html):
            assert re.match(r'<th scope="(row|col)"', th), (path, th)
            assert re.sub(r"<[^>]+>", "", th).strip(), (path, th)


@pytest.mark.slow
def test_a_block_of_text_that_may_scroll_sideways_takes_the_keyboards_focus(pages):
    """A run's config, a sweep's definition: unwrapped lines, wider than a phone, scrolled
    sideways by a mouse or a finger only (axe-core's scrollable-region-focusable)."""
    blocks = [pre for html in pages.values() for pre in re.findall(r"<pre\b[^>]*>", html)]
    unwrapped = [pre for pre in blocks if 'class="cmd"' not in pre and 'class="error"' not in pre]
    assert len(unwrapped) >= 8 and all('tabindex="0"' in pre for pre in unwrapped), unwrapped


@pytest.mark.slow
def test_every_page_has_a_title_of_its_own(pages):
    """A tune, an lr-scan and a landscape of one config were all 'digits-quickstart - nnlab
    report' (and both training runs of the quick-start config), a trial its id alone."""
    titles = [re.search(r"<title>(.*?)</title>", html).group(1) for html in pages.values()]
    assert len(set(titles)) == len(titles), sorted(titles)
    assert any(re.fullmatch(r"digits-quickstart \(lr-scan [0-9a-f]{6}\) - nnlab report", t)
               for t in titles)  # fmt: skip
    assert any(re.fullmatch(r"trial \w+ of weight-scale-digits - nnlab report", t) for t in titles)


@pytest.mark.slow
def test_the_count_of_rows_a_filter_shows_is_read_out_as_it_changes(pages):
    """'3 of 10 shown' changed as one typed, unannounced: a screen reader heard nothing of it."""
    counts = [m for html in pages.values() for m in re.findall(r'<span class="shown"[^>]*>', html)]
    assert len(counts) >= 3 and all('role="status"' in c for c in counts), counts
