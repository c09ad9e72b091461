"""``python -m nnlab`` and the ``nnlab`` console script.

Stop signals count as interrupts from the first instant: SIGINT, SIGTERM or SIGHUP sent while
the command line is still loading (its imports take a few tenths of a second) or parsing its
arguments ends the command as one sent later, before any folder exists, does: one line
``interrupted``, exit 130. Without this, Ctrl-C there printed a traceback from whichever import
it hit, SIGTERM killed the process with the default action (exit 143), and one caught while
the arguments were parsed exited 130 without a word. (Only the interpreter's own start, before
this module runs, is left to Python's defaults.)

BLAS threads: OpenBLAS starts one thread per core when NumPy loads, and each spins about 0.1 s
of CPU before it sleeps. nnlab's processes (the command, its figure painters, sweep workers)
load NumPy while the command's own start-up and the painter's import of matplotlib need both
cores, and almost all of nnlab's products are small enough that one thread is fastest. So,
unless the user chose a count (``OPENBLAS_NUM_THREADS``, ``GOTO_NUM_THREADS`` or
``OMP_NUM_THREADS``), the command starts OpenBLAS with one thread; ``nnlab train`` raises it
through threadpoolctl for a net whose products are large (``experiments.train.blas_threads``).
"""

from __future__ import annotations

import os
import signal
import sys

STOP = tuple(getattr(signal, s) for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s))
BLAS_THREADS_ENV = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def _stop(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP until the command sets its handlers: ``nnlab.signals``' handler
    (imported here, when one arrives: that module imports more than this one)."""
    from nnlab.signals import raise_interrupted

    raise_interrupted(signum, frame)


def main() -> None:
    """The nnlab command (``nnlab.cli.main``), stop signals raising from the start."""
    for s in STOP[1:]:  # (SIGINT already raises KeyboardInterrupt)
        signal.signal(s, _stop)
    if not any(os.environ.get(name) for name in BLAS_THREADS_ENV):  # (before NumPy loads)
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    from nnlab.errors import NnlabError

    try:
        from nnlab.cli import main as cli_main

        cli_main()
    except NnlabError as exc:  # (only with --debug: the traceback, then the usual exit code)
        import traceback

        traceback.print_exc()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:  # (a command reports its own; this is before one ran)
        for s in STOP:  # one report, however many more arrive
            signal.signal(s, signal.SIG_IGN)
        from nnlab.signals import interrupt_line

        print(interrupt_line(exc), file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
