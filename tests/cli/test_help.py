"""Help that reads whole: every command and group is listed in its parent's help with its
description's whole first paragraph (click would cut it with "..." at ~50 characters), and an
``Example:`` line is kept as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from nnlab.cli.common import QUIET_HELP
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


def test_the_sweep_commands_name_what_their_resume_takes_in_one_word():
    # (nnlab sweep -h showed '--resume RUN' under its own "'nnlab sweep --resume SWEEP'
    # continues a stopped sweep", and 'nnlab sweep resume SWEEP')
    group = invoke("sweep", "--help", env={"COLUMNS": "200"}).stdout
    assert "--resume SWEEP " in group and "--resume RUN" not in group
    assert "'nnlab sweep --resume SWEEP'" in " ".join(group.split())
    resume = invoke("sweep", "resume", "--help", env={"COLUMNS": "200"}).stdout
    assert "Usage: root sweep resume [OPTIONS] SWEEP\n" in resume


def command_paths() -> list[list[str]]:
    """Every command's words after ``nnlab`` (``["runs", "show"]``), groups' too."""
    import typer.main

    from nnlab.cli import app

    def walk(command: Any, path: list[str]) -> list[list[str]]:
        subs = getattr(command, "commands", {})
        return [path, *(p for name, sub in subs.items() for p in walk(sub, [*path, name]))]

    return walk(typer.main.get_command(app), [])


def test_every_usage_line_names_its_arguments_as_click_and_the_errors_do():
    # (typer 0.29 wrote a required argument in braces, 'nnlab runs show [OPTIONS] {RUN}',
    # which reads as a set of values to choose from, beside '[CONFIG]' and the errors' 'RUN:')
    lines = {}
    for path in command_paths():
        usage = invoke(*path, "--help", env={"COLUMNS": "200"}).stdout.splitlines()[0]
        assert "{" not in usage and "}" not in usage, usage
        lines[" ".join(path)] = usage.split(" [OPTIONS]")[-1]
    assert lines["runs show"] == " RUN" and lines["runs compare"] == " REFS..."
    assert lines["sweep grid"] == " CONFIG [ARGS]..." and lines["data fetch"] == " DATASET"
    assert lines["train"] == " [CONFIG] [OVERRIDES]..." and lines["report"] == " [REFS]..."


def test_the_top_level_lists_sweep_whole():
    rows = listed(invoke("--help", env={"COLUMNS": "80"}).stdout)
    assert rows["sweep"].endswith("'nnlab sweep --resume SWEEP' continues a stopped sweep.")


GIVEN_NO_COMMAND = [
    ([], "nnlab: expected a command (train, gradcheck, compare-optimizers, lr-scan, tune, "
     "activations, landscape, report, runs, sweep, data, config), got nothing"),
    (["--debug"], "nnlab: expected a command (train, "),
    (["runs"], "nnlab runs: expected a command (list, show, compare, remove), got nothing"),
    (["data"], "nnlab data: expected a command (list, fetch), got nothing"),
    (["config"], "nnlab config: expected a command (keys), got nothing"),
    (["sweep"], "nnlab sweep: expected a command (resume, grid, random, run, weight-scale) or "
     "--resume SWEEP, got nothing"),
    (["sweep", "--jobs", "2"], "nnlab sweep: expected a command (resume, "),
]  # fmt: skip


@pytest.mark.parametrize(
    ("group", "says"), GIVEN_NO_COMMAND, ids=[" ".join(g) or "nnlab" for g, _ in GIVEN_NO_COMMAND]
)
def test_a_command_group_given_no_command_is_bad_usage_with_its_help(group, says):
    # (it printed the help on stdout and exited 0, so a script that left the command out went
    # on as if it had run; git and cargo exit non-zero; click's own squashed the help into one
    # 'error:' line. Now: the help on stderr, then one error line naming the commands, exit 2)
    result = invoke(*group)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    *above, last = result.stderr.rstrip("\n").split("\n")
    assert above[0].startswith("Usage: ") and "Commands:" in above  # (CliRunner: "root")
    assert last.startswith(f"error: {says}"), last
    assert not any(line.startswith("error") for line in above)


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: " ".join(g) or "nnlab")
def test_a_group_s_help_asked_for_is_help(group):
    result = invoke(*group, "--help")
    assert result.exit_code == 0 and result.stdout.startswith("Usage: "), result.output
    assert result.stderr == ""


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
    assert result.stderr.strip() == (  # (and the group's commands: it said no more)
        "error: no such command 'bogus' in nnlab sweep; its commands: resume, grid, random, run, "
        "weight-scale (see nnlab sweep -h)"
    )


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
        "-a": "--activation", "-i": "--init", "-o": "--optimizers", "-y": "--yes",
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
    "gradcheck": "With --compare-differences only: write into exactly this new folder",
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


def number_options() -> list[tuple[list[str], str]]:
    """(command path, option) of every option of the command tree that takes a number."""
    import typer

    from nnlab.cli import app

    found = []

    def walk(cmd: Any, path: list[str]) -> None:
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, [*path, name])
        for param in cmd.params:
            kind = str(getattr(getattr(param, "type_descriptor", None), "annotation", ""))
            if param.param_type_name == "option" and ("int" in kind or "float" in kind):
                found.append((path, max(param.opts, key=len)))

    walk(typer.main.get_command(app), [])
    return found


RANGE = re.compile(r"\[(default: [^;\]]*; )?(-?[\d.e+-]+<=?)?x([<>]=?-?[\d.e+-]+)?\]")


@pytest.mark.parametrize(("path", "option"), number_options(), ids=lambda v: str(v))
def test_every_bounded_option_shows_its_range_in_its_help(path, option):
    # (--top and --val-fraction showed none, --eps half of it: [x<=1] of 0 < eps <= 1)
    lines = invoke(*path, "-h").stdout.splitlines()
    (at,) = [i for i, line in enumerate(lines) if re.match(rf"\s+(-\w, )?{option} ", line)]
    rest = lines[at + 1 :]
    ends = [i for i, line in enumerate(rest) if not line.strip() or re.match(r" {2}-", line)]
    entry = " ".join(" ".join([lines[at], *rest[: ends[0] if ends else None]]).split())
    assert RANGE.search(entry), entry


OPTION_ERRORS = [
    (["gradcheck", "--eps", "0"], "--eps: expected a finite number above 0 and at most 1, got 0", "gradcheck"),
    (["compare-optimizers", "--tol", "0"], "--tol: expected a finite number above 0 and at most 1e+06, got 0",
     "compare-optimizers"),
    (["runs", "compare", "a", "b", "--top", "0"],
     "--top: expected an integer of at least 1, got 0", "runs compare"),
    (["tune", "configs/digits-quickstart.yaml", "--val-fraction", "1"],
     "--val-fraction: expected a finite number above 0 and below 1, got 1", "tune"),
    (["lr-scan", "configs/digits-quickstart.yaml", "--min", "-2", "--max", "-2"],
     "--min/--max: both -2, one rate", "lr-scan"),
    # (a rate where the power of ten goes scanned 10^0.00001 .. 10^0.1, rates 1 to 1.26)
    (["lr-scan", "configs/digits-quickstart.yaml", "--min", "1e-5", "--max", "0.1"],
     "--min: 1e-05 is read as a power of ten (10^1e-05 = 1), not a step size; for the step "
     "size 1e-05 give --min -5", "lr-scan"),
    (["sweep", "grid", "configs/digits-quickstart.yaml", "optimizer.lr=0.1,0.2", "--share-seed",
      "epochs"], "--share-seed: 'epochs' is not a swept key", "sweep grid"),
    (["sweep", "weight-scale", "--jobs", "0"], "--jobs: expected an integer from 1 to 256, "
     "got 0", "sweep weight-scale"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "says", "where"), OPTION_ERRORS, ids=lambda v: str(v))
def test_every_option_error_is_one_shape_ending_with_its_help(tmp_path, args, says, where):
    # (--eps 0, --top 0, --tol 0 and the other refusals the library makes ended without the
    # pointer to the command's help that typer's refusals end with)
    result = (
        invoke(*args, "--runs-dir", tmp_path / "runs")
        if args[0] != "runs"
        else invoke(*args, "--runs-dir", tmp_path)
    )
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"error: {says}"), line
    assert line.endswith(f" (see nnlab {where} -h)"), line


def help_examples() -> list[tuple[list[str], list[str]]]:
    """(command path, arguments) of every ``nnlab ...`` command line in an ``Example:`` of a
    command's help (``a | b`` and ``a && b`` are two lines; a shell step such as ``cd`` is
    left out)."""
    import shlex

    import typer

    from nnlab.cli import app

    found = []

    def walk(cmd: Any, path: list[str]) -> None:
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, [*path, name])
        for example in re.findall(r"Example: (.*)", cmd.help or ""):
            for line in re.split(r"\s+(?:\||&&)\s+", example):
                words = shlex.split(line)
                if words[:1] == ["nnlab"]:
                    found.append((path, words[1 + len(path) :]))

    walk(typer.main.get_command(app), [])
    return found


@pytest.mark.parametrize(("path", "args"), help_examples(), ids=lambda v: " ".join(v))
def test_every_help_example_parses_and_writes_nothing_into_the_docs(monkeypatch, path, args):
    # (the train example's overrides set what the config already had, optimizer.lr=0.05
    # epochs=20; the activations and landscape examples wrote their figure into docs/, over the
    # README's, and failed outside the repository)
    import typer

    from nnlab.cli import app
    from nnlab.config import load_config

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    ctx = command.make_context(" ".join(["nnlab", *path]), list(args))
    for option in ("png", "out"):
        assert not str(ctx.params.get(option) or "").startswith("docs"), args
    config, overrides = ctx.params.get("config"), ctx.params.get("overrides") or []
    if path in (["train"], ["gradcheck"]) and config is not None:
        plain = load_config(config, []).model_dump()
        for override in overrides:
            changed = load_config(config, [override]).model_dump()
            assert changed != plain, f"{override} sets what {config} has already"


def test_no_options_help_suggests_writing_into_the_docs():
    """--png's help said "(e.g. into docs/)" in every command that draws: a newcomer who took
    the hint wrote over the README's figures in the repository (the examples and the README's
    commands no longer do)."""
    helps = {(name, long): option.help for name, options in options_by_command().items()
             for long, option in options.items() if long in ("--png", "--out")}  # fmt: skip
    assert ("lr-scan", "--png") in helps and ("runs compare", "--png") in helps
    assert [key for key, text in helps.items() if "docs/" in (text or "")] == []


def test_the_sweep_arguments_help_says_what_each_kind_of_sweep_takes(tmp_path):
    # (grid, random, run and the presets shared one text: grid's offered loguniform:LOW:HIGH,
    # which it refuses, and random's called key=v1,v2 an axis, which it draws from as a choice)
    def args_help(*path: str) -> str:
        text = invoke(*path, "--help", env={"COLUMNS": "200"}).stdout
        return " ".join(text.split("Arguments:")[1].split("Options:")[0].split())

    grid, random = args_help("sweep", "grid"), args_help("sweep", "random")
    assert "is an axis" in grid and "loguniform:LOW:HIGH are for nnlab sweep random" in grid
    assert "is an axis" not in random and "is a choice among its values" in random
    assert "a distribution (a random sweep" in args_help("sweep", "run")
    result = invoke("sweep", "grid", "configs/digits-quickstart.yaml", "optimizer.lr=loguniform:1e-4:1",
                    runs_dir=tmp_path / "runs")  # fmt: skip
    assert result.exit_code == 2
    assert "use a random sweep (nnlab sweep random, or kind: random" in result.stderr, result.stderr


def options_by_command() -> dict[str, dict[str, Any]]:
    """Every command of the tree (``"sweep grid"``) -> its options by long name."""
    import typer

    from nnlab.cli import app

    found: dict[str, dict[str, Any]] = {}

    def walk(cmd: Any, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None) or {}
        for name, sub in subs.items():
            walk(sub, [*path, name])
        if not subs:
            found[" ".join(path)] = {
                max(p.opts, key=len): p for p in cmd.params if p.param_type_name == "option"
            }

    walk(typer.main.get_command(app), [])
    return found


# The commands that print no progress: they read folders or print a reference, or remove
# folders (a line each). (data fetch says each file's download and verdict as it goes, and takes
# -q too.)
RUN_NOTHING = {"runs list", "runs show", "runs compare", "runs remove", "report", "config keys",
               "data list"}  # fmt: skip


def test_every_command_that_runs_something_takes_quiet_and_format_alike():
    # (activations and gradcheck had no -q/--quiet, which every other command that trains,
    # checks or draws something has: 'nnlab activations -q' was refused as no such option)
    commands = options_by_command()
    running = sorted(set(commands) - RUN_NOTHING)
    assert {"activations", "gradcheck", "data fetch", "train", "lr-scan", "sweep grid"} <= set(
        running
    )
    for name in running:
        options = commands[name]
        for long, short, help in (("--quiet", "-q", QUIET_HELP),
                                  ("--format", "-f", "Output format: table, json or csv.")):  # fmt: skip
            assert long in options, f"nnlab {name} has no {long}"
            option = options[long]
            assert sorted(option.opts) == sorted([long, short]) and option.help == help, name


@pytest.mark.parametrize("long", ["--runs-dir", "--data-dir", "--format", "--quiet", "--report"])
def test_a_shared_option_reads_the_same_in_every_command(long):
    # (one definition in nnlab/cli/common.py: the same names, environment variable and help;
    # gradcheck's --runs-dir says it is --compare-differences' only, and otherwise the same)
    seen = {
        (tuple(sorted(o.opts)), o.envvar, o.help.replace("With --compare-differences only: ", "")
         .replace("root folder for its run folder.", "Root folder for run folders.")
         .replace("then rebuild", "Then rebuild"))
        for options in options_by_command().values()
        if (o := options.get(long)) is not None
    }  # fmt: skip
    assert len(seen) == 1, seen


def test_the_data_dir_help_says_which_folder_it_is_and_the_default():
    # (it said 'Folder holding data files (mnist/, ...)': a newcomer gave the mnist/ folder
    # itself, and no help said where the data is looked for without the option)
    helps = {
        o.help for options in options_by_command().values() if (o := options.get("--data-dir"))
    }
    assert helps == {
        "The folder containing mnist/ and catvnoncat/, not one of them (else ~/.cache/nnlab)."
    }


@pytest.mark.parametrize("command", [["runs", "show"], ["runs", "compare"]])
def test_the_run_arguments_help_says_latest_1_is_the_one_before(command):
    # (the README's 'runs compare latest~1 latest' was in no help: a newcomer comparing their
    # last two runs found only 'latest')
    result = invoke(*command, "-h")
    assert result.exit_code == 0 and "'latest~1" in " ".join(result.stdout.split())


def test_every_overrides_argument_says_its_form_with_an_example():
    # (landscape's said only "Overrides (with a config file only).", not what one looks like)
    import typer

    from nnlab.cli import app

    helps = {}
    for name, cmd in typer.main.get_command(app).commands.items():
        for param in cmd.params:
            if param.param_type_name == "argument" and param.name == "overrides":
                helps[name] = param.help
    assert {"train", "gradcheck", "lr-scan", "landscape"} <= set(helps), helps
    for name, text in helps.items():
        if name != "compare-optimizers":  # (its are per optimizer: adam.lr=0.3)
            assert text.startswith("Overrides as key.sub=value, e.g. "), (name, text)


@pytest.mark.parametrize(
    ("path", "option", "says"),
    [
        (["landscape"], "--range", "within -1000..1000; 0, the centre, from LO to HI)"),
        (["landscape"], "--points", "at 0, the centre (an odd count for a range like -1:1)"),
        (["data", "fetch"], "--only", "default: both"),
        (["runs", "compare"], "--sort", "Default: the order the runs are given in"),
        (["runs", "compare"], "--top", "(default: every row)"),
        (["gradcheck"], "--param", "as layer.param in the check's table (affine2.W, bn1.gamma;"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v),
)
def test_an_option_without_a_shown_default_or_range_says_it(path, option, says):
    # (these said neither what happens without them nor, --range, what they take)
    (entry,) = [o for o in options_by_command()[" ".join(path)].values() if option in o.opts]
    assert says in entry.help, entry.help


def test_every_resume_says_what_it_takes_in_the_same_words():
    # (tune's said "a stopped tune folder (or 'latest')", landscape's "this landscape folder (or
    # 'latest')", where train's and sweep's said "(folder, id prefix or 'latest')")
    import typer

    from nnlab.cli import app

    resumes = {}

    def walk(cmd: Any, path: list[str]) -> None:
        for param in cmd.params:
            if "--resume" in getattr(param, "opts", []):
                resumes[" ".join(path)] = param.help
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    assert {"train", "sweep", "tune", "landscape"} <= set(resumes), resumes
    for name, text in resumes.items():
        assert "(folder, id prefix or 'latest')" in text, (name, text)


def every_command(args: list[str] | None = None) -> list[list[str]]:
    """Every command's and group's words after ``nnlab``, from the helps' command lists."""
    args = args or []
    found = [args]
    text = invoke(*args, "--help", env={"COLUMNS": "200"}).stdout
    if "Commands:" in text:
        for name in listed(text):
            found += every_command([*args, name])
    return found


