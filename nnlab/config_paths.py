"""What a config path that is no config file meant: an override given where the file goes,
the file without its ``.yaml``, one of nnlab's own ``configs/`` named from another folder, a
file of a close name; a run folder, or one of its own files, given as the config. (Read by
``yamlio.read_yaml`` where the path holds no config to read.)
"""

from __future__ import annotations

import re
from pathlib import Path

from nnlab.errors import ConfigError
from nnlab.fileio import read_at_most


def missing_hint(path: Path) -> str:
    """What a missing config path probably meant: an override given where the file goes
    (``epochs=3`` first), the file with ``.yaml`` added or in ``configs/`` (a config named as
    its name, ``digits-quickstart``), or a file of a similar name in that folder (``.yml``
    for ``.yaml``)."""
    if "=" in path.name and not path.suffix.startswith((".yaml", ".yml")):
        return (
            f"; {str(path)!r} looks like an override: give the config file first, "
            f"e.g. configs/digits-quickstart.yaml {path}"
        )
    if str(path).lower() == "help":  # (git's habit: nnlab train help)
        return "; a command's help is its option -h (nnlab train -h, nnlab lr-scan -h, ...)"
    if str(path) == "latest":  # (a run's name where a config goes)
        return "; 'latest' names the newest run folder, which --resume takes: --resume latest"
    candidates = [path.with_name(f"{path.name}.yaml")]
    if path.parent == Path("."):  # (digits-quickstart: a config of configs/ by its name)
        candidates += [Path("configs", path.name), Path("configs", f"{path.name}.yaml")]
    for meant in candidates:
        if meant.is_file():
            return f" (did you mean {str(meant)!r}?)"
    if (shipped := _shipped(path)) is not None:
        return (
            f" (did you mean {str(shipped)!r}? configs/ is in nnlab's folder, {shipped.parents[1]})"
        )
    examples = _examples()  # (mnist-100.yaml: configs/'s mnist-1000.yaml)
    for folder in [path.parent, *([examples] if path.parent == Path(".") and examples else [])]:
        if (close := _close_name(path, folder)) is not None:  # (a path to paste, as the
            return f" (did you mean {str(folder / close)!r}?)"  # candidates' above: it said
            # 'mnist-1000.yaml' in configs)
    if examples is None:
        return "; a config is a YAML file of the keys 'nnlab config keys' lists"
    return f"; example configs are in {examples}/ (to start: {examples / 'digits-quickstart.yaml'})"


def _close_name(path: Path, folder: Path) -> str | None:
    """The name of the YAML file in ``folder`` closest to ``path``'s, by their stems ('.yaml'
    in common made nope.yaml close to m.yaml), if one is close."""
    try:
        names = {p.stem: p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml")}
    except OSError:
        return None
    from nnlab.errors import did_you_mean

    close = re.search(r"did you mean '(.+)'\?", did_you_mean(path.stem, list(names)))
    return names[close[1]] if close else None


def _examples() -> Path | None:
    """The folder of nnlab's example configs as a command given here names it: ``configs``
    in the working folder (the repository's, where the README's commands run), else nnlab's
    own (``SHIPPED``, a checkout's), None in an installation without them."""
    for folder in (Path("configs"), SHIPPED):
        if (folder / "digits-quickstart.yaml").is_file():
            return folder
    return None


SHIPPED = Path(__file__).resolve().parents[1] / "configs"  # (in a checkout: the repository's)


def _shipped(path: Path) -> Path | None:
    """The config of nnlab's own ``configs/`` that ``path`` names when it is not in the working
    folder (``configs/digits-quickstart.yaml`` given from another folder than the repository's,
    where the README's commands are run: it said only 'config file not found'), else None."""
    if path.is_absolute() or path.parent not in (Path("."), Path("configs")):
        return None
    for name in (path.name, f"{path.name}.yaml"):
        if (SHIPPED / name).is_file():
            return SHIPPED / name
    return None


# what nnlab writes into a run folder beside its config.yaml: none of them is a config
RUN_FOLDER_FILES = ("meta.json", "summary.json", "summary.txt", "summary.csv", "metrics.jsonl",
                    "sweep.yaml", "tune.json", "result.json", "differences.json",
                    "checkpoint.npz", "landscape.h5")  # fmt: skip


def not_a_run_file(path: Path) -> None:
    """A ConfigError for a file of a run folder given where a config goes (its meta.json, a
    sweep's sweep.yaml: read as a config, it said 'unknown key 'run_id'; valid keys here: ...'),
    naming what it is and the config to give instead."""
    folder = path.parent
    if path.name not in RUN_FOLDER_FILES or not (folder / "meta.json").is_file():
        return
    instead = config_of_folder(folder, resume=False)
    raise ConfigError(f"{path}: the {path.name} of a run folder, not a config file; {instead}")


def config_of_folder(folder: Path, resume: bool = True) -> str:
    """Where the config of run ``folder`` (it holds a meta.json) is, and (``resume``), for a
    training run, the resume that takes the folder itself: 'its config is runs/x/config.yaml, nnlab train
    --resume takes the folder'. (An lr-scan's or a landscape's config.yaml is a training
    config too; their folder is no run for ``train --resume``: the hint said '--resume takes
    the folder' of every one, given to any command.)"""
    import json

    if (folder / "config.yaml").is_file():
        try:  # (bounded, as every reader of a meta.json: a 1 GB one was read whole for a hint)
            raw = read_at_most(folder / "meta.json", 2**20)
            kind = json.loads(raw or b"").get("kind") if raw is not None else None
        except (OSError, ValueError, AttributeError):
            kind = None
        also = ", nnlab train --resume takes the folder" if resume and kind == "train" else ""
        return f"its config is {folder / 'config.yaml'}{also}"
    if (folder / "trials").is_dir():
        return f"a trial's config is {folder / 'trials'}/<trial>/config.yaml"
    return f"nnlab runs show {folder} says what it holds"
