"""Expected errors: each becomes one clear line and an exit code in the CLI, never a traceback."""

from __future__ import annotations

import errno
from collections.abc import Iterable


class NnlabError(Exception):
    """An expected failure the user can fix. ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class ConfigError(NnlabError):
    """A bad config file, key, value or override (exit 2)."""


class OptionError(ConfigError):
    """A command-line option's value that cannot be used (exit 2): ``option`` and what is wrong
    with its value and what to do (``problem``). Raised where the value is checked (the
    library, before any work); the command line says it as it says every option typer refuses:
    ``--opt: problem (see nnlab CMD -h)``."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option, self.problem = option, problem

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # (from a worker process)
        return type(self), (self.option, self.problem)


class ArgumentError(ConfigError):
    """A command's arguments that ask for what cannot be (exit 2): one missing (``nnlab train``
    without a config), or two that do not go together (``--extend`` and ``--resume``). Raised
    by the library that decides what the arguments ask for; the command line says it as it
    says the usage errors typer finds: ``problem (see nnlab CMD -h)``."""


class SweepConfigError(ConfigError):
    """A config with a ``sweep:`` section given to a command that runs one net (exit 2). It
    says to run the file with ``nnlab sweep run``, with the overrides given; the options of
    place the command line was given (``--data-dir``, ``--runs-dir``), which the library does
    not see, the command line adds through ``offer``: pasted without them, the sweep looked
    for MNIST in the default data folder and wrote into ./runs."""

    def __init__(self, path: object, overrides: Iterable[str] = (), options: str = "") -> None:
        import shlex

        self.path, self.overrides, self.options = path, list(overrides), options
        words = [str(path), *self.overrides]
        command = " ".join(["nnlab sweep run", *map(shlex.quote, words)]) + options
        super().__init__(
            f"{path}: has a 'sweep:' section, so it describes a sweep, not one run; "
            f"run it with: {command}"
        )

    def offer(self, options: str) -> SweepConfigError:
        """The same refusal, its command with ``options`` (`` --data-dir DIR``...) added."""
        return SweepConfigError(self.path, self.overrides, options)

    def __reduce__(self) -> tuple[type, tuple[object, list[str], str]]:  # (from a worker)
        return type(self), (self.path, self.overrides, self.options)


class DataError(NnlabError):
    """A missing, corrupt or mismatched data file (exit 2): the message names the path."""


class RunError(NnlabError):
    """A run folder that cannot be found, read or resumed (exit 2)."""


class DeviceError(RunError):
    """A folder or file the filesystem failed to make or write (an I/O error, a full disk or
    quota) before any run could record it: the command failed, not its input (exit 1, as a
    run that fails so)."""

    exit_code = 1


DEVICE_ERRNOS = frozenset({errno.EIO, errno.ENOSPC, errno.EDQUOT})


def os_failure(message: str, exc: OSError) -> RunError:
    """``message`` as the error ``exc`` makes it: a ``DeviceError`` (exit 1) where the device
    failed, a ``RunError`` (exit 2: a path or permission the user can change) else."""
    return (DeviceError if exc.errno in DEVICE_ERRNOS else RunError)(message)


def not_one_of(option: str, value: object, choices: Iterable[object]) -> str:
    """``--opt: expected one of a, b, c, got 'x' (did you mean 'y'?)``: a value of an option
    (or argument) that is not one of its choices, said as every option error is (the command
    line says typer's refusals so: ``cli.usage``)."""
    names = [str(c) for c in choices]
    shown = f"{value!r}" if isinstance(value, str) else str(value)
    return f"{option}: expected one of {', '.join(names)}, got {shown}{did_you_mean(value, names)}"


