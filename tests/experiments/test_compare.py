"""`runs compare` helpers: flattening configs and sorting rows best first."""

from __future__ import annotations

import pytest

from nnlab.errors import ConfigError, RunError
from nnlab.experiments.compare import compare_runs, flatten, sort_rows
from nnlab.experiments.listing import list_runs


def test_flatten_makes_dotted_keys_and_keeps_lists_whole():
    cfg = {"model": {"hidden": [100, 100], "init": "he"}, "epochs": 3}
    assert flatten(cfg) == {"model.hidden": [100, 100], "model.init": "he", "epochs": 3}


def test_sort_puts_best_first_and_missing_last():
    rows = [
        {"run": "a", "final_test_acc": 0.5, "final_loss": 0.3},
        {"run": "b", "final_test_acc": None, "final_loss": 0.1},
        {"run": "c", "final_test_acc": 0.9, "final_loss": 0.2},
    ]
    assert [r["run"] for r in sort_rows(rows, "final_test_acc")] == ["c", "a", "b"]
    assert [r["run"] for r in sort_rows(rows, "final_test_acc", reverse=True)] == ["a", "c", "b"]
    assert [r["run"] for r in sort_rows(rows, "final_loss")] == ["b", "c", "a"]
    with pytest.raises(ConfigError, match="no column 'accuracy'"):
        sort_rows(rows, "accuracy")


def test_compare_needs_a_run_and_a_positive_top(tmp_path):
    with pytest.raises(RunError, match="at least one"):
        compare_runs([], tmp_path)
    with pytest.raises(ConfigError, match="--top"):
        compare_runs(["x"], tmp_path, top=0)


