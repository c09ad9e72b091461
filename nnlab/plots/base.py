"""What every figure shares: matplotlib on the Agg backend (imported on first use, or ahead on
a thread: ``import_in_background``), the atomic save, and drawing off a job's critical path:
a ``Drawing`` to write, a ``Canvas`` (the part of a figure that needs no results) built ahead,
and the ``Painter`` processes that build and draw them (``painters``, ``prepare_all``,
``draw_all``). It re-exports the axes helpers (``plots.axes``) and the reading of a curve out
of per-epoch records (``plots.ends``), which every figure module takes from here.

A figure is built by a ``*_figure`` function from plain data (lists, arrays, dicts) and returned
as a matplotlib Figure, so tests can read its layout; ``save`` writes it to a PNG. A ``Painter``
draws in a forked process that imported matplotlib while this one worked.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab import palette
from nnlab.fileio import atomic_write, file_mode
from nnlab.plots import fonts  # (also re-exported: every figure sizes its text by it)
from nnlab.plots.accuracy import accuracy_axis  # noqa: F401 (re-exported: the figures of curves)
from nnlab.plots.axes import (  # noqa: F401 (re-exported: every figure uses them)
    LABEL_GAP,
    LEGIBLE_PT,
    axes_inches,
    distinct_colours,
    distinct_styles,
    epoch_axis,
    fit_legend,
    grid_lines,
    legend_inches,
    legend_outside,
    log_scale,
    log_ticks,
    plain_numbers,
    plain_ticks,
    spaced_ticks,
    spans_decades,
    split_colour,
    too_wide,
    wide_log_ticks,
)
from nnlab.plots.ends import (  # noqa: F401 (re-exported: the figures of curves use them)
    DIVERGED_STYLE,
    curve,
    diverged_epoch,
    diverged_handle,
    mark_diverged,
    mark_stopped,
    stopped,
    stopped_handles,
    until_divergence,
)
from nnlab.plots.titles import (  # noqa: F401 (re-exported: every figure's title)
    fit_lines,
    fitted_suptitle,
    fitted_title,
    named,
)
from nnlab.plots.unraised import unraised
from nnlab.signals import handled, held_while_forking, release

Points = list[tuple[list[float], str]]  # labelled points of a test function
IMPORT_THREAD = "nnlab-import-matplotlib"  # (the thread ``import_in_background`` starts)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (imported on first use: keeps ``--help`` fast).

    Axes titles sit at the top of their axes (``axes.titley`` 1.0) instead of being placed
    automatically: matplotlib's placement measures every axis's tick labels before the figure
    is drawn, to lift a title over ticks on the top edge, which no nnlab figure has; it was
    an eighth of the drawing time of a run's curves.png, and the pixels are the same. Its
    colour cycle is ``nnlab.palette.SERIES`` (a colour named "C0", or none given, is its), its
    text sizes ``plots.fonts``' scale (a text drawn without a size has its role's: ``fonts.rc``).

    matplotlib's font warnings are left out (``findfont: Font family ... not found``): a font
    cache built by a matplotlib since removed (another virtual environment's) gives twenty of
    them, on every command's stderr, where a command says one line; the figure falls back to
    DejaVu Sans either way. So is its warning that it cannot make its config or cache folder
    (a HOME that cannot be written, or is a file: 'mkdir -p failed for path ...' and three
    lines of advice, on every command that draws a figure) while it loads: it makes a
    temporary one, and the figures are the same."""
    import logging

    loading = logging.getLogger("matplotlib")
    level = loading.level
    loading.setLevel(logging.ERROR)  # (while it loads: its config and cache folders)
    try:
        import matplotlib
        from matplotlib.rcsetup import cycler

        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        matplotlib.use("Agg", force=True)
        matplotlib.rcParams["axes.titley"] = 1.0
        matplotlib.rcParams["axes.prop_cycle"] = cycler(color=palette.SERIES)
        sizes: dict[Any, float] = fonts.rc()  # (Any: matplotlib's stub lists its names)
        matplotlib.rcParams.update(sizes)
        import matplotlib.pyplot as plt
    finally:
        loading.setLevel(level)
    return plt


def import_in_background(*also: Callable[[], Any]) -> threading.Thread:
    """Import matplotlib on another thread while this one computes, so that a figure
    drawn later finds it loaded (``also``: further warm-ups to run there). A failure is left
    for the later import to report. A daemon thread: still at work as the ``nnlab`` command
    exits, it ends with the process (``nnlab.__main__._leave``), not under its teardown."""

    def load() -> None:
        with contextlib.suppress(Exception):
            pyplot()
            for warm in also:
                warm()

    thread = threading.Thread(target=load, name=IMPORT_THREAD, daemon=True)
    with contextlib.suppress(RuntimeError):  # ("can't start new thread", ulimit -u: imported
        thread.start()  # when a figure is drawn, as without this)
    return thread


