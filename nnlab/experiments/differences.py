"""Forward vs centred differences over step sizes for one parameter (``nnlab gradcheck
--compare-differences``): why the check uses centred differences and a step near 1e-5, and what
a numeric gradient of every parameter would cost against one analytic pass.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.errors import NnlabError, not_one_of
from nnlab.experiments.gradcheck import (
    DEFAULT_BATCH,
    DEFAULT_EPS,
    DEFAULT_MAX_ENTRIES,
    CheckSettings,
    Progress,
    check_settings,
    fix_dropout_masks,
    net_objective,
    pick_entries,
    single_thread_blas,
)
from nnlab.experiments.gradcheck_builtin import small_net
from nnlab.experiments.gradcheck_config import check_numeric_work, config_target
from nnlab.fileio import as_written
from nnlab.limits import FOLDER_FILES, check_disk
from nnlab.nn.gradcheck import numeric_gradient_at, rel_error
from nnlab.nn.layers import Affine
from nnlab.nn.model import MLP
from nnlab.numbers import config_number, number
from nnlab.output import counted
from nnlab.times import duration

STEPS = tuple(10.0**-k for k in range(1, 11))  # 1e-1 .. 1e-10


@dataclass(frozen=True)
class Differences:
    """Forward vs centred differences for one parameter, over step sizes, and their cost."""

    param: str
    shape: tuple[int, ...]
    checked: int
    steps: list[float]
    forward: list[float]  # max rel error per step
    centred: list[float]
    numeric_seconds: float  # centred numeric gradient of the whole parameter at ``eps``
    analytic_seconds: float  # one forward + backward pass (all parameters)
    timed_entries: int  # entries timed; numeric_seconds is scaled up from them if fewer
    eps: float
    total_params: int  # entries of all parameters of the model

    @property
    def ratio(self) -> float:
        return self.numeric_seconds / max(self.analytic_seconds, 1e-12)

    def step_rows(self) -> list[dict[str, Any]]:
        return [
            {"step": h, "forward": f, "centred": c}
            for h, f, c in zip(self.steps, self.forward, self.centred)
        ]

    def timing(self) -> dict[str, Any]:
        """Seconds for the numeric gradient of this parameter vs one analytic pass (all params)."""
        return {
            "param": self.param,
            "entries": int(np.prod(self.shape)),
            "timed": self.timed_entries,
            "numeric_s": self.numeric_seconds,
            "analytic_s": self.analytic_seconds,
            "ratio": self.ratio,
        }

    def all_params_estimate(self) -> float:
        """Seconds a centred numeric gradient of every parameter would take, at this rate."""
        per_entry = self.numeric_seconds / max(int(np.prod(self.shape)), 1)
        return per_entry * self.total_params

    def best(self) -> dict[str, tuple[float, float]]:
        """The step with the smallest error for each method: {"forward": (h, err), ...}."""
        out = {}
        for name, errors in (("forward", self.forward), ("centred", self.centred)):
            i = int(np.argmin(errors))
            out[name] = (self.steps[i], errors[i])
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "shape": list(self.shape),
            "checked": self.checked,
            "eps": self.eps,
            "steps": self.step_rows(),
            "best": {k: {"step": h, "error": e} for k, (h, e) in self.best().items()},
            "timing": {
                **self.timing(),
                "total_params": self.total_params,
                "all_params_numeric_s_estimate": self.all_params_estimate(),
            },
        }


TIMED_ENTRIES = 2000  # larger parameters: time this many entries and scale up
COMPARE_NET = "tanh weight-decay"  # smooth (no kinks), so the curves show only the two errors


def default_param(model: MLP) -> str:
    """The first Affine layer's weight, e.g. "affine1.W"."""
    for name, layer in model.layers.items():
        if isinstance(layer, Affine):
            return f"{name}.W"
    raise NnlabError("the model has no Affine layer")


