"""DLFS activation histograms: the saturation / dead statistics, the textbook's conclusions
(sigmoid with std 1 saturates, He keeps ReLU's spread, std 0.01 vanishes), the run folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnlab.errors import ConfigError
from nnlab.experiments import activations as act


def by_setting(rows):
    out: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        out.setdefault((r["activation"], r["init"]), []).append(r)
    return out


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return act.activation_histograms(runs_dir=tmp_path_factory.mktemp("runs"))


def test_saturated_fraction_counts_sigmoid_ends_and_tanh_magnitude():
    a = np.array([0.005, 0.5, 0.995, 0.01])
    assert act.saturated_fraction(a, "sigmoid") == pytest.approx(0.5)
    t = np.array([-0.999, 0.0, 0.98, 0.995])
    assert act.saturated_fraction(t, "tanh") == pytest.approx(0.5)
    assert act.saturated_fraction(t, "relu") is None


def test_zero_fraction_counts_exact_relu_zeros_only():
    a = np.array([0.0, 0.0, 1e-12, 3.0])
    assert act.zero_fraction(a, "relu") == pytest.approx(0.5)
    assert act.zero_fraction(a, "sigmoid") is None


def test_dead_units_are_zero_for_every_input():
    a = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    assert act.dead_units(a, "relu") == pytest.approx(1 / 3)  # only the first unit is dead
    assert act.dead_units(a, "tanh") is None


def test_a_layers_std_is_its_spread_even_where_the_squares_overflow():
    # (relu x std1 over 100 layers of 3,000 units reaches ~1e158: np.std squared past 1e308 and
    # the table showed std inf, summary.json null, for a finite spread)
    import warnings

    out = np.array([[3e200, -1e200], [1e200, -3e200]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (row,) = act.layer_rows("tanh", "std1", [out])
    assert row["mean"] == 0.0 and row["std"] == pytest.approx(np.sqrt(5.0) * 1e200)
    small = np.array([[0.5, -1.0], [2.0, 0.25]])
    (plain,) = act.layer_rows("tanh", "std1", [small])
    assert (plain["mean"], plain["std"]) == (float(small.mean()), float(small.std()))


@pytest.mark.slow
def test_every_setting_has_one_row_per_layer(result):
    settings = by_setting(result.rows)
    assert len(settings) == 3 * 4
    assert all([r["layer"] for r in rows] == [1, 2, 3, 4, 5] for rows in settings.values())
    assert all(len(a) == 5 and a[0].shape == (1000, 100) for a in result.activations.values())


@pytest.mark.slow
def test_sigmoid_with_std_1_saturates_and_xavier_does_not(result):
    settings = by_setting(result.rows)
    assert all(r["saturated"] > 0.4 for r in settings[("sigmoid", "std1")])
    assert all(r["saturated"] < 0.01 for r in settings[("sigmoid", "xavier")])
    # std 0.01: nothing saturates, but everything sits near 0.5 (DLFS: no diversity)
    assert all(r["saturated"] == 0 and r["std"] < 0.03 for r in settings[("sigmoid", "std0.01")])


@pytest.mark.slow
def test_relu_with_he_keeps_the_std_while_xavier_and_std001_shrink_it(result):
    settings = by_setting(result.rows)
    he = [r["std"] for r in settings[("relu", "he")]]
    assert max(he) / min(he) < 1.3
    xavier = [r["std"] for r in settings[("relu", "xavier")]]
    assert xavier[-1] < 0.5 * xavier[0]
    small = [r["std"] for r in settings[("relu", "std0.01")]]
    assert small[-1] < 1e-4 * small[0]
    big = [r["std"] for r in settings[("relu", "std1")]]
    assert big[-1] > 100 * big[0]
    assert all(0.35 < r["zero"] < 0.65 for r in settings[("relu", "he")])


@pytest.mark.slow
def test_run_folder_holds_table_figure_and_meta(result):
    run = result.run
    assert run.meta["status"] == "COMPLETED" and run.meta["kind"] == "activations"
    summary = json.loads(run.file("summary.json").read_text())
    assert len(summary["rows"]) == 60 and summary["saturation"]["tanh"] == "|a| > 0.99"
    assert "saturated" in run.file("summary.txt").read_text()
    assert run.file("activations.png").stat().st_size > 10_000


@pytest.mark.slow
def test_a_setting_gives_the_same_numbers_whatever_else_is_chosen(result, tmp_path):
    alone = act.activation_histograms(["tanh"], ["he"], runs_dir=tmp_path)
    assert alone.rows == by_setting(result.rows)[("tanh", "he")]


def test_the_products_run_on_one_blas_thread_whatever_the_caller_set(tmp_path, monkeypatch):
    # The forward passes ran on the BLAS threads of the environment (OPENBLAS_NUM_THREADS=2:
    # other last digits in the table, units 600 x 2,000 samples) where every other experiment
    # pins one.
    from threadpoolctl import threadpool_info, threadpool_limits

    seen: list[set[int]] = []
    real = act.forward_activations

    def counting(*args, **kwargs):
        seen.append({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
        return real(*args, **kwargs)

    monkeypatch.setattr(act, "forward_activations", counting)
    with threadpool_limits(limits=2):
        act.activation_histograms(["relu"], ["he"], layers=2, units=8, samples=20,
                                  runs_dir=tmp_path)  # fmt: skip
    assert seen == [{1}]


def test_choices_accept_commas_and_reject_unknown_names_with_the_option():
    assert act.parse_choices(["relu,tanh", "relu"], act.ACTIVATION_NAMES, "--activation") == [
        "relu",
        "tanh",
    ]
    with pytest.raises(
        ConfigError, match="--init: expected one of std1, std0.01, xavier, he, got 'glorot'"
    ):
        act.parse_choices(["glorot"], list(act.INITS), "--init")


def test_the_table_writes_each_column_in_its_one_format_and_csv_every_digit():
    # (each cell to its own 4 significant digits read 8555 over 0.002574, and 1.354e+04 over
    # 0.003961: a column in two formats, where every other table has one a column)
    from nnlab.output import to_csv

    rows = [
        {"activation": "relu", "init": "std1", "layer": 5, "mean": 8555.049562, "std": 13540.2,
         "saturated": None, "zero": 0.5346, "dead_units": 0.0},
        {"activation": "relu", "init": "std0.01", "layer": 2, "mean": 0.002574123,
         "std": 0.0039612, "saturated": None, "zero": 0.52311, "dead_units": 0.01},
    ]  # fmt: skip
    summary = {"layers": 5, "units": 100, "samples": 1000, "rows": rows}
    table = act.summary_table(summary)
    cells = [line.split("│")[4:8] for line in table.text().splitlines() if "relu" in line]
    assert [[c.strip() for c in row] for row in cells] == [
        ["8555.04956", "1.354e+04", "0.5346", "0.0000"],
        ["0.00257", "3.961e-03", "0.5231", "0.0100"],
    ]
    assert "8555.049562,13540.2" in to_csv(table.rows, table.columns)


def independent_layers(x, activation, std_of, layers, units, rng, batchnorm):
    """The DLFS 6.2 / 6.3 forward pass in plain NumPy (not nnlab's layers): z = a W, BatchNorm
    by the batch's mean and biased variance (eps 1e-5), then the activation."""
    out, a = [], x
    for _ in range(layers):
        z = a @ (std_of(a.shape[1]) * rng.standard_normal((a.shape[1], units)))
        if batchnorm:
            z = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + 1e-5)
        a = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh,
             "relu": lambda v: np.maximum(v, 0)}[activation](z)  # fmt: skip
        out.append(a)
    return out


