"""How a key/value table and a table's cell spell what a folder's JSON holds: nothing as
``none``, sentences a line each, a long object as a table, a tune's exact ranges and the values
a user gave as the terminal spells them, and a value that stands for more than its number
(found reviewing the report of a folder of every kind in a browser)."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from nnlab.report import build_report
from nnlab.report.values import NONE, cell, json_view, kv_table, kv_value, rows_table
from tests.report.helpers import make_run, page, write_meta


def test_an_empty_list_or_a_null_reads_none_not_brackets_or_a_blank():
    # (a tune's summary and its rounds table read 'warnings []', every run's details
    # 'overrides []' and a blank 'data_dir')
    assert kv_value([], "warnings") == NONE and kv_value({}, "x") == NONE
    assert kv_value(None, "data_dir") == NONE and ">none<" in NONE
    assert cell([]) == f"<td>{NONE}</td>" and cell({}) == f"<td>{NONE}</td>"
    assert cell(None) == "<td></td>"  # (a row without the value: blank, as before)


def test_a_list_of_sentences_is_a_sentence_a_line_not_its_size():
    # (a tune's summary said 'warnings: 2 entries: see the file in the run folder')
    warnings = [
        "optimizer.lr: the best value 0.00204555 is at the high edge of the range; " * 2,
        "weight_decay: the best value 4.33308e-07 is at the low edge of the range",
    ]
    html = kv_value(warnings, "warnings")
    assert "entries" not in html and html == "<br>".join(warnings)
    assert kv_value(["train", "test"], "eval") == "[train, test]"  # (words: a config's list)
    path = "runs/20261206-221211-tune-digits-quickstart-d02762/rounds/20261206-221212-sweep-r1"
    assert kv_value([path], "sweeps") == path  # (a path a line, as two of them: no brackets)


def test_an_object_too_long_for_a_line_is_a_table_of_its_own():
    # (a tune's settings and a compare's config read '10 entries: see the file')
    settings = {"name": "digits-quickstart", "base": {"model": {"hidden": [100, 100]}},
                "ranges": {"optimizer.lr": "loguniform:1e-06:0.01"}, "overrides": [],
                "rounds": 2, "trials": 20, "top_k": 5, "metric": "final_val_acc", "seed": 0,
                "val_fraction": 0.2}  # fmt: skip
    html = kv_value(settings, "settings")
    assert html.startswith('<table class="kv">') and "see the file" not in html
    assert '<th scope="row">top_k</th><td>5</td>' in html
    assert f'<th scope="row">overrides</th><td>{NONE}</td>' in html
    curves = {"1e-05": [{"epoch": 0, "loss": 2.3}] * 9, "0.1": [{"epoch": 0, "loss": 2.1}] * 9}
    assert "2 entries: see the file" in kv_value(curves, "curves")  # (records: data)


def test_a_tunes_exact_ranges_read_as_its_summary_spells_them():
    # (tune.json keeps a range exactly, to read it back: the rounds table showed
    # loguniform:3.7725799377838215e-06:0.0020455512986830154 beside a summary of 3.77258e-06)
    exact = {"optimizer.lr": "loguniform:3.7725799377838215e-06:0.0020455512986830154",
             "batch_size": "randint:16:1000", "model.dropout": "uniform:0.1:0.55"}  # fmt: skip
    short = {"optimizer.lr": "loguniform:3.77258e-06:0.00204555", "batch_size": "randint:16:1000",
             "model.dropout": "uniform:0.1:0.55"}  # fmt: skip
    assert kv_value(exact, "proposed") == kv_table(list(short.items()))
    assert ">optimizer.lr=loguniform:3.77258e-06:0.00204555<" in cell(
        {"optimizer.lr": exact["optimizer.lr"]}
    )
    assert kv_value("loguniform:x:y", "k") == "loguniform:x:y"  # (not a range: as it is)
    assert kv_value("uniformity: 0.1234567891", "k") == "uniformity: 0.1234567891"


def test_a_ratio_of_times_reads_as_gradchecks_table_prints_it():
    # (the report read 'ratio: 116.6576' where `gradcheck --compare-differences` printed 117)
    timing = {"numeric_s": 0.007429, "analytic_s": 6.368e-05, "ratio": 116.65757}
    assert kv_value(timing, "timing") == kv_table(
        [("numeric_s", "0.007429"), ("analytic_s", "6.368e-05"), ("ratio", "117")]
    )
    assert kv_value(2.4567, "ratio") == "2.4600"


def test_a_landscapes_range_reads_as_its_option_takes_it_in_one_place():
    """Its summary and its settings read 'lo -1.0' and 'hi 1.0' where its command, its table's
    title and the terminal write 'range -1:1' (``--range LO:HI``)."""
    summary = {"status": "COMPLETED", "normalize": "filter", "lo": -1.0, "hi": 1.0, "points": 5}
    html = json_view(summary)
    assert '<th scope="row">range</th><td>-1:1</td>' in html
    assert ">lo<" not in html and ">hi<" not in html
    assert html.index("normalize") < html.index("range") < html.index("points")
    settings = kv_value({"lo": -0.25, "hi": 2.5, "split": "train"}, "settings")
    assert '<th scope="row">range</th><td>-0.25:2.5</td>' in settings
    # (an lo or a hi alone, or not a number, is left as it is)
    assert '<th scope="row">lo</th><td>-1</td>' in kv_table([("lo", -1.0), ("points", 3)])
    assert ">hi<" in kv_table([("lo", "a"), ("hi", 1.0)])


def test_a_landscapes_samples_0_says_it_is_all_of_the_split():
    assert kv_value(0, "samples") == "0 (all of the split)"
    assert kv_value(500, "samples") == "500" and kv_value(False, "samples") == "no"
    assert '<th scope="row">samples</th><td>0 (all of the split)</td>' in kv_value(
        {"samples": 0, "seed": 0}, "settings"
    )
    assert kv_table([("seed", 0)]).endswith("<td>0</td></tr></table>")


def test_values_the_user_gave_read_as_given_not_as_measured():
    # (a tune's base config read momentum 0.9000 and val_fraction 0.2000, adam's
    # hyperparameters beta1 0.9000 and beta2 0.9990, beside a config of 0.9 and 0.999)
    settings = {"val_fraction": 0.2, "base": {"optimizer": {"name": "momentum", "momentum": 0.9}}}
    html = kv_value(settings, "settings")
    assert "0.2000" not in html and "0.9000" not in html
    assert '<th scope="row">momentum</th><td>0.9</td>' in html
    rows = [{"optimizer": "adam", "hyperparameters": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999},
             "final": {"test_acc": 0.9}}]  # fmt: skip
    table = rows_table(rows)
    assert ">lr=0.001, beta1=0.9, beta2=0.999<" in table
    assert ">test_acc=0.9000<" in table  # (a measured one: as measured)
    paths = rows_table([{"optimizer": "sgd", "start": [-7.0, 2.0], "final_point": [-0.35, 0.1]}])
    # (a point as the terminal writes one: test_a_point_reads_one_way_on_every_page...)
    assert ">(-7, 2)<" in paths and ">(-0.35, 0.1)<" in paths
    assert kv_value([0.0, 0.0], "minimum") == "(0, 0)"


def test_a_sweeps_counts_read_as_its_title_says_them():
    # (a sweep's summary read 'counts {COMPLETED: 30, DIVERGED: 2}' under a title of
    # '32 trials (30 COMPLETED, 2 DIVERGED)')
    assert kv_value({"DIVERGED": 2, "COMPLETED": 30}, "counts") == "30 COMPLETED, 2 DIVERGED"
    assert kv_value({"a": 0.5}, "counts") == kv_table([("a", 0.5)])  # (not counts: any object)


def test_a_json_tables_numbers_read_as_the_terminals_table_of_the_same_rows():
    # (an lr-scan's step_change read -0.0392 and -0.2598 where `nnlab lr-scan` printed
    # -0.039158 and -0.259755 (one format a column), compare-optimizers' seconds 1.5037 for
    # 1.50, activations' std 0.4588 for 0.458827)
    import re

    from nnlab.output import table_text

    rows = [
        {"lr": 0.0001, "step_change": -0.0004096, "train_loss": 2.4658, "seconds": 1.50371},
        {"lr": 0.001, "step_change": -0.004079, "train_loss": 2.1699, "seconds": 0.3},
        {"lr": 0.01, "step_change": -0.039158, "train_loss": 1.2981, "seconds": 2.29563},
        {"lr": 0.1, "step_change": -0.259755, "train_loss": 0.3865, "seconds": 0.4},
    ]
    html = rows_table(rows)
    shown = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]
    terminal = [line.split("│")[1:-1] for line in table_text(rows).splitlines() if "│" in line]
    assert shown == [c.strip() for line in terminal for c in line]
    assert "-0.039158" in shown and "1.5 s" in shown and "0.0001" in shown


def test_a_recipe_names_the_options_given_not_the_nulls_of_the_rest():
    # (compare-optimizers' details read '{function: null, dataset: null, optimizers: null, ...}')
    recipe = {"function": None, "dataset": "digits", "optimizers": "sgd,adam", "overrides": []}
    assert kv_value(recipe, "recipe") == (
        '{dataset: digits, optimizers: sgd,adam} <span class="note">(the other options their '
        "defaults)</span>"
    )
    assert kv_value({"function": None, "lr": None}, "recipe") == (
        '<span class="note">(every option its default)</span>'
    )
    typed = {"optimizers": "sgd,adam", "steps": "20", "lr": None}  # (compare-optimizers': text)
    assert kv_value(typed, "recipe").startswith("{optimizers: sgd,adam, steps: 20} <span")
    whole = {"min_exp": -10.0, "max_exp": -1.0, "num": 5, "epochs": 1}
    assert kv_value(whole, "recipe") == "{min_exp: -10, max_exp: -1, num: 5, epochs: 1}"


def test_a_rows_details_on_the_index_spell_its_values_as_its_page_does():
    # (an lr-scan's details on the index read 'best step lr 0.1000' where its page and its
    # note say 0.1 (a rate is a config value), and a run's 'final loss 0.005735' beside
    # 'final train loss', where its page says 'objective')
    from pathlib import Path

    from nnlab.report.collect import Entry
    from nnlab.report.facts import label
    from nnlab.report.index import more

    scan = Entry(rel="s", path=Path("s"), kind="lr-scan", status="COMPLETED",
                 summary={"best_step_lr": 0.1, "best_train_lr": 0.0031622776601683794})  # fmt: skip
    assert ("best step lr", "0.1") in more(scan, [], [])
    assert ("best train lr", "0.00316228") in more(scan, [], [])
    run = Entry(rel="r", path=Path("r"), kind="train", status="COMPLETED",
                summary={"final_loss": 0.005735, "final_train_loss": 0.004439})  # fmt: skip
    assert ("final objective", "0.005735") in more(run, [], [])
    assert ("final train loss", "0.004439") in more(run, [], [])
    assert [label(k) for k in ("loss", "best_loss", "train_loss")] == [
        "objective", "best objective", "train loss"
    ]  # fmt: skip


def test_a_value_cut_short_in_a_cell_or_a_rows_details_is_whole_in_its_title(tmp_path):
    """A cell's text is cut at 60 characters (a dict's at 100) and was whole nowhere on the
    page; a row's config values under its notes were cut at 60 with no mark at all: two runs
    whose ``model.hidden`` differ past it read alike."""
    from pathlib import Path

    from nnlab.report.collect import Entry
    from nnlab.report.index import notes_cell

    text = "a sentence of text " * 5  # (95 characters)
    html = cell(text.strip())
    assert html.startswith('<td class="long" title="a sentence') and "…</td>" in html
    assert text.strip() in html.split('title="')[1]
    assert "title=" not in cell("short and whole")
    wide = [512] * 20 + [256]
    hidden = "[" + ", ".join(map(str, wide)) + "]"
    run = Entry(rel="r", path=Path("r"), kind="train", status="COMPLETED")
    html = notes_cell(run, [("model.hidden", hidden), ("folder", "r")])
    assert f"<dd>{hidden}</dd>" in html  # (106 characters: whole)
    long = "[" + ", ".join(["512"] * 60) + "]"
    html = notes_cell(run, [("model.hidden", long)])
    assert f'<dd title="{long}">{long[:159]}…</dd>' in html


@pytest.fixture
def in_new_york(monkeypatch):
    """This process in America/New_York (``TZ`` and ``time.tzset``), UTC-5 in December."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_recorded_time_reads_as_runs_list_says_it_keeping_the_exact_text(in_new_york):
    # (a run's details read 'started 2026-12-06T23:41:07.123456+00:00'; runs list says
    # '2026-12-06 18:41:07' in the reader's zone)
    exact = "2026-12-06T23:41:07.123456+00:00"
    shown = f'<time datetime="{exact}" title="{exact}">2026-12-06 18:41:07</time>'
    assert kv_value(exact, "started") == shown
    assert kv_table([("ended", exact)]) == (
        f'<table class="kv"><tr><th scope="row">ended</th><td>{shown}</td></tr></table>'
    )
    assert (
        cell(exact) == f'<td data-v="{dt.datetime.fromisoformat(exact).timestamp()!r}">{shown}</td>'
    )  # (sorts by it)
    assert kv_value([{"started": exact, "epochs": 3}] * 1, "resumes") == (
        "[{started: 2026-12-06 18:41:07, epochs: 3}]"
    )
    # (text that only starts like one, or is no time, as it is)
    assert kv_value("2026-12-06T99:99", "note") == "2026-12-06T99:99"
    assert kv_value("2026-12-06", "day") == "2026-12-06"


