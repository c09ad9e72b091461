"""A tune's page says each trial's round: its table of trials mixed the rounds' trials with
nothing to tell them apart (only the Summary's top table had a round column). Each round has
a page of its own, linked from the tune's, and no page names a folder by its absolute path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnlab.report import build_report
from tests.conftest import invoke
from tests.report.helpers import page

pytestmark = pytest.mark.slow  # (a tune of two rounds: ~5 s)

CONFIG = "configs/digits-quickstart.yaml"  # (the tests run from the project root)


@pytest.fixture(scope="module")
def tune_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A two-round tune (two trials a round) and its report: (the tune's folder, the report)."""
    tmp = tmp_path_factory.mktemp("tune")
    runs = tmp / "runs"
    args = ["tune", CONFIG, "--trials", "2", "--rounds", "2", "--top-k", "1", "--epochs", "1",
            "dataset.n_train=100", "model.hidden=[8]", "-q"]  # fmt: skip
    assert invoke(*args, runs_dir=runs).exit_code == 0
    (tune,) = runs.iterdir()
    return tune, build_report((), runs, tmp / "report").out


def test_a_tunes_trials_table_has_each_trials_round(tune_report):
    tune, out = tune_report
    html = page(out, tune)
    table = html.split('id="trials"', 1)[1].split("</table>", 1)[0]
    heads = re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)
    assert any(h.startswith("round") for h in heads), heads
    body = table.split("<tbody>", 1)[1]
    rounds = [re.findall(r"<td[^>]*>([^<]*)</td>", row)[0] for row in body.split("</tr>")[:-1]]
    assert rounds == ["1", "1", "2", "2"], rounds


def test_each_round_of_a_tune_has_a_page_linked_from_the_tunes(tune_report):
    # (a tune's rounds had no page: its rounds table named each by its folder, as text)
    tune, out = tune_report
    rounds = sorted(p.name for p in (tune / "rounds").iterdir())
    html = page(out, tune)
    for n, name in enumerate(rounds, start=1):
        round_page = out / tune.name / "rounds" / name / "index.html"
        text = round_page.read_text(encoding="utf-8")
        assert f'<a href="rounds/{name}/index.html">' in html, name  # (the tune's links)
        assert f"-r{n}" in text.split("</h1>", 1)[0] and "2 trials" in text
        trials = re.findall(r'class="name"><a href="(trials/[^/"]+/index.html)"', text)
        assert len(trials) == 2 and all((round_page.parent / t).is_file() for t in trials)
        assert 'href="../../index.html">digits-quickstart</a>' in text  # (up: the tune)
        assert (round_page.parent / "data.js").is_file()  # (its compare view's curves)
        trial = (round_page.parent / trials[0]).read_text(encoding="utf-8")
        crumbs = re.findall(r'<a href="([^"]+)">([^<]+)</a>', trial.split("</nav>", 1)[0])
        assert crumbs[1:] == [("../../../../index.html", "digits-quickstart"),
                              ("../../index.html", f"digits-quickstart-r{n}")], crumbs  # fmt: skip


def test_no_page_names_a_folder_by_its_absolute_path_but_in_a_command(tune_report):
    # (a tune's sweeps read '/home/me/runs/<tune>/rounds/<round>'; a command is to be copied)
    tune, out = tune_report
    for path in out.rglob("*/index.html"):  # (the index says where the runs folder is)
        text = re.sub(
            r'<pre class="cmd">.*?</pre>', "", path.read_text(encoding="utf-8"), flags=re.S
        )
        assert str(tune.parent) not in text, path
    assert (
        f'<a href="rounds/{sorted((tune / "rounds").iterdir())[0].name}/index.html">'
        in (page(out, tune).split("<h2>Summary</h2>", 1)[1].split("</section>", 1)[0])
    )  # (its sweeps: links)


def test_a_moved_tunes_sweeps_still_link_its_rounds(tune_report, tmp_path):
    # (a runs folder moved or copied: its tune's sweeps name the rounds where they were)
    import shutil

    tune, _ = tune_report
    moved = tmp_path / "elsewhere" / "runs" / f"{tune.name[:-6]}abcdef"
    shutil.copytree(tune, moved)
    out = build_report((), moved.parent, tmp_path / "report").out
    summary = page(out, moved).split("<h2>Summary</h2>", 1)[1].split("</section>", 1)[0]
    for round_ in sorted((moved / "rounds").iterdir()):
        rel = f"{moved.name}/rounds/{round_.name}"
        assert f'<a href="rounds/{round_.name}/index.html">{rel}</a>' in summary
    assert str(tune.parent) not in summary
