"""Hostile names: ``--name`` (sweeps) and ``--out`` (every command that takes it) used as paths
('../..', '/', a leading dot, control characters, very long) are refused before anything is
made: exit 2, one line naming the option and the value, and nothing written anywhere in the
case's tree (the working folder is three levels down, so '../..' stays inside it)."""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nnlab import runs

from .helpers import Row, invoke, no_probe_in, refused, snapshot

HOSTILE = {
    "parent of parent": ("../..", "'../..': its folder name '..' contains '..'"),
    "parent": ("..", "'..' contains '..'"),
    "root": ("/", "'/' names no folder"),
    "leading dot": (".hidden", "'.hidden' starts with a dot (a hidden folder)"),
    "leading dash": ("-rf", "'-rf' starts with '-' (a command line reads it as an option)"),
    "control character": ("a\x1bb", "'a\\x1bb' contains a control character"),
    "newline": ("a\nb", "'a\\nb' contains a control character"),
    "very long": ("n" * 300, "is 300 characters long; at most 64"),
}
NAME_PROBLEMS = {  # --name is one folder name: a separator is the first thing said
    "parent of parent": "'../..' contains a path separator",
    "root": "'/' contains a path separator",
}

SWEEPS = {
    "sweep grid": ["sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2"],
    "sweep random": ["sweep", "random", "cfg.yaml", "optimizer.lr=uniform:0.1:0.2", "-n", "2"],
    "sweep weight-scale": ["sweep", "weight-scale", "epochs=1"],
}
OUTS = {
    "lr-scan": ["lr-scan", "cfg.yaml", "--num", "2"],
    "activations": ["activations", "--layers", "1"],
    "landscape": ["landscape", "cfg.yaml", "--points", "3"],
    "tune": ["tune", "cfg.yaml", "--trials", "2"],
    "compare-optimizers": ["compare-optimizers", "--steps", "5"],
    "gradcheck": ["gradcheck", "--compare-differences"],
}


def check_refused(case, args, option, says):
    before = snapshot(case.parents[2])
    result = invoke(*args, "--runs-dir", case / "runs")
    refused(result, 2, f"error: {option}: ", says)
    assert snapshot(case.parents[2]) == before
    assert not (case / "runs").exists()


@pytest.mark.slow
@pytest.mark.parametrize("value", list(HOSTILE))
@pytest.mark.parametrize("command", list(SWEEPS))
def test_a_hostile_sweep_name_is_refused_and_nothing_is_written(case, command, value):
    text, says = HOSTILE[value]
    check_refused(
        case, [*SWEEPS[command], "--name", text], "--name", NAME_PROBLEMS.get(value, says)
    )


@pytest.mark.slow
@pytest.mark.parametrize("value", list(HOSTILE))
@pytest.mark.parametrize("command", list(OUTS))
def test_a_hostile_out_is_refused_and_nothing_is_written(case, command, value):
    text, says = HOSTILE[value]
    check_refused(case, [*OUTS[command], "--out", text], "--out", says)


def test_a_config_name_that_is_a_path_is_refused(case):
    (case / "evil.yaml").write_text("name: ../../evil\n")
    before = snapshot(case.parents[2])
    result = invoke("train", "evil.yaml", "--runs-dir", case / "runs")
    refused(result, 2, "evil.yaml: name: expected a name of letters, digits, '_', '-' and '.'")
    assert snapshot(case.parents[2]) == before


LONG = "n" * 300  # longer than a file name may be (ENAMETOOLONG)
REFS = {
    "train --resume": ["train", "--resume", LONG],
    "runs show": ["runs", "show", LONG],
    "runs compare": ["runs", "compare", LONG],
    "report": ["report", LONG],
    "landscape": ["landscape", LONG],
    "sweep --resume": ["sweep", "--resume", LONG],
    "train (config)": ["train", f"{LONG}.yaml"],
    "lr-scan (config)": ["lr-scan", f"{LONG}.yaml"],
}

