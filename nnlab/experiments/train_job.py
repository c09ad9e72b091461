"""Which training ``nnlab train`` asks for, decided once (``train_job``): a new run of a config
(``Fresh``), an interrupted run continued in its folder (``Resumed``, ``--resume``) or a
COMPLETED run trained on to more epochs in a new folder (``Extended``, ``--extend``).

Each job reads its config (``config``: what ``--print-config`` prints), names the runs folder
its run goes under once the run it starts from is found and checked (``root``), and trains
(``train``); ``cfg`` is the config it trained with. What a job has to say besides its result
(a key that changes nothing, the line a resume or an extension starts with) goes to ``say``.
Arguments that do not go together are an ``ArgumentError``, before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnlab.errors import ArgumentError

if TYPE_CHECKING:
    from nnlab.config_model import Config
    from nnlab.experiments.train import RunResult
    from nnlab.runs import RunDir

Say = Callable[[str], None]


def train_job(
    config: Path | None,
    overrides: list[str] | None,
    runs_dir: Path,
    resume: str | None = None,
    extend: str | None = None,
    say: Say | None = None,
) -> Fresh | Resumed | Extended:
    """The training the arguments of ``nnlab train`` ask for: ``--extend RUN`` (its ``epochs=N``
    arrives as ``config``), else ``--resume RUN``, else a new run of ``config``."""
    said = say or (lambda line: None)
    if extend is not None:
        return Extended(extend, config, overrides, resume, runs_dir, said)
    if resume is not None:
        return Resumed(resume, config, overrides, runs_dir, said)
    return Fresh(config, overrides, runs_dir, said)


class Fresh:
    """``train CONFIG [OVERRIDES]``: a new run of the config (read at once: a bad one is
    refused before anything else is said)."""

    def __init__(self, config: Path | None, overrides: list[str] | None, runs_dir: Path,
                 say: Say) -> None:  # fmt: skip
        from nnlab.idle import load_config_warned

        if config is None:
            raise ArgumentError(
                "give a config file (or --resume RUN); e.g. nnlab train "
                "configs/digits-quickstart.yaml"
            )
        self.cfg = load_config_warned(config, overrides, say)
        self.overrides, self.runs_dir = overrides or [], runs_dir

    def config(self) -> Config:
        return self.cfg

    def root(self) -> Path:
        return self.runs_dir

    def train(self, data_dir: Path | None, progress: Any, threads: int | None,
              painter: Any) -> RunResult:  # fmt: skip
        from nnlab.experiments import train as tr

        return tr.run_training(self.cfg, data_dir=data_dir, runs_dir=self.runs_dir,
                               overrides=self.overrides, progress=progress, threads=threads,
                               painter=painter)  # fmt: skip


class Resumed:
    """``train --resume RUN``: an interrupted run continued from its checkpoint."""

    def __init__(self, ref: str, config: Path | None, overrides: list[str] | None,
                 runs_dir: Path, say: Say) -> None:  # fmt: skip
        if config is not None or overrides:
            raise ArgumentError(resume_alone(config, overrides or [], runs_dir, ref))
        self.ref, self.runs_dir, self.say = ref, runs_dir, say
        self.run: RunDir | None = None
        self.cfg: Config | None = None

    def config(self) -> Config:
        """The run's config, whatever its status (nothing is resumed)."""
        from nnlab.experiments import train as tr

        return tr.run_config(self.runs_dir, self.ref)

    def found(self) -> RunDir:
        """The run, found and checked the first time it is asked for (``root``, before a word:
        its refusals come first)."""
        from nnlab.experiments import train as tr

        if self.run is None:
            self.run, self.cfg = tr.resumable(self.runs_dir, self.ref)
        return self.run

    def root(self) -> Path:
        return self.found().path.parent

    def train(self, data_dir: Path | None, progress: Any, threads: int | None,
              painter: Any) -> RunResult:  # fmt: skip
        from nnlab.experiments import train as tr

        return tr.resume_training(self.found(), data_dir=data_dir, progress=progress,
                                  threads=threads, on_start=self.announce,
                                  painter=painter)  # fmt: skip

    def announce(self, run: RunDir, epoch: int, said: str | None = None) -> None:
        """The line a resume starts with, once every check has passed (a refusal is one line),
        and a note the resume has (``said``: an old checkpoint taken on trust)."""
        where = f"after epoch {epoch}" if epoch >= 0 else "from the start (no checkpoint)"
        self.say(f"resuming {run.path} {where}")
        if said:
            self.say(f"note: {said}")


