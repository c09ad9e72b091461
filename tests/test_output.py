"""Tables on any terminal: ids and numbers whole, text folded no narrower than TEXT_MIN, a
terminal too narrow for that gets one record per row; a file or a pipe gets the full table."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from nnlab.output import (
    TEXT_MIN,
    fit_text,
    number,
    print_table,
    record_lines,
    render_table,
    spelled,
    table_text,
    to_csv,
)

ROWS = [
    {"run": "20261203-121330-compare-optimizers-1d5473", "kind": "compare-optimizers",
     "name": None, "status": "INTERRUPTED", "epochs": None, "started": "2026-12-03 12:13:30"},
    {"run": "20261203-121332-lr-scan-digits-quickstart-d0cfea", "kind": "lr-scan",
     "name": "digits-quickstart", "status": "COMPLETED", "epochs": 2,
     "started": "2026-12-03 12:13:32"},
]  # fmt: skip


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def printed(monkeypatch, columns: int, file: io.StringIO) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    print_table(ROWS, title="runs in runs", file=file)
    return file.getvalue()


def test_a_narrow_terminal_gets_one_record_per_row(monkeypatch):
    text = printed(monkeypatch, 80, Terminal())
    lines = text.splitlines()
    assert lines[0] == "runs in runs"
    assert lines[1:] == record_lines(ROWS, width=80)
    assert lines[1] == ROWS[0]["run"] and lines[3] == ROWS[1]["run"]
    assert (
        lines[2] == "    kind compare-optimizers   status INTERRUPTED   started 2026-12-03 12:13:30"
    )
    assert all(len(line) <= 80 for line in lines) and "…" not in text


def test_a_wide_terminal_gets_the_table(monkeypatch):
    text = re.sub(r"\x1b\[[0-9;]*m", "", printed(monkeypatch, 200, Terminal()))  # (no colour)
    assert "┃ run " in text and f"│ {ROWS[1]['run']} " in text and "│ compare-optimizers │" in text


@pytest.mark.parametrize("columns", [40, 80])
def test_a_pipe_gets_the_full_table_whatever_columns_says(monkeypatch, columns):
    text = printed(monkeypatch, columns, io.StringIO())
    assert f"│ {ROWS[1]['run']} " in text and "│ compare-optimizers │" in text and "…" not in text


def test_text_folds_no_narrower_than_text_min_and_ids_and_numbers_not_at_all():
    table = render_table([*ROWS, {"run": "r", "kind": "a long note " * 3}])
    widths = {c.header: c.min_width for c in table.columns}
    assert widths["run"] == len(ROWS[1]["run"]) and widths["epochs"] == len("epochs")
    assert widths["kind"] == len("compare-optimizers") and widths["status"] == len("INTERRUPTED")
    table = render_table([{"note": "a b c d e f g h i j k l m n o p q r s t u v w x y z"}])
    assert table.columns[0].min_width == TEXT_MIN and not table.columns[0].no_wrap


def test_a_name_or_a_short_value_in_a_table_is_never_broken(monkeypatch):
    # (gradcheck's layer column read "StackedDropout/m" and "ask" at 80 columns, config keys'
    # "optimizer.momentu" and "m" at 100, tune's ranges "3.44e-06 .." and "0.318")
    rows = [{"layer": "StackedDropout/mask", "param": "x", "shape": "8x5", "checked": "40",
             "max_rel_error": 1.5e-11, "kinks": 0, "verdict": "pass"},
            {"layer": "Affine", "param": "W", "shape": "5x4", "checked": "20",
             "max_rel_error": 1.5e-11, "kinks": 0, "verdict": "pass"}]  # fmt: skip
    for columns in (80, 83, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        print_table(rows, file=(shown := Terminal()))
        text = re.sub(r"\x1b\[[0-9;]*m", "", shown.getvalue())
        assert "StackedDropout/mask" in text and all(len(t) <= columns for t in text.splitlines())
    ranges = [{"round": 1, "key": "optimizer.lr", "searched": "1e-06 .. 1", "best": 0.49,
               "proposed": "3.44e-06 .. 0.318", "edge": "high", "note": "x " * 20}]  # fmt: skip
    monkeypatch.setenv("COLUMNS", "100")
    print_table(ranges, file=(shown := Terminal()))
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown.getvalue())
    assert "│ 3.44e-06 .. 0.318 │" in text and "┃ round" in text


def test_a_pair_longer_than_the_width_stands_alone_and_an_empty_cell_has_none():
    lines = record_lines([{"run": "r1", "note": "x" * 30, "when": "", "n": 1}], width=20)
    assert lines == ["r1", "    note", "        " + "x" * 30, "    n 1"]


def test_a_record_headed_by_a_number_names_its_column():
    # (a tune's ranges on a narrow terminal read "1" over each record, an lr-scan's "0.001":
    # a number alone, which reads as a count; an id or a name stays alone, to be copied)
    ranges = [{"round": 1, "key": "optimizer.lr", "best": 0.002}]
    assert record_lines(ranges, width=40)[0] == "round 1"
    assert fit_text(table_text(ranges), 20).splitlines()[0] == "round 1"  # (runs show's)
    assert record_lines([{"lr": 0.001, "step_loss": 2.5}], width=20)[0] == "lr 0.001"
    assert record_lines([{"run": "123456", "n": 1}], width=8)[0] == "123456"
    assert record_lines([{"activation": "relu", "n": 1}], width=8)[0] == "relu"


def test_a_record_leaves_out_cells_without_a_value_and_folds_long_text_at_its_spaces():
    # (activations' sigmoid rows read "zero -   dead_units -"; a long meaning in config keys
    # ran past the terminal's edge, which broke it inside a word)
    rows = [{"activation": "sigmoid", "mean": 0.5, "zero": None, "dead_units": None,
             "meaning": "seed of the split (not the run's seed): every run sees the same samples"}]  # fmt: skip
    lines = record_lines(rows, width=40)
    assert lines == ["sigmoid", "    mean 0.5000", "    meaning seed of the split (not the",
                     "        run's seed): every run sees the", "        same samples"]  # fmt: skip


def test_a_title_on_a_narrow_terminal_folds_at_its_spaces_and_keeps_an_id_whole(monkeypatch):
    title = f"{ROWS[1]['run']}: COMPLETED: final accuracy with (bn) and without (nobn) BatchNorm"
    monkeypatch.setenv("COLUMNS", "80")
    print_table(ROWS, title=title, file=(shown := Terminal()))
    lines = shown.getvalue().splitlines()
    assert lines[:2] == [f"{ROWS[1]['run']}: COMPLETED: final accuracy with",
                         "  (bn) and without (nobn) BatchNorm"]  # fmt: skip
    print_table(ROWS, title=title, file=(piped := io.StringIO()))
    assert piped.getvalue().splitlines()[0] == title


def test_as_labels_docstring_examples_are_what_it_writes():
    """Its docstring said a float keeps its ``10.0``, where it writes ``10`` (as the tables
    do): its examples are run, so the two cannot part again."""
    import doctest

    from nnlab import output

    (test,) = doctest.DocTestFinder().find(output.as_label, globs=vars(output))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=lambda text: None)
    assert result.attempted >= 3 and result.failed == 0


def test_as_label_spells_config_values_and_floats_as_the_tables_do():
    from nnlab.output import as_label, config_number

    # (it wrote .3g: a trial's progress line and legend read 0.000112 beside its table row's
    # 0.0001119, and 0 and 10 beside 0.0 and 10.0)
    assert as_label("optimizer.lr", 0.00011193051234) == "optimizer.lr=0.000111931"
    for value in (0.00011193051234, 0.0, 10.0, 1e-05, 0.09151839201837465):
        assert as_label("k", value) == f"k={config_number(value)}"
    assert as_label("model.batchnorm", True) == "model.batchnorm=true"
    assert as_label("model.hidden", [50, 20]) == "model.hidden=[50, 20]"
    assert as_label("dataset.n_train", None) == "dataset.n_train=null"


def test_counted_is_singular_for_one_only():
    # ("1 runs" titled `runs compare` of one run; the sweep's folder line said "1 trials")
    from nnlab.output import counted

    assert [counted(n, "run") for n in (0, 1, 2)] == ["0 runs", "1 run", "2 runs"]
    assert (
        counted(1, "entry", "entries") == "1 entry"
        and counted(2, "class", "classes") == "2 classes"
    )
    assert counted("1", "byte") == "1 byte" and counted("1,024", "byte") == "1,024 bytes"


def test_counted_writes_a_count_with_thousands_separators_as_the_counts_beside_it():
    # ("100 rounds of 10000 trials = 1,000,000 trials", "for 1000000 epochs is 1,500,000,000
    # steps": one line wrote its counts two ways; gradcheck's "all 17610 parameters")
    from nnlab.output import counted

    assert counted(17610, "parameter") == "17,610 parameters"
    assert counted(1000, "epoch") == "1,000 epochs" and counted(999, "epoch") == "999 epochs"
    assert counted(-1, "epoch") == "-1 epochs"


# Words ending in "s" that may follow a formatted value and are no count's noun.
NOT_NOUNS = {"is", "has", "was", "does", "holds", "needs", "names", "says", "looks", "makes"}
NOT_NOUNS |= {"matches", "contains", "leaves", "changes", "pass", "loss", "s", "ms", "its"}
NOT_NOUNS |= {"this", "as", "goes"}
# Nouns after a value that is no count, or a count that cannot be 1, with the reason.
ALWAYS_PLURAL = {
    ("nnlab/lookup.py", "what", "folders"): "a kind of folder ('no sweep folders yet')",
    ("nnlab/provenance.py", "lib['architecture']", "kernels"): "a CPU's name ('SkylakeX kernels')",
    ("nnlab/data/fetch.py", "part.X.dtype", "images"): "a dtype ('uint8 images')",
    ("nnlab/data/dataset.py", "part", "labels"): "a split's name ('digits train labels')",
    ("nnlab/data/mnist.py", "test.size[1]", "pixels"): "an image size ('28x28 pixels')",
}


def _count_phrases():
    r"""(file, formatted expression, the word after it) of every f-string in nnlab that writes
    a value and then a plural noun, or a noun with "(s)": ``f"{n} trials"``. An UPPER_CASE
    constant (a limit, never 1) and values written out before the noun are let through."""
    import ast

    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "nnlab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.JoinedStr):
                continue
            for value, text in zip(node.values, node.values[1:]):
                if not (isinstance(value, ast.FormattedValue) and isinstance(text, ast.Constant)):
                    continue
                words = re.match(r" (more |training |start )?([a-z]+(?:\(s\)|\b))", text.value)
                expr = ast.unparse(value.value)
                if not words or re.fullmatch(r"[A-Z_]+", expr):
                    continue
                word = words.group(2)
                if word.endswith("(s)") or (word.endswith("s") and word not in NOT_NOUNS):
                    yield str(path.relative_to(root)), expr, word


def test_every_count_phrase_goes_through_counted():
    # ("1 of 1 trials FAILED", "1 samples but ... has 2 labels": counts written by hand)
    found = [p for p in _count_phrases() if p not in ALWAYS_PLURAL]
    assert not found, f"write these counts with output.counted (or allowlist them): {found}"
    assert all(p in set(_count_phrases()) for p in ALWAYS_PLURAL), "a stale allowlist entry"
    by_hand = [  # (the other way to write one: f"{n} epoch{'' if n == 1 else 's'}")
        str(path) for path in Path(__file__).resolve().parents[1].joinpath("nnlab").rglob("*.py")
        if re.search(r"""else ['"]s['"]""", path.read_text())
    ]  # fmt: skip
    assert not by_hand, f"plurals made by hand: {by_hand}"


