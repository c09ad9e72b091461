"""What the docs promise, checked: the config reference is the schema's, and the README's
commands print whole ids and numbers into a pipe on an 80-column terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnlab.config_keys import markdown_reference, reference_rows

ROOT = Path(__file__).resolve().parents[1]
STAMP = re.compile(r"\d{8}-\d{6}")


def test_docs_config_md_is_the_schema_reference():
    """Regenerate with: nnlab config keys --markdown > docs/config.md"""
    assert (ROOT / "docs" / "config.md").read_text() == markdown_reference()


def test_the_references_example_config_loads_as_it_says(tmp_path):
    # (its top-level keys are at the top: the tables' first heading read `run`, a section a
    # newcomer wrote, 'run: {name: ...}', and was refused)
    from nnlab.config import load_config

    text = (ROOT / "docs" / "config.md").read_text()
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "cfg.yaml").write_text(example)
    cfg = load_config(tmp_path / "cfg.yaml")
    assert (cfg.name, cfg.weight_decay, cfg.optimizer.name, cfg.model.hidden) == (
        "mnist-adam", 1e-4, "adam", [256, 128],
    )  # fmt: skip
    assert "## `run`" not in text


def test_the_reference_has_every_key_with_a_meaning():
    rows = reference_rows()
    keys = {r["key"] for r in rows}
    for key in ("epochs", "optimizer.lr", "optimizer.beta2", "dataset.n_test", "model.hidden",
                "dataset.noise", "sweep.params", "sweep.share_seed", "loss", "eval"):  # fmt: skip
        assert key in keys, key
    assert all(r["meaning"] for r in rows), [r["key"] for r in rows if not r["meaning"]]
    loss = next(r for r in rows if r["key"] == "loss")
    assert loss["allowed"] == "softmax_ce, svm, bce"


def test_the_reference_names_each_variant_first_and_its_bounds_lower_first():
    # (a dataset's block began with n_train, n_val, ... and its name came sixth, after the keys
    # it decides; bounds read '<= 10,000,000, > 0' beside '>= 0, <= 1,797')
    rows = reference_rows()
    firsts = {}
    for row in rows:
        firsts.setdefault(row["when"], row["key"])
    variants = {when: key for when, key in firsts.items() if ".name=" in when}
    assert len(variants) >= 11 and all(k.endswith(".name") for k in variants.values()), variants
    for row in rows:
        bounds = [m.group(0) for m in re.finditer(r"[<>]", row["allowed"])]
        assert bounds == sorted(bounds, reverse=True), row  # ('>' before '<')


def test_the_references_bounds_are_written_as_typed_one_bound_between_commas():
    # (an int bound had thousands separators, '>= 0, <= 4,294,967,295', where the commas between
    # bounds read as a list of five: the error past it says 4294967295, --help [1<=x<=100000])
    rows = {(r["key"], r["when"]): r for r in reference_rows()}
    assert rows["seed", ""]["allowed"] == ">= 0, <= 4294967295"
    assert rows["batch_size", ""]["allowed"] == "> 0, <= 10000000; full"
    for row in rows.values():
        for part in re.split(r"[,;] ", row["allowed"]) if row["allowed"] else []:
            assert re.fullmatch(r"[<>]=? \S+|finite|full|at most \d+ long|[\w.]+", part), row


def test_the_reference_writes_defaults_and_bounds_as_the_tables_write_config_values():
    # (defaults read as JSON, `0.0`, `1.0`, `"scale"`, `["train", "test"]`, where every table
    # writes the same values `0`, `1`, `scale`, `[train, test]`: config_number and spelled)
    from nnlab.output import table_cell

    rows = {(r["key"], r["when"]): r for r in reference_rows()}
    said = {key: rows[key, when]["default"] for key, when in (
        ("weight_decay", ""), ("model.dropout", ""), ("optimizer.eps", "optimizer.name=adam"),
        ("dataset.spread", "dataset.name=blobs"), ("name", ""), ("eval", ""),
        ("dataset.n_train", "dataset.name=digits"), ("model.batchnorm", ""),
        ("dataset.normalize", "dataset.name=digits"),
    )}  # fmt: skip
    assert said == {
        "weight_decay": "0", "model.dropout": "0", "optimizer.eps": "1e-08",
        "dataset.spread": "1", "name": "run", "eval": "[train, test]", "dataset.n_train": "null",
        "model.batchnorm": "false", "dataset.normalize": "scale",
    }  # fmt: skip
    assert said["weight_decay"] == table_cell(0.0, "weight_decay")
    assert rows["dataset.spread", "dataset.name=blobs"]["allowed"] == "> 0, <= 1e+06, finite"
    assert "`0.0`" not in markdown_reference() and '`"' not in markdown_reference()


def nnlab(*args: str, runs: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80", "NNLAB_RUNS_DIR": str(runs)}
    return subprocess.run(
        [sys.executable, "-m", "nnlab", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


README_COMMANDS = [
    ["train", "configs/digits-quickstart.yaml", "epochs=2"],
    ["runs", "list"],
    ["runs", "show", "latest"],
    ["sweep", "grid", "configs/digits-quickstart.yaml", "optimizer.lr=0.1,0.01", "epochs=2"],
    ["runs", "list", "--kind", "sweep"],
    ["runs", "compare", "latest"],
    ["gradcheck"],
    ["compare-optimizers", "--function", "book"],
    ["lr-scan", "configs/digits-quickstart.yaml", "--num", "3", "--epochs", "1"],
    ["tune", "configs/digits-quickstart.yaml", "--trials", "3", "--epochs", "1"],
    ["activations", "--activation", "relu", "--init", "he"],
    ["landscape", "configs/digits-quickstart.yaml", "--points", "5"],
    ["data", "list"],
    ["config", "keys", "optimizer"],
]


@pytest.mark.slow
def test_readme_commands_print_whole_ids_and_numbers_into_a_pipe_at_80_columns(tmp_path):
    runs = tmp_path / "runs"
    outputs = []
    for args in README_COMMANDS:
        result = nnlab(*args, runs=runs)
        assert result.returncode == 0, (args, result.stderr)
        outputs.append((args, result.stdout + result.stderr))
    ids = {p.name for p in runs.rglob("*") if p.is_dir() and STAMP.match(p.name)}
    assert ids
    for args, text in outputs:
        assert "…" not in text, args
        for line in text.splitlines():
            for stamp in STAMP.findall(line):
                whole = [i for i in ids if i.startswith(stamp) and i in line]
                assert whole, (args, line)  # the id that starts with the stamp, whole


def readme_section(start: str, end: str) -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index(start) : text.index(end, text.index(start))]


def test_the_quick_start_says_where_the_results_go_and_how_to_vary_a_key():
    # (the first section ran train and said nothing of what it prints, where the run folder is,
    # how to change one key or how to see the run again: a newcomer's first three questions)
    section = " ".join(readme_section("## Two commands", "## `nnlab train`").split())
    for said in ("in the folder of this repository", "run folder: runs/", "`optimizer.lr=0.5`",
                 "`nnlab config keys`", "`nnlab runs show latest`"):  # fmt: skip
        assert said in section, said


def test_the_quick_start_says_what_python_m_nnlab_says_without_the_venv(tmp_path):
    """(it said ``python -m nnlab`` names the library that Python lacks, true only in the
    repository's folder, where Python finds the package: from any other, a newcomer got
    ``No module named nnlab``.) A Python without the dependencies (``-S``: no site-packages)
    says each, as the section says it does where."""
    section = " ".join(readme_section("## Two commands", "## `nnlab train`").split())
    assert "in the repository's folder" in section and "`No module named nnlab`" in section

    def run(cwd):
        command = [sys.executable, "-S", "-m", "nnlab", "--version"]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=60)  # fmt: skip

    here, elsewhere = run(ROOT), run(tmp_path)
    assert here.returncode == 1 and "error: nnlab needs " in here.stderr, here.stderr
    assert elsewhere.returncode == 1 and "No module named nnlab" in elsewhere.stderr


def test_readme_configs_table_lists_every_config_file():
    # (it listed 4 of the 8: the overfitting configs were only in a later section)
    table = readme_section("### Configs", "### Bad inputs")
    listed = set(re.findall(r"^\| `(configs/[^`]+)` \|", table, flags=re.M))
    assert listed == {f"configs/{p.name}" for p in (ROOT / "configs").glob("*.yaml")}


def test_a_config_whose_data_is_files_says_the_data_dir_to_give_in_its_header():
    # (mnist-1000.yaml, the README's second config, said nowhere that it needs --data-dir: run
    # as the digits one is, it failed with 'MNIST not found in ~/.cache/nnlab/mnist')
    import yaml

    for path in sorted((ROOT / "configs").glob("*.yaml")):
        text = path.read_text()
        if yaml.safe_load(text)["dataset"]["name"] in ("mnist", "hdf5"):
            header = "".join(line for line in text.splitlines(True) if line.startswith("#"))
            assert "--data-dir ../shared/data" in header, path.name


def header_commands(path: Path) -> list[str]:
    """The commands a config's header gives that run the file itself."""
    header = "".join(line for line in path.read_text().splitlines(True) if line.startswith("#"))
    pattern = rf"nnlab (?:train|sweep run) configs/{re.escape(path.name)}[^`\n(;]*"
    return [command.strip() for command in re.findall(pattern, header)]


