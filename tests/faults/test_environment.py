"""Odd environments (fault injection, round 4): a stdout that cannot write Unicode (an ASCII
terminal: ``PYTHONIOENCODING=ascii``, a C locale without Python's UTF-8 mode), and a folder in
the runs folder whose name is not UTF-8 (``mkdir $'runs/\\xff'``), which Python lists with
its bytes as lone surrogates; a HOME that cannot be written; a working folder removed; a
umask that takes the owner's own permissions.

``runs show`` of a sweep printed its trials' table (drawn as text, with rich's box) and
failed on such a stdout, 'unexpected UnicodeEncodeError'; ``runs list`` did so for a folder
name of other bytes on it; ``report`` failed on such a name whatever the stdout (its link
could not be quoted). Now the table is drawn in ASCII as rich draws its own there, a
character the stream lacks is an escape, and the report links the folder by its bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import Row, argv, invoke, one_line, only

ENVIRONMENT = [
    Row(
        "a stdout that cannot write Unicode (`PYTHONIOENCODING=ascii`, a C locale without "
        "Python's UTF-8 mode), in every command: tables drawn in ASCII, other characters "
        "escaped",
        "`PYTHONIOENCODING=ascii nnlab runs show RUN` (a sweep)",
        0,
        (": COMPLETED (2 COMPLETED)",),
    ),
    Row(
        "a folder in the runs folder whose name is not UTF-8 (`mkdir $'runs/\\xff'`)",
        "`nnlab report` (and `runs list`, on any stdout)",
        0,
        ("3 folders (1 of them no run folder, which runs list leaves out), 4 pages",),
    ),
    Row(
        "a working folder removed while the shell was in it, in every command (shell completion"
        " offers what it can read, without a word)",
        "`nnlab train cfg.yaml --runs-dir /abs/runs`",
        2,
        (
            "error: the working folder /abs/gone cannot be found (No such file or directory: "
            "removed while the shell was in it?); cd into a folder that exists",
        ),
    ),
    Row(
        "a low soft limit on open files (`ulimit -Sn 16`), in every command: raised to the "
        "hard limit, up to 1,024",
        "`nnlab sweep grid cfg.yaml optimizer.lr=0.1,0.2 --jobs 2` (`ulimit -Sn 16`)",
        0,
        ("sweep folder: ",),
    ),
    Row(
        "a umask that takes the owner's own permissions (`umask 777`, `277`), in every "
        "command: the owner keeps them (the umask decides the group's and others')",
        "`nnlab train cfg.yaml` (`umask 777`, not root)",
        0,
        ("run folder: ",),
    ),
]
NOT_UTF8_LINES = Row(
    "a path whose name is not UTF-8, in every line that names it: each byte nnlab cannot "
    "decode as its escape, `\\xfe` (as a refused argument is said), in a table, `runs show` and "
    "an error line alike (a table wrote the raw byte, an error line `\\udcfe`)",
    "`nnlab runs show RUN` (its folder `runs/b\\xfe`, its meta.json damaged; `runs list`)",
    2,
    ("error: {runs}/b\\xfe/meta.json: not valid JSON",),
)


def run(case: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv(*args, "--runs-dir", case / "runs"),
        cwd=case,
        capture_output=True,
        env={**os.environ, **env},
        timeout=300,
    )


ASCII_ENVIRONMENTS = [
    {"PYTHONIOENCODING": "ascii"},
    {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
]


@pytest.mark.slow
def test_runs_show_on_a_stdout_without_unicode_draws_its_tables_in_ascii(case):
    made = run(case, "sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "-q")
    assert made.returncode == 0, made.stderr
    sweep = only(case / "runs").path
    for env in ASCII_ENVIRONMENTS:
        shown = run(case, "runs", "show", str(sweep), **env)
        assert shown.returncode == 0, (env, shown.stderr)
        assert shown.stderr == b"", env
        text = shown.stdout.decode("ascii")
        expected = sweep.name + ENVIRONMENT[0].parts[0]
        assert expected in text and "| trial    | optimizer.lr |" in text, text


def a_folder_not_utf8(case: Path) -> tuple[Path, Path]:
    made = run(case, "train", "cfg.yaml", "-q")
    assert made.returncode == 0, made.stderr
    runs = case / "runs"
    good = only(runs).path
    other = Path(os.fsdecode(bytes(runs) + b"/b\xfe"))
    shutil.copytree(good, other)  # (a run folder renamed by hand)
    Path(os.fsdecode(bytes(runs) + b"/\xff")).mkdir()  # (and a folder of no run)
    return good, other


@pytest.mark.slow
def test_a_folder_name_not_utf8_is_listed_on_any_stdout(case):
    good, _ = a_folder_not_utf8(case)
    for env in [{}, *ASCII_ENVIRONMENTS]:
        listed = run(case, "runs", "list", **env)
        assert listed.returncode == 0, (env, listed.stderr)
        assert listed.stderr == b"", env
        assert good.name.encode() in listed.stdout and b"| b" in listed.stdout.replace(
            "│".encode(), b"|"
        )


@pytest.mark.slow
def test_a_folder_name_not_utf8_is_written_one_way_in_every_line(case):
    _, other = a_folder_not_utf8(case)
    listed = run(case, "runs", "list")
    assert b"\\udc" not in listed.stdout + listed.stderr and b"\xfe" not in listed.stdout
    assert b" b\\xfe " in listed.stdout, listed.stdout  # (measured as written: its row aligned)
    assert len({len(line) for line in listed.stdout.decode().splitlines()[2:]}) == 1
    shown = run(case, "runs", "show", "b")
    assert shown.returncode == 0 and f"{case / 'runs'}/b\\xfe\n".encode() in shown.stdout
    (other / "meta.json").write_text("[")
    for args in (["runs", "show", "b"], ["runs", "list"]):
        said = run(case, *args)
        row = NOT_UTF8_LINES
        assert said.returncode == (row.code if args[1] == "show" else 0), said.stderr
        said_of = row.expect(case / "runs")[0].removeprefix("error: ").encode()
        assert said_of in said.stdout + said.stderr, said


def test_a_byte_not_decoded_is_shown_as_its_escape():
    from nnlab.cli.usage import one_line as line_of
    from nnlab.streams import ESCAPING

    name = os.fsdecode(b"runs/b\xfe\x1bc")
    assert line_of(f"error: {name}: gone") == "error: runs/b\\xfe\\x1bc: gone"
    assert name.encode("utf-8", ESCAPING) == b"runs/b\\xfe\x1bc"
    assert "\u2501\udcfe".encode("ascii", ESCAPING) == b"\\u2501\\xfe"


@pytest.mark.slow
def test_a_folder_name_not_utf8_is_in_the_report(case):
    a_folder_not_utf8(case)
    done = invoke("report", "--runs-dir", case / "runs")
    assert done.exit_code == ENVIRONMENT[1].code, done.output
    assert ENVIRONMENT[1].parts[0] in done.stderr
    index = (case / "runs" / "report" / "index.html").read_text()
    assert 'href="b%FE/index.html"' in index and 'href="%FF/index.html"' in index
    assert Path(os.fsdecode(bytes(case / "runs" / "report") + b"/b\xfe/index.html")).is_file()


@pytest.mark.slow
def test_a_home_that_cannot_be_written_adds_no_lines(case, tmp_path):
    """matplotlib cannot make its config and cache folders under such a HOME (or one that is
    a file) and said so in four lines on stderr, on every command that draws a figure; the
    temporary folder it makes instead is not left behind."""
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    temp = tmp_path / "temp"  # (where matplotlib makes its temporary folder: TMPDIR)
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "XDG_"))}
    for place in (home, Path("/proc")):
        done = subprocess.run(
            argv("train", "cfg.yaml", "-q", "--runs-dir", case / "runs"),
            cwd=case,
            capture_output=True,
            text=True,
            env={**env, "HOME": str(place), "TMPDIR": str(temp)},
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert one_line(done.stderr).startswith("run folder: "), done.stderr
    assert all((r / "curves.png").is_file() for r in (case / "runs").iterdir())
    # (the painter made one, which matplotlib's exit hook removes, and its os._exit skipped:
    # one left in /tmp, 48 kB, by every command that drew a figure)
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [["train", "{cfg}", "-q", "--runs-dir", "{runs}"], ["runs", "list"], ["report", "--runs-dir",
     "{runs}"], ["lr-scan", "{cfg}", "--num", "2", "--runs-dir", "{runs}"]],
    ids=["train", "runs list", "report", "lr-scan"],
)  # fmt: skip
def test_a_working_folder_removed_is_refused_before_anything_runs(case, args):
    """train with an absolute --runs-dir failed 'error: No such file or directory' after its
    folder existed (NumPy's abspath), report likewise (its links), runs list named 'runs'."""
    gone = case / "gone"
    gone.mkdir()
    filled = [a.format(cfg=case / "cfg.yaml", runs=case / "runs") for a in args]
    shell = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    done = subprocess.run(
        ["bash", "-c", shell, "-", str(gone), *argv(*filled)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == ENVIRONMENT[2].code, done.stderr
    expected = ENVIRONMENT[2].parts[0].replace("/abs/gone", str(gone))
    assert one_line(done.stderr) == expected
    assert not (case / "runs").exists()


def test_an_argument_python_read_as_ascii_is_said_to_be_utf8(case):
    """In a C locale without UTF-8 mode Python reads arguments as ASCII, keeping each other
    byte as a lone surrogate: a UTF-8 'rü' was refused as 'not UTF-8 text'."""
    env = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    done = run(case, "train", "cfg.yaml", "--out", "rü", **env)
    assert done.returncode == 2
    assert one_line(done.stderr.decode()) == (
        "error: argument 4 ('rü') is UTF-8, which Python here reads as ascii (a C locale "
        "without UTF-8 mode: PYTHONUTF8=0?); run with PYTHONUTF8=1, or in a UTF-8 locale"
    )
    bad = subprocess.run(
        [*argv("train", "cfg.yaml", "--out"), b"r\xfc"], cwd=case, capture_output=True
    )
    assert b"is not UTF-8 text" in bad.stderr


@pytest.mark.parametrize("command", [["train", "cfg.yaml"], ["lr-scan", "cfg.yaml", "--num", "2"]])
def test_a_runs_folder_from_the_environment_refused_names_the_variable(case, command):
    """The library's refusal of a value that came from $NNLAB_RUNS_DIR said '--runs-dir: ...',
    an option the command line did not have (typer's own refusals of it named the variable)."""
    result = invoke(*command, "-q", env={"NNLAB_RUNS_DIR": "/proc/runs"})
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr).startswith(
        "error: --runs-dir (from $NNLAB_RUNS_DIR): '/proc/runs': cannot write in folder '/proc'"
    )
    given = invoke(*command, "-q", "--runs-dir", "/proc/runs")
    assert one_line(given.stderr).startswith("error: --runs-dir: '/proc/runs': cannot write")


@pytest.mark.slow
def test_a_low_soft_limit_on_open_files_is_raised_to_the_hard_one(case):
    """Under ``ulimit -Sn 16`` a sweep with two workers failed as its pool started ('error: Too
    many open files', no file named) and could not write its FAILED: the folder read STALE."""
    import resource

    def low() -> None:
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (16, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
        )

    done = subprocess.run(
        argv("sweep", "grid", "cfg.yaml", "optimizer.lr=0.1,0.2", "--jobs", "2", "-q",
             "--runs-dir", case / "runs"),
        cwd=case, capture_output=True, text=True, timeout=300, preexec_fn=low,
    )  # fmt: skip
    assert done.returncode == ENVIRONMENT[3].code, done.stderr
    assert one_line(done.stderr).startswith(ENVIRONMENT[3].parts[0]), done.stderr
    assert only(case / "runs").meta["status"] == "COMPLETED"


@pytest.mark.parametrize("mask", [0o777, 0o277])
def test_a_umask_that_takes_the_owners_permissions_leaves_them(case, mask):
    """``umask 777`` (or 277, 577) made each folder nnlab makes one its owner could not enter
    and each file one it could not write: a train failed on the hidden folder it had just
    made ('.<run>.new: cannot open: Permission denied', exit 2) and left it there; as root
    (which passes over permissions) every run file was mode 000. Run without root's
    capabilities where setpriv can drop them, so the permissions count."""
    setpriv = shutil.which("setpriv")
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"] if setpriv else []
    made = subprocess.run(
        [*prefix, *argv("train", "cfg.yaml", "-q", "--runs-dir", case / "runs")],
        cwd=case,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(mask),
    )
    assert made.returncode == 0, made.stderr
    assert one_line(made.stderr).startswith(ENVIRONMENT[-1].parts[0])
    assert only(case / "runs").status == "COMPLETED"
    paths = [case / "runs", *(case / "runs").rglob("*")]
    wrong = {
        p.name: oct(p.stat().st_mode & 0o777)
        for p in paths
        if p.stat().st_mode & 0o777 != (0o700 if p.is_dir() else 0o600)
    }
    assert wrong == {} and (only(case / "runs").path / "curves.png").is_file()
