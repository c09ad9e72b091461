"""A report's table of the rows a kind's command printed a table of (an activations run's, a
compare-optimizers run's, an lr-scan's) reads each value as that table does: the same function
draws it from the same file (``report.terminal``)."""

from __future__ import annotations

import re

from nnlab.experiments.activations import summary_table as activations_table
from nnlab.experiments.optimizers import comparison_table
from nnlab.report import terminal
from nnlab.report.values import json_view

ACTIVATIONS = {
    "status": "COMPLETED", "activations": ["relu"], "inits": ["std1"], "layers": 2, "units": 20,
    "samples": 100, "seed": 0, "batchnorm": False, "saturation": {"relu": "a == 0 (off)"},
    "rows": [
        {"activation": "relu", "init": "std1", "layer": 1, "mean": 1.8606157552762024,
         "std": 2.6846112827692075, "saturated": None, "zero": 0.488, "dead_units": 0.0},
        {"activation": "relu", "init": "std1", "layer": 2, "mean": 5.838197448123107,
         "std": 9.995598915002724, "saturated": None, "zero": 0.5155, "dead_units": 0.0},
    ],
}  # fmt: skip
RUN = {"rule": "adam", "start": [-7.0, 2.0], "steps": 20, "final_value": 0.193506007970004,
       "steps_to_tol": None, "diverged_at": None, "outcome": "not converged",
       "path": [[-7.0, 2.0]] * 21, "values": [6.45] * 21}  # fmt: skip
COMPARISON = {
    "kind": "function", "function": "book", "formula": "f(x, y) = x^2/20 + y^2",
    "minimum": [0.0, 0.0], "tol": 0.01,
    "runs": [
        {**RUN, "optimizer": "adam", "diverged": False, "final_point": [-1.5214406214905067, -0.27],
         "hyperparameters": {"lr": 0.3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-08}},
        {**RUN, "optimizer": "sgd", "rule": "sgd", "diverged": True, "diverged_at": 7,
         "final_point": None, "hyperparameters": {"lr": 9.5}, "outcome": "diverged"},
    ],
}  # fmt: skip


def cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]


def terminal_cells(text: str) -> list[str]:
    return [c.strip() for line in text.splitlines() if "│" in line for c in line.split("│")[1:-1]]


def test_an_activations_table_reads_its_numbers_as_the_terminal_does():
    # (the report read std 2.6846 and dead_units 0.0000 where the terminal said 2.685 and 0;
    # both now write each column in its one format, column_format's)
    html = json_view(
        ACTIVATIONS, said=lambda key: terminal.said("activations", "a", ACTIVATIONS, key)
    )
    table = html[html.index("<h3>rows</h3>") :]
    shown = [c for c in cells(table) if c]  # (saturated: none, a blank column here)
    assert shown == terminal_cells(activations_table(ACTIVATIONS).text())
    assert "2.6846" in shown and "9.9956" in shown


def test_compare_optimizers_runs_read_as_its_table_says_them():
    # (hyperparameters with every default, start [-7.0, 2.0], final_point [-1.5214, -0.2700],
    # where the terminal says lr=0.3, (-7, 2), (-1.5214, -0.2700) and 'at step 7' for diverged)
    html = json_view(
        COMPARISON, said=lambda key: terminal.said("compare-optimizers", "c", COMPARISON, key)
    )
    table = html[html.index("<h3>runs</h3>") :]
    row = dict(zip(re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table), cells(table)))
    said = comparison_table(COMPARISON).rows[0]
    assert row["hyperparameters"] == said["hyperparameters"] == "lr=0.3"
    assert row["start"] == "(-7, 2)" and row["final_<wbr>point"] == "(-1.5214, -0.2700)"
    assert "at step 7" in cells(table) and "no" in cells(table)  # (diverged: the terminal's words)
    assert 'data-v="0.193506007970004">0.1935<' in table  # (sorts by the number as stored)


def test_rows_the_kinds_table_cannot_be_drawn_from_read_as_they_are():
    broken = {**ACTIVATIONS, "rows": [{"init": "he", "std": 2.6846112827692075}]}
    assert terminal.said("activations", "a", broken, "rows") is None  # (no activation named)
    assert "2.6846" in json_view(
        broken, said=lambda key: terminal.said("activations", "a", broken, key)
    )
    assert terminal.said("landscape", "l", ACTIVATIONS, "rows") is None  # (no rows table there)
    assert terminal.said("activations", "a", ACTIVATIONS, "inits") is None  # (not its rows)
