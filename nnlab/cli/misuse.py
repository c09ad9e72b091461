"""The one line a usage error prints (``usage_line``), and what the user most likely meant: a
command misspelt or in another group (``nnlab list``: ``nnlab runs list``), a shell's word for
one (``rm``), an option given before its command or with one dash, a config key given as an
option (``--epochs 5``: the override ``epochs=5``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nnlab.cli import helpwords, usage
from nnlab.cli.listed import split_arguments


def _root(app: Any) -> Any:
    """The whole command tree of ``app`` (the typer app), as -h and the errors show it."""
    import typer.main

    return typer.main.get_command(app)


def usage_line(exc: BaseException, argv: list[str], app: Any) -> str:
    """A usage error as one line in one shape for every option and argument
    (``usage.problem``: ``--jobs: expected an integer, got 'abc'``), then a hint where one is
    obvious (an option that is a config key: the override ``key=value``), then where to read
    more: ``(see nnlab CMD -h)``, the command's help."""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        command, path = ctx.command, ctx.command_path.split()[1:]
    else:  # (click's parser errors: no context; the command is the one argv names)
        command, path = command_of(argv, app)
    where = " ".join(["nnlab", *path])
    text = split_arguments(exc, command, argv) or usage.problem(exc, command, argv)
    if text is None and type(exc).__name__ == "BadParameter":  # (nnlab's own check)
        message = exc.message  # type: ignore[attr-defined]
        message = message[:1].lower() + message[1:]
        param, hint_name = getattr(exc, "param", None), getattr(exc, "param_hint", None)
        if param is not None:
            text = f"{usage.name_of(param)}: {message}"
        else:
            text = f"{hint_name}: {message}" if isinstance(hint_name, str) else message
    elif text is None:  # (click's words: "No such command 'x'.")
        text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        text = text[:1].lower() + text[1:]
    text = " ".join(usage.one_line(usage.from_env(text, exc)).split())
    stray = re.match(r"no such command '([^']*=[^']*)'", text, re.IGNORECASE)
    if stray:  # (an override where a command goes: nnlab epochs=5, nnlab sweep --resume X k=v)
        key = stray[1]
        why = {
            "nnlab": f"; overrides follow a command and its config: nnlab train CONFIG {key}",
            "nnlab sweep": f"; overrides follow the sweep: nnlab sweep weight-scale {key}, "
            f"nnlab sweep grid CONFIG {key}",
        }.get(where, "")
        if "--resume" in argv:
            why = "; --resume continues a sweep with the config it started with and takes none"
        return f"error: '{key}' is a config override, not a command{why} (see {where} -h)"
    line = f"error: {text}"
    missing = re.match(r"no such command '([^']+)'\.", text, re.IGNORECASE)
    if missing and (found := meant(missing[1], text, where, argv, app)):
        return f"error: no such command '{missing[1]}' in {where}; did you mean {found}? (see {where} -h)"
    if missing and ctx is not None and hasattr(command, "list_commands"):  # (it ended "'zzz'.")
        names = [n for n in command.list_commands(ctx) if not command.get_command(ctx, n).hidden]
        return f"error: no such command '{missing[1]}' in {where}; its commands: {', '.join(names)} (see {where} -h)"
    hint = None
    if dashed := one_dash(exc, argv, command):
        return f"error: {dashed} (see {where} -h)"
    unknown = type(exc).__name__ == "NoSuchOption"
    if unknown and (
        moved := misplaced(getattr(exc, "option_name", None), argv, command, where, app)
        or of_nnlab(getattr(exc, "option_name", None), argv, where, app)
    ):
        return f"error: {moved}"
    if unknown and command is not None and any(p.name in OVERRIDES for p in command.params):
        # (a command that takes overrides: a config key given as an option it does not have)
        option = getattr(exc, "option_name", None)
        hint = other_tools(option, argv, command, where) or override_hint(
            option, argv, exc_options(exc), preset_named(where, argv)
        )
    if hint:
        line = re.sub(r" \(did you mean [^)]*\)", "", line) + f"; {hint}"
    return f"{line} (see {where} -h)"


# options other tools give a config file or an override by (-c cfg.yaml, Hydra's --config-name,
# -o key=value, --set key=value); nnlab's are its arguments
CONFIG_OPTIONS = ("--config", "-c", "--cfg", "--config-file", "--config-name", "--file", "-f")
OVERRIDE_OPTIONS = ("-o", "--set", "--override", "--overrides", "--option", "-D", "--define")


