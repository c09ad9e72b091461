"""The report in a light and a dark colour scheme (``prefers-color-scheme``, as Playwright
emulates it in headless Chromium: ``new_context(color_scheme=...)``), with the keyboard, and
with JavaScript off: every text readable on its ground (4.5:1, 3:1 for large text), each
chart's curves 3:1, a figure on a light frame, the focus ring seen, no control that does
nothing. Skips where test_browser does (no Playwright or no Chromium)."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.report import build_report
from tests.report.helpers import make_run, write_meta
from tests.report.test_browser import sync_api, url  # noqa: F401  (skips without them)

pytestmark = pytest.mark.slow  # (a Chromium tab a scheme and a page: 1-3 s a test)
SCHEMES = ("light", "dark")

# the colours behind an element and its text's contrast on them, WCAG 2.x's way
COLOURS = """
const rgba = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const ground = el => { for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0) return c; }
    return [255, 255, 255, 1]; };
const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility === 'visible'
    && !el.closest('.vh, option, title');
const name = el => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
    ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : '') + ' "' + el.textContent.trim().slice(0, 30) + '"';
"""

LOW_CONTRAST = (
    """() => {"""
    + COLOURS
    + """
    const low = [];
    for (const el of document.querySelectorAll('body *')) {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || !shown(el)) continue;
        const style = getComputedStyle(el);
        const svg = el instanceof SVGElement;
        const fore = rgba(svg ? style.fill : style.color);
        const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
        const least = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
        const r = ratio(fore, ground(el));
        if (r < least) low.push(name(el) + ' ' + r.toFixed(2));
    }
    for (const el of document.querySelectorAll('svg.chart .series path, .legend .key line')) {
        if (!shown(el)) continue;
        const r = ratio(rgba(getComputedStyle(el).stroke), ground(el));
        if (r < 3) low.push('curve ' + el.getAttribute('stroke') + ' ' + r.toFixed(2));
    }
    return low;
}"""
)

PAGE_GROUND = "() => {" + COLOURS + " return lum(ground(document.body)); }"
FIGURE_GROUNDS = (
    "() => {"
    + COLOURS
    + " return [...document.querySelectorAll('figure.fig img')].map(i => lum(ground(i))); }"
)
FORCED_GROUNDS = (
    "() => {"
    + COLOURS
    + """ return [...document.querySelectorAll('figure.chart, figure.fig, .legend')]
        .filter(shown).map(f => ground(f).join()); }"""
)
FOCUS = (
    "() => {"
    + COLOURS
    + """ const el = document.activeElement, s = getComputedStyle(el);
    return [el.tagName, s.outlineStyle, parseFloat(s.outlineWidth), ratio(rgba(s.outlineColor), ground(el))]; }"""
)


def white_png(width: int, height: int) -> bytes:
    """A whole white PNG of that size (a figure's stand-in, large enough to show a ring)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A small runs folder by hand (fast): a run with a figure, a FAILED run, a DIVERGED one."""
    root = tmp_path_factory.mktemp("schemes") / "runs"
    done = make_run(root, "with-a-figure", epochs=4)
    done.file("curves.png").write_bytes(white_png(300, 150))
    failed = make_run(root, "stopped", epochs=2, status="FAILED")
    write_meta(failed, error="ValueError: the loss is not finite")
    make_run(root, "blew-up", epochs=3, status="INTERRUPTED")
    return build_report((), root, tmp_path_factory.mktemp("schemes") / "report")


@pytest.fixture
def open_in(browser):
    """open_in(path, scheme, width=1400, script=True, forced=False): a tab showing the page
    (``forced``: in forced colours, a high-contrast theme's); no script error."""
    contexts, errors = [], []

    def open_(path, scheme, width=1400, script=True, forced=False):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            color_scheme=scheme,
            java_script_enabled=script,
            forced_colors="active" if forced else "none",
        )
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(url(path))
        return tab

    yield open_
    for context in contexts:
        context.close()
    assert errors == []


def pages(site):
    return [site.index, *sorted(p for p in site.out.glob("*/index.html"))]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_page_follows_the_systems_scheme_and_its_text_is_readable_on_it(site, open_in, scheme):
    """The pages had one light scheme: a dark system got a white page. Now the ground is the
    scheme's, and every text (a badge's, a note's, an error's, a chart's ticks) reads 4.5:1
    on it, each curve 3:1."""
    for path in pages(site):
        tab = open_in(path, scheme)
        ground = tab.evaluate(PAGE_GROUND)
        assert (ground < 0.05) if scheme == "dark" else (ground > 0.95), (path, ground)
        assert tab.evaluate(LOW_CONTRAST) == [], (path, scheme)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_figure_and_a_chart_keep_a_light_ground_in_either_scheme(site, open_in, scheme):
    """A figure is drawn on white (nnlab.palette) and a chart's curves are 3:1 on white only
    (the objective is black): on a dark page each stands on a light frame of its own."""
    run = next(p for p in site.out.glob("*with-a-figure*/index.html"))
    tab = open_in(run, scheme)
    grounds = tab.evaluate(FIGURE_GROUNDS)
    assert grounds and all(g > 0.9 for g in grounds), grounds
    charts = tab.evaluate(
        "() => [...document.querySelectorAll('figure.chart')].map(f => getComputedStyle(f).backgroundColor)"
    )
    if scheme == "dark":
        assert charts and set(charts) == {"rgb(255, 255, 255)"}, charts


