"""What a training run needs, checked before it starts: the config against its data (batch
size, loss and classes, splits), the memory, the work and the disk its runs take (``limits``),
for one run or together for a sweep's trials, a tune's rounds, an lr-scan's rates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nnlab.build import describe_net
from nnlab.config_model import Config
from nnlab.costs import elementwise_bytes, fixed_seconds, training_work
from nnlab.data import Dataset, load_dataset
from nnlab.errors import ConfigError
from nnlab.limits import (
    SHORTER,
    check_disk,
    check_memory,
    check_work,
    folder_bytes,
    training_parts,
)
from nnlab.nn.registry import LOSSES
from nnlab.output import counted


def check_compatible(
    cfg: Config,
    data: Dataset,
    nets: int = 1,
    why: str = "--stack x --jobs",
    done: int = 0,
    resume: bool = False,
    shorter: str = SHORTER,
) -> None:
    """Config choices that only the data can validate (batch size, loss vs classes, splits),
    the memory ``nets`` such nets need to train at once (``why``: what puts them there) and
    the work of a run (``done``: the epochs a resume's checkpoint has, not counted again;
    ``resume``: the work limit's advice is a resume's; ``shorter``: how the run can be made
    shorter, ``limits.check_work``)."""
    n_train = data.splits["train"][0].shape[0]
    if cfg.batch_size != "full" and cfg.batch_size > n_train:
        raise ConfigError(
            f"batch_size: {cfg.batch_size} is larger than the training split ({counted(n_train, 'sample')}); "
            "use a smaller value or 'full'"
        )
    check_batchnorm_batches(cfg, n_train)
    if LOSSES[cfg.loss].binary and data.n_classes != 2:
        raise ConfigError(
            f"loss: {cfg.loss!r} needs 2 classes, dataset {data.name!r} has {data.n_classes}"
        )
    for key, splits in (("eval", cfg.eval), ("final_eval", cfg.final_only)):
        for split in splits:
            if split not in data.splits or data.splits[split][0].shape[0] == 0:
                raise ConfigError(
                    f"{key}: split {split!r} is empty for dataset {data.name!r}; "
                    f"set dataset.n_{split} above 0, or leave {split!r} out of {key}"
                )
    n_eval = max((data.splits[s][0].shape[0] for s in cfg.splits if s in data.splits), default=0)
    check_net_memory(cfg, data.input_dim, data.n_classes, n_train, n_eval, nets, why)
    flop, steps, evaluations = run_work(cfg, data, done)
    what = f"training {cfg.name} ({describe_net(cfg, data.input_dim)}) for {counted(cfg.epochs, 'epoch')}"
    if done > 0:
        what += f" ({counted(max(cfg.epochs - done, 0), 'epoch')} left after its checkpoint)"
    fixed, moved = fixed_seconds(cfg, steps, evaluations), run_elementwise(cfg, data, done)
    check_work(what, flop, steps, shorter, evaluations=evaluations, fixed=fixed, resume=resume,
               moved=moved)  # fmt: skip


def check_net_memory(
    cfg: Config,
    input_dim: int,
    n_classes: int,
    n_train: int,
    n_eval: int,
    nets: int,
    why: str,
    inputs: str | None = None,
    doing: str = "training",
) -> None:
    """ConfigError if ``nets`` nets of ``cfg`` (``why``: what puts them there) need more
    memory to train than the limit (``limits.training_parts``, ``limits.check_memory``).
    ``inputs``: how the error names the input width (default: ``input_dim``); ``doing``:
    what needs it ("a model of": a command that builds the net, as ``build_model`` says)."""
    parts = training_parts(cfg, input_dim, n_classes, n_train, n_eval)
    at_once = f", {counted(nets, 'net')} at once ({why})" if nets > 1 else ""
    what = f"{doing} {cfg.name} ({describe_net(cfg, inputs or input_dim)}){at_once}"
    check_memory(what, sum(parts.values()) * nets, parts)


def check_net_before_data(
    cfg: Config, nets: int = 1, why: str = "--stack x --jobs", doing: str = "training"
) -> None:
    """``check_net_memory`` with batches of one sample, before the data is read or made: of
    the shape the config alone says (``DatasetBase.known_shape``: a generated set's, the
    bundled digits'), else of the least a dataset of files can have (``LEAST_SHAPE``: one
    input, two classes), which the hidden layers' weights, what makes a net too large, are
    all of: a net too large was refused only after its data was generated or read (blobs of
    dim 100,000 under a layer of 65,536 units: 15 s and 600 MB first; MNIST's 70,000 images
    before a net of 96 GB). ``check_compatible`` counts the data and the batches too.
    ``doing``: what the error says needs the memory (``check_net_memory``)."""
    shape = cfg.dataset.known_shape()
    inputs = None if shape is not None else f"{cfg.dataset.name}'s inputs"
    check_net_memory(cfg, *(shape or LEAST_SHAPE), 1, 1, nets, why, inputs, doing)


LEAST_SHAPE = (1, 2)  # (inputs, classes) that any dataset has at least
MODEL_OF = "a model of"  # (``doing``: what a command that builds a net but trains none says)


def load_checked(
    cfg: Config,
    data_dir: Path | None,
    nets: int = 1,
    why: str = "--stack x --jobs",
    dtype: str | None = None,
    doing: str = "training",
) -> Dataset:
    """The data of ``cfg`` (in ``dtype``, default the config's), read or made only once the
    memory of ``nets`` of its nets has passed (``check_net_before_data``): the one order of
    every command that builds a net of a config (train, its resume and --extend, sweep, tune,
    lr-scan, landscape, gradcheck, compare-optimizers), so that a net too large is refused
    before any data is loaded, and for its memory, not for the data's or the disk's.
    ``doing``: what the error says needs it ("a model of": a command that does not train)."""
    checked = cfg if dtype is None else cfg.model_copy(update={"dtype": dtype})
    check_net_before_data(checked, nets, why, doing)
    return load_dataset(cfg.dataset, data_dir, checked.dtype)


def check_batchnorm_batches(cfg: Config, n_train: int) -> None:
    """A ConfigError if BatchNorm would see a training batch of one sample (``batch_size`` 1,
    or a last batch of 1 left over by ``n_train``): it has no variance, and the layer refuses
    it (``nn.BatchNorm``), as torch does; refused here before any folder or epoch."""
    if not cfg.model.batchnorm:
        return
    size = n_train if cfg.batch_size == "full" else int(cfg.batch_size)
    if size < 2:
        raise ConfigError(
            f"batch_size: {size} with model.batchnorm true: BatchNorm needs 2 or more samples "
            "per training batch (a batch of 1 has no variance)"
        )
    if n_train % size == 1:
        raise ConfigError(
            f"batch_size: {size} leaves a last training batch of 1 sample "
            f"({n_train} = {n_train // size} x {size} + 1), and BatchNorm (model.batchnorm) "
            "needs 2 or more per batch; choose a batch_size that leaves more, or another "
            "dataset.n_train"
        )


def check_total_work(
    what: str,
    runs_of: list[tuple[Config, Dataset]],
    times: int = 1,
    done: Sequence[int] = (),
    resume: bool = False,
    moved: float = 0.0,
) -> None:
    """ConfigError if the runs of ``runs_of`` (each config with its data), ``times`` over,
    together would take more than the work limit (``limits.check_work``): a sweep's trials, a
    tune's rounds of them, an lr-scan's rates. ``done``: the epochs each run has done already
    (a resumed trial's checkpoint; missing: 0), whose work is not counted again; ``resume``:
    the limit's advice is a resume's; ``moved``: bytes of elementwise passes besides the
    runs' (``costs.search_bytes``: compare-optimizers' random searches)."""
    done = [*done, *[0] * (len(runs_of) - len(done))]
    work = [run_work(cfg, data, d) for (cfg, data), d in zip(runs_of, done)]
    flop, steps, evaluations = (sum(w[i] for w in work) for i in range(3))
    fixed = sum(fixed_seconds(cfg, s, e) for (cfg, _), (_, s, e) in zip(runs_of, work))
    moved += sum(run_elementwise(cfg, data, d) for (cfg, data), d in zip(runs_of, done))
    check_work(what, flop * times, steps * times, evaluations=evaluations * times,
               fixed=fixed * times, resume=resume, moved=moved * times)  # fmt: skip


def check_total_disk(
    what: str, runs_of: list[tuple[Config, Dataset]], root: Path, times: int = 1
) -> None:
    """ConfigError if the folders of the runs of ``runs_of`` (each config with its data),
    ``times`` over, would take more of the space free under ``root`` than a command may plan
    to write (``limits.check_disk``)."""
    nbytes = sum(folder_bytes(cfg, data.input_dim, data.n_classes) for cfg, data in runs_of)
    check_disk(what, nbytes * times, root)


def run_work(cfg: Config, data: Dataset, done: int = 0) -> tuple[float, int, int]:
    """(floating-point operations of the matrix products, training steps, evaluation batches)
    of a run of ``cfg`` on ``data`` (``costs.training_work``), or of what is left of it after
    ``done`` epochs (a resume from its checkpoint)."""
    return training_work(cfg, data.input_dim, data.n_classes, *_sizes(cfg, data), done=done)


def run_elementwise(cfg: Config, data: Dataset, done: int = 0) -> float:
    """Bytes the elementwise passes of that run move (``costs.elementwise_bytes``)."""
    return elementwise_bytes(cfg, data.input_dim, data.n_classes, *_sizes(cfg, data), done=done)


def _sizes(cfg: Config, data: Dataset) -> tuple[int, list[int], list[int]]:
    """(training samples, samples of each split evaluated after each epoch, of each evaluated
    after the last only) of a run of ``cfg`` on ``data``."""

    def sizes(splits: list[str]) -> list[int]:
        return [data.splits[s][0].shape[0] for s in splits if s in data.splits]

    return data.splits["train"][0].shape[0], sizes(list(cfg.eval)), sizes(list(cfg.final_only))
