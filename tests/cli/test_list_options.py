"""Every option of every command that takes several values (comma-separated, or repeated) says
so in its -h, and refuses its values the shell split at a space as that option, with the
values written as it takes them (``--steps 5 10`` was 'override '10': expected key.sub=value':
its help did not say comma-separated, which is what marked a list option)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import invoke, one_error_line

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
QUICK = CONFIGS / "digits-quickstart.yaml"

# (command, option) of every option that takes several values: found by reading each
# command's options and the library code that parses them
LIST_OPTIONS = {
    ("compare-optimizers", "--optimizers"),
    ("compare-optimizers", "--lr"),
    ("compare-optimizers", "--start"),
    ("compare-optimizers", "--steps"),
    ("compare-optimizers", "--hidden"),
    ("activations", "--activation"),
    ("activations", "--init"),
    ("runs list", "--where"),
    ("runs compare", "--where"),
    ("sweep grid", "--share-seed"),
    ("sweep random", "--share-seed"),
    ("sweep run", "--share-seed"),
    ("data fetch", "--mirror"),
    ("data fetch", "--only"),
}
# words in a help that speak of several values; options using them that take one are named
PLURAL = re.compile(r"\(s\)|several|one per|repeatable|comma|sizes", re.IGNORECASE)
ONE_VALUE = {("lr-scan", "--num")}  # (step sizes: how many)


def options() -> list[tuple[str, Any]]:
    """(command path, option) of every option of every command, as main shows them."""
    import typer

    from nnlab.cli import app
    from nnlab.cli.helpwords import readable_help

    root = typer.main.get_command(app)
    readable_help(root)
    found = []

    def walk(command: Any, path: list[str]) -> None:
        for param in command.params:
            if param.param_type_name == "option" and not param.is_flag:
                found.append((" ".join(path), param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(root, [])
    return found


def test_the_list_options_are_those_that_say_so_in_their_help():
    from nnlab.cli.listed import several

    said = {(path, max(p.opts, key=len)) for path, p in options() if several(p)}
    assert said == LIST_OPTIONS
    for path, param in options():
        named = (path, max(param.opts, key=len))
        if named not in LIST_OPTIONS and named not in ONE_VALUE:
            assert not PLURAL.search(param.help or ""), (named, param.help)  # (a list unmarked)
        if named in LIST_OPTIONS and not param.multiple:  # (a list in one value: -h says how)
            assert "comma-separated" in param.help.lower(), named


SPLIT = [  # (arguments, the line); a value of each list option split at a space
    (["compare-optimizers", "--steps", "5", "10"],
     "error: --steps: the shell split its values at a space (5 10); they are separated by "
     "commas, without spaces: --steps 5,10 (see nnlab compare-optimizers -h)"),
    (["compare-optimizers", "--steps", "5,", "10"], "without spaces: --steps 5,10 (see"),
    (["compare-optimizers", "--steps", "5", "10", "adam.lr=0.1"], "--steps 5,10 (see"),
    (["compare-optimizers", "--dataset", "digits", "--hidden", "100", "100"],
     "error: --hidden: the shell split its values at a space (100 100); they are separated by "
     "commas, without spaces: --hidden 100,100 (see"),
    (["compare-optimizers", "--lr", "0.1", "0.2"], "without spaces: --lr 0.1,0.2 (see"),
    (["compare-optimizers", "-o", "sgd", "adam"], "without spaces: -o sgd,adam (see"),
    # (points hold commas: several are separated by ';', which the shell reads unquoted)
    (["compare-optimizers", "--start", "-7,2", "5,1"],
     "error: --start: the shell split its values at a space (-7,2 5,1); they are separated by "
     "';', without spaces (in quotes): --start '-7,2;5,1' (see"),
    # (a negative number after the space: click read '-1.0' as options, '-1: no such option')
    (["compare-optimizers", "--function", "xcospi", "--start", "0.5", "-1.0"],
     "error: --start: the shell split its values at a space (0.5 -1.0); they are separated by "
     "commas, without spaces: --start 0.5,-1.0 (see"),
    (["compare-optimizers", "--start", "1,2", "-3,4"], "--start '1,2;-3,4' (see"),
    (["activations", "-a", "relu", "tanh"], "without spaces: -a relu,tanh (see"),
    (["activations", "--init", "he", "xavier"], "without spaces: --init he,xavier (see"),
    (["runs", "list", "--where", "model.init=std", "he"],
     "error: --where: the shell split its values at a space (model.init=std he); they are "
     "separated by commas, without spaces: --where model.init=std,he (see nnlab runs list -h)"),
    # (an axis of no value: 'argument 'optimizer.lr': no value; expected optimizer.lr=v1,v2')
    (["sweep", "grid", QUICK, "--share-seed", "seed", "optimizer.lr", "optimizer.lr=0.1,0.2"],
     "error: --share-seed: the shell split its values at a space (seed optimizer.lr); they are "
     "separated by commas, without spaces: --share-seed seed,optimizer.lr (see nnlab sweep "
     "grid -h)"),
    (["sweep", "random", QUICK, "--share-seed", "seed", "optimizer.lr", "optimizer.lr=0.1,0.2"],
     "--share-seed seed,optimizer.lr (see"),
    (["sweep", "run", CONFIGS / "digits-lr-sweep.yaml", "--share-seed", "seed", "optimizer.lr"],
     "--share-seed seed,optimizer.lr (see"),
    # (repeated, not comma-separated: it suggested '--only t10k,train', which it refuses)
    (["data", "fetch", "mnist", "--only", "t10k", "train"],
     "error: --only: the shell split its values at a space (t10k train); give the option once "
     "for each: --only t10k --only train (see nnlab data fetch -h)"),
    (["data", "fetch", "mnist", "--mirror", "https://a/", "https://b/"],
     "give the option once for each: --mirror https://a/ --mirror https://b/ (see"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "line"), SPLIT, ids=[" ".join(map(str, a[:4])) for a, _ in SPLIT])
def test_a_list_options_values_split_at_a_space_are_refused_as_that_option(args, line, tmp_path):
    (tmp_path / "data").mkdir()
    result = invoke(*args, env={"NNLAB_RUNS_DIR": str(tmp_path / "runs"),
                                "NNLAB_DATA_DIR": str(tmp_path / "data")})  # fmt: skip
    assert result.exit_code == 2, result.output
    assert line in one_error_line(result)
    assert not (tmp_path / "runs").exists() and not any((tmp_path / "data").iterdir())


def test_every_list_option_but_one_is_tested_split():
    from nnlab.cli import app
    from nnlab.cli.misuse import command_of

    tried = set()
    for args, _ in SPLIT:
        command, path = command_of([str(a) for a in args], app)
        opts = {o: max(p.opts, key=len) for p in command.params for o in getattr(p, "opts", ())}
        tried |= {(" ".join(path), opts[str(a)]) for a in args if str(a) in opts}
    # (runs compare takes its runs as arguments: a word after --where's value is one of them)
    assert LIST_OPTIONS - tried == {("runs compare", "--where")}


@pytest.mark.slow
def test_the_values_as_suggested_are_taken(tmp_path):
    result = invoke("compare-optimizers", "--function", "xcospi", "--optimizers", "gd",
                    "--start", "0.5,-1.0", "--steps", "5,10", runs_dir=tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    result = invoke("compare-optimizers", "--start", "-7,2;5,1", "--steps", "5,10",
                    runs_dir=tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
