"""A run's summary (``nnlab.summary``): final and best metrics, and the rule for a DIVERGED run."""

from __future__ import annotations

from nnlab.summary import finals, outcome, summarize


def record(epoch: int, loss, train_loss, train_acc, **extra) -> dict:
    return {"epoch": epoch, "loss": loss, "train_loss": train_loss, "train_acc": train_acc,
            "lr": 0.1, "seconds": 1.0, "steps": 10 * epoch, **extra}  # fmt: skip


# epoch 2 is the epoch the run diverged in: what it recorded there (a loss that exploded but is
# still finite, an accuracy that happens to be the highest) must not be a result
DIVERGED = [
    record(0, None, 2.3, 0.10),
    record(1, 1.9, 1.8, 0.40),
    record(2, None, 1.5e6, 0.95, test_acc=0.97),  # (a final_eval split: the last record only)
]


def test_a_completed_run_has_finals_from_the_last_epoch_and_bests_over_all():
    records = [*DIVERGED[:2], record(2, 1.2, 1.1, 0.6, test_acc=0.5)]
    assert summarize(records, "COMPLETED") == {
        "status": "COMPLETED",
        "epochs": 2,
        "final_loss": 1.2,
        "final_train_loss": 1.1,
        "final_train_acc": 0.6,
        "final_test_acc": 0.5,
        "best_train_loss": 1.1,
        "best_train_acc": 0.6,
        "seconds": 3.0,
        "steps": 20,
    }


def test_a_diverged_run_has_no_finals_and_bests_from_before_it_diverged():
    assert summarize(DIVERGED, "DIVERGED") == {
        "status": "DIVERGED",
        "epochs": 2,
        "diverged_epoch": 2,
        "final_loss": None,
        "final_train_loss": None,
        "final_train_acc": None,
        "final_test_acc": None,
        "best_train_loss": 1.8,
        "best_train_acc": 0.40,
        "seconds": 3.0,
        "steps": 20,
    }


def test_a_run_that_diverged_in_its_first_epoch_has_the_bests_of_epoch_0():
    summary = summarize(DIVERGED[:1] + [record(1, None, None, 0.09)], "DIVERGED")
    assert summary["diverged_epoch"] == 1 and summary["final_train_acc"] is None
    assert (summary["best_train_loss"], summary["best_train_acc"]) == (2.3, 0.10)


def test_a_diverged_run_without_an_epoch_before_has_null_bests():
    summary = summarize([record(1, None, None, 0.09)], "DIVERGED")
    assert summary["best_train_loss"] is None and summary["best_train_acc"] is None


def test_finals_are_a_records_metrics_or_none_after_divergence():
    last = DIVERGED[1]
    assert finals(last, "COMPLETED") == {"loss": 1.9, "train_loss": 1.8, "train_acc": 0.4}
    assert finals(last, "DIVERGED") == {"loss": None, "train_loss": None, "train_acc": None}


def test_outcome_names_the_epoch_a_run_diverged_in():
    assert outcome(summarize(DIVERGED, "DIVERGED")) == "DIVERGED at epoch 2"
    assert outcome({"status": "COMPLETED", "epochs": 3}) == "COMPLETED"
    assert outcome({"status": "DIVERGED"}) == "DIVERGED"  # (a summary from before the rule)


def test_runs_show_picks_a_diverged_runs_best_epochs_from_before_it_diverged():
    # (the exploded epoch's loss-free record, accuracy 0.11 against 0.10 before it, was shown
    # as the "best" epoch though the summary's bests are over the epochs before it)
    from nnlab.experiments.showing import key_epochs

    accs = [0.08, 0.10, 0.09, 0.07, 0.11]
    records = [{"epoch": i, "train_acc": a} for i, a in enumerate(accs)]
    assert key_epochs(records, "DIVERGED") == {0: ["first"], 1: ["best train_acc"], 4: ["last"]}
    assert key_epochs(records, "COMPLETED") == {0: ["first"], 4: ["best train_acc", "last"]}


