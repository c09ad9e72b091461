"""``nnlab tune``: the tables, JSON, --resume, the figure copy and the error exits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import RESUME, invoke, one_error_line

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "digits-quickstart.yaml")
ARGS = ["optimizer.lr=loguniform:1e-3:1", "dataset.n_train=300", "model.hidden=[16]"]
FAST = ["--trials", "3", "--epochs", "1", "--top-k", "2"]


@pytest.mark.slow
def test_tune_prints_top_trials_ranges_and_the_next_search(tmp_path):
    png = tmp_path / "docs" / "tune.png"
    (tmp_path / "docs").mkdir()  # (--png writes into a folder that exists)
    args = ["tune", CONFIG, *ARGS, *FAST, "--runs-dir", str(tmp_path / "runs"), "--png", str(png)]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "final_val_acc" in result.stdout and "proposed" in result.stdout
    assert "test_acc" not in result.stdout
    # (it said 'next search: optimizer.lr=...', ranges, not a command to paste)
    nxt = next(line for line in result.stderr.splitlines() if line.startswith("next: "))
    assert nxt.startswith(f"next: nnlab tune {CONFIG} dataset.n_train=300 'model.hidden=[16]' ")
    assert " optimizer.lr=loguniform:" in nxt
    assert nxt.endswith(f" --trials 3 --rounds 1 --top-k 2 --epochs 1 --runs-dir {tmp_path}/runs")
    assert png.stat().st_size > 1000
    again = invoke(*["tune", "--resume", "latest", "--runs-dir", str(tmp_path / "runs")])
    assert again.exit_code == 2  # (finished: nothing to resume, as every resume answers)
    assert "already COMPLETED, nothing to resume" in again.stderr


def _next(result) -> list[str]:
    """The words of a tune's ``next:`` command, ``nnlab`` left out."""
    import shlex

    line = next(line for line in result.stderr.splitlines() if line.startswith("next: "))
    words = shlex.split(line[len("next: ") :])
    assert words[:2] == ["nnlab", "tune"], line
    return words[1:]


@pytest.mark.slow
def test_the_next_search_repeats_the_val_fraction_seed_and_config_of_a_resumed_tune(
    tmp_path, monkeypatch
):
    """``next:`` left out the --val-fraction given (its command searched another split), and
    a resumed tune's said ``CONFIG``: it is the command the user gave, a resume's too, and
    pasted it searches the same validation split."""
    from nnlab import sweep
    from nnlab.runs import iter_runs

    (tmp_path / "data").mkdir()  # (a --data-dir that does not exist is refused)
    given = ["--val-fraction", "0.3", "--seed", "3", "--data-dir", str(tmp_path / "data")]
    monkeypatch.setattr(sweep.executors, "run_unit", lambda unit: (_ for _ in ()).throw(
        KeyboardInterrupt))  # fmt: skip
    cut = invoke("tune", CONFIG, *ARGS, *FAST, *given, runs_dir=tmp_path / "runs")
    assert cut.exit_code == 130, cut.output
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)  # (a resume from elsewhere: the config named as started)
    resumed = invoke("tune", "--resume", "latest", runs_dir=tmp_path / "runs")
    assert resumed.exit_code == 0, resumed.output
    words = _next(resumed)
    assert words[1] == CONFIG and words[2:4] == ARGS[1:], words
    assert words[-6:] == [*given[:4], "--data-dir", str((tmp_path / "data").resolve())], words
    again = invoke(*words, runs_dir=tmp_path / "again")
    assert again.exit_code == 0, again.output
    (first, later) = (next(iter_runs(tmp_path / d)) for d in ("runs", "again"))
    bases = [json.loads(r.file("tune.json").read_text())["settings"] for r in (first, later)]
    assert bases[0]["base"]["dataset"] == bases[1]["base"]["dataset"]  # (the same split)
    assert bases[0]["val_fraction"] == bases[1]["val_fraction"] == 0.3
    default = invoke("tune", CONFIG, *ARGS, *FAST, runs_dir=tmp_path / "default")
    assert "--val-fraction" not in _next(default) and "--seed" not in _next(default)


