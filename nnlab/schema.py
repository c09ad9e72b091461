"""The base models every part of the config schema builds on (pydantic, importable cheaply).

``Strict``: frozen, unknown keys refused, NaN and infinity refused for every float.
``DatasetBase``: the split and preprocessing keys every dataset has; a dataset is a subclass
with its own keys and a ``source`` method (``nnlab.data.datasets``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from nnlab.data.dataset import Source

MAX_SAMPLES = 10_000_000  # samples of any split or generated set
MAX_SEED = 2**32 - 1


class Strict(BaseModel):
    """Unknown keys refused, frozen, finite floats. A model's validator is built on its first
    use (``defer_build``): a command builds only the variants its config names (one dataset,
    one optimizer), which halves the import of ``nnlab.config`` (0.2 -> 0.1 s)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


Samples = Annotated[int, Field(le=MAX_SAMPLES)]


class DatasetBase(Strict):
    """Split sizes and preprocessing, common to every dataset.

    ``n_train``/``n_val``/``n_test`` take that many samples (``null``: all that are left).
    The split is drawn with ``split_seed`` (not the run seed), so every run and sweep trial on
    the same dataset config sees the same samples. ``normalize``: ``scale`` maps pixel values to
    [0, 1] (x / 255 for MNIST and HDF5 images, x / 16 for digits), ``standardize`` subtracts the
    training split's per-feature mean and divides by its std, ``none`` leaves data as stored.
    """

    description: ClassVar[str] = ""  # one line for ``nnlab data list``
    where: ClassVar[str] = ""  # where its data comes from / is looked for
    needs_files: ClassVar[bool] = False

    n_train: Annotated[Samples, Field(gt=0)] | None = Field(
        None, description="training samples (null: all that are left)"
    )
    n_val: Annotated[Samples, Field(ge=0)] = Field(
        0, description="validation samples, carved from the training pool"
    )
    n_test: Annotated[Samples, Field(ge=0)] | None = Field(
        None, description="test samples (null: all that are left, or the source's test set)"
    )
    normalize: Literal["none", "scale", "standardize"] = Field(
        "scale", description="scale to [0, 1], standardize by the training split, or none"
    )
    split_seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = Field(
        0, description="seed of the split (not the run's seed): every run sees the same samples"
    )

    def source(self, data_dir: Path | str | None) -> Source:
        """The raw data (``nnlab.data.dataset.Source``), before splitting and normalising."""
        raise NotImplementedError

    def generated_bytes(self) -> int:
        """Bytes a generated dataset's arrays take (0: the data is read from files)."""
        return 0
