"""build_report on real folders of every kind: an index row and a page for each, with the curves,
figures, summaries and commands each kind has; nothing that names a network address."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from nnlab.errors import OptionError, RunError
from nnlab.output import config_number
from nnlab.palette import SERIES
from nnlab.report import build_report, refresh
from nnlab.report.collect import MARKER
from tests.report.conftest import KINDS
from tests.report.helpers import EXTERNAL_URL, copy_runs, data_js, files, index_rows, make_run, page


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


def head_labels(html: str, table_id: str = "runs") -> list[str]:
    head = html.split(f'<table id="{table_id}"', 1)[1].split("</thead>", 1)[0]
    return re.findall(
        r'<th scope="col" data-col="[^"]+"[^>]*>([^<]*)</th>', head
    )  # (not the ticks')


def test_index_has_the_essential_columns_and_the_rest_under_each_rows_notes(report, every_kind):
    html = report.index.read_text()
    assert head_labels(html) == [
        "run",
        "kind",
        "status",
        "name",
        "epochs done",
        "final train acc",
        "final val acc",
        "final test acc",
        "started",
        "notes",
    ]
    train = folder(every_kind, "digits-quickstart")
    row = next(r for r in index_rows(html) if train.name in r)
    assert f'title="{train.name}"><span>{train.name[-6:]}</span></td>' in row  # the short id
    more = row.split("<details>", 1)[1]
    for shown in ("folder", train.name, "dataset", "digits", "duration", " s</dd>"):
        assert shown in more, shown
    assert "<dt>best test acc</dt>" in more and "<dt>final train loss</dt>" in more
    assert "<dt>optimizer.lr</dt>" in more  # the two training runs differ in it
    assert "optimizer.lr" in html.split('<table id="runs"', 1)[0]  # and the intro says so
    sweep = next(r for r in index_rows(html) if "sweep-weight-scale" in r)
    assert "<summary" in sweep and "6 trials" in sweep and "<dt>final train loss</dt>" in sweep


def test_index_stays_narrow_however_many_config_keys_differ(tmp_path):
    """Each differing key was a column: a few runs from different configs made the index
    thousands of pixels wide. The keys' values are under each row's notes instead."""
    from tests.report.helpers import make_run

    keys = ("weight_decay", "batch_size", "model.dropout", "model.init", "dataset.n_train")
    for i in range(3):
        run = make_run(tmp_path / "runs", f"run{i}", epochs=2 + i, lr=0.1 / (i + 1))
        text = run.file("config.yaml").read_text()
        text = text.replace("{name: digits}", f"{{name: digits, n_train: {300 * (i + 1)}}}")
        text += f"weight_decay: {i}e-4\nbatch_size: {50 * (i + 1)}\n"
        text += f"model: {{dropout: 0.{i}, init: {('he', 'std', 'xavier')[i]}}}\n"
        run.file("config.yaml").write_text(text)
    html = build_report((), tmp_path / "runs").index.read_text()
    assert head_labels(html) == [
        "run",
        "kind",
        "status",
        "name",
        "epochs done",
        "final train acc",
        "final test acc",
        "started",
        "notes",
    ]
    for key in (*keys, "optimizer.lr", "epochs"):
        for row in index_rows(html):
            assert f"<dt>{key}</dt>" in row, (key, row)
    assert "<dt>batch_size</dt><dd>100</dd>" in "".join(index_rows(html))  # keys verbatim


def test_no_two_columns_share_a_label_when_runs_differ_in_epochs(tmp_path):
    """The config key ``epochs`` (asked for) and the epochs a run did were both headed
    "epochs", in the index and in the table of a sweep over epochs."""
    from tests.report.helpers import completed_sweep, make_run

    root = tmp_path / "runs"
    make_run(root, "short", epochs=2)
    make_run(root, "long", epochs=4)
    sweep = completed_sweep(root, "epochs", {f"t{n}": {"epochs": n} for n in (2, 4)})
    for n in (2, 4):
        make_run(root, "t", epochs=n, folder=sweep.file("trials") / f"t{n}", trial={"id": f"t{n}"})
    result = build_report((), root)
    index_labels = head_labels(result.index.read_text())
    trial_labels = head_labels(page(result.out, sweep.path), "trials")
    for labels in (index_labels, trial_labels):
        assert len(set(labels)) == len(labels), labels
        assert labels.count("epochs done") == 1
    assert trial_labels[:2] == ["trial", "epochs"]  # the swept key, as the config names it


def test_swept_config_values_read_as_the_config_spells_them(tmp_path):
    """A sweep over model.batchnorm and dataset.n_train: true/false and null, as in the sweep
    file, in the trials table, the trial labels and the index notes (not True/False/None)."""
    from tests.report.helpers import completed_sweep, make_run

    root = tmp_path / "runs"
    values = {"t1": {"model.batchnorm": True, "dataset.n_train": None},
              "t2": {"model.batchnorm": False, "dataset.n_train": 100}}  # fmt: skip
    sweep = completed_sweep(root, "bn", values)
    for t, v in values.items():
        trial = {"id": t, "seed": 0, "values": v}
        make_run(root, "t", epochs=2, folder=sweep.file("trials") / t, trial=trial)
    result = build_report((), root)
    html = page(result.out, sweep.path) + result.index.read_text()
    assert "model.batchnorm=true dataset.n_train=null" in html
    assert re.search(r"<td[^>]*>true</td><td[^>]*>null</td>", html)
    assert re.search(r"<td[^>]*>false</td>", html)
    assert not re.search(r"\b(True|False|None)\b", html)


def test_a_swept_key_a_trial_leaves_out_reads_as_not_applying(tmp_path):
    """A sweep over optimizer.name=sgd,momentum x optimizer.momentum: the sgd trial has no
    momentum (its values hold null). Its row, label and legend said ``null`` where the sweep's
    own table says ``-``; a null a trial was given (dataset.n_train) still reads null."""
    from tests.report.helpers import completed_sweep, make_run

    root = tmp_path / "runs"
    values = {"t1": {"optimizer.name": "sgd", "optimizer.momentum": None, "dataset.n_train": None},
              "t2": {"optimizer.name": "momentum", "optimizer.momentum": 0.9,
                     "dataset.n_train": 100}}  # fmt: skip
    sweep = completed_sweep(root, "optimizers", values)
    plan = json.loads(sweep.file("sweep.yaml").read_text())
    plan["spec"]["params"]["optimizer.momentum"] = [0.9]
    sweep.file("sweep.yaml").write_text(json.dumps(plan))
    for t, v in values.items():
        trial = {"id": t, "seed": 0, "values": v}
        make_run(root, "t", epochs=2, folder=sweep.file("trials") / t, trial=trial)
    html = page(build_report((), root).out, sweep.path)
    assert re.search(r"<td[^>]*>sgd</td><td[^>]*>-</td><td[^>]*>null</td>", html)
    assert re.search(r"<td[^>]*>momentum</td><td[^>]*>0\.9</td><td[^>]*>100</td>", html)
    assert "optimizer.momentum=null" not in html
    assert "t1 optimizer.name=sgd dataset.n_train=null" in html


def test_the_keys_a_trial_leaves_out_are_those_the_sweeps_tables_leave_out(tmp_path, monkeypatch):
    """collect judged them by its own copy of sweep.table_rows's rule, which could drift from
    it: the report follows the one rule, whatever it says (here, a table that drops a key)."""
    import nnlab.sweep
    from nnlab.report.collect import collect
    from tests.report.helpers import completed_sweep, make_run

    root = tmp_path / "runs"
    values = {"t1": {"optimizer.lr": 0.1, "dataset.n_train": None}}
    sweep = completed_sweep(root, "s", values)
    make_run(root, "t", folder=sweep.file("trials") / "t1",
             trial={"id": "t1", "seed": 0, "values": values["t1"]})  # fmt: skip
    (trial,) = collect((), root)[0].trials
    assert trial.not_applying == frozenset() and trial.values == values["t1"]
    table_rows = nnlab.sweep.table_rows
    dropped = lambda rows, spec: [{k: v for k, v in r.items() if k != "optimizer.lr"}  # noqa: E731
                                  for r in table_rows(rows, spec)]  # fmt: skip
    monkeypatch.setattr(nnlab.sweep, "table_rows", dropped)
    (trial,) = collect((), root)[0].trials
    assert trial.not_applying == {"optimizer.lr"} and trial.values == {"dataset.n_train": None}


def test_a_sweeps_row_is_found_by_its_trials_ids_and_values(tmp_path):
    # (the index has no row for a trial: filtering by the id the terminal named, or by a value
    # a trial had, found no row, where a training run's row is found by its values)
    from tests.report.helpers import completed_sweep, make_run

    root = tmp_path / "runs"
    values = {"3dca85e2": {"optimizer.lr": 0.1}, "f41c6673": {"optimizer.lr": 0.003}}
    sweep = completed_sweep(root, "s", values)
    for t, v in values.items():
        make_run(
            root, "t", folder=sweep.file("trials") / t, trial={"id": t, "seed": 0, "values": v}
        )
    (row,) = index_rows(build_report((), root).index.read_text())
    search = re.search(r'data-search="([^"]*)"', row).group(1).split()
    assert {"3dca85e2", "f41c6673", "optimizer.lr=0.1", "optimizer.lr=0.003"} <= set(search)


def test_a_pages_details_leave_out_what_meta_json_keeps_for_nnlabs_own_checks(tmp_path):
    # (every page showed 'pid_started 6f73c98a-fce2-4320-8da8-793aa55a1ac3:2244543', the
    # config_hash a resume compares, and the pid of a process long gone)
    from tests.report.helpers import make_run, make_running

    root = tmp_path / "runs"
    done = make_run(root, "done", pid_started="6f73c98a-fce2:2244543", config_hash="ebb051f9")
    going = make_running(root)
    out = build_report((), root, tmp_path / "report").out
    details = page(out, done.path).split("<h2>Details</h2>")[1]
    assert "pid" not in details and "6f73c98a" not in details and "ebb051f9" not in details
    assert '<th scope="row">host</th>' in details  # (the rest as before)
    assert '"pid_started": "6f73c98a-fce2:2244543"' in done.file("meta.json").read_text()
    running = page(out, going.path).split("<h2>Details</h2>")[1]
    assert '<th scope="row">pid</th>' in running  # (the process to stop, while it runs)


def test_run_page_draws_loss_and_accuracy_with_hover_titles(report, every_kind):
    html = page(report.out, folder(every_kind, "digits-quickstart"))
    assert html.count('<svg class="chart"') == 2  # loss, accuracy; lr is constant: no chart
    assert re.search(r"<title>test acc, epoch 3: 0\.\d+</title>", html)
    assert "nnlab train " in html and "config.yaml" in html  # the command that reproduces it
    run = folder(every_kind, "digits-quickstart")  # (and the one that trains it on: 3 epochs)
    assert re.search(rf"nnlab train --extend \S*{run.name} epochs=6 --runs-dir \S*<", html)
    assert "optimizer:" in html  # the resolved config
    assert '<img src="curves.png"' in html


def strokes(html: str) -> dict[str, str]:
    """The colour of each curve of a page's charts, by its label."""
    found = re.findall(
        r'<g class="series" data-label="([^"]+)"[^>]*><svg class="lines"[^>]*><path d="[^"]*" '
        r'stroke="([^"]+)"',
        html,
    )
    return dict(found)


