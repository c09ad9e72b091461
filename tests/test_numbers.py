"""nnlab.numbers: a measured number to its significant digits."""

from __future__ import annotations

import math

import pytest

from nnlab.numbers import Significant, column_format, significant
from nnlab.output import table_text, to_csv


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (8555.049562, "8555"),
        (175.482292, "175.5"),
        (3.959162, "3.959"),
        (0.498837, "0.4988"),
        (0.039126, "0.03913"),
        (-0.001561, "-0.001561"),
        (5.799e-4, "5.799e-04"),
        (13540.2, "1.354e+04"),
        (9999.6, "1.000e+04"),  # (rounded over the band's edge)
        (0.00099996, "0.001000"),
        (0.99996, "1.000"),
        (0.0, "0"),
        (-0.0, "0"),
        (math.inf, "inf"),
        (math.nan, "nan"),
    ],
)
def test_significant_shows_four_digits(value, text):
    assert significant(value) == text


def test_a_significant_column_is_not_widened_to_six_decimals_but_csv_keeps_every_digit():
    rows = [{"mean": Significant(8555.049562)}, {"mean": Significant(0.002574123)}]
    assert column_format(rows, "mean") is None
    text = table_text(rows)
    assert "8555 " in text and "0.002574 " in text and "8555.0" not in text
    assert to_csv(rows).splitlines()[1:] == ["8555.049562", "0.002574123"]


def test_a_column_goes_to_six_decimals_only_where_every_number_is_under_ten():
    """6 decimals align a column of small numbers (an ``acc_gap`` of -0.003630 beside 0.0155);
    beside a number of 10 or more they are more digits than a float32 holds: each number
    keeps its own format (8555.0496, 0.002574), in every table, not the activations' alone."""
    gaps = [{"acc_gap": -0.00363}, {"acc_gap": 0.0155}, {"acc_gap": 9.5}]
    assert column_format(gaps, "acc_gap") == ".6f"
    assert "0.015500" in table_text(gaps) and "9.500000" in table_text(gaps)
    plain = [{"mean": 8555.049562}, {"mean": 0.002574123}]
    assert column_format(plain, "mean") is None
    text = table_text(plain)
    assert "8555.0496 " in text and "0.002574 " in text and "8555.049562" not in text


def test_a_column_of_decimals_and_scientific_numbers_reads_in_one_of_them():
    # (compare-optimizers' losses read 0.1131 beside 9.894e-05; a value of 13537.74 beside
    # 0.5000): scientific for all where 6 decimals would not show each to 3 digits
    losses = [{"loss": 0.1131}, {"loss": 9.894e-05}]
    assert column_format(losses, "loss") == ".3e"
    assert "1.131e-01" in table_text(losses) and "9.894e-05" in table_text(losses)
    assert column_format([{"x": 13537.74}, {"x": 0.5}], "x") == ".3e"
    assert column_format([{"x": 3e-05}, {"x": 2e-05}], "x") is None  # (already one format)
    assert column_format([{"x": 0.0033}, {"x": 0.0}], "x") == ".6f"  # (the zero as 0.000000)


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
