"""Every command that makes a folder, interrupted, says the command that continues it, and that
command does: the folder ends COMPLETED with one ``resumes`` entry. For the commands that keep
no partial results (``nnlab.redo``: lr-scan, activations, compare-optimizers, gradcheck
--compare-differences) the resume does the work again from the recipe the folder recorded, and
its results are the uninterrupted run's (all but the seconds they took)."""

from __future__ import annotations

import json
import os
import shlex
import signal
from pathlib import Path
from typing import Any

import pytest

from nnlab import redo, runs

from .helpers import Row, invoke, one_line, only
from .test_after_folder import COMMANDS, inject, signalling

RESULT = {  # a redone kind's file of results, and the keys of it that are timings
    "lr-scan": "summary.json",
    "activations": "summary.json",
    "compare-optimizers": "result.json",
    "gradcheck": "differences.json",
}
TIMINGS = ("seconds", "timing")


def untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


def interrupt(case: Path, monkeypatch, command: str) -> tuple[runs.RunDir, str]:
    """``command`` of ``COMMANDS`` sent SIGTERM at its ``nth`` write: its folder and the
    command its line says continues it."""
    args, _, nth = COMMANDS[command]
    nth += 2 if command in ("sweep", "tune") else 0  # (as test_other_commands counts them)
    with monkeypatch.context() as patched:
        inject(patched, nth, signalling(signal.SIGTERM))
        result = invoke(*args, "--runs-dir", case / "runs")
    assert result.exit_code == 130, result.output
    top = only(case / "runs")
    assert top.status == "INTERRUPTED"
    line = one_line(result.stderr)
    assert "; continue with: " in line, line
    return top, line.split("; continue with: ", 1)[1]


@pytest.mark.slow
@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_interrupted_folder_says_its_resume_and_the_resume_completes_it(
    case, monkeypatch, command
):
    top, resume = interrupt(case, monkeypatch, command)
    assert resume == f"nnlab {command} --resume {top.path}"
    shown = invoke("runs", "show", top.path)  # (it says so too, as the report does)
    assert f"\nresume    {resume}\n" in shown.stdout, shown.stdout
    assert json.loads(invoke("runs", "show", top.path, "-f", "json").stdout)["resume"] == resume
    again = invoke(*shlex.split(resume)[1:])
    assert again.exit_code == 0, again.output
    assert "\nresume " not in invoke("runs", "show", top.path).stdout
    assert top.status == "COMPLETED"
    assert len(top.meta["resumes"]) == 1
    assert [r.path for r in runs.iter_runs(case / "runs")] == [top.path]  # (no new folder)


@pytest.mark.slow
@pytest.mark.parametrize("command", list(RESULT))
def test_a_redone_folder_holds_what_an_uninterrupted_run_gives(case, monkeypatch, command):
    top, resume = interrupt(case, monkeypatch, command)
    again = invoke(*shlex.split(resume)[1:])
    assert again.exit_code == 0, again.output
    first = again.stderr.splitlines()[0]
    assert first == redo.again_line(top)  # ('its work again from the start', or which it trains)
    assert first.startswith(f"resuming {top.path}: ")
    args, _, _ = COMMANDS[command]
    assert invoke(*args, "--runs-dir", case / "straight").exit_code == 0
    straight = only(case / "straight")
    redone, fresh = (json.loads(r.file(RESULT[command]).read_text()) for r in (top, straight))
    assert untimed(redone) == untimed(fresh)
    assert top.meta["recipe"] == straight.meta["recipe"]
    assert sorted(p.name for p in top.path.iterdir()) == sorted(
        p.name for p in straight.path.iterdir()
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", list(RESULT))
def test_a_redone_folder_that_completed_is_refused_and_left_alone(case, command):
    args, _, _ = COMMANDS[command]
    assert invoke(*args, "--runs-dir", case / "runs").exit_code == 0
    top = only(case / "runs")
    before = top.file("meta.json").read_bytes()
    result = invoke(command, "--resume", "latest", "--runs-dir", case / "runs")
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr) == f"error: {top.path}: already COMPLETED, nothing to resume"
    assert top.file("meta.json").read_bytes() == before


@pytest.mark.parametrize("command", list(RESULT))
def test_a_redone_folder_without_a_recipe_is_refused_with_its_command(case, command):
    """A folder an nnlab made before it kept recipes: the line says to run the command again."""
    args, _, _ = COMMANDS[command]
    assert invoke(*args, "--runs-dir", case / "runs").exit_code == 0
    top = only(case / "runs")
    meta = top.meta
    del meta["recipe"]
    meta.update(status="INTERRUPTED", argv=["/usr/bin/nnlab", command, "--seed", "3"])
    top.file("meta.json").write_text(json.dumps(meta))
    assert "\nresume " not in invoke("runs", "show", top.path).stdout  # (it would be refused)
    result = invoke(command, "--resume", str(top.path))
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert line.startswith(f"error: {top.path}: its meta.json has no recipe"), line
    assert line.endswith(f"run the command again: nnlab {command} --seed 3"), line