def test_run_page_curves_have_the_colours_of_the_runs_png(report, every_kind):
    """curves.png draws train in the palette's blue, test in its vermillion, val in its green
    and the objective black; the page's SVG drew test red beside the PNG's orange."""
    from matplotlib.colors import to_hex

    from nnlab.plots.axes import split_colour

    html = page(report.out, folder(every_kind, "digits-quickstart"))  # eval: [train, test]
    colours = strokes(html)
    assert colours["train loss"] == colours["train acc"] == split_colour("train") == SERIES[0]
    assert colours["test loss"] == colours["test acc"] == split_colour("test") == SERIES[1]
    assert colours["objective"] == to_hex("black")


def test_split_colours_are_the_figures_whatever_order_the_run_evaluates_its_splits(tmp_path):
    from tests.report.helpers import make_run

    run = make_run(tmp_path / "runs", "three-splits")
    config = run.file("config.yaml")
    config.write_text(config.read_text() + "eval: [train, val]\nfinal_eval: [test]\n")
    records = run.file("metrics.jsonl").read_text().replace('"test_acc"', '"val_acc"')
    run.file("metrics.jsonl").write_text(records)
    summary = run.file("summary.json").read_text().replace("_test_acc", "_val_acc")
    run.file("summary.json").write_text(summary)  # (as the records say: derived from them)
    colours = strokes(page(build_report((), tmp_path / "runs").out, run.path))
    assert colours["train acc"] == SERIES[0] and colours["val acc"] == SERIES[2]
    assert colours["test loss"] == SERIES[1]  # (test is vermillion in every figure, as in the PNG)


