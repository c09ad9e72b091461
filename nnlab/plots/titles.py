"""A figure's titles and other long texts broken into lines that fit their space
(``fit_lines``), a figure's title naming its run (``named``), and titles fitted to their axes
or figure (``fitted_title``, ``fitted_suptitle``). (Re-exported by ``plots.base``.)"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

JOINS = "-_/."  # where a word without spaces (a run id, a path) may break: after one of these

# Where a text too wide for a line breaks, the first of these that breaks it, each tried on a
# piece still too wide after the ones before (a break drops the space it is at):
BREAKS = (
    "clause",  # after a "; " or ", " outside brackets (a list of parts: "digits, test split")
    "bracket",  # before a " (" outside brackets: a remark stays whole ("(initial weights, seed 0)")
    "semicolon",  # after a "; " inside brackets ("(BN diverged, epoch 2; no BN diverged, ...)")
    "comma",  # after a ", " inside brackets
    "space",  # at a space not after a colon ("colour: model.init" keeps its key with its value)
    "any space",
    "join",  # after a JOINS character, the lines of even width: a run id, a path
)


def fit_lines(fig: Any, text: str, width: float, fontsize: float) -> str:
    """``text`` broken into lines no wider than ``width`` inches at ``fontsize`` points (as
    ``fig`` draws it), each of its lines (``\\n``) filled in turn: a piece that fits on the line
    joins it, one that fits a line of its own starts one, and one wider than a line is broken
    at its ``BREAKS`` in order, its pieces filled in the same way. A word without spaces (a run
    id, 20261207-123922-landscape-digits-quickstart-cfe422) is broken after its '-', '_', '/' or
    '.' into lines of even width ('...-landscape-' over 'digits-quickstart-cfe422'; filled, it
    left 'cfe422' alone on a line), and only a word with none that fits (a name of 64 letters)
    is cut, into even parts. A key is not left at a line's end without its value ('colour:'
    over 'model.init'). A figure of fixed margins has no tight crop to widen it: a sweep's id
    ran off the left edge of its summary, and two notes in a weight-scale panel's title ran
    over the next panel's."""
    from matplotlib.text import Text

    probe = Text(0, 0, "", fontsize=fontsize, figure=fig)
    renderer = fig.canvas.get_renderer()
    room = width * fig.dpi

    def wide(line: str) -> float:
        probe.set_text(line)
        return float(probe.get_window_extent(renderer).width)

    lines: list[str] = []
    for given in text.split("\n"):
        line = ""
        queue: list[tuple[str, str, int]] = [("", given, 0)]  # (glue before it, piece, level)
        while queue:
            glue, piece, level = queue.pop(0)
            joined = f"{line}{glue}{piece}" if line else piece
            if wide(joined) <= room:
                line = joined
                continue
            if wide(piece) <= room:  # (a line of its own)
                lines += [line] if line else []
                line = piece
                continue
            at = next((k for k in range(level, len(BREAKS)) if len(_split(piece, k)) > 1), None)
            if at is None or BREAKS[at] == "join":  # (a word: lines of even width)
                lines += [line] if line else []
                *done, line = _even(piece, room, wide, at is not None)
                lines += done
                continue
            first, *more = _split(piece, at)  # (its first piece may still join the line)
            queue[:0] = [(glue, first, at + 1), *((" ", part, at + 1) for part in more)]
        lines.append(line)
    return "\n".join(lines)


def _split(piece: str, level: int) -> list[str]:
    """``piece`` split at its breaks of ``BREAKS[level]`` (the space each is at dropped; a
    "join" keeps its character on the line before), or [piece] where it has none."""
    kind = BREAKS[level]
    if kind == "join":
        return [p for p in re.split(f"(?<=[{re.escape(JOINS)}])(?=.)", piece)]
    if kind in ("semicolon", "comma"):
        return re.split("(?<=;) " if kind == "semicolon" else "(?<=,) ", piece)
    if kind == "space":
        return re.split("(?<!:) (?=.)", piece)
    if kind == "any space":
        return piece.split(" ")
    cuts, depth = [], 0  # (outside brackets only: clause, bracket)
    for i, ch in enumerate(piece):
        depth += (ch in "([{") - (ch in ")]}")
        if ch != " " or depth > 0 or i == 0:
            continue
        if (kind == "clause" and piece[i - 1] in ";,") or (
            kind == "bracket" and piece[i + 1 : i + 2] == "("
        ):
            cuts.append(i)
    bounds = [-1, *cuts, len(piece)]
    return [piece[a + 1 : b] for a, b in zip(bounds, bounds[1:])]


def _even(word: str, room: float, wide: Callable[[str], float], joins: bool) -> list[str]:
    """``word`` in as few lines no wider than ``room`` pixels as filling them gives (after its
    ``JOINS`` characters where ``joins``, else cut anywhere), of even width: the narrowest
    width that needs no more lines, found by bisection (a pixel apart)."""

    def head(rest: str, limit: float) -> int:  # (the longest head of ``rest`` that fits)
        if joins:
            fit = 0
            for i in (i for i in range(1, len(rest)) if rest[i - 1] in JOINS):
                if wide(rest[:i]) > limit:  # (a longer head is wider still)
                    break
                fit = i
            if fit:
                return fit
        lo, hi = 1, len(rest) - 1  # (no join that fits: cut anywhere, by bisection)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if wide(rest[:mid]) <= limit else (lo, mid - 1)
        return lo

    def filled(limit: float) -> list[str]:
        out, rest = [], word
        while wide(rest) > limit and len(rest) > 1:
            i = head(rest, limit)
            out.append(rest[:i])
            rest = rest[i:]
        return [*out, rest]

    most = filled(room)
    lo, hi = wide(word) / len(most), room
    while hi - lo > 1:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if len(filled(mid)) <= len(most) else (mid, hi)
    return filled(hi)


def named(run: str, text: str = "") -> str:
    """A figure's title: the run that drew it (``run``, its id) on the first line, then what
    the figure shows (``text``); either alone where the other is empty. Every figure names
    its run this way, so one copied out of its folder (into slides) still says which run made
    it: train's, lr-scan's and landscape's said only the config's name, activations',
    compare-optimizers' and gradcheck's differences' no run at all. Fit it to the figure's
    width with ``fitted_title`` or ``fitted_suptitle``."""
    return "\n".join(part for part in (run, text) if part)


def fitted_title(ax: Any, text: str, width: float | None = None, **kwargs: Any) -> Any:
    """``ax.set_title(text, **kwargs)``, broken into lines no wider than the axes (``width``
    inches if given: ``fit_lines``). A title wider than its axes ran over the next panel's
    (an optimizer's label of 60 characters) or over a colour bar's top tick (a landscape's run
    id); a title that fits is as it was."""
    title = ax.set_title(text, **kwargs)
    fig = ax.get_figure()
    inches = ax.get_position().width * fig.get_figwidth() if width is None else width
    title.set_text(fit_lines(fig, text, inches, title.get_fontsize()))
    return title


def fitted_suptitle(fig: Any, text: str, margin: float = 0.1, **kwargs: Any) -> Any:
    """``fig.suptitle(text, **kwargs)``, broken into lines no wider than the figure less
    ``margin`` inches each side: a run id of a 64-character name ran off both edges of a
    figure saved without the tight crop (a run's curves.png)."""
    title = fig.suptitle(text, **kwargs)
    width = fig.get_figwidth() - 2 * margin
    title.set_text(fit_lines(fig, text, width, title.get_fontsize()))
    return title
