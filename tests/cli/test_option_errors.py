"""Every option and argument error of every command reads one way: ``error: NAME: expected
WHAT, got WHAT (see nnlab CMD -h)``. (typer's refusals said "input should be a valid integer,
unable to parse string as an integer, got abc", click's "option '--resume' requires an
argument. (see nnlab -h)", nnlab's own "'xml' is not one of 'table', 'json', 'csv'"; an
override hint left out the "(see ...)".)"""

from __future__ import annotations

import enum
import typing
from pathlib import Path
from typing import Any

import pytest

from nnlab.cli.usage import first_clause, takes
from tests.conftest import invoke, invoke_many, one_error_line


def _commands() -> list[tuple[list[str], Any]]:
    """(path after nnlab, click command) of every command and group."""
    import typer

    from nnlab.cli import app

    found = []

    def walk(command: Any, path: list[str]) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    from nnlab.cli.helpwords import readable_help

    root = typer.main.get_command(app)
    readable_help(root)  # (as main and the errors see it: each option's word and values)
    walk(root, [])
    return found


def _kind(param: Any) -> Any:
    kind = param.type_descriptor.annotation
    for _ in range(2):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1:
            kind = args[0]
    return kind


def _cases() -> list[tuple[str, list[str], str]]:
    """(id, argv, what the line says after "error: ") for each option of each kind (a tab
    between the line's start and its end where the middle is the option's own)."""
    cases = []
    for path, command in _commands():
        where = f" (see {' '.join(['nnlab', *path])} -h)"
        for param in command.params:
            opts = [o for o in param.opts if o.startswith("--")]
            if param.name == "help" or not hasattr(param, "type_descriptor"):
                continue
            kind, name = _kind(param), max(opts, key=len) if opts else ""
            what = f"{name}: expected {takes(param)}"
            case = f"{' '.join(path) or 'nnlab'} {name or param.name}"
            if not opts:  # (an argument: given an extra one, or none, below)
                continue
            if getattr(param, "is_flag", False):
                cases.append((f"{case} flag with a value", [*path, f"{name}=yes"],
                              f"{name}: expected no value (it is a flag), got 'yes'{where}"))  # fmt: skip
                continue
            cases.append(
                (f"{case} without its value", [*path, name], f"{what}, got nothing{where}")
            )
            if kind in (int, float):
                noun = "an integer" if kind is int else "a finite number"
                cases.append((f"{case} not a number", [*path, name, "abc"],
                              f"{name}: expected {noun}\t, got 'abc'{where}"))  # fmt: skip
                low = param.min
                if low is not None:
                    below = str(low - 1)
                    cases.append((f"{case} below its range", [*path, name, below],
                                  f"{what}, got {below}{where}"))  # fmt: skip
            elif isinstance(kind, type) and issubclass(kind, enum.Enum):
                cases.append((f"{case} not a choice", [*path, name, "nope"],
                              f"{what}, got 'nope'{where}"))  # fmt: skip
            elif kind is Path:
                cases.append((f"{case} an empty path", [*path, name, ""], f"{name}: \t{where}"))
    return cases


CASES = _cases()


