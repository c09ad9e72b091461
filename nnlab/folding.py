"""Folding text to a terminal's width at its spaces: a word (an id, a path, a number) is never
broken, and a continued line is indented to the value of a "key: value" line (``output`` fits
tables and prose with it)."""

from __future__ import annotations

import re

# A line that is a "key: value" pair ("run folder: ...", "max_rel_error: ...", a config's
# "  dataset: {...}") or an aligned "key   value" pair ("command   nnlab ...", a legend's
# "  step_loss    L(W - lr*g): ...", keys listed: "  mean, std    of ..."): its continued lines
# are indented to its value.
KEY_VALUE = re.compile(
    r" *(?:[A-Za-z_][\w.-]*(?:, [A-Za-z_][\w.-]*)* {2,}|[A-Za-z_](?:[^: ]| (?! ))*?: +)(?=\S)"
)


# A number and its unit ("8 GB/s", "0.044 s", "24 h", "1.0 GFLOP"): one word to fold, so that
# a line never ends in a number whose unit starts the next (a dry run's "8" / "GB/s of ...")
UNIT = r"(?:ms|s|h|min|[KMGT]?B(?:/s)?|[GT]FLOP(?:/s)?)"
WORD = re.compile(rf"(\s*)([(~]?[-+]?\d[\d,.]*(?:e[-+]?\d+)? {UNIT}(?![\w/])\S*|\S+)")


def hanging_indent(line: str, width: int) -> int:
    """How far the continued lines of ``line`` folded at ``width`` are indented: to its value
    where it is a key-value pair (``KEY_VALUE``) whose key takes at most a third of the
    width; else its own indent, and 2 for a line that has none."""
    lead = len(line) - len(line.lstrip(" "))
    match = KEY_VALUE.match(line)
    if match and match.end() <= width // 3:
        return match.end()
    return min(lead or 2, width // 3)


def fold_line(line: str, width: int, indent: int | None = None) -> list[str]:
    """``line`` in lines of at most ``width``, broken at its spaces only (the spaces inside
    each piece kept as they are), continued lines indented by ``indent`` (None:
    ``hanging_indent``). A word (an id, a path, a number, a number and its unit: ``WORD``)
    is never broken: one that does not fit where the line goes on starts a line of its own,
    indented where it fits so, at the left edge where only that way it fits whole; a word
    wider than the terminal stands on a line of its own and is left to it. The words after
    the last wide gap of a line (``_last_group``: 'ended' and its time) go on with it."""
    if len(line) <= width:
        return [line]
    rest = " " * (hanging_indent(line, width) if indent is None else indent)
    lead = line[: len(line) - len(line.lstrip(" "))]
    lines, current = [], lead
    for gap, word in WORD.findall(line[len(lead) :]):  # (a number with its unit: one)
        if current.strip() and len(current) + len(gap) + len(word) <= width:
            current += gap + word
        elif not current.strip():  # (the line's first word: where it is, whatever its length)
            current += word
        else:
            moved = _last_group(current, len(rest)) if len(gap) < 2 else ""  # (at a wide gap)
            if moved and len(rest) + len(moved) + len(gap) + len(word) <= width:
                lines.append(current[: len(current) - len(moved)].rstrip())
                word = moved + gap + word
            else:
                lines.append(current)
            fits = len(rest) + len(word) <= width or len(word) > width
            current = (rest if fits else "") + word
    return [*lines, current]


def _last_group(line: str, indent: int) -> str:
    """The words of ``line`` after its last gap of two spaces or more, a group of its own
    ('ended 2026-12-08' of '... 00:51:24  ended 2026-12-08', '(figure: curves.png)' of a
    folder line), if that gap follows two words or more and ends past ``indent``, where its
    continued lines begin (not a key's gap: 'started   ...'); else ''."""
    gaps = [m for m in re.finditer(r" {2,}(?=\S)", line) if len(line[: m.start()].split()) > 1]
    return line[gaps[-1].end() :] if gaps and gaps[-1].end() > indent else ""


def fold_text(text: str, width: int) -> str:
    """``text`` with each line longer than ``width`` folded at its spaces (``fold_line``),
    together with the lines that continue it by hand (``_unwrapped``)."""
    ends = text.endswith("\n")
    lines = [f for line in _unwrapped(text.splitlines(), width) for f in fold_line(line, width)]
    return "\n".join(lines) + ("\n" if ends else "")


def _unwrapped(lines: list[str], width: int) -> list[str]:
    """``lines`` with each one longer than ``width`` joined to the lines after it that
    continue it (a legend wrapped by hand at 100 columns: indented further than it, and no
    "key: value" line of their own), so that it folds as one line, not as ragged pieces."""
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        indent = len(line) - len(line.lstrip(" "))
        continued = line.strip() and indent > len(prev) - len(prev.lstrip(" "))
        if len(prev) > width and continued and not KEY_VALUE.match(line):
            out[-1] = f"{prev} {line.strip()}"
        else:
            out.append(line)
    return out