def compare_differences(
    model: MLP,
    x: np.ndarray,
    y: np.ndarray,
    param: str | None = None,
    *,
    steps: Sequence[float] = STEPS,
    eps: float = DEFAULT_EPS,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    seed: int = 0,
    repeats: int = 20,
    progress: Progress | None = None,
) -> Differences:
    """Error of forward and centred differences per step for ``param``, and numeric vs analytic time.

    Forward differences err by O(h) (truncation) and centred ones by O(h^2), while round-off
    grows like (machine epsilon * |f|) / h: the error against step is U-shaped on log-log axes,
    with its minimum near h ~ 1e-8 (forward) and h ~ 1e-5 (centred).

    Timing: the centred numeric gradient of the whole parameter at ``eps`` (timed on at most
    ``TIMED_ENTRIES`` entries and scaled up) against one analytic forward + backward pass, which
    yields every parameter's gradient at once (mean of ``repeats``). ``progress`` gets a line
    as each part starts.
    """
    check_settings(eps, x.shape[0], max_entries)
    param = _param(model, param)
    fix_dropout_masks(model, x)
    model.loss_and_grads(x, y, train=True)
    target = model.params[param]
    analytic = model.grads[param].copy()
    entries = pick_entries(target.shape, max_entries, np.random.default_rng(seed))
    picked = analytic[tuple(np.array(entries).T)]
    objective = net_objective(model, x, y)

    def f() -> float:
        return objective()[0]

    say = progress or (lambda line: None)
    with single_thread_blas():  # both timings under the same conditions
        say(f"{param}: forward and centred differences at {counted(len(steps), 'step')}, "
            f"{counted(len(entries), 'entry', 'entries')}")  # fmt: skip
        forward, centred = _step_errors(f, target, entries, picked, steps)
        timed = pick_entries(target.shape, TIMED_ENTRIES, np.random.default_rng(seed))
        say(f"{param}: timing the numeric gradient ({counted(len(timed), 'entry', 'entries')}) "
            "against the analytic pass")  # fmt: skip
        numeric_seconds, analytic_seconds = _timings(model, x, y, f, target, timed, eps, repeats)
        return Differences(
            param=param,
            shape=tuple(target.shape),
            checked=len(entries),
            steps=list(steps),
            forward=forward,
            centred=centred,
            numeric_seconds=numeric_seconds,
            analytic_seconds=analytic_seconds,
            timed_entries=len(timed),
            eps=eps,
            total_params=sum(int(p.size) for p in model.params.values()),
        )


