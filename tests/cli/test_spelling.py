"""Config values on the terminal read as a config file or an override writes them: true/false
and null, never Python's True/False/None (sweep tables, progress, errors, legends)."""

from __future__ import annotations

import re

from tests.conftest import invoke

TINY = "dataset: {name: spiral, n_per_class: 20, n_test: 12}\nmodel: {hidden: [4]}\nbatch_size: 10\nepochs: 1\n"


def test_a_sweep_over_booleans_and_null_shows_them_as_yaml(tmp_path):
    config = tmp_path / "tiny.yaml"
    config.write_text(TINY)
    result = invoke("sweep", "grid", config, "model.batchnorm=true,false",
                    "dataset.n_train=null,20", runs_dir=tmp_path / "runs")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(rows) == 4
    assert re.search(r"│ true +│ +null │", rows[0]) and re.search(r"│ false +│ +20 │", rows[3])
    assert "model.batchnorm=true dataset.n_train=null" in result.stderr  # (the progress lines)
    assert not re.search(r"\b(True|False|None)\b", result.output)


def test_a_failing_trial_is_named_by_its_values_as_yaml(tmp_path):
    config = tmp_path / "tiny.yaml"
    config.write_text(TINY)
    result = invoke("sweep", "grid", config, "model.batchnorm=true,false",
                    "model.init_std=null,0.01", runs_dir=tmp_path / "runs")  # fmt: skip
    assert result.exit_code == 2
    assert "sweep trial (model.batchnorm=true, model.init_std=null)" in result.stderr
    assert "got null" in result.stderr
