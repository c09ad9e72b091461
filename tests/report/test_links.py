"""Every link of a report leads to a file of the report, from wherever it is opened: a runs
folder of odd names (spaces, '#', '%', '?', quotes, markup, unicode, 200 letters), its report
moved to another folder of an odd name, as a zip unpacked elsewhere puts it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from nnlab.report import build_report
from tests.report.helpers import make_run

ODD = [
    "run with space",
    "a#b",
    "50%off",
    "q?x=1",
    "quote'\"x",
    "amp&lt;b>",
    "ünïcødé-実験",
    "L" * 200,
]
LINK = re.compile(r'<(?:a|img|script|link)\b[^>]*?\b(?:href|src)="([^"]*)"')


def test_every_link_leads_to_a_file_of_the_report_after_it_is_moved(tmp_path):
    root = tmp_path / "my runs #1 100% ü"
    for name in ODD:
        make_run(root, "odd", folder=root / name)
    result = build_report((), root, tmp_path / "report")
    moved = Path(shutil.move(result.out, tmp_path / "elsewhere #2 %" / "rep ort"))
    pages = sorted(moved.rglob("index.html"))
    assert len(pages) == len(ODD) + 1
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for link in LINK.findall(html):
            parts = urlsplit(link.replace("&amp;", "&"))
            assert not parts.scheme and not link.startswith("/"), (page, link)
            if not parts.path:  # (a link within the page: #main)
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file() or (target / "index.html").is_file(), (page, link)
            assert target.is_relative_to(moved.resolve()), (page, link)
    index = (moved / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{quote(name)}/index.html"' in index for name in ODD)  # (%23, %25, ...)
