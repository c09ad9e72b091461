"""``cli.common.given_params``: which options a command was given, on its command line or by
the environment, as the refusals beside ``--resume`` and ``--run`` and a resume's options of
how it runs ask it."""

from __future__ import annotations

from typing import Annotated

import typer
from typer.testing import CliRunner

from nnlab.cli.common import given_options, given_params


def test_given_params_tell_the_command_line_from_the_environment_and_the_defaults():
    app = typer.Typer()
    seen: dict[str, object] = {}

    @app.command()
    def run(
        jobs: Annotated[int, typer.Option("--jobs")] = 1,
        stack: Annotated[int, typer.Option("--stack", envvar="H5_STACK")] = 8,
        quiet: Annotated[bool, typer.Option("--quiet")] = False,
    ) -> None:
        seen["all"] = given_options()
        seen["line"] = [p.name for p in given_params(command_line=True)]

    result = CliRunner().invoke(app, ["--quiet", "--jobs", "2"], env={"H5_STACK": "3"})
    assert result.exit_code == 0, result.output
    assert seen == {"all": {"jobs", "stack", "quiet"}, "line": ["jobs", "quiet"]}  # (its order)
    assert given_params() == [] and given_options(command_line=True) == set()  # (no command)