def test_verb_agrees_with_its_count():
    # ("1 of 12 labels are not class indices": the count is the subject, not the total)
    from nnlab.output import counted, verb

    said = [f"{n} of {counted(12, 'label')} {verb(n, 'is', 'are')} bad" for n in (1, 2)]
    assert said == ["1 of 12 labels is bad", "2 of 12 labels are bad"]
    assert verb("1", "does", "do") == "does" and verb(0, "was", "were") == "were"


# Verbs whose form depends on their subject's number, as messages write them after a count.
VERBS = {"is", "are", "was", "were", "has", "have", "does", "do", "isn't", "aren't", "wasn't",
         "weren't", "doesn't", "don't", "needs", "need", "remains", "remain", "lies", "lie",
         "differs", "differ", "fails", "fail", "exceeds", "exceed", "holds", "hold"}  # fmt: skip
# Where the count's clause ends: what follows has a subject of its own ("... but y has 3").
CLAUSE_END = r"[,;:()\[\]]|\b(?:but|and|or|while|where|which|that|when|if|than|since)\b"


def _verbs_after_counts():
    r"""(file, counted expression, the verb) of every f-string in nnlab that writes a count and
    then, in the same clause, a verb by hand: ``f"{n} of {counted(m, 'label')} are not"`` is
    wrong for n = 1 (and "is" for any other n). ``output.verb`` picks it from the count."""
    import ast

    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "nnlab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.JoinedStr):
                continue
            for i, value in enumerate(node.values):
                expr = ast.unparse(value.value) if isinstance(value, ast.FormattedValue) else ""
                if not expr.startswith("counted("):
                    continue
                rest = "".join(
                    v.value if isinstance(v, ast.Constant) else "{}" for v in node.values[i + 1 :]
                )
                clause = re.split(CLAUSE_END, rest, maxsplit=1)[0]
                for word in re.findall(r"[a-z']+", clause):
                    if word in VERBS:
                        yield str(path.relative_to(root)), expr, word


