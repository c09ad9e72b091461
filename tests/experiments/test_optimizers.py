"""Optimizer comparisons: paths against closed forms of their first steps, the x cos(pi x)
study's three behaviours, divergence, hyperparameter validation, the cs231n baselines and the
dataset comparison's shared init and batch order."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from nnlab.errors import ConfigError
from nnlab.experiments import optimizers as opt
from nnlab.experiments.testfuncs import OBJECTIVES, get_objective
from nnlab.nn.gradcheck import numeric_gradient
from nnlab.nn.model import build_mlp

BOOK = get_objective("book")  # f = x^2/20 + y^2, gradient (x/10, 2y), start (-7, 2)
CURV = np.array([0.1, 2.0])  # its Hessian diagonal
P0 = np.array([-7.0, 2.0])


def path_of(name: str, steps: int, *overrides: str) -> np.ndarray:
    (spec,) = opt.resolve_optimizers([name], overrides, defaults=BOOK.defaults)
    return opt.run_path(BOOK, spec, BOOK.start, steps).path


# --- each rule's path against its closed form on the quadratic ----------------------------------
def test_sgd_path_is_geometric_per_coordinate():
    # x_k = (1 - lr h)^k x_0 per coordinate: DLFS's lr 0.95 gives 0.905^k and (-0.9)^k
    k = np.arange(31)[:, None]
    expected = (1 - 0.95 * CURV) ** k * P0
    np.testing.assert_allclose(path_of("sgd", 30), expected, rtol=1e-12)


def test_gd_is_sgd():
    np.testing.assert_array_equal(path_of("gd", 10), path_of("sgd", 10))


def test_momentum_first_steps_by_hand():
    # v1 = g0 = (-0.7, 4); p1 = p0 - 0.1 v1 = (-6.93, 1.6)
    # g1 = (-0.693, 3.2); v2 = 0.9 v1 + g1 = (-1.323, 6.8); p2 = p1 - 0.1 v2 = (-6.7977, 0.92)
    path = path_of("momentum", 2)
    np.testing.assert_allclose(path, [[-7, 2], [-6.93, 1.6], [-6.7977, 0.92]], rtol=1e-12)


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_momentum_paths_follow_their_linear_recurrence(name):
    # On a quadratic (x, v) evolves linearly: (x, v)_{k+1} = M (x, v)_k with, per coordinate,
    # momentum: v' = mu v + h x, x' = x - lr v'            -> M = [[1-lr h, -lr mu], [h, mu]]
    # nesterov: v' = mu v + h x, x' = x - lr (h x + mu v') -> M = [[1-lr h(1+mu), -lr mu^2], [h, mu]]
    lr, mu, steps = 0.1, 0.9, 12
    path = path_of(name, steps)
    for c, h in enumerate(CURV):
        if name == "momentum":
            m = np.array([[1 - lr * h, -lr * mu], [h, mu]])
        else:
            m = np.array([[1 - lr * h * (1 + mu), -lr * mu**2], [h, mu]])
        for k in range(steps + 1):
            x_k = (np.linalg.matrix_power(m, k) @ np.array([P0[c], 0.0]))[0]
            assert path[k, c] == pytest.approx(x_k, rel=1e-10, abs=1e-12)


def test_adagrad_first_step_is_lr_times_sign_then_scaled_by_accumulated_squares():
    path = path_of("adagrad", 2)  # lr 1.5
    np.testing.assert_allclose(path[1], [-7 + 1.5, 2 - 1.5], rtol=1e-9)  # g/|g| = sign(g)
    g0, g1 = CURV * P0, CURV * path[1]  # (-0.7, 4), (-0.55, 1.0)
    expected = path[1] - 1.5 * g1 / np.sqrt(g0**2 + g1**2)
    np.testing.assert_allclose(path[2], expected, rtol=1e-9)


def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_alpha():
    path = path_of("rmsprop", 2)  # lr 0.3, alpha 0.99: first step 0.3 / 0.1 = 3 per coordinate
    np.testing.assert_allclose(path[1], [-4.0, -1.0], rtol=1e-6)  # eps 1e-8 next to 0.1 |g|
    g0, g1 = CURV * P0, CURV * path[1]
    np.testing.assert_allclose(path[1], P0 - 0.3 * g0 / (0.1 * np.abs(g0) + 1e-8), rtol=1e-12)
    h2 = 0.99 * 0.01 * g0**2 + 0.01 * g1**2
    np.testing.assert_allclose(path[2], path[1] - 0.3 * g1 / (np.sqrt(h2) + 1e-8), rtol=1e-12)


def test_adam_first_step_is_lr_times_sign_and_second_uses_bias_correction():
    path = path_of("adam", 2)  # lr 0.3
    np.testing.assert_allclose(path[1], [-6.7, 1.7], rtol=1e-9)
    g0, g1 = CURV * P0, CURV * path[1]
    m2 = 0.9 * 0.1 * g0 + 0.1 * g1
    v2 = 0.999 * 0.001 * g0**2 + 0.001 * g1**2
    m_hat, v_hat = m2 / (1 - 0.9**2), v2 / (1 - 0.999**2)
    np.testing.assert_allclose(path[2], path[1] - 0.3 * m_hat / np.sqrt(v_hat), rtol=1e-7)


def test_override_changes_the_path():
    # momentum 0.5 instead of 0.9: p2 = p1 - 0.1 (0.5 v1 + g1)
    path = path_of("momentum", 2, "momentum.momentum=0.5")
    g0 = CURV * P0
    p1 = P0 - 0.1 * g0
    np.testing.assert_allclose(path[2], p1 - 0.1 * (0.5 * g0 + CURV * p1), rtol=1e-12)


# --- the built-in functions ---------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_analytic_gradients_match_centred_differences(name):
    o = OBJECTIVES[name]
    rng = np.random.default_rng(0)
    box = np.array(o.domain)
    for _ in range(5):
        p = rng.uniform(box[:, 0], box[:, 1])
        numeric = numeric_gradient(lambda p=p: o.value(p), p)
        np.testing.assert_allclose(o.grad(p), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_labelled_points_are_stationary(name):
    for where, _label in OBJECTIVES[name].points:
        assert np.linalg.norm(OBJECTIVES[name].grad(np.array(where))) < 1e-12


def test_xcospi_table_shows_the_three_behaviours():
    c = opt.compare_on_function(
        "xcospi", ["gd"], lrs=[0.1, 1.000542, 1.0055], starts=[(0.5,), (-1.0,)], steps=[5, 20]
    )
    rows = [(r.spec.hyperparameters["lr"], r.start[0], r.steps, r) for r in c.results]
    assert [row[:3] for row in rows] == [
        (0.1, 0.5, 5), (0.1, -1.0, 20), (1.000542, 0.5, 5), (1.000542, -1.0, 20),
        (1.0055, 0.5, 5), (1.0055, -1.0, 20),
    ]  # fmt: skip
    by = {(lr, x0): r for lr, x0, _, r in rows}
    # eta 0.1 from 0.5: the global minimum of d2l's window, x = 1.0904, f = -1.0467
    good = by[(0.1, 0.5)]
    assert good.outcome == "global min" and good.steps_to_tol == 4
    assert good.path[-1, 0] == pytest.approx(1.0904, abs=1e-3)
    assert good.values[-1] == pytest.approx(-1.0467, abs=1e-3)
    # eta 0.1 from -1.0: stuck in the local minimum x = -0.2739, f = -0.1786
    stuck = by[(0.1, -1.0)]
    assert stuck.outcome == "local min" and stuck.steps_to_tol is None
    assert stuck.path[-1, 0] == pytest.approx(-0.2739, abs=1e-3)
    # eta ~1 from -1.0: oscillates between -1 and ~0 for a while, then flies off the plot
    for lr in (1.000542, 1.0055):
        wild = by[(lr, -1.0)]
        assert wild.outcome == "left plot box" and abs(wild.path[-1, 0]) > 2
        assert wild.path[1, 0] == pytest.approx(0.0, abs=0.01)
        assert wild.path[2, 0] == pytest.approx(-1.0, abs=0.01)
        assert np.max(np.abs(wild.path[:, 0])) > 10
    assert not any(r.diverged for _, _, _, r in rows)


def test_divergence_is_recorded_without_warnings():
    # lr 50 on y: y_k = 2 (-99)^k, so f = ... + y^2 overflows once |y| > 1.34e154: step 78
    (spec,) = opt.resolve_optimizers(["sgd"], ["sgd.lr=50"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = opt.run_path(BOOK, spec, BOOK.start, 400)
    assert r.diverged and r.outcome == "diverged"
    assert r.diverged_at == 78
    assert len(r.path) == r.diverged_at and np.all(np.isfinite(r.path))
    assert (
        r.row()["diverged"] == f"at step {r.diverged_at}"
        and r.to_json()["diverged_at"] == r.diverged_at
    )
    # (no final point or value: its last finite point is where it stopped, not where it ended)
    assert r.row()["final point"] is None and r.row()["final value"] is None
    assert r.to_json()["final_point"] is None and r.to_json()["final_value"] is None


def test_steps_to_tol_is_the_first_step_within_tol():
    c = opt.compare_on_function("book", ["rmsprop"], tol=1e-2)
    r = c.results[0]
    dist = np.linalg.norm(r.path, axis=1)
    assert dist[r.steps_to_tol] <= 1e-2 < dist[r.steps_to_tol - 1]


def test_lrs_multiply_optimizers_and_steps_pair_with_starts():
    c = opt.compare_on_function(
        "book", ["sgd", "adam"], lrs=[0.1, 0.2], starts=[(-7, 2), (3, 1)], steps=[3, 4]
    )
    got = [
        (r.spec.label, r.spec.hyperparameters["lr"], r.start, len(r.path) - 1) for r in c.results
    ]
    assert got == [
        ("sgd", 0.1, (-7.0, 2.0), 3), ("sgd", 0.1, (3.0, 1.0), 4),
        ("sgd", 0.2, (-7.0, 2.0), 3), ("sgd", 0.2, (3.0, 1.0), 4),
        ("adam", 0.1, (-7.0, 2.0), 3), ("adam", 0.1, (3.0, 1.0), 4),
        ("adam", 0.2, (-7.0, 2.0), 3), ("adam", 0.2, (3.0, 1.0), 4),
    ]  # fmt: skip


def test_function_defaults_are_the_dlfs_learning_rates():
    specs = opt.resolve_optimizers(["sgd", "momentum", "adagrad", "adam"], defaults=BOOK.defaults)
    assert [s.hyperparameters["lr"] for s in specs] == [0.95, 0.1, 1.5, 0.3]
    assert specs[1].hyperparameters["momentum"] == 0.9


# --- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("labels", "overrides", "lrs", "message"),
    [
        (["adamw"], [], None, "unknown optimizer 'adamw' (AdamW, decoupled weight decay, is not in nnlab"),
        (["adam"], ["adam.lrr=0.3"], None, "adam has no hyperparameter 'lrr' (did you mean adam.lr?)"),
        (["adam"], ["nadam.lr=0.3"], None, "override 'nadam.lr=0.3': unknown optimizer 'nadam'"),
        (["adam"], ["sgd.lr=0.3"], None, "optimizer 'sgd' is not among --optimizers (adam)"),
        (["adam"], ["adam.lr"], None, "expected key.sub=value"),
        (["adam"], ["lr=0.3"], None, "expected optimizer.hyperparameter=value"),
        (["momentum"], ["momentum.momentum=1.5"], None, "override 'momentum.momentum=1.5': momentum.momentum: input should be less than 1, got 1.5"),
        (["adam"], ["adam.lr=fast"], None, "adam.lr: input should be a valid number"),
        (["sgd"], [], [-0.1], "--lr: sgd.lr: input should be greater than 0"),
        (["random-search"], [], None, "is a baseline for --dataset comparisons"),
    ],
)  # fmt: skip
def test_bad_optimizer_settings_are_one_line_config_errors(labels, overrides, lrs, message):
    with pytest.raises(ConfigError) as info:
        opt.resolve_optimizers(labels, overrides, lrs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_the_schemas_are_the_registrys_optimizers_in_every_view_of_them():
    # (a dict subclass answering [] and iteration alone: len() was 0, dict() and keys() empty)
    from nnlab.config_model import optimizer_settings
    from nnlab.nn.registry import OPTIMIZERS

    expected = {name: optimizer_settings(name) for name in OPTIMIZERS}
    assert dict(opt.SCHEMAS) == expected and len(opt.SCHEMAS) == len(OPTIMIZERS)
    assert list(opt.SCHEMAS.keys()) == list(OPTIMIZERS) and dict(opt.SCHEMAS.items()) == expected
    assert opt.SCHEMAS.get("lbfgs") is None and "adam" in opt.SCHEMAS


def test_unknown_function_suggests_the_close_one():
    with pytest.raises(
        ConfigError,
        match=r"--function: expected one of .*, got 'rosenbrok' \(did you mean 'rosenbrock'\?\)",
    ):
        opt.compare_on_function("rosenbrok")


def test_steps_must_be_one_value_or_one_per_start():
    with pytest.raises(ConfigError, match="--steps: got 3 values for 2 start points"):
        opt.compare_on_function("xcospi", ["gd"], starts=[(0.5,), (-1.0,)], steps=[5, 20, 30])


def test_parse_starts_reads_1d_lists_and_2d_points():
    assert opt.parse_starts("0.5,-1.0", 1, "xcospi") == [(0.5,), (-1.0,)]
    assert opt.parse_starts("-7,2;3,1", 2, "book") == [(-7.0, 2.0), (3.0, 1.0)]
    with pytest.raises(ConfigError, match="'book' is 2-D, so each point needs 2 numbers"):
        opt.parse_starts("-7,2,1", 2, "book")
    with pytest.raises(ConfigError, match="--start: expected comma-separated numbers"):
        opt.parse_starts("a,b", 2, "book")


# --- baselines and the dataset comparison -------------------------------------------------------
def _linear_problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-1, 0.5, (40, 2)), rng.normal(1, 0.5, (40, 2))])
    y = np.repeat([0, 1], 40)
    model = build_mlp(2, [], 2, rng_init=rng, dtype=np.float64)
    return model, x, y


@pytest.mark.parametrize("search", [opt.random_search, opt.random_local_search])
def test_baselines_only_accept_lower_loss(search):
    model, x, y = _linear_problem()
    full = [np.arange(len(y))] * 200  # the whole set as every "batch": losses must not rise
    losses: list[float] = []
    search(model, x, y, full, 0.5, np.random.default_rng(1), lambda s, loss: losses.append(loss))
    assert len(losses) == 200
    assert np.all(np.diff(losses) <= 0)
    final = opt.baselines._objective(model, x, y)
    assert final <= losses[-1] and final < losses[0]


def test_smooth_curve_keeps_length_and_constants():
    np.testing.assert_allclose(opt.smooth_curve(np.full(50, 3.0)), np.full(50, 3.0))
    assert opt.smooth_curve(np.arange(100.0)).shape == (100,)
    np.testing.assert_array_equal(opt.smooth_curve([1.0, 2.0]), [1.0, 2.0])


def test_dataset_runs_share_init_and_batch_sequence():
    c = opt.compare_on_dataset(
        "digits", ["sgd", "gd", "adam", "random-local-search"], net=opt.NetSettings(25, [16])
    )
    sgd, gd, adam, local = c.results
    np.testing.assert_array_equal(sgd.losses, gd.losses)  # same rule, same init, same batches
    assert sgd.losses.size == adam.losses.size == local.losses.size == 25
    # step 1's loss is measured before any update: identical weights and identical first batch
    assert sgd.losses[0] == adam.losses[0] == pytest.approx(local.losses[0], rel=1e-6)
    assert sgd.losses[1] != adam.losses[1]
    for r in c.results:
        assert set(r.final) == {"train_loss", "train_acc", "test_loss", "test_acc"}
        assert r.status == "COMPLETED"
    assert c.cfg.batch_size == 128 and c.cfg.model.hidden == [16]


def test_dataset_final_numbers_are_those_fit_records_after_its_last_epoch():
    # the comparison evaluates once at the end; fit's own record of the last epoch agrees, and
    # a diverged optimizer has none (nnlab.summary's rule: no final values after divergence)
    from nnlab.build import build_model, make_rngs
    from nnlab.data import load_dataset
    from nnlab.train import TrainSettings, fit

    c = opt.compare_on_dataset(
        "digits", ["momentum", "sgd"], ["sgd.lr=1e10"], net=opt.NetSettings(40, [16])
    )
    data = load_dataset(c.cfg.dataset, None, c.cfg.dtype)
    for r in c.results:
        cfg = c.cfg.model_copy(
            update={"optimizer": opt.SCHEMAS[r.spec.name](**r.spec.hyperparameters)}
        )
        rngs = make_rngs(cfg.seed)
        model = build_model(cfg, data.input_dim, data.n_classes, rngs)
        last = fit(
            model, r.spec.build(), data.splits, TrainSettings.of(cfg), rngs, max_steps=40
        ).records[-1]
        recorded = {k: v for k, v in last.items() if k.endswith(("_loss", "_acc"))}
        if r.status == "DIVERGED":
            recorded = dict.fromkeys(recorded)
        assert r.final == recorded
    assert [r.status for r in c.results] == ["COMPLETED", "DIVERGED"]


@pytest.mark.slow
def test_dataset_comparison_in_worker_processes_gives_the_same_results():
    args = ("digits", ["sgd", "adam", "random-local-search"])
    serial = opt.compare_on_dataset(*args, net=opt.NetSettings(30, [16]))
    parallel = opt.compare_on_dataset(*args, net=opt.NetSettings(30, [16]), jobs=2)
    assert [r.spec.label for r in parallel.results] == [r.spec.label for r in serial.results]
    for a, b in zip(serial.results, parallel.results):
        np.testing.assert_array_equal(a.losses, b.losses)
        assert a.final == b.final and a.status == b.status
    with pytest.raises(ConfigError, match="--jobs"):
        opt.compare_on_dataset(*args, net=opt.NetSettings(30), jobs=0)


@pytest.mark.slow
def test_dataset_comparison_says_each_optimizers_steps_as_it_trains_without_changing_a_number(
    monkeypatch,
):
    """An optimizer training in this process tells ``progress`` its step and batch loss now
    and then (``STEP_LINE_SECONDS``; 0 here: every step but the last, whose line says how it
    ended): it trained 10-13 s in silence on a terminal. The losses are those without
    progress; in worker processes only how each ended is said."""
    from nnlab.experiments.optimizers import training

    monkeypatch.setattr(training, "STEP_LINE_SECONDS", 0.0)
    args = ("digits", ["sgd", "random-search"])
    lines: list[str] = []
    shown = opt.compare_on_dataset(*args, net=opt.NetSettings(5, [10]), progress=lines.append)
    steps = [line for line in lines if line.startswith("step ")]
    assert [line.removeprefix("step ").split(",")[0] for line in steps] == [
        *(f"{k}/5" for k in range(1, 5)),
        *(f"{k}/5" for k in range(1, 5)),
    ]
    # (counted and timed as every progress line: times.Tally)
    assert re.match(r"step 1/5, .* elapsed, .*: sgd \(lr=0\.01\): batch loss ", steps[0])
    assert re.match(r"step 4/5, .*: random-search \(scale=0\.3\): batch loss ", steps[-1])
    assert steps[0].endswith(opt_number(shown.results[0].losses[0]))
    silent = opt.compare_on_dataset(*args, net=opt.NetSettings(5, [10]))
    for a, b in zip(shown.results, silent.results):
        np.testing.assert_array_equal(a.losses, b.losses)
        assert a.final == b.final
    lines.clear()
    opt.compare_on_dataset(*args, net=opt.NetSettings(5, [10]), progress=lines.append, jobs=2)
    assert not [line for line in lines if line.startswith("step ")] and len(lines) == 3
    assert [line.split(",")[0] for line in lines[1:]] == ["run 1/2", "run 2/2"]


def opt_number(value: float) -> str:
    from nnlab.output import number

    return number(float(value))


def test_dataset_divergence_is_recorded():
    c = opt.compare_on_dataset("digits", ["sgd"], ["sgd.lr=1e10"], net=opt.NetSettings(30, [16]))
    r = c.results[0]
    assert r.diverged and r.row()["diverged"] == "yes"
    assert r.losses.size < 30 and r.final["train_loss"] is None
    # no final accuracy either: the ~0.1 of a diverged net is not a result (nnlab.summary)
    assert r.final["train_acc"] is None and r.row()["train acc"] is None


def test_dataset_run_whose_final_evaluation_overflows_diverged_there():
    # sgd at lr 10 on the DLFS net: its 3 step losses are finite, but the last update leaves
    # weights whose evaluation overflows; train records such a net DIVERGED (nnlab.train's
    # rule). The comparison said 'diverged: no' beside train acc 0.0000 (the accuracy of
    # overflowed scores, which is no result)
    c = opt.compare_on_dataset("digits", ["sgd"], lrs=[10.0], net=opt.NetSettings(3))
    (r,) = c.results
    assert r.losses.size == 3 and np.isfinite(r.losses).all()
    assert r.status == "DIVERGED" and r.row()["diverged"] == "yes"
    assert r.final == dict.fromkeys(["train_loss", "train_acc", "test_loss", "test_acc"])


def test_a_diverged_optimizers_line_says_how_it_ended_and_its_time_without_an_empty_part():
    # (it read 'sgd: 2 steps, diverged,  (0.0s)': the accuracies it has none of left a gap)
    lines: list[str] = []
    opt.compare_on_dataset(
        "digits", ["sgd"], ["sgd.lr=1e10"], net=opt.NetSettings(30, [16]), progress=lines.append
    )
    (ended,) = [line.split(": ", 1)[1] for line in lines if line.startswith("run 1/1, ")]
    # (and its status as every line and table says one, DIVERGED: it read 'diverged')
    said = r"sgd \(lr=1e\+10\): DIVERGED after \d+ steps? \(\d+(\.\d+)? m?s\)"
    assert re.fullmatch(said, ended), ended


def test_each_optimizers_ending_line_goes_to_outcome_and_the_rest_to_progress(monkeypatch):
    # (the line was sent to ``getattr(progress, "outcome", progress)``: a method of the
    # command's ``Lines`` that no signature named; ``outcome`` is a parameter now, as a
    # tune's ``heading`` is, and without it ``progress`` gets every line)
    from nnlab.experiments.optimizers import training

    monkeypatch.setattr(training, "STEP_LINE_SECONDS", 0.0)
    args = ("digits", ["sgd", "momentum"])
    steps: list[str] = []
    ended: list[str] = []
    opt.compare_on_dataset(
        *args, net=opt.NetSettings(3, [10]), progress=steps.append, outcome=ended.append
    )
    # (the setup's line, first, stays too: a terminal draws the steps in place below it)
    assert [line.split(",")[0] for line in ended[1:]] == ["run 1/2", "run 2/2"]
    assert "; data: " in ended[0]
    assert [line.split(",")[0] for line in steps] == ["step 1/3", "step 2/3"] * 2
    every: list[str] = []
    opt.compare_on_dataset(*args, net=opt.NetSettings(3, [10]), progress=every.append)
    assert [line.split(" ")[0] for line in every[1:]] == ["step", "step", "run"] * 2


def test_an_optimizers_work_unpacks_into_train_ones_arguments_by_name():
    # (it was a bare 5-tuple its readers indexed, args[0] the spec and args[3] the steps)
    import inspect

    from nnlab.experiments.optimizers import training

    arguments = list(inspect.signature(training._train_one).parameters)
    assert list(training.Work._fields) == arguments[: len(training.Work._fields)]


def test_each_progress_line_names_its_run_as_the_table_and_figure_do(monkeypatch):
    # with --lr 1,10 each line read 'sgd: ...': two runs, one name; the lines name the run
    # as the figure's legend does (optimizer, then its hyperparameters as the table has them)
    from nnlab.experiments.optimizers import training

    monkeypatch.setattr(training, "STEP_LINE_SECONDS", 0.0)
    lines: list[str] = []
    c = opt.compare_on_dataset(
        "digits", ["sgd", "momentum"], ["momentum.momentum=0.5"], lrs=[0.01, 0.1],
        net=opt.NetSettings(3, [10]), progress=lines.append,
    )  # fmt: skip
    named = [line.split(": ")[1] for line in lines[1:]]  # (after its count and times)
    titles = ["sgd (lr=0.01)", "sgd (lr=0.1)", "momentum (lr=0.01, momentum=0.5)",
              "momentum (lr=0.1, momentum=0.5)"]  # fmt: skip
    assert list(dict.fromkeys(named)) == titles
    rows = [training.dataset_row(r) for r in c.to_json()["runs"]]  # (the table's rows)
    assert [f"{r['optimizer']} ({r['hyperparameters']})" for r in rows] == titles


def test_an_optimizer_named_twice_is_refused_and_an_alias_is_another_run():
    # (sgd,sgd ran the same net twice, one curve drawn over the other, and sgd.lr=...
    # could not say which of the two it meant)
    from nnlab.experiments.optimizers.specs import parse_names

    with pytest.raises(ConfigError, match="^--optimizers: 'sgd' is given twice; name each"):
        parse_names("sgd, momentum,SGD")
    assert parse_names("sgd,gd,adam") == ["sgd", "gd", "adam"]


@pytest.mark.slow  # (its figure drawn twice: 1-4 s)
def test_run_comparison_redoes_a_resumed_folder_from_its_recipe_saying_so(tmp_path):
    import json

    from nnlab import redo

    first = opt.run_comparison(function="book", optimizers="sgd", steps="5", runs_dir=tmp_path)
    meta = json.loads(first.run.file("meta.json").read_text())
    first.run.file("meta.json").write_text(json.dumps({**meta, "status": "INTERRUPTED"}))
    said: list[str] = []
    again = opt.run_comparison(resume="latest", runs_dir=tmp_path, say=said.append)
    assert again.run.path == first.run.path and again.run.status == "COMPLETED"
    assert said == [redo.again_line(again.run)] and again.to_json() == first.to_json()
    with pytest.raises(ConfigError, match="^function: not with --resume"):
        opt.run_comparison(resume="latest", function="book", runs_dir=tmp_path)


def test_the_final_point_column_writes_every_coordinate_in_one_format():
    """The final points' coordinates share their column's one format (``column_format``), as
    every column of numbers does: each in its own ``.4g`` read ``(-0.3504, 0.08478)`` over
    ``(-5.351e-06, 1.509e-11)`` and ``(0.136, 0.3182)``; a start reads as given."""
    from nnlab.experiments.optimizers import path_rows

    def stored(point, start=(-7.0, 2.0)):
        return {"optimizer": "sgd", "rule": "sgd", "hyperparameters": {"lr": 0.95},
                "start": list(start), "steps": 30, "final_point": point, "final_value": 0.5,
                "steps_to_tol": None, "diverged": point is None, "diverged_at": None,
                "outcome": "not converged"}  # fmt: skip

    points = [[-0.3504, 0.08478], [-5.351e-06, 1.509e-11], [0.136, 0.3182], None]
    shown = [r["final point"] for r in path_rows([stored(p) for p in points])]
    assert shown == ["(-3.504e-01, 8.478e-02)", "(-5.351e-06, 1.509e-11)",
                     "(1.360e-01, 3.182e-01)", None]  # fmt: skip
    near = [r["final point"] for r in path_rows([stored([0.9912, 1.0]), stored([0.136, 20.5])])]
    assert near == ["(0.9912, 1.0000)", "(0.1360, 20.5000)"]
    (row,) = path_rows([stored([1.0, 1.0], start=(0.000123456, -1.0))])
    assert row["start"] == "(0.000123456, -1)"  # (.4g: 0.0001235)
