"""The report in a real browser: headless Chromium from the distribution (``apt-get install
chromium``) driven by Playwright, pages opened from ``file://``: the index's table, sorting by a
header, filtering, the compare view's overlaid curves, a run page's SVG hover titles, and a
screenshot. Skips with the reason when Playwright or a Chromium cannot be found; set
``NNLAB_CHROMIUM`` to use another executable, ``NNLAB_SCREENSHOTS`` to keep the screenshots.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from nnlab.report import build_report

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
CHROMIUM = os.environ.get("NNLAB_CHROMIUM") or next(
    filter(None, map(shutil.which, CANDIDATES)), None
)
if not CHROMIUM:
    pytest.skip("no Chromium on this machine (apt-get install chromium)", allow_module_level=True)
TRAIN = re.compile(r"^\d{8}-\d{6}-digits-quickstart-")
# no first-run, sync, component or background traffic: the browser itself stays off the network
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(every_kind: Path, tmp_path_factory: pytest.TempPathFactory):
    return build_report((), every_kind, tmp_path_factory.mktemp("browser") / "report")


@pytest.fixture
def page(browser):
    """A fresh page that records every request and every script error; at the end, none may
    have left the file system and none may have happened."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
    assert errors == []
    assert requests and all(url.startswith("file://") for url in requests), requests


def first_train(folder: Path) -> Path:
    return next(p for p in sorted(folder.iterdir()) if TRAIN.match(p.name))


def url(path: Path, fragment: str = "") -> str:
    return path.resolve().as_uri() + fragment


def column_values(tab, header: str) -> list[float | None]:
    """The numbers (data-v) in the visible rows of the index column headed ``header``."""
    return tab.evaluate(
        """(header) => {
            const ths = [...document.querySelectorAll('#runs thead th')];
            const i = ths.findIndex(th => th.textContent.trim() === header);
            return [...document.querySelectorAll('#runs tbody tr')].filter(r => !r.hidden)
                .map(r => r.cells[i].dataset.v === undefined ? null : Number(r.cells[i].dataset.v));
        }""",
        header,
    )


def test_index_lists_every_folder(page, site):
    page.goto(url(site.index))
    rows = page.locator("#runs tbody tr")
    assert rows.count() == site.rows == 10
    assert page.locator(".shown").inner_text() == "10 of 10 shown"
    kinds = set(page.eval_on_selector_all("#runs tbody tr", "rs => rs.map(r => r.dataset.kind)"))
    assert {"train", "sweep", "tune", "lr-scan", "landscape"} <= kinds


def index_widths(page) -> dict[str, int]:
    """The index table's width and its scroll box's, the page's and the window's."""
    return page.evaluate(
        """() => ({table: document.querySelector('#runs').scrollWidth,
                   box: document.querySelector('#runs').parentElement.clientWidth,
                   page: document.documentElement.scrollWidth,
                   window: document.documentElement.clientWidth})"""
    )


@pytest.mark.parametrize("width", [1400, 1280])
def test_index_fits_the_window(page, site, width):
    """The index was 4,684 px wide in a 1,400 px window (a column per differing config key);
    in a 1,280 px window (a laptop's) its notes, at least 300 px, pushed it 58 px past its
    box: the notes of a sweep and a tune cut off at the window's edge."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url(site.index))
    widths = index_widths(page)
    assert widths["table"] <= widths["box"] and widths["page"] <= widths["window"], widths


@pytest.mark.parametrize("width", [1400, 1280])
def test_index_fits_the_window_with_long_names_and_folders_without_an_id(
    page, every_kind, tmp_path, width
):
    """A DAMAGED folder's row was named by its whole folder name, a folder without a short id
    showed that whole name as its id, and a run's name may be 60 characters: with a
    compare-optimizers row and an INTERRUPTED badge the table was 1,536 px wide, the notes
    cut off at the window's edge. Long names and ids are cut short, whole in their titles."""
    from tests.report.helpers import copy_runs, make_run

    root = copy_runs(every_kind, tmp_path / "runs")
    long = "mnist-300-batchnorm-adam-lr0.001-weight-decay-1e-4-dropout-0.5"
    make_run(root, long, status="INTERRUPTED")
    torn = make_run(root, "torn-meta")
    torn.file("meta.json").write_text('{"run_id": "x", "sta')
    (root / "20261206-050701-a-folder-someone-made-by-hand").mkdir()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url(build_report((), root, tmp_path / "report").index))
    widths = index_widths(page)
    assert widths["table"] <= widths["box"] and widths["page"] <= widths["window"], widths
    assert page.locator(f'#runs a[title="{long}"]').count() == 1
    assert page.locator("#runs a", has_text="torn-meta").count() == 1  # (not its whole folder)