def test_run_page_draws_the_learning_rate_when_it_changes(tmp_path):
    from tests.report.helpers import make_run

    make_run(tmp_path / "runs", "decaying", epochs=4, decay=0.5)
    make_run(tmp_path / "runs", "constant", epochs=4)
    result = build_report((), tmp_path / "runs")
    decaying = next(result.out.glob("*decaying*/index.html"))
    constant = next(result.out.glob("*constant*/index.html"))
    assert "learning rate" in decaying.read_text() and "lr, epoch 2: 0.025" in decaying.read_text()
    assert "learning rate" not in constant.read_text()


def test_sweep_page_overlays_every_trial_as_its_figure_draws_them(report, every_kind):
    sweep = folder(every_kind, "sweep-weight-scale")
    html = page(report.out, sweep)
    trials = len(list((sweep / "trials").iterdir()))
    first_chart = html.split('<svg class="chart"', 2)[1]
    assert first_chart.count('<g class="series"') == trials == 6
    # (up to 12 trials: a key each, in curves.png's colours; more: a colour scale, test_sweeps)
    legend = html.split('<div class="legend">', 1)[1].split("</div>", 1)[0]
    assert legend.count('class="key"') == 6 and "model.batchnorm=false" in legend
    assert 'class="legend scale"' not in html
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
    # (its rates read 8.462e-04 and a best value 0.0915 where nnlab tune printed 0.0008462 and
    # 0.09155: a config value, as every table spells one, output.config_number)
    summary = json.loads((tune / "summary.json").read_text())
    for row in summary["top"]:
        for key in ("optimizer.lr", "weight_decay"):
            assert f">{config_number(row[key])}</td>" in html, (key, row[key])
    for row in summary["ranges"]:
        assert f">{config_number(row['best'])}</td>" in html, row


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
    html = page(report.out, folder(every_kind, part)).replace("<wbr>", "")  # (a header's breaks)
    for text in shown:
        assert text in html, text