@dataclass(frozen=True)
class Drawing:
    """One figure to write: ``save(figure(*args, **kwargs), path, tight=tight)`` (``figure``:
    a ``plots.*_figure``; data only, so that a painter process can be sent it)."""

    figure: Callable[..., Any]
    path: Path
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    tight: bool = True

    def draw(self) -> Path:
        return save(self.figure(*self.args, **self.kwargs), self.path, tight=self.tight)


@dataclass(frozen=True)
class Canvas:
    """The part of a figure that needs no results: ``build(*args)`` (a ``plots.*_canvas``
    function: a new Figure with its axes, limits, ticks and labels; ``args`` hashable).

    A figure function takes its Figure from ``canvas(build, *args)``. A painter that waits
    for a long job's results can build it ahead (``Painter.prepare``, ``prepare_all``); the
    figure then only adds its data when the results come, off the job's critical path. The
    figure is the same either way: ``canvas`` builds it at once where none was prepared.

    ``drawn``: built ahead, it is also drawn once (in memory), which makes what matplotlib
    makes at a figure's first draw: each axis's ticks (a train run's two panels: ~20 ticks of
    five artists each). The figure drawn on it later is the same to the byte, its save 8-10 ms
    shorter. Not for a canvas whose axes have no ticks to make (the
    weight-scale grid's panels: no gain; drawing its 16 empty panels would only cost time).
    ``warm``: more of what the figure would make, done on the canvas ahead only (``warm(fig)``:
    ``plots.train.train_curves_ticks``)."""

    build: Callable[..., Any]
    args: tuple[Any, ...] = ()
    drawn: bool = False
    warm: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class IdleCanvas:
    """A ``Canvas`` for a painter to build only with CPU time nothing else wants (a thread of
    the Linux ``SCHED_IDLE`` policy: ``idle.IdleWork``), for a job whose workers keep every
    core busy: built on the cycles they leave (a write's wait, a worker's start). What is not
    done when the drawing comes is not waited for (on a machine busy with other work, idle
    time may not come): the drawing does it, at full speed."""

    canvas: Canvas


_PREPARED: dict[Canvas, list[Any]] = {}  # this process's canvases built ahead, each used once


def prepare(ahead: Canvas, step: Callable[[Callable[[], Any]], Any] = lambda fn: fn()) -> None:
    """Build ``ahead`` now and keep it for a figure that asks for it (``canvas``); once per
    figure to come. A failure is left for that figure, which builds it again and reports it.
    ``step``: how each step is run, the build then the draw (``idle.IdleWork``: a step it
    does not run, returning None, is left to the figure)."""
    with contextlib.suppress(Exception):
        fig = step(lambda: ahead.build(*ahead.args))
        if fig is None:
            return
        _PREPARED.setdefault(Canvas(ahead.build, ahead.args), []).append(fig)
        if ahead.drawn:
            step(fig.canvas.draw)
        if ahead.warm is not None:
            step(functools.partial(ahead.warm, fig))


def canvas(build: Callable[..., Any], *args: Any) -> Any:
    """The Figure ``build(*args)`` makes: one prepared in this process if there is one
    (taken: each is used once), else built now."""
    ready = _PREPARED.get(Canvas(build, args))
    return ready.pop() if ready else build(*args)


def dealt(n: int, painters: Sequence[Painter]) -> list[Painter]:
    """Which of ``painters`` (the live ones) takes each of ``n`` drawings: in turn, drawing i
    to live painter i mod their number; [] when none is alive. ``draw_all`` deals drawings
    and ``prepare_all`` their canvases by this one rule, so each canvas is built where its
    drawing is drawn."""
    live = [p for p in painters if p.alive]
    return [live[i % len(live)] for i in range(n)] if live else []


def prepare_all(
    canvases: Sequence[Canvas | None], painters: Sequence[Painter], idle: bool = False
) -> None:
    """Have ``painters`` build ``canvases`` now (``idle``: on idle CPU time only, see
    ``IdleCanvas``), each in the painter that will draw the drawing it belongs to (``dealt``;
    None: nothing to build)."""
    for painter, ahead in zip(dealt(len(canvases), painters), canvases):
        if ahead is not None:
            painter.prepare(IdleCanvas(ahead) if idle else ahead)


