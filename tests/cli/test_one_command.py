"""``nnlab.cli.for_command``: the command line makes typer's click command for the command it
runs only (typer makes every command's, with its options, before it runs one: ~18 ms of each
start-up), and that command reads and answers as it does in the whole tree."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nnlab import cli

NAMES = [c.name for c in cli.app.registered_commands] + [g.name for g in cli.app.registered_groups]


def run(app, *args):
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})
    return result.exit_code, result.stdout, result.stderr


def subcommands(name):
    group = next((g for g in cli.app.registered_groups if g.name == name), None)
    if group is None:
        return [[]]
    inner = group.typer_instance
    return [[]] + [[c.name] for c in inner.registered_commands if c.name]


@pytest.mark.parametrize("name", NAMES)
def test_a_command_line_makes_the_command_it_names_only(name):
    import typer.main

    one = cli.for_command(["--debug", name, "--no-such-option"])
    assert list(typer.main.get_command(one).commands) == [name]
    for sub in subcommands(name):  # (its help, and an option it has not: the same words)
        assert run(one, name, *sub, "-h") == run(cli.app, name, *sub, "-h")
        assert run(one, name, *sub, "--bogus") == run(cli.app, name, *sub, "--bogus")


@pytest.mark.parametrize(
    "argv", [[], ["-h"], ["--version"], ["-h", "train"], ["trian"], ["--debug"], ["--debug", "-h"]]
)
def test_the_whole_tree_where_the_command_line_names_no_command(argv):
    """The root's help and its list of commands, the version, a suggestion for a misspelt
    name: these need every command."""
    assert cli.for_command(argv) is cli.app


def test_shell_completion_gets_the_whole_tree(monkeypatch):
    monkeypatch.setenv("_NNLAB_COMPLETE", "complete_bash")
    assert cli.for_command(["train"]) is cli.app


def test_the_root_command_takes_click_s_main_arguments_by_position(capsys):
    """click calls ``main(args, prog_name, complete_var, standalone_mode, ...)``; the root's
    ``main`` took ``standalone_mode`` by keyword only, so given by position (a caller of the
    click command) it went to click as well: 'got multiple values for keyword argument'."""
    import typer.main

    root = typer.main.get_command(cli.app)
    code = root.main(["config", "keys", "--bogus"], "nnlab", None, False)
    assert code == 2  # (returned, not exited: standalone_mode False reached the root's main)
    assert "--bogus" in capsys.readouterr().err
