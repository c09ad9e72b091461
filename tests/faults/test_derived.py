"""A training folder's derived fields (summary.json's epochs and finals, meta.json's
``epochs_done``, summary.txt) agree with its records, whatever killed it and whatever was
edited: every reader (``runs list``, ``show``, ``compare``, ``report``, ``--resume``) shows
what ``metrics.jsonl`` holds. A folder that has not ended (RUNNING, STALE) is read from its
records; one that ended and says otherwise than its records is DAMAGED, the file and the
field named.
"""

from __future__ import annotations

import os
import signal

import pytest

from nnlab import runs
from nnlab.config import load_config
from nnlab.experiments import train as tr

from .helpers import only

# ~20 minibatches an epoch, 60 epochs: long enough to be killed mid-resume
LONG = """\
name: long
dataset: {name: digits, n_train: 400, n_test: 100}
model: {hidden: [32]}
optimizer: {name: momentum, lr: 0.01}
batch_size: 20
epochs: 60
"""


def test_a_stop_signal_just_after_a_record_leaves_the_summary_and_count_in_step(
    tmp_path, monkeypatch
):
    """A SIGINT that arrived once a record's line was written, before the run counted it,
    ended the run with summary.json and epochs_done an epoch behind metrics.jsonl."""
    (tmp_path / "cfg.yaml").write_text(LONG.replace("epochs: 60", "epochs: 5"))
    cfg = load_config(tmp_path / "cfg.yaml")
    append = runs.RunDir.append_metric

    def append_then_signal(self, record):
        append(self, record)
        if record["epoch"] == 2:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(runs.RunDir, "append_metric", append_then_signal)
    with pytest.raises(KeyboardInterrupt):
        tr.run_training(cfg, runs_dir=tmp_path / "runs", plot=False)
    run = only(tmp_path / "runs")
    assert run.status == "INTERRUPTED"
    assert run.read_json("summary.json")["epochs"] == run.meta["epochs_done"] == 2
    assert run.metrics()[-1]["epoch"] == 2
