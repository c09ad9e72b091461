"""Where a new run folder goes and what it is called: a name checked to be one folder name
inside the runs root (``check_name``), a root that is no run folder (``check_new_root``), and
``--out`` taken apart into (root, name) (``location``), and the new folder made
(``make_folder``). ``nnlab.runs`` re-exports them."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from nnlab.errors import ConfigError, OptionError
from nnlab.fileio import check_output, root_problem
from nnlab.output import brief, counted
from nnlab.process import Taken
from nnlab.rundir import RunDir
from nnlab.runfolders import made_by_nnlab

if TYPE_CHECKING:
    from nnlab.config_model import Config

MAX_NAME = 64  # characters of a run name (a folder name adds a stamp and an id)


def check_name(name: str, what: str = "--name", given: str | None = None) -> str:
    """``name`` if it can be part of a folder name inside the runs root, else a ConfigError
    (an OptionError for an option's value: ``what`` starts with ``--``) naming ``what``, the
    problem and what to do (path separators, '..', a leading dot or '-', control characters,
    characters other than letters, digits, '.', '_' and '-', or over ``MAX_NAME`` long);
    ``given``: the whole value ``name`` was taken from (a path), shown as well."""
    problem = None
    if not name:
        problem = "is empty"
    elif "/" in name or "\\" in name:
        problem = "contains a path separator ('/' or '\\'); a name is one folder name"
    elif ".." in name:
        problem = "contains '..'"
    elif name.startswith("."):
        problem = "starts with a dot (a hidden folder)"
    elif name.startswith("-"):  # (as the config's ``name`` pattern: not first either)
        problem = "starts with '-' (a command line reads it as an option)"
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        problem = "contains a control character"
    elif len(name) > MAX_NAME:
        problem = f"is {counted(len(name), 'character')} long; at most {MAX_NAME}"
    else:
        bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "._-"))})
        if bad:
            problem = f"contains {''.join(bad)!r}; use letters, digits, '.', '_' and '-'"
    if problem is not None:
        if ";" not in problem:  # (what to do, as every refusal of a name or path says)
            problem += "; use letters, digits, '_', '-' and '.' (not first)"
        shown = brief(repr(name))  # (a name 300 characters long was quoted whole)
        if given not in (None, name):
            shown = f"{brief(repr(given))}: its folder name {shown}"
        if what.startswith("--"):  # (an option's value: said as every option's error is)
            raise OptionError(what, f"{shown} {problem}")
        raise ConfigError(f"{what}: {shown} {problem}")
    return name


def check_new_root(root: Path, option: str = "--runs-dir", given: Path | None = None) -> None:
    """OptionError if ``root``, where a command would make a new folder, is a run folder or
    inside one (a folder with a meta.json, or below it): a run made there would write into
    another run's folder (a sweep's ``trials/``, a finished run's files), where no listing of
    the runs folder finds it; or, a runs folder (no ``given``: the option's value as written,
    an ``--out``, which ``check_output`` probed), if no folder can be made there
    (``fileio.root_problem``). Every command making a folder calls it before any work."""
    path = Path(root).absolute()
    runs = [folder for folder in (path, *path.parents) if made_by_nnlab(folder)]
    if runs:  # (the outermost: a trial's parent, a sweep's trials/, is no runs folder)
        folder = runs[-1]
        where = (
            "is the run folder" if folder == path and given is None else "is inside the run folder"
        )
        raise OptionError(option, f"'{given or root}' {where} '{folder}'; new folders go in a "
                          f"runs folder, not in a run's own folder (e.g. '{folder.parent}')")  # fmt: skip
    if given is None and (problem := root_problem(root, option)) is not None:
        raise OptionError(option, problem)


def location(
    runs_dir: Path, out: Path | None, option: str = "--out", exists: str = "give a new folder"
) -> tuple[Path, str | None]:
    """(root, folder) of a new run folder: ``runs_dir`` and a name made from the stamp, the
    run's name and an id, or exactly ``out`` (``--out``), whose last part must be a folder
    name (``check_name``: '..', '/', hidden, control characters and over-long names are
    refused, naming the whole value), a new folder in one that exists and can be written
    (``fileio.check_output``, as for ``--png``); neither inside a run folder (``check_new_root``).
    ``option``: how errors name ``out``; ``exists``: what to do if it exists."""
    if out is None:
        check_new_root(runs_dir)
        return Path(runs_dir), None
    out = Path(out)
    if not out.name:
        raise OptionError(option, f"{str(out)!r} names no folder; give a path such as runs/my-run")
    name = check_name(out.name, option, given=str(out))
    check_output(out, option, new_folder=True, exists=exists)
    check_new_root(out.parent, option, given=out)
    return out.parent, name


def said_name(name: str, dataset: object) -> str:
    """``name``, a config's (its ``name:`` or its file's stem), as a folder made from it says
    it: a word of it (between '-', '_' and '.') naming a dataset other than ``dataset``, the
    one the work reads, becomes ``dataset``: ``mnist-1000`` run with ``dataset.name=digits``
    makes ``...-digits-1000-<id>`` (its folder said mnist of a run on digits). A name naming
    no dataset, or ``dataset`` None (several: a sweep over datasets), is kept, and so is one
    the change would make longer than ``MAX_NAME``, and with a ``dataset`` no dataset's name
    (a config not yet validated: its own error says what is wrong)."""
    from nnlab.data.registry import DATASETS

    if not isinstance(dataset, str) or dataset not in DATASETS:
        return name
    words = re.split(r"([-_.])", name)
    said = "".join(dataset if w in DATASETS and w != dataset else w for w in words)
    return said if len(said) <= MAX_NAME else name


def config_name(cfg: Config) -> str:
    """The name a folder made from the resolved config ``cfg`` takes (``said_name``)."""
    return said_name(cfg.name, cfg.dataset.name)


NAME_TRIES = 20  # new names a generated folder's name is drawn anew before giving up


def new_name(name: str) -> str:
    """A new folder's name: ``<stamp>-<name>-<id>``, the id 6 random hex digits (24 bits)."""
    return f"{dt.datetime.now():%Y%m%d-%H%M%S}-{name}-{secrets.token_hex(3)}"


def make_folder(root: Path, name: str, folder: str | None = None) -> RunDir:
    """A new folder's name, free: ``<root>/<stamp>-<name>-<id>`` (or ``<root>/<folder>``).
    Nothing is made at the name yet: ``runs.start``'s lifecycle makes the
    folder whole there (``process.founding``), refused if one was made there meanwhile. A
    generated name that another run took in the same second (its 24-bit id drawn again) is
    drawn anew, up to ``NAME_TRIES`` times: two runs started at once said 'already exists' of
    the second; ``folder`` (an ``--out``) is the user's, and refused if it exists."""
    check_name(name, "name")
    if folder is not None:
        check_name(folder, "--out")
        return _free(Path(root) / folder)
    for _ in range(NAME_TRIES - 1):
        with contextlib.suppress(Taken):
            return _free(Path(root) / new_name(name))
    return _free(Path(root) / new_name(name))


def _free(path: Path) -> RunDir:
    """``path``, where nothing is (its parents may not be yet: ``founding`` makes them);
    ``Taken`` if something is."""
    if os.path.lexists(path):
        raise Taken(f"{path}: run folder already exists")
    return RunDir(path)
