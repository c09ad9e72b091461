"""Compare optimizers: their paths on test functions, and their loss curves on a dataset.

    specs.py     which optimizers, with which hyperparameters (parsing, validation)
    paths.py     paths on the 2-D and 1-D test functions (``testfuncs``)
    training.py  loss curves training one net on a dataset with each optimizer or baseline
    baselines.py the gradient-free baselines (cs231n's random search, random local search)
    here         the run folder, ``run_comparison`` (the command's one entry point) and its
                 resume, ``resume_comparison``

Every update rule is the one in ``nnlab.nn.optim`` (``make_optimizer``); this module only runs
them. ``gd`` is accepted as another name for ``sgd`` (plain gradient descent on a function).

Hyperparameters, lowest precedence first: the optimizer's schema defaults (``nnlab.config_model``),
the function's defaults (``testfuncs``, e.g. DLFS's SGD lr 0.95 on ``book``), ``--lr``, and
``name.key=value`` overrides (``adam.lr=0.3``). Overrides are validated against the schema: an
unknown optimizer or hyperparameter, or a value out of range, is a one-line ``ConfigError``.

A function comparison runs every optimizer x every learning rate x every (start, steps) pair
and records each path in full. A path that overflows or turns NaN is marked diverged at that
step and stops there (NumPy's warnings are silenced: divergence is a result, not a warning).

The cs231n baselines (random search, random local search, ``baselines.py``) use the loss
only, no gradient, and take part in the dataset comparison under the names ``random-search``
and ``random-local-search``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnlab import redo, resumes, runs
from nnlab.config import to_yaml
from nnlab.errors import ConfigError
from nnlab.experiments.optimizers.paths import (
    FunctionComparison,
    PathResult,
    compare_on_function,
    path_rows,
    plot_function_comparison,
    run_path,
)
from nnlab.experiments.optimizers.specs import (
    BASELINES,
    SCHEMAS,
    OptimizerSpec,
    parse_floats,
    parse_ints,
    parse_names,
    parse_starts,
    resolve_optimizers,
)
from nnlab.experiments.optimizers.training import (
    DATASET_DEFAULTS,
    DEFAULT_DATASET_OPTIMIZERS,
    DEFAULT_HIDDEN,
    KEPT,
    DatasetComparison,
    DatasetPlan,
    NetSettings,
    compare_on_dataset,
    dataset_row,
    kept_runs,
    parse_hidden,
    plan_on_dataset,
    plot_dataset_comparison,
    random_local_search,
    random_search,
    result_bytes,
    save_run,
    smooth_curve,
    train_plan,
)
from nnlab.experiments.testfuncs import OBJECTIVES, get_objective
from nnlab.fileio import as_written
from nnlab.output import Table


# ----------------------------------------------------------------------------- run folders
def open_run(
    runs_dir: Path, out: Path | None, again: redo.Again | None = None, **fields: Any
) -> runs.Lifecycle:
    """A new folder's lifecycle: exactly ``out`` if given, else ``<runs_dir>/<stamp>-<name>-<id>``;
    or ``again``'s, the folder a resume does the comparison again in (``resume_comparison``).
    ``fields`` (the ``recipe`` among them: ``nnlab.redo``) go into a new folder's meta.json."""
    root, folder = (again.path.parent, None) if again is not None else runs.location(runs_dir, out)
    name = "compare-optimizers"
    return redo.begin(name, root, name, again=again, folder=folder, **fields)


def _copy_figure(src: Path, dest: Path | None) -> Path | None:
    return None if dest is None else runs.copy_file(src, dest)


def comparison_table(result: dict[str, Any]) -> Table:
    """The comparison's table from its result.json (as ``run_function_comparison`` and
    ``run_dataset_comparison`` write it): a row per path (``path_rows``) titled with the
    function and the tolerance, or per optimizer (``dataset_row``) titled with the dataset and
    the net. The one rendering: the command prints it, summary.txt holds it, ``runs show``
    draws it from the folder's checked result.json."""
    if result["kind"] == "function":
        tol = f"tol {result['tol']:g}: the distance to the minimum that counts as reached"
        title = f"{result['function']}: {result['formula']} ({tol})"
        rows = path_rows(result["runs"])
    else:
        title = f"{result['dataset']}: {result['setup']}"
        rows = [dataset_row(r) for r in result["runs"]]
    return Table(as_written(rows), title=title)  # (NaN as null: as the file holds it)


@dataclass
class ComparisonRun:
    """A finished comparison, the folder it was written to (``figure``: the PNG in it) and
    its table (``comparison_table``: as summary.txt holds it)."""

    comparison: FunctionComparison | DatasetComparison
    run: runs.RunDir
    figure: Path
    table: Table
    figure_copy: Path | None = None

    def to_json(self) -> dict[str, Any]:
        files = {"run": str(self.run.path), "figure": str(self.figure)}
        if self.figure_copy is not None:
            files["figure_copy"] = str(self.figure_copy)
        return {**self.comparison.to_json(), **files}