def test_a_value_too_long_for_a_cell_is_its_size_not_a_cut_json_text(report, every_kind):
    # (an lr-scan's summary showed its per-rate curves as '{"1.000e-05": [{"epoch": 0, ...')
    html = page(report.out, folder(every_kind, "lr-scan"))
    summary = html[html.index("<h2>Summary</h2>") :]
    summary = summary[: summary.index("</section>")]
    assert '<th scope="row">curves</th><td><span class="note">3 entries: see the file' in summary
    assert "{&quot;" not in summary and '{"' not in summary


def test_a_list_too_long_for_a_table_cell_is_its_size_not_a_cut_text(report, every_kind):
    # (compare-optimizers' result.json table showed each path and value list cut at 60
    # characters, '[[-7, 2], [-6.65, 0.8], ...', and was 2,270 px wide)
    html = page(report.out, folder(every_kind, "compare-optimizers"))
    table = html[html.index("<h3>runs</h3>") :]
    table = table[: table.index("</section>")]
    assert re.search(r'<p class="note">path, values: a list per row \(\d+ entries\)', table)
    assert "[[" not in table and "…" not in table
    from nnlab.report.values import cell

    final = {"train_loss": 0.1192, "train_acc": 0.9644, "test_loss": 0.2344, "test_acc": 0.9255}
    text = ", ".join(f"{k}={v}" for k, v in final.items())  # (as the terminal's tables)
    assert cell(final) == f'<td class="long">{text}</td>'  # (whole; it wraps, over 40 characters)


def test_a_key_value_tables_text_is_whole_not_cut_at_160_characters():
    # (a run's data_source, 201 characters, lost its splits: '...; split_seed 0: train …')
    from nnlab.report.values import kv_table

    source = "mnist from data/mnist: pool t10k (10000); " * 5 + "split_seed 0: train 1000"
    assert len(source) > 200
    assert kv_table([("data_source", source)]).endswith(f"<td>{source}</td></tr></table>")
    warnings = [
        "optimizer.lr: the best value is at the high edge " * 3 + "it may lie past the end."
    ]
    assert 160 < len(str(warnings)) < 200
    assert "the end.</td>" in kv_table([("warnings", warnings)])  # (a sentence a line: below)
    curves = {f"{lr:.3e}": [{"epoch": 0, "loss": 2.3}] * 3 for lr in (1e-5, 1e-4, 1e-3)}
    assert "3 entries: see the file" in kv_table([("curves", curves)])


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


def test_rebuild_leaves_the_users_own_files_in_the_report_folder(every_kind, tmp_path):
    # (a rebuild deleted every file it had not written this time: notes kept beside the
    # pages, a .git of the report, went with the pages of removed runs)
    import shutil

    runs_dir = copy_runs(every_kind, tmp_path / "runs")
    out = build_report((), runs_dir).out
    mine = {"notes.txt": "keep me", "drafts/plan.md": "mine too", ".git/config": "[core]"}
    gone = folder(runs_dir, "lr-scan")
    page = out / gone.name / "index.html"
    mine[f"{gone.name}/my-notes.txt"] = "beside a page that goes"
    for rel, text in mine.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    shutil.rmtree(gone)
    assert page.exists()
    build_report((), runs_dir)
    assert {rel: (out / rel).read_text() for rel in mine} == mine
    assert not page.exists()  # (the removed run's page goes, as before)
    assert not list((out / gone.name).glob("*.png"))


def test_a_rebuild_removes_the_temp_files_a_killed_build_left(tmp_path):
    """A build killed mid-write leaves its temp files (``.index.html.<8>.tmp``, the file
    list's ``..nnlab-report-files.<8>.tmp``); the next build, which holds the folder, removes
    them (they stayed for ever). A hidden file of the user's, and a .git's, stay."""
    from tests.report.helpers import make_run

    root = tmp_path / "runs"
    run = make_run(root, "one", epochs=2)
    out = build_report((), root).out
    left = [".index.html.ab12_d34.tmp", "..nnlab-report-files.zz99yy88.tmp",
            f"{run.path.name}/.index.html.x1y2z3w4.tmp"]  # fmt: skip
    mine = [".notes.tmp", ".my-draft.html", ".git/.config.abcdefgh.tmp"]
    for rel in left + mine:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("x")
    build_report((), root)
    assert [rel for rel in left if (out / rel).exists()] == []
    assert [rel for rel in mine if (out / rel).exists()] == mine


