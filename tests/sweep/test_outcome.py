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
