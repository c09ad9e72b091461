"""A folder made from a config says the dataset the work read: its name's dataset word
follows ``dataset.name`` (``naming.said_name``), for every command that names a folder from
a config (a sweep folder said 'mnist-1000' of trials trained on digits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab.naming import said_name
from nnlab.runs import RunDir
from nnlab.sweep import base_name
from tests.conftest import invoke, one_error_line

# a config named for MNIST, its dataset overridden to digits on each command line
MNIST_NAMED = """\
name: mnist-small
model: {hidden: [10]}
dataset: {name: mnist, n_train: 300}
batch_size: 50
epochs: 1
"""


@pytest.mark.parametrize(
    ("name", "dataset", "said"),
    [
        ("mnist-1000", "digits", "digits-1000"),
        ("overfit-mnist-300-dropout", "digits", "overfit-digits-300-dropout"),
        ("digits_quick.v2", "mnist", "mnist_quick.v2"),
        ("mnist-1000", "mnist", "mnist-1000"),  # (the dataset it names: kept)
        ("mnistish-1000", "digits", "mnistish-1000"),  # (a word, not a part of one)
        ("quickstart", "digits", "quickstart"),  # (no dataset named)
        ("mnist-1000", None, "mnist-1000"),  # (several datasets: as written)
        ("m" * 60 + "-mnist", "digits", "m" * 60 + "-mnist"),  # (too long once said)
    ],
)
def test_a_name_says_the_dataset_the_work_reads(name, dataset, said):
    assert said_name(name, dataset) == said


@pytest.mark.parametrize("value", ["[digits]", "{a: 1}", "7"])
def test_a_dataset_name_that_is_no_name_is_refused_by_its_check(tmp_path, value):
    # (naming the folder first met a list: 'unexpected TypeError: unhashable type')
    config = tmp_path / "bad.yaml"
    config.write_text(f"name: mnist-x\ndataset: {{name: {value}}}\nepochs: 1\n")
    for args in (["sweep", "grid", config, "optimizer.lr=0.1,0.2"], ["tune", config]):
        result = invoke(*args, "--dry-run", runs_dir=tmp_path)
        assert "dataset.name: expected one of" in one_error_line(result)


def test_a_sweep_over_datasets_or_named_by_its_user_keeps_its_name():
    base = {"name": "mnist-1000", "dataset": {"name": "mnist"}}
    assert base_name(base, ["dataset.name=digits"], [], "f") == "digits-1000"
    assert base_name(base, [], ["dataset.name"], "f") == "mnist-1000"
    assert base_name(base, ["name=mine"], [], "f") == "mine"  # (a fixed name= is its name)
    assert base_name({}, [], [], "mnist-file") == "digits-file"  # (the default dataset)


@pytest.mark.parametrize(
    ("command", "made"),
    [
        (["train"], "digits-small"),
        (["sweep", "grid", "{config}", "optimizer.lr=0.1,0.01"], "sweep-digits-small"),
        (["tune", "{config}", "--rounds", "1", "--trials", "2"], "tune-digits-small"),
        (["lr-scan", "{config}", "--num", "2", "--epochs", "1"], "lr-scan-digits-small"),
    ],
)
def test_every_folder_named_from_a_config_says_the_dataset_it_read(tmp_path, command, made):
    config = tmp_path / "mnist-small.yaml"
    config.write_text(MNIST_NAMED)
    args = [a.format(config=config) for a in command]
    if "{config}" not in command:
        args.append(str(config))
    runs_dir = tmp_path / "runs"
    result = invoke(*args, "dataset.name=digits", "-q", runs_dir=runs_dir)
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in runs_dir.iterdir() if p.is_dir() and p.name != "report"]
    assert f"-{made}-" in folder.name and "mnist" not in folder.name
    assert "mnist" not in str(RunDir(folder).meta.get("name"))


def test_a_landscape_and_the_activations_of_a_run_say_its_dataset(tmp_path):
    config = tmp_path / "mnist-small.yaml"
    config.write_text(MNIST_NAMED)
    runs_dir = tmp_path / "runs"
    assert (
        invoke("train", str(config), "dataset.name=digits", "-q", runs_dir=runs_dir).exit_code == 0
    )
    (run,) = list(runs_dir.iterdir())
    for args in (["landscape", str(run), "--points", "3"], ["activations", "--run", str(run)]):
        result = invoke(*args, "-q", "--runs-dir", str(tmp_path / args[0]))
        assert result.exit_code == 0, result.output
        (folder,) = list(Path(tmp_path / args[0]).iterdir())
        assert f"-{args[0]}-digits-small-" in folder.name, folder.name
