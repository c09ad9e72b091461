"""A gradient check's report: verdict counts, failures, the JSON document, the tables in order
(``nnlab gradcheck`` renders ``GradcheckReport.blocks()``), ``run_gradcheck``, the plain
check, and ``check_gradients``, the command's one entry point: the plain check, a comparison
of finite differences (``--compare-differences``) or the resume of one."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnlab.errors import OptionError
from nnlab.experiments.gradcheck import (
    FAIL_ABOVE,
    PASS_BELOW,
    THRESHOLDS_NOTE,
    CheckSettings,
    Progress,
    Row,
    eps_note,
    verdict_counts,
)
from nnlab.experiments.gradcheck_builtin import check_builtin, nets_note
from nnlab.experiments.gradcheck_config import check_config
from nnlab.numbers import config_number, of_total
from nnlab.output import counted

if TYPE_CHECKING:
    from nnlab.experiments.differences import DifferencesReport


def summarize(rows: Sequence[Row]) -> dict[str, Any]:
    """Counts per verdict and whether the check passed (no row failed)."""
    counts = verdict_counts(rows)
    return {"rows": len(rows), **counts, "ok": counts["fail"] == 0}


NOT_FINITE = "not a number: the loss or its gradient is not finite at these weights"


def failures(rows: Sequence[Row]) -> list[str]:
    """One line per failing row, naming the layer and parameter (an error that is no number
    says why: the loss or its gradient is not finite at the weights checked)."""
    return [
        f"FAIL {r.group}: {r.layer} {r.param} (max rel error "
        + (f"{r.max_rel_error:.2e}" if math.isfinite(r.max_rel_error) else NOT_FINITE)
        + (f", {r.kinks} kink crossings" if r.kinks else "")
        + ")"
        for r in rows
        if r.verdict == "fail"
    ]


def flat_row(row: Row) -> dict[str, Any]:
    """A row for CSV: shape as "6x7", everything else as is."""
    return {**row.to_dict(), "shape": "x".join(map(str, row.shape))}


def report(
    rows: Sequence[Row],
    *,
    eps: float,
    batch: int,
    max_entries: int,
    seed: int,
) -> dict[str, Any]:
    """The JSON document of a check: settings, thresholds, verdict counts and every row."""
    return {
        "dtype": "float64",
        "differences": "centred",
        "eps": eps,
        "batch": batch,
        "max_entries": max_entries,
        "seed": seed,
        "thresholds": {"pass_below": PASS_BELOW, "fail_above": FAIL_ABOVE},
        "summary": summarize(rows),
        "rows": [r.to_dict() for r in rows],
    }


GROUP_TITLES = {
    "layer": "layers in isolation, L = sum(layer(x) * dout)",
    "loss": "losses, on their scores",
}
# The tables' first column names what its rows are: a layer (in isolation, or of a net), or a
# loss. (JSON and CSV keep the field ``layer`` for every row, ``group`` saying which.)
FIRST_COLUMN = {"loss": "loss"}


def table_groups(rows: Sequence[Row]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(title, table rows) per group, in order: shape as "6x7", checked as "n" or "n/size";
    the first column headed by what its rows are (``FIRST_COLUMN``: a loss's table ``loss``);
    ``max_rel_error`` headed ``error`` (the legend says which): the layers' table was 83
    columns wide, records on an 80-column terminal."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r.group, []).append(
            {
                FIRST_COLUMN.get(r.group, "layer"): r.layer,
                "param": r.param,
                "shape": "x".join(map(str, r.shape)),
                "checked": r.checked if r.checked == r.size else of_total(r.checked, r.size),
                "error": r.max_rel_error,
                "kinks": r.kinks,
                "verdict": r.verdict,
            }
        )
    return [(GROUP_TITLES.get(g, g), table) for g, table in groups.items()]


# ----------------------------------------------------------------------------- the command
Block = str | tuple[str, list[dict[str, Any]]]  # a line of text, or (title, table rows)


@dataclass
class GradcheckReport:
    """A finished check: its rows and settings, as JSON, CSV or a text of lines and tables."""

    rows: list[Row]
    what: str
    builtin: bool
    eps: float
    batch: int
    max_entries: int
    seed: int

    @property
    def ok(self) -> bool:
        return summarize(self.rows)["ok"]

    def to_json(self) -> dict[str, Any]:
        return report(
            self.rows, eps=self.eps, batch=self.batch, max_entries=self.max_entries, seed=self.seed
        )

    def csv_rows(self) -> list[dict[str, Any]]:
        return [flat_row(r) for r in self.rows]

    def blocks(self) -> list[Block]:
        """The table view, in order: a heading, notes, one table per group, the verdicts."""
        out: list[Block] = [
            f"gradient check: {self.what} (float64, centred differences, eps {config_number(self.eps)})"
        ]
        if self.builtin:
            out.append(nets_note(self.batch))
        out.extend(table_groups(self.rows))
        out.append(THRESHOLDS_NOTE)
        if any(r.checked < r.size for r in self.rows):
            out.append(
                f"checked n/size: a random subset of at most {counted(self.max_entries, 'entry', 'entries')} per "
                f"parameter (--max-entries, seed {self.seed})."
            )
        counts = summarize(self.rows)
        out.append(
            f"{counted(counts['rows'], 'row')}: {counts['pass']} pass, {counts['warn']} warn, "
            f"{counts['fail']} fail"
        )
        note = eps_note(self.eps)
        if note:
            out.append(note)
        return out

    def failures(self) -> list[str]:
        return failures(self.rows)


def run_gradcheck(
    cfg: Any = None,
    data_dir: Path | None = None,
    settings: CheckSettings = CheckSettings(),
    progress: Progress | None = None,
) -> GradcheckReport:
    """Check the built-in layers, losses and nets (``cfg`` None), or the net ``cfg`` builds on
    a batch of its data; ``progress`` gets a line as each group (each parameter of a config's
    net) is checked."""
    if cfg is None:
        rows = check_builtin(settings, progress)
        what = "built-in layers, losses and networks"
    else:
        rows = check_config(cfg, data_dir, settings, progress)
        what = f"config {cfg.name}, batch {settings.batch}"
    s = settings
    return GradcheckReport(list(rows), what, cfg is None, s.eps, s.batch, s.max_entries, s.seed)


def check_gradients(
    config: Path | None = None,
    overrides: list[str] | None = None,
    settings: CheckSettings = CheckSettings(),
    *,
    compare_differences: bool = False,
    resume: str | None = None,
    param: str | None = None,
    data_dir: Path | None = None,
    runs_dir: Path = Path("runs"),
    out: Path | None = None,
    progress: Progress | None = None,
    say: Progress | None = None,
) -> GradcheckReport | DifferencesReport:
    """``nnlab gradcheck``: ``resume`` (a --compare-differences folder) done again in it, its
    line said to ``say`` as it begins (``differences.resume_differences``); else the net of
    ``config`` with ``overrides`` (the keys that change nothing said to ``say``; None: the
    built-in set) checked plainly (``run_gradcheck``: no folder, every parameter), or with
    ``compare_differences`` its ``param`` compared over steps into a new folder under
    ``runs_dir`` (or exactly ``out``: ``differences.run_differences``)."""
    from nnlab import redo, resumes
    from nnlab.experiments import differences as df
    from nnlab.idle import load_config_warned

    if resume is not None:
        resumes.alone({"config": config, "overrides": overrides, "--param": param, "--out": out})
        return df.resume_differences(resume, runs_dir=runs_dir, data_dir=data_dir,
                                     progress=progress, on_start=redo.announcer(say))  # fmt: skip
    cfg = (
        load_config_warned(config, overrides, say or (lambda line: None))
        if config is not None
        else None
    )
    if compare_differences:
        return df.run_differences(cfg, data_dir, settings, param=param, runs_dir=runs_dir,
                                  out=out, progress=progress)  # fmt: skip
    for option, given in (("--out", out), ("--param", param)):
        if given is not None:
            raise OptionError(option, COMPARE_ONLY)
    return run_gradcheck(cfg, data_dir, settings, progress=progress)


# what an option of --compare-differences given to the plain check is told
COMPARE_ONLY = ("goes with --compare-differences (the plain check writes no folder or figure "
                "and checks every parameter)")  # fmt: skip
