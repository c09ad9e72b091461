"""Headings say what a table shows: "top 2 of 3 runs" when --top cut it, and counts are
singular for one ("1 folder")."""

from __future__ import annotations

import pytest

from nnlab.experiments.tune_report import top_title
from nnlab.output import part_of
from tests.conftest import invoke

TINY = "dataset: {name: spiral, n_per_class: 20, n_test: 12}\nmodel: {hidden: [4]}\n"


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("headings")
    config = root / "tiny.yaml"
    config.write_text(TINY + "batch_size: 12\nepochs: 1\n")
    result = invoke("sweep", "grid", config, "optimizer.lr=0.1,0.01,0.001", "-q",
                    runs_dir=root / "runs")  # fmt: skip
    assert result.exit_code == 0, result.output
    return root / "runs"


@pytest.mark.parametrize(
    ("options", "heading"),
    [
        (["--sort", "final_train_acc", "--top", "2"], "top 2 of 3 runs, sorted by final_train_acc"),
        (["--sort", "final_train_acc"], "3 runs, sorted by final_train_acc"),
        (["--top", "5"], "3 runs"),
        (["--top", "1"], "first 1 of 3 runs"),
        (["--sort", "epochs_done", "--reverse", "--top", "2"],
         "first 2 of 3 runs, sorted by epochs_done (reversed)"),
    ],
)  # fmt: skip
def test_runs_compare_heading_says_what_is_shown_of_how_many(three_runs, options, heading):
    result = invoke("runs", "compare", "latest", *options, runs_dir=three_runs)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == heading


def test_part_of_names_the_cut_only_when_there_is_one():
    assert part_of(3, 10, "run") == "top 3 of 10 runs"
    assert part_of(1, 1, "run") == "1 run"
    assert part_of(2, 2, "trial", "first") == "2 trials"


def test_tune_heading_counts_every_trial_it_ranked_from():
    top = [{"trial": "a"}, {"trial": "b"}]
    summary = {"top": top, "trials": {"COMPLETED": 7, "DIVERGED": 1}, "metric": "val_acc"}
    assert top_title(summary) == "top 2 of 8 trials by val_acc"
    assert top_title({**summary, "trials": {"COMPLETED": 2}}) == "2 trials by val_acc"