NAMES = [
    Row(
        "a sweep `--name` that is a path",
        "`nnlab sweep grid cfg.yaml optimizer.lr=0.1,0.2 --name ../..`",
        2,
        (
            "error: --name: '../..' contains a path separator ('/' or '\\'); a name is one folder "
            "name (see nnlab sweep grid -h)",
        ),
    ),  # fmt: skip
    Row(
        "an `--out` that names no folder",
        "`nnlab lr-scan cfg.yaml --out /`",
        2,
        (
            "error: --out: '/' names no folder; give a path such as runs/my-run (see nnlab lr-scan -h)",
        ),
    ),
    Row(
        "an `--out` that climbs out",
        "`nnlab landscape cfg.yaml --out ../..`",
        2,
        (
            "error: --out: '../..': its folder name '..' contains '..'; use letters, digits, '_', "
            "'-' and '.' (not first) (see nnlab landscape -h)",
        ),
    ),
    Row(
        "an `--out` in a folder that does not exist",
        "`nnlab lr-scan cfg.yaml --out /tmp/no/such/run`",
        2,
        (
            "error: --out: '/tmp/no/such/run': folder '/tmp/no/such' does not exist; make it first "
            "or give another --out (see nnlab lr-scan -h)",
        ),
    ),
    Row(
        "a `--png` (or `--out`, `report --out`, `--report`'s folder) where nothing can be written",
        "`nnlab lr-scan cfg.yaml --png /proc/lr.png`",
        2,
        (
            "error: --png: '/proc/lr.png': cannot write in folder '/proc' (No such file or "
            "directory); give another --png (see nnlab lr-scan -h)",
        ),
    ),
    Row(
        "a run reference too long to be a file name",
        "`nnlab runs show nnn…n` (300 characters; also `--resume`, `report`, `landscape`)",
        2,
        # (the hint lists the folder it looked in: `--runs-dir {runs}` unless it is ./runs)
        ("error: run 'nnn", "': no run folder under {runs} matches (try 'nnlab runs list"),
    ),
]


def test_the_readme_rows_of_names_are_what_nnlab_prints(case):
    (case / "runs").mkdir()  # (one not there is refused first: test_bad_inputs)
    for row, args in zip(
        NAMES,
        [
            [*SWEEPS["sweep grid"], "--name", "../.."],
            [*OUTS["lr-scan"], "--out", "/"],
            [*OUTS["landscape"], "--out", "../.."],
            [*OUTS["lr-scan"], "--out", "/tmp/no/such/run"],
            [*OUTS["lr-scan"], "--png", "/proc/lr.png"],
            REFS["runs show"],
        ],
        strict=True,
    ):
        refused(invoke(*args, "--runs-dir", case / "runs"), row.code, *row.expect(case / "runs"))


@pytest.mark.parametrize("command", list(REFS))
def test_a_reference_too_long_for_a_file_name_is_bad_usage_in_one_line(case, command):
    (case / "runs").mkdir()
    before = snapshot(case.parents[2])
    result = invoke(*REFS[command], "--runs-dir", case / "runs")
    line = refused(result, 2, "nnnnnnnn")
    assert "no run folder under" in line or "File name too long" in line
    assert snapshot(case.parents[2]) == before


@pytest.mark.slow
@pytest.mark.parametrize("ref", ["", "  "])
@pytest.mark.parametrize("command", [c for c in REFS if "(config)" not in c])
def test_an_empty_run_reference_is_bad_usage_not_every_folder(case, command, ref):
    # (as an id prefix, '' matched every folder: `runs show ""` opened the only one there, and
    # `report ""` read the current folder as a run)
    made = invoke("train", "cfg.yaml", "-q", "--runs-dir", case / "runs")
    assert made.exit_code == 0, made.output
    args = [ref if a == LONG else a for a in REFS[command]]
    before = snapshot(case.parents[2])
    result = invoke(*args, "--runs-dir", case / "runs")
    refused(result, 2, f"error: run {ref!r}: names no run; give a folder, an id prefix or 'latest'")
    assert snapshot(case.parents[2]) == before


PNGS = {
    "a device": ("/dev/null", "'/dev/null': expected a file name ending in .png"),
    "a folder that does not exist": ("nowhere/x.png", "folder 'nowhere' does not exist"),
    "a folder": ("plots.png", "'plots.png' is a folder; expected a .png file to write"),
    "another kind of file": ("notes.txt", "'notes.txt': expected a file name ending in .png"),
    "no name": ("", "names no file"),
}