class Extended:
    """``train --extend RUN epochs=N``: the run ``ref`` names, trained on in a new folder
    (``nnlab.experiments.extend``); ``cfg``: its config with the epochs given, once known."""

    def __init__(self, ref: str, config: Path | None, overrides: list[str] | None,
                 resume: str | None, runs_dir: Path, say: Say) -> None:  # fmt: skip
        if resume is not None:
            raise ArgumentError("--extend and --resume: give one (--extend RUN epochs=N)")
        from nnlab import runs

        # (found whatever its files hold: --print-config reads its config.yaml alone, as
        # --resume's does; what extends it is checked whole, ``root``)
        self.run = runs.find_run(runs_dir, ref, kind="train", damaged=True)
        given = [str(config)] if config is not None else []
        self.overrides, self.runs_dir = [*given, *(overrides or [])], runs_dir
        self.say = say
        self.cfg: Config | None = None

    def config(self) -> Config:
        from nnlab.experiments.extend import extended_config

        return extended_config(self.run, self.overrides)

    def root(self) -> Path:
        from nnlab import runs

        runs.usable(self.run)  # (as every folder a command uses: ``lookup.usable``)
        return self.runs_dir

    def train(self, data_dir: Path | None, progress: Any, threads: int | None,
              painter: Any) -> RunResult:  # fmt: skip
        from nnlab.experiments.extend import extend_training

        return extend_training(self.run, self.overrides, data_dir=data_dir,
                               runs_dir=self.runs_dir, progress=progress, threads=threads,
                               on_start=self.announce, painter=painter)  # fmt: skip

    def announce(self, run: RunDir, epoch: int, cfg: Config, said: str | None = None) -> None:
        """The line an extension starts with, once every check has passed, and a note it has
        (``said``: an old checkpoint taken on trust)."""
        self.cfg = cfg
        self.say(f"extending {run.path} from epoch {epoch} to {cfg.epochs}, in a new folder")
        if said:
            self.say(f"note: {said}")


def resume_alone(config: Path | None, overrides: list[str], runs_dir: Path, ref: str) -> str:
    """The refusal of a config or overrides beside --resume, with the way to do what they ask:
    ``epochs=N`` alone, to train longer, is ``--extend`` (the numbers of a run that long); other
    changes are a new run of the run's config.yaml."""
    from nnlab.errors import NnlabError
    from nnlab.lookup import find_run
    from nnlab.redo import go_on_options

    given = [str(config)] if config is not None and "=" in str(config) else []
    changes = [*given, *overrides]
    try:
        folder = str(find_run(runs_dir, ref, kind="train").path)
        place = go_on_options(None, folder)  # (the new folder beside the run)
    except (NnlabError, OSError):  # (the resume's own lookup says why, once this is fixed)
        folder, place = "RUN", ""
    said = "--resume takes no config or overrides (the run folder has its config); "
    if len(changes) == 1 and changes[0].partition("=")[0].strip() == "epochs":
        return (
            said
            + f"to train it on to more epochs: nnlab train --extend {folder} {changes[0]}{place}"
        )
    text = " ".join(changes) or "KEY=VALUE"
    return (
        said
        + f"to train it with changes, start a new run of its config: nnlab train {folder}/config.yaml {text}{place}"
    )
