"""Numbers in the report read as ``runs show`` and the tables print them (``output.number``):
4 decimals from 0.001 to 10,000, scientific notation outside, on every page alike."""

from __future__ import annotations

import json
import re

from nnlab.report import build_report
from nnlab.summary import summarize
from tests.report.helpers import index_rows, make_run, page


def test_a_run_pages_metrics_read_as_the_index_and_runs_show_print_them(tmp_path):
    # the run page's table read 1, 0.004439, 367737 and 3.689e+05 where the index and
    # `runs show` print 1.0000, 0.0044, 3.677e+05
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
            for r in re.findall(r"<tr><th>(.*?)</tr>", table)
        )
        if th
    }
    assert rows["train acc"] == ["1.0000", "1.0000"]
    assert rows["train loss"][0] == "0.0044"
    assert rows["test loss"] == ["3.677e+05", "4.000e-04"]
    assert rows["test acc"][0] == "0.9966"
    details = index_rows(result.index.read_text())[0].split("<details>", 1)[1]
    assert "<dt>final test loss</dt><dd>3.677e+05</dd>" in details  # (the index: the same)


def test_a_sweeps_trials_table_gives_seconds_in_2_decimals_as_the_sweeps_table(
    every_kind, tmp_path
):
    result = build_report((), every_kind, tmp_path / "report")
    sweep = next(p for p in every_kind.iterdir() if "sweep-weight-scale" in p.name)
    table = page(result.out, sweep).split('<table id="trials"', 1)[1]
    head, body = table.split("</thead>", 1)
    column = [re.sub("<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>.*?</th>", head)]
    at = column.index("seconds")
    rows = re.findall(r"<tr .*?</tr>", body.split("</tbody>", 1)[0])
    seconds = [re.findall(r"<td[^>]*>(.*?)</td>", r)[at] for r in rows]
    assert seconds and all(re.fullmatch(r"\d+\.\d\d", s) for s in seconds), seconds
