"""``nnlab train``'s choice of training (``experiments.train_job``): a new run, a resume or an
extension, and the arguments that do not go together, refused before anything is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab.errors import ArgumentError
from nnlab.experiments.train_job import Extended, Fresh, Resumed, train_job
from tests.conftest import fake_run

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "digits-quickstart.yaml"


def test_a_config_is_a_new_run_and_its_idle_keys_are_said(tmp_path):
    said: list[str] = []
    job = train_job(CONFIG, ["model.init=he", "model.init_std=0.5"], tmp_path, say=said.append)
    assert isinstance(job, Fresh) and job.root() == tmp_path
    assert job.config().model.init == "he" and job.overrides[0] == "model.init=he"
    assert said == [
        "warning: model.init_std has no effect: model.init is he, which does not read it "
        "(only model.init=std does)"
    ]


def test_no_config_and_no_run_is_refused_naming_what_to_give(tmp_path):
    with pytest.raises(ArgumentError, match=r"^give a config file \(or --resume RUN\); e\.g\. "):
        train_job(None, None, tmp_path)


def test_resume_is_a_resume_found_only_when_asked(tmp_path):
    job = train_job(None, None, tmp_path, resume="latest")
    assert isinstance(job, Resumed) and job.run is None  # (nothing looked up yet)


@pytest.mark.parametrize(
    ("changes", "way"),
    [
        (["epochs=40"], "to train it on to more epochs: nnlab train --extend RUN epochs=40"),
        (["seed=3"], "start a new run of its config: nnlab train RUN/config.yaml seed=3"),
    ],
)
def test_changes_beside_resume_are_refused_with_the_way_to_make_them(tmp_path, changes, way):
    with pytest.raises(ArgumentError) as err:
        train_job(Path(changes[0]), changes[1:], tmp_path, resume="nothing-here")
    said = str(err.value)
    assert said.startswith("--resume takes no config or overrides") and said.endswith(way)


def test_extend_is_an_extension_of_the_run_it_names_and_goes_with_no_resume(tmp_path):
    run = fake_run(tmp_path, "20250101-000000-small-abc123")
    job = train_job(Path("epochs=4"), None, tmp_path, extend=run.path.name[-6:])
    assert isinstance(job, Extended) and job.run.path == run.path
    assert job.overrides == ["epochs=4"] and job.cfg is None
    with pytest.raises(ArgumentError, match=r"^--extend and --resume: give one"):
        train_job(Path("epochs=4"), None, tmp_path, resume="latest", extend="latest")


def test_the_lines_a_resume_and_an_extension_start_with_go_to_say(tmp_path):
    said: list[str] = []
    run = fake_run(tmp_path, "20250101-000000-small-abc123")
    resumed = Resumed("latest", None, None, tmp_path, said.append)
    resumed.announce(run, 3)
    resumed.announce(run, -1, "an old checkpoint")
    extended = Extended("latest", Path("epochs=4"), None, None, tmp_path, said.append)
    extended.announce(run, 2, train_job(CONFIG, ["epochs=4"], tmp_path).config())
    assert said == [
        f"resuming {run.path} after epoch 3",
        f"resuming {run.path} from the start (no checkpoint)",
        "note: an old checkpoint",
        f"extending {run.path} from epoch 2 to 4, in a new folder",
    ]
    assert extended.cfg is not None and extended.cfg.epochs == 4