def test_every_help_says_what_an_option_takes_in_words_not_python_types():
    # (typer wrote Python's names: 'overrides... <list[str]>', '--jobs <int range>',
    # '--runs-dir <Path>', '--resume <str>')
    commands = every_command()
    assert len(commands) > 20
    for args in commands:
        text = invoke(*args, "--help", env={"COLUMNS": "200"}).stdout
        assert not re.findall(r"<(?:Path|str|int|float|list\[)[^>]*>", text), (args, text)
    train = invoke("train", "--help", env={"COLUMNS": "200"}).stdout
    assert "Usage: root train [OPTIONS] [CONFIG] [OVERRIDES]..." in train
    for shown in (
        "--runs-dir DIR ",
        "--resume RUN ",
        "--threads N ",
        "-f, --format <table|json|csv>",
    ):
        assert shown in train, shown
    grid = invoke("sweep", "grid", "--help", env={"COLUMNS": "200"}).stdout
    assert "-j, --jobs N " in grid
    assert "--share-seed KEY " in grid  # (it showed its own name, SHARE_SEED, for a config key)


# the words -h may show for an option's value besides its choices (<table|json|csv>): what kind
# of value (N, NUMBER, DIR, PATH, RUN), or a word of its own for an option of free text
TYPE_WORDS = {"N", "NUMBER", "DIR", "PATH", "RUN"}
FREE_TEXT = {"--lr", "--start", "--steps", "--hidden", "--mirror", "--param", "--range", "--sort",
             "--name", "--scheduler", "--share-seed", "--resume", "--where", "--colour-by"}  # fmt: skip