@pytest.mark.slow
def test_tune_json_has_the_best_trial_and_proposal(tmp_path):
    args = [
        "tune",
        CONFIG,
        *ARGS,
        *FAST,
        "--rounds",
        "2",
        "--out",
        str(tmp_path / "t"),
        "-f",
        "json",
    ]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["rounds"] == 2 and doc["trials"] == {"COMPLETED": 6}
    assert doc["best"]["final_val_acc"] == doc["top"][0]["final_val_acc"]
    assert set(doc["proposed"]) == {"optimizer.lr"}


@pytest.mark.slow
def test_tune_error_paths_exit_2(tmp_path):
    runs = ["--runs-dir", str(tmp_path)]
    cases = [
        (["tune", CONFIG, "optimizer.lr=choice:0.1,0.2", *runs], "loguniform:low:high"),
        (["tune", CONFIG, "--metric", "final_test_acc", *runs], "--metric"),
        (["tune", CONFIG, "--val-fraction", "0", *runs], "--val-fraction"),
        (["tune", CONFIG, "--trials", "0", *runs], "--trials"),
        (["tune", CONFIG, "optimizer.lrr=loguniform:1e-3:1", *runs], "did you mean"),
        (["tune", *runs], "give a config file"),
        (["tune", "--resume", "nothing", *runs], "nothing"),
        (  # (a range without its kind was a fixed value: 'input should be a valid number')
            ["tune", CONFIG, "optimizer.lr=1e-4:1e-1", *runs],
            "optimizer.lr: '1e-4:1e-1' names no range or distribution; write its kind first, e.g. "
            "loguniform:1e-4:1e-1",
        ),
        (
            ["tune", CONFIG, "optimizer.lr=0.1", "weight_decay=0", *runs],
            "nothing to search: the arguments fix optimizer.lr and weight_decay",
        ),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert not any(tmp_path.iterdir())


def test_a_bad_base_config_names_its_file_or_override_as_train_says_it(tmp_path):
    # (tune said "tune config: unknown key ..." where train names the file)
    from tests.conftest import one_error_line

    bad = tmp_path / "bad.yaml"
    bad.write_text("model:\n  hiden: [10]\n")
    runs = ["--runs-dir", str(tmp_path / "runs")]
    for command in (["train", str(bad)], ["tune", str(bad)]):
        line = one_error_line(invoke(*command, *runs))
        assert line == f"error: {bad}: unknown key 'model.hiden' (did you mean 'model.hidden'?)"
    for command in (["train", CONFIG], ["tune", CONFIG]):
        line = one_error_line(invoke(*command, "optimizer.lr=-1", *runs))
        assert line.startswith("error: override 'optimizer.lr=-1': optimizer.lr: "), line
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_tune_log_without_a_terminal_heads_each_round_and_warns_once_in_order(
    tmp_path, monkeypatch
):
    from functools import partial

    from nnlab.cli import common, experiments
    from nnlab.experiments import tune_search

    # the worst case of a log file: every trial line after a round's first comes within the
    # interval (held back), and every round's best value is at an edge (a warning per round)
    monkeypatch.setattr(experiments, "Lines", partial(common.Lines, interval=3600.0))
    monkeypatch.setattr(tune_search, "EDGE", 0.5)
    args = ["tune", CONFIG, *ARGS, *FAST, "--rounds", "2", "--runs-dir", str(tmp_path)]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    log = result.stderr.splitlines()
    heads = [i for i, line in enumerate(log) if line.startswith("round ")]
    assert [log[i].split(":")[0] for i in heads] == ["round 1/2", "round 2/2"]
    for i in heads:  # each header is followed by its round's trial lines
        assert log[i + 1].startswith("  trial "), log
    assert log[heads[1] - 1].startswith("  trial 3/3, "), log  # round 1's last, before round 2
    warnings = [line for line in log if line.startswith("warning:")]
    assert [w.split(": ")[1] for w in warnings] == ["round 1", "round 2"], log
    assert log.index(warnings[0]) > heads[1]  # once each, after the trials
    summary = (next(tmp_path.iterdir()) / "summary.txt").read_text()
    assert [line for line in summary.splitlines() if line.startswith("warning:")] == warnings


def test_a_tune_whose_every_trial_diverged_exits_1_saying_so(tmp_path):
    """No trial completed, so there is no best value: exit 1 (the run failed), as a diverged
    run does, after the folder and the table say how the trials ended."""
    result = invoke("tune", CONFIG, "optimizer.lr=loguniform:1e6:1e8", "--trials", "2",
                    "--rounds", "1", "--epochs", "1", "--runs-dir", str(tmp_path / "runs"))  # fmt: skip
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == (
        "error: no trial completed: all 2 diverged; there is no best value"
    )
    # (the table's heading, summary.txt's and the figure's title said "top 0 (of 2) trials")
    assert "top 0" not in result.output
    assert "no trial completed: all 2 diverged\n" in result.stdout
    (tune,) = (tmp_path / "runs").iterdir()
    heading = (tune / "summary.txt").read_text().splitlines()[0]
    assert heading == f"{tune.name}: no trial completed: all 2 diverged"


def test_val_fraction_help_shows_the_open_range_it_enforces():
    # (the help said [0<=x<=1] while 0 and 1 were refused)
    text = " ".join(invoke("tune", "--help").stdout.split())
    entry = text.split("--val-fraction", 1)[1].split(" --", 1)[0]
    assert "[default: 0.2; 0<x<1]" in entry and "0<=x<=1" not in entry  # (as typer shows one)
    for value in ("0", "1", "1.5"):
        result = invoke("tune", CONFIG, "--val-fraction", value)
        assert result.exit_code == 2
        said = f"--val-fraction: expected a finite number above 0 and below 1, got {value} ("
        assert said in result.stderr


def test_tune_leaves_out_a_well_formed_sweep_section_and_says_so(tmp_path):
    """A file with a ``sweep:`` section: tune searches its own ranges on the rest of the file,
    with a note that the section is not used (it was silently dropped; a malformed one is
    refused, as every command refuses it: tests/cli/test_sweep_cli.py)."""
    import yaml

    raw = yaml.safe_load(Path(CONFIG).read_text())
    raw["sweep"] = {"kind": "grid", "params": {"model.dropout": [0.0, 0.5]}}
    cfg = tmp_path / "with-sweep.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    result = invoke("tune", cfg, *ARGS, *FAST, "--trials", "1", "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 0, result.output
    assert (
        f"note: {cfg}: its sweep: section is left out; tune searches its own ranges "
        "(key=loguniform:LOW:HIGH; default optimizer.lr and weight_decay)"
    ) in result.stderr.splitlines()


# ----------------------------------------------------------------------------- --dry-run
@pytest.mark.slow
def test_a_tune_dry_run_shows_the_first_rounds_trials_and_writes_nothing(tmp_path):
    out = tmp_path / "runs"
    args = ["tune", CONFIG, *ARGS, *FAST, "--rounds", "2", "--runs-dir", str(out)]
    dry = invoke(*args, "--dry-run", "-f", "json")
    assert dry.exit_code == 0, dry.output
    assert not out.exists()  # (not even the runs folder)
    shown = json.loads(dry.stdout)
    assert shown["dry_run"] is True and shown["rounds"] == 2 and len(shown["trials"]) == 3
    assert "3 trials to train" in dry.stderr and "2 rounds of such work" in dry.stderr
    assert (
        "round 1 searches optimizer.lr=loguniform:0.001:1; round 2 draws from the ranges proposed by the "
        "top 2 trials so far" in dry.stderr
    )
    assert "nothing was written" in dry.stderr
    # the trials are those the tune's first round then runs: same ids, values and seeds
    ran = invoke(*args, "-q")
    assert ran.exit_code == 0, ran.output
    (tune,) = out.iterdir()
    (first, _) = sorted((tune / "rounds").iterdir())
    planned = yaml.safe_load((first / "sweep.yaml").read_text())["trials"]
    assert [(t["id"], t["seed"], t["values"]["optimizer.lr"]) for t in planned] == [
        (t["trial"], t["seed"], t["optimizer.lr"]) for t in shown["trials"]
    ]


def test_a_key_fixed_by_an_argument_is_left_out_of_the_default_ranges(tmp_path):
    # (help: 'key=value fixes a key'; but the default range over optimizer.lr drew every
    # trial's rate, and the rate fixed at 0.1 was never read)
    args = ["tune", CONFIG, "optimizer.lr=0.1", "dataset.n_train=300", *FAST, "--dry-run"]
    dry = invoke(*args, "--runs-dir", str(tmp_path), "-f", "json")
    assert dry.exit_code == 0, dry.output
    (trial, *_) = json.loads(dry.stdout)["trials"]
    assert "weight_decay" in trial and "optimizer.lr" not in trial
    assert "round 1 searches weight_decay=loguniform:1e-08:0.0001" in dry.stderr


def test_a_tune_dry_run_counts_every_round_against_the_work_limit(tmp_path, monkeypatch):
    args = ["tune", CONFIG, *ARGS, *FAST, "--runs-dir", str(tmp_path)]
    one = invoke(*args, "--dry-run", "-f", "json")
    hours = json.loads(one.stdout)["nominal_hours"]
    monkeypatch.setenv("NNLAB_MAX_HOURS", str(hours * 3))  # room for 3 rounds, not for 4
    assert invoke(*args, "--rounds", "3", "--dry-run").exit_code == 0
    errors = [one_error_line(invoke(*args, "--rounds", "4", *dry)) for dry in ([], ["--dry-run"])]
    assert errors[0] == errors[1] and "over the limit" in errors[0]
    assert not any(tmp_path.iterdir())


def test_a_tune_resume_counts_the_rounds_left_against_the_work_limit(tmp_path, monkeypatch):
    # (a resume checked each round's sweep as it started, against a round's work alone: 3 rounds
    # left, each within the limit, ran past it together; one over it failed the tune half-way)
    import nnlab.experiments.train as train_mod
    from tests.conftest import interrupted_at_epoch

    args = ["tune", CONFIG, *ARGS, *FAST, "--runs-dir", str(tmp_path)]
    hours = json.loads(invoke(*args, "--dry-run", "-f", "json").stdout)["nominal_hours"]
    real = train_mod.fit_group
    monkeypatch.setattr(train_mod, "fit_group", interrupted_at_epoch(real, 1, call=1))
    assert invoke(*args, "--rounds", "3", "--stack", "1", "-q").exit_code == 130
    monkeypatch.setattr(train_mod, "fit_group", real)
    (run,) = tmp_path.iterdir()
    before = {p: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    env = {"NNLAB_MAX_HOURS": str(hours * 2.5)}  # (room for 2 rounds, not for the 3 left)
    line = one_error_line(invoke("tune", "--resume", "latest", runs_dir=tmp_path, env=env))
    assert "error: the tune (3 rounds of 3 trials) is" in line and "NNLAB_MAX_HOURS" in line
    assert RESUME in line and "make it shorter" not in line  # (what a resume can do)
    assert {p: p.read_bytes() for p in run.rglob("*") if p.is_file()} == before


def test_a_tune_dry_run_refuses_what_it_cannot_show(tmp_path):
    runs = ["--runs-dir", str(tmp_path)]
    existing = tmp_path / "taken"
    existing.mkdir()
    cases = [
        (["tune", "--resume", "latest", "--dry-run", *runs], "--dry-run"),
        (["tune", CONFIG, "--png", str(tmp_path / "t.png"), "--dry-run", *runs], "--png"),
        (["tune", CONFIG, "--out", str(existing), "--dry-run", *runs], "already exists"),
        (["tune", CONFIG, "--executor", "nope", "--dry-run", *runs], "--executor"),
        (["tune", "--dry-run", *runs], "give a config file"),
    ]
    for args, expected in cases:
        assert expected in one_error_line(invoke(*args)), args
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def _column(text: str, header: str, column: str, numbers: bool = True) -> list[str]:
    """The cells of ``column`` in the table of ``text`` whose header row starts with
    ``header`` (the table's first column); ``numbers``: right-aligned, as a number's."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"┃ {header} "))
    names = [c.strip() for c in lines[at].strip("┃").split("┃")]
    head = lines[at].strip("┃").split("┃")[names.index(column)]
    assert head.endswith(f"{column} ") or not numbers, lines[at]
    cells = []
    for line in lines[at + 2 :]:  # (the header, its rule)
        if not line.startswith("│"):
            break
        cells.append(line.strip("│").split("│")[names.index(column)].strip())
    return cells


@pytest.mark.slow
def test_the_ranges_table_spells_the_best_value_as_the_top_trials_table_does(tmp_path):
    # (the ranges table's best read 0.0915 beside the top table's 0.09155: one value, two
    # spellings; it was a measured number's format, the top table a config value's)
    out = tmp_path / "t"
    args = ["tune", CONFIG, "optimizer.lr=loguniform:0.01:1", *ARGS[1:], *FAST, "--out", out]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    leader = json.loads((out / "summary.json").read_text())["best"]["optimizer.lr"]
    spelled = f"{leader:#.6g}"  # (a drawn rate: 6 significant digits, 0.0915482)
    assert spelled != f"{leader:.4f}"  # (not what a measured number's 4 decimals read)
    shown = invoke("runs", "show", out, "--runs-dir", tmp_path)
    for text in (result.stdout, (out / "summary.txt").read_text(), shown.stdout):
        assert _column(text, "round", "best")[0] == spelled, text
        assert spelled in _column(text, "rank" if "rank" in text else "trial", "optimizer.lr")


@pytest.mark.slow
def test_a_tune_over_an_integer_key_draws_whole_numbers_everywhere(tmp_path):
    # (a range over batch_size drew 73.32402196642875, which no trial could take: randint draws
    # whole numbers, the trials' configs, tables, headers and next search keep them whole)
    out = tmp_path / "t"
    args = ["tune", CONFIG, "batch_size=randint:8:200", *ARGS, *FAST, "--rounds", "2"]
    result = invoke(*args, "--out", out)
    assert result.exit_code == 0, result.output
    for config in out.glob("rounds/*/trials/*/config.yaml"):
        assert type(yaml.safe_load(config.read_text())["batch_size"]) is int
    assert "round 1/2: batch_size=randint:8:200, optimizer.lr=loguniform:0.001:1" in result.stderr
    tune = json.loads((out / "tune.json").read_text())
    proposed = tune["rounds"][0]["proposed"]["batch_size"]
    assert proposed.startswith("randint:") and all(e.isdigit() for e in proposed.split(":")[1:])
    searched = _column(result.stdout, "round", "searched", numbers=False)
    assert searched[0] == "randint:8:200" and all(":" in s and "e+" not in s for s in searched)
    sizes = _column(result.stdout, "rank", "batch_size")
    assert sizes and all(s.isdigit() for s in sizes)
    assert _column(result.stdout, "round", "best")[0].isdigit()
    assert re.search(r"next: nnlab tune .* batch_size=randint:\d+:\d+ optimizer.lr=", result.stderr)


@pytest.mark.slow
def test_a_tune_ends_with_the_command_that_trains_its_best_trial_again(tmp_path):
    # (the terminal gave the next search's ranges only; the best trial's config was the report's)
    args = ["tune", CONFIG, *ARGS, *FAST, "--rounds", "2", "-f", "json"]
    result = invoke(*args, runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    best, sweeps = (json.loads(result.stdout)[k] for k in ("best", "sweeps"))
    (tune,) = (tmp_path / "runs").iterdir()
    config = tune / "rounds" / Path(sweeps[best["round"] - 1]).name / "trials" / best["trial"]
    line = next(line for line in result.stderr.splitlines() if line.startswith("best: "))
    assert line == (
        f"best: nnlab train {config}/config.yaml --runs-dir {tmp_path / 'runs'} (trial {best['trial']} of round "
        f"{best['round']} again; its config holds out the validation split)"
    )
    last = f"run folder: {tune}  (figures: tune-curves.png, tune-scatter.png)"  # (it said none)
    assert result.stderr.splitlines()[-1] == last
    trained = invoke(*line.split(" (")[0].split()[2:], "-q", runs_dir=tmp_path / "again")
    assert trained.exit_code == 0, trained.output
    record = json.loads((next((tmp_path / "again").iterdir()) / "summary.json").read_text())
    assert record["final_val_acc"] == best["final_val_acc"]  # (the very trial, trained again)


@pytest.mark.slow
def test_the_best_trial_a_tune_offers_keeps_its_data_dir(tmp_path):
    # (it left --data-dir out, which an MNIST tune's trial needs to find its data; the
    # report's page kept it)
    import shlex

    data = tmp_path / "my data"
    data.mkdir()  # (a --data-dir that does not exist is refused)
    args = ["tune", CONFIG, *ARGS, *FAST, "--data-dir", str(data)]
    result = invoke(*args, runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stderr.splitlines() if line.startswith("best: "))
    command = shlex.split(line.removeprefix("best: nnlab ").split(" (trial")[0])
    assert command[-4:] == ["--data-dir", str(data), "--runs-dir", str(tmp_path / "runs")]
    trained = invoke(*command, "-q", runs_dir=tmp_path / "again")
    assert trained.exit_code == 0, trained.output


@pytest.mark.slow
def test_a_completed_tune_whose_draws_repeat_lists_all_its_trials_ended(tmp_path):
    # (a round plans its trials less the draws that repeat one: randint:16:17 draws 16 only,
    # and the COMPLETED tune's row read 2/6, as if 4 trials had not run; rounds x trials)
    args = ["tune", CONFIG, "batch_size=randint:16:17", *ARGS[1:], "--trials", "3", "--epochs"]
    result = invoke(*args, "1", "--rounds", "2", "--top-k", "1", runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    (listed,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", tmp_path).stdout)
    assert listed["status"] == "COMPLETED"
    (tune,) = tmp_path.iterdir()
    made = len(list(tune.glob("rounds/*/trials/*")))
    assert listed["trials_done"] == listed["trials_planned"] == made < 6


def test_the_next_search_a_tune_offers_keeps_its_data_dir_and_runs_dir(tmp_path):
    # (its 'next: nnlab tune ...' left both out: pasted, an MNIST search looked for its data in
    # the default folder, and a search of --runs-dir r wrote into ./runs)
    import shlex

    data, root = tmp_path / "my data", tmp_path / "r"
    data.mkdir()  # (a --data-dir that does not exist is refused)
    result = invoke("tune", CONFIG, *ARGS, *FAST, "--data-dir", data, runs_dir=root)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stderr.splitlines() if line.startswith("next: "))
    command = shlex.split(line.removeprefix("next: nnlab "))
    assert command[-4:] == ["--data-dir", str(data), "--runs-dir", str(root)]
    assert invoke(*command, "-q").exit_code == 0
    assert len(list(root.iterdir())) == 2


@pytest.mark.parametrize(
    "fixed, hidden",
    [
        (["model.depth=3"], [100, 100, 100]),  # (the config's width: [100, 100])
        (["model.width=20"], [20, 20]),
        (["model.depth=1", "model.width=8"], [8]),
        (["model.depth=0", "model.width=8"], []),
        (["model.hidden=[50]", "model.depth=2"], None),  # (two ways of saying one key)
    ],
)
def test_a_shape_key_of_one_value_is_fixed_as_any_keys_value(tmp_path, fixed, hidden):
    # (tune CFG model.depth=2 was refused: "unknown key 'model.depth'"; a sweep takes it)
    args = ["tune", CONFIG, *fixed, "optimizer.lr=loguniform:1e-3:1", "--trials", "2"]
    result = invoke(*args, "--dry-run", "-f", "json", "--runs-dir", tmp_path / "runs")
    if hidden is None:
        assert "model.hidden and model.depth both set the hidden layers" in one_error_line(result)
        return
    assert result.exit_code == 0, result.output
    trials = json.loads(result.stdout)["trials"]
    assert [list(t) for t in trials][0][:2] == ["trial", "optimizer.lr"]  # (no shape column)
    from nnlab.experiments.tune import tune_settings

    settings, _ = tune_settings(Path(CONFIG), [*fixed, "optimizer.lr=loguniform:1e-3:1"],
                                data_dir=None, epochs=None, val_fraction=0.2, rounds=1,
                                trials=2, top_k=1, seed=0, metric="final_val_acc")  # fmt: skip
    assert settings.base["model"]["hidden"] == hidden
    assert settings.overrides == fixed  # (as given: the next: command repeats them)