def other_tools(option: str | None, argv: list[str], command: Any, where: str) -> str | None:
    """The hint for a config file or an override given by an option other tools have
    (``--config cfg.yaml``: click offered '--print-config'; ``-o epochs=1``), with the command
    line that gives it as an argument; None for another option, or a command that takes no
    config (``-f`` is --format where a command has it: click knows it then)."""
    import shlex

    names = {getattr(p, "name", None) for p in command.params}
    at = next((i for i, a in enumerate(argv) if option and _spells(a, option, False)), None)
    if at is None or (argv[at] == option and at + 1 >= len(argv)):
        return None
    if argv[at] == option:
        value, rest = argv[at + 1], argv[:at] + argv[at + 2 :]
    else:  # (--config=cfg.yaml)
        value, rest = argv[at].partition("=")[2], argv[:at] + argv[at + 1 :]
    path = where.split()[1:]
    if option in CONFIG_OPTIONS and "config" in names and "=" not in value:
        after = rest.index(path[-1]) + 1 if path and path[-1] in rest else 0
        first = rest[after] if after < len(rest) else "-"
        if not first.startswith("-") and "=" not in first:  # (a config given already)
            return (f"the config file is the command's first argument, without an option, and "
                    f"{shlex.quote(first)} is given so: one config a command line")  # fmt: skip
        line = ["nnlab", *rest[:after], value, *rest[after:]]
        said = "the config file is the command's first argument, without an option"
    elif option in OVERRIDE_OPTIONS and "=" in value:
        line = ["nnlab", *rest[:at], value, *rest[at:]]
        said = "overrides are arguments after the config, without an option"
    else:
        return None
    return f"{said}: {' '.join(shlex.quote(a) for a in line)}"


def close_command(text: str, where: str) -> str | None:
    """The commands of ``where`` click found close to a misspelt one (its words: "no such
    command 'trian'. Did you mean 'train'?"), as every other command's hint names them
    (``nnlab train``), else None."""
    close = re.findall(r"'([^']+)'", text.partition("Did you mean")[2])
    return " or ".join(f"{where} {name}" for name in close) or None


def meant(word: str, text: str, where: str, argv: list[str], app: Any) -> str | None:
    """The command(s) a ``word`` that is no command of ``where`` probably means: a misspelt
    group's command (``misspelt_group``), else another group's (``elsewhere``), else the
    commands click found close to it (``close_command``); None where none is."""
    close = close_command(text, where)
    return misspelt_group(word, argv, close, app) or elsewhere(word, where, app) or close


def misspelt_group(word: str, argv: list[str], close: str | None, app: Any) -> str | None:
    """The command a misspelt group with a command of its after it means: ``nnlab run list``
    is ``nnlab runs list`` (it said 'did you mean nnlab sweep run?', the one command named
    ``run``, which takes no ``list``); None where the word after it is no command of a group
    close to ``word``."""
    at = argv.index(word) if word in argv else -1
    after = argv[at + 1] if 0 <= at < len(argv) - 1 else None
    for group in (close or "").split(" or ") if after else []:
        command, _ = command_of(group.split()[1:], app)
        if after in getattr(command, "commands", {}):
            return f"{group} {after}"
    return None


def misplaced(option: str | None, argv: list[str], group: Any, where: str, app: Any) -> str | None:
    """The line for an ``option`` given to a command group (``where``) before the command that
    has it, with the command line that gives it after the command: ``--runs-dir: an option of
    nnlab runs list, not of nnlab; give it after the command: nnlab runs list --runs-dir
    runs`` (it said '--runs-dir: no such option (see nnlab -h)'); None otherwise."""
    import shlex

    if option is None or not hasattr(group, "commands"):
        return None
    command, path = command_of(argv, app)
    param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
    if param is None or not path:
        return None
    target = " ".join(["nnlab", *path])
    said = f"{option}: an option of {target}, not of {where}; give it after the command"
    joined = not param.is_flag and not option.startswith("--")  # (-fjson: -f with its value)
    at = next((i for i, a in enumerate(argv) if _spells(a, option, joined)), None)
    if at is None:  # (in a cluster of short options, -qj2: no one word to move)
        return said
    taken = argv[at : at + (1 if param.is_flag or argv[at] != option else 2)]
    rest = argv[:at] + argv[at + len(taken) :]
    return f"{said}: {' '.join(shlex.quote(a) for a in ['nnlab', *rest, *taken])}"


