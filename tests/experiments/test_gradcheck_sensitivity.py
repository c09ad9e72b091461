"""What ``nnlab gradcheck`` reports when a gradient is wrong by a known amount.

An analytic gradient scaled by (1 + delta) against a correct numeric one n has
max|a - n| / max(|a| + |n|) = delta / (2 + delta) (``rel_error``): the error the check's row must
report, whatever the layer, to within the check's own error on the correct gradient (its row
without the fault: below 1e-9 here). Each layer's input gradient and each of its parameters'
gradients, and each loss's, is scaled in turn by 1 + 1e-3, 1 + 1e-5 and 1 + 1e-9: the row reports
delta / (2 + delta) and its verdict by cs231n's thresholds (fail, warn, pass), and every other row
is what it was. In a network (no weight decay, whose term the fault would not scale), a fault in
one layer's input gradient scales every gradient backpropagated through it, so every parameter
before that layer reports the same number, and the parameters after it report what they did.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from nnlab.experiments import gradcheck as gc, gradcheck_builtin as gb
from nnlab.nn.layers import Affine, BatchNorm, Dropout, ReLU, Sigmoid, Tanh
from nnlab.nn.losses import Loss
from nnlab.nn.registry import LOSSES
from nnlab.nn.stacked import StackedAffine, StackedDropout

DELTAS = {1e-3: "fail", 1e-5: "warn", 1e-9: "pass"}
# the table's layer rows by the class whose backward makes them, with that class's arrays
LAYERS = {
    Affine: (["Affine"], ["x", "W", "b"]),
    ReLU: (["ReLU"], ["x"]),
    Sigmoid: (["Sigmoid"], ["x"]),
    Tanh: (["Tanh"], ["x"]),
    BatchNorm: (["BatchNorm/train", "BatchNorm/eval"], ["x", "gamma", "beta"]),
    Dropout: (["Dropout/mask"], ["x"]),
    StackedAffine: (["StackedAffine"], ["x", "W", "b"]),
    StackedDropout: (["StackedDropout/mask"], ["x"]),
}
LAYER_CASES = [(cls, array) for cls, (_, arrays) in LAYERS.items() for array in arrays]
LAYER_IDS = [f"{cls.__name__}-{array}" for cls, array in LAYER_CASES]


def rows_by_key(rows) -> dict[tuple[str, str], gc.Row]:
    return {(r.layer, r.param): r for r in rows}


@functools.cache
def baseline() -> dict[tuple[str, str], gc.Row]:
    """The built-in check's layer and loss rows, no fault injected."""
    return rows_by_key(gb.layer_and_loss_rows())


def scaled_backward(cls, array: str, factor: float):
    """``cls.backward`` with its ``array``'s gradient (``x``: the returned dx) times
    ``factor``, for instances of ``cls`` itself (not of its subclasses)."""
    original = cls.backward

    def backward(self, dout, *args, **kwargs):
        dx = original(self, dout, *args, **kwargs)
        if type(self) is not cls:
            return dx
        if array == "x":
            return dx * factor
        self.grads[array] *= factor
        return dx

    return backward


def assert_reports(row: gc.Row, baseline: gc.Row, delta: float) -> None:
    """``row`` reports delta / (2 + delta) to within twice the check's own error (its row
    without the fault), and the verdict that number gets."""
    expected = delta / (2 + delta)
    assert baseline.max_rel_error < 1e-9 and baseline.verdict == "pass", baseline
    assert abs(row.max_rel_error - expected) <= 2 * baseline.max_rel_error + 1e-16 * expected, (
        row, expected)  # fmt: skip
    assert row.verdict == DELTAS[delta], row


def test_every_layer_class_of_the_check_has_a_case():
    names = {layer for layer, _ in baseline()}
    assert names == {n for names, _ in LAYERS.values() for n in names} | set(LOSSES)
    for layer_names, arrays in LAYERS.values():
        for name in layer_names:
            assert {p for (layer, p) in baseline() if layer == name} == set(arrays), name


@pytest.mark.parametrize("delta", sorted(DELTAS))
@pytest.mark.parametrize(("cls", "array"), LAYER_CASES, ids=LAYER_IDS)
def test_a_layer_gradient_wrong_by_a_known_factor_reports_that_error(
    cls, array, delta, monkeypatch
):
    monkeypatch.setattr(cls, "backward", scaled_backward(cls, array, 1 + delta))
    rows = rows_by_key(gb.layer_and_loss_rows())
    faulty = {(name, array) for name in LAYERS[cls][0]}
    for key, row in rows.items():
        if key in faulty:
            assert_reports(row, baseline()[key], delta)
        else:
            assert row == baseline()[key], key


