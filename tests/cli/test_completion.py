"""Shell completion: run references, config overrides and the values of runs list's filters,
as bash, zsh and fish ask for them (``nnlab --install-completion`` sets the shell up)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nnlab.cli import app
from tests.conftest import fake_run


def complete(words: str, shell: str = "bash", env: dict[str, str] | None = None) -> list[str]:
    """What the shell is offered for the command line ``words`` (its last word being typed)."""
    if shell == "bash":
        parts = words.split(" ")
        shell_env = {"COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)}
    else:
        shell_env = {"_TYPER_COMPLETE_ARGS": words}
    if shell == "fish":
        shell_env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = CliRunner().invoke(
        app, [], prog_name="nnlab",
        env={"_NNLAB_COMPLETE": f"complete_{shell}", **shell_env, **(env or {})},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture
def root(tmp_path):
    runs = tmp_path / "runs"
    for second, (name, kind) in enumerate([("20250101-000000-a-111111", "train"),
                                           ("20250101-000001-s-222222", "sweep")]):  # fmt: skip
        run = fake_run(runs, name, kind=kind, started=f"2025-01-01T00:00:0{second}.000+00:00")
        (run.path / "summary.json").write_text(json.dumps({"status": "COMPLETED"}))
    return runs


RUN_REFS = [
    "nnlab runs show ",
    "nnlab sweep resume ",
    "nnlab runs compare x ",
    "nnlab runs remove ",
    "nnlab train --resume ",
    "nnlab train --extend ",
    "nnlab sweep --resume ",
    "nnlab tune --resume ",
    "nnlab lr-scan --resume ",
    "nnlab landscape --resume ",
]


@pytest.mark.parametrize("words", RUN_REFS)
def test_a_run_reference_offers_latest_and_the_folders_of_the_runs_folder(root, words):
    offered = complete(words, env={"NNLAB_RUNS_DIR": str(root)})
    assert offered == ["latest", "20250101-000000-a-111111", "20250101-000001-s-222222"]


def test_the_runs_folder_is_the_one_the_command_line_names(root, tmp_path):
    words = f"nnlab runs show --runs-dir {root} 2025"
    assert complete(words) == ["20250101-000000-a-111111", "20250101-000001-s-222222"]
    assert complete(f"nnlab runs show --runs-dir {tmp_path / 'none'} ") == ["latest"]
    assert complete(f"nnlab runs show --runs-dir {root} runs/") == []  # (a path: the shell's)


def test_zsh_shows_each_folders_kind_and_status(root):
    (line,) = complete("nnlab runs show 20250101-000001", "zsh", {"NNLAB_RUNS_DIR": str(root)})
    assert '"20250101-000001-s-222222":"sweep, COMPLETED"' in line


@pytest.mark.parametrize("command", ["train cfg.yaml", "lr-scan cfg.yaml", "sweep grid cfg.yaml",
                                     "sweep random cfg.yaml", "sweep weight-scale",
                                     "gradcheck cfg.yaml", "landscape cfg.yaml", "tune cfg.yaml"])  # fmt: skip
def test_an_override_offers_the_config_keys(command):
    assert complete(f"nnlab {command} optimizer.b") == ["optimizer.beta1=", "optimizer.beta2="]
    assert "model.batchnorm=" in complete(f"nnlab {command} ")


def test_after_a_key_the_names_it_takes(root):
    assert complete("nnlab train cfg.yaml model.activation=", "fish") == [
        "model.activation=relu", "model.activation=sigmoid", "model.activation=tanh",
    ]  # fmt: skip
    assert complete("nnlab train cfg.yaml model.batchnorm=t", "fish") == ["model.batchnorm=true"]
    assert complete("nnlab train cfg.yaml optimizer.lr=0", "fish") == []


def test_runs_list_filters_offer_their_values():
    assert complete("nnlab runs list --kind s") == ["sweep"]
    assert complete("nnlab runs list --status D") == ["DIVERGED", "DAMAGED"]


def test_the_shell_script_is_there_to_install(monkeypatch):
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")  # (read as it builds)
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="nnlab")
    assert result.exit_code == 0, result.output
    assert "complete -o default -F _nnlab_completion nnlab" in result.stdout


def test_a_removed_working_folder_offers_what_it_can_without_a_word(tmp_path, monkeypatch):
    # (every command refuses a working folder that is gone; TAB must not print that line into
    # the prompt being typed: the command names, and 'latest' of a runs folder it cannot read)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert complete("nnlab tr") == ["train"]
    assert complete("nnlab runs show ") == ["latest"]
    result = CliRunner().invoke(
        app, [], prog_name="nnlab",
        env={"_NNLAB_COMPLETE": "complete_bash", "COMP_WORDS": "nnlab tr", "COMP_CWORD": "1"},
    )  # fmt: skip
    assert result.stderr == ""
