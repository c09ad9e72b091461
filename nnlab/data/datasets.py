"""The datasets a config's ``dataset:`` block can name: each is one class, its keys (a
pydantic model) and how to load it (``source``). ``nnlab.data.registry.DATASETS`` lists them.

Sources are imported inside ``source``, so importing this module does not pull in h5py or
scikit-learn.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from nnlab.schema import DatasetBase

CATVNONCAT = ("catvnoncat/train_catvnoncat.h5", "catvnoncat/test_catvnoncat.h5")

if TYPE_CHECKING:
    from nnlab.data.dataset import Source

Count = Annotated[int, Field(gt=0, le=1_000_000)]


def data_path(data_dir: Path | str | None) -> Path:
    from nnlab.data import resolve_data_dir

    return resolve_data_dir(data_dir)


class DigitsData(DatasetBase):
    """The 8x8 handwritten digits bundled with scikit-learn (1,797 images, 10 classes)."""

    description = "8x8 handwritten digits, 1,797 images, 10 classes"
    where = "bundled with scikit-learn"

    name: Literal["digits"] = "digits"
    n_test: Annotated[int, Field(ge=0, le=1797)] | None = Field(
        297, description="test samples (null: what n_train and n_val leave, or a fifth of the data)"
    )

    def known_shape(self) -> tuple[int, int] | None:
        return 64, 10  # (8x8 pixels, digits 0..9: the file bundled with scikit-learn)

    def source(self, data_dir: Path | str | None) -> Source:
        from nnlab.data import digits

        return digits.load()


class MnistData(DatasetBase):
    """MNIST from IDX files under ``<data-dir>/mnist`` (gzipped or not).

    With ``train-*`` files present the training pool is the 60,000 training images and the test
    split comes from ``t10k-*``; with only the ``t10k`` pair, all splits are carved from it.
    """

    description = "28x28 handwritten digits, 60,000 train + 10,000 test, 10 classes (IDX files)"
    where = "mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]"
    fetch = "nnlab data fetch mnist{dir} downloads it"
    folder = "mnist/"

    name: Literal["mnist"] = "mnist"
    n_test: Annotated[int, Field(ge=0, le=70_000)] | None = Field(
        2000,
        description="test samples (null: all of t10k; with t10k only, what n_train and n_val "
        "leave, or a fifth of it)",
    )

    def source(self, data_dir: Path | str | None) -> Source:
        from nnlab.data import data_dir_origin, mnist

        return mnist.load(data_path(data_dir) / "mnist", data_dir_origin(data_dir))

    @classmethod
    def available(cls, data_dir: Path) -> tuple[bool, str]:
        from nnlab.data import mnist

        parts = mnist.available_parts(data_dir / "mnist")
        found = f" (found: {' + '.join(parts)})" if parts else ""
        return bool(parts), f"{data_dir / 'mnist'}{found}"


class Hdf5Data(DatasetBase):
    """Images and labels from HDF5 files (the deeplearning.ai cat-vs-noncat layout by default).

    Relative paths are looked up under the data dir. Images are flattened to (N, H*W*C).
    """

    description = (
        "images + labels from HDF5 files named in the config (e.g. catvnoncat, 209 + 50 64x64 RGB)"
    )
    where = "catvnoncat/{train,test}_catvnoncat.h5 (or dataset.train_file)"
    fetch = "nnlab data fetch catvnoncat --from DIR{dir} copies cat-vs-noncat's files"
    folder = "catvnoncat/"

    name: Literal["hdf5"] = "hdf5"
    train_file: str = Field(description="HDF5 file of the training pool (under the data dir)")
    test_file: str | None = Field(
        None, description="HDF5 file of the test set (null: none; n_test is carved from train_file)"
    )
    train_x: str = Field("train_set_x", description="dataset of training images in train_file")
    train_y: str = Field("train_set_y", description="dataset of training labels in train_file")
    test_x: str = Field("test_set_x", description="dataset of test images in test_file")
    test_y: str = Field("test_set_y", description="dataset of test labels in test_file")

    def source(self, data_dir: Path | str | None) -> Source:
        from nnlab.data import hdf5

        return hdf5.load(self, data_path(data_dir))

    @classmethod
    def available(cls, data_dir: Path) -> tuple[bool, str]:
        files = [p for p in CATVNONCAT if (data_dir / p).is_file()]
        return bool(files), ", ".join(str(data_dir / p) for p in (files or CATVNONCAT[:1]))


class SyntheticData(DatasetBase):
    """A generated set: ``n_classes`` classes of ``n_per_class`` points (no files; the test split
    is carved from the points: by default a fifth of them; ``normalize`` defaults to none)."""

    where = "generated from split_seed"

    n_per_class: Count = Field(100, description="points per class")
    n_classes: Annotated[int, Field(ge=2, le=1000)] = Field(3, description="classes")
    normalize: Literal["none", "scale", "standardize"] = Field(
        "none", description="scale, standardize or none"
    )

    def generated_bytes(self) -> int:
        return 8 * self.n_per_class * self.n_classes * (getattr(self, "dim", 2) + 1) * 3

    def known_shape(self) -> tuple[int, int] | None:
        return int(getattr(self, "dim", 2)), self.n_classes

    def generated_size(self) -> str:
        dim = getattr(self, "dim", None)
        points = f"{self.n_per_class:,} x {self.n_classes:,}" + (f" x {dim:,}" if dim else "")
        keys = "dataset.n_per_class x n_classes" + (" x dim" if dim else "")
        return f"{keys}: {points}"


class SpiralData(SyntheticData):
    """cs231n's spiral: ``n_classes`` interleaved arms of ``n_per_class`` 2-D points."""

    description = "cs231n spiral: interleaved 2-D arms, one per class"

    name: Literal["spiral"] = "spiral"
    noise: Annotated[float, Field(ge=0, le=100)] = Field(0.2, description="std of the noise")

    def source(self, data_dir: Path | str | None) -> Source:
        from nnlab.data import synthetic

        return synthetic.spiral(self.n_per_class, self.n_classes, self.noise, self.split_seed)


class BlobsData(SyntheticData):
    """Gaussian blobs: ``n_classes`` clusters of ``n_per_class`` points in ``dim`` dimensions."""

    description = "Gaussian clusters with random centres"

    name: Literal["blobs"] = "blobs"
    dim: Annotated[int, Field(gt=0, le=100_000)] = Field(2, description="dimensions")
    spread: Annotated[float, Field(gt=0, le=1e6)] = Field(1.0, description="std of each cluster")

    def source(self, data_dir: Path | str | None) -> Source:
        from nnlab.data import synthetic

        return synthetic.blobs(
            self.n_per_class, self.n_classes, self.dim, self.spread, self.split_seed
        )