def shown_values() -> list[tuple[str, str, str]]:
    """(command, option, the word -h shows after it) of every option that takes a value."""
    import typer

    from nnlab.cli import app, helpwords, usage

    command = typer.main.get_command(app)
    helpwords.readable_help(command)
    found = []

    def walk(cmd: Any, path: list[str]) -> None:
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, [*path, name])
        for param in cmd.params:
            if param.param_type_name == "option" and not param.is_flag:
                option = max(param.opts, key=len)
                shown = param.metavar or helpwords.one_of(*usage._choices(param))
                if said := re.search(r"\[values: ([^]]+)\]", param.help or ""):
                    assert shown == option.lstrip("-").replace("-", "_").upper()  # (its word)
                    shown = helpwords.one_of(*said.group(1).split(", "))  # (in its help instead)
                found.append((" ".join(path), option, shown))

    walk(command, [])
    return found


def test_every_option_of_fixed_values_shows_them_as_format_does():
    # (--function FUNCTION, --normalize NORMALIZE, --split SPLIT, --executor EXECUTOR, --kind
    # KIND... where --format shows <table|json|csv>: the values were in the help text, if at all)
    wrong = [
        f"{where} {option} {shown}"
        for where, option, shown in shown_values()
        if not re.fullmatch(r"<[^|<>]+(\|[^|<>]+)*>", shown)
        and shown not in TYPE_WORDS
        and option not in FREE_TEXT
    ]
    assert wrong == []
    shown = {(where, option): word for where, option, word in shown_values()}
    assert shown["landscape", "--split"] == "<train|val|test>"
    assert shown["tune", "--executor"] == "<local|dask>"


