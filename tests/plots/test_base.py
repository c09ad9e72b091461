"""The plots package: matplotlib loaded only when a figure is drawn, files written with the
umask's mode."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from nnlab import plots


def test_importing_plots_does_not_import_matplotlib():
    code = "import sys, nnlab.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_a_painter_s_warm_up_leaves_nothing_for_a_figure_s_save_to_import(tmp_path):
    # (the warm-up runs while the command works; a run's curves.png is drawn on its critical
    # path, so any import the save needs, such as Pillow's plugins, belongs in the warm-up)
    code = (
        "import sys; from nnlab.plots import base; base._warm_up(); before = set(sys.modules)\n"
        "fig, ax = base.pyplot().subplots(); ax.plot([1, 2]); ax.set_title('loss')\n"
        f"base.save(fig, {str(tmp_path / 'f.png')!r}); print(sorted(set(sys.modules) - before))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_saved_figures_get_the_umask_mode(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    fig, _ = plots.pyplot().subplots()
    path = plots.save(fig, tmp_path / "f.png")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def line_figure(values, title=""):
    fig, ax = plots.pyplot().subplots(figsize=(3, 2))
    ax.plot(values)
    ax.set_title(title)
    return fig


def broken_figure():
    raise ValueError("no data")


@pytest.mark.slow
def test_draw_all_in_a_painter_writes_what_drawing_here_writes(tmp_path):
    drawings = [
        plots.Drawing(line_figure, tmp_path / f"{i}.png", ([i, 2, 1],), {"title": f"n{i}"})
        for i in range(3)
    ]
    assert plots.draw_all(drawings) == [d.path for d in drawings]
    for i, drawing in enumerate(drawings):
        here = plots.Drawing(line_figure, tmp_path / f"here{i}.png", drawing.args, drawing.kwargs)
        assert here.draw().read_bytes() == drawing.path.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("where", ["worker", "here"])
def test_a_figure_that_cannot_be_written_is_the_os_error_naming_its_file(
    tmp_path, monkeypatch, where
):
    # (a full disk while a sweep drew its figures was "unexpected RuntimeError: drawing
    # curves.png: OSError: ..." and exit 1 as a bug, where any file's write gives one line)
    from nnlab.plots import base

    monkeypatch.setattr(base.threading, "active_count", lambda: 1 if where == "worker" else 2)
    (tmp_path / "file").write_text("")
    drawing = plots.Drawing(line_figure, tmp_path / "file" / "c.png", ([1, 2],))
    with plots.Painter() as painter:
        painter.send(drawing)
        with pytest.raises(OSError) as error:
            painter.receive(drawing)
    assert error.value.errno is not None and "file" in str(error.value.filename)
    with pytest.raises(OSError):
        plots.draw_all([drawing, drawing])


@pytest.mark.parametrize("where", ["worker", "here"])
def test_a_figure_that_fails_is_one_error_naming_its_file_and_the_rest_are_drawn(
    tmp_path, monkeypatch, where
):
    from nnlab.plots import base

    monkeypatch.setattr(base.threading, "active_count", lambda: 1 if where == "worker" else 2)
    drawings = [plots.Drawing(broken_figure, tmp_path / "bad.png"),
                plots.Drawing(line_figure, tmp_path / "ok.png", ([1, 2],))]  # fmt: skip
    with plots.Painter() as painter:
        assert (painter._proc is not None) == (where == "worker")
        for drawing in drawings:
            painter.send(drawing)
        with pytest.raises(RuntimeError) as error:
            painter.receive(drawings[0])
        assert str(error.value) == "drawing bad.png: ValueError: no data"
        assert painter.receive(drawings[1]) == tmp_path / "ok.png"
        proc = painter._proc
    assert proc is None or not proc.is_alive()
    assert (tmp_path / "ok.png").stat().st_size > 0 and not (tmp_path / "bad.png").exists()


def test_with_another_thread_running_the_painter_draws_here(tmp_path):
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with plots.Painter() as painter:
            assert painter._proc is None  # (a fork is not safe with a thread running)
            path = painter.draw(line_figure, tmp_path / "f.png", [1, 3])
    finally:
        stop.set()
        other.join()
    assert path.stat().st_size > 0


def test_draw_all_names_a_failing_last_figure_and_still_draws_the_others(tmp_path):
    drawings = [plots.Drawing(line_figure, tmp_path / "ok.png", ([1, 2],)),
                plots.Drawing(broken_figure, tmp_path / "bad.png")]  # fmt: skip
    with pytest.raises(RuntimeError, match=r"^drawing bad\.png: ValueError: no data$"):
        plots.draw_all(drawings)
    assert (tmp_path / "ok.png").stat().st_size > 0 and not (tmp_path / "bad.png").exists()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")
@pytest.mark.parametrize("n", [1, 3])
def test_painters_share_one_warm_up_and_draw_every_figure(tmp_path, n, fork_allowed):
    drawings = [
        plots.Drawing(line_figure, tmp_path / f"{i}.png", ([i, 2, 1],), {"title": f"n{i}"})
        for i in range(4)
    ]
    with plots.painters(n) as painters:
        assert len(painters) == n and all(p.alive for p in painters)
        assert len({p._proc.pid for p in painters}) == 1  # (one forked here; it forks the rest)
        ran = []
        paths = plots.draw_all(drawings, painters, meanwhile=lambda: ran.append(True))
        assert paths == [d.path for d in drawings] and ran == [True]
    assert not any(p.alive for p in painters)  # closed with the block
    for drawing in drawings:  # the same files as drawn here
        here = plots.Drawing(line_figure, tmp_path / "here.png", drawing.args, drawing.kwargs)
        assert here.draw().read_bytes() == drawing.path.read_bytes()


@pytest.mark.slow
def test_painters_draw_every_figure_and_raise_the_first_failure_naming_its_file(
    tmp_path, fork_allowed
):
    drawings = [plots.Drawing(broken_figure, tmp_path / "bad.png"),
                plots.Drawing(line_figure, tmp_path / "ok.png", ([1, 2],)),
                plots.Drawing(line_figure, tmp_path / "ok2.png", ([2, 1],))]  # fmt: skip
    with plots.painters(2) as painters:
        with pytest.raises(RuntimeError, match=r"^drawing bad\.png: ValueError: no data$"):
            plots.draw_all(drawings, painters)
    assert (tmp_path / "ok.png").stat().st_size > 0 and (tmp_path / "ok2.png").stat().st_size > 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")
def test_painters_left_by_an_exception_stop_at_once_without_waiting_for_their_warm_up(
    monkeypatch, fork_allowed
):
    import time

    from nnlab.plots import base

    monkeypatch.setattr(base, "_warm_up", lambda: time.sleep(30))  # (a warm-up that never ends)
    t0 = time.monotonic()
    with pytest.raises(ValueError), plots.painters(2) as painters:
        assert all(p.alive for p in painters)
        raise ValueError("a bad config")
    assert time.monotonic() - t0 < 5 and not any(p.alive for p in painters)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")
def test_a_painter_whose_process_is_gone_is_one_error_naming_the_file(tmp_path, fork_allowed):
    drawing = plots.Drawing(line_figure, tmp_path / "f.png", ([1, 2],))
    with plots.painters(2) as painters:
        painters[1]._conn.send(None)  # (its process ends: as if it had crashed)
        with pytest.raises(RuntimeError, match=r"^drawing f\.png: its painter process ended"):
            painters[1].draw(line_figure, drawing.path, [1, 2])
        assert painters[0].draw(line_figure, drawing.path, [1, 2]) == drawing.path


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")
def test_a_painter_stopped_as_soon_as_it_is_forked_ends_without_running_this_process_code(
    tmp_path, capfd, fork_allowed
):
    import os

    from nnlab.signals import SignalsAsInterrupts

    me = os.getpid()
    with SignalsAsInterrupts():  # (the command line's handlers, which raise; a child inherits them)
        for _ in range(30):
            try:
                with plots.painters(1):
                    raise ValueError("a bad config, right after the fork")
            except (ValueError, KeyboardInterrupt):
                pass
            if os.getpid() != me:  # (a child that ran on as a copy of this test)
                (tmp_path / f"copy-{os.getpid()}").touch()
                os._exit(0)
    assert not list(tmp_path.iterdir())
    assert "Interrupted" not in capfd.readouterr().err  # (no handler ran in a child's fork)


def test_signals_held_while_forking_are_held_in_the_block_and_restored_after():
    import signal

    from nnlab.signals import HELD, held_while_forking

    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with held_while_forking():
        assert set(HELD) <= signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before


_SIGNAL_IN_A_CALLBACK = r"""
import sys, weakref
from nnlab.plots import base
if sys.argv[1] == "hooked":
    sys.unraisablehook = base._exit_unraised
