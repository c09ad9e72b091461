"""``python -m nnlab`` and the ``nnlab`` console script.

Stop signals count as interrupts from the first instant: SIGINT, SIGTERM or SIGHUP sent while
the command line is still loading (its imports take a few tenths of a second) or parsing its
arguments ends the command as one sent later, before any folder exists, does: one line
``interrupted``, exit 130. Without this, Ctrl-C there printed a traceback from whichever import
it hit, SIGTERM killed the process with the default action (exit 143), and one caught while
the arguments were parsed exited 130 without a word. (Only the interpreter's own start, before
this module runs, is left to Python's defaults.)
"""

from __future__ import annotations

import signal
import sys

STOP = tuple(getattr(signal, s) for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s))


def _stop(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP until the command sets its handlers: ``nnlab.signals``' handler
    (imported here, when one arrives: that module imports more than this one)."""
    from nnlab.signals import raise_interrupted

    raise_interrupted(signum, frame)


def main() -> None:
    """The nnlab command (``nnlab.cli.main``), stop signals raising from the start."""
    for s in STOP[1:]:  # (SIGINT already raises KeyboardInterrupt)
        signal.signal(s, _stop)
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