def test_every_options_help_starts_beside_it_and_long_values_are_in_the_help():
    # (--kind <train|sweep|tune|lr-scan|...>, --status, -o, --metric... stood on a line of their
    # own, their help on the next: the values too many for the column are in the help instead)
    import typer

    from nnlab.cli import app, helpwords

    command = typer.main.get_command(app)
    helpwords.readable_help(command)
    helpwords.readable_help(command)  # (as every invocation does: the values said once)
    records = {}

    def walk(cmd: Any, path: list[str]) -> None:
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, [*path, name])
        for param in cmd.params:
            if param.param_type_name == "option":
                record = param.get_help_record(typer.Context(cmd))
                records[" ".join(path), max(param.opts, key=len)] = record

    walk(command, [])
    wide = [f"{where}: {record[0]}" for where, record in records.items() if len(record[0]) > 30]
    assert wide == []
    assert records["runs list", "--kind"] == (
        "-k, --kind KIND",
        "Only folders of this kind.  [values: train, sweep, tune, lr-scan, landscape, "
        "activations, compare-optimizers, gradcheck]",
    )
    assert records["tune", "--format"][0] == "-f, --format <table|json|csv>"  # (fits: as it was)
    assert sum("[values:" in r[1] for r in records.values()) == 8
    assert all(r[1].count("[values:") <= 1 for r in records.values())
    help_text = invoke("runs", "list", "-h").stdout
    assert (
        "  -k, --kind KIND                Only folders of this kind.  [values: train,\n"
        in help_text
    )


