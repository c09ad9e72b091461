"""What a sweep says of its folder and its FAILED trials once it has ended (``sweep.outcome``)."""

from __future__ import annotations

from types import SimpleNamespace

from nnlab.sweep.outcome import failed_said, folder_said


def ended(folder, rows, ran=(), resumed=(), skipped=(), seconds=4.0):
    return SimpleNamespace(
        run=SimpleNamespace(path=folder),
        rows=rows,
        failed=[r for r in rows if r["status"] == "FAILED"],
        ran=list(ran),
        resumed=list(resumed),
        skipped=list(skipped),
        seconds=seconds,
    )


def test_the_folder_line_counts_trials_by_what_became_of_them_and_names_its_figures(tmp_path):
    (tmp_path / "b.png").write_bytes(b"")
    (tmp_path / "a.png").write_bytes(b"")
    rows = [{"trial": t, "status": s} for t, s in (("t1", "COMPLETED"), ("t2", "FAILED"),
                                                   ("t3", "COMPLETED"), ("t4", "COMPLETED"))]  # fmt: skip
    line = folder_said(ended(tmp_path, rows, ran=["t1", "t2"], resumed=["t3"], skipped=["t4"]))
    assert line.startswith(f"sweep folder: {tmp_path}  (trials: 1 trained, 1 FAILED, 1 resumed, "
                           "1 already done; ")  # fmt: skip
    assert line.endswith("; figures: a.png, b.png)")


def test_a_sweep_without_failures_or_figures_says_neither(tmp_path):
    result = ended(tmp_path, [{"trial": "t1", "status": "COMPLETED"}], ran=["t1"])
    line = folder_said(result)
    assert "FAILED" not in line and "figure" not in line and "(trials: 1 trained, 0 resumed" in line
    assert failed_said(result, 1) is None


def test_failed_trials_are_an_error_naming_the_first_and_the_resume(tmp_path):
    rows = [{"trial": "t1", "status": "FAILED", "error": "boom"},
            {"trial": "t2", "status": "FAILED", "error": "bang"}]  # fmt: skip
    assert failed_said(ended(tmp_path, rows, ran=["t1", "t2"]), 3) == (
        f"error: 2 of 3 trials FAILED (e.g. t1: boom); rerun them with: nnlab sweep --resume "
        f"{tmp_path}"
    )


def test_a_sweeps_table_leaves_out_what_a_trial_has_not_and_json_keeps_every_field():
    from nnlab import sweep as sw
    from nnlab.sweep.outcome import shown

    spec = sw.SweepSpec(params={"optimizer.name": ["sgd", "momentum"], "optimizer.momentum": [0.5]})
    rows = [
        {"trial": "a", "optimizer.name": "sgd", "optimizer.momentum": None, "seed": 1,
         "status": "COMPLETED", "epochs_done": 2, "final_test_acc": 0.9, "best_test_acc": 0.95},
        {"trial": "b", "optimizer.name": "momentum", "optimizer.momentum": 0.5, "seed": 2,
         "status": "FAILED", "epochs_done": 1},
    ]  # fmt: skip
    result = SimpleNamespace(rows=rows, status="COMPLETED", run=SimpleNamespace(id="s-1"),
                             defn=SimpleNamespace(preset=None, spec=spec))  # fmt: skip
    table, columns, title = shown(result, table=True)
    assert title == "s-1: COMPLETED (1 COMPLETED, 1 FAILED)"  # (summary.txt's title)
    assert columns == ["trial", "optimizer.name", "optimizer.momentum", "status", "epochs_done",
                       "final_test_acc"]  # fmt: skip
    assert "optimizer.momentum" not in table[0] and table[1] == rows[1]
    assert shown(result, table=False) == (rows, None, None)


def test_a_presets_sweep_is_shown_in_its_own_view(monkeypatch):
    from nnlab.sweep.outcome import shown
    from nnlab.sweep.presets import PRESETS

    preset = PRESETS["weight-scale"]
    seen = []

    class Preset(type(preset)):  # type: ignore[misc]
        def complete(self, rows, defn):
            seen.append(defn)
            return [{**r, "filled": True} for r in rows]

        def table(self, rows, title):
            return rows, ["trial"], f"{title}: pairs"

        def objects(self, rows):
            return [{"objects": len(rows)}]

    defn = SimpleNamespace(preset="weight-scale", spec=None)
    row = {"trial": "a", "status": "FAILED"}
    result = SimpleNamespace(rows=[row], status="FAILED", run=SimpleNamespace(id="w"), defn=defn)
    monkeypatch.setitem(PRESETS, "weight-scale", Preset())
    assert shown(result, table=True) == ([{**row, "filled": True}], ["trial"],
                                         "w: FAILED (1 FAILED): pairs")  # fmt: skip
    assert shown(result, table=False) == ([{"objects": 1}], None, None)
    assert seen == [defn, defn]


def test_a_trials_line_names_its_swept_keys_outcome_accuracies_and_time_or_error():
    from nnlab.sweep.outcome import describe_row

    row = {"trial": "t1", "optimizer.lr": 0.1, "seed": 7, "status": "COMPLETED", "epochs": 2,
           "final_train_acc": 0.91234, "final_test_acc": None, "seconds": 1.25}  # fmt: skip
    line = describe_row(row, ["optimizer.lr", "not.in.row"])
    assert line.startswith("t1 optimizer.lr=0.1 ") and "train_acc 0.9123" in line
    assert "test_acc" not in line and line.endswith(")")
    assert describe_row(row) == line  # (no axes: the columns between trial and seed)
    failed = {**row, "status": "FAILED", "error": "ValueError: boom\nTraceback ..."}
    assert describe_row(failed).endswith("ValueError: boom")