def test_a_runs_page_and_the_index_read_its_times_as_runs_list_says_them(tmp_path, in_new_york):
    root = tmp_path / "runs"
    run = make_run(root, "timed")
    write_meta(run, started="2026-12-06T23:41:07.123+00:00", ended="2026-12-06T23:42:00.5+00:00")
    result = build_report((), root, tmp_path / "report")
    html = page(result.out, run.path)
    assert '<th scope="row">started</th><td><time datetime="2026-12-06T23:41:07.123+00:00"' in html
    assert ">2026-12-06 18:41:07</time>" in html and ">2026-12-06 18:42:00</time>" in html
    assert "T23:4" not in html.replace('"2026-12-06T23:4', "")  # (only in the attributes)
    index = (result.out / "index.html").read_text()
    # (the index's date and time of day apart: a narrow window's cell wraps between them)
    parts = '<span class="nw">2026-12-06</span> <span class="nw">18:41</span>'
    assert f'title="2026-12-06T23:41:07.123+00:00">{parts}</time>' in index


def test_a_result_boolean_reads_yes_or_no_a_config_one_as_yaml_spells_it():
    # (compare-optimizers' runs table read 'diverged false' where its terminal table says 'no')
    table = rows_table(
        [{"optimizer": "sgd", "diverged": False}, {"optimizer": "x", "diverged": True}]
    )
    assert "<td>no</td>" in table and "<td>yes</td>" in table and "false" not in table
    assert kv_value(True, "passed") == "yes"
    assert kv_value(False, "model.batchnorm") == "false"  # (a config key: as a config spells it)
    assert '<th scope="row">batchnorm</th><td>false</td>' in kv_value(
        {"model": {"batchnorm": False}, "seed": 0}, "config"
    )  # (values the user gave: as given)
    given = rows_table([{"optimizer": "sgd", "hyperparameters": {"lr": 0.1, "nesterov": True}}])
    assert ">lr=0.1, nesterov=true<" in given
    assert cell({"done": False, "at": 3}) == "<td>done=no, at=3</td>"


