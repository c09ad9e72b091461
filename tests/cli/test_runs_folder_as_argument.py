"""A runs folder typed where ``--runs-dir`` goes (``nnlab runs list r``, ``nnlab report r``):
the answer says to give it as ``--runs-dir``. ``runs list r`` said only 'an extra argument;
expected none'; ``report r`` wrote a report of one folder 'without meta.json' into
./runs/report."""

from __future__ import annotations

from tests.conftest import fake_run, invoke, one_error_line


def test_runs_list_of_a_folder_says_to_give_it_as_runs_dir(tmp_path, monkeypatch):
    fake_run(tmp_path / "r", "a1", "COMPLETED")
    monkeypatch.chdir(tmp_path)
    line = one_error_line(invoke("runs", "list", "r"))
    assert line == (
        "error: 'r': an extra argument; expected none; for the runs folder r, give "
        "--runs-dir r (see nnlab runs list -h)"
    )
    assert one_error_line(invoke("runs", "list", "no-such-folder")) == (
        "error: 'no-such-folder': an extra argument; expected none (see nnlab runs list -h)"
    )


def test_report_of_a_runs_folder_given_as_a_run_is_refused_with_the_option(tmp_path, monkeypatch):
    root = tmp_path / "r"
    fake_run(root, "a1", "COMPLETED")
    monkeypatch.chdir(tmp_path)
    line = one_error_line(invoke("report", "r"))
    assert line == (
        "error: REFS: 'r': a runs folder (it holds run folders), not a run; for the report of "
        "its runs give --runs-dir r (see nnlab report -h)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # (no ./runs/report)
    run = next(root.iterdir())
    made = invoke("report", str(run), "-q", runs_dir=root)  # (a run's folder as a path: as ever)
    assert made.exit_code == 0, made.output


def test_a_run_folder_given_as_runs_dir_is_named_with_the_folder_holding_it(tmp_path):
    """``--runs-dir runs/<run>`` (the run's own folder): 'no runs yet' of a folder a run was
    in, and 'no folders under' it; both now say it is a run folder and give its parent."""
    fake_run(tmp_path, "a1", "COMPLETED")
    (run,) = tmp_path.iterdir()
    hint = f" (it is a run folder itself: give the runs folder holding it, --runs-dir {tmp_path})"
    shown = invoke("runs", "show", "latest", runs_dir=run)
    assert shown.exit_code == 2
    assert one_error_line(shown) == f"error: {run}: no runs yet{hint}"
    listed = invoke("runs", "list", runs_dir=run)
    assert listed.exit_code == 0 and listed.output.strip() == f"no folders under {run}{hint}"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert one_error_line(invoke("runs", "show", "latest", runs_dir=empty)) == (
        f"error: {empty}: no runs yet"
    )


def test_an_absolute_path_that_is_no_folder_is_said_to_be_none(tmp_path):
    # (it said 'no run folder under runs matches', as if the path were an id prefix)
    missing = tmp_path / "no" / "run"
    (tmp_path / "runs").mkdir()
    for args in (["runs", "show", missing], ["train", "--resume", missing]):
        result = invoke(*args, runs_dir=tmp_path / "runs")
        assert result.exit_code == 2
        assert result.stderr == f"error: run '{missing}': no such folder\n"


def test_the_run_before_the_latest_written_with_a_dash_is_told_the_tilde(tmp_path):
    # (latest-1 was told 'did you mean 'latest'?', the run after the one meant)
    (tmp_path / "runs").mkdir()
    result = invoke("runs", "show", "latest-1", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: run 'latest-1': no run folder under ")
    assert result.stderr.endswith(" matches (did you mean 'latest~1'?)\n")


def test_a_runs_folder_given_as_a_run_says_it_is_one(tmp_path, monkeypatch):
    # (runs show r: 'no run folder under runs matches'; of an absolute path, 'no such folder',
    # of a folder that is there)
    fake_run(tmp_path / "my runs", "a1", "COMPLETED")
    monkeypatch.chdir(tmp_path)
    for args in (["runs", "show", "my runs"], ["runs", "compare", str(tmp_path / "my runs")],
                 ["train", "--resume", "my runs"]):  # fmt: skip
        ref = args[-1]
        assert (
            f"error: run {ref!r}: a runs folder (it holds run folders), not a run; its runs: "
            f"nnlab runs list --runs-dir '{ref}'"
            == one_error_line(invoke(*args, runs_dir=tmp_path / "my runs"))
        )
