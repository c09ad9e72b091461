"""A search's page says what to do with its result, as a command: an lr-scan's training at its
best rate (a wider scan where that rate is an end of its range), a tune's best trial trained
again. They gave only the command that made them."""

from __future__ import annotations

import html
import re
from pathlib import Path

from nnlab.report import build_report
from tests.report.helpers import page


def commands(text: str) -> dict[str, str]:
    """The Reproduce section's (what, command) pairs."""
    section = text.split("<h2>Reproduce</h2>", 1)[1].split("</section>", 1)[0]
    pairs = re.findall(r'<p class="note">(.*?)</p>\s*<pre class="cmd">(.*?)</pre>', section, re.S)
    return {html.unescape(what): html.unescape(cmd) for what, cmd in pairs}


def test_an_lr_scan_and_a_tune_say_what_to_train_next(every_kind, tmp_path):
    result = build_report((), every_kind, tmp_path / "report")
    scan = next(p for p in every_kind.iterdir() if "-lr-scan-" in p.name)
    offered = commands(page(result.out, scan))
    # (its best rate, 0.1, is the top of its range: the page offered training at it, where the
    # terminal's next: said to widen the range first; both now offer the wider scan)
    what = next(w for w in offered if w.endswith("scanned: a wider range"))
    # (its one-step rate is best at 0.1 too: the page, which has no note above, says both)
    assert what == (
        "the best one-step and training rate 0.1 is the largest one scanned: a wider range"
    )
    assert offered[what] == (
        f"nnlab lr-scan {scan}/config.yaml --min -10 --max 0 --num 3 --epochs 1 --runs-dir {every_kind}"
    )
    assert not any(c.startswith("nnlab train") for c in offered.values())
    tune = next(p for p in every_kind.iterdir() if "-tune-" in p.name)
    offered = commands(page(result.out, tune))
    what = next(w for w in offered if w.startswith("train the best trial again"))
    assert "optimizer.lr=" in what and "validation split" in what
    assert re.fullmatch(
        rf"nnlab train {re.escape(str(tune))}/rounds/[^/]+/trials/\w+/config\.yaml "
        rf"--runs-dir {re.escape(str(every_kind))}",
        offered[what],
    )


def test_an_extended_runs_page_links_the_run_it_was_trained_on_from(tmp_path):
    from tests.report.helpers import make_run

    source = make_run(tmp_path / "runs", "first", epochs=2)
    longer = make_run(tmp_path / "runs", "longer", epochs=4,
                      extended_from=str(source.path.resolve()), from_epoch=2)  # fmt: skip
    out = build_report((), tmp_path / "runs")
    page = (out.index.parent / longer.id / "index.html").read_text()
    assert (
        f'trained on from <a href="../{source.id}/index.html">{source.id}</a> after its epoch 2'
        in page
    )


def test_a_landscapes_page_links_the_run_it_was_made_from(tmp_path):
    # (its page gave the run as a path, 'source_run /home/me/runs/2026...', in its details)
    from tests.report.helpers import make_run

    root = tmp_path / "runs"
    source = make_run(root, "trained", epochs=2)
    around = make_run(root, "land", kind="landscape", source_run=str(source.path))
    gone = make_run(root, "elsewhere", kind="landscape", source_run="/no/such/run")
    out = build_report((), root).out
    page = (out / around.id / "index.html").read_text()
    assert f'made from run <a href="../{source.id}/index.html">{source.id}</a>' in page
    assert "made from run /no/such/run<" in (out / gone.id / "index.html").read_text()
    # (and the run's page links what was made from it: it said nothing of it)
    back = (out / source.id / "index.html").read_text()
    sid = around.id.rsplit("-", 1)[1]
    assert (
        f'made from this run: <a href="../{around.id}/index.html">landscape {sid}</a></p>' in back
    )


def test_a_diverged_runs_page_offers_the_step_size_table_of_its_config(tmp_path):
    from nnlab import runs
    from tests.conftest import invoke

    config = Path(__file__).resolve().parents[2] / "configs" / "digits-quickstart.yaml"
    result = invoke("train", config, "model.init=std", "model.init_std=100",
                    "optimizer.lr=100", "epochs=2", "-q", runs_dir=tmp_path / "runs")  # fmt: skip
    (run,) = runs.iter_runs(tmp_path / "runs")
    assert result.exit_code == 1 and run.status == "DIVERGED", result.output
    out = build_report((), tmp_path / "runs")
    page = (out.index.parent / run.id / "index.html").read_text()
    assert "it diverged at epoch 1: find a step size it trains at" in page
    assert f"nnlab lr-scan {run.path}/config.yaml --runs-dir {tmp_path / 'runs'}</pre>" in page


def test_a_sweeps_page_names_its_best_trial_and_marks_its_row(every_kind, tmp_path):
    from nnlab.report import facts
    from nnlab.report.collect import collect

    result = build_report((), every_kind, tmp_path / "report")
    sweep = next(e for e in collect((), every_kind) if e.kind == "sweep" and "/" not in e.rel)
    best = facts.best_trial(sweep)
    text = page(result.out, every_kind / sweep.rel)
    assert f'best trial: <a href="{best.rel[len(sweep.rel) + 1 :]}/index.html">{best.name}' in text
    assert len(re.findall(r'<td[^>]* class="notes"[^>]*>best( · [^<]*)?</td>', text)) == 1


def test_an_lr_scan_whose_every_rate_diverged_offers_the_scan_below_its_range(tmp_path):
    # (its page offered nothing but the command that made it: next_step has no rate to train)
    from tests.report.conftest import CONFIG, run_cli

    root = tmp_path / "runs"
    args = ["lr-scan", CONFIG, "--min", "3", "--max", "4", "--num", "2", "--epochs", "1"]
    run_cli([*args, "dataset.n_train=300", "-q"], root)
    scan = next(p for p in root.iterdir() if "-lr-scan-" in p.name)
    offered = commands(page(build_report((), root).out, scan))
    what = "every rate scanned diverged in training (1000 to 10000): smaller ones"
    assert offered[what] == (
        f"nnlab lr-scan {scan}/config.yaml --min -1 --max 2 --num 4 --epochs 1 --runs-dir {root}"
    )


def test_a_lower_scan_is_offered_only_where_every_rate_diverged():
    from nnlab.report.facts import lower_scan

    rows = [{"lr": 0.3, "diverged": "train (epoch 1)"}, {"lr": 3.0, "diverged": "train (epoch 2)"}]
    assert lower_scan({"rows": rows}, "s") == (
        "every rate scanned diverged in training (0.3 to 3): smaller ones",
        "nnlab lr-scan s/config.yaml --min -4 --max -1 --num 4",
    )
    assert lower_scan({"rows": [*rows, {"lr": 0.01, "diverged": None}]}, "s") is None
    assert lower_scan({"rows": [{"lr": 1e-29, "diverged": "train"}]}, "s") is None  # (the bound)
    assert lower_scan({"rows": []}, "s") is None and lower_scan({}, "s") is None