def draw_all(
    drawings: list[Drawing],
    painters: Sequence[Painter] = (),
    meanwhile: Callable[[], Any] | None = None,
) -> list[Path]:
    """Write every drawing. With ``painters`` (forked earlier: see ``painters``), they draw them
    all, dealt in turn, while this process runs ``meanwhile`` (a sweep's summary files), then
    waits. Else (``meanwhile`` first), with more than one drawing, a painter forked now (it
    inherits matplotlib if this process has it) draws all but the last while this process
    draws the last: the weight-scale sweep's two figures take the time of the larger one.
    Where a fork is not safe, one after the other here. Every drawing is attempted; the first
    failure is then raised, naming its file (after ``meanwhile``, which is not skipped)."""
    drawers = dealt(len(drawings), painters)
    if drawers:
        for painter, drawing in zip(drawers, drawings):
            painter.send(drawing)
        if meanwhile is not None:
            meanwhile()
        errors = []
        for painter, drawing in zip(drawers, drawings):
            try:
                painter.receive(drawing)
            except (RuntimeError, OSError) as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
        return [d.path for d in drawings]
    if meanwhile is not None:
        meanwhile()
    if len(drawings) < 2:
        return [d.draw() for d in drawings]
    for thread in threading.enumerate():  # (an import of matplotlib still under way)
        if thread.name == IMPORT_THREAD:
            thread.join()
    *there, last = drawings
    with Painter() as painter:
        for drawing in there:
            painter.send(drawing)
        error = _draw(last)
        paths = [painter.receive(d) for d in there]
    if error:  # (as the painter's own: one line naming the file)
        raise failure(last, error)
    return [*paths, last.path]


@contextlib.contextmanager
def painters(n: int) -> Iterator[list[Painter]]:
    """``n`` painters forked now, for ``draw_all`` at the end of a long job: one process
    imports matplotlib and warms up its renderer at once, on a core this one leaves idle while
    it starts up, then forks the other ``n - 1`` from its warm state (one warm-up for all), so
    that the job's figures cost only their drawing, spread over the painters. Closed when the
    block ends (at once if it ends in an exception). Where a fork is not safe, none
    (``draw_all`` then draws here)."""
    started = [Painter(worker) for worker in _fork_painters(n)]
    ok = False
    try:
        yield [p for p in started if p.alive]
        ok = True
    finally:
        for painter in reversed(
            started
        ):  # (the first, the forking one, last: it waits for the rest)
            painter.close(wait=ok)


class Painter:
    """Draws figures in a process forked now, which imports matplotlib (slow) on the other
    core while this one loads data and trains; ``draw`` then costs only the drawing. Where a
    fork is not safe (not Linux, or another thread running) it draws here instead. The worker
    ignores Ctrl-C (this process handles it) and ends with ``close`` or this process.

    ``Painter()`` forks its own worker; ``painters(n)`` makes n that share one warm-up."""

    def __init__(self, worker: tuple[Any, Any, bool] | None = None) -> None:
        # this end of the worker's pipe, the forked process, and whether this painter stops it
        self._conn, self._proc, self._owns = worker or _fork_painters(1)[0]
        self._local: list[
            str | tuple[int, str, str]
        ] = []  # drawn here (no worker): the errors, for ``receive``

    def draw(
        self, figure: Callable[..., Any], path: Path, *args: Any, tight: bool = True, **kwargs: Any
    ) -> Path:
        """``save(figure(*args, **kwargs), path, tight=tight)`` (``figure``: a
        ``plots.*_figure``), in the worker if there is one."""
        drawing = Drawing(figure, Path(path), args, kwargs, tight)
        self.send(drawing)
        return self.receive(drawing)

    def prepare(self, ahead: Canvas | IdleCanvas) -> None:
        """Have the worker build ``ahead`` (a figure's part that needs no results) while it
        waits, for a drawing sent later (``canvas``); without a worker, nothing: the drawing
        builds it then."""
        if self.alive:
            with contextlib.suppress(OSError):  # (its worker is gone: the drawing says so)
                self._conn.send(ahead)

    @property
    def alive(self) -> bool:
        """A worker process is there to draw."""
        return self._conn is not None and self._proc is not None and self._proc.is_alive()

    def send(self, drawing: Drawing) -> None:
        """Start ``drawing`` in the worker (``receive`` waits for it); with no worker, draw
        it here now."""
        if not self.alive:
            self._local.append(_draw(drawing))
            return
        try:
            self._conn.send(drawing)
        except OSError as exc:  # (its worker is gone: ``receive`` says so)
            self._local.append(f"its painter process ended ({exc})")

    def receive(self, drawing: Drawing) -> Path:
        """Wait for ``drawing`` (sent before, in order); raise what went wrong, in one line."""
        if self._local:
            error = self._local.pop(0)
        else:
            try:
                error = self._conn.recv()
            except (EOFError, OSError):
                error = "its painter process ended before drawing it"
        if error:
            raise failure(drawing, error)
        return drawing.path

    def close(self, wait: bool = True) -> None:
        """Stop the worker: told to, once it has drawn what it was sent (``wait``), else at
        once (a block ending in an exception: a warm-up under way is not waited for)."""
        if self._conn is not None:
            if wait:
                with contextlib.suppress(OSError):
                    self._conn.send(None)
            self._conn.close()
            self._conn = None
        proc, self._proc = self._proc, None
        if proc is not None and self._owns:
            if wait:
                proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)

    def __enter__(self) -> Painter:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.close(wait=exc_type is None)