def test_every_configs_header_gives_the_command_that_runs_it(tmp_path, monkeypatch):
    """(digits-quickstart.yaml, catvnoncat-logreg.yaml and overfit-digits.yaml said what they
    reproduce and not how to run them, where the README says each header does; the others'
    ``Run:`` lines were run by no test.) Each header gives a command that runs the file, and
    each such command is taken as written from the repository's folder (``--print-config``
    or ``--dry-run``: checked, nothing trained)."""
    from tests.conftest import invoke

    monkeypatch.chdir(ROOT)
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        commands = header_commands(path)
        assert commands, path.name
        for command in commands:
            if "../shared/data" in command and not SHARED.is_dir():
                continue
            args = command.split()[1:]
            args.append("--print-config" if args[0] == "train" else "--dry-run")
            result = invoke(*args, env={"NNLAB_RUNS_DIR": str(tmp_path)})
            assert result.exit_code == 0, (command, result.output)


def test_readme_names_the_batchnorm_eps_among_the_deliberate_differences():
    import inspect

    from nnlab.nn.layers import BatchNorm

    eps = f"{inspect.signature(BatchNorm).parameters['eps'].default:.0e}".replace("e-0", "e-")
    differences = readme_section("Deliberate differences from torch", "Every layer, loss")
    assert f"BatchNorm's `eps` (added to the variance before the square root) is {eps}" in (
        " ".join(differences.split())
    )


