"""A command's help says what the command does: the overrides it gives as its example are ones
that command takes (lr-scan's help offered ``e.g. optimizer.lr=0.1``, which lr-scan refuses: the
scan sets the rate; gradcheck's the same, which a gradient check never reads), and the folder it
says the command writes is the one it writes, with the files it names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import invoke

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "digits-quickstart.yaml")
SMALL = ["dataset.n_train=300", "model.hidden=[20]"]

# each command with a config and overrides, with settings that make it quick
RUNS = {
    "train": ["--print-config"],
    "lr-scan": ["--min", "-2", "--max", "-1", "--num", "2", "--epochs", "0"],
    "gradcheck": ["--max-entries", "2", "--batch", "4"],
    "landscape": ["--points", "3", "--samples", "100"],
}


def example_overrides(command: str) -> list[str]:
    """The ``e.g. ...`` overrides of the OVERRIDES argument in ``command``'s help."""
    text = " ".join(invoke(command, "--help", env={"COLUMNS": "200"}).stdout.split())
    match = re.search(r"OVERRIDES Overrides as key\.sub=value, e\.g\. ([^(]+?) \(", text)
    assert match, text
    return match.group(1).split()


@pytest.mark.parametrize("command", sorted(RUNS))
def test_the_example_overrides_in_a_commands_help_are_taken_by_it(command, tmp_path):
    example = example_overrides(command)
    assert example and all("=" in text for text in example)
    result = invoke(command, CONFIG, *SMALL, *example, *RUNS[command], runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    assert "not used" not in result.stderr and "no effect" not in result.stderr


def test_lr_scan_and_gradcheck_offer_no_override_of_the_rate():
    for command in ("lr-scan", "gradcheck"):
        assert not [t for t in example_overrides(command) if t.startswith("optimizer.lr=")]


def command_help(*path: str) -> str:
    """The text of a command's help above its arguments and options (its docstring) but for its
    examples, with its group's (a sweep command's folder is the one ``nnlab sweep -h``
    describes)."""
    import typer

    from nnlab.cli import app

    command, texts = typer.main.get_command(app), []
    for name in path:
        command = command.commands[name]
        texts += [part for part in (command.help or "").split("\n\n")
                  if not part.lstrip("\b\n").startswith("Example:")]  # fmt: skip
    return " ".join(" ".join(texts).split())


FILE_NAME = re.compile(r"[\w-]+\.(?:npz|yaml|jsonl|json|txt|csv|png|h5)\b|\b[a-z]+/(?=[ <(])")
QUICK = [CONFIG, "epochs=1"]

# Each command that makes a folder, cheaply: the help that describes its folder, the folder's
# name as the help writes it, the files the folder then holds, and the files the help names for
# another case with the words that say when (``{file: words}``).
FOLDERS = [
    pytest.param(["train", *QUICK], "<date>-<time>-<name>-<id>", {"checkpoint.npz",
                 "config.yaml", "curves.png", "meta.json", "metrics.jsonl", "summary.json",
                 "summary.txt"}, {}, id="train"),
    pytest.param(["lr-scan", CONFIG, "--num", "2", "--epochs", "0"],
                 "<date>-<time>-lr-scan-<config>-<id>", {"config.yaml", "lr-scan.png",
                 "meta.json", "summary.json", "summary.txt"}, {}, id="lr-scan"),
    pytest.param(["activations", "--layers", "1", "--units", "10", "--samples", "20", "-a",
                 "relu", "-i", "he"], "<date>-<time>-activations-<id>", {"activations.png",
                 "meta.json", "summary.json", "summary.txt"}, {}, id="activations"),
    pytest.param(["activations", "--run", "latest", "--samples", "20"],
                 "activations-<run's name>-<id>", {"activations.png", "meta.json",
                 "summary.json", "summary.txt"}, {}, id="activations-run"),
    pytest.param(["compare-optimizers", "--function", "book", "--steps", "5"],
                 "<date>-<time>-compare-optimizers-<id>", {"meta.json", "paths.png",
                 "result.json", "summary.txt"}, {"losses.png": "on a dataset",
                 "config.yaml": "on a dataset"}, id="compare-optimizers"),
    pytest.param(["compare-optimizers", "--dataset", "digits", "-o", "sgd", "--steps", "5",
                 "--hidden", "10"], "<date>-<time>-compare-optimizers-<id>", {"config.yaml",
                 "losses.png", "meta.json", "result.json", "summary.txt"}, {"paths.png":
                 "on a dataset"}, id="compare-optimizers-dataset", marks=pytest.mark.slow),
    pytest.param(["landscape", *QUICK, "--points", "3", "--samples", "100"],
                 "<date>-<time>-landscape-<config>-<id>", {"config.yaml", "landscape-1d.png",
                 "landscape-2d.png", "landscape.h5", "meta.json", "summary.json",
                 "summary.txt"}, {}, id="landscape", marks=pytest.mark.slow),
    pytest.param(["gradcheck", "--compare-differences"],
                 "<date>-<time>-gradcheck-differences-<id>", {"differences.json",
                 "differences.png", "meta.json"}, {"config.yaml": "of a config, its config.yaml"},
                 id="gradcheck", marks=pytest.mark.slow),
    pytest.param(["gradcheck", CONFIG, "--compare-differences"],
                 "<date>-<time>-gradcheck-differences-<id>", {"config.yaml", "differences.json",
                 "differences.png", "meta.json"}, {}, id="gradcheck-config",
                 marks=pytest.mark.slow),
    pytest.param(["tune", *QUICK, "--trials", "2"], "<date>-<time>-tune-<config>-<id>",
                 {"meta.json", "rounds/", "summary.json", "summary.txt", "tune-curves.png",
                 "tune-scatter.png", "tune.json"}, {}, id="tune", marks=pytest.mark.slow),
    pytest.param(["sweep", "grid", *QUICK, "optimizer.lr=0.1,0.01"],
                 "<date>-<time>-sweep-<name>-<id>", {"curves.png", "meta.json", "summary.csv",
                 "summary.json", "summary.txt", "sweep.yaml", "trials/"}, {}, id="sweep-grid",
                 marks=pytest.mark.slow),
    pytest.param(["sweep", "weight-scale", "epochs=1"], "<date>-<time>-sweep-<name>-<id>",
                 {"meta.json", "summary.csv", "summary.json", "summary.txt", "sweep.yaml",
                 "trials/", "weight-scale-summary.png", "weight-scale.png"},
                 {"curves.png": "a preset: its own figures in its place"}, id="weight-scale",
                 marks=pytest.mark.slow),
]  # fmt: skip


@pytest.mark.parametrize(("args", "name", "files", "elsewhere"), FOLDERS)
def test_a_commands_help_names_its_folder_and_the_files_in_it(args, name, files, elsewhere,
                                                              tmp_path):  # fmt: skip
    """What the README's tour points to (every command's ``-h`` says what it writes where)
    was not what the commands wrote: ``sweep -h`` gave a preset's folder a curves.png "and its
    own figures too" (weight-scale draws its two in its place), ``activations -h`` named the
    folder of ``--run`` without the run's name it carries, and ``gradcheck -h`` left out the
    config.yaml of a config's ``--compare-differences``. The folder each makes holds the files
    its help names, under the name it writes, and a file named but not there is named for
    another case, in the words that say so."""
    runs = tmp_path / "runs"
    if "--run" in args:
        assert invoke("train", *QUICK, "-q", runs_dir=runs).exit_code == 0
    before = set(runs.iterdir()) if runs.is_dir() else set()
    result = invoke(*args, "-q", runs_dir=runs)
    assert result.exit_code == 0, result.output
    (folder,) = set(runs.iterdir()) - before
    path = args[:2] if args[0] == "sweep" else args[:1]
    text = command_help(*path)
    assert name in text, name
    pattern = re.escape(name if name.startswith("<") else f"<date>-<time>-{name}")
    for part, means in (("<date>-<time>", r"\d{8}-\d{6}"), ("<id>", "[0-9a-f]{6}"),
                        ("<name>", r"[\w.-]+"), ("<config>", r"[\w.-]+"),
                        ("<run's name>", r"[\w.-]+")):  # fmt: skip
        pattern = pattern.replace(re.escape(part), means)
    assert re.fullmatch(pattern, folder.name), (folder.name, name)
    held = {p.name + ("/" if p.is_dir() else "") for p in folder.iterdir()}
    assert held == files
    named = set(FILE_NAME.findall(text))
    assert files <= named, sorted(files - named)
    assert named - files == set(elsewhere), sorted(named - files)
    assert [words for words in elsewhere.values() if words not in text] == []