def test_runs_show_says_why_each_epoch_is_shown_and_no_accuracy_where_a_run_diverged():
    # (a diverged run's last record holds the accuracy of NaN outputs, ~0.1: not a result, as
    # its summary's "-" says; and the best rows were shown without saying best at what)
    from nnlab.experiments.showing import epochs_view

    accs = [0.08, 0.10, 0.09, 0.07, 0.11]
    records = [{"epoch": i, "train_acc": a, "train_loss": 1.0} for i, a in enumerate(accs)]
    shown, title = epochs_view(records, "DIVERGED")
    assert [r["epoch"] for r in shown] == [0, 1, 4]
    assert shown[-1] == {"epoch": 4, "train_acc": None, "train_loss": 1.0}
    assert records[-1]["train_acc"] == 0.11  # (the records themselves are as recorded)
    assert title == ("3 of 5 epochs: 0 first; 1 best train_acc; 4 last (--all for every epoch); "
                     "diverged at epoch 4: no accuracies there")  # fmt: skip
    shown, title = epochs_view(records, "COMPLETED")
    assert title == "2 of 5 epochs: 0 first; 4 best train_acc, last (--all for every epoch)"
    assert epochs_view(records, "COMPLETED", every=True)[1] == "every epoch"


def test_the_diverged_epoch_is_the_status_and_summarys_not_a_null_loss():
    from nnlab.summary import diverged_epoch

    records = [{"epoch": e, "loss": None if e == 2 else 1.0} for e in range(5)]
    assert diverged_epoch("COMPLETED", records) is None  # (an evaluation that overflowed once)
    assert diverged_epoch("DIVERGED", records, recorded=3) == 3  # (its summary's word)
    assert diverged_epoch("DIVERGED", records) == 4  # (none recorded: its last record)
    assert diverged_epoch("DIVERGED", []) is None


def test_the_objective_says_it_carries_the_l2_penalty_where_there_is_weight_decay():
    # (objective 20.3 beside a train loss of 0.64 read as a contradiction)
    from nnlab.config import load_config
    from nnlab.experiments.train import summary_rows
    from nnlab.summary import objective_label

    assert objective_label(0.0) == "objective (train batches)"
    assert objective_label(0.1) == "objective (train batches, + L2 penalty)"
    cfg = load_config(None, ["weight_decay=0.1"])
    assert summary_rows({}, cfg)[0]["metric"] == "objective (train batches, + L2 penalty)"


def test_one_rule_names_a_sweeps_best_trial():
    # (runs list ranked COMPLETED trials by test then train accuracy across trials; the report
    # ranked every trial by its own val, else test, else train: they could name two trials)
    from nnlab.summary import best_trial

    rows = [
        {"trial": "a", "status": "INTERRUPTED", "final_test_acc": 0.99},
        {"trial": "b", "status": "COMPLETED", "final_test_acc": 0.80},
        {"trial": "c", "status": "COMPLETED", "final_test_acc": 0.90, "final_val_acc": 0.70},
        {"trial": "d", "status": "COMPLETED", "final_test_acc": float("nan")},
        {"trial": "e", "status": "DIVERGED", "final_test_acc": None},
    ]
    assert best_trial(rows)["trial"] == "b"  # (c is ranked by its val accuracy, 0.70)
    assert best_trial(rows[:1] + rows[3:]) is None  # (no COMPLETED one has a score: it named
    # the INTERRUPTED 'a', whose finals are of an earlier epoch; a killed sweep's STALE ones)
    assert best_trial(rows[3:]) is None