def test_every_redone_kind_is_a_kind_a_command_makes():
    assert set(redo.REDONE) == set(RESULT) <= set(runs.KINDS)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["lr-scan", "--resume", "latest", "--num", "3"], "--num"),
        (["lr-scan", "cfg.yaml", "--resume", "latest"], "CONFIG"),
        (["activations", "--resume", "latest", "--layers", "2"], "--layers"),
        (["activations", "--resume", "latest", "--out", "x"], "--out"),
        (["compare-optimizers", "--resume", "latest", "--lr", "0.1"], "--lr"),
        (["gradcheck", "--resume", "latest", "--eps", "1e-4"], "--eps"),
        (["tune", "--resume", "latest", "--trials", "5"], "--trials"),  # (these two went on
        (["landscape", "--resume", "latest", "--range", "-2:2"], "--range"),  # without them)
    ],
)
def test_an_option_of_the_work_beside_resume_is_refused_naming_it(case, args, option):
    """It would be ignored (the folder has its settings): refused before anything is read."""
    result = invoke(*args, "--runs-dir", case / "runs")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert line.startswith(f"error: {option}: not with --resume"), line
    assert not (case / "runs").exists()


DATASET_COMPARISON = ["compare-optimizers", "--dataset", "digits", "--steps", "30", "-o",
                      "sgd,momentum,adam", "--hidden", "8", "-q"]  # fmt: skip


@pytest.mark.slow
def test_a_dataset_comparison_resumed_trains_only_the_optimizers_it_had_not_finished(
    case, monkeypatch
):
    """Each optimizer's run is kept in the folder as it finishes (optimizer-<index>.json): a
    resume takes it as it is and trains the others; result.json is the uninterrupted one's,
    and the kept files go once it holds them."""
    from nnlab.experiments.optimizers import training

    real, trained = training._train_one, []

    def train_one(spec, *args):
        if len(trained) == 2:  # (sgd and momentum done: stopped as adam begins)
            os.kill(os.getpid(), signal.SIGTERM)
        trained.append(spec.label)
        return real(spec, *args)

    with monkeypatch.context() as patched:
        patched.setattr(training, "_train_one", train_one)
        stopped = invoke(*DATASET_COMPARISON, "--runs-dir", case / "runs")
    assert stopped.exit_code == 130, stopped.output
    top = only(case / "runs")
    assert sorted(p.name for p in top.path.glob("optimizer-*.json")) == [
        "optimizer-0.json", "optimizer-1.json"
    ]  # fmt: skip
    trained.clear()
    monkeypatch.setattr(training, "_train_one", lambda spec, *a: trained.append(spec.label)
                        or real(spec, *a))  # fmt: skip
    again = invoke("compare-optimizers", "--resume", top.path)
    assert again.exit_code == 0, again.output
    assert again.stderr.startswith(f"resuming {top.path}: the optimizers it had not finished")
    assert trained == ["adam"]
    assert list(top.path.glob("optimizer-*.json")) == []
    assert invoke(*DATASET_COMPARISON, "--runs-dir", case / "straight").exit_code == 0
    redone, fresh = (
        json.loads(r.file("result.json").read_text()) for r in (top, only(case / "straight"))
    )
    assert untimed(redone) == untimed(fresh)


@pytest.mark.slow
def test_a_kept_run_of_another_optimizer_or_torn_is_trained_again(case, monkeypatch):
    """A kept file that is not the spec's (another optimizer, other hyperparameters) or cannot
    be read is no result: its optimizer trains again."""
    from nnlab.experiments.optimizers import training

    assert invoke(*DATASET_COMPARISON, "--runs-dir", case / "runs").exit_code == 0
    top = only(case / "runs")
    stored = json.loads(top.file("result.json").read_text())["runs"]
    (top.path / "optimizer-0.json").write_text(json.dumps({**stored[0], "optimizer": "adam"}))
    (top.path / "optimizer-1.json").write_text(json.dumps(stored[1])[:-40])
    (top.path / "optimizer-2.json").write_text(json.dumps(stored[2]))
    meta = top.meta
    meta["status"] = "INTERRUPTED"
    top.file("meta.json").write_text(json.dumps(meta))
    trained: list[str] = []
    real = training._train_one
    monkeypatch.setattr(training, "_train_one", lambda spec, *a: trained.append(spec.label)
                        or real(spec, *a))  # fmt: skip
    assert invoke("compare-optimizers", "--resume", top.path).exit_code == 0
    assert trained == ["sgd", "momentum"]
    assert untimed(json.loads(top.file("result.json").read_text())["runs"]) == untimed(stored)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_second_stop_signal_as_the_folder_is_let_go_keeps_the_line_naming_it(
    case, monkeypatch, command
):
    """``timeout`` signals the command, then its process group; a second Ctrl-C: a stop signal
    that came as the interrupted folder was released took the first one's place, and the line
    said 'interrupted (SIGTERM)' alone, neither folder nor resume (the probe met it in a tune)."""
    args, _, nth = COMMANDS[command]
    nth += 2 if command in ("sweep", "tune") else 0
    real = runs.release
    again = []

    def release(run):
        real(run)
        if signalled and not again:  # (the first release after the interrupt: the top
            again.append(run)  # folder's, or a trial's inside it)
            os.kill(os.getpid(), signal.SIGTERM)

    signalled: list[Path] = inject(monkeypatch, nth, signalling(signal.SIGTERM))
    monkeypatch.setattr(runs, "release", release)
    result = invoke(*args, "--runs-dir", case / "runs")
    assert result.exit_code == 130, result.output
    top = only(case / "runs")
    assert again, "the second signal was not sent"
    (expected,) = SECOND_SIGNAL.expect(case / "runs", top.path)
    line = one_line(result.stderr)
    assert line == expected.replace("nnlab lr-scan --resume", f"nnlab {command} --resume")


