"""Numbers and sizes: ranges that overflow or hold NaN, negative seeds (every command with a
seed), non-integer integers, infinite and NaN values, sizes past their limit, YAML alias bombs,
deep nesting, a 2 MB config, models too large for memory. Each is refused up front: exit 2, one
line naming the key or option, the value and the limit, and no folder made.

``NNLAB_MAX_MEMORY_GB=1`` for every case, so the memory limit in the messages is the same on
every machine.
"""

from __future__ import annotations

import pytest

from .helpers import Row, invoke, refused

GRID = ["sweep", "grid", "cfg.yaml"]
RANDOM = ["sweep", "random", "cfg.yaml", "--trials", "2"]
HUGE = "model.hidden=[65536,65536,65536]"
# (the net alone, before its data is read: ``checks.load_checked``; 96.7 GB with its batches)
MEMORY = "needs at least 96.1 GB of memory, over the limit of 1 GB ($NNLAB_MAX_MEMORY_GB)"
NEGATIVE_SEED = "--seed: expected an integer from 0 to 4294967295, got -1"

# id -> (arguments, parts of the one line)
CASES: dict[str, tuple[list[str], list[str]]] = {
    # sweep ranges and values
    "logspace that overflows": (
        [*GRID, "optimizer.lr=logspace:0:400:3"],
        ["optimizer.lr: 'logspace:0:400:3': values overflow (10**400 is not a finite float)"],
    ),
    "linspace that overflows": (
        [*GRID, "optimizer.lr=linspace:-1.7e308:1.7e308:5"],
        ["'linspace:-1.7e308:1.7e308:5': values overflow"],
    ),
    "NaN end of a range": ([*GRID, "optimizer.lr=linspace:nan:1:3"], ["'nan' is not a finite"]),
    "infinite end of a distribution": (
        [*RANDOM, "optimizer.lr=loguniform:1e-3:inf"],
        ["optimizer.lr: 'loguniform:1e-3:inf': 'inf' is not a finite number"],
    ),
    "randint with a non-integer end": (
        [*RANDOM, "epochs=randint:1.5:3"],
        ["epochs: 'randint:1.5:3': '1.5' is not an integer"],
    ),
    "randint end past 2**53": (
        [*RANDOM, "epochs=randint:1:1e30"],
        ["epochs: 'randint:1:1e30': '1e30' is out of range (at most 2**53 in size)"],
    ),
    "range of too many values": (
        [*GRID, "optimizer.lr=linspace:0.01:1:100000000"],
        ["num must be an integer from 1 to 10,000"],
    ),
    "grid of too many trials": (
        [*GRID, "optimizer.lr=linspace:0.01:1:10000", "weight_decay=linspace:0:1:10000"],
        ["a grid of 10,000 x 10,000 = 100,000,000 trials; at most 100,000"],
    ),
    "tune of too many trials in all": (  # (each round within --trials' bound: a million)
        ["tune", "cfg.yaml", "--rounds", "100", "--trials", "10000"],
        ["--rounds/--trials: 100 rounds of 10,000 trials = 1,000,000 trials; at most 100,000"],
    ),
    "NaN swept value": (
        [*GRID, "weight_decay=0,.nan"],
        ["sweep trial (weight_decay=nan): weight_decay: input should be a finite number"],
    ),
    "swept value that overflows to inf": (
        [*GRID, "optimizer.lr=0.1,1e400"],
        ["optimizer.lr: input should be a finite number, got inf"],
    ),
    "tune range with NaN": (
        ["tune", "cfg.yaml", "optimizer.lr=loguniform:nan:1"],
        ["optimizer.lr: 'loguniform:nan:1': expected 0 < low < high"],
    ),
    # seeds
    **{
        f"negative --seed of {' '.join(args[:2]) if args[0] == 'sweep' else args[0]}": (
            [*args, "--seed", "-1"],
            [NEGATIVE_SEED],
        )
        for args in (
            [*GRID, "optimizer.lr=0.1,0.2"],
            [*RANDOM, "optimizer.lr=uniform:0.1:0.2"],
            ["sweep", "weight-scale"],
            ["landscape", "cfg.yaml"],
            ["tune", "cfg.yaml"],
            ["activations"],
            ["gradcheck"],
            ["compare-optimizers"],
        )
    },
    "negative seed of train": (["train", "cfg.yaml", "seed=-1"], ["seed: input should be greater"]),
    "negative seed of lr-scan": (["lr-scan", "cfg.yaml", "seed=-1"], ["got -1"]),
    "seed past 2**32-1": (
        [*GRID, "optimizer.lr=0.1,0.2", "--seed", "4294967296"],
        ["--seed: expected an integer from 0 to 4294967295, got 4294967296"],
    ),
    "negative split_seed": (
        ["train", "cfg.yaml", "dataset.split_seed=-3"],
        ["dataset.split_seed: input should be greater than or equal to 0, got -3"],
    ),
    # infinite and NaN values
    "infinite learning rate": (
        ["train", "cfg.yaml", "optimizer.lr=.inf"],
        ["override 'optimizer.lr=.inf': optimizer.lr: input should be a finite number, got inf"],
    ),
    "NaN weight decay": (["train", "cfg.yaml", "weight_decay=.nan"], ["finite number, got nan"]),
    "NaN option": (
        ["lr-scan", "cfg.yaml", "--min", "nan"],
        ["--min: expected a finite number from -30 to 10, got nan"],
    ),
    "infinite option": (
        ["lr-scan", "cfg.yaml", "--max", "inf"],
        ["--max: expected a finite number from -30 to 10, got inf"],
    ),
    "NaN --val-fraction": (
        ["tune", "cfg.yaml", "--val-fraction", "nan"],
        [
            "--val-fraction: expected a finite number above 0 and below 1, got nan (see nnlab tune -h)"
        ],
    ),
    "NaN --tol": (
        ["compare-optimizers", "--tol", "nan"],
        ["--tol: expected a finite number above 0 and at most 1e+06, got nan"],
    ),
    # sizes
    "--points": (
        ["landscape", "cfg.yaml", "--points", "100000"],
        ["--points: expected an integer from 2 to 1001, got 100000"],
    ),
    "--range": (
        ["landscape", "cfg.yaml", "--range", "-1e308:1e308"],
        ["--range: LO and HI must be within -1000..1000", "got -1e+308:1e+308"],
    ),
    # (a grid without its centre: --points 50 evaluated a = +-0.0204 but never 0, where the
    # figure's star says "centre W" and the table's centre_loss was left empty)
    "--points that miss the centre": (
        ["landscape", "cfg.yaml", "--points", "50"],
        [
            "--points: 50 points from -1 to 1 leave out the centre W (0); expected a count that "
            "puts a point at 0 (an odd one: its middle point), e.g. --points 51"
        ],
    ),
    "--points that miss the centre of an asymmetric range": (
        ["landscape", "cfg.yaml", "--range", "-1:2", "--points", "51"],
        ["--points: 51 points from -1 to 2 leave out the centre W (0)", "e.g. --points 52"],
    ),
    "--range that leaves out the centre": (
        ["landscape", "cfg.yaml", "--range", "0.5:1"],
        ["--range: 0.5:1 leaves out the centre W (0); expected LO <= 0 <= HI"],
    ),
    "--num": (["lr-scan", "cfg.yaml", "--num", "100000"], ["--num: ", "1000, got 100000"]),
    "lr-scan --epochs": (["lr-scan", "cfg.yaml", "--epochs", "10000000"], ["--epochs: "]),
    "epochs": (["train", "cfg.yaml", "epochs=10000000"], ["epochs: ", "1000000, got 10000000"]),
    "units": (["train", "cfg.yaml", "model.hidden=[100000]"], ["model.hidden.0: ", "65536"]),
    "layers": (
        ["train", "cfg.yaml", f"model.hidden=[{','.join(['4'] * 65)}]"],
        ["model.hidden: list should have at most 64 items"],
    ),
    "activations --layers": (["activations", "--layers", "1000"], ["--layers: ", "100, got"]),
    "activations --units": (["activations", "--units", "100000"], ["--units: ", "10000, got"]),
    # (each was accepted: --tol 1e308 reached at the start, --lr 1e300 all inf)
    "compare-optimizers --tol": (
        ["compare-optimizers", "--tol", "1e308"],
        ["--tol: expected a finite number above 0 and at most 1e+06, got 1e+308"],
    ),
    "compare-optimizers --lr": (
        ["compare-optimizers", "--lr", "0.1,1e300"],
        ["--lr: sgd.lr: expected a number above 0 and at most 1e+10, got 1e+300"],
    ),
    "compare-optimizers eps": (
        ["compare-optimizers", "-o", "adam", "adam.eps=2.0"],
        ["override 'adam.eps=2.0': adam.eps: expected a number above 0 and at most 1, got 2"],
    ),
    "compare-optimizers scale": (
        [
            "compare-optimizers",
            "--dataset",
            "digits",
            "-o",
            "random-search",
            "random-search.scale=2.0e+10",
        ],
        ["random-search.scale: expected a number above 0 and at most 1e+10, got 2e+10"],
    ),  # fmt: skip
    "--jobs": ([*GRID, "optimizer.lr=0.1,0.2", "--jobs", "1000"], ["--jobs: ", "256, got 1000"]),
    "--jobs 0": (
        [*GRID, "optimizer.lr=0.1,0.2", "--jobs", "0"],
        ["--jobs: expected an integer from 1 to 256, got 0"],
    ),
    "--stack": ([*GRID, "optimizer.lr=0.1,0.2", "--stack", "1000"], ["--stack: ", "got 1000"]),
    "sweep --trials": (
        ["sweep", "random", "cfg.yaml", "optimizer.lr=uniform:0.1:0.2", "--trials", "1000000"],
        ["--trials: expected an integer from 1 to 100000, got 1000000"],
    ),
    "tune --trials": (["tune", "cfg.yaml", "--trials", "100000"], ["--trials: ", "got 100000"]),
    "tune --rounds": (["tune", "cfg.yaml", "--rounds", "1000"], ["--rounds: ", "got 1000"]),
    "--threads": (["train", "cfg.yaml", "--threads", "100000"], ["--threads: ", "1024, got"]),
    "compare-optimizers --dataset --steps": (
        ["compare-optimizers", "--dataset", "digits", "--steps", "100000000000"],
        ["--steps: with --dataset, 1..10,000,000 iterations, got 100000000000"],
    ),
    "compare-optimizers --dataset of too many step losses": (  # (10M steps x 6: ~2 GB in memory)
        [
            "compare-optimizers",
            "--dataset",
            "spiral",
            "--hidden",
            "0",
            "--steps",
            "10000000",
            "--batch-size",
            "1",
            "--optimizers",
            "sgd,momentum,nesterov",
        ],
        [
            "--steps: the comparison (3 optimizers x 10,000,000 steps) would keep 30,000,000 step "
            "losses (each in result.json); at most 20,000,000: fewer --steps or optimizers"
        ],
    ),  # fmt: skip
    "compare-optimizers --start far out": (  # (ran: every path diverged at step 1)
        ["compare-optimizers", "--start", "1e300,1e300"],
        ["--start: coordinates must be within -1,000,000..1,000,000", "got (1e+300, 1e+300)"],
    ),
    "compare-optimizers of too many paths": (  # (a panel each: 300 starts drew for 6 minutes)
        ["compare-optimizers", "--start", ";".join(["1,1"] * 11)],
        ["--optimizers/--lr/--start: 6 optimizer-rate pairs x 11 starts = 66 paths; at most 60"],
    ),
    "compare-optimizers of too many path steps": (  # (each --steps value within its bound)
        ["compare-optimizers", "--steps", "100000", "--lr", "0.1,0.2"],
        [
            "--optimizers/--lr/--start/--steps: 12 optimizer-rate pairs x 100,000 steps from 1 "
            "start = 1,200,000 path steps; at most 1,000,000"
        ],
    ),
    "gradcheck --batch": (["gradcheck", "--batch", "100000000"], ["--batch: ", "got 100000000"]),
    "compare-optimizers --steps": (
        ["compare-optimizers", "--steps", "100000000"],
        ["--steps: each value must be in 1..100000, got [100000000]"],
    ),
    "generated dataset": (
        ["train", "cfg.yaml", "dataset.name=spiral", "dataset.n_per_class=1000000000"],
        ["dataset.n_per_class: input should be less than or equal to 1000000"],
    ),
    "eval_batch_size": (["train", "cfg.yaml", "eval_batch_size=100000000"], ["eval_batch_size"]),
    # memory
    "model too large to train": (
        ["train", "cfg.yaml", HUGE],
        ["training tiny", MEMORY, "(96.1 GB of it is model.hidden's weights with their gradients"],
    ),
    "minibatch too large to train": (  # (the error names the key that makes it large)
        ["train", "cfg.yaml", "model.hidden=[50000]", "batch_size=full", "dataset.n_train=1400"],
        [
            "needs at least 2.39 GB",
            "1.57 GB of it is the activations of a minibatch of batch_size=full",
        ],
    ),
    "evaluation batch too large": (
        ["train", "cfg.yaml", "model.hidden=[60000]", "dataset.n_train=1400"],
        ["of it is the activations of an evaluation batch of 1,400 rows, set by eval_batch_size"],
    ),
    "sweep trial too large": (
        [*GRID, "model.hidden=[16],[65536,65536,65536]"],
        ["sweep trial (model.hidden=[65536, 65536, 65536]): training tiny", MEMORY],
    ),
    "tune trials too large": (  # (the fixed net's error, as train says it: no trial's; one
        # net is too large already, said before the data is read: not '8 nets at once')
        ["tune", "cfg.yaml", HUGE],
        [
            "error: training tiny (64 -> 65536 x 3 -> out) needs at least 96.1 GB",
            "NNLAB_MAX_MEMORY_GB",
        ],
    ),
    "lr-scan of a model too large": (  # (one net too large, before its 10 rates, 8 at a time)
        ["lr-scan", "cfg.yaml", HUGE],
        ["error: training tiny (64 -> 65536 x 3 -> out) needs at least 96.1 GB", MEMORY],
    ),
    "landscape of a model too large": (["landscape", "cfg.yaml", HUGE], ["a model of tiny"]),
    "gradcheck of a model too large": (["gradcheck", "cfg.yaml", HUGE], ["a model of tiny"]),
    # work: each value within its bounds, together days of training
    "training that would take days": (
        ["train", "cfg.yaml", "epochs=1000000", "batch_size=1", "dataset.n_train=1500"],
        [
            "error: training tiny (64 -> 16 x 1 -> out) for 1,000,000 epochs is 1,500,000,000 steps",
            "14.4 TFLOP of matrix products and 31.4 TB of elementwise passes (parameters, "
            "activations): about 42.9 hours at 100 GFLOP/s, 8 GB/s and 0.1 ms a step or "
            "evaluation batch, over the limit of 24 hours (a day)",
            "or set NNLAB_MAX_HOURS to raise it",
        ],
    ),  # fmt: skip
    "a deep net's training that would take days": (  # (at 0.1 ms a step: 4.2 hours, accepted)
        [
            "train",
            "cfg.yaml",
            "epochs=200000",
            "dataset.n_train=1500",
            "model.hidden=[" + ",".join(["2"] * 64) + "]",
            "model.batchnorm=true",
            "batch_size=2",
        ],
        [
            "error: training tiny (64 -> 2 x 64 -> out) for 200,000 epochs is 150,000,000 steps",
            "at 100 GFLOP/s, 8 GB/s and 2.16 ms a step or evaluation batch on average (a step of "
            "over 5 hidden layers costs more), over the limit of 24 hours (a day)",
        ],
    ),  # fmt: skip
    "a deep net's sweep that would take days": (
        [
            *GRID,
            "epochs=45000",
            "batch_size=2",
            "dataset.n_train=1500",
            "model.hidden=[" + ",".join(["2"] * 64) + "]",
            "model.batchnorm=true,false",
        ],
        [
            "error: the sweep (2 trials) is 67,500,000 steps",
            "about 26.9 hours at 100 GFLOP/s, 8 GB/s and 1.43 ms a step or evaluation batch on "
            "average",
        ],  # (each trial alone: under a day)
    ),  # fmt: skip
    "evaluation that would take days": (  # (a forward pass per sample, every epoch)
        [
            "train",
            "cfg.yaml",
            "epochs=1000000",
            "batch_size=full",
            "eval_batch_size=1",
            "dataset.n_train=1500",
            "dataset.n_test=297",
        ],
        [
            "error: training tiny (64 -> 16 x 1 -> out) for 1,000,000 epochs is 1,000,000 steps, "
            "1,797,001,797 evaluation batches",
            "over the limit of 24 hours (a day); make it shorter (fewer epochs, samples or "
            "trials, larger batches (batch_size, eval_batch_size), a smaller net)",
        ],
    ),  # fmt: skip
    "sweep whose evaluations would take days": (  # fmt: skip
        [
            *GRID,
            "epochs=1000000",
            "batch_size=full",
            "dataset.n_train=1500",
            "eval_batch_size=1,10000",
        ],
        [
            "error: sweep trial (eval_batch_size=1): training tiny (64 -> 16 x 1 -> out) for "
            "1,000,000 epochs is 1,000,000 steps, 1,600,001,600 evaluation batches"
        ],
    ),
    "landscape that would take days": (  # (each value within its bounds: --points <= 1001)
        ["landscape", "cfg.yaml", "--points", "1001", "model.hidden=[8192,8192]"],
        [
            "error: a landscape of 1,003,002 losses on 200 samples (64 -> 8192 x 2 -> out) is "
            "1,003,002 evaluation batches",
            "over the limit of 24 hours (a day); make it shorter (fewer --points or --samples)",
        ],
    ),
    "sweep that would take days in all": (
        [*GRID, "epochs=300000", "batch_size=1", "seed=" + ",".join(map(str, range(1, 21)))],
        ["error: the sweep (20 trials) is 1,200,000,000 steps", "NNLAB_MAX_HOURS"],
    ),
    "tune whose rounds together would take days": (  # (each round alone: 13 hours)
        [
            "tune",
            "cfg.yaml",
            "--rounds",
            "5",
            "--trials",
            "20",
            "--epochs",
            "20000",
            "batch_size=1",
            "dataset.n_train=1500",
            "optimizer.lr=loguniform:1e-3:1",
        ],
        ["error: the tune (5 rounds of 20 trials) is 2,400,000,000 steps", "NNLAB_MAX_HOURS"],
    ),  # fmt: skip
    "tune of one round that would take days": (  # (it was called "the sweep")
        [
            "tune",
            "cfg.yaml",
            "--trials",
            "100",
            "--epochs",
            "20000",
            "batch_size=1",
            "dataset.n_train=1500",
            "optimizer.lr=loguniform:1e-3:1",
        ],
        ["error: the tune (1 round of 100 trials) is 2,400,000,000 steps", "NNLAB_MAX_HOURS"],
    ),  # fmt: skip
    "lr-scan whose rates together would take days": (  # (its --epochs, not the config's)
        [
            "lr-scan",
            "cfg.yaml",
            "--epochs",
            "10000",
            "--num",
            "100",
            "batch_size=1",
            "dataset.n_train=1500",
        ],
        ["error: the scan (100 rates x 10,000 epochs) is 1,500,000,000 steps", "NNLAB_MAX_HOURS"],
    ),
    "lr-scan whose rates together would not fit": (  # (each net fits; 8 train at once)
        ["lr-scan", "cfg.yaml", "--num", "100", "model.hidden=[5000,5000]"],
        [
            "error: training tiny (64 -> 5000 x 2 -> out), 8 nets at once (the scan's rates, "
            "trained side by side) needs at least",
            "NNLAB_MAX_MEMORY_GB",
        ],
    ),  # fmt: skip
    "lr-scan of a run that would take days": (
        [
            "lr-scan",
            "cfg.yaml",
            "--epochs",
            "10000",
            "--num",
            "80",
            "batch_size=1",
            "dataset.n_train=1500",
        ],  # fmt: skip
        ["the scan (80 rates x 10,000 epochs) is 1,200,000,000 steps", "NNLAB_MAX_HOURS"],
    ),
    "compare-optimizers with a batch larger than the data": (  # (checked before its folder)
        ["compare-optimizers", "--dataset", "digits", "--batch-size", "100000"],
        ["error: --batch-size: 100000 is larger than the training split (1,500 samples)"],
    ),
    "compare-optimizers on a net that would not fit": (  # (the model fits; its batches do not)
        [
            "compare-optimizers",
            "--dataset",
            "digits",
            "--hidden",
            "50000",
            "--batch-size",
            "1000",
            "--steps",
            "1",
        ],
        [
            "error: training compare-optimizers (64 -> 50000 x 1 -> out) needs at least 2 GB",
            "(1.12 GB of it is the activations of a minibatch of batch_size=1000)",
        ],
    ),  # fmt: skip
    "compare-optimizers that would take days in all": (
        [
            "compare-optimizers",
            "--dataset",
            "digits",
            "--hidden",
            "4000,4000,4000",
            "--steps",
            "10000000",
        ],
        ["error: the comparison (4 optimizers x 10,000,000 steps) is", "NNLAB_MAX_HOURS"],
    ),  # fmt: skip
    "gradcheck that would take days": (  # (every entry: two forward passes of a wide net)
        [
            "gradcheck",
            "cfg.yaml",
            "model.hidden=[4096,4096]",
            "--max-entries",
            "1000000",
            "--batch",
            "200",
        ],
        [
            "error: a numeric gradient of 1,311,306 parameter entries of tiny (64 -> 4096 x 2 -> "
            "out) on 200 samples is 2,622,612 forward passes",
            "0.1 ms a forward pass, over the limit of 24 hours (a day); make it shorter (a "
            "smaller --max-entries or --batch, or a smaller net)",
        ],
    ),  # fmt: skip
    "gradcheck --compare-differences that would take days": (
        [
            "gradcheck",
            "cfg.yaml",
            "model.hidden=[4096,4096]",
            "--max-entries",
            "1000000",
            "--batch",
            "200",
            "--compare-differences",
            "--param",
            "affine2.W",
        ],
        ["error: a numeric gradient of 1,000,000 parameter entries", "NNLAB_MAX_HOURS"],
    ),  # fmt: skip
    "activations too large": (
        ["activations", "--units", "10000", "--samples", "100000", "--layers", "100"],
        ["activations of 100,000 samples x 10,000 units x 100 layers", "NNLAB_MAX_MEMORY_GB"],
    ),
}


