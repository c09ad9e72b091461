"""``python -m nnlab`` and the ``nnlab`` console script.

Stop signals count as interrupts from the first instant: SIGINT, SIGTERM, SIGHUP (``STOP``) sent while
the command line is still loading (its imports take a few tenths of a second) or parsing its
arguments ends the command as one sent later, before any folder exists, does: one line
``interrupted``, exit 130. Without this, Ctrl-C there printed a traceback from whichever import
it hit, SIGTERM killed the process with the default action (exit 143), and one caught while
the arguments were parsed exited 130 without a word. Only the interpreter's own start is left
to Python's defaults (Ctrl-C: a traceback, exit 1 or -2; SIGTERM: exit -15): its site-packages
(an editable install's finder imports pathlib), runpy finding this module, and this module's
imports, which are builtins or modules Python has loaded already (~1 ms; typing was 2 ms more).
On a busy 2-core machine that start is 50-130 ms.

And to the last instant: once the command has its exit code, a stop signal (a second Ctrl-C,
or ``timeout``, which signals the command and then its whole process group, the two a moment
apart) ends the process at once with that code. It used to raise KeyboardInterrupt into the
interpreter's exit: a traceback, or exit -2 (killed by SIGINT) after the ``interrupted`` line.

And without the interpreter's teardown: once every exit hook has run, the process ends there
with its code (``_leave``), whatever threads are left. The teardown crashed a finished command
now and then: a daemon thread (the background import of matplotlib, the re-sent signal of
``nnlab.signals``) that is inside compiled code with the GIL let go when the interpreter
finalizes is stopped there as it takes the GIL back; in matplotlib's C++ that aborts the
process (SIGABRT, 'terminate called without an active exception', or 'Fatal Python error:
Aborted' with faulthandler); and an interrupted lr-scan died at the teardown's end, an
extension's state freed ('Fatal Python error: PyThreadState_Get').

BLAS threads: OpenBLAS starts one thread per core when NumPy loads, and each spins about 0.1 s
of CPU before it sleeps. nnlab's processes (the command, its figure painters, sweep workers)
load NumPy while the command's own start-up and the painter's import of matplotlib need both
cores, and almost all of nnlab's products are small enough that one thread is fastest. So,
unless the user chose a count (``OPENBLAS_NUM_THREADS``, ``GOTO_NUM_THREADS`` or
``OMP_NUM_THREADS``), the command starts OpenBLAS with one thread; ``nnlab train`` raises it
through threadpoolctl for a net whose products are large (``experiments.train.blas_threads``).
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType

# (only what Python has loaded already, or builtins: a stop signal before the handlers are set
# is Python's to answer, a traceback and exit -2 for Ctrl-C; typing here was ~2 ms of that, and
# nnlab's streams and collector, imported here until a Ctrl-C in them was seen under load,
# are imported in ``_start``, where a stop signal is an interrupt like any other)

STOP = tuple(
    getattr(signal, s)
    for s in ("SIGINT", "SIGTERM", "SIGHUP", "SIGXCPU", "SIGUSR1", "SIGUSR2")  # (signals.STOPS)
    if hasattr(signal, s)
)
IGNORED = frozenset(s for s in STOP if signal.getsignal(s) is signal.SIG_IGN)  # (as it began:
# nohup's SIGHUP is its caller's choice, kept, and ``nnlab.signals.handled`` finds it so)
EXIT_INTERRUPTED = 130
BLAS_THREADS_ENV = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


class _Stopped(KeyboardInterrupt):
    """A stop signal (SIGTERM, SIGHUP, ...: ``STOP``) that came while ``nnlab.signals`` itself was loading (its text: the
    signal's name, as ``nnlab.signals.Interrupted``'s, so the line is the same)."""


def _stop(signum: int, frame: object) -> None:
    """Stop signals (but Ctrl-C's) until the command sets its handlers: ``nnlab.signals``' handler
    (imported here, when one arrives: that module imports more than this one). One that comes
    while that module loads finds it partly made, without its handler: the same interrupt,
    raised here (the import failed with ImportError: a traceback, exit 1)."""
    try:
        from nnlab.signals import raise_interrupted
    except ImportError:
        raise _Stopped(signal.Signals(signum).name) from None
    raise_interrupted(signum, frame)


def main() -> None:
    """The nnlab command (``nnlab.cli.main``), stop signals raising from the start, the garbage
    collector off until the command runs (``nnlab.collector``). It ends the process: with its
    code, in the last exit hook (``_leave``), whatever its caller does after it."""
    code = 1  # (a bug's traceback, raised on out of ``_run``, is printed, then exit 1)
    try:
        code = _run()
    finally:
        _ending["code"] = code
    sys.exit(code)


def _start() -> None:
    """What comes before the command: the last exit hook, the collector held, SIGTERM and
    SIGHUP raising (SIGINT already does), OpenBLAS's threads, a ``COLUMNS`` or ``LINES`` of no
    number in digits 0-9 dropped (``_terminal_size``), the standard streams guarded
    (``nnlab.streams``), the owner's permissions (``_own_permissions``), the limit on open
    files (``_open_files``). An interrupt here is one
    like any other (``_run``): it was raised out of ``main``, a traceback and exit -2."""
    atexit.register(_leave)  # (registered first, so run last; first here, so always there)
    from nnlab import streams
    from nnlab.collector import hold

    streams.guard()  # (output that cannot be written is lost, not the command's failure)
    hold()
    for s in STOP[1:]:
        if s not in IGNORED:
            signal.signal(s, _stop)
    for line in _thread_counts():  # (before NumPy loads)
        _say(line)
    _terminal_size()
    if not any(os.environ.get(name) for name in BLAS_THREADS_ENV):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    _own_permissions()
    _open_files()
    _openssl()


def _terminal_size() -> None:
    """``COLUMNS`` and ``LINES`` dropped from the environment where they are no number in
    digits 0-9: rich (every table, the help) and Python's ``shutil`` read other scripts'
    digits as numbers, so ``COLUMNS=٣`` laid out the help and every table 3 columns wide, a
    word a line. Without them the terminal's own size is asked, as for 'abc', which all of
    them pass over. Silent, as they are for 'abc': the variables are the shell's."""
    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name, "").strip()
        if value and not (value.isascii() and value.isdigit()):
            del os.environ[name]


