"""``runs list`` as the command prints it (``experiments.list_view``): its title as asked, the
line for no folder, and the rows each format prints."""

from __future__ import annotations

from nnlab.experiments.list_view import list_view
from nnlab.output import Format
from tests.conftest import fake_run


def test_the_title_says_what_was_asked_and_where(tmp_path):
    fake_run(tmp_path, "20250101-000000-a-aaaaaa")
    fake_run(tmp_path, "20250101-000001-b-bbbbbb", status="FAILED")
    found = list_view(tmp_path, status="FAILED", where=["model.init=he"])
    assert found.title.endswith(" where model.init=he") and "FAILED" in found.title
    every = list_view(tmp_path)
    assert [r["status"] for r in every.rows] == ["COMPLETED", "FAILED"] and every.notes == []
    assert every.title == f"folders in {tmp_path}"


def test_none_found_is_said_under_the_runs_folder_and_a_run_folder_given_is_named(tmp_path):
    fake_run(tmp_path, "20250101-000000-a-aaaaaa")
    assert list_view(tmp_path, kind="sweep").none_line() == f"no sweep folders under {tmp_path}"
    run = tmp_path / "20250101-000000-a-aaaaaa"
    assert list_view(run).none_line() == (
        f"no folders under {run} (it is a run folder itself: give the runs folder holding it, "
        f"--runs-dir {tmp_path})"
    )


def test_a_sweeps_bad_trials_are_json_s_alone(tmp_path):
    found = list_view(tmp_path)
    found.rows = [{"run": "s", "bad_trials": [{"trial": "t1"}], "reason": "1 trial MISSING"}]
    assert found.shown(Format.json) == found.rows
    for fmt in (Format.csv, Format.table):
        assert found.shown(fmt) == [{"run": "s", "reason": "1 trial MISSING"}]


def test_a_sweeps_or_tunes_dataset_is_the_default_where_its_base_config_names_none():
    # (a sweep of a config without a dataset: section listed as 'sweep', no dataset, beside
    # its trials' 'train/digits': its base config is read as written, without defaults)
    from types import SimpleNamespace

    from nnlab.experiments.listing import config_facts

    def sweep(base: dict) -> SimpleNamespace:
        return SimpleNamespace(plan=lambda: {"spec": {"params": {}}, "base": base, "overrides": []})

    assert config_facts(sweep({"epochs": 1}), "sweep") == {"dataset": "digits"}
    assert config_facts(sweep({"dataset": {"n_train": 9}}), "sweep") == {"dataset": "digits"}
    assert config_facts(sweep({"dataset": {"name": "mnist"}}), "sweep") == {"dataset": "mnist"}
    # (a folder of no dataset, activations of N(0, 1) inputs, still names none)
    assert config_facts(SimpleNamespace(config=lambda: {}), "activations") == {"dataset": None}
