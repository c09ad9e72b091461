"""Layers as forward/backward pairs (cs231n ``layers.py`` style).

Every layer has the same small protocol:

- ``forward(x, train)`` computes the output and keeps exactly what ``backward`` needs;
- ``backward(dout)`` returns ``dx`` and fills ``grads`` (same keys as ``params``);
- ``params`` / ``grads`` are dicts of arrays; BatchNorm's running statistics are ``buffers``;
- ``forget()`` drops what forward kept (the attributes named in ``kept``): an evaluation pass,
  which never goes backward, lets each array go as soon as the next layer has used it.

Arrays are never modified in place unless the layer owns them. The dtype of every output follows
the dtype of the input and parameters: a float32 network stays float32 end to end.

References: DLFS (Saitoh, *Deep Learning from Scratch*) chapter 5 derives these backward passes
as computational graphs (5.5 ReLU and Sigmoid, 5.6 Affine), 6.3 BatchNorm and 6.4.3 Dropout;
cs231n's assignment 2 ``layers.py`` writes each as an ``*_forward`` / ``*_backward`` pair.
Many nets side by side (``nnlab.nn.stacked``) reuse these layers: the elementwise ones and
BatchNorm unchanged on wide arrays, Affine and Dropout in a stacked form of their own.
"""

from __future__ import annotations

import functools

import numpy as np


class Layer:
    """Base class: a layer without parameters or buffers."""

    kept: tuple[str, ...] = ()  # the attributes forward sets for backward

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        """The output y for input x (training mode, or evaluation with ``train=False``),
        keeping what ``backward`` needs (the attributes named in ``kept``)."""
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dL/dx from dL/dy = ``dout`` for the last ``forward``; ``grads`` filled (dL/dparam)."""
        raise NotImplementedError

    def forget(self) -> None:
        """Drop what forward kept for backward (``backward`` then needs a new forward).

        ``MLP.evaluate`` calls it after each layer: the arrays of an evaluation pass are then
        freed as it goes, and the next layer's output reuses memory still in cache, where a
        kept array would make every output land on memory untouched since the last pass (a
        net's evaluation took a quarter longer)."""
        for name in self.kept:
            setattr(self, name, None)


class Affine(Layer):
    """Fully connected layer, y = x W + b (DLFS 5.6.2; cs231n ``affine_forward``).

    Shapes: x (N, D), W (D, M), b (M,) -> y (N, M).
    Backward: dW = x^T dout, db = sum_n dout, dx = dout W^T.
    W is (in, out), the transpose of a ``torch.nn.Linear`` weight (out, in), as DLFS and
    cs231n store it. K of these side by side: ``nnlab.nn.stacked.StackedAffine``.
    """

    kept = ("x",)

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        super().__init__()
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        self.x = x
        out = x @ self.params["W"]
        out += self.params["b"]  # in place on the fresh product: one pass, no temporary
        return out

    def backward(self, dout: np.ndarray, need_dx: bool = True) -> np.ndarray:
        """``need_dx=False`` (a network's first layer: nothing uses the input's gradient)
        fills the gradients only and returns ``dout`` unchanged, not a gradient."""
        np.matmul(self.x.T, dout, out=self.grads["W"])
        np.sum(dout, axis=0, out=self.grads["b"])
        return dout @ self.params["W"].T if need_dx else dout


class ReLU(Layer):
    """Rectified linear unit, y = max(0, x) (DLFS 5.5.1; cs231n ``relu_forward``).

    Shapes: x (N, D) -> y (N, D). Backward: dx = dout * [x > 0] (the gradient at 0 taken as 0).

    A NaN input gives NaN, as ``torch.relu`` (and cs231n's ``np.maximum(0, x)``). A ReLU that
    turned NaN into 0 (``np.fmax``) hid a net whose weights had overflowed behind a finite loss:
    the loop went on updating it (the quick start at lr 1000: 12 more steps on inf and NaN
    weights) and recorded its diverged epoch with finite numbers. (The gradient at NaN is 0,
    where torch passes dout on; a NaN output makes the loss NaN, and no step is made of it.)

    Implementation: forward is ``np.maximum(x, 0)`` (``np.where`` with a data-dependent mask is
    several times slower on large evaluation batches). NumPy runs maximum in its SIMD loop only
    when both operands are arrays of one shape, so the 0 is a cached array of zeros
    (``zeros``): 3x faster than a scalar 0, with the same results (an input -0.0 may give
    either zero; no Affine or BatchNorm output is -0.0). Forward keeps x (as cs231n's
    ``relu_forward`` caches it) and backward makes the mask, so an evaluation pass, which never
    goes backward, makes none; the product ``dout * [x > 0]`` equals the masked copy of
    ``dout`` for every finite ``dout``.
    """

    kept = ("x",)

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        self.x = x
        return np.maximum(x, zeros(x.shape, x.dtype))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (self.x > 0)


class Sigmoid(Layer):
    """Logistic sigmoid, y = 1 / (1 + exp(-x)), computed without overflow (``sigmoid``).

    Shapes: x (N, D) -> y (N, D). Backward: dx = dout * y * (1 - y), from the output forward
    kept (DLFS 5.5.2).
    """

    kept = ("out",)

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.out * (1 - self.out)


class Tanh(Layer):
    """Hyperbolic tangent, y = tanh(x).

    Shapes: x (N, D) -> y (N, D). Backward: dx = dout * (1 - y^2), from the output forward kept
    (d tanh(x) / dx = 1 - tanh(x)^2).
    """

    kept = ("out",)

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1 - self.out * self.out)