def test_a_diverged_runs_dash_sorts_after_every_value_either_way(page, every_kind, tmp_path):
    """Sorted descending by final test acc, a DIVERGED run's "-" (no final value) came first,
    above the best accuracy: "-" sorts last both ways, before the rows with no such metric."""
    from tests.report.helpers import copy_runs, make_run
    from tests.report.test_diverged import diverge

    root = copy_runs(every_kind, tmp_path / "runs")
    diverge(make_run(root, "blew-up", epochs=4), 3)
    page.goto(url(build_report((), root, tmp_path / "report").index))
    header = page.locator("#runs thead th", has_text="final test acc")
    for _ in range(2):  # ascending, then descending
        header.click()
        i = page.evaluate(
            """() => [...document.querySelectorAll('#runs thead th')]
                .findIndex(th => th.textContent.trim() === 'final test acc')"""
        )
        texts = page.evaluate(
            "(i) => [...document.querySelectorAll('#runs tbody tr')].map(r => r.cells[i].textContent)",
            i,
        )
        filled = [t for t in texts if t]
        assert filled[-1] == "-" and "-" not in filled[:-1], texts
        assert texts[: len(filled)] == filled  # (the blank cells after it)


def test_index_rows_are_one_line_and_a_rows_details_open_under_its_notes(page, site):
    """A sweep's notes, squeezed into a narrow column, made its row four or five lines tall."""
    page.goto(url(site.index))
    heights = page.eval_on_selector_all(
        "#runs tbody tr", "rs => rs.map(r => r.getBoundingClientRect().height)"
    )
    assert max(heights) <= 1.2 * min(heights), heights
    sweep = page.locator("#runs tr[data-kind=sweep]").first
    notes = sweep.locator("td.notes")
    assert notes.evaluate("td => td.getBoundingClientRect().width") >= 300
    assert "trials" in notes.locator("summary").get_attribute("title")
    assert not notes.locator("dl").is_visible()
    notes.locator("summary").click()
    assert notes.locator("dl").is_visible() and "final train loss" in notes.inner_text()


def test_clicking_a_header_sorts_the_table(page, site):
    page.goto(url(site.index))
    header = page.locator("#runs thead th", has_text="final test acc")
    header.click()
    values = column_values(page, "final test acc")
    numbers = [v for v in values if v is not None]
    assert len(numbers) >= 3 and numbers == sorted(numbers)
    assert values[: len(numbers)] == numbers  # rows without a value go last
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    numbers = [v for v in column_values(page, "final test acc") if v is not None]
    assert numbers == sorted(numbers, reverse=True)


def test_filtering_by_text_and_kind(page, site):
    page.goto(url(site.index))
    page.fill(".controls .filter", "sweep")
    visible = page.locator("#runs tbody tr:visible")
    assert visible.count() == 2
    assert page.locator(".shown").inner_text() == "2 of 10 shown"
    page.fill(".controls .filter", "")
    page.select_option(".controls .filter-kind", "train")
    assert page.locator("#runs tbody tr:visible").count() == 2


def test_the_filter_a_page_is_left_with_still_applies_back_on_it(page, site):
    # (back from a run's page the box said 'sweep' over all 10 rows: the browser restores the
    # box's words after report.js has filtered, and no input event says so)
    page.goto(url(site.index))
    page.fill(".controls .filter", "sweep")
    page.locator("#runs tbody tr:visible td.name a").first.click()
    page.wait_for_load_state("load")
    page.go_back()
    page.wait_for_load_state("load")
    assert page.locator(".controls .filter").input_value() == "sweep"
    assert page.locator("#runs tbody tr:visible").count() == 2
    assert page.locator(".shown").inner_text() == "2 of 10 shown"


def test_the_sort_a_page_is_left_with_is_back_with_it(page, site):
    # (back from a run's page the index came sorted by when each started, as first built,
    # the sort by final test acc the reader had chosen gone)
    page.goto(url(site.index))
    page.locator("#runs th button", has_text="final test acc").click()
    order = page.eval_on_selector_all("#runs tbody tr", "rs => rs.map(r => r.dataset.rel)")
    page.locator("#runs tbody tr td.name a").first.click()
    page.wait_for_load_state("load")
    page.go_back()
    page.wait_for_load_state("load")
    assert page.eval_on_selector_all("#runs tbody tr", "rs => rs.map(r => r.dataset.rel)") == order
    header = page.locator("#runs th[aria-sort]")
    assert header.get_attribute("data-col") == "final test acc"
    assert header.get_attribute("aria-sort") == "ascending"