def _fork_painters(n: int) -> list[tuple[Any, Any, bool]]:
    """(this end of its pipe, the forked process, whether this one stops it: the first) for
    ``n`` painter workers: one process that warms up and forks the rest from its warm state.
    Where a fork is not safe (not Linux, or another thread running), or fails (no process to
    be had: ``ulimit -u``, which failed the command, 'Resource temporarily unavailable'), ``n``
    times (None, None, False): the drawing is done here, the same figures."""
    import multiprocessing as mp
    import sys

    if n < 1 or not sys.platform.startswith("linux") or threading.active_count() != 1:
        return [(None, None, False)] * n
    ctx = mp.get_context("fork")
    pipes = [ctx.Pipe() for _ in range(n)]
    ours, theirs = [a for a, _ in pipes], [b for _, b in pipes]
    proc = ctx.Process(target=_paint, args=(theirs, ours), daemon=True)
    try:
        with held_while_forking():  # (until the worker has set its own handlers)
            proc.start()
    except OSError:  # (EAGAIN, ENOMEM: no process to be had, ulimit -u; drawn here)
        for end in (*ours, *theirs):
            end.close()
        return [(None, None, False)] * n
    for end in theirs:  # (only the workers hold their ends, and only this process holds ours)
        end.close()
    return [(end, proc, i == 0) for i, end in enumerate(ours)]


def _paint(conns: list[Any], parent_ends: list[Any]) -> None:
    """The painters' worker: import matplotlib and warm up, fork a worker for each pipe but
    the first from that warm state, then draw what the first pipe asks until told to stop, or
    until its parent is gone (killed with SIGKILL: the pipes read as closed, since the workers
    close their copies of the parent's ends), so no painter outlives a killed run. It never
    returns into the code it was forked from: it ends with ``os._exit``."""
    import signal

    given = os.environ.get(MPL_FOLDER)  # (None: one matplotlib makes here is this one's)
    try:
        for end in parent_ends:
            end.close()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.unraisablehook = _exit_unraised
        for stop in handled():  # (SIGTERM, SIGHUP, ...: nnlab.signals.STOPS not ignored)
            signal.signal(stop, _exit_once)
        release()  # (a signal sent since the fork arrives now, to these handlers)
        _warm_up()
        children, alone = [], [conns[0]]
        for conn in conns[1:]:
            try:
                pid = os.fork()
            except OSError:  # (EAGAIN: no process to be had, ulimit -u; served here)
                alone.append(conn)
                continue
            if pid == 0:  # a sibling: serves its own pipe only
                try:
                    for other in conns:
                        if other is not conn:
                            other.close()
                    _serve(conn)
                finally:
                    os._exit(0)
            children.append(pid)
            conn.close()
        try:
            _serve(*alone)
        finally:
            for pid in children:  # (each ends when its pipe is told to or closes)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
    finally:
        if given is None:
            _remove_temporary_folder()
        os._exit(0)


MPL_FOLDER = "MPLCONFIGDIR"  # (matplotlib sets it to the temporary folder it makes, if it does)


def _remove_temporary_folder() -> None:
    """The temporary folder matplotlib made in this process for its config and font cache,
    because its own could not be made (a HOME that cannot be written, or is a file): its exit
    hook removes it, which ``os._exit`` skips, so every command whose painter drew a figure
    left one in /tmp (48 kB)."""
    import shutil
    import tempfile

    folder = os.environ.get(MPL_FOLDER)
    if folder is None:
        return
    made = Path(folder)
    if made.parent == Path(tempfile.gettempdir()) and made.name.startswith("matplotlib-"):
        shutil.rmtree(made, ignore_errors=True)