STD_OF = {"std1": lambda n: 1.0, "std0.01": lambda n: 0.01, "xavier": lambda n: np.sqrt(1 / n),
          "he": lambda n: np.sqrt(2 / n)}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("batchnorm", [False, True])
def test_the_histograms_and_their_statistics_are_numpys_of_the_same_forward_pass(
    tmp_path, batchnorm
):
    seed, layers, units, samples = 3, 3, 20, 200
    result = act.activation_histograms(layers=layers, units=units, samples=samples, seed=seed,
                                       batchnorm=batchnorm, runs_dir=tmp_path)  # fmt: skip
    x = np.random.default_rng(seed).standard_normal((samples, units))
    rows = by_setting(result.rows)
    for (activation, init), got in result.activations.items():
        key = [seed, act.ACTIVATION_NAMES.index(activation), list(act.INITS).index(init)]
        rng = np.random.default_rng(key)
        want = independent_layers(x, activation, STD_OF[init], layers, units, rng, batchnorm)
        for a, b, row in zip(got, want, rows[(activation, init)], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-300)
            assert np.array_equal(np.histogram(a, 30, (-1, 1))[0], np.histogram(b, 30, (-1, 1))[0])
            assert row["mean"] == pytest.approx(b.mean(), rel=1e-9, abs=1e-15)
            assert row["std"] == pytest.approx(b.std(), rel=1e-9)
            if activation == "relu":
                assert row["zero"] == np.mean(b == 0)
                assert row["dead_units"] == np.mean((b == 0).all(axis=0))
            else:
                flat = (b < 0.01) | (b > 0.99) if activation == "sigmoid" else np.abs(b) > 0.99
                assert row["saturated"] == np.mean(flat)
    if batchnorm:  # (DLFS 6.3: well spread whatever the init, the weights drawn as without)
        assert all(r["std"] > 0.15 for r in result.rows)
        assert "BatchNorm on" in result.run.file("summary.txt").read_text()


def test_batchnorm_keeps_the_weights_and_spreads_std001s_collapsed_layers():
    x = np.random.default_rng(0).standard_normal((500, 50))
    plain = act.forward_activations(x, "tanh", "std0.01", 4, 50, np.random.default_rng(1))
    normed = act.forward_activations(x, "tanh", "std0.01", 4, 50, np.random.default_rng(1), True)
    assert plain[-1].std() < 1e-4 and 0.5 < normed[-1].std() < 0.8
    # the first layer's only difference is the normalisation of the same z = x W
    z = np.arctanh(plain[0])
    np.testing.assert_allclose(
        normed[0], np.tanh((z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5)), rtol=1e-9, atol=1e-12
    )
