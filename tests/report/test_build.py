"""build_report on real folders of every kind: an index row and a page for each, with the curves,
figures, summaries and commands each kind has; nothing that names a network address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnlab.errors import RunError
from nnlab.report import build_report, refresh
from nnlab.report.collect import MARKER
from tests.report.conftest import KINDS
from tests.report.helpers import EXTERNAL_URL, copy_runs, data_js, files, index_rows, page


@pytest.fixture(scope="module")
def report(every_kind: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("report") / "report"
    return build_report((), every_kind, out)


def folder(runs_dir: Path, part: str) -> Path:
    return next(p for p in sorted(runs_dir.iterdir()) if part in p.name)


def test_index_has_a_row_of_every_kind_and_each_row_a_page(report, every_kind):
    html = report.index.read_text()
    rows = index_rows(html)
    assert report.rows == len(rows) == len(list(every_kind.iterdir()))
    kinds = set(re.findall(r'data-kind="([^"]+)"', "".join(rows)))
    # gradcheck --compare-differences writes no meta.json yet (an "other" folder); once runs
    # records every kind it is "gradcheck"
    assert {"other" if k == "gradcheck" else k for k in kinds} == KINDS
    for link in re.findall(r'<a href="([^"]+/index.html)"', "".join(rows)):
        assert (report.out / link).is_file(), link
    assert report.damaged == ()


def test_index_shows_the_config_keys_that_differ_and_final_metrics(report):
    html = report.index.read_text()
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "optimizer.lr" in head  # the two training runs differ in it
    assert "epochs<" in head and "dataset" in head  # and share the rest, no column for that
    assert "final test acc" in head and "best test acc" in head
    assert "duration" in head and "date" in head


def test_run_page_draws_loss_and_accuracy_with_hover_titles(report, every_kind):
    html = page(report.out, folder(every_kind, "digits-quickstart"))
    assert html.count('<svg class="chart"') == 2  # loss, accuracy; lr is constant: no chart
    assert re.search(r"<title>test acc, epoch 3: 0\.\d+</title>", html)
    assert "nnlab train " in html and "config.yaml" in html  # the command that reproduces it
    assert "optimizer:" in html  # the resolved config
    assert '<img src="curves.png"' in html


def test_run_page_draws_the_learning_rate_when_it_changes(tmp_path):
    from tests.report.helpers import make_run

    make_run(tmp_path / "runs", "decaying", epochs=4, decay=0.5)
    make_run(tmp_path / "runs", "constant", epochs=4)
    result = build_report((), tmp_path / "runs")
    decaying = next(result.out.glob("*decaying*/index.html"))
    constant = next(result.out.glob("*constant*/index.html"))
    assert "learning rate" in decaying.read_text() and "lr, epoch 2: 0.025" in decaying.read_text()
    assert "learning rate" not in constant.read_text()


def test_sweep_page_overlays_every_trial_with_a_colour_scale(report, every_kind):
    sweep = folder(every_kind, "sweep-weight-scale")
    html = page(report.out, sweep)
    trials = len(list((sweep / "trials").iterdir()))
    first_chart = html.split('<svg class="chart"', 2)[1]
    assert first_chart.count('<g class="series"') == trials == 6
    assert "model.init_std (log)" in html  # the colour scale's key
    assert "model.batchnorm=false" in html  # the dash legend
    # the preset evaluates test after the last epoch only: a column, not a chart of lone points
    assert 'aria-label="train acc"' in html and 'aria-label="test acc"' not in html
    assert "final test acc" in html
    assert html.count('<tr data-kind="trial"') == trials
    assert '<img src="weight-scale.png"' in html and '<img src="weight-scale-summary.png"' in html
    for trial in (sweep / "trials").iterdir():
        assert (report.out / sweep.name / "trials" / trial.name / "index.html").is_file()
    data = data_js(report.out / sweep.name / "data.js")
    assert len(data["curves"]) == trials


def test_tune_page_shows_the_trials_of_every_round_and_its_summary(report, every_kind):
    tune = folder(every_kind, "tune-")
    html = page(report.out, tune)
    assert html.count('<tr data-kind="trial"') == 3
    assert "<h3>top</h3>" in html and "<h3>ranges</h3>" in html
    assert '<img src="tune-curves.png"' in html


@pytest.mark.parametrize(
    ("part", "shown"),
    [
        ("lr-scan", ['<img src="lr-scan.png"', "<h3>rows</h3>", "step_loss"]),
        ("activations", ['<img src="activations.png"', "saturation"]),
        (
            "landscape",
            ['<img src="landscape-2d.png"', '<img src="landscape-1d.png"', "centre_loss"],
        ),
        ("compare-optimizers", ['<img src="paths.png"', "result.json", "hyperparameters"]),
        ("gradcheck-differences", ['<img src="differences.png"', "differences.json", "centred"]),
    ],
)
def test_other_kinds_get_a_page_with_their_figures_and_summary(report, every_kind, part, shown):
    html = page(report.out, folder(every_kind, part))
    for text in shown:
        assert text in html, text


def test_no_generated_file_names_a_network_address(report):
    assert files(report.out)
    for path in files(report.out):
        assert not EXTERNAL_URL.search(path.read_bytes()), path


def test_a_url_in_a_runs_own_text_is_not_written_as_one(tmp_path):
    from tests.report.helpers import make_run

    make_run(tmp_path / "runs", "fetched", data_source="downloaded from https://example.org/mnist/")
    result = build_report((), tmp_path / "runs")
    for path in files(result.out):
        assert not EXTERNAL_URL.search(path.read_bytes()), path
    assert "example.org" in page(result.out, next((tmp_path / "runs").glob("*fetched*")))


def test_each_figure_is_in_the_report_once_and_no_page_embeds_one(report, every_kind):
    sources = [p for p in every_kind.rglob("*.png") if "report" not in p.parts]
    copies = [p for p in files(report.out) if p.suffix == ".png"]
    assert len(copies) == len(sources) == report.figures
    for path in files(report.out):
        if path.suffix in (".html", ".js"):
            assert b"data:image" not in path.read_bytes()
            assert path.stat().st_size < 400_000, path


def test_figure_copies_lose_only_their_text_chunks(report, every_kind):
    src = folder(every_kind, "digits-quickstart") / "curves.png"
    copy = report.out / src.parent.name / "curves.png"
    assert b"tEXt" in src.read_bytes() and b"tEXt" not in copy.read_bytes()
    assert b"IDAT" in copy.read_bytes() and copy.read_bytes().startswith(b"\x89PNG")


def test_rebuild_keeps_unchanged_figures_and_drops_deleted_runs(every_kind, tmp_path):
    runs_dir = copy_runs(every_kind, tmp_path / "runs")
    first = build_report((), runs_dir)
    assert first.out == runs_dir / "report" and (first.out / MARKER).exists()
    figure = next(first.out.glob("*quickstart*/curves.png"))
    before = figure.stat().st_ino, figure.stat().st_mtime_ns
    gone = folder(runs_dir, "lr-scan")
    import shutil

    shutil.rmtree(gone)
    second = build_report((), runs_dir)
    assert second.rows == first.rows - 1  # the report folder itself is not a row
    assert not (second.out / gone.name).exists()
    assert (figure.stat().st_ino, figure.stat().st_mtime_ns) == before


def test_refs_choose_the_folders(every_kind, tmp_path):
    train = folder(every_kind, "digits-quickstart")
    result = build_report(
        [train.name[:-2], str(folder(every_kind, "gradcheck"))], every_kind, tmp_path / "r"
    )
    assert result.rows == 2
    with pytest.raises(RunError, match="no run folder"):
        build_report(["no-such-run"], every_kind, tmp_path / "r")


def test_an_out_folder_that_is_not_a_report_is_left_alone(every_kind, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(RunError, match="not an nnlab report"):
        build_report((), every_kind, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_refresh_builds_runs_report_and_returns_its_index(tmp_path):
    from tests.report.helpers import make_run

    make_run(tmp_path / "runs", "one")
    index = refresh(tmp_path / "runs")
    assert index == tmp_path / "runs" / "report" / "index.html" and index.is_file()
    assert len(index_rows(index.read_text())) == 1


def test_an_empty_runs_folder_makes_an_empty_index(tmp_path):
    result = build_report((), tmp_path / "nothing-yet")
    assert result.rows == 0 and "No run folders" in result.index.read_text()
