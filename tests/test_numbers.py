"""nnlab.numbers: a column's one format, a config value and a count as they are written."""

from __future__ import annotations

import pytest

from nnlab.numbers import column_format
from nnlab.output import table_text


def test_a_column_goes_to_six_decimals_where_its_smallest_number_needs_them():
    """6 decimals align a column of small numbers (a change of -0.003630 beside 0.0155);
    beside a number of 1,000 or more no more decimals than 9 digits in all leave (more than
    a float32 holds): 8555.04956 beside 0.00257, in one format, not 8555.0496 beside 0.002574."""
    gaps = [{"change": -0.00363}, {"change": 0.0155}, {"change": 9.5}]
    assert column_format(gaps, "change") == ".6f"
    assert "0.015500" in table_text(gaps) and "9.500000" in table_text(gaps)
    plain = [{"mean": 8555.049562}, {"mean": 0.002574123}]
    assert column_format(plain, "mean") == ".5f"
    text = table_text(plain)
    assert "8555.04956 " in text and "0.00257 " in text and "8555.049562" not in text


def test_an_outlier_leaves_a_columns_ordinary_numbers_in_decimals():
    # (compare-optimizers' xcospi values read -1.047e+00 beside -1.711e+04, its batch losses
    # 1.131e-01 beside 9.894e-05: the one outlier put the whole column in scientific notation)
    values = [{"v": -1.047}, {"v": -0.1786}, {"v": 0.4245}, {"v": -17113.75}]
    assert column_format(values, "v") == ".4f"
    assert "-1.0470 " in table_text(values) and "-17113.7500 " in table_text(values)
    losses = [{"loss": 0.1131}, {"loss": 9.894e-05}]
    assert column_format(losses, "loss") == ".7f"  # (the smallest to 3 significant digits)
    assert "0.1131000 " in table_text(losses) and "0.0000989 " in table_text(losses)
    assert column_format([{"x": 3e-05}, {"x": 2e-05}], "x") is None  # (already one format)
    assert column_format([{"x": 0.0033}, {"x": 0.0}], "x") == ".6f"  # (the zero as 0.000000)


@pytest.mark.parametrize(
    "values",
    [
        [0.5, 9.9e-06],  # (under 0.00001: 0.0000099 is 2 digits, 5 zeros to count)
        [0.5, 2.5e06],  # (1,000,000 or more: 7 digits to count before the point)
        [167.2, -3.417e-05],  # (an lr-scan's step_change: 10 digits for the smallest's 3)
    ],
)
def test_a_column_is_in_scientific_notation_only_where_decimals_cannot_show_it(values):
    rows = [{"x": v} for v in values]
    assert column_format(rows, "x") == ".3e"
    assert all(f"{v:.3e} " in table_text(rows) for v in values)


# (lr-scan's lr column read 100000000.0, a tune's range 0.0001 .. 100000000.0; lr-scan's
# 1.0 and 10.0, an lr-scan's --min -3 as -3.0: no one types those)
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e8, "1e+08"),
        (-1e8, "-1e+08"),
        (1e5, "1e+05"),
        (1.5e6, "1.5e+06"),
        (250000.0, "250000"),  # (its scientific spelling, 2.5e+05, is the longer)
        (10000.0, "10000"),  # (below 1e5: in decimals, the mirror of 0.0001)
        (10.0, "10"),
        (-3.0, "-3"),
        (1e-05, "1e-05"),
        (0.5, "0.5"),
        (-0.0, "0"),
        (0.0, "0"),
    ],
)
def test_a_config_value_is_spelled_as_a_user_types_it(value, text):
    from nnlab.numbers import config_number

    assert config_number(value) == text


def test_a_count_and_a_part_of_a_whole_group_their_thousands():
    # (landscape's points read 2601/2601 beside its '2,652 points'; runs list's 1831/2000)
    from nnlab.numbers import count_text, of_total

    assert count_text(2601) == "2,601" and count_text(999) == "999" and count_text(0) == "0"
    assert of_total(2601, 2601) == "2,601/2,601" and of_total(3, 51) == "3/51"


def test_a_table_writes_a_count_grouped_but_a_config_value_or_seed_as_typed():
    # (gradcheck's table read entries 6400 and timed 2000 under 'whose 6,400 entries are timed
    # on 2,000'; compare-optimizers' steps 2000 under its '2,000 iterations')
    from nnlab.output import record_lines, table_cell

    assert table_cell(6400, "entries") == "6,400" and table_cell(2000, "steps") == "2,000"
    assert table_cell(1037669209, "seed") == "1037669209"
    assert table_cell(10000, "dataset.n_train") == "10000"  # (as the user writes it)
    assert table_cell(True, "count") == "true" and table_cell(12, "epochs") == "12"
    rows = [{"round": 1200, "loss": 0.5}]
    assert record_lines(rows, width=40)[0] == "round 1,200"  # (a number heading a record)
    text = table_text([{"run": "a", "epochs": 12000}, {"run": "b", "epochs": 7}])
    assert "12,000 │" in text and "     7 │" in text  # (right-aligned, as any number)
