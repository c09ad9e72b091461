"""How a ``key.sub=value`` argument names its config key: one reading for every command-line
override and every sweep argument, and the one rule for a key given twice among them. (Its own
module, below ``config`` and ``sweep.spec``, which both read arguments this way.)"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Collection, Sequence

from nnlab.errors import ConfigError
from nnlab.output import brief


def overridden(text: str, what: str = "override") -> str:
    """An override as an error message names it: ``override 'optimizer.lr=0.1'`` (a long one
    cut: ``output.brief``); ``what``: ``argument`` for a sweep's."""
    return f"{what} {brief(repr(text))}"


def override_key(text: str, what: str = "override", example: str | None = None) -> str:
    """The dotted config key ``text`` (``key.sub=value``) sets, as every reader of overrides
    and sweep arguments reads it: each part stripped (``' optimizer . lr=0.1'`` sets
    ``optimizer.lr``). ConfigError if it names none, calling ``text`` ``what``, with
    ``example`` (an override the command takes: lr-scan sets optimizer.lr itself)."""
    key, sep, _ = text.partition("=")
    parts = [p.strip() for p in key.split(".")]
    if what == "override":  # (--where '-kind': an option's value, not after '--')
        refuse_option(text, what)
    if not sep or not all(parts):
        example = example or ("optimizer.lr=0.1" if what == "override" else "optimizer.lr=0.1,0.01")
        if not sep and ":" in text:  # (YAML's 'epochs: 5' written as an override)
            example = text.replace(":", "=", 1).replace(" ", "")
            raise ConfigError(f"{overridden(text, what)}: expected key=value: {example}")
        raise ConfigError(f"{overridden(text, what)}: expected key.sub=value (e.g. {example})")
    return ".".join(parts)


def refuse_option(text: str, what: str = "override") -> None:
    """ConfigError for an option among the overrides (``-q``, ``--threads=2``): one given
    after '--', where every word is an argument (it was 'expected key.sub=value', or 'unknown
    key '--threads''); ``what``: what the line calls an argument."""
    if re.match(r"--?[A-Za-z]", text):
        raise ConfigError(
            f"{overridden(text, what)}: an option after '--', where every word is an {what}; "
            "give options before '--' (or leave '--' out)"
        )


def repeated_key(texts: Sequence[str]) -> tuple[str, str, str] | None:
    """(key, the first text, the second) for the first key that two of ``texts`` (overrides,
    sweep arguments) set, as ``override_key`` reads them; None if each sets its own. A text
    that sets no key is passed over (its reader refuses it)."""
    seen: dict[str, str] = {}
    for text in texts:
        try:
            key = override_key(text).lower()
        except ConfigError:
            continue
        if key in seen:
            return key, seen[key], text
        seen[key] = text
    return None


def refuse_spaced(overrides: list[str], what: str = "override") -> None:
    """An override the shell split at its spaces, refused as one with the way to write it:
    ``optimizer.lr = 0.5`` (three arguments, or two: ``optimizer.lr= 0.5``; the first of them
    was refused alone: 'expected key.sub=value'), and a list written with spaces,
    ``model.hidden=[100, 100]`` (its first part was 'the value '[100,' is not valid YAML').
    ``what``: what the line calls an argument (a sweep's: ``argument``)."""
    for i, text in enumerate(overrides[:-1]):
        parts = overrides[i : i + 3] if overrides[i + 1] == "=" else overrides[i : i + 2]
        joined = "".join(parts)
        if joined.count("=") == 1 and (overrides[i + 1].startswith("=") or text.endswith("=")):
            raise ConfigError(
                f"{overridden(' '.join(parts), what)}: no spaces around '=' (one argument): "
                f"{joined}"
            )
    for i, text in enumerate(overrides):
        parts = [text]
        for more in overrides[i + 1 :] if "=" in text and _unclosed(text) else []:
            if "=" in more:
                break
            parts.append(more)
            if not _unclosed("".join(parts)):
                raise ConfigError(
                    f"{overridden(' '.join(parts), what)}: the shell split it at its spaces; write it "
                    f"without them, {''.join(parts)}, or in quotes"
                )


