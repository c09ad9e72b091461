"""Python's garbage collector while the command line starts: off until a command runs.

A command's start-up is imports (typer, pydantic, nnlab's command tree): ~40,000 objects that
live as long as the process (~150 of them garbage). The collector walked them as they came, ~80
times before ``nnlab train`` ran its command (12-20 ms of its ~0.3 s start-up), and every full
collection after walked them all again (one in ``train``'s finish, as rich loads to write
summary.txt: 16-35 ms). ``hold`` (``nnlab.__main__``, before its imports) turns the collector
off; ``release`` (as the command's function starts, its arguments checked, which builds the
config's schema: ``cli.common.handle_errors``) sets what exists by then aside for good
(``gc.freeze``: never walked again, never freed, as modules and classes are not; the ~150
garbage objects stay too, a few kilobytes) and turns it back on for what the command makes.
Nothing but start-up runs without it. A Python caller, or a test, that never called ``hold``
keeps the collector as it is.

``nnlab train`` holds it again through its own set-up (``hold_again``), which is start-up too:
NumPy's import (before its painter is forked, which inherits the collector off: it draws one
figure and exits), the config models and the config, the data, the run folder, the net. The
training loop releases it (``experiments.train.drive``), freezing what the set-up made. The
set-up made the collector walk its objects ~50 times (7-8 ms of CPU before the first epoch,
traced on a 2-core AMD EPYC). A set-up that fails leaves it off until the command exits. Only
in a process the entry started held (the command line): a Python caller, or a test, that runs
the command in its own process keeps the collector as it is there too.
"""

from __future__ import annotations

import gc

_held = False  # the collector was turned off by ``hold`` and not yet turned back on
_entry = False  # ``hold`` turned it off as this process started (the command line's entry)


def hold() -> None:
    """Turn the collector off until ``release`` (where it is on)."""
    global _held, _entry
    if gc.isenabled():
        gc.disable()
        _held = _entry = True


def hold_again() -> None:
    """``hold`` once more, for a command's set-up (``nnlab train``'s), in a process whose
    start ``hold`` held (the command line's); elsewhere (a Python caller, a test) nothing."""
    if _entry:
        hold()


def release() -> None:
    """If ``hold`` turned the collector off: freeze everything made since (``gc.freeze``) and
    turn it back on. Otherwise nothing."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
