"""K networks of one architecture trained side by side, as one wide network.

A sweep's trials often differ only in their seed and initial weights (the weight-scale sweep:
16 init scales, each with and without BatchNorm). Put K such MLPs next to each other, net k's
units of every layer in columns ``k*D .. (k+1)*D - 1``::

    h (N, K*D) = [h_1 | h_2 | ... | h_K]        each h_k (N, D) is net k's activations

and the K nets are one network whose Affine layers are block diagonal::

    y[:, k] = x[:, k] @ W[k] + b[k]             (``StackedAffine``: K gemm calls, one np.matmul)

while every other layer works per unit, so BatchNorm (statistics per column over the batch),
ReLU, Sigmoid and Tanh from ``layers`` run on the wide arrays *unchanged*; Dropout draws each
net's mask from that net's own generator (``StackedDropout``); the loss is the plain loss's
equations on all the nets' blocks of scores at once (a ``Loss``'s ``per_net`` form). One NumPy call
per layer serves K nets, which is what makes this fast: at these sizes (batch 100, 100 units) a
single net spends as long in NumPy's per-call overhead as in its matrix products.

Exactness: net k computes bit for bit what ``MLP`` k computes alone. The matrix products are the
same BLAS gemm calls (same sizes and transposes, only the leading dimension differs); the
elementwise layers do the same operations on the same numbers; reductions over the batch (BN's
mean and variance, db) add the rows in the same order for each column. Exceptions would be
layers one unit wide, where NumPy sums a single contiguous column pairwise;
``stack_signature`` refuses them (tests/nn/test_stacked.py checks all of this step by step).

Every stacked array holds K blocks along its first axis (W: (K, D, M); b, gamma, beta, running
statistics: (K*D,)), so ``arr.reshape(K, -1)[k]`` is net k's share (``net_arrays``, ``select``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlab.nn.layers import Affine, BatchNorm, Dropout, Layer
from nnlab.nn.model import MLP, l2_penalty, named
from nnlab.nn.registry import ACTIVATIONS, LOSSES


def per_net(x: np.ndarray, k: int) -> np.ndarray:
    """A wide (N, K*D) array seen as the stack (K, N, D) of the nets' (N, D) blocks (a view)."""
    return x.reshape(x.shape[0], k, -1).transpose(1, 0, 2)