def test_a_verb_after_a_count_agrees_with_it():
    found = list(_verbs_after_counts())
    assert not found, f"make these verbs agree with their count (output.verb): {found}"


def test_cells_and_titles_are_shown_as_written_not_as_rich_markup_or_emoji():
    # (`nnlab config keys` showed "logspace🅰b:n" for "logspace:a:b:n"; a cell "[train, test]"
    # was taken for a style and vanished)
    import io

    buf = io.StringIO()
    cells = {"help": "a range (logspace:a:b:n)", "eval": "[train, test]", "tag": "[bold]x[/bold]"}
    print_table([cells], title="[b]runs[/b] :a:", file=buf, width=200)
    text = buf.getvalue()
    assert "[b]runs[/b] :a:" in text
    for value in cells.values():
        assert value in text, (value, text)


# ----------------------------------------------------------------------------- config values
CONFIG_ROWS = [
    {"trial": "a", "model.batchnorm": True, "dataset.n_train": None, "eval": ["train", "test"],
     "final_test_acc": 0.5},
    {"trial": "b", "model.batchnorm": False, "dataset.n_train": 100, "eval": ["train"],
     "final_test_acc": None},
]  # fmt: skip


def test_tables_spell_config_values_as_yaml_does():
    text = table_text(CONFIG_ROWS)
    assert "True" not in text and "False" not in text and "None" not in text and "'" not in text
    a, b = (line.split("│")[1:-1] for line in text.splitlines() if line.startswith("│"))
    assert [c.strip() for c in a] == ["a", "true", "null", "[train, test]", "0.5000"]
    assert [c.strip() for c in b] == ["b", "false", "100", "[train]", "-"]  # (no metric: -)
    assert "model.batchnorm true" in "\n".join(record_lines(CONFIG_ROWS))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.9966, "0.9966"), (2663.7612, "2663.7612"), (0.001, "0.001000"), (9999.5, "9999.5000"),
        # (below 0.01, 4 significant digits: 0.001561 read 0.0016)
        (0.001561, "0.001561"), (-0.004439, "-0.004439"), (0.009999, "0.009999"),
        (0.01, "0.0100"), (0.0123, "0.0123"),
        (-17113.75, "-1.711e+04"), (13537.7405, "1.354e+04"), (10000.0, "1.000e+04"),
        (9.152e5, "9.152e+05"), (5.799e-4, "5.799e-04"), (-1.432e-12, "-1.432e-12"),
        (0.0, "0.0000"), (-0.0, "0.0000"), (float("nan"), "nan"), (float("-inf"), "-inf"),
        # (rounded over an edge, in the rounded value's format: 0.010000, 10000.0000, 1.000e-03)
        (0.0099999, "0.0100"), (-9999.99999, "-1.000e+04"), (0.00099996, "0.001000"),
    ],
)  # fmt: skip
def test_a_number_has_4_decimals_from_0_01_to_ten_thousand_else_4_significant_digits(value, shown):
    # (compare-optimizers printed xcospi's -17113.7500: float32 noise in the last digits)
    assert number(value) == shown


