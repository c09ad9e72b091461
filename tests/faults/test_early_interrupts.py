"""Stop signals before a command's folder work begins: while nnlab's own signal handling loads.
An interrupt like any other (exit 130, one ``interrupted`` line, no traceback)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# ``python -c LOADING ARGS...``: the nnlab entry point, SIGTERM arriving as nnlab.signals (whose
# handler the entry point imports when a signal comes) begins to load: there, not made yet
LOADING = """\
import importlib.machinery as machinery, signal, sys

class Loader(machinery.SourceFileLoader):
    def exec_module(self, module):
        signal.raise_signal(signal.SIGTERM)
        super().exec_module(module)

class Finder:
    def find_spec(self, name, path, target=None):
        if name != "nnlab.signals":
            return None
        spec = machinery.PathFinder.find_spec(name, path)
        spec.loader = Loader(spec.loader.name, spec.loader.path)
        return spec

sys.meta_path.insert(0, Finder())
sys.argv = ["nnlab", *sys.argv[1:]]
from nnlab.__main__ import main
main()
"""


@pytest.mark.parametrize("args, line", [(["runs", "list"], "interrupted (SIGTERM)")])
def test_a_stop_signal_as_the_signal_handling_loads_is_an_interrupt(tmp_path, args, line):
    # (the entry point's handler imported nnlab.signals, half made: ImportError, a traceback
    # and exit 1; met by a SIGTERM 0.1 s into 'nnlab train --resume' on a busy machine)
    done = subprocess.run([sys.executable, "-c", LOADING, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert (done.returncode, done.stderr) == (130, line + "\n")
