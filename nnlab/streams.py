"""The standard streams of an ``nnlab`` process: output that cannot be written is output lost,
never the command's failure.

A command's progress lines and notes go to stderr, its results to stdout. A write to either
could fail in ways a reader going away (EPIPE, ``nnlab ... | head``) does not cover: a full
disk (``2> log`` on a full file system, ``> /dev/full``: ENOSPC), a file grown past
``ulimit -f`` (EFBIG), a device error (EIO), a stream the shell closed (``2>&-``: Python has
no ``sys.stderr`` at all then). Each of these raised out of whatever printed: a training run
whose progress could not be printed ended FAILED after its first epoch, every command that
makes a folder exited 1 without a word with stderr closed, and ``runs list > /dev/full``
said only ``error: No space left on device``.

``guard`` (``nnlab.__main__``, before anything prints) puts each stream on a descriptor that
swallows a failed write: the stream's descriptor then goes to /dev/null (as after EPIPE), so
the command goes on quietly and its folders end as they would have. A descriptor closed at
the start is opened on /dev/null first: so no file nnlab opens takes descriptor 1 or 2, where
a library's or a child process's messages would be written into it. ``lost`` says whether
stdout lost output to an error other than EPIPE: the command's results are then incomplete,
and the entry point says so in one line and exits 1 (a closed pipe is the reader's choice,
and no failure).
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys

# (only modules Python has loaded before ``nnlab.__main__`` runs: see its docstring)

STDIN, STDOUT, STDERR = 0, 1, 2

# stdout's and stderr's guards, once ``guard`` ran
_guards: dict[int, _Swallowing] = {}


class _Swallowing(io.RawIOBase):
    """Descriptor ``fd`` as a raw stream whose failed write (any OSError) is taken as done: the
    first failure is kept (``failure``) and the descriptor sent to /dev/null."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.failure: OSError | None = None

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        try:
            return os.isatty(self.fd)
        except OSError:
            return False

    def write(self, data: bytes) -> int:  # type: ignore[override]
        size = memoryview(data).nbytes
        while self.failure is None:
            try:
                return os.write(self.fd, data)
            except BlockingIOError:  # (a descriptor another process made non-blocking)
                _wait_writable(self.fd)
            except OSError as exc:
                self.failure = exc
                to_devnull(self.fd)
        return size

    def close(self) -> None:  # (the descriptor stays open: the process's, not this object's)
        super().close()


def _wait_writable(fd: int) -> None:
    import select

    select.select([], [fd], [], 1.0)