def test_compare_shows_the_train_test_gap_of_each_run(tmp_path):
    from nnlab.config import load_config
    from nnlab.experiments.train import run_training

    base = ["model.hidden=[30]", "dataset.n_train=100", "epochs=3", "batch_size=50"]
    for extra in (["weight_decay=0.0"], ["weight_decay=0.1"]):
        run_training(load_config(None, [*base, *extra]), runs_dir=tmp_path, plot=False)
    refs = [p.name for p in sorted(tmp_path.iterdir())]
    rows, columns, _ = compare_runs(refs, tmp_path, sort="acc_gap", png=tmp_path / "gaps.png")
    assert (tmp_path / "gaps.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert columns[-1] == "acc_gap" and "weight_decay" in columns
    for row in rows:
        assert row["acc_gap"] == pytest.approx(row["final_train_acc"] - row["final_test_acc"])
    assert rows[0]["acc_gap"] <= rows[1]["acc_gap"]  # smallest gap first


def test_compare_figure_labels_values_as_the_config_spells_them(tmp_path, monkeypatch):
    # (`runs compare --png` labelled a flag True and a float with 4 digits, the sweep lines 3)
    from nnlab import plots
    from nnlab.config import load_config
    from nnlab.experiments.train import run_training

    base = ["model.hidden=[10]", "dataset.n_train=60", "epochs=1", "batch_size=30"]
    for extra in (["model.batchnorm=true", "optimizer.lr=0.0123456"], ["optimizer.lr=0.1"]):
        run_training(load_config(None, [*base, *extra]), runs_dir=tmp_path, plot=False)
    seen = []
    monkeypatch.setattr(plots, "accuracy_gaps_figure", lambda panels, title: seen.extend(panels))
    monkeypatch.setattr(plots, "save", lambda *args: None)
    compare_runs([p.name for p in sorted(tmp_path.iterdir())], tmp_path, png=tmp_path / "g.png")
    labels = sorted(p["label"].split("\n", 1)[1] for p in seen)  # (after the run's name)
    # (a float as runs compare's table column spells it, output.config_number: it read 0.0123,
    # then 0.01235, a value another run could have been given)
    assert labels == ["model.batchnorm=false\noptimizer.lr=0.1",
                      "model.batchnorm=true\noptimizer.lr=0.0123456"]  # fmt: skip


def test_a_diverged_trial_is_compared_without_final_values(tmp_path):
    # a diverged run has no final values (nnlab.summary): "-" in the table, no gap, sorted last
    from nnlab import sweep as sw

    base = {"name": "tiny", "model": {"hidden": [100, 100]}, "epochs": 3,
            "dataset": {"name": "digits", "n_test": 297},
            "optimizer": {"name": "momentum", "lr": 0.05, "momentum": 0.9}}  # fmt: skip
    spec = sw.SweepSpec(params={"optimizer.lr": [1000.0, 0.05]})  # (the quick start's net)
    sw.run_sweep(sw.SweepDef("tiny", base, spec), runs_dir=tmp_path)
    rows, columns, _ = compare_runs(["latest"], tmp_path, sort="final_test_acc")
    ok, diverged = rows
    assert (ok["status"], diverged["status"]) == ("COMPLETED", "DIVERGED")
    assert diverged["diverged_epoch"] == 1 and "acc_gap" not in diverged
    assert all(diverged[c] is None for c in columns if c.startswith("final_"))
    assert diverged["best_test_acc"] is not None  # (epoch 0's, before it diverged)


def test_a_key_one_config_lacks_differs_even_from_null_and_is_left_out_of_its_row():
    from nnlab.experiments.compare import differing

    entries = [
        ({"run": "digits"}, {"dataset.name": "digits", "dataset.n_test": None}),
        ({"run": "blobs"}, {"dataset.name": "blobs", "dataset.spread": None}),
    ]
    rows, varying = differing(entries)
    assert varying == ["dataset.name", "dataset.n_test", "dataset.spread"]  # (null vs none)
    assert rows == [{"run": "digits", "dataset.name": "digits", "dataset.n_test": None},
                    {"run": "blobs", "dataset.name": "blobs", "dataset.spread": None}]  # fmt: skip


def test_a_key_another_dataset_has_is_shown_as_not_applying_and_a_null_as_null(tmp_path):
    # (a digits run beside a spiral run showed dataset.noise: null, a value its config never had)
    import csv
    import io
    import json

    from nnlab.config import load_config
    from nnlab.experiments.train import run_training
    from tests.conftest import invoke

    base = ["model.hidden=[10]", "epochs=1", "batch_size=30"]
    for extra in (["name=a-digits", "dataset.n_train=60"],
                  ["name=b-spiral", "dataset={name: spiral, n_per_class: 30}"],
                  ["name=c-digits", "dataset.n_train=60", "dataset.n_test=null"]):  # fmt: skip
        run_training(load_config(None, [*base, *extra]), runs_dir=tmp_path, plot=False)
    by_name = sorted(tmp_path.iterdir(), key=lambda p: p.name.split("-", 2)[2])
    digits, spiral, null_test = refs = [p.name for p in by_name]
    args = ["runs", "compare", *refs, "--runs-dir", tmp_path]
    rows = {r["run"]: r for r in json.loads(invoke(*args, "-f", "json").stdout)}
    assert "dataset.noise" not in rows[digits] and "dataset.noise" not in rows[null_test]
    assert rows[spiral]["dataset.noise"] == 0.2
    assert rows[null_test]["dataset.n_test"] is None and rows[digits]["dataset.n_test"] == 297
    table = invoke(*args).stdout
    cells = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[1:-1]]
        for line in table.splitlines()
        if line.startswith("│")
    }
    header = [c.strip() for c in next(ln for ln in table.splitlines() if "┃" in ln).split("┃")]
    noise, n_test = header.index("dataset.noise") - 1, header.index("dataset.n_test") - 1
    assert [cells[r][noise] for r in refs] == ["-", "0.2", "-"]
    assert [cells[r][n_test] for r in refs] == ["297", "null", "null"]  # (spiral's is null too)
    found = {r["run"]: r for r in csv.DictReader(io.StringIO(invoke(*args, "-f", "csv").stdout))}
    assert found[digits]["dataset.noise"] == "" and found[spiral]["dataset.noise"] == "0.2"
    assert list(found[digits]).index("dataset.noise") < list(found[digits]).index("status")