def test_ticking_two_runs_overlays_their_curves(page, site):
    page.goto(url(site.index))
    boxes = page.locator("#runs tr[data-kind=train] input.pick")
    assert boxes.count() == 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    chart = page.locator("section.compare svg.chart")
    sync_api.expect(chart.locator("g.series")).to_have_count(2)  # (its curves load, then draw)
    for d in chart.locator("g.series > path").evaluate_all(
        "ps => ps.map(p => p.getAttribute('d'))"
    ):
        assert d.startswith("M") and "L" in d
    assert page.locator(".compare-legend .key").count() == 2
    page.select_option(".compare-metric", "train_loss")
    assert chart.locator("g.series").count() == 2
    assert "train loss" in chart.locator("text.title").text_content()
    sync_api.expect(page).to_have_url(re.compile("#compare="))  # (a moment after the ticks)
    page.goto(page.url)  # the ticked runs come back from the address
    page.reload()
    sync_api.expect(page.locator("section.compare svg.chart g.series")).to_have_count(2)


def test_run_page_curves_show_epoch_and_value_on_hover(page, site, every_kind):
    run = first_train(every_kind)
    page.goto(url(site.out / run.name / "index.html"))
    assert page.locator("svg.chart").count() == 2
    point = page.locator("svg.chart").nth(1).locator("circle.pt").last
    assert point.locator("title").text_content().startswith("test acc, epoch 3: 0.")
    point.hover()
    assert point.evaluate("c => getComputedStyle(c).opacity") == "1"
    assert page.locator("img[src='curves.png']").evaluate("i => i.naturalWidth") > 100


def test_a_figure_is_shown_at_its_own_size_where_it_fits(page, site, every_kind):
    """curves.png (1,100 px) was shrunk to 760 px in a 1,400 px window, its legends' text to 8
    px; it is drawn 1:1 where it fits, and shrinks only to fit a narrower window (down to
    the width its text is legible at, in a frame that scrolls sideways: test_responsive)."""
    page.goto(url(site.out / first_train(every_kind).name / "index.html"))
    image = page.locator("img[src='curves.png']")
    natural, shown = image.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
    assert natural > 760 and abs(shown - natural) <= 2, (natural, shown)
    page.set_viewport_size({"width": 400, "height": 900})
    assert image.evaluate("i => i.closest('.scroll').getBoundingClientRect().right") <= 400
    assert page.evaluate("document.documentElement.scrollWidth") <= 400


def test_sweep_page_overlays_trials_and_compares_two(page, site, every_kind):
    sweep = next(p for p in sorted(every_kind.iterdir()) if "sweep-weight-scale" in p.name)
    page.goto(url(site.out / sweep.name / "index.html"))
    assert page.locator("svg.chart").first.locator("g.series").count() == 6
    boxes = page.locator("#trials input.pick")
    boxes.nth(0).check()
    boxes.nth(2).check()
    sync_api.expect(page.locator("section.compare svg.chart g.series")).to_have_count(2)


def test_the_compare_view_draws_its_sixth_run_dashed_in_the_palettes_colours(
    page, site, every_kind
):
    """The compare view's runs take nnlab.palette's colours (written into report.js by the
    build) in turn; the sixth has the first's colour, dashed, in its line and its legend key."""
    from nnlab.palette import SERIES

    sweep = next(p for p in sorted(every_kind.iterdir()) if "sweep-weight-scale" in p.name)
    page.goto(url(site.out / sweep.name / "index.html"))
    boxes = page.locator("#trials input.pick")
    assert boxes.count() == 6
    for i in range(6):
        boxes.nth(i).check()
    sync_api.expect(page.locator("section.compare svg.chart g.series")).to_have_count(6)
    looks = page.locator("section.compare svg.chart g.series > svg > path").evaluate_all(
        "ps => ps.map(p => [p.getAttribute('stroke'), p.getAttribute('stroke-dasharray')])"
    )
    assert looks == [[c, None] for c in SERIES] + [[SERIES[0], "6 3"]]
    keys = page.locator(".compare-legend .key line").evaluate_all(
        "ls => ls.map(l => [l.getAttribute('stroke'), l.getAttribute('stroke-dasharray')])"
    )
    assert keys == looks
    # (its log axis of a loss to 1e+20 read 1, 10, ..., 10000, 100000, 1e+21-style past it, a
    # tick per decade 13 px apart: as the page's charts, powers of ten, every other past eight)
    page.select_option(".compare-metric", "train_loss")
    ticks = page.locator("section.compare svg.chart text.tick[text-anchor=end]").all_text_contents()
    powers = [re.fullmatch(r"1e[+-]\d\d", t) is not None for t in ticks]
    assert ticks and (all(powers) or not any(powers)) and len(ticks) <= 11, ticks
    assert max(map(len, ticks)) <= 6, ticks  # (JS wrote 1e20 as 100000000000000000000)


