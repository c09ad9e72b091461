"""Losses: gradients against centred differences, values against small hand-computed examples,
and stability on huge scores."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nnlab.nn.gradcheck import numeric_gradient, rel_error
from nnlab.nn.losses import sigmoid_bce, softmax_cross_entropy, svm_hinge
from nnlab.nn.model import build_mlp
from nnlab.nn.registry import LOSSES

PER_NET = {name: loss.per_net for name, loss in LOSSES.items() if loss.per_net is not None}

TOL = 1e-7


def scores_and_labels(loss: str, rng: np.random.Generator, n: int = 6, c: int = 4):
    if loss == "bce":
        return 2 * rng.standard_normal((n, 1)), rng.integers(0, 2, n)
    return 2 * rng.standard_normal((n, c)), rng.integers(0, c, n)


def min_svm_margin_distance(scores: np.ndarray, y: np.ndarray) -> float:
    """Smallest |s_j - s_y + 1| over j != y: how far the scores are from a hinge kink."""
    n = scores.shape[0]
    m = np.abs(scores - scores[np.arange(n), y][:, None] + 1.0)
    m[np.arange(n), y] = np.inf
    return float(m.min())


@pytest.mark.parametrize("loss", list(LOSSES))
def test_loss_gradient_matches_numeric(loss):
    rng = np.random.default_rng(0)
    scores, y = scores_and_labels(loss, rng)
    if loss == "svm":
        assert min_svm_margin_distance(scores, y) > 1e-3  # no kink within eps of the scores
    value, dscores = LOSSES[loss](scores, y)
    assert dscores.shape == scores.shape
    numeric = numeric_gradient(lambda: LOSSES[loss](scores, y)[0], scores)
    assert rel_error(dscores, numeric) < TOL


@pytest.mark.parametrize("loss", list(LOSSES))
def test_loss_does_not_modify_scores(loss):
    scores, y = scores_and_labels(loss, np.random.default_rng(1))
    before = scores.copy()
    LOSSES[loss](scores, y)
    np.testing.assert_array_equal(scores, before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", list(PER_NET))
def test_per_net_loss_gives_each_nets_own_loss_bit_for_bit(loss, dtype):
    """K nets' scores side by side (N, K*C), seen as (K, N, C) as a stack sees them: each net's
    loss and dscores are exactly those of the plain loss on its block (strided or copied)."""
    rng = np.random.default_rng(2)
    k, n, c = 5, 37, 10
    wide = (30 * rng.standard_normal((n, k * c))).astype(dtype)
    wide[0, 3] = np.inf  # net 0 overflows; the others stay finite
    y = rng.integers(0, c, (k, n))
    blocks = wide.reshape(n, k, c).transpose(1, 0, 2)
    with np.errstate(invalid="ignore"):
        losses, dscores = PER_NET[loss](blocks, y)
        for i in range(k):
            for block in (blocks[i], np.ascontiguousarray(blocks[i])):
                value, d = LOSSES[loss](block, y[i])
                np.testing.assert_array_equal(losses[i], value)
                assert dscores[i].dtype == d.dtype == dtype
                np.testing.assert_array_equal(dscores[i].view(np.uint8), d.view(np.uint8))
    assert not np.isfinite(losses[0]) and np.isfinite(losses[1:]).all()


# --- softmax cross-entropy ----------------------------------------------------------------------


@pytest.mark.parametrize("c", [2, 3, 10])
def test_softmax_ce_of_uniform_scores_is_log_c(c):
    scores = np.full((4, c), 0.7)
    y = np.array([0, 1, c - 1, 1])
    loss, dscores = softmax_cross_entropy(scores, y)
    assert loss == pytest.approx(math.log(c), rel=1e-14)
    expected = np.full((4, c), 1 / c)
    expected[np.arange(4), y] -= 1
    np.testing.assert_allclose(dscores, expected / 4, rtol=1e-14)


def test_softmax_ce_hand_computed_example():
    scores = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, math.log(2.0)]])
    y = np.array([2, 0])
    # row 0: p = e^s / (e + e^2 + e^3); row 1: p = [1, 1, 2] / 4
    z = math.e + math.e**2 + math.e**3
    loss0 = -math.log(math.e**3 / z)
    loss1 = -math.log(1 / 4)
    loss, dscores = softmax_cross_entropy(scores, y)
    assert loss == pytest.approx((loss0 + loss1) / 2, rel=1e-14)
    expected = np.array(
        [
            [math.e / z, math.e**2 / z, math.e**3 / z - 1],
            [1 / 4 - 1, 1 / 4, 2 / 4],
        ]
    )
    np.testing.assert_allclose(dscores, expected / 2, rtol=1e-13, atol=1e-16)


# --- multiclass SVM -----------------------------------------------------------------------------


def dlfs_cross_entropy(scores: np.ndarray, y: np.ndarray) -> float:
    """DLFS's ``softmax`` then ``cross_entropy_error`` (``common/functions.py``), by hand."""
    z = scores - scores.max(axis=-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    return float(-np.sum(np.log(p[np.arange(len(y)), y] + 1e-7)) / len(y))


def test_softmax_ce_is_exact_where_dlfss_adds_1e7_inside_the_log():
    """The docstring's account of DLFS's loss: log(1 + 1e-7 / p) lower per sample (about
    1e-7 / p), never above -log(1e-7); nnlab's is the exact -log p, however small p is."""
    y = np.array([0, 1, 2])
    for gap in (0.0, 5.0, 12.0, 40.0, 800.0):  # (how far the label's score is below the others)
        scores = np.array([[-gap, 0.0, 0.0], [0.3, -gap, 0.1], [1.0, 1.0, 1.0 - gap]])
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_p = shifted[np.arange(3), y] - np.log(np.exp(shifted).sum(axis=1))  # (exact)
        loss, _ = softmax_cross_entropy(scores, y)
        assert loss == pytest.approx(-log_p.mean(), rel=1e-14)
        dlfs = dlfs_cross_entropy(scores, y)
        assert dlfs == pytest.approx(np.mean(-np.logaddexp(log_p, math.log(1e-7))), rel=1e-9)
        assert dlfs <= -math.log(1e-7) + 1e-12
        if gap == 0.0:  # (p about 1/3: about 3e-7 lower)
            assert loss - dlfs == pytest.approx(np.mean(1e-7 / np.exp(log_p)), rel=1e-6)
    assert loss > 700 > -math.log(1e-7)  # (a gap of 800: the exact loss, DLFS's at 16.1)
    doc = " ".join(softmax_cross_entropy.__doc__.split())
    assert "DLFS's ``cross_entropy_error`` takes -log(p + 1e-7)" in doc


def test_svm_hinge_cs231n_example():
    # cs231n "Linear classification" notes: cat/car/frog scores for three images
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    y = np.array([0, 1, 2])
    # image 0: max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0
    # image 1: max(0, 1.3 - 4.9 + 1) + max(0, 2.0 - 4.9 + 1) = 0 + 0
    # image 2: max(0, 2.2 + 3.1 + 1) + max(0, 2.5 + 3.1 + 1) = 6.3 + 6.6
    loss, dscores = svm_hinge(scores, y)
    assert loss == pytest.approx((2.9 + 0.0 + 12.9) / 3, rel=1e-13)
    expected = np.array([[-1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -2.0]]) / 3
    np.testing.assert_allclose(dscores, expected, rtol=1e-15)


def test_svm_hinge_margin_argument():
    scores = np.array([[1.0, 0.5, 0.0]])
    y = np.array([0])
    # margin 1: (0.5 - 1 + 1) + (0 - 1 + 1) = 0.5 + 0; margin 2: 1.5 + 1.0
    assert svm_hinge(scores, y)[0] == pytest.approx(0.5)
    assert svm_hinge(scores, y, margin=2.0)[0] == pytest.approx(2.5)


# --- sigmoid binary cross-entropy ---------------------------------------------------------------


def test_sigmoid_bce_hand_computed_values():
    scores = np.array([[0.0], [2.0], [2.0], [-3.0]])
    y = np.array([1, 1, 0, 0])
    # -log(1/2), -log(sigmoid(2)), -log(1 - sigmoid(2)), -log(1 - sigmoid(-3))
    per_sample = [
        math.log(2.0),
        math.log(1 + math.exp(-2.0)),
        math.log(1 + math.exp(2.0)),
        math.log(1 + math.exp(-3.0)),
    ]
    loss, dscores = sigmoid_bce(scores, y)
    assert loss == pytest.approx(sum(per_sample) / 4, rel=1e-14)

    def sig(s):
        return 1 / (1 + math.exp(-s))

    expected = np.array([[sig(0.0) - 1], [sig(2.0) - 1], [sig(2.0)], [sig(-3.0)]]) / 4
    np.testing.assert_allclose(dscores, expected, rtol=1e-14)


# --- stability ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "scores", "y", "expected"),
    [
        ("softmax_ce", [[1e4, 0.0, -1e4], [1e4, 0.0, -1e4]], [0, 2], (0.0 + 2e4) / 2),
        ("softmax_ce", [[1e4, 1e4, 1e4]], [1], math.log(3)),
        ("svm", [[1e4, 0.0, -1e4], [1e4, 0.0, -1e4]], [0, 2], (0.0 + (2e4 + 1) + (1e4 + 1)) / 2),
        ("bce", [[1e4], [-1e4], [1e4], [-1e4]], [1, 0, 0, 1], (0.0 + 0.0 + 1e4 + 1e4) / 4),
    ],
)
def test_loss_is_finite_and_warning_free_on_huge_scores(loss, scores, y, expected):
    scores = np.array(scores)
    with (
        warnings.catch_warnings(),
        np.errstate(over="raise", divide="raise", invalid="raise"),  # underflow to 0 is fine
    ):
        warnings.simplefilter("error")
        value, dscores = LOSSES[loss](scores, np.array(y))
    assert math.isfinite(value)
    assert value == pytest.approx(expected, rel=1e-12)
    assert np.all(np.isfinite(dscores))
    assert np.all(np.abs(dscores) <= scores.shape[1])


