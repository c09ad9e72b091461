"""Figures built in two steps: a painter builds the part that needs no results (a ``Canvas``)
while the job runs, and the figure adds the data at the end. The PNG is the same byte for byte
as a figure built in one go, a prepared canvas is used once, and a painter builds the canvases
it is sent before the drawings that use them."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import pytest

from nnlab import plots
from nnlab.plots import base
from tests.plots import records
from tests.plots.test_weight_scale import grid_panels

BUILT: list[tuple[int, ...]] = []  # the calls of ``counted_canvas`` in this process


def counted_canvas(*args: int):
    BUILT.append(args)
    fig, _ = base.pyplot().subplots(1, 1, figsize=(2, 2))
    return fig


def png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=60)
    base.pyplot().close(fig)
    return out.getvalue()


@pytest.fixture(autouse=True)
def empty_pool():
    base._PREPARED.clear()
    BUILT.clear()
    yield
    base._PREPARED.clear()


def train_figure(**kw):
    return plots.train_curves_figure(records.learning(), ["train", "test"], "run", **kw)


def falling(epochs: int = 20) -> list[dict]:
    """A run whose losses fall over three decades (2.3 .. 0.002): a log loss axis."""
    out = records.learning(epochs)
    for r in out:
        for key in ("loss", "train_loss", "test_loss"):
            if r[key] is not None:
                r[key] = 2.3 * 0.7 ** r["epoch"]
    return out


def log_train_figure():
    return plots.train_curves_figure(falling(), ["train", "test"], "run", status="COMPLETED")


WARM = plots.TRAIN_CURVES_AHEAD


FIGURES = {
    "train curves": (
        plots.Canvas(plots.train_curves_canvas),
        lambda: train_figure(status="COMPLETED"),
    ),
    "train curves, diverged": (
        plots.Canvas(plots.train_curves_canvas),
        lambda: plots.train_curves_figure(
            records.diverging(at=3), ["train"], "run", status="DIVERGED", diverged_epoch=3
        ),
    ),
    "train curves, drawn ahead": (
        plots.Canvas(plots.train_curves_canvas, drawn=True),
        lambda: train_figure(status="COMPLETED"),
    ),
    "train curves, diverged, drawn ahead": (
        plots.Canvas(plots.train_curves_canvas, drawn=True),
        lambda: plots.train_curves_figure(
            records.diverging(at=3), ["train"], "run", status="DIVERGED", diverged_epoch=3
        ),
    ),
    "train curves, log loss, drawn and warmed ahead": (WARM, log_train_figure),
    "train curves, warmed ahead": (WARM, lambda: train_figure(status="COMPLETED")),
    "weight-scale grid, 8 panels": (
        plots.Canvas(plots.weight_scale_grid_canvas, (8, 20, "train_acc")),
        lambda: plots.weight_scale_grid_figure(grid_panels(), "train_acc", title="t"),
    ),
    "weight-scale grid, 6 panels (2 hidden)": (
        plots.Canvas(plots.weight_scale_grid_canvas, (6, 20, "train_acc")),
        lambda: plots.weight_scale_grid_figure(grid_panels()[:6], "train_acc", title="t"),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FIGURES))
def test_a_figure_on_a_prepared_canvas_is_the_figure_built_in_one_go(name):
    ahead, figure = FIGURES[name]
    alone = png(figure())
    base.prepare(ahead)
    pool = base._PREPARED[plots.Canvas(ahead.build, ahead.args)]  # (drawn or not: one pool)
    assert len(pool) == 1
    assert png(figure()) == alone
    assert pool == [], "the figure took the prepared canvas"


def test_a_canvas_drawn_ahead_has_its_ticks_made():
    """What drawing ahead is for: matplotlib makes an axis's ticks at the first draw, five
    artists each, ~10 % of a run's curves.png at the end (the bytes: the test above)."""
    base.prepare(plots.Canvas(plots.train_curves_canvas, drawn=True))
    base.prepare(plots.Canvas(plots.train_curves_canvas))
    drawn, built = base._PREPARED[plots.Canvas(plots.train_curves_canvas)]
    assert all(len(ax.xaxis.majorTicks) > 1 for ax in drawn.axes)
    assert all(len(ax.xaxis.majorTicks) == 1 for ax in built.axes)  # (matplotlib's one)