class Held: pass
held = Held()
def callback(ref):  # (where a painter's SIGTERM handler can raise: an import lock's clean-up)
    base._exit_once()
ref = weakref.ref(held, callback)
del held
print("went on", flush=True)
"""


@pytest.mark.parametrize("hooked", [True, False])
def test_a_painters_exit_raised_inside_a_callback_ends_it_quietly(hooked):
    """A painter's SIGTERM arriving while Python ran a callback raised its SystemExit where it
    is printed as 'Exception ignored in ...' (a traceback on the run's terminal: CI caught it
    under `train` stopped by SIGHUP) and the painter went on. Its hook ends it quietly."""
    code = [sys.executable, "-c", _SIGNAL_IN_A_CALLBACK, "hooked" if hooked else "plain"]
    done = subprocess.run(code, capture_output=True, text=True, timeout=60)
    if hooked:
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    else:  # (Python's own behaviour, which the hook is for)
        assert "Exception ignored" in done.stderr and done.stdout == "went on\n"


@pytest.mark.slow
def test_matplotlibs_font_warnings_stay_off_the_commands_stderr():
    """A font cache built by a matplotlib since removed printed twenty 'findfont: Font family
    ... not found' lines on a command's stderr (found by CI after a virtual environment was
    removed), where a command says one line. (In a process of its own: pytest's log capture
    would hide them either way.)"""
    code = (
        "import logging; from nnlab import plots; plots.pyplot()\n"
        "logging.getLogger('matplotlib.font_manager').warning(\"findfont: Font family ['x']\")"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr == ""


def test_a_legend_lists_no_series_with_nothing_drawn_and_keeps_its_keys():
    # (the class of lr-scan's empty "training" entry: a labelled line or set of points on the
    # axes with no finite point; a proxy made for the legend, or a colour's patch, is a key)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    fig, ax = plots.base.pyplot().subplots()
    ax.plot([1, 2], [3, 4], label="drawn")
    ax.plot([], [], label="empty")
    ax.plot([1, 2], [float("nan")] * 2, label="all NaN")
    ax.plot([1, 2], [float("nan"), 1.0], label="partly NaN")
    ax.scatter([], [], label="no points")
    ax.axhline(2.5, label="a level")
    ax.add_patch(Rectangle((0, 0), 0, 0, color="0.8", label="not evaluated"))
    key = Line2D([], [], color="gray", ls=":", label="dotted: training")
    legend = plots.base.legend_outside(ax, handles=[*ax.get_legend_handles_labels()[0], key])
    shown = [t.get_text() for t in legend.get_texts()]
    assert shown == ["drawn", "partly NaN", "a level", "not evaluated", "dotted: training"]
    legend = plots.base.legend_outside(ax)  # (the axes' own entries, as with no handles)
    assert [t.get_text() for t in legend.get_texts()] == shown[:-1]
    fig, ax = plots.base.pyplot().subplots()
    ax.plot([], [], label="empty")
    assert plots.base.legend_outside(ax) is None  # (nothing to list: no box)


class _Unreadable:
    """An object whose clean-up fails: its error is one Python cannot raise (printed as
    'Exception ignored in ...'), as matplotlib's font read callback's is (a read that fails)."""

    def __del__(self):
        raise OSError(errno.EIO, os.strerror(errno.EIO))


@pytest.mark.parametrize("glyph", [False, True])
def test_an_error_python_cannot_raise_as_a_figure_is_saved_fails_the_figure(
    tmp_path, capsys, glyph
):
    from matplotlib.artist import Artist

    class FontUnreadable(Artist):
        def draw(self, renderer):
            _Unreadable()  # (freed at once)
            if glyph:  # (FreeType's own error after its read failed)
                raise RuntimeError("failed to load glyph")

    fig, _ = plots.pyplot().subplots()
    fig.add_artist(FontUnreadable())
    with pytest.raises(OSError) as raised:
        plots.save(fig, tmp_path / "f.png")
    assert raised.value.errno == errno.EIO and raised.value.filename == str(tmp_path / "f.png")
    assert list(tmp_path.iterdir()) == []  # (no figure without its text, no temp file)
    assert "Exception ignored" not in capsys.readouterr().err
