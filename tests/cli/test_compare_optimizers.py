"""``nnlab compare-optimizers``: the x cos(pi x) study, JSON schema, run folder, overrides, the
dataset mode, and every error path as one line with exit code 2."""

from __future__ import annotations

import json

import pytest

from tests.conftest import invoke

XCOSPI = ["--function", "xcospi", "--optimizers", "gd", "--lr", "0.1,1.000542,1.0055"]
XCOSPI += ["--start", "0.5,-1.0", "--steps", "5,20"]


def compare(tmp_path, *args: str, out: str = "run"):
    return invoke("compare-optimizers", *args, "--out", tmp_path / out)


def test_xcospi_study_table_and_run_folder(tmp_path):
    result = compare(tmp_path, *XCOSPI, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    header = "optimizer,hyperparameters,start,steps,final point,final value,steps to tol,diverged,outcome"
    assert lines[0] == header
    outcomes = [line.rsplit(",", 1)[1] for line in lines[1:]]
    assert outcomes == [
        "global min",
        "local min",
        "left plot box",
        "left plot box",
        "left plot box",
        "left plot box",
    ]  # fmt: skip  (lr 1.0055 from 0.5 ends at -1.686, outside d2l's window [-1, 2])
    assert lines[1].startswith("gd,lr=0.1,(0.5),5,(1.0899),-1.0467")
    assert "lr=1.000542" in result.stdout
    run = tmp_path / "run"
    assert {p.name for p in run.iterdir()} >= {
        "meta.json",
        "result.json",
        "summary.txt",
        "paths.png",
    }
    assert json.loads((run / "meta.json").read_text())["status"] == "COMPLETED"
    assert "global min" in (run / "summary.txt").read_text()


def test_json_has_hyperparameters_and_full_paths(tmp_path):
    result = compare(
        tmp_path, "--function", "book", "-o", "sgd,momentum,adam", "--steps", "7",
        "adam.lr=0.2", "momentum.momentum=0.8", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "function" and doc["function"] == "book"
    assert doc["minimum"] == [0.0, 0.0] and doc["tol"] == 0.01
    assert doc["run"] == str(tmp_path / "run") and doc["figure"].endswith("paths.png")
    runs = {r["optimizer"]: r for r in doc["runs"]}
    assert runs["sgd"]["hyperparameters"] == {"lr": 0.95}
    assert runs["momentum"]["hyperparameters"] == {"lr": 0.1, "momentum": 0.8}
    assert runs["adam"]["hyperparameters"] == {"lr": 0.2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    keys = {"optimizer", "rule", "hyperparameters", "start", "steps", "final_point",
            "final_value", "steps_to_tol", "diverged", "diverged_at", "outcome", "path", "values"}  # fmt: skip
    for r in doc["runs"]:
        assert set(r) == keys
        assert r["start"] == [-7.0, 2.0] and r["path"][0] == [-7.0, 2.0]
        assert len(r["path"]) == len(r["values"]) == 8
        assert r["final_point"] == r["path"][-1] and r["diverged"] is False
    saved = json.loads((tmp_path / "run" / "result.json").read_text())
    assert saved["runs"] == doc["runs"]


def test_png_option_writes_a_copy_of_the_figure(tmp_path):
    png = str(tmp_path / "docs" / "paths.png")
    (tmp_path / "docs").mkdir()  # (--png writes into a folder that exists)
    result = compare(tmp_path, "-o", "sgd,adam", "--steps", "3", "--png", png)
    assert result.exit_code == 0, result.output
    copy = (tmp_path / "docs" / "paths.png").read_bytes()
    assert copy[:8] == b"\x89PNG\r\n\x1a\n"
    assert copy == (tmp_path / "run" / "paths.png").read_bytes()
    # (the folder's line names its figure, as every command's; the copy is a line of its own)
    last = result.stderr.splitlines()[-2:]
    assert last == [f"run folder: {tmp_path / 'run'}  (figure: paths.png)", f"figure: {png}"]


def test_divergence_is_a_result_not_a_failure(tmp_path):
    result = compare(tmp_path, "-o", "sgd", "--lr", "50", "--steps", "200", "--format", "json")
    assert result.exit_code == 0, result.output
    (r,) = json.loads(result.stdout)["runs"]
    assert r["diverged"] is True and r["diverged_at"] == 78 and r["outcome"] == "diverged"
    assert "Warning" not in result.output


def test_default_runs_dir_gets_a_timestamped_folder(tmp_path):
    args = ["compare-optimizers", "-o", "gd", "--steps", "2", "--runs-dir", str(tmp_path / "runs")]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "runs").iterdir()
    assert "-compare-optimizers-" in folder.name and (folder / "paths.png").exists()


def test_dataset_mode_with_baselines_on_a_linear_classifier(tmp_path):
    result = compare(
        tmp_path, "--dataset", "digits", "--hidden", "none", "--loss", "svm", "--steps", "40",
        "-o", "sgd,random-search,random-local-search", "random-search.scale=0.5",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "dataset" and doc["dataset"] == "digits" and doc["iterations"] == 40
    assert doc["config"]["model"]["hidden"] == [] and doc["config"]["loss"] == "svm"
    runs = {r["optimizer"]: r for r in doc["runs"]}
    assert runs["random-search"]["hyperparameters"] == {"scale": 0.5}
    for r in doc["runs"]:
        assert len(r["losses"]) == len(r["losses_smoothed"]) == 40
        assert set(r["final"]) == {"train_loss", "train_acc", "test_loss", "test_acc"}
    run = tmp_path / "run"
    assert (run / "losses.png").exists() and (run / "config.yaml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--function", "rosenbrok"], "got 'rosenbrok' (did you mean 'rosenbrock'?)"),
        (["-o", "sgd,adamw"], "unknown optimizer 'adamw' (AdamW, decoupled weight decay, is not in nnlab"),
        (["-o", "adam", "adam.lrr=0.1"], "adam has no hyperparameter 'lrr' (did you mean adam.lr?)"),
        (["-o", "adam", "rmsprop.lr=0.1"], "optimizer 'rmsprop' is not among --optimizers"),
        (["-o", "adam", "adam.lr"], "expected key.sub=value"),
        (["-o", "adam", "adam"], "override 'adam': expected key.sub=value (e.g. adam.lr=0.3)"),
        (["-o", "momentum", "momentum.momentum=2"],
         "override 'momentum.momentum=2': momentum.momentum: input should be less than 1"),
        # (an override's error names the override, as train's does: it said 'override:' and
        # nothing for an unknown optimizer)
        (["-o", "adam", "adm.lr=0.3"], "override 'adm.lr=0.3': unknown optimizer 'adm' (did you mean 'adam'?)"),
        (["--lr", "0.1,x"], "--lr: expected comma-separated numbers"),
        (["--lr", "0"], "--lr: sgd.lr: input should be greater than 0"),
        (["--function", "xcospi", "--start", "0.5,-1.0", "--steps", "5,20,30"],
         "--steps: got 3 values for 2 start points"),
        (["--start", "-7,2,1"], "function 'book' is 2-D, so each point needs 2 numbers"),
        (["--steps", "0"], "--steps: every value must be >= 1"),
        (["--function", "book", "--dataset", "digits"], "give --function or --dataset, not both"),
        (["-o", "random-search"], "is a baseline for --dataset comparisons"),
        (["--dataset", "digits", "--start", "1,2"], "--start: for --function comparisons"),
        (["--dataset", "digits", "--tol", "0.1"], "--tol: for --function comparisons"),
        # a net's options on a function would be ignored: refused, as --start on a dataset is
        (["--function", "book", "--hidden", "10"], "--hidden: for --dataset comparisons"),
        (["--loss", "svm"], "--loss: for --dataset comparisons"),
        (["--batch-size", "10"], "--batch-size: for --dataset comparisons"),
        (["--seed", "3"], "--seed: for --dataset comparisons"),
        (["--jobs", "2"], "--jobs: for --dataset comparisons"),
        (["--dataset", "cifar"], "error: --dataset: unknown 'cifar'"),  # (was named dataset.name)
        (["--dataset", "digits", "--hidden", "100000"],
         "error: --hidden: input should be less than or equal to 65536, got 100000"),
        (["--dataset", "hdf5", "--data-dir", "."],  # (not 'dataset.train_file: ... missing')
         "dataset.train_file: file 'catvnoncat/train_catvnoncat.h5' not found"),
        (["--dataset", "digits", "--loss", "bce"], "--loss: expected one of softmax_ce, svm, got 'bce'"),
        (["--dataset", "digits", "--loss", "svn"], "got 'svn' (did you mean 'svm'?)"),  # (as --function)
    ],
)  # fmt: skip
def test_errors_are_one_line_with_exit_2_and_no_folder(tmp_path, args, message):
    result = compare(tmp_path, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_dataset_hdf5_trains_on_catvnoncats_files_as_data_list_finds_them(tmp_path):
    # (--help offers hdf5, but it failed with 'dataset.train_file: required key is missing')
    from tests.data.conftest import write_h5

    write_h5(tmp_path / "data/catvnoncat/train_catvnoncat.h5", n=40)
    write_h5(tmp_path / "data/catvnoncat/test_catvnoncat.h5", "test_set_x", "test_set_y", n=10)
    args = ["--dataset", "hdf5", "--data-dir", tmp_path / "data", "-o", "sgd", "--steps", "2"]
    result = compare(tmp_path, *args, "--hidden", "4", "--batch-size", "8", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["dataset"] == "hdf5" and len(doc["runs"][0]["losses"]) == 2


def test_existing_out_folder_is_refused(tmp_path):
    (tmp_path / "run").mkdir()
    result = compare(tmp_path, "--steps", "2")
    assert result.exit_code == 2 and "already exists" in result.stderr


def test_help_shows_the_example():
    result = invoke(*["compare-optimizers", "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "--lr 0.1,1.000542,1.0055" in result.stdout
    # (that d2l study was its only example: the everyday ones come first)
    examples = [line.strip() for line in result.stdout.splitlines() if "Example:" in line]
    assert examples[:2] == [
        "Example: nnlab compare-optimizers --function book --png paths.png",
        "Example: nnlab compare-optimizers --dataset digits --optimizers sgd,momentum,adam --jobs 2",
    ]


def test_help_names_every_dataset_and_the_defaults_of_the_text_options():
    from nnlab.data.registry import DATASETS

    text = " ".join(invoke("compare-optimizers", "--help", env={"COLUMNS": "250"}).stdout.split())
    assert all(name in text for name in DATASETS)
    for default in ("[default: sgd, momentum, nesterov, adagrad, rmsprop, adam on a function", "[default: the function's (book: "
                    "-7,2)]", "(book: 30)", "[default: 100,100,100,100,100]", "[default: book]",
                    "[default: 128; 1<=x<=10000000]", "[default: 0.01; 0<x<=1e+06]"):  # fmt: skip
        assert default in text, default


def test_an_empty_hidden_is_refused_not_read_as_a_linear_net():
    from nnlab.errors import ConfigError
    from nnlab.experiments.optimizers.training import parse_hidden

    assert parse_hidden("none") == parse_hidden("0") == parse_hidden("linear") == []
    with pytest.raises(ConfigError, match="--hidden: empty"):
        parse_hidden("  ")


@pytest.mark.parametrize("option", ["--function", "--dataset", "--optimizers", "--lr", "--start",
                                    "--steps"])  # fmt: skip
def test_an_empty_text_option_is_refused_not_read_as_its_default(tmp_path, option):
    # (`--function ""` compared on the default function and exited 0)
    result = invoke("compare-optimizers", option, "", runs_dir=tmp_path / "runs")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {option}: empty; give a value, or leave the option")
    assert not (tmp_path / "runs").exists()


def test_the_hyperparameters_column_shows_lr_and_momentum_and_what_differs_from_defaults():
    from nnlab.experiments.optimizers.specs import OptimizerSpec

    def described(name: str, **hyper: float) -> str:
        return OptimizerSpec(name, name, hyper).describe()

    assert described("momentum", lr=0.1, momentum=0.9) == "lr=0.1, momentum=0.9"
    assert described("adam", lr=0.3, beta1=0.9, beta2=0.999, eps=1e-8) == "lr=0.3"
    assert described("adam", lr=0.3, beta1=0.5, beta2=0.999, eps=1e-8) == "lr=0.3, beta1=0.5"


def test_runs_show_gives_the_folders_table_as_csv_and_its_result_as_json(tmp_path):
    """`runs show -f csv` of a comparison refused ('no per-epoch records') and `-f json` held
    an empty summary: the folder's table rows, and its checked result.json, are what it holds."""
    printed = compare(tmp_path, *XCOSPI, "--format", "csv")
    assert printed.exit_code == 0, printed.output
    run = tmp_path / "run"
    shown = invoke("runs", "show", run, "-f", "csv")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.strip().splitlines() == printed.stdout.strip().splitlines()
    view = json.loads(invoke("runs", "show", run, "-f", "json").stdout)
    assert view["result"] == json.loads((run / "result.json").read_text())


def test_the_tables_title_says_what_its_tolerance_is(tmp_path):
    # ("book: ... (tol 0.01)": adagrad's final value 7.219e-04 beside "not converged" read as a
    # contradiction; the tolerance is a distance to the minimum, not a value)
    result = compare(tmp_path, "--function", "book", "--tol", "0.05")
    assert result.exit_code == 0, result.output
    title = "book: f(x, y) = x^2/20 + y^2 (tol 0.05: the distance to the minimum that counts as reached)"
    assert result.stdout.splitlines()[0] == title
    shown = invoke("runs", "show", tmp_path / "run")
    assert title in shown.stdout.splitlines()


def test_dataset_steps_are_that_many_minibatch_steps_not_whole_epochs(tmp_path):
    # (digits' 1,500 training images in batches of 128: 12 steps an epoch; 20 is not 24)
    result = compare(tmp_path, "--dataset", "digits", "--hidden", "16,8", "--steps", "20",
                     "-o", "sgd,random-search", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["iterations"] == 20 and doc["config"]["epochs"] == 2
    assert [len(r["losses"]) for r in doc["runs"]] == [20, 20]
    assert "20 iterations" in doc["setup"]  # (and each layer's width: '16,8' read '2x16')
    assert doc["setup"].startswith("16-8 relu MLP, softmax_ce, batch 128, 20 iterations")
    help_text = " ".join(invoke("compare-optimizers", "-h").stdout.split())
    assert "exactly that many, not rounded to whole epochs" in help_text
