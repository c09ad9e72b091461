"""A tune's page says each trial's round: its table of trials mixed the rounds' trials with
nothing to tell them apart (only the Summary's top table had a round column)."""

from __future__ import annotations

import re

from nnlab.report import build_report
from tests.conftest import invoke
from tests.report.helpers import page

CONFIG = "configs/digits-quickstart.yaml"  # (the tests run from the project root)


def test_a_tunes_trials_table_has_each_trials_round(tmp_path):
    runs = tmp_path / "runs"
    args = ["tune", CONFIG, "--trials", "2", "--rounds", "2", "--top-k", "1", "--epochs", "1",
            "dataset.n_train=100", "model.hidden=[8]", "-q"]  # fmt: skip
    assert invoke(*args, runs_dir=runs).exit_code == 0
    (tune,) = runs.iterdir()
    result = build_report((), runs, tmp_path / "report")
    html = page(result.out, tune)
    table = html.split('id="trials"', 1)[1].split("</table>", 1)[0]
    heads = re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)
    assert any(h.startswith("round") for h in heads), heads
    body = table.split("<tbody>", 1)[1]
    rounds = [re.findall(r"<td[^>]*>([^<]*)</td>", row)[0] for row in body.split("</tr>")[:-1]]
    assert rounds == ["1", "1", "2", "2"], rounds