def _no_training(*args, **kwargs):
    raise AssertionError("training started: the value was not refused up front")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_a_value_past_its_bounds_is_refused_up_front_in_one_line(case, name, monkeypatch):
    """(Training is made to fail at once, so that a value let through fails this test instead
    of running for the days it asks for.)"""
    import nnlab.train
    from nnlab.experiments import differences, gradcheck as gc

    monkeypatch.setattr(nnlab.train._Loop, "__init__", _no_training)
    for module in (gc, differences):  # (and a gradient check)
        monkeypatch.setattr(module, "numeric_gradient_at", _no_training)
    args, parts = CASES[name]
    result = invoke(*args, "--runs-dir", case / "runs", env={"NNLAB_MAX_MEMORY_GB": "1"})
    refused(result, 2, *parts)
    assert result.stdout == ""
    assert not (case / "runs").exists()


# ----------------------------------------------------------------------------- YAML
def alias_bomb() -> str:
    """Nine levels of nine aliases: 9**9 (387 million) strings from a 1 kB file."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


FILES = {
    "alias bomb": (alias_bomb(), "expands to more than 100,000 values (YAML aliases?)"),
    "values written out": (  # (no alias: 333,000 of them in under 1 MB)
        "a: [" + ",".join(["{}"] * 333_000) + "]\n",
        "holds more than 100,000 values; a config is a few dozen keys",
    ),
    "2 MB config": (
        "# " + "x" * 2_000_000 + "\nepochs: 1\n",
        "bytes; a config is at most 1,000,000",
    ),
    "deep nesting": (
        "model:\n  hidden: " + "[" * 5000 + "]" * 5000 + "\n",
        "nested more than 32 levels deep",
    ),
    "a list that holds itself": ("model: {hidden: &h [1, *h]}\n", "nested more than 32 levels"),
    # (an empty file, or one of comments only, trained every default and exited 0)
    "an empty file": ("", "empty (blanks, comments or null only)"),
    "comments only": ("# epochs: 5\n\n", "empty (blanks, comments or null only)"),
    "binary garbage": (bytes(range(256)) * 40, "not a text file, expected YAML"),
    "a control character": ("epochs: 1\x00\n", "line 1, column 10: malformed YAML: unacceptable"),
}
READERS = {
    "train": ["train"],
    "sweep run": ["sweep", "run"],
    "lr-scan": ["lr-scan"],
    "tune": ["tune"],
    "landscape": ["landscape"],
    "gradcheck": ["gradcheck"],
}


@pytest.mark.parametrize("command", list(READERS))
@pytest.mark.parametrize("kind", list(FILES))
def test_a_hostile_yaml_file_is_refused_naming_the_file(case, kind, command):
    text, says = FILES[kind]
    (case / "bad.yaml").write_bytes(text if isinstance(text, bytes) else text.encode())
    result = invoke(*READERS[command], "bad.yaml", "--runs-dir", case / "runs")
    refused(result, 2, "error: bad.yaml: ", says)
    assert not (case / "runs").exists()


def test_a_document_of_too_many_values_is_refused_before_anything_is_built(case, monkeypatch):
    """Counted on the parser's events: the document was built whole first (6-7 s and 450 MB
    for the 'values written out' file), by every reader, ``runs list`` of a run's config.yaml
    too."""
    import yaml

    def built(*args, **kwargs):
        raise AssertionError("the document was built")

    monkeypatch.setattr(yaml, "load", built)
    (case / "bad.yaml").write_text(FILES["values written out"][0])
    result = invoke("train", "bad.yaml", "--runs-dir", case / "runs")
    refused(result, 2, "error: bad.yaml: ", FILES["values written out"][1])


@pytest.mark.parametrize(
    "args",
    [
        ["train", "cfg.yaml", "model.hidden=" + "[" * 2000 + "]" * 2000],
        [*GRID, "model.hidden=" + "[" * 2000 + "]" * 2000 + ",[3]"],
        [*GRID, "model.hidden=[1,2"],
    ],
    ids=["deep override", "deep sweep value", "malformed sweep value"],
)
def test_a_hostile_override_or_sweep_value_is_one_line_naming_the_key(case, args):
    result = invoke(*args, "--runs-dir", case / "runs")
    refused(result, 2, "model.hidden")
    assert not (case / "runs").exists()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("abc", "expected a positive number of GB in digits 0-9 below 2**40, got 'abc'"),
        ("-1", "expected a positive number"),
        (
            "1e309",
            "expected a positive number of GB in digits 0-9 below 2**40, got '1e309'",
        ),  # (infinity)
    ],
)
def test_a_bad_memory_limit_is_one_line_naming_the_variable(case, value, says):
    result = invoke("train", "cfg.yaml", "--runs-dir", case / "runs",
                    env={"NNLAB_MAX_MEMORY_GB": value})  # fmt: skip
    refused(result, 2, f"error: NNLAB_MAX_MEMORY_GB: {says}")


BOUNDS = [
    Row(
        "a sweep range that overflows",
        "`nnlab sweep grid cfg.yaml optimizer.lr=logspace:0:400:3`",
        2,
        (CASES["logspace that overflows"][1][0],),
    ),
    Row(
        "a sweep range with NaN",
        "`nnlab sweep grid cfg.yaml optimizer.lr=linspace:nan:1:3`",
        2,
        ("error: optimizer.lr: 'linspace:nan:1:3': 'nan' is not a finite number",),
    ),
    Row(
        "a non-integer end of an integer range",
        "`nnlab sweep random cfg.yaml epochs=randint:1.5:3 --trials 2`",
        2,
        ("error: " + CASES["randint with a non-integer end"][1][0],),
    ),
    Row(
        "an integer range past 2**53",
        "`nnlab sweep random cfg.yaml epochs=randint:1:1e30 --trials 2`",
        2,
        ("error: " + CASES["randint end past 2**53"][1][0],),
    ),
    Row(
        "a grid of too many trials",
        "`nnlab sweep grid cfg.yaml optimizer.lr=linspace:0.01:1:10000 "
        "weight_decay=linspace:0:1:10000`",
        2,
        ("error: sweep: " + CASES["grid of too many trials"][1][0],),
    ),
    Row(
        "a negative seed (every command with `--seed`)",
        "`nnlab landscape cfg.yaml --seed -1`",
        2,
        (f"error: {NEGATIVE_SEED} (see nnlab landscape -h)",),
    ),
    Row(
        "an option past its limit",
        "`nnlab landscape cfg.yaml --points 100000`",
        2,
        ("error: " + CASES["--points"][1][0] + " (see nnlab landscape -h)",),
    ),
    Row(
        "a landscape range that overflows",
        "`nnlab landscape cfg.yaml --range -1e308:1e308`",
        2,
        (
            "error: --range: LO and HI must be within -1000..1000 (multiples of a direction), got "
            "-1e+308:1e+308",
        ),
    ),  # fmt: skip
    Row(
        "a landscape grid without a point at its centre",
        "`nnlab landscape cfg.yaml --points 50`",
        2,
        ("error: " + CASES["--points that miss the centre"][1][0] + " (see nnlab landscape -h)",),
    ),
    Row(
        "a sweep trial too large for memory",
        "`nnlab sweep grid cfg.yaml model.hidden=[16],[65536,65536,65536]`",
        2,
        (
            "error: sweep trial (model.hidden=[65536, 65536, 65536]): training tiny (64 -> 65536 x 3 "
            "-> out) needs at least 96.1 GB of memory",
            "make it smaller (96.1 GB of it is model.hidden's weights with their gradients and "
            "optimizer state), or set NNLAB_MAX_MEMORY_GB to raise the limit",
        ),
    ),  # fmt: skip
    Row(
        "a model too large for memory, in any command",
        f"`nnlab landscape cfg.yaml {HUGE}`",
        2,
        ("error: a model of tiny (64 -> 65536 x 3 -> out) needs at least 96.1 GB of memory",),
    ),
]


def test_the_readme_rows_of_bounds_are_what_nnlab_prints(case):
    commands = [
        [*GRID, "optimizer.lr=logspace:0:400:3"],
        [*GRID, "optimizer.lr=linspace:nan:1:3"],
        [*RANDOM, "epochs=randint:1.5:3"],
        [*RANDOM, "epochs=randint:1:1e30"],
        CASES["grid of too many trials"][0],
        ["landscape", "cfg.yaml", "--seed", "-1"],
        ["landscape", "cfg.yaml", "--points", "100000"],
        ["landscape", "cfg.yaml", "--range", "-1e308:1e308"],
        CASES["--points that miss the centre"][0],
        CASES["sweep trial too large"][0],
        ["landscape", "cfg.yaml", HUGE],
    ]
    for row, args in zip(BOUNDS, commands, strict=True):
        result = invoke(*args, "--runs-dir", case / "runs")
        refused(result, row.code, *row.expect("runs"))


def test_a_sweep_is_refused_when_its_stacks_together_would_not_fit(case):
    """Each net fits; a stack of 8 of them does not: refused up front naming the stack, and
    fits with --stack 1 (checked without training: the same check the command makes)."""
    from nnlab.sweep.definition import define, plan
    from nnlab.sweep.run import check_trials

    lrs = "optimizer.lr=" + ",".join(str(i / 10) for i in range(1, 9))
    args = [*GRID, "model.hidden=[4096,4096]", lrs]
    result = invoke(*args, "--runs-dir", case / "runs", env={"NNLAB_MAX_MEMORY_GB": "1"})
    refused(result, 2, "training tiny (64 -> 4096 x 2 -> out), 8 nets at once (--stack x --jobs) "
            "needs at least 1.53 GB of memory, over the limit of 1 GB")  # fmt: skip
    assert not (case / "runs").exists()
    defn = define(case / "cfg.yaml", ["model.hidden=[4096,4096]", lrs], kind="grid")
    trials = plan(defn)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NNLAB_MAX_MEMORY_GB", "1")
        check_trials(defn, trials, None, stack=1, jobs=2)  # (2 nets at once: 0.44 GB)


@pytest.mark.parametrize("command", [c for c in READERS if c != "landscape"])
def test_a_config_that_never_ends_is_refused_after_a_megabyte(case, command):
    """/dev/zero has no size to check up front: the reader stops one byte past the limit
    (it used to read until memory ran out). (landscape reads a path without .yaml as a run.)"""
    result = invoke(*READERS[command], "/dev/zero", "--runs-dir", case / "runs")
    refused(result, 2, "error: /dev/zero: more than 1,000,000 bytes and no end (a device?); "
            "a config is at most 1,000,000 bytes")  # fmt: skip
    assert not (case / "runs").exists()


def test_a_deep_nets_steps_cost_more_in_the_work_limit():
    from nnlab.config import validate
    from nnlab.costs import BASE_DEPTH, STEP_SECONDS, fixed_seconds, step_seconds

    def cfg(depth: int, **model: object) -> object:
        return validate({"model": {"hidden": [4] * depth, **model}})

    for depth in range(1, BASE_DEPTH + 1):  # (what every estimate was: unchanged)
        assert step_seconds(cfg(depth, batchnorm=True, dropout=0.5)) == STEP_SECONDS
    plain, bn, both = cfg(64), cfg(64, batchnorm=True), cfg(64, batchnorm=True, dropout=0.5)
    assert step_seconds(plain) == pytest.approx(STEP_SECONDS + 59 * 1e-5)
    assert step_seconds(plain) < step_seconds(bn) < step_seconds(both)
    assert step_seconds(bn) > 20 * STEP_SECONDS  # (measured: 3.6 ms against 0.05 for 1 layer)
    evaluation = fixed_seconds(bn, 0, 1)  # (a forward pass: half a step's extra layers)
    assert evaluation == pytest.approx(STEP_SECONDS + (step_seconds(bn) - STEP_SECONDS) / 2)
    assert fixed_seconds(bn, 3, 2) == pytest.approx(3 * step_seconds(bn) + 2 * evaluation)


def test_the_work_limit_is_an_estimate_in_hours_that_nnlab_max_hours_raises(monkeypatch):
    from nnlab.costs import training_hours
    from nnlab.errors import ConfigError
    from nnlab.limits import check_work, work_limit

    assert training_hours(360e12, 0) == 1.0 and training_hours(0, 36e6) == 1.0
    check_work("a day's work", 0, 864e6)  # (24 hours exactly: allowed)
    with pytest.raises(ConfigError, match=r"about 24\.1 hours .* over the limit of 24 hours"):
        check_work("a day and a bit", 0, 868e6)
    monkeypatch.setenv("NNLAB_MAX_HOURS", "100")
    assert work_limit() == 100.0
    check_work("four days", 0, 3456e6)
    with pytest.raises(
        ConfigError, match=r"^years is 0 steps .*about 31\.7 years .*\(\$NNLAB_MAX_HOURS\)"
    ):
        check_work("years", 1e20, 0)
    for bad in ("abc", "0", "-1", "inf", "nan", "1e309"):
        monkeypatch.setenv("NNLAB_MAX_HOURS", bad)
        with pytest.raises(ConfigError, match="^NNLAB_MAX_HOURS: expected a"):
            work_limit()