THREAD_COUNT_ENV = (*BLAS_THREADS_ENV, "MKL_NUM_THREADS")
MAX_THREADS = 1024  # (as --threads)


def _thread_counts() -> list[str]:
    """The warnings for the thread-count variables (``THREAD_COUNT_ENV``) set to no count
    from 1 to ``MAX_THREADS`` in digits 0-9 (``OMP_NUM_THREADS`` a list of them, as OpenMP
    reads it for nested levels); each such variable is dropped from the environment, so
    the command (and every worker and painter it starts) runs as if it were unset. OpenBLAS
    read 0, -1, 'x' or '٣' as no count and started a thread per core, 10000 as a thread
    per core: silently, and nnlab's default of one thread (above) was not set since the
    variable was. A warning, not a refusal: nnlab's results never depend on these (each
    command sets its own BLAS threads, ``--threads`` for train's), and the variables are
    the shell's, read by other programs too; one line says the value was not used."""
    lines = []
    for name in THREAD_COUNT_ENV:
        value = os.environ.get(name)
        counts = (value or "").split(",") if name == "OMP_NUM_THREADS" else [value or ""]
        if not value or all(_count(c) for c in counts):
            continue
        del os.environ[name]
        if not os.environ.get("_NNLAB_COMPLETE"):  # (a line would land in the prompt)
            shown = value if len(value) <= 40 else value[:40] + "..."
            lines.append(
                f"warning: {name}: expected a number of threads from 1 to {MAX_THREADS} in "
                f"digits 0-9, got {shown!r}; ignored, as if it were not set"
            )
    return lines


def _count(text: str) -> bool:
    """``text`` is a count from 1 to ``MAX_THREADS`` in ASCII digits ('٣' is a digit to
    ``str.isdigit`` and ``int``)."""
    return (
        0 < len(text) <= 4 and all("0" <= c <= "9" for c in text) and 1 <= int(text) <= MAX_THREADS
    )


def _own_permissions() -> None:
    """The owner's own permissions kept whatever the umask, which still decides the group's
    and others' (``umask 777`` acts as ``umask 077``). A umask that took them (777, 577, 277)
    made every folder nnlab makes one its owner cannot enter, and every file one it cannot
    write: each command that writes failed on the folder it had just made ('.<run>.new:
    cannot open: Permission denied', exit 2), leaving that hidden folder behind; as root,
    which passes over permissions, every run file was made mode 000. Set before any thread
    or process starts: workers and painters, forked from the command, inherit it."""
    mask = os.umask(0o022)
    os.umask(mask & 0o077)


OPEN_FILES = 1024  # the soft limit on open files a command raises itself to, where it may


def _open_files() -> None:
    """The soft limit on open files raised towards the hard one, up to ``OPEN_FILES`` (the
    limit a process may raise itself; Go's runtime does the same for its programs). A sweep's
    worker pool, its painters' pipes and the run files take a few dozen at once: under
    ``ulimit -n 16`` a sweep with ``--jobs 2`` failed as its pool started, with no file
    named, and could not write its FAILED either (the folder read STALE). Workers and
    painters, forked from the command, inherit it."""
    try:
        import resource
    except ImportError:  # (not on Windows)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = OPEN_FILES if hard == resource.RLIM_INFINITY else min(OPEN_FILES, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):  # (a system that refuses: the limit the user set)
            pass


