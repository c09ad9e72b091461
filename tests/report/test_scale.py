"""A few hundred runs: the build reads each file once, writes a page each, and stays small."""

from __future__ import annotations

import collections

from nnlab import runs
from nnlab.report import build_report
from tests.report.helpers import files, index_rows, make_run

N = 300


def test_a_few_hundred_runs_read_once_each_and_small(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    for i in range(N):
        make_run(root, f"run{i:03d}", epochs=20, lr=0.1 / (1 + i % 7))
    reads: collections.Counter = collections.Counter()
    original = runs.RunDir.metrics

    def counted(self):
        reads[self.path] += 1
        return original(self)

    monkeypatch.setattr(runs.RunDir, "metrics", counted)
    result = build_report((), root)
    assert result.rows == N and result.pages == N + 1
    assert len(reads) == N and max(reads.values()) == 1  # every metrics file read once
    html = result.index.read_text()
    assert len(index_rows(html)) == N and "optimizer.lr" in html
    per_run = sum(p.stat().st_size for p in files(result.out)) / N
    assert per_run < 40_000, per_run  # a page and an index row with its curves
    assert (result.out / "data.js").stat().st_size < N * 3_000
