"""Loss landscapes: filter normalisation, the centre value equal to the model's loss, the line
equal to the plane's b = 0 row, HDF5 layout, and resume filling only the missing points."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

from nnlab.build import build_model, make_rngs
from nnlab.config import load_config
from nnlab.data import load_dataset
from nnlab.errors import ConfigError, RunError
from nnlab.experiments import landscape as ls
from nnlab.experiments.train import run_training
from nnlab.nn.layers import BatchNorm

SMALL = ["dataset.n_train=200", "model.hidden=[16, 12]", "batch_size=50", "epochs=2"]
FAST = ls.Settings(points=5, lo=-0.5, hi=0.5)


@pytest.fixture(scope="module")
def cfg():
    return load_config(None, SMALL)


@pytest.fixture(scope="module")
def data(cfg):
    return load_dataset(cfg.dataset, None, cfg.dtype)


def test_filter_normalize_gives_each_column_the_norm_of_the_weight_column():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((7, 5)) * np.array([0.1, 1.0, 3.0, 0.0, 0.5])
    d = ls.filter_normalize(rng.standard_normal((7, 5)), W)
    np.testing.assert_allclose(np.linalg.norm(d, axis=0), np.linalg.norm(W, axis=0), rtol=1e-12)
    assert np.all(d[:, 3] == 0)  # a zero filter stays zero
    assert not np.allclose(np.linalg.norm(d, axis=1), np.linalg.norm(W, axis=1))  # not rows


def test_filter_normalize_is_li_et_als_rescaling_without_its_1e_10():
    """Li et al.'s normalize_direction: d.mul_(w.norm() / (d.norm() + 1e-10)) per filter (a
    torch row: a column here). The docstring names the 1e-10 left out; it changes nothing a
    landscape can show."""
    rng = np.random.default_rng(2)
    W, d = rng.standard_normal((784, 100)) * 0.05, rng.standard_normal((784, 100))
    ours = ls.filter_normalize(d, W)
    theirs = d * (np.linalg.norm(W, axis=0) / (np.linalg.norm(d, axis=0) + 1e-10))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=0)
    assert "||d[:, j]|| + 1e-10" in " ".join(ls.filter_normalize.__doc__.split())


def test_filter_directions_match_every_weight_filter_and_skip_biases_and_batchnorm(cfg, data):
    c = cfg.model_copy(update={"model": cfg.model.model_copy(update={"batchnorm": True})})
    model = build_model(c, data.input_dim, data.n_classes, make_rngs(0))
    d1, d2 = ls.make_directions(model, ls.Settings(normalize="filter"))
    weights = ls.affine_weights(model)
    assert weights == ["affine1.W", "affine2.W", "affine3.W"]
    for d in (d1, d2):
        for key, p in model.params.items():
            assert d[key].dtype == p.dtype and d[key].shape == p.shape
            if key in weights:
                np.testing.assert_allclose(
                    np.linalg.norm(d[key], axis=0), np.linalg.norm(p, axis=0), rtol=1e-5
                )
            else:
                assert not d[key].any(), key  # biases, gamma, beta: direction 0
    assert any(isinstance(layer, BatchNorm) for layer in model.layers.values())
    assert not np.allclose(d1["affine1.W"], d2["affine1.W"])


def test_plain_directions_are_gaussian_over_every_parameter(cfg, data):
    model = build_model(cfg, data.input_dim, data.n_classes, make_rngs(0))
    d1, _ = ls.make_directions(model, ls.Settings(normalize="none"))
    assert all(d1[k].any() for k in model.params)
    assert d1["affine1.W"].std() == pytest.approx(1.0, abs=0.1)


def test_axis_has_an_exact_zero_and_the_range_parses():
    a = ls.axis(-1.0, 1.0, 51)
    assert a[25] == 0.0 and a[0] == -1.0 and a[-1] == 1.0
    assert ls.parse_range("-0.5:2") == (-0.5, 2.0)
    with pytest.raises(ConfigError, match="--range"):
        ls.parse_range("1")


@pytest.mark.parametrize(
    "bad",
    [{"normalize": "layer"}, {"lo": 1.0, "hi": -1.0}, {"points": 1}, {"samples": -1}],
)
def test_bad_settings_are_config_errors(bad):
    with pytest.raises(ConfigError):
        ls.Settings(**bad).check()


@pytest.mark.parametrize(
    ("lo", "hi", "points", "says"),
    [
        (-1.0, 1.0, 50, "50 points from -1 to 1 leave out the centre W (0); expected a count "
         "that puts a point at 0 (an odd one: its middle point), e.g. --points 51"),
        (-0.5, 0.5, 2, "e.g. --points 3"),
        (-1.0, 2.0, 51, "51 points from -1 to 2 leave out the centre W (0); expected a count "
         "that puts a point at 0, e.g. --points 52"),
        (-0.123456, 1.0, 51, "no count up to 1001 has one: give a range such as -1:1"),
        (0.5, 1.0, 5, "--range: 0.5:1 leaves out the centre W (0); expected LO <= 0 <= HI"),
    ],
)  # fmt: skip
def test_a_new_grid_without_a_point_at_its_centre_is_refused_before_a_folder(
    lo, hi, points, says, tmp_path
):
    # (--points 50 evaluated a = -0.0204 and 0.0204, never the centre the figure's star marks)
    settings = ls.Settings(lo=lo, hi=hi, points=points)
    settings.check()  # (a folder's grid made so before stays readable)
    with pytest.raises(ConfigError, match="centre") as refused:
        ls.landscape("no-such.yaml", settings=settings, runs_dir=tmp_path / "runs")
    assert says in str(refused.value)
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(("lo", "hi", "points"), [(-1, 1, 51), (-1, 2, 52), (0, 1, 4), (-3, 0, 2)])
def test_a_grid_through_its_centre_is_accepted(lo, hi, points):
    ls.Settings(lo=lo, hi=hi, points=points).check_new()
    assert (ls.axis(lo, hi, points) == 0.0).sum() == 1


@pytest.mark.slow
def test_a_folder_made_with_an_even_count_before_the_refusal_still_reads_and_resumes(
    cfg, data, tmp_path, monkeypatch
):
    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [8]}\n")
    even = ls.Settings(points=4, lo=-0.5, hi=0.5)
    monkeypatch.setattr(ls.Settings, "check_new", ls.Settings.check)  # (as an older nnlab did)
    made = ls.landscape(str(path), settings=even, runs_dir=tmp_path, data=data)
    monkeypatch.undo()
    assert "centre_loss" not in made.summary
    assert ls.read_run(made.run)["settings"].points == 4
    with h5py.File(made.run.file(ls.FILE), "r+") as f:  # (its last row not evaluated yet)
        f["grid/loss"][3] = np.nan
    resumed = ls.resume_landscape(made.run, data=data)
    assert resumed.computed == 4
    np.testing.assert_array_equal(resumed.grid_loss, made.grid_loss)


@pytest.mark.parametrize("extra", [[], ["model.batchnorm=true"]])
def test_centre_of_a_trained_run_equals_the_runs_recorded_train_loss(extra, data, tmp_path):
    cfg = load_config(None, [*SMALL, "dtype=float64", *extra])
    trained = run_training(cfg, runs_dir=tmp_path, data=load_dataset(cfg.dataset, None, "float64"))
    recorded = trained.records[-1]["train_loss"]
    result = ls.landscape(str(trained.run.path), settings=FAST, runs_dir=tmp_path)
    c = 2  # alphas = -0.5, -0.25, 0, 0.25, 0.5
    assert result.alphas[c] == 0.0
    assert result.grid_loss[c, c] == pytest.approx(recorded, rel=1e-12)
    assert result.line_loss[c] == result.grid_loss[c, c]
    assert result.summary["centre_loss"] == result.grid_loss[c, c]
    assert result.grid_acc[c, c] == trained.records[-1]["train_acc"]


def test_centre_of_a_config_is_its_initial_models_loss(cfg, data, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [16, 12]}\n")
    result = ls.landscape(str(path), settings=FAST, runs_dir=tmp_path / "runs", data=data)
    c2 = load_config(path)
    model = build_model(c2, data.input_dim, data.n_classes, make_rngs(c2.seed))
    loss, acc = model.evaluate(*data.splits["train"], c2.eval_batch_size)
    assert result.grid_loss[2, 2] == pytest.approx(loss, rel=1e-5)
    assert result.grid_acc[2, 2] == acc


@pytest.mark.slow
def test_line_equals_the_planes_b0_column_and_the_file_holds_everything(cfg, data, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [16, 12]}\n")
    result = ls.landscape(str(path), settings=FAST, runs_dir=tmp_path / "runs", data=data)
    np.testing.assert_array_equal(result.line_loss, result.grid_loss[:, 2])
    assert result.computed == 5 + 25 and not np.isnan(result.grid_loss).any()
    run = result.run
    for name in ("landscape.h5", "landscape-1d.png", "landscape-2d.png", "summary.json"):
        assert run.file(name).exists(), name
    with h5py.File(run.file("landscape.h5"), "r") as f:
        assert f["grid/loss"].shape == (5, 5) and f.attrs["normalize"] == "filter"
        assert (
            set(f["directions/d1"])
            == set(f["centre/params"])
            == {
                "affine1.W",
                "affine1.b",
                "affine2.W",
                "affine2.b",
                "affine3.W",
                "affine3.b",
            }
        )
    summary = json.loads(run.file("summary.json").read_text())
    assert summary["grid"]["computed"] == 25 and summary["points"] == 5
    assert run.meta["status"] == "COMPLETED" and run.meta["kind"] == "landscape"


@pytest.mark.slow
def test_resume_evaluates_only_the_missing_points(cfg, data, tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [16, 12]}\n")
    full = ls.landscape(str(path), settings=FAST, runs_dir=tmp_path, data=data)
    h5 = full.run.file("landscape.h5")
    missing = [(0, 0), (1, 3), (4, 4)]
    with h5py.File(h5, "r+") as f:
        grid = f["grid/loss"][()]
        for i, j in missing:
            grid[i, j] = np.nan
        grid[3, 1] = np.inf  # a non-finite point is final: not retried
        f["grid/loss"][...] = grid
        line = f["line/loss"][()]
        line[2] = np.nan
        f["line/loss"][...] = line

    calls = []
    original = ls.loss_at

    def counting(model, centre, d1, d2, a, b, *args):
        calls.append((d2 is not None, a, b))
        return original(model, centre, d1, d2, a, b, *args)

    monkeypatch.setattr(ls, "loss_at", counting)
    resumed = ls.resume_landscape(full.run, data=data)
    alphas = full.alphas
    expected = {(False, 0.0, 0.0)} | {(True, alphas[i], alphas[j]) for i, j in missing}
    assert set(calls) == expected and len(calls) == 4
    assert resumed.computed == 4
    for i, j in missing:
        assert resumed.grid_loss[i, j] == full.grid_loss[i, j]
    assert resumed.grid_loss[3, 1] == np.inf
    assert resumed.line_loss[2] == full.line_loss[2]
    assert len(full.run.meta["resumes"]) == 1


@pytest.mark.slow
def test_an_interrupted_grid_keeps_its_finished_rows_and_resume_completes_it(
    cfg, data, tmp_path, monkeypatch
):
    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [16, 12]}\n")
    original = ls.loss_at
    count = {"n": 0}

    def dies(*args):
        count["n"] += 1
        if count["n"] > 5 + 12:  # the line, two grid rows and two points of the third
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(ls, "loss_at", dies)
    with pytest.raises(KeyboardInterrupt):
        ls.landscape(str(path), settings=FAST, runs_dir=tmp_path, out=tmp_path / "land", data=data)
    run = ls.runs.RunDir(tmp_path / "land")
    assert run.meta["status"] == "INTERRUPTED"
    with h5py.File(run.file("landscape.h5"), "r") as f:
        grid = f["grid/loss"][()]
    assert not np.isnan(grid[:2]).any() and np.isnan(grid[2:]).all()
    monkeypatch.setattr(ls, "loss_at", original)
    # rerunning into the same folder with the same settings resumes
    done = ls.landscape(
        str(path), settings=FAST, runs_dir=tmp_path, out=tmp_path / "land", data=data
    )
    assert done.computed == 15 and not np.isnan(done.grid_loss).any()
    fresh = ls.landscape(str(path), settings=FAST, runs_dir=tmp_path / "b", data=data)
    np.testing.assert_array_equal(done.grid_loss, fresh.grid_loss)


@pytest.mark.slow
def test_same_folder_with_other_settings_is_refused(cfg, data, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [8]}\n")
    ls.landscape(str(path), settings=FAST, runs_dir=tmp_path, out=tmp_path / "land", data=data)
    other = ls.Settings(points=7, lo=-0.5, hi=0.5)
    with pytest.raises(ConfigError, match="points 5 != 7"):
        ls.landscape(str(path), settings=other, runs_dir=tmp_path, out=tmp_path / "land", data=data)


def test_a_folder_without_a_checkpoint_is_not_a_source(cfg, data, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [8]}\n")
    first = ls.landscape(str(path), settings=FAST, runs_dir=tmp_path, data=data)
    with pytest.raises(RunError, match="a landscape folder; this command needs a train folder"):
        ls.landscape(str(first.run.path), settings=FAST, runs_dir=tmp_path, data=data)


def _edit(f, key, make):
    data = make(f[key][()])
    del f[key]
    f[key] = data


# An edited or damaged landscape.h5 was resumed: its missing points evaluated and mixed with
# the rest (another axis, a non-finite direction, a grid of int8), or the resume failed half-way
# and recorded the folder FAILED (a grid cut short, a direction of bytes).
EDITS = {
    "another axis": ("alphas", lambda a: np.where(a == a[0], -5.0, a), "'alphas' is not the axis"),
    "a NaN in a direction": ("directions/d1/affine1.W",
                             lambda w: np.where(np.arange(w.size).reshape(w.shape) == 0, np.nan, w),
                             "'directions/d1/affine1.W' holds non-finite values"),
    "a grid of int8": ("grid/loss", lambda g: np.zeros(g.shape, np.int8), "'grid/loss' is int8[5, 5]"),
    "a grid cut short": ("grid/loss", lambda g: g[:2], "'grid/loss' is float64[2, 5]"),
    "a direction of bytes": ("directions/d2/affine1.b", lambda b: np.array([b"x"] * b.size),
                             "'directions/d2/affine1.b' is |S1"),
    "a negative loss": ("line/loss", lambda v: -np.abs(v) - 1, "'line/loss' holds a negative loss"),
    "an accuracy of 2": ("grid/acc", lambda v: v * 0 + 2, "'grid/acc' holds a value outside [0, 1]"),
    "a missing centre array": ("centre/params/affine1.b", None, "'centre/params' holds"),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_a_resume_refuses_an_edited_landscape_file_and_changes_nothing(data, tmp_path, edit):
    from tests.conftest import invoke
    from tests.faults.helpers import set_meta

    key, make, message = EDITS[edit]
    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [8]}\n")
    done = ls.landscape(str(path), settings=FAST, runs_dir=tmp_path, out=tmp_path / "l", data=data)
    set_meta(done.run, status="INTERRUPTED")
    h5 = done.run.file("landscape.h5")
    with h5py.File(h5, "r+") as f:
        f["grid/loss"][1, 1] = np.nan  # (a point left to evaluate)
        if make is None:
            del f[key]
        else:
            _edit(f, key, make)
    before = {p.name: p.read_bytes() for p in done.run.path.iterdir() if p.is_file()}
    result = invoke("landscape", "--resume", str(done.run.path), runs_dir=tmp_path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {h5}: ") and message in result.stderr, result.stderr
    assert before == {p.name: p.read_bytes() for p in done.run.path.iterdir() if p.is_file()}


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _drop_axis(path):
    with h5py.File(path, "r+") as f:
        del f["alphas"]


def _torn_row(path):
    """What a kill between a row's two writes left when the losses went first (the listing,
    ``runs show`` and the report read it as sound; ``--resume`` refused it)."""
    with h5py.File(path, "r+") as f:
        f["grid/acc"][2] = np.nan


def _set(key, value):
    def edit(path):
        with h5py.File(path, "r+") as f:
            f[key][0] = value

    return edit


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (_truncate, "not a readable landscape file (Unable to synchronously open file"),
        (lambda p: p.write_bytes(b"\x00garbage"), "not a readable landscape file"),
        (_drop_axis, "not a landscape file as nnlab writes one (no alphas)"),
        (_torn_row, "'grid/acc' has no accuracy at a point 'grid/loss' holds"),
        (_set("line/loss", -1.0), "'line/loss' holds a negative loss"),
        (_set("grid/acc", 2.0), "'grid/acc' holds a value outside [0, 1]"),
        (_set("alphas", 0.5), "'alphas' is not the axis of its settings"),
    ],
    ids=["truncated", "garbage", "no axis", "torn row", "negative loss", "accuracy 2", "axis"],
)
def test_a_damaged_landscape_file_is_damaged_in_every_reader(data, tmp_path, damage, says):
    # (runs list, runs show and the report read the folder as sound: only --resume opened it)
    from tests.conftest import invoke

    path = tmp_path / "c.yaml"
    path.write_text("dataset: {name: digits, n_train: 200}\nmodel: {hidden: [8]}\n")
    done = ls.landscape(str(path), settings=FAST, runs_dir=tmp_path, out=tmp_path / "l", data=data)
    h5 = done.run.file("landscape.h5")
    damage(h5)
    listed = invoke("runs", "list", "-f", "json", runs_dir=tmp_path)
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "DAMAGED" and row["reason"].startswith(f"{h5}: {says}"), row
    shown = invoke("runs", "show", str(done.run.path), runs_dir=tmp_path)
    assert shown.exit_code == 2 and shown.stderr.startswith(f"error: {h5}: {says}"), shown.output
    report = invoke("report", runs_dir=tmp_path)
    assert f"warning: {done.run.id}: DAMAGED" in report.stderr, report.output


def test_a_split_a_runs_data_lacks_is_an_error_of_split_naming_the_ones_it_has(data):
    # (it said 'set dataset.n_val > 0': a run's data cannot change, its landscape takes no
    # override)
    from nnlab.errors import OptionError

    with pytest.raises(OptionError) as caught:
        ls.eval_split(data, ls.Settings(split="val"), of_run=True)
    assert str(caught.value) == (
        "--split: the digits data has no 'val' split (it has train, test); give --split train "
        "or test"
    )


def test_the_figures_name_the_run_they_are_centred_on(cfg, data, tmp_path, monkeypatch):
    # (they said only the config's name: the landscapes of two trials of one sweep, the
    # winners of a study, read 'bn-init: filter-normalised directions' alike)
    from nnlab import plots

    trained = run_training(cfg, runs_dir=tmp_path, data=data)
    titles = []
    monkeypatch.setattr(plots, "landscape_line_figure", lambda *a: titles.append(a[-2:]))
    monkeypatch.setattr(plots, "landscape_contour_figure", lambda *a: titles.append(a[-2:]))
    monkeypatch.setattr(plots, "save", lambda *args: None)
    result = ls.landscape(str(trained.run.path), settings=FAST, runs_dir=tmp_path / "ls", data=data)
    expected = (f"{cfg.name}, run {trained.run.id.split('-', 2)[2]} (epoch 2)\n"
                "filter-normalised directions, train split")  # fmt: skip
    # (and the landscape's own run first: a figure copied out of its folder says which made it)
    assert titles == [(expected, result.run.id)] * 2


def test_the_summary_table_groups_the_thousands_of_its_points_as_its_title_does():
    # (the plane read 2601/2601 points beside 'evaluated 2,652 points')
    from nnlab.experiments.landscape_summary import table_rows

    stats = {"points": 2601, "computed": 2601, "not_finite": 0, "min_loss": 0.5, "max_loss": 2.0}
    line = {**stats, "points": 51, "computed": 51}
    rows = table_rows({"line": line, "grid": stats, "centre_loss": 1.0})
    assert [r["points"] for r in rows] == ["51/51", "2,601/2,601"]


@pytest.mark.parametrize(
    "png, line",
    [
        ("docs/landscape-2d.png", "docs/landscape-1d.png"),
        ("docs/plane.png", "docs/plane-1d.png"),
        ("2d-view-2D.PNG", "2d-view-1d.PNG"),  # (the last 2d, in any case)
    ],
)
def test_png_copies_the_plane_to_it_and_the_line_beside_it(tmp_path, png, line):
    from nnlab.experiments.landscape_summary import figure_copies

    folder = tmp_path / "land"
    assert figure_copies(folder, tmp_path / png) == [
        (folder / "landscape-2d.png", tmp_path / png),
        (folder / "landscape-1d.png", tmp_path / line),
    ]
    assert figure_copies(folder, None) == []
