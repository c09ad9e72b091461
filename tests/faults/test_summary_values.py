"""A summary.json whose values are not of their keys' kinds (an accuracy of "high", 7.5, -1,
true, a list or "NaN"; a negative loss, an epoch count that is text): every reader of the
folder (``runs list``, ``runs show``, ``runs show latest``, ``runs compare``, ``report``) sees
it DAMAGED, the key named, never a traceback and never a healthy number; the other folders are
read as usual. ``runs compare`` reads folders as ``runs show`` does: a damaged run is refused
in one line, and a sweep's trials are read from their folders (a damaged or deleted trial is a
DAMAGED or MISSING row with the reason, not the numbers the sweep recorded).

The damaged folder is a copy of the COMPLETED tiny run, beside a COMPLETED run made before it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
from pathlib import Path

import pytest

from nnlab import runs, sweep

from .helpers import Row, copy_runs, invoke, refused, snapshot

# (key, value, what the line says after "<run>/summary.json: ")
BAD = [
    ("final_test_acc", "high", "final_test_acc is 'high'; expected a number in [0, 1] or null"),
    ("final_test_acc", 7.5, "final_test_acc is 7.5; expected a number in [0, 1] or null"),
    ("final_test_acc", -1, "final_test_acc is -1; expected a number in [0, 1] or null"),
    ("final_test_acc", True, "final_test_acc is True; expected a number in [0, 1] or null"),
    ("final_test_acc", [0.9], "final_test_acc is [0.9]; expected a number in [0, 1] or null"),
    ("final_test_acc", "NaN", "final_test_acc is 'NaN'; expected a number in [0, 1] or null"),
    ("best_train_loss", -2.0, "best_train_loss is -2.0; expected a finite number >= 0 or null"),
    ("epochs", "3", "epochs is '3'; expected a whole number >= 0 or null"),
    ("status", "GREAT", "status is 'GREAT'; expected one of RUNNING, COMPLETED"),
]
CONSUMERS = ("list", "show", "latest", "compare", "report")

SUMMARY_VALUE = Row(  # (the README's row: its table lists the fault classes in this order)
    'a summary.json value not of its key\'s kind (an accuracy of "high", 7.5 or -1, a loss that '
    "is text; a sweep row's swept value or seed other than sweep.yaml plans for its trial, a "
    'rate of "high": it was accepted)',
    "`nnlab runs show RUN`, `nnlab runs compare RUN` (`runs list`, `report`: DAMAGED)",
    2,
    ("error: {run}/summary.json: final_test_acc is 'high'; expected a number in [0, 1] or null",),
)


@pytest.fixture
def two(case, templates) -> tuple[runs.RunDir, runs.RunDir]:
    """(the run to damage, the newest folder; an older COMPLETED run) under ``case/runs``."""
    copy_runs(templates["small"], case / "runs")
    done = next(runs.iter_runs(templates["done"]))
    copy = case / "runs" / f"99999999-999999-{done.id}"  # (the newest, by name and by meta)
    shutil.copytree(done.path, copy)
    meta = json.loads((copy / "meta.json").read_text())
    meta.update(started="2099-01-01T00:00:00.000+00:00", ended="2099-01-01T00:00:01.000+00:00")
    (copy / "meta.json").write_text(json.dumps(meta))
    older, newest = runs.iter_runs(case / "runs")
    return newest, older


def _set_summary(run: runs.RunDir, key: str, value) -> None:
    summary = json.loads(run.file("summary.json").read_text())
    summary[key] = value
    run.file("summary.json").write_text(json.dumps(summary))


@pytest.mark.slow
@pytest.mark.parametrize("consumer", CONSUMERS)
@pytest.mark.parametrize(("key", "value", "what"), BAD, ids=[f"{k}={v!r}" for k, v, _ in BAD])
def test_a_summary_value_not_of_its_kind_is_damage_in_every_reader(
    case, two, key, value, what, consumer
):
    # (an accuracy of "high" was listed, shown and reported as a result, and made runs compare
    # raise an unexpected TypeError computing the train - test gap)
    bad, other = two
    _set_summary(bad, key, value)
    says = f"{bad.file('summary.json')}: {what}"
    root = case / "runs"
    if consumer == "list":
        result = invoke("runs", "list", "-f", "json", "--runs-dir", root)
        assert result.exit_code == 0 and result.stderr == "", result.output
        rows = {row["run"]: row for row in json.loads(result.stdout)}
        assert rows[bad.id]["status"] == "DAMAGED" and rows[bad.id]["reason"].startswith(says)
        assert "final_test_acc" not in rows[bad.id]
        assert rows[other.id]["status"] == "COMPLETED" and "final_test_acc" in rows[other.id]
    elif consumer == "report":
        result = invoke("report", "--runs-dir", root)
        assert result.exit_code == 0 and "Traceback" not in result.stderr, result.output
        assert f"warning: {bad.id}: DAMAGED, could not be read" in result.stderr
        page = (root / "report" / bad.id / "index.html").read_text()
        assert html.escape(what) in page
        assert (root / "report" / other.id / "index.html").exists()
    else:
        ref = "latest" if consumer == "latest" else bad.path
        command = "show" if consumer == "latest" else consumer
        result = invoke("runs", command, ref, "--runs-dir", root)
        refused(result, 2, f"error: {says}")
        assert result.stdout == ""


def test_the_readme_row(case, two):
    bad, _ = two
    _set_summary(bad, "final_test_acc", "high")
    result = invoke("runs", "show", bad.path, "--runs-dir", case / "runs")
    refused(result, 2, *SUMMARY_VALUE.expect(case / "runs", bad.path))


COMPARE_DAMAGES = {  # a run that runs show calls DAMAGED: compare read only its summary.json
    "metrics cut short": (
        "metrics.jsonl", lambda b: b[: b.index(b"\n") + 1],
        "metrics.jsonl: ends at epoch 0, but meta.json says the run ended COMPLETED after epoch 3",
    ),
    "meta not an object": ("meta.json", lambda b: b"[]\n", "meta.json: expected a JSON object"),
    "checkpoint truncated": (
        "checkpoint.npz", lambda b: b[:100], "checkpoint.npz: unreadable checkpoint"
    ),
}  # fmt: skip


@pytest.mark.parametrize("damage", list(COMPARE_DAMAGES))
def test_compare_refuses_a_damaged_run_as_runs_show_does(case, two, damage):
    bad, other = two
    name, how, says = COMPARE_DAMAGES[damage]
    bad.file(name).write_bytes(how(bad.file(name).read_bytes()))
    root = case / "runs"
    for command in (["show", bad.path], ["compare", other.path, bad.path]):
        result = invoke("runs", *command, "--runs-dir", root)
        refused(result, 2, f"error: {bad.path}/{says}")
        assert result.stdout == ""
    result = invoke("runs", "compare", other.path, "-f", "json", "--runs-dir", root)
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["status"] == "COMPLETED"


@pytest.fixture(scope="module")
def sweep_template(tmp_path_factory) -> Path:
    """A runs folder holding a COMPLETED sweep of two trials of the tiny config."""
    from .helpers import TINY

    root = tmp_path_factory.mktemp("sweep")
    (root / "cfg.yaml").write_text(TINY)
    made = invoke("sweep", "grid", root / "cfg.yaml", "optimizer.lr=0.1,0.2", "--runs-dir",
                  root / "runs", "-q")  # fmt: skip
    assert made.exit_code == 0, made.output
    return root / "runs"


def _compare(sweep: runs.RunDir, root: Path, *extra) -> dict[str, dict]:
    result = invoke("runs", "compare", sweep.path, "-f", "json", *extra, "--runs-dir", root)
    assert result.exit_code == 0 and "Traceback" not in result.stderr, result.output
    return {row["run"]: row for row in json.loads(result.stdout)}


@pytest.mark.slow
def test_a_deleted_trial_is_missing_in_compare_show_and_report_not_its_recorded_numbers(
    case, sweep_template
):
    root = copy_runs(sweep_template, case / "runs")
    sweep = next(runs.iter_runs(root))
    gone, kept = sorted((sweep.path / "trials").iterdir())
    kept_summary = json.loads((kept / "summary.json").read_text())
    shutil.rmtree(gone)
    says = f"{gone}: no run folder there; the sweep recorded this trial COMPLETED"
    rows = _compare(sweep, root, "--png", case / "c.png")
    assert rows[gone.name] == {**rows[gone.name], "status": "MISSING", "reason": says}
    assert not any(k.startswith(("final_", "best_")) for k in rows[gone.name])
    assert rows[kept.name]["status"] == "COMPLETED" and "reason" not in rows[kept.name]
    assert rows[kept.name]["final_test_acc"] == kept_summary["final_test_acc"]
    assert (case / "c.png").exists()
    table = invoke("runs", "compare", sweep.path, "--runs-dir", root)
    assert table.exit_code == 0 and "MISSING" in table.stdout and "reason" in table.stdout
    shown = invoke("runs", "show", sweep.path, "--runs-dir", root)
    assert shown.exit_code == 0 and f"MISSING {says}" in shown.stdout, shown.output
    report = invoke("report", "--runs-dir", root)
    assert report.exit_code == 0, report.output
    assert 'data-status="MISSING"' in (root / "report" / sweep.id / "index.html").read_text()
    assert report.stderr.splitlines()[0] == (  # (warned as a DAMAGED folder is: it was not)
        f"warning: {sweep.id}/trials/{gone.name}: MISSING, the sweep recorded it and its folder "
        "is gone (its page says so)"
    )


def test_a_trial_whose_summary_value_is_not_of_its_kind_is_a_damaged_row(case, sweep_template):
    root = copy_runs(sweep_template, case / "runs")
    sweep = next(runs.iter_runs(root))
    bad, good = (runs.RunDir(p) for p in sorted((sweep.path / "trials").iterdir()))
    _set_summary(bad, "final_test_acc", "high")
    rows = _compare(sweep, root)
    assert rows[bad.id]["status"] == "DAMAGED" and "final_test_acc" not in rows[bad.id]
    assert rows[bad.id]["reason"] == (
        f"{bad.file('summary.json')}: final_test_acc is 'high'; expected a number in [0, 1] or null"
    )
    assert rows[good.id]["status"] == "COMPLETED"


def test_a_sweep_whose_own_summary_row_is_not_of_its_kind_is_refused(case, sweep_template):
    root = copy_runs(sweep_template, case / "runs")
    sweep = next(runs.iter_runs(root))
    summary = json.loads(sweep.file("summary.json").read_text())
    summary["trials"][1]["final_test_acc"] = 7.5
    sweep.file("summary.json").write_text(json.dumps(summary))
    says = f"{sweep.file('summary.json')}: trials[1].final_test_acc is 7.5; expected a number"
    refused(invoke("runs", "compare", sweep.path, "--runs-dir", root), 2, f"error: {says}")
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
    assert row["status"] == "DAMAGED" and row["reason"].startswith(says)


@pytest.mark.parametrize(
    ("value", "said"),
    [("high", "'high'"), ("0.1", "'0.1'"), (0.5, "0.5"), ([0.1], "[0.1]"), (None, "None")],
)
def test_a_sweep_rows_swept_value_not_its_plans_is_damage_in_every_reader(
    case, sweep_template, value, said
):
    """A sweep's summary.json row holds its trial's swept values as sweep.yaml plans them: a
    rate of "high" (text, another number, a list) was accepted by every reader, which checked
    the kind of every other key of the row (meta.json's reader checks each of its fields)."""
    root = copy_runs(sweep_template, case / "runs")
    sweep_run = next(runs.iter_runs(root))
    summary = json.loads(sweep_run.file("summary.json").read_text())
    (key,) = summary["keys"]
    row = summary["trials"][0]
    planned, row[key] = row[key], value
    sweep_run.file("summary.json").write_text(json.dumps(summary))
    says = (
        f"{sweep_run.file('summary.json')}: trials[0].{key} is {said}; expected {planned!r}, "
        f"as sweep.yaml plans trial {row['trial']!r}"
    )
    (listed,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
    assert listed["status"] == "DAMAGED" and listed["reason"] == says, listed
    before = snapshot(case)
    for args in (("runs", "show", sweep_run.path), ("sweep", "--resume", sweep_run.path)):
        refused(invoke(*args, "--runs-dir", root), 2, f"error: {says}")
    assert snapshot(case) == before
    out = case / "report"
    invoke("report", "--runs-dir", root, "--out", out)
    assert html.escape(says.split(": ", 1)[1]) in (out / sweep_run.id / "index.html").read_text()


@pytest.mark.slow
def test_runs_list_says_a_sweeps_damaged_and_missing_trials_its_status_kept(case, sweep_template):
    # (runs list showed such a sweep as a plain COMPLETED row while runs show, runs compare
    # and the report said DAMAGED and MISSING)
    root = copy_runs(sweep_template, case / "runs")
    sweep = next(runs.iter_runs(root))
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "COMPLETED" and "reason" not in row and "bad_trials" not in row
    bad, gone = sorted((sweep.path / "trials").iterdir())
    (bad / "meta.json").write_text("[]")
    shutil.rmtree(gone)
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    assert listed.exit_code == 0 and listed.stderr == "", listed.output
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "COMPLETED"
    assert row["reason"] == (
        "2 of 2 trials DAMAGED or MISSING: 1 DAMAGED, 1 MISSING (runs show says which, and why)"
    )
    assert row["bad_trials"] == [
        {"trial": bad.name, "status": "DAMAGED",
         "reason": f"{bad}/meta.json: expected a JSON object, got list"},
        {"trial": gone.name, "status": "MISSING",
         "reason": f"{gone}: no run folder there; the sweep recorded this trial COMPLETED"},
    ]  # fmt: skip
    shown = invoke("runs", "show", sweep.path, "--runs-dir", root)  # (what it points to)
    assert f"DAMAGED {bad}/meta.json" in shown.stdout and f"MISSING {gone}" in shown.stdout
    for fmt in ("table", "csv"):  # (the reason counts them; the list of each is json's)
        out = invoke("runs", "list", "-f", fmt, "--runs-dir", root, "--kind", "sweep").stdout
        assert "1 DAMAGED, 1 MISSING" in out and bad.name not in out, out
    # runs show's other formats say it too (its JSON had no word of it; its CSV was empty)
    shown = json.loads(invoke("runs", "show", sweep.path, "-f", "json", "--runs-dir", root).stdout)
    assert shown["bad_trials"] == row["bad_trials"]
    rows = list(csv.DictReader(io.StringIO(
        invoke("runs", "show", sweep.path, "-f", "csv", "--runs-dir", root).stdout
    )))  # fmt: skip
    assert {r["trial"]: r["status"] for r in rows} == {bad.name: "DAMAGED", gone.name: "MISSING"}
    assert all(r["reason"] for r in rows)


@pytest.fixture(scope="module")
def tune_template(tmp_path_factory) -> Path:
    """A runs folder holding a COMPLETED tune of the tiny config: two rounds of two trials."""
    from .helpers import TINY

    root = tmp_path_factory.mktemp("tune")
    (root / "cfg.yaml").write_text(TINY)
    made = invoke("tune", root / "cfg.yaml", "optimizer.lr=loguniform:1e-2:1", "--rounds", "2",
                  "--trials", "2", "--epochs", "1", "--runs-dir", root / "runs", "-q")  # fmt: skip
    assert made.exit_code == 0, made.output
    return root / "runs"


@pytest.mark.slow
def test_runs_list_show_and_report_say_a_tunes_damaged_and_missing_trials(case, tune_template):
    # (runs list and runs show said nothing of a tune's rounds, whose trials are a sweep's: a
    # trial's summary.json damaged or its folder deleted left a plain COMPLETED tune; the
    # report warned of the damaged trial, but not of the missing one)
    root = copy_runs(tune_template, case / "runs")
    tune = next(runs.iter_runs(root))
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
    assert row["status"] == "COMPLETED" and "reason" not in row and "bad_trials" not in row
    first, second = sorted((tune.path / "rounds").iterdir())
    bad, gone = sorted((first / "trials").iterdir())[0], sorted((second / "trials").iterdir())[0]
    (bad / "summary.json").write_text("[1, 2]\n")
    shutil.rmtree(gone)
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    assert listed.exit_code == 0 and listed.stderr == "", listed.output
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "COMPLETED"
    assert row["reason"] == (
        "2 of 4 trials DAMAGED or MISSING: 1 DAMAGED, 1 MISSING (runs show says which, and why)"
    )
    assert row["bad_trials"] == [
        {"sweep": f"rounds/{first.name}", "trial": bad.name, "status": "DAMAGED",
         "reason": f"{bad}/summary.json: expected a JSON object, got list"},
        {"sweep": f"rounds/{second.name}", "trial": gone.name, "status": "MISSING",
         "reason": f"{gone}: no run folder there; the sweep recorded this trial COMPLETED"},
    ]  # fmt: skip
    out = invoke("runs", "list", "--runs-dir", root, "--kind", "tune").stdout
    assert "1 DAMAGED, 1 MISSING" in out, out
    shown = invoke("runs", "show", tune.path, "--runs-dir", root)
    assert shown.exit_code == 0, shown.output
    assert f"DAMAGED {bad}/summary.json" in shown.stdout and f"MISSING {gone}" in shown.stdout
    report = invoke("report", "--runs-dir", root)
    assert report.exit_code == 0, report.output
    bad_rel, gone_rel = (p.relative_to(root).as_posix() for p in (bad, gone))
    assert report.stderr.splitlines()[:2] == [
        f"warning: {bad_rel}: DAMAGED, could not be read (its page says why)",
        f"warning: {gone_rel}: MISSING, the sweep recorded it and its folder is gone (its page "
        "says so)",
    ]
    page = (root / "report" / tune.id / "index.html").read_text()
    assert 'data-status="MISSING"' in page and 'data-status="DAMAGED"' in page


def test_a_tune_round_folder_that_cannot_be_read_is_said_by_every_reader(case, tune_template):
    root = copy_runs(tune_template, case / "runs")
    tune = next(runs.iter_runs(root))
    first, _ = sorted((tune.path / "rounds").iterdir())
    (first / "summary.json").write_text("{torn")
    says = f"{first}/summary.json: not valid JSON"
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
    assert row["status"] == "COMPLETED"
    assert row["reason"] == "1 round folder DAMAGED (runs show says which, and why)"
    ((entry,),) = [row["bad_trials"]]
    assert entry["sweep"] == f"rounds/{first.name}" and entry["reason"].startswith(says)
    shown = invoke("runs", "show", tune.path, "--runs-dir", root)
    assert shown.exit_code == 0 and f"DAMAGED {says}" in shown.stdout, shown.output
    report = invoke("report", "--runs-dir", root)
    assert report.exit_code == 0, report.output
    assert report.stderr.splitlines()[0] == (
        f"warning: {first.relative_to(root).as_posix()}: DAMAGED, could not be read (its page "
        "says why)"
    )
    refused(invoke("tune", "--resume", tune.path, "--runs-dir", root), 2, f"error: {says}")


def test_a_tune_round_folder_that_is_gone_is_missing_in_every_reader(case, tune_template):
    # (a round folder deleted: runs list, runs show and the report read the folders under
    # rounds/ and said nothing, though tune.json records the round; tune --resume said only
    # "<round>/meta.json: missing", as if one file of a folder still there were lost)
    root = copy_runs(tune_template, case / "runs")
    tune = next(runs.iter_runs(root))
    first, _ = sorted((tune.path / "rounds").iterdir())
    shutil.rmtree(first)
    says = f"{first}: no run folder there; the tune's tune.json records this round"
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    assert listed.exit_code == 0 and listed.stderr == "", listed.output
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "COMPLETED"
    assert row["reason"] == "1 round folder MISSING (runs show says which, and why)"
    assert row["bad_trials"] == [
        {"sweep": f"rounds/{first.name}", "status": "MISSING", "reason": says}
    ]
    out = invoke("runs", "list", "--runs-dir", root, "--kind", "tune").stdout
    assert "1 round folder MISSING" in out, out
    shown = invoke("runs", "show", tune.path, "--runs-dir", root)
    assert shown.exit_code == 0 and f"MISSING {says}" in shown.stdout, shown.output
    report = invoke("report", "--runs-dir", root)
    assert report.exit_code == 0, report.output
    rel = first.relative_to(root).as_posix()
    assert report.stderr.splitlines()[0] == (
        f"warning: {rel}: MISSING, the tune recorded it and its folder is gone (its page says so)"
    )
    assert 'data-status="MISSING"' in (root / "report" / tune.id / "index.html").read_text()
    page = html.unescape((root / "report" / rel / "index.html").read_text())
    assert says in page and f"nnlab tune --resume {tune.path}" in page
    assert "sweep --resume" not in page  # (there is no sweep folder to resume)


def test_a_tune_round_folder_without_meta_that_tune_json_records_is_damaged(case, tune_template):
    # (iter_runs passes over a folder without meta.json: a round's was not read at all)
    root = copy_runs(tune_template, case / "runs")
    tune = next(runs.iter_runs(root))
    first, _ = sorted((tune.path / "rounds").iterdir())
    (first / "meta.json").unlink()
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", root).stdout)
    assert row["reason"] == "1 round folder DAMAGED (runs show says which, and why)"
    assert row["bad_trials"] == [
        {
            "sweep": f"rounds/{first.name}",
            "status": "DAMAGED",
            "reason": f"{first}/meta.json: missing; nnlab writes it in every run folder",
        }
    ]
    report = invoke("report", "--runs-dir", root)
    assert report.exit_code == 0, report.output
    assert report.stderr.splitlines()[0].startswith(f"warning: {first.relative_to(root)}: DAMAGED")


TUNE_JSON_DAMAGES = {  # what tune.json holds -> what the line says after "<tune>/tune.json: "
    "not JSON": ("{torn", "not valid JSON"),
    "a list": ("[1]", "expected a JSON object, got list"),
    "rounds not a list": ('{"rounds": 5}', "rounds is 5; expected a list of rounds"),
    "a round not an object": ('{"rounds": [3]}', "rounds entry 1 is 3; expected an object"),
    "a round without its number": (
        '{"rounds": [{"sweep": "rounds/x"}]}',
        "rounds entry 1 has round None; expected a whole number >= 1",
    ),
    "a sweep outside rounds/": (
        '{"rounds": [{"round": 1, "sweep": "../../elsewhere"}]}',
        "rounds entry 1 has sweep '../../elsewhere'; expected a folder directly under rounds/",
    ),
    "a sweep not text": (
        '{"rounds": [{"round": 1, "sweep": 7}]}',
        "rounds entry 1 has sweep 7; expected a folder directly under rounds/",
    ),
}


@pytest.mark.parametrize("damage", list(TUNE_JSON_DAMAGES))
def test_a_damaged_tune_json_is_damage_in_every_reader(case, tune_template, damage):
    # (the rounds a tune records are read from it: never a traceback, never a round skipped)
    text, says = TUNE_JSON_DAMAGES[damage]
    root = copy_runs(tune_template, case / "runs")
    tune = next(runs.iter_runs(root))
    tune.file("tune.json").write_text(text)
    says = f"{tune.file('tune.json')}: {says}"
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "DAMAGED" and row["reason"].startswith(says), row
    refused(invoke("runs", "show", tune.path, "--runs-dir", root), 2, f"error: {says}")
    report = invoke("report", "--runs-dir", root)
    assert report.exit_code == 0, report.output
    assert report.stderr.splitlines()[0] == (
        f"warning: {tune.id}: DAMAGED, could not be read (its page says why)"
    )
    assert says in html.unescape((root / "report" / tune.id / "index.html").read_text())
    before = snapshot(case, root / "report")
    refused(invoke("tune", "--resume", tune.path, "--runs-dir", root), 2, f"error: {says}")
    assert snapshot(case, root / "report") == before


def test_runs_show_as_csv_of_a_tune_is_its_trials_rows(case, tune_template):
    # (it printed an empty line and exited 0; then it was refused as a folder without rows)
    root = copy_runs(tune_template, case / "runs")
    tune = next(runs.iter_runs(root))
    result = invoke("runs", "show", tune.path, "-f", "csv", "--runs-dir", root)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    trials = sweep.tune_rows(tune, files=True)
    assert [r["trial"] for r in rows] == [t["trial"] for t in trials] and trials
    assert [r["round"] for r in rows] == [str(t["round"]) for t in trials]


def test_a_swept_key_that_names_a_field_of_the_row_holds_what_the_trial_did():
    """A sweep of ``epochs``: its row's ``epochs`` is the epochs the trial ran (an
    interrupted trial's 16 of 400), set after its values, not the plan's value; the other
    swept keys are the plan's."""
    from nnlab.plans import rows_problem

    plan = {"trials": [{"id": "a", "seed": 1, "values": {"epochs": 400, "optimizer.lr": 0.1}}]}
    row = {"trial": "a", "epochs": 16, "optimizer.lr": 0.1, "seed": 1, "status": "INTERRUPTED"}
    summary = {"keys": ["epochs", "optimizer.lr"], "trials": [row]}
    assert rows_problem(summary, plan) is None
    row["optimizer.lr"] = "0.1"
    said = "trials[0].optimizer.lr is '0.1'; expected 0.1, as sweep.yaml plans trial 'a'"
    assert rows_problem(summary, plan) == said
    row["optimizer.lr"], row["seed"] = 0.1, 2
    assert rows_problem(summary, plan).startswith("trials[0].seed is 2; expected 1")


def test_a_row_of_a_trial_the_plan_dropped_is_left_to_the_trial_folders_check():
    """A row naming a trial sweep.yaml no longer plans is not the sweep's damage: the trial's
    folder is 'a trial folder sweep.yaml plans no trial for', a bad trial of a sweep that
    reads (test_damaged); the planned rows are still checked."""
    from nnlab.plans import rows_problem

    plan = {"trials": [{"id": "a", "seed": 1, "values": {"optimizer.lr": 0.1}}]}
    dropped = {"trial": "b", "optimizer.lr": "high", "seed": 9}
    row = {"trial": "a", "optimizer.lr": 0.1, "seed": 1}
    summary = {"keys": ["optimizer.lr"], "trials": [dropped, row]}
    assert rows_problem(summary, plan) is None
    row["seed"] = 2
    assert rows_problem(summary, plan).startswith("trials[1].seed is 2; expected 1")
