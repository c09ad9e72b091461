"""Text read from a folder that holds control characters (a folder renamed with an escape
sequence, a carriage return, a newline or a tab; a recorded error) or a
byte that is not UTF-8: every table and line shows each as its escape, made in one place
(``streams.printable``), and ``--format json`` writes a byte that is not UTF-8 as its escape
too (``\\xfe``), so that its text is UTF-8 a strict reader decodes. A table wrote them raw (an
escape sequence recoloured the terminal, a newline broke a row in two), and json a lone
surrogate, ``\\udcfe``, which is no character."""

from __future__ import annotations

import json
import os
import shutil

from .helpers import Row, invoke

NAME = "b\x1b[31m\r\n\tt"  # (a folder renamed by hand: mv run $'b\e[31m\r\n\tt')
SHOWN = "b\\x1b[31m\\r\\n\\tt"
CONTROL_TEXT = Row(
    "text read from a folder holding control characters (a folder renamed with `\\e[31m`, "
    "`\\r`, `\\n`, a tab; a recorded error), in every table and line: each "
    "as its escape, `\\x1b`, `\\r`, `\\n`, `\\t`, as a byte not UTF-8 is `\\xfe` (a table wrote "
    "them raw: an escape sequence recoloured the terminal, a `\\n` broke a row in two); "
    "`--format json` writes such a byte `\\xfe` too (it wrote `\\udcfe`, no character), and "
    "`--format csv` each as the table does (it dropped an escape sequence unsaid and quoted a "
    "`\\n`, a record over two lines)",
    "`nnlab runs list` (a folder renamed `b$'\\e[31m\\r\\n\\t't`; `runs show`, `-f json`, "
    "`-f csv`)",
    0,
    (f"│ {SHOWN} │ train/digits",),
)
RAW = ("\x1b", "\r", "\t", "\udcfe", "\xfe")


def renamed(done, name: str):
    """``done``'s folder renamed ``name`` (as a user's ``mv`` may)."""
    target = done.path.with_name(name)
    shutil.move(done.path, target)
    return target


def test_a_folder_name_with_control_characters_is_escaped_in_tables_and_lines(case, done):
    folder = renamed(done, NAME)
    root = case / "runs"
    listed = invoke("runs", "list", "--runs-dir", root)
    assert listed.exit_code == 0, listed.output
    assert not any(c in listed.stdout for c in RAW), listed.stdout
    assert CONTROL_TEXT.expect(root)[0] in listed.stdout, listed.stdout
    rows = [line for line in listed.stdout.splitlines() if line.startswith("│")]
    assert len(rows) == 1, listed.stdout  # (the row whole: not broken in two by its '\n')
    shown = invoke("runs", "show", folder, "--runs-dir", root)
    assert shown.exit_code == 0, shown.output
    assert f"run       {root}/{SHOWN}\n" in shown.stdout, shown.stdout
    assert not any(c in shown.stdout + shown.stderr for c in RAW), shown.stdout


def test_csv_writes_control_characters_as_the_table_does(case, done):
    # (it dropped the escape sequence, click's echo strips one into a pipe, and quoted the
    # newline and tab raw: one record over two lines, which grep and wc -l miscount)
    renamed(done, NAME)
    listed = invoke("runs", "list", "-f", "csv", "--runs-dir", case / "runs")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{SHOWN},train,"), listed.stdout
    assert not any(c in listed.stdout for c in RAW), listed.stdout


def test_a_recorded_error_with_control_characters_is_escaped(case, done):
    meta = json.loads(done.file("meta.json").read_text())
    meta["error"] = "RuntimeError: boom\x1b[2J\r\nline 2\tend"
    done.file("meta.json").write_text(json.dumps(meta))
    shown = invoke("runs", "show", done.path, "--runs-dir", case / "runs")
    assert shown.exit_code == 0, shown.output
    assert "error     RuntimeError: boom\\x1b[2J\\r\\nline 2\\tend\n" in shown.stdout
    assert not any(c in shown.stdout for c in RAW), shown.stdout


def test_json_writes_a_byte_not_utf8_as_its_escape(case, done):
    root = case / "runs"
    name = os.fsdecode(b"b\xfe")
    renamed(done, name)
    listed = invoke("runs", "list", "-f", "json", "--runs-dir", root)
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert row["run"] == "b\\xfe", row
    listed.stdout.encode("utf-8")  # (strict: no lone surrogate in it)
    shown = invoke("runs", "show", "b", "-f", "json", "--runs-dir", root)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["run"] == f"{root}/b\\xfe"


def test_printable_escapes_every_control_character_and_keeps_lines_when_asked():
    from nnlab.streams import printable

    assert printable("plain text, ünïcode, …") == "plain text, ünïcode, …"
    assert printable("a\x1b[1m\r\n\t\x00\x7f") == "a\\x1b[1m\\r\\n\\t\\x00\\x7f"
    assert printable("one\ntwo\r", lines=True) == "one\ntwo\\r"
    assert printable(os.fsdecode(b"b\xfe")) == "b\\xfe"
