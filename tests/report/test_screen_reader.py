"""The report as a screen reader gets it: Chromium's own accessibility tree (CDP's
``Accessibility.getFullAXTree``), in headless Chromium (skipped, with the reason, where
Playwright or a Chromium cannot be found: see test_browser)."""

from __future__ import annotations

import pytest

from nnlab.report import build_report
from tests.report.helpers import make_run
from tests.report.test_browser import url

pytestmark = pytest.mark.slow  # (a Chromium a module: 1-2 s)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reader") / "runs"
    for name in ("first", "second"):
        make_run(root, name)
    return build_report((), root, root.parent / "report")


def unnamed_images(tab) -> list[str]:
    """The images in the page's accessibility tree that have no name (read 'image', or
    'unlabelled graphic', and nothing else)."""
    tree = tab.context.new_cdp_session(tab).send("Accessibility.getFullAXTree")["nodes"]
    return [
        str(node.get("backendDOMNodeId"))
        for node in tree
        if not node.get("ignored")
        and node.get("role", {}).get("value") in ("image", "img", "graphics-document")
        and not node.get("name", {}).get("value")
    ]


def test_no_image_a_screen_reader_meets_is_unnamed(browser, site):
    """Each legend key's swatch, an inline SVG beside its label, was an image without a name
    in Chromium's tree: 'image, objective, image, train loss, ...' under every chart of a
    run's page, and in the compare view of ticked runs. Hidden now; the label reads alone."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    run = next(p for p in sorted(site.out.glob("*first*/index.html")))
    tab.goto(url(run))
    assert tab.locator(".legend .key").count() >= 4
    on_a_page = unnamed_images(tab)
    tab.goto(url(site.index))
    for box in tab.locator("input.pick").all():
        box.check()
    tab.wait_for_selector("section.compare .compare-legend .key")
    in_the_compare_view = unnamed_images(tab)
    context.close()
    assert on_a_page == [] and in_the_compare_view == []