def test_the_values_help_shows_are_the_ones_the_library_takes():
    # (the command layer names them itself: --help imports no library code)
    from nnlab.cli import activations as ca, experiments as cx, optimizers as co, runs as cr
    from nnlab.cli.common import EXECUTORS
    from nnlab.data.registry import DATASETS
    from nnlab.experiments.activations import ACTIVATION_NAMES, INITS
    from nnlab.experiments.landscape_file import NORMALIZE
    from nnlab.experiments.listing import LIST_STATUSES
    from nnlab.experiments.optimizers.specs import ALIASES, BASELINES, SCHEMAS
    from nnlab.experiments.optimizers.training import NET_LOSSES
    from nnlab.experiments.testfuncs import OBJECTIVES
    from nnlab.experiments.tune_search import METRICS
    from nnlab.rundir import KINDS
    from nnlab.sweep.executors import EXECUTORS as SWEEP_EXECUTORS

    assert co.FUNCTIONS == tuple(OBJECTIVES) and set(co.DATASETS) == set(DATASETS)
    assert co.LOSSES == NET_LOSSES
    assert set(co.OPTIMIZERS) == {*SCHEMAS, *ALIASES, *BASELINES}
    assert cr.KINDS == KINDS and set(cr.STATUSES) == set(LIST_STATUSES)
    assert EXECUTORS == SWEEP_EXECUTORS and cx.NORMALIZE == NORMALIZE and cx.METRICS == METRICS
    assert ca.ACTIVATIONS == ACTIVATION_NAMES and ca.INITS == tuple(INITS)


