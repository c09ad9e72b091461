"""The step-size scan: log-spaced rates, one true gradient step per rate, the minimum marked,
divergence recorded as such, and a run folder with its table and figure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnlab.build import build_model, make_rngs
from nnlab.config import load_config
from nnlab.data import load_dataset
from nnlab.errors import NnlabError
from nnlab.experiments import lr_scan as scan

SMALL = ["dataset.n_train=300", "model.hidden=[20]", "batch_size=50", "optimizer.name=sgd"]


@pytest.fixture(scope="module")
def cfg():
    return load_config(None, SMALL)


@pytest.fixture(scope="module")
def data(cfg):
    return load_dataset(cfg.dataset, None, cfg.dtype)


def test_step_sizes_are_exact_powers_of_ten_from_min_to_max():
    rates = scan.step_sizes(-10, -1, 10)
    assert rates == [10.0**k for k in range(-10, 0)]
    assert scan.step_sizes(-2, 0, 5)[2] == pytest.approx(0.1)
    assert scan.step_sizes(-3, -2, 2) == [1e-3, 1e-2]


@pytest.mark.parametrize(
    ("lo", "hi", "num"), [(-1, -3, 5), (-3, -1, 0), (-3, -3, 3), (-3, -1, 1), (-3, -3, 1)]
)
def test_step_sizes_reject_an_empty_or_reversed_range(lo, hi, num):
    # (-3, -3, 3: one rate, trained three times over, then "widen the range (--max)"; --num 1
    # scanned 10^max alone, whatever --min said: a scan of one rate is a training run)
    with pytest.raises(NnlabError):
        scan.step_sizes(lo, hi, num)


def test_one_step_follows_the_full_gradient_to_first_order(cfg, data):
    # L(W - eta g) = L(W) - eta ||g||^2 + O(eta^2): the step is along the full-batch gradient.
    model = build_model(cfg.model_copy(update={"dtype": "float64"}), 64, 10, make_rngs(cfg.seed))
    x, y = data.splits["train"]
    model.loss_and_grads(x.astype(np.float64), y)
    g2 = sum(float(np.sum(g * g)) for g in model.grads.values())
    eta = 1e-4
    initial, (after,) = scan.one_step_losses(cfg, data, [eta])
    assert (initial - after) / eta == pytest.approx(g2, rel=1e-2)


def test_small_steps_are_visible_although_the_run_is_float32(cfg, data):
    initial, losses = scan.one_step_losses(cfg, data, [1e-9, 1e-6])
    assert cfg.dtype == "float32"
    assert losses[0] < initial  # float32 would round W - 1e-9 g back to W
    assert losses[1] < losses[0]


def test_table_marks_the_rate_with_the_lowest_loss_of_each_part():
    records = {
        "a": ("COMPLETED", [{"epoch": 2, "train_loss": 0.9, "train_acc": 0.5}]),
        "b": ("COMPLETED", [{"epoch": 2, "train_loss": 0.3, "train_acc": 0.9}]),
        "c": ("DIVERGED", [{"epoch": 1, "train_loss": None, "train_acc": 0.1}]),
    }
    rows = scan.table_rows([0.01, 0.1, 1.0], [2.0, 1.5, None], list(records.values()))
    assert [r["best"] for r in rows] == ["", "step, train", ""]
    rows = scan.table_rows([0.01, 0.1, 1.0], [1.0, 1.5, None], list(records.values()))
    assert [r["best"] for r in rows] == ["step", "train", ""]
    assert rows[2]["diverged"] == "step, train (epoch 1)"
    assert rows[2]["train_loss"] is None and rows[2]["step_loss"] is None


def test_scan_writes_a_run_folder_whose_table_marks_the_minimum(cfg, data, tmp_path):
    result = scan.lr_scan(cfg, min_exp=-3, max_exp=0, num=4, epochs=1, data=data, runs_dir=tmp_path)
    run = result.run
    for name in ("config.yaml", "meta.json", "summary.json", "summary.txt", "lr-scan.png"):
        assert run.file(name).exists(), name
    assert run.meta["status"] == "COMPLETED" and run.meta["kind"] == "lr-scan"
    summary = json.loads(run.file("summary.json").read_text())
    rows = summary["rows"]
    assert [r["lr"] for r in rows] == pytest.approx([1e-3, 1e-2, 1e-1, 1.0])
    step = [r["step_loss"] for r in rows]
    train = [r["train_loss"] for r in rows]
    assert summary["best_step_lr"] == rows[int(np.argmin(step))]["lr"]
    assert summary["best_train_lr"] == rows[int(np.argmin(train))]["lr"]
    assert sum("step" in r["best"] for r in rows) == 1
    assert sum("train" in r["best"] for r in rows) == 1
    assert "best" in run.file("summary.txt").read_text()
    assert len(summary["curves"]) == 4 and all(len(c) == 2 for c in summary["curves"].values())


def test_every_rate_trains_from_the_same_initial_weights(cfg, data, tmp_path):
    result = scan.lr_scan(
        cfg, min_exp=-3, max_exp=-2, num=2, epochs=1, data=data, runs_dir=tmp_path
    )
    starts = [c[0]["train_loss"] for c in result.curves.values()]
    assert starts[0] == starts[1]


def test_the_rates_train_as_one_stack_with_the_numbers_each_has_alone(cfg, data):
    # rates from slow to diverging, with momentum and weight decay (per-net state and decay)
    base = load_config(None, [*SMALL, "optimizer.name=momentum", "weight_decay=0.001"])
    cfgs = [scan.rate_config(base, lr, 3) for lr in (0.001, 0.05, 0.5, 1e5)]
    stacked = scan.train_at_rates(cfgs, data)
    alone = [scan.train_at_rate(c, data) for c in cfgs]
    assert [s for s, _ in stacked] == [s for s, _ in alone]
    assert "DIVERGED" in [s for s, _ in alone] and "COMPLETED" in [s for s, _ in alone]
    strip = [[{k: v for k, v in r.items() if k != "seconds"} for r in recs] for _, recs in alone]
    assert [
        [{k: v for k, v in r.items() if k != "seconds"} for r in recs] for _, recs in stacked
    ] == strip


def test_divergence_is_recorded_not_reported_as_a_number(cfg, data, tmp_path):
    # float64 keeps one step finite up to huge rates; 1e200 overflows the scores.
    result = scan.lr_scan(
        cfg, min_exp=1, max_exp=200, num=2, epochs=1, data=data, runs_dir=tmp_path
    )
    first, last = result.rows
    assert first["diverged"] is None and first["step_loss"] is not None  # (it was "")
    assert last["step_loss"] is None and last["train_loss"] is None
    assert last["diverged"] == "step, train (epoch 1)"
    assert last["best"] == ""
    assert result.run.meta["status"] == "COMPLETED"


def test_initial_weights_whose_loss_overflows_make_a_scan_of_diverged_rows(data, tmp_path):
    # (the figure's limits took the initial loss, NaN: the scan ended FAILED, exit 1, and
    # summary.txt said 'initial loss L(W) nan')
    cfg = load_config(None, [*SMALL, "model.init=std", "model.init_std=1e200"])
    result = scan.lr_scan(cfg, min_exp=-3, max_exp=1, num=2, epochs=1, data=data, runs_dir=tmp_path)
    assert result.run.meta["status"] == "COMPLETED" and result.initial_loss is None
    assert all(r["diverged"] == "step, train (epoch 0)" for r in result.rows)
    text = result.run.file("summary.txt").read_text()
    assert "initial loss L(W) not finite" in text and "nan" not in text
    assert json.loads(result.run.file("summary.json").read_text())["initial_loss"] is None
    assert result.run.file("lr-scan.png").exists()


def test_edge_notes_say_when_the_best_rate_is_at_an_end(cfg, data, tmp_path):
    from nnlab.experiments.scan_next import edge_notes

    result = scan.lr_scan(
        cfg, min_exp=-6, max_exp=-5, num=2, epochs=0, data=data, runs_dir=tmp_path
    )
    assert result.best_step_lr == pytest.approx(1e-5)
    notes = edge_notes(result.run.summary())  # (read from the folder, as every reader does)
    assert len(notes) == 1 and "--max" in notes[0]
    # (the rate as the table spells it, output.config_number: a half-decade rate read 3e-02)
    assert notes[0].startswith("the best one-step rate 1e-05 is the largest one scanned")
    half = {"rows": [{"lr": 0.01}, {"lr": 10.0**-1.5}], "best_step_lr": 10.0**-1.5}
    assert edge_notes(half)[0].startswith("the best one-step rate 0.0316228 is the largest")
    # (it said "widen the range (--max)": by how much, and that --max is a power of ten, not)
    assert notes[0].endswith("widen the range, e.g. --max -4 (to 0.0001)")
    assert edge_notes(half)[0].endswith("widen the range, e.g. --max -1 (to 0.1)")
    low = {"rows": [{"lr": 1e-10}, {"lr": 1e-9}], "best_step_lr": 1e-10}
    assert edge_notes(low)[0].endswith("widen the range, e.g. --min -11 (to 1e-11)")
    assert "train_loss" not in result.rows[0]


def test_a_widened_scan_keeps_the_spacing_of_the_scan_it_widens():
    # (the default scan, 1e-10..1e-1 a decade apart, offered --min -10 --max 0 --num 10: rates
    # 1.29 decades apart, 1.29155e-09, 1.6681e-08, ..., where one a decade was meant: --num 11)
    from nnlab.experiments.scan_next import next_step

    def widened(exps: list[float], best: float) -> str:
        rows = [{"lr": 10.0**e} for e in exps]
        _, command = next_step({"rows": rows, "best_train_lr": 10.0**best, "epochs": 2}, "s")
        return command.split("config.yaml ")[1]

    decades = [float(e) for e in range(-10, 0)]
    assert widened(decades, -1) == "--min -10 --max 0 --num 11 --epochs 2"
    assert widened(decades, -10) == "--min -11 --max -1 --num 11 --epochs 2"
    halves = [-3, -2.5, -2, -1.5]  # (half a decade apart; --max widens to -1: one more)
    assert widened(halves, -1.5) == "--min -3 --max -1 --num 5 --epochs 2"
    assert widened([-4.0, -3.0], -3) == "--min -4 --max -2 --num 3 --epochs 2"


def test_closing_lines_note_each_edge_then_say_what_to_run_next_where(tmp_path, monkeypatch):
    from nnlab.experiments.scan_next import closing_lines

    monkeypatch.delenv("NNLAB_RUNS_DIR", raising=False)
    rows = [{"lr": 1e-4}, {"lr": 1e-3}]
    top = {"rows": rows, "best_step_lr": 1e-3, "best_train_lr": 1e-3, "epochs": 1}
    folder = tmp_path / "scan"
    lines = closing_lines(top, folder, {"data_dir": "/d"})
    assert [line.split(":")[0] for line in lines] == ["note", "next"]  # (one note: both best)
    assert lines[-1].startswith(f"next: nnlab lr-scan {folder}/config.yaml --min -4 --max -2")
    assert f"--epochs 1 --data-dir /d --runs-dir {tmp_path} (a wider range)" in lines[-1]
    inside = {**top, "rows": [*rows, {"lr": 1e-2}]}
    assert closing_lines(inside, "runs/s", {}) == [
        "next: nnlab train runs/s/config.yaml optimizer.lr=0.001 (the rate of the lowest "
        "train_loss after 1 epoch)"
    ]
    assert closing_lines({"rows": rows, "best_train_lr": None}, "runs/s", {}) == []


@pytest.mark.slow
def test_the_default_scan_on_digits_runs_every_rate(tmp_path):
    # (how long it takes is measured by benchmarks/bench.py --only commands, not here)
    result = scan.lr_scan(load_config(None, []), data=None, runs_dir=tmp_path)
    assert len(result.rows) == 10
    assert all(r["train_loss"] is not None for r in result.rows)


def test_progress_line_counts_epochs_in_plain_words():
    done = [{"epoch": 1, "train_loss": 0.5}, {"epoch": 2, "train_loss": 0.1397}]
    assert scan.training_line(0.1, "COMPLETED", done) == (
        "lr 0.1: COMPLETED after 2 epochs, train_loss 0.1397"
    )
    assert scan.training_line(0.1, "COMPLETED", done[:1]).endswith(
        "after 1 epoch, train_loss 0.5000"
    )
    diverged = [{"epoch": 1, "train_loss": None}]
    assert (
        scan.training_line(1e4, "DIVERGED", diverged)
        == "lr 10000: DIVERGED at epoch 1 (not finite)"
    )


def test_step_change_is_the_actual_change_over_the_step_as_the_docs_say(cfg, data):
    # for a small step it is the first-order -eta |g|^2; for a large one it is not, and the
    # table title and the README say it is step_loss - L(W), not -lr |g|^2
    model = build_model(cfg.model_copy(update={"dtype": "float64"}), 64, 10, make_rngs(cfg.seed))
    x, y = data.splits["train"]
    model.loss_and_grads(x.astype(np.float64), y)
    g2 = sum(float(np.sum(g * g)) for g in model.grads.values())
    rates = [1e-6, 1.0]
    initial, losses = scan.one_step_losses(cfg, data, rates)
    small, large = scan.table_rows(rates, losses, None, initial)
    assert large["step_change"] == losses[1] - initial
    assert small["step_change"] == pytest.approx(-1e-6 * g2, rel=1e-3)
    assert abs(large["step_change"] - (-1.0 * g2)) > 0.1 * g2  # not the first-order term
    notes = "\n".join(scan.column_notes(["lr", "step_loss", "step_change"], epochs=0))
    assert "step_change  step_loss - L(W): the actual change" in notes
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### `nnlab lr-scan`")[1].split("### ")[0]
    assert "`step_change` is `step_loss` minus the initial loss" in section
    assert "shows the first-order decrease" not in section


def test_the_best_columns_note_names_train_loss_only_when_the_scan_trained():
    # (--epochs 0: the note said 'and train_loss (train)' of a table without that column)
    untrained = scan.column_notes(["lr", "step_loss", "step_change", "best"], epochs=0)
    assert untrained[-1].split(None, 1)[1] == "the lowest finite step_loss (step)"
    trained = scan.column_notes(["lr", "step_loss", "train_loss", "best"], epochs=2)
    assert trained[-1].endswith("step_loss (step) and train_loss (train)")


@pytest.mark.slow
def test_the_figure_names_the_configs_optimizer_and_batch(cfg, data, tmp_path, monkeypatch):
    from nnlab import plots

    drawn = {}
    real = plots.lr_scan_figure

    def spy(*args, **kwargs):
        drawn.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(plots, "lr_scan_figure", spy)
    scan.lr_scan(cfg, min_exp=-2, max_exp=-1, num=2, epochs=1, data=data, runs_dir=tmp_path)
    assert drawn["trainer"] == f"{cfg.optimizer.name}, batch {cfg.batch_size}"
    scan.lr_scan(cfg.model_copy(update={"batch_size": "full"}), min_exp=-2, max_exp=-1, num=2,
                 epochs=1, data=data, runs_dir=tmp_path)  # fmt: skip
    assert drawn["trainer"] == f"{cfg.optimizer.name}, full batch"


def test_a_scan_of_an_older_nnlab_whose_diverged_is_empty_text_reads_as_one_of_now():
    # (nothing diverged: "" then, null now; each row's cell '-', in folders old and new)
    rows = scan.table_rows([0.1, 1e9], [1.0, None], None)
    assert rows[0]["diverged"] is None and rows[1]["diverged"] == "step"
    new = {"initial_loss": 2.0, "epochs": 0, "rows": rows}
    old = {**new, "rows": [{**rows[0], "diverged": ""}, rows[1]]}
    assert scan.summary_table("s", old).text() == scan.summary_table("s", new).text()
    assert scan.summary_table("s", new).rows[0]["diverged"] is None


def test_a_best_rate_at_the_options_bound_offers_no_range_the_command_refuses():
    # (a scan at --min -30 whose best training rate was 1e-30 offered 'nnlab lr-scan ... --min
    # -31', refused by --min's own bound; at --max 10 it offered --max 11)
    from nnlab.experiments.scan_next import EXPONENTS, edge_notes, next_step

    lo, hi = EXPONENTS
    low = {"rows": [{"lr": 10.0**lo}, {"lr": 10.0 ** (lo + 1)}], "best_train_lr": 10.0**lo}
    assert edge_notes(low) == [
        f"the best training rate 1e-30 is the smallest one scanned; --min {lo} is already the "
        "bound of --min"
    ]
    why, command = next_step({**low, "epochs": 2}, "s")
    assert command == "nnlab train s/config.yaml optimizer.lr=1e-30"
    high = {"rows": [{"lr": 10.0 ** (hi - 1)}, {"lr": 10.0**hi}], "best_step_lr": 10.0**hi}
    assert edge_notes(high)[0].endswith(f"; --max {hi} is already the bound of --max")
    # (half a decade from the bound: widened to the bound, not past it)
    near = {"rows": [{"lr": 10.0**-29.5}, {"lr": 1.0}], "best_train_lr": 10.0**-29.5}
    assert edge_notes(near)[0].endswith(f"e.g. --min {lo} (to 1e-30)")
    _, command = next_step({**near, "epochs": 2}, "s")
    assert f"--min {lo} --max 0 " in command


def test_min_and_max_take_the_powers_of_ten_scan_next_widens_to():
    from typer.testing import CliRunner

    from nnlab.cli import app
    from nnlab.experiments.scan_next import EXPONENTS

    for flag, value in (("--min", EXPONENTS[0] - 1), ("--max", EXPONENTS[1] + 1)):
        out = CliRunner().invoke(app, ["lr-scan", "c.yaml", flag, str(value)])
        assert out.exit_code == 2 and flag in out.output


def test_run_scan_resumes_the_folder_named_else_scans_the_config_as_asked(tmp_path, monkeypatch):
    from nnlab import redo
    from nnlab.errors import ConfigError

    asked: dict[str, object] = {}
    monkeypatch.setattr(scan, "resume_scan", lambda ref, **kw: asked.update(ref=ref, **kw))
    monkeypatch.setattr(scan, "lr_scan", lambda cfg, **kw: asked.update(cfg=cfg, **kw))
    said: list[str] = []
    scan.run_scan(None, resume="latest", runs_dir=tmp_path, say=said.append)
    assert asked["ref"] == "latest" and asked["runs_dir"] == tmp_path
    run = type("Run", (), {"path": tmp_path / "x", "kind": "lr-scan", "meta": {}})()
    asked["on_start"](run)  # (the line a redone resume starts with, to ``say``)
    assert said == [redo.again_line(run)]
    with pytest.raises(ConfigError, match="^config: not with --resume"):
        scan.run_scan(Path("c.yaml"), resume="latest")
    with pytest.raises(ConfigError, match="give a config file"):
        scan.run_scan(None)
    config = Path(__file__).resolve().parents[2] / "configs" / "digits-quickstart.yaml"
    scan.run_scan(config, ["model.init=he", "model.init_std=0.5"], num=3, out=tmp_path / "s",
                  say=said.append)  # fmt: skip
    assert asked["runs_dir"] == tmp_path and asked["folder"] == "s" and asked["num"] == 3
    assert asked["cfg"].model.init == "he" and "model.init_std" in said[-1]  # (idle: said)


def test_one_note_when_both_best_rates_are_the_same_end():
    """Both measures best at the top of the range: one note names both (it printed the same
    note twice, once per measure); two rates at two ends keep a note each."""
    from nnlab.experiments.scan_next import closing_lines, edge_notes

    rows = [{"lr": 0.001}, {"lr": 0.01}, {"lr": 0.1}]
    both = {"rows": rows, "best_step_lr": 0.1, "best_train_lr": 0.1, "epochs": 2}
    assert edge_notes(both) == [
        "the best one-step and training rate 0.1 is the largest one scanned; widen the range, "
        "e.g. --max 0 (to 1)"
    ]
    lines = closing_lines(both, "runs/scan", {})
    assert lines[-1].startswith("next: nnlab lr-scan runs/scan/config.yaml --min -3 --max 0 ")
    assert lines[-1].endswith(" (a wider range)")  # (the note above says which rate)
    apart = {**both, "best_step_lr": 0.001}
    assert [n.split(" is ")[0] for n in edge_notes(apart)] == [
        "the best one-step rate 0.001",
        "the best training rate 0.1",
    ]
    assert closing_lines(apart, "runs/scan", {})[-1].endswith(" (a wider range)")