def refuse_several(
    overrides: Sequence[str], listed: Callable[[str], bool] = lambda key: False
) -> None:
    """Several values where a single run takes one (``optimizer.lr=0.1 0.2``, the second
    refused alone as 'expected key.sub=value', or ``optimizer.lr=0.1,0.2``, 'input should be
    a valid number'), refused as what they are: a sweep's axis (``spaced_axis``: numbers
    only; a thousands separator, ``1,000``, is no list), and so are values separated as other
    tools separate a list's (``optimizer.lr=0.1;0.2``, ``separated_words``: it said 'unable to
    parse string as a number'). For a key that takes a list (``listed(key)``: ``model.hidden``)
    they are that list's items: ``model.hidden=[100,50]`` (a sweep of it, ``[100],[50]``, is
    what a run does not take); a comma list of such a key is ``describe``'s to hint."""
    for i, text in enumerate(overrides):
        key, sep, value = text.partition("=")
        more = list(itertools.takewhile(lambda word: "=" not in word, overrides[i + 1 :]))
        other = separated_words(value)
        if not sep or not (more or other or "," in value):
            continue
        if other is None and not more and re.fullmatch(r"\d{1,3}(,\d{3})+", value):
            continue
        words = other or [w for w in re.split(r"[\s,]+", " ".join([value, *more])) if w]
        said = overridden(" ".join([text, *more]))
        if listed(key.strip()):
            if (more or other) and all(_number(word) for word in words):
                raise ConfigError(
                    f"{said}: {key.strip()}'s value is a list, written in brackets, its items "
                    f"separated by commas: {key.strip()}=[{','.join(words)}]"
                )
            continue
        if (axis := spaced_axis(key, words)) is not None:
            why = f"values are separated by commas, not {_separator(value)!r}; " if other else ""
            raise ConfigError(
                f"{said}: {why}a run takes one value of a key; several are a sweep's: "
                f"nnlab sweep grid CONFIG {axis}"
            )


SEPARATORS = ";|"  # what other tools separate a list's values with; nnlab's take commas


def separated_words(value: str) -> list[str] | None:
    """The words of ``value`` split at a separator of ``SEPARATORS`` (``0.1;0.2`` -> ['0.1',
    '0.2']), None where it has none, or is a list, mapping or quoted text (``'a;b'``), or a
    word is empty."""
    stripped = value.strip()
    if not any(c in stripped for c in SEPARATORS) or stripped[:1] in ("[", "{", "'", '"'):
        return None
    words = [w.strip() for w in re.split(f"[{re.escape(SEPARATORS)}]", stripped)]
    return words if all(words) else None


def _separator(value: str) -> str:
    """The first of ``SEPARATORS`` in ``value``."""
    return next(c for c in value if c in SEPARATORS)


def not_yaml_why(text: str, problem: str | None) -> str:
    """`` (why)`` after "the value ... is not valid YAML" of the override ``text``: a bracket
    left open (``model.hidden=[100,100``), else PyYAML's ``problem`` (a number too long or
    read as another, ``yamlio._unlike_written``; a control character; a character that starts
    no value, ``@``, `` ` ``, ``!``, ``*``, ``%``: text beginning with it is quoted), else ""
    (the value's problem was not said: 'name=@x' left the reader to guess)."""
    if _unclosed(text) and not (problem and "integer of more than" in problem):
        return " (a '[' without its ']')"
    if not problem:
        return ""
    if re.search(r"cannot start any token|directive|alias|constructor for the tag", problem):
        first = text.partition("=")[2][:1]
        return f" ({problem}; text that starts with it, {first!r}, is written in quotes)"
    return f" ({problem})"


def _unclosed(text: str) -> bool:
    """``text`` opens more brackets than it closes (``[100,``: a list cut at a space)."""
    value = text.partition("=")[2]
    return value.count("[") > value.count("]")


def spaced_axis(
    key: str, words: Sequence[str], names: Collection[str] = (), listed: bool = False
) -> str | None:
    """``key=a,b``: the axis ``words`` (a value's parts, split at its spaces or commas) were
    meant as, where each is a number or one of the ``names`` the key takes
    (``optimizer.lr=0.1 0.2``, ``model.activation=relu tanh``: values separated as words are);
    None where one is not: text with a space in it (``name=my run``) is no list split at a
    space, and the hint that values are separated by commas was wrong there."""
    if len(words) < 2 or not all(_number(word) or word in names for word in words):
        return None
    return written_axis(key, words, listed)


