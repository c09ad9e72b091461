"""This machine's float32 matrix-multiply rate on given shapes, for ``bench.py``'s floors.

``time_gemms`` times each product with its operands hot in cache (the same A and B every call),
the rate a floor should assume. ``time_stacked_gemms`` times the same products the way a stack
of K nets makes them (``nnlab.nn.stacked``): K nets' distinct weights, activations as per-net
strided views of wide (N, K*D) arrays. The two rates side by side say whether the stack's layout
costs anything on this machine (``bench.py --only gemm``).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# (rows, inner, cols, a transposed, b transposed): C (rows, cols) = op(A) @ op(B)
Gemm = tuple[int, int, int, bool, bool]


def _operands(g: Gemm, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    m, k, n, ta, tb = g
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
    return (a.T if ta else a), (b.T if tb else b)


def _per_net(x: np.ndarray, k: int) -> np.ndarray:
    """(N, K*D) -> the (K, N, D) view of the nets' blocks, as ``nnlab.nn.stacked.per_net``."""
    return x.reshape(x.shape[0], k, -1).transpose(1, 0, 2)


def _stacked_call(g: Gemm, k: int, rng: np.random.Generator) -> Callable[[], Any]:
    """One stacked product of shape ``g`` for K nets, laid out as ``StackedAffine`` lays it
    out: y = x W (forward), dW = x^T dout, dx = dout W^T."""
    m, inner, n, ta, tb = g

    def wide(rows: int, cols: int) -> np.ndarray:
        return rng.standard_normal((rows, k * cols)).astype(np.float32)

    if ta:  # dW = x^T dout: both operands per-net views, a contiguous (K, m, n) result
        a, b = _per_net(wide(inner, m), k).transpose(0, 2, 1), _per_net(wide(inner, n), k)
        out = np.empty((k, m, n), dtype=np.float32)
    else:  # y = x W or dx = dout W^T: the nets' own weights, a per-net view of a wide result
        a = _per_net(wide(m, inner), k)
        weights = rng.standard_normal((k, n, inner) if tb else (k, inner, n)).astype(np.float32)
        b = weights.transpose(0, 2, 1) if tb else weights
        out = _per_net(np.empty((m, k * n), dtype=np.float32), k)
    return lambda: np.matmul(a, b, out=out)


def _best(call: Callable[[], Any], seconds: float) -> float:
    """Best seconds per call over 5 loops of ~``seconds / 5`` each."""
    call()
    t0 = time.perf_counter()
    call()
    reps = max(1, int(seconds / 5 / max(time.perf_counter() - t0, 1e-7)))
    best = math.inf
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            call()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def time_gemms(gemms: list[Gemm], threads: int, seconds: float = 0.25) -> dict[Gemm, float]:
    """Best seconds per call of each product (float32, ``threads`` BLAS threads, operands hot
    in cache), each timed in loops of ~``seconds / 5`` and the best of 5 loops kept."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    out: dict[Gemm, float] = {}
    with threadpool_limits(limits=threads):
        for g in gemms:
            a, b = _operands(g, rng)
            c = np.empty((g[0], g[2]), dtype=np.float32)
            out[g] = _best(lambda: np.matmul(a, b, out=c), seconds)  # noqa: B023 (called now)
    return out


def time_stacked_gemms(gemms: list[Gemm], k: int = 8, seconds: float = 0.25) -> dict[Gemm, float]:
    """Best seconds per net of each product made for K nets at once in the stack's layout
    (one BLAS thread)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    with threadpool_limits(limits=1):
        return {g: _best(_stacked_call(g, k, rng), seconds) / k for g in gemms}


def _gemm_worker(args: tuple[list[Gemm], float, Any]) -> list[tuple[Gemm, float]]:
    gemms, seconds, barrier = args
    barrier.wait()
    return list(time_gemms(gemms, 1, seconds).items())


def time_gemms_parallel(gemms: list[Gemm], jobs: int, seconds: float) -> dict[Gemm, float]:
    """Seconds per call while ``jobs`` single-thread processes run the same products at once
    (the condition of ``--jobs N`` sweep workers); the slowest process's time for each."""
    if jobs == 1:
        return time_gemms(gemms, 1, seconds)
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(jobs)
        with ctx.Pool(jobs) as pool:
            results = pool.map(_gemm_worker, [(gemms, seconds, barrier)] * jobs)
    out: dict[Gemm, float] = {}
    for result in results:
        for g, t in result:
            out[tuple(g)] = max(out.get(tuple(g), 0.0), t)  # type: ignore[arg-type]
    return out