def test_the_svm_loss_and_weight_decay_say_how_they_differ_from_torch():
    """nnlab's svm is C times torch's multi_margin_loss (which divides by the classes), and its
    weight decay is torch.optim's weight_decay on the weight matrices only: the oracle
    (tests/nn/test_torch_oracle.py) compares them so, and the docs must say so."""
    from nnlab.nn.losses import svm_hinge
    from nnlab.nn.model import MLP

    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "`multi_margin_loss`" in differences and "C times" in differences
    assert "`weight_decay` in a parameter group of the weight matrices" in differences
    assert "multi_margin_loss" in " ".join(svm_hinge.__doc__.split())
    assert "parameter group" in " ".join(MLP.__doc__.split())


def test_the_readme_names_the_non_finite_differences_from_torch():
    """Accuracy of non-finite scores (no class, where torch.argmax picks one) and ReLU's
    gradient at a NaN input (0, where torch passes it on) differ from torch on purpose
    (tests/nn/test_torch_oracle_layers.py shows both): the class docstrings and the README's
    list say so."""
    from nnlab.nn.layers import ReLU
    from nnlab.nn.losses import Loss

    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "predicts no class" in differences and "`torch.argmax`" in differences
    assert "ReLU keeps a NaN input NaN" in differences and "its gradient there is 0" in differences
    assert "torch.argmax" in " ".join(Loss.predict.__doc__.split())
    assert "The gradient at NaN is 0, where torch passes dout on" in " ".join(ReLU.__doc__.split())


def test_the_readme_says_momentum_0_keeps_a_velocity_torch_does_not():
    """(the oracle leaves the slot out of its state comparison: tests/nn/test_torch_oracle.py)"""
    from nnlab.nn.optim import Momentum

    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "With momentum 0 it still keeps v" in differences
    assert "torch keeps no buffer" in " ".join(Momentum.__doc__.split())


def test_the_readme_says_which_torch_options_nnlab_leaves_out_and_dropouts_rounding():
    """The torch oracle (tests/nn/test_torch_oracle*.py) builds torch.optim with dampening,
    lr decay, initial accumulator, RMSProp momentum and centring, and amsgrad off, and checks
    dropout's float32 scale differs from torch's in the last bit for some p: the README says
    both."""
    core = " ".join(readme_section("## The core library", "`tests/test_architecture.py`").split())
    for option in ("no dampening", "lr decay", "initial accumulator", "centring", "no amsgrad"):
        assert option in core, option
    assert "Its scale `1/(1-p)` is rounded once" in core
    assert "in float32 a last-bit difference for some p" in core
    assert "`tests/nn/test_torch_oracle*.py`" in core


def shape_of(line: str) -> str:
    """A printed line with its numbers as N and its runs of blanks as one: what it says, not
    what it measured."""
    line = re.sub(r"(?<![\w.])[-+]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?(?![\w])", "N", line)
    # (a duration as its scale writes it, times.duration: 40 ms, 2.8 s, 3 min 05 s, 2 h 03 min)
    line = re.sub(r"\bN (ms|s|min N s|h N min)\b", "N s", line)
    return " ".join(line.replace("│", " | ").replace("┃", " | ").split())