# --- predictions and output units ---------------------------------------------------------------


def test_predict_is_argmax_or_positive_logit():
    scores = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]])
    np.testing.assert_array_equal(LOSSES["softmax_ce"].predict(scores), [1, 0])
    np.testing.assert_array_equal(LOSSES["svm"].predict(scores), [1, 0])
    np.testing.assert_array_equal(
        LOSSES["bce"].predict(np.array([[0.3], [-0.2], [0.0]])), [1, 0, 0]
    )


def test_a_score_not_finite_predicts_no_class_so_it_is_never_right():
    """argmax takes a NaN or +inf for the maximum and NaN > 0 is False: an overflowed row
    would read as some class."""
    nan, inf = np.nan, np.inf
    scores = np.array([[nan, nan, nan], [0.1, nan, 2.0], [3.0, 0.0, 0.0], [-inf, inf, 0]])
    for name in ("softmax_ce", "svm"):
        np.testing.assert_array_equal(LOSSES[name].predict(scores), [-1, -1, 0, -1])
    np.testing.assert_array_equal(
        LOSSES["bce"].predict(np.array([[nan], [0.3], [-inf], [-0.1]])), [-1, 1, -1, 0]
    )


def test_a_net_of_nan_outputs_scores_no_accuracy():
    net = build_mlp(4, [3], 2, rng_init=np.random.default_rng(0))
    net.params["affine2.W"][...] = np.nan  # (the last: ReLU maps NaN to 0)
    x = np.random.default_rng(1).normal(size=(20, 4)).astype(np.float32)
    loss, acc = net.evaluate(x, np.zeros(20, dtype=np.int64))  # all labels are class 0
    assert np.isnan(loss) and acc == 0.0


