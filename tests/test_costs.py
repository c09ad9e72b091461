"""The estimates behind the work and memory limits (``nnlab.costs``, ``nnlab.limits``) against
what real runs measured (CPU time and peak memory on this project's 2-core VM): each within
about 2x of the measured, and none leaving out a term that grows with a size. Each calls an
estimate with huge sizes; nothing here trains."""

from __future__ import annotations

import pytest

from nnlab.config import validate
from nnlab.costs import elementwise_bytes, fixed_seconds, training_hours, training_work


def _config(**raw):
    return validate({"name": "cost", "dataset": {"name": "digits"}, **raw}, source="test")


def step_seconds_estimated(cfg, input_dim: int, n_classes: int, n_train: int) -> float:
    """The work limit's seconds of one epoch of ``cfg`` (no evaluation), over its steps."""
    cfg = cfg.model_copy(update={"epochs": 1, "eval": []})
    flop, steps, evaluations = training_work(cfg, input_dim, n_classes, n_train, [], [])
    moved = elementwise_bytes(cfg, input_dim, n_classes, n_train, [], [])
    fixed = fixed_seconds(cfg, steps, evaluations)
    return training_hours(flop, steps + evaluations, fixed, moved) * 3600 / steps


@pytest.mark.parametrize(
    "raw, input_dim, n_classes, measured",
    [
        # a wide net's step of one sample: its products read each weight for one multiply-add,
        # the update passes over every parameter (and adam's two slots) (were 0.6 ms)
        ({"model": {"hidden": [3000, 3000]}, "batch_size": 1}, 64, 10, 0.0226),
        ({"model": {"hidden": [3000, 3000]}, "batch_size": 1, "optimizer": {"name": "adam"}},
         64, 10, 0.0925),
        ({"model": {"hidden": [3000, 3000]}, "batch_size": 1, "optimizer": {"name": "adam"},
          "dtype": "float64"}, 64, 10, 0.142),
        # a narrow input's wide layer: its products are few, its activations' passes many
        ({"model": {"hidden": [4000]}, "batch_size": 200, "dataset": {"name": "spiral"}}, 2, 3,
         0.00496),
        ({"model": {"hidden": [4000], "batchnorm": True}, "batch_size": 200,
          "dataset": {"name": "spiral"}}, 2, 3, 0.00715),
        # an ordinary net's step: not counted much over what it takes
        ({"model": {"hidden": [100, 100, 100, 100, 100]}, "batch_size": 100}, 64, 10, 0.0007),
    ],
)  # fmt: skip
def test_a_training_steps_estimate_is_within_2x_of_what_it_measured(
    raw, input_dim, n_classes, measured
):
    cfg = _config(**raw)
    n_train = 10 * int(cfg.batch_size)
    estimate = step_seconds_estimated(cfg, input_dim, n_classes, n_train)
    assert measured / 2 <= estimate <= 2 * measured, (estimate, measured)


def test_a_wide_nets_training_of_small_batches_is_refused_as_days():
    """Two million adam steps of one sample through 3000 x 3000 units: ~51 hours at the 92 ms
    a step measured; counted as its products and calls alone, 22 minutes."""
    from nnlab.errors import ConfigError
    from nnlab.limits import check_work

    cfg = _config(model={"hidden": [3000, 3000]}, batch_size=1, optimizer={"name": "adam"},
                  epochs=1000, eval=[])  # fmt: skip
    work = training_work(cfg, 64, 10, 2000, [], [])
    moved = elementwise_bytes(cfg, 64, 10, 2000, [], [])
    with pytest.raises(ConfigError, match="TB of elementwise passes"):
        check_work("training", *work[:2], fixed=fixed_seconds(cfg, work[1]), moved=moved)


def _comparison_hours(monkeypatch, optimizer: str) -> float:
    """The hours compare-optimizers' work limit counts for ``optimizer`` alone on a wide net."""
    import re

    from nnlab.errors import ConfigError
    from nnlab.experiments.optimizers.training import NetSettings, plan_on_dataset

    monkeypatch.setenv("NNLAB_MAX_HOURS", "0.0001")
    net = NetSettings(hidden=[3000, 3000], iterations=1000, batch_size=1)
    with pytest.raises(ConfigError) as error:
        plan_on_dataset("digits", [optimizer], net=net)
    return float(re.search(r"about ([\d.]+) hours", str(error.value)).group(1))


def test_compare_optimizers_counts_each_optimizers_state_and_a_searchs_draws(monkeypatch):
    """Measured (a step of one sample, 3000 x 3000 units): sgd 23 ms, adam 92, random-search
    ~140 (a float64 normal for each parameter): each optimizer was counted as the config's
    default (sgd), and a random search's draws not at all."""
    sgd, adam, search = (
        _comparison_hours(monkeypatch, o) for o in ("sgd", "adam", "random-search")
    )
    assert 2.5 < adam / sgd < 4 and 4 < search / sgd < 6, (sgd, adam, search)