def _step_errors(
    f: Any, target: np.ndarray, entries: list, picked: np.ndarray, steps: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Max relative error of the forward and of the centred difference at each step, against
    the analytic gradient's ``picked`` entries."""
    forward: list[float] = []
    centred: list[float] = []
    for h in steps:
        for centred_diff, out in ((False, forward), (True, centred)):
            numeric = numeric_gradient_at(f, target, entries, eps=h, centred=centred_diff)
            out.append(rel_error(picked, numeric))
    return forward, centred


def _param(model: MLP, param: str | None) -> str:
    """``param`` (default: the first Affine weight) if the model has it, else NnlabError."""
    param = param or default_param(model)
    if param not in model.params:
        raise NnlabError(not_one_of("--param", param, model.params))
    return param


def _timings(
    model: MLP, x: np.ndarray, y: np.ndarray, f: Any, target: np.ndarray, timed: list,
    eps: float, repeats: int,
) -> tuple[float, float]:  # fmt: skip
    """Seconds of a centred numeric gradient of all of ``target`` (timed on the ``timed``
    entries, scaled up) and of one analytic forward + backward pass (mean of ``repeats``)."""
    t0 = time.perf_counter()
    numeric_gradient_at(f, target, timed, eps=eps, centred=True)
    numeric_seconds = (time.perf_counter() - t0) * target.size / len(timed)
    t0 = time.perf_counter()
    for _ in range(repeats):
        model.loss_and_grads(x, y, train=True)
    return numeric_seconds, (time.perf_counter() - t0) / repeats


def differences_target(
    cfg: Any = None, data_dir: Path | None = None, batch: int = DEFAULT_BATCH, seed: int = 0
) -> tuple[MLP, np.ndarray, np.ndarray, str, Any]:
    """(model, x, y, description, the ``Dataset`` x and y come from or None) for
    --compare-differences: the config's network or COMPARE_NET."""
    if cfg is None:
        model, x, y = small_net(COMPARE_NET, batch, seed)
        return model, x, y, f"net {COMPARE_NET}", None
    from nnlab.experiments.checks import MODEL_OF, load_checked

    # (in config_target's dtype)
    data = load_checked(cfg, data_dir, dtype="float64", doing=MODEL_OF)
    model, x, y = config_target(cfg, data_dir, batch, seed, data=data)
    return model, x, y, f"config {cfg.name}", data


def save_differences(
    diff: Differences,
    *,
    what: str,
    title: str,
    runs_dir: Path,
    out: Path | None = None,
    again: Any = None,
    recipe: dict[str, Any] | None = None,
    **fields: Any,
) -> Path:
    """A new folder (``<runs_dir>/<stamp>-gradcheck-differences-<id>``, or exactly ``out``;
    kind ``gradcheck``; or ``again``, the folder a resume writes them in again) with
    ``differences.json`` (the numbers, and ``what`` they are of) and ``differences.png``.
    ``recipe`` and ``fields`` go into a new folder's meta.json (``nnlab.redo``)."""
    from nnlab import plots, redo, runs

    root, folder = runs.location(runs_dir, out) if again is None else (again.path.parent, None)
    with redo.begin("gradcheck", root, "gradcheck-differences", again=again,
                    recipe=recipe or {}, folder=folder, param=diff.param, **fields) as life:  # fmt: skip
        stored = {"title": title, "what": what, **diff.to_dict()}
        life.run.write_json("differences.json", stored)
        figure = plots.gradcheck_differences_figure(
            diff.steps, diff.forward, diff.centred, title=title, run=life.run.id
        )
        return plots.save(figure, life.run.file("differences.png"))


@dataclass
class DifferencesReport:
    """``--compare-differences``: the comparison, what it ran on and where its figure is."""

    diff: Differences
    what: str
    eps: float
    png: Path

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, **self.diff.to_dict(), "plot": str(self.png)}

    def csv_rows(self) -> list[dict[str, Any]]:
        return self.diff.step_rows()

    def blocks(self) -> list[Block]:
        return summary_blocks(as_written({"what": self.what, **self.diff.to_dict()}))


Block = str | tuple[str, list[dict[str, Any]]]  # a line of text, or a table: (title, rows)
TIMING = ("param", "entries", "timed", "numeric_s", "analytic_s", "ratio")  # (its table's)


def summary_blocks(stored: dict[str, Any]) -> list[Block]:
    """The comparison's tables and lines from its differences.json (as ``save_differences``
    writes it): the errors at each step, the best steps, and what a numeric gradient costs.
    The one rendering: the command prints it, ``runs show`` draws it from the folder's
    checked differences.json (one of before ``what`` was written there: without it)."""
    best, timing = stored["best"], stored["timing"]
    shape = "x".join(map(str, stored["shape"]))
    what = f", {stored['what']}" if isinstance(stored.get("what"), str) else ""
    forward, centred = best["forward"], best["centred"]
    return [
        (f"{stored['param']} {shape}{what}", stored["steps"]),
        f"max rel error over {counted(stored['checked'], 'entry', 'entries')}; best step: "
        f"forward {config_number(forward['step'])} ({_error(forward['error'])}), "
        f"centred {config_number(centred['step'])} ({_error(centred['error'])})",
        (f"numeric (centred, step {config_number(stored['eps'])}) vs analytic (ratio: numeric_s / "
         "analytic_s)", [{**{k: timing[k] for k in TIMING}, "ratio": times_ratio(timing["ratio"])}]),
        f"numeric gradient of all {counted(timing['total_params'], 'parameter')}: "
        f"~{duration(timing['all_params_numeric_s_estimate'])} (2 forward passes each); "
        f"analytic: {duration(timing['analytic_s'])} (one forward + backward pass)",
    ]  # fmt: skip