def of_nnlab(option: str | None, argv: list[str], where: str, app: Any) -> str | None:
    """The line for an option of ``nnlab`` itself (``--debug``) given after a command
    (``where``), with the command line that gives it before: it said '--debug: no such
    option (see nnlab train -h)'; None otherwise."""
    import shlex

    root = _root(app)
    if option is None or where == "nnlab":
        return None
    if not any(option in getattr(p, "opts", ()) for p in root.params):
        return None
    rest = [a for a in argv if a != option]
    line = " ".join(shlex.quote(a) for a in ["nnlab", option, *rest])
    return f"{option}: an option of nnlab, not of {where}; give it before the command: {line}"


def one_dash(exc: BaseException, argv: list[str], command: Any) -> str | None:
    """The line for a long option written with one dash (``-help``, ``-epochs 5``), which click
    reads as a cluster of short ones and refuses by a letter (it said '-e: no such option'), or
    as a short one with its value (``-jobs 2``: '--jobs: expected an integer, got 'obs''): the
    option meant, or the override a config key takes; None otherwise (``-qx``: a cluster)."""
    words = [a for a in argv if re.fullmatch(r"-[a-z][a-z_-]+", a)]
    option, param = getattr(exc, "option_name", None), getattr(exc, "param", None)
    if type(exc).__name__ == "NoSuchOption" and option and re.fullmatch(r"-\w", option):
        word = next((a for a in words if option[1] in a[1:]), None)
    else:  # (a short option given the rest of the word as its value)
        shorts = [o for o in getattr(param, "opts", ()) if re.fullmatch(r"-\w", o)]
        word = next((a for a in words for o in shorts if a.startswith(o)), None)
    if word is None or command is None:
        return None
    long = f"-{word}"
    options = [o for p in command.params for o in getattr(p, "opts", ()) if o.startswith("--")]
    if long in [*options, "--help"]:
        return f"{word}: no such option (did you mean {long}?)"
    takes = any(p.name in OVERRIDES for p in command.params)
    hint = takes and override_hint(long, [long if a == word else a for a in argv], options)
    if hint:
        return f"{word}: no such option; {hint}"
    if option != word[:2] or len(word) < 4 or hasattr(command, "commands"):
        return None  # (-qx: -x, click's own; a group's: ``misplaced``, runs -fjson list)
    import difflib  # (-limit: its first letter is no option; it said '-l: no such option')

    close = difflib.get_close_matches(long, [*options, "--help"], n=1)
    return f"{word}: no such option" + (f" (did you mean {close[0]}?)" if close else "")


def _spells(word: str, option: str, joined: bool) -> bool:
    """``word`` gives ``option``: itself, ``--opt=value``, or (``joined``, a short option
    that takes a value) ``-fjson``."""
    return word == option or word.startswith(f"{option}=") or (joined and word.startswith(option))


OPTION_COMMANDS = {  # words a newcomer types as a command that are options of one
    "resume": ["nnlab train --resume RUN"],
    "extend": ["nnlab train --extend RUN epochs=N"],
    "version": ["nnlab --version"],
}
SYNONYMS = {  # a shell's (or another tool's) word for a command, which click's "did you mean"
    # does not find (too unlike): nnlab runs rm -> nnlab runs remove
    "rm": "remove", "del": "remove", "delete": "remove", "ls": "list", "diff": "compare",
    "cat": "show", "info": "show", "inspect": "show",
}  # fmt: skip


def elsewhere(word: str, where: str, app: Any) -> str | None:
    """Where ``word``, no command of ``where``, is one: another group's command (``nnlab list``:
    ``nnlab runs list``; ``nnlab runs resume``: ``nnlab sweep resume``), an option (``nnlab
    extend``: ``nnlab train --extend RUN epochs=N``), or the command a synonym means, in
    ``where`` itself too (``nnlab runs rm``: ``nnlab runs remove``); None where it is none."""
    found: list[str] = []

    def walk(command: Any, path: list[str], name_of: str, here: bool) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if name == name_of and (here or " ".join(["nnlab", *path]) != where):
                found.append(" ".join(["nnlab", *path, name]))
            walk(sub, [*path, name], name_of, here)

    walk(_root(app), [], word, False)
    found += OPTION_COMMANDS.get(word, []) + ([f"{where} -h"] if word == "help" else [])
    if not found and word.lower() in SYNONYMS:
        walk(_root(app), [], SYNONYMS[word.lower()], True)
        found = [p for p in found if p.startswith(f"{where} ")] or found  # (this group's alone)
    return " or ".join(found) or None


def command_of(argv: list[str], app: Any) -> tuple[Any, list[str]]:
    """(the command, its path after ``nnlab``) that ``argv`` runs: its words that name a
    subcommand of the group before them, in order."""
    root = _root(app)
    helpwords.readable_help(root)  # (a new tree: its options' words as -h and main's show them)
    return usage.command_at(argv, root)


