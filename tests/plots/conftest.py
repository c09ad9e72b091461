"""Figures are built in memory (Agg) and closed after each test."""

from __future__ import annotations

import pytest

from nnlab import plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plots.pyplot().close("all")