def written_axis(key: str, values: Sequence[str], listed: bool = False) -> str:
    """A sweep's axis of ``key`` over ``values`` (each as YAML text), as its argument is written:
    ``optimizer.lr=0.1,0.01``; for a key that takes a list (``listed``) each value a list in
    brackets, ``model.hidden=[100],[200]`` (``model.hidden=100,200`` gave each trial a number,
    which it refused: 'expected a list in brackets, e.g. model.hidden=[100]')."""
    shown = [v if not listed or v.startswith("[") else f"[{v}]" for v in values]
    return f"{key.strip()}={','.join(shown)}"


def refuse_split_axis(
    args: Sequence[str],
    names: Callable[[str], Collection[str]],
    listed: Callable[[str], bool] = lambda key: False,
) -> None:
    """A sweep's axis the shell split at its spaces (``optimizer.lr=0.1 0.2`` unquoted, or
    ``optimizer.lr=0.1, 0.2``: 'argument '0.2': expected key=value, ...'), refused as one with
    the axis to give (``spaced_axis``; ``names(key)``: the names a key takes; ``listed(key)``:
    it takes a list, each value of its axis one in brackets); words that are not all its values
    (``name=a b``) are left to the plain refusal of the argument that is no ``key=value``. So
    are values separated as other tools separate them (``optimizer.lr=0.1;0.2``: a fixed
    override, 'nothing to sweep', or one every trial refused)."""
    for i, text in enumerate(args):
        key, sep, value = text.partition("=")
        more = list(itertools.takewhile(lambda word: "=" not in word, args[i + 1 :]))
        other = separated_words(value) if sep and not more else None
        if not sep or not (more or other):
            continue
        words = other or [w for w in re.split(r"[\s,]+", " ".join([value, *more])) if w]
        axis = spaced_axis(key, words, names(key.strip()), listed(key.strip()))
        if axis is not None:
            why = f"not {_separator(value)!r}" if other else ""
            raise ConfigError(
                f"{overridden(' '.join([text, *more]), 'argument')}: "
                f"{'' if other else 'the shell split it at its spaces; '}values are separated "
                f"by commas{', ' + why if why else ''}: {axis}"
            )


def _number(word: str) -> bool:
    """``word`` is a finite number as a config value is written (``0.1``, ``1e-3``, ``16``)."""
    try:
        return math.isfinite(float(word))
    except ValueError:
        return False


def keys_overlap(key: str, other: str) -> bool:
    """``key`` and ``other`` (dotted) are the same key, or one lies inside the other."""
    return key == other or key.startswith(other + ".") or other.startswith(key + ".")


def written(key: str, value: str, override: bool) -> str:
    """``key`` (dotted) set to ``value`` (YAML text) as an error's hint writes it, in the form
    of where the value came from: an override's, ``model.hidden=[100]``, or a config file's
    line, ``hidden: [100]`` (under its section): a file's ``hidden: 100`` was told to write
    ``model.hidden=[100]``, which is no line of a file."""
    if override:
        return f"{key}={value}"
    return f"{key.rpartition('.')[2]}: {value}"


def replaced_sections(raw: object, overrides: Sequence[str]) -> list[str]:
    """The warnings for ``overrides`` that set a whole section of the config file's mapping
    ``raw`` to a mapping (``model={}``, ``model={activation: tanh}``): an override replaces
    the value it sets, so the keys the file gave that section and the mapping leaves out went
    back to their defaults without a word (``model.hidden: [4]`` became [100]). A section
    switched to another variant (``optimizer={name: adam}`` under sgd) starts afresh as
    ``optimizer.name=adam`` does, and is not said."""
    from nnlab.yamlio import yaml_value

    lines = []
    for text in overrides:
        key, eq, said = text.partition("=")
        section = raw.get(key.strip()) if isinstance(raw, dict) and eq else None
        if not isinstance(section, dict) or not section.keys() - {"name"}:
            continue
        try:
            value = yaml_value(said, text)
        except Exception:  # (its reader refuses it, with the reason)
            continue
        if not isinstance(value, dict) or value.get("name", section.get("name")) != section.get(
            "name"
        ):
            continue
        if dropped := [str(k) for k in section if k not in value and k != "name"]:
            keys = ", ".join(dropped[:-1]) + " and " + dropped[-1] if dropped[1:] else dropped[0]
            take = "take their defaults" if dropped[1:] else "takes its default"
            lines.append(
                f"warning: override {brief(repr(text))}: replaces the whole {key.strip()} "
                f"section: the file's {keys} {take} ({key.strip()}.KEY=VALUE sets one key and "
                "keeps the others)"
            )
    return lines