@pytest.mark.parametrize("scheme", SCHEMES)
def test_in_forced_colours_a_chart_keeps_its_white_ground_and_its_text(site, open_in, scheme):
    """A high-contrast theme (forced colours) painted a chart's ground in the theme's, black
    in a dark one, and left what the chart draws for white as it was: its title (#1d2433)
    1.2:1 on it, its ticks 3.2:1, a black curve and its legend's key unseen. A chart, a
    legend and a figure keep their own colours on their white ground now; the rest of the
    page takes the theme's."""
    for path in pages(site):
        tab = open_in(path, scheme, forced=True)
        assert tab.evaluate("matchMedia('(forced-colors: active)').matches")
        assert tab.evaluate(LOW_CONTRAST) == [], (path, scheme)
        grounds = tab.evaluate(FORCED_GROUNDS)
        assert set(grounds) <= {"255,255,255,1"}, (path, grounds)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_keyboards_focus_is_a_ring_seen_on_either_ground(site, open_in, scheme):
    """The focus was the browser's own ring (outline: auto, 1 px, computed near black,
    rgb(16, 16, 16): 1.1:1 on the dark page's ground): now a 2 px ring in the link colour,
    3:1 or more on either ground."""
    tab = open_in(site.index, scheme)
    for _ in range(3):  # (the filter box, then the sort buttons)
        tab.keyboard.press("Tab")
        tag, style, width, contrast = tab.evaluate(FOCUS)
        assert style != "none" and width >= 2 and contrast >= 3, (tag, style, width, contrast)


def test_the_keyboard_ticks_compares_and_clears_and_keeps_its_place(site, open_in):
    """Space ticks two runs, the compare view draws them; its clear button, pressed with Enter,
    went with the ticks and left the focus nowhere: the next Tab began at the page's top."""
    tab = open_in(site.index, "light")
    for box in tab.locator("input.pick").all()[:2]:
        box.focus()
        tab.keyboard.press("Space")
    tab.wait_for_selector("section.compare svg.chart g.series")
    assert tab.locator("section.compare g.series").count() == 2
    tab.locator(".compare-clear").focus()
    tab.keyboard.press("Enter")
    tab.wait_for_selector("section.compare .hint", state="visible")
    assert tab.locator("input.pick:checked").count() == 0
    focused = tab.evaluate(
        "() => { const e = document.activeElement; return [e.tagName, e.textContent,"
        " e.closest('section.compare') !== null, e.getClientRects().length > 0]; }"
    )
    assert focused == ["H2", "Compare", True, True], focused


def rgb(png: bytes) -> np.ndarray:
    """A screenshot's pixels, (height, width, 3) in 0..255 (matplotlib reads the PNG)."""
    import io

    from matplotlib.image import imread

    return np.rint(imread(io.BytesIO(png), format="png")[:, :, :3] * 255).astype(int)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_figures_link_shows_its_focus_ring(site, open_in, scheme):
    """The ring, drawn around the figure's link, was cut away whole by the frame that scrolls
    a wide figure sideways: Tab reached the link and nothing showed it."""
    tab = open_in(next(site.out.glob("*with-a-figure*/index.html")), scheme)
    for _ in range(20):
        tab.keyboard.press("Tab")
        if tab.evaluate("() => !!document.activeElement.closest('figure.fig')"):
            break
    x, y, w, h = tab.evaluate(
        "() => { const r = document.activeElement.getBoundingClientRect();"
        " return [r.x, r.y, r.width, r.height]; }"
    )
    shot = tab.screenshot(clip={"x": x, "y": y, "width": w, "height": h})
    ring = np.array([0x25, 0x63, 0xEB])  # (--accent of the light scheme a figure keeps)
    pixels = rgb(shot).reshape(-1, 3)
    near = int((np.abs(pixels - ring).sum(axis=1) < 60).sum())
    assert near >= w + h, (near, w, h)


RINGS = np.array([[0x25, 0x63, 0xEB], [0x7F, 0xB0, 0xFF]])  # (--accent, light and dark)