def _exit_once(*_: Any) -> None:
    """A stop signal in a painter: a painter stopped at once (``close(wait=False)``) exits
    through ``finally`` blocks, so a PNG being written leaves no temp file behind. Once only:
    the handler puts the defaults back first, so that a second signal cannot raise again in the
    middle of that exit (in the forking code's own exit path, an exception would carry a copy
    of the parent on)."""
    import signal

    for stop in handled():
        signal.signal(stop, signal.SIG_DFL)
    raise SystemExit(0)


def _exit_unraised(unraisable: Any) -> None:
    """A painter's hook for exceptions Python cannot raise (in a callback, as an import's lock
    clean-up): ``_exit_once``'s SystemExit landing there was printed as 'Exception ignored in
    ...' with a traceback on the run's terminal, and the painter went on. It exits now, as it
    would have (without the ``finally`` blocks: a PNG being written may leave its temp file).
    Another one is not printed either: in a figure's save it fails the figure (``unraised``);
    outside one (a font that cannot be read as a canvas is built ahead, or in the warm-up) it
    is left for the drawing, which does the work again and reports what fails."""
    if isinstance(unraisable.exc_value, SystemExit):
        os._exit(0)


def _serve(*conns: Any) -> None:
    """Draw each ``Drawing`` received on ``conns``, reply "" or the error on its pipe, until
    None or EOF on each; build each ``Canvas`` received for a drawing to come (no reply), an
    ``IdleCanvas`` on idle CPU time (``idle.IdleWork``), which the next job stops, waiting for
    a step under way only (matplotlib is used by one at a time; the drawing builds or draws
    what was not done). Several pipes: a sibling that could not be forked (``_paint``), its
    pipe served here."""
    from multiprocessing.connection import wait

    from nnlab.plots.idle import IdleWork

    building = IdleWork()
    live = list(conns)
    while live:
        ready: list[Any] = list(live) if len(live) == 1 else wait(live)
        for conn in ready:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                job = None
            if isinstance(job, IdleCanvas):
                building.start(functools.partial(prepare, job.canvas))
                continue
            building.settle()
            building = IdleWork()  # (for idle canvases sent after this job)
            if job is None:
                live.remove(conn)
            elif isinstance(job, Canvas):
                prepare(job)
            else:
                try:
                    conn.send(_draw(job))
                except OSError:  # the parent is gone
                    live.remove(conn)


def _warm_up() -> bool:
    """Import matplotlib and save a text as PNG once (which loads the fonts and the PNG
    writer's own imports), and read the umask for the files to come: all that a figure's save
    would otherwise do on the command's critical path. A failure is left for the drawing to
    report. True (done, either way)."""
    import io

    with contextlib.suppress(Exception):
        file_mode()
        plt = pyplot()
        fig = plt.figure(figsize=(1, 1))
        fig.text(0.5, 0.5, "0.25 epoch")
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    return True


def _draw(drawing: Drawing) -> str | tuple[int, str, str]:
    """Draw; "" or what went wrong (``failure`` raises it, naming the file): an OS error as
    (errno, reason, file), the rest in one line."""
    try:
        drawing.draw()
        return ""
    except OSError as exc:
        if exc.errno is None:
            return f"{type(exc).__name__}: {exc}"
        return (exc.errno, exc.strerror or str(exc), str(exc.filename or drawing.path))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def failure(drawing: Drawing, error: str | tuple[int, str, str]) -> Exception:
    """What a drawing's failure is raised as: an OS error as itself (a full disk, a folder
    that cannot be written: the one line any file's write gives, not "unexpected"), a
    MemoryError as one (matplotlib's std::bad_alloc under ``ulimit -v``: it was 'unexpected
    RuntimeError'), the rest a RuntimeError naming the file."""
    if isinstance(error, tuple):
        return OSError(*error)
    if error.startswith("MemoryError: "):
        return MemoryError(f"drawing {drawing.path.name}: {error.split(': ', 1)[1]}")
    return RuntimeError(f"drawing {drawing.path.name}: {error}")


def save(fig: Any, path: Path, dpi: int = 110, tight: bool = True) -> Path:
    """Write ``fig`` to ``path`` as PNG, atomically (``nnlab.fileio.atomic_write``: the file
    gets the mode the umask gives, as run files do), then close it.

    ``tight`` crops to the drawn artists (an extra layout pass); a figure whose margins are set
    by hand (``subplots_adjust``) saves faster without it. Every linear axis is ticked in whole
    values (``plain_numbers``), whichever figure it is."""
    path = Path(path)
    plain_numbers(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        bbox = "tight" if tight else None

        def write(f: Any) -> None:
            with unraised():
                fig.savefig(f, format="png", dpi=dpi, bbox_inches=bbox)

        atomic_write(path, write)
    finally:
        pyplot().close(fig)
    return path