def test_a_log_loss_axis_draws_on_minor_ticks_made_ahead():
    """A run's loss on a log axis (three decades) draws 2..9 of each decade as minor ticks:
    the canvas warmed ahead (``train_curves_ticks``) has them, and the figure's draw at the
    run's end makes none (it made 30, ~15 % of its CPU time; the bytes: the test above)."""
    base.prepare(WARM)
    fig = log_train_figure()
    made = len(fig.axes[0].yaxis.minorTicks)
    assert made >= plots.train.MINOR_TICKS
    fig.canvas.draw()
    assert 16 <= len(fig.axes[0].yaxis.get_minorticklocs()) <= made  # (all made ahead)
    assert len(fig.axes[0].yaxis.minorTicks) == made


def test_a_training_runs_painter_draws_its_canvas_ahead(tmp_path):
    """``nnlab train``'s painter is sent curves.png's canvas to build and draw while the run
    trains, and the figure at the end is drawn on it."""
    from nnlab.config import load_config
    from nnlab.experiments.train import run_training

    class Here:  # (a painter that draws in this process)
        def __init__(self):
            self.sent = []

        def prepare(self, ahead):
            self.sent.append(ahead)
            base.prepare(ahead)

        def send(self, drawing):
            drawing.draw()

        def receive(self, drawing):
            return drawing.path

    painter = Here()
    cfg = load_config(Path("configs/digits-quickstart.yaml"), ["epochs=1"])
    result = run_training(cfg, runs_dir=tmp_path, painter=painter)
    assert painter.sent == [WARM]
    assert base._PREPARED[plots.Canvas(plots.train_curves_canvas)] == []  # (used)
    assert (result.run.path / "curves.png").stat().st_size > 0


def test_a_prepared_canvas_is_used_once_then_built_again():
    base.prepare(plots.Canvas(counted_canvas, (1,)))
    first = base.canvas(counted_canvas, 1)
    second = base.canvas(counted_canvas, 1)
    assert first is not second and BUILT == [(1,), (1,)]
    other = base.canvas(counted_canvas, 2)  # (other arguments: another canvas)
    assert BUILT[-1] == (2,) and other not in (first, second)


def test_a_canvas_that_fails_ahead_is_left_for_the_figure_to_report():
    def broken(*_):
        raise ValueError("no such layout")

    base.prepare(plots.Canvas(broken))
    assert not base._PREPARED.get(plots.Canvas(broken))
    with pytest.raises(ValueError, match="no such layout"):
        base.canvas(broken)


class Pipe:
    """One end of a painter's pipe, in this process: what it is sent, and the replies; with
    ``after``, a job is handed over only once ``after(job)`` holds (up to 10 s)."""

    def __init__(self, jobs, after=lambda job: True):
        self.jobs, self.replies, self.after = list(jobs), [], after

    def recv(self):
        job = self.jobs.pop(0)
        for _ in range(1000):
            if self.after(job):
                break
            time.sleep(0.01)
        return job

    def send(self, reply):
        self.replies.append(reply)


POLICIES: list[int] = []  # the scheduling policy of the threads that ran ``policy_canvas``


def policy_canvas(*args: int):
    POLICIES.append(os.sched_getscheduler(0))
    return counted_canvas(*args)