class BatchNorm(Layer):
    """Batch normalisation (Ioffe & Szegedy 2015; DLFS 6.3; cs231n ``batchnorm_forward``),
    y = gamma * (x - mu) / sqrt(var + eps) + beta.

    Shapes: x (N, D), gamma (D,), beta (D,) -> y (N, D). Every statistic is per column, over
    the batch, so a stack of nets (``nnlab.nn.stacked``) uses this layer unchanged.

    Training mode normalises with the batch's mean and *biased* variance (divide by N), as the
    paper and ``torch.nn.BatchNorm1d`` do; a batch of one sample is refused (ValueError), as
    torch refuses it: its variance is 0, so the output would be beta whatever the input, every
    gradient 0, and the running variance would shrink towards 0. It is computed as::

        inv_std = 1 / sqrt(var + eps),  xhat = (x - mu) * inv_std,  y = xhat * gamma + beta

    The running statistics used in evaluation mode follow torch's convention, starting from
    running_mean 0 and running_var 1::

        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var  = (1 - momentum) * running_var  + momentum * (var * (N / (N - 1)))

    i.e. ``momentum=0.1`` weighs the *new* batch and the running variance is the unbiased
    estimate. DLFS and cs231n's assignment write the update with a momentum of 0.9 weighing the
    *old* value (their 0.9 is this 0.1), but average the variance they normalise with (the
    biased one) and start both statistics at 0, so their evaluation-mode outputs are not these:
    least alike in the first steps, where after t of them their running variance is about
    (1 - 0.9^t) times the batches'.
    ``eps=1e-5`` is torch's and cs231n's default; DLFS's code adds ``10e-7`` (1e-6).

    Backward (training mode), reusing the parameter gradients::

        dgamma = sum_n dout * xhat,  dbeta = sum_n dout
        dx = (dout - dbeta / N - xhat * (dgamma / N)) * (gamma * inv_std)

    the textbook gamma / sqrt(var + eps) * (dout - mean_n(dout) - xhat * mean_n(dout * xhat)).
    In evaluation mode the layer is affine in x, computed as such (two passes over x)::

        s = gamma * inv_std,  inv_std = 1 / sqrt(running_var + eps)
        y = x * s + (beta - running_mean * s),  dx = dout * s
    """

    kept = ("x", "xhat", "inv_std")

    def __init__(
        self,
        dim: int,
        dtype: np.dtype | type = np.float32,
        momentum: float = 0.1,
        eps: float = 1e-5,
    ) -> None:
        super().__init__()
        self.momentum = momentum
        self.eps = eps
        self.params = {"gamma": np.ones(dim, dtype=dtype), "beta": np.zeros(dim, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.buffers = {
            "running_mean": np.zeros(dim, dtype=dtype),
            "running_var": np.ones(dim, dtype=dtype),
        }

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        gamma, beta = self.params["gamma"], self.params["beta"]
        self.train = train
        if train:
            n = x.shape[0]
            if n < 2:  # (its variance 0: the output is beta, every gradient 0; torch refuses too)
                raise ValueError(f"BatchNorm in training mode needs 2 or more samples, got {n}")
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc * xc, axis=0)
            self.inv_std = 1 / np.sqrt(var + self.eps)
            self.xhat = xc
            self.xhat *= self.inv_std  # xc is ours: normalise it in place
            m = self.momentum
            unbiased = var * (n / (n - 1))
            running_mean, running_var = self.buffers["running_mean"], self.buffers["running_var"]
            running_mean *= 1 - m
            running_mean += m * mu
            running_var *= 1 - m
            running_var += m * unbiased
            out = self.xhat * gamma
            out += beta
            return out
        running_mean, running_var = self.buffers["running_mean"], self.buffers["running_var"]
        self.inv_std = 1 / np.sqrt(running_var + self.eps)
        self.x = x  # backward (rare in evaluation mode) makes xhat from it
        scale = gamma * self.inv_std
        out = x * scale
        out += beta - running_mean * scale
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        gamma = self.params["gamma"]
        if self.train:
            xhat = self.xhat
        else:
            xhat = (self.x - self.buffers["running_mean"]) * self.inv_std
        np.sum(dout * xhat, axis=0, out=self.grads["gamma"])
        np.sum(dout, axis=0, out=self.grads["beta"])
        scale = gamma * self.inv_std
        if not self.train:
            return dout * scale
        dgamma_mean = self.grads["gamma"] / dout.shape[0]
        dbeta_mean = self.grads["beta"] / dout.shape[0]
        dx = dout - dbeta_mean  # a new array: the rest of the formula happens in place on it
        dx -= xhat * dgamma_mean
        dx *= scale
        return dx


class Dropout(Layer):
    """Dropout (Srivastava et al. 2014; DLFS 6.4.3), inverted: y = x * (m * s), s = 1 / (1 - p).

    ``p`` is the probability of dropping a unit (torch's ``p``, DLFS's ``dropout_ratio``;
    cs231n's ``p`` is the probability of keeping one). The mask m keeps a unit where a uniform
    draw u in [0, 1) (float32, from the net's dropout generator) has u >= p, compared in
    float32 (NumPy rounds the Python float p to the array's float32 first): m ~ Bernoulli(1 - p)
    up to that rounding of p.
    Shapes: x (N, D) -> y (N, D). Backward: dx = dout * (m * s). Evaluation: y = x.

    The paper and DLFS use the non-inverted form (y = x * m in training, y = x * (1 - p) at test
    time). The inverted form used here (and by torch and cs231n) scales at training time
    instead, so evaluation is the identity: the network needs no knowledge of p at test time,
    and the expected activation is the same in both modes. Set ``keep_mask = True`` to reuse
    the last mask (gradient checks).
    The scale is 1/(1-p) rounded to the dtype once; torch divides its mask by (1-p) rounded to
    the dtype. In float64 the two are the same number; in float32 they differ in the last bit
    for some p (0.15 and 0.45, not 0.5), so float32 runs with dropout part from
    torch's at float32 rounding (float64 runs agree bit for bit).
    A stack of nets draws net k's block of the mask from net k's generator:
    ``nnlab.nn.stacked.StackedDropout`` (overriding ``draw_mask``).
    """

    kept = ("scale_mask",)

    def __init__(self, p: float, rng: np.random.Generator) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout rate must be in [0, 1), got {p}")
        self.p = p
        self.rng = rng
        self.keep_mask = False
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        if not train or self.p == 0:
            self.scale_mask = None
            return x
        if not (self.keep_mask and self.mask is not None and self.mask.shape == x.shape):
            self.mask = self.draw_mask(x.shape)
        self.scale_mask = self.mask.astype(x.dtype) * x.dtype.type(1 / (1 - self.p))
        return x * self.scale_mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.scale_mask is None:
            return dout
        return dout * self.scale_mask

    def draw_mask(self, shape: tuple[int, ...]) -> np.ndarray:
        """A fresh keep mask, True with probability 1 - p."""
        return self.rng.random(shape, dtype=np.float32) >= self.p


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function: uses exp(-|x|) so nothing overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


@functools.lru_cache(maxsize=32)
def zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A read-only array of zeros, made once per shape and dtype (a constant operand)."""
    z = np.zeros(shape, dtype=dtype)
    z.flags.writeable = False
    return z