def test_a_report_built_before_its_file_list_keeps_files_of_other_kinds(every_kind, tmp_path):
    import shutil

    runs_dir = copy_runs(every_kind, tmp_path / "runs")
    out = build_report((), runs_dir).out
    (out / ".nnlab-report-files").unlink()  # (a folder an older nnlab built)
    (out / "notes.txt").write_text("keep me")
    gone = folder(runs_dir, "lr-scan")
    shutil.rmtree(gone)
    build_report((), runs_dir)
    assert (out / "notes.txt").read_text() == "keep me"
    assert not (out / gone.name).exists()
    assert (out / ".nnlab-report-files").exists()


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
    with pytest.raises(OptionError, match="--out: .*not an nnlab report"):
        build_report((), every_kind, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_refresh_builds_runs_report_and_returns_its_index(tmp_path):
    from tests.report.helpers import make_run

    make_run(tmp_path / "runs", "one")
    index = refresh(tmp_path / "runs")
    assert index == tmp_path / "runs" / "report" / "index.html" and index.is_file()
    assert len(index_rows(index.read_text())) == 1


def test_an_empty_runs_folder_makes_an_empty_index(tmp_path):
    (tmp_path / "nothing-yet").mkdir()
    result = build_report((), tmp_path / "nothing-yet")
    html = result.index.read_text()
    assert result.rows == 0 and "No run folders" in html
    # (no table of nothing under its sort buttons, no filter box, no compare view to tick in)
    assert "<table" not in html and 'class="controls"' not in html and "compare" not in html


def test_an_empty_index_says_the_commands_that_fill_it(tmp_path):
    """The note's commands run as written, in the runs folder it was built of: a train that
    names a config (a bare 'nnlab train', which it said, is refused) and a report of that
    folder (a bare 'nnlab report' built runs/, not this one); the default folder unnamed."""
    import shlex

    from nnlab.report.index import empty_note
    from tests.conftest import invoke

    runs_dir = tmp_path / "my runs"
    runs_dir.mkdir()
    html = build_report((), runs_dir).index.read_text()
    codes = [unescape(c) for c in re.findall(r"<code>(.*?)</code>", html)]
    train = next(c for c in codes if c.startswith("nnlab train "))
    again = next(c for c in codes if c.startswith("nnlab report"))
    assert train.endswith(f"--runs-dir {shlex.quote(str(runs_dir))}") and again.endswith(
        f"--runs-dir {shlex.quote(str(runs_dir))}"
    )
    configs = Path(__file__).resolve().parents[2] / "configs"
    words = shlex.split(train.replace("configs/", f"{configs}/"))[1:]
    assert invoke(*words, "epochs=1", "-q").exit_code == 0
    assert invoke(*shlex.split(again)[1:]).exit_code == 0
    assert build_report((), runs_dir).rows == 1
    assert "--runs-dir" not in empty_note("runs")


def test_a_missing_runs_folder_is_refused_and_nothing_is_made(tmp_path):
    # (a mistyped --runs-dir made that folder and an empty report in it, exit 0)
    with pytest.raises(RunError, match="typo: no such runs folder"):
        build_report((), tmp_path / "typo")
    assert not (tmp_path / "typo").exists()


def test_a_diverged_trial_has_no_final_values_in_the_sweep_table(tmp_path):
    # lr 1000 diverges in the first epoch: its finals are null (nnlab.summary), so the trials
    # table shows "-" where it would show the ~0.1 accuracy of a diverged net, and a note
    from tests.report.conftest import CONFIG, SMALL, run_cli

    runs_dir = tmp_path / "runs"
    run_cli(["sweep", "grid", CONFIG, "optimizer.lr=0.05,1000", *SMALL, "-q"], runs_dir)
    result = build_report((), runs_dir, tmp_path / "report")
    table = page(result.out, folder(runs_dir, "sweep-")).split('<table id="trials"', 1)[1]
    assert table.startswith(' class="runs sortable" aria-label="trials">')  # (its name, read)
    head, body = table.split("</thead>", 1)
    labels = [text(h) for h in re.findall(r"<th[^>]*>.*?</th>", head)]
    ok, diverged = (
        [text(c) for c in re.findall(r"<td[^>]*>.*?</td>", row)]
        for row in re.findall(r"<tr .*?</tr>", body.split("</tbody>", 1)[0])
    )
    status = labels.index("status")
    assert (ok[status], diverged[status]) == ("COMPLETED", "DIVERGED")
    for label in ("final train acc", "final test acc"):
        assert ok[labels.index(label)] not in ("", "-") and diverged[labels.index(label)] == "-"
    assert diverged[labels.index("notes")] == "diverged at epoch 1: no final values"


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


METRICS = ("_acc", "_loss")


def test_accuracy_charts_stay_linear_when_one_run_is_30x_another(tmp_path):
    """Trials at 1% and 90% accuracy: the tune and sweep overlays (and a run's own chart)
    drew accuracy on a log axis, as they do a loss spanning decades; the loss still is."""
    from tests.report.helpers import completed_sweep, make_run

    root = tmp_path / "runs"
    sweep = completed_sweep(root, "lr", {f"t{n}": {"optimizer.lr": n} for n in (1, 2)})
    for n, scale in ((1, 1.0), (2, 0.01)):  # trial 2: accuracies and losses 100x smaller
        trial = {"id": f"t{n}", "seed": 0, "values": {"optimizer.lr": n}}
        run = make_run(root, "t", epochs=3, folder=sweep.file("trials") / f"t{n}", trial=trial)
        lines = run.file("metrics.jsonl").read_text().splitlines()
        scaled = []
        for line in lines:
            record = json.loads(line)
            record.update({k: v * scale for k, v in record.items() if k.endswith(METRICS)})
            scaled.append(json.dumps(record))
        run.file("metrics.jsonl").write_text("\n".join(scaled) + "\n")
        summary = json.loads(run.file("summary.json").read_text())  # (derived from them)
        summary.update({k: v * scale for k, v in summary.items() if k.endswith(METRICS)})
        run.file("summary.json").write_text(json.dumps(summary))
    result = build_report((), root)
    sweep_html = page(result.out, sweep.path)
    run_html = page(result.out, f"{sweep.path.name}/trials/t2")
    labels = re.findall(r'transform="rotate\(-90[^"]*"\)?>([^<]*)<', sweep_html + run_html)
    assert "train loss (log)" in labels  # (losses still go log when they span decades)
    assert not [label for label in labels if "acc" in label and "(log)" in label], labels
    js = (Path(__file__).resolve().parents[2] / "nnlab" / "report" / "report.js").read_text()
    assert "var log = !accuracy && lo > 0" in js  # (the compare view: the same rule)


def test_the_compare_view_tells_runs_of_one_name_apart_by_what_they_differ_in(tmp_path):
    # (three runs of one config under other overrides were all 'digits-quickstart' in its legend)
    from tests.report.helpers import make_run

    runs_dir = tmp_path / "runs"
    first = make_run(runs_dir, "quick", epochs=3, lr=0.1)
    again = make_run(runs_dir, "quick", epochs=3, lr=0.1)
    other = make_run(runs_dir, "quick", epochs=3, lr=0.5)
    alone = make_run(runs_dir, "overfit", epochs=3)
    report = build_report(runs_dir=runs_dir)
    labels = {rel: c["label"] for rel, c in data_js(report.out / "data.js")["curves"].items()}
    assert labels[other.path.name] == "quick (lr=0.5)"
    assert labels[alone.path.name] == "overfit"
    for run in (first, again):  # (the same values: their ids too)
        assert labels[run.path.name] == f"quick (lr=0.1, {run.path.name.rsplit('-', 1)[-1]})"


def test_a_run_page_says_its_objective_carries_the_penalty_where_it_has_weight_decay(tmp_path):
    from tests.report.helpers import make_run

    runs_dir = tmp_path / "runs"
    decayed, plain = make_run(runs_dir, "decayed"), make_run(runs_dir, "plain")
    config = decayed.file("config.yaml")
    config.write_text(config.read_text() + "weight_decay: 0.01\n")
    report = build_report(runs_dir=runs_dir)
    assert "objective (+ L2 penalty)" in page(report.out, decayed.path.name)
    assert "objective (+ L2" not in page(report.out, plain.path.name)


def test_a_container_in_a_cell_reads_as_a_config_spells_it_with_short_numbers():
    # (a compare-optimizers page showed {"train_loss": 0.38320574164390564}, every page its
    # versions as JSON)
    from nnlab.report.values import compact

    assert (
        compact({"train_loss": 0.38320574164390564, "lr": 0.1}) == "{train_loss: 0.3832, lr: 0.1}"
    )
    # (a result's boolean as every one reads, yes_no: 'true' only as a config or given value)
    assert compact([1.0898646732177042, None, True, "adam"]) == "[1.0899, null, yes, adam]"
    assert compact([0.5, True], key="model.hidden") == "[0.5, true]"
    assert compact({"nnlab": "0.1.0"}) == "{nnlab: 0.1.0}"


def test_a_key_value_table_spells_each_float_as_the_tables_do_by_its_key():
    # (a tune's summary read 'best: {..., final_val_acc: 0.74}' above a trials table of
    # 0.7400: a metric is output.number's, a config value output.config_number's, everywhere)
    from nnlab.report.values import kv_table

    best = {"trial": "af3b", "optimizer.lr": 0.0031622776601683794, "weight_decay": 1e-05,
            "final_val_acc": 0.74, "final_train_acc": 0.08917}  # fmt: skip
    html = kv_table([("best", best), ("final_val_acc", 0.74), ("lr", 0.1), ("losses", [0.5, 1.0]),
                     ("rates", [0.5, 1.0])])  # fmt: skip
    best_table = html[html.index("<td><table") :]  # (an object: a table of its own)
    for key, shown in (("trial", "af3b"), ("optimizer.lr", "0.00316228"), ("weight_decay", "1e-05"),
                       ("final_val_acc", "0.7400"), ("final_train_acc", "0.0892")):  # fmt: skip
        assert f'<th scope="row">{key}</th><td>{shown}</td>' in best_table, key
    assert (
        '<th scope="row">final_val_acc</th><td>0.7400</td>' in html
        and '<th scope="row">lr</th><td>0.1</td>' in html
    )
    assert '<th scope="row">losses</th><td>[0.5000, 1.0000]</td>' in html
    assert '<th scope="row">rates</th><td>[0.5, 1]</td>' in html  # (lr-scan's: config values)


def test_compare_labels_name_the_keys_that_tell_runs_apart_readably():
    # (labels took the first three differing keys in config order: 'name=digits, n_val=0,
    # n_test=297' for runs told apart by epochs, 'name' reading as the run's own name)
    from nnlab.output import separating_keys
    from nnlab.report.index import key_label

    configs = [
        {"dataset.name": "digits", "dataset.n_val": 0, "dataset.n_test": 297, "epochs": 1},
        {"dataset.name": "spiral", "dataset.n_val": None, "dataset.n_test": None, "epochs": 1},
        {"dataset.name": "digits", "dataset.n_val": 0, "dataset.n_test": 297, "epochs": 3},
    ]
    keys = separating_keys(configs, ["dataset.name", "dataset.n_val", "dataset.n_test", "epochs"])
    assert keys == ["dataset.name", "epochs"]  # (n_val and n_test change with the dataset)
    assert [key_label(k, keys) for k in keys] == ["dataset", "epochs"]
    assert key_label("optimizer.lr", ["optimizer.lr", "model.init"]) == "lr"
    assert key_label("a.lr", ["a.lr", "b.lr"]) == "a.lr"  # (two would read alike)
    assert separating_keys([{"x": 1}, {"x": 1}], ["x"]) == []


def test_a_resume_is_offered_only_where_it_has_work_left(report, every_kind, tmp_path):
    # (every sweep page offered 'nnlab sweep --resume', which a COMPLETED sweep refuses with
    # 'already COMPLETED, nothing to resume'; an INTERRUPTED run's page offered no resume)
    for part in ("sweep-weight-scale", "tune-", "landscape-", "digits-quickstart-"):
        assert "--resume" not in page(report.out, folder(every_kind, part)), part
    from tests.report.helpers import make_run

    runs_dir = copy_runs(every_kind, tmp_path / "runs")
    stopped = make_run(runs_dir, "stopped", status="INTERRUPTED")
    sweep = folder(runs_dir, "sweep-weight-scale")
    trial = sorted((sweep / "trials").iterdir())[0]
    (trial / "meta.json").write_text(
        (trial / "meta.json").read_text().replace('"COMPLETED"', '"INTERRUPTED"')
    )
    scan, histograms = folder(runs_dir, "lr-scan-"), folder(runs_dir, "activations-")
    for path, drop in ((scan, ()), (histograms, ("recipe",))):  # (the second: made by an
        meta = json.loads((path / "meta.json").read_text())  # nnlab before recipes)
        meta["status"] = "INTERRUPTED"
        (path / "meta.json").write_text(json.dumps({k: meta[k] for k in meta if k not in drop}))
    result = build_report((), runs_dir, tmp_path / "report")
    assert f"nnlab train --resume {stopped.path}" in page(result.out, stopped.path)
    assert f"nnlab sweep --resume {sweep}" in page(result.out, sweep)
    assert f"nnlab lr-scan --resume {scan}" in page(result.out, scan)
    assert "do its work again in its folder" in page(result.out, scan)
    assert "--resume" not in page(result.out, histograms)  # (it would be refused: no recipe)


def test_a_run_that_ended_before_its_first_epoch_has_none_recorded_not_yet(tmp_path, monkeypatch):
    # (a FAILED run's page said 'no epochs recorded yet', as if it were still training)
    import nnlab.experiments.train as tr
    from tests.conftest import invoke
    from tests.report.conftest import CONFIG
    from tests.report.helpers import make_running

    def build_group(*args, **kwargs):
        raise MemoryError("Unable to allocate 1.00 TiB for an array")

    monkeypatch.setattr(tr, "build_group", build_group)
    runs_dir = tmp_path / "runs"
    assert invoke("train", CONFIG, "-q", runs_dir=runs_dir).exit_code == 1
    (failed,) = runs_dir.iterdir()
    running = make_running(runs_dir)
    running.file("metrics.jsonl").write_text("")
    result = build_report((), runs_dir, tmp_path / "report")
    assert "FAILED" in page(result.out, failed)
    assert '<p class="note">no epochs recorded</p>' in page(result.out, failed)
    assert '<p class="note">no epochs recorded yet</p>' in page(result.out, running.path)


def test_the_index_lists_the_newest_folder_first_and_says_it_is_sorted_so(tmp_path):
    # (oldest first, the run just made was at the bottom of a 9,700-pixel page of 300 runs)
    from tests.report.helpers import make_run

    for i, name in enumerate(["b-first", "a-second", "c-third"]):
        run = make_run(tmp_path / "runs", name, epochs=2)
        meta = json.loads(run.file("meta.json").read_text())
        meta["started"] = f"2025-01-0{i + 1}T00:00:00.000+00:00"
        run.file("meta.json").write_text(json.dumps(meta))
    (tmp_path / "runs" / "notes").mkdir()  # (a folder without meta.json: its time is the folder's)
    html = build_report((), tmp_path / "runs").index.read_text()
    body = html.split('<table id="runs"', 1)[1]
    order = [body.index(f">{name}<") for name in ("c-third", "a-second", "b-first")]
    assert order == sorted(order)
    assert re.search(r'<th scope="col"[^>]* aria-sort="descending">started</th>', body)


def test_each_cell_of_a_run_table_names_its_column_for_a_narrow_windows_cards(every_kind, tmp_path):
    # (report.css shows a row as a card up to 900 px, each value after its column's name)
    from nnlab.report.tables import labelled

    assert labelled("<tr><td>a</td><td x>b</td></tr>", ["", "run"]) == (
        '<tr><td data-label="">a</td><td data-label="run" x>b</td></tr>'
    )
    html = build_report((), every_kind, tmp_path / "report").index.read_text()
    head = html.split('<table id="runs"', 1)[1].split("</thead>", 1)[0]
    columns = re.findall(r'<th scope="col" data-col="([^"]*)"', head)
    for row in index_rows(html):
        assert re.findall(r'<td data-label="([^"]*)"', row) == columns


def test_a_rebuild_removes_the_pages_of_a_removed_run_whose_name_is_not_utf8(every_kind, tmp_path):
    # (the file list wrote 'r\udcff/index.html' as a backslash escape and read it back as those
    # ten characters: the page of a removed run named in other bytes stayed in the report)
    import os
    import shutil

    runs_dir = copy_runs(every_kind, tmp_path / "runs")
    named = runs_dir / os.fsdecode(b"r\xff")
    shutil.copytree(folder(runs_dir, "digits-quickstart"), named)
    out = build_report((), runs_dir).out
    assert (out / named.name / "index.html").exists()
    shutil.rmtree(named)
    build_report((), runs_dir)
    assert not (out / named.name).exists()


def test_a_folder_name_that_is_not_utf8_reads_as_the_terminal_writes_it(tmp_path):
    # (a folder named b'caf\xe9-run' read 'caf\udce9-run' on its page and in the index, where
    # runs list says 'caf\xe9-run'; its link keeps the bytes, which name its page's folder)
    import os

    root = tmp_path / "runs"
    run = make_run(root, "x", folder=root / os.fsdecode(b"20261207-000000-caf\xe9-abc123"))
    result = build_report((), root, tmp_path / "report")
    index = result.index.read_bytes()
    assert b"\\udce9" not in index and b"caf\\xe9" in index
    assert b'href="20261207-000000-caf%E9-abc123/index.html"' in index
    assert (result.out / run.path.name / "index.html").read_bytes().count(b"\\udc") == 0
    box = re.search(rb'class="pick" value="([^"]+)"', index).group(1).decode()
    assert list(data_js(result.out / "data.js")["curves"]) == [box]  # (its compare view's curves)


def test_a_swept_keys_header_may_wrap_after_a_dot(tmp_path):
    """A swept key's header was one word, 'optimizer.name': a sweep's trials over three keys
    were 174 px wider than their box at 1,024 px, the durations and notes scrolled out of view.
    It may wrap after a dot; its column and each cell's label keep the key whole."""
    from tests.report.helpers import completed_sweep, make_run

    root = tmp_path / "runs"
    values = {f"t{n}": {"optimizer.lr": lr} for n, lr in enumerate((0.1, 0.01))}
    sweep = completed_sweep(root, "lr", values)
    for trial in values:
        make_run(root, "t", folder=sweep.file("trials") / trial, trial={"id": trial})
    html = page(build_report((), root).out, sweep.path)
    head = html.split('<table id="trials"', 1)[1].split("</thead>", 1)[0]
    assert '<th scope="col" data-col="optimizer.lr">optimizer.<wbr>lr</th>' in head
    assert html.count('<td data-label="optimizer.lr"') == 2