@pytest.mark.parametrize("delta", sorted(DELTAS))
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_loss_gradient_wrong_by_a_known_factor_reports_that_error(name, delta, monkeypatch):
    loss = LOSSES[name]

    def scaled(scores, y, _fn=loss.fn):
        value, dscores = _fn(scores, y)
        return value, dscores * (1 + delta)

    monkeypatch.setitem(LOSSES, name, Loss(scaled, binary=loss.binary, per_net=loss.per_net))
    rows = rows_by_key(gb.layer_and_loss_rows())
    for key, row in rows.items():
        if key == (name, "scores"):
            assert_reports(row, baseline()[key], delta)
        else:
            assert row == baseline()[key], key


# (net, the layer whose input gradient is scaled, the parameters before it whose gradient is 0
# whatever the fault: an Affine bias before BatchNorm, reported as an absolute error)
NET_CASES = [
    ("relu batchnorm", "bn2", {"affine1.b", "affine2.b"}),
    ("relu softmax", "relu2", set()),
    ("sigmoid svm", "sigmoid1", set()),
    ("tanh bce", "affine3", set()),
    ("relu dropout", "dropout2", set()),
]


@pytest.mark.parametrize("delta", sorted(DELTAS))
@pytest.mark.parametrize(("kind", "at", "zero"), NET_CASES)
def test_a_fault_in_a_nets_layer_shows_on_every_parameter_before_it(kind, at, zero, delta):
    """A network's layer ``at`` passing back its input gradient times 1 + delta: each parameter
    before it reports delta / (2 + delta), those after it (and its own) what they did."""
    model, x, y = gb.small_net(kind)
    baseline = {f"{r.layer}.{r.param}": r for r in gc.check_model(model, x, y, group=kind)}
    model, x, y = gb.small_net(kind)
    layer = model.layers[at]
    original = layer.backward
    layer.backward = lambda dout, *a, **k: original(dout, *a, **k) * (1 + delta)
    rows = {f"{r.layer}.{r.param}": r for r in gc.check_model(model, x, y, group=kind)}
    names = list(model.layers)
    before = {key for key in rows if names.index(key.split(".")[0]) < names.index(at)}
    assert before and before != set(rows)
    for key, row in rows.items():
        if key in before - zero:
            assert_reports(row, baseline[key], delta)
        else:
            assert row.max_rel_error == pytest.approx(baseline[key].max_rel_error, rel=0,
                                                      abs=1e-12), key  # fmt: skip
            assert row.verdict == "pass", key


def cs231n_rel_error(a: np.ndarray, n: np.ndarray) -> float:
    """cs231n's assignments' ``rel_error``: max |a - n| / max(1e-8, |a| + |n|), entry by entry."""
    return float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))


@pytest.mark.parametrize("scale", [1e-8, 1e-6, 1.0, 1e3])
def test_max_rel_error_is_never_above_cs231ns_where_the_gradient_reaches_its_floor(scale):
    """Where the largest |a| + |n| is at least cs231n's floor (1e-8), the table's number is
    never above cs231n's ``rel_error`` of the same gradients (the README's words)."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = rng.standard_normal(30) * scale * 10.0 ** rng.uniform(-3, 0, 30)
        n[np.argmax(np.abs(n))] = scale  # (|a| + |n| reaches about 2 * scale)
        a = n * (1 + rng.standard_normal(30) * 10.0 ** rng.uniform(-12, -1, 30))
        assert gc.rel_error(a, n) <= cs231n_rel_error(a, n) * (1 + 1e-12)


@pytest.mark.parametrize(("scale", "theirs"), [(1e-9, "warn"), (3e-9, "fail")])
def test_a_gradient_below_cs231ns_floor_is_measured_against_itself(scale, theirs):
    """A gradient whose every |a| + |n| is below 1e-8 (and above ``ZERO_GRAD``, 1e-9, where the
    check turns to absolute errors) is still measured relative to itself: a 1e-3 error reports
    5e-4 and fails, where cs231n's floor of 1e-8 shrinks its number by (|a| + |n|) / 1e-8 (the
    README says so)."""
    n = np.array([scale, -0.3 * scale, 0.1 * scale])
    a = n * (1 + 1e-3)
    assert gc.rel_error(a, n) == pytest.approx(1e-3 / (2 + 1e-3), rel=1e-9)
    ratio = cs231n_rel_error(a, n) / gc.rel_error(a, n)
    assert ratio == pytest.approx(float(np.max(np.abs(a) + np.abs(n))) / 1e-8, rel=1e-9)
    assert gc.verdict(gc.rel_error(a, n), gc.rel_error(a, n)) == "fail"
    assert gc.verdict(cs231n_rel_error(a, n), cs231n_rel_error(a, n)) == theirs
