"""Bad inputs found fuzzing the commands the config and option fuzzing left out (runs
list/show/compare/remove, report, data, config keys, gradcheck, activations, landscape,
lr-scan, tune, train --extend, environment variables): each is one line, exit 2, nothing
written."""

from __future__ import annotations

import pytest

from tests.conftest import fake_run, invoke, one_error_line

RUN = "20250101-000000-a-111111"


@pytest.fixture
def runs(tmp_path):
    root = tmp_path / "runs"
    fake_run(root, RUN)
    return root


@pytest.mark.parametrize("name", ["curves.png", "other.png", "sub/x.png"])
@pytest.mark.parametrize(
    "command",
    [["runs", "compare", RUN], ["lr-scan", "--num", "2", "--epochs", "0"], ["activations"]],
)
def test_a_png_inside_a_run_folder_is_refused_before_any_work(runs, command, name):
    # (runs compare --png runs/X/curves.png drew the comparison as run X's own figure, exit 0)
    (runs / RUN / "sub").mkdir()
    (runs / RUN / "curves.png").write_bytes(b"its own figure")
    before = sorted(p.name for p in runs.iterdir())
    target = runs / RUN / name
    result = invoke(*command, "--png", target, runs_dir=runs)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: --png: '{target}' is inside the run folder '{runs / RUN}', which holds only "
        f"what its run wrote (its own figures); give a path outside it (e.g. "
        f"'{runs.parent}') (see nnlab {' '.join(command[: 2 if command[0] == 'runs' else 1])} -h)"
    ]
    assert (runs / RUN / "curves.png").read_bytes() == b"its own figure"
    assert not (runs / RUN / "other.png").exists() and not (runs / RUN / "sub" / "x.png").exists()
    assert sorted(p.name for p in runs.iterdir()) == before


DEEP = "/".join(["d"] * 2000)  # (a path of 4,000 characters: under PATH_MAX, a real length)


@pytest.mark.parametrize(
    "command",
    [
        ["runs", "show"],
        ["runs", "compare"],
        ["runs", "remove", "-y"],
        ["report"],
        ["train", "--resume"],
        ["landscape"],
    ],  # fmt: skip
)
@pytest.mark.parametrize("ref", [DEEP, "a/b/c/d/e"])
def test_a_reference_of_many_parts_is_no_folder_in_one_line(runs, command, ref):
    # (each part of a reference read as <outer>/<inner> was a call deeper: 2,000 parts said
    # 'unexpected RecursionError', exit 1)
    result = invoke(*command, ref, runs_dir=runs)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert (
        "no such folder, and no folder inside one: a folder inside another is named in at "
        "most 4 parts (<tune>/<round>/<trial>: 3)" in line
    )
    assert sorted(p.name for p in runs.iterdir()) == [RUN]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://", "names no host"),
        ("https://:80/", "names no host"),
        ("http://[::1", "not a URL (Invalid IPv6 URL)"),
        ("http://x:99999/", "not a URL (Port out of range 0-65535)"),
        ("http://a b/", "contains a space or a control character"),
        ("http://a\tb/", "contains a space or a control character"),
    ],
)
def test_a_mirror_that_is_no_url_is_refused_before_the_data_folder_is_made(tmp_path, url, problem):
    # (http:// was fetched from a host named t10k-images-idx3-ubyte.gz: three lines, a network
    # error, after the data folder was made)
    result = invoke("data", "fetch", "mnist", "--mirror", url, "--data-dir", tmp_path / "data")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: --mirror: {url!r}: {problem}; expected a base URL such as "
        "https://example.org/mnist/ (see nnlab data fetch -h)"
    ]
    assert not (tmp_path / "data").exists()