def test_a_runs_versions_read_as_a_small_table_not_an_object():
    # (every page's details read 'versions {nnlab: 0.1.0, python: 3.11.7, numpy: 2.4.6, ...}')
    versions = {"nnlab": "0.1.0", "python": "3.11.7", "blas": "openblas 0.3.31 (Haswell kernels)"}
    html = kv_table([("versions", versions)])
    assert html.startswith('<table class="kv"><tr><th scope="row">versions</th><td><table class')
    assert '<th scope="row">python</th><td>3.11.7</td>' in html and "{" not in html


def test_every_boolean_reads_as_yes_no_says_it_in_a_container_too():
    # (a boolean in a list or an object read 'true' where one alone read 'yes': an activations
    # run's recipe said 'batchnorm: false' above its summary's 'batchnorm no')
    from nnlab.report.values import as_given, compact, flow

    assert compact(True, key="passed") == "yes" and compact(False) == "no"
    assert flow({"batchnorm": False, "ok": [True, False]}) == "{batchnorm: no, ok: [yes, no]}"
    assert flow({"model.batchnorm": True}) == "{model.batchnorm: true}"  # (a config key's)
    assert flow(as_given({"nesterov": [True]})) == "{nesterov: [true]}"  # (as the user gave it)
    assert kv_value({"activations": ["relu"], "batchnorm": False}, "recipe").endswith(
        "batchnorm: no}"
    )


