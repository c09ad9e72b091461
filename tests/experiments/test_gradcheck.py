"""The gradient-check library: every row passes on correct code, planted bugs fail by name,
kink crossings are counted and explained, subsets are seeded, differences behave as theory says."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.config import load_config
from nnlab.errors import NnlabError
from nnlab.experiments import (
    differences as df,
    gradcheck as gc,
    gradcheck_builtin as gb,
    gradcheck_config as gcf,
    gradcheck_report as gr,
)
from nnlab.nn.layers import ReLU
from nnlab.nn.model import build_mlp
from tests.conftest import plant_affine_without_bias_gradient, plant_sigmoid_without_one_minus_y


@pytest.fixture(scope="module")
def builtin_rows() -> list[gc.Row]:
    return gb.check_builtin()


def by_name(rows: list[gc.Row]) -> dict[tuple[str, str, str], gc.Row]:
    return {(r.group, r.layer, r.param): r for r in rows}


def test_builtin_check_passes_every_row_below_1e7(builtin_rows):
    assert builtin_rows
    bad = [r for r in builtin_rows if r.verdict != "pass" or not r.max_rel_error < 1e-7]
    assert bad == []
    assert gr.summarize(builtin_rows)["ok"] is True


def test_builtin_covers_every_layer_input_and_parameter_and_every_loss(builtin_rows):
    rows = by_name(builtin_rows)
    for layer, params in {
        "Affine": ("x", "W", "b"),
        "ReLU": ("x",),
        "Sigmoid": ("x",),
        "Tanh": ("x",),
        "BatchNorm/train": ("x", "gamma", "beta"),
        "BatchNorm/eval": ("x", "gamma", "beta"),
        "Dropout/mask": ("x",),
    }.items():
        for p in params:
            assert ("layer", layer, p) in rows
    for loss in ("softmax_ce", "svm", "bce"):
        assert ("loss", loss, "scores") in rows


def test_builtin_covers_a_network_of_each_kind(builtin_rows):
    groups = {r.group for r in builtin_rows if r.group.startswith("net ")}
    assert groups == {f"net {kind}" for kind in gb.NETS}
    specs = list(gb.NETS.values())
    assert {s.get("activation") for s in specs} == {"relu", "sigmoid", "tanh"}
    assert {s.get("loss", "softmax_ce") for s in specs} == {"softmax_ce", "svm", "bce"}
    assert any(s.get("batchnorm") for s in specs)
    assert any(s.get("dropout") for s in specs)
    assert any(s.get("weight_decay") for s in specs)
    bn_rows = [r for r in builtin_rows if r.group == "net relu batchnorm"]
    assert {(r.layer, r.param) for r in bn_rows} >= {("bn1", "gamma"), ("bn2", "beta")}


def test_sigmoid_backward_without_one_minus_y_fails_and_names_the_layer(monkeypatch):
    plant_sigmoid_without_one_minus_y(monkeypatch)
    rows = gb.check_builtin()
    failed = {(r.group, r.layer, r.param) for r in rows if r.verdict == "fail"}
    assert ("layer", "Sigmoid", "x") in failed
    assert ("net sigmoid svm", "affine1", "W") in failed
    # the bug sits below affine3 in the sigmoid net: affine3's own gradients are unaffected
    assert ("net sigmoid svm", "affine3", "W") not in failed
    assert not any(g.startswith("net relu") for g, _, _ in failed)


def test_affine_without_bias_gradient_fails_on_every_bias_that_matters(monkeypatch):
    plant_affine_without_bias_gradient(monkeypatch)
    rows = by_name(gb.check_builtin())
    assert rows[("layer", "Affine", "b")].verdict == "fail"
    assert rows[("layer", "Affine", "W")].verdict == "pass"
    assert rows[("net relu softmax", "affine2", "b")].verdict == "fail"
    # a bias just before BatchNorm has a zero gradient: dropping it is not an error there
    assert rows[("net relu batchnorm", "affine1", "b")].verdict == "pass"
    lines = gr.failures(list(rows.values()))
    assert any("Affine b" in line for line in lines)


def test_relu_input_within_eps_of_zero_is_counted_as_a_kink_and_explains_the_error():
    x = np.array([[1.0, -2.0, 1e-7], [0.5, -0.3, 2.0]])
    (row,) = gc.check_layer(ReLU(), x, eps=1e-5)
    assert row.kinks == 1
    assert row.max_rel_error > gc.FAIL_ABOVE  # the numeric slope there is about 1/2
    assert row.verdict == "warn"


def test_a_kink_does_not_excuse_a_wrong_backward(monkeypatch):
    monkeypatch.setattr(ReLU, "backward", lambda self, dout: np.where(self.x > 0, 0.5 * dout, 0))
    x = np.array([[1.0, -2.0, 1e-7], [0.5, -0.3, 2.0]])
    (row,) = gc.check_layer(ReLU(), x, eps=1e-5)
    assert row.kinks == 1
    assert row.verdict == "fail"


def test_svm_margin_within_eps_of_zero_is_counted_as_a_kink():
    scores = np.array([[2.0, 1.0 + 1e-7, -1.0], [0.0, 3.0, 0.5]])  # row 0: margin 1e-7 at j=1
    y = np.array([0, 1])
    row = gc.check_loss("svm", scores, y)
    assert row.kinks >= 1
    assert row.verdict in ("warn", "pass")
    far = gc.check_loss("svm", np.array([[2.0, 0.5, -1.0], [0.0, 3.0, 0.5]]), y)
    assert far.kinks == 0 and far.verdict == "pass"


@pytest.mark.parametrize(
    ("error", "off_kinks", "expected"),
    [(1e-9, 1e-9, "pass"), (1e-6, 1e-6, "warn"), (1e-3, 1e-3, "fail"), (1e-3, 1e-9, "warn")],
)
def test_verdict_follows_the_cs231n_thresholds(error, off_kinks, expected):
    assert gc.verdict(error, off_kinks) == expected


def test_entry_subsets_are_seeded_distinct_and_bounded():
    a = gc.pick_entries((30, 40), 200, np.random.default_rng(3))
    b = gc.pick_entries((30, 40), 200, np.random.default_rng(3))
    c = gc.pick_entries((30, 40), 200, np.random.default_rng(4))
    assert a == b and a != c
    assert len(set(a)) == 200 and all(0 <= i < 30 and 0 <= j < 40 for i, j in a)
    assert gc.pick_entries((3, 4), 200, np.random.default_rng(0)) == list(np.ndindex(3, 4))


def test_max_entries_limits_each_parameter_and_records_the_size():
    model, x, y = gb.small_net("relu softmax")
    rows = gc.check_model(model, x, y, group="g", max_entries=10)
    w1 = next(r for r in rows if (r.layer, r.param) == ("affine1", "W"))
    assert (w1.checked, w1.size) == (10, 42)
    assert all(r.checked == min(10, r.size) for r in rows)
    assert all(r.verdict == "pass" for r in rows)


def test_check_model_refuses_float32_and_a_single_sample_with_batchnorm():
    rng = np.random.default_rng(0)
    m32 = build_mlp(3, [4], 2, rng_init=rng, dtype=np.float32)
    with pytest.raises(NnlabError, match="float64"):
        gc.check_model(m32, np.zeros((4, 3)), np.zeros(4, dtype=int), group="g")
    bn = build_mlp(3, [4], 2, batchnorm=True, rng_init=rng, dtype=np.float64)
    with pytest.raises(NnlabError, match="at least 2"):
        gc.check_model(bn, np.ones((1, 3)), np.zeros(1, dtype=int), group="g")


@pytest.mark.parametrize("eps", [0.0, -1e-5, float("nan"), 1.0])
def test_bad_eps_is_refused(eps):
    with pytest.raises(NnlabError, match="--eps"):
        gb.check_builtin(gc.CheckSettings(eps=eps))


def test_centred_beats_forward_and_both_errors_are_u_shaped():
    model, x, y = gb.small_net(df.COMPARE_NET)
    d = df.compare_differences(model, x, y)
    assert d.param == "affine1.W" and d.steps[0] == 1e-1 and d.steps[-1] == 1e-10
    at = {h: i for i, h in enumerate(d.steps)}
    i5 = at[1e-5]
    assert d.centred[i5] < d.forward[i5] / 100
    for errors in (d.forward, d.centred):
        best = int(np.argmin(errors))
        assert 0 < best < len(errors) - 1  # truncation falls, then round-off rises
        assert errors[0] > 10 * errors[best] and errors[-1] > 10 * errors[best]
    # truncation slopes: O(h) forward, O(h^2) centred between 1e-2 and 1e-3
    i2, i3 = at[1e-2], at[1e-3]
    assert 5 < d.forward[i2] / d.forward[i3] < 20
    assert 50 < d.centred[i2] / d.centred[i3] < 200
    assert d.best()["centred"][0] in (1e-4, 1e-5, 1e-6)
    assert d.numeric_seconds > 0 and d.analytic_seconds > 0 and d.timed_entries == 42


def test_compare_differences_unknown_param_names_the_choices():
    model, x, y = gb.small_net(df.COMPARE_NET)
    with pytest.raises(NnlabError, match="affine1.W"):
        df.compare_differences(model, x, y, "bn1.gamma")


def tiny_config(tmp_path, **model):
    path = tmp_path / "tiny.yaml"
    lines = [
        "name: tiny",
        "dtype: float32",
        "dataset: {name: blobs, n_per_class: 20, n_classes: 3, dim: 4}",
        "loss: svm",
        "weight_decay: 0.01",
        "model: {hidden: [6, 5], batchnorm: true, dropout: 0.2}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_config_mode_checks_that_networks_parameters_in_float64(tmp_path):
    cfg = load_config(tiny_config(tmp_path))
    rows = gcf.check_config(cfg, settings=gc.CheckSettings(batch=6))
    names = [(r.layer, r.param) for r in rows]
    assert names[:4] == [("affine1", "W"), ("affine1", "b"), ("bn1", "gamma"), ("bn1", "beta")]
    assert ("affine3", "W") in names and rows[0].shape == (4, 6)
    assert all(r.group == "config tiny" for r in rows)
    assert all(r.verdict == "pass" for r in rows), rows
    model, x, _ = gcf.config_target(cfg, batch=6)
    assert model.dtype == np.float64 and x.dtype == np.float64 and x.shape == (6, 4)


def test_svm_scores_for_the_largest_batch_come_at_once_off_the_kink():
    # (scores were redrawn until no margin of the batch was near 0: with --batch 512 or more,
    # up to its bound of 4096, that never came and 'nnlab gradcheck' hung)
    import signal

    def stop(*_):
        raise TimeoutError("_svm_scores did not return within 20 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(20)
    try:
        scores = gb._svm_scores(np.random.default_rng(0), 4096, 5)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    y = np.arange(4096) % 5
    margins = scores - scores[np.arange(4096), y][:, None] + 1.0
    margins[np.arange(4096), y] = 1.0
    assert scores.shape == (4096, 5) and np.min(np.abs(margins)) > 0.05


def test_a_failure_whose_error_is_no_number_says_the_loss_is_not_finite():
    # (weights that overflow, model.init_std=1e200: every row failed with "max rel error nan")
    cfg = load_config(None, ["model.init=std", "model.init_std=1e200", "dataset.n_train=40"])
    with np.errstate(all="ignore"):  # (the command line silences NumPy's overflow warnings)
        rows = gcf.check_config(cfg)
    assert rows and all(r.verdict == "fail" for r in rows)
    lines = gr.failures(rows)
    assert all("not finite at these weights" in line and "nan" not in line for line in lines)
    finite = gc.Row("layer", "Affine", "W", (2, 2), 4, 4, 0.5, 0, "fail")
    assert gr.failures([finite]) == ["FAIL layer: Affine W (max rel error 5.00e-01)"]


def test_an_override_where_the_config_goes_is_refused_unless_it_names_a_file(tmp_path):
    from pathlib import Path

    from nnlab.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^epochs=2: an override needs a config file first"):
        gcf.check_config_path(Path("epochs=2"))
    odd = tmp_path / "a=b.yaml"  # (a file whose name holds '=' is a config)
    odd.write_text("epochs: 2\n")
    gcf.check_config_path(odd)
    gcf.check_config_path(None)
    gcf.check_config_path(tmp_path / "plain.yaml")  # (one that is not there: load_config says so)


def test_check_gradients_chooses_the_resume_the_comparison_or_the_plain_check(
    tmp_path, monkeypatch
):
    from pathlib import Path

    from nnlab.errors import ConfigError, OptionError
    from nnlab.experiments import differences as df, gradcheck_report as gr

    asked: dict[str, object] = {}
    monkeypatch.setattr(
        df, "resume_differences", lambda ref, **kw: asked.update(what="resume", ref=ref, **kw)
    )
    monkeypatch.setattr(
        df, "run_differences", lambda cfg, *a, **kw: asked.update(what="compare", cfg=cfg, **kw)
    )
    monkeypatch.setattr(gr, "run_gradcheck", lambda cfg, *a, **kw: asked.update(what="plain", cfg=cfg))  # fmt: skip
    gr.check_gradients(resume="latest", runs_dir=tmp_path, say=print)
    assert asked["what"] == "resume" and asked["ref"] == "latest" and asked["on_start"]
    with pytest.raises(ConfigError, match="^--param: not with --resume"):
        gr.check_gradients(resume="latest", param="affine1.W")
    gr.check_gradients(compare_differences=True, param="affine1.b", out=tmp_path / "d")
    assert asked["what"] == "compare" and asked["param"] == "affine1.b" and asked["cfg"] is None
    with pytest.raises(OptionError, match="^--out: goes with --compare-differences"):
        gr.check_gradients(out=tmp_path / "d")
    config = Path(__file__).resolve().parents[2] / "configs" / "digits-quickstart.yaml"
    gr.check_gradients(config, ["model.batchnorm=true"])
    assert asked["what"] == "plain" and asked["cfg"].model.batchnorm
