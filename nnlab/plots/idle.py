"""Work a painter does on CPU time nothing else wants: threads of the Linux ``SCHED_IDLE``
policy, for a job whose workers keep every core busy (``base.IdleCanvas``).

Such a thread gets a core when one is idle, and next to nothing while other processes want
them all: a few milliseconds a second against each busy process of a shared machine, and an
unprivileged process cannot raise its policy again. A painter that waited for all of its idle
work when the job's drawing came waited for as long as the machine stayed busy (0.2-0.3 s of
CPU came 10-30 s after a sweep's last trial, with five other jobs running). So the work is done
in steps (``step``: a canvas's build, then its first draw), and when a job comes (``settle``) no
step begins any more: the drawing waits only for a step under way, and takes what was done (a
canvas not built, the drawing builds at full speed).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any


class IdleWork:
    """Steps of work run on ``SCHED_IDLE`` threads until ``settle``."""

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._settled = False
        self._under_way = 0

    def start(self, work: Callable[[Callable[[Callable[[], Any]], Any]], Any]) -> None:
        """Run ``work(step)`` on a thread of its own at the ``SCHED_IDLE`` policy; ``work``
        does each of its steps as ``step(fn)`` (None, and none done, once settled). Where
        the policy cannot be set, or no thread started (``ulimit -u``), nothing is done."""

        def run() -> None:
            try:
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # (0: this thread)
            except (AttributeError, OSError):
                return
            work(self.step)

        with contextlib.suppress(RuntimeError):  # ("can't start new thread")
            threading.Thread(target=run, daemon=True).start()

    def step(self, fn: Callable[[], Any]) -> Any:
        """``fn()``, unless settled (None, not run); ``settle`` waits for it once begun."""
        with self._state:
            if self._settled:
                return None
            self._under_way += 1
        try:
            return fn()
        finally:
            with self._state:
                self._under_way -= 1
                self._state.notify_all()

    def settle(self) -> None:
        """No step begins from now on; wait for those under way."""
        with self._state:
            self._settled = True
            self._state.wait_for(lambda: self._under_way == 0)