@pytest.mark.slow
@pytest.mark.parametrize(("argv", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_option_error_names_the_option_what_it_takes_and_what_it_got(argv, says):
    line = one_error_line(invoke_many(*argv))
    start, _, end = says.partition("\t")
    assert line.startswith(f"error: {start}") and line.endswith(end), line


def test_an_option_without_its_value_says_the_values_or_the_folder_it_takes():
    # (--normalize, --kind, --executor, --resume, --extend, ... said 'expected a value, got
    # nothing', where -h lists their values, and a bad value's error did too)
    missing = {c[0]: c[2] for c in CASES if c[0].endswith("without its value")}
    said = {
        "landscape --normalize": "one of filter, none",
        "runs list --kind": "one of train, sweep, tune, lr-scan, landscape, activations, "
        "compare-optimizers, gradcheck",
        "sweep grid --executor": "one of local, dask",
        "compare-optimizers --function": "one of book, d2l, rosenbrock",
        "train --resume": "a run folder (path, id prefix or 'latest')",
        "train --extend": "a run folder (path, id prefix or 'latest')",
        "sweep --resume": "a sweep folder (path, id prefix or 'latest')",
    }
    for case, what in said.items():
        option = case.split()[-1]
        assert missing[f"{case} without its value"].startswith(f"{option}: expected {what}")
    for argv in (["train", "--resume"], ["landscape", "--normalize"], ["runs", "list", "--kind"]):
        line = one_error_line(invoke_many(*argv))
        assert "expected a value" not in line and "got nothing" in line, line


def test_no_option_without_its_value_says_only_a_value():
    # (--sort, --name, --lr, --scheduler, ... said 'expected a value, got nothing')
    vague = [c[0] for c in CASES if c[0].endswith("without its value") and "a value," in c[2]]
    assert not vague, vague
    line = one_error_line(invoke_many("runs", "compare", "latest", "--sort"))
    assert line.startswith("error: --sort: expected a column of the table (final_test_acc"), line


def test_the_cases_cover_every_kind_of_option():
    ids = " ".join(c[0] for c in CASES)
    for kind in ("flag with a value", "without its value", "not a number", "below its range",
                 "not a choice", "an empty path"):  # fmt: skip
        assert kind in ids, kind
    assert "train --threads below its range" in ids and "gradcheck --eps not a number" in ids


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["sweep", "run", "weight-scale", "--jobs", "abc"],
         "error: --jobs: expected an integer from 1 to 256, got 'abc' (see nnlab sweep run -h)"),
        (["train", "cfg.yaml", "--threads", "0"],
         "error: --threads: expected an integer from 1 to 1024, got 0 (see nnlab train -h)"),
        (["gradcheck", "--eps", "0"],
         "error: --eps: expected a finite number above 0 and at most 1, got 0 "
         "(see nnlab gradcheck -h)"),
        (["lr-scan", "cfg.yaml", "--min", "nan"],
         "error: --min: expected a finite number from -30 to 10, got nan (see nnlab lr-scan -h)"),
        (["runs", "list", "--format", "jsn"],
         "error: --format: expected one of table, json, csv, got 'jsn' (did you mean 'json'?) "
         "(see nnlab runs list -h)"),
        (["compare-optimizers", "--function", "nope"],
         "error: --function: expected one of book, d2l, rosenbrock, saddle, beale, xcospi, got "
         "'nope' (see nnlab compare-optimizers -h)"),
        (["runs", "list", "--kind", "swep"],
         "error: --kind: expected one of train, sweep, tune, lr-scan, landscape, activations, "
         "compare-optimizers, gradcheck, got 'swep' (did you mean 'sweep'?) "
         "(see nnlab runs list -h)"),
        (["train", "--resume"],
         "error: --resume: expected a run folder (path, id prefix or 'latest'), got nothing "
         "(see nnlab train -h)"),
        (["train", "cfg.yaml", "--quiet=yes"],
         "error: --quiet: expected no value (it is a flag), got 'yes' (see nnlab train -h)"),
        # (a missing argument says what it takes, from its help: it said 'expected a value')
        (["runs", "show"], "error: RUN: expected a folder (path, id prefix, 'latest' or "
         "'latest~1', the one before it), or a sweep's or tune's trial id as their tables print "
         "it (a tune's round: r2), got nothing (see nnlab runs show -h)"),
        (["runs", "compare"], "error: REFS: expected run, sweep or tune folders (paths, id "
         "prefixes, 'latest' or 'latest~1 latest', the last two), got nothing (see nnlab runs "
         "compare -h)"),
        (["sweep", "resume"], "error: SWEEP: expected a sweep folder, id prefix or 'latest', got "
         "nothing (see nnlab sweep resume -h)"),
        (["sweep", "grid"], "error: CONFIG: expected YAML config (its 'sweep:' section, if any, is "
         "used), got nothing (see nnlab sweep grid -h)"),
        (["data", "fetch"],
         "error: DATASET: expected one of mnist, catvnoncat, got nothing (see nnlab data fetch -h)"),
        (["runs", "show", "a", "b"],
         "error: 'b': an extra argument; expected RUN only (see nnlab runs show -h)"),
        (["runs", "list", "a"], "error: 'a': an extra argument; expected none "
         "(see nnlab runs list -h)"),
        (["gradcheck", "--bogus"],  # (it offered --out: click counts the dashes alike)
         "error: --bogus: no such option (see nnlab gradcheck -h)"),
        (["gradcheck", "--dtype", "float16"],
         "error: --dtype: no such option; config keys are overrides after the config file: "
         "dtype=float16 (see nnlab gradcheck -h)"),
    ],
)  # fmt: skip
def test_each_kind_of_option_error_reads_the_same_way(argv, line):
    assert one_error_line(invoke_many(*argv)) == line


