"""The plots package: matplotlib loaded only when a figure is drawn, files written with the
umask's mode."""

from __future__ import annotations

import os
import subprocess
import sys

from nnlab import plots


def test_importing_plots_does_not_import_matplotlib():
    code = "import sys, nnlab.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_saved_figures_get_the_umask_mode(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    fig, _ = plots.pyplot().subplots()
    path = plots.save(fig, tmp_path / "f.png")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