def times_ratio(ratio: float) -> float | int:
    """A ratio of times as its table shows it: whole from 10 up (``7,087``, not ``7087.3316``:
    its decimals are noise of a timing), else 2 decimals."""
    return round(ratio) if ratio >= 10 else round(ratio, 2)


def _error(error: float | None) -> str:
    """A best step's error as the table above it writes it (``number``: it read 4.5e-11 under
    a table's 4.464e-11)."""
    return "not a number" if error is None else number(error)


def run_differences(
    cfg: Any = None,
    data_dir: Path | None = None,
    settings: CheckSettings = CheckSettings(),
    *,
    param: str | None = None,
    runs_dir: Path = Path("runs"),
    out: Path | None = None,
    progress: Progress | None = None,
    again: Any = None,
) -> DifferencesReport:
    """Compare the differences on ``cfg``'s net (or the built-in smooth one), into a new
    folder under ``runs_dir`` (or exactly ``out``; or ``again``: ``resume_differences``)."""
    from nnlab import runs
    from nnlab.runs import data_dir_text, location

    s = settings
    # (the folder's space before the work, not after it, as runs.start would check it)
    root = location(runs_dir, out)[0] if again is None else again.path.parent
    check_disk("the gradcheck folder", FOLDER_FILES, root)
    model, x, y, what, data = differences_target(cfg, data_dir, s.batch, s.seed)
    if again is not None and data is not None:  # (before the work: redo.begin checks after it)
        runs.check_data(again.run, data, data_dir)
    if cfg is not None:  # (each entry: a forward and a centred difference at every step)
        entries = min(int(model.params[_param(model, param)].size), s.max_entries)
        widths = [a.params["W"].shape for a in model.affines]
        dims = (widths[0][0], widths[-1][1])
        check_numeric_work(cfg, *dims, x.shape[0], entries, passes=3 * len(STEPS))
    if again is not None:  # (the work comes before the folder: said as it starts)
        from nnlab.redo import announced

        again = announced(again)
    diff = compare_differences(
        model, x, y, param, eps=s.eps, max_entries=s.max_entries, seed=s.seed, progress=progress
    )
    title = f"finite differences: {diff.param} ({what})"
    recipe = {"eps": s.eps, "batch": s.batch, "max_entries": s.max_entries, "seed": s.seed,
              "param": param, "config": cfg is not None}  # fmt: skip
    fields = {"data_dir": data_dir_text(data_dir), "data": data} if cfg is not None else {}
    if cfg is not None:
        from nnlab.config import config_hash, to_yaml

        fields.update(files={"config.yaml": to_yaml(cfg)}, config_hash=config_hash(cfg))
    path = save_differences(diff, what=what, title=title, runs_dir=runs_dir, out=out,
                            again=again, recipe=recipe, **fields)  # fmt: skip
    return DifferencesReport(diff, what, s.eps, path)


def resume_differences(
    ref: str,
    *,
    runs_dir: Path = Path("runs"),
    data_dir: Path | None = None,
    progress: Progress | None = None,
    on_start: Any = None,
) -> DifferencesReport:
    """``nnlab gradcheck --resume REF``: an interrupted --compare-differences folder's
    comparison done again in it, from its recipe and config.yaml (``nnlab.redo``)."""
    from nnlab import redo, runs
    from nnlab.experiments.train import load_run_config

    again, recipe = redo.find(runs_dir, ref, "gradcheck", on_start)
    cfg = load_run_config(again.run) if recipe.pop("config", False) else None
    param = recipe.pop("param", None)
    settings = CheckSettings(**recipe)
    given = runs.resume_data_dir(again.run, data_dir)
    return run_differences(cfg, given, settings, param=param, progress=progress, again=again)
