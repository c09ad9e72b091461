"""Help that reads whole: every command and group is listed in its parent's help with its
description's whole first paragraph (click would cut it with "..." at ~50 characters), and an
``Example:`` line is kept as written."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import invoke

GROUPS = [[], ["sweep"], ["runs"], ["data"], ["config"]]


def listed(text: str) -> dict[str, str]:
    """Each command row of a help's "Commands:" section: name -> its (re-joined) description."""
    section = text[text.index("Commands:") :].splitlines()[1:]
    rows: dict[str, str] = {}
    name = ""
    for line in section:
        match = re.match(r"  (\S+)\s{2,}(.*)", line)
        if match:
            name = match.group(1)
            rows[name] = match.group(2).strip()
        elif line.strip() and name:
            rows[name] += " " + line.strip()
    return rows


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: " ".join(g) or "nnlab")
def test_every_command_is_listed_with_its_whole_first_paragraph(group):
    result = invoke(*group, "--help", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    rows = listed(result.stdout)
    assert rows and not [name for name, text in rows.items() if text.endswith("...")], rows
    for name, text in rows.items():
        own = invoke(*group, name, "--help", env={"COLUMNS": "200"}).stdout
        first = " ".join(own.split("\n\n")[1].split())  # (after the usage line)
        assert first == text, (name, first, text)


def test_the_top_level_lists_sweep_whole():
    rows = listed(invoke("--help", env={"COLUMNS": "80"}).stdout)
    assert rows["sweep"].endswith("'nnlab sweep --resume SWEEP' continues a stopped sweep.")


@pytest.mark.parametrize("group", [[], ["runs"], ["data"], ["config"], ["sweep"]])
def test_a_command_group_named_alone_prints_its_help_as_help(group):
    # (click raises its help as a usage error: it came out squashed into one 'error:' line)
    result = invoke(*group)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.startswith("Usage: ") and "Commands:" in result.stdout
    )  # (CliRunner: "root")
    assert "error" not in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["epochs=5"], "; overrides follow a command and its config: nnlab train CONFIG epochs=5"),
        (["sweep", "epochs=5"], "; overrides follow the sweep: nnlab sweep weight-scale epochs=5"),
        (["sweep", "--resume", "latest", "epochs=5"], "; --resume continues a sweep with the "
         "config it started with and takes none"),
        (["runs", "epochs=5"], " (see nnlab runs -h)"),
    ],
    ids=["top level", "sweep", "sweep --resume", "runs"],
)  # fmt: skip
def test_an_override_where_a_command_goes_is_named_as_one(args, says):
    # (it was "no such command 'epochs=5'", which reads as if nnlab had no such feature)
    result = invoke(*args)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith("error: 'epochs=5' is a config override, not a command"), line
    assert says in line and "\n" not in line, line


def test_an_unknown_command_is_still_named_as_one():
    result = invoke("sweep", "bogus")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no such command 'bogus'. (see nnlab sweep -h)"


def short_options() -> dict[str, dict[str, list[str]]]:
    """Every short option in the command tree: ``-x`` -> its long name -> the commands."""
    import typer

    from nnlab.cli import app

    found: dict[str, dict[str, list[str]]] = {}

    def walk(command: Any, path: list[str]) -> None:  # (typer's own click Command)
        for param in command.params:
            opts = [*param.opts, *param.secondary_opts]
            long = next((o for o in opts if o.startswith("--")), param.name or "")
            for short in (o for o in opts if re.fullmatch(r"-[^-]", o)):
                found.setdefault(short, {}).setdefault(long, []).append(" ".join(path))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), ["nnlab"])
    return found


def test_a_short_option_means_the_same_in_every_command():
    found = short_options()
    clashes = {short: longs for short, longs in found.items() if len(longs) > 1}
    assert not clashes, clashes  # e.g. -n was --trials in tune and --top in runs compare
    assert {s: next(iter(longs)) for s, longs in found.items()} == {
        "-q": "--quiet", "-f": "--format", "-j": "--jobs",
        "-n": "--trials", "-r": "--rounds", "-k": "--kind", "-s": "--sort",
        "-a": "--activation", "-i": "--init", "-o": "--optimizers",
    }  # fmt: skip


def test_config_keys_markdown_with_a_prefix_is_refused_not_ignored():
    # (it wrote the whole reference, the prefix ignored)
    result = invoke("config", "keys", "--markdown", "optimizer")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --markdown: writes the whole reference")


OUT_HELP = {  # what --out does in each command that takes it, as that command's help says it
    "lr-scan": "Write into exactly this new folder instead of one under --runs-dir.",
    "activations": "Write into exactly this new folder instead of one under --runs-dir.",
    "compare-optimizers": "Write into exactly this new folder instead of one under --runs-dir.",
    "tune": "exactly this new folder instead of one under --runs-dir (a new tune: --resume "
    "continues in the tune's own folder)",
    "gradcheck": "With --compare-differences: write into exactly this new folder",
    "landscape": "exactly this new folder instead of one under --runs-dir, or complete the "
    "landscape folder it names (as --resume does)",
    "report": "Report folder: a new one, or an empty one or an earlier report rebuilt in place",
}


@pytest.mark.parametrize("command", list(OUT_HELP))
def test_the_help_of_out_says_what_it_does_in_each_command(command):
    # (landscape's said "exactly this new folder" of an --out that completes an existing
    # landscape folder; gradcheck's did not say it needs --compare-differences; report's did
    # not say that an existing report is rebuilt)
    text = " ".join(invoke(command, "--help", env={"COLUMNS": "200"}).stdout.split())
    assert OUT_HELP[command] in text