def test_a_table_column_of_large_and_small_numbers_reads_all_in_scientific_notation():
    # (it read 0.4588 beside 1.354e+04 and 1.019e-05: a format per magnitude in one column)
    text = table_text([{"std": 0.4588}, {"std": 13537.7405}, {"std": 1.019e-05}])
    assert [line.split("│")[1].strip() for line in text.splitlines() if "│" in line] == [
        "4.588e-01", "1.354e+04", "1.019e-05"
    ]  # fmt: skip


def test_a_config_key_a_row_lacks_is_a_dash_not_null_and_keeps_its_place_in_csv():
    # (runs compare showed dataset.noise: null for a digits run beside a spiral run)
    rows = [{"run": "digits", "dataset.n_test": None, "status": "COMPLETED"},
            {"run": "spiral", "dataset.n_test": None, "dataset.noise": 0.2,
             "status": "COMPLETED"}]  # fmt: skip
    a, b = (line.split("│")[1:-1] for line in table_text(rows).splitlines() if line[0] == "│")
    assert [c.strip() for c in a] == ["digits", "null", "-", "COMPLETED"]
    assert [c.strip() for c in b] == ["spiral", "null", "0.2", "COMPLETED"]
    assert "dataset.noise" not in record_lines(rows)[1]  # (no value: left out of a record)
    assert to_csv(rows).splitlines() == [
        "run,dataset.n_test,dataset.noise,status",
        "digits,,,COMPLETED",
        "spiral,,0.2,COMPLETED",
    ]


