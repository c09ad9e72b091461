"""A few hundred runs: the build reads each file once, writes a page each, and stays small."""

from __future__ import annotations

import collections

import pytest

from nnlab import runs
from nnlab.report import build_report
from tests.report.helpers import files, index_rows, make_run

N = 300


@pytest.mark.slow
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


def _long_curve(n: int) -> list[tuple[float, float | None]]:
    """n epochs of a noisy falling loss, a gap (a NaN epoch) at n // 3."""
    import math

    return [(e, None if e == n // 3 else 1 / (1 + e) + 0.01 * math.sin(e)) for e in range(n)]


def test_a_long_runs_chart_draws_at_most_four_points_a_pixel_column_and_the_same_line():
    # a run of 28,286 epochs made a 1.8 MB page: every point of every curve in its path
    from nnlab.report.svg import Series, line_chart

    svg = line_chart([Series("train loss", _long_curve(28_000))], "loss", log_y=False)
    path = svg.split('<path d="', 1)[1].split('"', 1)[0]
    points = path.replace("M", " ").replace("L", " ").split()
    assert len(points) // 2 <= 4 * 520 and path.count("M") == 2  # (the gap kept)
    pairs = [(float(points[i]), float(points[i + 1])) for i in range(0, len(points), 2)]
    ys = [y for _, y in pairs]
    full = Series("x", _long_curve(28_000))
    assert len(full.points) == 28_000 and min(ys) < max(ys)
    short = line_chart([Series("train loss", _long_curve(300))], "loss", log_y=False)
    assert short.split('<path d="', 1)[1].count("L") >= 290  # (few points: every one drawn)


@pytest.mark.slow
def test_a_long_runs_compare_data_keeps_its_outline_in_a_few_thousand_points():
    from nnlab.report.facts import compact_curves

    n = 28_000
    records = [{"epoch": e, "train_loss": v} for e, v in _long_curve(n)]
    points = compact_curves(records)["train_loss"]
    assert len(points) <= 5 * 500
    assert points[0][0] == 0 and points[-1][0] == n - 1
    assert [n // 3, None] in points  # the gap
    values = [v for _, v in _long_curve(n) if v is not None]
    kept = [v for _, v in points if v is not None]
    assert min(kept) == float(f"{min(values):.5g}") and max(kept) == float(f"{max(values):.5g}")
    assert len(compact_curves(records[:2000])["train_loss"]) == 2000  # (short: every point)


def test_collect_names_each_folder_against_one_growing_set_not_a_new_one_per_folder(
    tmp_path, monkeypatch
):
    # the set of report paths taken was built anew for each folder from every entry before it:
    # quadratic, 0.85 s of a 2,000-run build (21 s at 10,000)
    from nnlab.report import collect

    root = tmp_path / "runs"
    for i in range(5):
        make_run(root, f"run{i}", epochs=1)
    sets: list[int] = []
    original = collect._rel

    def spy(resolved, runs_root, taken):
        sets.append(id(taken))
        return original(resolved, runs_root, taken)

    monkeypatch.setattr(collect, "_rel", spy)
    entries = collect.collect((), root)
    assert len(sets) == 5 and len(set(sets)) == 1
    assert sorted(e.rel for e in entries) == sorted(p.name for p in root.iterdir())


def test_a_rebuild_leaves_unchanged_pages_alone_and_rewrites_a_changed_one(tmp_path):
    # every page was written anew (temp file + rename) on every build: 5 s of an 11 s rebuild
    # of 2,000 unchanged runs
    root = tmp_path / "runs"
    one, two = make_run(root, "one", epochs=2), make_run(root, "two", epochs=2)
    out = build_report((), root).out
    pages = {run.path.name: out / run.path.name / "index.html" for run in (one, two)}
    before = {name: p.stat().st_ino for name, p in pages.items()}
    text = one.file("config.yaml").read_text().replace("seed: 0", "seed: 1")
    one.file("config.yaml").write_text(text)
    build_report((), root)
    after = {name: p.stat().st_ino for name, p in pages.items()}
    assert after[two.path.name] == before[two.path.name]
    assert after[one.path.name] != before[one.path.name]
    assert "seed: 1" in pages[one.path.name].read_text()


def test_many_runs_of_one_name_are_labelled_by_their_values_and_ids_where_those_repeat(tmp_path):
    # (the repeats were found with a list's count() per run: quadratic, 0.18 s of 2,000 runs of
    # one name; this checks the labels the counted version gives, not the time)
    from nnlab.report import collect
    from nnlab.report.index import compare_labels

    root = tmp_path / "runs"
    for i in range(40):
        make_run(root, "same", epochs=1, lr=0.1 if i % 2 else 0.2)
    make_run(root, "other", epochs=1)
    entries = collect.collect((), root)
    labels = compare_labels(entries)
    assert len(labels) == 40 and len(set(labels.values())) == 40  # (each told apart)
    for entry in entries:
        if entry.name == "same":
            assert (
                labels[entry.rel]
                == f"same (lr={entry.config['optimizer']['lr']}, {entry.rel[-6:]})"
            )


def test_a_count_of_thousands_of_folders_reads_with_its_comma():
    # (the index of 1,000 runs was '1,000 folders in runs (1000 COMPLETED)')
    from nnlab.report.facts import counts_text

    assert counts_text({"COMPLETED": 1000, "DIVERGED": 2}) == "1,000 COMPLETED, 2 DIVERGED"
