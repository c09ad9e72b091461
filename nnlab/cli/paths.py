"""The path options and arguments every command shares (``--data-dir``, ``--runs-dir``,
``--out``, ``--png``, a config file): how each is parsed and what is checked before any work.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from nnlab.cli.usage import looked_up, path_problem
from nnlab.filestate import dead_link


def given_path(value: str | Path) -> Path:
    """A path option's or argument's text as a Path, an empty one refused: ``Path("")`` is
    ``.``, so ``--runs-dir ""`` (an unset shell variable) would quietly mean the current folder,
    and a message about it would name ``.``; so is one the OS cannot look up (a control
    character, a name too long: ``usage.path_problem``). (Every ``Path`` option and argument
    parses with this; a default arrives as a Path already.)"""
    if isinstance(value, Path):
        return value
    return Path(given_name(value))


def given_name(value: str) -> str:
    """A file-or-name argument's text (``sweep run``'s config or preset), an empty one or
    one the OS cannot look up refused (see ``given_path``), and an option's word: click took
    ``-q`` as the value of ``--runs-dir -q`` whose value was left out, and wrote the run into
    a folder named '-q'."""
    if not value.strip():
        raise typer.BadParameter(f"{value!r} names no file or folder")
    if re.fullmatch(r"--?[A-Za-z][\w-]*", value):  # (--runs-dir -q: its value left out)
        raise typer.BadParameter(
            f"expected a path, got the option {value!r} (the path left out? one of that name is "
            f"written ./{value})"
        )
    if (problem := path_problem(value)) is not None:
        raise typer.BadParameter(problem)
    return value


ConfigArg = Annotated[
    Path, typer.Argument(help="YAML config file.", show_default=False, parser=given_path)
]
OptionalConfigArg = Annotated[
    Path | None, typer.Argument(help="YAML config file.", show_default=False, parser=given_path)
]


@looked_up
def data_folder(value: Path | None) -> Path | None:
    """A ``--data-dir`` (or ``$NNLAB_DATA_DIR``) checked before any work: a folder that exists,
    not a file (its files were looked for under the file, and the error named a file missing
    inside it), nor a path to nothing (a typo: a run on the bundled digits, which reads no
    data folder, went on without a word, and MNIST's said so only once it was read). (From
    the environment, the error says so: ``usage.from_env``.) ``data fetch`` makes its folder:
    ``data_folder_to_make``."""
    value = data_folder_to_make(value)
    if value is not None and not value.exists():
        raise typer.BadParameter(
            f"'{value}' does not exist; give the folder that contains mnist/ and catvnoncat/, "
            "or make it with `nnlab data fetch mnist --data-dir FOLDER`"
        )
    return value


@looked_up
def data_folder_to_make(value: Path | None) -> Path | None:
    """``data fetch``'s ``--data-dir``: a folder, or nothing yet (it makes it); not a file,
    nor a symlink loop or a link to nothing (``dead_link``: a loop was 'does not exist', in
    ``data list`` a dataset 'missing' there, exit 0). (``data_folder`` checks with this.)"""
    if value is not None and (dead := dead_link(value)) is not None:
        raise typer.BadParameter(f"{dead}; give another --data-dir")
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(f"'{value}' is not a folder; give another --data-dir")
    return value


DATA_DIR_HELP = (
    "The folder containing mnist/ and catvnoncat/, not one of them (else ~/.cache/nnlab)."
)


def data_dir_option(callback: Any) -> Any:
    """The ``--data-dir`` option (``$NNLAB_DATA_DIR``) with the check ``callback`` (its help
    the same in every command: what the folder is; the README says which commands make it)."""
    return typer.Option(
        "--data-dir",
        envvar="NNLAB_DATA_DIR",
        help=DATA_DIR_HELP,
        parser=given_path,
        callback=callback,
    )


DataDirOpt = Annotated[Path | None, data_dir_option(data_folder)]
# (data fetch makes the folder; data list says of each dataset that the folder is not there)
MissingDataDirOpt = Annotated[Path | None, data_dir_option(data_folder_to_make)]


@looked_up
def runs_root(ctx: typer.Context, param: typer.CallbackParam, value: Path) -> Path:
    """A ``--runs-dir`` checked before any work: not the file system's root, without control
    characters (a newline in a folder name breaks every listing), and, when given, a folder
    or nothing yet (not a file, a symlink loop or a link to nothing). (The default is checked
    where it is used: ``nnlab sweep``'s own default must not refuse ``sweep grid --runs-dir``.)"""
    source = ctx.get_parameter_source(param.name or "")
    given = source is not None and source.name != "DEFAULT"  # (typer's click, vendored or not)
    text = str(value)
    if not text.strip():
        raise typer.BadParameter(f"{text!r} names no folder; give a path such as runs")
    if not text.isprintable():
        raise typer.BadParameter(f"{text!r} contains a control character")
    resolved = Path(os.path.realpath(value))  # (a loop: itself; Path.resolve raised)
    if resolved == Path(resolved.anchor):
        raise typer.BadParameter(f"'{value}' is the file system's root; give a folder below it")
    if not given:
        return value
    if (dead := dead_link(value)) is not None:  # (the default: where it is used, root_problem)
        raise typer.BadParameter(f"{dead}; give another --runs-dir")
    if value.exists() and not value.is_dir():
        raise typer.BadParameter(f"'{value}' is not a folder")
    return value


RunsDirOpt = Annotated[
    Path,
    typer.Option("--runs-dir", envvar="NNLAB_RUNS_DIR", help="Root folder for run folders.",
                 parser=given_path, callback=runs_root),
]  # fmt: skip
NEW_FOLDER = "Write into exactly this new folder instead of one under --runs-dir"


def out_option(help: str = f"{NEW_FOLDER}.") -> Any:
    """``--out``, with the help that says what it does in its command (a new folder; in
    ``landscape``, also one to complete)."""
    return typer.Option("--out", help=help, parser=out_path)


def out_path(value: str | Path) -> Path:
    """``--out``'s text as a Path (``given_path``), but for a value that reads as an option
    (``--out -rf``: its value left out, or a folder so named): the rule of a folder's name,
    which refuses a leading '-' whatever the path before it, says it (``given_path``'s hint,
    a path written ``./-rf``, is one --out refuses too). (``-rf/sub`` is a path: its own.)"""
    if isinstance(value, str) and value.startswith("-") and "/" not in value:
        from nnlab.errors import OptionError
        from nnlab.naming import check_name

        try:
            check_name(value, "--out")
        except OptionError as exc:
            raise typer.BadParameter(exc.problem) from None
    return given_path(value)


OutOpt = Annotated[Path | None, out_option()]


@looked_up
def png_path(value: Path | None) -> Path | None:
    """A ``--png`` target, checked before any work: a file name ending in .png, where every
    output path is checked (``fileio.output_problem``): in a folder that exists and can be
    written, and not something other than a regular file (a folder, /dev/null): the figure is
    written there by replacing the file, which would replace a device node too."""
    from nnlab.fileio import output_problem

    if value is None:
        return None
    text = str(value)
    if not text.strip() or not value.name:
        raise typer.BadParameter(f"{text!r} names no file; give a path such as docs/figure.png")
    if (dead := dead_link(value)) is not None:  # (before its name: 'fig' may lead to a .png)
        raise typer.BadParameter(f"{dead}; give another --png")
    if value.suffix.lower() != ".png":
        raise typer.BadParameter(f"'{value}': expected a file name ending in .png")
    if (problem := output_problem(value, "--png", what="a .png file")) is not None:
        raise typer.BadParameter(problem)
    if (folder := _run_folder_above(value)) is not None:
        raise typer.BadParameter(
            f"'{value}' is inside the run folder '{folder}', which holds only what its run "
            f"wrote (its own figures); give a path outside it (e.g. '{folder.parent.parent}')"
        )
    return value


def _run_folder_above(path: Path) -> Path | None:
    """The outermost run folder nnlab made (``made_by_nnlab``) that holds ``path``, else None:
    a ``--png`` there replaced that run's own figure (``runs compare --png runs/X/curves.png``
    drew the comparison as run X's curves, without a word), or added a file its run never
    wrote. (``--out`` refuses a folder there alike: ``naming.check_new_root``.)"""
    from nnlab.runfolders import made_by_nnlab

    parent = path.absolute().parent
    runs = [folder for folder in (parent, *parent.parents) if made_by_nnlab(folder)]
    return runs[-1] if runs else None


PngOpt = Annotated[
    Path | None,
    typer.Option(
        "--png",
        help="Also copy the figure to this .png file (the run folder keeps its own).",
        parser=given_path,
        callback=png_path,
    ),
]