def ringed(tab) -> list[str]:
    """The sides of the focused element (top, bottom, left, right) along which a line 4 px in
    to 5 px out is mostly the ring's colour: a line of text in the link colour is not (its
    glyphs have gaps), a ring is. (A link wrapped over lines is ringed line by line: its top
    and left are its first line's, its bottom and right its last's.)"""
    rects = tab.evaluate(
        "() => [...document.activeElement.getClientRects()].map(r =>"
        " [r.x + scrollX, r.y + scrollY, r.width, r.height])"
    )
    first, last = _sides(tab, rects[0]), _sides(tab, rects[-1])
    return [s for s in ("top", "left") if s in first] + [
        s for s in ("bottom", "right") if s in last
    ]


def _sides(tab, rect: list[float]) -> list[str]:
    x, y, w, h = rect
    pad = 6
    clip = {"x": max(0, x - pad), "y": max(0, y - pad), "width": w + 2 * pad, "height": h + 2 * pad}
    pixels = rgb(tab.screenshot(full_page=True, clip=clip))
    ring = (np.abs(pixels[:, :, None, :] - RINGS[None, None]).sum(axis=3) < 60).any(axis=2)
    ox, oy = int(round(x - clip["x"])), int(round(y - clip["y"]))
    iw, ih = int(w), int(h)
    sides = {
        "top": [ring[oy + d, ox : ox + iw].mean() for d in range(-5, 5)],
        "bottom": [ring[oy + ih + d, ox : ox + iw].mean() for d in range(-5, 5)],
        "left": [ring[oy : oy + ih, ox + d].mean() for d in range(-5, 5)],
        "right": [ring[oy : oy + ih, ox + iw + d].mean() for d in range(-5, 5)],
    }
    return [side for side, lines in sides.items() if max(lines) >= 0.6]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_stop_of_the_keyboard_shows_a_ring_on_every_side(
    every_kind, tmp_path, open_in, scheme
):
    """Tab through the index (and its cards, at a phone's width) and a sweep's page (filter,
    sort buttons, tick boxes, links, notes, figures, blocks of text): each focused element has the ring on all four sides, none cut
    by the frame it scrolls in (a figure's was cut away whole)."""
    site = build_report((), every_kind, tmp_path / "report")
    sweep = next(site.out.glob("*sweep-weight-scale*/index.html"))
    for path, width in ((site.index, 1400), (sweep, 1400), (site.index, 390)):
        tab, stops = open_in(path, scheme, width), 30
        unringed = []
        for _ in range(stops):
            tab.keyboard.press("Tab")
            what = tab.evaluate(
                "() => { const e = document.activeElement;"
                " return e.tagName + ' ' + e.textContent.trim().slice(0, 30); }"
            )
            if what.startswith("BODY"):
                break
            if len(sides := ringed(tab)) < 4:
                unringed.append((what, sides))
        assert unringed == [], (path.relative_to(site.out), scheme, width)


def test_on_paper_a_dark_system_prints_dark_text(site, open_in):
    """Printed from a dark system, the text would be light on white paper (its ground is not
    printed): the dark scheme is the screen's."""
    tab = open_in(site.index, "dark")
    tab.emulate_media(media="print")
    assert tab.evaluate(PAGE_GROUND) > 0.95
    assert tab.evaluate(LOW_CONTRAST) == []


def test_with_javascript_off_no_control_shows_that_does_nothing(site, open_in):
    """The filter box, the kind list (empty: its kinds are filled in by the script), the tick
    boxes and the compare view showed, and did nothing; the table reads, and a note says why
    the rest is not there."""
    tab = open_in(site.index, "light", script=False)
    for selector in (".controls", "section.compare", "input.pick"):
        assert tab.locator(selector).first.is_hidden(), selector
    assert tab.locator("noscript p", has_text="JavaScript is off").is_visible()
    assert tab.locator("#runs tbody tr").count() == 3
    assert tab.locator("#runs a", has_text="with-a-figure").is_visible()
    on = open_in(site.index, "light")
    assert on.locator(".controls").is_visible() and on.locator("input.pick").first.is_visible()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_of_every_kind_is_readable_in_either_scheme(
    every_kind, tmp_path, open_in, scheme
):
    """Every page of a runs folder of every kind (a sweep's trials and legend, a tune's rounds,
    an lr-scan's and compare-optimizers' tables) at a laptop's width, the index's cards at a
    phone's too."""
    site = build_report((), every_kind, tmp_path / "report")
    everything = [site.index, *sorted(site.out.rglob("*/index.html"))]
    for path, width in [(site.index, 390)] + [(p, 1400) for p in everything]:
        tab = open_in(path, scheme, width)
        assert tab.evaluate(LOW_CONTRAST) == [], (path.relative_to(site.out), width)
