"""The entry point (``nnlab.__main__``): OpenBLAS starts with one thread unless the user chose a
count (a command can still raise it where a product is large), and a stop signal that comes
while the command already ends changes nothing but a prompt exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import os, sys
sys.argv = ["nnlab", "--version"]
import nnlab.__main__ as entry
try:
    entry.main()
except SystemExit:
    pass
import numpy  # (loads OpenBLAS with the count the environment now gives)
from threadpoolctl import threadpool_info, threadpool_limits
blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
start = blas[0]["num_threads"] if blas else None
with threadpool_limits(limits=2):
    raised = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
print(os.environ.get("OPENBLAS_NUM_THREADS"), start, raised[0] if raised else None)
"""


def probe(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS",
             "GOTO_NUM_THREADS", "OMP_NUM_THREADS")}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True,
        check=True, timeout=60,
    ).stdout  # fmt: skip
    return out.split()[-3:]


def test_one_blas_thread_at_load_and_a_command_can_raise_it():
    env, start, raised = probe()
    assert env == "1"
    if start == "None":
        pytest.skip("NumPy here is not linked to a BLAS threadpoolctl knows")
    assert start == "1"
    assert raised == "2"  # (threadpoolctl grows OpenBLAS's pool: train's large nets use it)


@pytest.mark.parametrize("name", ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"])
def test_a_count_the_user_chose_is_kept(name):
    env, start, _ = probe(**{name: "2"})
    assert env == ("2" if name == "OPENBLAS_NUM_THREADS" else "None")
    if start != "None":
        assert start == "2"


@pytest.mark.parametrize("value", ["0", "-1", "10000", "x", "\u0663", " 2", "2.0"])
@pytest.mark.parametrize("name", ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"])
def test_a_thread_count_variable_that_is_no_count_is_said_and_ignored(monkeypatch, name, value):
    # (OpenBLAS read 0, -1, 'x' as no count, a thread per core, silently; and nnlab's own
    # default of one thread was not set, the variable being set)
    from nnlab import __main__ as entry

    for other in entry.THREAD_COUNT_ENV:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.delenv("_NNLAB_COMPLETE", raising=False)
    monkeypatch.setenv(name, value)
    assert entry._thread_counts() == [
        f"warning: {name}: expected a number of threads from 1 to 1024 in digits 0-9, got "
        f"{value!r}; ignored, as if it were not set"
    ]
    assert name not in os.environ


@pytest.mark.parametrize("value", ["1", "2", "1024", "4,2"])
def test_a_thread_count_in_range_is_kept_without_a_word(monkeypatch, value):
    from nnlab import __main__ as entry

    monkeypatch.setenv("OMP_NUM_THREADS", value)
    assert entry._thread_counts() == [] and os.environ["OMP_NUM_THREADS"] == value


@pytest.mark.slow  # (a Python that loads NumPy: ~1 s)
def test_a_thread_count_that_is_no_count_starts_one_blas_thread():
    env, start, _ = probe(OMP_NUM_THREADS="0")  # (OpenBLAS: a thread per core)
    assert env == "1"
    if start != "None":
        assert start == "1"


ENDING = """
import atexit, signal, sys
import nnlab.cli

def command():
{body}

nnlab.cli.main = command
from nnlab.__main__ import main
main()
"""


def run_entry(body: str) -> subprocess.CompletedProcess:
    script = ENDING.format(body="\n".join("    " + line for line in body.splitlines()))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def test_a_stop_signal_while_the_command_exits_keeps_its_exit_code():
    # (it raised KeyboardInterrupt into the interpreter's exit: a traceback, or exit -2)
    done = run_entry("atexit.register(signal.raise_signal, signal.SIGINT)\nsys.exit(0)")
    assert (done.returncode, done.stderr) == (0, "")
    failed = run_entry("atexit.register(signal.raise_signal, signal.SIGTERM)\nsys.exit(3)")
    assert (failed.returncode, failed.stderr) == (3, "")


def test_two_stop_signals_at_once_are_one_interrupt():
    """``timeout`` signals the command and then its process group: two signals a moment
    apart. Both pending at once here, the second arrives as the first is being handled."""
    both = run_entry(
        "both = {signal.SIGINT, signal.SIGTERM}\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, both)\n"
        "signal.raise_signal(signal.SIGINT)\n"
        "signal.raise_signal(signal.SIGTERM)\n"
        "signal.pthread_sigmask(signal.SIG_UNBLOCK, both)\n"
        "sys.exit(0)"
    )
    assert both.returncode == 130, both.stderr
    assert both.stderr.startswith("interrupted (SIG") and both.stderr.count("\n") == 1, both.stderr


def test_a_stop_signal_in_the_interpreters_last_moments_keeps_the_exit_code():
    # (after the exit hooks, Python puts the default action back on the signals it handles:
    # a SIGTERM then killed the finished command, exit 143)
    done = run_entry(
        "import os\n"
        "class Late:\n"
        "    def __del__(self, kill=os.kill, pid=os.getpid(), term=signal.SIGTERM):\n"
        "        kill(pid, term)\n"
        "sys.modules['nnlab'].late = Late()  # (torn down with the modules, at the very end)\n"
        "sys.exit(0)"
    )
    assert (done.returncode, done.stderr) == (0, "")


COLLECTOR = """
import gc, sys
import nnlab.cli.common as common  # (these imports with the collector on, before the entry)
import nnlab.__main__ as entry  # (imported with it on too: a collection as it loads is no fault)
seen = {"collections": 0}
gc.callbacks.append(lambda phase, info: phase == "stop" and seen.update(collections=seen["collections"] + 1))
release = common.release
def spy():
    seen["at the command"] = (gc.isenabled(), seen["collections"])
    release()
    seen["in the command"] = (gc.isenabled(), gc.get_freeze_count() > 0)
common.release = spy
sys.argv = ["nnlab", "config", "keys", "-f", "json"]
try:
    entry.main()
except SystemExit as exc:
    print(exc.code, seen["at the command"], seen["in the command"], gc.isenabled(), file=sys.stderr)
"""


def test_the_start_up_runs_without_the_garbage_collector():
    """``nnlab.collector``: from the entry to the command, the collector is off (the command
    tree's imports made ~80 collections of objects that live as long as the process); the
    command runs with it on, the start-up's objects frozen out of its walks."""
    err = subprocess.run([sys.executable, "-c", COLLECTOR], capture_output=True, text=True,
                         check=True, timeout=60).stderr  # fmt: skip
    assert err.splitlines()[-1] == "0 (False, 0) (True, True) True"


TRAIN_COLLECTOR = """
import gc, sys
import nnlab.cli.common as common
import nnlab.collector as collector
import nnlab.__main__ as entry
seen = {"collections": 0}
gc.callbacks.append(lambda phase, info: phase == "stop" and seen.update(collections=seen["collections"] + 1))
release = collector.release
def at_command():
    release()
    seen["at the command"] = seen["collections"]
def at_loop():
    seen["set-up"] = (gc.isenabled(), seen["collections"] - seen["at the command"])
    release()
    seen["loop"] = gc.isenabled()
common.release, collector.release = at_command, at_loop  # (the loop's: imported after this)
sys.argv = ["nnlab", "train", sys.argv[1], "epochs=1", "-q", "--runs-dir", sys.argv[2]]
try:
    entry.main()
except SystemExit as exc:
    print(exc.code, *seen["set-up"], seen["loop"], file=sys.stderr)
"""


@pytest.mark.slow
def test_train_sets_up_without_the_collector_and_trains_with_it(tmp_path):
    """``nnlab.collector``: ``nnlab train`` holds the collector again through its set-up
    (NumPy, the config models, the data, the folder: ~50 collections), and its loop runs
    with it on."""
    config = Path(__file__).resolve().parents[1] / "configs" / "digits-quickstart.yaml"
    err = subprocess.run([sys.executable, "-c", TRAIN_COLLECTOR, str(config), str(tmp_path)],
                         capture_output=True, text=True, check=True, timeout=120).stderr  # fmt: skip
    assert err.splitlines()[-1] == "0 False 0 True"


@pytest.mark.slow
def test_train_in_its_callers_process_leaves_the_collector_as_it_was(tmp_path):
    """Only the command line's own process holds the collector through ``train``'s set-up
    (``collector.hold_again``): a Python caller's, a test's, keeps it on and unfrozen."""
    import gc

    from tests.conftest import invoke

    config = Path(__file__).resolve().parents[1] / "configs" / "digits-quickstart.yaml"
    frozen = gc.get_freeze_count()
    done = invoke("train", config, "epochs=0", "-q", runs_dir=tmp_path)
    assert done.exit_code == 0, done.output
    assert gc.isenabled() and gc.get_freeze_count() == frozen


# ``python -c BACKGROUND``: a command that ends while nnlab's background import thread
# (``plots.import_in_background``) is in compiled code that lets go of the GIL call after call;
# here SciPy's FFT (pybind11, as matplotlib's C++ is), so that the thread is there at the exit
BACKGROUND = """
import sys, threading
import nnlab.cli

def command():
    import numpy as np
    import scipy.fft
    from nnlab import plots
    there = threading.Event()
    def busy(x=np.zeros(4096)):
        there.set()
        while True:
            scipy.fft.fft(x)
    plots.import_in_background(busy)
    there.wait(60)
    print("done")
    sys.exit(0)

nnlab.cli.main = command
from nnlab.__main__ import main
main()
"""


@pytest.mark.slow
def test_a_daemon_thread_in_compiled_code_at_the_exit_does_not_abort_the_process():
    # (the interpreter's teardown stopped the thread as it took the GIL back inside C++:
    # 'terminate called without an active exception', SIGABRT, exit -6, after the command
    # had ended; seen as 'Fatal Python error: Aborted' under a Ctrl-C test)
    pytest.importorskip("scipy.fft")
    done = subprocess.run([sys.executable, "-c", BACKGROUND], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "done\n", "")


def test_the_entry_loads_nothing_before_its_handlers():
    """Between the interpreter's start and the entry's handlers a stop signal is Python's to
    answer (a traceback, exit -2): the entry module imports only builtins and what Python has
    loaded already (typing was ~2 ms of that window)."""
    probe = ("import sys; before = set(sys.modules); import nnlab.__main__; "
             "print(' '.join(sorted(set(sys.modules) - before)))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()  # fmt: skip
    loaded = {"nnlab", "nnlab.__main__", "atexit", "signal"}  # (nnlab.streams and
    # nnlab.collector were loaded here too: a Ctrl-C as they loaded was a traceback, seen under
    # load; they are _start's now, where it is an interrupt)
    assert set(out) - loaded <= {"collections.abc"}, out


CTRL_C_AT_START = {
    # (raised out of main: a KeyboardInterrupt traceback, exit -2)
    "as the entry sets its handlers": (
        "import signal, sys\n"
        "import nnlab.__main__ as entry\n"
        "import nnlab.collector\n"
        "nnlab.collector.hold = lambda: signal.raise_signal(signal.SIGINT)\n"
    ),
    # (nnlab.streams was imported as the entry module loaded, before main: a Ctrl-C there, seen
    # under load, was a KeyboardInterrupt traceback)
    "as nnlab's own first modules load": (
        "import sys\n"
        "class Stop:  # (once: Ctrl-C as it first loads)\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'nnlab.streams' and self in sys.meta_path:\n"
        "            sys.meta_path.remove(self)\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "import nnlab.__main__ as entry\n"
    ),
}


@pytest.mark.parametrize("when", list(CTRL_C_AT_START))
def test_ctrl_c_as_the_command_starts_is_an_interrupt(when):
    script = CTRL_C_AT_START[when] + "sys.argv = ['nnlab', '--version']\nentry.main()\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert (done.returncode, done.stderr) == (130, "interrupted\n")


def test_the_command_ends_in_its_last_exit_hook_without_the_interpreters_teardown(monkeypatch):
    """``_leave`` ends the process with the command's code, its output flushed, whatever
    threads there are: the interpreter's teardown, with nothing of nnlab's left to do, crashed
    a finished command now and then (an interrupted lr-scan: 'Fatal Python error:
    PyThreadState_Get: ... finalizing', exit -6, in about one full test run in three). It
    ended there only with a daemon thread alive."""
    import nnlab.__main__ as entry

    ended = []
    monkeypatch.setattr(entry, "_set_stops", lambda handler: None)
    monkeypatch.setattr(entry.os, "_exit", ended.append)
    monkeypatch.setattr(entry, "_ending", {})
    entry._leave()  # (not main's process: a caller's exit is its own)
    assert ended == []
    monkeypatch.setattr(entry, "_ending", {"code": 3})
    entry._leave()
    assert ended == [3]


def test_a_system_error_loading_the_memory_line_under_ulimit_v_is_still_that_line(monkeypatch):
    """Under ``ulimit -v`` of 18 MB, the import of the short-of-memory line's own module can
    fail in the import machinery as a SystemError ('compile returned NULL'): it was let through,
    a traceback where one line was due (seen once in a full run of the suite)."""
    import builtins

    import nnlab.__main__ as entry

    real = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == "nnlab.errors":
            raise SystemError("compile returned NULL without setting an exception")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(entry, "_address_limit", lambda: 18 * 2**20)
    monkeypatch.setattr(sys, "argv", ["nnlab", "runs", "list"])
    monkeypatch.setattr(builtins, "__import__", failing)
    line = entry._short_of_memory(SystemError("error return without exception set"))
    monkeypatch.setattr(builtins, "__import__", real)
    assert line == "MemoryError: out of memory; the address-space limit (ulimit -v) is 18 MB"


@pytest.mark.parametrize(("module", "distribution"), [("typer", "typer"), ("yaml", "pyyaml")])
def test_a_dependency_this_python_lacks_is_one_line_naming_it(module, distribution):
    """nnlab run by a Python it was not installed into (``python -m nnlab`` in the repository's
    folder, its virtualenv not activated) was a traceback ending 'No module named 'typer''."""
    code = (f"import runpy, sys; sys.modules[{module!r}] = None; "
            "sys.argv = ['nnlab', 'train', 'configs/digits-quickstart.yaml', '--print-config']; "
            "runpy.run_module('nnlab', run_name='__main__', alter_sys=True)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=os.path.dirname(os.path.dirname(__file__)))  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"error: nnlab needs {distribution}, which this Python ({sys.executable}) does not have: "
        "run nnlab with the Python it was installed into (its virtualenv activated), or install "
        "it into this one: pip install -e . in its folder\n"
    )
    assert done.stdout == ""