def test_runs_differing_in_epochs_show_the_config_and_the_epochs_done(tmp_path):
    # (a varying 'epochs' column showed the epochs done only: a run configured for 30000
    # epochs and interrupted at 631 read 631, its config's value nowhere)
    from nnlab.config import load_config
    from nnlab.experiments.train import run_training

    base = ["model.hidden=[10]", "dataset.n_train=60", "batch_size=30"]
    for epochs in (1, 2):
        run_training(load_config(None, [*base, f"epochs={epochs}"]), runs_dir=tmp_path, plot=False)
    refs = sorted(p.name for p in tmp_path.iterdir())
    rows, columns, _ = compare_runs(refs, tmp_path)
    assert columns[:4] == ["run", "epochs", "status", "epochs_done"]
    assert sorted((r["epochs"], r["epochs_done"]) for r in rows) == [(1, 1), (2, 2)]
    rows, columns, _ = compare_runs(refs[:1], tmp_path)  # (one run: nothing varies)
    # (the epochs trained are epochs_done whether or not the configs differ in epochs: they
    # read 'epochs' here, the config key's name, and runs list's name for the epochs done)
    assert "epochs_done" in columns and "epochs" not in columns and "epochs" not in rows[0]
    listed = list_runs(tmp_path)
    assert [r["epochs_done"] for r in listed] == [1, 2] and "epochs" not in listed[0]
    with pytest.raises(ConfigError, match="did you mean 'epochs_done'"):
        sort_rows(rows, "epochs")


def test_compare_png_panels_name_their_run_and_at_most_three_keys(tmp_path, monkeypatch):
    # (each panel listed every differing key: 5 runs' titles ran to 13 lines, the plots shrank
    # to strips, and no panel named its run)
    from nnlab import plots
    from nnlab.config import load_config
    from nnlab.experiments.compare import short_run
    from nnlab.experiments.train import run_training

    base = ["model.hidden=[10]", "dataset.n_train=60", "batch_size=30", "epochs=1"]
    for extra in (["optimizer.name=adam"], ["model.hidden=[12]", "weight_decay=0.01"],
                  ["model.activation=tanh", "model.init=xavier"], ["model.batchnorm=true"]):  # fmt: skip
        run_training(load_config(None, [*base, *extra]), runs_dir=tmp_path, plot=False)
    seen = {}
    monkeypatch.setattr(plots, "save", lambda fig, path: seen.setdefault("fig", fig))
    monkeypatch.setattr(
        plots, "accuracy_gaps_figure", lambda panels, title: seen.setdefault("panels", panels)
    )
    refs = sorted(p.name for p in tmp_path.iterdir())
    compare_runs(refs, tmp_path, png=tmp_path / "c.png")
    for panel, ref in zip(seen["panels"], refs):
        lines = panel["label"].splitlines()
        assert lines[0] == short_run(ref) == ref.split("-", 2)[2]
        assert len(lines) <= 1 + 3 + 1 and "other key" in lines[-1]
    assert short_run("20260101-000000-s-abcdef/1234abcd") == "abcdef/1234abcd"
    assert short_run("1234abcd") == "1234abcd"


@pytest.mark.slow
def test_compare_png_panels_name_only_the_keys_the_drawn_runs_differ_in(tmp_path, monkeypatch):
    # (--top 2 of three runs: each panel named dataset.n_train=60, which only the run left out
    # differed in, and '(+1 other key)', beside the learning rate that tells them apart)
    from nnlab import plots
    from nnlab.config import load_config
    from nnlab.experiments.train import run_training

    base = ["model.hidden=[10]", "batch_size=30", "epochs=1"]
    for extra in (["dataset.n_train=60", "optimizer.lr=0.1"],
                  ["dataset.n_train=60", "optimizer.lr=0.2"],
                  ["dataset.n_train=90", "optimizer.lr=0.3"]):  # fmt: skip
        run_training(load_config(None, [*base, *extra]), runs_dir=tmp_path, plot=False)
    seen = {}
    monkeypatch.setattr(plots, "save", lambda fig, path: None)
    monkeypatch.setattr(plots, "accuracy_gaps_figure", lambda panels, title: seen.update(
        panels=panels))  # fmt: skip
    refs = sorted(p.name for p in tmp_path.iterdir())
    rows, columns, _ = compare_runs(
        refs, tmp_path, sort="optimizer.lr", top=2, png=tmp_path / "c.png"
    )
    assert "dataset.n_train" in columns  # (the table's columns: every run compared)
    labels = [panel["label"].splitlines()[1:] for panel in seen["panels"]]
    assert labels == [["optimizer.lr=0.1"], ["optimizer.lr=0.2"]], labels