LR_SCAN = {
    "status": "COMPLETED", "initial_loss": 2.5, "epochs": 1,
    "rows": [
        {"lr": 0.1, "step_loss": 2.2, "step_change": -0.3, "train_loss": 1.6, "train_acc": 0.5,
         "test_acc": 0.5, "diverged": None, "best": "step, train"},
        {"lr": 1000.0, "step_loss": None, "step_change": None, "train_loss": None,
         "train_acc": None, "test_acc": None, "diverged": "step, train (epoch 1)", "best": ""},
    ],
}  # fmt: skip


@pytest.mark.parametrize("nothing", [None, ""])  # (as nnlab writes it now; as it wrote it)
def test_an_lr_scans_diverged_reads_no_where_nothing_diverged(nothing):
    # an lr-scan row's diverged names the parts that did ('step, train (epoch 1)'); where none
    # did it was "", which the page showed as "" (now null, and "" in older folders)
    from nnlab.report import terminal

    scan = {**LR_SCAN, "rows": [{**LR_SCAN["rows"][0], "diverged": nothing}, LR_SCAN["rows"][1]]}
    html = rows_table(scan["rows"], terminal.said("lr-scan", "scan", scan, "rows"))
    assert "<td>no</td>" in html and ">step, train (epoch 1)</td>" in html
    assert "&quot;" not in html and "<td></td><td" not in html.split("step, train<")[0]
    assert kv_value(nothing, "diverged") == "no"
    assert kv_value(None, "data_dir") == NONE  # (any other key's null: none, as before)


