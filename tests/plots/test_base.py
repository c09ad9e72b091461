"""The plots package: matplotlib loaded only when a figure is drawn, files written with the
umask's mode."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")
@pytest.mark.parametrize("warm", ["at once", "when told", "by the drawing"])
def test_painters_forked_early_load_matplotlib_when_told_and_draw_every_figure(tmp_path, warm):
    drawings = [
        plots.Drawing(line_figure, tmp_path / f"{i}.png", ([i, 2, 1],), {"title": f"n{i}"})
        for i in range(3)
    ]
    with plots.painters(2, warm=warm == "at once") as painters:
        assert len(painters) == 2 and all(p.alive for p in painters)
        if warm == "when told":
            for painter in painters:
                painter.warm()
        assert plots.draw_all(drawings, painters) == [d.path for d in drawings]
    assert not any(p.alive for p in painters)  # closed with the block
    for drawing in drawings:  # the same files as drawn here
        here = plots.Drawing(line_figure, tmp_path / "here.png", drawing.args, drawing.kwargs)
        assert here.draw().read_bytes() == drawing.path.read_bytes()


def test_painters_draw_every_figure_and_raise_the_first_failure_naming_its_file(tmp_path):
    drawings = [plots.Drawing(broken_figure, tmp_path / "bad.png"),
                plots.Drawing(line_figure, tmp_path / "ok.png", ([1, 2],)),
                plots.Drawing(line_figure, tmp_path / "ok2.png", ([2, 1],))]  # fmt: skip
    with plots.painters(2) as painters:
        with pytest.raises(RuntimeError, match=r"^drawing bad\.png: ValueError: no data$"):
            plots.draw_all(drawings, painters)
    assert (tmp_path / "ok.png").stat().st_size > 0 and (tmp_path / "ok2.png").stat().st_size > 0
