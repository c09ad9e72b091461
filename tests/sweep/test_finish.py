"""A sweep's finish (``nnlab.sweep.finish``): what it waits for before it writes."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from nnlab import output, runs
from nnlab.sweep import finish


def test_a_sweeps_finish_waits_for_the_thread_that_got_it_ready(monkeypatch, tmp_path):
    """``get_ready``'s thread loads the table writer (rich) while the last trials train; the
    finish went on beside it when they ended at once, both importing rich, and which of the
    two opened which of its files changed from run to run (a fault injected at the command's
    N-th openat hit another call). The finish waits for it now."""
    began, go = threading.Event(), threading.Event()
    busy: list[bool] = []  # (True while the thread is in the table writer)
    real = output.table_text

    def loading(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            return real(*args, **kwargs)
        busy.append(True)
        began.set()
        go.wait(10)
        try:
            return real(*args, **kwargs)
        finally:
            busy.append(False)

    monkeypatch.setattr(output, "table_text", loading)
    seen: list[bool] = []

    def plot_sweep(run, defn, rows, painters, meanwhile):
        seen.append(busy[-1])
        meanwhile()

    monkeypatch.setattr(finish, "plot_sweep", plot_sweep)
    finish.get_ready(["a painter"])
    assert began.wait(10)
    threading.Timer(0.3, go.set).start()
    life = SimpleNamespace(run=runs.RunDir(tmp_path), note=lambda **_: None)
    defn = SimpleNamespace(spec=SimpleNamespace(params={}))
    finish.finish_sweep(life, defn, [], "COMPLETED", ["a painter"])
    assert seen == [False]
    assert (tmp_path / "summary.txt").is_file()
