"""``--colour-by KEY`` on the sweep commands that draw ``curves.png``: the key the figure colours
the trials by, checked before any folder exists, recorded for the sweep's resumes."""

from __future__ import annotations

import pytest

from tests.cli.test_sweep_cli import sweep_dir, write_config
from tests.conftest import invoke, one_error_line


@pytest.fixture
def drawn(monkeypatch) -> list:
    """The drawings a sweep's end asks for (not drawn: their keyword arguments are the test)."""
    from nnlab import plots

    asked: list = []

    def draw_all(drawings, painters=(), meanwhile=None):
        if meanwhile is not None:
            meanwhile()
        asked.extend(drawings)
        return []

    monkeypatch.setattr(plots, "draw_all", draw_all)
    return asked


@pytest.mark.parametrize("kind", ["grid", "random", "run"])
def test_colour_by_a_key_the_sweep_does_not_vary_names_the_keys_it_does(tmp_path, kind):
    axes = ["optimizer.lr=0.5,0.1", "batch_size=30,20"]
    if kind == "run":
        cfg = write_config(tmp_path, sweep={"params": {"optimizer.lr": [0.5, 0.1],
                                                       "batch_size": [30, 20]}})  # fmt: skip
        args = ["sweep", "run", cfg]
    else:
        cfg = write_config(tmp_path)
        args = ["sweep", kind, cfg, *axes, *(["--trials", "2"] if kind == "random" else [])]
    result = invoke(*args, "--colour-by", "optimizer.lrr", "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "--colour-by: 'optimizer.lrr' is not a key this sweep varies" in line, line
    varied = line.partition("it varies ")[2].partition(" (")[0]
    assert set(varied.split(", ")) == {"optimizer.lr", "batch_size"}, line
    assert "(did you mean 'optimizer.lr'?)" in line
    assert not (tmp_path / "r").exists()  # (refused before the folder)
    dry = invoke(*args, "--colour-by", "epochs", "--dry-run", "--runs-dir", tmp_path / "r")
    assert dry.exit_code == 2 and "'epochs' is not a key this sweep varies" in dry.stderr


@pytest.mark.slow
def test_colour_by_is_what_the_figure_is_drawn_with_and_meta_records_it(tmp_path, drawn):
    cfg = write_config(tmp_path)
    result = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "batch_size=30,20",
                    "epochs=1", "--colour-by", "batch_size", "--runs-dir", tmp_path / "r")  # fmt: skip
    assert result.exit_code == 0, result.output
    (drawing,) = drawn
    assert drawing.path.name == "curves.png" and drawing.kwargs["colour_by"] == "batch_size"
    assert sweep_dir(tmp_path / "r").meta["colour_by"] == "batch_size"
    plain = invoke("sweep", "grid", cfg, "optimizer.lr=0.5,0.1", "epochs=1",
                   "--runs-dir", tmp_path / "p")  # fmt: skip
    assert plain.exit_code == 0 and drawn[1].kwargs["colour_by"] is None  # (the figure chooses)


@pytest.mark.slow
def test_a_resume_colours_as_the_sweep_was_started_unless_told_otherwise(
    tmp_path, monkeypatch, drawn
):
    from tests.experiments.test_sweep import fail_batch_size_31

    fail_batch_size_31(monkeypatch)  # (the sweep FAILED: a resume runs that trial again)
    cfg = write_config(tmp_path)
    root = tmp_path / "r"
    first = invoke("sweep", "grid", cfg, "batch_size=30,31", "optimizer.lr=0.5,0.1", "epochs=1",
                   "--colour-by", "optimizer.lr", "--runs-dir", root)  # fmt: skip
    assert first.exit_code == 3
    run = sweep_dir(root)
    again = invoke("sweep", "--resume", run.path, "--runs-dir", root)
    assert again.exit_code == 3 and drawn[-1].kwargs["colour_by"] == "optimizer.lr"
    bad = invoke("sweep", "resume", run.path, "--colour-by", "epochs", "--runs-dir", root)
    assert bad.exit_code == 2
    assert one_error_line(bad) == (
        "error: --colour-by: 'epochs' is not a key this sweep varies; it varies batch_size, "
        "optimizer.lr (see nnlab sweep resume -h)"
    )
    other = invoke("sweep", "resume", run.path, "--colour-by", "batch_size", "--runs-dir", root)
    assert other.exit_code == 3 and drawn[-1].kwargs["colour_by"] == "batch_size"
    assert run.meta["colour_by"] == "batch_size"  # (the next resume's too)
    invoke("sweep", "resume", run.path, "--runs-dir", root)
    assert drawn[-1].kwargs["colour_by"] == "batch_size"


def test_colour_by_on_a_preset_is_refused_it_draws_its_own_figures(tmp_path):
    result = invoke("sweep", "run", "weight-scale", "--colour-by", "model.init_std", "--dry-run",
                    "--runs-dir", tmp_path / "r")  # fmt: skip
    assert result.exit_code == 2
    assert "--colour-by: the weight-scale preset draws its own figures" in one_error_line(result)


SECTION = {"params": {"optimizer.lr": [0.5, 0.1], "batch_size": [30, 20]}}


@pytest.mark.parametrize("kind", ["grid", "random", "run"])
def test_a_sweep_section_s_colour_by_is_checked_as_the_option_naming_the_file(tmp_path, kind):
    # (a sweep: section could not say colour_by: 'unknown key', though the option could)
    section = {**SECTION, "colour_by": "optimizer.lrr"}
    cfg = write_config(tmp_path, sweep={**section, **({"kind": "random", "trials": 2}
                                                      if kind == "random" else {})})  # fmt: skip
    result = invoke("sweep", kind, cfg, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert f"{cfg}: sweep.colour_by: 'optimizer.lrr' is not a key this sweep varies" in line
    varied = line.partition("it varies ")[2].partition(" (")[0]
    assert set(varied.split(", ")) == {"optimizer.lr", "batch_size"}, line
    assert line.endswith("(did you mean 'optimizer.lr'?)"), line
    assert not (tmp_path / "r").exists()  # (refused before the folder)


@pytest.mark.slow
def test_a_sweep_section_s_colour_by_colours_the_figure_and_the_option_overrides_it(
    tmp_path, drawn
):
    cfg = write_config(tmp_path, sweep={**SECTION, "colour_by": "batch_size"})
    result = invoke("sweep", "run", cfg, "epochs=1", "--runs-dir", tmp_path / "r")
    assert result.exit_code == 0, result.output
    assert drawn[-1].kwargs["colour_by"] == "batch_size"
    run = sweep_dir(tmp_path / "r")
    assert run.meta["colour_by"] == "batch_size"  # (its resumes colour by it too)
    assert "colour_by" not in run.plan()["spec"]  # (sweep.yaml: the plan, as it was)
    over = invoke("sweep", "run", cfg, "epochs=1", "--colour-by", "optimizer.lr",
                  "--runs-dir", tmp_path / "o")  # fmt: skip
    assert over.exit_code == 0 and drawn[-1].kwargs["colour_by"] == "optimizer.lr"
    # a fixed override that removes its axis: the figure chooses (as share_seed leaves it)
    fixed = invoke("sweep", "run", cfg, "epochs=1", "batch_size=30", "--runs-dir", tmp_path / "f")
    assert fixed.exit_code == 0 and drawn[-1].kwargs["colour_by"] is None
