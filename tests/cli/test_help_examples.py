"""The overrides a command's help gives as its example are ones that command takes: lr-scan's
help offered ``e.g. optimizer.lr=0.1``, which lr-scan refuses (the scan sets the rate), and
gradcheck's the same, which a gradient check never reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "digits-quickstart.yaml")
SMALL = ["dataset.n_train=300", "model.hidden=[20]"]

# each command with a config and overrides, with settings that make it quick
RUNS = {
    "train": ["--print-config"],
    "lr-scan": ["--min", "-2", "--max", "-1", "--num", "2", "--epochs", "0"],
    "gradcheck": ["--max-entries", "2", "--batch", "4"],
    "landscape": ["--points", "3", "--samples", "100"],
}


def example_overrides(command: str) -> list[str]:
    """The ``e.g. ...`` overrides of the OVERRIDES argument in ``command``'s help."""
    text = " ".join(invoke(command, "--help", env={"COLUMNS": "200"}).stdout.split())
    match = re.search(r"OVERRIDES Overrides as key\.sub=value, e\.g\. ([^(]+?) \(", text)
    assert match, text
    return match.group(1).split()


@pytest.mark.parametrize("command", sorted(RUNS))
def test_the_example_overrides_in_a_commands_help_are_taken_by_it(command, tmp_path):
    example = example_overrides(command)
    assert example and all("=" in text for text in example)
    result = invoke(command, CONFIG, *SMALL, *example, *RUNS[command], runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    assert "not used" not in result.stderr and "no effect" not in result.stderr


def test_lr_scan_and_gradcheck_offer_no_override_of_the_rate():
    for command in ("lr-scan", "gradcheck"):
        assert not [t for t in example_overrides(command) if t.startswith("optimizer.lr=")]