@pytest.mark.slow
def test_readme_gradcheck_timing_lines_are_what_the_command_prints(tmp_path):
    """The README's sentence on timings said what no output line said: it now quotes the
    table and the last line, whose wording (not numbers) must be what gradcheck prints."""
    from tests.conftest import invoke

    section = readme_section("The last table times", "## `nnlab compare-optimizers`")
    block = section.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    quoted = [shape_of(line) for line in block if not line.startswith(("$", "..."))]
    result = invoke("gradcheck", "--compare-differences", runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    printed = [shape_of(as_readme_writes(line, tmp_path / "runs"))
               for line in result.output.splitlines()]  # fmt: skip
    for line in quoted:
        assert line in printed, (line, printed[-8:])


def as_readme_writes(line: str, runs: Path) -> str:
    """A printed line as the README writes it: the runs folder as ``runs``, a folder's name as
    ``<date>-<time>-<its kind and name>-<id>``."""
    line = line.replace(str(runs), "runs")
    return re.sub(r"\b\d{8}-\d{6}(-\S+)-[0-9a-f]{6}\b", r"<date>-<time>\1-<id>", line)


def console_block(command: str) -> list[str]:
    """The lines the README quotes as the output of ``$ {command}`` (up to the block's end),
    but for the ``...`` that stand for lines left out."""
    text = (ROOT / "README.md").read_text()
    block = text.split(f"$ {command}\n", 1)[1].split("```", 1)[0].splitlines()
    return [line for line in block if not line.lstrip("│ ").startswith("...")]


@pytest.mark.parametrize(
    "command", ["nnlab gradcheck", "nnlab sweep weight-scale --jobs 2 --dry-run"]
)
def test_readme_console_blocks_quote_lines_the_command_prints(tmp_path, command):
    """The gradcheck block lacked the networks line and the max_rel_error legend, the dry run's
    showed its table in a layout no command prints: every quoted line must be a printed one
    (as ``shape_of`` reads them: its numbers may differ)."""
    from tests.conftest import invoke

    result = invoke(*command.split()[1:], runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    printed = {shape_of(line) for line in result.output.splitlines()}
    for line in console_block(command):
        assert shape_of(line) in printed, line


def silenced_commands() -> list[tuple[str, list[str]]]:
    """Each command a console block of the README gives with its stdout sent to /dev/null (its
    stderr not), with the lines the block shows after it, up to the next command."""
    text = (ROOT / "README.md").read_text()
    found = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.M | re.S):
        lines = block.splitlines()
        for k, line in enumerate(lines):
            if line.startswith("$ ") and re.search(r"(?<![\d&])> /dev/null(?! 2>)", line):
                after = []
                for shown in lines[k + 1 :]:
                    if shown.startswith("$ "):
                        break
                    after.append(shown)
                found.append((line, after))
    return found


def test_a_readme_command_with_its_stdout_dropped_shows_the_folder_line_it_prints(tmp_path):
    """A newcomer pasting ``nnlab train ... -q > /dev/null`` saw ``run folder: runs/...``, which
    the README's blocks did not show (the next ``$`` line came straight after): ``-q`` keeps the
    folder line, on stderr. Each such command is followed by its folder lines (one per run a
    loop makes), and the quick-start's is the line ``train -q`` prints, ids aside."""
    from tests.conftest import invoke

    silenced = silenced_commands()
    assert len(silenced) >= 5
    for line, after in silenced:
        loop = re.match(r"\$ for \w+ in ([^;]+);", line)  # (a loop: a run per word)
        runs = len(loop[1].split()) if loop else 1
        folders = [s for s in after if re.match(r"(run|sweep) folder: runs/\S+  \(figures?: ", s)]
        assert after[:runs] == folders and len(folders) == runs, (line, after)
    shown = next(after[0] for line, after in silenced if "digits-quickstart.yaml -q" in line)
    result = invoke("train", ROOT / "configs" / "digits-quickstart.yaml", "-q", "epochs=1",
                    runs_dir=tmp_path / "runs")  # fmt: skip
    assert result.exit_code == 0, result.output
    printed = result.stderr.replace(str(tmp_path / "runs"), "runs").strip()
    printed = re.sub(r"\d{8}-\d{6}(-\S+)-[0-9a-f]{6}\b", r"<date>-<time>\1-<id>", printed)
    assert printed == re.sub(r"\d{8}-\d{6}(-\S+)-[0-9a-f]{6}\b", r"<date>-<time>\1-<id>", shown)


# The README's blocks of commands on the bundled digits whose numbers do not depend on the
# CPU's BLAS kernels (the quick-start's table comes out the same with OpenBLAS's Haswell and
# SkylakeX kernels; the test functions are 2-D NumPy arithmetic), each with its time here.
DIGITS_BLOCKS = [
    pytest.param("nnlab train configs/digits-quickstart.yaml", id="train"),  # ~1 s
    pytest.param("nnlab compare-optimizers --function book", id="book"),
    pytest.param(
        "nnlab compare-optimizers --function xcospi --optimizers gd --lr 0.1,1.000542,1.0055 "
        "--start 0.5,-1.0 --steps 5,20",
        id="xcospi",
    ),
    pytest.param("nnlab activations", id="activations",
                 marks=pytest.mark.slow),  # ~2 s: 12 settings, 60 histograms drawn
]  # fmt: skip


@pytest.mark.parametrize("command", DIGITS_BLOCKS)
def test_readme_digits_tables_are_the_numbers_the_command_prints(tmp_path, monkeypatch, command):
    """Every table row the README quotes under a digits command is a row the command prints
    today, numbers and widths included (the quick-start's table still read 1.0000 / 0.0238 /
    0.9966 when train printed 1.000000 / 0.023760 / 0.996633, one column one format; the
    activations table likewise)."""
    from tests.conftest import invoke

    quoted = [line for line in console_block(command) if line.startswith(("┃", "│"))]
    assert quoted, command
    args = command.split()[1:]
    monkeypatch.chdir(ROOT)
    result = invoke(*args, runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    printed = {line.rstrip() for line in result.stdout.splitlines()}
    assert [line for line in quoted if line.rstrip() not in printed] == []


def test_no_readme_command_writes_into_the_repositorys_docs():
    """A newcomer pasting the README's commands wrote over docs/lr-scan.png, docs/xcospi.png,
    ... (the commands said `--png docs/<file>.png`, as the README's copies were made) and left
    the clone modified; a note one section up said so, where a reader following a link in
    from the course's table never read it. Every command shown leaves docs/ alone."""
    text = (ROOT / "README.md").read_text()
    commands = [line for line in text.splitlines() if line.lstrip("$ ").startswith("nnlab ")]
    assert len(commands) > 30
    writing = [line for line in commands if re.search(r"--(png|out)[ =]docs/", line)]
    assert writing == []
    assert "made by adding `--png docs/<file>.png`, which writes over the" in " ".join(text.split())


SHARED = ROOT.parent / "shared" / "data"  # (the README's ../shared/data, as CI has it)


def digits_masked(line: str) -> str:
    """A table row with each digit as 9: its numbers' formats (decimals, notation, widths), not
    their values, which another CPU's kernels may move in the last digit."""
    return re.sub(r"\d", "9", line.rstrip())


@pytest.mark.slow
def test_readme_lr_scan_table_is_in_the_formats_the_command_prints(tmp_path, monkeypatch):
    """The MNIST scan's table read step_change -0.032037 and 167.232605 (6 decimals), and lr 1.0
    and 10.0, where lr-scan printed -0.0320, 167.2326, 1 and 10: no test ran the command (MNIST,
    ~10 s). Each quoted row must be a printed one, digits aside (``digits_masked``)."""
    from tests.conftest import invoke

    if not (SHARED / "mnist" / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"{SHARED}/mnist is absent")
    command = (
        "nnlab lr-scan configs/mnist-1000.yaml --data-dir ../shared/data --min -5 --max 1 --num 7"
    )
    quoted = [line for line in console_block(command) if line.startswith(("┃", "│"))]
    assert quoted
    args = command.split()[1:]
    args[args.index("--data-dir") + 1] = str(SHARED)
    monkeypatch.chdir(ROOT)
    result = invoke(*args, runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    printed = {digits_masked(line) for line in result.stdout.splitlines()}
    assert [line for line in quoted if digits_masked(line) not in printed] == []


@pytest.mark.slow
def test_readme_activations_of_a_run_are_the_numbers_the_command_prints(tmp_path, monkeypatch):
    """The block of ``activations --run latest`` after a quick-start run (~3 s: two commands),
    which no test ran: its rows as printed, numbers and widths included."""
    from tests.conftest import invoke

    command = "nnlab activations --run latest -q"
    quoted = [line for line in console_block(command) if line.startswith(("┃", "│"))]
    assert quoted
    monkeypatch.chdir(ROOT)
    trained = invoke("train", "configs/digits-quickstart.yaml", "-q", runs_dir=tmp_path / "runs")
    assert trained.exit_code == 0, trained.output
    result = invoke(*command.split()[1:], runs_dir=tmp_path / "runs")
    assert result.exit_code == 0, result.output
    printed = {line.rstrip() for line in result.stdout.splitlines()}
    assert [line for line in quoted if line.rstrip() not in printed] == []


def python_blocks() -> list[str]:
    """The README's ``python`` blocks: each a whole program, its output in ``# prints:`` lines."""
    return re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)


@pytest.mark.slow
@pytest.mark.parametrize("block", python_blocks())
def test_readme_python_blocks_run_and_print_what_they_say(tmp_path, block):
    """(the core library's section named the classes and said nothing of how to call them: a
    newcomer who wants the layers from Python had no line to start from.) Each block runs as a
    script from a folder holding the configs, as from the repository; its ``# prints:`` lines
    are what it prints, digits aside (``digits_masked``: another CPU's kernels may move them)."""
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    said = [line.removeprefix("# prints: ") for line in block.splitlines()
            if line.startswith("# prints: ")]  # fmt: skip
    assert said, block
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    printed = {digits_masked(line) for line in result.stdout.splitlines()}
    assert [line for line in said if digits_masked(line) not in printed] == []


def test_docs_architecture_names_every_module():
    """(seven modules, errors.py and data/fetch.py among them, were in no row of its table of
    files: a newcomer looking for where an error or a download is made found nothing.) A module
    is named by its path, by its file name in a row of its folder's, or by a folder's row
    (``nnlab/sweep/``, ``nnlab/experiments/*.py``; ``{a,b}.py`` names both)."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = set()
    for name in re.findall(r"`([\w/.*{},]+)`", text):
        braces = re.fullmatch(r"(.*)\{(.*)\}(.*)", name)
        named |= {braces[1] + b + braces[3] for b in braces[2].split(",")} if braces else {name}
    unnamed = []
    for path in sorted((ROOT / "nnlab").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        folders = {
            "/".join(parts[:k]) + end for k in range(2, len(parts)) for end in ("/", "/*.py")
        }
        if path.stem.startswith("__") or {"/".join(parts), path.name} & named or folders & named:
            continue
        unnamed.append("/".join(parts))
    assert unnamed == []


def readme_command_lines() -> list[str]:
    """Every nnlab command line the README gives: in backticks, and in its blocks after ``$ ``
    or at a line's start (``a | b``, ``a && b`` and ``a; b`` are two)."""
    text = (ROOT / "README.md").read_text()
    found = re.findall(r"`(nnlab [^`]*)`", text)
    found += re.findall(r"^(?:\$ )?(nnlab [^#\n]*)", text, flags=re.M)
    return [part for line in found for part in re.split(r"\s*(?:\||&&|;)\s*", line)]


def test_every_option_the_readme_gives_a_command_is_one_of_its_options():
    """(no test read the README's command lines against the commands: an option renamed or
    removed would have stayed in the text a newcomer copies.)"""
    import typer

    from nnlab.cli import app

    unknown, root = set(), typer.main.get_command(app)
    for line in readme_command_lines():
        command, words = root, line.split()[1:]
        while words and words[0] in (getattr(command, "commands", None) or {}):
            command, words = command.commands[words[0]], words[1:]
        options = {"-h", "--help"} | {o for p in command.params for o in p.opts + p.secondary_opts}
        for word in words:
            if word.startswith("--") and word.split("=")[0] not in options:
                unknown.add(f"{command.name}: {word.split('=')[0]} ({line.strip()[:60]})")
    assert sorted(unknown) == []


def test_a_readme_command_given_png_shows_the_figure_line_it_prints(tmp_path, monkeypatch):
    """(the overfitting block's ``runs compare ... --png overfitting.png`` ended at its table,
    where the command's last line, on stderr, is ``figure: overfitting.png``.) Each command of a
    console block given ``--png PATH`` is followed by ``figure: PATH``, the line ``runs
    compare --png`` prints (of a path as given, relative)."""
    from tests.conftest import invoke

    text = (ROOT / "README.md").read_text()
    shown = 0
    for block in re.findall(r"^```console\n(.*?)^```", text, re.M | re.S):
        for command in re.split(r"^(?=\$ )", block, flags=re.M):
            png = re.search(r"^\$ nnlab .*--png[ =](\S+)", command)
            if png:
                shown += 1
                assert f"\nfigure: {png[1]}\n" in command, command.splitlines()[0]
    assert shown >= 1
    monkeypatch.chdir(tmp_path)
    runs = tmp_path / "runs"
    for lr in ("0.1", "0.05"):
        trained = invoke("train", ROOT / "configs" / "digits-quickstart.yaml", "epochs=1",
                         f"optimizer.lr={lr}", "-q", runs_dir=runs)  # fmt: skip
        assert trained.exit_code == 0, trained.output
    result = invoke("runs", "compare", "latest~1", "latest", "--png", "gap.png", runs_dir=runs)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "figure: gap.png"


FOLDER_MAKERS = (
    "train",
    "sweep",
    "tune",
    "lr-scan",
    "landscape",
    "activations",
    "compare-optimizers",
    "gradcheck --compare-differences",
    "gradcheck configs",
)


def test_a_readme_block_shows_a_commands_output_through_its_folder_line():
    """(the blocks of compare-optimizers, lr-scan, tune, landscape and gradcheck
    --compare-differences stopped at their tables, or at ``best:``, where each command's last
    line names its folder and figures, as the quick start's block shows it.) The output a
    console block shows of a command that makes a folder ends with that line, or with ``...``
    where the block leaves the rest out; a dry run makes none."""
    text = (ROOT / "README.md").read_text()
    cut = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.M | re.S):
        for command in re.split(r"^(?=\$ )", block, flags=re.M)[1:]:
            first, *shown = command.rstrip("\n").splitlines()
            words = first.removeprefix("$ nnlab ")
            if not words.startswith(FOLDER_MAKERS) or "--dry-run" in words:
                continue
            if not shown or not shown[-1].startswith(("run folder: ", "sweep folder: ", "...")):
                cut.append(first[:60])
    assert cut == []


def help_examples() -> list[str]:
    """The ``Example:`` lines of every command's help (its docstring), each line's commands."""
    import typer

    from nnlab.cli import app

    def walk(command):
        yield command.help or ""
        for sub in (getattr(command, "commands", None) or {}).values():
            yield from walk(sub)

    found = re.findall(r"Example: (nnlab .*)", "\n".join(walk(typer.main.get_command(app))))
    return [part for line in found for part in re.split(r"\s*(?:\||&&|;)\s*", line)]


def test_a_folder_the_readme_or_a_help_example_writes_in_the_clone_is_ignored_by_git():
    """(``nnlab data fetch catvnoncat --data-dir data --from ../shared/data``, pasted in the
    clone as the README shows it, left ``data/`` untracked in ``git status``, where ``runs/``
    is ignored.) Every relative ``--data-dir`` or ``--runs-dir`` that a command the README
    shows (``$ nnlab ...``) or a help's example gives is in .gitignore."""
    readme = (ROOT / "README.md").read_text()
    lines = re.findall(r"^\$ (nnlab .*)", readme, flags=re.M) + help_examples()
    folders = {"runs"}  # (the default --runs-dir)
    for line in lines:
        for path in re.findall(r"--(?:data|runs)-dir[ =]([^\s`]+)", line):
            if not path.startswith(("/", "..", "~", "$")):
                folders.add(path.split("/")[0])
    assert "data" in folders
    ignored = {line.strip("/") for line in (ROOT / ".gitignore").read_text().splitlines()}
    assert sorted(folders - ignored) == []


def test_a_figure_or_archive_the_readme_or_a_help_example_writes_in_the_clone_is_ignored():
    """(pasted in the clone, the README's ``runs compare ... --png overfitting.png``, the helps'
    ``--png paths.png``, ``activations.png``, ... and the report's ``cd runs && zip -qr
    ../report.zip report`` left those files untracked at its top in ``git status``.) Every file
    such a command writes at the clone's top (a ``--png`` without a folder, the report's
    archives) matches an anchored pattern of .gitignore."""
    from fnmatch import fnmatch

    readme = (ROOT / "README.md").read_text()
    lines = re.findall(r"^\$ (nnlab .*)", readme, flags=re.M) + help_examples()
    files = {path for line in lines for path in re.findall(r"--png[ =]([^\s`/]+)", line)}
    files |= set(re.findall(r"zip -qr \.\./(\S+) report", readme))
    files |= set(re.findall(r"tar czf (\S+) .*-C runs report", readme))
    assert {"overfitting.png", "paths.png", "report.zip", "report.tgz"} <= files
    anchored = [line[1:] for line in (ROOT / ".gitignore").read_text().splitlines()
                if line.startswith("/") and not line.endswith("/")]  # fmt: skip
    assert sorted(f for f in files if not any(fnmatch(f, p) for p in anchored)) == []


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation but '-' and '_' dropped,
    spaces as '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_link_to_a_readme_section_names_a_heading():
    readme = (ROOT / "README.md").read_text()
    anchors = {github_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", readme, re.MULTILINE)}
    links = re.findall(r"\]\(#([^)]+)\)", readme)
    assert len(links) >= 15  # (the contents line, at least)
    assert [link for link in links if link not in anchors] == []


def test_every_file_the_docs_link_or_show_is_there():
    """A link or image of the README or docs/*.md to a file of the repository (a figure, a doc)
    names one that exists, relative to the page (a figure renamed left a broken image)."""
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not re.match(r"[a-z]+:", target) and not (page.parent / target).exists():
                broken.append(f"{page.name}: {target}")
    assert broken == []


def test_every_table_the_readme_draws_is_as_wide_on_every_line():
    # (the quick-start table, the first a newcomer sees, had a top border 4 characters short)
    lines = (ROOT / "README.md").read_text().splitlines()
    tables: list[list[str]] = []
    for before, line in zip(["", *lines], lines, strict=False):
        if line[:1] in "┏┃┡│└" and line:
            if before[:1] not in "┏┃┡│└" or not before:
                tables.append([])
            tables[-1].append(line)
    assert len(tables) > 10
    skewed = [table[0] for table in tables if len({len(line) for line in table}) > 1]
    assert skewed == []


def test_the_readme_says_what_the_books_do_with_batchnorms_statistics_and_adams_eps():
    """DLFS's Adam is nnlab's with eps 1e-7 / sqrt(1 - beta2^t) (tests/nn/test_optim.py), and
    DLFS and cs231n keep a biased running variance from 0 (``layers.BatchNorm``'s docstring):
    the README's list of deliberate differences said neither."""
    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "an eps of `1e-7 / sqrt(1 - beta2^t)`" in differences
    assert "d2l writes `sqrt(h + eps)`" in differences
    assert "DLFS and cs231n average the biased variance from a start of 0" in differences


def test_the_readme_says_dlfss_nesterov_is_another_rule():
    """DLFS's Nesterov adds mu^2 times its updated velocity (``optim.Nesterov``'s docstring;
    tests/nn/test_optim.py steps it by hand): not the same iterates, unlike its Momentum."""
    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "DLFS's `Nesterov` is another rule" in differences
    assert "its first step is `(1 + mu + mu^2) * lr * g`" in differences


def test_the_readme_says_which_optimizer_defaults_are_dlfss():
    """(tests/nn/test_torch_oracle_configs.py checks the rest against torch's signatures)"""
    from nnlab.nn.optim import SGD, Momentum, Nesterov

    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    lr, mu = Momentum.hyper["lr"].default, Momentum.hyper["momentum"].default
    assert SGD.hyper["lr"].default == Nesterov.hyper["lr"].default == lr
    assert Nesterov.hyper["momentum"].default == mu
    assert f"SGD, Momentum and Nesterov take DLFS's, lr {lr} and momentum {mu}" in differences


def test_the_readme_says_an_epoch_is_a_permutation_with_a_smaller_last_batch():
    """(tests/nn/test_torch_oracle_configs.py compares the batches with torch's BatchSampler)"""
    import numpy as np

    from nnlab.train import minibatches

    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "each epoch a new permutation of the training split" in differences
    assert "with replacement" in differences and "never in one of nnlab's" in differences
    rng = np.random.default_rng(0)
    first, second = minibatches(230, 64, rng), minibatches(230, 64, rng)
    assert [len(b) for b in first] == [64, 64, 64, 38]
    assert sorted(np.concatenate(first)) == list(range(230))
    assert not all(np.array_equal(a, b) for a, b in zip(first, second))  # (a new permutation)


def test_the_readme_says_dlfss_cross_entropy_adds_1e7_inside_the_log():
    """(tests/nn/test_losses.py computes DLFS's loss by hand)"""
    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "DLFS's `cross_entropy_error` adds 1e-7 inside the log" in differences


def test_the_readme_gives_adagrads_and_rmsprops_default_eps_and_dlfss():
    from nnlab.nn.optim import AdaGrad, RMSProp

    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    eps = [f"{h.hyper['eps'].default:.0e}".replace("e-0", "e-") for h in (AdaGrad, RMSProp)]
    said = f"Their default eps are torch's, {eps[0]} and {eps[1]}; DLFS adds a fixed 1e-7"
    assert said in differences


def test_the_readme_says_the_init_takes_no_gain_for_the_activation():
    """(tests/nn/test_init.py draws the same weights before every activation)"""
    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "The std does not depend on `model.activation`" in differences


def test_the_readme_says_there_is_no_lr_schedule_or_clipping_and_no_key_makes_one():
    from nnlab.config_keys import reference_rows

    core = " ".join(readme_section("## The core library", "`tests/test_architecture.py`").split())
    assert "There is no learning-rate schedule and no gradient clipping" in core
    keys = {row["key"] for row in reference_rows()}
    assert [k for k in keys if any(w in k for w in ("sched", "decay", "clip", "warmup"))] == [
        "weight_decay"
    ]


def test_the_readme_says_a_splits_loss_is_the_data_loss_in_evaluation_mode():
    """(tests/nn/test_model.py evaluates so; the oracle compares it with torch's eval())"""
    differences = " ".join(
        readme_section("Deliberate differences from torch", "Every layer, loss").split()
    )
    assert "The recorded `loss` (the objective) includes the penalty; a split's" in differences
    assert "is the data loss alone" in differences


def test_readme_names_every_status_a_folder_or_trial_can_have():
    # (one vocabulary of statuses, written and read, said in one place)
    from nnlab.kinds import STALE, STATUSES
    from nnlab.rundir import DAMAGED, UNREADABLE
    from nnlab.trialfolders import MISSING

    text = (ROOT / "README.md").read_text()
    said = text[text.index("**Statuses**") :].split("\n\n")[0]
    named = set(re.findall(r"\b[A-Z]{5,}\b", said))
    assert named == {*STATUSES, STALE, DAMAGED, UNREADABLE, "PENDING", MISSING}, named


@pytest.mark.slow  # (~2 s of CPU: two trainings of 20 epochs)
def test_batchnorms_eps_decides_whether_the_smallest_weight_scale_learns(tmp_path, monkeypatch):
    """A newcomer comparing `nnlab sweep weight-scale` with the book's log (the course notes)
    found its BatchNorm net at scale 1e-4 at chance where the book's learns, and nothing said
    why: BatchNorm's eps, torch's 1e-5 here, DLFS's 1e-6, which the README now says. The
    preset's net on digits (seed 0) at that scale, with each eps."""
    import numpy as np

    from nnlab.config import load_config
    from nnlab.experiments.train import run_training
    from nnlab.nn.layers import BatchNorm

    overrides = ["model.hidden=[100,100,100,100,100]", "model.init=std", "model.init_std=0.0001",
                 "model.batchnorm=true", "optimizer.name=sgd", "optimizer.lr=0.01",
                 "batch_size=100", "dataset.n_train=1000", "eval=[train]"]  # fmt: skip
    cfg = load_config(ROOT / "configs" / "digits-quickstart.yaml", overrides)
    accuracy = {}
    for eps in (1e-5, 1e-6):
        monkeypatch.setattr(BatchNorm.__init__, "__defaults__", (np.float32, 0.1, eps))
        result = run_training(cfg, runs_dir=tmp_path / f"runs-{eps}")
        accuracy[eps] = result.summary["final_train_acc"]
    # (chance is 0.113; here 0.113 and 0.428: the bounds leave another CPU's kernels room)
    assert accuracy[1e-5] < 0.15 and accuracy[1e-6] > 0.3, accuracy
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "for the smallest scale, 1e-4, where the book's BatchNorm net climbs" in text
    assert "BatchNorm's `eps` decides it: nnlab's is torch's 1e-5, the book's 1e-6" in text
    assert "at 1e-4 the BatchNorm net stays at chance" in text


@pytest.mark.slow  # (~3 s: two runs and a sweep of two trials, an epoch each)
def test_the_overfitting_recipe_says_what_latest_counts_back_over(tmp_path, monkeypatch):
    """A newcomer ran the overfitting recipe while a sweep ran in another terminal: `runs
    compare latest~2 latest~1 latest` listed the sweep's 32 trials and two of the three runs,
    and nothing said why. `latest~N` counts every training run, sweep and tune by start, as
    the README and the config's header now say."""
    from tests.conftest import invoke

    monkeypatch.chdir(ROOT)
    small = ["configs/digits-quickstart.yaml", "epochs=1", "model.hidden=[8]", "-q"]
    for args in (["train", *small], ["sweep", "grid", *small, "optimizer.lr=0.1,0.01"],
                 ["train", *small]):  # fmt: skip
        assert invoke(*args, runs_dir=tmp_path).exit_code == 0
    result = invoke("runs", "compare", "latest~2", "latest~1", "latest", runs_dir=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("4 runs"), result.stdout  # (a run, the sweep's 2, a run)
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "`latest~2` counts back over every training run, sweep and tune by start" in text
    header = (ROOT / "configs" / "overfit-digits.yaml").read_text()
    assert "if a run or sweep started meanwhile, it is among the latest" in header