def run_function_comparison(
    function: str,
    optimizers: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    starts: Sequence[Sequence[float]] | str | None = None,
    steps: Sequence[int] | None = None,
    tol: float = 1e-2,
    *,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    figure: Path | None = None,
    again: redo.Again | None = None,
    recipe: dict[str, Any] | None = None,
) -> ComparisonRun:
    """``compare_on_function`` into a run folder: result.json (every path), summary.txt, paths.png.

    ``starts`` may be the ``--start`` text (``"-7,2"``, ``"0.5,-1.0"`` for 1-D, ``"a,b;c,d"``).
    ``figure`` also writes a copy of the PNG there (e.g. docs/optimizer-paths.png).
    Bad arguments raise ConfigError before any folder is created.
    """
    if isinstance(starts, str):
        starts = parse_starts(starts, get_objective(function).dim, function)
    comparison = compare_on_function(function, optimizers, overrides, lrs, starts, steps, tol)
    with open_run(runs_dir, out, again, recipe=recipe or {}, function=function, tol=tol) as life:
        run = life.run
        table = _write_result(run, comparison.to_json())
        png = plot_function_comparison(comparison, run.file("paths.png"), run.id)
        copy = _copy_figure(png, figure)
    return ComparisonRun(comparison, run, png, table, copy)


def run_dataset_comparison(
    dataset: str,
    optimizers: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    lrs: Sequence[float] | None = None,
    net: NetSettings = NetSettings(),
    *,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    figure: Path | None = None,
    progress: Callable[[str], None] | None = None,
    outcome: Callable[[str], None] | None = None,
    jobs: int = 1,
    again: redo.Again | None = None,
    recipe: dict[str, Any] | None = None,
) -> ComparisonRun:
    """``compare_on_dataset`` into a run folder: config.yaml (shared part), result.json (every
    loss curve), summary.txt, losses.png. Bad arguments and data errors raise before any
    folder is created. Each optimizer's run is kept in the folder as it finishes
    (``optimizer-<index>.json``, removed once result.json holds it), so that a resume
    (``again``) trains only the optimizers an interruption left unfinished. ``progress`` and
    ``outcome``: the lines as it trains and as each optimizer's run ends (``train_plan``)."""
    plan = plan_on_dataset(
        dataset, optimizers, overrides, lrs, net, data_dir=data_dir, jobs=jobs
    )  # (every check before the folder)
    size = (result_bytes(plan, net), "fewer --steps or optimizers")
    with open_run(runs_dir, out, again, recipe=recipe or {}, size=size, dataset=dataset,
                  seed=net.seed, data_dir=runs.data_dir_text(data_dir),
                  data=plan.data) as life:  # fmt: skip
        run = life.run
        kept = kept_runs(run, plan.specs) if again is not None else {}
        keep = functools.partial(save_run, run)
        comparison = train_plan(
            plan, net, progress=progress, outcome=outcome, jobs=jobs, kept=kept, on_run=keep
        )
        run.write_text("config.yaml", to_yaml(comparison.cfg))
        table = _write_result(run, comparison.to_json())
        png = plot_dataset_comparison(comparison, run.file("losses.png"), run.id)
        copy = _copy_figure(png, figure)
        for i in range(len(plan.specs)):  # (result.json holds them now)
            run.file(KEPT.format(index=i)).unlink(missing_ok=True)
        life.note(diverged=[r.spec.title for r in comparison.results if r.diverged])
    return ComparisonRun(comparison, run, png, table, copy)


def _write_result(run: runs.RunDir, result: dict[str, Any]) -> Table:
    """result.json, and summary.txt: its table (``comparison_table``; not read back: a
    dataset comparison's file may hold 20M losses)."""
    run.write_json("result.json", result)
    table = comparison_table(result)
    run.write_text("summary.txt", table.text())
    return table


# run_comparison's options that say what is compared: a folder's recipe (``nnlab.redo``)
RECIPE = ("function", "dataset", "optimizers", "lr", "start", "steps", "overrides", "tol",
          "hidden", "loss", "batch_size", "seed", "jobs")  # fmt: skip


