"""What a sweep preset is: a named YAML sweep shipped with nnlab, plus how to show its result.

A preset is one class (a subclass of ``Preset``) and one entry in ``PRESETS``
(``nnlab.sweep.presets``); ``nnlab sweep <name>`` (its command-line options, help and table) and
the sweep's figures read it from there, so nothing else names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from nnlab.errors import ConfigError, not_one_of

if TYPE_CHECKING:  # (the registry stays cheap to import: nnlab --help lists the presets)
    from nnlab import runs
    from nnlab.config_model import Config
    from nnlab.plots.base import Canvas, Drawing
    from nnlab.sweep.definition import SweepDef

Row = dict[str, Any]
PRESET_DIR = Path(__file__).resolve().parent


class Preset:
    """A named sweep: ``<name>.yaml`` in this folder (a config with a ``sweep:`` section).

    Subclasses set ``name``, ``summary`` (one line), ``help`` (the command's help text) and
    ``datasets`` (the ``--dataset`` choices, the first the default), and may override how the
    result is shown: ``table`` (the terminal's view), ``objects`` (json/csv) and ``figures``.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    help: ClassVar[str] = ""
    example: ClassVar[str] = ""
    datasets: ClassVar[tuple[str, ...]] = ("digits",)
    n_figures: ClassVar[int] = 1  # how many figures ``figures`` draws (a painter each)
    keys: ClassVar[tuple[str, ...]] = ()  # the config keys its table and figures read per trial

    @property
    def file(self) -> Path:
        return PRESET_DIR / f"{self.name}.yaml"

    def dataset_overrides(self, dataset: str) -> list[str]:
        """The fixed overrides that put the sweep on ``dataset``."""
        return [f"dataset.name={dataset}"]

    def option_for(self, key: str, value: object = None) -> str | None:
        """The preset's own command that sets ``key`` to ``value`` (``dataset`` or
        ``dataset.name``: ``nnlab sweep weight-scale --dataset mnist``), else None. The hint
        for a preset: the override ``dataset.name=mnist`` starts the dataset afresh from that
        dataset's defaults, dropping the keys the preset sets with it (``dataset_overrides``:
        weight-scale's 1,000 training images)."""
        if key not in ("dataset", "dataset.name"):
            return None
        shown = value if isinstance(value, str) and value in self.datasets else None
        return f"nnlab sweep {self.name} --dataset {shown or '|'.join(self.datasets)}"

    def check_args(self, args: Sequence[str], dataset: str | None = None) -> None:
        """ConfigError for an argument that sets the dataset other than the preset's way, naming
        the preset's option that means it (``option_for``): ``dataset=mnist`` (the section of
        keys given one value, or an axis of them); a one-value ``dataset.name=mnist`` that is
        not ``dataset``, the ``--dataset`` of ``nnlab sweep <preset>`` (its sweep is named for
        that one); and, where the preset's file is run as it is (``nnlab sweep run <preset>``:
        ``dataset`` None), one that starts the dataset afresh without the keys the file sets
        with it (weight-scale's 1,000 training images), unless ``args`` give them again."""
        for text in args:
            key, sep, value = (part.strip() for part in text.partition("="))
            if sep and key == "dataset" and not value.startswith("{"):
                hint = self.option_for("dataset", value)
                raise ConfigError(
                    f"override {text!r}: dataset is a section of keys, which the preset sets "
                    f"by its --dataset option: {hint}"
                )
            if not sep or key != "dataset.name" or value == dataset:
                continue
            if dataset is not None and "," not in value:
                raise ConfigError(
                    f"override {text!r}: the preset sets its dataset by its --dataset option "
                    f"(its sweep is named for it): {self.option_for(key, value)}"
                )
            for name in (v.strip() for v in value.split(",")):  # (an axis: each of them)
                dropped = [] if dataset is not None else self._dropped(name, args)
                if dropped:
                    shown = " ".join(dropped)
                    preset = f"the preset on {name}: {self.option_for(key, name)}; " * (
                        name in self.datasets and name == value
                    )
                    raise ConfigError(
                        f"override {text!r}: starts the dataset afresh from {name}'s defaults, "
                        f"dropping {self.file.name}'s {shown}; {preset}to keep or change it, "
                        f"give it too ({shown})"
                    )

    def _dropped(self, name: str, args: Sequence[str]) -> list[str]:
        """The ``dataset.<key>=<value>`` the preset's file sets with its dataset that switching
        to ``name`` drops (``config.apply_overrides``) and ``args`` do not give again."""
        from nnlab.config import read_config
        from nnlab.output import spelled

        section = read_config(self.file)[0].get("dataset")
        if not isinstance(section, dict) or section.get("name") == name:
            return []
        given = {text.partition("=")[0].strip() for text in args}
        return [
            f"dataset.{k}={spelled(v)}"
            for k, v in section.items()
            if k != "name" and f"dataset.{k}" not in given
        ]

    def definition(
        self,
        dataset: str | None = None,
        args: Sequence[str] = (),
        seed: int | None = None,
        name: str | None = None,
    ) -> SweepDef:
        """The preset's sweep on ``dataset`` (default: the first of ``datasets``), with
        command-line ``args`` (``key=v`` fixed overrides, ``key=a,b`` axes) and an optional
        sweep ``seed`` and ``name``."""
        from nnlab.sweep.definition import define

        dataset = dataset or self.datasets[0]
        self.check_args(args, dataset)
        if dataset not in self.datasets:
            raise ConfigError(not_one_of("--dataset", dataset, self.datasets))
        return define(
            self.file,
            args,
            seed=seed,
            name=f"{self.name}-{dataset}" if name is None else name,  # ('': refused)
            preset=self.name,
            fixed_first=self.dataset_overrides(dataset),
        )

    def complete(self, rows: list[Row], defn: SweepDef) -> list[Row]:
        """``rows`` with each of ``keys`` the command line fixed (``model.batchnorm=true``
        makes that axis one value, so no row holds it) filled in with that value, so the
        views below read every trial's setting from its row, swept or not."""
        missing = [key for key in self.keys if key not in defn.spec.params]
        if not missing:
            return rows
        from nnlab.sweep.definition import fixed_values

        values = fixed_values(defn, missing)
        return [{**row, **{k: v for k, v in values.items() if k not in row}} for row in rows]

    def table(self, rows: list[Row], title: str) -> tuple[list[Row], list[str] | None, str]:
        """(rows, columns, title) of the terminal's table; default: the generic sweep table."""
        return rows, None, title

    def objects(self, rows: list[Row]) -> list[Row]:
        """The rows for ``--format json|csv``; default: one per trial as the summary has it."""
        return rows

    def canvases(self, configs: list[Config]) -> list[Canvas | None]:
        """The part of each of ``figures``' drawings (in their order) that needs no results,
        for the sweep of ``configs`` (``plots.Canvas``: its painter builds it while the trials
        run); None where there is none. Default: none."""
        return []

    def figures(
        self, run: runs.RunDir, rows: list[Row], curves: dict[str, list[dict[str, Any]]]
    ) -> list[Drawing] | None:
        """The preset's own figures for the sweep folder (``plots.Drawing``: what to draw
        where; the sweep draws them, side by side where it can); None: the generic
        curves.png."""
        return None