def test_screenshot_of_the_index_with_a_run_ticked(page, site, tmp_path):
    rel = first_train(site.out).name
    page.goto(url(site.index, f"#compare={rel}"))  # the address ticks the run, as a shared link
    sync_api.expect(page.locator("section.compare svg.chart g.series")).to_have_count(1)
    keep = os.environ.get("NNLAB_SCREENSHOTS")
    shot = (Path(keep) if keep else tmp_path) / "report-index.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 400])
def test_every_page_loads_its_images_and_links_and_fits_the_window(browser, site, width):
    """Each page of the report, in a desktop and a phone-sized window: no script error, every
    image drawn, every link and source a file of the report, nothing wider than the window
    but inside a table's scroll box."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pages = sorted(site.out.rglob("*.html"))
    assert len(pages) > 10
    checked = 0
    for path in pages:
        tab.goto(url(path))
        seen = tab.evaluate(
            """() => ({
                width: document.documentElement.scrollWidth,
                broken: [...document.images].filter(i => !i.naturalWidth).map(i => i.src),
                refs: [...document.querySelectorAll('[href], [src]')]
                    .map(e => e.href || e.src).filter(u => !u.startsWith('data:')),
            })"""
        )
        assert seen["width"] <= width and seen["broken"] == [], (path, seen)
        for ref in seen["refs"]:
            assert ref.startswith("file://"), (path, ref)
            target = Path(unquote(urlsplit(ref).path))
            assert target.is_file(), (path.relative_to(site.out), ref)
            checked += 1
    context.close()
    assert checked > 3 * len(pages)  # (each page links the index, its styles and script)
    assert errors == []


def test_the_curves_load_at_the_first_tick_and_ticks_of_one_task_draw_once(page, site, every_kind):
    # (the index loaded every run's curves, data.js, on every visit, compare view used or not;
    # and a script ticking a sweep's 150 trials drew 150 charts of up to 150 runs, ~2 s)
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url.rsplit("/", 1)[-1]))
    sweep = next(p for p in sorted(every_kind.iterdir()) if "sweep-weight-scale" in p.name)
    page.goto(url(site.out / sweep.name / "index.html"))
    assert "data.js" not in loaded and page.evaluate("window.NNLAB_DATA") is None
    draws = page.evaluate(
        """() => new Promise(done => {
            let draws = 0;
            new MutationObserver(() => draws++).observe(
                document.querySelector('.compare-chart'), {childList: true});
            document.querySelectorAll('#trials input.pick').forEach(box => box.click());
            const wait = () => document.querySelector('section.compare svg.chart')
                ? setTimeout(() => done(draws), 50) : setTimeout(wait, 5);
            wait();
        })"""
    )
    assert draws == 1 and loaded.count("data.js") == 1
    sync_api.expect(page.locator("section.compare svg.chart g.series")).to_have_count(6)


def test_a_filtered_trials_table_names_the_best_of_the_trials_it_keeps(page, site, every_kind):
    # (the note 'best' stayed on the sweep's best trial when the filter hid it, and the rows
    # it kept named none: as `runs list --where`, the best shown is the best of what is kept)
    sweep = next(p for p in sorted(every_kind.iterdir()) if "sweep-weight-scale" in p.name)
    page.goto(url(site.out / sweep.name / "index.html"))

    def marked() -> list[str]:
        return page.evaluate(
            """() => [...document.querySelectorAll('#trials tbody tr')]
                .filter(r => !r.hidden && r.querySelector('td.notes').textContent
                    .split(' · ').includes('best'))
                .map(r => r.dataset.best)"""
        )

    assert marked() == ["0"]  # (unfiltered: the sweep's best, as its page's 'best trial:')
    places = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#trials tbody tr')]
            .filter(r => r.dataset.best !== undefined)
            .map(r => [r.dataset.best, r.querySelector('td.name').textContent]))"""
    )
    assert len(places) >= 3
    page.fill('.controls[data-table="trials"] .filter', places["2"])  # (one trial: the third best)
    assert marked() == ["2"]
    page.fill('.controls[data-table="trials"] .filter', "")
    assert marked() == ["0"]