@pytest.mark.parametrize("command", ["train", "tune", "landscape"])
def test_a_command_given_neither_its_source_nor_resume_says_so_with_its_hint(command):
    # (tune's and landscape's said it without the '(see nnlab ... -h)' every other refusal has)
    line = one_error_line(invoke_many(command))
    assert line.startswith("error: give a ") and "(or --resume " in line, line
    assert line.endswith(f"(see nnlab {command} -h)"), line


def test_an_os_error_in_an_options_check_is_one_line_and_exit_2(tmp_path, monkeypatch):
    # (an option's check runs while typer parses, before handle_errors is around the command:
    # a folder that cannot be looked up, EACCES for a user who may not search its parent,
    # was a traceback and exit 1)
    import pathlib

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    for lookup in ("is_symlink", "exists"):  # (whichever the check asks first)
        monkeypatch.setattr(pathlib.Path, lookup, refuse)
    result = invoke_many("runs", "list", "--runs-dir", tmp_path / "locked")
    line = one_error_line(result)
    assert line == (
        f"error: --runs-dir: '{tmp_path / 'locked'}' cannot be looked up (Permission denied) "
        "(see nnlab runs list -h)"
    ), line


@pytest.mark.parametrize(
    ("args", "variable", "value", "line"),
    [
        (["tune", "--resume", "latest"], "NNLAB_REPORT", "maybe",
         "error: --report (from $NNLAB_REPORT): expected true or false (1 or 0, yes or no, on or "
         "off), got 'maybe' (see nnlab tune -h)"),
        (["runs", "list"], "NNLAB_RUNS_DIR", "{file}",
         "error: --runs-dir (from $NNLAB_RUNS_DIR): '{file}' is not a folder (see nnlab runs "
         "list -h)"),
    ],
)  # fmt: skip
def test_an_option_set_by_its_environment_variable_is_refused_naming_the_variable(
    tmp_path, args, variable, value, line
):
    # (NNLAB_REPORT=maybe said "--report: expected no value (it is a flag), got 'maybe'": an
    # option the command line did not have, a flag that takes no value)
    from tests.conftest import invoke

    file = tmp_path / "a-file"
    file.write_text("x\n")
    result = invoke(*args, env={variable: value.format(file=file)})
    assert one_error_line(result) == line.format(file=file)


def test_a_value_cut_short_keeps_the_marks_that_end_it(tmp_path):
    """A word of thousands of characters is cut to its start and length; the quote and colon
    after it were cut with it: "run 'aaa... (2,002 characters) no run folder"."""
    from nnlab.cli.usage import one_line

    text = "run '" + "a" * 2000 + "': no run folder under runs matches"
    assert one_line(text) == (
        "run '" + "a" * 56 + "... (2,003 characters)': no run folder under runs matches"
    )
    assert one_line("got " + "b" * 2000) == "got " + "b" * 57 + "... (2,000 characters)"
    assert one_line("key '" + "c" * 2000 + "';").endswith("characters)';")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--runs-dir", "runs", "runs", "list"],
         "--runs-dir: an option of nnlab runs list, not of nnlab; give it after the command: "
         "nnlab runs list --runs-dir runs"),
        (["runs", "--kind", "sweep", "list"],
         "--kind: an option of nnlab runs list, not of nnlab runs; give it after the command: "
         "nnlab runs list --kind sweep"),
        (["-q", "train", "cfg.yaml", "epochs=1"],
         "-q: an option of nnlab train, not of nnlab; give it after the command: nnlab train "
         "cfg.yaml epochs=1 -q"),
        (["--data-dir=my data", "data", "list"],
         "--data-dir: an option of nnlab data list, not of nnlab; give it after the command: "
         "nnlab data list '--data-dir=my data'"),
        (["runs", "-fjson", "list"],  # (a StopIteration's traceback: no word was '-f')
         "-f: an option of nnlab runs list, not of nnlab runs; give it after the command: "
         "nnlab runs list -fjson"),
        (["-qj2", "train", "cfg.yaml"],  # (a cluster: no one word to move)
         "-q: an option of nnlab train, not of nnlab; give it after the command"),
    ],
)  # fmt: skip
def test_an_option_given_before_its_command_is_told_where_it_goes(argv, expected):
    # (it said '--runs-dir: no such option (see nnlab -h)', as of an option nnlab has nowhere)
    assert one_error_line(invoke_many(*argv)) == f"error: {expected}"