def test_activations_counts_a_layers_weights_in_memory_and_their_draws_in_work(monkeypatch):
    """``activations --layers 100 --units 10000 --samples 2``: its memory check left out the
    10,000 x 10,000 weights (2.4 GB at the peak measured for 2 layers, its outputs 16 MB) and
    nothing counted its work (~40 minutes: 1,200 matrices of 100 million normals)."""
    from nnlab.errors import ConfigError
    from nnlab.experiments.activations import check_histogram_bounds

    monkeypatch.setenv("NNLAB_MAX_MEMORY_GB", "2")
    with pytest.raises(ConfigError, match=r"needs at least 2\.4\d GB .* a layer's weights"):
        check_histogram_bounds(12, 100, 10_000, 2)
    monkeypatch.setenv("NNLAB_MAX_MEMORY_GB", "3")
    monkeypatch.setenv("NNLAB_MAX_HOURS", "0.25")  # (counted: ~40 minutes)
    with pytest.raises(ConfigError, match="is 1,200 layers, .* over the limit of 0.25 hours"):
        check_histogram_bounds(12, 100, 10_000, 2)
    monkeypatch.setenv("NNLAB_MAX_HOURS", "2")
    check_histogram_bounds(12, 100, 10_000, 2)  # (within both)


def test_gradcheck_builtin_work_is_counted_and_its_arrays_are_the_checks(monkeypatch):
    """``gradcheck --batch 4096 --max-entries 1000000`` (no config) had no work estimate: each
    entry of a layer's input is a call over the whole batch (measured 1.3 s of CPU at batch
    512, 17.6 at 2048: counted 1.5 and 15); the arrays counted are the ones it checks."""
    from nnlab.errors import ConfigError
    from nnlab.experiments import gradcheck as gc, gradcheck_builtin as gb

    monkeypatch.setenv("NNLAB_MAX_HOURS", "0.01")  # (counted: 0.014 hours at batch 4096)
    with pytest.raises(ConfigError, match="built-in check of 4,096 samples is 624,510 calls"):
        gb.check_builtin(gc.CheckSettings(batch=4096, max_entries=1_000_000))
    gb.check_builtin_work(gc.CheckSettings(batch=2048, max_entries=1_000_000))
    gb.check_builtin_work(gc.CheckSettings(batch=4096, max_entries=200))  # (the default)
    rows = gb.layer_and_loss_rows(batch=3, max_entries=1)
    inputs = sorted(r.size for r in rows if r.param in ("x", "scores"))
    counted = [3 * c for c in [gb.LAYER_IN] * 7 + [gb.STACK * gb.LAYER_IN] * 2 + [1, 5, 5]]
    assert inputs == sorted(counted)


def test_a_numeric_gradient_counts_its_forward_passes_elementwise_work(monkeypatch):
    """820 forward passes of digits-quickstart's net over 1,000 samples took ~0.9 s of CPU;
    counted as products and calls alone, 0.37 s."""
    from nnlab.costs import numeric_gradient_bytes, numeric_gradient_work

    cfg = _config(model={"hidden": [100, 100]})
    flop, calls = numeric_gradient_work(cfg, 64, 10, 1000, 410, 2)
    moved = numeric_gradient_bytes(cfg, 64, 10, 1000, calls)
    seconds = training_hours(flop, calls, fixed_seconds(cfg, 0, calls), moved) * 3600
    assert 0.45 < seconds < 1.8, seconds


def test_a_landscape_point_counts_setting_the_nets_parameters():
    """A landscape's point sets every parameter (centre + a d1 + b d2) before its forward pass:
    9.3 ms a point measured for 64 -> 2000 x 2 -> 10 on 10 samples; its products, 0.9."""
    from nnlab.costs import evaluation_bytes, evaluation_work

    cfg = _config(model={"hidden": [2000, 2000]})
    flop, batches = evaluation_work(cfg, 64, 10, 10, 330, 10_000)
    moved = evaluation_bytes(cfg, 64, 10, 10, 330)
    seconds = training_hours(flop, batches, fixed_seconds(cfg, 0, batches), moved) * 3600 / 330
    assert 0.0093 / 2 <= seconds <= 2 * 0.0093, seconds


def test_an_optimizers_update_temporaries_are_counted_in_training_memory():
    """compare-optimizers --hidden 10000,10000 with adam peaked at 3.6 GB (sgd 1.26): the
    parameters, gradients, checkpoint copy and two slots are 2.0 GB, adam's step makes four
    temporaries of the 10,000 x 10,000 weights besides."""
    from nnlab.limits import training_parts

    for name, measured in (("adam", 3.6e9), ("sgd", 1.26e9)):
        cfg = _config(model={"hidden": [10_000, 10_000]}, optimizer={"name": name})
        estimate = sum(training_parts(cfg, 64, 10, 1500, 1797).values())
        assert measured / 1.3 <= estimate <= 1.5 * measured, (name, estimate)


@pytest.mark.parametrize("name", ["NNLAB_MAX_HOURS", "NNLAB_MAX_MEMORY_GB"])
@pytest.mark.parametrize("bad", ["\u0663", "\uff13", "1_000", " 3", "3\n", "0x10", "nan", "-0.0"])
def test_a_numeric_nnlab_variable_takes_ascii_digits_only(monkeypatch, name, bad):
    # (float() read '\u0663', Arabic-Indic three, and '１_０' as numbers: a limit of 3 hours)
    from nnlab.errors import ConfigError
    from nnlab.limits import env_amount

    monkeypatch.setenv(name, bad)
    with pytest.raises(ConfigError) as caught:
        env_amount(name, "hours")
    assert str(caught.value) == (
        f"{name}: expected a positive number of hours in digits 0-9 below 2**40, got {bad!r}"
    )


@pytest.mark.parametrize("good, amount", [("3", 3.0), ("0.5", 0.5), (".5", 0.5), ("2e3", 2e3)])
def test_a_numeric_nnlab_variable_in_digits_is_read(monkeypatch, good, amount):
    from nnlab.limits import env_amount

    monkeypatch.setenv("NNLAB_MAX_HOURS", good)
    assert env_amount("NNLAB_MAX_HOURS", "hours") == amount
