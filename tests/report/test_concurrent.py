"""Two builds of one report at once (``--report`` on two commands that end together, or
``nnlab report`` while a sweep with ``--report`` finishes): the second waits for the first, so
the index never links to a page the other build removed as stale."""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote

import pytest

from nnlab.report import build, build_report
from tests.report.helpers import make_run


def broken_links(out) -> list[str]:
    html = (out / "index.html").read_text()
    return [h for h in re.findall(r'href="([^"#]+)"', html) if not (out / unquote(h)).exists()]


@pytest.mark.slow
def test_a_build_that_starts_while_another_runs_waits_for_it(tmp_path, monkeypatch):
    # build A read the runs folder; a run ended and build B wrote its page and an index linking
    # to it; then A removed that page as stale (A had not seen the run): a 404 from the index
    root = tmp_path / "runs"
    make_run(root, "first")
    remove_stale = build.Site.remove_stale
    other: list[threading.Thread] = []

    def meanwhile(site):
        if not other:  # (build A, about to remove what it did not write)
            make_run(root, "second")
            other.append(threading.Thread(target=build_report, args=((), root)))
            other[0].start()
            other[0].join(timeout=1.5)  # (B, unless it waits for A to end)
        remove_stale(site)

    monkeypatch.setattr(build.Site, "remove_stale", meanwhile)
    out = build_report((), root).out
    other[0].join(timeout=30)
    assert not other[0].is_alive()
    assert broken_links(out) == []
    assert "second" in (out / "index.html").read_text()  # (B's index, the later one)