@pytest.mark.parametrize("value", list(PNGS))
@pytest.mark.parametrize("command", [*OUTS, "runs compare"])
def test_a_png_that_is_no_png_file_is_refused_before_any_work(case, command, value):
    """``--png`` replaces its target: a device (/dev/null became a regular file), a folder, a
    missing folder (it was made) or a file of another kind (overwritten) is refused up front."""
    (case / "plots.png").mkdir()
    (case / "notes.txt").write_text("keep me\n")
    text, says = PNGS[value]
    args = ["runs", "compare", "latest"] if command == "runs compare" else OUTS[command]
    check_refused(case, [*args, "--png", text], "--png", says)
    assert (case / "notes.txt").read_text() == "keep me\n" and not (case / "nowhere").exists()


@pytest.mark.parametrize(
    ("value", "says"),
    [("/", "'/' is the file system's root"), ("a\nb", "'a\\nb' contains a control character")],
)
@pytest.mark.parametrize("command", ["train", "runs list"])
def test_a_runs_dir_that_is_the_root_or_has_a_control_character_is_refused(
    case, command, value, says
):
    args = ["train", "cfg.yaml"] if command == "train" else ["runs", "list"]
    before = snapshot(case.parents[2])
    refused(invoke(*args, "--runs-dir", value), 2, f"error: --runs-dir: {says}")
    assert snapshot(case.parents[2]) == before


@pytest.mark.parametrize("command", list(OUTS))
def test_an_out_in_a_folder_that_does_not_exist_is_refused_and_nothing_is_made(case, command):
    # (--out made the whole chain of folders, anywhere: one new folder where asked, as --png)
    out = case / "no" / "such" / "run"
    check_refused(
        case, [*OUTS[command], "--out", out], "--out", f"folder '{out.parent}' does not exist"
    )
    assert not (case / "no").exists()


MAKERS = {
    "train": ["train", "cfg.yaml", "epochs=1"],
    **{name: [*args, "epochs=1"] for name, args in SWEEPS.items() if name == "sweep grid"},
    **OUTS,
}


def _a_run(case, templates):
    """A copy of a COMPLETED run's folder in ``case/runs``."""
    (made,) = templates["done"].iterdir()
    return Path(shutil.copytree(made, case / "runs" / made.name))


@pytest.mark.parametrize("inside", ["a run", "a folder below a run"])
@pytest.mark.parametrize("command", list(MAKERS))
def test_a_runs_dir_inside_a_run_folder_is_refused_and_nothing_is_made(
    case, templates, command, inside
):
    # (a new run was made inside the given run's folder, or among a sweep's trials, where it
    # wrote into another run's folder and no listing of the runs folder found it)
    run = _a_run(case, templates)
    root = run if inside == "a run" else run / "trials"
    before = snapshot(case)
    where = "is the run folder" if root == run else "is inside the run folder"
    says = f"'{root}' {where} '{run}'"
    refused(invoke(*MAKERS[command], "--runs-dir", root), 2, "error: --runs-dir: ", says)
    assert snapshot(case) == before


@pytest.mark.parametrize("command", list(OUTS))
def test_an_out_inside_a_run_folder_is_refused(case, templates, command):
    run = _a_run(case, templates)
    before = snapshot(case)
    refused(invoke(*OUTS[command], "--out", run / "new"), 2, "error: --out: ", "inside the run")
    assert snapshot(case) == before


RUNS_DIRS = {
    "a symlink loop": (lambda c: _loop(c), "is a symlink loop (to "),
    "a dangling symlink": (lambda c: _dangling(c), "gone, which is not there; give another"),
    "a file": (lambda c: _file(c), "is not a folder"),
}


def _loop(case):
    (case / "a").symlink_to(case / "b")
    (case / "b").symlink_to(case / "a")
    return case / "a"


def _dangling(case):
    (case / "d").symlink_to(case / "gone")
    return case / "d"


def _file(case):
    (case / "f").write_text("x")
    return case / "f"


@pytest.mark.parametrize("kind", list(RUNS_DIRS))
@pytest.mark.parametrize("command", ["train", "runs list", "report"])
def test_a_runs_dir_that_is_no_folder_is_one_line(case, command, kind):
    make, says = RUNS_DIRS[kind]
    runs = make(case)
    args = {"train": ["train", "cfg.yaml", "epochs=1"], "runs list": ["runs", "list"],
            "report": ["report"]}[command]  # fmt: skip
    before = snapshot(case.parents[2])
    refused(invoke(*args, "--runs-dir", runs), 2, "error: --runs-dir: ", says)
    assert snapshot(case.parents[2]) == before


