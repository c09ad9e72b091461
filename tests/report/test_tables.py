"""The report's JSON tables (``values.rows_table``): what a column is worth a place in them."""

from __future__ import annotations

import pytest

from nnlab.report.values import rows_table


def _row(optimizer: str, rule: str, steps: int) -> dict:
    path = [[-7.0 + i / 10, 2.0] for i in range(steps + 1)]
    return {"optimizer": optimizer, "rule": rule, "final_value": 0.5, "path": path,
            "values": [1.0] * (steps + 1), "outcome": "converged"}  # fmt: skip


def test_a_column_of_long_lists_is_named_under_the_table_not_a_column_of_sizes():
    """compare-optimizers' path and values were two columns reading '51 entries' in each row:
    they made its table 1,395 px wide in a 1,280 px window and said nothing the note does not."""
    html = rows_table([_row("sgd", "sgd", 50), _row("adam", "adam", 50)])
    head = html.split("</thead>")[0]
    assert ">path<" not in head and ">values<" not in head and "entries</span></td>" not in html
    assert '<p class="note">path, values: a list per row (51 entries); see the file' in html
    uneven = rows_table([_row("sgd", "sgd", 50), _row("adam", "adam", 1999)])
    assert "path, values: a list per row (51 to 2,000 entries)" in uneven


def test_a_column_repeating_the_one_before_it_in_every_row_is_a_note():
    html = rows_table([_row("sgd", "sgd", 3), _row("adam", "adam", 3)])
    assert ">rule<" not in html.split("</thead>")[0]
    assert '<p class="note">rule: the same as optimizer in every row</p>' in html
    alias = rows_table([_row("nesterov", "sgd", 3), _row("adam", "adam", 3)])
    assert ">rule<" in alias.split("</thead>")[0] and "the same as" not in alias


def test_columns_of_nulls_short_lists_or_text_stay_columns():
    rows = [
        {"steps_to_tol": None, "diverged_at": None, "start": [-7.0, 2.0],
         "warnings": ["the best value is at the high edge of the range; it may lie past it"]},
        {"steps_to_tol": None, "diverged_at": None, "start": [-7.0, 2.0], "warnings": []},
    ]  # fmt: skip
    head = rows_table(rows).split("</thead>")[0]
    for column in ("steps_<wbr>to_<wbr>tol", "diverged_<wbr>at", "start", "warnings"):
        assert f">{column}</th>" in head, column
    assert "a list per row" not in rows_table(rows) and "the same as" not in rows_table(rows)


def test_a_list_of_text_in_a_cell_is_its_text_not_its_size():
    """A tune's rounds table said '1 entry' for a round's warning, hiding what it warned of."""
    from nnlab.report.values import cell

    warning = "the top 5 (--top-k) are all 4 ranked trials so far: the next ranges span them all"
    assert cell([warning]) == f'<td class="long">{warning}</td>'
    assert cell(["a", "b"]) == "<td>a; b</td>"
    assert cell(["x" * 300, "y" * 300]).endswith("; " + "y" * 97 + "…</td>")  # (400 in all)


@pytest.mark.parametrize(
    "spelled",
    ["loguniform:{}:{}", "{} .. {}"],  # (as a tune writes a range; as one before wrote it)
)
def test_a_tunes_ranges_sort_by_their_low_end_not_as_text(spelled):
    """A tune's searched and proposed ranges ('loguniform:1e-06:0.01') sorted as text:
    1.23e-05 before 1e-06 before 2.06e-08, 7.99e-08 last. A range's cell sorts by its low end."""
    import re

    ends = [("1.23138e-05", "0.000164974"), ("1e-06", "0.01"), ("7.98959e-08", "6.30672e-06"),
            ("2.05976e-08", "1e-05")]  # fmt: skip
    html = rows_table([{"searched": spelled.format(*e)} for e in ends])
    keys = [float(v) for v in re.findall(r'<td data-v="([^"]+)">', html)]
    assert keys == [1.23138e-05, 1e-06, 7.98959e-08, 2.05976e-08]
    assert "<td>two .. words</td>" in rows_table([{"note": "two .. words"}])
    assert "<td>a:b:c</td>" in rows_table([{"note": "a:b:c"}])