def run_comparison(
    *,
    function: str | None = None,
    dataset: str | None = None,
    optimizers: str | None = None,
    lr: str | None = None,
    start: str | None = None,
    steps: str | None = None,
    overrides: Sequence[str] = (),
    tol: float | None = None,
    hidden: str | None = None,
    loss: str | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    data_dir: Path | None = None,
    runs_dir: Path = runs.DEFAULT_ROOT,
    out: Path | None = None,
    figure: Path | None = None,
    progress: Callable[[str], None] | None = None,
    outcome: Callable[[str], None] | None = None,
    again: redo.Again | None = None,
    resume: str | None = None,
    say: Callable[[str], None] | None = None,
) -> ComparisonRun:
    """``nnlab compare-optimizers`` from its option texts: paths on ``function`` (default
    ``book``), or a net trained on ``dataset`` (its lines: ``train_plan``'s ``progress``,
    ``outcome``). An option left None takes its default; a bad one, or one of the other kind
    (it would be ignored), is a ConfigError before any folder is made. The texts are the folder's
    recipe (``again``: the folder ``resume_comparison`` does them again in). ``resume``: a
    folder done again with the texts it recorded (``jobs`` if given), said to ``say``."""
    recipe = {k: list(v) if k == "overrides" else v for k, v in locals().items() if k in RECIPE}
    if resume is not None:
        resumes.alone({**{k: v for k, v in recipe.items() if k != "jobs"}, "--out": out})
        return resume_comparison(resume, runs_dir=runs_dir, data_dir=data_dir, jobs=jobs,
                                 figure=figure, progress=progress, outcome=outcome,
                                 on_start=redo.announcer(say))  # fmt: skip
    if again is None:  # (a new folder's place checked first, as the command line always did)
        runs.location(runs_dir, out)
    if function is not None and dataset is not None:
        raise ConfigError("give --function or --dataset, not both")
    names = parse_names(optimizers) if optimizers is not None else None
    lrs = parse_floats(lr, "--lr") if lr is not None else None
    step_list = parse_ints(steps, "--steps") if steps is not None else None
    if dataset is None:
        _refuse_net_options({"--hidden": hidden, "--loss": loss, "--batch-size": batch_size,
                             "--seed": seed, "--jobs": jobs})  # fmt: skip
        return run_function_comparison(
            function or "book", names, overrides, lrs, start, step_list,
            DEFAULT_TOL if tol is None else tol, runs_dir=runs_dir, out=out, figure=figure,
            again=again, recipe=recipe,
        )  # fmt: skip
    for option, given in (("--start", start), ("--tol", tol)):
        if given is not None:
            raise ConfigError(f"{option}: for --function comparisons, not --dataset")
    net = _net_settings(step_list, hidden, loss, batch_size, seed)
    return run_dataset_comparison(
        dataset, names, overrides, lrs, net, data_dir=data_dir, progress=progress, outcome=outcome,
        jobs=jobs or 1, runs_dir=runs_dir, out=out, figure=figure, again=again, recipe=recipe,
    )  # fmt: skip


def _refuse_net_options(given: dict[str, Any]) -> None:
    """A function comparison's ConfigError for the first option of a net given to it."""
    for option, value in given.items():
        if value is not None:
            raise ConfigError(f"{option}: for --dataset comparisons (a net), "
                              "not for a --function's paths")  # fmt: skip


def _net_settings(
    steps: list[int] | None,
    hidden: str | None,
    loss: str | None,
    batch_size: int | None,
    seed: int | None,
) -> NetSettings:
    """The net of a dataset comparison, from its option texts (None: each one's default)."""
    if steps is not None and len(steps) != 1:
        raise ConfigError("--steps: --dataset takes one number of iterations")
    return NetSettings(
        steps[0] if steps else 2000,
        parse_hidden(",".join(map(str, DEFAULT_HIDDEN)) if hidden is None else hidden),
        loss or "softmax_ce", 128 if batch_size is None else batch_size, seed or 0,
    )  # fmt: skip


def resume_comparison(
    ref: str,
    *,
    runs_dir: Path = runs.DEFAULT_ROOT,
    data_dir: Path | None = None,
    jobs: int | None = None,
    figure: Path | None = None,
    progress: Callable[[str], None] | None = None,
    outcome: Callable[[str], None] | None = None,
    on_start: Callable[[runs.RunDir], None] | None = None,
) -> ComparisonRun:
    """``nnlab compare-optimizers --resume REF``: an interrupted comparison done again in its
    folder from the option texts it recorded (``nnlab.redo``); ``jobs``, if given, instead of
    its own (the numbers do not depend on it)."""
    again, recipe = redo.find(runs_dir, ref, "compare-optimizers", on_start)
    if jobs is not None:
        recipe["jobs"] = jobs
    recipe["overrides"] = tuple(recipe.get("overrides") or ())
    given = runs.resume_data_dir(again.run, data_dir)
    return run_comparison(**recipe, data_dir=given, figure=figure, progress=progress,
                          outcome=outcome, again=again)  # fmt: skip


DEFAULT_TOL = 1e-2  # a function's distance to its minimum that counts as reached


__all__ = [
    "BASELINES",
    "DATASET_DEFAULTS",
    "DEFAULT_DATASET_OPTIMIZERS",
    "OBJECTIVES",
    "SCHEMAS",
    "ComparisonRun",
    "DatasetComparison",
    "FunctionComparison",
    "OptimizerSpec",
    "PathResult",
    "compare_on_dataset",
    "plan_on_dataset",
    "DatasetPlan",
    "train_plan",
    "compare_on_function",
    "NetSettings",
    "parse_floats",
    "parse_hidden",
    "parse_ints",
    "parse_names",
    "parse_starts",
    "random_local_search",
    "random_search",
    "resolve_optimizers",
    "resume_comparison",
    "run_comparison",
    "run_dataset_comparison",
    "run_function_comparison",
    "run_path",
    "smooth_curve",
]