SECOND_SIGNAL = Row(
    "a second stop signal (`timeout`'s to the process group, a second Ctrl-C) as the interrupted "
    "folder is let go, in every command",
    "`nnlab lr-scan cfg.yaml` (SIGTERM, then SIGTERM again)",
    130,
    ("interrupted (SIGTERM): {run} is INTERRUPTED; continue with: nnlab lr-scan --resume {run}",),
)


def test_a_resume_refused_after_its_folder_is_found_says_one_line_not_resuming(case, monkeypatch):
    """The 'resuming' line came as the folder was found, before its config.yaml was read: an
    edited one was refused on a second line. It comes once every check has passed."""
    top, resume = interrupt(case, monkeypatch, "lr-scan")
    text = top.file("config.yaml").read_text()
    top.file("config.yaml").write_text(text.replace("seed: 0", "seed: 1"))
    result = invoke(*shlex.split(resume)[1:])
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert line.startswith(f"error: {top.file('config.yaml')}: not the config this run was"), line
    assert top.status == "INTERRUPTED"


SCAN = ["lr-scan", "cfg.yaml", "--num", "20", "--epochs", "1", "-q"]  # (chunks of 8, 8 and 4)


@pytest.mark.slow
def test_an_lr_scan_resumed_trains_only_the_chunks_of_rates_it_had_not_finished(case, monkeypatch):
    """The rates train side by side 8 at a time, each chunk's trainings kept in the folder as
    it ends (rates-<first>.json): a resume takes those and trains the others; summary.json is
    the uninterrupted scan's (the chunks' numbers are each net's alone), and the kept files go
    once it holds them."""
    from nnlab.experiments import lr_scan

    real, trained = lr_scan._stack, []

    def stack(cfgs, data):
        if len(trained) == 1:  # (the first chunk done: stopped as the second begins)
            os.kill(os.getpid(), signal.SIGTERM)
        trained.append(len(cfgs))
        return real(cfgs, data)

    with monkeypatch.context() as patched:
        patched.setattr(lr_scan, "_stack", stack)
        stopped = invoke(*SCAN, "--runs-dir", case / "runs")
    assert stopped.exit_code == 130, stopped.output
    top = only(case / "runs")
    assert [p.name for p in top.path.glob("rates-*.json")] == ["rates-0.json"]
    trained.clear()
    monkeypatch.setattr(lr_scan, "_stack", lambda cfgs, data: trained.append(len(cfgs))
                        or real(cfgs, data))  # fmt: skip
    again = invoke("lr-scan", "--resume", top.path)
    assert again.exit_code == 0, again.output
    assert trained == [8, 4]
    assert list(top.path.glob("rates-*.json")) == []
    assert invoke(*SCAN, "--runs-dir", case / "straight").exit_code == 0
    redone, fresh = (r.summary() for r in (top, only(case / "straight")))
    assert untimed(redone) == untimed(fresh)


@pytest.mark.slow
def test_a_kept_chunk_of_other_rates_or_torn_is_trained_again(case, monkeypatch):
    from nnlab.experiments import lr_scan

    assert invoke(*SCAN, "--runs-dir", case / "runs").exit_code == 0
    top = only(case / "runs")
    stored = top.summary()
    rates = [row["lr"] for row in stored["rows"]]
    curves = list(stored["curves"].values())
    kept = {"rates": rates[:8], "trainings": [["COMPLETED", c] for c in curves[:8]]}
    (top.path / "rates-0.json").write_text(json.dumps({**kept, "rates": rates[1:9]}))
    (top.path / "rates-8.json").write_text(json.dumps(kept)[:-30])
    (top.path / "rates-16.json").write_text(json.dumps(
        {"rates": rates[16:], "trainings": [["COMPLETED", c] for c in curves[16:]]}))  # fmt: skip
    meta = top.meta
    meta["status"] = "INTERRUPTED"
    top.file("meta.json").write_text(json.dumps(meta))
    trained: list[int] = []
    real = lr_scan._stack
    monkeypatch.setattr(lr_scan, "_stack", lambda cfgs, data: trained.append(len(cfgs))
                        or real(cfgs, data))  # fmt: skip
    assert invoke("lr-scan", "--resume", top.path).exit_code == 0
    assert trained == [8, 8]
    assert untimed(top.summary()) == untimed(stored)