OVERRIDES = ("overrides", "args")  # the argument that holds a command's config overrides


def exc_options(exc: BaseException) -> list[str]:
    """The options click found close to an unknown one (``--quite``: ``--quiet``;
    ``usage.close_options``)."""
    from nnlab.cli.usage import close_options

    return close_options(exc)


def preset_named(where: str, argv: list[str]) -> Any:
    """The preset ``nnlab sweep run PRESET`` runs (a preset's name that is not a file), else
    None: its own options mean what an override of the same key would not (``option_for``)."""
    if where != "nnlab sweep run" or "run" not in argv:
        return None
    from pathlib import Path

    from nnlab.sweep import presets

    for arg in argv[argv.index("run") + 1 :]:
        if arg in presets.PRESETS and not Path(arg).exists():
            return presets.get(arg)
    return None


def override_hint(
    option: str | None,
    argv: list[str],
    options: Sequence[str] | None = None,
    preset: Any = None,
) -> str | None:
    """``--epochs 5`` where ``epochs`` is a config key: the override to write instead. An
    option that only resembles a key (``--epoch``, ``--learning-rate``) gets the key it is
    closest to, unless one of the command's own ``options`` is closer (``--quite``: click's
    ``--quiet``). Of a ``preset`` (``sweep run weight-scale --dataset mnist``), a key its own
    command sets: that command (the override would drop the preset's other dataset keys)."""
    if not option or not option.startswith("--"):
        return None
    from nnlab.config_model import is_config_key, keys_named, one_value_key

    key = option[2:].replace("-", "_")
    lead = ""
    if not is_config_key(key):
        nested = keys_named(key)  # (--lr: optimizer.lr)
        if len(nested) == 1:
            key = nested[0]
        else:
            close = closest_keys(key, [o[2:].replace("-", "_") for o in options or ()])
            if not close:
                return None
            if len(close) > 1:
                return (
                    f"did you mean a config key ({' or '.join(close)})? config keys are "
                    "overrides after the config file: KEY=VALUE"
                )
            key, lead = close[0], f"did you mean the config key {close[0]}? "
    index = argv.index(option) if option in argv else -1
    value = argv[index + 1] if 0 <= index < len(argv) - 1 else "VALUE"
    if "=" in value or value.startswith("-"):  # (not its value: the next option or override)
        value = "VALUE"
    joined = [a.partition("=")[2] for a in argv if a.startswith(f"{option}=")]  # (--epochs=5)
    value = joined[0] if joined and joined[0] else value
    target = one_value_key(key)  # (--dataset mnist: dataset.name=mnist; dataset=mnist fails)
    own = preset.option_for(target or key, value) if preset is not None else None
    if own is not None:
        return f"{lead}the preset sets its dataset by its own option: {own}"
    if target is None:
        return f"{lead}{key} is a section of config keys; overrides after the config file set "\
               f"one each: {key}.KEY=VALUE (nnlab config keys {key})"  # fmt: skip
    return f"{lead}config keys are overrides after the config file: {target}={value}"


def closest_keys(name: str, options: Sequence[str]) -> list[str]:
    """The config keys (dotted; a section's key also by its own name, ``lr``) that ``name``
    (3 characters or more) most likely meant: a known alias, the keys it begins, or the key
    most like it, if more like it than any of ``options`` (names of the command's options)."""
    import difflib

    from nnlab.aliases import meant
    from nnlab.config_model import key_names

    if (alias := meant(name)) is not None:  # (what the literature calls it: --learning_rate)
        return [alias]
    if len(name) < 3:
        return []
    dotted = key_names()
    by_last: dict[str, list[str]] = {}
    for key in dotted:
        by_last.setdefault(key.rpartition(".")[2], []).append(key)
    # a section's key also answers to its own name where no other section has one of that name
    candidates = {key: key for key in dotted}
    candidates |= {last: keys[0] for last, keys in by_last.items() if len(keys) == 1}
    starting = sorted({candidates[c] for c in candidates if c.startswith(name)})
    if 0 < len(starting) <= 3 and not any(o.startswith(name) for o in options):  # (--batch)
        return starting

    def likeness(other: str) -> float:
        return difflib.SequenceMatcher(None, name, other).ratio()

    best = max(candidates, key=lambda c: (likeness(c), c))
    if likeness(best) < CLOSE or any(likeness(o) >= likeness(best) for o in options):
        return []
    return [candidates[best]]


CLOSE = 0.75  # how alike (difflib's ratio) an option and a config key must be to suggest it