def test_output_units():
    assert LOSSES["softmax_ce"].units(10) == 10
    assert LOSSES["svm"].units(3) == 3
    assert LOSSES["bce"].units(2) == 1
    with pytest.raises(ValueError, match="2 classes"):
        LOSSES["bce"].units(3, "bce")


@pytest.mark.parametrize("shape", [(7, 2), (50, 10), (3, 40, 10), (6, 33)])
def test_last_axis_max_is_numpys_max_including_nan_and_inf(shape):
    from nnlab.nn.losses import last_axis_max

    rng = np.random.default_rng(5)
    a = rng.standard_normal(shape).astype(np.float32)
    flat = a.reshape(-1, shape[-1])
    flat[0, 0], flat[1, -1], flat[2, 1] = np.nan, np.inf, -np.inf
    out = last_axis_max(a)
    assert out.dtype == a.dtype and out.shape == (*shape[:-1], 1)
    assert np.array_equal(out, a.max(axis=-1, keepdims=True), equal_nan=True)


@pytest.mark.parametrize("loss", ["softmax_ce", "svm"])
def test_a_negative_label_is_refused_not_read_as_the_last_class(loss):
    # (-1 gave the loss of label C-1, where torch raises)
    scores = np.zeros((2, 3))
    with pytest.raises(ValueError, match="class indices >= 0, got -1"):
        LOSSES[loss].fn(scores, np.array([0, -1]))
