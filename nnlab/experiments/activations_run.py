"""``nnlab activations --run RUN``: a training run's hidden-layer activations, as its
initial weights and its trained ones give them, on the inputs it was trained on.

The run is found as ``landscape`` finds one (folder, id prefix or 'latest', with a
checkpoint.npz), its config is its own, and its data is read from the folder its meta.json
recorded (``--data-dir`` for another; a warning if it is not the data the run was trained
on). The first ``samples`` inputs of the train split go forward through two copies of the
run's net:

- ``initial``: the weights its config draws (seed ``seed``), those its training started from;
  a BatchNorm there normalises by these inputs' own statistics (its running ones are not yet
  anything: 0 and 1), as in a first training step and as ``--batchnorm`` does;
- ``trained``: its last checkpoint's weights, in evaluation mode (BatchNorm's running
  statistics, no dropout), as the run evaluates.

Each hidden layer's output (its activation's, before any dropout) is recorded in the run's
dtype and its statistics taken in float64, in the rows and figure of ``activations``: a row
per (weights, layer), ``weights`` saying which.

``resume_histograms`` does an interrupted activations folder's work again, of either kind;
``run_activations``, the command's one entry, chooses between the three.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nnlab import redo, resumes, runs, times
from nnlab.costs import parameters
from nnlab.errors import ConfigError
from nnlab.experiments.activations import (
    ActivationsResult,
    activation_histograms,
    layer_rows,
    setting_line,
    write_results,
)
from nnlab.limits import FOLDER_FILES, check_disk, check_memory
from nnlab.naming import config_name
from nnlab.nn.layers import BatchNorm
from nnlab.nn.model import MLP
from nnlab.output import counted

Warn = Callable[[str], None]


def hidden_outputs(
    model: MLP, x: np.ndarray, activation: str, batch_stats: bool
) -> list[np.ndarray]:
    """The output of each hidden layer's ``activation`` (layers named ``relu1``, ``relu2``...
    by ``build_mlp``) for inputs ``x``: every layer in evaluation mode, but BatchNorm in
    training mode (the batch's own statistics) when ``batch_stats``."""
    out = []
    for name, layer in model.layers.items():
        x = layer.forward(x, train=batch_stats and isinstance(layer, BatchNorm))
        if name.startswith(activation) and name[len(activation) :].isdigit():
            out.append(np.asarray(x, dtype=np.float64))
    return out


def init_label(init: str, init_std: float) -> str:
    """A config's init as ``activations`` names its settings: ``std`` with its std (``std1``,
    ``std0.01``), else the init's name (``he``, ``xavier``, ``glorot``)."""
    return f"std{init_std:g}" if init == "std" else init


def find_source(ref: str, runs_dir: Path) -> runs.RunDir:
    """The training run ``ref`` names, with a checkpoint (``landscape``'s lookup); a config
    file is refused: its net has no trained weights."""
    from nnlab.experiments.landscape import resolve_source

    if Path(ref).is_file() or Path(ref).suffix in (".yaml", ".yml"):
        raise ConfigError(
            f"--run: {ref!r} is a config file; expected a training run (folder, id prefix or "
            "'latest'), whose trained weights are drawn"
        )
    _, run = resolve_source(ref, [], runs_dir, by="activations")
    assert run is not None  # (not a config file: a run, or an error)
    return run


def run_histograms(
    ref: str,
    *,
    samples: int = 1000,
    bins: int = 30,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    folder: str | None = None,
    progress: Callable[[str], None] | None = None,
    warn: Warn | None = None,
    again: redo.Again | None = None,
) -> ActivationsResult:
    """The histograms of run ``ref``'s hidden layers, initial and trained (the module's
    docstring), in a new ``activations`` folder (or ``again``'s)."""
    from threadpoolctl import threadpool_limits

    from nnlab.experiments.landscape import centre_from_config, centre_from_run, source_data
    from nnlab.experiments.train import load_run_config

    run = find_source(ref, runs_dir)
    cfg = load_run_config(run)
    data, data_dir = source_data(cfg, run, data_dir, warn)
    hidden = list(cfg.model.hidden)
    if not hidden:
        raise ConfigError(f"--run: {run.path}: its model has no hidden layer (model.hidden: [])")
    x = data.split("train")[0][:samples]
    outputs = 2 * 8 * len(x) * (sum(hidden) + x.shape[1])  # (initial and trained, float64)
    nets = 2 * 8 * parameters(cfg, data.input_dim, data.n_classes)[0]  # (both, float64)
    parts = {"the layers' outputs (--samples)": outputs, "the run's two nets (its model)": nets}
    what = f"activations of {counted(f'{len(x):,}', 'sample')} x {counted(sum(hidden), 'unit')}"
    check_memory(what, outputs + nets, parts)
    check_disk("the activations folder", FOLDER_FILES, runs_dir)
    trained = centre_from_run(run, data)
    initial = centre_from_config(cfg, data, str(run.path)).model
    activation, init = cfg.model.activation, init_label(cfg.model.init, cfg.model.init_std)
    results: dict[tuple[str, str], list[np.ndarray]] = {}
    rows: list[dict[str, Any]] = []
    tally = times.Tally("setting", 2)
    with threadpool_limits(limits=1), np.errstate(over="ignore"):
        for weights, model, batch_stats in (("initial", initial, True),
                                             ("trained", trained.model, False)):  # fmt: skip
            out = hidden_outputs(model, x, activation, batch_stats)
            results[(activation, f"{init}, {weights}")] = out
            rows.extend({**r, "weights": weights} for r in layer_rows(activation, init, out))
            if progress is not None:
                progress(
                    setting_line({**rows[-1], "init": f"{init}, {weights}"}, len(results), tally)
                )
    source = f"run {run.path.name} ({trained.source.rsplit('(', 1)[-1]}"
    settings = dict(activations=[activation], inits=[init], layers=len(hidden),
                    units=max(hidden), samples=len(x), seed=cfg.seed,
                    batchnorm=cfg.model.batchnorm)  # fmt: skip
    described = {"source": source, "hidden": hidden, "dataset": data.name}
    recipe = {"run": str(run.path), "samples": samples, "bins": bins,
              "data_dir": None if data_dir is None else str(data_dir)}  # fmt: skip
    name = f"activations-{config_name(cfg)}"  # (its folder: ...-activations-digits-quickstart-<id>)
    with redo.begin("activations", runs_dir, name, again=again, recipe=recipe, folder=folder,
                    name=name, data=data, source_run=str(run.path), **settings) as life:  # fmt: skip
        write_results(life.run, rows, results, {**settings, **described}, bins, progress)
    return ActivationsResult(life.run, rows, results)


def resume_histograms(
    ref: str,
    *,
    runs_dir: Path = runs.DEFAULT_ROOT,
    progress: Callable[[str], None] | None = None,
    on_start: Callable[[runs.RunDir], None] | None = None,
) -> ActivationsResult:
    """``nnlab activations --resume REF``: an interrupted folder's histograms done again in it,
    from its recipe (``nnlab.redo``)."""
    again, recipe = redo.find(runs_dir, ref, "activations", on_start)
    if "run" in recipe:  # (a run's histograms)
        data_dir = None if recipe["data_dir"] is None else Path(recipe["data_dir"])
        return run_histograms(recipe["run"], samples=recipe["samples"], bins=recipe["bins"],
                              data_dir=data_dir, runs_dir=again.path.parent, progress=progress,
                              again=again)  # fmt: skip
    acts, inits = recipe.pop("activations"), recipe.pop("inits")
    return activation_histograms(acts, inits, **recipe, runs_dir=again.path.parent,
                                 progress=progress, again=again)  # fmt: skip


def run_activations(
    activations: Sequence[str] | None = None,
    inits: Sequence[str] | None = None,
    *,
    run: str | None = None,
    resume: str | None = None,
    layers: int = 5,
    units: int = 100,
    samples: int = 1000,
    seed: int = 0,
    batchnorm: bool = False,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    progress: Callable[[str], None] | None = None,
    say: Warn | None = None,
) -> ActivationsResult:
    """``nnlab activations``: ``resume`` (an activations folder) done again in it, its line
    said to ``say`` as it begins (``resume_histograms``); else, into a new folder under
    ``runs_dir`` (or exactly ``out``), training run ``run``'s layers (``run_histograms``,
    ``say`` told where its data differs from the run's) or random inputs through nets of each
    of ``activations`` x ``inits`` (``activation_histograms``: ``data_dir`` is not read)."""
    if resume is not None:
        resumes.alone({"--run": run, "--out": out})  # (its data: the folder's recipe's)
        return resume_histograms(resume, runs_dir=runs_dir, progress=progress,
                                 on_start=redo.announcer(say))  # fmt: skip
    root, folder = runs.location(runs_dir, out)
    if run is not None:
        return run_histograms(run, samples=samples, data_dir=data_dir, runs_dir=root,
                              folder=folder, progress=progress, warn=say)  # fmt: skip
    return activation_histograms(activations, inits, layers=layers, units=units,
                                 samples=samples, seed=seed, batchnorm=batchnorm,
                                 runs_dir=root, folder=folder, progress=progress)  # fmt: skip
