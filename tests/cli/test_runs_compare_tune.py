"""``nnlab runs compare`` of a tune: its rounds are sweeps, so a tune stands for its rounds'
trials, and ``latest`` names it where it is the newest folder with training runs (beside only a
tune it said 'no train or sweep folders yet')."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_sweep_cli import write_config
from tests.conftest import invoke


@pytest.mark.slow
def test_compare_latest_of_a_tune_tabulates_its_rounds_trials(tmp_path):
    root = tmp_path / "runs"
    cfg = write_config(tmp_path, epochs=1)
    made = invoke("tune", cfg, "optimizer.lr=loguniform:1e-3:1e-1", "--trials", "2",
                  "--rounds", "2", "--seed", "1", "-q", runs_dir=root)  # fmt: skip
    assert made.exit_code == 0, made.output
    result = invoke("runs", "compare", "latest", "-f", "json", runs_dir=root)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["run"].partition("/")[0] for row in rows] == ["r1", "r1", "r2", "r2"]
    (tune,) = root.glob("*-tune-*")
    drawn = {p.name for p in tune.glob("rounds/*/trials/*")}
    assert {row["run"].partition("/")[2] for row in rows} == drawn
    assert len({row["optimizer.lr"] for row in rows}) == 4  # (what each trial drew)
    lr = rows[3]["optimizer.lr"]
    kept = invoke("runs", "compare", tune, "--where", f"optimizer.lr={lr}", "-f", "json",
                  runs_dir=root)  # fmt: skip
    assert [row["run"] for row in json.loads(kept.stdout)] == [rows[3]["run"]]
    (tmp_path / "none").mkdir()
    empty = invoke("runs", "compare", "latest", runs_dir=tmp_path / "none")
    assert "no train, sweep or tune folders yet" in empty.stderr  # (the kinds 'latest' names)