def help_text(**env: str) -> str:
    """``nnlab train -h`` as a process prints it to a pipe, with ``env`` (COLUMNS and LINES
    unset but for it): the start-up reads the variables, not the runner of the tests."""
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    run = subprocess.run([sys.executable, "-m", "nnlab", "train", "-h"], env={**base, **env},
                         capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    return run.stdout


@pytest.mark.slow  # (three processes: ~3 s)
def test_columns_in_other_digits_is_no_width_and_ascii_digits_still_are():
    # (COLUMNS=٣, an Arabic-Indic 3, laid the help and every table out 3 columns wide)
    plain = help_text()
    assert help_text(COLUMNS="٣", LINES="٣") == plain
    assert help_text(COLUMNS="3") != plain  # (a width asked in digits 0-9 is still used)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["runs", "list", "--last", "٣"], "error: --last: expected an integer from 1 to "
         "1000000, got '٣' (see nnlab runs list -h)"),
        (["activations", "--layers", "١٠"], "--layers: expected an integer from 1 to 100, got "
         "'١٠'"),
        (["gradcheck", "--eps", "٣"], "error: --eps: expected a finite number, got '٣'"),
        (["runs", "list", "--last", "1e7"], "--last: expected an integer from 1 to 1000000, got "
         "1e7 (see"),  # (a number in digits 0-9 as it is)
    ],
)  # fmt: skip
def test_a_number_in_other_digits_is_quoted_as_the_text_it_is(tmp_path, args, said):
    # (it said 'got ٣', as if the number 3 had been refused)
    result = invoke(*args, runs_dir=tmp_path / "runs")
    assert result.exit_code == 2 and said in result.stderr, result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["landscape", "--range", "٣:4"], "error: --range: expected LO:HI such as -1:1, got "
         "'٣:4'"),
        (["sweep", "grid", "optimizer.lr=logspace:٣:4:3", "--dry-run"],
         "optimizer.lr: 'logspace:٣:4:3': '٣' is not a number"),
        (["sweep", "grid", "optimizer.lr=linspace:0.1:0.2:٣", "--dry-run"],
         "'٣' is not a number"),
        (["sweep", "random", "optimizer.lr=loguniform:1e-4:١", "--trials", "2", "--dry-run"],
         "'١' is not a number"),
        (["sweep", "grid", "optimizer.lr=٣e-3,0.1", "--dry-run"],  # (a list's item: YAML's text)
         "optimizer.lr"),
    ],
)  # fmt: skip
def test_a_number_in_other_digits_in_a_range_is_refused(tmp_path, args, said):
    # (float() read '٣' as 3: landscape --range ٣:4 and logspace:٣:4:3 ran with 3)
    config = tmp_path / "cfg.yaml"
    config.write_text("epochs: 1\ndataset: {name: digits, n_train: 100}\nmodel: {hidden: [4]}\n")
    command = args[:2] if args[0] == "sweep" else args[:1]
    result = invoke(*command, config, *args[len(command) :], runs_dir=tmp_path / "runs")
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert said in line
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["data", "list"], "--data-dir"),
        (["data", "fetch", "mnist"], "--data-dir"),
        (["train", "configs/digits-quickstart.yaml", "--runs-dir", "{d}/runs"], "--data-dir"),
        (["data", "fetch", "catvnoncat", "--data-dir", "{d}/data"], "--from"),
    ],
)
@pytest.mark.parametrize("link", ["loop", "gone"])
def test_a_folder_that_is_a_symlink_leading_nowhere_is_said_so(tmp_path, command, option, link):
    # (a loop was 'does not exist' (data list went on: each dataset 'missing' there, exit 0;
    # --from: 'no such folder'), though it exists: it leads nowhere)
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "gone").symlink_to("nothing-here")
    args = [str(a).replace("{d}", str(tmp_path)) for a in command]
    line = one_error_line(invoke(*args, option, tmp_path / link))
    said = (
        "a symlink loop (to loop, which leads back round to it)"
        if link == "loop"
        else "a symlink to nothing-here, which is not there"
    )
    assert f"{tmp_path / link}" in line and said in line, line
    assert option in line and "does not exist" not in line and "no such folder" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone", "loop"]  # (nothing made)