def test_csv_spells_booleans_and_lists_as_yaml_does():
    lines = to_csv(CONFIG_ROWS).splitlines()
    assert lines[1:] == ['a,true,,"[train, test]",0.5', "b,false,100,[train],"]


def test_spelled_is_what_an_override_would_write():
    assert [spelled(v) for v in (True, None, [50, 20], {"name": "adam"}, 0.1, "relu")] == [
        "true", "null", "[50, 20]", "{name: adam}", "0.1", "relu"]  # fmt: skip


def test_text_with_a_table_too_wide_for_the_terminal_gets_its_rows_as_records(monkeypatch):
    # (runs show printed summary.txt's tables at full width on any terminal)
    from nnlab.output import fit_text, print_text

    text = "a title\n" + table_text(ROWS, title="runs in runs") + "a last line\n"
    assert fit_text(text, 1000) == text
    fitted = fit_text(text, 80).splitlines()
    assert fitted == ["a title", "runs in runs", *record_lines(ROWS, width=80), "a last line"]
    monkeypatch.setenv("COLUMNS", "80")
    assert print_text(text, file=Terminal()) is None
    shown, piped = Terminal(), io.StringIO()
    print_text(text, file=shown)
    print_text(text, file=piped)
    assert shown.getvalue().splitlines() == fitted and piped.getvalue() == text


def test_a_table_fit_text_cannot_read_is_left_as_it_is():
    from nnlab.output import fit_text

    folded = table_text([{"run": "r1", "note": "x"}]).replace("│ r1 ", "│    ")
    assert fit_text(folded, 5) == folded  # (a row without its id: a cell's second line)
    torn = "┏━━┓\n┃ a ┃\n"
    assert fit_text(torn, 2) == torn


def test_a_small_statistic_keeps_4_significant_digits_in_a_table_and_a_record():
    # (runs show, tune's table: a std of 0.001561 read 0.0016)
    rows = [{"run": "a", "grad_std": 0.001561}, {"run": "b", "grad_std": 0.4588}]
    cells = [line.split("│")[2].strip() for line in table_text(rows).splitlines() if "│" in line]
    assert cells == ["0.001561", "0.458800"]  # (one column, one format: below)
    assert record_lines(rows, width=40)[1].split() == ["grad_std", "0.001561"]


def test_a_column_of_signed_differences_reads_in_one_format():
    # (runs compare's acc_gap read -0.003630 beside 0.0155, and 3.367e-04 beside -0.013798:
    # the points not aligned, two formats in one column; a loss's change alike)
    rows = [{"run": "a", "change": -0.00363}, {"run": "b", "change": 0.0155},
            {"run": "c", "change": 0.0}, {"run": "d", "change": 3.367e-04}]  # fmt: skip
    cells = [line.split("│")[2].strip() for line in table_text(rows).splitlines() if "│" in line]
    assert cells == ["-0.003630", "0.015500", "0.000000", "0.000337"]
    assert record_lines(rows, width=40)[3].split() == ["change", "0.015500"]
    # (one under 0.0001: 7 decimals show it to 3 digits, the others still as decimals; one
    # under 0.00001 would take 8, and puts all in scientific notation)
    tiny = [*rows[:3], {"run": "d", "change": 2.5e-05}]
    cells = [line.split("│")[2].strip() for line in table_text(tiny).splitlines() if "│" in line]
    assert cells == ["-0.0036300", "0.0155000", "0.0000000", "0.0000250"]
    tinier = [*rows[:3], {"run": "d", "change": 2.5e-06}]
    cells = [line.split("│")[2].strip() for line in table_text(tinier).splitlines() if "│" in line]
    assert cells == ["-3.630e-03", "1.550e-02", "0.000e+00", "2.500e-06"]
    plain = [{"change": 0.0155}, {"change": -0.25}]  # (no value needs 6: number's 4)
    assert [line.split("│")[1].strip() for line in table_text(plain).splitlines()
            if "│" in line] == ["0.0155", "-0.2500"]  # fmt: skip