def _openssl() -> None:
    """Under a limit on the address space (``ulimit -v``), OpenSSL's hash library
    (``_hashlib``) loaded before anything imports ``hashlib`` (nnlab's config hashes,
    ``secrets``): a limit that leaves too little to map it made hashlib's own import log 'code
    for hash sha224 was not found' and a traceback for each of its 13 hashes (its builtin
    fallbacks could not be mapped either) before the command's line said it was short of
    memory. Its ImportError is now that line (``_short_of_memory``). Without a limit nothing
    is loaded here: a Python built without OpenSSL falls back to its builtin hashes."""
    if _address_limit() is not None:
        import _hashlib  # noqa: F401


def _say(line: str) -> None:
    """``line`` and its newline on stderr in one write, the streams flushed first. Short of
    memory, ``print`` wrote the line and then failed on its newline: a SystemError out of the
    interpreter, its traceback run on after the line; a write that fails now is lost."""
    _flush()
    try:
        os.write(2, (line + "\n").encode(errors="replace"))
    except (OSError, MemoryError, SystemError):
        pass


_ending: dict[str, int] = {}  # the exit code ``main`` ends the process with, once it has one


def _leave() -> None:
    """The last exit hook: the process ends here, with the command's code and its output
    flushed, once every other exit hook has run (multiprocessing's, logging's, the finalizers
    of ``weakref.finalize``: all registered after this one); the interpreter's teardown, which
    has nothing of nnlab's left to do (every file is written and closed by then), never runs.
    That teardown crashed the finished command now and then (SIGABRT, exit -6, after it had
    said its line): a daemon thread inside C++ with the GIL let go (matplotlib's, in the
    background import) is stopped as it takes the GIL back, which aborts; and an interrupted
    lr-scan, 'Fatal Python error: PyThreadState_Get: ... the current Python thread state is
    NULL ... finalizing', from an extension's state freed at the teardown's end (seen in about
    one full test run in three, never in 2,000 tries alone). Stop signals are ignored from
    here: once the exit hooks have run the interpreter put the default action back on each
    signal that has a Python handler, and a SIGTERM in its last milliseconds killed the
    finished command (exit 143)."""
    _set_stops(signal.SIG_IGN)
    if "code" in _ending:
        _flush()
        os._exit(_ending["code"])


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:  # (no console: pythonw's streams are None)
                stream.flush()
        except Exception:  # (a closed pipe: nothing more to say)
            pass


def _run() -> int:
    """Run the command; its exit code. Whatever happens, the command only exits after this:
    a stop signal from then on ends the process at once with that code (``_exit_on_stop``)."""
    code, said = EXIT_INTERRUPTED, False
    try:
        try:
            _start()
            from nnlab.cli import main as cli_main

            cli_main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, (int, type(None))):
                print(exc.code, file=sys.stderr)
        except KeyboardInterrupt as exc:  # (a command reports its own; this is before one ran)
            code = EXIT_INTERRUPTED
            _set_stops(signal.SIG_IGN)  # one report, however many more arrive
            said = _say_interrupted(exc)
        except Exception as exc:  # (an NnlabError only with --debug: its traceback)
            if (short := _short_of_memory(exc) or _not_installed(exc)) is not None:
                code = 1
                _say(f"error: {short}")
                return code
            from nnlab.errors import NnlabError
            from nnlab.signals import as_interrupt

            stop = as_interrupt(exc)  # (an interrupt an import raised as its own error: a
            # class made while Ctrl-C came raised RuntimeError; a traceback, exit 1)
            if isinstance(stop, KeyboardInterrupt):
                code = EXIT_INTERRUPTED
                _set_stops(signal.SIG_IGN)
                said = _say_interrupted(stop)
            elif not isinstance(exc, NnlabError):
                code = 1
                raise
            else:
                import traceback

                traceback.print_exc()
                code = exc.exit_code
    except KeyboardInterrupt as exc:  # (another one, at once: ``timeout`` sends two)
        code = EXIT_INTERRUPTED
        _set_stops(signal.SIG_IGN)
        said = said or _say_interrupted(exc)
    except (MemoryError, SystemError) as exc:  # (short again as the first error was handled:
        if isinstance(exc, SystemError) and not _address_limit():  # its imports; under ulimit
            raise  # -v, a SystemError of the import machinery is that too)
        code = 1
        _say(f"error: {_short_of_memory(MemoryError())}")
    finally:
        _exit_on_stop(code)
        _forget_unhandled_interrupt()
    return _output_lost(code)


