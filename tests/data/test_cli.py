"""``nnlab data list`` and ``nnlab data fetch`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import invoke

from .conftest import write_mnist_part
from .test_fetch_catvnoncat import NAMES, corrupt, fake_catvnoncat


def test_data_list_csv_reports_status(tmp_path):
    write_mnist_part(tmp_path / "mnist", "t10k", 10)
    result = invoke(*["data", "list", "--data-dir", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "dataset,status,location,description"
    assert any(line.startswith("mnist,available,") for line in lines)
    assert any(line.startswith("hdf5,missing,") for line in lines)


def test_data_list_json_uses_the_environment_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLAB_DATA_DIR", str(tmp_path))
    result = invoke(*["data", "list", "-f", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {r["dataset"]: r["location"] for r in rows}["mnist"] == str(tmp_path / "mnist")


def test_data_list_table(tmp_path):
    result = invoke(*["data", "list", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and "digits" in result.stdout and "missing" in result.stdout


def test_data_list_says_how_to_get_each_missing_dataset(tmp_path):
    # (a missing row said where it was looked for, not what to run; and 'or give --data-dir'
    # of a --data-dir given, whose fetch went elsewhere without it)
    result = invoke("data", "list", "--data-dir", tmp_path, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"mnist: missing in the data folder {tmp_path}; nnlab data fetch mnist --data-dir "
        f"{tmp_path} downloads it there, or give the folder holding mnist/ as --data-dir",
        f"hdf5: missing in the data folder {tmp_path}; nnlab data fetch catvnoncat --from DIR "
        f"--data-dir {tmp_path} copies cat-vs-noncat's files there, or give the folder holding "
        "catvnoncat/ as --data-dir",
    ]
    write_mnist_part(tmp_path / "mnist", "t10k", 10)
    result = invoke("data", "list", "--data-dir", tmp_path, "-f", "csv")
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["hdf5"]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_data_list_of_a_data_folder_that_does_not_exist_says_so(tmp_path, monkeypatch, how):
    """``data list --data-dir /nonexist`` said 'or give --data-dir' though one was given."""
    gone = tmp_path / "nonexist"
    if how == "environment":
        monkeypatch.setenv("NNLAB_DATA_DIR", str(gone))
    args = ["--data-dir", gone] if how == "option" else []
    result = invoke("data", "list", *args, "-f", "csv")
    assert result.exit_code == 0, result.output
    origin = " (NNLAB_DATA_DIR)" if how == "environment" else ""
    assert result.stderr.splitlines()[0] == (
        f"mnist: missing; the data folder {gone}{origin} does not exist: give the folder holding "
        f"mnist/ as --data-dir, or nnlab data fetch mnist --data-dir {gone} downloads it there"
    )
    assert "or give --data-dir," not in result.stderr


def test_data_fetch_mnist_t10k_from_local_mirror(tmp_path, serve, shared_mnist_dir):
    args = ["data", "fetch", "mnist", "--data-dir", str(tmp_path), "--only", "t10k"]
    args += ["--mirror", serve(shared_mnist_dir), "-f", "csv"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "t10k-images-idx3-ubyte.gz,1648877," in result.stdout
    assert (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").is_file()
    assert "payload MD5 2646ac647ad5339dbf082846283269ea ok" in result.stderr


def error_line(result) -> str:
    """The one ``error:`` line of a failed command (exit 2, no traceback, nothing on stdout)."""
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.output and result.stdout == ""
    return errors[0]


def test_data_fetch_offline_gives_the_full_cause_and_where_to_place_files(tmp_path, dead_url):
    args = ["data", "fetch", "mnist", "--data-dir", str(tmp_path / "d")]
    line = error_line(invoke(*[*args, "--mirror", dead_url]))
    assert line.startswith("error: could not fetch t10k-images-idx3-ubyte.gz from any mirror: ")
    assert "Max retries exceeded with url: /t10k-images-idx3-ubyte.gz" in line
    assert "Failed to establish a new connection" in line and "Connection refused" in line
    names = "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, train-images-idx3-ubyte.gz, "
    names += "train-labels-idx1-ubyte.gz"
    assert f"place {names} in {tmp_path / 'd' / 'mnist'}/ (gzipped or not" in line
    assert "--mirror URL" in line and "..." not in line
    assert not (tmp_path / "d").exists()


def test_data_fetch_from_a_server_without_the_files_names_the_404(tmp_path, serve):
    empty = tmp_path / "empty"
    empty.mkdir()
    base = serve(empty)
    args = ["data", "fetch", "mnist", "--data-dir", str(tmp_path / "d"), "--only", "t10k"]
    line = error_line(invoke(*[*args, "--mirror", base]))
    url = f"{base}t10k-images-idx3-ubyte.gz"
    assert f"{url}: HTTPError: 404 Client Error: File not found for url: {url}; " in line
    assert f"place t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz in {tmp_path}" in line


def test_data_fetch_catvnoncat_absent_says_what_to_place_where(tmp_path):
    line = error_line(invoke(*["data", "fetch", "catvnoncat", "--data-dir", str(tmp_path)]))
    assert line.startswith(f"error: {tmp_path / 'catvnoncat'}: no train_catvnoncat.h5 or ")
    assert "train_set_x (209, 64, 64, 3) uint8" in line and "test_set_y (50,)" in line
    assert f"in {tmp_path / 'catvnoncat'}/" in line and "--from DIR" in line


def test_data_fetch_catvnoncat_from_a_folder(tmp_path, monkeypatch):
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    args = ["data", "fetch", "catvnoncat", "--data-dir", str(tmp_path / "d"), "--from", str(have)]
    result = invoke(*[*args, "-f", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "file,bytes,path"
    assert [line.split(",")[0] for line in lines[1:]] == NAMES
    assert f"{tmp_path / 'd' / 'catvnoncat' / NAMES[1]}: saved" in result.stderr
    # a second run finds them in place, verified
    again = invoke(*args[:5])
    assert again.exit_code == 0 and again.stderr.count("present, SHA-256") == 2


def test_data_fetch_quiet_leaves_out_the_progress_not_the_result_or_an_error(tmp_path, monkeypatch):
    # (data fetch had no -q/--quiet: its lines per file came whatever one asked)
    have = fake_catvnoncat(tmp_path / "downloads", monkeypatch)
    args = ["data", "fetch", "catvnoncat", "--data-dir", tmp_path / "d", "--from", have, "-q"]
    result = invoke(*args, "-f", "csv")
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == NAMES
    missing = invoke("data", "fetch", "catvnoncat", "--data-dir", tmp_path / "e", "--quiet")
    assert missing.exit_code == 2 and missing.stderr.startswith("error: "), missing.output


def test_data_fetch_catvnoncat_corrupt_file_is_one_error_line(tmp_path, monkeypatch):
    fake_catvnoncat(tmp_path / "catvnoncat", monkeypatch)
    corrupt(tmp_path / "catvnoncat" / NAMES[0])
    args = ["data", "fetch", "catvnoncat", "--data-dir", str(tmp_path)]
    line = error_line(invoke(*args))
    assert line.startswith(f"error: {tmp_path / 'catvnoncat' / NAMES[0]}: not the known copy")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["catvnoncat", "--mirror", "http://127.0.0.1:9/"], "--mirror"),
        (["catvnoncat", "--only", "t10k"], "--only"),
        (["mnist", "--from", "."], "--from"),
    ],
)
def test_data_fetch_options_of_the_other_dataset_are_usage_errors(tmp_path, args, option):
    result = invoke(*["data", "fetch", *args, "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {option}: goes with")
    assert not (tmp_path / "d").exists()


def test_data_fetch_mnist_from_a_folder_says_to_read_it_with_data_dir(tmp_path):
    # (it said only 'goes with catvnoncat (mnist is downloaded)')
    result = invoke(*["data", "fetch", "mnist", "--from", ".", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "MNIST files you have are read where they are: give the folder holding mnist/ as " \
        "--data-dir" in result.stderr  # fmt: skip


def test_data_fetch_unknown_dataset_is_a_usage_error():
    result = invoke(*["data", "fetch", "cifar10"])
    assert result.exit_code == 2


def test_data_fetch_unknown_part_is_a_usage_error(tmp_path):
    result = invoke(*["data", "fetch", "mnist", "--only", "test"])
    assert result.exit_code == 2


def test_a_mirror_that_is_no_url_is_bad_usage(tmp_path):
    result = invoke("data", "fetch", "mnist", "--mirror", "notaurl", "--data-dir", tmp_path)
    assert result.exit_code == 2
    assert "--mirror: 'notaurl': expected a base URL starting http:// or https://" in result.stderr


def test_a_folder_where_a_data_file_should_be_is_named_as_one(tmp_path):
    """Not "missing" or "not found": the path is there, but it is a folder."""
    (tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz").mkdir(parents=True)
    config = Path(__file__).resolve().parents[2] / "configs" / "mnist-1000.yaml"
    result = invoke("train", config, "--data-dir", tmp_path, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2
    assert "t10k-images-idx3-ubyte.gz: is a folder, expected an IDX file" in result.stderr
    (tmp_path / "cat.h5").mkdir()
    cfg = tmp_path / "h5.yaml"
    cfg.write_text("dataset: {name: hdf5, train_file: cat.h5}\n")
    result = invoke("train", cfg, "--data-dir", tmp_path, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2
    assert f"dataset.train_file: {tmp_path / 'cat.h5'} is a folder, expected an HDF5 file" in (
        result.stderr
    ), result.stderr


DATA_DIRS = {  # a --data-dir no file can be put in, and what the one line says of it
    "a file": ("file", "'{d}' is not a folder"),
    "in a file": ("file/data", "'{d}': '{t}/file' is not a folder"),
    "in a folder that takes no file (/proc)": (
        "/proc/nnlab-data",
        "'{d}': cannot write in folder '/proc' (No such file or directory)",
    ),
    "a read-only folder": ("ro", "'{d}': cannot write in folder '{d}' (Permission denied)"),
}


@pytest.mark.parametrize("dataset", ["mnist", "catvnoncat"])
@pytest.mark.parametrize("kind", list(DATA_DIRS))
def test_data_fetch_into_a_data_dir_that_cannot_take_files_is_refused_before_any_download(
    tmp_path, monkeypatch, kind, dataset
):
    # (an OS error, exit 1, naming a temp file ('/proc/.nnlab-fetch-s_n9uddm: No such file or
    # directory') or the folder it could not make; a file was said another way, exit 2)
    import errno
    import os
    import tempfile

    import pooch

    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "ro").mkdir()
    where, says = DATA_DIRS[kind]
    data_dir = tmp_path / where
    if kind == "a read-only folder":  # (as root, chmod cannot make one: the probe is refused)
        real = tempfile.mkstemp

        def mkstemp(*args, **kwargs):
            if kwargs.get("dir") is not None and Path(kwargs["dir"]) == data_dir:
                raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(data_dir))
            return real(*args, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    downloads = []
    monkeypatch.setattr(pooch, "retrieve", lambda *a, **k: downloads.append(a) or [][0])
    source = fake_catvnoncat(tmp_path / "src", monkeypatch)
    extra = ["--mirror", "http://127.0.0.1:9/"] if dataset == "mnist" else ["--from", str(source)]
    line = error_line(invoke("data", "fetch", dataset, "--data-dir", str(data_dir), *extra))
    expected = says.format(d=data_dir, t=tmp_path)
    assert line == (
        f"error: --data-dir: {expected}; give another --data-dir (see nnlab data fetch -h)"
    )
    assert downloads == [] and (tmp_path / "file").read_text() == "not a folder"
    assert list((tmp_path / "ro").iterdir()) == []
