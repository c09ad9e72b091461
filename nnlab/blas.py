"""BLAS threads: how many a training run uses by default, and the ``--threads`` a command
offered to train a folder's config again carries so that it gives the folder's numbers.

OpenBLAS adds a matrix product's terms in another order with one thread than with several
(not with 2 and 3 on the 2-core machine measured: the split is one thread or many), so a
config's numbers depend on the count in their last digits, and more over a long run. A
``train`` run chooses by its net (``default_threads``), a sweep's trial trains with one, a
resume with the count its run began with; meta.json records the count (``blas_threads``) and
the product that chose it (``largest_product``).
"""

from __future__ import annotations

import os
from typing import Any

LARGE_PRODUCT = 2**24  # multiply-adds of one matrix product from which more threads pay


def default_threads(product: int) -> int:
    """BLAS threads ``nnlab train`` gives a net whose largest matrix product (a minibatch
    through one layer) is ``product`` multiply-adds: 1 below ``LARGE_PRODUCT``, where more
    threads only add overhead, else every core."""
    return 1 if product < LARGE_PRODUCT else (os.cpu_count() or 1)


def again_threads(meta: dict[str, Any]) -> str:
    """`` --threads N`` for a command offered to train a folder's config again (a tune's best
    trial, the report's "train again"), where the BLAS threads the folder trained with
    (meta.json's ``blas_threads``: a sweep's trial 1, a large net's run every core, or
    ``--threads``) are not those ``nnlab train`` of its config chooses here: without it the
    offer gave other numbers than the folder's. "" where they are the same, and for a folder
    that recorded no ``largest_product`` (older versions)."""
    threads, product = meta.get("blas_threads"), meta.get("largest_product")
    if type(threads) is not int or type(product) is not int:
        return ""
    return "" if threads == default_threads(product) else f" --threads {threads}"
