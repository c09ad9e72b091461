"""A multi-layer perceptron as a sequence of layers, with its loss and L2 weight decay.

Architecture for hidden sizes [h1, ..., hk]::

    x -> Affine -> [BatchNorm] -> act -> [Dropout] -> ... (k times) -> Affine -> scores

With no hidden layer the model is a linear classifier (logistic regression with ``bce``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from nnlab.nn.layers import Affine, BatchNorm, Dropout, Layer
from nnlab.nn.registry import ACTIVATIONS, LOSSES, choose, init_weight


class MLP:
    """An ordered set of named layers plus a loss and an L2 penalty on the Affine weights.

    The objective is ``data_loss + 0.5 * weight_decay * sum_l ||W_l||^2`` (biases and
    BatchNorm's gamma/beta are not decayed): its gradient is that of ``torch.optim``'s
    (coupled) ``weight_decay`` in a parameter group of the weight matrices only, not over all
    of a torch model's parameters (DLFS 6.4.2's weight decay, which decays the weights only,
    as this does). Parameters are addressed as ``"<layer>.<param>"``, e.g. ``"affine1.W"``,
    ``"bn1.gamma"``.

    K MLPs of one architecture trained as one wide net: ``nnlab.nn.stacked.StackedMLP``, whose
    ``forward``, ``backward``, ``loss_and_grads`` and ``evaluate`` do for each net what these do
    for one, bit for bit (``tests/nn/test_stacked.py`` trains both and compares every array).
    """

    def __init__(
        self, layers: dict[str, Layer], loss: str = "softmax_ce", weight_decay: float = 0.0
    ):
        self.layers = layers
        self.loss_name = loss
        self.loss_fn = choose(LOSSES, "loss", loss)
        self.weight_decay = weight_decay
        self.params = named(layers, "params")
        self.grads = named(layers, "grads")
        self.buffers = named(layers, "buffers")
        self.affines = [layer for layer in layers.values() if isinstance(layer, Affine)]

    @property
    def dtype(self) -> np.dtype:
        return self.affines[0].params["W"].dtype

    def forward(self, x: np.ndarray, train: bool = True, keep: bool = True) -> np.ndarray:
        """Scores (N, C) for inputs x (N, D). ``keep=False``: no backward follows, and each
        layer forgets its input once it has its output (``Layer.forget``)."""
        for layer in self.layers.values():
            x = layer.forward(x, train)
            if not keep:
                layer.forget()
        return x

    def backward(self, dscores: np.ndarray, need_dx: bool = True) -> np.ndarray:
        """Fill ``self.grads`` from dL/dscores (weight decay included); return dL/dx
        (``need_dx=False``: training, where nothing uses it; the first Affine layer then skips
        its largest product, dx = dout W^T, and this returns that layer's dout)."""
        d = dscores
        first, *rest = self.layers.values()
        for layer in reversed(rest):
            d = layer.backward(d)
        if isinstance(first, Affine) and not need_dx:
            d = first.backward(d, need_dx=False)
        else:
            d = first.backward(d)
        if self.weight_decay:
            for layer in self.affines:
                layer.grads["W"] += self.weight_decay * layer.params["W"]
        return d

    def l2_penalty(self) -> float:
        """0.5 * weight_decay * sum of squared Affine weights (``l2_penalty``)."""
        return l2_penalty(self.weight_decay, [a.params["W"] for a in self.affines])

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray, train: bool = True) -> float:
        """One forward and backward pass: returns the objective, leaves gradients in ``grads``."""
        scores = self.forward(x, train)
        loss, dscores = self.loss_fn(scores, y)
        self.backward(dscores, need_dx=False)
        return loss + self.l2_penalty()

    def evaluate(
        self, x: np.ndarray, y: np.ndarray, batch_size: int = 10000
    ) -> tuple[float, float]:
        """Data loss (no L2 term) and accuracy in evaluation mode, in batches of ``batch_size``."""
        total_loss, correct, n = 0.0, 0, x.shape[0]
        for start in range(0, n, batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            scores = self.forward(xb, train=False, keep=False)
            loss, _ = self.loss_fn(scores, yb)
            total_loss += loss * xb.shape[0]
            correct += int(np.sum(self.loss_fn.predict(scores) == yb))
        return total_loss / n, correct / n

    def dropout_layers(self) -> list[Dropout]:
        return [layer for layer in self.layers.values() if isinstance(layer, Dropout)]


def l2_penalty(weight_decay: float, weights: Sequence[np.ndarray]) -> float:
    """The objective's L2 term, 0.5 * weight_decay * sum_l ||W_l||^2 over a net's weight
    matrices (each summed by NumPy, the sum of those in Python floats); 0.0 without weight
    decay."""
    if not weight_decay:
        return 0.0
    return 0.5 * weight_decay * sum(float(np.sum(W**2)) for W in weights)


def named(
    layers: dict[str, Layer], which: Literal["params", "grads", "buffers"]
) -> dict[str, np.ndarray]:
    """Every layer's arrays of one kind (``which``: ``"params"``, ``"grads"`` or ``"buffers"``)
    under a net's names for them, ``"<layer>.<name>"`` (``"affine1.W"``, ``"bn1.running_var"``):
    the keys of an optimizer's state, a checkpoint and a stack of nets (the arrays themselves,
    not copies)."""
    return {f"{n}.{k}": v for n, layer in layers.items() for k, v in getattr(layer, which).items()}


def build_mlp(
    input_dim: int,
    hidden: Sequence[int],
    output_dim: int,
    *,
    activation: str = "relu",
    init: str = "he",
    init_std: float = 0.01,
    batchnorm: bool = False,
    dropout: float = 0.0,
    loss: str = "softmax_ce",
    weight_decay: float = 0.0,
    rng_init: np.random.Generator,
    rng_dropout: np.random.Generator | None = None,
    dtype: np.dtype | type = np.float32,
) -> MLP:
    """Build an MLP; weights drawn from ``rng_init``, dropout masks from ``rng_dropout``."""
    act = choose(ACTIVATIONS, "activation", activation)
    if dropout and rng_dropout is None:
        raise ValueError("dropout needs rng_dropout")
    sizes = [input_dim, *hidden, output_dim]
    layers: dict[str, Layer] = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W = init_weight(init, n_in, n_out, rng_init, std=init_std, dtype=dtype)
        layers[f"affine{i}"] = Affine(W, np.zeros(n_out, dtype=dtype))
        if i == len(sizes) - 1:
            break
        if batchnorm:
            layers[f"bn{i}"] = BatchNorm(n_out, dtype=dtype)
        layers[f"{activation}{i}"] = act()
        if dropout:
            assert rng_dropout is not None
            layers[f"dropout{i}"] = Dropout(dropout, rng_dropout)
    return MLP(layers, loss=loss, weight_decay=weight_decay)
