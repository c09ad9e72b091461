"""Odd environments (fault injection, round 4): a folder in the runs folder whose name is not
UTF-8 (``mkdir $'runs/\\xff'``), which Python lists with its bytes as lone surrogates.

``report`` failed on such a name, 'unexpected UnicodeEncodeError' (its link could not be
quoted); now the report links the folder by its bytes (``%FF``), as its page's folder is
named on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .helpers import Row, argv, invoke, only

ENVIRONMENT = [
    Row(
        "a folder in the runs folder whose name is not UTF-8 (`mkdir $'runs/\\xff'`)",
        "`nnlab report` (and `runs list`, on any stdout)",
        0,
        ("3 folders, 4 pages",),
    ),
]


def run(case: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv(*args, "--runs-dir", case / "runs"),
        cwd=case,
        capture_output=True,
        env={**os.environ, **env},
        timeout=300,
    )


def a_folder_not_utf8(case: Path) -> tuple[Path, Path]:
    made = run(case, "train", "cfg.yaml", "-q")
    assert made.returncode == 0, made.stderr
    runs = case / "runs"
    good = only(runs).path
    other = Path(os.fsdecode(bytes(runs) + b"/b\xfe"))
    shutil.copytree(good, other)  # (a run folder renamed by hand)
    Path(os.fsdecode(bytes(runs) + b"/\xff")).mkdir()  # (and a folder of no run)
    return good, other


def test_a_folder_name_not_utf8_is_in_the_report(case):
    a_folder_not_utf8(case)
    done = invoke("report", "--runs-dir", case / "runs")
    assert done.exit_code == ENVIRONMENT[0].code, done.output
    assert ENVIRONMENT[0].parts[0] in done.stderr
    index = (case / "runs" / "report" / "index.html").read_text()
    assert 'href="b%FE/index.html"' in index and 'href="%FF/index.html"' in index
    assert Path(os.fsdecode(bytes(case / "runs" / "report") + b"/b\xfe/index.html")).is_file()