def _short_of_memory(exc: BaseException) -> str | None:
    """The line for ``exc`` where it says the process ran short of memory as the command
    loaded (``nnlab.errors.short_of_memory``: MemoryError, or a compiled library that could
    not be mapped under ``ulimit -v``), else None. It was a traceback of 20 to 60 lines, two
    chained where the handling of the first imported a module and ran short again; a
    MemoryError here as that module loads is said as the first one. (``--debug``: None, and
    the traceback.)"""
    if "--debug" in sys.argv[1:]:
        return None
    limit = _address_limit()
    if isinstance(exc, SystemError) and limit:  # ('error return without exception set':
        exc = MemoryError()  # an allocation that failed inside the import machinery)
    if not isinstance(exc, (MemoryError, ImportError)):
        return None
    try:
        from nnlab.errors import short_of_memory

        return short_of_memory(exc)
    except (MemoryError, ImportError, SystemError):  # (SystemError: as above, loading it)
        said = f"; the address-space limit (ulimit -v) is {limit / 2**20:.3g} MB" if limit else ""
        return "MemoryError: out of memory" + said


def _not_installed(exc: BaseException) -> str | None:
    """The line for a dependency of nnlab's that this Python does not have
    (``nnlab.errors.not_installed``), else None. (``--debug``: None, and the traceback.)"""
    if not isinstance(exc, ModuleNotFoundError) or "--debug" in sys.argv[1:]:
        return None
    from nnlab.errors import not_installed

    return not_installed(exc)


def _address_limit() -> int | None:
    """The address-space limit (``ulimit -v``) in bytes, None where there is none (or it
    cannot be read). Under one, an import that runs short can fail without a MemoryError of
    its own ('SystemError: error return without exception set', or '<function
    _find_and_load> returned NULL without setting an exception', at 18-20 MB)."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except Exception:  # (no resource module: not on Windows; short of memory to load it)
        return None
    return None if soft == resource.RLIM_INFINITY else soft


def _output_lost(code: int) -> int:
    """``code``, or 1 where the command succeeded but stdout lost part of its output to an
    error (a full disk, ``> /dev/full``; not a reader that went away): its results are
    incomplete, which one line on stderr says (its folders are as the command left them)."""
    from nnlab import streams

    lost = streams.lost()
    if lost is None or code != 0:
        return code
    why = lost.strerror or type(lost).__name__
    print(f"error: stdout: {why}; the command's output is incomplete", file=sys.stderr)
    return 1


def _forget_unhandled_interrupt() -> None:
    """Clear the interpreter's note that a KeyboardInterrupt went unhandled, so the process
    exits with its code. CPython notes one that escapes any code run from text (``exec`` or
    ``eval`` of a string: dataclasses, namedtuple and pydantic build their methods that way
    while the command imports them), however it is handled further out, and ``python -m``
    then ends the process by SIGINT after the exit code is set: Ctrl-C in a command's first
    few tenths of a second printed ``interrupted`` and exited -2, not 130, in ~1 of 5 tries
    to ``nnlab landscape``. Each run of text clears the note as it starts; this runs none.
    (Short of memory to compile it, under ``ulimit -v``: the note stays, the error is said.)"""
    try:
        exec("")
    except (MemoryError, SystemError):  # (SystemError: an allocation that failed inside it
        pass  # under ``ulimit -v``, 'returned NULL without setting an exception', as an import's)


def _say_interrupted(exc: BaseException) -> bool:
    from nnlab.signals import interrupt_line, resume_again

    print(interrupt_line(exc) + resume_again(sys.argv[1:]), file=sys.stderr)
    return True


def _exit_on_stop(code: int) -> None:
    """From here the command only exits: a stop signal now (a second Ctrl-C; ``timeout``,
    which signals the command and then its whole process group, the two a moment apart) ends
    the process at once with ``code``, the exit it already has. Before, it raised
    KeyboardInterrupt into the interpreter's exit, which then exits -2 (killed by SIGINT),
    sometimes with a traceback. One that comes while the handlers are set is absorbed."""

    def stop(signum: int, frame: object) -> None:
        _flush()
        os._exit(code)

    _set_stops(stop)


def _set_stops(handler: Callable[[int, FrameType | None], object] | signal.Handlers) -> None:
    """``handler`` for every stop signal not ignored as nnlab began (``IGNORED``), even when
    one arrives while they are set (the KeyboardInterrupt it raises then is absorbed: the
    command is ending anyway)."""
    while True:
        try:
            for s in STOP:
                if s not in IGNORED:
                    signal.signal(s, handler)
            return
        except KeyboardInterrupt:
            continue


if __name__ == "__main__":
    main()
