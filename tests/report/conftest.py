"""A runs folder with one folder of every kind nnlab writes, made by the real commands on the
bundled digits data (small settings: a few seconds), shared by the report's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import invoke

CONFIG = str(Path(__file__).resolve().parents[2] / "configs" / "digits-quickstart.yaml")
SMALL = ["dataset.n_train=300", "epochs=3"]

COMMANDS = [
    ["train", CONFIG, *SMALL, "-q"],
    ["train", CONFIG, *SMALL, "optimizer.lr=0.1", "-q"],
    ["sweep", "weight-scale", "model.init_std=1,0.1,0.01", "epochs=2", "dataset.n_train=200", "-q"],
    ["sweep", "grid", CONFIG, "optimizer.lr=0.1,0.01", *SMALL, "-q"],
    ["tune", CONFIG, "--trials", "3", "--epochs", "2", "dataset.n_train=300", "-q"],
    ["lr-scan", CONFIG, "--num", "3", "--epochs", "1", "dataset.n_train=300", "-q"],
    [
        "activations",
        "-a",
        "relu",
        "-i",
        "he,std1",
        "--samples",
        "100",
        "--units",
        "20",
        "--layers",
        "2",
    ],
    ["landscape", "TRAIN", "--points", "5", "-q"],
    ["compare-optimizers", "--optimizers", "sgd,adam", "--steps", "20"],
    ["gradcheck", "--compare-differences"],
]
KINDS = {
    "train",
    "sweep",
    "tune",
    "lr-scan",
    "activations",
    "landscape",
    "compare-optimizers",
    "other",
}


def run_cli(args: list[str], runs_dir: Path) -> str:
    result = invoke(*[*args, "--runs-dir", str(runs_dir)])
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


@pytest.fixture(scope="session")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runs folder holding a folder of each kind (two training runs); do not modify it: copy."""
    runs_dir = tmp_path_factory.mktemp("every-kind") / "runs"
    for args in COMMANDS:
        if "TRAIN" in args:
            train = sorted(p.name for p in runs_dir.iterdir() if "quickstart" in p.name)[0]
            args = [train if a == "TRAIN" else a for a in args]
        run_cli(args, runs_dir)
    return runs_dir


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium, one a test module, with test_browser's executable and flags (a
    module that uses it imports from test_browser, which skips it where Playwright or a
    Chromium cannot be found)."""
    from tests.report.test_browser import CHROMIUM, FLAGS, sync_api

    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()
