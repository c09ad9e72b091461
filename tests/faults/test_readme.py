"""The README's "Faults and how nnlab answers" table is this suite's cases: one row per fault
class, in order, each with the exit code and the line the case asserts."""

from __future__ import annotations

from pathlib import Path

from .helpers import readme_form
from .test_after_folder import FAULTS
from .test_bounds import BOUNDS
from .test_clocks import CLOCKS
from .test_concurrency import CONCURRENT
from .test_control_text import CONTROL_TEXT
from .test_damaged import RESUME
from .test_early_interrupts import RESUME_STOPPED
from .test_environment import ENVIRONMENT, NOT_UTF8_LINES
from .test_garbage import GARBAGE
from .test_kill_moments import NOHUP
from .test_lacking import LACKING, NO_META
from .test_latest_and_modes import DAMAGED_LATEST, LATEST
from .test_links import LINKS
from .test_names import NAMES
from .test_other_commands import ENDS, WRAPPED_INTERRUPT
from .test_permissions import PERMISSIONS
from .test_processes import INTERRUPTS
from .test_removal import REMOVAL, REMOVED_MEANWHILE
from .test_renderings import RENDERINGS
from .test_report_writes import REPORT_DISK
from .test_resources import RESOURCES
from .test_resume_data import DATA_CHANGED
from .test_resume_every import SECOND_SIGNAL
from .test_streams import STREAMS
from .test_summary_values import SUMMARY_VALUE
from .test_syscall_faults import SYSCALLS
from .test_torn_end import TORN_END
from .test_trial_files import TRIAL_FILES
from .test_unreadable import UNREADABLE
from .test_vanishing import VANISHING
from .test_versions import NEWER
from .test_wrong_kind import WRONG_KIND

ROWS = [
    *FAULTS,
    *ENDS,
    *INTERRUPTS,
    RESUME_STOPPED,
    WRAPPED_INTERRUPT,
    SECOND_SIGNAL,
    *RESUME,
    TORN_END,
    WRONG_KIND,
    RENDERINGS,
    LACKING,
    NO_META,
    GARBAGE,
    DATA_CHANGED,
    SUMMARY_VALUE,
    *NAMES,
    *BOUNDS,
    LATEST,
    DAMAGED_LATEST,
    *CONCURRENT,
    *STREAMS,
    *ENVIRONMENT,
    NOT_UTF8_LINES,
    CONTROL_TEXT,
    *CLOCKS,
    *LINKS,
    *PERMISSIONS,
    *VANISHING,
    *REMOVAL,
    REMOVED_MEANWHILE,
    *UNREADABLE,
    *RESOURCES,
    *SYSCALLS,
    REPORT_DISK,
    NEWER,
    *TRIAL_FILES,
    NOHUP,
]


def table() -> list[list[str]]:
    """The cells of each row of the table (header and rule left out)."""
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text[text.index("### Faults and how nnlab answers") :]
    section = section[: section.index("\n## ")]
    lines = [line for line in section.splitlines() if line.startswith("| ")][1:]  # (no header)
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_the_table_has_one_row_per_fault_class_in_the_suites_order():
    assert [cells[0] for cells in table()] == [row.fault for row in ROWS]
    assert len({row.fault for row in ROWS}) == len(ROWS) >= 25


def test_each_row_says_what_the_case_asserts():
    for cells, row in zip(table(), ROWS, strict=True):
        fault, command, code, message = cells
        assert command.replace("\\|", "|") == row.command, fault
        assert int(code) == row.code, fault
        assert message.startswith("`") and message.endswith("`"), fault
        for part in row.parts:
            assert readme_form(part) in message[1:-1], (fault, readme_form(part))