def test_an_accuracy_a_gap_of_two_and_a_share_read_in_4_decimals_in_every_table():
    # (runs compare's acc_gap read -0.013798 beside accuracies 0.9660 and 0.9798 in one
    # table, 0.0155 in another, 3.367e-04 in a third: its format went with its smallest gap)
    for gaps, cells in [
        ([-0.013798, -0.004963], ["-0.0138", "-0.0050"]),
        ([0.0155, 0.25], ["0.0155", "0.2500"]),
        ([3.367e-04, 0.0, -2.5e-06], ["0.0003", "0.0000", "0.0000"]),  # (no -0.0000)
    ]:
        rows = [
            {"run": str(i), "final_test_acc": 0.005 * i, "acc_gap": g} for i, g in enumerate(gaps)
        ]
        lines = [line.split("│") for line in table_text(rows).splitlines() if "│" in line]
        assert [line[3].strip() for line in lines] == cells
        assert [line[2].strip() for line in lines][:2] == ["0.0000", "0.0050"]  # (not 0.005000)
    # (activations' shares read 0.6389000 beside 0.0000010, with a mean in another table's
    # format; a share reads as an accuracy does)
    rows = [{"mean": 0.5, "saturated": 0.6389, "zero": None, "dead_units": None},
            {"mean": 1e-6, "saturated": 1e-6, "zero": 0.52311, "dead_units": 0.01}]  # fmt: skip
    lines = [line.split("│")[1:5] for line in table_text(rows).splitlines() if "│" in line]
    assert [[cell.strip() for cell in line] for line in lines] == [
        ["5.000e-01", "0.6389", "-", "-"],
        ["1.000e-06", "0.0000", "0.5231", "0.0100"],
    ]
    rows = [{"optimizer": "sgd", "test acc": 0.0042, "test loss": 0.0042}]
    cells = table_text(rows).splitlines()[3].split("│")[2:4]
    assert [cell.strip() for cell in cells] == ["0.0042", "0.004200"]  # (a loss: number's)


def test_a_config_value_is_spelled_as_the_user_writes_it_in_every_table():
    # (lr-scan's lr column read 1.000e-05 beside 10.0000 and its progress 1.0e+01; runs compare
    # showed weight_decay 0.0000; a value a search drew keeps the 6 digits that tell it apart)
    from nnlab.experiments.lr_scan import training_line
    from nnlab.output import config_number, table_text

    assert [config_number(v) for v in (1e-05, 10.0, 0.007025, 0.0, 0.09151839201837465)] == [
        "1e-05", "10", "0.007025", "0", "0.0915184"
    ]  # fmt: skip
    assert config_number(1234.5678) == "1234.57"
    assert config_number(123456.78) == "123457"  # (cut: not a 123457.0 that reads as exact)
    rows = [{"lr": 1e-05, "weight_decay": 0.0, "optimizer.lr": 0.007025, "train_loss": 1e-05},
            {"lr": 10.0, "weight_decay": 0.1, "optimizer.lr": 10.0, "train_loss": 10.0}]  # fmt: skip
    text = table_text(rows)
    cells = [line.split("│")[1:-1] for line in text.splitlines() if line.startswith("│")]
    assert [[c.strip() for c in row] for row in cells] == [
        ["1e-05", "0", "0.007025", "0.0000100"],
        ["10", "0.1", "10", "10.0000000"],
    ]  # (a measured number: output.number, in its column's one format)
    assert training_line(10.0, "COMPLETED", [{"epoch": 1, "train_loss": 0.5}]).startswith(
        "lr 10: COMPLETED"
    )
    # (the weight-scale table's weight_scale read 1.0000, 0.0858 and 6.310e-04 beside the
    # trials' model.init_std 1.0, 0.08577 and 0.000631: the same init stds)
    scales = [1.0, 0.08576958985908945, 0.0006309573444801936]
    rows = [{"weight_scale": s, "model.init_std": s} for s in scales]
    cells = [line.split("│")[1:-1] for line in table_text(rows).splitlines() if "│" in line]
    assert [[c.strip() for c in row] for row in cells] == [
        ["1", "1"], ["0.0857696", "0.0857696"], ["0.000630957", "0.000630957"]
    ]  # fmt: skip


