"""The report package's boundaries: no typer, no matplotlib, no printing, and only its adapter
(collect.py) touches nnlab.runs, so a change to runs.py is followed in one place."""

from __future__ import annotations

import pytest

from tests.test_architecture import called_names, imported_modules, in_scope, within

SCOPE = "nnlab.report"


def imports() -> list[tuple[str, str]]:
    return [
        (module, name)
        for module, (_, src, pkg) in in_scope(SCOPE).items()
        for _, name in imported_modules(src, module, pkg)
    ]


@pytest.mark.parametrize("forbidden", ["typer", "matplotlib", "nnlab.cli", "click"])
def test_report_does_not_import(forbidden):
    assert [(m, n) for m, n in imports() if within(n, forbidden)] == []


def test_only_the_adapter_imports_runs():
    users = {m for m, n in imports() if within(n, "nnlab.runs") or n == "nnlab.runs"}
    assert users == {"nnlab.report.collect"}


def test_report_does_not_print():
    found = [
        (module, line)
        for module, (_, src, _) in in_scope(SCOPE).items()
        for line, name in called_names(src)
        if name in ("print", "input")
    ]
    assert found == []


def test_report_modules_stay_short():
    for module, (_, src, _) in in_scope(SCOPE).items():
        assert len(src.splitlines()) < 600, module


def test_report_imports_no_private_name_of_another_module():
    """A helper the report shares with another module has a public name there (output's
    table_cell, differences' times_ratio were imported as _cell and _times)."""
    private = [
        (m, n)
        for m, n in imports()
        if n.startswith("nnlab.")
        and n.rsplit(".", 1)[-1].startswith("_")
        and not n.rsplit(".", 1)[-1].startswith("__")
    ]
    assert private == []
