"""SIGTERM and SIGHUP (and SIGXCPU, SIGUSR1, SIGUSR2: ``STOP_NAMES``) as interrupts: while a
command runs (and while any run folder is open), they raise ``Interrupted`` where the program is, as Ctrl-C raises KeyboardInterrupt, so every
way of stopping nnlab ends the same way: the folder says INTERRUPTED, the exit code is 130.
While a file is written (``deferred``) any of them waits for the file to be complete.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, TypedDict


class Interrupted(KeyboardInterrupt):
    """A stop signal (``STOP_NAMES``), raised where the program is (as SIGINT raises
    KeyboardInterrupt)."""


_signals = threading.local()
STOP_NAMES = ("SIGTERM", "SIGHUP", "SIGXCPU", "SIGUSR1", "SIGUSR2")  # (and SIGINT: Ctrl-C)
# SIGXCPU: past the soft limit on CPU time (``ulimit -St``; SIGKILL follows at the hard one);
# SIGUSR1, SIGUSR2: nnlab gives them no meaning, and schedulers send them before a job's time
# is up (Slurm's --signal). Their default action killed the command, its folder left RUNNING
# (STALE). SIGQUIT (Ctrl-\\) keeps its own: quit at once, as kill -9 (STALE; --resume goes on).
STOPS = tuple(getattr(signal, s) for s in STOP_NAMES if hasattr(signal, s))


def handled() -> tuple[int, ...]:
    """The stop signals nnlab answers: ``STOPS`` but those ignored (``nohup``'s SIGHUP, which
    ``nnlab.__main__`` leaves ignored as it found it; a library caller's): its caller's choice,
    kept. A run under nohup was interrupted by the hangup it was started to outlive
    ('interrupted (SIGHUP)', exit 130). (Ctrl-C ignored: Python and nnlab leave it so too.)"""
    return tuple(s for s in STOPS if signal.getsignal(s) is not signal.SIG_IGN)


STOP_OF = {signal.Signals(s).name: s for s in STOPS}  # (an ``Interrupted``'s text: its signal)


def interrupt_line(exc: BaseException) -> str:
    """How an interrupt is reported: ``interrupted`` for Ctrl-C, ``interrupted (SIGTERM)`` for
    a signal turned into ``Interrupted``."""
    return "interrupted" if type(exc) is KeyboardInterrupt else f"interrupted ({exc})"


# options with which a command given --resume resumes nothing (it plans, or prints, and stops)
RESUMES_NOTHING = ("--dry-run", "--print-config", "-h", "--help")


def resume_again(argv: list[str], status: str | None = None) -> str:
    """What the interrupt line of a resume (``--resume`` or ``sweep resume``) stopped outside
    its folder's lifecycle adds: the command as given, which continues it. ``status`` None:
    stopped before the lifecycle began (while it loaded, found and checked the folder, read its
    data), the folder as it was: ``' before the resume began; continue with: nnlab ...'``.
    ``status`` given (how the folder reads once the resume let it go): ``'; continue with:
    nnlab ...'``, or '' if it is COMPLETED (nothing to resume) or DIVERGED (a resume refuses
    it). '' too for any other command (one stopped before its folder exists has nothing to
    continue) and for a resume given ``RESUMES_NOTHING``'s options."""
    import shlex

    words = [a for a in argv if not a.startswith("-")]
    resuming = any(a == "--resume" or a.startswith("--resume=") for a in argv)
    if not (resuming or words[:2] == ["sweep", "resume"]) or set(argv) & set(RESUMES_NOTHING):
        return ""
    if status in ("COMPLETED", "DIVERGED"):
        return ""
    began = "" if status else " before the resume began"
    return f"{began}; continue with: {shlex.join(['nnlab', *argv])}"


received: list[str] = []  # the stop signals this process took as interrupts, by name
taken: list[str] = []  # the same with Ctrl-C (SIGINT) too, since the outermost
# ``SignalsAsInterrupts`` began (a command, or a run started from Python): ``interrupt_behind``


class Deferred(TypedDict):
    depth: int  # nested ``deferred`` blocks
    pending: list[int]  # the signals that came in them


_deferred: Deferred = {"depth": 0, "pending": []}  # (main thread only: where Python runs handlers)


def raise_interrupted(signum: int, frame: Any) -> None:
    """The handler of every stop signal: Ctrl-C raises KeyboardInterrupt, the others
    (``STOP_NAMES``) ``Interrupted``; inside ``deferred`` it waits for the block's end."""
    if _deferred["depth"]:
        _deferred["pending"].append(signum)
        return
    taken.append(signal.Signals(signum).name)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    received.append(taken[-1])
    raise Interrupted(received[-1])


def interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The interrupt ``exc`` stands for, else None: ``exc`` itself if it is one; one in its
    chain (a library raised its own error from it); or, for any error once a stop signal was
    taken (``taken``: in this command, which ends after one), one for that signal.
    Libraries turn an interrupt raised inside them into their own errors: a class made while
    Ctrl-C came raised RuntimeError('Error calling __set_name__ ...'), pydantic's schema
    building a SchemaError naming it only in its text; the command exited 1 with a traceback or
    an 'unexpected' error, and a run folder said FAILED."""
    seen = exc
    for _ in range(20):  # (a chain is short; a cycle in it is not followed)
        if isinstance(seen, KeyboardInterrupt):
            return seen
        nxt = seen.__cause__ or seen.__context__
        if nxt is None:
            break
        seen = nxt
    if not taken:
        return None
    return KeyboardInterrupt() if taken[-1] == "SIGINT" else Interrupted(taken[-1])


def as_interrupt(exc: BaseException) -> BaseException:
    """``exc``, or the interrupt it stands for (``interrupt_behind``) with what the lifecycle
    recorded on ``exc`` (the folder, its status, how to resume it)."""
    stop = interrupt_behind(exc)
    if stop is None or stop is exc:
        return exc
    for key, value in vars(exc).items():
        if key.startswith("nnlab_"):
            setattr(stop, key, value)
    return stop


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A stop signal that arrives inside the block interrupts when the block ends, not inside
    it: a file being written (a checkpoint: zipfile's own clean-up fails when an interrupt
    surfaces in the middle, and the run would end FAILED, not INTERRUPTED) is finished first.
    Blocks are short (one file); nested blocks defer to the outermost."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _deferred["depth"] += 1
    try:
        yield
    finally:
        _deferred["depth"] -= 1
        pending = _deferred["pending"]
        if not _deferred["depth"] and pending:
            signum = pending[0]
            pending.clear()
            raise_interrupted(signum, None)


class SignalsAsInterrupts:
    """While open in the main thread, the stop signals raise ``Interrupted``, so they end
    a command or a run as Ctrl-C does. Nested uses (a command, its lifecycles) share one set of
    handlers; the outermost restores the previous ones."""

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        depth = getattr(_signals, "depth", 0)
        if depth == 0:
            taken.clear()  # (what ``interrupt_behind`` asks is this block's, not an earlier one's)
            _signals.hook, sys.unraisablehook = sys.unraisablehook, _interrupt_again
            _signals.saved = {s: signal.signal(s, raise_interrupted) for s in handled()}
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # (not where
                # Ctrl-C is ignored: a sweep worker leaves it to the sweep)
                _signals.saved[signal.SIGINT] = signal.signal(signal.SIGINT, raise_interrupted)
        _signals.depth = depth + 1

    def __exit__(self, *exc: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        _signals.depth -= 1
        if _signals.depth == 0:
            for s, handler in _signals.saved.items():
                signal.signal(s, handler)
            sys.unraisablehook = _signals.hook


def _interrupt_again(unraisable: Any) -> None:
    """The hook for exceptions Python cannot raise (in a weakref or garbage-collection callback,
    a ``__del__``) while signals are interrupts: a stop signal's interrupt raised there was
    printed as 'Exception ignored in ...' with a traceback, and lost: the command went on to
    end COMPLETED, exit 0. The signal is sent again, a moment later from another thread, so
    that its handler interrupts where the program is once this hook has returned (sent from
    here, it would run in the hook and be lost again; one that lands in a callback again comes
    back here). The thread is not waited for: a wait here is where the signal would land. (Still
    there as the command exits, it ends with the process: ``nnlab.__main__._leave``.)"""
    exc = unraisable.exc_value
    if not isinstance(exc, KeyboardInterrupt):
        return _signals.hook(unraisable)
    signum = signal.SIGINT if type(exc) is KeyboardInterrupt else STOP_OF[str(exc)]
    _thread.start_new_thread(_send_again, (signum,))


def _send_again(signum: int) -> None:
    time.sleep(0.001)  # (the hook that started this thread has returned by then)
    os.kill(os.getpid(), signum)


def _forget_in_child() -> None:
    """After a fork, in the child: none of the parent's blocks is open here. The child has
    this thread's state (the ``SignalsAsInterrupts`` depth) and the ``deferred`` count; kept,
    a child's own blocks took themselves for nested ones and set no handlers: a sweep worker's
    trials then ended on SIGTERM's default action, killed mid-write, still RUNNING."""
    global _signals
    _signals = threading.local()
    _deferred["depth"] = 0
    _deferred["pending"].clear()
    received.clear()
    taken.clear()


if hasattr(os, "register_at_fork"):  # (not on Windows, which does not fork)
    os.register_at_fork(after_in_child=_forget_in_child)


# Held across a fork: Ctrl-C, and what ``SignalsAsInterrupts`` turns into ``Interrupted``.
HELD = (signal.SIGINT, *STOPS)


@contextlib.contextmanager
def held_while_forking() -> Iterator[None]:
    """Hold back ``HELD`` signals in this thread while it forks (they arrive once the block
    ends). A forked child starts with this process's handlers, which raise: signalled before
    it has set its own (a painter stopped right after it was forked), it would raise where the
    fork returned and run on as a copy of this process. The child inherits the held mask, sets
    its handlers, then calls ``release``."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def release() -> None:
    """In a child forked under ``held_while_forking``, once its own handlers are set: let the
    held signals in (one sent meanwhile arrives now)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