def test_config_values_a_user_writes_never_read_alike_nor_like_a_cut_one():
    # (cut to 4 digits, the 0.012345 one run was given read 0.01235, as another run's 0.01235
    # did; a drawn 0.1000004 read 0.1, as a run given 0.1)
    from nnlab.experiments.tune_search import Range
    from nnlab.output import config_number

    written = [0.012345, 0.01235, 0.1, 0.25, 3e-4, 0.000333, 0.123456, 1.5e-05, 12345.6]
    spelled = [config_number(v) for v in written]
    assert spelled == [repr(v) for v in written] and len(set(spelled)) == len(written)
    assert config_number(0.1000004) == "0.100000" and config_number(0.0123451234) == "0.0123451"
    # (a tune's range ends, narrowed, as its best value: the best read 0.03431 at an end 0.0343)
    r = Range("loguniform", 0.002713402, 0.034306081)
    assert r.end(r.high) == config_number(0.034306081) == "0.0343061"
    assert r.short() == "loguniform:0.00271340:0.0343061"


def test_text_that_yaml_reads_as_a_number_or_flag_is_spelled_quoted():
    # (a quoted '10' in model.hidden read [10] in its error, and a sweep trial given '0.1' was
    # named optimizer.lr=0.1: the spelling of the number, not of the text it was)
    from nnlab.output import spelled

    assert spelled(["10", 20]) == "['10', 20]" and spelled("0.1") == "'0.1'"
    assert [spelled(v) for v in ("yes", "", "~", "it's 5")] == ["'yes'", "''", "'~'", "it's 5"]
    assert [spelled(v) for v in ("relu", "full", 0.1, True, None)] == [
        "relu", "full", "0.1", "true", "null"
    ]  # fmt: skip


def test_a_duration_is_a_number_a_space_and_its_unit():
    # (train's epochs read '0.02s', a sweep's trials '(0.1s)', its folder line '0.7 s')
    from nnlab.times import duration

    assert [duration(s) for s in (0.72, 59.96, 65, 7380)] == [
        "0.7 s",
        "1 min 00 s",
        "1 min 05 s",
        "2 h 03 min",
    ]
    assert duration(None) == "" == duration(float("nan"))


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0.0, "0 ms"),
        (0.000402, "0.4 ms"),  # (gradcheck's analytic pass read 0.000402 s)
        (0.0153, "15 ms"),  # (train's epochs read 0.02 s)
        (0.04, "40 ms"),  # (a short trial read 0.0 s)
        (0.0999, "0.1 s"),
        (1.78, "1.8 s"),  # (compare-optimizers' seconds column read a bare 1.78)
        (12.3, "12 s"),
        (185, "3 min 05 s"),
    ],
)
def test_a_duration_reads_at_every_scale(seconds, text):
    from nnlab.times import duration

    assert duration(seconds) == text


def test_a_table_writes_its_seconds_as_durations_right_aligned_and_csv_the_seconds():
    # (a sweep's table and compare-optimizers' read a bare 1.78 under 'seconds')
    from nnlab.output import table_text

    rows = [{"trial": "t0", "seconds": 0.04}, {"trial": "t1", "seconds": 185.2}]
    body = [line.split("│")[2] for line in table_text(rows).splitlines() if line.startswith("│")]
    assert body == ["      40 ms ", " 3 min 05 s "]
    assert to_csv(rows).splitlines()[1:] == ["t0,0.04", "t1,185.2"]