def test_runs_list_and_the_report_name_the_same_best_trial(tmp_path):
    import json

    from nnlab.report import build_report
    from tests.conftest import invoke
    from tests.report.helpers import index_rows

    cfg = "configs/digits-quickstart.yaml"
    args = ["sweep", "grid", cfg, "epochs=1", "optimizer.lr=0.001,0.1,0.5", "-q"]
    assert invoke(*args, runs_dir=tmp_path).exit_code == 0
    (listed,) = json.loads(invoke("runs", "list", "-f", "json", runs_dir=tmp_path).stdout)
    (row,) = index_rows(build_report((), tmp_path).index.read_text())
    assert listed["best_trial"] and listed["best_trial"] in str(row)


def test_a_summarys_bests_are_checked_against_its_records():
    """``derived.summary_disagreement`` holds a summary's ``best_*`` to its records, the
    DIVERGED rule included: a best edited (or of another run) is named; a best the writer
    wrote null, where a record's value is null (NaN in memory at the first epoch), stands."""
    from nnlab.derived import summary_disagreement

    records = [*DIVERGED[:2], record(2, 1.2, 1.1, 0.6, test_acc=0.5)]
    written = summarize(records, "COMPLETED")
    assert summary_disagreement(written, records, "COMPLETED") is None
    assert summary_disagreement(summarize(DIVERGED, "DIVERGED"), DIVERGED, "DIVERGED") is None
    edited = {**written, "best_train_acc": 0.9}
    said = "best_train_acc is 0.9, but metrics.jsonl's records give 0.6"
    assert summary_disagreement(edited, records, "COMPLETED") == said
    diverged = {**summarize(DIVERGED, "DIVERGED"), "best_train_acc": 0.95}  # (its last epoch's)
    assert summary_disagreement(diverged, DIVERGED, "DIVERGED").startswith("best_train_acc is")
    nan_first = [record(0, None, None, 0.1), *records[1:]]
    assert (
        summary_disagreement({**written, "best_train_loss": None}, nan_first, "COMPLETED") is None
    )
    assert summary_disagreement({**written, "best_train_loss": None}, records, "COMPLETED")


def test_a_final_only_split_has_no_best_even_in_a_run_of_one_record():
    """A run of ``epochs: 0`` with ``final_eval: [test]`` has one record, test in it beside
    train: its summary gave test a best (its final value), as if taken over epochs."""
    only = [record(0, None, 2.3, 0.10, test_loss=2.2, test_acc=0.11)]
    summary = summarize(only, "COMPLETED", ["test"])
    assert summary["final_test_acc"] == 0.11 and summary["best_train_acc"] == 0.10
    assert "best_test_acc" not in summary and "best_test_loss" not in summary
    assert summarize(only, "COMPLETED")["best_test_acc"] == 0.11  # (test evaluated every epoch)


def test_an_older_best_of_a_final_only_split_stands_and_an_edited_one_does_not():
    """A summary.json written before a final-only split of a one-record run had no best holds
    one, its final value: read as written, not DAMAGED; another value is still damage."""
    from nnlab.derived import summary_disagreement

    only = [record(0, None, 2.3, 0.10, test_loss=2.2, test_acc=0.11)]
    written = summarize(only, "COMPLETED", ["test"])
    assert summary_disagreement(written, only, "COMPLETED", ["test"]) is None
    older = summarize(only, "COMPLETED")  # (as an nnlab before the fix wrote it)
    assert summary_disagreement(older, only, "COMPLETED", ["test"]) is None
    edited = {**older, "best_test_acc": 0.99}
    said = "best_test_acc is 0.99, but metrics.jsonl's records give no best of test_acc"
    assert summary_disagreement(edited, only, "COMPLETED", ["test"]) == said


def test_an_unfinished_runs_epochs_group_their_thousands_as_runs_show_says_them():
    # (runs list's 1831/2000 beside runs show's 'INTERRUPTED after 1,831 of 2,000 epochs')
    from nnlab.summary import epochs_of

    assert epochs_of(1831, 2000, "INTERRUPTED") == "1,831/2,000"
    assert epochs_of(2000, 2000, "COMPLETED") == 2000  # (a number: the table groups it)
