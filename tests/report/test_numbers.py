"""Numbers in the report read as ``runs show`` and the tables print them (``output.number``):
4 decimals from 0.001 to 10,000, scientific notation outside, on every page alike."""

from __future__ import annotations

import json
import re

from nnlab import times
from nnlab.output import column_format, config_number, is_config_key, number, table_cell
from nnlab.report import build_report
from nnlab.report.svg import Series, line_chart
from nnlab.summary import summarize
from tests.report.helpers import index_rows, make_run, page


def test_a_run_pages_metrics_read_as_the_index_and_runs_show_print_them(tmp_path):
    # the run page's table read 1, 0.004439, 367737 and 3.689e+05 where the index and
    # `runs show` print 1.0000, 0.004439 (4 significant digits below 0.01), 3.677e+05
    root = tmp_path / "runs"
    run = make_run(root, "numbers")
    records = [json.loads(line) for line in run.file("metrics.jsonl").read_text().splitlines()]
    records[-1].update(train_acc=1.0, train_loss=0.004439, test_loss=367737.0, test_acc=0.9966)
    records[1].update(test_loss=0.0004)
    run.file("metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = {**summarize(records, "COMPLETED"), "status": "COMPLETED", "epochs": 5}
    run.file("summary.json").write_text(json.dumps(summary))
    result = build_report((), root, tmp_path / "report")
    table = (
        page(result.out, run.path).split('<table class="kv metrics">', 1)[1].split("</table>")[0]
    )
    rows = {
        re.sub("<[^>]+>", "", th): [re.sub("<[^>]+>", "", td) for td in tds]
        for th, tds in (
            (r.split("</th>")[0], re.findall(r"<td[^>]*>.*?</td>", r))
            for r in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table)
        )
        if th
    }
    assert rows["train acc"] == ["1.0000", "1.0000"]
    assert rows["train loss"][0] == "0.004439"  # (4 decimals read 0.0044)
    assert rows["test loss"] == ["3.677e+05", "4.000e-04"]
    assert rows["test acc"][0] == "0.9966"
    details = index_rows(result.index.read_text())[0].split("<details>", 1)[1]
    assert "<dt>final test loss</dt><dd>3.677e+05</dd>" in details  # (the index: the same)


def test_a_sweeps_trials_table_writes_durations_as_nnlab_writes_every_duration(
    every_kind, tmp_path
):
    """A trial's time read 0.33 under 'seconds', a number without its unit: it reads as every
    duration nnlab prints (``times.duration``: '0.3 s'), sorted by its seconds."""
    result = build_report((), every_kind, tmp_path / "report")
    sweep = next(p for p in every_kind.iterdir() if "sweep-weight-scale" in p.name)
    table = page(result.out, sweep).split('<table id="trials"', 1)[1]
    head, body = table.split("</thead>", 1)
    column = [re.sub("<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>.*?</th>", head)]
    at = column.index("duration")
    rows = re.findall(r"<tr .*?</tr>", body.split("</tbody>", 1)[0])
    cells = [re.findall(r'<td[^>]*?(?: data-v="([^"]*)")?>(.*?)</td>', r)[at] for r in rows]
    assert cells and all(
        text == times.duration(float(v)) and re.fullmatch(r"\d+(\.\d)? m?s", text)
        for v, text in cells
    ), cells


def test_an_lr_scans_rows_and_summary_read_as_runs_show_prints_them(every_kind, tmp_path):
    # the rows read 2.542 beside 0.09733 and 0.1044 (4 significant digits), where `runs show`
    # prints 2.5419, 0.0973, 0.1044: one format for a measured number on every page
    result = build_report((), every_kind, tmp_path / "report")
    scan = next(p for p in every_kind.iterdir() if "-lr-scan-" in p.name)
    text = page(result.out, scan)
    summary = json.loads((scan / "summary.json").read_text())
    rows = text.split("<h3>rows</h3>", 1)[1].split("</table>", 1)[0]
    cells = [re.sub("<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", rows)]
    specs = {k: column_format(summary["rows"], k) for r in summary["rows"] for k in r}
    shown = {  # (its rates, config values, as `runs show` spells them: 1e-10, not 1.000e-10;
        # a measured number in its column's one format)
        config_number(v) if is_config_key(k) else table_cell(v, k, specs[k])
        for r in summary["rows"]
        for k, v in r.items()
        if isinstance(v, float)
    }
    assert shown and shown <= set(cells), (shown - set(cells), cells)
    loss = number(summary["initial_loss"])
    assert f'<th scope="row">initial_loss</th><td>{loss}</td>' in text