def test_a_sweeps_name_defaults_as_its_help_says():
    # (a preset's -h said "default: the config's name": a preset has no config; it is named
    # <preset>-<dataset>)
    from nnlab.sweep.presets import get

    text = " ".join(invoke("sweep", "weight-scale", "-h", env={"COLUMNS": "250"}).stdout.split())
    assert "[default: weight-scale-<dataset>]" in text and "config's name" not in text
    assert get("weight-scale").definition("mnist", [], name=None).name == "weight-scale-mnist"
    text = " ".join(invoke("sweep", "grid", "-h", env={"COLUMNS": "250"}).stdout.split())
    assert "[default: the config's name (else its file's, without .yaml)]" in text


@pytest.mark.parametrize("command", ["train", "lr-scan", "gradcheck", "landscape"])
def test_an_overrides_help_says_where_every_key_is_listed(command):
    # (a newcomer reading "Overrides as key.sub=value" was not told where the keys are)
    text = " ".join(invoke(command, "-h").stdout.split())
    assert "OVERRIDES Overrides as key.sub=value, e.g." in text
    assert "every key: nnlab config keys)" in text


# the folder each command writes and a file in it (a newcomer read -h and found no word of where
# a run went, or what it held, before the run's last line)
WRITES = {
    "train": ("<runs-dir>/<date>-<time>-<name>-<id>/", "metrics.jsonl"),
    "gradcheck": ("<runs-dir>/<date>-<time>-gradcheck-differences-<id>/", "differences.png"),
    "compare-optimizers": ("<runs-dir>/<date>-<time>-compare-optimizers-<id>/", "paths.png"),
    "lr-scan": ("<runs-dir>/<date>-<time>-lr-scan-<config>-<id>/", "lr-scan.png"),
    "tune": ("<runs-dir>/<date>-<time>-tune-<config>-<id>/", "tune.json"),
    "activations": ("<runs-dir>/<date>-<time>-activations-<id>/", "activations.png"),
    "landscape": ("<runs-dir>/<date>-<time>-landscape-<config>-<id>/", "landscape.h5"),
    "sweep": ("<runs-dir>/<date>-<time>-sweep-<name>-<id>/", "sweep.yaml"),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_commands_help_says_what_it_writes_and_where(name):
    result = invoke(name, "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split("Options:")[0].split()).replace("- ", "-")  # (wrapped)
    folder, file = WRITES[name]
    assert f"Writes {folder}" in text or f"writes {folder}" in text
    assert file in text and "meta.json" in text


@pytest.mark.parametrize("path", [["sweep", "grid"], ["sweep", "random"], ["sweep", "run"],
                                  ["sweep", "weight-scale"], ["report"]])  # fmt: skip
def test_the_sweep_commands_and_the_report_say_what_they_write_and_where(path):
    # (nnlab sweep -h and nnlab report -h said nothing of the folder they write)
    text = " ".join(invoke(*path, "--help").stdout.split("Options:")[0].split())
    if path == ["report"]:
        assert "Writes <runs-dir>/report/ (or --out): index.html, a page per folder" in text
        assert "the last line is index.html's path" in text
    else:
        said = "Writes a sweep folder, <runs-dir>/<date>-<time>-sweep-<name>-<id>/ (its files: "
        assert said + "nnlab sweep -h); the last line names it." in text