# Names other libraries and texts give what nnlab calls otherwise (PyTorch's kaiming_normal_,
# Keras's he_normal and glorot_normal, "cross entropy"): a value that uses one is told ours.
# torch's xavier_normal_ and xavier_uniform_ draw Glorot's sqrt(2 / (n_in + n_out)), nnlab's
# glorot; nnlab's xavier is the book's sqrt(1 / n_in) (nnlab/nn/init.py).
OTHER_NAMES = {
    "kaiming": "he", "kaiming_normal": "he", "kaiming_uniform": "he", "he_normal": "he",
    "he_uniform": "he", "msra": "he", "xavier_normal": "glorot", "xavier_uniform": "glorot",
    "glorot_normal": "glorot", "glorot_uniform": "glorot", "normal": "std", "gaussian": "std",
    "randn": "std", "zero": "zeros", "logistic": "sigmoid", "cross_entropy": "softmax_ce",
    "crossentropy": "softmax_ce", "ce": "softmax_ce", "softmax": "softmax_ce",
    "hinge": "svm", "multiclass_hinge": "svm", "binary_cross_entropy": "bce",
    "nag": "nesterov", "heavy_ball": "momentum", "gradient_descent": "sgd",
}  # fmt: skip

# Names of methods other libraries offer and nnlab does not (torch.optim's AdamW, LBFGS, ...),
# by the name without '_' or '-': (what it is, what nnlab has nearest). A value that uses one
# is told so, not 'did you mean' a name spelt alike that does something else (adamw: 'adam',
# whose weight_decay is coupled L2, not AdamW's decoupled decay).
NOT_OFFERED = {
    "adamw": ("AdamW, decoupled weight decay,", "adam with weight_decay, an L2 penalty coupled "
              "to the gradient, as torch.optim.Adam's weight_decay"),
    "sgdw": ("SGDW, decoupled weight decay,", "sgd with weight_decay, an L2 penalty coupled to "
             "the gradient, as torch.optim.SGD's weight_decay"),
    "lbfgs": ("L-BFGS, quasi-Newton with line searches,", "adam (nnlab's optimizers are "
              "first-order), or sgd with batch_size: full"),
    "nadam": ("NAdam, Adam with Nesterov momentum,", "adam, or nesterov"),
    "radam": ("RAdam, rectified Adam,", "adam"),
    "adamax": ("Adamax, Adam with the infinity norm,", "adam"),
    "amsgrad": ("AMSGrad, Adam with the largest second moment so far,", "adam"),
    "sparseadam": ("SparseAdam, Adam of sparse gradients,", "adam"),
    "lamb": ("LAMB, Adam scaled per layer,", "adam"),
    "adadelta": ("Adadelta", "rmsprop, or adagrad"),
    "rprop": ("Rprop, steps by the gradient's sign,", "rmsprop"),
    "asgd": ("ASGD, averaged SGD,", "sgd"),
    "lars": ("LARS, momentum scaled per layer,", "momentum"),
}  # fmt: skip


def not_offered(value: object, choices: Iterable[object]) -> str:
    """`` (AdamW, decoupled weight decay, is not in nnlab; nearest: adam with ...)`` for a
    name of ``NOT_OFFERED`` whose nearest is among ``choices``, else ``""``."""
    key = str(value).strip().lower().replace("_", "").replace("-", "").replace(" ", "")
    if key not in NOT_OFFERED:
        return ""
    what, nearest = NOT_OFFERED[key]
    if nearest.split()[0].rstrip(",") not in {str(c) for c in choices}:
        return ""
    return f" ({what} is not in nnlab; nearest: {nearest})"


