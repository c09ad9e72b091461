"""Bad inputs found fuzzing the commands the config and option fuzzing left out (runs
list/show/compare/remove, report, data, config keys, gradcheck, activations, landscape,
lr-scan, tune, train --extend, environment variables): each is one line, exit 2, nothing
written."""

from __future__ import annotations

import pytest

from tests.conftest import fake_run, invoke

RUN = "20250101-000000-a-111111"


@pytest.fixture
def runs(tmp_path):
    root = tmp_path / "runs"
    fake_run(root, RUN)
    return root


@pytest.mark.parametrize("name", ["curves.png", "other.png", "sub/x.png"])
@pytest.mark.parametrize(
    "command",
    [["runs", "compare", RUN], ["lr-scan", "--num", "2", "--epochs", "0"], ["activations"]],
)
def test_a_png_inside_a_run_folder_is_refused_before_any_work(runs, command, name):
    # (runs compare --png runs/X/curves.png drew the comparison as run X's own figure, exit 0)
    (runs / RUN / "sub").mkdir()
    (runs / RUN / "curves.png").write_bytes(b"its own figure")
    before = sorted(p.name for p in runs.iterdir())
    target = runs / RUN / name
    result = invoke(*command, "--png", target, runs_dir=runs)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: --png: '{target}' is inside the run folder '{runs / RUN}', which holds only "
        f"what its run wrote (its own figures); give a path outside it (e.g. "
        f"'{runs.parent}') (see nnlab {' '.join(command[: 2 if command[0] == 'runs' else 1])} -h)"
    ]
    assert (runs / RUN / "curves.png").read_bytes() == b"its own figure"
    assert not (runs / RUN / "other.png").exists() and not (runs / RUN / "sub" / "x.png").exists()
    assert sorted(p.name for p in runs.iterdir()) == before


DEEP = "/".join(["d"] * 2000)  # (a path of 4,000 characters: under PATH_MAX, a real length)


@pytest.mark.parametrize(
    "command",
    [
        ["runs", "show"],
        ["runs", "compare"],
        ["runs", "remove", "-y"],
        ["report"],
        ["train", "--resume"],
        ["landscape"],
    ],  # fmt: skip
)
@pytest.mark.parametrize("ref", [DEEP, "a/b/c/d/e"])
def test_a_reference_of_many_parts_is_no_folder_in_one_line(runs, command, ref):
    # (each part of a reference read as <outer>/<inner> was a call deeper: 2,000 parts said
    # 'unexpected RecursionError', exit 1)
    result = invoke(*command, ref, runs_dir=runs)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert (
        "no such folder, and no folder inside one: a folder inside another is named in at "
        "most 4 parts (<tune>/<round>/<trial>: 3)" in line
    )
    assert sorted(p.name for p in runs.iterdir()) == [RUN]
