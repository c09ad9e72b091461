"""The words of a message about counts: a count and its noun (``counted``), the verb that
agrees with it (``verb``), alternatives (``either``), an article (``article``), a value
quoted whole or cut (``brief``), a cut list (``part_of``). ``nnlab.output`` re-exports
them; how a number is spelled is ``nnlab.numbers``'."""

from __future__ import annotations

from nnlab.numbers import count_text


def either(words: list[str] | tuple[str, ...]) -> str:
    """Alternatives as a message says them: 'train', 'train or sweep', 'train, sweep or tune'."""
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 2 else words)


def counted(n: int | str, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless n is 1: "1 trial", "3 trials", "0 runs".

    ``plural``: the noun's plural when it is not ``noun + "s"`` ("entry", "entries"). ``n`` may
    be a number already written out ("more than 5"): singular only when it is "1". An integer
    is written with thousands separators, "17,610 parameters", as the counts beside it are
    ("100 rounds of 10000 trials = 1,000,000 trials" read two ways in one line).
    Every count in a message, title, progress line or figure goes through here (a test scans
    the source for ``{n} trials`` written by hand).
    """
    many = plural or f"{noun}s"
    shown = count_text(n) if isinstance(n, int) and not isinstance(n, bool) else n
    return f"{shown} {noun if n == 1 or n == '1' else many}"


def article(word: str) -> str:
    """The article before ``word`` as it is said: 'an' before a vowel sound (an activations,
    an lr-scan folder), else 'a'."""
    return "an" if word[:1] in "aeiou" or word.startswith("lr-") else "a"


def verb(n: int | str, singular: str, plural: str) -> str:
    """The verb whose subject is the count ``n``: ``singular`` when n is 1, else ``plural``.

    ``f"{n} of {counted(total, 'label')} {verb(n, 'is', 'are')} not class indices"``: "1 of 12
    labels is not", "2 of 12 labels are not". ``n`` as ``counted`` takes it. A verb written by
    hand after a count is wrong for some count (a test scans the source for one).
    """
    return singular if n == 1 or n == "1" else plural


QUOTED_CHARS = 60  # of a value an error message quotes: whole up to this length


def brief(text: str, limit: int = QUOTED_CHARS) -> str:
    """``text`` as an error message quotes it: whole up to ``limit`` characters, else its
    start and its length, so that a value 5,000 digits long is still one line."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 3]}... ({counted(f'{len(text):,}', 'character')})"


def part_of(shown: int, total: int, noun: str, which: str = "top") -> str:
    """What a cut list shows: "top 3 of 10 runs" when rows are left out, else "10 runs"."""
    if shown < total:  # (grouped as the total is: 'top 1,000 of 2,000 runs')
        return f"{which} {count_text(shown)} of {counted(total, noun)}"
    return counted(total, noun)