def test_a_hover_gives_an_accuracy_of_1_as_1_0000():
    svg = line_chart([Series("train acc", [(0, 0.5), (1, 1.0)])], "accuracy", accuracy=True)
    assert "<title>train acc, epoch 1: 1.0000</title>" in svg and ": 1</title>" not in svg


def test_a_rows_tables_number_columns_are_marked_for_right_alignment(every_kind, tmp_path):
    # the stylesheet's `td[data-v] { text-align: right }` lost to `table.data td` (more specific):
    # numbers sat left-aligned, 1.000e-10 ragged against 0.0010
    result = build_report((), every_kind, tmp_path / "report")
    scan = next(p for p in every_kind.iterdir() if "-lr-scan-" in p.name)
    head = page(result.out, scan).split("<h3>rows</h3>", 1)[1].split("</thead>", 1)[0]
    head = head.replace("<wbr>", "")  # (where a header may wrap)
    heads = re.findall(r'<th scope="col"( class="num")?>(\w+)</th>', head)
    numeric = {name for mark, name in heads if mark}
    assert {"lr", "step_loss", "train_loss"} <= numeric and "best" not in numeric, heads
    css = (result.out / "_assets" / "report.css").read_text()
    assert "table.data td[data-v]" in css and "table.data th.num" in css


def test_a_config_value_reads_as_the_terminals_tables_spell_it():
    # (a tune's top trials read optimizer.lr 8.462e-04 and its best value so far 0.0915 where
    # `nnlab tune` printed 0.0008462 and 0.09155: a config value is output.config_number's)
    from types import SimpleNamespace

    from nnlab.output import config_number
    from nnlab.report.sweeps import _spelled
    from nnlab.report.values import json_view, rows_table

    row = {"optimizer.lr": 0.0008462, "lr": 1e-05, "weight_decay": 0.0, "final_val_acc": 0.74}
    html = rows_table([row])
    for cell in ("0.0008462", "1e-05", "0", "0.7400"):  # (the metric: a measured number)
        assert f">{cell}</td>" in html, (cell, html)
    ranges = [{"round": 1, "key": "optimizer.lr", "searched": "1e-06 .. 0.1", "best": 0.091548}]
    tune = SimpleNamespace(kind="tune", summary={"ranges": ranges, "metric": "final_val_acc"})
    shown = json_view(_spelled(tune))
    assert f">{config_number(0.091548)}</td>" in shown and ">0.0915</td>" not in shown
    assert ranges[0]["best"] == 0.091548 and type(ranges[0]["best"]) is float  # (not changed)
    sweep = SimpleNamespace(kind="sweep", summary={"ranges": ranges})
    assert _spelled(sweep) is sweep.summary


def test_an_lr_scans_best_rates_read_as_its_note_spells_them():
    # (the report's summary wrote best_step_lr 10**-1.5 as 0.0316, where the scan's note and
    # its table said 0.03162: a rate is a config value, an optimizer.lr)
    from nnlab.report.values import kv_value

    for key in ("best_step_lr", "best_train_lr"):
        assert is_config_key(key)
    assert kv_value(10**-1.5, "best_step_lr") == "0.0316228"


def test_an_option_a_folder_records_reads_as_it_was_given():
    """A report's details read an lr-scan's recipe as {min_exp: -10.0000, max_exp: -1.0000}
    and its rates as [1.000e-10, ..., 0.1000] above a rows table of 1e-10 and 0.1, gradcheck's
    eps as 1.000e-05, compare-optimizers' tol as 0.0100, a landscape's range as lo -1.0000:
    numbers the user typed (or lr-scan spaced) spelt as measured ones."""
    from nnlab.report.values import kv_value

    recipe = {"min_exp": -10.0, "max_exp": -1.0, "num": 5, "epochs": 1}
    assert kv_value(recipe, "recipe") == "{min_exp: -10, max_exp: -1, num: 5, epochs: 1}"
    rates = [1e-10, 1.7782794100389227e-08, 0.1]
    assert kv_value(rates, "rates") == "[1e-10, 1.77828e-08, 0.1]"
    for key, value, shown in (("eps", 1e-05, "1e-05"), ("tol", 0.01, "0.01"), ("lo", -1.0, "-1"),
                              ("hi", 1.0, "1")):  # fmt: skip
        assert kv_value(value, key) == shown, key
    settings = {"normalize": "filter", "lo": -1.0, "hi": 1.0, "points": 7}
    html = kv_value(settings, "settings")
    for key, shown in (("normalize", "filter"), ("range", "-1:1"), ("points", "7")):
        assert f'<th scope="row">{key}</th><td>{shown}</td>' in html, key