def take(arr: np.ndarray, keep: Sequence[int], k: int) -> np.ndarray:
    """The blocks ``keep`` (net positions) of a stacked array of K blocks, as a new array."""
    blocks = arr.reshape(k, -1)[list(keep)]
    return blocks.reshape(arr.shape[0] // k * len(keep), *arr.shape[1:])


class StackedAffine(Layer):
    """K fully connected layers side by side: y[:, k] = x[:, k] W[k] + b[k].

    Shapes: x (N, K*D), or one x (N, D) shared by all nets (evaluation), or x (K, N, D), net
    k's input as block k (a stack's gathered batches: each net's rows contiguous, which the
    first layer's two products read faster than the wide array's strided blocks, with the same
    results); W (K, D, M), b (K*M,) -> y (N, K*M). Backward, per net as ``layers.Affine``:
    dW[k] = x[:, k]^T dout[:, k], db = sum_n dout, dx[:, k] = dout[:, k] W[k]^T (dx in x's
    layout). ``need_dx=False`` (a first layer) skips dx.
    """

    kept = ("x",)

    def __init__(self, W: np.ndarray, b: np.ndarray, need_dx: bool = True) -> None:
        super().__init__()
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.need_dx = need_dx

    def _inputs(self, x: np.ndarray) -> np.ndarray:
        k, d, _ = self.params["W"].shape
        if x.ndim == 3:  # (K, N, D): already one block per net
            return x
        return per_net(x, k) if x.shape[1] == k * d else x  # else shared: broadcast over nets

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        W = self.params["W"]
        k, _, m = W.shape
        self.x = x
        out = np.empty((x.shape[-2], k * m), dtype=W.dtype)
        np.matmul(self._inputs(x), W, out=per_net(out, k))
        out += self.params["b"]
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        W = self.params["W"]
        k, d, _ = W.shape
        d_net = per_net(dout, k)
        np.matmul(self._inputs(self.x).transpose(0, 2, 1), d_net, out=self.grads["W"])
        np.sum(dout, axis=0, out=self.grads["b"])
        if not self.need_dx:
            return dout  # (not a gradient: nothing uses the input's gradient of a first layer)
        if self.x.ndim == 3:
            return np.matmul(d_net, W.transpose(0, 2, 1))
        dx = np.empty((dout.shape[0], k * d), dtype=dout.dtype)
        np.matmul(d_net, W.transpose(0, 2, 1), out=per_net(dx, k))
        return dx


class StackedDropout(Dropout):
    """``layers.Dropout`` for K nets: net k's mask comes from net k's generator, as if alone."""

    def __init__(self, p: float, rngs: Sequence[np.random.Generator]) -> None:
        super().__init__(p, rngs[0])
        self.rngs = list(rngs)

    def draw_mask(self, shape: tuple[int, ...]) -> np.ndarray:
        mask = np.empty(shape, dtype=bool)
        for rng, block in zip(self.rngs, per_net(mask, len(self.rngs))):
            block[...] = rng.random(block.shape, dtype=np.float32) >= self.p
        return mask


def batchnorm_holding(
    like: BatchNorm, params: dict[str, np.ndarray], buffers: dict[str, np.ndarray]
) -> BatchNorm:
    """A ``layers.BatchNorm`` with ``like``'s settings (momentum, eps) holding the given
    ``params`` and ``buffers`` (the arrays themselves) and gradients of their shape: over the K
    nets' units side by side (stacked arrays), or one net's (views into a stack, ``net``)."""
    bn = BatchNorm(params["gamma"].shape[0], params["gamma"].dtype, like.momentum, like.eps)
    bn.params, bn.buffers = params, buffers
    bn.grads = {k: np.zeros_like(v) for k, v in params.items()}
    return bn


def stacked_layer(
    name: str,
    like: Layer,
    params: dict[str, np.ndarray],
    buffers: dict[str, np.ndarray],
    rngs: Sequence[np.random.Generator],
    need_dx: bool,
) -> Layer:
    """The stack's layer ``name`` that does for K nets what ``like`` (a net's layer, or a
    stack's) does, holding the stacked ``params`` and ``buffers``: for an Affine a
    ``StackedAffine`` (``need_dx``: False for a first layer), for a BatchNorm a BatchNorm over
    the K nets' units, for a Dropout a ``StackedDropout`` drawing net k's mask from ``rngs[k]``
    (each net keeps drawing from its own generator), for an activation the activation itself
    (elementwise: unchanged on wide arrays). ValueError for any other layer."""
    if isinstance(like, (Affine, StackedAffine)):
        return StackedAffine(params["W"], params["b"], need_dx)
    if isinstance(like, BatchNorm):
        return batchnorm_holding(like, params, buffers)
    if isinstance(like, Dropout):
        return StackedDropout(like.p, rngs)
    if type(like) in ACTIVATIONS.values():
        return type(like)()
    raise ValueError(f"StackedMLP: layer {name!r} ({type(like).__name__}) unsupported")


class StackedMLP:
    """K ``MLP``s with identical architecture and loss, as one wide network.

    ``params`` / ``grads`` / ``buffers`` use the MLP's names (``"affine1.W"``) for the stacked
    arrays, so any optimizer of ``nnlab.nn.optim`` (all elementwise) steps the K nets at once,
    with its state stacked the same way. ``net_arrays(k, arrays)`` gives net k's share.

    The nets may differ in weight decay (``weight_decays``: each net's penalty and gradient are
    its own) and, through the optimizer's ``lrs`` (``per_net_arrays``), in learning rate.
    """

    def __init__(self, nets: Sequence[MLP]) -> None:
        first = nets[0]
        for net in nets[1:]:
            if stack_signature(net) != stack_signature(first):
                raise ValueError("StackedMLP: the networks differ in layers or loss")
        if stack_signature(first) is None:
            raise ValueError("StackedMLP: a layer one unit wide cannot be stacked exactly")
        self.size = len(nets)
        self.loss_name = first.loss_name
        self.loss_fn = LOSSES[first.loss_name]
        self.weight_decays = [net.weight_decay for net in nets]
        self.shapes = {k: v.shape for k, v in {**first.params, **first.buffers}.items()}
        self.layers: dict[str, Layer] = {}
        for i, (name, layer) in enumerate(first.layers.items()):
            group = [net.layers[name] for net in nets]
            params = {p: _stack([g.params[p] for g in group]) for p in layer.params}
            buffers = {b: _stack([g.buffers[b] for g in group]) for b in layer.buffers}
            rngs = [g.rng for g in group if isinstance(g, Dropout)]
            self.layers[name] = stacked_layer(name, layer, params, buffers, rngs, need_dx=i > 0)
        self._collect()

    def _collect(self) -> None:
        self.params = named(self.layers, "params")
        self.grads = named(self.layers, "grads")
        self.buffers = named(self.layers, "buffers")
        self.affines = [la for la in self.layers.values() if isinstance(la, StackedAffine)]
        self._views: list[MLP] = []  # net(k) for every k, made by evaluate

    @property
    def dtype(self) -> np.dtype:
        return self.affines[0].params["W"].dtype

    # -- nets in and out of the stack ---------------------------------------------------------
    def net_arrays(self, k: int, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Net k's share of stacked ``arrays`` keyed by parameter / buffer name (or by
        ``<slot>/<name>`` as optimizer state), copied, in the MLP's shapes."""
        return {
            key: arr.reshape(self.size, -1)[k].reshape(self.shapes[key.rsplit("/", 1)[-1]]).copy()
            for key, arr in arrays.items()
        }

    def take(self, arrays: dict[str, np.ndarray], keep: Sequence[int]) -> dict[str, np.ndarray]:
        """The blocks of nets ``keep`` of stacked ``arrays`` (e.g. an optimizer's state)."""
        return {key: take(arr, keep, self.size) for key, arr in arrays.items()}

    def select(self, keep: Sequence[int]) -> StackedMLP:
        """A stack of the nets at positions ``keep``: copies of their parameters, buffers and
        current gradients (dropout generators shared)."""
        new = object.__new__(StackedMLP)
        new.size, new.shapes = len(keep), self.shapes
        new.loss_name, new.loss_fn = self.loss_name, self.loss_fn
        new.weight_decays = [self.weight_decays[i] for i in keep]
        new.layers = {}
        for name, layer in self.layers.items():
            params, buffers = self.take(layer.params, keep), self.take(layer.buffers, keep)
            rngs = [layer.rngs[i] for i in keep] if isinstance(layer, StackedDropout) else []
            need_dx = not isinstance(layer, StackedAffine) or layer.need_dx
            copy = stacked_layer(name, layer, params, buffers, rngs, need_dx)
            copy.grads = self.take(layer.grads, keep)
            new.layers[name] = copy
        new._collect()
        return new

    # -- training and evaluation --------------------------------------------------------------
    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        """Scores (N, K*C) for inputs x (N, K*D) or (K, N, D) (net k's in block k), or a shared
        x (N, D) (the first layer, an Affine, reads all three)."""
        for layer in self.layers.values():
            x = layer.forward(x, train)
        return x

    def backward(self, dscores: np.ndarray) -> None:
        """Fill ``grads`` from dL/dscores (N, K*C), weight decay included, as ``MLP.backward``."""
        d = dscores
        for layer in reversed(self.layers.values()):
            d = layer.backward(d)
        wds = self.weight_decays
        if len(set(wds)) == 1:  # one weight decay: one call per layer for the K nets
            if wds[0]:
                for layer in self.affines:
                    layer.grads["W"] += wds[0] * layer.params["W"]
            return
        for k, wd in enumerate(wds):  # net by net, and not at all where it is 0 (as alone)
            if wd:
                for layer in self.affines:
                    layer.grads["W"][k] += wd * layer.params["W"][k]

    def l2_penalties(self) -> list[float]:
        """Each net's 0.5 * weight_decay * sum of squared Affine weights (as ``MLP``)."""
        return [
            l2_penalty(wd, [a.params["W"][k] for a in self.affines])
            for k, wd in enumerate(self.weight_decays)
        ]

    def per_net_arrays(self, values: Sequence[float]) -> dict[str, np.ndarray]:
        """Net k's ``values[k]`` over net k's block of every parameter, in its dtype, shaped to
        broadcast against it (matrices (K, 1, 1), vectors (K*D,)): per-net learning rates for
        an optimizer's ``lrs``."""
        out = {}
        for key, p in self.params.items():
            with np.errstate(over="ignore"):  # a rate float32 cannot hold is inf, as alone
                v = np.asarray(values, dtype=p.dtype)
            out[key] = v.reshape(-1, 1, 1) if p.ndim == 3 else np.repeat(v, p.size // self.size)
        return out

    def losses(self, scores: np.ndarray, y: Sequence[np.ndarray]) -> tuple[list[float], np.ndarray]:
        """Each net's data loss on its block of ``scores`` with labels ``y[k]`` (the plain loss,
        on all K blocks at once when it has a ``per_net`` form, else net by net), and
        dL/dscores (N, K*C)."""
        dscores = np.empty_like(scores)
        if self.loss_fn.per_net is not None:
            values, d_nets = self.loss_fn.per_net(per_net(scores, self.size), np.stack(y))
            per_net(dscores, self.size)[...] = d_nets
            return values.tolist(), dscores
        losses = []
        for s, d, labels in zip(per_net(scores, self.size), per_net(dscores, self.size), y):
            loss, d[...] = self.loss_fn(s, labels)
            losses.append(loss)
        return losses, dscores

    def loss_and_grads(
        self, x: np.ndarray, y: Sequence[np.ndarray], train: bool = True
    ) -> list[float]:
        """One forward and backward pass of every net on its batch (x as ``forward``'s, y[k] (N,)):
        each net's objective; gradients left in ``grads``."""
        losses, dscores = self.losses(self.forward(x, train), y)
        self.backward(dscores)
        return [loss + p for loss, p in zip(losses, self.l2_penalties())]

    def train_step(
        self, x: np.ndarray, y: np.ndarray, batches: Sequence[np.ndarray]
    ) -> list[float]:
        """``loss_and_grads`` with net k on rows ``batches[k]`` of x (N, D), y (N,): the
        batches are gathered into one (K, B, D) input, net k's batch as block k, for a first
        layer that is an Affine (else side by side, (B, K*D))."""
        labels = [y[b] for b in batches]
        if isinstance(next(iter(self.layers.values())), StackedAffine):
            return self.loss_and_grads(x[np.stack(batches)], labels)
        idx = np.stack(batches, axis=1)  # (B, K): row b holds sample b of every net's batch
        return self.loss_and_grads(x[idx].reshape(idx.shape[0], -1), labels)

    def evaluate(
        self, x: np.ndarray, y: np.ndarray, batch_size: int = 10000
    ) -> list[tuple[float, float]]:
        """Every net's (data loss, accuracy) on x (N, D), y (N,) in evaluation mode, in batches
        of ``batch_size``: ``MLP.evaluate`` of each ``net(k)``. (Evaluation batches are large,
        so one net at a time costs no more NumPy calls per sample than the stack, and its
        arrays stay in cache.)"""
        if len(self._views) != self.size:  # (made once: they are views, always current)
            self._views = [self.net(k) for k in range(self.size)]
        return [net.evaluate(x, y, batch_size) for net in self._views]

    def params_finite(self) -> list[bool]:
        """Per net: every parameter finite (the sum ``nnlab.train`` takes for one net, of each
        net's block: the same numbers in the same order)."""
        finite = np.ones(self.size, dtype=bool)
        for p in self.params.values():
            blocks = p.reshape(self.size, -1)
            with np.errstate(over="ignore", invalid="ignore"):  # (the overflow is handled)
                ok = np.isfinite(blocks.sum(axis=1))
            if not ok.all():  # (a sum of finite values can overflow: then each entry decides)
                ok |= np.isfinite(blocks).all(axis=1)
            finite &= ok
        return finite.tolist()

    def net(self, k: int) -> MLP:
        """Net k as a plain ``MLP`` whose parameters and buffers are views into the stack."""

        def view(key: str, arr: np.ndarray) -> np.ndarray:
            return arr.reshape(self.size, -1)[k].reshape(self.shapes[key])

        layers: dict[str, Layer] = {}
        for name, layer in self.layers.items():
            params = {p: view(f"{name}.{p}", v) for p, v in layer.params.items()}
            if isinstance(layer, StackedAffine):
                layers[name] = Affine(params["W"], params["b"])
            elif isinstance(layer, BatchNorm):
                buffers = {b: view(f"{name}.{b}", v) for b, v in layer.buffers.items()}
                layers[name] = batchnorm_holding(layer, params, buffers)
            elif isinstance(layer, StackedDropout):
                layers[name] = Dropout(layer.p, layer.rngs[k])
            else:
                layers[name] = type(layer)()
        return MLP(layers, loss=self.loss_name, weight_decay=self.weight_decays[k])


def _stack(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Same-shaped arrays as one stacked array: matrices (K, D, M), vectors (K*D,)."""
    return np.stack(arrays) if arrays[0].ndim > 1 else np.concatenate(arrays)


def stack_signature(net: MLP) -> tuple | None:
    """What must agree for nets to share a stack: layer names, kinds, parameter shapes and
    dtypes, BatchNorm's and Dropout's settings and the loss. None when the net cannot be
    stacked exactly (a layer one unit wide)."""
    layers = []
    for name, layer in net.layers.items():
        shapes = tuple((k, v.shape, v.dtype.str) for k, v in layer.params.items())
        if isinstance(layer, Affine) and 1 in layer.params["W"].shape:
            return None
        settings = (
            (layer.momentum, layer.eps)
            if isinstance(layer, BatchNorm)
            else layer.p
            if isinstance(layer, Dropout)
            else None
        )
        layers.append((name, type(layer).__name__, shapes, settings))
    return tuple(layers), net.loss_name