def test_nothing_in_a_rows_table_reads_as_the_terminal_prints_a_null_never_blank():
    # an lr-scan's best was "" in every row but the best rate's, and its losses null where the
    # rate diverged: the page showed blank cells (the diverged flag's fault, fixed for it alone)
    from nnlab.report import terminal

    said = terminal.said("lr-scan", "scan", LR_SCAN, "rows")
    body = rows_table(LR_SCAN["rows"], said).split("<tbody>", 1)[1]
    assert "<td></td>" not in body and "&quot;" not in body and "&#x27;" not in body
    last = re.findall(r"<td[^>]*>([^<]*)</td>", body.split("</tr>")[1])
    assert last[1:6] == ["-"] * 5 and last[-2:] == ["step, train (epoch 1)", "no"], last
    # (any folder's rows: a key a row lacks, a null, a blank text; a blank kv value is none)
    body = rows_table([{"a": 1.5, "note": ""}, {"b": None}]).split("<tbody>", 1)[1]
    assert "<td></td>" not in body and body.count("<td>-</td>") == 5, body
    assert kv_value("", "note") == NONE
    # (a column of nothing the terminal's table leaves out is left out, and named)
    from tests.report.test_terminal import ACTIVATIONS

    html = json_view(
        ACTIVATIONS, said=lambda key: terminal.said("activations", "a", ACTIVATIONS, key)
    )
    assert ">saturated<" not in html and '<p class="note">saturated: none in any row</p>' in html


def test_a_point_reads_one_way_on_every_page_as_the_terminal_writes_it():
    # compare-optimizers' page read 'minimum [0.0, 0.0]' above its table's start (-7, 2)
    from tests.report.test_terminal import COMPARISON

    assert kv_value([0.0, 0.0], "minimum") == "(0, 0)"
    assert kv_value([-7.0, 2.0], "start") == "(-7, 2)"
    assert kv_value([0.123456, 2], "final_point") == "(0.1235, 2)"
    assert kv_value([1, 2, 3], "shape") == "[1, 2, 3]"  # (not a point: as it was)
    runs = COMPARISON["runs"]
    html = rows_table(runs)  # (no terminal table drawn: the same points)
    assert "(-7, 2)" in html and "[-7" not in html, html
    whole = json_view({**COMPARISON, "minimum": [0.0, 0.0]})
    assert "<td>(0, 0)</td>" in whole and "[0" not in whole