def _path_parameters() -> list[tuple[list[str], str]]:
    """(command words, option or "" for an argument) of every file or folder parameter of the
    command line, read from the command tree itself: the options that name paths, and every
    positional ``config``."""
    import typer

    from nnlab.cli import app

    def walk(command: Any, words: list[str]) -> Any:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*words, name])
        if not hasattr(command, "commands"):
            yield words, command

    found = []
    for words, command in walk(typer.main.get_command(app), []):
        for param in command.params:
            opts = [o for o in param.opts if o in PATH_OPTIONS]
            if opts:
                found.append((words, opts[0]))
            elif param.name == "config" and not param.opts[0].startswith("-"):
                found.append((words, ""))
    return found


PATH_OPTIONS = ("--runs-dir", "--data-dir", "--out", "--png", "--from")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("words", "option"),
    _path_parameters(),
    ids=lambda v: " ".join(v) if isinstance(v, list) else v or "config",
)
def test_an_empty_path_is_refused_not_read_as_the_current_folder(case, words, option):
    """``Path("")`` is ``.``: ``--runs-dir "$UNSET"`` wrote run folders into the working folder,
    and ``train ""`` answered "'.': is a folder". Every path option and config argument now
    refuses an empty value in one line naming it, before anything is made."""
    before = snapshot(case.parents[2])
    args = [*words, option, ""] if option else [*words, ""]
    name = option or "CONFIG"  # (an argument by its name in -h)
    refused(invoke(*args), 2, f"error: {name}: '' names no file or folder")
    assert snapshot(case.parents[2]) == before


NEW_REPORT_OUTS = ["leading dot", "control character", "newline", "very long"]


@pytest.mark.parametrize("value", ["missing folder", *NEW_REPORT_OUTS])
def test_a_new_report_folder_is_held_to_the_rules_of_every_out(case, value):
    """``report --out`` made a whole chain of folders (``/tmp/no/such/report``) where every
    other ``--out`` makes one new folder in a folder that exists; it now follows the same
    rules. (An existing folder stays allowed: a report is rebuilt in place.)"""
    (case / "runs").mkdir()
    if value == "missing folder":
        out = case / "no" / "such" / "report"
        text, says = str(out), f"folder '{out.parent}' does not exist"
    else:
        text, says = HOSTILE[value]
    before = snapshot(case.parents[2])
    refused(invoke("report", "--runs-dir", case / "runs", "--out", text), 2, "error: --out: ", says)
    assert snapshot(case.parents[2]) == before


UNWRITABLE = {  # where a figure or a new folder cannot go, and what the error says
    "a folder that takes no file (/proc)": (
        lambda c: Path("/proc"),
        "cannot write in folder '/proc' (No such file or directory)",
    ),
    "a folder that is a file": (lambda c: Path("notes.txt"), "'notes.txt' is not a folder"),
    "a read-only folder": (lambda c: Path("ro"), "cannot write in folder 'ro' (Permission denied)"),
}


def _unwritable(case, monkeypatch, value):
    (case / "notes.txt").write_text("keep me\n")
    (case / "ro").mkdir()
    where, says = UNWRITABLE[value]
    folder = where(case)
    if value == "a read-only folder":
        no_probe_in(monkeypatch, folder)
    return folder, says


@pytest.mark.parametrize("value", list(UNWRITABLE))
@pytest.mark.parametrize("command", [*OUTS, "runs compare"])
def test_a_png_where_nothing_can_be_written_is_refused_before_any_work(
    case, templates, monkeypatch, command, value
):
    # (the run, scan or comparison was done, and then the copy failed: a folder made for
    # nothing, exit 1 and a bare OS error, or exit 0 with the figure silently missing)
    folder, says = _unwritable(case, monkeypatch, value)
    if command == "runs compare":
        run = _a_run(case, templates)
        before = snapshot(case.parents[2])
        refused(
            invoke("runs", "compare", run, "--png", folder / "x.png"), 2, "error: --png: ", says
        )
        assert snapshot(case.parents[2]) == before
        return
    check_refused(case, [*OUTS[command], "--png", folder / "x.png"], "--png", says)


