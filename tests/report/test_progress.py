"""A run that has not finished says how far it got: its page's subtitle names the epoch it is at
(or stopped at) of the epochs its config asks for, and its metrics are of its last epoch ('epoch 2 so far', 'last epoch 5'), not 'final'."""

from __future__ import annotations

import re

from nnlab.report import build_report
from tests.report.helpers import make_run, make_running, page


def subtitle(html: str) -> str:
    """A page's subtitle, its no-break spaces (a count's, one word) read as spaces."""
    return re.search(r'<p class="sub">(.*?)</p>', html).group(1).replace("\u00a0", " ")


def metrics_head(html: str) -> list[str]:
    table = html.split('<table class="kv metrics">', 1)[1]
    return re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table.split("</tr>", 1)[0])


def asks_for(run, epochs: int) -> None:
    text = run.file("config.yaml").read_text()
    run.file("config.yaml").write_text(re.sub(r"epochs: \d+", f"epochs: {epochs}", text))


def test_a_running_run_says_how_far_it_is_and_its_metrics_are_so_far(tmp_path):
    # a RUNNING run of 3,000 epochs, 660 in, read 'final' metrics and gave no progress at all
    root = tmp_path / "runs"
    running, stopped = make_running(root), make_run(root, "stopped", status="INTERRUPTED")
    failed = make_run(root, "failed", epochs=3, status="FAILED")
    done = make_run(root, "done")
    asks_for(running, 3000)
    asks_for(stopped, 40)
    result = build_report((), root, tmp_path / "report")
    html = page(result.out, running.path)
    assert subtitle(html).endswith("epoch 2 of 3,000 so far")
    assert metrics_head(html) == ["", "epoch 2 so far", "best"]
    assert subtitle(page(result.out, stopped.path)).endswith("epoch 5 of 40")
    # (an INTERRUPTED run's read 'final', as if it had trained its 40 epochs)
    assert metrics_head(page(result.out, stopped.path)) == ["", "last epoch 5", "best"]
    assert metrics_head(page(result.out, failed.path)) == ["", "last epoch 3", "best"]
    assert "epoch" not in subtitle(page(result.out, done.path))  # (finished: its table says)
    assert metrics_head(page(result.out, done.path)) == ["", "final", "best"]


def test_an_unfinished_run_reads_its_epochs_of_those_planned_in_every_table(tmp_path):
    # runs list said 'INTERRUPTED | 1831' of a run of 2000 epochs: nothing of how many it was
    # to train. A COMPLETED run keeps its count alone; json and csv keep epochs a number.
    import json

    from tests.conftest import invoke

    root = tmp_path / "runs"
    stopped = make_run(root, "stopped", status="INTERRUPTED")
    make_run(root, "done")
    asks_for(stopped, 40)
    table = invoke("runs", "list", runs_dir=root).stdout
    # (right-aligned, the numbers of a column that holds them: they read left-aligned)
    assert re.search(r"stopped.*│ +5/40 │", table) and re.search(r"-done-.*│ +5 │", table)
    listed = json.loads(invoke("runs", "list", "-f", "json", runs_dir=root).stdout)
    assert {r["name"]: (r["epochs_done"], r["epochs_planned"]) for r in listed} == {
        "stopped": (5, 40),
        "done": (5, 5),
    }
    assert "INTERRUPTED after 5 of 40 epochs" in invoke("runs", "show", stopped.path).stdout
    html = (build_report((), root, tmp_path / "report").out / "index.html").read_text()
    # (the report's tables as its pages say it: '5 of 40', not runs list's '5/40')
    assert re.search(r'data-label="epochs done" data-v="5.0">5&#160;of&#160;40</td>', html)
    assert re.search(r'data-label="epochs done" data-v="5.0">5</td>', html)


def test_the_index_writes_a_runs_progress_as_its_page_does(tmp_path):
    # the index said '1617/30000' where the run's page said 'epoch 1,617 of 30,000'
    root = tmp_path / "runs"
    stopped = make_run(root, "stopped", epochs=1617, status="INTERRUPTED")
    asks_for(stopped, 30000)
    long = make_run(root, "long", epochs=1200)
    out = build_report((), root, tmp_path / "report").out
    html = (out / "index.html").read_text()
    assert subtitle(page(out, stopped.path)).endswith("epoch 1,617 of 30,000")
    assert "1,617\u00a0of\u00a030,000" in page(out, stopped.path)  # (on one line)
    assert re.search(
        r'data-label="epochs done" data-v="1617.0">1,617&#160;of&#160;30,000</td>', html
    )
    assert re.search(r'data-label="epochs done" data-v="1200.0">1,200</td>', html)
    assert "1617/30000" not in html and long.path.name in html