@pytest.mark.parametrize(
    ("argv", "config"),
    [
        (["train", "a.yaml", "--config", "b.yaml"], "a.yaml"),
        (["sweep", "run", "a.yaml", "epochs=1", "-c", "b.yaml"], "a.yaml"),
        (["lr-scan", "my cfg.yaml", "--config=b.yaml"], "'my cfg.yaml'"),
    ],
)  # fmt: skip
def test_a_config_option_beside_a_config_argument_is_told_one_config_a_line(argv, config):
    # (it offered 'nnlab train b.yaml a.yaml': the first config as an override)
    option = next(a.partition("=")[0] for a in argv if a.startswith("-"))
    command = " ".join(a for a in argv[: argv.index(config.strip("'"))])
    assert one_error_line(invoke_many(*argv)) == (
        f"error: {option}: no such option; the config file is the command's first argument, "
        f"without an option, and {config} is given so: one config a command line "
        f"(see nnlab {command} -h)"
    )


def test_an_option_no_command_has_is_still_no_such_option():
    assert one_error_line(invoke_many("--nope", "train")) == (
        "error: --nope: no such option (see nnlab -h)"
    )


@pytest.mark.parametrize(
    ("help_text", "clause"),
    [
        # (it cut at the first '; ' or '. ' wherever it stood: an open bracket, or 'e.g')
        ("A folder (path, 'latest'; or 'latest~1') to show; or a trial id.",
         "A folder (path, 'latest'; or 'latest~1') to show"),
        ("Overrides as key.sub=value, e.g. optimizer.lr=0.1 (every key: nnlab config keys).",
         "Overrides as key.sub=value, e.g. optimizer.lr=0.1 (every key: nnlab config keys)."),
        ("key=a,b ([..] keeps a list whole: [100],[50,50]). (Distributions are random's.)",
         "key=a,b ([..] keeps a list whole: [100],[50,50])"),
        ("A run's folder or 'a; b' as quoted; the rest.", "A run's folder or 'a; b' as quoted"),
        ("Only keys starting with this (e.g. optimizer, dataset.n_).",
         "Only keys starting with this (e.g. optimizer, dataset.n_)."),
    ],
)  # fmt: skip
def test_an_arguments_first_clause_is_cut_outside_brackets_quotes_and_abbreviations(
    help_text, clause
):
    assert first_clause(help_text) == clause


def test_every_arguments_wanted_clause_is_whole():
    import typer.main

    from nnlab.cli import app
    from nnlab.cli.helpwords import readable_help
    from nnlab.cli.usage import _wanted

    root = typer.main.get_command(app)
    readable_help(root)
    stack, seen = [root], 0
    while stack:
        command = stack.pop()
        stack += list(getattr(command, "commands", {}).values())
        for param in command.params:
            if param.param_type_name != "argument":
                continue
            said, seen = _wanted(param), seen + 1
            assert said.count("(") == said.count(")") and said.count("[") == said.count("]"), said
            assert not said.endswith(("e.g", "i.e", ",")), said
    assert seen >= 20


def _data_dir_commands() -> list[list[str]]:
    """Every command that takes ``--data-dir``."""
    return [
        path
        for path, command in _commands()
        if not getattr(command, "commands", None)
        and any("--data-dir" in p.opts for p in command.params)
    ]


def test_a_data_dir_that_does_not_exist_is_refused_by_every_command_that_reads_data(tmp_path):
    # (digits, which reads no data folder, trained without a word about the typo: only MNIST's
    # loader said the folder was not there, once a run had begun)
    commands = _data_dir_commands()
    assert ["train"] in commands and ["sweep", "grid"] in commands and ["data", "fetch"] in commands
    typo = tmp_path / "typo"
    for path in commands:
        result = invoke_many(*path, "--data-dir", typo)
        if path in (["data", "fetch"], ["data", "list"]):  # (fetch makes it; list says so)
            assert "does not exist; give the folder that contains" not in result.output, path
            continue
        assert result.exit_code == 2, (path, result.output)
        line = one_error_line(result)
        assert f"--data-dir: '{typo}' does not exist; give the folder that contains" in line, path
    env = invoke("train", "x.yaml", env={"NNLAB_DATA_DIR": str(typo)})
    assert f"error: --data-dir (from $NNLAB_DATA_DIR): '{typo}' does not exist" in one_error_line(
        env
    )
    assert not typo.exists()


def test_data_fetch_makes_a_data_dir_that_does_not_exist_yet(tmp_path):
    have = tmp_path / "have"
    have.mkdir()
    result = invoke_many(
        "data", "fetch", "catvnoncat", "--from", have, "--data-dir", tmp_path / "d"
    )
    assert "does not exist" not in result.output
    assert "--data-dir" not in one_error_line(result)  # (refused for what --from lacks)