@pytest.mark.parametrize("value", list(UNWRITABLE))
@pytest.mark.parametrize("command", [*OUTS, "report"])
def test_an_out_where_nothing_can_be_written_is_refused_before_any_work(
    case, monkeypatch, command, value
):
    folder, says = _unwritable(case, monkeypatch, value)
    if command == "report":
        (case / "runs").mkdir()
        before = snapshot(case.parents[2])
        result = invoke("report", "--runs-dir", case / "runs", "--out", folder / "new")
        refused(result, 2, "error: --out: ", says)
        assert snapshot(case.parents[2]) == before
        return
    check_refused(case, [*OUTS[command], "--out", folder / "new"], "--out", says)


def test_an_existing_report_folder_that_cannot_be_written_is_refused_before_reading(
    case, templates, monkeypatch
):
    run = _a_run(case, templates)
    (case / "report").mkdir()
    no_probe_in(monkeypatch, case / "report", errno.EROFS)
    reads = []
    monkeypatch.setattr(runs.RunDir, "summary", lambda self: reads.append(self) or {})
    result = invoke("report", "--runs-dir", run.parent, "--out", case / "report")
    refused(
        result,
        2,
        f"error: --out: '{case / 'report'}': cannot write in folder '{case / 'report'}' "
        "(Read-only file system); give another --out (see nnlab report -h)",
    )
    assert reads == [] and list((case / "report").iterdir()) == []


REPORTERS = {
    "train": ["train", "cfg.yaml", "epochs=1"],
    "sweep grid": [*SWEEPS["sweep grid"], "epochs=1"],
    "tune": [*OUTS["tune"], "--epochs", "1"],
    # (these took no --report, and NNLAB_REPORT=1 left the report without their folders)
    "lr-scan": [*OUTS["lr-scan"], "--epochs", "0"],
    "activations": OUTS["activations"],
    "landscape": OUTS["landscape"],
    "compare-optimizers": OUTS["compare-optimizers"],
    "gradcheck": OUTS["gradcheck"],
}


@pytest.mark.parametrize("command", list(REPORTERS))
def test_a_report_folder_that_cannot_be_rebuilt_refuses_report_before_any_work(case, command):
    # (the run trained, then "warning: report not rebuilt"; tune ignored --report altogether)
    (case / "runs" / "report").mkdir(parents=True)
    (case / "runs" / "report" / "mine.txt").write_text("not a report\n")
    before = snapshot(case.parents[2])
    result = invoke(*REPORTERS[command], "--report", "--runs-dir", case / "runs")
    refused(
        result,
        2,
        f"error: --report: '{case / 'runs' / 'report'}': folder is not empty",
        "--runs-dir",
    )
    assert snapshot(case.parents[2]) == before


@pytest.mark.slow
@pytest.mark.parametrize("command", [c for c in REPORTERS if c not in ("train", "sweep grid")])
def test_report_rebuilds_the_report_after_the_folder_it_made(case, command):
    result = invoke(*REPORTERS[command], "-q", "--report", "--runs-dir", case / "runs")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()  # (the run's own output first, as train's)
    assert lines[-1] == f"report: {case / 'runs' / 'report' / 'index.html'}", lines
    (folder,) = [p for p in (case / "runs").iterdir() if p.name != "report"]
    assert folder.name in (case / "runs" / "report" / "index.html").read_text()


