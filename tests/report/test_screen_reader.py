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


def charts_as_read(tab) -> tuple[list[tuple[str, str]], list[str]]:
    """The charts in the page's accessibility tree, (name, description) each, and the names
    of the parts of a chart it exposes (a line's or point's SVG title: 'graphics-symbol')."""
    tree = tab.context.new_cdp_session(tab).send("Accessibility.getFullAXTree")["nodes"]
    shown = [n for n in tree if not n.get("ignored")]
    charts = [
        (n.get("name", {}).get("value", ""), n.get("description", {}).get("value", ""))
        for n in shown
        if n.get("role", {}).get("value") == "image" and "per epoch:" in str(n.get("description"))
    ]
    parts = [
        n.get("name", {}).get("value", "")
        for n in shown
        if n.get("role", {}).get("value") == "graphics-symbol"
    ]
    return charts, parts


def test_a_chart_is_read_as_one_image_saying_where_each_curve_ends(browser, site):
    """Every point of a chart was an item of its own in Chromium's tree ('objective, epoch 1:
    1.2260', ..., 60 for a run's loss chart of 20 epochs), and the chart's description named
    its curves, not what they came to. Now a chart is one image whose description gives each
    curve's last value, on a run's page and in the compare view alike."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    run = next(p for p in sorted(site.out.glob("*first*/index.html")))
    tab.goto(url(run))
    on_a_page = charts_as_read(tab)
    tab.goto(url(site.index))
    for box in tab.locator("input.pick").all():
        box.check()
    tab.wait_for_selector("section.compare svg.chart g.series")
    in_the_compare_view = charts_as_read(tab)
    context.close()
    # (make_run's 5 epochs: train loss 2.3 / 6, test acc 1 - 0.95 / 6)
    assert on_a_page == (
        [
            (
                "loss",
                "loss per epoch: objective 0.3333, train loss 0.3833, test loss 0.4000 at epoch 5",
            ),
            ("accuracy", "accuracy per epoch: train acc 0.8500, test acc 0.8417 at epoch 5"),
        ],
        [],
    )
    ((name, description),) = in_the_compare_view[0]
    assert in_the_compare_view[1] == [] and description in (
        f"{name} per epoch: first 0.8417, second 0.8417 at epoch 5",
        f"{name} per epoch: second 0.8417, first 0.8417 at epoch 5",
    )


@pytest.fixture(scope="module")
def alike(tmp_path_factory):
    """Three runs of one name (as three trainings of one config are)."""
    root = tmp_path_factory.mktemp("alike") / "runs"
    for _ in range(3):
        make_run(root, "digits-quickstart")
    return build_report((), root, root.parent / "report")


def named(tab, *roles: str) -> dict[str, list[str]]:
    """The names of the page's nodes of ``roles`` in Chromium's tree, by role."""
    tree = tab.context.new_cdp_session(tab).send("Accessibility.getFullAXTree")["nodes"]
    out: dict[str, list[str]] = {role: [] for role in roles}
    for node in tree:
        role = node.get("role", {}).get("value")
        if not node.get("ignored") and role in out:
            out[role].append(node.get("name", {}).get("value", ""))
    return out


def test_the_index_reads_each_header_box_and_disclosure_apart(browser, alike):
    """A screen reader heard each sort header with its mark ('run up down arrow', 'started
    black down-pointing triangle': the CSS mark's text, aria-sort says the order), three tick
    boxes 'compare digits-quickstart' alike, and every row's notes 'details' alike. Each is
    named apart now, by the run's short id; the table is named for what it lists."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto(url(alike.index))
    read = named(tab, "columnheader", "button", "checkbox", "DisclosureTriangle", "table")
    context.close()
    assert read["table"] == ["folders"]  # (a table without a name in a reader's list of them)
    heads = read["columnheader"] + read["button"]
    assert "run" in heads and "started" in heads
    assert not [h for h in heads if set(h) & set("\u2195\u25b2\u25bc")], heads
    assert len(read["checkbox"]) == 3 == len(set(read["checkbox"])), read["checkbox"]
    assert all(b.startswith("compare digits-quickstart (") for b in read["checkbox"])
    notes = read["DisclosureTriangle"]
    assert len(notes) == 3 == len(set(notes)), notes
    assert all(n.startswith("details of digits-quickstart (") for n in notes)
