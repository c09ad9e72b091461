"""``-q`` means the same in every command that draws: no progress, and its last line names
the folder with the figures it drew there (a sweep's said its folder alone, train's its figure
too: ``run folder: runs/<run>  (figure: curves.png)``)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import invoke

SMALL = "epochs: 1\nmodel: {hidden: [8]}\nbatch_size: 100\n"
DRAWING = {  # command -> its arguments after the config's folder (``{d}``)
    "train": ["train", "{d}/cfg.yaml"],
    "sweep grid": ["sweep", "grid", "{d}/cfg.yaml", "optimizer.lr=0.1,0.2"],
    "lr-scan": ["lr-scan", "{d}/cfg.yaml", "--num", "2", "--epochs", "1"],
    "activations": ["activations", "--samples", "50"],
    "landscape": ["landscape", "{d}/cfg.yaml", "--points", "3"],  # (its last line read
}  # 'evaluated 9 points; run folder: ...')
LAST = re.compile(r"(run|sweep) folder: \S+  \(figures?: [\w.-]+\.png(, [\w.-]+\.png)*\)")


@pytest.mark.slow
@pytest.mark.parametrize("command", list(DRAWING))
def test_quiet_keeps_the_folder_line_with_its_figures_in_every_command_that_draws(
    tmp_path, command
):
    (tmp_path / "cfg.yaml").write_text(SMALL)
    args = [a.replace("{d}", str(tmp_path)) for a in DRAWING[command]]
    result = invoke(*args, "-q", runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert LAST.fullmatch(lines[-1]), lines
    assert not any(line.startswith(("epoch", "trial", "[")) for line in lines), lines  # (progress)


def test_quiet_says_in_its_help_what_stays():
    result = invoke("sweep", "grid", "-h")
    assert "No progress on stderr (results, warnings and the folder line with its figures" in (
        " ".join(result.stdout.split())
    )