def test_a_panel_names_a_tunes_trial_by_its_tune_round_and_trial():
    # (two tunes compared, or a tune beside a sweep: each trial was 'r1/<trial>', the tune
    # left out; two tunes of one seed draw the same trial ids, so two panels read alike)
    from nnlab.experiments.compare import short_run

    first, second = (f"20260101-00000{i}-tune-t-{s}/r1/1234abcd" for i, s in ((0, "a1"), (1, "b2")))
    assert short_run(first) == "a1/r1/1234abcd" and short_run(second) == "b2/r1/1234abcd"
    assert short_run("r2/1234abcd") == "r2/1234abcd"  # (the one tune compared: its rounds)


def test_a_sort_column_named_by_its_last_part_or_mistyped_is_suggested():
    rows = [{"run": "a", "optimizer.lr": 0.1, "final_test_acc": 0.5}]
    with pytest.raises(ConfigError, match=r"no column 'lr' \(did you mean 'optimizer.lr'\?\)"):
        sort_rows(rows, "lr")
    with pytest.raises(ConfigError, match=r"\(did you mean 'final_test_acc'\?\); columns: run"):
        sort_rows(rows, "final_tset_acc")


def test_compare_png_draws_at_most_max_panels_runs_and_says_of_how_many(tmp_path, monkeypatch):
    # (128 compared runs made a figure 117 inches tall, 12,828 pixels: no one reads it)
    from nnlab import plots
    from nnlab.config import load_config
    from nnlab.experiments import compare
    from nnlab.experiments.train import run_training

    base = ["model.hidden=[10]", "dataset.n_train=60", "batch_size=30", "epochs=1"]
    for lr in ("0.1", "0.2", "0.3"):
        run_training(
            load_config(None, [*base, f"optimizer.lr={lr}"]), runs_dir=tmp_path, plot=False
        )
    seen = {}
    monkeypatch.setattr(compare, "MAX_PANELS", 2)
    monkeypatch.setattr(plots, "save", lambda fig, path: None)
    monkeypatch.setattr(
        plots, "accuracy_gaps_figure", lambda panels, title: seen.update(panels=panels, title=title)
    )
    refs = sorted(p.name for p in tmp_path.iterdir())
    rows, _, _ = compare_runs(refs, tmp_path, sort="optimizer.lr", png=tmp_path / "c.png")
    assert [p["label"].splitlines()[0] for p in seen["panels"]] == [
        compare.short_run(r["run"]) for r in rows[:2]
    ]
    assert "the first 2 of 3 runs" in seen["title"] and "--top" in seen["title"]
    assert compare.MAX_PANELS == 2 and len(rows) == 3  # (the table keeps every run)
    # (--top 2: the title said '2 runs', as if there were no others)
    compare_runs(refs, tmp_path, sort="optimizer.lr", top=2, png=tmp_path / "c.png")
    assert seen["title"].endswith(": the top 2 of 3 runs by optimizer.lr (--top)")
    compare_runs(refs, tmp_path, top=1, png=tmp_path / "c.png")
    assert seen["title"].endswith(": the first 1 of 3 runs (--top)")


def test_a_sort_by_a_metric_without_final_is_told_the_final_one():
    # (--sort test_acc was told "did you mean 'best_test_acc'?", as close to difflib as the
    # final_test_acc a table shows)
    rows = [{"run": "a", "final_test_acc": 0.5, "best_test_acc": 0.6}]
    with pytest.raises(
        ConfigError, match=r"no column 'test_acc' \(did you mean 'final_test_acc'\?\)"
    ):
        sort_rows(rows, "test_acc")


def test_the_title_says_which_rows_of_how_many_the_where_they_hold_and_the_sort():
    from nnlab.experiments.compare import compare_title

    assert compare_title(2, 2) == "2 runs"
    assert compare_title(1, 1) == "1 run"
    sorted_by = compare_title(3, 12, sort="final_test_acc", where=["model.init=std", "seed=1"])
    assert sorted_by == "top 3 of 12 runs where model.init=std and seed=1, sorted by final_test_acc"
    reversed_ = compare_title(3, 12, sort="acc_gap", reverse=True)
    assert reversed_ == "first 3 of 12 runs, sorted by acc_gap (reversed)"
    assert compare_title(3, 12, reverse=True) == "first 3 of 12 runs"
