"""``-h`` at any terminal width folds its lines at spaces only: an option's name, a metavar,
a path or a file name stands whole (click's wrapper broke ``<runs-`` / ``dir>/report`` at the
hyphen, and cut a word wider than its column in two)."""

from __future__ import annotations

from typing import Any

import pytest

from nnlab.cli import helpwords
from tests.cli.test_help import command_paths
from tests.conftest import invoke

WIDTHS = [60, 80, 120]


def unfolded_help(path: list[str]) -> str:
    """The help of the command at ``path`` as one long line a paragraph: the words it is made
    of, as written (a context whose lines are 10,000 columns wide)."""
    import typer.main

    from nnlab.cli import app

    command: Any = typer.main.get_command(app)
    helpwords.readable_help(command)
    wide = {"terminal_width": 10_000, "max_content_width": 10_000, "resilient_parsing": True}
    ctx = command.make_context("root", [], **wide)
    for name in path:
        command = command.commands[name]
        ctx = command.make_context(name, [], parent=ctx, **wide)
    return command.get_help(ctx)


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "nnlab")
def test_help_never_breaks_a_word_at_any_width(path):
    words = unfolded_help(path).split()
    assert "--help" in words and "<runs-" not in words
    for width in WIDTHS:
        result = invoke(*path, "-h", env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        folded = result.stdout.split()
        broken = [w for w in folded if w not in words]
        assert folded == words, (width, broken)


def test_a_word_wider_than_its_column_stands_whole_on_a_line_of_its_own():
    import typer.main

    from nnlab.cli import app

    context = typer.main.get_command(app).context_class
    formatter = helpwords.whole_words(context).formatter_class(width=40)
    path = "configs/digits-quickstart-with-a-long-name.yaml"
    formatter.write_dl([("--config PATH", f"Read {path} (or-else-this).")])
    lines = formatter.getvalue().splitlines()
    assert [line.split() for line in lines] == [
        ["--config", "PATH", "Read"],
        [path],
        ["(or-else-this)."],
    ]
    assert helpwords.whole_words(helpwords.whole_words(context)) is helpwords.whole_words(context)


def test_a_click_without_its_private_wrapper_keeps_its_own_folding():
    # (whole_words swaps click's private _textwrap.TextWrapper; a click or typer that has no
    # such module must leave -h as click folds it, not fail on every command's help)
    context = type("Context", (), {"__module__": "nnlab.not_a_click.core"})
    assert helpwords.whole_words(context) is context
