"""``nnlab.provenance``: the commit a run's meta.json records, asked of git ahead of time
(``ask_git_commit``) by the process that reads it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nnlab import provenance


@pytest.fixture
def fresh(monkeypatch):
    """No commit asked or known yet in this process (and none left behind for other tests)."""
    provenance.git_commit.cache_clear()
    monkeypatch.setattr(provenance, "_asked", [])
    yield
    provenance.git_commit.cache_clear()


class Git:
    """A stand-in for ``git rev-parse HEAD``'s process: says ``out``, counts the ones made."""

    made = 0

    def __init__(self, out: str = "c0ffee\n") -> None:
        Git.made += 1
        self.out, self.returncode = out, 0

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        return self.out, ""


def test_the_commit_asked_ahead_is_the_one_git_says(fresh):
    folder = Path(provenance.__file__).resolve().parent
    said = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True,
                          text=True)  # fmt: skip
    expected = said.stdout.strip() if said.returncode == 0 else None
    provenance.ask_git_commit()
    assert len(provenance._asked) == 1
    assert provenance.git_commit() == expected
    assert provenance._asked == []


def test_git_is_asked_once_ahead_and_read_once(fresh, monkeypatch):
    Git.made = 0
    monkeypatch.setattr(provenance, "_git_rev_parse", Git)
    provenance.ask_git_commit()
    provenance.ask_git_commit()  # (one is under way)
    assert provenance.git_commit() == "c0ffee" and Git.made == 1
    provenance.ask_git_commit()  # (known: not asked again)
    assert provenance.git_commit() == "c0ffee" and Git.made == 1


def test_a_process_forked_after_the_question_asks_again(fresh, monkeypatch):
    """A forked process (a painter, a sweep's worker) cannot read its parent's git (not its
    child), and must not read its output from the shared pipe: it starts its own."""
    monkeypatch.setattr(provenance, "_git_rev_parse", lambda: Git("parent's\n"))
    provenance.ask_git_commit()
    monkeypatch.setattr(provenance, "_git_rev_parse", lambda: Git("own\n"))
    monkeypatch.setattr(provenance.os, "getpid", lambda: -1)  # (another process's id)
    assert provenance.git_commit() == "own"


def test_no_git_is_no_commit(fresh, monkeypatch):
    def missing():
        raise FileNotFoundError("git")

    monkeypatch.setattr(provenance, "_git_rev_parse", missing)
    provenance.ask_git_commit()
    assert provenance._asked == [] and provenance.git_commit() is None
