"""What a command's work costs at nominal rates: the estimates behind the work limit
(``limits.check_work``) and the training memory (``limits.training_parts``).

A training step costs its matrix products (``NOMINAL_GFLOPS``), its fixed cost (NumPy's calls
and Python around them: ``step_seconds``), and the elementwise passes over its parameters and
activations; an evaluation batch, a forward pass, part of each. Estimates to refuse work of days
or years before it starts, measured against real runs (lower bounds within about 2x), not
predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

NOMINAL_GFLOPS = 100.0  # a core's float32 matrix products (this project's 2-core VM: 75-155)
STEP_SECONDS = 1e-4  # a training step's fixed cost (a 5 x 100 net's: 0.5-1 ms; 1 layer: ~0.1)
BASE_DEPTH = 5  # hidden layers that STEP_SECONDS covers; each one more adds its layers' calls:
LAYER_SECONDS = {"hidden": 1e-5, "batchnorm": 2.5e-5, "dropout": 5e-6}  # (about half the
# 20, 50 and 10 us a step measured on this project's VM for 2-unit layers: a lower bound)
MEMORY_GBPS = 8.0  # GB a second that NumPy's elementwise passes read and write on a core (an
# optimizer's update of 9.2 million float32 parameters: 2.5 ns each for sgd, 10 for adam: 10-16)
PARAM_PASSES = 4  # passes over each parameter a training step makes (its products' reads, its
# gradient, the update), and as many again for each slot of its optimizer's state (adam: 12)
ACTIVATION_PASSES = {"hidden": 10, "batchnorm": 3, "dropout": 3}  # over each unit's output of
# each sample a training step makes (bias, activation, their backward), BatchNorm's and
# dropout's more; an evaluation's forward pass, half (measured: 6, +2.2, +2.6 ns a float32)
SEARCH_BYTES = 96  # a random search's step, of each parameter (compare-optimizers' baselines:
# a float64 normal drawn, cast, scaled and added: 14.5 ns each measured, 116 bytes at 8 GB/s)
NORMAL_BYTES = 160  # a float64 weight drawn from a normal, scaled and cast (``init_weight``:
# three arrays, each's pages touched first; 2 x 10,000 x 10,000 units: 5.5 s of CPU measured)
HISTOGRAM_PASSES = 30  # over each float64 output of a layer of ``nnlab activations``: its
# activation, moments, shares and histogram (5 x 500 units of 20,000 samples, 12 settings: 42 s)


def parameters(cfg: Any, input_dim: int, n_classes: int) -> tuple[int, int]:
    """(how many numbers a net of ``cfg`` holds: its weights and biases, and BatchNorm's gamma,
    beta and running statistics; how many the optimizer's state holds for each: its slots)."""
    from nnlab.nn.registry import OPTIMIZERS

    widths = [input_dim, *cfg.model.hidden, n_classes]
    params = sum(a * b + b for a, b in zip(widths, widths[1:]))
    if cfg.model.batchnorm:
        params += 4 * sum(cfg.model.hidden)
    return params, len(getattr(OPTIMIZERS.get(cfg.optimizer.name), "slots", ()))


def training_hours(
    flop: float, steps: float, fixed: float | None = None, moved: float = 0.0
) -> float:
    """Hours ``steps`` training steps computing ``flop`` floating-point operations of matrix
    products take at nominal rates: ``NOMINAL_GFLOPS`` for the products, ``STEP_SECONDS`` of
    fixed cost a step (NumPy's calls and Python around them: what a small net's step costs
    whatever its products), or ``fixed`` seconds in all (``fixed_seconds``: deep nets' steps
    cost more); ``moved``: bytes of elementwise passes at ``MEMORY_GBPS`` (``elementwise_bytes``).
    An estimate to refuse runs of days or years, not a prediction."""
    calls = steps * STEP_SECONDS if fixed is None else fixed
    return (flop / (NOMINAL_GFLOPS * 1e9) + calls + moved / (MEMORY_GBPS * 1e9)) / 3600


def step_seconds(cfg: Any) -> float:
    """The fixed cost of a training step of ``cfg``'s net: ``STEP_SECONDS``, and for each
    hidden layer past ``BASE_DEPTH`` the calls of its Affine and activation (and BatchNorm,
    dropout): a 64-layer net's step costs ~10 times a 5-layer one's whatever its width."""
    model = cfg.model
    per_layer = LAYER_SECONDS["hidden"]
    per_layer += LAYER_SECONDS["batchnorm"] if model.batchnorm else 0.0
    per_layer += LAYER_SECONDS["dropout"] if model.dropout else 0.0
    return STEP_SECONDS + max(0, len(model.hidden) - BASE_DEPTH) * per_layer


def fixed_seconds(cfg: Any, steps: float, evaluations: float = 0) -> float:
    """The fixed cost of ``steps`` training steps and ``evaluations`` evaluation batches of
    ``cfg``'s net (``step_seconds``; an evaluation batch, a forward pass, half a step's
    layers), for ``training_hours``."""
    step = step_seconds(cfg)
    return steps * step + evaluations * (STEP_SECONDS + (step - STEP_SECONDS) / 2)


def epochs_left(cfg: Any, done: int = 0) -> tuple[int, int]:
    """(epochs a run of ``cfg`` trains after its first ``done``, times it evaluates its
    splits): after each epoch left, and before the first when it starts from the beginning."""
    epochs = max(int(cfg.epochs) - max(done, 0), 0)
    return epochs, epochs + (1 if done <= 0 else 0)


def training_work(
    cfg: Any,
    input_dim: int,
    n_classes: int,
    n_train: int,
    eval_sizes: Sequence[int],
    final_sizes: Sequence[int],
    done: int = 0,
) -> tuple[float, int, int]:
    """(floating-point operations of the matrix products, training steps, evaluation batches)
    of one net of ``cfg``: each epoch's training pass over ``n_train`` samples (forward 2,
    backward 4 per multiply-add of a sample), an evaluation of the splits of ``eval_sizes``
    samples before training and after each epoch, and of ``final_sizes`` more after the last
    (``final_eval``), as ``benchmarks/flops.py`` counts them; each evaluation of a split is a
    forward pass per ``eval_batch_size`` rows, whose calls cost as a step's do (a batch of 1
    over every sample is a call per sample). ``done``: epochs a resume starts after (its
    checkpoint's): only the epochs left are counted, and the evaluation before training only
    when it starts from the beginning (``done`` 0)."""
    macs = multiply_adds(cfg, input_dim, n_classes)
    epochs, evaluated = epochs_left(cfg, done)
    batch = n_train if cfg.batch_size == "full" else min(int(cfg.batch_size), max(n_train, 1))
    steps = epochs * -(-n_train // max(batch, 1))
    n_eval, n_final = sum(eval_sizes), sum(final_sizes)
    flop = 6 * macs * n_train * epochs + 2 * macs * (n_eval * evaluated + n_final)
    size = max(int(cfg.eval_batch_size), 1)
    batches = evaluated * sum(-(-n // size) for n in eval_sizes)
    return float(flop), steps, batches + sum(-(-n // size) for n in final_sizes)


def elementwise_bytes(
    cfg: Any,
    input_dim: int,
    n_classes: int,
    n_train: int,
    eval_sizes: Sequence[int],
    final_sizes: Sequence[int],
    done: int = 0,
) -> float:
    """Bytes the elementwise passes of a run of ``cfg`` move (``training_work``'s run, at
    ``MEMORY_GBPS``): each training step's over the parameters and the optimizer's state
    (``PARAM_PASSES``), and over the units' outputs of every sample it trains on and evaluates
    (``ACTIVATION_PASSES``). The work a wide net's step of a small batch is made of (its
    products read each weight once for a few multiply-adds: a 3000-unit net's adam step of one
    sample took 92 ms, its products 0.6 ms), and a narrow input's (2 inputs, 4000 units)."""
    params, slots = parameters(cfg, input_dim, n_classes)
    steps = training_work(cfg, input_dim, n_classes, n_train, eval_sizes, final_sizes, done)[1]
    epochs, evaluated = epochs_left(cfg, done)
    eval_rows = sum(eval_sizes) * evaluated + sum(final_sizes)
    units = sum(cfg.model.hidden) + n_classes
    passes = ACTIVATION_PASSES["hidden"]
    passes += ACTIVATION_PASSES["batchnorm"] if cfg.model.batchnorm else 0
    passes += ACTIVATION_PASSES["dropout"] if cfg.model.dropout else 0
    itemsize = 8 if cfg.dtype == "float64" else 4
    moved = steps * params * PARAM_PASSES * (1 + slots)
    moved += units * passes * (n_train * epochs + eval_rows / 2)
    return float(itemsize * moved)


def search_bytes(cfg: Any, input_dim: int, n_classes: int, steps: int) -> float:
    """Bytes a random search's ``steps`` steps over ``cfg``'s parameters move, past what the
    net's training steps would (``SEARCH_BYTES`` a parameter a step: each step draws a
    candidate for every one; ``experiments.optimizers.baselines``)."""
    return float(steps * parameters(cfg, input_dim, n_classes)[0] * SEARCH_BYTES)


def histogram_work(settings: int, layers: int, units: int, samples: int) -> tuple[float, float]:
    """(floating-point operations of the matrix products, bytes of elementwise passes) of
    ``nnlab activations``: for each of ``settings`` (activation, init) and each of ``layers``,
    a ``units`` x ``units`` float64 weight matrix drawn (``NORMAL_BYTES`` each: what ``--units
    10000`` costs, 100 million draws a layer), its product with ``samples`` rows, and the
    passes over the layer's outputs (``HISTOGRAM_PASSES``)."""
    layer_flop = 2 * samples * units * units
    layer_bytes = units * units * NORMAL_BYTES + samples * units * 8 * HISTOGRAM_PASSES
    return float(settings * layers * layer_flop), float(settings * layers * layer_bytes)


def multiply_adds(cfg: Any, input_dim: int, n_classes: int) -> int:
    """Multiply-adds of one sample through ``cfg``'s net (its Affine layers' products)."""
    widths = [input_dim, *cfg.model.hidden, n_classes]
    return sum(a * b for a, b in zip(widths, widths[1:]))


def evaluation_work(
    cfg: Any, input_dim: int, n_classes: int, samples: int, passes: int, batch: int
) -> tuple[float, int]:
    """(floating-point operations of the matrix products, evaluation batches) of ``passes``
    forward passes of ``cfg``'s net over ``samples`` rows in batches of ``batch``: a loss
    landscape's grid."""
    flop = 2 * multiply_adds(cfg, input_dim, n_classes) * samples * passes
    return float(flop), passes * -(-samples // max(batch, 1))


POINT_PASSES = 5  # over each parameter to set a landscape's point: centre + a d1 + b d2 (a net
# of 4.15 million float32 parameters: 9.3 ms a point measured, its products 0.9)


def evaluation_bytes(cfg: Any, input_dim: int, n_classes: int, samples: int, passes: int) -> float:
    """Bytes the elementwise passes of ``passes`` evaluations of ``cfg``'s net over
    ``samples`` rows move (``evaluation_work``'s: a loss landscape's points), each at its own
    parameters (``POINT_PASSES``) and half a training step's passes over each unit's output."""
    params = parameters(cfg, input_dim, n_classes)[0]
    units = sum(cfg.model.hidden) + n_classes
    itemsize = 8 if cfg.dtype == "float64" else 4
    per_pass = params * POINT_PASSES + samples * units * ACTIVATION_PASSES["hidden"] / 2
    return float(passes * per_pass * itemsize)


def parameter_sizes(cfg: Any, input_dim: int, n_classes: int) -> list[int]:
    """Entries of each parameter array of ``cfg``'s net: every Affine's weights and biases, and
    each BatchNorm's scale and shift."""
    widths = [input_dim, *cfg.model.hidden, n_classes]
    sizes = [size for a, b in zip(widths, widths[1:]) for size in (a * b, b)]
    if cfg.model.batchnorm:
        sizes += [h for h in cfg.model.hidden for _ in range(2)]
    return sizes


def numeric_gradient_work(
    cfg: Any, input_dim: int, n_classes: int, batch: int, entries: int, passes: int
) -> tuple[float, int]:
    """(floating-point operations, forward passes) of a numeric gradient of ``entries``
    parameter entries of ``cfg``'s net, ``passes`` forward passes over ``batch`` rows each (a
    centred difference: 2), the weight-decay penalty over every weight recomputed with each."""
    calls = entries * passes
    per_pass = 2 * multiply_adds(cfg, input_dim, n_classes) * batch
    if cfg.weight_decay:
        per_pass += 2 * multiply_adds(cfg, input_dim, n_classes)
    return float(per_pass * calls), calls


def numeric_gradient_bytes(
    cfg: Any, input_dim: int, n_classes: int, batch: int, calls: int
) -> float:
    """Bytes the elementwise passes of ``calls`` forward passes of ``cfg``'s net over ``batch``
    rows move (a numeric gradient's, ``numeric_gradient_work``; in float64, in training mode:
    half a training step's passes over each unit's output, ``ACTIVATION_PASSES``)."""
    passes = ACTIVATION_PASSES["hidden"]
    passes += ACTIVATION_PASSES["batchnorm"] if cfg.model.batchnorm else 0
    passes += ACTIVATION_PASSES["dropout"] if cfg.model.dropout else 0
    units = sum(cfg.model.hidden) + n_classes
    return float(calls * batch * units * passes / 2 * 8)


CALL_SECONDS = 1e-5  # a centred difference's call of one small layer's forward (10-20 us)


def numeric_check_work(arrays: Sequence[tuple[int, int]], max_entries: int) -> tuple[int, float]:
    """(calls, bytes of elementwise passes) of centred differences (2 calls an entry) over
    ``arrays``, each (its entries, the float64 values each call passes over), at most
    ``max_entries`` of each: ``nnlab gradcheck``'s built-in check, whose layers' inputs are
    ``--batch`` rows, every entry a call over all of them (``--batch 4096``: 2.6 million calls
    over 20,000 values each, minutes)."""
    calls = sum(2 * min(entries, max_entries) for entries, _ in arrays)
    moved = sum(2 * min(entries, max_entries) * values * 8 * 2 for entries, values in arrays)
    return calls, float(moved)