def test_every_duration_seconds_goes_through_times_duration():
    # (a seconds value formatted by hand and glued to its unit: f"{s:.1f}s", f"({s:.2f}s)")
    root = Path(__file__).resolve().parents[1] / "nnlab"
    by_hand = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in root.rglob("*.py")
        for m in re.finditer(r"\{[^{}]*second[^{}]*:\.\d+f\} ?s\b", path.read_text())
        if path.name != "times.py"
    ]
    # (the dry run's estimates, rounded to what they are worth: '3.2 s', '40 s', '2 min', '24 h')
    by_hand = [found for found in by_hand if not found.startswith("sweep/preview.py")]
    assert not by_hand, f"write these with times.duration: {by_hand}"


def test_a_column_of_numbers_is_right_aligned_whatever_writes_them_and_text_left():
    # (gradcheck's checked, '40' or '10/40', was left-aligned beside its right-aligned kinks)
    from nnlab.output import table_text

    rows = [
        {"name": "a", "checked": "40", "kinks": 0, "epochs": "1,831/2,000", "shape": "8x5", "note": "-"},
        {"name": "bb", "checked": "10/400", "kinks": 12, "epochs": 3, "shape": "4", "note": "ok"},
    ]  # fmt: skip
    body = [line.split("│")[1:-1] for line in table_text(rows).splitlines() if line.startswith("│")]
    assert body == [
        [" a    ", "      40 ", "     0 ", " 1,831/2,000 ", " 8x5   ", " -    "],
        [" bb   ", "  10/400 ", "    12 ", "           3 ", " 4     ", " ok   "],
    ]


def test_a_record_is_headed_by_its_rows_name_before_an_id_column_after_it():
    # (data list's records on a narrow terminal were headed 'bundled with scikit-learn',
    # their location, the dataset's name inside them)
    rows = [{"dataset": "digits", "status": "available", "location": "bundled with scikit-learn"}]
    assert record_lines(rows, width=60)[0] == "digits"
    ranked = [{"rank": 1, "trial": "c3edb638", "final_val_acc": 0.5}]  # (a number: the id)
    assert record_lines(ranked, width=60)[0] == "c3edb638"


def test_a_cut_list_groups_the_thousands_of_what_it_shows_as_of_its_total():
    from nnlab.output import part_of

    assert part_of(1000, 2000, "run") == "top 1,000 of 2,000 runs"


def test_a_number_and_its_unit_are_never_folded_apart():
    # (sweep --dry-run at 80 columns ended a line in '8' and began the next with 'GB/s of')
    from nnlab.folding import fold_line

    line = ("dry run: the work limit counts it as 0.044 s of its 24 h (nominal rates: 100 "
            "GFLOP/s, 8 GB/s of elementwise passes, 0.1 ms a step or evaluation batch)")  # fmt: skip
    for width in range(30, 90):
        folded = fold_line(line, width)
        assert " ".join(" ".join(folded).split()) == line, width
        assert not any(re.search(r"\d$", f) for f in folded), (width, folded)


def test_a_progress_line_counts_and_times_in_one_shape(monkeypatch):
    # (a sweep's read '[3/16] ...', a tune's '  trial 3/16: ...', an lr-scan's and
    # compare-optimizers' counted nothing, and the sweep's bar timed 0:00:12)
    from nnlab import times

    clock = iter([100.0, 112.0, 112.0, 160.0])
    monkeypatch.setattr(times.time, "monotonic", lambda: next(clock))
    tally = times.Tally("trial", 16, done=1)  # (one kept from before: not this pace)
    assert tally.line(4, "t3 COMPLETED") == "trial 4/16, 12 s elapsed, ~48 s left: t3 COMPLETED"
    assert tally.head(1) == "trial 1/16, 12 s elapsed"  # (none ended here: no pace)
    assert tally.line(16, "t15") == "trial 16/16, 1 min 00 s elapsed: t15"  # (none left)


def test_the_time_left_is_paced_by_every_thing_ended_by_now(monkeypatch):
    """8 trials of a stack end together after 32 s; their lines come one after another: the
    first said '~7 min 54 s left' (15 more at 32 s each), where 8 more take ~32 s."""
    from nnlab import times

    monkeypatch.setattr(times.time, "monotonic", iter([0.0, 32.0, 32.0]).__next__)
    tally = times.Tally("trial", 16)
    assert tally.line(1, "a", ended=8) == "trial 1/16, 32 s elapsed, ~32 s left: a"
    assert tally.line(1, "a") == "trial 1/16, 32 s elapsed, ~8 min 00 s left: a"  # (no ended)
