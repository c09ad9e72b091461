"""Every reader of a sweep says its trials as they are now: ``runs list``, ``runs show`` (table
and json), the report and ``sweep resume --dry-run`` agree on each trial's state and on the
counts, whatever happened to the folder since the sweep's end: a trial completed since by
``train --resume``, a trial folder removed, one damaged, two swapped, a trial FAILED before its
folder was made, an interrupted sweep."""

from __future__ import annotations

import collections
import html
import json
import re
import shutil

import pytest

from nnlab import runs, sweep as sw
from nnlab.summary import best_trial
from tests.conftest import interrupted_at_epoch, invoke
from tests.experiments.test_sweep import (
    fail_before_a_folder,
    interrupted_sweep_then_a_trial_resumed,
    tiny_sweep,
)

# what a resume does with a trial in each state (``resume_plan.resume_action``)
ACTION = {"COMPLETED": "keep", "DIVERGED": "keep", "INTERRUPTED": "resume", "PENDING": "run",
          "MISSING": "run", "FAILED": "run"}  # fmt: skip


def _interrupted_in_its_second_trial(root, monkeypatch) -> runs.RunDir:
    """A sweep interrupted at epoch 2 of its second trial: COMPLETED, INTERRUPTED, 2 PENDING."""
    import nnlab.experiments.train as train_mod

    monkeypatch.setattr(train_mod, "CHECKPOINT_SECONDS", 0.0)
    real, calls = train_mod.fit_group, []

    def fit(*args, **kwargs):
        calls.append(1)
        fit_ = interrupted_at_epoch(real, 2) if len(calls) == 2 else real
        return fit_(*args, **kwargs)

    monkeypatch.setattr(train_mod, "fit_group", fit)
    with pytest.raises(KeyboardInterrupt):
        sw.run_sweep(tiny_sweep(), runs_dir=root, stack=1)
    monkeypatch.setattr(train_mod, "fit_group", real)
    (run,) = runs.iter_runs(root)
    return run


def _damaged_since(root, monkeypatch) -> tuple[runs.RunDir, dict[str, str]]:
    """A sweep of 4 trials, one FAILED before its folder was made; then one trial's folder
    removed and another's meta.json damaged. The folder, and each trial's state now."""
    with monkeypatch.context() as patch:
        fail_before_a_folder(patch, 29)
        params = {"batch_size": [30, 29], "optimizer.lr": [0.5, 0.1]}
        run = sw.run_sweep(tiny_sweep(params), runs_dir=root, stack=1).run
    rows = run.read_json("summary.json")["trials"]
    ok = [r["trial"] for r in rows if r["status"] == "COMPLETED"]
    failed = [r["trial"] for r in rows if r["status"] == "FAILED"]
    assert len(ok) == 2 and len(failed) == 2
    shutil.rmtree(run.path / "trials" / ok[0])
    (run.path / "trials" / ok[1] / "meta.json").write_text("[]\n")
    return run, {ok[0]: "MISSING", ok[1]: "DAMAGED", **dict.fromkeys(failed, "FAILED")}


def _report_states(root, run: runs.RunDir) -> tuple[dict[str, str], str]:
    """Each trial's status on the report's page of ``run``, and the page's text."""
    built = invoke("report", "--runs-dir", root, "--out", root.parent / f"{root.name}-report")
    assert built.exit_code == 0, built.output
    page = (root.parent / f"{root.name}-report" / run.id / "index.html").read_text()
    found = re.findall(r'data-status="([A-Z]+)" data-rel="[^"]*/trials/([0-9a-f]+)"', page)
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    return {tid: status for status, tid in found}, text