def to_devnull(fd: int) -> None:
    """Descriptor ``fd`` now writes to /dev/null (it stays open, so no file takes its number)."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    try:
        if null != fd:
            os.dup2(null, fd)
    except OSError:
        pass
    finally:
        if null != fd:
            os.close(null)


ESCAPING = "nnlab-escape"


def _escape(exc: UnicodeError) -> tuple[str | bytes, int]:
    """A character a stream's encoding cannot write: a lone surrogate (a byte Python could not
    decode, as in a folder's name that is not UTF-8) as that byte's escape, ``\\xff``, as every
    line naming such a path writes it (``shown``: it was the raw byte in a table, ``\\udcff``
    in an error line); any other as a backslash escape (``\\u2501``), as Python's stderr does
    (backslashreplace). Both were UnicodeEncodeError on a stdout of another encoding
    (``PYTHONIOENCODING=ascii``, a C locale without UTF-8 mode, a UTF-8 stdout and a folder
    name of other bytes): ``runs show`` and ``runs list`` failed as 'unexpected' errors."""
    if isinstance(exc, UnicodeEncodeError):  # (backslashreplace's escape: ascii's)
        chars = exc.object[exc.start : exc.end]
        return "".join(shown(c) if undecoded(c) else ascii(c)[1:-1] for c in chars), exc.end
    return codecs.lookup_error("backslashreplace")(exc)


def undecoded(char: str) -> bool:
    """Whether ``char`` stands for a byte Python could not decode: a lone surrogate, U+DC80 to
    U+DCFF, as ``os.fsdecode`` holds the bytes of a name that is not UTF-8."""
    return "\udc80" <= char <= "\udcff"


def shown(char: str) -> str:
    """``char`` as a line shows it when it is not printable: a byte Python could not decode
    (``undecoded``) as that byte's escape, ``\\xff`` (bash's ``$'\\xff'`` names the folder,
    and a refused argument is said so: ``cli.not_utf8``), any other as Python writes it in a
    string, ``\\n``, ``\\x1b``. The one way nnlab prints a path it cannot decode: a stream
    (``ESCAPING``), an error line (``usage.one_line``)."""
    if undecoded(char):
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1]


def undecoded_escaped(text: str) -> str:
    """``text`` with each byte Python could not decode as its escape (``shown``), its other
    characters as they are: the text of a JSON document (``output.to_json``), which escapes
    control characters itself and must hold no lone surrogate (``"\\udcfe"``: no character,
    which no UTF-8 text holds and a strict JSON reader refuses)."""
    if text.isprintable():
        return text
    return "".join(shown(c) if undecoded(c) else c for c in text)


def printable(text: str, lines: bool = False) -> str:
    """``text`` as nnlab gives it to a terminal: each character that is not printable as its
    escape (``shown``): a byte Python could not decode as ``\\xfe``, a control character as
    Python writes it in a string (``\\x1b``, ``\\r``, ``\\t``, and ``\\n`` unless ``lines``: a
    text of several lines). The one way a text read from disk (a folder's name, a config
    string, a recorded error) reaches a terminal: a table's cell (measured as written), a
    line of prose (``output.fit_prose``: notes, warnings, ``runs show``), a stored text
    (``output.print_text``), an error line (``usage.one_line``). A folder named with an
    escape sequence recoloured the terminal, a ``\\r`` in a recorded error overwrote its line
    and a ``\\n`` in a name broke a table's row in two."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or (lines and c == "\n") else shown(c) for c in text)


codecs.register_error(ESCAPING, _escape)


def _open(fd: int) -> bool:
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def guard() -> None:
    """Every standard descriptor open (on /dev/null where it was closed), and ``sys.stdout``
    and ``sys.stderr`` writing through ``_Swallowing``, with their encoding, error handler and
    buffering. (Called once, before anything is printed: a stream that already holds text is
    left as it is.)"""
    for fd in (STDIN, STDOUT, STDERR):
        if not _open(fd):
            to_devnull(fd)
    if sys.stdin is None:
        sys.stdin = open(STDIN, encoding="utf-8", closefd=False)  # noqa: SIM115 (the process's)
    for fd, name in ((STDOUT, "stdout"), (STDERR, "stderr")):
        old = getattr(sys, name)
        raw = _guards[fd] = _Swallowing(fd)
        setattr(sys, name, _text(raw, old))


def _text(raw: _Swallowing, old: object) -> io.TextIOWrapper:
    """A text stream over ``raw`` as ``old`` was (Python's own, or None when it had none),
    but that a character its encoding lacks is written as an escape (``ESCAPING``), not an
    error."""
    encoding = getattr(old, "encoding", None) or "utf-8"
    errors = ESCAPING
    line = bool(getattr(old, "line_buffering", False))
    through = bool(getattr(old, "write_through", False))  # (Python's: unbuffered, -u)
    kind = _Unbuffered if through else io.BufferedWriter
    buffered = kind(raw)  # type: ignore[type-var, arg-type]  # (its write: any buffer)
    return io.TextIOWrapper(buffered, encoding, errors, line_buffering=line, write_through=through)


class _Unbuffered(io.BufferedWriter):
    """A buffer that writes each write out at once: the stream of an unbuffered Python
    (``PYTHONUNBUFFERED``, ``-u``), which writes straight to its descriptor (write_through
    alone only hands the text to the buffer: stdout and stderr were block-buffered there, a
    log's order of the two changed, and a line without its newline waited for the exit)."""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        size = super().write(data)
        self.flush()
        return size


def lost() -> OSError | None:
    """The error by which stdout lost output, unless it was EPIPE (the reader went away) or
    stdout was never guarded (a command run in-process, as tests run it)."""
    guarded = _guards.get(STDOUT)
    if guarded is None:
        return None
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    failure = guarded.failure
    if failure is None or failure.errno == errno.EPIPE:
        return None
    return failure
