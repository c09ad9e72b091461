"""Bad inputs to `nnlab train`: each is exit code 2 and ONE line naming the key or path, no traceback.

Each case is (id, config text or None, arguments after the config, what the line must contain).
``{d}`` in a config, argument or expectation stands for the case's temporary folder, which holds
``good.h5`` (a tiny cat-vs-noncat-shaped HDF5 file), ``empty/`` (no data at all) and
``corrupt/mnist/`` (gzip files whose stream is damaged). The README's "Bad inputs" table is
these cases' real output.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nnlab.cli import app

NO_CONFIG = None  # the case passes its own arguments (no config file written)

CASES: list[tuple[str, str | None, list[str], list[str]]] = [
    ("malformed YAML", "epochs: 3\nmodel: [1, 2\n", [], ["cfg.yaml: line 3", "malformed YAML"]),
    ("YAML that is a list", "- epochs\n- 3\n", [], ["cfg.yaml", "expected a mapping", "list"]),
    ("unknown top-level key", "epoch: 5\n", [], ["'epoch'", "did you mean 'epochs'"]),
    (
        "unknown nested key",
        "model:\n  hiden: [10]\n",
        [],
        ["'model.hiden'", "did you mean 'model.hidden'"],
    ),
    ("wrong type", "epochs: abc\n", [], ["epochs:", "valid integer", "'abc'"]),
    (
        "negative lr",
        "optimizer: {name: sgd, lr: -0.1}\n",
        [],
        ["optimizer.lr:", "greater than 0", "-0.1"],
    ),
    ("lr zero", "optimizer: {name: adam, lr: 0}\n", [], ["optimizer.lr:", "greater than 0"]),
    ("dropout 1.0", "model: {dropout: 1.0}\n", [], ["model.dropout:", "less than 1"]),
    ("hidden size 0", "model: {hidden: [100, 0]}\n", [], ["model.hidden.1:", "greater than 0"]),
    (
        "unknown activation",
        "model: {activation: gelu}\n",
        [],
        ["model.activation:", "'gelu'", "'relu'"],
    ),
    ("unknown init", "model: {init: kaiming}\n", [], ["model.init:", "'kaiming'"]),
    ("unknown dtype", "dtype: float16\n", [], ["dtype:", "'float16'"]),
    (
        "unknown optimizer",
        "optimizer: {name: adamw}\n",
        [],
        ["optimizer.name: unknown 'adamw'", "did you mean 'adam'"],
    ),
    (
        "key not valid for that optimizer",
        "optimizer: {name: sgd, momentum: 0.9}\n",
        [],
        ["'optimizer.momentum'", "valid keys here: name, lr"],
    ),
    (
        "optimizer not a mapping",
        "optimizer: adam\n",
        [],
        ["optimizer:", "expected a mapping", "'adam'"],
    ),
    (
        "batch_size larger than the data",
        "dataset: {name: digits, n_train: 300}\nbatch_size: 500\n",
        [],
        ["batch_size: 500", "training split (300 samples)"],
    ),
    (
        "batch_size not a number",
        "batch_size: huge\n",
        [],
        ["batch_size:", "positive integer or 'full'", "'huge'"],
    ),
    (
        "unknown dataset",
        "dataset: {name: cifar}\n",
        [],
        ["dataset.name: unknown 'cifar'", "digits, mnist, hdf5"],
    ),
    (
        "unknown dataset key",
        "dataset: {name: digits, n_trian: 10}\n",
        [],
        ["'dataset.n_trian'", "did you mean 'dataset.n_train'"],
    ),
    (
        "n_train larger than available",
        "dataset: {name: digits, n_train: 5000}\n",
        [],
        ["dataset.n_train/n_val/n_test", "1797"],
    ),
    ("eval val with n_val 0", "eval: [train, val]\n", [], ["eval: 'val'", "dataset.n_val is 0"]),
    (
        "bce loss on 10-class data",
        "loss: bce\n",
        [],
        ["loss: 'bce' needs 2 classes", "'digits' has 10"],
    ),
    (
        "bad override syntax (no '=')",
        "epochs: 1\n",
        ["epochs"],
        ["override 'epochs'", "key.sub=value"],
    ),
    (
        "override into a scalar",
        "epochs: 1\n",
        ["epochs.x=1"],
        ["override 'epochs.x=1'", "epochs is a value"],
    ),
    (
        "override with a bad value",
        "epochs: 1\n",
        ["optimizer.lr=-1"],
        ["optimizer.lr:", "greater than 0"],
    ),
    ("missing config file", NO_CONFIG, ["{d}/nope.yaml"], ["{d}/nope.yaml: config file not found"]),
    ("config path is a folder", NO_CONFIG, ["{d}"], ["{d}: is a folder"]),
    ("config file not text", NO_CONFIG, ["{d}/good.h5"], ["{d}/good.h5", "not a text file"]),
    (
        "missing MNIST files",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/empty"],
        ["MNIST not found in {d}/empty/mnist", "t10k-images-idx3-ubyte[.gz]"],
    ),
    (
        "corrupt MNIST gzip",
        "dataset: {name: mnist}\n",
        ["--data-dir", "{d}/corrupt"],
        ["{d}/corrupt/mnist/t10k-images-idx3-ubyte.gz", "gzip"],
    ),
    (
        "missing HDF5 file",
        "dataset: {name: hdf5, train_file: missing.h5}\n",
        ["--data-dir", "{d}"],
        ["dataset.train_file", "'missing.h5' not found", "{d}/missing.h5"],
    ),
    (
        "wrong HDF5 key",
        "dataset: {name: hdf5, train_file: good.h5, train_x: images}\n",
        ["--data-dir", "{d}"],
        ["{d}/good.h5", "no dataset 'images' (dataset.train_x)", "train_set_x"],
    ),
    (
        "HDF5 file that is not HDF5",
        "dataset: {name: hdf5, train_file: cfg.yaml}\n",
        ["--data-dir", "{d}"],
        ["{d}/cfg.yaml", "not a readable HDF5 file"],
    ),
    (
        "--resume of an unknown run",
        NO_CONFIG,
        ["--resume", "nope"],
        ["run 'nope'", "no run folder under {d}/runs"],
    ),
    ("--resume latest with no runs", NO_CONFIG, ["--resume", "latest"], ["{d}/runs: no runs yet"]),
]


def make_data(folder: Path) -> None:
    """good.h5 (catvnoncat layout, 6 train and 4 test 2x2x3 images), empty/, corrupt/mnist/."""
    import h5py

    rng = np.random.default_rng(0)
    with h5py.File(folder / "good.h5", "w") as f:
        f["train_set_x"] = rng.integers(0, 256, size=(6, 2, 2, 3), dtype=np.uint8)
        f["train_set_y"] = np.array([0, 1, 0, 1, 0, 1])
        f["test_set_x"] = rng.integers(0, 256, size=(4, 2, 2, 3), dtype=np.uint8)
        f["test_set_y"] = np.array([0, 1, 1, 0])
    (folder / "empty").mkdir()
    mnist = folder / "corrupt" / "mnist"
    mnist.mkdir(parents=True)
    for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        data = gzip.compress(bytes(4000))
        (mnist / f"{stem}.gz").write_bytes(data[:20] + b"\xff" * 20 + data[40:])


def run_case(folder: Path, config: str | None, args: list[str]):
    """Invoke ``nnlab train`` for one case in ``folder``; the result and the runs folder."""
    runs = folder / "runs"
    argv = ["train"]
    if config is not None:
        (folder / "cfg.yaml").write_text(config)
        argv.append(str(folder / "cfg.yaml"))
    argv += [a.replace("{d}", str(folder)) for a in args]
    return CliRunner().invoke(app, [*argv, "--runs-dir", str(runs)]), runs


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    make_data(folder)
    return folder


@pytest.mark.parametrize(
    ("config", "args", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_error_line_naming_the_key_or_path_and_exit_2(
    data_folder, config, args, expected
):
    result, runs = run_case(data_folder, config, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for part in expected:
        assert part.replace("{d}", str(data_folder)) in lines[0]
    assert "Traceback" not in result.output and "unexpected" not in lines[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not runs.exists() or not any(runs.iterdir())  # nothing was started


def test_there_are_at_least_twenty_distinct_cases():
    assert len({c[0] for c in CASES}) == len(CASES) >= 20


def test_debug_shows_the_traceback_instead(data_folder):
    (data_folder / "cfg.yaml").write_text("epoch: 5\n")
    result = CliRunner().invoke(app, ["--debug", "train", str(data_folder / "cfg.yaml")])
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "ConfigError"