def did_you_mean(value: object, choices: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` for the choice closest to a mistyped ``value`` (as given, else
    in lower case against the choices in lower case: ``--status complete`` is told COMPLETED),
    `` ('he' is nnlab's name for 'kaiming')`` for a name another library gives one
    (``OTHER_NAMES``), what nnlab has nearest to a method it does not offer (``not_offered``),
    else ``""``."""
    import difflib

    names = [str(c) for c in choices]
    if offered := not_offered(value, names):  # (a method nnlab has not: what it has nearest)
        return offered
    text = str(value).strip().lower().rstrip("_").replace("-", "_").replace(" ", "_")
    if OTHER_NAMES.get(text) in names:
        return f" ({OTHER_NAMES[text]!r} is nnlab's name for {value!r})"
    lowered = {name.lower(): name for name in reversed(names)}  # (the first of names alike)
    if (same := lowered.get(str(value).strip().lower())) is not None:  # (affine1.w: it said
        return f" (did you mean {same!r}?)"  # 'affine1.b', the closer as written)
    close = difflib.get_close_matches(str(value), names, n=1) or [
        lowered[c] for c in difflib.get_close_matches(text, list(lowered), n=1)
    ]
    return f" (did you mean {close[0]!r}?)" if close else ""


def room_again(exc: BaseException) -> str | None:
    """When a run that a write failed can go on, for a line that says how (its resume): a full
    disk (ENOSPC, EDQUOT) once there is room; a limit on a file's size (EFBIG: ``ulimit -f``)
    once its files may grow; a permission taken away (EACCES, EPERM: a run folder made
    read-only as it trained, a checkpoint made immutable) once it is given back; a file system
    remounted read-only (EROFS) once it can be written. None for any other error (nothing
    says the run can go on)."""
    import errno

    code = exc.errno if isinstance(exc, OSError) else None
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "there is room"
    if code == errno.EFBIG:
        return "files may be that large (ulimit -f)"
    if code in (errno.EACCES, errno.EPERM):
        return "the permission is given"
    if code == errno.EROFS:
        return "its file system can be written"
    return None


SHORT_OF_MEMORY = ("failed to map segment", "cannot allocate memory", "out of memory")


# the import names of nnlab's dependencies whose distribution is named otherwise (pyproject.toml)
DISTRIBUTIONS = {"yaml": "pyyaml", "sklearn": "scikit-learn", "pydantic_core": "pydantic-core",
                 "annotated_types": "annotated-types"}  # fmt: skip
DEPENDENCIES = {"numpy", "typer", "click", "rich", "h5py", "matplotlib", "pydantic", "pooch",
                "threadpoolctl", *DISTRIBUTIONS}  # fmt: skip


def not_installed(exc: BaseException) -> str | None:
    """One line for a ModuleNotFoundError of one of nnlab's dependencies, else None: nnlab run
    by a Python it was not installed into (``python -m nnlab`` in the repository's folder,
    which finds the package there; a virtualenv not activated) was a traceback ending 'No
    module named 'typer'', or, for one a command imports as it runs (PyYAML, scikit-learn),
    'unexpected ModuleNotFoundError'."""
    import sys

    name = (getattr(exc, "name", None) or "").split(".")[0]
    if not isinstance(exc, ModuleNotFoundError) or name not in DEPENDENCIES:
        return None
    return (
        f"nnlab needs {DISTRIBUTIONS.get(name, name)}, which this Python ({sys.executable}) "
        "does not have: run nnlab with the Python it was installed into (its virtualenv "
        "activated), or install it into this one: pip install -e . in its folder"
    )


def unloadable(exc: BaseException) -> str | None:
    """One line for a library that could not be loaded (no bug): short of memory
    (``short_of_memory``) or not installed (``not_installed``), else None."""
    return short_of_memory(exc) or not_installed(exc)


def short_of_memory(exc: BaseException) -> str | None:
    """One line for ``exc`` where it says the process ran short of memory, else None: a
    MemoryError, or an ImportError of a compiled module whose library could not be mapped (under
    ``ulimit -v``, or a container's memory limit: 'failed to map segment from shared object').
    NumPy's is 25 lines of advice around the one that matters ('Original error was: ...');
    where an address-space limit is set, the line names it."""
    if isinstance(exc, MemoryError):
        line = f"MemoryError: out of memory{': ' + str(exc) if str(exc) else ''}"
    elif isinstance(exc, ImportError) and any(s in str(exc).lower() for s in SHORT_OF_MEMORY):
        text = str(exc)
        cause = text.split("Original error was:")[-1].strip().splitlines()
        what = f"loading {exc.name.split('.')[0]}" if exc.name else "loading a module"
        line = f"out of memory {what} ({cause[0] if cause else type(exc).__name__})"
    else:
        return None
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError, MemoryError):  # (not on Windows)
        return line
    if limit != resource.RLIM_INFINITY:
        line += f"; the address-space limit (ulimit -v) is {limit / 2**20:.3g} MB"
    return line
