"""A run that has not finished says how far it got: its page's subtitle names the epoch it is at
(or stopped at) of the epochs its config asks for, and a RUNNING run's metrics are 'so far'."""

from __future__ import annotations

import re

from nnlab.report import build_report
from tests.report.helpers import make_run, make_running, page


def subtitle(html: str) -> str:
    return re.search(r'<p class="sub">(.*?)</p>', html).group(1)


def metrics_head(html: str) -> list[str]:
    table = html.split('<table class="kv metrics">', 1)[1]
    return re.findall(r"<th>([^<]*)</th>", table.split("</tr>", 1)[0])


def asks_for(run, epochs: int) -> None:
    text = run.file("config.yaml").read_text()
    run.file("config.yaml").write_text(re.sub(r"epochs: \d+", f"epochs: {epochs}", text))


def test_a_running_run_says_how_far_it_is_and_its_metrics_are_so_far(tmp_path):
    # a RUNNING run of 3,000 epochs, 660 in, read 'final' metrics and gave no progress at all
    root = tmp_path / "runs"
    running, stopped = make_running(root), make_run(root, "stopped", status="INTERRUPTED")
    done = make_run(root, "done")
    asks_for(running, 3000)
    asks_for(stopped, 40)
    result = build_report((), root, tmp_path / "report")
    html = page(result.out, running.path)
    assert subtitle(html).endswith("epoch 2 of 3000 so far")
    assert metrics_head(html) == ["", "so far", "best"]
    assert subtitle(page(result.out, stopped.path)).endswith("epoch 5 of 40")
    assert "epoch" not in subtitle(page(result.out, done.path))  # (finished: its table says)
    assert metrics_head(page(result.out, done.path)) == ["", "final", "best"]