@pytest.mark.parametrize("idle", [False, True], ids=["canvas", "idle canvas"])
def test_a_painter_builds_what_it_is_sent_ahead_and_answers_only_drawings(tmp_path, idle):
    # (an idle one: a sweep whose workers keep every core busy had its canvases built at its
    # end, on the critical path, or would have taken CPU time from the workers)
    if idle and not hasattr(os, "SCHED_IDLE"):
        pytest.skip("SCHED_IDLE: Linux")
    ahead = plots.Canvas(policy_canvas, (3,))

    def figure():
        assert BUILT == [(3,)], "built before this drawing, once"
        return base.canvas(policy_canvas, 3)

    drawing = plots.Drawing(figure, tmp_path / "f.png", tight=False)
    built = lambda job: job is not drawing or base._PREPARED.get(ahead)  # noqa: E731
    pipe = Pipe([plots.IdleCanvas(ahead) if idle else ahead, drawing, None], after=built)
    POLICIES.clear()
    base._serve(pipe)
    assert pipe.replies == [""] and (tmp_path / "f.png").stat().st_size > 0
    assert BUILT == [(3,)] and base._PREPARED[ahead] == []
    assert (POLICIES == [os.SCHED_IDLE]) is idle
    assert os.sched_getscheduler(0) != os.SCHED_IDLE  # (this thread, which drew, is not)


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE: Linux")
def test_a_drawing_does_not_wait_for_idle_work_not_begun_only_for_a_step_under_way():
    """On a machine busy with other work a ``SCHED_IDLE`` thread may wait seconds for a core
    (a sweep's figures came 10-30 s after its last trial): the drawing takes what is done."""
    from nnlab.plots.idle import IdleWork

    work, steps = IdleWork(), []
    begun, release = threading.Event(), threading.Event()

    def slow():
        begun.set()
        assert release.wait(10)
        return "built"

    work.start(lambda step: steps.append(step(slow)) or steps.append(step(lambda: "drawn")))
    assert begun.wait(10)
    settled = threading.Thread(target=work.settle)
    settled.start()
    settled.join(0.2)
    assert settled.is_alive(), "a step under way is waited for"
    release.set()
    settled.join(10)
    assert not settled.is_alive() and steps == ["built", None]  # (the next step: not begun)
    work.start(lambda step: steps.append(step(lambda: "late")))
    time.sleep(0.2)
    assert steps == ["built", None, None]  # (settled: nothing begins)


def test_prepare_all_sends_an_idle_canvas_where_asked():
    ahead = plots.Canvas(counted_canvas, (4,))
    plots.prepare_all([ahead], [sink := Sink()], idle=True)
    assert sink.got == [plots.IdleCanvas(ahead)]


class Sink:
    """A painter that only records what it is asked to prepare."""

    alive = True

    def __init__(self):
        self.got = []

    def prepare(self, ahead):
        self.got.append(ahead)


def test_prepare_all_deals_canvases_as_draw_all_deals_drawings():
    a, b = Sink(), Sink()
    c = [plots.Canvas(counted_canvas, (i,)) for i in range(3)]
    plots.prepare_all([c[0], None, c[2]], [a, b])
    assert a.got == [c[0], c[2]] and b.got == []  # drawings 0 and 2 go to the first painter


def test_the_weight_scale_presets_canvas_is_the_one_its_grid_asks_for(tmp_path):
    """The preset's ``canvases`` for its planned trials name the grid its figure then builds
    (the painter's work ahead is used, not thrown away)."""
    from nnlab import runs
    from nnlab.sweep import finish, presets, run as sweep_run
    from nnlab.sweep.definition import plan

    preset = presets.get("weight-scale")
    defn = preset.definition("digits", ["model.init_std=logspace:0:-2:3", "epochs=2"])
    result = sweep_run.run_sweep(defn, runs_dir=tmp_path)
    run = runs.RunDir(result.run.path)
    grid, summary = preset.canvases([t.config for t in plan(defn)])
    assert summary is None and grid.args == (3, 2, "train_acc")
    base.prepare(grid)
    rows = sweep_run.sweep_rows(run)
    drawings = preset.figures(run, preset.complete(rows, defn), finish.trial_curves(run, rows))
    drawings[0].draw()
    assert base._PREPARED[grid] == [], "the grid was drawn on the prepared canvas"
    assert Path(drawings[0].path).stat().st_size > 0
    # (each figure's title says what it shows: the summary's was the folder's name alone)
    assert drawings[0].args[2] == f"{run.id}\ntraining accuracy per epoch"
    assert drawings[1].kwargs["title"] == f"{run.id}\nfinal accuracy by weight init scale"