def _readers_agree(root, run: runs.RunDir) -> dict[str, str]:
    """What every reader says of the trials of ``run`` (under ``root``), checked to agree;
    each trial's state."""
    shown = invoke("runs", "show", run.path, "-f", "json", runs_dir=root)
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)
    rows = view["summary"]["trials"]
    states = {r["trial"]: r["status"] for r in rows}
    counts = dict(collections.Counter(states.values()))
    assert view["summary"]["counts"] == counts and "counts" not in view["meta"]
    bad = {(b["trial"], b["status"]) for b in view.get("bad_trials", [])}
    assert bad == {(t, s) for t, s in states.items() if s in ("DAMAGED", "MISSING")}

    table = invoke("runs", "show", run.path, runs_dir=root).stdout
    said = ", ".join(f"{n} {status}" for status, n in counts.items())
    assert f"{run.id}: {run.status} ({said})" in table
    for trial, status in states.items():
        (line,) = [ln for ln in table.splitlines() if ln.startswith(f"│ {trial}")]
        assert f" {status} " in line, (trial, status, line)

    (listed,) = json.loads(invoke("runs", "list", "-f", "json", runs_dir=root).stdout)
    assert listed["status"] == run.status
    assert {(b["trial"], b["status"]) for b in listed.get("bad_trials", [])} == bad
    best = best_trial(rows)
    assert listed.get("best_trial") == (best["trial"] if best else None)

    on_page, text = _report_states(root, run)
    assert on_page == states
    ordered = sorted(counts.items(), key=lambda c: -c[1])
    assert f"{len(states)} trials ({', '.join(f'{n} {s}' for s, n in ordered)})" in text
    said = re.search(r"counts (\d+ [A-Z]+(?:, \d+ [A-Z]+)*)", text)  # (as its title says them)
    assert said and set(said.group(1).split(", ")) == {f"{n} {s}" for s, n in counts.items()}

    dry = invoke("sweep", "resume", run.path, "--dry-run", "-f", "json", runs_dir=root)
    if "DAMAGED" in states.values():  # (refused, naming a damaged trial: nothing to plan)
        damaged = [t for t, s in states.items() if s == "DAMAGED"]
        assert dry.exit_code == 2, dry.output
        assert any(f"/trials/{t}/meta.json" in dry.output for t in damaged), dry.output
    else:
        assert dry.exit_code == 0, dry.output
        actions = {r["trial"]: r["action"] for r in json.loads(dry.stdout)["trials"]}
        assert actions == {t: ACTION[s] for t, s in states.items()}
    return states


@pytest.mark.slow
def test_every_reader_of_a_sweep_agrees_on_its_trials_now(tmp_path, monkeypatch):
    run = _interrupted_in_its_second_trial(tmp_path / "a", monkeypatch)
    states = _readers_agree(tmp_path / "a", run)
    assert sorted(states.values()) == ["COMPLETED", "INTERRUPTED", "PENDING", "PENDING"]

    run, trial = interrupted_sweep_then_a_trial_resumed(tmp_path / "b", monkeypatch)
    states = _readers_agree(tmp_path / "b", run)
    assert states[trial] == "COMPLETED" and list(states.values()).count("PENDING") == 3

    run, expected = _damaged_since(tmp_path / "c", monkeypatch)
    assert _readers_agree(tmp_path / "c", run) == expected


def test_every_reader_of_a_sweep_names_a_trial_folder_swapped_with_another_damaged(tmp_path):
    """Two trial folders swapped: runs show and runs list said both DAMAGED (each is another
    trial's), the report showed both COMPLETED with each other's numbers (its reader of a
    sweep's trials did not check a folder is the trial its sweep planned)."""
    root = tmp_path / "runs"
    run = sw.run_sweep(tiny_sweep({"optimizer.lr": [0.5, 0.1]}), runs_dir=root).run
    a, b = sorted((run.path / "trials").iterdir())
    a.rename(run.path / "trials" / "x")
    b.rename(a)
    (run.path / "trials" / "x").rename(b)
    assert _readers_agree(root, run) == {a.name: "DAMAGED", b.name: "DAMAGED"}


def test_a_failed_trial_whose_folder_was_removed_reads_failed_in_every_reader(
    tmp_path, monkeypatch
):
    """A trial that FAILED in its folder, the folder removed since: the sweep's summary is
    the one record of it left, FAILED with its error (a resume runs it again), not MISSING
    (a result that was lost)."""
    import nnlab.experiments.train as train_mod

    real = train_mod.fit_group

    def fit(*args, lrs, **kwargs):
        if 0.1 in lrs:
            raise RuntimeError("boom")
        return real(*args, lrs=lrs, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(train_mod, "fit_group", fit)
        run = sw.run_sweep(tiny_sweep({"optimizer.lr": [0.5, 0.1]}), runs_dir=tmp_path, stack=1).run
    ok, bad = run.read_json("summary.json")["trials"]
    assert bad["status"] == "FAILED" and (run.path / "trials" / bad["trial"]).is_dir()
    shutil.rmtree(run.path / "trials" / bad["trial"])
    assert _readers_agree(tmp_path, run) == {ok["trial"]: "COMPLETED", bad["trial"]: "FAILED"}
    assert sw.sweep_rows(run)[1]["error"] == "RuntimeError: boom"


@pytest.mark.slow
def test_every_reader_of_a_sweep_stopped_at_its_stop_file_says_interrupted(tmp_path):
    """A sweep whose last trial stopped at the sweep's STOP file: the sweep and that trial
    read INTERRUPTED in every reader, and the resume would continue it."""
    from tests.experiments.test_sweep import _LastUnitStopped

    with pytest.raises(runs.Unfinished):
        sw.run_sweep(tiny_sweep(), runs_dir=tmp_path, stack=1, executor=_LastUnitStopped())
    (run,) = runs.iter_runs(tmp_path)
    states = _readers_agree(tmp_path, run)
    assert run.status == "INTERRUPTED"
    assert sorted(states.values()) == ["COMPLETED", "COMPLETED", "COMPLETED", "INTERRUPTED"]
