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


def line_figure(values, title=""):
    fig, ax = plots.pyplot().subplots(figsize=(3, 2))
    ax.plot(values)
    ax.set_title(title)
    return fig


def broken_figure():
    raise ValueError("no data")


def test_draw_all_in_a_painter_writes_what_drawing_here_writes(tmp_path):
    drawings = [
        plots.Drawing(line_figure, tmp_path / f"{i}.png", ([i, 2, 1],), {"title": f"n{i}"})
        for i in range(3)
    ]
    assert plots.draw_all(drawings) == [d.path for d in drawings]
    for i, drawing in enumerate(drawings):
        here = plots.Drawing(line_figure, tmp_path / f"here{i}.png", drawing.args, drawing.kwargs)
        assert here.draw().read_bytes() == drawing.path.read_bytes()


def test_a_figure_that_fails_in_the_painter_is_one_error_naming_its_file(tmp_path):
    drawings = [plots.Drawing(broken_figure, tmp_path / "bad.png"),
                plots.Drawing(line_figure, tmp_path / "ok.png", ([1, 2],))]  # fmt: skip
    with plots.Painter() as painter:
        assert painter._proc is not None  # (the case under test: a forked worker)
        for drawing in drawings:
            painter.send(drawing)
        try:
            painter.receive(drawings[0])
            raise AssertionError("no error")
        except RuntimeError as exc:
            assert str(exc) == "drawing bad.png: ValueError: no data"
        assert painter.receive(drawings[1]) == tmp_path / "ok.png"
        proc = painter._proc
    assert not proc.is_alive() and not (tmp_path / "bad.png").exists()


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
