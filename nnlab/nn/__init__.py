"""nnlab's neural-network core, NumPy only: layers, losses, initialisers and optimizers
(``layers``, ``losses``, ``init``, ``optim``), the names that pick them (``registry``), the MLP
they make (``model``) and K of them trained side by side (``stacked``), and numeric gradients
to check them by (``gradcheck``)."""

from nnlab.nn.gradcheck import numeric_gradient, rel_error
from nnlab.nn.layers import Affine, BatchNorm, Dropout, Layer, ReLU, Sigmoid, Tanh
from nnlab.nn.losses import Loss, sigmoid_bce, softmax_cross_entropy, svm_hinge
from nnlab.nn.model import MLP, build_mlp
from nnlab.nn.optim import SGD, AdaGrad, Adam, Hyper, Momentum, Nesterov, RMSProp
from nnlab.nn.registry import (
    ACTIVATIONS,
    INITS,
    LOSSES,
    OPTIMIZERS,
    init_weight,
    make_optimizer,
)

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "LOSSES",
    "Hyper",
    "Loss",
    "MLP",
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "Affine",
    "BatchNorm",
    "Dropout",
    "Layer",
    "Momentum",
    "Nesterov",
    "RMSProp",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "build_mlp",
    "init_weight",
    "make_optimizer",
    "numeric_gradient",
    "rel_error",
    "sigmoid_bce",
    "softmax_cross_entropy",
    "svm_hinge",
]
