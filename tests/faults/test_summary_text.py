"""``runs show`` of a folder of a kind other than train, sweep and tune draws its table from the
file that stores it (summary.json, result.json, differences.json: checked by every reader),
with the function its command printed it with, not from summary.txt, its rendering. A
summary.txt emptied, deleted or copied from another folder made ``runs show`` print nothing or
that folder's table, while every other reader said the folder was sound.
"""

from __future__ import annotations

import json
import shutil

import pytest

from nnlab import runs

from .helpers import copy_runs, invoke, refused

KINDS = ["lr-scan", "landscape", "activations", "compare-optimizers",
         "compare-optimizers digits", "gradcheck"]  # fmt: skip
FOREIGN = "compare-optimizers d2l"  # (whose summary.txt is copied over the folder's)


def _show(run: runs.RunDir) -> str:
    result = invoke("runs", "show", run.path, "--runs-dir", run.path.parent)
    assert result.exit_code == 0 and result.stderr == "", result.output
    return result.stdout


@pytest.mark.parametrize("how", ["another folder's", "deleted"])
@pytest.mark.parametrize("kind", KINDS)
def test_runs_show_draws_the_table_from_the_checked_file_not_summary_txt(case, planned, kind, how):
    copy_runs(planned[kind], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    own = _show(run)
    written = run.file("summary.txt")
    if kind == "gradcheck":  # (it writes no summary.txt: its tables were not shown at all)
        assert not written.exists()
        param = run.result()["param"]
        assert f"{param} 6x7, net tanh weight-decay" in own and "max rel error over" in own
    else:
        assert written.read_text() in own  # (what the command printed and wrote)
    foreign = next(runs.iter_runs(planned[FOREIGN])).file("summary.txt").read_text()
    if how == "another folder's":
        shutil.copyfile(next(runs.iter_runs(planned[FOREIGN])).file("summary.txt"), written)
    else:
        written.unlink(missing_ok=True)
    shown = _show(run)
    assert shown == own and foreign not in shown
    # (a summary.txt is a rendering: without it the folder is as sound for runs list; an
    # emptied one is not whole, which is damage: ``test_renderings``)
    (row,) = json.loads(invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs").stdout)
    assert row["status"] == "COMPLETED" and "reason" not in row, row


# kind -> (the summary.json key removed, what every reader says of it)
UNDRAWABLE = {
    "lr-scan": ("rows", "rows is missing; nnlab writes it there"),
    "landscape": ("grid", "grid is missing; nnlab writes it there"),
    "activations": ("samples", "samples is missing; nnlab writes it there"),
}


@pytest.mark.parametrize("kind", list(UNDRAWABLE))
@pytest.mark.parametrize("reader", ["list", "show", "show json"])
def test_a_summary_json_without_what_its_table_is_drawn_from_is_damage(case, planned, kind, reader):
    """A summary.json of an lr scan without its rows (a landscape without its grid, ...) was
    shown as its summary.txt said; drawn from it, its table cannot be: DAMAGED, the key named,
    in every reader (``results.TABLE_KEYS``), never a traceback."""
    copy_runs(planned[kind], case / "runs")
    run = next(runs.iter_runs(case / "runs"))
    key, said = UNDRAWABLE[kind]
    summary = json.loads(run.file("summary.json").read_text())
    del summary[key]
    run.file("summary.json").write_text(json.dumps(summary))
    says = f"{run.file('summary.json')}: {said}"
    if reader == "list":
        result = invoke("runs", "list", "-f", "json", "--runs-dir", case / "runs")
        (row,) = json.loads(result.stdout)
        assert row["status"] == "DAMAGED" and row["reason"].startswith(says), row
    else:
        fmt = "json" if reader == "show json" else "table"
        result = invoke("runs", "show", run.path, "-f", fmt, "--runs-dir", case / "runs")
        refused(result, 2, f"error: {says}")
