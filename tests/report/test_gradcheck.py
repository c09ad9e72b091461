"""A ``gradcheck --compare-differences`` folder in the report: its index row says which
parameter of which network it checked (folders written by hand, as the command writes them)."""

from __future__ import annotations

import json

from nnlab.report import build_report
from tests.report.helpers import index_rows, new_folder, write_meta


def differences(root, param: str, what: str):
    """A finished --compare-differences folder: meta.json and differences.json."""
    folder = new_folder(root, "gradcheck-differences")
    write_meta(folder, run_id=folder.id, kind="gradcheck", status="COMPLETED", param=param)
    data = {"title": f"finite differences: {param} ({what})", "what": what, "param": param}
    data |= {"shape": [6, 7], "checked": 42, "eps": 1e-05}
    data["steps"] = [{"step": 1e-05, "forward": 2.8e-06, "centred": 4.5e-11}]
    data["best"] = {
        k: {"step": 1e-05, "error": e} for k, e in (("forward", 2.8e-6), ("centred", 4.5e-11))
    }
    data["timing"] = {"param": param, "entries": 42, "timed": 42, "numeric_s": 0.003,
                      "analytic_s": 6e-05, "ratio": 50.0, "total_params": 113,
                      "all_params_numeric_s_estimate": 0.008}  # fmt: skip
    folder.file("differences.json").write_text(json.dumps(data))
    return folder


def test_a_gradchecks_row_names_its_parameter_and_its_network(tmp_path):
    """Every one was named 'gradcheck-differences-<id>', cut by the name column to
    'gradcheck-differences-18…' (at 1,024 px 'gradcheck-differenc…'), its notes 'details':
    two of them were told apart by a hover title alone."""
    root = tmp_path / "runs"
    built_in = differences(root, "affine1.W", "net tanh weight-decay")
    of_config = differences(root, "affine2.W", "config digits-quickstart")
    out = build_report((), root, tmp_path / "report").out
    rows = {row.split('data-rel="', 1)[1].split('"', 1)[0]: row for row in index_rows(
        (out / "index.html").read_text(encoding="utf-8"))}  # fmt: skip
    for folder, name, note in (
        (built_in, "gradcheck affine1.W", "of net tanh weight-decay"),
        (of_config, "gradcheck affine2.W", "of config digits-quickstart"),
    ):
        row = rows[folder.id]
        assert f'title="{name}">{name}</a>' in row, row
        assert f'<summary title="{note}">{note}</summary>' in row, row
    page = (out / built_in.id / "index.html").read_text(encoding="utf-8")
    assert "<title>gradcheck affine1.W (" in page