ONE_SHAPE = re.compile(
    r"error: (--out|--png|--report|--runs-dir|--name): '[^\n]*'[^\n]*; [^\n]+ \(see nnlab [a-z -]+ -h\)"
)
OUTPUT_REFUSALS = {  # every way an output path is refused, in the commands that take it
    "report --out, a file": ["report", "--out", "notes.txt"],
    "report --out, a folder that is no report": ["report", "--out", "plots.png"],
    "report --out, in a file": ["report", "--out", "notes.txt/r"],
    "report --out, in a missing folder": ["report", "--out", "no/such/r"],
    "report --out, /proc": ["report", "--out", "/proc/r"],
    "--report's folder, no report": [*REPORTERS["train"], "--report"],
    "lr-scan --out, existing": [*OUTS["lr-scan"], "--out", "plots.png"],
    "lr-scan --out, in a missing folder": [*OUTS["lr-scan"], "--out", "no/such/r"],
    "landscape --out, /proc": [*OUTS["landscape"], "--out", "/proc/r"],
    "tune --out, in a file": [*OUTS["tune"], "--out", "notes.txt/r"],
    "tune --out, hidden": [*OUTS["tune"], "--out", ".r"],
    "activations --out, '..'": [*OUTS["activations"], "--out", "../.."],
    "compare-optimizers --out, /": [*OUTS["compare-optimizers"], "--out", "/"],
    "gradcheck --out, inside a run": ["gradcheck", "--compare-differences", "--out", "RUN/x"],
    "--png, in a missing folder": [*OUTS["lr-scan"], "--png", "no/x.png"],
    "--png, a folder": [*OUTS["lr-scan"], "--png", "plots.png"],
    "sweep --name, a path": [*SWEEPS["sweep grid"], "--name", "../.."],
    "--runs-dir inside a run": ["train", "cfg.yaml", "--runs-dir", "RUN"],
}


@pytest.mark.parametrize("refusal", list(OUTPUT_REFUSALS))
def test_every_output_path_refusal_has_one_shape(case, templates, refusal):
    # (report --out said "notes.txt: exists and is not a folder; choose another --out", the
    # library's --out and --report errors had no "(see nnlab CMD -h)" and the --png ones did,
    # and "folder ... does not exist" or "cannot write in folder" said nothing of what to do)
    (case / "plots.png").mkdir()
    (case / "plots.png" / "mine.txt").write_text("not a report\n")
    (case / "notes.txt").write_text("keep me\n")
    (case / "runs" / "report").mkdir(parents=True)
    (case / "runs" / "report" / "mine.txt").write_text("not a report\n")
    run = str(_a_run(case, templates))
    args = [a.replace("RUN", run) for a in OUTPUT_REFUSALS[refusal]]
    if "--runs-dir" not in args:
        args += ["--runs-dir", str(case / "runs")]
    before = snapshot(case.parents[2])
    line = refused(invoke(*args), 2)
    assert ONE_SHAPE.fullmatch(line), line
    assert snapshot(case.parents[2]) == before


@pytest.mark.parametrize("command", ["landscape", "tune"])
def test_an_out_with_resume_is_refused_not_ignored(case, command):
    # (the resume went on in the folder it names and --out was silently ignored)
    (case / "runs").mkdir()
    before = snapshot(case.parents[2])
    result = invoke(command, "--resume", "latest", "--out", "new", "--runs-dir", case / "runs")
    refused(
        result, 2, "error: --out: 'new': not with --resume, which ", f"(see nnlab {command} -h)"
    )
    assert snapshot(case.parents[2]) == before


def test_a_landscape_out_that_is_a_folder_but_no_landscape_says_both_choices(case):
    (case / "mine").mkdir()
    before = snapshot(case.parents[2])
    result = invoke(*OUTS["landscape"], "--out", "mine", "--runs-dir", case / "runs")
    refused(
        result,
        2,
        "error: --out: 'mine' already exists; give a new folder, or a landscape folder to "
        "complete (no landscape.h5 here) (see nnlab landscape -h)",
    )
    assert snapshot(case.parents[2]) == before


@pytest.mark.slow
@pytest.mark.parametrize("command", ["train", "lr-scan"])
def test_a_runs_dir_of_many_new_levels_is_made_not_a_recursion_error(case, command):
    """pathlib made a missing runs folder's parents by recursing once per level: a --runs-dir
    of 1,500 new levels ('a/a/a/...', within the system's path limit) failed with
    'error: unexpected RecursionError: maximum recursion depth exceeded', exit 1."""
    deep = Path(*["a"] * 1500)
    args = ["cfg.yaml", "--num", "2", "--epochs", "1"] if command == "lr-scan" else ["cfg.yaml"]
    try:
        result = invoke(command, *args, "--runs-dir", deep, "-q")
        assert result.exit_code == 0, result.output
        assert runs.RunDir(next(deep.iterdir())).status == "COMPLETED"
    finally:  # (pytest's removal of old temporary folders recurses too: rm's does not)
        subprocess.run(["rm", "-rf", "a"], check=True)
